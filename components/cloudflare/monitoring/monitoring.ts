import * as cloudflare from "@pulumi/cloudflare";
import * as pulumi from "@pulumi/pulumi";
import { MONITORING_TYPE } from "../../typeTokens";
import { errorRateSlo, type ServiceMonitoring } from "../../service/monitoring";
import { destinationConf, scriptNameFilter, WORKERS_TRACE_EVENTS } from "./logpushDestination";
import { hasDestinations, type AlertDestinations, type LogpushDestination } from "./monitoringSettings";
import { ALERT_TYPES } from "./alertTypes";

/** One service of the stack as monitoring sees it. */
export interface MonitoredService {
    /** The declared service name (`api`). */
    readonly name: string;
    /** Its script name in this stack (`api-production`); the Logpush job's filter lists it. */
    readonly scriptName: string;
    /**
     * The hostnames whose every request reaches it (`routedHostnames` of `../publicUrl.ts`): its Custom Domains,
     * then the hosts of its `host/*` routes; the error-rate alert watches them. Empty for a service without
     * either, which gets no error-rate alert.
     */
    readonly hostnames: readonly string[];
    /**
     * The URL on the zone that serves its `health.path` (`healthGateUrl` of `../healthGate/serviceHealthGate.ts`
     * without workers.dev: `https://api.example.com/health`), which its Health Check requests; undefined when no
     * Custom Domain or route covers that path, and then it gets no Health Check.
     */
    readonly healthUrl: string | undefined;
    /** Its Health Check and error-rate settings in this stack (`mergeMonitoring`). */
    readonly monitoring: ServiceMonitoring;
    /** What must exist before its Health Check starts (its `WorkerService`). @default none */
    readonly dependsOn?: readonly pulumi.Resource[];
}

/** Arguments of {@link Monitoring}. */
export interface MonitoringArgs {
    /** Cloudflare account id (32 hex characters): Logpush job, R2 bucket, webhooks and notification policies are account-scoped. */
    readonly accountId: string;
    /** Stack name; suffix of physical names (`workers-logs-<stack>`). */
    readonly stack: string;
    /** The zone Health Checks and error-rate alerts live in; required when a service has hostnames. */
    readonly zone?: { readonly id: string; readonly name: string };
    /** Every service of the stack. */
    readonly services: readonly MonitoredService[];
    /**
     * Where alerts go. Webhook secrets are wrapped as Pulumi secrets here, on arrival. Without any
     * destination no notification policy is created (Cloudflare requires at least one mechanism).
     */
    readonly destinations: AlertDestinations;
    /**
     * Where Workers trace events go; its credentials reach only the job's `destinationConf`, a Pulumi secret (the provider
     * keeps `destinationConf` secret too). @default none: no Logpush job
     */
    readonly logpush?: LogpushDestination;
    /** Protect the Logpush R2 bucket from deletion. @default false */
    readonly protect?: boolean;
}

/**
 * Monitoring of one stack: one Logpush job of the `workers_trace_events` dataset covering every script of the
 * stack (to an R2 bucket it creates, or an HTTPS endpoint), a Cloudflare Health Check on the public health
 * URL of each routed service, and notification policies that reach every alert destination of the stack:
 * per routed service its Health Check's status and its HTTP 5xx error rate on its hostnames, and per stack a
 * failing Logpush job. Webhook destinations become `NotificationPolicyWebhooks` with their secret.
 *
 * @example
 * new Monitoring("production", {
 *   accountId, stack: "production", zone, protect: true,
 *   services: [{ name: "api", scriptName: "api-production", hostnames: ["api.example.com"], healthUrl: "https://api.example.com/health",
 *                monitoring: mergeMonitoring() }],
 *   destinations: { emails: ["oncall@example.com"], webhooks: {}, pagerduty: [] },
 * });
 */
export class Monitoring extends pulumi.ComponentResource {
    /** The Health Check of each routed service, by service name. */
    declare readonly healthChecks: Readonly<Record<string, cloudflare.Healthcheck>>;
    /** The Logpush job; undefined without `logpush` or services. */
    declare readonly logpushJob: cloudflare.LogpushJob | undefined;
    /** The R2 bucket Logpush writes to; undefined unless `logpush.destination` is `r2`. */
    declare readonly logsBucket: cloudflare.R2Bucket | undefined;
    /** The webhook destinations, by name. */
    declare readonly webhooks: Readonly<Record<string, cloudflare.NotificationPolicyWebhooks>>;
    /** Every notification policy created. */
    declare readonly alertPolicies: readonly cloudflare.NotificationPolicy[];

