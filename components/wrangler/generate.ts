/**
 * Declaration + one stack's settings + resolved resource ids → the wrangler configuration object a
 * developer runs `wrangler dev` on. Pure: no I/O, no Pulumi. Secret values never enter it; only the
 * names of secret bindings are returned, for `.dev.vars.example`.
 *
 * Key names follow wrangler's configuration reference:
 * https://developers.cloudflare.com/workers/wrangler/configuration/
 */
import { BINDING_KINDS, type ResolvedResource } from "../bindings/index";
import type { ServiceDeclaration } from "../service/declaration";
import type { DurableObjectMigration } from "../service/durableObjectMigrations";
import type { ServiceSettings } from "../service/settings";
import { effectiveWorkerSettings, wranglerSettings } from "../service/workerSettings";

export type { ResolvedResource } from "../bindings/index";

/** Everything {@link generateWranglerConfig} needs. */
export interface WranglerConfigInput {
    readonly declaration: ServiceDeclaration;
    /** The Worker's script name in this stack (`api-staging`). */
    readonly scriptName: string;
    /** The service directory relative to the project root, POSIX separators (`services/api`). */
    readonly serviceDir: string;
    readonly settings: ServiceSettings;
    /** Zone id for routes, when the stack has a zone. */
    readonly zoneId?: string;
    /** Resolved resources by binding name; every binding whose kind creates or resolves a resource must have one. */
    readonly resources: Readonly<Record<string, ResolvedResource>>;
    /** Script name of every declared service this one binds to, by service name. */
    readonly serviceScripts: Readonly<Record<string, string>>;
}

/** A wrangler configuration object (JSON keys as wrangler spells them). Paths are relative to the project root. */
export type WranglerConfig = Record<string, unknown> & { name: string; main: string };

/** The result: the config object and the secret names that belong in `.dev.vars`. */
export interface GeneratedWranglerConfig {
    readonly config: WranglerConfig;
    readonly secretNames: readonly string[];
}

/**
 * Builds the wrangler config of one service in one stack.
 * @throws {Error} when a binding whose kind creates a resource has none resolved, or a service binding names
 *   a service missing from `serviceScripts` (a programming error: the Environment resolves both).
 */
export function generateWranglerConfig(input: WranglerConfigInput): GeneratedWranglerConfig {
    const { declaration: decl, settings } = input;
    const config: WranglerConfig = {
        name: input.scriptName,
        main: joinPosix(input.serviceDir, decl.main),
        compatibility_date: decl.compatibilityDate,
    };
    if (decl.compatibilityFlags.length > 0) config.compatibility_flags = [...decl.compatibilityFlags];
    config.workers_dev = settings.workersDev;
    const routes = [
        ...settings.routes.map((pattern) => input.zoneId === undefined ? { pattern } : { pattern, zone_id: input.zoneId }),
        ...settings.customDomains.map((pattern) => ({ pattern, custom_domain: true })),
    ];
    if (routes.length > 0) config.routes = routes;
    if (settings.crons.length > 0) config.triggers = { crons: [...settings.crons] };
    config.observability = { enabled: settings.observability.enabled, head_sampling_rate: settings.observability.headSamplingRate };
    // placement, limits, logpush, keep_vars, minify, rules, tail_consumers (components/service/workerSettings.ts)
    Object.assign(config, wranglerSettings(effectiveWorkerSettings(decl, settings), (service) => scriptOf(input, service)));

    const secretNames: string[] = [];
    // Kinds in table order, bindings in declaration order within a kind: a stable key order in the file.
    for (const kind of BINDING_KINDS) {
        for (const [name, binding] of Object.entries(decl.bindings)) {
            if (binding.kind !== kind.kind) continue;
            kind.wrangler(binding, {
                name,
                resolved: input.resources[name],
                resolvedOf: (other) => input.resources[other],
                scriptOf: (service) => scriptOf(input, service),
                varValue: (key) => settings.vars[key],
                projectPath: (relative) => joinPosix(input.serviceDir, relative),
                config,
                secretNames,
            });
        }
    }
    if (decl.durableObjectMigrations.length > 0) config.migrations = decl.durableObjectMigrations.map(toWranglerMigration);
    return { config, secretNames };
}

/** One migration step in wrangler's snake_case shape; empty lists are left out. */
export function toWranglerMigration(step: DurableObjectMigration): Record<string, unknown> {
    const out: Record<string, unknown> = { tag: step.tag };
    if (step.newClasses?.length) out.new_classes = [...step.newClasses];
    if (step.newSqliteClasses?.length) out.new_sqlite_classes = [...step.newSqliteClasses];
    if (step.renamedClasses?.length) out.renamed_classes = step.renamedClasses.map(({ from, to }) => ({ from, to }));
    if (step.deletedClasses?.length) out.deleted_classes = [...step.deletedClasses];
    if (step.transferredClasses?.length) {
        out.transferred_classes = step.transferredClasses.map(({ from, fromScript, to }) => ({ from, from_script: fromScript, to }));
    }
    return out;
}

function scriptOf(input: WranglerConfigInput, service: string): string {
    const script = input.serviceScripts[service];
    if (script === undefined) {
        throw new Error(`wrangler config for ${input.scriptName}: no script name for bound service "${service}"`);
    }
    return script;
}

function joinPosix(dir: string, file: string): string {
    const parts: string[] = [];
    for (const part of `${dir}/${file}`.split("/")) {
        if (part === "" || part === ".") continue;
        if (part === ".." && parts.length > 0 && parts[parts.length - 1] !== "..") parts.pop();
        else parts.push(part);
    }
    return parts.join("/");
}
