/**
 * Malformed and invalid wrangler configs given to `npm run import`: each one exits 2 with an error
 * headed by the offending key (or file:line:column for syntax errors) and what was expected, and
 * nothing is written — neither `--out` nor a temporary directory beside it. Cases are small inline
 * files; the rendered messages are snapshotted so wording changes are reviewed.
 */
import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { importCase, runImportCommand } from "./helpers/importCommand";

const PROJECT_ROOT = path.resolve(__dirname, "..");
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), "import-invalid-"));
afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));

interface Case {
    /** What is wrong. */
    readonly title: string;
    /** File name (the extension picks the format) and text. */
    readonly file: string;
    readonly text: string | Uint8Array;
    /** Extra arguments. */
    readonly args?: readonly string[];
    /** The path every error must name, and a phrase of its message. */
    readonly path: string;
    readonly message: string;
}

const BASE_TOML = 'name = "shop"\nmain = "src/index.ts"\ncompatibility_date = "2025-01-01"\n';
const CASES: readonly Case[] = [
    { title: "broken TOML: a key without a value", file: "wrangler.toml", text: 'name = "shop"\nmain = \n', path: "wrangler.toml:2:8", message: "in key main: invalid TOML" },
    { title: "broken TOML: a table defined twice", file: "wrangler.toml", text: `${BASE_TOML}[env.production]\nworkers_dev = true\n[env.production]\n`, path: "wrangler.toml:6:2", message: "in key env.production" },
    { title: "broken TOML: an unterminated string", file: "wrangler.toml", text: `${BASE_TOML}[vars]\nGREETING = "hello\n`, path: "wrangler.toml:5", message: "in key vars.GREETING" },
    { title: "broken JSONC: a missing comma", file: "wrangler.jsonc", text: '{\n  "name": "shop"\n  "main": "src/index.ts"\n}\n', path: "wrangler.jsonc:3:3", message: "comma expected" },
    { title: "broken JSONC: an unclosed array", file: "wrangler.jsonc", text: '{\n  "name": "shop",\n  "kv_namespaces": [ { "binding": "CACHE" }\n}\n', path: "wrangler.jsonc:4", message: "in key kv_namespaces" },
    { title: "JSON whose top level is not an object", file: "wrangler.json", text: '["shop"]\n', path: "wrangler.json", message: "expected an object of configuration keys" },
    { title: "a file that is not a wrangler config", file: "wrangler.yaml", text: "name: shop\n", path: "wrangler.yaml", message: "expected a wrangler.toml, wrangler.json or wrangler.jsonc file" },
    { title: "kv_namespaces not an array", file: "wrangler.toml", text: `${BASE_TOML}[kv_namespaces]\nbinding = "CACHE"\n`, path: "kv_namespaces", message: "expected array, got object" },
    { title: "a KV binding without its name", file: "wrangler.toml", text: `${BASE_TOML}[[kv_namespaces]]\nid = "0123456789abcdef0123456789abcdef"\n`, path: "kv_namespaces[0].binding", message: "expected string, got nothing (the field is required)" },
    { title: "a KV id that is a number", file: "wrangler.jsonc", text: '{ "name": "shop", "main": "src/index.ts", "compatibility_date": "2025-01-01", "kv_namespaces": [{ "binding": "CACHE", "id": 42 }] }', path: "kv_namespaces[0].id", message: "expected string, got number (42)" },
    { title: "a D1 binding without its name in an environment", file: "wrangler.toml", text: `${BASE_TOML}[[env.production.d1_databases]]\ndatabase_id = "5c1e0f4a-1b2c-4d3e-8f90-a1b2c3d4e5f6"\n`, path: "env.production.d1_databases[0].binding", message: "expected string, got nothing" },
    { title: "a Durable Object binding without its class", file: "wrangler.toml", text: `${BASE_TOML}[[durable_objects.bindings]]\nname = "ROOMS"\n`, path: "durable_objects.bindings[0].class_name", message: "expected string, got nothing" },
    { title: "a service binding without its service", file: "wrangler.jsonc", text: '{ "name": "shop", "main": "src/index.ts", "compatibility_date": "2025-01-01", "services": [{ "binding": "API" }] }', path: "services[0].service", message: "expected string, got nothing" },
    { title: "a migration without its tag", file: "wrangler.toml", text: `${BASE_TOML}[[migrations]]\nnew_sqlite_classes = ["Room"]\n`, path: "migrations[0].tag", message: "expected string, got nothing" },
    { title: "two migrations with one tag", file: "wrangler.toml", text: `${BASE_TOML}[[migrations]]\ntag = "v1"\nnew_sqlite_classes = ["Room"]\n[[migrations]]\ntag = "v1"\nnew_sqlite_classes = ["Lobby"]\n`, path: "migrations[1].tag", message: 'tag "v1" is used by an earlier step' },
    { title: "a migration deleting a class that does not exist", file: "wrangler.toml", text: `${BASE_TOML}[[migrations]]\ntag = "v1"\ndeleted_classes = ["Ghost"]\n`, path: "migrations[0].deleted_classes", message: 'cannot delete "Ghost"' },
    { title: "a migration class that is not a class name", file: "wrangler.toml", text: `${BASE_TOML}[[migrations]]\ntag = "v1"\nnew_classes = ["chat-room"]\n`, path: "migrations[0].new_classes[0]", message: "expected a JavaScript class name" },
    { title: "a KV namespace and a var with one name", file: "wrangler.toml", text: `${BASE_TOML}[[kv_namespaces]]\nbinding = "CACHE"\n[vars]\nCACHE = "on"\n`, path: "vars.CACHE", message: 'binding name "CACHE" is already used by kv_namespaces[0]' },
    { title: "two KV bindings with one name in an environment", file: "wrangler.jsonc", text: '{ "name": "shop", "main": "src/index.ts", "compatibility_date": "2025-01-01", "env": { "staging": { "kv_namespaces": [{ "binding": "CACHE" }, { "binding": "CACHE" }] } } }', path: "env.staging.kv_namespaces[1]", message: "binding names must be unique" },
    { title: "a secret that is also a var", file: "wrangler.jsonc", text: '{ "name": "shop", "main": "src/index.ts", "compatibility_date": "2025-01-01", "vars": { "TOKEN": "x" }, "secrets": { "required": ["TOKEN"] } }', path: "secrets.required[0]", message: 'binding name "TOKEN" is already used by vars.TOKEN' },
    { title: "an unquoted TOML date as compatibility_date", file: "wrangler.toml", text: 'name = "shop"\nmain = "src/index.ts"\ncompatibility_date = 2025-01-01\n', path: "compatibility_date", message: "got a TOML date: quote it" },
    { title: "a compatibility_date in the wrong format", file: "wrangler.jsonc", text: '{ "name": "shop", "main": "src/index.ts", "compatibility_date": "2025/01/01" }', path: "compatibility_date", message: "expected a date as YYYY-MM-DD" },
    { title: "a compatibility_date that is no calendar date", file: "wrangler.jsonc", text: '{ "name": "shop", "main": "src/index.ts", "compatibility_date": "2025-02-30" }', path: "compatibility_date", message: "expected a real calendar date" },
    { title: "a TOML date in vars", file: "wrangler.toml", text: `${BASE_TOML}[vars]\nRELEASED = 2025-12-19\n`, path: "vars.RELEASED", message: "a TOML date is not supported in vars" },
    { title: "routes that are not routes", file: "wrangler.toml", text: `${BASE_TOML}routes = 42\n`, path: "routes", message: "expected an array of routes" },
    { title: "workers_dev that is not a boolean", file: "wrangler.toml", text: `${BASE_TOML}workers_dev = "yes"\n`, path: "workers_dev", message: 'expected boolean, got string ("yes")' },
    { title: "crons that are not a list", file: "wrangler.toml", text: `${BASE_TOML}[triggers]\ncrons = "0 * * * *"\n`, path: "triggers.crons", message: "expected array, got string" },
    { title: "a head sampling rate above 1", file: "wrangler.toml", text: `${BASE_TOML}[observability]\nenabled = true\nhead_sampling_rate = 2\n`, path: "observability.head_sampling_rate", message: "expected a fraction from 0 to 1, got number (2)" },
    { title: "env that is not a table", file: "wrangler.jsonc", text: '{ "name": "shop", "main": "src/index.ts", "compatibility_date": "2025-01-01", "env": "production" }', path: "env", message: "expected a table of environments" },
    { title: "an environment that is not a table", file: "wrangler.jsonc", text: '{ "name": "shop", "main": "src/index.ts", "compatibility_date": "2025-01-01", "env": { "production": 3 } }', path: "env.production", message: "expected an environment table" },
    { title: "an unknown environment name mapped to a stack", file: "wrangler.toml", text: `${BASE_TOML}[env.prod]\nworkers_dev = false\n`, args: ["--env", "production=prdo"], path: "--env production=prdo", message: "the file has no env.prdo; its environments: prod" },
    { title: "a stack name that is not one", file: "wrangler.toml", text: `${BASE_TOML}[env.dev]\nworkers_dev = true\n`, args: ["--env", "QA_1=dev"], path: "--env QA_1=dev", message: '"QA_1" is not a stack name: expected lowercase letters and digits' },
    { title: "one environment mapped to both stacks", file: "wrangler.toml", text: `${BASE_TOML}[env.dev]\nworkers_dev = true\n`, args: ["--env", "staging=dev", "--env", "production=dev"], path: "--env production=dev", message: "env.dev is already mapped to stack staging" },
    {
        title: "a script name too long for Cloudflare", file: "wrangler.toml",
        text: 'name = "inventory-synchronisation-api"\nmain = "src/index.ts"\ncompatibility_date = "2025-01-01"\n[env.customer-acceptance-environment-eu]\nworkers_dev = true\n',
        path: "name", message: 'the script name of stack customer-acceptance-environment-eu, "inventory-synchronisation-api-customer-acceptance-environment-eu", would be 64 characters, more than Cloudflare\'s 63; pass --name <service> with at most 28 characters',
    },
    {
        title: "a script name too long for Cloudflare with --name", file: "wrangler.toml",
        text: `${BASE_TOML}[env.customer-acceptance-environment-eu]\nworkers_dev = true\n`, args: ["--name", "inventory-synchronisation-api"],
        path: "--name", message: "pass --name <service> with at most 28 characters",
    },
    {
        title: "an R2 bucket name too long for Cloudflare", file: "wrangler.toml",
        text: 'name = "order-management-service"\nmain = "src/index.ts"\ncompatibility_date = "2025-01-01"\n[[r2_buckets]]\nbinding = "CUSTOMER_INVOICE_ATTACHMENTS"\nbucket_name = "invoices"\n',
        path: "name", message: 'the name of the r2 resource of binding CUSTOMER_INVOICE_ATTACHMENTS in stack production, "order-management-service-production-customer-invoice-attachments", would be 64 characters',
    },
    {
        title: "an environment name too long for any script name", file: "wrangler.toml",
        text: `${BASE_TOML}[env.a-very-long-environment-name-used-by-the-team-for-previews-xyz]\nworkers_dev = true\n`,
        path: "env.a-very-long-environment-name-used-by-the-team-for-previews-xyz", message: "whatever the service name; pass --env <stack>=a-very-long-environment-name-used-by-the-team-for-previews-xyz with a shorter stack name",
    },
    {
        title: "two live Workers whose migration histories diverge", file: "wrangler.toml",
        text: `${BASE_TOML}[[env.production.migrations]]\ntag = "v1"\nnew_sqlite_classes = ["Room"]\n[[env.staging.migrations]]\ntag = "v1"\nnew_sqlite_classes = ["Lobby"]\n`,
        path: "env.staging.migrations[0]", message: 'the Worker "shop-staging" (env.staging) has this step {"tag":"v1","new_sqlite_classes":["Lobby"]} where the Worker "shop-production" (env.production) has {"tag":"v1","new_sqlite_classes":["Room"]}',
    },
    {
        title: "a migration history wrangler would reject in an environment that is not production", file: "wrangler.toml",
        text: `${BASE_TOML}[[env.staging.migrations]]\ntag = "v1"\ndeleted_classes = ["Ghost"]\n`,
        path: "env.staging.migrations[0].deleted_classes", message: 'cannot delete "Ghost"',
    },
    { title: "an invalid --name", file: "wrangler.toml", text: BASE_TOML, args: ["--name", "Shop_API"], path: "--name", message: "expected a service name" },
    { title: "an invalid --account-id", file: "wrangler.toml", text: BASE_TOML, args: ["--account-id", "my-account"], path: "--account-id", message: "expected a Cloudflare account id" },
    // Issue 13 item 3: duplicate keys and other parser warnings are errors naming the line; limits in the message.
    { title: "a TOML key given twice", file: "wrangler.toml", text: `${BASE_TOML}[vars]\nMODE = "a"\nMODE = "b"\n`, path: "wrangler.toml:6:1", message: "in key vars.MODE: duplicate key: vars.MODE is already defined above" },
    {
        title: "a JSONC key given twice in an environment", file: "wrangler.jsonc",
        text: '{\n  "name": "shop", "main": "src/index.ts", "compatibility_date": "2025-01-01",\n  "env": { "staging": {\n    "vars": { "MODE": "a",\n      "MODE": "b" } } }\n}\n',
        path: "wrangler.jsonc:5:7", message: "duplicate key: env.staging.vars.MODE is already defined on line 4",
    },
    { title: "a JSON top-level key given twice", file: "wrangler.json", text: '{ "name": "shop",\n  "main": "src/index.ts",\n  "compatibility_date": "2025-01-01",\n  "name": "store" }\n', path: "wrangler.json:4:3", message: "duplicate key: name is already defined on line 1" },
    { title: "a JSON value nested 5,000 levels deep", file: "wrangler.json", text: `{ "name": "shop", "vars": { "A": ${"[".repeat(5000)}${"]".repeat(5000)} } }`, path: "wrangler.json:1:", message: "more than 32 levels deep" },
    { title: "a TOML inline value nested 40 levels deep", file: "wrangler.toml", text: `${BASE_TOML}[vars]\nA = ${"[".repeat(40)}${"]".repeat(40)}\n`, path: "wrangler.toml:5:", message: "in key vars.A: the value nests tables and arrays more than 32 levels deep" },
    { title: "a TOML table header 100 keys deep", file: "wrangler.toml", text: `${BASE_TOML}[vars.${Array(100).fill("x").join(".")}]\ny = 1\n`, path: "vars.x.x.x", message: "more than 32 levels deep; the importer reads wrangler configs nested at most 32 levels" },
    {
        title: "a file over 1 MiB", file: "wrangler.toml", text: `${BASE_TOML}[vars]\n${Array.from({ length: 20_000 }, (_, i) => `V${i} = "${"x".repeat(50)}"`).join("\n")}\n`,
        path: "wrangler.toml", message: "the importer reads wrangler configs of at most 1048576 bytes (1 MiB)",
    },
    {
        title: "more environments than stacks the importer makes", file: "wrangler.toml",
        text: `${BASE_TOML}${Array.from({ length: 257 }, (_, i) => `[env.preview-${i}]\nworkers_dev = true\n`).join("")}`,
        path: "env", message: "257 environments; the importer reads at most 256",
    },
    {
        title: "more bindings in one environment than the importer reads", file: "wrangler.toml",
        text: `${BASE_TOML}[env.production.vars]\n${Array.from({ length: 1001 }, (_, i) => `V${i} = "x"`).join("\n")}\n`,
        path: "env.production", message: "1001 bindings; the importer reads at most 1000 per environment",
    },
    { title: "a UTF-16 file", file: "wrangler.toml", text: new Uint8Array([0xff, 0xfe, ...Buffer.from(BASE_TOML, "utf16le")]), path: "wrangler.toml", message: "encoded as UTF-16 LE" },
    { title: "a byte that is not UTF-8", file: "wrangler.toml", text: Buffer.concat([Buffer.from(`${BASE_TOML}[vars]\nA = "caf`), Buffer.from([0xe9]), Buffer.from('"\n')]), path: "wrangler.toml:5:9", message: "byte 0xe9 is not UTF-8 text" },
];

