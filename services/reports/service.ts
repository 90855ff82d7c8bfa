/**
 * The reports service: every morning it asks the api service (through a service binding, never the
 * public internet) for its numbers and writes a summary to the logs; `GET /report` returns the same.
 */
import { defineService } from "../../components/service/declaration";
import { reportsEnv } from "./contract";

export default defineService({
    name: "reports",
    main: "src/index.ts",
    compatibilityDate: "2026-04-01",
    version: "1.0.2",
    bindings: {
        API: { kind: "service", service: "api" },
        REPORT_TIMEZONE: { kind: "var", value: "UTC" },
    },
    env: reportsEnv,
    crons: ["0 6 * * *"],
    observability: { enabled: true, headSamplingRate: 1 },
});
