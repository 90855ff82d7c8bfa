/**
 * Worker settings (components/service/workerSettings.ts and wrangler/import/importWorkerSettings.ts):
 * placement, limits, logpush, keepVars, minify, moduleRules and tailConsumers, from the declaration (and the
 * stack's overrides) to the `WorkersScript` / `Worker` + `WorkerVersion` arguments @pulumi/cloudflare 6.22.1
 * documents, to `wrangler.jsonc` (accepted by the real `wrangler deploy --dry-run`), and from real wrangler keys
 * back through the importer, with its notes: node_compat, containers and the bundling keys it refuses.
 */
import * as path from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { z } from "zod";
import { defineService, type ServiceDeclaration, type ServiceDeclarationInput } from "../components/service/declaration";
import { effectiveWorkerSettings, scriptSettingsArgs, wranglerSettings } from "../components/service/workerSettings";
import { bundleWorker, uploadFiles } from "../components/cloudflare/bundle";
import { generateWranglerConfig } from "../components/wrangler/generate";
import { importWranglerConfig, toDeclarationInput, type ImportResult } from "../components/wrangler/import/importConfig";
import { renderImport } from "../components/wrangler/import/renderImport";
import { loadStackConfig } from "../infra/config";
import { PROJECT_ROOT } from "../infra/program";
import { resolveServices } from "../infra/resolve";
import type { OfflineRun, ResourceRecord } from "../tools/lib/mockEngine";
import { TEST_ACCOUNT, findResource, planFixtureStacks, resolveIssues, validationIssues } from "./helpers/bindingKindTests";
import { dryRun } from "./helpers/kindHarness";

const ROOT = path.join(PROJECT_ROOT, "test", "fixtures", "workers", "workerSettings");
const BASIC = path.join(PROJECT_ROOT, "test", "fixtures", "workers", "basic");
const SCRIPT = "cloudflare:index/workersScript:WorkersScript";
const WORKER = "cloudflare:index/worker:Worker";
const VERSION = "cloudflare:index/workerVersion:WorkerVersion";
const SERVICE = "platform:cloudflare:WorkerService";

const base = { main: "src/index.js", compatibilityDate: "2026-04-01", env: z.object({}) } as const;
const settings = {
    placement: { mode: "smart" },
    limits: { cpuMs: 50_000, subrequests: 200 },
    logpush: true,
    minify: false,
    moduleRules: [{ type: "Text", extensions: ["md"] }, { type: "Data", extensions: ["png"] }],
    tailConsumers: [{ service: "sink" }],
} satisfies Partial<ServiceDeclarationInput>;

const declare = (name: string, more: Partial<ServiceDeclarationInput> = {}): ServiceDeclaration => defineService({ name, ...base, ...more });
const issuesOf = (more: Record<string, unknown>, name = "svc") => validationIssues(() => declare(name, more as Partial<ServiceDeclarationInput>));

