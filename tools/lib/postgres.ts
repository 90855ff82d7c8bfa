/**
 * Local PostgreSQL servers from the server binaries, with no system service (Debian's `postgresql`
 * package: `/usr/lib/postgresql/<major>/bin`; `.ci/run` installs it). Both listen on 127.0.0.1 only, on a
 * free port, with password authentication (scram-sha-256):
 *
 * - throwaway, for tests: `startPostgres()` runs `initdb` into a temporary directory and `pg_ctl start`;
 *   `stop()` deletes everything;
 * - persistent, for `npm run dev`: `startPostgres({ dataDir })` keeps the cluster in `dataDir`, so its data
 *   and superuser password survive restarts; `stop()` stops the server and keeps the directory.
 *
 * {@link ensureDatabase} adds a login role and a database it owns to either.
 *
 * PostgreSQL refuses to run as root: under root the server runs as the `postgres` user (created by the
 * Debian package), else as `nobody`, and its data directory is handed to that user. That user must be able to
 * reach it, which it cannot below a mode-0700 directory such as root's home: then the cluster lives where it
 * can (`/var/tmp/workers-platform-postgres/<hash of the directory>` for a persistent one, the first reachable
 * temporary directory for a throwaway one), see {@link PostgresOptions.dataDir}. Run as any other user, the
 * server runs as that user, in place.
 */
import { spawn, spawnSync } from "node:child_process";
import { createHash, createHmac, randomBytes } from "node:crypto";
import * as fs from "node:fs";
import { mkdtemp, rm } from "node:fs/promises";
import * as os from "node:os";
import * as path from "node:path";
import { UserError } from "../../components/validation";
import { freePort } from "./freePort";

/** A running server. */
export interface PostgresServer {
    /** `postgresql://<user>:<password>@127.0.0.1:<port>/<database>`, as the superuser. */
    readonly url: string;
    readonly host: "127.0.0.1";
    /** A free port picked at each start (a persistent cluster gets a new one every time). */
    readonly port: number;
    /** The superuser. */
    readonly user: string;
    /** The superuser's password: random per throwaway server; kept in `credentials.json` for a persistent one. */
    readonly password: string;
    readonly database: string;
    /**
     * Stops the server (fast shutdown). A throwaway server's directory is deleted; a persistent cluster's
     * `dataDir` is kept for the next start. Safe to call twice.
     */
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
     * In a persistent cluster the setting is stored, so it outlives a restart.
     */
    refuseConnections(): Promise<void>;
}

/** Options of {@link startPostgres}. */
export interface PostgresOptions {
    /**
     * Role created as superuser. A persistent cluster keeps the one it was created with: giving another
     * name for an existing `dataDir` is an error. @default "platform" (for an existing `dataDir`: its superuser)
     */
    readonly user?: string;
    /** Database created for the tests (in a persistent cluster: created when missing). @default "app" */
    readonly database?: string;
    /**
     * Keep the cluster in this directory (created when missing, mode 0700) instead of a temporary one: it
     * is initialized on the first start only, and later starts reuse its data and superuser password.
     * `stop()` stops the server and keeps the directory. Layout:
     *
     * - `credentials.json`: `{ "user": …, "password": … }` of the superuser, mode 0600 (see
     *   {@link readPostgresCredentials});
     * - `data/`: the data directory (`PGDATA`);
     * - `server.log`: the server's log, appended at each start and emptied once above 10 MB;
     * - `owner.pid`: the process that started the running server, removed by `stop()`.
     *
     * Under root, when the server's user cannot enter `dataDir` (a parent of mode 0700), `data/` and
     * `server.log` live in `/var/tmp/workers-platform-postgres/<hash of dataDir>` instead (else the first of
     * the OS temp directory and `/tmp` it can reach), `dataDir/location` names that place and `dataDir/data`
     * and `dataDir/server.log` are symbolic links to it; `credentials.json` and `owner.pid` stay in `dataDir`.
     * Deleting `dataDir` still starts over: a place without its `location` file is emptied before a new
     * cluster is created there.
     *
     * One server per directory at a time: while the process that started it is alive, another start fails.
     * A server left running by a process that died without `stop()` (SIGKILL) is stopped and started
     * again, and a stale `postmaster.pid` from a crashed server never blocks the start.
     *
     * Unlike a throwaway server, it keeps PostgreSQL's durability defaults (`fsync`, `synchronous_commit`
     * on): a committed transaction survives a crash of the server or the machine.
     * @default a temporary directory, deleted by `stop()`
     */
    readonly dataDir?: string;
}

