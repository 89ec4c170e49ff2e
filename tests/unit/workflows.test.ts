import * as assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import {
    checkCiPlan,
    checkCiRun,
    checkConcurrency,
    checkCredentialSteps,
    checkDeployFromMainOnly,
    checkDeployJobs,
    checkMakefile,
    checkPermissions,
    checkPreviewMatrix,
    checkPulumiActionMajor,
    checkPulumiSteps,
    checkReadOnly,
    checkRepo,
    checkSetupNode,
    checkTriggers,
    checkReportWorkflow,
    checkCommentWorkflow,
    checkPreviewIdentities,
    checkDeployIdentities,
    checkBackends,
    checkPinnedActions,
    checkDependabot,
    checkPromoteWorkflow,
    checkRunExpressions,
    findLongLivedKeys,
    loadRepo,
    loadStacks,
    parseWorkflow,
    Repo,
    Stacks,
    WORKFLOW_FILES,
} from "./workflow-checks";

const ROOT = path.resolve(__dirname, "..", "..");

/** Asserts `problems` is exactly one list item per pattern, in any order. */
function assertProblems(problems: string[], ...patterns: RegExp[]): void {
    assert.equal(problems.length, patterns.length, `expected ${patterns.length} problem(s), got:\n${problems.join("\n")}`);
    for (const pattern of patterns)
        assert.ok(
            problems.some((p) => pattern.test(p)),
            `no problem matches ${pattern}:\n${problems.join("\n")}`,
        );
}

function stacksOf(entries: Record<string, [cloud: string, environment: string]>): Stacks {
    return new Map(Object.entries(entries).map(([stack, [cloud, environment]]) => [stack, { cloud, environment }]));
}

/** A small workflow with one job running pulumi/actions for `include` entries. */
function pulumiWorkflow(
    options: { command?: string; include?: string; extraJob?: string; steps?: string; withLines?: string } = {},
): string {
    return `
on: { pull_request: {} }
permissions: { id-token: write, contents: read, pull-requests: write }
jobs:
  run:
    environment: dev
    strategy: { matrix: { include: ${options.include ?? "[{ stack: dev, cloud: kubernetes }]"} } }
    steps:
      - uses: actions/setup-node@v7
        with: { node-version: 24, cache: npm }
      - run: npm ci
${
    options.steps ??
    `      - if: matrix.cloud == 'kubernetes'
        run: echo "KUBECONFIG=x" >> "$GITHUB_ENV"`
}
      - uses: pulumi/actions@v7
        with:
          command: ${options.command ?? "preview"}
          stack-name: \${{ matrix.stack }}
          cloud-url: \${{ vars[matrix.backend] }}
          upsert: true
${options.withLines ?? "          comment-on-pr: true\n          policyPacks: policy"}
        env: { PULUMI_CONFIG_PASSPHRASE: "\${{ secrets.PULUMI_CONFIG_PASSPHRASE }}" }
${options.extraJob ?? ""}`;
}

