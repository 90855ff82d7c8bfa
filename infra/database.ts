/**
 * The stack's PostgreSQL: its Neon branch (per {@link branchPlanFor}) and the connection parameters the
 * Environment turns into a Hyperdrive configuration.
 */
import * as pulumi from "@pulumi/pulumi";
import type { PostgresConnection } from "../components/cloudflare/hyperdrive";
import { NeonBranch, NeonDatabase, NeonEndpoint, NeonProject, NeonRole, neonConnection } from "../components/neon/index";
import { ValidationError } from "../components/validation";
import { NAMESPACE } from "./config";
import { branchPlanFor, type BranchPlan, type DatabaseConfig } from "./databaseConfig";

/** The stack's database as the program uses it. */
export interface StackDatabase {
    /** The branch this stack uses. */
    readonly branch: BranchPlan;
    /** The Neon project's id. */
    readonly projectId: pulumi.Output<string>;
    /** The branch's id. */
    readonly branchId: pulumi.Output<string>;
    /** Connection parameters of the branch's endpoint, role and database (the password a secret). */
    readonly connection: PostgresConnection;
}

/** Options of {@link declareDatabase}. */
export interface DeclareDatabaseOptions {
    /** Parent of the Neon resources. @default the stack */
    readonly parent?: pulumi.Resource;
    /** Protect the project (production) or branch from deletion. @default true on production, false elsewhere */
    readonly protect?: boolean;
    /** Creation time of an ephemeral branch, for its expiry. @default now */
    readonly now?: Date;
}

/**
 * Checks `platform:database` against the stack (every problem together) and declares the Neon
 * resources of its branch: production the project (its default branch), staging a child branch of the
 * default branch, `pr-<number>` a branch of staging that Neon deletes after `branchExpiresInHours`;
 * then the branch's read-write endpoint, role and database.
 * @throws {ValidationError} when the stack has no branch plan (not production, staging or pr-<number>),
 *   a non-production stack has no `projectId`, or a `pr-<number>` stack no `parentBranchId`.
 */
export function declareDatabase(stack: string, config: DatabaseConfig, options: DeclareDatabaseOptions = {}): StackDatabase {
    const settings = config.neon;
    const branch = branchPlanFor(stack, settings);
    const issues = [];
    if (branch === undefined) {
        issues.push({ path: `${NAMESPACE}:database`, message: `stack "${stack}" has no Neon branch: only production, staging and pr-<number> stacks have a database` });
    } else if (branch.kind !== "default" && settings.projectId === undefined) {
        issues.push({ path: `${NAMESPACE}:database.neon.projectId`, message: `required on stack "${stack}": the id of the project the production stack created` });
    }
    if (branch?.kind === "ephemeral" && settings.parentBranchId === undefined) {
        issues.push({ path: `${NAMESPACE}:database.neon.parentBranchId`, message: `required on stack "${stack}": the id of the staging branch it is made from` });
    }
    if (issues.length > 0 || branch === undefined) throw new ValidationError("stack config", issues);
    return declareBranch(stack, branch, config, options);
}

function declareBranch(stack: string, branch: BranchPlan, config: DatabaseConfig, options: DeclareDatabaseOptions): StackDatabase {
    const settings = config.neon;
    const protect = options.protect ?? stack === "production";
    const opts = { ...(options.parent === undefined ? {} : { parent: options.parent }) };
    const name = `database-${stack}`;
    let projectId: pulumi.Output<string>;
    let branchId: pulumi.Output<string>;
    if (branch.kind === "default") {
        const project = new NeonProject(`${name}-project`, {
            name: settings.project.name, regionId: settings.project.regionId, pgVersion: settings.project.pgVersion,
        }, { ...opts, protect });
        projectId = project.projectId;
        branchId = project.defaultBranchId;
    } else {
        projectId = pulumi.output(settings.projectId!);
        const created = new NeonBranch(`${name}-branch`, {
            projectId,
            name: branch.branchName,
            // staging: omitted, the project's default branch.
            ...(branch.kind === "ephemeral" ? { parentId: settings.parentBranchId!, expiresAt: expiryOf(options.now ?? new Date(), branch.expiresInHours) } : {}),
        }, {
            ...opts, protect,
            // The expiry is fixed when the branch is created; later runs must not push it forward.
            ...(branch.kind === "ephemeral" ? { ignoreChanges: ["expiresAt"] } : {}),
        });
        branchId = created.branchId;
    }
    const scope = { projectId, branchId };
    const endpoint = new NeonEndpoint(`${name}-endpoint`, { ...scope, type: "read_write" }, opts);
    const role = new NeonRole(`${name}-role`, { ...scope, name: settings.role }, opts);
    const database = new NeonDatabase(`${name}-db`, { ...scope, name: settings.database, ownerName: role.name }, opts);
    const connection = neonConnection({ endpoint, role, database });
    return {
        branch, projectId, branchId,
        connection: { host: connection.host, port: connection.port, database: connection.database, user: connection.user, password: connection.password },
    };
}

/** RFC 3339, seconds precision, `hours` after `now`: Neon's `expires_at`. */
export function expiryOf(now: Date, hours: number): string {
    return new Date(Math.floor(now.getTime() / 1000) * 1000 + hours * 3_600_000).toISOString().replace(/\.000Z$/, "Z");
}
