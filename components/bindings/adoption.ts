/**
 * Adopting live resources: the Pulumi `import` ids of the stateful resources a service binds, in the
 * formats the Cloudflare provider expects, and the checks that a stack's import map fits a declaration.
 * Pure; imported by the stack config schema, the resolver, WorkerService and the wrangler importer.
 *
 * Formats, from the "## Import" sections of @pulumi/cloudflare 6.22.1 (node_modules/@pulumi/cloudflare):
 * - `workersKvNamespace.d.ts`: `<account_id>/<namespace_id>` (a namespace id is 32 hex characters);
 * - `d1database.d.ts`: `<account_id>/<database_id>` (a database id is a UUID);
 * - `r2bucket.d.ts`: `<account_id>/<bucket_name>/<jurisdiction>`, jurisdiction one of `default`, `eu`,
 *   `fedramp`, `us` (bucket names: https://developers.cloudflare.com/r2/buckets/create-buckets/#bucket-level-operations).
 */
import { z } from "zod";
import type { ServiceDeclaration } from "../service/declaration";
import type { ValidationIssue } from "../validation";

/** Binding kinds whose resource can be adopted. */
export const IMPORTABLE_KINDS = ["kv", "d1", "r2"] as const;
/** A binding kind whose resource can be adopted. */
export type ImportableKind = (typeof IMPORTABLE_KINDS)[number];

/** Cloudflare account ids: 32 lowercase hex characters. */
export const ACCOUNT_ID = /^[0-9a-f]{32}$/;
/** Workers KV namespace ids: 32 lowercase hex characters. */
export const KV_NAMESPACE_ID = /^[0-9a-f]{32}$/;
/** D1 database ids: UUIDs. */
export const D1_DATABASE_ID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
/** R2 bucket names: 3–63 lowercase letters, digits and dashes, not starting or ending with a dash. */
export const R2_BUCKET_NAME = /^[a-z0-9][a-z0-9-]{1,61}[a-z0-9]$/;
/** R2 jurisdictions in the provider's import id; `default` means none. */
export const R2_JURISDICTIONS = ["default", "eu", "fedramp", "us"] as const;

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

/** The parts of a valid import id. */
export interface ParsedImportId {
    readonly accountId: string;
    /** Namespace id, database id or bucket name. */
    readonly resourceId: string;
    /** R2 only: the jurisdiction segment (`default` for none). */
    readonly jurisdiction?: (typeof R2_JURISDICTIONS)[number];
}

/** The provider's import id format of each kind, for messages. */
export const IMPORT_ID_FORMATS: Readonly<Record<ImportableKind, string>> = {
    kv: "<account_id>/<namespace_id>",
    d1: "<account_id>/<database_id>",
    r2: "<account_id>/<bucket_name>/<jurisdiction>",
};

/** `<account_id>/<namespace_id>` for `cloudflare:index/workersKvNamespace:WorkersKvNamespace`. */
export function kvImportId(accountId: string, namespaceId: string): string {
    return `${accountId}/${namespaceId}`;
}

/** `<account_id>/<database_id>` for `cloudflare:index/d1Database:D1Database`. */
export function d1ImportId(accountId: string, databaseId: string): string {
    return `${accountId}/${databaseId}`;
}

/** `<account_id>/<bucket_name>/<jurisdiction>` for `cloudflare:index/r2Bucket:R2Bucket`; no jurisdiction is `default`. */
export function r2ImportId(accountId: string, bucketName: string, jurisdiction?: string): string {
    return `${accountId}/${bucketName}/${jurisdiction ?? "default"}`;
}

/**
 * Parses an import id of a kind.
 * @returns the parts, or a sentence saying what is wrong (naming the expected format).
 */
