/**
 * One check per kind of bound resource, each a cheap round trip that proves the binding is wired and
 * answering. Each takes the binding as found on `env` (typed `unknown`: a missing or mistyped binding is
 * itself a failure) and throws to fail.
 */
import { HEALTH_PROBE_HEADER, healthProbeRequest } from "./probe";
import { failingChecks, parseHealthReport } from "./report";
import type { PostgresClient } from "./types";
import { errorMessage } from "./timing";

/** Header a health check sends to a bound service: the comma-separated chain of services already checking. */
export const HEALTH_CHAIN_HEADER = "x-platform-health-chain";
/** Longest chain of services checking each other's health; deeper service checks are skipped. */
export const MAX_HEALTH_CHAIN = 4;

/**
 * Workers KV: `get` of `probeKey` (a missing key is fine).
 * @param binding `env[name]`, expected to be a `KVNamespace`.
 * @param probeKey key read; need not exist.
 * @throws {Error} when the binding is missing or not a namespace, or the read fails.
 */
export async function checkKv(binding: unknown, probeKey: string): Promise<void> {
    const kv = expectMethods<{ get(key: string): Promise<unknown> }>(binding, ["get"], "a KV namespace");
    await kv.get(probeKey);
}

/**
 * D1: `select 1 as ok`, which must return the row `{ ok: 1 }`.
 * @param binding `env[name]`, expected to be a `D1Database`.
 * @throws {Error} when the binding is missing or not a database, the query fails or returns another row.
 */
export async function checkD1(binding: unknown): Promise<void> {
    const db = expectMethods<{ prepare(query: string): { first(): Promise<unknown> } }>(binding, ["prepare"], "a D1 database");
    const row = await db.prepare("select 1 as ok").first();
    if ((row as { ok?: unknown } | null)?.ok !== 1) throw new Error("select 1 returned an unexpected result");
}

/**
 * R2: `head` of `probeKey` (a missing object is fine).
 * @param binding `env[name]`, expected to be an `R2Bucket`.
 * @param probeKey object key looked up; need not exist.
 * @throws {Error} when the binding is missing or not a bucket, or the request fails.
 */
export async function checkR2(binding: unknown, probeKey: string): Promise<void> {
    const bucket = expectMethods<{ head(key: string): Promise<unknown> }>(binding, ["head"], "an R2 bucket");
    await bucket.head(probeKey);
}

/**
 * Durable Objects: fetches the health probe from the instance named `objectName`. The class must answer
 * it with `isHealthProbe` / `healthProbeResponse`; any other answer fails with a hint saying so.
 * @param binding `env[name]`, expected to be a `DurableObjectNamespace`.
 * @param objectName name given to `idFromName`; the same instance answers every probe.
 * @throws {Error} when the binding is missing, the fetch fails, the class does not handle the probe, or
 *   its probe answers `fail` (the message carries the probe's own message).
 */
export async function checkDurableObject(binding: unknown, objectName: string): Promise<void> {
    const namespace = expectMethods<{ idFromName(name: string): unknown; get(id: unknown): unknown }>(
        binding, ["idFromName", "get"], "a Durable Object namespace");
    const stub = expectMethods<{ fetch(request: Request): Promise<Response> }>(
        namespace.get(namespace.idFromName(objectName)), ["fetch"], "a Durable Object stub");
    const response = await stub.fetch(healthProbeRequest());
    const answer = response.headers.get(HEALTH_PROBE_HEADER);
    const body = await response.text();
    if (answer === null) {
        throw new Error(`the object answered the health probe with HTTP ${response.status} but is not handling it; ` +
            "answer it with isHealthProbe(request) and healthProbeResponse() from the health library");
    }
    if (response.status !== 200 || answer !== "ok") {
        throw new Error(`the object's probe failed (HTTP ${response.status})${probeMessage(body)}`);
    }
}

