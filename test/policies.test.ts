/**
 * The policy pack driven as the engine drives it: the pack runs in its own process serving the analyzer
 * protocol, and sees the resources the SDK registered. It runs built (`tools/lib/analyzer/packBuild.ts`, as the
 * offline plan runs it): the same policies with the same verdicts as the CLI's way, which test/packBuild.test.ts
 * compares and test/engine/policyPack.test.ts runs through the real CLI, without ts-node's compile per run.
 *
 * One stack holds a passing and a violating resource per policy; each violating one changes one thing.
 * The same stack is declared twice: every Worker as a `WorkersScript` (`deployment.strategy: "script"`), and
 * every Worker as a `Worker` + `WorkerVersion` + `WorkersDeployment` (`"versions"`, and the same three
 * resources written by hand for the Workers outside a WorkerService). Every Worker policy must give both the
 * same verdicts, reported on the resource that carries the field it checks.
 */
import * as path from "node:path";
import * as fs from "node:fs";
import * as cloudflare from "@pulumi/cloudflare";
import * as pulumi from "@pulumi/pulumi";
import { beforeAll, describe, expect, it } from "vitest";
import { z } from "zod";
import { ES_MODULE_CONTENT_TYPE } from "../components/cloudflare/deployment/versionedWorker";
import { deploymentSchema } from "../components/cloudflare/deployment/deploymentSettings";
import { WorkerService, type WorkerServiceArgs } from "../components/cloudflare/workerService";
import { Monitoring } from "../components/cloudflare/monitoring/monitoring";
import { mergeMonitoring } from "../components/service/monitoring";
import { defineService } from "../components/service/declaration";
import { WORKER_SERVICE_TYPE } from "../components/typeTokens";
import type { ServiceSettings } from "../components/service/settings";
import { runPolicyPack, type PolicyPackConfig, type PolicyPackRun } from "../tools/lib/analyzer";
import { runOffline, type ResourceRecord } from "../tools/lib/mockEngine";
import { UNKNOWN } from "../tools/lib/wire";

const PACK = path.resolve(__dirname, "..", "policies");
const ACCOUNT = "0123456789abcdef0123456789abcdef";
const ZONE = { id: "fedcba9876543210fedcba9876543210", name: "example.com" };
const STABLE_VERSION = "0f8e7d6c-5b4a-4392-8190-a1b2c3d4e5f6";
const DAY = 24 * 60 * 60 * 1000;
const daysFromToday = (days: number) => new Date(Date.now() + days * DAY).toISOString().slice(0, 10);

type Strategy = "script" | "versions";
/** A versioned service's deployment when the test changes nothing: 100% through a metric-gated rollout with default thresholds. */
const GATED = deploymentSchema.parse({ strategy: "versions", rollout: {} });
const STRATEGIES: readonly Strategy[] = ["script", "versions"];
const WORKER_POLICIES = [
    "worker-health-check", "env-contract-bindings", "no-plaintext-secrets", "compatibility-date-current", "observability-enabled",
    "workers-dev-disabled", "worker-routed", "durable-objects-sqlite",
];

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

/** Declares the stack's Workers one way: as scripts, or as versioned Workers. */
class Stack {
    constructor(readonly stack: string, readonly strategy: Strategy) {}

    /** A WorkerService that passes every policy, changed by `change`. */
    service(name: string, change: {
        settings?: Partial<ServiceSettings>;
        script?: (args: cloudflare.WorkersScriptArgs) => cloudflare.WorkersScriptArgs;
        deployment?: WorkerServiceArgs["deployment"];
    } = {}): WorkerService {
        const args: WorkerServiceArgs = {
            accountId: ACCOUNT,
            declaration,
            root: path.join(__dirname, "fixtures", "workers", "basic"),
            serviceDir: "test/fixtures/workers/basic",
            scriptName: `${name}-${this.stack}`,
            settings: { ...compliant, customDomains: [`${name}.example.com`], ...change.settings },
            secrets: pulumi.secret({ SIGNING_KEY: "s".repeat(40) }),
            zone: ZONE,
            ...(this.strategy === "versions" ? { deployment: change.deployment ?? GATED } : {}),
            ...(change.script === undefined ? {} : { transform: { script: change.script } }),
        };
        return new WorkerService(name, args);
    }

