/**
 * The Neon branch chain under the real Pulumi engine (the CLI built by `npm run pulumi-cli`), against the
 * Neon simulator on a real PostgreSQL: the shipped program's database part (`declareDatabase`) on two
 * stacks of one `file://` backend. Production creates the project (its default branch) with endpoint,
 * role, database and connection; staging reads production's `database` output by stack reference and
 * branches off it. Then a no-op preview, an input change (update and replace as the provider's diff
 * says), drift made in the simulator (refresh reports it, `up` repairs it), and destroy (protection
 * first) leaving nothing in the simulator or in PostgreSQL.
 */
import { randomBytes } from "node:crypto";
import { createApiClient } from "@neondatabase/api-client";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startPostgres, type PostgresServer } from "../../tools/lib/postgres";
import { postgresName } from "../../tools/neonSimulator/postgres";
import { ENGINE_NEON_PACING, PLATFORM_DATABASE_PROGRAM, platformDatabaseConfig } from "../fixtures/engine/platformDatabase";
import { assertOk, createEngineProject, diagnostics, exportedResource, stepOf, stepOps, type EngineProject, type EngineResult } from "../helpers/engine";
import { neonProviderEnv, startNeonSimulator, type NeonSimulator } from "../helpers/neonSimulator";
import { query } from "../helpers/sql";

const KEY = `napi_${randomBytes(12).toString("hex")}`;
let server: PostgresServer;
let sim: NeonSimulator;
let engine: EngineProject;
let env: Record<string, string>;

/** Runs `command` on `stack` with the program, the config and the providers' environment. */
function run(stack: string, command: "up" | "preview" | "refresh" | "destroy", extra: { database?: string; expectNoChanges?: boolean } = {}): Promise<EngineResult> {
    return engine.run({
        // Production protects its project, as shipped.
        stack, command, env, config: platformDatabaseConfig({ project: "workers-platform", ...(extra.database ? { database: extra.database } : {}) }),
        ...(command === "up" || command === "preview" ? { program: PLATFORM_DATABASE_PROGRAM } : {}),
        ...(extra.expectNoChanges ? { expectNoChanges: true } : {}),
    });
}

/** The simulator's branches of the project, by name. */
function branchesByName(): Record<string, { id: string; parent_id?: string }> {
    return Object.fromEntries([...sim.state.branches.values()].map((b) => [b.name, b]));
}

/** Roles and databases on the PostgreSQL server other than its own (the superuser and the test database). */
async function postgresObjects(): Promise<string[]> {
    const databases = await query(server.url, `select datname as name from pg_database where datname not in ('postgres', 'template0', 'template1', '${server.database}')`);
    const roles = await query(server.url, `select rolname as name from pg_roles where rolname not like 'pg\\_%' and rolname <> '${server.user}'`);
    return [...databases.map((r) => `database ${String(r.name)}`), ...roles.map((r) => `role ${String(r.name)}`)].sort();
}

beforeAll(async () => {
    server = await startPostgres();
    sim = await startNeonSimulator({
        apiKey: KEY, operationMs: { default: 20 }, rateLimit: false,
        postgres: { host: server.host, port: server.port, user: server.user, password: server.password },
    });
    env = neonProviderEnv(sim.baseUrl, KEY, ENGINE_NEON_PACING);
    engine = await createEngineProject({ project: "platform" });
}, 120_000);

afterAll(async () => {
    await engine?.remove();
    await sim?.stop();
    await server?.stop();
});

