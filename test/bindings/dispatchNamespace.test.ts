/**
 * Workers for Platforms dispatch namespaces (components/bindings/dispatchNamespace.ts): created per stack
 * (protected in production) or an existing namespace by name, with an optional outbound Worker that is a
 * declared service. Declaration, resources and bindings under the mock engine, the wrangler entry and
 * wrangler's dry run, the importer, the policy view and the health check.
 */
import { beforeAll, describe, expect, it } from "vitest";
import { DISPATCH_NAMESPACE_TYPE, dispatchNamespace } from "../../components/bindings/dispatchNamespace";
import { statefulResourcesProtected } from "../../policies/storage";
import { loadStackConfig } from "../../infra/config";
import { PROJECT_ROOT } from "../../infra/program";
import { resolveServices } from "../../infra/resolve";
import { resolveIssues } from "../helpers/bindingKindTests";
import { ACCOUNT, FIXTURE_ROOT, declarationIssues, declare, dryRun, generate, healthOf, importConfig, notesAt, runKind, type KindRun } from "../helpers/kindHarness";

const BINDINGS = {
    DISPATCHER: { kind: "dispatchNamespace", outbound: { service: "egress" } },
    CUSTOMERS: { kind: "dispatchNamespace", namespace: "{script}-customers" },
    SHARED: { kind: "dispatchNamespace", namespace: "workers-for-platforms-template" },
} as const;
const egress = declare({}, "egress");

describe("declaration", () => {
    it("creates a namespace per stack by default, or binds an existing one; outbound names a declared service", () => {
        expect(declare(BINDINGS).bindings).toEqual(BINDINGS);
        expect(dispatchNamespace.dependsOnServices!(declare(BINDINGS).bindings.DISPATCHER as never)).toEqual(["egress"]);
    });

    it("rejects bad names, a bad or self outbound service, with their paths", () => {
        expect(declarationIssues({
            A: { kind: "dispatchNamespace", namespace: "my namespace" },
            B: { kind: "dispatchNamespace", outbound: { service: "Egress" } },
            C: { kind: "dispatchNamespace", outbound: { worker: "egress" } as never },
        })).toEqual([
            {
                path: "services.svc.bindings.A.namespace",
                message: 'expected a dispatch namespace name: letters, digits, "-" and "_", optionally with {script} for the Worker\'s script name in each stack; got "my namespace"',
            },
            {
                path: "services.svc.bindings.B.outbound.service",
                message: 'expected a service name: lowercase letters, digits and dashes, starting with a letter, at most 40 characters, got string ("Egress")',
            },
            { path: "services.svc.bindings.C.outbound.service", message: "expected string, got nothing (the field is required)" },
            { path: "services.svc.bindings.C.outbound.worker", message: "unknown key; remove it or check its spelling" },
        ]);
        expect(declarationIssues({ A: { kind: "dispatchNamespace", outbound: { service: "svc" } } })).toEqual([
            { path: "services.svc.bindings.A.outbound.service", message: "a service cannot be its own outbound Worker; name another declared service" },
        ]);
    });
});

describe("against the stack's services", () => {
    it("needs the outbound service declared in the stack, and deploys it first", () => {
        const svc = { declaration: declare(BINDINGS), root: FIXTURE_ROOT };
        expect(resolveIssues([svc])).toEqual([
            'services.svc.bindings.DISPATCHER.outbound.service: no service named "egress" is declared; declared: svc',
        ]);
        const config = loadStackConfig({ "platform:accountId": ACCOUNT }, () => false);
        const ordered = resolveServices("production", config, [svc, { declaration: egress, root: FIXTURE_ROOT }], PROJECT_ROOT);
        expect(ordered.map((s) => s.declaration.name)).toEqual(["egress", "svc"]);
    });
});

