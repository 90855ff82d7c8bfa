/**
 * The `assets` binding kind (components/bindings/assets.ts): its declaration and messages, the upload under
 * the mock engine (WorkersScript and WorkerVersion in @pulumi/cloudflare 6.22.1's shape, inputs that change
 * exactly when a file does), the generated wrangler entry and the importer's mapping from wrangler's
 * `assets` key, the generated config through the real `wrangler deploy --dry-run`, and the health check
 * against fake bindings. `wrangler dev` behaviour is in test/e2e/assets.test.ts.
 */
import { createHash, randomBytes } from "node:crypto";
import * as fs from "node:fs";
import * as path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { z } from "zod";
import { assets, assetsMessage, runWorkerFirstProblems } from "../../components/bindings/assets";
import { MAX_ASSET_FILE_BYTES, readAssetsDirectory } from "../../components/bindings/assetsManifest";
import { ASSETS_PROBE_URL } from "../../components/health/checks";
import { runHealthChecks } from "../../components/health/handler";
import { defineService, type ServiceDeclaration, type ServiceDeclarationInput } from "../../components/service/declaration";
import type { ServiceSettings } from "../../components/service/settings";
import { ValidationError } from "../../components/validation";
import { generateWranglerConfig } from "../../components/wrangler/generate";
import { importWranglerConfig, toDeclarationInput, type ImportResult } from "../../components/wrangler/import/importConfig";
import { renderWranglerFiles } from "../../components/wrangler/render";
import { definePlatform, PROJECT_ROOT } from "../../infra/program";
import { runOffline, type OfflineRun, type ResourceRecord } from "../../tools/lib/mockEngine";
import { serviceSummaries } from "../../tools/lib/serviceSummaries";
import { writeFixtureConfig } from "../helpers/fixtureConfig";
import { runWrangler } from "../helpers/wrangler";
import site, { siteInput } from "../fixtures/workers/assets/service";

const FIXTURE = path.join(PROJECT_ROOT, "test", "fixtures", "workers", "assets");
/** Scratch space inside the repository (git-ignored), removed at the end. */
const SCRATCH = path.join(PROJECT_ROOT, ".platform", `test-assets-${randomBytes(4).toString("hex")}`);
const SCRIPT = "cloudflare:index/workersScript:WorkersScript";
const VERSION = "cloudflare:index/workerVersion:WorkerVersion";

afterAll(() => fs.rmSync(SCRATCH, { recursive: true, force: true }));

/** The problems `defineService` reports for `input`, as `path: message` lines. */
function issuesOf(input: unknown): string[] {
    try {
        defineService(input as ServiceDeclarationInput);
    } catch (error) {
        if (error instanceof ValidationError) return error.issues.map((i) => `${i.path}: ${i.message}`);
        throw error;
    }
    return [];
}

/** `siteInput` with its ASSETS binding's fields replaced by `fields` (and other bindings added by `more`). */
function withAssets(fields: Record<string, unknown>, more: Record<string, unknown> = {}): unknown {
    return { ...siteInput, bindings: { ASSETS: { ...siteInput.bindings.ASSETS, ...fields }, ...more } };
}

/**
 * The expected directory hash, computed here independently of `assetsManifest.ts`: SHA-256 over
 * `<relative path>\0<sha256 of the file>\n` for every file, sorted by path.
 */
function expectedHash(dir: string): string {
    const files: [string, string][] = [];
    const walk = (sub: string) => {
        for (const name of fs.readdirSync(path.join(dir, sub))) {
            const relative = sub === "" ? name : `${sub}/${name}`;
            if (fs.statSync(path.join(dir, relative)).isDirectory()) walk(relative);
            else files.push([relative, createHash("sha256").update(fs.readFileSync(path.join(dir, relative))).digest("hex")]);
        }
    };
    walk("");
    files.sort(([a], [b]) => (a < b ? -1 : 1));
    return createHash("sha256").update(files.map(([p, h]) => `${p}\0${h}\n`).join("")).digest("hex");
}

// ─── (a) The declaration ─────────────────────────────────────────────────────────────────────────

