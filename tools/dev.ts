/**
 * `npm run dev -- --stack <name> --service <name> [--port <n>] [--vars-file <file>] [--persist-to <dir>]
 *                 [--inspector-port <n>] [--database-url <postgres url>]`
 *
 * Local development of one service on the real Workers runtime: plans the stack offline to generate the
 * service's `wrangler.jsonc`, applies its D1 migrations to the local database, then runs `wrangler dev`
 * on 127.0.0.1 (workerd, local KV / D1 / R2 / Durable Objects, nothing remote). Secrets come from
 * `--vars-file`, by default `services/<name>/.dev.vars` (git-ignored; the generated `.dev.vars.example`
 * lists the names). Local data lives in `--persist-to`, by default `.wrangler/state/<stack>`.
 *
 * Hyperdrive bindings connect to PostgreSQL: `--database-url`, else `PLATFORM_DEV_DATABASE_URL`, else a
 * local PostgreSQL this command manages. That one is a persistent cluster in `<persist-to>/postgres`
 * (created on first use with `initdb`, kept across runs; superuser credentials in its `credentials.json`,
 * mode 0600), started on 127.0.0.1 and a free port before `wrangler dev` and stopped when wrangler exits,
 * also on SIGINT / SIGTERM; the stack's role and database (`platform:database.neon`: `role`, `database`)
 * are created in it when missing, and the Worker connects as that role. It needs the PostgreSQL server
 * binaries (`apt-get install -y postgresql`); only one `npm run dev` at a time can use a given
 * `--persist-to`. A server left behind by a killed run is stopped at the next start.
 *
 * Whichever database it is, its URL reaches wrangler only as
 * `CLOUDFLARE_HYPERDRIVE_LOCAL_CONNECTION_STRING_<BINDING>`: it is never written to a file, and it is
 * printed with its password masked.
 *
 * Offline (when `workers.cloudflare.com` does not resolve), wrangler's fetch of the `Request.cf` data is
 * turned off (`CLOUDFLARE_CF_FETCH_ENABLED=false`: it would print a `getaddrinfo ENOTFOUND` stack trace at
 * every start and reload) and that is said once. Of the plan's messages, only the warnings about the
 * service being run are shown.
 *
 * Exit codes: 2 for invalid arguments, config or declarations, and when the local PostgreSQL cannot be
 * used (binaries missing, its directory in use by another run); 1 for an unexpected failure (its trace in a
 * file, `tools/lib/cli.ts`); otherwise wrangler's exit code (130 / 143 when SIGINT / SIGTERM arrives before
 * wrangler started).
 */
import { spawn } from "node:child_process";
import { lookup } from "node:dns/promises";
import * as fs from "node:fs";
import * as path from "node:path";
import { parseArgs } from "node:util";
import { UserError, ValidationError } from "../components/validation";
import { stackNameProblem } from "../components/stackName";
import { WORKER_SERVICE_TYPE } from "../components/typeTokens";
import { loadStackConfig } from "../infra/config";
import { neonDatabaseSchema } from "../infra/databaseConfig";
import { argumentError, portArgument, runCli, shownPath, type Command, type Io } from "./lib/cli";
import { checkDestination, statOf } from "./lib/files";
import { portProblem } from "./lib/freePort";
import type { OfflineRun } from "./lib/mockEngine";
import { renderDiagnostics } from "./lib/previewTree";
import { ensureDatabase, postgresBinDir, PostgresNotInstalledError, startPostgres } from "./lib/postgres";
import type { EngineConfig } from "./lib/stackFiles";
import { plan } from "./plan";

const USAGE = "usage: npm run dev -- --stack <name> --service <name> [--port <n>] [--vars-file <file>] [--persist-to <dir>] [--inspector-port <n>] [--database-url <postgres url>]";
/** Environment variable holding the local database URL when `--database-url` is not given. */
export const DEV_DATABASE_URL_ENV = "PLATFORM_DEV_DATABASE_URL";
/** Superuser of the local PostgreSQL cluster; the Worker connects as the stack's role instead. */
const LOCAL_SUPERUSER = "postgres";
const projectDir = path.resolve(__dirname, "..");
const wrangler = path.join(projectDir, "node_modules", "wrangler", "bin", "wrangler.js");
/** The host of wrangler's `Request.cf` fetch: when it does not resolve, the machine is offline. */
const CF_HOST = "workers.cloudflare.com";
/** What dev says once when it is offline. */
export const OFFLINE_NOTE = `note: offline (${CF_HOST} does not resolve): wrangler's fetch of the Request.cf data is off, so request.cf holds its placeholder values; every binding runs locally.`;

