/**
 * Import round trip over every file of `../shared/wrangler-corpus/` (read in place, never copied):
 * `npm run import` writes the service declaration and per-stack values, then the platform generates the
 * wrangler config of each stack back (the stack file through the config schema and the resolver, then
 * `generateWranglerConfig`, with the adopted resources' ids). For every environment the import mapped
 * to a stack, the generated bindings — names, kinds, ids and targets, var values, secrets — equal the
 * original's, except where the import reported a note on that binding or key. Environments it did not
 * map must be reported as such. Each file's unsupported keys are printed.
 *
 * Then small inline files: env sections mapped to stacks (usual names, their own stacks, `--env`, the top
 * level), `env.<name>.migrations` and the one history the declaration takes, and a service name taken from
 * the env sections' names; each written stack round trips the same way.
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
import { workflowName } from "../components/bindings/workflow";
import { bindingKind } from "../components/bindings/index";
import { importWranglerConfig, toDeclarationInput, type ImportNote, type ImportResult } from "../components/wrangler/import/importConfig";
import { parseWranglerConfig } from "../components/wrangler/import/parse";
import { loadStackConfig } from "../infra/config";
import { PROJECT_ROOT } from "../infra/program";
import { resolveServices } from "../infra/resolve";
import { boundServiceStubs, runImport, type RunImportOptions } from "../tools/import";

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
    // Queue producers are the bindings; consumers and dead-letter queues are settings of the queue bound.
    (((config.queues as RawConfig | undefined)?.producers ?? []) as RawConfig[]).forEach((b, i) => out.push({
        kind: "queue", name: String(b.binding), path: `queues.producers[${i}]`, identity: { queue: b.queue },
    }));
    list("workflows").forEach((b, i) => out.push({
        kind: "workflow", name: String(b.binding), path: `workflows[${i}]`, identity: { name: b.name, class_name: b.class_name, script_name: b.script_name },
    }));
    const assets = config.assets as RawConfig | undefined;
    if (typeof assets === "object" && assets !== null) {
        // Wrangler's defaults filled in (the generated entry writes them); the directory relative to the config's
        // folder (the generated one is under the round trip's serviceDir, `services/imported`).
        const directory = typeof assets.directory === "string" ? path.posix.normalize(assets.directory.replace(/^services\/imported\//, "")).replace(/\/$/, "") : undefined;
        out.push({
            kind: "assets", name: String(assets.binding ?? "ASSETS"), path: "assets",
            identity: {
                directory, html_handling: assets.html_handling ?? "auto-trailing-slash", not_found_handling: assets.not_found_handling ?? "none",
                run_worker_first: assets.run_worker_first ?? false,
            },
        });
    }
    out.push(...accountFeatureBindingsOf(config));
    for (const [name, value] of Object.entries((config.vars ?? {}) as RawConfig)) out.push({ kind: "var", name, path: `vars.${name}`, identity: { value } });
    (((config.secrets as RawConfig | undefined)?.required ?? []) as string[]).forEach((name, i) => out.push({ kind: "secret", name, path: `secrets.required[${i}]`, identity: {} }));
    for (const name of secretNames) out.push({ kind: "secret", name, path: "secrets", identity: {} });
    const supported = new Set(["kv_namespaces", "d1_databases", "r2_buckets", "durable_objects", "services", "hyperdrive", "queues", "workflows", "vars", "secrets", ...ACCOUNT_FEATURE_KEYS]);
    // Containers one by one: the import refuses each at its own path (containers[i]).
    list("containers").forEach((c, i) => out.push({ kind: "containers", name: String(c.class_name), path: `containers[${i}]`, identity: {} }));
    for (const key of Object.keys(config)) {
        if (NOT_INHERITABLE_KEYS.has(key) && !supported.has(key) && key !== "containers") out.push({ kind: key, name: key, path: key, identity: {} });
    }
    return out;
}

/** Keys of the account-feature kinds (ai, vectorize, analyticsEngine, rateLimit, ... in components/bindings/). */
const ACCOUNT_FEATURE_KEYS = [
    "ai", "browser", "images", "version_metadata", "vectorize", "analytics_engine_datasets", "ratelimits", "send_email",
    "dispatch_namespaces", "mtls_certificates", "secrets_store_secrets", "unsafe",
];

