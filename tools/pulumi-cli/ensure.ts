/**
 * `npm run pulumi-cli`: makes sure a Pulumi CLI that the engine tests and the docs' commands can use is
 * there, and prints where it is.
 *
 * 1. A `pulumi` on PATH at a supported version (3.255 ≤ v < 4: the Automation API of our @pulumi/pulumi
 *    and an executable `--policy-pack` need at least that) is used as it is.
 * 2. Else the pinned CLI in the cache folder (`$PLATFORM_PULUMI_CLI_DIR/bin/pulumi`, by default
 *    `~/.cache/workers-platform/pulumi-v3.276.0/bin/pulumi`), if it was built before.
 * 3. Else it is built from source with Go: this folder's module pins `github.com/pulumi/pulumi/pkg/v3`
 *    v3.276.0 and builds `github.com/pulumi/pulumi/pkg/v3/cmd/pulumi` with its version stamped in (the
 *    Automation API refuses a CLI without one). The first build downloads about 1.6 GB of modules and
 *    compiles for 5 to 7 minutes on 2 cores; with Go's caches warm it takes about 10 s.
 * 4. Else it exits 1 saying how to install the CLI or Go.
 *
 * The binary (170 MB) and Go's caches stay outside the repository. Exit codes: 0 the CLI is there
 * (its path on stdout), 1 it is not and cannot be built.
 */
import { execFile, spawn } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { promisify } from "node:util";

/** The CLI version this repository pins and builds. */
export const PINNED_PULUMI_VERSION = "3.276.0";
/** Oldest CLI used from PATH: runs an executable `--policy-pack` directly (and our Automation API accepts it). */
export const MINIMUM_PULUMI_VERSION = "3.255.0";
/** The Go package of the CLI's `main`. */
const CLI_PACKAGE = "github.com/pulumi/pulumi/pkg/v3/cmd/pulumi";
/** The Go module that pins it (this folder). */
const MODULE_DIR = __dirname;
/** How often the build reports progress, ms. */
const PROGRESS_EVERY_MS = 20_000;

const run = promisify(execFile);

/** A usable Pulumi CLI. */
export interface PulumiCli {
    /** Absolute path of the executable. */
    readonly bin: string;
    /** Folder holding `bin/pulumi`: the Automation API's `PulumiCommand.get({ root })`. */
    readonly root: string;
    /** Its version without the `v` (`3.276.0`). */
    readonly version: string;
    /** Where it came from: PATH, the cache folder, or a build just now. */
    readonly source: "path" | "cache" | "built";
}

/** Thrown when no CLI is available and none can be built; the message says what to install. */
export class PulumiCliUnavailable extends Error {
    override readonly name = "PulumiCliUnavailable";
}

/**
 * The folder the pinned CLI is built into (`<dir>/bin/pulumi`): `PLATFORM_PULUMI_CLI_DIR`, else
 * `$XDG_CACHE_HOME/workers-platform/pulumi-v<version>` (default `~/.cache/...`).
 */
export function pulumiCliCacheRoot(env: NodeJS.ProcessEnv = process.env): string {
    if (env.PLATFORM_PULUMI_CLI_DIR) return path.resolve(env.PLATFORM_PULUMI_CLI_DIR);
    const cache = env.XDG_CACHE_HOME ? env.XDG_CACHE_HOME : path.join(os.homedir(), ".cache");
    return path.join(cache, "workers-platform", `pulumi-v${PINNED_PULUMI_VERSION}`);
}

/** Parses `v3.276.0` (or `3.276.0-alpha.x`) into numbers; undefined when it is not a version. */
export function parseVersion(text: string): [number, number, number] | undefined {
    const match = /^v?(\d+)\.(\d+)\.(\d+)/.exec(text.trim());
    return match === null ? undefined : [Number(match[1]), Number(match[2]), Number(match[3])];
}

/** Whether a CLI at `version` can be used: at least {@link MINIMUM_PULUMI_VERSION}, major version 3. */
export function isSupportedVersion(version: string): boolean {
    const v = parseVersion(version);
    const min = parseVersion(MINIMUM_PULUMI_VERSION)!;
    if (v === undefined || v[0] !== 3) return false;
    return v[1] > min[1] || (v[1] === min[1] && v[2] >= min[2]);
}

