/**
 * The analyzer client against a real policy pack process (`test/fixtures/policy-pack`, started the way the
 * engine starts a pack), plus the pure parts (engine view of resources, wire values, policy config) case by
 * case. The fixture pack runs in its own process; nothing here imports it.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import * as cloudflare from "@pulumi/cloudflare";
import * as pulumi from "@pulumi/pulumi";
import { describe, expect, it } from "vitest";
import {
    engineResourceView,
    PolicyConfigError,
    reconcilePolicyConfig,
    runPolicyPack,
    sortViolations,
    toAnalyzerProperties,
    type PackPolicy,
    type PolicyPackConfig,
    type PolicyPackRun,
    type PolicyResource,
    type RunPolicyPackOptions,
} from "../tools/lib/analyzer";
import { runOffline } from "../tools/lib/mockEngine";
import { OUTPUT_VALUE_SIG, RESOURCE_REF_SIG, SIG_KEY as SIG, UNKNOWN, secretWire } from "../tools/lib/wire";

const PACK_DIR = path.join(__dirname, "fixtures", "policy-pack");
const secret = secretWire;

const STACK_URN = "urn:pulumi:dev::platform::pulumi:pulumi:Stack::platform-dev";
const SERVICE_URN = "urn:pulumi:dev::platform::platform:cloudflare:WorkerService::api";
const SCRIPT_URN = "urn:pulumi:dev::platform::platform:cloudflare:WorkerService$cloudflare:index/workersScript:WorkersScript::api-script";
const EU_PROVIDER_URN = "urn:pulumi:dev::platform::pulumi:providers:cloudflare::eu";
const LEGACY_SCRIPT_URN = "urn:pulumi:dev::platform::cloudflare:index/workersScript:WorkersScript::legacy";
const ROUTE_URN = "urn:pulumi:dev::platform::platform:cloudflare:WorkerService$cloudflare:index/workersRoute:WorkersRoute::api-route";
const BRANCH_URN = "urn:pulumi:dev::platform::pulumi-nodejs:dynamic/neon:Branch::main";
const KV_URN = "urn:pulumi:dev::platform::cloudflare:index/workersKvNamespace:WorkersKvNamespace::cache";
const DEFAULT_CF_URN = "urn:pulumi:dev::platform::pulumi:providers:cloudflare::default_6_22_1";
const DEFAULT_DYNAMIC_URN = "urn:pulumi:dev::platform::pulumi:providers:pulumi-nodejs::default";

const STACK_CONFIG = { config: { "cloudflare:apiToken": "cf-token", "platform:accountId": "acc-1" }, secretKeys: ["cloudflare:apiToken"] };

/** One resource registration as the mock engine records it; start from a valid one, change one thing. */
function record(urn: string, overrides: Partial<PolicyResource> = {}): PolicyResource {
    const parts = urn.split("::");
    const type = (parts[2] ?? "").split("$").pop() ?? "";
    return {
        urn,
        type,
        name: parts.slice(3).join("::"),
        parent: STACK_URN,
        custom: true,
        protect: false,
        provider: "",
        dependencies: [],
        importId: "",
        deleteBeforeReplace: false,
        ignoreChanges: [],
        additionalSecretOutputs: [],
        inputs: {},
        outputs: {},
        ...overrides,
    };
}

