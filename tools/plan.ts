/**
 * `npm run plan -- --stack <name> [--out <dir>] [--json <file>] [--sarif <file>]
 *                  [--policy-pack <dir>] [--policy-pack-config <file>] [--cwd <project dir>]`
 *
 * Offline preview of a stack, without the Pulumi CLI or credentials: loads `Pulumi.<stack>.yaml` as the
 * engine passes config, runs the program (`main` of Pulumi.yaml) under the SDK's mock engine in preview
 * mode, prints the resource tree like `pulumi preview` (and the program's messages under `Diagnostics:`),
 * runs the policy pack over it through the analyzer protocol as the engine does and prints its `Policies:`
 * block (the pack starts while the program runs, bundled for a fast start: `tools/lib/analyzer/packBuild.ts`),
 * and writes `<out>/<stack>/<service>/wrangler.jsonc` and `.dev.vars.example` for each service.
 * `--json` writes the registered resources (secrets masked) and one record per policy violation; `--sarif`
 * writes the violations as SARIF 2.1.0 for GitHub code scanning. Without a file, they go to
 * `<out>/<stack>/plan.json` and `<out>/<stack>/policies.sarif` (`<out>` is `.platform/`, git-ignored).
 *
 * Every output is checked before the plan runs and written atomically once everything succeeded
 * (`tools/lib/files.ts`): a failed plan leaves nothing behind.
 *
 * Exit codes: 0 success; 1 a mandatory policy is violated, or an unexpected failure (its trace in a file);
 * 2 invalid config, declaration, arguments, output paths or policy config (message only; `tools/lib/cli.ts`).
 */
// First: loading it ends the `processStart` phase (PLATFORM_PLAN_TIMINGS, tools/lib/phaseTimings.ts).
import { mark, writePhaseTimingsAtExit } from "./lib/phaseTimings";
// Before anything loads the Pulumi SDK: it would load @npmcli/arborist, which the plan never uses.
import "./lib/deferredSdkModules";
// Before the SDK and the program load: mapping the stack traces the SDK captures is costly (NODE_OPTIONS=--enable-source-maps keeps it).
import "./lib/stackTraceSourceMaps";
import * as fs from "node:fs";
import * as path from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { parseArgs } from "node:util";
import { UserError, ValidationError } from "../components/validation";
import { stackNameProblem } from "../components/stackName";
import { renderWranglerFiles } from "../components/wrangler/render";
import { startPolicyPack, type PolicyPackConfig, type PolicyPackRun, type RunPolicyPackOptions, type StartedPolicyPack } from "./lib/analyzer";
import { readPolicyProject } from "./lib/analyzer/packProcess";
import { argumentError, ArgumentError, PROCESS_IO, runCli, type Command, type Io } from "./lib/cli";
import { destinationProblem, readUserFile, statOf, writeFilesAtomically, type OutputFile } from "./lib/files";
import { maskSecrets, runOffline, type OfflineRun, type OfflineRunOptions } from "./lib/mockEngine";
import { serviceSummaries, type ServiceSummary } from "./lib/serviceSummaries";
import { hasMandatoryViolations, renderPoliciesBlock, violationRecords } from "./lib/policyReport";
import { toSarif } from "./lib/sarif";
import { renderDiagnostics, renderPreview } from "./lib/previewTree";
import { readProjectFile, readStackConfig, type EngineConfig } from "./lib/stackFiles";

const USAGE = "usage: npm run plan -- --stack <name> [--out <dir>] [--json [<file>]] [--sarif [<file>]] " +
    "[--policy-pack <dir> | --no-policies] [--policy-pack-config <file>] [--cwd <project dir>]";
/** The default output directory, below the project directory (git-ignored). */
export const DEFAULT_OUT = ".platform";
/** Names of `--json` and `--sarif` without a file, in `<out>/<stack>/`. */
export const DEFAULT_REPORT = { json: "plan.json", sarif: "policies.sarif" } as const;
/** The policy pack of this repository. */
const DEFAULT_POLICY_PACK = path.resolve(__dirname, "..", "policies");

