/**
 * End-to-end helpers for fixture services (`test/fixtures/workers/<kind>/`): plan them offline as `npm run plan`
 * plans a stack (the mock engine, then each service's generated wrangler.jsonc rendered into a directory of the
 * repository, where its relative paths resolve), run `wrangler dev` on them for a `describe` block, and read
 * JSON answers with a bounded wait.
 */
import { randomBytes } from "node:crypto";
import { mkdir, rm, writeFile } from "node:fs/promises";
import * as path from "node:path";
import { afterAll, beforeAll } from "vitest";
import { serviceSummaries, type ServiceSummary } from "../../tools/lib/serviceSummaries";
import { renderWranglerFiles } from "../../components/wrangler/render";
import { definePlatform, PROJECT_ROOT } from "../../infra/program";
import type { ServiceEntry } from "../../infra/registry";
import { runOffline } from "../../tools/lib/mockEngine";
import type { EngineConfig } from "../../tools/lib/stackFiles";
import { startWranglerDev, type WranglerDev } from "./wrangler";

/** Time limit of one HTTP request to a dev server, ms. */
export const REQUEST_MS = 20_000;

/** Fixture services planned for one stack; `remove()` deletes the directory. */
export interface FixtureWorkspace {
    /** Absolute path of `.platform/test-e2e-<label>-<random>`. */
    readonly root: string;
    /** Absolute path of each service's generated `wrangler.jsonc`, by service name. */
    readonly configs: Readonly<Record<string, string>>;
    /** What the plan summarised of each service (its wrangler config, bindings, ...), by service name. */
    readonly summaries: Readonly<Record<string, ServiceSummary>>;
    remove(): Promise<void>;
}

/**
 * Plans `services` for `stack` under the mock engine (`definePlatform`, as `npm run plan` does) and writes each
 * service's generated wrangler.jsonc under `.platform/test-e2e-<label>-<random>/<service>/`.
 * The Pulumi SDK keeps global state: call this at most once at a time per process.
 * @param config stack config beside `platform:accountId` (`platform:services`, `platform:secrets`, ...), as the
 *   engine passes it. @default none
 */
export async function planFixtureWorkspace(label: string, services: readonly ServiceEntry[], stack = "staging", config?: EngineConfig): Promise<FixtureWorkspace> {
    const root = path.join(PROJECT_ROOT, ".platform", `test-e2e-${label}-${randomBytes(4).toString("hex")}`);
    const run = await runOffline({
        project: "platform",
        stack,
        config: {
            config: { "platform:accountId": "0123456789abcdef0123456789abcdef", ...config?.config },
            secretKeys: [...(config?.secretKeys ?? [])],
        },
        program: () => ({ services: definePlatform(services, stack).environment.summary }),
    });
    const configs: Record<string, string> = {};
    const summaries = serviceSummaries(run.resources);
    for (const [name, summary] of Object.entries(summaries)) {
        const dir = path.join(root, name);
        await mkdir(dir, { recursive: true });
        const files = renderWranglerFiles(summary.wranglerConfig, path.relative(dir, PROJECT_ROOT).split(path.sep).join("/"), ["test"]);
        configs[name] = path.join(dir, "wrangler.jsonc");
        await writeFile(configs[name]!, files["wrangler.jsonc"]);
    }
    return { root, configs, summaries, remove: () => rm(root, { recursive: true, force: true }) };
}

/**
 * Starts `wrangler dev` on the named services' configs for the enclosing `describe` block (the first is served,
 * the others run beside it) and stops it afterwards, even on failure. Call at collection time.
 * @param state directory name under the workspace for local state (Workflows, queues, storage).
 * @param startupMs time limit of the start, ms.
 */
export function useWranglerDev(workspace: () => FixtureWorkspace, names: readonly string[], state: string, startupMs: number): () => WranglerDev {
    let dev: WranglerDev | undefined;
    beforeAll(async () => {
        dev = await startWranglerDev({
            configs: names.map((n) => workspace().configs[n]!),
            persistTo: path.join(workspace().root, state),
            scratchDir: workspace().root,
            readyTimeoutMs: startupMs - 10_000,
        });
    }, startupMs);
    afterAll(async () => {
        await dev?.stop();
    });
    return () => dev!;
}

/**
 * Fetches `url` (at most {@link REQUEST_MS}) and parses the answer as JSON.
 * @throws {Error} naming the request and the start of the body when the answer is not JSON.
 */
export async function getJson<T>(url: string, init?: RequestInit): Promise<{ status: number; body: T; text: string }> {
    const response = await fetch(url, { ...init, signal: AbortSignal.timeout(REQUEST_MS) });
    const text = await response.text();
    let body: T;
    try {
        body = JSON.parse(text) as T;
    } catch {
        throw new Error(`${init?.method ?? "GET"} ${url} answered ${response.status} with non-JSON: ${text.slice(0, 500)}`);
    }
    return { status: response.status, body, text };
}
