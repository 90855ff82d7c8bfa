/**
 * The per-stack part of the wrangler import: routes and custom domains (one zone per stack), workers.dev,
 * crons, observability, the account of the live resources, and the notes on the script name. Pure;
 * called by `importConfig.ts`.
 */
import { cronProblem } from "../../service/cron";
import { scriptNameOf } from "../../stackName";
import type { RawConfig } from "./environments";
import type { ImportOptions, RecordedRoute } from "./importConfig";
import type { MappedEnv, Note } from "./importContext";
import { ACCOUNT_ID } from "../../bindings/adoption";

/** Custom Domain hostnames, as `platform:services.<name>.customDomains` accepts them (infra/config.ts). */
const HOSTNAME = /^(?=.{1,253}$)([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}$/;
/** Zone ids, as `platform:zone.id` accepts them (infra/config.ts). */
const ZONE_ID = /^[0-9a-f]{32}$/;
/** Route patterns, as `platform:services.<name>.routes` accepts them (infra/config.ts). */
const ROUTE_PATTERN = /^(\*\.?)?[a-z0-9.-]+\.[a-z]{2,63}\/[^\s]*$/;
/** The platform's default when the original has no observability settings. */
const DEFAULT_OBSERVABILITY = { enabled: true, headSamplingRate: 1 } as const;

/** The Cron Trigger schedules of an environment the platform accepts; notes the others. */
export function cronsOf(m: MappedEnv, note: Note): string[] {
    const triggers = (m.env.triggers ?? {}) as RawConfig;
    for (const key of Object.keys(triggers)) {
        if (key !== "crons") note(m.environment, m.at("triggers", key), "unsupported", "not supported; not imported");
    }
    return ((triggers.crons ?? []) as string[]).filter((cron, i) => {
        const problem = cronProblem(cron);
        if (problem === undefined) return true;
        note(m.environment, m.at("triggers", "crons", i), "unsupported", `"${cron}" is not a Cron Trigger expression the platform accepts (${problem}); not imported`);
        return false;
    });
}

/** Workers Logs settings of an environment; notes sub-keys other than enabled and head_sampling_rate. */
export function observabilityOf(m: MappedEnv, note: Note): { enabled: boolean; headSamplingRate: number } {
    const raw = m.env.observability as RawConfig | undefined;
    if (raw === undefined) {
        note(m.environment, m.at("observability"), "changed", "not set; the platform turns Workers Logs on (set observability to { enabled: false, headSamplingRate: 1 } in the stack to keep them off)");
        return { ...DEFAULT_OBSERVABILITY };
    }
    for (const key of Object.keys(raw)) {
        if (key !== "enabled" && key !== "head_sampling_rate") {
            note(m.environment, m.at("observability", key), "unsupported", "not supported (the platform's observability covers Workers Logs: enabled and head sampling rate); not imported");
        }
    }
    return { enabled: raw.enabled === true, headSamplingRate: typeof raw.head_sampling_rate === "number" ? raw.head_sampling_rate : 1 };
}

/** Routes, custom domains, the zone and workers.dev of an environment; notes routes the platform cannot carry. */
export function routingOf(m: MappedEnv, note: Note): {
    routePatterns: string[];
    customDomains: string[];
    workersDev: boolean;
    zone?: { id?: string; name: string; nameGuessed: boolean };
    routes: RecordedRoute[];
} {
    const entries: [PropertyKey[], unknown][] = [];
    if (m.env.route !== undefined) entries.push([["route"], m.env.route]);
    if (Array.isArray(m.env.routes)) m.env.routes.forEach((r, i) => entries.push([["routes", i], r]));
    else if (m.env.routes !== undefined) entries.push([["routes"], m.env.routes]);
    // An empty pattern (wrangler 1 templates' `route = ""`) is no route at all.
    for (let i = entries.length - 1; i >= 0; i--) {
        const [path, r] = entries[i]!;
        if ((typeof r === "string" ? r : (r as RawConfig).pattern) !== "") continue;
        note(m.environment, m.at(...path), "unsupported", "an empty route pattern: no route to carry over; ignored");
        entries.splice(i, 1);
    }

    const routes: RecordedRoute[] = entries.map(([, r]) => {
        if (typeof r === "string") return { pattern: r, customDomain: false };
        const o = r as RawConfig;
        return {
            pattern: String(o.pattern),
            customDomain: o.custom_domain === true,
            ...(typeof o.zone_id === "string" ? { zoneId: o.zone_id } : {}),
            ...(typeof o.zone_name === "string" ? { zoneName: o.zone_name } : {}),
        };
    });
    const hostOf = (r: RecordedRoute) => r.pattern.split("/")[0]!.replace(/^\*\.?/, "").toLowerCase();
    // Zone names compare as DNS names do: in lowercase, without a trailing dot.
    const zoneNameOf = (r: RecordedRoute) => r.zoneName?.toLowerCase().replace(/\.$/, "");
    // One zone per stack: the first zone_name given, else a guess from the first host (its last two labels).
    const named = routes.find((r) => r.zoneName !== undefined);
    let zone: { id?: string; name: string; nameGuessed: boolean } | undefined;
    /** Why the routes have no zone the platform can use (a placeholder, a template, `localhost`), if so. */
    let noZone: string | undefined;
    if (routes.length > 0) {
        const name = (named === undefined ? undefined : zoneNameOf(named)) ?? hostOf(routes[0]!).split(".").slice(-2).join(".");
        // A zone id that is not one (`<ZONE_ID>`, `${ZONE_ID}`) is left out: the stack's zone id is the user's to fill in.
        const zoneId = routes.find((r) => r.zoneId !== undefined && ZONE_ID.test(r.zoneId) && (zoneNameOf(r) ?? name) === name)?.zoneId;
        routes.forEach((r, i) => {
            if (r.zoneId !== undefined && !ZONE_ID.test(r.zoneId)) {
                note(m.environment, m.at(...entries[i]![0], "zone_id"), "unsupported", `${JSON.stringify(r.zoneId)} is not a zone id (32 lowercase hex characters); not imported`);
            }
        });
        if (HOSTNAME.test(name)) zone = { name, nameGuessed: named === undefined, ...(zoneId === undefined ? {} : { id: zoneId }) };
        else noZone = `${named === undefined ? "the zone guessed from its host" : "its zone_name"}, ${JSON.stringify(name)}, is not a DNS name`;
    }

    const routePatterns: string[] = [];
    const customDomains: string[] = [];
    routes.forEach((r, i) => {
        const path = entries[i]![0];
        const host = hostOf(r);
        if (zone === undefined) {
            note(m.environment, m.at(...path), "unsupported", `${JSON.stringify(r.pattern)}: ${noZone}, and routes and custom domains need their zone; not imported`);
            return;
        }
        const validZoneId = r.zoneId !== undefined && ZONE_ID.test(r.zoneId) ? r.zoneId : undefined;
        if ((r.zoneName !== undefined && zoneNameOf(r) !== zone.name) || (validZoneId !== undefined && zone.id !== undefined && validZoneId !== zone.id) ||
            (host !== zone.name && !host.endsWith(`.${zone.name}`))) {
            note(m.environment, m.at(...path), "unsupported", `${r.pattern} is outside zone ${zone.name}, and a stack has one zone; not imported`);
            return;
        }
        if (r.customDomain) {
            if (HOSTNAME.test(r.pattern)) customDomains.push(r.pattern);
            else note(m.environment, m.at(...path), "unsupported", `custom domain "${r.pattern}" is not a lowercase hostname; not imported`);
            return;
        }
        if (ROUTE_PATTERN.test(r.pattern)) routePatterns.push(r.pattern);
        else note(m.environment, m.at(...path), "unsupported", `route "${r.pattern}" is not a pattern the platform accepts (a lowercase hostname, then a path such as /*); not imported`);
    });
    // Without workers_dev, wrangler serves on workers.dev exactly when there is no route (getSubdomainValues).
    const workersDev = typeof m.env.workers_dev === "boolean" ? m.env.workers_dev : routes.length === 0;
    return { routePatterns, customDomains, workersDev, ...(zone === undefined ? {} : { zone }), routes };
}

/** The account of an environment's resources: a valid `account_id`, else `--account-id`. */
export function accountOf(m: MappedEnv, options: ImportOptions, note: Note): string | undefined {
    const value = m.env.account_id;
    if (typeof value === "string" && ACCOUNT_ID.test(value)) return value;
    if (typeof value === "string" && value !== "") {
        note(m.environment, m.at("account_id"), "changed", `${JSON.stringify(value)} is not an account id (32 lowercase hex characters); ${options.accountId === undefined ? "ignored" : "--account-id is used"}`);
    }
    return options.accountId;
}

/** Notes a script name that changes, and the routes to move to the platform's script. */
export function reportScript(
    m: MappedEnv,
    serviceName: string,
    scriptName: string | undefined,
    routes: readonly RecordedRoute[],
    note: Note,
): void {
    const platformScript = scriptNameOf(serviceName, m.stack);
    if (scriptName === platformScript) return;
    note(m.environment, m.at("name"), "changed",
        `the Worker deploys as "${scriptName ?? "(unnamed)"}"; the platform deploys stack ${m.stack} as "${platformScript}", a new script (its secrets, routes and Durable Objects are its own)`);
    if (routes.length > 0) {
        note(m.environment, m.at(m.env.routes !== undefined ? "routes" : "route"), "action",
            `${routes.map((r) => r.pattern).join(", ")} ${routes.length === 1 ? "is" : "are"} attached to "${scriptName}" today; the platform attaches ${routes.length === 1 ? "it" : "them"} to "${platformScript}". ` +
            "Detach routes from the old script before the first `pulumi up` (a route pattern serves one script), or adopt one with " +
            "`pulumi import cloudflare:index/workersRoute:WorkersRoute <name> <zone_id>/<route_id>`");
    }
}
