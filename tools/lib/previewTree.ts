/**
 * Renders recorded resources the way `pulumi preview` shows them: a tree by parent, one line per
 * resource with its operation, type and name, then the counts.
 */
import type { Diagnostic, ResourceRecord } from "./mockEngine";
import { describeRolloutGate } from "../../components/cloudflare/rollout/rolloutGate";
import { ROLLOUT_GATE_TYPE } from "../../components/typeTokens";

/**
 * The display form of a type token, as the CLI shows it: `cloudflare:index/workersScript:WorkersScript`
 * becomes `cloudflare:index:WorkersScript`.
 */
export function displayType(type: string): string {
    const [pkg, module, name] = type.split(":");
    if (pkg === undefined || module === undefined || name === undefined) return type;
    return `${pkg}:${module.split("/")[0]}:${name}`;
}

/** The Info column: `protected`, and a rollout gate's steps and thresholds. */
function info(r: ResourceRecord): string {
    const parts = [...(r.protect ? ["protected"] : []), ...(r.type === ROLLOUT_GATE_TYPE ? [describeRolloutGate(r.inputs)] : [])];
    return parts.join("; ");
}

/**
 * @param stack stack name for the heading.
 * @param resources every resource of an offline run (all are creates in a preview from empty state).
 * @returns the text, ending with a newline.
 */
export function renderPreview(stack: string, resources: readonly ResourceRecord[]): string {
    const children = new Map<string, ResourceRecord[]>();
    for (const r of resources) {
        const list = children.get(r.parent) ?? [];
        list.push(r);
        children.set(r.parent, list);
    }
    const rows: [string, string, string, string][] = [];
    const walk = (parent: string, prefix: string) => {
        const list = children.get(parent) ?? [];
        list.forEach((r, i) => {
            const last = i === list.length - 1;
            const branch = parent === "" ? "" : `${prefix}${last ? "└─ " : "├─ "}`;
            // An adopted resource (`import` option) is an import, as `pulumi preview` shows it.
            rows.push([`${branch}${displayType(r.type)}`, r.name, r.importId ? "import" : "create", info(r)]);
            walk(r.urn, parent === "" ? "" : `${prefix}${last ? "   " : "│  "}`);
        });
    };
    walk("", "");
    const header: [string, string, string, string] = ["Type", "Name", "Plan", "Info"];
    const widths = ([0, 1, 2] as const).map((col) => Math.max(...[header, ...rows].map((row) => [...row[col]].length)));
    const width = (col: 0 | 1 | 2) => widths[col]!;
    const pad = (text: string, n: number) => text + " ".repeat(Math.max(0, n - [...text].length));
    const line = (op: string, row: [string, string, string, string]) =>
        `${op}   ${pad(row[0], width(0))}  ${pad(row[1], width(1))}  ${pad(row[2], width(2))}  ${row[3]}`.trimEnd();
    const protectedCount = resources.filter((r) => r.protect).length;
    return [
        `Previewing update (${stack}) offline, under the Pulumi SDK's mock engine: no cloud calls were made.`,
        "",
        line("  ", header),
        ...rows.map((row) => line(row[2] === "import" ? " =" : " +", row)),
        "",
        "Resources:",
        `    + ${resources.filter((r) => !r.importId).length} to create`,
        ...(resources.some((r) => r.importId) ? [`    = ${resources.filter((r) => r.importId).length} to import`] : []),
        ...(protectedCount > 0 ? [`    ${protectedCount} protected`] : []),
        "",
    ].join("\n");
}

/**
 * The `Diagnostics:` block as `pulumi preview` prints it: the messages grouped under the resource they were
 * logged against (`platform:cloudflare:WorkerService (api):`), the stack's own under `pulumi:pulumi:Stack`.
 * @returns the text ending with a newline, or "" when there is nothing to show.
 */
export function renderDiagnostics(stack: string, project: string, diagnostics: readonly Diagnostic[]): string {
    if (diagnostics.length === 0) return "";
    const groups = new Map<string, Diagnostic[]>();
    for (const d of diagnostics) {
        const key = d.urn ?? "";
        groups.set(key, [...(groups.get(key) ?? []), d]);
    }
    const lines = ["Diagnostics:"];
    for (const [urn, list] of groups) {
        const parts = urn.split("::");
        const type = urn === "" ? "pulumi:pulumi:Stack" : displayType(parts[2]?.split("$").pop() ?? "");
        const name = urn === "" ? `${project}-${stack}` : parts[3] ?? urn;
        lines.push(`  ${type} (${name}):`);
        for (const d of list) lines.push(`    ${d.severity}: ${d.message}`);
        lines.push("");
    }
    lines.pop();
    return `${lines.join("\n")}\n`;
}
