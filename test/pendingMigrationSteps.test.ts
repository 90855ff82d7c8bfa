/**
 * `pendingMigrationSteps`: which Durable Object migration steps a deploy uploads, given the history and
 * the live script's tag; one case per kind of change.
 */
import { describe, expect, it } from "vitest";
import { MigrationHistoryError, pendingMigrationSteps, scriptMigrations } from "../components/cloudflare/deployment/pendingMigrationSteps";
import type { DurableObjectMigration } from "../components/service/durableObjectMigrations";

const v1: DurableObjectMigration = { tag: "v1", newSqliteClasses: ["Counter"] };
const v2: DurableObjectMigration = { tag: "v2", newSqliteClasses: ["Room"] };
const rename: DurableObjectMigration = { tag: "v3", renamedClasses: [{ from: "Room", to: "ChatRoom" }] };
const remove: DurableObjectMigration = { tag: "v4", deletedClasses: ["Counter"] };
const transfer: DurableObjectMigration = { tag: "v5", transferredClasses: [{ from: "Session", fromScript: "auth-production", to: "Session" }] };

describe("pendingMigrationSteps", () => {
    it("first deploy (no script, or no tag yet): every step, no old tag", () => {
        expect(pendingMigrationSteps([v1, v2], undefined)).toEqual({ newTag: "v2", steps: [v1, v2] });
        expect(pendingMigrationSteps([v1, v2], "")).toEqual({ newTag: "v2", steps: [v1, v2] });
        expect(pendingMigrationSteps([], undefined)).toBeUndefined();
    });

    it("no change: the live tag is the last step, nothing to upload", () => {
        expect(pendingMigrationSteps([v1, v2], "v2")).toBeUndefined();
    });

    it("add: only the new step, guarded by the live tag", () => {
        expect(pendingMigrationSteps([v1, v2], "v1")).toEqual({ oldTag: "v1", newTag: "v2", steps: [v2] });
    });

    it("rename, delete and transfer: the steps after the live tag, in order", () => {
        expect(pendingMigrationSteps([v1, v2, rename], "v2")).toEqual({ oldTag: "v2", newTag: "v3", steps: [rename] });
        expect(pendingMigrationSteps([v1, v2, rename, remove], "v3")).toEqual({ oldTag: "v3", newTag: "v4", steps: [remove] });
        expect(pendingMigrationSteps([v1, v2, rename, remove, transfer], "v2"))
            .toEqual({ oldTag: "v2", newTag: "v5", steps: [rename, remove, transfer] });
    });

    it("rewriting an applied tag is an error naming the live tag", () => {
        const renamedApplied = [{ ...v1, tag: "v1-sqlite" }, v2];
        const thrown = (() => {
            try {
                pendingMigrationSteps(renamedApplied, "v1");
            } catch (error) {
                return error;
            }
            return undefined;
        })();
        expect(thrown).toBeInstanceOf(MigrationHistoryError);
        expect(thrown).toMatchObject({ tag: "v1", __pulumiRunError: true });
        expect((thrown as Error).message).toBe(
            'The live script is at Durable Object migration tag "v1", which durableObjectMigrations does not contain (its tags are "v1-sqlite", "v2"). ' +
            'Applied steps must never be renamed or removed: restore the step tagged "v1" and add changes as new steps after it.');
        expect(() => pendingMigrationSteps([], "v1")).toThrow(/tag "v1", which durableObjectMigrations does not contain \(the history is empty\)/);
        expect(() => pendingMigrationSteps([v1, v2, { ...v2, newSqliteClasses: ["Other"] }], "v1")).toThrow(/tag "v2" appears twice/);
    });
});

describe("scriptMigrations", () => {
    it("renders the provider's migrations input, leaving out empty lists", () => {
        expect(scriptMigrations({ oldTag: "v2", newTag: "v5", steps: [rename, { tag: "x", newClasses: [], deletedClasses: ["Counter"] }, transfer] })).toEqual({
            oldTag: "v2",
            newTag: "v5",
            steps: [
                { renamedClasses: [{ from: "Room", to: "ChatRoom" }] },
                { deletedClasses: ["Counter"] },
                { transferredClasses: [{ from: "Session", fromScript: "auth-production", to: "Session" }] },
            ],
        });
        expect(scriptMigrations({ newTag: "v1", steps: [v1] })).toEqual({ newTag: "v1", steps: [{ newSqliteClasses: ["Counter"] }] });
    });
});
