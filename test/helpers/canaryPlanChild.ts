/**
 * Child-process entry of the secret canary test (`secretCanary.test.ts`), run as `npm run plan` runs
 * (node --import tsx, one program per process):
 *
 *   node --import tsx test/helpers/canaryPlanChild.ts <out dir> <result.json>
 *
 * Plans the staging stack as an *update* with the policy pack, writing every artefact the plan writes
 * (wrangler files, JSON report, SARIF) under `<out dir>` and printing what `npm run plan` prints. The
 * Neon role's password and connection URI are answered with `CANARY_ROLE_PASSWORD`, and the production
 * stack's `database` output is given, so the password really flows into the Hyperdrive configuration.
 * Writes `{ exitCode, passwordReachedHyperdrive }`: the positive control that the canary was in play.
 */
import { writeFile } from "node:fs/promises";
import * as path from "node:path";
import { NEON_CONNECTION_TYPE, NEON_ROLE_TYPE } from "../../components/neon/typeTokens";
import { isSecretWire } from "../../tools/lib/wire";
import { plan, printPlan } from "../../tools/plan";

async function main(out: string, output: string): Promise<void> {
    const password = process.env.CANARY_ROLE_PASSWORD!;
    const projectDir = path.resolve(__dirname, "..", "..");
    const result = await plan({
        stack: "staging",
        projectDir,
        out: path.join(out, "platform"),
        json: path.join(out, "plan.json"),
        sarif: path.join(out, "plan.sarif"),
        policyPack: path.join(projectDir, "policies"),
        update: {
            stackOutputs: { "organization/platform/production": { database: { projectId: "damp-sea-123456", branchId: "br-main-1", branchName: "main" } } },
            resourceOutputs: (type, name) => {
                if (type === NEON_ROLE_TYPE) return { password };
                if (type === NEON_CONNECTION_TYPE) {
                    const host = `ep-${name}.eu-central-1.aws.neon.tech`;
                    return { host, port: 5432, database: "app", user: "app", password, uri: `postgresql://app:${password}@${host}/app?sslmode=require` };
                }
                return undefined;
            },
        },
    });
    const exitCode = printPlan("staging", result, "policies");
    const hyperdrive = result.run.resources.find((r) => r.type === "cloudflare:index/hyperdriveConfig:HyperdriveConfig");
    const origin = hyperdrive?.inputs.origin as Record<string, unknown> | undefined;
    const secret = origin?.password;
    const passwordReachedHyperdrive = isSecretWire(secret) && secret.value === password;
    await writeFile(output, JSON.stringify({ exitCode, passwordReachedHyperdrive }));
}

main(process.argv[2]!, process.argv[3]!).then(() => process.exit(0), (error: Error) => {
    process.stderr.write(`${error.stack ?? error.message}\n`);
    process.exit(1);
});