describe("declaration", () => {
    it("accepts every setting, and leaves unset ones out of the validated declaration", () => {
        const decl = declare("svc", { ...settings, keepVars: true });
        expect(decl).toMatchObject({ ...settings, keepVars: true });
        const plain = declare("plain");
        for (const field of ["placement", "limits", "logpush", "keepVars", "minify", "moduleRules", "tailConsumers"]) expect(plain).not.toHaveProperty(field);
        expect(effectiveWorkerSettings(plain)).toEqual({ keepVars: false, moduleRules: [], tailConsumers: [] });
    });

    it("accepts targeted placement with one target", () => {
        expect(declare("svc", { placement: { mode: "targeted", region: "aws:us-east-1" } }).placement).toEqual({ mode: "targeted", region: "aws:us-east-1" });
        expect(declare("svc", { placement: { mode: "targeted", host: "db.example.com:5432" } }).placement).toEqual({ mode: "targeted", host: "db.example.com:5432" });
    });

    it("reports bad settings with their paths", () => {
        expect(issuesOf({ placement: { mode: "fast" } })).toEqual([
            'services.svc.placement: expected a placement: { mode: "smart" }, { mode: "off" } or { mode: "targeted", region | host | hostname }; got object',
        ]);
        expect(issuesOf({ placement: { mode: "targeted", region: "aws:us-east-1", hostname: "api.example.com" } })).toEqual([
            'services.svc.placement: targeted placement takes exactly one of "region", "host" or "hostname"',
        ]);
        expect(issuesOf({ limits: { cpuMs: 400_000 } })).toEqual([
            "services.svc.limits.cpuMs: expected at most 300000 ms (5 minutes), Cloudflare's maximum, got number (400000)",
        ]);
        expect(issuesOf({ limits: { cpuMs: 1.5 } })).toEqual(["services.svc.limits.cpuMs: expected int, got number (1.5)"]);
        expect(issuesOf({ limits: {} })).toEqual(["services.svc.limits: expected cpuMs, subrequests or both"]);
        expect(issuesOf({ limits: { cpu_ms: 10 } })).toEqual([
            "services.svc.limits.cpu_ms: unknown key; remove it or check its spelling",
            "services.svc.limits: expected cpuMs, subrequests or both",
        ]);
        expect(issuesOf({ logpush: "yes" })).toEqual(['services.svc.logpush: expected boolean, got string ("yes")']);
        expect(issuesOf({ moduleRules: [{ type: "Text", extensions: ["js", ".html"] }, { type: "Python", extensions: ["py"] }] })).toEqual([
            'services.svc.moduleRules[0].extensions[0]: is compiled by the bundler as a script; a module rule cannot take it',
            'services.svc.moduleRules[0].extensions[1]: expected a lowercase file extension without the dot, such as "html", got string (".html")',
            'services.svc.moduleRules[1].type: expected "Text", "Data" or "CompiledWasm", got string ("Python")',
        ]);
        expect(issuesOf({ moduleRules: [{ type: "Text", extensions: ["md"] }, { type: "Data", extensions: ["png", "md"] }] })).toEqual([
            'services.svc.moduleRules[1].extensions[1]: "md" is already in moduleRules[0]; an extension has one module type',
        ]);
        expect(issuesOf({ containers: [{ className: "Sandbox", image: "./Dockerfile" }] })).toEqual([
            "services.svc.containers: Cloudflare Containers are not supported (@pulumi/cloudflare 6.22.1 has no container application resource); " +
            "remove containers, and keep deploying a Worker with container-backed Durable Objects with wrangler",
        ]);
        expect(issuesOf({ tailConsumers: [{ service: "svc" }, { service: "sink" }, { service: "sink" }] })).toEqual([
            "services.svc.tailConsumers[0].service: a Worker cannot be its own Tail Worker; name another declared service",
            'services.svc.tailConsumers[2].service: "sink" is already a tail consumer; list it once',
        ]);
    });

    it("checks the settings against the stack: tail consumers declared, keepVars not with versions", () => {
        const svc = declare("svc", { tailConsumers: [{ service: "sink" }], keepVars: true });
        expect(resolveIssues([{ declaration: svc, root: BASIC }])).toEqual([
            'services.svc.tailConsumers[0].service: no service named "sink" is declared; declared: svc',
        ]);
        expect(resolveIssues([{ declaration: svc, root: BASIC }, { declaration: declare("sink"), root: BASIC }], { svc: { deployment: { strategy: "versions" } } })).toEqual([
            "platform:services.svc.deployment.strategy: services.svc.keepVars keeps dashboard vars on each script upload, which versions cannot do " +
            '(a Worker version carries every binding); use strategy "script", or declare those vars and drop keepVars',
        ]);
    });

    it("validates a stack's placement, limits and logpush, and merges them over the declaration's", () => {
        expect(validationIssues(() => loadStackConfig({
            "platform:accountId": TEST_ACCOUNT,
            "platform:services": JSON.stringify({ svc: { placement: { mode: "nearby" }, limits: { cpuMs: 0 }, logpush: 1 } }),
        }, () => false))).toEqual([
            'platform:services.svc.placement: expected a placement: { mode: "smart" }, { mode: "off" } or { mode: "targeted", region | host | hostname }; got object',
            "platform:services.svc.limits.cpuMs: Too small: expected number to be >=1, got number (0)",
            "platform:services.svc.logpush: expected boolean, got number (1)",
        ]);
        const decl = declare("svc", settings);
        const config = loadStackConfig({
            "platform:accountId": TEST_ACCOUNT,
            "platform:services": JSON.stringify({ svc: { placement: { mode: "off" }, limits: { cpuMs: 1000 } } }),
        }, () => false);
        const [resolved] = resolveServices("staging", config, [{ declaration: decl, root: ROOT }, { declaration: declare("sink"), root: BASIC }], PROJECT_ROOT)
            .filter((s) => s.declaration.name === "svc");
        expect(resolved!.settings).toMatchObject({ placement: { mode: "off" }, limits: { cpuMs: 1000 }, logpush: true });
        expect(effectiveWorkerSettings(decl, resolved!.settings)).toMatchObject({ placement: { mode: "off" }, limits: { cpuMs: 1000 }, logpush: true });
    });
});