/** The bindings of the account-feature keys; `unsafe.bindings` other than rate limits keep their `type` as kind. */
function accountFeatureBindingsOf(config: RawConfig): BindingEntry[] {
    const out: BindingEntry[] = [];
    const list = (key: string) => (Array.isArray(config[key]) ? config[key] as RawConfig[] : []);
    for (const [key, kind] of [["ai", "ai"], ["browser", "browser"], ["images", "images"], ["version_metadata", "versionMetadata"]] as const) {
        const single = config[key] as RawConfig | undefined;
        if (single !== undefined) out.push({ kind, name: String(single.binding), path: key, identity: {} });
    }
    list("vectorize").forEach((b, i) => out.push({ kind: "vectorize", name: String(b.binding), path: `vectorize[${i}]`, identity: { index_name: b.index_name } }));
    // Without `dataset`, the dataset is named after the binding.
    list("analytics_engine_datasets").forEach((b, i) => out.push({
        kind: "analyticsEngine", name: String(b.binding), path: `analytics_engine_datasets[${i}]`, identity: { dataset: b.dataset ?? b.binding },
    }));
    const rateLimit = (b: RawConfig, at: string): BindingEntry => ({
        kind: "rateLimit", name: String(b.name), path: at, identity: { namespace_id: String(b.namespace_id), simple: b.simple },
    });
    list("ratelimits").forEach((b, i) => out.push(rateLimit(b, `ratelimits[${i}]`)));
    (((config.unsafe as RawConfig | undefined)?.bindings ?? []) as RawConfig[]).forEach((b, i) => out.push(b.type === "ratelimit"
        ? rateLimit(b, `unsafe.bindings[${i}]`)
        : { kind: `unsafe:${String(b.type)}`, name: String(b.name), path: `unsafe.bindings[${i}]`, identity: {} }));
    list("send_email").forEach((b, i) => out.push({
        kind: "sendEmail", name: String(b.name), path: `send_email[${i}]`,
        identity: { destination_address: b.destination_address, allowed_destination_addresses: b.allowed_destination_addresses, allowed_sender_addresses: b.allowed_sender_addresses },
    }));
    list("dispatch_namespaces").forEach((b, i) => out.push({
        kind: "dispatchNamespace", name: String(b.binding), path: `dispatch_namespaces[${i}]`,
        identity: { namespace: b.namespace, outbound: (b.outbound as RawConfig | undefined)?.service },
    }));
    list("mtls_certificates").forEach((b, i) => out.push({ kind: "mtlsCertificate", name: String(b.binding), path: `mtls_certificates[${i}]`, identity: { certificate_id: b.certificate_id } }));
    list("secrets_store_secrets").forEach((b, i) => out.push({
        kind: "secretsStoreSecret", name: String(b.binding), path: `secrets_store_secrets[${i}]`, identity: { store_id: b.store_id, secret_name: b.secret_name },
    }));
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
        // Account-feature kinds name their target by a `{script}` pattern (their `physicalName`), or `<script>-<binding>`.
        const named = bindingKind(spec.kind).physicalName?.of(spec, scriptName) ?? resourceName(scriptName, binding);
        if (spec.kind === "vectorize") out[binding] = { kind: "vectorize", indexName: named };
        if (spec.kind === "analyticsEngine") out[binding] = { kind: "analyticsEngine", dataset: named };
        if (spec.kind === "dispatchNamespace") out[binding] = { kind: "dispatchNamespace", namespace: named };
        // A Workflow is named after its class, or keeps the adopted name (another service's too, bound by that name).
        if (spec.kind === "workflow") {
            const name = adopted?.name ?? (spec.service === undefined ? workflowName(scriptName, spec.className) : undefined);
            out[binding] = name === undefined ? { kind: "workflow" } : { kind: "workflow", workflowName: name };
        }
        if (spec.kind === "queue" && spec.service === undefined) {
            out[binding] = { kind: "queue", queueId: `created-by-the-platform-${binding}`, queueName: adopted?.name ?? resourceName(scriptName, binding) };
        }
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
        imported = importFile(path.join(CORPUS_DIR, file), path.join(WORKSPACE, file.replace(/\W+/g, "-")));
        const { result } = imported;
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
        expect(imported.result.stacks.length).toBeGreaterThan(0);
        for (const [stack, problems] of Object.entries(await roundTripProblems(imported))) expect(problems, `${file}, ${stack}`).toEqual([]);
    });
});