/** The version an executable reports (`pulumi version`), or undefined when it does not run. */
async function versionOf(bin: string): Promise<string | undefined> {
    try {
        const { stdout } = await run(bin, ["version"], { timeout: 60_000, env: { ...process.env, PULUMI_SKIP_UPDATE_CHECK: "true" } });
        const version = parseVersion(stdout);
        return version === undefined ? undefined : version.join(".");
    } catch {
        return undefined;
    }
}

/** The first `pulumi` on PATH, resolved through symlinks. */
function pulumiOnPath(env: NodeJS.ProcessEnv): string | undefined {
    for (const dir of (env.PATH ?? "").split(path.delimiter)) {
        if (dir === "") continue;
        const candidate = path.join(dir, "pulumi");
        try {
            fs.accessSync(candidate, fs.constants.X_OK);
            return fs.realpathSync(candidate);
        } catch {
            // not here
        }
    }
    return undefined;
}

/**
 * The root folder for a CLI found at `bin`: its parent's parent when it sits in a `bin` folder, else a
 * folder beside the cache with `bin/pulumi` linking to it (the Automation API wants `<root>/bin/pulumi`).
 */
function rootFor(bin: string, env: NodeJS.ProcessEnv): string {
    if (path.basename(path.dirname(bin)) === "bin") return path.dirname(path.dirname(bin));
    const root = path.join(path.dirname(pulumiCliCacheRoot(env)), "pulumi-from-path");
    fs.mkdirSync(path.join(root, "bin"), { recursive: true });
    const link = path.join(root, "bin", "pulumi");
    fs.rmSync(link, { force: true });
    fs.symlinkSync(bin, link);
    return root;
}

/**
 * Finds a usable CLI without building anything: a supported `pulumi` on PATH, else the pinned one in the
 * cache folder.
 * @returns undefined when there is none.
 */
export async function findPulumiCli(env: NodeJS.ProcessEnv = process.env): Promise<PulumiCli | undefined> {
    const onPath = pulumiOnPath(env);
    if (onPath !== undefined) {
        const version = await versionOf(onPath);
        if (version !== undefined && isSupportedVersion(version)) return { bin: onPath, root: rootFor(onPath, env), version, source: "path" };
    }
    const root = pulumiCliCacheRoot(env);
    const bin = path.join(root, "bin", "pulumi");
    if (fs.existsSync(bin)) {
        const version = await versionOf(bin);
        if (version === PINNED_PULUMI_VERSION) return { bin, root, version, source: "cache" };
    }
    return undefined;
}

/** What to tell someone who has neither a CLI nor Go. */
function installAdvice(reason: string): string {
    return `${reason}\nInstall the Pulumi CLI ${MINIMUM_PULUMI_VERSION} or later (https://www.pulumi.com/docs/iac/download-install/) ` +
        `and put it on PATH, or install Go 1.26 or later (https://go.dev/doc/install) and run \`npm run pulumi-cli\` again ` +
        `to build the pinned v${PINNED_PULUMI_VERSION} into ${pulumiCliCacheRoot()}.`;
}

/** Runs `go <args>` in this module, streaming nothing; `onLine` sees each stderr line. */
function goCommand(args: string[], onLine: (line: string) => void): Promise<void> {
    return new Promise((resolve, reject) => {
        const child = spawn("go", args, {
            cwd: MODULE_DIR,
            env: { ...process.env, GOWORK: "off", GOFLAGS: "-mod=readonly" },
            stdio: ["ignore", "pipe", "pipe"],
        });
        let tail: string[] = [];
        let partial = "";
        const take = (chunk: Buffer) => {
            const lines = (partial + chunk.toString()).split("\n");
            partial = lines.pop() ?? "";
            for (const line of lines) {
                tail = [...tail.slice(-40), line];
                onLine(line);
            }
        };
        child.stdout.on("data", take);
        child.stderr.on("data", take);
        child.on("error", (error) => reject(error));
        child.on("close", (code) => code === 0
            ? resolve()
            : reject(new Error(`go ${args[0]} failed (exit ${code}):\n${[...tail, partial].join("\n")}`)));
    });
}

