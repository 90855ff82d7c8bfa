/**
 * Workers Analytics Engine: a dataset the Worker writes data points to (`env.NAME.writeDataPoint({...})`),
 * queried later with the SQL API. Datasets have no create call: Cloudflare creates one on its first write, so
 * nothing is created per stack and `@pulumi/cloudflare` 6.22.1 has no resource for them. Each stack writes
 * its own dataset, `<script>-<binding slug>` by default (`api-staging-events`). `wrangler dev` simulates the
 * binding locally (writes are accepted and dropped).
 * Source: https://developers.cloudflare.com/analytics/analytics-engine/get-started/ ("the dataset is created
 * automatically when you first write to it"); binding `{ type: "analytics_engine", dataset }` from
 * `@pulumi/cloudflare` 6.22.1 `types/input.d.ts` (`WorkersScriptBinding`); wrangler key
 * `analytics_engine_datasets[] { binding, dataset }`.
 */
import { z } from "zod";
import { checkBindingMethods } from "../health/featureChecks";
import { importedNamePattern, namePatternSchema, namedByPattern, type NameRule } from "./accountFeature";
import { addWranglerEntry, defineBindingKind, resolvedField } from "./kind";

/**
 * Dataset names the platform accepts: letters, digits, `-` and `_` (the Analytics Engine docs name no
 * stricter rule; wrangler only requires a non-empty string).
 */
export const ANALYTICS_ENGINE_DATASET: NameRule = {
    what: "Analytics Engine dataset name",
    pattern: /^[A-Za-z0-9_-]+$/,
    description: "letters, digits, \"-\" and \"_\"",
};

const schema = z.strictObject({
    /** A Workers Analytics Engine dataset, per stack by name; created by Cloudflare on the first write. */
    kind: z.literal("analyticsEngine"),
    /**
     * The dataset name in each stack: letters, digits, `-` and `_`; `{script}` stands for the Worker's script
     * name in the stack (`{script}_events`). A name without `{script}` is shared by every stack.
     * @default `{script}-<binding slug>` (`api-staging-events` for binding EVENTS)
     */
    dataset: namePatternSchema(ANALYTICS_ENGINE_DATASET).optional(),
});

/** The `analyticsEngine` binding kind. */
export const analyticsEngine = defineBindingKind({
    kind: "analyticsEngine",
    schema,
    docs: {
        title: "Workers Analytics Engine dataset",
        resource: "none: a dataset per stack, `<script>-<binding>` or `dataset`, created on its first write",
        wranglerKey: "analytics_engine_datasets",
        url: "https://developers.cloudflare.com/analytics/analytics-engine/get-started/",
    },
    physicalName: namedByPattern("dataset"),
    resources: (_binding, ctx) => ({ resolved: { kind: "analyticsEngine", dataset: ctx.physicalName } }),
    scriptBinding: (_binding, ctx) => ({
        name: ctx.name,
        type: "analytics_engine",
        dataset: ctx.resolved.apply((r) => resolvedField(r, "analyticsEngine", "dataset", ctx.name)),
    }),
    wrangler: (_binding, ctx) => addWranglerEntry(ctx.config, ["analytics_engine_datasets"], {
        binding: ctx.name, dataset: resolvedField(ctx.resolved, "analyticsEngine", "dataset", ctx.name),
    }),
    import: {
        path: ["analytics_engine_datasets"],
        shape: "list",
        knownKeys: ["binding", "dataset"],
        map: (item, ctx) => {
            const value = item.value as Record<string, unknown>;
            if (typeof value.dataset !== "string") {
                // Source: https://developers.cloudflare.com/workers/wrangler/configuration/#analytics-engine-datasets
                ctx.note([], "changed", `no dataset: Cloudflare names the dataset after the binding, so it is declared as dataset: "${item.name}"`);
            }
            const written = typeof value.dataset === "string" ? value.dataset : item.name;
            const name = importedNamePattern(written, item.name, ANALYTICS_ENGINE_DATASET, ["dataset"], ctx);
            if (name === undefined) return undefined;
            return name.isDefault ? { kind: "analyticsEngine" } : { kind: "analyticsEngine", dataset: name.pattern };
        },
    },
    health: {
        description: "the binding has `writeDataPoint()` (nothing is written)",
        run: (binding) => checkBindingMethods(binding, ["writeDataPoint"], "an Analytics Engine dataset"),
    },
    summary: (_binding, resolved) => resolved?.dataset,
    policy: { scriptBindingTypes: ["analytics_engine"] },
});
