/**
 * The metric-gated rollout: the `RolloutGate` as the program declares it (mock engine, in a child process as
 * the engine runs it), and its provider in serialized form (the `__provider` string the engine stores)
 * against a local stand-in of the Cloudflare API on 127.0.0.1 that answers the deployments API and the
 * Workers analytics GraphQL queries, validating every query against the documented dataset schema
 * (`helpers/workersAnalyticsGraphql.ts`). Bakes are 1 s.
 */
import { randomBytes } from "node:crypto";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import type * as pulumi from "@pulumi/pulumi";
import { WINDOW_QUERY, type RolloutGateInputs, type RolloutGateOutputs } from "../components/cloudflare/rollout/rolloutGateProvider";
import { ROLLOUT_GATE_TYPE } from "../components/typeTokens";
import { startCloudflareApiStandIn, type CloudflareApiStandIn, type StandInFault } from "./helpers/cloudflareApiStandIn";
import { runScenario, scenarioResource, type ScenarioResult } from "./helpers/offlineScenario";
import { loadSerializedProvider } from "./helpers/serializedProviders";
import type { AdaptiveQuery, AdaptiveRow } from "./helpers/workersAnalyticsGraphql";
import { renderPreview } from "../tools/lib/previewTree";
import { freePort } from "../tools/lib/freePort";

const TOKEN = `rollout-canary-${randomBytes(12).toString("hex")}`;
const ACCOUNT = "0123456789abcdef0123456789abcdef";
const SCRIPT = "canary-production";
const NEW = "aaaaaaaa-0000-4000-8000-000000000001";
const OLD = "bbbbbbbb-0000-4000-8000-000000000002";
const FIRST = "first-production";

/** Figures a version shows in a window: requests, errors, p95 wall time in microseconds (the API's unit). */
type Figures = { requests: number; errors: number; p95Us: number };
const HEALTHY: Figures = { requests: 400, errors: 2, p95Us: 120_000 };

let api: CloudflareApiStandIn;
let planned: ScenarioResult;
let suspended: ScenarioResult;
let withMigrations: ScenarioResult;
let provider: pulumi.dynamic.ResourceProvider;
/** What each analytics call answers, per version: `figures(version, call)` (call counts from 1 per test). */
let figures: (version: string, call: number) => Figures;
let fault: (call: number) => StandInFault | undefined = () => undefined;
let analyticsCalls = 0;
const saved = { token: process.env.CLOUDFLARE_API_TOKEN, base: process.env.CLOUDFLARE_API_BASE_URL };

function config(deployment: object) {
    return {
        config: {
            "platform:accountId": ACCOUNT,
            "platform:zone": JSON.stringify({ id: "fedcba9876543210fedcba9876543210", name: "example.com" }),
            "platform:services": JSON.stringify({ canary: { customDomains: ["canary.example.com"], deployment } }),
        },
        secretKeys: [],
    };
}

