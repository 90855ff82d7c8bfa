/**
 * tools/lib/analyzer/analysis.ts, against a stand-in for the pack that answers in any order: a preview sends
 * every resource's `Remediate` and `Analyze` at once, yet records what they return in registration order, as the
 * engine's one-by-one calls would, and reports the first failure in that order; outside preview, the calls go one
 * by one and stop at the first mandatory violation.
 */
import { describe, expect, it } from "vitest";
import type * as analyzerPbTypes from "@pulumi/pulumi/proto/analyzer_pb";
import { analyzeResources, RunState } from "../../tools/lib/analyzer/analysis";
import { engineResourceView } from "../../tools/lib/analyzer/engineView";
import type { PackInfo, Rpc } from "../../tools/lib/analyzer/rpc";
import { proto } from "../../tools/lib/analyzer/sdk";
import type { PolicyResource } from "../../tools/lib/analyzer/types";

const STACK = "urn:pulumi:dev::platform::pulumi:pulumi:Stack::platform-dev";
const urn = (name: string) => `urn:pulumi:dev::platform::platform:test:Thing::${name}`;
const resource = (name: string): PolicyResource => ({
    urn: urn(name), type: "platform:test:Thing", name, parent: STACK, custom: false, protect: false, provider: "",
    dependencies: [], importId: "", deleteBeforeReplace: false, ignoreChanges: [], additionalSecretOutputs: [],
    inputs: { name }, outputs: {},
});
const view = engineResourceView(["a", "b", "c"].map(resource), { project: "platform", stack: "dev", stackConfig: { config: {}, secretKeys: [] } });
const PACK: PackInfo = { name: "pack", displayName: "", version: "1.0.0", supportsConfig: false, policies: [], byName: new Map(), initialConfig: new Map() };

/** A diagnostic of policy `policy` on the resource named in the request. */
function diagnostic(policy: string, level: number): analyzerPbTypes.AnalyzeDiagnostic {
    const d = new proto.pb.AnalyzeDiagnostic();
    d.setPolicyname(policy);
    d.setPolicypackname("pack");
    d.setDescription(policy);
    d.setMessage(`${policy} reported`);
    d.setEnforcementlevel(level);
    return d;
}

/**
 * A pack that answers `Remediate` with nothing and `Analyze` with one diagnostic per resource (or a failure for
 * the resources in `failing`), answering every call only once all of `calls` were made, last call first.
 */
function packAnsweringLastFirst(calls: number, failing: readonly string[], level = proto.pb.EnforcementLevel.ADVISORY): { client: Rpc; sent: string[] } {
    const sent: string[] = [];
    const pending: (() => void)[] = [];
    const client = {
        unaryEncoded: (method: string, request: Uint8Array) => new Promise((resolve, reject) => {
            const name = proto.pb.AnalyzeRequest.deserializeBinary(request).getName();
            sent.push(`${method} ${name}`);
            pending.push(() => {
                if (method === "remediate") resolve(new proto.pb.RemediateResponse());
                else if (failing.includes(name)) reject(new Error(`${name} failed`));
                else {
                    const response = new proto.pb.AnalyzeResponse();
                    response.setDiagnosticsList([diagnostic(`policy-${name}`, level)]);
                    resolve(response);
                }
            });
            if (pending.length === calls) for (const answer of pending.reverse()) answer();
            else if (pending.length > calls) pending.pop()!();
        }),
    } as unknown as Rpc;
    return { client, sent };
}

describe("analyzeResources", () => {
    it("in a preview, sends every Remediate at once and records the answers in registration order", async () => {
        const { client, sent } = packAnsweringLastFirst(3, []);
        const run = new RunState(PACK, new Map());
        await analyzeResources(client, view, run, true);
        expect(sent.slice(0, 3)).toEqual(["remediate a", "remediate b", "remediate c"]);
        expect(sent.slice(3).sort()).toEqual(["analyze a", "analyze b", "analyze c"]);
        expect(run.violations.map((v) => v.urn)).toEqual([urn("a"), urn("b"), urn("c")]);
        expect(run.timings.analyzeCalls).toBe(3);
    });

    it("in a preview, reports the first failure in registration order, not the first answered", async () => {
        const { client } = packAnsweringLastFirst(3, ["b", "c"]);
        await expect(analyzeResources(client, view, new RunState(PACK, new Map()), true)).rejects.toThrow(`failed to run policy on ${urn("b")}: b failed`);
    });

    it("outside preview, goes one resource at a time and stops at the first mandatory violation", async () => {
        const { client, sent } = packAnsweringLastFirst(1, [], proto.pb.EnforcementLevel.MANDATORY);
        const run = new RunState(PACK, new Map());
        await analyzeResources(client, view, run, false);
        expect(sent).toEqual(["remediate a", "analyze a"]);
        expect(run.halted).toEqual({ urn: urn("a") });
    });
});
