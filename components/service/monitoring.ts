/**
 * What a service team sets about watching its service once it is live: the Cloudflare Health Check on its
 * public health endpoint and the HTTP 5xx error-rate alert on its hostnames. The same shape is used at
 * three places, each field overriding the one before it:
 *
 * 1. the stack-wide defaults, `platform:monitoring.healthCheck` / `.errorRate` (`infra/config.ts`);
 * 2. the declaration's `monitoring` field (`services/<name>/service.ts`);
 * 3. the stack's per-service override, `platform:services.<name>.monitoring`.
 *
 * Fields left out everywhere take Cloudflare's defaults ({@link DEFAULT_HEALTH_CHECK}) and a 5 % error rate.
 * The resources are created by `components/cloudflare/monitoring/`. Imports nothing but zod: declarations
 * are bundled into Workers.
 *
 * @example
 * defineService({ ..., monitoring: { healthCheck: { interval: 30, checkRegions: ["WEU", "ENAM"] }, errorRate: { thresholdPercent: 2 } } })
 */
import { z } from "zod";
import { wholeNumber } from "../validation";

/**
 * Regions Cloudflare runs a Health Check from, three data centers each (`check_regions`; `ALL_REGIONS` on
 * Business and Enterprise plans only). Source: https://developers.cloudflare.com/health-checks/concepts/health-checks-regions/
 * and the Health Checks API schema `healthchecks_check_regions`:
 * https://developers.cloudflare.com/api/resources/healthchecks/methods/create/
 */
export const HEALTH_CHECK_REGIONS = ["WNAM", "ENAM", "WEU", "EEU", "NSAM", "SSAM", "OC", "ME", "NAF", "SAF", "IN", "SEAS", "NEAS", "ALL_REGIONS"] as const;
/** One Health Check region ({@link HEALTH_CHECK_REGIONS}). */
export type HealthCheckRegion = (typeof HEALTH_CHECK_REGIONS)[number];

/**
 * A Cloudflare Health Check of the service's public `health.path` (`cloudflare.Healthcheck`, @pulumi/cloudflare
 * 6.22.1 `healthcheck.d.ts`; https://developers.cloudflare.com/health-checks/). Every field is optional.
 */
export const healthCheckSchema = z.strictObject({
    /** Create the Health Check (and its alert) for the service when it has a route or Custom Domain. @default true */
    enabled: z.boolean().optional(),
    /** Regions the checks run from (`check_regions`). @default Cloudflare picks one region */
    checkRegions: z.array(z.enum(HEALTH_CHECK_REGIONS, { error: `expected one of ${HEALTH_CHECK_REGIONS.join(", ")}` }))
        .min(1, { error: "expected at least one region, or leave checkRegions out" }).optional(),
    /** Seconds between two checks from each region (`interval`, 5–3600; the plan sets the floor: 60 on Pro, 15 on Business, 10 on Enterprise). @default 60 */
    interval: wholeNumber(5, 3600, "whole seconds").optional(),
    /** Retries right after a timeout before the check counts as failed (`retries`, 0–5). @default 2 */
    retries: wholeNumber(0, 5, "whole retries").optional(),
    /** Seconds before one check times out (`timeout`, 1–60). @default 5 */
    timeout: wholeNumber(1, 60, "whole seconds").optional(),
    /** Consecutive failed checks before the origin counts as unhealthy (`consecutive_fails`, 1–5). @default 1 */
    consecutiveFails: wholeNumber(1, 5, "whole checks").optional(),
    /** Consecutive good checks before it counts as healthy again (`consecutive_successes`, 1–5). @default 1 */
    consecutiveSuccesses: wholeNumber(1, 5, "whole checks").optional(),
    /** Status codes (`"200"`) or ranges (`"2xx"`) that count as healthy (`http_config.expected_codes`). @default ["200"] */
    expectedCodes: z.array(z.string().regex(/^[1-5](\d\d|xx)$/, { error: 'expected a status code such as "200" or a range such as "2xx"' }))
        .min(1, { error: "expected at least one status code" }).optional(),
    /** HTTP method of the check (`http_config.method`): `GET` or `HEAD`. @default "GET" */
    method: z.enum(["GET", "HEAD"], { error: 'expected "GET" or "HEAD"' }).optional(),
});

/** Health Check settings as written (every field optional). */
export type HealthCheckInput = z.output<typeof healthCheckSchema>;