beforeAll(async () => {
    api = await startCloudflareApiStandIn({
        token: TOKEN,
        scripts: [{ id: SCRIPT }, { id: FIRST }],
        deployments: { [SCRIPT]: [{ id: "deployment-0", strategy: "percentage", versions: [{ version_id: OLD, percentage: 100 }] }] },
        analytics: (query: AdaptiveQuery): AdaptiveRow[] => {
            analyticsCalls += 1;
            return [NEW, OLD].map((version) => {
                const f = figures(version, analyticsCalls);
                return { dimensions: { scriptVersion: version }, sum: { requests: f.requests, errors: f.errors }, quantiles: { wallTimeP95: f.p95Us } };
            }).filter((row) => query.filter.scriptName === SCRIPT && row.sum.requests! > 0);
        },
        analyticsFault: (call) => fault(call),
    });
    // The plan runs with the token in its environment: it must reach neither the provider text nor the state.
    const rollout = { steps: [10, 50, 100], bakeSeconds: 1, thresholds: { minRequests: 50 }, lowTraffic: { outcome: "fail" } };
    [planned, suspended, withMigrations] = await Promise.all([
        runScenario({ stack: "production", config: config({ strategy: "versions", rollout }), services: ["canary"] }, { CLOUDFLARE_API_TOKEN: TOKEN }),
        runScenario({ stack: "production", config: config({ strategy: "versions", rollout, rollbackTo: OLD }), services: ["canary"] }, { CLOUDFLARE_API_TOKEN: TOKEN }),
        // Live reads from the stand-in: the Worker does not exist yet, so both Durable Object steps are pending.
        runScenario({ stack: "newdo", config: config({ strategy: "versions", rollout }), services: ["canary"] },
            { CLOUDFLARE_API_TOKEN: TOKEN, CLOUDFLARE_API_BASE_URL: api.baseUrl, PLATFORM_OFFLINE_LIVE_READS: "1" }),
    ]);
    provider = loadSerializedProvider(scenarioResource(planned, "canary-rollout-gate").inputs.__provider as string);
    process.env.CLOUDFLARE_API_TOKEN = TOKEN;
    process.env.CLOUDFLARE_API_BASE_URL = api.baseUrl;
}, 60_000);

afterEach(() => {
    // Each test starts from the old version serving everything.
    api.deployments[SCRIPT] = [{ id: "deployment-0", strategy: "percentage", versions: [{ version_id: OLD, percentage: 100 }] }];
    api.requests.length = 0;
    api.analyticsQueries.length = 0;
    analyticsCalls = 0;
});

afterAll(async () => {
    for (const [key, value] of [["CLOUDFLARE_API_TOKEN", saved.token], ["CLOUDFLARE_API_BASE_URL", saved.base]] as const) {
        if (value === undefined) delete process.env[key];
        else process.env[key] = value;
    }
    await api?.stop();
});

/** The planned gate's inputs with the test's version ids and settings. */
function gate(overrides: Partial<RolloutGateInputs> = {}): RolloutGateInputs {
    const { __provider: _provider, ...inputs } = scenarioResource(planned, "canary-rollout-gate").inputs;
    return { ...(inputs as unknown as RolloutGateInputs), newVersionId: NEW, ...overrides };
}

/** Every deployment the gate posted, as `version percentage` lists. */
function posted(): string[][] {
    return api.requests.filter((r) => r.method === "POST" && r.path.endsWith(`/${SCRIPT}/deployments`))
        .map((r) => (r.body as { versions: { version_id: string; percentage: number }[] }).versions.map((v) => `${v.version_id} ${v.percentage}`));
}

function live(): string[] {
    return api.deployments[SCRIPT]![0]!.versions.map((v) => `${v.version_id} ${v.percentage}`);
}

async function failure(inputs: RolloutGateInputs): Promise<Error> {
    const error = await provider.create!(inputs).then(() => undefined, (e: Error) => e);
    if (error === undefined) throw new Error("expected the rollout to fail");
    expect(error.message).not.toContain(TOKEN);
    return error;
}

