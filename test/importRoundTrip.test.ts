/**
 * Import round trip over every file of `../shared/wrangler-corpus/` (read in place, never copied):
 * `npm run import` writes the service declaration and per-stack values, then the platform generates the
 * wrangler config of each stack back (the stack file through the config schema and the resolver, then
 * `generateWranglerConfig`, with the adopted resources' ids). For every environment the import mapped
 * to a stack, the generated bindings — names, kinds, ids and targets, var values, secrets — equal the
 * original's, except where the import reported a note on that binding or key. Environments it did not
 * map must be reported as such. Each file's unsupported keys are printed.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { randomBytes } from "node:crypto";
import { pathToFileURL } from "node:url";
import { parse as parseYaml } from "yaml";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { defineService, type ServiceDeclaration } from "../components/service/declaration";
import { resourceName } from "../components/cloudflare/workerService";
import type { EnvironmentService } from "../components/cloudflare/environment";
import { effectiveEnvironment, environmentNames, NOT_INHERITABLE_KEYS, type RawConfig } from "../components/wrangler/import/environments";
import { generateWranglerConfig, type ResolvedResource } from "../components/wrangler/generate";
import { parseImportId } from "../components/bindings/adoption";
import { toDeclarationInput, type ImportNote, type ImportResult } from "../components/wrangler/import/importConfig";
import { parseWranglerConfig } from "../components/wrangler/import/parse";
import { loadStackConfig } from "../infra/config";
import { PROJECT_ROOT } from "../infra/program";
import { resolveServices } from "../infra/resolve";
import { boundServiceStubs, runImport } from "../tools/import";

const CORPUS_DIR = path.resolve(PROJECT_ROOT, "..", "shared", "wrangler-corpus");
const FILES = fs.readdirSync(CORPUS_DIR).filter((f) => /\.(toml|json|jsonc)$/.test(f)).sort();
/** Account for environments without `account_id` (as `--account-id` would give it). */
const TEST_ACCOUNT = "0123456789abcdef0123456789abcdef";
const TEST_ZONE_ID = "fedcba9876543210fedcba9876543210";
const WORKSPACE = path.join(PROJECT_ROOT, ".platform", `test-import-roundtrip-${randomBytes(4).toString("hex")}`);

afterAll(() => fs.rmSync(WORKSPACE, { recursive: true, force: true }));

/** One binding of a wrangler config, as both sides are compared. */
interface BindingEntry {
    /** Kind: kv, d1, r2, durableObject, service, var, secret, or the key of a kind the platform lacks (`queues`). */
    readonly kind: string;
    readonly name: string;
    /** Where it is in its config, relative to the environment (`kv_namespaces[0]`, `vars.X`). */
    readonly path: string;
    /** The fields that identify what it is bound to (ids, targets, values). */
    readonly identity: Readonly<Record<string, unknown>>;
}

/** Every binding of a config (or one environment of it), including kinds the platform does not support. */
function bindingsOf(config: RawConfig, secretNames: readonly string[] = []): BindingEntry[] {
    const out: BindingEntry[] = [];
    const list = (key: string) => (Array.isArray(config[key]) ? config[key] as RawConfig[] : []);
    list("kv_namespaces").forEach((b, i) => out.push({ kind: "kv", name: String(b.binding), path: `kv_namespaces[${i}]`, identity: { id: b.id } }));
    list("d1_databases").forEach((b, i) => out.push({
        kind: "d1", name: String(b.binding), path: `d1_databases[${i}]`, identity: { database_id: b.database_id, database_name: b.database_name },
    }));
    list("r2_buckets").forEach((b, i) => out.push({
        kind: "r2", name: String(b.binding), path: `r2_buckets[${i}]`,
        identity: { bucket_name: b.bucket_name, jurisdiction: b.jurisdiction === "default" ? undefined : b.jurisdiction },
    }));
    (((config.durable_objects as RawConfig | undefined)?.bindings ?? []) as RawConfig[]).forEach((b, i) => out.push({
        kind: "durableObject", name: String(b.name), path: `durable_objects.bindings[${i}]`, identity: { class_name: b.class_name, script_name: b.script_name },
    }));
    list("services").forEach((b, i) => out.push({
        kind: "service", name: String(b.binding), path: `services[${i}]`, identity: { service: b.service, entrypoint: b.entrypoint },
    }));
    list("hyperdrive").forEach((b, i) => out.push({ kind: "hyperdrive", name: String(b.binding), path: `hyperdrive[${i}]`, identity: { id: b.id } }));
    for (const [name, value] of Object.entries((config.vars ?? {}) as RawConfig)) out.push({ kind: "var", name, path: `vars.${name}`, identity: { value } });
    (((config.secrets as RawConfig | undefined)?.required ?? []) as string[]).forEach((name, i) => out.push({ kind: "secret", name, path: `secrets.required[${i}]`, identity: {} }));
    for (const name of secretNames) out.push({ kind: "secret", name, path: "secrets", identity: {} });
    const supported = new Set(["kv_namespaces", "d1_databases", "r2_buckets", "durable_objects", "services", "hyperdrive", "vars", "secrets"]);
    for (const key of Object.keys(config)) {
        if (NOT_INHERITABLE_KEYS.has(key) && !supported.has(key)) out.push({ kind: key, name: key, path: key, identity: {} });
    }
    return out;
}

