/**
 * The `queue` binding kind (components/bindings/queue.ts): declaration rules and their messages, what reaches
 * the `WorkersScript` / `WorkerVersion`, the `cloudflare.Queue` (protected in production, adopted by import id)
 * and the `cloudflare.QueueConsumer` (attached to the script after it is deployed) under the mock engine, the
 * wrangler entries, the importer's mapping from real `queues.producers` / `queues.consumers` entries and its
 * round trip, `wrangler deploy --dry-run` on the generated configs, and the health check against fake bindings.
 */
import { mkdir, rm, writeFile } from "node:fs/promises";
import { randomBytes } from "node:crypto";
import * as path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { parseImportId } from "../../components/bindings/adoption";
import { bindingKind } from "../../components/bindings/index";
import { serviceSummaries } from "../../tools/lib/serviceSummaries";
import { runHealthChecks } from "../../components/health/handler";
import { planHealthChecks } from "../../components/health/plan";
import { defineService } from "../../components/service/declaration";
import type { ServiceSettings } from "../../components/service/settings";
import { generateWranglerConfig } from "../../components/wrangler/generate";
import { importWranglerConfig, toDeclarationInput, type ImportResult } from "../../components/wrangler/import/importConfig";
import { renderWranglerFiles } from "../../components/wrangler/render";
import { PROJECT_ROOT } from "../../infra/program";
import { statefulResourcesProtected } from "../../policies/storage";
import type { OfflineRun } from "../../tools/lib/mockEngine";
import { jobs, web } from "../fixtures/workers/queue/service";
import {
    declareService, findResource as find, planFixtureStacks, resolveIssues as resolverIssues, TEST_ACCOUNT as ACCOUNT, validationIssues as issuesOf,
} from "../helpers/bindingKindTests";
import { runWrangler } from "../helpers/wrangler";

const QUEUE_ID = "00112233445566778899aabbccddeeff";
const FIXTURE = path.join(__dirname, "..", "fixtures", "workers", "queue");
const QUEUE = "cloudflare:index/queue:Queue";
const CONSUMER = "cloudflare:index/queueConsumer:QueueConsumer";
const SCRIPT = "cloudflare:index/workersScript:WorkersScript";
const VERSION = "cloudflare:index/workerVersion:WorkerVersion";
const SERVICE = "platform:cloudflare:WorkerService";
const SETTINGS: ServiceSettings = {
    routes: [], customDomains: [], vars: {}, workersDev: false, crons: [], observability: { enabled: false, headSamplingRate: 1 }, protect: true,
};

/** A declaration with these bindings (input shape). */
function declare(bindings: Record<string, unknown>, name = "jobs"): ReturnType<typeof defineService> {
    return declareService(name, "src/jobs.ts", bindings);
}

