/**
 * Reads the text of a wrangler configuration file: TOML (`wrangler.toml`, with smol-toml) or JSON with
 * comments and trailing commas (`wrangler.json`, `wrangler.jsonc`, with jsonc-parser, as wrangler itself
 * reads them). Syntax errors are reported with line, column and the key they are in. Pure.
 *
 * Stricter than wrangler where wrangler would silently read something other than what the file says: a
 * key given twice is an error naming both lines (TOML forbids it; wrangler's JSON parser keeps the last
 * one), and so are bytes that are not UTF-8. Input larger than {@link MAX_CONFIG_BYTES} or nested deeper
 * than {@link MAX_CONFIG_DEPTH} is refused with the limit in the message, before it is parsed.
 */
import { createScanner, getLocation, parseTree, printParseErrorCode, type Node, type ParseError } from "jsonc-parser";
import { parse as parseToml, TomlError } from "smol-toml";
import { ValidationError, renderPath, type ValidationIssue } from "../../validation";
import type { RawConfig } from "./environments";

/** The largest wrangler config the importer reads, in bytes: real ones have a few kilobytes (11 KB the largest of 500 public ones). */
export const MAX_CONFIG_BYTES = 1024 * 1024;
/** The deepest nesting of tables and arrays the importer reads: real configs nest 7 levels at most. */
export const MAX_CONFIG_DEPTH = 32;

/** Byte order marks of the encodings wrangler refuses (`removeBOMAndValidate`, wrangler 4.86), longest first. */
const UNSUPPORTED_BOMS: readonly { readonly bytes: readonly number[]; readonly encoding: string }[] = [
    { bytes: [0x00, 0x00, 0xfe, 0xff], encoding: "UTF-32 BE" },
    { bytes: [0xff, 0xfe, 0x00, 0x00], encoding: "UTF-32 LE" },
    { bytes: [0xfe, 0xff], encoding: "UTF-16 BE" },
    { bytes: [0xff, 0xfe], encoding: "UTF-16 LE" },
];

/**
 * The text of a wrangler config file, from its bytes, as wrangler reads it: UTF-8, a leading byte order
 * mark dropped.
 * @throws {ValidationError} for a file larger than {@link MAX_CONFIG_BYTES}, a UTF-16 or UTF-32 byte order
 *   mark (wrangler refuses those too), or bytes that are not UTF-8 (path `<file>:<line>:<column>`).
 */
export function decodeWranglerConfig(bytes: Uint8Array, fileName: string): string {
    const fail = (path: string, message: string): never => {
        throw new ValidationError(`wrangler config ${fileName}`, [{ path, message }]);
    };
    checkConfigSize(bytes.length, fileName);
    for (const bom of UNSUPPORTED_BOMS) {
        if (bytes.length >= bom.bytes.length && bom.bytes.every((b, i) => bytes[i] === b)) {
            fail(fileName, `the file is encoded as ${bom.encoding} (it starts with that byte order mark); save it as UTF-8, as wrangler requires`);
        }
    }
    try {
        return stripBom(new TextDecoder("utf-8", { fatal: true, ignoreBOM: true }).decode(bytes));
    } catch {
        const offset = firstInvalidUtf8(bytes);
        const before = new TextDecoder("utf-8", { ignoreBOM: true }).decode(bytes.subarray(0, offset));
        const { line, column } = lineColumn(before, before.length);
        return fail(`${fileName}:${line}:${column}`, `byte 0x${bytes[offset]!.toString(16).padStart(2, "0")} is not UTF-8 text; save the file as UTF-8`);
    }
}

/** The offset of the first byte that is not part of a valid UTF-8 sequence. */
function firstInvalidUtf8(bytes: Uint8Array): number {
    const decoder = new TextDecoder("utf-8", { fatal: true, ignoreBOM: true });
    let i = 0;
    while (i < bytes.length) {
        const b = bytes[i]!;
        const length = b < 0x80 ? 1 : b >= 0xc2 && b <= 0xdf ? 2 : b >= 0xe0 && b <= 0xef ? 3 : b >= 0xf0 && b <= 0xf4 ? 4 : 0;
        if (length === 0 || i + length > bytes.length) return i;
        try {
            decoder.decode(bytes.subarray(i, i + length));
        } catch {
            return i;
        }
        i += length;
    }
    return Math.max(0, bytes.length - 1);
}

