/**
 * Output files of the command-line tools: checked at once, written atomically, never half-written.
 *
 * - {@link checkDestination} runs before any work: a destination that cannot be written (a directory given
 *   for a file, a file or a dangling symbolic link given for a directory, a device, a read-only or
 *   pseudo file system such as /proc or /sys, no permission) is an error naming the flag at once.
 * - {@link writeFilesAtomically} writes each file to a temporary file beside it and renames it over the
 *   destination once every file is written; {@link writeDirectoryAtomically} fills a temporary sibling
 *   directory and renames it. On a failure the temporary files and the directories created for them are
 *   removed, and the error names the flag and the path.
 * - Directories are created one level at a time, never with `mkdirSync(..., { recursive: true })`: Node 20's
 *   recursive mkdir loops forever when mkdir answers ENOENT although the parent exists (any path under
 *   /proc), which is how `npm run plan -- --out /proc/x` used to wait forever.
 */
import { randomBytes } from "node:crypto";
import * as fs from "node:fs";
import * as path from "node:path";
import { UserError } from "../../components/validation";
import { argumentError } from "./cli";

/** An output a flag names. */
export interface Destination {
    /** The flag naming it (`--out`), or the setting that defaults it; heads every message. */
    readonly flag: string;
    /** Its path (relative paths resolve from the working directory). */
    readonly path: string;
    /** A file (replaced as a whole) or a directory (created when missing, files written into it). */
    readonly kind: "file" | "directory";
}

/**
 * Checks that `destination` can be written, without writing it: an existing destination must be a regular
 * file (for `file`) or a directory (for `directory`), followed through symbolic links; a missing one needs
 * its nearest existing ancestor to be a directory; and the directory it lands in must accept a new entry
 * (tried with a temporary directory, removed at once).
 * @throws {ArgumentError} naming the flag, what was expected and what was found.
 */
export function checkDestination(destination: Destination): void {
    const problem = destinationProblem(destination);
    if (problem !== undefined) throw argumentError(destination.flag, problem);
}

/** What {@link checkDestination} finds wrong, or undefined. */
export function destinationProblem({ path: given, kind }: Destination): string | undefined {
    const absolute = path.resolve(given);
    const found = resolveExisting(absolute);
    if (typeof found === "string") return found;
    if (found !== undefined) {
        if (kind === "directory") {
            return found.stat.isDirectory() ? writableProblem(found.real) : `expected a directory (or a path to create one at), found ${describe(found.stat)} at ${given}`;
        }
        if (found.stat.isDirectory()) return `expected the path of a file, found a directory at ${given}`;
        if (!found.stat.isFile()) {
            return `expected the path of a regular file (it is written to a temporary file beside it, then renamed over it), found ${describe(found.stat)} at ${given}`;
        }
        return writableProblem(path.dirname(found.real));
    }
    const ancestor = nearestAncestor(absolute);
    if (typeof ancestor === "string") return ancestor;
    if (!ancestor.stat.isDirectory()) return `cannot create ${given}: ${ancestor.path} is ${describe(ancestor.stat)}, not a directory`;
    return writableProblem(ancestor.real);
}

/** What is at `file` (following symbolic links), or undefined when nothing is (also below a file: ENOTDIR). */
export function statOf(file: string): fs.Stats | undefined {
    try {
        return fs.statSync(file);
    } catch (error) {
        const code = (error as NodeJS.ErrnoException).code;
        if (code === "ENOENT" || code === "ENOTDIR" || code === "ELOOP") return undefined;
        throw error;
    }
}

/**
 * Reads a text file the user named, refusing what is not a regular file (a directory; a device or a pipe, whose
 * reading may never end).
 * @returns its text, or what is wrong: "file not found at …", "… is a directory, not a file", ….
 */
export function readUserFile(file: string): { readonly text: string } | { readonly problem: string } {
    let stat: fs.Stats | undefined;
    try {
        stat = statOf(file);
        if (stat === undefined) return { problem: `file not found at ${file}` };
        if (!stat.isFile()) return { problem: `${file} is ${describe(stat)}, not a ${stat.isDirectory() ? "" : "regular "}file` };
        return { text: fs.readFileSync(file, "utf8") };
    } catch (error) {
        return { problem: `cannot read ${file}: ${reasonOf(error)}` };
    }
}

