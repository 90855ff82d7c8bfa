/**
 * The real PostgreSQL behind the Neon API simulator (`NeonSimulatorOptions.postgres`): each Neon role and
 * database of each branch is a role and a database on one PostgreSQL server, so the simulator's connection
 * URIs work.
 *
 * PostgreSQL roles are cluster-wide and database names unique per server, while Neon scopes both to a
 * branch; {@link postgresName} maps `(branch id, Neon name)` to a PostgreSQL name. Isolation between
 * branches: every database refuses `CONNECT` to `PUBLIC` and grants it to the roles of its own branch only.
 *
 * Every method runs its statements through one admin connection (`max: 1`, superuser, database
 * `postgres`), and opens a short-lived superuser connection to a branch database when a statement must
 * run inside it (`REASSIGN OWNED`, `DROP OWNED`). Methods throw PostgreSQL's error (see
 * {@link postgresErrorMessage}); the simulator runs them one at a time, in request order.
 */
import { createHash } from "node:crypto";
import type { Sql } from "postgres";
import { quoteIdent, quoteLiteral } from "../lib/postgres";

/** Superuser credentials of a running PostgreSQL server (e.g. `startPostgres()` of `tools/lib/postgres`). */
export interface PostgresCredentials {
    /** Host name or address, e.g. `127.0.0.1` (put into connection URIs as is; an IPv6 address gets brackets). */
    readonly host: string;
    readonly port: number;
    /** A superuser: it creates and drops roles and databases, and connects to every database. */
    readonly user: string;
    readonly password: string;
}

/** A Neon role as PostgreSQL needs it: its Neon name (unmapped) and its password. */
export interface BackedRole {
    readonly name: string;
    readonly password: string;
}

/** A Neon database as PostgreSQL needs it: its Neon name and its owner's Neon name (both unmapped). */
export interface BackedDatabase {
    readonly name: string;
    readonly owner: string;
}

/** What a branch holds, by Neon names: the unit that {@link PostgresBacking} creates, copies and drops. */
export interface BackedBranch {
    /** The Neon branch id (the key of the PostgreSQL names, {@link postgresBranchKey}). */
    readonly branchId: string;
    readonly roles: readonly BackedRole[];
    readonly databases: readonly BackedDatabase[];
}

const MAX_IDENTIFIER = 63;

const sha256 = (text: string) => createHash("sha256").update(text).digest("hex");

/**
 * The short key of a branch in PostgreSQL names: the branch id without its non-alphanumeric characters
 * (`br-0001-a1b2c3` → `br0001a1b2c3`) when that is at most 20 characters, else `b` and 12 hex digits of
 * the id's SHA-256.
 */
export function postgresBranchKey(branchId: string): string {
    const key = branchId.toLowerCase().replace(/[^a-z0-9]/g, "");
    return key.length > 0 && key.length <= 20 ? key : `b${sha256(branchId).slice(0, 12)}`;
}

/**
 * The PostgreSQL name of Neon role or database `name` on branch `branchId`: `<branch key>_<name>`
 * ({@link postgresBranchKey}). A name that is not lowercase `[a-z0-9_]`, or that would make the result
 * longer than 63 bytes (PostgreSQL's identifier limit), becomes `<branch key>_<name, lowercased, other
 * characters as "_", cut to fit>_<8 hex digits of its SHA-256>`. So every result is lowercase
 * `[a-z0-9_]`, at most 63 bytes, needs no quoting nor URL-encoding, and distinct Neon names stay distinct.
 * Roles and databases share the scheme (PostgreSQL keeps them in separate namespaces).
 * @example postgresName("br-0001-a1b2c3", "neondb_owner") === "br0001a1b2c3_neondb_owner"
 */
export function postgresName(branchId: string, name: string): string {
    const key = postgresBranchKey(branchId);
    if (/^[a-z0-9_]+$/.test(name) && key.length + 1 + name.length <= MAX_IDENTIFIER) return `${key}_${name}`;
    const hash = sha256(name).slice(0, 8);
    const clean = name.toLowerCase().replace(/[^a-z0-9_]+/g, "_");
    return `${key}_${clean.slice(0, MAX_IDENTIFIER - key.length - 2 - hash.length)}_${hash}`;
}


/**
 * A readable message of a failure: PostgreSQL's message and its detail (`DETAIL:` line), else the error's
 * message. Never the statement (it may hold a password).
 */
export function postgresErrorMessage(error: unknown): string {
    const e = error as { message?: string; detail?: string };
    const message = e?.message ?? String(error);
    return e?.detail ? `${message} (${e.detail})` : message;
}

/** Roles, databases and whole branches of the Neon simulator on one PostgreSQL server. */
export class PostgresBacking {
    /** Use {@link PostgresBacking.open}. */
    private constructor(readonly credentials: PostgresCredentials, private readonly sql: Sql, private readonly connect: (database: string) => Sql) {}

