/**
 * The bindings part of the wrangler import: every binding of the mapped environments in the
 * declaration's shape (first environment wins, production first), the notes on what differs between
 * environments, and the live KV namespaces, D1 databases and R2 buckets each stack adopts, with the
 * provider's import ids. Pure; called by `importConfig.ts`.
 */
import { BINDING_NAME, bindingSlug } from "../../service/declaration";
import type { DurableObjectStorage } from "../../service/durableObjectMigrations";
import type { RawConfig } from "./environments";
import type { ImportedBinding, ImportedResource, ImportOptions } from "./importConfig";
import { serviceNameFrom, type DeclaredFrom, type MappedEnv, type Note } from "./importContext";
import {
    D1_DATABASE_ID, KV_NAMESPACE_ID, R2_BUCKET_NAME, d1ImportId, isPlaceholderId, kvImportId, r2ImportId, type ImportableKind,
} from "../../bindings/adoption";

const CLASS_NAME = /^[A-Za-z_$][A-Za-z0-9_$]*$/;

/** Collects the bindings of every mapped environment; see the module comment. */
export function collectBindings(
    mapped: readonly MappedEnv[],
    serviceName: string,
    liveClasses: ReadonlyMap<string, DurableObjectStorage>,
    options: ImportOptions,
    note: Note,
): {
    bindings: Record<string, ImportedBinding>;
    varValues: Map<MappedEnv, Record<string, string>>;
    declaredFrom: Map<string, DeclaredFrom>;
} {
    const bindings: Record<string, ImportedBinding> = {};
    const declaredFrom = new Map<string, DeclaredFrom>();
    const slugs = new Map<string, string>();
    const varValues = new Map<MappedEnv, Record<string, string>>();

    for (const m of mapped) {
        const vars: Record<string, string> = {};
        varValues.set(m, vars);
        const unsupportedSubkeys = (item: RawConfig, path: PropertyKey[], known: readonly string[], reason: string) => {
            for (const key of Object.keys(item)) {
                if (!known.includes(key)) note(m.environment, m.at(...path, key), "unsupported", reason);
            }
        };
        /** Declares a binding, or reports why it cannot be (first environment wins). */
        const declare = (name: string, path: PropertyKey[], key: string, binding: ImportedBinding | undefined): void => {
            if (binding === undefined) return;
            if (!BINDING_NAME.test(name)) {
                note(m.environment, m.at(...path), "unsupported", `binding name "${name}" is not a JavaScript identifier, which the platform requires; not imported`);
                return;
            }
            const existing = declaredFrom.get(name);
            if (existing === undefined) {
                const slug = bindingSlug(name);
                const other = slugs.get(slug);
                if (other !== undefined) {
                    note(m.environment, m.at(...path), "unsupported", `binding "${name}" collides with "${other}" (the platform names resources by the binding in lowercase with dashes); not imported`);
                    return;
                }
                slugs.set(slug, name);
                bindings[name] = binding;
                declaredFrom.set(name, { binding, label: m.label, key });
                return;
            }
            if (existing.binding.kind !== binding.kind) {
                note(m.environment, m.at(...path), "unsupported",
                    `"${name}" is a ${existing.binding.kind} binding in ${existing.label}; a binding has one kind in every stack, so this ${binding.kind} binding is not imported`);
                return;
            }
            const details = (b: ImportedBinding) => JSON.stringify(b.kind === "var" ? { kind: "var" } : b);
            if (details(existing.binding) !== details(binding)) {
                note(m.environment, m.at(...path), "changed",
                    `differs from ${existing.label} (${details(existing.binding)} there, ${details(binding)} here); one declaration serves every stack: declared as in ${existing.label}`);
            }
        };

        ((m.env.kv_namespaces ?? []) as RawConfig[]).forEach((item, i) => {
            unsupportedSubkeys(item, ["kv_namespaces", i], ["binding", "id"], "not supported (local development uses local storage); not imported");
            declare(String(item.binding), ["kv_namespaces", i], "kv_namespaces", { kind: "kv" });
        });
        ((m.env.d1_databases ?? []) as RawConfig[]).forEach((item, i) => {
            unsupportedSubkeys(item, ["d1_databases", i], ["binding", "database_id", "database_name", "migrations_dir"], "not supported; not imported");
            let migrationsDir = typeof item.migrations_dir === "string" ? item.migrations_dir.replace(/^(\.\/)+/, "") : "migrations";
            if (migrationsDir === "" || migrationsDir.startsWith("/") || /^[A-Za-z]:/.test(migrationsDir)) {
                note(m.environment, m.at("d1_databases", i, "migrations_dir"), "changed", `"${String(item.migrations_dir)}" is not a relative directory; declared as "migrations"`);
                migrationsDir = "migrations";
            }
            declare(String(item.binding), ["d1_databases", i], "d1_databases", { kind: "d1", migrationsDir });
        });
        ((m.env.r2_buckets ?? []) as RawConfig[]).forEach((item, i) => {
            unsupportedSubkeys(item, ["r2_buckets", i], ["binding", "bucket_name", "jurisdiction"], "not supported (local development uses local storage); not imported");
            const jurisdiction = item.jurisdiction === "default" ? undefined : item.jurisdiction as string | undefined;
            if (jurisdiction !== undefined && jurisdiction !== "eu" && jurisdiction !== "fedramp") {
                note(m.environment, m.at("r2_buckets", i), "unsupported", `jurisdiction "${jurisdiction}" is not one the platform declares (eu, fedramp); binding not imported`);
                return;
            }
            declare(String(item.binding), ["r2_buckets", i], "r2_buckets", jurisdiction === undefined ? { kind: "r2" } : { kind: "r2", jurisdiction });
        });
        ((m.env.hyperdrive ?? []) as RawConfig[]).forEach((item, i) => {
            unsupportedSubkeys(item, ["hyperdrive", i], ["binding", "id", "localConnectionString"], "not supported; not imported");
            note(m.environment, m.at("hyperdrive", i), "changed",
                "the platform binds the stack's own Hyperdrive configuration, made from its Neon branch (platform:database); " +
                "the configuration id and localConnectionString are not carried over (npm run dev -- --database-url sets the local one)");
            declare(String(item.binding), ["hyperdrive", i], "hyperdrive", { kind: "hyperdrive" });
        });
        const durableObjects = (m.env.durable_objects ?? {}) as RawConfig;
        unsupportedSubkeys(durableObjects, ["durable_objects"], ["bindings"], "not supported; not imported");
        ((durableObjects.bindings ?? []) as RawConfig[]).forEach((item, i) => {
            const path = ["durable_objects", "bindings", i];
            unsupportedSubkeys(item, path, ["name", "class_name", "script_name"], "not supported (the platform binds the class in the same stack); not imported");
            const className = String(item.class_name);
            if (!CLASS_NAME.test(className)) {
                note(m.environment, m.at(...path, "class_name"), "unsupported", `"${className}" is not a JavaScript class name; binding not imported`);
                return;
            }
            const script = typeof item.script_name === "string" ? item.script_name : undefined;
            const target = script === undefined ? undefined : serviceNameFrom(script);
            if (script !== undefined && target === undefined) {
                note(m.environment, m.at(...path, "script_name"), "unsupported", `"${script}" cannot be a service name; binding not imported`);
                return;
            }
            if (target === undefined || target === serviceName) {
                if (!liveClasses.has(className)) {
                    note(m.environment, m.at(...path), "unsupported",
                        `class "${className}" is not created by any migration of ${mapped[0]!.label} (wrangler cannot deploy it either); add a migration step, then import again. Binding not imported`);
                    return;
                }
                declare(String(item.name), path, "durable_objects", { kind: "durableObject", className });
                return;
            }
            note(m.environment, m.at(...path, "script_name"), "changed",
                `the class lives in Worker "${script}"; the platform binds declared service "${target}" (script "${target}-${m.stack}"): declare or import that service too`);
            declare(String(item.name), path, "durable_objects", { kind: "durableObject", className, service: target });
        });
        ((m.env.services ?? []) as RawConfig[]).forEach((item, i) => {
            const path = ["services", i];
            unsupportedSubkeys(item, path, ["binding", "service", "entrypoint"], "not supported (the platform binds the target's script in the same stack); not imported");
            const script = String(item.service);
            const target = serviceNameFrom(script);
            if (target === undefined) {
                note(m.environment, m.at(...path, "service"), "unsupported", `"${script}" cannot be a service name; binding not imported`);
                return;
            }
            if (target === serviceName) {
                note(m.environment, m.at(...path), "unsupported", "binds the Worker to itself, which a declaration cannot express (use ctx.exports); not imported");
                return;
            }
            const entrypoint = item.entrypoint as string | undefined;
            if (entrypoint !== undefined && !CLASS_NAME.test(entrypoint)) {
                note(m.environment, m.at(...path, "entrypoint"), "unsupported", `"${entrypoint}" is not an exported class name; binding not imported`);
                return;
            }
            note(m.environment, m.at(...path, "service"), "changed",
                `bound to Worker "${script}"; the platform binds declared service "${target}" (script "${target}-${m.stack}"): declare or import that service too`);
            declare(String(item.binding), path, "services", entrypoint === undefined ? { kind: "service", service: target } : { kind: "service", service: target, entrypoint });
        });
        for (const [name, value] of Object.entries((m.env.vars ?? {}) as RawConfig)) {
            let text: string;
            if (typeof value === "string") {
                text = value;
            } else {
                text = JSON.stringify(value);
                note(m.environment, m.at("vars", name), "changed",
                    `${Array.isArray(value) ? "an array" : value === null ? "null" : typeof value === "object" ? "an object" : `a ${typeof value}`} (${text.length > 60 ? `${text.slice(0, 57)}...` : text}); ` +
                    `the platform's vars are strings: declared as the string ${JSON.stringify(text.length > 60 ? `${text.slice(0, 57)}...` : text)}, so the Worker must parse it`);
            }
            declare(name, ["vars", name], "vars", { kind: "var", value: text });
            if (declaredFrom.get(name)?.binding.kind === "var") vars[name] = text;
        }
        const secrets = (m.env.secrets ?? {}) as RawConfig;
        unsupportedSubkeys(secrets, ["secrets"], ["required"], "not supported; not imported");
        ((secrets.required ?? []) as string[]).forEach((name, i) => declare(name, ["secrets", "required", i], "secrets", { kind: "secret" }));
    }
    for (const extra of options.extraSecrets ?? []) {
        if (declaredFrom.has(extra.name) || !BINDING_NAME.test(extra.name)) continue;
        bindings[extra.name] = { kind: "secret" };
        declaredFrom.set(extra.name, { binding: { kind: "secret" }, label: extra.source, key: "secrets", outsideConfig: true });
    }
    return { bindings, varValues, declaredFrom };
}

