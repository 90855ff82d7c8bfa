/**
 * The `workflow` binding kind (components/bindings/workflow.ts): declaration rules, the platform's Workflow
 * names, what reaches the `WorkersScript` / `WorkerVersion` and the `cloudflare.Workflow` under the mock engine
 * (created after the script, protected in production, adopted), the wrangler entry, the importer's mapping from
 * real `workflows` entries and its round trip, `wrangler deploy --dry-run` on the generated configs, and the
 * health check against fake bindings.
 */
import * as path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { parseImportId } from "../../components/bindings/adoption";
import { bindingKind } from "../../components/bindings/index";
import { classSlug, workflowName } from "../../components/bindings/workflow";
import { serviceSummaries } from "../../tools/lib/serviceSummaries";
import { runHealthChecks } from "../../components/health/handler";
import { checkWorkflow, WORKFLOW_PROBE_INSTANCE_ID } from "../../components/health/checks";
import { planHealthChecks } from "../../components/health/plan";
import { defineService } from "../../components/service/declaration";
import type { ServiceSettings } from "../../components/service/settings";
import { generateWranglerConfig } from "../../components/wrangler/generate";
import { importWranglerConfig, toDeclarationInput } from "../../components/wrangler/import/importConfig";
import { statefulResourcesProtected } from "../../policies/storage";
import type { OfflineRun } from "../../tools/lib/mockEngine";
import { flows, shop } from "../fixtures/workers/workflow/service";
import {
    TEST_ACCOUNT as ACCOUNT, declareService, findResource as find, planFixtureStacks, resolveIssues as resolveWith, validationIssues as issuesOf,
} from "../helpers/bindingKindTests";
import { planFixtureWorkspace, type FixtureWorkspace } from "../helpers/fixtureWorkspace";
import { runWrangler } from "../helpers/wrangler";

const FIXTURE = path.join(__dirname, "..", "fixtures", "workers", "workflow");
const WORKFLOW = "cloudflare:index/workflow:Workflow";
const SCRIPT = "cloudflare:index/workersScript:WorkersScript";
const VERSION = "cloudflare:index/workerVersion:WorkerVersion";

/** A declaration with these bindings (input shape). */
const declare = (bindings: Record<string, unknown>, name = "flows") => declareService(name, "src/flows.ts", bindings);

describe("declaration", () => {
    it("takes the service's own class, with step limits, or another service's", () => {
        expect(flows.bindings.ORDERS).toEqual({ kind: "workflow", className: "OrderWorkflow", limits: { steps: 100 } });
        expect(shop.bindings.CHECKOUT).toEqual({ kind: "workflow", className: "OrderWorkflow", service: "flows" });
    });

    it("rejects malformed fields with their paths", () => {
        const issues = issuesOf(() => declare({
            A: { kind: "workflow", className: "2Fast" },
            B: { kind: "workflow", className: "Billing", limits: { steps: 0 } },
            C: { kind: "workflow", className: "Cleanup", limits: { steps: 25_001 } },
            D: { kind: "workflow", className: "Dunning", limits: { steps: 1.5 } },
            E: { kind: "workflow", className: "Export", script: "other" },
            F: { kind: "workflow", className: "Fanout", service: "Not A Service" },
        }));
        expect(issues).toHaveLength(6);
        expect(issues[0]).toMatch(/^services\.flows\.bindings\.A\.className: expected a JavaScript class name/);
        expect(issues[1]).toMatch(/^services\.flows\.bindings\.B\.limits\.steps: /);
        expect(issues[2]).toMatch(/^services\.flows\.bindings\.C\.limits\.steps: /);
        expect(issues[3]).toMatch(/^services\.flows\.bindings\.D\.limits\.steps: /);
        expect(issues[4]).toBe("services.flows.bindings.E.script: unknown key; remove it or check its spelling");
        expect(issues[5]).toMatch(/^services\.flows\.bindings\.F\.service: expected a service name/);
    });

    it("refuses a binding to itself, limits on another service's Workflow, and a class bound twice or named alike", () => {
        expect(issuesOf(() => declare({
            SELF: { kind: "workflow", className: "OrderWorkflow", service: "flows" },
            REMOTE: { kind: "workflow", className: "OrderWorkflow", service: "billing", limits: { steps: 10 } },
            FIRST: { kind: "workflow", className: "OrderWorkflow" },
            AGAIN: { kind: "workflow", className: "OrderWorkflow" },
            ALIKE: { kind: "workflow", className: "Order_Workflow" },
            DOLLAR: { kind: "workflow", className: "$" },
        }))).toEqual([
            "services.flows.bindings.SELF.service: a service cannot bind to itself; omit `service` for its own classes",
            "services.flows.bindings.REMOTE.limits: limits belong to the Workflow's own service (billing); set them on its binding there",
            "services.flows.bindings.AGAIN.className: binding FIRST already binds Workflow class \"OrderWorkflow\"; a service has one Workflow per class: use FIRST",
            "services.flows.bindings.ALIKE.className: classes \"OrderWorkflow\" (binding FIRST) and \"Order_Workflow\" give the same Workflow name (<script>-order-workflow); rename one",
            "services.flows.bindings.DOLLAR.className: class \"$\" has no letter or digit to name its Workflow after; rename the class",
        ]);
        // Two bindings of another service's class name one Workflow, which is fine.
        expect(() => declare({
            A: { kind: "workflow", className: "OrderWorkflow", service: "billing" },
            B: { kind: "workflow", className: "OrderWorkflow", service: "billing" },
        }, "shop")).not.toThrow();
    });
});