/** One file to write. */
export interface OutputFile {
    /** The flag naming it (or the directory it is written into), for messages. */
    readonly flag: string;
    readonly path: string;
    readonly content: string | Uint8Array;
    /** File mode. @default 0o666 before the umask */
    readonly mode?: number;
}

/**
 * Writes `files` so that each is either written completely or not at all: every file goes to a temporary
 * file in its destination's directory (missing directories are created), and only once all are written are
 * they renamed over their destinations (a symbolic link to a file is followed). On a failure nothing new is
 * left: the temporary files and the directories created are removed.
 * @throws {ArgumentError} for a destination {@link checkDestination} refuses; {@link UserError} naming the
 *   flag, the path and the reason when a write fails (a full disk).
 */
export function writeFilesAtomically(files: readonly OutputFile[]): void {
    for (const file of files) checkDestination({ flag: file.flag, path: file.path, kind: "file" });
    const created: string[] = [];
    const staged: { temp: string; final: string; file: OutputFile }[] = [];
    let current: OutputFile | undefined;
    try {
        for (const file of files) {
            current = file;
            const final = finalPath(path.resolve(file.path));
            createDirectories(path.dirname(final), created);
            const temp = path.join(path.dirname(final), `.${path.basename(final)}.${randomBytes(4).toString("hex")}.tmp`);
            staged.push({ temp, final, file });
            fs.writeFileSync(temp, file.content, { flag: "wx", ...(file.mode === undefined ? {} : { mode: file.mode }) });
        }
        while (staged.length > 0) {
            const { temp, final, file } = staged[0]!;
            current = file;
            fs.renameSync(temp, final);
            staged.shift();
        }
    } catch (error) {
        for (const { temp } of staged) fs.rmSync(temp, { force: true });
        removeCreated(created);
        throw writeError(current, error);
    }
}

/**
 * Creates directory `dir` holding `files` (relative name → content) atomically: the files go to a temporary
 * sibling directory that is renamed to `dir` at the end. `dir` must not exist, or be an empty directory.
 * @returns the absolute paths written.
 * @throws {UserError} naming `flag` when something cannot be written; nothing is left behind.
 */
export function writeDirectoryAtomically(flag: string, dir: string, files: Readonly<Record<string, string>>): string[] {
    const out = path.resolve(dir);
    const created: string[] = [];
    let temp: string | undefined;
    try {
        createDirectories(path.dirname(out), created);
        temp = path.join(path.dirname(out), `.${path.basename(out)}.${randomBytes(4).toString("hex")}.tmp`);
        fs.mkdirSync(temp);
        for (const [name, text] of Object.entries(files)) {
            createDirectories(path.dirname(path.join(temp, name)), []);
            fs.writeFileSync(path.join(temp, name), text, { flag: "wx" });
        }
        // rename(2) replaces an empty directory, but not on every platform: remove it first.
        if (fs.existsSync(out)) fs.rmdirSync(out);
        fs.renameSync(temp, out);
    } catch (error) {
        if (temp !== undefined) fs.rmSync(temp, { recursive: true, force: true });
        removeCreated(created);
        throw writeError({ flag, path: dir }, error);
    }
    return Object.keys(files).map((name) => path.join(out, name));
}

/**
 * Creates `dir` and its missing ancestors one level at a time, recording each one created in `created`
 * (outermost first). See the module comment for why not `recursive: true`.
 */
export function createDirectories(dir: string, created: string[]): void {
    let stat: fs.Stats | undefined;
    try {
        stat = fs.statSync(dir);
    } catch (error) {
        if ((error as NodeJS.ErrnoException).code !== "ENOENT") throw error;
    }
    if (stat !== undefined) {
        if (!stat.isDirectory()) throw Object.assign(new Error(`${dir} is ${describe(stat)}, not a directory`), { code: "ENOTDIR" });
        return;
    }
    const parent = path.dirname(dir);
    if (parent !== dir) createDirectories(parent, created);
    fs.mkdirSync(dir);
    created.push(dir);
}