describe("declaration", () => {
    it("applies Cloudflare's defaults to the routing options", () => {
        const declared = defineService({ ...siteInput, bindings: { ASSETS: { kind: "assets", directory: "./public" } } });
        expect(declared.bindings.ASSETS).toEqual({
            kind: "assets", directory: "./public", htmlHandling: "auto-trailing-slash", notFoundHandling: "none", runWorkerFirst: false,
        });
        expect(site.bindings.ASSETS).toEqual({
            kind: "assets", directory: "public", htmlHandling: "auto-trailing-slash", notFoundHandling: "single-page-application", runWorkerFirst: ["/api/*", "/health"],
        });
    });

    it("accepts every documented value", () => {
        for (const htmlHandling of ["auto-trailing-slash", "force-trailing-slash", "drop-trailing-slash", "none"]) {
            expect(issuesOf(withAssets({ htmlHandling }))).toEqual([]);
        }
        for (const notFoundHandling of ["none", "404-page", "single-page-application"]) {
            expect(issuesOf(withAssets({ notFoundHandling }))).toEqual([]);
        }
        for (const runWorkerFirst of [true, false, ["/*", "!/static/*"], ["/api/*", "/health"]]) {
            expect(issuesOf(withAssets({ runWorkerFirst }))).toEqual([]);
        }
    });

    it("reports wrong values with the field's path and what was expected", () => {
        expect(issuesOf(withAssets({ htmlHandling: "trailing", notFoundHandling: "spa", directory: "/srv/www", runWorkerFirst: "yes", cache: true }))).toMatchInlineSnapshot(`
          [
            "services.site.bindings.ASSETS.directory: expected a path relative to the service directory",
            "services.site.bindings.ASSETS.htmlHandling: Invalid option: expected one of "auto-trailing-slash"|"force-trailing-slash"|"drop-trailing-slash"|"none", got string ("trailing")",
            "services.site.bindings.ASSETS.notFoundHandling: Invalid option: expected one of "none"|"404-page"|"single-page-application", got string ("spa")",
            "services.site.bindings.ASSETS.runWorkerFirst: expected true, false or a list of path rules such as ["/api/*", "!/api/docs/*"]; got string ("yes")",
            "services.site.bindings.ASSETS.cache: unknown key; remove it or check its spelling",
          ]
        `);
        expect(issuesOf(withAssets({ directory: undefined }))).toEqual([
            expect.stringMatching(/^services\.site\.bindings\.ASSETS\.directory: /),
        ]);
    });

    it("checks run_worker_first rules as wrangler does, each by its index", () => {
        expect(issuesOf(withAssets({ runWorkerFirst: ["api/*", "!api", "/api/*", "/api/*", "/api/users"] }))).toMatchInlineSnapshot(`
          [
            "services.site.bindings.ASSETS.runWorkerFirst[0]: "api/*": a rule must start with / or !/",
            "services.site.bindings.ASSETS.runWorkerFirst[1]: "!api": a negative rule must start with !/",
            "services.site.bindings.ASSETS.runWorkerFirst[4]: "/api/users" is redundant: rule "/api/*" already covers it",
            "services.site.bindings.ASSETS.runWorkerFirst[3]: "/api/*" is a duplicate; rules must be unique",
          ]
        `);
        expect(issuesOf(withAssets({ runWorkerFirst: [] }))).toEqual(["services.site.bindings.ASSETS.runWorkerFirst: expected at least one rule (or true / false)"]);
        expect(issuesOf(withAssets({ runWorkerFirst: ["!/static/*"] }))).toEqual([
            'services.site.bindings.ASSETS.runWorkerFirst: only negative rules: add at least one rule that sends paths to the Worker ("/api/*")',
        ]);
        expect(runWorkerFirstProblems([`/${"a".repeat(100)}`])).toEqual([{ index: 0, message: expect.stringContaining("is longer than 100 characters") }]);
        expect(runWorkerFirstProblems(Array.from({ length: 101 }, (_, i) => `/p${i}`))).toEqual([{ message: "expected at most 100 rules, got 101" }]);
    });

    it("requires the rules to send the health endpoint to the Worker when the assets answer unknown paths", () => {
        const at = "services.site.bindings.ASSETS.runWorkerFirst";
        expect(issuesOf(withAssets({ runWorkerFirst: ["/api/*"] }))).toEqual([
            `${at}: no rule sends the health endpoint /health to the Worker, and notFoundHandling "single-page-application" answers every other path from the assets; add "/health" to runWorkerFirst`,
        ]);
        expect(issuesOf(withAssets({ runWorkerFirst: ["/api/*"], notFoundHandling: "404-page" }))).toEqual([expect.stringContaining('notFoundHandling "404-page"')]);
        expect(issuesOf(withAssets({ runWorkerFirst: ["/*", "!/h*"] }))).toEqual([
            `${at}: the rule "!/h*" sends the health endpoint /health to the assets, so the health check never reaches the Worker; narrow the rule`,
        ]);
        expect(issuesOf({ ...(withAssets({ runWorkerFirst: ["/_status"] }) as object), health: { path: "/_status" } })).toEqual([]);
        expect(issuesOf(withAssets({ runWorkerFirst: ["/api/*"], notFoundHandling: "none" }))).toEqual([]);
        expect(issuesOf(withAssets({ runWorkerFirst: ["/*"] }))).toEqual([]);
        expect(issuesOf(withAssets({ runWorkerFirst: false }))).toEqual([]);
    });

    it("allows one assets binding per Worker, naming the one that has it", () => {
        expect(issuesOf(withAssets({}, { MORE: { kind: "assets", directory: "more" } }))).toEqual([
            'services.site.bindings.MORE: a Worker has one collection of static assets and binding "ASSETS" already declares it; serve both directories from one (move the files under one directory)',
        ]);
    });
});

