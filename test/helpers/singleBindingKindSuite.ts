/**
 * The tests every kind made by `singleBindingKind` (components/bindings/accountFeature.ts) must pass: `ai`,
 * `browser`, `images`, `versionMetadata`. Each `test/bindings/<kind>.test.ts` calls {@link singleBindingKindSuite}
 * with its own names, messages and fake bindings, and adds what is particular to it.
 */
import { beforeAll, describe, expect, it } from "vitest";
import { declarationIssues, declare, dryRun, generate, healthOf, importConfig, notesAt, runKind, type KindRun } from "./kindHarness";

/** What differs between the single-object kinds. */
export interface SingleBindingKindCase {
    /** The declaration's kind (`ai`). */
    readonly kind: string;
    /** The provider's binding type (`ai`, `version_metadata`). */
    readonly type: string;
    /** The wrangler key holding the one binding object (`ai`, `version_metadata`). */
    readonly wranglerKey: string;
    /** Binding names: the one declared, and a second one of the same kind. */
    readonly names: readonly [string, string];
    /** How `wrangler deploy --dry-run` lists the binding (`/env\.AI +AI/`). */
    readonly dryRunLine: RegExp;
    /** The wrangler entry's keys the import reports, with their notes (`{ remote: true }` → `unsupported ai.remote: ...`). */
    readonly unsupportedKeys: Readonly<Record<string, unknown>>;
    readonly unsupportedNotes: readonly string[];
    /** A fake binding that passes the health check; `calls` counts calls the check must not make. */
    readonly healthy: (count: () => void) => unknown;
    /** What the health check says the binding should be (`a Workers AI binding`), and the member it looks for. */
    readonly what: string;
    readonly missingMember: string;
}

/** Declaration, mock engine, wrangler entry and dry run, import and health tests of one single-object kind. */
export function singleBindingKindSuite(c: SingleBindingKindCase): void {
    const [name, other] = c.names;
    const bindings = { [name]: { kind: c.kind } } as Parameters<typeof declare>[0];

    describe("declaration", () => {
        it("has no fields of its own", () => {
            expect(declare(bindings).bindings[name]).toEqual({ kind: c.kind });
            expect(declarationIssues({ [name]: { kind: c.kind, extra: "x" } } as never)).toEqual([
                { path: `services.svc.bindings.${name}.extra`, message: "unknown key; remove it or check its spelling" },
            ]);
        });

        it(`allows one binding per service, since wrangler's \`${c.wranglerKey}\` holds one`, () => {
            expect(declarationIssues({ ...bindings, [other]: { kind: c.kind } } as never)).toEqual([{
                path: `services.svc.bindings.${other}`,
                message: `a service has at most one ${c.kind} binding (wrangler's \`${c.wranglerKey}\` holds one); ${name} already is one`,
            }]);
        });
    });

    describe("under the mock engine", () => {
        let kind: KindRun;
        beforeAll(async () => {
            kind = await runKind(bindings);
        });

        it("binds it to the WorkersScript and the WorkerVersion in the provider's shape, creating nothing", () => {
            expect(kind.scriptBindings).toEqual([{ name, type: c.type }]);
            expect(kind.versionBindings).toEqual([{ name, type: c.type }]);
            expect(kind.run.resources.filter((r) => r.custom && r.parent === kind.component.urn && !r.type.startsWith("cloudflare:index/workersScript"))).toEqual([]);
            expect(kind.summary.bindings).toEqual([{ name, kind: c.kind }]);
        });

        it(`writes \`${c.wranglerKey}: { binding }\`, which wrangler deploy --dry-run accepts`, async () => {
            const config = kind.summary.wranglerConfig.config;
            expect(config[c.wranglerKey]).toEqual({ binding: name });
            const run = await dryRun(config);
            expect(run.code, `${run.stdout}\n${run.stderr}`).toBe(0);
            expect(run.stdout).toMatch(c.dryRunLine);
        }, 60_000);
    });

    describe("import", () => {
        it(`reads \`${c.wranglerKey}\` and reports the keys it does not carry`, () => {
            const result = importConfig({ [c.wranglerKey]: { binding: name, ...c.unsupportedKeys } });
            expect(result.declaration.bindings).toEqual(bindings);
            expect(notesAt(result, c.wranglerKey)).toEqual(c.unsupportedNotes);
        });

        it(`rejects a malformed \`${c.wranglerKey}\` with its path`, () => {
            expect(() => importConfig({ [c.wranglerKey]: [{ binding: name }] })).toThrow(` ${c.wranglerKey}: expected object, got array`);
            expect(() => importConfig({ [c.wranglerKey]: {} })).toThrow(` ${c.wranglerKey}.binding: `);
        });

        it("round-trips: import → generate keeps the binding", () => {
            const imported = importConfig({ [c.wranglerKey]: { binding: name } });
            const config = generate(imported.declaration.bindings);
            expect(config[c.wranglerKey]).toEqual({ binding: name });
            expect(importConfig(config).declaration.bindings).toEqual(imported.declaration.bindings);
        });
    });

    describe("health check", () => {
        it("passes on a binding with its API, calling nothing", async () => {
            let calls = 0;
            const checks = await healthOf(bindings, { [name]: c.healthy(() => { calls += 1; }) });
            expect(checks[name]).toMatchObject({ status: "ok" });
            expect(calls).toBe(0);
        });

        it("fails when the binding is missing or something else", async () => {
            expect((await healthOf(bindings, {}))[name]).toMatchObject({ status: "fail", message: `binding is missing from env; expected ${c.what}` });
            expect((await healthOf(bindings, { [name]: {} }))[name]).toMatchObject({ status: "fail", message: `binding is not ${c.what} (it has no ${c.missingMember})` });
        });
    });
}
