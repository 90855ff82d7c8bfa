/**
 * The environment's database under the SDK's mock engine: one HyperdriveConfig per environment from the
 * branch's connection parameters (password a secret), every `hyperdrive` binding bound to it, the
 * generated wrangler config's `hyperdrive` entry; and which Neon branch each stack uses.
 */
import * as path from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { z } from "zod";
import { defineService } from "../components/service/declaration";
import { DEFAULT_LOCAL_DATABASE_URL } from "../components/bindings/hyperdrive";
import { generateWranglerConfig } from "../components/wrangler/generate";
import { ValidationError } from "../components/validation";
import { declareDatabase, expiryOf } from "../infra/database";
import { branchPlanFor, databaseConfigSchema } from "../infra/databaseConfig";
import { definePlatform } from "../infra/program";
import { maskSecrets, runOffline, type OfflineRun, type ResourceRecord } from "../tools/lib/mockEngine";
import { serviceSummaries } from "../tools/lib/serviceSummaries";
import { runScenario, type ScenarioResult } from "./helpers/offlineScenario";

const root = path.join(__dirname, "fixtures", "workers", "basic");
const app = defineService({
    name: "app",
    main: "src/index.js",
    compatibilityDate: "2026-04-01",
    compatibilityFlags: ["nodejs_compat"],
    bindings: { DATABASE: { kind: "hyperdrive" }, REPLICA: { kind: "hyperdrive" } },
    env: z.object({}),
});
const neon = { project: { name: "workers-platform", regionId: "aws-eu-central-1" } };
const HYPERDRIVE = "cloudflare:index/hyperdriveConfig:HyperdriveConfig";
const SCRIPT = "cloudflare:index/workersScript:WorkersScript";

let run: OfflineRun;
const find = (type: string, name: string): ResourceRecord => {
    const found = run.resources.find((r) => r.type === type && r.name === name);
    if (found === undefined) throw new Error(`no ${type} ${name}; have ${run.resources.map((r) => r.name).join(", ")}`);
    return found;
};

beforeAll(async () => {
    run = await runOffline({
        project: "platform",
        stack: "production",
        config: {
            config: {
                "platform:accountId": "0123456789abcdef0123456789abcdef",
                "platform:database": JSON.stringify({ neon }),
            },
            secretKeys: [],
        },
        program: () => ({ services: definePlatform([{ declaration: app, root }], "production").environment.summary }),
    });
});

describe("Hyperdrive wiring under mocks", () => {
    it("declares one HyperdriveConfig per environment (unprotected: it holds no data) with the password as a secret", () => {
        const hyperdrives = run.resources.filter((r) => r.type === HYPERDRIVE);
        expect(hyperdrives.map((r) => r.name)).toEqual(["production-hyperdrive"]);
        const config = hyperdrives[0]!;
        expect(config.protect).toBe(false);
        expect(config.inputs).toMatchObject({ accountId: "0123456789abcdef0123456789abcdef", name: "production-postgres" });
        // The connection parameters come from Neon's connection URI: unknown in a preview, the password secret.
        const origin = maskSecrets(config.inputs.origin) as Record<string, unknown>;
        expect(origin).toMatchObject({ scheme: "postgres", host: "[unknown]", port: "[unknown]", database: "[unknown]", user: "[unknown]" });
        expect(JSON.stringify(origin)).toMatch(/"password":"\[(secret|unknown)\]"/);
    });

    it("binds every hyperdrive binding to the environment's configuration", () => {
        const id = find(HYPERDRIVE, "production-hyperdrive").id;
        expect(find(SCRIPT, "app-script").inputs.bindings).toEqual([
            { name: "DATABASE", type: "hyperdrive", id },
            { name: "REPLICA", type: "hyperdrive", id },
        ]);
        const summary = serviceSummaries(run.resources).app!;
        expect(summary.bindings).toEqual([{ name: "DATABASE", kind: "hyperdrive", target: id }, { name: "REPLICA", kind: "hyperdrive", target: id }]);
        expect(summary.wranglerConfig.config.hyperdrive).toEqual([
            { binding: "DATABASE", id, localConnectionString: DEFAULT_LOCAL_DATABASE_URL },
            { binding: "REPLICA", id, localConnectionString: DEFAULT_LOCAL_DATABASE_URL },
        ]);
    });
});

describe("the production stack's Neon resources", () => {
    it("are the protected project (its default branch), then its endpoint, role and database", () => {
        const neon = run.resources.filter((r) => r.type.startsWith("pulumi-nodejs:dynamic/neon:"));
        expect(neon.map((r) => [r.type.split(":").pop(), r.name, r.protect]).sort()).toEqual([
            ["Connection", "database-production-connection", false],
            ["Database", "database-production-db", false],
            ["Endpoint", "database-production-endpoint", false],
            ["Project", "database-production-project", true],
            ["Role", "database-production-role", false],
        ]);
        // The role's password reaches the connection only as a secret (compared, never sent).
        expect(JSON.stringify(maskSecrets(find("pulumi-nodejs:dynamic/neon:Connection", "database-production-connection").inputs)))
            .toMatch(/"rolePassword":"\[(secret|unknown)\]"/);
        expect(find("pulumi-nodejs:dynamic/neon:Connection", "database-production-connection").additionalSecretOutputs).toEqual(["password", "uri", "rolePassword"]);
        expect(find("pulumi-nodejs:dynamic/neon:Project", "database-production-project").inputs).toMatchObject({ name: "workers-platform", regionId: "aws-eu-central-1", pgVersion: 17 });
        expect(find("pulumi-nodejs:dynamic/neon:Role", "database-production-role").inputs).toMatchObject({ name: "app" });
        expect(find("pulumi-nodejs:dynamic/neon:Database", "database-production-db").inputs).toMatchObject({ name: "app" });
    });
});