/** A small stack: the root, a component with a script, an explicit provider, a dynamic resource, an import. */
function stackResources(): PolicyResource[] {
    return [
        record(STACK_URN, { parent: "", custom: false, outputs: { url: "https://api.example.dev" } }),
        record(SERVICE_URN, { custom: false, outputs: { healthPath: "/health" } }),
        record(SCRIPT_URN, {
            parent: SERVICE_URN,
            protect: true,
            ignoreChanges: ["content"],
            inputs: { scriptName: "api-dev", compatibilityDate: "2025-06-01", content: secret("export default {}"), plainTextBindings: [{ name: "MODE", text: "dev" }] },
            outputs: { scriptName: "api-dev", compatibilityDate: "2025-06-01" },
        }),
        // Preview: the route's zone is not known yet.
        record(ROUTE_URN, { parent: SERVICE_URN, dependencies: [SCRIPT_URN], inputs: { pattern: "api.example.dev/*", zoneId: UNKNOWN, script: "api-dev" } }),
        record(EU_PROVIDER_URN, { inputs: { apiToken: secret("eu-token") }, outputs: { apiToken: secret("eu-token") } }),
        record(LEGACY_SCRIPT_URN, {
            provider: `${EU_PROVIDER_URN}::eu-provider-id`,
            deleteBeforeReplace: true,
            dependencies: [SCRIPT_URN],
            inputs: { scriptName: "legacy-dev", content: "addEventListener()" },
            outputs: { scriptName: "legacy-dev" },
        }),
        record(BRANCH_URN, {
            inputs: { __provider: "exports.handler = () => {}", name: "dev", role: { __meta: "x", password: secret("pw") } },
            outputs: { name: "dev", connectionUri: secret("postgres://...") },
        }),
        record(KV_URN, { importId: "0f2ac74b498b48028cb68387c421e279", inputs: { title: "cache" }, outputs: { title: "cache" } }),
    ];
}

const baseOptions = (): RunPolicyPackOptions => ({
    packDir: PACK_DIR,
    resources: stackResources(),
    project: "platform",
    stack: "dev",
    stackConfig: STACK_CONFIG,
    providerVersions: { cloudflare: "6.22.1" },
});

/**
 * The inventory policy's report for each analyzed resource, keyed by URN: what the policy saw, or the
 * policy SDK's message when the policy could not run (it read an unknown value during preview).
 */
function inventory(run: PolicyPackRun): Map<string, Inventory> {
    const lines = run.violations.filter((v) => v.policyName === "resource-inventory");
    // @pulumi/policy prefixes the reported text with the policy description and a newline.
    return new Map(lines.map((v) => [
        v.urn ?? "",
        v.message.startsWith("can't run") ? { cantRun: v.message } : JSON.parse(v.message.slice(v.message.indexOf("\n") + 1)) as Inventory,
    ]));
}

/** What the fixture's `resource-inventory` policy reports (see its JSON), or why it could not run. */
type Inventory = { readonly type?: string; readonly name?: string; readonly props?: unknown; readonly cantRun?: string } & Record<string, unknown>;

function isRunning(pid: number): boolean {
    try {
        process.kill(pid, 0);
        return true;
    } catch {
        return false;
    }
}

