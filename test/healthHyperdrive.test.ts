/**
 * The health library's `hyperdrive` check: planned per binding, explicit failures for a missing binding
 * or client, passwords kept out of messages, and postgres.js (`postgresJs`) against a real PostgreSQL
 * that is up, refusing connections, and stopped (a dead port).
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { z } from "zod";
import { checkHyperdrive, planHealthChecks, runHealthChecks, type PostgresClient } from "../components/health/index";
import { postgresJs } from "../components/health/postgres";
import { defineService } from "../components/service/declaration";
import { startPostgres, type PostgresServer } from "../tools/lib/postgres";

const declaration = defineService({
    name: "app", main: "src/index.ts", compatibilityDate: "2026-04-01", compatibilityFlags: ["nodejs_compat"],
    bindings: { DATABASE: { kind: "hyperdrive" } }, env: z.object({}),
});
const signal = () => new AbortController().signal;

describe("hyperdrive check, unit", () => {
    it("is planned after env, named after the binding", () => {
        expect(planHealthChecks(declaration)).toEqual([{ name: "env", kind: "env" }, { name: "DATABASE", kind: "hyperdrive" }]);
    });

    it("fails clearly without a binding, a connection string or a client", async () => {
        const ok: PostgresClient = async () => [{ ok: 1 }];
        await expect(checkHyperdrive(undefined, ok, signal())).rejects.toThrow("binding is missing from env; expected a Hyperdrive binding");
        await expect(checkHyperdrive({}, ok, signal())).rejects.toThrow("it has no connectionString");
        await expect(checkHyperdrive({ connectionString: "postgresql://u:p@h/db" }, undefined, signal())).rejects.toThrow(/no PostgreSQL client: pass \{ postgres: postgresJs \}/);
        await expect(checkHyperdrive({ connectionString: "postgresql://u:p@h/db" }, async () => [{ ok: 2 }], signal())).rejects.toThrow("select 1 returned an unexpected result");
    });

    it("never echoes the password or the connection string", async () => {
        const connectionString = "postgresql://app:canary-pass-0123456789@db.example:5432/app";
        const leaky: PostgresClient = async (url) => { throw new Error(`cannot reach ${url} (password canary-pass-0123456789 rejected)`); };
        const error = await checkHyperdrive({ connectionString }, leaky, signal()).then(() => undefined, (e: Error) => e);
        expect(error!.message).toBe("select 1 failed: cannot reach <connection string> (password *** rejected)");
    });
});

describe("hyperdrive check with postgres.js against a real PostgreSQL", () => {
    let server: PostgresServer;
    beforeAll(async () => {
        server = await startPostgres();
    }, 60_000);
    afterAll(async () => {
        await server?.stop();
    });

    it("passes while the database answers", async () => {
        const report = await runHealthChecks(declaration, { DATABASE: { connectionString: server.url } }, { postgres: postgresJs });
        expect(report.checks.DATABASE, JSON.stringify(report)).toMatchObject({ status: "ok" });
        expect(report.status).toBe("ok");
    });

    it("fails naming the database's refusal, then the refused connection once stopped", async () => {
        await server.refuseConnections();
        const refusing = await runHealthChecks(declaration, { DATABASE: { connectionString: server.url } }, { postgres: postgresJs });
        expect(refusing.status).toBe("fail");
        expect(refusing.checks.DATABASE!.message).toMatch(/^select 1 failed: .*not currently accepting connections/);

        await server.halt();
        const down = await runHealthChecks(declaration, { DATABASE: { connectionString: server.url } }, { postgres: postgresJs });
        expect(down.checks.DATABASE).toMatchObject({ status: "fail" });
        expect(down.checks.DATABASE!.message).toMatch(/^select 1 failed: .*ECONNREFUSED/);
        expect(JSON.stringify([refusing, down])).not.toContain(server.password);
    }, 20_000);
});
