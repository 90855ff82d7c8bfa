/**
 * The service declaration: what a team writes, once, in `services/<name>/service.ts`. The Pulumi
 * program, the generated wrangler config and the policy pack all read this one object.
 *
 * Worker code imports its own declaration (the health library reads the bindings and the env contract from
 * it at runtime), so this module and the binding table it reads import no Pulumi package at run time.
 */
import { z } from "zod";
import { cronProblem } from "./cron";
import { replayMigrations, type DurableObjectMigration } from "./durableObjectMigrations";
import { contractIssues } from "./envContract";
import { workerSettingsFields, workerSettingsIssues } from "./workerSettings";
import { applyTelemetry, telemetrySchema, type ResolvedTelemetry } from "./telemetry";
import { serviceMonitoringSchema } from "./monitoring";
import { BINDING_NAME, bindingSlug, classNameSchema as className, serviceNameSchema as serviceName, relativePathSchema as relativePath } from "./names";
import { BINDING_KINDS, bindingKind, bindingKindNames, type Binding, type BindingInput } from "../bindings/index";
import { ValidationError, renderPath, zodIssues, type ValidationIssue } from "../validation";

export { BINDING_NAME, SERVICE_NAME, bindingSlug } from "./names";
export { R2_LOCATIONS } from "../bindings/r2";
export type { Binding, BindingKind } from "../bindings/index";

/**
 * One binding: an object whose `kind` names a kind of the binding table (`components/bindings/`), with that
 * kind's fields.
 */
function bindingSchema(): z.ZodType<Binding, BindingInput> {
    const [first, ...rest] = BINDING_KINDS.map((k) => k.schema);
    return z.discriminatedUnion("kind", [first!, ...rest] as unknown as [z.ZodObject, ...z.ZodObject[]], {
        error: `expected a binding object with "kind" one of ${bindingKindNames().join(", ")}`,
    }) as unknown as z.ZodType<Binding, BindingInput>;
}

const migrationStep = z.strictObject({
    tag: z.string().min(1),
    newClasses: z.array(className).optional(),
    newSqliteClasses: z.array(className).optional(),
    renamedClasses: z.array(z.strictObject({ from: className, to: className })).optional(),
    deletedClasses: z.array(className).optional(),
    transferredClasses: z.array(z.strictObject({ from: className, fromScript: z.string().min(1), to: className })).optional(),
});

const compatibilityDate = z.string().regex(/^\d{4}-\d{2}-\d{2}$/, { error: "expected a date as YYYY-MM-DD" })
    .refine((d) => !Number.isNaN(Date.parse(`${d}T00:00:00Z`)) && new Date(`${d}T00:00:00Z`).toISOString().startsWith(d), {
        error: "expected a real calendar date",
    });

/** A Cron Trigger schedule, checked by {@link cronProblem}. */
export const cronSchema = z.string().superRefine((value, ctx) => {
    const problem = cronProblem(value);
    if (problem !== undefined) ctx.addIssue({ code: "custom", message: `invalid cron expression "${value}": ${problem}` });
});

/** Observability (Workers Logs) settings. Source: https://developers.cloudflare.com/workers/observability/logs/workers-logs/ */
export const observabilitySchema = z.strictObject({
    /** Turn Workers Logs on. */
    enabled: z.boolean(),
    /** Fraction of requests logged, 0 to 1. @default 1 */
    headSamplingRate: z.number().min(0).max(1).default(1),
});

