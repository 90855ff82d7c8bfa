/**
 * The `service` kind's import mapping (components/bindings/service.ts): a service binding to another
 * Worker becomes a binding to that declared service; one to the Worker itself is refused with a note,
 * whether it names the service or the environment's own script (`<name>-<env>`, wrangler's default).
 */
import { describe, expect, it } from "vitest";
import { importConfig, notesAt } from "../helpers/kindHarness";

describe("import", () => {
    it("binds another Worker as a declared service", () => {
        const result = importConfig({ services: [{ binding: "AUTH", service: "auth-worker" }] });
        expect(result.declaration.bindings).toEqual({ AUTH: { kind: "service", service: "auth-worker" } });
    });

    it("refuses a binding to the Worker itself, by service name or by the environment's own script name", () => {
        const result = importConfig({
            services: [{ binding: "SELF", service: "svc" }],
            env: {
                production: { services: [{ binding: "SELF", service: "svc-production" }] },
                canary: { name: "svc-canary-eu", services: [{ binding: "LOOPBACK", service: "svc-canary-eu" }, { binding: "OTHER", service: "svc-production" }] },
            },
        }, { production: "production", staging: "canary" });
        expect(result.declaration.bindings).toEqual({ OTHER: { kind: "service", service: "svc-production" } });
        for (const at of ["env.production.services[0]", "env.canary.services[0]"]) {
            expect(notesAt(result, at)).toEqual([`unsupported ${at}: binds the Worker to itself, which a declaration cannot express (use ctx.exports); not imported`]);
        }
        expect(result.notes.filter((n) => n.path === "env.canary.services[0]").map((n) => n.binding)).toEqual(["LOOPBACK"]);
    });
});