/** The wrangler keys a binding kind lives under, for paths. */
const KIND_KEYS: Readonly<Record<ImportedBinding["kind"], string>> = {
    kv: "kv_namespaces", d1: "d1_databases", r2: "r2_buckets", durableObject: "durable_objects", service: "services", hyperdrive: "hyperdrive", var: "vars", secret: "secrets",
};

/** Notes, per mapped environment, each declared binding the environment itself lacks (`added`). */
export function reportAddedBindings(
    mapped: readonly MappedEnv[],
    declaredFrom: ReadonlyMap<string, DeclaredFrom>,
    note: Note,
): void {
    for (const m of mapped) {
        // The environment's own bindings, name → kind, as the generated config would have them.
        const own = new Map<string, ImportedBinding["kind"]>();
        const add = (kind: ImportedBinding["kind"], key: string, field: string) => {
            for (const item of (m.env[key] ?? []) as RawConfig[]) own.set(String(item[field]), kind);
        };
        add("kv", "kv_namespaces", "binding");
        add("d1", "d1_databases", "binding");
        add("r2", "r2_buckets", "binding");
        add("service", "services", "binding");
        add("hyperdrive", "hyperdrive", "binding");
        for (const item of ((m.env.durable_objects as RawConfig | undefined)?.bindings ?? []) as RawConfig[]) own.set(String(item.name), "durableObject");
        for (const name of Object.keys((m.env.vars ?? {}) as RawConfig)) own.set(name, "var");
        for (const name of ((m.env.secrets as RawConfig | undefined)?.required ?? []) as string[]) own.set(name, "secret");
        for (const [name, from] of declaredFrom) {
            const kind = from.binding.kind;
            if (own.get(name) === kind) continue;
            if (from.outsideConfig === true) {
                note(m.environment, m.at("secrets"), "added", `secret ${name} (from ${from.label}): wrangler keeps secrets outside the config, so the platform declares it`, name);
                continue;
            }
            note(m.environment, m.at(KIND_KEYS[kind], ...(kind === "var" ? [name] : [])), "added",
                `${kind} binding ${name} (from ${from.label}) is declared for every stack, though ${m.label} does not have it: a service has one set of bindings` +
                (kind === "var" ? `; this stack gets its default value ${JSON.stringify((from.binding as { value: string }).value)}` : ""),
                name);
        }
    }
}

