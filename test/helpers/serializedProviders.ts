/**
 * The dynamic providers as the engine would store and run them: the `__provider` strings the program
 * registers when it runs the way the engine runs it (`tools/plan.ts` in a child process under tsx, where
 * closure serialization behaves as under `pulumi up`; under vitest's transformer it does not), loaded
 * back the way the dynamic provider host loads them (`require-from-string`, then `.handler()`;
 * `@pulumi/pulumi/cmd/dynamic-provider/index.js` `getProvider`).
 */
import { spawn } from "node:child_process";
import { mkdtemp, readFile, rm } from "node:fs/promises";
import { createRequire } from "node:module";
import * as os from "node:os";
import * as path from "node:path";
import type * as pulumi from "@pulumi/pulumi";
import { PROJECT_ROOT } from "./wrangler";

export { D1_MIGRATIONS_TYPE, HEALTH_GATE_TYPE } from "../../components/typeTokens";

/** A serialized provider and the inputs the program registered with it. */
export interface SerializedResource {
    readonly type: string;
    readonly name: string;
    /** The `__provider` input: the module text the engine stores in state. */
    readonly provider: string;
    /** The other inputs, secrets masked. */
    readonly inputs: Record<string, unknown>;
}

/**
 * Plans `stack` with `npm run plan` in a child process and returns its dynamic resources.
 * @param env extra environment of the child (e.g. a canary `CLOUDFLARE_API_TOKEN` that must not end up in state).
 */
export async function planDynamicResources(stack = "staging", env: NodeJS.ProcessEnv = {}): Promise<SerializedResource[]> {
    const dir = await mkdtemp(path.join(os.tmpdir(), "serialized-providers-"));
    try {
        const json = path.join(dir, "plan.json");
        const code = await new Promise<{ code: number | null; output: string }>((resolve, reject) => {
            const child = spawn(process.execPath, ["--import", "tsx", path.join(PROJECT_ROOT, "tools", "plan.ts"),
                "--stack", stack, "--out", path.join(dir, "out"), "--json", json, "--no-policies"], {
                cwd: PROJECT_ROOT, env: { ...process.env, ...env }, stdio: ["ignore", "pipe", "pipe"],
            });
            let output = "";
            child.stdout!.on("data", (c: Buffer) => { output += c.toString(); });
            child.stderr!.on("data", (c: Buffer) => { output += c.toString(); });
            child.on("error", reject);
            child.on("close", (exit) => resolve({ code: exit, output }));
        });
        if (code.code !== 0) throw new Error(`plan failed (${code.code}):\n${code.output}`);
        const report = JSON.parse(await readFile(json, "utf8")) as { resources: { type: string; name: string; inputs: Record<string, unknown> }[] };
        return report.resources.filter((r) => r.type.startsWith("pulumi-nodejs:dynamic/")).map((r) => {
            const { __provider, ...inputs } = r.inputs;
            if (typeof __provider !== "string") throw new Error(`${r.name}: __provider is ${JSON.stringify(__provider)}, not a plain string`);
            return { type: r.type, name: r.name, provider: __provider, inputs };
        });
    } finally {
        await rm(dir, { recursive: true, force: true });
    }
}

/** Loads a serialized provider exactly as the dynamic provider host does. */
export function loadSerializedProvider(text: string): pulumi.dynamic.ResourceProvider {
    // The host's own copy of require-from-string, resolved from @pulumi/pulumi.
    const fromPulumi = createRequire(createRequire(__filename).resolve("@pulumi/pulumi"));
    const requireFromString = fromPulumi("require-from-string") as (code: string) => { handler(): pulumi.dynamic.ResourceProvider };
    return requireFromString(text).handler();
}
