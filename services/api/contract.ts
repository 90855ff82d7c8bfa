/**
 * The env contract of the api Worker: what its code requires of `env` beyond resource bindings.
 * Imported by the declaration (checked at plan time) and by the Worker (checked on every request).
 */
import { z } from "zod";
import { LOG_LEVELS } from "../../components/telemetry/logger";

export const apiEnv = z.object({
    /** Minimum level the runtime library's logger writes to Workers Logs (`components/telemetry/`). */
    LOG_LEVEL: z.enum(LOG_LEVELS),
    /** Origin clients use to reach this API, for links in responses. */
    PUBLIC_BASE_URL: z.url({ protocol: /^https?$/ }),
    /** HMAC key for signed download links; at least 32 characters. */
    SIGNING_KEY: z.string().min(32),
});
