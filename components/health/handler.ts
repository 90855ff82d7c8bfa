/**
 * The health endpoint: runs every check a declaration calls for, concurrently and each under its time
 * limit, and answers `200` with a report when all pass, `503` otherwise.
 */
import { bindingKind } from "../bindings/index";
import { HEALTH_CHAIN_HEADER, parseHealthChain } from "./checks";
import { checkEnvContract } from "./envContract";
import { ENV_CHECK, planHealthChecks } from "./plan";
import { DEFAULT_TIMEOUT_MS, runCheck, type CheckWork } from "./timing";
import type { CheckResult, HealthDeclaration, HealthOptions, HealthReport, PlannedCheck } from "./types";

/** Default key probed in KV namespaces and R2 buckets. */
export const DEFAULT_PROBE_KEY = "__health/probe";
/** Default name of the Durable Object instance probed. */
export const DEFAULT_DURABLE_OBJECT_NAME = "__health";
/** Health path assumed for a bound service when {@link HealthOptions.servicePaths} does not name one. */
export const DEFAULT_SERVICE_HEALTH_PATH = "/health";

/**
 * Serves the health endpoint for one request.
 *
 * @param request the incoming request.
 * @param env the Worker's `env`.
 * @returns `undefined` when the request's path is not the health path (route it elsewhere); otherwise
 *   `200`/`503` with a JSON {@link HealthReport} for `GET`, the same status without body for `HEAD`, and
 *   `405` for other methods.
 */
export type HealthHandler = (request: Request, env: object) => Promise<Response | undefined>;

/** Where a health check was asked from; set by the handler from the incoming request. */
export interface HealthContext {
    /** Services already checking, in order, when this check was started by another service's check. @default [] */
    readonly chain?: readonly string[];
}

/**
 * Creates the health endpoint of a Worker from its declaration.
 *
 * @param declaration the service's declaration (`import declaration from "../service"`); its
 *   `health.path` (default `/health`) is the path served.
 * @param options time limits, probe key and the like; every field has a default.
 * @throws {RangeError} at creation when a time limit is not a positive finite number of milliseconds.
 *
 * @example
 * import declaration from "../service";
 * const health = createHealthHandler(declaration, { timeoutMs: 1500 });
 * export default {
 *   async fetch(request: Request, env: Env): Promise<Response> {
 *     return (await health(request, env)) ?? route(request, env);
 *   },
 * };
 */
export function createHealthHandler(declaration: HealthDeclaration, options: HealthOptions = {}): HealthHandler {
    validateOptions(options);
    const path = declaration.health.path;
    return async (request, env) => {
        if (new URL(request.url).pathname !== path) return undefined;
        if (request.method !== "GET" && request.method !== "HEAD") {
            return new Response(JSON.stringify({ error: `method ${request.method} not allowed on ${path}; use GET or HEAD` }), {
                status: 405,
                headers: { allow: "GET, HEAD", "content-type": "application/json; charset=utf-8" },
            });
        }
        const chain = parseHealthChain(request.headers.get(HEALTH_CHAIN_HEADER));
        const report = await runHealthChecks(declaration, env, options, { chain });
        return healthResponse(report, request.method === "HEAD");
    };
}

/**
 * Runs every check of a declaration against `env` and builds the report. Checks run concurrently;
 * the whole run takes about as long as the slowest check, at most its time limit.
 *
 * @param declaration the service's declaration.
 * @param env the Worker's `env`.
 * @param options as for {@link createHealthHandler}.
 * @param context the chain of services already checking (set from the request by the handler).
 * @returns never rejects; a check that throws or times out is reported as `fail`.
 */
export async function runHealthChecks(
    declaration: HealthDeclaration, env: object, options: HealthOptions = {}, context: HealthContext = {},
): Promise<HealthReport> {
    const timestamp = new Date().toISOString();
    const skip = new Set(options.skip ?? []);
    const chain = [...(context.chain ?? []), declaration.name];
    const works = new Map<string, CheckWork>();
    for (const planned of planHealthChecks(declaration)) {
        works.set(planned.name, workOf(planned, declaration, env, options, chain));
    }
    for (const [name, check] of Object.entries(options.extraChecks ?? {})) {
        works.set(name, (signal) => check(env, signal));
    }
    const names = [...works.keys()].filter((name) => !skip.has(name));
    const results = await Promise.all(names.map((name) => runCheck(works.get(name)!, timeoutOf(name, options))));
    const checks: Record<string, CheckResult> = {};
    names.forEach((name, i) => { checks[name] = results[i]!; });
    return {
        status: results.every((r) => r.status === "ok") ? "ok" : "fail",
        service: declaration.name,
        version: declaration.version,
        timestamp,
        checks,
    };
}

/**
 * The HTTP response for a report: `200` when its status is `ok`, `503` otherwise; JSON body,
 * `cache-control: no-store`.
 *
 * @param head leave the body out (for `HEAD` requests). @default false
 */
export function healthResponse(report: HealthReport, head = false): Response {
    return new Response(head ? null : JSON.stringify(report), {
        status: report.status === "ok" ? 200 : 503,
        headers: { "content-type": "application/json; charset=utf-8", "cache-control": "no-store" },
    });
}

function workOf(planned: PlannedCheck, declaration: HealthDeclaration, env: object, options: HealthOptions, chain: readonly string[]): CheckWork {
    if (planned.kind === ENV_CHECK) {
        return () => {
            const checked = checkEnvContract(declaration.env, env);
            if (!checked.ok) throw new Error(checked.message);
        };
    }
    const health = bindingKind(planned.kind).health!;
    const binding = (env as Record<string, unknown>)[planned.name];
    const fields = Object.fromEntries(Object.entries(planned).filter((e): e is [string, string] => e[1] !== undefined));
    return (signal) => health.run(binding, {
        planned: { ...fields, name: planned.name },
        options: {
            probeKey: options.probeKey ?? DEFAULT_PROBE_KEY,
            durableObjectName: options.durableObjectName ?? DEFAULT_DURABLE_OBJECT_NAME,
            servicePath: options.servicePaths?.[planned.name] ?? DEFAULT_SERVICE_HEALTH_PATH,
            ...(options.postgres === undefined ? {} : { postgres: options.postgres }),
        },
        chain,
        signal,
    });
}

function timeoutOf(name: string, options: HealthOptions): number {
    return options.timeoutsMs?.[name] ?? options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
}

function validateOptions(options: HealthOptions): void {
    const limits: [string, number | undefined][] = [
        ["timeoutMs", options.timeoutMs],
        ...Object.entries(options.timeoutsMs ?? {}).map(([name, ms]): [string, number] => [`timeoutsMs.${name}`, ms]),
    ];
    for (const [field, ms] of limits) {
        if (ms !== undefined && !(Number.isFinite(ms) && ms > 0)) {
            throw new RangeError(`health options: ${field} must be a positive number of milliseconds, got ${ms}`);
        }
    }
}
