/**
 * The stack config schema: every `platform:*` key of `Pulumi.<stack>.yaml`, validated in one place
 * before any resource is registered. Later features extend {@link stackConfigSchema}.
 *
 * Config reaches the program as the engine sends it: a map of `project:key` to string (objects as JSON),
 * with the names of secret keys listed separately (`PULUMI_CONFIG`, `PULUMI_CONFIG_SECRET_KEYS`).
 */
import * as pulumi from "@pulumi/pulumi";
import { z } from "zod";
import { cronSchema, observabilitySchema, BINDING_NAME, SERVICE_NAME } from "../components/service/declaration";
import { limitsSchema, placementSchema } from "../components/service/workerSettings";
import { ValidationError, renderPath, zodIssues, type ValidationIssue } from "../components/validation";
import { resourceImportSchema } from "../components/bindings/adoption";
import { githubConfigSchema } from "./githubConfig";
import { databaseConfigSchema } from "./databaseConfig";
import { deploymentSchema } from "../components/cloudflare/deployment/deploymentSettings";
import { healthGateSchema } from "../components/cloudflare/healthGate/healthGateSettings";
import { monitoringConfigSchema, monitoringSecretPaths } from "../components/cloudflare/monitoring/monitoringSettings";
import { serviceMonitoringSchema } from "../components/service/monitoring";

/** Config namespace of this project (the `name` in Pulumi.yaml). */
export const NAMESPACE = "platform";

