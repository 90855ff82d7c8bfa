/**
 * Runs a CrossGuard policy pack over recorded resources exactly as the Pulumi engine does: the pack is
 * spawned as its own process (the way the CLI's `pulumi-analyzer-policy` shim starts `run-policy-pack`),
 * and driven over the analyzer gRPC protocol with the SDK's own protobuf messages and client
 * (`@pulumi/pulumi/proto/analyzer_*`).
 *
 * The engine behaviour mirrored here, and where it lives in pulumi/pulumi (3.2xx):
 * - Starting the pack: `pkg/resource/plugin/analyzer_plugin.go` (formerly `sdk/go/common/resource/plugin/`),
 *   `NewPolicyAnalyzer`: reads `PulumiPolicy.yaml` (its `version` wins over the pack's, its `description`
 *   is the fallback), runs the shim with cwd = pack directory and args `<engine address> .`, environment
 *   from `constructEnv` (`PULUMI_CONFIG`, `PULUMI_NODEJS_PROJECT/STACK/DRY_RUN/ORGANIZATION`, `PULUMI_*`),
 *   then `Handshake` (Unimplemented is fine) and `ConfigureStack`.
 * - Policy config: `pkg/engine/update.go` `installAndLoadPolicyPlugins` → `pkg/resource/analyzer/config.go`
 *   `LoadPolicyPackConfigFromFile`/`parsePolicyPackConfig`, `ReconcilePolicyPackConfig` (schema defaults,
 *   then the pack's initial config, then the given config; `"all"` sets every level), `validatePolicyPackConfig`
 *   (JSON Schema per policy, `enforcementLevel` injected by `GetAnalyzerInfo`), then `analyzer.Configure`.
 * - Which resources are analyzed, with which fields: `pkg/resource/deploy/step_generator.go`
 *   `generateSteps` (every registration: root stack, components, custom resources, explicit and default
 *   providers; not imports, which return an import step before the analyzers run; not reads or deletes),
 *   `Remediate` pass then `Analyze` pass, and `AnalyzeResources` (`AnalyzeStack` over every new state, with
 *   outputs, parent, dependencies, property dependencies and provider), which
 *   `pkg/resource/deploy/deployment_executor.go` `Execute` calls only when no step failed or bailed.
 * - Default providers: `pkg/resource/deploy/source_eval.go` `newRegisterDefaultProviderEvent` (type
 *   `pulumi:providers:<pkg>`, name `default[_<major>_<minor>_<patch>]`, no parent, inputs = the package's
 *   stack config plus `version`) and `pkg/resource/deploy/target.go` `GetPackageConfig`.
 * - Wire values: `sdk/go/common/resource/plugin/rpc.go` `MarshalProperties` with
 *   `KeepUnknowns, KeepSecrets, SkipInternalKeys` (secrets keep their marker, keys starting with `__`
 *   are dropped, resource references become their id or URN).
 */
import { spawn, type ChildProcess } from "node:child_process";
import * as fs from "node:fs";
import { createRequire } from "node:module";
import * as path from "node:path";
import { performance } from "node:perf_hooks";
import Ajv, { type ErrorObject } from "ajv";
import { parse as parseYaml } from "yaml";
import type * as grpcTypes from "@grpc/grpc-js";
import type * as analyzerPbTypes from "@pulumi/pulumi/proto/analyzer_pb";
import type * as analyzerGrpcTypes from "@pulumi/pulumi/proto/analyzer_grpc_pb";
import type * as pluginPbTypes from "@pulumi/pulumi/proto/plugin_pb";
import type * as structPbTypes from "google-protobuf/google/protobuf/struct_pb";
import type * as emptyPbTypes from "google-protobuf/google/protobuf/empty_pb";
import type { ResourceRecord } from "./mockEngine";
import type { EngineConfig } from "./stackFiles";
import type { EnforcementLevel, PolicyInfo, PolicyRunResult, PolicyViolation, Severity } from "./policyResult";
import { ARCHIVE_SIG, ASSET_SIG, OUTPUT_VALUE_SIG, RESOURCE_REF_SIG, SECRET_SIG, SIG_KEY, UNKNOWN, secretWire } from "./wire";

// ------------------------------------------------------------------------------------------------
// Public API
// ------------------------------------------------------------------------------------------------

/**
 * One resource as the program registered it: a {@link ResourceRecord} from the mock engine, plus the
 * registration fields the mock engine does not record yet (all optional, with the engine's defaults).
 */
export type PolicyResource = Pick<ResourceRecord,
    "urn" | "type" | "name" | "parent" | "custom" | "protect" | "provider" | "dependencies" | "importId"
    | "deleteBeforeReplace" | "ignoreChanges" | "additionalSecretOutputs" | "inputs" | "outputs"> & {
    /** Whether the program set `deleteBeforeReplace` at all. @default the value of `deleteBeforeReplace` */
    readonly deleteBeforeReplaceDefined?: boolean;
    /** Property name → URNs it depends on (`RegisterResourceRequest.propertyDependencies`). @default {} */
    readonly propertyDependencies?: Readonly<Record<string, readonly string[]>>;
    /**
     * Old URNs this resource was matched to through `aliases`. The engine only sends aliases that matched a
     * resource in the previous state, so a fresh stack has none. @default []
     */
    readonly aliases?: readonly string[];
    /** `customTimeouts`, in seconds; 0 means unset. @default { create: 0, update: 0, delete: 0 } */
    readonly customTimeouts?: { readonly create?: number; readonly update?: number; readonly delete?: number };
    /** Provider package version sent with the registration (`RegisterResourceRequest.version`). */
    readonly version?: string;
};

/**
 * The stack's policy config in the CLI's `--policy-pack-config` JSON format: per policy name, either an
 * enforcement level or an object with an optional `enforcementLevel` and the policy's settings. The key
 * `"all"` sets the level of every policy.
 * @example { "all": "advisory", "script-budget": { "enforcementLevel": "mandatory", "maxScripts": 4 } }
 */
export type PolicyPackConfig = Readonly<Record<string, EnforcementLevel | Readonly<Record<string, unknown>>>>;

