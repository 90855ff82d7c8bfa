/**
 * Reports of a policy run for people and scripts: the `Policies:` block as the Pulumi CLI prints it,
 * the records written by `--json <file>`, and the exit decision (any mandatory violation fails the plan).
 * The SARIF writer is beside this file (`sarif.ts`).
 *
 * The block mirrors the CLI's progress display (pulumi/pulumi):
 * - `pkg/backend/display/progress.go`, `printPolicies`: a `Policies:` headline, then per pack
 *   `    <✅|⚠️|❌> <name>@v<version>` with ` (local: <path>)` for a pack loaded from disk; ❌ when any
 *   violation is mandatory, ⚠️ when there are only other violations, ✅ when there are none; violations
 *   sorted by enforcement level, then policy name, then URN (a stable sort); a blank line closes it.
 * - `pkg/backend/display/diff.go`, `renderDiffPolicyViolationEvent`: each violation as
 *   `        - [<level>]  <policy>  (<type>: <name>)` then its message, every line indented by 10 spaces.
 * Colors are left out: the text is what the CLI prints with `--color never`.
 */
import type { EnforcementLevel, PolicyRunResult, PolicyViolation, Severity } from "./policyResult";

/** Options of {@link renderPoliciesBlock}. */
export interface PoliciesBlockOptions {
    /**
     * Where the pack was loaded from, as given to `--policy-pack`; printed as ` (local: <packSource>)`
     * after the pack, like the CLI does for a pack on disk.
     * @default undefined (no suffix, as the CLI shows a pack enforced by Pulumi Cloud)
     * @example { packSource: "policies" }
     */
    readonly packSource?: string;
    /**
     * Project name, to name the root stack resource (`<project>-<stack>`) that a stack-wide violation
     * is shown against.
     * @default the project of the first violation that has a URN
     */
    readonly project?: string;
    /**
     * Stack name, to name the root stack resource (`<project>-<stack>`) that a stack-wide violation is
     * shown against.
     * @default the stack of the first violation that has a URN
     */
    readonly stack?: string;
}

/**
 * One line of the `--json` report: one violation. Every key is always present (absent values are
 * `null`), so the file reads the same with `jq` whatever the policy reported.
 */
export interface ViolationRecord {
    /** Policy name (kebab-case), the SARIF rule id. */
    readonly policy: string;
    /** Policy pack name. */
    readonly pack: string;
    /** Policy pack version, as the pack declares it (`0.1.0`). */
    readonly version: string;
    /**
     * Enforcement level in force. `remediate` is reported as `mandatory`: a violation that survives a
     * remediation is mandatory to the engine (see {@link effectiveLevel}).
     */
    readonly level: EnforcementLevel;
    /** Severity the policy declares, or `null` when it declares none. */
    readonly severity: Severity | null;
    /** URN of the offending resource, or `null` for a stack-wide violation. */
    readonly urn: string | null;
    /** What the policy reported, without the policy description the SDK puts first (see {@link reportedMessage}). */
    readonly message: string;
    /** How to fix it (the policy's `remediationSteps`), or `null` when the policy gives none. */
    readonly remediation: string | null;
}

/** The parts of a Pulumi URN: `urn:pulumi:<stack>::<project>::<qualified type>::<name>`. */
export interface ParsedUrn {
    readonly stack: string;
    readonly project: string;
    /** The resource's own type: the last `$`-separated segment of the qualified type. */
    readonly type: string;
    /** The resource name: everything after the third `::` (a name may itself contain `::`). */
    readonly name: string;
}

/** The type of the root resource of every stack. */
export const ROOT_STACK_TYPE = "pulumi:pulumi:Stack";

/**
 * Splits a URN the way the engine's `resource.URN` methods do (`Type()` is the last segment of the
 * qualified type, `Name()` all that follows the third `::`).
 * @example parseUrn("urn:pulumi:production::platform::a:b:C$cloudflare:index/d1Database:D1Database::api-db")
 *   // { stack: "production", project: "platform", type: "cloudflare:index/d1Database:D1Database", name: "api-db" }
 * @returns the parts, or `undefined` when `urn` is not of that form.
 */
export function parseUrn(urn: string): ParsedUrn | undefined {
    const prefix = "urn:pulumi:";
    if (!urn.startsWith(prefix)) return undefined;
    const parts = urn.slice(prefix.length).split("::");
    if (parts.length < 4) return undefined;
    const [stack, project, qualifiedType] = parts as [string, string, string];
    const name = parts.slice(3).join("::");
    const type = qualifiedType.slice(qualifiedType.lastIndexOf("$") + 1);
    if (stack === "" || project === "" || type === "") return undefined;
    return { stack, project, type, name };
}

/**
 * The level a violation counts at. The engine reports a violation of a `remediate` policy as
 * `mandatory` (the remediation ran and the resource still violates it): pulumi/pulumi
 * `pkg/resource/deploy/step_generator.go` and the engine's stack analysis, "downgrade the level we
 * report from remediate to mandatory".
 */
export function effectiveLevel(violation: PolicyViolation): EnforcementLevel {
    return violation.enforcementLevel === "remediate" ? "mandatory" : violation.enforcementLevel;
}