describe("under the mock engine, production", () => {
    let kind: KindRun;
    beforeAll(async () => {
        kind = await runKind(BINDINGS, "production", [egress]);
    });

    it("creates a protected namespace per stack for the binding without `namespace`, parented to the service", () => {
        const created = kind.find(DISPATCH_NAMESPACE_TYPE, "svc-dispatcher");
        expect(created).toMatchObject({ protect: true, parent: kind.component.urn, inputs: { accountId: ACCOUNT, name: "svc-production-dispatcher" } });
        expect(kind.run.resources.filter((r) => r.type === DISPATCH_NAMESPACE_TYPE).map((r) => r.name)).toEqual(["svc-dispatcher", "svcv-dispatcher"]);
    });

    it("binds the namespaces and the outbound Worker to the WorkersScript and the WorkerVersion in the provider's shape", () => {
        expect(kind.scriptBindings).toEqual([
            { name: "DISPATCHER", type: "dispatch_namespace", namespace: "svc-production-dispatcher", outbound: { worker: { service: "egress-production" } } },
            { name: "CUSTOMERS", type: "dispatch_namespace", namespace: "svc-production-customers" },
            { name: "SHARED", type: "dispatch_namespace", namespace: "workers-for-platforms-template" },
        ]);
        expect(kind.versionBindings).toEqual([
            { name: "DISPATCHER", type: "dispatch_namespace", namespace: "svcv-production-dispatcher", outbound: { worker: { service: "egress-production" } } },
            { name: "CUSTOMERS", type: "dispatch_namespace", namespace: "svcv-production-customers" },
            { name: "SHARED", type: "dispatch_namespace", namespace: "workers-for-platforms-template" },
        ]);
        // The script waits for its namespace and its outbound Worker.
        const script = kind.find("cloudflare:index/workersScript:WorkersScript", "svc-script");
        expect(script.dependencies).toContain(kind.find(DISPATCH_NAMESPACE_TYPE, "svc-dispatcher").urn);
        expect(kind.summary.bindings[0]).toEqual({ name: "DISPATCHER", kind: "dispatchNamespace", target: "svc-production-dispatcher" });
    });

    it("writes dispatch_namespaces entries that wrangler deploy --dry-run accepts", async () => {
        const config = kind.summary.wranglerConfig.config;
        expect(config.dispatch_namespaces).toEqual([
            { binding: "DISPATCHER", namespace: "svc-production-dispatcher", outbound: { service: "egress-production" } },
            { binding: "CUSTOMERS", namespace: "svc-production-customers" },
            { binding: "SHARED", namespace: "workers-for-platforms-template" },
        ]);
        const run = await dryRun(config);
        expect(run.code, `${run.stdout}\n${run.stderr}`).toBe(0);
        expect(run.stdout).toContain("env.DISPATCHER (svc-production-dispatcher (outbound -> egress-production))");
    }, 60_000);

    it("is a stateful resource to the policy pack: unprotected in production is a violation", () => {
        const violations: string[] = [];
        const validate = statefulResourcesProtected.validateResource as (args: unknown, report: (message: string) => void) => void;
        const urn = `urn:pulumi:production::platform::${DISPATCH_NAMESPACE_TYPE}::svc-dispatcher`;
        validate({ type: DISPATCH_NAMESPACE_TYPE, urn, name: "svc-dispatcher", props: { name: "svc-production-dispatcher" }, opts: { protect: false } }, (m) => violations.push(m));
        expect(violations).toEqual(["dispatch namespace svc-production-dispatcher must be protected in production."]);
    });
});

describe("under the mock engine, staging", () => {
    it("creates the namespace unprotected", async () => {
        const kind = await runKind({ DISPATCHER: { kind: "dispatchNamespace" } }, "staging");
        expect(kind.find(DISPATCH_NAMESPACE_TYPE, "svc-dispatcher")).toMatchObject({ protect: false, inputs: { name: "svc-staging-dispatcher" } });
    });
});

