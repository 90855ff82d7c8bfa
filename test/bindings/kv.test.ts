/**
 * The `kv` kind's `sameAs` (components/bindings/kv.ts): two bindings of one service sharing one KV namespace,
 * as two `kv_namespaces` entries with one id are in wrangler. Declaration checks, one namespace under the mock
 * engine bound under both names (WorkersScript and WorkerVersion), the wrangler entries and wrangler's dry run,
 * the importer (detection, notes, adoption of the namespace once), the stack's import map, and the health check.
 */
import { beforeAll, describe, expect, it } from "vitest";
import { z } from "zod";
import { defineService } from "../../components/service/declaration";
import { generateWranglerConfig } from "../../components/wrangler/generate";
import { toDeclarationInput } from "../../components/wrangler/import/importConfig";
import { resolveIssues } from "../helpers/bindingKindTests";
import { FIXTURE_ROOT, declarationIssues, declare, dryRun, healthOf, importConfig, notesAt, runKind, type KindRun } from "../helpers/kindHarness";

const KV = "cloudflare:index/workersKvNamespace:WorkersKvNamespace";
const ID_A = "0123456789abcdef0123456789abcdef";
const ID_B = "fedcba9876543210fedcba9876543210";
const ACCOUNT = "00112233445566778899aabbccddeeff";
const SHARED = { SESSIONS: { kind: "kv" }, SESSIONS_RO: { kind: "kv", sameAs: "SESSIONS" } } as const;

describe("declaration", () => {
    it("binds another kv binding's namespace with sameAs", () => {
        expect(declare(SHARED).bindings.SESSIONS_RO).toEqual({ kind: "kv", sameAs: "SESSIONS" });
    });

    it("rejects a sameAs that names no kv binding with a namespace of its own, with the path", () => {
        expect(declarationIssues({
            A: { kind: "kv", sameAs: "MISSING" },
            B: { kind: "kv", sameAs: "LEVEL" },
            C: { kind: "kv", sameAs: "A" },
            D: { kind: "kv", sameAs: "D" },
            LEVEL: { kind: "var", value: "info" },
        }, { env: z.object({ LEVEL: z.string() }) })).toEqual([
            { path: "services.svc.bindings.A.sameAs", message: 'the service declares no binding "MISSING": sameAs names a kv binding of this service with a namespace of its own' },
            { path: "services.svc.bindings.B.sameAs", message: '"LEVEL" is a var binding, not kv: sameAs names a kv binding of this service with a namespace of its own' },
            { path: "services.svc.bindings.C.sameAs", message: '"A" shares the namespace of "MISSING" itself; name "MISSING": sameAs names a kv binding of this service with a namespace of its own' },
            { path: "services.svc.bindings.D.sameAs", message: "a binding cannot share its own namespace: sameAs names a kv binding of this service with a namespace of its own" },
        ]);
        expect(declarationIssues({ A: { kind: "kv", sameAs: "not a name" } })).toEqual([
            { path: "services.svc.bindings.A.sameAs", message: 'expected the name of another kv binding of this service, got string ("not a name")' },
        ]);
    });

    it("refuses an import id for a sameAs binding in the stack config: the other binding adopts the namespace", () => {
        expect(resolveIssues([{ declaration: declare(SHARED), root: FIXTURE_ROOT }], {
            svc: { import: { SESSIONS_RO: `0123456789abcdef0123456789abcdef/${ID_A}` } },
        })).toEqual([
            'platform:services.svc.import.SESSIONS_RO: binding "SESSIONS_RO" has no KV namespace of its own to import: it shares the namespace of "SESSIONS" (sameAs); adopt the namespace there',
        ]);
    });
});

