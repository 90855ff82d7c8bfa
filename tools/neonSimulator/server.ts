/**
 * A stateful stand-in for the Neon API v2 on 127.0.0.1, implementing exactly the endpoints the Neon
 * providers call (`components/neon/provider.ts`) and `getConnectionURI`. Every request and every response
 * is validated against the OpenAPI document shipped in `@neondatabase/api-client` ({@link NeonSpec});
 * violations are recorded in `violations` (and an invalid request is answered 400), so a drift between
 * our assumptions and Neon's contract fails the tests that assert `violations` is empty.
 *
 * Semantics modelled on Neon:
 * - mutations answer at once with `operations`; each operation takes a configurable time, and a project
 *   runs them one after another (`scheduling` → `running` → `finished`);
 * - a mutation while the project has an unfinished operation answers `423 Locked`;
 * - a per-key rate limit answers `429` with `Retry-After` (seconds);
 * - seeded fault injection: `500`/`503` before anything happens, connection resets before or after the
 *   mutation is applied, and slow answers;
 * - a child branch starts with its parent's roles (same passwords) and databases (`createProjectBranch`
 *   answers them), and with the endpoints its request's `endpoints` asks for (one `start_compute` each);
 * - `getConnectionURI`: `branch_id` defaults to the default branch, `endpoint_id` to the branch's
 *   read_write endpoint; `404` when the project, branch, endpoint, role or database does not exist.
 *   Without PostgreSQL the URI is Neon's shape, `postgresql://<role>:<password>@<endpoint host>/<db>?sslmode=require`
 *   (`<endpoint id>-pooler` host when `pooled=true`); user, password and database are URL-encoded.
 *
 * With `postgres` (superuser credentials of a running server), branches are real:
 * - every role and database of every branch is a PostgreSQL role (`LOGIN`, the Neon password) and database,
 *   named `<branch key>_<name>` ({@link postgresName}: lowercase `[a-z0-9_]`, ≤ 63 bytes, hashed when the
 *   Neon name does not fit); `getConnectionURI` answers
 *   `postgresql://<mapped role>:<password>@<pg host>:<pg port>/<mapped db>?sslmode=disable`, and so does
 *   `createProject`'s `connection_uris`;
 * - createProject creates the owner role and database; createProjectBranch copies the parent's roles and
 *   `CREATE DATABASE … TEMPLATE <parent's>` (data included), then `REASSIGN OWNED` from each parent role to
 *   the child's; role and database create / owner change / delete, branch delete (databases `WITH (FORCE)`,
 *   then roles) and project delete act on PostgreSQL too;
 * - that work runs in one ordered queue (`postgresJobs`, `postgresIdle()`), each job tied to its request's
 *   operations: they stay `running` (and the project answers `423`) until the job is done, then `finished`,
 *   or `failed` with `error` (PostgreSQL's message) and `failures_count: 1`, when it failed. A failed job
 *   reverts its request's change to the state (so a retry redoes it; drops are `IF EXISTS`), except for
 *   createProject, whose project stays with its failed operations.
 *
 * Deviations from Neon:
 * - Branch names are not unique here (the provider must not rely on the server to refuse duplicates).
 * - Branching is not point-in-time: `parent_lsn`, `parent_timestamp` and `init_source` are ignored; with
 *   PostgreSQL the child copies the parent's databases when its job runs.
 * - With PostgreSQL all branches share one server (whatever the project's `pg_version`), so:
 *   copying a database needs nobody connected to it, and the parent's database refuses connections during
 *   the copy and its open connections are terminated (Neon's branching does not disturb the parent);
 *   each database grants `CONNECT` only to its own branch's roles (Neon's branches are separate servers);
 *   roles are plain `LOGIN` roles (no `neon_superuser` membership, `CREATEDB` or `CREATEROLE`);
 *   privileges a parent role holds on objects it does not own stay with the parent's role in the copy;
 *   deleting a role that owns a database fails its operation; `pooled` changes nothing (no pooler), and
 *   `connection_parameters` carry the host without the port (the URI has both).
 * - `deleteProject` has no operation (as in Neon's answer): its PostgreSQL drops run in the background
 *   (`postgresIdle()` waits for them).
 * - `getConnectionURI` with `endpoint_id` and no `branch_id` uses the endpoint's branch; an endpoint of
 *   another branch than `branch_id` is `404`.
 */
import { randomBytes } from "node:crypto";
import * as http from "node:http";
import type { AddressInfo } from "node:net";
import { PostgresBacking, postgresErrorMessage, postgresName, type BackedBranch, type PostgresCredentials } from "./postgres";
import { NeonSpec, type SpecOperation, type SpecViolation } from "./spec";

export { postgresBranchKey, postgresName, type PostgresCredentials } from "./postgres";

/**
 * An injected fault: `500`/`503` answered before anything happens; `reset` closes the connection before,
 * `reset-after` after the mutation was applied; `slow` answers after `faults.slowMs` (default 1000 ms).
 */
export type NeonFaultKind = "500" | "503" | "reset" | "reset-after" | "slow";

/** Options of {@link startNeonSimulator}; only `apiKey` is required. */
export interface NeonSimulatorOptions {
    /** The only accepted bearer token. */
    readonly apiKey: string;
    /** Duration of each operation by action, in ms; `default` for the rest. @default { default: 50 } */
    readonly operationMs?: Partial<Record<string, number>> & { default?: number };
    /** Requests allowed per key in any `windowMs`. @default 700 per 60000 ms (Neon's documented limit) */
    readonly rateLimit?: { readonly requests: number; readonly windowMs: number } | false;
    /** Fraction of requests (0–1) that get a fault, and the seed of the generator that picks them. */
    readonly faults?: { readonly rate: number; readonly seed: number; readonly kinds?: readonly NeonFaultKind[]; readonly slowMs?: number };
    /** Prefix of generated role passwords (a canary in tests). */
    readonly passwordPrefix?: string;
    /** Port on 127.0.0.1. @default 0 (a free one) */
    readonly port?: number;
    /**
     * Superuser credentials of a running PostgreSQL server (e.g. `startPostgres()` of `tools/lib/postgres`).
     * When set, every role and database of every branch is a real PostgreSQL role and database (names
     * mapped by {@link postgresName}), each mutation's PostgreSQL work runs in one ordered queue, its
     * operations finish only when that work has, and `getConnectionURI` answers URIs of this server.
     * One admin connection is opened at start (which fails if the server is unreachable) and closed by
     * `stop()`. @default undefined (state only; URIs name Neon-style hosts that do not resolve)
     */
    readonly postgres?: PostgresCredentials;
}