describe("runPolicyPack against a real pack process", () => {
    it("reports each policy at its level, with the pack's metadata, and stops the pack", async () => {
        let pid = 0;
        const run = await runPolicyPack({ ...baseOptions(), onSpawn: (p) => (pid = p) });

        expect(run.pack).toEqual({ name: "analyzer-test-pack", version: "0.3.1" });
        expect(run.pluginVersion).toBe("1.21.0");
        expect(run.policies.map((p) => [p.name, p.enforcementLevel])).toEqual([
            ["resource-inventory", "disabled"],
            ["script-budget", "advisory"],
            ["script-compatibility-date", "mandatory"],
        ]);
        expect(run.policies.find((p) => p.name === "script-budget")?.configSchema).toEqual({
            type: "object",
            properties: { maxScripts: { type: "integer", minimum: 1, default: 1 }, label: { type: "string", default: "workers" } },
        });
        expect(run.violations.map((v) => [v.urn ?? "(stack)", v.policyName, v.enforcementLevel, v.severity])).toEqual([
            ["(stack)", "script-budget", "advisory", "medium"],
            [LEGACY_SCRIPT_URN, "script-budget", "advisory", "medium"],
            [LEGACY_SCRIPT_URN, "script-compatibility-date", "mandatory", "high"],
        ]);
        const mandatory = run.violations.find((v) => v.policyName === "script-compatibility-date");
        expect(mandatory).toMatchObject({
            policyPackName: "analyzer-test-pack",
            policyPackVersion: "0.3.1",
            description: "Checks whether each Worker script sets a compatibility date.",
            // The pack sends "<description>\n<message>"; the client keeps the policy's own words.
            message: "Worker script legacy must set a compatibility date.",
            remediationSteps: "Set compatibilityDate on the service declaration.",
            url: "https://developers.cloudflare.com/workers/configuration/compatibility-dates/",
        });
        expect(run.violations[0]?.message).toContain("Stack has 2 workers scripts; the budget is 1.");
        expect(run.halted).toBeUndefined();
        expect(run.timings.analyzeCalls).toBe(9);
        expect(pid).toBeGreaterThan(0);
        expect(isRunning(pid)).toBe(false);
    });

    it("also starts the way the CLI's shim runs a pack: plain node, ts-node compiling the TypeScript", async () => {
        const run = await runPolicyPack({ ...baseOptions(), nodeArgs: [] });
        expect(run.pack.name).toBe("analyzer-test-pack");
        expect(run.violations).toHaveLength(3);
    });

    it("sends every registration but imports, with default providers, as the engine's step generator does", async () => {
        const run = await runPolicyPack({
            ...baseOptions(),
            policyConfig: { "resource-inventory": "advisory", "script-compatibility-date": "advisory", "script-budget": { maxScripts: 5, label: "Worker" } },
        });
        const seen = inventory(run);
        expect([...seen.keys()]).toEqual([
            STACK_URN, SERVICE_URN, DEFAULT_CF_URN, SCRIPT_URN, ROUTE_URN, EU_PROVIDER_URN, LEGACY_SCRIPT_URN, DEFAULT_DYNAMIC_URN, BRANCH_URN,
        ].sort());
        expect(seen.get(STACK_URN)).toMatchObject({ type: "pulumi:pulumi:Stack", parent: null, provider: null });
        expect(seen.get(SERVICE_URN)).toMatchObject({ parent: STACK_URN, provider: null, props: {} });
        expect(seen.get(DEFAULT_CF_URN)).toMatchObject({
            name: "default_6_22_1", parent: null, provider: null,
            props: { apiToken: "cf-token", version: "6.22.1" },
        });
        expect(seen.get(SCRIPT_URN)).toEqual({
            type: "cloudflare:index/workersScript:WorkersScript",
            name: "api-script",
            parent: SERVICE_URN,
            protect: true,
            ignoreChanges: ["content"],
            deleteBeforeReplace: null,
            additionalSecretOutputs: [],
            aliases: [],
            customTimeouts: { createSeconds: 0, updateSeconds: 0, deleteSeconds: 0 },
            provider: { type: "pulumi:providers:cloudflare", name: "default_6_22_1", urn: DEFAULT_CF_URN, props: { apiToken: "cf-token", version: "6.22.1" } },
            // The policy SDK unwraps secrets before policies see them.
            props: { scriptName: "api-dev", compatibilityDate: "2025-06-01", content: "export default {}", plainTextBindings: [{ name: "MODE", text: "dev" }] },
        });
        // A policy that reads an unknown value during preview is reported as advisory by the policy SDK.
        expect(seen.get(ROUTE_URN)).toEqual({ cantRun: "can't run policy 'resource-inventory' from policy pack 'analyzer-test-pack@v0.3.1' during preview: string value at .zoneId can't be known during preview" });
        expect(run.violations.find((v) => v.urn === ROUTE_URN)?.enforcementLevel).toBe("advisory");
        expect(seen.get(LEGACY_SCRIPT_URN)).toMatchObject({
            deleteBeforeReplace: true,
            provider: { type: "pulumi:providers:cloudflare", name: "eu", urn: EU_PROVIDER_URN, props: { apiToken: "eu-token" } },
        });
        expect(seen.get(DEFAULT_DYNAMIC_URN)).toMatchObject({ name: "default", props: { "cloudflare:apiToken": "cf-token", "platform:accountId": "acc-1" } });
        // Keys starting with "__" never reach a policy, at any depth.
        expect(seen.get(BRANCH_URN)?.props).toEqual({ name: "dev", role: { password: "pw" } });

        // Config: levels overridden, settings merged over the schema defaults.
        expect(run.policies.map((p) => p.enforcementLevel)).toEqual(["advisory", "advisory", "advisory"]);
        expect(run.violations.find((v) => v.policyName === "script-compatibility-date")?.enforcementLevel).toBe("advisory");
        expect(run.violations.some((v) => v.message.includes("the budget is"))).toBe(false);
    });

    it("rejects invalid config naming the policy and property, and still stops the pack", async () => {
        let pid = 0;
        const run = runPolicyPack({
            ...baseOptions(),
            onSpawn: (p) => (pid = p),
            // As parsed from a hand-written JSON file: not the typed shape.
            policyConfig: { "script-budget": { maxScripts: 0, label: 7 }, "script-compatibility-date": "strict" } as unknown as PolicyPackConfig,
        });
        const error = await run.then(() => undefined, (e: unknown) => e);
        expect(error).toBeInstanceOf(PolicyConfigError);
        expect((error as PolicyConfigError).issues).toEqual([
            "script-budget.label: must be string, got 7",
            "script-budget.maxScripts: must be >= 1, got 0",
            "script-compatibility-date: expected an enforcement level (advisory, mandatory, remediate, disabled), got \"strict\"",
        ]);
        expect((error as PolicyConfigError).message).toMatch(/^Invalid policy config for policy pack analyzer-test-pack@0\.3\.1:\n {2}script-budget\.label/);
        expect(isRunning(pid)).toBe(false);
    });

    it("remediates before analyzing, so Analyze sees the remediated inputs", async () => {
        const run = await runPolicyPack({ ...baseOptions(), policyConfig: { "script-compatibility-date": "remediate" } });
        expect(run.remediations).toEqual([{
            urn: LEGACY_SCRIPT_URN,
            policyName: "script-compatibility-date",
            policyPackName: "analyzer-test-pack",
            policyPackVersion: "0.3.1",
            description: "Checks whether each Worker script sets a compatibility date.",
        }]);
        expect(run.policies.find((p) => p.name === "script-compatibility-date")?.enforcementLevel).toBe("remediate");
        // Analyze no longer reports the script; AnalyzeStack still sees the outputs, which remediation does not touch.
        expect(run.violations.map((v) => [v.urn ?? "(stack)", v.policyName])).toEqual([
            ["(stack)", "script-budget"],
            [LEGACY_SCRIPT_URN, "script-budget"],
        ]);
    });

    it("fails the run when a policy throws, with the policy SDK's message, and still stops the pack", async () => {
        let pid = 0;
        const resources = [...stackResources(), record(`${SCRIPT_URN}-2`, { inputs: { failPolicyForTest: true } })];
        const error = await runPolicyPack({ ...baseOptions(), resources, onSpawn: (p) => (pid = p) }).then(() => undefined, (e: unknown) => e as Error);
        expect(error?.message).toMatch(/^failed to run policy on urn:.*::api-script-2: 2 UNKNOWN: Error validating resource with policy 'script-compatibility-date' from policy pack 'analyzer-test-pack@v0\.3\.1':\nError: policy failed on purpose for api-script-2/);
        expect(isRunning(pid)).toBe(false);
    });

    it("stops at the first mandatory violation outside preview and skips AnalyzeStack, as the engine bails", async () => {
        const run = await runPolicyPack({ ...baseOptions(), dryRun: false, policyConfig: { all: "mandatory", "resource-inventory": "disabled" } });
        expect(run.halted).toEqual({ urn: LEGACY_SCRIPT_URN });
        expect(run.violations.map((v) => [v.urn, v.policyName, v.enforcementLevel])).toEqual([
            [LEGACY_SCRIPT_URN, "script-compatibility-date", "mandatory"],
        ]);
        expect(run.timings.analyzeCalls).toBe(7);
        expect(run.timings.analyzeStackMs).toBe(0);
    });

    it("analyzes what the mock engine records for a real program", async () => {
        const offline = await runOffline({
            project: "platform",
            stack: "dev",
            config: STACK_CONFIG,
            program: () => {
                const service = new pulumi.ComponentResource("platform:cloudflare:WorkerService", "api");
                new cloudflare.WorkersScript("api-script", {
                    accountId: "0123456789abcdef0123456789abcdef",
                    scriptName: "api-dev",
                    content: pulumi.secret("export default { fetch() { return new Response('ok') } }"),
                }, { parent: service });
                return { ok: true };
            },
        });
        const run = await runPolicyPack({
            packDir: PACK_DIR,
            resources: offline.resources,
            project: "platform",
            stack: "dev",
            stackConfig: STACK_CONFIG,
            policyConfig: { "resource-inventory": "advisory" },
        });
        const seen = inventory(run);
        const version = (JSON.parse(fs.readFileSync(require.resolve("@pulumi/cloudflare/package.json"), "utf8")) as { version: string }).version;
        const defaultName = `default_${version.replace(/[.-]/g, "_")}`;
        expect([...seen.values()].map((r) => `${r.type}::${r.name}`).sort()).toEqual([
            "cloudflare:index/workersScript:WorkersScript::api-script",
            "platform:cloudflare:WorkerService::api",
            `pulumi:providers:cloudflare::${defaultName}`,
            "pulumi:pulumi:Stack::platform-dev",
        ]);
        const script = [...seen.values()].find((r) => r.name === "api-script");
        expect(script?.props).toMatchObject({ scriptName: "api-dev", content: "export default { fetch() { return new Response('ok') } }" });
        expect(run.violations.filter((v) => v.policyName === "script-compatibility-date").map((v) => v.urn)).toHaveLength(1);
    });
});

