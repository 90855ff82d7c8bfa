/**
 * Secret text: the value per stack from `platform:secrets.<service>.<NAME>` (a `pulumi config set --secret`
 * value), a Pulumi secret all the way to the script. Source: https://developers.cloudflare.com/workers/configuration/secrets/
 */
import { z } from "zod";
import { defineBindingKind } from "./kind";

const schema = z.strictObject({
    /** Secret text, from `platform:secrets.<service>.<NAME>` (a `pulumi config set --secret` value). */
    kind: z.literal("secret"),
});

/** The `secret` binding kind. */
export const secret = defineBindingKind({
    kind: "secret",
    schema,
    docs: {
        title: "Secret text (in the env contract)",
        resource: "none: the value per stack from `platform:secrets.<service>.<NAME>`; names only in wrangler config, local values in `.dev.vars`",
        wranglerKey: "secrets.required",
        url: "https://developers.cloudflare.com/workers/configuration/secrets/",
    },
    envContract: { label: "secret", secret: true },
    scriptBinding: (_binding, ctx) => ({ name: ctx.name, type: "secret_text", text: ctx.secretValue(ctx.name) }),
    wrangler: (_binding, ctx) => { ctx.secretNames.push(ctx.name); },
    import: {
        path: ["secrets", "required"],
        shape: "names",
        map: () => ({ kind: "secret" }),
    },
    policy: { scriptBindingTypes: ["secret_text"] },
});