/** One request the simulator received, as recorded in `requests`. */
export interface RecordedRequest {
    /** When it arrived (ms epoch). */
    readonly at: number;
    readonly method: string;
    /** Path without the `/api/v2` prefix, with the query string. */
    readonly path: string;
    /** The OpenAPI operation it matched; undefined for an unknown route. */
    readonly operationId?: string;
    /** Status answered; undefined when the connection was reset instead. */
    readonly status?: number;
    /** The fault injected into it, if any. */
    readonly fault?: NeonFaultKind;
}

/**
 * A piece of PostgreSQL work (with `postgres` set) and the operations it belongs to: they report `running`
 * until it has settled, then `finished`, or `failed` with `error`.
 */
export interface PostgresJob {
    /** What it does, e.g. `createProjectBranchDatabase app on br-…`. */
    readonly description: string;
    /** The project of the request that queued it. */
    readonly project_id: string;
    /** Ids of the operations tied to it (none for `deleteProject`). */
    readonly operationIds: readonly string[];
    /** When it ended (ms epoch); undefined while it is queued or running. */
    settledAt?: number;
    /** PostgreSQL's error message when it failed. */
    error?: string;
}

/** An operation as the simulator keeps it: it runs from `startAt` to `endAt` (ms epoch), or until its `job` settles, if later. */
export interface SimOperation { id: string; project_id: string; branch_id?: string; endpoint_id?: string; action: string; startAt: number; endAt: number; created_at: string; job?: PostgresJob }
interface SimProject { id: string; name: string; region_id: string; pg_version: number; org_id?: string; history_retention_seconds: number; created_at: string; updated_at: string; busyUntil: number; operations: SimOperation[] }
interface SimBranch { id: string; project_id: string; parent_id?: string; name: string; default: boolean; protected: boolean; expires_at?: string; readyAt: number; job?: PostgresJob; created_at: string; updated_at: string }
interface SimEndpoint { id: string; project_id: string; branch_id: string; type: "read_write" | "read_only"; min: number; max: number; suspend: number; readyAt: number; created_at: string; updated_at: string }
interface SimRole { branch_id: string; name: string; password: string; created_at: string; updated_at: string }
interface SimDatabase { id: number; branch_id: string; name: string; owner_name: string; created_at: string; updated_at: string }

/** A running simulator (see {@link startNeonSimulator}); its fields are live views of its state. */
export interface NeonSimulator {
    /** `http://127.0.0.1:<port>/api/v2`: `NEON_API_HOST` for the providers, `baseURL` for `createApiClient`. */
    readonly baseUrl: string;
    /** Every request received, in order. */
    readonly requests: RecordedRequest[];
    /** Every breach of the OpenAPI contract seen, by a request or by one of the simulator's own answers. */
    readonly violations: SpecViolation[];
    /** Every operation ever scheduled, with its start and end (ms epoch). */
    readonly operations: readonly SimOperation[];
    /** The simulated objects: projects, branches and endpoints by id, roles and databases by `<branch id>/<name>`. */
    readonly state: {
        readonly projects: Map<string, SimProject>;
        readonly branches: Map<string, SimBranch>;
        readonly endpoints: Map<string, SimEndpoint>;
        readonly roles: Map<string, SimRole>;
        readonly databases: Map<string, SimDatabase>;
    };
    /** Every PostgreSQL job queued so far, in queue order (empty without `postgres`). */
    readonly postgresJobs: readonly PostgresJob[];
    /** Resolves when every PostgreSQL job queued so far has settled (at once without `postgres`). Never rejects. */
    postgresIdle(): Promise<void>;
    /** Gives the next `count` requests of `operationId` the fault `kind` (deterministic fault tests). */
    injectOnce(operationId: string, kind: NeonFaultKind, count?: number): void;
    /** Changes fault injection (e.g. none while a test sets up) and drops faults queued by `injectOnce`. */
    setFaults(faults: NeonSimulatorOptions["faults"] | undefined): void;
    /**
     * Stops answering, waits (up to 10 s) for queued PostgreSQL jobs, then closes the admin connection.
     * Does not stop the PostgreSQL server.
     */
    stop(): Promise<void>;
}

class HttpError extends Error {
    constructor(readonly status: number, message: string, readonly headers: Record<string, string> = {}) { super(message); }
}

/** mulberry32: a small seeded generator, so a fault sequence can be replayed. */
export function seeded(seed: number): () => number {
    let a = seed >>> 0;
    return () => {
        a = (a + 0x6d2b79f5) >>> 0;
        let t = a;
        t = Math.imul(t ^ (t >>> 15), t | 1);
        t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
        return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
    };
}

let sharedSpec: NeonSpec | undefined;

/**
 * Starts the simulator on a free port of 127.0.0.1 (or `options.port`).
 * @throws {Error} when `options.postgres` is set and that server cannot be reached.
 */