function buildDeclarationSchema(binding: z.ZodType<Binding, BindingInput>) {
    return z.strictObject({
    name: serviceName,
    main: relativePath.refine((p) => /\.(ts|mts|js|mjs)$/.test(p), { error: "expected a .ts, .mts, .js or .mjs entry module" }),
    compatibilityDate,
    compatibilityFlags: z.array(z.string().regex(/^[a-z0-9_]+$/, { error: "expected a flag such as nodejs_compat" })).default([]),
    version: z.string().min(1).default("0.0.0"),
    bindings: z.record(z.string().regex(BINDING_NAME, { error: "expected a binding name that is a JavaScript identifier" }), binding).default({}),
    durableObjectMigrations: z.array(migrationStep).default([]),
    env: z.custom<z.ZodObject>((v) => v instanceof z.ZodObject, { error: "expected a zod object schema (z.object({...}))" }),
    health: z.strictObject({
        path: z.string().regex(/^\/[\w\-./]*$/, { error: "expected an absolute URL path such as /health" }).default("/health"),
    }).default({ path: "/health" }),
    routes: z.array(z.string().min(1)).default([]),
    customDomains: z.array(z.string().min(1)).default([]),
    crons: z.array(cronSchema).default([]),
    workersDev: z.boolean().default(false),
    observability: observabilitySchema.default({ enabled: true, headSamplingRate: 1 }),
    /**
     * The Health Check on the public `health.path` and the HTTP 5xx error-rate alert, as the service team wants
     * them (`./monitoring.ts`); the stack's `platform:monitoring` gives the defaults beneath and
     * `platform:services.<name>.monitoring` overrides it per stack.
     * @default unset: the stack's defaults, else Cloudflare's (60 s interval, 2 retries, 5 s timeout, "200") and 5 %
     * @example monitoring: { healthCheck: { checkRegions: ["WEU", "ENAM"] }, errorRate: { thresholdPercent: 2 } }
     */
    monitoring: serviceMonitoringSchema.optional(),
    /**
     * Where the Worker runtime library (`components/telemetry/`) writes: `true` adds the request metrics dataset
     * `METRICS` (`<script>-metrics`) and the version metadata `CF_VERSION_METADATA`; an object names them (`./telemetry.ts`).
     * @default false
     */
    telemetry: telemetrySchema,
    // placement, limits, logpush, keepVars, minify, moduleRules, tailConsumers: documented in workerSettings.ts.
    ...workerSettingsFields,
    });
}
type DeclarationSchema = ReturnType<typeof buildDeclarationSchema>;

/** The declaration schema over the binding table as it is now: rebuilt when a kind is registered. */
function declarationSchema(): DeclarationSchema {
    if (cachedSchema?.kinds !== BINDING_KINDS.length) cachedSchema = { kinds: BINDING_KINDS.length, schema: buildDeclarationSchema(bindingSchema()) };
    return cachedSchema.schema;
}
let cachedSchema: { kinds: number; schema: DeclarationSchema } | undefined;

/** What a team writes: the input of {@link defineService}. */
export type ServiceDeclarationInput = z.input<DeclarationSchema>;
/**
 * A validated declaration, defaults applied; `bindings` includes the ones `telemetry` adds, and `telemetry`
 * names the bindings used.
 */
export type ServiceDeclaration = Omit<z.output<DeclarationSchema>, "telemetry"> & { readonly telemetry: ResolvedTelemetry | false };

/** Key of the type-only field {@link DeclaredTypes} carries; no value exists at run time. */
declare const declaredInput: unique symbol;

/**
 * Type-only (phantom) field of what {@link defineService} returns: the declaration exactly as written, with its
 * literal binding kinds, binding fields and env contract schema, so `EnvOf<typeof declaration>`
 * (`components/service/envOf.ts`) can type the Worker's `env`. It never exists at run time: the returned value
 * is the parsed declaration, nothing more.
 */
export interface DeclaredTypes<T> {
    readonly [declaredInput]?: T;
}

/**
 * The declaration as written: the input type {@link defineService} recorded in {@link DeclaredTypes}, or `D`
 * itself for a value that carries none (a plain object literal `as const`, a {@link ServiceDeclaration}).
 */
export type DeclaredInput<D> = D extends { readonly [declaredInput]?: infer T } ? (unknown extends T ? D : T) : D;