/** No PostgreSQL server binaries on this machine; the message says how to install them. */
export class PostgresNotInstalledError extends UserError {
    override readonly name = "PostgresNotInstalledError";
}

const BINARIES_ROOT = "/usr/lib/postgresql";

/**
 * Directory of the PostgreSQL server binaries: the highest `/usr/lib/postgresql/<major>/bin`, else
 * `pg_config --bindir`.
 * @param major prefer this major version (`"15"`) when it is installed, e.g. the one a data directory
 *   was created with; otherwise the highest is returned.
 * @throws {PostgresNotInstalledError} saying how to install them when none is found.
 */
export function postgresBinDir(major?: string): string {
    const root = BINARIES_ROOT;
    if (major !== undefined && fs.existsSync(path.join(root, major, "bin", "initdb"))) return path.join(root, major, "bin");
    const majors = fs.existsSync(root) ? fs.readdirSync(root).filter((d) => /^\d+$/.test(d)).sort((a, b) => Number(b) - Number(a)) : [];
    for (const major of majors) {
        const dir = path.join(root, major, "bin");
        if (fs.existsSync(path.join(dir, "initdb"))) return dir;
    }
    const pgConfig = spawnSync("pg_config", ["--bindir"], { encoding: "utf8" });
    if (pgConfig.status === 0 && fs.existsSync(path.join(pgConfig.stdout.trim(), "initdb"))) return pgConfig.stdout.trim();
    throw new PostgresNotInstalledError("PostgreSQL server binaries not found; install them: apt-get install -y postgresql");
}

/**
 * Starts a server with password authentication (scram-sha-256) for TCP connections on 127.0.0.1: a fresh
 * throwaway one, or with `dataDir` the persistent cluster kept there (see {@link PostgresOptions.dataDir}).
 * @throws {PostgresNotInstalledError} when the server binaries are missing.
 * @throws {UserError} for a persistent cluster that another live process runs, whose `credentials.json`
 *   is missing or unreadable, whose superuser is not `options.user`, whose `data/` is not a data directory
 *   or was created by a PostgreSQL major version that is not installed, or (under root) that the server's
 *   user cannot reach.
 * @throws {Error} with initdb's or the server's log when it does not start.
 */
export async function startPostgres(options: PostgresOptions = {}): Promise<PostgresServer> {
    if (options.dataDir !== undefined) return startCluster(options, path.resolve(options.dataDir), true);
    // A throwaway server is a cluster in a temporary directory, without durability (tests need speed).
    const owner = serverUser();
    const base = owner === undefined ? os.tmpdir() : reachableBase(owner, [os.tmpdir(), "/tmp", "/var/tmp"]);
    const dir = await mkdtemp(path.join(base, "platform-pg-"));
    let server: PostgresServer;
    try {
        server = await startCluster(options, dir, false);
    } catch (error) {
        await rm(dir, { recursive: true, force: true });
        throw error;
    }
    return {
        ...server,
        async stop() {
            await server.stop();
            await rm(dir, { recursive: true, force: true });
        },
    };
}

// ─── Persistent clusters ─────────────────────────────────────────────────────────────────────────

const CREDENTIALS_FILE = "credentials.json";
/** In a persistent cluster's directory, when its data lives elsewhere: that place (see {@link PostgresOptions.dataDir}). */
const LOCATION_FILE = "location";
/** In a relocated cluster's place: the directory it belongs to, so a place whose directory is gone can be removed. */
const ORIGIN_FILE = "origin";
/** Where relocated persistent clusters live, first reachable first: `/var/tmp` survives reboots. */
const RELOCATED_BASES = ["/var/tmp", os.tmpdir(), "/tmp"];
const OWNER_FILE = "owner.pid";
const LOG_FILE = "server.log";
const LOG_LIMIT_BYTES = 10 * 1024 * 1024;
/** A PID no process can have (above any `pid_max`): `kill(pid, 0)` answers ESRCH. */
const IMPOSSIBLE_PID = 2 ** 31 - 1;
/** How long a start retries while a port was taken or a crashed server's processes still hold its memory. */
const START_RETRY_MS = 15_000;