describe("declaration", () => {
    it("takes an own queue with a consumer (defaults applied) and another service's queue", () => {
        expect(jobs.bindings.JOBS).toMatchObject({
            kind: "queue",
            deliveryDelaySeconds: 0,
            consumer: { maxBatchSize: 5, maxBatchTimeoutSeconds: 1, maxRetries: 1, retryDelaySeconds: 0, maxConcurrency: 2, deadLetterQueue: "JOBS_DLQ" },
        });
        expect(jobs.bindings.JOBS_DLQ).toEqual({ kind: "queue", consumer: { maxBatchSize: 10, maxBatchTimeoutSeconds: 1, maxRetries: 3 } });
        expect(declare({ Q: { kind: "queue", consumer: {} } }).bindings.Q).toEqual({ kind: "queue", consumer: { maxBatchSize: 10, maxBatchTimeoutSeconds: 5, maxRetries: 3 } });
        expect(web.bindings.JOBS).toEqual({ kind: "queue", service: "jobs", queue: "JOBS" });
    });

    it("rejects values outside Cloudflare's ranges and unknown keys, with their paths", () => {
        const issues = issuesOf(() => declare({
            A: { kind: "queue", consumer: { maxBatchSize: 0 } },
            B: { kind: "queue", consumer: { maxBatchSize: 101, maxBatchTimeoutSeconds: 61 } },
            C: { kind: "queue", consumer: { maxRetries: 101, retryDelaySeconds: 43_201, maxConcurrency: 251 } },
            D: { kind: "queue", deliveryDelaySeconds: 1.5 },
            E: { kind: "queue", consumer: { batchSize: 5 } },
            F: { kind: "queue", message: { id: "string" } },
            G: { kind: "queue", service: "Not A Service", queue: "JOBS" },
            H: { kind: "queue", consumer: { deadLetterQueue: "not-a-binding" } },
        }));
        expect(issues.map((i) => i.slice(0, i.indexOf(":")))).toEqual([
            "services.jobs.bindings.A.consumer.maxBatchSize",
            "services.jobs.bindings.B.consumer.maxBatchSize",
            "services.jobs.bindings.B.consumer.maxBatchTimeoutSeconds",
            "services.jobs.bindings.C.consumer.maxRetries",
            "services.jobs.bindings.C.consumer.retryDelaySeconds",
            "services.jobs.bindings.C.consumer.maxConcurrency",
            "services.jobs.bindings.D.deliveryDelaySeconds",
            "services.jobs.bindings.E.consumer.batchSize",
            "services.jobs.bindings.F.message",
            "services.jobs.bindings.G.service",
            "services.jobs.bindings.H.consumer.deadLetterQueue",
        ]);
        expect(issues[7]).toBe("services.jobs.bindings.E.consumer.batchSize: unknown key; remove it or check its spelling");
        expect(issues[8]).toMatch(/^services\.jobs\.bindings\.F\.message: expected a zod schema of the message body/);
        expect(issues[10]).toMatch(/^services\.jobs\.bindings\.H\.consumer\.deadLetterQueue: expected a binding name \(a JavaScript identifier\)/);
    });

    it("keeps consumers and delivery delays on the owner's queue, and the dead-letter queue among its own queues", () => {
        expect(issuesOf(() => declare({
            SELF: { kind: "queue", service: "jobs", queue: "JOBS" },
            NO_QUEUE: { kind: "queue", service: "web" },
            REMOTE: { kind: "queue", service: "web", queue: "OUT", consumer: {}, deliveryDelaySeconds: 5 },
            STRAY: { kind: "queue", queue: "OUT" },
            LOOP: { kind: "queue", consumer: { deadLetterQueue: "LOOP" } },
            MISSING: { kind: "queue", consumer: { deadLetterQueue: "NOWHERE" } },
            WRONG_KIND: { kind: "queue", consumer: { deadLetterQueue: "CACHE" } },
            BORROWED: { kind: "queue", consumer: { deadLetterQueue: "NO_QUEUE" } },
            CACHE: { kind: "kv" },
        }))).toEqual([
            "services.jobs.bindings.SELF.service: a service cannot bind its own queue through `service`; omit service and queue",
            "services.jobs.bindings.NO_QUEUE.queue: expected the binding name of web's queue binding (required with service)",
            "services.jobs.bindings.REMOTE.consumer: a queue is consumed by the service that owns it: declare the consumer on web's binding OUT",
            "services.jobs.bindings.REMOTE.deliveryDelaySeconds: the delivery delay is a setting of the queue: set it on web's binding OUT",
            "services.jobs.bindings.STRAY.queue: names another service's queue binding, so it needs `service` too; omit queue for a queue this service owns",
            "services.jobs.bindings.LOOP.consumer.deadLetterQueue: a queue cannot be its own dead-letter queue; declare another queue binding for it",
            'services.jobs.bindings.MISSING.consumer.deadLetterQueue: no binding named "NOWHERE"; declare it as { kind: "queue" }',
            "services.jobs.bindings.WRONG_KIND.consumer.deadLetterQueue: binding CACHE is a kv binding, not a queue",
            "services.jobs.bindings.BORROWED.consumer.deadLetterQueue: binding NO_QUEUE binds service web's queue; a dead-letter queue must be one this service owns",
        ]);
    });

    const resolveIssues = (entries: ReturnType<typeof defineService>[], services: Record<string, unknown> = {}) =>
        resolverIssues(entries.map((declaration) => ({ declaration, root: FIXTURE })), services);

    it("binds another service's queue only when that service owns a queue binding of that name", () => {
        const sender = (queue: string) => declare({ OUT: { kind: "queue", service: "jobs", queue } }, "web");
        expect(resolveIssues([jobs, sender("SEEN")])).toEqual(['services.web.bindings.OUT.queue: service jobs has no queue binding "SEEN" of its own; its queues: JOBS, JOBS_DLQ']);
        expect(resolveIssues([declare({ X: { kind: "kv" } }), sender("JOBS")]))
            .toEqual(['services.web.bindings.OUT.queue: service jobs has no queue binding "JOBS" of its own; add { kind: "queue" } to its bindings']);
        expect(resolveIssues([sender("JOBS")])).toEqual(['services.web.bindings.OUT.service: no service named "jobs" is declared; declared: web']);
    });

    it("must fit Cloudflare's 63-character queue names", () => {
        const long = declare({ A_VERY_LONG_QUEUE_BINDING_NAME_THAT_GOES_ON_AND_ON_AND_ON: { kind: "queue" } });
        expect(resolveIssues([long])).toEqual([
            'services.jobs.bindings.A_VERY_LONG_QUEUE_BINDING_NAME_THAT_GOES_ON_AND_ON_AND_ON: resource name "jobs-production-a-very-long-queue-binding-name-that-goes-on-and-on-and-on" ' +
            "is longer than 63 characters; shorten the binding name",
        ]);
    });

    it("adopts only a queue the service owns", () => {
        expect(resolveIssues([jobs, web], { web: { import: { JOBS: `${ACCOUNT}/${QUEUE_ID}` } } })).toEqual([
            "platform:services.web.import.JOBS.id: this binding sends to service jobs's queue, which has nothing to adopt here; adopt it in that service's import map",
        ]);
        expect(resolveIssues([jobs], { jobs: { import: { JOBS: `${ACCOUNT}/orders-queue` } } })).toEqual([
            'platform:services.jobs.import.JOBS.id: expected <account_id>/<queue_id>: a queue id is 32 lowercase hex characters, got "orders-queue"',
        ]);
    });
});

