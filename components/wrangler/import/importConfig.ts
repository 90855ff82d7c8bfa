/**
 * Wrangler config → service declaration and per-stack values: the inverse of `generate.ts`. Pure: takes
 * a parsed configuration, returns what to write and a note for everything that is not carried over as
 * it was. `tools/import.ts` reads the file and writes the result. The bindings and live resources are
 * in `importBindings.ts`, the per-stack settings (routes, crons, observability) in `importStack.ts`.
 *
 * How a file maps onto the platform:
 * - Stacks (`stackMapping.ts`): `--env <stack>=<env>` first; then production and staging take the
 *   environment with their name or one of their usual names (`prod`, `live`, `stage`, `qa`, ...); every
 *   other environment feeds its own stack, named after it (`preview`, `dev`, `local`, ...); the top level
 *   ← the first of production, staging left without an environment. Each wrangler environment feeds at
 *   most one stack, so a live resource is adopted by one stack only. Each mapping is noted.
 * - Environments are read with wrangler's inheritance rules (`environments.ts`): bindings and vars are
 *   per environment, `main`, `compatibility_*`, `routes`, `triggers`, `observability`, `migrations` and
 *   `account_id` are inherited.
 * - The declaration is one per service: its bindings are the union over the mapped environments
 *   (production first), binding names exactly as in the file; a binding one environment lacks is still
 *   declared for every stack and reported. `main` and compatibility settings come from the production
 *   environment (else staging); differences are reported. The Durable Object migrations are the one
 *   history every Worker the platform keeps deploying can move to (`importMigrations.ts`).
 * - The service name is `--name`, else the top-level `name`, else the name the environments' own names
 *   agree on once their `-<env>` suffix is removed.
 * - Worker settings (`importWorkerSettings.ts`): placement, limits, logpush, keep_vars, minify, rules and
 *   tail_consumers carried over, node_compat as the nodejs_compat flag, containers and the bundling keys the
 *   platform cannot honour refused with a note.
 * - Per stack: routes, custom domains, workers.dev, and the vars, crons, observability, placement, limits and logpush that differ
 *   from the declaration; the ids of live KV namespaces, D1 databases and R2 buckets as the provider's
 *   `import` ids (`components/bindings/adoption.ts`) with their existing names. Placeholder and missing ids are reported.
 */
import { z } from "zod";
import { SERVICE_NAME, defineService, type ServiceDeclarationInput } from "../../service/declaration";
import { bindingKind } from "../../bindings/index";
import { replayMigrations, type DurableObjectMigration, type DurableObjectStorage } from "../../service/durableObjectMigrations";
import { relativePathProblem } from "../../service/names";
import { STACK_NAME, STACK_NAME_RULE, scriptNameOf } from "../../stackName";
import { ValidationError, describeValue, renderPath, type ValidationIssue } from "../../validation";
import { effectiveEnvironment, environmentNames, type RawConfig } from "./environments";
import { bindingKeys, collectBindings, importsOf, reportAddedBindings, reportUnimportedBindings } from "./importBindings";
import { serviceNameFrom, type MappedEnv, type Note } from "./importContext";
import { declaredMigrations, environmentMigrations } from "./importMigrations";
import { mapEnvironments } from "./stackMapping";
import { ACCOUNT_ID } from "../../bindings/adoption";
import { accountOf, cronsOf, observabilityOf, reportScript, routingOf } from "./importStack";
import { declaredBindings, isBindingKey, wranglerConfigIssues } from "./wranglerSchema";
import { importWorkerSettings, workerSettingsInput, WORKER_SETTINGS_KEYS, type ImportedStackSettings, type ImportedWorkerSettings } from "./importWorkerSettings";

export { serviceNameFrom } from "./importContext";

/**
 * A stack an import writes values for: `production`, `staging`, or a stack named after a wrangler
 * environment (a valid stack name, `components/stackName.ts`). See `stackMapping.ts`.
 */