/** Options of {@link runPolicyPack}. */
export interface RunPolicyPackOptions {
    /** Directory holding `PulumiPolicy.yaml` and the pack's `package.json`; relative to the cwd. */
    readonly packDir: string;
    /** Every resource the program registered, in registration order. */
    readonly resources: readonly PolicyResource[];
    /** Project name (the `pulumi:pulumi` namespace of URNs). */
    readonly project: string;
    /** Stack name. */
    readonly stack: string;
    /** Organization passed to the pack (`ConfigureStack`, `PULUMI_ORGANIZATION`). @default "" */
    readonly organization?: string;
    /**
     * `true` runs as `pulumi preview`: mandatory violations are reported and analysis continues. `false`
     * runs as `pulumi up`: the first resource with a mandatory violation stops the run (see
     * {@link PolicyPackRun.halted}) and `AnalyzeStack` is skipped, as the engine bails.
     * @default true
     */
    readonly dryRun?: boolean;
    /** The stack's policy config (`--policy-pack-config`). @default {} */
    readonly policyConfig?: PolicyPackConfig;
    /**
     * The stack config the engine holds (`PULUMI_CONFIG` of the pack, `ConfigureStack`, and the inputs of
     * default providers). @default { config: {}, secretKeys: [] }
     */
    readonly stackConfig?: EngineConfig;
    /** Stack tags (`ConfigureStack.tags`, `args.stackTags` in policies). @default {} */
    readonly stackTags?: Readonly<Record<string, string>>;
    /**
     * Provider package → version used for default providers of resources that registered without one.
     * @default the `version` of `@pulumi/<package>/package.json` when it resolves from this repository
     *   (what the generated SDKs send), else none
     */
    readonly providerVersions?: Readonly<Record<string, string>>;
    /**
     * Node.js arguments placed before the run-policy-pack script. Note that the CLI's own shim
     * (`pulumi-analyzer-policy`: `node <run-policy-pack> <engine> .`) passes none: run-policy-pack then
     * compiles a TypeScript pack with ts-node (the SDK's vendored 7.0.1, type-checking, the pack directory's
     * tsconfig.json if any). With `--import tsx`, tsx transforms first and ts-node checks tsx's output;
     * the default starts the pack exactly as the CLI does.
     * @default []
     */
    readonly nodeArgs?: readonly string[];
    /** Milliseconds to wait for the pack to print its port, and for each RPC. @default 120000 */
    readonly timeoutMs?: number;
    /** Called with the pack's process id as soon as it is spawned. */
    readonly onSpawn?: (pid: number) => void;
}

/** A remediation the pack applied to a resource's inputs before analysis. */
export interface PolicyRemediation {
    readonly urn: string;
    readonly policyName: string;
    readonly policyPackName: string;
    readonly policyPackVersion: string;
    readonly description: string;
}

/** What {@link runPolicyPack} returns: the shared result plus what the run itself observed. */
export interface PolicyPackRun extends PolicyRunResult {
    /** Version from `GetPluginInfo`: the policy SDK's version (`@pulumi/policy`), not the pack's. */
    readonly pluginVersion?: string;
    /** Remediations applied (properties are not kept: they may hold secrets). */
    readonly remediations: readonly PolicyRemediation[];
    /** Likely mistakes the engine accepts silently, e.g. config for a policy the pack does not have. */
    readonly warnings: readonly string[];
    /** Set when `dryRun: false` and a mandatory violation stopped the run, as the engine bails. */
    readonly halted?: { readonly urn: string };
    /** Everything the pack wrote to stdout (after its port) and stderr; the engine shows it as plugin output. */
    readonly packOutput: string;
    /** Durations in milliseconds. */
    readonly timings: {
        /** From the call to a connected client: mostly the pack process starting up. */
        readonly startMs: number;
        readonly analyzeCalls: number;
        readonly analyzeMs: number;
        readonly remediateMs: number;
        readonly analyzeStackMs: number;
        readonly totalMs: number;
    };
}

/** The stack's policy config is invalid for this pack; `issues` lists every problem, each headed by its path. */
export class PolicyConfigError extends Error {
    readonly issues: readonly string[];
    constructor(pack: string, issues: readonly string[]) {
        super(`Invalid policy config for policy pack ${pack}:\n${issues.map((i) => `  ${i}`).join("\n")}`);
        this.name = "PolicyConfigError";
        this.issues = issues;
    }
}

/**
 * Starts the pack, configures it for the stack and runs `Remediate` + `Analyze` for every resource the engine
 * would analyze, then `AnalyzeStack` over all of them, and stops the pack (also on failure).
 *
 * @returns every policy with its level in force, and the violations sorted by URN, policy name, message
 * @throws {PolicyConfigError} when `policyConfig` does not parse or does not match a policy's `configSchema`
 *   (names the policy and property), or sets a policy the pack does not have without an enforcement level
 * @throws {Error} when `PulumiPolicy.yaml` is missing or not a Node.js pack, the pack's dependencies do not
 *   resolve, the pack exits or times out before printing its port, a provider reference names a provider
 *   that was not registered, or an RPC fails (a policy that throws fails `Analyze`, as in the engine)
 */
export async function runPolicyPack(options: RunPolicyPackOptions): Promise<PolicyPackRun> {
    const began = performance.now();
    const packDir = path.resolve(options.packDir);
    const project = readPolicyProject(packDir);
    const dryRun = options.dryRun ?? true;
    const stackConfig = options.stackConfig ?? { config: {}, secretKeys: [] };
    const timeoutMs = options.timeoutMs ?? 120_000;
    const view = engineResourceView(options.resources, {
        project: options.project,
        stack: options.stack,
        stackConfig,
        providerVersions: options.providerVersions,
    });

    const pack = await startPack(packDir, {
        nodeArgs: options.nodeArgs ?? [],
        env: packEnvironment(options.project, options.stack, options.organization ?? "", dryRun, stackConfig),
        timeoutMs,
        onSpawn: options.onSpawn,
    });
    try {
        const startMs = performance.now() - began;
        const client = new Rpc(pack.client, timeoutMs);
        await handshakeAndConfigureStack(client, packDir, options, dryRun, stackConfig);
        const info = await client.unary<emptyPbTypes.Empty, analyzerPbTypes.AnalyzerInfo>("getAnalyzerInfo", new proto.Empty());
        const plugin = await client.unary<emptyPbTypes.Empty, pluginPbTypes.PluginInfo>("getPluginInfo", new proto.Empty());
        const packInfo = readAnalyzerInfo(info, project);
        const configured = await configurePack(client, packInfo, options.policyConfig ?? {});

        const run = new RunState(packInfo, configured.levels);
        await analyzeResources(client, view, run, dryRun);
        if (run.halted === undefined) await analyzeStack(client, view, run);

        return {
            pack: { name: packInfo.name, version: packInfo.version, ...(packInfo.displayName ? { displayName: packInfo.displayName } : {}) },
            policies: packInfo.policies.map((p) => toPolicyInfo(p, configured.levels.get(p.name) ?? p.enforcementLevel)),
            violations: sortViolations(run.violations),
            pluginVersion: plugin.getVersion() || undefined,
            remediations: run.remediations,
            warnings: configured.warnings,
            ...(run.halted ? { halted: run.halted } : {}),
            packOutput: pack.output(),
            timings: { startMs, ...run.timings, totalMs: performance.now() - began },
        };
    } catch (err) {
        throw withPackOutput(err, pack.output());
    } finally {
        await pack.stop();
    }
}

// ------------------------------------------------------------------------------------------------
// The engine's view of the resources
// ------------------------------------------------------------------------------------------------

/** A resource as the step generator holds it when it calls the analyzers. */
export interface EngineResource {
    readonly urn: string;
    readonly type: string;
    /** `URN.Name()`. */
    readonly name: string;
    readonly custom: boolean;
    readonly parent: string;
    readonly protect: boolean;
    readonly ignoreChanges: readonly string[];
    /** `undefined` when the program did not set it (the engine's nil pointer). */
    readonly deleteBeforeReplace: boolean | undefined;
    readonly additionalSecretOutputs: readonly string[];
    readonly aliases: readonly string[];
    readonly customTimeouts: { readonly create: number; readonly update: number; readonly delete: number };
    readonly dependencies: readonly string[];
    readonly propertyDependencies: Readonly<Record<string, readonly string[]>>;
    /** Inputs in wire form (secrets as markers). */
    readonly inputs: Record<string, unknown>;
    /** Outputs in wire form. */
    readonly outputs: Record<string, unknown>;
    /** URN of the provider resource, when the resource has one (custom resources and explicit ones). */
    readonly providerUrn: string | undefined;
    /** `false` for imports: the engine returns an import step before running the analyzers. */
    readonly analyzed: boolean;
    /** `true` for a default provider the engine registers on the program's behalf. */
    readonly defaultProvider: boolean;
}