/** The superuser of a persistent cluster, as kept in its `credentials.json`. */
export interface PostgresCredentials {
    readonly user: string;
    readonly password: string;
}

/**
 * Reads the superuser of the persistent cluster in `dataDir` (its `credentials.json`, see
 * {@link PostgresOptions.dataDir}), e.g. to connect to a cluster another process runs.
 * @returns undefined when the file does not exist (the cluster was never initialized).
 * @throws {UserError} when the file cannot be read or does not hold `{ user, password }` strings.
 */
export function readPostgresCredentials(dataDir: string): PostgresCredentials | undefined {
    const file = path.join(path.resolve(dataDir), CREDENTIALS_FILE);
    let value: unknown;
    try {
        value = JSON.parse(fs.readFileSync(file, "utf8"));
    } catch (error) {
        if ((error as NodeJS.ErrnoException).code === "ENOENT") return undefined;
        throw new UserError(`cannot read the local PostgreSQL superuser from ${file} (${(error as Error).message}); delete ${dataDir} to start over (its data is lost)`);
    }
    const { user, password } = (value ?? {}) as { user?: unknown; password?: unknown };
    if (typeof user !== "string" || user === "" || typeof password !== "string" || password === "") {
        throw new UserError(`${file} does not hold the local PostgreSQL superuser ({ "user": …, "password": … }); delete ${dataDir} to start over (its data is lost)`);
    }
    return { user, password };
}

/**
 * Starts the cluster kept in `root` (see {@link PostgresOptions.dataDir}), initializing it first when
 * needed. `durable: false` turns `fsync` off (and initdb's sync), for throwaway servers only.
 */
async function startCluster(options: PostgresOptions, root: string, durable: boolean): Promise<PostgresServer> {
    const owner = serverUser();
    fs.mkdirSync(root, { recursive: true, mode: 0o700 });
    // Where the server's own files go (data, log): `root`, unless its user cannot reach it.
    const home = clusterHome(root, owner);
    const data = path.join(home, "data");
    if (owner !== undefined) fs.chownSync(home, owner.uid, owner.gid);
    fs.chmodSync(home, 0o700);
    if (owner !== undefined) checkReachable(home, owner);
    const versionFile = path.join(data, "PG_VERSION");
    const initialized = fs.existsSync(versionFile);
    const major = initialized ? fs.readFileSync(versionFile, "utf8").trim() : undefined;
    const bin = postgresBinDir(major);
    const binMajor = /\/postgresql\/(\d+)\/bin$/.exec(bin)?.[1];
    if (major !== undefined && binMajor !== undefined && binMajor !== major) {
        throw new UserError(`the local PostgreSQL in ${data} was created by PostgreSQL ${major}, but only PostgreSQL ${binMajor} is installed: ` +
            `install postgresql-${major}, or delete ${root} to start over (its data is lost)`);
    }
    // In a process group of their own: a Ctrl-C meant for the caller must not cut initdb or pg_ctl short.
    const run = (command: string, args: string[]) => execDetached(path.join(bin, command), args, owner);

    let credentials = readPostgresCredentials(root);
    if (!initialized) {
        if (fs.existsSync(data)) {
            throw new UserError(`${data} exists but is not a PostgreSQL data directory (no PG_VERSION); move it away`);
        }
        credentials = { user: options.user ?? "platform", password: randomBytes(18).toString("hex") };
        await initCluster(root, home, credentials, owner, run, durable);
    } else if (credentials === undefined) {
        throw new UserError(`the local PostgreSQL in ${data} has no ${CREDENTIALS_FILE} beside it, so its superuser password is unknown; ` +
            `delete ${root} to start over (its data is lost)`);
    } else if (options.user !== undefined && options.user !== credentials.user) {
        throw new UserError(`the local PostgreSQL in ${root} has the superuser "${credentials.user}", not "${options.user}"`);
    }
    const { user, password } = credentials;
    const database = options.database ?? "app";

    await clearStaleServer(root, data, run);
    const log = path.join(home, LOG_FILE);
    if (fs.existsSync(log) && fs.statSync(log).size > LOG_LIMIT_BYTES) fs.truncateSync(log, 0);
    const port = await startServer(data, log, run, durable ? [] : ["-c", "fsync=off"]);
    writeOwner(root);

    let running = true;
    const halt = async () => {
        if (!running) return;
        running = false;
        // A server that crashed meanwhile leaves postmaster.pid behind: pg_ctl would wait for it in vain.
        if (runningPostmaster(data) !== undefined) {
            await run("pg_ctl", ["stop", "-D", data, "-m", "fast", "-w", "-t", "30"]).catch(() => undefined);
        }
        removeOwner(root);
    };
    const server: PostgresServer = {
        url: `postgresql://${user}:${password}@127.0.0.1:${port}/${database}`,
        host: "127.0.0.1", port, user, password, database,
        halt,
        refuseConnections: () => superuserQuery(server, [
            `alter database ${quoteIdent(database)} allow_connections false`,
            `select pg_terminate_backend(pid) from pg_stat_activity where datname = ${quoteLiteral(database)}`,
        ]),
        stop: halt,
    };
    try {
        await withSuperuser(server, async (sql) => {
            const found = await sql`select 1 from pg_database where datname = ${database}`;
            if (found.length === 0) await sql.unsafe(`create database ${quoteIdent(database)}`);
        });
    } catch (error) {
        await server.stop();
        throw error;
    }
    return server;
}