// ─── The directory's manifest ────────────────────────────────────────────────────────────────────

describe("readAssetsDirectory", () => {
    it("hashes relative paths and contents, the same wherever the directory is", () => {
        const copy = path.join(SCRATCH, "manifest-copy");
        fs.cpSync(path.join(FIXTURE, "public"), copy, { recursive: true });
        const original = readAssetsDirectory(path.join(FIXTURE, "public"));
        const moved = readAssetsDirectory(copy);
        expect(original.manifest?.sha256).toBe(expectedHash(path.join(FIXTURE, "public")));
        expect(moved.manifest).toEqual(original.manifest);
        expect(original.manifest?.files.map((f) => f.path)).toEqual(["404.html", "api/shadow.txt", "docs/guide.html", "hello.txt", "index.html"]);
    });

    it("changes with a renamed or edited file, not with a touched one", () => {
        const dir = path.join(SCRATCH, "manifest-edits");
        fs.cpSync(path.join(FIXTURE, "public"), dir, { recursive: true });
        const before = readAssetsDirectory(dir).manifest!.sha256;
        fs.utimesSync(path.join(dir, "hello.txt"), new Date(2000, 0, 1), new Date(2000, 0, 1));
        expect(readAssetsDirectory(dir).manifest!.sha256).toBe(before);
        fs.renameSync(path.join(dir, "hello.txt"), path.join(dir, "hi.txt"));
        const renamed = readAssetsDirectory(dir).manifest!.sha256;
        expect(renamed).not.toBe(before);
        fs.renameSync(path.join(dir, "hi.txt"), path.join(dir, "hello.txt"));
        expect(readAssetsDirectory(dir).manifest!.sha256).toBe(before);
        fs.appendFileSync(path.join(dir, "hello.txt"), "!");
        expect(readAssetsDirectory(dir).manifest!.sha256).not.toBe(before);
    });

    it("reports a missing directory, a file, and files over 25 MiB", () => {
        expect(readAssetsDirectory(path.join(SCRATCH, "nowhere")).problems).toEqual(["does not exist; create it (or build the assets into it) before planning"]);
        expect(readAssetsDirectory(path.join(FIXTURE, "public", "hello.txt")).problems).toEqual(["is not a directory"]);
        const big = path.join(SCRATCH, "manifest-big");
        fs.mkdirSync(big, { recursive: true });
        fs.writeFileSync(path.join(big, "video.bin"), Buffer.alloc(MAX_ASSET_FILE_BYTES + 1));
        expect(readAssetsDirectory(big).problems).toEqual([
            `contains video.bin of ${MAX_ASSET_FILE_BYTES + 1} bytes; Cloudflare serves files up to 25 MiB (${MAX_ASSET_FILE_BYTES} bytes) as static assets`,
        ]);
    });
});

// ─── (b) Under the mock engine ───────────────────────────────────────────────────────────────────

