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
 * Hyperdrive bindings connect to a local PostgreSQL: `--database-url`, else `PLATFORM_DEV_DATABASE_URL`,
 * else the generated config's `localConnectionString` (`postgresql://postgres@127.0.0.1:5432/postgres`). The
 * URL reaches wrangler as `CLOUDFLARE_HYPERDRIVE_LOCAL_CONNECTION_STRING_<BINDING>`, so its password is never
 * written to a file.
 *
 * Exit codes: 2 for invalid arguments, config or declarations; otherwise wrangler's exit code.
 */
import { spawn } from "node:child_process";
import * as fs from "node:fs";
import * as path from "node:path";
import { parseArgs } from "node:util";
import { ValidationError } from "../components/validation";
import { runCli } from "./lib/cli";
import { plan } from "./plan";

const USAGE = "usage: npm run dev -- --stack <name> --service <name> [--port <n>] [--vars-file <file>] [--persist-to <dir>] [--inspector-port <n>] [--database-url <postgres url>]";
/** Environment variable holding the local database URL when `--database-url` is not given. */
export const DEV_DATABASE_URL_ENV = "PLATFORM_DEV_DATABASE_URL";
const projectDir = path.resolve(__dirname, "..");
const wrangler = path.join(projectDir, "node_modules", "wrangler", "bin", "wrangler.js");

/** Runs wrangler with the given arguments, inheriting the terminal; resolves with its exit code. */
function runWrangler(args: readonly string[], env: Readonly<Record<string, string>> = {}): Promise<number> {
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

async function main(argv: string[]): Promise<number> {
    const { values } = parseArgs({
        args: argv,
        options: {
            stack: { type: "string" }, service: { type: "string" }, port: { type: "string" }, "inspector-port": { type: "string" },
            "vars-file": { type: "string" }, "persist-to": { type: "string" }, "database-url": { type: "string" },
        },
        strict: true,
    });
    if (values.stack === undefined || values.service === undefined) {
        throw new ValidationError("arguments", [{ path: values.stack === undefined ? "--stack" : "--service", message: `required\n${USAGE}` }]);
    }
    for (const flag of ["port", "inspector-port"] as const) {
        const value = values[flag];
        if (value !== undefined && !/^\d{1,5}$/.test(value)) {
            throw new ValidationError("arguments", [{ path: `--${flag}`, message: `expected a port number, got "${value}"` }]);
        }
    }
    const databaseUrl = values["database-url"] ?? (process.env[DEV_DATABASE_URL_ENV] || undefined);
    if (databaseUrl !== undefined && !/^postgres(ql)?:\/\/[^\s]+$/.test(databaseUrl)) {
        throw new ValidationError("arguments", [{
            path: values["database-url"] === undefined ? DEV_DATABASE_URL_ENV : "--database-url",
            message: "expected a PostgreSQL URL such as postgresql://user:password@127.0.0.1:5432/app",
        }]);
    }
    const { services } = await plan({ stack: values.stack, projectDir });
    const planned = services[values.service];
    if (planned === undefined) {
        throw new ValidationError("arguments", [{ path: "--service", message: `no service "${values.service}" in stack ${values.stack}; services: ${Object.keys(services).join(", ")}` }]);
    }
    const { summary, dir } = planned;
    const configFile = path.join(dir, "wrangler.jsonc");
    const persist = ["--persist-to", path.resolve(values["persist-to"] ?? path.join(projectDir, ".wrangler", "state", values.stack))];
    const d1 = (summary.wranglerConfig.config.d1_databases ?? []) as { binding: string }[];
    for (const db of d1) {
        const code = await runWrangler(["d1", "migrations", "apply", db.binding, "--local", "--config", configFile, ...persist]);
        if (code !== 0) return code;
    }
    const secretsFile = path.resolve(values["vars-file"] ?? path.join(projectDir, "services", values.service, ".dev.vars"));
    const envFile = fs.existsSync(secretsFile) ? ["--env-file", secretsFile] : [];
    if (envFile.length === 0 && summary.wranglerConfig.secretNames.length > 0) {
        process.stderr.write(`warning: ${path.relative(projectDir, secretsFile)} not found; secrets ${summary.wranglerConfig.secretNames.join(", ")} are unset (copy ${path.relative(projectDir, path.join(path.dirname(configFile), ".dev.vars.example"))}).\n`);
    }
    const hyperdrive = (summary.wranglerConfig.config.hyperdrive ?? []) as { binding: string; localConnectionString?: string }[];
    if (hyperdrive.length > 0 && databaseUrl === undefined) {
        process.stderr.write(`note: Hyperdrive bindings ${hyperdrive.map((h) => h.binding).join(", ")} connect to ${hyperdrive[0]!.localConnectionString}; ` +
            `pass --database-url or set ${DEV_DATABASE_URL_ENV} for another local database.\n`);
    }
    const databaseEnv = databaseUrl === undefined ? {} : Object.fromEntries(hyperdrive.map((h) => [`CLOUDFLARE_HYPERDRIVE_LOCAL_CONNECTION_STRING_${h.binding}`, databaseUrl]));
    return runWrangler([
        "dev", "--config", configFile, "--local", "--ip", "127.0.0.1", ...persist, ...envFile,
        ...(values.port === undefined ? [] : ["--port", values.port]),
        ...(values["inspector-port"] === undefined ? [] : ["--inspector-port", values["inspector-port"]]),
    ], databaseEnv);
}

if (require.main === module) {
    runCli(main, USAGE);
}
