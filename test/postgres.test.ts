/**
 * `tools/lib/postgres.ts` with a persistent `dataDir` (what `npm run dev` runs Hyperdrive against): a
 * restart keeps the data and the superuser password, `stop()` keeps the directory, `ensureDatabase` is
 * idempotent and its role is a plain login role, and neither a server left behind by a killed process
 * nor a stale `postmaster.pid` blocks the next start. Every server listens on 127.0.0.1 only and is
 * stopped here.
 */
import { spawn } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { ensureDatabase, readPostgresCredentials, startPostgres, type PostgresServer } from "../tools/lib/postgres";
import { query, refuses } from "./helpers/sql";

const PROJECT_ROOT = path.resolve(__dirname, "..");
const TEST_MS = 60_000;

let scratch: string;
/** Servers a test started; stopped after each test even when it fails. */
const started: PostgresServer[] = [];

beforeAll(() => {
    scratch = fs.mkdtempSync(path.join(os.tmpdir(), "platform-pg-test-"));
    // Under root the servers run as the postgres user, which must be able to enter it.
    fs.chmodSync(scratch, 0o755);
});

afterEach(async () => {
    for (const server of started.splice(0)) await server.stop();
});

afterAll(() => {
    fs.rmSync(scratch, { recursive: true, force: true });
});

async function start(dataDir: string): Promise<PostgresServer> {
    const server = await startPostgres({ dataDir });
    started.push(server);
    return server;
}


function postmasterPid(dataDir: string): number {
    return Number(fs.readFileSync(path.join(dataDir, "data", "postmaster.pid"), "utf8").split("\n")[0]);
}

/** Whether `pid` has exited (gone, or a zombie nobody reaps: this container's init does not). */
function exited(pid: number): boolean {
    try {
        const stat = fs.readFileSync(`/proc/${pid}/stat`, "utf8");
        return /^[ZX]/.test(stat.slice(stat.lastIndexOf(")") + 2));
    } catch {
        return true;
    }
}

async function until(condition: () => boolean, what: string, timeoutMs = 20_000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (!condition()) {
        if (Date.now() > deadline) throw new Error(`timed out waiting until ${what}`);
        await new Promise((resolve) => setTimeout(resolve, 100));
    }
}

