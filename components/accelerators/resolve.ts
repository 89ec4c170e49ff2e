/**
 * The resolver: turns an accelerator request for one cloud and service into the concrete settings that
 * service takes, or throws an AcceleratorError saying what is offered instead. Every message starts with
 * `cloud/service request` (e.g. `aws/lambda nvidia-t4:`) so the config layer can prefix the key path.
 */
import { AWS_CATALOG } from "./aws";
import { AZURE_CATALOG } from "./azure";
import { GCP_CATALOG } from "./gcp";
import { KUBERNETES_CATALOG, VENDOR_CHIPS } from "./kubernetes";
import { ACCELERATOR_NAMES, AcceleratorName, formatAccelerator } from "./names";
import {
    AcceleratorSettings,
    Alternative,
    CatalogRow,
    Cloud,
    CLOUDS,
    KUBERNETES_DISTRIBUTIONS,
    KubernetesDistribution,
    ResolveRequest,
    Service,
    ServiceCatalog,
    SERVICES,
} from "./types";

/** Thrown for any request the catalog cannot satisfy; the message lists what is offered. */
export class AcceleratorError extends Error {
    constructor(message: string) {
        super(message);
        this.name = "AcceleratorError";
    }
}

/** The Kubernetes distribution each managed-cluster service implies. */
const OWN_DISTRIBUTION: Readonly<Partial<Record<Service, KubernetesDistribution>>> = { eks: "eks", gke: "gke", aks: "aks" };

/** How messages name a distribution. */
const LABEL_OF: Readonly<Record<KubernetesDistribution, string>> = {
    generic: "generic (GPU Feature Discovery)",
    eks: "EKS (Karpenter)",
    gke: "GKE",
    aks: "AKS",
};

function prefix(req: ResolveRequest): string {
    return `${req.cloud}/${req.service} ${formatAccelerator(req.accelerator)}`;
}

/** Checks the cloud is known (exhaustively) and the service is one of its services. */
function checkService(req: ResolveRequest, at: string): void {
    let services: readonly string[];
    switch (req.cloud) {
        case "aws":
        case "gcp":
        case "azure":
        case "kubernetes":
            services = SERVICES[req.cloud];
            break;
        default: {
            const unknown: never = req.cloud;
            throw new AcceleratorError(`${at}: "${String(unknown)}" is not a cloud; clouds: ${CLOUDS.join(", ")}.`);
        }
    }
    if (!services.includes(req.service)) {
        throw new AcceleratorError(
            `${at}: "${req.service}" is not a service of ${req.cloud}; ${req.cloud} services: ${services.join(", ")}.`,
        );
    }
}

/** The distribution whose labels apply, or undefined for services that are not Kubernetes. */
function distributionOf(req: ResolveRequest, at: string): KubernetesDistribution | undefined {
    const own = OWN_DISTRIBUTION[req.service];
    if (own) {
        if (req.distribution !== undefined && req.distribution !== own) {
            throw new AcceleratorError(
                `${at}: distribution "${req.distribution}" does not match service ${req.service}, which uses ${LABEL_OF[own]} node labels; ` +
                    `leave distribution unset, or use cloud kubernetes (service kubernetes) with distribution ${req.distribution}.`,
            );
        }
        return own;
    }
    if (req.service !== "kubernetes") return undefined;
    const d = req.distribution ?? "generic";
    if (!(KUBERNETES_DISTRIBUTIONS as readonly string[]).includes(d)) {
        throw new AcceleratorError(`${at}: distribution "${d}" is unknown; distributions: ${KUBERNETES_DISTRIBUTIONS.join(", ")}.`);
    }
    return d;
}

function catalogOf(cloud: Cloud, service: Service, distribution: KubernetesDistribution | undefined): ServiceCatalog {
    switch (cloud) {
        case "aws":
            return AWS_CATALOG[service as keyof typeof AWS_CATALOG];
        case "gcp":
            return GCP_CATALOG[service as keyof typeof GCP_CATALOG];
        case "azure":
            return AZURE_CATALOG[service as keyof typeof AZURE_CATALOG];
        case "kubernetes":
            return KUBERNETES_CATALOG[distribution ?? "generic"];
        default: {
            const unknown: never = cloud;
            throw new AcceleratorError(`"${String(unknown)}" is not a cloud; clouds: ${CLOUDS.join(", ")}.`);
        }
    }
}

/** `serverlessInference "sagemaker-endpoint"`, `containerService or serverlessInference "cloud-run" (nvidia-l4 only)`. */
function describeAlternative(a: Alternative): string {
    return `${a.capabilities.join(" or ")} "${a.implementation}"${a.offers ? ` (${a.offers})` : ""}`;
}