describe("engineResourceView", () => {
    const view = (resources: PolicyResource[]) => engineResourceView(resources, { project: "platform", stack: "dev", stackConfig: STACK_CONFIG, providerVersions: { cloudflare: "6.22.1" } });

    it("registers a default provider per package right before its first custom resource", () => {
        const urns = view(stackResources()).map((r) => r.urn);
        expect(urns).toEqual([STACK_URN, SERVICE_URN, DEFAULT_CF_URN, SCRIPT_URN, ROUTE_URN, EU_PROVIDER_URN, LEGACY_SCRIPT_URN, DEFAULT_DYNAMIC_URN, BRANCH_URN, KV_URN]);
    });

    it("marks imports as not analyzed and keeps them for the stack", () => {
        const kv = view(stackResources()).find((r) => r.urn === KV_URN);
        expect(kv).toMatchObject({ analyzed: false, providerUrn: DEFAULT_CF_URN });
    });

    it("names the default provider after the version the resource registered with", () => {
        const [provider] = view([record(SCRIPT_URN, { version: "6.3.0-alpha.1" })]);
        expect(provider?.urn).toBe("urn:pulumi:dev::platform::pulumi:providers:cloudflare::default_6_3_0_alpha_1");
        expect(provider?.inputs).toEqual({ apiToken: secret("cf-token"), version: "6.3.0-alpha.1" });
    });

    it("gives components and providers no provider", () => {
        const byUrn = new Map(view(stackResources()).map((r) => [r.urn, r]));
        expect(byUrn.get(SERVICE_URN)?.providerUrn).toBeUndefined();
        expect(byUrn.get(EU_PROVIDER_URN)?.providerUrn).toBeUndefined();
        expect(byUrn.get(LEGACY_SCRIPT_URN)?.providerUrn).toBe(EU_PROVIDER_URN);
    });

    it("rejects a provider reference to a provider that was not registered", () => {
        expect(() => view([record(SCRIPT_URN, { provider: `${EU_PROVIDER_URN}::id` })])).toThrow(
            `${SCRIPT_URN}: provider ${EU_PROVIDER_URN}::id was not registered before the resource; the engine rejects unknown providers`,
        );
    });
});

