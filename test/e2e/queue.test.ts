/**
 * End to end: the `queue` binding kind under real `wrangler dev --local` (workerd, Miniflare's local queues).
 * The fixture services (test/fixtures/workers/queue/) are planned offline as `npm run plan` plans a stack (mock
 * engine → each service's generated wrangler.jsonc); then a message sent over HTTP to `jobs`, which owns and
 * consumes the JOBS queue, is consumed by its `queue()` handler, which records it in KV, and the test polls an
 * endpoint reading KV until it shows up (bounded); a message its consumer keeps retrying reaches the dead-letter
 * queue after `maxRetries`; a message `web` sends to jobs' queue from another Worker is consumed by jobs; and the
 * health endpoints report the queue producers.
 */
import { randomBytes } from "node:crypto";
import { mkdir, readFile, rm, writeFile } from "node:fs/promises";
import * as path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { serviceSummaries } from "../../tools/lib/serviceSummaries";
import type { HealthReport } from "../../components/health/index";
import { renderWranglerFiles } from "../../components/wrangler/render";
import { definePlatform, PROJECT_ROOT } from "../../infra/program";
import { runOffline } from "../../tools/lib/mockEngine";
import { jobs, web } from "../fixtures/workers/queue/service";
import { startWranglerDev, type WranglerDev } from "../helpers/wrangler";

const STARTUP_MS = 90_000;
const REQUEST_MS = 20_000;
/** Longest wait for a message to be consumed (batches wait at most 1 s here, retries have no delay): only a bound. */
const CONSUMED_MS = 30_000;
const FIXTURE = path.join(PROJECT_ROOT, "test", "fixtures", "workers", "queue");
const WORKSPACE = path.join(PROJECT_ROOT, ".platform", `test-e2e-queue-${randomBytes(4).toString("hex")}`);
const JOBS_QUEUE = "jobs-staging-jobs";
const DEAD_LETTER_QUEUE = "jobs-staging-jobs-dlq";

/** Generated wrangler.jsonc of each fixture service, by name. */
const configs: Record<string, string> = {};

beforeAll(async () => {
    const run = await runOffline({
        project: "platform",
        stack: "staging",
        config: { config: { "platform:accountId": "0123456789abcdef0123456789abcdef" }, secretKeys: [] },
        program: () => ({
            services: definePlatform([{ declaration: jobs, root: FIXTURE }, { declaration: web, root: FIXTURE }], "staging").environment.summary,
        }),
    });
    for (const [name, summary] of Object.entries(serviceSummaries(run.resources))) {
        const dir = path.join(WORKSPACE, name);
        await mkdir(dir, { recursive: true });
        const files = renderWranglerFiles(summary.wranglerConfig, path.relative(dir, PROJECT_ROOT).split(path.sep).join("/"), ["test"]);
        configs[name] = path.join(dir, "wrangler.jsonc");
        await writeFile(configs[name]!, files["wrangler.jsonc"]);
    }
}, STARTUP_MS);

afterAll(async () => {
    await rm(WORKSPACE, { recursive: true, force: true });
});

/** Starts `wrangler dev` for a `describe` block (the first config is served) and stops it afterwards, even on failure. */
function useDev(names: () => string[], state: string): () => WranglerDev {
    let dev: WranglerDev | undefined;
    beforeAll(async () => {
        dev = await startWranglerDev({
            configs: names().map((n) => configs[n]!),
            persistTo: path.join(WORKSPACE, state),
            scratchDir: WORKSPACE,
            readyTimeoutMs: STARTUP_MS - 10_000,
        });
    }, STARTUP_MS);
    afterAll(async () => {
        await dev?.stop();
    });
    return () => dev!;
}

async function getJson<T>(url: string, init?: RequestInit): Promise<{ status: number; body: T; text: string }> {
    const response = await fetch(url, { ...init, signal: AbortSignal.timeout(REQUEST_MS) });
    const text = await response.text();
    try {
        return { status: response.status, body: JSON.parse(text) as T, text };
    } catch {
        throw new Error(`${init?.method ?? "GET"} ${url} answered ${response.status} with non-JSON: ${text.slice(0, 500)}`);
    }
}

/** Sends `{ id, fail }` through a Worker's POST /send. */
async function send(dev: WranglerDev, id: string, fail = false): Promise<void> {
    const sent = await getJson<{ sent: string }>(`${dev.url}/send`, {
        method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ id, fail }),
    });
    expect(sent.status, `${sent.text}\n${dev.output()}`).toBe(202);
}