/** Removes the directories {@link createDirectories} created, innermost first, when they are empty. */
function removeCreated(created: readonly string[]): void {
    for (const dir of [...created].reverse()) {
        try {
            fs.rmdirSync(dir);
        } catch {
            // Not empty (someone else wrote there meanwhile) or gone: leave it.
        }
    }
}

/** The error for a failed write: names the flag, the path and the reason, and says nothing was written. */
function writeError(file: Pick<OutputFile, "flag" | "path"> | undefined, error: unknown): Error {
    if (file === undefined) return error as Error;
    return new UserError(`${file.flag}: cannot write ${file.path}: ${reasonOf(error)}. Nothing was written.`);
}

/** A symbolic link to an existing file is written through (its target is replaced); anything else as it is. */
function finalPath(absolute: string): string {
    try {
        return fs.lstatSync(absolute).isSymbolicLink() ? fs.realpathSync(absolute) : absolute;
    } catch {
        return absolute;
    }
}

/** The existing destination (followed through links), undefined when missing, or what is wrong (a dangling link). */
function resolveExisting(absolute: string): { stat: fs.Stats; real: string } | string | undefined {
    let link: fs.Stats;
    try {
        link = fs.lstatSync(absolute);
    } catch (error) {
        const code = (error as NodeJS.ErrnoException).code;
        if (code === "ENOENT" || code === "ENOTDIR") return undefined;
        return `cannot look at ${absolute}: ${reasonOf(error)}`;
    }
    if (!link.isSymbolicLink()) return { stat: link, real: absolute };
    try {
        return { stat: fs.statSync(absolute), real: fs.realpathSync(absolute) };
    } catch {
        return danglingProblem(absolute);
    }
}

/** The nearest existing ancestor of a missing path, or what is wrong on the way (a dangling link). */
function nearestAncestor(absolute: string): { path: string; real: string; stat: fs.Stats } | string {
    for (let dir = path.dirname(absolute); ; dir = path.dirname(dir)) {
        const found = resolveExisting(dir);
        if (typeof found === "string") return found;
        if (found !== undefined) return { path: dir, ...found };
        if (path.dirname(dir) === dir) return `cannot create ${absolute}: no part of the path exists`;
    }
}

function danglingProblem(link: string): string {
    let target = "?";
    try {
        target = fs.readlinkSync(link);
    } catch {
        // Keep "?".
    }
    return `${link} is a symbolic link to ${target}, which does not exist (a dangling link); remove the link or create its target`;
}

/** Whether a new entry can be created in directory `dir`: tried with a temporary directory, removed at once. */
function writableProblem(dir: string): string | undefined {
    try {
        fs.rmdirSync(fs.mkdtempSync(path.join(dir, ".write-check-")));
        return undefined;
    } catch (error) {
        return `cannot write in ${dir}: ${reasonOf(error)}`;
    }
}

/** What a file system error means, with its code. */
export function reasonOf(error: unknown): string {
    const code = (error as NodeJS.ErrnoException | null)?.code;
    const meaning: Record<string, string> = {
        EACCES: "permission denied",
        EPERM: "operation not permitted",
        EROFS: "read-only file system",
        ENOSPC: "no space left on device",
        EDQUOT: "disk quota exceeded",
        ENOENT: "the file system does not allow creating entries there",
        ENOTDIR: "a part of the path is not a directory",
        EISDIR: "it is a directory",
        EEXIST: "something else appeared there meanwhile",
        ENAMETOOLONG: "the path is too long",
        ELOOP: "too many symbolic links",
        EIO: "input/output error",
    };
    if (code !== undefined && meaning[code] !== undefined) return `${meaning[code]} (${code})`;
    return (error as Error)?.message?.split("\n")[0] ?? String(error);
}

function describe(stat: fs.Stats): string {
    if (stat.isFile()) return "a regular file";
    if (stat.isDirectory()) return "a directory";
    if (stat.isCharacterDevice()) return "a character device";
    if (stat.isBlockDevice()) return "a block device";
    if (stat.isFIFO()) return "a named pipe";
    if (stat.isSocket()) return "a socket";
    return "a special file";
}
