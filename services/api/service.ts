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
    // The Worker's `env` is derived from these (`src/env.ts`: `EnvOf<typeof declaration, ...>`).
    bindings: {
        /** Workers KV: note cache, `notes/<id>` → JSON note, one hour. */
        CACHE: { kind: "kv" },
        /** D1: the `notes` table (`migrations/`). */
        DB: { kind: "d1", migrationsDir: "migrations" },
        /** R2: uploaded files, by key. */
        FILES: { kind: "r2" },
        /** Durable Object namespace of `Counter` (`src/counter.ts`): one instance per note counts its views. */
        COUNTER: { kind: "durableObject", className: "Counter" },
        /** Hyperdrive: the environment's PostgreSQL (its Neon branch); `connectionString` for a Postgres client. */
        DATABASE: { kind: "hyperdrive" },
        /** Minimum log level; checked by the env contract (`contract.ts`). */
        LOG_LEVEL: { kind: "var", value: "info" },
        /** Origin for links in responses; checked by the env contract. */
        PUBLIC_BASE_URL: { kind: "var", value: "http://localhost:8787" },
        /** HMAC key for signed download links; checked by the env contract. */
        SIGNING_KEY: { kind: "secret" },
    },
    durableObjectMigrations: [{ tag: "v1", newSqliteClasses: ["Counter"] }],
    env: apiEnv,
    health: { path: "/health" },
    observability: { enabled: true, headSamplingRate: 1 },
});
