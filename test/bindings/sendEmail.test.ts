/**
 * Email sending (components/bindings/sendEmail.ts): restrictions configured on the binding, nothing created.
 * Declaration, the script and version binding under the mock engine, the wrangler entry and wrangler's dry
 * run, the importer, and the health check.
 */
import { beforeAll, describe, expect, it } from "vitest";
import { declarationIssues, declare, dryRun, generate, healthOf, importConfig, notesAt, runKind, type Bindings, type KindRun } from "../helpers/kindHarness";

const BINDINGS: Bindings = {
    ANY: { kind: "sendEmail" },
    OPS: { kind: "sendEmail", destinationAddress: "ops@example.com" },
    TEAM: { kind: "sendEmail", allowedDestinationAddresses: ["a@example.com", "b@example.com"], allowedSenderAddresses: ["noreply@example.com"] },
};

describe("declaration", () => {
    it("takes optional destination and sender restrictions", () => {
        expect(declare(BINDINGS).bindings).toEqual(BINDINGS);
    });

    it("rejects addresses that are not email addresses, empty lists, and both destination fields, with their paths", () => {
        expect(declarationIssues({
            A: { kind: "sendEmail", destinationAddress: "ops" },
            B: { kind: "sendEmail", allowedSenderAddresses: [] },
            C: { kind: "sendEmail", allowedDestinationAddresses: ["ok@example.com", "nope"] },
        })).toEqual([
            { path: "services.svc.bindings.A.destinationAddress", message: 'expected an email address, got string ("ops")' },
            { path: "services.svc.bindings.B.allowedSenderAddresses", message: "expected at least one email address (omit the field to allow any), got array" },
            { path: "services.svc.bindings.C.allowedDestinationAddresses[1]", message: 'expected an email address, got string ("nope")' },
        ]);
        expect(declarationIssues({ A: { kind: "sendEmail", destinationAddress: "ops@example.com", allowedDestinationAddresses: ["a@example.com"] } })).toEqual([
            { path: "services.svc.bindings.A.allowedDestinationAddresses", message: "set either destinationAddress or allowedDestinationAddresses, not both (Cloudflare accepts one)" },
        ]);
    });
});

describe("under the mock engine", () => {
    let kind: KindRun;
    beforeAll(async () => {
        kind = await runKind(BINDINGS);
    });

    it("binds it to the WorkersScript and the WorkerVersion in the provider's shape, creating nothing", () => {
        const expected = [
            { name: "ANY", type: "send_email" },
            { name: "OPS", type: "send_email", destinationAddress: "ops@example.com" },
            { name: "TEAM", type: "send_email", allowedDestinationAddresses: ["a@example.com", "b@example.com"], allowedSenderAddresses: ["noreply@example.com"] },
        ];
        expect(kind.scriptBindings).toEqual(expected);
        expect(kind.versionBindings).toEqual(expected);
        expect(kind.run.resources.filter((r) => r.custom && r.parent === kind.component.urn && !r.type.startsWith("cloudflare:index/workersScript"))).toEqual([]);
    });

    it("writes send_email entries that wrangler deploy --dry-run accepts", async () => {
        const config = kind.summary.wranglerConfig.config;
        expect(config.send_email).toEqual([
            { name: "ANY" },
            { name: "OPS", destination_address: "ops@example.com" },
            { name: "TEAM", allowed_destination_addresses: ["a@example.com", "b@example.com"], allowed_sender_addresses: ["noreply@example.com"] },
        ]);
        const run = await dryRun(config);
        expect(run.code, `${run.stdout}\n${run.stderr}`).toBe(0);
        expect(run.stdout).toContain("env.OPS (ops@example.com)");
        expect(run.stdout).toContain("env.TEAM (a@example.com, b@example.com - senders: noreply@example.com)");
    }, 60_000);
});

describe("import", () => {
    it("reads send_email entries and reports remote", () => {
        const result = importConfig({
            send_email: [{ name: "UNBOUND_SEND" }, { name: "SPECIFIC_SEND", destination_address: "something@example.com", remote: true }],
        });
        expect(result.declaration.bindings).toEqual({
            UNBOUND_SEND: { kind: "sendEmail" },
            SPECIFIC_SEND: { kind: "sendEmail", destinationAddress: "something@example.com" },
        });
        expect(notesAt(result, "send_email")).toEqual([
            "unsupported send_email[1].remote: local-development mode is not part of service declarations (the generated wrangler.jsonc uses wrangler's local simulation where it has one); not imported",
        ]);
    });

    it("reports an address the platform cannot declare, and rejects what wrangler rejects with the path", () => {
        const result = importConfig({ send_email: [{ name: "MAIL", allowed_sender_addresses: ["not an address"] }] });
        expect(result.declaration.bindings).toEqual({});
        expect(notesAt(result, "send_email")).toEqual([
            'unsupported send_email[0].allowed_sender_addresses: ["not an address"] is not a list of email addresses; binding not imported',
        ]);
        expect(() => importConfig({ send_email: [{ name: "MAIL", destination_address: "a@example.com", allowed_destination_addresses: ["b@example.com"] }] }))
            .toThrow(/send_email\[0\]: has both destination_address and allowed_destination_addresses; wrangler accepts one of them/);
        expect(() => importConfig({ send_email: [{ destination_address: "a@example.com" }] })).toThrow(/send_email\[0\]\.name: /);
    });

    it("round-trips: import → generate keeps the bindings", () => {
        const raw = { send_email: [{ name: "ANY" }, { name: "TEAM", allowed_destination_addresses: ["a@example.com"], allowed_sender_addresses: ["noreply@example.com"] }] };
        const imported = importConfig(raw);
        const config = generate(imported.declaration.bindings);
        expect(config.send_email).toEqual(raw.send_email);
    });
});

describe("health check", () => {
    it("passes when the binding has send(), and sends nothing", async () => {
        const sent: unknown[] = [];
        expect((await healthOf({ MAIL: { kind: "sendEmail" } }, { MAIL: { send: async (m: unknown) => { sent.push(m); } } })).MAIL).toMatchObject({ status: "ok" });
        expect(sent).toEqual([]);
    });

    it("fails when the binding is missing or something else", async () => {
        expect((await healthOf({ MAIL: { kind: "sendEmail" } }, {})).MAIL).toMatchObject({ status: "fail", message: "binding is missing from env; expected a send_email binding" });
        expect((await healthOf({ MAIL: { kind: "sendEmail" } }, { MAIL: {} })).MAIL).toMatchObject({ status: "fail", message: "binding is not a send_email binding (it has no send())" });
    });
});
