/**
 * The policy pack driven as the engine drives it: the pack runs in its own process serving the analyzer
 * protocol (started exactly as the CLI starts it), and sees the resources the SDK registered.
 *
 * One stack holds a passing and a violating resource per policy; each violating one changes one thing.
 */
import * as path from "node:path";
import * as fs from "node:fs";
import * as cloudflare from "@pulumi/cloudflare";
import * as pulumi from "@pulumi/pulumi";
import { beforeAll, describe, expect, it } from "vitest";
import { z } from "zod";
import { WorkerService, type WorkerServiceArgs } from "../components/cloudflare/workerService";
import { defineService } from "../components/service/declaration";
import { WORKER_SERVICE_TYPE } from "../components/typeTokens";
import type { ServiceSettings } from "../components/service/settings";
import { runPolicyPack, type PolicyPackConfig, type PolicyPackRun } from "../tools/lib/analyzer";
import { runOffline, type ResourceRecord } from "../tools/lib/mockEngine";

const PACK = path.resolve(__dirname, "..", "policies");
const ACCOUNT = "0123456789abcdef0123456789abcdef";
const ZONE = { id: "fedcba9876543210fedcba9876543210", name: "example.com" };
const DAY = 24 * 60 * 60 * 1000;
const daysFromToday = (days: number) => new Date(Date.now() + days * DAY).toISOString().slice(0, 10);

const declaration = defineService({
    name: "svc",
    main: "src/index.js",
    compatibilityDate: "2026-04-01",
    bindings: {
        CACHE: { kind: "kv" },
        COUNTER: { kind: "durableObject", className: "Counter" },
        LOG_LEVEL: { kind: "var", value: "info" },
        SIGNING_KEY: { kind: "secret" },
    },
    durableObjectMigrations: [{ tag: "v1", newSqliteClasses: ["Counter"] }],
    env: z.object({ LOG_LEVEL: z.string(), SIGNING_KEY: z.string() }),
});
const compliant: ServiceSettings = {
    routes: [], customDomains: [], vars: {}, workersDev: false, crons: [],
    observability: { enabled: true, headSamplingRate: 1 }, protect: true,
};

/** A WorkerService that passes every policy, changed by `change`. */
function service(name: string, change: { settings?: Partial<ServiceSettings>; script?: (args: cloudflare.WorkersScriptArgs) => cloudflare.WorkersScriptArgs } = {}) {
    const args: WorkerServiceArgs = {
        accountId: ACCOUNT,
        declaration,
        root: path.join(__dirname, "fixtures", "workers", "basic"),
        serviceDir: "test/fixtures/workers/basic",
        scriptName: `${name}-production`,
        settings: { ...compliant, customDomains: [`${name}.example.com`], ...change.settings },
        secrets: pulumi.secret({ SIGNING_KEY: "s".repeat(40) }),
        zone: ZONE,
        ...(change.script === undefined ? {} : { transform: { script: change.script } }),
    };
    return new WorkerService(name, args);
}

/** Replaces one binding of the script by name, or adds it. */
const withBinding = (binding: cloudflare.types.input.WorkersScriptBinding) => (args: cloudflare.WorkersScriptArgs): cloudflare.WorkersScriptArgs => ({
    ...args,
    bindings: pulumi.output(args.bindings ?? []).apply((list) => [...(list ?? []).filter((b) => b.name !== binding.name), binding as never]),
});

/** A component registered under WorkerService's type token with outputs of the test's choosing. */
class FakeWorkerService extends pulumi.ComponentResource {
    constructor(name: string) {
        super(WORKER_SERVICE_TYPE, name);
    }
    publish(outputs: Record<string, unknown>): void {
        this.registerOutputs(outputs);
    }
}

/** A resource with the Neon branch's dynamic type token. */
class NeonBranch extends pulumi.CustomResource {
    constructor(name: string, props: Record<string, unknown>, opts?: pulumi.CustomResourceOptions) {
        super("pulumi-nodejs:dynamic/neon:Branch", name, props, opts);
    }
}

/** A raw script outside any WorkerService. */
function rawScript(name: string, args: Partial<cloudflare.WorkersScriptArgs>) {
    return new cloudflare.WorkersScript(name, {
        accountId: ACCOUNT, scriptName: `${name}-production`, content: "export default { fetch() { return new Response('x'); } };",
        mainModule: "index.js", compatibilityDate: daysFromToday(-30), observability: { enabled: true }, ...args,
    });
}

