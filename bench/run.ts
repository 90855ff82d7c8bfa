/**
 * `npm run bench`: the offline plan's latency, policy cost and memory at scale, every figure a ratio measured in
 * one run, written to `bench/results.json` (`{ metadata, figures }`, each figure `{ name, value, unit, samples }`).
 *
 *   npm run bench [-- --reps 5] [--quick] [--services 1,20,200] [--policy-resources 2000]
 *                    [--baseline <dir>] [--diagnose] [--strict]
 *
 * Figure groups, each in fresh processes started the way their user starts them, alternating what they compare:
 * - main job (`bench/mainJob.ts`): `npm run plan -- --stack staging` phase by phase (`PLATFORM_PLAN_TIMINGS`),
 *   end to end against the plain program of the same resources (`bench/plainStack.ts`), with and without
 *   policies, and the bundling phase with the bundle cache emptied and warm (and whether both wrote identical output);
 * - policy evaluation (`bench/policyEval.ts`): the policy pack against an empty pack over the same resources;
 * - scale (`bench/scale.ts`): the platform program against a plain Pulumi program for each service count;
 * - extra groups ({@link EXTRA_GROUPS}): measured once, for this tree only (Neon branch creation, the rollout
 *   gate's added time over its bake times, ...).
 *
 * Before and after in one run: `--baseline <dir>` names a checkout of the base commit with its dependencies
 * installed; every figure of the first three groups is then measured for both trees, alternating which goes
 * first, and recorded as `before.<name>` and `after.<name>` (without a baseline: `<name>`). For example:
 *
 *   git worktree add /tmp/bench-baseline fd9a4dd
 *   ln -s "$PWD/node_modules" /tmp/bench-baseline/node_modules   # or: (cd /tmp/bench-baseline && npm ci)
 *   npm run bench -- --baseline /tmp/bench-baseline
 *   git worktree remove /tmp/bench-baseline
 *
 * The baseline runs its own `npm run plan` and `bench/planOnce.ts`; the plain program, the policy harness and the
 * empty pack are this tree's for both (the baseline's pack is `<dir>/policies`). A baseline whose plan writes no
 * phase timings has no phase or bundling-phase figures.
 *
 * `--quick` (development): 2 repetitions, services 1,10,50, 500 policy resources, unless given explicitly.
 * `--diagnose` adds, at the largest service count, the diagnostic variants of `bench/planOnce.ts` (this tree only).
 *
 * Targets (`metadata.targets`, each with the figure, the rule, the value and whether it is met): main job / plain
 * program end to end ≤ 1.5; bundling phase cold / warm ≥ 3 with identical output; policy pack start ≤ 500 ms of
 * wall time; policy evaluation / empty pack ≤ 1.3; at the largest service count, plan time and peak RSS
 * components / plain ≤ 1.10 and ms per service largest / middle count ≤ 1.1. Exit code 1 when a run fails, the
 * compared programs do not declare the same resources, or cold and warm output differ; with `--strict`, also when
 * a target of this tree is missed (with `--baseline`, the `after.*` ones).
 *
 * Wall time on these 2-core machines moves by 10-20 % when other processes run: the alternation keeps the
 * ratios fair, and the load averages before and after are recorded in the metadata.
 */
import { execFileSync, type ExecFileSyncOptionsWithStringEncoding } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { parseArgs } from "node:util";
import { argumentError, numberArgument, runCli, type Command } from "../tools/lib/cli";
import { writeFilesAtomically } from "../tools/lib/files";
import { prefixed, round, type Figure, type Target } from "./figures";
import { serviceSpecs, writeFixture } from "./fixture";
import { mainJobFigures, mainJobProblems, measureBundling, measureEndToEnd, prepareMainJob, type BenchTree, type MainJobRuns } from "./mainJob";
import { measureNeon, neonFigures } from "./neonGroup";
import { measurePolicyEval, policyEvalFigures, type PolicyEvalRuns } from "./policyEval";
import { COMPARED, DIAGNOSED, diagnosisFigures, measureScale, scaleFigures, verifySameResources, type ScaleRuns } from "./scale";

const BENCH_DIR = __dirname;
const PROJECT_ROOT = path.resolve(BENCH_DIR, "..");
const USAGE = "usage: npm run bench -- [--reps <n>] [--quick] [--services <a>,<b>,<c>] [--policy-resources <n>] [--baseline <dir>] [--diagnose] [--strict]";

