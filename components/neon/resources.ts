/**
 * Neon serverless Postgres as Pulumi dynamic resources: a project, its branches, a compute endpoint per
 * branch, the role and database a Worker connects with (through Hyperdrive), and their connection
 * parameters. Each one's lifecycle is
 * in `./provider.ts`; these classes only register them.
 *
 * `pulumi up` needs `NEON_API_KEY` in its environment (https://neon.com/docs/manage/api-keys);
 * `NEON_API_HOST` points the providers at another API origin (the local simulator). `pulumi preview`
 * calls nothing. Type tokens: `pulumi-nodejs:dynamic/neon:<Project|Branch|Endpoint|Role|Database|Connection>`.
 *
 * @example
 * const project = new NeonProject("db", { name: "acme", regionId: "aws-us-east-2", pgVersion: 17 }, { protect: true });
 * const branch = new NeonBranch("db-staging", { projectId: project.projectId, name: "staging" });
 * const endpoint = new NeonEndpoint("db-staging-endpoint", { projectId: project.projectId, branchId: branch.branchId });
 * const role = new NeonRole("db-staging-role", { projectId: project.projectId, branchId: branch.branchId, name: "app" });
 * const database = new NeonDatabase("db-staging-db", { projectId: project.projectId, branchId: branch.branchId, name: "app", ownerName: role.name });
 * const connection = new NeonConnection("db-staging-connection", {
 *     projectId: project.projectId, branchId: branch.branchId, endpointId: endpoint.endpointId,
 *     roleName: role.name, rolePassword: role.password, databaseName: database.name,
 * });
 * // connection.host, .port, .database, .user; connection.password and connection.uri are secrets
 */
import * as pulumi from "@pulumi/pulumi";
import {
    neonBranchProvider, neonConnectionProvider, neonDatabaseProvider, neonEndpointProvider, neonProjectProvider, neonRoleProvider,
} from "./provider";

/** Outputs of each kind that are secrets. The one place that decides it (STYLE.md, "Dynamic providers"). */
export const NEON_SECRET_OUTPUTS = {
    Project: [],
    Branch: [],
    Endpoint: [],
    Role: ["password"],
    Database: [],
    Connection: ["password", "uri", "rolePassword"],
} as const satisfies Record<string, readonly string[]>;

/**
 * Options of a Neon resource with its kind's secret outputs added: the engine then stores them encrypted
 * (a dynamic provider cannot mark outputs secret itself).
 */
function withSecrets(kind: keyof typeof NEON_SECRET_OUTPUTS, opts: pulumi.CustomResourceOptions | undefined): pulumi.CustomResourceOptions {
    const secrets: readonly string[] = NEON_SECRET_OUTPUTS[kind];
    if (secrets.length === 0) return opts ?? {};
    return { ...opts, additionalSecretOutputs: [...(opts?.additionalSecretOutputs ?? []), ...secrets] };
}

/**
 * Marks the kind's secret outputs secret on the resource object too, so the program never sees them in
 * clear, whatever engine runs it (the SDK's mock engine ignores `additionalSecretOutputs`).
 */
function markSecrets(resource: pulumi.Resource, kind: keyof typeof NEON_SECRET_OUTPUTS): void {
    const fields = resource as unknown as Record<string, pulumi.Output<unknown>>;
    for (const key of NEON_SECRET_OUTPUTS[kind] as readonly string[]) {
        Object.defineProperty(resource, key, { value: pulumi.secret(fields[key]), enumerable: true, configurable: true });
    }
}

/** Arguments of {@link NeonProject}. https://api-docs.neon.tech/reference/createproject */
export interface NeonProjectArgs {
    /** Project name; an existing project with this name is adopted. */
    readonly name: pulumi.Input<string>;
    /** Region id (`aws-us-east-2`, `aws-eu-central-1`, …). Changing it replaces the project. */
    readonly regionId: pulumi.Input<string>;
    /** Postgres major version (14–18). Changing it replaces the project. @default 17 */
    readonly pgVersion?: pulumi.Input<number>;
    /** Organization id (`org-…`). Changing it replaces the project. */
    readonly orgId?: pulumi.Input<string>;
    /** Shared history kept for point-in-time restore, in seconds (0–2592000). Neon's default: 86400. */
    readonly historyRetentionSeconds?: pulumi.Input<number>;
}

/**
 * A Neon project (with the default branch Neon creates in it). Protect it in production.
 * Type token `pulumi-nodejs:dynamic/neon:Project`.
 */
