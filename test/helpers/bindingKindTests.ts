/**
 * What the tests of one binding kind (`test/bindings/<kind>.test.ts`) share: declarations built from bindings,
 * the rendered issues of a `ValidationError`, the resolver's issues for a stack, the fixture services planned
 * under the mock engine for production (script strategy) and staging (with per-service settings such as the
 * versions strategy and imports), and a lookup of a registered resource.
 */
import { z } from "zod";
import { defineService, type ServiceDeclaration, type ServiceDeclarationInput } from "../../components/service/declaration";
import { ValidationError } from "../../components/validation";
import { loadStackConfig } from "../../infra/config";
import { definePlatform, PROJECT_ROOT } from "../../infra/program";
import type { ServiceEntry } from "../../infra/registry";
import { resolveServices } from "../../infra/resolve";
import { runOffline, type OfflineRun, type ResourceRecord } from "../../tools/lib/mockEngine";

/** The account every kind test's stack config uses. */
export const TEST_ACCOUNT = "0123456789abcdef0123456789abcdef";

/** A declaration named `name` with entry `main` and these bindings (input shape, unchecked by `tsc`). */
export function declareService(name: string, main: string, bindings: Record<string, unknown>): ServiceDeclaration {
    return defineService({
        name, main, compatibilityDate: "2026-04-01", env: z.object({}),
        bindings: bindings as ServiceDeclarationInput["bindings"],
    });
}

/**
 * The issues of the `ValidationError` `run` throws, rendered `path: message`.
 * @throws {Error} when `run` throws something else or nothing.
 */
export function validationIssues(run: () => unknown): string[] {
    try {
        run();
    } catch (error) {
        if (error instanceof ValidationError) return error.issues.map((i) => `${i.path}: ${i.message}`);
        throw error;
    }
    throw new Error("expected a ValidationError");
}

/** The resolver's issues for `entries` in `stack`, with `platform:services` set to `services`. */
export function resolveIssues(entries: readonly ServiceEntry[], services: Record<string, unknown> = {}, stack = "production"): string[] {
    const config = loadStackConfig({ "platform:accountId": TEST_ACCOUNT, "platform:services": JSON.stringify(services) }, () => false);
    return validationIssues(() => resolveServices(stack, config, entries, PROJECT_ROOT));
}

/**
 * Plans `entries` under the mock engine for production (default settings: scripts, protected) and then for
 * staging with `staging` as `platform:services` (`{ api: { deployment: { strategy: "versions" }, import: {...} } }`),
 * one after the other (the Pulumi SDK keeps its state in process globals).
 */
export async function planFixtureStacks(entries: readonly ServiceEntry[], staging: Record<string, unknown>): Promise<{ production: OfflineRun; staging: OfflineRun }> {
    const plan = (stack: string, config: Record<string, string>) => runOffline({
        project: "platform",
        stack,
        config: { config: { "platform:accountId": TEST_ACCOUNT, ...config }, secretKeys: [] },
        program: () => ({ services: definePlatform(entries, stack).environment.summary }),
    });
    const production = await plan("production", {});
    return { production, staging: await plan("staging", { "platform:services": JSON.stringify(staging) }) };
}

/**
 * The resource of `type` named `name` a run registered.
 * @throws {Error} listing the registered names when there is none.
 */
export function findResource(run: OfflineRun, type: string, name: string): ResourceRecord {
    const found = run.resources.find((r) => r.type === type && r.name === name);
    if (found === undefined) throw new Error(`no ${type} ${name}; have ${run.resources.map((r) => r.name).join(", ")}`);
    return found;
}