describe("the platform's Workflow names", () => {
    it("are <script>-<class in lowercase words>", () => {
        expect(classSlug("OrderWorkflow")).toBe("order-workflow");
        expect(classSlug("HTTPSync")).toBe("http-sync");
        expect(classSlug("Sync_v2")).toBe("sync-v2");
        expect(classSlug("RefillRemaining")).toBe("refill-remaining");
        expect(classSlug("$")).toBe("");
        expect(workflowName("flows-production", "OrderWorkflow")).toBe("flows-production-order-workflow");
    });

    const resolveIssues = (entries: ReturnType<typeof defineService>[]) => resolveWith(entries.map((declaration) => ({ declaration, root: FIXTURE })));

    it("must fit Cloudflare's name limit, naming the class as what to shorten", () => {
        const long = declare({ ORDERS: { kind: "workflow", className: "ReconcileEveryLedgerEntryAcrossAllRegionsNightly" } });
        expect(resolveIssues([long])).toEqual([
            'services.flows.bindings.ORDERS.className: resource name "flows-production-reconcile-every-ledger-entry-across-all-regions-nightly" ' +
            "is longer than 63 characters; shorten the className",
        ]);
        // Another service's class is named in that service: nothing to check here.
        const remote = declare({ ORDERS: { kind: "workflow", className: "ReconcileEveryLedgerEntryAcrossAllRegionsNightly", service: "ledger" } }, "shop");
        expect(resolveIssues([remote])).toEqual(['services.shop.bindings.ORDERS.service: no service named "ledger" is declared; declared: shop']);
    });

    it("bind another service's class only when that service binds it as its own Workflow", () => {
        const wrongClass = declare({ CHECKOUT: { kind: "workflow", className: "Refunds", service: "flows" } }, "shop");
        expect(resolveIssues([flows, wrongClass])).toEqual([
            'services.shop.bindings.CHECKOUT.className: service flows does not bind a Workflow class "Refunds" of its own; add { kind: "workflow", className: "Refunds" } to its bindings',
        ]);
    });
});

