/**
 * The analysis passes: `Remediate` and `Analyze` per resource as `generateSteps` calls them, then `AnalyzeStack`
 * as `AnalyzeResources` does, the requests they send, and the diagnostics and remediations they collect.
 */
import { performance } from "node:perf_hooks";
import type * as analyzerPbTypes from "@pulumi/pulumi/proto/analyzer_pb";
import type { EnforcementLevel, PolicyViolation } from "../policyResult";
import { isProviderType, type EngineResource } from "./engineView";
import { encodeWithProperties, toAnalyzerProperties, toStruct } from "./properties";
import { levelFromProto, severityFromProto } from "./results";
import { isUnimplemented, type PackInfo, type Rpc } from "./rpc";
import { proto } from "./sdk";
import type { PolicyRemediation } from "./types";

/** Collects what the RPCs return. */
export class RunState {
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
 *
 * The engine calls them one resource after the other. In a preview (`dryRun`) no resource's calls depend on
 * another's, so they are all sent at once and the pack answers them as fast as it can; each resource's answers
 * are then taken in registration order, so the results are those of the engine's order (and the first failure
 * in that order is the one reported). Outside preview they go one by one: the first resource with a mandatory
 * violation stops the run, and no later resource may be analyzed.
 *
 * `run.timings`: `remediateMs` until every `Remediate` was answered, `analyzeMs` from then until every `Analyze`
 * was (one after the other outside preview, each call's duration summed).
 * @throws {Error} naming the resource when an RPC fails (a policy that throws fails `Analyze`)
 */
export async function analyzeResources(client: Rpc, view: readonly EngineResource[], run: RunState, dryRun: boolean): Promise<void> {
    const providers = new Map(view.filter((r) => isProviderType(r.type)).map((r) => [r.urn, r]));
    const analyzed = view.filter((r) => r.analyzed).map((r) => ({ resource: r, provider: r.providerUrn === undefined ? undefined : providers.get(r.providerUrn) }));
    if (!dryRun) {
        for (const { resource, provider } of analyzed) {
            let started = performance.now();
            const remediation = await remediate(client, resource, provider);
            run.timings.remediateMs += performance.now() - started;
            started = performance.now();
            addRemediations(run, resource.urn, remediation);
            const response = await analyze(client, resource, remediatedInputs(resource, remediation), provider);
            run.timings.analyzeMs += performance.now() - started;
            if (addDiagnostics(run, resource.urn, response)) {
                // step_generator.go: a mandatory violation outside preview makes the resource invalid and the
                // deployment bails; no later resource is analyzed and AnalyzeResources is skipped.
                run.halted = { urn: resource.urn };
                return;
            }
        }
        return;
    }
    const started = performance.now();
    const remediations = analyzed.map(({ resource, provider }) => remediate(client, resource, provider));
    // Each resource's Analyze waits for its own Remediate only; its inputs are the remediated ones.
    const answers = analyzed.map(({ resource, provider }, i) => remediations[i]!.then((remediation) => ({
        remediation,
        response: analyze(client, resource, remediatedInputs(resource, remediation), provider),
    })));
    answers.forEach((a) => a.then((r) => r.response).catch(() => undefined));
    await Promise.allSettled(remediations);
    const remediated = performance.now();
    run.timings.remediateMs += remediated - started;
    for (const [i, { resource }] of analyzed.entries()) {
        const { remediation, response } = await answers[i]!;
        addRemediations(run, resource.urn, remediation);
        addDiagnostics(run, resource.urn, await response);
    }
    run.timings.analyzeMs += performance.now() - remediated;
}

/** `Remediate` (optional for a pack: Unimplemented is no remediation). */
async function remediate(client: Rpc, resource: EngineResource, provider: EngineResource | undefined): Promise<analyzerPbTypes.RemediateResponse | undefined> {
    return client.unaryEncoded<analyzerPbTypes.RemediateResponse>("remediate", analyzeRequest(resource, resource.inputs, provider, false)).catch((err: unknown) => {
        if (isUnimplemented(err)) return undefined;
        throw new Error(`failed to run remediation on ${resource.urn}: ${(err as Error).message}`);
    });
}

/** `Analyze` of `inputs` (the resource's, or as remediated); counts the call. */
async function analyze(client: Rpc, resource: EngineResource, inputs: Record<string, unknown>, provider: EngineResource | undefined): Promise<analyzerPbTypes.AnalyzeResponse> {
    return client.unaryEncoded<analyzerPbTypes.AnalyzeResponse>("analyze", analyzeRequest(resource, inputs, provider, true)).catch((err: unknown) => {
        throw new Error(`failed to run policy on ${resource.urn}: ${(err as Error).message}`);
    });
}

/** The inputs after the remediations: the properties of the last remediation that changed them, else the resource's own. */
function remediatedInputs(resource: EngineResource, remediation: analyzerPbTypes.RemediateResponse | undefined): Record<string, unknown> {
    let inputs = resource.inputs;
    for (const r of remediation?.getRemediationsList() ?? []) {
        if (r.getDiagnostic() === "" && r.getProperties() !== undefined) inputs = (r.getProperties()?.toJavaScript() ?? {}) as Record<string, unknown>;
    }
    return inputs;
}

/**
 * Records what `Remediate` returned: a remediation's diagnostic reports as advisory, a remediation that changed
 * the properties is recorded (the properties are not: they may hold secrets).
 */
function addRemediations(run: RunState, urn: string, remediation: analyzerPbTypes.RemediateResponse | undefined): void {
    for (const r of remediation?.getRemediationsList() ?? []) {
        if (r.getDiagnostic() !== "") {
            const d = new proto.pb.AnalyzeDiagnostic();
            d.setPolicyname(r.getPolicyname());
            d.setPolicypackname(r.getPolicypackname());
            d.setPolicypackversion(r.getPolicypackversion());
            d.setDescription(r.getDescription());
            d.setMessage(r.getDiagnostic());
            d.setEnforcementlevel(proto.pb.EnforcementLevel.ADVISORY);
            run.add(d, urn);
        } else if (r.getProperties() !== undefined) {
            run.addRemediation(urn, r);
        }
    }
}

/**
 * Records `Analyze`'s diagnostics against `urn` and counts the call.
 * @returns whether one of them is mandatory
 */
function addDiagnostics(run: RunState, urn: string, response: analyzerPbTypes.AnalyzeResponse): boolean {
    run.timings.analyzeCalls += 1;
    let mandatory = false;
    for (const d of response.getDiagnosticsList()) {
        if (run.add(d, urn) === "mandatory") mandatory = true;
    }
    return mandatory;
}

/**
 * `AnalyzeResources`: every new state, with its outputs. A diagnostic's URN is kept when it names a
 * resource of the stack; otherwise the violation is stack-wide (the engine shows it on the root stack).
 * The engine ranges over a concurrent map, so its order is unspecified; this sends registration order.
 */
export async function analyzeStack(client: Rpc, view: readonly EngineResource[], run: RunState): Promise<void> {
    const providers = new Map(view.filter((r) => isProviderType(r.type)).map((r) => [r.urn, r]));
    // AnalyzeStackRequest: `resources` = 1, each an AnalyzerResource encoded with its properties.
    const req = new proto.BinaryWriter();
    for (const r of view) {
        const res = new proto.pb.AnalyzerResource();
        res.setUrn(r.urn);
        res.setType(r.type);
        res.setName(r.name);
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
        req.writeBytes(1, encodeWithProperties(res, toAnalyzerProperties(r.outputs)));
    }
    const started = performance.now();
    let response: analyzerPbTypes.AnalyzeResponse;
    try {
        response = await client.unaryEncoded("analyzeStack", req.getResultBuffer());
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

/** The `AnalyzeRequest` of `Remediate` and `Analyze`, encoded. */
function analyzeRequest(r: EngineResource, inputs: Record<string, unknown>, provider: EngineResource | undefined, skipInternalKeys: boolean): Uint8Array {
    const req = new proto.pb.AnalyzeRequest();
    req.setUrn(r.urn);
    req.setType(r.type);
    req.setName(r.name);
    req.setOptions(resourceOptions(r));
    if (provider !== undefined) req.setProvider(providerResource(provider));
    return encodeWithProperties(req, toAnalyzerProperties(inputs, skipInternalKeys));
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
