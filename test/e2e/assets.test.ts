/**
 * End to end: the static assets fixture (test/fixtures/workers/assets/) under real `wrangler dev --local`
 * (workerd and wrangler's asset server), on the wrangler.jsonc the platform generates from its declaration.
 * Once as a single-page application (the declaration as written) and once with `notFoundHandling: "404-page"`:
 * a file is served as it is, a path no file matches falls back as declared, `/api/*` runs the Worker first
 * even over a file, and the health endpoint checks the assets binding. A third run edits the generated rules
 * to leave `/health` out, showing why the declaration refuses that: the fallback then answers the health path.
 */
import { randomBytes } from "node:crypto";
import { readFileSync, rmSync, writeFileSync } from "node:fs";
import * as path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { HealthReport } from "../../components/health/index";
import { defineService, type ServiceDeclaration } from "../../components/service/declaration";
import site, { siteInput } from "../fixtures/workers/assets/service";
import { writeFixtureConfig } from "../helpers/fixtureConfig";
import { PROJECT_ROOT, startWranglerDev, type WranglerDev } from "../helpers/wrangler";

const STARTUP_MS = 60_000;
const REQUEST_MS = 20_000;
const FIXTURE = path.join(PROJECT_ROOT, "test", "fixtures", "workers", "assets");
const PUBLIC = path.join(FIXTURE, "public");
const ROOT = path.join(PROJECT_ROOT, ".platform", `test-e2e-assets-${randomBytes(4).toString("hex")}`);

const notFoundPage = defineService({ ...siteInput, bindings: { ASSETS: { ...siteInput.bindings.ASSETS, notFoundHandling: "404-page" } } });

afterAll(() => rmSync(ROOT, { recursive: true, force: true }));

/**
 * Starts `wrangler dev` on the generated config of `declaration` for a `describe` block, and stops it afterwards.
 * @param edit changes the generated config before wrangler reads it (what a declaration cannot express).
 */
function useDev(declaration: ServiceDeclaration, folder: string, edit?: (config: Record<string, Record<string, unknown>>) => void): () => WranglerDev {
    let dev: WranglerDev | undefined;
    beforeAll(async () => {
        const configPath = writeFixtureConfig(declaration, FIXTURE, path.join(ROOT, folder));
        if (edit !== undefined) {
            // The generated file is JSON after its `//` header lines.
            const config = JSON.parse(readFileSync(configPath, "utf8").replace(/^\/\/.*\n/gm, "")) as Record<string, Record<string, unknown>>;
            edit(config);
            writeFileSync(configPath, JSON.stringify(config, null, "\t"));
        }
        dev = await startWranglerDev({ configs: [configPath], persistTo: path.join(ROOT, folder, "state"), scratchDir: ROOT });
    }, STARTUP_MS);
    afterAll(async () => {
        await dev?.stop();
    });
    return () => dev!;
}

async function get(url: string, headers: Record<string, string> = {}): Promise<{ status: number; body: string; headers: Headers }> {
    const response = await fetch(url, { headers, redirect: "manual", signal: AbortSignal.timeout(REQUEST_MS) });
    return { status: response.status, body: await response.text(), headers: response.headers };
}

const file = (relative: string) => readFileSync(path.join(PUBLIC, relative), "utf8");

/** Fetches `pathname` from `dev` and expects the content of `public/<relative>` with `status`. */
async function expectFile(dev: WranglerDev, pathname: string, relative: string, status = 200): Promise<Headers> {
    const response = await get(`${dev.url}${pathname}`);
    expect(response.status, `${pathname}: ${response.body.slice(0, 200)}`).toBe(status);
    expect(response.body).toBe(file(relative));
    return response.headers;
}

describe("assets as a single-page application", () => {
    const dev = useDev(site, "spa");

    it("serves a static file as it is, without running the Worker", async () => {
        const headers = await expectFile(dev(), "/hello.txt", "hello.txt");
        expect(headers.get("content-type")).toMatch(/^text\/plain/);
        expect(headers.get("x-served-by")).toBeNull();
    });

    it("serves HTML files by their path without the extension (htmlHandling auto-trailing-slash)", async () => {
        await expectFile(dev(), "/docs/guide", "docs/guide.html");
        await expectFile(dev(), "/", "index.html");
    });

    it("falls back to index.html with 200 for a path no file matches", async () => {
        await expectFile(dev(), "/app/settings/profile", "index.html");
    });

    it("runs the Worker first for /api/*, even where a file matches (runWorkerFirst)", async () => {
        const response = await get(`${dev().url}/api/shadow.txt`);
        expect(response.status).toBe(200);
        expect(response.body).toBe("worker /api/shadow.txt\n");
        expect(response.headers.get("x-served-by")).toBe("worker");
    });

    it("answers the health endpoint with the assets check passing", async () => {
        const response = await get(`${dev().url}/health`);
        const report = JSON.parse(response.body) as HealthReport;
        expect(response.status, response.body).toBe(200);
        expect(report.checks.ASSETS).toMatchObject({ status: "ok" });
    });
});

describe("assets with a 404 page", () => {
    const dev = useDev(notFoundPage, "not-found-page");

    it("serves a static file as it is", async () => {
        await expectFile(dev(), "/hello.txt", "hello.txt");
    });

    it("answers 404 with 404.html for a path no file matches", async () => {
        await expectFile(dev(), "/app/settings/profile", "404.html", 404);
    });
});

// Why the declaration requires `/health` among the rules of a single-page application (`healthRoutingProblem`):
// without it, the fallback answers the health endpoint and the Worker never sees it.
describe("rules without the health endpoint (a config the declaration refuses)", () => {
    const dev = useDev(site, "spa-without-health", (config) => {
        config.assets!.run_worker_first = ["/api/*"];
    });

    it("answers /health with index.html from the assets", async () => {
        await expectFile(dev(), "/health", "index.html");
    });
});