/**
 * Figure groups measured once, for this tree only, after the compared groups: each returns its figures (named
 * `<group>.…`) and may log progress. Add a group here. A group's module is loaded when it runs, and a group that
 * fails is reported in `metadata.problems` (exit 1) without losing the figures measured before it.
 */
const EXTRA_GROUPS: readonly { readonly name: string; readonly measure: () => Figure[] }[] = [
    { name: "neon", measure: () => neonFigures(measureNeon()) },
    { name: "rolloutGate", measure: () => (require("./rolloutGate") as typeof import("./rolloutGate")).rolloutGateFigures() },
];

/** Files the baseline checkout must have: the commands the bench runs in it. */
const BASELINE_FILES = ["package.json", "tools/plan.ts", "bench/planOnce.ts", "policies/PulumiPolicy.yaml", "node_modules/.bin/tsx"];

function main(argv: readonly string[]): number {
    const { values } = parseArgs({
        args: [...argv],
        options: {
            reps: { type: "string" },
            quick: { type: "boolean", default: false },
            services: { type: "string" },
            "policy-resources": { type: "string" },
            baseline: { type: "string" },
            diagnose: { type: "boolean", default: false },
            strict: { type: "boolean", default: false },
        },
        strict: true,
    });
    const reps = numberArgument("--reps", values.reps ?? (values.quick ? "2" : "5"), { min: 1, max: 1000, integer: true });
    const policyResources = numberArgument("--policy-resources", values["policy-resources"] ?? (values.quick ? "500" : "2000"), { min: 10, max: 100_000, integer: true });
    const servicesText = values.services ?? (values.quick ? "1,10,50" : "1,20,200");
    const counts = servicesText.split(",").map(Number).sort((a, b) => a - b);
    if (counts.length < 3 || counts.some((n) => !Number.isInteger(n) || n < 1 || n > 5000) || new Set(counts).size !== counts.length) {
        throw argumentError("--services", `expected three or more different service counts from 1 to 5000, comma-separated (1,20,200), got ${JSON.stringify(servicesText)}`);
    }
    const trees: BenchTree[] = values.baseline === undefined
        ? [{ dir: PROJECT_ROOT, prefix: "" }]
        : [{ dir: baselineDir(values.baseline), prefix: "before." }, { dir: PROJECT_ROOT, prefix: "after." }];
    const largest = counts[counts.length - 1]!;
    const started = Date.now();
    const loadBefore = os.loadavg();
    const workDir = path.join(BENCH_DIR, ".work", `run-${process.pid}`);
    const cleanup = () => removeWorkDir(workDir);
    process.on("SIGINT", () => { cleanup(); process.exit(130); });
    const log = (line: string) => process.stderr.write(`  ${line}\n`);
    /** Trees in the order of repetition `rep`: alternating, so drift (other processes, caches) favours neither. */
    const inOrder = (rep: number) => (rep % 2 === 0 ? trees : [...trees].reverse());
    try {
        writeFixture(workDir, serviceSpecs(workDir, largest));
        // Untimed: each tree's first plan (its report for the plain program, tsx's and the bundle cache warm) and
        // one scale run per variant (the SDK's modules in the page cache).
        const mainJob = new Map<BenchTree, MainJobRuns>(trees.map((tree) => [tree, prepareMainJob(tree, workDir)]));
        for (const tree of trees) for (const variant of COMPARED) measureScale(tree, new Map(), workDir, variant, counts[0]!, log);

        for (let rep = 0; rep < reps; rep++) for (const tree of inOrder(rep)) measureEndToEnd(mainJob.get(tree)!, rep, workDir, log);
        for (let rep = 0; rep < reps; rep++) for (const tree of inOrder(rep)) measureBundling(mainJob.get(tree)!, rep, workDir, log);
        const policy = new Map<BenchTree, PolicyEvalRuns>(trees.map((tree) => [tree, { tree, ours: [], empty: [] }]));
        // Every repetition although each run plans the resources first (about 20 s for 2,000): with 3, one slow run of a
        // pack moved the median ratio by 0.07 (samples 1.13 to 1.30).
        for (let rep = 0; rep < reps; rep++) for (const tree of inOrder(rep)) measurePolicyEval(policy.get(tree)!, rep, policyResources, workDir, log);
        const scale = new Map<BenchTree, ScaleRuns>(trees.map((tree) => [tree, new Map()]));
        for (let rep = 0; rep < reps; rep++) {
            for (const count of counts) {
                for (const tree of inOrder(rep)) {
                    for (const variant of rep % 2 === 0 ? COMPARED : [...COMPARED].reverse()) measureScale(tree, scale.get(tree)!, workDir, variant, count, log);
                }
            }
        }
        const current = trees[trees.length - 1]!;
        const diagnosis: ScaleRuns = new Map();
        if (values.diagnose) {
            for (let rep = 0; rep < reps; rep++) {
                // Rotate the order so each variant takes each position.
                for (const variant of DIAGNOSED.map((_, i) => DIAGNOSED[(i + rep) % DIAGNOSED.length]!)) measureScale(current, diagnosis, workDir, variant, largest, log);
            }
        }

        const figures: Figure[] = [];
        const targets: Target[] = [];
        const problems: string[] = [];
        for (const tree of trees) {
            const mismatch = verifySameResources(tree, workDir, counts, [...scale.get(tree)!.values()].flat());
            if (mismatch !== undefined) problems.push(`the scale variants do not register the same custom resources: ${mismatch}`);
            problems.push(...mainJobProblems(mainJob.get(tree)!));
            for (const group of [mainJobFigures(mainJob.get(tree)!), policyEvalFigures(policy.get(tree)!), scaleFigures(tree, counts, scale.get(tree)!, mismatch === undefined)]) {
                figures.push(...prefixed(tree.prefix, group.figures));
                targets.push(...group.targets);
            }
        }
        if (values.diagnose) figures.push(...prefixed(current.prefix, diagnosisFigures(largest, diagnosis)));
        for (const group of EXTRA_GROUPS) {
            try {
                figures.push(...group.measure());
            } catch (error) {
                problems.push(`the ${group.name} figures failed: ${error instanceof Error ? error.message.split("\n")[0] : String(error)}`);
            }
        }

        const loadAfter = os.loadavg();
        const metadata = {
            date: new Date().toISOString(),
            node: process.version,
            platform: `${os.platform()} ${os.arch()}`,
            cpus: os.cpus().length,
            cpuModel: os.cpus()[0]?.model ?? "unknown",
            totalMemoryGiB: Math.round(os.totalmem() / 2 ** 30),
            loadAverageBefore: loadBefore.map((l) => round(l, 2)),
            loadAverageAfter: loadAfter.map((l) => round(l, 2)),
            reps,
            quick: values.quick,
            services: counts,
            policyResources,
            trees: trees.map((tree) => ({ prefix: tree.prefix, dir: tree.dir, ...gitState(tree.dir) })),
            packages: packageVersions(["@pulumi/pulumi", "@pulumi/cloudflare", "@pulumi/policy", "esbuild", "tsx"]),
            method: "Every run is a fresh process; the bench times main-job and plain-program runs from spawn to exit " +
                "(`npm run plan -- --stack staging` and `npm exec -- tsx bench/plainStack.ts`, as their users start them). " +
                "Each repetition alternates the trees (baseline/current) and rotates the order of the compared runs. " +
                "Phases: the plan's PLATFORM_PLAN_TIMINGS file, medians over the runs with policies. End to end: medians of " +
                "wall times; ratioToPlain = median(main job) / median(plain program), samples per repetition. Policy pack start: " +
                "median wall with policies minus median wall without (--no-policies). Bundling: the plan's bundling phase right " +
                "after emptying <tree>/.platform/cache/bundles (cold) and in the plan right after (warm); outputs (--json report " +
                "and wrangler files) compared byte for byte. Policy evaluation: bench/policyOnce.ts (Remediate + Analyze per " +
                "resource, then AnalyzeStack; pack start excluded) for the tree's pack and bench/emptyPolicyPack, alternating, every repetition. " +
                "Scale: bench/planOnce.ts (runOffline wall time, process CPU time, peak RSS = maxRSS of the process) for the " +
                "components and plain variants of the generated services, alternating; ratio = components / plain of the medians.",
            targets,
            // This tree's targets (`after.*` with a baseline): the baseline's are there to compare, not to meet.
            targetsMet: targets.filter((t) => t.figure.startsWith(current.prefix)).every((t) => t.met),
            problems,
            durationSeconds: Math.round((Date.now() - started) / 1000),
        };
        writeFilesAtomically([{ flag: "bench/results.json", path: path.join(BENCH_DIR, "results.json"), content: JSON.stringify({ metadata, figures }, null, 2) + "\n" }]);
        printTargets(targets, trees);
        if (Math.max(loadBefore[0]!, loadAfter[0]!) > os.cpus().length) {
            console.log(`\nnote: load average ${round(loadBefore[0]!, 2)} → ${round(loadAfter[0]!, 2)} on ${os.cpus().length} cores: other processes competed for the CPU; wall times are noisy.`);
        }
        console.log(`\nwrote bench/results.json (${figures.length} figures) in ${metadata.durationSeconds} s`);
        for (const problem of problems) console.error(`\nFAIL: ${problem}`);
        return problems.length > 0 || (values.strict && !metadata.targetsMet) ? 1 : 0;
    } finally {
        cleanup();
    }
}

