/**
 * Shapes shared by the health library: the report a health endpoint returns, the options a Worker
 * passes, and the slice of a service declaration the library reads.
 *
 * This library is bundled into Workers (esbuild, platform neutral): it imports nothing but zod and the
 * declaration's types, and relies only on globals both Workers and Node.js provide (`Request`,
 * `Response`, `fetch`-style bindings, `setTimeout`, `AbortController`, `Date`).
 */
import type { ServiceDeclaration } from "../service/declaration";

/** Outcome of one check or of the whole report: `"ok"` when it passed, `"fail"` otherwise. */
export type HealthStatus = "ok" | "fail";

/** The outcome of one check, as it appears under `checks` in the report. */
export interface CheckResult {
    /** `"ok"` when the check passed within its time limit, `"fail"` otherwise. */
    readonly status: HealthStatus;
    /** Wall time the check took, in whole milliseconds (capped near the check's timeout when it timed out). */
    readonly latencyMs: number;
    /**
     * Why the check failed, or a note on a passing one (a skipped service check). Never contains a value
     * read from `env`: only key names, binding names, HTTP statuses and error messages of the bindings.
     */
    readonly message?: string;
}

/**
 * The JSON body of a health response.
 *
 * @example
 * {
 *   "status": "fail", "service": "api", "version": "1.4.0", "timestamp": "2026-04-02T06:00:00.000Z",
 *   "checks": {
 *     "env": { "status": "fail", "latencyMs": 0, "message": "env contract violated by LOG_LEVEL: expected one of \"debug\"|\"info\"|\"warn\"|\"error\"" },
 *     "CACHE": { "status": "ok", "latencyMs": 3 }
 *   }
 * }
 */
export interface HealthReport {
    /** `"ok"` when every check passed (HTTP 200), `"fail"` otherwise (HTTP 503). */
    readonly status: HealthStatus;
    /** The service's declared name (`declaration.name`). */
    readonly service: string;
    /** The service's declared version (`declaration.version`). */
    readonly version: string;
    /** When the checks started, ISO 8601 in UTC (`2026-04-02T06:00:00.000Z`). */
    readonly timestamp: string;
    /**
     * One entry per check: `env` for the env contract, the binding name for each bound resource
     * (`CACHE`, `DB`, `COUNTER`, `API`), and the names of any {@link HealthOptions.extraChecks}.
     */
    readonly checks: Readonly<Record<string, CheckResult>>;
}

/**
 * What the library reads from a service declaration: its name, version, bindings, env contract and
 * health path. A full `ServiceDeclaration` (the output of `defineService`) fits.
 */
export type HealthDeclaration = Pick<ServiceDeclaration, "name" | "version" | "bindings" | "env" | "health">;

/**
 * A custom check. Resolve to pass (optionally with a note), throw or reject to fail; the error's
 * message becomes the check's message, so it must not contain secret values.
 *
 * @param env the Worker's `env`.
 * @param signal aborted when the check's time limit passes; hand it to `fetch` so the request is cancelled.
 */
export type CustomCheck = (env: object, signal: AbortSignal) => Promise<string | void> | string | void;

/** Options of {@link createHealthHandler} and {@link runHealthChecks}. Every field is optional. */
export interface HealthOptions {
    /**
     * Time limit of each check, in milliseconds. A check still running then fails with
     * `timed out after <n> ms`, so a hanging binding cannot hang the endpoint. Checks run concurrently,
     * so the endpoint answers within about this long.
     * @default 2000
     */
    readonly timeoutMs?: number;
    /**
     * Time limit per check name, in milliseconds, overriding {@link timeoutMs}.
     * @default {}
     * @example { timeoutsMs: { API: 4000 } }
     */
    readonly timeoutsMs?: Readonly<Record<string, number>>;
    /**
     * Key read from each KV namespace (`get`) and R2 bucket (`head`). It need not exist: a missing key
     * is a successful round trip.
     * @default "__health/probe"
     */
    readonly probeKey?: string;
    /**
     * Name of the Durable Object instance each Durable Object binding probes (through `idFromName`).
     * @default "__health"
     */
    readonly durableObjectName?: string;
    /**
     * Health path of each bound service, by binding name (`{ API: "/healthz" }`), for targets whose
     * declaration changes `health.path`.
     * @default "/health" for every service binding (the declaration default)
     */
    readonly servicePaths?: Readonly<Record<string, string>>;
    /**
     * Check names to leave out of the report (`["FILES"]`), for a binding that must not be touched by
     * health traffic. `env` can be skipped too, though it should not be.
     * @default []
     */
    readonly skip?: readonly string[];
    /**
     * Additional checks by name (`{ UPSTREAM: (env, signal) => ... }`), run with the same time limit
     * rules. A name equal to a binding's check replaces that check.
     * @default {}
     */
    readonly extraChecks?: Readonly<Record<string, CustomCheck>>;
    /**
     * PostgreSQL client for `hyperdrive` bindings (a `select 1` through `env.NAME.connectionString`).
     * Pass `postgresJs` from `components/health/postgres` (postgres.js; needs `nodejs_compat`). Without
     * it, every hyperdrive check fails saying so.
     * @default none
     */
    readonly postgres?: PostgresClient;
}

/**
 * Runs one SQL query against a PostgreSQL connection string and resolves with the rows as plain
 * objects. Rejects on any failure; `signal` aborts when the check's time limit passes.
 */
export type PostgresClient = (connectionString: string, query: string, signal: AbortSignal) => Promise<readonly Record<string, unknown>[]>;

/**
 * Kinds of check the library derives from a declaration: `env` for the env contract, else the binding kind
 * whose health check runs (`kv`, `d1`, `queue`, ...; see the table in `components/bindings/`).
 */
export type CheckKind = string;

/** One planned check: its report name and what it exercises. */
export interface PlannedCheck {
    /** Name in the report: `env` or the binding name. */
    readonly name: string;
    /** What the check does. */
    readonly kind: CheckKind;
    /** Fields the kind's check planned from the declaration (a `service` check's bound service name: `service`). */
    readonly [field: string]: string | undefined;
}