    /**
     * Opens the admin connection (one, to the `postgres` database) and checks it with `select 1`.
     * @throws {Error} when the server refuses the connection or the credentials.
     */
    static async open(credentials: PostgresCredentials): Promise<PostgresBacking> {
        const { default: postgres } = await import("postgres");
        const connect = (database: string) => postgres({
            host: credentials.host, port: credentials.port, user: credentials.user, password: credentials.password, database,
            max: 1, connect_timeout: 10, fetch_types: false, onnotice: () => {},
        });
        const sql = connect("postgres");
        try {
            await sql`select 1`;
        } catch (error) {
            await sql.end({ timeout: 1 }).catch(() => undefined);
            throw new Error(`Neon simulator: cannot reach PostgreSQL at ${credentials.host}:${credentials.port} as ${credentials.user}: ${postgresErrorMessage(error)}`);
        }
        return new PostgresBacking(credentials, sql, connect);
    }

    /** Closes the admin connection (queries still running get `timeoutSeconds` to finish). */
    async close(timeoutSeconds = 1): Promise<void> {
        await this.sql.end({ timeout: timeoutSeconds });
    }

    /** Runs `statements` in (mapped) database `database` over a short-lived superuser connection. */
    private async inDatabase(database: string, statements: readonly string[]): Promise<void> {
        if (statements.length === 0) return;
        const sql = this.connect(database);
        try {
            for (const statement of statements) await sql.unsafe(statement);
        } finally {
            await sql.end({ timeout: 1 });
        }
    }

    private async exists(kind: "role" | "database", mapped: string): Promise<boolean> {
        const rows = kind === "role"
            ? await this.sql`select 1 from pg_roles where rolname = ${mapped}`
            : await this.sql`select 1 from pg_database where datname = ${mapped}`;
        return rows.length > 0;
    }

    /** `CREATE ROLE … LOGIN PASSWORD …`, then `CONNECT` on each of `databases` (Neon names on the same branch). */
    async createRole(branchId: string, role: BackedRole, databases: readonly string[]): Promise<void> {
        const mapped = postgresName(branchId, role.name);
        await this.sql.unsafe(`create role ${quoteIdent(mapped)} login password ${quoteLiteral(role.password)}`);
        for (const database of databases) await this.sql.unsafe(`grant connect on database ${quoteIdent(postgresName(branchId, database))} to ${quoteIdent(mapped)}`);
    }

    /**
     * `CREATE DATABASE … OWNER …` (from `template`, a mapped database name, when given), then `CONNECT`
     * for the roles of its branch only (`roles`: Neon names) instead of `PUBLIC`.
     */
    async createDatabase(branchId: string, database: BackedDatabase, roles: readonly string[], template?: string): Promise<void> {
        const mapped = postgresName(branchId, database.name);
        await this.sql.unsafe(`create database ${quoteIdent(mapped)} owner ${quoteIdent(postgresName(branchId, database.owner))}${template ? ` template ${quoteIdent(template)}` : ""}`);
        await this.sql.unsafe(`revoke connect, temporary on database ${quoteIdent(mapped)} from public`);
        if (roles.length > 0) await this.sql.unsafe(`grant connect, temporary on database ${quoteIdent(mapped)} to ${roles.map((r) => quoteIdent(postgresName(branchId, r))).join(", ")}`);
    }

    /** `ALTER DATABASE … OWNER TO …` (Neon names). */
    async setDatabaseOwner(branchId: string, database: string, owner: string): Promise<void> {
        await this.sql.unsafe(`alter database ${quoteIdent(postgresName(branchId, database))} owner to ${quoteIdent(postgresName(branchId, owner))}`);
    }

    /** `DROP DATABASE IF EXISTS … WITH (FORCE)`: ends the connections to it first. */
    async dropDatabase(branchId: string, database: string): Promise<void> {
        await this.sql.unsafe(`drop database if exists ${quoteIdent(postgresName(branchId, database))} with (force)`);
    }

