/**
 * A content-addressed cache of esbuild results, so an unchanged Worker (or policy pack) is never bundled twice:
 * the plan, `pulumi up` and the tests all bundle through it.
 *
 * An entry is valid only for the same build and the same files:
 * - the key: what is built (`kind`), the esbuild options (entry, working directory, loaders, minify, ...),
 *   esbuild's version, and the code that builds it (the SHA-256 of this module and of the caller's
 *   `codeFiles`, so a change to the bundling code is a miss without anyone bumping a version);
 * - the files: every input esbuild read (`metafile.inputs`, https://esbuild.github.io/api/#metafile), plus
 *   the `package.json`, `tsconfig.json` and `jsconfig.json` that may sit in each input's directory or above it
 *   (they steer how imports resolve and how TypeScript compiles), each with the SHA-256 of its bytes or its
 *   absence. A file that appears where none was (a new `tsconfig.json`) is a miss too.
 *   Not covered: a new source file that would now win the resolution of an import (`./util.ts` beside the
 *   `./util.js` esbuild chose); delete the cache (or set `PLATFORM_BUNDLE_CACHE=off`) after such a change.
 *
 * Layout, under the cache directory (`.platform/cache/bundles/` of this repository by default):
 * - `index/<key sha256>.json`: the files the last build with that key read (`{ format, files: [path, ...] }`);
 * - `<address>.json`: one entry, `{ format, key, files: [[path, sha256 | null]], valueSha256, value }`, where
 *   the address is the SHA-256 of the key and every file's hash: the same sources always land on the same
 *   entry, and switching back to earlier sources finds their entry again.
 *
 * Every file is written to a temporary file beside it and renamed over it, so concurrent plans never see a
 * partial entry: two writers of one entry write the same bytes, and the last rename wins. An entry that does
 * not parse, does not match its schema, names other files or whose value's hash differs (a truncated or
 * corrupt file) is ignored and rebuilt. Failing to write the cache (a read-only checkout, a full disk) does
 * not fail the build; the result is just not cached.
 *
 * A hit marks its entry and index as used (their modification time). The first miss of a process removes every
 * file of the cache unused for {@link MAX_UNUSED_DAYS} days, so entries of sources long gone (temporary test
 * directories, old versions) do not pile up; a removed entry is rebuilt when needed again.
 *
 * `PLATFORM_BUNDLE_CACHE=off` turns the cache off (every build runs esbuild); unset or `on` keeps it on.
 */
import { createHash, randomBytes } from "node:crypto";
import * as fs from "node:fs";
import * as path from "node:path";
import { version as esbuildVersion } from "esbuild";
import { z } from "zod";
import { UserError } from "../validation";

/** The cache directory of this repository: `.platform/cache/bundles/` (git-ignored, like every tool output). */
export const DEFAULT_BUNDLE_CACHE_DIR = path.resolve(__dirname, "..", "..", ".platform", "cache", "bundles");

/** The environment variable that turns the cache off (`off`) or on (`on`, or unset). */
export const BUNDLE_CACHE_ENV = "PLATFORM_BUNDLE_CACHE";

/** Files of the cache not used for this many days are removed (on the first miss of a process). */
const MAX_UNUSED_DAYS = 14;

/** Version of the entry layout; entries of another format are misses. */
const FORMAT = 1;

/** Files that change how esbuild resolves or compiles the files of their directory and below. */
const RESOLUTION_FILES = ["package.json", "tsconfig.json", "jsconfig.json"] as const;

/** What is built, and how: everything the output depends on besides the files it reads. */
export interface BundleCacheKey {
    /** What the build is (`worker`, `policy-pack`): keeps different builders' entries apart. */
    readonly kind: string;
    /** The esbuild options as plain JSON data (no functions): entry, working directory, loaders, minify, .... */
    readonly options: unknown;
    /** Absolute paths of the source files of the code that builds (its module), hashed into the key. @default [] */
    readonly codeFiles?: readonly string[];
    /** The bundler's version. @default esbuild's `version` */
    readonly toolVersion?: string;
}

