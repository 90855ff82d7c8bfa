/**
 * Child-process entry of `runEngine` (`engine.ts`): one operation of the real Pulumi CLI on an inline
 * program, through the Automation API, under tsx (so dynamic providers serialize as under `pulumi up`):
 *
 *   node --import tsx test/helpers/engineChild.ts <request.json> <result.json>
 *
 * Always exits 0 after writing an {@link EngineResult}; a failed operation is `ok: false` with the CLI's
 * exit code and output. Exits 1 only when the request could not be run at all.
 */
import { readFile, writeFile } from "node:fs/promises";
import { pathToFileURL } from "node:url";
import { CommandError, LocalWorkspace, PulumiCommand, type EngineEvent, type OutputMap } from "@pulumi/pulumi/automation";
import type { EngineRequest, EngineResult } from "./engine";

/** The inline program: the module's named export called with `args`, or the module itself as a program's `main`. */
function inlineProgram(request: EngineRequest): () => Promise<Record<string, unknown>> {
    const spec = request.program;
    // refresh and destroy run no program, but an inline stack still needs one.
    if (spec === undefined) return async () => ({});
    return async () => {
        const loaded = await import(pathToFileURL(spec.module).href) as Record<string, unknown>;
        if (spec.export === undefined) {
            // A `main` module: its exports are the stack outputs (a CommonJS module's `default` is the same object again).
            const { default: _cjs, ...exports } = loaded;
            return exports;
        }
        const fn = loaded[spec.export] as ((args: unknown) => unknown) | undefined;
        if (typeof fn !== "function") throw new Error(`${spec.module} has no function ${spec.export}`);
        return (await fn(spec.args)) as Record<string, unknown> ?? {};
    };
}

/** Runs the request's operation and describes what happened. */
async function runOperation(request: EngineRequest): Promise<EngineResult> {
    const pulumiCommand = await PulumiCommand.get({ root: request.cliRoot });
    const program = inlineProgram(request);
    const stack = await LocalWorkspace.createOrSelectStack(
        { stackName: request.stack, projectName: request.project, program },
        {
            workDir: request.workDir, pulumiCommand, secretsProvider: "passphrase",
            ...(request.projectSettings ? { projectSettings: { name: request.project, runtime: "nodejs" } } : {}),
        },
    );
    if (request.config !== undefined && Object.keys(request.config).length > 0) await stack.setAllConfig(request.config);
    const events: EngineEvent[] = [];
    let output = "";
    const common = {
        onEvent: (event: EngineEvent) => { events.push(event); },
        onOutput: (text: string) => { output += text; },
        ...(request.policyPacks ? { policyPacks: [...request.policyPacks] } : {}),
        ...(request.policyPackConfigs ? { policyPackConfigs: [...request.policyPackConfigs] } : {}),
    };
    try {
        let summary: Record<string, number> | undefined;
        let outputs: OutputMap | undefined;
        let stdout: string;
        let stderr: string;
        switch (request.command) {
            case "up": {
                const r = await stack.up({ ...common, ...(request.expectNoChanges ? { expectNoChanges: true } : {}) });
                ({ stdout, stderr, outputs } = r);
                summary = r.summary.resourceChanges as Record<string, number>;
                break;
            }
            case "preview": {
                const r = await stack.preview({ ...common, ...(request.expectNoChanges ? { expectNoChanges: true } : {}) });
                ({ stdout, stderr } = r);
                summary = r.changeSummary as Record<string, number>;
                break;
            }
            case "refresh": {
                const r = await stack.refresh({ onEvent: common.onEvent, onOutput: common.onOutput });
                ({ stdout, stderr } = r);
                summary = r.summary.resourceChanges as Record<string, number>;
                break;
            }
            case "destroy": {
                const r = await stack.destroy({ onEvent: common.onEvent, onOutput: common.onOutput });
                ({ stdout, stderr } = r);
                summary = r.summary.resourceChanges as Record<string, number>;
                break;
            }
        }
        return { ok: true, exitCode: 0, stdout, stderr, events, summary: summary ?? {}, ...(outputs ? { outputs } : {}) };
    } catch (error) {
        if (!(error instanceof CommandError)) throw error;
        const result = (error as unknown as { commandResult: { stdout: string; stderr: string; code: number } }).commandResult;
        return { ok: false, exitCode: result.code, stdout: result.stdout || output, stderr: result.stderr, events, summary: {} };
    }
}

async function main(input: string, output: string): Promise<void> {
    const request = JSON.parse(await readFile(input, "utf8")) as EngineRequest;
    await writeFile(output, JSON.stringify(await runOperation(request)));
}

main(process.argv[2]!, process.argv[3]!).then(() => process.exit(0), (error: Error) => {
    process.stderr.write(`${error.stack ?? error.message}\n`);
    process.exit(1);
});
