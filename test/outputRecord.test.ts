import * as pulumi from "@pulumi/pulumi";
import { beforeAll, describe, expect, it } from "vitest";
import { outputRecord } from "../components/cloudflare/outputRecord";

/** The value, whether it is known and whether it is secret, as the SDK tracks them. */
async function inspect<T>(output: pulumi.Output<T>): Promise<{ value: T | undefined; known: boolean; secret: boolean }> {
    const internals = output as unknown as { promise: (withUnknowns?: boolean) => Promise<T>; isKnown: Promise<boolean> };
    const known = await internals.isKnown;
    return { value: known ? await internals.promise() : undefined, known, secret: await pulumi.isSecret(output) };
}

describe("outputRecord", () => {
    beforeAll(() => {
        // Preview mode: applies of unknown values do not run, as in `pulumi preview`.
        pulumi.runtime.setMocks({
            newResource: (args) => ({ id: `${args.name}-id`, state: args.inputs }),
            call: (args) => args.inputs,
        }, "project", "stack", true);
    });

    it("resolves to the record of every value, keys in the order given, as pulumi.output does", async () => {
        const entries = [["b", pulumi.output({ id: "1" })], ["a", { kind: "kv", id: pulumi.output("2") }], ["c", "plain"]] as const;
        const combined = await inspect(outputRecord<unknown>(entries));
        expect(combined).toEqual({ value: { b: { id: "1" }, a: { kind: "kv", id: "2" }, c: "plain" }, known: true, secret: false });
        expect(Object.keys(combined.value!)).toEqual(["b", "a", "c"]);
        expect(combined).toEqual(await inspect(pulumi.output(Object.fromEntries(entries))));
    });

    it("is secret when any value is", async () => {
        const combined = await inspect(outputRecord<string>([["a", "x"], ["b", pulumi.secret("y")]]));
        expect(combined).toEqual({ value: { a: "x", b: "y" }, known: true, secret: true });
    });

    it("is unknown in a preview when any value is, wherever it is, like pulumi.output", async () => {
        const unknown = pulumi.output(pulumi.unknown) as pulumi.Output<string>;
        for (const entries of [[["a", unknown], ["b", "x"]], [["a", "x"], ["b", unknown]]] as const) {
            expect((await inspect(outputRecord<string>(entries))).known).toBe(false);
            expect((await inspect(pulumi.output(Object.fromEntries(entries)))).known).toBe(false);
        }
    });

    it("is an empty record for no entries", async () => {
        expect(await inspect(outputRecord([]))).toEqual({ value: {}, known: true, secret: false });
    });
});
