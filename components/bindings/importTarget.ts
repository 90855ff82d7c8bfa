/**
 * Importer helper for kinds that bind a class of this Worker or of another one (Durable Objects, Workflows):
 * which declared service a wrangler item's script field (`script_name`) names.
 */
import type { ImportContext } from "./kind";

/** What a wrangler item's script field names. */
export interface ScriptTarget {
    /** The Worker named, as written; undefined when the field is absent (this Worker). */
    readonly script?: string;
    /** The declared service that Worker maps to; undefined when the field is absent. May be the service being imported. */
    readonly service?: string;
}

/**
 * The service a wrangler item's `field` names.
 * @returns `{}` when the field is absent; `{ script, service }` otherwise; undefined, after noting why at the field,
 *   when the script cannot be a service name (the binding is then not imported).
 */
export function scriptTarget(value: Readonly<Record<string, unknown>>, field: string, ctx: ImportContext): ScriptTarget | undefined {
    const script = value[field];
    if (typeof script !== "string") return {};
    const service = ctx.serviceNameFrom(script);
    if (service === undefined) {
        ctx.note([field], "unsupported", `"${script}" cannot be a service name; binding not imported`);
        return undefined;
    }
    return { script, service };
}
