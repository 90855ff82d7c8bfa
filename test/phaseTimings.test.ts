/**
 * The plan's phase timings (tools/lib/phaseTimings.ts): with PLATFORM_PLAN_TIMINGS=<file>, `npm run plan`
 * writes `{ phases: [{ name, ms, startMs }] }` at exit, each phase between its marks, the policy pack starting
 * beside the program. Orders are asserted, never durations.
 */
import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { mark, PHASE_MARKS, PHASES, phaseTimings, TIMINGS_ENV, type PhaseTiming } from "../tools/lib/phaseTimings";

const projectDir = path.resolve(__dirname, "..");
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), "phase-timings-test-"));
afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));

/** Runs `npm run plan` as users do, with PLATFORM_PLAN_TIMINGS set to `timings`. */
function plan(timings: string, ...args: string[]) {
    return spawnSync(process.execPath, ["--import", "tsx", path.join(projectDir, "tools", "plan.ts"), "--stack", "staging", "--out", path.join(tmp, "out"), ...args], {
        cwd: projectDir, encoding: "utf8", timeout: 180_000, env: { ...process.env, [TIMINGS_ENV]: timings },
    });
}

const byName = (phases: readonly PhaseTiming[]) => new Map(phases.map((p) => [p.name, p]));
const end = (p: PhaseTiming) => p.startMs + p.ms;

describe("phaseTimings", () => {
    it("measures each phase between its two marks, and leaves out a phase not yet ended", () => {
        for (const [phase, [from, to]] of Object.entries(PHASE_MARKS)) {
            if (phase === "reportWriting") continue;
            mark(from);
            mark(to);
        }
        mark("reportStarting");
        const phases = phaseTimings();
        expect(phases.map((p) => p.name)).toEqual(PHASES.filter((p) => p !== "reportWriting"));
        const at = byName(phases);
        expect(at.get("processStart")!.startMs).toBe(0);
        for (const p of phases) expect(p.ms).toBeGreaterThanOrEqual(0);
        // config ends where bundling starts, registrations start where bundling ends.
        expect(end(at.get("config")!)).toBe(at.get("bundling")!.startMs);
        expect(at.get("registrations")!.startMs).toBe(end(at.get("bundling")!));
        mark("reported");
        expect(phaseTimings().map((p) => p.name)).toEqual([...PHASES]);
    });
});

describe("PLATFORM_PLAN_TIMINGS", () => {
    it("gets every phase of a plan with policies, in order, the pack starting before the program's config", () => {
        const file = path.join(tmp, "with-policies.json");
        const result = plan(file);
        expect(result.status, result.stderr).toBe(0);
        const { phases } = JSON.parse(fs.readFileSync(file, "utf8")) as { phases: PhaseTiming[] };
        expect(phases.map((p) => p.name)).toEqual([...PHASES]);
        for (const p of phases) {
            expect(Object.keys(p).sort()).toEqual(["ms", "name", "startMs"]);
            expect(p.ms).toBeGreaterThanOrEqual(0);
        }
        const at = byName(phases);
        const sequence = ["processStart", "programLoad", "config", "bundling", "registrations"] as const;
        for (let i = 1; i < sequence.length; i++) expect(at.get(sequence[i]!)!.startMs).toBeCloseTo(end(at.get(sequence[i - 1]!)!), 6);
        // The pack starts beside the program, before its config; the analysis waits for both.
        expect(at.get("policyPackStart")!.startMs).toBeLessThan(at.get("config")!.startMs);
        expect(at.get("analysis")!.startMs).toBeGreaterThanOrEqual(Math.max(end(at.get("registrations")!), end(at.get("policyPackStart")!)));
        expect(at.get("reportWriting")!.startMs).toBeGreaterThanOrEqual(end(at.get("analysis")!));
    }, 200_000);

    it("has no pack phases with --no-policies", () => {
        const file = path.join(tmp, "no-policies.json");
        const result = plan(file, "--no-policies");
        expect(result.status, result.stderr).toBe(0);
        const { phases } = JSON.parse(fs.readFileSync(file, "utf8")) as { phases: PhaseTiming[] };
        expect(phases.map((p) => p.name)).toEqual(PHASES.filter((p) => p !== "policyPackStart" && p !== "analysis"));
    }, 200_000);

    it("exits 2 naming the variable when it is empty", () => {
        const result = plan("", "--no-policies");
        expect(result.status).toBe(2);
        expect(result.stderr).toBe(`error: ${TIMINGS_ENV}: expected the path of a file to write the phase timings to, got an empty string\n`);
    }, 200_000);
});