describe("under the mock engine", () => {
    let production: OfflineRun;
    let staging: OfflineRun;
    const adoptedName = "legacy-jobs";

    beforeAll(async () => {
        ({ production, staging } = await planFixtureStacks([{ declaration: jobs, root: FIXTURE }, { declaration: web, root: FIXTURE }], {
            jobs: { deployment: { strategy: "versions" }, import: { JOBS: { id: `${ACCOUNT}/${QUEUE_ID}`, name: adoptedName } } },
            web: { deployment: { strategy: "versions" } },
        }));
    }, 120_000);

    it("creates one queue per own binding, named <script>-<binding>, protected in production and parented to the service", () => {
        const queues = production.resources.filter((r) => r.type === QUEUE).sort((a, b) => a.name.localeCompare(b.name));
        expect(queues.map((r) => r.name)).toEqual(["jobs-jobs", "jobs-jobs-dlq"]);
        const service = find(production, SERVICE, "jobs");
        expect(queues[0]).toMatchObject({
            protect: true, importId: "", parent: service.urn,
            inputs: { accountId: ACCOUNT, queueName: "jobs-production-jobs", settings: { deliveryDelay: 0 } },
        });
        expect(queues[1]).toMatchObject({ protect: true, parent: service.urn, inputs: { accountId: ACCOUNT, queueName: "jobs-production-jobs-dlq" } });
        expect(queues[1]!.inputs.settings).toBeUndefined();
    });

    it("binds each queue to the script by name, another service's by the platform's name for it", () => {
        const script = find(production, SCRIPT, "jobs-script");
        expect((script.inputs.bindings as { type: string }[]).filter((b) => b.type === "queue")).toEqual([
            { name: "JOBS", type: "queue", queueName: "jobs-production-jobs" },
            { name: "JOBS_DLQ", type: "queue", queueName: "jobs-production-jobs-dlq" },
        ]);
        expect((find(production, SCRIPT, "web-script").inputs.bindings as { type: string }[]).filter((b) => b.type === "queue")).toEqual([
            { name: "JOBS", type: "queue", queueName: "jobs-production-jobs" },
        ]);
        // The sender is deployed after the queue's owner (a dependency on a component is one on its children).
        expect(find(production, SERVICE, "web").dependencies).toContain(find(production, QUEUE, "jobs-jobs").urn);
    });

    it("attaches a consumer to the deployed script with the declared settings and the dead-letter queue's name", () => {
        const consumers = production.resources.filter((r) => r.type === CONSUMER).sort((a, b) => a.name.localeCompare(b.name));
        expect(consumers.map((r) => r.name)).toEqual(["jobs-jobs-consumer", "jobs-jobs-dlq-consumer"]);
        const script = find(production, SCRIPT, "jobs-script");
        expect(consumers[0]).toMatchObject({
            protect: false,
            parent: find(production, SERVICE, "jobs").urn,
            inputs: {
                accountId: ACCOUNT,
                queueId: find(production, QUEUE, "jobs-jobs").id,
                scriptName: "jobs-production",
                type: "worker",
                deadLetterQueue: "jobs-production-jobs-dlq",
                settings: { batchSize: 5, maxWaitTimeMs: 1000, maxRetries: 1, retryDelay: 0, maxConcurrency: 2 },
            },
        });
        expect(consumers[1]!.inputs).toEqual({
            accountId: ACCOUNT, queueId: find(production, QUEUE, "jobs-jobs-dlq").id, scriptName: "jobs-production", type: "worker",
            settings: { batchSize: 10, maxWaitTimeMs: 1000, maxRetries: 3 },
        });
        for (const consumer of consumers) expect(consumer.dependencies).toContain(script.urn);
        expect(production.resources.indexOf(consumers[0]!)).toBeGreaterThan(production.resources.indexOf(script));
    });

    it("binds through the WorkerVersion with the versions strategy and adopts an existing queue under its name", () => {
        expect(staging.resources.some((r) => r.type === SCRIPT)).toBe(false);
        expect((find(staging, VERSION, "jobs-version").inputs.bindings as { type: string }[]).filter((b) => b.type === "queue")).toEqual([
            { name: "JOBS", type: "queue", queueName: adoptedName },
            { name: "JOBS_DLQ", type: "queue", queueName: "jobs-staging-jobs-dlq" },
        ]);
        expect(find(staging, QUEUE, "jobs-jobs")).toMatchObject({ protect: true, importId: `${ACCOUNT}/${QUEUE_ID}`, inputs: { queueName: adoptedName } });
        expect(find(staging, QUEUE, "jobs-jobs-dlq")).toMatchObject({ protect: false, importId: "" });
        const consumer = find(staging, CONSUMER, "jobs-jobs-consumer");
        expect(consumer.inputs).toMatchObject({ scriptName: "jobs-staging", deadLetterQueue: "jobs-staging-jobs-dlq" });
        expect(consumer.dependencies).toContain(find(staging, "cloudflare:index/workersDeployment:WorkersDeployment", "jobs-deployment").urn);
    });

    it("summarizes each binding by its queue name and generates the wrangler entries", () => {
        const services = serviceSummaries(production.resources);
        expect(services.jobs!.bindings.filter((b) => b.kind === "queue")).toEqual([
            { name: "JOBS", kind: "queue", target: "jobs-production-jobs" },
            { name: "JOBS_DLQ", kind: "queue", target: "jobs-production-jobs-dlq" },
        ]);
        expect(services.web!.bindings.filter((b) => b.kind === "queue")).toEqual([{ name: "JOBS", kind: "queue", target: "jobs-production-jobs" }]);
        expect(services.jobs!.wranglerConfig.config.queues).toEqual({
            producers: [
                { binding: "JOBS", queue: "jobs-production-jobs", delivery_delay: 0 },
                { binding: "JOBS_DLQ", queue: "jobs-production-jobs-dlq" },
            ],
            consumers: [
                { queue: "jobs-production-jobs", max_batch_size: 5, max_batch_timeout: 1, max_retries: 1, dead_letter_queue: "jobs-production-jobs-dlq", retry_delay: 0, max_concurrency: 2 },
                { queue: "jobs-production-jobs-dlq", max_batch_size: 10, max_batch_timeout: 1, max_retries: 3 },
            ],
        });
        expect(services.web!.wranglerConfig.config.queues).toEqual({ producers: [{ binding: "JOBS", queue: "jobs-production-jobs" }] });
    });

    it("is a stateful resource for the policy pack", () => {
        const violations: string[] = [];
        const validate = statefulResourcesProtected.validateResource as (args: unknown, report: (message: string) => void) => void;
        const created = find(production, QUEUE, "jobs-jobs");
        validate({ type: QUEUE, urn: created.urn, name: created.name, props: created.inputs, opts: { protect: false } }, (m) => violations.push(m));
        validate({ type: QUEUE, urn: created.urn, name: created.name, props: created.inputs, opts: { protect: true } }, (m) => violations.push(m));
        expect(violations).toEqual(["queue jobs-production-jobs must be protected in production."]);
        expect(bindingKind("queue").policy.scriptBindingTypes).toEqual(["queue"]);
    });

    describe("wrangler deploy --dry-run on the generated configs", () => {
        const workspace = path.join(PROJECT_ROOT, ".platform", `test-queue-${randomBytes(4).toString("hex")}`);
        afterAll(() => rm(workspace, { recursive: true, force: true }));

        it.each(["jobs", "web"])("accepts %s", async (name) => {
            const summary = serviceSummaries(production.resources)[name]!;
            const dir = path.join(workspace, name);
            await mkdir(dir, { recursive: true });
            const files = renderWranglerFiles(summary.wranglerConfig, path.relative(dir, PROJECT_ROOT).split(path.sep).join("/"), ["test"]);
            await writeFile(path.join(dir, "wrangler.jsonc"), files["wrangler.jsonc"]);
            const outdir = path.join(dir, "out");
            const run = await runWrangler(["deploy", "--dry-run", "--config", path.join(dir, "wrangler.jsonc"), "--outdir", outdir], { scratchDir: workspace });
            expect(run.code, `${run.stdout}\n${run.stderr}`).toBe(0);
            expect(run.stdout).toContain("--dry-run: exiting now.");
            expect(run.stdout).toMatch(/env\.JOBS \(jobs-production-jobs\)\s+Queue/);
        }, 60_000);
    });
});