function program() {
    service("good");
    // Health check.
    rawScript("orphan", {});
    const noHealth = new FakeWorkerService("nohealth");
    new cloudflare.WorkersScript("nohealth-script", {
        accountId: ACCOUNT, scriptName: "nohealth-production", content: "export default {}", mainModule: "index.js",
        compatibilityDate: daysFromToday(-30), observability: { enabled: true },
    }, { parent: noHealth });
    noHealth.publish({ healthCheckPath: "" });
    // Env contract.
    service("secretasvar", { script: withBinding({ name: "SIGNING_KEY", type: "plain_text", text: "x" }) });
    service("extravar", { script: withBinding({ name: "REGION", type: "plain_text", text: "eu" }) });
    service("missingkey", { script: (args) => ({ ...args, bindings: pulumi.output(args.bindings ?? []).apply((l) => (l ?? []).filter((b) => b.name !== "LOG_LEVEL")) }) });
    // Plain-text secrets (by name, URL credentials, random token, known token format; allowed name).
    service("tokenname", { script: withBinding({ name: "LOG_LEVEL", type: "plain_text", text: "x" }) });
    rawScript("namedkey", { bindings: [{ name: "STRIPE_KEY", type: "plain_text", text: "x" }] });
    rawScript("urlcreds", { bindings: [{ name: "UPSTREAM", type: "plain_text", text: "https://app:hunter2@api.internal/v1" }] });
    rawScript("entropy", { bindings: [{ name: "OPAQUE", type: "plain_text", text: "q7Xk2PzR9mWv4TbN8cLs1YhG6dJf3AeU" }] });
    rawScript("ghtoken", { bindings: [{ name: "UPSTREAM_AUTH", type: "plain_text", text: `ghp_${"a1B2c3D4e5".repeat(4)}` }] });
    rawScript("publicvars", { bindings: [{ name: "REGION", type: "plain_text", text: "weur" }, { name: "SITE", type: "plain_text", text: "https://example.com/app" }] });
    // Protection.
    new cloudflare.D1Database("unprotected-db", { accountId: ACCOUNT, name: "unprotected-db" });
    new cloudflare.R2Bucket("unprotected-bucket", { accountId: ACCOUNT, name: "unprotected-bucket" });
    new cloudflare.WorkersKvNamespace("unprotected-kv", { accountId: ACCOUNT, title: "unprotected-kv" });
    new NeonBranch("unprotected-branch", { name: "staging" });
    new NeonBranch("protected-branch", { name: "production" }, { protect: true });
    // Exposure.
    service("devon", { settings: { workersDev: true } });
    service("unrouted", { settings: { customDomains: [] } });
    service("routed", { settings: { customDomains: [], routes: ["example.com/routed/*"] } });
    // Compatibility date, observability, Durable Object storage.
    rawScript("olddate", { compatibilityDate: daysFromToday(-400) });
    rawScript("futuredate", { compatibilityDate: daysFromToday(30) });
    rawScript("nodate", { compatibilityDate: undefined });
    service("nologs", { settings: { observability: { enabled: false, headSamplingRate: 1 } } });
    rawScript("kvobjects", { migrations: { newTag: "v1", steps: [{ newClasses: ["Legacy"] }] } });
    return {};
}

/** The scripts `program` declares with `rawScript`. */
const RAW_SCRIPTS = ["entropy", "futuredate", "ghtoken", "kvobjects", "namedkey", "nodate", "olddate", "orphan", "publicvars", "urlcreds"];

let resources: readonly ResourceRecord[];
const runs: Record<string, PolicyPackRun> = {};
const production = JSON.parse(fs.readFileSync(path.join(PACK, "config", "production.json"), "utf8")) as PolicyPackConfig;
const staging = JSON.parse(fs.readFileSync(path.join(PACK, "config", "staging.json"), "utf8")) as PolicyPackConfig;

beforeAll(async () => {
    resources = (await runOffline({ project: "platform", stack: "production", config: { config: {}, secretKeys: [] }, program })).resources;
    const run = (policyConfig: PolicyPackConfig) => runPolicyPack({ packDir: PACK, resources, project: "platform", stack: "production", policyConfig });
    runs.production = await run(production);
    runs.staging = await run(staging);
    runs.tuned = await run({ ...production, "compatibility-date-current": { enforcementLevel: "mandatory", maxAgeDays: 10 }, "no-plaintext-secrets": { enforcementLevel: "mandatory", allowedNames: ["STRIPE_KEY"] } });
}, 180_000);

/** `policy resource-name` for every violation of a run (resource name, or `stack` for stack-wide ones). */
function violations(run: PolicyPackRun, policy?: string): string[] {
    const nameOf = (urn: string | undefined) => urn === undefined ? "stack" : urn.slice(urn.lastIndexOf("::") + 2);
    return run.violations.filter((v) => policy === undefined || v.policyName === policy).map((v) => `${v.policyName} ${nameOf(v.urn)}`).sort();
}

