/**
 * Rollout gate bench: the wall time the metric-gated rollout adds over its configured bake times. The
 * serialized `RolloutGate` provider (planned by the program under the mock engine, as the engine stores it)
 * rolls a healthy version through `--steps` (default 10,40,70,100: three bakes) of `--bake` seconds each
 * against the local Cloudflare API stand-in on 127.0.0.1 (deployments API and Workers analytics GraphQL,
 * `test/helpers/cloudflareApiStandIn.ts`), `--reps` times after one untimed rollout.
 *
 *   node --import tsx bench/rolloutGate.ts [--reps 3] [--bake 1] [--steps 10,40,70,100]
 *
 * Prints one line `BENCH_RESULT {json}` with the figures; exit code 1 when the added time is 5 % of the bake
 * time or more. `npm run bench` runs it in a fresh process through {@link rolloutGateFigures}.
 * Figures (`rolloutGate.*`): `bakeTime` (the configured total, ms), `wallTime` and `addedTime` (ms, median and
 * samples), `addedRatio` (added / bake, %, median and samples), `targetMet` (`addedRatio` < 5).
 */
import { spawnSync } from "node:child_process";
import { randomBytes } from "node:crypto";
import * as path from "node:path";
import { parseArgs } from "node:util";
import type { RolloutGateInputs } from "../components/cloudflare/rollout/rolloutGateProvider";
import { startCloudflareApiStandIn } from "../test/helpers/cloudflareApiStandIn";
import { runScenario } from "../test/helpers/offlineScenario";
import { loadSerializedProvider } from "../test/helpers/serializedProviders";
import { medianFigure, type Figure } from "./figures";

/** The issue's target: the gate adds less than this share of its bake time, in percent. */
export const ADDED_RATIO_TARGET_PERCENT = 5;

const NEW = "aaaaaaaa-0000-4000-8000-000000000001";
const OLD = "bbbbbbbb-0000-4000-8000-000000000002";
const SCRIPT = "canary-bench";

/** Options of {@link measureRolloutGate}. */
export interface RolloutGateBenchOptions {
    /** Rollouts measured. @default 3 */
    readonly reps?: number;
    /** Bake time of each step, whole seconds. @default 1 */
    readonly bakeSeconds?: number;
    /** The steps, increasing, last 100. @default [10, 40, 70, 100] */
    readonly steps?: readonly number[];
}

/**
 * Measures `reps` healthy rollouts through the serialized provider against the local stand-in.
 * @returns the `rolloutGate.*` figures.
 * @throws when planning the gate fails or a rollout does not promote.
 */
