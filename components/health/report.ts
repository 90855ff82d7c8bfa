/**
 * Reading a health report another service returned (through a service binding): a zod schema of the
 * {@link HealthReport} shape and a parser that never throws.
 */
import { z } from "zod";
import type { HealthReport } from "./types";

const checkResultSchema = z.object({
    status: z.enum(["ok", "fail"]),
    latencyMs: z.number().nonnegative(),
    message: z.string().optional(),
});

/** The JSON shape of a {@link HealthReport}; unknown keys are ignored. */
export const healthReportSchema: z.ZodType<HealthReport> = z.object({
    status: z.enum(["ok", "fail"]),
    service: z.string(),
    version: z.string(),
    timestamp: z.string(),
    checks: z.record(z.string(), checkResultSchema),
});

/**
 * Parses a health response body.
 * @param body the response text.
 * @returns the report, or `undefined` when the body is not JSON of the report's shape.
 */
export function parseHealthReport(body: string): HealthReport | undefined {
    let json: unknown;
    try {
        json = JSON.parse(body);
    } catch {
        return undefined;
    }
    const parsed = healthReportSchema.safeParse(json);
    return parsed.success ? parsed.data : undefined;
}

/** Names of the checks of a report that did not pass, in report order. */
export function failingChecks(report: HealthReport): string[] {
    return Object.entries(report.checks).filter(([, check]) => check.status !== "ok").map(([name]) => name);
}
