/**
 * `npm run plan -- --stack <name> [--out <dir>] [--json <file>] [--sarif <file>]
 *                  [--policy-pack <dir>] [--policy-pack-config <file>] [--cwd <project dir>]`
 *
 * Offline preview of a stack, without the Pulumi CLI or credentials: loads `Pulumi.<stack>.yaml` as the
 * engine passes config, runs the program (`main` of Pulumi.yaml) under the SDK's mock engine in preview
 * mode, prints the resource tree like `pulumi preview`, runs the policy pack over it through the analyzer
 * protocol as the engine does and prints its `Policies:` block, and writes
 * `<out>/<stack>/<service>/wrangler.jsonc` and `.dev.vars.example` for each service. `--json` writes the
 * registered resources (secrets masked) and one record per policy violation; `--sarif` writes the
 * violations as SARIF 2.1.0 for GitHub code scanning.
 *
 * Exit codes: 0 success; 1 a mandatory policy is violated, or any other failure; 2 invalid config,
 * declaration, arguments or policy config (message only).
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { pathToFileURL } from "node:url";
import { parseArgs } from "node:util";
import { ValidationError } from "../components/validation";
import { renderWranglerFiles } from "../components/wrangler/render";
import type { ServiceSummary } from "../components/cloudflare/environment";
import { runPolicyPack, type PolicyPackConfig, type PolicyPackRun } from "./lib/analyzer";
import { runCli } from "./lib/cli";
import { maskSecrets, runOffline, type OfflineRun, type OfflineRunOptions } from "./lib/mockEngine";
import { hasMandatoryViolations, renderPoliciesBlock, violationRecords } from "./lib/policyReport";
import { toSarif } from "./lib/sarif";
import { renderPreview } from "./lib/previewTree";
import { readProjectFile, readStackConfig, type EngineConfig } from "./lib/stackFiles";

const USAGE = "usage: npm run plan -- --stack <name> [--out <dir>] [--json <file>] [--sarif <file>] " +
    "[--policy-pack <dir> | --no-policies] [--policy-pack-config <file>] [--cwd <project dir>]";
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
    /** Path of the JSON report to write, if any: `{ stack, resources, violations }`. */
    readonly json?: string;
    /** Path of the SARIF 2.1.0 file to write, if any; needs a policy pack. */
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
 * @throws {ValidationError} for invalid project files, stack config or declarations (nothing is written);
 *   `PolicyConfigError` for an invalid policy config; any other error of the program or the pack.
 */
export async function plan(options: PlanOptions): Promise<PlanResult> {
    if (options.sarif !== undefined && (options.policyPack === undefined || options.policyPack === false)) {
        throw new ValidationError("arguments", [{ path: "--sarif", message: "needs a policy pack; remove --no-policies" }]);
    }
    const project = readProjectFile(options.projectDir);
    const config = readStackConfig(options.projectDir, project, options.stack);
    const entry = path.resolve(options.projectDir, project.main);
    const run = await runOffline({
        project: project.name,
        stack: options.stack,
        config,
        program: () => loadProgram(entry),
        ...(options.update === undefined ? {} : { preview: false, ...options.update }),
    });
    const policies = options.policyPack === undefined || options.policyPack === false ? undefined : await runPolicyPack({
        packDir: options.policyPack,
        resources: run.resources,
        project: project.name,
        stack: options.stack,
        stackConfig: config,
        policyConfig: readPolicyConfig(options.policyPack, options.stack, options.policyPackConfig),
    });
    const files: Record<string, string> = {};
    const out = path.resolve(options.projectDir, options.out ?? ".platform");
    const summaries = (run.outputs.services ?? {}) as Record<string, ServiceSummary>;
    const services: Record<string, { summary: ServiceSummary; dir: string }> = {};
    for (const [name, summary] of Object.entries(summaries)) {
        const dir = path.join(out, options.stack, name);
        services[name] = { summary, dir };
        const toRoot = path.relative(dir, options.projectDir).split(path.sep).join("/") || ".";
        const rendered = renderWranglerFiles(summary.wranglerConfig, toRoot, [
            `Generated by \`npm run plan -- --stack ${options.stack}\` from the declaration of service ${name} and Pulumi.${options.stack}.yaml.`,
            "Do not edit: change the service declaration or the stack config and plan again.",
            "Resource ids are the offline plan's placeholders; `wrangler dev` uses them only as local storage keys.",
        ]);
        for (const [file, text] of Object.entries(rendered)) files[path.join(dir, file)] = text;
    }
    if (options.json !== undefined) {
        const report = {
            stack: options.stack,
            resources: run.resources.map((r) => ({
                urn: r.urn, type: r.type, name: r.name, parent: r.parent, custom: r.custom, protect: r.protect,
                ...(r.importId ? { importId: r.importId } : {}),
                inputs: maskSecrets(r.inputs),
            })),
            violations: policies === undefined ? [] : violationRecords(policies),
        };
        files[path.resolve(options.json)] = JSON.stringify(report, null, 2) + "\n";
    }
    if (options.sarif !== undefined && policies !== undefined) {
        files[path.resolve(options.sarif)] = JSON.stringify(toSarif(policies, { stack: options.stack }), null, 2) + "\n";
    }
    // Written only once everything succeeded, so a failed plan never leaves half its files.
    for (const [file, text] of Object.entries(files)) {
        fs.mkdirSync(path.dirname(file), { recursive: true });
        fs.writeFileSync(file, text);
    }
    return { config, run, services, ...(policies === undefined ? {} : { policies }), files: Object.keys(files) };
}

