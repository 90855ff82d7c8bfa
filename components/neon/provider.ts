/**
 * The dynamic providers behind the Neon resources ({@link ./resources}): project, branch, compute
 * endpoint, role and database, and the connection parameters Neon gives for them, on
 * `@neondatabase/api-client` (the Neon API v2).
 *
 * Pulumi serializes each provider object into the stack state (`__provider`) and the dynamic provider
 * host runs it under plain Node.js. So the methods reference only globals (`process.env`, `setTimeout`),
 * the helpers in this file, and `require("@neondatabase/api-client")` at call time (an `import()` would
 * not survive serialization under vitest; DESIGN.md, "Pitfalls"). The API key is read from `NEON_API_KEY`
 * when a method runs: it is never captured in the serialized provider nor written to state.
 *
 * Environment read at call time:
 * - `NEON_API_KEY` (required): https://neon.com/docs/manage/api-keys
 * - `NEON_API_HOST`: API base URL, default `https://console.neon.tech/api/v2` (the simulator sets it).
 * - `NEON_DEADLINE_SECONDS` (default 600): how long one create/update/delete may retry and wait.
 * - `NEON_RETRY_BASE_MS` (default 500), `NEON_POLL_MIN_MS` (default 250), `NEON_POLL_MAX_MS` (default 5000),
 *   `NEON_REQUEST_TIMEOUT_MS` (default 60000): pacing, for tests and the simulator.
 *
 * Vendor facts relied on:
 * - Mutations answer with `operations: Operation[]`; the resource is usable once every one of them is
 *   `finished` (`GET /projects/{project_id}/operations/{operation_id}`).
 *   https://neon.com/docs/manage/operations, https://api-docs.neon.tech/reference/getprojectoperation
 * - A project runs one operation at a time; a conflicting request gets `423 Locked` ("project already has
 *   running conflicting operations") and must be retried. https://neon.com/docs/manage/operations#operations-and-the-neon-api
 * - Rate limit: 700 requests per minute (about 11 per second) per account, bursts up to 40 per second per
 *   route; over it the API answers `429` (`Retry-After`). https://api-docs.neon.tech/reference/api-rate-limiting
 */
import type * as pulumi from "@pulumi/pulumi";

// ---------------------------------------------------------------------------------------------------
// Inputs and outputs

/** Inputs of a project. https://api-docs.neon.tech/reference/createproject */
export interface ProjectInputs {
    /** Project name; the lookup key for adoption (unique within the account, by our convention). */
    readonly name: string;
    /** Region (`aws-us-east-2`). Immutable: a change replaces the project (and every branch with it). */
    readonly regionId: string;
    /** Postgres major version, 14–18. Immutable. */
    readonly pgVersion: number;
    /** Organization id (`org-…`) the project belongs to; immutable. */
    readonly orgId?: string;
    /** Seconds of shared history kept for point-in-time restore (0–2592000). Updatable. */
    readonly historyRetentionSeconds?: number;
}
export interface ProjectOutputs extends ProjectInputs {
    readonly projectId: string;
    /** Id of the default branch Neon created with the project (production runs on it). */
    readonly defaultBranchId: string;
    /** Proxy host of the region (`us-east-2.aws.neon.tech`). */
    readonly proxyHost: string;
}

/** Inputs of a branch. https://api-docs.neon.tech/reference/createprojectbranch */
export interface BranchInputs {
    readonly projectId: string;
    /** Branch name, unique within the project: the lookup key for adoption. Updatable (rename). */
    readonly name: string;
    /** Parent branch id; omitted: the project's default branch. Immutable. */
    readonly parentId?: string;
    /** Neon refuses to delete protected branches. Updatable. */
    readonly protected?: boolean;
    /** RFC 3339 time (seconds precision) after which Neon deletes the branch (PR branches). Updatable. */
    readonly expiresAt?: string;
}
export interface BranchOutputs extends BranchInputs {
    readonly branchId: string;
    /** The parent Neon chose (the default branch when `parentId` was omitted). */
    readonly resolvedParentId: string;
    readonly default: boolean;
}

/** Inputs of a compute endpoint. https://api-docs.neon.tech/reference/createprojectendpoint */
export interface EndpointInputs {
    readonly projectId: string;
    /** Immutable. A branch has at most one `read_write` endpoint: the lookup key for adoption. */
    readonly branchId: string;
    /** `read_write` (default) or `read_only`. Immutable. */
    readonly type?: "read_write" | "read_only";
    /** Autoscaling minimum, in compute units (≥ 0.25). Updatable. */
    readonly minCu?: number;
    /** Autoscaling maximum, in compute units. Updatable. */
    readonly maxCu?: number;
    /** Seconds of inactivity before suspend (-1 never, 0 default). Updatable. */
    readonly suspendTimeoutSeconds?: number;
}
export interface EndpointOutputs extends EndpointInputs {
    readonly endpointId: string;
    /** Host of the compute (`ep-…​.us-east-2.aws.neon.tech`). */
    readonly host: string;
    /** Host of its connection pooler (`ep-…-pooler.…`). */
    readonly poolerHost: string;
}

/** Inputs of a role. https://api-docs.neon.tech/reference/createprojectbranchrole */
export interface RoleInputs {
    readonly projectId: string;
    readonly branchId: string;
    /** Role name (≤ 63 bytes). Immutable. */
    readonly name: string;
}
export interface RoleOutputs extends RoleInputs {
    /** The role's password: a Pulumi secret (`additionalSecretOutputs`, see resources.ts). */
    readonly password: string;
}