/**
 * Hyperdrive: `select 1 as ok` through the binding's `connectionString`, which must return `{ ok: 1 }`.
 * Error messages never contain the connection string's password.
 * @param binding `env[name]`, expected to be a `Hyperdrive` binding (with `connectionString`).
 * @param client the PostgreSQL client (`HealthOptions.postgres`).
 * @param signal aborts the query when the check's time limit passes.
 * @throws {Error} when the binding or the client is missing, the query fails or returns another row.
 */
export async function checkHyperdrive(binding: unknown, client: PostgresClient | undefined, signal: AbortSignal): Promise<void> {
    if (binding === undefined || binding === null) throw new Error("binding is missing from env; expected a Hyperdrive binding");
    const connectionString = (binding as { connectionString?: unknown }).connectionString;
    if (typeof connectionString !== "string") throw new Error("binding is not a Hyperdrive binding (it has no connectionString)");
    if (client === undefined) {
        throw new Error("no PostgreSQL client: pass { postgres: postgresJs } (components/health/postgres) to createHealthHandler");
    }
    let rows: readonly Record<string, unknown>[];
    try {
        rows = await client(connectionString, "select 1 as ok", signal);
    } catch (error) {
        throw new Error(`select 1 failed: ${redact(errorMessage(error), connectionString)}`);
    }
    if (Number(rows[0]?.ok) !== 1) throw new Error("select 1 returned an unexpected result");
}

/** Removes the password (and the whole connection string) of `connectionString` from a message. */
function redact(message: string, connectionString: string): string {
    let out = message.split(connectionString).join("<connection string>");
    try {
        const password = decodeURIComponent(new URL(connectionString).password);
        if (password !== "") out = out.split(password).join("***");
    } catch {
        // Not a URL: nothing more to hide.
    }
    return out;
}

/**
 * Service bindings: fetches the bound service's health endpoint (`https://<service><path>`), passing
 * the chain of services already checking so a cycle (a → b → a) stops instead of recursing.
 *
 * @param binding `env[name]`, expected to be a service binding (`Fetcher`).
 * @param service the bound service's declared name, used as the request's host and in cycle detection.
 * @param path the bound service's health path (`/health`).
 * @param chain services already in this health check, this one last (`["reports"]`).
 * @param signal aborts the request when the check's time limit passes.
 * @returns a note when the check is skipped (cycle or depth limit); fails on any answer but 200, naming
 *   the target's failing checks when it answers with a health report.
 */
export async function checkService(binding: unknown, service: string, path: string, chain: readonly string[], signal: AbortSignal): Promise<string | void> {
    const fetcher = expectMethods<{ fetch(request: Request): Promise<Response> }>(binding, ["fetch"], "a service binding");
    if (chain.includes(service)) return `skipped: ${service} is already being checked (${[...chain, service].join(" → ")})`;
    if (chain.length >= MAX_HEALTH_CHAIN) return `skipped: more than ${MAX_HEALTH_CHAIN} services deep (${chain.join(" → ")})`;
    const request = new Request(`https://${service}${path}`, { method: "GET", headers: { [HEALTH_CHAIN_HEADER]: chain.join(",") }, signal });
    const response = await fetcher.fetch(request);
    const text = await response.text();
    if (response.status === 200) return;
    const report = parseHealthReport(text);
    const failing = report === undefined ? [] : failingChecks(report);
    throw new Error(`${service} answered HTTP ${response.status} on ${path}` +
        (failing.length > 0 ? `; failing checks: ${failing.join(", ")}` : ""));
}

/** URL the static assets check fetches through the binding; an assets binding serves any host. */
export const ASSETS_PROBE_URL = "https://assets.local/";