const run = runImportCommand;

describe("npm run import on malformed or invalid input", () => {
    it("has at least 20 cases", () => {
        expect(CASES.length).toBeGreaterThanOrEqual(20);
    });

    const rendered: string[] = [];
    it.each(CASES.map((c, i) => [c.title, c, i] as const))("%s: exits 2 naming the key, and writes nothing", (_title, c, i) => {
        const dir = path.join(tmp, `case-${i}`);
        const result = importCase(dir, c.file, c.text, c.args);
        expect(result.code).toBe(2);
        expect(result.stdout).toBe("");
        const line = result.stderr.split("\n").find((l) => l.startsWith(`  - ${c.path}`));
        expect(line, `no error headed by ${c.path} in:\n${result.stderr}`).toBeDefined();
        expect(line).toContain(c.message);
        expect(result.stderr).not.toMatch(/\n\s+at /); // no stack trace
        expect(result.stderr).toContain("Nothing was written.");
        // Nothing written: no --out, no temporary directory beside it.
        expect(fs.readdirSync(dir).sort()).toEqual([c.file]);
        rendered.push(`${c.title}\n${result.stderr}`);
    });

    it("words the errors as snapshotted", () => {
        expect(rendered.join("\n")).toMatchSnapshot();
    });

    it("refuses arguments it cannot use, writing nothing", () => {
        const dir = path.join(tmp, "args");
        fs.mkdirSync(dir);
        const file = path.join(dir, "wrangler.toml");
        fs.writeFileSync(file, BASE_TOML);
        expect(run([file]).stderr).toContain("--out <dir> is required");
        expect(run([file, "--out", path.join(dir, "o"), "--bogus"]).code).toBe(2);
        expect(run([file, "--out", path.join(dir, "o"), "--env", "production"]).stderr).toContain("expected <stack>=<wrangler environment>");
        const twice = run([file, "--out", path.join(dir, "o"), "--env", "production=a", "--env", "production=b"]);
        expect(twice.code).toBe(2);
        expect(twice.stderr).toContain("--env production=b: stack production is already fed by --env production=a");
        const missing = run([path.join(dir, "nope.toml"), "--out", path.join(dir, "o")]);
        expect(missing.code).toBe(2);
        expect(missing.stderr).toContain(`${path.join(dir, "nope.toml")}: file not found`);
        fs.mkdirSync(path.join(dir, "taken"));
        fs.writeFileSync(path.join(dir, "taken", "keep.txt"), "mine");
        const taken = run([file, "--out", path.join(dir, "taken")]);
        expect(taken.code).toBe(2);
        expect(taken.stderr).toContain("is not empty; the import never overwrites");
        expect(fs.readdirSync(path.join(dir, "taken"))).toEqual(["keep.txt"]);
        expect(fs.readdirSync(dir).sort()).toEqual(["taken", "wrangler.toml"]);
    });

    it("refuses a directory or a device as the wrangler file, without reading it", () => {
        const dir = path.join(tmp, "not-a-file");
        fs.mkdirSync(path.join(dir, "wrangler.toml"), { recursive: true });
        const directory = run([path.join(dir, "wrangler.toml"), "--out", path.join(dir, "out")]);
        expect(directory.code).toBe(2);
        expect(directory.stderr).toContain(`${path.join(dir, "wrangler.toml")}: is a directory`);
        if (fs.existsSync("/dev/zero")) {
            // Reading /dev/zero never ends: the importer must refuse it before reading.
            const device = run(["/dev/zero", "--out", path.join(dir, "out")]);
            expect(device.code).toBe(2);
            expect(device.stderr).toContain("/dev/zero: is not a regular file");
        }
        expect(fs.readdirSync(dir)).toEqual(["wrangler.toml"]);
    });

    it("reports every problem of a file at once", () => {
        const dir = path.join(tmp, "many");
        fs.mkdirSync(dir);
        const file = path.join(dir, "wrangler.toml");
        fs.writeFileSync(file, `${BASE_TOML}workers_dev = "no"\n[[kv_namespaces]]\nid = "x"\n[[env.production.services]]\nbinding = "API"\n`);
        const { code, stderr } = run([file, "--out", path.join(dir, "out")]);
        expect(code).toBe(2);
        expect(stderr).toContain("(3 problems)");
        for (const p of ["workers_dev", "kv_namespaces[0].binding", "env.production.services[0].service"]) expect(stderr).toContain(`  - ${p}:`);
    });

    it("exits 2 as a command (npm run import) and 0 on a valid file with unsupported keys", () => {
        const dir = path.join(tmp, "cli");
        fs.mkdirSync(dir);
        const bad = path.join(dir, "bad.toml");
        fs.writeFileSync(bad, `${BASE_TOML}[[kv_namespaces]]\nid = "x"\n`);
        const good = path.join(dir, "good.toml");
        fs.writeFileSync(good, `${BASE_TOML}[build]\ncommand = "npm run build"\n`);
        const cli = (...args: string[]) => spawnSync(process.execPath, ["--import", "tsx", path.join(PROJECT_ROOT, "tools", "import.ts"), ...args], {
            cwd: PROJECT_ROOT, encoding: "utf8", timeout: 60_000,
        });
        const failed = cli(bad, "--out", path.join(dir, "bad-out"));
        expect(failed.status).toBe(2);
        expect(failed.stderr).toContain("  - kv_namespaces[0].binding: expected string, got nothing (the field is required)");
        expect(fs.existsSync(path.join(dir, "bad-out"))).toBe(false);
        const ok = cli(good, "--out", path.join(dir, "good-out"));
        expect(ok.status, ok.stderr).toBe(0);
        expect(ok.stdout).toContain("- build: not supported: custom build commands are not part of service declarations (the platform bundles `main` with esbuild)");
        expect(fs.readdirSync(path.join(dir, "good-out")).sort()).toEqual(["import.json", "service.ts", "stack.production.yaml"]);
    });
});
