/**
 * A local stand-in for the few Cloudflare API endpoints the deploy-safety resources call, on 127.0.0.1
 * and a free port, started and stopped by the test:
 *
 * - `POST /client/v4/accounts/:account/d1/database/:id/query` `{ sql, params? }`: runs the SQL on a real
 *   D1 (workerd's, through Miniflare, persisted where `wrangler d1 ... --local --persist-to` looks) as one
 *   transactional batch, as the D1 API does; answers `{ success, errors, messages, result: [...] }`,
 *   SQL errors as HTTP 400 with code 7500.
 * - `GET /client/v4/accounts/:account/workers/scripts`: the script list with `migration_tag`.
 * - `GET /client/v4/accounts/:account/workers/scripts/:name/deployments`: `{ deployments: [...] }`,
 *   404 with code 10007 for an unknown script.
 * - `POST /client/v4/accounts/:account/workers/scripts/:name/deployments`
 *   `{ strategy: "percentage", versions: [{ version_id, percentage }], annotations? }`: one or two versions
 *   whose percentages total 100 (400, code 10021 otherwise); becomes the latest deployment.
 * - `POST /client/v4/graphql` `{ query, variables }`: Workers analytics, validated and executed against the
 *   documented schema (`workersAnalyticsGraphql.ts`); `analyticsFault` can answer a call with an HTTP error.
 *
 * Every request needs `Authorization: Bearer <token>` (401, code 10000 otherwise). Requests are recorded.
 * Shapes: https://developers.cloudflare.com/api/resources/d1/subresources/database/methods/query/ ,
 * https://developers.cloudflare.com/api/resources/workers/subresources/scripts/methods/list/ ,
 * https://developers.cloudflare.com/api/resources/workers/subresources/scripts/subresources/deployments/methods/list/ ,
 * https://developers.cloudflare.com/api/resources/workers/subresources/scripts/subresources/deployments/methods/create/ ,
 * https://developers.cloudflare.com/analytics/graphql-api/
 */
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import * as path from "node:path";
import { Miniflare } from "miniflare";
import { executeWorkersAnalytics, type AdaptiveQuery, type AdaptiveRow } from "./workersAnalyticsGraphql";

/** A Worker script as the list endpoint reports it. */
export interface StandInScript {
    readonly id: string;
    readonly migration_tag?: string;
}

/** A deployment as the deployments endpoint reports it. */
export interface StandInDeployment {
    readonly id: string;
    readonly strategy: "percentage";
    readonly versions: readonly { readonly version_id: string; readonly percentage: number }[];
}

/** Options of {@link startCloudflareApiStandIn}. */
export interface StandInOptions {
    /** The only token accepted. */
    readonly token: string;
    /** D1 database ids served, and where their SQLite files live (`<persistTo>/v3/d1`, wrangler's layout). */
    readonly d1?: { readonly databaseIds: readonly string[]; readonly persistTo: string };
    /** Scripts of the account. @default [] */
    readonly scripts?: StandInScript[];
    /** Deployments by script name, latest first; `POST` adds to it. @default {} */
    readonly deployments?: Record<string, StandInDeployment[]>;
    /** Rows of each `workersInvocationsAdaptive` query (after schema validation). @default no rows */
    readonly analytics?: (query: AdaptiveQuery) => readonly AdaptiveRow[];
    /** An HTTP error for the `call`-th GraphQL request since the stand-in started (1-based), or undefined to answer it. @default none */
    readonly analyticsFault?: (call: number) => StandInFault | undefined;
}

/** An HTTP error answer. */
export interface StandInFault {
    readonly status: number;
    readonly headers?: Readonly<Record<string, string>>;
    readonly body?: unknown;
}

/** A running stand-in. */
export interface CloudflareApiStandIn {
    /** `http://127.0.0.1:<port>/client/v4`: the value for `CLOUDFLARE_API_BASE_URL`. */
    readonly baseUrl: string;
    /** Every request received: method, path and JSON body. */
    readonly requests: { method: string; path: string; body?: unknown }[];
    /** Every `workersInvocationsAdaptive` query that passed validation, in order. */
    readonly analyticsQueries: AdaptiveQuery[];
    /** Deployments by script name, latest first, as they are now. */
    readonly deployments: Record<string, StandInDeployment[]>;
    /** Runs SQL directly on a database (for assertions), outside the API. */
    query(databaseId: string, sql: string): Promise<Record<string, unknown>[]>;
    /** Stops the server and workerd; the D1 files stay in `persistTo`. */
    stop(): Promise<void>;
}

