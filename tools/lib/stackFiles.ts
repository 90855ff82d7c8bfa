/**
 * Reads `Pulumi.yaml` and `Pulumi.<stack>.yaml` and produces the config the engine would pass to the
 * program: `project:key` → string (objects and arrays as JSON, scalars as text) and the list of secret
 * keys. Values stored as `secure:` cannot be decrypted offline; each becomes a fixed placeholder and its
 * top-level key is marked secret, as the engine marks keys with encrypted values.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { parse } from "yaml";
import { ValidationError, type ValidationIssue } from "../../components/validation";
import { MONITORING_KEY, plainSecretIssue, SECRETS_KEY } from "../../infra/config";
import { monitoringSecretPaths } from "../../components/cloudflare/monitoring/monitoringSettings";
import { readUserFile } from "./files";

/** The parts of Pulumi.yaml the offline tools use. */
export interface ProjectFile {
    /** Project name, also the namespace of its own config keys. */
    readonly name: string;
    /** Program entry, relative to the project directory. @default "index.ts" */
    readonly main: string;
    /** Declared project config keys with their defaults (`config:` section). */
    readonly configDefaults: Readonly<Record<string, unknown>>;
}

/** Config as the engine passes it (`PULUMI_CONFIG` and `PULUMI_CONFIG_SECRET_KEYS`). */
export interface EngineConfig {
    readonly config: Record<string, string>;
    readonly secretKeys: string[];
}

/** The text that stands in for a `secure:` value offline; never a real secret. */
export const SECRET_PLACEHOLDER = "offline-plan-placeholder-for-an-encrypted-config-value";

/**
 * @throws {ValidationError} when Pulumi.yaml is missing, not YAML, or lacks a name.
 */
export function readProjectFile(projectDir: string): ProjectFile {
    const file = path.join(projectDir, "Pulumi.yaml");
    const doc = readYaml(file, "Pulumi.yaml") as Record<string, unknown>;
    if (typeof doc.name !== "string" || doc.name === "") {
        throw new ValidationError("project file", [{ path: "Pulumi.yaml:name", message: "expected the project name, a non-empty string" }]);
    }
    const configDefaults: Record<string, unknown> = {};
    const declared = (doc.config ?? {}) as Record<string, unknown>;
    for (const [key, spec] of Object.entries(declared)) {
        const value = typeof spec === "object" && spec !== null ? (spec as { default?: unknown; value?: unknown }).default ?? (spec as { value?: unknown }).value : spec;
        if (value !== undefined) configDefaults[key.includes(":") ? key : `${doc.name}:${key}`] = value;
    }
    return { name: doc.name, main: typeof doc.main === "string" ? doc.main : "index.ts", configDefaults };
}

/**
 * Loads `Pulumi.<stack>.yaml` from `projectDir` (with Pulumi.yaml defaults beneath it).
 * @throws {ValidationError} when the stack file is missing or malformed, naming the file and key.
 */
export function readStackConfig(projectDir: string, project: ProjectFile, stack: string): EngineConfig {
    const fileName = `Pulumi.${stack}.yaml`;
    const doc = readYaml(path.join(projectDir, fileName), fileName);
    if (typeof doc !== "object" || doc === null || Array.isArray(doc)) {
        throw new ValidationError(`stack file ${fileName}`, [{ path: fileName, message: `expected a mapping with a config: key, got ${Array.isArray(doc) ? "a list" : `a ${typeof doc}`}` }]);
    }
    const raw = (doc as { config?: unknown }).config ?? {};
    if (typeof raw !== "object" || raw === null || Array.isArray(raw)) {
        throw new ValidationError(`stack file ${fileName}`, [{ path: `${fileName}:config`, message: "expected a mapping of config keys" }]);
    }
    const config: Record<string, string> = {};
    const secretKeys = new Set<string>();
    const issues: ValidationIssue[] = [];
    for (const [key, value] of Object.entries(project.configDefaults)) {
        config[key] = encode(value);
    }
    for (const [key, value] of Object.entries(raw as Record<string, unknown>)) {
        const fullKey = key.includes(":") ? key : `${project.name}:${key}`;
        const { plain, secret } = decrypt(value);
        config[fullKey] = encode(plain);
        if (secret) secretKeys.add(fullKey);
        // Offline each value is seen on its own, where the engine only marks the key: every one must be `secure:`.
        if (fullKey === SECRETS_KEY) issues.push(...plainLeaves(value).map((leaf) => plainSecretIssue(leaf)));
        // The secret fields of `platform:monitoring` likewise (webhook secrets, Logpush credentials).
        if (fullKey === MONITORING_KEY) {
            issues.push(...monitoringSecretPaths(value).filter((at) => !isSecure(valueAt(value, at))).map((at) => plainSecretIssue(at, MONITORING_KEY)));
        }
    }
    if (issues.length > 0) throw new ValidationError(`stack file ${fileName}`, issues);
    return { config, secretKeys: [...secretKeys].sort() };
}

/** Paths of the values below `value` that are not `{ secure: ... }`. */
function plainLeaves(value: unknown, at: readonly string[] = []): string[][] {
    if (isSecure(value)) return [];
    if (Array.isArray(value)) return value.flatMap((item, i) => plainLeaves(item, [...at, String(i)]));
    if (typeof value === "object" && value !== null) return Object.entries(value).flatMap(([k, v]) => plainLeaves(v, [...at, k]));
    return [[...at]];
}

/** The value at `at` below `value` (object keys), undefined when a step is missing. */
function valueAt(value: unknown, at: readonly string[]): unknown {
    return at.reduce<unknown>((v, key) => (typeof v === "object" && v !== null ? (v as Record<string, unknown>)[key] : undefined), value);
}

function isSecure(value: unknown): boolean {
    if (typeof value !== "object" || value === null || Array.isArray(value)) return false;
    const entries = Object.entries(value);
    return entries.length === 1 && entries[0]![0] === "secure" && typeof entries[0]![1] === "string";
}

function readYaml(file: string, label: string): unknown {
    const read = readUserFile(file);
    if ("problem" in read) throw new ValidationError("project files", [{ path: label, message: read.problem } satisfies ValidationIssue]);
    try {
        return parse(read.text) ?? {};
    } catch (error) {
        throw new ValidationError("project files", [{ path: label, message: `not valid YAML: ${(error as Error).message.split("\n")[0]}` }]);
    }
}

/** Replaces every `{ secure: ... }` leaf with the placeholder and says whether any was found. */
function decrypt(value: unknown): { plain: unknown; secret: boolean } {
    if (Array.isArray(value)) {
        const items = value.map(decrypt);
        return { plain: items.map((i) => i.plain), secret: items.some((i) => i.secret) };
    }
    if (typeof value === "object" && value !== null) {
        const entries = Object.entries(value as Record<string, unknown>);
        if (isSecure(value)) return { plain: SECRET_PLACEHOLDER, secret: true };
        let secret = false;
        const plain: Record<string, unknown> = {};
        for (const [k, v] of entries) {
            const inner = decrypt(v);
            plain[k] = inner.plain;
            secret ||= inner.secret;
        }
        return { plain, secret };
    }
    return { plain: value, secret: false };
}

/** The engine passes strings as they are and everything else as JSON. */
function encode(value: unknown): string {
    return typeof value === "string" ? value : JSON.stringify(value);
}
