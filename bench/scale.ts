/**
 * The scale figures of `npm run bench`: the platform program (`components`) against the same resources as a
 * plain Pulumi program (`plain`) for several service counts (1, 20, 200 by default), each run in a fresh
 * `node --import tsx <tree>/bench/planOnce.ts` process, the two variants alternating which goes first. Plan
 * time, CPU time and peak RSS are medians of the repetitions; the ratios components / plain at the largest count
 * and the growth of time per service from the middle to the largest count are the targets.
 *
 * `--diagnose` adds, at the largest count, the `skeleton` variant and two what-ifs of the components variant
 * (see `WHAT_IFS` in planOnce.ts).
 */
import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as path from "node:path";
import { median, round, target, type Figure, type Target } from "./figures";
import type { BenchTree } from "./mainJob";
import type { NormalizedResource, PlanResult, Variant } from "./planOnce";

/** The two variants every run compares. */
export const COMPARED: readonly Variant[] = ["components", "plain"];
/** What `--diagnose` runs at the largest service count. */
export const DIAGNOSED: readonly Variant[] = ["plain", "skeleton", "components", "components-envOutputsEmpty", "components-noComponentOutputs"];
/** Targets of the issue at the largest count: time and peak RSS components / plain, and ms/service largest / middle. */
export const SCALE_TARGETS = { timeRatio: 1.1, peakRssRatio: 1.1, linearity: 1.1 } as const;

/** Every run, by `variant:count`. */
export type ScaleRuns = Map<string, PlanResult[]>;

/** Runs one variant at one count in the tree and adds the result to `runs`. */
export function measureScale(tree: BenchTree, runs: ScaleRuns, workDir: string, variant: Variant, count: number, log: (line: string) => void): void {
    const result = planOnce(tree, workDir, variant, count);
    log(`${tree.prefix}${String(count).padStart(4)} services  ${variant.padEnd(30)}  ${result.planMs.toFixed(0).padStart(6)} ms` +
        `  cpu ${result.planCpuMs.toFixed(0).padStart(6)} ms  ${result.peakRssMb.toFixed(0).padStart(4)} MB`);
    runs.set(keyOf(variant, count), [...(runs.get(keyOf(variant, count)) ?? []), result]);
}

/** Runs one plan in a fresh process of the tree's `bench/planOnce.ts` and returns what it reported. */
export function planOnce(tree: BenchTree, workDir: string, variant: Variant, count: number, dump?: string): PlanResult {
    const args = ["--import", "tsx", path.join(tree.dir, "bench", "planOnce.ts"), "--variant", variant, "--services", String(count), "--work", workDir];
    if (dump !== undefined) args.push("--dump", dump);
    const child = spawnSync(process.execPath, args, { cwd: tree.dir, encoding: "utf8", timeout: 300_000, maxBuffer: 64 * 2 ** 20 });
    const line = child.stdout?.split("\n").find((l) => l.startsWith("BENCH_RESULT "));
    if (child.status !== 0 || line === undefined) {
        throw new Error(`${tree.dir}/bench/planOnce.ts --variant ${variant} --services ${count} failed (exit ${child.status ?? child.signal}):\n${child.stderr}`);
    }
    return JSON.parse(line.slice("BENCH_RESULT ".length)) as PlanResult;
}

/**
 * Every run of a service count must report the same custom-resource digest, whatever the variant. On a
 * mismatch, dumps components and the first disagreeing variant and describes the first difference.
 */
export function verifySameResources(tree: BenchTree, workDir: string, counts: readonly number[], runs: readonly PlanResult[]): string | undefined {
    for (const count of counts) {
        const atCount = runs.filter((r) => r.services === count);
        const reference = atCount.find((r) => r.variant === "components");
        const other = atCount.find((r) => r.customDigest !== reference?.customDigest);
        if (reference === undefined || other === undefined) continue;
        const [a, b] = [reference.variant, other.variant].map((variant) => {
            const file = path.join(workDir, `dump-${variant}-${count}.json`);
            planOnce(tree, workDir, variant, count, file);
            return JSON.parse(fs.readFileSync(file, "utf8")) as NormalizedResource[];
        });
        return `${tree.dir}: at ${count} services, ${reference.variant} vs ${other.variant}: ${firstDifference(a!, b!)}`;
    }
    return undefined;
}

function firstDifference(a: readonly NormalizedResource[], b: readonly NormalizedResource[]): string {
    const names = (list: readonly NormalizedResource[]) => new Set(list.map((r) => `${r.type}::${r.name}`));
    const onlyA = [...names(a)].filter((n) => !names(b).has(n));
    const onlyB = [...names(b)].filter((n) => !names(a).has(n));
    if (onlyA.length > 0 || onlyB.length > 0) {
        return `only in the first: ${onlyA.slice(0, 5).join(", ") || "-"}; only in the second: ${onlyB.slice(0, 5).join(", ") || "-"}`;
    }
    for (let i = 0; i < a.length; i++) {
        const x = JSON.stringify(a[i]);
        const y = JSON.stringify(b[i]);
        if (x !== y) return `${a[i]!.type}::${a[i]!.name} differs:\n  first:  ${x.slice(0, 600)}\n  second: ${y.slice(0, 600)}`;
    }
    return "digests differ between runs of the same variant (non-deterministic inputs)";
}

