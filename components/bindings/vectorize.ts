/**
 * Vectorize: a vector index the Worker queries and writes (`env.NAME.query(vector)`), one per stack by name.
 *
 * `@pulumi/cloudflare` 6.22.1 has no Vectorize index resource (no `vectorize*` module; the provider only
 * binds an index by `indexName`), so the platform references the index and never creates or deletes it:
 * create each stack's index once, before its first deploy, with
 * `npx wrangler vectorize create <name> --dimensions <n> --metric <cosine|euclidean|dot-product>`. The index
 * is named by the declaration: `<script>-<binding slug>` by default (`api-staging-embeddings`), or a pattern
 * with `{script}` (`{script}-v2`), or one fixed name every stack shares. `wrangler dev` has no local Vectorize
 * (it warns; calls fail unless the binding is made remote by hand).
 * Source: https://developers.cloudflare.com/vectorize/reference/client-api/ ; binding
 * `{ type: "vectorize", indexName }` from `@pulumi/cloudflare` 6.22.1 `types/input.d.ts` (`WorkersScriptBinding`);
 * wrangler key `vectorize[] { binding, index_name }`.
 */
import { z } from "zod";
import { checkVectorize } from "../health/featureChecks";
import { LOCAL_DEV_REASON, importedNamePattern, namePatternSchema, namedByPattern, type NameRule } from "./accountFeature";
import { addWranglerEntry, defineBindingKind, resolvedField } from "./kind";

/**
 * Vectorize index names: lowercase letters, digits, `-` and `_`, starting with a letter and ending with a
 * letter or digit. Source: Cloudflare API schema `vectorize_index-name`
 * (https://developers.cloudflare.com/api/resources/vectorize/subresources/indexes/methods/create/).
 */
export const VECTORIZE_INDEX_NAME: NameRule = {
    what: "Vectorize index name",
    pattern: /^[a-z]+[a-z0-9_-]*[a-z0-9]+$/,
    description: "lowercase letters, digits, \"-\" and \"_\", starting with a letter and ending with a letter or digit",
};

const schema = z.strictObject({
    /**
     * An existing Vectorize index, per stack by name. Not created by the platform: `@pulumi/cloudflare` 6.22.1
     * has no Vectorize index resource; create it with `npx wrangler vectorize create <name> --dimensions <n> --metric <metric>`.
     */
    kind: z.literal("vectorize"),
    /**
     * The index name in each stack: lowercase letters, digits, `-` and `_`, starting with a letter; `{script}`
     * stands for the Worker's script name in the stack (`{script}-v2` → `api-staging-v2`). A name without
     * `{script}` binds the same index in every stack.
     * @default `{script}-<binding slug>` (`api-staging-embeddings` for binding EMBEDDINGS)
     */
    index: namePatternSchema(VECTORIZE_INDEX_NAME).optional(),
});

/** The `vectorize` binding kind. */
export const vectorize = defineBindingKind({
    kind: "vectorize",
    schema,
    docs: {
        title: "Vectorize index",
        resource: "none in @pulumi/cloudflare 6.22.1: an existing index, `<script>-<binding>` or `index` (create it with `wrangler vectorize create`)",
        wranglerKey: "vectorize",
        url: "https://developers.cloudflare.com/vectorize/reference/client-api/",
    },
    physicalName: namedByPattern("index"),
    resources: (_binding, ctx) => ({ resolved: { kind: "vectorize", indexName: ctx.physicalName } }),
    scriptBinding: (_binding, ctx) => ({
        name: ctx.name,
        type: "vectorize",
        indexName: ctx.resolved.apply((r) => resolvedField(r, "vectorize", "indexName", ctx.name)),
    }),
    wrangler: (_binding, ctx) => addWranglerEntry(ctx.config, ["vectorize"], {
        binding: ctx.name, index_name: resolvedField(ctx.resolved, "vectorize", "indexName", ctx.name),
    }),
    import: {
        path: ["vectorize"],
        shape: "list",
        knownKeys: ["binding", "index_name"],
        unsupportedReason: LOCAL_DEV_REASON,
        map: (item, ctx) => {
            const name = importedNamePattern(String((item.value as Record<string, unknown>).index_name), item.name, VECTORIZE_INDEX_NAME, ["index_name"], ctx);
            if (name === undefined) return undefined;
            return name.isDefault ? { kind: "vectorize" } : { kind: "vectorize", index: name.pattern };
        },
    },
    health: {
        description: "`describe()` of the index (proves it exists; no query)",
        run: (binding) => checkVectorize(binding),
    },
    summary: (_binding, resolved) => resolved?.indexName,
    policy: { scriptBindingTypes: ["vectorize"] },
});