/** Options of {@link engineResourceView}. */
export interface EngineViewOptions {
    readonly project: string;
    readonly stack: string;
    /** Stack config: the inputs of default providers. */
    readonly stackConfig: EngineConfig;
    /** Provider package → version for default providers; see {@link RunPolicyPackOptions.providerVersions}. */
    readonly providerVersions?: Readonly<Record<string, string>>;
}

const PROVIDER_TYPE_PREFIX = "pulumi:providers:";
/** Dynamic provider packages get the whole stack config, keys kept namespaced (`target.go` `GetPackageConfig`). */
const DYNAMIC_PROVIDER_PACKAGES = new Set(["pulumi-nodejs", "pulumi-python"]);

/**
 * Turns the program's registrations into what the engine holds when it calls the analyzers, in the order
 * it calls them: a default provider is registered (and analyzed) right before the first custom resource
 * that needs it, as `source_eval.go` blocks that registration on `getDefaultProviderRef`.
 * @throws {Error} when a resource names a provider that was not registered before it
 */
export function engineResourceView(resources: readonly PolicyResource[], options: EngineViewOptions): EngineResource[] {
    const view: EngineResource[] = [];
    const providers = new Map<string, EngineResource>();
    for (const r of resources) {
        let providerUrn: string | undefined;
        if (r.provider !== "") {
            providerUrn = providerReferenceUrn(r.provider);
            if (!providers.has(providerUrn)) {
                throw new Error(`${r.urn}: provider ${r.provider} was not registered before the resource; the engine rejects unknown providers`);
            }
        } else if (r.custom && !isProviderType(r.type)) {
            const pkg = typePackage(r.type);
            const version = r.version ?? options.providerVersions?.[pkg] ?? installedProviderVersion(pkg);
            const provider = defaultProvider(pkg, version, options);
            if (!providers.has(provider.urn)) {
                providers.set(provider.urn, provider);
                view.push(provider);
            }
            providerUrn = provider.urn;
        }
        const entry: EngineResource = {
            urn: r.urn,
            type: r.type,
            name: urnName(r.urn),
            custom: r.custom,
            parent: r.parent,
            protect: r.protect,
            ignoreChanges: r.ignoreChanges,
            deleteBeforeReplace: (r.deleteBeforeReplaceDefined ?? r.deleteBeforeReplace) ? r.deleteBeforeReplace : undefined,
            additionalSecretOutputs: r.additionalSecretOutputs,
            aliases: r.aliases ?? [],
            customTimeouts: { create: r.customTimeouts?.create ?? 0, update: r.customTimeouts?.update ?? 0, delete: r.customTimeouts?.delete ?? 0 },
            dependencies: r.dependencies,
            propertyDependencies: r.propertyDependencies ?? {},
            inputs: r.inputs,
            outputs: r.outputs,
            providerUrn,
            // step_generator.go: `isImport := goal.Custom && goal.ID != "" && (!hasOld || ...)` returns an
            // ImportStep before the analyzers run; offline there is no old state.
            analyzed: !(r.custom && r.importId !== ""),
            defaultProvider: false,
        };
        if (isProviderType(r.type)) providers.set(r.urn, entry);
        view.push(entry);
    }
    return view;
}

/** `source_eval.go` `newRegisterDefaultProviderEvent` + `ProviderRequest.DefaultName`. */
function defaultProvider(pkg: string, version: string | undefined, options: EngineViewOptions): EngineResource {
    const name = `default${version === undefined ? "" : versionSuffix(version)}`;
    const type = `${PROVIDER_TYPE_PREFIX}${pkg}`;
    const inputs: Record<string, unknown> = packageConfig(pkg, options.stackConfig);
    if (version !== undefined) inputs.version = version;
    return {
        urn: `urn:pulumi:${options.stack}::${options.project}::${type}::${name}`,
        type,
        name,
        custom: true,
        parent: "",
        protect: false,
        ignoreChanges: [],
        deleteBeforeReplace: undefined,
        additionalSecretOutputs: [],
        aliases: [],
        customTimeouts: { create: 0, update: 0, delete: 0 },
        dependencies: [],
        propertyDependencies: {},
        inputs,
        // The provider registry's preview of a provider returns its inputs as outputs.
        outputs: inputs,
        providerUrn: undefined,
        analyzed: true,
        defaultProvider: true,
    };
}

/** `_<major>_<minor>_<patch>[_<pre>…][_<build>…]`, as `ProviderRequest.DefaultName`. */
function versionSuffix(version: string): string {
    const match = /^v?(\d+)\.(\d+)\.(\d+)(?:-([0-9A-Za-z.-]+))?(?:\+([0-9A-Za-z.-]+))?$/.exec(version);
    if (match === null) throw new Error(`provider version ${JSON.stringify(version)} is not a semantic version`);
    const [, major, minor, patch, pre, build] = match;
    const parts = [major, minor, patch, ...(pre?.split(".") ?? []), ...(build?.split(".") ?? [])];
    return parts.map((p) => `_${p}`).join("");
}

/** `target.go` `GetPackageConfig`: config values are strings, secret keys become secrets. */
function packageConfig(pkg: string, config: EngineConfig): Record<string, unknown> {
    const secret = new Set(config.secretKeys);
    const result: Record<string, unknown> = {};
    for (const [key, value] of Object.entries(config.config)) {
        const sep = key.indexOf(":");
        const namespace = sep < 0 ? "" : key.slice(0, sep);
        const dynamic = DYNAMIC_PROVIDER_PACKAGES.has(pkg);
        if (!dynamic && namespace !== pkg) continue;
        result[dynamic ? key : key.slice(sep + 1)] = secret.has(key) ? secretWire(value) : value;
    }
    return result;
}

/** The version the generated SDK sends (`utilities.getVersion()` reads its package.json). */
function installedProviderVersion(pkg: string): string | undefined {
    if (DYNAMIC_PROVIDER_PACKAGES.has(pkg)) return undefined;
    try {
        const manifest = localRequire(`@pulumi/${pkg}/package.json`) as { version?: unknown };
        return typeof manifest.version === "string" ? manifest.version.replace(/^v/, "") : undefined;
    } catch {
        return undefined;
    }
}

function isProviderType(type: string): boolean {
    return type.startsWith(PROVIDER_TYPE_PREFIX);
}

/** `tokens.Type.Package()`: the first segment of the type token. */
function typePackage(type: string): string {
    return type.split(":")[0] ?? type;
}

/** `providers.ParseReference`: `<urn>::<id>`, split at the last `::`. */
function providerReferenceUrn(ref: string): string {
    const sep = ref.lastIndexOf("::");
    return sep < 0 ? ref : ref.slice(0, sep);
}

/** `URN.Name()`: everything after the third `::` (`urn:pulumi:<stack>::<project>::<type>::<name>`). */
function urnName(urn: string): string {
    return urn.split("::").slice(3).join("::");
}

// ------------------------------------------------------------------------------------------------
// Wire values
// ------------------------------------------------------------------------------------------------


