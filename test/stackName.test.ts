/**
 * Stack names (`components/stackName.ts`): Pulumi's own rule first, with Pulumi's wording (pulumi/pulumi
 * `sdk/go/common/tokens/stack_name.go` `ParseStackName`, v3.276.0), then the platform's stricter one.
 */
import { describe, expect, it } from "vitest";
import { STACK_NAME, stackNameFrom, stackNameProblem } from "../components/stackName";

describe("stackNameProblem", () => {
    it("accepts the platform's names", () => {
        for (const name of ["staging", "production", "pr-42", "eu-west-1", "a", "s".repeat(100)]) expect(stackNameProblem(name), name).toBeUndefined();
    });

    it("refuses what Pulumi refuses, as Pulumi says it", () => {
        expect(stackNameProblem("")).toBe("a stack name may not be empty");
        expect(stackNameProblem("s".repeat(101))).toBe("a stack name cannot exceed 100 characters (got 101)");
        expect(stackNameProblem("my stack")).toBe('a stack name may only contain alphanumeric, hyphens, underscores, or periods: invalid character " " at position 2');
        expect(stackNameProblem("prod$")).toContain('invalid character "$" at position 4');
        expect(stackNameProblem("é")).toContain('invalid character "é" at position 0');
        expect(stackNameProblem("acme/platform/staging")).toContain('pass the stack\'s own name ("staging")');
        expect(stackNameProblem("../x")).toContain('contains "/"');
    });

    it("refuses Pulumi names that cannot end script and resource names", () => {
        for (const name of ["Staging", "feature_x", "v1.2", "..", "-x", "x-", "a--b", "."]) {
            expect(stackNameProblem(name), name).toMatch(/is a valid Pulumi stack name, but this platform expects lowercase letters and digits/);
        }
    });

    it("agrees with STACK_NAME and with the names stackNameFrom makes", () => {
        for (const text of ["Feature_X", "pre.prod", "  QA  ", "prod"]) {
            const name = stackNameFrom(text)!;
            expect(STACK_NAME.test(name)).toBe(true);
            expect(stackNameProblem(name)).toBeUndefined();
        }
    });
});
