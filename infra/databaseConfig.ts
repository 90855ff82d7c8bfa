/**
 * The `platform:database` stack config key: the Neon project behind every environment's PostgreSQL,
 * and which branch this stack uses (see {@link branchPlanFor}). Part of the stack config schema
 * (`infra/config.ts`).
 *
 * ```yaml
 * platform:database:
 *   neon:
 *     project: { name: workers-platform, regionId: aws-eu-central-1, pgVersion: 17 }
 *     projectId: damp-sea-123456   # optional, staging and pr-*: default production's `database.projectId` output
 *     parentBranchId: br-quiet-…   # optional, pr-*: default staging's `database.branchId` output
 *     database: app
 *     role: app
 *     branchExpiresInHours: 72     # pr-* branches only
 * ```
 */
import { z } from "zod";

/** Neon project ids: lowercase words joined by dashes (`damp-sea-123456`). */
const neonProjectId = z.string().regex(/^[a-z0-9]+(-[a-z0-9]+)*$/, { error: "expected a Neon project id such as damp-sea-123456" });
/** Postgres identifiers for the database and role: lowercase, digits and `_`, at most 63 characters. */
const identifier = z.string().regex(/^[a-z_][a-z0-9_]{0,62}$/, { error: "expected a lowercase Postgres identifier such as app" });

/** Settings of the Neon project and of this stack's branch. */
export const neonDatabaseSchema = z.strictObject({
    /** The project, created (or adopted by name) and protected by the `production` stack. */
    project: z.strictObject({
        /** Project name in the Neon console. */
        name: z.string().min(1).max(64),
        /** Neon region id (`aws-eu-central-1`); immutable. Source: https://neon.com/docs/introduction/regions */
        regionId: z.string().regex(/^(aws|azure)-[a-z0-9-]+$/, { error: "expected a Neon region id such as aws-eu-central-1" }),
        /** Major PostgreSQL version; immutable. @default 17 */
        pgVersion: z.union([z.literal(14), z.literal(15), z.literal(16), z.literal(17)]).default(17),
    }),
    /**
     * Id of the project the `production` stack created, which every other stack's branch belongs to.
     * @default the `projectId` of the source stack's `database` output (production's for staging,
     *   staging's for `pr-<number>`), read by stack reference; set it when that stack is in another
     *   Pulumi project or backend (Neon console → the project → Settings).
     */
    projectId: neonProjectId.optional(),
    /**
     * Id of the staging branch (`br-…`), which `pr-<number>` branches are made from.
     * @default the `branchId` of the staging stack's `database` output, read by stack reference.
     */
    parentBranchId: z.string().regex(/^br-[a-z0-9-]+$/, { error: "expected a Neon branch id such as br-quiet-sea-123456" }).optional(),
    /** Database the Workers use, created on the branch. @default "app" */
    database: identifier.default("app"),
    /** Role the Workers connect as, created on the branch; its password is a Pulumi secret. @default "app" */
    role: identifier.default("app"),
    /** Lifetime of a `pr-<number>` stack's branch, in hours from its creation (Neon deletes it then). @default 72 */
    branchExpiresInHours: z.number().int().min(1).max(720).default(72),
});

/** The `platform:database` key. */
export const databaseConfigSchema = z.strictObject({
    /** Neon serverless Postgres (`components/neon/`). */
    neon: neonDatabaseSchema,
});

/** Validated `platform:database`. */
export type DatabaseConfig = z.output<typeof databaseConfigSchema>;
/** Validated `platform:database.neon`. */
export type NeonDatabaseSettings = z.output<typeof neonDatabaseSchema>;

/** Which Neon branch a stack's database lives on. */
export type BranchPlan =
    /** `production`: the project's default branch (the project is created by this stack). */
    | { readonly kind: "default"; readonly branchName: "main" }
    /** `staging`: a long-lived child branch of the default branch. */
    | { readonly kind: "child"; readonly branchName: "staging"; readonly parentBranchName: "main" }
    /** `pr-<number>`: a short-lived branch of staging, deleted by Neon after `expiresInHours`. */
    | { readonly kind: "ephemeral"; readonly branchName: string; readonly parentBranchName: "staging"; readonly expiresInHours: number };

/**
 * The branch of a stack: `production` → the default branch, `staging` → a child of it, `pr-<number>` →
 * an ephemeral branch of staging.
 * @returns undefined for any other stack name (it has no database wiring).
 */
export function branchPlanFor(stack: string, settings: Pick<NeonDatabaseSettings, "branchExpiresInHours">): BranchPlan | undefined {
    if (stack === "production") return { kind: "default", branchName: "main" };
    if (stack === "staging") return { kind: "child", branchName: "staging", parentBranchName: "main" };
    if (/^pr-[1-9][0-9]*$/.test(stack)) {
        return { kind: "ephemeral", branchName: stack, parentBranchName: "staging", expiresInHours: settings.branchExpiresInHours };
    }
    return undefined;
}
