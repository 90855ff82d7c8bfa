/**
 * R2 buckets: one per binding and stack. Source: https://developers.cloudflare.com/r2/api/workers/workers-api-reference/ ;
 * provider import id from `@pulumi/cloudflare` 6.22.1 `r2bucket.d.ts` (`<account_id>/<bucket_name>/<jurisdiction>`);
 * bucket names: https://developers.cloudflare.com/r2/buckets/create-buckets/#bucket-level-operations
 */
import { z } from "zod";
import { checkR2 } from "../health/checks";
import { accountScopedId } from "./importIdFormat";
import { addWranglerEntry, defineBindingKind, resolvedField } from "./kind";

/** Data location hints for R2 buckets. Source: https://developers.cloudflare.com/r2/reference/data-location/ */
export const R2_LOCATIONS = ["apac", "eeur", "enam", "weur", "wnam", "oc"] as const;
/** R2 bucket names: 3–63 lowercase letters, digits and dashes, not starting or ending with a dash. */
export const R2_BUCKET_NAME = /^[a-z0-9][a-z0-9-]{1,61}[a-z0-9]$/;
/** R2 jurisdictions in the provider's import id; `default` means none. */
export const R2_JURISDICTIONS = ["default", "eu", "fedramp", "us"] as const;

const schema = z.strictObject({
    /** R2 bucket created for this service and environment. */
    kind: z.literal("r2"),
    /** Location hint for the bucket's data. @default Cloudflare's choice, near the first request. */
    location: z.enum(R2_LOCATIONS).optional(),
    /** Jurisdiction the data must stay in. @default none */
    jurisdiction: z.enum(["eu", "fedramp"]).optional(),
});

const id = accountScopedId("<bucket_name>", "a bucket name", "3 to 63 lowercase letters, digits and dashes", R2_BUCKET_NAME,
    { placeholder: "<jurisdiction>", what: "the jurisdiction", values: R2_JURISDICTIONS });

/** The `r2` binding kind. */
export const r2 = defineBindingKind({
    kind: "r2",
    schema,
    docs: {
        title: "R2 bucket",
        resource: "cloudflare.R2Bucket",
        wranglerKey: "r2_buckets",
        url: "https://developers.cloudflare.com/r2/api/workers/workers-api-reference/",
    },
    limitedName: true,
    resources: (binding, ctx) => {
        const resource = new ctx.cloudflare.R2Bucket(ctx.name, {
            accountId: ctx.accountId,
            name: ctx.physicalName,
            ...(binding.location === undefined ? {} : { location: binding.location }),
            ...(binding.jurisdiction === undefined ? {} : { jurisdiction: binding.jurisdiction }),
        }, ctx.opts);
        return { resource, resolved: resource.name.apply((bucketName) => ({ kind: "r2", bucketName })) };
    },
    scriptBinding: (binding, ctx) => ({
        name: ctx.name,
        type: "r2_bucket",
        bucketName: ctx.resolved.apply((r) => resolvedField(r, "r2", "bucketName", ctx.name)),
        ...(binding.jurisdiction === undefined ? {} : { jurisdiction: binding.jurisdiction }),
    }),
    wrangler: (_binding, ctx) => addWranglerEntry(ctx.config, ["r2_buckets"], { binding: ctx.name, bucket_name: resolvedField(ctx.resolved, "r2", "bucketName", ctx.name) }),
    import: {
        path: ["r2_buckets"],
        shape: "list",
        knownKeys: ["binding", "bucket_name", "jurisdiction"],
        unsupportedReason: "not supported (local development uses local storage)",
        map: (item, ctx) => {
            const jurisdiction = jurisdictionOf(item.value as Record<string, unknown>);
            if (jurisdiction !== undefined && jurisdiction !== "eu" && jurisdiction !== "fedramp") {
                ctx.note([], "unsupported", `jurisdiction "${jurisdiction}" is not one the platform declares (eu, fedramp); binding not imported`);
                return undefined;
            }
            return jurisdiction === undefined ? { kind: "r2" } : { kind: "r2", jurisdiction };
        },
    },
    adoption: {
        what: "R2 bucket",
        format: id.format,
        idDescription: id.idDescription,
        idPattern: id.idPattern,
        parseId: id.parseId,
        nameInId: true,
        importId: (accountId, bucketName, binding) => id.importId(accountId, bucketName, (binding.jurisdiction as string | undefined) ?? "default"),
        checkId: (parsed, binding) => {
            const declared = (binding.jurisdiction as string | undefined) ?? "default";
            return parsed.rest[0] === declared ? undefined : `the jurisdiction "${parsed.rest[0]}" differs from the binding's ("${declared}"); a bucket's jurisdiction cannot change`;
        },
        fromWrangler: (item, declared) => {
            const jurisdiction = jurisdictionOf(item);
            const wanted = declared?.kind === "r2" ? declared.jurisdiction as string | undefined : jurisdiction;
            return {
                idField: "bucket_name",
                resourceId: item.bucket_name,
                name: item.bucket_name,
                ...(wanted === jurisdiction ? {} : {
                    problem: `the bucket's jurisdiction (${jurisdiction ?? "default"}) differs from the declared binding's (${wanted ?? "default"})`,
                }),
            };
        },
    },
    health: {
        description: "`head` of a probe key",
        run: (binding, ctx) => checkR2(binding, ctx.options.probeKey),
    },
    summary: (_binding, resolved) => resolved?.bucketName,
    policy: {
        scriptBindingTypes: ["r2_bucket"],
        statefulTypes: { "cloudflare:index/r2Bucket:R2Bucket": "R2 bucket" },
    },
});

/** A wrangler item's jurisdiction; `default` means none. */
function jurisdictionOf(item: Record<string, unknown>): string | undefined {
    return item.jurisdiction === "default" ? undefined : item.jurisdiction as string | undefined;
}
