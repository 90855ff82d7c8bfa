/**
 * `npm run dev` as a developer runs it: plan, local D1 migrations, `wrangler dev` on workerd; the api
 * answers its health check (every binding's check) and a request that needs the migrated table, its own queue
 * consumer records what it sends, an export Workflow runs to completion, and its web UI is served from
 * static assets with the single-page fallback. Its Hyperdrive binding points at
 * `PLATFORM_DEV_DATABASE_URL` when set, else at the local PostgreSQL that `npm run dev` runs itself in
 * `<persist-to>/postgres`: stopped when dev stops, and its data kept for the next run.
 */
import { spawn, spawnSync, type ChildProcess } from "node:child_process";
import { randomBytes } from "node:crypto";
import * as fs from "node:fs";
import * as path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { readPostgresCredentials, startPostgres, type PostgresServer } from "../../tools/lib/postgres";
import { freePort } from "../../tools/lib/freePort";
import { API_HEALTH_CHECKS, ASYNC_MS, createNote, getText, publicFile, runExport, waitForActivity } from "../helpers/notesApp";
import { query, refuses } from "../helpers/sql";
import { PROJECT_ROOT, killGroup, wranglerEnv } from "../helpers/wrangler";

const STARTUP_MS = 90_000;
const scratch = path.join(PROJECT_ROOT, ".platform", `test-dev-${randomBytes(4).toString("hex")}`);
let varsFile: string;

/** A running `npm run dev`. */
interface Dev {
    readonly url: string;
    output(): string;
    /** Sends `signal` to its process group and waits for it to exit (SIGKILL after 30 s); its exit code. */
    stop(signal?: NodeJS.Signals): Promise<number | null>;
}

const running = new Set<Dev>();

/** Runs `tools/dev.ts` for the api on the staging stack, as `npm run dev` does, until `/health` answers. */
async function startDev(persistTo: string, env: NodeJS.ProcessEnv): Promise<Dev> {
    const port = await freePort();
    const child: ChildProcess = spawn(process.execPath, [
        "--import", "tsx", path.join(PROJECT_ROOT, "tools", "dev.ts"), "--stack", "staging", "--service", "api",
        "--port", String(port), "--inspector-port", String(await freePort()), "--vars-file", varsFile, "--persist-to", persistTo,
    ], { cwd: PROJECT_ROOT, env, stdio: ["ignore", "pipe", "pipe"], detached: true });
    let output = "";
    child.stdout!.on("data", (chunk: Buffer) => { output += chunk.toString(); });
    child.stderr!.on("data", (chunk: Buffer) => { output += chunk.toString(); });
    const exited = new Promise<number | null>((resolve) => child.once("exit", (code) => resolve(code)));
    const dev: Dev = {
        url: `http://127.0.0.1:${port}`,
        output: () => output,
        async stop(signal = "SIGTERM") {
            running.delete(dev);
            killGroup(child, signal);
            const hard = setTimeout(() => killGroup(child, "SIGKILL"), 30_000);
            const code = await exited;
            clearTimeout(hard);
            // workerd runs in the same group and can outlive wrangler by a moment.
            killGroup(child, "SIGKILL");
            return code;
        },
    };
    running.add(dev);
    const deadline = Date.now() + STARTUP_MS - 5_000;
    while (Date.now() < deadline) {
        if (child.exitCode !== null) throw new Error(`npm run dev exited with ${child.exitCode}:\n${output}`);
        const ready = await fetch(`${dev.url}/health`, { signal: AbortSignal.timeout(5000) }).then(() => true, () => false);
        if (ready) return dev;
        await new Promise((resolve) => setTimeout(resolve, 250));
    }
    await dev.stop("SIGKILL");
    throw new Error(`npm run dev did not answer within ${STARTUP_MS / 1000} s:\n${output}`);
}

interface HealthBody {
    status: string;
    checks: Record<string, { status: string; error?: string }>;
}

beforeAll(() => {
    fs.mkdirSync(scratch, { recursive: true });
    varsFile = path.join(scratch, "api.dev.vars");
    fs.writeFileSync(varsFile, `SIGNING_KEY=${randomBytes(20).toString("hex")}\n`);
});

afterAll(async () => {
    for (const dev of [...running]) await dev.stop("SIGKILL");
    fs.rmSync(scratch, { recursive: true, force: true });
});

