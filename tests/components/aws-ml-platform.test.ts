import * as assert from "node:assert/strict";
import { SageMakerPlatform, SageMakerPlatformArgs } from "../../components/ml-platform/aws";
import { ValidationError } from "../../components/shared/problems";
import { capture } from "../../stacks/plan/capture";
import { CapturedResource, ofType, only } from "../harness";

const KEY = "arn:aws:kms:eu-west-1:123456789012:key/k";
const base: SageMakerPlatformArgs = {
    namePrefix: "mlops-test",
    models: ["iris", "churn"],
    artifactBucket: "lake-models",
    artifactBucketArn: "arn:aws:s3:::lake-models",
    lakeBucketArns: ["arn:aws:s3:::lake-raw", "arn:aws:s3:::lake-models"],
    kmsKeyArn: KEY,
    repositoryArns: ["arn:aws:ecr:eu-west-1:123456789012:repository/mlops-test/iris"],
    vpcId: "vpc-1",
    subnetIds: ["subnet-a", "subnet-b"],
    protectData: false,
};

async function build(args: SageMakerPlatformArgs) {
    return capture({ project: "mlops", stack: "test", config: { "aws:region": "eu-west-1" } }, () => {
        const p = new SageMakerPlatform("ml", args);
        return {
            trackingUri: p.trackingUri,
            modelRegistry: p.modelRegistry,
            training: p.trainingDefaults,
            groups: p.modelPackageGroupArns,
        };
    });
}

const statements = (r: CapturedResource) => JSON.parse(r.inputs.policy).Statement as any[];

