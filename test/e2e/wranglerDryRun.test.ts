/**
 * Every wrangler.jsonc the plan generates must be accepted by wrangler itself: `wrangler deploy --dry-run`
 * validates the config and bundles the Worker without any network or account.
 */
import { readdir, stat } from "node:fs/promises";
import * as path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { SAMPLE_SERVICES, generateSampleWorkspace, runWrangler, type GeneratedWorkspace } from "../helpers/wrangler";

const STACKS = ["staging", "production"] as const;
const workspaces: Record<string, GeneratedWorkspace> = {};

beforeAll(async () => {
    // One plan at a time: the Pulumi SDK keeps its state in process globals.
    for (const stack of STACKS) workspaces[stack] = await generateSampleWorkspace(stack);
});

afterAll(async () => {
    await Promise.all(Object.values(workspaces).map((w) => w.remove()));
});

const cases = STACKS.flatMap((stack) => SAMPLE_SERVICES.map((s) => [stack, s.declaration.name] as const));

describe("wrangler deploy --dry-run on the planned configs", () => {
    it.concurrent.each(cases)("%s / %s", async (stack, name) => {
        const workspace = workspaces[stack]!;
        const service = workspace.services[name]!;
        // Absolute --outdir: wrangler 4.86 writes the bundle relative to the config file but README.md
        // relative to the working directory when given a relative path.
        const outdir = path.join(workspace.root, `out-${stack}-${name}`);
        const run = await runWrangler(["deploy", "--dry-run", "--config", service.configPath, "--outdir", outdir], { scratchDir: workspace.root });
        expect(run.code, `${run.stdout}\n${run.stderr}`).toBe(0);
        expect(run.stdout).toContain("--dry-run: exiting now.");
        expect(await readdir(outdir)).toContain("index.js");
        expect((await stat(path.join(outdir, "index.js"))).size).toBeGreaterThan(0);
    }, 60_000);
});
