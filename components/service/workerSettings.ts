/**
 * Worker settings beyond bindings that real wrangler configs use: Smart Placement, CPU and subrequest
 * limits, Workers Logpush, keeping dashboard vars, minification, module rules for non-JavaScript imports
 * (Text, Data, CompiledWasm) and Tail Workers. One module owns what each setting means to every consumer:
 * its declaration field (spread into `declaration.ts`'s schema), the `WorkersScript` arguments
 * (`@pulumi/cloudflare` 6.22.1, `workersScript.d.ts` / `types/input.d.ts`), and the `wrangler.jsonc` keys
 * (wrangler 4.86's `config-schema.json`). The importer's side is `wrangler/import/importWorkerSettings.ts`,
 * the bundler's (`minify`, module rules) `cloudflare/bundle.ts`.
 *
 * `placement`, `limits` and `logpush` may differ per stack (`platform:services.<name>.placement`, ...,
 * `infra/config.ts`); the others are one value for every stack.
 *
 * Imports nothing but zod and types: declarations are bundled into Workers.
 */
import type * as cloudflare from "@pulumi/cloudflare";
import { z } from "zod";
import { serviceNameSchema } from "./names";
import type { ValidationIssue } from "../validation";

// ─── Placement ───────────────────────────────────────────────────────────────────────────────────

/**
 * Where the Worker runs. Source: https://developers.cloudflare.com/workers/configuration/placement/ ;
 * `WorkersScriptPlacement` of @pulumi/cloudflare 6.22.1 (`mode`: "smart" | "targeted", `region`, `host`,
 * `hostname`); wrangler's `placement` (`{ mode: "off" | "smart" }` or `{ mode: "targeted", region | host | hostname }`).
 */
export const placementSchema = z.union([
    z.strictObject({
        /**
         * `smart`: Smart Placement runs the Worker close to the back ends it calls, once it has seen enough
         * traffic. `off`: the Worker runs in the data center that receives the request (Cloudflare's default;
         * use it in a stack to turn off the declaration's `smart`).
         */
        mode: z.enum(["smart", "off"]),
    }),
    z.strictObject({
        /** Targeted placement: run the Worker near one cloud region or one back end. */
        mode: z.literal("targeted"),
        /** Cloud region as `<provider>:<region>` (`aws:us-east-1`, `gcp:europe-west1`). Exactly one of region, host, hostname. */
        region: z.string().regex(/^[a-z0-9-]+:[a-z0-9-]+$/, { error: "expected a cloud region as <provider>:<region>, such as aws:us-east-1" }).optional(),
        /** A TCP back end as `<host>:<port>` (`db.example.com:5432`). */
        host: z.string().regex(/^[A-Za-z0-9.-]+:\d{1,5}$/, { error: "expected a TCP back end as <host>:<port>, such as db.example.com:5432" }).optional(),
        /** An HTTP back end's hostname (`api.example.com`). */
        hostname: z.string().regex(/^[A-Za-z0-9.-]+\.[A-Za-z]{2,63}$/, { error: "expected a hostname such as api.example.com" }).optional(),
    }).refine((p) => [p.region, p.host, p.hostname].filter((v) => v !== undefined).length === 1, {
        error: 'targeted placement takes exactly one of "region", "host" or "hostname"',
    }),
], { error: 'expected a placement: { mode: "smart" }, { mode: "off" } or { mode: "targeted", region | host | hostname }' });

/** A validated placement. */
export type Placement = z.output<typeof placementSchema>;

// ─── Limits ──────────────────────────────────────────────────────────────────────────────────────

/**
 * The most CPU time a paid Worker may be given per invocation, milliseconds (5 minutes).
 * Source: https://developers.cloudflare.com/workers/platform/limits/#cpu-time and
 * https://developers.cloudflare.com/changelog/2025-03-25-higher-cpu-limits/
 */
export const MAX_CPU_MS = 300_000;

/**
 * Per-invocation limits. Source: https://developers.cloudflare.com/workers/wrangler/configuration/#limits ;
 * `WorkersScriptLimits` of @pulumi/cloudflare 6.22.1 (`cpuMs`, `subrequests`).
 */
