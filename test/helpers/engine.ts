/**
 * The real Pulumi engine for tests: the CLI that `npm run pulumi-cli` provides, run through the
 * Automation API on inline programs (the Node.js language host cannot be built here), against a
 * `file://` backend in a temporary folder with a passphrase secrets provider, and nothing from the
 * network: `PULUMI_SKIP_UPDATE_CHECK`, `PULUMI_DISABLE_AUTOMATIC_PLUGIN_ACQUISITION`, and this repository's
 * launchers (`tools/engine/`) on PATH for the dynamic provider plugin and the policy pack.
 *
 * Each operation runs in a child process under tsx (`engineChild.ts`): the SDK keeps global state, and
 * closure serialization of dynamic providers must happen as under `pulumi up`, not under vitest.
 */
import { spawn } from "node:child_process";
import { randomBytes } from "node:crypto";
import { accessSync, constants, existsSync } from "node:fs";
import { mkdir, mkdtemp, readFile, readdir, rm, writeFile } from "node:fs/promises";
import * as os from "node:os";
import * as path from "node:path";
import type { EngineEvent, OutputMap } from "@pulumi/pulumi/automation";
import { findPulumiCli, type PulumiCli } from "../../tools/pulumi-cli/ensure";

/** This repository's root. */
const ROOT = path.resolve(__dirname, "..", "..");
/** The folder of the launchers the engine loads by name (`pulumi-resource-pulumi-nodejs`, `policy-pack`). */
export const ENGINE_LAUNCHERS = path.join(ROOT, "tools", "engine");
/** The executable policy pack: `--policy-pack` runs it with the engine's address (this repository's `policies/`). */
export const POLICY_PACK_LAUNCHER = path.join(ENGINE_LAUNCHERS, "policy-pack");
/** Longest one operation may take before its processes are killed, ms. */
const OPERATION_TIMEOUT_MS = 240_000;

/**
 * The CLI the engine tests use.
 * @throws when there is none, saying to run `npm run pulumi-cli` (CI does so before `npm test`).
 */
export async function requirePulumiCli(): Promise<PulumiCli> {
    const cli = await findPulumiCli();
    if (cli === undefined) {
        throw new Error("The engine tests need the Pulumi CLI and found none: run `npm run pulumi-cli` once " +
            "(it uses a `pulumi` 3.255 or later on PATH, or builds the pinned v3.276.0 with Go: 5 to 7 minutes the first time).");
    }
    return cli;
}

/**
 * The engine runs the launchers by name (PATH) and by path (`--policy-pack`): they must be executable.
 * @throws naming the file when one is not (its mode was lost, e.g. added to git without the x bit).
 */
function requireExecutableLaunchers(): void {
    for (const launcher of [path.join(ENGINE_LAUNCHERS, "pulumi-resource-pulumi-nodejs"), POLICY_PACK_LAUNCHER]) {
        try {
            accessSync(launcher, constants.X_OK);
        } catch {
            throw new Error(`${path.relative(ROOT, launcher)} is not executable: git must record it with mode 100755 ` +
                `(chmod +x it, then \`git update-index --chmod=+x ${path.relative(ROOT, launcher)}\`).`);
        }
    }
}

/** A config value as the Automation API sets it (`pulumi config set [--secret]`); objects as JSON text. */
export interface ConfigEntry {
    readonly value: string;
    readonly secret?: boolean;
}

/** The program an operation runs: an export of a module called with `args`, or a module run as `main`. */
export interface EngineProgram {
    /** Absolute path of the module (TypeScript, loaded under tsx). */
    readonly module: string;
    /** Name of the exported function returning the stack outputs. @default the module is the program */
    readonly export?: string;
    /** JSON argument of that function. */
    readonly args?: unknown;
}

/** One engine operation on one stack. */
export interface EngineOperation {
    readonly stack: string;
    readonly command: "up" | "preview" | "refresh" | "destroy";
    /** Needed for `up` and `preview`; `refresh` and `destroy` use the state only. */
    readonly program?: EngineProgram;
    /** Config keys (`project:key`) set before the operation. */
    readonly config?: Readonly<Record<string, ConfigEntry>>;
    /** Extra environment of the CLI and its plugins (e.g. `NEON_API_HOST`). */
    readonly env?: Readonly<Record<string, string>>;
    /** `--policy-pack` values. */
    readonly policyPacks?: readonly string[];
    /** `--policy-pack-config` values. */
    readonly policyPackConfigs?: readonly string[];
    /** `--expect-no-changes`: fail when anything would change. */
    readonly expectNoChanges?: boolean;
}

/** What the child is given (an {@link EngineOperation} made concrete). */
export interface EngineRequest extends Omit<EngineOperation, "env"> {
    readonly cliRoot: string;
    readonly workDir: string;
    readonly project: string;
    /** Whether the Automation API must write a Pulumi.yaml (none in `workDir` yet). */
    readonly projectSettings: boolean;
}

