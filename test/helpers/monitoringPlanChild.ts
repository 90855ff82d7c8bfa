/**
 * Child-process entry of the monitoring tests (`test/monitoring/monitoring.test.ts`), run as `npm run plan`
 * runs (node --import tsx, one program per process):
 *
 *   node --import tsx test/helpers/monitoringPlanChild.ts <project dir> <stack> <out dir> <result.json>
 *
 * Plans `<stack>` of `<project dir>` with the policy pack, writing every artefact the plan writes (wrangler
 * files, JSON report, SARIF) under `<out dir>` and printing what `npm run plan` prints. Every secret field of
 * `platform:monitoring` (webhook secrets, Logpush credentials) is given the value of `MONITORING_CANARY` instead
 * of the offline placeholder, so the test can look for it. Writes `{ exitCode, resources }`: the registered
 * resources with their ids and property dependencies, secrets masked except where a canary was (`"[canary secret]"`,
 * the positive control that it was in play and stayed a secret).
 */
import { writeFile } from "node:fs/promises";
import * as path from "node:path";
import { monitoringSecretPaths } from "../../components/cloudflare/monitoring/monitoringSettings";
import { MONITORING_KEY } from "../../infra/config";
import { maskSecrets } from "../../tools/lib/mockEngine";
import type { EngineConfig } from "../../tools/lib/stackFiles";
import { isSecretWire } from "../../tools/lib/wire";
import { plan, printPlan } from "../../tools/plan";

/** The config with every secret field of `platform:monitoring` set to `canary`. */
function withCanary(config: EngineConfig, canary: string): EngineConfig {
    const text = config.config[MONITORING_KEY];
    if (text === undefined) return config;
    const monitoring = JSON.parse(text) as Record<string, unknown>;
    for (const at of monitoringSecretPaths(monitoring)) {
        const parent = at.slice(0, -1).reduce<Record<string, unknown>>((v, key) => v[key] as Record<string, unknown>, monitoring);
        parent[at[at.length - 1]!] = canary;
    }
    return { config: { ...config.config, [MONITORING_KEY]: JSON.stringify(monitoring) }, secretKeys: config.secretKeys };
}

/** `maskSecrets`, except that a secret holding the canary shows as `"[canary secret]"`. */
function mask(value: unknown, canary: string): unknown {
    if (isSecretWire(value)) return typeof value.value === "string" && value.value.includes(canary) ? "[canary secret]" : "[secret]";
    if (Array.isArray(value)) return value.map((v) => mask(v, canary));
    if (typeof value === "object" && value !== null) return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, mask(v, canary)]));
    return maskSecrets(value);
}

async function main(projectDir: string, stack: string, out: string, output: string): Promise<void> {
    const canary = process.env.MONITORING_CANARY!;
    const result = await plan({
        stack,
        projectDir,
        out: path.join(out, "platform"),
        json: path.join(out, "plan.json"),
        sarif: path.join(out, "plan.sarif"),
        policyPack: path.resolve(__dirname, "..", "..", "policies"),
        transformConfig: (config) => withCanary(config, canary),
    });
    const exitCode = printPlan(stack, result, "policies");
    const resources = result.run.resources.map((r) => ({
        urn: r.urn, type: r.type, name: r.name, parent: r.parent, id: r.id, protect: r.protect,
        propertyDependencies: r.propertyDependencies, inputs: mask(r.inputs, canary),
    }));
    await writeFile(output, JSON.stringify({ exitCode, resources }));
}

main(process.argv[2]!, process.argv[3]!, process.argv[4]!, process.argv[5]!).then(() => process.exit(0), (error: Error) => {
    process.stderr.write(`${error.stack ?? error.message}\n`);
    process.exit(1);
});
