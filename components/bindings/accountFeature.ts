/**
 * What the kinds that mostly reference account-level features share (Workers AI, Vectorize, Analytics Engine,
 * rate limits, Browser Rendering, version metadata, Email, dispatch namespaces, mTLS certificates, Secrets
 * Store, Images):
 * - name patterns: a free-form Cloudflare name that differs per stack, written once in the declaration with
 *   `{script}` where the Worker's script name in each stack goes (`{script}-embeddings` → `api-staging-embeddings`),
 *   and the importer's way back from a name in a wrangler file;
 * - kinds whose wrangler key holds one binding object (`ai`, `browser`, `images`, `version_metadata`).
 * Imports no Pulumi package at run time (see `kind.ts`).
 */
import { z } from "zod";
import { bindingSlug } from "../service/names";
import { scriptNameOf } from "../stackName";
import type { ValidationIssue } from "../validation";
import {
    defineBindingKind,
    type BindingKindDefinition,
    type BindingSchema,
    type CheckContext,
    type DeclaredBinding,
    type HealthCheck,
    type ImportContext,
    type KindDocs,
} from "./kind";

/** The placeholder of a name pattern for the Worker's script name in a stack (`api-staging`). */
export const SCRIPT_PLACEHOLDER = "{script}";

/** A script name standing in for `{script}` when a pattern is checked: script names are `<service>-<stack>`. */
const SAMPLE_SCRIPT = "api-staging";

/** Why a wrangler key's `remote` flag (and similar local-development switches) is not carried over. */
export const LOCAL_DEV_REASON = "local-development mode is not part of service declarations (the generated wrangler.jsonc uses " +
    "wrangler's local simulation where it has one)";

/** A name of a Cloudflare resource with a naming rule, as {@link namePatternSchema} checks it. */
export interface NameRule {
    /** What the name names, for messages (`Vectorize index name`). */
    readonly what: string;
    /** The rule for the resolved name: the vendor's, or the platform's where the vendor states none (said in `description`'s docs). */
    readonly pattern: RegExp;
    /** The rule in words (`lowercase letters, digits, "-" and "_", starting with a letter`). */
    readonly description: string;
}

/**
 * A name pattern: a name following `rule`, in which every `{script}` becomes the Worker's script name in the
 * stack (`<service>-<stack>`) and no other `{`/`}` may appear.
 */
export function namePatternSchema(rule: NameRule): z.ZodString {
    return z.string().refine((value) => patternProblem(value, rule) === undefined, {
        error: (issue) => patternProblem(String(issue.input), rule) ?? "invalid name",
    });
}

/** What is wrong with a name pattern, or undefined. */
function patternProblem(value: string, rule: NameRule): string | undefined {
    const literal = value.split(SCRIPT_PLACEHOLDER).join("");
    const what = `${/^[aeiou]/i.test(rule.what) ? "an" : "a"} ${rule.what}`;
    if (/[{}]/.test(literal)) return `expected ${what} with no placeholder but {script}, got ${JSON.stringify(value)}`;
    if (!rule.pattern.test(resolveNamePattern(value, SAMPLE_SCRIPT))) {
        return `expected ${what}: ${rule.description}, optionally with {script} for the Worker's script name in each stack; got ${JSON.stringify(value)}`;
    }
    return undefined;
}

/** A pattern with `{script}` replaced by `scriptName`. */
export function resolveNamePattern(pattern: string, scriptName: string): string {
    return pattern.split(SCRIPT_PLACEHOLDER).join(scriptName);
}

/**
 * A kind's {@link BindingKindDefinition.physicalName} for a name pattern in `field`: the pattern resolved for the
 * stack's script, or, without one, undefined, so the binding's name is `<script>-<binding slug>`. The kind then
 * finds the name in one stack as `ResourceContext.physicalName`.
 */
export function namedByPattern<B extends DeclaredBinding>(field: string & keyof B): NonNullable<BindingKindDefinition<BindingSchema, B>["physicalName"]> {
    return {
        from: field,
        of: (binding, scriptName) => {
            const pattern = binding[field] as string | undefined;
            return pattern === undefined ? undefined : resolveNamePattern(pattern, scriptName);
        },
    };
}