/**
 * Converts properties as the SDK sent them into the Struct the engine sends an analyzer: the engine
 * unmarshals registrations keeping unknowns, secrets and resource references, and marshals analyzer
 * requests with `KeepUnknowns: true, KeepSecrets: true, SkipInternalKeys: true` and without
 * `KeepResources`. So secrets keep their marker (the policy SDK unwraps them before policies see them),
 * unknowns stay the unknown sentinel, keys starting with `__` are dropped at every level (`__provider`
 * of dynamic resources never reaches a policy), resource references become their id (unknown when the
 * id is not known yet) or, for components, their URN, and output values become their value (secret if
 * they were) or unknown.
 * @param skipInternalKeys `false` for `Remediate`, which the engine marshals with internal keys kept.
 */
export function toAnalyzerProperties(props: Readonly<Record<string, unknown>>, skipInternalKeys = true): Record<string, unknown> {
    return wireObject(props, skipInternalKeys);
}

function wireObject(obj: Readonly<Record<string, unknown>>, skipInternal: boolean): Record<string, unknown> {
    const result: Record<string, unknown> = {};
    for (const [key, value] of Object.entries(obj)) {
        if (skipInternal && key.startsWith("__")) continue;
        if (value === undefined) continue;
        result[key] = wireValue(value, skipInternal);
    }
    return result;
}

function wireValue(value: unknown, skipInternal: boolean): unknown {
    if (value === null || typeof value !== "object") return value;
    if (Array.isArray(value)) return value.filter((v) => v !== undefined).map((v) => wireValue(v, skipInternal));
    const obj = value as Record<string, unknown>;
    const sig = obj[SIG_KEY];
    if (sig === undefined) return wireObject(obj, skipInternal);
    switch (sig) {
        case SECRET_SIG:
            if (!("value" in obj)) throw new Error("malformed RPC secret: missing value");
            return secretWire(wireValue(obj.value, skipInternal));
        case RESOURCE_REF_SIG:
            if ("id" in obj) return obj.id === "" || obj.id === UNKNOWN ? UNKNOWN : obj.id;
            return obj.urn;
        case OUTPUT_VALUE_SIG: {
            const inner = "value" in obj ? wireValue(obj.value, skipInternal) : UNKNOWN;
            return obj.secret === true ? secretWire(inner) : inner;
        }
        case ASSET_SIG:
        case ARCHIVE_SIG:
            return structuredClone(obj);
        default:
            throw new Error(`unrecognized signature '${String(sig)}' in property value`);
    }
}

// ------------------------------------------------------------------------------------------------
// Policy config (pkg/resource/analyzer/config.go)
// ------------------------------------------------------------------------------------------------

const LEVELS: readonly EnforcementLevel[] = ["advisory", "mandatory", "remediate", "disabled"];

/** A policy as `GetAnalyzerInfo` describes it, with its JSON Schema as the engine builds it. */
export interface PackPolicy {
    readonly name: string;
    readonly displayName: string;
    readonly description: string;
    readonly enforcementLevel: EnforcementLevel;
    readonly severity: Severity | undefined;
    readonly remediationSteps: string;
    readonly url: string;
    readonly tags: readonly string[];
    readonly type: "resource" | "stack" | "unknown";
    /** The pack's own `configSchema` (`properties`, `required`), if it declared one. */
    readonly configSchema: { readonly properties: Record<string, Record<string, unknown>>; readonly required: readonly string[] } | undefined;
}

/** One policy's config: its level and settings. */
export interface PolicyConfigEntry {
    readonly enforcementLevel: EnforcementLevel | "";
    readonly properties: Readonly<Record<string, unknown>>;
}

/** The outcome of {@link reconcilePolicyConfig}. */
export interface ReconciledPolicyConfig {
    /** Config per key, as the engine sends it to `Configure` (unknown keys included, as the engine does). */
    readonly config: ReadonlyMap<string, PolicyConfigEntry>;
    /** Every problem, each headed by `<policy>` or `<policy>.<property>`; empty when valid. */
    readonly issues: readonly string[];
    /** Keys that name no policy of the pack (the engine passes them on silently). */
    readonly warnings: readonly string[];
}

/**
 * Mirrors `parsePolicyPackConfig` + `ReconcilePolicyPackConfig` + `validatePolicyPackConfig`: start from each
 * policy's level and its schema's top-level `default`s, apply the pack's initial config, then the given
 * config (`"all"` first sets every level), and validate each policy's settings against its schema. Unlike
 * the engine, which stops at the first parse error, every problem is collected.
 */
export function reconcilePolicyConfig(
    policies: readonly PackPolicy[],
    initialConfig: ReadonlyMap<string, PolicyConfigEntry>,
    given: PolicyPackConfig,
): ReconciledPolicyConfig {
    const issues: string[] = [];
    const parsed = parsePolicyConfig(given, issues);
    let result = new Map<string, PolicyConfigEntry>();
    for (const policy of policies) {
        const defaults: Record<string, unknown> = {};
        for (const [key, schema] of Object.entries(policy.configSchema?.properties ?? {})) {
            if ("default" in schema) defaults[key] = schema.default;
        }
        result.set(policy.name, { enforcementLevel: policy.enforcementLevel, properties: defaults });
    }
    result = applyConfig(result, initialConfig);
    result = applyConfig(result, parsed);

    const names = new Set(policies.map((p) => p.name));
    const warnings: string[] = [];
    for (const [key, entry] of result) {
        if (key === "all" || names.has(key)) continue;
        if (entry.enforcementLevel === "") {
            issues.push(`${key}: the pack has no policy named "${key}" and no enforcementLevel is given (the engine fails Configure with 'invalid enforcement level ""')`);
        } else {
            warnings.push(`policy config names "${key}", which is not a policy of the pack; it has no effect`);
        }
    }
    for (const policy of policies) {
        issues.push(...validatePolicySettings(policy, result.get(policy.name)?.properties ?? {}));
    }
    return { config: result, issues, warnings };
}

function parsePolicyConfig(given: PolicyPackConfig, issues: string[]): Map<string, PolicyConfigEntry> {
    const result = new Map<string, PolicyConfigEntry>();
    for (const [key, value] of Object.entries(given)) {
        let level: EnforcementLevel | "" = "";
        let properties: Record<string, unknown> = {};
        if (typeof value === "string") {
            if (!isLevel(value)) {
                issues.push(`${key}: expected an enforcement level (${LEVELS.join(", ")}), got ${JSON.stringify(value)}`);
                continue;
            }
            level = value;
        } else if (typeof value === "object" && value !== null && !Array.isArray(value)) {
            const { enforcementLevel, ...rest } = value as Record<string, unknown>;
            if (enforcementLevel !== undefined) {
                if (typeof enforcementLevel !== "string" || !isLevel(enforcementLevel)) {
                    issues.push(`${key}.enforcementLevel: expected one of ${LEVELS.join(", ")}, got ${JSON.stringify(enforcementLevel)}`);
                    continue;
                }
                level = enforcementLevel;
            }
            properties = rest;
        } else {
            issues.push(`${key}: expected an enforcement level or an object of settings, got ${JSON.stringify(value)}`);
            continue;
        }
        // parsePolicyPackConfig: "Don't bother including empty configs."
        if (level === "" && Object.keys(properties).length === 0) continue;
        result.set(key, { enforcementLevel: level, properties });
    }
    return result;
}

