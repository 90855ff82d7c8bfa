/**
 * Secrets Store secrets: an account-level secret the Worker reads (`await env.NAME.get()`), shared by the
 * Workers the store grants it to. The store and its secrets are kept outside the platform (dashboard, or
 * `npx wrangler secrets-store secret create <store_id> --name <name> --scopes workers --remote`) so that their
 * values never pass through stack config; the declaration references the secret by store id and name, the same
 * in every stack (stacks in other accounts need a store there, under its own id). `wrangler dev` reads a local
 * store (the same command without `--remote`).
 * Per-service secrets that differ per stack are `{ kind: "secret" }` bindings instead.
 * Source: https://developers.cloudflare.com/secrets-store/integrations/workers/ ; binding
 * `{ type: "secrets_store_secret", storeId, secretName }` from `@pulumi/cloudflare` 6.22.1 `types/input.d.ts`
 * (`WorkersScriptBinding`); wrangler key `secrets_store_secrets[] { binding, store_id, secret_name }`.
 */
import { z } from "zod";
import { checkSecretsStoreSecret } from "../health/featureChecks";
import { addWranglerEntry, defineBindingKind } from "./kind";

/**
 * Secrets Store ids: 32 lowercase hex characters, the form of Cloudflare identifiers (`storeId` in the example of
 * `@pulumi/cloudflare` 6.22.1 `secretsStoreSecret.d.ts`, and the `store_id` wrangler lists with `secrets-store store list`).
 */
export const SECRETS_STORE_ID = /^[0-9a-f]{32}$/;

const storeId = z.string().regex(SECRETS_STORE_ID, { error: "expected a Secrets Store id, 32 lowercase hex characters (`npx wrangler secrets-store store list`)" });
const secretName = z.string().regex(/^\S+$/, { error: "expected a secret name: no spaces, not empty" });

const schema = z.strictObject({
    /** A secret of the account's Secrets Store (`await env.NAME.get()`); the platform never sees its value. */
    kind: z.literal("secretsStoreSecret"),
    /** The store's id, 32 lowercase hex characters (`npx wrangler secrets-store store list`); the same in every stack. */
    storeId,
    /** The secret's name in the store. */
    secretName,
});

/** The `secretsStoreSecret` binding kind. */
export const secretsStoreSecret = defineBindingKind({
    kind: "secretsStoreSecret",
    schema,
    docs: {
        title: "Secrets Store secret",
        resource: "none: a secret of the account's store, by `storeId` and `secretName`",
        wranglerKey: "secrets_store_secrets",
        url: "https://developers.cloudflare.com/secrets-store/integrations/workers/",
    },
    scriptBinding: (binding, ctx) => ({ name: ctx.name, type: "secrets_store_secret", storeId: binding.storeId, secretName: binding.secretName }),
    wrangler: (binding, ctx) => addWranglerEntry(ctx.config, ["secrets_store_secrets"], {
        binding: ctx.name, store_id: binding.storeId, secret_name: binding.secretName,
    }),
    import: {
        path: ["secrets_store_secrets"],
        shape: "list",
        knownKeys: ["binding", "store_id", "secret_name"],
        map: (item, ctx) => {
            const value = item.value as Record<string, unknown>;
            if (!storeId.safeParse(value.store_id).success) {
                ctx.note(["store_id"], "unsupported", `${JSON.stringify(value.store_id)} is not a Secrets Store id (32 lowercase hex characters); binding not imported`);
                return undefined;
            }
            if (!secretName.safeParse(value.secret_name).success) {
                ctx.note(["secret_name"], "unsupported", `${JSON.stringify(value.secret_name)} is not a secret name; binding not imported`);
                return undefined;
            }
            return { kind: "secretsStoreSecret", storeId: value.store_id as string, secretName: value.secret_name as string };
        },
    },
    health: {
        description: "`get()` of the secret (the value is read, never reported)",
        run: (binding) => checkSecretsStoreSecret(binding),
    },
    summary: (binding) => `${binding.storeId}/${binding.secretName}`,
    policy: { scriptBindingTypes: ["secrets_store_secret"] },
});