describe("toAnalyzerProperties", () => {
    it("keeps secret markers and unknowns, and drops internal keys at every depth", () => {
        expect(toAnalyzerProperties({ __provider: "code", a: secret({ __x: 1, y: 2 }), b: [UNKNOWN, { __meta: 1 }] })).toEqual({
            a: secret({ y: 2 }), b: [UNKNOWN, {}],
        });
    });

    it("keeps internal keys for Remediate", () => {
        expect(toAnalyzerProperties({ __provider: "code" }, false)).toEqual({ __provider: "code" });
    });

    it("turns resource references into their id, unknown id, or URN", () => {
        const ref = (extra: Record<string, unknown>) => ({ [SIG]: RESOURCE_REF_SIG, urn: SCRIPT_URN, ...extra });
        expect(toAnalyzerProperties({ a: ref({ id: "abc" }), b: ref({ id: "" }), c: ref({}) })).toEqual({ a: "abc", b: UNKNOWN, c: SCRIPT_URN });
    });

    it("turns output values into their value, secret when they were, or unknown", () => {
        const out = (extra: Record<string, unknown>) => ({ [SIG]: OUTPUT_VALUE_SIG, ...extra });
        expect(toAnalyzerProperties({ a: out({ value: 1 }), b: out({ value: "s", secret: true }), c: out({}) })).toEqual({ a: 1, b: secret("s"), c: UNKNOWN });
    });
});

