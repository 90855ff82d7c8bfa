/**
 * The shape of the wrangler configuration keys the importer reads, validated section by section (the
 * top level and each `env.<name>`), so a malformed file is reported with every offending key at once
 * before anything is imported. Keys the importer does not read are not validated here: the importer
 * reports them as not supported. The rules follow wrangler's own validation where it rejects a file
 * (`normalizeAndValidateConfig`, wrangler 4.86): a binding without its name, a Durable Object without
 * its class, a service binding without its service, a migration without its tag, two bindings with one
 * name (`validateBindingsHaveUniqueNames`), a TOML date in `vars`.
 * Key reference: https://developers.cloudflare.com/workers/wrangler/configuration/
 */
import { z } from "zod";
import { HTML_HANDLING, NOT_FOUND_HANDLING, runWorkerFirstSchema } from "../../bindings/assets";
import { describeValue, renderPath, zodIssues, type ValidationIssue } from "../../validation";
import type { RawConfig } from "./environments";
import { WORKER_SETTINGS_SECTION_SHAPE } from "./importWorkerSettings";
import { WORKFLOW_NAME } from "../../bindings/workflow";

// Wrong types are reported in the project's shape by `zodIssues` ("expected string, got number (42)");
// the messages below are for the other checks.
const text = z.string();
const name = (what: string) => z.string().min(1, { error: `expected the ${what}, a non-empty string` });
const stringList = z.array(text);

const routeObject = z.looseObject({
    pattern: z.string(),
    zone_id: text.optional(),
    zone_name: text.optional(),
    custom_domain: z.boolean().optional(),
});
const route = z.union([z.string(), routeObject], {
    error: 'expected a route: a pattern string or { pattern, zone_name | zone_id, custom_domain }',
});

const compatibilityDate = z.unknown().superRefine((value, ctx) => {
    if (value instanceof Date) {
        ctx.addIssue({ code: "custom", message: 'expected a date string such as "2024-01-01", got a TOML date: quote it' });
    } else if (typeof value !== "string") {
        ctx.addIssue({ code: "custom", message: `expected a date string such as "2024-01-01", got ${describeValue(value)}` });
    } else if (!/^\d{4}-\d{2}-\d{2}$/.test(value)) {
        ctx.addIssue({ code: "custom", message: `expected a date as YYYY-MM-DD, got ${describeValue(value)}` });
    }
});

const varValue = z.unknown().refine((v) => !(v instanceof Date), {
    error: 'a TOML date is not supported in vars (wrangler rejects it); quote it, e.g. "2025-12-19"',
});

const migrationStep = z.looseObject({
    tag: name("migration tag"),
    new_classes: stringList.optional(),
    new_sqlite_classes: stringList.optional(),
    renamed_classes: z.array(z.looseObject({ from: name("class name"), to: name("class name") })).optional(),
    deleted_classes: stringList.optional(),
    transferred_classes: z.array(z.looseObject({ from: name("class name"), from_script: name("script name"), to: name("class name") })).optional(),
});

const bindingList = <T extends z.ZodRawShape>(shape: T) => z.array(z.looseObject(shape));

/** Keys holding one binding object (`ai`, `browser`, `images`, `version_metadata`). */
const SINGLE_BINDING_KEYS = ["ai", "browser", "images", "version_metadata"] as const;
/** Lists of `{ binding, ... }` wrangler checks for unique names, besides the ones above (`validateBindingsHaveUniqueNames`). */
const NAMED_BINDING_LISTS = ["vectorize", "analytics_engine_datasets", "dispatch_namespaces", "mtls_certificates", "secrets_store_secrets"] as const;

/**
 * The account-feature binding keys (`components/bindings/`: ai, vectorize, analyticsEngine, rateLimit, browser,
 * versionMetadata, sendEmail, dispatchNamespace, mtlsCertificate, secretsStoreSecret, images), as wrangler
 * 4.86's `config-schema.json` and validators (`validateRateLimitBinding`, `validateSendEmailBinding`, ...) require them.
 */