/** Stack config of the services the tests plan: `versioned` deploys through versions. */
const SERVICE_CONFIG: Readonly<Record<string, unknown>> = { site: { workersDev: true }, versioned: { workersDev: true, deployment: { strategy: "versions" } } };

/** Plans `declarations` (each served from `root`) offline for the production stack. */
function planOffline(entries: readonly { declaration: ServiceDeclaration; root: string }[]): Promise<OfflineRun> {
    const services = Object.fromEntries(entries.map((e) => [e.declaration.name, SERVICE_CONFIG[e.declaration.name]]));
    return runOffline({
        project: "platform",
        stack: "production",
        config: {
            config: {
                "platform:accountId": "0123456789abcdef0123456789abcdef",
                "platform:workersDevSubdomain": "acme",
                "platform:services": JSON.stringify(services),
            },
            secretKeys: [],
        },
        program: () => ({ services: definePlatform(entries, "production").environment.summary }),
    });
}

function find(run: OfflineRun, type: string, name: string): ResourceRecord {
    const found = run.resources.find((r) => r.type === type && r.name === name);
    if (found === undefined) throw new Error(`no ${type} ${name}; have ${run.resources.map((r) => r.name).join(", ")}`);
    return found;
}

describe("WorkerService under mocks", () => {
    let run: OfflineRun;
    const versioned = defineService({ ...siteInput, name: "versioned" });
    const hash = expectedHash(path.join(FIXTURE, "public"));

    beforeAll(async () => {
        run = await planOffline([{ declaration: site, root: FIXTURE }, { declaration: versioned, root: FIXTURE }]);
    });

    it("uploads the directory with the WorkersScript, binds it as type assets, and records its hash", () => {
        const inputs = find(run, SCRIPT, "site-script").inputs;
        expect(inputs.bindings).toEqual([{ name: "ASSETS", type: "assets" }]);
        // Relative to the working directory, which the engine gives the program and the provider alike.
        expect(inputs.assets).toEqual({
            directory: path.relative(process.cwd(), path.join(FIXTURE, "public")),
            config: { htmlHandling: "auto-trailing-slash", notFoundHandling: "single-page-application", runWorkerFirst: ["/api/*", "/health"] },
        });
        expect(inputs.annotations).toEqual({ workersMessage: `static assets sha256:${hash}` });
        expect(inputs.annotations).toEqual({ workersMessage: assetsMessage(hash) });
    });

    it("passes the same assets to the WorkerVersion with deployment.strategy versions, the hash in its message", () => {
        const inputs = find(run, VERSION, "versioned-version").inputs;
        expect(inputs.bindings).toEqual([{ name: "ASSETS", type: "assets" }]);
        expect(inputs.assets).toEqual(find(run, SCRIPT, "site-script").inputs.assets);
        expect(inputs.annotations).toEqual({ workersMessage: `pulumi up: versioned 0.0.0; static assets sha256:${hash}`, workersTag: "0.0.0" });
        expect(run.resources.some((r) => r.type === SCRIPT && r.name === "versioned-script")).toBe(false);
    });

    it("creates no resource of its own: only the script's usual children (subdomain, health gate), parented to the service", () => {
        const component = find(run, "platform:cloudflare:WorkerService", "site");
        const children = run.resources.filter((r) => r.parent === component.urn && r.custom).map((r) => r.type);
        expect(children.sort()).toEqual([SCRIPT, "cloudflare:index/workersScriptSubdomain:WorkersScriptSubdomain", "pulumi-nodejs:dynamic/cloudflare:HealthGate"]);
        expect(run.resources.filter((r) => r.protect)).toEqual([]);
        expect(assets.policy.statefulTypes).toBeUndefined();
    });

    it("summarizes the binding by its directory", () => {
        const summary = serviceSummaries(run.resources).site!.bindings;
        expect(summary).toEqual([{ name: "ASSETS", kind: "assets", target: "public" }]);
    });
});

