/**
 * Policy config (pkg/resource/analyzer/config.go): the stack's `--policy-pack-config`, reconciled with the
 * pack's defaults and initial config and validated against each policy's `configSchema`, as the engine does.
 */
import Ajv, { type ErrorObject } from "ajv";
import type { EnforcementLevel, Severity } from "../policyResult";
import { UserError } from "../../../components/validation";

/**
 * The stack's policy config in the CLI's `--policy-pack-config` JSON format: per policy name, either an
 * enforcement level or an object with an optional `enforcementLevel` and the policy's settings. The key
 * `"all"` sets the level of every policy.
 * @example { "all": "advisory", "script-budget": { "enforcementLevel": "mandatory", "maxScripts": 4 } }
 */
export type PolicyPackConfig = Readonly<Record<string, EnforcementLevel | Readonly<Record<string, unknown>>>>;

/** The stack's policy config is invalid for this pack; `issues` lists every problem, each headed by its path. */
export class PolicyConfigError extends UserError {
    readonly issues: readonly string[];
    constructor(pack: string, issues: readonly string[]) {
        super(`Invalid policy config for policy pack ${pack}:\n${issues.map((i) => `  ${i}`).join("\n")}`);
        this.name = "PolicyConfigError";
        this.issues = issues;
    }
}

const LEVELS: readonly EnforcementLevel[] = ["advisory", "mandatory", "remediate", "disabled"];

/** A policy as `GetAnalyzerInfo` describes it, with its JSON Schema as the engine builds it. */
export interface PackPolicy {
    readonly name: string;
    readonly displayName: string;
    readonly description: string;
    readonly enforcementLevel: EnforcementLevel;
    readonly severity: Severity | undefined;
    readonly remediationSteps: string;
    readonly url: string;
    readonly tags: readonly string[];
    readonly type: "resource" | "stack" | "unknown";
    /** The pack's own `configSchema` (`properties`, `required`), if it declared one. */
    readonly configSchema: { readonly properties: Record<string, Record<string, unknown>>; readonly required: readonly string[] } | undefined;
}

/** One policy's config: its level and settings. */
export interface PolicyConfigEntry {
    readonly enforcementLevel: EnforcementLevel | "";
    readonly properties: Readonly<Record<string, unknown>>;
}

/** The outcome of {@link reconcilePolicyConfig}. */
export interface ReconciledPolicyConfig {
    /** Config per key, as the engine sends it to `Configure` (unknown keys included, as the engine does). */
    readonly config: ReadonlyMap<string, PolicyConfigEntry>;
    /** Every problem, each headed by `<policy>` or `<policy>.<property>`; empty when valid. */
    readonly issues: readonly string[];
    /** Keys that name no policy of the pack (the engine passes them on silently). */
    readonly warnings: readonly string[];
}

/**
 * Mirrors `parsePolicyPackConfig` + `ReconcilePolicyPackConfig` + `validatePolicyPackConfig`: start from each
 * policy's level and its schema's top-level `default`s, apply the pack's initial config, then the given
 * config (`"all"` first sets every level), and validate each policy's settings against its schema. Unlike
 * the engine, which stops at the first parse error, every problem is collected.
 */
export function reconcilePolicyConfig(
    policies: readonly PackPolicy[],
    initialConfig: ReadonlyMap<string, PolicyConfigEntry>,
    given: PolicyPackConfig,
): ReconciledPolicyConfig {
    const issues: string[] = [];
    const parsed = parsePolicyConfig(given, issues);
    let result = new Map<string, PolicyConfigEntry>();
    for (const policy of policies) {
        const defaults: Record<string, unknown> = {};
        for (const [key, schema] of Object.entries(policy.configSchema?.properties ?? {})) {
            if ("default" in schema) defaults[key] = schema.default;
        }
        result.set(policy.name, { enforcementLevel: policy.enforcementLevel, properties: defaults });
    }
    result = applyConfig(result, initialConfig);
    result = applyConfig(result, parsed);

    const names = new Set(policies.map((p) => p.name));
    const warnings: string[] = [];
    for (const [key, entry] of result) {
        if (key === "all" || names.has(key)) continue;
        if (entry.enforcementLevel === "") {
            issues.push(`${key}: the pack has no policy named "${key}" and no enforcementLevel is given (the engine fails Configure with 'invalid enforcement level ""')`);
        } else {
            warnings.push(`policy config names "${key}", which is not a policy of the pack; it has no effect`);
        }
    }
    for (const policy of policies) {
        issues.push(...validatePolicySettings(policy, result.get(policy.name)?.properties ?? {}));
    }
    return { config: result, issues, warnings };
}

