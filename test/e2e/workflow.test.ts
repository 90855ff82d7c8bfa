/**
 * End to end: the `workflow` binding kind under real `wrangler dev --local` (workerd runs Workflows locally).
 * The fixture services (test/fixtures/workers/workflow/) are planned offline as `npm run plan` plans a stack
 * (mock engine → each service's generated wrangler.jsonc); then `flows`, which exports a two-step
 * `OrderWorkflow`, starts an instance over HTTP and the test polls its status until it completes with the
 * Workflow's output; `shop` does the same through its binding to flows' Workflow (another Worker's class);
 * and both health endpoints report the Workflow check.
 */
import { readFile } from "node:fs/promises";
import * as path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { HealthReport } from "../../components/health/index";
import { PROJECT_ROOT } from "../../infra/program";
import { flows, shop } from "../fixtures/workers/workflow/service";
import { getJson, planFixtureWorkspace, REQUEST_MS, useWranglerDev, type FixtureWorkspace } from "../helpers/fixtureWorkspace";
import type { WranglerDev } from "../helpers/wrangler";

const STARTUP_MS = 90_000;
/** Longest wait for an instance to end; it has two instant steps, so this is only a bound. */
const COMPLETE_MS = 30_000;
const FIXTURE = path.join(PROJECT_ROOT, "test", "fixtures", "workers", "workflow");

let workspace: FixtureWorkspace;

beforeAll(async () => {
    workspace = await planFixtureWorkspace("workflow", [{ declaration: flows, root: FIXTURE }, { declaration: shop, root: FIXTURE }]);
}, STARTUP_MS);

afterAll(async () => {
    await workspace?.remove();
});

interface InstanceStatus {
    readonly status: string;
    readonly output?: unknown;
    readonly error?: unknown;
}

/** Starts an instance through the Worker's HTTP endpoint and polls its status until it ends (at most {@link COMPLETE_MS}). */
async function runToEnd(dev: WranglerDev, params: object): Promise<{ id: string; final: InstanceStatus; seen: string[] }> {
    const created = await getJson<{ id: string }>(`${dev.url}/instances`, {
        method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify(params),
    });
    expect(created.status, `${created.text}\n${dev.output()}`).toBe(201);
    const seen: string[] = [];
    const deadline = Date.now() + COMPLETE_MS;
    while (Date.now() < deadline) {
        const { status, body, text } = await getJson<InstanceStatus>(`${dev.url}/instances/${created.body.id}`);
        expect(status, text).toBe(200);
        if (seen[seen.length - 1] !== body.status) seen.push(body.status);
        if (["complete", "errored", "terminated"].includes(body.status)) return { id: created.body.id, final: body, seen };
        await new Promise((resolve) => setTimeout(resolve, 200));
    }
    throw new Error(`instance ${created.body.id} did not end within ${COMPLETE_MS} ms (statuses seen: ${seen.join(" → ")})\n${dev.output()}`);
}

it("generates a config that names the Workflow after its class", async () => {
    const config = JSON.parse((await readFile(workspace.configs.flows!, "utf8")).replace(/^\/\/.*$/gm, "")) as { workflows: unknown };
    expect(config.workflows).toEqual([{ binding: "ORDERS", name: "flows-staging-order-workflow", class_name: "OrderWorkflow", limits: { steps: 100 } }]);
});

describe.each([
    { title: "the service's own Workflow (flows)", served: ["flows"], binding: "ORDERS", quantity: 3 },
    { title: "another service's Workflow (shop binds flows' OrderWorkflow)", served: ["shop", "flows"], binding: "CHECKOUT", quantity: 4 },
])("$title", ({ served, binding, quantity }) => {
    const dev = useWranglerDev(() => workspace, served, "state", STARTUP_MS);

    it("runs an instance started over HTTP to completion, with the Workflow's output", async () => {
        const orderId = `order-of-${served[0]}`;
        const { final, seen } = await runToEnd(dev(), { orderId, quantity });
        expect(final, `statuses: ${seen.join(" → ")}\n${dev().output()}`).toMatchObject({
            status: "complete",
            output: { orderId, total: quantity * 5, confirmed: true },
        });
    }, COMPLETE_MS + REQUEST_MS);

    it("reports the Workflow in /health: a probe instance that does not exist is a pass", async () => {
        const { status, body, text } = await getJson<HealthReport>(`${dev().url}/health`);
        expect(status, `${text}\n${dev().output()}`).toBe(200);
        expect(Object.keys(body.checks)).toEqual(["env", binding]);
        expect(body.checks[binding]).toMatchObject({ status: "ok" });
    }, REQUEST_MS);
});
