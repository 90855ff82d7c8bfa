/**
 * Bad stack files, service declarations and imported wrangler files (what `npm run import` is given), each run
 * as `npm run plan -- --cwd <project>` / `npm run import` runs it: exit 2, one message naming the file or key
 * with what was expected and what was found, no stack trace, nothing written. Covers what used to pass
 * silently: a Durable Object or Workflow class or an entrypoint the bundled entry does not export (esbuild's
 * metafile knows), paths leaving the service directory through `..`, a `migrationsDir` that is a file or
 * missing, a secret in plain text in the stack file; and what used to print a stack trace: a declaration that
 * does not compile or load. Plans run in-process (they fail before any resource is registered), except the
 * cases about loading TypeScript, which depend on tsx and run as the real command.
 */
import { randomBytes } from "node:crypto";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { importCommand } from "../tools/import";
import { planCommand } from "../tools/plan";
import {
    ACCOUNT, expectUserError, inBatches, inProcess, inProcessSync, listTree, PROJECT_ROOT, SECURE, serviceFields, spawnCommand, workerSource,
    writeProject, type Outcome, type ServiceSpec,
} from "./helpers/badInput";

const workspace = path.join(PROJECT_ROOT, ".platform", `test-declarations-${randomBytes(4).toString("hex")}`);
afterAll(() => fs.rmSync(workspace, { recursive: true, force: true }));

/** The service every stack-file case deploys: a secret and a var in its env contract. */
const SVC: ServiceSpec = {
    fields: serviceFields("svc").replace("env: z.object({})",
        'bindings: { TOKEN: { kind: "secret" }, LEVEL: { kind: "var", value: "info" } }, env: z.object({ TOKEN: z.string(), LEVEL: z.string() })'),
};
const SECRETS = { svc: { TOKEN: SECURE } };

/** One bad project: its services and stack config, and what the message must name. */
interface ProjectCase {
    readonly title: string;
    readonly services?: Readonly<Record<string, ServiceSpec>>;
    /** `config:` entries (`platform:accountId` and the secrets are added unless given), or the whole stack file. */
    readonly config?: Readonly<Record<string, unknown>> | string;
    readonly names: readonly (string | RegExp)[];
    /** Text the message must not contain (a secret value). */
    readonly hides?: string;
    /** Extra setup in the project directory. */
    readonly setup?: (dir: string) => void;
    /** Stack to plan. @default "test" */
    readonly stack?: string;
}

const stackCase = (title: string, config: ProjectCase["config"], ...names: (string | RegExp)[]): ProjectCase => ({ title, config, names });
const declCase = (title: string, services: Record<string, ServiceSpec>, ...names: (string | RegExp)[]): ProjectCase => ({ title, services, names });
/** A service `svc` with these fields (after name, main, compatibilityDate) and files. */
const svc = (extra: string, files?: ServiceSpec["files"]): Record<string, ServiceSpec> =>
    ({ svc: { fields: serviceFields("svc", extra), ...(files === undefined ? {} : { files }) } });
const DO_COUNTER = 'bindings: { COUNTER: { kind: "durableObject", className: "Counter" } }, durableObjectMigrations: [{ tag: "v1", newSqliteClasses: ["Counter"] }]';

