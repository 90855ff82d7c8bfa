/**
 * Validation problems a user can cause (stack config, service declarations, imported files), collected
 * and reported together, each headed by the path of the offending field.
 *
 * Message shape, after wrangler's config diagnostics:
 * `platform:services.api.routes[1]: expected string, got number (42)`.
 */
import { z } from "zod";

/** One problem: where it is (a rendered path such as `services.api.routes[0]`) and what was expected. */
export interface ValidationIssue {
    /** Rendered path of the offending field, including any root prefix (`platform:services.api.vars.X`). */
    readonly path: string;
    /** What was expected and what arrived, plus how to fix it when the fix is known. */
    readonly message: string;
}

/**
 * An error the operator can fix (input, files, live state): the CLI and the offline tools print its
 * message without a stack trace. Its message must never contain a secret value.
 */
export class UserError extends Error {
    /**
     * Marks this as a `pulumi.RunError` (the SDK checks this field, not the class), so the CLI prints the
     * message without a stack trace. Kept as a field so this module does not import the Pulumi SDK and
     * stays importable from Worker code.
     */
    readonly __pulumiRunError = true;
}

/**
 * Raised when user input is invalid. Carries every problem found, never just the first. Its `message`
 * lists them one per line; it never contains a stack trace or a secret value.
 */
export class ValidationError extends UserError {
    /** Every problem found, in the order they were found. */
    readonly issues: readonly ValidationIssue[];

    /**
     * @param subject what was validated, e.g. `stack config for "staging"`; heads the message.
     * @param issues the problems; must not be empty.
     */
    constructor(subject: string, issues: readonly ValidationIssue[]) {
        super(`Invalid ${subject} (${issues.length} problem${issues.length === 1 ? "" : "s"}):\n` +
            issues.map((i) => `  - ${i.path}: ${i.message}`).join("\n"));
        this.name = "ValidationError";
        this.issues = issues;
    }
}

/**
 * Renders a zod path (`["services", "api", "routes", 0]`) after a root (`platform:`) as
 * `platform:services.api.routes[0]`. Keys that are not identifiers are quoted: `vars["my-key"]`.
 */
export function renderPath(root: string, path: readonly PropertyKey[]): string {
    let out = root;
    for (const segment of path) {
        if (typeof segment === "number") {
            out += `[${segment}]`;
        } else {
            const key = String(segment);
            const sep = out === "" || out.endsWith(":") ? "" : ".";
            out += /^[A-Za-z_$][\w$-]*$/.test(key) ? `${sep}${key}` : `[${JSON.stringify(key)}]`;
        }
    }
    return out;
}

/** Describes a received value briefly for a message; `secret` hides the value and keeps only its type. */
export function describeValue(value: unknown, secret = false): string {
    const type = value === null ? "null" : Array.isArray(value) ? "array" : typeof value;
    if (secret || type === "object" || type === "array" || type === "undefined") {
        return type === "undefined" ? "nothing" : type;
    }
    const text = JSON.stringify(value) ?? String(value);
    return `${type} (${text.length > 60 ? `${text.slice(0, 57)}...` : text})`;
}

/**
 * Converts zod issues into {@link ValidationIssue}s under `root`, with messages of the shape
 * "expected X, got Y". Values are printed only when `isSecretPath` says the path is not secret.
 */
export function zodIssues(
    root: string,
    error: z.ZodError,
    isSecretPath: (path: readonly PropertyKey[]) => boolean = () => false,
): ValidationIssue[] {
    const out: ValidationIssue[] = [];
    for (const issue of error.issues) {
        const secret = isSecretPath(issue.path);
        const input = (issue as { input?: unknown }).input;
        switch (issue.code) {
            case "invalid_type":
                out.push({
                    path: renderPath(root, issue.path),
                    message: input === undefined
                        ? `expected ${issue.expected}, got nothing (the field is required)`
                        : `expected ${issue.expected}, got ${describeValue(input, secret)}`,
                });
                break;
            case "unrecognized_keys":
                for (const key of issue.keys) {
                    out.push({
                        path: renderPath(root, [...issue.path, key]),
                        message: "unknown key; remove it or check its spelling",
                    });
                }
                break;
            case "invalid_union": {
                // For a discriminated union zod points at the discriminator but passes the whole object.
                const last = issue.path[issue.path.length - 1];
                const received = typeof input === "object" && input !== null && last !== undefined && last in input
                    ? (input as Record<PropertyKey, unknown>)[last]
                    : input;
                out.push({ path: renderPath(root, issue.path), message: `${issue.message}; got ${describeValue(received, secret)}` });
                break;
            }
            case "invalid_key": {
                const key = issue.path[issue.path.length - 1];
                out.push({
                    path: renderPath(root, issue.path),
                    message: `invalid key ${JSON.stringify(String(key))}: ${issue.issues.map((i) => i.message).join("; ")}`,
                });
                break;
            }
            default: {
                const base = issue.message.replace(/^Invalid input:?\s*/, "");
                out.push({
                    path: renderPath(root, issue.path),
                    message: input === undefined || issue.code === "custom"
                        ? base
                        : `${base}, got ${describeValue(input, secret)}`,
                });
            }
        }
    }
    return out;
}

/** Words as an English list: `a`, `a or b`, `a, b or c` (with `conjunction` "and": `a, b and c`). */
export function listWords(words: readonly string[], conjunction: "or" | "and" = "or"): string {
    return words.length <= 1 ? words.join("") : `${words.slice(0, -1).join(", ")} ${conjunction} ${words[words.length - 1]}`;
}

/**
 * A zod schema of whole numbers in [`min`, `max`], with one message for every way to miss:
 * `expected <what> from <min> to <max>` (`what`: "whole seconds", "a whole number of requests", ...).
 */
export function wholeNumber(min: number, max: number, what: string) {
    const error = `expected ${what} from ${min} to ${max}`;
    return z.number({ error }).int({ error }).min(min, { error }).max(max, { error });
}