describe("npm run dev with PLATFORM_DEV_DATABASE_URL", () => {
    let database: PostgresServer;
    let dev: Dev;

    beforeAll(async () => {
        database = await startPostgres();
        dev = await startDev(path.join(scratch, "state"), { ...wranglerEnv(scratch), PLATFORM_DEV_DATABASE_URL: database.url });
    }, STARTUP_MS + 30_000);

    afterAll(async () => {
        await dev?.stop();
        await database?.stop();
    });

    it("serves the api from the generated config with its secret, and every health check passes", async () => {
        const response = await fetch(`${dev.url}/health`);
        const report = await response.json() as HealthBody;
        expect(response.status, JSON.stringify(report)).toBe(200);
        expect(Object.keys(report.checks)).toEqual(API_HEALTH_CHECKS);
        for (const [name, check] of Object.entries(report.checks)) expect(check, name).toMatchObject({ status: "ok" });
    });

    it("points Hyperdrive at PLATFORM_DEV_DATABASE_URL without printing its password", () => {
        expect(dev.output()).toContain("CLOUDFLARE_HYPERDRIVE_LOCAL_CONNECTION_STRING_DATABASE");
        expect(dev.output()).toContain(`connect to postgresql://${database.user}:****@127.0.0.1:${database.port}/${database.database}`);
        expect(dev.output()).not.toContain(database.password);
        expect(fs.existsSync(path.join(scratch, "state", "postgres"))).toBe(false);
    });

    it("applied the D1 migrations to the local database before starting", async () => {
        expect(dev.output()).toContain("0001_create_notes.sql");
        expect(dev.output()).toContain("0002_create_note_activity.sql");
        const created = await fetch(`${dev.url}/api/notes`, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ body: "from npm run dev" }) });
        expect(created.status, await created.clone().text()).toBe(201);
    });

    it("consumes its own queue, runs an export Workflow to completion and serves the web UI with its fallback", async () => {
        const note = await createNote(dev.url, "through the queue under npm run dev");
        expect(await waitForActivity(dev.url, note, dev.output)).toEqual([expect.objectContaining({ noteId: note.id, type: "note.created" })]);

        const { final, seen } = await runExport(dev.url, dev.output);
        expect(final.status, `statuses: ${seen.join(" → ")}\n${dev.output()}`).toBe("complete");
        expect(final.output!.notes).toBeGreaterThanOrEqual(1);

        expect((await getText(dev.url, "/")).body).toBe(publicFile("index.html"));
        const fallback = await getText(dev.url, `/notes/${note.id}`);
        expect(fallback.status).toBe(200);
        expect(fallback.body).toBe(publicFile("index.html"));
    }, 2 * ASYNC_MS + 30_000);
});