describe("unchanged assets never show a diff", () => {
    const root = path.join(SCRATCH, "stable");
    const declaration = defineService({ ...siteInput, main: "worker.js" });
    const scriptInputs = async () => find(await planOffline([{ declaration, root }]), SCRIPT, "site-script").inputs;

    beforeAll(() => {
        fs.cpSync(path.join(FIXTURE, "public"), path.join(root, "public"), { recursive: true });
        fs.writeFileSync(path.join(root, "worker.js"), 'export default { fetch() { return new Response("ok"); } };\n');
    });

    it("gives identical script inputs for two plans of an unchanged directory, and different ones after an edit", async () => {
        const first = await scriptInputs();
        fs.utimesSync(path.join(root, "public", "index.html"), new Date(2001, 0, 1), new Date(2001, 0, 1));
        const second = await scriptInputs();
        expect(second).toEqual(first);

        fs.writeFileSync(path.join(root, "public", "hello.txt"), "edited\n");
        const edited = await scriptInputs();
        expect(edited).not.toEqual(first);
        // Only the assets' hash moved: same code, same directory path, same settings.
        const { annotations: editedMessage, ...editedRest } = edited;
        const { annotations: firstMessage, ...firstRest } = first;
        expect(editedRest).toEqual(firstRest);
        expect(editedMessage).toEqual({ workersMessage: assetsMessage(expectedHash(path.join(root, "public"))) });
        expect(editedMessage).not.toEqual(firstMessage);
    });

    it("fails the plan with the directory's path when it is missing or not a directory", async () => {
        const missing = defineService({ ...siteInput, main: "worker.js", bindings: { ASSETS: { kind: "assets", directory: "dist" } } });
        await expect(planOffline([{ declaration: missing, root }])).rejects.toThrow(
            `services.site.bindings.ASSETS.directory: "dist" (${path.join(root, "dist")}) does not exist; create it (or build the assets into it) before planning`);
        const file = defineService({ ...siteInput, main: "worker.js", bindings: { ASSETS: { kind: "assets", directory: "worker.js" } } });
        await expect(planOffline([{ declaration: file, root }])).rejects.toThrow(
            `services.site.bindings.ASSETS.directory: "worker.js" (${path.join(root, "worker.js")}) is not a directory`);
        await expect(planOffline([{ declaration: file, root }])).rejects.toBeInstanceOf(ValidationError);
    });
});

// ─── (c) wrangler config: generated entry, importer mapping, round trip ─────────────────────────

const SETTINGS: ServiceSettings = {
    routes: [], customDomains: [], vars: {}, workersDev: true, crons: [], observability: { enabled: true, headSamplingRate: 1 }, protect: false,
};

function wranglerOf(declaration: ServiceDeclaration, serviceDir = "services/site") {
    return generateWranglerConfig({ declaration, scriptName: `${declaration.name}-staging`, serviceDir, settings: SETTINGS, resources: {}, serviceScripts: {} });
}

describe("generated wrangler config", () => {
    it("writes the assets entry with the directory from the project root", () => {
        expect(wranglerOf(site).config.assets).toEqual({
            directory: "services/site/public",
            binding: "ASSETS",
            html_handling: "auto-trailing-slash",
            not_found_handling: "single-page-application",
            run_worker_first: ["/api/*", "/health"],
        });
        const dotted = defineService({ ...siteInput, bindings: { ASSETS: { kind: "assets", directory: "./build/../dist", runWorkerFirst: true } } });
        expect(wranglerOf(dotted).config.assets).toMatchObject({ directory: "services/site/dist", run_worker_first: true });
    });

    it("rebases the directory onto the generated file's folder, as main and migrations_dir", () => {
        const rendered = renderWranglerFiles(wranglerOf(site), "../../..", []);
        const config = JSON.parse(rendered["wrangler.jsonc"]) as Record<string, Record<string, unknown>>;
        expect(config.assets!.directory).toBe("../../../services/site/public");
        expect(config.main).toBe("../../../services/site/src/index.js");
    });
});

/** A wrangler file with `assets` at the top level and the environments given. */
function wranglerFile(assetsKey: unknown, more: Record<string, unknown> = {}): Record<string, unknown> {
    return { name: "shop", main: "src/index.ts", compatibility_date: "2026-04-01", assets: assetsKey, ...more };
}

function importOf(raw: Record<string, unknown>): ImportResult {
    return importWranglerConfig(raw, { source: "wrangler.jsonc" });
}

