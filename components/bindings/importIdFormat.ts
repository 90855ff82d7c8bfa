/**
 * Import ids of the form `<account_id>/<resource_id>[/<more>]`, the form every Cloudflare resource the kinds
 * adopt uses (`## Import` sections of `@pulumi/cloudflare` 6.22.1).
 */
import type { Adoption, ParsedImportId } from "./kind";

/** Cloudflare account ids: 32 lowercase hex characters. */
export const ACCOUNT_ID = /^[0-9a-f]{32}$/;

/** One further segment after the resource id: its placeholder in the format and its allowed values. */
export interface ExtraSegment {
    readonly placeholder: string;
    readonly what: string;
    readonly values: readonly string[];
}

/**
 * The id part of an {@link Adoption} for `<account_id>/<placeholder>[/<extra>]`.
 * @param placeholder the resource id's placeholder (`<namespace_id>`).
 * @param idName what the resource id is, for messages (`a namespace id`).
 * @param idDescription what a valid one looks like (`32 lowercase hex characters`).
 * @param idPattern valid resource ids.
 * @param extra a further segment (R2's jurisdiction).
 */
export function accountScopedId(
    placeholder: string,
    idName: string,
    idDescription: string,
    idPattern: RegExp,
    extra?: ExtraSegment,
): Pick<Adoption, "format" | "idDescription" | "idPattern" | "parseId"> & { importId: (accountId: string, resourceId: string, extraValue?: string) => string } {
    const format = `<account_id>/${placeholder}${extra === undefined ? "" : `/${extra.placeholder}`}`;
    const count = extra === undefined ? 2 : 3;
    return {
        format,
        idDescription,
        idPattern,
        importId: (accountId, resourceId, extraValue) => [accountId, resourceId, ...(extra === undefined ? [] : [extraValue ?? extra.values[0]!])].join("/"),
        parseId: (id): ParsedImportId | string => {
            const parts = id.split("/");
            const expected = `expected ${format}`;
            if (parts.length !== count) return `${expected} (${count} parts separated by /), got ${JSON.stringify(id)}`;
            const [accountId, resourceId, ...rest] = parts as [string, string, ...string[]];
            if (!ACCOUNT_ID.test(accountId)) return `${expected}: the account id must be 32 lowercase hex characters, got ${JSON.stringify(accountId)}`;
            if (!idPattern.test(resourceId)) return `${expected}: ${idName} is ${idDescription}, got ${JSON.stringify(resourceId)}`;
            if (extra !== undefined && !extra.values.includes(rest[0]!)) {
                return `${expected}: ${extra.what} is one of ${extra.values.join(", ")}, got ${JSON.stringify(rest[0])}`;
            }
            return { accountId, resourceId, rest };
        },
    };
}

/** Adapts an {@link accountScopedId} without extra segments to {@link Adoption.importId}. */
export function importIdOf(id: ReturnType<typeof accountScopedId>): Pick<Adoption, "format" | "idDescription" | "idPattern" | "parseId" | "importId"> {
    return { ...id, importId: (accountId, resourceId) => id.importId(accountId, resourceId) };
}