/** Runs wrangler with the given arguments, inheriting the terminal; resolves with its exit code. */
function runWrangler(args: readonly string[], env: Readonly<Record<string, string>>): Promise<number> {
    return new Promise((resolve, reject) => {
        const child = spawn(process.execPath, [wrangler, ...args], {
            cwd: projectDir,
            stdio: "inherit",
            env: { ...process.env, WRANGLER_SEND_METRICS: "false", ...env },
        });
        const forward = (signal: NodeJS.Signals) => child.kill(signal);
        process.on("SIGINT", forward);
        process.on("SIGTERM", forward);
        child.on("error", reject);
        child.on("exit", (code, signal) => {
            process.off("SIGINT", forward);
            process.off("SIGTERM", forward);
            resolve(code ?? (signal === "SIGINT" ? 0 : 1));
        });
    });
}

async function main(argv: readonly string[], io: Io): Promise<number> {
    const { values } = parseArgs({
        args: [...argv],
        options: {
            stack: { type: "string" }, service: { type: "string" }, port: { type: "string" }, "inspector-port": { type: "string" },
            "vars-file": { type: "string" }, "persist-to": { type: "string" }, "database-url": { type: "string" },
        },
        strict: true,
    });
    if (values.stack === undefined) throw argumentError("--stack", "required: the stack whose config the service runs with");
    if (values.service === undefined) throw argumentError("--service", "required: the service to run");
    const stackProblem = stackNameProblem(values.stack);
    if (stackProblem !== undefined) throw argumentError("--stack", stackProblem);
    const ports = (["port", "inspector-port"] as const).flatMap((flag) => values[flag] === undefined ? [] : [{ flag: `--${flag}`, port: portArgument(`--${flag}`, values[flag]) }]);
    if (ports.length === 2 && ports[0]!.port === ports[1]!.port) throw argumentError("--inspector-port", `expected another port than --port, got ${ports[1]!.port} for both`);
    for (const { flag, port } of ports) {
        const problem = await portProblem(port);
        if (problem !== undefined) throw argumentError(flag, `expected a port wrangler can listen on, but ${problem}`);
    }
    const databaseUrl = values["database-url"] ?? (process.env[DEV_DATABASE_URL_ENV] || undefined);
    if (databaseUrl !== undefined && !/^postgres(ql)?:\/\/[^\s]+$/.test(databaseUrl)) {
        throw argumentError(values["database-url"] === undefined ? DEV_DATABASE_URL_ENV : "--database-url",
            "expected a PostgreSQL URL such as postgresql://user:password@127.0.0.1:5432/app");
    }
    const varsFile = values["vars-file"] === undefined ? undefined : path.resolve(values["vars-file"]);
    const vars = varsFile === undefined ? undefined : statOf(varsFile);
    if (varsFile !== undefined && vars?.isFile() !== true) {
        throw argumentError("--vars-file", `expected a .dev.vars file (NAME=value lines), found ${vars === undefined ? "nothing" : vars.isDirectory() ? "a directory" : "a special file"} at ${values["vars-file"]}`);
    }
    const persistDir = path.resolve(values["persist-to"] ?? path.join(projectDir, ".wrangler", "state", values.stack));
    checkDestination({ flag: "--persist-to", path: persistDir, kind: "directory" });
    const { services, config, run } = await plan({ stack: values.stack, projectDir });
    const planned = services[values.service];
    if (planned === undefined) {
        throw argumentError("--service", `no service "${values.service}" in stack ${values.stack}; services: ${Object.keys(services).join(", ")}`);
    }
    printServiceWarnings(values.stack, values.service, run, io);
    const offline = await offlineEnv(io);
    const { summary, dir } = planned;
    const configFile = path.join(dir, "wrangler.jsonc");
    const persist = ["--persist-to", persistDir];
    const hyperdrive = ((summary.wranglerConfig.config.hyperdrive ?? []) as { binding: string }[]).map((h) => h.binding);
    const localDatabase = hyperdrive.length > 0 && databaseUrl === undefined ? localDatabaseNames(values.stack, config, hyperdrive) : undefined;
    const d1 = (summary.wranglerConfig.config.d1_databases ?? []) as { binding: string }[];
    for (const db of d1) {
        const code = await runWrangler(["d1", "migrations", "apply", db.binding, "--local", "--config", configFile, ...persist], offline);
        if (code !== 0) return code;
    }
    const secretsFile = varsFile ?? path.join(projectDir, "services", values.service, ".dev.vars");
    const envFile = fs.existsSync(secretsFile) ? ["--env-file", secretsFile] : [];
    if (envFile.length === 0 && summary.wranglerConfig.secretNames.length > 0) {
        io.stderr(`warning: ${path.relative(projectDir, secretsFile)} not found; secrets ${summary.wranglerConfig.secretNames.join(", ")} are unset (copy ${path.relative(projectDir, path.join(path.dirname(configFile), ".dev.vars.example"))}).\n`);
    }
    const dev = (env: Readonly<Record<string, string>>) => runWrangler([
        "dev", "--config", configFile, "--local", "--ip", "127.0.0.1", ...persist, ...envFile,
        ...(values.port === undefined ? [] : ["--port", values.port]),
        ...(values["inspector-port"] === undefined ? [] : ["--inspector-port", values["inspector-port"]]),
    ], { ...offline, ...env });
    if (localDatabase !== undefined) {
        return withLocalPostgres(path.join(persistDir, "postgres"), localDatabase, io, (url) => {
            io.stderr(`note: Hyperdrive bindings ${hyperdrive.join(", ")} connect to the local PostgreSQL ${maskPassword(url)} ` +
                `(data in ${shownPath(path.join(persistDir, "postgres"))}; pass --database-url or set ${DEV_DATABASE_URL_ENV} for another database).\n`);
            return dev(hyperdriveEnv(hyperdrive, url));
        });
    }
    if (databaseUrl !== undefined && hyperdrive.length > 0) {
        io.stderr(`note: Hyperdrive bindings ${hyperdrive.join(", ")} connect to ${maskPassword(databaseUrl)}.\n`);
    }
    return dev(databaseUrl === undefined ? {} : hyperdriveEnv(hyperdrive, databaseUrl));
}