export type ImportStack = string;

/**
 * What a note says about the original:
 * - `unsupported`: not carried over (a key or binding the platform has no equivalent for);
 * - `changed`: carried over differently (a number var becomes a string, a new script name);
 * - `not-imported`: a live resource that is not adopted (placeholder or missing id, no account id);
 * - `added`: the generated config of this environment has a binding the original environment lacks;
 * - `mapped`: which stack an environment (or the top level) feeds, and why;
 * - `not-mapped`: an environment no stack takes;
 * - `action`: carried over, but a step is left to the user (a KV title to fill in, a route to move).
 */
export type ImportNoteCategory = "unsupported" | "changed" | "not-imported" | "added" | "mapped" | "not-mapped" | "action";

/** One thing the import reports. */
export interface ImportNote {
    /** Path in the original (`env.production.queues`, `kv_namespaces[0].id`); `(top level)` for the top level as a whole. */
    readonly path: string;
    /** The wrangler environment it concerns; undefined for the top level. */
    readonly environment: string | undefined;
    readonly category: ImportNoteCategory;
    readonly message: string;
    /** For `added`: the binding the generated config adds. */
    readonly binding?: string;
}

/** One binding in `defineService`'s input shape. */
export type ImportedBinding = NonNullable<ServiceDeclarationInput["bindings"]>[string];

/** The declaration to write, as plain data (the env contract as its keys, each `z.string()`). */
export interface ImportedDeclaration {
    readonly name: string;
    readonly main: string;
    readonly compatibilityDate: string;
    readonly compatibilityFlags: readonly string[];
    readonly bindings: Readonly<Record<string, ImportedBinding>>;
    readonly durableObjectMigrations: readonly DurableObjectMigration[];
    /** Keys of the env contract: every var and secret binding. */
    readonly envKeys: readonly string[];
    readonly crons: readonly string[];
    readonly observability: { readonly enabled: boolean; readonly headSamplingRate: number };
    /** placement, limits, logpush, keepVars, minify, moduleRules, tailConsumers, when set (`importWorkerSettings.ts`). @default {} */
    readonly workerSettings?: ImportedWorkerSettings;
}

/** A live resource recorded for adoption. */
export interface ImportedResource {
    /** The binding kind (`kv`, `d1`, `r2`, ...). */
    readonly kind: string;
    /** The provider's import id. */
    readonly id: string;
    /** Namespace id, database id or bucket name. */
    readonly resourceId: string;
    /** The existing physical name (D1 name, R2 bucket); undefined for KV, whose title wrangler does not record. */
    readonly name?: string;
}

/** A route or custom domain of the original, recorded with the script it is attached to. */
export interface RecordedRoute {
    readonly pattern: string;
    readonly customDomain: boolean;
    readonly zoneId?: string;
    readonly zoneName?: string;
}

/** `platform:services.<name>` values for one stack; `placement`, `limits` and `logpush` only when they differ from the declaration's. */
export interface StackOverrides extends ImportedStackSettings {
    readonly routes: readonly string[];
    readonly customDomains: readonly string[];
    readonly workersDev: boolean;
    /** Only the vars whose value differs from the declaration's default. */
    readonly vars?: Readonly<Record<string, string>>;
    /** Only when they differ from the declaration's. */
    readonly crons?: readonly string[];
    /** Only when it differs from the declaration's. */
    readonly observability?: { readonly enabled: boolean; readonly headSamplingRate: number };
}