    /**
     * A Worker outside any WorkerService: a `WorkersScript` named `name`, or a `Worker` named `name` with its
     * `<name>-version` and the `<name>-deployment` that sends it all traffic, from the same args.
     */
    raw(name: string, change: Partial<cloudflare.WorkersScriptArgs>, opts: pulumi.CustomResourceOptions = {}): void {
        const args: cloudflare.WorkersScriptArgs = {
            accountId: ACCOUNT, scriptName: `${name}-${this.stack}`, content: "export default { fetch() { return new Response('x'); } };",
            mainModule: "index.js", compatibilityDate: daysFromToday(-30), observability: { enabled: true }, ...change,
        };
        if (this.strategy === "script") {
            new cloudflare.WorkersScript(name, args, opts);
            return;
        }
        const worker = new cloudflare.Worker(name, {
            accountId: args.accountId, name: args.scriptName,
            ...(args.observability === undefined ? {} : { observability: args.observability as cloudflare.WorkerArgs["observability"] }),
        }, opts);
        const version = new cloudflare.WorkerVersion(`${name}-version`, {
            accountId: args.accountId, workerId: worker.id, mainModule: args.mainModule,
            modules: [{ name: "index.js", contentType: ES_MODULE_CONTENT_TYPE, contentBase64: Buffer.from(String(args.content)).toString("base64") }],
            ...(args.compatibilityDate === undefined ? {} : { compatibilityDate: args.compatibilityDate }),
            ...(args.bindings === undefined ? {} : { bindings: args.bindings as cloudflare.WorkerVersionArgs["bindings"] }),
            ...(args.migrations === undefined ? {} : { migrations: args.migrations as cloudflare.WorkerVersionArgs["migrations"] }),
        }, opts);
        new cloudflare.WorkersDeployment(`${name}-deployment`, {
            accountId: args.accountId, scriptName: worker.name, strategy: "percentage", versions: [{ versionId: version.id, percentage: 100 }],
        }, opts);
    }
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

function program(s: Stack) {
    s.service("good");
    // Only as versions: a 10% split keeps the rest on an earlier version; it passes every policy too.
    if (s.strategy === "versions") s.service("canary", { deployment: { strategy: "versions", percentage: 10, stableVersionId: STABLE_VERSION } });
    // Their Health Checks and alerts (monitoring-configured; its own cases are in test/monitoring/monitoring.test.ts).
    new Monitoring(s.stack, {
        accountId: ACCOUNT, stack: s.stack, zone: ZONE, destinations: { emails: ["oncall@example.com"], webhooks: {}, pagerduty: [] },
        services: (s.strategy === "versions" ? ["good", "canary"] : ["good"]).map((name) => ({
            name, scriptName: `${name}-${s.stack}`, hostnames: [`${name}.example.com`], healthUrl: `https://${name}.example.com/health`, monitoring: mergeMonitoring(),
        })),
    });
    // Health check.
    s.raw("orphan", {});
    const noHealth = new FakeWorkerService("nohealth");
    s.raw("nohealth", {}, { parent: noHealth });
    noHealth.publish({ healthCheckPath: "" });
    // Env contract.
    s.service("secretasvar", { script: withBinding({ name: "SIGNING_KEY", type: "plain_text", text: "x" }) });
    s.service("extravar", { script: withBinding({ name: "REGION", type: "plain_text", text: "eu" }) });
    s.service("missingkey", { script: (args) => ({ ...args, bindings: pulumi.output(args.bindings ?? []).apply((l) => (l ?? []).filter((b) => b.name !== "LOG_LEVEL")) }) });
    // Plain-text secrets (by name, URL credentials, random token, known token format; allowed name).
    s.service("tokenname", { script: withBinding({ name: "LOG_LEVEL", type: "plain_text", text: "x" }) });
    s.raw("namedkey", { bindings: [{ name: "STRIPE_KEY", type: "plain_text", text: "x" }] });
    s.raw("urlcreds", { bindings: [{ name: "UPSTREAM", type: "plain_text", text: "https://app:hunter2@api.internal/v1" }] });
    s.raw("entropy", { bindings: [{ name: "OPAQUE", type: "plain_text", text: "q7Xk2PzR9mWv4TbN8cLs1YhG6dJf3AeU" }] });
    s.raw("ghtoken", { bindings: [{ name: "UPSTREAM_AUTH", type: "plain_text", text: `ghp_${"a1B2c3D4e5".repeat(4)}` }] });
    s.raw("publicvars", { bindings: [{ name: "REGION", type: "plain_text", text: "weur" }, { name: "SITE", type: "plain_text", text: "https://example.com/app" }] });
    // Protection.
    new cloudflare.D1Database("unprotected-db", { accountId: ACCOUNT, name: "unprotected-db" });
    new cloudflare.R2Bucket("unprotected-bucket", { accountId: ACCOUNT, name: "unprotected-bucket" });
    new cloudflare.WorkersKvNamespace("unprotected-kv", { accountId: ACCOUNT, title: "unprotected-kv" });
    new NeonBranch("unprotected-branch", { name: "staging" });
    new NeonBranch("protected-branch", { name: "production" }, { protect: true });
    // Exposure.
    s.service("devon", { settings: { workersDev: true } });
    s.service("unrouted", { settings: { customDomains: [] } });
    s.service("routed", { settings: { customDomains: [], routes: ["example.com/routed/*"] } });
    // Compatibility date, observability, Durable Object storage.
    s.raw("olddate", { compatibilityDate: daysFromToday(-400) });
    s.raw("futuredate", { compatibilityDate: daysFromToday(30) });
    s.raw("nodate", { compatibilityDate: undefined });
    s.service("nologs", { settings: { observability: { enabled: false, headSamplingRate: 1 } } });
    s.raw("kvobjects", { migrations: { newTag: "v1", steps: [{ newClasses: ["Legacy"] }] } });
    return {};
}

/** The Workers `program` declares with `raw`. */
const RAW_WORKERS = ["entropy", "futuredate", "ghtoken", "kvobjects", "namedkey", "nodate", "olddate", "orphan", "publicvars", "urlcreds"];

const production = JSON.parse(fs.readFileSync(path.join(PACK, "config", "production.json"), "utf8")) as PolicyPackConfig;
const staging = JSON.parse(fs.readFileSync(path.join(PACK, "config", "staging.json"), "utf8")) as PolicyPackConfig;
const tuned: PolicyPackConfig = {
    ...production,
    "compatibility-date-current": { enforcementLevel: "mandatory", maxAgeDays: 10 },
    "no-plaintext-secrets": { enforcementLevel: "mandatory", allowedNames: ["STRIPE_KEY"] },
};

/** What the pack reported, per strategy: with each stack's own config, and with tuned settings. */
const runs = {} as Record<Strategy, { production: PolicyPackRun; staging: PolicyPackRun; tuned: PolicyPackRun }>;
/** The versioned production stack as the engine holds it in a preview, linked by property dependencies only / plain dependencies only. */
const preview = {} as Record<"propertyDependencies" | "dependencies", PolicyPackRun>;

async function record(stack: string, strategy: Strategy): Promise<readonly ResourceRecord[]> {
    return (await runOffline({ project: "platform", stack, config: { config: {}, secretKeys: [] }, program: () => program(new Stack(stack, strategy)) })).resources;
}

const analyze = (resources: readonly ResourceRecord[], stack: string, policyConfig: PolicyPackConfig) =>
    runPolicyPack({ packDir: PACK, resources, project: "platform", stack, policyConfig, build: true });

/**
 * The records as a real preview has them: a new version's id, and so the Worker's id a version names and
 * the versions a deployment lists, are unknown; and the links the engine sends either as property
 * dependencies or (an older engine, a hand-written program) as plain dependencies only.
 */
function asPreview(records: readonly ResourceRecord[], links: "propertyDependencies" | "dependencies"): ResourceRecord[] {
    const unknownProps: Record<string, string[]> = {
        "cloudflare:index/workerVersion:WorkerVersion": ["workerId"],
        // Known in a real preview (the Worker's name is an input); unknown here to prove no link needs it.
        "cloudflare:index/workersDeployment:WorkersDeployment": ["versions", "scriptName"],
    };
    return records.map((r) => {
        const unknown = Object.fromEntries((unknownProps[r.type] ?? []).map((p) => [p, UNKNOWN]));
        return {
            ...r,
            inputs: { ...r.inputs, ...unknown },
            outputs: { ...r.outputs, ...unknown },
            dependencies: links === "dependencies" ? r.dependencies : [],
            propertyDependencies: links === "propertyDependencies" ? r.propertyDependencies : {},
        };
    });
}

beforeAll(async () => {
    for (const strategy of STRATEGIES) {
        const prod = await record("production", strategy);
        const stage = await record("staging", strategy);
        const [p, s, t] = await Promise.all([analyze(prod, "production", production), analyze(stage, "staging", staging), analyze(prod, "production", tuned)]);
        runs[strategy] = { production: p, staging: s, tuned: t };
        if (strategy === "versions") {
            [preview.propertyDependencies, preview.dependencies] = await Promise.all([
                analyze(asPreview(prod, "propertyDependencies"), "production", production),
                analyze(asPreview(prod, "dependencies"), "production", production),
            ]);
        }
    }
}, 300_000);

/** The resource name a violation is reported on (`stack` for stack-wide ones). */
const resourceOf = (urn: string | undefined) => urn === undefined ? "stack" : urn.slice(urn.lastIndexOf("::") + 2);

/** `policy resource-name` for every violation of a run, or of one policy. */
function violations(run: PolicyPackRun, policy?: string): string[] {
    return run.violations.filter((v) => policy === undefined || v.policyName === policy).map((v) => `${v.policyName} ${resourceOf(v.urn)}`).sort();
}

/**
 * Every violation with the resource and Worker it names reduced to the Worker they stand for, so one Worker
 * declared either way compares equal: `nologs-script` / `nologs-worker` → `nologs`, `Worker nologs-production`
 * / `Worker version nologs-version` → `Worker nologs`.
 */
function verdicts(run: PolicyPackRun, policy?: string): string[] {
    const worker = (name: string) => name.replace(/-(script|subdomain|worker|version|deployment)$/, "");
    return run.violations.filter((v) => policy === undefined || v.policyName === policy).map((v) => [
        v.policyName, v.enforcementLevel, worker(resourceOf(v.urn)),
        v.message.replace(/\bWorker (version )?([a-z]+)-(production|staging|version)\b/g, "Worker $2"),
    ].join(" | ")).sort();
}

describe.each(STRATEGIES)("policy pack over the analyzer protocol, Workers deployed as %s", (strategy) => {
    /** The violations of the production run, by policy, named by Worker (see {@link verdicts}). */
    const flagged = (policy: string) => [...new Set(verdicts(runs[strategy].production, policy).map((v) => v.split(" | ")[2]))].sort();

    it("passes the compliant services on every policy", () => {
        // A manual split has no rollout gate: rollouts-gated flags it (test/policies/rollouts.test.ts).
        const manualSplit = (v: { policyName: string; urn?: string }) => v.policyName === "rollouts-gated" && /::canary-/.test(v.urn ?? "");
        expect(runs[strategy].production.violations.filter((v) => /::(good|canary)-/.test(v.urn ?? "") && !manualSplit(v))).toEqual([]);
    });

    it("worker-health-check: flags Workers outside a WorkerService or without a health path", () => {
        expect(flagged("worker-health-check")).toEqual(["nohealth", ...RAW_WORKERS].sort());
    });

    it("env-contract-bindings: a secret bound as a var, a var outside the contract, a missing key", () => {
        expect(flagged("env-contract-bindings")).toEqual(["extravar", "missingkey", "secretasvar"]);
        const messages = runs[strategy].production.violations.filter((v) => v.policyName === "env-contract-bindings").map((v) => v.message).join("\n");
        expect(messages).toContain("Worker secretasvar-production binds env contract key SIGNING_KEY as plain_text; its contract kind secret needs secret_text");
        expect(messages).toContain("binds variable REGION, which its env contract does not declare");
        expect(messages).toContain("has no binding for env contract key LOG_LEVEL");
    });

    it("no-plaintext-secrets: secret-looking names and values, never printing the value", () => {
        expect(flagged("no-plaintext-secrets")).toEqual(["entropy", "ghtoken", "namedkey", "secretasvar", "urlcreds"]);
        const text = JSON.stringify(runs[strategy].production.violations);
        for (const value of ["hunter2", "q7Xk2PzR9mWv4TbN8cLs1YhG6dJf3AeU", "a1B2c3D4e5", "s".repeat(40)]) expect(text).not.toContain(value);
    });

    it("stateful-resources-protected: D1, R2, KV and Neon resources without protect", () => {
        expect(violations(runs[strategy].production, "stateful-resources-protected")).toEqual([
            "stateful-resources-protected unprotected-branch", "stateful-resources-protected unprotected-bucket",
            "stateful-resources-protected unprotected-db", "stateful-resources-protected unprotected-kv",
        ]);
        expect(runs[strategy].production.violations.map((v) => v.message)).toContain("D1 database unprotected-db must be protected in production.");
    });

    it("workers-dev-disabled and worker-routed: exposure", () => {
        expect(flagged("workers-dev-disabled")).toEqual(["devon", "nohealth", ...RAW_WORKERS].sort());
        expect(flagged("worker-routed")).toEqual(["nohealth", "unrouted", ...RAW_WORKERS].sort());
    });

    it("compatibility-date-current, observability-enabled, durable-objects-sqlite", () => {
        expect(flagged("compatibility-date-current")).toEqual(["futuredate", "nodate", "olddate"]);
        expect(flagged("observability-enabled")).toEqual(["nologs"]);
        expect(flagged("durable-objects-sqlite")).toEqual(["kvobjects"]);
    });

    it("makes every rule mandatory in production and advisory in staging, and says which stack it checks", () => {
        const { production: prod, staging: stage } = runs[strategy];
        expect(new Set(prod.violations.map((v) => v.enforcementLevel))).toEqual(new Set(["mandatory"]));
        expect(new Set(stage.violations.map((v) => v.enforcementLevel))).toEqual(new Set(["advisory"]));
        const flaggedIn = (run: PolicyPackRun) => verdicts(run).map((v) => v.split(" | ").filter((_, i) => i !== 1 && i !== 3).join(" "));
        expect(flaggedIn(stage)).toEqual(flaggedIn(prod));
        for (const policy of stage.policies) expect(policy.enforcementLevel, policy.name).toBe("advisory");
        // The rule each stack checks, in its own words: never "in production" in staging.
        const messages = stage.violations.map((v) => v.message);
        expect(messages.filter((m) => m.includes("production"))).toEqual([]);
        expect(messages).toContain("D1 database unprotected-db must be protected in staging.");
        expect(messages).toContain("Worker nologs-staging must have observability enabled in staging.");
        expect(messages).toContain("Worker devon-staging must have workers.dev disabled in staging.");
        expect(messages).toContain("Worker unrouted-staging must be reachable through a route or custom domain in staging.");
        expect(prod.violations.map((v) => v.message)).toContain("Worker unrouted-production must be reachable through a route or custom domain in production.");
    });

    it("applies policy settings from the stack's config", () => {
        // maxAgeDays 10 makes a 30-day-old date stale; STRIPE_KEY allowed by name.
        expect(verdicts(runs[strategy].tuned, "compatibility-date-current").map((v) => v.split(" | ")[2])).toContain("orphan");
        expect(verdicts(runs[strategy].tuned, "no-plaintext-secrets").map((v) => v.split(" | ")[2])).not.toContain("namedkey");
    });
});

describe("every Worker policy sees a versioned Worker as a script", () => {
    it.each(WORKER_POLICIES)("%s: the same verdicts for both strategies, in production, staging and with tuned settings", (policy) => {
        // `canary` exists only as versions (a split); tuned settings flag its date, as they flag `good`'s.
        const shared = (run: PolicyPackRun) => verdicts(run, policy).filter((v) => v.split(" | ")[2] !== "canary");
        for (const run of ["production", "staging", "tuned"] as const) {
            const script = shared(runs.script[run]);
            expect(script.length, `${policy} fires in ${run}`).toBeGreaterThan(0);
            expect(shared(runs.versions[run]), `${policy} in ${run}`).toEqual(script);
        }
    });

    it.each(WORKER_POLICIES)("%s: the same verdicts on a preview's unknown ids, linked by property dependencies or by dependencies", (policy) => {
        for (const run of Object.values(preview)) {
            expect(run.violations.filter((v) => v.message.startsWith("can't run"))).toEqual([]);
            expect(verdicts(run, policy)).toEqual(verdicts(runs.script.production, policy));
        }
    });

    it("reports on the resource that carries the field: bindings and code on the version, settings on the Worker", () => {
        const run = runs.versions.production;
        expect(violations(run, "env-contract-bindings")).toEqual(["extravar", "missingkey", "secretasvar"].map((s) => `env-contract-bindings ${s}-version`));
        expect(violations(run, "no-plaintext-secrets")).toEqual(
            ["entropy", "ghtoken", "namedkey", "secretasvar", "urlcreds"].map((s) => `no-plaintext-secrets ${s}-version`));
        expect(violations(run, "compatibility-date-current")).toEqual(
            ["futuredate", "nodate", "olddate"].map((s) => `compatibility-date-current ${s}-version`));
        expect(violations(run, "durable-objects-sqlite")).toEqual(["durable-objects-sqlite kvobjects-version"]);
        expect(violations(run, "observability-enabled")).toEqual(["observability-enabled nologs-worker"]);
        expect(violations(run, "workers-dev-disabled")).toContain("workers-dev-disabled devon-worker");
        expect(violations(run, "worker-routed")).toContain("worker-routed unrouted-worker");
        expect(violations(run, "worker-health-check")).toContain("worker-health-check nohealth");
        const messages = run.violations.map((v) => v.message);
        expect(messages).toContain("Worker version secretasvar-version binds SIGNING_KEY as plain text, but its name looks like a secret; bind it as secret_text.");
        expect(messages).toContain("Worker nologs-production must have observability enabled in production.");
    });
});

describe("the stack view: versions of a Worker, wherever the Worker is declared", () => {
    let run: PolicyPackRun;
    beforeAll(async () => {
        const resources = (await runOffline({
            project: "platform", stack: "production", config: { config: {}, secretKeys: [] }, program: () => {
                // A script whose traffic a deployment sends to a version uploaded next to it.
                const script = new cloudflare.WorkersScript("hybrid", {
                    accountId: ACCOUNT, scriptName: "hybrid-production", content: "export default {}", mainModule: "index.js",
                    compatibilityDate: daysFromToday(-30), observability: { enabled: true },
                });
                const version = new cloudflare.WorkerVersion("hybrid-version", {
                    accountId: ACCOUNT, workerId: "hybrid-production", mainModule: "index.js", compatibilityDate: daysFromToday(-400),
                    bindings: [{ name: "API_TOKEN", type: "plain_text", text: "x" }],
                }, { dependsOn: [script] });
                new cloudflare.WorkersDeployment("hybrid-deployment", {
                    accountId: ACCOUNT, scriptName: script.scriptName, strategy: "percentage", versions: [{ versionId: version.id, percentage: 100 }],
                });
                // Versions of Workers the stack does not declare: one shipped by a deployment, one alone.
                const shipped = new cloudflare.WorkerVersion("outside-version", { accountId: ACCOUNT, workerId: "existing-id", mainModule: "index.js", compatibilityDate: daysFromToday(-30) });
                new cloudflare.WorkersDeployment("outside-deployment", {
                    accountId: ACCOUNT, scriptName: "outside-production", strategy: "percentage", versions: [{ versionId: shipped.id, percentage: 100 }],
                });
                new cloudflare.WorkerVersion("detached", { accountId: ACCOUNT, workerId: "existing-id", mainModule: "index.js", compatibilityDate: daysFromToday(-30) });
                return {};
            },
        })).resources;
        run = await analyze(resources, "production", production);
    }, 120_000);

    it("makes a script and the versions deployed to it one Worker; versions of Workers outside the stack their own", () => {
        expect(run.violations.filter((v) => v.policyName === "worker-health-check").map((v) => `${resourceOf(v.urn)}: ${v.message}`).sort()).toEqual([
            "detached: Worker detached is not declared through a WorkerService, so it has no health check.",
            "hybrid: Worker hybrid-production is not declared through a WorkerService, so it has no health check.",
            "outside-deployment: Worker outside-production is not declared through a WorkerService, so it has no health check.",
        ]);
        expect(violations(run, "worker-routed")).toEqual(["worker-routed hybrid", "worker-routed outside-deployment"]);
    });

    it("checks every version's code where it is uploaded", () => {
        expect(violations(run, "no-plaintext-secrets")).toEqual(["no-plaintext-secrets hybrid-version"]);
        expect(violations(run, "compatibility-date-current")).toEqual(["compatibility-date-current hybrid-version"]);
    });
});

describe("policy metadata", () => {
    it("every policy carries full metadata", () => {
        const vendorRules = new Set(["compatibility-date-current", "observability-enabled", "workers-dev-disabled", "worker-routed",
            "durable-objects-sqlite", "no-plaintext-secrets", "stateful-resources-protected"]);
        const policies = runs.script.production.policies;
        expect(policies.length).toBeGreaterThanOrEqual(9);
        expect(policies.map((p) => p.name)).toEqual(expect.arrayContaining(WORKER_POLICIES));
        for (const p of policies) {
            expect(p.name, p.name).toMatch(/^[a-z0-9]+(-[a-z0-9]+)*$/);
            expect(p.description, p.name).toMatch(/^Checks (that|whether) .+[^.]\.$/);
            expect(p.description, `${p.name}: one sentence`).not.toMatch(/\.\s+[A-Z]/);
            expect(["low", "medium", "high", "critical"], p.name).toContain(p.severity);
            expect(p.remediationSteps?.length ?? 0, p.name).toBeGreaterThan(20);
            expect(p.remediationSteps, `${p.name}: remediation for every stack`).not.toContain("Pulumi.production.yaml");
            if (vendorRules.has(p.name)) expect(p.url, p.name).toMatch(/^https:\/\//);
            for (const [property, schema] of Object.entries((p.configSchema?.properties ?? {}) as Record<string, { default?: unknown; description?: string }>)) {
                expect(schema.default, `${p.name}.${property} default`).toBeDefined();
                expect(schema.description, `${p.name}.${property} description`).toBeTruthy();
            }
            expect(Object.keys(production), "production.json sets every policy").toContain(p.name);
        }
    });
});