describe("importer", () => {
    it("maps every wrangler key to the declaration", () => {
        const result = importOf(wranglerFile({
            directory: "./dist/client/", binding: "STATIC", html_handling: "drop-trailing-slash", not_found_handling: "404-page", run_worker_first: ["/api/*", "!/api/docs/*", "/health"],
        }));
        expect(result.declaration.bindings).toEqual({
            STATIC: { kind: "assets", directory: "dist/client", htmlHandling: "drop-trailing-slash", notFoundHandling: "404-page", runWorkerFirst: ["/api/*", "!/api/docs/*", "/health"] },
        });
        expect(result.notes.filter((n) => n.path.startsWith("assets"))).toEqual([{
            path: "assets.directory", environment: undefined, category: "action",
            message: '"dist/client" is relative to the service directory and must exist there when planning: build the assets into it first',
        }]);
    });

    it("declares assets without a binding under ASSETS, with a note", () => {
        const result = importOf(wranglerFile({ directory: "./public/" }));
        expect(result.declaration.bindings).toEqual({ ASSETS: { kind: "assets", directory: "public" } });
        expect(result.notes).toContainEqual({
            path: "assets", environment: undefined, category: "changed",
            message: "no binding: declared as binding ASSETS (the Worker does not have to use it)",
        });
    });

    it("reads assets an environment inherits from the top level", () => {
        const result = importOf(wranglerFile({ directory: "public", binding: "ASSETS" }, { env: { production: { name: "shop-prod" }, staging: {} } }));
        expect(result.stacks.map((s) => s.stack)).toEqual(["production", "staging"]);
        expect(result.declaration.bindings).toEqual({ ASSETS: { kind: "assets", directory: "public" } });
        expect(result.notes.filter((n) => n.category === "added")).toEqual([]);
    });

    it("makes rules that would keep the health endpoint from the Worker send it there, with a note", () => {
        const result = importOf(wranglerFile({ directory: "dist", not_found_handling: "single-page-application", run_worker_first: ["/api/*", "!/h*"] }));
        expect(result.declaration.bindings.ASSETS).toMatchObject({ runWorkerFirst: ["/api/*", "/health"] });
        expect(result.notes).toContainEqual({
            path: "assets.run_worker_first", environment: undefined, category: "changed",
            message: 'declared as ["/api/*","/health"]: the platform\'s health endpoint /health must run the Worker, which ["/api/*","!/h*"] with not_found_handling "single-page-application" does not allow',
        });
        const untouched = importOf(wranglerFile({ directory: "dist", run_worker_first: ["/api/*"] }));
        expect(untouched.declaration.bindings.ASSETS).toMatchObject({ runWorkerFirst: ["/api/*"] });
        expect(untouched.notes.filter((n) => n.path === "assets.run_worker_first")).toEqual([]);
    });

    it("leaves out assets it cannot declare, saying why", () => {
        const noDirectory = importOf(wranglerFile({ binding: "ASSETS", not_found_handling: "single-page-application" }));
        expect(noDirectory.declaration.bindings).toEqual({});
        expect(noDirectory.notes).toContainEqual(expect.objectContaining({ path: "assets", category: "unsupported", message: expect.stringContaining("no directory") }));
        const absolute = importOf(wranglerFile({ directory: "/srv/www", binding: "ASSETS" }));
        expect(absolute.declaration.bindings).toEqual({});
        expect(absolute.notes).toContainEqual(expect.objectContaining({ path: "assets.directory", category: "unsupported" }));
    });

    it("rejects malformed assets keys with their paths", () => {
        const problems = (raw: Record<string, unknown>) => {
            try {
                importOf(raw);
            } catch (error) {
                if (error instanceof ValidationError) return error.issues.map((i) => `${i.path}: ${i.message}`);
                throw error;
            }
            return [];
        };
        expect(problems(wranglerFile({ directory: "", binding: "", html_handling: "slash", run_worker_first: ["api"] }, {
            env: { production: { assets: "public" } },
        }))).toMatchInlineSnapshot(`
          [
            "assets.directory: expected the assets directory, a non-empty string, got string ("")",
            "assets.binding: expected the binding name, a non-empty string, got string ("")",
            "assets.html_handling: Invalid option: expected one of "auto-trailing-slash"|"force-trailing-slash"|"drop-trailing-slash"|"none", got string ("slash")",
            "assets.run_worker_first[0]: "api": a rule must start with / or !/",
            "env.production.assets: expected object, got string ("public")",
          ]
        `);
        expect(problems(wranglerFile({ directory: "public", binding: "CACHE" }, { kv_namespaces: [{ binding: "CACHE", id: "0123456789abcdef0123456789abcdef" }] }))).toEqual([
            'assets.binding: binding name "CACHE" is already used by kv_namespaces[0]; binding names must be unique in an environment',
        ]);
    });

    it("round trips: import, declare, generate gives the original assets back", () => {
        const original = { directory: "public", binding: "ASSETS", html_handling: "none", not_found_handling: "single-page-application", run_worker_first: true };
        const result = importOf(wranglerFile(original));
        const declaration = defineService(toDeclarationInput(result.declaration));
        expect(wranglerOf(declaration, ".").config.assets).toEqual(original);
        const defaults = importOf(wranglerFile({ directory: "public", binding: "ASSETS" }));
        expect(wranglerOf(defineService(toDeclarationInput(defaults.declaration)), ".").config.assets).toEqual({
            directory: "public", binding: "ASSETS", html_handling: "auto-trailing-slash", not_found_handling: "none", run_worker_first: false,
        });
    });

    it("has nothing to adopt", () => {
        expect(assets.adoption).toBeUndefined();
        expect(assets.resources).toBeUndefined();
    });
});