/**
 * The `--baseline` directory, checked to hold a checkout the bench can run.
 * @throws {ArgumentError} naming `--baseline` when it is not a directory or lacks one of {@link BASELINE_FILES}.
 */
function baselineDir(dir: string): string {
    const absolute = path.resolve(dir);
    if (absolute === PROJECT_ROOT) throw argumentError("--baseline", "expected another checkout than this one (for example a git worktree of the base commit)");
    const missing = BASELINE_FILES.filter((file) => !fs.existsSync(path.join(absolute, file)));
    if (missing.length > 0) {
        throw argumentError("--baseline", `expected a checkout of this repository with its dependencies installed, but ${absolute} has no ${missing.join(", ")}` +
            " (git worktree add <dir> <commit>, then npm ci there or symlink node_modules)");
    }
    return absolute;
}

/** Prints each target: the figure, the before value (with a baseline), the after value, the rule and the verdict. */
function printTargets(targets: readonly Target[], trees: readonly BenchTree[]): void {
    const current = trees[trees.length - 1]!.prefix;
    const baseline = trees.length > 1 ? trees[0]!.prefix : undefined;
    const rows: string[][] = [["target", ...(baseline === undefined ? [] : ["before"]), "value", "rule", "met"]];
    for (const t of targets.filter((x) => x.figure.startsWith(current))) {
        const name = t.figure.slice(current.length);
        const before = baseline === undefined ? [] : [String(targets.find((x) => x.figure === `${baseline}${name}`)?.value ?? "n/a")];
        rows.push([name, ...before, String(t.value ?? "n/a"), t.rule, t.met ? "PASS" : "FAIL"]);
    }
    const widths = rows[0]!.map((_, i) => Math.max(...rows.map((r) => r[i]!.length)));
    console.log("");
    for (const row of rows) console.log(row.map((cell, i) => (i === 0 ? cell.padEnd(widths[i]!) : cell.padStart(widths[i]!))).join("  "));
}