describe("CI/CD files", () => {
    describe("this repository", () => {
        let repo: Repo;
        before(() => {
            repo = loadRepo(ROOT);
        });
        const wf = (file: (typeof WORKFLOW_FILES)[number]) => repo.workflows[file];

        it("ships at least one stack file for the workflows to cover", () => {
            assert.ok(repo.stacks.size > 0, "no Pulumi.<stack>.yaml in the project root");
        });

        it("runs ci on pull requests and pushes to main, preview on pull requests, deploy on main only", () => {
            assertProblems([
                ...checkTriggers("ci.yml", wf("ci.yml"), { pullRequest: "required", pushMain: true }),
                ...checkTriggers("preview.yml", wf("preview.yml"), { pullRequest: "required", pushMain: false }),
                ...checkTriggers("deploy.yml", wf("deploy.yml"), { pullRequest: "forbidden", pushMain: true }),
            ]);
        });

        it("installs Node 24 with the npm cache before any npm command", () => {
            assertProblems(WORKFLOW_FILES.flatMap((file) => checkSetupNode(file, wf(file))));
        });

        it("uses one major version of pulumi/actions", () => {
            assertProblems(checkPulumiActionMajor(repo.workflowTexts));
        });

        it("previews with a PR comment and deploys with `up`, on the matrix stack, with backend and passphrase", () => {
            assertProblems([
                ...checkPulumiSteps("preview.yml", wf("preview.yml"), { command: "preview", commentOnPr: true }),
                ...checkPulumiSteps("deploy.yml", wf("deploy.yml"), { command: "up", commentOnPr: false }),
            ]);
        });

        it("plans every stack offline in ci and uploads the JSON plan", () => {
            assertProblems(checkCiPlan(wf("ci.yml"), repo.stacks));
        });

        it("previews every stack with its stack file's mlops:cloud", () => {
            assertProblems(checkPreviewMatrix(wf("preview.yml"), repo.stacks));
        });

        it("deploys every stack in exactly one job whose environment is its mlops:environment, prod after dev", () => {
            assertProblems([...checkDeployJobs(wf("deploy.yml"), repo.stacks), ...checkDeployFromMainOnly(wf("deploy.yml"))]);
        });

        it("logs in to each matrix cloud by OIDC (or a kubeconfig secret) before pulumi runs", () => {
            assertProblems([
                ...checkCredentialSteps("preview.yml", wf("preview.yml")),
                ...checkCredentialSteps("deploy.yml", wf("deploy.yml")),
            ]);
        });

        it("keeps ci read-only and gives preview and deploy an OIDC token", () => {
            assertProblems([
                ...checkReadOnly("ci.yml", wf("ci.yml")),
                ...checkPermissions("preview.yml", wf("preview.yml"), { "id-token": "write", contents: "read", "pull-requests": "write" }),
                ...checkPermissions("deploy.yml", wf("deploy.yml"), { "id-token": "write", contents: "read" }),
            ]);
        });

        it("cancels superseded ci and preview runs but never a running deploy", () => {
            assertProblems([
                ...checkConcurrency("ci.yml", wf("ci.yml"), true),
                ...checkConcurrency("preview.yml", wf("preview.yml"), true),
                ...checkConcurrency("deploy.yml", wf("deploy.yml"), false),
            ]);
        });

        it("reads no long-lived cloud keys", () => {
            assertProblems(WORKFLOW_FILES.flatMap((file) => findLongLivedKeys(file, repo.workflowTexts[file])));
        });

        it("builds the PR report fork-safely: pull_request, read-only, no secrets or OIDC, every stack, uploaded with the PR number", () => {
            assertProblems([
                ...checkTriggers("pr-report.yml", wf("pr-report.yml"), { pullRequest: "required", pushMain: false }),
                ...checkReportWorkflow(wf("pr-report.yml"), repo.workflowTexts["pr-report.yml"], repo.reportScript),
                ...checkConcurrency("pr-report.yml", wf("pr-report.yml"), true),
            ]);
            const syntax = spawnSync("bash", ["-n", path.join(ROOT, ".github", "scripts", "pr-report.sh")], { encoding: "utf8" });
            assert.equal(syntax.status, 0, syntax.stderr);
        });

        it("posts the report from workflow_run without checking out or running PR code, validating the PR number", () => {
            assertProblems(checkCommentWorkflow(wf("pr-comment.yml"), repo.workflowTexts["pr-comment.yml"]));
        });

        it("previews same-repository PRs only, in the preview environment, with preview identities; deploys with deploy identities", () => {
            assertProblems([...checkPreviewIdentities(wf("preview.yml")), ...checkDeployIdentities(wf("deploy.yml"))]);
        });

        it("gives every preview and deploy matrix stack its cloud's backend variable", () => {
            assertProblems([...checkBackends("preview.yml", wf("preview.yml")), ...checkBackends("deploy.yml", wf("deploy.yml"))]);
        });

        it("pins every action to a commit SHA with its version in a comment", () => {
            assertProblems(WORKFLOW_FILES.flatMap((file) => checkPinnedActions(file, repo.workflowTexts[file])));
        });

        it("has Dependabot for the actions and the three npm manifests, weekly, grouped", () => {
            assertProblems(checkDependabot(repo.dependabot));
            for (const dir of [".", "components", "policy"]) assert.ok(fs.existsSync(path.join(ROOT, dir, "package.json")), dir);
        });

        it(".ci/run installs node@24 into its cache, then runs npm ci and npm test", () => {
            const file = path.join(ROOT, ".ci", "run");
            assertProblems(checkCiRun(fs.readFileSync(file, "utf8"), fs.statSync(file).mode));
            const syntax = spawnSync("bash", ["-n", file], { encoding: "utf8" });
            assert.equal(syntax.status, 0, syntax.stderr);
        });

        it("puts no ${{ }} expression inside a run: script (values reach scripts through env)", () => {
            assertProblems(WORKFLOW_FILES.flatMap((file) => checkRunExpressions(file, wf(file))));
        });

        it("promotes through a pull request: dispatch inputs via env, contents and pull-requests write only, PROMOTION_TOKEN", () => {
            assertProblems(checkPromoteWorkflow(wf("promote.yml"), repo.workflowTexts["promote.yml"]));
        });

        it("has Makefile targets that call npm scripts package.json defines", () => {
            const scripts = JSON.parse(fs.readFileSync(path.join(ROOT, "package.json"), "utf8")).scripts as Record<string, string>;
            assertProblems(checkMakefile(fs.readFileSync(path.join(ROOT, "Makefile"), "utf8"), scripts));
        });
    });

    describe("stack files in a fixture directory", () => {
        let dir: string;
        beforeEach(() => {
            dir = fs.mkdtempSync(path.join(os.tmpdir(), "mlops-workflows-"));
        });
        afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

        function writeStack(stack: string, cloud: string, environment: string): void {
            fs.writeFileSync(
                path.join(dir, `Pulumi.${stack}.yaml`),
                `config:\n  mlops:cloud: ${cloud}\n  mlops:environment: ${environment}\n`,
            );
        }

        it("reads mlops:cloud and mlops:environment of every Pulumi.<stack>.yaml, not Pulumi.yaml", () => {
            fs.writeFileSync(path.join(dir, "Pulumi.yaml"), "name: mlops\n");
            writeStack("dev", "kubernetes", "dev");
            writeStack("aws-prod", "aws", "prod");
            assert.deepEqual(
                [...loadStacks(dir)],
                [
                    ["aws-prod", { cloud: "aws", environment: "prod" }],
                    ["dev", { cloud: "kubernetes", environment: "dev" }],
                ],
            );
        });

        /** Copies the shipped stack files into the fixture directory. */
        function copyShippedStacks(): void {
            for (const f of fs.readdirSync(ROOT).filter((f) => /^Pulumi\..+\.yaml$/.test(f)))
                fs.copyFileSync(path.join(ROOT, f), path.join(dir, f));
        }

        it("passes the repository's workflows against copies of the shipped stack files", () => {
            copyShippedStacks();
            assertProblems(checkRepo(loadRepo(ROOT, dir)));
        });

        it("fails when a stack appears that no workflow plans, previews or deploys", () => {
            copyShippedStacks();
            writeStack("qa-prod", "aws", "prod");
            assertProblems(
                checkRepo(loadRepo(ROOT, dir)),
                /ci\.yml plan: Pulumi\.qa-prod\.yaml is not in the matrix/,
                /preview\.yml: Pulumi\.qa-prod\.yaml is not in the matrix/,
                /deploy\.yml: Pulumi\.qa-prod\.yaml must be deployed by exactly one job, found none/,
            );
        });

        it("fails when a workflow names a stack that has no stack file", () => {
            copyShippedStacks();
            fs.unlinkSync(path.join(dir, "Pulumi.gcp-prod.yaml"));
            assertProblems(
                checkRepo(loadRepo(ROOT, dir)),
                /ci\.yml plan: matrix stack gcp-prod has no Pulumi\.gcp-prod\.yaml/,
                /preview\.yml.*gcp-prod/,
                /deploy\.yml.*gcp-prod/,
            );
        });
    });

    describe("the checks", () => {
        const stacks = stacksOf({ dev: ["kubernetes", "dev"], "aws-dev": ["aws", "dev"], "aws-prod": ["aws", "prod"] });

        it("fails when ci does not run on pushes to main", () => {
            const wf = parseWorkflow("on: { pull_request: {}, push: { branches: [develop] } }");
            assertProblems(checkTriggers("ci.yml", wf, { pullRequest: "required", pushMain: true }), /limited to branches: \[main\]/);
        });

        it("fails when preview does not run on pull requests", () => {
            assertProblems(
                checkTriggers("preview.yml", parseWorkflow("on: push"), { pullRequest: "required", pushMain: false }),
                /must run on pull_request/,
            );
        });

        it("fails when deploy runs on pull requests or on branches other than main", () => {
            const wf = parseWorkflow("on: { pull_request_target: {}, push: { branches: [main, 'feature/*'] } }");
            assertProblems(
                checkTriggers("deploy.yml", wf, { pullRequest: "forbidden", pushMain: true }),
                /must not run on pull_request_target/,
                /from main only/,
            );
        });

        it("fails when setup-node installs another Node or skips the npm cache", () => {
            const wf = parseWorkflow("jobs: { a: { steps: [ { uses: actions/setup-node@v7, with: { node-version: 20 } } ] } }");
            assertProblems(checkSetupNode("ci.yml", wf), /must install Node 24, got "20"/, /must set cache: npm/);
        });

        it("fails when a job runs npm before setting up Node", () => {
            const wf = parseWorkflow(
                "jobs: { a: { steps: [ { run: npm ci }, { uses: actions/setup-node@v7, with: { node-version: 24, cache: npm } } ] } }",
            );
            assertProblems(checkSetupNode("ci.yml", wf), /runs npm before actions\/setup-node/);
        });

        it("fails when workflows use different or unpinned majors of pulumi/actions", () => {
            const sha = "8e5e406f4007fca908480587cb9893c07090f58d";
            const v6 = pulumiWorkflow().replace("pulumi/actions@v7", `pulumi/actions@${sha} # v6.6.1`);
            const main = pulumiWorkflow().replace("pulumi/actions@v7", "pulumi/actions@main");
            assertProblems(
                checkPulumiActionMajor({ "preview.yml": pulumiWorkflow(), "deploy.yml": v6 }),
                /one major version everywhere, found v7 in preview\.yml; v6 in deploy\.yml/,
            );
            assertProblems(checkPulumiActionMajor({ "deploy.yml": main }), /pin pulumi\/actions to a major version/);
            assertProblems(
                checkPulumiActionMajor({ "deploy.yml": pulumiWorkflow().replace("pulumi/actions@v7", `pulumi/actions@${sha}`) }),
                /pin/,
            );
        });

        it("fails when preview does not comment on the pull request or runs another command", () => {
            const wf = parseWorkflow(pulumiWorkflow({ command: "up", withLines: "          diff: true\n          policyPacks: policy" }));
            assertProblems(
                checkPulumiSteps("preview.yml", wf, { command: "preview", commentOnPr: true }),
                /command: preview, got up/,
                /comment-on-pr: true/,
            );
        });

        it("fails when a pulumi step does not run the policy pack", () => {
            const wf = parseWorkflow(pulumiWorkflow({ withLines: "          comment-on-pr: true" }));
            assertProblems(
                checkPulumiSteps("preview.yml", wf, { command: "preview", commentOnPr: true }),
                /must run the policy pack \(policyPacks: policy\)/,
            );
        });

        it("fails when a pulumi step has no per-cloud backend URL, no upsert, no passphrase or no matrix stack name", () => {
            const wf = parseWorkflow(
                pulumiWorkflow()
                    .replace("cloud-url: ${{ vars[matrix.backend] }}", "cloud-url: ${{ vars.PULUMI_BACKEND_URL }}")
                    .replace("upsert: true", "diff: true")
                    .replace("${{ matrix.stack }}", "dev")
                    .replace("secrets.PULUMI_CONFIG_PASSPHRASE", "vars.PASSPHRASE"),
            );
            assertProblems(
                checkPulumiSteps("preview.yml", wf, { command: "preview", commentOnPr: true }),
                /stack-name must be/,
                /cloud-url must be \$\{\{ vars\[matrix\.backend\] \}\}/,
                /upsert: true/,
                /PULUMI_CONFIG_PASSPHRASE must come from secrets/,
            );
        });

        it("fails when a stack file is missing from the ci plan matrix or the plan is not JSON", () => {
            const wf = parseWorkflow(`
jobs:
  plan:
    strategy: { matrix: { stack: [dev, aws-dev] } }
    steps:
      - run: npm run --silent plan -- --stack x --format text
      - uses: actions/upload-artifact@v7`);
            assertProblems(checkCiPlan(wf, stacks), /Pulumi\.aws-prod\.yaml is not in the matrix/, /--format json/);
        });

        it("fails when the ci plan is not uploaded or its matrix is computed", () => {
            const wf = parseWorkflow(`
jobs:
  plan:
    strategy: { matrix: "\${{ fromJSON(needs.list.outputs.stacks) }}" }
    steps: [ { run: npm run plan -- --format json } ]`);
            assertProblems(checkCiPlan(wf, new Map()), /must list the stacks explicitly/, /actions\/upload-artifact/);
        });

        it("fails when a matrix stack has no stack file or a cloud other than its mlops:cloud", () => {
            const wf = parseWorkflow(
                pulumiWorkflow({
                    include:
                        "[{ stack: dev, cloud: aws }, { stack: aws-dev, cloud: aws }, { stack: aws-prod, cloud: aws }, { stack: gcp-dev, cloud: gcp }]",
                }),
            );
            assertProblems(
                checkPreviewMatrix(wf, stacks),
                /stack dev has cloud aws, Pulumi\.dev\.yaml has mlops:cloud kubernetes/,
                /stack gcp-dev has no Pulumi\.gcp-dev\.yaml/,
            );
        });

        it("fails when preview leaves a stack out", () => {
            const wf = parseWorkflow(pulumiWorkflow({ include: "[{ stack: dev, cloud: kubernetes }]" }));
            assertProblems(
                checkPreviewMatrix(wf, stacks),
                /Pulumi\.aws-dev\.yaml is not in the matrix/,
                /Pulumi\.aws-prod\.yaml is not in the matrix/,
            );
        });

        const deployJob = (name: string, environment: string, include: string, needs = "") => `
  ${name}:
    environment: ${environment}
    ${needs}
    strategy: { matrix: { include: ${include} } }
    steps: [ { uses: pulumi/actions@v7, with: { command: up } } ]`;

        it("fails when a stack is deployed by two jobs, or by none", () => {
            const wf = parseWorkflow(
                `jobs:${deployJob("a", "dev", "[{ stack: dev, cloud: kubernetes }, { stack: aws-dev, cloud: aws }]")}${deployJob("b", "dev", "[{ stack: aws-dev, cloud: aws }]")}`,
            );
            assertProblems(
                checkDeployJobs(wf, stacks),
                /aws-dev\.yaml must be deployed by exactly one job, found a, b/,
                /aws-prod\.yaml must be deployed by exactly one job, found none/,
            );
        });

        it("fails when a deploy job's environment is not its stacks' mlops:environment", () => {
            const wf = parseWorkflow(
                `jobs:${deployJob("dev", "dev", "[{ stack: dev, cloud: kubernetes }, { stack: aws-dev, cloud: aws }, { stack: aws-prod, cloud: aws }]")}`,
            );
            assertProblems(checkDeployJobs(wf, stacks), /environment dev deploys stack aws-prod, whose mlops:environment is prod/);
        });

        it("fails when a deploy job has no GitHub environment", () => {
            const wf = parseWorkflow(
                `jobs:${deployJob("dev", "dev", "[{ stack: dev, cloud: kubernetes }]")}`.replace("environment: dev", ""),
            );
            assertProblems(checkDeployJobs(wf, stacksOf({ dev: ["kubernetes", "dev"] })), /needs a GitHub environment/);
        });

        it("fails when the prod deploy job does not need the dev job", () => {
            const dev = deployJob("deploy-dev", "dev", "[{ stack: dev, cloud: kubernetes }, { stack: aws-dev, cloud: aws }]");
            const prod = (needs: string) => deployJob("deploy-prod", "{ name: prod }", "[{ stack: aws-prod, cloud: aws }]", needs);
            assertProblems(
                checkDeployJobs(parseWorkflow(`jobs:${dev}${prod("")}`), stacks),
                /deploy-prod: environment prod must run after deploy-dev/,
            );
            // needs through another job counts
            const gate = "\n  gate: { needs: deploy-dev, steps: [ { run: 'true' } ] }";
            assertProblems(checkDeployJobs(parseWorkflow(`jobs:${dev}${gate}${prod("needs: [gate]")}`), stacks));
        });

        it("fails when a manually started deploy job is not limited to main", () => {
            const wf = (condition: string) =>
                parseWorkflow(
                    `on: { push: { branches: [main] }, workflow_dispatch: {} }\njobs:${deployJob("deploy-dev", "dev", "[]")}${condition}`,
                );
            assertProblems(checkDeployFromMainOnly(wf("")), /deploy-dev: workflow_dispatch can run any branch/);
            assertProblems(checkDeployFromMainOnly(wf("\n    if: github.ref == 'refs/heads/main'")));
        });

        it("fails when a matrix cloud has no login step before pulumi runs", () => {
            const include = "[{ stack: dev, cloud: kubernetes }, { stack: aws-dev, cloud: aws }, { stack: azure-dev, cloud: azure }]";
            const afterPulumi =
                pulumiWorkflow({ include }).replace("        env: { PULUMI", "        env: { ARM_USE_OIDC: 'true', PULUMI") +
                `      - if: matrix.cloud == 'aws'\n        uses: aws-actions/configure-aws-credentials@v6\n        with: { role-to-assume: x }\n`;
            assertProblems(
                checkCredentialSteps("preview.yml", parseWorkflow(afterPulumi)),
                /aws stacks need a aws-actions\/configure-aws-credentials step/,
                /azure stacks need a azure\/login step/,
            );
        });

        it("fails when azure stacks get no ARM_USE_OIDC or a login step is not conditioned on its cloud", () => {
            const steps = `      - uses: azure/login@v3\n        with: { client-id: x }\n      - if: matrix.cloud == 'kubernetes'\n        run: echo KUBECONFIG`;
            const wf = parseWorkflow(
                pulumiWorkflow({ include: "[{ stack: dev, cloud: kubernetes }, { stack: azure-dev, cloud: azure }]", steps }),
            );
            assertProblems(
                checkCredentialSteps("preview.yml", wf),
                /azure stacks need a azure\/login step/,
                /azure stacks need ARM_USE_OIDC/,
            );
        });

        it("fails when preview or deploy cannot request an OIDC token", () => {
            const wf = parseWorkflow(
                "permissions: { contents: read }\njobs: { a: { steps: [] }, b: { permissions: { id-token: read }, steps: [] } }",
            );
            assertProblems(
                checkPermissions("deploy.yml", wf, { "id-token": "write" }),
                /a: needs permissions id-token: write, got none/,
                /b: needs permissions id-token: write, got read/,
            );
        });

        it("fails when ci has write permissions or none set", () => {
            assertProblems(
                checkReadOnly("ci.yml", parseWorkflow("permissions: write-all\njobs: { a: { steps: [] } }")),
                /explicit read-only permissions/,
            );
            assertProblems(
                checkReadOnly(
                    "ci.yml",
                    parseWorkflow("permissions: { contents: read }\njobs: { a: { permissions: { contents: write }, steps: [] } }"),
                ),
                /has write on contents/,
            );
        });

        it("fails when deploy cancels a running deploy or ci has no concurrency group", () => {
            assertProblems(
                checkConcurrency("deploy.yml", parseWorkflow("concurrency: { group: d, cancel-in-progress: true }"), false),
                /must not cancel a running deploy/,
            );
            assertProblems(checkConcurrency("ci.yml", parseWorkflow("jobs: {}"), true), /needs a workflow-level concurrency group/);
        });

        it("fails when a workflow reads a long-lived cloud key", () => {
            const text = [
                "# comments may say AWS_SECRET_ACCESS_KEY",
                "env:",
                "  AWS_SECRET_ACCESS_KEY: ${{ secrets.AWS_SECRET_ACCESS_KEY }}",
                "  ARM_CLIENT_SECRET: ${{ secrets.ARM_CLIENT_SECRET }}",
                "  GOOGLE_CREDENTIALS: ${{ secrets.GOOGLE_CREDENTIALS }}",
                "      - uses: azure/login@v3",
                "        with:",
                "          creds: ${{ secrets.AZURE }}",
            ].join("\n");
            assertProblems(
                findLongLivedKeys("deploy.yml", text),
                /AWS_SECRET_ACCESS_KEY/,
                /ARM_CLIENT_SECRET/,
                /GOOGLE_CREDENTIALS/,
                /creds/,
            );
        });

        const REPORT = `
on: { pull_request: {} }
permissions: { contents: read }
jobs:
  report:
    steps:
      - env: { PR_NUMBER: "\${{ github.event.pull_request.number }}" }
        run: echo "$PR_NUMBER" > out/pr-number
      - uses: actions/checkout@x
        with: { persist-credentials: false }
      - run: .github/scripts/pr-report.sh "$BASE" out
        env: { BASE: "\${{ github.event.pull_request.base.sha }}" }
      - uses: actions/upload-artifact@x
        if: \${{ !cancelled() }}
        with: { name: pr-report, path: out }
`;
        const SCRIPT =
            "npm run --silent plan -- --stack x\nnpm run --silent policy -- --stack x\nnpm run --silent diff -- --base b --all --format markdown\n";

        it("passes a fork-safe report workflow, and fails one with write rights, secrets, OIDC or pull_request_target", () => {
            assertProblems(checkReportWorkflow(parseWorkflow(REPORT), REPORT, SCRIPT));
            const bad = REPORT.replace("on: { pull_request: {} }", "on: { pull_request: {}, pull_request_target: {} }")
                .replace("permissions: { contents: read }", "permissions: { contents: read, pull-requests: write, id-token: write }")
                .replace("BASE: ", 'TOKEN: "${{ secrets.PULUMI_CONFIG_PASSPHRASE }}", BASE: ');
            assertProblems(
                checkReportWorkflow(parseWorkflow(bad), bad, SCRIPT),
                /not pull_request_target/,
                /must not read secrets/,
                /has write on pull-requests/,
                /must not get an OIDC token/,
            );
        });

        it("fails a report that skips the diff, a stack check, the PR number or the upload on failure", () => {
            const bad = REPORT.replace("github.event.pull_request.number", "github.run_id")
                .replace("if: ${{ !cancelled() }}", "if: success()")
                .replace("persist-credentials: false", "fetch-depth: 0");
            assertProblems(
                checkReportWorkflow(parseWorkflow(bad), bad, "npm run --silent plan -- --stack x\n"),
                /persist-credentials: false/,
                /npm run --silent diff -- --base/,
                /policy pack/,
                /record the PR number/,
                /upload must run when the job fails/,
            );
        });

        const COMMENT = `
on: { workflow_run: { workflows: [pr-report], types: [completed] } }
permissions: { actions: read, pull-requests: write }
jobs:
  comment:
    if: github.event.workflow_run.event == 'pull_request'
    steps:
      - uses: actions/download-artifact@x
        with: { name: pr-report, run-id: "\${{ github.event.workflow_run.id }}" }
      - uses: actions/github-script@x
        with:
          script: |
            if (!/^[0-9]{1,10}$/.test(raw)) return;
            const listed = run.pull_requests.map((pr) => pr.number);
            if (pr.head.sha !== run.head_sha) return;
`;

        it("passes a safe comment workflow, and fails one that checks out or runs the PR's code", () => {
            assertProblems(checkCommentWorkflow(parseWorkflow(COMMENT), COMMENT));
            const bad = COMMENT.replace(
                "    steps:\n",
                '    steps:\n      - uses: actions/checkout@x\n        with: { ref: "${{ github.event.workflow_run.head_sha }}" }\n      - run: npm ci && npm run build\n',
            );
            assertProblems(checkCommentWorkflow(parseWorkflow(bad), bad), /must not check out code/, /no run: step/);
        });

        it("fails a comment workflow that trusts the artifact's PR number or has more rights than it needs", () => {
            const bad = COMMENT.replace("if (!/^[0-9]{1,10}$/.test(raw)) return;", "const n = Number(raw);")
                .replace("run.pull_requests", "[]")
                .replace("run.head_sha", "sha")
                .replace(
                    "{ actions: read, pull-requests: write }",
                    "{ actions: read, pull-requests: write, contents: write, id-token: write }",
                )
                .replace("if: github.event.workflow_run.event == 'pull_request'", "if: true")
                .replace("on: { workflow_run:", "on: { pull_request_target: {}, workflow_run:");
            assertProblems(
                checkCommentWorkflow(parseWorkflow(bad), bad),
                /workflow_run only, not pull_request_target/,
                /must not have write on contents/,
                /must not get an OIDC token/,
                /only for pull_request runs/,
                /digits only/,
                /run's pull_requests/,
                /head is the commit/,
            );
        });

        const PROMOTE = `
on:
  workflow_dispatch:
    inputs:
      stack: { required: true, type: string }
      model: { required: true, type: string }
      version: { required: true, type: string }
permissions: { contents: write, pull-requests: write }
concurrency: { group: "promote-\${{ inputs.stack }}-\${{ inputs.model }}", cancel-in-progress: false }
jobs:
  promote:
    steps:
      - uses: actions/checkout@x
        with: { persist-credentials: false }
      - env: { STACK: "\${{ inputs.stack }}", MODEL: "\${{ inputs.model }}", VERSION: "\${{ inputs.version }}" }
        run: node scripts/promote.ts --stack "$STACK" --model "$MODEL" --version "$VERSION"
      - env:
          STACK: "\${{ inputs.stack }}"
          GH_TOKEN: "\${{ secrets.PROMOTION_TOKEN || github.token }}"
        run: |
          git switch -c "promote/$STACK/$MODEL/$version"
          gh pr create --title "Promote $MODEL $version on $STACK" --body-file body.md
`;

        it("passes a promotion workflow that gets its inputs through env and opens the PR with PROMOTION_TOKEN", () => {
            assertProblems(checkPromoteWorkflow(parseWorkflow(PROMOTE), PROMOTE));
            assertProblems(checkRunExpressions("promote.yml", parseWorkflow(PROMOTE)));
        });

        it("fails a promotion workflow that pastes an input into run:, or has another trigger, scope or secret", () => {
            const bad = PROMOTE.replace('--version "$VERSION"', "--version ${{ inputs.version }}")
                .replace("  workflow_dispatch:\n", "  push: { branches: [main] }\n  workflow_dispatch:\n")
                .replace("version: { required: true, type: string }", "version: { required: false, type: string }")
                .replace("{ contents: write, pull-requests: write }", "{ contents: write, pull-requests: write, id-token: write }")
                .replace("persist-credentials: false", "fetch-depth: 0")
                .replace("secrets.PROMOTION_TOKEN || github.token", "secrets.PULUMI_CONFIG_PASSPHRASE");
            const wf = parseWorkflow(bad);
            assertProblems(
                [...checkPromoteWorkflow(wf, bad), ...checkRunExpressions("promote.yml", wf)],
                /on workflow_dispatch only, not push/,
                /input version must be required: true/,
                /permissions must be exactly contents: write, pull-requests: write/,
                /persist-credentials: false/,
                /must get --version "\$VAR"/,
                /must use secrets\.PROMOTION_TOKEN/,
                /must read no secret but PROMOTION_TOKEN/,
                /puts a \$\{\{ \}\} expression in its run: script/,
            );
        });

        it("fails a promotion workflow that deploys, skips the PR, or lets a second run cancel the first", () => {
            const bad = PROMOTE.replace("cancel-in-progress: false", "cancel-in-progress: true")
                .replace('gh pr create --title "Promote $MODEL $version on $STACK" --body-file body.md', "pulumi up --yes")
                .replace("node scripts/promote.ts", "node scripts/other.ts");
            assertProblems(
                checkPromoteWorkflow(parseWorkflow(bad), bad),
                /must not cancel a running promotion/,
                /must not run pulumi/,
                /must run scripts\/promote\.ts/,
                /must open the pull request with gh pr create/,
            );
        });

        const PREVIEW = `
jobs:
  preview:
    if: github.event.pull_request.head.repo.full_name == github.repository
    environment: preview
    strategy: { matrix: { include: [{ stack: aws-dev, cloud: aws, backend: PULUMI_BACKEND_URL_AWS }, { stack: dev, cloud: kubernetes, backend: PULUMI_BACKEND_URL_KUBERNETES }] } }
    steps:
      - uses: aws-actions/configure-aws-credentials@x
        with: { role-to-assume: "\${{ vars.AWS_PREVIEW_ROLE_ARN }}" }
      - env: { KUBECONFIG_B64: "\${{ secrets[format('KUBECONFIG_PREVIEW_{0}', matrix.stack)] }}" }
        run: echo KUBECONFIG
      - uses: pulumi/actions@x
        env: { ARM_CLIENT_ID: "\${{ vars.AZURE_PREVIEW_CLIENT_ID }}" }
`;

        it("passes previews with preview identities, and fails fork PRs, no environment or deploy identities", () => {
            assertProblems(checkPreviewIdentities(parseWorkflow(PREVIEW)));
            const bad = PREVIEW.replace("    if: github.event.pull_request.head.repo.full_name == github.repository\n", "")
                .replace("environment: preview", "environment: dev")
                .replace("AWS_PREVIEW_ROLE_ARN", "AWS_ROLE_ARN")
                .replace("KUBECONFIG_PREVIEW_{0}", "KUBECONFIG_{0}")
                .replace("AZURE_PREVIEW_CLIENT_ID", "AZURE_CLIENT_ID");
            assertProblems(
                checkPreviewIdentities(parseWorkflow(bad)),
                /same-repository PRs only/,
                /preview environment, got dev/,
                /deploy identity \(vars\\.AWS_ROLE_ARN/,
                /deploy identity \(vars\\.AZURE_CLIENT_ID/,
                /deploy identity \('KUBECONFIG_/,
                /aws login must use role-to-assume: \$\{\{ vars\.AWS_PREVIEW_ROLE_ARN \}\}/,
                /ARM_CLIENT_ID must be the preview identity/,
                /preview kubeconfig/,
            );
            assertProblems(checkDeployIdentities(parseWorkflow(PREVIEW)), /preview: uses a preview identity/);
        });

        it("fails when a matrix stack has no backend variable, or another cloud's", () => {
            const bad = PREVIEW.replace("backend: PULUMI_BACKEND_URL_AWS", "backend: PULUMI_BACKEND_URL_GCP").replace(
                ", backend: PULUMI_BACKEND_URL_KUBERNETES",
                "",
            );
            assertProblems(
                checkBackends("preview.yml", parseWorkflow(bad)),
                /aws-dev must have backend: PULUMI_BACKEND_URL_AWS, got PULUMI_BACKEND_URL_GCP/,
                /dev must have backend: PULUMI_BACKEND_URL_KUBERNETES, got undefined/,
            );
        });

        it("fails an action on a tag, a short SHA or a SHA without its version comment", () => {
            const sha = "3d3c42e5aac5ba805825da76410c181273ba90b1";
            const text = [
                `      - uses: actions/checkout@${sha} # v7.0.1`,
                "      - uses: ./local-action",
                "      - uses: actions/setup-node@v7",
                "      - uses: actions/upload-artifact@bbbca2d # v7.0.0",
                `        uses: pulumi/actions@${sha}`,
                "    # uses: commented/out@v1",
            ].join("\n");
            assertProblems(
                checkPinnedActions("ci.yml", text),
                /setup-node@v7 must be pinned/,
                /upload-artifact@bbbca2d must be pinned/,
                /pulumi\/actions@3d3c.* needs its version in a comment/,
            );
        });

        it("fails Dependabot without actions, without a workspace manifest, not weekly or ungrouped", () => {
            const text = `
version: 2
updates:
  - package-ecosystem: npm
    directories: [/, /components]
    schedule: { interval: daily }
`;
            assertProblems(
                checkDependabot(text),
                /must update github-actions/,
                /npm updates must cover \/policy/,
                /npm: schedule\.interval must be weekly/,
                /npm: must group/,
            );
        });

        const ciRun =
            '#!/usr/bin/env bash\nset -euo pipefail\nNODE_VERSION=24.21.0\nnpm install --no-save --prefix .ci/.cache/node "node@$NODE_VERSION"\nnpm ci\nnpm test\n';

        it("fails when .ci/run pins another Node major, skips npm test or is not executable", () => {
            assertProblems(checkCiRun(ciRun, 0o755));
            assertProblems(checkCiRun(ciRun.replace("24.21.0", "22.12.0"), 0o755), /node@24\.x\.y package, found 22\.12\.0/);
            assertProblems(checkCiRun(ciRun.replace("npm test\n", "npm run unit\n"), 0o644), /must be executable/, /must run `npm test`/);
        });

        it("fails when .ci/run is not strict or installs before testing in the wrong order", () => {
            assertProblems(
                checkCiRun(ciRun.replace("set -euo pipefail\n", "").replace("npm ci\nnpm test", "npm test\nnpm ci"), 0o755),
                /set -euo pipefail/,
                /`npm ci` before `npm test`/,
            );
        });

        const scripts = { lint: "eslint .", test: "npm run lint", plan: "node plan", bench: "node bench", unit: "mocha" };
        const makefile = [
            ".PHONY: help install lint test plan bench",
            "help:",
            "\t@echo targets",
            "install:",
            "\tnpm ci",
            "lint:",
            "\tnpm run lint",
            "test:",
            "\tnpm test",
            "plan:",
            "\tnpm run --silent plan -- --stack $(STACK) --format $(FORMAT)",
            "bench:",
            "\tnpm run --silent bench",
        ].join("\n");

        it("fails when a Makefile target is missing, not phony or not the default", () => {
            assertProblems(checkMakefile(makefile, scripts));
            const broken = makefile
                .replace(".PHONY: help install lint test plan bench", ".PHONY: help install lint test plan")
                .replace("help:\n\t@echo targets\n", "")
                .concat("\nhelp:\n\t@echo targets");
            assertProblems(
                checkMakefile(broken.replace("bench:\n\tnpm run --silent bench", ""), scripts),
                /help must be the default target, got install/,
                /missing target bench/,
                /bench must be \.PHONY/,
            );
        });

        it("fails when a Makefile target calls an npm script package.json does not define", () => {
            const withoutBench = Object.fromEntries(Object.entries(scripts).filter(([name]) => name !== "bench"));
            assertProblems(
                checkMakefile(makefile.replace("npm run --silent plan --", "npm run --silent plan:offline --"), withoutBench),
                /plan must run/,
                /plan runs npm script plan:offline/,
                /bench runs npm script bench/,
            );
        });
    });
});