/** Imports a file into `out` as the round trip does (with the test account), and reads back what it wrote. */
function importFile(file: string, out: string, options: Partial<RunImportOptions> = {}): Imported {
    const { result } = runImport({ file, out, accountId: TEST_ACCOUNT, ...options });
    const raw = parseWranglerConfig(fs.readFileSync(file, "utf8"), path.basename(file));
    return { raw, result, out, manifest: JSON.parse(fs.readFileSync(path.join(out, "import.json"), "utf8")) };
}

/**
 * Generates each imported stack's wrangler config back from the written service.ts and stack.<stack>.yaml
 * (through the config schema and the resolver) and compares its bindings with the original environment's.
 * @returns per stack (`stack production (env.prod)`), the differences no note explains.
 */
async function roundTripProblems(imported: Imported): Promise<Record<string, string[]>> {
    const module = await import(pathToFileURL(path.join(imported.out, "service.ts")).href) as { default: ServiceDeclaration };
    const declaration = module.default;
    const out: Record<string, string[]> = {};
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
        // Secret values arrive as the engine passes them: their key marked secret.
        const config = loadStackConfig(engine, (key) => key === "platform:secrets");
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
        out[`stack ${stack.stack} (${stack.label})`] = compareBindings(bindingsOf(original), bindingsOf(generated.config, generated.secretNames), notes, prefix);
    }
    return out;
}

/**
 * Differences between the original's bindings and the generated ones that no note explains:
 * - an original binding (or one of its identity fields) is covered by an unsupported / changed /
 *   not-imported note at its path, a parent path, or the field's path;
 * - a generated binding the original lacks is covered by an `added` note naming it.
 * A D1 database or R2 bucket that is not adopted gets the platform's name: the note on its id covers it.
 */
