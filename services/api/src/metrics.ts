/**
 * Request metrics: one data point per API request in the METRICS Analytics Engine dataset (`<script>-metrics`,
 * e.g. `api-production-metrics`), read with the SQL API, e.g. requests and mean latency per route over the last
 * day (`_sample_interval` weighs each sampled point):
 *
 *     SELECT blob2 AS route, SUM(_sample_interval) AS requests, SUM(_sample_interval * double2) / SUM(_sample_interval) AS mean_ms
 *     FROM "api-production-metrics" WHERE timestamp > NOW() - INTERVAL '1' DAY GROUP BY route
 *
 * Columns: index1 = route; blob1 = method, blob2 = route, blob3 = status class (`2xx`); double1 = status,
 * double2 = duration in milliseconds. Routes are templates (`/api/notes/:id`), never raw paths, so ids do not
 * spread the index. Writing never delays or fails the request: `writeDataPoint` returns at once, and an error
 * is logged.
 */
import { errorMessage } from "../../../components/health/index";
import type { Logger } from "./http";

/** What is recorded of one request. */
export interface RequestSample {
    readonly method: string;
    /** The matched route's template (`/api/notes/:id`), `unmatched` when none matched. */
    readonly route: string;
    readonly status: number;
    /** Time from the request to the response, milliseconds. */
    readonly durationMs: number;
}

/** Writes `sample` to `dataset` and logs it at `debug` level (event `request`). */
export function recordRequest(dataset: AnalyticsEngineDataset, sample: RequestSample, logger: Logger): void {
    try {
        dataset.writeDataPoint({
            indexes: [sample.route],
            blobs: [sample.method, sample.route, `${Math.floor(sample.status / 100)}xx`],
            doubles: [sample.status, sample.durationMs],
        });
    } catch (error) {
        logger.log("warn", "metrics.write_failed", { route: sample.route, error: errorMessage(error) });
    }
    logger.log("debug", "request", { ...sample });
}
