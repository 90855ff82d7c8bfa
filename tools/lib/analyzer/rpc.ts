/**
 * RPCs: the generated client's unary calls as promises, and the calls that set a pack up the way
 * `NewPolicyAnalyzer` and `installAndLoadPolicyPlugins` do (`Handshake`, `ConfigureStack`, `GetAnalyzerInfo`,
 * `Configure`).
 */
import type * as grpcTypes from "@grpc/grpc-js";
import type * as analyzerPbTypes from "@pulumi/pulumi/proto/analyzer_pb";
import type * as analyzerGrpcTypes from "@pulumi/pulumi/proto/analyzer_grpc_pb";
import type * as structPbTypes from "google-protobuf/google/protobuf/struct_pb";
import type { EnforcementLevel } from "../policyResult";
import type { EngineConfig } from "../stackFiles";
import { UNUSED_ENGINE_ADDRESS, type PolicyProject } from "./packProcess";
import { PolicyConfigError, reconcilePolicyConfig, type PackPolicy, type PolicyConfigEntry, type PolicyPackConfig } from "./policyConfig";
import { levelFromProto, levelToProto, severityFromProto } from "./results";
import { proto } from "./sdk";
import type { RunPolicyPackOptions } from "./types";

type UnaryMethod = "getAnalyzerInfo" | "getPluginInfo" | "configure" | "handshake" | "configureStack";
/** The calls that carry resource properties, sent encoded (`encodeWithProperties` in ./properties). */
type EncodedMethod = "analyze" | "analyzeStack" | "remediate";

/** Promise wrapper over the generated client's unary methods, with a deadline. */
export class Rpc {
    constructor(private readonly client: analyzerGrpcTypes.AnalyzerClient, private readonly timeoutMs: number) {}

    unary<Req, Res>(method: UnaryMethod, request: Req): Promise<Res> {
        const fn = (this.client[method] as unknown as (
            req: Req, metadata: grpcTypes.Metadata, opts: Partial<grpcTypes.CallOptions>,
            cb: (err: grpcTypes.ServiceError | null, res: Res) => void) => void).bind(this.client);
        return new Promise((resolve, reject) => {
            fn(request, new proto.grpc.Metadata(), { deadline: Date.now() + this.timeoutMs }, (err, res) => (err ? reject(err) : resolve(res)));
        });
    }

    /** A unary call whose request message is already encoded; the response is decoded as the generated client does. */
    unaryEncoded<Res>(method: EncodedMethod, request: Uint8Array): Promise<Res> {
        const definition = proto.AnalyzerService[method];
        const deserialize = definition.responseDeserialize as (bytes: Buffer) => Res;
        const serialize = (bytes: Uint8Array) => Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
        return new Promise((resolve, reject) => {
            this.client.makeUnaryRequest(definition.path, serialize, deserialize, request, new proto.grpc.Metadata(), { deadline: Date.now() + this.timeoutMs },
                (err, res) => (err ? reject(err) : resolve(res!)));
        });
    }
}

export function isUnimplemented(err: unknown): boolean {
    return (err as { code?: unknown }).code === proto.grpc.status.UNIMPLEMENTED;
}

/** `NewPolicyAnalyzer`: `Handshake` (optional for a pack), then `ConfigureStack` (optional too). */
export async function handshakeAndConfigureStack(client: Rpc, packDir: string, options: Pick<RunPolicyPackOptions, "stack" | "project" | "organization" | "stackTags">, dryRun: boolean, config: EngineConfig): Promise<void> {
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

export interface PackInfo {
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
export function readAnalyzerInfo(info: analyzerPbTypes.AnalyzerInfo, project: PolicyProject): PackInfo {
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
export async function configurePack(client: Rpc, pack: PackInfo, given: PolicyPackConfig): Promise<{ levels: Map<string, EnforcementLevel>; warnings: string[] }> {
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
