/** Runs `npm run import` (tools/import.ts) in-process on small files written by a test. */
import * as fs from "node:fs";
import * as path from "node:path";
import { main } from "../../tools/import";

/** The exit code and output of one run. */
export interface ImportRun {
    readonly code: number;
    readonly stdout: string;
    readonly stderr: string;
}

/** Runs the command in-process with `args`; returns its exit code and output. */
export function runImportCommand(args: readonly string[]): ImportRun {
    let stdout = "";
    let stderr = "";
    const code = main(args, { stdout: (t) => { stdout += t; }, stderr: (t) => { stderr += t; } });
    return { code, stdout, stderr };
}

/**
 * Writes `content` as `<dir>/<fileName>` (`dir` is created and must not exist) and imports it into `<dir>/out`.
 * @returns the run, and the paths of the file and of `--out`.
 */
export function importCase(dir: string, fileName: string, content: string | Uint8Array, args: readonly string[] = []): ImportRun & { file: string; out: string } {
    fs.mkdirSync(dir);
    const file = path.join(dir, fileName);
    fs.writeFileSync(file, content);
    const out = path.join(dir, "out");
    return { ...runImportCommand([file, "--out", out, ...args]), file, out };
}
