/**
 * Renders an import (`importConfig.ts`) as files: the service declaration as formatted TypeScript, the
 * per-stack values as YAML shaped like `Pulumi.<stack>.yaml`, a machine-readable manifest, and the
 * report printed to the user. Pure: returns text.
 */
import { Document, isMap, type YAMLMap } from "yaml";
import { toWranglerMigration } from "../generate";
import { scriptNameOf } from "../../stackName";
import { USUAL_ENVIRONMENT_NAMES } from "./stackMapping";
import type { ImportNote, ImportNoteCategory, ImportResult, ImportedStack } from "./importConfig";

/** Options of {@link renderImport}. */
export interface RenderImportOptions {
    /** The imported file as the user named it, for headers (`wrangler.toml`). */
    readonly source: string;
    /** Module specifier of `components/service/declaration` from the output directory (`../../components/service/declaration`). */
    readonly declarationModule: string;
    /** Config namespace of the project. @default "platform" */
    readonly namespace?: string;
}

/** File name → text. */
export type ImportFiles = Readonly<Record<string, string>>;

/** The name of the stack values file of a stack: `stack.<stack>.yaml`. */
export function stackFileName(stack: string): string {
    return `stack.${stack}.yaml`;
}

/**
 * Renders every file of an import: `service.ts`, `stack.<stack>.yaml` for each mapped stack, and
 * `import.json` (declaration, per-stack resources with their import ids, Durable Object classes and
 * migration tags, routes, and every note).
 */
export function renderImport(result: ImportResult, options: RenderImportOptions): ImportFiles {
    const files: Record<string, string> = { "service.ts": renderServiceModule(result, options) };
    for (const stack of result.stacks) files[stackFileName(stack.stack)] = renderStackFile(result, stack, options);
    files["import.json"] = JSON.stringify(importManifest(result, options.source), null, 2) + "\n";
    return files;
}

/** The `service.ts` text: a formatted `defineService(...)` call with the env contract. */
export function renderServiceModule(result: ImportResult, options: RenderImportOptions): string {
    const d = result.declaration;
    const fields: string[] = [
        `name: ${str(d.name)}`,
        `main: ${str(d.main)}`,
        `compatibilityDate: ${str(d.compatibilityDate)}`,
    ];
    if (d.compatibilityFlags.length > 0) fields.push(`compatibilityFlags: ${printTs(d.compatibilityFlags, 1)}`);
    fields.push(`bindings: ${printTs(d.bindings, 1)}`);
    if (d.durableObjectMigrations.length > 0) fields.push(`durableObjectMigrations: ${printTs(d.durableObjectMigrations, 1)}`);
    const contract = d.envKeys.length === 0
        ? "z.object({})"
        : `z.object({\n${d.envKeys.map((k) => `${INDENT.repeat(2)}${key(k)}: z.string(),`).join("\n")}\n${INDENT}})`;
    fields.push(`env: ${contract}`);
    if (d.crons.length > 0) fields.push(`crons: ${printTs(d.crons, 1)}`);
    fields.push(`observability: ${printTs(d.observability, 1)}`);
    // placement, limits, logpush, keepVars, minify, moduleRules, tailConsumers, when the original sets them.
    for (const [field, value] of Object.entries(d.workerSettings ?? {})) fields.push(`${field}: ${printTs(value, 1)}`);

    const mapping = result.stacks.map((s) => `${s.stack} ← ${s.label}`).join("; ");
    const counts = countByCategory(result.notes);
    return [
        "/**",
        ` * Service ${d.name}, imported from ${options.source} by \`npm run import\`.`,
        ` * Stacks: ${mapping}. Per-stack values: ${result.stacks.map((s) => stackFileName(s.stack)).join(", ")}.`,
        " * Vars and secrets are typed as plain strings in the env contract: tighten them (z.enum, z.url(), ...).",
        ...(counts === "" ? [] : [` * Not carried over as it was (${counts}): see import.json.`]),
        " */",
        'import { z } from "zod";',
        `import { defineService } from ${str(options.declarationModule)};`,
        "",
        "export default defineService({",
        ...fields.map((f) => `${INDENT}${f},`),
        "});",
        "",
    ].join("\n");
}

