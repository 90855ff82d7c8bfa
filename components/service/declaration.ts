/**
 * The service declaration: what a team writes, once, in `services/<name>/service.ts`. The Pulumi
 * program, the generated wrangler config and the policy pack all read this one object.
 *
 * This module imports nothing but zod so Worker code can import its own declaration (the health
 * library reads the bindings and the env contract from it at runtime).
 */
import { z } from "zod";
import { cronProblem } from "./cron";
import { replayMigrations, type DurableObjectMigration } from "./durableObjectMigrations";
import { contractIssues } from "./envContract";
import { ValidationError, renderPath, zodIssues, type ValidationIssue } from "../validation";

/** Service names: lowercase letters, digits and dashes, starting with a letter, at most 40 characters. */
export const SERVICE_NAME = /^[a-z][a-z0-9-]{0,39}$/;
/** Binding names must be JavaScript identifiers: Workers expose them as properties of `env`. */
export const BINDING_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;
const CLASS_NAME = /^[A-Za-z_$][A-Za-z0-9_$]*$/;

const serviceName = z.string().regex(SERVICE_NAME, {
    error: "expected a service name: lowercase letters, digits and dashes, starting with a letter, at most 40 characters",
});
const className = z.string().regex(CLASS_NAME, { error: "expected a JavaScript class name" });
const relativePath = z.string().min(1).refine((p) => !p.startsWith("/") && !/^[A-Za-z]:/.test(p), {
    error: "expected a path relative to the service directory",
});

/** Data location hints for R2 buckets. Source: https://developers.cloudflare.com/r2/reference/data-location/ */
export const R2_LOCATIONS = ["apac", "eeur", "enam", "weur", "wnam", "oc"] as const;

const kvBinding = z.strictObject({
    /** Workers KV namespace created for this service and environment. */
    kind: z.literal("kv"),
});
const d1Binding = z.strictObject({
    /** D1 database created for this service and environment. */
    kind: z.literal("d1"),
    /** Directory of `NNNN_name.sql` migration files, relative to the service directory. @default "migrations" */
    migrationsDir: relativePath.default("migrations"),
});
const r2Binding = z.strictObject({
    /** R2 bucket created for this service and environment. */
    kind: z.literal("r2"),
    /** Location hint for the bucket's data. @default Cloudflare's choice, near the first request. */
    location: z.enum(R2_LOCATIONS).optional(),
    /** Jurisdiction the data must stay in. @default none */
    jurisdiction: z.enum(["eu", "fedramp"]).optional(),
});
const durableObjectBinding = z.strictObject({
    /** Durable Object namespace, by exported class name. */
    kind: z.literal("durableObject"),
    /** The exported class, which must be live after replaying `durableObjectMigrations`. */
    className,
    /** Another declared service that exports the class; omit when this service exports it. */
    service: serviceName.optional(),
});
const serviceBinding = z.strictObject({
    /** Service binding to another declared service (called through `env.NAME.fetch`). */
    kind: z.literal("service"),
    /** Name of the declared service to bind. */
    service: serviceName,
    /** Named entrypoint (exported `WorkerEntrypoint` class) of the target. @default the default export */
    entrypoint: z.string().regex(CLASS_NAME).optional(),
});
const varBinding = z.strictObject({
    /** Plain-text variable; its value is visible in the dashboard and in generated config. */
    kind: z.literal("var"),
    /** Default value; stack config (`platform:services.<name>.vars`) overrides it per environment. */
    value: z.string(),
});
const hyperdriveBinding = z.strictObject({
    /** The environment's PostgreSQL database (its Neon branch) through Cloudflare Hyperdrive; `env.NAME.connectionString`. */
    kind: z.literal("hyperdrive"),
});
const secretBinding = z.strictObject({
    /** Secret text, from `platform:secrets.<service>.<NAME>` (a `pulumi config set --secret` value). */
    kind: z.literal("secret"),
});

const binding = z.discriminatedUnion("kind", [
    kvBinding, d1Binding, r2Binding, durableObjectBinding, serviceBinding, hyperdriveBinding, varBinding, secretBinding,
], { error: 'expected a binding object with "kind" one of kv, d1, r2, durableObject, service, hyperdrive, var, secret' });

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

const declarationSchema = z.strictObject({
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
});

/** What a team writes: the input of {@link defineService}. */
export type ServiceDeclarationInput = z.input<typeof declarationSchema>;
/** A validated declaration, defaults applied. */
export type ServiceDeclaration = z.output<typeof declarationSchema>;
/** One binding of a validated declaration. */
export type Binding = z.output<typeof binding>;
/** Binding kinds, by `kind`. */
export type BindingKind = Binding["kind"];

/**
 * Declares a service. Validates the whole declaration and reports every problem at once.
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
export function defineService(input: ServiceDeclarationInput): ServiceDeclaration {
    const root = `services.${typeof input?.name === "string" ? input.name : "?"}`;
    const parsed = declarationSchema.safeParse(input, { reportInput: true });
    if (!parsed.success) {
        throw new ValidationError("service declaration", zodIssues(root, parsed.error));
    }
    const issues = crossCheck(parsed.data, root);
    if (issues.length > 0) {
        throw new ValidationError("service declaration", issues);
    }
    return parsed.data;
}

/** A binding name as it appears in resource names: lowercase, `_` → `-` (`OAUTH_KV` → `oauth-kv`). */
export function bindingSlug(binding: string): string {
    return binding.toLowerCase().replace(/_/g, "-");
}

/** Consistency rules zod cannot express field by field. */
function crossCheck(decl: ServiceDeclaration, root: string): ValidationIssue[] {
    const issues: ValidationIssue[] = [];
    const at = (...path: PropertyKey[]) => renderPath(root, path);

    const { classes, problems } = replayMigrations(decl.durableObjectMigrations as DurableObjectMigration[]);
    for (const p of problems) {
        issues.push({ path: at("durableObjectMigrations", p.index, p.field), message: p.message });
    }
    for (const [name, b] of Object.entries(decl.bindings)) {
        if (b.kind === "durableObject" && b.service === undefined && !classes.has(b.className)) {
            issues.push({
                path: at("bindings", name, "className"),
                message: `class "${b.className}" is not created by any step of durableObjectMigrations; ` +
                    `add a step such as { tag: "v1", newSqliteClasses: ["${b.className}"] }`,
            });
        }
        if ((b.kind === "service" || (b.kind === "durableObject" && b.service !== undefined)) && b.service === decl.name) {
            issues.push({ path: at("bindings", name, "service"), message: "a service cannot bind to itself; omit `service` for its own classes" });
        }
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
    for (const [name, b] of Object.entries(decl.bindings)) {
        if ((b.kind === "var" || b.kind === "secret") && !contractKeys.includes(name)) {
            issues.push({
                path: at("bindings", name),
                message: `${b.kind === "var" ? "variable" : "secret"} "${name}" is not in the env contract; add it to env so the Worker validates it`,
            });
        }
    }
    const defaults = Object.fromEntries(Object.entries(decl.bindings).flatMap(([name, b]) => b.kind === "var" ? [[name, b.value]] : []));
    for (const issue of contractIssues(decl.env, defaults, at("bindings"))) {
        issues.push({ path: `${issue.path}.value`, message: `default value fails the env contract: ${issue.message}` });
    }
    return issues;
}
