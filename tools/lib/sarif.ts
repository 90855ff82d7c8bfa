/**
 * The `--sarif <file>` report: a policy run as a SARIF 2.1.0 log that GitHub code scanning accepts.
 *
 * Sources for every choice below:
 * - SARIF 2.1.0 (OASIS Standard): https://docs.oasis-open.org/sarif/sarif/v2.1.0/sarif-v2.1.0.html
 * - GitHub's subset and its extra properties ("SARIF support for code scanning"):
 *   https://docs.github.com/en/code-security/code-scanning/integrating-with-code-scanning/sarif-support-for-code-scanning
 *   (cited below as "GitHub").
 *
 * Shape: one run; `tool.driver` is the policy pack with one rule per policy (rule id = policy name);
 * one result per violation, located in the repository (GitHub shows only results with a physical
 * location) and carrying the resource URN as a logical location.
 */
import { createHash } from "node:crypto";
import { ValidationError, type ValidationIssue } from "../../components/validation";
import type { EnforcementLevel, PolicyInfo, PolicyRunResult, PolicyViolation, Severity } from "./policyResult";
import { effectiveLevel, parseUrn, reportedMessage } from "./policyReport";

/** A place in the repository a result points at. */
export interface SourceLocation {
    /** Path relative to the repository root, with `/` separators (`services/api/service.ts`). */
    readonly uri: string;
    /** 1-based line of the declaration. @default 1 */
    readonly startLine?: number;
}

/** Options of {@link toSarif}. */
export interface SarifOptions {
    /** Stack the policies ran against (`production`); names the analysis category and the default location. */
    readonly stack: string;
    /**
     * Repository-relative path of the stack settings file, where results without a better location point.
     * @default `Pulumi.${stack}.yaml`
     */
    readonly projectFile?: string;
    /**
     * Where a resource is declared, e.g. its service's declaration file; `undefined` falls back to
     * `projectFile`. Called once per violation that has a URN.
     * @default () => undefined
     * @example { locate: (urn) => urn.includes("::api") ? { uri: "services/api/service.ts", startLine: 3 } : undefined }
     */
    readonly locate?: (urn: string) => SourceLocation | undefined;
    /**
     * `tool.driver.informationUri`: documentation of the tool.
     * @default "https://www.pulumi.com/docs/iac/crossguard/"
     */
    readonly informationUri?: string;
}

/** The subset of the SARIF 2.1.0 object model this writer produces (names as in the spec). */
export interface SarifLog {
    readonly $schema: string;
    readonly version: "2.1.0";
    readonly runs: SarifRun[];
}
/** One run of the analysis: the pack, its rules and its results. */
export interface SarifRun {
    readonly tool: { readonly driver: SarifDriver };
    readonly automationDetails: { readonly id: string };
    readonly originalUriBaseIds: Record<string, { readonly description: SarifMessage }>;
    readonly results: SarifResult[];
}
/** `tool.driver`: the policy pack as the analysis tool. */
export interface SarifDriver {
    readonly name: string;
    readonly version: string;
    readonly semanticVersion?: string;
    readonly informationUri: string;
    readonly rules: SarifRule[];
}
/** The SARIF levels this writer uses (SARIF also has `none`, which GitHub does not accept for rules). */
export type SarifLevel = "error" | "warning" | "note";
/** A `reportingDescriptor`: one policy. */
export interface SarifRule {
    readonly id: string;
    readonly name: string;
    readonly shortDescription: SarifMessage;
    readonly fullDescription: SarifMessage;
    readonly help: { readonly text: string; readonly markdown: string };
    readonly helpUri?: string;
    readonly defaultConfiguration: { readonly level: SarifLevel; readonly enabled?: boolean };
    readonly properties: {
        readonly tags: string[];
        readonly precision: "very-high";
        readonly "problem.severity": "error" | "warning" | "recommendation";
        readonly "security-severity"?: string;
        readonly enforcementLevel: EnforcementLevel;
    };
}
/** A plain-text `message`. */
export interface SarifMessage { readonly text: string }
/** One violation. */
export interface SarifResult {
    readonly ruleId: string;
    readonly ruleIndex: number;
    readonly level: SarifLevel;
    readonly message: SarifMessage;
    readonly locations: SarifLocation[];
    readonly partialFingerprints: Record<string, string>;
    readonly properties: {
        readonly policyPack: string;
        readonly policyPackVersion: string;
        readonly enforcementLevel: EnforcementLevel;
        readonly severity?: Severity;
    };
}
/** Where a violation is: a file and line in the repository, and the resource. */
export interface SarifLocation {
    readonly physicalLocation: {
        readonly artifactLocation: { readonly uri: string; readonly uriBaseId: string };
        readonly region: { readonly startLine: number };
    };
    readonly logicalLocations: { readonly name: string; readonly fullyQualifiedName: string; readonly kind: string }[];
}

