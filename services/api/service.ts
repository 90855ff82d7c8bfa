/**
 * The api service: notes stored in D1, cached in KV, attachments in R2, and a per-note view counter in a
 * Durable Object; the environment's PostgreSQL (Neon) through Hyperdrive. Each new note is announced on a
 * queue the service consumes itself (an activity log in D1), notes are exported to R2 by a Workflow, a small
 * web UI is served from static assets. Every request is logged and counted by the runtime library
 * (`components/telemetry/`) in the Analytics Engine dataset `<script>-metrics` the platform binds as `METRICS`
 * (`telemetry: true` below).
 */
import { defineService } from "../../components/service/declaration";
import { apiEnv } from "./contract";
import { noteEvent } from "./events";

export default defineService({
    name: "api",
    main: "src/index.ts",
    compatibilityDate: "2026-04-01",
    // nodejs_compat: the Postgres client (postgres.js) behind the DATABASE health check needs it.
    compatibilityFlags: ["global_fetch_strictly_public", "nodejs_compat"],
    version: "1.5.0",
    // The Worker's `env` is derived from these (`src/env.ts`: `EnvOf<typeof declaration, ...>`).
    bindings: {
        /** Workers KV: note cache, `notes/<id>` → JSON note, one hour. */
        CACHE: { kind: "kv" },
        /** D1: the `notes` table and the `note_activity` log (`migrations/`). */
        DB: { kind: "d1", migrationsDir: "migrations" },
        /** R2: uploaded files and note exports (`exports/<instance id>.json`), by key. */
        FILES: { kind: "r2" },
        /** Durable Object namespace of `Counter` (`src/counter.ts`): one instance per note counts its views. */
        COUNTER: { kind: "durableObject", className: "Counter" },
        /** Hyperdrive: the environment's PostgreSQL (its Neon branch); `connectionString` for a Postgres client. */
        DATABASE: { kind: "hyperdrive" },
        /**
         * Queue of note events (`events.ts`): `POST /api/notes` sends `note.created`, and this Worker's `queue()`
         * handler records each message in `note_activity` (`src/activity.ts`), read by `GET /api/activity`.
         */
        NOTE_EVENTS: {
            kind: "queue",
            consumer: { maxBatchSize: 10, maxBatchTimeoutSeconds: 2, maxRetries: 3, retryDelaySeconds: 5, deadLetterQueue: "NOTE_EVENTS_DLQ" },
            message: noteEvent,
        },
        /**
         * Dead-letter queue of NOTE_EVENTS: messages not recorded after 3 retries wait here (the queue's retention,
         * 4 days by default) to be inspected or sent again; nothing consumes it.
         */
        NOTE_EVENTS_DLQ: { kind: "queue" },
        /** Workflow of `NotesExport` (`src/exports.ts`): writes the notes to R2 and signs a download link. */
        EXPORTS: { kind: "workflow", className: "NotesExport" },
        /**
         * The web UI (`public/`), a single-page application: the Worker answers `/api/*` and `/health` first; any
         * other path no file matches gets `index.html`, whose script renders it.
         */
        ASSETS: { kind: "assets", directory: "public", notFoundHandling: "single-page-application", runWorkerFirst: ["/api/*", "/health"] },
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
    // METRICS (dataset `<script>-metrics`) and CF_VERSION_METADATA for the runtime library (`src/index.ts`).
    telemetry: true,
    observability: { enabled: true, headSamplingRate: 1 },
});
