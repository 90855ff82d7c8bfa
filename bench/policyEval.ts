/**
 * The policy evaluation figures of `npm run bench`: the platform's policy pack against an empty pack
 * (`bench/emptyPolicyPack`) over the same resources and the same analyzer protocol (`bench/policyOnce.ts`, a
 * fresh process per run, the two packs alternating). The ratio of the evaluation times (Remediate + Analyze
 * per resource, then AnalyzeStack; the pack's start excluded) is the target (≤ 1.3).
 */
import { spawnSync } from "node:child_process";
import * as path from "node:path";
import { median, medianFigure, round, target, type Figure, type Target } from "./figures";
import type { BenchTree } from "./mainJob";
import type { PolicyBenchResult } from "./policyOnce";

/** Target: our pack's evaluation time / the empty pack's, over the same resources. */
export const POLICY_EVAL_TARGET = 1.3;
/** The empty pack. */
const EMPTY_PACK = path.join(__dirname, "emptyPolicyPack");

/** Every run of one tree's pack and of the empty pack. */
export interface PolicyEvalRuns {
    readonly tree: BenchTree;
    readonly ours: PolicyBenchResult[];
    readonly empty: PolicyBenchResult[];
}

/**
 * One repetition: the tree's pack (`<tree>/policies`) and the empty pack over `resources` resources, the order
 * alternating with `rep`. The harness (this tree's `bench/policyOnce.ts` and analyzer client) is the same for
 * every tree, so a baseline tree differs only in its pack.
 */
export function measurePolicyEval(runs: PolicyEvalRuns, rep: number, resources: number, workDir: string, log: (line: string) => void): void {
    const packs: [string, PolicyBenchResult[]][] = [[path.join(runs.tree.dir, "policies"), runs.ours], [EMPTY_PACK, runs.empty]];
    for (const [pack, into] of rep % 2 === 0 ? packs : [...packs].reverse()) {
        const args = ["--import", "tsx", path.join(__dirname, "policyOnce.ts"), "--resources", String(resources), "--work", path.join(workDir, "policy"), "--pack", pack];
        const child = spawnSync(process.execPath, args, { cwd: path.resolve(__dirname, ".."), encoding: "utf8", timeout: 600_000, maxBuffer: 64 * 2 ** 20 });
        const line = child.stdout?.split("\n").find((l) => l.startsWith("BENCH_RESULT "));
        if (child.status !== 0 || line === undefined) throw new Error(`policyOnce --pack ${pack} failed (exit ${child.status ?? child.signal}):\n${child.stderr}`);
        const result = JSON.parse(line.slice("BENCH_RESULT ".length)) as PolicyBenchResult;
        into.push(result);
        log(`${runs.tree.prefix}policies ${path.relative(process.cwd(), pack) || "."}: ${result.resources} resources evaluated in ${round(result.evaluateMs)} ms (+${round(result.startMs)} ms pack start)`);
    }
}

/** The figures of one tree (unprefixed) and its target. */
export function policyEvalFigures(runs: PolicyEvalRuns): { figures: Figure[]; targets: Target[] } {
    const n = runs.ours[0]!.resources;
    const ours = runs.ours.map((r) => r.evaluateMs);
    const empty = runs.empty.map((r) => r.evaluateMs);
    const ratio = median(ours) / median(empty);
    const figures: Figure[] = [
        { name: `policy.n${n}.resources`, value: n, unit: "resources" },
        medianFigure(`policy.n${n}.evaluateTime`, ours, "ms"),
        medianFigure(`policy.n${n}.emptyPack.evaluateTime`, empty, "ms"),
        { name: `policy.n${n}.ratioToEmptyPack`, value: round(ratio, 3), unit: "x", samples: ours.map((o, i) => round(o / empty[i]!, 3)) },
        { name: `policy.n${n}.throughput`, value: round(n / (median(ours) / 1000), 1), unit: "resources/s" },
        medianFigure(`policy.n${n}.packStartTime`, runs.ours.map((r) => r.startMs), "ms"),
        medianFigure(`policy.n${n}.emptyPack.packStartTime`, runs.empty.map((r) => r.startMs), "ms"),
        { name: `policy.n${n}.violations`, value: runs.ours[0]!.violations, unit: "violations" },
    ];
    return { figures, targets: [target(`${runs.tree.prefix}policy.n${n}.ratioToEmptyPack`, round(ratio, 3), "at most", POLICY_EVAL_TARGET)] };
}
