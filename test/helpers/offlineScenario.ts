/**
 * Runs the platform program under the SDK's mock engine for one scenario, in a child process under tsx
 * (`offlineScenarioChild.ts`; one program per process, since the SDK keeps global state, and the way the
 * engine runs the program), and returns what was registered.
 */
import { spawn } from "node:child_process";
import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import * as os from "node:os";
import * as path from "node:path";
import type { EngineConfig } from "../../tools/lib/stackFiles";
import type { ResourceRecord } from "../../tools/lib/mockEngine";

/** One offline run. */
export interface Scenario {
    readonly stack: string;
    readonly config: EngineConfig;
    /** Services of `test/fixtures/deploySafety/services.ts`, by name. */
    readonly services: readonly string[];
    /** Run as `pulumi preview` (true) or `pulumi up` (false). @default true */
    readonly preview?: boolean;
    /** Outputs of other stacks for stack references (see `runOffline`). */
    readonly stackOutputs?: Record<string, Record<string, unknown>>;
}

/** What a scenario produced. */
export interface ScenarioResult {
    /** Exit code of the child: 0, or 1 when the program failed. */
    readonly code: number | null;
    /** Registered resources (secrets masked) when it succeeded. */
    readonly resources: ResourceRecord[];
    /** The stack outputs (secrets masked) when it succeeded. */
    readonly outputs: Record<string, unknown>;
    readonly stdout: string;
    readonly stderr: string;
}

/** Runs a scenario in a child process under tsx, with extra environment variables. */
export async function runScenario(scenario: Scenario, env: NodeJS.ProcessEnv = {}): Promise<ScenarioResult> {
    const dir = await mkdtemp(path.join(os.tmpdir(), "offline-scenario-"));
    try {
        const input = path.join(dir, "scenario.json");
        const output = path.join(dir, "result.json");
        await writeFile(input, JSON.stringify(scenario));
        const { code, stdout, stderr } = await new Promise<{ code: number | null; stdout: string; stderr: string }>((resolve, reject) => {
            const child = spawn(process.execPath, ["--import", "tsx", path.join(__dirname, "offlineScenarioChild.ts"), input, output], {
                cwd: path.resolve(__dirname, "..", ".."), env: { ...process.env, ...env }, stdio: ["ignore", "pipe", "pipe"],
            });
            let out = "";
            let err = "";
            child.stdout!.on("data", (c: Buffer) => { out += c.toString(); });
            child.stderr!.on("data", (c: Buffer) => { err += c.toString(); });
            child.on("error", reject);
            child.on("close", (exit) => resolve({ code: exit, stdout: out, stderr: err }));
        });
        const result = code === 0 ? JSON.parse(await readFile(output, "utf8")) as Pick<ScenarioResult, "resources" | "outputs"> : { resources: [], outputs: {} };
        return { code, ...result, stdout, stderr };
    } finally {
        await rm(dir, { recursive: true, force: true });
    }
}

/**
 * The resource registered as `name` by a scenario that must have succeeded.
 * @throws Error with the child's stderr when the scenario failed, or naming the resources that were registered
 *   when none is called `name`.
 */
export function scenarioResource(run: ScenarioResult, name: string): ResourceRecord {
    if (run.code !== 0) throw new Error(`the scenario exited with ${run.code}:\n${run.stderr}`);
    const found = run.resources.find((r) => r.name === name);
    if (found === undefined) throw new Error(`no resource ${name}; have ${run.resources.map((r) => r.name).join(", ")}`);
    return found;
}