describe("generateWranglerConfig", () => {
    it("writes producers and consumers from the resolved queue names", () => {
        const declaration = declare({
            ORDERS: { kind: "queue", deliveryDelaySeconds: 30, consumer: { deadLetterQueue: "FAILED" } },
            FAILED: { kind: "queue" },
            AUDIT: { kind: "queue", service: "audit", queue: "EVENTS" },
        });
        const generated = generateWranglerConfig({
            declaration, scriptName: "jobs-production", serviceDir: "services/jobs", settings: SETTINGS,
            resources: {
                ORDERS: { kind: "queue", queueId: QUEUE_ID, queueName: "orders-legacy" },
                FAILED: { kind: "queue", queueId: "f".repeat(32), queueName: "jobs-production-failed" },
                AUDIT: { kind: "queue" },
            },
            serviceScripts: { audit: "audit-production" },
        });
        expect(generated.config.queues).toEqual({
            producers: [
                { binding: "ORDERS", queue: "orders-legacy", delivery_delay: 30 },
                { binding: "FAILED", queue: "jobs-production-failed" },
                { binding: "AUDIT", queue: "audit-production-events" },
            ],
            consumers: [{ queue: "orders-legacy", max_batch_size: 10, max_batch_timeout: 5, max_retries: 3, dead_letter_queue: "jobs-production-failed" }],
        });
    });
});