/** The `stack.<stack>.yaml` text: the `platform:` keys of `Pulumi.<stack>.yaml` for this service, with comments. */
export function renderStackFile(result: ImportResult, stack: ImportedStack, options: RenderImportOptions): string {
    const ns = options.namespace ?? "platform";
    const svc = result.declaration.name;
    const service: Record<string, unknown> = {
        routes: [...stack.overrides.routes],
        customDomains: [...stack.overrides.customDomains],
        workersDev: stack.overrides.workersDev,
    };
    if (stack.overrides.vars !== undefined) service.vars = { ...stack.overrides.vars };
    if (stack.overrides.crons !== undefined) service.crons = [...stack.overrides.crons];
    if (stack.overrides.observability !== undefined) service.observability = { ...stack.overrides.observability };
    if (stack.overrides.placement !== undefined) service.placement = { ...stack.overrides.placement };
    if (stack.overrides.limits !== undefined) service.limits = { ...stack.overrides.limits };
    if (stack.overrides.logpush !== undefined) service.logpush = stack.overrides.logpush;
    const imports = Object.entries(stack.imports);
    if (imports.length > 0) {
        service.import = Object.fromEntries(imports.map(([binding, r]) => [binding, r.name === undefined ? { id: r.id } : { id: r.id, name: r.name }]));
    }
    const config: Record<string, unknown> = {};
    if (stack.accountId !== undefined) config[`${ns}:accountId`] = stack.accountId;
    if (stack.zone?.id !== undefined) config[`${ns}:zone`] = { id: stack.zone.id, name: stack.zone.name };
    config[`${ns}:services`] = { [svc]: service };

    const doc = new Document({ config });
    const header = [
        ` Stack ${stack.stack} of service ${svc}, imported from ${options.source} (${stack.label}) by \`npm run import\`.`,
        ...(stack.stack in USUAL_ENVIRONMENT_NAMES ? [] : [` A stack of its own: if the project has no stack ${stack.stack} yet, create it first (\`pulumi stack init ${stack.stack}\`).`]),
        ` Merge these keys into Pulumi.${stack.stack}.yaml (keep the entries of other services), then run`,
        `   npm run plan -- --stack ${stack.stack}`,
    ];
    if (stack.accountId === undefined) {
        header.push(` ${ns}:accountId: not in the wrangler config; set it, and import again with --account-id to adopt live resources.`);
    }
    if (stack.zone !== undefined && stack.zone.id === undefined) {
        header.push(` ${ns}:zone: the routes and custom domains need { id, name }; the wrangler config has no zone id for ${stack.zone.name}` +
            `${stack.zone.nameGuessed ? " (a guess from the hostnames: check it)" : ""}.`);
    } else if (stack.zone?.nameGuessed === true) {
        header.push(` ${ns}:zone.name is a guess from the hostnames: check it.`);
    }
    if (stack.secretNames.length > 0) {
        header.push(" Secrets are never written here; set each one (the value from your secret store):");
        for (const name of stack.secretNames) header.push(`   pulumi config set --secret --path '${ns}:secrets.${svc}.${name}' <value> --stack ${stack.stack}`);
    }
    doc.commentBefore = header.join("\n");
    for (const [binding, r] of imports) {
        if (r.name !== undefined) continue;
        const node = doc.getIn(["config", `${ns}:services`, svc, "import", binding], true);
        if (isMap(node)) {
            (node as YAMLMap).commentBefore = " name: the namespace's title (wrangler does not record it: `npx wrangler kv namespace list`); without it, the namespace is renamed to the platform's name";
        }
    }
    return doc.toString({ lineWidth: 0 });
}

/** The manifest written as `import.json`. */
export function importManifest(result: ImportResult, source: string): Record<string, unknown> {
    const d = result.declaration;
    return {
        source,
        service: d.name,
        declaration: {
            ...d,
            durableObjectMigrations: d.durableObjectMigrations.map(toWranglerMigration),
        },
        stacks: Object.fromEntries(result.stacks.map((s) => [s.stack, {
            environment: s.environment ?? null,
            originalScriptName: s.scriptName ?? null,
            platformScriptName: scriptNameOf(d.name, s.stack),
            accountId: s.accountId ?? null,
            zone: s.zone ?? null,
            imports: s.imports,
            durableObjects: { classes: s.durableObjects.classes, lastMigrationTag: s.durableObjects.lastTag ?? null, script: s.scriptName ?? null },
            routes: s.routes.map((r) => ({ ...r, script: s.scriptName ?? null, importIdFormat: r.customDomain ? "<account_id>/<domain_id>" : "<zone_id>/<route_id>" })),
            secretNames: s.secretNames,
            overrides: s.overrides,
        }])),
        notes: result.notes,
    };
}

