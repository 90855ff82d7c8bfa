/**
 * Adopting live resources: the provider import id formats (from @pulumi/cloudflare's "## Import"
 * sections), placeholder detection, and `platform:services.<name>.import` in the stack config — its
 * schema, its checks against the declaration (every problem with its path), and what reaches WorkerService.
 */
import * as path from "node:path";
import { describe, expect, it } from "vitest";
import { z } from "zod";
import { defineService } from "../components/service/declaration";
import { WorkerService } from "../components/cloudflare/workerService";
import { ValidationError } from "../components/validation";
import { isPlaceholderId, parseImportId } from "../components/bindings/adoption";
import { d1 } from "../components/bindings/d1";
import { kv } from "../components/bindings/kv";
import { r2 } from "../components/bindings/r2";
import { loadStackConfig } from "../infra/config";
import { resolveServices } from "../infra/resolve";
import { runOffline } from "../tools/lib/mockEngine";

const ACCOUNT = "0123456789abcdef0123456789abcdef";
const OTHER_ACCOUNT = "fedcba9876543210fedcba9876543210";
const KV_ID = "2222bbbb2222bbbb2222bbbb2222bbbb";
const D1_ID = "9d8c7b6a-5f4e-4d3c-8b2a-1f0e9d8c7b6a";

describe("provider import ids", () => {
    it("builds the formats of the provider's import docs", () => {
        expect(kv.adoption!.importId(ACCOUNT, KV_ID, { kind: "kv" })).toBe(`${ACCOUNT}/${KV_ID}`);
        expect(d1.adoption!.importId(ACCOUNT, D1_ID, { kind: "d1" })).toBe(`${ACCOUNT}/${D1_ID}`);
        expect(r2.adoption!.importId(ACCOUNT, "invoices", { kind: "r2" })).toBe(`${ACCOUNT}/invoices/default`);
        expect(r2.adoption!.importId(ACCOUNT, "invoices", { kind: "r2", jurisdiction: "eu" })).toBe(`${ACCOUNT}/invoices/eu`);
    });

    it.each([
        ["kv", `${ACCOUNT}/${KV_ID}`, { accountId: ACCOUNT, resourceId: KV_ID, rest: [] }],
        ["d1", `${ACCOUNT}/${D1_ID}`, { accountId: ACCOUNT, resourceId: D1_ID, rest: [] }],
        ["r2", `${ACCOUNT}/invoices/fedramp`, { accountId: ACCOUNT, resourceId: "invoices", rest: ["fedramp"] }],
    ] as const)("parses a valid %s id", (kind, id, parts) => {
        expect(parseImportId(kind, id)).toEqual(parts);
    });

    it.each([
        ["kv", KV_ID, "expected <account_id>/<namespace_id> (2 parts separated by /)"],
        ["kv", `${ACCOUNT}/${D1_ID}`, "a namespace id is 32 lowercase hex characters"],
        ["kv", `my-account/${KV_ID}`, "the account id must be 32 lowercase hex characters"],
        ["d1", `${ACCOUNT}/${KV_ID}`, "a database id is a lowercase UUID"],
        ["r2", `${ACCOUNT}/invoices`, "expected <account_id>/<bucket_name>/<jurisdiction> (3 parts separated by /)"],
        ["r2", `${ACCOUNT}/Invoices_2024/default`, "a bucket name is 3 to 63 lowercase letters"],
        ["r2", `${ACCOUNT}/invoices/mars`, "the jurisdiction is one of default, eu, fedramp, us"],
    ] as const)("rejects a %s id %s", (kind, id, problem) => {
        const parsed = parseImportId(kind, id);
        expect("problem" in parsed && parsed.problem).toContain(problem);
    });

    it.each(["", "  ", "<id>", "<KV namespace id here>", "${DATABASE_ID}", "xxx", "xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx", "1e...", "41…", "REPLACE_ME", "your-kv-id", "placeholder"])(
        "treats %j as a placeholder", (id) => expect(isPlaceholderId(id)).toBe(true));

    it.each([KV_ID, D1_ID, "orders-invoices", "DEV_KV", "some-kv-id", "1"])("does not treat %j as a placeholder (format checks reject the odd ones)", (id) => {
        expect(isPlaceholderId(id)).toBe(false);
    });
});

const orders = defineService({
    name: "orders",
    main: "src/index.js",
    compatibilityDate: "2025-06-01",
    bindings: {
        CACHE: { kind: "kv" },
        DB: { kind: "d1" },
        INVOICES: { kind: "r2", jurisdiction: "eu" },
        COUNTER: { kind: "durableObject", className: "Counter" },
        LOG_LEVEL: { kind: "var", value: "info" },
    },
    durableObjectMigrations: [{ tag: "v1", newSqliteClasses: ["Counter"] }],
    env: z.object({ LOG_LEVEL: z.string() }),
});

function resolveWith(imports: unknown) {
    const config = loadStackConfig({
        "platform:accountId": ACCOUNT,
        "platform:services": JSON.stringify({ orders: { import: imports } }),
    }, () => false);
    return resolveServices("production", config, [{ declaration: orders, root: "/repo/services/orders" }], "/repo")[0]!;
}