/** Options of {@link plan}. */
export interface PlanOptions {
    /** Stack name; `Pulumi.<stack>.yaml` must exist in `projectDir`. */
    readonly stack: string;
    /** Directory holding Pulumi.yaml. */
    readonly projectDir: string;
    /** Where wrangler files go (`<out>/<stack>/<service>/`). @default "<projectDir>/.platform" */
    readonly out?: string;
    /** Path of the JSON report to write, if any: `{ stack, resources, violations }`; `""` for `<out>/<stack>/plan.json`. */
    readonly json?: string;
    /** Path of the SARIF 2.1.0 file to write, if any; needs a policy pack; `""` for `<out>/<stack>/policies.sarif`. */
    readonly sarif?: string;
    /**
     * Policy pack to run: its directory, or false to skip policies.
     * @default false (the CLI defaults to this repository's `policies/`)
     */
    readonly policyPack?: string | false;
    /**
     * The pack's config in the CLI's `--policy-pack-config` format.
     * @default `<policyPack>/config/<stack>.json` when it exists, else none
     */
    readonly policyPackConfig?: string;
    /**
     * Runs the program as `pulumi up` instead of `pulumi preview`, with stand-in answers for what only a
     * real update knows: other stacks' outputs and provider outputs (see {@link OfflineRunOptions}).
     * For tests and audits of what an update would send (e.g. that a generated password stays secret).
     * @default a preview
     */
    readonly update?: Pick<OfflineRunOptions, "stackOutputs" | "resourceOutputs">;
    /**
     * Replaces the stack's config as loaded from `Pulumi.<stack>.yaml` (where every `secure:` value is a
     * placeholder offline): for tests and audits that need a known value in a secret key, such as a canary.
     * @default the config as loaded
     */
    readonly transformConfig?: (config: EngineConfig) => EngineConfig;
}

/** What {@link plan} produced. */
export interface PlanResult {
    /** The stack's config as the engine was given it (`Pulumi.<stack>.yaml`, secrets decoded to placeholders). */
    readonly config: EngineConfig;
    readonly run: OfflineRun;
    /** Each service's outputs and the directory its `wrangler.jsonc` was written to, by service name. */
    readonly services: Readonly<Record<string, { readonly summary: ServiceSummary; readonly dir: string }>>;
    /** The policy run, when a pack was given. */
    readonly policies?: PolicyPackRun;
    /** Absolute paths of the files written. */
    readonly files: string[];
}

/**
 * Runs the plan (and the policy pack, if given) and writes its files.
 * @throws {ArgumentError} for a stack name Pulumi or the platform refuses, or an output path that cannot be
 *   written (checked before anything runs); {@link ValidationError} for invalid project files, stack config or
 *   declarations (nothing is written); `PolicyConfigError` for an invalid policy config; {@link UserError} for
 *   a declaration module that does not load (a syntax error) or an output that fails to write; any other
 *   error of the program or the pack.
 */