const STACK_FILE_CASES: readonly ProjectCase[] = [
    { ...stackCase("a secret in plain text", { "platform:secrets": { svc: { TOKEN: "plain-text-secret-value" } } },
        "platform:secrets.svc.TOKEN", "pulumi config set --secret --path 'platform:secrets.svc.TOKEN' <value>"), hides: "plain-text-secret-value" },
    { ...stackCase("a plain secret beside an encrypted one", { "platform:secrets": { svc: { TOKEN: SECURE, EXTRA: "also-plain-value" } } },
        "platform:secrets.svc.EXTRA", "not \"secure:\""), hides: "also-plain-value" },
    stackCase("a secret that is a number", { "platform:secrets": { svc: { TOKEN: 123456 } } }, "platform:secrets.svc.TOKEN", "--secret"),
    stackCase("platform:secrets as plain text", { "platform:secrets": "token" }, "platform:secrets", "pulumi config set --secret"),
    stackCase("an account id that is not hex", { "platform:accountId": "my-account" }, "platform:accountId", "32-character lowercase hex"),
    stackCase("no account id", `config:\n  platform:secrets:\n    svc:\n      TOKEN:\n        secure: v1:abc\n`, "platform:accountId", "got nothing"),
    stackCase("a misspelled platform key", { "platform:acountId": ACCOUNT }, "platform:acountId", "unknown key"),
    stackCase("a route that is a number", { "platform:zone": { id: ACCOUNT, name: "example.com" }, "platform:services": { svc: { routes: [42] } } }, "platform:services.svc.routes[0]", "expected string, got number (42)"),
    stackCase("a var for a secret binding", { "platform:services": { svc: { vars: { TOKEN: "x" } } } }, "platform:services.svc.vars.TOKEN", "is a secret, not a var"),
    stackCase("a var for no binding", { "platform:services": { svc: { vars: { NOPE: "x" } } } }, "platform:services.svc.vars.NOPE", "declares no binding"),
    stackCase("a custom domain without a zone", { "platform:services": { svc: { customDomains: ["api.example.com"] } } }, "platform:services.svc.customDomains[0]", "zone"),
    stackCase("a custom domain outside the zone", { "platform:zone": { id: ACCOUNT, name: "example.com" }, "platform:services": { svc: { customDomains: ["api.example.org"] } } }, "platform:services.svc.customDomains[0]", "not in the stack's zone"),
    stackCase("a zone without a name", { "platform:zone": { id: ACCOUNT } }, "platform:zone.name", "got nothing"),
    stackCase("protect as text", { "platform:protect": "yes" }, "platform:protect", "expected a YAML/JSON boolean"),
    stackCase("overrides of an undeclared service", { "platform:services": { ghost: { workersDev: true } } }, "platform:services.ghost", 'no service named "ghost"'),
    stackCase("a secret for no secret binding", { "platform:secrets": { svc: { TOKEN: SECURE, GHOST: SECURE } } }, "platform:secrets.svc.GHOST", 'no secret binding "GHOST"'),
    stackCase("a secret binding without a value", { "platform:secrets": {} }, "platform:secrets.svc.TOKEN", "missing; set it with: pulumi config set --secret --path"),
    stackCase("a stack file that is not YAML", "config:\n  platform:accountId: [unclosed\n", "Pulumi.test.yaml", "not valid YAML"),
    stackCase("a stack file that is a list", "- config\n", "Pulumi.test.yaml", "expected a mapping"),
    stackCase("config: that is a list", "config:\n  - platform:accountId\n", "Pulumi.test.yaml:config", "expected a mapping of config keys"),
    stackCase("a key given twice", `config:\n  platform:accountId: "${ACCOUNT}"\n  platform:accountId: "${ACCOUNT}"\n`, "Pulumi.test.yaml", /unique|duplicate/i),
    stackCase("an invalid cron", { "platform:services": { svc: { crons: ["every day"] } } }, "platform:services.svc.crons[0]", "invalid cron expression"),
    stackCase("an unknown deployment strategy", { "platform:services": { svc: { deployment: { strategy: "blue-green" } } } }, "platform:services.svc.deployment", "blue-green"),
    stackCase("workers.dev as text", { "platform:services": { svc: { workersDev: "yes" } } }, "platform:services.svc.workersDev", "expected boolean"),
    stackCase("a database without its project", { "platform:database": { neon: {} } }, "platform:database.neon.project", "got nothing"),
    { title: "a stack file that is a directory", names: ["Pulumi.test.yaml", "is a directory, not a file"], setup: (dir) => {
        fs.rmSync(path.join(dir, "Pulumi.test.yaml"));
        fs.mkdirSync(path.join(dir, "Pulumi.test.yaml"));
    } },
    { title: "no stack file for the stack", stack: "other", names: ["Pulumi.other.yaml", "file not found"] },
    { title: "a project file without a name", names: ["Pulumi.yaml:name", "project name"], setup: (dir) => fs.writeFileSync(path.join(dir, "Pulumi.yaml"), "runtime: nodejs\nmain: index.ts\n") },
];