describe("startPostgres({ dataDir })", () => {
    it("keeps the data and the superuser password across a restart, and stop() keeps the directory", async () => {
        const dataDir = path.join(scratch, "restart");
        const first = await start(dataDir);
        expect(first.url).toBe(`postgresql://platform:${first.password}@127.0.0.1:${first.port}/app`);
        await query(first.url, "create table kept (note text); insert into kept values ('from the first run')");
        const credentialsFile = path.join(dataDir, "credentials.json");
        expect(fs.statSync(credentialsFile).mode & 0o777).toBe(0o600);
        expect(readPostgresCredentials(dataDir)).toEqual({ user: "platform", password: first.password });

        await first.stop();
        await first.stop(); // safe twice
        expect(fs.existsSync(path.join(dataDir, "data", "postmaster.pid"))).toBe(false);
        expect(await refuses(first.port)).toBe(true);
        expect(fs.existsSync(path.join(dataDir, "data", "PG_VERSION"))).toBe(true);
        expect(fs.existsSync(path.join(dataDir, "owner.pid"))).toBe(false);

        const second = await start(dataDir);
        expect(second.password).toBe(first.password);
        expect(second.user).toBe("platform");
        expect(await query(second.url, "select note from kept")).toEqual([{ note: "from the first run" }]);
    }, TEST_MS);

    it("refuses another superuser name for an existing cluster, and a second server on the same directory", async () => {
        const dataDir = path.join(scratch, "in-use");
        const server = await start(dataDir);
        await expect(startPostgres({ dataDir })).rejects.toThrow(/is already running \(server PID \d+\), started by process \d+/);
        await server.stop();
        await expect(startPostgres({ dataDir, user: "someone_else" })).rejects.toThrow('has the superuser "platform", not "someone_else"');
    }, TEST_MS);

    it("stops a server whose starter was killed (SIGKILL) and starts it again with the same data", async () => {
        const dataDir = path.join(scratch, "orphan");
        const script = `require(process.argv[1]).startPostgres({ dataDir: process.argv[2] })` +
            `.then((s) => { console.log("ready " + s.port); setInterval(() => {}, 1000); }, (e) => { console.error(e); process.exit(1); })`;
        const child = spawn(process.execPath, ["--import", "tsx", "-e", script, path.join(PROJECT_ROOT, "tools", "lib", "postgres.ts"), dataDir], {
            cwd: PROJECT_ROOT, stdio: ["ignore", "pipe", "pipe"],
        });
        let output = "";
        child.stdout.on("data", (chunk: Buffer) => { output += chunk.toString(); });
        child.stderr.on("data", (chunk: Buffer) => { output += chunk.toString(); });
        const childExit = new Promise((resolve) => child.once("exit", resolve));
        try {
            await until(() => /ready \d+/.test(output) || child.exitCode !== null, "the child started PostgreSQL", 45_000);
            expect(output).toMatch(/ready \d+/);
        } finally {
            child.kill("SIGKILL");
            await childExit;
        }
        const orphan = postmasterPid(dataDir);
        expect(exited(orphan)).toBe(false);
        const { user, password } = readPostgresCredentials(dataDir)!;
        const port = Number(/ready (\d+)/.exec(output)![1]);
        await query(`postgresql://${user}:${password}@127.0.0.1:${port}/app`, "create table kept (n int); insert into kept values (42)");

        const server = await start(dataDir);
        expect(exited(orphan)).toBe(true);
        expect(postmasterPid(dataDir)).not.toBe(orphan);
        expect(await query(server.url, "select n from kept")).toEqual([{ n: 42 }]);
    }, TEST_MS);

    it("starts after the server crashed (postmaster SIGKILLed, postmaster.pid left behind)", async () => {
        const dataDir = path.join(scratch, "crash");
        const first = await start(dataDir);
        await query(first.url, "create table kept (n int); insert into kept values (7)");
        const pid = postmasterPid(dataDir);
        process.kill(pid, "SIGKILL");
        await until(() => exited(pid), "the killed server exited");
        expect(fs.existsSync(path.join(dataDir, "data", "postmaster.pid"))).toBe(true);

        const second = await start(dataDir);
        expect(await query(second.url, "select n from kept")).toEqual([{ n: 7 }]);
        await first.stop(); // its server is gone: returns without waiting for it
    }, TEST_MS);

    it("starts when postmaster.pid names a live process that is not PostgreSQL (a PID reused after a reboot)", async () => {
        const dataDir = path.join(scratch, "reused-pid");
        const first = await start(dataDir);
        const pidFile = path.join(dataDir, "data", "postmaster.pid");
        const lock = fs.readFileSync(pidFile, "utf8");
        await first.stop();
        const stat = fs.statSync(path.join(dataDir, "data"));
        fs.writeFileSync(pidFile, lock.replace(/^\d+/, String(process.pid)));
        fs.chownSync(pidFile, stat.uid, stat.gid);

        const second = await start(dataDir);
        expect(postmasterPid(dataDir)).not.toBe(process.pid);
        expect(await query(second.url, "select 1 as ok")).toEqual([{ ok: 1 }]);
    }, TEST_MS);
});

describe("ensureDatabase", () => {
    it("creates a login role owning its database, idempotently, with a password of its own that survives a restart", async () => {
        const dataDir = path.join(scratch, "roles");
        const first = await start(dataDir);
        const url = await ensureDatabase(first, { role: "app", database: "app" });
        const parsed = new URL(url);
        expect(`${parsed.protocol}//${parsed.username}@${parsed.host}${parsed.pathname}`).toBe(`postgresql://app@127.0.0.1:${first.port}/app`);
        expect(parsed.password).toMatch(/^[0-9a-f]{36}$/);
        expect(parsed.password).not.toBe(first.password);
        expect(await ensureDatabase(first, { role: "app", database: "app" })).toBe(url);

        await query(url, "create table notes (body text); insert into notes values ('owned by app')");
        expect(await query(url, "select current_user as who")).toEqual([{ who: "app" }]);
        expect(await query(first.url, "select rolsuper, rolcanlogin from pg_roles where rolname = 'app'")).toEqual([{ rolsuper: false, rolcanlogin: true }]);
        // startPostgres created `app` as the superuser's; ensureDatabase handed it to the role.
        expect(await query(first.url, "select pg_get_userbyid(datdba) as owner from pg_database where datname = 'app'")).toEqual([{ owner: "app" }]);
        await first.stop();

        const second = await start(dataDir);
        const again = await ensureDatabase(second, { role: "app", database: "app" });
        expect(new URL(again).password).toBe(parsed.password);
        expect(await query(again, "select body from notes")).toEqual([{ body: "owned by app" }]);

        const other = await ensureDatabase(second, { role: "reporting", database: "reports" });
        expect(new URL(other).password).not.toBe(parsed.password);
        expect(await query(other, "select current_database() as db, current_user as who")).toEqual([{ db: "reports", who: "reporting" }]);
        await expect(ensureDatabase(second, { role: "platform", database: "x" })).rejects.toThrow('role "platform" is the superuser');
    }, TEST_MS);
});