export async function plan(options: PlanOptions): Promise<PlanResult> {
    const stackProblem = stackNameProblem(options.stack);
    if (stackProblem !== undefined) throw argumentError("--stack", stackProblem);
    if (options.sarif !== undefined && (options.policyPack === undefined || options.policyPack === false)) {
        throw argumentError("--sarif", "needs a policy pack; remove --no-policies");
    }
    const out = path.resolve(options.projectDir, options.out ?? DEFAULT_OUT);
    const json = options.json === undefined ? undefined : path.resolve(options.json || path.join(out, options.stack, DEFAULT_REPORT.json));
    const sarif = options.sarif === undefined ? undefined : path.resolve(options.sarif || path.join(out, options.stack, DEFAULT_REPORT.sarif));
    // At once, before the program runs: an output that cannot be written never costs a whole plan.
    const problems = ([["--out", out, "directory"], ["--json", json, "file"], ["--sarif", sarif, "file"]] as const).flatMap(([flag, target, kind]) => {
        const problem = target === undefined ? undefined : destinationProblem({ flag, path: target, kind });
        return problem === undefined ? [] : [{ path: flag, message: problem }];
    });
    if (problems.length > 0) throw new ArgumentError(problems);
    const packDir = options.policyPack === undefined || options.policyPack === false ? undefined : options.policyPack;
    const policyConfig = packDir === undefined ? undefined : readPolicyPack(packDir, options.stack, options.policyPackConfig);
    const project = readProjectFile(options.projectDir);
    const loaded = readStackConfig(options.projectDir, project, options.stack);
    const config = options.transformConfig?.(loaded) ?? loaded;
    const entry = programEntry(options.projectDir, project.main);
    // The pack starts beside the program (it needs nothing of it until the analysis), built for a fast start.
    const pack = packDir === undefined || policyConfig === undefined ? undefined : startPackEarly({
        packDir,
        project: project.name,
        stack: options.stack,
        stackConfig: config,
        policyConfig,
        build: true,
    });
    let run: OfflineRun;
    try {
        run = await runOffline({
            project: project.name,
            stack: options.stack,
            config,
            program: () => loadProgram(entry, options.projectDir),
            ...(options.update === undefined ? {} : { preview: false, ...options.update }),
        });
    } catch (error) {
        await pack?.stop();
        throw error;
    }
    mark("registered");
    let policies: PolicyPackRun | undefined;
    if (pack !== undefined) {
        const started = await pack.started;
        mark("analysisStarting");
        policies = await started.analyze(run.resources);
        mark("analyzed");
    }
    mark("reportStarting");
    const files: OutputFile[] = [];
    const services: Record<string, { summary: ServiceSummary; dir: string }> = {};
    for (const [name, summary] of Object.entries(serviceSummaries(run.resources))) {
        const dir = path.join(out, options.stack, name);
        services[name] = { summary, dir };
        const toRoot = path.relative(dir, options.projectDir).split(path.sep).join("/") || ".";
        const rendered = renderWranglerFiles(summary.wranglerConfig, toRoot, [
            `Generated by \`npm run plan -- --stack ${options.stack}\` from the declaration of service ${name} and Pulumi.${options.stack}.yaml.`,
            "Do not edit: change the service declaration or the stack config and plan again.",
            "Resource ids are the offline plan's placeholders; `wrangler dev` uses them only as local storage keys.",
        ]);
        for (const [file, text] of Object.entries(rendered)) files.push({ flag: "--out", path: path.join(dir, file), content: text });
    }
    if (json !== undefined) {
        const report = {
            stack: options.stack,
            resources: run.resources.map((r) => ({
                urn: r.urn, type: r.type, name: r.name, parent: r.parent, custom: r.custom, protect: r.protect,
                ...(r.importId ? { importId: r.importId } : {}),
                inputs: maskSecrets(r.inputs),
            })),
            violations: policies === undefined ? [] : violationRecords(policies),
        };
        files.push({ flag: "--json", path: json, content: JSON.stringify(report, null, 2) + "\n" });
    }
    if (sarif !== undefined && policies !== undefined) {
        files.push({ flag: "--sarif", path: sarif, content: JSON.stringify(toSarif(policies, { stack: options.stack }), null, 2) + "\n" });
    }
    // Written only once everything succeeded, each atomically, so a failed plan never leaves half its files.
    writeFilesAtomically(files);
    return { config, run, services, ...(policies === undefined ? {} : { policies }), files: files.map((f) => f.path) };
}

/**
 * Starts the policy pack in the background. A failure to start is kept for whoever awaits `started` (it never
 * surfaces as an unhandled rejection, which the mock engine would take for the program's); `stop` stops the
 * pack once it has started, whatever became of it.
 */
function startPackEarly(options: Omit<RunPolicyPackOptions, "resources">): { readonly started: Promise<StartedPolicyPack>; stop(): Promise<void> } {
    mark("packStarting");
    const started = startPolicyPack(options).then((pack) => {
        mark("packReady");
        return pack;
    });
    started.catch(() => undefined);
    return { started, stop: () => started.then((pack) => pack.stop(), () => undefined) };
}

