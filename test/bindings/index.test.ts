/**
 * The binding table is the one place a kind lives: a fictitious kind, defined and registered here (the
 * one new module plus the table entry a real kind needs), reaches the declaration, WorkerService under the
 * mock engine, the generated wrangler config, the importer, the health library and the policy pack's view
 * without a change anywhere else.
 */
import * as path from "node:path";
import * as pulumi from "@pulumi/pulumi";
import { beforeAll, describe, expect, it } from "vitest";
import { z } from "zod";
import { BINDING_KINDS, bindingKind, registerBindingKind } from "../../components/bindings/index";
import { addWranglerEntry, defineBindingKind, resolvedField } from "../../components/bindings/kind";
import { runHealthChecks } from "../../components/health/handler";
import { planHealthChecks } from "../../components/health/plan";
import { defineService, type ServiceDeclarationInput } from "../../components/service/declaration";
import { ValidationError } from "../../components/validation";
import { importWranglerConfig } from "../../components/wrangler/import/importConfig";
import { definePlatform } from "../../infra/program";
import { statefulResourcesProtected } from "../../policies/storage";
import { runOffline, type OfflineRun } from "../../tools/lib/mockEngine";
import { serviceSummaries } from "../../tools/lib/serviceSummaries";

const LOFT_TYPE = "test:index/pigeonLoft:PigeonLoft";
/** The loft's URN in the production stack: the policy names the stack it checks from it. */
const LOFT_URN = `urn:pulumi:production::platform::${LOFT_TYPE}::coop-loft`;

/** The loft's resource, as a provider SDK would declare it. */
class PigeonLoft extends pulumi.CustomResource {
    constructor(name: string, props: pulumi.Inputs, opts: pulumi.CustomResourceOptions) {
        super(LOFT_TYPE, name, props, opts);
    }
}

/** A kind no real Worker has: a pigeon loft per stack, bound by its id, with a health check that counts pigeons. */
const pigeon = defineBindingKind({
    kind: "pigeon",
    schema: z.strictObject({
        kind: z.literal("pigeon"),
        /** Pigeons the loft holds. */
        capacity: z.number().int().positive().default(12),
    }),
    // `pipelines` is a key wrangler knows and the platform's table does not carry, so the importer sees it.
    docs: { title: "Pigeon loft", resource: "test.PigeonLoft", wranglerKey: "pipelines", url: "https://example.com/pigeons" },
    resources: (binding, ctx) => {
        const resource = new PigeonLoft(ctx.name, { accountId: ctx.accountId, name: ctx.physicalName, capacity: binding.capacity }, ctx.opts);
        return { resource, resolved: resource.id.apply((id) => ({ kind: "pigeon", id })) };
    },
    scriptBinding: (_binding, ctx) => ({ name: ctx.name, type: "pigeon_loft", id: ctx.resolved.apply((r) => resolvedField(r, "pigeon", "id", ctx.name)) }),
    wrangler: (binding, ctx) => addWranglerEntry(ctx.config, ["pipelines"], { binding: ctx.name, id: resolvedField(ctx.resolved, "pigeon", "id", ctx.name), capacity: binding.capacity }),
    import: {
        path: ["pipelines"],
        shape: "list",
        knownKeys: ["binding", "id", "capacity"],
        map: (item) => ({ kind: "pigeon", capacity: Number((item.value as { capacity?: number }).capacity ?? 12) }),
    },
    health: {
        description: "counts the pigeons",
        run: async (binding) => {
            const count = await (binding as { count(): Promise<number> }).count();
            if (count === 0) throw new Error("the loft is empty");
            return `${count} pigeons`;
        },
    },
    summary: (_binding, resolved) => resolved?.id,
    policy: { scriptBindingTypes: ["pigeon_loft"], statefulTypes: { [LOFT_TYPE]: "pigeon loft" } },
});

registerBindingKind(pigeon);

const declaration = defineService({
    name: "coop",
    main: "src/index.js",
    compatibilityDate: "2026-04-01",
    bindings: { LOFT: { kind: "pigeon", capacity: 30 } } as unknown as ServiceDeclarationInput["bindings"],
    env: z.object({}),
});

