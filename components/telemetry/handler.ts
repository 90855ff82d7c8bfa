/**
 * The fetch-handler wrapper of the Worker runtime library: per request, a logger carrying the request's id,
 * the service and the running version, and one request metrics data point when the response is ready.
 */
import type { ServiceDeclaration } from "../service/declaration";
import { createLogger, isLogLevel, type Logger, type LogLevel } from "./logger";
import { writeRequestMetrics, type MetricsDataset } from "./requestMetrics";

/**
 * What the library reads from a service declaration: its name, bindings (to find the secret values to redact
 * and the version metadata), env contract (`LOG_LEVEL`) and `telemetry` (the binding names). A full
 * `ServiceDeclaration` (what `defineService` returns) fits.
 */
export type TelemetryDeclaration = Pick<ServiceDeclaration, "name" | "bindings" | "env" | "telemetry">;

/** The env contract key holding the minimum log level. */
export const LOG_LEVEL_KEY = "LOG_LEVEL";

/** Minimum level when the env contract has no {@link LOG_LEVEL_KEY}, or its value fails the contract. */
export const DEFAULT_LOG_LEVEL: LogLevel = "info";

/** Route recorded for a request whose handler named none ({@link RequestTelemetry.setRoute}). */
export const UNNAMED_ROUTE = "unmatched";

/** What the wrapped handler gets besides the request, `env` and the context. */
export interface RequestTelemetry {
    /** The request's logger (its lines carry `requestId`, `service`, `versionId`). */
    readonly logger: Logger;
    /** The request's id: its `cf-ray` header, else a random UUID. */
    readonly requestId: string;
    /**
     * Names the route template that answers (`/api/notes/:id`), recorded in the metrics (`index1`, `blob1`).
     * Never a raw path: ids in paths would make every request its own route. @default "unmatched"
     */
    setRoute(route: string): void;
}

/** A fetch handler that takes the request's {@link RequestTelemetry} last. */
export type TelemetryFetchHandler<E, C> = (request: Request, env: E, ctx: C, telemetry: RequestTelemetry) => Promise<Response> | Response;

/** Options of {@link telemetryLogger}. */
export interface TelemetryLoggerOptions {
    /** `requestId` of every line. @default absent (a cron run, a queue batch) */
    readonly requestId?: string;
}

/**
 * Wraps a Worker's fetch handler: each request gets a logger and, once answered, writes one data point to
 * the metrics dataset (layout in `./requestMetrics`) and a `request.completed` line at debug level. A handler
 * that throws is logged at error level with its stack and answered `500` with
 * `{ "error": "internal error", "requestId": "…" }` (the point records 500), so the failure is one JSON line
 * and not the runtime's uncaught-exception output.
 *
 * @param declaration the service's declaration, with `telemetry` on (`telemetry: true`).
 * @param handler the fetch handler; it names the route with `telemetry.setRoute`.
 * @throws {Error} at creation when the declaration's `telemetry` is `false`: the platform binds no dataset then.
 * @example
 * import declaration from "../service";
 * export default {
 *   fetch: withTelemetry(declaration, async (request, env: Env, ctx, { logger, setRoute }) => {
 *     setRoute("/hello");
 *     logger.info("hello.said");
 *     return new Response("hello");
 *   }),
 * } satisfies ExportedHandler<Env>;
 */
export function withTelemetry<E extends object, C>(
    declaration: TelemetryDeclaration, handler: TelemetryFetchHandler<E, C>,
): (request: Request, env: E, ctx: C) => Promise<Response> {
    const telemetry = declaration.telemetry;
    if (telemetry === false) {
        throw new Error(`withTelemetry: service ${declaration.name} declares telemetry: false, so no metrics dataset is bound; set telemetry: true in its declaration`);
    }
    return async (request, env, ctx) => {
        const requestId = requestIdOf(request);
        const logger = telemetryLogger(declaration, env, { requestId });
        let route = UNNAMED_ROUTE;
        const started = Date.now();
        let response: Response;
        try {
            response = await handler(request, env, ctx, { logger, requestId, setRoute: (name) => { route = name; } });
        } catch (error) {
            logger.error("request.failed", { method: request.method, route }, error);
            response = new Response(JSON.stringify({ error: "internal error", requestId }), {
                status: 500, headers: { "content-type": "application/json; charset=utf-8" },
            });
        }
        const durationMs = Date.now() - started;
        const sample = {
            route, method: request.method, status: response.status, durationMs,
            versionId: versionIdOf(declaration, env) ?? "", service: declaration.name,
        };
        const dataset = bindingOf(env, telemetry.metricsBinding) as MetricsDataset | undefined;
        if (typeof dataset?.writeDataPoint !== "function") {
            logger.warn("metrics.unbound", { binding: telemetry.metricsBinding });
        } else {
            const written = writeRequestMetrics(dataset, sample);
            if ("error" in written) logger.warn("metrics.write_failed", { binding: telemetry.metricsBinding, route }, written.error);
        }
        logger.debug("request.completed", { method: sample.method, route, status: sample.status, durationMs });
        return response;
    };
}

