/**
 * Policies on monitoring: a Worker the public can reach is watched by a Cloudflare Health Check on its health
 * path, and the stack's alert policies reach someone. Mandatory in production (`config/production.json`),
 * advisory in staging (`config/staging.json`): staging is where a service is tried before it has an on-call
 * rotation, so the report says what is missing without blocking the update.
 */
import * as cloudflare from "@pulumi/cloudflare";
import type { PolicyResource, StackValidationPolicy } from "@pulumi/policy";
import { ALERT_TYPES } from "../components/cloudflare/monitoring/alertTypes";
import { routeCoversPath, routeHost } from "../components/cloudflare/publicUrl";
import { inStack, known, workerLabel, workers } from "./stackView";

/** Where the public reaches one Worker: its Custom Domains (every path) and its routes (`host/path*`). */
interface PublicEndpoints {
    readonly customDomains: string[];
    readonly routes: string[];
}

/**
 * Every Worker reachable through a route or Custom Domain has a Health Check on a URL that reaches its health
 * path, an alert policy watches that Health Check, and the stack's alert policies reach at least one
 * destination (email, webhook or PagerDuty).
 */
export const monitoringConfigured: StackValidationPolicy = {
    name: "monitoring-configured",
    description: "Checks that every Worker with a route or Custom Domain has a Cloudflare Health Check on its health path that an alert policy watches, and that the stack's alert policies reach at least one alert destination.",
    severity: "high",
    enforcementLevel: "advisory",
    tags: ["reliability", "operations"],
    url: "https://developers.cloudflare.com/health-checks/",
    remediationSteps: "Set platform:monitoring.destinations (emails, webhooks or pagerduty) in the stack's Pulumi.<stack>.yaml, " +
        "keep monitoring.healthCheck.enabled on for the service, and give it a Custom Domain or a route that covers its health path " +
        "(docs/monitoring.md).",
    validateStack: (args, reportViolation) => {
        const endpoints = publicEndpoints(args.resources);
        const healthChecks = args.resources.filter((r) => r.isType(cloudflare.Healthcheck));
        const alerting = args.resources.filter((r) => r.isType(cloudflare.NotificationPolicy) && reachesDestination(r));
        let routed = 0;
        for (const view of workers(args.resources)) {
            const reach = view.scriptName === undefined ? undefined : endpoints.get(view.scriptName);
            if (reach === undefined) continue;
            routed += 1;
            const where = inStack(view.resource.urn);
            const path = known(() => view.service?.props.healthCheckPath);
            const healthPath = typeof path === "string" ? path : "/health";
            const checks = healthChecks.filter((hc) => checksWorker(hc, reach, healthPath));
            if (checks.length === 0) {
                reportViolation(`Worker ${workerLabel(view)} has a route or Custom Domain but no Health Check on its health path ${healthPath}${where}.`, view.resource.urn);
                continue;
            }
            if (!checks.some((hc) => alerting.some((policy) => watchesHealthCheck(policy, hc)))) {
                reportViolation(`The Health Check of Worker ${workerLabel(view)} must be watched by an alert policy that reaches an alert destination${where}.`, checks[0]!.urn);
            }
        }
        if (routed > 0 && alerting.length === 0) {
            reportViolation(`The stack must have an alert destination (email, webhook or PagerDuty) that its alert policies reach${inStack(args.resources[0]?.urn)}; none is set.`);
        }
    },
};

/** The monitoring policies. */
export const monitoringPolicies = [monitoringConfigured];

/** Custom Domains and routes by the script they send requests to. */
function publicEndpoints(resources: readonly PolicyResource[]): Map<string, PublicEndpoints> {
    const out = new Map<string, PublicEndpoints>();
    const of = (script: unknown): PublicEndpoints | undefined => {
        if (typeof script !== "string") return undefined;
        if (!out.has(script)) out.set(script, { customDomains: [], routes: [] });
        return out.get(script);
    };
    for (const r of resources) {
        if (r.isType(cloudflare.WorkersCustomDomain)) {
            const hostname = known(() => r.props.hostname);
            if (typeof hostname === "string") of(known(() => r.props.service))?.customDomains.push(hostname);
        }
        if (r.isType(cloudflare.WorkersRoute)) {
            const pattern = known(() => r.props.pattern);
            if (typeof pattern === "string") of(known(() => r.props.script))?.routes.push(pattern);
        }
    }
    return out;
}

/** Whether a Health Check requests the Worker's health path on a hostname that sends that path to the Worker. */
function checksWorker(hc: PolicyResource, reach: PublicEndpoints, healthPath: string): boolean {
    const address = known(() => hc.props.address);
    const path = known(() => (hc.props.httpConfig as { path?: unknown } | undefined)?.path);
    if (typeof address !== "string" || path !== healthPath) return false;
    return reach.customDomains.includes(address) ||
        reach.routes.some((pattern) => routeHost(pattern) === address && routeCoversPath(pattern, healthPath));
}

/** Whether a notification policy names at least one email, webhook or PagerDuty destination. */
function reachesDestination(policy: PolicyResource): boolean {
    const mechanisms = known(() => policy.props.mechanisms) as Record<string, unknown> | undefined;
    return ["emails", "webhooks", "pagerduties"].some((kind) => Array.isArray(mechanisms?.[kind]) && (mechanisms[kind] as unknown[]).length > 0);
}

/**
 * Whether a notification policy alerts on a Health Check's status: its alert type, and the check among what
 * its `filters` (`healthCheckIds`) were made from, the property dependency the engine records (the id itself is
 * unknown in a preview).
 */
function watchesHealthCheck(policy: PolicyResource, hc: PolicyResource): boolean {
    return known(() => policy.props.alertType) === ALERT_TYPES.healthCheck &&
        (policy.propertyDependencies?.filters ?? []).some((d) => d.urn === hc.urn);
}
