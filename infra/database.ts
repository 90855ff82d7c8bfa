/**
 * The stack's PostgreSQL: its Neon branch (per {@link branchPlanFor}) and the connection parameters the
 * Environment turns into a Hyperdrive configuration.
 */
import * as pulumi from "@pulumi/pulumi";
import type { PostgresConnection } from "../components/cloudflare/hyperdrive";
import { NeonBranch, NeonConnection, NeonDatabase, NeonEndpoint, NeonProject, NeonRole } from "../components/neon/index";
import { UserError, ValidationError } from "../components/validation";
import { NAMESPACE } from "./config";
import { branchPlanFor, type BranchPlan, type DatabaseConfig } from "./databaseConfig";

/** The stack's database as the program uses it. */
export interface StackDatabase {
    /** The branch this stack uses. */
    readonly branch: BranchPlan;
    /** Connection parameters of the branch's endpoint, role and database (the password a secret). */
    readonly connection: PostgresConnection;
    /** The stack's `database` output. */
    readonly output: DatabaseStackOutput;
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
 * The `database` stack output, which the next stack down reads by stack reference: staging the
 * production stack's project, `pr-<number>` stacks the staging stack's project and branch.
 */
export interface DatabaseStackOutput {
    /** The Neon project's id (`damp-sea-123456`). */
    readonly projectId: pulumi.Output<string>;
    /** The stack's branch id (`br-…`). */
    readonly branchId: pulumi.Output<string>;
    /** The stack's branch name (`main`, `staging`, `pr-<number>`). */
    readonly branchName: string;
}

/** The stack whose `database` output a stack's branch comes from: production for staging, staging for pr-<number>. */
const SOURCE_STACK = { child: "production", ephemeral: "staging" } as const;

/**
 * Checks `platform:database` against the stack and declares the Neon resources of its branch:
 * production the project (its default branch), staging a child branch of the default branch,
 * `pr-<number>` a branch of staging that Neon deletes after `branchExpiresInHours`; then the branch's
 * read-write endpoint, role and database, and their connection parameters.
 *
 * Staging takes the project id from the production stack's `database` output, and `pr-<number>` stacks
 * the project and parent branch ids from the staging stack's, through a `pulumi.StackReference` to
 * `<organization>/<project>/<stack>` of the same project; `projectId` and `parentBranchId` in the config
 * override them (stacks in another project or backend).
 * @throws {ValidationError} when the stack has no branch plan (not production, staging or pr-<number>).
 */
export function declareDatabase(stack: string, config: DatabaseConfig, options: DeclareDatabaseOptions = {}): StackDatabase {
    const branch = branchPlanFor(stack, config.neon);
    if (branch === undefined) {
        throw new ValidationError("stack config", [{
            path: `${NAMESPACE}:database`,
            message: `stack "${stack}" has no Neon branch: only production, staging and pr-<number> stacks have a database`,
        }]);
    }
    return declareBranch(stack, branch, config, options);
}

/**
 * The source stack's `database` output, read through a stack reference (its ids are plain, not secrets).
 * Fails the update with a {@link UserError} (no stack trace) when that stack has no such output.
 */
function sourceDatabase(source: string, opts: pulumi.CustomResourceOptions): pulumi.Output<{ projectId: string; branchId: string }> {
    const name = `${pulumi.getOrganization()}/${pulumi.getProject()}/${source}`;
    const reference = new pulumi.StackReference(`database-source-${source}`, { name }, opts);
    return reference.getOutput("database").apply((value) => {
        const output = value as { projectId?: unknown; branchId?: unknown } | undefined;
        if (typeof output?.projectId !== "string" || typeof output.branchId !== "string") {
            throw new UserError(`stack ${name} has no database output with projectId and branchId; run \`pulumi up\` on it first, ` +
                `or set ${NAMESPACE}:database.neon.projectId${source === "staging" ? " and parentBranchId" : ""}`);
        }
        return { projectId: output.projectId, branchId: output.branchId };
    });
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
        const needed = branch.kind === "child" ? settings.projectId === undefined : settings.projectId === undefined || settings.parentBranchId === undefined;
        const source = needed ? sourceDatabase(SOURCE_STACK[branch.kind], opts) : undefined;
        projectId = settings.projectId !== undefined ? pulumi.output(settings.projectId) : source!.projectId;
        const created = new NeonBranch(`${name}-branch`, {
            projectId,
            name: branch.branchName,
            // staging: omitted, the project's default branch.
            ...(branch.kind === "ephemeral" ? {
                parentId: settings.parentBranchId ?? source!.branchId,
                expiresAt: expiryOf(options.now ?? new Date(), branch.expiresInHours),
            } : {}),
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
    const connection = new NeonConnection(`${name}-connection`, {
        ...scope, endpointId: endpoint.endpointId, roleName: role.name, rolePassword: role.password, databaseName: database.name,
    }, opts);
    return {
        branch,
        output: { projectId, branchId, branchName: branch.branchName },
        connection: { host: connection.host, port: connection.port, database: connection.database, user: connection.user, password: connection.password },
    };
}

/** RFC 3339, seconds precision, `hours` after `now`: Neon's `expires_at`. */
export function expiryOf(now: Date, hours: number): string {
    return new Date(Math.floor(now.getTime() / 1000) * 1000 + hours * 3_600_000).toISOString().replace(/\.000Z$/, "Z");
}
