/**
 * The Neon figures of `npm run bench`: `bench/neonBranches.ts` run once in a fresh process (creating branches
 * under simulated operation latency; its own exit code says whether its targets held). An extra figure group of
 * `bench/run.ts`, measured once for the bench's own tree.
 */
import { spawnSync } from "node:child_process";
import * as path from "node:path";
import type { Figure } from "./figures";

/** What `bench/neonBranches.ts` reports (the fields recorded here). */
interface NeonBenchResult {
    readonly branches: number;
    readonly wallMs: number;
    readonly minimumMs: number;
    readonly ratio: number;
    readonly requestsPerBranch: number;
    readonly peakRequestsPerSecond: number;
    readonly sustainedRequestsPerMinute: number;
    readonly specViolations: number;
}

/** Runs `bench/neonBranches.ts` once in a fresh process (its own exit code says whether its targets held). */
export function measureNeon(): NeonBenchResult & { readonly targetsMet: boolean } {
    const child = spawnSync(process.execPath, ["--import", "tsx", path.join(__dirname, "neonBranches.ts")], { cwd: path.resolve(__dirname, ".."), encoding: "utf8", timeout: 300_000 });
    const line = child.stdout?.split("\n").find((l) => l.startsWith("BENCH_RESULT "));
    if (line === undefined || (child.status !== 0 && child.status !== 1)) {
        throw new Error(`neonBranches failed (exit ${child.status ?? child.signal}):\n${child.stderr}`);
    }
    const result = JSON.parse(line.slice("BENCH_RESULT ".length)) as NeonBenchResult;
    console.log(`neon: ${result.branches} branches in ${result.wallMs} ms, minimum ${result.minimumMs} ms, ratio ${result.ratio}`);
    return { ...result, targetsMet: child.status === 0 };
}

/** Neon figures: creating branches under simulated operation latency (issue: ratio target < 1.15, under 700 requests/min). */
export function neonFigures(neon: ReturnType<typeof measureNeon>): Figure[] {
    const n = neon.branches;
    return [
        { name: `neon.n${n}.createTime`, value: neon.wallMs, unit: "ms" },
        { name: `neon.n${n}.minimumTime`, value: neon.minimumMs, unit: "ms" },
        { name: `neon.n${n}.ratio`, value: neon.ratio, unit: "x" },
        { name: `neon.n${n}.requestsPerBranch`, value: neon.requestsPerBranch, unit: "requests/branch" },
        { name: `neon.n${n}.peakRequestRate`, value: neon.peakRequestsPerSecond, unit: "requests/s" },
        { name: `neon.n${n}.sustainedRequestRate`, value: neon.sustainedRequestsPerMinute, unit: "requests/min" },
        { name: `neon.n${n}.targetsMet`, value: neon.targetsMet ? 1 : 0, unit: "bool" },
    ];
}
