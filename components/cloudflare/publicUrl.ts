/**
 * Where clients reach a Worker, from its stack settings alone (no resource needs to exist).
 */
import type { ServiceSettings } from "../service/settings";

/**
 * The URL of a Worker: its first custom domain, else the host of its first route without a wildcard,
 * else its workers.dev URL when workers.dev is on and the account's subdomain is known.
 * @param scriptName the script name (`api-staging`), for the workers.dev host.
 * @param workersDevSubdomain the account's workers.dev label (`acme` in `acme.workers.dev`).
 * @returns an `https://` origin, or undefined when the Worker has no public URL.
 */
export function publicUrl(
    settings: Pick<ServiceSettings, "customDomains" | "routes" | "workersDev">,
    scriptName: string,
    workersDevSubdomain: string | undefined,
): string | undefined {
    if (settings.customDomains[0] !== undefined) return `https://${settings.customDomains[0]}`;
    const host = settings.routes[0] === undefined ? undefined : routeHost(settings.routes[0]);
    if (host !== undefined && !host.includes("*")) return `https://${host}`;
    return workersDevUrl(settings, scriptName, workersDevSubdomain);
}

/**
 * Whether a route pattern sends requests for `path` to its Worker: its path part ends with `*` and `path`
 * starts with what comes before it, or equals `path` exactly (`example.com/reports/*` covers `/reports/health`,
 * not `/health`). Source: https://developers.cloudflare.com/workers/configuration/routing/routes/#matching-behavior
 */
export function routeCoversPath(pattern: string, path: string): boolean {
    const routePath = pattern.slice(pattern.indexOf("/"));
    return routePath.endsWith("*") ? path.startsWith(routePath.slice(0, -1)) : routePath === path;
}

/** The host part of a route pattern (`example.com/reports/*` → `example.com`, `*.example.com/*` → `*.example.com`). */
export function routeHost(pattern: string): string {
    return pattern.split("/")[0]!;
}

/**
 * The hostnames whose every request reaches the Worker: its Custom Domains, then the hosts of its routes that
 * name one host and cover every path (`api.example.com/*`), each once. A route on part of a host
 * (`example.com/reports/*`) leaves the rest of that host to others, so its host is not listed. Empty when the
 * Worker has no such hostname.
 */
export function routedHostnames(settings: Pick<ServiceSettings, "customDomains" | "routes">): string[] {
    const wholeHosts = settings.routes.filter((pattern) => pattern.slice(pattern.indexOf("/")) === "/*").map(routeHost);
    return [...new Set([...settings.customDomains, ...wholeHosts.filter((host) => !host.includes("*"))])];
}

/** The workers.dev origin of a Worker (`https://<script>.<subdomain>.workers.dev`), or undefined when it is off or the subdomain is unknown. */
export function workersDevUrl(settings: Pick<ServiceSettings, "workersDev">, scriptName: string, workersDevSubdomain: string | undefined): string | undefined {
    return settings.workersDev && workersDevSubdomain !== undefined ? `https://${scriptName}.${workersDevSubdomain}.workers.dev` : undefined;
}
