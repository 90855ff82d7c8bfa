/**
 * mTLS client certificates (components/bindings/mtlsCertificate.ts): a certificate uploaded to the account,
 * referenced by id. Declaration, the script and version binding under the mock engine, the wrangler entry and
 * wrangler's dry run, the importer, and the health check.
 */
import { beforeAll, describe, expect, it } from "vitest";
import { declarationIssues, declare, dryRun, generate, healthOf, importConfig, notesAt, runKind, type KindRun } from "../helpers/kindHarness";

const CERTIFICATE_ID = "2458ce5a-0c35-4c7f-82c7-8e9487d3ff60";
const CERT = { kind: "mtlsCertificate", certificateId: CERTIFICATE_ID } as const;

describe("declaration", () => {
    it("takes the uploaded certificate's id", () => {
        expect(declare({ CERT }).bindings.CERT).toEqual(CERT);
    });

    it("rejects an id that is not a lowercase UUID, or none, with the path", () => {
        expect(declarationIssues({ A: { kind: "mtlsCertificate", certificateId: "my-cert" }, B: { kind: "mtlsCertificate" } as never })).toEqual([
            { path: "services.svc.bindings.A.certificateId", message: 'expected an mTLS certificate id, a lowercase UUID (`npx wrangler mtls-certificate list`), got string ("my-cert")' },
            { path: "services.svc.bindings.B.certificateId", message: "expected string, got nothing (the field is required)" },
        ]);
    });
});

describe("under the mock engine", () => {
    let kind: KindRun;
    beforeAll(async () => {
        kind = await runKind({ CERT });
    });

    it("binds the certificate to the WorkersScript and the WorkerVersion in the provider's shape, creating nothing", () => {
        const expected = [{ name: "CERT", type: "mtls_certificate", certificateId: CERTIFICATE_ID }];
        expect(kind.scriptBindings).toEqual(expected);
        expect(kind.versionBindings).toEqual(expected);
        expect(kind.run.resources.filter((r) => r.custom && r.parent === kind.component.urn && !r.type.startsWith("cloudflare:index/workersScript"))).toEqual([]);
        expect(kind.summary.bindings).toEqual([{ name: "CERT", kind: "mtlsCertificate", target: CERTIFICATE_ID }]);
    });

    it("writes an mtls_certificates entry that wrangler deploy --dry-run accepts", async () => {
        const config = kind.summary.wranglerConfig.config;
        expect(config.mtls_certificates).toEqual([{ binding: "CERT", certificate_id: CERTIFICATE_ID }]);
        const run = await dryRun(config);
        expect(run.code, `${run.stdout}\n${run.stderr}`).toBe(0);
        expect(run.stdout).toContain(`env.CERT (${CERTIFICATE_ID})`);
    }, 60_000);
});

describe("import", () => {
    it("reads mtls_certificates and reports remote", () => {
        const result = importConfig({ mtls_certificates: [{ binding: "CERT", certificate_id: CERTIFICATE_ID, remote: true }] });
        expect(result.declaration.bindings).toEqual({ CERT });
        expect(notesAt(result, "mtls_certificates")).toEqual([
            "unsupported mtls_certificates[0].remote: local-development mode is not part of service declarations (the generated wrangler.jsonc uses wrangler's local simulation where it has one); not imported",
        ]);
    });

    it("reports an id that is not one, and a missing id with its path", () => {
        const result = importConfig({ mtls_certificates: [{ binding: "CERT", certificate_id: "<certificate id here>" }] });
        expect(result.declaration.bindings).toEqual({});
        expect(notesAt(result, "mtls_certificates")).toEqual([
            'unsupported mtls_certificates[0].certificate_id: "<certificate id here>" is not an mTLS certificate id (a lowercase UUID); binding not imported',
        ]);
        expect(() => importConfig({ mtls_certificates: [{ binding: "CERT" }] })).toThrow(/mtls_certificates\[0\]\.certificate_id: /);
    });

    it("round-trips: import → generate keeps the binding", () => {
        const raw = { mtls_certificates: [{ binding: "CERT", certificate_id: CERTIFICATE_ID }] };
        const config = generate(importConfig(raw).declaration.bindings);
        expect(config.mtls_certificates).toEqual(raw.mtls_certificates);
    });
});

describe("health check", () => {
    it("passes when the binding has fetch(), making no request", async () => {
        let calls = 0;
        expect((await healthOf({ CERT }, { CERT: { fetch: async () => { calls += 1; return new Response(); } } })).CERT).toMatchObject({ status: "ok" });
        expect(calls).toBe(0);
    });

    it("fails when the binding is missing or something else", async () => {
        expect((await healthOf({ CERT }, {})).CERT).toMatchObject({ status: "fail", message: "binding is missing from env; expected an mTLS certificate binding" });
        expect((await healthOf({ CERT }, { CERT: {} })).CERT).toMatchObject({ status: "fail", message: "binding is not an mTLS certificate binding (it has no fetch())" });
    });
});
