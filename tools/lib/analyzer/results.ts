/**
 * Results: the pack's policies and diagnostics as `PolicyInfo` / `PolicyViolation`, and the mapping between
 * the protocol's enforcement levels and severities and ours.
 */
import type * as analyzerPbTypes from "@pulumi/pulumi/proto/analyzer_pb";
import type { EnforcementLevel, PolicyInfo, PolicyViolation, Severity } from "../policyResult";
import type { PackPolicy } from "./policyConfig";
import { proto } from "./sdk";

export function toPolicyInfo(p: PackPolicy, level: EnforcementLevel): PolicyInfo {
    return {
        name: p.name,
        ...(p.displayName ? { displayName: p.displayName } : {}),
        description: p.description,
        enforcementLevel: level,
        ...(p.severity ? { severity: p.severity } : {}),
        ...(p.remediationSteps ? { remediationSteps: p.remediationSteps } : {}),
        ...(p.url ? { url: p.url } : {}),
        ...(p.tags.length > 0 ? { tags: p.tags } : {}),
        ...(p.configSchema ? {
            configSchema: {
                type: "object",
                properties: p.configSchema.properties,
                ...(p.configSchema.required.length > 0 ? { required: p.configSchema.required } : {}),
            },
        } : {}),
    };
}

/** Stable order: URN (stack-wide first), then policy name, then message. */
export function sortViolations(violations: readonly PolicyViolation[]): PolicyViolation[] {
    const cmp = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);
    return [...violations].sort((a, b) => cmp(a.urn ?? "", b.urn ?? "") || cmp(a.policyName, b.policyName) || cmp(a.message, b.message));
}

export function levelFromProto(level: analyzerPbTypes.EnforcementLevel): EnforcementLevel {
    switch (level) {
        case proto.pb.EnforcementLevel.ADVISORY: return "advisory";
        case proto.pb.EnforcementLevel.MANDATORY: return "mandatory";
        case proto.pb.EnforcementLevel.REMEDIATE: return "remediate";
        case proto.pb.EnforcementLevel.DISABLED: return "disabled";
        default: throw new Error(`invalid enforcement level ${String(level)}`);
    }
}

export function levelToProto(level: EnforcementLevel): analyzerPbTypes.EnforcementLevel {
    switch (level) {
        case "advisory": return proto.pb.EnforcementLevel.ADVISORY;
        case "mandatory": return proto.pb.EnforcementLevel.MANDATORY;
        case "remediate": return proto.pb.EnforcementLevel.REMEDIATE;
        case "disabled": return proto.pb.EnforcementLevel.DISABLED;
    }
}

export function severityFromProto(severity: analyzerPbTypes.PolicySeverity): Severity | undefined {
    switch (severity) {
        case proto.pb.PolicySeverity.POLICY_SEVERITY_LOW: return "low";
        case proto.pb.PolicySeverity.POLICY_SEVERITY_MEDIUM: return "medium";
        case proto.pb.PolicySeverity.POLICY_SEVERITY_HIGH: return "high";
        case proto.pb.PolicySeverity.POLICY_SEVERITY_CRITICAL: return "critical";
        default: return undefined;
    }
}