/** Inputs of a database. https://api-docs.neon.tech/reference/createprojectbranchdatabase */
export interface DatabaseInputs {
    readonly projectId: string;
    readonly branchId: string;
    /** Database name. Immutable. */
    readonly name: string;
    /** Role that owns it. Updatable. */
    readonly ownerName: string;
}
export interface DatabaseOutputs extends DatabaseInputs {
    readonly databaseId: number;
}

/**
 * Inputs of a connection: which database, as which role, through which endpoint.
 * https://api-docs.neon.tech/reference/getconnectionuri
 */
export interface ConnectionInputs {
    readonly projectId: string;
    readonly branchId: string;
    /** The compute endpoint to connect through. */
    readonly endpointId: string;
    readonly roleName: string;
    readonly databaseName: string;
    /** Through the connection pooler (PgBouncer, `-pooler` host). @default false */
    readonly pooled?: boolean;
    /**
     * The role's current password (a secret). Never sent anywhere: `diff` compares it, so a role made
     * again with a new password fetches its connection parameters again.
     */
    readonly rolePassword?: string;
}
/** The connection parameters, parsed from the URI Neon answers. */
export interface ConnectionOutputs extends ConnectionInputs {
    /** Host name (`ep-…​.us-east-2.aws.neon.tech`). */
    readonly host: string;
    /** TCP port: the URI's, else PostgreSQL's 5432. */
    readonly port: number;
    /** Database name to connect to. */
    readonly database: string;
    /** User name to connect as. */
    readonly user: string;
    /** Secret. */
    readonly password: string;
    /** `postgresql://user:password@host[:port]/database?sslmode=require`, as Neon gives it. Secret. */
    readonly uri: string;
}

/**
 * Input fields whose change replaces the resource, per kind: the one place that decides replacements.
 * Every other input field is updated in place.
 */
export const NEON_REPLACE_ON = {
    Project: ["regionId", "pgVersion", "orgId"],
    Branch: ["projectId", "parentId"],
    Endpoint: ["projectId", "branchId", "type"],
    Role: ["projectId", "branchId", "name"],
    Database: ["projectId", "branchId", "name"],
    // Nothing to replace: the connection is looked up again.
    Connection: [],
} as const;

/** Optional settings that Neon defaults: left out of the inputs, they are not compared. */
const NEON_DEFAULTED: readonly string[] = ["historyRetentionSeconds", "protected", "minCu", "maxCu", "suspendTimeoutSeconds"];

/** Input fields compared by `diff`, per kind. */
const NEON_INPUT_FIELDS = {
    Project: ["name", "regionId", "pgVersion", "orgId", "historyRetentionSeconds"],
    Branch: ["projectId", "name", "parentId", "protected", "expiresAt"],
    Endpoint: ["projectId", "branchId", "type", "minCu", "maxCu", "suspendTimeoutSeconds"],
    Role: ["projectId", "branchId", "name"],
    Database: ["projectId", "branchId", "name", "ownerName"],
    Connection: ["projectId", "branchId", "endpointId", "roleName", "databaseName", "pooled", "rolePassword"],
} as const;

// ---------------------------------------------------------------------------------------------------
// Providers

/** Lifecycle of a Neon project: `POST/GET/PATCH/DELETE /projects[/{project_id}]`. */
export const neonProjectProvider: pulumi.dynamic.ResourceProvider = {
    async diff(_id: string, olds: ProjectOutputs, news: ProjectInputs) {
        return neonDiff("Project", olds, news);
    },
    async create(inputs: ProjectInputs) {
        const ctx = neonContext();
        const what = `create project ${inputs.name}`;
        const { value, adopted } = await neonEnsure(ctx, what, async () => {
            const list = await neonRequest(ctx, `${what}: list projects`, (api) =>
                api.listProjects({ search: inputs.name, ...(inputs.orgId ? { org_id: inputs.orgId } : {}) }));
            const same = (list.projects as { id: string; name: string }[]).filter((p) => p.name === inputs.name);
            neonSingle(same, what, (p) => p.id);
            if (same.length === 0) return undefined;
            return (await neonRequest(ctx, `${what}: get project ${same[0]!.id}`, (api) => api.getProject(same[0]!.id))).project;
        }, async () => {
            const body = {
                project: {
                    name: inputs.name, region_id: inputs.regionId, pg_version: inputs.pgVersion,
                    ...(inputs.orgId ? { org_id: inputs.orgId } : {}),
                    ...(inputs.historyRetentionSeconds === undefined ? {} : { history_retention_seconds: inputs.historyRetentionSeconds }),
                },
            };
            const created = await neonRequest(ctx, what, (api) => api.createProject(body), { ambiguous: "throw" });
            await neonWaitOperations(ctx, what, created.operations);
            return created.project;
        });
        if (adopted) await neonWaitIdle(ctx, what, value.id);
        const project = adopted ? await neonUpdateProject(ctx, value.id, inputs, value) : value;
        return { id: project.id, outs: await neonProjectOutputs(ctx, inputs, project) };
    },
    async read(id: string, props: ProjectOutputs) {
        const ctx = neonContext();
        const found = await neonRequest(ctx, `read project ${id}`, (api) => api.getProject(id), { notFound: "undefined" });
        if (!found) return { id: "", props: {} };
        return { id, props: await neonProjectOutputs(ctx, props, found.project) };
    },
    async update(id: string, olds: ProjectOutputs, news: ProjectInputs) {
        const ctx = neonContext();
        const project = await neonUpdateProject(ctx, id, news, { name: olds.name, history_retention_seconds: olds.historyRetentionSeconds });
        return { outs: await neonProjectOutputs(ctx, news, project) };
    },
    async delete(id: string) {
        const ctx = neonContext();
        // 404: already gone (deleted out of band, or by an earlier attempt whose answer was lost).
        await neonRequest(ctx, `delete project ${id}`, (api) => api.deleteProject(id), { notFound: "undefined" });
    },
};

