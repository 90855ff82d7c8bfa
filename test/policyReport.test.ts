/**
 * Policy reports: the CLI-style `Policies:` block, the `--json` records, the exit decision and the
 * SARIF log, which is checked against the SARIF 2.1.0 JSON schema (draft-04) as published in
 * `@microsoft/jest-sarif` (the schema file only; none of its matchers are used).
 */
import * as fs from "node:fs";
import Ajv from "ajv-draft-04";
import addFormats from "ajv-formats";
import { describe, expect, it } from "vitest";
import { ValidationError } from "../components/validation";
import type { PolicyRunResult, PolicyViolation } from "../tools/lib/policyResult";
import { hasMandatoryViolations, parseUrn, renderPoliciesBlock, violationRecords } from "../tools/lib/policyReport";
import { SARIF_SCHEMA_URI, toSarif, violationFingerprint } from "../tools/lib/sarif";

const PACK = { name: "workers-platform-policies", version: "0.1.0" };
const STACK_URN = "urn:pulumi:production::platform::pulumi:pulumi:Stack::platform-production";
const ENV = "urn:pulumi:production::platform::pulumi:pulumi:Stack$platform:cloudflare:Environment";
const API = `${ENV}$platform:cloudflare:WorkerService`;
const DB_URN = `${API}$cloudflare:index/d1Database:D1Database::api-db`;
const SCRIPT_URN = `${API}$cloudflare:index/workersScript:WorkersScript::api-script`;

const D1 = "Checks whether D1 databases are protected from deletion in production.";
const HEALTH = "Checks whether every Worker declares a health check route.";
const SECRETS = "Checks whether secrets are bound as secret text, not plain vars.";
const ENVS = "Checks whether the stack declares a custom domain for every public service.";

/** A violation as `@pulumi/policy` reports it: the description, a newline, the policy's own message. */
function violation(v: Omit<PolicyViolation, "policyPackName" | "policyPackVersion" | "message"> & { reported: string }): PolicyViolation {
    const { reported, ...rest } = v;
    return { ...rest, policyPackName: PACK.name, policyPackVersion: PACK.version, message: `${v.description}\n${reported}` };
}

/** A production run with mandatory, advisory and stack-wide violations, ordered by URN, policy, message. */
function productionRun(): PolicyRunResult {
    return {
        pack: PACK,
        policies: [
            { name: "d1-protected-in-production", displayName: "D1 protected in production", description: D1, enforcementLevel: "mandatory", severity: "high",
                remediationSteps: "Set `platform:protect: true` in Pulumi.production.yaml.", url: "https://developers.cloudflare.com/d1/", tags: ["storage"] },
            { name: "worker-health-check", description: HEALTH, enforcementLevel: "advisory", tags: ["workers", "reliability"] },
            { name: "secrets-not-in-plain-vars", description: SECRETS, enforcementLevel: "mandatory", severity: "critical",
                remediationSteps: "Move the value to `platform:secrets` and set it with `pulumi config set --secret`." },
            { name: "custom-domain-per-public-service", description: ENVS, enforcementLevel: "advisory", severity: "low" },
            { name: "neon-branch-per-environment", description: "Checks whether each environment has its own Neon branch.", enforcementLevel: "disabled" },
        ],
        violations: [
            violation({ policyName: "custom-domain-per-public-service", description: ENVS, enforcementLevel: "advisory", severity: "low",
                reported: "Service api is public but has no custom domain in production." }),
            violation({ policyName: "d1-protected-in-production", description: D1, enforcementLevel: "mandatory", severity: "high", urn: DB_URN,
                reported: "D1 database api-db must be protected in production.", remediationSteps: "Set `platform:protect: true` in Pulumi.production.yaml.",
                url: "https://developers.cloudflare.com/d1/" }),
            violation({ policyName: "secrets-not-in-plain-vars", description: SECRETS, enforcementLevel: "mandatory", severity: "critical", urn: SCRIPT_URN,
                reported: "Worker api-script binds SIGNING_KEY as a plain var.\nBind it as secret text instead.",
                remediationSteps: "Move the value to `platform:secrets` and set it with `pulumi config set --secret`." }),
            violation({ policyName: "worker-health-check", description: HEALTH, enforcementLevel: "advisory", urn: SCRIPT_URN,
                reported: "Worker api-script declares no health check route." }),
        ],
    };
}

