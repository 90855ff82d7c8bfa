/**
 * D1 databases: one per binding and stack; the migration files are applied during `pulumi up`
 * (`components/cloudflare/d1Migrations/`). Source: https://developers.cloudflare.com/d1/worker-api/ ;
 * provider import id from `@pulumi/cloudflare` 6.22.1 `d1database.d.ts` (`<account_id>/<database_id>`).
 */
import { z } from "zod";
import { checkD1 } from "../health/checks";
import { relativePathProblem, relativePathSchema } from "../service/names";
import { accountScopedId, importIdOf } from "./importIdFormat";
import { addWranglerEntry, defineBindingKind, resolvedField } from "./kind";

/** wrangler's default `migrations_dir`; unlike a directory named explicitly, it may be missing (no migrations yet). */
const DEFAULT_MIGRATIONS_DIR = "migrations";

/** D1 database ids: lowercase UUIDs. */
export const D1_DATABASE_ID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

const schema = z.strictObject({
    /** D1 database created for this service and environment. */
    kind: z.literal("d1"),
    /** Directory of `NNNN_name.sql` migration files, relative to the service directory. @default "migrations" */
    migrationsDir: relativePathSchema.default(DEFAULT_MIGRATIONS_DIR),
    /**
     * Which files under `migrationsDir` are migrations, as a glob relative to it (wrangler's `migrations_pattern`
     * without its `<migrations_dir>/` prefix), for nested layouts such as Drizzle's `0001_init/migration.sql`.
     * Each migration is recorded by its path relative to `migrationsDir`, and they apply in wrangler's order
     * (by the number leading each path segment). Source: https://developers.cloudflare.com/d1/reference/migrations/
     * and https://developers.cloudflare.com/changelog/post/2026-06-04-migrations-pattern/
     * @default unset: the `.sql` files directly in `migrationsDir` (wrangler's `<migrations_dir>/*.sql`)
     * @example migrationsPattern: "*\/migration.sql"
     */
    migrationsPattern: z.string().min(1)
        .refine((p) => !p.startsWith("/") && !p.split("/").includes(".."), { error: "expected a glob relative to migrationsDir, such as */migration.sql" })
        .optional(),
});

/** A relative path or glob in one spelling: `/` separators, no `./` or empty segments, no trailing `/` (`.` for none). */
function normalizedPath(p: string): string {
    const parts = p.replace(/\\/g, "/").split("/").filter((part) => part !== "" && part !== ".");
    return parts.length === 0 ? "." : parts.join("/");
}

/** The `d1` binding kind. */
export const d1 = defineBindingKind({
    kind: "d1",
    schema,
    docs: {
        title: "D1 database (with migrations)",
        resource: "cloudflare.D1Database",
        wranglerKey: "d1_databases",
        url: "https://developers.cloudflare.com/d1/worker-api/",
    },
    limitedName: true,
    checkFiles: (binding, ctx) => {
        // Loaded here: kind modules are bundled into Workers (the health library), which have no file system.
        const fs = process.getBuiltinModule("node:fs");
        const path = process.getBuiltinModule("node:path");
        const stat = fs.statSync(path.resolve(ctx.root, binding.migrationsDir), { throwIfNoEntry: false });
        if (stat?.isDirectory() === true) return [];
        // Like wrangler, a service without migrations yet may leave out the default directory.
        if (stat === undefined && binding.migrationsDir === DEFAULT_MIGRATIONS_DIR) return [];
        return [{
            path: ctx.at("migrationsDir"),
            message: stat === undefined
                ? `expected a directory of .sql migration files, but "${binding.migrationsDir}" does not exist in the service directory; create it, or fix the path`
                : `expected a directory of .sql migration files, but "${binding.migrationsDir}" is a file`,
        }];
    },
    resources: (_binding, ctx) => {
        const resource = new ctx.cloudflare.D1Database(ctx.name, { accountId: ctx.accountId, name: ctx.physicalName }, ctx.opts);
        // The name as given: the resource is created (or adopted) with it. One `apply` instead of `all` over two Outputs
        // (which wraps each in two more; bench: memory at 200 services).
        return { resource, resolved: resource.id.apply((id) => ({ kind: "d1", id, name: ctx.physicalName })) };
    },
    scriptBinding: (_binding, ctx) => ({
        name: ctx.name,
        type: "d1",
        id: ctx.resolved.apply((r) => resolvedField(r, "d1", "id", ctx.name)),
    }),
    wrangler: (binding, ctx) => addWranglerEntry(ctx.config, ["d1_databases"], {
        binding: ctx.name,
        database_name: resolvedField(ctx.resolved, "d1", "name", ctx.name),
        database_id: resolvedField(ctx.resolved, "d1", "id", ctx.name),
        migrations_dir: ctx.projectPath(binding.migrationsDir),
        ...(binding.migrationsPattern === undefined ? {} : { migrations_pattern: ctx.projectPath(`${binding.migrationsDir}/${binding.migrationsPattern}`) }),
    }),
    import: {
        path: ["d1_databases"],
        shape: "list",
        knownKeys: ["binding", "database_id", "database_name", "migrations_dir", "migrations_pattern"],
        unsupportedReason: "not supported",
        map: (item, ctx) => {
            const raw = (item.value as Record<string, unknown>).migrations_dir;
            let migrationsDir = typeof raw === "string" ? raw.replace(/^(\.\/)+/, "") : "migrations";
            if (relativePathProblem(migrationsDir) !== undefined) {
                ctx.note(["migrations_dir"], "changed", `"${String(raw)}" is not a directory inside the service directory; declared as "migrations": copy the migrations there`);
                migrationsDir = "migrations";
            }
            const pattern = (item.value as Record<string, unknown>).migrations_pattern;
            if (typeof pattern !== "string") return { kind: "d1", migrationsDir };
            // wrangler: the pattern is relative to the config file and must start with `<migrations_dir>/`.
            const dir = normalizedPath(migrationsDir);
            const full = normalizedPath(pattern);
            const migrationsPattern = dir === "." ? full : full.startsWith(`${dir}/`) ? full.slice(dir.length + 1) : undefined;
            if (typeof raw !== "string" || migrationsPattern === undefined || migrationsPattern.split("/").includes("..")) {
                ctx.note(["migrations_pattern"], "unsupported", typeof raw !== "string"
                    ? `"${pattern}" without migrations_dir, which wrangler rejects; not imported: the declaration reads the .sql files in "${migrationsDir}"`
                    : `"${pattern}" does not start with "${dir}/" (migrations_dir), which wrangler rejects; not imported: the declaration reads the .sql files in "${migrationsDir}"`);
                return { kind: "d1", migrationsDir };
            }
            return { kind: "d1", migrationsDir, migrationsPattern };
        },
    },
    adoption: {
        what: "D1 database",
        ...importIdOf(accountScopedId("<database_id>", "a database id", "a lowercase UUID", D1_DATABASE_ID)),
        fromWrangler: (item) => ({
            idField: "database_id",
            resourceId: item.database_id,
            name: item.database_name,
            ...(typeof item.database_name === "string" ? {} : {
                problem: `database ${String(item.database_id)} has no database_name, which adopting it needs (the provider's name input must match); add database_name and import again`,
            }),
        }),
    },
    health: {
        description: "`select 1`",
        run: (binding) => checkD1(binding),
    },
    summary: (_binding, resolved) => resolved?.id,
    policy: {
        scriptBindingTypes: ["d1"],
        statefulTypes: { "cloudflare:index/d1Database:D1Database": "D1 database" },
    },
});