/** What one operation did. */
export interface EngineResult {
    /** Whether the CLI succeeded. */
    readonly ok: boolean;
    /** The CLI's exit code. */
    readonly exitCode: number;
    readonly stdout: string;
    readonly stderr: string;
    /** Every engine event, in order (what `--event-log` records). */
    readonly events: EngineEvent[];
    /** Resource changes by operation (`create`, `same`, `update`, `replace`, `delete`, ...); empty on failure. */
    readonly summary: Record<string, number>;
    /** The stack outputs after an `up` (decrypted, with their secret flags). */
    readonly outputs?: OutputMap;
}

/** A resource in `pulumi stack export`. */
export interface ExportedResource {
    readonly urn: string;
    readonly type: string;
    readonly id?: string;
    readonly parent?: string;
    readonly protect?: boolean;
    readonly inputs?: Record<string, unknown>;
    readonly outputs?: Record<string, unknown>;
}

/** The exported resource whose URN ends with `::name`. */
export function exportedResource(resources: readonly ExportedResource[], name: string): ExportedResource | undefined {
    return resources.find((r) => r.urn.endsWith(`::${name}`));
}

/** A project in a `file://` backend of its own. */
export interface EngineProject {
    /** Temporary folder holding everything below (removed by {@link EngineProject.remove}). */
    readonly dir: string;
    /** The backend's folder (`file://<backendDir>`): the stacks' state files. */
    readonly backendDir: string;
    /** Folder of Pulumi.yaml and the stacks' config files. */
    readonly workDir: string;
    readonly project: string;
    readonly cli: PulumiCli;
    /** The environment every CLI run gets (backend, passphrase, no network, launchers on PATH). */
    readonly env: Readonly<Record<string, string>>;
    /** Runs one operation; never throws for a failed operation (see {@link EngineResult.ok}). */
    run(operation: EngineOperation): Promise<EngineResult>;
    /** Runs the CLI with `args` in {@link workDir} (e.g. `stack export`). */
    pulumi(args: readonly string[], env?: Readonly<Record<string, string>>): Promise<{ code: number | null; stdout: string; stderr: string }>;
    /** `pulumi stack export` (secrets stay encrypted): the stack's resources as the state holds them. */
    exportStack(stack: string): Promise<ExportedResource[]>;
    /** Every file of the backend (state, backups, history) and the stack config files, with their text. */
    stateFiles(): Promise<{ file: string; text: string }[]>;
    /** Removes the temporary folder. */
    remove(): Promise<void>;
}

/** Options of {@link createEngineProject}. */
export interface EngineProjectOptions {
    /** Project name. */
    readonly project: string;
    /**
     * An existing folder with Pulumi.yaml (and stack files) to run in.
     * @default a new folder; the Automation API writes Pulumi.yaml there
     */
    readonly workDir?: string;
}

/**
 * A project in a new temporary `file://` backend.
 * @throws when the CLI is missing ({@link requirePulumiCli}).
 */
export async function createEngineProject(options: EngineProjectOptions): Promise<EngineProject> {
    const cli = await requirePulumiCli();
    requireExecutableLaunchers();
    const dir = await mkdtemp(path.join(os.tmpdir(), "engine-"));
    const backendDir = path.join(dir, "backend");
    const workDir = options.workDir ?? path.join(dir, "project");
    await Promise.all([mkdir(backendDir), mkdir(workDir, { recursive: true }), mkdir(path.join(dir, "home"))]);
    const env = engineEnv(cli, backendDir, path.join(dir, "home"));
    const project: EngineProject = {
        dir, backendDir, workDir, project: options.project, cli, env,
        run: (operation) => runOperation(project, operation),
        pulumi: (args, extra = {}) => runProcess(cli.bin, [...args, "--cwd", workDir, "--non-interactive"], { ...env, ...extra }, workDir),
        exportStack: async (stack) => {
            const exported = await project.pulumi(["stack", "export", "--stack", stack]);
            if (exported.code !== 0) throw new Error(`pulumi stack export --stack ${stack} failed (exit ${exported.code}):\n${exported.stderr}`);
            return (JSON.parse(exported.stdout) as { deployment: { resources?: ExportedResource[] } }).deployment.resources ?? [];
        },
        stateFiles: async () => {
            const files = [...await listFiles(backendDir), ...(await readdir(workDir)).filter((f) => /^Pulumi\..+\.yaml$/.test(f)).map((f) => path.join(workDir, f))];
            return Promise.all(files.map(async (file) => ({ file, text: await readFile(file, "utf8") })));
        },
        remove: () => rm(dir, { recursive: true, force: true }),
    };
    return project;
}

/** The environment of every engine run: offline, file backend, passphrase, our launchers first on PATH. */
function engineEnv(cli: PulumiCli, backendDir: string, home: string): Record<string, string> {
    return {
        PULUMI_BACKEND_URL: `file://${backendDir}`,
        PULUMI_CONFIG_PASSPHRASE: `test-passphrase-${randomBytes(6).toString("hex")}`,
        PULUMI_HOME: home,
        PULUMI_SKIP_UPDATE_CHECK: "true",
        PULUMI_DISABLE_AUTOMATIC_PLUGIN_ACQUISITION: "true",
        PATH: [ENGINE_LAUNCHERS, path.dirname(cli.bin), process.env.PATH ?? ""].join(path.delimiter),
    };
}

