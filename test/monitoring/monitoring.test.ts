/**
 * Monitoring of the shipped stacks under the mock engine, planned as `npm run plan` plans them (a child process
 * per plan, with the policy pack): the Health Checks point at each routed service's public health URL, the alert
 * policies filter on its hostnames and reach every configured destination, the Logpush job covers every script,
 * production has all of it and its policies pass; a production stack without destinations (and with a service
 * whose routes do not reach its health path) fails `monitoring-configured`. The secret fields of
 * `platform:monitoring` carry a canary that must appear nowhere the plan prints or writes.
 */
import { spawn } from "node:child_process";
import { randomBytes } from "node:crypto";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { parse, stringify } from "yaml";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { filterCovers } from "../helpers/logpushFilter";
import { Monitoring, type MonitoredService } from "../../components/cloudflare/monitoring/monitoring";
import { mergeMonitoring } from "../../components/service/monitoring";
import { runOffline, type ResourceRecord } from "../../tools/lib/mockEngine";
import { isSecretWire, secretWire } from "../../tools/lib/wire";
import { healthGateUrl } from "../../components/cloudflare/healthGate/serviceHealthGate";
import { services as registered } from "../../infra/services";

const CANARY = `monitoring_canary_${randomBytes(10).toString("hex")}`;
const root = path.resolve(__dirname, "..", "..");
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), "monitoring-test-"));

interface Resource { urn: string; type: string; name: string; parent: string; id: string; protect: boolean; propertyDependencies: Record<string, string[]>; inputs: Record<string, any> }
interface Run { code: number | null; output: string; out: string; result?: { exitCode: number; resources: Resource[] } }
interface Report { violations: { policy: string; level: string; urn: string | null; message: string }[] }

/** Plans `stack` of `projectDir` in a child process (`monitoringPlanChild.ts`) with the canary in every monitoring secret. */
async function planStack(projectDir: string, stack: string, label: string): Promise<Run> {
    const out = path.join(tmp, label);
    fs.mkdirSync(out, { recursive: true });
    const resultFile = path.join(tmp, `${label}-result.json`);
    const { code, output } = await new Promise<{ code: number | null; output: string }>((resolve, reject) => {
        const child = spawn(process.execPath, ["--import", "tsx", path.join(root, "test", "helpers", "monitoringPlanChild.ts"), projectDir, stack, out, resultFile], {
            cwd: root, stdio: ["ignore", "pipe", "pipe"], env: { ...process.env, MONITORING_CANARY: CANARY },
        });
        let text = "";
        child.stdout!.on("data", (c: Buffer) => { text += c.toString(); });
        child.stderr!.on("data", (c: Buffer) => { text += c.toString(); });
        child.on("error", reject);
        child.on("close", (exit) => resolve({ code: exit, output: text }));
    });
    return { code, output, out, ...(code === 0 ? { result: JSON.parse(fs.readFileSync(resultFile, "utf8")) } : {}) };
}

/** A project directory running this repository's program with the shipped `Pulumi.<stack>.yaml` changed by `edit`. */
function editedProject(name: string, stack: string, edit: (config: Record<string, any>) => void): string {
    const dir = path.join(tmp, name);
    fs.mkdirSync(dir, { recursive: true });
    fs.writeFileSync(path.join(dir, "Pulumi.yaml"), `name: platform\nruntime: nodejs\nmain: ${path.join(root, "infra", "index.ts")}\n`);
    const doc = parse(fs.readFileSync(path.join(root, `Pulumi.${stack}.yaml`), "utf8")) as { config: Record<string, any> };
    edit(doc.config);
    fs.writeFileSync(path.join(dir, `Pulumi.${stack}.yaml`), stringify(doc));
    return dir;
}

const runs: Record<string, Run> = {};
beforeAll(async () => {
    // One at a time: the machine has 2 cores and others are working.
    runs.staging = await planStack(root, "staging", "staging");
    runs.production = await planStack(root, "production", "production");
    runs.unmonitored = await planStack(editedProject("unmonitored", "production", (config) => {
        delete config["platform:monitoring"].destinations;
        delete config["platform:services"].reports.customDomains;
    }), "production", "unmonitored");
}, 600_000);
afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));