// As root (a fresh machine's CI runs as root, in root's mode-0700 home), PostgreSQL runs as the `postgres` user,
// which cannot enter such a folder: the clusters must still start, wherever the caller's folder is.
const asRoot = process.getuid?.() === 0 && fs.readFileSync("/etc/passwd", "utf8").split("\n").some((l) => l.startsWith("postgres:"));

describe.skipIf(!asRoot)("as root, below a folder of mode 0700", () => {
    let privateDir: string;
    beforeAll(() => {
        privateDir = fs.mkdtempSync(path.join(os.tmpdir(), "platform-pg-private-"));
        fs.chmodSync(privateDir, 0o700);
    });
    afterAll(() => fs.rmSync(privateDir, { recursive: true, force: true }));

    it("keeps a persistent cluster where the postgres user can reach it, named by <dataDir>/location, and starts over when dataDir is deleted", async () => {
        const dataDir = path.join(privateDir, "clone", ".wrangler", "state", "staging", "postgres");
        const first = await start(dataDir);
        const home = fs.readFileSync(path.join(dataDir, "location"), "utf8").trim();
        try {
            expect(home.startsWith(path.join("/var/tmp", "workers-platform-postgres"))).toBe(true);
            expect(readPostgresCredentials(dataDir)?.user).toBe(first.user);
            expect(fs.existsSync(path.join(home, "data", "PG_VERSION"))).toBe(true);
            // The directory keeps its documented layout for whoever looks inside.
            expect(fs.readlinkSync(path.join(dataDir, "data"))).toBe(path.join(home, "data"));
            expect(fs.existsSync(path.join(dataDir, "data", "postmaster.pid"))).toBe(true);
            await query(first.url, "create table kept (v int); insert into kept values (7)");
            await first.stop();

            const second = await start(dataDir);
            expect(await query(second.url, "select v from kept")).toEqual([{ v: 7 }]);
            await second.stop();

            // Another clone's cluster, then that clone deleted.
            const otherDir = path.join(privateDir, "other-clone", "postgres");
            await (await start(otherDir)).stop();
            const otherHome = fs.readFileSync(path.join(otherDir, "location"), "utf8").trim();
            fs.rmSync(path.join(privateDir, "other-clone"), { recursive: true });

            // "Delete that directory to start over": the old data is not picked up again, and the deleted clone's is removed.
            fs.rmSync(dataDir, { recursive: true });
            const third = await start(dataDir);
            expect(fs.readFileSync(path.join(dataDir, "location"), "utf8").trim()).toBe(home);
            expect(await query(third.url, "select count(*)::int as n from pg_tables where tablename = 'kept'")).toEqual([{ n: 0 }]);
            expect(fs.existsSync(otherHome)).toBe(false);
        } finally {
            for (const server of started.splice(0)) await server.stop();
            fs.rmSync(home, { recursive: true, force: true });
        }
    }, TEST_MS);

    it("starts a throwaway server when the OS temp directory is such a folder, and removes it on stop", async () => {
        const previous = process.env.TMPDIR;
        process.env.TMPDIR = path.join(privateDir, "tmp");
        fs.mkdirSync(process.env.TMPDIR, { mode: 0o700 });
        try {
            const server = await startPostgres();
            started.push(server);
            expect(await query(server.url, "select 1 as ok")).toEqual([{ ok: 1 }]);
        } finally {
            if (previous === undefined) delete process.env.TMPDIR;
            else process.env.TMPDIR = previous;
        }
        await started.splice(0)[0]!.stop();
        expect(fs.readdirSync(path.join(privateDir, "tmp"))).toEqual([]);
    }, TEST_MS);
});
