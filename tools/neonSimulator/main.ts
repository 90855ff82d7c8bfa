/**
 * Runs the Neon API simulator on its own, for local development without a Neon account:
 *
 *   npm run neon-simulator -- [--port 4100] [--key <api key>] [--operation-ms 500]
 *                            [--fault-rate 0.1 --seed 1] [--postgres]
 *
 * Prints the variables to export so the Neon providers talk to it (`NEON_API_HOST`, and `NEON_API_KEY`
 * when the key was generated; a key given with `--key` is not echoed) and runs until interrupted; on exit
 * it prints how many requests broke Neon's OpenAPI contract (exit code 1 when any did).
 *
 * `--postgres` starts a throwaway PostgreSQL server (`startPostgres()` of `tools/lib/postgres`) and backs
 * every branch's roles and databases with it, so the URIs of `GET /projects/{id}/connection_uri` work;
 * the server is stopped (and its data deleted) on exit.
 *
 * Exit codes (`tools/lib/cli.ts`): 0 stopped with every request within the contract; 1 a request broke it,
 * or an unexpected failure (its trace in a file); 2 invalid arguments, a port in use, or PostgreSQL missing
 * for `--postgres`.
 */
import { randomBytes } from "node:crypto";
import { parseArgs } from "node:util";
import { argumentError, numberArgument, portArgument, runCli, type Command, type Io } from "../lib/cli";
import { portProblem } from "../lib/freePort";
import { startPostgres, type PostgresServer } from "../lib/postgres";
import { startNeonSimulator, type NeonSimulator } from "./server";

const USAGE = "usage: npm run neon-simulator -- [--port <n>] [--key <api key>] [--operation-ms <ms>] [--fault-rate <0–1> --seed <n>] [--postgres]";

async function main(argv: readonly string[], io: Io): Promise<number> {
    const { values } = parseArgs({
        args: [...argv],
        options: {
            port: { type: "string", default: "0" },
            key: { type: "string" },
            "operation-ms": { type: "string", default: "500" },
            "fault-rate": { type: "string", default: "0" },
            seed: { type: "string", default: "1" },
            postgres: { type: "boolean", default: false },
        },
        strict: true,
    });
    const port = portArgument("--port", values.port, true);
    const operationMs = numberArgument("--operation-ms", values["operation-ms"], { min: 0, max: 600_000, unit: "milliseconds each operation runs" });
    const faultRate = numberArgument("--fault-rate", values["fault-rate"], { min: 0, max: 1, unit: "the share of requests that fail" });
    const seed = numberArgument("--seed", values.seed, { min: 0, integer: true });
    if (values.key !== undefined && !/^\S+$/.test(values.key)) throw argumentError("--key", "expected an API key without spaces, got an empty or spaced value");
    const portInUse = port === 0 ? undefined : await portProblem(port);
    if (portInUse !== undefined) throw argumentError("--port", `expected a port to listen on, but ${portInUse}, or 0 for any free port`);
    const generated = values.key === undefined;
    const apiKey = values.key ?? `napi_local_${randomBytes(12).toString("hex")}`;
    let pg: PostgresServer | undefined;
    let sim: NeonSimulator;
    try {
        pg = values.postgres ? await startPostgres() : undefined;
        sim = await startNeonSimulator({
            apiKey,
            port,
            operationMs: { default: operationMs },
            faults: { rate: faultRate, seed },
            ...(pg ? { postgres: { host: pg.host, port: pg.port, user: pg.user, password: pg.password } } : {}),
        });
    } catch (error) {
        await pg?.stop();
        throw error;
    }
    io.stdout([
        `Neon API simulator on ${sim.baseUrl}`,
        `  export NEON_API_HOST=${sim.baseUrl}`,
        generated ? `  export NEON_API_KEY=${apiKey}` : "  NEON_API_KEY: the key given with --key",
        ...(pg ? [`Branches live on PostgreSQL ${pg.host}:${pg.port} (superuser ${pg.user}; its password is not shown)`] : []),
    ].join("\n") + "\n");
    const signal = await new Promise<NodeJS.Signals>((resolve) => {
        process.once("SIGINT", resolve);
        process.once("SIGTERM", resolve);
    });
    await sim.stop();
    await pg?.stop();
    io.stdout(`${signal === "SIGINT" ? "\n" : ""}${sim.requests.length} requests, ${sim.violations.length} contract violations\n`);
    for (const v of sim.violations) io.stdout(`  ${v.kind} ${v.operation}: ${v.detail}\n`);
    return sim.violations.length === 0 ? 0 : 1;
}

/** `npm run neon-simulator`, as {@link runCli} and in-process tests run it. */
export const neonSimulatorCommand: Command = { name: "neon-simulator", usage: USAGE, main };

if (require.main === module) {
    runCli(neonSimulatorCommand);
}