/**
 * Builds the pinned CLI into the cache folder with Go, reporting progress through `log`.
 * @throws {PulumiCliUnavailable} when Go is missing or the build fails.
 */
export async function buildPulumiCli(log: (line: string) => void = () => undefined, env: NodeJS.ProcessEnv = process.env): Promise<PulumiCli> {
    let goVersion: string;
    try {
        goVersion = (await run("go", ["version"], { timeout: 60_000 })).stdout.trim();
    } catch {
        throw new PulumiCliUnavailable(installAdvice("No Pulumi CLI on PATH, none built yet, and no `go` on PATH to build one."));
    }
    const root = pulumiCliCacheRoot(env);
    const bin = path.join(root, "bin", "pulumi");
    const partial = `${bin}.partial-${process.pid}`;
    fs.mkdirSync(path.dirname(bin), { recursive: true });
    const started = Date.now();
    const elapsed = () => `${Math.round((Date.now() - started) / 1000)} s`;
    log(`Building the Pulumi CLI v${PINNED_PULUMI_VERSION} from source with ${goVersion} into ${bin}.`);
    log("The first build downloads about 1.6 GB of Go modules and compiles for 5 to 7 minutes on 2 cores; later builds reuse Go's caches.");
    try {
        log("Downloading modules (go mod download)...");
        await goCommand(["mod", "download"], () => undefined);
        log(`Modules ready after ${elapsed()}. Compiling...`);
        let packages = 0;
        let reported = Date.now();
        await goCommand([
            "build", "-v", "-trimpath", "-buildvcs=false",
            "-ldflags", `-X github.com/pulumi/pulumi/sdk/v3/go/common/version.Version=v${PINNED_PULUMI_VERSION}`,
            "-o", partial, CLI_PACKAGE,
        ], (line) => {
            // `-v` prints each package as it is compiled (cached ones are not printed).
            if (/^[\w.-]+(\/[\w.~-]+)*$/.test(line.trim())) packages += 1;
            if (Date.now() - reported >= PROGRESS_EVERY_MS) {
                reported = Date.now();
                log(`  ... ${packages} packages compiled, ${elapsed()}`);
            }
        });
        const version = await versionOf(partial);
        if (version !== PINNED_PULUMI_VERSION) throw new Error(`the built CLI reports version ${version ?? "nothing"}, expected ${PINNED_PULUMI_VERSION}`);
        fs.renameSync(partial, bin);
        log(`Built in ${elapsed()} (${packages} packages compiled).`);
        return { bin, root, version, source: "built" };
    } catch (error) {
        fs.rmSync(partial, { force: true });
        if (error instanceof PulumiCliUnavailable) throw error;
        throw new PulumiCliUnavailable(installAdvice(`Building the Pulumi CLI failed: ${(error as Error).message}`));
    }
}

/**
 * A usable CLI: found ({@link findPulumiCli}) or built ({@link buildPulumiCli}).
 * @throws {PulumiCliUnavailable} when there is none and it cannot be built.
 */
export async function ensurePulumiCli(log: (line: string) => void = () => undefined, env: NodeJS.ProcessEnv = process.env): Promise<PulumiCli> {
    return await findPulumiCli(env) ?? await buildPulumiCli(log, env);
}

/** The command: ensures the CLI and prints where it is. */
async function main(): Promise<number> {
    const log = (line: string) => process.stderr.write(`[pulumi-cli] ${line}\n`);
    try {
        const cli = await ensurePulumiCli(log);
        log(`Pulumi CLI v${cli.version} (${cli.source === "path" ? "from PATH" : cli.source === "cache" ? "built before" : "just built"}): ${cli.bin}`);
        process.stdout.write(`${cli.bin}\n`);
        return 0;
    } catch (error) {
        process.stderr.write(`error: ${(error as Error).message}\n`);
        return 1;
    }
}

if (require.main === module) {
    main().then((code) => process.exit(code));
}