const accountFeatureKeys = {
    ...Object.fromEntries(SINGLE_BINDING_KEYS.map((key) => [key, z.looseObject({ binding: name("binding name") }).optional()])),
    vectorize: bindingList({ binding: name("binding name"), index_name: name("index name") }).optional(),
    analytics_engine_datasets: bindingList({ binding: name("binding name"), dataset: name("dataset name").optional() }).optional(),
    ratelimits: bindingList({
        name: name("binding name"),
        namespace_id: name("namespace id, an integer as a string"),
        simple: z.looseObject({
            limit: z.number(),
            period: z.union([z.literal(10), z.literal(60)], { error: "expected 10 or 60 (seconds)" }),
        }),
    }).optional(),
    send_email: z.array(z.looseObject({
        name: name("binding name"),
        destination_address: text.optional(),
        allowed_destination_addresses: stringList.optional(),
        allowed_sender_addresses: stringList.optional(),
    }).refine((b) => b.destination_address === undefined || b.allowed_destination_addresses === undefined, {
        error: "has both destination_address and allowed_destination_addresses; wrangler accepts one of them",
    })).optional(),
    dispatch_namespaces: bindingList({
        binding: name("binding name"),
        namespace: name("dispatch namespace name"),
        outbound: z.looseObject({ service: name("outbound Worker name"), environment: text.optional(), parameters: stringList.optional() }).optional(),
    }).optional(),
    mtls_certificates: bindingList({ binding: name("binding name"), certificate_id: name("certificate id") }).optional(),
    secrets_store_secrets: bindingList({ binding: name("binding name"), store_id: name("store id"), secret_name: name("secret name") }).optional(),
    unsafe: z.looseObject({ bindings: z.array(z.looseObject({ name: name("binding name"), type: name("binding type") })).optional() }).optional(),
};

/** The keys of one section (top level or environment) the importer reads, and their types. */
const sectionSchema = z.looseObject({
    name: name("Worker name").optional(),
    main: name("entry module path").optional(),
    compatibility_date: compatibilityDate.optional(),
    compatibility_flags: stringList.optional(),
    account_id: text.optional(),
    workers_dev: z.boolean().optional(),
    route: route.optional(),
    // An array; wrangler also deploys a single route object here (legacy configs).
    routes: z.union([z.array(route), routeObject], { error: "expected an array of routes (pattern strings or { pattern, ... })" }).optional(),
    triggers: z.looseObject({ crons: stringList.optional() }).optional(),
    observability: z.looseObject({
        enabled: z.boolean().optional(),
        head_sampling_rate: z.number().min(0, { error: "expected a fraction from 0 to 1" }).max(1, { error: "expected a fraction from 0 to 1" }).optional(),
    }).optional(),
    vars: z.record(z.string(), varValue).optional(),
    secrets: z.looseObject({ required: stringList.optional() }).optional(),
    kv_namespaces: bindingList({ binding: name("binding name"), id: text.optional() }).optional(),
    d1_databases: bindingList({
        binding: name("binding name"), database_id: text.optional(), database_name: text.optional(), migrations_dir: text.optional(),
    }).optional(),
    r2_buckets: bindingList({ binding: name("binding name"), bucket_name: text.optional(), jurisdiction: text.optional() }).optional(),
    durable_objects: z.looseObject({
        bindings: bindingList({ name: name("binding name"), class_name: name("class name"), script_name: text.optional() }).optional(),
    }).optional(),
    services: bindingList({ binding: name("binding name"), service: name("service (Worker) name"), entrypoint: text.optional() }).optional(),
    // wrangler 4.86 `validateWorkflowBinding`: binding, name (`workflowNameFormatMessage`) and class_name required.
    workflows: bindingList({
        binding: name("binding name"),
        name: z.string().regex(WORKFLOW_NAME, {
            error: "expected a Workflow name: 1-64 letters, digits, _ and -, starting with a letter, digit or _ (as wrangler requires)",
        }),
        class_name: name("class name"),
        script_name: text.optional(),
        limits: z.looseObject({ steps: z.number().int({ error: "expected a positive integer" }).min(1, { error: "expected a positive integer" }).optional() }).optional(),
    }).optional(),
    // wrangler 4.86 `validateQueueBinding` (binding and a non-empty queue required, delivery_delay a number) and
    // `validateConsumer` (queue required, numbers, dead_letter_queue a string, type "worker" only).
    queues: z.looseObject({
        producers: bindingList({ binding: name("binding name"), queue: name("queue name"), delivery_delay: z.number().optional() }).optional(),
        consumers: bindingList({
            queue: name("queue name"),
            type: z.literal("worker", { error: 'expected "worker": only Worker consumers can be configured in wrangler config' }).optional(),
            max_batch_size: z.number().optional(),
            max_batch_timeout: z.number().optional(),
            max_retries: z.number().optional(),
            dead_letter_queue: name("dead-letter queue name").optional(),
            max_concurrency: z.number().nullable().optional(),
            retry_delay: z.number().optional(),
        }).optional(),
    }).optional(),
    migrations: z.array(migrationStep).optional(),
    // https://developers.cloudflare.com/workers/static-assets/binding/ ; the values of wrangler 4.86's config-schema.json.
    assets: z.looseObject({
        directory: name("assets directory").optional(),
        binding: name("binding name").optional(),
        html_handling: z.enum(HTML_HANDLING).optional(),
        not_found_handling: z.enum(NOT_FOUND_HANDLING).optional(),
        run_worker_first: runWorkerFirstSchema.optional(),
    }).optional(),
    ...accountFeatureKeys,
    // placement, limits, logpush, keep_vars, minify, rules, tail_consumers, containers, ... (importWorkerSettings.ts)
    ...WORKER_SETTINGS_SECTION_SHAPE,
});

