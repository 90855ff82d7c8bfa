/**
 * The main job's figures for `npm run bench`: `npm run plan -- --stack staging` started as a user starts it (a
 * fresh `npm run` process in the tree's directory), timed from spawn to exit by the bench:
 *
 * - phases: the plan's own phase timings (`PLATFORM_PLAN_TIMINGS=<file>`, `tools/lib/phaseTimings.ts`), medians
 *   over the runs with policies; a tree whose plan writes no timings (an older checkout) has none;
 * - end to end: the main job with policies, without (`--no-policies`), and the plain program of the same stack
 *   (`bench/plainStack.ts`, started with `npm exec -- tsx`), in a rotating order within each repetition; the
 *   ratio main job / plain program is the target (≤ 1.5);
 * - policy pack start: median wall with policies minus median wall without (≤ 0.5 s);
 * - bundling: the `bundling` phase right after emptying the bundle cache (`<tree>/.platform/cache/bundles/`,
 *   `components/cloudflare/bundleCache.ts`) and again with the cache warm (≥ 3× faster warm), and whether the
 *   two runs wrote byte-identical output (`--json` report and every wrangler file).
 *
 * Before any timed run, one untimed plan writes the stack's `--json` report, which the plain program replays;
 * the plain program's own report must list the same custom resources (type, name, protect, masked inputs),
 * else `sameResourcesAsPlain` is 0 and the ratio means nothing.
 */
import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as path from "node:path";
import { medianFigure, median, round, type Figure, type Target, target } from "./figures";
import type { ReportedResource } from "./plainStack";
import { sortKeys } from "./sortKeys";
import { TIMINGS_ENV, type PhaseTiming } from "../tools/lib/phaseTimings";

/** The stack the main job plans. */
export const MAIN_STACK = "staging";
/** Targets of the issue. */
export const MAIN_JOB_TARGETS = { endToEndRatio: 1.5, policyPackStartMs: 500, bundlingColdOverWarm: 3 } as const;
/** This repository (the bench's own tree); the plain program always runs from here. */
const PROJECT_ROOT = path.resolve(__dirname, "..");
/** The bundle cache of a tree, relative to it (`DEFAULT_BUNDLE_CACHE_DIR` of `components/cloudflare/bundleCache.ts`). */
const BUNDLE_CACHE = path.join(".platform", "cache", "bundles");
/** A run that takes longer has hung. */
const RUN_TIMEOUT_MS = 300_000;

/** A checkout to measure: its directory (with `node_modules`) and the prefix of its figures. */
export interface BenchTree {
    readonly dir: string;
    /** `""` for the only tree, `before.` / `after.` when a baseline is measured too. */
    readonly prefix: string;
}

/** One timed plan. */
export interface TimedRun {
    /** Spawn to exit, ms. */
    readonly wallMs: number;
    /** The plan's phases (`PLATFORM_PLAN_TIMINGS`), empty when it wrote none. */
    readonly phases: readonly (Omit<PhaseTiming, "name"> & { readonly name: string })[];
}

/** Everything measured of one tree, filled repetition by repetition. */
export interface MainJobRuns {
    readonly tree: BenchTree;
    /** The stack's `--json` report the plain program replays. */
    readonly report: string;
    /** Undefined when the plain program registers the same custom resources as the main job, else the first difference. */
    readonly resourceMismatch: string | undefined;
    readonly withPolicies: TimedRun[];
    readonly withoutPolicies: TimedRun[];
    readonly plain: TimedRun[];
    readonly cold: TimedRun[];
    readonly warm: TimedRun[];
    /** Per cold/warm pair: undefined when their outputs are byte-identical, else the first differing file. */
    readonly outputDifferences: (string | undefined)[];
}

/** The untimed first plan of a tree (also a warm-up) and the check that the plain program declares the same resources. */
export function prepareMainJob(tree: BenchTree, workDir: string): MainJobRuns {
    const dir = path.join(workDir, `main-${tree.prefix || "tree"}prepare`);
    const report = path.join(dir, "plan.json");
    runPlan(tree, ["--out", dir, "--json", report], workDir);
    const plainReport = path.join(dir, "plain.json");
    runPlain(report, ["--json", plainReport]);
    return {
        tree, report, resourceMismatch: resourceMismatch(report, plainReport),
        withPolicies: [], withoutPolicies: [], plain: [], cold: [], warm: [], outputDifferences: [],
    };
}