describe("under the mock engine", () => {
    let production: OfflineRun;
    let staging: OfflineRun;
    const adoptedName = "legacy-orders";

    beforeAll(async () => {
        ({ production, staging } = await planFixtureStacks([{ declaration: flows, root: FIXTURE }, { declaration: shop, root: FIXTURE }], {
            flows: { deployment: { strategy: "versions" }, import: { ORDERS: `${ACCOUNT}/${adoptedName}` } },
            // The Workflow flows adopts keeps its name: shop names it too.
            shop: { deployment: { strategy: "versions" }, import: { CHECKOUT: `${ACCOUNT}/${adoptedName}` } },
        }));
    }, 120_000);

    it("binds the service's own Workflow by name and class, and another service's with its script", () => {
        expect(find(production, SCRIPT, "flows-script").inputs.bindings).toEqual([
            { name: "ORDERS", type: "workflow", workflowName: "flows-production-order-workflow", className: "OrderWorkflow" },
        ]);
        expect(find(production, SCRIPT, "shop-script").inputs.bindings).toEqual([
            { name: "CHECKOUT", type: "workflow", workflowName: "flows-production-order-workflow", className: "OrderWorkflow", scriptName: "flows-production" },
        ]);
    });

    it("creates the Workflow after the script, in the service that exports the class, protected in production", () => {
        const workflows = production.resources.filter((r) => r.type === WORKFLOW);
        expect(workflows.map((r) => r.name)).toEqual(["flows-orders"]);
        const created = workflows[0]!;
        const script = find(production, SCRIPT, "flows-script");
        expect(created).toMatchObject({
            protect: true,
            importId: "",
            parent: find(production, "platform:cloudflare:WorkerService", "flows").urn,
            inputs: { accountId: ACCOUNT, workflowName: "flows-production-order-workflow", className: "OrderWorkflow", scriptName: "flows-production", limits: { steps: 100 } },
        });
        expect(created.dependencies).toContain(script.urn);
        expect(production.resources.indexOf(created)).toBeGreaterThan(production.resources.indexOf(script));
        // The service that binds it from elsewhere comes after the one that defines it.
        expect(find(production, "platform:cloudflare:WorkerService", "shop").dependencies).toContain(created.urn);
    });

    it("binds through the WorkerVersion with the versions strategy, adopts an existing Workflow by name, and protects it", () => {
        expect(staging.resources.some((r) => r.type === SCRIPT)).toBe(false);
        expect(find(staging, VERSION, "flows-version").inputs.bindings).toEqual([
            { name: "ORDERS", type: "workflow", workflowName: adoptedName, className: "OrderWorkflow" },
        ]);
        expect(find(staging, VERSION, "shop-version").inputs.bindings).toEqual([
            { name: "CHECKOUT", type: "workflow", workflowName: adoptedName, className: "OrderWorkflow", scriptName: "flows-staging" },
        ]);
        const adopted = staging.resources.filter((r) => r.type === WORKFLOW);
        expect(adopted).toHaveLength(1);
        expect(adopted[0]).toMatchObject({
            name: "flows-orders",
            protect: true,
            importId: `${ACCOUNT}/${adoptedName}`,
            inputs: { workflowName: adoptedName, className: "OrderWorkflow", scriptName: "flows-staging" },
        });
        expect(adopted[0]!.dependencies).toContain(find(staging, "cloudflare:index/workersDeployment:WorkersDeployment", "flows-deployment").urn);
    });

    it("summarizes and generates the binding in each service's wrangler config", () => {
        const services = serviceSummaries(production.resources);
        expect(services.flows!.bindings).toEqual([{ name: "ORDERS", kind: "workflow", target: "flows-production-order-workflow" }]);
        expect(services.shop!.bindings).toEqual([{ name: "CHECKOUT", kind: "workflow", target: "flows-production-order-workflow" }]);
        expect(services.flows!.wranglerConfig.config.workflows).toEqual([
            { binding: "ORDERS", name: "flows-production-order-workflow", class_name: "OrderWorkflow", limits: { steps: 100 } },
        ]);
        expect(services.shop!.wranglerConfig.config.workflows).toEqual([
            { binding: "CHECKOUT", name: "flows-production-order-workflow", class_name: "OrderWorkflow", script_name: "flows-production" },
        ]);
        const adopted = serviceSummaries(staging.resources);
        expect((adopted.shop!.wranglerConfig.config.workflows as { name: string }[])[0]!.name).toBe(adoptedName);
    });

    it("is a stateful resource for the policy pack", () => {
        const violations: string[] = [];
        const validate = statefulResourcesProtected.validateResource as (args: unknown, report: (message: string) => void) => void;
        const created = find(production, WORKFLOW, "flows-orders");
        validate({ type: WORKFLOW, urn: created.urn, name: created.name, props: created.inputs, opts: { protect: false } }, (m) => violations.push(m));
        validate({ type: WORKFLOW, urn: created.urn, name: created.name, props: created.inputs, opts: { protect: true } }, (m) => violations.push(m));
        expect(violations).toEqual(["Workflow flows-production-order-workflow must be protected in production."]);
        expect(bindingKind("workflow").policy.scriptBindingTypes).toEqual(["workflow"]);
    });

    describe("wrangler deploy --dry-run on the generated configs", () => {
        let workspace: FixtureWorkspace;
        beforeAll(async () => {
            workspace = await planFixtureWorkspace("workflow-dry-run", [{ declaration: flows, root: FIXTURE }, { declaration: shop, root: FIXTURE }], "production");
        }, 60_000);
        afterAll(() => workspace?.remove());

        it.each(["flows", "shop"])("accepts %s", async (name) => {
            const outdir = path.join(workspace.root, name, "out");
            const run = await runWrangler(["deploy", "--dry-run", "--config", workspace.configs[name]!, "--outdir", outdir], { scratchDir: workspace.root });
            expect(run.code, `${run.stdout}\n${run.stderr}`).toBe(0);
            expect(run.stdout).toContain("--dry-run: exiting now.");
            expect(run.stdout).toMatch(/env\.(ORDERS|CHECKOUT) \(.*\)\s+Workflow/);
        }, 60_000);
    });
});