/**
 * The HTTP 5xx error-rate alert on the service's hostnames (`advanced_http_alert_error`, the Advanced HTTP
 * Error Rate alert: https://developers.cloudflare.com/notifications/reference/traffic-alerts/).
 */
export const errorRateSchema = z.strictObject({
    /** Create the alert for the service when it has a route or Custom Domain. @default true */
    enabled: z.boolean().optional(),
    /**
     * Share of requests answered with a 5xx status that raises the alert, in percent (above 0, below 100).
     * Cloudflare expresses it as a service-level objective of `100 - thresholdPercent` (5 → SLO 95.0) and
     * alerts on the burn rate of that error budget over 5 minutes and 1 hour.
     * @default 5
     */
    thresholdPercent: z.number({ error: "expected a percentage above 0 and below 100" })
        .gt(0, { error: "expected a percentage above 0 and below 100" })
        .lt(100, { error: "expected a percentage above 0 and below 100" }).optional(),
});

/** Error-rate alert settings as written (every field optional). */
export type ErrorRateInput = z.output<typeof errorRateSchema>;

/** The `monitoring` field of a declaration, and of `platform:services.<name>.monitoring`. */
export const serviceMonitoringSchema = z.strictObject({
    /** The Cloudflare Health Check on the service's public health URL. */
    healthCheck: healthCheckSchema.optional(),
    /** The HTTP 5xx error-rate alert on the service's hostnames. */
    errorRate: errorRateSchema.optional(),
});

/** Monitoring settings as written at one layer. */
export type ServiceMonitoringInput = z.output<typeof serviceMonitoringSchema>;

/** Health Check settings after every layer was applied. */
export interface HealthCheckSettings {
    readonly enabled: boolean;
    /** Regions, or undefined for Cloudflare's choice. */
    readonly checkRegions?: readonly HealthCheckRegion[];
    /** Seconds between checks. */
    readonly interval: number;
    readonly retries: number;
    /** Seconds. */
    readonly timeout: number;
    readonly consecutiveFails: number;
    readonly consecutiveSuccesses: number;
    readonly expectedCodes: readonly string[];
    readonly method: "GET" | "HEAD";
}

/** Error-rate alert settings after every layer was applied. */
export interface ErrorRateSettings {
    readonly enabled: boolean;
    /** Percent of requests. */
    readonly thresholdPercent: number;
}

/** A service's monitoring settings in one stack. */
export interface ServiceMonitoring {
    readonly healthCheck: HealthCheckSettings;
    readonly errorRate: ErrorRateSettings;
}

/** Cloudflare's Health Check defaults (Health Checks API), which apply where no layer sets a field. */
export const DEFAULT_HEALTH_CHECK: HealthCheckSettings = {
    enabled: true,
    interval: 60,
    retries: 2,
    timeout: 5,
    consecutiveFails: 1,
    consecutiveSuccesses: 1,
    expectedCodes: ["200"],
    method: "GET",
};

/** The platform's error-rate alert default: 5 % of requests answered with a 5xx status. */
export const DEFAULT_ERROR_RATE: ErrorRateSettings = { enabled: true, thresholdPercent: 5 };

/**
 * Applies the layers in order, each set field replacing the one before (field by field, not object by object).
 * @param layers stack-wide defaults, declaration, per-service stack override; undefined layers are skipped.
 */
export function mergeMonitoring(...layers: readonly (ServiceMonitoringInput | undefined)[]): ServiceMonitoring {
    const pick = <T extends object>(base: T, parts: readonly (Partial<T> | undefined)[]): T =>
        Object.assign({}, base, ...parts.map((p) => Object.fromEntries(Object.entries(p ?? {}).filter(([, v]) => v !== undefined))));
    return {
        healthCheck: pick<HealthCheckSettings>(DEFAULT_HEALTH_CHECK, layers.map((l) => l?.healthCheck)),
        errorRate: pick<ErrorRateSettings>(DEFAULT_ERROR_RATE, layers.map((l) => l?.errorRate)),
    };
}

/**
 * The service-level objective Cloudflare's error-rate alerts take (`filters.slo`), from an error-rate
 * threshold in percent: `100 - thresholdPercent` with at least one decimal (5 → "95.0", 0.1 → "99.9").
 */
export function errorRateSlo(thresholdPercent: number): string {
    const slo = Math.round((100 - thresholdPercent) * 1000) / 1000;
    return Number.isInteger(slo) ? slo.toFixed(1) : String(slo);
}
