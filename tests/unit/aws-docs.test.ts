/**
 * docs/aws.md states what a caller of the deployed platform needs; these facts changed on AWS's side and
 * are easy to get wrong, so the page is checked for them.
 */
import * as assert from "node:assert/strict";
import * as fs from "fs";
import * as path from "path";

const doc = fs.readFileSync(path.join(__dirname, "..", "..", "docs", "aws.md"), "utf8").replace(/\s+/g, " ");

describe("docs/aws.md", () => {
    it("tells callers of an IAM-auth function URL that they need lambda:InvokeFunctionUrl and lambda:InvokeFunction", () => {
        const call = /Its Lambda function URL takes IAM-signed requests only[^.]*\./.exec(doc)?.[0] ?? "";
        assert.match(call, /`lambda:InvokeFunctionUrl` and `lambda:InvokeFunction`/);
    });

    it("lists the Glue databases and the trail's log group among what prod protects", () => {
        const safety = /In prod \(`protectData`\)[^;]*;/.exec(doc)?.[0] ?? "";
        assert.match(safety, /Glue databases/);
        assert.match(safety, /CloudWatch copy of the data-access trail/);
    });
});