/** `applyConfig`: `"all"` sets every existing level, then each key merges its level and settings. */
function applyConfig(result: Map<string, PolicyConfigEntry>, apply: ReadonlyMap<string, PolicyConfigEntry>): Map<string, PolicyConfigEntry> {
    const next = new Map(result);
    const all = apply.get("all");
    if (all !== undefined && all.enforcementLevel !== "") {
        for (const [key, entry] of next) next.set(key, { enforcementLevel: all.enforcementLevel, properties: entry.properties });
    }
    for (const [key, entry] of apply) {
        const current = next.get(key);
        next.set(key, {
            enforcementLevel: entry.enforcementLevel !== "" ? entry.enforcementLevel : current?.enforcementLevel ?? "",
            properties: { ...current?.properties, ...entry.properties },
        });
    }
    return next;
}

let ajv: Ajv | undefined;

/**
 * `validatePolicyConfig`: the schema is `{ type: object, properties, required }`, plus the `enforcementLevel`
 * property the engine injects into every schema of a pack that supports config.
 */
function validatePolicySettings(policy: PackPolicy, settings: Readonly<Record<string, unknown>>): string[] {
    const schema = {
        type: "object",
        properties: {
            ...policy.configSchema?.properties,
            enforcementLevel: { type: "string", enum: [...LEVELS] },
        },
        ...(policy.configSchema?.required.length ? { required: [...policy.configSchema.required] } : {}),
    };
    ajv ??= new Ajv({ allErrors: true, strict: false, verbose: true });
    const validate = ajv.compile(schema);
    if (validate(settings)) return [];
    return (validate.errors ?? []).map((e) => describeSchemaError(policy.name, e));
}

/** `<policy>.<property>: <what was expected>, got <value>`. */
function describeSchemaError(policy: string, error: ErrorObject): string {
    const segments = error.instancePath.split("/").slice(1).map((s) => s.replace(/~1/g, "/").replace(/~0/g, "~"));
    const params = error.params as Record<string, unknown>;
    if (error.keyword === "required") {
        return `${[policy, ...segments, String(params.missingProperty)].join(".")}: is required`;
    }
    if (error.keyword === "additionalProperties") {
        return `${[policy, ...segments, String(params.additionalProperty)].join(".")}: is not an allowed setting`;
    }
    const detail = error.keyword === "enum" ? `must be one of ${(params.allowedValues as unknown[]).map((v) => JSON.stringify(v)).join(", ")}` : error.message ?? "is invalid";
    return `${[policy, ...segments].join(".")}: ${detail}, got ${JSON.stringify(error.data)}`;
}

function isLevel(value: string): value is EnforcementLevel {
    return (LEVELS as readonly string[]).includes(value);
}

// ------------------------------------------------------------------------------------------------
// The pack process
// ------------------------------------------------------------------------------------------------

interface PolicyProject {
    readonly version: string;
    readonly description: string;
}

/** `workspace.LoadPolicyPack`: `PulumiPolicy.yaml` must exist and name a runtime. */
function readPolicyProject(packDir: string): PolicyProject {
    const file = path.join(packDir, "PulumiPolicy.yaml");
    let doc: unknown;
    try {
        doc = parseYaml(fs.readFileSync(file, "utf8"));
    } catch (err) {
        throw new Error(`failed to load Pulumi policy project located at "${packDir}": ${(err as Error).message}`);
    }
    const fields = (typeof doc === "object" && doc !== null ? doc : {}) as Record<string, unknown>;
    const runtime = typeof fields.runtime === "object" && fields.runtime !== null ? (fields.runtime as { name?: unknown }).name : fields.runtime;
    if (runtime !== "nodejs") {
        throw new Error(`${file}: runtime: expected nodejs (this client runs Node.js policy packs), got ${JSON.stringify(runtime)}`);
    }
    return {
        version: typeof fields.version === "string" ? fields.version : "",
        description: typeof fields.description === "string" ? fields.description : "",
    };
}

/** `constructEnv`: the process environment plus the stack's config and identity. */
function packEnvironment(project: string, stack: string, organization: string, dryRun: boolean, config: EngineConfig): NodeJS.ProcessEnv {
    const env: NodeJS.ProcessEnv = { ...process.env };
    const set = (key: string, value: string) => {
        if (value !== "") env[key] = value;
    };
    set("PULUMI_CONFIG", JSON.stringify(config.config));
    set("PULUMI_NODEJS_ORGANIZATION", organization);
    set("PULUMI_NODEJS_PROJECT", project);
    set("PULUMI_NODEJS_STACK", stack);
    set("PULUMI_NODEJS_DRY_RUN", String(dryRun));
    set("PULUMI_ORGANIZATION", organization);
    set("PULUMI_PROJECT", project);
    set("PULUMI_STACK", stack);
    set("PULUMI_DRY_RUN", String(dryRun));
    return env;
}

interface StartedPack {
    readonly client: analyzerGrpcTypes.AnalyzerClient;
    /** Stdout after the port line, and stderr, so far. */
    output(): string;
    /** Closes the client, kills the process and waits for it to exit. */
    stop(): Promise<void>;
}

/**
 * The address passed as run-policy-pack's first argument. The engine passes its own gRPC address there,
 * but run-policy-pack drops it (`cmd/run-policy-pack/index.js`: "Remove <engine-address>") and the engine
 * does not set `PULUMI_NODEJS_ENGINE` for packs, so a pack never dials it: its logs go to stdout/stderr.
 */
const UNUSED_ENGINE_ADDRESS = "127.0.0.1:0";

/** Processes still running, killed if this process exits first. */
const livePacks = new Set<ChildProcess>();
let exitHookInstalled = false;

