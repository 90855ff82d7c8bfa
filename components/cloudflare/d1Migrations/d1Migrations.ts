import * as pulumi from "@pulumi/pulumi";
import { D1_MIGRATIONS_TABLE, type D1MigrationFile } from "./d1MigrationFiles";
import { d1MigrationsProvider } from "./d1MigrationsProvider";

/** Arguments of {@link D1Migrations}. */
export interface D1MigrationsArgs {
    /** Cloudflare account id (32 hex characters). */
    readonly accountId: pulumi.Input<string>;
    /** Id (UUID) of the D1 database, e.g. `database.id` of a `cloudflare.D1Database`. A new id replaces the resource. */
    readonly databaseId: pulumi.Input<string>;
    /** Name of the database, for messages (`api-staging-db`). */
    readonly databaseName: pulumi.Input<string>;
    /**
     * The migration files in the order they apply, from {@link readD1MigrationFiles}. Their text and SHA-256
     * are inputs, so a new file (or an edit) shows in `pulumi preview` and triggers an update.
     */
    readonly migrations: pulumi.Input<readonly D1MigrationFile[]>;
    /**
     * Table that records applied files; wrangler's `migrations_table`. Keep the default so
     * `wrangler d1 migrations list/apply` see the same history.
     * @default "d1_migrations"
     */
    readonly migrationsTable?: string;
}

/**
 * Applies a D1 database's migration files during `pulumi up`: in order, each file once, each recorded
 * in the `d1_migrations` table exactly as `wrangler d1 migrations apply` records it, so a team can switch
 * between the two tools. A failing file stops the update; the error names the file and quotes the
 * database's error, and the file is not recorded (D1 rolls back the file and its record together).
 * Earlier files stay applied; the next `pulumi up` resumes at the failed one.
 *
 * Needs `CLOUDFLARE_API_TOKEN` (D1 Edit) in the environment of `pulumi up`; `pulumi preview` calls
 * nothing. Editing a file after it was applied fails the preview: put changes in a new file.
 * `CLOUDFLARE_API_BASE_URL` overrides the API origin as it does for wrangler.
 * Type token: `pulumi-nodejs:dynamic/cloudflare:D1Migrations`.
 *
 * @example
 * const db = new cloudflare.D1Database("api-db", { accountId, name: "api-staging-db" });
 * new D1Migrations("api-db-migrations", {
 *   accountId, databaseId: db.id, databaseName: db.name,
 *   migrations: readD1MigrationFiles("/repo/services/api/migrations") ?? [],
 * }, { parent: db });
 */
export class D1Migrations extends pulumi.dynamic.Resource {
    /** Names recorded in the migrations table after the last update, in the order they were applied. */
    declare readonly applied: pulumi.Output<string[]>;
    /** The database the files were applied to. */
    declare readonly databaseId: pulumi.Output<string>;

    constructor(name: string, args: D1MigrationsArgs, opts?: pulumi.CustomResourceOptions) {
        super(d1MigrationsProvider, name, {
            accountId: args.accountId,
            databaseId: args.databaseId,
            databaseName: args.databaseName,
            migrationsTable: args.migrationsTable ?? D1_MIGRATIONS_TABLE,
            migrations: args.migrations,
            applied: undefined,
        }, opts, "cloudflare", "D1Migrations");
    }
}