describe("reconcilePolicyConfig", () => {
    const policies: PackPolicy[] = [{
        name: "budget", displayName: "", description: "d", enforcementLevel: "advisory", severity: undefined, remediationSteps: "", url: "", tags: [], type: "stack",
        configSchema: { properties: { max: { type: "integer", default: 1 }, label: { type: "string" } }, required: ["label"] },
    }, {
        name: "dates", displayName: "", description: "d", enforcementLevel: "mandatory", severity: undefined, remediationSteps: "", url: "", tags: [], type: "resource", configSchema: undefined,
    }];

    it("starts from the schema defaults and the pack's levels, then applies the given config", () => {
        const result = reconcilePolicyConfig(policies, new Map(), { budget: { label: "x" } });
        expect(result.issues).toEqual([]);
        expect(Object.fromEntries(result.config)).toEqual({
            budget: { enforcementLevel: "advisory", properties: { max: 1, label: "x" } },
            dates: { enforcementLevel: "mandatory", properties: {} },
        });
    });

    it("applies \"all\" before the per-policy levels", () => {
        const result = reconcilePolicyConfig(policies, new Map(), { all: "disabled", dates: "advisory", budget: { label: "x" } });
        expect(result.config.get("budget")?.enforcementLevel).toBe("disabled");
        expect(result.config.get("dates")?.enforcementLevel).toBe("advisory");
    });

    it("applies the pack's initial config under the given config", () => {
        const initial = new Map([["budget", { enforcementLevel: "mandatory" as const, properties: { label: "initial", max: 3 } }]]);
        const result = reconcilePolicyConfig(policies, initial, { budget: { max: 4 } });
        expect(result.config.get("budget")).toEqual({ enforcementLevel: "mandatory", properties: { label: "initial", max: 4 } });
    });

    it("reports required settings, bad levels and unknown policies; warns on unknown policies with a level", () => {
        const result = reconcilePolicyConfig(policies, new Map(), { budget: { enforcementLevel: 3 }, typo: { max: 1 }, other: "advisory" });
        expect([...result.issues].sort()).toEqual([
            "budget.enforcementLevel: expected one of advisory, mandatory, remediate, disabled, got 3",
            "budget.label: is required",
            "typo: the pack has no policy named \"typo\" and no enforcementLevel is given (the engine fails Configure with 'invalid enforcement level \"\"')",
        ]);
        expect(result.warnings).toEqual(["policy config names \"other\", which is not a policy of the pack; it has no effect"]);
    });
});

describe("sortViolations", () => {
    it("orders by URN (stack-wide first), policy name, then message, and keeps equal ones in order", () => {
        const v = (urn: string | undefined, policyName: string, message: string) => ({
            policyName, policyPackName: "p", policyPackVersion: "1", enforcementLevel: "advisory" as const, message, description: "", ...(urn ? { urn } : {}),
        });
        const sorted = sortViolations([v("b", "x", "2"), v("a", "y", "1"), v(undefined, "z", "1"), v("a", "x", "2"), v("a", "x", "1")]);
        expect(sorted.map((s) => `${s.urn ?? "-"}/${s.policyName}/${s.message}`)).toEqual(["-/z/1", "a/x/1", "a/x/2", "a/y/1", "b/x/2"]);
    });
});
