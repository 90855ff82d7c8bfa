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

    it("keeps a component's registered outputs as plain values, which a read by URN gets back", async () => {
        // The mock monitor used to keep the protobuf Struct of every component's outputs (memory at 200 services),
        // which its `getResource` could not serialize.
        let read: pulumi.Output<unknown> | undefined;
        const run = await runOffline({
            project: "platform",
            stack: "test",
            config: { config: {}, secretKeys: [] },
            program: async () => {
                const thing = new Thing("thing");
                thing.done({ answer: 42, nested: { list: ["a"] } });
                const urn = await (thing.urn as unknown as { promise(): Promise<string> }).promise();
                const again = new pulumi.ComponentResource("platform:test:Thing", "thing-again", { answer: undefined, nested: undefined }, { urn });
                const outputs = again as unknown as Record<"answer" | "nested", pulumi.Output<unknown>>;
                read = pulumi.all([outputs.answer, outputs.nested]);
                return {};
            },
        });
        expect(await (read as unknown as { promise(): Promise<unknown> }).promise()).toEqual([42, { list: ["a"] }]);
        expect(run.resources.find((r) => r.name === "thing")?.outputs).toEqual({ answer: 42, nested: { list: ["a"] } });
    });
});

/** A component that registers the outputs it is given. */
class Thing extends pulumi.ComponentResource {
    constructor(name: string) {
        super("platform:test:Thing", name);
    }

    done(outputs: Record<string, unknown>): void {
        this.registerOutputs(outputs);
    }
}
