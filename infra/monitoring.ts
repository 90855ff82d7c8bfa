/**
 * The stack's monitoring (`components/cloudflare/monitoring/`), from the validated stack config and the resolved
 * services: each service's Health Check and error-rate settings merged from the stack's defaults
 * (`platform:monitoring`), its declaration (`monitoring`) and the stack's override
 * (`platform:services.<name>.monitoring`), in that order.
 */
import type { Environment, EnvironmentService } from "../components/cloudflare/environment";
import { Monitoring, type MonitoredService } from "../components/cloudflare/monitoring/monitoring";
import { NO_DESTINATIONS } from "../components/cloudflare/monitoring/monitoringSettings";
import { routedHostnames } from "../components/cloudflare/publicUrl";
import { healthGateUrl } from "../components/cloudflare/healthGate/serviceHealthGate";
import { mergeMonitoring, type ServiceMonitoring } from "../components/service/monitoring";
import { scriptNameOf } from "../components/stackName";
import type { StackConfig } from "./config";

/**
 * A service's Health Check and error-rate settings in a stack: Cloudflare's and the platform's defaults, then
 * `platform:monitoring.healthCheck` / `.errorRate`, then the declaration's `monitoring`, then
 * `platform:services.<name>.monitoring`, field by field.
 */
export function serviceMonitoring(config: StackConfig, service: EnvironmentService): ServiceMonitoring {
    // `platform:monitoring` holds the stack defaults (its healthCheck and errorRate) beside destinations and Logpush.
    return mergeMonitoring(config.monitoring, service.declaration.monitoring, config.services[service.declaration.name]?.monitoring);
}

/**
 * The services with Workers Logpush turned on where the stack pushes trace events (`platform:monitoring.logpush`)
 * and the service does not say otherwise: Cloudflare sends a Worker's trace events to the stack's Logpush job only
 * when the Worker's own `logpush` flag is on (https://developers.cloudflare.com/workers/observability/logs/logpush/).
 * Without a Logpush destination the services are returned unchanged.
 */
export function withStackLogpush(config: StackConfig, services: readonly EnvironmentService[]): EnvironmentService[] {
    if (config.monitoring?.logpush === undefined) return [...services];
    return services.map((svc) => svc.settings.logpush === undefined ? { ...svc, settings: { ...svc.settings, logpush: true } } : svc);
}

/**
 * Declares the stack's `Monitoring` component: one Logpush job over every script when a Logpush destination is
 * set, a Health Check per routed service (after its `WorkerService`), and the alert policies when the stack has
 * alert destinations. Nothing is declared when `platform:monitoring` is absent and no service is routed.
 * @param stack the stack name.
 * @param config the validated stack config.
 * @param services the resolved services (as the Environment got them).
 * @param environment the Environment holding their `WorkerService`s.
 */
export function declareMonitoring(stack: string, config: StackConfig, services: readonly EnvironmentService[], environment: Environment): Monitoring | undefined {
    const monitored = services.map((svc): MonitoredService => {
        const worker = environment.services[svc.declaration.name];
        return {
            name: svc.declaration.name,
            scriptName: scriptNameOf(svc.declaration.name, stack),
            hostnames: routedHostnames(svc.settings),
            // Only a URL on the zone: a Health Check is a zone's, and workers.dev is not in it.
            healthUrl: healthGateUrl(svc.declaration.health.path, { customDomains: svc.settings.customDomains, routes: svc.settings.routes }),
            monitoring: serviceMonitoring(config, svc),
            ...(worker === undefined ? {} : { dependsOn: [worker] }),
        };
    });
    if (config.monitoring === undefined && monitored.every((svc) => svc.hostnames.length === 0 && svc.healthUrl === undefined)) return undefined;
    return new Monitoring(stack, {
        accountId: config.accountId,
        stack,
        ...(config.zone === undefined ? {} : { zone: config.zone }),
        services: monitored,
        destinations: config.monitoring?.destinations ?? NO_DESTINATIONS,
        ...(config.monitoring?.logpush === undefined ? {} : { logpush: config.monitoring.logpush }),
        protect: config.protect ?? stack === "production",
    });
}
