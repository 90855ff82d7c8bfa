/**
 * The importer's promise on wrangler configs it has never seen (`npm run import`): every binding name of
 * every kind, in every section (the top level and each `env.<name>`, mapped to a stack or not), is either
 * a binding of the written declaration or named in the report, in that section's group, with the reason;
 * the command exits 0 and prints no stack trace.
 *
 * The configs are synthetic, written for this test: together they use every wrangler key that declares
 * bindings (wrangler 4.86's `friendlyBindingNames`, plus `secrets.required` and wrangler 1's
 * `kv-namespaces`), supported by the platform or not, in odd places: bindings only in environments, a top
 * level no stack takes, an environment whose stack another one feeds, legacy wrangler 1 keys, and names that
 * cannot be binding names. Each case lists, by hand, the binding names of each of its sections.
 */
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { importCase } from "./helpers/importCommand";

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), "import-wild-"));
afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));

interface WildCase {
    readonly title: string;
    /** File name (the extension picks the format) and text. */
    readonly file: string;
    readonly text: string;
    /** Binding names per section, by the report's group label (`top level`, `env.production`). */
    readonly bindings: Readonly<Record<string, readonly string[]>>;
    /** Bindings that must be refused (named in the report, not declared), with a phrase of the reason. */
    readonly refused?: Readonly<Record<string, string>>;
}

const HEX = "0123456789abcdef0123456789abcdef";
const UUID = "5c1e0f4a-1b2c-4d3e-8f90-a1b2c3d4e5f6";