/** Everything imported for one stack. */
export interface ImportedStack {
    readonly stack: ImportStack;
    /** The wrangler environment; undefined for the top level. */
    readonly environment: string | undefined;
    /** `env.production` or `top level`, for messages. */
    readonly label: string;
    /** The Worker's script name in the original (`name`, or `<name>-<env>`). */
    readonly scriptName: string | undefined;
    /** The account of this environment's resources: `account_id`, else the `--account-id` given. */
    readonly accountId: string | undefined;
    /** The zone of the routes and custom domains, when there are any. */
    readonly zone?: { readonly id?: string; readonly name: string; readonly nameGuessed: boolean };
    readonly overrides: StackOverrides;
    /** Resources to adopt, by binding name. */
    readonly imports: Readonly<Record<string, ImportedResource>>;
    /** Durable Object classes live in the original script after its migrations, with the last tag. */
    readonly durableObjects: { readonly classes: Readonly<Record<string, DurableObjectStorage>>; readonly lastTag: string | undefined };
    readonly routes: readonly RecordedRoute[];
    /** Secret bindings; their values go to `platform:secrets.<service>.<NAME>`. */
    readonly secretNames: readonly string[];
}

/** The result of {@link importWranglerConfig}. */
export interface ImportResult {
    readonly declaration: ImportedDeclaration;
    /** Mapped stacks: production, staging, then the others in the file's order. */
    readonly stacks: readonly ImportedStack[];
    /** Every note, in the order found. */
    readonly notes: readonly ImportNote[];
}

/** Options of {@link importWranglerConfig}. */
export interface ImportOptions {
    /** The file's name, for messages (`wrangler.toml`). */
    readonly source: string;
    /**
     * Service name. @default the file's `name`, lowercased with `_` and other characters as `-`; without
     * one, the name the environments' own names agree on without their `-<env>` suffix
     */
    readonly name?: string;
    /** Account id (32 hex) for environments without `account_id`; without one their resources are not adopted. */
    readonly accountId?: string;
    /** Explicit mappings, stack → wrangler environment name (`{ production: "prod", "eu-west": "eu" }`); any valid stack name. */
    readonly environments?: Readonly<Record<string, string>>;
    /** Secret names found beside the config (`.dev.vars`), with where they came from. */
    readonly extraSecrets?: readonly { readonly name: string; readonly source: string }[];
    /**
     * The service name when the file names no Worker (no top-level `name`, and no environment names that
     * agree): `npm run import` passes the `--out` directory's name (`services/billing` → `billing`).
     * @default none: such a file is refused, asking for --name
     */
    readonly fallbackName?: string;
    /**
     * The compatibility date declared when the file sets none (wrangler cannot deploy without one), as
     * YYYY-MM-DD. @default the import's own date (UTC)
     */
    readonly today?: string;
}

/** Keys of an environment the import carries over besides the binding kinds' (possibly partly; their sub-keys are reported). */
const SETTINGS_KEYS = [
    "name", "main", "compatibility_date", "compatibility_flags", "account_id", "workers_dev", "route", "routes",
    "triggers", "observability", "migrations",
];
/**
 * Every key the import carries over or reports itself: {@link SETTINGS_KEYS}, the worker settings' keys
 * (`importWorkerSettings.ts`) and the wrangler keys of the binding table's kinds.
 */
function supportedKeys(): Set<string> {
    return new Set([...SETTINGS_KEYS, ...WORKER_SETTINGS_KEYS, ...bindingKeys()]);
}