/**
 * Checks the policy pack directory (`--policy-pack`) and reads its config before anything runs.
 * @throws {ArgumentError} naming `--policy-pack` when it is not a policy pack directory.
 */
function readPolicyPack(packDir: string, stack: string, configFile: string | undefined): PolicyPackConfig {
    try {
        readPolicyProject(packDir);
    } catch (error) {
        if (!(error instanceof UserError)) throw error;
        throw argumentError("--policy-pack", `expected a policy pack directory (holding PulumiPolicy.yaml): ${error.message}`);
    }
    return readPolicyConfig(packDir, stack, configFile);
}

/**
 * Reads the `--policy-pack-config` file, or the pack's `config/<stack>.json` when none is given.
 * @throws {ValidationError} when the file is missing (if given), not JSON, or not an object.
 */
function readPolicyConfig(packDir: string, stack: string, file: string | undefined): PolicyPackConfig {
    const target = file ?? path.join(packDir, "config", `${stack}.json`);
    if (file === undefined && !fs.existsSync(target)) return {};
    const read = readUserFile(target);
    if ("problem" in read) throw new ValidationError("policy pack config", [{ path: target, message: `expected a JSON file: ${read.problem}` }]);
    let config: unknown;
    try {
        config = JSON.parse(read.text);
    } catch (error) {
        throw new ValidationError("policy pack config", [{ path: target, message: `not valid JSON: ${(error as Error).message}` }]);
    }
    if (typeof config !== "object" || config === null || Array.isArray(config)) {
        throw new ValidationError("policy pack config", [{ path: target, message: "expected an object: policy name → enforcement level or settings" }]);
    }
    return config as PolicyPackConfig;
}

/**
 * The program's entry module: `main` of Pulumi.yaml, a file or a directory holding `index.ts` / `index.js`
 * (as the Node.js language host takes a directory).
 * @throws {ValidationError} naming `Pulumi.yaml:main` when there is none.
 */
function programEntry(projectDir: string, main: string): string {
    const target = path.resolve(projectDir, main);
    const stat = statOf(target);
    if (stat?.isFile() === true) return target;
    const index = stat?.isDirectory() === true ? ["index.ts", "index.js"].map((f) => path.join(target, f)).find((f) => statOf(f)?.isFile() === true) : undefined;
    if (index !== undefined) return index;
    throw new ValidationError("project file", [{
        path: "Pulumi.yaml:main",
        message: `expected the program's entry module, but ${target} ${stat === undefined ? "does not exist" : stat.isDirectory() ? "holds no index.ts or index.js" : "is not a file"}`,
    }]);
}

/**
 * Loads the program module and returns its exports, which the language host uses as the stack outputs.
 * A dynamic import works under tsx and under vitest alike; for a CommonJS module it also carries the
 * whole `module.exports` as `default`, which the language host would not see, so that is dropped.
 * @throws {UserError} when a module of the user's (a service declaration, the service list, a `--cwd`
 *   project's files) does not load: a syntax error, an import that does not resolve, an error thrown while
 *   it runs; see {@link programLoadError}.
 */
async function loadProgram(entry: string, projectDir: string): Promise<Record<string, unknown>> {
    let loaded: Record<string, unknown>;
    try {
        loaded = await import(programUrl(entry)) as Record<string, unknown>;
    } catch (error) {
        throw programLoadError(error, projectDir) ?? error;
    }
    const namespace = { ...loaded };
    const cjs = namespace.default;
    if (typeof cjs === "object" && cjs !== null && Object.keys(namespace).every((k) => k === "default" || k in cjs)) {
        delete namespace.default;
    }
    return namespace;
}

/** How many programs this process has loaded (`plan` may run more than once in a process: tests, the bench). */
let programLoads = 0;

/**
 * The URL to import the program from: a new one on each load, so that the program runs again (its exports are
 * this run's stack outputs) instead of the module cache answering with the first run's exports.
 */
