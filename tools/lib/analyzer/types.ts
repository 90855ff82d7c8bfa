/**
 * The option and result types of `runPolicyPack`: the resources it is given, its options, and what a run returns.
 */
import type { ResourceRecord } from "../mockEngine";
import type { EngineConfig } from "../stackFiles";
import type { PolicyRunResult } from "../policyResult";
import type { PolicyPackConfig } from "./policyConfig";

/**
 * One resource as the program registered it: a {@link ResourceRecord} from the mock engine, plus the
 * registration fields a record may leave out (all optional, with the engine's defaults).
 */
export type PolicyResource = Pick<ResourceRecord,
    "urn" | "type" | "name" | "parent" | "custom" | "protect" | "provider" | "dependencies" | "importId"
    | "deleteBeforeReplace" | "ignoreChanges" | "additionalSecretOutputs" | "inputs" | "outputs"> & {
    /** Whether the program set `deleteBeforeReplace` at all. @default the value of `deleteBeforeReplace` */
    readonly deleteBeforeReplaceDefined?: boolean;
    /** Property name → URNs it depends on (`RegisterResourceRequest.propertyDependencies`; the mock engine records them). @default {} */
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
     * Node.js arguments placed before the run-policy-pack script (or the built pack, with `build`). Note that
     * the CLI's own shim (`pulumi-analyzer-policy`: `node <run-policy-pack> <engine> .`) passes none: run-policy-pack then
     * compiles a TypeScript pack with ts-node (the SDK's vendored 7.0.1, type-checking, the pack directory's
     * tsconfig.json if any). With `--import tsx`, tsx transforms first and ts-node checks tsx's output;
     * the default starts the pack exactly as the CLI does.
     * @default []
     */
    readonly nodeArgs?: readonly string[];
    /**
     * Bundle the pack with esbuild first (`packBuild.ts`, through the bundle cache) and have Node run that
     * JavaScript, instead of the CLI's way (run-policy-pack loading the TypeScript compiler and compiling and
     * type-checking every module of the pack with ts-node on each start). The same policies run with the same
     * `@pulumi/policy` server; only the start is cheaper.
     * When the bundle cache is off (`PLATFORM_BUNDLE_CACHE=off`) the pack runs unbuilt.
     * @default false (as the CLI)
     */
    readonly build?: boolean;
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
        /** From the call to a connected client: building the pack (with `build`) and its process starting up. */
        readonly startMs: number;
        readonly analyzeCalls: number;
        readonly analyzeMs: number;
        readonly remediateMs: number;
        readonly analyzeStackMs: number;
        /** From the start to the end of the analysis; with `startPolicyPack`, also the time between the two calls. */
        readonly totalMs: number;
    };
}
