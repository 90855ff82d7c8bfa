/**
 * Helpers for the bad-input tests (`test/cliErrors.test.ts`, `test/declarationChecks.test.ts`): run a command
 * in-process exactly as its CLI does (`tools/lib/cli.ts` renders every error) or as a real process, assert that
 * an outcome is a user error (exit 2, the field named, no stack trace), and prove nothing was left behind by
 * comparing directory listings. Projects for `npm run plan -- --cwd` are written under `.platform/`, inside the
 * repository, where their service declarations resolve `zod` and the platform's modules.
 */
import { spawn } from "node:child_process";
import * as fs from "node:fs";
import * as path from "node:path";
import { expect } from "vitest";
import { runCommand, runCommandSync, type Command, type Io } from "../../tools/lib/cli";

export const PROJECT_ROOT = path.resolve(__dirname, "..", "..");
/** Where unexpected failures leave their traces (`tools/lib/cli.ts`). */
export const TRACE_DIR = path.join(PROJECT_ROOT, ".platform", "errors");
/** A line of a JavaScript stack trace. */
export const STACK_FRAME = /^\s+at \S.*(:\d+:\d+\)?|\(native\)|<anonymous>\)?)$/m;

/** What a command did. */
export interface Outcome {
    readonly code: number | null;
    readonly stdout: string;
    readonly stderr: string;
    /** Wall time, ms. */
    readonly ms: number;
}

function capture(): { io: Io; stdout: () => string; stderr: () => string } {
    let out = "";
    let err = "";
    return { io: { stdout: (t) => { out += t; }, stderr: (t) => { err += t; } }, stdout: () => out, stderr: () => err };
}

/** Runs an async command in-process as its CLI runs it. */
export async function inProcess(command: Command, argv: readonly string[]): Promise<Outcome> {
    const { io, stdout, stderr } = capture();
    const started = Date.now();
    const code = await runCommand(command, argv, io);
    return { code, stdout: stdout(), stderr: stderr(), ms: Date.now() - started };
}

/** Runs a synchronous command in-process as its CLI runs it. */
export function inProcessSync(command: Command<number>, argv: readonly string[]): Outcome {
    const { io, stdout, stderr } = capture();
    const started = Date.now();
    const code = runCommandSync(command, argv, io);
    return { code, stdout: stdout(), stderr: stderr(), ms: Date.now() - started };
}

/** Runs `node --import tsx <script> ...argv` from the project root, as `npm run` does; killed after `timeoutMs`. */
export function spawnCommand(script: string, argv: readonly string[], options: { env?: NodeJS.ProcessEnv; timeoutMs?: number } = {}): Promise<Outcome> {
    const started = Date.now();
    return new Promise((resolve, reject) => {
        const child = spawn(process.execPath, ["--import", "tsx", path.join(PROJECT_ROOT, script), ...argv], {
            cwd: PROJECT_ROOT, env: { ...process.env, ...options.env }, stdio: ["ignore", "pipe", "pipe"],
        });
        let stdout = "";
        let stderr = "";
        child.stdout.on("data", (c: Buffer) => { stdout += c.toString(); });
        child.stderr.on("data", (c: Buffer) => { stderr += c.toString(); });
        const timer = setTimeout(() => child.kill("SIGKILL"), options.timeoutMs ?? 60_000);
        child.on("error", reject);
        child.on("close", (code) => {
            clearTimeout(timer);
            resolve({ code, stdout, stderr, ms: Date.now() - started });
        });
    });
}

/** Runs `work` on every item with at most `limit` at a time (spawned CLIs on a 2-core machine). */
export async function inBatches<T, R>(items: readonly T[], limit: number, work: (item: T) => Promise<R>): Promise<R[]> {
    const results: R[] = new Array(items.length);
    let next = 0;
    await Promise.all(Array.from({ length: Math.min(limit, items.length) }, async () => {
        while (next < items.length) {
            const i = next++;
            results[i] = await work(items[i]!);
        }
    }));
    return results;
}

/**
 * Asserts a user error as every command must end on one: exit 2, a message naming each of `names` (the file,
 * key or flag), no stack trace, and not reported as an unexpected failure.
 */
export function expectUserError(outcome: Outcome, names: readonly (string | RegExp)[], label: string): void {
    const shown = `${label}\n--- stderr ---\n${outcome.stderr}\n--- stdout ---\n${outcome.stdout.slice(-2000)}`;
    expect(outcome.code, shown).toBe(2);
    expect(outcome.stderr, shown).toMatch(/^error: /);
    for (const name of names) {
        if (typeof name === "string") expect(outcome.stderr, shown).toContain(name);
        else expect(outcome.stderr, shown).toMatch(name);
    }
    expect(outcome.stderr, shown).not.toMatch(STACK_FRAME);
    expect(outcome.stderr, shown).not.toContain("failed unexpectedly");
}

