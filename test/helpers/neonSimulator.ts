/** The Neon API simulator for tests: it lives in `tools/neonSimulator/` so it also runs on its own (`main.ts`). */
export { startNeonSimulator } from "../../tools/neonSimulator/server";
export type { NeonFaultKind, NeonSimulator, NeonSimulatorOptions, RecordedRequest } from "../../tools/neonSimulator/server";
export { NeonSpec, neonOpenApiPath } from "../../tools/neonSimulator/spec";
export type { SpecViolation } from "../../tools/neonSimulator/spec";

/** How fast the Neon providers retry, poll and give up: the `NEON_*` pacing variables they read at call time. */
export interface NeonPacing {
    readonly retryBaseMs: number;
    readonly pollMinMs: number;
    readonly pollMaxMs: number;
    readonly deadlineSeconds: number;
    readonly requestTimeoutMs: number;
}

/** The environment that points the Neon providers at the API `baseUrl` with `apiKey`, paced by `pacing`. */
export function neonProviderEnv(baseUrl: string, apiKey: string, pacing: NeonPacing): Record<string, string> {
    return {
        NEON_API_KEY: apiKey, NEON_API_HOST: baseUrl, NEON_RETRY_BASE_MS: String(pacing.retryBaseMs),
        NEON_POLL_MIN_MS: String(pacing.pollMinMs), NEON_POLL_MAX_MS: String(pacing.pollMaxMs),
        NEON_DEADLINE_SECONDS: String(pacing.deadlineSeconds), NEON_REQUEST_TIMEOUT_MS: String(pacing.requestTimeoutMs),
    };
}

/** Remembers `process.env` as it is now; the returned function puts it back (removing variables added since). */
export function snapshotEnv(): () => void {
    const saved = { ...process.env };
    return () => {
        for (const key of Object.keys(process.env)) if (!(key in saved)) delete process.env[key];
        Object.assign(process.env, saved);
    };
}