/** One repetition of the end-to-end runs: with policies, without, and the plain program, the order rotating with `rep`. */
export function measureEndToEnd(runs: MainJobRuns, rep: number, workDir: string, log: (line: string) => void): void {
    const out = path.join(workDir, `main-${runs.tree.prefix || "tree"}out`);
    const steps: [string, () => TimedRun, TimedRun[]][] = [
        ["main job", () => runPlan(runs.tree, ["--out", out], workDir), runs.withPolicies],
        ["main job --no-policies", () => runPlan(runs.tree, ["--out", out, "--no-policies"], workDir), runs.withoutPolicies],
        ["plain program", () => runPlain(runs.report, []), runs.plain],
    ];
    for (let i = 0; i < steps.length; i++) {
        const [label, run, into] = steps[(i + rep) % steps.length]!;
        const result = run();
        into.push(result);
        log(`${runs.tree.prefix || ""}${label}: ${result.wallMs.toFixed(0)} ms`);
    }
}

/** One cold/warm pair: empties the tree's bundle cache, plans, plans again; compares what the two wrote. */
export function measureBundling(runs: MainJobRuns, rep: number, workDir: string, log: (line: string) => void): void {
    const dirs = (["cold", "warm"] as const).map((kind) => path.join(workDir, `bundling-${runs.tree.prefix || "tree"}${rep}`, kind));
    fs.rmSync(path.join(runs.tree.dir, BUNDLE_CACHE), { recursive: true, force: true });
    const [cold, warm] = dirs.map((dir) => runPlan(runs.tree, ["--out", dir, "--json", path.join(dir, "plan.json")], workDir));
    runs.cold.push(cold!);
    runs.warm.push(warm!);
    runs.outputDifferences.push(firstDifferentFile(dirs[0]!, dirs[1]!));
    const bundling = (run: TimedRun) => run.phases.find((p) => p.name === "bundling")?.ms.toFixed(0) ?? "?";
    log(`${runs.tree.prefix || ""}bundling cold ${bundling(cold!)} ms, warm ${bundling(warm!)} ms`);
}

/** The figures of one tree (unprefixed; the caller prefixes them) and its targets. */
export function mainJobFigures(runs: MainJobRuns): { figures: Figure[]; targets: Target[] } {
    const figures: Figure[] = [];
    const wall = (list: readonly TimedRun[]) => list.map((r) => r.wallMs);
    const phase = (list: readonly TimedRun[], name: string) => list.flatMap((r) => r.phases.filter((p) => p.name === name).map((p) => p.ms));

    const names = [...new Set(runs.withPolicies.flatMap((r) => r.phases.map((p) => p.name)))];
    for (const name of names) {
        figures.push(medianFigure(`mainJob.phases.${name}.ms`, phase(runs.withPolicies, name), "ms"));
        figures.push(medianFigure(`mainJob.phases.${name}.startMs`, runs.withPolicies.flatMap((r) => r.phases.filter((p) => p.name === name).map((p) => p.startMs)), "ms"));
    }

    const withPolicies = wall(runs.withPolicies);
    const withoutPolicies = wall(runs.withoutPolicies);
    const plain = wall(runs.plain);
    const ratio = median(withPolicies) / median(plain);
    const added = median(withPolicies) - median(withoutPolicies);
    figures.push(
        medianFigure("mainJob.endToEnd.withPolicies", withPolicies, "ms"),
        medianFigure("mainJob.endToEnd.withoutPolicies", withoutPolicies, "ms"),
        medianFigure("plainProgram.endToEnd", plain, "ms"),
        { name: "mainJob.endToEnd.ratioToPlain", value: round(ratio, 3), unit: "x", samples: withPolicies.map((w, i) => round(w / plain[i]!, 3)) },
        { name: "mainJob.endToEnd.sameResourcesAsPlain", value: runs.resourceMismatch === undefined ? 1 : 0, unit: "bool" },
        { name: "mainJob.policyPackStart.addedWall", value: round(added), unit: "ms", samples: withPolicies.map((w, i) => round(w - withoutPolicies[i]!)) },
    );

    const cold = phase(runs.cold, "bundling");
    const warm = phase(runs.warm, "bundling");
    const bundlingMeasured = cold.length > 0 && warm.length > 0;
    const identical = runs.outputDifferences.every((d) => d === undefined);
    if (bundlingMeasured) {
        figures.push(
            medianFigure("mainJob.bundling.cold", cold, "ms"),
            medianFigure("mainJob.bundling.warm", warm, "ms"),
            { name: "mainJob.bundling.coldOverWarm", value: round(median(cold) / median(warm), 2), unit: "x", samples: cold.map((c, i) => round(c / warm[i]!, 2)) },
        );
    }
    figures.push(
        medianFigure("mainJob.bundling.coldWall", wall(runs.cold), "ms"),
        medianFigure("mainJob.bundling.warmWall", wall(runs.warm), "ms"),
        { name: "mainJob.bundling.outputIdentical", value: identical ? 1 : 0, unit: "bool" },
    );

    const p = runs.tree.prefix;
    const targets = [
        target(`${p}mainJob.endToEnd.ratioToPlain`, runs.resourceMismatch === undefined ? round(ratio, 3) : undefined, "at most", MAIN_JOB_TARGETS.endToEndRatio),
        target(`${p}mainJob.policyPackStart.addedWall`, round(added), "at most", MAIN_JOB_TARGETS.policyPackStartMs),
        target(`${p}mainJob.bundling.coldOverWarm`, bundlingMeasured && identical ? round(median(cold) / median(warm), 2) : undefined, "at least", MAIN_JOB_TARGETS.bundlingColdOverWarm),
    ];
    return { figures, targets };
}

