/**
 * Child-process entry of `runScenario` (`offlineScenario.ts`):
 *
 *   node --import tsx test/helpers/offlineScenarioChild.ts <scenario.json> <result.json>
 *
 * Exit 0 with `{ resources, outputs }` written (secrets masked); exit 1 with the program's error message on stderr.
 */
import { readFile, writeFile } from "node:fs/promises";
import { definePlatform } from "../../infra/program";
import { maskSecrets, runOffline } from "../../tools/lib/mockEngine";
import { deploySafetyServices } from "../fixtures/deploySafety/services";
import type { Scenario } from "./offlineScenario";

async function main(input: string, output: string): Promise<void> {
    const scenario = JSON.parse(await readFile(input, "utf8")) as Scenario;
    const entries = scenario.services.map((name) => deploySafetyServices[name]!);
    const run = await runOffline({
        project: "platform",
        stack: scenario.stack,
        config: scenario.config,
        preview: scenario.preview ?? true,
        ...(scenario.stackOutputs === undefined ? {} : { stackOutputs: scenario.stackOutputs }),
        program: () => {
            const platform = definePlatform(entries, scenario.stack);
            return { services: platform.environment.summary, database: platform.database };
        },
    });
    // What the program logged, on stdout as the SDK prints it without an engine.
    for (const d of run.diagnostics) process.stdout.write(`${d.severity}: ${d.message}\n`);
    const resources = run.resources.map((r) => ({ ...r, inputs: maskSecrets(r.inputs) }));
    await writeFile(output, JSON.stringify({ resources, outputs: maskSecrets(run.outputs) }));
}

main(process.argv[2]!, process.argv[3]!).then(() => process.exit(0), (error: Error) => {
    process.stderr.write(`${error.message}\n`);
    process.exit(1);
});
