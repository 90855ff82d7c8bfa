/**
 * Secrets Store secrets (components/bindings/secretsStoreSecret.ts): an account-level secret referenced by
 * store id and name; its value never reaches the platform. Declaration, the script and version binding under
 * the mock engine, the wrangler entry and wrangler's dry run, the importer, and the health check.
 */
import { beforeAll, describe, expect, it } from "vitest";
import { declarationIssues, declare, dryRun, generate, healthOf, importConfig, notesAt, runKind, type KindRun } from "../helpers/kindHarness";

const STORE_ID = "8876bad33f164462bf0743fe8adf98f4";
const API_KEY = { kind: "secretsStoreSecret", storeId: STORE_ID, secretName: "payments-api-key" } as const;
const VALUE = "sk_live_value-that-must-never-appear";

describe("declaration", () => {
    it("takes the store id and the secret's name", () => {
        expect(declare({ API_KEY }).bindings.API_KEY).toEqual(API_KEY);
    });

    it("rejects a store id that is not one and an empty or spaced name, with their paths", () => {
        expect(declarationIssues({ A: { kind: "secretsStoreSecret", storeId: "store-1", secretName: "api key" } })).toEqual([
            { path: "services.svc.bindings.A.storeId", message: 'expected a Secrets Store id, 32 lowercase hex characters (`npx wrangler secrets-store store list`), got string ("store-1")' },
            { path: "services.svc.bindings.A.secretName", message: 'expected a secret name: no spaces, not empty, got string ("api key")' },
        ]);
    });
});

describe("under the mock engine", () => {
    let kind: KindRun;
    beforeAll(async () => {
        kind = await runKind({ API_KEY });
    });

    it("binds the secret to the WorkersScript and the WorkerVersion in the provider's shape, creating nothing", () => {
        const expected = [{ name: "API_KEY", type: "secrets_store_secret", storeId: STORE_ID, secretName: "payments-api-key" }];
        expect(kind.scriptBindings).toEqual(expected);
        expect(kind.versionBindings).toEqual(expected);
        expect(kind.run.resources.filter((r) => r.custom && r.parent === kind.component.urn && !r.type.startsWith("cloudflare:index/workersScript"))).toEqual([]);
        expect(kind.summary.bindings).toEqual([{ name: "API_KEY", kind: "secretsStoreSecret", target: `${STORE_ID}/payments-api-key` }]);
    });

    it("writes a secrets_store_secrets entry that wrangler deploy --dry-run accepts", async () => {
        const config = kind.summary.wranglerConfig.config;
        expect(config.secrets_store_secrets).toEqual([{ binding: "API_KEY", store_id: STORE_ID, secret_name: "payments-api-key" }]);
        expect(kind.summary.wranglerConfig.secretNames).toEqual([]);
        const run = await dryRun(config);
        expect(run.code, `${run.stdout}\n${run.stderr}`).toBe(0);
        expect(run.stdout).toContain(`env.API_KEY (${STORE_ID}/payments-api-key)`);
    }, 60_000);
});

describe("import", () => {
    it("reads secrets_store_secrets", () => {
        const result = importConfig({ secrets_store_secrets: [{ binding: "API_KEY", store_id: STORE_ID, secret_name: "payments-api-key" }] });
        expect(result.declaration.bindings).toEqual({ API_KEY });
        expect(notesAt(result, "secrets_store_secrets")).toEqual([]);
    });

    it("reports a store id that is not one, and a missing secret name with its path", () => {
        const result = importConfig({ secrets_store_secrets: [{ binding: "API_KEY", store_id: "<STORE_ID>", secret_name: "k" }] });
        expect(result.declaration.bindings).toEqual({});
        expect(notesAt(result, "secrets_store_secrets")).toEqual([
            'unsupported secrets_store_secrets[0].store_id: "<STORE_ID>" is not a Secrets Store id (32 lowercase hex characters); binding not imported',
        ]);
        expect(() => importConfig({ secrets_store_secrets: [{ binding: "API_KEY", store_id: STORE_ID }] })).toThrow(/secrets_store_secrets\[0\]\.secret_name: /);
    });

    it("round-trips: import → generate keeps the binding", () => {
        const raw = { secrets_store_secrets: [{ binding: "API_KEY", store_id: STORE_ID, secret_name: "payments-api-key" }] };
        const config = generate(importConfig(raw).declaration.bindings);
        expect(config.secrets_store_secrets).toEqual(raw.secrets_store_secrets);
    });
});

describe("health check", () => {
    it("reads the secret with get() and never reports its value", async () => {
        const checks = await healthOf({ API_KEY }, { API_KEY: { get: async () => VALUE } });
        expect(checks.API_KEY).toEqual({ status: "ok", latencyMs: expect.any(Number) });
        expect(JSON.stringify(checks)).not.toContain(VALUE);
    });

    it("fails when get() fails or returns no string, or the binding is missing", async () => {
        const checks = await healthOf({ A: { ...API_KEY }, B: { ...API_KEY }, C: { ...API_KEY } }, {
            A: { get: async () => { throw new Error("secret not found in store"); } },
            B: { get: async () => undefined },
        });
        expect(checks.A).toMatchObject({ status: "fail", message: "get() of the secret failed: secret not found in store" });
        expect(checks.B).toMatchObject({ status: "fail", message: "get() of the secret returned no string" });
        expect(checks.C).toMatchObject({ status: "fail", message: "binding is missing from env; expected a Secrets Store secret" });
    });
});
