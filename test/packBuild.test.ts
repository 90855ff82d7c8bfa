/**
 * The built policy pack (tools/lib/analyzer/packBuild.ts): Node running the esbuild bundle serves the same
 * policies with the same verdicts as run-policy-pack running the TypeScript that its ts-node compiles (the CLI's
 * way), for the fixture pack and for this repository's own pack; the bundle resolves packages from the pack
 * directory, maps back to the pack's sources, comes from the cache when unchanged, and a pack that does not
 * build is a user error naming the file and line.
 */
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { BUNDLE_CACHE_ENV, DEFAULT_BUNDLE_CACHE_DIR } from "../components/cloudflare/bundleCache";
import { UserError } from "../components/validation";
import { runPolicyPack, type PolicyPackRun, type PolicyResource } from "../tools/lib/analyzer";
import { buildPolicyPack } from "../tools/lib/analyzer/packBuild";

const FIXTURE_PACK = path.join(__dirname, "fixtures", "policy-pack");
const REPO_PACK = path.resolve(__dirname, "..", "policies");
const scratch = fs.mkdtempSync(path.join(os.tmpdir(), "pack-build-test-"));
afterAll(() => fs.rmSync(scratch, { recursive: true, force: true }));

const STACK_URN = "urn:pulumi:dev::platform::pulumi:pulumi:Stack::platform-dev";

/** One registration; start from a valid one, change one thing. */
function record(type: string, name: string, overrides: Partial<PolicyResource> = {}): PolicyResource {
    return {
        urn: type === "pulumi:pulumi:Stack" ? STACK_URN : `urn:pulumi:dev::platform::${type}::${name}`,
        type, name, parent: type === "pulumi:pulumi:Stack" ? "" : STACK_URN, custom: type !== "pulumi:pulumi:Stack",
        protect: false, provider: "", dependencies: [], importId: "", deleteBeforeReplace: false, ignoreChanges: [],
        additionalSecretOutputs: [], inputs: {}, outputs: {}, ...overrides,
    };
}

const SCRIPT = "cloudflare:index/workersScript:WorkersScript";
const resources = [
    record("pulumi:pulumi:Stack", "platform-dev"),
    record(SCRIPT, "api", { inputs: { scriptName: "api-dev", compatibilityDate: "2025-06-01" }, outputs: { scriptName: "api-dev" } }),
    record(SCRIPT, "legacy", { inputs: { scriptName: "legacy-dev", plainTextBindings: [{ name: "API_TOKEN", text: "x" }] } }),
];

/** What the two ways must agree on: everything but timings and the process's own output. */
const verdicts = (run: PolicyPackRun) => ({ pack: run.pack, policies: run.policies, violations: run.violations, warnings: run.warnings, pluginVersion: run.pluginVersion });

describe("buildPolicyPack", () => {
    it("serves the fixture pack with the same policies and violations as ts-node compiling it", async () => {
        const options = { packDir: FIXTURE_PACK, resources, project: "platform", stack: "dev" };
        const [unbuilt, built] = [await runPolicyPack(options), await runPolicyPack({ ...options, build: true })];
        expect(built.violations.length).toBeGreaterThan(0);
        expect(verdicts(built)).toEqual(verdicts(unbuilt));
    }, 120_000);

    it("serves this repository's pack with the same verdicts, at production's levels", async () => {
        const policyConfig = JSON.parse(fs.readFileSync(path.join(REPO_PACK, "config", "production.json"), "utf8")) as Record<string, never>;
        const options = { packDir: REPO_PACK, resources, project: "platform", stack: "production", policyConfig };
        const [unbuilt, built] = [await runPolicyPack(options), await runPolicyPack({ ...options, build: true })];
        expect(built.violations.some((v) => v.enforcementLevel === "mandatory")).toBe(true);
        expect(verdicts(built)).toEqual(verdicts(unbuilt));
    }, 180_000);

    it("runs as Node running the built file, and a policy that throws fails as under ts-node, its stack in the pack's sources", async () => {
        const failing = [...resources, record(SCRIPT, "failing", { inputs: { failPolicyForTest: true } })];
        let commandLine: string[] = [];
        const options = { packDir: FIXTURE_PACK, resources: failing, project: "platform", stack: "dev" };
        const failure = (build: boolean) => runPolicyPack({
            ...options,
            build,
            onSpawn: (pid) => { if (build) commandLine = fs.readFileSync(`/proc/${pid}/cmdline`, "utf8").split("\0").filter((a) => a !== ""); },
        }).then(() => undefined, (e: unknown) => (e as Error).message);
        const [unbuilt, built] = [await failure(false), await failure(true)];
        expect(commandLine).toEqual([process.execPath, buildPolicyPack(FIXTURE_PACK)]);
        expect(built).toContain(`Error: policy failed on purpose for failing\n    at validateResource (${path.join(FIXTURE_PACK, "index.ts")}:`);
        expect(built).toBe(unbuilt);
    }, 120_000);

    it("writes one file per pack content into the cache, resolving packages from the pack directory and mapping back to its sources", () => {
        const file = buildPolicyPack(FIXTURE_PACK)!;
        expect(path.dirname(file)).toBe(DEFAULT_BUNDLE_CACHE_DIR);
        expect(path.basename(file)).toMatch(/^policy-pack-[0-9a-f]{64}\.js$/);
        expect(buildPolicyPack(FIXTURE_PACK)).toBe(file);
        const text = fs.readFileSync(file, "utf8");
        expect(text.startsWith('var require = require("node:module").createRequire(require("node:path").join(process.cwd(), "package.json"));')).toBe(true);
        expect(text).toContain('require("@pulumi/policy")');
        const map = JSON.parse(Buffer.from(/sourceMappingURL=data:application\/json;base64,(\S+)\s*$/.exec(text)![1]!, "base64").toString("utf8")) as { sourceRoot: string; sources: string[] };
        // The pack's sources, after the module that defers the SDK's unused modules; then the generated entry.
        expect(map.sources.map((s) => path.resolve(map.sourceRoot, s))).toEqual([
            path.resolve(__dirname, "..", "tools", "lib", "deferredSdkModules.ts"),
            path.join(FIXTURE_PACK, "index.ts"),
            path.join(FIXTURE_PACK, "platform-policy-pack-entry.js"),
        ]);
    });

    it("names the file and line of a pack that does not build, and builds nothing with the cache off", () => {
        const broken = path.join(scratch, "broken");
        fs.mkdirSync(broken);
        fs.writeFileSync(path.join(broken, "package.json"), JSON.stringify({ name: "broken", version: "1.0.0", main: "index.ts" }));
        fs.writeFileSync(path.join(broken, "index.ts"), "export const x = ;\n");
        expect(() => buildPolicyPack(broken)).toThrow(UserError);
        expect(() => buildPolicyPack(broken)).toThrow(`the policy pack in ${broken} does not build:\n  - index.ts:1:17: Unexpected ";"`);
        fs.rmSync(path.join(broken, "index.ts"));
        expect(() => buildPolicyPack(broken)).toThrow(`the policy pack in ${broken} has no entry module: expected index.ts (main of its package.json)`);
        const previous = process.env[BUNDLE_CACHE_ENV];
        process.env[BUNDLE_CACHE_ENV] = "off";
        try {
            expect(buildPolicyPack(FIXTURE_PACK)).toBeUndefined();
        } finally {
            if (previous === undefined) delete process.env[BUNDLE_CACHE_ENV];
            else process.env[BUNDLE_CACHE_ENV] = previous;
        }
    });
});
