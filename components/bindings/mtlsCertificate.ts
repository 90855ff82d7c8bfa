/**
 * mTLS certificates: the Worker presents a client certificate on its subrequests (`env.NAME.fetch(url)`).
 * The certificate (with its private key) is uploaded to the account once, outside the platform
 * (`npx wrangler mtls-certificate upload --cert cert.pem --key key.pem --name <name>`), so that no private key
 * passes through stack config; the declaration references it by id, the same in every stack. Stacks in other
 * accounts need the certificate uploaded there too, under its own id. `wrangler dev` cannot present it
 * locally (it warns).
 * Source: https://developers.cloudflare.com/workers/runtime-apis/bindings/mtls/ ; binding
 * `{ type: "mtls_certificate", certificateId }` from `@pulumi/cloudflare` 6.22.1 `types/input.d.ts`
 * (`WorkersScriptBinding`); wrangler key `mtls_certificates[] { binding, certificate_id }` ("the uuid of the
 * uploaded mTLS certificate", wrangler 4.86 config-schema.json).
 */
import { z } from "zod";
import { checkBindingMethods } from "../health/featureChecks";
import { LOCAL_DEV_REASON } from "./accountFeature";
import { addWranglerEntry, defineBindingKind } from "./kind";

/** mTLS certificate ids: UUIDs (wrangler: "the uuid of the uploaded mTLS certificate"). */
export const MTLS_CERTIFICATE_ID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

const certificateId = z.string().regex(MTLS_CERTIFICATE_ID, {
    error: "expected an mTLS certificate id, a lowercase UUID (`npx wrangler mtls-certificate list`)",
});

const schema = z.strictObject({
    /** An mTLS client certificate already uploaded to the account (`env.NAME.fetch(url)` presents it). */
    kind: z.literal("mtlsCertificate"),
    /** The uploaded certificate's id, a lowercase UUID (`npx wrangler mtls-certificate list`); the same in every stack. */
    certificateId,
});

/** The `mtlsCertificate` binding kind. */
export const mtlsCertificate = defineBindingKind({
    kind: "mtlsCertificate",
    schema,
    docs: {
        title: "mTLS client certificate",
        resource: "none: a certificate uploaded to the account, by `certificateId`",
        wranglerKey: "mtls_certificates",
        url: "https://developers.cloudflare.com/workers/runtime-apis/bindings/mtls/",
    },
    scriptBinding: (binding, ctx) => ({ name: ctx.name, type: "mtls_certificate", certificateId: binding.certificateId }),
    wrangler: (binding, ctx) => addWranglerEntry(ctx.config, ["mtls_certificates"], { binding: ctx.name, certificate_id: binding.certificateId }),
    import: {
        path: ["mtls_certificates"],
        shape: "list",
        knownKeys: ["binding", "certificate_id"],
        unsupportedReason: LOCAL_DEV_REASON,
        map: (item, ctx) => {
            const id = (item.value as Record<string, unknown>).certificate_id;
            if (!certificateId.safeParse(id).success) {
                ctx.note(["certificate_id"], "unsupported", `${JSON.stringify(id)} is not an mTLS certificate id (a lowercase UUID); binding not imported`);
                return undefined;
            }
            return { kind: "mtlsCertificate", certificateId: id as string };
        },
    },
    health: {
        description: "the binding has `fetch()` (no request is made)",
        run: (binding) => checkBindingMethods(binding, ["fetch"], "an mTLS certificate binding"),
    },
    summary: (binding) => binding.certificateId,
    policy: { scriptBindingTypes: ["mtls_certificate"] },
});
