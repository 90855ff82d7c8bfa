/** Reads a Logpush job's `filter` back in the tests: which scripts' trace events it lets through. */

/**
 * Whether a `filter` made by `scriptNameFilter` (components/cloudflare/monitoring/logpushDestination.ts) lets the events of `scriptName` through; false for any
 * other filter.
 */
export function filterCovers(filter: unknown, scriptName: string): boolean {
    if (typeof filter !== "string") return false;
    try {
        const conditions = (JSON.parse(filter) as { where?: { and?: { key?: unknown; operator?: unknown; value?: unknown }[] } }).where?.and ?? [];
        return conditions.length > 0 && conditions.every((c) => c.key === "ScriptName" && (
            (c.operator === "in" && Array.isArray(c.value) && c.value.includes(scriptName)) ||
            (c.operator === "endsWith" && typeof c.value === "string" && scriptName.endsWith(c.value))));
    } catch {
        return false;
    }
}