/** `CLOUDFLARE_HYPERDRIVE_LOCAL_CONNECTION_STRING_<BINDING>` = `url` for each binding (wrangler reads it before the config). */
function hyperdriveEnv(bindings: readonly string[], url: string): Record<string, string> {
    return Object.fromEntries(bindings.map((binding) => [`CLOUDFLARE_HYPERDRIVE_LOCAL_CONNECTION_STRING_${binding}`, url]));
}

/**
 * The role and database the local PostgreSQL must have: the stack's `platform:database.neon` (from the
 * config the plan ran with, read with the program's own loader), or that schema's defaults when the stack
 * has no database. Checked before anything runs: the server binaries must be installed, and the role
 * must not be the local superuser.
 * @throws {UserError} naming `--database-url` and `apt-get install postgresql` when the binaries are missing.
 * @throws {ValidationError} when the role is the local superuser's name.
 */
function localDatabaseNames(stack: string, engineConfig: EngineConfig, bindings: readonly string[]): { role: string; database: string } {
    try {
        postgresBinDir();
    } catch (error) {
        if (!(error instanceof PostgresNotInstalledError)) throw error;
        throw new UserError(`Hyperdrive binding${bindings.length === 1 ? "" : "s"} ${bindings.join(", ")} need${bindings.length === 1 ? "s" : ""} a PostgreSQL database, ` +
            `and the PostgreSQL server binaries that npm run dev uses to run one locally are not installed. Install them ` +
            `(Debian/Ubuntu: apt-get install -y postgresql), or pass --database-url <postgres url> (or set ${DEV_DATABASE_URL_ENV}) to use a database of your own.`);
    }
    const secretKeys = new Set(engineConfig.secretKeys);
    const config = loadStackConfig(engineConfig.config, (key) => secretKeys.has(key));
    const { role, database } = config.database?.neon ?? neonDatabaseSchema.pick({ role: true, database: true }).parse({});
    if (role === LOCAL_SUPERUSER) {
        throw new ValidationError(`stack config for "${stack}"`, [{
            path: "platform:database.neon.role",
            message: `"${LOCAL_SUPERUSER}" is the superuser of npm run dev's local PostgreSQL; use another role name, or pass --database-url`,
        }]);
    }
    return { role, database };
}