export const limitsSchema = z.strictObject({
    /**
     * The most CPU time one invocation may use, in milliseconds, 1 to 300000. Cloudflare's default is
     * 30000 (30 s) on paid plans; the Free plan's 10 ms cannot be raised.
     */
    cpuMs: z.number().int({ error: "expected a whole number of milliseconds" }).min(1).max(MAX_CPU_MS, {
        error: `expected at most ${MAX_CPU_MS} ms (5 minutes), Cloudflare's maximum`,
    }).optional(),
    /** The most subrequests (fetch, service binding calls) one invocation may make; at most the plan's limit. */
    subrequests: z.number().int({ error: "expected a whole number of subrequests" }).min(1).optional(),
}).refine((l) => l.cpuMs !== undefined || l.subrequests !== undefined, { error: "expected cpuMs, subrequests or both" });

/** Validated limits. */
export type Limits = z.output<typeof limitsSchema>;

// ─── Module rules ────────────────────────────────────────────────────────────────────────────────

/**
 * The module types a non-JavaScript import can have, with the Content-Type of its part in the upload and
 * what the import's default export is at run time. Source:
 * https://developers.cloudflare.com/workers/wrangler/bundling/#including-non-javascript-modules and
 * wrangler 4.86's `moduleTypeMimeType` (`wrangler-dist/cli.js`).
 */
export const MODULE_TYPES = {
    /** A UTF-8 string. */
    Text: "text/plain",
    /** An `ArrayBuffer`. */
    Data: "application/octet-stream",
    /** A `WebAssembly.Module` (Workers cannot compile WebAssembly from bytes at run time). */
    CompiledWasm: "application/wasm",
} as const;

/** A module type: `Text`, `Data` or `CompiledWasm` ({@link MODULE_TYPES}). */
export type ModuleType = keyof typeof MODULE_TYPES;

/**
 * wrangler's default module rules, which apply behind the declared ones (wrangler 4.86
 * `DEFAULT_MODULE_RULES`: Text `**\/*.txt`, `**\/*.html`, `**\/*.sql`; Data `**\/*.bin`; CompiledWasm `**\/*.wasm`).
 */
export const DEFAULT_MODULE_RULES: readonly ModuleRule[] = [
    { type: "Text", extensions: ["txt", "html", "sql"] },
    { type: "Data", extensions: ["bin"] },
    { type: "CompiledWasm", extensions: ["wasm"] },
];

/** Extensions the bundler compiles as JavaScript, TypeScript or JSON; a module rule cannot take them. */
export const SCRIPT_EXTENSIONS: ReadonlySet<string> = new Set(["js", "mjs", "cjs", "jsx", "ts", "mts", "cts", "tsx", "json"]);

const extensionSchema = z.string()
    .regex(/^[a-z0-9][a-z0-9_-]*$/, { error: 'expected a lowercase file extension without the dot, such as "html"' })
    .refine((e) => !SCRIPT_EXTENSIONS.has(e), { error: "is compiled by the bundler as a script; a module rule cannot take it" });

/**
 * One module rule: imports of files with these extensions become modules of this type, uploaded beside
 * the bundle instead of being bundled into it (wrangler's `rules` with `globs: ["**\/*.<ext>"]`).
 * Source: https://developers.cloudflare.com/workers/wrangler/configuration/#bundling
 */
export const moduleRuleSchema = z.strictObject({
    /** `Text` (a string), `Data` (an ArrayBuffer) or `CompiledWasm` (a WebAssembly.Module). */
    type: z.enum(Object.keys(MODULE_TYPES) as [ModuleType, ...ModuleType[]], { error: 'expected "Text", "Data" or "CompiledWasm"' }),
    /** File extensions without the dot (`["html", "md"]`); each in one rule only. */
    extensions: z.array(extensionSchema).min(1, { error: "expected at least one extension" }),
});

/** A validated module rule. */
export type ModuleRule = z.output<typeof moduleRuleSchema>;

/**
 * The module type of each extension: the declared rules, then wrangler's {@link DEFAULT_MODULE_RULES} for
 * the extensions they do not name (a declared rule wins, as wrangler tries rules in order).
 */
