/**
 * Adopting live resources: the stack config's import map (`platform:services.<name>.import`), checked against a
 * declaration with each binding kind's {@link Adoption} (its provider import id format, from the resource's
 * `## Import` docs in `@pulumi/cloudflare` 6.22.1), and the placeholder ids wrangler files carry.
 * Pure; imported by the stack config schema, the resolver, WorkerService and the wrangler importer.
 */
import { z } from "zod";
import type { ServiceDeclaration } from "../service/declaration";
import { listWords, type ValidationIssue } from "../validation";
import { BINDING_KINDS, bindingKind } from "./index";
import type { Adoption, ParsedImportId } from "./kind";

export { ACCOUNT_ID } from "./importIdFormat";

/** One resource to adopt, as `platform:services.<name>.import.<BINDING>` holds it. */
export interface ResourceImport {
    /** The provider's import id (`<account_id>/<namespace_id>`, ...). */
    readonly id: string;
    /**
     * The existing resource's physical name, kept so the adopted resource's inputs match what exists:
     * KV namespace title, D1 database name; for R2 the bucket name, which the id already carries.
     * @default the platform's own name (`<script>-<binding>`)
     */
    readonly name?: string;
}

/** The kinds whose resource can be adopted, with their {@link Adoption}. */
export function adoptableKinds(): [string, Adoption][] {
    return BINDING_KINDS.flatMap((k) => k.adoption === undefined ? [] : [[k.kind, k.adoption] as [string, Adoption]]);
}

/**
 * Parses an import id of a kind.
 * @returns the parts, or a sentence saying what is wrong (naming the expected format).
 * @throws {Error} for a kind without adoption (a programming error).
 */
export function parseImportId(kind: string, id: string): ParsedImportId | { readonly problem: string } {
    const adoption = bindingKind(kind).adoption;
    if (adoption === undefined) throw new Error(`binding kind ${kind} has nothing to adopt`);
    const parsed = adoption.parseId(id);
    return typeof parsed === "string" ? { problem: parsed } : parsed;
}

/**
 * Whether an id in a wrangler config is a placeholder rather than a live resource's id: empty, `<...>`,
 * `${...}`, runs of `x`, ellipses (`1e...`), or words such as `REPLACE`/`your-...`/`placeholder`.
 */
export function isPlaceholderId(value: string): boolean {
    const text = value.trim();
    return text === "" || /^<.*>$/.test(text) || /\$\{[^}]*\}/.test(text) || /^x+$/i.test(text) || /\.\.\.|…/.test(text) ||
        /replace|placeholder|your[-_ ]|^todo$|^changeme$/i.test(text);
}

/**
 * One entry of `platform:services.<name>.import`: the import id, or `{ id, name }` to also keep the
 * existing resource's name. Checks the shape shared by every kind (`<32-hex account id>/...`); the
 * kind-specific format is checked against the declaration by {@link importIssues}.
 */
export const resourceImportSchema = z.preprocess(
    (value) => (typeof value === "string" ? { id: value } : value),
    z.strictObject({
        /** The provider's import id. */
        id: z.string().regex(/^[0-9a-f]{32}\/[^/\s]+(\/[a-z]+)?$/, {
            error: () => `expected a provider import id: ${listWords(adoptableKinds().map(([kind, a]) => `${a.format} (${kind})`))}`,
        }),
        /** The existing resource's name (KV title, D1 name); R2 names come from the id. */
        name: z.string().min(1, { error: "expected the existing resource's name, a non-empty string" }).optional(),
    }, { error: 'expected an import id string or { id, name }' }),
);

/**
 * Checks a stack's import map against a declaration: every key must be a binding whose kind can be adopted,
 * every id in its kind's format and in the stack's account, the id must agree with the binding (an R2
 * jurisdiction) and with `name` where the id carries the name, and no resource may be adopted twice.
 * @param at renders the path of an entry's field (`platform:services.api.import.DB.id`).
 */
