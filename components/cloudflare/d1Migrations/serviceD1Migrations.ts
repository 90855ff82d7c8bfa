/**
 * The D1 migrations of one service: a {@link D1Migrations} child per d1 binding whose migrations
 * directory exists, reading the files at program time.
 */
import * as path from "node:path";
import * as cloudflare from "@pulumi/cloudflare";
import * as pulumi from "@pulumi/pulumi";
import { bindingSlug, type ServiceDeclaration } from "../../service/declaration";
import { readD1MigrationFiles } from "./d1MigrationFiles";
import { D1Migrations } from "./d1Migrations";

/** D1 migration resources by d1 binding name. */
export type D1MigrationsByBinding = Readonly<Record<string, D1Migrations>>;

/** What {@link createD1Migrations} needs of a service. */
export interface ServiceD1MigrationsArgs {
    /** Cloudflare account id. */
    readonly accountId: pulumi.Input<string>;
    /** The validated declaration; its d1 bindings' `migrationsDir` resolve from `root`. */
    readonly declaration: ServiceDeclaration;
    /** Absolute path of the service directory. */
    readonly root: string;
}

/**
 * Declares `<name>-<binding>-migrations` for each d1 binding, parented to `parent`, applying
 * `<root>/<migrationsDir>/*.sql` (or the files its `migrationsPattern` matches) to the binding's database. A binding whose directory does not exist gets
 * none (and an info message): like wrangler, there is nothing to apply.
 *
 * @param stateful the service's stateful resources by binding name; d1 bindings map to `cloudflare.D1Database`.
 */
export function createD1Migrations(
    name: string,
    args: ServiceD1MigrationsArgs,
    stateful: Readonly<Record<string, pulumi.Resource>>,
    parent: pulumi.Resource,
): D1MigrationsByBinding {
    const out: Record<string, D1Migrations> = {};
    for (const [binding, spec] of Object.entries(args.declaration.bindings)) {
        if (spec.kind !== "d1") continue;
        const database = stateful[binding];
        if (!(database instanceof cloudflare.D1Database)) continue;
        const dir = path.resolve(args.root, spec.migrationsDir);
        const files = readD1MigrationFiles(dir, spec.migrationsPattern);
        if (files === undefined) {
            pulumi.log.info(`service ${args.declaration.name}: no D1 migrations directory ${spec.migrationsDir} for binding ${binding}; nothing to apply`, parent);
            continue;
        }
        out[binding] = new D1Migrations(`${name}-${bindingSlug(binding)}-migrations`, {
            accountId: args.accountId,
            databaseId: database.id,
            databaseName: database.name,
            migrations: files,
        }, { parent });
    }
    return out;
}
