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
 */
import { randomBytes } from "node:crypto";
import { parseArgs } from "node:util";
import { startPostgres, type PostgresServer } from "../lib/postgres";
import { startNeonSimulator, type NeonSimulator } from "./server";

async function main(): Promise<void> {
    const { values } = parseArgs({
        options: {
            port: { type: "string", default: "0" },
            key: { type: "string" },
            "operation-ms": { type: "string", default: "500" },
            "fault-rate": { type: "string", default: "0" },
            seed: { type: "string", default: "1" },
            postgres: { type: "boolean", default: false },
        },
    });
    const generated = values.key === undefined;
    const apiKey = values.key ?? `napi_local_${randomBytes(12).toString("hex")}`;
    let pg: PostgresServer | undefined;
    let sim: NeonSimulator;
    try {
        pg = values.postgres ? await startPostgres() : undefined;
        sim = await startNeonSimulator({
            apiKey,
            port: Number(values.port),
            operationMs: { default: Number(values["operation-ms"]) },
            faults: { rate: Number(values["fault-rate"]), seed: Number(values.seed) },
            ...(pg ? { postgres: { host: pg.host, port: pg.port, user: pg.user, password: pg.password } } : {}),
        });
    } catch (error) {
        await pg?.stop();
        throw error;
    }
    console.log([
        `Neon API simulator on ${sim.baseUrl}`,
        `  export NEON_API_HOST=${sim.baseUrl}`,
        generated ? `  export NEON_API_KEY=${apiKey}` : "  NEON_API_KEY: the key given with --key",
        ...(pg ? [`Branches live on PostgreSQL ${pg.host}:${pg.port} (superuser ${pg.user}; its password is not shown)`] : []),
    ].join("\n"));
    let stopping = false;
    const stop = async () => {
        if (stopping) return;
        stopping = true;
        await sim.stop();
        await pg?.stop();
        console.log(`${sim.requests.length} requests, ${sim.violations.length} contract violations`);
        for (const v of sim.violations) console.log(`  ${v.kind} ${v.operation}: ${v.detail}`);
        process.exit(sim.violations.length === 0 ? 0 : 1);
    };
    process.on("SIGINT", stop);
    process.on("SIGTERM", stop);
}

main().catch((error: Error) => {
    console.error(error.message);
    process.exit(1);
});