export function moduleTypesByExtension(rules: readonly ModuleRule[]): ReadonlyMap<string, ModuleType> {
    const out = new Map<string, ModuleType>();
    for (const rule of [...rules, ...DEFAULT_MODULE_RULES]) {
        for (const extension of rule.extensions) if (!out.has(extension)) out.set(extension, rule.type);
    }
    return out;
}

// ─── Tail Workers ────────────────────────────────────────────────────────────────────────────────

/**
 * A Tail Worker that receives this Worker's events (logs, exceptions, request metadata). Source:
 * https://developers.cloudflare.com/workers/observability/logs/tail-workers/ ; `WorkersScriptTailConsumer`
 * of @pulumi/cloudflare 6.22.1 (`service`: the consumer's script name).
 */
export const tailConsumerSchema = z.strictObject({
    /** A declared service whose script in the same stack consumes the events; it is deployed first. */
    service: serviceNameSchema,
});

// ─── Declaration fields ──────────────────────────────────────────────────────────────────────────

/** The declaration's worker-settings fields, spread into the declaration schema (`declaration.ts`). */
export const workerSettingsFields = {
    /**
     * Where the Worker runs (Smart Placement, or targeted). A stack may override it.
     * @default unset: Cloudflare runs the Worker where the request arrives
     * @example placement: { mode: "smart" }
     */
    placement: placementSchema.optional(),
    /**
     * CPU time and subrequest limits per invocation. A stack may override it.
     * @default unset: the account plan's limits (30000 ms CPU on paid plans)
     * @example limits: { cpuMs: 50_000 }
     */
    limits: limitsSchema.optional(),
    /**
     * Send the Worker's trace events to Workers Logpush (a Logpush job must exist separately:
     * https://developers.cloudflare.com/workers/observability/logs/logpush/). A stack may override it.
     * @default unset: on in a stack with a Logpush destination (`platform:monitoring.logpush`, docs/monitoring.md), else off
     */
    logpush: z.boolean().optional(),
    /**
     * Keep vars (plain text and JSON bindings) set outside the platform, in the dashboard, on each deploy
     * (wrangler's `keep_vars`, the upload's `keep_bindings: ["plain_text", "json"]`). Declared vars still win.
     * Not available with `deployment.strategy: "versions"`, whose versions carry every binding.
     * @default false: a deploy leaves exactly the declared bindings
     */
    keepVars: z.boolean().optional(),
    /**
     * Minify the bundle (esbuild `minify`, names kept). The bundle and its SHA-256 stay deterministic either way.
     * @default true (wrangler's own default is false)
     */
    minify: z.boolean().optional(),
    /**
     * Imports of non-JavaScript files, by extension: `Text`, `Data` or `CompiledWasm` modules uploaded beside
     * the bundle. wrangler's default rules (Text: txt, html, sql; Data: bin; CompiledWasm: wasm) apply to the
     * extensions not named here.
     * @default []
     * @example moduleRules: [{ type: "Text", extensions: ["md"] }, { type: "Data", extensions: ["png"] }]
     */
    moduleRules: z.array(moduleRuleSchema).optional(),
    /**
     * Tail Workers: declared services that receive this Worker's events in the same stack.
     * @default []
     * @example tailConsumers: [{ service: "log-sink" }]
     */
    tailConsumers: z.array(tailConsumerSchema).optional(),
    /**
     * Not supported, and refused whatever its value: Cloudflare Containers need a container application
     * (image, instances) that @pulumi/cloudflare 6.22.1 cannot create, and a Durable Object of a container's
     * class declared without it would start no container. Source:
     * https://developers.cloudflare.com/containers/ (wrangler's `containers`).
     */
    containers: z.custom<never>(() => false, {
        error: "Cloudflare Containers are not supported (@pulumi/cloudflare 6.22.1 has no container application resource); " +
            "remove containers, and keep deploying a Worker with container-backed Durable Objects with wrangler",
    }).optional(),
};

/** The worker-settings fields of a validated declaration. */
export interface DeclaredWorkerSettings {
    readonly name: string;
    readonly placement?: Placement | undefined;
    readonly limits?: Limits | undefined;
    readonly logpush?: boolean | undefined;
    readonly keepVars?: boolean | undefined;
    readonly minify?: boolean | undefined;
    readonly moduleRules?: readonly ModuleRule[] | undefined;
    readonly tailConsumers?: readonly { readonly service: string }[] | undefined;
}

