/**
 * Deploy safety wired into WorkerService, under the SDK's mock engine (one child process per program, as
 * the engine runs it), with the live reads answered by a local stand-in of the Cloudflare API:
 * Durable Object steps after the live tag, a gradual rollout's versions and percentages, a rollback, the
 * health gates that follow each, and the errors for a rewritten history or a gradual migration.
 */
import { randomBytes } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { bundleWorker } from "../components/cloudflare/bundle";
import { deploySafetyServices } from "./fixtures/deploySafety/services";
import { startCloudflareApiStandIn, type CloudflareApiStandIn } from "./helpers/cloudflareApiStandIn";
import { runScenario, scenarioResource, type ScenarioResult } from "./helpers/offlineScenario";

const TOKEN = `stand-in-${randomBytes(8).toString("hex")}`;
const STABLE = "bbbbbbbb-0000-4000-8000-000000000002";
const OLDER = "cccccccc-0000-4000-8000-000000000003";
const OVERRIDE = "Cloudflare-Workers-Version-Overrides";

function config(services: Record<string, object>) {
    return {
        config: {
            "platform:accountId": "0123456789abcdef0123456789abcdef",
            "platform:zone": JSON.stringify({ id: "fedcba9876543210fedcba9876543210", name: "example.com" }),
            "platform:services": JSON.stringify(services),
        },
        secretKeys: [],
    };
}
const services = {
    core: { customDomains: ["core.example.com"] },
    canary: { customDomains: ["canary.example.com"], deployment: { strategy: "versions", percentage: 10 } },
    rollback: { customDomains: ["rollback.example.com"], deployment: { strategy: "versions", rollbackTo: OLDER } },
};
const deployment = (versionId: string) => [{ id: "d-1", strategy: "percentage" as const, versions: [{ version_id: versionId, percentage: 100 }] }];

let api: CloudflareApiStandIn;
let live: ScenarioResult;
let offline: ScenarioResult;
let rewritten: ScenarioResult;
let gradualMigration: ScenarioResult;

beforeAll(async () => {
    api = await startCloudflareApiStandIn({
        token: TOKEN,
        scripts: [
            { id: "core-production", migration_tag: "v1" },
            { id: "canary-production", migration_tag: "v2" },
            { id: "rollback-production", migration_tag: "v2" },
            { id: "core-staging", migration_tag: "v0" },
            { id: "canary-pending", migration_tag: "v1" },
        ],
        deployments: { "canary-production": deployment(STABLE), "canary-pending": deployment(STABLE) },
    });
    const env = { CLOUDFLARE_API_TOKEN: TOKEN, CLOUDFLARE_API_BASE_URL: api.baseUrl, PLATFORM_OFFLINE_LIVE_READS: "1" };
    [live, offline, rewritten, gradualMigration] = await Promise.all([
        runScenario({ stack: "production", config: config(services), services: ["core", "canary", "rollback"] }, env),
        runScenario({ stack: "production", config: config(services), services: ["core", "canary", "rollback"] }, { CLOUDFLARE_API_TOKEN: TOKEN }),
        runScenario({ stack: "staging", config: config({ core: services.core }), services: ["core"] }, env),
        runScenario({ stack: "pending", config: config({ canary: services.canary }), services: ["canary"] }, env),
    ]);
}, 60_000);

afterAll(async () => {
    await api?.stop();
});

describe("Durable Object migrations after the live tag", () => {
    it("uploads only the steps after the live script's tag, guarded by it", () => {
        expect(scenarioResource(live, "core-script").inputs.migrations).toEqual({ oldTag: "v1", newTag: "v2", steps: [{ newSqliteClasses: ["Admin"] }] });
        // Versioned Workers at the last tag upload no migration at all.
        expect(scenarioResource(live, "canary-version").inputs.migrations).toBeUndefined();
        expect(scenarioResource(live, "rollback-version").inputs.migrations).toBeUndefined();
    });

    it("offline (no live read) assumes a first deploy, says so, and never calls the API", () => {
        expect(scenarioResource(offline, "core-script").inputs.migrations).toEqual({ newTag: "v2", steps: [{ newSqliteClasses: ["Counter"] }, { newSqliteClasses: ["Admin"] }] });
        // With a token but without the opt-in: a read would have gone to api.cloudflare.com and failed the run.
        expect(offline.code, offline.stderr).toBe(0);
        expect(offline.stdout).toContain("core-production: the offline plan never calls the Cloudflare API, so the live Durable Object migration tag of core-production was not read; assuming a first deploy");
    });

    it("fails the run naming the live tag when the history no longer contains it", () => {
        expect(rewritten.code).toBe(1);
        expect(rewritten.stderr).toContain('The live script is at Durable Object migration tag "v0", which durableObjectMigrations does not contain (its tags are "v1", "v2")');
    });

    it("refuses a gradual rollout that carries pending migration steps", () => {
        expect(gradualMigration.code).toBe(1);
        expect(gradualMigration.stderr).toContain('canary-pending has pending Durable Object migration steps ("v2"), and migrations cannot be deployed gradually');
    });
});

