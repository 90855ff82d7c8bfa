/**
 * The typed env fails `tsc` where it should: compiles `test/typedEnv/misuse.ts` as it is (no error, so every
 * `@ts-expect-error` is used) and a copy without its `// @ts-expect-error TS<code>` directives, which must fail
 * on exactly the marked lines with exactly the named codes; and the README's typed-env example, as
 * `services/billing/src/index.ts` over the README's `billing` declaration. Uses the TypeScript API with
 * `tsconfig.worker.json`'s options (Workers types), one program for all of them (files that exist only in
 * memory are served by the compiler host).
 */
import { readFileSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import ts from "typescript";
import { describe, expect, it } from "vitest";

const root = resolve(dirname(fileURLToPath(import.meta.url)), "..");
const misusePath = join(root, "test/typedEnv/misuse.ts");
const brokenPath = join(root, "test/typedEnv/misuse.broken.ts");
const readmeServicePath = join(root, "services/billing/service.ts");
const readmeWorkerPath = join(root, "services/billing/src/index.ts");
const DIRECTIVE = /^\s*\/\/ @ts-expect-error (TS\d+) (.+)$/;

/** The first ```ts block after `heading` in the README. */
function readmeBlock(heading: string): string {
    const readme = readFileSync(join(root, "README.md"), "utf8");
    const at = readme.indexOf(`\n${heading}\n`);
    if (at < 0) throw new Error(`README has no heading "${heading}"`);
    const block = /```ts\n([\s\S]*?)\n\s*```/.exec(readme.slice(at));
    if (block === null) throw new Error(`README has no ts block after "${heading}"`);
    const lines = block[1]!.split("\n");
    const indent = Math.min(...lines.filter((l) => l.trim() !== "").map((l) => /^ */.exec(l)![0].length));
    return lines.map((l) => l.slice(indent)).join("\n");
}

/** The misuses the directives mark: the line each applies to (0-based), its code and what it is. */
function expectedErrors(text: string): { line: number; code: string; what: string }[] {
    return text.split("\n").flatMap((line, index) => {
        const match = DIRECTIVE.exec(line);
        return match === null ? [] : [{ line: index + 1, code: match[1]!, what: match[2]! }];
    });
}

/** Diagnostics of one file as `TS<code>` by 0-based line. */
function diagnosticsOf(program: ts.Program, path: string): { line: number; code: string; message: string }[] {
    const file = program.getSourceFile(path);
    if (file === undefined) throw new Error(`${path} is not in the program`);
    return [...program.getSyntacticDiagnostics(file), ...program.getSemanticDiagnostics(file)].map((d) => ({
        line: file.getLineAndCharacterOfPosition(d.start ?? 0).line,
        code: `TS${d.code}`,
        message: ts.flattenDiagnosticMessageText(d.messageText, "\n"),
    }));
}

describe("typed env (EnvOf)", () => {
    const text = readFileSync(misusePath, "utf8");
    // Same line numbers: each directive becomes an empty comment.
    const broken = text.split("\n").map((line) => (DIRECTIVE.test(line) ? "//" : line)).join("\n");
    const expected = expectedErrors(text);

    const config = ts.getParsedCommandLineOfConfigFile(join(root, "tsconfig.worker.json"), {}, {
        ...ts.sys,
        onUnRecoverableConfigFileDiagnostic: (d) => { throw new Error(ts.flattenDiagnosticMessageText(d.messageText, "\n")); },
    })!;
    const virtual = new Map<string, string>([
        [brokenPath, broken],
        [readmeServicePath, readmeBlock("## Adding a service")],
        [readmeWorkerPath, readmeBlock("### Typed `env`")],
    ]);
    const host = ts.createCompilerHost(config.options);
    const getSourceFile = host.getSourceFile.bind(host);
    host.getSourceFile = (fileName, languageVersion, ...rest) => virtual.has(fileName)
        ? ts.createSourceFile(fileName, virtual.get(fileName)!, languageVersion, true)
        : getSourceFile(fileName, languageVersion, ...rest);
    const fileExists = host.fileExists.bind(host);
    host.fileExists = (fileName) => virtual.has(fileName) || fileExists(fileName);
    const directoryExists = host.directoryExists?.bind(host) ?? ts.sys.directoryExists;
    host.directoryExists = (dir) => [...virtual.keys()].some((f) => f.startsWith(`${dir}/`)) || directoryExists(dir);
    const readFile = host.readFile.bind(host);
    host.readFile = (fileName) => virtual.get(fileName) ?? readFile(fileName);
    const program = ts.createProgram({ rootNames: [misusePath, ...virtual.keys()], options: config.options, host });

    it("marks a misuse of every kind of check", () => {
        expect(expected.length).toBeGreaterThanOrEqual(15);
        for (const what of ["KV has no `set`", "`checkout`", "does not export `refund`", "`orderId` a string", "no `sku` field"]) {
            expect(expected.some((e) => e.what.includes(what)), what).toBe(true);
        }
    });

    it("compiles as written: correct uses type-check and every @ts-expect-error is used", () => {
        expect(diagnosticsOf(program, misusePath)).toEqual([]);
    });

    it("compiles the README's typed-env example over the README's billing declaration", () => {
        expect(virtual.get(readmeWorkerPath)).toContain("EnvOf<typeof declaration");
        expect([...diagnosticsOf(program, readmeServicePath), ...diagnosticsOf(program, readmeWorkerPath)]).toEqual([]);
    });

    it("fails without the directives, on exactly the marked lines with the named codes", () => {
        const actual = diagnosticsOf(program, brokenPath);
        const byLine = new Map<number, string[]>();
        for (const d of actual) byLine.set(d.line, [...(byLine.get(d.line) ?? []), d.code]);
        // Line numbers are 1-based in the comparison, as an editor shows them.
        const got = expected.map((e) => ({ line: e.line + 1, what: e.what, codes: byLine.get(e.line) ?? [] }));
        expect(got).toEqual(expected.map((e) => ({ line: e.line + 1, what: e.what, codes: [e.code] })));
        const unexpected = actual.filter((d) => !expected.some((e) => e.line === d.line));
        expect(unexpected).toEqual([]);
    });
});