/** The most environments the importer reads: each becomes a stack (real configs have a handful). */
export const MAX_ENVIRONMENTS = 256;
/** The most bindings of one environment (or the top level) the importer reads. */
export const MAX_BINDINGS = 1000;

const isTable = (v: unknown) => typeof v === "object" && v !== null && !Array.isArray(v) && !(v instanceof Date);
const topLevelSchema = z.looseObject({
    env: z.unknown().superRefine((value, ctx) => {
        if (!isTable(value)) {
            ctx.addIssue({ code: "custom", message: `expected a table of environments ([env.<name>] sections), got ${describeValue(value)}` });
            return;
        }
        const count = Object.keys(value as Record<string, unknown>).length;
        if (count > MAX_ENVIRONMENTS) {
            ctx.addIssue({ code: "custom", message: `${count} environments; the importer reads at most ${MAX_ENVIRONMENTS} (each becomes a stack): remove the ones no longer deployed` });
            return;
        }
        for (const [envName, section] of Object.entries(value as Record<string, unknown>)) {
            if (!isTable(section)) ctx.addIssue({ code: "custom", path: [envName], message: `expected an environment table, got ${describeValue(section)}` });
        }
    }).optional(),
});

/** Where a binding is declared in a section: its name, its path and the wrangler key it is under. */
export interface DeclaredBinding {
    readonly name: string;
    /** Path of the binding entry (`kv_namespaces[0]`, `vars.LOG_LEVEL`, `secrets.required[1]`). */
    readonly path: readonly PropertyKey[];
    /** The wrangler key it is under (`kv_namespaces`, `durable_objects`, `vars`). */
    readonly key: string;
}

/**
 * Every wrangler key that declares bindings (wrangler 4.86's `friendlyBindingNames`, which its
 * `validateBindingsHaveUniqueNames` walks, plus `secrets.required`), supported by the platform or not, and
 * how its items are named: `list` of objects at `key` (or at `key.sub`) named by `field`; `single` object
 * named by its `binding` (reported at `field` when given); `record` of name → value; `names`, a list of names. In the order earlier bindings
 * win in duplicate-name messages.
 */
const BINDING_KEYS: readonly { readonly key: string; readonly sub?: string; readonly shape: "list" | "single" | "record" | "names"; readonly field?: string }[] = [
    { key: "kv_namespaces", shape: "list", field: "binding" },
    { key: "d1_databases", shape: "list", field: "binding" },
    { key: "r2_buckets", shape: "list", field: "binding" },
    { key: "durable_objects", sub: "bindings", shape: "list", field: "name" },
    { key: "services", shape: "list", field: "binding" },
    { key: "workflows", shape: "list", field: "binding" },
    { key: "queues", sub: "producers", shape: "list", field: "binding" },
    { key: "assets", shape: "single", field: "binding" },
    ...NAMED_BINDING_LISTS.map((key) => ({ key, shape: "list" as const, field: "binding" })),
    ...SINGLE_BINDING_KEYS.map((key) => ({ key, shape: "single" as const })),
    { key: "unsafe", sub: "bindings", shape: "list", field: "name" },
    { key: "vars", shape: "record" },
    { key: "secrets", sub: "required", shape: "names" },
    { key: "hyperdrive", shape: "list", field: "binding" },
    { key: "ratelimits", shape: "list", field: "name" },
    { key: "send_email", shape: "list", field: "name" },
    // Keys the platform has no kind for: their bindings are reported by name.
    ...["pipelines", "ai_search_namespaces", "ai_search", "artifacts", "unsafe_hello_world", "flagship", "worker_loaders", "vpc_services", "vpc_networks"]
        .map((key) => ({ key, shape: "list" as const, field: "binding" })),
    { key: "stream", shape: "single" },
    { key: "media", shape: "single" },
    { key: "logfwdr", sub: "bindings", shape: "list", field: "name" },
    // Service-worker format bindings, top level only: name → file.
    { key: "wasm_modules", shape: "record" },
    { key: "text_blobs", shape: "record" },
    { key: "data_blobs", shape: "record" },
    // Wrangler 1's name for kv_namespaces (wrangler 2 and later ignore it).
    { key: "kv-namespaces", shape: "list", field: "binding" },
];

