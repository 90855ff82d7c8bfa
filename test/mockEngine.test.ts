import * as pulumi from "@pulumi/pulumi";
import { describe, expect, it } from "vitest";
import { runOffline } from "../tools/lib/mockEngine.ts";

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
        await expect(run).rejects.toThrow(/failed to register new resource same \[platform:test:Thing\]: Duplicate resource URN 'urn:pulumi:test::platform::pulumi:pulumi:Stack\$platform:test:Thing::same'/);
    });
});