describe("the rollout gate in the plan", () => {
    it("sits between the version and the deployment, with its steps and thresholds, and calls nothing", () => {
        const gateResource = scenarioResource(planned, "canary-rollout-gate");
        const version = scenarioResource(planned, "canary-version");
        const deployment = scenarioResource(planned, "canary-deployment");
        expect(gateResource.type).toBe(ROLLOUT_GATE_TYPE);
        const { __provider, ...inputs } = gateResource.inputs;
        expect(inputs).toEqual({
            service: "canary", accountId: ACCOUNT, scriptName: SCRIPT, newVersionId: version.id,
            steps: [10, 50, 100], bakeSeconds: 1,
            thresholds: { maxErrorRate: 0.05, maxErrorRateIncrease: 0.01, maxP95Ratio: 2, minRequests: 50 },
            lowTraffic: { outcome: "fail" }, apiAttempts: 5,
        });
        expect(gateResource.dependencies).toContain(version.urn);
        // The deployment declares the final state and waits for the gate.
        expect(deployment.dependencies).toContain(gateResource.urn);
        expect(deployment.inputs).toMatchObject({
            versions: [{ versionId: version.id, percentage: 100 }],
            annotations: { workersMessage: "pulumi up: canary 2.0.0 at 100% after the rollout gate (10% → 50% → 100%)" },
        });
        expect(typeof __provider).toBe("string");
        expect(__provider).not.toContain(TOKEN);
        expect(JSON.stringify(planned.resources)).not.toContain(TOKEN);
        // Only the live-read scenario reached the API, and only to list the account's scripts.
        expect(api.requests.map((r) => `${r.method} ${r.path}`)).toEqual([`GET /client/v4/accounts/${ACCOUNT}/workers/scripts`]);
    });

    it("shows its steps and thresholds in the offline preview", () => {
        const line = renderPreview("production", planned.resources).split("\n").find((l) => l.includes("canary-rollout-gate"));
        expect(line).toMatch(/^ \+ .*pulumi-nodejs:dynamic:RolloutGate\s+canary-rollout-gate\s+create\s+steps 10% → 50% → 100%, bake 1 s; error rate ≤ 5% and ≤ old \+ 1%, p95 ≤ 2× old, ≥ 50 requests; low traffic: fail$/);
        expect(renderPreview("production", suspended.resources)).toContain(`suspended (rollbackTo ${OLD})`);
    });

    it("refuses a version with pending Durable Object migration steps, which cannot be split, saying how to deploy it", () => {
        expect(withMigrations.code).toBe(1);
        expect(withMigrations.stderr).toContain('canary-newdo has pending Durable Object migration steps ("v1", "v2"), and migrations cannot be deployed gradually: ' +
            "deploy this version at 100% first (remove deployment.percentage, or set deployment.rollout.enabled to false)");
    });

    it("is kept but suspended while rollbackTo is set", async () => {
        const gateResource = scenarioResource(suspended, "canary-rollout-gate");
        expect(gateResource.inputs.rollbackTo).toBe(OLD);
        expect(scenarioResource(suspended, "canary-deployment").inputs.versions).toEqual([{ versionId: OLD, percentage: 100 }]);
        const result = await provider.create!(gate({ rollbackTo: OLD }));
        expect((result.outs as RolloutGateOutputs).outcome).toBe("suspended");
        expect(api.requests).toEqual([]);
    });
});

describe("the analytics stand-in", () => {
    it("answers a query outside the documented dataset schema with GraphQL errors, never with data", async () => {
        const post = async (query: string) => (await fetch(`${api.baseUrl}/graphql`, {
            method: "POST",
            headers: { authorization: `Bearer ${TOKEN}`, "content-type": "application/json" },
            body: JSON.stringify({ query, variables: { accountTag: ACCOUNT, scriptName: SCRIPT, datetimeStart: "2026-01-01T00:00:00Z", datetimeEnd: "2026-01-01T00:01:00Z" } }),
        })).json() as { data?: unknown; errors?: { message: string }[] };
        figures = () => HEALTHY;
        fault = () => undefined;
        expect((await post(WINDOW_QUERY)).errors).toBeUndefined();
        for (const [wrong, right] of [["scriptName: $scriptName", "script: $scriptName"], ["wallTimeP95", "p95Duration"], ["workersInvocationsAdaptive(", "workersInvocations("]]) {
            const answer = await post(WINDOW_QUERY.replace(wrong!, right!));
            expect(answer.data, right).toBeUndefined();
            expect(answer.errors?.[0]?.message, right).toMatch(/Cannot query field|is not defined by type|Field "\w+" is not defined/);
        }
    });
});