const DECLARATION_CASES: readonly ProjectCase[] = [
    declCase("a Durable Object class the entry does not export", svc(DO_COUNTER),
        "services.svc.bindings.COUNTER.className", /Durable Object class "Counter" is not exported by \S*services\/svc\/src\/index\.ts/),
    declCase("a Durable Object class exported under another name", svc(DO_COUNTER, { "src/index.ts": workerSource("Counters") }),
        "services.svc.bindings.COUNTER.className", 'it exports "Counters"'),
    declCase("a Workflow class the entry does not export", svc('bindings: { EXPORTS: { kind: "workflow", className: "NotesExport" } }'),
        "services.svc.bindings.EXPORTS.className", 'Workflow class (a WorkflowEntrypoint) "NotesExport" is not exported'),
    declCase("an entrypoint the bound service does not export", {
        a: { fields: serviceFields("a", 'bindings: { B: { kind: "service", service: "b", entrypoint: "AdminApi" } }') },
        b: { fields: serviceFields("b"), files: { "src/index.ts": workerSource("Admin") } },
    }, "services.a.bindings.B.entrypoint", /"AdminApi" is not exported by \S*services\/b\/src\/index\.ts \(it exports "Admin"\)/),
    declCase("a live migration class the entry does not export", svc('durableObjectMigrations: [{ tag: "v1", newSqliteClasses: ["Room"] }]'),
        "services.svc.durableObjectMigrations", 'Durable Object class "Room", live after these migrations, is not exported'),
    declCase("main leaving the service directory", { svc: { fields: serviceFields("svc").replace('"src/index.ts"', '"../shared/index.ts"') } },
        "services.svc.main", "leaves it through \"..\""),
    declCase("a migrationsDir leaving the service directory", svc('bindings: { DB: { kind: "d1", migrationsDir: "../migrations" } }'),
        "services.svc.bindings.DB.migrationsDir", "expected a path inside the service directory"),
    declCase("an assets directory leaving the service directory", svc('bindings: { ASSETS: { kind: "assets", directory: "src/../../public" } }'),
        "services.svc.bindings.ASSETS.directory", "leaves it"),
    declCase("a migrationsDir that is a file", svc('bindings: { DB: { kind: "d1", migrationsDir: "schema.sql" } }', { "src/index.ts": workerSource(), "schema.sql": "create table t (id int);" }),
        "services.svc.bindings.DB.migrationsDir", '"schema.sql" is a file'),
    declCase("a migrationsDir that does not exist", svc('bindings: { DB: { kind: "d1", migrationsDir: "db/migrations" } }'),
        "services.svc.bindings.DB.migrationsDir", '"db/migrations" does not exist'),
    declCase("an absolute main", { svc: { fields: serviceFields("svc").replace('"src/index.ts"', '"/srv/worker/index.ts"') } },
        "services.svc.main", "expected a path relative to the service directory"),
    declCase("a main that does not exist", { svc: { fields: serviceFields("svc").replace('"src/index.ts"', '"src/worker.ts"') } },
        "services.svc.main", "services/svc/src/worker.ts does not exist"),
    declCase("a main that is a directory", { svc: { fields: serviceFields("svc").replace('"src/index.ts"', '"src/index.ts"'), files: { "src/index.ts/": null } } },
        "services.svc.main", "is not a file"),
    declCase("a Worker with a syntax error", svc("", { "src/index.ts": "export default { async fetch() { return new Response(\"ok\") ;\n" }),
        "services.svc.main", "does not bundle", "src/index.ts:2:"),
    declCase("a Worker importing a missing module", svc("", { "src/index.ts": 'import { helper } from "./helpers";\nexport default { fetch: helper };\n' }),
        "services.svc.main", 'Could not resolve "./helpers"'),
    declCase("a service module without a default export", { svc: { fields: "", source: 'export const declaration = "forgot export default";\n' } },
        "services[0] (", "/services/svc)", "expected a declaration made by defineService (the default export of service.ts), got nothing"),
    declCase("a declaration written without defineService", { svc: { fields: "", source: 'export default { name: "svc", main: "src/index.ts" };\n' } },
        "services[0] (", "expected a declaration made by defineService (the default export of service.ts), got object"),
    declCase("a binding name that is no identifier", svc('bindings: { "my-kv": { kind: "kv" } }'), "services.svc.bindings.my-kv", "JavaScript identifier"),
    declCase("an unknown binding kind", svc('bindings: { CACHE: { kind: "redis" } }'), "services.svc.bindings.CACHE.kind", "redis"),
    declCase("an env contract key without a binding", { svc: { fields: serviceFields("svc").replace("env: z.object({})", "env: z.object({ API_KEY: z.string() })") } },
        "services.svc.env.API_KEY", "no binding provides it"),
    declCase("a var outside the env contract", svc('bindings: { LEVEL: { kind: "var", value: "info" } }'), "services.svc.bindings.LEVEL", "not in the env contract"),
    declCase("a compatibility date that is no date", { svc: { fields: serviceFields("svc").replace("2026-04-01", "2026-13-01") } }, "services.svc.compatibilityDate", "real calendar date"),
    declCase("a service name with an uppercase letter", { Svc: { fields: serviceFields("Svc") } }, "services.Svc.name", "lowercase letters"),
    declCase("a Durable Object no migration creates", svc('bindings: { COUNTER: { kind: "durableObject", className: "Counter" } }'),
        "services.svc.bindings.COUNTER.className", "not created by any step of durableObjectMigrations"),
    declCase("two services with one name", { a: { fields: serviceFields("twin") }, b: { fields: serviceFields("twin") } }, "services.twin.name", "names must be unique"),
    declCase("a service binding to an undeclared service", svc('bindings: { API: { kind: "service", service: "api" } }'), "services.svc.bindings.API.service", 'no service named "api"'),
    declCase("a migrations pattern leaving migrationsDir", svc('bindings: { DB: { kind: "d1", migrationsPattern: "../*.sql" } }'), "services.svc.bindings.DB.migrationsPattern", "relative to migrationsDir"),
    declCase("an assets directory that does not exist", svc('bindings: { ASSETS: { kind: "assets", directory: "public" } }'), "services.svc.bindings.ASSETS.directory", "does not exist"),
    declCase("a main that is no JavaScript module", { svc: { fields: serviceFields("svc").replace('"src/index.ts"', '"src/index.py"') } }, "services.svc.main", ".ts, .mts, .js or .mjs"),
    declCase("every problem of two services at once", {
        a: { fields: serviceFields("a", DO_COUNTER) },
        b: { fields: serviceFields("b", 'bindings: { DB: { kind: "d1", migrationsDir: "sql" } }') },
    }, "(2 problems)", "services.a.bindings.COUNTER.className", "services.b.bindings.DB.migrationsDir"),
];

