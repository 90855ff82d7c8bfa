/**
 * Test helpers around wrangler: generate the sample services' `wrangler.jsonc` with the offline plan,
 * and run wrangler (`dev`, `deploy --dry-run`, `d1 migrations apply`) on
 * them as child processes that are always stopped.
 *
 * Generated files go under `<repo>/.platform/test-e2e-<random>/<service>/` (git-ignored): wrangler
 * resolves `main` and `migrations_dir` relative to the config file, so they must live in the repo tree
 * for the rebased relative paths to hold.
 */
import { spawn, type ChildProcess } from "node:child_process";
import { randomBytes } from "node:crypto";
import { rm, writeFile } from "node:fs/promises";
import * as path from "node:path";
import type { ServiceDeclaration } from "../../components/service/declaration";
import { serviceSummaries } from "../../tools/lib/serviceSummaries";
import { services } from "../../infra/services";
import { plan } from "../../tools/plan";
import { freePort } from "../../tools/lib/freePort";

/** Absolute path of the repository root. */
export const PROJECT_ROOT = path.resolve(path.dirname(__filename), "..", "..");
/** wrangler's CLI entry, run with the current Node.js. */
export const WRANGLER_BIN = path.join(PROJECT_ROOT, "node_modules", "wrangler", "bin", "wrangler.js");

/** The sample services: every service the platform ships (`infra/services.ts`). */
export const SAMPLE_SERVICES: readonly { readonly declaration: ServiceDeclaration }[] = services;

/** One service's generated files. */
export interface GeneratedService {
    readonly declaration: ServiceDeclaration;
    /** Script name in the planned stack (`api-staging`). */
    readonly scriptName: string;
    /** Absolute directory holding the files. */
    readonly dir: string;
    /** Absolute path of `wrangler.jsonc`. */
    readonly configPath: string;
    /** Secret names written to `.dev.vars` (with random test values, 40 characters). */
    readonly secretNames: readonly string[];
}

/** A directory of generated configs for every sample service; `remove()` deletes it. */
export interface GeneratedWorkspace {
    /** Absolute path of `.platform/test-e2e-<random>`. */
    readonly root: string;
    /** By service name (`api`, `reports`). */
    readonly services: Readonly<Record<string, GeneratedService>>;
    remove(): Promise<void>;
}

/**
 * Plans `stack` offline exactly as `npm run plan` does, into `.platform/test-e2e-<random>/`, and adds a
 * `.dev.vars` with random test secrets beside each generated `wrangler.jsonc`.
 *
 * The Pulumi SDK keeps global state: call this at most once at a time per process.
 * @param stack a stack of this repository (`Pulumi.<stack>.yaml`). @default "staging"
 */
export async function generateSampleWorkspace(stack = "staging"): Promise<GeneratedWorkspace> {
    const root = path.join(PROJECT_ROOT, ".platform", `test-e2e-${randomBytes(4).toString("hex")}`);
    const { run } = await plan({ stack, projectDir: PROJECT_ROOT, out: root });
    const summaries = serviceSummaries(run.resources);
    const services: Record<string, GeneratedService> = {};
    for (const { declaration } of SAMPLE_SERVICES) {
        const summary = summaries[declaration.name]!;
        const dir = path.join(root, stack, declaration.name);
        const secretNames = summary.wranglerConfig.secretNames;
        await writeFile(path.join(dir, ".dev.vars"), secretNames.map((name) => `${name}=${testSecret()}\n`).join(""));
        services[declaration.name] = { declaration, scriptName: summary.scriptName, dir, configPath: path.join(dir, "wrangler.jsonc"), secretNames };
    }
    return { root, services, remove: () => rm(root, { recursive: true, force: true }) };
}

/** A random 40-character secret for `.dev.vars` (hex, so it satisfies `min(32)` contracts). */
function testSecret(): string {
    return randomBytes(20).toString("hex");
}

// ─── Running wrangler ────────────────────────────────────────────────────────────────────────────

/**
 * Environment for wrangler child processes: no metrics, no prompts (`CI`), and its debug logs and dev
 * registry kept under `scratchDir` so concurrent test runs (and developers' own `wrangler dev`) never see
 * each other's Workers.
 */
export function wranglerEnv(scratchDir: string): NodeJS.ProcessEnv {
    return {
        ...process.env,
        CI: "true",
        WRANGLER_SEND_METRICS: "false",
        WRANGLER_LOG_PATH: path.join(scratchDir, "logs"),
        WRANGLER_REGISTRY_PATH: path.join(scratchDir, "registry"),
        NO_COLOR: "1",
        FORCE_COLOR: "0",
    };
}

/** The outcome of a finished wrangler command. */
export interface WranglerRun {
    readonly code: number | null;
    readonly stdout: string;
    readonly stderr: string;
    /** Wall time, milliseconds. */
    readonly durationMs: number;
}

/** Where and how wrangler runs. Pass absolute paths in wrangler's arguments: see {@link runWrangler}. */
export interface WranglerProcessOptions {
    /** Working directory. @default PROJECT_ROOT */
    readonly cwd?: string;
    /** Absolute directory for wrangler's logs and dev registry (see {@link wranglerEnv}). */
    readonly scratchDir: string;
}

/**
 * Runs `wrangler <args>` to completion.
 *
 * Pass absolute paths: wrangler 4.86 resolves some paths against the working directory and others
 * against the config file's directory (`deploy --outdir out` writes `out/README.md` under the working
 * directory but the bundle under the config's directory).
 *
 * @param timeoutMs kills the process group after this long. @default 60000
 */