/** Lifecycle of a branch: `/projects/{project_id}/branches[/{branch_id}]`. */
export const neonBranchProvider: pulumi.dynamic.ResourceProvider = {
    async diff(_id: string, olds: BranchOutputs, news: BranchInputs) {
        return neonDiff("Branch", olds, news);
    },
    async create(inputs: BranchInputs) {
        return neonProjectTurn(inputs.projectId, async () => {
            const ctx = neonContext();
            const what = `create branch ${inputs.name} in project ${inputs.projectId}`;
            const { value, adopted } = await neonEnsure(ctx, what, () => neonFindBranch(ctx, inputs.projectId, inputs.name, what), async () => {
                const body = {
                    branch: {
                        name: inputs.name,
                        ...(inputs.parentId ? { parent_id: inputs.parentId } : {}),
                        ...(inputs.protected === undefined ? {} : { protected: inputs.protected }),
                        ...(inputs.expiresAt ? { expires_at: inputs.expiresAt } : {}),
                    },
                };
                const created = await neonRequest(ctx, what, (api) => api.createProjectBranch(inputs.projectId, body), { ambiguous: "throw" });
                await neonWaitOperations(ctx, what, created.operations);
                return created.branch;
            });
            let branch = value;
            if (adopted) {
                // Adopted after a lost answer (or made by hand): its operations may still run.
                await neonWaitIdle(ctx, what, inputs.projectId);
                branch = await neonUpdateBranch(ctx, inputs, branch);
            }
            return { id: branch.id, outs: neonBranchOutputs(inputs, branch) };
        });
    },
    async read(id: string, props: BranchOutputs) {
        const ctx = neonContext();
        const found = await neonRequest(ctx, `read branch ${id}`, (api) => api.getProjectBranch(props.projectId, id), { notFound: "undefined" });
        if (!found) return { id: "", props: {} };
        return { id, props: neonBranchOutputs(props, found.branch) };
    },
    async update(id: string, olds: BranchOutputs, news: BranchInputs) {
        return neonProjectTurn(news.projectId, async () => {
            const ctx = neonContext();
            const branch = await neonUpdateBranch(ctx, news, { id, name: olds.name, protected: olds.protected, expires_at: olds.expiresAt });
            return { outs: neonBranchOutputs(news, branch) };
        });
    },
    async delete(id: string, props: BranchOutputs) {
        return neonProjectTurn(props.projectId, async () => {
            const ctx = neonContext();
            const what = `delete branch ${props.name} (${id}) in project ${props.projectId}`;
            const done = await neonRequest(ctx, what, (api) => api.deleteProjectBranch({ projectId: props.projectId, branchId: id }), { notFound: "undefined" });
            await neonWaitOperations(ctx, what, done?.operations);
        });
    },
};

/** Lifecycle of a compute endpoint: `/projects/{project_id}/endpoints[/{endpoint_id}]`. */
export const neonEndpointProvider: pulumi.dynamic.ResourceProvider = {
    async diff(_id: string, olds: EndpointOutputs, news: EndpointInputs) {
        return neonDiff("Endpoint", olds, news);
    },
    async create(inputs: EndpointInputs) {
        return neonProjectTurn(inputs.projectId, async () => {
            const ctx = neonContext();
            const type = inputs.type ?? "read_write";
            const what = `create ${type} endpoint on branch ${inputs.branchId} in project ${inputs.projectId}`;
            const { value, adopted } = await neonEnsure(ctx, what, async () => {
                const list = await neonRequest(ctx, `${what}: list endpoints`, (api) => api.listProjectBranchEndpoints(inputs.projectId, inputs.branchId));
                // A branch has one read_write endpoint; read_only ones are adopted only if exactly one exists.
                const same = (list.endpoints as NeonEndpoint[]).filter((e) => e.type === type);
                neonSingle(same, what, (e) => e.id);
                return same[0];
            }, async () => {
                const body = { endpoint: { branch_id: inputs.branchId, type, ...neonEndpointSettings(inputs) } };
                const created = await neonRequest(ctx, what, (api) => api.createProjectEndpoint(inputs.projectId, body), { ambiguous: "throw" });
                await neonWaitOperations(ctx, what, created.operations);
                return created.endpoint;
            });
            let endpoint = value;
            if (adopted) {
                await neonWaitIdle(ctx, what, inputs.projectId);
                endpoint = await neonUpdateEndpoint(ctx, inputs, endpoint);
            }
            return { id: endpoint.id, outs: neonEndpointOutputs(inputs, endpoint) };
        });
    },
    async read(id: string, props: EndpointOutputs) {
        const ctx = neonContext();
        const found = await neonRequest(ctx, `read endpoint ${id}`, (api) => api.getProjectEndpoint(props.projectId, id), { notFound: "undefined" });
        if (!found) return { id: "", props: {} };
        return { id, props: neonEndpointOutputs(props, found.endpoint) };
    },
    async update(id: string, _olds: EndpointOutputs, news: EndpointInputs) {
        return neonProjectTurn(news.projectId, async () => {
            const ctx = neonContext();
            const endpoint = await neonUpdateEndpoint(ctx, news, { id } as NeonEndpoint, true);
            return { outs: neonEndpointOutputs(news, endpoint) };
        });
    },
    async delete(id: string, props: EndpointOutputs) {
        return neonProjectTurn(props.projectId, async () => {
            const ctx = neonContext();
            const what = `delete endpoint ${id} in project ${props.projectId}`;
            const done = await neonRequest(ctx, what, (api) => api.deleteProjectEndpoint(props.projectId, id), { notFound: "undefined" });
            await neonWaitOperations(ctx, what, done?.operations);
        });
    },
};