/** The `$schema` GitHub's examples use for SARIF 2.1.0 (GitHub, `sarifLog` object). */
export const SARIF_SCHEMA_URI = "https://json.schemastore.org/sarif-2.1.0.json";

/**
 * `properties.security-severity` per declared severity. GitHub reads the score as: over 9.0 critical,
 * 7.0–8.9 high, 4.0–6.9 medium, 0.1–3.9 low, anything else none (GitHub, `reportingDescriptor`
 * object); each value sits inside its band, clear of the edges.
 */
export const SECURITY_SEVERITY: Readonly<Record<Severity, string>> = { critical: "9.5", high: "8.0", medium: "5.5", low: "2.0" };

/**
 * The base id relative URIs are resolved against: the repository root. GitHub resolves relative
 * paths against the repository root (GitHub, "Specifying the root for source files"); SARIF has a
 * relative `artifactLocation.uri` name its base with `uriBaseId`, declared in `run.originalUriBaseIds`
 * (GitHub, "Relative URI Guidance for SARIF Producers"). The root's absolute URI is machine-specific,
 * so the declaration carries only a description.
 */
const SRCROOT = "%SRCROOT%";
/** GitHub limits short and full descriptions to 1024 characters (GitHub, `reportingDescriptor` object). */
const DESCRIPTION_LIMIT = 1024;

/**
 * Converts a policy run to a SARIF 2.1.0 log for GitHub code scanning.
 *
 * - Rules: one per policy of the pack, in the pack's order, then one per policy named only by a
 *   violation. `defaultConfiguration.level` from the level in force: mandatory and remediate → `error`
 *   (a remediate violation counts as mandatory), advisory → `warning`, disabled → `note` with
 *   `enabled: false` (GitHub accepts only `note`, `warning`, `error` there). A policy that declares a
 *   severity gets `security-severity` ({@link SECURITY_SEVERITY}) and the `security` tag: GitHub defines
 *   the score for rules tagged `security` and treats any rule that has one as a security rule.
 * - Results: one per violation, in the result's order; `level` from the violation's level, the message
 *   the policy reported, the physical location from `options.locate` or line 1 of `projectFile`, and the
 *   URN (or the root stack for a stack-wide violation) as a logical location.
 * - `partialFingerprints`: see {@link violationFingerprint}; GitHub only reads `primaryLocationLineHash`.
 * - `automationDetails.id` is `pulumi-policy/<stack>/`, so the SARIF of each stack is its own analysis
 *   category and uploading one stack's file does not close the alerts of another (GitHub,
 *   "Uploading more than one SARIF file for a commit").
 *
 * @throws {ValidationError} listing every bad option: an empty `stack`, a `projectFile` or `locate`
 *   answer whose `uri` is empty or absolute, a `startLine` that is not a positive integer, an
 *   `informationUri` that is not an absolute URL.
 */
