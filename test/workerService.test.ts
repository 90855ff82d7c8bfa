/**
 * The components under the SDK's mock engine: every binding kind reaches the WorkersScript as the
 * Cloudflare provider expects it, children are parented and protected as declared.
 */
import * as path from "node:path";
import { createHash } from "node:crypto";
import { beforeAll, describe, expect, it } from "vitest";
import { z } from "zod";
import { defineService } from "../components/service/declaration";
import { definePlatform } from "../infra/program";
import type { WorkerService } from "../components/cloudflare/workerService";
import { maskSecrets, runOffline, type OfflineRun, type ResourceRecord } from "../tools/lib/mockEngine";
import { serviceSummaries } from "../tools/lib/serviceSummaries";

const root = path.join(__dirname, "fixtures", "workers", "basic");
const core = defineService({
    name: "core",
    main: "src/index.js",
    compatibilityDate: "2026-04-01",
    compatibilityFlags: ["nodejs_compat"],
    bindings: {
        CACHE: { kind: "kv" },
        DB: { kind: "d1" },
        FILES: { kind: "r2", location: "weur", jurisdiction: "eu" },
        COUNTER: { kind: "durableObject", className: "Counter" },
        ADMIN: { kind: "durableObject", className: "Admin" },
        LOG_LEVEL: { kind: "var", value: "info" },
        TOKEN: { kind: "secret" },
    },
    durableObjectMigrations: [
        { tag: "v1", newClasses: ["Counter"] },
        { tag: "v2", newSqliteClasses: ["Admin"] },
    ],
    env: z.object({ LOG_LEVEL: z.string(), TOKEN: z.string() }),
    crons: ["*/5 * * * *"],
});
const edge = defineService({
    name: "edge",
    main: "src/index.js",
    compatibilityDate: "2026-04-01",
    bindings: {
        CORE: { kind: "service", service: "core" },
        CORE_ADMIN: { kind: "service", service: "core", entrypoint: "AdminApi" },
        COUNTER: { kind: "durableObject", className: "Counter", service: "core" },
    },
    env: z.object({}),
});

const CANARY = "canary-secret-value-0123456789abcdef";
const config = {
    config: {
        "platform:accountId": "0123456789abcdef0123456789abcdef",
        "platform:zone": JSON.stringify({ id: "fedcba9876543210fedcba9876543210", name: "example.com" }),
        "platform:workersDevSubdomain": "acme",
        "platform:services": JSON.stringify({
            core: { customDomains: ["core.example.com"], vars: { LOG_LEVEL: "warn" }, observability: { enabled: true, headSamplingRate: 0.5 } },
            edge: { routes: ["example.com/edge/*"], workersDev: true },
        }),
        "platform:secrets": JSON.stringify({ core: { TOKEN: CANARY } }),
    },
    secretKeys: ["platform:secrets"],
};

let run: OfflineRun;
let components: Readonly<Record<string, WorkerService>>;
const find = (type: string, name: string): ResourceRecord => {
    const found = run.resources.find((r) => r.type === type && r.name === name);
    if (found === undefined) throw new Error(`no ${type} ${name}; have ${run.resources.map((r) => r.name).join(", ")}`);
    return found;
};
const SCRIPT = "cloudflare:index/workersScript:WorkersScript";

beforeAll(async () => {
    run = await runOffline({
        project: "platform",
        stack: "production",
        config,
        program: () => {
            const { environment } = definePlatform([{ declaration: edge, root }, { declaration: core, root }], "production");
            components = environment.services;
            return { services: environment.summary };
        },
    });
});