/** Lifecycle of a role: `/projects/{project_id}/branches/{branch_id}/roles[/{role_name}]`. */
export const neonRoleProvider: pulumi.dynamic.ResourceProvider = {
    async diff(_id: string, olds: RoleOutputs, news: RoleInputs) {
        return neonDiff("Role", olds, news);
    },
    async create(inputs: RoleInputs) {
        return neonProjectTurn(inputs.projectId, async () => {
            const ctx = neonContext();
            const what = `create role ${inputs.name} on branch ${inputs.branchId} in project ${inputs.projectId}`;
            const { value, adopted } = await neonEnsure(ctx, what, async () => {
                const found = await neonRequest(ctx, `${what}: get role`, (api) => api.getProjectBranchRole(inputs.projectId, inputs.branchId, inputs.name), { notFound: "undefined" });
                return found?.role;
            }, async () => {
                const created = await neonRequest(ctx, what, (api) => api.createProjectBranchRole(inputs.projectId, inputs.branchId, { role: { name: inputs.name } }), { ambiguous: "throw" });
                await neonWaitOperations(ctx, what, created.operations);
                return created.role;
            });
            let password = value.password;
            if (adopted || !password) {
                await neonWaitIdle(ctx, what, inputs.projectId);
                // Needs the project's `store_passwords` (the default); 412 otherwise.
                const revealed = await neonRequest(ctx, `${what}: reveal password`, (api) => api.getProjectBranchRolePassword(inputs.projectId, inputs.branchId, inputs.name));
                password = revealed.password;
            }
            const outs: RoleOutputs = { ...neonPick(inputs, NEON_INPUT_FIELDS.Role), password: password! } as RoleOutputs;
            return { id: `${inputs.projectId}/${inputs.branchId}/${inputs.name}`, outs };
        });
    },
    async read(id: string, props: RoleOutputs) {
        const ctx = neonContext();
        const found = await neonRequest(ctx, `read role ${props.name}`, (api) => api.getProjectBranchRole(props.projectId, props.branchId, props.name), { notFound: "undefined" });
        if (!found) return { id: "", props: {} };
        return { id, props: { ...props, name: found.role.name } };
    },
    async delete(_id: string, props: RoleOutputs) {
        return neonProjectTurn(props.projectId, async () => {
            const ctx = neonContext();
            const what = `delete role ${props.name} on branch ${props.branchId} in project ${props.projectId}`;
            const done = await neonRequest(ctx, what, (api) => api.deleteProjectBranchRole(props.projectId, props.branchId, props.name), { notFound: "undefined" });
            await neonWaitOperations(ctx, what, done?.operations);
        });
    },
};

/** Lifecycle of a database: `/projects/{project_id}/branches/{branch_id}/databases[/{database_name}]`. */
export const neonDatabaseProvider: pulumi.dynamic.ResourceProvider = {
    async diff(_id: string, olds: DatabaseOutputs, news: DatabaseInputs) {
        return neonDiff("Database", olds, news);
    },
    async create(inputs: DatabaseInputs) {
        return neonProjectTurn(inputs.projectId, async () => {
            const ctx = neonContext();
            const what = `create database ${inputs.name} on branch ${inputs.branchId} in project ${inputs.projectId}`;
            const { value, adopted } = await neonEnsure(ctx, what, async () => {
                const found = await neonRequest(ctx, `${what}: get database`, (api) => api.getProjectBranchDatabase(inputs.projectId, inputs.branchId, inputs.name), { notFound: "undefined" });
                return found?.database;
            }, async () => {
                const body = { database: { name: inputs.name, owner_name: inputs.ownerName } };
                const created = await neonRequest(ctx, what, (api) => api.createProjectBranchDatabase(inputs.projectId, inputs.branchId, body), { ambiguous: "throw" });
                await neonWaitOperations(ctx, what, created.operations);
                return created.database;
            });
            let database = value;
            if (adopted) {
                await neonWaitIdle(ctx, what, inputs.projectId);
                database = await neonUpdateDatabase(ctx, inputs, database);
            }
            return { id: `${inputs.projectId}/${inputs.branchId}/${inputs.name}`, outs: neonDatabaseOutputs(inputs, database) };
        });
    },
    async read(id: string, props: DatabaseOutputs) {
        const ctx = neonContext();
        const found = await neonRequest(ctx, `read database ${props.name}`, (api) => api.getProjectBranchDatabase(props.projectId, props.branchId, props.name), { notFound: "undefined" });
        if (!found) return { id: "", props: {} };
        return { id, props: neonDatabaseOutputs(props, found.database) };
    },
    async update(_id: string, olds: DatabaseOutputs, news: DatabaseInputs) {
        return neonProjectTurn(news.projectId, async () => {
            const ctx = neonContext();
            const database = await neonUpdateDatabase(ctx, news, { name: olds.name, owner_name: olds.ownerName, id: olds.databaseId });
            return { outs: neonDatabaseOutputs(news, database) };
        });
    },
    async delete(_id: string, props: DatabaseOutputs) {
        return neonProjectTurn(props.projectId, async () => {
            const ctx = neonContext();
            const what = `delete database ${props.name} on branch ${props.branchId} in project ${props.projectId}`;
            const done = await neonRequest(ctx, what, (api) => api.deleteProjectBranchDatabase(props.projectId, props.branchId, props.name), { notFound: "undefined" });
            await neonWaitOperations(ctx, what, done?.operations);
        });
    },
};

/**
 * The connection parameters of a database as a role through an endpoint: Neon's connection URI
 * (`GET /projects/{project_id}/connection_uri`), looked up at create, update and refresh. Neon holds
 * nothing for it, so delete does nothing. The URI is authoritative for host and port (the simulator's
 * branches live on a local PostgreSQL server, whose names and port differ from Neon's).
 */