describe("npm run dev with its own local PostgreSQL", () => {
    const persistTo = path.join(scratch, "state-local");
    const dataDir = path.join(persistTo, "postgres");
    // No database URL: dev runs the stack's database (platform:database.neon: role app, database app) itself.
    const env = { ...wranglerEnv(scratch) };
    delete env.PLATFORM_DEV_DATABASE_URL;

    /** The port of the local PostgreSQL from dev's note, which masks the role's password. */
    function databasePort(output: string): number {
        const match = /connect to the local PostgreSQL postgresql:\/\/app:\*\*\*\*@127\.0\.0\.1:(\d+)\/app /.exec(output);
        expect(match, output).not.toBeNull();
        return Number(match![1]);
    }

    /** Runs statements as the cluster's superuser (from its credentials.json) in the app database. */
    function asSuperuser<T extends Record<string, unknown>>(port: number, text: string): Promise<T[]> {
        const { user, password } = readPostgresCredentials(dataDir)!;
        return query<T>({ host: "127.0.0.1", port, user, password, database: "app" }, text);
    }

    afterAll(async () => {
        for (const dev of [...running]) await dev.stop("SIGKILL");
        // A failed test may leave the server of a killed dev behind: the next start stops it.
        if (fs.existsSync(path.join(dataDir, "data", "postmaster.pid"))) await (await startPostgres({ dataDir })).stop();
    });

    let firstPort = 0;

    it("starts the stack's database in <persist-to>/postgres, and /health passes its database check", async () => {
        const dev = await startDev(persistTo, env);
        try {
            const response = await fetch(`${dev.url}/health`);
            const report = await response.json() as HealthBody;
            expect(response.status, JSON.stringify(report)).toBe(200);
            expect(report.checks.DATABASE).toMatchObject({ status: "ok" });

            firstPort = databasePort(dev.output());
            const { password } = readPostgresCredentials(dataDir)!;
            expect(fs.statSync(path.join(dataDir, "credentials.json")).mode & 0o777).toBe(0o600);
            expect(dev.output()).toContain("CLOUDFLARE_HYPERDRIVE_LOCAL_CONNECTION_STRING_DATABASE");
            expect(dev.output()).not.toContain(password);
            expect(dev.output()).not.toMatch(/postgres(ql)?:\/\/[^:\s]+:(?!\*\*\*\*@)[^@\s]+@/);
            // The Worker connects as the stack's role, which owns the database and is no superuser.
            expect(await asSuperuser(firstPort, "select pg_get_userbyid(datdba) as owner, (select rolsuper from pg_roles where rolname = 'app') as super from pg_database where datname = 'app'"))
                .toEqual([{ owner: "app", super: false }]);
            await asSuperuser(firstPort, "set role app; create table dev_kept (note text); insert into dev_kept values ('from the first run')");
        } finally {
            // Ctrl-C in a terminal: SIGINT to the whole group.
            await dev.stop("SIGINT");
        }
        expect(dev.output()).toContain(`Stopped the local PostgreSQL (data kept in ${path.relative(PROJECT_ROOT, dataDir)}).`);
    }, STARTUP_MS + 60_000);

    it("stopped that PostgreSQL when dev stopped, and kept its directory", async () => {
        expect(firstPort).toBeGreaterThan(0);
        expect(fs.existsSync(path.join(dataDir, "data", "postmaster.pid"))).toBe(false);
        expect(fs.existsSync(path.join(dataDir, "owner.pid"))).toBe(false);
        expect(fs.existsSync(path.join(dataDir, "data", "PG_VERSION"))).toBe(true);
        expect(await refuses(firstPort)).toBe(true);
    });

    it("reuses the same data on the next run, and stops it again on SIGTERM", async () => {
        const dev = await startDev(persistTo, env);
        let port = 0;
        try {
            const response = await fetch(`${dev.url}/health`);
            expect(response.status, await response.clone().text()).toBe(200);
            port = databasePort(dev.output());
            expect(await asSuperuser(port, "select note, pg_get_userbyid(relowner) as owner from dev_kept, pg_class where relname = 'dev_kept'"))
                .toEqual([{ note: "from the first run", owner: "app" }]);
        } finally {
            await dev.stop("SIGTERM");
        }
        expect(dev.output()).toContain("Stopped the local PostgreSQL");
        expect(fs.existsSync(path.join(dataDir, "data", "postmaster.pid"))).toBe(false);
        expect(await refuses(port)).toBe(true);
    }, STARTUP_MS + 60_000);
});

/** Whether this machine can hide the PostgreSQL binaries from one process (root, mount namespaces). */
const canHideBinaries = fs.existsSync("/usr/lib/postgresql") &&
    spawnSync("unshare", ["-m", "sh", "-c", "mount -t tmpfs none /usr/lib/postgresql"], { stdio: "ignore" }).status === 0;

describe("npm run dev without the PostgreSQL server binaries", () => {
    it.runIf(canHideBinaries)("fails with exit code 2 before running anything, naming --database-url and apt-get install postgresql", async () => {
        const persistTo = path.join(scratch, "state-no-binaries");
        const env = { ...wranglerEnv(scratch) };
        delete env.PLATFORM_DEV_DATABASE_URL;
        // /usr/lib/postgresql hidden by an empty tmpfs, for this process only.
        const child = spawn("unshare", ["-m", "sh", "-c", 'mount -t tmpfs none /usr/lib/postgresql && exec "$0" "$@"',
            process.execPath, "--import", "tsx", path.join(PROJECT_ROOT, "tools", "dev.ts"), "--stack", "staging", "--service", "api",
            "--vars-file", varsFile, "--persist-to", persistTo,
        ], { cwd: PROJECT_ROOT, env, stdio: ["ignore", "pipe", "pipe"] });
        let output = "";
        child.stdout.on("data", (chunk: Buffer) => { output += chunk.toString(); });
        child.stderr.on("data", (chunk: Buffer) => { output += chunk.toString(); });
        const timer = setTimeout(() => child.kill("SIGKILL"), 60_000);
        const code = await new Promise<number | null>((resolve) => child.once("exit", (c) => resolve(c)));
        clearTimeout(timer);
        expect(code, output).toBe(2);
        expect(output).toContain("error: Hyperdrive binding DATABASE needs a PostgreSQL database");
        expect(output).toContain("apt-get install -y postgresql");
        expect(output).toContain("--database-url");
        expect(output).not.toContain("0001_create_notes.sql");
        expect(fs.existsSync(path.join(persistTo, "postgres"))).toBe(false);
    }, 90_000);
});
