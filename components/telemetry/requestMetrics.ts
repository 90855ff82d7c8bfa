/**
 * Request metrics: one Workers Analytics Engine data point per request, in the dataset the platform binds
 * (`telemetry` in the declaration: binding `METRICS`, dataset `<script>-metrics`). The SQL API reads the
 * columns by position (`index1`, `blob1`…, `double1`…), so the layout below is fixed; add columns at the end.
 * Sources: https://developers.cloudflare.com/analytics/analytics-engine/get-started/ ,
 * https://developers.cloudflare.com/analytics/analytics-engine/limits/ (20 blobs, 20 doubles, one index of at
 * most 96 bytes, 25 points per invocation), https://developers.cloudflare.com/analytics/analytics-engine/sql-api/ .
 *
 * | column  | field          | example            |
 * | ------- | -------------- | ------------------ |
 * | index1  | route (≤ 96 bytes) | `/api/notes/:id` |
 * | blob1   | route          | `/api/notes/:id`   |
 * | blob2   | status class   | `2xx`              |
 * | blob3   | version id     | `1f9c…` (empty without version metadata) |
 * | blob4   | method         | `GET`              |
 * | blob5   | service        | `api`              |
 * | double1 | count          | `1`                |
 * | double2 | status         | `200`              |
 * | double3 | duration in ms | `12`               |
 *
 * The index is the route: Analytics Engine samples per index value, so a rarely used route keeps its points
 * beside a busy one (the dataset is per service already, so the service would be one value). Routes are
 * templates, never raw paths, so ids do not spread the index; the index is cut to {@link MAX_INDEX_BYTES}.
 * Durations are `Date.now()` differences: deployed, the Workers clock advances only on I/O (a Spectre
 * mitigation, https://developers.cloudflare.com/workers/runtime-apis/performance/), so a duration is the time
 * spent waiting on I/O (subrequests, bindings, timers, the body) and nothing for pure CPU work; `wrangler dev`'s
 * clock also moves during CPU work.
 *
 * Imports nothing: bundled into Workers and run under Node.js by the tests alike.
 */

/** A data point as `writeDataPoint` takes it (`AnalyticsEngineDataPoint` of `@cloudflare/workers-types`). */
export interface DataPoint {
    /** `index1`: the route, at most {@link MAX_INDEX_BYTES} bytes. */
    readonly indexes: string[];
    /** `blob1`…`blob5`: route, status class, version id, method, service. */
    readonly blobs: string[];
    /** `double1`…`double3`: 1, status, duration in milliseconds. */
    readonly doubles: number[];
}

/** The part of an Analytics Engine dataset binding (`AnalyticsEngineDataset`) this module uses. */
export interface MetricsDataset {
    /** Queues one data point; returns at once (Cloudflare sends it after the response). */
    writeDataPoint(point: DataPoint): void;
}

/** What is recorded of one request. */
export interface RequestSample {
    /** The route template that answered (`/api/notes/:id`), never a raw path. */
    readonly route: string;
    /** The request method (`GET`). */
    readonly method: string;
    /** The response's HTTP status (100–599). */
    readonly status: number;
    /** Time from the request to the response, milliseconds (a `Date.now()` difference, ≥ 0). */
    readonly durationMs: number;
    /** The running version's id (version metadata `id`); `""` when unknown. */
    readonly versionId: string;
    /** The service's declared name. */
    readonly service: string;
}

/** Status classes, by the first digit of the status: `1xx` … `5xx`. */
export type StatusClass = "1xx" | "2xx" | "3xx" | "4xx" | "5xx";

/**
 * The class of an HTTP status: `2xx` for 200–299, and so on.
 * @throws {RangeError} for anything but a whole number from 100 to 599 (a `Response` cannot carry one).
 */
export function statusClass(status: number): StatusClass {
    if (!Number.isInteger(status) || status < 100 || status > 599) throw new RangeError(`expected an HTTP status from 100 to 599, got ${status}`);
    return `${Math.floor(status / 100)}xx` as StatusClass;
}

/** Longest index Analytics Engine accepts, in UTF-8 bytes. */
export const MAX_INDEX_BYTES = 96;

/** The data point of one request, in the layout documented above. */
export function requestDataPoint(sample: RequestSample): DataPoint {
    return {
        indexes: [utf8Prefix(sample.route, MAX_INDEX_BYTES)],
        blobs: [sample.route, statusClass(sample.status), sample.versionId, sample.method, sample.service],
        doubles: [1, sample.status, Math.max(0, sample.durationMs)],
    };
}

/**
 * Writes the request's data point. `writeDataPoint` returns at once (Cloudflare sends the point after the
 * response), so this never delays the request.
 *
 * @returns the point written, or what went wrong (the caller logs it; a metrics failure never fails the
 *   request): the error `writeDataPoint` threw, or the `RangeError` of a status no class fits (a
 *   `Response.error()` has status 0).
 */
export function writeRequestMetrics(dataset: MetricsDataset, sample: RequestSample): { point: DataPoint } | { error: unknown } {
    try {
        const point = requestDataPoint(sample);
        dataset.writeDataPoint(point);
        return { point };
    } catch (error) {
        return { error };
    }
}

/** The longest prefix of `text` that is at most `maxBytes` bytes in UTF-8, never splitting a character. */
function utf8Prefix(text: string, maxBytes: number): string {
    const encoder = new TextEncoder();
    if (encoder.encode(text).length <= maxBytes) return text;
    let out = "";
    let bytes = 0;
    for (const char of text) {
        const size = encoder.encode(char).length;
        if (bytes + size > maxBytes) break;
        out += char;
        bytes += size;
    }
    return out;
}