describe("import", () => {
    it("binds the file's namespaces as existing ones and maps the outbound Worker to a declared service", () => {
        const result = importConfig({
            dispatch_namespaces: [
                { binding: "dispatcher", namespace: "workers-for-platforms-template", remote: true },
                { binding: "OUTBOUND", namespace: "svc-production-outbound", outbound: { service: "egress-production", environment: "production" } },
            ],
        });
        expect(result.declaration.bindings).toEqual({
            dispatcher: { kind: "dispatchNamespace", namespace: "workers-for-platforms-template" },
            OUTBOUND: { kind: "dispatchNamespace", namespace: "{script}-outbound", outbound: { service: "egress-production" } },
        });
        expect(notesAt(result, "dispatch_namespaces")).toEqual([
            "unsupported dispatch_namespaces[0].remote: local-development mode is not part of service declarations (the generated wrangler.jsonc uses wrangler's local simulation where it has one); not imported",
            'changed dispatch_namespaces[1].namespace: "svc-production-outbound" contains the platform\'s script name for stack production ("svc-production"): declared as the pattern "{script}-outbound", so every stack binds its own dispatch namespace',
            "changed dispatch_namespaces[1].outbound.environment: the platform binds the outbound service's script in the same stack; environment dropped",
            'changed dispatch_namespaces[1].outbound.service: outbound Worker "egress-production"; the platform binds declared service "egress-production" (script "egress-production-production"): declare or import that service too',
        ]);
    });

    it("does not import a binding whose outbound Worker it cannot carry", () => {
        const result = importConfig({
            dispatch_namespaces: [
                { binding: "A", namespace: "ns", outbound: { service: "egress", parameters: ["customer"] } },
                { binding: "B", namespace: "ns", outbound: { service: "svc" } },
            ],
        });
        expect(result.declaration.bindings).toEqual({});
        expect(notesAt(result, "dispatch_namespaces")).toEqual([
            "unsupported dispatch_namespaces[0].outbound.parameters: outbound parameters are not supported: @pulumi/cloudflare 6.22.1 gives WorkersScript and WorkerVersion different shapes for them (strings vs { name } objects); binding not imported (its outbound Worker would lose them)",
            "unsupported dispatch_namespaces[1].outbound.service: the Worker is its own outbound Worker, which a declaration cannot express; binding not imported",
        ]);
        expect(() => importConfig({ dispatch_namespaces: [{ binding: "A" }] })).toThrow(/dispatch_namespaces\[0\]\.namespace: /);
        expect(() => importConfig({ dispatch_namespaces: [{ binding: "A", namespace: "ns", outbound: {} }] })).toThrow(/dispatch_namespaces\[0\]\.outbound\.service: /);
    });

    it("round-trips: import → generate keeps the binding", () => {
        const imported = importConfig({ dispatch_namespaces: [{ binding: "dispatcher", namespace: "workers-for-platforms-template" }] });
        const config = generate(imported.declaration.bindings, { dispatcher: { kind: "dispatchNamespace", namespace: "workers-for-platforms-template" } });
        expect(config.dispatch_namespaces).toEqual([{ binding: "dispatcher", namespace: "workers-for-platforms-template" }]);
        expect(importConfig(config).declaration.bindings).toEqual(imported.declaration.bindings);
    });
});

describe("health check", () => {
    it("passes when the binding has get(), calling no customer Worker", async () => {
        let calls = 0;
        expect((await healthOf({ D: { kind: "dispatchNamespace" } }, { D: { get: () => { calls += 1; return {}; } } })).D).toMatchObject({ status: "ok" });
        expect(calls).toBe(0);
    });

    it("fails when the binding is missing or something else", async () => {
        expect((await healthOf({ D: { kind: "dispatchNamespace" } }, {})).D).toMatchObject({ status: "fail", message: "binding is missing from env; expected a dispatch namespace" });
        expect((await healthOf({ D: { kind: "dispatchNamespace" } }, { D: {} })).D).toMatchObject({ status: "fail", message: "binding is not a dispatch namespace (it has no get())" });
    });
});
