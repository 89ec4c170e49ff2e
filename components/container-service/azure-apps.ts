/**
 * Pure pieces of serving on Azure Container Apps: model validation (shared by the Functions and Azure ML
 * endpoint implementations), the workload profile and size each model gets from the accelerator catalog,
 * and the container app template (probes, scale rule, model files as a secret volume). No SDK is loaded.
 *
 * Sizes: the Consumption profile gives a replica 0.25-4 vCPU with 2 GiB per vCPU; the GPU profiles give
 * one GPU per replica (https://learn.microsoft.com/azure/container-apps/workload-profiles-overview).
 */
import { resolveAccelerator } from "../accelerators/resolve";
import { formatAccelerator } from "../accelerators/names";
import { isPinnedImage } from "../shared/images";
import { ModelServingSpec } from "../shared/model";
import { slug, WORKLOAD_NAME } from "../shared/naming";
import type { ProblemDetail } from "../shared/problems";
import { WORKLOAD_PROFILE_NAME_MAX } from "../naming/azure";

const ENV_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;
const FILE_NAME = /^[A-Za-z0-9][-._A-Za-z0-9]*$/;
/** Where a model's `files` are mounted (what `command` refers to, as on Kubernetes). */
export const FILES_PATH = "/app";
export const CONSUMPTION = "Consumption";

/** vCPU and GiB a replica may use per profile type, and whether the profile is billed per node. */
export const PROFILE_CAPACITY: Readonly<Record<string, { cpu: number; memoryGiB: number; dedicated: boolean }>> = {
    Consumption: { cpu: 4, memoryGiB: 8, dedicated: false },
    "Consumption-GPU-NC8as-T4": { cpu: 8, memoryGiB: 56, dedicated: false },
    "Consumption-GPU-NC24-A100": { cpu: 24, memoryGiB: 220, dedicated: false },
    "NC24-A100": { cpu: 24, memoryGiB: 220, dedicated: true },
    "NC48-A100": { cpu: 48, memoryGiB: 440, dedicated: true },
    "NC96-A100": { cpu: 96, memoryGiB: 880, dedicated: true },
};

/** Short profile names (`gpu-t4`, `nc48-a100`): long names are rejected (Azure/azure-cli#31239). */
export function profileName(type: string): string {
    if (type === CONSUMPTION) return CONSUMPTION;
    const consumptionGpu = /^Consumption-GPU-(?:NC\d+as-)?(?:NC\d+-)?(.+)$/.exec(type);
    return (consumptionGpu ? `gpu-${consumptionGpu[1]}` : type).toLowerCase().slice(0, WORKLOAD_PROFILE_NAME_MAX);
}

/** Where and how big one model's replicas are. */
export interface AppPlan {
    readonly profileType: string;
    readonly profileName: string;
    readonly cpu: number;
    /** `"1Gi"`, `"1.5Gi"`. */
    readonly memory: string;
}

const quarter = (n: number) => Math.ceil(n * 4 - 1e-9) / 4;