export function toSarif(result: PolicyRunResult, options: SarifOptions): SarifLog {
    const issues: ValidationIssue[] = [];
    if (options.stack.trim() === "") issues.push({ path: "options.stack", message: `expected a stack name, got ${JSON.stringify(options.stack)}` });
    const projectFile = options.projectFile ?? `Pulumi.${options.stack}.yaml`;
    checkUri("options.projectFile", projectFile, issues);
    const informationUri = options.informationUri ?? "https://www.pulumi.com/docs/iac/crossguard/";
    if (!isAbsoluteUrl(informationUri)) issues.push({ path: "options.informationUri", message: `expected an absolute URL, got ${JSON.stringify(informationUri)}` });

    const rules = buildRules(result);
    const ruleIndex = new Map(rules.map((r, i) => [r.id, i]));
    const results = result.violations.map((v, i): SarifResult => {
        const located = v.urn === undefined ? undefined : options.locate?.(v.urn);
        if (located !== undefined) {
            checkUri(`options.locate(violations[${i}].urn).uri`, located.uri, issues);
            if (located.startLine !== undefined && !(Number.isInteger(located.startLine) && located.startLine >= 1)) {
                issues.push({ path: `options.locate(violations[${i}].urn).startLine`, message: `expected a line number (an integer from 1), got ${located.startLine}` });
            }
        }
        const level = effectiveLevel(v);
        return {
            ruleId: v.policyName,
            ruleIndex: ruleIndex.get(v.policyName) ?? 0,
            level: sarifLevel(level),
            message: { text: reportedMessage(v) },
            locations: [{
                physicalLocation: {
                    artifactLocation: { uri: toUri(located?.uri ?? projectFile), uriBaseId: SRCROOT },
                    region: { startLine: located?.startLine ?? 1 },
                },
                logicalLocations: [logicalLocation(v, options.stack)],
            }],
            partialFingerprints: violationFingerprint(v, options.stack),
            properties: {
                policyPack: v.policyPackName,
                policyPackVersion: v.policyPackVersion,
                enforcementLevel: level,
                ...(v.severity === undefined ? {} : { severity: v.severity }),
            },
        };
    });
    if (issues.length > 0) throw new ValidationError("SARIF options", issues);

    const version = result.pack.version;
    return {
        $schema: SARIF_SCHEMA_URI,
        version: "2.1.0",
        runs: [{
            tool: {
                driver: {
                    name: result.pack.name,
                    version,
                    ...(SEMVER.test(version) ? { semanticVersion: version } : {}),
                    informationUri,
                    rules,
                },
            },
            automationDetails: { id: `pulumi-policy/${options.stack}/` },
            originalUriBaseIds: { [SRCROOT]: { description: { text: "The root of the repository that holds Pulumi.yaml." } } },
            results,
        }],
    };
}

/**
 * Fingerprints that identify a violation across runs, so GitHub matches it to its existing alert
 * instead of opening a duplicate (GitHub, "Providing data to track code scanning alerts across runs";
 * SARIF, `result.partialFingerprints`: "strings that contribute to the stable, unique identity of the
 * result").
 *
 * Identity is the policy name, the resource URN (`stack:<stack>` for a stack-wide violation) and the
 * reported message with its volatile parts masked: timestamps, UUIDs and hex ids of 16+ digits (ids
 * that are unknown in a preview and known after an update), with whitespace collapsed. Never line
 * numbers, file paths, times, or the pack version, so moving a declaration or releasing the pack keeps
 * the alert.
 *
 * GitHub reads only `primaryLocationLineHash` (GitHub, `result` object). Every result points at a file
 * and line that many resources share, so a hash of that line would merge unrelated violations: the key
 * holds this identity hash instead, in the `<16 hex>:<n>` shape codeql-action writes. The full SHA-256
 * is kept under `pulumiPolicyViolation/v1` (SARIF's `<type>/v<version>` naming) for other consumers.
 * @returns `{ primaryLocationLineHash, "pulumiPolicyViolation/v1" }`.
 */
export function violationFingerprint(violation: PolicyViolation, stack: string): Record<string, string> {
    const identity = [violation.policyName, violation.urn ?? `stack:${stack}`, stableMessage(reportedMessage(violation))];
    const digest = createHash("sha256").update(JSON.stringify(identity)).digest("hex");
    return { primaryLocationLineHash: `${digest.slice(0, 16)}:1`, "pulumiPolicyViolation/v1": digest };
}

const SEMVER = /^\d+\.\d+\.\d+(?:-[0-9A-Za-z.-]+)?(?:\+[0-9A-Za-z.-]+)?$/;

function buildRules(result: PolicyRunResult): SarifRule[] {
    const rules = result.policies.map(rule);
    const known = new Set(rules.map((r) => r.id));
    // A policy can report under another name (`reportViolation({ name, … })`): describe it from the violation.
    const extra = new Map<string, PolicyInfo>();
    for (const v of result.violations) {
        if (known.has(v.policyName) || extra.has(v.policyName)) continue;
        extra.set(v.policyName, {
            name: v.policyName,
            description: v.description,
            enforcementLevel: v.enforcementLevel,
            ...(v.severity === undefined ? {} : { severity: v.severity }),
            ...(v.remediationSteps === undefined ? {} : { remediationSteps: v.remediationSteps }),
            ...(v.url === undefined ? {} : { url: v.url }),
        });
    }
    return [...rules, ...[...extra.keys()].sort().map((name) => rule(extra.get(name)!))];
}

