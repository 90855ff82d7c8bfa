/**
 * An imported service plans with `import` options on its adopted resources. The fixture
 * (test/fixtures/import/adopt/wrangler.toml: live KV, D1 and R2 in env.staging and env.production) is
 * imported with `npm run import` into a project laid out as the README's migration steps leave it
 * (services/orders/ with the Worker source, Pulumi.yaml, a program listing the service, the stack values
 * merged into Pulumi.<stack>.yaml), then planned: production in-process through `plan()`, staging as
 * `npm run plan -- --cwd <project>` in a child process. The recorded registrations carry the provider
 * import ids and the existing names; nothing else is imported.
 */
import { spawnSync } from "node:child_process";
import { randomBytes } from "node:crypto";
import * as fs from "node:fs";
import * as path from "node:path";
import { parse as parseYaml, stringify as stringifyYaml } from "yaml";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { serviceSummaries, type ServiceSummary } from "../tools/lib/serviceSummaries";
import { PROJECT_ROOT } from "../infra/program";
import type { ResourceRecord } from "../tools/lib/mockEngine";
import { runImport, type RunImportResult } from "../tools/import";
import { plan } from "../tools/plan";

const FIXTURE = path.join(PROJECT_ROOT, "test", "fixtures", "import", "adopt", "wrangler.toml");
const ACCOUNT = "0123456789abcdef0123456789abcdef";
const KV = "cloudflare:index/workersKvNamespace:WorkersKvNamespace";
const D1 = "cloudflare:index/d1Database:D1Database";
const R2 = "cloudflare:index/r2Bucket:R2Bucket";
const workspace = path.join(PROJECT_ROOT, ".platform", `test-import-plan-${randomBytes(4).toString("hex")}`);
const serviceDir = path.join(workspace, "services", "orders");

let imported: RunImportResult;

/** Merges a `stack.<stack>.yaml` into a Pulumi.<stack>.yaml with the keys the user adds by hand. */
function writeStackFile(stack: string, extra: Record<string, unknown>, edit: (config: Record<string, any>) => void = () => {}): void {
    const values = parseYaml(fs.readFileSync(path.join(serviceDir, `stack.${stack}.yaml`), "utf8")) as { config: Record<string, any> };
    const config: Record<string, any> = {
        "cloudflare:apiToken": { secure: "v1:UkVQTEFDRS1NRQ==:cGxhY2Vob2xkZXItY2xvdWRmbGFyZS1hcGktdG9rZW4=" },
        ...values.config,
        ...extra,
        "platform:secrets": { orders: { STRIPE_KEY: { secure: "v1:UkVQTEFDRS1NRQ==:cGxhY2Vob2xkZXItc3RyaXBl" } } },
    };
    edit(config);
    fs.writeFileSync(path.join(workspace, `Pulumi.${stack}.yaml`), stringifyYaml({ config }));
}

beforeAll(() => {
    fs.mkdirSync(path.join(workspace, "services"), { recursive: true });
    // 1. npm run import -- wrangler.toml --out services/orders
    imported = runImport({ file: FIXTURE, out: serviceDir });
    // 2. The Worker's source goes where `main` says.
    fs.mkdirSync(path.join(serviceDir, "src"));
    fs.writeFileSync(path.join(serviceDir, "src", "index.ts"), [
        "export class Counter { constructor(readonly state: unknown) {} async fetch() { return new Response(\"0\"); } }",
        "export default { async fetch() { return new Response(\"ok\"); } };",
        "",
    ].join("\n"));
    // ... and its D1 migrations to the binding's migrationsDir (the platform checks it is a directory).
    fs.mkdirSync(path.join(serviceDir, "db", "migrations"), { recursive: true });
    // 3. A project listing the service (infra/services.ts in this repository).
    fs.writeFileSync(path.join(workspace, "Pulumi.yaml"), "name: platform\nruntime: nodejs\nmain: index.ts\n");
    const program = path.relative(workspace, path.join(PROJECT_ROOT, "infra", "program")).split(path.sep).join("/");
    fs.writeFileSync(path.join(workspace, "index.ts"), [
        'import * as path from "node:path";',
        `import { definePlatform } from "${program}";`,
        'import orders from "./services/orders/service";',
        "",
        'export const services = definePlatform([{ declaration: orders, root: path.join(__dirname, "services", "orders") }]).environment.summary;',
        "",
    ].join("\n"));
    // 4. Merge the stack values; in production, fill in the KV title as the import asks.
    writeStackFile("production", {}, (config) => {
        config["platform:services"].orders.import.CACHE.name = "orders-cache-production";
    });
    writeStackFile("staging", { "platform:zone": { id: "fedcba9876543210fedcba9876543210", name: "example.com" } });
});

afterAll(() => fs.rmSync(workspace, { recursive: true, force: true }));