function caseDir(title: string): string {
    return title.toLowerCase().replace(/[^a-z0-9]+/g, "-").replace(/^-|-$/g, "");
}

/** Writes the case's project and plans it in-process as `npm run plan -- --cwd <dir>` does. */
async function planCase(c: ProjectCase): Promise<{ outcome: Outcome; dir: string; before: string[] }> {
    // The stack-file cases deploy SVC, whose secret the stack provides unless the case says otherwise.
    const secrets = c.services === undefined ? { "platform:secrets": SECRETS } : {};
    const dir = writeProject(workspace, caseDir(c.title), {
        services: c.services ?? { svc: SVC },
        stackConfig: typeof c.config === "string" ? c.config : { ...secrets, ...c.config },
    });
    c.setup?.(dir);
    const before = listTree(dir);
    const outcome = await inProcess(planCommand, [
        "--stack", c.stack ?? "test", "--cwd", dir, "--no-policies", "--out", path.join(dir, "out"), "--json", path.join(dir, "plan.json"),
    ]);
    return { outcome, dir, before };
}

describe("the fixtures plan cleanly as they are", () => {
    it("a valid project plans with exit 0 (so each case fails for its one change)", async () => {
        const { outcome, dir } = await planCase({ title: "valid", names: [], config: { "platform:secrets": SECRETS }, services: {
            svc: SVC,
            dobj: { fields: serviceFields("dobj", DO_COUNTER), files: { "src/index.ts": workerSource("Counter"), "migrations/": null } },
        } });
        expect(outcome.code, outcome.stderr).toBe(0);
        expect(fs.existsSync(path.join(dir, "out", "test", "svc", "wrangler.jsonc"))).toBe(true);
        fs.rmSync(path.join(dir, "out"), { recursive: true });
        fs.rmSync(path.join(dir, "plan.json"));
    }, 60_000);
});