export const neonConnectionProvider: pulumi.dynamic.ResourceProvider = {
    async diff(_id: string, olds: ConnectionOutputs, news: ConnectionInputs) {
        return neonDiff("Connection", olds, news);
    },
    async create(inputs: ConnectionInputs) {
        const outs = await neonConnectionOutputs(neonContext(), inputs, "create");
        return { id: `${inputs.projectId}/${inputs.branchId}/${inputs.endpointId}/${inputs.roleName}/${inputs.databaseName}`, outs: outs! };
    },
    async read(id: string, props: ConnectionOutputs) {
        const outs = await neonConnectionOutputs(neonContext(), props, "read");
        // Gone with its role, database or endpoint: refresh drops it and the next `up` looks it up again.
        return outs === undefined ? { id: "", props: {} } : { id, props: outs };
    },
    async update(_id: string, _olds: ConnectionOutputs, news: ConnectionInputs) {
        return { outs: (await neonConnectionOutputs(neonContext(), news, "update"))! };
    },
    async delete() {
        // Nothing exists in Neon for a connection.
    },
};

// ---------------------------------------------------------------------------------------------------
// Per-kind helpers

interface NeonProject { id: string; name: string; region_id?: string; pg_version?: number; proxy_host?: string; history_retention_seconds?: number }
interface NeonBranch { id: string; name: string; parent_id?: string; default?: boolean; protected?: boolean; expires_at?: string; current_state?: string }
interface NeonEndpoint { id: string; host?: string; type?: string; branch_id?: string; autoscaling_limit_min_cu?: number; autoscaling_limit_max_cu?: number; suspend_timeout_seconds?: number; current_state?: string }
interface NeonDatabase { id: number; name: string; owner_name: string }

async function neonUpdateProject(ctx: NeonContext, id: string, inputs: ProjectInputs, current: Partial<NeonProject>): Promise<NeonProject> {
    const patch: Record<string, unknown> = {};
    if (current.name !== inputs.name) patch.name = inputs.name;
    if (inputs.historyRetentionSeconds !== undefined && current.history_retention_seconds !== inputs.historyRetentionSeconds) {
        patch.history_retention_seconds = inputs.historyRetentionSeconds;
    }
    const what = `update project ${inputs.name} (${id})`;
    if (Object.keys(patch).length === 0) return (await neonRequest(ctx, what, (api) => api.getProject(id))).project;
    const updated = await neonRequest(ctx, what, (api) => api.updateProject(id, { project: patch }));
    await neonWaitOperations(ctx, what, updated.operations);
    return updated.project;
}

async function neonProjectOutputs(ctx: NeonContext, inputs: ProjectInputs, project: NeonProject): Promise<ProjectOutputs> {
    const branches = await neonRequest(ctx, `list branches of project ${project.id}`, (api) => api.listProjectBranches({ projectId: project.id }));
    const main = (branches.branches as NeonBranch[]).find((b) => b.default);
    return {
        ...neonPick(inputs, NEON_INPUT_FIELDS.Project),
        name: project.name,
        regionId: project.region_id ?? inputs.regionId,
        pgVersion: project.pg_version ?? inputs.pgVersion,
        ...(project.history_retention_seconds === undefined ? {} : { historyRetentionSeconds: project.history_retention_seconds }),
        projectId: project.id,
        defaultBranchId: main?.id ?? "",
        proxyHost: project.proxy_host ?? "",
    } as ProjectOutputs;
}

async function neonFindBranch(ctx: NeonContext, projectId: string, name: string, what: string): Promise<NeonBranch | undefined> {
    const list = await neonRequest(ctx, `${what}: list branches`, (api) => api.listProjectBranches({ projectId, search: name }));
    // `search` matches substrings; only the exact name counts.
    const same = (list.branches as NeonBranch[]).filter((b) => b.name === name);
    neonSingle(same, what, (b) => b.id);
    return same[0];
}

async function neonUpdateBranch(ctx: NeonContext, inputs: BranchInputs, current: Partial<NeonBranch> & { id: string }): Promise<NeonBranch> {
    const patch: Record<string, unknown> = {};
    if (current.name !== inputs.name) patch.name = inputs.name;
    if (inputs.protected !== undefined && current.protected !== inputs.protected) patch.protected = inputs.protected;
    if ((current.expires_at ?? undefined) !== (inputs.expiresAt ?? undefined)) patch.expires_at = inputs.expiresAt ?? null;
    const what = `update branch ${inputs.name} (${current.id}) in project ${inputs.projectId}`;
    if (Object.keys(patch).length === 0) return (await neonRequest(ctx, what, (api) => api.getProjectBranch(inputs.projectId, current.id))).branch;
    const updated = await neonRequest(ctx, what, (api) => api.updateProjectBranch(inputs.projectId, current.id, { branch: patch }));
    await neonWaitOperations(ctx, what, updated.operations);
    return updated.branch;
}

function neonBranchOutputs(inputs: BranchInputs, branch: NeonBranch): BranchOutputs {
    return {
        ...neonPick(inputs, NEON_INPUT_FIELDS.Branch),
        name: branch.name,
        ...(branch.protected === undefined ? {} : { protected: branch.protected }),
        ...(branch.expires_at ? { expiresAt: branch.expires_at } : {}),
        branchId: branch.id,
        resolvedParentId: branch.parent_id ?? "",
        default: branch.default === true,
    } as BranchOutputs;
}