/** The stack's values of the settings a stack may override (`ServiceSettings`), when it sets them. */
export interface StackWorkerSettings {
    readonly placement?: Placement | undefined;
    readonly limits?: Limits | undefined;
    readonly logpush?: boolean | undefined;
}

/** The settings in force for one service in one stack, defaults applied. */
export interface WorkerSettings {
    readonly placement?: Placement;
    readonly limits?: Limits;
    readonly logpush?: boolean;
    readonly keepVars: boolean;
    /** As declared; the bundler minifies when it is unset. */
    readonly minify?: boolean;
    readonly moduleRules: readonly ModuleRule[];
    /** Declared service names. */
    readonly tailConsumers: readonly string[];
}

/** The settings in force: the stack's placement, limits and logpush where it sets them, else the declaration's. */
export function effectiveWorkerSettings(declaration: DeclaredWorkerSettings, stack: StackWorkerSettings = {}): WorkerSettings {
    const placement = stack.placement ?? declaration.placement;
    const limits = stack.limits ?? declaration.limits;
    const logpush = stack.logpush ?? declaration.logpush;
    return {
        ...(placement === undefined ? {} : { placement }),
        ...(limits === undefined ? {} : { limits }),
        ...(logpush === undefined ? {} : { logpush }),
        keepVars: declaration.keepVars ?? false,
        ...(declaration.minify === undefined ? {} : { minify: declaration.minify }),
        moduleRules: declaration.moduleRules ?? [],
        tailConsumers: (declaration.tailConsumers ?? []).map((t) => t.service),
    };
}

/** The stack's `ServiceSettings` fields for the settings a stack may override: its own value, else the declaration's; unset ones left out. */
export function stackWorkerSettings(declaration: DeclaredWorkerSettings, overrides: StackWorkerSettings): StackWorkerSettings {
    const { placement, limits, logpush } = effectiveWorkerSettings(declaration, overrides);
    return {
        ...(placement === undefined ? {} : { placement }),
        ...(limits === undefined ? {} : { limits }),
        ...(logpush === undefined ? {} : { logpush }),
    };
}

/**
 * Rules between the settings and the other services of a stack: each tail consumer must be a declared
 * service, and `keepVars` needs a deployment that uploads a script (`WorkerVersion` of @pulumi/cloudflare
 * 6.22.1 has no `keepBindings`: a version carries every binding).
 * @param root the declaration's path (`services.api`); @param configRoot the stack's entry (`platform:services.api`).
 */
export function workerSettingsStackIssues(
    declaration: DeclaredWorkerSettings,
    stack: { readonly services: ReadonlySet<string>; readonly strategy: string | undefined },
    root: string,
    configRoot: string,
): ValidationIssue[] {
    const issues: ValidationIssue[] = [];
    (declaration.tailConsumers ?? []).forEach((consumer, i) => {
        if (!stack.services.has(consumer.service)) {
            issues.push({ path: `${root}.tailConsumers[${i}].service`, message: `no service named "${consumer.service}" is declared; declared: ${[...stack.services].join(", ")}` });
        }
    });
    if (declaration.keepVars === true && stack.strategy === "versions") {
        issues.push({
            path: `${configRoot}.deployment.strategy`,
            message: `${root}.keepVars keeps dashboard vars on each script upload, which versions cannot do (a Worker version carries every binding); ` +
                'use strategy "script", or declare those vars and drop keepVars',
        });
    }
    return issues;
}

/**
 * Rules across the settings that zod cannot express field by field: an extension in two module rules,
 * a service tailing itself, a tail consumer listed twice.
 * @param at renders a path below the declaration (`services.api.moduleRules[1].extensions[0]`).
 */
