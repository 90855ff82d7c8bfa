/**
 * End to end in `wrangler dev --local` (workerd): the runtime library (`components/telemetry/`) in the fixture
 * Worker test/fixtures/workers/telemetry, on the wrangler.jsonc the platform generates for it (its
 * `telemetry: true` binds METRICS and CF_VERSION_METADATA). Every line the Worker prints is one JSON object
 * with level, ISO timestamp, message, requestId, service, versionId (and context, error, stack where they
 * apply); each request writes exactly one data point with its route, status class, version id and a
 * duration; a secret the Worker logs by mistake is not printed. One `wrangler dev` for the whole file.
 *
 * `wrangler dev` drops Analytics Engine writes, so the fixture keeps a copy of each point it hands to the real
 * binding and returns them at `GET /__points` (outside the library).
 */
import { writeFile } from "node:fs/promises";
import { randomBytes } from "node:crypto";
import * as path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { ServiceSummary } from "../../tools/lib/serviceSummaries";
import type { DataPoint, LogLine } from "../../components/telemetry/index";
import declaration from "../fixtures/workers/telemetry/service";
import { planFixtureWorkspace, REQUEST_MS, type FixtureWorkspace } from "../helpers/fixtureWorkspace";
import { PROJECT_ROOT, startWranglerDev, type WranglerDev } from "../helpers/wrangler";

const STARTUP_MS = 60_000;
const FIXTURE = path.join(PROJECT_ROOT, "test", "fixtures", "workers", "telemetry");
const TOKEN = randomBytes(24).toString("hex");
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

let workspace: FixtureWorkspace | undefined;
let summary: ServiceSummary;
let dev: WranglerDev | undefined;

beforeAll(async () => {
    workspace = await planFixtureWorkspace("telemetry", [{ declaration, root: FIXTURE }], "staging", {
        config: {
            "platform:services": JSON.stringify({ telemetry: { healthGate: { enabled: false } } }),
            "platform:secrets": JSON.stringify({ telemetry: { TOKEN: "placeholder-never-used-by-wrangler-dev-000" } }),
        },
        secretKeys: ["platform:secrets"],
    });
    summary = workspace.summaries.telemetry!;
    const dir = path.dirname(workspace.configs.telemetry!);
    await writeFile(path.join(dir, ".dev.vars"), `TOKEN=${TOKEN}\n`);
    // No Request.cf fetch: offline it prints a stack trace that is wrangler's, not the Worker's (tools/dev.ts).
    dev = await startWranglerDev({
        configs: [workspace.configs.telemetry!], persistTo: path.join(dir, "state"), scratchDir: dir, env: { CLOUDFLARE_CF_FETCH_ENABLED: "false" },
    });
}, STARTUP_MS);

afterAll(async () => {
    await dev?.stop();
    await workspace?.remove();
});

/** GET `pathname`; returns the status, the request id the Worker answered with, and the lines it printed for it. */
async function request(pathname: string, expectedLines: number): Promise<{ status: number; requestId: string; lines: LogLine[] }> {
    const response = await fetch(`${dev!.url}${pathname}`, { signal: AbortSignal.timeout(REQUEST_MS) });
    const body = await response.json() as { requestId: string };
    // The Worker's console output reaches wrangler's a moment after the response: wait (bounded) for its lines.
    const deadline = Date.now() + REQUEST_MS;
    let lines = workerLines().filter((l) => l.requestId === body.requestId);
    while (lines.length < expectedLines && Date.now() < deadline) {
        await new Promise((resolve) => setTimeout(resolve, 100));
        lines = workerLines().filter((l) => l.requestId === body.requestId);
    }
    return { status: response.status, requestId: body.requestId, lines };
}

/** The data points written since the last call. */
async function points(): Promise<DataPoint[]> {
    return await (await fetch(`${dev!.url}/__points`, { signal: AbortSignal.timeout(REQUEST_MS) })).json() as DataPoint[];
}

/**
 * Every line of wrangler dev's output after "Ready on" that the Worker printed, each parsed as JSON. wrangler's
 * own lines are its request log (`[wrangler:info] GET /ok 200 OK (3ms)`) and the blank lines it prints after an
 * error; it shows `console.error` / `console.warn` output behind a colored `✘ [ERROR] ` / `▲ [WARNING] ` tag,
 * which is stripped. Throws on any other line that is not one JSON object, such as an uncaught exception's
 * stack trace.
 */
