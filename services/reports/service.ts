/**
 * The reports service: every morning it asks the api service (through a service binding, never the
 * public internet) for its numbers and writes a summary to the logs; `GET /report` returns the same. Its
 * requests are logged and counted by the runtime library (`components/telemetry/`).
 */
import { defineService } from "../../components/service/declaration";
import { reportsEnv } from "./contract";

export default defineService({
    name: "reports",
    main: "src/index.ts",
    compatibilityDate: "2026-04-01",
    version: "1.0.2",
    // The Worker's `env` is derived from these (`src/index.ts`: `EnvOf<typeof declaration, ...>`).
    bindings: {
        /** Service binding to the api Worker (its default export: `fetch` only). */
        API: { kind: "service", service: "api" },
        /** IANA time zone of the report's date; checked by the env contract (`contract.ts`). */
        REPORT_TIMEZONE: { kind: "var", value: "UTC" },
        /** Minimum log level; checked by the env contract. */
        LOG_LEVEL: { kind: "var", value: "info" },
    },
    env: reportsEnv,
    // METRICS (dataset `<script>-metrics`) and CF_VERSION_METADATA for the runtime library (`src/index.ts`).
    telemetry: true,
    crons: ["0 6 * * *"],
    observability: { enabled: true, headSamplingRate: 1 },
});
