import { describe, expect, it } from "vitest";
import { mainJobFigures, mainJobProblems, type MainJobRuns, type TimedRun } from "../../bench/mainJob";

const phases = (bundling: number) => [
    { name: "processStart", ms: 300, startMs: 0 },
    { name: "bundling", ms: bundling, startMs: 900 },
];
const run = (wallMs: number, bundling?: number): TimedRun => ({ wallMs, phases: bundling === undefined ? [] : phases(bundling) });

function runs(overrides: Partial<MainJobRuns> = {}): MainJobRuns {
    return {
        tree: { dir: "/repo", prefix: "after." },
        report: "/work/plan.json",
        resourceMismatch: undefined,
        withPolicies: [run(3000, 40), run(3200, 50), run(3100, 45)],
        withoutPolicies: [run(2800), run(2850), run(2900)],
        plain: [run(2000), run(2200), run(2100)],
        cold: [run(4000, 900), run(4100, 1000)],
        warm: [run(3100, 100), run(3000, 200)],
        outputDifferences: [undefined, undefined],
        ...overrides,
    };
}

const value = (figures: readonly { name: string; value: number }[], name: string) => figures.find((f) => f.name === name)?.value;

describe("main job figures", () => {
    it("reports each phase's median, the end-to-end ratio to the plain program, the policy pack's added wall time and the bundling speed-up", () => {
        const { figures, targets } = mainJobFigures(runs());
        expect(value(figures, "mainJob.phases.bundling.ms")).toBe(45);
        expect(value(figures, "mainJob.phases.processStart.startMs")).toBe(0);
        expect(value(figures, "mainJob.endToEnd.ratioToPlain")).toBe(1.476);
        expect(figures.find((f) => f.name === "mainJob.endToEnd.ratioToPlain")?.samples).toEqual([1.5, 1.455, 1.476]);
        expect(value(figures, "mainJob.policyPackStart.addedWall")).toBe(250);
        expect(value(figures, "mainJob.bundling.coldOverWarm")).toBe(6.33);
        expect(value(figures, "mainJob.bundling.outputIdentical")).toBe(1);
        expect(targets).toEqual([
            { figure: "after.mainJob.endToEnd.ratioToPlain", rule: "≤ 1.5", value: 1.476, met: true },
            { figure: "after.mainJob.policyPackStart.addedWall", rule: "≤ 500", value: 250, met: true },
            { figure: "after.mainJob.bundling.coldOverWarm", rule: "≥ 3", value: 6.33, met: true },
        ]);
    });

    it("misses the bundling target when cold and warm output differ, and says which file", () => {
        const differing = runs({ outputDifferences: [undefined, "staging/api/wrangler.jsonc"] });
        const { figures, targets } = mainJobFigures(differing);
        expect(value(figures, "mainJob.bundling.outputIdentical")).toBe(0);
        expect(targets[2]).toMatchObject({ value: undefined, met: false });
        expect(mainJobProblems(differing)).toEqual(["/repo: cold and warm plans wrote different output: staging/api/wrangler.jsonc"]);
    });

    it("has no phase or bundling-phase figures for a plan that writes no timings, and no ratio when the plain program declares other resources", () => {
        const old = runs({
            withPolicies: [run(7000), run(7200)], cold: [run(7100)], warm: [run(7000)],
            resourceMismatch: "cloudflare:index/healthcheck:Healthcheck::staging-api-health-check is missing",
        });
        const { figures, targets } = mainJobFigures(old);
        expect(figures.some((f) => f.name.startsWith("mainJob.phases."))).toBe(false);
        expect(value(figures, "mainJob.bundling.coldOverWarm")).toBeUndefined();
        expect(value(figures, "mainJob.bundling.coldWall")).toBe(7100);
        expect(value(figures, "mainJob.endToEnd.sameResourcesAsPlain")).toBe(0);
        expect(targets.map((t) => t.met)).toEqual([false, false, false]);
        expect(mainJobProblems(old)[0]).toContain("the plain program does not declare the main job's resources");
    });
});