const ofType = (run: Run, type: string) => run.result!.resources.filter((r) => r.type === `cloudflare:index/${type}`);
const stackConfig = (stack: string) => (parse(fs.readFileSync(path.join(root, `Pulumi.${stack}.yaml`), "utf8")) as { config: Record<string, any> }).config;

/** What the shipped stack routes per service: its health URL on the zone and the hostnames whose every path it serves. */
function routedServices(stack: string): { name: string; script: string; healthUrl: string | undefined; hostnames: string[] }[] {
    const config = stackConfig(stack);
    return registered.map(({ declaration }) => {
        const overrides = config["platform:services"]?.[declaration.name] ?? {};
        const customDomains: string[] = overrides.customDomains ?? declaration.customDomains;
        const routes: string[] = overrides.routes ?? declaration.routes;
        return {
            name: declaration.name,
            script: `${declaration.name}-${stack}`,
            healthUrl: healthGateUrl(declaration.health.path, { customDomains, routes }),
            hostnames: [...customDomains, ...routes.filter((r) => r.endsWith("/*") && r.indexOf("/") === r.length - 2).map((r) => r.split("/")[0]!)],
        };
    }).filter((s) => s.hostnames.length > 0 || s.healthUrl !== undefined);
}

describe.each(["staging", "production"])("the shipped %s stack", (stack) => {
    const run = () => runs[stack]!;

    it("plans with no mandatory violation and no monitoring-configured violation", () => {
        expect(run().code, run().output).toBe(0);
        expect(run().result!.exitCode).toBe(0);
        const report = JSON.parse(fs.readFileSync(path.join(run().out, "plan.json"), "utf8")) as Report;
        expect(report.violations.filter((v) => v.level === "mandatory")).toEqual([]);
        expect(report.violations.filter((v) => v.policy === "monitoring-configured")).toEqual([]);
    });

    it("has a Health Check on each routed service's public health URL (address and path) on the zone", () => {
        const zone = stackConfig(stack)["platform:zone"].id;
        const routed = routedServices(stack);
        expect(routed.length).toBeGreaterThan(0);
        const checks = ofType(run(), "healthcheck:Healthcheck");
        expect(checks).toHaveLength(routed.length);
        for (const svc of routed) {
            const url = new URL(svc.healthUrl!);
            const check = checks.find((c) => c.name === `${stack}-${svc.name}-health-check`)!;
            expect(check.inputs).toMatchObject({
                zoneId: zone, address: url.hostname, type: "HTTPS",
                httpConfig: { path: url.pathname, port: 443, method: "GET", expectedCodes: ["200"], header: { Host: [url.hostname] } },
            });
        }
    });

    it("alerts on each Health Check and on each routed service's 5xx error rate on its hostnames, reaching every configured destination", () => {
        const monitoring = stackConfig(stack)["platform:monitoring"];
        const webhooks = ofType(run(), "notificationPolicyWebhooks:NotificationPolicyWebhooks");
        // One per configured webhook, each URL a secret (it may carry the hook's token): masked in the plan. Its value: below.
        expect(webhooks.map((w) => w.inputs.url)).toEqual(Object.values(monitoring.destinations.webhooks ?? {}).map(() => "[secret]"));
        const expectedMechanisms = {
            ...(monitoring.destinations.emails === undefined ? {} : { emails: monitoring.destinations.emails.map((id: string) => ({ id })) }),
            ...(webhooks.length === 0 ? {} : { webhooks: webhooks.map((w) => ({ id: w.id })) }),
            ...(monitoring.destinations.pagerduty === undefined ? {} : { pagerduties: monitoring.destinations.pagerduty.map((id: string) => ({ id })) }),
        };
        const policies = ofType(run(), "notificationPolicy:NotificationPolicy");
        for (const policy of policies) expect(policy.inputs.mechanisms, policy.name).toEqual(expectedMechanisms);
        const checks = ofType(run(), "healthcheck:Healthcheck");
        const threshold = monitoring.errorRate?.thresholdPercent ?? 5;
        for (const svc of routedServices(stack)) {
            const check = checks.find((c) => c.name === `${stack}-${svc.name}-health-check`)!;
            const health = policies.find((p) => p.name === `${stack}-${svc.name}-health-alert`)!;
            expect(health.inputs).toMatchObject({ alertType: "health_check_status_notification", filters: { healthCheckIds: [check.id] } });
            expect(health.propertyDependencies.filters).toContain(check.urn);
            const errorRate = policies.find((p) => p.name === `${stack}-${svc.name}-error-rate-alert`)!;
            expect(errorRate.inputs).toMatchObject({
                alertType: "advanced_http_alert_error",
                filters: { zones: [stackConfig(stack)["platform:zone"].id], targetHostnames: svc.hostnames, slos: [(100 - threshold).toFixed(1)] },
            });
        }
        expect(policies.filter((p) => p.inputs.alertType === "failing_logpush_job_disabled_alert")).toHaveLength(1);
    });

    it("pushes the trace events of every script of the stack, and only those, with Logpush on for each", () => {
        const [job, ...others] = ofType(run(), "logpushJob:LogpushJob");
        expect(others).toEqual([]);
        expect(job!.inputs).toMatchObject({ dataset: "workers_trace_events", enabled: true, destinationConf: "[canary secret]" });
        expect(job!.inputs.accountId).toBe(stackConfig(stack)["platform:accountId"]);
        expect(job!.inputs.zoneId).toBeUndefined();
        const scripts = ofType(run(), "workersScript:WorkersScript");
        expect(scripts.map((s) => s.inputs.scriptName).sort()).toEqual(registered.map(({ declaration }) => `${declaration.name}-${stack}`).sort());
        for (const script of scripts) {
            expect(filterCovers(job!.inputs.filter, script.inputs.scriptName), script.name).toBe(true);
            expect(script.inputs.logpush, script.name).toBe(true);
        }
        const other = stack === "staging" ? "production" : "staging";
        for (const { declaration } of registered) expect(filterCovers(job!.inputs.filter, `${declaration.name}-${other}`)).toBe(false);
    });

    it("prints and writes no monitoring secret: the canary is nowhere in the output, plan.json, SARIF or wrangler files", () => {
        expect(run().output).not.toContain(CANARY);
        const files = fs.readdirSync(run().out, { withFileTypes: true, recursive: true }).filter((e) => e.isFile()).map((e) => path.join(e.parentPath, e.name));
        expect(files.map((f) => path.basename(f))).toEqual(expect.arrayContaining(["plan.json", "plan.sarif", "wrangler.jsonc"]));
        for (const file of files) expect(fs.readFileSync(file, "utf8"), file).not.toContain(CANARY);
        const plan = fs.readFileSync(path.join(run().out, "plan.json"), "utf8");
        const job = (JSON.parse(plan) as { resources: Resource[] }).resources.find((r) => r.type === "cloudflare:index/logpushJob:LogpushJob")!;
        expect(job.inputs.destinationConf).toBe("[secret]");
    });
});

