/**
 * `value` with every object's keys in sorted order (arrays keep their order), so two values that differ only in
 * key order serialize to the same JSON: how the bench compares the resources two programs registered.
 */
export function sortKeys(value: unknown): unknown {
    if (Array.isArray(value)) return value.map(sortKeys);
    if (typeof value === "object" && value !== null) {
        return Object.fromEntries(Object.keys(value).sort().map((k) => [k, sortKeys((value as Record<string, unknown>)[k])]));
    }
    return value;
}
