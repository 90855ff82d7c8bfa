/**
 * The offline plan as users run it: a child process per plan, like `npm run plan`.
 */
import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import Ajv from "ajv-draft-04";
import addFormats from "ajv-formats";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { BINDING_KINDS } from "../components/bindings/index";
import { NEON_BRANCH_TYPE, NEON_PROJECT_TYPE } from "../components/neon/typeTokens";
import { services } from "../infra/services";
import { SECRET_PLACEHOLDER } from "../tools/lib/stackFiles";

const projectDir = path.resolve(__dirname, "..");
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), "plan-test-"));

interface PlanResult { status: number | null; stdout: string; stderr: string }
function plan(...args: string[]): PlanResult {
    const result = spawnSync(process.execPath, ["--import", "tsx", path.join(projectDir, "tools", "plan.ts"), ...args], {
        cwd: projectDir, encoding: "utf8", timeout: 120_000,
    });
    return { status: result.status, stdout: result.stdout, stderr: result.stderr };
}
interface Report {
    stack: string;
    resources: { urn: string; type: string; name: string; parent: string; custom: boolean; protect: boolean; inputs: Record<string, unknown> }[];
    violations: { policy: string; pack: string; version: string; level: string; severity: string | null; urn: string | null; message: string; remediation: string | null }[];
}
const readReport = (file: string) => JSON.parse(fs.readFileSync(file, "utf8")) as Report;

/** A project directory whose Pulumi.yaml runs `main` with the given stack file. */
function project(name: string, stackYaml: string, main = path.join(projectDir, "infra", "index.ts")): string {
    const dir = path.join(tmp, name);
    fs.mkdirSync(dir, { recursive: true });
    fs.writeFileSync(path.join(dir, "Pulumi.yaml"), `name: platform\nruntime: nodejs\nmain: ${main}\n`);
    fs.writeFileSync(path.join(dir, "Pulumi.test.yaml"), stackYaml);
    return dir;
}

const results: Record<string, PlanResult> = {};
const brokenDir = path.join(projectDir, "test", "fixtures", "broken-stack");
beforeAll(() => {
    for (const [key, stack] of [["staging", "staging"], ["staging2", "staging"], ["production", "production"]] as const) {
        results[key] = plan("--stack", stack, "--out", path.join(tmp, key), "--json", path.join(tmp, `${key}.json`), "--sarif", path.join(tmp, `${key}.sarif`));
    }
    results.broken = plan("--stack", "production", "--cwd", brokenDir, "--out", path.join(tmp, "broken"),
        "--json", path.join(tmp, "broken.json"), "--sarif", path.join(tmp, "broken.sarif"));
    // --json and --sarif without a file: the reports go beside the wrangler files.
    results.defaults = plan("--stack", "staging", "--out", path.join(tmp, "defaults"), "--json", "--sarif");
}, 300_000);
afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));

