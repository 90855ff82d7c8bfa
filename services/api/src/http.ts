/**
 * Small HTTP helpers shared by the api Worker's routes.
 */

/** A JSON response (`content-type: application/json`). */
export function json(body: unknown, status = 200, headers: Record<string, string> = {}): Response {
    return new Response(JSON.stringify(body), {
        status,
        headers: { "content-type": "application/json; charset=utf-8", ...headers },
    });
}

/** A JSON error response: `{ "error": message }`. */
export function problem(status: number, message: string, headers: Record<string, string> = {}): Response {
    return json({ error: message }, status, headers);
}

/** Log levels in increasing severity, as the env contract spells them. */
export type LogLevel = "debug" | "info" | "warn" | "error";
const SEVERITY: Record<LogLevel, number> = { debug: 0, info: 1, warn: 2, error: 3 };

/** A logger writing one JSON line per event (Workers Logs indexes the fields), dropping events below `minimum`. */
export interface Logger {
    log(level: LogLevel, event: string, fields?: Record<string, unknown>): void;
}

/** Creates a {@link Logger} that writes events at `minimum` or above. */
export function createLogger(minimum: LogLevel): Logger {
    return {
        log(level, event, fields = {}) {
            if (SEVERITY[level] < SEVERITY[minimum]) return;
            const line = JSON.stringify({ level, event, ...fields });
            if (level === "error") console.error(line);
            else if (level === "warn") console.warn(line);
            else console.log(line);
        },
    };
}