/** Problems worth printing: resources that differ from the plain program's, outputs that differ cold and warm. */
export function mainJobProblems(runs: MainJobRuns): string[] {
    const problems: string[] = [];
    if (runs.resourceMismatch !== undefined) problems.push(`${runs.tree.dir}: the plain program does not declare the main job's resources: ${runs.resourceMismatch}`);
    const difference = runs.outputDifferences.find((d) => d !== undefined);
    if (difference !== undefined) problems.push(`${runs.tree.dir}: cold and warm plans wrote different output: ${difference}`);
    return problems;
}

/** `npm run plan -- --stack staging <args>` in the tree, with `PLATFORM_PLAN_TIMINGS` set. */
function runPlan(tree: BenchTree, args: readonly string[], workDir: string): TimedRun {
    const timings = path.join(workDir, `timings-${process.pid}.json`);
    fs.rmSync(timings, { force: true });
    const wallMs = timed("npm", ["run", "plan", "--", "--stack", MAIN_STACK, ...args], tree.dir, { [TIMINGS_ENV]: timings }, [0]);
    let phases: TimedRun["phases"] = [];
    if (fs.existsSync(timings)) phases = (JSON.parse(fs.readFileSync(timings, "utf8")) as { phases: TimedRun["phases"] }).phases;
    return { wallMs, phases };
}

/** The plain program of a `--json` report, started as its user would: `npm exec -- tsx bench/plainStack.ts`. */
function runPlain(report: string, args: readonly string[]): TimedRun {
    return { wallMs: timed("npm", ["exec", "--", "tsx", path.join("bench", "plainStack.ts"), "--from", report, ...args], PROJECT_ROOT, {}, [0]), phases: [] };
}

/** Runs a command to its end and returns its wall time, ms. @throws when it exits otherwise than with one of `okCodes`. */
function timed(command: string, args: readonly string[], cwd: string, env: Record<string, string>, okCodes: readonly number[]): number {
    const start = performance.now();
    const child = spawnSync(command, args, { cwd, env: { ...process.env, ...env }, encoding: "utf8", timeout: RUN_TIMEOUT_MS, maxBuffer: 256 * 2 ** 20 });
    const wallMs = performance.now() - start;
    if (child.status === null || !okCodes.includes(child.status)) {
        throw new Error(`\`${command} ${args.join(" ")}\` in ${cwd} failed (exit ${child.status ?? child.signal}):\n${child.stderr}${child.stdout.slice(-2000)}`);
    }
    return wallMs;
}

/** The first custom resource that differs between the plan's report and the plain program's, or undefined. */
function resourceMismatch(planReport: string, plainReport: string): string | undefined {
    const key = (r: { type: string; name: string }) => `${r.type}::${r.name}`;
    const read = (file: string) => new Map((JSON.parse(fs.readFileSync(file, "utf8")) as { resources: ReportedResource[] }).resources
        .filter((r) => r.custom !== false)
        .map((r) => [key(r), JSON.stringify(sortKeys({ type: r.type, name: r.name, protect: r.protect, inputs: r.inputs }))]));
    const [main, plain] = [read(planReport), read(plainReport)];
    for (const [name, text] of main) {
        if (plain.get(name) !== text) return plain.has(name) ? `${name} has different inputs` : `${name} is missing`;
    }
    const extra = [...plain.keys()].find((name) => !main.has(name));
    return extra === undefined ? undefined : `${extra} is declared by the plain program only`;
}

/** The first file (relative path) that exists in only one of two directories or differs in bytes; undefined when none. */
function firstDifferentFile(a: string, b: string): string | undefined {
    const [left, right] = [listFiles(a), listFiles(b)];
    for (const file of new Set([...left, ...right])) {
        if (!left.includes(file) || !right.includes(file)) return `${file} (written by one run only)`;
        if (!fs.readFileSync(path.join(a, file)).equals(fs.readFileSync(path.join(b, file)))) return file;
    }
    return undefined;
}

function listFiles(dir: string): string[] {
    return (fs.readdirSync(dir, { recursive: true, withFileTypes: true }) as fs.Dirent[])
        .filter((e) => e.isFile())
        .map((e) => path.relative(dir, path.join(e.parentPath ?? e.path, e.name)))
        .sort();
}
