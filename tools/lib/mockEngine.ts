/**
 * Runs a Pulumi program offline under the SDK's own mock engine (`pulumi.runtime.setMocks`) in preview
 * mode, inside a root `pulumi:pulumi:Stack` exactly as the language host runs it
 * (`runtime.runInPulumiStack`), and records every `RegisterResourceRequest` the SDK sends to the
 * resource monitor: the same fields the engine receives (URN, type, name, parent, custom, protect,
 * provider, dependencies, inputs with secret markers, …).
 *
 * The SDK keeps its state in process-wide globals, so run one program per process.
 */
import { createHash } from "node:crypto";
import * as pulumi from "@pulumi/pulumi";
import type { EngineConfig } from "./stackFiles";
import { isSecretWire, UNKNOWN } from "./wire";


/** How long a failed run waits for the SDK's outstanding work before giving up on it, ms. */
const SETTLE_MS = 2000;

/** What the mock monitor received for one resource, plus what it answered. */
export interface ResourceRecord {
    readonly urn: string;
    /** Type token, e.g. `cloudflare:index/workersScript:WorkersScript`. */
    readonly type: string;
    readonly name: string;
    /** URN of the parent; empty for the root stack. */
    readonly parent: string;
    /** True for custom (provider-managed) resources, false for components. */
    readonly custom: boolean;
    readonly protect: boolean;
    /** Provider reference (`urn::id`), empty when the default provider applies. */
    readonly provider: string;
    /** URNs of explicit and implicit dependencies. */
    readonly dependencies: readonly string[];
    /** Input property → URNs of the resources its value came from (`RegisterResourceRequest.propertyDependencies`). */
    readonly propertyDependencies: Readonly<Record<string, readonly string[]>>;
    /** `import` id when the resource is adopted, else empty. */
    readonly importId: string;
    readonly deleteBeforeReplace: boolean;
    readonly ignoreChanges: readonly string[];
    readonly additionalSecretOutputs: readonly string[];
    readonly retainOnDelete: boolean;
    /** Inputs as sent on the wire: secrets wrapped in the SDK's secret marker. */
    readonly inputs: Record<string, unknown>;
    /** The id the mock answered (deterministic, derived from the URN); empty for components. */
    readonly id: string;
    /** Outputs: the answered state for custom resources, the registered outputs for components. */
    outputs: Record<string, unknown>;
}

/** A message the program logged (`pulumi.log.info`, `warn`), as the engine's diagnostics list it. */
export interface Diagnostic {
    readonly severity: "info" | "warning";
    readonly message: string;
    /** URN of the resource it was logged against; undefined for the stack as a whole. */
    readonly urn?: string;
}

/** The result of an offline run. */
export interface OfflineRun {
    /** Every registered resource, in registration order. */
    readonly resources: readonly ResourceRecord[];
    /** The stack outputs (the program module's exports), resolved. */
    readonly outputs: Record<string, unknown>;
    /**
     * What the program logged, in order. Kept here instead of printed as the SDK does without an engine
     * (`info: [runtime] ...` on the console), so the plan shows each under its resource and `npm run dev`
     * only its own service's.
     */
    readonly diagnostics: readonly Diagnostic[];
}

/** Options of {@link runOffline}. */
export interface OfflineRunOptions {
    readonly project: string;
    readonly stack: string;
    readonly config: EngineConfig;
    /** The program: returns the stack outputs (for a module program, its exports). */
    readonly program: () => unknown;
    /** Run as `pulumi preview` (true) or `pulumi up` (false). @default true */
    readonly preview?: boolean;
    /**
     * Outputs of other stacks by fully qualified name (`organization/<project>/<stack>`), answered to
     * `pulumi.StackReference` reads. A stack not listed answers unknown outputs: offline, another stack's
     * state is not known, as in a preview of values computed during the update.
     */
    readonly stackOutputs?: Readonly<Record<string, Record<string, unknown>>>;
    /**
     * Stand-in outputs of custom resources, merged over their inputs (which the mock answers as their
     * state): what providers would answer in an update, e.g. a generated password. `undefined` keeps the
     * inputs. @default none
     */
    readonly resourceOutputs?: (type: string, name: string, inputs: Record<string, unknown>) => Record<string, unknown> | undefined;
}