describe("import from wrangler's `queues`", () => {
    const base = { main: "src/index.ts", compatibility_date: "2026-04-01", name: "jobs" };
    const notesOf = (result: ImportResult, category: string) => result.notes.filter((n) => n.category === category && n.path.startsWith("queues")).map((n) => `${n.path}: ${n.message}`);

    it("attaches each consumer to its queue's producer binding and maps dead-letter queues to bindings", () => {
        const result = importWranglerConfig({
            ...base,
            queues: {
                producers: [
                    { binding: "ORDERS", queue: "orders-queue", delivery_delay: 60 },
                    { binding: "ORDERS_FAILED", queue: "orders-failed" },
                ],
                consumers: [
                    { queue: "orders-queue", max_batch_size: 50, max_batch_timeout: 10, max_retries: 5, retry_delay: 30, max_concurrency: null, dead_letter_queue: "orders-failed", type: "worker" },
                    { queue: "emails", max_concurrency: 4, dead_letter_queue: "emails-dlq" },
                ],
            },
        }, { source: "wrangler.jsonc" });
        expect(result.declaration.bindings).toEqual({
            ORDERS: {
                kind: "queue", deliveryDelaySeconds: 60,
                consumer: { maxBatchSize: 50, maxBatchTimeoutSeconds: 10, maxRetries: 5, retryDelaySeconds: 30, deadLetterQueue: "ORDERS_FAILED" },
            },
            ORDERS_FAILED: { kind: "queue" },
            EMAILS: { kind: "queue", consumer: { maxConcurrency: 4, deadLetterQueue: "EMAILS_DLQ" } },
            EMAILS_DLQ: { kind: "queue" },
        });
        expect(notesOf(result, "changed")).toEqual([
            "queues.producers[0].delivery_delay: the platform sets the delay on the queue itself (settings.delivery_delay), so it applies to every producer of the queue, not only this binding",
            'queues.producers[1].queue: nothing in the top level consumes queue "orders-failed": declared as a queue this service owns (the platform creates one per stack); ' +
            'if another Worker consumes it, declare the queue in that service and bind it here with { kind: "queue", service, queue }',
        ]);
        expect(result.notes.filter((n) => n.category === "added").map((n) => [n.path, n.binding])).toEqual([
            ["queues.consumers[1].queue", "EMAILS"],
            ["queues.consumers[1].dead_letter_queue", "EMAILS_DLQ"],
        ]);
        expect(notesOf(result, "added")[0]).toBe(
            'queues.consumers[1].queue: no producer binding in the top level sends to queue "emails": declared as queue binding EMAILS, a queue this service owns ' +
            '(the platform creates one per stack); a service that sends to it binds { kind: "queue", service: "jobs", queue: "EMAILS" }');
        expect(notesOf(result, "unsupported")).toEqual([]);
    });

    it("adopts nothing (wrangler records no queue id) and says how to adopt each queue", () => {
        const result = importWranglerConfig({
            ...base, account_id: ACCOUNT,
            queues: { producers: [{ binding: "ORDERS", queue: "orders-queue" }, { binding: "LATER", queue: "<queue name>" }], consumers: [{ queue: "orders-queue", dead_letter_queue: "orders-dlq" }] },
        }, { source: "wrangler.jsonc" });
        expect(result.stacks[0]!.imports).toEqual({});
        expect(notesOf(result, "not-imported")).toEqual([
            'queues.producers[0].queue: wrangler names queue "orders-queue" but does not record its id, so it is not adopted from this file ' +
            '(to keep it, add { id: "<account_id>/<queue_id>", name: "orders-queue" } under this binding\'s name to platform:services.<service>.import; ' +
            "`npx wrangler queues info orders-queue` shows the id); the platform creates a new queue for stack production",
            'queues.producers[1].queue: "<queue name>" is no queue\'s name (a placeholder?), so there is nothing to adopt; the platform creates a new queue for stack production',
            'queues.consumers[0].dead_letter_queue: wrangler names queue "orders-dlq" but does not record its id, so it is not adopted from this file ' +
            '(to keep it, add { id: "<account_id>/<queue_id>", name: "orders-dlq" } under this binding\'s name to platform:services.<service>.import; ' +
            "`npx wrangler queues info orders-dlq` shows the id); the platform creates a new queue for stack production",
        ]);
    });

    it("reports what it cannot carry, each at its path", () => {
        const result = importWranglerConfig({
            ...base,
            queues: {
                producers: [
                    { binding: "A", queue: "a", remote: true },
                    { binding: "AGAIN", queue: "a" },
                    { binding: "B", queue: "b", delivery_delay: 90_000 },
                ],
                consumers: [
                    { queue: "a", max_batch_size: 500, max_batch_timeout: 0.5, visibility_timeout_ms: 1000 },
                    { queue: "a", max_retries: 2 },
                    { queue: "b", dead_letter_queue: "b" },
                ],
            },
        }, { source: "wrangler.jsonc" });
        expect(Object.keys(result.declaration.bindings)).toEqual(["A", "B"]);
        expect(result.declaration.bindings.A).toEqual({ kind: "queue", consumer: {} });
        expect(result.declaration.bindings.B).toEqual({ kind: "queue", consumer: {} });
        expect(notesOf(result, "unsupported")).toEqual([
            "queues.producers[0].remote: not supported (`remote`: local development uses local queues); not imported",
            'queues.producers[1].queue: binds queue "a" like binding A, and the platform gives each queue binding a queue of its own; not imported: use env.A',
            "queues.producers[2].delivery_delay: expected whole seconds from 0 to 43200, got 90000; not imported (no delay)",
            "queues.consumers[0].visibility_timeout_ms: not supported (`visibility_timeout_ms` is for pull consumers; wrangler does not deploy it for a Worker consumer); not imported",
            "queues.consumers[0].max_batch_size: 500 is not one the platform declares (Too big: expected number to be <=100); not imported (the default applies)",
            "queues.consumers[0].max_batch_timeout: 0.5 is not one the platform declares (Invalid input: expected int, received number); not imported (the default applies)",
            'queues.consumers[1]: queue "a" has a consumer above already, and a queue has one Worker consumer; not imported',
            "queues.consumers[2].dead_letter_queue: the queue is its own dead-letter queue, which the platform does not declare; not imported",
        ]);
        // The declaration it writes is valid.
        expect(() => defineService(toDeclarationInput(result.declaration))).not.toThrow();
    });

    it("rejects malformed entries with the key's path, as wrangler does", () => {
        expect(issuesOf(() => importWranglerConfig({
            ...base,
            queues: { producers: [{ binding: "ORDERS", queue: "orders" }, { queue: "q" }, { binding: "C", queue: "" }], consumers: [{ max_retries: 1 }, { queue: "q", type: "http_pull" }] },
            env: { production: { queues: { producers: [{ binding: "P", queue: "p", delivery_delay: "soon" }] } } },
        }, { source: "wrangler.jsonc" }))).toEqual([
            "queues.producers[1].binding: expected string, got nothing (the field is required)",
            'queues.producers[2].queue: expected the queue name, a non-empty string, got string ("")',
            "queues.consumers[0].queue: expected string, got nothing (the field is required)",
            'queues.consumers[1].type: expected "worker": only Worker consumers can be configured in wrangler config, got string ("http_pull")',
            'env.production.queues.producers[0].delivery_delay: expected number, got string ("soon")',
        ]);
        // A producer's binding name is unique among the environment's bindings, as wrangler checks.
        expect(issuesOf(() => importWranglerConfig({
            ...base, kv_namespaces: [{ binding: "ORDERS", id: "x" }], queues: { producers: [{ binding: "ORDERS", queue: "orders" }] },
        }, { source: "wrangler.jsonc" }))).toEqual([
            'queues.producers[0]: binding name "ORDERS" is already used by kv_namespaces[0]; binding names must be unique in an environment',
        ]);
    });

    it("round trips: import → declaration → generated entries equal the original's but for the queue names", () => {
        const original = {
            producers: [{ binding: "ORDERS", queue: "orders-queue", delivery_delay: 60 }, { binding: "FAILED", queue: "orders-failed" }],
            consumers: [{ queue: "orders-queue", max_batch_size: 50, max_batch_timeout: 10, max_retries: 5, dead_letter_queue: "orders-failed", max_concurrency: 3, retry_delay: 30 }],
        };
        const result = importWranglerConfig({ ...base, queues: original }, { source: "wrangler.jsonc" });
        const declaration = defineService(toDeclarationInput(result.declaration));
        // The names the platform gives the queues it creates; the not-imported notes say so.
        const resources = {
            ORDERS: { kind: "queue", queueId: QUEUE_ID, queueName: "orders-queue" },
            FAILED: { kind: "queue", queueId: "f".repeat(32), queueName: "orders-failed" },
        };
        const generated = generateWranglerConfig({ declaration, scriptName: "jobs-production", serviceDir: "services/jobs", settings: SETTINGS, resources, serviceScripts: {} });
        expect(generated.config.queues).toEqual(original);
    });
});

