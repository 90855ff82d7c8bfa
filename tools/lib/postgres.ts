/**
 * A throwaway PostgreSQL server for tests: `initdb` into a temporary directory, `pg_ctl start` on
 * 127.0.0.1 and a free port, `stop()` when done. Needs no system service, only the server binaries
 * (Debian's `postgresql` package: `/usr/lib/postgresql/<major>/bin`; `.ci/run` installs it).
 *
 * PostgreSQL refuses to run as root: under root the server runs as the `postgres` user (created by the
 * Debian package), else as `nobody`, and its data directory is handed to that user.
 */
import { execFile, spawnSync } from "node:child_process";
import { randomBytes } from "node:crypto";
import * as fs from "node:fs";
import { mkdtemp, rm } from "node:fs/promises";
import * as os from "node:os";
import * as path from "node:path";
import { freePort } from "./freePort";

/** A running server. */
export interface PostgresServer {
    /** `postgresql://<user>:<password>@127.0.0.1:<port>/<database>`. */
    readonly url: string;
    readonly host: "127.0.0.1";
    readonly port: number;
    readonly user: string;
    /** Random per server. */
    readonly password: string;
    readonly database: string;
    /** Stops the server (fast shutdown) and deletes its directory. Safe to call twice. */
    stop(): Promise<void>;
    /**
     * Stops the server but keeps its directory, so the same URL refuses connections. Not while a
     * `wrangler dev` points at it: wrangler 4.86's local Hyperdrive proxy has no error handler on its
     * database socket, and a refused connection crashes the whole dev server. Use
     * {@link refuseConnections} for a database that is down behind a running Worker.
     */
    halt(): Promise<void>;
    /**
     * Makes the test database refuse every new connection (`allow_connections false`) and ends the open
     * ones; the server keeps running, so clients get PostgreSQL's error instead of a refused TCP connect.
     */
    refuseConnections(): Promise<void>;
}

/** Options of {@link startPostgres}. */
export interface PostgresOptions {
    /** Role created as superuser. @default "platform" */
    readonly user?: string;
    /** Database created for the tests. @default "app" */
    readonly database?: string;
}

/**
 * Directory of the PostgreSQL server binaries: the highest `/usr/lib/postgresql/<major>/bin`, else
 * `pg_config --bindir`. @throws {Error} saying how to install them when none is found.
 */
export function postgresBinDir(): string {
    const root = "/usr/lib/postgresql";
    const majors = fs.existsSync(root) ? fs.readdirSync(root).filter((d) => /^\d+$/.test(d)).sort((a, b) => Number(b) - Number(a)) : [];
    for (const major of majors) {
        const dir = path.join(root, major, "bin");
        if (fs.existsSync(path.join(dir, "initdb"))) return dir;
    }
    const pgConfig = spawnSync("pg_config", ["--bindir"], { encoding: "utf8" });
    if (pgConfig.status === 0 && fs.existsSync(path.join(pgConfig.stdout.trim(), "initdb"))) return pgConfig.stdout.trim();
    throw new Error("PostgreSQL server binaries not found; install them: apt-get install -y postgresql");
}

/**
 * Starts a fresh server with password authentication (scram-sha-256) for TCP connections.
 * @throws {Error} with initdb's or the server's log when it does not start.
 */
export async function startPostgres(options: PostgresOptions = {}): Promise<PostgresServer> {
    const bin = postgresBinDir();
    const user = options.user ?? "platform";
    const database = options.database ?? "app";
    const password = randomBytes(18).toString("hex");
    const dir = await mkdtemp(path.join(os.tmpdir(), "platform-pg-"));
    const owner = serverUser();
    const data = path.join(dir, "data");
    const pwfile = path.join(dir, "pwfile");
    fs.writeFileSync(pwfile, `${password}\n`, { mode: 0o600 });
    if (owner !== undefined) fs.chownSync(dir, owner.uid, owner.gid), fs.chownSync(pwfile, owner.uid, owner.gid);
    fs.chmodSync(dir, 0o700);
    const run = (command: string, args: string[]) => exec(path.join(bin, command), args, owner);

    await run("initdb", ["-D", data, "-U", user, `--pwfile=${pwfile}`, "--auth=scram-sha-256", "--encoding=UTF8", "--no-locale", "--no-sync"]);
    fs.rmSync(pwfile);
    const port = await freePort();
    const log = path.join(dir, "server.log");
    const serverOptions = `-c listen_addresses=127.0.0.1 -p ${port} -k ${dir} -c fsync=off -c max_connections=50`;
    try {
        await run("pg_ctl", ["start", "-D", data, "-w", "-t", "30", "-l", log, "-o", serverOptions]);
    } catch (error) {
        const text = fs.existsSync(log) ? fs.readFileSync(log, "utf8") : "";
        await rm(dir, { recursive: true, force: true });
        throw new Error(`PostgreSQL did not start: ${(error as Error).message}\n${text}`);
    }
    let running = true;
    const halt = async () => {
        if (!running) return;
        running = false;
        await run("pg_ctl", ["stop", "-D", data, "-m", "fast", "-w", "-t", "30"]).catch(() => undefined);
    };
    const server: PostgresServer = {
        url: `postgresql://${user}:${password}@127.0.0.1:${port}/${database}`,
        host: "127.0.0.1", port, user, password, database,
        halt,
        refuseConnections: () => superuserQuery(server, [
            `alter database "${database}" allow_connections false`,
            `select pg_terminate_backend(pid) from pg_stat_activity where datname = '${database}'`,
        ]),
        async stop() {
            await halt();
            await rm(dir, { recursive: true, force: true });
        },
    };
    try {
        await createDatabase(server);
    } catch (error) {
        await server.stop();
        throw error;
    }
    return server;
}

function createDatabase(server: PostgresServer): Promise<void> {
    return superuserQuery(server, [`create database "${server.database}"`]);
}

/** Runs statements one by one in the `postgres` database as the superuser. */
async function superuserQuery(server: PostgresServer, statements: readonly string[]): Promise<void> {
    const { default: postgres } = await import("postgres");
    const sql = postgres({ host: server.host, port: server.port, user: server.user, password: server.password, database: "postgres", max: 1, onnotice: () => {} });
    try {
        for (const statement of statements) await sql.unsafe(statement);
    } finally {
        await sql.end({ timeout: 1 });
    }
}

/** The user the server runs as when this process is root; undefined otherwise. */
function serverUser(): { uid: number; gid: number } | undefined {
    if (process.getuid?.() !== 0) return undefined;
    const passwd = fs.readFileSync("/etc/passwd", "utf8").split("\n").map((line) => line.split(":"));
    const entry = passwd.find((f) => f[0] === "postgres") ?? passwd.find((f) => f[0] === "nobody");
    if (entry === undefined) throw new Error("running as root, and neither a postgres nor a nobody user exists to run PostgreSQL");
    return { uid: Number(entry[2]), gid: Number(entry[3]) };
}

function exec(file: string, args: string[], owner: { uid: number; gid: number } | undefined): Promise<string> {
    return new Promise((resolve, reject) => {
        execFile(file, args, {
            ...(owner === undefined ? {} : { uid: owner.uid, gid: owner.gid }),
            cwd: os.tmpdir(), env: { ...process.env, LC_ALL: "C" }, timeout: 60_000,
        }, (error, stdout, stderr) => {
            if (error) reject(new Error(`${path.basename(file)} ${args[0]} failed: ${error.message}\n${stdout}${stderr}`));
            else resolve(stdout);
        });
    });
}
