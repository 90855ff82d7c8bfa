/**
 * The bindings part of the wrangler import: every binding of the mapped environments in the
 * declaration's shape (first environment wins, production first), the notes on what differs between
 * environments, and the live resources each stack adopts, with the provider's import ids. Every binding
 * kind's wrangler keys, mapping and adoption come from the binding table (`components/bindings/`).
 * Pure; called by `importConfig.ts`.
 */
import { BINDING_KINDS, bindingKind, type BindingKindDefinition, type DeclaredBinding } from "../../bindings/index";
import { isPlaceholderId } from "../../bindings/adoption";
import { importMappings, type ImportItem, type ImportMapping } from "../../bindings/kind";
import { bindingSlug } from "../../service/declaration";
import { bindingNameProblem } from "../../service/names";
import type { DurableObjectStorage } from "../../service/durableObjectMigrations";
import { renderPath } from "../../validation";
import { environmentNames, type RawConfig } from "./environments";
import type { ImportedBinding, ImportedResource, ImportNote, ImportOptions } from "./importConfig";
import { declaredBindings } from "./wranglerSchema";
import { serviceNameFrom, type DeclaredFrom, type MappedEnv, type Note } from "./importContext";

/** The wrangler keys the table's kinds read, at the top of an environment (`kv_namespaces`, `durable_objects`, ...). */
export function bindingKeys(): Set<string> {
    return new Set(BINDING_KINDS.flatMap((k) => importMappings(k).map((m) => m.path[0]!)));
}

/** A kind's items in one environment, with their binding names and paths (items its mappings do not accept left out). */
export function itemsOf(kind: BindingKindDefinition<any>, env: RawConfig): ImportItem[] {
    return mappedItemsOf(kind, env).map(({ item }) => item);
}

/** {@link itemsOf}, each item with the mapping that reads it. */
function mappedItemsOf(kind: BindingKindDefinition<any>, env: RawConfig): { mapping: ImportMapping; item: ImportItem }[] {
    return importMappings(kind).flatMap((mapping) => allItemsAt(mapping, env)
        .filter((item) => mapping.accept?.(item.value as RawConfig) === undefined)
        .map((item) => ({ mapping, item })));
}

/** Every item at a mapping's path, accepted or not. */
function allItemsAt(mapping: ImportMapping, env: RawConfig): ImportItem[] {
    if (mapping.items !== undefined) return mapping.items(env);
    let node: unknown = env;
    for (const segment of mapping.path) node = (node as RawConfig | undefined)?.[segment];
    if (node === undefined || node === null) return [];
    const field = mapping.nameField ?? "binding";
    switch (mapping.shape) {
        case "list":
            return (node as RawConfig[]).map((value, i) => ({ name: String(value[field]), value, path: [...mapping.path, i] }));
        case "names":
            return (node as string[]).map((name, i) => ({ name, value: name, path: [...mapping.path, i] }));
        case "record":
            return Object.entries(node as RawConfig).map(([name, value]) => ({ name, value, path: [...mapping.path, name] }));
        case "single":
            return [{ name: String((node as RawConfig)[field] ?? mapping.defaultName), value: node, path: [...mapping.path] }];
    }
}

/**
 * Items at the paths of mappings with an `accept` filter (`unsafe.bindings`) that no mapping there takes,
 * with the reasons each mapping gave.
 */
