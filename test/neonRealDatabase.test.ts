/**
 * The serialized Neon providers (as the dynamic provider host runs them) against the simulator backed by
 * a real PostgreSQL server: the branch chain the stacks declare (production's project and default
 * branch, staging's child branch, a pr-<number> branch of staging with an expiry), each with the
 * endpoint, role, database and connection `infra/database.ts` declares. The NeonConnection outputs, the
 * very values the Hyperdrive configuration is given, connect; a PR branch starts with staging's data and
 * adopts the role and database it inherited; its writes stay on it.
 */
import { randomBytes } from "node:crypto";
import type * as pulumi from "@pulumi/pulumi";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { BranchOutputs, ConnectionOutputs, EndpointOutputs, ProjectOutputs, RoleOutputs } from "../components/neon";
import {
    NEON_BRANCH_TYPE, NEON_CONNECTION_TYPE, NEON_DATABASE_TYPE, NEON_ENDPOINT_TYPE, NEON_PROJECT_TYPE, NEON_ROLE_TYPE,
} from "../components/neon/typeTokens";
import { expiryOf } from "../infra/database";
import { startPostgres, type PostgresServer } from "../tools/lib/postgres";
import { neonProviderEnv, snapshotEnv, startNeonSimulator, type NeonSimulator } from "./helpers/neonSimulator";
import { query } from "./helpers/sql";
import { loadSerializedProvider, serializeNeonProviders } from "./helpers/neonSimulatorSerialize";

const KEY = `napi_${randomBytes(12).toString("hex")}`;
let server: PostgresServer;
let sim: NeonSimulator;
const providers: Record<string, pulumi.dynamic.ResourceProvider> = {};
const restoreEnv = snapshotEnv();

beforeAll(async () => {
    const [serialized, pg] = await Promise.all([serializeNeonProviders(), startPostgres()]);
    server = pg;
    sim = await startNeonSimulator({
        apiKey: KEY, operationMs: { default: 20 }, rateLimit: false,
        postgres: { host: server.host, port: server.port, user: server.user, password: server.password },
    });
    for (const type of [NEON_PROJECT_TYPE, NEON_BRANCH_TYPE, NEON_ENDPOINT_TYPE, NEON_ROLE_TYPE, NEON_DATABASE_TYPE, NEON_CONNECTION_TYPE]) {
        providers[type] = loadSerializedProvider(serialized.providers[type]!);
    }
    Object.assign(process.env, neonProviderEnv(sim.baseUrl, KEY, { retryBaseMs: 20, pollMinMs: 10, pollMaxMs: 100, deadlineSeconds: 30, requestTimeoutMs: 5000 }));
}, 90_000);

afterAll(async () => {
    restoreEnv();
    await sim?.stop();
    await server?.stop();
});

/** What `declareBranch` declares on a branch: endpoint, role `app`, database `app`, connection. */
async function declareOn(projectId: string, branchId: string): Promise<ConnectionOutputs> {
    const scope = { projectId, branchId };
    const endpoint = (await providers[NEON_ENDPOINT_TYPE]!.create!({ ...scope, type: "read_write" })).outs as EndpointOutputs;
    const role = (await providers[NEON_ROLE_TYPE]!.create!({ ...scope, name: "app" })).outs as RoleOutputs;
    await providers[NEON_DATABASE_TYPE]!.create!({ ...scope, name: "app", ownerName: role.name });
    return (await providers[NEON_CONNECTION_TYPE]!.create!({
        ...scope, endpointId: endpoint.endpointId, roleName: role.name, rolePassword: role.password, databaseName: "app",
    })).outs as ConnectionOutputs;
}

/** Runs `text` with the connection's parameters, as Hyperdrive's origin gets them. */
function run(c: ConnectionOutputs, text: string): Promise<Record<string, unknown>[]> {
    return query({ host: c.host, port: c.port, user: c.user, password: c.password, database: c.database }, text);
}

describe("the stacks' branch chain on a real database", () => {
    let project: ProjectOutputs;
    let staging: BranchOutputs;
    let stagingDb: ConnectionOutputs;

    it("production: the project's default branch gets an app role and database that connect", async () => {
        project = (await providers[NEON_PROJECT_TYPE]!.create!({ name: "workers-platform", regionId: "aws-eu-central-1", pgVersion: 17 })).outs as ProjectOutputs;
        const production = await declareOn(project.projectId, project.defaultBranchId);
        expect(production).toMatchObject({ host: "127.0.0.1", port: server.port });
        expect(await run(production, "select 1 as ok")).toEqual([{ ok: 1 }]);
        await run(production, "create table notes (body text); insert into notes values ('from production')");
    });

    it("staging: a child branch with production's data, reachable through its own connection", async () => {
        staging = (await providers[NEON_BRANCH_TYPE]!.create!({ projectId: project.projectId, name: "staging" })).outs as BranchOutputs;
        stagingDb = await declareOn(project.projectId, staging.branchId);
        expect(stagingDb.uri).toMatch(/^postgresql:\/\//);
        expect(await run(stagingDb, "select body from notes")).toEqual([{ body: "from production" }]);
        await run(stagingDb, "insert into notes values ('from staging')");
    });

    it("pr-<number>: a branch of staging with an expiry, adopting the role and database it inherited", async () => {
        const before = sim.requests.filter((r) => r.operationId === "createProjectBranchRole" || r.operationId === "createProjectBranchDatabase").length;
        const pr = (await providers[NEON_BRANCH_TYPE]!.create!({
            projectId: project.projectId, name: "pr-12", parentId: staging.branchId, expiresAt: expiryOf(new Date(), 72),
        })).outs as BranchOutputs;
        expect(pr.resolvedParentId).toBe(staging.branchId);
        const prDb = await declareOn(project.projectId, pr.branchId);
        // Inherited from staging, as on Neon: adopted, not created again.
        expect(sim.requests.filter((r) => r.operationId === "createProjectBranchRole" || r.operationId === "createProjectBranchDatabase").length).toBe(before);
        expect(await run(prDb, "select body from notes order by body")).toEqual([{ body: "from production" }, { body: "from staging" }]);
        await run(prDb, "insert into notes values ('from pr-12')");
        expect(await run(stagingDb, "select count(*)::int as n from notes")).toEqual([{ n: 2 }]);
        // Gone with its branch: the connection stops working.
        await providers[NEON_BRANCH_TYPE]!.delete!(pr.branchId, pr);
        await expect(run(prDb, "select 1")).rejects.toThrow();
        expect(sim.violations).toEqual([]);
    });
});
