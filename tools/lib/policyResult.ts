/**
 * The outcome of running a policy pack over a stack, as the engine collects it from the analyzer
 * protocol (`AnalyzeResponse.diagnostics`, `AnalyzerInfo.policies`). Shared by the analyzer client and
 * the report writers.
 */

/** Enforcement levels of `@pulumi/policy`. */
export type EnforcementLevel = "advisory" | "mandatory" | "remediate" | "disabled";
/** Severities of `@pulumi/policy`. */
export type Severity = "low" | "medium" | "high" | "critical";

/** A policy as the pack describes it (`GetAnalyzerInfo`), after the stack's config is applied. */
export interface PolicyInfo {
    /** Kebab-case policy name, unique in the pack. */
    readonly name: string;
    readonly displayName?: string;
    /** One sentence: what it checks. */
    readonly description: string;
    /** Level in force for this run (the pack default, overridden by the stack's policy config). */
    readonly enforcementLevel: EnforcementLevel;
    readonly severity?: Severity;
    /** How to fix a violation. */
    readonly remediationSteps?: string;
    /** Documentation of the vendor rule, if any. */
    readonly url?: string;
    readonly tags?: readonly string[];
    /** JSON Schema of the policy's settings, if it takes any. */
    readonly configSchema?: Record<string, unknown>;
}

/** One violation, from `Analyze` (one resource) or `AnalyzeStack` (any resource, or the stack). */
export interface PolicyViolation {
    readonly policyName: string;
    readonly policyPackName: string;
    readonly policyPackVersion: string;
    readonly enforcementLevel: EnforcementLevel;
    readonly severity?: Severity;
    /** The offending resource; absent for a stack-wide violation. */
    readonly urn?: string;
    /** The violation message the policy reported. */
    readonly message: string;
    /** The policy's description. */
    readonly description: string;
    readonly remediationSteps?: string;
    readonly url?: string;
}

/** Everything a run produced. */
export interface PolicyRunResult {
    readonly pack: { readonly name: string; readonly version: string; readonly displayName?: string };
    /** Every policy of the pack with its level in force. */
    readonly policies: readonly PolicyInfo[];
    /** Violations in a stable order: by URN, then policy name, then message. */
    readonly violations: readonly PolicyViolation[];
}
