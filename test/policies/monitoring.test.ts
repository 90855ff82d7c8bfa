/**
 * The `monitoring-configured` policy (policies/monitoring.ts) over the analyzer protocol, as the engine drives
 * the pack: one stack per case, starting from a routed Worker with a Health Check, its alert and a destination,
 * and changing one thing. The shipped stacks and a production stack without destinations are planned whole in
 * `test/monitoring/monitoring.test.ts`.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import * as cloudflare from "@pulumi/cloudflare";
import { beforeAll, describe, expect, it } from "vitest";
import { runPolicyPack, type PolicyPackConfig, type PolicyPackRun } from "../../tools/lib/analyzer";
import { runOffline } from "../../tools/lib/mockEngine";

const PACK = path.resolve(__dirname, "..", "..", "policies");
const ACCOUNT = "0123456789abcdef0123456789abcdef";
const ZONE = "fedcba9876543210fedcba9876543210";
const config = (stack: string) => JSON.parse(fs.readFileSync(path.join(PACK, "config", `${stack}.json`), "utf8")) as PolicyPackConfig;

/** What one case changes of the compliant stack. */
interface Case {
    /** The Worker's public endpoint. @default a Custom Domain api.example.com */
    readonly endpoint?: { customDomain: string } | { route: string };
    /** The Health Check's address and path. @default api.example.com, /health */
    readonly check?: { address: string; path: string } | "none";
    /** The alert on the Health Check. @default reaches an email */
    readonly alert?: "reaches" | "no-destination" | "none" | "other-check";
}

/** A Worker (raw, as a policy sees any Worker) with the case's endpoint, Health Check and alert. */
function program(c: Case) {
    new cloudflare.WorkersScript("api", { accountId: ACCOUNT, scriptName: "api-production", content: "x", mainModule: "index.js" });
    const endpoint = c.endpoint ?? { customDomain: "api.example.com" };
    if ("customDomain" in endpoint) new cloudflare.WorkersCustomDomain("api-domain", { accountId: ACCOUNT, hostname: endpoint.customDomain, service: "api-production", zoneId: ZONE });
    else new cloudflare.WorkersRoute("api-route", { zoneId: ZONE, pattern: endpoint.route, script: "api-production" });
    const spec = c.check ?? { address: "api.example.com", path: "/health" };
    const check = spec === "none" ? undefined : new cloudflare.Healthcheck("api-health-check", {
        zoneId: ZONE, name: "api-production-health", address: spec.address, type: "HTTPS", httpConfig: { path: spec.path },
    });
    const other = new cloudflare.Healthcheck("other-health-check", { zoneId: ZONE, name: "other", address: "other.example.com", httpConfig: { path: "/health" } });
    const alert = c.alert ?? "reaches";
    if (alert !== "none" && check !== undefined) {
        new cloudflare.NotificationPolicy("api-health-alert", {
            accountId: ACCOUNT, name: "api health", alertType: "health_check_status_notification",
            filters: { healthCheckIds: [(alert === "other-check" ? other : check).id] },
            mechanisms: alert === "no-destination" ? {} : { emails: [{ id: "oncall@example.com" }] },
        });
    }
    return {};
}

async function analyze(c: Case, stack = "production"): Promise<PolicyPackRun> {
    const { resources } = await runOffline({ project: "platform", stack, config: { config: {}, secretKeys: [] }, program: () => program(c) });
    return runPolicyPack({ packDir: PACK, resources, project: "platform", stack, policyConfig: config(stack) });
}

const messages = (run: PolicyPackRun) => run.violations.filter((v) => v.policyName === "monitoring-configured").map((v) => `${v.enforcementLevel}: ${v.message}`);

const cases: Record<string, Case> = {
    compliant: {},
    routeCoversHealth: { endpoint: { route: "api.example.com/*" } },
    routeMissesHealth: { endpoint: { route: "example.com/api/*" }, check: { address: "example.com", path: "/health" } },
    wrongPath: { check: { address: "api.example.com", path: "/status" } },
    wrongHost: { check: { address: "www.example.com", path: "/health" } },
    noCheck: { check: "none" },
    noAlert: { alert: "none" },
    alertOnOtherCheck: { alert: "other-check" },
    alertWithoutDestination: { alert: "no-destination" },
};
const runs: Record<string, PolicyPackRun> = {};
beforeAll(async () => {
    for (const [name, c] of Object.entries(cases)) runs[name] = await analyze(c);
    runs.stagingNoAlert = await analyze({ alert: "none" }, "staging");
}, 300_000);

describe("monitoring-configured", () => {
    it("passes a routed Worker whose Health Check on its health path is watched by an alert with a destination", () => {
        expect(messages(runs.compliant!)).toEqual([]);
        expect(messages(runs.routeCoversHealth!)).toEqual([]);
    });

    it("flags a routed Worker without a Health Check that reaches its health path", () => {
        const missing = "mandatory: Worker api-production has a route or Custom Domain but no Health Check on its health path /health in production.";
        for (const name of ["routeMissesHealth", "wrongPath", "wrongHost", "noCheck"]) expect(messages(runs[name]!), name).toContain(missing);
    });

    it("flags a Health Check no alert with a destination watches, and a stack whose alerts reach no one", () => {
        const unwatched = "mandatory: The Health Check of Worker api-production must be watched by an alert policy that reaches an alert destination in production.";
        const noDestination = "mandatory: The stack must have an alert destination (email, webhook or PagerDuty) that its alert policies reach in production; none is set.";
        expect(messages(runs.noAlert!).sort()).toEqual([unwatched, noDestination]);
        expect(messages(runs.alertWithoutDestination!).sort()).toEqual([unwatched, noDestination]);
        expect(messages(runs.alertOnOtherCheck!)).toEqual([unwatched]);
    });

    it("is advisory in staging", () => {
        expect(messages(runs.stagingNoAlert!).sort()).toEqual([
            "advisory: The Health Check of Worker api-production must be watched by an alert policy that reaches an alert destination in staging.",
            "advisory: The stack must have an alert destination (email, webhook or PagerDuty) that its alert policies reach in staging; none is set.",
        ]);
    });
});
