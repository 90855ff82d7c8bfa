/**
 * Canary secrets through everything the offline plan produces. The staging stack is planned as an
 * update (`canaryPlanChild.ts`) with a canary Neon API key and Cloudflare token in the environment and
 * a canary role password answered by the Neon resources, which flows into the Hyperdrive configuration.
 * Neither canary may appear in what was printed (stdout, stderr, policy pack output), the JSON plan,
 * the SARIF report or the generated wrangler files.
 *
 * The serialized Neon providers and the providers' logs are swept with the same canaries in
 * `neonProvider.test.ts` ("hold no credential", "no key and no password was ever logged").
 */
import { spawn } from "node:child_process";
import { randomBytes } from "node:crypto";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

const CANARY_KEY = `napi_canary${randomBytes(10).toString("hex")}`;
const CANARY_TOKEN = `cftoken_canary${randomBytes(10).toString("hex")}`;
const CANARY_PASSWORD = `npg_canary${randomBytes(10).toString("hex")}`;
const CANARIES = [CANARY_KEY, CANARY_TOKEN, CANARY_PASSWORD];
const root = path.resolve(__dirname, "..");
const out = fs.mkdtempSync(path.join(os.tmpdir(), "secret-canary-"));

let run: { code: number | null; output: string; result: { exitCode: number; passwordReachedHyperdrive: boolean } };

beforeAll(async () => {
    const resultFile = path.join(out, "result.json");
    const { code, output } = await new Promise<{ code: number | null; output: string }>((resolve, reject) => {
        const child = spawn(process.execPath, ["--import", "tsx", path.join(root, "test", "helpers", "canaryPlanChild.ts"), out, resultFile], {
            cwd: root, stdio: ["ignore", "pipe", "pipe"],
            env: { ...process.env, NEON_API_KEY: CANARY_KEY, CLOUDFLARE_API_TOKEN: CANARY_TOKEN, CANARY_ROLE_PASSWORD: CANARY_PASSWORD },
        });
        let text = "";
        child.stdout!.on("data", (c: Buffer) => { text += c.toString(); });
        child.stderr!.on("data", (c: Buffer) => { text += c.toString(); });
        child.on("error", reject);
        child.on("close", (exit) => resolve({ code: exit, output: text }));
    });
    if (code !== 0) throw new Error(`the canary plan failed (${code}):\n${output}`);
    run = { code, output, result: JSON.parse(fs.readFileSync(resultFile, "utf8")) };
}, 180_000);

afterAll(() => fs.rmSync(out, { recursive: true, force: true }));

/** Every file under `dir`, recursively. */
function filesUnder(dir: string): string[] {
    return fs.readdirSync(dir, { withFileTypes: true, recursive: true })
        .filter((e) => e.isFile())
        .map((e) => path.join(e.parentPath, e.name));
}

describe("canary secrets", () => {
    it("were in play: the role password reached the Hyperdrive configuration, as a secret", () => {
        expect(run.result.passwordReachedHyperdrive).toBe(true);
        expect(run.output).toMatch(/staging-hyperdrive/);
    });

    it("appear nowhere in what the plan printed (tree, Policies block, warnings)", () => {
        for (const canary of CANARIES) expect(run.output).not.toContain(canary);
    });

    it("appear in no file the plan wrote: JSON plan, SARIF, wrangler.jsonc, .dev.vars.example", () => {
        const files = filesUnder(out).filter((f) => !f.endsWith("result.json"));
        const names = files.map((f) => path.relative(out, f)).sort();
        expect(names).toEqual(expect.arrayContaining([
            "plan.json", "plan.sarif",
            path.join("platform", "staging", "api", "wrangler.jsonc"), path.join("platform", "staging", "api", ".dev.vars.example"),
        ]));
        for (const file of files) {
            const text = fs.readFileSync(file, "utf8");
            for (const canary of CANARIES) expect(text, path.relative(out, file)).not.toContain(canary);
        }
        // The secret shows as masked in the JSON plan, so the sweep looked where it would have been.
        const plan = JSON.parse(fs.readFileSync(path.join(out, "plan.json"), "utf8")) as { resources: { type: string; inputs: Record<string, unknown> }[] };
        const hyperdrive = plan.resources.find((r) => r.type === "cloudflare:index/hyperdriveConfig:HyperdriveConfig")!;
        expect(hyperdrive.inputs.origin).toMatchObject({ password: "[secret]", user: "app", port: 5432 });
    });
});