/** Why a key is not supported, for the report (keys not listed get a generic reason). */
const UNSUPPORTED_REASONS: Readonly<Record<string, string>> = {
    $schema: "editor hint for wrangler's JSON schema, not configuration",
    build: "custom build commands are not part of service declarations (the platform bundles `main` with esbuild)",
    define: "build-time defines are not part of service declarations",
    dev: "local `wrangler dev` options belong to no stack",
    pages_build_output_dir: "a Cloudflare Pages project's setting: this file configures Pages, not a Worker",
    preview_urls: "preview URLs are not part of service declarations",
    site: "Workers Sites (legacy) are not supported; use static assets",
    upload_source_maps: "source map upload is not part of service declarations",
    // Binding keys the platform has no binding kind for (each binding is reported by name).
    ai_search: "AI Search bindings have no platform binding kind",
    ai_search_namespaces: "AI Search bindings have no platform binding kind",
    artifacts: "Artifacts bindings have no platform binding kind",
    data_blobs: "service-worker format data blobs are not supported (the platform deploys an ES module Worker)",
    flagship: "Flagship bindings have no platform binding kind",
    "kv-namespaces": "wrangler 1's name for kv_namespaces, which wrangler 2 and later ignore: rename the key to kv_namespaces, then import again",
    logfwdr: "logfwdr bindings are internal to Cloudflare and have no platform binding kind",
    media: "Media Transformations bindings have no platform binding kind",
    pipelines: "Pipelines bindings have no platform binding kind",
    stream: "Stream bindings have no platform binding kind",
    text_blobs: "service-worker format text blobs are not supported (the platform deploys an ES module Worker)",
    unsafe_hello_world: "an internal test binding with no platform binding kind",
    vpc_networks: "VPC network bindings have no platform binding kind",
    vpc_services: "VPC service bindings have no platform binding kind",
    wasm_modules: "service-worker format WebAssembly modules are not supported (import the .wasm file from the ES module entry instead)",
    worker_loaders: "Worker Loader (dynamic Worker) bindings have no platform binding kind",
};

const COMPAT_FLAG = /^[a-z0-9_]+$/;
const DEFAULT_MAIN = "src/index.ts";

/**
 * Imports a parsed wrangler configuration.
 * @throws {ValidationError} when the file or the options are malformed (wrong types, missing binding
 *   names, classes or tags, duplicate binding names, unknown environments in `environments`, no usable
 *   service name or compatibility date), every problem with the path of its key.
 */
