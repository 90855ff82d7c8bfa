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
import * as path from "node:path";
import { performance } from "node:perf_hooks";
import type * as analyzerPbTypes from "@pulumi/pulumi/proto/analyzer_pb";
import type * as pluginPbTypes from "@pulumi/pulumi/proto/plugin_pb";
import type * as emptyPbTypes from "google-protobuf/google/protobuf/empty_pb";
import { analyzeResources, analyzeStack, RunState } from "./analysis";
import { engineResourceView } from "./engineView";
import { buildPolicyPack } from "./packBuild";
import { packEnvironment, readPolicyProject, startPack, withPackOutput } from "./packProcess";
import { configurePack, handshakeAndConfigureStack, readAnalyzerInfo, Rpc } from "./rpc";
import { sortViolations, toPolicyInfo } from "./results";
import { proto } from "./sdk";
import type { PolicyPackRun, RunPolicyPackOptions } from "./types";

// The modules, each importing only those listed after it: analysis (the Remediate / Analyze / AnalyzeStack
// passes), rpc (client, Handshake, ConfigureStack, GetAnalyzerInfo, Configure), packProcess (PulumiPolicy.yaml,
// spawning and stopping the pack), engineView (which resources the engine analyzes, default providers, URNs),
// properties (wire values), results (PolicyInfo, violations, protocol enums), types (options and results),
// policyConfig (config reconciliation and validation), sdk (the SDK's generated messages and client); and
// packBuild (the pack bundled for a fast start), which imports none of them.
export { engineResourceView, type EngineResource, type EngineViewOptions } from "./engineView";
export {
    PolicyConfigError,
    reconcilePolicyConfig,
    type PackPolicy,
    type PolicyConfigEntry,
    type PolicyPackConfig,
    type ReconciledPolicyConfig,
} from "./policyConfig";
export { toAnalyzerProperties } from "./properties";
export { sortViolations } from "./results";
export type { PolicyPackRun, PolicyRemediation, PolicyResource, RunPolicyPackOptions } from "./types";

/**
 * Starts the pack, configures it for the stack and runs `Remediate` + `Analyze` for every resource the engine
 * would analyze, then `AnalyzeStack` over all of them, and stops the pack (also on failure): {@link startPolicyPack}
 * then {@link StartedPolicyPack.analyze}.
 *
 * @returns every policy with its level in force, and the violations sorted by URN, policy name, message
 * @throws {PolicyConfigError} when `policyConfig` does not parse or does not match a policy's `configSchema`
 *   (names the policy and property), or sets a policy the pack does not have without an enforcement level
 * @throws {Error} when `PulumiPolicy.yaml` is missing or not a Node.js pack, the pack's dependencies do not
 *   resolve, the pack exits or times out before printing its port, a provider reference names a provider
 *   that was not registered, or an RPC fails (a policy that throws fails `Analyze`, as in the engine)
 */
export async function runPolicyPack(options: RunPolicyPackOptions): Promise<PolicyPackRun> {
    return (await startPolicyPack(options)).analyze(options.resources);
}

/** A pack process started by {@link startPolicyPack}, connected, not yet configured. */
export interface StartedPolicyPack {
    /**
     * Configures the pack for the stack, analyzes `resources` as {@link runPolicyPack} does, and stops the pack
     * (also on failure). Call it once.
     */
    analyze(resources: RunPolicyPackOptions["resources"]): Promise<PolicyPackRun>;
    /** Stops the pack without analyzing (when the program failed). */
    stop(): Promise<void>;
}

/**
 * Starts the pack process and connects to it, so it can start while the program still runs: it needs nothing
 * of the program until {@link StartedPolicyPack.analyze}. With `build`, the pack is bundled first
 * (`./packBuild.ts`) and Node runs that instead of run-policy-pack compiling the pack with ts-node.
 * @throws {Error} as {@link runPolicyPack} for a pack that is missing or does not start.
 */
export async function startPolicyPack(options: Omit<RunPolicyPackOptions, "resources">): Promise<StartedPolicyPack> {
    const began = performance.now();
    const packDir = path.resolve(options.packDir);
    const project = readPolicyProject(packDir);
    const dryRun = options.dryRun ?? true;
    const stackConfig = options.stackConfig ?? { config: {}, secretKeys: [] };
    const timeoutMs = options.timeoutMs ?? 120_000;
    const pack = await startPack(packDir, {
        built: options.build === true ? buildPolicyPack(packDir) : undefined,
        nodeArgs: options.nodeArgs ?? [],
        env: packEnvironment(options.project, options.stack, options.organization ?? "", dryRun, stackConfig),
        timeoutMs,
        onSpawn: options.onSpawn,
    });
    const startMs = performance.now() - began;
    const analyze = async (resources: RunPolicyPackOptions["resources"]): Promise<PolicyPackRun> => {
        try {
            const view = engineResourceView(resources, {
                project: options.project,
                stack: options.stack,
                stackConfig,
                providerVersions: options.providerVersions,
            });
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
    };
    return { analyze, stop: pack.stop };
}
