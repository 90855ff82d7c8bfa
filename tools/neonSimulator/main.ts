/**
 * Runs the Neon API simulator on its own, for local development without a Neon account:
 *
 *   node --import tsx tools/neonSimulator/main.ts [--port 4100] [--key <api key>] [--operation-ms 500]
 *                                                  [--fault-rate 0.1 --seed 1]
 *
 * Prints the variables to export so the Neon providers talk to it (`NEON_API_HOST`, `NEON_API_KEY`) and
 * runs until interrupted; on exit it prints how many requests broke Neon's OpenAPI contract.
 */
import { randomBytes } from "node:crypto";
import { parseArgs } from "node:util";
import { startNeonSimulator } from "./server";

async function main(): Promise<void> {
    const { values } = parseArgs({
        options: {
            port: { type: "string", default: "0" },
            key: { type: "string" },
            "operation-ms": { type: "string", default: "500" },
            "fault-rate": { type: "string", default: "0" },
            seed: { type: "string", default: "1" },
        },
    });
    const apiKey = values.key ?? `napi_local_${randomBytes(12).toString("hex")}`;
    const sim = await startNeonSimulator({
        apiKey,
        port: Number(values.port),
        operationMs: { default: Number(values["operation-ms"]) },
        faults: { rate: Number(values["fault-rate"]), seed: Number(values.seed) },
    });
    console.log(`Neon API simulator on ${sim.baseUrl}\n  export NEON_API_HOST=${sim.baseUrl}\n  export NEON_API_KEY=${apiKey}`);
    const stop = async () => {
        await sim.stop();
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
