/**
 * The PostgreSQL client the health library uses for `hyperdrive` checks in Workers: postgres.js, which
 * runs in workerd over `cloudflare:sockets` (the service needs the `nodejs_compat` compatibility flag).
 *
 * Kept out of the library's index so Workers without a database do not bundle a Postgres client:
 * a Worker with a `hyperdrive` binding passes it explicitly.
 *
 * @example
 * import { createHealthHandler } from "../../../components/health/index";
 * import { postgresJs } from "../../../components/health/postgres";
 * const health = createHealthHandler(declaration, { postgres: postgresJs });
 */
import postgres from "postgres";
import type { PostgresClient } from "./types";

/**
 * Runs one query on a fresh connection (Hyperdrive pools connections itself, so a Worker opens one per
 * request) and closes it; an aborted signal closes it at once.
 */
export const postgresJs: PostgresClient = async (connectionString, query, signal) => {
    const sql = postgres(connectionString, { max: 1, fetch_types: false, prepare: false, connect_timeout: 10, onnotice: () => {} });
    const close = () => { void sql.end({ timeout: 0 }).catch(() => {}); };
    signal.addEventListener("abort", close, { once: true });
    try {
        const rows = await sql.unsafe(query);
        return rows.map((row) => ({ ...row }));
    } finally {
        signal.removeEventListener("abort", close);
        await sql.end({ timeout: 1 }).catch(() => {});
    }
};