function validator() {
    // The schema's `language` pattern (`^[a-zA-Z]{2}|^[a-zA-Z]{2}-[a-zA-Z]{2}]?$`) has a stray `]` that only
    // a non-unicode RegExp accepts, as the draft-04 validators it was written for used.
    const ajv = new Ajv({ allErrors: true, strict: false, unicodeRegExp: false });
    addFormats(ajv);
    const schema = JSON.parse(fs.readFileSync(require.resolve("@microsoft/jest-sarif/lib/schemas/sarif-2.1.0-rtm.5.json"), "utf8"));
    return ajv.compile(schema);
}

describe("renderPoliciesBlock", () => {
    it("prints the pack, then each violation with level, policy, type and name, then its message", () => {
        expect(renderPoliciesBlock(productionRun(), { packSource: "policies" })).toMatchInlineSnapshot(`
          "Policies:
              ❌ workers-platform-policies@v0.1.0 (local: policies)
                  - [advisory]  custom-domain-per-public-service  (pulumi:pulumi:Stack: platform-production)
                    Checks whether the stack declares a custom domain for every public service.
                    Service api is public but has no custom domain in production.
                  - [advisory]  worker-health-check  (cloudflare:index/workersScript:WorkersScript: api-script)
                    Checks whether every Worker declares a health check route.
                    Worker api-script declares no health check route.
                  - [mandatory]  d1-protected-in-production  (cloudflare:index/d1Database:D1Database: api-db)
                    Checks whether D1 databases are protected from deletion in production.
                    D1 database api-db must be protected in production.
                  - [mandatory]  secrets-not-in-plain-vars  (cloudflare:index/workersScript:WorkersScript: api-script)
                    Checks whether secrets are bound as secret text, not plain vars.
                    Worker api-script binds SIGNING_KEY as a plain var.
                    Bind it as secret text instead.

          "
        `);
    });

    it("marks a pack with only advisory violations with ⚠️ and a clean pack with ✅, without a source for a cloud pack", () => {
        const run = productionRun();
        const advisory = { ...run, violations: run.violations.filter((v) => v.enforcementLevel === "advisory") };
        expect(renderPoliciesBlock(advisory).split("\n")[1]).toBe("    ⚠️ workers-platform-policies@v0.1.0");
        expect(renderPoliciesBlock({ ...run, violations: [] })).toBe("Policies:\n    ✅ workers-platform-policies@v0.1.0\n\n");
    });

    it("names the root stack from the options when no violation has a URN, and shows a remediate violation as mandatory", () => {
        const run = productionRun();
        const stackOnly: PolicyRunResult = { ...run, violations: [{ ...run.violations[0]!, enforcementLevel: "remediate" }] };
        expect(renderPoliciesBlock(stackOnly, { project: "platform", stack: "staging" }).split("\n").slice(1, 3)).toEqual([
            "    ❌ workers-platform-policies@v0.1.0",
            "        - [mandatory]  custom-domain-per-public-service  (pulumi:pulumi:Stack: platform-staging)",
        ]);
        expect(renderPoliciesBlock(stackOnly).split("\n")[2]).toBe("        - [mandatory]  custom-domain-per-public-service  (pulumi:pulumi:Stack)");
    });
});

describe("parseUrn", () => {
    it("takes the type from the last segment of the qualified type and keeps `::` inside names", () => {
        expect(parseUrn(DB_URN)).toEqual({ stack: "production", project: "platform", type: "cloudflare:index/d1Database:D1Database", name: "api-db" });
        expect(parseUrn(`${STACK_URN}::extra`)?.name).toBe("platform-production::extra");
        expect(parseUrn("not-a-urn")).toBeUndefined();
    });
});

describe("violationRecords", () => {
    it("has one record per violation with every documented key, null for what is absent", () => {
        const records = violationRecords(productionRun());
        expect(records).toHaveLength(4);
        for (const r of records) expect(Object.keys(r).sort()).toEqual(["level", "message", "pack", "policy", "remediation", "severity", "urn", "version"]);
        expect(records[0]).toEqual({
            policy: "custom-domain-per-public-service", pack: PACK.name, version: "0.1.0", level: "advisory", severity: "low",
            urn: null, message: "Service api is public but has no custom domain in production.", remediation: null,
        });
        expect(records[1]).toEqual({
            policy: "d1-protected-in-production", pack: PACK.name, version: "0.1.0", level: "mandatory", severity: "high", urn: DB_URN,
            message: "D1 database api-db must be protected in production.", remediation: "Set `platform:protect: true` in Pulumi.production.yaml.",
        });
        expect(records[3]).toMatchObject({ policy: "worker-health-check", severity: null, urn: SCRIPT_URN });
        expect(JSON.parse(JSON.stringify(records))).toEqual(records);
    });

    it("keeps a message that does not start with the description, and uses the description when the policy reported none", () => {
        const base = productionRun().violations[1]!;
        expect(violationRecords({ ...productionRun(), violations: [{ ...base, message: "Custom text." }] })[0]!.message).toBe("Custom text.");
        expect(violationRecords({ ...productionRun(), violations: [{ ...base, message: D1 }] })[0]!.message).toBe(D1);
    });
});