/** The resources WorkerService would resolve: adopted ones by their import id, created ones by the platform's names. */
function resolvedResources(declaration: ServiceDeclaration, service: EnvironmentService, scriptName: string): Record<string, ResolvedResource> {
    const out: Record<string, ResolvedResource> = {};
    for (const [binding, spec] of Object.entries(declaration.bindings)) {
        const adopted = service.imports?.[binding];
        const resourceId = (kind: "kv" | "d1" | "r2") => {
            if (adopted === undefined) return undefined;
            const parsed = parseImportId(kind, adopted.id);
            if ("problem" in parsed) throw new Error(parsed.problem);
            return parsed.resourceId;
        };
        if (spec.kind === "kv") out[binding] = { kind: "kv", id: resourceId("kv") ?? `created-by-the-platform-${binding}` };
        if (spec.kind === "d1") out[binding] = { kind: "d1", id: resourceId("d1") ?? `created-by-the-platform-${binding}`, name: adopted?.name ?? resourceName(scriptName, binding) };
        if (spec.kind === "r2") out[binding] = { kind: "r2", bucketName: adopted?.name ?? resourceName(scriptName, binding) };
        if (spec.kind === "hyperdrive") out[binding] = { kind: "hyperdrive", id: "created-by-the-platform-hyperdrive" };
    }
    return out;
}

interface Imported {
    readonly raw: RawConfig;
    readonly result: ImportResult;
    readonly out: string;
    readonly manifest: { stacks: Record<string, { zone: { name: string } | null }> };
}

describe.each(FILES)("import round trip of %s", (file) => {
    let imported: Imported;

    beforeAll(() => {
        const out = path.join(WORKSPACE, file.replace(/\W+/g, "-"));
        const { result } = runImport({ file: path.join(CORPUS_DIR, file), out, accountId: TEST_ACCOUNT });
        const raw = parseWranglerConfig(fs.readFileSync(path.join(CORPUS_DIR, file), "utf8"), file);
        imported = { raw, result, out, manifest: JSON.parse(fs.readFileSync(path.join(out, "import.json"), "utf8")) };
        const unsupported = result.notes.filter((n) => n.category === "unsupported").map((n) => n.path);
        const notAdopted = result.notes.filter((n) => n.category === "not-imported").map((n) => n.path);
        const notMapped = result.notes.filter((n) => n.category === "not-mapped").map((n) => n.path);
        console.log([
            `${file}: service ${result.declaration.name}; stacks ${result.stacks.map((s) => `${s.stack} ← ${s.label}`).join(", ")}`,
            `  unsupported (${unsupported.length}): ${unsupported.join(", ") || "none"}`,
            ...(notAdopted.length > 0 ? [`  not adopted (${notAdopted.length}): ${notAdopted.join(", ")}`] : []),
            ...(notMapped.length > 0 ? [`  not mapped: ${notMapped.join(", ")}`] : []),
        ].join("\n"));
    });

    it("writes a service.ts that declares exactly the imported declaration", async () => {
        const module = await import(pathToFileURL(path.join(imported.out, "service.ts")).href) as { default: ServiceDeclaration };
        const written = module.default;
        const expected = defineService(toDeclarationInput(imported.result.declaration));
        const { env: writtenEnv, ...writtenRest } = written;
        const { env: expectedEnv, ...expectedRest } = expected;
        expect(writtenRest).toEqual(expectedRest);
        expect(Object.keys(writtenEnv.shape)).toEqual(Object.keys(expectedEnv.shape));
        expect(written.name).toBe(imported.result.declaration.name);
    });

    it("reports every environment it does not map to a stack", () => {
        const mapped = new Set(imported.result.stacks.map((s) => s.environment));
        for (const name of environmentNames(imported.raw)) {
            if (mapped.has(name)) continue;
            expect(imported.result.notes.some((n) => n.category === "not-mapped" && n.path === `env.${name}`), `env.${name} is neither mapped nor reported`).toBe(true);
        }
        if (!mapped.has(undefined)) {
            expect(imported.result.notes.some((n) => n.category === "not-mapped" && n.path === "(top level)")).toBe(true);
        }
    });

    it("generates back, per mapped environment, the original's bindings except the ones it reported", async () => {
        const module = await import(pathToFileURL(path.join(imported.out, "service.ts")).href) as { default: ServiceDeclaration };
        const declaration = module.default;
        expect(imported.result.stacks.length).toBeGreaterThan(0);
        for (const stack of imported.result.stacks) {
            const original = effectiveEnvironment(imported.raw, stack.environment).env;
            const prefix = stack.environment === undefined ? "" : `env.${stack.environment}.`;
            const notes = imported.result.notes.filter((n) => n.environment === stack.environment);

            const stackFile = parseYaml(fs.readFileSync(path.join(imported.out, `stack.${stack.stack}.yaml`), "utf8")) as { config: Record<string, unknown> };
            const engine: Record<string, string> = {};
            for (const [key, value] of Object.entries(stackFile.config)) engine[key] = typeof value === "string" ? value : JSON.stringify(value);
            engine["platform:accountId"] ??= TEST_ACCOUNT;
            const zoneName = imported.manifest.stacks[stack.stack]!.zone?.name;
            if (zoneName !== undefined && engine["platform:zone"] === undefined) engine["platform:zone"] = JSON.stringify({ id: TEST_ZONE_ID, name: zoneName });
            engine["platform:secrets"] = JSON.stringify({ [declaration.name]: Object.fromEntries(stack.secretNames.map((n) => [n, "test-secret-value"])) });
            // Hyperdrive bindings need the stack's database, which the user adds after importing (reported).
            if (Object.values(declaration.bindings).some((b) => b.kind === "hyperdrive")) {
                engine["platform:database"] ??= JSON.stringify({ neon: { project: { name: "round-trip", regionId: "aws-us-east-2" } } });
            }
            const config = loadStackConfig(engine, () => false);
            const entries = [declaration, ...boundServiceStubs(declaration)].map((d) => ({ declaration: d, root: path.join(imported.out) }));
            const resolved = resolveServices(stack.stack, config, entries, PROJECT_ROOT);
            const service = resolved.find((s) => s.declaration.name === declaration.name)!;
            const scriptName = `${declaration.name}-${stack.stack}`;
            const generated = generateWranglerConfig({
                declaration,
                scriptName,
                serviceDir: "services/imported",
                settings: service.settings,
                resources: resolvedResources(declaration, service, scriptName),
                serviceScripts: Object.fromEntries(resolved.map((s) => [s.declaration.name, `${s.declaration.name}-${stack.stack}`])),
            });

            const problems = compareBindings(bindingsOf(original), bindingsOf(generated.config, generated.secretNames), notes, prefix);
            expect(problems, `${file}, stack ${stack.stack} (${stack.label})`).toEqual([]);
        }
    });
});

