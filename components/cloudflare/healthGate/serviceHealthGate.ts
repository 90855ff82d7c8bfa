/**
 * The health gate of one service: a {@link HealthGate} on `<url><health.path>` after the Worker, its
 * routes and its custom domains have deployed, configured from stack config.
 */
import * as pulumi from "@pulumi/pulumi";
import type { ServiceDeclaration } from "../../service/declaration";
import { HealthGate } from "./healthGate";
import { DEFAULT_HEALTH_GATE, expectedHealthChecks, type HealthGateSettings } from "./healthGateSettings";
import { routeCoversPath, routeHost } from "../publicUrl";

/** Where a service can be reached from outside, in this stack. */
export interface ServiceEndpoints {
    /** Custom Domains (whole hostnames, every path reaches the Worker). */
    readonly customDomains: readonly string[];
    /** Route patterns (`host/path`, `*` at the start of the host or the end of the path). */
    readonly routes: readonly string[];
    /** `https://<script>.<subdomain>.workers.dev` when workers.dev is on and the subdomain is known. */
    readonly workersDevUrl?: string;
}

/**
 * The URL the health gate calls: the health path on the first Custom Domain, else on the first route with
 * a plain hostname whose path pattern covers the health path, else on workers.dev. A route such as
 * `example.com/reports/*` does not reach `/health`, so it is skipped.
 * Source: https://developers.cloudflare.com/workers/configuration/routing/routes/#matching-behavior
 * @returns the absolute URL, or undefined when no endpoint serves the health path.
 */
export function healthGateUrl(healthPath: string, endpoints: ServiceEndpoints): string | undefined {
    const domain = endpoints.customDomains[0];
    if (domain !== undefined) return `https://${domain}${healthPath}`;
    for (const pattern of endpoints.routes) {
        const host = routeHost(pattern);
        if (host.includes("*")) continue;
        if (routeCoversPath(pattern, healthPath)) return `https://${host}${healthPath}`;
    }
    return endpoints.workersDevUrl === undefined ? undefined : `${endpoints.workersDevUrl.replace(/\/+$/, "")}${healthPath}`;
}

/** What {@link createHealthGate} needs of a service. */
export interface ServiceHealthGateArgs {
    /** The validated declaration: name, `health.path`, bindings (for the default expected checks). */
    readonly declaration: ServiceDeclaration;
    /** Absolute health URL ({@link healthGateUrl}), or undefined when no endpoint serves it. */
    readonly url: string | undefined;
    /** Stack config `services.<name>.healthGate`. @default DEFAULT_HEALTH_GATE */
    readonly settings?: HealthGateSettings;
    /** The deployed script's name (for the version override header). */
    readonly scriptName: pulumi.Output<string>;
    /** Version to pin requests to (versioned deploys); absent for a plain script. */
    readonly versionId?: pulumi.Output<string>;
    /** Changes whenever the code reaches traffic again. */
    readonly trigger: pulumi.Output<string>;
}

/**
 * Declares `<name>-health-gate`, depending on `opts.dependsOn` (the script or deployment, the
 * workers.dev setting, routes and custom domains); their ids join the trigger, so adding a route re-runs
 * the gate too.
 * @returns the gate, or undefined when disabled or when no URL serves the health path (said in an info message).
 */
export function createHealthGate(
    name: string,
    args: ServiceHealthGateArgs,
    opts: { readonly parent: pulumi.Resource; readonly dependsOn: pulumi.Resource[] },
): HealthGate | undefined {
    const settings = args.settings ?? DEFAULT_HEALTH_GATE;
    if (!settings.enabled) return undefined;
    if (args.url === undefined) {
        // Info, not a warning: a service may be reachable only through service bindings on purpose.
        pulumi.log.info(`service ${args.declaration.name}: no Custom Domain, route or workers.dev URL serves ${args.declaration.health.path}, ` +
            "so no health gate checks its deploys; add one, or set healthGate.enabled to false to say this is intended", opts.parent);
        return undefined;
    }
    const ids = opts.dependsOn.flatMap((r) => (pulumi.CustomResource.isInstance(r) ? [r.id] : []));
    return new HealthGate(`${name}-health-gate`, {
        service: args.declaration.name,
        url: args.url,
        timeoutSeconds: settings.timeoutSeconds,
        intervalSeconds: settings.intervalSeconds,
        expectedChecks: expectedHealthChecks(args.declaration, settings),
        ...(args.versionId === undefined ? {} : { versionOverride: { scriptName: args.scriptName, versionId: args.versionId } }),
        trigger: pulumi.all([args.trigger, ...ids]).apply((parts) => JSON.stringify(parts)),
    }, { parent: opts.parent, dependsOn: opts.dependsOn });
}