function stripBom(text: string): string {
    return text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
}

/**
 * Refuses a wrangler config larger than {@link MAX_CONFIG_BYTES}.
 * @param bytes the file's size in bytes.
 * @throws {ValidationError} naming the size and the limit.
 */
export function checkConfigSize(bytes: number, fileName: string): void {
    if (bytes <= MAX_CONFIG_BYTES) return;
    throw new ValidationError(`wrangler config ${fileName}`, [{
        path: fileName,
        message: `the file has ${bytes} bytes; the importer reads wrangler configs of at most ${MAX_CONFIG_BYTES} bytes (1 MiB)`,
    }]);
}

/** The formats wrangler reads, by file extension. */
export type WranglerFormat = "toml" | "jsonc";

/**
 * The format of a wrangler config file by its name: `.toml` (also `.toml.example`, `.toml.template`
 * and the like) is TOML; `.json` and `.jsonc` are JSON with comments.
 * @returns undefined for any other name.
 */
export function wranglerFormat(fileName: string): WranglerFormat | undefined {
    const base = fileName.toLowerCase().split(/[\\/]/).pop() ?? "";
    if (/\.toml(\.[a-z]+)?$/.test(base)) return "toml";
    if (/\.jsonc?(\.[a-z]+)?$/.test(base)) return "jsonc";
    return undefined;
}

/**
 * Parses a wrangler configuration.
 * @param text the file's text.
 * @param fileName the file's name, for the format and for messages.
 * @returns the configuration object.
 * @throws {ValidationError} for an unknown extension, a syntax error (path `<file>:<line>:<column>`,
 *   message naming the key, e.g. `in key env.production.kv_namespaces: ...`) or a document that is not
 *   an object.
 */
export function parseWranglerConfig(text: string, fileName: string): RawConfig {
    const format = wranglerFormat(fileName);
    if (format === undefined) {
        throw new ValidationError(`wrangler config ${fileName}`, [{
            path: fileName,
            message: "expected a wrangler.toml, wrangler.json or wrangler.jsonc file (by extension)",
        }]);
    }
    const source = stripBom(text);
    // A character is one to three UTF-8 bytes (a surrogate pair four): count them only when it matters.
    if (source.length > MAX_CONFIG_BYTES / 3) checkConfigSize(new TextEncoder().encode(source).length, fileName);
    const parsed = format === "toml" ? parseTomlText(source, fileName) : parseJsoncText(source, fileName);
    const deep = tooDeep(parsed);
    if (deep !== undefined) {
        throw new ValidationError(`wrangler config ${fileName}`, [{ path: renderPath("", deep), message: nestedTooDeep("this key") }]);
    }
    if (typeof parsed !== "object" || parsed === null || Array.isArray(parsed)) {
        throw new ValidationError(`wrangler config ${fileName}`, [{
            path: fileName,
            message: `expected an object of configuration keys at the top level, got ${Array.isArray(parsed) ? "an array" : typeof parsed}`,
        }]);
    }
    return parsed as RawConfig;
}

/** Why a value nests too deep, for messages. */
function nestedTooDeep(what: string): string {
    return `${what} nests tables and arrays more than ${MAX_CONFIG_DEPTH} levels deep; the importer reads wrangler configs nested at most ${MAX_CONFIG_DEPTH} levels (real ones nest 7 at most)`;
}

/**
 * The path of the first value nested deeper than {@link MAX_CONFIG_DEPTH} (its first levels), or undefined.
 * Iterative, so any depth is measured without exhausting the stack.
 */
function tooDeep(value: unknown): PropertyKey[] | undefined {
    const pending: { value: unknown; path: PropertyKey[] }[] = [{ value, path: [] }];
    while (pending.length > 0) {
        const { value: node, path } = pending.pop()!;
        if (typeof node !== "object" || node === null || node instanceof Date) continue;
        if (path.length >= MAX_CONFIG_DEPTH) return path;
        const entries: [PropertyKey, unknown][] = Array.isArray(node) ? node.map((v, i) => [i, v]) : Object.entries(node);
        for (const [key, child] of entries) pending.push({ value: child, path: [...path, key] });
    }
    return undefined;
}

