/**
 * `npm run dev` offline (`tools/dev.ts`): wrangler's fetch of the `Request.cf` data, which prints a
 * `getaddrinfo ENOTFOUND` stack trace at every start offline, is turned off and explained once. Its arguments
 * are checked in test/cliErrors.test.ts, and the command itself runs in test/e2e/dev.test.ts.
 */
import { describe, expect, it } from "vitest";
import { OFFLINE_NOTE, offlineEnv } from "../tools/dev";

function io() {
    let stderr = "";
    return { io: { stdout: () => undefined, stderr: (t: string) => { stderr += t; } }, stderr: () => stderr };
}

describe("offlineEnv", () => {
    it("turns wrangler's Request.cf fetch off and says so once when its host does not resolve", async () => {
        const { io: out, stderr } = io();
        const notFound = () => Promise.reject(Object.assign(new Error("getaddrinfo ENOTFOUND workers.cloudflare.com"), { code: "ENOTFOUND" }));
        expect(await offlineEnv(out, notFound)).toEqual({ CLOUDFLARE_CF_FETCH_ENABLED: "false" });
        expect(stderr()).toBe(`${OFFLINE_NOTE}\n`);
    });

    it("changes nothing online, or when the caller set the variable", async () => {
        const { io: out, stderr } = io();
        expect(await offlineEnv(out, () => Promise.resolve({ address: "104.16.0.1" }))).toEqual({});
        process.env.CLOUDFLARE_CF_FETCH_ENABLED = "true";
        try {
            expect(await offlineEnv(out, () => Promise.reject(new Error("offline")))).toEqual({});
        } finally {
            delete process.env.CLOUDFLARE_CF_FETCH_ENABLED;
        }
        expect(stderr()).toBe("");
    });
});
