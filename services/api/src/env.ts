/**
 * The api Worker's `env`: the bindings its declaration (`../service.ts`) generates. Values of the
 * `var`/`secret` bindings are untrusted until checked against the env contract (`../contract.ts`).
 */
import type { z } from "zod";
import type { apiEnv } from "../contract";
import type { Counter } from "./counter";

export interface Env {
    /** Workers KV: note cache, `notes/<id>` → JSON note, one hour. */
    readonly CACHE: KVNamespace;
    /** D1: the `notes` table (`../migrations`). */
    readonly DB: D1Database;
    /** R2: uploaded files, by key. */
    readonly FILES: R2Bucket;
    /** Durable Object namespace of {@link Counter}: one instance per note counts its views. */
    readonly COUNTER: DurableObjectNamespace<Counter>;
    /** Hyperdrive: the environment's PostgreSQL (its Neon branch); `connectionString` for a Postgres client. */
    readonly DATABASE: Hyperdrive;
    readonly LOG_LEVEL: string;
    readonly PUBLIC_BASE_URL: string;
    readonly SIGNING_KEY: string;
}

/** The env contract's keys after validation. */
export type ApiConfig = z.output<typeof apiEnv>;
