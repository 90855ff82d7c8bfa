/**
 * Stack config of monitoring: `platform:monitoring` in `Pulumi.<stack>.yaml`. Where alerts go (email addresses,
 * webhooks, PagerDuty), where Workers trace events are pushed (an R2 bucket the stack creates, or an HTTPS
 * endpoint), and the stack-wide defaults of the per-service Health Check and error-rate alert
 * (`components/service/monitoring.ts`).
 *
 * Secret fields (a webhook's `secret`, the R2 `secretAccessKey`, HTTPS `headers` values) are set with
 * `pulumi config set --secret --path 'platform:monitoring.<path>' <value>`; {@link monitoringSecretPaths} lists
 * where they are so the config loader refuses them in plain text.
 *
 * @example
 * # Pulumi.production.yaml
 * platform:monitoring:
 *   destinations:
 *     emails: [oncall@example.com]
 *     webhooks:
 *       chatops: { url: https://hooks.example.com/cloudflare, secret: { secure: v1:... } }
 *     pagerduty: [0123456789abcdef0123456789abcdef]
 *   logpush:
 *     destination: r2
 *     accessKeyId: 0123456789abcdef0123456789abcdef
 *     secretAccessKey: { secure: v1:... }
 *   healthCheck: { checkRegions: [WEU, ENAM], interval: 60 }
 *   errorRate: { thresholdPercent: 5 }
 */
import { z } from "zod";
import { R2_BUCKET_NAME } from "../../bindings/r2";
import { errorRateSchema, healthCheckSchema } from "../../service/monitoring";

/** A name for a webhook destination: letters, digits, dashes and underscores, as in resource names. */
export const WEBHOOK_NAME = /^[A-Za-z0-9][A-Za-z0-9_-]{0,62}$/;

const httpsUrl = z.url({ protocol: /^https$/, error: "expected an https:// URL" });
const nonEmpty = (what: string) => z.string({ error: `expected ${what}` }).min(1, { error: `expected ${what}` });

/**
 * Where notification policies send alerts (`mechanisms` of `cloudflare.NotificationPolicy`, @pulumi/cloudflare
 * 6.22.1 `types/input.d.ts` `NotificationPolicyMechanisms`; https://developers.cloudflare.com/notifications/).
 * Every alert policy of the stack reaches all of them.
 */
export const destinationsSchema = z.strictObject({
    /** Email addresses (mechanism `email`, whose id is the address). @default [] */
    emails: z.array(z.email({ error: "expected an email address" })).default([]),
    /**
     * Webhook destinations by name: each becomes a `cloudflare.NotificationPolicyWebhooks`
     * (https://developers.cloudflare.com/notifications/get-started/configure-webhooks/). @default {}
     */
    webhooks: z.record(z.string().regex(WEBHOOK_NAME, { error: "expected a webhook name: letters, digits, - and _" }), z.strictObject({
        /** The endpoint Cloudflare POSTs alerts to. */
        url: httpsUrl,
        /**
         * Sent in the `cf-webhook-auth` header so the endpoint can tell Cloudflare's calls apart; a secret
         * (`pulumi config set --secret --path 'platform:monitoring.destinations.webhooks.<name>.secret'`).
         * @default none
         */
        secret: nonEmpty("the webhook secret").optional(),
    })).default({}),
    /**
     * PagerDuty services connected to the account in the dashboard (Notifications → Destinations → PagerDuty),
     * by the id Cloudflare gave the connection (mechanism `pagerduty`, 32 hex characters).
     * https://developers.cloudflare.com/notifications/get-started/configure-pagerduty/ @default []
     */
    pagerduty: z.array(z.string().regex(/^[0-9a-f]{32}$/, { error: "expected the PagerDuty destination id, 32 lowercase hex characters" })).default([]),
});

/** Validated alert destinations. */
export type AlertDestinations = z.output<typeof destinationsSchema>;

/**
 * Workers trace events to an R2 bucket the stack creates (`r2://` destination of Logpush:
 * https://developers.cloudflare.com/logs/logpush/logpush-job/enable-destinations/r2/). Logpush writes with an
 * R2 API token's S3 credentials, which the dashboard shows once (R2 → Manage R2 API tokens).
 */