/** The commit of a checkout and whether it has uncommitted changes; `unknown` when git cannot tell. */
function gitState(dir: string): { commit: string; uncommittedChanges: boolean | "unknown" } {
    try {
        const quiet: ExecFileSyncOptionsWithStringEncoding = { encoding: "utf8", stdio: ["ignore", "pipe", "ignore"] };
        const commit = execFileSync("git", ["-C", dir, "rev-parse", "HEAD"], quiet).trim();
        const status = execFileSync("git", ["-C", dir, "status", "--porcelain", "--untracked-files=no"], quiet);
        return { commit, uncommittedChanges: status.trim() !== "" };
    } catch {
        return { commit: "unknown", uncommittedChanges: "unknown" };
    }
}

function removeWorkDir(workDir: string): void {
    fs.rmSync(workDir, { recursive: true, force: true });
    const parent = path.dirname(workDir);
    if (fs.existsSync(parent) && fs.readdirSync(parent).length === 0) fs.rmdirSync(parent);
}

function packageVersions(names: readonly string[]): Record<string, string> {
    return Object.fromEntries(names.map((name) => {
        const file = path.join(PROJECT_ROOT, "node_modules", name, "package.json");
        return [name, fs.existsSync(file) ? (JSON.parse(fs.readFileSync(file, "utf8")) as { version: string }).version : "unknown"];
    }));
}

/** `npm run bench`, as {@link runCli} and in-process tests run it. */
export const benchCommand: Command<number> = { name: "bench", usage: USAGE, main };

if (require.main === module) runCli(benchCommand);