/** Every problem with the models that is the same on all Azure serving implementations, at `models[i]`. */
export function validateServingModels(models: readonly ModelServingSpec[]): ProblemDetail[] {
    const problems: ProblemDetail[] = [];
    if (!Array.isArray(models) || models.length === 0) {
        problems.push({ path: "models", value: models, message: "must list at least one model", fix: "add a model to `mlops:models`" });
        return problems;
    }
    const seen = new Set<string>();
    models.forEach((m, i) => {
        const bad = (field: string, value: unknown, message: string, fix?: string) =>
            problems.push({ path: `models[${i}].${field}`, value, message, fix });
        if (typeof m.name !== "string" || !WORKLOAD_NAME.test(m.name))
            bad(
                "name",
                m.name,
                "is not a valid model name",
                "use lowercase letters, digits and '-', starting with a letter, at most 24 characters",
            );
        else if (seen.has(m.name)) bad("name", m.name, "is used by another model", "give every model its own name");
        seen.add(m.name);
        if (typeof m.image !== "string" || !isPinnedImage(m.image))
            bad("image", m.image, "is not pinned to a tag or digest", "pin a version tag or `@sha256:` digest");
        if (!Number.isInteger(m.port) || m.port < 1 || m.port > 65535) bad("port", m.port, "is not a TCP port");
        if (typeof m.healthPath !== "string" || !m.healthPath.startsWith("/"))
            bad("healthPath", m.healthPath, "is not an HTTP path", "start it with '/'");
        if (!Number.isInteger(m.minReplicas) || m.minReplicas < 0)
            bad("minReplicas", m.minReplicas, "must be a whole number of at least 0");
        if (!Number.isInteger(m.maxReplicas) || m.maxReplicas < Math.max(1, m.minReplicas) || m.maxReplicas > 1000)
            bad("maxReplicas", m.maxReplicas, "must be a whole number from max(1, minReplicas) to 1000");
        if (!Number.isInteger(m.concurrency) || m.concurrency < 1)
            bad("concurrency", m.concurrency, "must be a whole number of at least 1");
        for (const key of Object.keys(m.env ?? {}))
            if (!ENV_NAME.test(key))
                bad(
                    `env.${key}`,
                    key,
                    "is not a valid environment variable name",
                    "use letters, digits and '_', not starting with a digit",
                );
        const secrets = new Set<string>();
        for (const file of Object.keys(m.files ?? {})) {
            if (!FILE_NAME.test(file))
                bad("files", file, "is not a valid file name", "use letters, digits, '-', '_' and '.' (no directories)");
            else if (secrets.has(fileSecretName(file)))
                bad("files", file, `maps to the same secret (${fileSecretName(file)}) as another file`, "rename one of them");
            secrets.add(fileSecretName(file));
        }
    });
    return problems;
}

/** Alert thresholds must be positive. */
export function validateAlertThresholds(a: { alertServerErrors?: number; alertLatencyMs?: number }): ProblemDetail[] {
    const problems: ProblemDetail[] = [];
    if (a.alertServerErrors !== undefined && !(Number.isInteger(a.alertServerErrors) && a.alertServerErrors >= 1))
        problems.push({ path: "alertServerErrors", value: a.alertServerErrors, message: "must be a whole number of at least 1" });
    if (a.alertLatencyMs !== undefined && !(Number.isInteger(a.alertLatencyMs) && a.alertLatencyMs >= 1))
        problems.push({ path: "alertLatencyMs", value: a.alertLatencyMs, message: "must be a whole number of milliseconds of at least 1" });
    return problems;
}

/** Each model's workload profile and replica size (call after `validateAppPlans`). */
export function planApps(models: readonly ModelServingSpec[]): AppPlan[] {
    return planAndValidate(models).plans;
}

/** Problems with the models' accelerators and sizes on Container Apps, at `models[i]`. */
export function validateAppPlans(models: readonly ModelServingSpec[]): ProblemDetail[] {
    return planAndValidate(models).problems;
}

/** Resolves each model's workload profile from the catalog (`container-apps`) and sizes its replicas. */
function planAndValidate(models: readonly ModelServingSpec[]): { plans: AppPlan[]; problems: ProblemDetail[] } {
    const problems: ProblemDetail[] = [];
    const plans = models.map((m, i) => {
        let profileType = CONSUMPTION;
        try {
            profileType =
                resolveAccelerator({ cloud: "azure", service: "container-apps", accelerator: m.accelerator })?.workloadProfileType ??
                CONSUMPTION;
        } catch (e) {
            problems.push({ path: `models[${i}].accelerator`, value: m.accelerator, message: (e as Error).message });
        }
        const capacity = PROFILE_CAPACITY[profileType] ?? PROFILE_CAPACITY[CONSUMPTION];
        const wantCpu = (m.cpuMillicores ?? 0) / 1000;
        const wantGiB = (m.memoryMiB ?? 0) / 1024;
        // Consumption takes fixed pairs (0.25 vCPU : 0.5 GiB ... 4 : 8); GPU profiles take what fits.
        const cpu =
            profileType === CONSUMPTION ? Math.max(0.25, quarter(Math.max(wantCpu, wantGiB / 2))) : Math.max(0.25, quarter(wantCpu));
        const memoryGiB = profileType === CONSUMPTION ? cpu * 2 : Math.max(0.5, quarter(wantGiB));
        if (cpu > capacity.cpu || memoryGiB > capacity.memoryGiB) {
            problems.push({
                path: `models[${i}]`,
                value: `${m.cpuMillicores}m CPU, ${m.memoryMiB} MiB`,
                message: `needs ${cpu} vCPU and ${memoryGiB} GiB per replica, more than the ${profileType} profile gives (${capacity.cpu} vCPU, ${capacity.memoryGiB} GiB) with ${formatAccelerator(m.accelerator)}`,
                fix: "lower cpuMillicores/memoryMiB, or choose an accelerator whose profile is larger",
            });
        }
        return { profileType, profileName: profileName(profileType), cpu, memory: `${memoryGiB}Gi` };
    });
    return { plans, problems };
}

