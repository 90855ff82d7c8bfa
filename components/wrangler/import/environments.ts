/**
 * Wrangler's environments: which keys a named environment (`[env.<name>]`) inherits from the top level
 * and which it must declare itself, and the configuration wrangler deploys for one environment. Pure.
 *
 * The rules are wrangler's own:
 * https://developers.cloudflare.com/workers/wrangler/configuration/#inheritable-keys and
 * https://developers.cloudflare.com/workers/wrangler/configuration/#non-inheritable-keys
 * ("Bindings and environment variables must be specified per each environment").
 * The lists below were checked key by key against wrangler 4.86's `normalizeAndValidateEnvironment`
 * (node_modules/wrangler/wrangler-dist/cli.js), where `inheritable(...)` takes the environment's own
 * value and falls back to the top level's (`rawEnv[field] ?? topLevelEnv[field]`), and
 * `notInheritable(...)` takes the environment's own value only. In particular:
 * - bindings (kv_namespaces, d1_databases, r2_buckets, durable_objects, services, ai, queues, ...),
 *   `vars`, `secrets` and `define` are NOT inherited: an environment has only the ones it declares;
 * - `migrations` IS inherited (https://developers.cloudflare.com/durable-objects/reference/durable-objects-migrations/);
 * - `name` is inherited as `<top-level name>-<env>` when the environment has none (`appendEnvName`).
 */

/** A wrangler configuration object, or one environment of it, as parsed. */
export type RawConfig = Record<string, unknown>;

/** Keys an environment inherits from the top level unless it sets its own. */
export const INHERITABLE_KEYS: ReadonlySet<string> = new Set([
    "account_id", "compatibility_date", "compatibility_flags", "jsx_factory", "jsx_fragment", "tsconfig", "rules",
    "name", "main", "find_additional_modules", "preserve_file_names", "base_dir", "triggers", "assets", "limits",
    "placement", "build", "route", "routes", "workers_dev", "preview_urls", "migrations", "logfwdr", "no_bundle",
    "minify", "keep_names", "first_party_worker", "logpush", "upload_source_maps", "observability", "cache",
    "compliance_region", "python_modules", "previews",
]);

/**
 * Keys wrangler 3 read and wrangler 4 rejects, still found in real files, with wrangler 3's inheritance:
 * `node_compat` (`@inheritable` in wrangler 3's `config/environment.ts`; wrangler 4's
 * `normalizeAndValidateEnvironment` reports it as removed, pointing to the `nodejs_compat` flag). The importer
 * carries it over as that flag.
 */
export const LEGACY_INHERITABLE_KEYS: ReadonlySet<string> = new Set(["node_compat"]);

/** Keys an environment never inherits: it has them only when its own section declares them. */
export const NOT_INHERITABLE_KEYS: ReadonlySet<string> = new Set([
    "vars", "secrets", "define", "durable_objects", "workflows", "kv_namespaces", "cloudchamber", "containers",
    "send_email", "queues", "r2_buckets", "d1_databases", "vectorize", "ai_search_namespaces", "ai_search",
    "hyperdrive", "services", "analytics_engine_datasets", "dispatch_namespaces", "mtls_certificates",
    "tail_consumers", "streaming_tail_consumers", "unsafe", "browser", "ai", "images", "stream", "media",
    "pipelines", "secrets_store_secrets", "artifacts", "unsafe_hello_world", "flagship", "worker_loaders",
    "ratelimits", "vpc_services", "vpc_networks", "version_metadata",
]);

/** Keys valid only at the top level (`normalizeAndValidateConfig`); they belong to no named environment. */
export const TOP_LEVEL_ONLY_KEYS: ReadonlySet<string> = new Set([
    "$schema", "env", "dev", "site", "alias", "wasm_modules", "text_blobs", "data_blobs", "legacy_env",
    "send_metrics", "keep_vars", "pages_build_output_dir",
]);

/** How wrangler treats a key in an environment. `unknown`: wrangler does not know it (it warns and ignores it). */
export type KeyInheritance = "inheritable" | "not-inheritable" | "top-level-only" | "unknown";

/** Classifies a configuration key by {@link INHERITABLE_KEYS}, {@link NOT_INHERITABLE_KEYS} and {@link TOP_LEVEL_ONLY_KEYS}. */
export function keyInheritance(key: string): KeyInheritance {
    if (INHERITABLE_KEYS.has(key) || LEGACY_INHERITABLE_KEYS.has(key)) return "inheritable";
    if (NOT_INHERITABLE_KEYS.has(key)) return "not-inheritable";
    if (TOP_LEVEL_ONLY_KEYS.has(key)) return "top-level-only";
    return "unknown";
}

/** What wrangler deploys for one environment. */
export interface EffectiveEnvironment {
    /** The environment's configuration: its own keys, inherited keys, and the derived `name`. */
    readonly env: RawConfig;
    /** Keys of `env` taken from the top level because the environment does not set them. Empty for the top level. */
    readonly inherited: readonly string[];
    /** Top-level-only keys the file has (`$schema`, `dev`, `site`, ...), except `env`. */
    readonly topLevelOnly: readonly string[];
    /**
     * Keys wrangler does not know (legacy wrangler v1 keys such as `type`, tool-specific tables), in the
     * environment's own section; for the top level, in the top level. Not part of `env`.
     */
    readonly unknown: readonly string[];
}

/** The names of the `env.<name>` sections, in file order. Non-object values are left to validation. */
export function environmentNames(raw: RawConfig): string[] {
    const sections = raw.env;
    if (typeof sections !== "object" || sections === null || Array.isArray(sections)) return [];
    return Object.keys(sections);
}

/**
 * The configuration wrangler deploys for `envName`, or for the top level when it is undefined, with
 * wrangler's inheritance rules (see the module comment).
 * @throws {Error} when the file has no `env.<envName>` section (callers check names first).
 */
export function effectiveEnvironment(raw: RawConfig, envName: string | undefined): EffectiveEnvironment {
    const sections = (raw.env ?? {}) as Record<string, RawConfig>;
    const section = envName === undefined ? raw : sections[envName];
    if (section === undefined || typeof section !== "object" || section === null) {
        throw new Error(`no env.${envName} section`);
    }
    const env: RawConfig = {};
    const inherited: string[] = [];
    const topLevelOnly: string[] = [];
    const unknown: string[] = [];
    for (const key of new Set([...Object.keys(raw), ...Object.keys(section)])) {
        if (key === "env") continue; // the environments themselves
        const kind = keyInheritance(key);
        if (kind === "top-level-only") {
            if (key in raw) topLevelOnly.push(key);
            continue;
        }
        if (kind === "unknown") {
            if (key in section) unknown.push(key);
            continue;
        }
        let value: unknown;
        if (kind === "inheritable") {
            value = section[key] ?? raw[key];
            if (section !== raw && section[key] === undefined && raw[key] !== undefined) inherited.push(key);
        } else {
            value = section[key];
        }
        if (value !== undefined) env[key] = value;
    }
    if (envName !== undefined && section.name === undefined && typeof raw.name === "string") env.name = `${raw.name}-${envName}`;
    return { env, inherited, topLevelOnly, unknown };
}
