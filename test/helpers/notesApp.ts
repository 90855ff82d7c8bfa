/**
 * End-to-end steps against the api sample service (`services/api`) while it runs locally (`wrangler dev` on its
 * generated config, or `npm run dev`): the queue round trip (a note's `note.created` message recorded by the
 * Worker's own consumer), an export Workflow run to its end, and the web UI from static assets with its
 * single-page fallback. Every wait is bounded and polls; failures name what was seen.
 */
import { readFileSync } from "node:fs";
import * as path from "node:path";
import { expect } from "vitest";
import { getJson, REQUEST_MS } from "./fixtureWorkspace";
import { PROJECT_ROOT } from "./wrangler";

/**
 * The checks of the api's `/health`, in report order: the env contract, then one per resource binding as declared,
 * then the two its `telemetry` adds (metrics dataset, version metadata).
 */
export const API_HEALTH_CHECKS = ["env", "CACHE", "DB", "FILES", "COUNTER", "DATABASE", "NOTE_EVENTS", "NOTE_EVENTS_DLQ", "EXPORTS", "ASSETS", "METRICS", "CF_VERSION_METADATA"] as const;

/** Longest wait for a queue message to be recorded, or an export to end: only a bound (batches wait 2 s). */
export const ASYNC_MS = 30_000;
const POLL_MS = 200;
const PUBLIC = path.join(PROJECT_ROOT, "services", "api", "public");

/** A note as `POST /api/notes` returns it. */
export interface CreatedNote {
    readonly id: string;
    readonly body: string;
    readonly createdAt: string;
    readonly url: string;
}

/** One entry of `GET /api/activity`. */
export interface ActivityEntry {
    readonly noteId: string;
    readonly type: string;
    readonly occurredAt: string;
    readonly recordedAt: string;
}

/** An export instance as `GET /api/exports/:id` reports it. */
export interface ExportStatus {
    readonly id: string;
    readonly status: string;
    readonly output?: { key: string; notes: number; bytes: number; url: string; expiresAt: string };
    readonly error?: { name: string; message: string };
}

/** `POST /api/notes`; expects `201`. */
export async function createNote(baseUrl: string, body: string): Promise<CreatedNote> {
    const created = await getJson<CreatedNote>(`${baseUrl}/api/notes`, {
        method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ body }),
    });
    expect(created.status, created.text).toBe(201);
    return created.body;
}

/**
 * Polls `GET /api/activity?note=<id>` until the consumer has recorded the note's `note.created` message, at most
 * {@link ASYNC_MS}; returns the note's entries.
 * @param output the dev server's output so far, for the failure message.
 */
export async function waitForActivity(baseUrl: string, note: CreatedNote, output: () => string): Promise<ActivityEntry[]> {
    const deadline = Date.now() + ASYNC_MS;
    let seen: ActivityEntry[] = [];
    while (Date.now() < deadline) {
        const answer = await getJson<{ activity: ActivityEntry[] }>(`${baseUrl}/api/activity?note=${note.id}`);
        expect(answer.status, answer.text).toBe(200);
        seen = answer.body.activity;
        if (seen.length > 0) return seen;
        await new Promise((resolve) => setTimeout(resolve, POLL_MS));
    }
    throw new Error(`note ${note.id}'s note.created message was not recorded within ${ASYNC_MS} ms (activity: ${JSON.stringify(seen)})\n${output()}`);
}

/**
 * Starts an export (`POST /api/exports`) and polls its status until the instance ends, at most {@link ASYNC_MS};
 * returns the last status and every status seen, in order.
 */
export async function runExport(baseUrl: string, output: () => string): Promise<{ final: ExportStatus; seen: string[] }> {
    const started = await getJson<{ id: string; href: string }>(`${baseUrl}/api/exports`, { method: "POST" });
    expect(started.status, `${started.text}\n${output()}`).toBe(202);
    const seen: string[] = [];
    const deadline = Date.now() + ASYNC_MS;
    while (Date.now() < deadline) {
        const { status, body, text } = await getJson<ExportStatus>(`${baseUrl}${started.body.href}`);
        expect(status, text).toBe(200);
        if (seen[seen.length - 1] !== body.status) seen.push(body.status);
        if (["complete", "errored", "terminated"].includes(body.status)) return { final: body, seen };
        await new Promise((resolve) => setTimeout(resolve, POLL_MS));
    }
    throw new Error(`export ${started.body.id} did not end within ${ASYNC_MS} ms (statuses: ${seen.join(" → ")})\n${output()}`);
}

/** GET of `pathname` (no redirects followed): status, body and content type. */
export async function getText(baseUrl: string, pathname: string): Promise<{ status: number; body: string; contentType: string | null }> {
    const response = await fetch(`${baseUrl}${pathname}`, { redirect: "manual", signal: AbortSignal.timeout(REQUEST_MS) });
    return { status: response.status, body: await response.text(), contentType: response.headers.get("content-type") };
}

/** The content of `services/api/public/<relative>`. */
export function publicFile(relative: string): string {
    return readFileSync(path.join(PUBLIC, relative), "utf8");
}
