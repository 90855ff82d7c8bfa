/**
 * Secrets under the real Pulumi engine: the production stack's Neon resources (the shipped program's
 * database part) through up, preview, refresh and destroy, with a canary Neon API key in the
 * providers' environment and a canary prefix on every role password the Neon simulator generates.
 * Neither canary may appear in plain text in any file of the `file://` backend (state, backups,
 * history), in `pulumi stack export`, in the engine's event log or in the CLI's output; the role
 * password and the connection's password and URI are in the state as ciphertext.
 */
import { randomBytes } from "node:crypto";
import * as path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ENGINE_NEON_PACING, PLATFORM_DATABASE_PROGRAM, platformDatabaseConfig } from "../fixtures/engine/platformDatabase";
import { assertOk, createEngineProject, exportedResource, type EngineProject, type EngineResult } from "../helpers/engine";
import { neonProviderEnv, startNeonSimulator, type NeonSimulator } from "../helpers/neonSimulator";

const CANARY_KEY = `napi_canary${randomBytes(10).toString("hex")}`;
const CANARY_PASSWORD_PREFIX = `npg_canary${randomBytes(6).toString("hex")}_`;
// Not protected, so the stack can be destroyed at the end.
const CONFIG = platformDatabaseConfig({ project: "secrets-canary", protect: false });
let sim: NeonSimulator;
let engine: EngineProject;
let env: Record<string, string>;
const results: EngineResult[] = [];

/** The Pulumi secret envelope as a file backend stores it: the secret signature and the ciphertext. */
const CIPHERTEXT = { "4dabf18193072939515e22adb298388d": "1b47061264138c4ac30d75fd1eb44270", ciphertext: expect.any(String) };

/** The canaries found in `text`, by name. */
function canariesIn(text: string): string[] {
    return [text.includes(CANARY_KEY) ? "API key" : "", text.includes(CANARY_PASSWORD_PREFIX) ? "role password" : ""].filter((c) => c !== "");
}

beforeAll(async () => {
    // State only: no PostgreSQL is needed to see where the passwords end up.
    sim = await startNeonSimulator({ apiKey: CANARY_KEY, operationMs: { default: 20 }, rateLimit: false, passwordPrefix: CANARY_PASSWORD_PREFIX });
    engine = await createEngineProject({ project: "platform" });
    env = neonProviderEnv(sim.baseUrl, CANARY_KEY, ENGINE_NEON_PACING);
    for (const command of ["up", "preview", "refresh"] as const) {
        results.push(assertOk(await engine.run({ stack: "production", command, env, config: CONFIG, ...(command === "refresh" ? {} : { program: PLATFORM_DATABASE_PROGRAM }) }), command));
    }
}, 180_000);

afterAll(async () => {
    await engine?.remove();
    await sim?.stop();
});

describe("canary secrets under the real engine", () => {
    it("the canaries reached the providers (the role password is the simulator's, the key authenticated)", () => {
        const roles = [...sim.state.roles.values()] as { password?: string }[];
        expect(roles.some((r) => r.password?.startsWith(CANARY_PASSWORD_PREFIX))).toBe(true);
        expect(sim.requests.filter((r) => r.status === 401)).toEqual([]);
        // The stack output carries the password (decrypted here by the Automation API's --show-secrets).
        expect(JSON.stringify(results[0]!.outputs)).toContain(CANARY_PASSWORD_PREFIX);
    });

    it("the state holds the role password and the connection's password and URI as ciphertext", async () => {
        const state = await engine.exportStack("production");
        expect(exportedResource(state, "database-production-role")!.outputs!.password).toEqual(CIPHERTEXT);
        const connection = exportedResource(state, "database-production-connection")!;
        expect(connection.outputs).toMatchObject({ password: CIPHERTEXT, uri: CIPHERTEXT, rolePassword: CIPHERTEXT });
        expect(connection.inputs).toMatchObject({ rolePassword: CIPHERTEXT });
    });

    it("no canary in any backend file, in stack export, in the event log or in the CLI's output", async () => {
        const exported = await engine.pulumi(["stack", "export", "--stack", "production"]);
        expect(exported.code).toBe(0);
        const destroy = assertOk(await engine.run({ stack: "production", command: "destroy", env }), "destroy");
        const places: Record<string, string> = { "stack export": exported.stdout + exported.stderr };
        for (const { file, text } of await engine.stateFiles()) places[path.relative(engine.dir, file)] = text;
        for (const [i, result] of [...results, destroy].entries()) {
            const name = ["up", "preview", "refresh", "destroy"][i]!;
            places[`${name}: event log`] = JSON.stringify(result.events);
            places[`${name}: CLI output`] = result.stdout + result.stderr;
        }
        // Something was looked at: the state and its history, and each operation's events.
        expect(Object.keys(places).filter((p) => p.includes(".pulumi")).length).toBeGreaterThan(2);
        const leaks = Object.entries(places).flatMap(([place, text]) => canariesIn(text).map((canary) => `${canary} in ${place}`));
        expect(leaks).toEqual([]);
    }, 120_000);
});