/**
 * The live resources one stack adopts, by binding name; notes each one it cannot adopt (placeholder, missing
 * or malformed id, no account, already adopted by another stack) and each KV title left to fill in.
 */
export function importsOf(
    m: MappedEnv,
    accountId: string | undefined,
    declaredFrom: ReadonlyMap<string, DeclaredFrom>,
    claimed: Map<string, string>,
    note: Note,
): Record<string, ImportedResource> {
    const imports: Record<string, ImportedResource> = {};
    const consider = (kind: ImportableKind, key: string, i: number, item: RawConfig, idField: string, resourceId: unknown, what: string, valid: RegExp, create: () => ImportedResource) => {
        const name = String(item.binding);
        if (declaredFrom.get(name)?.binding.kind !== kind) return; // not declared as this kind: reported already
        const path = m.at(key, i, idField);
        const fresh = `the platform creates a new ${what} for stack ${m.stack}`;
        if (typeof resourceId !== "string") {
            note(m.environment, path, "not-imported", `no ${idField}: wrangler provisions one on deploy; ${fresh}`);
            return;
        }
        if (isPlaceholderId(resourceId)) {
            note(m.environment, path, "not-imported", `${JSON.stringify(resourceId)} is a placeholder, not a live ${what}'s ${idField}; not imported: ${fresh}`);
            return;
        }
        if (!valid.test(resourceId)) {
            note(m.environment, path, "not-imported", `${JSON.stringify(resourceId)} is not a ${what} ${idField} (${valid === D1_DATABASE_ID ? "a UUID" : valid === KV_NAMESPACE_ID ? "32 hex characters" : "3 to 63 lowercase letters, digits and dashes"}); not imported: ${fresh}`);
            return;
        }
        if (kind === "d1" && typeof item.database_name !== "string") {
            note(m.environment, path, "not-imported", `database ${resourceId} has no database_name, which adopting it needs (the provider's name input must match); add database_name and import again: ${fresh}`);
            return;
        }
        if (accountId === undefined) {
            note(m.environment, path, "not-imported", `no account id (${m.label} has no account_id): pass --account-id to adopt ${what} ${resourceId}; otherwise ${fresh}`);
            return;
        }
        const key2 = `${kind}:${accountId}/${resourceId}`;
        const owner = claimed.get(key2);
        if (owner !== undefined) {
            note(m.environment, path, "not-imported", `${what} ${resourceId} is also bound by ${owner}, which adopts it; a resource belongs to one stack, so ${fresh}`);
            return;
        }
        claimed.set(key2, `${m.label} (stack ${m.stack}, binding ${name})`);
        const resource = create();
        imports[name] = resource;
        if (kind === "kv") {
            note(m.environment, m.at(key, i, "id"), "action",
                `adopted as ${resource.id}; wrangler does not record the namespace's title: add name: <title> to platform:services.<service>.import.${name} ` +
                "(`npx wrangler kv namespace list`), or the first `pulumi up` renames the namespace to the platform's name right after adopting it");
        }
    };
    ((m.env.kv_namespaces ?? []) as RawConfig[]).forEach((item, i) => consider("kv", "kv_namespaces", i, item, "id", item.id, "KV namespace", KV_NAMESPACE_ID,
        () => ({ kind: "kv", id: kvImportId(accountId!, String(item.id)), resourceId: String(item.id) })));
    ((m.env.d1_databases ?? []) as RawConfig[]).forEach((item, i) => consider("d1", "d1_databases", i, item, "database_id", item.database_id, "D1 database", D1_DATABASE_ID,
        () => ({ kind: "d1", id: d1ImportId(accountId!, String(item.database_id)), resourceId: String(item.database_id), name: String(item.database_name) })));
    ((m.env.r2_buckets ?? []) as RawConfig[]).forEach((item, i) => {
        const jurisdiction = item.jurisdiction === "default" ? undefined : item.jurisdiction as string | undefined;
        const declared = declaredFrom.get(String(item.binding))?.binding;
        if (declared?.kind === "r2" && declared.jurisdiction !== jurisdiction) {
            note(m.environment, m.at("r2_buckets", i, "bucket_name"), "not-imported",
                `the bucket's jurisdiction (${jurisdiction ?? "default"}) differs from the declared binding's (${declared.jurisdiction ?? "default"}); not imported: the platform creates a new R2 bucket for stack ${m.stack}`);
            return;
        }
        consider("r2", "r2_buckets", i, item, "bucket_name", item.bucket_name, "R2 bucket", R2_BUCKET_NAME,
            () => ({ kind: "r2", id: r2ImportId(accountId!, String(item.bucket_name), jurisdiction), resourceId: String(item.bucket_name), name: String(item.bucket_name) }));
    });
    return imports;
}
