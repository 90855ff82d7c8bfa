/**
 * tools/lib/stackTraceSourceMaps.ts: importing it under tsx turns source-mapped stack traces off, unless Node's
 * --enable-source-maps is given (NODE_OPTIONS or the command line); checked in child processes, as the plan runs.
 */
import { execFileSync } from "node:child_process";
import * as path from "node:path";
import { describe, expect, it } from "vitest";

const ROOT = path.resolve(__dirname, "..");
const PROBE = "import('./tools/lib/stackTraceSourceMaps.ts').then(() => console.log(process.sourceMapsEnabled))";

function sourceMapsAfterImport(nodeArgs: readonly string[], nodeOptions?: string): string {
    const env = { ...process.env };
    delete env.NODE_OPTIONS;
    if (nodeOptions !== undefined) env.NODE_OPTIONS = nodeOptions;
    return execFileSync(process.execPath, [...nodeArgs, "--import", "tsx", "-e", PROBE], { cwd: ROOT, env, encoding: "utf8" }).trim();
}

describe("stack trace source maps in the plan's process", () => {
    it("are off after the import, although tsx turned them on", () => {
        const env = { ...process.env };
        delete env.NODE_OPTIONS;
        expect(execFileSync(process.execPath, ["--import", "tsx", "-e", "console.log(process.sourceMapsEnabled)"], { cwd: ROOT, env, encoding: "utf8" }).trim()).toBe("true");
        expect(sourceMapsAfterImport([])).toBe("false");
    });

    it("stay on when NODE_OPTIONS or the command line has --enable-source-maps", () => {
        expect(sourceMapsAfterImport([], "--enable-source-maps")).toBe("true");
        expect(sourceMapsAfterImport(["--enable-source-maps"])).toBe("true");
    });
});