describe("versioned deployments", () => {
    it("declares the Worker, a version of the bundled code, and no WorkersScript", () => {
        expect(live.resources.some((r) => r.name === "canary-script" || r.name === "canary-subdomain")).toBe(false);
        const worker = scenarioResource(live, "canary-worker");
        expect(worker.type).toBe("cloudflare:index/worker:Worker");
        expect(worker.inputs).toMatchObject({ name: "canary-production", subdomain: { enabled: false, previewsEnabled: false } });
        const version = scenarioResource(live, "canary-version");
        expect(version.type).toBe("cloudflare:index/workerVersion:WorkerVersion");
        const bundle = bundleWorker(deploySafetyServices.canary!.root, "src/index.js");
        expect(version.inputs).toMatchObject({
            workerId: worker.id,
            mainModule: "index.js",
            modules: [{ name: "index.js", contentType: "application/javascript+module", contentBase64: Buffer.from(bundle.content).toString("base64") }],
            compatibilityDate: "2026-04-01",
            annotations: { workersTag: "2.0.0", workersMessage: "pulumi up: canary 2.0.0" },
            bindings: [
                { name: "COUNTER", type: "durable_object_namespace", className: "Counter" },
                { name: "ADMIN", type: "durable_object_namespace", className: "Admin" },
                { name: "LOG_LEVEL", type: "plain_text", text: "info" },
            ],
        });
    });

    it("rolls out gradually: the new version at the configured share, the live stable version with the rest", () => {
        const version = scenarioResource(live, "canary-version");
        const rollout = scenarioResource(live, "canary-deployment");
        expect(rollout.type).toBe("cloudflare:index/workersDeployment:WorkersDeployment");
        expect(rollout.inputs).toMatchObject({
            scriptName: "canary-production",
            strategy: "percentage",
            versions: [{ versionId: version.id, percentage: 10 }, { versionId: STABLE, percentage: 90 }],
            annotations: { workersMessage: "pulumi up: canary 2.0.0 at 10%" },
        });
        expect(rollout.dependencies).toContain(version.urn);
        // The gate tests the new version, whatever share it has, after the deployment and the domain.
        const gate = scenarioResource(live, "canary-health-gate");
        expect(gate.inputs).toMatchObject({ url: "https://canary.example.com/health", headers: { [OVERRIDE]: `canary-production="${version.id}"` } });
        expect(gate.dependencies).toEqual(expect.arrayContaining([rollout.urn, scenarioResource(live, "canary-domain-canary-example-com").urn]));
        expect(scenarioResource(live, "canary-domain-canary-example-com").dependencies).toContain(rollout.urn);
    });

    it("rolls back: all traffic to the pinned version, which the gate then tests", () => {
        const rollback = scenarioResource(live, "rollback-deployment");
        expect(rollback.inputs).toMatchObject({
            versions: [{ versionId: OLDER, percentage: 100 }],
            annotations: { workersMessage: `pulumi up: rollback of rollback to ${OLDER}` },
        });
        expect(scenarioResource(live, "rollback-health-gate").inputs).toMatchObject({ headers: { [OVERRIDE]: `rollback-production="${OLDER}"` } });
        // A rollback needs no live read, so it plans the same offline.
        expect(scenarioResource(offline, "rollback-deployment").inputs).toMatchObject({ versions: [{ versionId: OLDER, percentage: 100 }] });
        expect(api.requests.some((r) => r.path.endsWith("/rollback-production/deployments"))).toBe(false);
    });

    it("leaves the split unknown in a preview that cannot read the live deployment", () => {
        expect(scenarioResource(offline, "canary-deployment").inputs.versions).toBe("[unknown]");
        expect(offline.stdout).toContain("the current deployment of canary-production was not read; the 10% split is shown as unknown");
    });

    it("gates the plain script after the script and its domain", () => {
        const gate = scenarioResource(live, "core-health-gate");
        expect(gate.inputs).toMatchObject({ url: "https://core.example.com/health", headers: {}, expectedChecks: ["env", "COUNTER", "ADMIN"] });
        expect(gate.dependencies).toEqual(expect.arrayContaining([scenarioResource(live, "core-script").urn, scenarioResource(live, "core-domain-core-example-com").urn]));
    });
});