// ─── (d) The real wrangler accepts the generated config ──────────────────────────────────────────

describe("wrangler deploy --dry-run", () => {
    it("accepts the generated wrangler.jsonc and reads the assets directory", async () => {
        const configPath = writeFixtureConfig(site, FIXTURE, path.join(SCRATCH, "dry-run", "site"));
        const outdir = path.join(SCRATCH, "dry-run", "out");
        const result = await runWrangler(["deploy", "--dry-run", "--config", configPath, "--outdir", outdir], { scratchDir: SCRATCH });
        const output = `${result.stdout}\n${result.stderr}`;
        expect(result.code, output).toBe(0);
        expect(output).toContain("--dry-run: exiting now.");
        expect(output).toMatch(/env\.ASSETS\s+Assets/);
        expect(fs.readdirSync(outdir)).toContain("index.js");
    }, 60_000);
});

// ─── (e) The health check ────────────────────────────────────────────────────────────────────────

describe("health check", () => {
    const declaration = defineService({ ...siteInput, bindings: { ASSETS: { kind: "assets", directory: "public" } } });
    const fetcher = (answer: (request: Request) => Response | Promise<Response>) => {
        const requests: Request[] = [];
        return { requests, binding: { fetch: async (request: Request) => { requests.push(request); return answer(request); } } };
    };

    it("passes on 200 when fetching / through the binding", async () => {
        const fake = fetcher(() => new Response("<!doctype html>"));
        const report = await runHealthChecks(declaration, { ASSETS: fake.binding });
        expect(report.checks.ASSETS).toMatchObject({ status: "ok" });
        expect(report.checks.ASSETS?.message).toBeUndefined();
        expect(fake.requests.map((r) => [r.method, r.url])).toEqual([["GET", ASSETS_PROBE_URL]]);
    });

    it("passes with a note on any other answer below 500 (no index.html, a redirect)", async () => {
        for (const status of [404, 307]) {
            const report = await runHealthChecks(declaration, { ASSETS: fetcher(() => new Response(null, { status })).binding });
            expect(report.checks.ASSETS).toMatchObject({ status: "ok", message: `HTTP ${status} on / (the binding serves)` });
        }
    });

    it("fails on 500 and above, a throwing fetch, and a missing or wrong binding", async () => {
        const failing = async (ASSETS: unknown) => (await runHealthChecks(declaration, { ASSETS })).checks.ASSETS;
        expect(await failing(fetcher(() => new Response("boom", { status: 503 })).binding)).toMatchObject({ status: "fail", message: "the assets answered HTTP 503 on /" });
        expect(await failing({ fetch: async () => { throw new Error("network down"); } })).toMatchObject({ status: "fail", message: expect.stringContaining("network down") });
        expect(await failing(undefined)).toMatchObject({ status: "fail", message: "binding is missing from env; expected a static assets binding" });
        expect(await failing({ get: async () => null })).toMatchObject({ status: "fail", message: "binding is not a static assets binding (it has no fetch())" });
    });

    it("is listed in the planned checks under the binding's name", () => {
        expect(assets.health?.description).toBe("fetch of `/` through the binding (any answer below 500)");
    });
});
