/**
 * The Neon providers in their serialized form (the `__provider` text the engine stores, loaded the way the
 * dynamic provider host loads it) against the spec-checked Neon API simulator: create, read, diff, update,
 * delete, adopt, and one test per fault the API can answer with.
 */
import { randomBytes } from "node:crypto";
import type * as pulumi from "@pulumi/pulumi";
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from "vitest";
import type {
    BranchOutputs, ConnectionOutputs, DatabaseOutputs, EndpointOutputs, ProjectOutputs, RoleOutputs,
} from "../components/neon";
import {
    NEON_BRANCH_TYPE, NEON_CONNECTION_TYPE, NEON_DATABASE_TYPE, NEON_ENDPOINT_TYPE, NEON_PROJECT_TYPE, NEON_ROLE_TYPE,
} from "../components/neon/typeTokens";
import { neonProviderEnv, snapshotEnv, startNeonSimulator, type NeonSimulator } from "./helpers/neonSimulator";
import { loadSerializedProvider, serializeNeonProviders, type SerializedNeon } from "./helpers/neonSimulatorSerialize";

const KEY = `napi_${randomBytes(12).toString("hex")}`;
const CANARY_KEY = `napi_canary_${randomBytes(8).toString("hex")}`;
const CANARY_PASSWORD = `pwcanary${randomBytes(6).toString("hex")}`;

let serialized: SerializedNeon;
let sim: NeonSimulator;
let project: pulumi.dynamic.ResourceProvider;
let branch: pulumi.dynamic.ResourceProvider;
let endpoint: pulumi.dynamic.ResourceProvider;
let role: pulumi.dynamic.ResourceProvider;
let database: pulumi.dynamic.ResourceProvider;
let connection: pulumi.dynamic.ResourceProvider;
const restoreEnv = snapshotEnv();
const logged: string[] = [];

function pace(overrides: Record<string, string> = {}): void {
    Object.assign(process.env, neonProviderEnv(sim.baseUrl, KEY, { retryBaseMs: 20, pollMinMs: 10, pollMaxMs: 100, deadlineSeconds: 15, requestTimeoutMs: 2000 }), overrides);
}

beforeAll(async () => {
    [serialized, sim] = await Promise.all([
        serializeNeonProviders({ NEON_API_KEY: CANARY_KEY, NEON_TEST_ROLE_PASSWORD: CANARY_PASSWORD }),
        startNeonSimulator({ apiKey: KEY, operationMs: { default: 40 }, passwordPrefix: CANARY_PASSWORD }),
    ]);
    project = loadSerializedProvider(serialized.providers[NEON_PROJECT_TYPE]!);
    branch = loadSerializedProvider(serialized.providers[NEON_BRANCH_TYPE]!);
    endpoint = loadSerializedProvider(serialized.providers[NEON_ENDPOINT_TYPE]!);
    role = loadSerializedProvider(serialized.providers[NEON_ROLE_TYPE]!);
    database = loadSerializedProvider(serialized.providers[NEON_DATABASE_TYPE]!);
    connection = loadSerializedProvider(serialized.providers[NEON_CONNECTION_TYPE]!);
    pace();
    for (const method of ["log", "info", "warn", "error", "debug"] as const) {
        vi.spyOn(console, method).mockImplementation((...args: unknown[]) => { logged.push(args.map(String).join(" ")); });
    }
}, 60_000);

afterEach(() => {
    sim.setFaults(undefined);
    pace();
});

afterAll(async () => {
    vi.restoreAllMocks();
    restoreEnv();
    await sim?.stop();
});

const projectIdle = (id: string) => Date.now() >= sim.state.projects.get(id)!.busyUntil;
const namedBranches = (projectId: string, name: string) => [...sim.state.branches.values()].filter((b) => b.project_id === projectId && b.name === name);