export function importWranglerConfig(raw: RawConfig, options: ImportOptions): ImportResult {
    const subject = `wrangler config ${options.source}`;
    const issues = [...optionIssues(raw, options), ...wranglerConfigIssues(raw)];
    if (issues.length > 0) throw new ValidationError(subject, issues);

    const notes: ImportNote[] = [];
    const note = (environment: string | undefined, path: string, category: ImportNoteCategory, message: string, binding?: string) => {
        notes.push({ path, environment, category, message, ...(binding === undefined ? {} : { binding }) });
    };

    const mapped = mapEnvironments(raw, options, note);
    const serviceName = serviceNameOf(raw, mapped, options, note, issues);
    const base = mapped[0]!;
    const compatibilityDate = compatibilityDateOf(mapped, options.today ?? new Date().toISOString().slice(0, 10), note, issues);
    const histories = environmentMigrations(mapped, serviceName, issues);
    if (issues.length > 0) throw new ValidationError(subject, issues);
    const migrations = declaredMigrations(histories, serviceName, note, issues);
    if (issues.length > 0) throw new ValidationError(subject, issues);

    const main = mainOf(mapped, note);
    const compatibilityFlags = compatibilityFlagsOf(mapped, note);
    const liveClasses = replayMigrations(migrations).classes;

    const { bindings, varValues, declaredFrom } = collectBindings(mapped, serviceName, liveClasses, options, note);
    const secretNames = Object.entries(bindings).filter(([, b]) => bindingKind(b.kind).envContract?.secret === true).map(([n]) => n);
    reportAddedBindings(mapped, declaredFrom, note);
    const settings = importWorkerSettings(raw, mapped, serviceName, note);

    const defaults: Record<string, string> = {};
    for (const [name, binding] of Object.entries(bindings)) {
        const value = bindingKind(binding.kind).envContract?.defaultValue?.(binding);
        if (value !== undefined) defaults[name] = value;
    }
    const crons = cronsOf(base, note);
    const observability = observabilityOf(base, note);
    for (const m of mapped) reportUnsupportedKeys(m, note);
    reportFileKeys(raw, note);

    const claimed = new Map<string, string>();
    const stacks = mapped.map((m, index): ImportedStack => {
        const envCrons = m === base ? crons : cronsOf(m, note);
        const envObservability = m === base ? observability : observabilityOf(m, note);
        const vars: Record<string, string> = {};
        for (const [name, value] of Object.entries(varValues.get(m) ?? {})) {
            if (defaults[name] !== undefined && defaults[name] !== value) vars[name] = value;
        }
        const routing = routingOf(m, note);
        const accountId = accountOf(m, options, note);
        const { scriptName, history } = histories[index]!;
        reportScript(m, serviceName, scriptName, routing.routes, note);
        const classes = replayMigrations(history).classes;
        const lastTag = history.length > 0 ? history[history.length - 1]!.tag : undefined;
        if (classes.size > 0 && scriptName !== undefined) {
            const list = `Durable Object class${classes.size === 1 ? "" : "es"} ${[...classes.keys()].join(", ")}`;
            const platformScript = scriptNameOf(serviceName, m.stack);
            note(m.environment, m.at("migrations"), "action", scriptName === platformScript
                ? `${list} ${classes.size === 1 ? "lives" : "live"} in Worker "${scriptName}" at migration tag ${lastTag}; the platform deploys the same script, so the objects stay. ` +
                  "The declaration keeps the migration tags as they are: never rename or remove an applied step"
                : `${list} ${classes.size === 1 ? "keeps its" : "keep their"} objects in Worker "${scriptName}" (last migration tag ${lastTag}); the platform's script "${platformScript}" starts with none. ` +
                  `Keep "${scriptName}" until its objects are moved, or transfer the classes ` +
                  "(https://developers.cloudflare.com/durable-objects/reference/durable-objects-migrations/#transfer-migration)");
        }
        return {
            stack: m.stack,
            environment: m.environment,
            label: m.label,
            scriptName,
            accountId,
            ...(routing.zone === undefined ? {} : { zone: routing.zone }),
            overrides: {
                routes: routing.routePatterns,
                customDomains: routing.customDomains,
                workersDev: routing.workersDev,
                ...(Object.keys(vars).length > 0 ? { vars } : {}),
                ...(JSON.stringify(envCrons) === JSON.stringify(crons) ? {} : { crons: envCrons }),
                ...(JSON.stringify(envObservability) === JSON.stringify(observability) ? {} : { observability: envObservability }),
                ...settings.overridesFor(m),
            },
            imports: importsOf(m, accountId, declaredFrom, claimed, note),
            durableObjects: { classes: Object.fromEntries(classes), lastTag },
            routes: routing.routes,
            secretNames,
        };
    });

    const declaration: ImportedDeclaration = {
        name: serviceName,
        main,
        compatibilityDate: compatibilityDate!,
        compatibilityFlags: [...compatibilityFlags, ...settings.compatibilityFlags],
        bindings,
        durableObjectMigrations: migrations,
        envKeys: Object.entries(bindings).filter(([, b]) => bindingKind(b.kind).envContract !== undefined).map(([n]) => n),
        crons,
        observability,
        workerSettings: settings.declaration,
    };
    // The import maps every case it knows into a valid declaration; a failure here is a bug in the import.
    defineService(toDeclarationInput(declaration));
    reportUnimportedBindings(raw, mapped, bindings, notes, note);
    return { declaration, stacks, notes };
}

/**
 * The `defineService` input of an imported declaration: the env contract is `z.string()` for every var
 * and secret, as the written `service.ts` declares it.
 */
export function toDeclarationInput(declaration: ImportedDeclaration): ServiceDeclarationInput {
    return {
        name: declaration.name,
        main: declaration.main,
        compatibilityDate: declaration.compatibilityDate,
        compatibilityFlags: [...declaration.compatibilityFlags],
        bindings: { ...declaration.bindings },
        durableObjectMigrations: declaration.durableObjectMigrations.map((s) => ({ ...s })) as ServiceDeclarationInput["durableObjectMigrations"],
        env: z.object(Object.fromEntries(declaration.envKeys.map((k) => [k, z.string()]))),
        crons: [...declaration.crons],
        observability: { ...declaration.observability },
        ...workerSettingsInput(declaration.workerSettings ?? {}),
    };
}