const CASES: readonly WildCase[] = [
    {
        title: "every wrangler binding key at the top level (TOML)",
        file: "wrangler.toml",
        text: `name = "kitchen-sink"
main = "src/index.ts"
compatibility_date = "2025-06-01"

[vars]
GREETING = "hello"
LIMITS = { daily = 10 }

[secrets]
required = ["API_TOKEN"]

[[kv_namespaces]]
binding = "SESSIONS"
id = "${HEX}"
preview_id = "${HEX}"

[[d1_databases]]
binding = "ORDERS_DB"
database_name = "orders"
database_id = "${UUID}"
preview_database_id = "local-orders"

[[r2_buckets]]
binding = "UPLOADS"
bucket_name = "uploads"

[[durable_objects.bindings]]
name = "ROOMS"
class_name = "Room"

[[migrations]]
tag = "v1"
new_sqlite_classes = ["Room"]

[[services]]
binding = "AUTH"
service = "auth-worker"

[[workflows]]
binding = "CHECKOUT"
name = "checkout"
class_name = "Checkout"

[[queues.producers]]
binding = "JOBS"
queue = "jobs"

[[queues.consumers]]
queue = "jobs"
max_batch_size = 5

[assets]
directory = "./public"
binding = "STATIC"

[[vectorize]]
binding = "EMBEDDINGS"
index_name = "embeddings"

[[analytics_engine_datasets]]
binding = "METRICS"
dataset = "metrics"

[[dispatch_namespaces]]
binding = "TENANTS"
namespace = "tenants"

[[mtls_certificates]]
binding = "CLIENT_CERT"
certificate_id = "${UUID}"

[[secrets_store_secrets]]
binding = "STRIPE_KEY"
store_id = "${HEX}"
secret_name = "stripe"

[ai]
binding = "AI"

[browser]
binding = "BROWSER"

[images]
binding = "IMAGES"

[version_metadata]
binding = "VERSION"

[[unsafe.bindings]]
name = "LEGACY_LIMITER"
type = "ratelimit"
namespace_id = "1001"
simple = { limit = 10, period = 60 }

[[unsafe.bindings]]
name = "INTERNAL_THING"
type = "internal_capability"

[[hyperdrive]]
binding = "PG"
id = "${HEX}"

[[ratelimits]]
name = "LIMITER"
namespace_id = "1002"
simple = { limit = 100, period = 10 }

[[send_email]]
name = "MAILER"
destination_address = "ops@example.com"

[[pipelines]]
binding = "EVENTS"
pipeline = "events"

[[ai_search_namespaces]]
binding = "SEARCH_NS"
namespace = "docs"

[[ai_search]]
binding = "SEARCH"
instance_name = "docs"

[[artifacts]]
binding = "ARTIFACTS"

[[unsafe_hello_world]]
binding = "HELLO"

[[flagship]]
binding = "FLAGS"

[[worker_loaders]]
binding = "LOADER"

[[vpc_services]]
binding = "PRIVATE_API"
service_id = "svc-1"

[[vpc_networks]]
binding = "PRIVATE_NET"
network_id = "net-1"

[stream]
binding = "STREAM"

[media]
binding = "MEDIA"

[[logfwdr.bindings]]
name = "LOGS"
destination = "logs"

[wasm_modules]
PARSER = "parser.wasm"

[text_blobs]
TEMPLATE = "template.html"

[data_blobs]
FONT = "font.bin"
`,
        bindings: {
            "top level": [
                "GREETING", "LIMITS", "API_TOKEN", "SESSIONS", "ORDERS_DB", "UPLOADS", "ROOMS", "AUTH", "CHECKOUT", "JOBS", "STATIC",
                "EMBEDDINGS", "METRICS", "TENANTS", "CLIENT_CERT", "STRIPE_KEY", "AI", "BROWSER", "IMAGES", "VERSION", "LEGACY_LIMITER",
                "INTERNAL_THING", "PG", "LIMITER", "MAILER", "EVENTS", "SEARCH_NS", "SEARCH", "ARTIFACTS", "HELLO", "FLAGS", "LOADER",
                "PRIVATE_API", "PRIVATE_NET", "STREAM", "MEDIA", "LOGS", "PARSER", "TEMPLATE", "FONT",
            ],
        },
        refused: {
            INTERNAL_THING: 'unsafe binding type "internal_capability" is not supported',
            EVENTS: "Pipelines bindings have no platform binding kind",
            LOADER: "Worker Loader (dynamic Worker) bindings have no platform binding kind",
            STREAM: "Stream bindings have no platform binding kind",
            LOGS: "logfwdr bindings are internal to Cloudflare",
            PARSER: "service-worker format WebAssembly modules are not supported",
        },
    },
    {
        title: "bindings spread over environments, a top level no stack takes, and two environments one stack name (JSONC)",
        file: "wrangler.jsonc",
        text: `// Hand-written: production and staging come from environments, so the top level feeds no stack.
{
  "name": "storefront",
  "main": "src/worker.ts",
  "compatibility_date": "2025-03-01",
  "vars": { "TOP_ONLY": "1" },
  "kv_namespaces": [{ "binding": "TOP_CACHE", "id": "${HEX}" }],
  "pipelines": [{ "binding": "TOP_PIPE", "pipeline": "p" }],
  "env": {
    "production": {
      "vars": { "MODE": "live" },
      "kv_namespaces": [{ "binding": "CACHE", "id": "${HEX}" }],
      "ai": { "binding": "AI" },
      "worker_loaders": [{ "binding": "LOADER" }],
      "queues": { "producers": [{ "binding": "ORDERS", "queue": "orders" }] },
    },
    "staging": {
      "vars": { "MODE": "test", "STAGING_ONLY": "yes" },
      "kv_namespaces": [{ "binding": "CACHE" }],
      "d1_databases": [{ "binding": "DB", "database_name": "shop-staging" }],
      // A var in production, a KV namespace here: one name has one kind in every stack.
      "r2_buckets": [{ "binding": "MODE_BUCKET", "bucket_name": "modes" }],
    },
    "feature_x": { "vars": { "FLAG_X": "on" }, "browser": { "binding": "BROWSER" } },
    "feature-x": { "vars": { "FLAG_DASH": "on" }, "images": { "binding": "IMAGES" } },
  },
}
`,
        bindings: {
            "top level": ["TOP_ONLY", "TOP_CACHE", "TOP_PIPE"],
            "env.production": ["MODE", "CACHE", "AI", "LOADER", "ORDERS"],
            "env.staging": ["MODE", "STAGING_ONLY", "CACHE", "DB", "MODE_BUCKET"],
            "env.feature_x": ["FLAG_X", "BROWSER"],
            "env.feature-x": ["FLAG_DASH", "IMAGES"],
        },
        refused: {
            TOP_ONLY: "the top level feeds no stack",
            TOP_CACHE: "the top level feeds no stack",
            TOP_PIPE: "the top level feeds no stack",
            FLAG_DASH: "feeds no stack",
        },
    },
    {
        title: "names that cannot be binding names, and names that collide",
        file: "wrangler.jsonc",
        text: `{
  "name": "names",
  "main": "src/index.ts",
  "compatibility_date": "2025-01-01",
  "vars": { "API-KEY": "a", "1ST_PLACE": "b", "CAFÉ": "c", "$DOLLAR": "d", "__proto__": "e", "constructor": "f", "OK_VAR": "g" },
  "kv_namespaces": [{ "binding": "my-cache" }, { "binding": "MyKv" }, { "binding": "MYKV" }],
  "services": [{ "binding": "auth service", "service": "auth" }],
  "durable_objects": { "bindings": [{ "name": "rooms.v2", "class_name": "Room" }] },
  "migrations": [{ "tag": "v1", "new_sqlite_classes": ["Room"] }],
  "unsafe": { "bindings": [{ "name": "workers-asset-worker", "type": "service", "service": "x" }] },
  "ratelimits": [{ "name": "rate limiter", "namespace_id": "7", "simple": { "limit": 5, "period": 60 } }],
}
`,
        bindings: {
            "top level": ["API-KEY", "1ST_PLACE", "CAFÉ", "$DOLLAR", "__proto__", "constructor", "OK_VAR", "my-cache", "MyKv", "MYKV", "auth service", "rooms.v2", "workers-asset-worker", "rate limiter"],
        },
        refused: {
            "API-KEY": "is not a binding name: the platform takes ASCII letters, digits and _",
            "1ST_PLACE": "not starting with a digit",
            "CAFÉ": "is not a binding name",
            "$DOLLAR": "is not a binding name",
            __proto__: "JavaScript objects (the Worker's env, the declaration's bindings) do not keep as a property",
            "my-cache": "is not a binding name",
            MYKV: 'collides with "MyKv"',
            "auth service": "is not a binding name",
            "rooms.v2": "is not a binding name",
            "rate limiter": "is not a binding name",
        },
    },
    {
        title: "a legacy wrangler 1 config: kv-namespaces, Workers Sites, service-worker modules, no main",
        file: "wrangler.toml",
        text: `name = "legacy-site"
type = "webpack"
account_id = "${HEX}"
workers_dev = true
compatibility_date = "2021-11-01"
kv-namespaces = [ { binding = "OLD_STORE", id = "${HEX}" } ]

[site]
bucket = "./public"
entry-point = "workers-site"

[build]
command = "npm run build"
[build.upload]
format = "service-worker"

[wasm_modules]
RESIZER = "resizer.wasm"

[env.production]
zone_id = "${HEX}"
route = "legacy.example.com/*"
kv_namespaces = [ { binding = "STORE", id = "${HEX}" } ]
kv-namespaces = [ { binding = "OLD_PROD_STORE", id = "${HEX}" } ]
[env.production.vars]
ENVIRONMENT = "production"
`,
        bindings: {
            "top level": ["OLD_STORE", "RESIZER"],
            "env.production": ["STORE", "OLD_PROD_STORE", "ENVIRONMENT"],
        },
        refused: {
            OLD_STORE: "wrangler 1's name for kv_namespaces",
            OLD_PROD_STORE: "wrangler 1's name for kv_namespaces",
            RESIZER: "service-worker format WebAssembly modules are not supported",
        },
    },
    {
        title: "bindings only in environments, no top-level name, values wrangler deploys anyway",
        file: "wrangler.json",
        text: `{
  "main": "index.js",
  "compatibility_date": "2024-09-23",
  "routes": [{ "pattern": "\${ROUTE}", "zone_id": "<ZONE_ID>" }],
  "env": {
    "prod": {
      "name": "billing-prod",
      "vars": { "TIER": "paid" },
      "services": [{ "binding": "SELF", "service": "billing-prod" }],
      "durable_objects": { "bindings": [{ "name": "NO_MIGRATION", "class_name": "Ghost" }] },
      "containers": [{ "image": "./Dockerfile", "max_instances": 2 }],
      "send_email": [{ "name": "MAIL" }],
      "vpc_services": [{ "binding": "VPC", "service_id": "x" }]
    },
    "dev": {
      "name": "billing-dev",
      "vars": { "TIER": "free", "DEBUG": "1" },
      "hyperdrive": [{ "binding": "PG", "id": "not-an-id", "localConnectionString": "postgres://localhost/db" }]
    }
  }
}
`,
        bindings: {
            "env.prod": ["TIER", "SELF", "NO_MIGRATION", "MAIL", "VPC"],
            "env.dev": ["TIER", "DEBUG", "PG"],
        },
        refused: {
            SELF: "binds the Worker to itself",
            NO_MIGRATION: 'class "Ghost" is not created by any migration',
            VPC: "VPC service bindings have no platform binding kind",
        },
    },
];