describe("WorkersScript and versioned Worker arguments, under the mock engine", () => {
    let production: OfflineRun;
    let staging: OfflineRun;
    const svc = declare("svc", { ...settings, keepVars: true });
    const svcv = declare("svcv", settings);
    const sink = declare("sink");
    const bundle = bundleWorker(ROOT, "src/index.js", { minify: false, moduleRules: svc.moduleRules! });

    beforeAll(async () => {
        const entries = [{ declaration: svc, root: ROOT }, { declaration: svcv, root: ROOT }, { declaration: sink, root: BASIC }];
        ({ production, staging } = await planFixtureStacks(entries, {
            svc: { placement: { mode: "off" }, limits: { cpuMs: 1000 }, logpush: false },
            svcv: { deployment: { strategy: "versions" }, placement: { mode: "targeted", region: "gcp:europe-west1" } },
        }));
    });

    it("sets placement, limits, logpush, keepBindings and tailConsumers as WorkersScript documents them", () => {
        const inputs = findResource(production, SCRIPT, "svc-script").inputs;
        expect(inputs).toMatchObject({
            placement: { mode: "smart" },
            limits: { cpuMs: 50_000, subrequests: 200 },
            logpush: true,
            keepBindings: ["plain_text", "json"],
            tailConsumers: [{ service: "sink-production" }],
        });
        // A service without settings sends none of these inputs (no diff on existing stacks).
        const plain = findResource(production, SCRIPT, "sink-script").inputs;
        for (const field of ["placement", "limits", "logpush", "keepBindings", "tailConsumers", "files"]) expect(plain).not.toHaveProperty(field);
    });

    it("uploads the non-JavaScript imports as files beside the unminified bundle", () => {
        const inputs = findResource(production, SCRIPT, "svc-script").inputs;
        expect(inputs.content).toBe(bundle.content);
        expect(inputs.content).toContain("\n"); // minify: false
        expect(inputs.files).toEqual(uploadFiles(bundle.modules));
        const files = inputs.files as Record<string, { contentType: string }>;
        expect(Object.entries(files).map(([name, f]) => [name.replace(/-[A-Z0-9]{8}\./, "-<hash>."), f.contentType]).sort()).toEqual([
            ["empty-<hash>.wasm", "application/wasm"],
            ["logo-<hash>.png", "application/octet-stream"],
            ["notes-<hash>.md", "text/plain"],
            ["page-<hash>.html", "text/plain"],
        ]);
        for (const name of Object.keys(files)) expect(inputs.content).toContain(`"./${name}"`);
    });

    it("takes the stack's placement, limits and logpush", () => {
        const inputs = findResource(staging, SCRIPT, "svc-script").inputs;
        expect(inputs).not.toHaveProperty("placement"); // off
        expect(inputs).toMatchObject({ limits: { cpuMs: 1000 }, logpush: false, tailConsumers: [{ service: "sink-staging" }] });
    });

    it("deploys the tail consumer first", () => {
        const component = (run: OfflineRun, name: string): ResourceRecord => run.resources.find((r) => r.type === SERVICE && r.name === name)!;
        // A dependency on a component is a dependency on its children: the sink's script.
        expect(component(production, "svc").dependencies).toContain(findResource(production, SCRIPT, "sink-script").urn);
        expect(component(staging, "svcv").dependencies).toContain(findResource(staging, SCRIPT, "sink-script").urn);
        const order = production.resources.filter((r) => r.type === SERVICE).map((r) => r.name);
        expect(order.indexOf("sink")).toBeLessThan(order.indexOf("svc"));
    });

    it("puts logpush and tail consumers on the Worker, placement, limits and modules on the WorkerVersion", () => {
        expect(findResource(staging, WORKER, "svcv-worker").inputs).toMatchObject({ logpush: true, tailConsumers: [{ name: "sink-staging" }] });
        const version = findResource(staging, VERSION, "svcv-version").inputs;
        expect(version).toMatchObject({ placement: { mode: "targeted", region: "gcp:europe-west1" }, limits: { cpuMs: 50_000, subrequests: 200 } });
        const modules = version.modules as { name: string; contentType: string; contentBase64: string; contentSha256?: string }[];
        expect(modules[0]).toMatchObject({ name: "index.js", contentType: "application/javascript+module" });
        expect(modules.slice(1)).toEqual(bundle.modules.map((m) => ({ name: m.name, contentType: m.contentType, contentBase64: m.contentBase64, contentSha256: m.sha256 })));
    });
});

