import * as pulumi from "@pulumi/pulumi";

/**
 * One Output over the record of `entries` (keys in their order), each value resolved: unknown in a preview when
 * any value is, secret when any is, and carrying every value's resources, as `pulumi.output(record)` is. But
 * `pulumi.output` wraps each Output it finds in two more at once (an Output and its `apply`, each about 20 SDK
 * promises); this chains one `apply` per entry as the values arrive, so only the first exists while the program
 * runs (bench: memory at 200 services).
 *
 * @example
 * outputRecord([["CACHE", kvResolved], ["DB", d1Resolved]]) // Output<{ CACHE: ..., DB: ... }>
 */
export function outputRecord<T>(entries: readonly (readonly [string, pulumi.Input<T>])[]): pulumi.Output<Record<string, T>> {
    return chain(entries, 0, {});
}

function chain<T>(entries: readonly (readonly [string, pulumi.Input<T>])[], from: number, record: Record<string, T>): pulumi.Output<Record<string, T>> {
    if (from === entries.length) return pulumi.output(record) as pulumi.Output<Record<string, T>>;
    const [key, value] = entries[from]!;
    const output = pulumi.Output.isInstance(value) ? value as pulumi.Output<T> : pulumi.output(value) as pulumi.Output<T>;
    // The last entry's apply returns the record itself (a plain value), without one more Output around it.
    return output.apply((resolved): pulumi.Input<Record<string, T>> => from + 1 === entries.length
        ? { ...record, [key]: resolved }
        : chain(entries, from + 1, { ...record, [key]: resolved })) as pulumi.Output<Record<string, T>>;
}
