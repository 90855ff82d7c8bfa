/** Small PostgreSQL client helpers for tests: one query on a fresh connection, and a refused-port probe. */
import * as net from "node:net";
import postgres from "postgres";

/**
 * Runs `text` (one or more statements) on a connection of its own to `target` (a URL or connection
 * options) and closes it; resolves with the rows of the last statement.
 */
export async function query<T extends Record<string, unknown> = Record<string, unknown>>(target: string | postgres.Options<{}>, text: string): Promise<T[]> {
    const options = { max: 1, connect_timeout: 5, onnotice: () => {} };
    const sql = typeof target === "string" ? postgres(target, options) : postgres({ ...options, ...target });
    try {
        return [...await sql.unsafe<T[]>(text)];
    } finally {
        await sql.end({ timeout: 1 });
    }
}

/** Whether a TCP connection to 127.0.0.1:`port` is refused (nothing listens there). */
export function refuses(port: number): Promise<boolean> {
    return new Promise((resolve) => {
        const socket = net.connect({ host: "127.0.0.1", port });
        socket.once("connect", () => { socket.destroy(); resolve(false); });
        socket.once("error", (error: NodeJS.ErrnoException) => resolve(error.code === "ECONNREFUSED"));
    });
}