describe("an imported service", () => {
    let resources: readonly ResourceRecord[];
    let summary: ServiceSummary;

    beforeAll(async () => {
        const result = await plan({ stack: "production", projectDir: workspace, policyPack: false, out: path.join(workspace, ".platform") });
        resources = result.run.resources;
        summary = serviceSummaries(result.run.resources).orders!;
    });

    const only = (type: string) => {
        const found = resources.filter((r) => r.type === type);
        expect(found).toHaveLength(1);
        return found[0]!;
    };

    it("plans production with import options on the adopted KV namespace, D1 database and R2 bucket", () => {
        expect(only(KV).importId).toBe(`${ACCOUNT}/2222bbbb2222bbbb2222bbbb2222bbbb`);
        expect(only(D1).importId).toBe(`${ACCOUNT}/9d8c7b6a-5f4e-4d3c-8b2a-1f0e9d8c7b6a`);
        expect(only(R2).importId).toBe(`${ACCOUNT}/orders-invoices/eu`);
        const others = resources.filter((r) => ![KV, D1, R2].includes(r.type));
        expect(others.length).toBeGreaterThan(3);
        for (const r of others) expect(r.importId, `${r.type} ${r.name}`).toBe("");
    });

    it("keeps the adopted resources' existing names, so their inputs match what exists", () => {
        expect(only(KV).inputs).toMatchObject({ accountId: ACCOUNT, title: "orders-cache-production" });
        expect(only(D1).inputs).toMatchObject({ accountId: ACCOUNT, name: "orders-production" });
        expect(only(R2).inputs).toMatchObject({ accountId: ACCOUNT, name: "orders-invoices", jurisdiction: "eu" });
        for (const r of [only(KV), only(D1), only(R2)]) expect(r.protect, r.type).toBe(true);
    });

    it("carries the production environment's settings and bindings", () => {
        const config = summary.wranglerConfig.config;
        expect(config.routes).toEqual([
            { pattern: "example.com/orders/*", zone_id: "fedcba9876543210fedcba9876543210" },
            { pattern: "orders.example.com", custom_domain: true },
        ]);
        expect(config.vars).toEqual({ LOG_LEVEL: "warn", CURRENCY: "EUR" });
        expect(config.triggers).toEqual({ crons: ["0 3 * * *"] });
        expect(config.observability).toEqual({ enabled: true, head_sampling_rate: 0.5 });
        expect(config.durable_objects).toEqual({ bindings: [{ name: "COUNTER", class_name: "Counter" }] });
        expect(config.migrations).toEqual([{ tag: "v1", new_sqlite_classes: ["Counter"] }]);
        expect((config.d1_databases as { database_name: string }[])[0]!.database_name).toBe("orders-production");
        expect((config.r2_buckets as { bucket_name: string }[])[0]!.bucket_name).toBe("orders-invoices");
        expect(summary.wranglerConfig.secretNames).toEqual(["STRIPE_KEY"]);
    });

    it("plans staging as `npm run plan -- --cwd <project>` and shows the imports like `pulumi preview`", () => {
        const json = path.join(workspace, "staging.json");
        const result = spawnSync(process.execPath, [
            "--import", "tsx", path.join(PROJECT_ROOT, "tools", "plan.ts"),
            "--stack", "staging", "--cwd", workspace, "--no-policies", "--json", json, "--out", path.join(workspace, ".platform"),
        ], { cwd: PROJECT_ROOT, encoding: "utf8", timeout: 120_000 });
        expect(result.status, result.stderr).toBe(0);
        expect(result.stdout).toMatch(/ = .*cloudflare:index:WorkersKvNamespace\s+orders-cache\s+import/);
        expect(result.stdout).toMatch(/ = .*cloudflare:index:D1Database\s+orders-db\s+import/);
        expect(result.stdout).toMatch(/ = .*cloudflare:index:R2Bucket\s+orders-invoices\s+import/);
        expect(result.stdout).toContain("= 3 to import");
        const report = JSON.parse(fs.readFileSync(json, "utf8")) as { resources: { type: string; importId?: string; protect: boolean; inputs: Record<string, unknown> }[] };
        const adopted = Object.fromEntries(report.resources.filter((r) => r.importId !== undefined).map((r) => [r.type, r]));
        expect(Object.keys(adopted).sort()).toEqual([D1, KV, R2].sort());
        expect(adopted[KV]!.importId).toBe(`${ACCOUNT}/1111aaaa1111aaaa1111aaaa1111aaaa`);
        expect(adopted[D1]!.importId).toBe(`${ACCOUNT}/5c1e0f4a-1b2c-4d3e-8f90-a1b2c3d4e5f6`);
        expect(adopted[R2]!.importId).toBe(`${ACCOUNT}/orders-invoices-staging/eu`);
        // No KV title was filled in for staging: the plan uses the platform's name, and the import said so.
        expect(adopted[KV]!.inputs.title).toBe("orders-staging-cache");
        expect(imported.result.notes.some((n) => n.environment === "staging" && n.category === "action" && n.path === "env.staging.kv_namespaces[0].id")).toBe(true);
        expect(adopted[D1]!.inputs.name).toBe("orders-staging");
        // Staging does not protect what it creates, but adopted resources hold data that predates the stack.
        for (const r of Object.values(adopted)) expect(r.protect, r.type).toBe(true);
        expect(report.resources.filter((r) => r.importId === undefined && r.protect)).toEqual([]);
    });

    it("exits 2 on an import map that does not fit the declaration, naming the key", () => {
        writeStackFile("production", {}, (config) => {
            const imports = config["platform:services"].orders.import;
            imports.COUNTER = { id: `${ACCOUNT}/2222bbbb2222bbbb2222bbbb2222bbbb` };
            imports.DB.id = `${ACCOUNT}/not-a-uuid`;
        });
        const result = spawnSync(process.execPath, [
            "--import", "tsx", path.join(PROJECT_ROOT, "tools", "plan.ts"), "--stack", "production", "--cwd", workspace, "--no-policies",
        ], { cwd: PROJECT_ROOT, encoding: "utf8", timeout: 120_000 });
        expect(result.status).toBe(2);
        expect(result.stderr).toContain('  - platform:services.orders.import.COUNTER: binding "COUNTER" is a durableObject; only kv, d1, r2, workflow and queue bindings have a resource to import');
        expect(result.stderr).toContain('  - platform:services.orders.import.DB.id: expected <account_id>/<database_id>: a database id is a lowercase UUID, got "not-a-uuid"');
    });
});