/**
 * Reads the `--policy-pack-config` file, or the pack's `config/<stack>.json` when none is given.
 * @throws {ValidationError} when the file is missing (if given), not JSON, or not an object.
 */
function readPolicyConfig(packDir: string, stack: string, file: string | undefined): PolicyPackConfig {
    const target = file ?? path.join(packDir, "config", `${stack}.json`);
    if (file === undefined && !fs.existsSync(target)) return {};
    let config: unknown;
    try {
        config = JSON.parse(fs.readFileSync(target, "utf8"));
    } catch (error) {
        const problem = (error as NodeJS.ErrnoException).code === "ENOENT" ? "file not found" : `not valid JSON: ${(error as Error).message}`;
        throw new ValidationError("policy pack config", [{ path: target, message: problem }]);
    }
    if (typeof config !== "object" || config === null || Array.isArray(config)) {
        throw new ValidationError("policy pack config", [{ path: target, message: "expected an object: policy name → enforcement level or settings" }]);
    }
    return config as PolicyPackConfig;
}

/**
 * Loads the program module and returns its exports, which the language host uses as the stack outputs.
 * A dynamic import works under tsx and under vitest alike; for a CommonJS module it also carries the
 * whole `module.exports` as `default`, which the language host would not see, so that is dropped.
 */
async function loadProgram(entry: string): Promise<Record<string, unknown>> {
    const namespace = { ...(await import(pathToFileURL(entry).href) as Record<string, unknown>) };
    const cjs = namespace.default;
    if (typeof cjs === "object" && cjs !== null && Object.keys(namespace).every((k) => k === "default" || k in cjs)) {
        delete namespace.default;
    }
    return namespace;
}

/** The command line: parses arguments, runs {@link plan}, prints, and exits with the documented code. */
async function main(argv: string[]): Promise<number> {
    const args = parseArgs({
        args: argv,
        options: {
            stack: { type: "string" }, out: { type: "string" }, json: { type: "string" }, sarif: { type: "string" },
            "policy-pack": { type: "string" }, "policy-pack-config": { type: "string" }, "no-policies": { type: "boolean" },
            cwd: { type: "string" },
        },
        strict: true,
    }).values;
    if (args.stack === undefined) {
        process.stderr.write(`--stack is required\n${USAGE}\n`);
        return 2;
    }
    // Like the CLI's --cwd: the directory holding Pulumi.yaml. @default this repository
    const projectDir = path.resolve(args.cwd ?? path.resolve(__dirname, ".."));
    const policyPack = args["no-policies"] ? false : path.resolve(args["policy-pack"] ?? DEFAULT_POLICY_PACK);
    const result = await plan({
        stack: args.stack,
        projectDir,
        policyPack,
        ...(args.out ? { out: path.resolve(args.out) } : {}),
        ...(args.json ? { json: args.json } : {}),
        ...(args.sarif ? { sarif: args.sarif } : {}),
        ...(args["policy-pack-config"] ? { policyPackConfig: path.resolve(args["policy-pack-config"]) } : {}),
    });
    return printPlan(args.stack, result, policyPack === false ? undefined : path.relative(process.cwd(), policyPack) || ".");
}

/**
 * Prints a plan as `npm run plan` does: the resource tree on stdout, the `Policies:` block (`packSource`
 * names the pack in it), the files written; policy warnings on stderr.
 * @returns the exit code: 1 when a mandatory policy is violated, else 0.
 */
export function printPlan(stack: string, result: PlanResult, packSource?: string): number {
    const { run, policies, files } = result;
    process.stdout.write(renderPreview(stack, run.resources));
    if (policies !== undefined) {
        process.stdout.write("\n" + renderPoliciesBlock(policies, { packSource: packSource ?? ".", stack }));
        for (const warning of policies.warnings) process.stderr.write(`warning: ${warning}\n`);
    }
    process.stdout.write(`\nWrote ${files.length} file${files.length === 1 ? "" : "s"}:\n${files.map((f) => `    ${path.relative(process.cwd(), f)}`).join("\n")}\n`);
    return policies !== undefined && hasMandatoryViolations(policies) ? 1 : 0;
}

if (require.main === module) {
    runCli(main, USAGE);
}
