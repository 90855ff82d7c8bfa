/**
 * What a service sets about its monitoring (components/service/monitoring.ts): the declaration's `monitoring`
 * field, the layering of settings field by field, and the SLO an error-rate threshold becomes. The stack's layers
 * are tested with the stack config in `test/monitoring/monitoringSettings.test.ts`.
 */
import { describe, expect, it } from "vitest";
import { z } from "zod";
import { defineService } from "../../components/service/declaration";
import { DEFAULT_ERROR_RATE, DEFAULT_HEALTH_CHECK, errorRateSlo, mergeMonitoring } from "../../components/service/monitoring";

const declare = (monitoring: unknown) => defineService({
    name: "api", main: "src/index.ts", compatibilityDate: "2026-04-01", env: z.object({}), monitoring: monitoring as never,
});

describe("the declaration's monitoring field", () => {
    it("is optional and kept as written", () => {
        expect(declare(undefined).monitoring).toBeUndefined();
        expect(declare({ healthCheck: { interval: 30 } }).monitoring).toEqual({ healthCheck: { interval: 30 } });
    });

    it("reports bad values under services.<name>.monitoring", () => {
        expect(() => declare({ errorRate: { thresholdPercent: 0 } })).toThrow(/services\.api\.monitoring\.errorRate\.thresholdPercent: expected a percentage above 0 and below 100/);
        expect(() => declare({ healthCheck: { checkRegions: [] } })).toThrow(/services\.api\.monitoring\.healthCheck\.checkRegions: expected at least one region/);
        expect(() => declare({ alerts: {} })).toThrow(/services\.api\.monitoring\.alerts: unknown key/);
    });
});

describe("mergeMonitoring", () => {
    it("takes Cloudflare's Health Check defaults and a 5 % error rate when no layer sets anything", () => {
        expect(mergeMonitoring()).toEqual({ healthCheck: DEFAULT_HEALTH_CHECK, errorRate: DEFAULT_ERROR_RATE });
        expect(DEFAULT_ERROR_RATE.thresholdPercent).toBe(5);
    });

    it("lets each later layer replace single fields, skipping layers and fields left out", () => {
        expect(mergeMonitoring(
            { healthCheck: { interval: 300, retries: 1 }, errorRate: { thresholdPercent: 10 } },
            undefined,
            { healthCheck: { interval: 30, checkRegions: ["WEU"] } },
        )).toEqual({
            healthCheck: { ...DEFAULT_HEALTH_CHECK, interval: 30, retries: 1, checkRegions: ["WEU"] },
            errorRate: { enabled: true, thresholdPercent: 10 },
        });
    });
});

describe("errorRateSlo", () => {
    it("expresses the error-rate threshold as Cloudflare's SLO, with at least one decimal", () => {
        expect(errorRateSlo(5)).toBe("95.0");
        expect(errorRateSlo(0.1)).toBe("99.9");
        expect(errorRateSlo(2.5)).toBe("97.5");
    });
});
