/**
 * The stack config of monitoring (components/cloudflare/monitoring/monitoringSettings.ts, read by infra/config.ts
 * and tools/lib/stackFiles.ts): `platform:monitoring` and `platform:services.<name>.monitoring`, their defaults,
 * the path-named errors of bad values and plain secrets, and how infra/monitoring.ts layers them over the
 * declaration's `monitoring` (tested on its own in test/service/monitoring.test.ts).
 */
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { describe, expect, it } from "vitest";
import { z } from "zod";
import { defineService } from "../../components/service/declaration";
import { DEFAULT_HEALTH_CHECK } from "../../components/service/monitoring";
import { ValidationError } from "../../components/validation";
import { monitoringSecretPaths } from "../../components/cloudflare/monitoring/monitoringSettings";
import { loadStackConfig } from "../../infra/config";
import { serviceMonitoring, withStackLogpush } from "../../infra/monitoring";
import type { EnvironmentService } from "../../components/cloudflare/environment";
import { readStackConfig } from "../../tools/lib/stackFiles";

const CANARY = "monitoring-canary-4c1d0e";

/** A valid config as the engine passes it; each case changes one key. */
function raw(monitoring: unknown, services: unknown = { api: { customDomains: ["api.example.com"] } }): Record<string, string> {
    return {
        "platform:accountId": "0123456789abcdef0123456789abcdef",
        "platform:zone": JSON.stringify({ id: "fedcba9876543210fedcba9876543210", name: "example.com" }),
        "platform:services": JSON.stringify(services),
        ...(monitoring === undefined ? {} : { "platform:monitoring": JSON.stringify(monitoring) }),
    };
}
const secretKeys = (...keys: string[]) => (key: string) => keys.includes(key);

function issuesOf(config: Record<string, string>, isSecret = secretKeys("platform:monitoring")): { path: string; message: string }[] {
    try {
        loadStackConfig(config, isSecret);
    } catch (error) {
        expect(error).toBeInstanceOf(ValidationError);
        expect((error as Error).message).not.toContain(CANARY);
        return [...(error as ValidationError).issues];
    }
    return [];
}

const valid = {
    destinations: { emails: ["oncall@example.com"], webhooks: { chatops: { url: "https://hooks.example.com/a", secret: CANARY } }, pagerduty: ["0123456789abcdef0123456789abcdef"] },
    logpush: { destination: "r2", accessKeyId: "0123456789abcdef0123456789abcdef", secretAccessKey: CANARY },
    healthCheck: { checkRegions: ["WEU"], interval: 30 },
    errorRate: { thresholdPercent: 2 },
};