function neonEndpointSettings(inputs: EndpointInputs): Record<string, number> {
    return {
        ...(inputs.minCu === undefined ? {} : { autoscaling_limit_min_cu: inputs.minCu }),
        ...(inputs.maxCu === undefined ? {} : { autoscaling_limit_max_cu: inputs.maxCu }),
        ...(inputs.suspendTimeoutSeconds === undefined ? {} : { suspend_timeout_seconds: inputs.suspendTimeoutSeconds }),
    };
}

async function neonUpdateEndpoint(ctx: NeonContext, inputs: EndpointInputs, current: NeonEndpoint, always = false): Promise<NeonEndpoint> {
    const wanted = neonEndpointSettings(inputs);
    const differs = always || Object.entries(wanted).some(([k, v]) => (current as unknown as Record<string, unknown>)[k] !== v);
    const what = `update endpoint ${current.id} in project ${inputs.projectId}`;
    if (!differs) return current;
    const updated = await neonRequest(ctx, what, (api) => api.updateProjectEndpoint(inputs.projectId, current.id, { endpoint: wanted }));
    await neonWaitOperations(ctx, what, updated.operations);
    return updated.endpoint;
}

function neonEndpointOutputs(inputs: EndpointInputs, endpoint: NeonEndpoint): EndpointOutputs {
    const host = endpoint.host ?? "";
    return {
        ...neonPick(inputs, NEON_INPUT_FIELDS.Endpoint),
        ...(endpoint.autoscaling_limit_min_cu === undefined ? {} : { minCu: endpoint.autoscaling_limit_min_cu }),
        ...(endpoint.autoscaling_limit_max_cu === undefined ? {} : { maxCu: endpoint.autoscaling_limit_max_cu }),
        ...(endpoint.suspend_timeout_seconds === undefined || inputs.suspendTimeoutSeconds === undefined ? {} : { suspendTimeoutSeconds: endpoint.suspend_timeout_seconds }),
        endpointId: endpoint.id,
        host,
        // Neon's pooler host is the endpoint id with `-pooler` appended. https://neon.com/docs/connect/connection-pooling
        poolerHost: host.replace(/^([^.]+)/, "$1-pooler"),
    } as EndpointOutputs;
}

async function neonUpdateDatabase(ctx: NeonContext, inputs: DatabaseInputs, current: NeonDatabase): Promise<NeonDatabase> {
    if (current.owner_name === inputs.ownerName) return current;
    const what = `update database ${inputs.name} on branch ${inputs.branchId} in project ${inputs.projectId}`;
    const updated = await neonRequest(ctx, what, (api) => api.updateProjectBranchDatabase(inputs.projectId, inputs.branchId, inputs.name, { database: { owner_name: inputs.ownerName } }));
    await neonWaitOperations(ctx, what, updated.operations);
    return updated.database;
}

function neonDatabaseOutputs(inputs: DatabaseInputs, database: NeonDatabase): DatabaseOutputs {
    return { ...neonPick(inputs, NEON_INPUT_FIELDS.Database), ownerName: database.owner_name, databaseId: database.id } as DatabaseOutputs;
}

/**
 * Looks up the connection URI and parses it. On `read`, a 404 (role, database or endpoint gone) answers
 * undefined; otherwise it throws.
 * @throws naming the database, role and branch when Neon refuses or the URI is not a PostgreSQL URL.
 */
async function neonConnectionOutputs(ctx: NeonContext, inputs: ConnectionInputs, why: "create" | "update" | "read"): Promise<ConnectionOutputs | undefined> {
    const what = `${why} connection to database ${inputs.databaseName} as ${inputs.roleName} on branch ${inputs.branchId} in project ${inputs.projectId}`;
    const query = {
        projectId: inputs.projectId, branch_id: inputs.branchId, endpoint_id: inputs.endpointId,
        database_name: inputs.databaseName, role_name: inputs.roleName, ...(inputs.pooled ? { pooled: true } : {}),
    };
    const found = await neonRequest(ctx, what, (api) => api.getConnectionUri(query), why === "read" ? { notFound: "undefined" } : {});
    if (found === undefined) return undefined;
    let url: URL | undefined;
    try {
        url = new URL(found.uri);
    } catch {
        url = undefined;
    }
    // The URI itself holds the password: name only what was wrong with it.
    if (url === undefined || !/^postgres(ql)?:$/.test(url.protocol) || url.hostname === "" || url.pathname.length < 2) {
        throw new Error(`Neon API ${what}: the answer is not a postgresql://user:password@host/database URI`);
    }
    return {
        ...neonPick(inputs, NEON_INPUT_FIELDS.Connection),
        host: url.hostname,
        port: url.port === "" ? 5432 : Number(url.port),
        database: decodeURIComponent(url.pathname.slice(1)),
        user: decodeURIComponent(url.username),
        password: decodeURIComponent(url.password),
        uri: found.uri,
    } as ConnectionOutputs;
}

// ---------------------------------------------------------------------------------------------------
// Shared machinery: diff, client, retries, operations

function neonPick(source: object, keys: readonly string[]): Record<string, unknown> {
    const out: Record<string, unknown> = {};
    for (const key of keys) {
        const value = (source as Record<string, unknown>)[key];
        if (value !== undefined) out[key] = value;
    }
    return out;
}