describe("the shipped production stack", () => {
    it("keeps Logpush in an R2 bucket it protects, and its webhook secret a secret", () => {
        const run = runs.production!;
        const [bucket] = ofType(run, "r2Bucket:R2Bucket").filter((b) => b.name === "production-logs-bucket");
        expect(bucket).toMatchObject({ protect: true, inputs: { name: "workers-logs-production" } });
        const [webhook] = ofType(run, "notificationPolicyWebhooks:NotificationPolicyWebhooks");
        expect(webhook!.inputs).toMatchObject({ name: "production-chatops", secret: "[canary secret]" });
    });
});

describe("a production stack without alert destinations", () => {
    it("fails monitoring-configured: no destination, an unwatched Health Check, and a routed Worker without a Health Check on its health path", () => {
        const run = runs.unmonitored!;
        expect(run.code, run.output).toBe(0);
        expect(run.result!.exitCode).toBe(1);
        const report = JSON.parse(fs.readFileSync(path.join(run.out, "plan.json"), "utf8")) as Report;
        const messages = report.violations.filter((v) => v.policy === "monitoring-configured").map((v) => [v.level, v.message]);
        expect(messages.sort()).toEqual([
            ["mandatory", "The Health Check of Worker api-production must be watched by an alert policy that reaches an alert destination in production."],
            ["mandatory", "The stack must have an alert destination (email, webhook or PagerDuty) that its alert policies reach in production; none is set."],
            ["mandatory", "Worker reports-production has a route or Custom Domain but no Health Check on its health path /health in production."],
        ]);
        expect(ofType(run, "notificationPolicy:NotificationPolicy")).toEqual([]);
        expect(run.output).toContain("monitoring-configured");
    });
});

