/**
 * The pack process: `PulumiPolicy.yaml`, the environment the engine gives a pack (`constructEnv`), spawning
 * run-policy-pack the way the CLI's `pulumi-analyzer-policy` shim does, reading its port, connecting the
 * client, and stopping the process (also when this process exits first).
 */
import { spawn, type ChildProcess } from "node:child_process";
import * as fs from "node:fs";
import { createRequire } from "node:module";
import * as path from "node:path";
import { parse as parseYaml } from "yaml";
import type * as analyzerGrpcTypes from "@pulumi/pulumi/proto/analyzer_grpc_pb";
import type { EngineConfig } from "../stackFiles";
import { PolicyConfigError } from "./policyConfig";
import { proto } from "./sdk";
import { UserError } from "../../../components/validation";

export interface PolicyProject {
    readonly version: string;
    readonly description: string;
}

/** `workspace.LoadPolicyPack`: `PulumiPolicy.yaml` must exist and name a runtime. */
export function readPolicyProject(packDir: string): PolicyProject {
    const file = path.join(packDir, "PulumiPolicy.yaml");
    let doc: unknown;
    try {
        doc = parseYaml(fs.readFileSync(file, "utf8"));
    } catch (err) {
        throw new UserError(`failed to load Pulumi policy project located at "${packDir}": ${(err as Error).message}`);
    }
    const fields = (typeof doc === "object" && doc !== null ? doc : {}) as Record<string, unknown>;
    const runtime = typeof fields.runtime === "object" && fields.runtime !== null ? (fields.runtime as { name?: unknown }).name : fields.runtime;
    if (runtime !== "nodejs") {
        throw new UserError(`${file}: runtime: expected nodejs (this client runs Node.js policy packs), got ${JSON.stringify(runtime)}`);
    }
    return {
        version: typeof fields.version === "string" ? fields.version : "",
        description: typeof fields.description === "string" ? fields.description : "",
    };
}

/** `constructEnv`: the process environment plus the stack's config and identity. */
export function packEnvironment(project: string, stack: string, organization: string, dryRun: boolean, config: EngineConfig): NodeJS.ProcessEnv {
    const env: NodeJS.ProcessEnv = { ...process.env };
    const set = (key: string, value: string) => {
        if (value !== "") env[key] = value;
    };
    set("PULUMI_CONFIG", JSON.stringify(config.config));
    set("PULUMI_NODEJS_ORGANIZATION", organization);
    set("PULUMI_NODEJS_PROJECT", project);
    set("PULUMI_NODEJS_STACK", stack);
    set("PULUMI_NODEJS_DRY_RUN", String(dryRun));
    set("PULUMI_ORGANIZATION", organization);
    set("PULUMI_PROJECT", project);
    set("PULUMI_STACK", stack);
    set("PULUMI_DRY_RUN", String(dryRun));
    return env;
}

export interface StartedPack {
    readonly client: analyzerGrpcTypes.AnalyzerClient;
    /** Stdout after the port line, and stderr, so far. */
    output(): string;
    /** Closes the client, kills the process and waits for it to exit. */
    stop(): Promise<void>;
}

/**
 * The address passed as run-policy-pack's first argument. The engine passes its own gRPC address there,
 * but run-policy-pack drops it (`cmd/run-policy-pack/index.js`: "Remove <engine-address>") and the engine
 * does not set `PULUMI_NODEJS_ENGINE` for packs, so a pack never dials it: its logs go to stdout/stderr.
 */
export const UNUSED_ENGINE_ADDRESS = "127.0.0.1:0";

/** Processes still running, killed if this process exits first. */
const livePacks = new Set<ChildProcess>();
let exitHookInstalled = false;

/**
 * Spawns the pack in `packDir`, waits for its port and connects: run-policy-pack with the pack directory as its
 * program (`.`: the pack's package.json `main`, compiled by its ts-node), as the CLI does; or, given `built`
 * (the absolute path of a built pack, `./packBuild.ts`), Node running that file.
 * @throws {UserError} when run-policy-pack does not resolve from the pack directory (its dependencies are not
 *   installed); {@link Error} when the pack exits or times out before printing its port.
 */
