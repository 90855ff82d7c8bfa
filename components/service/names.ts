/**
 * Names a declaration uses, shared by the declaration schema and the binding kinds: service names,
 * binding names, JavaScript class names and paths relative to the service directory.
 *
 * Imports nothing but zod: Worker code bundles it through its declaration.
 */
import { z } from "zod";

/** Service names: lowercase letters, digits and dashes, starting with a letter, at most 40 characters. */
export const SERVICE_NAME = /^[a-z][a-z0-9-]{0,39}$/;
/** Binding names must be JavaScript identifiers: Workers expose them as properties of `env`. */
export const BINDING_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;

/**
 * Why `name` cannot be a binding name, or undefined when it can: it must match {@link BINDING_NAME} (ASCII
 * letters, digits and `_`, not starting with a digit) and not be `__proto__`, which a JavaScript object (the
 * Worker's `env`, a declaration's `bindings`) does not keep as a property of its own.
 */
export function bindingNameProblem(name: string): string | undefined {
    if (name === "__proto__") return "is __proto__, which JavaScript objects (the Worker's env, the declaration's bindings) do not keep as a property";
    if (!BINDING_NAME.test(name)) {
        return "is not a binding name: the platform takes ASCII letters, digits and _, not starting with a digit (a JavaScript identifier, which resource names derive from)";
    }
    return undefined;
}
/** Exported JavaScript class names (Durable Objects, Workflows, entrypoints). */
export const CLASS_NAME = /^[A-Za-z_$][A-Za-z0-9_$]*$/;

/** A declared service's name ({@link SERVICE_NAME}). */
export const serviceNameSchema = z.string().regex(SERVICE_NAME, {
    error: "expected a service name: lowercase letters, digits and dashes, starting with a letter, at most 40 characters",
});
/** An exported JavaScript class name ({@link CLASS_NAME}). */
export const classNameSchema = z.string().regex(CLASS_NAME, { error: "expected a JavaScript class name" });
/**
 * Why `path` cannot be a path the declaration names (`main`, a D1 `migrationsDir`, an assets `directory`), or
 * undefined: it must be relative to the service directory (not absolute, no drive letter) and stay inside it
 * (no `..` that climbs out: `src/../lib` is fine, `../shared` is not), so a service directory holds everything
 * its declaration names.
 */
export function relativePathProblem(path: string): string | undefined {
    if (path === "") return "expected a path relative to the service directory, got an empty string";
    if (path.startsWith("/") || path.startsWith("\\") || /^[A-Za-z]:/.test(path)) return "expected a path relative to the service directory";
    let depth = 0;
    for (const segment of path.split(/[\\/]/)) {
        depth += segment === ".." ? -1 : segment === "" || segment === "." ? 0 : 1;
        if (depth < 0) return `expected a path inside the service directory, got "${path}", which leaves it through ".."; move the files into the service directory`;
    }
    return undefined;
}

/** A path relative to the service directory that stays inside it ({@link relativePathProblem}). */
export const relativePathSchema = z.string().superRefine((p, ctx) => {
    const problem = relativePathProblem(p);
    if (problem !== undefined) ctx.addIssue({ code: "custom", message: problem });
});

/** A binding name as it appears in resource names: lowercase, `_` → `-` (`OAUTH_KV` → `oauth-kv`). */
export function bindingSlug(binding: string): string {
    return binding.toLowerCase().replace(/_/g, "-");
}

/** Physical name of a per-binding resource: `<script>-<binding slug>` (`api-staging-files`). */
export function resourceName(scriptName: string, binding: string): string {
    return `${scriptName}-${bindingSlug(binding)}`;
}
