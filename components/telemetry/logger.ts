/**
 * The structured logger of the Worker runtime library: one JSON object per line on `console.log` (debug,
 * info), `console.warn` (warn) or `console.error` (error). Workers Logs indexes the fields of JSON lines, so
 * every line can be filtered by `level`, `requestId`, `service` or `versionId`.
 * Source: https://developers.cloudflare.com/workers/observability/logs/workers-logs/ ("logs as JSON objects").
 *
 * Secrets: the logger is never given `env`; it writes only what the caller passes. As a second line of
 * defence, every string in {@link LoggerOptions.redact} (the service's secret values, see `telemetryLogger`
 * in `./handler`) is replaced by `[redacted]` wherever it appears in a line, so logging a secret by mistake
 * (in a message, the context, an error message or stack) does not print it.
 *
 * Imports nothing: bundled into Workers and run under Node.js by the tests alike.
 */

/** The levels, in increasing severity; the env contract's `LOG_LEVEL` takes one of them. */
export const LOG_LEVELS = ["debug", "info", "warn", "error"] as const;

/** One log level: `debug` < `info` < `warn` < `error`. */
export type LogLevel = (typeof LOG_LEVELS)[number];

/** What replaces a redacted value in a line. */
export const REDACTED = "[redacted]";

/** Shortest string {@link LoggerOptions.redact} masks, in characters: shorter ones would mangle ordinary words. */
export const MIN_REDACTED_LENGTH = 4;

/** Fields a caller adds to a line, under `context`; any JSON-serializable values. */
export type LogContext = Readonly<Record<string, unknown>>;

/**
 * One log line, as written (`JSON.stringify` of this object, fields absent when undefined).
 *
 * @example
 * {"level":"error","timestamp":"2026-04-02T06:00:00.123Z","message":"note.create_failed","service":"api",
 *  "versionId":"1f9c…","requestId":"8a3c5e2b1f0d2a4c-AMS","context":{"route":"/api/notes"},
 *  "error":"Error: D1_ERROR: no such table: notes","stack":"Error: D1_ERROR…\n    at …"}
 */
export interface LogLine {
    readonly level: LogLevel;
    /** When the line was written, ISO 8601 in UTC with milliseconds (the Workers clock advances on I/O only: see `./requestMetrics`). */
    readonly timestamp: string;
    /** What happened, short and stable (`note.created`), so lines can be counted by it. */
    readonly message: string;
    /** The service's declared name. */
    readonly service: string;
    /** The running Worker version's id (version metadata `id`); absent when the Worker has no version metadata binding. */
    readonly versionId?: string;
    /** The request's id (its `cf-ray` header, else a random UUID); absent outside a request (a cron, a queue batch). */
    readonly requestId?: string;
    /** The caller's fields; absent when there are none. */
    readonly context?: LogContext;
    /** `<name>: <message>` of the error passed, when one was. */
    readonly error?: string;
    /** The error's stack trace, when it has one. */
    readonly stack?: string;
}

/** Writes log lines at or above its minimum level. */
export interface Logger {
    /** The minimum level written; lower ones are dropped. */
    readonly level: LogLevel;
    /** Writes a `debug` line (`console.log`): detail for local runs and investigations. */
    debug(message: string, context?: LogContext): void;
    /** Writes an `info` line (`console.log`): something that happened as it should. */
    info(message: string, context?: LogContext): void;
    /** Writes a `warn` line (`console.warn`); `error` (anything thrown) adds the `error` and `stack` fields. */
    warn(message: string, context?: LogContext, error?: unknown): void;
    /** Writes an `error` line (`console.error`); `error` (anything thrown) adds the `error` and `stack` fields. */
    error(message: string, context?: LogContext, error?: unknown): void;
    /** Writes one line at `level`; the methods above call it. */
    log(level: LogLevel, message: string, context?: LogContext, error?: unknown): void;
}

