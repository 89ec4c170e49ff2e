import * as assert from "node:assert/strict";
import { cronProblem, eventBridgeCronProblem, toEventBridgeCron } from "../../components/shared/cron";

describe("cron schedules", () => {
    for (const good of [
        "0 3 * * *",
        "*/15 * * * *",
        "30 2 1 * *",
        "0 9 * * 1-5",
        "0 0 * JAN,JUL SUN",
        "5,35 8-18/2 * * MON-FRI",
        "0 0 * * 7",
    ]) {
        it(`accepts ${good}`, () => assert.equal(cronProblem(good), undefined));
    }
    for (const [bad, why] of [
        ["0 3 * *", /has 4 fields/],
        ["@daily", /macros/],
        ["60 * * * *", /minute field "60"/],
        ["0 24 * * *", /hour field "24"/],
        ["0 0 0 * *", /day of month field "0"/],
        ["0 0 * 13 *", /month field "13"/],
        ["0 0 * * 8", /day of week field "8"/],
        ["*/0 * * * *", /bad step/],
        ["0 5-2 * * *", /runs backwards/],
        ["0 3 * * MONDAY", /day of week field "MONDAY"/],
    ] as const) {
        it(`fails on ${JSON.stringify(bad)}`, () => assert.match(cronProblem(bad) ?? "", why));
    }

    describe("EventBridge Scheduler form", () => {
        it("writes a daily schedule with the day of week as ?", () => assert.equal(toEventBridgeCron("0 3 * * *"), "cron(0 3 * * ? *)"));
        it("writes a day-of-month schedule with the day of week as ?", () =>
            assert.equal(toEventBridgeCron("30 2 1 * *"), "cron(30 2 1 * ? *)"));
        it("writes weekdays by name with the day of month as ? (cron 1 = Monday, AWS 2 = Monday)", () =>
            assert.equal(toEventBridgeCron("0 9 * * 1-5"), "cron(0 9 ? * MON-FRI *)"));
        it("reads 0 and 7 as Sunday", () => assert.equal(toEventBridgeCron("0 0 * * 0,7"), "cron(0 0 ? * SUN,SUN *)"));
        it("fails when both day fields are restricted", () =>
            assert.match(eventBridgeCronProblem("0 0 1 * MON") ?? "", /both the day of month and the day of week/));
        it("fails on a step in the day of week", () =>
            assert.match(eventBridgeCronProblem("0 0 * * */2") ?? "", /steps through the day of week/));
        it("accepts what it can write", () => assert.equal(eventBridgeCronProblem("0 9 * * 1-5"), undefined));
    });
});