/** Whether a wrangler key declares bindings ({@link declaredBindings} reads it). */
export function isBindingKey(key: string): boolean {
    return BINDING_KEYS.some((b) => b.key === key);
}

/**
 * The binding names a section declares, with their paths, over every wrangler key that declares bindings,
 * whether or not the platform supports it. Entries whose name is missing or neither a string nor a number
 * (left to validation, for the keys the importer reads) and values of the wrong shape are skipped.
 */
export function declaredBindings(section: RawConfig): DeclaredBinding[] {
    const out: DeclaredBinding[] = [];
    const isTable = (v: unknown): v is RawConfig => typeof v === "object" && v !== null && !Array.isArray(v);
    for (const { key, sub, shape, field } of BINDING_KEYS) {
        const container = section[key];
        const node = sub === undefined ? container : isTable(container) ? container[sub] : undefined;
        const at = sub === undefined ? [key] : [key, sub];
        if (shape === "single") {
            // `assets` names its binding at `assets.binding`; the other single bindings are named by the key.
            if (isTable(node) && typeof node.binding === "string") out.push({ name: node.binding, path: field === undefined ? [key] : [key, field], key });
        } else if (shape === "record") {
            if (isTable(node)) for (const name of Object.keys(node)) out.push({ name, path: [...at, name], key });
        } else if (Array.isArray(node)) {
            node.forEach((item, i) => {
                const name = shape === "names" ? item : isTable(item) ? item[field!] : undefined;
                if (typeof name === "string" || typeof name === "number") out.push({ name: String(name), path: [...at, i], key });
            });
        }
    }
    return out;
}

/**
 * Validates the keys the importer reads in the top level and every environment.
 * @returns every problem, each with its path (`env.production.kv_namespaces[0].binding`), empty when
 *   the file can be imported.
 */
export function wranglerConfigIssues(raw: RawConfig): ValidationIssue[] {
    const issues: ValidationIssue[] = [];
    const top = topLevelSchema.safeParse(raw, { reportInput: true });
    if (!top.success) {
        issues.push(...zodIssues("", top.error));
        return issues;
    }
    const sections: [string, RawConfig][] = [["", raw]];
    for (const [envName, section] of Object.entries((raw.env ?? {}) as Record<string, RawConfig>)) {
        sections.push([renderPath("", ["env", envName]), section]);
    }
    for (const [root, section] of sections) {
        const parsed = sectionSchema.safeParse(section, { reportInput: true });
        if (!parsed.success) {
            issues.push(...zodIssues(root, parsed.error));
            continue;
        }
        const bindings = declaredBindings(section);
        if (bindings.length > MAX_BINDINGS) {
            issues.push({
                path: root === "" ? "(top level)" : root,
                message: `${bindings.length} bindings; the importer reads at most ${MAX_BINDINGS} per environment (real Workers have tens)`,
            });
            continue;
        }
        const first = new Map<string, DeclaredBinding>();
        for (const binding of bindings) {
            const other = first.get(binding.name);
            if (other === undefined) {
                first.set(binding.name, binding);
                continue;
            }
            issues.push({
                path: renderPath(root, binding.path),
                message: `binding name "${binding.name}" is already used by ${renderPath(root, other.path)}; binding names must be unique in an environment`,
            });
        }
    }
    return issues;
}