/** Each case's message with the workspace's random path replaced, for the snapshot. */
const rendered: string[] = [];

for (const [group, cases] of [["stack files", STACK_FILE_CASES], ["service declarations", DECLARATION_CASES]] as const) {
    describe(`bad ${group} (npm run plan -- --cwd, in-process)`, () => {
        for (const c of cases) {
            it(`${c.title}: exits 2 naming it, without a stack trace, writing nothing`, async () => {
                const { outcome, dir, before } = await planCase(c);
                expectUserError(outcome, c.names, c.title);
                if (c.hides !== undefined) expect(outcome.stderr + outcome.stdout).not.toContain(c.hides);
                expect(listTree(dir)).toEqual(before);
                rendered.push(`${c.title}\n${outcome.stderr.split(dir).join("<project>").split(path.relative(PROJECT_ROOT, dir)).join("<project>")}`);
            }, 30_000);
        }
    });
}

describe("the messages", () => {
    it("are worded as snapshotted (wording changes are reviewed)", () => {
        expect(rendered.length).toBe(STACK_FILE_CASES.length + DECLARATION_CASES.length);
        expect(rendered.join("\n")).toMatchSnapshot();
    });
});

describe("declarations that do not load (the real command: tsx compiles them)", () => {
    const LOAD_CASES: readonly (ProjectCase & { readonly source: string })[] = [
        {
            title: "a TypeScript syntax error in service.ts", names: ["The program does not compile", "services/svc/service.ts:5:4", 'Expected "}" but found "main"'],
            source: 'import { z } from "zod";\nimport { defineService } from "DECL";\nexport default defineService({\n    name: "svc"\n    main: "src/index.ts",\n});\n',
        },
        {
            title: "service.ts importing a module that does not exist", names: ["services/svc/service.ts: cannot import", "./contract"],
            source: 'import { contract } from "./contract";\nexport default contract;\n',
        },
        {
            title: "service.ts throwing while it loads", names: ["services/svc/service.ts:2:", "TypeError while loading it"],
            source: 'const settings: { limits?: { cpuMs: number } } = {};\nexport default settings.limits!.cpuMs;\n',
        },
    ];
    const outcomes: Outcome[] = [];
    const befores: string[][] = [];
    const dirs: string[] = [];

    beforeAll(async () => {
        for (const c of LOAD_CASES) {
            const root = path.join(workspace, caseDir(c.title), "services", "svc");
            const decl = path.relative(root, path.join(PROJECT_ROOT, "components", "service", "declaration")).split(path.sep).join("/");
            const dir = writeProject(workspace, caseDir(c.title), { services: { svc: { fields: "", source: c.source.replace("DECL", decl) } }, stackConfig: {} });
            dirs.push(dir);
            befores.push(listTree(dir));
        }
        outcomes.push(...await inBatches(dirs, 3, (dir) => spawnCommand("tools/plan.ts", ["--stack", "test", "--cwd", dir, "--no-policies", "--out", path.join(dir, "out")])));
    }, 120_000);

    LOAD_CASES.forEach((c, i) => {
        it(`${c.title}: exits 2 naming the file and line, without a stack trace, writing nothing`, () => {
            expectUserError(outcomes[i]!, c.names, c.title);
            expect(listTree(dirs[i]!)).toEqual(befores[i]);
        });
    });
});