/**
 * Starts the persistent local PostgreSQL in `dataDir`, makes sure `names` exist in it, and runs `work`
 * with the role's URL; stops the server when `work` ends, whatever the outcome. SIGINT and SIGTERM never
 * end this process meanwhile: `runWrangler` forwards them to wrangler, whose exit ends `work`; one that
 * arrives before wrangler starts skips it.
 * @returns work's exit code; 130 (SIGINT) or 143 (SIGTERM) when interrupted before wrangler started.
 * @throws {UserError} when the cluster cannot be used (in use by another run, unreadable credentials).
 */
async function withLocalPostgres(
    dataDir: string, names: { role: string; database: string }, io: Io, work: (url: string) => Promise<number>,
): Promise<number> {
    let interrupted: NodeJS.Signals | undefined;
    const onSignal = (signal: NodeJS.Signals) => { interrupted ??= signal; };
    process.on("SIGINT", onSignal);
    process.on("SIGTERM", onSignal);
    try {
        const server = await startPostgres({ dataDir, user: LOCAL_SUPERUSER, database: "postgres" });
        try {
            const url = await ensureDatabase(server, names);
            if (interrupted !== undefined) return interrupted === "SIGINT" ? 130 : 143;
            return await work(url);
        } finally {
            await server.stop();
            io.stderr(`Stopped the local PostgreSQL (data kept in ${shownPath(dataDir)}).\n`);
        }
    } finally {
        process.off("SIGINT", onSignal);
        process.off("SIGTERM", onSignal);
    }
}

/** `url` with its password replaced by `****`. */
function maskPassword(url: string): string {
    try {
        const parsed = new URL(url);
        if (parsed.password !== "") parsed.password = "****";
        return parsed.toString();
    } catch {
        return url.replace(/\/\/([^:/@]*):[^@]*@/, "//$1:****@");
    }
}

/**
 * wrangler's environment for this machine: offline (its `Request.cf` host does not resolve within 2 s, or a
 * `CLOUDFLARE_CF_FETCH_ENABLED` of the caller's own), the `Request.cf` fetch is turned off and
 * {@link OFFLINE_NOTE} printed once.
 */
export async function offlineEnv(io: Io, resolve: (host: string) => Promise<unknown> = lookup): Promise<Record<string, string>> {
    if (process.env.CLOUDFLARE_CF_FETCH_ENABLED !== undefined) return {};
    const online = await Promise.race([
        resolve(CF_HOST).then(() => true, () => false),
        new Promise<boolean>((resolve) => setTimeout(() => resolve(false), 2000).unref()),
    ]);
    if (online) return {};
    io.stderr(`${OFFLINE_NOTE}\n`);
    return { CLOUDFLARE_CF_FETCH_ENABLED: "false" };
}

/**
 * The plan's warnings about the service being run (its `WorkerService` and the resources below it), as the
 * plan's `Diagnostics:` block shows them; the other services' messages and informational ones are not about
 * this local run.
 */
function printServiceWarnings(stack: string, service: string, run: OfflineRun, io: Io): void {
    const parents = new Map(run.resources.map((r) => [r.urn, r.parent]));
    const own = run.resources.find((r) => r.type === WORKER_SERVICE_TYPE && r.name === service)?.urn;
    const belongs = (urn: string | undefined) => {
        for (let at = urn; at !== undefined && at !== ""; at = parents.get(at)) if (at === own) return true;
        return false;
    };
    const text = renderDiagnostics(stack, run.resources[0]?.urn.split("::")[1] ?? "", run.diagnostics.filter((d) => d.severity === "warning" && belongs(d.urn)));
    if (text !== "") io.stderr(text);
}

/** `npm run dev`, as {@link runCli} and in-process tests run it. */
export const devCommand: Command = { name: "dev", usage: USAGE, main };

if (require.main === module) {
    runCli(devCommand);
}