/** Whether `owner` can enter `dir` (search permission on it and every directory above it). */
function canEnter(dir: string, owner: { uid: number; gid: number }): boolean {
    return spawnSync("test", ["-x", dir], { uid: owner.uid, gid: owner.gid, cwd: "/" }).status === 0;
}

/**
 * Where a cluster whose directory is `root` keeps its server's files: the place its `location` file names;
 * else `root` itself when the server's user can reach it (always, when not root); else a new place below the
 * first of {@link RELOCATED_BASES} it can enter, recorded in `location`.
 */
function clusterHome(root: string, owner: { uid: number; gid: number; name: string } | undefined): string {
    const marker = path.join(root, LOCATION_FILE);
    let recorded: string | undefined;
    try {
        recorded = fs.readFileSync(marker, "utf8").trim();
    } catch {
        // Not relocated (yet).
    }
    if (recorded !== undefined && recorded !== "" && fs.existsSync(recorded)) return linked(root, recorded);
    // `root` itself is handed to the server's user: what matters is whether that user can reach it. A cluster
    // created in place earlier stays there (checkReachable then says what to allow).
    if (owner === undefined || canEnter(path.dirname(root), owner) || fs.existsSync(path.join(root, "data"))) return root;
    const parent = path.join(reachableBase(owner, RELOCATED_BASES), "workers-platform-postgres");
    const home = path.join(parent, createHash("sha256").update(fs.realpathSync(root)).digest("hex").slice(0, 16));
    // A place without its `location` file belongs to a cluster whose directory was deleted: start over.
    fs.rmSync(home, { recursive: true, force: true });
    fs.mkdirSync(parent, { recursive: true, mode: 0o711 });
    fs.chmodSync(parent, 0o711);
    removeOrphans(parent);
    fs.mkdirSync(home, { mode: 0o700 });
    fs.writeFileSync(path.join(home, ORIGIN_FILE), `${root}\n`);
    fs.writeFileSync(`${marker}.tmp`, `${home}\n`);
    fs.renameSync(`${marker}.tmp`, marker);
    return linked(root, home);
}

/**
 * Removes the relocated clusters below `parent` whose directory is gone (deleted, as "start over" says, or a
 * removed clone): the `location` file of the directory their `origin` names no longer points back at them, and
 * no server runs on them.
 */