// ─── Options, mapping, top-level fields ──────────────────────────────────────────────────────────

function optionIssues(raw: RawConfig, options: ImportOptions): ValidationIssue[] {
    const issues: ValidationIssue[] = [];
    if (options.name !== undefined && !SERVICE_NAME.test(options.name)) {
        issues.push({ path: "--name", message: `expected a service name (lowercase letters, digits and dashes, starting with a letter, at most 40 characters), got ${describeValue(options.name)}` });
    }
    if (options.accountId !== undefined && !ACCOUNT_ID.test(options.accountId)) {
        issues.push({ path: "--account-id", message: `expected a Cloudflare account id (32 lowercase hex characters), got ${describeValue(options.accountId)}` });
    }
    const names = environmentNames(raw);
    const used = new Map<string, string>();
    for (const [stack, envName] of Object.entries(options.environments ?? {})) {
        const at = `--env ${stack}=${envName}`;
        if (!STACK_NAME.test(stack)) {
            issues.push({ path: at, message: `"${stack}" is not a stack name: expected ${STACK_NAME_RULE}` });
        } else if (!names.includes(envName)) {
            issues.push({ path: at, message: `the file has no env.${envName}; its environments: ${names.length === 0 ? "none (only the top level)" : names.join(", ")}` });
        } else if (used.has(envName)) {
            issues.push({ path: at, message: `env.${envName} is already mapped to stack ${used.get(envName)}; an environment feeds one stack` });
        }
        used.set(envName, stack);
    }
    return issues;
}

/**
 * The service name: `--name`, else the top-level `name`, else the one the environments' own names agree
 * on ({@link nameFromEnvironments}); a name that is not one becomes one (`My_API` → `my-api`, noted).
 */
function serviceNameOf(
    raw: RawConfig,
    mapped: readonly MappedEnv[],
    options: ImportOptions,
    note: Note,
    issues: ValidationIssue[],
): string {
    if (options.name !== undefined) return options.name;
    if (typeof raw.name !== "string") {
        const agreed = nameFromEnvironments(raw, mapped);
        if ("problem" in agreed) {
            const fallback = options.fallbackName === undefined ? undefined : serviceNameFrom(options.fallbackName);
            if (fallback === undefined) {
                issues.push({ path: "name", message: `missing: the file has no top-level Worker name, ${agreed.problem}; pass --name <service>` });
                return "unnamed";
            }
            note(undefined, "name", "changed", `not set (${agreed.problem}); the service is named "${fallback}" after the output directory; pass --name to choose another`);
            return fallback;
        }
        note(undefined, "name", "changed", `not set at the top level; the service is named "${agreed.name}", on which ${agreed.from} agree ` +
            "once their -<env> suffix is removed; pass --name to choose another");
        return agreed.name;
    }
    // A Worker name that starts with a digit (`2048`) becomes `worker-2048`.
    const name = serviceNameFrom(raw.name) ?? serviceNameFrom(`worker-${raw.name}`);
    if (name === undefined) {
        issues.push({ path: "name", message: `"${raw.name}" cannot become a service name (lowercase letters, digits and dashes, starting with a letter); pass --name <service>` });
        return "unnamed";
    }
    if (name !== raw.name) {
        note(undefined, "name", "changed", `the service is named "${name}" (service names are lowercase letters, digits and dashes); pass --name to choose another`);
    }
    return name;
}

/**
 * The service name the `env.<name>.name` keys agree on, each without a trailing `-<env>` (or `_<env>`,
 * `.<env>`; also the stack it feeds: `foo-production` in `env.prod`), as a service name.
 * @returns the name and the keys it comes from, or why there is none (no environment names its Worker,
 *   or they disagree).
 */
