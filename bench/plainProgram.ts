/**
 * The "plain" variant: the same resources as the components variant, written the way a Pulumi user
 * without this repository's components would write them: `new cloudflare.X(...)` in a loop, config read
 * with `pulumi.Config`, each Worker bundled with the same esbuild call the component makes (a raw program needs one too;
 * the comparison is about the component layer, not the bundler).
 * No ComponentResource, no declarations, no wrangler config: only what the resources need.
 *
 * Names and inputs must match the components variant exactly; `bench/run.ts` checks that both register
 * the same custom resources (type, name, protect, inputs) before it reports any ratio.
 */
import * as cloudflare from "@pulumi/cloudflare";
import * as pulumi from "@pulumi/pulumi";
import { bundleWorker } from "../components/cloudflare/bundle";
import { HealthGate } from "../components/cloudflare/healthGate/healthGate";
import { DEFAULT_HEALTH_CHECK } from "../components/service/monitoring";
import { COMPATIBILITY_DATE, COMPATIBILITY_FLAGS, MAIN, STACK, type ServiceSpec } from "./fixture";

/** Options of {@link plainProgram}. */
export interface PlainProgramOptions {
    /**
     * Parent of a service's resources. Only the diagnostic `skeleton` variant sets it (to bare components);
     * a plain program has none. @default none (the stack)
     */
    readonly parentOf?: (service: string) => pulumi.Resource | undefined;
}

/** Declares every resource of `specs`; returns the stack outputs (script name and URL per service). */
export function plainProgram(specs: readonly ServiceSpec[], options: PlainProgramOptions = {}): Record<string, unknown> {
    const cfg = new pulumi.Config("platform");
    const accountId = cfg.require("accountId");
    const zone = cfg.requireObject<{ id: string; name: string }>("zone");
    const secrets = cfg.requireSecretObject<Record<string, Record<string, string>>>("secrets");

    const scripts: Record<string, cloudflare.WorkersScript> = {};
    const outputs: Record<string, unknown> = {};
    for (const spec of specs) {
        const scriptName = `${spec.name}-${STACK}`;
        const parent = options.parentOf?.(spec.name);
        const cache = new cloudflare.WorkersKvNamespace(`${spec.name}-cache`, { accountId, title: `${scriptName}-cache` }, { parent });
        const db = new cloudflare.D1Database(`${spec.name}-db`, { accountId, name: `${scriptName}-db` }, { parent });
        const files = new cloudflare.R2Bucket(`${spec.name}-files`, { accountId, name: `${scriptName}-files` }, { parent });

        const bundle = bundleWorker(spec.root, MAIN);
        const bindings: pulumi.Input<cloudflare.types.input.WorkersScriptBinding>[] = [
            { name: "CACHE", type: "kv_namespace", namespaceId: cache.id },
            { name: "DB", type: "d1", id: db.id },
            { name: "FILES", type: "r2_bucket", bucketName: files.name },
            { name: "COUNTER", type: "durable_object_namespace", className: "Counter" },
            { name: "LOG_LEVEL", type: "plain_text", text: "info" },
            { name: "SIGNING_KEY", type: "secret_text", text: secrets.apply((s) => s[spec.name]!.SIGNING_KEY!) },
        ];
        if (spec.upstream !== undefined) bindings.push({ name: "UPSTREAM", type: "service", service: `${spec.upstream}-${STACK}` });
        const script = new cloudflare.WorkersScript(`${spec.name}-script`, {
            accountId,
            scriptName,
            content: bundle.content,
            contentSha256: bundle.sha256,
            mainModule: "index.js",
            compatibilityDate: COMPATIBILITY_DATE,
            compatibilityFlags: [...COMPATIBILITY_FLAGS],
            bindings,
            observability: { enabled: true, headSamplingRate: 1, logs: { enabled: true, invocationLogs: true, headSamplingRate: 1 } },
            migrations: { newTag: "v1", steps: [{ newSqliteClasses: ["Counter"] }] },
        }, { parent, dependsOn: spec.upstream === undefined ? [] : [scripts[spec.upstream]!] });
        scripts[spec.name] = script;

        const exposure: pulumi.CustomResource[] = [new cloudflare.WorkersScriptSubdomain(`${spec.name}-subdomain`, {
            accountId, scriptName: script.scriptName, enabled: spec.workersDev, previewsEnabled: false,
        }, { parent, dependsOn: [script] })];
        if (spec.route !== undefined) {
            exposure.push(new cloudflare.WorkersRoute(`${spec.name}-route-${slug(spec.route)}`, { zoneId: zone.id, pattern: spec.route, script: script.scriptName }, { parent, dependsOn: [script] }));
        }
        exposure.push(new cloudflare.WorkersCustomDomain(`${spec.name}-domain-${slug(spec.customDomain)}`, {
            accountId, hostname: spec.customDomain, service: script.scriptName, zoneId: zone.id,
        }, { parent, dependsOn: [script] }));
        // The same gate a deploy needs without components: poll /health once the script and its routes exist,
        // re-run whenever any of them changes.
        new HealthGate(`${spec.name}-health-gate`, {
            service: spec.name,
            url: `https://${spec.customDomain}/health`,
            timeoutSeconds: 180,
            intervalSeconds: 5,
            expectedChecks: ["env", "CACHE", "DB", "FILES", "COUNTER", ...(spec.upstream === undefined ? [] : ["UPSTREAM"])],
            trigger: pulumi.all([pulumi.all([script.modifiedOn]).apply((parts) => JSON.stringify(parts)), script.id, ...exposure.map((r) => r.id)])
                .apply((parts) => JSON.stringify(parts)),
        }, { parent, dependsOn: [script, ...exposure] });
        // The zone's Health Check of the health endpoint with Cloudflare's defaults, which the platform declares for
        // every service its zone serves (components/cloudflare/monitoring).
        const check = DEFAULT_HEALTH_CHECK;
        new cloudflare.Healthcheck(`${STACK}-${spec.name}-health-check`, {
            zoneId: zone.id,
            name: `${scriptName}-health`,
            description: `${check.method} https://${spec.customDomain}/health of ${scriptName}`,
            address: spec.customDomain,
            type: "HTTPS",
            interval: check.interval,
            retries: check.retries,
            timeout: check.timeout,
            consecutiveFails: check.consecutiveFails,
            consecutiveSuccesses: check.consecutiveSuccesses,
            httpConfig: {
                path: "/health", method: check.method, port: 443, expectedCodes: [...check.expectedCodes],
                header: { Host: [spec.customDomain] }, followRedirects: false, allowInsecure: false,
            },
        }, { parent, dependsOn: [script, ...exposure] });
        if (spec.cron !== undefined) {
            new cloudflare.WorkersCronTrigger(`${spec.name}-crons`, { accountId, scriptName: script.scriptName, schedules: [{ cron: spec.cron }] }, { parent });
        }
        outputs[spec.name] = { scriptName: script.scriptName, url: `https://${spec.customDomain}` };
    }
    return { services: outputs };
}

/** `api.example.com/*` → `api-example-com-star`, as the resource names need. */
function slug(text: string): string {
    return text.replace(/\*/g, "star").replace(/[^A-Za-z0-9]+/g, "-").replace(/^-+|-+$/g, "").toLowerCase();
}
