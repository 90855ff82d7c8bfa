/**
 * End to end: the serialized `HealthGate` provider, exactly as `pulumi up` runs it, against the sample api
 * Worker in workerd (`wrangler dev` on the generated wrangler.jsonc): a healthy deploy passes, and a
 * deploy with a broken binding (LOG_LEVEL outside the env contract) fails naming the check.
 */
import * as path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type * as pulumi from "@pulumi/pulumi";
import type { HealthGateInputs, HealthGateOutputs } from "../../components/cloudflare/healthGate/healthGateProvider";
import { API_HEALTH_CHECKS } from "../helpers/notesApp";
import { HEALTH_GATE_TYPE, loadSerializedProvider, planDynamicResources, type SerializedResource } from "../helpers/serializedProviders";
import { startPostgres, type PostgresServer } from "../../tools/lib/postgres";
import { generateSampleWorkspace, hyperdriveEnv, startWranglerDev, type GeneratedWorkspace, type WranglerDev } from "../helpers/wrangler";

let workspace: GeneratedWorkspace;
let planned: SerializedResource;
let provider: pulumi.dynamic.ResourceProvider;
let healthy: WranglerDev;
let broken: WranglerDev;
let database: PostgresServer;

beforeAll(async () => {
    const [generated, resources] = await Promise.all([generateSampleWorkspace("staging"), planDynamicResources("staging")]);
    workspace = generated;
    database = await startPostgres();
    const env = hyperdriveEnv(database.url);
    planned = resources.find((r) => r.type === HEALTH_GATE_TYPE && r.name === "api-health-gate")!;
    provider = loadSerializedProvider(planned.provider);
    const config = workspace.services.api!.configPath;
    [healthy, broken] = await Promise.all([
        startWranglerDev({ configs: [config], persistTo: path.join(workspace.root, "state-healthy"), scratchDir: path.join(workspace.root, "healthy"), env }),
        startWranglerDev({ configs: [config], persistTo: path.join(workspace.root, "state-broken"), scratchDir: path.join(workspace.root, "broken"), extraArgs: ["--var", "LOG_LEVEL:verbose"], env }),
    ]);
}, 90_000);

afterAll(async () => {
    await Promise.all([healthy?.stop(), broken?.stop()]);
    await Promise.all([workspace?.remove(), database?.stop()]);
});

/** The planned gate's inputs, pointed at a local `wrangler dev`. */
function gateFor(dev: WranglerDev, timeoutSeconds: number): HealthGateInputs {
    const inputs = planned.inputs as unknown as HealthGateInputs;
    return { ...inputs, url: `${dev.url}${new URL(inputs.url).pathname}`, timeoutSeconds, intervalSeconds: 1 };
}

describe("health gate against the api Worker in workerd", () => {
    it("passes a healthy deploy with every expected check ok", async () => {
        const result = await provider.create!(gateFor(healthy, 20));
        expect(result.outs as HealthGateOutputs).toMatchObject({ checks: API_HEALTH_CHECKS, expectedChecks: API_HEALTH_CHECKS });
    }, 30_000);

    it("fails a deploy whose binding breaks the env contract, naming the env check and LOG_LEVEL but not its value", async () => {
        const error = await provider.create!(gateFor(broken, 2)).then(() => undefined, (e: Error) => e);
        expect(error).toBeInstanceOf(Error);
        expect(error!.message).toMatch(/^Health gate failed for service api: GET http:\/\/127\.0\.0\.1:\d+\/health did not answer healthy within 2 s/);
        expect(error!.message).toContain("Failing checks: env\n  - env: env contract violated by LOG_LEVEL");
        expect(error!.message).toContain('Last answer: HTTP 503, report status "fail".');
        expect(error!.message).not.toContain("verbose");
    }, 30_000);
});
