/**
 * One harness for the tests of a binding kind (`test/bindings/<kind>.test.ts`): declare a service with the
 * kind's bindings, collect validation issues, run the platform under the SDK's mock engine (a `WorkersScript`
 * service and a `deployment.strategy: "versions"` twin), import a wrangler config, run the health checks
 * against fake bindings, and run the real `wrangler deploy --dry-run` on a generated config.
 */
import { mkdir, rm, writeFile } from "node:fs/promises";
import { randomBytes } from "node:crypto";
import * as path from "node:path";
import { z } from "zod";
import { runHealthChecks } from "../../components/health/handler";
import type { CheckResult } from "../../components/health/types";
import { defineService, type ServiceDeclaration, type ServiceDeclarationInput } from "../../components/service/declaration";
import { ValidationError, type ValidationIssue } from "../../components/validation";
import { serviceSummaries, type ServiceSummary } from "../../tools/lib/serviceSummaries";
import { importWranglerConfig, type ImportResult } from "../../components/wrangler/import/importConfig";
import { generateWranglerConfig, type ResolvedResource, type WranglerConfig } from "../../components/wrangler/generate";
import { WORKER_SERVICE_TYPE } from "../../components/typeTokens";
import { definePlatform } from "../../infra/program";
import { runOffline, type OfflineRun, type ResourceRecord } from "../../tools/lib/mockEngine";
import { PROJECT_ROOT, runWrangler, type WranglerRun } from "./wrangler";

/** Bindings in `defineService`'s input shape. */
export type Bindings = NonNullable<ServiceDeclarationInput["bindings"]>;

/** The account id of every harness stack. */
export const ACCOUNT = "0123456789abcdef0123456789abcdef";
/** The fixture Worker the harness services bundle. */
export const FIXTURE_ROOT = path.join(PROJECT_ROOT, "test", "fixtures", "workers", "basic");
/** The provider's type tokens the harness reads. */
export const SCRIPT_TYPE = "cloudflare:index/workersScript:WorkersScript";
export const VERSION_TYPE = "cloudflare:index/workerVersion:WorkerVersion";

/** A declaration named `name` with `bindings` (and an empty env contract). */
export function declare(bindings: Bindings, name = "svc", more: Partial<ServiceDeclarationInput> = {}): ServiceDeclaration {
    return defineService({ name, main: "src/index.js", compatibilityDate: "2026-04-01", env: z.object({}), ...more, bindings });
}

/** The issues `defineService` reports for `bindings` (empty when valid). */
export function declarationIssues(bindings: Bindings, more: Partial<ServiceDeclarationInput> = {}): readonly ValidationIssue[] {
    try {
        declare(bindings, "svc", more);
        return [];
    } catch (error) {
        if (error instanceof ValidationError) return error.issues;
        throw error;
    }
}

/** An offline run of two services with the same bindings: `svc` as a `WorkersScript`, `svcv` through versions. */
export interface KindRun {
    readonly run: OfflineRun;
    /** `svc-script`'s `bindings` input. */
    readonly scriptBindings: readonly Record<string, unknown>[];
    /** `svcv-version`'s `bindings` input. */
    readonly versionBindings: readonly Record<string, unknown>[];
    /** The stack output of `svc` (wrangler config, bindings summary). */
    readonly summary: ServiceSummary;
    /** The `svc` WorkerService component. */
    readonly component: ResourceRecord;
    /** A custom resource by type and name. @throws {Error} listing the resources when there is none. */
    find(type: string, name: string): ResourceRecord;
}

/**
 * Runs the platform under the mock engine in `stack` with `svc` and `svcv` binding `bindings`, and any other
 * declared services they bind to.
 * @param stack @default "production" (stateful resources protected)
 */
