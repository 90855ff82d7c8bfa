/**
 * Validates a Worker's `env` against its declared contract without ever echoing a value: `env` holds
 * secrets, so problems are described from the schema (what was expected) and the key names only.
 */
import type { z } from "zod";

/** One key that fails the contract. */
export interface EnvProblem {
    /** Dotted path of the offending key (`LOG_LEVEL`, or `LIMITS.max` for a nested schema). */
    readonly key: string;
    /** What the contract expects, e.g. `missing`, `expected one of "debug"|"info"`, `expected at least 32 characters`. */
    readonly message: string;
}

/** The contract holds: `data` is the parsed env (only the contract's keys, transforms applied). */
export interface EnvContractSuccess<T> {
    readonly ok: true;
    readonly data: T;
}

/** The contract is violated. Nothing here contains a value read from `env`. */
export interface EnvContractFailure {
    readonly ok: false;
    /** The failing top-level keys, sorted, without repeats (`["LOG_LEVEL", "SIGNING_KEY"]`). */
    readonly keys: readonly string[];
    /** Every problem, in the schema's order. */
    readonly problems: readonly EnvProblem[];
    /**
     * One line for logs and health reports:
     * `env contract violated by LOG_LEVEL, SIGNING_KEY: LOG_LEVEL: expected one of "debug"|"info"|"warn"|"error"; SIGNING_KEY: missing`.
     */
    readonly message: string;
}

/** The result of {@link checkEnvContract}. */
export type EnvContractResult<T> = EnvContractSuccess<T> | EnvContractFailure;

/**
 * Parses `env` with the contract (`schema.safeParse(env)`).
 *
 * @param schema the env contract, usually `declaration.env` (a `z.object`).
 * @param env the Worker's `env`; only the contract's keys are read.
 * @returns the parsed env, or the failing keys and value-free descriptions of what each must be.
 *
 * @example
 * const checked = checkEnvContract(apiEnv, env);
 * if (!checked.ok) return envContractErrorResponse(checked);
 * checked.data.LOG_LEVEL; // typed
 */
export function checkEnvContract<S extends z.ZodType>(schema: S, env: object): EnvContractResult<z.output<S>> {
    const parsed = schema.safeParse(env);
    if (parsed.success) return { ok: true, data: parsed.data };
    const secrets = stringValues(env);
    const problems = parsed.error.issues.map((issue) => ({
        key: issue.path.length === 0 ? "(env)" : issue.path.map(String).join("."),
        message: describeIssue(issue, env, secrets),
    }));
    const keys = [...new Set(problems.map((p) => p.key.split(".")[0]!))].sort();
    const message = `env contract violated by ${keys.join(", ")}: ` + problems.map((p) => `${p.key}: ${p.message}`).join("; ");
    return { ok: false, keys, problems, message };
}

/**
 * A JSON error response for a request that cannot be served because the contract is violated:
 * `{ "error": "env contract violated", "keys": [...], "message": "..." }`, `cache-control: no-store`.
 *
 * @param failure the failed result of {@link checkEnvContract}.
 * @param status HTTP status. @default 500
 */
export function envContractErrorResponse(failure: EnvContractFailure, status = 500): Response {
    return new Response(JSON.stringify({ error: "env contract violated", keys: failure.keys, message: failure.message }), {
        status,
        headers: { "content-type": "application/json; charset=utf-8", "cache-control": "no-store" },
    });
}

/**
 * Describes an issue from the schema's side only. zod's built-in messages do not include the input,
 * but custom refinements may, so their messages are kept only when they contain no string from `env`.
 */
function describeIssue(issue: z.core.$ZodIssue, env: object, secrets: readonly string[]): string {
    const top = issue.path[0];
    if (issue.code === "invalid_type" && issue.path.length === 1 && valueAt(env, top) === undefined) return "missing";
    switch (issue.code) {
        case "invalid_type":
            return `expected ${issue.expected}`;
        case "invalid_value":
            return `expected one of ${issue.values.map(literal).join("|")}`;
        case "too_small":
            return `expected ${bound(issue.origin, issue.exact ? "exactly" : issue.inclusive === false ? "more than" : "at least", issue.minimum)}`;
        case "too_big":
            return `expected ${bound(issue.origin, issue.exact ? "exactly" : issue.inclusive === false ? "less than" : "at most", issue.maximum)}`;
        case "invalid_format":
            return `expected a valid ${issue.format}`;
        case "not_multiple_of":
            return `expected a multiple of ${issue.divisor}`;
        case "unrecognized_keys":
            return `unexpected keys ${issue.keys.join(", ")}`;
        case "invalid_union":
            return "matches none of the allowed forms";
        case "invalid_key":
        case "invalid_element":
            return `has an invalid ${issue.code === "invalid_key" ? "key" : "element"}`;
        case "custom":
            return secrets.some((s) => issue.message.includes(s)) ? "fails a custom rule" : issue.message;
        default:
            return "is invalid";
    }
}

function bound(origin: string, relation: string, limit: number | bigint): string {
    switch (origin) {
        case "string":
            return `${relation} ${limit} characters`;
        case "array":
        case "set":
            return `${relation} ${limit} items`;
        case "file":
            return `${relation} ${limit} bytes`;
        default:
            return `a ${origin} ${relation} ${limit}`;
    }
}

function literal(value: unknown): string {
    return typeof value === "string" ? JSON.stringify(value) : String(value);
}

function valueAt(env: object, key: PropertyKey | undefined): unknown {
    return key === undefined ? undefined : (env as Record<PropertyKey, unknown>)[key];
}

/**
 * Every string value of `env`, nested objects and arrays included (JSON vars), long enough that finding
 * it in a message means it leaked. Bindings (KV, D1, …) are objects of the runtime and are skipped by
 * depth: only plain data nested at most 8 levels deep is walked.
 */
function stringValues(env: object): string[] {
    const out: string[] = [];
    const walk = (value: unknown, depth: number) => {
        if (typeof value === "string") {
            if (value.length >= 4) out.push(value);
        } else if (depth < 8 && value !== null && typeof value === "object" &&
            (Array.isArray(value) || Object.getPrototypeOf(value) === Object.prototype)) {
            for (const item of Object.values(value)) walk(item, depth + 1);
        }
    };
    for (const value of Object.values(env)) walk(value, 0);
    return out;
}