describe("the serialized Neon providers", () => {
    it("are registered under pulumi-nodejs:dynamic/neon:<Type> and hold no credential and no local module", () => {
        expect(Object.keys(serialized.providers).sort()).toEqual([NEON_BRANCH_TYPE, NEON_CONNECTION_TYPE, NEON_DATABASE_TYPE, NEON_ENDPOINT_TYPE, NEON_PROJECT_TYPE, NEON_ROLE_TYPE].sort());
        for (const text of Object.values(serialized.providers)) {
            expect(text).toContain("exports.handler");
            expect(text).toContain('require("@neondatabase/api-client")');
            expect(text).not.toContain(CANARY_KEY);
            expect(text).not.toContain(CANARY_PASSWORD);
            expect(text).not.toMatch(/require\(["'][./]/);
        }
        // Nor anywhere in what the engine would be sent, nor in what the program printed.
        expect(JSON.stringify(serialized.registered)).not.toContain(CANARY_KEY);
        expect(serialized.output).not.toContain(CANARY_KEY);
        expect(serialized.output).not.toContain(CANARY_PASSWORD);
    });

    it("make the role password and the connection string secrets", () => {
        expect(serialized.secret).toEqual({ rolePassword: true, connectionPassword: true, connectionString: true, host: false });
        expect(serialized.connectionString).toBe(`postgresql://app:${CANARY_PASSWORD}@ep-1.us-east-2.aws.neon.tech/app?sslmode=require`);
    });
});

describe("lifecycle against the simulator", () => {
    let p: ProjectOutputs;
    let b: BranchOutputs;
    let e: EndpointOutputs;
    let r: RoleOutputs;
    let d: DatabaseOutputs;
    let c: ConnectionOutputs;

    it("creates a project and waits for its operations", async () => {
        const result = await project.create!({ name: "acme", regionId: "aws-us-east-2", pgVersion: 17 });
        p = result.outs as ProjectOutputs;
        expect(result.id).toBe(p.projectId);
        expect(p).toMatchObject({ name: "acme", regionId: "aws-us-east-2", pgVersion: 17, proxyHost: "us-east-2.aws.neon.tech" });
        expect(sim.state.branches.get(p.defaultBranchId)?.default).toBe(true);
        expect(projectIdle(p.projectId)).toBe(true);
    });

    it("creates a branch, endpoint, role and database, each after its operations finished", async () => {
        b = (await branch.create!({ projectId: p.projectId, name: "staging", parentId: p.defaultBranchId })).outs as BranchOutputs;
        expect(b).toMatchObject({ name: "staging", resolvedParentId: p.defaultBranchId, default: false });
        expect(projectIdle(p.projectId)).toBe(true);
        e = (await endpoint.create!({ projectId: p.projectId, branchId: b.branchId, type: "read_write", minCu: 0.25, maxCu: 1 })).outs as EndpointOutputs;
        expect(e.host).toBe(`${e.endpointId}.us-east-2.aws.neon.tech`);
        expect(e.poolerHost).toBe(`${e.endpointId}-pooler.us-east-2.aws.neon.tech`);
        r = (await role.create!({ projectId: p.projectId, branchId: b.branchId, name: "app" })).outs as RoleOutputs;
        expect(r.password).toBe(sim.state.roles.get(`${b.branchId}/app`)!.password);
        d = (await database.create!({ projectId: p.projectId, branchId: b.branchId, name: "app", ownerName: "app" })).outs as DatabaseOutputs;
        expect(d).toMatchObject({ name: "app", ownerName: "app" });
        expect(projectIdle(p.projectId)).toBe(true);
        const cIn = { projectId: p.projectId, branchId: b.branchId, endpointId: e.endpointId, roleName: "app", databaseName: "app", rolePassword: r.password };
        c = (await connection.create!(cIn)).outs as ConnectionOutputs;
        expect(c).toMatchObject({ host: e.host, port: 5432, database: "app", user: "app", password: r.password });
        expect(c.uri).toBe(`postgresql://app:${encodeURIComponent(r.password)}@${e.host}/app?sslmode=require`);
        // Every operation it was given was polled to the end, none started while another ran.
        const ops = sim.operations.filter((o) => o.project_id === p.projectId);
        for (let i = 1; i < ops.length; i++) expect(ops[i]!.startAt).toBeGreaterThanOrEqual(ops[i - 1]!.endAt);
    });

    it("adopts what exists under the same name instead of creating it again", async () => {
        const before = sim.requests.filter((q) => q.operationId === "createProjectBranch").length;
        const again = await branch.create!({ projectId: p.projectId, name: "staging", parentId: p.defaultBranchId });
        expect(again.id).toBe(b.branchId);
        expect(sim.requests.filter((q) => q.operationId === "createProjectBranch").length).toBe(before);
        expect((await endpoint.create!({ projectId: p.projectId, branchId: b.branchId, type: "read_write", minCu: 0.25, maxCu: 1 })).id).toBe(e.endpointId);
        const adoptedRole = await role.create!({ projectId: p.projectId, branchId: b.branchId, name: "app" });
        expect((adoptedRole.outs as RoleOutputs).password).toBe(r.password);
        expect((await database.create!({ projectId: p.projectId, branchId: b.branchId, name: "app", ownerName: "app" })).id).toBe(`${p.projectId}/${b.branchId}/app`);
        expect((await project.create!({ name: "acme", regionId: "aws-us-east-2", pgVersion: 17 })).id).toBe(p.projectId);
        expect(sim.state.projects.size).toBe(1);
    });

    it("diffs: replaces on region, Postgres version and parent branch, updates the rest", async () => {
        const pIn = { name: "acme", regionId: "aws-us-east-2", pgVersion: 17 };
        expect(await project.diff!(p.projectId, p, pIn)).toMatchObject({ changes: false, replaces: [] });
        expect(await project.diff!(p.projectId, p, { ...pIn, regionId: "aws-eu-central-1" })).toMatchObject({ changes: true, replaces: ["regionId"] });
        expect(await project.diff!(p.projectId, p, { ...pIn, pgVersion: 16 })).toMatchObject({ changes: true, replaces: ["pgVersion"] });
        expect(await project.diff!(p.projectId, p, { ...pIn, name: "acme-2" })).toMatchObject({ changes: true, replaces: [] });
        const bIn = { projectId: p.projectId, name: "staging", parentId: p.defaultBranchId };
        expect(await branch.diff!(b.branchId, b, bIn)).toMatchObject({ changes: false, replaces: [] });
        expect(await branch.diff!(b.branchId, b, { ...bIn, parentId: "br-other" })).toMatchObject({ changes: true, replaces: ["parentId"] });
        expect(await branch.diff!(b.branchId, b, { ...bIn, name: "stage" })).toMatchObject({ changes: true, replaces: [] });
        expect(await endpoint.diff!(e.endpointId, e, { ...e, maxCu: 2 })).toMatchObject({ changes: true, replaces: [] });
        expect(await role.diff!(r.name, r, { projectId: p.projectId, branchId: b.branchId, name: "app2" })).toMatchObject({ changes: true, replaces: ["name"] });
        expect(await database.diff!(d.name, d, { ...d, ownerName: "other" })).toMatchObject({ changes: true, replaces: [] });
        // A connection is looked up again, never replaced: on a new role password, or another endpoint.
        const { host: _h, port: _p, database: _d, user: _u, password: _pw, uri: _uri, ...cIn } = c;
        expect(await connection.diff!("c", c, cIn)).toMatchObject({ changes: false, replaces: [] });
        expect(await connection.diff!("c", c, { ...cIn, rolePassword: "rotated" })).toMatchObject({ changes: true, replaces: [] });
        expect(await connection.diff!("c", c, { ...cIn, pooled: true })).toMatchObject({ changes: true, replaces: [] });
    });

    it("updates in place: rename and expiry of a branch, compute size, database owner", async () => {
        const renamed = await branch.update!(b.branchId, b, { projectId: p.projectId, name: "stage", parentId: p.defaultBranchId, expiresAt: "2030-01-01T00:00:00Z" });
        expect(renamed.outs).toMatchObject({ branchId: b.branchId, name: "stage", expiresAt: "2030-01-01T00:00:00Z" });
        expect(sim.state.branches.get(b.branchId)).toMatchObject({ name: "stage", expires_at: "2030-01-01T00:00:00Z" });
        b = renamed.outs as BranchOutputs;
        const resized = await endpoint.update!(e.endpointId, e, { ...e, maxCu: 2 });
        expect(resized.outs).toMatchObject({ maxCu: 2 });
        expect(sim.state.endpoints.get(e.endpointId)!.max).toBe(2);
        e = resized.outs as EndpointOutputs;
        await role.create!({ projectId: p.projectId, branchId: b.branchId, name: "owner2" });
        const owned = await database.update!(d.name, d, { ...d, ownerName: "owner2" });
        expect(owned.outs).toMatchObject({ ownerName: "owner2" });
        expect(projectIdle(p.projectId)).toBe(true);
    });

    it("reads what Neon has, so out-of-band changes show as drift", async () => {
        sim.state.endpoints.get(e.endpointId)!.max = 4;
        sim.state.branches.get(b.branchId)!.name = "renamed-by-hand";
        const readE = await endpoint.read!(e.endpointId, e);
        expect(readE.props).toMatchObject({ maxCu: 4 });
        expect(await endpoint.diff!(e.endpointId, readE.props as EndpointOutputs, { ...e, maxCu: 2 })).toMatchObject({ changes: true, replaces: [] });
        const readB = await branch.read!(b.branchId, b);
        expect(readB.props).toMatchObject({ name: "renamed-by-hand" });
        // Put it back, then a resource deleted by hand reads as gone.
        await branch.update!(b.branchId, readB.props as BranchOutputs, { projectId: p.projectId, name: "stage", parentId: p.defaultBranchId, expiresAt: "2030-01-01T00:00:00Z" });
        expect(sim.state.branches.get(b.branchId)!.name).toBe("stage");
    });

    it("looks the connection up again on update and refresh (pooled: the pooler host)", async () => {
        const pooled = (await connection.update!("c", c, { ...c, pooled: true })).outs as ConnectionOutputs;
        expect(pooled.host).toBe(e.poolerHost);
        expect((await connection.read!("c", c)).props).toMatchObject({ host: e.host, password: r.password });
    });

    it("deletes, and treats 404 as done", async () => {
        await connection.delete!("c", c);
        await database.delete!(d.name, d);
        // Its database gone, a connection reads as gone (refresh drops it).
        expect((await connection.read!("c", c)).id).toBe("");
        await database.delete!(d.name, d);
        await role.delete!(r.name, r);
        await endpoint.delete!(e.endpointId, e);
        await endpoint.delete!(e.endpointId, e);
        expect((await endpoint.read!(e.endpointId, e)).id).toBe("");
        await branch.delete!(b.branchId, b);
        await branch.delete!(b.branchId, b);
        expect(sim.state.branches.has(b.branchId)).toBe(false);
        expect((await branch.read!(b.branchId, b)).id).toBe("");
        await project.delete!(p.projectId, p);
        await project.delete!(p.projectId, p);
        expect(sim.state.projects.size).toBe(0);
    });
});

describe("faults", () => {
    let p: ProjectOutputs;
    beforeAll(async () => {
        pace();
        p = (await project.create!({ name: `faults-${randomBytes(3).toString("hex")}`, regionId: "aws-us-east-2", pgVersion: 17 })).outs as ProjectOutputs;
    });

    it("a create whose answer was lost (reset after Neon applied it) adopts instead of making a second branch", async () => {
        sim.injectOnce("createProjectBranch", "reset-after");
        const made = await branch.create!({ projectId: p.projectId, name: "pr-1" });
        expect(namedBranches(p.projectId, "pr-1")).toHaveLength(1);
        expect(made.id).toBe(namedBranches(p.projectId, "pr-1")[0]!.id);
        expect(sim.requests.filter((q) => q.operationId === "createProjectBranch" && q.path.includes(p.projectId))).toHaveLength(1);
    });

    it("a slow answer past the request time-out is not repeated blindly either", async () => {
        sim.setFaults({ rate: 0, seed: 1, slowMs: 600 });
        pace({ NEON_REQUEST_TIMEOUT_MS: "300" });
        sim.injectOnce("createProjectBranch", "slow");
        await branch.create!({ projectId: p.projectId, name: "pr-2" });
        expect(namedBranches(p.projectId, "pr-2")).toHaveLength(1);
    });

    it("retries 500, 503 and resets before anything happened", async () => {
        sim.injectOnce("createProjectBranch", "500");
        sim.injectOnce("getProjectOperation", "503", 2);
        sim.injectOnce("listProjectBranches", "reset");
        await branch.create!({ projectId: p.projectId, name: "pr-3" });
        expect(namedBranches(p.projectId, "pr-3")).toHaveLength(1);
        expect(projectIdle(p.projectId)).toBe(true);
    });

    it("waits out 423 while the project runs another operation", async () => {
        const busy = await branch.create!({ projectId: p.projectId, name: "pr-4" });
        // A long operation started by someone else.
        const proj = sim.state.projects.get(p.projectId)!;
        proj.busyUntil = Date.now() + 300;
        const started = Date.now();
        await endpoint.create!({ projectId: p.projectId, branchId: busy.id, type: "read_write" });
        expect(Date.now() - started).toBeGreaterThanOrEqual(250);
        const locked = sim.requests.filter((q) => q.operationId === "createProjectEndpoint" && q.status === 423);
        expect(locked.length).toBeGreaterThan(0);
    });

    it("parallel creates in one process take turns: no 423, and two creates of one name make one branch", async () => {
        const before = sim.requests.length;
        const names = ["par-1", "par-2", "par-3", "par-1"];
        const made = await Promise.all(names.map((name) => branch.create!({ projectId: p.projectId, name })));
        expect(made[0]!.id).toBe(made[3]!.id);
        for (const name of new Set(names)) expect(namedBranches(p.projectId, name)).toHaveLength(1);
        expect(sim.requests.slice(before).filter((q) => q.status === 423)).toEqual([]);
    });

    it("honours Retry-After on 429", async () => {
        const limited = await startNeonSimulator({ apiKey: KEY, operationMs: { default: 10 }, rateLimit: { requests: 3, windowMs: 1000 } });
        try {
            pace({ NEON_API_HOST: limited.baseUrl });
            const started = Date.now();
            await project.create!({ name: "limited", regionId: "aws-us-east-2", pgVersion: 17 });
            const throttled = limited.requests.filter((q) => q.status === 429);
            expect(throttled.length).toBeGreaterThan(0);
            // Retry-After is whole seconds: the client waited at least one.
            expect(Date.now() - started).toBeGreaterThanOrEqual(1000);
            // It did not hammer: at most one rejected request per Retry-After interval.
            expect(throttled.length).toBeLessThanOrEqual(3);
            expect(limited.violations).toEqual([]);
        } finally {
            await limited.stop();
        }
    });

    it("gives up at the deadline with an error naming the operation and Neon's answer", async () => {
        pace({ NEON_DEADLINE_SECONDS: "0.5" });
        sim.injectOnce("getProjectBranch", "503", 1000);
        const read = branch.read!("br-nope", { projectId: p.projectId, name: "x" } as BranchOutputs);
        await expect(read).rejects.toThrow(/Neon API read branch br-nope failed: HTTP 503 service unavailable \(gave up after \d+ attempts: deadline\)/);
    });

    it("a failing request is not retried and names the operation", async () => {
        await expect(endpoint.create!({ projectId: p.projectId, branchId: "br-missing", type: "read_write" }))
            .rejects.toThrow(/Neon API create read_write endpoint on branch br-missing in project .*: list endpoints failed: HTTP 404 branch br-missing not found/);
    });

    it("needs NEON_API_KEY at call time and never prints a key it was given", async () => {
        delete process.env.NEON_API_KEY;
        await expect(branch.create!({ projectId: p.projectId, name: "pr-x" })).rejects.toThrow(/NEON_API_KEY is not set/);
        process.env.NEON_API_KEY = CANARY_KEY;
        const rejected = branch.create!({ projectId: p.projectId, name: "pr-x" });
        await expect(rejected).rejects.toThrow(/HTTP 401 authorization failed/);
        await expect(rejected).rejects.not.toThrow(new RegExp(CANARY_KEY));
    });
});

describe("contract and secrets", () => {
    it("every request and response was valid against Neon's OpenAPI document", () => {
        expect(sim.requests.length).toBeGreaterThan(50);
        expect(sim.violations).toEqual([]);
    });

    it("no key and no password was ever logged", () => {
        const text = logged.join("\n");
        expect(text).not.toContain(KEY);
        expect(text).not.toContain(CANARY_KEY);
        expect(text).not.toContain(CANARY_PASSWORD);
    });
});