/**
 * Static assets: fetches `/` ({@link ASSETS_PROBE_URL}) through the binding. Any answer below 500 passes:
 * a directory without `index.html` answers 404, an `htmlHandling` rule a redirect, and both prove the
 * binding serves. Source: https://developers.cloudflare.com/workers/static-assets/binding/#binding
 *
 * @param binding `env[name]`, expected to be the assets binding (a `Fetcher`).
 * @param signal aborts the request when the check's time limit passes.
 * @returns a note with the status when it is not 200.
 * @throws {Error} when the binding is missing or not a fetcher, the fetch fails, or it answers 500 or more.
 */
export async function checkAssets(binding: unknown, signal: AbortSignal): Promise<string | void> {
    const fetcher = expectMethods<{ fetch(request: Request): Promise<Response> }>(binding, ["fetch"], "a static assets binding");
    const response = await fetcher.fetch(new Request(ASSETS_PROBE_URL, { method: "GET", signal }));
    await response.body?.cancel();
    if (response.status >= 500) throw new Error(`the assets answered HTTP ${response.status} on /`);
    if (response.status !== 200) return `HTTP ${response.status} on / (the binding serves)`;
}

/**
 * Parses the {@link HEALTH_CHAIN_HEADER} of an incoming health request.
 * @param header the header's value, `null` when absent.
 * @returns valid service names only, in order, at most {@link MAX_HEALTH_CHAIN} + 1 of them.
 */
export function parseHealthChain(header: string | null): string[] {
    if (header === null) return [];
    return header.split(",").map((s) => s.trim()).filter((s) => /^[a-z][a-z0-9-]{0,39}$/.test(s)).slice(0, MAX_HEALTH_CHAIN + 1);
}

/**
 * Instance id {@link checkWorkflow} looks up: a valid Workflow instance id (letters, digits, `-` and `_`, at most
 * 100 characters, wrangler's `ALLOWED_WORKFLOW_INSTANCE_ID_REGEX`) that no real instance is expected to use.
 */
export const WORKFLOW_PROBE_INSTANCE_ID = "__platform-health-probe";

/**
 * Workflows: `get` of the instance {@link WORKFLOW_PROBE_INSTANCE_ID}, which starts nothing
 * (https://developers.cloudflare.com/workflows/build/workers-api/). Only a Workflow that answers can say the
 * instance is not found, so an error whose message is `instance.not_found` is a pass, as is finding the
 * instance. That message is what Miniflare's local binding throws (`WorkflowBinding.get`, miniflare 4) and
 * what workerd's Cloudflare binding passes on from the Workflows API (`workflows-api.ts` throws the API
 * error's message). Any other error (no such Workflow, the service unavailable) fails.
 * @param binding `env[name]`, expected to be a `Workflow`.
 * @throws {Error} when the binding is missing or not a Workflow, or `get` fails otherwise.
 */
export async function checkWorkflow(binding: unknown): Promise<void> {
    const workflow = expectMethods<{ get(id: string): Promise<unknown> }>(binding, ["get", "create"], "a Workflow");
    try {
        await workflow.get(WORKFLOW_PROBE_INSTANCE_ID);
    } catch (error) {
        const message = errorMessage(error);
        if (/\binstance\.not_found\b/.test(message)) return;
        throw new Error(`get of a probe instance failed: ${message}`);
    }
}

function probeMessage(body: string): string {
    try {
        const parsed = JSON.parse(body) as { message?: unknown };
        return typeof parsed.message === "string" ? `: ${parsed.message}` : "";
    } catch {
        return "";
    }
}

/**
 * `value` as a `T` when it has every method of `methods`.
 * @throws {Error} naming `what` when the binding is missing or lacks a method.
 */
export function expectMethods<T>(value: unknown, methods: readonly string[], what: string): T {
    if (value === undefined || value === null) throw new Error(`binding is missing from env; expected ${what}`);
    for (const method of methods) {
        if (typeof (value as Record<string, unknown>)[method] !== "function") {
            throw new Error(`binding is not ${what} (it has no ${method}())`);
        }
    }
    return value as T;
}