describe("WorkerService under mocks", () => {
    it("passes every binding kind to the WorkersScript in the provider's shape", () => {
        const script = find(SCRIPT, "core-script");
        const bindings = script.inputs.bindings as Record<string, unknown>[];
        const kv = find("cloudflare:index/workersKvNamespace:WorkersKvNamespace", "core-cache");
        const db = find("cloudflare:index/d1Database:D1Database", "core-db");
        expect(maskSecrets(bindings)).toEqual([
            { name: "CACHE", type: "kv_namespace", namespaceId: kv.id },
            { name: "DB", type: "d1", id: db.id },
            { name: "FILES", type: "r2_bucket", bucketName: "core-production-files", jurisdiction: "eu" },
            { name: "COUNTER", type: "durable_object_namespace", className: "Counter" },
            { name: "ADMIN", type: "durable_object_namespace", className: "Admin" },
            { name: "LOG_LEVEL", type: "plain_text", text: "warn" },
            { name: "TOKEN", type: "secret_text", text: "[secret]" },
        ]);
        const edgeBindings = find(SCRIPT, "edge-script").inputs.bindings;
        expect(edgeBindings).toEqual([
            { name: "CORE", type: "service", service: "core-production" },
            { name: "CORE_ADMIN", type: "service", service: "core-production", entrypoint: "AdminApi" },
            { name: "COUNTER", type: "durable_object_namespace", className: "Counter", scriptName: "core-production" },
        ]);
    });

    it("sends secret values only inside the SDK's secret marker", () => {
        const text = JSON.stringify(maskSecrets(run.resources.map((r) => r.inputs)));
        expect(text).not.toContain(CANARY);
        const token = (find(SCRIPT, "core-script").inputs.bindings as Record<string, unknown>[])[6]!.text as Record<string, unknown>;
        expect(token["4dabf18193072939515e22adb298388d"]).toBe("1b47061264138c4ac30d75fd1eb44270");
        expect(JSON.stringify(run.outputs)).not.toContain(CANARY);
    });

    it("sets script name, content hash, compatibility, observability and first-deploy migrations", () => {
        const inputs = find(SCRIPT, "core-script").inputs;
        expect(inputs.scriptName).toBe("core-production");
        expect(inputs.mainModule).toBe("index.js");
        expect(inputs.contentSha256).toBe(createHash("sha256").update(String(inputs.content)).digest("hex"));
        expect(inputs.compatibilityDate).toBe("2026-04-01");
        expect(inputs.compatibilityFlags).toEqual(["nodejs_compat"]);
        expect(inputs.observability).toEqual({ enabled: true, headSamplingRate: 0.5, logs: { enabled: true, invocationLogs: true, headSamplingRate: 0.5 } });
        expect(inputs.migrations).toEqual({ newTag: "v2", steps: [{ newClasses: ["Counter"] }, { newSqliteClasses: ["Admin"] }] });
        expect(find(SCRIPT, "edge-script").inputs.migrations).toBeUndefined();
    });

    it("creates stateful resources with deterministic names, protected in production", () => {
        expect(find("cloudflare:index/workersKvNamespace:WorkersKvNamespace", "core-cache")).toMatchObject({ protect: true, inputs: { title: "core-production-cache" } });
        expect(find("cloudflare:index/d1Database:D1Database", "core-db")).toMatchObject({ protect: true, inputs: { name: "core-production-db" } });
        expect(find("cloudflare:index/r2Bucket:R2Bucket", "core-files")).toMatchObject({ protect: true, inputs: { name: "core-production-files", location: "weur", jurisdiction: "eu" } });
        expect(find(SCRIPT, "core-script").protect).toBe(false);
    });

    it("declares workers.dev, routes, custom domains and cron triggers", () => {
        expect(find("cloudflare:index/workersScriptSubdomain:WorkersScriptSubdomain", "core-subdomain").inputs).toMatchObject({ enabled: false, scriptName: "core-production" });
        expect(find("cloudflare:index/workersScriptSubdomain:WorkersScriptSubdomain", "edge-subdomain").inputs).toMatchObject({ enabled: true });
        expect(find("cloudflare:index/workersCustomDomain:WorkersCustomDomain", "core-domain-core-example-com").inputs).toMatchObject({
            hostname: "core.example.com", service: "core-production", zoneId: "fedcba9876543210fedcba9876543210",
        });
        expect(find("cloudflare:index/workersRoute:WorkersRoute", "edge-route-example-com-edge-star").inputs).toMatchObject({
            pattern: "example.com/edge/*", script: "edge-production", zoneId: "fedcba9876543210fedcba9876543210",
        });
        expect(find("cloudflare:index/workersCronTrigger:WorkersCronTrigger", "core-crons").inputs).toMatchObject({ schedules: [{ cron: "*/5 * * * *" }] });
    });

    it("parents every child to its component and orders services by their bindings", () => {
        const component = find("platform:cloudflare:WorkerService", "core");
        const environment = find("platform:cloudflare:Environment", "production");
        expect(component.parent).toBe(environment.urn);
        for (const r of run.resources.filter((x) => x.name.startsWith("core-"))) {
            expect(r.parent, r.name).toBe(component.urn);
        }
        const edgeComponent = find("platform:cloudflare:WorkerService", "edge");
        // dependsOn a component means depending on each of its children.
        expect(edgeComponent.dependencies).toContain(find(SCRIPT, "core-script").urn);
    });

    it("exports each service's script name and URL as the stack output", () => {
        expect(run.outputs.services).toEqual({
            core: { scriptName: "core-production", url: "https://core.example.com" },
            edge: { scriptName: "edge-production", url: "https://example.com" },
        });
    });

    it("registers per-service outputs for policies and local development, the wrangler config as JSON text", () => {
        expect(typeof find("platform:cloudflare:WorkerService", "core").outputs.wranglerConfig).toBe("string");
        const services = serviceSummaries(run.resources);
        expect(Object.keys(services)).toEqual(["core", "edge"]);
        expect(services.core!.scriptName).toBe("core-production");
        expect(services.core!.url).toBe("https://core.example.com");
        expect(services.edge!.url).toBe("https://example.com");
        expect(services.core!.healthCheckPath).toBe("/health");
        expect(services.core!.envContract.keys).toEqual([
            { name: "LOG_LEVEL", kind: "var", optional: false },
            { name: "TOKEN", kind: "secret", optional: false },
        ]);
        expect(services.core!.bindings).toContainEqual({ name: "FILES", kind: "r2", target: "core-production-files" });
        expect(services.core!.wranglerConfig.secretNames).toEqual(["TOKEN"]);
        expect(JSON.stringify(services.core!.wranglerConfig)).not.toContain(CANARY);
    });
    it("registers the outputs known at construction as plain values, and reads them as Outputs", async () => {
        const core = components.core!;
        expect(core.constants).toEqual({
            url: "https://core.example.com",
            healthCheckPath: "/health",
            envContract: serviceSummaries(run.resources).core!.envContract,
        });
        const registered = find("platform:cloudflare:WorkerService", "core").outputs;
        expect(registered).toMatchObject({ scriptName: "core-production", ...core.constants });
        const read = <T>(output: { apply: (f: (v: T) => void) => unknown }) => new Promise<T>((resolve) => { output.apply(resolve); });
        expect(await read(core.url)).toBe(core.constants.url);
        expect(await read(core.envContract)).toEqual(core.constants.envContract);
        expect(await read(core.healthCheckPath)).toBe("/health");
    });
});
