/**
 * Hyperdrive: the environment's PostgreSQL database (its Neon branch), one configuration per stack
 * (`components/cloudflare/hyperdrive.ts`) that every hyperdrive binding binds.
 * Source: https://developers.cloudflare.com/hyperdrive/configuration/connect-to-postgres/
 */
import { z } from "zod";
import { checkHyperdrive } from "../health/checks";
import { addWranglerEntry, defineBindingKind, resolvedField } from "./kind";

/**
 * Connection string a plain `wrangler dev` on the generated file gives each Hyperdrive binding: the
 * `postgres` database of a server on 127.0.0.1:5432 as `postgres`, without a password. `npm run dev`
 * always overrides it through `CLOUDFLARE_HYPERDRIVE_LOCAL_CONNECTION_STRING_<BINDING>` (its own local
 * PostgreSQL, or `--database-url`), so a real password is never written to a generated file.
 */
export const DEFAULT_LOCAL_DATABASE_URL = "postgresql://postgres@127.0.0.1:5432/postgres";

const schema = z.strictObject({
    /** The environment's PostgreSQL database (its Neon branch) through Cloudflare Hyperdrive; `env.NAME.connectionString`. */
    kind: z.literal("hyperdrive"),
});

/** The `hyperdrive` binding kind. */
export const hyperdrive = defineBindingKind({
    kind: "hyperdrive",
    schema,
    docs: {
        title: "Hyperdrive (the stack's Neon branch)",
        resource: "cloudflare.HyperdriveConfig, one per stack",
        wranglerKey: "hyperdrive",
        url: "https://developers.cloudflare.com/hyperdrive/configuration/connect-to-postgres/",
    },
    needsDatabase: true,
    resources: (_binding, ctx) => {
        if (ctx.hyperdriveId === undefined) throw new Error(`binding ${ctx.name} needs the environment's database; set platform:database in the stack config`);
        return { resolved: ctx.pulumi.output(ctx.hyperdriveId).apply((id) => ({ kind: "hyperdrive", id })) };
    },
    scriptBinding: (_binding, ctx) => ({
        name: ctx.name,
        type: "hyperdrive",
        id: ctx.resolved.apply((r) => resolvedField(r, "hyperdrive", "id", ctx.name)),
    }),
    wrangler: (_binding, ctx) => addWranglerEntry(ctx.config, ["hyperdrive"], {
        binding: ctx.name, id: resolvedField(ctx.resolved, "hyperdrive", "id", ctx.name), localConnectionString: DEFAULT_LOCAL_DATABASE_URL,
    }),
    import: {
        path: ["hyperdrive"],
        shape: "list",
        knownKeys: ["binding", "id", "localConnectionString"],
        unsupportedReason: "not supported",
        map: (_item, ctx) => {
            ctx.note([], "changed",
                "the platform binds the stack's own Hyperdrive configuration, made from its Neon branch (platform:database); " +
                "the configuration id and localConnectionString are not carried over (npm run dev -- --database-url sets the local one)");
            return { kind: "hyperdrive" };
        },
    },
    health: {
        description: "`select 1` through the connection string",
        run: (binding, ctx) => checkHyperdrive(binding, ctx.options.postgres, ctx.signal),
    },
    summary: (_binding, resolved) => resolved?.id,
    policy: { scriptBindingTypes: ["hyperdrive"] },
});
