/**
 * The Neon API simulator backed by a real PostgreSQL server (`postgres` option): connection URIs from
 * `getConnectionURI` work, a child branch starts with its parent's data and roles, branches are isolated,
 * deletes drop what they should, and operations finish only after their PostgreSQL work (or fail with it).
 * Driven over HTTP with the official `@neondatabase/api-client`.
 */
import { createApiClient, type Api, type EndpointType, type Operation } from "@neondatabase/api-client";
import postgres, { type Sql } from "postgres";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { neonDatabaseProvider } from "../components/neon/provider";
import { startPostgres, type PostgresServer } from "../tools/lib/postgres";
import { postgresBranchKey, postgresName, startNeonSimulator, type NeonSimulator } from "../tools/neonSimulator/server";
import { neonProviderEnv, snapshotEnv } from "./helpers/neonSimulator";

const KEY = "napi_simulator_postgres_test";
// Characters that must be escaped in SQL (') and URL-encoded (@ : / ? # %).
const PASSWORD_PREFIX = "p@ss:/w'rd?#%_";

let server: PostgresServer;
let sim: NeonSimulator;
let api: Api<unknown>;
let admin: Sql;
const clients: Sql[] = [];

beforeAll(async () => {
    server = await startPostgres();
    sim = await startNeonSimulator({
        apiKey: KEY, operationMs: { default: 20 }, rateLimit: false, passwordPrefix: PASSWORD_PREFIX,
        postgres: { host: server.host, port: server.port, user: server.user, password: server.password },
    });
    api = createApiClient({ apiKey: KEY, baseURL: sim.baseUrl });
    admin = superuser();
});

afterAll(async () => {
    await Promise.all(clients.map((c) => c.end({ timeout: 1 })));
    await sim?.stop();
    await server?.stop();
});

function superuser(max = 1): Sql {
    return connect({ host: server.host, port: server.port, user: server.user, password: server.password, database: "postgres", max });
}

function connect(target: string | postgres.Options<{}>): Sql {
    const options = { max: 1, connect_timeout: 5, fetch_types: false, onnotice: () => {} };
    const sql = typeof target === "string" ? postgres(target, options) : postgres({ ...options, ...target });
    clients.push(sql);
    return sql;
}

/** Polls each operation until it is no longer scheduling or running; returns them as they ended. */
async function settle(operations: readonly Operation[]): Promise<Operation[]> {
    const done: Operation[] = [];
    for (const first of operations) {
        let op = first;
        const deadline = Date.now() + 10_000;
        while (op.status === "scheduling" || op.status === "running") {
            if (Date.now() > deadline) throw new Error(`operation ${op.action} still ${op.status}`);
            await new Promise((r) => setTimeout(r, 10));
            op = (await api.getProjectOperation(op.project_id, op.id)).data.operation;
        }
        done.push(op);
    }
    return done;
}

async function finished(operations: readonly Operation[]): Promise<void> {
    expect((await settle(operations)).map((o) => [o.action, o.status, o.error])).toEqual(operations.map((o) => [o.action, "finished", undefined]));
}

async function uri(projectId: string, query: { branch_id?: string; endpoint_id?: string; role_name: string; database_name: string; pooled?: boolean }): Promise<string> {
    return (await api.getConnectionUri({ projectId, ...query })).data.uri;
}

/** HTTP status of a failed call. */
async function status(call: Promise<unknown>): Promise<number | undefined> {
    try {
        await call;
        return 200;
    } catch (error) {
        return (error as { response?: { status: number } }).response?.status;
    }
}

const pgDatabases = async (prefix: string) => (await admin<{ datname: string }[]>`select datname from pg_database where datname like ${`${prefix}\\_%`} order by 1`).map((r) => r.datname);
const pgRoles = async (prefix: string) => (await admin<{ rolname: string }[]>`select rolname from pg_roles where rolname like ${`${prefix}\\_%`} order by 1`).map((r) => r.rolname);