describe("wrangler.jsonc", () => {
    const decl = declare("svc", { ...settings, keepVars: true });
    const generate = (stackSettings: Record<string, unknown> = {}) => generateWranglerConfig({
        declaration: decl,
        scriptName: "svc-staging",
        serviceDir: "test/fixtures/workers/workerSettings",
        settings: { routes: [], customDomains: [], vars: {}, workersDev: false, crons: [], observability: { enabled: true, headSamplingRate: 1 }, protect: false, ...stackSettings },
        resources: {},
        serviceScripts: { svc: "svc-staging", sink: "sink-staging" },
    }).config;

    it("writes the settings as wrangler's top-level keys", () => {
        expect(generate()).toMatchObject({
            placement: { mode: "smart" },
            limits: { cpu_ms: 50_000, subrequests: 200 },
            logpush: true,
            keep_vars: true,
            minify: false,
            rules: [{ type: "Text", globs: ["**/*.md"], fallthrough: true }, { type: "Data", globs: ["**/*.png"], fallthrough: true }],
            tail_consumers: [{ service: "sink-staging" }],
        });
        expect(generate({ placement: { mode: "off" }, logpush: false })).toMatchObject({ placement: { mode: "off" }, logpush: false });
        const plain = wranglerSettings(effectiveWorkerSettings(declare("plain")), () => "x");
        expect(plain).toEqual({});
        expect(scriptSettingsArgs(effectiveWorkerSettings(declare("plain")), () => "x")).toEqual({});
    });

    it("passes the real wrangler deploy --dry-run, which bundles the non-JavaScript imports by the rules", async () => {
        const config = { ...generate(), main: path.join(ROOT, "src", "index.js") };
        const run = await dryRun(config);
        expect(run.code, `${run.stdout}\n${run.stderr}`).toBe(0);
        expect(run.stdout).toContain("--dry-run: exiting now.");
        expect(`${run.stdout}\n${run.stderr}`).not.toMatch(/Unexpected fields|is not a valid|matched a module rule/);
    }, 60_000);
});