/** The figures of one tree's scale runs (unprefixed) and its targets (named with the tree's prefix). */
export function scaleFigures(tree: BenchTree, counts: readonly number[], runs: ScaleRuns, resourcesIdentical: boolean): { figures: Figure[]; targets: Target[] } {
    const figures: Figure[] = [];
    const list = (variant: Variant, count: number) => runs.get(keyOf(variant, count)) ?? [];
    const time = (variant: Variant, count: number) => median(list(variant, count).map((r) => r.planMs));
    const cpu = (variant: Variant, count: number) => median(list(variant, count).map((r) => r.planCpuMs));
    const rss = (variant: Variant, count: number) => median(list(variant, count).map((r) => r.peakRssMb));

    for (const count of counts) {
        figures.push({ name: `resources.n${count}.custom`, value: list("plain", count)[0]!.customResources, unit: "resources" });
        for (const variant of COMPARED) {
            const results = list(variant, count);
            const first = results[0]!;
            figures.push(
                { name: `${variant}.n${count}.componentResources`, value: first.componentResources, unit: "resources" },
                { name: `${variant}.n${count}.planTime`, value: round(time(variant, count)), unit: "ms", samples: results.map((r) => round(r.planMs)) },
                { name: `${variant}.n${count}.planCpu`, value: round(cpu(variant, count)), unit: "ms", samples: results.map((r) => round(r.planCpuMs)) },
                { name: `${variant}.n${count}.msPerService`, value: round(time(variant, count) / count, 2), unit: "ms/service" },
                { name: `${variant}.n${count}.peakRss`, value: round(rss(variant, count), 1), unit: "MB", samples: results.map((r) => round(r.peakRssMb, 1)) },
                { name: `${variant}.n${count}.heapUsedAfterPlan`, value: round(median(results.map((r) => r.heapUsedAfterMb)), 1), unit: "MB" },
                { name: `${variant}.n${count}.startupTime`, value: round(median(results.map((r) => r.startupMs))), unit: "ms" },
            );
            // Counts of SDK work: the same in every run, so they show our overhead without the machine's noise.
            if (first.sdkPromises >= 0) figures.push({ name: `${variant}.n${count}.sdkPromises`, value: first.sdkPromises, unit: "promises" });
            if (first.protobufValues >= 0) figures.push({ name: `${variant}.n${count}.protobufValues`, value: first.protobufValues, unit: "values" });
        }
        const paired = list("components", count).map((r, i) => r.planMs / list("plain", count)[i]!.planMs);
        figures.push(
            { name: `ratio.n${count}.planTime`, value: round(time("components", count) / time("plain", count), 3), unit: "x" },
            { name: `ratio.n${count}.planTimePaired`, value: round(median(paired), 3), unit: "x", samples: paired.map((r) => round(r, 3)) },
            { name: `ratio.n${count}.planCpu`, value: round(cpu("components", count) / cpu("plain", count), 3), unit: "x" },
            { name: `ratio.n${count}.peakRss`, value: round(rss("components", count) / rss("plain", count), 3), unit: "x" },
        );
        const [c, p] = [list("components", count)[0]!, list("plain", count)[0]!];
        if (c.protobufValues >= 0 && p.protobufValues > 0) figures.push({ name: `ratio.n${count}.protobufValues`, value: round(c.protobufValues / p.protobufValues, 3), unit: "x" });
    }

    const largest = counts[counts.length - 1]!;
    const middle = counts[counts.length - 2]!;
    const linearity = (time("components", largest) / largest) / (time("components", middle) / middle);
    figures.push(
        { name: `components.linearity.msPerService.n${largest}/n${middle}`, value: round(linearity, 3), unit: "x" },
        { name: `plain.linearity.msPerService.n${largest}/n${middle}`, value: round((time("plain", largest) / largest) / (time("plain", middle) / middle), 3), unit: "x" },
        { name: "scale.resourcesIdentical", value: resourcesIdentical ? 1 : 0, unit: "bool" },
    );
    const known = (value: number) => (resourcesIdentical ? round(value, 3) : undefined);
    const p = tree.prefix;
    const targets = [
        target(`${p}ratio.n${largest}.planTime`, known(time("components", largest) / time("plain", largest)), "at most", SCALE_TARGETS.timeRatio),
        target(`${p}ratio.n${largest}.peakRss`, known(rss("components", largest) / rss("plain", largest)), "at most", SCALE_TARGETS.peakRssRatio),
        target(`${p}components.linearity.msPerService.n${largest}/n${middle}`, round(linearity, 3), "at most", SCALE_TARGETS.linearity),
    ];
    return { figures, targets };
}

/** Figures of `--diagnose` at the largest count. */
export function diagnosisFigures(count: number, diagnosis: ScaleRuns): Figure[] {
    const runs = (variant: Variant) => diagnosis.get(keyOf(variant, count)) ?? [];
    const time = (variant: Variant) => median(runs(variant).map((r) => r.planMs));
    return DIAGNOSED.flatMap((variant): Figure[] => [
        { name: `diagnose.n${count}.${variant}.planTime`, value: round(time(variant)), unit: "ms", samples: runs(variant).map((r) => round(r.planMs)) },
        { name: `diagnose.n${count}.${variant}.peakRss`, value: round(median(runs(variant).map((r) => r.peakRssMb)), 1), unit: "MB" },
        { name: `diagnose.n${count}.${variant}.componentResources`, value: runs(variant)[0]!.componentResources, unit: "resources" },
        { name: `diagnose.n${count}.${variant}.protobufValues`, value: runs(variant)[0]!.protobufValues, unit: "values" },
        { name: `diagnose.n${count}.${variant}.timeRatioToPlain`, value: round(time(variant) / time("plain"), 3), unit: "x" },
    ]);
}

/** Key of a variant at a count in {@link ScaleRuns}. */
export function keyOf(variant: Variant, count: number): string {
    return `${variant}:${count}`;
}