export class NeonProject extends pulumi.dynamic.Resource {
    declare readonly projectId: pulumi.Output<string>;
    /** The project's default branch (production's database). */
    declare readonly defaultBranchId: pulumi.Output<string>;
    declare readonly proxyHost: pulumi.Output<string>;
    declare readonly name: pulumi.Output<string>;

    constructor(name: string, args: NeonProjectArgs, opts?: pulumi.CustomResourceOptions) {
        super(neonProjectProvider, name, {
            name: args.name, regionId: args.regionId, pgVersion: args.pgVersion ?? 17, orgId: args.orgId,
            historyRetentionSeconds: args.historyRetentionSeconds,
            projectId: undefined, defaultBranchId: undefined, proxyHost: undefined,
        }, withSecrets("Project", opts), "neon", "Project");
        markSecrets(this, "Project");
    }
}

/** Arguments of {@link NeonBranch}. https://api-docs.neon.tech/reference/createprojectbranch */
export interface NeonBranchArgs {
    readonly projectId: pulumi.Input<string>;
    /** Branch name, unique in the project (`staging`, `pr-123`); an existing branch with it is adopted. Renames update. */
    readonly name: pulumi.Input<string>;
    /** Parent branch id; omitted: the project's default branch. Changing it replaces the branch. */
    readonly parentId?: pulumi.Input<string>;
    /** Whether Neon refuses to delete it. */
    readonly protected?: pulumi.Input<boolean>;
    /** RFC 3339 time, seconds precision (`2026-12-01T00:00:00Z`), after which Neon deletes the branch. */
    readonly expiresAt?: pulumi.Input<string>;
}

/** A branch of a Neon project. Type token `pulumi-nodejs:dynamic/neon:Branch`. */
export class NeonBranch extends pulumi.dynamic.Resource {
    declare readonly branchId: pulumi.Output<string>;
    declare readonly resolvedParentId: pulumi.Output<string>;
    declare readonly name: pulumi.Output<string>;

    constructor(name: string, args: NeonBranchArgs, opts?: pulumi.CustomResourceOptions) {
        super(neonBranchProvider, name, {
            projectId: args.projectId, name: args.name, parentId: args.parentId, protected: args.protected,
            expiresAt: args.expiresAt, branchId: undefined, resolvedParentId: undefined, default: undefined,
        }, withSecrets("Branch", opts), "neon", "Branch");
        markSecrets(this, "Branch");
    }
}

/** Arguments of {@link NeonEndpoint}. https://api-docs.neon.tech/reference/createprojectendpoint */
export interface NeonEndpointArgs {
    readonly projectId: pulumi.Input<string>;
    /** The branch it computes for. Changing it replaces the endpoint. */
    readonly branchId: pulumi.Input<string>;
    /** @default "read_write" (one per branch; an existing one is adopted) */
    readonly type?: pulumi.Input<"read_write" | "read_only">;
    /** Autoscaling minimum in compute units (≥ 0.25). */
    readonly minCu?: pulumi.Input<number>;
    /** Autoscaling maximum in compute units. */
    readonly maxCu?: pulumi.Input<number>;
    /** Seconds idle before suspend; -1 never, 0 Neon's default (300). */
    readonly suspendTimeoutSeconds?: pulumi.Input<number>;
}

/** A compute endpoint of a branch. Type token `pulumi-nodejs:dynamic/neon:Endpoint`. */
export class NeonEndpoint extends pulumi.dynamic.Resource {
    declare readonly endpointId: pulumi.Output<string>;
    /** Host to connect to (`ep-…​.aws.neon.tech`), port 5432. */
    declare readonly host: pulumi.Output<string>;
    /** Host of the connection pooler. */
    declare readonly poolerHost: pulumi.Output<string>;

    constructor(name: string, args: NeonEndpointArgs, opts?: pulumi.CustomResourceOptions) {
        super(neonEndpointProvider, name, {
            projectId: args.projectId, branchId: args.branchId, type: args.type ?? "read_write",
            minCu: args.minCu, maxCu: args.maxCu, suspendTimeoutSeconds: args.suspendTimeoutSeconds,
            endpointId: undefined, host: undefined, poolerHost: undefined,
        }, withSecrets("Endpoint", opts), "neon", "Endpoint");
        markSecrets(this, "Endpoint");
    }
}

