/**
 * One measurement of policy evaluation throughput over the analyzer protocol:
 *   node --import tsx bench/policyOnce.ts --resources N --work <dir> [--pack <dir>]
 *
 * Plans enough generated services (bench/fixture.ts) to register at least N resources, keeps the first N
 * (a prefix of the registration order is a consistent stack), then runs the
 * policy pack at `--pack` (default: the repository's `policies/`; `bench/emptyPolicyPack` for the protocol's own
 * cost) over them exactly as the offline plan does (its own process, Remediate + Analyze per resource, then
 * AnalyzeStack) with the pack's production policy config (`<pack>/config/production.json`, none when the pack
 * has no such file). Prints one line
 * `BENCH_RESULT {json}` with the resource count and the time of each phase in milliseconds.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { parseArgs } from "node:util";
import { runPolicyPack, type PolicyPackConfig } from "../tools/lib/analyzer";
import { runOffline } from "../tools/lib/mockEngine";
import { componentsProgram } from "./componentsProgram";
import { engineConfig, PROJECT, serviceSpecs, STACK, writeFixture } from "./fixture";

/** Resources the components variant registers per service, rounded down (see results.json). */
const RESOURCES_PER_SERVICE = 7;

/** What one run reports. */
export interface PolicyBenchResult {
    readonly resources: number;
    readonly analyzeCalls: number;
    readonly violations: number;
    /** Pack process start until connected, ms. */
    readonly startMs: number;
    /** Remediate + Analyze for every resource, then AnalyzeStack, ms. */
    readonly evaluateMs: number;
    /** Whole runPolicyPack call, ms. */
    readonly totalMs: number;
}

async function main(): Promise<void> {
    const { values } = parseArgs({ options: { resources: { type: "string", default: "2000" }, work: { type: "string" }, pack: { type: "string" } } });
    const target = Number(values.resources);
    const workDir = path.resolve(values.work ?? path.join(__dirname, ".work", `policy-${process.pid}`));
    const specs = serviceSpecs(workDir, Math.ceil(target / RESOURCES_PER_SERVICE));
    writeFixture(workDir, specs);
    const run = await runOffline({ project: PROJECT, stack: STACK, config: engineConfig(specs), program: () => componentsProgram(specs) });
    // A prefix of the registration order is a consistent stack: parents and dependencies register first.
    const resources = run.resources.slice(0, target);
    const packDir = path.resolve(values.pack ?? path.join(__dirname, "..", "policies"));
    const configFile = path.join(packDir, "config", "production.json");
    const policyConfig = fs.existsSync(configFile) ? JSON.parse(fs.readFileSync(configFile, "utf8")) as PolicyPackConfig : {};
    const result = await runPolicyPack({ packDir, resources, project: PROJECT, stack: STACK, policyConfig });
    const t = result.timings;
    const report: PolicyBenchResult = {
        resources: resources.length,
        analyzeCalls: t.analyzeCalls,
        violations: result.violations.length,
        startMs: t.startMs,
        evaluateMs: t.analyzeMs + t.remediateMs + t.analyzeStackMs,
        totalMs: t.totalMs,
    };
    console.log(`BENCH_RESULT ${JSON.stringify(report)}`);
}

main().catch((error) => {
    console.error(error);
    process.exit(1);
});