function programUrl(entry: string): string {
    const url = pathToFileURL(entry);
    if (programLoads++ > 0) {
        url.searchParams.set("run", String(programLoads));
        // A CommonJS program (tsx under Node) is also cached by file name behind the URL.
        delete require.cache[entry];
    }
    return url.href;
}

/** This repository's own code: a failure located there is a bug, not the user's. */
const PLATFORM_CODE = ["components", "infra", "tools", "policies", "bench", "node_modules"].map((dir) => path.resolve(__dirname, "..", dir));
/** The one file of `infra/` that users edit: the list of services (README, "Adding a service"). */
const SERVICE_LIST = path.resolve(__dirname, "..", "infra", "services.ts");

/** Whether `file` is the user's (a service, the service list, another project) rather than the platform's own code. */
function isUserFile(file: string): boolean {
    const absolute = path.resolve(file);
    return absolute === SERVICE_LIST || !PLATFORM_CODE.some((dir) => absolute === dir || absolute.startsWith(`${dir}${path.sep}`));
}

/**
 * The user error for a program that failed to load because of a file of the user's, or undefined when the
 * failure is not located in one (a bug, or already a `UserError` such as an invalid declaration):
 * - a syntax error (tsx's esbuild `TransformError`: `file:line:column: ERROR: text`);
 * - an import that does not resolve (`Cannot find module '...' imported from <file>`);
 * - an error thrown while a user's module runs (its first stack frame in a user's file).
 */
export function programLoadError(error: unknown, projectDir: string): UserError | undefined {
    if (error instanceof UserError || (error as { __pulumiRunError?: boolean } | null)?.__pulumiRunError === true) return undefined;
    const shown = (file: string) => {
        const relative = path.relative(projectDir, file);
        return relative.startsWith("..") || path.isAbsolute(relative) ? file : relative;
    };
    const message = error instanceof Error ? error.message : String(error);
    const syntax = [...message.matchAll(/^(.+?):(\d+):(\d+): ERROR: (.*)$/gm)].filter((m) => isUserFile(m[1]!));
    if (syntax.length > 0) {
        return new UserError(`The program does not compile:\n${syntax.map((m) => `  - ${shown(m[1]!)}:${m[2]}:${m[3]}: ${m[4]}`).join("\n")}\n` +
            "Fix the syntax error; nothing was planned.");
    }
    const code = (error as { code?: unknown } | null)?.code;
    // ESM: "... imported from <file>"; CommonJS: "Require stack:\n- <file>" (the requiring module first).
    const importer = /imported from (\S+)/.exec(message)?.[1] ?? /Require stack:\n- (\S+)/.exec(message)?.[1];
    if ((code === "ERR_MODULE_NOT_FOUND" || code === "MODULE_NOT_FOUND") && importer !== undefined) {
        const file = importer.startsWith("file:") ? fileURLToPath(importer) : importer;
        const missing = /Cannot find (?:module|package) '([^']+)'/.exec(message)?.[1] ?? "a module";
        if (isUserFile(file)) return new UserError(`${shown(file)}: cannot import ${missing}: no such module; fix the import path.`);
    }
    const frame = (error instanceof Error ? error.stack ?? "" : "").split("\n").slice(1)
        .map((line) => /^\s+at (?:.*? \()?((?:file:\/\/)?\/[^():]+):(\d+):(\d+)\)?\s*$/.exec(line))
        .find((m): m is RegExpExecArray => m !== null);
    if (frame !== undefined) {
        const file = frame[1]!.startsWith("file:") ? fileURLToPath(frame[1]!) : frame[1]!;
        if (isUserFile(file)) {
            return new UserError(`${shown(file)}:${frame[2]}:${frame[3]}: ${(error as Error).name ?? "Error"} while loading it: ${message.split("\n")[0]}`);
        }
    }
    return undefined;
}

/**
 * `--json` and `--sarif` may be given without a file: such a flag (last, or followed by another flag) becomes
 * `--json=`, which {@link plan} reads as the default file under `<out>/<stack>/`.
 */