/**
 * A logger for `env` outside a fetch (a cron run, a queue batch) or inside one: minimum level from the env
 * contract's `LOG_LEVEL`, `versionId` from the version metadata binding, and the values of the declaration's
 * `secret` bindings redacted from every line. The logger itself never holds `env`.
 *
 * A `LOG_LEVEL` that fails the contract (or is no level) leaves the level at `info` and writes one `warn`
 * line, `log_level.invalid`, naming the key (never the value), each time a logger is made.
 */
export function telemetryLogger(declaration: TelemetryDeclaration, env: object, options: TelemetryLoggerOptions = {}): Logger {
    const level = logLevelOf(declaration, env);
    const versionId = versionIdOf(declaration, env);
    const logger = createLogger({
        service: declaration.name,
        level: level ?? DEFAULT_LOG_LEVEL,
        ...(options.requestId === undefined ? {} : { requestId: options.requestId }),
        ...(versionId === undefined ? {} : { versionId }),
        redact: secretValues(declaration, env),
    });
    if (level === undefined) logger.warn("log_level.invalid", { key: LOG_LEVEL_KEY, expected: `one of debug, info, warn, error as the env contract allows`, using: DEFAULT_LOG_LEVEL });
    return logger;
}

/** The request's id: its `cf-ray` header (Cloudflare's id of the request) when well formed, else a random UUID. */
export function requestIdOf(request: Request): string {
    const ray = request.headers.get("cf-ray");
    return ray !== null && /^[A-Za-z0-9-]{1,64}$/.test(ray) ? ray : crypto.randomUUID();
}

/**
 * The minimum level: {@link DEFAULT_LOG_LEVEL} when the contract has no `LOG_LEVEL`, the parsed value when it
 * passes the contract's schema for that key and is a level, `undefined` otherwise.
 */
function logLevelOf(declaration: TelemetryDeclaration, env: object): LogLevel | undefined {
    const schema = declaration.env.shape[LOG_LEVEL_KEY] as { safeParse(value: unknown): { success: boolean; data?: unknown } } | undefined;
    if (schema === undefined) return DEFAULT_LOG_LEVEL;
    const parsed = schema.safeParse(bindingOf(env, LOG_LEVEL_KEY));
    return parsed.success && isLogLevel(parsed.data) ? parsed.data : undefined;
}

/** The running version's id from the version metadata binding (telemetry's, else any declared one). */
function versionIdOf(declaration: TelemetryDeclaration, env: object): string | undefined {
    const name = declaration.telemetry === false
        ? Object.entries(declaration.bindings).find(([, b]) => b.kind === "versionMetadata")?.[0]
        : declaration.telemetry.versionBinding;
    const id = name === undefined ? undefined : (bindingOf(env, name) as { id?: unknown } | undefined)?.id;
    return typeof id === "string" && id !== "" ? id : undefined;
}

/**
 * The values in `env` that are secrets, for redaction: each `secret` binding's, and each Hyperdrive binding's
 * connection string and database password (a driver error can print them; `components/health/checks.ts` hides them too).
 */
function secretValues(declaration: TelemetryDeclaration, env: object): string[] {
    return Object.entries(declaration.bindings).flatMap(([name, b]) => {
        const value = bindingOf(env, name);
        if (b.kind === "secret") return typeof value === "string" ? [value] : [];
        if (b.kind !== "hyperdrive" || typeof value !== "object" || value === null) return [];
        const { connectionString, password } = value as { connectionString?: unknown; password?: unknown };
        return [connectionString, password].filter((v): v is string => typeof v === "string" && v !== "");
    });
}

/** `env[name]`; binding names are validated identifiers (never `__proto__`), so no inherited property is read. */
function bindingOf(env: object, name: string): unknown {
    return (env as Record<string, unknown>)[name];
}