function issuesOf(imports: unknown): { path: string; message: string }[] {
    try {
        resolveWith(imports);
    } catch (error) {
        expect(error).toBeInstanceOf(ValidationError);
        return [...(error as ValidationError).issues];
    }
    throw new Error("expected a ValidationError");
}

describe("platform:services.<name>.import", () => {
    it("accepts ids and { id, name }, and hands WorkerService each resource with its name (R2's from the id)", () => {
        const service = resolveWith({
            CACHE: { id: `${ACCOUNT}/${KV_ID}`, name: "orders-cache" },
            DB: { id: `${ACCOUNT}/${D1_ID}`, name: "orders-production" },
            INVOICES: `${ACCOUNT}/orders-invoices/eu`,
        });
        expect(service.imports).toEqual({
            CACHE: { id: `${ACCOUNT}/${KV_ID}`, name: "orders-cache" },
            DB: { id: `${ACCOUNT}/${D1_ID}`, name: "orders-production" },
            INVOICES: { id: `${ACCOUNT}/orders-invoices/eu`, name: "orders-invoices" },
        });
        expect(resolveWith(undefined).imports).toBeUndefined();
    });

    it("rejects entries of the wrong shape in the schema, with their paths", () => {
        expect(issuesOf({ CACHE: 42, DB: { id: `${ACCOUNT}/${D1_ID}`, title: "x" }, "my-binding": `${ACCOUNT}/${KV_ID}`, INVOICES: { id: "invoices" } })).toEqual([
            { path: "platform:services.orders.import.CACHE", message: "expected object, got number (42)" },
            { path: "platform:services.orders.import.DB.title", message: "unknown key; remove it or check its spelling" },
            { path: "platform:services.orders.import.my-binding", message: 'invalid key "my-binding": expected a binding name' },
            {
                path: "platform:services.orders.import.INVOICES.id",
                message: 'expected a provider import id: <account_id>/<namespace_id> (kv), <account_id>/<database_id> (d1), <account_id>/<bucket_name>/<jurisdiction> (r2), <account_id>/<workflow_name> (workflow) or <account_id>/<queue_id> (queue), got string ("invoices")',
            },
        ]);
    });

    it("checks every entry against the declaration and the stack's account", () => {
        expect(issuesOf({
            NOPE: `${ACCOUNT}/${KV_ID}`,
            COUNTER: `${ACCOUNT}/${KV_ID}`,
            CACHE: `${ACCOUNT}/${D1_ID}`,
            DB: `${OTHER_ACCOUNT}/${D1_ID}`,
            INVOICES: { id: `${ACCOUNT}/orders-invoices/default`, name: "other-bucket" },
        })).toEqual([
            { path: "platform:services.orders.import.NOPE", message: 'service orders declares no binding "NOPE"; import keys are kv, d1, r2, workflow or queue binding names' },
            { path: "platform:services.orders.import.COUNTER", message: 'binding "COUNTER" is a durableObject; only kv, d1, r2, workflow and queue bindings have a resource to import' },
            { path: "platform:services.orders.import.CACHE.id", message: `expected <account_id>/<namespace_id>: a namespace id is 32 lowercase hex characters, got "${D1_ID}"` },
            { path: "platform:services.orders.import.DB.id", message: `the account id ${OTHER_ACCOUNT} is not the stack's platform:accountId ${ACCOUNT}` },
            { path: "platform:services.orders.import.INVOICES.name", message: 'an R2 bucket keeps the name in its id ("orders-invoices"); remove name or make it equal' },
            { path: "platform:services.orders.import.INVOICES.id", message: 'the jurisdiction "default" differs from the binding\'s ("eu"); a bucket\'s jurisdiction cannot change' },
        ]);
    });

    it("refuses to adopt one resource twice", () => {
        const twice = defineService({ ...orders, name: "twice", bindings: { A: { kind: "kv" }, B: { kind: "kv" } }, env: z.object({}), durableObjectMigrations: [] });
        const config = loadStackConfig({
            "platform:accountId": ACCOUNT,
            "platform:services": JSON.stringify({ twice: { import: { A: `${ACCOUNT}/${KV_ID}`, B: `${ACCOUNT}/${KV_ID}` } } }),
        }, () => false);
        expect(() => resolveServices("production", config, [{ declaration: twice, root: "/repo/services/twice" }], "/repo"))
            .toThrow('platform:services.twice.import.B.id: binding "A" already adopts this resource; a resource can be adopted once');
    });
});

describe("WorkerService imports", () => {
    it("refuses an import for a binding without a resource (a programming error the resolver prevents)", async () => {
        const root = path.join(__dirname, "fixtures", "workers", "basic");
        await expect(runOffline({
            project: "platform",
            stack: "production",
            config: { config: {}, secretKeys: [] },
            program: () => {
                new WorkerService("orders", {
                    accountId: ACCOUNT, declaration: orders, root, serviceDir: "services/orders", scriptName: "orders-production",
                    settings: { routes: [], customDomains: [], vars: {}, workersDev: false, crons: [], observability: { enabled: true, headSamplingRate: 1 }, protect: true },
                    imports: { COUNTER: { id: `${ACCOUNT}/${KV_ID}` } },
                });
                return {};
            },
        })).rejects.toThrow("WorkerService orders: imports.COUNTER is not a kv, d1, r2, workflow or queue binding");
    });
});