export const r2LogpushSchema = z.strictObject({
    destination: z.literal("r2"),
    /** The bucket the stack creates. @default "workers-logs-<stack>" */
    bucket: z.string().regex(R2_BUCKET_NAME, { error: "expected an R2 bucket name: 3 to 63 lowercase letters, digits and dashes" }).optional(),
    /** Folder inside the bucket; `{DATE}` becomes the day (YYYYMMDD) the batch was written. @default "workers/{DATE}" */
    path: z.string().regex(/^[A-Za-z0-9_{}\-/.]+$/, { error: "expected a path of letters, digits, -, _, ., / and {DATE}" })
        .refine((p) => !p.startsWith("/") && !p.endsWith("/"), { error: "expected a path without a leading or trailing /" }).default("workers/{DATE}"),
    /** The R2 API token's Access Key ID (`access-key-id`). */
    accessKeyId: z.string().regex(/^[0-9a-f]{32}$/, { error: "expected the R2 Access Key ID, 32 lowercase hex characters" }),
    /** The R2 API token's Secret Access Key (`secret-access-key`); a secret. */
    secretAccessKey: nonEmpty("the R2 Secret Access Key"),
});

/**
 * Workers trace events to an HTTPS endpoint (https://developers.cloudflare.com/logs/logpush/logpush-job/enable-destinations/http/):
 * each header is sent as `header_<Name>=<value>` in the destination.
 */
export const httpsLogpushSchema = z.strictObject({
    destination: z.literal("https"),
    /** The endpoint batches are POSTed to (no query string: headers go in `headers`). */
    url: httpsUrl.refine((u) => !u.includes("?"), { error: "expected a URL without a query string; put credentials in headers" }),
    /** Headers sent with every batch, e.g. `Authorization`; secrets. @default {} */
    headers: z.record(z.string().regex(/^[A-Za-z0-9-]+$/, { error: "expected an HTTP header name" }), nonEmpty("the header value")).default({}),
});

/** The Logpush destination, one of {@link r2LogpushSchema} and {@link httpsLogpushSchema}. */
export const logpushDestinationSchema = z.discriminatedUnion("destination", [r2LogpushSchema, httpsLogpushSchema], {
    error: 'expected a Logpush destination with "destination" r2 or https',
});

/** A validated Logpush destination. */
export type LogpushDestination = z.output<typeof logpushDestinationSchema>;

/** No alert destination: the default of `platform:monitoring.destinations`, and of a stack without `platform:monitoring`. */
export const NO_DESTINATIONS: AlertDestinations = { emails: [], webhooks: {}, pagerduty: [] };

/** The `platform:monitoring` key. */
export const monitoringConfigSchema = z.strictObject({
    /** Where alerts go. @default none: no alert policy is created (the `monitoring-configured` policy flags it) */
    destinations: destinationsSchema.default(NO_DESTINATIONS),
    /** Where the stack's Workers trace events go (one Logpush job per stack). @default none */
    logpush: logpushDestinationSchema.optional(),
    /** Health Check defaults for every routed service of the stack (`components/service/monitoring.ts`). */
    healthCheck: healthCheckSchema.optional(),
    /** Error-rate alert defaults for every routed service of the stack. */
    errorRate: errorRateSchema.optional(),
});

/** Validated `platform:monitoring`. */
export type MonitoringConfig = z.output<typeof monitoringConfigSchema>;

/** Whether any alert destination is set. */
export function hasDestinations(destinations: AlertDestinations): boolean {
    return destinations.emails.length > 0 || Object.keys(destinations.webhooks).length > 0 || destinations.pagerduty.length > 0;
}

/**
 * Paths (below `platform:monitoring`) of every secret value present in a raw `platform:monitoring` value:
 * webhook secrets, the R2 secret access key, HTTPS header values. Reads the value as written, before validation.
 */
export function monitoringSecretPaths(raw: unknown): string[][] {
    const obj = (v: unknown): Record<string, unknown> => (typeof v === "object" && v !== null && !Array.isArray(v) ? v as Record<string, unknown> : {});
    const paths: string[][] = [];
    for (const [name, webhook] of Object.entries(obj(obj(obj(raw).destinations).webhooks))) {
        if (obj(webhook).secret !== undefined) paths.push(["destinations", "webhooks", name, "secret"]);
    }
    const logpush = obj(obj(raw).logpush);
    if (logpush.secretAccessKey !== undefined) paths.push(["logpush", "secretAccessKey"]);
    for (const header of Object.keys(obj(logpush.headers))) paths.push(["logpush", "headers", header]);
    return paths;
}