    /**
     * Drops role `role` of a branch, like Neon: in each database of the branch (`databases`), what the role
     * owns goes to the database's owner (`REASSIGN OWNED`) and its privileges go (`DROP OWNED`); then
     * `DROP ROLE`. Privileges it still holds in other databases (a child branch's copies of its grants)
     * are dropped there too. Nothing when the role does not exist (a retry).
     * @throws {Error} when the role owns a database of the branch (its owner must change first).
     */
    async dropRole(branchId: string, role: string, databases: readonly BackedDatabase[]): Promise<void> {
        const mapped = postgresName(branchId, role);
        if (!(await this.exists("role", mapped))) return;
        const owned = databases.filter((d) => d.owner === role).map((d) => d.name);
        if (owned.length > 0) throw new Error(`role "${role}" cannot be dropped because it owns database ${owned.map((d) => `"${d}"`).join(", ")}`);
        const own = new Set<string>();
        for (const database of databases) {
            const db = postgresName(branchId, database.name);
            if (!(await this.exists("database", db))) continue;
            own.add(db);
            await this.inDatabase(db, [`reassign owned by ${quoteIdent(mapped)} to ${quoteIdent(postgresName(branchId, database.owner))}`, `drop owned by ${quoteIdent(mapped)}`]);
        }
        await this.dropStaleGrants(mapped, own);
        await this.sql.unsafe(`drop role if exists ${quoteIdent(mapped)}`);
    }

    /** `DROP OWNED BY` in every database (other than `skip`) whose objects still name the role. */
    private async dropStaleGrants(mapped: string, skip: ReadonlySet<string>): Promise<void> {
        const rows = await this.sql<{ datname: string }[]>`
            select distinct d.datname from pg_shdepend s join pg_database d on d.oid = s.dbid
            where s.refclassid = 'pg_authid'::regclass and s.refobjid = (select oid from pg_roles where rolname = ${mapped}) and d.datallowconn`;
        for (const { datname } of rows) if (!skip.has(datname)) await this.inDatabase(datname, [`drop owned by ${quoteIdent(mapped)}`]);
    }

    /** A new branch's roles (with their passwords) and databases: `createProject`'s default branch. */
    async createBranch(branch: BackedBranch): Promise<void> {
        for (const role of branch.roles) await this.createRole(branch.branchId, role, []);
        for (const database of branch.databases) await this.createDatabase(branch.branchId, database, branch.roles.map((r) => r.name));
    }

    /**
     * A child branch as Neon makes it: the parent's roles with the same passwords, and a copy of each of
     * its databases *with their data* (`CREATE DATABASE … TEMPLATE <parent's>`), in which whatever a
     * parent role owned is handed to the child's role of the same name (`REASSIGN OWNED`).
     *
     * Deviation from Neon: PostgreSQL copies a database only while nobody is connected to it, so the
     * parent's database refuses new connections during the copy (`ALLOW_CONNECTIONS false`) and its open
     * connections are terminated. Privileges granted to a parent role on objects it does not own stay with
     * the parent's role in the copy. On failure, what was created is dropped again.
     */
    async copyBranch(parent: BackedBranch, childId: string): Promise<void> {
        const createdRoles: string[] = [];
        const createdDatabases: string[] = [];
        try {
            for (const role of parent.roles) {
                await this.createRole(childId, role, []);
                createdRoles.push(role.name);
            }
            for (const database of parent.databases) {
                const template = postgresName(parent.branchId, database.name);
                await this.sql.unsafe(`alter database ${quoteIdent(template)} allow_connections false`);
                try {
                    await this.sql`select pg_terminate_backend(pid) from pg_stat_activity where datname = ${template} and pid <> pg_backend_pid()`;
                    await this.createDatabase(childId, database, parent.roles.map((r) => r.name), template);
                    createdDatabases.push(database.name);
                } finally {
                    await this.sql.unsafe(`alter database ${quoteIdent(template)} allow_connections true`);
                }
                await this.inDatabase(postgresName(childId, database.name), parent.roles.map((r) =>
                    `reassign owned by ${quoteIdent(postgresName(parent.branchId, r.name))} to ${quoteIdent(postgresName(childId, r.name))}`));
            }
            // REASSIGN OWNED also hands over shared objects, i.e. the parent's databases: give them back.
            for (const database of parent.databases) {
                await this.setDatabaseOwner(parent.branchId, database.name, database.owner);
                await this.setDatabaseOwner(childId, database.name, database.owner);
            }
        } catch (error) {
            for (const database of createdDatabases) await this.dropDatabase(childId, database).catch(() => undefined);
            for (const role of createdRoles) await this.sql.unsafe(`drop role if exists ${quoteIdent(postgresName(childId, role))}`).catch(() => undefined);
            throw error;
        }
    }

    /**
     * Drops a branch: its databases (`WITH (FORCE)`), then its roles (with the grants they still hold in
     * other databases). Idempotent: what is already gone is skipped.
     */
    async dropBranch(branch: BackedBranch): Promise<void> {
        for (const database of branch.databases) await this.dropDatabase(branch.branchId, database.name);
        for (const role of branch.roles) {
            const mapped = postgresName(branch.branchId, role.name);
            if (!(await this.exists("role", mapped))) continue;
            await this.dropStaleGrants(mapped, new Set());
            await this.sql.unsafe(`drop role if exists ${quoteIdent(mapped)}`);
        }
    }
}