/**
 * The organization offline runs belong to: the name self-managed backends use, so stack references
 * resolve to `organization/<project>/<stack>` as they do there.
 */
export const OFFLINE_ORGANIZATION = "organization";
/** Type token of `pulumi.StackReference`, a read of another stack's outputs. */
const STACK_REFERENCE_TYPE = "pulumi:pulumi:StackReference";

/**
 * Runs `program` under mocks and returns what was registered.
 * @throws whatever the program throws (a `ValidationError` for user errors), or the first failed
 *   registration or other unhandled rejection during the run.
 */
export async function runOffline(options: OfflineRunOptions): Promise<OfflineRun> {
    // One slot per request, filled when the mock answers: registration order, not answer order.
    const records: (ResourceRecord | undefined)[] = [];
    const byUrn = new Map<string, ResourceRecord>();
    await pulumi.runtime.setMocks({
        newResource: (args) => args.type === STACK_REFERENCE_TYPE
            ? {
                id: args.id ?? args.inputs.name,
                state: { name: args.inputs.name, outputs: options.stackOutputs?.[args.inputs.name] ?? UNKNOWN, secretOutputNames: [] },
            }
            : {
                id: args.custom ? fakeId(args.type, `${options.stack}::${args.type}::${args.name}`) : "",
                state: { ...args.inputs, ...(args.custom ? options.resourceOutputs?.(args.type, args.name, args.inputs) : undefined) },
            },
        call: (args) => args.inputs,
    }, options.project, options.stack, options.preview ?? true, OFFLINE_ORGANIZATION);
    pulumi.runtime.setAllConfig(options.config.config, options.config.secretKeys);
    recordRegistrations(records, byUrn);
    // A failed registration surfaces as a rejection nobody awaits; the language host fails the program
    // on those, and so does this run.
    const failures: unknown[] = [];
    // A failed input (an error thrown in an `apply`) leaves the outputs that depend on it pending forever:
    // stop at the first failure, as the language host does, instead of waiting for them.
    let fail: (reason: unknown) => void = () => undefined;
    const firstFailure = new Promise<never>((_, reject) => { fail = reject; });
    firstFailure.catch(() => undefined);
    const onRejection = (reason: unknown) => {
        failures.push(reason);
        fail(reason);
    };
    process.on("unhandledRejection", onRejection);
    const logged: { severity: Diagnostic["severity"]; message: string; urn: Promise<string | undefined> }[] = [];
    const restoreLog = captureLog(logged);
    const outputs: Record<string, unknown> = {};
    try {
        let exported: Record<string, unknown> = {};
        await Promise.race([pulumi.runtime.runInPulumiStack(async () => (exported = (await options.program() ?? {}) as Record<string, unknown>)), firstFailure]);
        // Each output on its own, as `pulumi preview` shows them: one unknown in a preview (another stack's
        // ids, a value computed during the update) leaves that output unknown, not all of them.
        for (const [key, value] of Object.entries(exported)) {
            // `promise()` is how the SDK itself resolves the stack outputs (runtime/stack.js); unknown → undefined.
            const resolved = await Promise.race([(pulumi.output(value) as unknown as { promise(): Promise<unknown> }).promise(), firstFailure]);
            if (resolved !== undefined) outputs[key] = resolved;
        }
        // Waits for every outstanding registration, as the language host does before exiting.
        await Promise.race([pulumi.runtime.disconnect(), firstFailure]);
        await new Promise((resolve) => setImmediate(resolve));
    } catch (error) {
        // The SDK's own follow-on rejections (registrations of the resources the failure abandoned) arrive
        // after this one: let them land in `failures` rather than escape as unhandled once we return.
        await Promise.race([pulumi.runtime.disconnect().catch(() => undefined), new Promise((resolve) => setTimeout(resolve, SETTLE_MS))]);
        await new Promise((resolve) => setImmediate(resolve));
        throw error;
    } finally {
        process.off("unhandledRejection", onRejection);
        restoreLog();
    }
    if (failures.length > 0) throw failures[0];
    const diagnostics = await Promise.all(logged.map(async ({ severity, message, urn }): Promise<Diagnostic> => {
        const resolved = await urn;
        return resolved === undefined ? { severity, message } : { severity, message, urn: resolved };
    }));
    return { resources: records.filter((r): r is ResourceRecord => r !== undefined), outputs, diagnostics };
}