/** Runs one operation in a child process under tsx and reads back its result. */
async function runOperation(project: EngineProject, operation: EngineOperation): Promise<EngineResult> {
    const scratch = await mkdtemp(path.join(project.dir, "op-"));
    try {
        const request: EngineRequest = {
            stack: operation.stack, command: operation.command,
            ...(operation.config ? { config: operation.config } : {}),
            ...(operation.policyPacks ? { policyPacks: operation.policyPacks } : {}),
            ...(operation.policyPackConfigs ? { policyPackConfigs: operation.policyPackConfigs } : {}),
            ...(operation.expectNoChanges ? { expectNoChanges: true } : {}),
            cliRoot: project.cli.root, workDir: project.workDir, project: project.project,
            projectSettings: !existsSync(path.join(project.workDir, "Pulumi.yaml")),
            ...(operation.program ? { program: operation.program } : {}),
        };
        const input = path.join(scratch, "request.json");
        const output = path.join(scratch, "result.json");
        await writeFile(input, JSON.stringify(request));
        const env = { ...project.env, ...operation.env };
        const child = await runProcess(process.execPath, ["--import", "tsx", path.join(__dirname, "engineChild.ts"), input, output], env, ROOT);
        if (child.code !== 0 || !existsSync(output)) {
            throw new Error(`pulumi ${operation.command} --stack ${operation.stack} could not run (exit ${child.code}):\n${child.stdout}\n${child.stderr}`);
        }
        return JSON.parse(await readFile(output, "utf8")) as EngineResult;
    } finally {
        await rm(scratch, { recursive: true, force: true });
    }
}

/**
 * Runs a process with `env` added to this one's (less `NODE_OPTIONS`, which vitest may set), in its own
 * process group so a time-out kills the CLI and its plugins too.
 */
function runProcess(command: string, args: readonly string[], env: Readonly<Record<string, string>>, cwd: string): Promise<{ code: number | null; stdout: string; stderr: string }> {
    const { NODE_OPTIONS: _drop, ...inherited } = process.env;
    return new Promise((resolve, reject) => {
        const child = spawn(command, args, { cwd, env: { ...inherited, ...env }, stdio: ["ignore", "pipe", "pipe"], detached: true });
        let stdout = "";
        let stderr = "";
        child.stdout!.on("data", (c: Buffer) => { stdout += c.toString(); });
        child.stderr!.on("data", (c: Buffer) => { stderr += c.toString(); });
        const timer = setTimeout(() => {
            stderr += `\n[killed after ${OPERATION_TIMEOUT_MS / 1000} s]`;
            try { process.kill(-child.pid!, "SIGKILL"); } catch { /* already gone */ }
        }, OPERATION_TIMEOUT_MS);
        child.on("error", (error) => { clearTimeout(timer); reject(error); });
        child.on("close", (code) => { clearTimeout(timer); resolve({ code, stdout, stderr }); });
    });
}

/** Every file under `dir`, recursively. */
async function listFiles(dir: string): Promise<string[]> {
    const entries = await readdir(dir, { withFileTypes: true });
    const nested = await Promise.all(entries.map((e) => e.isDirectory() ? listFiles(path.join(dir, e.name)) : Promise.resolve([path.join(dir, e.name)])));
    return nested.flat();
}

/** The step of each resource in an operation's events: URN → op (`create`, `same`, `update`, `replace`, ...). */
export function stepOps(result: EngineResult): Record<string, string> {
    const ops: Record<string, string> = {};
    for (const event of result.events) {
        const meta = event.resourcePreEvent?.metadata;
        // A replacement is several steps (create-replacement, replace, delete-replaced): keep "replace".
        if (meta !== undefined && ops[meta.urn] !== "replace") ops[meta.urn] = meta.op;
    }
    return ops;
}

/** The step metadata of the resource named `name` (last URN segment) in an operation's events. */
export function stepOf(result: EngineResult, name: string): NonNullable<EngineEvent["resourcePreEvent"]>["metadata"] | undefined {
    return result.events.map((e) => e.resourcePreEvent?.metadata).find((m) => m !== undefined && m.urn.endsWith(`::${name}`));
}

/** The diagnostics (`error`/`warning` messages) of an operation, joined. */
export function diagnostics(result: EngineResult): string {
    return result.events.map((e) => e.diagnosticEvent).filter((d) => d !== undefined).map((d) => `${d.severity}: ${d.message}`).join("\n");
}

/** Fails with the CLI's output (not its debug log on stderr) when an operation did not succeed. */
export function assertOk(result: EngineResult, what: string): EngineResult {
    if (!result.ok) throw new Error(`${what} failed (exit ${result.exitCode}):\n${result.stdout}\n${diagnostics(result)}`);
    return result;
}