describe("importer", () => {
    const ACCOUNT = "0123456789abcdef0123456789abcdef";
    const importRaw = (raw: Record<string, unknown>): ImportResult =>
        importWranglerConfig({ name: "svc", main: "src/index.js", compatibility_date: "2026-04-01", ...raw }, { source: "wrangler.jsonc", accountId: ACCOUNT });
    const notes = (result: ImportResult, category?: string) =>
        result.notes.filter((n) => category === undefined || n.category === category).map((n) => `${n.category} ${n.path}: ${n.message}`);
    const notesMatching = (result: ImportResult, pattern: RegExp) => notes(result).filter((n) => pattern.test(n));

    it("carries placement, limits, logpush, keep_vars, minify and rules into the declaration", () => {
        const result = importRaw({
            placement: { mode: "smart" },
            limits: { cpu_ms: 50_000 },
            logpush: true,
            keep_vars: true,
            minify: true,
            rules: [{ type: "Text", globs: ["**/*.md"], fallthrough: true }, { type: "Data", globs: ["**/*.png", "*.ico"] }],
        });
        expect(result.declaration.workerSettings).toEqual({
            placement: { mode: "smart" },
            limits: { cpuMs: 50_000 },
            logpush: true,
            keepVars: true,
            minify: true,
            moduleRules: [{ type: "Text", extensions: ["md"] }, { type: "Data", extensions: ["png", "ico"] }],
        });
        expect(notesMatching(result, /placement|limits|logpush|keep_vars|minify|rules/)).toEqual([
            "changed rules[1].fallthrough: without fallthrough = true wrangler drops its default Data rule (**/*.bin); " +
            "the platform keeps wrangler's default rules behind the declared ones, so those imports work as Data modules",
        ]);
        const service = renderImport(result, { source: "wrangler.jsonc", declarationModule: "../declaration" })["service.ts"]!;
        expect(service).toContain('placement: { mode: "smart" },');
        expect(service).toContain("keepVars: true,");
        expect(service).toContain('moduleRules: [{ type: "Text", extensions: ["md"] }, { type: "Data", extensions: ["png", "ico"] }],');
    });

    it("notes what changes: a placement hint, rules it cannot apply, a limit above the maximum", () => {
        const result = importRaw({
            placement: { mode: "smart", hint: "aws:us-east-1" },
            limits: { cpu_ms: 900_000 },
            rules: [
                { type: "ESModule", globs: ["**/*.js"] },
                { type: "PythonModule", globs: ["**/*.py"] },
                { type: "Text", globs: ["*/frontend/**", "**/*.txt"], fallthrough: true },
                { type: "Data", globs: ["**/*.txt"], fallthrough: true },
            ],
        });
        expect(result.declaration.workerSettings).toEqual({ placement: { mode: "smart" }, moduleRules: [{ type: "Text", extensions: ["txt"] }] });
        expect(notesMatching(result, /placement|limits|rules/)).toEqual([
            "changed placement.hint: not carried: @pulumi/cloudflare 6.22.1 has no placement hint (WorkersScriptPlacement: mode, region, host, hostname); declared as Smart Placement without a hint",
            "unsupported limits.cpu_ms: 900000: expected at most 300000 ms (5 minutes), Cloudflare's maximum; limits not imported",
            "unsupported rules[0]: ESModule rules only matter with find_additional_modules or no_bundle, which the platform does not support; the bundler compiles JavaScript imports itself. Not imported",
            'unsupported rules[1].type: "PythonModule" modules are not supported (the platform uploads Text, Data and CompiledWasm modules); not imported',
            'unsupported rules[2].globs[0]: "*/frontend/**" is not a glob the platform applies (it types imports by file extension: **/*.<ext>); not imported',
            "changed rules[3].globs[0]: *.txt is already typed by rules[2] (wrangler applies the first matching rule); left out",
        ]);
    });

    it("maps node_compat to the nodejs_compat flag, and refuses the bundling keys it cannot honour", () => {
        const result = importRaw({ node_compat: true, find_additional_modules: true, base_dir: "src", no_bundle: true });
        expect(result.declaration.compatibilityFlags).toEqual(["nodejs_compat"]);
        expect(notesMatching(result, /node_compat|find_additional|base_dir|no_bundle/)).toEqual([
            "unsupported find_additional_modules: not supported: the platform uploads the modules the bundle imports, not every file below base_dir that matches a rule " +
            "(files loaded by dynamic import() are not uploaded); not imported",
            "unsupported no_bundle: not supported: the platform always bundles main with esbuild (components/cloudflare/bundle.ts); not imported",
            "unsupported base_dir: not supported: it only places the files find_additional_modules / no_bundle upload, which the platform does not do; not imported",
            "changed node_compat: wrangler 3's Node.js polyfills, removed in wrangler 4: declared as the nodejs_compat compatibility flag instead " +
            "(Node.js APIs from the runtime; import built-ins as node:<module>, and check the compatibility date is 2024-09-23 or later for the full set)",
        ]);
        // Already flagged: nothing added twice.
        expect(importRaw({ node_compat: true, compatibility_flags: ["nodejs_compat"] }).declaration.compatibilityFlags).toEqual(["nodejs_compat"]);
    });

    it("maps tail consumers to declared services (union over environments), noting the script name and environment", () => {
        const result = importRaw({
            env: {
                production: { tail_consumers: [{ service: "log-sink", environment: "production" }] },
                staging: { tail_consumers: [{ service: "audit_tail" }] },
            },
        });
        expect(result.declaration.workerSettings).toEqual({ tailConsumers: [{ service: "log-sink" }, { service: "audit-tail" }] });
        expect(notesMatching(result, /tail_consumers/)).toEqual([
            'changed env.production.tail_consumers[0].environment: service environment "production" is not used: the platform sends events to the consumer\'s script in the same stack',
            'changed env.production.tail_consumers[0].service: events go to Worker "log-sink"; the platform sends them to declared service "log-sink" (script "log-sink-production"): declare or import that service too',
            'changed env.staging.tail_consumers[0].service: events go to Worker "audit_tail"; the platform sends them to declared service "audit-tail" (script "audit-tail-staging"): declare or import that service too',
            'changed env.staging.tail_consumers: has no tail consumer "log-sink" (from env.production); one declaration serves every stack: stack staging sends its events there too',
        ]);
    });

    it("gives a stack its own placement, limits and logpush where its environment differs", () => {
        const result = importRaw({
            env: {
                production: { placement: { mode: "smart" }, limits: { cpu_ms: 100 }, logpush: true },
                staging: { limits: { cpu_ms: 50 } },
            },
        });
        expect(result.declaration.workerSettings).toEqual({ placement: { mode: "smart" }, limits: { cpuMs: 100 }, logpush: true });
        const overrides = Object.fromEntries(result.stacks.map((s) => [s.stack, s.overrides]));
        expect(overrides.production).not.toHaveProperty("placement");
        expect(overrides.staging).toMatchObject({ placement: { mode: "off" }, limits: { cpuMs: 50 }, logpush: false });
        const yaml = renderImport(result, { source: "wrangler.jsonc", declarationModule: "../declaration" })["stack.staging.yaml"]!;
        expect(yaml).toContain("      placement:\n        mode: off\n      limits:\n        cpuMs: 50\n      logpush: false\n");
        expect(yaml).toContain("cpuMs: 50");
    });

    it("refuses containers and the Durable Object binding of a container's class, naming both", () => {
        const result = importRaw({
            containers: [{ class_name: "Sandbox", image: "./Dockerfile", max_instances: 1 }],
            durable_objects: { bindings: [{ name: "SANDBOX", class_name: "Sandbox" }, { name: "ROOMS", class_name: "Room" }] },
            migrations: [{ tag: "v1", new_sqlite_classes: ["Sandbox", "Room"] }],
        });
        expect(Object.keys(result.declaration.bindings)).toEqual(["ROOMS"]);
        expect(notes(result, "unsupported").filter((n) => /containers|durable_objects/.test(n))).toEqual([
            'unsupported durable_objects.bindings[0]: class "Sandbox" is backed by a container (containers[0]); Cloudflare Containers are not supported ' +
            "(@pulumi/cloudflare 6.22.1 has no container application resource), and a plain Durable Object of this class would start no container. " +
            "Binding not imported: keep deploying this Worker with wrangler, or move the container out of it",
            'unsupported containers[0]: Cloudflare Containers are not supported (@pulumi/cloudflare 6.22.1 has no container application resource to build and run image "./Dockerfile"); ' +
            "not imported, and neither is the Durable Object binding SANDBOX of class Sandbox, which would run without its container. Keep deploying this Worker with wrangler",
        ]);
    });

    it("reports malformed settings keys with their paths (exit 2)", () => {
        expect(validationIssues(() => importRaw({
            placement: "smart",
            limits: { cpu_ms: "50" },
            logpush: "true",
            rules: [{ type: "Text" }],
            tail_consumers: [{ environment: "prod" }],
            env: { production: { containers: [{ image: "./Dockerfile", class_name: 7 }], node_compat: 1 } },
        }))).toEqual([
            "placement: expected object, got string (\"smart\")",
            "limits.cpu_ms: expected number, got string (\"50\")",
            "logpush: expected boolean, got string (\"true\")",
            "rules[0].globs: expected array, got nothing (the field is required)",
            "tail_consumers[0].service: expected string, got nothing (the field is required)",
            "env.production.node_compat: expected boolean, got number (1)",
            "env.production.containers[0].class_name: expected string, got number (7)",
        ]);
    });

    it("refuses a container without class_name (newer wranglers attach it through exports) with a note, not an error", () => {
        const result = importRaw({ containers: [{ image: "./Dockerfile" }] });
        expect(result.notes.filter((n) => n.path === "containers[0]").map((n) => n.message)).toEqual([
            'Cloudflare Containers are not supported (@pulumi/cloudflare 6.22.1 has no container application resource to build and run image "./Dockerfile"); ' +
            "not imported. Keep deploying this Worker with wrangler",
        ]);
    });

    it("round trips: import, then generate, keeps the settings", () => {
        const original = {
            placement: { mode: "smart" }, limits: { cpu_ms: 20_000 }, logpush: true, keep_vars: true, minify: false,
            rules: [{ type: "Text", globs: ["**/*.md"], fallthrough: true }],
        };
        const result = importRaw({ ...original, env: { production: { tail_consumers: [{ service: "sink" }] } } });
        const declaration = defineService(toDeclarationInput(result.declaration));
        const stack = result.stacks.find((s) => s.stack === "production")!;
        const config = loadStackConfig({
            "platform:accountId": ACCOUNT,
            "platform:services": JSON.stringify({ svc: { ...stack.overrides } }),
        }, () => false);
        const [resolved] = resolveServices("production", config, [{ declaration, root: ROOT }, { declaration: declare("sink"), root: BASIC }], PROJECT_ROOT)
            .filter((s) => s.declaration.name === "svc");
        const generated = generateWranglerConfig({
            declaration, scriptName: "svc-production", serviceDir: "services/svc", settings: resolved!.settings, resources: {},
            serviceScripts: { sink: "sink-production" },
        }).config;
        expect(generated).toMatchObject({ ...original, tail_consumers: [{ service: "sink-production" }] });
    });
});