/** Arguments of {@link NeonRole}. https://api-docs.neon.tech/reference/createprojectbranchrole */
export interface NeonRoleArgs {
    readonly projectId: pulumi.Input<string>;
    readonly branchId: pulumi.Input<string>;
    /** Role name (≤ 63 bytes); an existing role with it is adopted (its password revealed). */
    readonly name: pulumi.Input<string>;
}

/** A Postgres role on a branch; its password is a secret. Type token `pulumi-nodejs:dynamic/neon:Role`. */
export class NeonRole extends pulumi.dynamic.Resource {
    declare readonly name: pulumi.Output<string>;
    /** Secret. */
    declare readonly password: pulumi.Output<string>;

    constructor(name: string, args: NeonRoleArgs, opts?: pulumi.CustomResourceOptions) {
        super(neonRoleProvider, name, {
            projectId: args.projectId, branchId: args.branchId, name: args.name, password: undefined,
        }, withSecrets("Role", opts), "neon", "Role");
        markSecrets(this, "Role");
    }
}

/** Arguments of {@link NeonDatabase}. https://api-docs.neon.tech/reference/createprojectbranchdatabase */
export interface NeonDatabaseArgs {
    readonly projectId: pulumi.Input<string>;
    readonly branchId: pulumi.Input<string>;
    /** Database name; an existing database with it is adopted. */
    readonly name: pulumi.Input<string>;
    /** Role that owns it (usually a {@link NeonRole}'s `name`). */
    readonly ownerName: pulumi.Input<string>;
}

/** A Postgres database on a branch. Type token `pulumi-nodejs:dynamic/neon:Database`. */
export class NeonDatabase extends pulumi.dynamic.Resource {
    declare readonly name: pulumi.Output<string>;
    declare readonly ownerName: pulumi.Output<string>;
    declare readonly databaseId: pulumi.Output<number>;

    constructor(name: string, args: NeonDatabaseArgs, opts?: pulumi.CustomResourceOptions) {
        super(neonDatabaseProvider, name, {
            projectId: args.projectId, branchId: args.branchId, name: args.name, ownerName: args.ownerName,
            databaseId: undefined,
        }, withSecrets("Database", opts), "neon", "Database");
        markSecrets(this, "Database");
    }
}

/** Arguments of {@link NeonConnection}. https://api-docs.neon.tech/reference/getconnectionuri */
export interface NeonConnectionArgs {
    readonly projectId: pulumi.Input<string>;
    readonly branchId: pulumi.Input<string>;
    /** The endpoint to connect through (a {@link NeonEndpoint}'s `endpointId`). */
    readonly endpointId: pulumi.Input<string>;
    /** The role to connect as (a {@link NeonRole}'s `name`). */
    readonly roleName: pulumi.Input<string>;
    /** Its password (the {@link NeonRole}'s `password`): compared only, so a new password is picked up. */
    readonly rolePassword: pulumi.Input<string>;
    /** The database (a {@link NeonDatabase}'s `name`). */
    readonly databaseName: pulumi.Input<string>;
    /** Through Neon's connection pooler (`-pooler` host). @default false */
    readonly pooled?: pulumi.Input<boolean>;
}

/**
 * The connection parameters of a database on a branch as Neon gives them (its connection URI), for
 * Hyperdrive's `origin` or a `DATABASE_URL`: host, port, database, user, and the password and URI as
 * secrets. Type token `pulumi-nodejs:dynamic/neon:Connection`. https://neon.com/docs/connect/connect-from-any-app
 */
export class NeonConnection extends pulumi.dynamic.Resource {
    declare readonly host: pulumi.Output<string>;
    /** TCP port (5432 on Neon). */
    declare readonly port: pulumi.Output<number>;
    declare readonly database: pulumi.Output<string>;
    declare readonly user: pulumi.Output<string>;
    /** Secret. */
    declare readonly password: pulumi.Output<string>;
    /** `postgresql://user:password@host/database?sslmode=require`; secret. */
    declare readonly uri: pulumi.Output<string>;

    constructor(name: string, args: NeonConnectionArgs, opts?: pulumi.CustomResourceOptions) {
        super(neonConnectionProvider, name, {
            projectId: args.projectId, branchId: args.branchId, endpointId: args.endpointId, roleName: args.roleName,
            rolePassword: pulumi.secret(args.rolePassword), databaseName: args.databaseName, pooled: args.pooled ?? false,
            host: undefined, port: undefined, database: undefined, user: undefined, password: undefined, uri: undefined,
        }, withSecrets("Connection", opts), "neon", "Connection");
        markSecrets(this, "Connection");
    }
}