/**
 * Replaces the SDK's `log.info` and `log.warn` (which print to the console when there is no engine) with
 * functions that record each message and the URN of its resource into `into`; returns the function that puts
 * the originals back. The SDK calls its logger through the module object, so replacing the exports reaches
 * every caller (as `infra/sdkDebugLog.ts` does for `log.debug`). `log.error` stays the SDK's: it also counts
 * the error, which fails the run.
 */
function captureLog(into: { severity: Diagnostic["severity"]; message: string; urn: Promise<string | undefined> }[]): () => void {
    const log = pulumi.log as unknown as Record<"info" | "warn", (msg: string, resource?: pulumi.Resource) => Promise<void>>;
    const originals = { info: log.info, warn: log.warn };
    const severities = { info: "info", warn: "warning" } as const;
    for (const level of ["info", "warn"] as const) {
        log[level] = (message, resource) => {
            const urn = resource === undefined
                ? Promise.resolve(undefined)
                : (resource.urn as unknown as { promise(): Promise<string> }).promise().catch(() => undefined);
            into.push({ severity: severities[level], message, urn });
            return Promise.resolve();
        };
    }
    return () => Object.assign(log, originals);
}

/** Wraps the mock monitor's registerResource / registerResourceOutputs to record each request. */
function recordRegistrations(records: (ResourceRecord | undefined)[], byUrn: Map<string, ResourceRecord>): void {
    // The mock monitor is the object the SDK sends every RPC to; these are its gRPC-style methods.
    const monitor = pulumi.runtime.getMonitor() as unknown as {
        newUrn(parent: string, type: string, name: string): string;
        registerResource(req: RegisterRequest, cb: (err: Error | null, resp?: RegisterResponse) => void): void;
        registerResourceOutputs(req: OutputsRequest, cb: (err: Error | null, resp?: unknown) => void): void;
        /** What the mock monitor keeps of each resource, by URN (`runtime/mocks.js`). */
        readonly resources: Map<string, { state: unknown }>;
    };
    // The mock monitor qualifies a type with its parent's last type only, and with the root stack's;
    // the engine qualifies it with the parent's whole type chain and leaves the root stack out
    // (pulumi/pulumi pkg/resource/deploy/step_generator.go, `urnFromGoal` → `resource.NewURN`).
    monitor.newUrn = (parent, type, name) => {
        const parentType = parent === "" ? "" : parent.split("::")[2] ?? "";
        const qualified = parentType === "" || parentType === "pulumi:pulumi:Stack" ? type : `${parentType}$${type}`;
        return `urn:pulumi:${pulumi.getStack()}::${pulumi.getProject()}::${qualified}::${name}`;
    };
    const register = monitor.registerResource.bind(monitor);
    monitor.registerResource = (req, cb) => {
        const slot = records.push(undefined) - 1;
        register(req, (err, resp) => {
            if (err === null && resp !== undefined && byUrn.has(resp.getUrn())) {
                // The engine rejects a second registration of the same URN; so does the offline plan.
                cb(new Error(`Duplicate resource URN '${resp.getUrn()}'; try giving it a unique name`));
                return;
            }
            if (err === null && resp !== undefined) {
                const record: ResourceRecord = {
                    urn: resp.getUrn(),
                    type: req.getType(),
                    name: req.getName(),
                    parent: req.getParent(),
                    custom: req.getCustom(),
                    protect: req.getProtect() ?? false,
                    provider: req.getProvider(),
                    dependencies: req.getDependenciesList(),
                    propertyDependencies: propertyDependencies(req),
                    importId: req.getImportid(),
                    deleteBeforeReplace: req.getDeletebeforereplace(),
                    ignoreChanges: req.getIgnorechangesList(),
                    additionalSecretOutputs: req.getAdditionalsecretoutputsList(),
                    retainOnDelete: req.getRetainondelete() ?? false,
                    inputs: (req.getObject()?.toJavaScript() ?? {}) as Record<string, unknown>,
                    id: resp.getId(),
                    outputs: (resp.getObject()?.toJavaScript() ?? {}) as Record<string, unknown>,
                };
                records[slot] = record;
                byUrn.set(record.urn, record);
            }
            cb(err, resp);
        });
    };
    const registerOutputs = monitor.registerResourceOutputs.bind(monitor);
    monitor.registerResourceOutputs = (req, cb) => {
        const record = byUrn.get(req.getUrn());
        if (record !== undefined) record.outputs = (req.getOutputs()?.toJavaScript() ?? {}) as Record<string, unknown>;
        registerOutputs(req, cb);
        // The SDK's mock monitor keeps the request's protobuf Struct as the resource's state until the run ends;
        // keep the plain copy recorded above instead, as it keeps custom resources' state (memory at 200 services:
        // every component's outputs, the stack's included), which its `getResource` can also serialize.
        const kept = monitor.resources.get(req.getUrn());
        if (record !== undefined && kept !== undefined) kept.state = record.outputs;
    };
}