function removeOrphans(parent: string): void {
    for (const entry of fs.readdirSync(parent)) {
        const home = path.join(parent, entry);
        let origin: string;
        let location = "";
        try {
            origin = fs.readFileSync(path.join(home, ORIGIN_FILE), "utf8").trim();
        } catch {
            continue; // Not one of ours, or being created.
        }
        try {
            location = fs.readFileSync(path.join(origin, LOCATION_FILE), "utf8").trim();
        } catch {
            // The directory is gone.
        }
        if (location !== home && runningPostmaster(path.join(home, "data")) === undefined) fs.rmSync(home, { recursive: true, force: true });
    }
}

/**
 * Links `<root>/data` and `<root>/server.log` to the relocated cluster's, so the layout of `root` stays the
 * documented one for whoever looks inside (the server itself is given the real paths); returns `home`.
 */
function linked(root: string, home: string): string {
    for (const name of ["data", LOG_FILE]) {
        const link = path.join(root, name);
        if (!fs.existsSync(link) && fs.lstatSync(link, { throwIfNoEntry: false }) === undefined) fs.symlinkSync(path.join(home, name), link);
    }
    return home;
}

/**
 * The first of `candidates` that `owner` can enter.
 * @throws {UserError} when it can enter none.
 */
function reachableBase(owner: { uid: number; gid: number; name: string }, candidates: readonly string[]): string {
    const found = candidates.find((dir) => fs.existsSync(dir) && canEnter(dir, owner));
    if (found !== undefined) return found;
    throw new UserError(`PostgreSQL runs as user ${owner.name} (this process is root, which PostgreSQL refuses to run as), ` +
        `and that user can enter none of ${candidates.join(", ")}; allow it (chmod o+x on the blocking directory), or run as another user`);
}

/**
 * Under root the server runs as another user, which must be able to enter `dir`: every directory above
 * it must be searchable by that user.
 * @throws {UserError} naming the outermost directory on the way that it cannot enter.
 */
function checkReachable(dir: string, owner: { uid: number; gid: number; name: string }): void {
    if (canEnter(dir, owner)) return;
    let blocked = dir;
    for (let d = path.dirname(dir); d !== path.dirname(d); d = path.dirname(d)) {
        if (!canEnter(d, owner)) blocked = d;
    }
    throw new UserError(`PostgreSQL runs as user ${owner.name} (this process is root, which PostgreSQL refuses to run as), ` +
        `and that user cannot enter ${blocked}; keep the cluster somewhere it can reach (e.g. below /tmp), or allow it: chmod o+x ${blocked}`);
}

/**
 * Writes the credentials into `root` (first, so a data directory never exists without them), then runs initdb
 * into `<home>/data.initdb` and renames it to `<home>/data` once complete: an interrupted initdb leaves no half
 * cluster.
 */
async function initCluster(
    root: string, home: string, credentials: PostgresCredentials, owner: { uid: number; gid: number } | undefined,
    run: (command: string, args: string[]) => Promise<string>, durable: boolean,
): Promise<void> {
    const data = path.join(home, "data");
    const credentialsFile = path.join(root, CREDENTIALS_FILE);
    fs.writeFileSync(`${credentialsFile}.tmp`, `${JSON.stringify(credentials, null, 2)}\n`, { mode: 0o600 });
    fs.chmodSync(`${credentialsFile}.tmp`, 0o600);
    fs.renameSync(`${credentialsFile}.tmp`, credentialsFile);
    const staging = `${data}.initdb`;
    const pwfile = path.join(home, "pwfile");
    fs.rmSync(staging, { recursive: true, force: true });
    fs.writeFileSync(pwfile, `${credentials.password}\n`, { mode: 0o600 });
    if (owner !== undefined) fs.chownSync(pwfile, owner.uid, owner.gid);
    try {
        await run("initdb", ["-D", staging, "-U", credentials.user, `--pwfile=${pwfile}`, "--auth=scram-sha-256", "--encoding=UTF8", "--no-locale",
            ...(durable ? [] : ["--no-sync"])]);
    } finally {
        fs.rmSync(pwfile, { force: true });
    }
    fs.renameSync(staging, data);
}

/**
 * Starts the server on a free port and waits until it accepts connections; retries with another port
 * when the one picked was taken meanwhile, and while a crashed server's processes still hold its memory.
 * @returns the port.
 */