describe("the Neon branch chain under the real engine", () => {
    let production: EngineResult;
    let staging: EngineResult;

    it("up: production creates the project and its branch's endpoint, role, database and connection; staging branches off it", async () => {
        production = assertOk(await run("production", "up"), "up production");
        expect(production.summary).toEqual({ create: 6 }); // the stack, project, endpoint, role, database, connection
        staging = assertOk(await run("staging", "up"), "up staging");
        const branches = branchesByName();
        expect(Object.keys(branches).sort()).toEqual(["main", "staging"]);
        expect(branches.staging!.parent_id).toBe(branches.main!.id);
        // What Hyperdrive would be given connects to the staging branch's database.
        const connection = staging.outputs!.connection!.value as { host: string; port: number; user: string; password: string; database: string };
        expect(await query(connection, "select current_database() as db")).toEqual([{ db: postgresName(branches.staging!.id, "app") }]);
        expect(sim.violations).toEqual([]);
    }, 180_000);

    it("stack reference: staging reads production's database output by organization/platform/production", () => {
        const reference = stepOf(staging, "database-source-production");
        expect(reference).toMatchObject({ type: "pulumi:pulumi:StackReference", op: "read" });
        expect(reference!.new!.inputs).toMatchObject({ name: "organization/platform/production" });
        const produced = production.outputs!.database!.value as { projectId: string; branchId: string; branchName: string };
        expect(produced).toMatchObject({ branchName: "main", projectId: [...sim.state.projects.keys()][0] });
        expect(stepOf(staging, "database-staging-branch")!.new!.inputs).toMatchObject({ projectId: produced.projectId, name: "staging" });
        expect(staging.outputs!.database!.value).toMatchObject({ projectId: produced.projectId, branchId: branchesByName().staging!.id, branchName: "staging" });
    });

    it("a second preview of each stack shows no changes", async () => {
        for (const stack of ["production", "staging"]) {
            const preview = assertOk(await run(stack, "preview", { expectNoChanges: true }), `preview ${stack}`);
            expect(Object.keys(preview.summary)).toEqual(["same"]);
        }
    }, 120_000);

    it("a new database name replaces the database (new before old) and updates the connection, as the provider's diff says", async () => {
        const preview = assertOk(await run("staging", "preview", { database: "shop" }), "preview staging");
        const ops = Object.fromEntries(Object.entries(stepOps(preview)).map(([urn, op]) => [urn.split("::").pop(), op]));
        expect(ops).toMatchObject({
            "database-staging-db": "replace", "database-staging-connection": "update",
            "database-staging-branch": "same", "database-staging-role": "same", "database-staging-endpoint": "same",
        });
        // The provider's diff: `name` forces the replacement (NEON_REPLACE_ON.Database); the connection
        // only updates (NEON_REPLACE_ON.Connection is empty).
        expect(stepOf(preview, "database-staging-db")!.keys).toEqual(["name"]);
        expect(stepOf(preview, "database-staging-connection")!.keys ?? []).toEqual([]);

        const up = assertOk(await run("staging", "up", { database: "shop" }), "up staging");
        const steps = up.events.map((e) => e.resourcePreEvent?.metadata).filter((m) => m?.urn.endsWith("::database-staging-db")).map((m) => m!.op);
        // Different names: the new database is made before the old one is dropped (deleteBeforeReplace false).
        expect(steps.indexOf("create-replacement")).toBeLessThan(steps.indexOf("delete-replaced"));
        const staging = branchesByName().staging!;
        const databases = [...sim.state.databases.keys()];
        expect(databases).toContain(`${staging.id}/shop`);
        expect(databases).not.toContain(`${staging.id}/app`);
        const connection = up.outputs!.connection!.value as { host: string; port: number; user: string; password: string; database: string };
        expect(await query(connection, "select current_database() as db")).toEqual([{ db: postgresName(staging.id, "shop") }]);
    }, 180_000);

    it("refresh reports drift made in Neon (branch renamed, database dropped) and the next up repairs it", async () => {
        const staging = branchesByName().staging!;
        const projectId = [...sim.state.projects.keys()][0]!;
        const api = createApiClient({ apiKey: KEY, baseURL: sim.baseUrl });
        await api.updateProjectBranch(projectId, staging.id, { branch: { name: "renamed-by-hand" } });
        await api.deleteProjectBranchDatabase(projectId, staging.id, "shop");
        await sim.postgresIdle();

        const refresh = assertOk(await run("staging", "refresh", { database: "shop" }), "refresh staging");
        // The branch changed; the database and its connection (looked up through it) are gone.
        expect(refresh.summary).toMatchObject({ update: 1, delete: 2 });
        const state = await engine.exportStack("staging");
        expect(exportedResource(state, "database-staging-branch")!.outputs).toMatchObject({ name: "renamed-by-hand" });
        expect(exportedResource(state, "database-staging-db")).toBeUndefined();
        expect(exportedResource(state, "database-staging-connection")).toBeUndefined();

        const up = assertOk(await run("staging", "up", { database: "shop" }), "up staging");
        expect(up.summary).toMatchObject({ update: 1, create: 2 });
        expect(stepOf(up, "database-staging-branch")).toMatchObject({ op: "update" });
        expect(branchesByName().staging).toMatchObject({ id: staging.id });
        expect([...sim.state.databases.keys()]).toContain(`${staging.id}/shop`);
        expect(await postgresObjects()).toContain(`database ${postgresName(staging.id, "shop")}`);
        assertOk(await run("staging", "preview", { database: "shop", expectNoChanges: true }), "preview staging after the repair");
    }, 240_000);

    it("destroy: staging goes; production's protected project refuses until unprotected; then nothing is left in Neon or PostgreSQL", async () => {
        expect(await postgresObjects()).not.toEqual([]);
        assertOk(await run("staging", "destroy"), "destroy staging");
        expect(Object.keys(branchesByName())).toEqual(["main"]);

        const refused = await run("production", "destroy");
        expect(refused.ok).toBe(false);
        expect(refused.exitCode).not.toBe(0);
        expect(diagnostics(refused) + refused.stderr).toMatch(/protected/);
        expect(sim.state.projects.size).toBe(1);

        const unprotect = await engine.pulumi(["state", "unprotect", "--all", "--yes", "--stack", "production"]);
        expect(unprotect.code).toBe(0);
        assertOk(await run("production", "destroy"), "destroy production");
        expect(sim.state.projects.size).toBe(0);
        expect([...sim.state.branches.keys(), ...sim.state.roles.keys(), ...sim.state.databases.keys(), ...sim.state.endpoints.keys()]).toEqual([]);
        await sim.postgresIdle();
        expect(await postgresObjects()).toEqual([]);
        expect(sim.violations).toEqual([]);
    }, 240_000);
});