function parseTomlText(text: string, fileName: string): unknown {
    try {
        return parseToml(text, { maxDepth: MAX_CONFIG_DEPTH });
    } catch (error) {
        if (!(error instanceof TomlError)) throw error;
        // smol-toml's message is "Invalid TOML document: <reason>\n\n<code block>"; keep the reason.
        const reason = error.message.split("\n")[0]!.replace(/^Invalid TOML document:\s*/, "");
        const key = tomlKeyAt(text, error.line);
        const where = key === undefined ? "" : `in key ${key}: `;
        throw new ValidationError(`wrangler config ${fileName}`, [{
            path: `${fileName}:${error.line}:${error.column}`,
            message: /excessively nested/.test(reason)
                ? `${where}${nestedTooDeep("the value")}`
                : /redefine an already defined/.test(reason)
                    ? `${where}duplicate key: ${key ?? "this key or table"} is already defined above (TOML allows each key and table once; remove one of them)`
                    : `${where}invalid TOML: ${reason}`,
        }]);
    }
}

/**
 * The dotted key a TOML line belongs to: the last table header at or above it, plus the key assigned
 * on the line itself (`[env.production]` then `vars = ` gives `env.production.vars`). A best effort for
 * messages: multi-line values report the key they started in only when that line is the one named.
 */
