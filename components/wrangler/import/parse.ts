/**
 * Reads the text of a wrangler configuration file: TOML (`wrangler.toml`, with smol-toml) or JSON with
 * comments and trailing commas (`wrangler.json`, `wrangler.jsonc`, with jsonc-parser, as wrangler itself
 * reads them). Syntax errors are reported with line, column and the key they are in. Pure.
 */
import { getLocation, parse as parseJsonc, printParseErrorCode, type ParseError } from "jsonc-parser";
import { parse as parseToml, TomlError } from "smol-toml";
import { ValidationError, renderPath, type ValidationIssue } from "../../validation";
import type { RawConfig } from "./environments";

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
    const parsed = format === "toml" ? parseTomlText(text, fileName) : parseJsoncText(text, fileName);
    if (typeof parsed !== "object" || parsed === null || Array.isArray(parsed)) {
        throw new ValidationError(`wrangler config ${fileName}`, [{
            path: fileName,
            message: `expected an object of configuration keys at the top level, got ${Array.isArray(parsed) ? "an array" : typeof parsed}`,
        }]);
    }
    return parsed as RawConfig;
}

function parseTomlText(text: string, fileName: string): unknown {
    try {
        return parseToml(text);
    } catch (error) {
        if (!(error instanceof TomlError)) throw error;
        // smol-toml's message is "Invalid TOML document: <reason>\n\n<code block>"; keep the reason.
        const reason = error.message.split("\n")[0]!.replace(/^Invalid TOML document:\s*/, "");
        const key = tomlKeyAt(text, error.line);
        throw new ValidationError(`wrangler config ${fileName}`, [{
            path: `${fileName}:${error.line}:${error.column}`,
            message: `${key === undefined ? "" : `in key ${key}: `}invalid TOML: ${reason}`,
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
    const errors: ParseError[] = [];
    const parsed: unknown = parseJsonc(text, errors, { allowTrailingComma: true, disallowComments: false, allowEmptyContent: false });
    if (errors.length === 0) return parsed;
    const issues: ValidationIssue[] = errors.map((e) => {
        const { line, column } = lineColumn(text, e.offset);
        const keyPath = getLocation(text, e.offset).path;
        const key = keyPath.length === 0 ? undefined : renderPath("", keyPath);
        return {
            path: `${fileName}:${line}:${column}`,
            message: `${key === undefined ? "" : `in key ${key}: `}invalid JSON: ${describeJsonError(printParseErrorCode(e.error))}`,
        };
    });
    throw new ValidationError(`wrangler config ${fileName}`, issues);
}

/** jsonc-parser's codes (`CommaExpected`) as words (`comma expected`). */
function describeJsonError(code: string): string {
    return code.replace(/([a-z])([A-Z])/g, "$1 $2").toLowerCase();
}

/** 1-based line and column of a character offset. */
function lineColumn(text: string, offset: number): { line: number; column: number } {
    const before = text.slice(0, offset);
    const line = before.split("\n").length;
    const column = offset - before.lastIndexOf("\n");
    return { line, column };
}
