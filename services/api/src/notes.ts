/**
 * Notes: `POST /api/notes` stores a note in D1, caches it in KV and announces it on the NOTE_EVENTS queue;
 * `GET /api/notes/:id` reads KV, then D1, and counts the view in the note's `Counter` Durable Object.
 */
import { z } from "zod";
import { publishNoteCreated } from "./activity";
import type { ApiConfig, Env } from "./env";
import type { Logger } from "../../../components/telemetry/index";
import { json, problem } from "./http";

/** Longest note body, in characters. */
export const MAX_NOTE_LENGTH = 10_000;
/** How long a cached note lives in KV, in seconds (KV's minimum is 60). */
export const CACHE_TTL_SECONDS = 3600;

const noteInput = z.object({ body: z.string().min(1).max(MAX_NOTE_LENGTH) });
const NOTE_ID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

/** A stored note as the API returns it. */
export interface Note {
    readonly id: string;
    readonly body: string;
    /** ISO 8601, UTC. */
    readonly createdAt: string;
}

interface NoteRow {
    id: string;
    body: string;
    created_at: string;
}

/** `POST /api/notes` with `{ "body": "..." }` → `201` with the note and its URL. */
export async function createNote(request: Request, env: Env, config: ApiConfig, logger: Logger): Promise<Response> {
    let input: unknown;
    try {
        input = await request.json();
    } catch {
        return problem(400, "expected a JSON body such as {\"body\": \"...\"}");
    }
    const parsed = noteInput.safeParse(input);
    if (!parsed.success) {
        return problem(400, `expected {"body": string of 1 to ${MAX_NOTE_LENGTH} characters}`);
    }
    const id = crypto.randomUUID();
    const row = await env.DB.prepare("INSERT INTO notes (id, body) VALUES (?1, ?2) RETURNING id, body, created_at")
        .bind(id, parsed.data.body).first<NoteRow>();
    if (row === null) throw new Error("INSERT ... RETURNING returned no row");
    const note = toNote(row);
    await env.CACHE.put(cacheKey(id), JSON.stringify(note), { expirationTtl: CACHE_TTL_SECONDS });
    await publishNoteCreated(env.NOTE_EVENTS, note, logger);
    logger.info("note.created", { id });
    const url = new URL(`/api/notes/${id}`, config.PUBLIC_BASE_URL).toString();
    return json({ ...note, url }, 201, { location: url });
}

/** `GET /api/notes/:id` → the note, where it was read from, and its view count after this view. */
export async function readNote(id: string, env: Env, ctx: ExecutionContext, logger: Logger): Promise<Response> {
    if (!NOTE_ID.test(id)) return problem(404, "no such note");
    let note = await env.CACHE.get<Note>(cacheKey(id), "json");
    const source = note === null ? "database" : "cache";
    if (note === null) {
        const row = await env.DB.prepare("SELECT id, body, created_at FROM notes WHERE id = ?1").bind(id).first<NoteRow>();
        if (row === null) return problem(404, "no such note");
        note = toNote(row);
        ctx.waitUntil(env.CACHE.put(cacheKey(id), JSON.stringify(note), { expirationTtl: CACHE_TTL_SECONDS }));
    }
    const views = await env.COUNTER.get(env.COUNTER.idFromName(id)).increment();
    logger.debug("note.read", { id, source, views });
    return json({ ...note, views, source });
}

function toNote(row: NoteRow): Note {
    return { id: row.id, body: row.body, createdAt: row.created_at };
}

function cacheKey(id: string): string {
    return `notes/${id}`;
}
