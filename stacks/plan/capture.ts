/**
 * Runs a Pulumi program against Pulumi's mocked engine and captures every resource it registers: URN,
 * type, name, the ID the mock gave it, its parent, its resolved inputs and the resource options that
 * decide data safety. The offline plan and the tests both use this, so what the tests prove is what
 * `npm run plan` shows.
 *
 * The mock engine does not pass parents or options to `newResource`, so we wrap the mock monitor's
 * `registerResource` and read them from the registration request itself (the same request the real
 * engine receives; `protect` there is already inherited from the parent by the Node SDK).
 */
import * as pulumi from "@pulumi/pulumi";
import type { RegisterResourceRequest, RegisterResourceResponse } from "@pulumi/pulumi/proto/resource_pb";
import * as rpc from "@pulumi/pulumi/runtime/rpc";
import * as settings from "@pulumi/pulumi/runtime/settings";
import { mockCall, mockState } from "./mocks";

/**
 * A resource's resolved inputs: plain JSON once secrets, unknowns and resource references are made
 * printable. Typed as the SDK declares what `rpc.deserializeProperties` returns (`pulumi.Inputs`, whose
 * values the SDK leaves untyped), so tests can read deep paths; code in stacks/ and policy/ reads them
 * as `unknown` (`PlanResource.inputs`, policy's `OfflineResource.props`).
 */
export type CapturedInputs = ReturnType<typeof rpc.deserializeProperties>;

export interface CapturedResource {
    readonly urn: string;
    readonly type: string;
    readonly name: string;
    /** The ID the mocked engine gave it; `null` for component resources. */
    readonly id: string | null;
    /** The parent's URN, or `null` for the stack itself. */
    readonly parent: string | null;
    readonly custom: boolean;
    readonly inputs: CapturedInputs;
    readonly options: { readonly protect: boolean; readonly retainOnDelete: boolean };
    /** URNs this resource depends on (explicit `dependsOn` and inputs from other resources). */
    readonly dependencies: readonly string[];
    /** Per input property, the URNs its value came from (what policy stack rules join through). */
    readonly propertyDependencies: Readonly<Record<string, readonly string[]>>;
}

export interface CaptureResult {
    readonly resources: CapturedResource[];
    /** The stack outputs the program returned, resolved. */
    readonly outputs: Record<string, unknown>;
}

export interface CaptureOptions {
    readonly project: string;
    readonly stack: string;
    /** Fully namespaced config (`mlops:cloud` -> string value), as `pulumi.runtime.setAllConfig` takes it. */
    readonly config: Record<string, string>;
    /** Config keys that hold secrets. */
    readonly secretKeys?: readonly string[];
    /** Run as a preview (unknown provider outputs stay unknown). @default false */
    readonly preview?: boolean;
}

/** What a secret input shows as: plans never print secret values. */
export const SECRET = "[secret]";
/** What an input unknown at preview shows as. */
export const UNKNOWN = "[unknown]";

/** Turns the wire forms of secrets, unknowns and resource references into plain, printable values. */
function plain(value: unknown): unknown {
    if (value === rpc.unknownValue) return UNKNOWN;
    if (Array.isArray(value)) return value.map(plain);
    if (pulumi.Resource.isInstance(value)) return (value as unknown as { __name?: string }).__name ?? "[resource]";
    if (typeof value === "object" && value !== null) {
        const obj = value as Record<string, unknown>;
        if (obj[rpc.specialSigKey] === rpc.specialSecretSig) return SECRET;
        if (pulumi.asset.Asset.isInstance(value) || pulumi.asset.Archive.isInstance(value))
            return { asset: (value as { path?: unknown }).path ?? (value as { uri?: unknown }).uri ?? "[inline]" };
        return Object.fromEntries(Object.entries(obj).map(([k, v]) => [k, plain(v)]));
    }
    return value;
}

/** The registration request's property dependencies as a plain map. */
function propertyDependenciesOf(req: RegisterResourceRequest): Record<string, string[]> {
    const out: Record<string, string[]> = {};
    req.getPropertydependenciesMap().forEach((v, k) => {
        out[k] = v.getUrnsList();
    });
    return out;
}

/** The part of the SDK's mock monitor (`runtime/mocks.ts`) that `capture` wraps; `newUrn` is private there. */
interface MockMonitor {
    registerResource(req: RegisterResourceRequest, callback: RegisterCallback): unknown;
    newUrn(parent: string, type: string, name: string): string;
}
type RegisterCallback = (err: Error | null, resp: RegisterResourceResponse | undefined) => void;

/** Raised when a program registers two resources with one URN: a real `pulumi up` refuses that. */
export class DuplicateUrnError extends Error {}

/** Runs `program` under mocks and returns what it registered. Config must be complete (see stack-config.ts). */
export async function capture(
    opts: CaptureOptions,
    program: () => Promise<Record<string, unknown> | void> | Record<string, unknown> | void,
): Promise<CaptureResult> {
    const resources: CapturedResource[] = [];
    const seen = new Set<string>();
    const duplicates: string[] = [];

    pulumi.runtime.setAllConfig(opts.config, [...(opts.secretKeys ?? [])]);
    await pulumi.runtime.setMocks(
        {
            newResource: (args) => ({
                id: args.custom ? args.id || `${args.name}-id` : undefined,
                state: mockState(args.type, args.name, args.inputs),
            }),
            call: (args) => mockCall(args.token, args.inputs),
        },
        opts.project,
        opts.stack,
        opts.preview ?? false,
    );

    const monitor = settings.getMonitor() as unknown as MockMonitor;
    const register = monitor.registerResource.bind(monitor);
    monitor.registerResource = (req: RegisterResourceRequest, callback: RegisterCallback) => {
        const urn: string = monitor.newUrn(req.getParent(), req.getType(), req.getName());
        if (seen.has(urn)) duplicates.push(urn);
        seen.add(urn);
        const entry = {
            urn,
            type: req.getType(),
            name: req.getName(),
            id: null as string | null,
            parent: req.getParent() || null,
            custom: req.getCustom(),
            inputs: plain(rpc.deserializeProperties(req.getObject()!, true)) as CapturedInputs,
            options: { protect: req.getProtect() === true, retainOnDelete: req.getRetainondelete() === true },
            dependencies: req.getDependenciesList(),
            propertyDependencies: propertyDependenciesOf(req),
        };
        resources.push(entry);
        return register(req, (err, resp) => {
            if (resp && entry.custom) entry.id = resp.getId() || null;
            callback(err, resp);
        });
    };

    const outputs = await pulumi.runtime.runInPulumiStack(async () => (await program()) ?? {});
    // Resources not reachable from the outputs may still be registering; drain the RPC queue (internal API).
    await (settings as unknown as { waitForRPCs(): Promise<void> }).waitForRPCs();
    if (duplicates.length > 0) {
        throw new DuplicateUrnError(`duplicate URNs (a real pulumi up fails on these):\n  ${duplicates.join("\n  ")}`);
    }
    return { resources, outputs: (outputs ?? {}) as Record<string, unknown> };
}
