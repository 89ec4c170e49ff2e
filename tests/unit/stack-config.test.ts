import * as assert from "node:assert/strict";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { SECRET_FIXTURE, StackConfigError, listStacks, loadStackConfig } from "../../stacks/plan/stack-config";

function project(files: Record<string, string>): string {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "mlops-config-"));
    for (const [name, content] of Object.entries(files)) fs.writeFileSync(path.join(dir, name), content);
    return dir;
}

const PULUMI_YAML = `name: mlops
runtime: nodejs
config:
  cloud:
    type: string
    default: kubernetes
    description: where
  environment:
    type: string
    default: dev
  replicas:
    type: integer
    description: no default
  aws:region: us-east-1
  gcp:project:
    value: my-project
`;

describe("stack config loader (what the CLI hands the program)", () => {
    it("applies Pulumi.yaml defaults, namespaces keys and lets the stack file override", () => {
        const dir = project({
            "Pulumi.yaml": PULUMI_YAML,
            "Pulumi.dev.yaml": "config:\n  mlops:environment: prod\n  aws:region: eu-west-1\n",
        });
        const loaded = loadStackConfig(dir, "dev");
        assert.deepEqual(loaded.config, {
            "mlops:cloud": "kubernetes",
            "mlops:environment": "prod",
            "aws:region": "eu-west-1",
            "gcp:project": "my-project",
        });
        assert.equal(loaded.project, "mlops");
        assert.deepEqual(loaded.secretKeys, []);
    });

    it("passes structured values as JSON with their types kept", () => {
        const dir = project({
            "Pulumi.yaml": PULUMI_YAML,
            "Pulumi.s.yaml":
                "config:\n  mlops:models:\n    - name: a\n      port: 8080\n      on: true\n  mlops:dataLake: { zones: [raw, models] }\n",
        });
        const { config } = loadStackConfig(dir, "s");
        assert.deepEqual(JSON.parse(config["mlops:models"]), [{ name: "a", port: 8080, on: true }]);
        assert.equal(config["mlops:dataLake"], '{"zones":["raw","models"]}');
    });

    it("replaces secure values, top-level and nested, with a fixture and reports the secret keys", () => {
        const dir = project({
            "Pulumi.yaml": PULUMI_YAML,
            "Pulumi.s.yaml":
                "config:\n  mlops:token:\n    secure: v1:abc\n  mlops:db:\n    password:\n      secure: v1:def\n    user: admin\n",
        });
        const loaded = loadStackConfig(dir, "s");
        assert.equal(loaded.config["mlops:token"], SECRET_FIXTURE);
        assert.deepEqual(JSON.parse(loaded.config["mlops:db"]), { password: SECRET_FIXTURE, user: "admin" });
        assert.deepEqual(loaded.secretKeys.sort(), ["mlops:db", "mlops:token"]);
    });

    it("fails when a value has a type other than the one Pulumi.yaml declares", () => {
        const dir = project({ "Pulumi.yaml": PULUMI_YAML, "Pulumi.s.yaml": "config:\n  mlops:replicas: three\n" });
        assert.throws(
            () => loadStackConfig(dir, "s"),
            (e: Error) => e instanceof StackConfigError && e.message.includes("mlops:replicas: Pulumi.yaml declares type integer"),
        );
    });

    it("fails when the stack file does not exist, listing the stacks there", () => {
        const dir = project({ "Pulumi.yaml": PULUMI_YAML, "Pulumi.dev.yaml": "config: {}\n", "Pulumi.prod.yaml": "config: {}\n" });
        assert.deepEqual(listStacks(dir), ["dev", "prod"]);
        assert.throws(() => loadStackConfig(dir, "qa"), /no stack file Pulumi\.qa\.yaml .*stacks here: dev, prod/);
    });

    it("reads the shipped project and dev stack", () => {
        const root = path.resolve(__dirname, "..", "..");
        const loaded = loadStackConfig(root, "dev");
        assert.equal(loaded.config["mlops:cloud"], "kubernetes");
        assert.equal(loaded.config["mlops:environment"], "dev");
        assert.equal(JSON.parse(loaded.config["mlops:models"])[0].name, "iris");
    });
});