    constructor(name: string, args: MonitoringArgs, opts?: pulumi.ComponentResourceOptions) {
        super(MONITORING_TYPE, name, {}, opts);
        const { job, bucket } = createLogpush(name, args, this);
        const webhooks = createWebhooks(name, args, this);
        const mechanisms = alertMechanisms(args.destinations, webhooks);
        const healthChecks = createHealthChecks(name, args, this);
        const alertPolicies = mechanisms === undefined ? [] : [
            ...createServiceAlerts(name, args, healthChecks, mechanisms, this),
            ...(job === undefined ? [] : [createLogpushAlert(name, args, mechanisms, this)]),
        ];
        this.healthChecks = healthChecks;
        this.logpushJob = job;
        this.logsBucket = bucket;
        this.webhooks = webhooks;
        this.alertPolicies = alertPolicies;
        this.registerOutputs({
            healthChecks: Object.fromEntries(Object.entries(healthChecks).map(([svc, hc]) => [svc, hc.id])),
            alertPolicies: alertPolicies.map((p) => p.id),
        });
    }
}

/** Physical name of the Logpush R2 bucket of a stack when the config names none. */
function defaultLogsBucket(stack: string): string {
    return `workers-logs-${stack}`;
}

function createLogpush(name: string, args: MonitoringArgs, parent: pulumi.Resource): { job?: cloudflare.LogpushJob; bucket?: cloudflare.R2Bucket } {
    if (args.logpush === undefined || args.services.length === 0) return {};
    const bucketName = args.logpush.destination === "r2" ? args.logpush.bucket ?? defaultLogsBucket(args.stack) : undefined;
    const bucket = bucketName === undefined ? undefined : new cloudflare.R2Bucket(`${name}-logs-bucket`, {
        accountId: args.accountId,
        name: bucketName,
    }, { parent, protect: args.protect ?? false });
    const job = new cloudflare.LogpushJob(`${name}-logpush`, {
        accountId: args.accountId,
        dataset: WORKERS_TRACE_EVENTS,
        name: `workers-trace-events-${args.stack}`,
        destinationConf: pulumi.secret(destinationConf(args.logpush, args.accountId, bucketName ?? "")),
        filter: scriptNameFilter(args.services.map((s) => s.scriptName), args.stack),
        enabled: true,
    }, { parent, ...(bucket === undefined ? {} : { dependsOn: [bucket] }) });
    return { job, ...(bucket === undefined ? {} : { bucket }) };
}

function createWebhooks(name: string, args: MonitoringArgs, parent: pulumi.Resource): Record<string, cloudflare.NotificationPolicyWebhooks> {
    return Object.fromEntries(Object.entries(args.destinations.webhooks).map(([webhook, spec]) => [webhook, new cloudflare.NotificationPolicyWebhooks(`${name}-webhook-${webhook}`, {
        accountId: args.accountId,
        name: `${args.stack}-${webhook}`,
        // Secret in the state: Slack, Discord and Google Chat webhook URLs carry their token in the path.
        url: pulumi.secret(spec.url),
        ...(spec.secret === undefined ? {} : { secret: pulumi.secret(spec.secret) }),
    }, { parent })]));
}

/** Every destination of the stack as one `mechanisms` value; undefined when there is none. */
function alertMechanisms(destinations: AlertDestinations, webhooks: Readonly<Record<string, cloudflare.NotificationPolicyWebhooks>>): cloudflare.types.input.NotificationPolicyMechanisms | undefined {
    if (!hasDestinations(destinations)) return undefined;
    const hooks = Object.values(webhooks);
    return {
        ...(destinations.emails.length === 0 ? {} : { emails: destinations.emails.map((id) => ({ id })) }),
        ...(hooks.length === 0 ? {} : { webhooks: hooks.map((hook) => ({ id: hook.id })) }),
        ...(destinations.pagerduty.length === 0 ? {} : { pagerduties: destinations.pagerduty.map((id) => ({ id })) }),
    };
}

