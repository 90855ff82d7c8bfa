/**
 * The `Counter` Durable Object (SQLite-backed): one instance per note, counting its views. It answers
 * the platform's health probe with a storage round trip.
 */
import { DurableObject } from "cloudflare:workers";
import { healthProbeResponse, isHealthProbe } from "../../../components/health/index";
import type { Env } from "./env";

export class Counter extends DurableObject<Env> {
    constructor(ctx: DurableObjectState, env: Env) {
        super(ctx, env);
        ctx.storage.sql.exec("CREATE TABLE IF NOT EXISTS counter (name TEXT PRIMARY KEY, value INTEGER NOT NULL)");
    }

    /** Adds one view and returns the new total (called over RPC). */
    increment(): number {
        return this.ctx.storage.sql.exec<{ value: number }>(
            "INSERT INTO counter (name, value) VALUES ('views', 1) ON CONFLICT (name) DO UPDATE SET value = value + 1 RETURNING value",
        ).one().value;
    }

    /** The current total without adding one (called over RPC). */
    current(): number {
        return this.ctx.storage.sql.exec<{ value: number }>("SELECT value FROM counter WHERE name = 'views'").toArray()[0]?.value ?? 0;
    }

    override async fetch(request: Request): Promise<Response> {
        if (isHealthProbe(request)) {
            return healthProbeResponse(() => this.ctx.storage.sql.exec("SELECT count(*) AS n FROM counter").one());
        }
        return new Response("not found", { status: 404 });
    }
}