async function startServer(data: string, log: string, run: (command: string, args: string[]) => Promise<string>, extra: readonly string[]): Promise<number> {
    const deadline = Date.now() + START_RETRY_MS;
    for (;;) {
        const port = await freePort();
        const from = fs.existsSync(log) ? fs.statSync(log).size : 0;
        // No Unix socket: a socket path under a deep project directory can exceed the 107-byte limit.
        const serverOptions = [`-c listen_addresses=127.0.0.1 -p ${port} -c unix_socket_directories=''`, ...extra].join(" ");
        try {
            await run("pg_ctl", ["start", "-D", data, "-w", "-t", "30", "-l", log, "-o", serverOptions]);
            return port;
        } catch (error) {
            const text = fs.existsSync(log) ? fs.readFileSync(log, "utf8").slice(from) : "";
            if (Date.now() < deadline && /could not bind|Address already in use|pre-existing shared memory block/.test(text)) {
                await new Promise((resolve) => setTimeout(resolve, 500));
                continue;
            }
            throw new Error(`PostgreSQL did not start from ${data}: ${(error as Error).message}\n${text}`);
        }
    }
}

/**
 * Makes sure a leftover `postmaster.pid` does not block the start:
 * - a live server on this data directory whose starter (`owner.pid`) is alive: in use, a {@link UserError};
 * - a live server whose starter died without stopping it (SIGKILL): stopped;
 * - a PID that is a zombie (a crashed server under an init that does not reap orphans) or another program
 *   (reused after a reboot): PostgreSQL would take it for a live server and refuse to start, so the PID
 *   line is rewritten to one no process can have, and PostgreSQL's own stale-lock check (which also
 *   refuses while the crashed server's backends still hold its shared memory) takes over;
 * - a PID no process has: left to that check.
 */
async function clearStaleServer(root: string, data: string, run: (command: string, args: string[]) => Promise<string>): Promise<void> {
    const pidFile = path.join(data, "postmaster.pid");
    let lines: string[];
    try {
        lines = fs.readFileSync(pidFile, "utf8").split("\n");
    } catch {
        return;
    }
    const pid = Number(lines[0]);
    if (!Number.isInteger(pid) || pid <= 0) return;
    const info = processInfo(pid);
    if (info.kind === "gone" || info.kind === "unknown") return;
    if (info.kind === "alive" && isPostmasterOf(info.argv, data)) {
        const starter = readOwner(root);
        if (starter !== undefined) {
            throw new UserError(`the local PostgreSQL in ${root} is already running (server PID ${pid}), started by process ${starter} ` +
                `(another \`npm run dev\` on this state directory?); stop that process first, or use another --persist-to`);
        }
        await run("pg_ctl", ["stop", "-D", data, "-m", "fast", "-w", "-t", "30"]);
        removeOwner(root);
        return;
    }
    lines[0] = String(IMPOSSIBLE_PID);
    fs.writeFileSync(pidFile, lines.join("\n"));
}

/** The PID of the live server on `data`, if any (from its postmaster.pid). */
function runningPostmaster(data: string): number | undefined {
    let pid: number;
    try {
        pid = Number(fs.readFileSync(path.join(data, "postmaster.pid"), "utf8").split("\n")[0]);
    } catch {
        return undefined;
    }
    if (!Number.isInteger(pid) || pid <= 0) return undefined;
    const info = processInfo(pid);
    return info.kind === "unknown" || (info.kind === "alive" && isPostmasterOf(info.argv, data)) ? pid : undefined;
}

type ProcessInfo =
    | { readonly kind: "gone" }
    | { readonly kind: "zombie" }
    | { readonly kind: "alive"; readonly argv: readonly string[]; readonly startTime: string }
    /** Without /proc: the process exists, but what it is cannot be told. */
    | { readonly kind: "unknown" };