/** Starts the stand-in. */
export async function startCloudflareApiStandIn(options: StandInOptions): Promise<CloudflareApiStandIn> {
    const bindings = Object.fromEntries((options.d1?.databaseIds ?? []).map((id, i) => [`DB${i}`, id]));
    // The same Miniflare setup as `wrangler d1 execute --local` (wrangler 4.86 `executeLocally`).
    const mf = options.d1 === undefined ? undefined : new Miniflare({
        modules: true,
        script: "",
        d1Persist: path.join(options.d1.persistTo, "v3", "d1"),
        d1Databases: bindings,
    });
    const databases = new Map<string, D1Database>();
    if (mf !== undefined) {
        for (const [binding, id] of Object.entries(bindings)) databases.set(id, await mf.getD1Database(binding) as unknown as D1Database);
    }
    const requests: CloudflareApiStandIn["requests"] = [];
    const analyticsQueries: AdaptiveQuery[] = [];
    const deployments: Record<string, StandInDeployment[]> = Object.fromEntries(Object.entries(options.deployments ?? {}).map(([k, v]) => [k, [...v]]));
    let graphqlCalls = 0;
    const server = createServer((req, res) => {
        handle(req, res).catch((error: Error) => send(res, 500, { success: false, errors: [{ code: 10000, message: error.message }] }));
    });
    async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
        const url = new URL(req.url ?? "/", "http://127.0.0.1");
        const text = await readBody(req);
        const body = text === "" ? undefined : JSON.parse(text) as unknown;
        requests.push({ method: req.method ?? "GET", path: url.pathname, body });
        if (req.headers.authorization !== `Bearer ${options.token}`) {
            return send(res, 401, { success: false, errors: [{ code: 10000, message: "Authentication error" }], messages: [], result: null });
        }
        let match = /^\/client\/v4\/accounts\/([^/]+)\/d1\/database\/([^/]+)\/query$/.exec(url.pathname);
        if (match !== null && req.method === "POST") {
            const db = databases.get(decodeURIComponent(match[2]!));
            if (db === undefined) return send(res, 404, { success: false, errors: [{ code: 7404, message: "database not found" }], messages: [], result: null });
            const { sql, params } = body as { sql: string; params?: unknown[] };
            try {
                const results = await db.batch([db.prepare(sql).bind(...(params ?? []))]);
                return send(res, 200, { success: true, errors: [], messages: [], result: results.map((r) => ({ results: r.results, success: r.success, meta: r.meta })) });
            } catch (error) {
                const cause = (error as { cause?: Error }).cause ?? (error as Error);
                return send(res, 400, { success: false, errors: [{ code: 7500, message: cause.message }], messages: [], result: null });
            }
        }
        match = /^\/client\/v4\/accounts\/([^/]+)\/workers\/scripts$/.exec(url.pathname);
        if (match !== null && req.method === "GET") {
            return send(res, 200, { success: true, errors: [], messages: [], result: options.scripts ?? [] });
        }
        match = /^\/client\/v4\/accounts\/([^/]+)\/workers\/scripts\/([^/]+)\/deployments$/.exec(url.pathname);
        if (match !== null && req.method === "GET") {
            const name = decodeURIComponent(match[2]!);
            if (!(options.scripts ?? []).some((s) => s.id === name)) {
                return send(res, 404, { success: false, errors: [{ code: 10007, message: "This Worker does not exist on your account." }], messages: [], result: null });
            }
            return send(res, 200, { success: true, errors: [], messages: [], result: { deployments: deployments[name] ?? [] } });
        }
        if (match !== null && req.method === "POST") {
            const name = decodeURIComponent(match[2]!);
            const { strategy, versions } = (body ?? {}) as { strategy?: unknown; versions?: { version_id?: unknown; percentage?: unknown }[] };
            const valid = strategy === "percentage" && Array.isArray(versions) && versions.length >= 1 && versions.length <= 2
                && versions.every((v) => typeof v.version_id === "string" && typeof v.percentage === "number" && v.percentage > 0)
                && Math.abs(versions.reduce((n, v) => n + (v.percentage as number), 0) - 100) < 1e-9;
            if (!valid) return send(res, 400, { success: false, errors: [{ code: 10021, message: "Invalid deployment: one or two versions totalling 100%" }], messages: [], result: null });
            const created: StandInDeployment = {
                id: `deployment-${(deployments[name]?.length ?? 0) + 1}`,
                strategy: "percentage",
                versions: versions!.map((v) => ({ version_id: v.version_id as string, percentage: v.percentage as number })),
            };
            deployments[name] = [created, ...(deployments[name] ?? [])];
            return send(res, 200, { success: true, errors: [], messages: [], result: created });
        }
        if (url.pathname === "/client/v4/graphql" && req.method === "POST") {
            graphqlCalls += 1;
            const fault = options.analyticsFault?.(graphqlCalls);
            if (fault !== undefined) {
                res.writeHead(fault.status, { "content-type": "application/json", ...fault.headers });
                return void res.end(JSON.stringify(fault.body ?? { errors: [{ message: `HTTP ${fault.status}` }] }));
            }
            return send(res, 200, await executeWorkersAnalytics(body, (query) => {
                analyticsQueries.push(query);
                return options.analytics?.(query) ?? [];
            }));
        }
        return send(res, 404, { success: false, errors: [{ code: 7003, message: "Could not route to " + url.pathname }], messages: [], result: null });
    }
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    const address = server.address() as { port: number };
    return {
        baseUrl: `http://127.0.0.1:${address.port}/client/v4`,
        requests,
        analyticsQueries,
        deployments,
        async query(databaseId, sql) {
            const db = databases.get(databaseId);
            if (db === undefined) throw new Error(`no database ${databaseId}`);
            return (await db.prepare(sql).all()).results as Record<string, unknown>[];
        },
        async stop() {
            server.closeAllConnections();
            await new Promise<void>((resolve) => server.close(() => resolve()));
            await mf?.dispose();
        },
    };
}

interface D1Database {
    prepare(sql: string): D1Statement;
    batch(statements: D1Statement[]): Promise<{ results: unknown[]; success: boolean; meta: unknown }[]>;
}
interface D1Statement {
    bind(...values: unknown[]): D1Statement;
    all(): Promise<{ results: unknown[] }>;
}

function readBody(req: IncomingMessage): Promise<string> {
    return new Promise((resolve, reject) => {
        let text = "";
        req.on("data", (chunk: Buffer) => { text += chunk.toString(); });
        req.on("end", () => resolve(text));
        req.on("error", reject);
    });
}

function send(res: ServerResponse, status: number, body: unknown): void {
    res.writeHead(status, { "content-type": "application/json" });
    res.end(JSON.stringify(body));
}