export function workerSettingsIssues(declaration: DeclaredWorkerSettings, at: (...path: PropertyKey[]) => string): ValidationIssue[] {
    const issues: ValidationIssue[] = [];
    const ruleOf = new Map<string, number>();
    (declaration.moduleRules ?? []).forEach((rule, i) => rule.extensions.forEach((extension, j) => {
        const other = ruleOf.get(extension);
        if (other !== undefined) {
            issues.push({ path: at("moduleRules", i, "extensions", j), message: `"${extension}" is already in moduleRules[${other}]; an extension has one module type` });
        }
        ruleOf.set(extension, i);
    }));
    const seen = new Set<string>();
    (declaration.tailConsumers ?? []).forEach((consumer, i) => {
        if (consumer.service === declaration.name) {
            issues.push({ path: at("tailConsumers", i, "service"), message: "a Worker cannot be its own Tail Worker; name another declared service" });
        } else if (seen.has(consumer.service)) {
            issues.push({ path: at("tailConsumers", i, "service"), message: `"${consumer.service}" is already a tail consumer; list it once` });
        }
        seen.add(consumer.service);
    });
    return issues;
}

// ─── WorkersScript ───────────────────────────────────────────────────────────────────────────────

/** The `WorkersScript` arguments the settings set (`placement`, `limits`, `logpush`, `keepBindings`, `tailConsumers`); unset settings stay out. */
export type ScriptSettingsArgs = Pick<cloudflare.WorkersScriptArgs, "placement" | "limits" | "logpush" | "keepBindings" | "tailConsumers">;

/**
 * The settings as `WorkersScript` arguments of @pulumi/cloudflare 6.22.1 (`workersScript.d.ts`):
 * `placement` (`{ mode: "smart" }`, or `{ mode: "targeted", region | host | hostname }`; nothing for `off`),
 * `limits` (`{ cpuMs, subrequests }`), `logpush`, `keepBindings` (`["plain_text", "json"]` for `keepVars`,
 * as wrangler's upload does) and `tailConsumers` (`[{ service: <script name> }]`).
 * @param scriptOf the script name of a declared service in this stack.
 */
export function scriptSettingsArgs(settings: WorkerSettings, scriptOf: (service: string) => string): ScriptSettingsArgs {
    const placement = settings.placement === undefined || settings.placement.mode === "off" ? undefined : { ...settings.placement };
    return {
        ...(placement === undefined ? {} : { placement }),
        ...(settings.limits === undefined ? {} : { limits: { ...settings.limits } }),
        ...(settings.logpush === undefined ? {} : { logpush: settings.logpush }),
        ...(settings.keepVars ? { keepBindings: ["plain_text", "json"] } : {}),
        ...(settings.tailConsumers.length === 0 ? {} : { tailConsumers: settings.tailConsumers.map((service) => ({ service: scriptOf(service) })) }),
    };
}

// ─── wrangler.jsonc ──────────────────────────────────────────────────────────────────────────────

/**
 * The settings as top-level wrangler keys (https://developers.cloudflare.com/workers/wrangler/configuration/):
 * `placement`, `limits` (`cpu_ms`, `subrequests`), `logpush`, `keep_vars`, `minify`, `rules` (one rule per
 * declared rule, `globs: ["**\/*.<ext>"]`, `fallthrough: true` so wrangler keeps its default rules behind them,
 * as the bundler does) and `tail_consumers` (`[{ service: <script name> }]`). Unset settings are left out.
 */
export function wranglerSettings(settings: WorkerSettings, scriptOf: (service: string) => string): Record<string, unknown> {
    const out: Record<string, unknown> = {};
    if (settings.placement !== undefined) out.placement = { ...settings.placement };
    if (settings.limits !== undefined) {
        out.limits = {
            ...(settings.limits.cpuMs === undefined ? {} : { cpu_ms: settings.limits.cpuMs }),
            ...(settings.limits.subrequests === undefined ? {} : { subrequests: settings.limits.subrequests }),
        };
    }
    if (settings.logpush !== undefined) out.logpush = settings.logpush;
    if (settings.keepVars) out.keep_vars = true;
    // Only when declared: wrangler's default (false) keeps `wrangler dev` unminified, as the platform always generated it.
    if (settings.minify !== undefined) out.minify = settings.minify;
    if (settings.moduleRules.length > 0) {
        out.rules = settings.moduleRules.map((rule) => ({ type: rule.type, globs: rule.extensions.map((e) => `**/*.${e}`), fallthrough: true }));
    }
    if (settings.tailConsumers.length > 0) out.tail_consumers = settings.tailConsumers.map((service) => ({ service: scriptOf(service) }));
    return out;
}