/** The report's lines of one section's group (`top level:` or `env.<name>:` up to the next blank line). */
function groupOf(report: string, label: string): string[] {
    const lines = report.split("\n");
    const start = lines.indexOf(`${label}:`);
    if (start < 0) return [];
    const end = lines.indexOf("", start);
    return lines.slice(start + 1, end < 0 ? undefined : end);
}

/** Whether a line names a binding as a whole word (binding names may hold `-`, `.`, `$` or spaces). */
function names(line: string, binding: string): boolean {
    const quoted = binding.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
    return new RegExp(`(^|[^A-Za-z0-9_$])${quoted}($|[^A-Za-z0-9_$])`).test(line);
}

describe("npm run import on wrangler configs it has never seen", () => {
    it("covers every wrangler key that declares bindings", () => {
        const text = CASES.map((c) => c.text).join("\n");
        for (const key of [
            "vars", "secrets", "kv_namespaces", "d1_databases", "r2_buckets", "durable_objects.bindings", "services", "workflows", "queues.producers",
            "assets", "vectorize", "analytics_engine_datasets", "dispatch_namespaces", "mtls_certificates", "secrets_store_secrets", "ai", "browser",
            "images", "version_metadata", "unsafe.bindings", "hyperdrive", "ratelimits", "send_email", "pipelines", "ai_search_namespaces",
            "ai_search", "artifacts", "unsafe_hello_world", "flagship", "worker_loaders", "vpc_services", "vpc_networks", "stream", "media",
            "logfwdr.bindings", "wasm_modules", "text_blobs", "data_blobs", "kv-namespaces",
        ]) {
            expect(text, key).toContain(key);
        }
    });

    it.each(CASES.map((c, i) => [c.title, c, i] as const))("%s: every binding is declared or named in the report", (_title, c, i) => {
        const result = importCase(path.join(tmp, `case-${i}`), c.file, c.text);
        const { out } = result;
        expect(result.code, result.stderr).toBe(0);
        expect(result.stdout + result.stderr).not.toMatch(/\n\s+at .*:\d+:\d+/); // no stack trace

        const manifest = JSON.parse(fs.readFileSync(path.join(out, "import.json"), "utf8")) as { declaration: { bindings: Record<string, unknown> } };
        const declared = new Set(Object.keys(manifest.declaration.bindings));
        const serviceTs = fs.readFileSync(path.join(out, "service.ts"), "utf8");
        for (const name of declared) expect(serviceTs, name).toMatch(new RegExp(`\\n\\s+"?${name.replace(/\$/g, "\\$")}"?: \\{`));

        const missing: string[] = [];
        for (const [label, bindings] of Object.entries(c.bindings)) {
            const group = groupOf(result.stdout, label);
            for (const name of bindings) {
                if (Object.hasOwn(c.refused ?? {}, name)) continue;
                if (declared.has(name) || group.some((line) => names(line, name))) continue;
                missing.push(`${label}: ${name}`);
            }
        }
        expect(missing, result.stdout).toEqual([]);

        // Refused bindings: not declared, and named in the report with the reason.
        for (const [name, reason] of Object.entries(c.refused ?? {})) {
            expect(declared.has(name), `${name} is declared`).toBe(false);
            const lines = Object.keys(c.bindings).flatMap((label) => groupOf(result.stdout, label)).filter((line) => names(line, name));
            expect(lines.some((line) => line.includes(reason)), `${name}: no report line says "${reason}" in:\n${lines.join("\n")}`).toBe(true);
        }
    });
});