/** What process `pid` is, from /proc (Linux); elsewhere only whether it exists. */
function processInfo(pid: number): ProcessInfo {
    if (!fs.existsSync("/proc/self/stat")) {
        try {
            process.kill(pid, 0);
            return { kind: "unknown" };
        } catch (error) {
            return (error as NodeJS.ErrnoException).code === "ESRCH" ? { kind: "gone" } : { kind: "unknown" };
        }
    }
    let stat: string;
    try {
        stat = fs.readFileSync(`/proc/${pid}/stat`, "utf8");
    } catch {
        return { kind: "gone" };
    }
    // `pid (comm) state ppid … starttime …`: comm may hold spaces and parentheses; starttime is field 22.
    const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
    if (fields[0] === "Z" || fields[0] === "X") return { kind: "zombie" };
    let argv: string[] = [];
    try {
        argv = fs.readFileSync(`/proc/${pid}/cmdline`, "utf8").split("\0").filter((a) => a !== "");
    } catch {
        // Gone meanwhile, or hidden: not recognizably a server.
    }
    return { kind: "alive", argv, startTime: fields[19] ?? "" };
}

/** Whether a command line is a PostgreSQL server's on `data` (as pg_ctl starts it: `postgres -D <data> …`). */
function isPostmasterOf(argv: readonly string[], data: string): boolean {
    const name = path.basename(argv[0] ?? "");
    const dir = argv[argv.indexOf("-D") + 1];
    return (name === "postgres" || name === "postmaster") && argv.includes("-D") && dir !== undefined && path.resolve(dir) === data;
}

/** Records this process as the starter of the cluster's server: `<pid> <start time>`. */
function writeOwner(root: string): void {
    const info = processInfo(process.pid);
    fs.writeFileSync(path.join(root, OWNER_FILE), `${process.pid} ${info.kind === "alive" ? info.startTime : ""}\n`, { mode: 0o600 });
}

/** The PID of the live process that started the cluster's server, if it is alive (and not a reused PID). */
function readOwner(root: string): number | undefined {
    let text: string;
    try {
        text = fs.readFileSync(path.join(root, OWNER_FILE), "utf8");
    } catch {
        return undefined;
    }
    const [pidText, startTime] = text.trim().split(" ");
    const pid = Number(pidText);
    if (!Number.isInteger(pid) || pid <= 0) return undefined;
    const info = processInfo(pid);
    if (info.kind === "unknown") return pid;
    return info.kind === "alive" && (startTime === undefined || startTime === "" || startTime === info.startTime) ? pid : undefined;
}

/** Removes `owner.pid` when this process wrote it. */
function removeOwner(root: string): void {
    const file = path.join(root, OWNER_FILE);
    try {
        if (Number(fs.readFileSync(file, "utf8").trim().split(" ")[0]) === process.pid || readOwner(root) === undefined) fs.rmSync(file);
    } catch {
        // Already gone.
    }
}

// ─── Roles and databases ─────────────────────────────────────────────────────────────────────────

/** What {@link ensureDatabase} creates. */
export interface DatabaseSpec {
    /** Login role (not a superuser) that owns the database; must not be the server's superuser. */
    readonly role: string;
    /** Database owned by `role`. */
    readonly database: string;
    /**
     * The role's password. @default derived from the superuser's password and the role name (HMAC-SHA256,
     * 36 hex characters): stable across restarts of a persistent cluster, distinct from the superuser's,
     * and never stored.
     */
    readonly password?: string;
}

/**
 * Creates a login role and a database it owns when they are missing, as the superuser; idempotent. An
 * existing role gets `LOGIN`, `NOSUPERUSER` and the password; an existing database owned by another
 * role is handed to `role`.
 * @returns `postgresql://<role>:<password>@127.0.0.1:<port>/<database>`.
 * @throws {Error} when `role` is the superuser, or for PostgreSQL's error (an invalid name, the server down).
 */
export async function ensureDatabase(server: PostgresServer, spec: DatabaseSpec): Promise<string> {
    const { role, database } = spec;
    if (role === server.user) {
        throw new Error(`role "${role}" is the superuser of the local PostgreSQL; choose another role name`);
    }
    const password = spec.password ?? createHmac("sha256", server.password).update(`role:${role}`).digest("hex").slice(0, 36);
    await withSuperuser(server, async (sql) => {
        const roles = await sql`select 1 from pg_roles where rolname = ${role}`;
        if (roles.length === 0) {
            await sql.unsafe(`create role ${quoteIdent(role)}`).catch(ignoreCode("42710")); // duplicate_object: created meanwhile
        }
        await sql.unsafe(`alter role ${quoteIdent(role)} with login nosuperuser password ${quoteLiteral(password)}`);
        const databases = await sql<{ owner: string }[]>`select pg_get_userbyid(datdba) as owner from pg_database where datname = ${database}`;
        if (databases.length === 0) {
            await sql.unsafe(`create database ${quoteIdent(database)} owner ${quoteIdent(role)}`).catch(ignoreCode("42P04")); // duplicate_database
        }
        if (databases[0]?.owner !== role) {
            await sql.unsafe(`alter database ${quoteIdent(database)} owner to ${quoteIdent(role)}`);
        }
    });
    return `postgresql://${encodeURIComponent(role)}:${encodeURIComponent(password)}@${server.host}:${server.port}/${encodeURIComponent(database)}`;
}

