/**
 * The environment's PostgreSQL database as Workers reach it: one `cloudflare.HyperdriveConfig` per
 * environment, whose origin is the connection parameters of the environment's Neon branch.
 * Source: https://developers.cloudflare.com/hyperdrive/configuration/connect-to-postgres/
 */
import * as cloudflare from "@pulumi/cloudflare";
import * as pulumi from "@pulumi/pulumi";

/**
 * Connection parameters of a PostgreSQL database. A Neon branch (endpoint + role + database of
 * `components/neon/`) satisfies it; so does any other Postgres origin.
 */
export interface PostgresConnection {
    /** Hostname of the endpoint (`ep-cool-darkness-123456.eu-central-1.aws.neon.tech`). */
    readonly host: pulumi.Input<string>;
    /** TCP port. @default 5432 */
    readonly port?: pulumi.Input<number>;
    /** Database name (`app`). */
    readonly database: pulumi.Input<string>;
    /** Role (user) name (`app`). */
    readonly user: pulumi.Input<string>;
    /** The role's password; must be a Pulumi secret (it is wrapped again here in any case). */
    readonly password: pulumi.Input<string>;
}

/** Arguments of {@link createHyperdriveConfig}. */
export interface HyperdriveArgs {
    /** Cloudflare account id (32 hex characters). */
    readonly accountId: pulumi.Input<string>;
    /** Name of the configuration in the dashboard and API, deterministic per stack (`platform-staging`). */
    readonly name: string;
    /** The origin database. */
    readonly connection: PostgresConnection;
    /** Protect the configuration from deletion (production). @default false */
    readonly protect?: boolean;
}

/** Port PostgreSQL listens on unless told otherwise. */
export const DEFAULT_POSTGRES_PORT = 5432;

/**
 * Declares the Hyperdrive configuration of an environment's database. The password stays a secret
 * end to end: it is wrapped with `pulumi.secret` before it reaches the resource's inputs.
 *
 * @example
 * const hyperdrive = createHyperdriveConfig("staging-hyperdrive", {
 *   accountId, name: "platform-staging",
 *   connection: { host: branch.host, database: "app", user: "app", password: branch.password },
 * }, environment);
 * hyperdrive.id; // the id Worker bindings use
 */
export function createHyperdriveConfig(resourceName: string, args: HyperdriveArgs, parent: pulumi.Resource): cloudflare.HyperdriveConfig {
    const c = args.connection;
    return new cloudflare.HyperdriveConfig(resourceName, {
        accountId: args.accountId,
        name: args.name,
        origin: {
            // Neon accepts both spellings; Hyperdrive documents "postgres" and "postgresql".
            scheme: "postgres",
            host: c.host,
            port: c.port ?? DEFAULT_POSTGRES_PORT,
            database: c.database,
            user: c.user,
            password: pulumi.secret(c.password),
        },
    }, { parent, protect: args.protect ?? false, additionalSecretOutputs: ["origin"] });
}