describe("Neon ids between stacks", () => {
    const config = (extra: Record<string, unknown> = {}) => ({
        config: { "platform:accountId": "0123456789abcdef0123456789abcdef", "platform:database": JSON.stringify({ neon: { ...neon, ...extra } }) },
        secretKeys: [],
    });
    const branchOf = (result: ScenarioResult) => result.resources.find((r) => r.type === "pulumi-nodejs:dynamic/neon:Branch")!;
    const upstream = {
        "organization/platform/production": { database: { projectId: "damp-sea-123456", branchId: "br-main-1", branchName: "main" } },
        "organization/platform/staging": { database: { projectId: "damp-sea-123456", branchId: "br-staging-1", branchName: "staging" } },
    };

    it("staging reads the project from production's database output; pr-<number> the project and parent from staging's", async () => {
        const [staging, pr] = await Promise.all([
            runScenario({ stack: "staging", config: config(), services: [], preview: false, stackOutputs: upstream }),
            runScenario({ stack: "pr-7", config: config(), services: [], preview: false, stackOutputs: upstream }),
        ]);
        expect(staging.stderr).toBe("");
        expect(branchOf(staging).inputs).toEqual(expect.objectContaining({ projectId: "damp-sea-123456", name: "staging" }));
        expect(branchOf(staging).inputs.parentId).toBeUndefined();
        expect(staging.outputs.database).toMatchObject({ projectId: "damp-sea-123456", branchName: "staging" });
        expect(pr.stderr).toBe("");
        expect(branchOf(pr).inputs).toEqual(expect.objectContaining({ projectId: "damp-sea-123456", name: "pr-7", parentId: "br-staging-1" }));
        expect(pr.outputs.database).toMatchObject({ projectId: "damp-sea-123456", branchName: "pr-7" });
    });

    it("ids in the config win over the stack reference (stacks in another project or backend)", async () => {
        const pr = await runScenario({
            stack: "pr-8", config: config({ projectId: "other-project-1", parentBranchId: "br-elsewhere-2" }), services: [], preview: false,
        });
        expect(pr.stderr).toBe("");
        expect(branchOf(pr).inputs).toEqual(expect.objectContaining({ projectId: "other-project-1", parentId: "br-elsewhere-2" }));
    });

    it("a preview, which cannot read another stack offline, plans with the ids unknown", async () => {
        const staging = await runScenario({ stack: "staging", config: config(), services: [] });
        expect(staging.code).toBe(0);
        expect(branchOf(staging).inputs.projectId).toBe("[unknown]");
    });

    it("fails naming the stack and the config keys when the source stack has no database output", async () => {
        const [pr, staging] = await Promise.all([
            runScenario({
                stack: "pr-9", config: config(), services: [], preview: false,
                stackOutputs: { "organization/platform/staging": { database: { projectId: "damp-sea-123456" } } },
            }),
            runScenario({ stack: "staging", config: config(), services: [], preview: false, stackOutputs: { "organization/platform/production": { services: {} } } }),
        ]);
        expect(pr.code).toBe(1);
        expect(pr.stderr).toContain("stack organization/platform/staging has no database output with projectId and branchId; " +
            "run `pulumi up` on it first, or set platform:database.neon.projectId and parentBranchId");
        expect(staging.code).toBe(1);
        expect(staging.stderr).toContain("stack organization/platform/production has no database output with projectId and branchId; " +
            "run `pulumi up` on it first, or set platform:database.neon.projectId\n");
    });
});

describe("generateWranglerConfig", () => {
    it("fails on a hyperdrive binding without a resolved configuration", () => {
        expect(() => generateWranglerConfig({
            declaration: app, scriptName: "app-staging", serviceDir: "services/app", resources: {}, serviceScripts: {},
            settings: { routes: [], customDomains: [], vars: {}, workersDev: false, crons: [], observability: { enabled: true, headSamplingRate: 1 }, protect: false },
        })).toThrow("binding DATABASE has no resolved hyperdrive resource");
    });
});

describe("branchPlanFor", () => {
    const settings = { branchExpiresInHours: 48 };
    it.each([
        ["production", { kind: "default", branchName: "main" }],
        ["staging", { kind: "child", branchName: "staging", parentBranchName: "main" }],
        ["pr-42", { kind: "ephemeral", branchName: "pr-42", parentBranchName: "staging", expiresInHours: 48 }],
        ["pr-0", undefined],
        ["dev", undefined],
    ])("%s", (stack, expected) => {
        expect(branchPlanFor(stack, settings)).toEqual(expected);
    });
});

describe("declareDatabase", () => {
    const config = databaseConfigSchema.parse({ neon });
    it("writes a PR branch's expiry as RFC 3339 with seconds", () => {
        expect(expiryOf(new Date("2026-11-21T23:30:12.345Z"), 72)).toBe("2026-11-24T23:30:12Z");
    });
    it("refuses stacks that have no branch", () => {
        const error = (() => { try { declareDatabase("dev", config); } catch (e) { return e; } })();
        expect(error).toBeInstanceOf(ValidationError);
        expect((error as Error).message).toMatch(/platform:database: stack "dev" has no Neon branch/);
    });
    it("defaults database, role, Postgres version and the PR branch lifetime", () => {
        expect(config.neon).toMatchObject({ database: "app", role: "app", branchExpiresInHours: 72, project: { pgVersion: 17 } });
    });
});
