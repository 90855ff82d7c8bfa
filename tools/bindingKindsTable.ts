/**
 * `npm run docs`: the README's table of binding kinds, rendered from the binding table
 * (`components/bindings/`), so the documentation lists exactly what the platform declares. Without
 * arguments it rewrites the table between the README's markers; `--check` exits 1 when the README is out
 * of date (CI and `test/bindingKindsTable.test.ts` run that).
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { parseArgs } from "node:util";
import type { z } from "zod";
import { BINDING_KINDS, type BindingKindDefinition } from "../components/bindings/index";
import { runCli } from "./lib/cli";
import { writeFilesAtomically } from "./lib/files";

/** The markers the table stands between in the README. */
export const TABLE_START = "<!-- binding-kinds:start (npm run docs) -->";
export const TABLE_END = "<!-- binding-kinds:end -->";

/**
 * The Markdown table: per kind its declaration (`kind` and fields, `?` for optional ones), what it is,
 * the Cloudflare resource, the wrangler key and the health check.
 */
export function renderBindingKindsTable(kinds: readonly BindingKindDefinition<any>[] = BINDING_KINDS): string {
    const rows = kinds.map((kind) => {
        const declaration = `\`{ kind: "${kind.kind}"${fieldsOf(kind).map((f) => `, ${f}`).join("")} }\``;
        const health = kind.health?.description ?? (kind.envContract === undefined ? "none" : "the env contract check");
        return `| ${declaration} | [${kind.docs.title}](${kind.docs.url}) | ${kind.docs.resource} | \`${kind.docs.wranglerKey}\` | ${health} |`;
    });
    return [
        "| declaration | binding | Cloudflare resource | wrangler key | health check |",
        "| --- | --- | --- | --- | --- |",
        ...rows,
    ].join("\n");
}

/** The README with its table replaced by {@link renderBindingKindsTable}. @throws {Error} when the markers are missing. */
export function withBindingKindsTable(readme: string): string {
    const start = readme.indexOf(TABLE_START);
    const end = readme.indexOf(TABLE_END);
    if (start < 0 || end < start) throw new Error(`README has no ${TABLE_START} … ${TABLE_END} section`);
    return `${readme.slice(0, start + TABLE_START.length)}\n${renderBindingKindsTable()}\n${readme.slice(end)}`;
}

/** A kind's declaration fields other than `kind`, optional ones marked `?`. */
function fieldsOf(kind: BindingKindDefinition<any>): string[] {
    const shape = (kind.schema as unknown as { shape?: Record<string, z.ZodType> }).shape ?? {};
    return Object.entries(shape).filter(([name]) => name !== "kind").map(([name, schema]) =>
        schema.safeParse(undefined).success ? `${name}?` : name);
}

async function main(argv: readonly string[]): Promise<number> {
    const { values } = parseArgs({ args: [...argv], options: { check: { type: "boolean", default: false } }, strict: true });
    const file = path.join(__dirname, "..", "README.md");
    const current = fs.readFileSync(file, "utf8");
    const next = withBindingKindsTable(current);
    if (values.check) {
        if (next === current) return 0;
        process.stderr.write("README.md's table of binding kinds is out of date: run npm run docs\n");
        return 1;
    }
    if (next !== current) writeFilesAtomically([{ flag: "README.md", path: file, content: next }]);
    return 0;
}

if (require.main === module) runCli({ name: "docs", usage: "usage: npm run docs [-- --check]", main });