describe("import from wrangler's `workflows`", () => {
    const base = { main: "src/index.ts", compatibility_date: "2026-04-01" };

    it("maps its own classes (adopting each Workflow by name) and another Worker's (noting the change)", () => {
        const result = importWranglerConfig({
            ...base,
            name: "billing",
            account_id: ACCOUNT,
            workflows: [
                { binding: "INVOICING", name: "invoicing", class_name: "Invoicing", limits: { steps: 500 } },
                { binding: "REFILL", name: "refill-remaining", class_name: "RefillRemaining", script_name: "billing" },
                { binding: "NOTIFY", name: "notify-users", class_name: "NotifyUsers", script_name: "mailer" },
            ],
        }, { source: "wrangler.jsonc" });
        expect(result.declaration.bindings).toEqual({
            INVOICING: { kind: "workflow", className: "Invoicing", limits: { steps: 500 } },
            REFILL: { kind: "workflow", className: "RefillRemaining" },
            NOTIFY: { kind: "workflow", className: "NotifyUsers", service: "mailer" },
        });
        const production = result.stacks.find((s) => s.stack === "production")!;
        expect(production.imports).toEqual({
            INVOICING: { kind: "workflow", id: `${ACCOUNT}/invoicing`, resourceId: "invoicing", name: "invoicing" },
            REFILL: { kind: "workflow", id: `${ACCOUNT}/refill-remaining`, resourceId: "refill-remaining", name: "refill-remaining" },
            NOTIFY: { kind: "workflow", id: `${ACCOUNT}/notify-users`, resourceId: "notify-users", name: "notify-users" },
        });
        const notes = result.notes.filter((n) => n.path.startsWith("workflows"));
        expect(notes.find((n) => n.path === "workflows[2].script_name")).toMatchObject({
            category: "changed",
            message: 'the class runs in Worker "mailer"; the platform binds the Workflow of declared service "mailer" (script "mailer-production"): declare or import that service too',
        });
        expect(notes.filter((n) => n.category === "action").map((n) => n.path)).toEqual(["workflows[0].name", "workflows[1].name", "workflows[2].name"]);
        expect(notes.filter((n) => n.category === "unsupported")).toEqual([]);
    });

    it("refuses what it cannot carry, each with its path", () => {
        const result = importWranglerConfig({
            ...base,
            name: "billing",
            workflows: [
                { binding: "A", name: "a", class_name: "Audit", remote: true },
                { binding: "B", name: "b", class_name: "Audit" },
                { binding: "C", name: "c", class_name: "not-a-class" },
                { binding: "D", name: "d", class_name: "Dunning", limits: { steps: 90_000 } },
                { binding: "E", name: "e", class_name: "Export", script_name: "exporter", limits: { steps: 5 } },
            ],
        }, { source: "wrangler.jsonc" });
        expect(Object.keys(result.declaration.bindings)).toEqual(["A", "D", "E"]);
        expect(result.declaration.bindings.D).toEqual({ kind: "workflow", className: "Dunning" });
        const unsupported = result.notes.filter((n) => n.category === "unsupported").map((n) => `${n.path}: ${n.message}`);
        expect(unsupported).toEqual([
            "workflows[0].remote: not supported (the generated config runs Workflows locally in `wrangler dev`); not imported",
            'workflows[1]: class "Audit" is bound as a Workflow by binding A already, and the platform gives a service one Workflow per class (named after it); binding not imported: use A',
            'workflows[2].class_name: "not-a-class" is not a JavaScript class name the platform can name a Workflow after; binding not imported',
            "workflows[3].limits: expected { steps: <integer from 1 to 25000> }, got {\"steps\":90000}; limits not imported (Cloudflare's default applies)",
            'workflows[4].limits: limits belong to the Worker that defines the Workflow ("exporter"; wrangler refuses them here too); not imported',
        ]);
        // Without an account id nothing is adopted: the platform creates its own Workflow.
        expect(result.notes.find((n) => n.path === "workflows[0].name")).toMatchObject({ category: "not-imported" });
    });

    it("rejects malformed entries with the key's path, as wrangler does", () => {
        const issues = issuesOf(() => importWranglerConfig({
            ...base,
            name: "billing",
            workflows: [{ binding: "A", class_name: "Audit" }, { binding: "B", name: "-bad name", class_name: "Billing" }, { name: "c", class_name: "C" }],
            env: { production: { workflows: [{ binding: "P", name: "p" }] } },
        }, { source: "wrangler.jsonc" }));
        expect(issues).toEqual([
            "workflows[0].name: expected string, got nothing (the field is required)",
            'workflows[1].name: expected a Workflow name: 1-64 letters, digits, _ and -, starting with a letter, digit or _ (as wrangler requires), got string ("-bad name")',
            "workflows[2].binding: expected string, got nothing (the field is required)",
            "env.production.workflows[0].class_name: expected string, got nothing (the field is required)",
        ]);
    });

    it("round trips: import → declaration → generated entries equal the original's", () => {
        const original = [
            { binding: "INVOICING", name: "invoicing", class_name: "Invoicing", limits: { steps: 500 } },
            { binding: "NOTIFY", name: "notify-users", class_name: "NotifyUsers", script_name: "mailer" },
        ];
        const result = importWranglerConfig({ ...base, name: "billing", account_id: ACCOUNT, workflows: original }, { source: "wrangler.jsonc" });
        const declaration = defineService(toDeclarationInput(result.declaration));
        const stack = result.stacks.find((s) => s.stack === "production")!;
        const resources = Object.fromEntries(Object.entries(stack.imports).map(([binding, imported]) => {
            const parsed = parseImportId("workflow", imported.id);
            if ("problem" in parsed) throw new Error(parsed.problem);
            return [binding, { kind: "workflow", workflowName: parsed.resourceId }];
        }));
        const settings: ServiceSettings = {
            routes: [], customDomains: [], vars: {}, workersDev: false, crons: [], observability: { enabled: false, headSamplingRate: 1 }, protect: true,
        };
        const generated = generateWranglerConfig({
            declaration, scriptName: "billing-production", serviceDir: "services/billing", settings, resources,
            serviceScripts: { mailer: "mailer-production" },
        });
        expect(generated.config.workflows).toEqual([
            original[0],
            // The other Worker's script is the platform's script of the declared service (the note says so).
            { ...original[1], script_name: "mailer-production" },
        ]);
    });
});

