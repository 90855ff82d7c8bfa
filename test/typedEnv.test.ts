/**
 * The typed env fails `tsc` where it should: compiles `test/typedEnv/misuse.ts` as it is (no error, so every
 * `@ts-expect-error` is used) and a copy without its `// @ts-expect-error TS<code>` directives, which must fail
 * on exactly the marked lines with exactly the named codes; and every TypeScript block of the README, each at
 * the path its first line names (`// services/billing/service.ts`), so the "add a service" declaration and the
 * typed-env example over it compile as a reader would paste them. Uses the TypeScript API with
 * `tsconfig.worker.json`'s options (Workers types), one program for all of them (files that exist only in
 * memory are served by the compiler host). The README's YAML blocks must parse and its shell blocks name
 * only npm scripts that exist.
 */
import { readFileSync } from "node:fs";
import { parse as parseYaml } from "yaml";
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

/** Every fenced block of the README in `language`, its indentation (a block inside a list item) removed. */
function readmeBlocks(language: string): string[] {
    const readme = readFileSync(join(root, "README.md"), "utf8");
    return [...readme.matchAll(new RegExp(`^( *)\`\`\`${language}\\n([\\s\\S]*?)\\n *\`\`\`$`, "gm"))].map((block) =>
        block[2]!.split("\n").map((l) => l.slice(Math.min(block[1]!.length, /^ */.exec(l)![0].length))).join("\n"));
}

/** The README's TypeScript blocks by the path their first line names (`// services/billing/service.ts`). */
function readmeTypeScript(): Map<string, string> {
    return new Map(readmeBlocks("ts").map((text) => {
        const named = /^\/\/ (\S+\.ts)$/m.exec(text.split("\n")[0]!);
        if (named === null) throw new Error(`a README ts block does not start with // <path>.ts, the file it shows:\n${text.slice(0, 200)}`);
        return [join(root, named[1]!), text];
    }));
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
    const readmeFiles = readmeTypeScript();
    const virtual = new Map<string, string>([[brokenPath, broken], ...readmeFiles]);
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

    it("compiles every TypeScript block of the README: the billing declaration and the typed-env example over it", () => {
        expect(readmeFiles.has(readmeServicePath)).toBe(true);
        expect(virtual.get(readmeWorkerPath)).toContain("EnvOf<typeof declaration");
        expect([...readmeFiles.keys()].flatMap((file) => diagnosticsOf(program, file).map((d) => `${file}:${d.line + 1}: ${d.code} ${d.message}`))).toEqual([]);
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

describe("the README's other code blocks", () => {
    it("has YAML blocks that parse", () => {
        const blocks = readmeBlocks("yaml");
        expect(blocks.length).toBeGreaterThan(0);
        for (const block of blocks) expect(() => parseYaml(block), block).not.toThrow();
    });

    it("names only npm scripts that exist in its shell blocks", () => {
        const scripts = Object.keys((JSON.parse(readFileSync(join(root, "package.json"), "utf8")) as { scripts: Record<string, string> }).scripts);
        const named = readmeBlocks("sh").flatMap((block) => [...block.matchAll(/npm run ([\w:-]+)/g)].map((m) => m[1]!));
        expect(named.length).toBeGreaterThan(0);
        expect(named.filter((script) => !scripts.includes(script))).toEqual([]);
    });
});
