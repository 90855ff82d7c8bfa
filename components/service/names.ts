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
/** Exported JavaScript class names (Durable Objects, Workflows, entrypoints). */
export const CLASS_NAME = /^[A-Za-z_$][A-Za-z0-9_$]*$/;

/** A declared service's name ({@link SERVICE_NAME}). */
export const serviceNameSchema = z.string().regex(SERVICE_NAME, {
    error: "expected a service name: lowercase letters, digits and dashes, starting with a letter, at most 40 characters",
});
/** An exported JavaScript class name ({@link CLASS_NAME}). */
export const classNameSchema = z.string().regex(CLASS_NAME, { error: "expected a JavaScript class name" });
/** A path relative to the service directory (not absolute, no drive letter). */
export const relativePathSchema = z.string().min(1).refine((p) => !p.startsWith("/") && !/^[A-Za-z]:/.test(p), {
    error: "expected a path relative to the service directory",
});

/** A binding name as it appears in resource names: lowercase, `_` → `-` (`OAUTH_KV` → `oauth-kv`). */
export function bindingSlug(binding: string): string {
    return binding.toLowerCase().replace(/_/g, "-");
}

/** Physical name of a per-binding resource: `<script>-<binding slug>` (`api-staging-files`). */
export function resourceName(scriptName: string, binding: string): string {
    return `${scriptName}-${bindingSlug(binding)}`;
}