describe("the serialized RolloutGate provider", () => {
    it("promotes a healthy version through every step, reading each window with the documented query", async () => {
        figures = () => HEALTHY;
        fault = () => undefined;
        const result = await provider.create!(gate());
        const outs = result.outs as RolloutGateOutputs;
        expect(outs).toMatchObject({ outcome: "promoted", oldVersionId: OLD });
        expect(outs.windows.map((w) => [w.percentage, w.newVersion, w.oldVersion, w.lowTraffic])).toEqual([
            [10, { requests: 400, errors: 2, p95Ms: 120 }, { requests: 400, errors: 2, p95Ms: 120 }, false],
            [50, { requests: 400, errors: 2, p95Ms: 120 }, { requests: 400, errors: 2, p95Ms: 120 }, false],
        ]);
        // Steps below 100 only: the WorkersDeployment declares the 100%.
        expect(posted()).toEqual([[`${NEW} 10`, `${OLD} 90`], [`${NEW} 50`, `${OLD} 50`]]);
        expect(api.analyticsQueries).toHaveLength(2);
        for (const [i, query] of api.analyticsQueries.entries()) {
            expect(query).toMatchObject({ accountTag: ACCOUNT, dimensions: ["scriptVersion"], sum: ["requests", "errors"], quantiles: ["wallTimeP95"] });
            expect(Object.keys(query.filter).sort()).toEqual(["datetime_geq", "datetime_leq", "scriptName"]);
            expect(query.filter.scriptName).toBe(SCRIPT);
            // The window covers the step's bake.
            expect(Date.parse(query.filter.datetime_leq!) - Date.parse(query.filter.datetime_geq!)).toBeGreaterThanOrEqual(1000);
            expect(query.filter.datetime_geq).toBe(outs.windows[i]!.from);
        }
        expect(JSON.stringify(outs)).not.toContain(TOKEN);
    });

    it("rolls back an error spike and names the error rate", async () => {
        figures = (version, call) => (version === NEW && call === 2 ? { requests: 400, errors: 30, p95Us: 120_000 } : HEALTHY);
        fault = () => undefined;
        const error = await failure(gate());
        expect(error.message).toContain(`Rollout gate of service canary stopped ${SCRIPT} at step 2 of 2 (50% to version ${NEW}):`);
        expect(error.message).toContain("  - error rate 7.50% (30 errors in 400 requests) is above maxErrorRate 5.00%.");
        expect(error.message).toContain("  - error rate 7.50% is more than maxErrorRateIncrease 1.00% above the old version's 0.50% (2 errors in 400 requests).");
        expect(error.message).toContain(`  new version ${NEW}: 400 requests, 30 errors (7.50%), p95 wall time 120.0 ms`);
        expect(error.message).toContain(`Traffic is back on version ${OLD} at 100%.`);
        expect(posted()).toEqual([[`${NEW} 10`, `${OLD} 90`], [`${NEW} 50`, `${OLD} 50`], [`${OLD} 100`]]);
        expect(live()).toEqual([`${OLD} 100`]);
    });

    it("rolls back a latency regression and names p95", async () => {
        figures = (version) => (version === NEW ? { requests: 400, errors: 2, p95Us: 480_000 } : HEALTHY);
        fault = () => undefined;
        const error = await failure(gate());
        expect(error.message).toContain(`at step 1 of 2 (10% to version ${NEW}):\n  - p95 wall time 480.0 ms is above maxP95Ratio 2 × the old version's 120.0 ms (4.00×).\n`);
        expect(error.message).not.toContain("error rate 0.50% is");
        expect(live()).toEqual([`${OLD} 100`]);
    });

    describe("too little traffic", () => {
        const quiet: Figures = { requests: 12, errors: 0, p95Us: 100_000 };

        it("fails at once with outcome fail, naming the counts", async () => {
            figures = (version) => (version === NEW ? quiet : HEALTHY);
            fault = () => undefined;
            const error = await failure(gate({ lowTraffic: { outcome: "fail" } }));
            expect(error.message).toContain("too little traffic to judge: new version 12 requests, old version 400, minRequests 50 each (lowTraffic.outcome: fail).");
            expect(api.analyticsQueries).toHaveLength(1);
            expect(live()).toEqual([`${OLD} 100`]);
        });

        it("moves on unjudged with outcome promote, and says so in the state", async () => {
            figures = (version) => (version === NEW ? { ...quiet, errors: 6 } : HEALTHY);
            fault = () => undefined;
            const outs = (await provider.create!(gate({ steps: [50, 100], lowTraffic: { outcome: "promote" } }))).outs as RolloutGateOutputs;
            expect(outs.outcome).toBe("promoted");
            expect(outs.windows.map((w) => [w.percentage, w.lowTraffic, w.newVersion.requests])).toEqual([[50, true, 12]]);
            expect(posted()).toEqual([[`${NEW} 50`, `${OLD} 50`]]);
        });

        it("reads again over a growing window with outcome wait, and judges once traffic arrives", async () => {
            figures = (version, call) => (version === NEW && call === 1 ? quiet : HEALTHY);
            fault = () => undefined;
            const outs = (await provider.create!(gate({ steps: [50, 100], lowTraffic: { outcome: "wait", maxWaitSeconds: 5 } }))).outs as RolloutGateOutputs;
            expect(outs).toMatchObject({ outcome: "promoted", windows: [{ percentage: 50, lowTraffic: false, newVersion: { requests: 400 } }] });
            expect(api.analyticsQueries).toHaveLength(2);
            // Same start, later end.
            expect(api.analyticsQueries[1]!.filter.datetime_geq).toBe(api.analyticsQueries[0]!.filter.datetime_geq);
            expect(Date.parse(api.analyticsQueries[1]!.filter.datetime_leq!)).toBeGreaterThan(Date.parse(api.analyticsQueries[0]!.filter.datetime_leq!));
        });

        it("fails after maxWaitSeconds with outcome wait", async () => {
            figures = (version) => (version === NEW ? quiet : HEALTHY);
            fault = () => undefined;
            const error = await failure(gate({ steps: [50, 100], lowTraffic: { outcome: "wait", maxWaitSeconds: 1 } }));
            expect(error.message).toContain("too little traffic to judge after waiting 1 s more (lowTraffic.maxWaitSeconds): new version 12 requests");
            expect(api.analyticsQueries.length).toBeGreaterThanOrEqual(2);
            expect(live()).toEqual([`${OLD} 100`]);
        });
    });

    describe("the analytics endpoint failing", () => {
        it("retries HTTP 500, then fails clearly and leaves traffic on the old version", async () => {
            figures = () => HEALTHY;
            fault = () => ({ status: 500, body: { errors: [{ message: "internal error" }] } });
            const error = await failure(gate({ steps: [50, 100], apiAttempts: 2 }));
            expect(error.message).toContain(`stopped ${SCRIPT} at step 1 of 1 (50% to version ${NEW}): cannot read Workers analytics: ` +
                "Workers analytics: 2 attempts failed (apiAttempts 2); last: HTTP 500: internal error");
            expect(error.message).toContain(`Traffic is back on version ${OLD} at 100%.`);
            expect(api.requests.filter((r) => r.path.endsWith("/graphql"))).toHaveLength(2);
            expect(live()).toEqual([`${OLD} 100`]);
        });

        it("retries HTTP 429 after Retry-After, then fails clearly and leaves traffic on the old version", async () => {
            figures = () => HEALTHY;
            fault = () => ({ status: 429, headers: { "retry-after": "0" }, body: { errors: [{ message: "rate limiter budget depleted" }] } });
            const error = await failure(gate({ steps: [50, 100], apiAttempts: 3 }));
            expect(error.message).toContain("3 attempts failed (apiAttempts 3); last: HTTP 429: rate limiter budget depleted (Retry-After 0 s)");
            expect(api.requests.filter((r) => r.path.endsWith("/graphql"))).toHaveLength(3);
            expect(live()).toEqual([`${OLD} 100`]);
        });

        it("goes on when a retry succeeds", async () => {
            figures = () => HEALTHY;
            let calls = 0;
            fault = () => (++calls === 1 ? { status: 429, headers: { "retry-after": "1" } } : undefined);
            const outs = (await provider.create!(gate({ steps: [50, 100] }))).outs as RolloutGateOutputs;
            expect(outs.outcome).toBe("promoted");
            expect(api.requests.filter((r) => r.path.endsWith("/graphql"))).toHaveLength(2);
        });

        it("does not retry an answer with GraphQL errors, and quotes them", async () => {
            figures = () => HEALTHY;
            fault = () => ({ status: 200, body: { data: null, errors: [{ message: "not authorized for that account" }] } });
            const error = await failure(gate({ steps: [50, 100] }));
            expect(error.message).toContain("cannot read Workers analytics: the GraphQL API answered: not authorized for that account");
            expect(api.requests.filter((r) => r.path.endsWith("/graphql"))).toHaveLength(1);
            expect(live()).toEqual([`${OLD} 100`]);
        });
    });

    it("compares nothing on a first deploy, and re-runs only on a new version", async () => {
        const outs = (await provider.create!(gate({ scriptName: FIRST }))).outs as RolloutGateOutputs;
        expect(outs).toMatchObject({ outcome: "first-deploy", windows: [] });
        expect(api.requests.map((r) => r.method)).toEqual(["GET"]);
        const olds = { ...gate(), outcome: "promoted", windows: [] } as RolloutGateOutputs;
        expect(await provider.diff!("id", olds, gate())).toMatchObject({ changes: false, replaces: [] });
        expect(await provider.diff!("id", olds, gate({ newVersionId: OLD }))).toMatchObject({ changes: true, replaces: [] });
    });

    it("reads analytics from CLOUDFLARE_GRAPHQL_API_URL when it is set, at call time", async () => {
        figures = () => HEALTHY;
        fault = () => undefined;
        const closed = await freePort();
        process.env.CLOUDFLARE_GRAPHQL_API_URL = `http://127.0.0.1:${closed}/graphql`;
        try {
            const error = await failure(gate({ steps: [50, 100], apiAttempts: 1 }));
            expect(error.message).toMatch(/cannot read Workers analytics: Workers analytics: 1 attempt failed \(apiAttempts 1\); last: fetch failed \(.*ECONNREFUSED/);
            expect(api.analyticsQueries).toEqual([]);
            expect(live()).toEqual([`${OLD} 100`]);
        } finally {
            delete process.env.CLOUDFLARE_GRAPHQL_API_URL;
        }
    });

    it("leaves a version that already serves all traffic alone when only the gate's settings changed", async () => {
        api.deployments[SCRIPT] = [{ id: "deployment-1", strategy: "percentage", versions: [{ version_id: NEW, percentage: 100 }] }];
        const result = await provider.update!("rollout-gate:canary", {} as never, gate({ stableVersionId: OLD, bakeSeconds: 2 }));
        expect(result.outs).toMatchObject({ outcome: "already-serving", windows: [] });
        expect(posted()).toEqual([]);
        expect(live()).toEqual([`${NEW} 100`]);
    });

    it("refuses a stableVersionId that is the version being rolled out", async () => {
        const error = await failure(gate({ stableVersionId: NEW }));
        expect(error.message).toContain(`deployment.stableVersionId is ${NEW}, the version being rolled out`);
        expect(posted()).toEqual([]);
    });

    it("fails before calling anything without CLOUDFLARE_API_TOKEN", async () => {
        delete process.env.CLOUDFLARE_API_TOKEN;
        try {
            const error = await provider.create!(gate()).then(() => undefined, (e: Error) => e);
            expect(error?.message).toMatch(/^Rollout gate of service canary needs CLOUDFLARE_API_TOKEN in the environment of `pulumi up`/);
            expect(api.requests).toEqual([]);
        } finally {
            process.env.CLOUDFLARE_API_TOKEN = TOKEN;
        }
    });
});
