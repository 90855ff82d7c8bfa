/**
 * Telemetry of a service: the bindings the Worker runtime library (`components/telemetry/`) writes through,
 * added by the platform to a declaration that says `telemetry: true` (or gives the names), so no team
 * hand-declares them.
 *
 * - an Analytics Engine dataset for request metrics (binding `METRICS`, dataset `<script>-metrics` per stack:
 *   `api-staging-metrics`), one data point per request;
 * - version metadata (binding `CF_VERSION_METADATA`), whose `id` every log line and data point carries. A
 *   service that already declares a `versionMetadata` binding keeps it, and the library reads that one
 *   (wrangler's `version_metadata` holds one).
 *
 * The bindings are ordinary bindings of those kinds once added (`components/bindings/analyticsEngine.ts`,
 * `versionMetadata.ts`): the script, the generated `wrangler.jsonc`, the plan, the health checks and the typed
 * `env` (`EnvOf`, `./envOf.ts`) all see them.
 * Sources: https://developers.cloudflare.com/analytics/analytics-engine/get-started/ ,
 * https://developers.cloudflare.com/workers/runtime-apis/bindings/version-metadata/
 *
 * Off unless asked for: turning it on adds two bindings to the Worker, which redeploys it, and an imported
 * Worker must generate back exactly the bindings it had (`npm run import`), so existing declarations keep
 * theirs until their team turns telemetry on (and uses the library).
 *
 * Imports nothing but zod and the binding table's schemas: declarations are bundled into Workers.
 */
import { z } from "zod";
import { ANALYTICS_ENGINE_DATASET } from "../bindings/analyticsEngine";
import { namePatternSchema } from "../bindings/accountFeature";
import type { Binding } from "../bindings/index";
import type { ValidationIssue } from "../validation";
import { bindingNameProblem } from "./names";

/** Binding name of the request metrics dataset when the declaration names none. */
export const DEFAULT_METRICS_BINDING = "METRICS";
/** Binding name of the version metadata the platform adds when the declaration has none (Cloudflare's docs use it). */
export const DEFAULT_VERSION_BINDING = "CF_VERSION_METADATA";

const bindingName = z.string().superRefine((name, ctx) => {
    const problem = bindingNameProblem(name);
    if (problem !== undefined) ctx.addIssue({ code: "custom", message: problem });
});

const namesSchema = z.strictObject({
    /**
     * Binding name of the request metrics dataset (`env.METRICS.writeDataPoint`); a declared binding of that
     * name is an error (the platform adds it).
     * @default "METRICS"
     */
    metricsBinding: bindingName.default(DEFAULT_METRICS_BINDING),
    /**
     * The dataset in each stack: letters, digits, `-` and `_`, `{script}` for the Worker's script name in the
     * stack; a name without `{script}` is shared by every stack.
     * @default `{script}-<metricsBinding slug>` (`api-staging-metrics`)
     */
    dataset: namePatternSchema(ANALYTICS_ENGINE_DATASET).optional(),
    /**
     * Binding name of the version metadata the platform adds when the declaration declares no
     * `versionMetadata` binding; with one declared, that binding is used and this must be left out.
     * @default "CF_VERSION_METADATA"
     */
    versionBinding: bindingName.optional(),
});

/**
 * The declaration's `telemetry` field: `false` (no telemetry bindings), `true` (the default names), or the names.
 * @default false
 * @example telemetry: true                                   // METRICS → <script>-metrics, CF_VERSION_METADATA
 * @example telemetry: { dataset: "{script}_requests" }
 */
export const telemetrySchema = z.union([z.boolean(), namesSchema], {
    error: "expected true, false or { metricsBinding?, dataset?, versionBinding? }",
}).default(false).transform((value) => value === true ? namesSchema.parse({}) : value);

/** Where a declaration's telemetry goes, after {@link applyTelemetry}: the binding names the library reads. */
export interface ResolvedTelemetry {
    /** Binding name of the request metrics dataset. */
    readonly metricsBinding: string;
    /** The dataset name pattern, when the declaration set one. */
    readonly dataset?: string;
    /** Binding name of the version metadata (the declared `versionMetadata` binding, or the one added). */
    readonly versionBinding: string;
}

/** What {@link applyTelemetry} returns. */
export interface AppliedTelemetry {
    /** The declared bindings, then the ones telemetry adds (so they come last in generated files). */
    readonly bindings: Record<string, Binding>;
    /** The resolved field, `false` when turned off. */
    readonly telemetry: ResolvedTelemetry | false;
    /** Problems, each at `<root>.telemetry…` or `<root>.bindings.<NAME>`; empty when none. */
    readonly issues: ValidationIssue[];
}

/**
 * Adds the telemetry bindings to a parsed declaration's bindings.
 *
 * @param telemetry the parsed `telemetry` field.
 * @param bindings the declared bindings (not changed).
 * @param at renders a path under the declaration (`at("telemetry", "versionBinding")` → `services.api.telemetry.versionBinding`).
 * @returns the bindings with the metrics dataset and (when none is declared) the version metadata added, and the
 *   resolved names; issues when a declared binding already has the metrics binding's name, or `versionBinding`
 *   is set beside a declared `versionMetadata` binding or names a declared binding.
 */
export function applyTelemetry(
    telemetry: z.output<typeof telemetrySchema>, bindings: Readonly<Record<string, Binding>>, at: (...path: PropertyKey[]) => string,
): AppliedTelemetry {
    if (telemetry === false) return { bindings: { ...bindings }, telemetry: false, issues: [] };
    const issues: ValidationIssue[] = [];
    const { metricsBinding, dataset } = telemetry;
    if (Object.hasOwn(bindings, metricsBinding)) {
        issues.push({
            path: at("bindings", metricsBinding),
            message: `the platform binds "${metricsBinding}" for request metrics (telemetry); remove this binding (set telemetry.dataset to name ` +
                `the dataset), set telemetry.metricsBinding to another name, or set telemetry: false`,
        });
    }
    const declaredVersion = Object.entries(bindings).find(([, b]) => b.kind === "versionMetadata")?.[0];
    if (declaredVersion !== undefined && telemetry.versionBinding !== undefined) {
        issues.push({
            path: at("telemetry", "versionBinding"),
            message: `binding "${declaredVersion}" is already the service's version metadata (one per Worker), and telemetry uses it; remove versionBinding`,
        });
    }
    const versionBinding = declaredVersion ?? telemetry.versionBinding ?? DEFAULT_VERSION_BINDING;
    if (declaredVersion === undefined && Object.hasOwn(bindings, versionBinding)) {
        issues.push({
            path: at("telemetry", "versionBinding"),
            message: `binding "${versionBinding}" is declared as a ${bindings[versionBinding]!.kind}; name the version metadata binding otherwise`,
        });
    }
    if (versionBinding === metricsBinding) {
        issues.push({ path: at("telemetry", "versionBinding"), message: `expected a binding name other than metricsBinding ("${metricsBinding}")` });
    }
    const added: Record<string, Binding> = {
        [metricsBinding]: dataset === undefined ? { kind: "analyticsEngine" } : { kind: "analyticsEngine", dataset },
        ...(declaredVersion === undefined ? { [versionBinding]: { kind: "versionMetadata" } } : {}),
    };
    return {
        bindings: { ...bindings, ...added },
        telemetry: { metricsBinding, ...(dataset === undefined ? {} : { dataset }), versionBinding },
        issues,
    };
}
