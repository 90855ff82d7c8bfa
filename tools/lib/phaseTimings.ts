/**
 * Where `npm run plan` spends its time, phase by phase, for `npm run bench`: with the environment variable
 * `PLATFORM_PLAN_TIMINGS=<file>` set, the plan writes at exit
 *
 *     { "phases": [{ "name": "config", "ms": 12.3, "startMs": 845.1 }, ...] }
 *
 * to that file: each phase's duration and its start, both in milliseconds since the process started
 * (`performance.timeOrigin`; `performance.now()` reads time since then). Phases that run in parallel (the
 * policy pack starts while the program runs) overlap; `startMs` places them. A phase that did not happen (no
 * `policyPackStart` with `--no-policies`, nothing after a failed config) is left out.
 *
 * Phases are measured between User Timing marks (`performance.mark`, Node's `perf_hooks`) named
 * `platform:<moment>` (see {@link PHASE_MARKS}): the program sets the marks of its own moments with
 * `performance.mark` (`platform:config` in `infra/program.ts`, `platform:bundling` and `platform:bundled` in
 * `infra/serviceFiles.ts`), so it needs nothing of the tools; the plan sets the rest through {@link mark}.
 * Marks cost next to nothing, so they are always set; only the file is optional.
 *
 * This module must be the first import of `tools/plan.ts`: loading it ends `processStart`.
 */
// Only Node built-ins and a light module before the `plan` mark below: whatever loads first counts as process start
// (hence no zod for the one string checked below).
import * as fs from "node:fs";
import { performance } from "node:perf_hooks";
import { UserError } from "../../components/validation";

/** The phases of the plan, in the order they start. */
export const PHASES = [
    /** Node's start to the first line of `tools/plan.ts`: Node, tsx, this module. */
    "processStart",
    /** The first line of `tools/plan.ts` to the program's first line of its own: the tool's and the program's modules, stack files, the mock engine. */
    "programLoad",
    /** Stack config and service declarations validated (`infra/program.ts`). */
    "config",
    /** Every service's entry module bundled and checked (`infra/serviceFiles.ts`). */
    "bundling",
    /** The program's resources declared until the mock engine has answered every registration. */
    "registrations",
    /** The policy pack built (or found in the cache), spawned, and connected: runs beside the program. */
    "policyPackStart",
    /** Configuring the pack and the `Analyze` / `AnalyzeStack` calls, once both the program and the pack are ready. */
    "analysis",
    /** The preview, the policy report and the files (wrangler, `--json`, `--sarif`) rendered, written and printed. */
    "reportWriting",
] as const;

/** A phase name. */
export type Phase = (typeof PHASES)[number];

/** The moments marked: `platform:<moment>`. */
export type Moment =
    | "plan" | "config" | "bundling" | "bundled" | "registered"
    | "packStarting" | "packReady" | "analysisStarting" | "analyzed" | "reportStarting" | "reported";

/**
 * Each phase after `processStart` runs from its first moment to its second. `config` ends where bundling
 * starts, and `registrations` starts where bundling ends (the rest of the program declares resources).
 */
export const PHASE_MARKS: Readonly<Record<Exclude<Phase, "processStart">, readonly [Moment, Moment]>> = {
    programLoad: ["plan", "config"],
    config: ["config", "bundling"],
    bundling: ["bundling", "bundled"],
    registrations: ["bundled", "registered"],
    policyPackStart: ["packStarting", "packReady"],
    analysis: ["analysisStarting", "analyzed"],
    reportWriting: ["reportStarting", "reported"],
};

/** One measured phase in the file. */
export interface PhaseTiming {
    readonly name: Phase;
    /** Duration, ms. */
    readonly ms: number;
    /** Start, ms since the process started (`performance.timeOrigin`). */
    readonly startMs: number;
}

/** The environment variable naming the file to write. */
export const TIMINGS_ENV = "PLATFORM_PLAN_TIMINGS";

/** Sets the mark `platform:<moment>` now. */
export function mark(moment: Moment): void {
    performance.mark(`platform:${moment}`);
}

// Loading this module ends `processStart` and starts `programLoad`.
mark("plan");

/**
 * The phases measured so far: `processStart` (from 0 to this module's load), then every phase whose two
 * marks are set (the last of each, should a moment be marked twice), in the order of {@link PHASES}.
 */
export function phaseTimings(): PhaseTiming[] {
    const marks = new Map(performance.getEntriesByType("mark").map((m) => [m.name, m.startTime]));
    const at = (moment: Moment) => marks.get(`platform:${moment}`);
    return PHASES.flatMap((name): PhaseTiming[] => {
        if (name === "processStart") return [{ name, ms: at("plan")!, startMs: 0 }];
        const [from, to] = PHASE_MARKS[name];
        const start = at(from);
        const end = at(to);
        return start === undefined || end === undefined ? [] : [{ name, ms: end - start, startMs: start }];
    });
}

/**
 * When `PLATFORM_PLAN_TIMINGS` is set, arranges for {@link phaseTimings} to be written there as JSON when the
 * process exits (whatever its exit code).
 * @throws {UserError} naming `PLATFORM_PLAN_TIMINGS` when it is set to an empty string.
 */
export function writePhaseTimingsAtExit(env: NodeJS.ProcessEnv = process.env): void {
    const file = env[TIMINGS_ENV];
    if (file === undefined) return;
    if (file === "") throw new UserError(`${TIMINGS_ENV}: expected the path of a file to write the phase timings to, got an empty string`);
    process.once("exit", () => {
        try {
            fs.writeFileSync(file, JSON.stringify({ phases: phaseTimings() }, null, 2) + "\n");
        } catch (error) {
            process.stderr.write(`warning: ${TIMINGS_ENV}: cannot write ${file}: ${(error as Error).message}\n`);
        }
    });
}