export async function runKind(bindings: Bindings, stack = "production", others: readonly ServiceDeclaration[] = []): Promise<KindRun> {
    const services = [declare(bindings, "svc"), declare(bindings, "svcv"), ...others].map((declaration) => ({ declaration, root: FIXTURE_ROOT }));
    const run = await runOffline({
        project: "platform",
        stack,
        config: {
            config: {
                "platform:accountId": ACCOUNT,
                // No URL serves /health here, so no health gate: say it is intended.
                "platform:services": JSON.stringify(Object.fromEntries(services.map(({ declaration: d }) => [d.name, {
                    healthGate: { enabled: false },
                    ...(d.name === "svcv" ? { deployment: { strategy: "versions" } } : {}),
                }]))),
            },
            secretKeys: [],
        },
        program: () => ({ services: definePlatform(services, stack).environment.summary }),
    });
    const find = (type: string, name: string): ResourceRecord => {
        const found = run.resources.find((r) => r.type === type && r.name === name);
        if (found === undefined) throw new Error(`no ${type} ${name}; have ${run.resources.map((r) => `${r.type} ${r.name}`).join(", ")}`);
        return found;
    };
    return {
        run,
        scriptBindings: find(SCRIPT_TYPE, "svc-script").inputs.bindings as Record<string, unknown>[],
        versionBindings: find(VERSION_TYPE, "svcv-version").inputs.bindings as Record<string, unknown>[],
        summary: serviceSummaries(run.resources).svc!,
        component: run.resources.find((r) => r.type === WORKER_SERVICE_TYPE && r.name === "svc")!,
        find,
    };
}

/** Imports a wrangler config (a parsed `wrangler.jsonc`) as service `svc` (`--name svc`), as `npm run import` would. */
export function importConfig(config: Record<string, unknown>, environments?: Readonly<Record<string, string>>): ImportResult {
    return importWranglerConfig({ name: "svc", main: "src/index.js", compatibility_date: "2026-04-01", ...config }, {
        source: "wrangler.jsonc",
        name: "svc",
        ...(environments === undefined ? {} : { environments }),
    });
}

/**
 * The wrangler config generated for a `svc` declaration with `bindings` in stack production (script
 * `svc-production`), with the given resolved resources.
 */
export function generate(bindings: Bindings, resources: Readonly<Record<string, ResolvedResource>> = {}): WranglerConfig {
    return generateWranglerConfig({
        declaration: declare(bindings), scriptName: "svc-production", serviceDir: ".", serviceScripts: {}, resources,
        settings: { routes: [], customDomains: [], vars: {}, workersDev: false, crons: [], observability: { enabled: true, headSamplingRate: 1 }, protect: true },
    }).config;
}

/** The notes of an import whose path starts with `prefix`, as `category path: message` lines. */
export function notesAt(result: ImportResult, prefix: string): string[] {
    return result.notes.filter((n) => n.path.startsWith(prefix)).map((n) => `${n.category} ${n.path}: ${n.message}`);
}

/** Runs the health checks of a `svc` declaration with `bindings` against a fake `env`. */
export async function healthOf(bindings: Bindings, env: Record<string, unknown>): Promise<Readonly<Record<string, CheckResult>>> {
    return (await runHealthChecks(declare(bindings), env)).checks;
}

/**
 * Writes `config` (with `main` pointed at the fixture Worker) to `.platform/test-kinds-<random>/wrangler.jsonc`
 * and runs the real `wrangler deploy --dry-run` on it, offline. The directory is removed afterwards.
 */
export async function dryRun(config: Record<string, unknown>): Promise<WranglerRun> {
    const dir = path.join(PROJECT_ROOT, ".platform", `test-kinds-${randomBytes(4).toString("hex")}`);
    await mkdir(dir, { recursive: true });
    try {
        const configPath = path.join(dir, "wrangler.jsonc");
        await writeFile(configPath, JSON.stringify({ ...config, main: path.join(FIXTURE_ROOT, "src", "index.js") }, null, 2));
        return await runWrangler(["deploy", "--dry-run", "--config", configPath, "--outdir", path.join(dir, "out")], { scratchDir: dir });
    } finally {
        await rm(dir, { recursive: true, force: true });
    }
}