describe("adoption ids", () => {
    it("are <account_id>/<queue_id>", () => {
        expect(parseImportId("queue", `${ACCOUNT}/${QUEUE_ID}`)).toEqual({ accountId: ACCOUNT, resourceId: QUEUE_ID, rest: [] });
        expect(parseImportId("queue", `${ACCOUNT}/orders`)).toEqual({
            problem: 'expected <account_id>/<queue_id>: a queue id is 32 lowercase hex characters, got "orders"',
        });
    });
});

describe("health check", () => {
    const producer = () => ({ send: async () => undefined, sendBatch: async () => undefined });

    it("passes for a binding with send() and sendBatch(), calling neither", async () => {
        const calls: string[] = [];
        const binding = { send: async () => { calls.push("send"); }, sendBatch: async () => { calls.push("sendBatch"); } };
        const report = await runHealthChecks(web, { JOBS: binding, JOBS_API: { fetch: async () => Response.json({ status: "ok", checks: {} }) } });
        expect(report.checks.JOBS).toMatchObject({ status: "ok" });
        expect(calls).toEqual([]);
    });

    it("fails on a missing binding and on something that is not a producer", async () => {
        const report = await runHealthChecks(jobs, { JOBS: { send: async () => undefined }, SEEN: { get: async () => null } });
        expect(report.checks.JOBS).toMatchObject({ status: "fail", message: "binding is not a queue producer (it has no sendBatch())" });
        expect(report.checks.JOBS_DLQ).toMatchObject({ status: "fail", message: "binding is missing from env; expected a queue producer" });
    });

    it("is planned for every queue binding", async () => {
        expect(planHealthChecks(jobs)).toEqual([
            { name: "env", kind: "env" }, { name: "JOBS", kind: "queue" }, { name: "JOBS_DLQ", kind: "queue" }, { name: "SEEN", kind: "kv" },
        ]);
        const ok = await runHealthChecks(jobs, { JOBS: producer(), JOBS_DLQ: producer(), SEEN: { get: async () => null } });
        expect(ok.status).toBe("ok");
    });
});