describe("the Neon simulator on a real PostgreSQL server", () => {
    let projectId: string;
    let mainId: string;
    let childId: string;
    let parentUri: string;
    let childUri: string;

    it("creates a project whose default branch's role and database exist, and whose connection URI works", async () => {
        const created = (await api.createProject({ project: { name: "pg-backed" } })).data;
        projectId = created.project.id;
        mainId = created.branch.id;
        await finished(created.operations);
        parentUri = await uri(projectId, { role_name: "neondb_owner", database_name: "neondb" });
        const password = created.roles[0]!.password!;
        expect(password.startsWith(PASSWORD_PREFIX)).toBe(true);
        expect(parentUri).toBe(`postgresql://${postgresName(mainId, "neondb_owner")}:${encodeURIComponent(password)}@127.0.0.1:${server.port}/${postgresName(mainId, "neondb")}?sslmode=disable`);
        expect(created.connection_uris[0]!.connection_uri).toBe(parentUri);
        const sql = connect(parentUri);
        expect(await sql`select 1 as one, current_user as who`).toEqual([{ one: 1, who: postgresName(mainId, "neondb_owner") }]);
        await sql`create table items (id int primary key, note text not null)`;
        await sql`insert into items values (1, 'from main')`;
    });

    it("answers getConnectionURI's defaults and 404s as Neon does", async () => {
        const endpointId = sim.state.endpoints.values().next().value!.id;
        const query = { role_name: "neondb_owner", database_name: "neondb" };
        expect(await uri(projectId, { ...query, branch_id: mainId, endpoint_id: endpointId, pooled: true })).toBe(parentUri);
        expect(await uri(projectId, { ...query, endpoint_id: endpointId })).toBe(parentUri);
        expect(await status(uri(projectId, { ...query, branch_id: "br-nope" }))).toBe(404);
        expect(await status(uri(projectId, { ...query, endpoint_id: "ep-nope" }))).toBe(404);
        expect(await status(uri(projectId, { ...query, role_name: "nobody" }))).toBe(404);
        expect(await status(uri(projectId, { ...query, database_name: "nothing" }))).toBe(404);
        expect(await status(uri("proj-nope", query))).toBe(404);
    });

    it("creates a child branch with the parent's roles (same passwords) and databases, with their data", async () => {
        const created = (await api.createProjectBranch(projectId, { branch: { name: "child" }, endpoints: [{ type: "read_write" as EndpointType }] })).data;
        childId = created.branch.id;
        expect(created.roles.map((r) => r.name)).toEqual(["neondb_owner"]);
        expect(created.databases.map((d) => [d.name, d.owner_name])).toEqual([["neondb", "neondb_owner"]]);
        expect(created.endpoints).toHaveLength(1);
        await finished(created.operations);
        childUri = await uri(projectId, { branch_id: childId, role_name: "neondb_owner", database_name: "neondb" });
        expect(new URL(childUri).password).toBe(new URL(parentUri).password);
        expect(new URL(childUri).pathname).toBe(`/${postgresName(childId, "neondb")}`);

        const child = connect(childUri);
        expect(await child`select id, note from items order by id`).toEqual([{ id: 1, note: "from main" }]);
        // The child's role owns the copies: it writes, alters, and the parent does not see it.
        await child`insert into items values (2, 'from child')`;
        await child`alter table items add column extra int`;
        const parent = connect(parentUri); // the copy ended the parent's connections: a fresh client
        expect(await parent`select id from items order by id`).toEqual([{ id: 1 }]);
        await parent`insert into items values (3, 'later on main')`;
        expect(await child`select id from items order by id`).toEqual([{ id: 1 }, { id: 2 }]);
        // Ownership stayed per branch: the parent's database is still its own role's.
        expect(await admin`select datname, pg_get_userbyid(datdba) as owner from pg_database where datname in (${postgresName(mainId, "neondb")}, ${postgresName(childId, "neondb")}) order by 1`)
            .toEqual([postgresName(mainId, "neondb"), postgresName(childId, "neondb")].sort().map((datname) =>
                ({ datname, owner: datname === postgresName(mainId, "neondb") ? postgresName(mainId, "neondb_owner") : postgresName(childId, "neondb_owner") })));
    });

    it("keeps branches apart: a branch's role cannot connect to another branch's database", async () => {
        const crossed = new URL(childUri);
        crossed.pathname = `/${postgresName(mainId, "neondb")}`;
        await expect(connect(crossed.toString())`select 1`).rejects.toThrow(/permission denied for database/);
    });

    it("creates, re-owns and deletes roles and databases on a branch", async () => {
        const role = (await api.createProjectBranchRole(projectId, childId, { role: { name: "Reporter-1" } })).data;
        await finished(role.operations);
        const database = (await api.createProjectBranchDatabase(projectId, childId, { database: { name: "reports", owner_name: "Reporter-1" } })).data;
        await finished(database.operations);
        const reporterUri = await uri(projectId, { branch_id: childId, role_name: "Reporter-1", database_name: "reports" });
        expect(new URL(reporterUri).username).toMatch(/^[a-z0-9_]{1,63}$/);
        const reporter = connect(reporterUri);
        await reporter`create table r (x int)`;
        expect(await reporter`select current_user as who`).toEqual([{ who: postgresName(childId, "Reporter-1") }]);
        // Every role of the branch may connect to every database of the branch.
        const owner = new URL(childUri);
        owner.pathname = `/${postgresName(childId, "reports")}`;
        expect(await connect(owner.toString())`select 1 as one`).toEqual([{ one: 1 }]);

        const reowned = (await api.updateProjectBranchDatabase(projectId, childId, "reports", { database: { owner_name: "neondb_owner" } })).data;
        await finished(reowned.operations);
        expect(await admin`select pg_get_userbyid(datdba) as owner from pg_database where datname = ${postgresName(childId, "reports")}`)
            .toEqual([{ owner: postgresName(childId, "neondb_owner") }]);
        // Dropping the role hands what it owned in the branch's databases to their owners.
        await finished((await api.deleteProjectBranchRole(projectId, childId, "Reporter-1")).data.operations);
        expect(await pgRoles(postgresBranchKey(childId))).toEqual([postgresName(childId, "neondb_owner")]);
        expect(await admin`select 1 from pg_roles where rolname = ${postgresName(childId, "Reporter-1")}`).toEqual([]);
        await finished((await api.deleteProjectBranchDatabase(projectId, childId, "reports")).data.operations);
        expect(await pgDatabases(postgresBranchKey(childId))).toEqual([postgresName(childId, "neondb")]);
    });

    it("reports an operation running until its PostgreSQL work is done, and keeps the project locked", async () => {
        // Another session creates the same role in an open transaction: the simulator's CREATE ROLE waits for it.
        // It rolls back when `release` is called.
        let release!: () => void;
        const held = new Promise<void>((resolve) => { release = resolve; });
        let inTransaction!: () => void;
        const begun = new Promise<void>((resolve) => { inTransaction = resolve; });
        const transaction = superuser().begin(async (tx) => {
            await tx.unsafe(`create role ${postgresName(mainId, "slow")}`);
            inTransaction();
            await held;
            throw new Error("roll back");
        }).catch(() => undefined);
        await begun;
        const created = (await api.createProjectBranchRole(projectId, mainId, { role: { name: "slow" } })).data;
        await new Promise((r) => setTimeout(r, 150)); // well past the operation's 20 ms
        const op = (await api.getProjectOperation(projectId, created.operations[0]!.id)).data.operation;
        expect(op.status).toBe("running");
        expect(await status(api.createProjectBranchRole(projectId, mainId, { role: { name: "other" } }))).toBe(423);
        release();
        await transaction;
        await finished(created.operations);
        expect(await admin`select rolcanlogin from pg_roles where rolname = ${postgresName(mainId, "slow")}`).toEqual([{ rolcanlogin: true }]);
    });

    it("marks the operation failed with PostgreSQL's error when its work fails, and rolls the state back", async () => {
        await admin.unsafe(`create database ${postgresName(mainId, "clash")}`);
        const created = (await api.createProjectBranchDatabase(projectId, mainId, { database: { name: "clash", owner_name: "neondb_owner" } })).data;
        const [op] = await settle(created.operations);
        expect(op).toMatchObject({ action: "apply_config", status: "failed", failures_count: 1 });
        expect(op!.error).toMatch(/already exists/);
        expect(await status(api.getProjectBranchDatabase(projectId, mainId, "clash"))).toBe(404);
        // Not locked any more, and the database that was in the way is untouched.
        await finished((await api.createProjectBranchDatabase(projectId, mainId, { database: { name: "clash2", owner_name: "neondb_owner" } })).data.operations);
        expect(await admin`select 1 from pg_database where datname = ${postgresName(mainId, "clash")}`).toHaveLength(1);
    });

    it("makes the Neon provider's wait fail with that error", async () => {
        const restoreEnv = snapshotEnv();
        Object.assign(process.env, neonProviderEnv(sim.baseUrl, KEY, { retryBaseMs: 500, pollMinMs: 10, pollMaxMs: 50, deadlineSeconds: 10, requestTimeoutMs: 60_000 }));
        try {
            await expect(neonDatabaseProvider.create!({ projectId, branchId: mainId, name: "clash", ownerName: "neondb_owner" }))
                .rejects.toThrow(/operation apply_config \([^)]+\) failed: database "[a-z0-9_]+" already exists/);
        } finally {
            restoreEnv();
        }
        await admin.unsafe(`drop database ${postgresName(mainId, "clash")}`);
    });

    it("drops a deleted branch's databases and roles, and a deleted project's", async () => {
        await finished((await api.deleteProjectBranch({ projectId, branchId: childId })).data.operations);
        expect(await pgDatabases(postgresBranchKey(childId))).toEqual([]);
        expect(await pgRoles(postgresBranchKey(childId))).toEqual([]);
        // The parent is unaffected.
        expect(await connect(parentUri)`select count(*)::int as n from items`).toEqual([{ n: 2 }]);

        await api.deleteProject(projectId);
        await sim.postgresIdle();
        expect(await pgDatabases(postgresBranchKey(mainId))).toEqual([]);
        expect(await pgRoles(postgresBranchKey(mainId))).toEqual([]);
    });

    it("broke no contract, and only the provoked job failed", () => {
        expect(sim.violations).toEqual([]);
        expect(sim.postgresJobs.filter((j) => j.error !== undefined).map((j) => j.description)).toEqual([
            expect.stringMatching(/^createProjectBranchDatabase clash /), expect.stringMatching(/^createProjectBranchDatabase clash /),
        ]);
    });
});