interface ProtoStruct { toJavaScript(): unknown }
interface RegisterRequest {
    getType(): string; getName(): string; getParent(): string; getCustom(): boolean; getProtect(): boolean | undefined;
    getProvider(): string; getDependenciesList(): string[]; getImportid(): string; getDeletebeforereplace(): boolean;
    getPropertydependenciesMap(): { forEach(callback: (deps: { getUrnsList(): string[] }, key: string) => void): void };
    getIgnorechangesList(): string[]; getAdditionalsecretoutputsList(): string[]; getRetainondelete(): boolean | undefined;
    getObject(): ProtoStruct | undefined;
}
/** The request's property dependencies as plain data. */
function propertyDependencies(req: RegisterRequest): Record<string, string[]> {
    const deps: Record<string, string[]> = {};
    req.getPropertydependenciesMap().forEach((value, key) => (deps[key] = value.getUrnsList()));
    return deps;
}
interface RegisterResponse { getUrn(): string; getId(): string; getObject(): ProtoStruct | undefined }
interface OutputsRequest { getUrn(): string; getOutputs(): ProtoStruct | undefined }

/**
 * A stable fake id in the provider's format: D1 ids are UUIDs, other Cloudflare ids 32 hex characters.
 * Derived from stack, type and name so two plans of the same inputs agree.
 */
function fakeId(type: string, key: string): string {
    const hex = createHash("sha256").update(key).digest("hex").slice(0, 32);
    if (type === "cloudflare:index/d1Database:D1Database") {
        return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20, 32)}`;
    }
    return hex;
}

/** What {@link maskSecrets} writes in place of a secret. */
export const MASKED_SECRET = "[secret]";

/**
 * Replaces every secret on the wire with {@link MASKED_SECRET} and every unknown with `"[unknown]"`, so a record
 * can be printed or written.
 */
export function maskSecrets(value: unknown): unknown {
    if (value === UNKNOWN) return "[unknown]";
    if (Array.isArray(value)) return value.map(maskSecrets);
    if (typeof value === "object" && value !== null) {
        const obj = value as Record<string, unknown>;
        if (isSecretWire(obj)) return MASKED_SECRET;
        return Object.fromEntries(Object.entries(obj).map(([k, v]) => [k, maskSecrets(v)]));
    }
    return value;
}
