/**
 * The env contract of the reports Worker.
 */
import { z } from "zod";
import { LOG_LEVELS } from "../../components/telemetry/logger";

export const reportsEnv = z.object({
    /** IANA time zone the daily report's dates are written in. */
    REPORT_TIMEZONE: z.string().min(1),
    /** Minimum level the runtime library's logger writes to Workers Logs (`components/telemetry/`). */
    LOG_LEVEL: z.enum(LOG_LEVELS),
});