async function startPack(packDir: string, options: {
    nodeArgs: readonly string[];
    env: NodeJS.ProcessEnv;
    timeoutMs: number;
    onSpawn: ((pid: number) => void) | undefined;
}): Promise<StartedPack> {
    // The shim resolves the module from the pack directory, so the pack's own @pulumi/pulumi runs it.
    let script: string;
    try {
        script = createRequire(path.join(packDir, "package.json")).resolve("@pulumi/pulumi/cmd/run-policy-pack");
    } catch {
        throw new Error(`it looks like the policy pack's dependencies are not installed; try running npm install in "${packDir}"`);
    }
    if (!exitHookInstalled) {
        exitHookInstalled = true;
        process.on("exit", () => {
            for (const child of livePacks) child.kill("SIGKILL");
        });
    }
    const child = spawn(process.execPath, [...options.nodeArgs, script, UNUSED_ENGINE_ADDRESS, "."], {
        cwd: packDir,
        env: options.env,
        stdio: ["ignore", "pipe", "pipe"],
    });
    livePacks.add(child);
    const exited = new Promise<void>((resolve) => child.once("close", () => {
        livePacks.delete(child);
        resolve();
    }));
    if (child.pid !== undefined) options.onSpawn?.(child.pid);

    let firstLine = "";
    let portSeen = false;
    let stderr = "";
    let afterPort = "";
    let client: analyzerGrpcTypes.AnalyzerClient | undefined;
    const stop = async () => {
        client?.close();
        if (child.pid === undefined) return; // never started: no process to wait for
        if (child.exitCode === null && child.signalCode === null) child.kill("SIGKILL");
        await exited;
    };
    child.stderr.setEncoding("utf8").on("data", (chunk: string) => (stderr += chunk));
    try {
        const port = await new Promise<number>((resolve, reject) => {
            const timer = setTimeout(() => reject(new Error(`policy pack "${packDir}" did not print its port within ${options.timeoutMs} ms`)), options.timeoutMs);
            // The first line is the port (server.js: console.log(port.toString())); the rest is plugin output.
            child.stdout.setEncoding("utf8").on("data", (chunk: string) => {
                if (portSeen) {
                    afterPort += chunk;
                    return;
                }
                firstLine += chunk;
                const newline = firstLine.indexOf("\n");
                if (newline < 0) return;
                portSeen = true;
                clearTimeout(timer);
                afterPort += firstLine.slice(newline + 1);
                const line = firstLine.slice(0, newline).trim();
                const port = Number(line);
                if (!Number.isInteger(port) || port <= 0) reject(new Error(`policy pack "${packDir}" printed ${JSON.stringify(line)} instead of its port`));
                else resolve(port);
            });
            child.once("error", (err) => {
                clearTimeout(timer);
                reject(err);
            });
            child.once("close", (code, signal) => {
                clearTimeout(timer);
                reject(new Error(`policy pack "${packDir}" failed to start: exited with ${signal ?? `code ${code}`}`));
            });
        });
        const c = new proto.AnalyzerClient(`127.0.0.1:${port}`, proto.grpc.credentials.createInsecure(), {
            // rpcutil.GrpcChannelOptions: the engine allows 400 MB messages (a large stack's AnalyzeStack).
            "grpc.max_receive_message_length": 400 * 1024 * 1024,
            "grpc.max_send_message_length": 400 * 1024 * 1024,
        });
        client = c;
        await new Promise<void>((resolve, reject) => c.waitForReady(Date.now() + options.timeoutMs, (err) => (err ? reject(err) : resolve())));
        return { client: c, output: () => afterPort + stderr, stop };
    } catch (err) {
        await stop();
        throw withPackOutput(err, afterPort + stderr);
    }
}

function withPackOutput(err: unknown, output: string): unknown {
    if (!(err instanceof Error) || err instanceof PolicyConfigError || output.trim() === "" || err.message.includes("\npack output:\n")) return err;
    err.message += `\npack output:\n${output.trimEnd()}`;
    return err;
}

// ------------------------------------------------------------------------------------------------
// RPCs
// ------------------------------------------------------------------------------------------------

type UnaryMethod = "analyze" | "analyzeStack" | "remediate" | "getAnalyzerInfo" | "getPluginInfo" | "configure" | "handshake" | "configureStack";

/** Promise wrapper over the generated client's unary methods, with a deadline. */
class Rpc {
    constructor(private readonly client: analyzerGrpcTypes.AnalyzerClient, private readonly timeoutMs: number) {}

    unary<Req, Res>(method: UnaryMethod, request: Req): Promise<Res> {
        const fn = (this.client[method] as unknown as (
            req: Req, metadata: grpcTypes.Metadata, opts: Partial<grpcTypes.CallOptions>,
            cb: (err: grpcTypes.ServiceError | null, res: Res) => void) => void).bind(this.client);
        return new Promise((resolve, reject) => {
            fn(request, new proto.grpc.Metadata(), { deadline: Date.now() + this.timeoutMs }, (err, res) => (err ? reject(err) : resolve(res)));
        });
    }
}

function isUnimplemented(err: unknown): boolean {
    return (err as { code?: unknown }).code === proto.grpc.status.UNIMPLEMENTED;
}

/** `NewPolicyAnalyzer`: `Handshake` (optional for a pack), then `ConfigureStack` (optional too). */
async function handshakeAndConfigureStack(client: Rpc, packDir: string, options: RunPolicyPackOptions, dryRun: boolean, config: EngineConfig): Promise<void> {
    const handshake = new proto.pb.AnalyzerHandshakeRequest();
    handshake.setEngineAddress(UNUSED_ENGINE_ADDRESS);
    handshake.setRootDirectory(packDir);
    handshake.setProgramDirectory(packDir);
    try {
        await client.unary("handshake", handshake);
    } catch (err) {
        if (!isUnimplemented(err)) throw new Error(`failed to handshake with policy pack "${packDir}": ${(err as Error).message}`);
    }
    const req = new proto.pb.AnalyzerStackConfigureRequest();
    req.setStack(options.stack);
    req.setProject(options.project);
    req.setOrganization(options.organization ?? "");
    req.setDryRun(dryRun);
    for (const [k, v] of Object.entries(options.stackTags ?? {})) req.getTagsMap().set(k, v);
    for (const [k, v] of Object.entries(config.config)) req.getConfigMap().set(k, v);
    req.setConfigSecretKeysList([...config.secretKeys]);
    try {
        await client.unary("configureStack", req);
    } catch (err) {
        if (!isUnimplemented(err)) throw err;
    }
}

interface PackInfo {
    readonly name: string;
    readonly displayName: string;
    readonly version: string;
    readonly supportsConfig: boolean;
    /** Sorted by name, as `GetAnalyzerInfo` sorts them. */
    readonly policies: readonly PackPolicy[];
    readonly byName: ReadonlyMap<string, PackPolicy>;
    readonly initialConfig: ReadonlyMap<string, PolicyConfigEntry>;
}

/** `analyzer.GetAnalyzerInfo`: PulumiPolicy.yaml's version wins over the pack's. */
function readAnalyzerInfo(info: analyzerPbTypes.AnalyzerInfo, project: PolicyProject): PackInfo {
    const policies = info.getPoliciesList().map((p): PackPolicy => {
        const schema = p.getConfigschema();
        return {
            name: p.getName(),
            displayName: p.getDisplayname(),
            description: p.getDescription(),
            enforcementLevel: levelFromProto(p.getEnforcementlevel()),
            severity: severityFromProto(p.getSeverity()),
            remediationSteps: p.getRemediationSteps(),
            url: p.getUrl(),
            tags: p.getTagsList(),
            type: p.getPolicyType() === proto.pb.PolicyType.POLICY_TYPE_RESOURCE ? "resource"
                : p.getPolicyType() === proto.pb.PolicyType.POLICY_TYPE_STACK ? "stack" : "unknown",
            configSchema: schema === undefined ? undefined : {
                properties: (schema.getProperties()?.toJavaScript() ?? {}) as Record<string, Record<string, unknown>>,
                required: schema.getRequiredList(),
            },
        };
    }).sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
    const initialConfig = new Map<string, PolicyConfigEntry>();
    info.getInitialconfigMap().forEach((v, k) => {
        initialConfig.set(k, { enforcementLevel: levelFromProto(v.getEnforcementlevel()), properties: (v.getProperties()?.toJavaScript() ?? {}) as Record<string, unknown> });
    });
    return {
        name: info.getName(),
        displayName: info.getDisplayname(),
        version: project.version !== "" ? project.version : info.getVersion(),
        supportsConfig: info.getSupportsconfig(),
        policies,
        byName: new Map(policies.map((p) => [p.name, p])),
        initialConfig,
    };
}

