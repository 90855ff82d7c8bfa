/**
 * `npm run import -- <wrangler.toml|wrangler.json|wrangler.jsonc> --out <dir> [--name <service>]
 *                    [--account-id <id>] [--env <stack>=<env>]...`
 *
 * Turns a hand-edited wrangler configuration into a service declaration (`<out>/service.ts`), the
 * per-stack values of the stacks its environments map to (`<out>/stack.<stack>.yaml`: production and
 * staging from their environments or their usual names, `prod`, `stage`, ..., every other environment as
 * its own stack, the top level as production or staging when no environment is; the `platform:`
 * keys to merge into `Pulumi.<stack>.yaml`, including the `import` ids that make the first `pulumi up`
 * adopt the live KV namespaces, D1 databases and R2 buckets) and `<out>/import.json` (everything
 * recorded, machine-readable). Prints what it could not carry over, per environment.
 *
 * Secret names are also read from `.dev.vars` / `.dev.vars.example` beside the file (names only; values
 * are never read into the output).
 *
 * Nothing is written unless everything succeeded: the files go to a temporary directory beside `--out`,
 * renamed to `--out` at the end. `--out` must not exist or be empty.
 *
 * Exit codes: 0 imported (keys that are not supported are reported, not fatal); 2 malformed input or
 * arguments, an `--out` that cannot be written, or a derived name Cloudflare would refuse (each problem headed
 * by the key or flag, nothing written); 1 an unexpected failure (its trace in a file, `tools/lib/cli.ts`).
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { parseArgs } from "node:util";
import { z } from "zod";
import { ValidationError, renderPath, type ValidationIssue } from "../components/validation";
import { importWranglerConfig, toDeclarationInput, type ImportResult } from "../components/wrangler/import/importConfig";
import { checkConfigSize, decodeWranglerConfig, parseWranglerConfig } from "../components/wrangler/import/parse";
import { renderImport, renderImportReport } from "../components/wrangler/import/renderImport";
import { bindingKind, type DeclaredBinding } from "../components/bindings/index";
import { defineService, type ServiceDeclarationInput } from "../components/service/declaration";
import { stackConfigSchema } from "../infra/config";
import { MAX_NAME_LENGTH, overlongNames, resolveServices } from "../infra/resolve";
import { runCli, runCommandSync, type Command, type Io } from "./lib/cli";
import { destinationProblem, statOf, writeDirectoryAtomically } from "./lib/files";

const USAGE = "usage: npm run import -- <wrangler.toml|wrangler.json|wrangler.jsonc> --out <dir> [--name <service>] " +
    "[--account-id <32-hex id>] [--env <stack>=<env>]...";
/** The project root: the declaration module and zod resolve from here. */
const PROJECT_ROOT = path.resolve(__dirname, "..");
const DECLARATION_MODULE = path.join(PROJECT_ROOT, "components", "service", "declaration");

/** Options of {@link runImport}. */
export interface RunImportOptions {
    /** The wrangler config file. */
    readonly file: string;
    /** The directory to create; must not exist or be empty. */
    readonly out: string;
    /** Service name. @default from the file's `name` */
    readonly name?: string;
    /** Account id for environments without `account_id`. */
    readonly accountId?: string;
    /** Stack → wrangler environment (`{ production: "prod" }`); any valid stack name. */
    readonly environments?: Readonly<Record<string, string>>;
}

/** What {@link runImport} produced. */
export interface RunImportResult {
    readonly result: ImportResult;
    /** Absolute paths of the files written. */
    readonly files: readonly string[];
    /** The report to print. */
    readonly report: string;
}

/**
 * Imports a wrangler config file and writes the output directory atomically.
 * @throws {ValidationError} for a missing or malformed file, bad options, a derived script or resource
 *   name longer than Cloudflare accepts, or an unusable `--out` (nothing is written); any other error is a bug.
 */