function nameFromEnvironments(raw: RawConfig, mapped: readonly MappedEnv[]): { name: string; from: string } | { problem: string } {
    const found: { key: string; text: string; name: string | undefined }[] = [];
    const sections = (raw.env ?? {}) as Record<string, RawConfig>;
    for (const environment of environmentNames(raw)) {
        const text = sections[environment]?.name;
        if (typeof text !== "string") continue;
        const stack = mapped.find((m) => m.environment === environment)?.stack;
        const suffixes = [environment, ...(stack === undefined ? [] : [stack])].sort((a, b) => b.length - a.length);
        const suffix = suffixes.find((x) => text.toLowerCase().endsWith(x.toLowerCase()) && /[-_.]$/.test(text.slice(0, text.length - x.length)) && text.length > x.length + 1);
        const stripped = suffix === undefined ? text : text.slice(0, text.length - suffix.length - 1);
        found.push({ key: renderPath("", ["env", environment, "name"]), text, name: serviceNameFrom(stripped) });
    }
    if (found.length === 0) return { problem: "and no env section names its Worker" };
    const names = new Set(found.map((f) => f.name));
    const [only] = names;
    const list = found.map((f) => `${f.key} ${JSON.stringify(f.text)}${f.name === undefined ? " (no service name)" : f.name === only && names.size === 1 ? "" : ` → "${f.name}"`}`).join(", ");
    if (names.size > 1 || only === undefined) {
        return { problem: `and the env sections' names do not agree on one service name once their -<env> suffix is removed (${list})` };
    }
    return { name: only, from: list };
}

function compatibilityDateOf(
    mapped: readonly MappedEnv[],
    today: string,
    note: Note,
    issues: ValidationIssue[],
): string | undefined {
    const base = mapped[0]!;
    const date = base.env.compatibility_date;
    for (const m of mapped.slice(1)) {
        if (m.env.compatibility_date !== date) {
            note(m.environment, m.at("compatibility_date"), "changed", `differs from ${base.label}'s; one declaration serves every stack: declared as ${JSON.stringify(date)}`);
        }
    }
    if (date === undefined) {
        note(base.environment, base.at("compatibility_date"), "action",
            `not set, and wrangler cannot deploy without one: declared as ${today}, the import's date. Test the Worker on that date, ` +
            "or set compatibilityDate in service.ts to the date its code was written for (https://developers.cloudflare.com/workers/configuration/compatibility-dates/)");
        return today;
    }
    if (typeof date !== "string") {
        issues.push({ path: base.at("compatibility_date"), message: `expected a date as YYYY-MM-DD, got ${describeValue(date)}` });
        return undefined;
    }
    if (Number.isNaN(Date.parse(`${date}T00:00:00Z`)) || !new Date(`${date}T00:00:00Z`).toISOString().startsWith(date)) {
        issues.push({ path: base.at("compatibility_date"), message: `expected a real calendar date, got ${describeValue(date)}` });
    }
    return date;
}

function mainOf(mapped: readonly MappedEnv[], note: Note): string {
    const base = mapped[0]!;
    const main = mainPath(base.env.main);
    for (const m of mapped.slice(1)) {
        if (mainPath(m.env.main) !== main) {
            note(m.environment, m.at("main"), "changed", `differs from ${base.label}'s; one declaration serves every stack: declared as ${JSON.stringify(main ?? DEFAULT_MAIN)}`);
        }
    }
    if (main !== undefined && /\.(ts|mts|js|mjs)$/.test(main) && relativePathProblem(main) === undefined) return main;
    note(base.environment, base.at("main"), "changed", main === undefined
        ? `not set (a Pages project or a legacy wrangler v1 build); declared as "${DEFAULT_MAIN}": put the Worker's entry module there`
        : `"${main}" is not a .ts, .mts, .js or .mjs module inside the service directory; declared as "${DEFAULT_MAIN}": put the Worker's entry module there`);
    return DEFAULT_MAIN;
}

