/** Finding a free TCP port on the loopback interface, for local servers (PostgreSQL, wrangler dev). */
import { createServer } from "node:net";

/**
 * A TCP port free on 127.0.0.1 right now (the kernel picks it; another process may take it before it is
 * used, so bind soon). @throws {Error} when no port can be bound.
 */
export function freePort(): Promise<number> {
    return new Promise((resolve, reject) => {
        const server = createServer();
        server.unref();
        server.on("error", reject);
        server.listen(0, "127.0.0.1", () => {
            const address = server.address();
            server.close(() => typeof address === "object" && address !== null ? resolve(address.port) : reject(new Error("no port")));
        });
    });
}