function withOptionalValues(argv: readonly string[]): string[] {
    return argv.map((arg, i) => (arg === "--json" || arg === "--sarif") && (i === argv.length - 1 || argv[i + 1]!.startsWith("--")) ? `${arg}=` : arg);
}

/** The command line: parses arguments, runs {@link plan}, prints, and returns the documented exit code. */
async function main(argv: readonly string[], io: Io): Promise<number> {
    writePhaseTimingsAtExit();
    const args = parseArgs({
        args: withOptionalValues(argv),
        options: {
            stack: { type: "string" }, out: { type: "string" }, json: { type: "string" }, sarif: { type: "string" },
            "policy-pack": { type: "string" }, "policy-pack-config": { type: "string" }, "no-policies": { type: "boolean" },
            cwd: { type: "string" },
        },
        strict: true,
    }).values;
    if (args.stack === undefined) throw argumentError("--stack", "required: the stack to plan (Pulumi.<stack>.yaml)");
    for (const flag of ["out", "policy-pack", "policy-pack-config", "cwd"] as const) {
        if (args[flag] === "") throw argumentError(`--${flag}`, "expected a path, got an empty string");
    }
    if (args["no-policies"] && args["policy-pack"] !== undefined) throw argumentError("--no-policies", "cannot be combined with --policy-pack");
    // Like the CLI's --cwd: the directory holding Pulumi.yaml. @default this repository
    const projectDir = path.resolve(args.cwd ?? path.resolve(__dirname, ".."));
    const cwd = statOf(projectDir);
    if (args.cwd !== undefined && cwd?.isDirectory() !== true) {
        throw argumentError("--cwd", `expected the project directory (holding Pulumi.yaml), found ${cwd === undefined ? "nothing" : "a file"} at ${args.cwd}`);
    }
    const policyPack = args["no-policies"] ? false : path.resolve(args["policy-pack"] ?? DEFAULT_POLICY_PACK);
    const result = await plan({
        stack: args.stack,
        projectDir,
        policyPack,
        ...(args.out ? { out: path.resolve(args.out) } : {}),
        ...(args.json === undefined ? {} : { json: args.json }),
        ...(args.sarif === undefined ? {} : { sarif: args.sarif }),
        ...(args["policy-pack-config"] ? { policyPackConfig: path.resolve(args["policy-pack-config"]) } : {}),
    });
    const code = printPlan(args.stack, result, policyPack === false ? undefined : path.relative(process.cwd(), policyPack) || ".", io);
    mark("reported");
    return code;
}

/** `npm run plan`, as {@link runCli} and in-process tests run it. */
export const planCommand: Command = { name: "plan", usage: USAGE, main };

/**
 * Prints a plan as `npm run plan` does: the resource tree on stdout, the program's `Diagnostics:`, the
 * `Policies:` block (`packSource` names the pack in it), the files written; policy warnings on stderr.
 * @returns the exit code: 1 when a mandatory policy is violated, else 0.
 */
export function printPlan(stack: string, result: PlanResult, packSource?: string, io: Io = PROCESS_IO): number {
    const { run, policies, files } = result;
    io.stdout(renderPreview(stack, run.resources));
    const diagnostics = renderDiagnostics(stack, projectNameOf(run), run.diagnostics);
    if (diagnostics !== "") io.stdout(`\n${diagnostics}`);
    if (policies !== undefined) {
        io.stdout("\n" + renderPoliciesBlock(policies, { packSource: packSource ?? ".", stack }));
        for (const warning of policies.warnings) io.stderr(`warning: ${warning}\n`);
    }
    io.stdout(`\nWrote ${files.length} file${files.length === 1 ? "" : "s"}:\n${files.map((f) => `    ${path.relative(process.cwd(), f)}`).join("\n")}\n`);
    return policies !== undefined && hasMandatoryViolations(policies) ? 1 : 0;
}

/** The project name, from the root stack's URN (`urn:pulumi:<stack>::<project>::...`). */
function projectNameOf(run: OfflineRun): string {
    return run.resources[0]?.urn.split("::")[1] ?? "project";
}

if (require.main === module) {
    runCli(planCommand);
}