export function runWrangler(args: readonly string[], options: WranglerProcessOptions & { timeoutMs?: number }): Promise<WranglerRun> {
    const started = Date.now();
    const child = spawn(process.execPath, [WRANGLER_BIN, ...args], {
        cwd: options.cwd ?? PROJECT_ROOT, env: wranglerEnv(options.scratchDir), stdio: ["ignore", "pipe", "pipe"], detached: true,
    });
    let stdout = "";
    let stderr = "";
    child.stdout!.on("data", (chunk: Buffer) => { stdout += chunk.toString(); });
    child.stderr!.on("data", (chunk: Buffer) => { stderr += chunk.toString(); });
    const timer = setTimeout(() => killGroup(child), options.timeoutMs ?? 60_000);
    return new Promise((resolve, reject) => {
        child.on("error", reject);
        child.on("close", (code) => {
            clearTimeout(timer);
            resolve({ code, stdout, stderr, durationMs: Date.now() - started });
        });
    });
}

/** A running `wrangler dev`. */
export interface WranglerDev {
    /** `http://127.0.0.1:<port>`. */
    readonly url: string;
    /** Everything the process wrote so far (stdout and stderr interleaved). */
    output(): string;
    /** Stops the process group and waits for it to exit (at most 5 s, then SIGKILL). Safe to call twice. */
    stop(): Promise<void>;
}

/**
 * Starts `wrangler dev --local` on 127.0.0.1 and a free port and waits until it answers HTTP.
 *
 * @param configs config files; the first is served, the others run beside it so bindings to them resolve.
 * @param extraArgs more flags (`["--var", "LOG_LEVEL:verbose"]`).
 * @param env more environment variables, e.g. {@link hyperdriveEnv} for services with a database.
 * @param persistTo directory for local KV/D1/R2/Durable Object state.
 * @param readyTimeoutMs give up (and stop the process) after this long. @default 45000
 * @throws {Error} with the process output when it exits early or does not answer in time.
 */
export async function startWranglerDev(options: WranglerProcessOptions & {
    readonly configs: readonly string[];
    readonly persistTo: string;
    readonly extraArgs?: readonly string[];
    readonly readyTimeoutMs?: number;
    /** More environment variables (`hyperdriveEnv(url)`). @default {} */
    readonly env?: Readonly<Record<string, string>>;
}): Promise<WranglerDev> {
    const port = await freePort();
    const args = [
        WRANGLER_BIN, "dev", ...options.configs.flatMap((c) => ["--config", c]),
        "--ip", "127.0.0.1", "--port", String(port), "--local", "--persist-to", options.persistTo,
        "--inspector-port", String(await freePort()), "--show-interactive-dev-session=false",
        ...(options.extraArgs ?? []),
    ];
    const child = spawn(process.execPath, args, {
        cwd: options.cwd ?? PROJECT_ROOT, env: { ...wranglerEnv(options.scratchDir), ...options.env }, stdio: ["ignore", "pipe", "pipe"], detached: true,
    });
    let output = "";
    child.stdout!.on("data", (chunk: Buffer) => { output += chunk.toString(); });
    child.stderr!.on("data", (chunk: Buffer) => { output += chunk.toString(); });
    const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
    let stopped = false;
    const dev: WranglerDev = {
        url: `http://127.0.0.1:${port}`,
        output: () => output,
        async stop() {
            if (stopped) return;
            stopped = true;
            const alive = child.exitCode === null && child.signalCode === null;
            killGroup(child, "SIGTERM");
            if (alive) {
                const hard = setTimeout(() => killGroup(child, "SIGKILL"), 5000);
                await exited;
                clearTimeout(hard);
            }
            // workerd runs in the same group and can outlive wrangler by a moment.
            killGroup(child, "SIGKILL");
        },
    };
    const deadline = Date.now() + (options.readyTimeoutMs ?? 45_000);
    while (Date.now() < deadline) {
        if (child.exitCode !== null || child.signalCode !== null) {
            throw new Error(`wrangler dev exited (${child.exitCode ?? child.signalCode}) before answering:\n${output}`);
        }
        try {
            // Any HTTP answer means the runtime is up; `/__ready` is no route of ours.
            await fetch(`${dev.url}/__ready`, { signal: AbortSignal.timeout(2000) });
            return dev;
        } catch {
            await new Promise((resolve) => setTimeout(resolve, 250));
        }
    }
    await dev.stop();
    throw new Error(`wrangler dev did not answer within ${options.readyTimeoutMs ?? 45_000} ms:\n${output}`);
}

/**
 * Environment variables that point `wrangler dev`'s Hyperdrive bindings at a local PostgreSQL (wrangler
 * reads `CLOUDFLARE_HYPERDRIVE_LOCAL_CONNECTION_STRING_<BINDING>` before the config's `localConnectionString`).
 * @param bindings hyperdrive binding names. @default ["DATABASE"] (the api's)
 */
export function hyperdriveEnv(databaseUrl: string, bindings: readonly string[] = ["DATABASE"]): Record<string, string> {
    return Object.fromEntries(bindings.map((binding) => [`CLOUDFLARE_HYPERDRIVE_LOCAL_CONNECTION_STRING_${binding}`, databaseUrl]));
}

/** Sends `signal` to the child's whole process group (wrangler starts workerd as a grandchild). */
export function killGroup(child: ChildProcess, signal: NodeJS.Signals = "SIGKILL"): void {
    if (child.pid === undefined) return;
    try {
        process.kill(-child.pid, signal);
    } catch {
        // Already gone.
    }
}