const CATEGORY_TITLES: Readonly<Record<ImportNoteCategory, string>> = {
    mapped: "mapped to a stack",
    unsupported: "not supported, not imported",
    "not-imported": "live resources not adopted",
    changed: "carried over differently",
    added: "declared for a stack whose environment lacks it",
    "not-mapped": "not mapped to a stack",
    action: "to do before the first `pulumi up`",
};

/**
 * The report printed after an import: what was written, then the notes grouped by environment and
 * category, each line headed by its path.
 * @param written file names relative to where the user is, in writing order.
 */
export function renderImportReport(result: ImportResult, source: string, outDir: string, written: readonly string[]): string {
    const d = result.declaration;
    const kinds = new Map<string, number>();
    for (const b of Object.values(d.bindings)) kinds.set(b.kind, (kinds.get(b.kind) ?? 0) + 1);
    const lines = [
        `Imported ${source} as service ${d.name} into ${outDir}:`,
        `    bindings: ${[...kinds].map(([k, n]) => `${k} ${n}`).join(", ") || "none"}`,
        ...result.stacks.map((s) => {
            const adopted = Object.entries(s.imports).map(([b, r]) => `${b} (${r.kind})`);
            return `    stack ${s.stack} ← ${s.label}: ${adopted.length === 0 ? "adopts no resources" : `adopts ${adopted.join(", ")}`}`;
        }),
        ...written.map((f) => `    wrote ${f}`),
    ];
    const groups = new Map<string, ImportNote[]>();
    for (const n of result.notes) {
        const label = n.environment === undefined ? "top level" : `env.${n.environment}`;
        groups.set(label, [...(groups.get(label) ?? []), n]);
    }
    for (const [label, notes] of groups) {
        lines.push("", `${label}:`);
        for (const category of Object.keys(CATEGORY_TITLES) as ImportNoteCategory[]) {
            const inCategory = notes.filter((n) => n.category === category);
            if (inCategory.length === 0) continue;
            lines.push(`  ${CATEGORY_TITLES[category]}:`);
            for (const n of inCategory) lines.push(`    - ${n.path}${namesBinding(n) ? "" : ` (binding ${n.binding})`}: ${n.message}`);
        }
    }
    return lines.join("\n") + "\n";
}

/** Whether a note's line names its binding already (in its path or message), or it concerns none. */
function namesBinding(n: ImportNote): boolean {
    if (n.binding === undefined) return true;
    const word = new RegExp(`(^|[^A-Za-z0-9_$])${n.binding.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")}($|[^A-Za-z0-9_$])`);
    return word.test(n.path) || word.test(n.message);
}

function countByCategory(notes: readonly ImportNote[]): string {
    const counts = new Map<string, number>();
    for (const n of notes) if (n.category !== "action" && n.category !== "mapped") counts.set(n.category, (counts.get(n.category) ?? 0) + 1);
    return [...counts].map(([c, n]) => `${n} ${c}`).join(", ");
}

// ─── TypeScript literals ────────────────────────────────────────────────────────────────────────

const INDENT = "    ";
const WIDTH = 110;
const IDENTIFIER = /^[A-Za-z_$][A-Za-z0-9_$]*$/;

function str(text: string): string {
    return JSON.stringify(text);
}

function key(name: string): string {
    return IDENTIFIER.test(name) ? name : JSON.stringify(name);
}

/** A value as a TypeScript literal at nesting `depth`: on one line when it fits, else one entry per line with trailing commas. */
function printTs(value: unknown, depth: number): string {
    if (value === null || typeof value !== "object") return JSON.stringify(value);
    const entries: string[] = Array.isArray(value)
        ? value.map((v) => printTs(v, depth + 1))
        : Object.entries(value as Record<string, unknown>).filter(([, v]) => v !== undefined).map(([k, v]) => `${key(k)}: ${printTs(v, depth + 1)}`);
    const [open, close] = Array.isArray(value) ? ["[", "]"] : ["{ ", " }"];
    if (entries.length === 0) return Array.isArray(value) ? "[]" : "{}";
    const inline = Array.isArray(value) ? `[${entries.join(", ")}]` : `${open}${entries.join(", ")}${close}`;
    const nested = !Array.isArray(value) && Object.values(value as Record<string, unknown>).some((v) => typeof v === "object" && v !== null && !Array.isArray(v));
    if (!inline.includes("\n") && !nested && INDENT.length * depth + inline.length <= WIDTH) return inline;
    const pad = INDENT.repeat(depth + 1);
    return `${open.trim()}\n${entries.map((e) => `${pad}${e},`).join("\n")}\n${INDENT.repeat(depth)}${close.trim()}`;
}