describe("the Neon simulator without PostgreSQL", () => {
    it("answers getConnectionURI with Neon's URI shape", async () => {
        const plain = await startNeonSimulator({ apiKey: KEY, operationMs: { default: 1 }, passwordPrefix: PASSWORD_PREFIX });
        try {
            const neon = createApiClient({ apiKey: KEY, baseURL: plain.baseUrl });
            const created = (await neon.createProject({ project: { name: "plain" } })).data;
            const host = created.endpoints[0]!.host;
            const password = encodeURIComponent(created.roles[0]!.password!);
            const query = { projectId: created.project.id, role_name: "neondb_owner", database_name: "neondb" };
            expect((await neon.getConnectionUri(query)).data.uri).toBe(`postgresql://neondb_owner:${password}@${host}/neondb?sslmode=require`);
            expect((await neon.getConnectionUri({ ...query, pooled: true })).data.uri)
                .toBe(`postgresql://neondb_owner:${password}@${host.replace(/^([^.]+)/, "$1-pooler")}/neondb?sslmode=require`);
            expect(created.connection_uris[0]!.connection_uri).toBe((await neon.getConnectionUri(query)).data.uri);
            expect(plain.postgresJobs).toEqual([]);
            expect(plain.violations).toEqual([]);
        } finally {
            await plain.stop();
        }
    });
});
