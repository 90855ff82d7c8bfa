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
import { describeValue, renderPath, zodIssues, type ValidationIssue } from "../../validation";
import type { RawConfig } from "./environments";

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
    migrations: z.array(migrationStep).optional(),
});

const isTable = (v: unknown) => typeof v === "object" && v !== null && !Array.isArray(v) && !(v instanceof Date);
const topLevelSchema = z.looseObject({
    env: z.unknown().superRefine((value, ctx) => {
        if (!isTable(value)) {
            ctx.addIssue({ code: "custom", message: `expected a table of environments ([env.<name>] sections), got ${describeValue(value)}` });
            return;
        }
        for (const [envName, section] of Object.entries(value as Record<string, unknown>)) {
            if (!isTable(section)) ctx.addIssue({ code: "custom", path: [envName], message: `expected an environment table, got ${describeValue(section)}` });
        }
    }).optional(),
});

/** Where a binding is declared in a section: its path and the kind key it is under. */
export interface DeclaredBinding {
    readonly name: string;
    /** Path of the binding entry (`kv_namespaces[0]`, `vars.LOG_LEVEL`, `secrets.required[1]`). */
    readonly path: readonly PropertyKey[];
}

/**
 * The binding names a section declares, with their paths, over every binding key wrangler checks for
 * uniqueness that the importer reads. Call on a section that passed validation.
 */
export function declaredBindings(section: RawConfig): DeclaredBinding[] {
    const out: DeclaredBinding[] = [];
    const list = (key: string, field: string) => {
        const items = section[key];
        if (!Array.isArray(items)) return;
        items.forEach((item, i) => out.push({ name: String((item as RawConfig)[field]), path: [key, i] }));
    };
    list("kv_namespaces", "binding");
    list("d1_databases", "binding");
    list("r2_buckets", "binding");
    const durableObjects = (section.durable_objects as RawConfig | undefined)?.bindings;
    if (Array.isArray(durableObjects)) {
        durableObjects.forEach((item, i) => out.push({ name: String((item as RawConfig).name), path: ["durable_objects", "bindings", i] }));
    }
    list("services", "binding");
    for (const key of Object.keys((section.vars ?? {}) as RawConfig)) out.push({ name: key, path: ["vars", key] });
    const required = (section.secrets as RawConfig | undefined)?.required;
    if (Array.isArray(required)) required.forEach((n, i) => out.push({ name: String(n), path: ["secrets", "required", i] }));
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
        const first = new Map<string, DeclaredBinding>();
        for (const binding of declaredBindings(section)) {
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