function compareBindings(original: BindingEntry[], generated: BindingEntry[], notes: readonly ImportNote[], prefix: string): string[] {
    // `mapped` notes are at the environment's path and explain nothing about its bindings.
    const explaining = notes.filter((n) => n.category !== "added" && n.category !== "action" && n.category !== "mapped");
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

describe("import of env sections as stacks, their migrations and the service name", () => {
    const BASE = 'main = "src/index.ts"\ncompatibility_date = "2025-06-01"\n';
    let count = 0;
    /** Imports a wrangler.toml written from `text` into a fresh directory. */
    const importText = (text: string, options: Partial<RunImportOptions> = {}): Imported => {
        const dir = path.join(WORKSPACE, `inline-${++count}`);
        fs.mkdirSync(dir, { recursive: true });
        fs.writeFileSync(path.join(dir, "wrangler.toml"), text);
        return importFile(path.join(dir, "wrangler.toml"), path.join(dir, "out"), options);
    };
    const stacksOf = (imported: Imported) => imported.result.stacks.map((s) => `${s.stack} ← ${s.label}`);
    const notesAt = (imported: Imported, category: string, at: string) => imported.result.notes.filter((n) => n.category === category && n.path === at).map((n) => n.message);
    const expectRoundTrip = async (imported: Imported) => {
        for (const [stack, problems] of Object.entries(await roundTripProblems(imported))) expect(problems, stack).toEqual([]);
    };

    it("maps usual env names to production and staging, every other env to its own stack, and notes each mapping", async () => {
        const envs = ["prod", "qa", "preview", "dev", "development", "local", "feature_x"];
        const imported = importText(`name = "shop"\n${BASE}[vars]\nMODE = "top"\n${envs.map((e) => `[env.${e}]\nvars = { MODE = "${e}" }\n`).join("")}`);
        expect(stacksOf(imported)).toEqual([
            "production ← env.prod", "staging ← env.qa", "preview ← env.preview", "dev ← env.dev", "development ← env.development",
            "local ← env.local", "feature-x ← env.feature_x",
        ]);
        expect(notesAt(imported, "mapped", "env.prod")).toEqual([
            'feeds stack production ("prod" is a usual name for production; --env <stack>=prod chooses another stack): its values are in stack.production.yaml',
        ]);
        expect(notesAt(imported, "mapped", "env.feature_x")[0]).toContain('feeds stack feature-x (its own stack, "feature_x" made a stack name');
        for (const e of envs) expect(notesAt(imported, "mapped", `env.${e}`), e).toHaveLength(1);
        expect(notesAt(imported, "not-mapped", "(top level)")[0]).toContain("env.prod feeds production and env.qa staging");
        expect(fs.readdirSync(imported.out).sort()).toEqual([
            "import.json", "service.ts", "stack.dev.yaml", "stack.development.yaml", "stack.feature-x.yaml", "stack.local.yaml",
            "stack.preview.yaml", "stack.production.yaml", "stack.staging.yaml",
        ]);
        const own = fs.readFileSync(path.join(imported.out, "stack.feature-x.yaml"), "utf8");
        expect(own).toContain("create it first (`pulumi stack init feature-x`)");
        expect((parseYaml(own) as { config: Record<string, any> }).config["platform:services"].shop.vars).toEqual({ MODE: "feature_x" });
        expect(fs.readFileSync(path.join(imported.out, "stack.staging.yaml"), "utf8")).not.toContain("pulumi stack init");
        expect(imported.manifest.stacks["feature-x"]).toMatchObject({ environment: "feature_x", platformScriptName: "shop-feature-x" });
        await expectRoundTrip(imported);
    });

    it("prefers the env named like the stack; a usual name whose stack is taken feeds its own stack", async () => {
        const imported = importText(`name = "shop"\n${BASE}[env.prod]\nworkers_dev = true\n[env.production]\nworkers_dev = true\n[env.stage]\nworkers_dev = true\n`);
        expect(stacksOf(imported)).toEqual(["production ← env.production", "staging ← env.stage", "prod ← env.prod"]);
        expect(notesAt(imported, "mapped", "env.prod")[0]).toContain("feeds stack prod (its own stack: env.production feeds production");
        await expectRoundTrip(imported);
    });

    it("lets --env choose any stack, and gives the top level the first of production and staging no env feeds", () => {
        const text = `name = "shop"\n${BASE}[env.production]\nworkers_dev = true\n[env.dev]\nworkers_dev = true\n[env.stage]\nworkers_dev = true\n`;
        const explicit = importText(text, { environments: { staging: "dev", "eu-west": "stage" } });
        expect(stacksOf(explicit)).toEqual(["production ← env.production", "staging ← env.dev", "eu-west ← env.stage"]);
        expect(notesAt(explicit, "mapped", "env.dev")[0]).toBe("feeds stack staging (--env staging=dev): its values are in stack.staging.yaml");
        expect(notesAt(explicit, "not-mapped", "(top level)")).toHaveLength(1);
        expect(stacksOf(importText(`name = "shop"\n${BASE}[env.dev]\nworkers_dev = true\n`))).toEqual(["production ← the top level", "dev ← env.dev"]);
        const staging = importText(`name = "shop"\n${BASE}[env.production]\nworkers_dev = true\n`);
        expect(stacksOf(staging)).toEqual(["production ← env.production", "staging ← the top level"]);
        expect(notesAt(staging, "mapped", "(top level)")[0]).toContain("(env.production feeds production, and no environment feeds staging)");
    });

    it("reports an env whose stack another env already feeds, with the flag that imports it", () => {
        const imported = importText(`name = "shop"\n${BASE}[env.feature_x]\nworkers_dev = true\n[env.feature-x]\nworkers_dev = true\n`);
        expect(stacksOf(imported)).toEqual(["production ← the top level", "feature-x ← env.feature_x"]);
        expect(notesAt(imported, "not-mapped", "env.feature-x")).toEqual([
            "its own stack would be feature-x, which env.feature_x feeds already; its bindings, vars and routes are not imported. Pass --env <stack>=feature-x to import it as another stack",
        ]);
    });

    it("honours env.<name>.migrations: the declaration continues every kept Worker's history", async () => {
        const imported = importText(`name = "shop"\n${BASE}[[migrations]]\ntag = "v1"\nnew_sqlite_classes = ["Room"]\n` +
            '[env.production]\ndurable_objects.bindings = [{ name = "ROOM", class_name = "Room" }]\n' +
            '[env.staging]\ndurable_objects.bindings = [{ name = "ROOM", class_name = "Room" }, { name = "LOBBY", class_name = "Lobby" }]\n' +
            'migrations = [{ tag = "v1", new_sqlite_classes = ["Room"] }, { tag = "v2", new_sqlite_classes = ["Lobby"] }]\n');
        const { declaration, stacks } = imported.result;
        expect(declaration.durableObjectMigrations).toEqual([{ tag: "v1", newSqliteClasses: ["Room"] }, { tag: "v2", newSqliteClasses: ["Lobby"] }]);
        expect(declaration.bindings.LOBBY).toEqual({ kind: "durableObject", className: "Lobby" });
        expect(stacks.map((s) => [s.stack, s.durableObjects.lastTag])).toEqual([["production", "v1"], ["staging", "v2"]]);
        expect(notesAt(imported, "changed", "env.production.migrations")).toEqual([
            'up to tag v1; the declared history (env.staging\'s) continues it with tag v2: the first `pulumi up` of stack production applies it to the Worker "shop-production"',
        ]);
        await expectRoundTrip(imported);
    });

    it("declares an env's migrations when the top level it replaces has none", () => {
        const imported = importText(`name = "shop"\n${BASE}[env.staging]\ndurable_objects.bindings = [{ name = "ROOM", class_name = "Room" }]\n` +
            'migrations = [{ tag = "v1", new_sqlite_classes = ["Room"] }]\n');
        expect(stacksOf(imported)).toEqual(["production ← the top level", "staging ← env.staging"]);
        expect(imported.result.declaration.durableObjectMigrations).toEqual([{ tag: "v1", newSqliteClasses: ["Room"] }]);
        expect(imported.result.declaration.bindings.ROOM).toEqual({ kind: "durableObject", className: "Room" });
        expect(notesAt(imported, "changed", "migrations")).toEqual([
            'none; the declared history (env.staging\'s) continues it with tag v1: stack production deploys "shop-production", a new Worker created with the whole history',
        ]);
    });

    it("declares one history when envs' histories diverge but only new Workers take them, and notes the other", () => {
        const imported = importText(`name = "shop"\n${BASE}[[env.production.migrations]]\ntag = "v1"\nnew_sqlite_classes = ["Room"]\n` +
            '[[env.staging.migrations]]\ntag = "v1"\nnew_sqlite_classes = ["Lobby"]\n', { name: "shop-next" });
        expect(imported.result.declaration.durableObjectMigrations).toEqual([{ tag: "v1", newSqliteClasses: ["Room"] }]);
        expect(notesAt(imported, "changed", "env.staging.migrations")[0]).toBe(
            'differs from env.production\'s at step 1 ({"tag":"v1","new_sqlite_classes":["Lobby"]} here, {"tag":"v1","new_sqlite_classes":["Room"]} there); ' +
            'one declaration serves every stack and declares env.production\'s (tags v1). Stack staging deploys "shop-next-staging", a new Worker created with that history; ' +
            'the Durable Objects of "shop-staging" keep their own');
    });

    it("takes a missing top-level name from the env sections when they agree without their -<env> suffix", async () => {
        const imported = importText(`${BASE}[env.prod]\nname = "billing_prod"\n[env.qa]\nname = "billing-staging"\n`);
        expect(imported.result.declaration.name).toBe("billing");
        expect(notesAt(imported, "changed", "name")).toEqual([
            'not set at the top level; the service is named "billing", on which env.prod.name "billing_prod", env.qa.name "billing-staging" agree once their -<env> suffix is removed; pass --name to choose another',
        ]);
        expect(stacksOf(imported)).toEqual(["production ← env.prod", "staging ← env.qa"]);
        await expectRoundTrip(imported);
        // A top level without a name is no Worker wrangler deploys: it feeds no stack, even when staging has no env.
        const noTop = importText(`${BASE}[env.production]\nname = "billing-production"\n[env.dev]\nname = "billing-dev"\n`);
        expect(stacksOf(noTop)).toEqual(["production ← env.production", "dev ← env.dev"]);
        expect(notesAt(noTop, "not-mapped", "(top level)")[0]).toContain("it has no name, so wrangler deploys no Worker from it");
    });
});

describe("import of files wrangler would need more from: no compatibility date, no usable name", () => {
    const importRaw = (raw: RawConfig, extra: Partial<Parameters<typeof importWranglerConfig>[1]> = {}) =>
        importWranglerConfig(raw, { source: "wrangler.toml", today: "2026-12-04", ...extra });

    it("declares the import's date when the file sets no compatibility date, and says so", () => {
        const result = importRaw({ name: "shop", main: "src/index.ts" });
        expect(result.declaration.compatibilityDate).toBe("2026-12-04");
        expect(result.notes).toContainEqual(expect.objectContaining({
            path: "compatibility_date", category: "action", message: expect.stringContaining("declared as 2026-12-04, the import's date"),
        }));
    });

    it("names a service after the output directory when the file names no Worker", () => {
        const result = importRaw({ main: "src/index.ts", compatibility_date: "2025-01-01" }, { fallbackName: "billing" });
        expect(result.declaration.name).toBe("billing");
        expect(result.notes).toContainEqual(expect.objectContaining({ path: "name", message: expect.stringContaining('named "billing" after the output directory') }));
        expect(() => importRaw({ main: "src/index.ts", compatibility_date: "2025-01-01" })).toThrow(/has no top-level Worker name/);
    });

    it("prefixes a Worker name that starts with a digit", () => {
        expect(importRaw({ name: "2048", main: "src/index.ts", compatibility_date: "2025-01-01" }).declaration.name).toBe("worker-2048");
    });
});

describe("import of what real files hold besides bindings: zones and encodings", () => {
    let count = 0;
    /** Imports a file written from `content` (text or bytes) into a fresh directory. */
    const importContent = (fileName: string, content: string | Uint8Array): Imported => {
        const dir = path.join(WORKSPACE, `files-${++count}`);
        fs.mkdirSync(dir, { recursive: true });
        fs.writeFileSync(path.join(dir, fileName), content);
        return importFile(path.join(dir, fileName), path.join(dir, "out"));
    };
    const notesAt = (imported: Imported, at: string) => imported.result.notes.filter((n) => n.path === at).map((n) => `${n.category}: ${n.message}`);

    it("takes a zone name in any case and with its trailing dot, and leaves out a zone id that is a placeholder", async () => {
        const imported = importContent("wrangler.toml", 'name = "shop"\nmain = "src/index.ts"\ncompatibility_date = "2025-06-01"\n' +
            'routes = [{ pattern = "shop.example.com/*", zone_name = "Example.COM.", zone_id = "<ZONE_ID>" }]\n');
        expect(imported.result.stacks[0]!.zone).toEqual({ name: "example.com", nameGuessed: false });
        expect(imported.result.stacks[0]!.overrides.routes).toEqual(["shop.example.com/*"]);
        expect(notesAt(imported, "routes[0].zone_id")).toEqual(['unsupported: "<ZONE_ID>" is not a zone id (32 lowercase hex characters); not imported']);
        await expect(roundTripProblems(imported)).resolves.toEqual({ "stack production (the top level)": [] });
    });

    it("reports routes whose zone is a template or localhost instead of failing its own check, and ignores an empty one", () => {
        const imported = importContent("wrangler.json", JSON.stringify({
            name: "shop", main: "src/index.ts", compatibility_date: "2025-06-01", route: "",
            env: { production: { routes: ["${ROUTE_PATTERN}"] }, dev: { route: "localhost:8787/*" } },
        }));
        expect(notesAt(imported, "route")).toEqual(["unsupported: an empty route pattern: no route to carry over; ignored"]);
        expect(imported.result.stacks.map((s) => s.zone)).toEqual([undefined, undefined, undefined]);
        expect(notesAt(imported, "env.production.routes[0]")).toEqual([
            'unsupported: "${ROUTE_PATTERN}": the zone guessed from its host, "${route_pattern}", is not a DNS name, and routes and custom domains need their zone; not imported',
        ]);
        expect(notesAt(imported, "env.dev.route")[0]).toContain('the zone guessed from its host, "localhost:8787", is not a DNS name');
    });

    it("reads a JSONC file with a byte order mark and CRLF line ends, as wrangler does", () => {
        const text = '// saved by an editor on Windows\r\n{\r\n  "name": "shop",\r\n  "main": "src/index.ts",\r\n  "compatibility_date": "2025-06-01",\r\n  "vars": { "MODE": "live" },\r\n}\r\n';
        const imported = importContent("wrangler.jsonc", Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from(text)]));
        expect(imported.result.declaration.bindings).toEqual({ MODE: { kind: "var", value: "live" } });
    });
});