/** `diff` of every kind: replace on {@link NEON_REPLACE_ON}, update on any other input change. */
function neonDiff(kind: keyof typeof NEON_REPLACE_ON, olds: object, news: object): pulumi.dynamic.DiffResult {
    const o = olds as Record<string, unknown>;
    const n = news as Record<string, unknown>;
    // A setting left out of the inputs keeps whatever Neon has (its default or a refresh's value).
    const same = (key: string) => (n[key] === undefined && NEON_DEFAULTED.includes(key))
        || JSON.stringify(o[key] ?? null) === JSON.stringify(n[key] ?? null);
    const changed = (NEON_INPUT_FIELDS[kind] as readonly string[]).filter((key) => !same(key));
    const replaces = (NEON_REPLACE_ON[kind] as readonly string[]).filter((key) => changed.includes(key));
    // Roles and databases are looked up by name: the new one must be made before the old is dropped only
    // when the names differ; a replacement keeping the name must delete first.
    const deleteBeforeReplace = replaces.length > 0 && (kind === "Role" || kind === "Database") && same("name");
    return { changes: changed.length > 0, replaces, deleteBeforeReplace };
}

/** What one provider call needs: a client (holding the key only in memory) and its pacing. */
interface NeonContext {
    // eslint-disable-next-line @typescript-eslint/no-explicit-any
    readonly api: any;
    readonly deadline: number;
    readonly retryBaseMs: number;
    readonly pollMinMs: number;
    readonly pollMaxMs: number;
}

/** Creates the API client from the environment, at call time. */
function neonContext(): NeonContext {
    const apiKey = process.env.NEON_API_KEY;
    if (!apiKey) {
        throw new Error("NEON_API_KEY is not set. Neon resources are managed with an API key from the environment of " +
            "`pulumi up` (https://neon.com/docs/manage/api-keys): export NEON_API_KEY=<key>");
    }
    const number = (name: string, fallback: number) => {
        const raw = process.env[name];
        const value = raw === undefined || raw === "" ? fallback : Number(raw);
        if (!Number.isFinite(value) || value < 0) throw new Error(`${name} must be a non-negative number, not ${JSON.stringify(raw)}`);
        return value;
    };
    // Loaded here, not at module level: the serialized provider must hold no module state (DESIGN.md, "Pitfalls").
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const { createApiClient } = require("@neondatabase/api-client");
    const api = createApiClient({
        apiKey,
        baseURL: (process.env.NEON_API_HOST || "https://console.neon.tech/api/v2").replace(/\/+$/, ""),
        timeout: number("NEON_REQUEST_TIMEOUT_MS", 60_000),
    });
    return {
        api,
        deadline: Date.now() + number("NEON_DEADLINE_SECONDS", 600) * 1000,
        retryBaseMs: number("NEON_RETRY_BASE_MS", 500),
        pollMinMs: number("NEON_POLL_MIN_MS", 250),
        pollMaxMs: number("NEON_POLL_MAX_MS", 5000),
    };
}

interface NeonRequestOptions {
    /** `"undefined"`: a 404 answers `undefined` (delete and read: gone is done). */
    readonly notFound?: "undefined";
    /**
     * `"throw"`: a 5xx or dropped connection, after which the request may or may not have been applied,
     * is not retried here but thrown as ambiguous, so a create looks the resource up again before retrying.
     */
    readonly ambiguous?: "throw";
}

/** An error after which a mutation may have been applied. */
interface NeonAmbiguous extends Error { neonAmbiguous: true }

/**
 * One API call with retries: 423 (the project has a running operation), 429 (rate limit, after
 * `Retry-After`), 5xx and dropped connections, with exponential backoff and full jitter, until the
 * deadline. The final error names the operation and quotes Neon's answer (never the request headers).
 */
async function neonRequest<T = any>(ctx: NeonContext, what: string, call: (api: any) => Promise<{ data: T }>, options?: { notFound: "undefined"; ambiguous?: "throw" }): Promise<T | undefined>;
async function neonRequest<T = any>(ctx: NeonContext, what: string, call: (api: any) => Promise<{ data: T }>, options?: NeonRequestOptions): Promise<T>;
async function neonRequest<T>(ctx: NeonContext, what: string, call: (api: any) => Promise<{ data: T }>, options: NeonRequestOptions = {}): Promise<T | undefined> {
    for (let attempt = 1; ; attempt++) {
        let failure: { status?: number; code?: string; message: string; retryAfterMs?: number };
        try {
            return (await call(ctx.api)).data;
        } catch (error) {
            const e = error as { response?: { status: number; data?: { code?: string; message?: string }; headers?: Record<string, string> }; code?: string; message?: string };
            if (!e.response) {
                // Dropped connection, refused, reset or timed out: no answer.
                failure = { code: e.code, message: e.message ?? String(error) };
            } else {
                const data = e.response.data;
                const body = typeof data === "object" && data !== null
                    ? `${data.code ? `${data.code}: ` : ""}${data.message ?? JSON.stringify(data)}`
                    : String(data ?? "").slice(0, 300);
                const retryAfter = Number(e.response.headers?.["retry-after"]);
                failure = { status: e.response.status, message: body, ...(Number.isFinite(retryAfter) ? { retryAfterMs: retryAfter * 1000 } : {}) };
            }
        }
        const status = failure.status;
        if (status === 404 && options.notFound) return undefined;
        const definite = status === 423 || status === 429; // rejected before anything was done
        const ambiguous = status === undefined || status >= 500; // may have been applied
        const answer = status === undefined ? `no answer (${failure.code ?? "network error"}: ${failure.message})` : `HTTP ${status} ${failure.message}`;
        if (ambiguous && options.ambiguous === "throw") {
            const thrown = new Error(`Neon API ${what} failed: ${answer}`) as NeonAmbiguous;
            thrown.neonAmbiguous = true;
            throw thrown;
        }
        const delay = failure.retryAfterMs ?? neonBackoff(ctx, attempt);
        if ((definite || ambiguous) && Date.now() + delay < ctx.deadline) {
            await neonSleep(delay);
            continue;
        }
        const why = definite || ambiguous ? ` (gave up after ${attempt} attempt${attempt === 1 ? "" : "s"}: deadline)` : "";
        throw new Error(`Neon API ${what} failed: ${answer}${why}`);
    }
}