function parsePolicyConfig(given: PolicyPackConfig, issues: string[]): Map<string, PolicyConfigEntry> {
    const result = new Map<string, PolicyConfigEntry>();
    for (const [key, value] of Object.entries(given)) {
        let level: EnforcementLevel | "" = "";
        let properties: Record<string, unknown> = {};
        if (typeof value === "string") {
            if (!isLevel(value)) {
                issues.push(`${key}: expected an enforcement level (${LEVELS.join(", ")}), got ${JSON.stringify(value)}`);
                continue;
            }
            level = value;
        } else if (typeof value === "object" && value !== null && !Array.isArray(value)) {
            const { enforcementLevel, ...rest } = value as Record<string, unknown>;
            if (enforcementLevel !== undefined) {
                if (typeof enforcementLevel !== "string" || !isLevel(enforcementLevel)) {
                    issues.push(`${key}.enforcementLevel: expected one of ${LEVELS.join(", ")}, got ${JSON.stringify(enforcementLevel)}`);
                    continue;
                }
                level = enforcementLevel;
            }
            properties = rest;
        } else {
            issues.push(`${key}: expected an enforcement level or an object of settings, got ${JSON.stringify(value)}`);
            continue;
        }
        // parsePolicyPackConfig: "Don't bother including empty configs."
        if (level === "" && Object.keys(properties).length === 0) continue;
        result.set(key, { enforcementLevel: level, properties });
    }
    return result;
}

/** `applyConfig`: `"all"` sets every existing level, then each key merges its level and settings. */
function applyConfig(result: Map<string, PolicyConfigEntry>, apply: ReadonlyMap<string, PolicyConfigEntry>): Map<string, PolicyConfigEntry> {
    const next = new Map(result);
    const all = apply.get("all");
    if (all !== undefined && all.enforcementLevel !== "") {
        for (const [key, entry] of next) next.set(key, { enforcementLevel: all.enforcementLevel, properties: entry.properties });
    }
    for (const [key, entry] of apply) {
        const current = next.get(key);
        next.set(key, {
            enforcementLevel: entry.enforcementLevel !== "" ? entry.enforcementLevel : current?.enforcementLevel ?? "",
            properties: { ...current?.properties, ...entry.properties },
        });
    }
    return next;
}

let ajv: Ajv | undefined;

/**
 * `validatePolicyConfig`: the schema is `{ type: object, properties, required }`, plus the `enforcementLevel`
 * property the engine injects into every schema of a pack that supports config.
 */
function validatePolicySettings(policy: PackPolicy, settings: Readonly<Record<string, unknown>>): string[] {
    // No settings and nothing required: valid against any such schema (its properties constrain only the keys
    // present), so nothing to compile (each compiled schema costs about 2 ms).
    if (Object.keys(settings).length === 0 && !policy.configSchema?.required.length) return [];
    const schema = {
        type: "object",
        properties: {
            ...policy.configSchema?.properties,
            enforcementLevel: { type: "string", enum: [...LEVELS] },
        },
        ...(policy.configSchema?.required.length ? { required: [...policy.configSchema.required] } : {}),
    };
    ajv ??= new Ajv({ allErrors: true, strict: false, verbose: true });
    const validate = ajv.compile(schema);
    if (validate(settings)) return [];
    return (validate.errors ?? []).map((e) => describeSchemaError(policy.name, e));
}

/** `<policy>.<property>: <what was expected>, got <value>`. */
function describeSchemaError(policy: string, error: ErrorObject): string {
    const segments = error.instancePath.split("/").slice(1).map((s) => s.replace(/~1/g, "/").replace(/~0/g, "~"));
    const params = error.params as Record<string, unknown>;
    if (error.keyword === "required") {
        return `${[policy, ...segments, String(params.missingProperty)].join(".")}: is required`;
    }
    if (error.keyword === "additionalProperties") {
        return `${[policy, ...segments, String(params.additionalProperty)].join(".")}: is not an allowed setting`;
    }
    const detail = error.keyword === "enum" ? `must be one of ${(params.allowedValues as unknown[]).map((v) => JSON.stringify(v)).join(", ")}` : error.message ?? "is invalid";
    return `${[policy, ...segments].join(".")}: ${detail}, got ${JSON.stringify(error.data)}`;
}

function isLevel(value: string): value is EnforcementLevel {
    return (LEVELS as readonly string[]).includes(value);
}
