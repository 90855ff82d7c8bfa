/**
 * The reports Worker. `GET /report` and the daily Cron Trigger ask the api service, through its service
 * binding (never the public internet), for its health report and summarize it; the cron writes the
 * summary to the logs. `GET /health` is the platform health endpoint (the API binding and the env contract).
 * Every request goes through the runtime library's `withTelemetry` (JSON log lines, one METRICS data point by
 * route); the cron logs through its `telemetryLogger`.
 *
 * The entry module exports only handlers: workerd rejects any other exported value (a constant or a
 * function) with "Incorrect type for map entry". Types may be exported; they are erased.
 */
import {
    checkEnvContract, createHealthHandler, envContractErrorResponse, errorMessage, failingChecks, parseHealthReport,
} from "../../../components/health/index";
import type { EnvOf } from "../../../components/service/envOf";
import { telemetryLogger, withTelemetry } from "../../../components/telemetry/index";
import { reportsEnv } from "../contract";
import declaration from "../service";

/**
 * The reports Worker's `env`, derived from its declaration: `API` is typed by the api service's entry module
 * (its default export, so `fetch` only), `REPORT_TIMEZONE` is the raw string the env contract checks.
 */
export type Env = EnvOf<typeof declaration, { services: { api: typeof import("../../api/src/index") } }>;

/** Time limit of the call to the api service, in milliseconds. */
const API_TIMEOUT_MS = 5000;

/** The summary `GET /report` returns and the cron logs. */
export interface ReportSummary {
    readonly service: string;
    /** When the summary was made, ISO 8601 UTC. */
    readonly generatedAt: string;
    /** The calendar date of `generatedAt` in `timeZone`, `YYYY-MM-DD`. */
    readonly date: string;
    readonly timeZone: string;
    readonly api: {
        /** Whether the api service answered at all. */
        readonly reachable: boolean;
        /** Its HTTP status, when it answered. */
        readonly httpStatus?: number;
        /** The status in its health report, `unknown` when it sent none. */
        readonly status: "ok" | "fail" | "unknown";
        readonly version?: string;
        /** Names of its failing checks. */
        readonly failingChecks: readonly string[];
        /** Number of checks in its report. */
        readonly checkCount: number;
        /** Round-trip time of the call, in milliseconds. */
        readonly latencyMs: number;
        /** Why it was unreachable. */
        readonly error?: string;
    };
}

const health = createHealthHandler(declaration);

export default {
    fetch: withTelemetry(declaration, async (request, env: Env, _ctx: ExecutionContext, { logger, setRoute }): Promise<Response> => {
        const url = new URL(request.url);
        if (url.pathname === declaration.health.path) setRoute(declaration.health.path);
        const healthResponse = await health(request, env);
        if (healthResponse !== undefined) return healthResponse;

        const checked = checkEnvContract(reportsEnv, env);
        if (!checked.ok) {
            logger.error("env.invalid", { keys: checked.keys });
            return envContractErrorResponse(checked);
        }
        if (url.pathname !== "/report") return json({ error: "not found" }, 404);
        setRoute("/report");
        if (request.method !== "GET") return json({ error: "method not allowed; use GET" }, 405, { allow: "GET" });
        return json(await summarize(env.API, checked.data.REPORT_TIMEZONE, new Date()));
    }),

    async scheduled(controller, env): Promise<void> {
        const logger = telemetryLogger(declaration, env);
        const checked = checkEnvContract(reportsEnv, env);
        if (!checked.ok) {
            logger.error("env.invalid", { keys: checked.keys, cron: controller.cron });
            return;
        }
        const summary = await summarize(env.API, checked.data.REPORT_TIMEZONE, new Date(controller.scheduledTime));
        logger.log(summary.api.status === "ok" ? "info" : "warn", "report.daily", { cron: controller.cron, ...summary });
    },
} satisfies ExportedHandler<Env>;

/** Calls the api service's health endpoint and summarizes the answer. Never throws. */
async function summarize(api: Env["API"], timeZone: string, now: Date): Promise<ReportSummary> {
    const base = { service: declaration.name, generatedAt: now.toISOString(), ...calendarDate(now, timeZone) };
    const started = Date.now();
    try {
        const response = await api.fetch("https://api/health", { signal: AbortSignal.timeout(API_TIMEOUT_MS) });
        const report = parseHealthReport(await response.text());
        return {
            ...base,
            api: {
                reachable: true,
                httpStatus: response.status,
                status: report?.status ?? "unknown",
                ...(report === undefined ? {} : { version: report.version }),
                failingChecks: report === undefined ? [] : failingChecks(report),
                checkCount: report === undefined ? 0 : Object.keys(report.checks).length,
                latencyMs: Date.now() - started,
            },
        };
    } catch (error) {
        return {
            ...base,
            api: {
                reachable: false, status: "unknown", failingChecks: [], checkCount: 0, latencyMs: Date.now() - started,
                error: errorMessage(error),
            },
        };
    }
}

/** `YYYY-MM-DD` of `now` in `timeZone`; falls back to UTC when the runtime does not know the zone. */
function calendarDate(now: Date, timeZone: string): { date: string; timeZone: string } {
    try {
        // en-CA formats dates as YYYY-MM-DD.
        return { date: new Intl.DateTimeFormat("en-CA", { timeZone, year: "numeric", month: "2-digit", day: "2-digit" }).format(now), timeZone };
    } catch {
        return { date: now.toISOString().slice(0, 10), timeZone: "UTC" };
    }
}

function json(body: unknown, status = 200, headers: Record<string, string> = {}): Response {
    return new Response(JSON.stringify(body), { status, headers: { "content-type": "application/json; charset=utf-8", ...headers } });
}
