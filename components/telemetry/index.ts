/**
 * The Worker runtime library for logs and metrics, beside the health library (`../health/`): a structured
 * JSON logger (`./logger`), request metrics in an Analytics Engine dataset (`./requestMetrics`), and a
 * fetch-handler wrapper that does both per request (`./handler`). The dataset and the version metadata are
 * bound by the platform when the declaration says `telemetry: true` (`components/service/telemetry.ts`).
 * `docs/monitoring.md` ("Metrics from the runtime library") shows the log line, the dataset's columns and
 * the SQL API queries that read request count, error rate and latency percentiles back.
 *
 * @example
 * import { telemetryLogger, withTelemetry } from "../../../components/telemetry/index";
 * import declaration from "../service";
 *
 * export default {
 *   fetch: withTelemetry(declaration, async (request, env: Env, ctx, { logger, setRoute }) => {
 *     setRoute("/report");
 *     logger.info("report.served");
 *     return Response.json({ ok: true });
 *   }),
 *   async scheduled(controller, env) {
 *     telemetryLogger(declaration, env).info("report.daily", { cron: controller.cron });
 *   },
 * } satisfies ExportedHandler<Env>;
 */
export {
    createLogger, isLogLevel, LOG_LEVELS, REDACTED, MIN_REDACTED_LENGTH,
    type Logger, type LoggerOptions, type LogContext, type LogLevel, type LogLine,
} from "./logger";
export {
    requestDataPoint, statusClass, writeRequestMetrics, MAX_INDEX_BYTES,
    type DataPoint, type MetricsDataset, type RequestSample, type StatusClass,
} from "./requestMetrics";
export {
    withTelemetry, telemetryLogger, requestIdOf, LOG_LEVEL_KEY, DEFAULT_LOG_LEVEL, UNNAMED_ROUTE,
    type RequestTelemetry, type TelemetryDeclaration, type TelemetryFetchHandler, type TelemetryLoggerOptions,
} from "./handler";
