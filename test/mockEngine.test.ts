import * as pulumi from "@pulumi/pulumi";
import { describe, expect, it } from "vitest";
import { runOffline } from "../tools/lib/mockEngine";

describe("runOffline", () => {
    it("rejects two resources with the same URN, as the engine does", async () => {
        const run = runOffline({
            project: "platform",
            stack: "test",
            config: { config: {}, secretKeys: [] },
            program: () => {
                new pulumi.ComponentResource("platform:test:Thing", "same");
                new pulumi.ComponentResource("platform:test:Thing", "same");
                return {};
            },
        });
        await expect(run).rejects.toThrow(/failed to register new resource same \[platform:test:Thing\]: Duplicate resource URN 'urn:pulumi:test::platform::platform:test:Thing::same'/);
    });

    it("builds URNs as the engine does: the parent's whole type chain, without the root stack", async () => {
        const run = await runOffline({
            project: "platform",
            stack: "test",
            config: { config: {}, secretKeys: [] },
            program: () => {
                const outer = new pulumi.ComponentResource("platform:test:Outer", "outer");
                const inner = new pulumi.ComponentResource("platform:test:Inner", "inner", {}, { parent: outer });
                new pulumi.ComponentResource("platform:test:Leaf", "leaf", {}, { parent: inner });
                return {};
            },
        });
        expect(run.resources.map((r) => r.urn)).toEqual([
            "urn:pulumi:test::platform::pulumi:pulumi:Stack::platform-test",
            "urn:pulumi:test::platform::platform:test:Outer::outer",
            "urn:pulumi:test::platform::platform:test:Outer$platform:test:Inner::inner",
            "urn:pulumi:test::platform::platform:test:Outer$platform:test:Inner$platform:test:Leaf::leaf",
        ]);
    });
});