/** What a build returns to be cached. */
export interface BuildOutput<T> {
    /** The result, JSON data. */
    readonly value: T;
    /** Absolute paths of every file the build read (esbuild's `metafile.inputs`, resolved). */
    readonly inputs: readonly string[];
}

/** Where the cache is, or `false` when it is off. */
export type BundleCacheDir = string | false;

/**
 * The cache directory in force: {@link DEFAULT_BUNDLE_CACHE_DIR}, or `false` when `PLATFORM_BUNDLE_CACHE` is `off`.
 * @throws {UserError} naming `PLATFORM_BUNDLE_CACHE` when it holds anything but `on` or `off`.
 */
export function bundleCacheDir(env: NodeJS.ProcessEnv = process.env): BundleCacheDir {
    const parsed = z.enum(["on", "off"]).optional().safeParse(env[BUNDLE_CACHE_ENV]);
    if (!parsed.success) {
        throw new UserError(`${BUNDLE_CACHE_ENV}: expected "on" or "off" (the cache of bundled Workers under .platform/cache/bundles), got ${JSON.stringify(env[BUNDLE_CACHE_ENV])}`);
    }
    return parsed.data === "off" ? false : DEFAULT_BUNDLE_CACHE_DIR;
}

/**
 * Returns the cached value for `key` when the files its last build read are unchanged, else runs `build`,
 * caches what it returns and returns it. `build` errors are not cached.
 * @param dir the cache directory (created when missing), or `false` to always build.
 * @param schema checks a cached value before it is returned (a mismatch is a miss).
 * @returns the value and whether it came from the cache.
 */
export function cachedBuild<T>(dir: BundleCacheDir, key: BundleCacheKey, schema: z.ZodType<T>, build: () => BuildOutput<T>): { readonly value: T; readonly hit: boolean } {
    if (dir === false) return { value: build().value, hit: false };
    const keyHash = keyDigest(key);
    const indexFile = path.join(dir, "index", `${keyHash}.json`);
    const known = readJson(indexFile, indexSchema);
    if (known !== undefined) {
        const files = fileDigests(known.files);
        const entryFile = path.join(dir, `${address(keyHash, files)}.json`);
        const entry = readJson(entryFile, entrySchema);
        if (entry !== undefined && entry.key === keyHash && sameFiles(entry.files, files) && entry.valueSha256 === sha256(JSON.stringify(entry.value))) {
            const value = schema.safeParse(entry.value);
            if (value.success) {
                markUsed(entryFile, indexFile);
                return { value: value.data, hit: true };
            }
        }
    }
    pruneUnused(dir);
    const output = build();
    const files = fileDigests(withResolutionFiles(output.inputs));
    const entry = { format: FORMAT, key: keyHash, files, valueSha256: sha256(JSON.stringify(output.value)), value: output.value };
    if (writeAtomically(path.join(dir, `${address(keyHash, files)}.json`), JSON.stringify(entry))) {
        writeAtomically(indexFile, JSON.stringify({ format: FORMAT, files: files.map(([file]) => file) }));
    }
    return { value: output.value, hit: false };
}

/** Sets the modification time of `files` to now: they were used. Best effort, like every write of the cache. */
export function markUsed(...files: readonly string[]): void {
    const now = new Date();
    for (const file of files) {
        try {
            fs.utimesSync(file, now, now);
        } catch {
            // Gone meanwhile: rebuilt when needed.
        }
    }
}

/** Cache directories pruned by this process already. */
const prunedDirs = new Set<string>();

/**
 * Removes the files of the cache (entries, indexes, built packs, temporary files of crashed writers) whose
 * modification time is older than {@link MAX_UNUSED_DAYS} days; once per directory and process.
 * @param now the current time, ms since the epoch (tests pass another).
 */