/**
 * The environment's workload profiles: Consumption always, then one per GPU profile the models use.
 * Consumption profiles (CPU and serverless GPU) reject minimum and maximum counts
 * (hashicorp/terraform-provider-azurerm#31763, #31961); dedicated GPU profiles need them, start at 0
 * nodes, and must exist when the environment is created (the environment name includes them, so
 * changing them replaces the environment).
 */
export function workloadProfiles(models: readonly ModelServingSpec[], plans: readonly AppPlan[]) {
    const profiles = new Map<string, { name: string; workloadProfileType: string; minimumCount?: number; maximumCount?: number }>();
    profiles.set(CONSUMPTION, { name: CONSUMPTION, workloadProfileType: CONSUMPTION });
    plans.forEach((p, i) => {
        const dedicated = PROFILE_CAPACITY[p.profileType]?.dedicated ?? false;
        const existing = profiles.get(p.profileName);
        if (!dedicated) profiles.set(p.profileName, existing ?? { name: p.profileName, workloadProfileType: p.profileType });
        else
            profiles.set(p.profileName, {
                name: p.profileName,
                workloadProfileType: p.profileType,
                minimumCount: 0,
                maximumCount: (existing?.maximumCount ?? 0) + models[i].maxReplicas,
            });
    });
    return [...profiles.values()];
}

/** Dedicated profile types, which must be fixed at environment creation. */
export function dedicatedProfileTypes(plans: readonly AppPlan[]): string[] {
    return [...new Set(plans.filter((p) => PROFILE_CAPACITY[p.profileType]?.dedicated).map((p) => p.profileType))].sort();
}

/** Secret holding one model file: `serve.py` -> `file-serve-py`. */
export function fileSecretName(file: string): string {
    return `file-${slug(file.replace(/[._]/g, "-"))}`.slice(0, 60);
}

/** Liveness, readiness and startup probes on the model's health path (startup allows 100 s to load). */
export function probes(m: ModelServingSpec) {
    const httpGet = { path: m.healthPath, port: m.port, scheme: "HTTP" };
    return [
        { type: "Startup", httpGet, initialDelaySeconds: 5, periodSeconds: 10, timeoutSeconds: 5, failureThreshold: 10 },
        { type: "Readiness", httpGet, periodSeconds: 10, timeoutSeconds: 5, failureThreshold: 3, successThreshold: 1 },
        { type: "Liveness", httpGet, initialDelaySeconds: 10, periodSeconds: 15, timeoutSeconds: 5, failureThreshold: 3 },
    ];
}

/** The app template: one container, its files mounted read-only from secrets, HTTP concurrency scaling. */
export function appTemplate(m: ModelServingSpec, plan: AppPlan) {
    const files = Object.keys(m.files ?? {});
    return {
        containers: [
            {
                name: m.name,
                image: m.image,
                command: m.command ? [...m.command] : undefined,
                args: m.args ? [...m.args] : undefined,
                env: Object.entries(m.env ?? {}).map(([name, value]) => ({ name, value })),
                resources: { cpu: plan.cpu, memory: plan.memory },
                probes: probes(m),
                volumeMounts: files.length > 0 ? [{ volumeName: "model-files", mountPath: FILES_PATH }] : undefined,
            },
        ],
        volumes:
            files.length > 0
                ? [{ name: "model-files", storageType: "Secret", secrets: files.map((f) => ({ secretRef: fileSecretName(f), path: f })) }]
                : undefined,
        scale: {
            minReplicas: m.minReplicas,
            maxReplicas: m.maxReplicas,
            rules: [{ name: "http-concurrency", http: { metadata: { concurrentRequests: String(m.concurrency) } } }],
        },
    };
}

/** The app's secrets: one per model file (mounted at FILES_PATH by `appTemplate`). */
export function fileSecrets(m: ModelServingSpec): { name: string; value: string }[] {
    return Object.entries(m.files ?? {}).map(([file, value]) => ({ name: fileSecretName(file), value }));
}
