/**
 * Declaration + one stack's settings + resolved resource ids → the wrangler configuration object a
 * developer runs `wrangler dev` on. Pure: no I/O, no Pulumi. Secret values never enter it; only the
 * names of secret bindings are returned, for `.dev.vars.example`.
 *
 * Key names follow wrangler's configuration reference:
 * https://developers.cloudflare.com/workers/wrangler/configuration/
 */
import type { ServiceDeclaration } from "../service/declaration";
import type { DurableObjectMigration } from "../service/durableObjectMigrations";
import type { ServiceSettings } from "../service/settings";

/** A stateful resource after creation, as a binding needs it. */
export type ResolvedResource =
    | { readonly kind: "kv"; readonly id: string }
    | { readonly kind: "d1"; readonly id: string; readonly name: string }
    | { readonly kind: "r2"; readonly bucketName: string }
    | { readonly kind: "hyperdrive"; readonly id: string };

/**
 * Connection string a plain `wrangler dev` on the generated file gives each Hyperdrive binding: the
 * `postgres` database of a server on 127.0.0.1:5432 as `postgres`, without a password. `npm run dev`
 * always overrides it through `CLOUDFLARE_HYPERDRIVE_LOCAL_CONNECTION_STRING_<BINDING>` (its own local
 * PostgreSQL, or `--database-url`), so a real password is never written to a generated file.
 */
export const DEFAULT_LOCAL_DATABASE_URL = "postgresql://postgres@127.0.0.1:5432/postgres";

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
    /** Resolved resources by binding name; every kv/d1/r2/hyperdrive binding must have one. */
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
 * @throws {Error} when a kv/d1/r2 binding has no resolved resource or a service binding names a service
 *   missing from `serviceScripts` (a programming error: the Environment resolves both).
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

    const kv: unknown[] = [];
    const d1: unknown[] = [];
    const r2: unknown[] = [];
    const durableObjects: unknown[] = [];
    const services: unknown[] = [];
    const hyperdrive: unknown[] = [];
    const vars: Record<string, string> = {};
    const secretNames: string[] = [];
    for (const [name, binding] of Object.entries(decl.bindings)) {
        switch (binding.kind) {
            case "kv":
                kv.push({ binding: name, id: resource(input, name, "kv").id });
                break;
            case "d1": {
                const db = resource(input, name, "d1");
                d1.push({ binding: name, database_name: db.name, database_id: db.id, migrations_dir: joinPosix(input.serviceDir, binding.migrationsDir) });
                break;
            }
            case "r2":
                r2.push({ binding: name, bucket_name: resource(input, name, "r2").bucketName });
                break;
            case "durableObject":
                durableObjects.push(binding.service === undefined
                    ? { name, class_name: binding.className }
                    : { name, class_name: binding.className, script_name: scriptOf(input, binding.service) });
                break;
            case "service":
                services.push(binding.entrypoint === undefined
                    ? { binding: name, service: scriptOf(input, binding.service) }
                    : { binding: name, service: scriptOf(input, binding.service), entrypoint: binding.entrypoint });
                break;
            case "hyperdrive":
                hyperdrive.push({ binding: name, id: resource(input, name, "hyperdrive").id, localConnectionString: DEFAULT_LOCAL_DATABASE_URL });
                break;
            case "var":
                vars[name] = settings.vars[name] ?? binding.value;
                break;
            case "secret":
                secretNames.push(name);
                break;
        }
    }
    if (Object.keys(vars).length > 0) config.vars = vars;
    if (kv.length > 0) config.kv_namespaces = kv;
    if (d1.length > 0) config.d1_databases = d1;
    if (r2.length > 0) config.r2_buckets = r2;
    if (durableObjects.length > 0) config.durable_objects = { bindings: durableObjects };
    if (decl.durableObjectMigrations.length > 0) config.migrations = decl.durableObjectMigrations.map(toWranglerMigration);
    if (services.length > 0) config.services = services;
    if (hyperdrive.length > 0) config.hyperdrive = hyperdrive;
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

function resource<K extends ResolvedResource["kind"]>(input: WranglerConfigInput, binding: string, kind: K): Extract<ResolvedResource, { kind: K }> {
    const found = input.resources[binding];
    if (found === undefined || found.kind !== kind) {
        throw new Error(`wrangler config for ${input.scriptName}: binding ${binding} has no resolved ${kind} resource`);
    }
    return found as Extract<ResolvedResource, { kind: K }>;
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