describe("adoption ids", () => {
    it("are <account_id>/<workflow_name>, with the name checked as Workflows require", () => {
        expect(parseImportId("workflow", `${ACCOUNT}/refill-remaining`)).toEqual({ accountId: ACCOUNT, resourceId: "refill-remaining", rest: [] });
        expect(parseImportId("workflow", `${ACCOUNT}/-nope`)).toEqual({
            problem: 'expected <account_id>/<workflow_name>: a Workflow name is 1 to 64 letters, digits, _ and -, not starting with -, got "-nope"',
        });
        expect(parseImportId("workflow", `${ACCOUNT}/${"w".repeat(65)}`)).toHaveProperty("problem");
    });
});

describe("health check", () => {
    const notFound = () => Promise.reject(new Error("instance.not_found"));

    it("gets a probe instance: not found and found both pass, nothing is created", async () => {
        const calls: string[] = [];
        const binding = {
            get: (id: string) => { calls.push(`get ${id}`); return notFound(); },
            create: () => { calls.push("create"); return Promise.reject(new Error("must not be called")); },
        };
        await expect(checkWorkflow(binding)).resolves.toBeUndefined();
        await expect(checkWorkflow({ get: async () => ({ id: "x" }), create: async () => ({}) })).resolves.toBeUndefined();
        expect(calls).toEqual([`get ${WORKFLOW_PROBE_INSTANCE_ID}`]);
        expect(WORKFLOW_PROBE_INSTANCE_ID).toMatch(/^[a-zA-Z0-9_][a-zA-Z0-9-_]{0,99}$/);
    });

    it("fails on any other error, on a missing binding and on something that is not a Workflow", async () => {
        await expect(checkWorkflow({ get: () => Promise.reject(new Error("workflow.not_found")), create: async () => ({}) }))
            .rejects.toThrow("get of a probe instance failed: workflow.not_found");
        await expect(checkWorkflow(undefined)).rejects.toThrow("binding is missing from env; expected a Workflow");
        await expect(checkWorkflow({ get: async () => null })).rejects.toThrow("binding is not a Workflow (it has no create())");
    });

    it("is planned for every workflow binding and reported by the health library", async () => {
        expect(planHealthChecks(shop)).toEqual([{ name: "env", kind: "env" }, { name: "CHECKOUT", kind: "workflow" }]);
        const ok = await runHealthChecks(flows, { ORDERS: { get: notFound, create: async () => ({}) } });
        expect(ok.checks.ORDERS).toMatchObject({ status: "ok" });
        const broken = await runHealthChecks(flows, { ORDERS: { get: () => Promise.reject(new Error("internal error")), create: async () => ({}) } });
        expect(broken.checks.ORDERS).toMatchObject({ status: "fail", message: "get of a probe instance failed: internal error" });
    });
});