describe("SageMakerPlatform", () => {
    let resources: CapturedResource[];
    let outputs: any;
    before(async () => ({ resources, outputs } = await build(base)));

    it("runs Studio VPC-only in the private subnets, encrypted with the platform key, as the execution role", () => {
        const domain = only(resources, "aws:sagemaker/domain:Domain").inputs;
        assert.deepEqual(
            [domain.domainName, domain.authMode, domain.appNetworkAccessType, domain.kmsKeyId, domain.vpcId],
            ["mlops-test", "IAM", "VpcOnly", KEY, "vpc-1"],
        );
        assert.deepEqual(domain.subnetIds, ["subnet-a", "subnet-b"]);
        assert.match(domain.defaultUserSettings.executionRole, /^arn:aws:iam::123456789012:role\/ml-execution-[0-9a-f]{7}$/);
        assert.deepEqual(domain.defaultUserSettings.securityGroups, ["ml-studio-sg-id"]);
        assert.deepEqual(domain.retentionPolicy, { homeEfsFileSystem: "Delete" });
        assert.match(outputs.trackingUri, /^https:\/\/d-[0-9a-f]+\.studio\.eu-west-1\.sagemaker\.aws$/);
    });

    it("opens only NFS and app ports within the domain's own security group, and HTTPS out", () => {
        const rules = [
            ...ofType(resources, "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule"),
            ...ofType(resources, "aws:vpc/securityGroupEgressRule:SecurityGroupEgressRule"),
        ];
        const sg = "ml-studio-sg-id";
        assert.deepEqual(
            rules.map((r) => [r.name, r.inputs.fromPort, r.inputs.toPort, r.inputs.referencedSecurityGroupId ?? r.inputs.cidrIpv4]).sort(),
            [
                ["ml-studio-apps-in", 8192, 65535, sg],
                ["ml-studio-apps-out", 8192, 65535, sg],
                ["ml-studio-https-out", 443, 443, "0.0.0.0/0"],
                ["ml-studio-nfs-in", 2049, 2049, sg],
                ["ml-studio-nfs-out", 2049, 2049, sg],
            ].sort(),
        );
    });

    it("creates one model package group per model as the registry", () => {
        const groups = ofType(resources, "aws:sagemaker/modelPackageGroup:ModelPackageGroup");
        assert.deepEqual(groups.map((g) => g.inputs.modelPackageGroupName).sort(), ["mlops-test-churn", "mlops-test-iris"]);
        assert.equal(outputs.modelRegistry, "arn:aws:sagemaker:eu-west-1:123456789012:model-package-group/");
        assert.equal(outputs.groups.iris, "arn:aws:sagemaker:eu-west-1:123456789012:model-package-group/mlops-test-iris");
    });

    it("grants the execution role only the platform's resources: no managed policy, no wildcard action", () => {
        const role = only(resources, "aws:iam/role:Role").inputs;
        assert.equal(role.managedPolicyArns, undefined);
        const policy = statements(only(resources, "aws:iam/rolePolicy:RolePolicy", "ml-execution-policy"));
        for (const s of [...policy, ...statements(only(resources, "aws:iam/rolePolicy:RolePolicy", "ml-studio-policy"))]) {
            for (const action of [s.Action].flat()) assert.ok(action !== "*" && !action.endsWith(":*"), `${s.Sid}: ${action}`);
        }
        const bySid = Object.fromEntries(policy.map((s) => [s.Sid, s]));
        assert.deepEqual(bySid.ReadLake.Resource, ["arn:aws:s3:::lake-raw/*", "arn:aws:s3:::lake-models/*"]);
        assert.equal(bySid.WriteModelArtifacts.Resource, "arn:aws:s3:::lake-models/*", "writes go to the models zone only");
        assert.deepEqual(bySid.PullOwnImages.Resource, base.repositoryArns);
        assert.equal(bySid.UsePlatformKey.Resource, KEY);
        assert.deepEqual(bySid.GrantKeyToSageMakerVolumes.Condition, { Bool: { "kms:GrantIsForAWSResource": true } });
        assert.deepEqual(bySid.PassOwnRoleToJobs.Condition, { StringEquals: { "iam:PassedToService": "sagemaker.amazonaws.com" } });
        assert.deepEqual(bySid.RegisterModels.Resource.sort(), [
            "arn:aws:sagemaker:eu-west-1:123456789012:model-package-group/mlops-test-churn",
            "arn:aws:sagemaker:eu-west-1:123456789012:model-package-group/mlops-test-iris",
            "arn:aws:sagemaker:eu-west-1:123456789012:model-package/mlops-test-churn/*",
            "arn:aws:sagemaker:eu-west-1:123456789012:model-package/mlops-test-iris/*",
        ]);
        const studio = statements(only(resources, "aws:iam/rolePolicy:RolePolicy", "ml-studio-policy"));
        assert.ok(
            studio[0].Resource.every((r: string) => r.includes(":domain/ml-studio-id") || r.includes("/ml-studio-id")),
            "Studio rights are limited to this domain",
        );
    });

    it("resolves CPU training to the default instance type", () => {
        assert.deepEqual(outputs.training, { accelerator: "none", acceleratorCount: 0, compute: "ml.m5.xlarge", maxNodes: 1, spot: true });
    });

    it("resolves training accelerators from the catalog (sagemaker-training)", async () => {
        const { outputs: gpu } = await build({
            ...base,
            training: { accelerator: { type: "nvidia-a10g", count: 4 }, maxNodes: 3, spot: false },
        });
        assert.deepEqual(gpu.training, {
            accelerator: "nvidia-a10g",
            acceleratorCount: 4,
            compute: "ml.g5.12xlarge",
            maxNodes: 3,
            spot: false,
        });
        const { outputs: trn } = await build({ ...base, training: { accelerator: { type: "aws-trainium", count: 16 } } });
        assert.equal((trn as any).training.compute, "ml.trn1.32xlarge");
    });

    it("protects and retains the registry and Studio in prod", async () => {
        const { resources: prod } = await build({ ...base, protectData: true });
        for (const r of [...ofType(prod, "aws:sagemaker/modelPackageGroup:ModelPackageGroup"), only(prod, "aws:sagemaker/domain:Domain")]) {
            assert.deepEqual(r.options, { protect: true, retainOnDelete: true }, r.name);
        }
        assert.deepEqual(only(prod, "aws:sagemaker/domain:Domain").inputs.retentionPolicy, { homeEfsFileSystem: "Retain" });
    });

    it("leaves Studio out when asked, pointing the tracking URI at the console", async () => {
        const { resources: bare, outputs: o } = await build({ ...base, studio: false });
        assert.equal(ofType(bare, "aws:sagemaker/domain:Domain").length, 0);
        assert.equal(ofType(bare, "aws:ec2/securityGroup:SecurityGroup").length, 0);
        assert.equal(o.trackingUri, "https://eu-west-1.console.aws.amazon.com/sagemaker/home?region=eu-west-1");
    });

    it("fails when training asks for an accelerator SageMaker training does not offer, with the catalog's message under the arg path", async () => {
        let error: unknown;
        const result = await capture({ project: "mlops", stack: "test", config: {} }, () => {
            try {
                new SageMakerPlatform("ml", {
                    ...base,
                    namePrefix: "",
                    models: ["Iris", "churn", "churn"],
                    cpuTrainingInstanceType: "m5.large",
                    training: { accelerator: { type: "aws-inferentia2", count: 1 }, maxNodes: 0 },
                });
            } catch (e) {
                error = e;
            }
        });
        assert.ok(error instanceof ValidationError);
        for (const p of [
            /^SageMakerPlatform "ml" is invalid \(6 problems\)/,
            /namePrefix: must be 1-40/,
            /models\[0\]: is not a valid model name/,
            /models\[2\]: is listed twice/,
            /training\.maxNodes: must be a whole number of at least 1/,
            /cpuTrainingInstanceType: is not a SageMaker instance type/,
            /training\.accelerator: aws\/sagemaker-training aws-inferentia2: aws-inferentia2 is not offered on aws\/sagemaker-training/,
        ]) {
            assert.match(error.message, p);
        }
        assert.deepEqual(
            result.resources.filter((r) => r.type !== "pulumi:pulumi:Stack"),
            [],
        );
    });
});
