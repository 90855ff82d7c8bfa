/**
 * The Neon providers as the engine would store and run them: registered by a program under tsx in a child
 * process (where closure serialization behaves as under `pulumi up`; under vitest's transformer it does
 * not), then loaded back the way the dynamic provider host loads them (see `serializedProviders.ts`).
 */
import { spawn } from "node:child_process";
import { mkdtemp, readFile, rm } from "node:fs/promises";
import * as os from "node:os";
import * as path from "node:path";
import { PROJECT_ROOT } from "./wrangler";

export { loadSerializedProvider } from "./serializedProviders";

export interface SerializedNeon {
    /** `__provider` text by type token. */
    readonly providers: Record<string, string>;
    /** Every registration the mock engine received (inputs include `__provider`). */
    readonly registered: { type: string; name: string; inputs: Record<string, unknown> }[];
    readonly secret: { rolePassword: boolean; connectionPassword: boolean; connectionString: boolean; host: boolean };
    readonly connectionString: string;
    /** What the child printed. */
    readonly output: string;
}

/** Runs the child program; `env` is added to its environment (e.g. a canary `NEON_API_KEY`). */
export async function serializeNeonProviders(env: NodeJS.ProcessEnv = {}): Promise<SerializedNeon> {
    const dir = await mkdtemp(path.join(os.tmpdir(), "neon-providers-"));
    try {
        const out = path.join(dir, "result.json");
        const run = await new Promise<{ code: number | null; output: string }>((resolve, reject) => {
            const child = spawn(process.execPath, ["--import", "tsx", path.join(PROJECT_ROOT, "test", "helpers", "neonSimulatorSerializeChild.ts"), out], {
                cwd: PROJECT_ROOT, env: { ...process.env, ...env }, stdio: ["ignore", "pipe", "pipe"],
            });
            let output = "";
            child.stdout!.on("data", (c: Buffer) => { output += c.toString(); });
            child.stderr!.on("data", (c: Buffer) => { output += c.toString(); });
            child.on("error", reject);
            child.on("close", (code) => resolve({ code, output }));
        });
        if (run.code !== 0) throw new Error(`serializing the Neon providers failed (${run.code}):\n${run.output}`);
        const result = JSON.parse(await readFile(out, "utf8")) as Omit<SerializedNeon, "providers" | "output">;
        const providers: Record<string, string> = {};
        for (const r of result.registered) {
            const text = r.inputs.__provider;
            if (typeof text !== "string") throw new Error(`${r.name}: __provider is ${JSON.stringify(text)}, not a plain string`);
            providers[r.type] = text;
        }
        return { ...result, providers, output: run.output };
    } finally {
        await rm(dir, { recursive: true, force: true });
    }
}
