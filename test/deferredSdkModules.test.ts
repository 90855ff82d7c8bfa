/**
 * tools/lib/deferredSdkModules.ts: with it imported first, loading the Pulumi SDK no longer loads
 * `@npmcli/arborist` (nor pacote behind it), and the SDK still gets the real `Arborist` when it constructs one;
 * with `deferTypeScript()` too, the SDK loads no TypeScript compiler until it serializes a function, which then
 * works as before; with `deferAutomation()`, no Automation API until `pulumi.automation` is used. Each case runs in a fresh process, as the plan does: the module cache is per process.
 */
import { spawnSync } from "node:child_process";
import * as path from "node:path";
import { describe, expect, it } from "vitest";

const projectDir = path.resolve(__dirname, "..");

/** Runs `script` (CommonJS) under tsx in a fresh process and returns what it printed as JSON. */
function inChild(script: string): Record<string, unknown> {
    const result = spawnSync(process.execPath, ["--import", "tsx", "-e", script], { cwd: projectDir, encoding: "utf8", timeout: 120_000 });
    expect(result.status, result.stderr).toBe(0);
    return JSON.parse(result.stdout) as Record<string, unknown>;
}

/** How many modules of a package are loaded (the stand-in is one entry under @npmcli/arborist's path; the real package is dozens). */
const LOADED = `const loaded = (name) => Object.keys(require.cache).filter((f) => f.includes("/node_modules/" + name + "/")).length;`;

describe("deferArborist", () => {
    it("keeps @npmcli/arborist and pacote out of a process that loads the SDK, and hands the SDK the real Arborist", () => {
        const out = inChild(`
            ${LOADED}
            const { deferArborist } = require("./tools/lib/deferredSdkModules.ts");
            const secondCall = deferArborist() ?? null; // importing it installed the stand-in: a second call does nothing
            require("@pulumi/pulumi");
            const before = { arborist: loaded("@npmcli/arborist") <= 1, pacote: loaded("pacote") === 0 };
            const { createRequire } = require("node:module");
            const sdkRequire = createRequire(require.resolve("@pulumi/pulumi/runtime/closure/codePaths.js"));
            const arb = new (sdkRequire("@npmcli/arborist").Arborist)({ path: process.cwd() });
            const real = sdkRequire("@npmcli/arborist");
            console.log(JSON.stringify({
                secondCall, before,
                after: { arborist: loaded("@npmcli/arborist") > 1, pacote: loaded("pacote") > 0 },
                realClass: arb instanceof real.Arborist, loadActual: typeof arb.loadActual, path: arb.path,
            }));
        `);
        expect(out).toEqual({
            secondCall: null,
            before: { arborist: true, pacote: true }, // at most the stand-in, no pacote
            after: { arborist: true, pacote: true },
            realClass: true,
            loadActual: "function",
            path: projectDir,
        });
    });

    it("does nothing when @npmcli/arborist is loaded already", () => {
        const out = inChild(`
            require("@pulumi/pulumi");
            const { deferArborist } = require("./tools/lib/deferredSdkModules.ts");
            console.log(JSON.stringify({ installed: deferArborist() !== undefined, real: typeof require(require.resolve("@npmcli/arborist", { paths: [require.resolve("@pulumi/pulumi")] })).Arborist.prototype.loadActual }));
        `);
        expect(out).toEqual({ installed: false, real: "function" });
    });
});

describe("deferTypeScript", () => {
    it("keeps the TypeScript compiler out of a process that loads the SDK until a function is serialized, which then works", () => {
        const out = inChild(`
            ${LOADED}
            const { deferTypeScript } = require("./tools/lib/deferredSdkModules.ts");
            const installed = deferTypeScript() !== undefined;
            const pulumi = require("@pulumi/pulumi");
            const before = loaded("typescript");
            const factor = 6;
            pulumi.runtime.serializeFunction(() => (x) => x * factor, { isFactoryFunction: true }).then((serialized) => {
                console.log(JSON.stringify({ installed, before, after: loaded("typescript") > 0, captured: serialized.text.includes("factor") }));
            });
        `);
        expect(out).toEqual({ installed: true, before: 0, after: true, captured: true });
    });
});

describe("deferAutomation", () => {
    it("keeps the Automation API (and execa behind it) out of a process that loads the SDK until it is used", () => {
        const out = inChild(`
            ${LOADED}
            const { deferAutomation } = require("./tools/lib/deferredSdkModules.ts");
            const installed = deferAutomation() !== undefined;
            const pulumi = require("@pulumi/pulumi");
            const before = { automation: loaded("@pulumi/pulumi/automation") <= 1, execa: loaded("execa") }; // at most the stand-in
            const workspace = typeof pulumi.automation.LocalWorkspace;
            console.log(JSON.stringify({ installed, before, workspace, after: loaded("execa") > 0 }));
        `);
        expect(out).toEqual({ installed: true, before: { automation: true, execa: 0 }, workspace: "function", after: true });
    });
});
