import { describe, expect, it } from "vitest";
import { WORKER_SERVICE_TYPE } from "../components/typeTokens";
import type { ResourceRecord } from "../tools/lib/mockEngine";
import { serviceSummaries } from "../tools/lib/serviceSummaries";

/** A component record with the given registered outputs (only the fields the reader looks at matter). */
function component(type: string, name: string, outputs: Record<string, unknown>): ResourceRecord {
    return {
        urn: `urn:pulumi:staging::platform::${type}::${name}`, type, name, parent: "", custom: false, protect: false, provider: "",
        dependencies: [], propertyDependencies: {}, importId: "", deleteBeforeReplace: false, ignoreChanges: [],
        additionalSecretOutputs: [], retainOnDelete: false, inputs: {}, id: "", outputs,
    };
}

const config = { config: { name: "api-staging", main: "../../services/api/src/index.ts" }, secretNames: ["TOKEN"] };
const outputs = {
    scriptName: "api-staging",
    url: "https://api.example.com",
    bindings: [{ name: "CACHE", kind: "kv", target: "22a6ac9da26d12b635677d25c1d963d6" }],
    envContract: { keys: [], jsonSchema: {} },
    healthCheckPath: "/health",
    wranglerConfig: JSON.stringify(config),
};

describe("serviceSummaries", () => {
    it("reads each WorkerService's outputs by service name, in registration order, the wrangler config parsed", () => {
        const summaries = serviceSummaries([
            component("platform:cloudflare:Environment", "staging", { scriptNames: { api: "api-staging" } }),
            component(WORKER_SERVICE_TYPE, "web", { ...outputs, scriptName: "web-staging" }),
            component(WORKER_SERVICE_TYPE, "api", outputs),
        ]);
        expect(Object.keys(summaries)).toEqual(["web", "api"]);
        expect(summaries.api).toEqual({ ...outputs, wranglerConfig: config });
    });

    it("fails naming the service when a WorkerService registered no wrangler config, or one that is not JSON", () => {
        expect(() => serviceSummaries([component(WORKER_SERVICE_TYPE, "api", {})])).toThrow("WorkerService api registered no wrangler config (outputs: none)");
        expect(() => serviceSummaries([component(WORKER_SERVICE_TYPE, "api", { ...outputs, wranglerConfig: "{" })]))
            .toThrow(/^WorkerService api registered a wrangler config that is not JSON: /);
    });
});