/** Options of {@link createLogger}. */
export interface LoggerOptions {
    /** The service's declared name (`service` field). */
    readonly service: string;
    /** Minimum level written. @default "info" */
    readonly level?: LogLevel;
    /** `requestId` field. @default absent */
    readonly requestId?: string;
    /** `versionId` field. @default absent */
    readonly versionId?: string;
    /**
     * Strings never written: each occurrence (of those at least {@link MIN_REDACTED_LENGTH} long) becomes
     * `[redacted]`. @default []
     */
    readonly redact?: readonly string[];
    /** Where lines go, by level. @default `console.log` for debug and info, `console.warn`, `console.error` */
    readonly write?: (level: LogLevel, line: string) => void;
}

/**
 * Creates a logger.
 *
 * @throws {RangeError} when `level` is not one of {@link LOG_LEVELS} (a programming error: `telemetryLogger`
 *   in `./handler` reads it from the env contract).
 * @example
 * const logger = createLogger({ service: "api", level: "info", requestId: "8a3c5e2b1f0d2a4c-AMS" });
 * logger.info("note.created", { id });
 * logger.error("note.create_failed", { id }, error);
 */
export function createLogger(options: LoggerOptions): Logger {
    const level = options.level ?? "info";
    if (!isLogLevel(level)) throw new RangeError(`logger: level must be one of ${LOG_LEVELS.join(", ")}, got ${String(level)}`);
    const minimum = severity(level);
    const redact = (options.redact ?? []).filter((s) => s.length >= MIN_REDACTED_LENGTH);
    const write = options.write ?? writeToConsole;
    const log = (at: LogLevel, message: string, context?: LogContext, error?: unknown): void => {
        if (severity(at) < minimum) return;
        const line: LogLine = {
            level: at,
            timestamp: new Date().toISOString(),
            message,
            service: options.service,
            ...(options.versionId === undefined ? {} : { versionId: options.versionId }),
            ...(options.requestId === undefined ? {} : { requestId: options.requestId }),
            ...(context === undefined || Object.keys(context).length === 0 ? {} : { context }),
            ...(error === undefined ? {} : errorFields(error)),
        };
        write(at, redactAll(serialize(line), redact));
    };
    return {
        level,
        log,
        debug: (message, context) => log("debug", message, context),
        info: (message, context) => log("info", message, context),
        warn: (message, context, error) => log("warn", message, context, error),
        error: (message, context, error) => log("error", message, context, error),
    };
}

/** Whether `value` is one of {@link LOG_LEVELS}. */
export function isLogLevel(value: unknown): value is LogLevel {
    return typeof value === "string" && (LOG_LEVELS as readonly string[]).includes(value);
}

/** `error` and `stack` fields of anything thrown: an `Error`'s name, message and stack, else its string form. */
function errorFields(error: unknown): { error: string; stack?: string } {
    if (error instanceof Error) {
        return { error: `${error.name}: ${error.message}`, ...(typeof error.stack === "string" ? { stack: error.stack } : {}) };
    }
    return { error: typeof error === "string" ? error : safeJson(error) };
}

/**
 * The line as one JSON object on one line. A context that cannot be serialized (a cycle, a BigInt) is
 * replaced by a note saying so rather than losing the line.
 */
function serialize(line: LogLine): string {
    try {
        return JSON.stringify(line);
    } catch (problem) {
        const { context: _dropped, ...rest } = line;
        return JSON.stringify({ ...rest, context: { unserializable: problem instanceof Error ? problem.message : String(problem) } });
    }
}

function safeJson(value: unknown): string {
    try {
        return JSON.stringify(value) ?? String(value);
    } catch {
        return String(value);
    }
}

/**
 * Replaces every occurrence of each string in `secrets` (raw, and as it appears inside a JSON string, escaped)
 * by `[redacted]`.
 */
function redactAll(text: string, secrets: readonly string[]): string {
    let out = text;
    for (const secret of secrets) {
        for (const form of new Set([secret, JSON.stringify(secret).slice(1, -1)])) out = out.split(form).join(REDACTED);
    }
    return out;
}

function severity(level: LogLevel): number {
    return LOG_LEVELS.indexOf(level);
}

function writeToConsole(level: LogLevel, line: string): void {
    if (level === "error") console.error(line);
    else if (level === "warn") console.warn(line);
    else console.log(line);
}