describe("the Monitoring component on its own", () => {
    const ACCOUNT = "0123456789abcdef0123456789abcdef";
    const ZONE = { id: "fedcba9876543210fedcba9876543210", name: "example.com" };
    const routed = (name: string, monitoring = mergeMonitoring()): MonitoredService => ({
        name, scriptName: `${name}-test`, hostnames: [`${name}.example.com`], healthUrl: `https://${name}.example.com/health`, monitoring,
    });
    const declare = async (args: Partial<ConstructorParameters<typeof Monitoring>[1]>): Promise<ResourceRecord[]> => (await runOffline({
        project: "platform", stack: "test", config: { config: {}, secretKeys: [] },
        program: () => {
            new Monitoring("test", { accountId: ACCOUNT, stack: "test", zone: ZONE, services: [], destinations: { emails: ["a@example.com"], webhooks: {}, pagerduty: [] }, ...args });
            return {};
        },
    })).resources.filter((r) => r.custom);
    const names = (records: ResourceRecord[]) => records.map((r) => r.name).sort();

    it("sends each webhook's URL and secret as Pulumi secrets", async () => {
        const url = "https://hooks.example.com/services/T000/B000/token";
        const records = await declare({ destinations: { emails: [], webhooks: { chatops: { url, secret: "webhook-secret-value" } }, pagerduty: [] } });
        const hook = records.find((r) => r.type === "cloudflare:index/notificationPolicyWebhooks:NotificationPolicyWebhooks")!;
        expect(hook.inputs).toMatchObject({ name: "test-chatops", url: secretWire(url), secret: secretWire("webhook-secret-value") });
    });

    it("gives a service without a public health URL or hostnames no Health Check and no error-rate alert, but covers its script", async () => {
        const records = await declare({
            services: [routed("api"), { name: "cron", scriptName: "cron-test", hostnames: [], healthUrl: undefined, monitoring: mergeMonitoring() }],
            logpush: { destination: "https", url: "https://logs.example.com/in", headers: {} },
        });
        expect(names(records)).toEqual(["test-api-error-rate-alert", "test-api-health-alert", "test-api-health-check", "test-logpush", "test-logpush-alert"]);
        const job = records.find((r) => r.name === "test-logpush")!;
        expect(filterCovers(job.inputs.filter, "cron-test")).toBe(true);
    });

    it("leaves out what a service turns off, and passes its settings to the Health Check", async () => {
        const custom = mergeMonitoring({ healthCheck: { checkRegions: ["WEU"], interval: 15, method: "HEAD", expectedCodes: ["2xx"] }, errorRate: { enabled: false } });
        const records = await declare({ services: [routed("api", custom), routed("off", mergeMonitoring({ healthCheck: { enabled: false } }))] });
        expect(names(records)).toEqual(["test-api-health-alert", "test-api-health-check", "test-off-error-rate-alert"]);
        expect(records.find((r) => r.name === "test-api-health-check")!.inputs).toMatchObject({
            checkRegions: ["WEU"], interval: 15, httpConfig: { method: "HEAD", expectedCodes: ["2xx"] },
        });
    });

    it("creates no notification policy without a destination, and no bucket for an HTTPS Logpush destination", async () => {
        const records = await declare({
            services: [routed("api")], destinations: { emails: [], webhooks: {}, pagerduty: [] },
            logpush: { destination: "https", url: "https://logs.example.com/in", headers: { Authorization: "Bearer x" } },
        });
        expect(names(records)).toEqual(["test-api-health-check", "test-logpush"]);
        // The credentials travel only inside a secret.
        const conf = records.find((r) => r.name === "test-logpush")!.inputs.destinationConf;
        expect(isSecretWire(conf) && conf.value).toBe("https://logs.example.com/in?header_Authorization=Bearer%20x");
    });
});
