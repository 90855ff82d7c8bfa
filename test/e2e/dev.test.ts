/**
 * `npm run dev` as a developer runs it: plan, local D1 migrations, `wrangler dev` on workerd; the api
 * answers its health check and a request that needs the migrated table.
 */
import { spawn, type ChildProcess } from "node:child_process";
import { randomBytes } from "node:crypto";
import * as fs from "node:fs";
import * as path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startPostgres, type PostgresServer } from "../../tools/lib/postgres";
import { freePort } from "../../tools/lib/freePort";
import { PROJECT_ROOT, killGroup, wranglerEnv } from "../helpers/wrangler";

const scratch = path.join(PROJECT_ROOT, ".platform", `test-dev-${randomBytes(4).toString("hex")}`);
let child: ChildProcess;
let output = "";
let url = "";
let database: PostgresServer;

beforeAll(async () => {
    database = await startPostgres();
    fs.mkdirSync(scratch, { recursive: true });
    const varsFile = path.join(scratch, "api.dev.vars");
    fs.writeFileSync(varsFile, `SIGNING_KEY=${randomBytes(20).toString("hex")}\n`);
    const port = await freePort();
    url = `http://127.0.0.1:${port}`;
    child = spawn(process.execPath, [
        "--import", "tsx", path.join(PROJECT_ROOT, "tools", "dev.ts"), "--stack", "staging", "--service", "api",
        "--port", String(port), "--inspector-port", String(await freePort()), "--vars-file", varsFile, "--persist-to", path.join(scratch, "state"),
    ], { cwd: PROJECT_ROOT, env: { ...wranglerEnv(scratch), PLATFORM_DEV_DATABASE_URL: database.url }, stdio: ["ignore", "pipe", "pipe"], detached: true });
    child.stdout!.on("data", (chunk: Buffer) => { output += chunk.toString(); });
    child.stderr!.on("data", (chunk: Buffer) => { output += chunk.toString(); });
    const deadline = Date.now() + 90_000;
    while (Date.now() < deadline) {
        if (child.exitCode !== null) throw new Error(`npm run dev exited with ${child.exitCode}:\n${output}`);
        const ready = await fetch(`${url}/health`).then(() => true, () => false);
        if (ready) return;
        await new Promise((resolve) => setTimeout(resolve, 250));
    }
    throw new Error(`npm run dev did not answer within 90 s:\n${output}`);
}, 120_000);

afterAll(async () => {
    if (child !== undefined) {
        killGroup(child, "SIGTERM");
        await new Promise((resolve) => setTimeout(resolve, 500));
        killGroup(child, "SIGKILL");
    }
    fs.rmSync(scratch, { recursive: true, force: true });
    await database?.stop();
});

describe("npm run dev", () => {
    it("serves the api from the generated config with its secret, and every health check passes", async () => {
        const response = await fetch(`${url}/health`);
        const report = await response.json() as { status: string; checks: Record<string, { status: string }> };
        expect(response.status, JSON.stringify(report)).toBe(200);
        expect(Object.keys(report.checks).sort()).toEqual(["CACHE", "COUNTER", "DATABASE", "DB", "FILES", "env"]);
    });

    it("points Hyperdrive at PLATFORM_DEV_DATABASE_URL without printing its password", () => {
        expect(output).toContain("CLOUDFLARE_HYPERDRIVE_LOCAL_CONNECTION_STRING_DATABASE");
        expect(output).not.toContain(database.password);
    });

    it("applied the D1 migrations to the local database before starting", async () => {
        expect(output).toContain("0001_create_notes.sql");
        const created = await fetch(`${url}/notes`, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ body: "from npm run dev" }) });
        expect(created.status, await created.clone().text()).toBe(201);
    });
});
