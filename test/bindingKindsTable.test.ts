/** The README's table of binding kinds is the binding table's, rendered: adding a kind without `npm run docs` fails here. */
import * as fs from "node:fs";
import * as path from "node:path";
import { describe, expect, it } from "vitest";
import { BINDING_KINDS } from "../components/bindings/index";
import { TABLE_END, TABLE_START, renderBindingKindsTable, withBindingKindsTable } from "../tools/bindingKindsTable";

const readme = fs.readFileSync(path.join(__dirname, "..", "README.md"), "utf8");

describe("README table of binding kinds", () => {
    it("is up to date with components/bindings/", () => {
        expect(withBindingKindsTable(readme)).toBe(readme);
    });

    it("has a row per kind with its declaration, resource, wrangler key and health check", () => {
        const table = renderBindingKindsTable();
        expect(table.split("\n")).toHaveLength(BINDING_KINDS.length + 2);
        expect(table).toContain('| `{ kind: "d1", migrationsDir?, migrationsPattern? }` | [D1 database (with migrations)](https://developers.cloudflare.com/d1/worker-api/) | cloudflare.D1Database | `d1_databases` | `select 1` |');
        expect(table).toContain('| `{ kind: "secret" }` |');
        expect(table).toMatch(/\| `\{ kind: "secret" \}` \|.*\| the env contract check \|$/m);
    });

    it("refuses a README without the markers", () => {
        expect(() => withBindingKindsTable("# no table here\n")).toThrow(`README has no ${TABLE_START} … ${TABLE_END} section`);
    });
});