describe("policy pack over the analyzer protocol", () => {
    it("passes the compliant service on every policy", () => {
        expect(runs.production!.violations.filter((v) => v.urn?.includes("good"))).toEqual([]);
    });

    it("worker-health-check: flags scripts outside a WorkerService or without a health path", () => {
        expect(violations(runs.production!, "worker-health-check")).toEqual(
            ["nohealth-script", ...RAW_SCRIPTS].map((name) => `worker-health-check ${name}`).sort(),
        );
    });

    it("env-contract-bindings: a secret bound as a var, a var outside the contract, a missing key", () => {
        expect(violations(runs.production!, "env-contract-bindings")).toEqual([
            "env-contract-bindings extravar-script", "env-contract-bindings missingkey-script", "env-contract-bindings secretasvar-script",
        ]);
        const messages = runs.production!.violations.filter((v) => v.policyName === "env-contract-bindings").map((v) => v.message).join("\n");
        expect(messages).toContain("binds env contract key SIGNING_KEY as plain_text; its contract kind secret needs secret_text");
        expect(messages).toContain("binds variable REGION, which its env contract does not declare");
        expect(messages).toContain("has no binding for env contract key LOG_LEVEL");
    });

    it("no-plaintext-secrets: secret-looking names and values, never printing the value", () => {
        expect(violations(runs.production!, "no-plaintext-secrets")).toEqual([
            "no-plaintext-secrets entropy", "no-plaintext-secrets ghtoken", "no-plaintext-secrets namedkey",
            "no-plaintext-secrets secretasvar-script", "no-plaintext-secrets urlcreds",
        ]);
        const text = JSON.stringify(runs.production!.violations);
        for (const value of ["hunter2", "q7Xk2PzR9mWv4TbN8cLs1YhG6dJf3AeU", "a1B2c3D4e5", "s".repeat(40)]) expect(text).not.toContain(value);
    });

    it("stateful-resources-protected: D1, R2, KV and Neon resources without protect", () => {
        expect(violations(runs.production!, "stateful-resources-protected")).toEqual([
            "stateful-resources-protected unprotected-branch", "stateful-resources-protected unprotected-bucket",
            "stateful-resources-protected unprotected-db", "stateful-resources-protected unprotected-kv",
        ]);
        expect(runs.production!.violations.map((v) => v.message)).toContain("D1 database unprotected-db must be protected in production.");
    });

    it("workers-dev-disabled and worker-routed: production exposure", () => {
        expect(violations(runs.production!, "workers-dev-disabled")).toEqual([
            "workers-dev-disabled devon-subdomain", "workers-dev-disabled nohealth-script", ...RAW_SCRIPTS.map((s) => `workers-dev-disabled ${s}`),
        ].sort());
        expect(violations(runs.production!, "worker-routed")).toEqual([
            "worker-routed nohealth-script", "worker-routed unrouted-script", ...RAW_SCRIPTS.map((s) => `worker-routed ${s}`),
        ].sort());
    });

    it("compatibility-date-current, observability-enabled, durable-objects-sqlite", () => {
        expect(violations(runs.production!, "compatibility-date-current")).toEqual([
            "compatibility-date-current futuredate", "compatibility-date-current nodate", "compatibility-date-current olddate",
        ]);
        expect(violations(runs.production!, "observability-enabled")).toEqual(["observability-enabled nologs-script"]);
        expect(violations(runs.production!, "durable-objects-sqlite")).toEqual(["durable-objects-sqlite kvobjects"]);
    });

    it("makes every rule mandatory in production and advisory in staging", () => {
        expect(new Set(runs.production!.violations.map((v) => v.enforcementLevel))).toEqual(new Set(["mandatory"]));
        expect(new Set(runs.staging!.violations.map((v) => v.enforcementLevel))).toEqual(new Set(["advisory"]));
        expect(violations(runs.staging!)).toEqual(violations(runs.production!));
        for (const policy of runs.staging!.policies) expect(policy.enforcementLevel, policy.name).toBe("advisory");
    });

    it("applies policy settings from the stack's config", () => {
        // maxAgeDays 10 makes a 30-day-old date stale; STRIPE_KEY allowed by name.
        expect(violations(runs.tuned!, "compatibility-date-current")).toContain("compatibility-date-current orphan");
        expect(violations(runs.tuned!, "no-plaintext-secrets")).not.toContain("no-plaintext-secrets namedkey");
    });

    it("every policy carries full metadata", () => {
        const vendorRules = new Set(["compatibility-date-current", "observability-enabled", "workers-dev-disabled", "worker-routed",
            "durable-objects-sqlite", "no-plaintext-secrets", "stateful-resources-protected"]);
        const policies = runs.production!.policies;
        expect(policies.length).toBeGreaterThanOrEqual(9);
        for (const p of policies) {
            expect(p.name, p.name).toMatch(/^[a-z0-9]+(-[a-z0-9]+)*$/);
            expect(p.description, p.name).toMatch(/^Checks (that|whether) .+[^.]\.$/);
            expect(p.description, `${p.name}: one sentence`).not.toMatch(/\.\s+[A-Z]/);
            expect(["low", "medium", "high", "critical"], p.name).toContain(p.severity);
            expect(p.remediationSteps?.length ?? 0, p.name).toBeGreaterThan(20);
            if (vendorRules.has(p.name)) expect(p.url, p.name).toMatch(/^https:\/\//);
            for (const [property, schema] of Object.entries((p.configSchema?.properties ?? {}) as Record<string, { default?: unknown; description?: string }>)) {
                expect(schema.default, `${p.name}.${property} default`).toBeDefined();
                expect(schema.description, `${p.name}.${property} description`).toBeTruthy();
            }
            expect(Object.keys(production), "production.json sets every policy").toContain(p.name);
        }
    });
});