function where(req: ResolveRequest, distribution: KubernetesDistribution | undefined): string {
    return req.service === "kubernetes" ? `${req.cloud}/${req.service} (distribution ${distribution})` : `${req.cloud}/${req.service}`;
}

/**
 * Resolves an accelerator request to the settings its service takes. Returns `undefined` for CPU only
 * (no accelerator) once the cloud/service pair is known to be valid. Service `kubernetes` uses
 * `req.distribution` (default `generic`); `eks`, `gke` and `aks` always use their own cluster's labels and
 * reject any other distribution. Other services ignore it.
 * @throws AcceleratorError when the service is not of that cloud, takes no accelerator, does not offer
 * that accelerator or count, or (Cloud Run) not in the requested region.
 */
export function resolveAccelerator(req: ResolveRequest): AcceleratorSettings | undefined {
    const at = prefix(req);
    checkService(req, at);
    const distribution = distributionOf(req, at);
    if (!req.accelerator) return undefined;
    const { type, count } = req.accelerator;
    const catalog = catalogOf(req.cloud, req.service, distribution);

    if (catalog.rows.length === 0) {
        const alternatives = (catalog.alternatives ?? []).map(describeAlternative).join(", or ");
        throw new AcceleratorError(
            `${at}: ${req.service} runs on CPU only and takes no accelerator. In this project an accelerator needs ${alternatives}; or write none.`,
        );
    }

    const sameType = catalog.rows.filter((r) => r.accelerator === type);
    if (sameType.length === 0) {
        const home = VENDOR_CHIPS[type];
        if (home && req.cloud === "kubernetes" && home.distribution !== distribution) {
            throw new AcceleratorError(
                `${at}: ${type} exists only on ${home.cloudName}, and only ${LABEL_OF[home.distribution]} labels its nodes; ` +
                    `set distribution: ${home.distribution} if the cluster is ${LABEL_OF[home.distribution]}, or pick a GPU. ` +
                    `${where(req, distribution)} offers ${hints(catalog.rows)}.`,
            );
        }
        if (home && req.cloud !== "kubernetes" && home.cloud !== req.cloud) {
            throw new AcceleratorError(
                `${at}: ${type} exists only on ${home.cloudName}; pick a GPU, or deploy to ${home.cloud}. ` +
                    `${where(req, distribution)} offers ${hints(catalog.rows)}.`,
            );
        }
        throw new AcceleratorError(`${at}: ${type} is not offered on ${where(req, distribution)}; it offers ${hints(catalog.rows)}.`);
    }

    const row = sameType.find((r) => r.count === count);
    if (!row) {
        const counts = sameType.map((r) => r.count);
        throw new AcceleratorError(
            `${at}: ${type} comes in counts ${counts.join(", ")} on ${where(req, distribution)}, not ${count}; write ${hints(sameType)}.`,
        );
    }

    if (row.regions && req.region !== undefined && !row.regions.includes(req.region)) {
        throw new AcceleratorError(
            `${at}: ${req.service} offers ${type} only in regions ${row.regions.join(", ")}; region "${req.region}" has none. ` +
                `Deploy to one of those regions, or serve this model elsewhere.`,
        );
    }
    return { ...row, cloud: req.cloud, service: req.service };
}

/** `nvidia-t4, nvidia-t4:4, nvidia-l4`: rows as a user writes them in config, in canonical order. */
function hints(rows: readonly CatalogRow[]): string {
    return sorted(rows)
        .map((r) => formatAccelerator({ type: r.accelerator, count: r.count }))
        .join(", ");
}

function sorted(rows: readonly CatalogRow[]): CatalogRow[] {
    const rank = (a: AcceleratorName) => ACCELERATOR_NAMES.indexOf(a);
    return [...rows].sort((a, b) => rank(a.accelerator) - rank(b.accelerator) || a.count - b.count);
}

/**
 * What a service offers, one entry per accelerator in canonical order with its counts:
 * `["nvidia-t4 (1, 4)", "nvidia-l4 (1, 4, 8)"]`. Empty for services that take no accelerator.
 * @param distribution for service `kubernetes`: whose node labels apply. @default "generic"
 * @throws AcceleratorError when the service is not of that cloud.
 */
export function offeredAccelerators(cloud: Cloud, service: Service, distribution?: KubernetesDistribution): string[] {
    const req: ResolveRequest = { cloud, service, distribution };
    const at = prefix(req);
    checkService(req, at);
    const catalog = catalogOf(cloud, service, distributionOf(req, at));
    const counts = new Map<AcceleratorName, number[]>();
    for (const row of sorted(catalog.rows)) counts.set(row.accelerator, [...(counts.get(row.accelerator) ?? []), row.count]);
    return [...counts].map(([name, n]) => `${name} (${n.join(", ")})`);
}