function rule(policy: PolicyInfo): SarifRule {
    const description = policy.description.trim() === "" ? policy.name : policy.description.trim();
    const level: EnforcementLevel = policy.enforcementLevel === "remediate" ? "mandatory" : policy.enforcementLevel;
    const helpUri = policy.url !== undefined && isAbsoluteUrl(policy.url) ? policy.url : undefined;
    const text = [description, `Enforcement level: ${policy.enforcementLevel}.`];
    const markdown = [description, `**Enforcement level:** \`${policy.enforcementLevel}\``];
    if (policy.remediationSteps !== undefined) {
        text.push(`Remediation: ${policy.remediationSteps}`);
        markdown.push(`**Remediation**\n\n${policy.remediationSteps}`);
    }
    if (helpUri !== undefined) {
        text.push(`Documentation: ${helpUri}`);
        markdown.push(`[Documentation](${helpUri})`);
    }
    const tags = [...new Set([...(policy.tags ?? []), ...(policy.severity === undefined ? [] : ["security"])])];
    return {
        id: policy.name,
        name: policy.name,
        shortDescription: { text: truncate(policy.displayName ?? description) },
        fullDescription: { text: truncate(description) },
        help: { text: text.join("\n\n"), markdown: markdown.join("\n\n") },
        ...(helpUri === undefined ? {} : { helpUri }),
        defaultConfiguration: level === "disabled" ? { level: "note", enabled: false } : { level: sarifLevel(level) },
        properties: {
            tags,
            // Policies are deterministic checks of declared inputs: no false-positive rate to speak of.
            precision: "very-high",
            "problem.severity": level === "mandatory" ? "error" : level === "advisory" ? "warning" : "recommendation",
            ...(policy.severity === undefined ? {} : { "security-severity": SECURITY_SEVERITY[policy.severity] }),
            enforcementLevel: policy.enforcementLevel,
        },
    };
}

/** SARIF `result.level` / `reportingConfiguration.level` (none, note, warning, error) for an enforcement level. */
function sarifLevel(level: EnforcementLevel): SarifLevel {
    switch (level) {
        case "mandatory":
        case "remediate":
            return "error";
        case "advisory":
            return "warning";
        case "disabled":
            return "note";
    }
}

/**
 * The resource as a SARIF logical location: its name, its URN as the fully qualified name, kind
 * `resource` (one of the kinds SARIF lists for `logicalLocation.kind`); a stack-wide violation is the
 * stack, kind `module`.
 */
function logicalLocation(v: PolicyViolation, stack: string): SarifLocation["logicalLocations"][number] {
    if (v.urn === undefined) return { name: stack, fullyQualifiedName: `stack:${stack}`, kind: "module" };
    return { name: parseUrn(v.urn)?.name ?? v.urn, fullyQualifiedName: v.urn, kind: "resource" };
}

function stableMessage(message: string): string {
    return message
        .replace(/\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?(?:Z|[+-]\d{2}:?\d{2})?/g, "<time>")
        .replace(/\b[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}\b/gi, "<uuid>")
        .replace(/\b[0-9a-f]{16,}\b/gi, "<hex>")
        .replace(/\s+/g, " ")
        .trim();
}

/** Repository-relative path → URI reference: `/` separators, unsafe characters percent-encoded. */
function toUri(file: string): string {
    return encodeURI(file.replaceAll("\\", "/"));
}

function checkUri(path: string, file: string, issues: ValidationIssue[]): void {
    if (file.trim() === "") issues.push({ path, message: "expected a path relative to the repository root, got an empty string" });
    else if (/^(?:[a-z][a-z0-9+.-]*:|\/|\\)/i.test(file)) {
        issues.push({ path, message: `expected a path relative to the repository root, got ${JSON.stringify(file)}; GitHub matches alerts by repository-relative paths` });
    }
}

function isAbsoluteUrl(url: string): boolean {
    try {
        return new URL(url).protocol !== "";
    } catch {
        return false;
    }
}

function truncate(text: string): string {
    return text.length <= DESCRIPTION_LIMIT ? text : `${text.slice(0, DESCRIPTION_LIMIT - 1)}…`;
}
