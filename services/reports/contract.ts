/**
 * The env contract of the reports Worker.
 */
import { z } from "zod";

export const reportsEnv = z.object({
    /** IANA time zone the daily report's dates are written in. */
    REPORT_TIMEZONE: z.string().min(1),
});