export async function startPack(packDir: string, options: {
    built: string | undefined;
    nodeArgs: readonly string[];
    env: NodeJS.ProcessEnv;
    timeoutMs: number;
    onSpawn: ((pid: number) => void) | undefined;
}): Promise<StartedPack> {
    // The shim resolves the module from the pack directory, so the pack's own @pulumi/pulumi runs it.
    let script: string;
    try {
        script = createRequire(path.join(packDir, "package.json")).resolve("@pulumi/pulumi/cmd/run-policy-pack");
    } catch {
        throw new UserError(`it looks like the policy pack's dependencies are not installed; try running npm install in "${packDir}"`);
    }
    const args = options.built === undefined ? [script, UNUSED_ENGINE_ADDRESS, "."] : [options.built];
    if (!exitHookInstalled) {
        exitHookInstalled = true;
        process.on("exit", () => {
            for (const child of livePacks) child.kill("SIGKILL");
        });
    }
    const child = spawn(process.execPath, [...options.nodeArgs, ...args], {
        cwd: packDir,
        env: options.env,
        stdio: ["ignore", "pipe", "pipe"],
    });
    livePacks.add(child);
    const exited = new Promise<void>((resolve) => child.once("close", () => {
        livePacks.delete(child);
        resolve();
    }));
    if (child.pid !== undefined) options.onSpawn?.(child.pid);

    let firstLine = "";
    let portSeen = false;
    let stderr = "";
    let afterPort = "";
    let client: analyzerGrpcTypes.AnalyzerClient | undefined;
    const stop = async () => {
        client?.close();
        if (child.pid === undefined) return; // never started: no process to wait for
        if (child.exitCode === null && child.signalCode === null) child.kill("SIGKILL");
        await exited;
    };
    child.stderr.setEncoding("utf8").on("data", (chunk: string) => (stderr += chunk));
    try {
        const port = await new Promise<number>((resolve, reject) => {
            const timer = setTimeout(() => reject(new Error(`policy pack "${packDir}" did not print its port within ${options.timeoutMs} ms`)), options.timeoutMs);
            // The first line is the port (server.js: console.log(port.toString())); the rest is plugin output.
            child.stdout.setEncoding("utf8").on("data", (chunk: string) => {
                if (portSeen) {
                    afterPort += chunk;
                    return;
                }
                firstLine += chunk;
                const newline = firstLine.indexOf("\n");
                if (newline < 0) return;
                portSeen = true;
                clearTimeout(timer);
                afterPort += firstLine.slice(newline + 1);
                const line = firstLine.slice(0, newline).trim();
                const port = Number(line);
                if (!Number.isInteger(port) || port <= 0) reject(new Error(`policy pack "${packDir}" printed ${JSON.stringify(line)} instead of its port`));
                else resolve(port);
            });
            child.once("error", (err) => {
                clearTimeout(timer);
                reject(err);
            });
            child.once("close", (code, signal) => {
                clearTimeout(timer);
                reject(new Error(`policy pack "${packDir}" failed to start: exited with ${signal ?? `code ${code}`}`));
            });
        });
        const c = new proto.AnalyzerClient(`127.0.0.1:${port}`, proto.grpc.credentials.createInsecure(), {
            // rpcutil.GrpcChannelOptions: the engine allows 400 MB messages (a large stack's AnalyzeStack).
            "grpc.max_receive_message_length": 400 * 1024 * 1024,
            "grpc.max_send_message_length": 400 * 1024 * 1024,
        });
        client = c;
        await new Promise<void>((resolve, reject) => c.waitForReady(Date.now() + options.timeoutMs, (err) => (err ? reject(err) : resolve())));
        return { client: c, output: () => afterPort + stderr, stop };
    } catch (err) {
        await stop();
        throw withPackOutput(err, afterPort + stderr);
    }
}

export function withPackOutput(err: unknown, output: string): unknown {
    if (!(err instanceof Error) || err instanceof PolicyConfigError || output.trim() === "" || err.message.includes("\npack output:\n")) return err;
    err.message += `\npack output:\n${output.trimEnd()}`;
    return err;
}
