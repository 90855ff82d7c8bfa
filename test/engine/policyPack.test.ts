/**
 * The shipped policy pack through the real CLI: `--policy-pack tools/engine/policy-pack` (the executable
 * launcher of `policies/`) with `--policy-pack-config policies/config/<stack>.json`, on the production
 * stack's Neon resources with protection turned off. With production's config the
 * `stateful-resources-protected` violation is mandatory: `preview` and `up` fail with the CLI's exit code
 * and nothing is created. With staging's config it is advisory: both go through, and the violation is
 * still reported.
 */
import { randomBytes } from "node:crypto";
import * as path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ENGINE_NEON_PACING, PLATFORM_DATABASE_PROGRAM, platformDatabaseConfig } from "../fixtures/engine/platformDatabase";
import { assertOk, createEngineProject, diagnostics, POLICY_PACK_LAUNCHER, type EngineProject, type EngineResult } from "../helpers/engine";
import { neonProviderEnv, startNeonSimulator, type NeonSimulator } from "../helpers/neonSimulator";

const KEY = `napi_${randomBytes(12).toString("hex")}`;
const ROOT = path.resolve(__dirname, "..", "..");
const CONFIG = platformDatabaseConfig({ project: "unprotected-db", protect: false });
const VIOLATION = "Neon project unprotected-db must be protected in production.";
let sim: NeonSimulator;
let engine: EngineProject;
let env: Record<string, string>;

/** Runs `command` on production with the shipped pack and the policy config of `configStack`. */
function withPolicies(command: "preview" | "up", configStack: "production" | "staging"): Promise<EngineResult> {
    return engine.run({
        stack: "production", command, program: PLATFORM_DATABASE_PROGRAM, config: CONFIG, env,
        policyPacks: [POLICY_PACK_LAUNCHER],
        policyPackConfigs: [path.join(ROOT, "policies", "config", `${configStack}.json`)],
    });
}

/**
 * The policy violations the engine reported: policy, enforcement level, the violation's own message (the
 * engine puts the policy's description on the line before it) and the resource name.
 */
function violations(result: EngineResult): { policy: string; level: string; message: string; resource: string }[] {
    return result.events.map((e) => e.policyEvent).filter((p) => p !== undefined).map((p) => ({
        policy: p.policyName, level: p.enforcementLevel, message: p.message.trim().split("\n").pop()!, resource: (p.resourceUrn ?? "").split("::").pop()!,
    }));
}

beforeAll(async () => {
    sim = await startNeonSimulator({ apiKey: KEY, operationMs: { default: 20 }, rateLimit: false });
    env = neonProviderEnv(sim.baseUrl, KEY, ENGINE_NEON_PACING);
    engine = await createEngineProject({ project: "platform" });
}, 60_000);

afterAll(async () => {
    await engine?.remove();
    await sim?.stop();
});

describe("the policy pack through the CLI's --policy-pack", () => {
    it("a mandatory violation fails preview with the CLI's exit code", async () => {
        const preview = await withPolicies("preview", "production");
        expect(preview.ok).toBe(false);
        expect(preview.exitCode).not.toBe(0);
        // On failure, the CLI's own diagnostics say why (e.g. the pack did not load).
        expect(violations(preview), diagnostics(preview)).toEqual([
            { policy: "stateful-resources-protected", level: "mandatory", message: VIOLATION, resource: "database-production-project" },
        ]);
        expect(preview.stdout + diagnostics(preview)).toMatch(/mandatory/);
    }, 120_000);

    it("a mandatory violation stops up before anything is created", async () => {
        const up = await withPolicies("up", "production");
        expect(up.ok).toBe(false);
        expect(up.exitCode).not.toBe(0);
        expect(violations(up).map((v) => v.level), diagnostics(up)).toEqual(["mandatory"]);
        expect(sim.state.projects.size).toBe(0);
        expect(sim.requests.filter((r) => r.method !== "GET")).toEqual([]);
    }, 120_000);

    it("an advisory violation is reported and neither preview nor up stops", async () => {
        const preview = assertOk(await withPolicies("preview", "staging"), "preview with advisory policies");
        expect(violations(preview)).toEqual([
            { policy: "stateful-resources-protected", level: "advisory", message: VIOLATION, resource: "database-production-project" },
        ]);
        const up = assertOk(await withPolicies("up", "staging"), "up with advisory policies");
        expect(violations(up).map((v) => `${v.level} ${v.policy}`)).toEqual(["advisory stateful-resources-protected"]);
        expect([...sim.state.projects.values()].map((p) => p.name)).toEqual(["unprotected-db"]);
    }, 120_000);
});