describe("a kind registered from outside the table's folder", () => {
    it("is part of the table, after the built-in kinds", () => {
        expect(BINDING_KINDS.at(-1)).toBe(pigeon);
        expect(bindingKind("pigeon")).toBe(pigeon);
        expect(() => registerBindingKind(pigeon)).toThrow('binding kind "pigeon" is already registered');
    });

    it("validates declarations with its schema, naming the field", () => {
        expect(declaration.bindings.LOFT).toEqual({ kind: "pigeon", capacity: 30 });
        const bad = () => defineService({
            name: "coop", main: "src/index.js", compatibilityDate: "2026-04-01", env: z.object({}),
            bindings: { LOFT: { kind: "pigeon", capacity: -1 } } as unknown as ServiceDeclarationInput["bindings"],
        });
        expect(bad).toThrow(ValidationError);
        expect(bad).toThrow(/services\.coop\.bindings\.LOFT\.capacity/);
    });

    it("is planned and run by the health library", async () => {
        expect(planHealthChecks(declaration)).toEqual([{ name: "env", kind: "env" }, { name: "LOFT", kind: "pigeon" }]);
        const report = await runHealthChecks(declaration, { LOFT: { count: async () => 3 } });
        expect(report.checks.LOFT).toMatchObject({ status: "ok", message: "3 pigeons" });
        const empty = await runHealthChecks(declaration, { LOFT: { count: async () => 0 } });
        expect(empty.checks.LOFT).toMatchObject({ status: "fail", message: "the loft is empty" });
    });

    it("is imported from its wrangler key, and adopted by nobody", () => {
        const imported = importWranglerConfig({
            name: "coop", main: "src/index.js", compatibility_date: "2026-04-01",
            pipelines: [{ binding: "LOFT", id: "north", capacity: 30 }],
        }, { source: "wrangler.jsonc" });
        expect(imported.declaration.bindings.LOFT).toEqual({ kind: "pigeon", capacity: 30 });
        expect(imported.notes.filter((n) => n.path.includes("pipelines"))).toEqual([]);
    });

    it("is seen by the policy pack: its stateful resource must be protected", () => {
        const violations: string[] = [];
        const validate = statefulResourcesProtected.validateResource as (args: unknown, report: (message: string) => void) => void;
        validate({ type: LOFT_TYPE, urn: LOFT_URN, name: "coop-loft", props: { name: "coop-production-loft" }, opts: { protect: false } }, (m) => violations.push(m));
        validate({ type: LOFT_TYPE, urn: LOFT_URN, name: "coop-loft", props: { name: "coop-production-loft" }, opts: { protect: true } }, (m) => violations.push(m));
        expect(violations).toEqual(["pigeon loft coop-production-loft must be protected in production."]);
    });

    describe("under the mock engine", () => {
        let run: OfflineRun;
        beforeAll(async () => {
            run = await runOffline({
                project: "platform",
                stack: "production",
                config: { config: { "platform:accountId": "0123456789abcdef0123456789abcdef" }, secretKeys: [] },
                program: () => ({ services: definePlatform([{ declaration, root: path.join(__dirname, "..", "fixtures", "workers", "basic") }], "production").environment.summary }),
            });
        });

        it("creates its resource, protected in production, and binds it to the script", () => {
            const loft = run.resources.find((r) => r.type === LOFT_TYPE)!;
            expect(loft).toMatchObject({ name: "coop-loft", protect: true, inputs: { name: "coop-production-loft", capacity: 30 } });
            const script = run.resources.find((r) => r.type === "cloudflare:index/workersScript:WorkersScript")!;
            expect(script.inputs.bindings).toEqual([{ name: "LOFT", type: "pigeon_loft", id: loft.id }]);
        });

        it("writes its wrangler entry and its summary", () => {
            const coop = serviceSummaries(run.resources).coop!;
            const loft = run.resources.find((r) => r.type === LOFT_TYPE)!;
            expect(coop.wranglerConfig.config.pipelines).toEqual([{ binding: "LOFT", id: loft.id, capacity: 30 }]);
            expect(coop.bindings).toEqual([{ name: "LOFT", kind: "pigeon", target: loft.id }]);
        });
    });
});