export function importIssues(
    declaration: ServiceDeclaration,
    imports: Readonly<Record<string, ResourceImport>>,
    accountId: string,
    at: (binding: string, field?: "id" | "name") => string,
): ValidationIssue[] {
    const issues: ValidationIssue[] = [];
    const seen = new Map<string, string>();
    const adoptable = adoptableKinds().map(([kind]) => kind);
    for (const [binding, entry] of Object.entries(imports)) {
        const spec = declaration.bindings[binding];
        if (spec === undefined) {
            issues.push({ path: at(binding), message: `service ${declaration.name} declares no binding "${binding}"; import keys are ${listWords(adoptable)} binding names` });
            continue;
        }
        const adoption = bindingKind(spec.kind).adoption;
        if (adoption === undefined) {
            issues.push({ path: at(binding), message: `binding "${binding}" is a ${spec.kind}; only ${listWords(adoptable, "and")} bindings have a resource to import` });
            continue;
        }
        const shared = adoption.sharedWith?.(spec);
        if (shared !== undefined) {
            issues.push({ path: at(binding), message: `binding "${binding}" has no ${adoption.what} of its own to import: ${shared}` });
            continue;
        }
        const parsed = adoption.parseId(entry.id);
        if (typeof parsed === "string") {
            issues.push({ path: at(binding, "id"), message: parsed });
            continue;
        }
        if (parsed.accountId !== accountId) {
            issues.push({ path: at(binding, "id"), message: `the account id ${parsed.accountId} is not the stack's platform:accountId ${accountId}` });
        }
        if (adoption.nameInId === true && entry.name !== undefined && entry.name !== parsed.resourceId) {
            issues.push({ path: at(binding, "name"), message: `${withArticle(adoption.what)} keeps the name in its id ("${parsed.resourceId}"); remove name or make it equal` });
        }
        const problem = adoption.checkId?.(parsed, spec);
        if (problem !== undefined) issues.push({ path: at(binding, "id"), message: problem });
        const key = `${spec.kind}:${parsed.accountId}/${parsed.resourceId}`;
        const other = seen.get(key);
        if (other !== undefined) {
            issues.push({ path: at(binding, "id"), message: `binding "${other}" already adopts this resource; a resource can be adopted once` });
        }
        seen.set(key, binding);
    }
    return issues;
}

/**
 * The import map as WorkerService takes it: kinds whose id carries the name (R2) get it from the id. Call
 * after {@link importIssues} found nothing.
 */
export function normalizeImports(
    declaration: ServiceDeclaration,
    imports: Readonly<Record<string, ResourceImport>>,
): Record<string, ResourceImport> {
    const out: Record<string, ResourceImport> = {};
    for (const [binding, entry] of Object.entries(imports)) {
        const adoption = bindingKind(declaration.bindings[binding]!.kind).adoption!;
        const parsed = adoption.parseId(entry.id);
        if (adoption.nameInId === true) {
            out[binding] = { id: entry.id, name: typeof parsed === "string" ? entry.name ?? "" : parsed.resourceId };
        } else {
            out[binding] = entry.name === undefined ? { id: entry.id } : { id: entry.id, name: entry.name };
        }
    }
    return out;
}

/** `R2 bucket` → `an R2 bucket`. */
function withArticle(what: string): string {
    return `${/^[AEFHILMNORSX][A-Z0-9]|^[aeiou]/.test(what) ? "an" : "a"} ${what}`;
}

/**
 * A service's import map for one stack, checked ({@link importIssues}) and normalized
 * ({@link normalizeImports}); issues are appended with paths under `root`
 * (`platform:services.api.import.DB.id`).
 * @returns the map for WorkerService, or undefined when the stack adopts nothing or has problems.
 */
export function resolveImports(
    declaration: ServiceDeclaration,
    imports: Readonly<Record<string, ResourceImport>> | undefined,
    accountId: string,
    root: string,
    issues: ValidationIssue[],
): Record<string, ResourceImport> | undefined {
    if (imports === undefined || Object.keys(imports).length === 0) return undefined;
    const found = importIssues(declaration, imports, accountId, (binding, field) =>
        `${root}.${binding}${field === undefined ? "" : `.${field}`}`);
    issues.push(...found);
    return found.length > 0 ? undefined : normalizeImports(declaration, imports);
}
