/**
 * The api service: notes stored in D1, cached in KV, attachments in R2, and a per-note view counter in a
 * Durable Object; the environment's PostgreSQL (Neon) through Hyperdrive.
 */
import { defineService } from "../../components/service/declaration";
import { apiEnv } from "./contract";

export default defineService({
    name: "api",
    main: "src/index.ts",
    compatibilityDate: "2026-04-01",
    // nodejs_compat: the Postgres client (postgres.js) behind the DATABASE health check needs it.
    compatibilityFlags: ["global_fetch_strictly_public", "nodejs_compat"],
    version: "1.4.0",
    bindings: {
        CACHE: { kind: "kv" },
        DB: { kind: "d1", migrationsDir: "migrations" },
        FILES: { kind: "r2" },
        COUNTER: { kind: "durableObject", className: "Counter" },
        DATABASE: { kind: "hyperdrive" },
        LOG_LEVEL: { kind: "var", value: "info" },
        PUBLIC_BASE_URL: { kind: "var", value: "http://localhost:8787" },
        SIGNING_KEY: { kind: "secret" },
    },
    durableObjectMigrations: [{ tag: "v1", newSqliteClasses: ["Counter"] }],
    env: apiEnv,
    health: { path: "/health" },
    observability: { enabled: true, headSamplingRate: 1 },
});