/**
 * Declares a service. Validates the whole declaration and reports every problem at once.
 *
 * Returns the parsed declaration; its type also records the input as written ({@link DeclaredTypes}, type
 * only), so Worker code derives its `env` with `EnvOf<typeof declaration>` (`./envOf.ts`).
 *
 * @example
 * export default defineService({
 *   name: "api", main: "src/index.ts", compatibilityDate: "2026-04-01",
 *   bindings: { CACHE: { kind: "kv" }, DB: { kind: "d1" }, TOKEN: { kind: "secret" } },
 *   env: z.object({ TOKEN: z.string().min(32) }),
 * });
 * @throws {ValidationError} with paths such as `services.api.bindings.DB.migrationsDir`: unknown keys,
 *   wrong types, bad cron expressions, a Durable Object class no migration creates, an env contract key
 *   no binding provides, a binding name the contract types as something else.
 */
export function defineService<const T extends ServiceDeclarationInput>(input: T): ServiceDeclaration & DeclaredTypes<T> {
    const root = `services.${typeof input?.name === "string" ? input.name : "?"}`;
    const parsed = declarationSchema().safeParse(input, { reportInput: true });
    if (!parsed.success) {
        throw new ValidationError("service declaration", zodIssues(root, parsed.error));
    }
    const withTelemetry = applyTelemetry(parsed.data.telemetry, parsed.data.bindings, (...path) => renderPath(root, path));
    const declaration: ServiceDeclaration = { ...parsed.data, bindings: withTelemetry.bindings, telemetry: withTelemetry.telemetry };
    const issues = [...withTelemetry.issues, ...crossCheck(declaration, root)];
    if (issues.length > 0) {
        throw new ValidationError("service declaration", issues);
    }
    return declaration;
}

/** Consistency rules zod cannot express field by field. */
function crossCheck(decl: ServiceDeclaration, root: string): ValidationIssue[] {
    const issues: ValidationIssue[] = [];
    const at = (...path: PropertyKey[]) => renderPath(root, path);
    issues.push(...workerSettingsIssues(decl, at));

    const { classes, problems } = replayMigrations(decl.durableObjectMigrations as DurableObjectMigration[]);
    for (const p of problems) {
        issues.push({ path: at("durableObjectMigrations", p.index, p.field), message: p.message });
    }
    const liveClasses = new Set(classes.keys());
    for (const [name, b] of Object.entries(decl.bindings)) {
        const check = bindingKind(b.kind).check;
        if (check !== undefined) issues.push(...check(b, { declaration: decl, liveClasses, at: (...path) => at("bindings", name, ...path) }));
    }

    const normalized = new Map<string, string>();
    for (const name of Object.keys(decl.bindings)) {
        // Resource names derive from binding names in lowercase with dashes (see `resourceName`).
        const key = bindingSlug(name);
        const other = normalized.get(key);
        if (other !== undefined) {
            issues.push({ path: at("bindings", name), message: `collides with binding "${other}": binding names must differ after lowercasing and replacing _ with -` });
        }
        normalized.set(key, name);
    }

    const contractKeys = Object.keys(decl.env.shape);
    for (const key of contractKeys) {
        if (!(key in decl.bindings)) {
            issues.push({
                path: at("env", key),
                message: `the env contract requires "${key}" but no binding provides it; add bindings.${key}`,
            });
        }
    }
    const defaults: Record<string, string> = {};
    for (const [name, b] of Object.entries(decl.bindings)) {
        const valued = bindingKind(b.kind).envContract;
        if (valued === undefined) continue;
        if (!Object.hasOwn(decl.env.shape, name)) {
            issues.push({ path: at("bindings", name), message: `${valued.label} "${name}" is not in the env contract; add it to env so the Worker validates it` });
        }
        const value = valued.defaultValue?.(b);
        if (value !== undefined) defaults[name] = value;
    }
    for (const issue of contractIssues(decl.env, defaults, at("bindings"))) {
        issues.push({ path: `${issue.path}.value`, message: `default value fails the env contract: ${issue.message}` });
    }
    return issues;
}