function tomlKeyAt(text: string, line: number): string | undefined {
    const lines = text.split(/\r?\n/);
    let table: string | undefined;
    for (let i = 0; i < Math.min(line, lines.length); i++) {
        const header = /^\s*\[\[?\s*([^\]]+?)\s*\]\]?/.exec(lines[i]!);
        if (header !== null) table = header[1]!.replace(/\s*\.\s*/g, ".").replace(/"/g, "");
    }
    const current = lines[line - 1] ?? "";
    if (/^\s*\[/.test(current)) return table;
    const assigned = /^\s*([A-Za-z0-9_."'$-]+?)\s*=/.exec(current);
    const key = assigned?.[1]?.replace(/["']/g, "");
    if (key === undefined) return table;
    return table === undefined ? key : `${table}.${key}`;
}

function parseJsoncText(text: string, fileName: string): unknown {
    // jsonc-parser recurses once per level: measure the nesting first, without recursion.
    const deep = jsoncTooDeep(text);
    if (deep !== undefined) {
        const { line, column } = lineColumn(text, deep);
        throw new ValidationError(`wrangler config ${fileName}`, [{ path: `${fileName}:${line}:${column}`, message: nestedTooDeep("the value here") }]);
    }
    const errors: ParseError[] = [];
    const tree = parseTree(text, errors, { allowTrailingComma: true, disallowComments: false, allowEmptyContent: false });
    if (errors.length === 0) {
        const duplicates = { listed: [] as ValidationIssue[], count: 0 };
        const parsed = jsoncValue(tree, [], lineColumnsOf(text), fileName, duplicates);
        if (duplicates.count > 0) throw new ValidationError(`wrangler config ${fileName}`, withMore(duplicates.listed, duplicates.count, fileName, "duplicate keys"));
        return parsed;
    }
    // Each error's key costs a parse of the file: name the first few (a file of garbage has thousands).
    const issues: ValidationIssue[] = errors.slice(0, MAX_REPORTED_ERRORS).map((e) => {
        const { line, column } = lineColumn(text, e.offset);
        const keyPath = getLocation(text, e.offset).path;
        const key = keyPath.length === 0 ? undefined : renderPath("", keyPath);
        return {
            path: `${fileName}:${line}:${column}`,
            message: `${key === undefined ? "" : `in key ${key}: `}invalid JSON: ${describeJsonError(printParseErrorCode(e.error))}`,
        };
    });
    throw new ValidationError(`wrangler config ${fileName}`, withMore(issues, errors.length, fileName, "syntax errors"));
}

/** The most errors of one kind a message lists; the rest are counted. */
const MAX_REPORTED_ERRORS = 20;

/** `issues` (at most {@link MAX_REPORTED_ERRORS}), then one line counting the `total - shown` not listed. */
function withMore(issues: ValidationIssue[], total: number, fileName: string, what: string): ValidationIssue[] {
    const shown = issues.slice(0, MAX_REPORTED_ERRORS);
    return total <= shown.length ? shown : [...shown, { path: fileName, message: `${total - shown.length} more ${what} not listed` }];
}

/** The offset of the first `{` or `[` nested deeper than {@link MAX_CONFIG_DEPTH}, or undefined. */
function jsoncTooDeep(text: string): number | undefined {
    // jsonc-parser's SyntaxKind (a const enum its typings do not let isolated modules read).
    const OPEN_BRACE = 1, CLOSE_BRACE = 2, OPEN_BRACKET = 3, CLOSE_BRACKET = 4, EOF = 17;
    const scanner = createScanner(text, true);
    let depth = 0;
    for (let token = scanner.scan(); token !== EOF; token = scanner.scan()) {
        if (token === OPEN_BRACE || token === OPEN_BRACKET) {
            if (++depth > MAX_CONFIG_DEPTH) return scanner.getTokenOffset();
        } else if (token === CLOSE_BRACE || token === CLOSE_BRACKET) {
            depth = Math.max(0, depth - 1);
        }
    }
    return undefined;
}

/**
 * The value of a JSON parse tree, every key an own property (`__proto__` too, which plain assignment would
 * turn into the object's prototype), and an issue for each key an object already has (wrangler's parser
 * keeps the last one silently, so the file does not say what is deployed): every one counted, the first
 * {@link MAX_REPORTED_ERRORS} listed.
 */
function jsoncValue(
    node: Node | undefined,
    path: readonly PropertyKey[],
    position: (offset: number) => { line: number; column: number },
    fileName: string,
    duplicates: { listed: ValidationIssue[]; count: number },
): unknown {
    if (node === undefined) return undefined;
    if (node.type === "array") return (node.children ?? []).map((child, i) => jsoncValue(child, [...path, i], position, fileName, duplicates));
    if (node.type !== "object") return node.value;
    const out: Record<string, unknown> = {};
    const first = new Map<string, Node>();
    for (const property of node.children ?? []) {
        const [keyNode, valueNode] = property.children ?? [];
        if (keyNode === undefined) continue;
        const key = String(keyNode.value);
        const earlier = first.get(key);
        if (earlier !== undefined) {
            if (++duplicates.count > MAX_REPORTED_ERRORS) continue;
            const { line, column } = position(keyNode.offset);
            duplicates.listed.push({
                path: `${fileName}:${line}:${column}`,
                message: `duplicate key: ${renderPath("", [...path, key])} is already defined on line ${position(earlier.offset).line} ` +
                    "(wrangler would silently keep the last one); remove one of them",
            });
            continue;
        }
        first.set(key, keyNode);
        Object.defineProperty(out, key, { value: jsoncValue(valueNode, [...path, key], position, fileName, duplicates), enumerable: true, writable: true, configurable: true });
    }
    return out;
}

/** jsonc-parser's codes (`CommaExpected`) as words (`comma expected`). */
function describeJsonError(code: string): string {
    return code.replace(/([a-z])([A-Z])/g, "$1 $2").toLowerCase();
}

/** 1-based line and column of a character offset. */
function lineColumn(text: string, offset: number): { line: number; column: number } {
    return lineColumnsOf(text)(offset);
}

/** {@link lineColumn} for many offsets of one text: the line starts are found once. */
function lineColumnsOf(text: string): (offset: number) => { line: number; column: number } {
    const starts = [0];
    for (let i = text.indexOf("\n"); i >= 0; i = text.indexOf("\n", i + 1)) starts.push(i + 1);
    return (offset) => {
        let low = 0;
        let high = starts.length - 1;
        while (low < high) {
            const mid = (low + high + 1) >> 1;
            if (starts[mid]! <= offset) low = mid;
            else high = mid - 1;
        }
        return { line: low + 1, column: offset - starts[low]! + 1 };
    };
}