export function runImport(options: RunImportOptions): RunImportResult {
    const file = path.resolve(options.file);
    const out = path.resolve(options.out);
    const label = path.basename(file);
    let bytes: Buffer;
    try {
        // A directory, a device or a pipe is no config file (reading one may never end), nor is a huge file.
        const stat = fs.statSync(file);
        if (stat.isDirectory()) throw new ValidationError("arguments", [{ path: options.file, message: "is a directory; expected a wrangler.toml, wrangler.json or wrangler.jsonc file" }]);
        if (!stat.isFile()) throw new ValidationError("arguments", [{ path: options.file, message: "is not a regular file (a device, pipe or socket); expected a wrangler config file" }]);
        checkConfigSize(stat.size, label);
        bytes = fs.readFileSync(file);
    } catch (error) {
        if (error instanceof ValidationError) throw error;
        const code = (error as NodeJS.ErrnoException).code;
        throw new ValidationError("arguments", [{ path: options.file, message: code === "ENOENT" ? "file not found" : `cannot read the file (${code})` }]);
    }
    const outProblem = outDirProblem(out);
    if (outProblem !== undefined) throw new ValidationError("arguments", [{ path: "--out", message: outProblem }]);

    const raw = parseWranglerConfig(decodeWranglerConfig(bytes, label), label);
    const result = importWranglerConfig(raw, {
        source: label,
        ...(options.name === undefined ? {} : { name: options.name }),
        ...(options.accountId === undefined ? {} : { accountId: options.accountId }),
        ...(options.environments === undefined ? {} : { environments: options.environments }),
        extraSecrets: devVarsSecrets(path.dirname(file)),
        fallbackName: path.basename(out),
    });
    const tooLong = overlongNameIssue(result, options.name !== undefined);
    if (tooLong !== undefined) throw new ValidationError(`wrangler config ${label}`, [tooLong]);
    selfCheck(result, out);

    const declarationModule = toPosix(path.relative(out, DECLARATION_MODULE));
    const files = renderImport(result, {
        source: label,
        declarationModule: declarationModule.startsWith(".") ? declarationModule : `./${declarationModule}`,
    });
    const written = writeDirectoryAtomically("--out", out, files);
    const shown = written.map((f) => path.relative(process.cwd(), f) || f);
    const inProject = !path.relative(PROJECT_ROOT, out).startsWith("..");
    const warning = inProject ? "" : `warning: ${out} is outside this project; service.ts imports zod and defineService from it, so move the directory under services/\n`;
    return { result, files: written, report: warning + renderImportReport(result, label, path.relative(process.cwd(), out) || ".", shown) };
}

/**
 * The name the platform would derive for the imported service that is the furthest beyond Cloudflare's
 * limit ({@link overlongNames}: script names `<service>-<stack>`, D1 and R2 names `<service>-<stack>-<binding>`),
 * as one problem naming the key to change: `--name` (or the file's `name`) with the length that fits
 * every stack, or the environment whose stack name is too long for any service name.
 * @param named whether the service name came from `--name`.
 * @returns undefined when every name fits.
 */
export function overlongNameIssue(result: ImportResult, named: boolean): ValidationIssue | undefined {
    const declaration = defineService(toDeclarationInput(result.declaration));
    let worst: { stack: ImportResult["stacks"][number]; name: string; binding: string | undefined; fits: number } | undefined;
    for (const stack of result.stacks) {
        for (const { name, binding } of overlongNames(stack.stack, declaration)) {
            const fits = MAX_NAME_LENGTH - (name.length - declaration.name.length);
            if (worst === undefined || fits < worst.fits) worst = { stack, name, binding, fits };
        }
    }
    if (worst === undefined) return undefined;
    const { stack, name, binding, fits } = worst;
    const what = binding === undefined
        ? `the script name of stack ${stack.stack}, "${name}",`
        : `the name of the ${declaration.bindings[binding]!.kind} resource of binding ${binding} in stack ${stack.stack}, "${name}",`;
    const tooLong = `${what} would be ${name.length} characters, more than Cloudflare's ${MAX_NAME_LENGTH}`;
    if (fits >= 1) {
        return { path: named ? "--name" : "name", message: `${tooLong}; pass --name <service> with at most ${fits} characters` };
    }
    const env = stack.environment;
    return {
        path: env === undefined ? (named ? "--name" : "name") : renderEnvPath(env),
        message: `${tooLong}, whatever the service name; ${env === undefined
            ? "rename the binding"
            : `pass --env <stack>=${env} with a shorter stack name${binding === undefined ? "" : ", or rename the binding"}`}`,
    };
}