function createHealthChecks(name: string, args: MonitoringArgs, parent: pulumi.Resource): Record<string, cloudflare.Healthcheck> {
    const checks: Record<string, cloudflare.Healthcheck> = {};
    for (const svc of args.services) {
        const settings = svc.monitoring.healthCheck;
        if (!settings.enabled || svc.healthUrl === undefined) continue;
        if (args.zone === undefined) throw new Error(`Monitoring ${name}: service ${svc.name} has a health URL on the zone but no zone was given`);
        const { hostname: address, pathname: path } = new URL(svc.healthUrl);
        checks[svc.name] = new cloudflare.Healthcheck(`${name}-${svc.name}-health-check`, {
            zoneId: args.zone.id,
            name: `${svc.scriptName}-health`,
            description: `${settings.method} ${svc.healthUrl} of ${svc.scriptName}`,
            address,
            type: "HTTPS",
            ...(settings.checkRegions === undefined ? {} : { checkRegions: [...settings.checkRegions] }),
            interval: settings.interval,
            retries: settings.retries,
            timeout: settings.timeout,
            consecutiveFails: settings.consecutiveFails,
            consecutiveSuccesses: settings.consecutiveSuccesses,
            httpConfig: {
                path,
                method: settings.method,
                port: 443,
                expectedCodes: [...settings.expectedCodes],
                // The address is the Worker's own hostname; say it in Host too, as Cloudflare recommends.
                header: { Host: [address] },
                followRedirects: false,
                allowInsecure: false,
            },
        }, { parent, dependsOn: [...(svc.dependsOn ?? [])] });
    }
    return checks;
}

function createServiceAlerts(
    name: string,
    args: MonitoringArgs,
    healthChecks: Readonly<Record<string, cloudflare.Healthcheck>>,
    mechanisms: cloudflare.types.input.NotificationPolicyMechanisms,
    parent: pulumi.Resource,
): cloudflare.NotificationPolicy[] {
    const policies: cloudflare.NotificationPolicy[] = [];
    for (const svc of args.services) {
        const check = healthChecks[svc.name];
        if (check !== undefined) {
            policies.push(new cloudflare.NotificationPolicy(`${name}-${svc.name}-health-alert`, {
                accountId: args.accountId,
                name: `${svc.scriptName} health check`,
                description: `The Health Check of ${svc.healthUrl} changed status.`,
                alertType: ALERT_TYPES.healthCheck,
                enabled: true,
                filters: { healthCheckIds: [check.id] },
                mechanisms,
            }, { parent }));
        }
        const errorRate = svc.monitoring.errorRate;
        if (errorRate.enabled && svc.hostnames.length > 0 && args.zone !== undefined) {
            policies.push(new cloudflare.NotificationPolicy(`${name}-${svc.name}-error-rate-alert`, {
                accountId: args.accountId,
                name: `${svc.scriptName} HTTP 5xx error rate`,
                description: `More than ${errorRate.thresholdPercent} % of requests to ${svc.hostnames.join(", ")} answered with a 5xx status.`,
                alertType: ALERT_TYPES.errorRate,
                enabled: true,
                filters: {
                    zones: [args.zone.id],
                    // Requests of the service's own hostnames only (filter key `target_hostname`), not the whole zone.
                    targetHostnames: [...svc.hostnames],
                    slos: [errorRateSlo(errorRate.thresholdPercent)],
                },
                mechanisms,
            }, { parent }));
        }
    }
    return policies;
}

function createLogpushAlert(name: string, args: MonitoringArgs, mechanisms: cloudflare.types.input.NotificationPolicyMechanisms, parent: pulumi.Resource): cloudflare.NotificationPolicy {
    return new cloudflare.NotificationPolicy(`${name}-logpush-alert`, {
        accountId: args.accountId,
        name: `${args.stack} Logpush job disabled`,
        description: `Cloudflare disabled a Logpush job of the account after repeated failures (the ${args.stack} stack pushes ${WORKERS_TRACE_EVENTS}).`,
        alertType: ALERT_TYPES.logpushDisabled,
        enabled: true,
        mechanisms,
    }, { parent });
}