/**
 * Every path below `dirs` (relative to `/`, directories with a trailing `/`, symbolic links not followed), and
 * the trace files: what "nothing left behind" compares before and after a case.
 */
export function listTree(...dirs: readonly string[]): string[] {
    const out: string[] = [];
    const walk = (dir: string) => {
        let entries: fs.Dirent[];
        try {
            entries = fs.readdirSync(dir, { withFileTypes: true });
        } catch {
            return;
        }
        for (const entry of entries) {
            const full = path.join(dir, entry.name);
            if (entry.isDirectory()) {
                out.push(`${full}/`);
                walk(full);
            } else {
                out.push(full);
            }
        }
    };
    for (const dir of [...dirs, TRACE_DIR]) walk(dir);
    return out.sort();
}

/** The account id every fixture stack uses. */
export const ACCOUNT = "0123456789abcdef0123456789abcdef";
/** A `secure:` value as `pulumi config set --secret` writes it (offline it is a placeholder). */
export const SECURE = { secure: "v1:UkVQTEFDRS1NRQ==:cGxhY2Vob2xkZXI=" };

/** One service of a fixture project. */
export interface ServiceSpec {
    /** The object literal given to `defineService`, without braces (`name: "svc", main: ...`). */
    readonly fields: string;
    /** Other files of the service directory, by relative path; a `null` creates a directory. @default a Worker at src/index.ts */
    readonly files?: Readonly<Record<string, string | null>>;
    /** The whole `service.ts`, instead of one built from `fields`. */
    readonly source?: string;
}

/** A minimal valid service declaration's fields for service `name`. */
export function serviceFields(name: string, extra = ""): string {
    return `name: "${name}", main: "src/index.ts", compatibilityDate: "2026-04-01", env: z.object({})${extra === "" ? "" : `, ${extra}`}`;
}

/** The default Worker: a fetch handler, and the classes given. */
export function workerSource(...classes: readonly string[]): string {
    return [
        ...classes.map((c) => `export class ${c} { async fetch() { return new Response("${c}"); } }`),
        'export default { async fetch() { return new Response("ok"); } };',
        "",
    ].join("\n");
}

/**
 * Writes a project under `parent/<name>`: Pulumi.yaml (main: index.ts), `Pulumi.<stack>.yaml` with `stackConfig`
 * (`platform:accountId` added unless given), an index.ts calling `definePlatform` on the services, and each
 * service's `service.ts` and files.
 * @returns the project directory.
 */
export function writeProject(parent: string, name: string, spec: {
    readonly services: Readonly<Record<string, ServiceSpec>>;
    readonly stack?: string;
    /** `config:` entries, or the whole stack file's text. */
    readonly stackConfig?: Readonly<Record<string, unknown>> | string;
}): string {
    const dir = path.join(parent, name);
    fs.mkdirSync(dir, { recursive: true });
    fs.writeFileSync(path.join(dir, "Pulumi.yaml"), "name: platform\nruntime: nodejs\nmain: index.ts\n");
    const stackFile = path.join(dir, `Pulumi.${spec.stack ?? "test"}.yaml`);
    if (typeof spec.stackConfig === "string") fs.writeFileSync(stackFile, spec.stackConfig);
    else fs.writeFileSync(stackFile, JSON.stringify({ config: { "platform:accountId": ACCOUNT, ...spec.stackConfig } }, null, 2));
    const posix = (p: string) => p.split(path.sep).join("/");
    const program = posix(path.relative(dir, path.join(PROJECT_ROOT, "infra", "program")));
    const names = Object.keys(spec.services);
    fs.writeFileSync(path.join(dir, "index.ts"), [
        'import * as path from "node:path";',
        `import { definePlatform } from "${program}";`,
        ...names.map((s, i) => `import service${i} from "./services/${s}/service";`),
        "",
        `export const services = definePlatform([${names.map((s, i) => `{ declaration: service${i}, root: path.join(__dirname, "services", "${s}") }`).join(", ")}]).environment.summary;`,
        "",
    ].join("\n"));
    for (const [service, { fields, files, source }] of Object.entries(spec.services)) {
        const root = path.join(dir, "services", service);
        fs.mkdirSync(root, { recursive: true });
        const declarationModule = posix(path.relative(root, path.join(PROJECT_ROOT, "components", "service", "declaration")));
        fs.writeFileSync(path.join(root, "service.ts"), source ?? [
            'import { z } from "zod";',
            `import { defineService } from "${declarationModule}";`,
            "",
            `export default defineService({ ${fields} });`,
            "",
        ].join("\n"));
        for (const [file, text] of Object.entries(files ?? { "src/index.ts": workerSource() })) {
            const target = path.join(root, file);
            if (text === null) {
                fs.mkdirSync(target, { recursive: true });
                continue;
            }
            fs.mkdirSync(path.dirname(target), { recursive: true });
            fs.writeFileSync(target, text);
        }
    }
    return dir;
}