describe("npm run plan", () => {
    it("writes --json and --sarif without a file under <out>/<stack>/, which is .platform/ by default and git-ignored", () => {
        const result = results.defaults!;
        expect(result.status, result.stderr).toBe(0);
        for (const file of ["plan.json", "policies.sarif"]) {
            expect(fs.existsSync(path.join(tmp, "defaults", "staging", file)), file).toBe(true);
            expect(result.stdout).toContain(path.join("staging", file));
        }
        // .platform/ is git-ignored (read from .gitignore: a copy of the repository may have no .git).
        expect(fs.readFileSync(path.join(projectDir, ".gitignore"), "utf8").split("\n").map((l) => l.trim())).toContain(".platform/");
        expect(readReport(path.join(tmp, "defaults", "staging", "plan.json")).stack).toBe("staging");
    });

    it("lists the program's messages under Diagnostics, each under its own service: the Durable Object tag note only for services that have migrations", () => {
        const { stdout, stderr } = results.staging!;
        expect(stdout + stderr).not.toContain("[runtime]");
        const block = /\nDiagnostics:\n([\s\S]*?)\n\n(?=Policies:|Wrote )/.exec(stdout)?.[1] ?? "";
        const groups = block.split(/\n(?=  \S)/).filter((g) => g.trim() !== "");
        const withTag = groups.filter((g) => g.includes("Durable Object migration tag")).map((g) => /\((\S+)\):/.exec(g)?.[1]);
        const expected = services.filter((s) => s.declaration.durableObjectMigrations.length > 0).map((s) => s.declaration.name);
        expect(withTag.sort()).toEqual(expected.sort());
        for (const group of groups) expect(group, group).toMatch(/^ {2}platform:cloudflare:WorkerService \(\S+\):\n/);
    });

    it("lists every resource of the staging and production stacks", () => {
        for (const stack of ["staging", "production"]) {
            const result = results[stack]!;
            expect(result.stderr).toBe("");
            expect(result.status).toBe(0);
            const report = readReport(path.join(tmp, `${stack}.json`));
            expect(report.stack).toBe(stack);
            for (const r of report.resources) {
                expect(result.stdout).toMatch(new RegExp(`\\+ .*${r.type.split(":").pop()}\\s+${r.name}\\s+create`));
            }
            expect(result.stdout).toContain(`+ ${report.resources.length} to create`);
            const types = new Set(report.resources.map((r) => r.type));
            for (const type of ["pulumi:pulumi:Stack", "platform:cloudflare:Environment", "platform:cloudflare:WorkerService",
                "cloudflare:index/workersScript:WorkersScript", "cloudflare:index/workersKvNamespace:WorkersKvNamespace",
                "cloudflare:index/d1Database:D1Database", "cloudflare:index/r2Bucket:R2Bucket", "cloudflare:index/workersCronTrigger:WorkersCronTrigger"]) {
                expect(types, type).toContain(type);
            }
        }
    });

    it("protects production's stateful resources and only those", () => {
        // What holds data: the resources the binding kinds mark as stateful (KV, D1, R2, queues, Workflows, ...) and Neon's.
        const stateful = new Set([NEON_PROJECT_TYPE, NEON_BRANCH_TYPE, ...BINDING_KINDS.flatMap((kind) => Object.keys(kind.policy.statefulTypes ?? {}))]);
        const production = readReport(path.join(tmp, "production.json")).resources;
        for (const r of production) {
            expect(r.protect, r.name).toBe(stateful.has(r.type));
        }
        expect(production.filter((r) => r.protect).length).toBeGreaterThan(0);
        for (const r of readReport(path.join(tmp, "staging.json")).resources) {
            expect(r.protect, r.name).toBe(false);
        }
        expect(results.production!.stdout).toMatch(/api-db\s+create\s+protected/);
    });

    it("gives identical resource inputs for two plans of the same inputs", () => {
        const first = readReport(path.join(tmp, "staging.json"));
        const second = readReport(path.join(tmp, "staging2.json"));
        expect(second).toEqual(first);
        expect(fs.readFileSync(path.join(tmp, "staging2", "staging", "api", "wrangler.jsonc"), "utf8"))
            .toBe(fs.readFileSync(path.join(tmp, "staging", "staging", "api", "wrangler.jsonc"), "utf8"));
    });

    it("writes the JSON report with the documented fields and secrets masked", () => {
        const text = fs.readFileSync(path.join(tmp, "staging.json"), "utf8");
        expect(text).not.toContain(SECRET_PLACEHOLDER);
        const report = JSON.parse(text) as Report;
        for (const r of report.resources) {
            expect(Object.keys(r)).toEqual(["urn", "type", "name", "parent", "custom", "protect", "inputs"]);
        }
        const script = report.resources.find((r) => r.name === "api-script")!;
        expect(script.inputs.bindings).toContainEqual({ name: "SIGNING_KEY", type: "secret_text", text: "[secret]" });
    });

    it("lists the GitHub environments, secrets and variables of both stacks with secrets masked", () => {
        for (const stack of ["staging", "production"]) {
            const report = readReport(path.join(tmp, `${stack}.json`));
            const github = report.resources.filter((r) => /^(github:|pulumi:providers:github$|platform:github:)/.test(r.type));
            expect(new Set(github.map((r) => r.type.split(":").pop()))).toEqual(new Set([
                "Environment", "github", "RepositoryEnvironment", "ActionsEnvironmentSecret", "ActionsEnvironmentVariable",
                ...(stack === "production" ? ["RepositoryEnvironmentDeploymentPolicy"] : []),
            ]));
            for (const r of github) expect(results[stack]!.stdout).toMatch(new RegExp(`\\+ .*${r.type.split(":").pop()}\\s+${r.name}\\s+create`));
            for (const r of github.filter((x) => x.type.endsWith(":ActionsEnvironmentSecret"))) expect(r.inputs.value, r.name).toBe("[secret]");
            expect(github.find((r) => r.type === "pulumi:providers:github")!.inputs.token).toBe("[secret]");
            expect(fs.readFileSync(path.join(tmp, `${stack}.json`), "utf8") + results[stack]!.stdout).not.toContain(SECRET_PLACEHOLDER);
            const env = github.find((r) => r.type.endsWith(":RepositoryEnvironment"))!;
            expect(env.inputs.environment).toBe(stack);
            expect(env.inputs.reviewers !== undefined).toBe(stack === "production");
        }
    });

    it("writes wrangler.jsonc and .dev.vars.example per service without secret values", () => {
        for (const { declaration } of services) {
            const dir = path.join(tmp, "staging", "staging", declaration.name);
            const jsonc = fs.readFileSync(path.join(dir, "wrangler.jsonc"), "utf8");
            expect(jsonc).toMatch(/^\/\/ Generated by/);
            expect(jsonc).not.toContain(SECRET_PLACEHOLDER);
            expect(fs.existsSync(path.join(dir, ".dev.vars.example"))).toBe(true);
        }
        expect(fs.readFileSync(path.join(tmp, "staging", "staging", "api", ".dev.vars.example"), "utf8")).toMatch(/^SIGNING_KEY=$/m);
    });

    it("runs the program again for each plan of one process, each stack with its own resources and outputs", () => {
        // Under Node and tsx, as the CLI runs: the program is a CommonJS module, cached by file name.
        const script = `
            const { plan } = require(${JSON.stringify(path.join(projectDir, "tools", "plan.ts"))});
            const { serviceSummaries } = require(${JSON.stringify(path.join(projectDir, "tools", "lib", "serviceSummaries.ts"))});
            (async () => {
                for (const stack of ["staging", "production"]) {
                    const { run, services } = await plan({ stack, projectDir: ${JSON.stringify(projectDir)}, out: ${JSON.stringify(path.join(tmp, "twice"))} });
                    const scripts = Object.values(serviceSummaries(run.resources)).map((s) => s.scriptName);
                    console.log(JSON.stringify({ stack, scripts, outputs: run.outputs.services, planned: Object.keys(services) }));
                }
            })().catch((error) => { console.error(error); process.exit(1); });`;
        const child = spawnSync(process.execPath, ["--import", "tsx", "-e", script], { cwd: projectDir, encoding: "utf8", timeout: 120_000 });
        expect(child.status, child.stderr).toBe(0);
        const [staging, production] = child.stdout.trim().split("\n").map((line) => JSON.parse(line) as { scripts: string[]; outputs: Record<string, { scriptName: string }>; planned: string[] });
        expect(staging!.scripts).toEqual(["api-staging", "reports-staging"]);
        expect(production!.scripts).toEqual(["api-production", "reports-production"]);
        expect(production!.outputs.api!.scriptName).toBe("api-production");
        expect(production!.planned).toEqual(["api", "reports"]);
    });

    it("exits 2 with the config path and no stack trace on invalid config, writing nothing", () => {
        const dir = project("bad-config", [
            "config:",
            "  platform:accountId: not-an-id",
            "  platform:services:",
            "    api:",
            "      routes: [42]",
        ].join("\n"));
        const out = path.join(dir, "out");
        const result = plan("--stack", "test", "--cwd", dir, "--out", out, "--json", path.join(dir, "report.json"));
        expect(result.status).toBe(2);
        expect(result.stderr).toContain("platform:accountId: expected a 32-character lowercase hex Cloudflare id");
        expect(result.stderr).toContain("platform:services.api.routes[0]: expected string, got number (42)");
        expect(result.stderr).not.toMatch(/\n\s+at /);
        expect(fs.existsSync(out)).toBe(false);
        expect(fs.existsSync(path.join(dir, "report.json"))).toBe(false);
    });

    it("exits 2 for a missing stack file and for bad arguments", () => {
        expect(plan("--stack", "nope").status).toBe(2);
        const result = plan("--stak", "staging");
        expect(result.status).toBe(2);
        expect(result.stderr).toContain("usage: npm run plan");
    });

    it("exits 2 naming the file and line when the user's program throws while it loads", () => {
        const main = path.join(tmp, "broken-program.js");
        fs.writeFileSync(main, 'throw new Error("the program crashed");\n');
        const result = plan("--stack", "test", "--cwd", project("broken", "config: {}\n", main));
        expect(result.status).toBe(2);
        expect(result.stderr).toContain(`${main}:1:7: Error while loading it: the program crashed`);
        expect(result.stderr).not.toMatch(/\n\s+at /);
        // An unexpected failure (exit 1, the trace in a file) is tested in test/cliErrors.test.ts.
    });

    it("runs the policy pack: the shipped stacks have no mandatory violation", () => {
        expect(results.production!.stdout).toMatch(/Policies:\n {4}✅ workers-platform@v0\.1\.0 \(local: policies\)/);
        expect(readReport(path.join(tmp, "production.json")).violations).toEqual([]);
        const staging = readReport(path.join(tmp, "staging.json")).violations;
        expect(staging.length).toBeGreaterThan(0);
        expect(new Set(staging.map((v) => v.level))).toEqual(new Set(["advisory"]));
        expect(results.staging!.stdout).toContain("⚠️ workers-platform@v0.1.0");
    });

    it("exits 1 with exactly the expected violations on the deliberately broken stack", () => {
        const result = results.broken!;
        expect(result.status, result.stderr).toBe(1);
        expect(result.stdout).toContain("❌ workers-platform@v0.1.0");
        const found = readReport(path.join(tmp, "broken.json")).violations
            .map((v) => `${v.level} ${v.policy} ${v.urn?.slice(v.urn.lastIndexOf("::") + 2)}`).sort();
        expect(found).toEqual([
            "mandatory compatibility-date-current legacy-script",
            "mandatory durable-objects-sqlite legacy-script",
            "mandatory env-contract-bindings tampered-script",
            // Routed, without a Health Check; and no alert destination in the stack (a stack-wide violation).
            "mandatory monitoring-configured tampered-script",
            "mandatory monitoring-configured undefined",
            "mandatory no-plaintext-secrets legacy-script",
            "mandatory no-plaintext-secrets rogue",
            "mandatory no-plaintext-secrets tampered-script",
            "mandatory observability-enabled legacy-script",
            "mandatory stateful-resources-protected legacy-db",
            "mandatory worker-health-check rogue",
            "mandatory worker-routed legacy-script",
            "mandatory worker-routed rogue",
            "mandatory workers-dev-disabled legacy-subdomain",
            "mandatory workers-dev-disabled rogue",
        ]);
        // The fixture's plain-text values are plain inputs (that is the violation), but the policy
        // messages and reports never repeat them.
        const text = JSON.stringify(readReport(path.join(tmp, "broken.json")).violations) + result.stdout + fs.readFileSync(path.join(tmp, "broken.sarif"), "utf8");
        expect(text).not.toContain("hunter2");
        expect(text).not.toContain("fixture-value");
    });

    it("writes SARIF that validates against the SARIF 2.1.0 schema", () => {
        const ajv = new Ajv({ allErrors: true, strict: false, unicodeRegExp: false });
        addFormats(ajv);
        const validate = ajv.compile(JSON.parse(fs.readFileSync(require.resolve("@microsoft/jest-sarif/lib/schemas/sarif-2.1.0-rtm.5.json"), "utf8")));
        for (const key of ["broken", "production", "staging"]) {
            const log = JSON.parse(fs.readFileSync(path.join(tmp, `${key}.sarif`), "utf8"));
            expect(validate(log), `${key}: ${JSON.stringify(validate.errors)}`).toBe(true);
        }
        const broken = JSON.parse(fs.readFileSync(path.join(tmp, "broken.sarif"), "utf8"));
        expect(broken.runs[0].results).toHaveLength(15);
    });
});