function ignoreCode(code: string): (error: unknown) => void {
    return (error) => {
        if ((error as { code?: string }).code !== code) throw error;
    };
}

/** A quoted SQL identifier: `"name"`, embedded quotes doubled. */
export function quoteIdent(name: string): string {
    return `"${name.replace(/"/g, '""')}"`;
}

/** A SQL string literal: `'text'`, embedded quotes doubled (`standard_conforming_strings` is on since PostgreSQL 9.1). */
export function quoteLiteral(value: string): string {
    return `'${value.replace(/'/g, "''")}'`;
}

type Sql = import("postgres").Sql;

/** Runs `work` with one connection to the `postgres` database as the superuser. */
async function withSuperuser<T>(server: PostgresServer, work: (sql: Sql) => Promise<T>): Promise<T> {
    const { default: postgres } = await import("postgres");
    const sql = postgres({ host: server.host, port: server.port, user: server.user, password: server.password, database: "postgres", max: 1, onnotice: () => {} });
    try {
        return await work(sql);
    } finally {
        await sql.end({ timeout: 1 });
    }
}

/** Runs statements one by one in the `postgres` database as the superuser. */
function superuserQuery(server: PostgresServer, statements: readonly string[]): Promise<void> {
    return withSuperuser(server, async (sql) => {
        for (const statement of statements) await sql.unsafe(statement);
    });
}

/** The user the server runs as when this process is root; undefined otherwise. */
function serverUser(): { uid: number; gid: number; name: string } | undefined {
    if (process.getuid?.() !== 0) return undefined;
    const passwd = fs.readFileSync("/etc/passwd", "utf8").split("\n").map((line) => line.split(":"));
    const entry = passwd.find((f) => f[0] === "postgres") ?? passwd.find((f) => f[0] === "nobody");
    if (entry === undefined) throw new Error("running as root, and neither a postgres nor a nobody user exists to run PostgreSQL");
    return { uid: Number(entry[2]), gid: Number(entry[3]), name: entry[0]! };
}

/**
 * Runs a server binary (as `owner` under root) in a new process group, so a terminal's SIGINT to the
 * caller's group does not cut it short; resolves with its stdout.
 * @throws {Error} with its output when it fails or runs over 60 s.
 */
function execDetached(file: string, args: string[], owner: { uid: number; gid: number } | undefined): Promise<string> {
    return new Promise((resolve, reject) => {
        const child = spawn(file, args, {
            ...(owner === undefined ? {} : { uid: owner.uid, gid: owner.gid }),
            // "/": the server's user may not be able to enter the temp directory or ours.
            cwd: "/", env: { ...process.env, LC_ALL: "C" }, detached: true, stdio: ["ignore", "pipe", "pipe"],
        });
        let stdout = "";
        let stderr = "";
        child.stdout!.on("data", (chunk: Buffer) => { stdout += chunk.toString(); });
        child.stderr!.on("data", (chunk: Buffer) => { stderr += chunk.toString(); });
        const timer = setTimeout(() => child.kill("SIGKILL"), 60_000);
        child.once("error", (error) => {
            clearTimeout(timer);
            reject(new Error(`${path.basename(file)} ${args[0]} failed: ${error.message}`));
        });
        child.once("close", (code, signal) => {
            clearTimeout(timer);
            if (code === 0) resolve(stdout);
            else reject(new Error(`${path.basename(file)} ${args[0]} failed: exit ${code ?? signal}\n${stdout}${stderr}`));
        });
    });
}