describe("under the mock engine", () => {
    let kind: KindRun;
    beforeAll(async () => {
        kind = await runKind(SHARED);
    });

    it("creates one namespace, protected in production, and binds it under both names", () => {
        const namespaces = kind.run.resources.filter((r) => r.type === KV && r.parent === kind.component.urn);
        expect(namespaces.map((r) => [r.name, r.inputs.title, r.protect])).toEqual([["svc-sessions", "svc-production-sessions", true]]);
        const id = namespaces[0]!.id;
        expect(kind.scriptBindings).toEqual([
            { name: "SESSIONS", type: "kv_namespace", namespaceId: id },
            { name: "SESSIONS_RO", type: "kv_namespace", namespaceId: id },
        ]);
        const versioned = kind.find(KV, "svcv-sessions").id;
        expect(kind.versionBindings).toEqual([
            { name: "SESSIONS", type: "kv_namespace", namespaceId: versioned },
            { name: "SESSIONS_RO", type: "kv_namespace", namespaceId: versioned },
        ]);
        expect(kind.summary.bindings).toEqual([{ name: "SESSIONS", kind: "kv", target: id }, { name: "SESSIONS_RO", kind: "kv" }]);
    });

    it("writes both entries with the one id, which wrangler deploy --dry-run accepts", async () => {
        const config = kind.summary.wranglerConfig.config;
        const id = kind.find(KV, "svc-sessions").id;
        expect(config.kv_namespaces).toEqual([{ binding: "SESSIONS", id }, { binding: "SESSIONS_RO", id }]);
        const run = await dryRun(config);
        expect(run.code, `${run.stdout}\n${run.stderr}`).toBe(0);
        expect(run.stdout).toContain("env.SESSIONS_RO");
    }, 60_000);

    it("checks the shared binding like any namespace", async () => {
        const fake = { get: async () => null };
        const checks = await healthOf(SHARED, { SESSIONS: fake, SESSIONS_RO: fake });
        expect(Object.keys(checks)).toEqual(["env", "SESSIONS", "SESSIONS_RO"]);
        expect(checks.SESSIONS_RO!.status).toBe("ok");
        expect((await healthOf(SHARED, { SESSIONS: fake, SESSIONS_RO: {} })).SESSIONS_RO!.status).toBe("fail");
    });
});

describe("importer", () => {
    it("declares the second of two entries with one id as sameAs the first, adopting the namespace once", () => {
        const result = importConfig({
            account_id: ACCOUNT,
            kv_namespaces: [{ binding: "CACHE", id: ID_A }, { binding: "OTHER", id: ID_B }, { binding: "CACHE_ALIAS", id: ID_A }],
        });
        expect(result.declaration.bindings).toEqual({ CACHE: { kind: "kv" }, OTHER: { kind: "kv" }, CACHE_ALIAS: { kind: "kv", sameAs: "CACHE" } });
        expect(notesAt(result, "kv_namespaces[2]")).toEqual([
            `changed kv_namespaces[2].id: shares namespace ${ID_A} with "CACHE": declared as { kind: "kv", sameAs: "CACHE" } (one namespace per stack, bound under both names)`,
        ]);
        expect(Object.keys(result.stacks[0]!.imports)).toEqual(["CACHE", "OTHER"]);
        // Round trip: the generated config binds both names to the adopted namespace.
        const declaration = defineService(toDeclarationInput(result.declaration));
        const config = generateWranglerConfig({
            declaration, scriptName: "svc-production", serviceDir: "services/svc",
            settings: { routes: [], customDomains: [], vars: {}, workersDev: true, crons: [], observability: { enabled: true, headSamplingRate: 1 }, protect: true },
            resources: { CACHE: { kind: "kv", id: ID_A }, OTHER: { kind: "kv", id: ID_B } },
            serviceScripts: {},
        }).config;
        expect(config.kv_namespaces).toEqual([{ binding: "CACHE", id: ID_A }, { binding: "OTHER", id: ID_B }, { binding: "CACHE_ALIAS", id: ID_A }]);
    });

    it("keeps entries apart when their shared id is a placeholder, and notes an environment that shares differently", () => {
        const placeholders = importConfig({ kv_namespaces: [{ binding: "A", id: "<KV namespace id here>" }, { binding: "B", id: "<KV namespace id here>" }] });
        expect(placeholders.declaration.bindings).toEqual({ A: { kind: "kv" }, B: { kind: "kv" } });
        const result = importConfig({
            env: {
                production: { kv_namespaces: [{ binding: "A", id: ID_A }, { binding: "B", id: ID_A }] },
                staging: { kv_namespaces: [{ binding: "A", id: ID_A }, { binding: "B", id: ID_B }] },
            },
        });
        expect(result.declaration.bindings).toEqual({ A: { kind: "kv" }, B: { kind: "kv", sameAs: "A" } });
        expect(notesAt(result, "env.staging.kv_namespaces[1]")).toEqual([
            'changed env.staging.kv_namespaces[1]: differs from env.production ({"kind":"kv","sameAs":"A"} there, {"kind":"kv"} here); one declaration serves every stack: declared as in env.production',
        ]);
    });
});