export async function startNeonSimulator(options: NeonSimulatorOptions): Promise<NeonSimulator> {
    const spec = (sharedSpec ??= new NeonSpec());
    const pg = options.postgres ? await PostgresBacking.open(options.postgres) : undefined;
    const requests: RecordedRequest[] = [];
    const violations: SpecViolation[] = [];
    const allOperations: SimOperation[] = [];
    const projects = new Map<string, SimProject>();
    const branches = new Map<string, SimBranch>();
    const endpoints = new Map<string, SimEndpoint>();
    const roles = new Map<string, SimRole>();
    const databases = new Map<string, SimDatabase>();
    let faults = options.faults;
    let random = seeded(faults?.seed ?? 1);
    const rateLimit = options.rateLimit === undefined ? { requests: 700, windowMs: 60_000 } : options.rateLimit;
    const accepted: number[] = [];
    let seq = 0;
    const iso = (ms = Date.now()) => new Date(ms).toISOString().replace(/\.\d{3}Z$/, "Z");
    const id = (prefix: string) => `${prefix}-${(++seq).toString(36).padStart(4, "0")}-${randomBytes(3).toString("hex")}`;
    const duration = (action: string) => options.operationMs?.[action] ?? options.operationMs?.default ?? 50;

    // --- PostgreSQL jobs (with `postgres`) ----------------------------------------------------------
    const jobs: PostgresJob[] = [];
    const pendingJobs = new Set<PostgresJob>();
    let queue: Promise<void> = Promise.resolve();
    /**
     * Queues `work` after every earlier job and ties it to `ops`. When it fails, `undo` reverts the
     * request's change to the state (unless the project is gone meanwhile), so state and PostgreSQL agree.
     */
    const enqueue = (p: SimProject, description: string, ops: readonly SimOperation[], work: (pg: PostgresBacking) => Promise<void>, undo?: () => void): PostgresJob | undefined => {
        if (!pg) return undefined;
        const job: PostgresJob = { description, project_id: p.id, operationIds: ops.map((o) => o.id) };
        for (const o of ops) o.job = job;
        jobs.push(job);
        pendingJobs.add(job);
        queue = queue.then(async () => {
            try {
                await work(pg);
            } catch (e) {
                job.error = postgresErrorMessage(e);
                if (undo && projects.get(p.id) === p) undo();
            } finally {
                job.settledAt = Date.now();
                pendingJobs.delete(job);
            }
        });
        return job;
    };
    /** When an operation ends: at `endAt`, or when its job settles if later (Infinity while it runs). */
    const operationEnd = (o: SimOperation) => !o.job ? o.endAt : o.job.settledAt === undefined ? Infinity : Math.max(o.endAt, o.job.settledAt);
    /** A branch's roles and databases, by Neon names, for the PostgreSQL side. */
    const backed = (b: SimBranch): BackedBranch => ({
        branchId: b.id,
        roles: [...roles.values()].filter((r) => r.branch_id === b.id).map((r) => ({ name: r.name, password: r.password })),
        databases: [...databases.values()].filter((d) => d.branch_id === b.id).map((d) => ({ name: d.name, owner: d.owner_name })),
    });

    // --- views (shapes of the contract) -----------------------------------------------------------
    const proxyHost = (p: SimProject) => `${p.region_id.replace(/^aws-/, "")}.aws.neon.tech`;
    const projectView = (p: SimProject) => ({
        id: p.id, platform_id: "aws", region_id: p.region_id, name: p.name, pg_version: p.pg_version, proxy_host: proxyHost(p),
        branch_logical_size_limit: 0, branch_logical_size_limit_bytes: 0, store_passwords: true, cpu_used_sec: 0,
        provisioner: "k8s-neonvm", creation_source: "console", history_retention_seconds: p.history_retention_seconds,
        created_at: p.created_at, updated_at: p.updated_at, owner_id: "sim-user", ...(p.org_id ? { org_id: p.org_id } : {}),
        consumption_period_start: p.created_at, consumption_period_end: iso(Date.now() + 30 * 86_400_000),
        active_time_seconds: 0, compute_time_seconds: 0, written_data_bytes: 0, data_transfer_bytes: 0, data_storage_bytes_hour: 0,
    });
    const projectListView = (p: SimProject) => {
        const { consumption_period_start: _s, consumption_period_end: _e, active_time_seconds: _a, compute_time_seconds: _c,
            written_data_bytes: _w, data_transfer_bytes: _d, data_storage_bytes_hour: _h, ...rest } = projectView(p);
        return { ...rest, active_time: 0 };
    };
    const branchView = (b: SimBranch) => {
        const ready = Date.now() >= b.readyAt && (b.job === undefined || b.job.settledAt !== undefined);
        return {
            id: b.id, project_id: b.project_id, ...(b.parent_id ? { parent_id: b.parent_id } : {}), name: b.name,
            current_state: ready ? "ready" : "init", ...(ready ? {} : { pending_state: "ready" }),
            state_changed_at: iso(Math.min(Date.now(), Math.max(b.readyAt, b.job?.settledAt ?? 0))), creation_source: "console", created_at: b.created_at, updated_at: b.updated_at,
            default: b.default, primary: b.default, protected: b.protected, ...(b.expires_at ? { expires_at: b.expires_at } : {}),
            cpu_used_sec: 0, active_time_seconds: 0, compute_time_seconds: 0, written_data_bytes: 0, data_transfer_bytes: 0,
        };
    };
    const endpointView = (e: SimEndpoint) => {
        const p = projects.get(e.project_id)!;
        return {
            host: `${e.id}.${proxyHost(p)}`, id: e.id, project_id: e.project_id, branch_id: e.branch_id, region_id: p.region_id,
            autoscaling_limit_min_cu: e.min, autoscaling_limit_max_cu: e.max, type: e.type,
            current_state: Date.now() >= e.readyAt ? "idle" : "init", pooler_enabled: false, pooler_mode: "transaction",
            disabled: false, passwordless_access: true, creation_source: "console", created_at: e.created_at, updated_at: e.updated_at,
            settings: {}, proxy_host: proxyHost(p), suspend_timeout_seconds: e.suspend, provisioner: "k8s-neonvm",
        };
    };
    const roleView = (r: SimRole, withPassword = false) => ({
        branch_id: r.branch_id, name: r.name, protected: false, created_at: r.created_at, updated_at: r.updated_at,
        ...(withPassword ? { password: r.password } : {}),
    });
    const databaseView = (d: SimDatabase) => ({ id: d.id, branch_id: d.branch_id, name: d.name, owner_name: d.owner_name, created_at: d.created_at, updated_at: d.updated_at });
    const operationView = (o: SimOperation) => {
        const now = Date.now();
        const end = operationEnd(o);
        const failed = o.job?.error !== undefined;
        const status = now < o.startAt ? "scheduling" : now < end ? "running" : failed ? "failed" : "finished";
        return {
            id: o.id, project_id: o.project_id, ...(o.branch_id ? { branch_id: o.branch_id } : {}), ...(o.endpoint_id ? { endpoint_id: o.endpoint_id } : {}),
            action: o.action, status, ...(status === "failed" ? { error: o.job!.error } : {}), failures_count: status === "failed" ? 1 : 0,
            created_at: o.created_at, updated_at: iso(Math.min(now, end)), total_duration_ms: Math.max(0, Math.min(now, end) - o.startAt),
        };
    };

    // --- state helpers ----------------------------------------------------------------------------
    const project = (pid: string) => {
        const p = projects.get(pid);
        if (!p) throw new HttpError(404, `project ${pid} not found`);
        return p;
    };
    const branch = (p: SimProject, bid: string) => {
        const b = branches.get(bid);
        if (!b || b.project_id !== p.id) throw new HttpError(404, `branch ${bid} not found`);
        return b;
    };
    /** 423: the project has a running operation (or PostgreSQL job); Neon's message. */
    const lock = (p: SimProject) => {
        if (Date.now() < p.busyUntil || [...pendingJobs].some((j) => j.project_id === p.id)) throw new HttpError(423, "project already has running conflicting operations, scheduling of new ones is prohibited");
    };
    const schedule = (p: SimProject, actions: readonly string[], ids: { branch_id?: string; endpoint_id?: string }) => {
        return actions.map((action) => {
            const startAt = Math.max(Date.now(), p.busyUntil);
            const op: SimOperation = { id: `${randomBytes(4).toString("hex")}-${randomBytes(2).toString("hex")}-4${randomBytes(2).toString("hex").slice(1)}-8${randomBytes(2).toString("hex").slice(1)}-${randomBytes(6).toString("hex")}`,
                project_id: p.id, ...ids, action, startAt, endAt: startAt + duration(action), created_at: iso() };
            p.busyUntil = op.endAt;
            p.operations.push(op);
            allOperations.push(op);
            return op;
        });
    };
    /** Removes a branch and what it holds from the state; the returned function puts them back. */
    const dropBranch = (b: SimBranch): (() => void) => {
        const removed: (() => void)[] = [() => branches.set(b.id, b)];
        branches.delete(b.id);
        for (const [k, e] of endpoints) if (e.branch_id === b.id) endpoints.delete(k), removed.push(() => endpoints.set(k, e));
        for (const [k, r] of roles) if (r.branch_id === b.id) roles.delete(k), removed.push(() => roles.set(k, r));
        for (const [k, d] of databases) if (d.branch_id === b.id) databases.delete(k), removed.push(() => databases.set(k, d));
        return () => { for (const put of removed) put(); };
    };
    const newBranch = (p: SimProject, name: string, parent: string | undefined, isDefault: boolean, readyAt: number): SimBranch => {
        const b: SimBranch = { id: id("br"), project_id: p.id, ...(parent ? { parent_id: parent } : {}), name, default: isDefault, protected: false, readyAt, created_at: iso(), updated_at: iso() };
        branches.set(b.id, b);
        return b;
    };
    const newRole = (b: SimBranch, name: string): SimRole => {
        const r = { branch_id: b.id, name, password: `${options.passwordPrefix ?? "npg_"}${randomBytes(9).toString("base64url")}`, created_at: iso(), updated_at: iso() };
        roles.set(`${b.id}/${name}`, r);
        return r;
    };
    const newEndpoint = (p: SimProject, b: SimBranch, type: "read_write" | "read_only", min: number, max: number, suspend: number, readyAt: number): SimEndpoint => {
        const e: SimEndpoint = { id: id("ep"), project_id: p.id, branch_id: b.id, type, min, max, suspend, readyAt, created_at: iso(), updated_at: iso() };
        endpoints.set(e.id, e);
        return e;
    };

    /**
     * The URI of database `d` as role `r` through endpoint `e`. Without `postgres`, Neon's shape
     * (`postgresql://<role>:<password>@<endpoint host>/<db>?sslmode=require`, `-pooler` host when pooled);
     * with it, the PostgreSQL server's address and the mapped names (`sslmode=disable`; no pooler there).
     */
    const connectionUri = (p: SimProject, e: SimEndpoint, r: SimRole, d: SimDatabase, pooled: boolean): string => {
        const enc = encodeURIComponent;
        if (options.postgres) {
            const { host, port } = options.postgres;
            return `postgresql://${enc(postgresName(r.branch_id, r.name))}:${enc(r.password)}@${host.includes(":") ? `[${host}]` : host}:${port}/${enc(postgresName(d.branch_id, d.name))}?sslmode=disable`;
        }
        return `postgresql://${enc(r.name)}:${enc(r.password)}@${e.id}${pooled ? "-pooler" : ""}.${proxyHost(p)}/${enc(d.name)}?sslmode=require`;
    };
    /** Endpoint `eid` of project `p`; 404 otherwise. */
    const endpoint = (p: SimProject, eid: string) => {
        const e = endpoints.get(eid);
        if (!e || e.project_id !== p.id) throw new HttpError(404, `endpoint ${eid} not found`);
        return e;
    };
    const branchRoles = (b: SimBranch) => [...roles.values()].filter((r) => r.branch_id === b.id);
    const branchDatabases = (b: SimBranch) => [...databases.values()].filter((d) => d.branch_id === b.id);

    // --- handlers, by operationId -----------------------------------------------------------------
    type Handler = (params: Record<string, string>, query: URLSearchParams, body: any) => { status: number; body?: unknown };
    const handlers: Record<string, Handler> = {
        listProjects: (_p, q) => {
            const search = q.get("search") ?? "";
            const list = [...projects.values()].filter((p) => p.name.includes(search) || p.id === search)
                .filter((p) => !q.get("org_id") || p.org_id === q.get("org_id"));
            return { status: 200, body: { projects: list.map(projectListView), applications: {}, integrations: {} } };
        },
        createProject: (_p, _q, body) => {
            const spec = body.project ?? {};
            const p: SimProject = { id: id("sim-project").replace(/^sim-project/, "proj"), name: spec.name ?? "", region_id: spec.region_id ?? "aws-us-east-2",
                pg_version: spec.pg_version ?? 17, ...(spec.org_id ? { org_id: spec.org_id } : {}), history_retention_seconds: spec.history_retention_seconds ?? 86_400,
                created_at: iso(), updated_at: iso(), busyUntil: 0, operations: [] };
            if (!spec.name) p.name = p.id;
            projects.set(p.id, p);
            const ops = schedule(p, ["create_timeline", "start_compute"], {});
            const b = newBranch(p, spec.branch?.name ?? "main", undefined, true, ops[0]!.endAt);
            ops.forEach((o) => { o.branch_id = b.id; });
            const e = newEndpoint(p, b, "read_write", 0.25, 0.25, 0, ops[1]!.endAt);
            ops[1]!.endpoint_id = e.id;
            const dbName = spec.branch?.database_name ?? "neondb";
            const r = newRole(b, spec.branch?.role_name ?? `${dbName}_owner`);
            const d: SimDatabase = { id: ++seq, branch_id: b.id, name: dbName, owner_name: r.name, created_at: iso(), updated_at: iso() };
            databases.set(`${b.id}/${d.name}`, d);
            const objects = backed(b);
            // No undo: the project stays, with its failed operations.
            const job = enqueue(p, `createProject ${p.id}: role ${r.name}, database ${d.name} on ${b.id}`, ops, (pg) => pg.createBranch(objects));
            if (job) b.job = job;
            const host = `${e.id}.${proxyHost(p)}`;
            const parameters = options.postgres
                ? { database: postgresName(b.id, d.name), password: r.password, role: postgresName(b.id, r.name), host: options.postgres.host, pooler_host: options.postgres.host }
                : { database: d.name, password: r.password, role: r.name, host, pooler_host: host.replace(/^([^.]+)/, "$1-pooler") };
            return {
                status: 201, body: {
                    project: projectView(p), branch: branchView(b), endpoints: [endpointView(e)], roles: [roleView(r, true)], databases: [databaseView(d)],
                    operations: ops.map(operationView),
                    connection_uris: [{ connection_uri: connectionUri(p, e, r, d, false), connection_parameters: parameters }],
                },
            };
        },
        getProject: (params) => ({ status: 200, body: { project: projectView(project(params.project_id!)) } }),
        updateProject: (params, _q, body) => {
            const p = project(params.project_id!);
            if (body.project.name !== undefined) p.name = body.project.name;
            if (body.project.history_retention_seconds !== undefined) p.history_retention_seconds = body.project.history_retention_seconds;
            p.updated_at = iso();
            return { status: 200, body: { project: projectView(p), operations: [] } };
        },
        deleteProject: (params) => {
            const p = project(params.project_id!);
            const dropped: BackedBranch[] = [];
            for (const b of [...branches.values()]) if (b.project_id === p.id) dropped.push(backed(b)), dropBranch(b);
            projects.delete(p.id);
            // Children first: their databases hold copies of their parents' grants.
            enqueue(p, `deleteProject ${p.id}`, [], async (pg) => { for (const b of dropped.reverse()) await pg.dropBranch(b); });
            return { status: 200, body: { project: projectView(p) } };
        },
        listProjectOperations: (params, q) => {
            const p = project(params.project_id!);
            const limit = Number(q.get("limit") ?? 10);
            return { status: 200, body: { operations: [...p.operations].reverse().slice(0, limit).map(operationView) } };
        },
        getProjectOperation: (params) => {
            const p = project(params.project_id!);
            const op = p.operations.find((o) => o.id === params.operation_id);
            if (!op) throw new HttpError(404, `operation ${params.operation_id} not found`);
            return { status: 200, body: { operation: operationView(op) } };
        },
        listProjectBranches: (params, q) => {
            const p = project(params.project_id!);
            const search = q.get("search") ?? "";
            const list = [...branches.values()].filter((b) => b.project_id === p.id && (b.name.includes(search) || b.id === search));
            return { status: 200, body: { branches: list.map(branchView), annotations: {} } };
        },
        createProjectBranch: (params, _q, body) => {
            const p = project(params.project_id!);
            lock(p);
            const parent = body?.branch?.parent_id ? branch(p, body.branch.parent_id) : [...branches.values()].find((b) => b.project_id === p.id && b.default)!;
            const wanted = (body?.endpoints ?? []) as { type: "read_write" | "read_only"; autoscaling_limit_min_cu?: number; autoscaling_limit_max_cu?: number; suspend_timeout_seconds?: number }[];
            if (wanted.filter((w) => w.type === "read_write").length > 1) throw new HttpError(422, "a branch can have only one read_write endpoint");
            const ops = schedule(p, ["create_branch", ...wanted.map(() => "start_compute")], {});
            const b = newBranch(p, body?.branch?.name ?? id("br"), parent.id, false, ops[0]!.endAt);
            if (body?.branch?.protected !== undefined) b.protected = body.branch.protected;
            if (body?.branch?.expires_at) b.expires_at = body.branch.expires_at;
            ops.forEach((o) => { o.branch_id = b.id; });
            const made = wanted.map((w, i) => {
                const e = newEndpoint(p, b, w.type, w.autoscaling_limit_min_cu ?? 0.25, w.autoscaling_limit_max_cu ?? 0.25, w.suspend_timeout_seconds ?? 0, ops[i + 1]!.endAt);
                ops[i + 1]!.endpoint_id = e.id;
                return e;
            });
            // Like Neon, the child starts with the parent's roles (same passwords) and databases.
            for (const r of branchRoles(parent)) roles.set(`${b.id}/${r.name}`, { ...r, branch_id: b.id });
            for (const d of branchDatabases(parent)) databases.set(`${b.id}/${d.name}`, { ...d, id: ++seq, branch_id: b.id });
            const from = backed(parent);
            const job = enqueue(p, `createProjectBranch ${b.id} from ${parent.id}`, ops, (pg) => pg.copyBranch(from, b.id), () => void dropBranch(b));
            if (job) b.job = job;
            return {
                status: 201, body: {
                    branch: branchView(b), endpoints: made.map(endpointView), operations: ops.map(operationView),
                    roles: branchRoles(b).map((r) => roleView(r)), databases: branchDatabases(b).map(databaseView),
                },
            };
        },
        getProjectBranch: (params) => {
            const b = branch(project(params.project_id!), params.branch_id!);
            return { status: 200, body: { branch: branchView(b), annotation: { object: { type: "console/branch", id: b.id }, value: {} } } };
        },
        updateProjectBranch: (params, _q, body) => {
            const p = project(params.project_id!);
            const b = branch(p, params.branch_id!);
            lock(p);
            if (body.branch.name !== undefined) b.name = body.branch.name;
            if (body.branch.protected !== undefined) b.protected = body.branch.protected;
            if (body.branch.expires_at !== undefined) {
                if (body.branch.expires_at === null) delete b.expires_at;
                else b.expires_at = body.branch.expires_at;
            }
            b.updated_at = iso();
            return { status: 200, body: { branch: branchView(b), operations: [] } };
        },
        deleteProjectBranch: (params) => {
            const p = project(params.project_id!);
            const b = branch(p, params.branch_id!);
            if (b.default) throw new HttpError(422, "cannot delete the project's default branch");
            if (b.protected) throw new HttpError(422, "branch is protected");
            lock(p);
            const ops = schedule(p, ["delete_timeline"], { branch_id: b.id });
            const view = branchView(b);
            const objects = backed(b);
            const restore = dropBranch(b);
            enqueue(p, `deleteProjectBranch ${b.id}`, ops, (pg) => pg.dropBranch(objects), restore);
            return { status: 200, body: { branch: view, operations: ops.map(operationView) } };
        },
        listProjectBranchEndpoints: (params) => {
            const b = branch(project(params.project_id!), params.branch_id!);
            return { status: 200, body: { endpoints: [...endpoints.values()].filter((e) => e.branch_id === b.id).map(endpointView) } };
        },
        createProjectEndpoint: (params, _q, body) => {
            const p = project(params.project_id!);
            const b = branch(p, body.endpoint.branch_id);
            lock(p);
            if (body.endpoint.type === "read_write" && [...endpoints.values()].some((e) => e.branch_id === b.id && e.type === "read_write")) {
                throw new HttpError(422, `branch ${b.id} already has a read_write endpoint`);
            }
            const ops = schedule(p, ["start_compute"], { branch_id: b.id });
            const e = newEndpoint(p, b, body.endpoint.type, body.endpoint.autoscaling_limit_min_cu ?? 0.25, body.endpoint.autoscaling_limit_max_cu ?? 0.25, body.endpoint.suspend_timeout_seconds ?? 0, ops[0]!.endAt);
            ops[0]!.endpoint_id = e.id;
            return { status: 201, body: { endpoint: endpointView(e), operations: ops.map(operationView) } };
        },
        getProjectEndpoint: (params) => {
            const p = project(params.project_id!);
            const e = endpoint(p, params.endpoint_id!);
            return { status: 200, body: { endpoint: endpointView(e) } };
        },
        updateProjectEndpoint: (params, _q, body) => {
            const p = project(params.project_id!);
            const e = endpoint(p, params.endpoint_id!);
            lock(p);
            const s = body.endpoint;
            if (s.autoscaling_limit_min_cu !== undefined) e.min = s.autoscaling_limit_min_cu;
            if (s.autoscaling_limit_max_cu !== undefined) e.max = s.autoscaling_limit_max_cu;
            if (s.suspend_timeout_seconds !== undefined) e.suspend = s.suspend_timeout_seconds;
            if (e.min > e.max) throw new HttpError(400, "autoscaling_limit_min_cu must not exceed autoscaling_limit_max_cu");
            e.updated_at = iso();
            const ops = schedule(p, ["apply_config"], { branch_id: e.branch_id, endpoint_id: e.id });
            return { status: 200, body: { endpoint: endpointView(e), operations: ops.map(operationView) } };
        },
        deleteProjectEndpoint: (params) => {
            const p = project(params.project_id!);
            const e = endpoint(p, params.endpoint_id!);
            lock(p);
            const ops = schedule(p, ["suspend_compute"], { branch_id: e.branch_id, endpoint_id: e.id });
            const view = endpointView(e);
            endpoints.delete(e.id);
            return { status: 200, body: { endpoint: view, operations: ops.map(operationView) } };
        },
        createProjectBranchRole: (params, _q, body) => {
            const p = project(params.project_id!);
            const b = branch(p, params.branch_id!);
            lock(p);
            if (roles.has(`${b.id}/${body.role.name}`)) throw new HttpError(409, `role ${body.role.name} already exists`);
            const r = newRole(b, body.role.name);
            const ops = schedule(p, ["apply_config"], { branch_id: b.id });
            const dbs = branchDatabases(b).map((d) => d.name);
            enqueue(p, `createProjectBranchRole ${r.name} on ${b.id}`, ops, (pg) => pg.createRole(b.id, { name: r.name, password: r.password }, dbs),
                () => roles.delete(`${b.id}/${r.name}`));
            return { status: 201, body: { role: roleView(r, true), operations: ops.map(operationView) } };
        },
        getProjectBranchRole: (params) => {
            const b = branch(project(params.project_id!), params.branch_id!);
            const r = roles.get(`${b.id}/${params.role_name}`);
            if (!r) throw new HttpError(404, `role ${params.role_name} not found`);
            return { status: 200, body: { role: roleView(r) } };
        },
        getProjectBranchRolePassword: (params) => {
            const b = branch(project(params.project_id!), params.branch_id!);
            const r = roles.get(`${b.id}/${params.role_name}`);
            if (!r) throw new HttpError(404, `role ${params.role_name} not found`);
            return { status: 200, body: { password: r.password } };
        },
        deleteProjectBranchRole: (params) => {
            const p = project(params.project_id!);
            const b = branch(p, params.branch_id!);
            const r = roles.get(`${b.id}/${params.role_name}`);
            if (!r) throw new HttpError(404, `role ${params.role_name} not found`);
            lock(p);
            roles.delete(`${b.id}/${r.name}`);
            const ops = schedule(p, ["apply_config"], { branch_id: b.id });
            const dbs = backed(b).databases;
            enqueue(p, `deleteProjectBranchRole ${r.name} on ${b.id}`, ops, (pg) => pg.dropRole(b.id, r.name, dbs), () => roles.set(`${b.id}/${r.name}`, r));
            return { status: 200, body: { role: roleView(r), operations: ops.map(operationView) } };
        },
        createProjectBranchDatabase: (params, _q, body) => {
            const p = project(params.project_id!);
            const b = branch(p, params.branch_id!);
            lock(p);
            if (databases.has(`${b.id}/${body.database.name}`)) throw new HttpError(409, `database ${body.database.name} already exists`);
            if (!roles.has(`${b.id}/${body.database.owner_name}`)) throw new HttpError(404, `role ${body.database.owner_name} not found`);
            const d: SimDatabase = { id: ++seq, branch_id: b.id, name: body.database.name, owner_name: body.database.owner_name, created_at: iso(), updated_at: iso() };
            databases.set(`${b.id}/${d.name}`, d);
            const ops = schedule(p, ["apply_config"], { branch_id: b.id });
            const roleNames = branchRoles(b).map((r) => r.name);
            enqueue(p, `createProjectBranchDatabase ${d.name} on ${b.id}`, ops, (pg) => pg.createDatabase(b.id, { name: d.name, owner: d.owner_name }, roleNames),
                () => databases.delete(`${b.id}/${d.name}`));
            return { status: 201, body: { database: databaseView(d), operations: ops.map(operationView) } };
        },
        getProjectBranchDatabase: (params) => {
            const b = branch(project(params.project_id!), params.branch_id!);
            const d = databases.get(`${b.id}/${params.database_name}`);
            if (!d) throw new HttpError(404, `database ${params.database_name} not found`);
            return { status: 200, body: { database: databaseView(d) } };
        },
        updateProjectBranchDatabase: (params, _q, body) => {
            const p = project(params.project_id!);
            const b = branch(p, params.branch_id!);
            const d = databases.get(`${b.id}/${params.database_name}`);
            if (!d) throw new HttpError(404, `database ${params.database_name} not found`);
            lock(p);
            const before = { owner_name: d.owner_name, updated_at: d.updated_at };
            if (body.database.owner_name !== undefined) d.owner_name = body.database.owner_name;
            d.updated_at = iso();
            const ops = schedule(p, ["apply_config"], { branch_id: b.id });
            if (d.owner_name !== before.owner_name) {
                const owner = d.owner_name;
                enqueue(p, `updateProjectBranchDatabase ${d.name} on ${b.id}: owner ${owner}`, ops, (pg) => pg.setDatabaseOwner(b.id, d.name, owner), () => Object.assign(d, before));
            }
            return { status: 200, body: { database: databaseView(d), operations: ops.map(operationView) } };
        },
        deleteProjectBranchDatabase: (params) => {
            const p = project(params.project_id!);
            const b = branch(p, params.branch_id!);
            const d = databases.get(`${b.id}/${params.database_name}`);
            if (!d) throw new HttpError(404, `database ${params.database_name} not found`);
            lock(p);
            databases.delete(`${b.id}/${d.name}`);
            const ops = schedule(p, ["apply_config"], { branch_id: b.id });
            enqueue(p, `deleteProjectBranchDatabase ${d.name} on ${b.id}`, ops, (pg) => pg.dropDatabase(b.id, d.name), () => databases.set(`${b.id}/${d.name}`, d));
            return { status: 200, body: { database: databaseView(d), operations: ops.map(operationView) } };
        },
        getConnectionURI: (params, q) => {
            const p = project(params.project_id!);
            const branchId = q.get("branch_id");
            const endpointId = q.get("endpoint_id");
            // No branch_id: the endpoint's branch when endpoint_id is given, else the default branch.
            const b = branchId ? branch(p, branchId)
                : endpointId ? branch(p, endpoint(p, endpointId).branch_id)
                : [...branches.values()].find((x) => x.project_id === p.id && x.default)!;
            let e: SimEndpoint | undefined;
            if (endpointId) {
                e = endpoint(p, endpointId);
                if (e.branch_id !== b.id) throw new HttpError(404, `endpoint ${endpointId} not found on branch ${b.id}`);
            } else {
                e = [...endpoints.values()].find((x) => x.branch_id === b.id && x.type === "read_write");
                if (!e) throw new HttpError(404, `branch ${b.id} has no read_write endpoint`);
            }
            const r = roles.get(`${b.id}/${q.get("role_name")}`);
            if (!r) throw new HttpError(404, `role ${q.get("role_name")} not found`);
            const d = databases.get(`${b.id}/${q.get("database_name")}`);
            if (!d) throw new HttpError(404, `database ${q.get("database_name")} not found`);
            return { status: 200, body: { uri: connectionUri(p, e, r, d, q.get("pooled") === "true") } };
        },
    };

    // --- HTTP ---------------------------------------------------------------------------------------
    const queued: { operationId: string; kind: NeonFaultKind }[] = [];
    const pickFault = (operationId: string): NeonFaultKind | undefined => {
        const i = queued.findIndex((q) => q.operationId === operationId);
        if (i >= 0) return queued.splice(i, 1)[0]!.kind;
        if (!faults || faults.rate <= 0) return undefined;
        if (random() >= faults.rate) return undefined;
        const kinds = faults.kinds ?? ["500", "503", "reset", "reset-after", "slow"];
        return kinds[Math.floor(random() * kinds.length)];
    };

    const server = http.createServer((req, res) => {
        const chunks: Buffer[] = [];
        req.on("data", (c: Buffer) => chunks.push(c));
        req.on("end", () => {
            const url = new URL(req.url ?? "/", "http://127.0.0.1");
            const pathname = url.pathname.replace(/^\/api\/v2/, "");
            const method = req.method ?? "GET";
            const record: { -readonly [K in keyof RecordedRequest]: RecordedRequest[K] } = { at: Date.now(), method, path: pathname + url.search };
            requests.push(record);
            const matched = spec.match(method, pathname);
            let operation: SpecOperation | undefined;
            const send = (status: number, body: unknown, headers: Record<string, string> = {}) => {
                record.status = status;
                if (operation) {
                    for (const detail of spec.validateResponse(operation, status, body)) violations.push({ kind: "response", operation: operation.operationId, detail });
                }
                const text = body === undefined ? "" : JSON.stringify(body);
                const write = () => {
                    if (res.destroyed) return;
                    res.writeHead(status, { "content-type": "application/json", ...headers });
                    res.end(text);
                };
                if (record.fault === "slow") setTimeout(write, faults?.slowMs ?? 1000);
                else write();
            };
            const error = (status: number, message: string, headers: Record<string, string> = {}) =>
                send(status, { code: "", message, request_id: randomBytes(8).toString("hex") }, headers);

            if (!matched) {
                violations.push({ kind: "route", operation: `${method} ${pathname}`, detail: "no such operation in the OpenAPI document" });
                return error(404, `no route ${method} ${pathname}`);
            }
            operation = matched.operation;
            record.operationId = operation.operationId;
            let body: unknown;
            try {
                body = chunks.length === 0 ? undefined : JSON.parse(Buffer.concat(chunks).toString("utf8"));
            } catch {
                violations.push({ kind: "request", operation: operation.operationId, detail: "body is not JSON" });
                return error(400, "request body is not JSON");
            }
            if (req.headers.authorization !== `Bearer ${options.apiKey}`) return error(401, "authorization failed");
            if (rateLimit) {
                const now = Date.now();
                while (accepted.length > 0 && accepted[0]! <= now - rateLimit.windowMs) accepted.shift();
                if (accepted.length >= rateLimit.requests) {
                    const retryAfter = Math.max(1, Math.ceil((accepted[0]! + rateLimit.windowMs - now) / 1000));
                    return error(429, "rate limit exceeded", { "retry-after": String(retryAfter) });
                }
                accepted.push(now);
            }
            const problems = spec.validateRequest(operation, matched.params, url.searchParams, body);
            if (problems.length > 0) {
                for (const detail of problems) violations.push({ kind: "request", operation: operation.operationId, detail });
                return error(400, problems.join("; "));
            }
            const handler = handlers[operation.operationId];
            if (!handler) {
                violations.push({ kind: "route", operation: operation.operationId, detail: "not implemented by the simulator" });
                return error(501, `${operation.operationId} is not simulated`);
            }
            const fault = pickFault(operation.operationId);
            if (fault) record.fault = fault;
            if (fault === "500" || fault === "503") return error(Number(fault), fault === "500" ? "internal server error" : "service unavailable");
            if (fault === "reset") return void req.socket.destroy();
            try {
                const result = handler(matched.params, url.searchParams, body);
                if (fault === "reset-after") return void req.socket.destroy();
                send(result.status, result.body);
            } catch (e) {
                if (fault === "reset-after") return void req.socket.destroy();
                if (e instanceof HttpError) return error(e.status, e.message, e.headers);
                return error(500, (e as Error).message);
            }
        });
    });
    try {
        await new Promise<void>((resolve, reject) => {
            server.once("error", reject);
            server.listen(options.port ?? 0, "127.0.0.1", () => { server.off("error", reject); resolve(); });
        });
    } catch (error) {
        await pg?.close();
        throw error;
    }
    const { port } = server.address() as AddressInfo;
    return {
        baseUrl: `http://127.0.0.1:${port}/api/v2`,
        requests,
        violations,
        operations: allOperations,
        state: { projects, branches, endpoints, roles, databases },
        postgresJobs: jobs,
        postgresIdle: async () => {
            // Jobs queued while waiting extend the chain: wait until it stops growing.
            for (let last: Promise<void> | undefined; last !== queue;) await (last = queue);
        },
        injectOnce(operationId, kind, count = 1) {
            for (let i = 0; i < count; i++) queued.push({ operationId, kind });
        },
        setFaults(next) {
            queued.length = 0;
            faults = next;
            random = seeded(next?.seed ?? 1);
        },
        async stop() {
            server.closeAllConnections();
            await new Promise<void>((resolve) => server.close(() => resolve()));
            if (pg) {
                let timer: NodeJS.Timeout | undefined;
                await Promise.race([queue, new Promise<void>((resolve) => { timer = setTimeout(resolve, 10_000); })]);
                clearTimeout(timer);
                await pg.close();
            }
        },
    };
}