/**
 * Differences between the original's bindings and the generated ones that no note explains:
 * - an original binding (or one of its identity fields) is covered by an unsupported / changed /
 *   not-imported note at its path, a parent path, or the field's path;
 * - a generated binding the original lacks is covered by an `added` note naming it.
 * A D1 database or R2 bucket that is not adopted gets the platform's name: the note on its id covers it.
 */
function compareBindings(original: BindingEntry[], generated: BindingEntry[], notes: readonly ImportNote[], prefix: string): string[] {
    const explaining = notes.filter((n) => n.category !== "added" && n.category !== "action");
    const coveringNote = (p: string) => explaining.find((n) => n.path === p || p.startsWith(`${n.path}.`) || p.startsWith(`${n.path}[`));
    const covered = (p: string) => coveringNote(p) !== undefined;
    const problems: string[] = [];
    const matched = new Set<BindingEntry>();
    /** Original bindings carried over differently as a whole (`changed` at their path): the generated one stands for them. */
    const changed = new Set<string>();
    for (const o of original) {
        const at = `${prefix}${o.path}`;
        const note = coveringNote(at);
        if (note?.category === "changed") changed.add(`${o.kind}:${o.name}`);
        if (note !== undefined) continue;
        const g = generated.find((x) => x.kind === o.kind && x.name === o.name && !matched.has(x));
        if (g === undefined) {
            problems.push(`${at}: ${o.kind} binding ${o.name} is not generated back and no note says why`);
            continue;
        }
        matched.add(g);
        for (const [field, value] of Object.entries(o.identity)) {
            const back = g.identity[field];
            if (JSON.stringify(value) === JSON.stringify(back)) continue;
            const coveredBy = [`${at}.${field}`, ...(o.kind === "d1" && field === "database_name" ? [`${at}.database_id`] : [])];
            if (coveredBy.some(covered)) continue;
            problems.push(`${at}.${field}: ${JSON.stringify(value)} in the original, ${JSON.stringify(back)} generated back, and no note says why`);
        }
    }
    for (const g of generated) {
        if (matched.has(g)) continue;
        if (changed.has(`${g.kind}:${g.name}`)) continue;
        if (notes.some((n) => n.category === "added" && n.binding === g.name)) continue;
        problems.push(`${g.kind} binding ${g.name} is generated but the original environment has no such binding, and no note says why`);
    }
    return problems;
}
