/**
 * `npm run pulumi-cli` (`tools/pulumi-cli/ensure.ts`) without building anything: which CLI versions it
 * accepts, where the pinned build goes, and how it picks a `pulumi` from PATH (fake executables here;
 * the real build is what CI runs before `npm test`, and the engine tests use its result).
 */
import { chmodSync, mkdirSync, mkdtempSync, realpathSync, rmSync, writeFileSync } from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { findPulumiCli, isSupportedVersion, parseVersion, PINNED_PULUMI_VERSION, pulumiCliCacheRoot } from "../tools/pulumi-cli/ensure";

const dir = mkdtempSync(path.join(os.tmpdir(), "pulumi-cli-"));

/** A fake `pulumi` in `folder` that prints `version`. */
function fakePulumi(folder: string, version: string): string {
    mkdirSync(folder, { recursive: true });
    const bin = path.join(folder, "pulumi");
    writeFileSync(bin, `#!/bin/sh\necho ${version}\n`);
    chmodSync(bin, 0o755);
    return bin;
}

afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe("versions", () => {
    it("parses the CLI's version output", () => {
        expect(parseVersion("v3.276.0\n")).toEqual([3, 276, 0]);
        expect(parseVersion("3.255.1-alpha.x1")).toEqual([3, 255, 1]);
        expect(parseVersion("warning: something")).toBeUndefined();
    });

    it("accepts 3.255 and later within major version 3", () => {
        expect(isSupportedVersion("v3.255.0")).toBe(true);
        expect(isSupportedVersion(`v${PINNED_PULUMI_VERSION}`)).toBe(true);
        expect(isSupportedVersion("v3.254.9")).toBe(false);
        expect(isSupportedVersion("v4.0.0")).toBe(false);
        expect(isSupportedVersion("dev")).toBe(false);
    });
});

describe("where the CLI comes from", () => {
    it("builds into PLATFORM_PULUMI_CLI_DIR, else the user cache folder, outside the repository", () => {
        expect(pulumiCliCacheRoot({ PLATFORM_PULUMI_CLI_DIR: "/opt/pulumi-cli" })).toBe("/opt/pulumi-cli");
        expect(pulumiCliCacheRoot({ XDG_CACHE_HOME: "/var/cache/me" })).toBe(`/var/cache/me/workers-platform/pulumi-v${PINNED_PULUMI_VERSION}`);
        expect(pulumiCliCacheRoot({})).toBe(path.join(os.homedir(), ".cache", "workers-platform", `pulumi-v${PINNED_PULUMI_VERSION}`));
    });

    it("uses a supported pulumi on PATH, with the root the Automation API expects", async () => {
        const bin = fakePulumi(path.join(dir, "good", "bin"), "v3.260.0");
        const cli = await findPulumiCli({ PATH: path.dirname(bin), PLATFORM_PULUMI_CLI_DIR: path.join(dir, "cache-a") });
        expect(cli).toEqual({ bin: realpathSync(bin), root: realpathSync(path.join(dir, "good")), version: "3.260.0", source: "path" });
    });

    it("links a pulumi that is not in a bin folder under a root of its own", async () => {
        const bin = fakePulumi(path.join(dir, "loose"), "v3.270.0");
        const cli = await findPulumiCli({ PATH: path.dirname(bin), PLATFORM_PULUMI_CLI_DIR: path.join(dir, "cache-b", "pinned") });
        expect(cli).toMatchObject({ root: path.join(dir, "cache-b", "pulumi-from-path"), source: "path" });
        expect(realpathSync(path.join(cli!.root, "bin", "pulumi"))).toBe(realpathSync(bin));
    });

    it("passes over an old pulumi on PATH for the pinned build in the cache, and finds nothing when neither is there", async () => {
        const old = fakePulumi(path.join(dir, "old", "bin"), "v3.100.0");
        const cache = path.join(dir, "cache-c");
        expect(await findPulumiCli({ PATH: path.dirname(old), PLATFORM_PULUMI_CLI_DIR: cache })).toBeUndefined();
        const pinned = fakePulumi(path.join(cache, "bin"), `v${PINNED_PULUMI_VERSION}`);
        expect(await findPulumiCli({ PATH: path.dirname(old), PLATFORM_PULUMI_CLI_DIR: cache })).toEqual({ bin: pinned, root: cache, version: PINNED_PULUMI_VERSION, source: "cache" });
    });
});