/**
 * Polls GET /seen/<id> (what jobs' consumer recorded in KV: queue name → attempts; web forwards it to jobs) until
 * `done` holds, at most {@link CONSUMED_MS}.
 */
async function seenUntil(dev: WranglerDev, id: string, done: (seen: Record<string, number>) => boolean): Promise<Record<string, number>> {
    const deadline = Date.now() + CONSUMED_MS;
    let seen: Record<string, number> = {};
    while (Date.now() < deadline) {
        const answer = await getJson<Record<string, number>>(`${dev.url}/seen/${id}`);
        expect(answer.status, answer.text).toBe(200);
        seen = answer.body;
        if (done(seen)) return seen;
        await new Promise((resolve) => setTimeout(resolve, 200));
    }
    throw new Error(`message ${id} was not consumed as expected within ${CONSUMED_MS} ms (seen: ${JSON.stringify(seen)})\n${dev.output()}`);
}

describe("the service's own queue (jobs produces to and consumes JOBS)", () => {
    const dev = useDev(() => ["jobs"], "state-jobs");

    it("is served from the generated config: producers and consumers with the declared settings", async () => {
        const config = JSON.parse((await readFile(configs.jobs!, "utf8")).replace(/^\/\/.*$/gm, "")) as { queues: unknown };
        expect(config.queues).toEqual({
            producers: [
                { binding: "JOBS", queue: JOBS_QUEUE, delivery_delay: 0 },
                { binding: "JOBS_DLQ", queue: DEAD_LETTER_QUEUE },
            ],
            consumers: [
                { queue: JOBS_QUEUE, max_batch_size: 5, max_batch_timeout: 1, max_retries: 1, dead_letter_queue: DEAD_LETTER_QUEUE, retry_delay: 0, max_concurrency: 2 },
                { queue: DEAD_LETTER_QUEUE, max_batch_size: 10, max_batch_timeout: 1, max_retries: 3 },
            ],
        });
    });

    it("delivers a message sent over HTTP to the Worker's queue() handler", async () => {
        await send(dev(), "m-1");
        expect(await seenUntil(dev(), "m-1", (seen) => JOBS_QUEUE in seen)).toEqual({ [JOBS_QUEUE]: 1 });
    }, CONSUMED_MS + REQUEST_MS);

    it("moves a message that keeps failing to the dead-letter queue after maxRetries, where its consumer gets it", async () => {
        await send(dev(), "m-2", true);
        const seen = await seenUntil(dev(), "m-2", (s) => DEAD_LETTER_QUEUE in s);
        // One delivery plus maxRetries (1) retries on the main queue, then the first delivery on the dead-letter queue.
        expect(seen).toEqual({ [JOBS_QUEUE]: 2, [DEAD_LETTER_QUEUE]: 1 });
    }, CONSUMED_MS + REQUEST_MS);

    it("reports both producers in /health", async () => {
        const { status, body, text } = await getJson<HealthReport>(`${dev().url}/health`);
        expect(status, `${text}\n${dev().output()}`).toBe(200);
        expect(Object.keys(body.checks)).toEqual(["env", "JOBS", "JOBS_DLQ", "SEEN"]);
        expect(body.checks.JOBS).toMatchObject({ status: "ok" });
        expect(body.checks.JOBS_DLQ).toMatchObject({ status: "ok" });
    }, REQUEST_MS);
});

describe("another service's queue (web sends to jobs' JOBS)", () => {
    const dev = useDev(() => ["web", "jobs"], "state-web");

    it("names jobs' queue in web's generated config, with no consumer", async () => {
        const config = JSON.parse((await readFile(configs.web!, "utf8")).replace(/^\/\/.*$/gm, "")) as { queues: unknown };
        expect(config.queues).toEqual({ producers: [{ binding: "JOBS", queue: JOBS_QUEUE }] });
    });

    it("delivers a message web sends to jobs' consumer (read back through web's service binding to jobs)", async () => {
        await send(dev(), "w-1");
        expect(await seenUntil(dev(), "w-1", (seen) => JOBS_QUEUE in seen)).toEqual({ [JOBS_QUEUE]: 1 });
    }, CONSUMED_MS + REQUEST_MS);

    it("reports the producer in /health", async () => {
        const { status, body, text } = await getJson<HealthReport>(`${dev().url}/health`);
        expect(status, `${text}\n${dev().output()}`).toBe(200);
        expect(body.checks.JOBS).toMatchObject({ status: "ok" });
    }, REQUEST_MS);
});
