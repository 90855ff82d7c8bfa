/**
 * What a static assets directory holds, read at plan time: every file with its path relative to the
 * directory and the SHA-256 of its bytes, and one SHA-256 over all of them that changes exactly when a file
 * is added, removed, renamed or edited (never when the directory moves: paths are relative, so a CI runner
 * and a laptop agree).
 *
 * The binding table is bundled into Workers (the health library reads it), so this module imports no Node
 * module at load time: `node:fs`, `node:path` and `node:crypto` are taken with `process.getBuiltinModule`
 * inside the functions, which only ever run in the Pulumi program.
 */

/** One file of the directory. */
export interface AssetFile {
    /** POSIX path relative to the directory, without a leading slash (`css/site.css`). */
    readonly path: string;
    /** Size in bytes. */
    readonly size: number;
    /** Lowercase hex SHA-256 of the file's bytes. */
    readonly sha256: string;
}

/** The directory's files and their combined hash. */
export interface AssetsManifest {
    /** Every file, sorted by {@link AssetFile.path} (UTF-16 code unit order). */
    readonly files: readonly AssetFile[];
    /**
     * Lowercase hex SHA-256 of the lines `<path>\0<sha256>\n` of {@link files} in order: the same for the same
     * paths and contents wherever the directory is.
     */
    readonly sha256: string;
}

/**
 * Largest file Cloudflare accepts as a static asset: 25 MiB.
 * Source: https://developers.cloudflare.com/workers/platform/limits/#static-assets ("Individual Asset size").
 */
export const MAX_ASSET_FILE_BYTES = 25 * 1024 * 1024;

/** The manifest of a directory, or why it cannot be uploaded. */
export type AssetsDirectoryResult =
    | { readonly manifest: AssetsManifest; readonly problems?: undefined }
    | { readonly manifest?: undefined; readonly problems: readonly string[] };

/**
 * Reads the directory: every regular file below it (symbolic links followed, a directory reached twice read
 * once), hashed.
 *
 * @param directory absolute path.
 * @returns the manifest, or the problems (missing, not a directory, files over {@link MAX_ASSET_FILE_BYTES}),
 *   each the end of a sentence about the directory ("does not exist; ...", "contains big.bin of ... bytes; ...").
 */
export function readAssetsDirectory(directory: string): AssetsDirectoryResult {
    const fs = process.getBuiltinModule("node:fs");
    const path = process.getBuiltinModule("node:path");
    const { createHash } = process.getBuiltinModule("node:crypto");
    let stat;
    try {
        stat = fs.statSync(directory);
    } catch {
        return { problems: ["does not exist; create it (or build the assets into it) before planning"] };
    }
    if (!stat.isDirectory()) return { problems: ["is not a directory"] };

    const files: AssetFile[] = [];
    const problems: string[] = [];
    const seen = new Set<string>();
    const walk = (dir: string, prefix: string): void => {
        const real = fs.realpathSync(dir);
        if (seen.has(real)) return;
        seen.add(real);
        for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
            const full = path.join(dir, entry.name);
            const relative = prefix === "" ? entry.name : `${prefix}/${entry.name}`;
            const info = entry.isSymbolicLink() ? statOrUndefined(fs, full) : entry;
            if (info === undefined) {
                problems.push(`contains ${relative}, a symbolic link to nothing`);
            } else if (info.isDirectory()) {
                walk(full, relative);
            } else if (info.isFile()) {
                const bytes = fs.readFileSync(full);
                if (bytes.length > MAX_ASSET_FILE_BYTES) {
                    problems.push(`contains ${relative} of ${bytes.length} bytes; Cloudflare serves files up to 25 MiB (${MAX_ASSET_FILE_BYTES} bytes) as static assets`);
                }
                files.push({ path: relative, size: bytes.length, sha256: createHash("sha256").update(bytes).digest("hex") });
            }
        }
    };
    walk(directory, "");
    if (problems.length > 0) return { problems };
    files.sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
    const hash = createHash("sha256");
    for (const file of files) hash.update(`${file.path}\0${file.sha256}\n`);
    return { manifest: { files, sha256: hash.digest("hex") } };
}

/**
 * `target` relative to the current working directory, POSIX separators (`.` for the directory itself).
 * The engine runs the program and the resource providers in the same working directory, the project's `main`
 * directory (`infra/` here): the Node.js host `chdir`s to the engine's `--pwd` (`@pulumi/pulumi`
 * `cmd/run/run.js`) and the engine starts providers in that same directory (pulumi/pulumi
 * `sdk/go/common/resource/plugin/provider_plugin.go`, `newPlugin(ctx, ctx.Pwd, ...)`). So a provider resolves
 * this path to the same place, and it is the same on every machine.
 */
export function relativeToWorkingDirectory(target: string): string {
    const path = process.getBuiltinModule("node:path");
    return path.relative(process.cwd(), target).split(path.sep).join("/") || ".";
}

function statOrUndefined(fs: typeof import("node:fs"), file: string): import("node:fs").Stats | undefined {
    try {
        return fs.statSync(file);
    } catch {
        return undefined;
    }
}
