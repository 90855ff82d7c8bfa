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
    const host = settings.routes[0]?.split("/")[0];
    if (host !== undefined && !host.includes("*")) return `https://${host}`;
    return workersDevUrl(settings, scriptName, workersDevSubdomain);
}

/** The workers.dev origin of a Worker (`https://<script>.<subdomain>.workers.dev`), or undefined when it is off or the subdomain is unknown. */
export function workersDevUrl(settings: Pick<ServiceSettings, "workersDev">, scriptName: string, workersDevSubdomain: string | undefined): string | undefined {
    return settings.workersDev && workersDevSubdomain !== undefined ? `https://${scriptName}.${workersDevSubdomain}.workers.dev` : undefined;
}