/** `env.<name>` as the importer's paths render it. */
function renderEnvPath(environment: string): string {
    return renderPath("", ["env", environment]);
}

/**
 * Why `out` cannot receive the import, or undefined when it can be created, or is an empty directory that
 * can be written: checked before the file is parsed, so a bad `--out` fails at once.
 */
function outDirProblem(out: string): string | undefined {
    const stat = statOf(out);
    if (stat !== undefined && !stat.isDirectory()) return `${out} exists and is not a directory`;
    if (stat !== undefined && fs.readdirSync(out).length > 0) return `${out} exists and is not empty; the import never overwrites: choose a new directory`;
    return destinationProblem({ flag: "--out", path: out, kind: "directory" });
}

/** Secret names from `.dev.vars` and `.dev.vars.example` beside the config (`NAME=value` lines; values are ignored). */
function devVarsSecrets(dir: string): { name: string; source: string }[] {
    const out: { name: string; source: string }[] = [];
    for (const file of [".dev.vars", ".dev.vars.example"]) {
        let text: string;
        try {
            text = fs.readFileSync(path.join(dir, file), "utf8");
        } catch {
            continue;
        }
        for (const line of text.split(/\r?\n/)) {
            const match = /^\s*(?:export\s+)?([A-Za-z_][A-Za-z0-9_]*)\s*=/.exec(line);
            if (match !== null && !out.some((s) => s.name === match[1])) out.push({ name: match[1]!, source: file });
        }
    }
    return out;
}

/**
 * Checks the output the way the program will read it: the declaration through `defineService`, each
 * stack's values through the stack config schema and the resolver (bound services stubbed). A failure
 * is a bug in the import, never the user's input.
 */
function selfCheck(result: ImportResult, out: string): void {
    const declaration = defineService(toDeclarationInput(result.declaration));
    for (const stack of result.stacks) {
        const service: Record<string, unknown> = { ...stack.overrides };
        if (Object.keys(stack.imports).length > 0) {
            service.import = Object.fromEntries(Object.entries(stack.imports).map(([b, r]) => [b, r.name === undefined ? { id: r.id } : { id: r.id, name: r.name }]));
        }
        const accountId = stack.accountId ?? "0".repeat(32);
        const parsed = stackConfigSchema.safeParse({
            accountId,
            ...(stack.zone === undefined ? {} : { zone: { id: stack.zone.id ?? "0".repeat(32), name: stack.zone.name } }),
            services: { [declaration.name]: service },
            secrets: { [declaration.name]: Object.fromEntries(stack.secretNames.map((n) => [n, "placeholder"])) },
            // The stack's database is the user's to add (the report says so); stand one in, as for bound services.
            ...(Object.values(declaration.bindings).some((b) => bindingKind(b.kind).needsDatabase === true)
                ? { database: { neon: { project: { name: "import-self-check", regionId: "aws-us-east-2" } } } }
                : {}),
        });
        if (!parsed.success) throw new Error(`import self-check: the values of stack ${stack.stack} do not validate: ${parsed.error.message}`);
        const stubs = boundServiceStubs(declaration);
        try {
            resolveServices(stack.stack, parsed.data, [{ declaration, root: out }, ...stubs.map((d) => ({ declaration: d, root: out }))], PROJECT_ROOT);
        } catch (error) {
            throw new Error(`import self-check: stack ${stack.stack} does not resolve: ${(error as Error).message}`);
        }
    }
}