function rejectedItems(env: RawConfig): { item: ImportItem; reasons: string[] }[] {
    const byPath = new Map<string, ImportMapping[]>();
    for (const mapping of BINDING_KINDS.flatMap((k) => importMappings(k))) {
        if (mapping.accept === undefined) continue;
        const key = mapping.path.join(".");
        byPath.set(key, [...(byPath.get(key) ?? []), mapping]);
    }
    return [...byPath.values()].flatMap((mappings) => allItemsAt(mappings[0]!, env).flatMap((item) => {
        const reasons = mappings.map((m) => m.accept!(item.value as RawConfig));
        return reasons.every((r) => r !== undefined) ? [{ item, reasons: reasons as string[] }] : [];
    }));
}

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
            const existing = declaredFrom.get(name);
            if (existing === undefined) {
                const slug = bindingSlug(name);
                const other = slugs.get(slug);
                if (other !== undefined) {
                    note(m.environment, m.at(...path), "unsupported",
                        `binding "${name}" collides with "${other}" (the platform names resources by the binding in lowercase with dashes); not imported: rename one of them`, name);
                    return;
                }
                slugs.set(slug, name);
                bindings[name] = binding;
                declaredFrom.set(name, { binding, label: m.label, key });
                return;
            }
            if (existing.binding.kind !== binding.kind) {
                note(m.environment, m.at(...path), "unsupported",
                    `"${name}" is a ${existing.binding.kind} binding in ${existing.label}; a binding has one kind in every stack, so this ${binding.kind} binding is not imported`, name);
                return;
            }
            // Values of the env contract's kinds (vars) differ per stack by design: compare the kind only.
            const details = (b: ImportedBinding) => JSON.stringify(bindingKind(b.kind).envContract?.defaultValue === undefined ? b : { kind: b.kind });
            if (details(existing.binding) !== details(binding)) {
                note(m.environment, m.at(...path), "changed",
                    `differs from ${existing.label} (${details(existing.binding)} there, ${details(binding)} here); one declaration serves every stack: declared as in ${existing.label}`);
            }
        };

        // Containers of several kinds' items (`durable_objects`, `secrets`, `queues`): their other keys are not carried over.
        for (const [container, known] of containers()) {
            const value = m.env[container];
            if (value !== null && typeof value === "object" && !Array.isArray(value)) {
                unsupportedSubkeys(value as RawConfig, [container], known, "not supported; not imported");
            }
        }
        for (const { item, reasons } of rejectedItems(m.env)) {
            note(m.environment, m.at(...item.path), "unsupported", `${reasons.join("; ")}; not imported`, item.name);
        }
        for (const kind of BINDING_KINDS) {
            for (const { mapping, item } of mappedItemsOf(kind, m.env)) {
                // Binding names are validated as declarations validate them; a name that cannot be one is refused.
                const nameProblem = bindingNameProblem(item.name);
                if (nameProblem !== undefined) {
                    note(m.environment, m.at(...item.path), "unsupported",
                        `binding name ${JSON.stringify(item.name)} ${nameProblem}; not imported: rename it in the Worker's code and its wrangler config, then import again`, item.name);
                    continue;
                }
                if (mapping.knownKeys !== undefined && item.value !== null && typeof item.value === "object") {
                    unsupportedSubkeys(item.value as RawConfig, [...item.path], mapping.knownKeys, `${mapping.unsupportedReason ?? "not supported"}; not imported`);
                }
                const binding = mapping.map(item, {
                    serviceName,
                    section: m.env,
                    stack: m.stack,
                    label: m.label,
                    baseLabel: mapped[0]!.label,
                    liveClasses: new Set(liveClasses.keys()),
                    // `added` names the binding it adds; `unsupported` the binding it may leave out, so the report names it.
                    note: (path, category, message) => note(m.environment, m.at(...item.path, ...path), category, message,
                        category === "added" || category === "unsupported" ? item.name : undefined),
                    serviceNameFrom,
                    declared: bindings,
                });
                declare(item.name, [...item.path], mapping.path[0]!, binding as ImportedBinding | undefined);
                if (kind.envContract?.defaultValue !== undefined && declaredFrom.get(item.name)?.binding.kind === kind.kind && binding !== undefined) {
                    vars[item.name] = kind.envContract.defaultValue(binding);
                }
            }
        }
    }
    for (const extra of options.extraSecrets ?? []) {
        if (declaredFrom.has(extra.name) || bindingNameProblem(extra.name) !== undefined) continue;
        bindings[extra.name] = { kind: "secret" };
        declaredFrom.set(extra.name, { binding: { kind: "secret" }, label: extra.source, key: "secrets", outsideConfig: true });
    }
    return { bindings, varValues, declaredFrom };
}

/** Notes, per mapped environment, each declared binding the environment itself lacks (`added`). */
export function reportAddedBindings(
    mapped: readonly MappedEnv[],
    declaredFrom: ReadonlyMap<string, DeclaredFrom>,
    note: Note,
): void {
    for (const m of mapped) {
        // The environment's own bindings, name → kind, as the generated config would have them.
        const own = new Map<string, string>();
        for (const kind of BINDING_KINDS) {
            for (const item of itemsOf(kind, m.env)) own.set(item.name, kind.kind);
        }
        for (const [name, from] of declaredFrom) {
            const kind = BINDING_KINDS.find((k) => k.kind === from.binding.kind)!;
            if (own.get(name) === kind.kind) continue;
            if (from.outsideConfig === true) {
                note(m.environment, m.at("secrets"), "added", `secret ${name} (from ${from.label}): wrangler keeps secrets outside the config, so the platform declares it`, name);
                continue;
            }
            const record = importMappings(kind).some((mapping) => mapping.shape === "record" && mapping.path[0] === from.key);
            const defaultValue = kind.envContract?.defaultValue?.(from.binding as DeclaredBinding);
            note(m.environment, m.at(from.key, ...(record ? [name] : [])), "added",
                `${kind.kind} binding ${name} (from ${from.label}) is declared for every stack, though ${m.label} does not have it: a service has one set of bindings` +
                (defaultValue === undefined ? "" : `; this stack gets its default value ${JSON.stringify(defaultValue)}`),
                name);
        }
    }
}

/**
 * Names in the report every binding of the file, in every section, that the declaration lacks and no note
 * names yet: those of a section that feeds no stack (`not-mapped`), and, as a safety net, any other one
 * (`unsupported`). After this, each binding name of the file is declared or named in the report.
 * @param notes the notes so far; a note names a binding through its `binding` field.
 */
