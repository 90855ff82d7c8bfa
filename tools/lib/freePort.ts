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

/**
 * Why `port` cannot be listened on at 127.0.0.1 right now (`EADDRINUSE`: another process has it; `EACCES`: a
 * privileged port), or undefined when it can.
 */
export function portProblem(port: number): Promise<string | undefined> {
    return new Promise((resolve) => {
        const server = createServer();
        server.unref();
        server.once("error", (error: NodeJS.ErrnoException) => resolve(error.code === "EADDRINUSE"
            ? `port ${port} on 127.0.0.1 is in use; pick another`
            : error.code === "EACCES" ? `this user may not listen on port ${port}; pick one above 1023` : `cannot listen on port ${port}: ${error.message}`));
        server.listen(port, "127.0.0.1", () => server.close(() => resolve(undefined)));
    });
}