/** Minimal declarations of the services a declaration binds to, declaring what its bindings need of them (Durable Object classes, ...). */
export function boundServiceStubs(declaration: ReturnType<typeof defineService>): ReturnType<typeof defineService>[] {
    const targets = new Map<string, { bindings: DeclaredBinding[]; classes: string[] }>();
    for (const b of Object.values(declaration.bindings)) {
        const stub = bindingKind(b.kind).targetStub?.(b);
        if (stub === undefined) continue;
        const target = targets.get(stub.service) ?? { bindings: [], classes: [] };
        targets.set(stub.service, target);
        if (stub.binding !== undefined) target.bindings.push(stub.binding);
        target.classes.push(...(stub.sqliteClasses ?? []).filter((c) => !target.classes.includes(c)));
    }
    // Tail consumers must be declared services too; they need nothing of their own.
    for (const consumer of declaration.tailConsumers ?? []) {
        if (!targets.has(consumer.service)) targets.set(consumer.service, { bindings: [], classes: [] });
    }
    return [...targets].map(([name, { bindings, classes }]) => defineService({
        name,
        main: "src/index.ts",
        compatibilityDate: declaration.compatibilityDate,
        bindings: Object.fromEntries(bindings.map((b, i) => [`STUB_${i}`, b])) as ServiceDeclarationInput["bindings"],
        durableObjectMigrations: classes.length === 0 ? [] : [{ tag: "v1", newSqliteClasses: classes }],
        env: z.object({}),
    }));
}

function toPosix(p: string): string {
    return p.split(path.sep).join("/");
}

/** Where {@link main} writes. */
export type Streams = Io;

/** The import as a command: parses arguments, runs {@link runImport}, prints the report; throws on errors. */
function importMain(argv: readonly string[], streams: Io): number {
    let parsed;
    try {
        parsed = parseArgs({
            args: [...argv],
            options: {
                out: { type: "string" }, name: { type: "string" }, "account-id": { type: "string" },
                env: { type: "string", multiple: true },
            },
            allowPositionals: true,
            strict: true,
        });
    } catch (error) {
        streams.stderr(`error: ${(error as Error).message}\n${USAGE}\n`);
        return 2;
    }
    const { values, positionals } = parsed;
    const problems: string[] = [];
    if (positionals.length !== 1) problems.push(`expected one wrangler config file, got ${positionals.length}`);
    if (values.out === undefined || values.out === "") problems.push("--out <dir> is required");
    const environments: Record<string, string> = {};
    for (const mapping of values.env ?? []) {
        const match = /^([^=]+)=(.+)$/.exec(mapping);
        if (match === null) problems.push(`--env ${mapping}: expected <stack>=<wrangler environment>, e.g. production=prod`);
        else if (environments[match[1]!] !== undefined) problems.push(`--env ${mapping}: stack ${match[1]} is already fed by --env ${match[1]}=${environments[match[1]!]}; a stack takes one environment`);
        else environments[match[1]!] = match[2]!;
    }
    if (problems.length > 0) {
        streams.stderr(`${problems.map((p) => `error: ${p}`).join("\n")}\n${USAGE}\n`);
        return 2;
    }
    const { report } = runImport({
        file: positionals[0]!,
        out: values.out!,
        ...(values.name === undefined ? {} : { name: values.name }),
        ...(values["account-id"] === undefined ? {} : { accountId: values["account-id"] }),
        ...(Object.keys(environments).length === 0 ? {} : { environments }),
    });
    streams.stdout(report);
    return 0;
}

/** `npm run import`, as {@link runCli} runs it. */
export const importCommand: Command<number> = { name: "import", usage: USAGE, main: importMain, afterError: "Nothing was written." };

/**
 * The command line, in-process: the exit code (0 imported, 2 malformed input or arguments, 1 an unexpected
 * failure), every error rendered as `npm run import` renders it (`tools/lib/cli.ts`).
 */
export function main(argv: readonly string[], streams: Streams = {
    stdout: (t) => process.stdout.write(t),
    stderr: (t) => process.stderr.write(t),
}): number {
    return runCommandSync(importCommand, argv, streams);
}

if (require.main === module) {
    runCli(importCommand);
}