function pruneUnused(dir: string, now = Date.now()): void {
    if (prunedDirs.has(dir)) return;
    prunedDirs.add(dir);
    const oldest = now - MAX_UNUSED_DAYS * 24 * 60 * 60 * 1000;
    for (const sub of [dir, path.join(dir, "index")]) {
        let names: string[];
        try {
            names = fs.readdirSync(sub);
        } catch {
            continue;
        }
        for (const name of names) {
            const file = path.join(sub, name);
            try {
                const stat = fs.statSync(file);
                if (stat.isFile() && stat.mtimeMs < oldest) fs.rmSync(file, { force: true });
            } catch {
                // Removed by another process meanwhile.
            }
        }
    }
}

/** A file and the SHA-256 of its bytes, or null when it does not exist. */
type FileDigest = readonly [file: string, sha256: string | null];

const indexSchema = z.object({ format: z.literal(FORMAT), files: z.array(z.string()) });
const entrySchema = z.object({
    format: z.literal(FORMAT),
    key: z.string(),
    files: z.array(z.tuple([z.string(), z.string().nullable()])),
    valueSha256: z.string(),
    value: z.unknown(),
});

/** Hex SHA-256 of `data` (a string as UTF-8). */
export function sha256(data: string | Uint8Array): string {
    return createHash("sha256").update(data).digest("hex");
}

/** The key's SHA-256: kind, options, tool version, and the bytes of the building code. */
function keyDigest(key: BundleCacheKey): string {
    const code = [__filename, ...(key.codeFiles ?? [])].map((file) => fileDigest(file));
    return sha256(JSON.stringify({ format: FORMAT, kind: key.kind, toolVersion: key.toolVersion ?? esbuildVersion, code, options: key.options }));
}

/** Where an entry for `key` and these files lives. */
function address(keyHash: string, files: readonly FileDigest[]): string {
    return sha256(`${keyHash}\n${files.map(([file, hash]) => `${file}\0${hash ?? "-"}`).join("\n")}`);
}

function fileDigest(file: string): FileDigest {
    try {
        return [file, sha256(fs.readFileSync(file))];
    } catch {
        return [file, null];
    }
}

/** The digests of `files`, sorted by path. */
function fileDigests(files: readonly string[]): FileDigest[] {
    return [...new Set(files)].sort().map(fileDigest);
}

function sameFiles(a: readonly FileDigest[], b: readonly FileDigest[]): boolean {
    return a.length === b.length && a.every(([file, hash], i) => file === b[i]![0] && hash === b[i]![1]);
}

/** The inputs plus the {@link RESOLUTION_FILES} of each input's directory and every directory above it. */
function withResolutionFiles(inputs: readonly string[]): string[] {
    const dirs = new Set<string>();
    for (const input of inputs) {
        for (let dir = path.dirname(input); !dirs.has(dir); dir = path.dirname(dir)) {
            dirs.add(dir);
            if (path.dirname(dir) === dir) break;
        }
    }
    return [...inputs, ...[...dirs].flatMap((dir) => RESOLUTION_FILES.map((name) => path.join(dir, name)))];
}

/** The file's JSON if it exists, parses and matches `schema`; else undefined (a miss, never an error). */
function readJson<T>(file: string, schema: z.ZodType<T>): T | undefined {
    let text: string;
    try {
        text = fs.readFileSync(file, "utf8");
    } catch {
        return undefined;
    }
    try {
        const parsed = schema.safeParse(JSON.parse(text));
        return parsed.success ? parsed.data : undefined;
    } catch {
        return undefined;
    }
}

/**
 * Writes `text` to a temporary file beside `file` (creating its directory) and renames it over `file`, so a
 * reader never sees it half-written; true when it was written. The cache is an optimization: a failure leaves
 * no temporary file behind and is not an error.
 */
export function writeAtomically(file: string, text: string): boolean {
    const temporary = `${file}.${process.pid}-${randomBytes(4).toString("hex")}.tmp`;
    try {
        fs.mkdirSync(path.dirname(file), { recursive: true });
        fs.writeFileSync(temporary, text);
        fs.renameSync(temporary, file);
        return true;
    } catch {
        fs.rmSync(temporary, { force: true });
        return false;
    }
}
