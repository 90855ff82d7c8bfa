/**
 * The Durable Object side of the health check. The Worker's health endpoint sends a probe request to
 * one instance of each Durable Object namespace it binds; the class answers it with these helpers:
 *
 * @example
 * export class Counter extends DurableObject {
 *   async fetch(request: Request): Promise<Response> {
 *     if (isHealthProbe(request)) {
 *       return healthProbeResponse(() => this.ctx.storage.sql.exec("select 1").one());
 *     }
 *     // ... the class's own routes
 *   }
 * }
 */
import { errorMessage } from "./timing";

/** Path of the probe request a health check sends to a Durable Object stub. */
export const HEALTH_PROBE_PATH = "/__platform/health-probe";
/** Header carried by the probe request (value `"1"`) and by its answer (value `"ok"` or `"fail"`). */
export const HEALTH_PROBE_HEADER = "x-platform-health-probe";
/** Full URL of the probe request; the host is never resolved, a stub routes by id. */
export const HEALTH_PROBE_URL = `https://health-probe.internal${HEALTH_PROBE_PATH}`;

/**
 * Whether a request reaching a Durable Object is the health probe: a `GET` to {@link HEALTH_PROBE_PATH}
 * carrying the {@link HEALTH_PROBE_HEADER} header.
 */
export function isHealthProbe(request: Request): boolean {
    if (request.method !== "GET" || request.headers.get(HEALTH_PROBE_HEADER) === null) return false;
    try {
        return new URL(request.url).pathname === HEALTH_PROBE_PATH;
    } catch {
        return false;
    }
}

/**
 * The answer to a probe: `200 {"status":"ok"}`, or `503 {"status":"fail","message":...}` when `probe`
 * throws or rejects. Both carry {@link HEALTH_PROBE_HEADER}, which is how the health check tells a real
 * answer from a class that does not handle the probe.
 *
 * @param probe optional work that proves the object is usable, such as a storage read
 *   (`() => this.ctx.storage.sql.exec("select 1").one()`). Its error message is returned, so it must not
 *   contain secret values. @default none: answering at all proves the object was instantiated.
 */
export async function healthProbeResponse(probe?: () => unknown): Promise<Response> {
    try {
        if (probe !== undefined) await probe();
        return probeAnswer(200, { status: "ok" });
    } catch (error) {
        return probeAnswer(503, { status: "fail", message: errorMessage(error) });
    }
}

/** The probe request a health check sends (also useful in tests of a Durable Object class). */
export function healthProbeRequest(): Request {
    return new Request(HEALTH_PROBE_URL, { method: "GET", headers: { [HEALTH_PROBE_HEADER]: "1" } });
}

function probeAnswer(status: 200 | 503, body: { status: "ok" | "fail"; message?: string }): Response {
    return new Response(JSON.stringify(body), {
        status,
        headers: { "content-type": "application/json; charset=utf-8", "cache-control": "no-store", [HEALTH_PROBE_HEADER]: body.status },
    });
}
