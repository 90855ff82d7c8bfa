/**
 * How every command-line tool ends (`plan`, `dev`, `import`, `neon-simulator`, `bench`): one error path.
 *
 * - Anything the user can cause (arguments, stack files, declarations, imported files, an output path that
 *   cannot be written; any `UserError`, and `node:util` argument errors) ends with exit 2 and one message
 *   naming the file, key or flag, what was expected and what was found; never a stack trace.
 * - Anything else is a bug: exit 1, a short message, and the full trace written to a file under
 *   `.platform/errors/` of this project (or the OS temp directory when that cannot be written), whose path the
 *   message gives.
 *
 * A command's `main` returns its exit code or throws; {@link runCli} runs it as a process, and
 * {@link runCommand} / {@link runCommandSync} run it in-process (tests) with the same rendering.
 */
import { randomBytes } from "node:crypto";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { inspect } from "node:util";
import { ValidationError, type ValidationIssue } from "../../components/validation";

/** Where a command writes. */
export interface Io {
    readonly stdout: (text: string) => void;
    readonly stderr: (text: string) => void;
}

/** The process's own streams. */
export const PROCESS_IO: Io = {
    stdout: (text) => process.stdout.write(text),
    stderr: (text) => process.stderr.write(text),
};

/** A command-line tool. */
export interface Command<Code = Promise<number> | number> {
    /** The npm script (`plan`): names the trace file and heads the message of an unexpected failure. */
    readonly name: string;
    /** Printed after an argument error. */
    readonly usage: string;
    /** Runs the command: its exit code, or a thrown error that {@link reportFailure} renders. */
    readonly main: (argv: readonly string[], io: Io) => Code;
    /** A line printed after every error (`Nothing was written.`). @default none */
    readonly afterError?: string;
}

/** Invalid command-line arguments: a {@link ValidationError} whose paths are flags; the usage follows its message. */
export class ArgumentError extends ValidationError {
    constructor(issues: readonly ValidationIssue[]) {
        super("arguments", issues);
        this.name = "ArgumentError";
    }
}

/** One invalid argument: `flag` (`--port`) and what was expected and found. */
export function argumentError(flag: string, message: string): ArgumentError {
    return new ArgumentError([{ path: flag, message }]);
}

/** Whether the user can fix `error`: a `UserError` (the SDK's run-error marker) or a `node:util` argument error. */
export function isUserError(error: unknown): boolean {
    const e = error as { __pulumiRunError?: boolean; code?: string } | null;
    return e?.__pulumiRunError === true || isParseArgsError(error);
}

function isParseArgsError(error: unknown): boolean {
    const code = (error as { code?: unknown } | null)?.code;
    return typeof code === "string" && code.startsWith("ERR_PARSE_ARGS_");
}

/** Where trace files go: `.platform/errors/` of this project. */
const TRACE_DIR = path.resolve(__dirname, "..", "..", ".platform", "errors");

/**
 * Prints `error` the way every command ends on it and returns the exit code: 2 with its message for a user
 * error (and the usage for an argument error), else 1 with a short message and the path of the trace file
 * written by {@link writeTrace}.
 * @param traceDir where the trace file goes. @default `.platform/errors/` of this project, else the OS temp directory
 */
export function reportFailure(command: Pick<Command, "name" | "usage" | "afterError">, error: unknown, io: Io, traceDir = TRACE_DIR): number {
    const after = command.afterError === undefined ? "" : `${command.afterError}\n`;
    if (isUserError(error)) {
        const usage = error instanceof ArgumentError || isParseArgsError(error) ? `${command.usage}\n` : "";
        io.stderr(`error: ${(error as Error).message}\n${usage}${after}`);
        return 2;
    }
    const file = writeTrace(command.name, error, traceDir);
    const first = (error instanceof Error ? error.message : String(error)).split("\n")[0]!.slice(0, 300);
    io.stderr(`error: npm run ${command.name} failed unexpectedly: ${first || (error as Error)?.name || "unknown error"}\n` +
        (file === undefined
            ? "(the trace could not be written anywhere)\n"
            : `The full trace is in ${shownPath(file)}; this is a bug: please report it with that file.\n`) + after);
    return 1;
}