describe("platform:monitoring", () => {
    it("accepts a full config and applies its defaults", () => {
        const config = loadStackConfig(raw(valid), secretKeys("platform:monitoring"));
        expect(config.monitoring?.logpush).toEqual({ ...valid.logpush, path: "workers/{DATE}" });
        expect(config.monitoring?.destinations.emails).toEqual(["oncall@example.com"]);
        expect(loadStackConfig(raw({ logpush: { destination: "https", url: "https://logs.example.com/in" } }), secretKeys()).monitoring)
            .toEqual({ destinations: { emails: [], webhooks: {}, pagerduty: [] }, logpush: { destination: "https", url: "https://logs.example.com/in", headers: {} } });
    });

    it("names the field, what was expected and what arrived for bad values", () => {
        const issues = issuesOf(raw({
            destinations: { emails: ["not-an-address"], webhooks: { chatops: { url: "http://hooks.example.com" } }, pagerduty: ["PD-1"] },
            logpush: { destination: "s3" },
            healthCheck: { interval: 2, checkRegions: ["MARS"], expectedCodes: ["ok"], method: "POST", retries: 1.5 },
            errorRate: { thresholdPercent: 100 },
        }), secretKeys());
        const byPath = Object.fromEntries(issues.map((i) => [i.path, i.message]));
        expect(byPath).toMatchObject({
            "platform:monitoring.destinations.emails[0]": expect.stringContaining("expected an email address"),
            "platform:monitoring.destinations.webhooks.chatops.url": expect.stringContaining("expected an https:// URL"),
            "platform:monitoring.destinations.pagerduty[0]": expect.stringContaining("32 lowercase hex"),
            "platform:monitoring.logpush.destination": expect.stringContaining('"destination" r2 or https'),
            "platform:monitoring.healthCheck.interval": expect.stringMatching(/expected whole seconds from 5 to 3600, got number \(2\)/),
            "platform:monitoring.healthCheck.checkRegions[0]": expect.stringContaining("WNAM"),
            "platform:monitoring.healthCheck.expectedCodes[0]": expect.stringContaining('"2xx"'),
            "platform:monitoring.healthCheck.method": expect.stringContaining('"GET" or "HEAD"'),
            "platform:monitoring.healthCheck.retries": "expected int, got number (1.5)",
            "platform:monitoring.errorRate.thresholdPercent": expect.stringContaining("below 100"),
        });
    });

    it("refuses unknown keys with their path", () => {
        expect(issuesOf(raw({ healthCheck: { intervalSeconds: 30 } }), secretKeys())).toEqual([
            { path: "platform:monitoring.healthCheck.intervalSeconds", message: "unknown key; remove it or check its spelling" },
        ]);
    });

    it("refuses webhook secrets and Logpush credentials in plain text, naming the command and never the value", () => {
        const issues = issuesOf(raw({
            ...valid,
            logpush: { destination: "https", url: "https://logs.example.com/in", headers: { Authorization: CANARY } },
        }), secretKeys());
        expect(issues.map((i) => i.path)).toEqual([
            "platform:monitoring.destinations.webhooks.chatops.secret",
            "platform:monitoring.logpush.headers.Authorization",
        ]);
        expect(issues[0]!.message).toContain("pulumi config set --secret --path 'platform:monitoring.destinations.webhooks.chatops.secret' <value>");
        // Encrypted (the engine marks the key secret): accepted.
        expect(issuesOf(raw(valid), secretKeys("platform:monitoring"))).toEqual([]);
    });

    it("offline, refuses each secret field of the stack file that is not secure:, even beside one that is", () => {
        const dir = fs.mkdtempSync(path.join(os.tmpdir(), "monitoring-stack-file-"));
        try {
            fs.writeFileSync(path.join(dir, "Pulumi.staging.yaml"), [
                "config:",
                "  platform:monitoring:",
                "    destinations:",
                "      webhooks:",
                "        chatops: { url: https://hooks.example.com/a, secret: { secure: v1:UkVQTEFDRS1NRQ==:cGxhY2Vob2xkZXI= } }",
                "    logpush:",
                "      destination: https",
                "      url: https://logs.example.com/in",
                `      headers: { Authorization: ${CANARY} }`,
            ].join("\n"));
            let error: unknown;
            try {
                readStackConfig(dir, { name: "platform", main: "index.ts", configDefaults: {} }, "staging");
            } catch (e) {
                error = e;
            }
            expect(error).toBeInstanceOf(ValidationError);
            expect((error as ValidationError).issues.map((i) => i.path)).toEqual(["platform:monitoring.logpush.headers.Authorization"]);
            expect((error as Error).message).not.toContain(CANARY);
        } finally {
            fs.rmSync(dir, { recursive: true, force: true });
        }
    });

    it("finds every secret field of a raw value", () => {
        expect(monitoringSecretPaths(valid)).toEqual([["destinations", "webhooks", "chatops", "secret"], ["logpush", "secretAccessKey"]]);
        expect(monitoringSecretPaths({ destinations: { webhooks: { a: { url: "https://x.example.com" } } } })).toEqual([]);
        expect(monitoringSecretPaths("not an object")).toEqual([]);
    });
});

describe("per-service monitoring in a stack (infra/monitoring.ts)", () => {
    const declaration = defineService({
        name: "api", main: "src/index.ts", compatibilityDate: "2026-04-01", env: z.object({}),
        customDomains: ["api.example.com"],
        monitoring: { healthCheck: { interval: 120, retries: 3 }, errorRate: { thresholdPercent: 1 } },
    });
    const service = (settings: Partial<EnvironmentService["settings"]> = {}): EnvironmentService => ({
        declaration, root: "/repo/services/api", serviceDir: "services/api",
        settings: { routes: [], customDomains: ["api.example.com"], vars: {}, workersDev: false, crons: [], observability: { enabled: true, headSamplingRate: 1 }, protect: false, ...settings },
    });

    it("layers Cloudflare's defaults, the stack's defaults, the declaration and the stack's override, field by field", () => {
        const config = loadStackConfig(raw(
            { healthCheck: { interval: 300, timeout: 10, checkRegions: ["WEU"] }, errorRate: { thresholdPercent: 10 } },
            { api: { monitoring: { healthCheck: { retries: 0 } } } },
        ), secretKeys());
        expect(serviceMonitoring(config, service())).toEqual({
            // interval: declaration over stack; timeout and regions: stack; retries: the stack's override over the declaration.
            healthCheck: { ...DEFAULT_HEALTH_CHECK, interval: 120, timeout: 10, checkRegions: ["WEU"], retries: 0 },
            errorRate: { enabled: true, thresholdPercent: 1 },
        });
    });

    it("reports bad override values under platform:services.<name>.monitoring", () => {
        expect(issuesOf(raw(undefined, { api: { monitoring: { healthCheck: { interval: "often" } } } }), secretKeys())).toEqual([
            { path: "platform:services.api.monitoring.healthCheck.interval", message: 'expected number, got string ("often")' },
        ]);
    });

    it("turns Workers Logpush on where the stack pushes trace events, unless the service turned it off", () => {
        const withLogpush = loadStackConfig(raw({ logpush: { destination: "https", url: "https://logs.example.com/in" } }), secretKeys());
        expect(withStackLogpush(withLogpush, [service()])[0]!.settings.logpush).toBe(true);
        expect(withStackLogpush(withLogpush, [service({ logpush: false })])[0]!.settings.logpush).toBe(false);
        expect(withStackLogpush(loadStackConfig(raw(undefined), secretKeys()), [service()])[0]!.settings.logpush).toBeUndefined();
    });

});
