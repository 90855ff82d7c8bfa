/**
 * What a Logpush job of the stack's Workers trace events is given: its `destination_conf` and its `filter`.
 * Pure functions; the component wraps the destination as a Pulumi secret.
 *
 * Sources: R2 destination https://developers.cloudflare.com/logs/logpush/logpush-job/enable-destinations/r2/
 * (`r2://<bucket>/<path>?account-id=..&access-key-id=..&secret-access-key=..`); HTTP destination
 * https://developers.cloudflare.com/logs/logpush/logpush-job/enable-destinations/http/ (`header_<Name>=<value>`
 * query parameters); filters https://developers.cloudflare.com/logs/reference/filters/ ; the dataset's
 * `ScriptName` field https://developers.cloudflare.com/logs/reference/log-fields/account/workers_trace_events/
 */
import type { LogpushDestination } from "./monitoringSettings";

/** The Logpush dataset of Workers trace events (account-scoped). */
export const WORKERS_TRACE_EVENTS = "workers_trace_events";

/**
 * The job's `destination_conf`. It holds credentials: the caller must keep it a secret.
 * @param destination the validated destination.
 * @param accountId the account the R2 bucket belongs to.
 * @param bucket the R2 bucket name (the one the stack creates); ignored for https.
 */
export function destinationConf(destination: LogpushDestination, accountId: string, bucket: string): string {
    if (destination.destination === "r2") {
        return `r2://${bucket}/${destination.path}?${query([
            ["account-id", accountId], ["access-key-id", destination.accessKeyId], ["secret-access-key", destination.secretAccessKey],
        ])}`;
    }
    const headers = Object.entries(destination.headers);
    return headers.length === 0 ? destination.url : `${destination.url}?${query(headers.map(([name, value]) => [`header_${name}`, value]))}`;
}

/** A query string with every value percent-encoded (a space as `%20`, as Cloudflare's examples write it, not `+`). */
function query(pairs: readonly (readonly [string, string])[]): string {
    return pairs.map(([key, value]) => `${key}=${encodeURIComponent(value)}`).join("&");
}

/** Cloudflare's limit on a Logpush filter's size, bytes (https://developers.cloudflare.com/logs/reference/filters/). */
export const MAX_FILTER_BYTES = 1000;

/**
 * The job's `filter`: events whose `ScriptName` is one of the stack's scripts (`in`), so a job per stack never
 * carries another stack's events in the same account. When that list would exceed {@link MAX_FILTER_BYTES}, the
 * names' common suffix instead (`endsWith "-<stack>"`: every script name is `<service>-<stack>`), which also
 * takes in any other script of the account with that suffix.
 * @param scriptNames the stack's script names (`<service>-<stack>`), at least one.
 * @param stack the stack name.
 */
export function scriptNameFilter(scriptNames: readonly string[], stack: string): string {
    const listed = JSON.stringify({ where: { and: [{ key: "ScriptName", operator: "in", value: [...scriptNames].sort() }] } });
    if (Buffer.byteLength(listed) <= MAX_FILTER_BYTES) return listed;
    return JSON.stringify({ where: { and: [{ key: "ScriptName", operator: "endsWith", value: `-${stack}` }] } });
}
