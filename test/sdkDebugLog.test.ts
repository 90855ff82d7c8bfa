/**
 * `infra/sdkDebugLog.ts`: the SDK's debug messages that carry an RPC response lose the response (which
 * may hold secrets), unless `PULUMI_EXCESSIVE_DEBUG_OUTPUT` asks for it; other messages pass unchanged.
 * The engine test `test/engine/secrets.test.ts` shows the leak it closes.
 */
import * as pulumi from "@pulumi/pulumi";
import { describe, expect, it, vi } from "vitest";
import { redactRpcPayload, redactSdkDebugLog } from "../infra/sdkDebugLog";

const SECRET = "npg_canary0123456789";

describe("redactRpcPayload", () => {
    it("drops the response of each RPC the SDK logs in full", () => {
        for (const rpc of ["RegisterResource RPC finished: resource:db[neon:Role]", "ReadResource RPC finished: resource:ref[pulumi:pulumi:StackReference]",
            "getResource Invoke RPC finished:", "RegisterResourceOutputs RPC finished: urn=urn:pulumi:s::p::pulumi:pulumi:Stack::p-s;"]) {
            const message = redactRpcPayload(`${rpc} err: null, resp: urn:x,id,password,,,4dabf18193072939515e22adb298388d,value,${SECRET}`, false);
            expect(message.startsWith(`${rpc} err: null, resp: [response not logged`)).toBe(true);
            expect(message).not.toContain(SECRET);
        }
    });

    it("keeps other messages, and everything when PULUMI_EXCESSIVE_DEBUG_OUTPUT asks for it", () => {
        expect(redactRpcPayload("RegisterResource RPC prepared: t=neon:Role, name=db", false)).toBe("RegisterResource RPC prepared: t=neon:Role, name=db");
        const full = `RegisterResource RPC finished: r; err: null, resp: ${SECRET}`;
        expect(redactRpcPayload(full, true)).toBe(full);
    });
});

describe("redactSdkDebugLog", () => {
    it("wraps the SDK's log.debug once, so the SDK's runtime sends the redacted message", async () => {
        const log = pulumi.log as unknown as { debug: (msg: string) => Promise<void> };
        const original = vi.fn(async (_msg: string) => undefined);
        log.debug = original;
        redactSdkDebugLog();
        redactSdkDebugLog();
        await log.debug(`ReadResource RPC finished: r; err: null, resp: ${SECRET}`);
        await log.debug("Found free variables");
        expect(original.mock.calls.map((c) => c[0])).toEqual([
            expect.stringMatching(/^ReadResource RPC finished: r; err: null, resp: \[response not logged/),
            "Found free variables",
        ]);
    });
});