/**
 * The pattern (or the literal name) to declare for a name read from a wrangler file. A name that contains the
 * platform's script name for the stack the environment feeds becomes a `{script}` pattern, so every stack
 * binds its own (noted); any other name is bound as it is, in every stack.
 * @param name the name as written (`api-production-embeddings`).
 * @param binding the binding name (`EMBEDDINGS`).
 * @param rule the name's rule; a name breaking it is reported and not imported.
 * @param path where the name is inside the item (`["index_name"]`).
 * @returns the pattern, and whether it is the platform's default name (`{script}-<binding slug>`); undefined
 *   when the name cannot be declared (noted).
 */
export function importedNamePattern(
    name: string,
    binding: string,
    rule: NameRule,
    path: readonly PropertyKey[],
    ctx: ImportContext,
): { pattern: string; isDefault: boolean } | undefined {
    const script = scriptNameOf(ctx.serviceName, ctx.stack);
    const pattern = name.includes(script) ? name.split(script).join(SCRIPT_PLACEHOLDER) : name;
    const problem = patternProblem(pattern, rule);
    if (problem !== undefined) {
        ctx.note(path, "unsupported", `${problem}; binding not imported`);
        return undefined;
    }
    if (pattern !== name) {
        ctx.note(path, "changed", `"${name}" contains the platform's script name for stack ${ctx.stack} ("${script}"): declared as the pattern ` +
            `"${pattern}", so every stack binds its own ${rule.what.replace(/ name$/, "")}`);
    }
    return { pattern, isDefault: pattern === `${SCRIPT_PLACEHOLDER}-${bindingSlug(binding)}` };
}

/**
 * `check` for kinds whose wrangler key holds one binding object: a second binding of the kind cannot be
 * written to the generated wrangler.jsonc. Reports every binding of the kind after the first.
 */
export function atMostOne(kind: string, wranglerKey: string): (binding: DeclaredBinding, ctx: CheckContext) => ValidationIssue[] {
    return (binding, ctx) => {
        const same = Object.entries(ctx.declaration.bindings).filter(([, b]) => b.kind === kind);
        if (same[0] === undefined || same[0][1] === binding) return [];
        return [{
            path: ctx.at(),
            message: `a service has at most one ${kind} binding (wrangler's \`${wranglerKey}\` holds one); ${same[0][0]} already is one`,
        }];
    };
}

/** What {@link singleBindingKind} needs besides the schema. */
export interface SingleBindingSpec {
    /** The `WorkersScript` binding `type` (`ai`). */
    readonly type: string;
    /** The wrangler key holding the one `{ binding }` object (`ai`). */
    readonly wranglerKey: string;
    readonly docs: Omit<KindDocs, "wranglerKey">;
    readonly health: HealthCheck;
    /** Why the key's other fields are not carried over. @default {@link LOCAL_DEV_REASON} */
    readonly unsupportedReason?: string;
}

/**
 * A kind with no fields of its own, nothing to create and one binding object in wrangler (`ai`, `browser`,
 * `images`, `version_metadata`): `{ name, type }` on the script, `<key>: { binding }` in wrangler.jsonc, and
 * the same key imported (its `remote` flag and other local-development switches are reported, not carried).
 */
export function singleBindingKind<S extends BindingSchema>(schema: S, spec: SingleBindingSpec): BindingKindDefinition<S> {
    const kind = (schema as unknown as z.ZodObject<{ kind: z.ZodLiteral<string> }>).shape.kind.value;
    return defineBindingKind<S>({
        kind: kind as z.output<S>["kind"],
        schema,
        docs: { ...spec.docs, wranglerKey: spec.wranglerKey },
        check: atMostOne(kind, spec.wranglerKey),
        scriptBinding: (_binding, ctx) => ({ name: ctx.name, type: spec.type }),
        wrangler: (_binding, ctx) => {
            ctx.config[spec.wranglerKey] = { binding: ctx.name };
        },
        import: {
            path: [spec.wranglerKey],
            shape: "single",
            knownKeys: ["binding"],
            unsupportedReason: spec.unsupportedReason ?? LOCAL_DEV_REASON,
            map: () => ({ kind }),
        },
        health: spec.health,
        policy: { scriptBindingTypes: [spec.type] },
    });
}