describe("npm run import: files and arguments it cannot use (in-process, as the CLI runs)", () => {
    const tmp = fs.mkdtempSync(path.join(os.tmpdir(), "import-args-"));
    const at = (...parts: string[]) => path.join(tmp, ...parts);
    fs.writeFileSync(at("wrangler.toml"), 'name = "shop"\nmain = "src/index.ts"\ncompatibility_date = "2026-04-01"\n[env.production]\n');
    fs.writeFileSync(at("wrangler.yaml"), "name: shop\n");
    fs.mkdirSync(at("wrangler-dir.toml"));
    afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));
    const out = at("out");
    const IMPORT_CASES: readonly { title: string; argv: readonly string[]; names: readonly (string | RegExp)[] }[] = [
        { title: "no file", argv: ["--out", out], names: ["expected one wrangler config file, got 0"] },
        { title: "two files", argv: [at("wrangler.toml"), at("wrangler.toml"), "--out", out], names: ["got 2"] },
        { title: "a file that does not exist", argv: [at("nope.toml"), "--out", out], names: [`${at("nope.toml")}: file not found`] },
        { title: "a directory instead of a file", argv: [at("wrangler-dir.toml"), "--out", out], names: [at("wrangler-dir.toml"), "directory"] },
        { title: "a device instead of a file", argv: ["/dev/null", "--out", out], names: ["/dev/null", /regular file|not a .*file/] },
        { title: "a file that is no wrangler config", argv: [at("wrangler.yaml"), "--out", out], names: ["wrangler.yaml", "expected a wrangler.toml, wrangler.json or wrangler.jsonc file"] },
        { title: "no --out", argv: [at("wrangler.toml")], names: ["--out <dir> is required"] },
        { title: "an empty --out", argv: [at("wrangler.toml"), "--out", ""], names: ["--out <dir> is required"] },
        { title: "--env without =", argv: [at("wrangler.toml"), "--out", out, "--env", "production"], names: ["--env production", "<stack>=<wrangler environment>"] },
        { title: "--env feeding one stack twice", argv: [at("wrangler.toml"), "--out", out, "--env", "production=a", "--env", "production=b"], names: ["--env production=b", "already fed"] },
        { title: "--env with a stack name that is none", argv: [at("wrangler.toml"), "--out", out, "--env", "Prod_1=production"], names: ["Prod_1", "not a stack name"] },
        { title: "an unknown flag", argv: [at("wrangler.toml"), "--out", out, "--acount-id", ACCOUNT], names: ["--acount-id", "usage: npm run import"] },
        { title: "a --name that is no service name", argv: [at("wrangler.toml"), "--out", out, "--name", "Shop!"], names: ["--name", "Shop!"] },
        { title: "an --account-id that is no account id", argv: [at("wrangler.toml"), "--out", out, "--account-id", "acme"], names: ["--account-id", "acme"] },
    ];

    it("has a case per argument it checks", () => expect(IMPORT_CASES.length).toBeGreaterThanOrEqual(14));

    for (const c of IMPORT_CASES) {
        it(`${c.title}: exits 2 naming it, without a stack trace, writing nothing`, () => {
            const before = listTree(tmp);
            expectUserError(inProcessSync(importCommand, c.argv), c.names, c.title);
            expect(listTree(tmp)).toEqual(before);
        });
    }
});

describe("counts", () => {
    it("covers at least 60 bad stack files, declarations and imports of its own", () => {
        expect(STACK_FILE_CASES.length + DECLARATION_CASES.length + 3 + 14).toBeGreaterThanOrEqual(60);
    });
});