/** Reconciles and validates the config, then `Configure` (skipped when the pack does not support config). */
async function configurePack(client: Rpc, pack: PackInfo, given: PolicyPackConfig): Promise<{ levels: Map<string, EnforcementLevel>; warnings: string[] }> {
    const label = `${pack.name}@${pack.version}`;
    const levels = new Map(pack.policies.map((p) => [p.name, p.enforcementLevel]));
    if (!pack.supportsConfig) {
        if (Object.keys(given).length > 0) throw new PolicyConfigError(label, ["(pack): this policy pack does not support config"]);
        return { levels, warnings: [] };
    }
    const reconciled = reconcilePolicyConfig(pack.policies, pack.initialConfig, given);
    if (reconciled.issues.length > 0) throw new PolicyConfigError(label, [...reconciled.issues].sort());
    if (reconciled.config.size > 0) {
        const req = new proto.pb.ConfigureAnalyzerRequest();
        for (const [key, entry] of reconciled.config) {
            const level = entry.enforcementLevel === "" ? "advisory" : entry.enforcementLevel; // unreachable: rejected above
            const pc = new proto.pb.PolicyConfig();
            pc.setEnforcementlevel(levelToProto(level));
            // Always a Struct, as the engine's structpb.NewStruct: @pulumi/policy calls toJavaScript() on it.
            pc.setProperties(proto.Struct.fromJavaScript(entry.properties as Record<string, structPbTypes.JavaScriptValue>));
            req.getPolicyconfigMap().set(key, pc);
            if (levels.has(key)) levels.set(key, level);
        }
        await client.unary("configure", req);
    }
    return { levels, warnings: [...reconciled.warnings] };
}

/** Collects what the RPCs return. */
class RunState {
    readonly violations: PolicyViolation[] = [];
    readonly remediations: PolicyRemediation[] = [];
    halted: { urn: string } | undefined;
    readonly timings = { analyzeCalls: 0, analyzeMs: 0, remediateMs: 0, analyzeStackMs: 0 };

    constructor(private readonly pack: PackInfo, private readonly levels: ReadonlyMap<string, EnforcementLevel>) {}

    /**
     * `convertDiagnostics` + the step generator's handling: remediate reports as mandatory.
     * @returns the level recorded, or `undefined` when the diagnostic is dropped
     */
    add(d: analyzerPbTypes.AnalyzeDiagnostic, urn: string | undefined): EnforcementLevel | undefined {
        let level = levelFromProto(d.getEnforcementlevel());
        if (level === "remediate") level = "mandatory";
        const policy = this.pack.byName.get(d.getPolicyname());
        // A disabled policy never reports (the policy SDK skips it; the engine lists it as disabled).
        if (this.levels.get(d.getPolicyname()) === "disabled") return undefined;
        const severity = severityFromProto(d.getSeverity()) ?? policy?.severity;
        this.violations.push({
            policyName: d.getPolicyname(),
            policyPackName: d.getPolicypackname(),
            policyPackVersion: this.pack.version !== "" ? this.pack.version : d.getPolicypackversion(),
            enforcementLevel: level,
            ...(severity ? { severity } : {}),
            ...(urn !== undefined ? { urn } : {}),
            // @pulumi/policy sends "<description>\n<reported message>"; keep the policy's own words.
            message: d.getMessage().startsWith(`${d.getDescription()}\n`) ? d.getMessage().slice(d.getDescription().length + 1) : d.getMessage(),
            description: d.getDescription(),
            ...(policy?.remediationSteps ? { remediationSteps: policy.remediationSteps } : {}),
            ...(policy?.url ? { url: policy.url } : {}),
        });
        return level;
    }

    addRemediation(urn: string, r: analyzerPbTypes.Remediation): void {
        this.remediations.push({
            urn,
            policyName: r.getPolicyname(),
            policyPackName: r.getPolicypackname(),
            policyPackVersion: this.pack.version !== "" ? this.pack.version : r.getPolicypackversion(),
            description: r.getDescription(),
        });
    }
}

/**
 * `generateSteps`: for each analyzed resource, a `Remediate` pass (its properties replace the inputs, its
 * diagnostics report as advisory) and then an `Analyze` pass. Violations are reported against the analyzed
 * resource's URN ("For now, we always use the URN we have here").
 */
async function analyzeResources(client: Rpc, view: readonly EngineResource[], run: RunState, dryRun: boolean): Promise<void> {
    const providers = new Map(view.filter((r) => isProviderType(r.type)).map((r) => [r.urn, r]));
    for (const resource of view) {
        if (!resource.analyzed) continue;
        let inputs = resource.inputs;
        const provider = resource.providerUrn === undefined ? undefined : providers.get(resource.providerUrn);

        let started = performance.now();
        const remediation = await client.unary<analyzerPbTypes.AnalyzeRequest, analyzerPbTypes.RemediateResponse>(
            "remediate", analyzeRequest(resource, inputs, provider, false),
        ).catch((err: unknown) => {
            if (isUnimplemented(err)) return undefined;
            throw new Error(`failed to run remediation on ${resource.urn}: ${(err as Error).message}`);
        });
        run.timings.remediateMs += performance.now() - started;
        for (const r of remediation?.getRemediationsList() ?? []) {
            if (r.getDiagnostic() !== "") {
                const d = new proto.pb.AnalyzeDiagnostic();
                d.setPolicyname(r.getPolicyname());
                d.setPolicypackname(r.getPolicypackname());
                d.setPolicypackversion(r.getPolicypackversion());
                d.setDescription(r.getDescription());
                d.setMessage(r.getDiagnostic());
                d.setEnforcementlevel(proto.pb.EnforcementLevel.ADVISORY);
                run.add(d, resource.urn);
            } else if (r.getProperties() !== undefined) {
                inputs = (r.getProperties()?.toJavaScript() ?? {}) as Record<string, unknown>;
                run.addRemediation(resource.urn, r);
            }
        }

        started = performance.now();
        const response = await client.unary<analyzerPbTypes.AnalyzeRequest, analyzerPbTypes.AnalyzeResponse>(
            "analyze", analyzeRequest(resource, inputs, provider, true),
        ).catch((err: unknown) => {
            throw new Error(`failed to run policy on ${resource.urn}: ${(err as Error).message}`);
        });
        run.timings.analyzeMs += performance.now() - started;
        run.timings.analyzeCalls += 1;
        let mandatory = false;
        for (const d of response.getDiagnosticsList()) {
            if (run.add(d, resource.urn) === "mandatory") mandatory = true;
        }
        if (mandatory && !dryRun) {
            // step_generator.go: a mandatory violation outside preview makes the resource invalid and the
            // deployment bails; no later resource is analyzed and AnalyzeResources is skipped.
            run.halted = { urn: resource.urn };
            return;
        }
    }
}

/**
 * `AnalyzeResources`: every new state, with its outputs. A diagnostic's URN is kept when it names a
 * resource of the stack; otherwise the violation is stack-wide (the engine shows it on the root stack).
 * The engine ranges over a concurrent map, so its order is unspecified; this sends registration order.
 */