export async function measureRolloutGate(options: RolloutGateBenchOptions = {}): Promise<Figure[]> {
    const reps = options.reps ?? 3;
    const bakeSeconds = options.bakeSeconds ?? 1;
    const steps = [...(options.steps ?? [10, 40, 70, 100])];
    const token = `bench-${randomBytes(8).toString("hex")}`;
    const planned = await runScenario({
        stack: "bench",
        services: ["canary"],
        config: {
            config: {
                "platform:accountId": "0123456789abcdef0123456789abcdef",
                "platform:services": JSON.stringify({ canary: { deployment: { strategy: "versions", rollout: { steps, bakeSeconds } } } }),
            },
            secretKeys: [],
        },
    });
    const gate = planned.resources.find((r) => r.name === "canary-rollout-gate");
    if (planned.code !== 0 || gate === undefined) throw new Error(`planning the rollout gate failed:\n${planned.stderr}`);
    const { __provider, ...planInputs } = gate.inputs;
    const provider = loadSerializedProvider(__provider as string);
    const inputs: RolloutGateInputs = { ...(planInputs as unknown as RolloutGateInputs), scriptName: SCRIPT, newVersionId: NEW };

    const healthy = { sum: { requests: 1000, errors: 1 }, quantiles: { wallTimeP95: 50_000 } };
    const api = await startCloudflareApiStandIn({
        token,
        scripts: [{ id: SCRIPT }],
        analytics: () => [NEW, OLD].map((version) => ({ dimensions: { scriptVersion: version }, ...healthy })),
    });
    const saved = { token: process.env.CLOUDFLARE_API_TOKEN, base: process.env.CLOUDFLARE_API_BASE_URL };
    process.env.CLOUDFLARE_API_TOKEN = token;
    process.env.CLOUDFLARE_API_BASE_URL = api.baseUrl;
    const bakeMs = steps.filter((s) => s < 100).length * bakeSeconds * 1000;
    const wall: number[] = [];
    try {
        // One untimed rollout first (the provider's first calls compile and open connections), then `reps` timed ones.
        for (let rep = -1; rep < reps; rep++) {
            api.deployments[SCRIPT] = [{ id: "deployment-0", strategy: "percentage", versions: [{ version_id: OLD, percentage: 100 }] }];
            const started = performance.now();
            const result = await provider.create!(inputs);
            if (rep >= 0) wall.push(performance.now() - started);
            if ((result.outs as { outcome?: string }).outcome !== "promoted") throw new Error(`rollout ${rep + 2} did not promote: ${JSON.stringify(result.outs)}`);
        }
    } finally {
        for (const [key, value] of [["CLOUDFLARE_API_TOKEN", saved.token], ["CLOUDFLARE_API_BASE_URL", saved.base]] as const) {
            if (value === undefined) delete process.env[key];
            else process.env[key] = value;
        }
        await api.stop();
    }
    const added = wall.map((w) => w - bakeMs);
    const ratio = medianFigure("rolloutGate.addedRatio", added.map((a) => (a / bakeMs) * 100), "%", 2);
    return [
        { name: "rolloutGate.bakeTime", value: bakeMs, unit: "ms" },
        medianFigure("rolloutGate.wallTime", wall, "ms"),
        medianFigure("rolloutGate.addedTime", added, "ms"),
        ratio,
        { name: "rolloutGate.targetMet", value: ratio.value < ADDED_RATIO_TARGET_PERCENT ? 1 : 0, unit: "bool" },
    ];
}

/**
 * The rollout gate figures for `npm run bench` (an extra figure group of `bench/run.ts`): this file run once in
 * a fresh process.
 * @throws when the run fails (exit code other than 0 or 1, or no result line).
 */
export function rolloutGateFigures(): Figure[] {
    const child = spawnSync(process.execPath, ["--import", "tsx", __filename], { cwd: path.resolve(__dirname, ".."), encoding: "utf8", timeout: 300_000 });
    const line = child.stdout?.split("\n").find((l) => l.startsWith("BENCH_RESULT "));
    if (line === undefined || (child.status !== 0 && child.status !== 1)) {
        throw new Error(`rolloutGate failed (exit ${child.status ?? child.signal}):\n${child.stderr}`);
    }
    const figures = JSON.parse(line.slice("BENCH_RESULT ".length)) as Figure[];
    const ratio = figures.find((f) => f.name === "rolloutGate.addedRatio");
    console.log(`rolloutGate: added ${ratio?.value} % over the bake time (target < ${ADDED_RATIO_TARGET_PERCENT} %)`);
    return figures;
}

async function main(argv: readonly string[]): Promise<number> {
    const { values } = parseArgs({ args: [...argv], options: { reps: { type: "string" }, bake: { type: "string" }, steps: { type: "string" } }, strict: true });
    const figures = await measureRolloutGate({
        ...(values.reps === undefined ? {} : { reps: Number(values.reps) }),
        ...(values.bake === undefined ? {} : { bakeSeconds: Number(values.bake) }),
        ...(values.steps === undefined ? {} : { steps: values.steps.split(",").map(Number) }),
    });
    for (const f of figures) process.stdout.write(`${f.name.padEnd(28)} ${String(f.value).padStart(10)} ${f.unit}${f.samples === undefined ? "" : `  (${f.samples.join(", ")})`}\n`);
    process.stdout.write(`BENCH_RESULT ${JSON.stringify(figures)}\n`);
    return figures.find((f) => f.name === "rolloutGate.targetMet")?.value === 1 ? 0 : 1;
}

if (require.main === module) {
    main(process.argv.slice(2)).then((code) => process.exit(code), (error: Error) => {
        process.stderr.write(`${error.message}\n`);
        process.exit(2);
    });
}