const hex32 = z.string().regex(/^[0-9a-f]{32}$/, { error: "expected a 32-character lowercase hex Cloudflare id" });
const hostname = z.string().regex(/^(?=.{1,253}$)([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}$/, {
    error: "expected a lowercase DNS hostname such as api.example.com",
});
/** Worker route patterns: `host/path`, host optionally starting with `*`. Source: https://developers.cloudflare.com/workers/configuration/routing/routes/ */
const routePattern = z.string().regex(/^(\*\.?)?[a-z0-9.-]+\.[a-z]{2,63}\/[^\s]*$/, {
    error: "expected a route pattern such as api.example.com/* (hostname, then a path)",
});

/** Per-service settings a stack may override; omitted keys keep the declaration's values. */
const serviceOverrides = z.strictObject({
    /** Route patterns on the stack's zone. Replaces the declaration's `routes`. */
    routes: z.array(routePattern).optional(),
    /** Hostnames served by the Worker as Custom Domains. Replaces the declaration's `customDomains`. */
    customDomains: z.array(hostname).optional(),
    /** Values of `var` bindings for this stack; every key must be a `var` binding of the service. */
    vars: z.record(z.string().regex(BINDING_NAME, { error: "expected a binding name" }), z.string()).optional(),
    /** Serve on `<script>.<subdomain>.workers.dev`. Replaces the declaration's `workersDev`. */
    workersDev: z.boolean().optional(),
    /** Cron Trigger schedules. Replaces the declaration's `crons`. */
    crons: z.array(cronSchema).optional(),
    /** Workers Logs settings. Replaces the declaration's `observability`. */
    observability: observabilitySchema.optional(),
    /** Placement in this stack (`components/service/workerSettings.ts`). Replaces the declaration's `placement`. */
    placement: placementSchema.optional(),
    /** CPU and subrequest limits in this stack (`{ cpuMs, subrequests }`). Replaces the declaration's `limits`. */
    limits: limitsSchema.optional(),
    /** Workers Logpush in this stack. Replaces the declaration's `logpush`. */
    logpush: z.boolean().optional(),
    /** Protect this service's stateful resources. @default the stack-wide `protect` */
    protect: z.boolean().optional(),
    /**
     * Live resources the first `pulumi up` adopts instead of creating, by kv, d1 or r2 binding name: the
     * provider's import id (`<account_id>/<namespace_id>`, `<account_id>/<database_id>`,
     * `<account_id>/<bucket_name>/<jurisdiction>`), or `{ id, name }` to keep the existing KV title or D1
     * name. Written by `npm run import`; checked against the declaration when services are resolved.
     */
    import: z.record(z.string().regex(BINDING_NAME, { error: "expected a binding name" }), resourceImportSchema).optional(),
    /** Health gate after each deploy (`components/cloudflare/healthGate/healthGateSettings.ts`). @default on, 180 s timeout, 5 s interval */
    healthGate: healthGateSchema.optional(),
    /** How code reaches traffic: `script`, or `versions` with a gradual `percentage`, a metric-gated `rollout` (`components/cloudflare/rollout/rolloutSettings.ts`) or `rollbackTo` (`components/cloudflare/deployment/deploymentSettings.ts`). @default { strategy: "script" } */
    deployment: deploymentSchema.optional(),
    /** Health Check and error-rate alert of this service in this stack, field by field over the declaration's `monitoring` (`components/service/monitoring.ts`). */
    monitoring: serviceMonitoringSchema.optional(),
});

/** The `platform:*` keys of a stack. */
export const stackConfigSchema = z.strictObject({
    /** Cloudflare account id (dashboard → Workers & Pages → Account ID). */
    accountId: hex32,
    /** The Cloudflare zone routes and custom domains live in. Required once any service has one. */
    zone: z.strictObject({ id: hex32, name: hostname }).optional(),
    /** The account's workers.dev subdomain (`<subdomain>.workers.dev`), used to compute URLs. */
    workersDevSubdomain: z.string().regex(/^[a-z0-9-]{1,63}$/, { error: "expected the subdomain label only, e.g. acme" }).optional(),
    /** Protect stateful resources (KV, D1, R2) from deletion. @default true on the `production` stack, false elsewhere */
    protect: z.boolean().optional(),
    /** Per-service overrides, keyed by declared service name. @default {} */
    services: z.record(z.string().regex(SERVICE_NAME, { error: "expected a service name" }), serviceOverrides).default({}),
    /**
     * Secret binding values, `<service>.<BINDING>` → value; a secret key, set with
     * `pulumi config set --secret --path 'secrets.<service>.<BINDING>' <value>`. @default {}
     */
    secrets: z.record(z.string(), z.record(z.string(), z.string())).default({}),
    /** GitHub repository environments fed from stack outputs (see `infra/githubConfig.ts`). @default none */
    github: githubConfigSchema.optional(),
    /** The Neon project and this stack's branch, reached by Workers through Hyperdrive (see `infra/databaseConfig.ts`). @default none */
    database: databaseConfigSchema.optional(),
    /**
     * Alert destinations, the Logpush destination of Workers trace events and the stack's Health Check /
     * error-rate defaults (`components/cloudflare/monitoring/monitoringSettings.ts`). @default none
     */
    monitoring: monitoringConfigSchema.optional(),
});

/** Validated stack config. */
export type StackConfig = z.output<typeof stackConfigSchema>;
/** Per-service overrides after validation. */
export type ServiceOverrides = z.output<typeof serviceOverrides>;

/** Keys whose value is a JSON document rather than a plain string. */
const STRUCTURED_KEYS = new Set(["zone", "protect", "services", "secrets", "github", "database", "monitoring"]);

/**
 * Reads and validates the `platform:*` config as the engine passes it.
 *
 * @param raw `project:key` → string, as in `PULUMI_CONFIG`. @default the running program's config
 * @param isSecret whether a full key is secret. @default the engine's secret key list
 * @returns the validated config; secret values are plain strings here and must be wrapped with
 *   `pulumi.secret` by the caller before use (see `infra/program.ts`).
 * @throws {ValidationError} listing every problem with its path (`platform:services.api.routes[0]`),
 *   including keys that are not JSON where JSON is expected and unknown `platform:` keys. Secret values
 *   are never printed.
 */
export function loadStackConfig(
    raw: Readonly<Record<string, string>> = pulumi.runtime.allConfig(),
    isSecret: (key: string) => boolean = engineSecretKey,
): StackConfig {
    const issues: ValidationIssue[] = [];
    const values: Record<string, unknown> = {};
    for (const [fullKey, text] of Object.entries(raw)) {
        const [namespace, key] = splitKey(fullKey);
        if (namespace !== NAMESPACE) continue;
        if (!STRUCTURED_KEYS.has(key)) {
            values[key] = text;
            continue;
        }
        try {
            values[key] = JSON.parse(text);
        } catch {
            issues.push({ path: fullKey, message: `expected a YAML/JSON ${key === "protect" ? "boolean" : "object"}, got text that does not parse` });
        }
    }
    const parsed = stackConfigSchema.safeParse(values, { reportInput: true });
    if (!parsed.success) {
        issues.push(...zodIssues(`${NAMESPACE}:`, parsed.error, (path) => path[0] === "secrets" || isSecret(`${NAMESPACE}:${String(path[0])}`)));
    }
    if (parsed.success && !isSecret(SECRETS_KEY)) {
        // The engine marks a key secret when any value below it is `secure:`; one that is not holds plain text.
        for (const [service, values] of Object.entries(parsed.data.secrets)) {
            for (const binding of Object.keys(values)) issues.push(plainSecretIssue([service, binding]));
        }
    }
    if (!isSecret(MONITORING_KEY)) {
        // The same rule for the secret fields of `platform:monitoring` (webhook secrets, Logpush credentials).
        for (const path of monitoringSecretPaths(values.monitoring)) issues.push(plainSecretIssue(path, MONITORING_KEY));
    }
    if (issues.length > 0 || !parsed.success) {
        throw new ValidationError("stack config", issues);
    }
    return parsed.data;
}

/** The key holding secret binding values: every value below it must arrive encrypted. */
export const SECRETS_KEY = `${NAMESPACE}:secrets`;

/**
 * The command that stores a secret value encrypted at `path` below `key` (`["api", "SIGNING_KEY"]`).
 * @param key the full config key. @default {@link SECRETS_KEY}
 */
export function setSecretCommand(path: readonly string[], key: string = SECRETS_KEY): string {
    return `pulumi config set --secret --path '${[key, ...path].join(".")}' <value>`;
}

/**
 * The problem of a secret value written in plain text (not `secure:`, not set with `--secret`), at `path`
 * below `key`: names the key and the command that stores it encrypted; never the value.
 * @param key the full config key. @default {@link SECRETS_KEY} (secret binding values)
 */
export function plainSecretIssue(path: readonly string[], key: string = SECRETS_KEY): ValidationIssue {
    return {
        path: renderPath(key, path),
        message: `a secret value in plain text (not "secure:"); secrets must be encrypted: remove it from the stack file and set it with ${setSecretCommand(path, key)}`,
    };
}

/** The key holding monitoring settings, some of whose fields are secrets (`monitoringSecretPaths`). */
export const MONITORING_KEY = `${NAMESPACE}:monitoring`;

/**
 * Whether the engine marked a key secret. The SDK has this check at runtime but leaves it out of its
 * type declarations; when it is absent, every key counts as secret so no value is ever printed.
 */
function engineSecretKey(key: string): boolean {
    const check = (pulumi.runtime as unknown as { isConfigSecret?: (k: string) => boolean }).isConfigSecret;
    return check === undefined ? true : check(key);
}

/** Splits `ns:key` (or legacy `ns:config:key`) into namespace and key. */
function splitKey(fullKey: string): [string, string] {
    const parts = fullKey.split(":");
    return [parts[0] ?? "", parts[parts.length - 1] ?? ""];
}