export function reportUnimportedBindings(
    raw: RawConfig,
    mapped: readonly MappedEnv[],
    bindings: Readonly<Record<string, ImportedBinding>>,
    notes: readonly ImportNote[],
    note: Note,
): void {
    const sections = (raw.env ?? {}) as Record<string, unknown>;
    const mappedEnvironments = new Set(mapped.map((m) => m.environment));
    const keyOf = (environment: string | undefined, binding: string) => JSON.stringify([environment ?? null, binding]);
    const named = new Set(notes.filter((n) => n.binding !== undefined).map((n) => keyOf(n.environment, n.binding!)));
    for (const environment of [undefined, ...environmentNames(raw)]) {
        const section = environment === undefined ? raw : sections[environment];
        if (typeof section !== "object" || section === null || Array.isArray(section)) continue;
        const label = environment === undefined ? "the top level" : renderPath("", ["env", environment]);
        const prefix = environment === undefined ? "" : label;
        const isMapped = mappedEnvironments.has(environment);
        for (const { name, path, key } of declaredBindings(section as RawConfig)) {
            if (Object.hasOwn(bindings, name)) continue;
            if (named.has(keyOf(environment, name))) continue;
            note(environment, renderPath(prefix, path), isMapped ? "unsupported" : "not-mapped", isMapped
                ? `binding ${name} (${key}) is not imported; declare it by hand if the Worker needs it`
                : `binding ${name} (${key}) is not imported: ${label} feeds no stack (see above); declare it by hand if the Worker needs it`, name);
        }
    }
}

/** Wrangler keys holding several kinds' lists (`durable_objects.bindings`), with the sub-keys the kinds read. */
function containers(): Map<string, string[]> {
    const out = new Map<string, string[]>();
    for (const { path } of BINDING_KINDS.flatMap((k) => importMappings(k))) {
        if (path.length < 2) continue;
        out.set(path[0]!, [...(out.get(path[0]!) ?? []), path[1]!]);
    }
    return out;
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
    // A binding assembled from several items (a queue's producer and consumer) is adopted once, from its first.
    const seen = new Set<string>();
    for (const kind of BINDING_KINDS) {
        const adoption = kind.adoption;
        if (adoption === undefined) continue;
        for (const item of itemsOf(kind, m.env)) {
            const name = item.name;
            if (seen.has(name)) continue;
            seen.add(name);
            const declared = declaredFrom.get(name)?.binding;
            if (declared?.kind !== kind.kind) continue; // not declared as this kind: reported already
            if (adoption.sharedWith?.(declared as DeclaredBinding) !== undefined) continue; // another binding adopts it
            const candidate = adoption.fromWrangler(item.value as RawConfig, declared);
            const path = m.at(...item.path, candidate.idField);
            const fresh = `the platform creates a new ${adoption.what} for stack ${m.stack}`;
            const resourceId = candidate.resourceId;
            if (typeof resourceId !== "string") {
                note(m.environment, path, "not-imported", `${candidate.problem ?? `no ${candidate.idField}: wrangler provisions one on deploy`}; ${fresh}`);
                continue;
            }
            if (isPlaceholderId(resourceId)) {
                note(m.environment, path, "not-imported", `${JSON.stringify(resourceId)} is a placeholder, not a live ${adoption.what}'s ${candidate.idField}; not imported: ${fresh}`);
                continue;
            }
            if (!adoption.idPattern.test(resourceId)) {
                note(m.environment, path, "not-imported", `${JSON.stringify(resourceId)} is not a ${adoption.what} ${candidate.idField} (${adoption.idDescription}); not imported: ${fresh}`);
                continue;
            }
            if (candidate.problem !== undefined) {
                note(m.environment, path, "not-imported", `${candidate.problem}; not imported: ${fresh}`);
                continue;
            }
            if (accountId === undefined) {
                note(m.environment, path, "not-imported", `no account id (${m.label} has no account_id): pass --account-id to adopt ${adoption.what} ${resourceId}; otherwise ${fresh}`);
                continue;
            }
            const key = `${kind.kind}:${accountId}/${resourceId}`;
            const owner = claimed.get(key);
            if (owner !== undefined) {
                note(m.environment, path, "not-imported", `${adoption.what} ${resourceId} is also bound by ${owner}, which adopts it; a resource belongs to one stack, so ${fresh}`);
                continue;
            }
            claimed.set(key, `${m.label} (stack ${m.stack}, binding ${name})`);
            const id = adoption.importId(accountId, resourceId, declared as DeclaredBinding);
            imports[name] = {
                kind: kind.kind,
                id,
                resourceId,
                ...(typeof candidate.name === "string" ? { name: candidate.name } : {}),
            };
            const action = adoption.afterAdopt?.(name, id);
            if (action !== undefined) note(m.environment, m.at(...item.path, candidate.idField), "action", action);
        }
    }
    return imports;
}
