import * as cloudflare from "@pulumi/cloudflare";
import * as github from "@pulumi/github";
import { describe, expect, it } from "vitest";
import { plainStackProgram, resourceClass, type ReportedResource } from "../../bench/plainStack";
import { maskSecrets, runOffline } from "../../tools/lib/mockEngine";

describe("the plain program of a planned stack", () => {
    it("declares each type with its package's class, providers included, and anything else generically", () => {
        expect(resourceClass("cloudflare:index/workersScript:WorkersScript")).toBe(cloudflare.WorkersScript);
        expect(resourceClass("pulumi:providers:github")).toBe(github.Provider);
        expect(resourceClass("github:index/actionsEnvironmentSecret:ActionsEnvironmentSecret")).toBe(github.ActionsEnvironmentSecret);
        expect(resourceClass("pulumi-nodejs:dynamic/cloudflare:HealthGate")).toBeUndefined();
        expect(resourceClass("cloudflare:index/noSuchThing:NoSuchThing")).toBeUndefined();
        expect(resourceClass("notinstalled:index/thing:Thing")).toBeUndefined();
    });

    it("registers the reported custom resources with the same masked inputs and protect flags, and no components", async () => {
        const reported: ReportedResource[] = [
            { type: "platform:cloudflare:WorkerService", name: "api", custom: false, protect: false, inputs: {} },
            { type: "cloudflare:index/d1Database:D1Database", name: "api-db", custom: true, protect: true, inputs: { accountId: "3f2a", name: "api-production-db" } },
            {
                type: "cloudflare:index/workersScript:WorkersScript", name: "api-script", custom: true, protect: false,
                inputs: { accountId: "3f2a", scriptName: "api-production", content: "export default {}", bindings: [{ name: "KEY", type: "secret_text", text: "[secret]" }] },
            },
            { type: "pulumi-nodejs:dynamic/cloudflare:HealthGate", name: "api-health-gate", custom: true, protect: false, inputs: { url: "https://api.example.com/health", trigger: "[unknown]" } },
        ];
        const run = await runOffline({ project: "platform", stack: "production", config: { config: {}, secretKeys: [] }, program: () => plainStackProgram(reported) });
        // Registration order is the SDK's (classes register a tick later); compare by name.
        const byName = (a: { name: string }, b: { name: string }) => a.name.localeCompare(b.name);
        const registered = run.resources.filter((r) => r.type !== "pulumi:pulumi:Stack").sort(byName);
        expect(registered.every((r) => r.custom)).toBe(true);
        expect(registered.map((r) => ({ type: r.type, name: r.name, custom: r.custom, protect: r.protect, inputs: maskSecrets(r.inputs) })))
            .toEqual(reported.filter((r) => r.custom).sort(byName));
        // The secret is sent as a secret, not as the text "[secret]".
        expect(JSON.stringify(registered.find((r) => r.name === "api-script")!.inputs)).toContain("1b47061264138c4ac30d75fd1eb44270");
    });
});