export function parseImportId(kind: ImportableKind, id: string): ParsedImportId | { readonly problem: string } {
    const parts = id.split("/");
    const expected = `expected ${IMPORT_ID_FORMATS[kind]}`;
    const count = kind === "r2" ? 3 : 2;
    if (parts.length !== count) return { problem: `${expected} (${count} parts separated by /), got ${JSON.stringify(id)}` };
    const [accountId, resourceId, jurisdiction] = parts as [string, string, string | undefined];
    if (!ACCOUNT_ID.test(accountId)) return { problem: `${expected}: the account id must be 32 lowercase hex characters, got ${JSON.stringify(accountId)}` };
    if (kind === "kv" && !KV_NAMESPACE_ID.test(resourceId)) {
        return { problem: `${expected}: a namespace id is 32 lowercase hex characters, got ${JSON.stringify(resourceId)}` };
    }
    if (kind === "d1" && !D1_DATABASE_ID.test(resourceId)) {
        return { problem: `${expected}: a database id is a lowercase UUID, got ${JSON.stringify(resourceId)}` };
    }
    if (kind === "r2") {
        if (!R2_BUCKET_NAME.test(resourceId)) {
            return { problem: `${expected}: a bucket name is 3 to 63 lowercase letters, digits and dashes, got ${JSON.stringify(resourceId)}` };
        }
        if (!(R2_JURISDICTIONS as readonly string[]).includes(jurisdiction!)) {
            return { problem: `${expected}: the jurisdiction is one of ${R2_JURISDICTIONS.join(", ")}, got ${JSON.stringify(jurisdiction)}` };
        }
        return { accountId, resourceId, jurisdiction: jurisdiction as ParsedImportId["jurisdiction"] };
    }
    return { accountId, resourceId };
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
            error: `expected a provider import id: ${IMPORT_ID_FORMATS.kv} (KV), ${IMPORT_ID_FORMATS.d1} (D1) or ${IMPORT_ID_FORMATS.r2} (R2)`,
        }),
        /** The existing resource's name (KV title, D1 name); R2 names come from the id. */
        name: z.string().min(1, { error: "expected the existing resource's name, a non-empty string" }).optional(),
    }, { error: 'expected an import id string or { id, name }' }),
);

/**
 * Checks a stack's import map against a declaration: every key must be a kv, d1 or r2 binding, every
 * id in its kind's format and in the stack's account, an R2 id's bucket and jurisdiction must agree
 * with `name` and the binding's jurisdiction, and no resource may be adopted twice.
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
    for (const [binding, entry] of Object.entries(imports)) {
        const spec = declaration.bindings[binding];
        if (spec === undefined) {
            issues.push({ path: at(binding), message: `service ${declaration.name} declares no binding "${binding}"; import keys are kv, d1 or r2 binding names` });
            continue;
        }
        if (!(IMPORTABLE_KINDS as readonly string[]).includes(spec.kind)) {
            issues.push({ path: at(binding), message: `binding "${binding}" is a ${spec.kind}; only kv, d1 and r2 bindings have a resource to import` });
            continue;
        }
        const kind = spec.kind as ImportableKind;
        const parsed = parseImportId(kind, entry.id);
        if ("problem" in parsed) {
            issues.push({ path: at(binding, "id"), message: parsed.problem });
            continue;
        }
        if (parsed.accountId !== accountId) {
            issues.push({ path: at(binding, "id"), message: `the account id ${parsed.accountId} is not the stack's platform:accountId ${accountId}` });
        }
        if (spec.kind === "r2") {
            if (entry.name !== undefined && entry.name !== parsed.resourceId) {
                issues.push({ path: at(binding, "name"), message: `an R2 bucket keeps the name in its id ("${parsed.resourceId}"); remove name or make it equal` });
            }
            const declared = spec.jurisdiction ?? "default";
            if (parsed.jurisdiction !== declared) {
                issues.push({ path: at(binding, "id"), message: `the jurisdiction "${parsed.jurisdiction}" differs from the binding's ("${declared}"); a bucket's jurisdiction cannot change` });
            }
        }
        const key = `${kind}:${parsed.accountId}/${parsed.resourceId}`;
        const other = seen.get(key);
        if (other !== undefined) {
            issues.push({ path: at(binding, "id"), message: `binding "${other}" already adopts this resource; a resource can be adopted once` });
        }
        seen.set(key, binding);
    }
    return issues;
}

/**
 * The import map as WorkerService takes it: R2 entries get their bucket name from the id. Call after
 * {@link importIssues} found nothing.
 */
export function normalizeImports(
    declaration: ServiceDeclaration,
    imports: Readonly<Record<string, ResourceImport>>,
): Record<string, ResourceImport> {
    const out: Record<string, ResourceImport> = {};
    for (const [binding, entry] of Object.entries(imports)) {
        if (declaration.bindings[binding]?.kind === "r2") {
            const parsed = parseImportId("r2", entry.id);
            out[binding] = { id: entry.id, name: "problem" in parsed ? entry.name ?? "" : parsed.resourceId };
        } else {
            out[binding] = entry.name === undefined ? { id: entry.id } : { id: entry.id, name: entry.name };
        }
    }
    return out;
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