/**
 * Writes the full trace of an unexpected failure (stack, `cause` chain, extra fields) with the command line to
 * `<dir>/<command>-<time>-<pid>.log` (mode 0600), or to the OS temp directory when `dir` cannot be written.
 * @returns the file, or undefined when neither could be written.
 */
export function writeTrace(command: string, error: unknown, dir = TRACE_DIR): string | undefined {
    const text = [
        `npm run ${command} failed unexpectedly at ${new Date().toISOString()}`,
        `command: ${process.argv.map((a) => JSON.stringify(a)).join(" ")}`,
        `node ${process.version} on ${process.platform} ${process.arch}, cwd ${process.cwd()}`,
        ...(process.sourceMapsEnabled ? [] : ["positions are in the transpiled code: run again with NODE_OPTIONS=--enable-source-maps for TypeScript positions"]),
        "",
        inspect(error, { depth: 6, breakLength: 120 }),
        "",
    ].join("\n");
    const name = `${command}-${new Date().toISOString().replace(/[-:]|\.\d+/g, "")}-${process.pid}-${randomBytes(2).toString("hex")}.log`;
    for (const target of [dir, path.join(os.tmpdir(), "workers-platform-errors")]) {
        try {
            fs.mkdirSync(target, { recursive: true, mode: 0o700 });
            const file = path.join(target, name);
            fs.writeFileSync(file, text, { mode: 0o600, flag: "wx" });
            return file;
        } catch {
            // Next place.
        }
    }
    return undefined;
}

/** Runs an async command in-process: its exit code, every error rendered by {@link reportFailure}. */
export async function runCommand(command: Command, argv: readonly string[], io: Io = PROCESS_IO): Promise<number> {
    try {
        return await command.main(argv, io);
    } catch (error) {
        return reportFailure(command, error, io);
    }
}

/** {@link runCommand} for a synchronous command. */
export function runCommandSync(command: Command<number>, argv: readonly string[], io: Io = PROCESS_IO): number {
    try {
        return command.main(argv, io);
    } catch (error) {
        return reportFailure(command, error, io);
    }
}

/**
 * Runs a command as the process: exits with its code, or as {@link reportFailure} decides for an error,
 * including one thrown later from a callback (an uncaught exception or an unhandled rejection).
 */
export function runCli(command: Command): void {
    let failed = false;
    const fail = (error: unknown) => {
        if (failed) return;
        failed = true;
        process.exit(reportFailure(command, error, PROCESS_IO));
    };
    // Node raises an unhandled rejection as an uncaught exception unless something listens for rejections.
    process.on("uncaughtException", fail);
    runCommand(command, process.argv.slice(2)).then((code) => process.exit(code), fail);
}

/** A path relative to the working directory when it lies below it, else absolute. */
export function shownPath(file: string): string {
    const relative = path.relative(process.cwd(), file);
    return relative === "" || relative.startsWith("..") || path.isAbsolute(relative) ? file : relative;
}

/**
 * A port number given to `flag`: 1 to 65535 (or 0 when `allowZero`, "any free port").
 * @throws {ArgumentError} naming the flag, what is expected and what was given.
 */
export function portArgument(flag: string, value: string, allowZero = false): number {
    const port = /^\d{1,5}$/.test(value) ? Number(value) : Number.NaN;
    const min = allowZero ? 0 : 1;
    if (!(port >= min && port <= 65535)) {
        throw argumentError(flag, `expected a TCP port number from ${min} to 65535${allowZero ? " (0: any free port)" : ""}, got ${JSON.stringify(value)}`);
    }
    return port;
}

/**
 * A number given to `flag` within `[min, max]` (whole when `integer`).
 * @throws {ArgumentError} naming the flag, the range and what was given.
 */
export function numberArgument(flag: string, value: string, range: { min: number; max?: number; integer?: boolean; unit?: string }): number {
    const n = value.trim() === "" ? Number.NaN : Number(value);
    const { min, max, integer = false, unit = "" } = range;
    if (!Number.isFinite(n) || n < min || (max !== undefined && n > max) || (integer && !Number.isInteger(n))) {
        const what = `${integer ? "a whole number" : "a number"} ${max === undefined ? `of at least ${min}` : `from ${min} to ${max}`}${unit === "" ? "" : ` (${unit})`}`;
        throw argumentError(flag, `expected ${what}, got ${JSON.stringify(value)}`);
    }
    return n;
}