/**
 * Create-or-adopt: looks the resource up by its name first and adopts it; otherwise creates it. A create
 * whose answer was lost (5xx, reset, time-out) is never blindly repeated: the loop looks up again first,
 * so a retry after a time-out finds the branch the first attempt made instead of making a second one.
 */
async function neonEnsure<T>(ctx: NeonContext, what: string, lookup: () => Promise<T | undefined>, create: () => Promise<T>): Promise<{ value: T; adopted: boolean }> {
    let lost = 0;
    for (;;) {
        const found = await lookup();
        if (found !== undefined) return { value: found, adopted: true };
        try {
            return { value: await create(), adopted: false };
        } catch (error) {
            if (!(error as Partial<NeonAmbiguous>).neonAmbiguous) throw error;
            lost += 1;
            const delay = neonBackoff(ctx, lost);
            if (Date.now() + delay >= ctx.deadline) {
                throw new Error(`${(error as Error).message} (gave up after ${lost} attempts: deadline)`);
            }
            await neonSleep(delay);
        }
    }
}

/** Exponential backoff with full jitter, capped at 30 s. */
function neonBackoff(ctx: NeonContext, attempt: number): number {
    return Math.random() * Math.min(30_000, ctx.retryBaseMs * 2 ** (attempt - 1));
}

function neonSleep(ms: number): Promise<void> {
    return new Promise((resolve) => setTimeout(resolve, ms));
}

/**
 * Waits until every operation is finished, in order (Neon runs a project's operations one after the
 * other). The first poll of an operation comes when operations of its action have taken so far in this
 * process (their `total_duration_ms`); after that, polling backs off with the time already waited (a
 * tenth of it, between the poll bounds), so a short operation is seen finished soon after it ends and a
 * long one is polled rarely.
 * @throws naming the operation (action and id) and its error when one fails.
 */
async function neonWaitOperations(ctx: NeonContext, what: string, operations: readonly { id: string; project_id: string; action: string; status: string }[] | undefined): Promise<void> {
    const g = globalThis as { __neonOperationMs?: Map<string, number> };
    const learned = (g.__neonOperationMs ??= new Map<string, number>());
    for (const first of operations ?? []) {
        let op = first as typeof first & { error?: string; total_duration_ms?: number };
        const started = Date.now();
        let polls = 0;
        for (;;) {
            if (op.status === "finished" || op.status === "skipped") {
                if (op.status === "finished" && op.total_duration_ms) learned.set(op.action, op.total_duration_ms);
                break;
            }
            if (op.status === "failed" || op.status === "error" || op.status === "cancelled" || op.status === "cancelling") {
                throw new Error(`Neon ${what}: operation ${op.action} (${op.id}) ${op.status}${op.error ? `: ${op.error}` : ""}`);
            }
            if (Date.now() >= ctx.deadline) {
                throw new Error(`Neon ${what}: operation ${op.action} (${op.id}) still ${op.status} at the deadline`);
            }
            const elapsed = Date.now() - started;
            const expected = learned.get(op.action);
            const wait = polls === 0 && expected !== undefined && expected > elapsed
                ? Math.min(ctx.pollMaxMs, expected - elapsed + 5)
                : Math.min(ctx.pollMaxMs, Math.max(ctx.pollMinMs, elapsed / 10));
            polls += 1;
            await neonSleep(Math.min(wait, Math.max(0, ctx.deadline - Date.now())));
            const id = op.id;
            op = (await neonRequest(ctx, `${what}: operation ${op.action} (${id})`, (api) => api.getProjectOperation(op.project_id, id))).operation;
        }
    }
}

/**
 * Runs `fn` (a mutation and the wait for its operations) after every earlier call for the same project in
 * this process: Neon runs one operation per project at a time and answers others `423`, so resources that
 * Pulumi creates in parallel take turns here instead of hammering the API with requests bound to fail.
 * The queue lives on `globalThis` because the provider host loads each serialized provider separately.
 */
async function neonProjectTurn<T>(projectId: string, fn: () => Promise<T>): Promise<T> {
    const g = globalThis as { __neonProjectTurns?: Map<string, Promise<void>> };
    const turns = (g.__neonProjectTurns ??= new Map<string, Promise<void>>());
    const before = turns.get(projectId) ?? Promise.resolve();
    let release!: () => void;
    const mine = new Promise<void>((resolve) => { release = resolve; });
    const tail = before.then(() => mine);
    turns.set(projectId, tail);
    await before;
    try {
        return await fn();
    } finally {
        release();
        if (turns.get(projectId) === tail) turns.delete(projectId);
    }
}

/**
 * Waits until the project runs no operation (after adopting a resource whose creating operations we
 * never saw): lists its operations and waits for the unfinished ones.
 */
async function neonWaitIdle(ctx: NeonContext, what: string, projectId: string): Promise<void> {
    const list = await neonRequest(ctx, `${what}: list operations`, (api) => api.listProjectOperations({ projectId, limit: 10 }));
    const open = (list.operations as { id: string; project_id: string; action: string; status: string }[])
        .filter((op) => op.status !== "finished" && op.status !== "skipped" && op.status !== "failed" && op.status !== "error" && op.status !== "cancelled")
        .reverse();
    await neonWaitOperations(ctx, what, open);
}

/** Two resources with the key we adopt by: refuse to guess. */
function neonSingle<T>(items: readonly T[], what: string, id: (item: T) => string): void {
    if (items.length > 1) {
        throw new Error(`Neon ${what}: ${items.length} resources match (${items.map(id).join(", ")}); delete the extra ones or import one explicitly`);
    }
}