/** `./src/index.ts` → `src/index.ts`. */
function mainPath(value: unknown): string | undefined {
    return typeof value === "string" ? value.replace(/^(\.\/)+/, "") : undefined;
}

function compatibilityFlagsOf(mapped: readonly MappedEnv[], note: Note): string[] {
    const base = mapped[0]!;
    const flags = (base.env.compatibility_flags ?? []) as string[];
    for (const m of mapped.slice(1)) {
        if (JSON.stringify(m.env.compatibility_flags ?? []) !== JSON.stringify(flags)) {
            note(m.environment, m.at("compatibility_flags"), "changed", `differs from ${base.label}'s; one declaration serves every stack: declared as ${JSON.stringify(flags)}`);
        }
    }
    return flags.filter((flag, i) => {
        if (COMPAT_FLAG.test(flag)) return true;
        note(base.environment, base.at("compatibility_flags", i), "unsupported", `"${flag}" is not a compatibility flag (lowercase letters, digits and _); left out`);
        return false;
    });
}

// ─── Keys the import does not carry ─────────────────────────────────────────────────────────────

function reportUnsupportedKeys(m: MappedEnv, note: Note): void {
    const supported = supportedKeys();
    for (const key of Object.keys(m.env)) {
        if (supported.has(key)) continue;
        const inherited = m.inherited.includes(key) ? " (inherited from the top level)" : "";
        noteUnsupportedKey(m.environment, m.at, key, m.env[key], `not supported${inherited}: ${UNSUPPORTED_REASONS[key] ?? "not part of service declarations"}`, note);
    }
}

/**
 * Notes a key that is not carried over: one note per binding it declares (`pipelines[0]`, naming the
 * binding), or one for the key when it declares none.
 */
function noteUnsupportedKey(environment: string | undefined, at: (...segments: PropertyKey[]) => string, key: string, value: unknown, reason: string, note: Note): void {
    const named = isBindingKey(key) ? declaredBindings({ [key]: value }) : [];
    if (named.length === 0) {
        note(environment, at(key), "unsupported", `${reason}; not imported`);
        return;
    }
    for (const b of named) note(environment, at(...b.path), "unsupported", `${reason}; binding ${b.name} not imported`, b.name);
}

/** Keys only valid at the top level, and keys wrangler does not know, wherever they are. */
function reportFileKeys(raw: RawConfig, note: Note): void {
    const top = effectiveEnvironment(raw, undefined);
    for (const key of top.topLevelOnly) {
        if (supportedKeys().has(key)) continue; // keep_vars
        noteUnsupportedKey(undefined, (...segments) => renderPath("", segments), key, raw[key], `not supported: ${UNSUPPORTED_REASONS[key] ?? "a top-level wrangler setting with no platform equivalent"}`, note);
    }
    const unknownKey = (environment: string | undefined, section: RawConfig, key: string) => {
        const at = (...segments: PropertyKey[]) => renderPath("", [...(environment === undefined ? [] : ["env", environment]), ...segments]);
        if (isBindingKey(key)) {
            // Wrangler 1's `kv-namespaces`: its bindings are named, each not imported.
            noteUnsupportedKey(environment, at, key, section[key], `not a key of today's wrangler configuration: ${UNSUPPORTED_REASONS[key] ?? "a legacy wrangler v1 key"}`, note);
        } else {
            note(environment, at(key), "unsupported", "not a key of wrangler's configuration (a legacy wrangler v1 key or another tool's); ignored");
        }
    };
    for (const key of top.unknown) unknownKey(undefined, raw, key);
    const sections = (raw.env ?? {}) as Record<string, RawConfig>;
    for (const name of environmentNames(raw)) {
        for (const key of effectiveEnvironment(raw, name).unknown) unknownKey(name, sections[name]!, key);
    }
}