async function analyzeStack(client: Rpc, view: readonly EngineResource[], run: RunState): Promise<void> {
    const providers = new Map(view.filter((r) => isProviderType(r.type)).map((r) => [r.urn, r]));
    const req = new proto.pb.AnalyzeStackRequest();
    req.setResourcesList(view.map((r) => {
        const res = new proto.pb.AnalyzerResource();
        res.setUrn(r.urn);
        res.setType(r.type);
        res.setName(r.name);
        res.setProperties(toStruct(toAnalyzerProperties(r.outputs)));
        res.setOptions(resourceOptions(r));
        const provider = r.providerUrn === undefined ? undefined : providers.get(r.providerUrn);
        if (provider !== undefined) res.setProvider(providerResource(provider));
        res.setParent(r.parent);
        res.setDependenciesList([...r.dependencies]);
        for (const [key, urns] of Object.entries(r.propertyDependencies)) {
            if (urns.length === 0) continue; // "Skip properties that have no dependencies."
            const deps = new proto.pb.AnalyzerPropertyDependencies();
            deps.setUrnsList([...urns]);
            res.getPropertydependenciesMap().set(key, deps);
        }
        return res;
    }));
    const started = performance.now();
    let response: analyzerPbTypes.AnalyzeResponse;
    try {
        response = await client.unary("analyzeStack", req);
    } catch (err) {
        if (isUnimplemented(err)) return;
        throw new Error(`failed to run stack policy: ${(err as Error).message}`);
    } finally {
        run.timings.analyzeStackMs = performance.now() - started;
    }
    const urns = new Set(view.map((r) => r.urn));
    for (const d of response.getDiagnosticsList()) {
        run.add(d, urns.has(d.getUrn()) ? d.getUrn() : undefined);
    }
}

function analyzeRequest(r: EngineResource, inputs: Record<string, unknown>, provider: EngineResource | undefined, skipInternalKeys: boolean): analyzerPbTypes.AnalyzeRequest {
    const req = new proto.pb.AnalyzeRequest();
    req.setUrn(r.urn);
    req.setType(r.type);
    req.setName(r.name);
    req.setProperties(toStruct(toAnalyzerProperties(inputs, skipInternalKeys)));
    req.setOptions(resourceOptions(r));
    if (provider !== undefined) req.setProvider(providerResource(provider));
    return req;
}

/** `marshalResourceOptions`: custom timeouts always set, `deleteBeforeReplaceDefined` from the pointer. */
function resourceOptions(r: EngineResource): analyzerPbTypes.AnalyzerResourceOptions {
    const opts = new proto.pb.AnalyzerResourceOptions();
    opts.setProtect(r.protect);
    opts.setIgnorechangesList([...r.ignoreChanges]);
    opts.setDeletebeforereplace(r.deleteBeforeReplace ?? false);
    opts.setDeletebeforereplacedefined(r.deleteBeforeReplace !== undefined);
    opts.setAdditionalsecretoutputsList([...r.additionalSecretOutputs]);
    opts.setAliasesList([...r.aliases]);
    const timeouts = new proto.pb.AnalyzerResourceOptions.CustomTimeouts();
    timeouts.setCreate(r.customTimeouts.create);
    timeouts.setUpdate(r.customTimeouts.update);
    timeouts.setDelete(r.customTimeouts.delete);
    opts.setCustomtimeouts(timeouts);
    opts.setParent(r.parent);
    return opts;
}

/** `marshalProvider`: the provider's URN, type, name and inputs. */
function providerResource(p: EngineResource): analyzerPbTypes.AnalyzerProviderResource {
    const res = new proto.pb.AnalyzerProviderResource();
    res.setUrn(p.urn);
    res.setType(p.type);
    res.setName(p.name);
    res.setProperties(toStruct(toAnalyzerProperties(p.inputs)));
    return res;
}

function toStruct(value: Record<string, unknown>): structPbTypes.Struct {
    return proto.Struct.fromJavaScript(value as Record<string, structPbTypes.JavaScriptValue>);
}

// ------------------------------------------------------------------------------------------------
// Results
// ------------------------------------------------------------------------------------------------

function toPolicyInfo(p: PackPolicy, level: EnforcementLevel): PolicyInfo {
    return {
        name: p.name,
        ...(p.displayName ? { displayName: p.displayName } : {}),
        description: p.description,
        enforcementLevel: level,
        ...(p.severity ? { severity: p.severity } : {}),
        ...(p.remediationSteps ? { remediationSteps: p.remediationSteps } : {}),
        ...(p.url ? { url: p.url } : {}),
        ...(p.tags.length > 0 ? { tags: p.tags } : {}),
        ...(p.configSchema ? {
            configSchema: {
                type: "object",
                properties: p.configSchema.properties,
                ...(p.configSchema.required.length > 0 ? { required: p.configSchema.required } : {}),
            },
        } : {}),
    };
}

/** Stable order: URN (stack-wide first), then policy name, then message. */
export function sortViolations(violations: readonly PolicyViolation[]): PolicyViolation[] {
    const cmp = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);
    return [...violations].sort((a, b) => cmp(a.urn ?? "", b.urn ?? "") || cmp(a.policyName, b.policyName) || cmp(a.message, b.message));
}

function levelFromProto(level: analyzerPbTypes.EnforcementLevel): EnforcementLevel {
    switch (level) {
        case proto.pb.EnforcementLevel.ADVISORY: return "advisory";
        case proto.pb.EnforcementLevel.MANDATORY: return "mandatory";
        case proto.pb.EnforcementLevel.REMEDIATE: return "remediate";
        case proto.pb.EnforcementLevel.DISABLED: return "disabled";
        default: throw new Error(`invalid enforcement level ${String(level)}`);
    }
}

function levelToProto(level: EnforcementLevel): analyzerPbTypes.EnforcementLevel {
    switch (level) {
        case "advisory": return proto.pb.EnforcementLevel.ADVISORY;
        case "mandatory": return proto.pb.EnforcementLevel.MANDATORY;
        case "remediate": return proto.pb.EnforcementLevel.REMEDIATE;
        case "disabled": return proto.pb.EnforcementLevel.DISABLED;
    }
}

function severityFromProto(severity: analyzerPbTypes.PolicySeverity): Severity | undefined {
    switch (severity) {
        case proto.pb.PolicySeverity.POLICY_SEVERITY_LOW: return "low";
        case proto.pb.PolicySeverity.POLICY_SEVERITY_MEDIUM: return "medium";
        case proto.pb.PolicySeverity.POLICY_SEVERITY_HIGH: return "high";
        case proto.pb.PolicySeverity.POLICY_SEVERITY_CRITICAL: return "critical";
        default: return undefined;
    }
}

// ------------------------------------------------------------------------------------------------
// The SDK's modules
// ------------------------------------------------------------------------------------------------

const localRequire = createRequire(import.meta.url);
/** Resolves from @pulumi/pulumi's own location, so grpc-js and google-protobuf are the SDK's copies. */
const sdkRequire = createRequire(localRequire.resolve("@pulumi/pulumi/package.json"));

/**
 * The SDK's generated messages and client, and the grpc-js / google-protobuf instances they were built
 * with (the client checks `credentials instanceof ChannelCredentials` against its own grpc-js).
 */
const proto = {
    pb: sdkRequire("./proto/analyzer_pb") as typeof analyzerPbTypes,
    AnalyzerClient: (sdkRequire("./proto/analyzer_grpc_pb") as typeof analyzerGrpcTypes).AnalyzerClient,
    grpc: sdkRequire("@grpc/grpc-js") as typeof grpcTypes,
    Struct: (sdkRequire("google-protobuf/google/protobuf/struct_pb") as typeof structPbTypes).Struct,
    Empty: (sdkRequire("google-protobuf/google/protobuf/empty_pb") as typeof emptyPbTypes).Empty,
};