/**
 * The message the policy itself passed to `reportViolation`. `@pulumi/policy` sends the policy's
 * description, a newline, then that message (`server.ts`, `makeReportViolationFun`); this strips the
 * description when it is there.
 * @returns the message without the leading description; the description when the policy reported no
 *   message of its own; `violation.message` unchanged when it does not start with the description.
 */
export function reportedMessage(violation: PolicyViolation): string {
    const { message, description } = violation;
    if (description !== "" && message.startsWith(`${description}\n`)) {
        const own = message.slice(description.length + 1).trim();
        return own === "" ? description : own;
    }
    return message === "" ? description : message;
}

/**
 * Renders the `Policies:` block as the Pulumi CLI prints it after a preview (plain text). A stack-wide
 * violation (no URN) is shown against the root stack resource, `(pulumi:pulumi:Stack: <project>-<stack>)`,
 * as the engine reports it; when neither the options nor any violation give the project and stack, it
 * shows `(pulumi:pulumi:Stack)`. Each violation's message is printed as the CLI receives it from
 * `@pulumi/policy`: the policy description, then on the next line what the policy reported.
 * @example
 * Policies:
 *     ❌ workers-platform-policies@v0.1.0 (local: policies)
 *         - [mandatory]  d1-protected-in-production  (cloudflare:index/d1Database:D1Database: api-db)
 *           Checks whether D1 databases are protected in production.
 *           D1 database api-db must be protected in production.
 * @returns the text, ending with the blank line that closes the section.
 */
export function renderPoliciesBlock(result: PolicyRunResult, options: PoliciesBlockOptions = {}): string {
    const stackUrn = rootStackUrn(result, options);
    const urnOf = (v: PolicyViolation) => v.urn ?? stackUrn ?? "";
    const violations = [...result.violations].sort((a, b) =>
        compare(effectiveLevel(a), effectiveLevel(b)) || compare(a.policyName, b.policyName) || compare(urnOf(a), urnOf(b)));

    const mark = violations.some((v) => effectiveLevel(v) === "mandatory") ? "❌" : violations.length > 0 ? "⚠️" : "✅";
    const source = options.packSource === undefined ? "" : ` (local: ${options.packSource})`;
    const lines = ["Policies:", `    ${mark} ${result.pack.name}@v${result.pack.version}${source}`];
    const indent = " ".repeat(10);
    for (const v of violations) {
        const target = describeTarget(v.urn ?? stackUrn);
        lines.push(`        - [${effectiveLevel(v)}]  ${v.policyName}  (${target})`);
        lines.push(indent + cliMessage(v).replace(/\n$/, "").replaceAll("\n", `\n${indent}`));
    }
    return `${lines.join("\n")}\n\n`;
}

/**
 * The `--json` report: one {@link ViolationRecord} per violation, in the result's order (by URN, then
 * policy, then message).
 * @example [{ "policy": "d1-protected-in-production", "pack": "workers-platform-policies", "version": "0.1.0",
 *   "level": "mandatory", "severity": "high", "urn": "urn:pulumi:production::platform::…::api-db",
 *   "message": "D1 database api-db must be protected in production.", "remediation": "Set platform:protect to true." }]
 */
export function violationRecords(result: PolicyRunResult): ViolationRecord[] {
    return result.violations.map((v) => ({
        policy: v.policyName,
        pack: v.policyPackName,
        version: v.policyPackVersion,
        level: effectiveLevel(v),
        severity: v.severity ?? null,
        urn: v.urn ?? null,
        message: reportedMessage(v),
        remediation: v.remediationSteps ?? null,
    }));
}

/**
 * Whether the plan must fail (exit 1): true when any violation is mandatory, counting `remediate`
 * violations as mandatory like the engine does (see {@link effectiveLevel}). Advisory violations never
 * fail it.
 */
export function hasMandatoryViolations(result: PolicyRunResult): boolean {
    return result.violations.some((v) => effectiveLevel(v) === "mandatory");
}

/** URN of the root stack resource, from the options or from any violation's URN. */
function rootStackUrn(result: PolicyRunResult, options: PoliciesBlockOptions): string | undefined {
    const known = result.violations.map((v) => (v.urn === undefined ? undefined : parseUrn(v.urn))).find((p) => p !== undefined);
    const project = options.project ?? known?.project;
    const stack = options.stack ?? known?.stack;
    if (project === undefined || stack === undefined) return undefined;
    return `urn:pulumi:${stack}::${project}::${ROOT_STACK_TYPE}::${project}-${stack}`;
}

/** `<type>: <name>` as the CLI prints `URN.Type()` and `URN.Name()`. */
function describeTarget(urn: string | undefined): string {
    const parsed = urn === undefined ? undefined : parseUrn(urn);
    if (parsed !== undefined) return `${parsed.type}: ${parsed.name}`;
    return urn === undefined ? ROOT_STACK_TYPE : urn;
}

/** The message as the CLI gets it from `@pulumi/policy`: description, newline, the policy's own message. */
function cliMessage(v: PolicyViolation): string {
    const own = reportedMessage(v);
    return own === v.description || v.description === "" ? own : `${v.description}\n${own}`;
}

function compare(a: string, b: string): number {
    return a < b ? -1 : a > b ? 1 : 0;
}