describe("hasMandatoryViolations", () => {
    it("fails on mandatory or remediate violations, never on advisory ones", () => {
        const run = productionRun();
        expect(hasMandatoryViolations(run)).toBe(true);
        const advisory = run.violations.filter((v) => v.enforcementLevel === "advisory");
        expect(hasMandatoryViolations({ ...run, violations: advisory })).toBe(false);
        expect(hasMandatoryViolations({ ...run, violations: [{ ...advisory[0]!, enforcementLevel: "remediate" }] })).toBe(true);
        expect(hasMandatoryViolations({ ...run, violations: [] })).toBe(false);
    });
});

describe("toSarif", () => {
    const locate = (urn: string) => (urn.includes("WorkerService") ? { uri: "services/api/service.ts", startLine: 4 } : undefined);

    it("validates against the SARIF 2.1.0 JSON schema", () => {
        const validate = validator();
        const log = toSarif(productionRun(), { stack: "production", locate });
        expect(validate(log), JSON.stringify(validate.errors, null, 2)).toBe(true);
        const empty = toSarif({ ...productionRun(), violations: [] }, { stack: "production" });
        expect(validate(empty), JSON.stringify(validate.errors, null, 2)).toBe(true);
    });

    it("the validator rejects a log that breaks the schema", () => {
        const validate = validator();
        const log = toSarif(productionRun(), { stack: "production" }) as unknown as { runs: { results: { level: string }[] }[] };
        log.runs[0]!.results[0]!.level = "fatal";
        expect(validate(log)).toBe(false);
    });

    it("describes every policy as a rule with GitHub's metadata", () => {
        const log = toSarif(productionRun(), { stack: "production" });
        expect(log.$schema).toBe(SARIF_SCHEMA_URI);
        const run = log.runs[0]!;
        expect(run.tool.driver).toMatchObject({ name: PACK.name, version: "0.1.0", semanticVersion: "0.1.0", informationUri: "https://www.pulumi.com/docs/iac/crossguard/" });
        expect(run.automationDetails.id).toBe("pulumi-policy/production/");
        expect(run.tool.driver.rules.map((r) => [r.id, r.defaultConfiguration, r.properties["security-severity"], r.properties.tags])).toEqual([
            ["d1-protected-in-production", { level: "error" }, "8.0", ["storage", "security"]],
            ["worker-health-check", { level: "warning" }, undefined, ["workers", "reliability"]],
            ["secrets-not-in-plain-vars", { level: "error" }, "9.5", ["security"]],
            ["custom-domain-per-public-service", { level: "warning" }, "2.0", ["security"]],
            ["neon-branch-per-environment", { level: "note", enabled: false }, undefined, []],
        ]);
        expect(run.tool.driver.rules[0]).toMatchObject({
            name: "d1-protected-in-production",
            shortDescription: { text: "D1 protected in production" },
            fullDescription: { text: D1 },
            helpUri: "https://developers.cloudflare.com/d1/",
            help: {
                text: `${D1}\n\nEnforcement level: mandatory.\n\nRemediation: Set \`platform:protect: true\` in Pulumi.production.yaml.\n\nDocumentation: https://developers.cloudflare.com/d1/`,
                markdown: `${D1}\n\n**Enforcement level:** \`mandatory\`\n\n**Remediation**\n\nSet \`platform:protect: true\` in Pulumi.production.yaml.\n\n[Documentation](https://developers.cloudflare.com/d1/)`,
            },
        });
    });

    it("locates each result in the repository and names the resource by URN", () => {
        const results = toSarif(productionRun(), { stack: "production", locate }).runs[0]!.results;
        expect(results.map((r) => [r.ruleId, r.ruleIndex, r.level, r.locations[0]!.physicalLocation.artifactLocation.uri, r.locations[0]!.physicalLocation.region.startLine])).toEqual([
            ["custom-domain-per-public-service", 3, "warning", "Pulumi.production.yaml", 1],
            ["d1-protected-in-production", 0, "error", "services/api/service.ts", 4],
            ["secrets-not-in-plain-vars", 2, "error", "services/api/service.ts", 4],
            ["worker-health-check", 1, "warning", "services/api/service.ts", 4],
        ]);
        expect(results[1]!.message.text).toBe("D1 database api-db must be protected in production.");
        expect(results[1]!.locations[0]!.logicalLocations).toEqual([{ name: "api-db", fullyQualifiedName: DB_URN, kind: "resource" }]);
        expect(results[0]!.locations[0]!.logicalLocations).toEqual([{ name: "production", fullyQualifiedName: "stack:production", kind: "module" }]);
        const custom = toSarif(productionRun(), { stack: "production", projectFile: "infra\\Pulumi.production.yaml" }).runs[0]!.results[1]!;
        expect(custom.locations[0]!.physicalLocation.artifactLocation.uri).toBe("infra/Pulumi.production.yaml");
    });

    it("adds a rule for a policy that only a violation names", () => {
        const run = productionRun();
        const renamed = { ...run, violations: [{ ...run.violations[1]!, policyName: "d1-protected-in-production-eu" }] };
        const log = toSarif(renamed, { stack: "production" }).runs[0]!;
        expect(log.tool.driver.rules.at(-1)).toMatchObject({ id: "d1-protected-in-production-eu", fullDescription: { text: D1 } });
        expect(log.results[0]!.ruleIndex).toBe(log.tool.driver.rules.length - 1);
        expect(validator()({ $schema: SARIF_SCHEMA_URI, version: "2.1.0", runs: [log] })).toBe(true);
    });

    it("fingerprints are identical across runs and differ by resource, policy and message", () => {
        const first = toSarif(productionRun(), { stack: "production" }).runs[0]!.results.map((r) => r.partialFingerprints);
        const second = toSarif(productionRun(), { stack: "production", locate }).runs[0]!.results.map((r) => r.partialFingerprints);
        expect(second).toEqual(first);
        expect(new Set(first.map((f) => f.primaryLocationLineHash)).size).toBe(first.length);
        for (const f of first) expect(f.primaryLocationLineHash).toMatch(/^[0-9a-f]{16}:1$/);

        const d1 = productionRun().violations[1]!;
        const other = { ...d1, urn: DB_URN.replace("::api-db", "::jobs-db"), message: d1.message.replace("api-db", "jobs-db") };
        expect(violationFingerprint(other, "production")).not.toEqual(violationFingerprint(d1, "production"));
        expect(violationFingerprint({ ...d1, urn: DB_URN.replace("::api-db", "::jobs-db") }, "production")).not.toEqual(violationFingerprint(d1, "production"));
        expect(violationFingerprint({ ...d1, message: `${D1}\nAnother problem.` }, "production")).not.toEqual(violationFingerprint(d1, "production"));
    });

    it("fingerprints ignore the pack version, whitespace and volatile ids in the message", () => {
        const d1 = productionRun().violations[1]!;
        const withId = (id: string, at: string) => ({ ...d1, message: `${D1}\nD1 database api-db (id ${id}) was checked at ${at}.` });
        expect(violationFingerprint(withId("3f2a9c8e7d6b5a4f3e2d1c0b9a8f7e6d", "2026-01-02T03:04:05Z"), "production"))
            .toEqual(violationFingerprint(withId("00000000000000000000000000000000", "2026-05-06T07:08:09.123+02:00"), "production"));
        expect(violationFingerprint({ ...d1, policyPackVersion: "0.2.0", message: `${D1}\nD1 database  api-db must be\nprotected in production. ` }, "production"))
            .toEqual(violationFingerprint(d1, "production"));
    });

    it("reports every bad option together", () => {
        const call = () => toSarif(productionRun(), { stack: "", informationUri: "docs/policies.md", locate: () => ({ uri: "/abs/service.ts", startLine: 0 }) });
        expect(call).toThrow(ValidationError);
        expect(() => call()).toThrowErrorMatchingInlineSnapshot(`
          [ValidationError: Invalid SARIF options (8 problems):
            - options.stack: expected a stack name, got ""
            - options.informationUri: expected an absolute URL, got "docs/policies.md"
            - options.locate(violations[1].urn).uri: expected a path relative to the repository root, got "/abs/service.ts"; GitHub matches alerts by repository-relative paths
            - options.locate(violations[1].urn).startLine: expected a line number (an integer from 1), got 0
            - options.locate(violations[2].urn).uri: expected a path relative to the repository root, got "/abs/service.ts"; GitHub matches alerts by repository-relative paths
            - options.locate(violations[2].urn).startLine: expected a line number (an integer from 1), got 0
            - options.locate(violations[3].urn).uri: expected a path relative to the repository root, got "/abs/service.ts"; GitHub matches alerts by repository-relative paths
            - options.locate(violations[3].urn).startLine: expected a line number (an integer from 1), got 0]
        `);
    });
});
