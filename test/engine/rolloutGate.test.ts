/**
 * The rollout gate through its lifecycle under the real Pulumi engine: the serialized provider as the
 * engine's dynamic provider host runs it, against the Cloudflare API stand-in (deployments API and Workers
 * analytics GraphQL) on 127.0.0.1. `up` promotes a healthy version; a second preview shows no changes; a new
 * version with an error spike fails `up`, traffic goes back to the old version and the gate's state keeps
 * the last good run; `refresh` changes nothing; the next `up` retries the same version; `destroy` calls
 * nothing. The token reaches no file of the backend and no output.
 */
import { randomBytes } from "node:crypto";
import * as path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { RolloutGateProgramArgs } from "../fixtures/engine/rolloutGate";
import { assertOk, createEngineProject, diagnostics, stepOps, type EngineProject, type EngineResult } from "../helpers/engine";
import { startCloudflareApiStandIn, type CloudflareApiStandIn } from "../helpers/cloudflareApiStandIn";

const ROOT = path.resolve(__dirname, "..", "..");
const TOKEN = `rollout-engine-${randomBytes(10).toString("hex")}`;
const SCRIPT = "api-production";
const OLD = "bbbbbbbb-0000-4000-8000-000000000002";
const V1 = "aaaaaaaa-0000-4000-8000-000000000001";
const V2 = "aaaaaaaa-0000-4000-8000-000000000002";

let api: CloudflareApiStandIn;
let engine: EngineProject;
/** Errors the next analytics reads report for each version (requests are always 400). */
let errorsOf: (version: string) => number = () => 2;
const output: string[] = [];

function run(command: "up" | "preview" | "refresh" | "destroy", newVersionId: string): Promise<EngineResult> {
    const args: RolloutGateProgramArgs = {
        accountId: "0123456789abcdef0123456789abcdef", scriptName: SCRIPT, newVersionId,
        rollout: { steps: [50, 100], bakeSeconds: 1, thresholds: { minRequests: 50 }, apiAttempts: 2 },
    };
    return engine.run({
        stack: "production", command,
        env: { CLOUDFLARE_API_TOKEN: TOKEN, CLOUDFLARE_API_BASE_URL: api.baseUrl },
        ...(command === "destroy" || command === "refresh" ? {} : { program: { module: path.join(ROOT, "test", "fixtures", "engine", "rolloutGate.ts"), export: "rolloutGate", args } }),
    }).then((result) => {
        output.push(JSON.stringify(result));
        return result;
    });
}

function ops(result: EngineResult): Record<string, string> {
    return Object.fromEntries(Object.entries(stepOps(result)).map(([urn, op]) => [urn.split("::").pop(), op]));
}

/** What the WorkersDeployment does after a gate that passed: the new version at 100%. */
function promote(version: string): void {
    api.deployments[SCRIPT] = [{ id: `promoted-${version}`, strategy: "percentage", versions: [{ version_id: version, percentage: 100 }] }, ...api.deployments[SCRIPT]!];
}

function live(): string[] {
    return api.deployments[SCRIPT]![0]!.versions.map((v) => `${v.version_id} ${v.percentage}`);
}

beforeAll(async () => {
    api = await startCloudflareApiStandIn({
        token: TOKEN,
        scripts: [{ id: SCRIPT }],
        deployments: { [SCRIPT]: [{ id: "deployment-0", strategy: "percentage", versions: [{ version_id: OLD, percentage: 100 }] }] },
        analytics: () => [OLD, V1, V2].map((version) => ({
            dimensions: { scriptVersion: version }, sum: { requests: 400, errors: errorsOf(version) }, quantiles: { wallTimeP95: 100_000 },
        })),
    });
    engine = await createEngineProject({ project: "platform" });
}, 90_000);

afterAll(async () => {
    await engine?.remove();
    await api?.stop();
});

describe("the rollout gate under the real engine", () => {
    it("up promotes a healthy version through its steps", async () => {
        const up = assertOk(await run("up", V1), "up");
        expect(ops(up)).toMatchObject({ "api-rollout-gate": "create" });
        expect(up.outputs!.outcome!.value).toBe("promoted");
        expect(up.outputs!.oldVersionId!.value).toBe(OLD);
        expect(live()).toEqual([`${V1} 50`, `${OLD} 50`]);
        promote(V1);
    }, 120_000);

    it("a second preview shows no changes and calls nothing", async () => {
        const before = api.requests.length;
        const preview = assertOk(await run("preview", V1), "preview");
        expect(Object.keys(preview.summary)).toEqual(["same"]);
        expect(api.requests.length).toBe(before);
    }, 60_000);

    it("a new version with an error spike fails up, back on the old version, and keeps the last good run in the state", async () => {
        errorsOf = (version) => (version === V2 ? 40 : 2);
        const failed = await run("up", V2);
        expect(failed.ok).toBe(false);
        expect(diagnostics(failed)).toContain(`Rollout gate of service api stopped ${SCRIPT} at step 1 of 1 (50% to version ${V2}):`);
        expect(diagnostics(failed)).toContain("error rate 10.00% (40 errors in 400 requests) is above maxErrorRate 5.00%.");
        expect(live()).toEqual([`${V1} 100`]);
        const [gate] = (await engine.exportStack("production")).filter((r) => r.type === "pulumi-nodejs:dynamic/cloudflare:RolloutGate");
        expect(gate?.outputs).toMatchObject({ newVersionId: V1, outcome: "promoted" });
    }, 120_000);

    it("refresh changes nothing", async () => {
        const before = api.requests.length;
        const refresh = assertOk(await run("refresh", V2), "refresh");
        expect(Object.keys(refresh.summary)).toEqual(["same"]);
        expect(api.requests.length).toBe(before);
    }, 60_000);

    it("the next up retries the same version, and passes once it is healthy", async () => {
        errorsOf = () => 2;
        const up = assertOk(await run("up", V2), "up");
        expect(ops(up)).toMatchObject({ "api-rollout-gate": "update" });
        expect(up.outputs!.oldVersionId!.value).toBe(V1);
    }, 120_000);

    it("destroy forgets the gate and calls nothing; the token is in no file of the backend and no output", async () => {
        const before = api.requests.length;
        const destroy = assertOk(await run("destroy", V2), "destroy");
        expect(destroy.summary).toMatchObject({ delete: 2 });
        expect(api.requests.length).toBe(before);
        for (const { file, text } of await engine.stateFiles()) expect(text.includes(TOKEN), file).toBe(false);
        expect(output.join("\n")).not.toContain(TOKEN);
    }, 60_000);
});