function workerLines(): LogLine[] {
    const output = dev!.output();
    const ready = output.indexOf("Ready on");
    const plain = output.slice(output.indexOf("\n", ready) + 1).replace(/\u001b\[[0-9;]*m/g, "");
    return plain.split("\n").filter((line) => line.trim() !== "" && !/^\[wrangler:\w+\] /.test(line)).map((line) => {
        const text = line.replace(/^(✘ \[ERROR\]|▲ \[WARNING\]) /, "");
        try {
            const parsed = JSON.parse(text) as unknown;
            if (typeof parsed !== "object" || parsed === null || Array.isArray(parsed)) throw new Error("not an object");
            return parsed as LogLine;
        } catch {
            throw new Error(`the Worker printed a line that is not one JSON object: ${JSON.stringify(line)}\n${output}`);
        }
    });
}

/** `[level, message]` of each line, by message: lines printed on stdout and stderr may reach the output in either order. */
function byMessage(lines: readonly LogLine[]): [string, string][] {
    return lines.map((l): [string, string] => [l.level, l.message]).sort((a, b) => a[1].localeCompare(b[1]));
}

function expectLineFields(line: LogLine, requestId: string): void {
    expect(Object.keys(line).slice(0, 4)).toEqual(["level", "timestamp", "message", "service"]);
    expect(new Date(line.timestamp).toISOString()).toBe(line.timestamp);
    expect(line).toMatchObject({ service: "telemetry", requestId, versionId: expect.stringMatching(UUID) });
}

describe("the generated wrangler.jsonc", () => {
    it("binds the stack's metrics dataset and the version metadata that telemetry adds", () => {
        expect(summary.wranglerConfig.config).toMatchObject({
            analytics_engine_datasets: [{ binding: "METRICS", dataset: "telemetry-staging-metrics" }],
            version_metadata: { binding: "CF_VERSION_METADATA" },
            vars: { LOG_LEVEL: "debug" },
        });
    });
});

describe("the runtime library in wrangler dev", () => {
    it("prints each request's lines as JSON objects with the documented fields and writes one 2xx data point", async () => {
        await points();
        const { status, requestId, lines } = await request("/ok", 2);
        expect(status).toBe(200);
        expect(lines.map((l) => [l.level, l.message])).toEqual([["info", "ok.served"], ["debug", "request.completed"]]);
        for (const line of lines) expectLineFields(line, requestId);
        expect(lines[0]!.context).toEqual({ answer: 42 });
        expect(lines[1]!.context).toMatchObject({ method: "GET", route: "/ok", status: 200, durationMs: expect.any(Number) });
        const written = await points();
        expect(written).toHaveLength(1);
        expect(written[0]).toEqual({
            indexes: ["/ok"], blobs: ["/ok", "2xx", lines[0]!.versionId, "GET", "telemetry"], doubles: [1, 200, expect.any(Number)],
        });
        expect(written[0]!.doubles[2]).toBeGreaterThanOrEqual(0);
    }, REQUEST_MS * 2);

    it("records the status class of a 404 and of a handler that throws, whose error and stack are one JSON line", async () => {
        await points();
        const missing = await request("/nothing-here", 1);
        expect(missing.status).toBe(404);
        const boom = await request("/boom", 2);
        expect(boom.status).toBe(500);
        // console.error reaches wrangler on stderr, console.log on stdout: the two lines may arrive in either order.
        expect(byMessage(boom.lines)).toEqual([["debug", "request.completed"], ["error", "request.failed"]]);
        const failed = boom.lines.find((l) => l.message === "request.failed")!;
        expectLineFields(failed, boom.requestId);
        expect(failed).toMatchObject({ error: "Error: fixture failure", stack: expect.stringContaining("fixture failure") });
        expect((await points()).map((p) => [p.indexes[0], p.blobs[1], p.doubles[1]])).toEqual([["unmatched", "4xx", 404], ["/boom", "5xx", 500]]);
    }, REQUEST_MS * 3);

    it("measures the duration across I/O with the Workers clock", async () => {
        await points();
        const { lines } = await request("/wait", 1);
        const [point] = await points();
        // The Worker waited on a 25 ms timer: the clock moved at least that far while it did.
        expect(point!.doubles[2]).toBeGreaterThanOrEqual(25);
        expect(lines[0]!.context).toMatchObject({ durationMs: point!.doubles[2] });
    }, REQUEST_MS * 2);

    it("does not print a secret the Worker logs by mistake", async () => {
        const { lines } = await request("/leak", 2);
        expect(lines.find((l) => l.message === "token.logged")).toMatchObject({ level: "warn", context: { token: "[redacted]" } });
        expect(dev!.output()).not.toContain(TOKEN);
    }, REQUEST_MS * 2);

    it("printed nothing but JSON lines after start-up", () => {
        expect(workerLines().length).toBeGreaterThanOrEqual(9);
    });
});
