/**
 * `mlops:models[].training` on Azure: the args of the Azure ML training pipelines component from the parsed
 * config (the build in stacks/clouds/azure.ts passes exactly these), and the whole-stack check that runs its
 * validator before anything is created, each problem at the key the user wrote
 * (`mlops:models[0].training.env.MLOPS_TRIGGER`). Pure: no SDK. Documented in docs/azure.md,
 * "Training, promotion and drift".
 */
import type * as pulumi from "@pulumi/pulumi";
import { DeliverySpec } from "@mlops/components";
import {
    AzureMlTrainingPipelinesArgs,
    LAKE_DATASTORE_NAME,
    validateAzureMlTrainingPipelines,
    zoneContainerName,
} from "@mlops/components/azure-args";
import { ProblemDetail, atKeys } from "@mlops/components";
import { AT_DEPLOY, AzureDeployment, PLACEHOLDER_DEPLOYMENT, azureStackArgs } from "./azure";
import type { StackConfig } from "./schema";
import { trainingSpecs } from "./training";

/** What the stack built gives the training pipelines (Outputs in the build, placeholders in the check). */
export interface AzureTrainingDeployment {
    readonly lake: {
        readonly accountName: pulumi.Input<string>;
        readonly containerIds: Readonly<Record<string, pulumi.Input<string>>>;
        readonly blobEventsTopic?: { readonly name: pulumi.Input<string> };
    };
    readonly workspace: { readonly name: pulumi.Input<string>; readonly id: pulumi.Input<string> };
    /** The data pipelines' jobs environment, when the stack has pipeline jobs. */
    readonly jobsEnvironmentId?: pulumi.Input<string>;
    /** The jobs subnet (private network or pipelines network), for a drift environment of the component's own. */
    readonly jobsSubnetId?: pulumi.Input<string>;
}

/** The training pipelines' args; undefined when no model has `training`. */
export function azureTrainingArgs(
    cfg: StackConfig,
    d: AzureDeployment,
    built: AzureTrainingDeployment,
    delivery?: DeliverySpec,
): AzureMlTrainingPipelinesArgs | undefined {
    const trainings = trainingSpecs(cfg);
    if (trainings.length === 0) return undefined;
    const base = azureStackArgs(cfg);
    const az = cfg.azure!;
    return {
        resourceGroupName: d.resourceGroupName,
        location: base.location,
        namePrefix: base.prefix,
        nameSuffix: d.nameSuffix,
        subscriptionId: d.subscriptionId,
        logAnalyticsWorkspaceId: d.logAnalyticsWorkspaceId,
        tags: base.tags,
        protectData: cfg.protectData,
        trainings,
        delivery,
        workspace: {
            name: built.workspace.name,
            id: built.workspace.id,
            modelsDatastore: LAKE_DATASTORE_NAME,
            managedNetwork: az.mlPlatform.privateNetwork,
        },
        lake: {
            accountName: built.lake.accountName,
            containerNames: Object.fromEntries(cfg.dataLake.zones.map((z) => [z, zoneContainerName(z)])),
            containerIds: built.lake.containerIds,
            blobEventsTopic: built.lake.blobEventsTopic,
        },
        cpuVmSize: az.mlPlatform.cpuVmSize,
        driftEnvironmentId: built.jobsEnvironmentId,
        driftSubnetId: built.jobsEnvironmentId === undefined ? built.jobsSubnetId : undefined,
        actionGroupId: d.actionGroupId,
    };
}

/** Problems the cloud-neutral training parser (stacks/config/training.ts) reports in its own words: left out here. */
const CHECKED_BY_TRAINING_PARSER =
    /^trainings\[\d+\](\.(model|image|command|schedule|threshold|timeoutMinutes|automl|output|dataset|drift\.schedule|drift\.command|accelerator))?$/;

/** Whole-stack check of the Azure training pipelines: the component's validator on the build's args, and what only Azure refuses. */
export function checkAzureTraining(cfg: StackConfig): ProblemDetail[] {
    if (!cfg.azure) return [];
    const ns = `${cfg.project}:`;
    const problems: ProblemDetail[] = [];
    const modelIndex = new Map(cfg.models.map((m, i) => [m.name, i]));
    const trainings = trainingSpecs(cfg);
    const keys: Record<string, string> = {
        cpuVmSize: `${ns}mlPlatform.azure.cpuVmSize`,
        delivery: `${ns}delivery`,
    };
    trainings.forEach((t, i) => {
        keys[`trainings[${i}]`] = `${ns}models[${modelIndex.get(t.model)}].training`;
    });
    const args = azureTrainingArgs(
        cfg,
        PLACEHOLDER_DEPLOYMENT,
        {
            lake: {
                accountName: AT_DEPLOY,
                containerIds: Object.fromEntries(cfg.dataLake.zones.map((z) => [z, AT_DEPLOY])),
                blobEventsTopic: { name: AT_DEPLOY },
            },
            workspace: { name: AT_DEPLOY, id: AT_DEPLOY },
        },
        cfg.delivery ? { ...cfg.delivery, stack: cfg.stack, token: AT_DEPLOY } : undefined,
    );
    if (args)
        problems.push(
            ...atKeys(
                validateAzureMlTrainingPipelines(args).filter((p) => !CHECKED_BY_TRAINING_PARSER.test(p.path)),
                keys,
                `${ns}models`,
            ),
        );

    // Served versions and input capture are wired on the Container Apps serving implementations only.
    const containerApps = (target: "containerService" | "serverlessInference") =>
        target === "containerService" || cfg.serverlessInference.implementation === "container-apps";
    cfg.models.forEach((m, i) => {
        const elsewhere = m.serveWith.filter((s) => !containerApps(s));
        if (elsewhere.length === 0) return;
        const implementation = cfg.serverlessInference.implementation;
        if (m.servedVersion !== undefined)
            problems.push({
                path: `${ns}models[${i}].servedVersion`,
                value: m.servedVersion,
                message: `is not delivered to serverlessInference implementation ${implementation} on Azure: only Container Apps serving loads a served version (MLOPS_MODEL_URI)`,
                fix: "serve the model with container-apps (mlops:serverlessInference.implementation: container-apps), or serve it only with containerService",
            });
        if (m.training?.drift !== undefined)
            problems.push({
                path: `${ns}models[${i}].training.drift`,
                value: "(set)",
                message: `needs the model's scored inputs, and serverlessInference implementation ${implementation} on Azure captures none (only Container Apps serving gets MLOPS_CAPTURE_URI)`,
                fix: "serve the model with container-apps, or remove drift",
            });
    });
    return problems;
}
