/**
 * The activity log: the Worker announces each new note on its NOTE_EVENTS queue ({@link publishNoteCreated}),
 * consumes that queue itself ({@link recordNoteEvents}, the `queue()` handler) into the D1 table
 * `note_activity`, and serves the log at `GET /api/activity` ({@link listActivity}). Sending is part of the
 * request; recording happens later, in batches, off the request path.
 */
import type { Logger } from "../../../components/telemetry/index";
import { noteEvent } from "../events";
import type { Env } from "./env";
import { json, problem } from "./http";
import type { Note } from "./notes";

/** Most entries `GET /api/activity` returns. */
export const MAX_ACTIVITY = 100;
/** Entries `GET /api/activity` returns without `?limit`. */
const DEFAULT_ACTIVITY = 20;

/** One recorded event, as `GET /api/activity` returns it. */
export interface ActivityEntry {
    readonly noteId: string;
    readonly type: string;
    /** When it happened (the event's `occurredAt`), ISO 8601 UTC. */
    readonly occurredAt: string;
    /** When the consumer recorded it, ISO 8601 UTC. */
    readonly recordedAt: string;
}

interface ActivityRow {
    note_id: string;
    type: string;
    occurred_at: string;
    recorded_at: string;
}

/**
 * Sends `note.created` for `note`. A failure is logged, not thrown: the note is stored either way, and only
 * its activity entry is missing.
 */
export async function publishNoteCreated(queue: Env["NOTE_EVENTS"], note: Note, logger: Logger): Promise<void> {
    try {
        await queue.send({ type: "note.created", noteId: note.id, occurredAt: note.createdAt });
    } catch (error) {
        logger.error("note.event_failed", { id: note.id }, error);
    }
}

/**
 * The NOTE_EVENTS consumer: records every valid message of `batch` in `note_activity`, all in one D1 batch
 * (one transaction). A body that is not a {@link noteEvent} is logged and acknowledged, since redelivering it
 * cannot help; when the write fails this throws, so the queue delivers the batch again (up to the consumer's
 * `maxRetries`, then to its dead-letter queue). Redelivered messages are recorded once: the message id is the
 * table's key.
 */
export async function recordNoteEvents(batch: MessageBatch<unknown>, db: D1Database, logger: Logger): Promise<void> {
    const inserts: D1PreparedStatement[] = [];
    for (const message of batch.messages) {
        const parsed = noteEvent.safeParse(message.body);
        if (!parsed.success) {
            logger.warn("note_event.invalid", { queue: batch.queue, messageId: message.id });
            message.ack();
            continue;
        }
        inserts.push(db.prepare(
            "INSERT INTO note_activity (message_id, note_id, type, occurred_at) VALUES (?1, ?2, ?3, ?4) ON CONFLICT (message_id) DO NOTHING",
        ).bind(message.id, parsed.data.noteId, parsed.data.type, parsed.data.occurredAt));
    }
    if (inserts.length > 0) await db.batch(inserts);
    logger.info("note_events.recorded", { queue: batch.queue, count: inserts.length });
}

/**
 * `GET /api/activity[?note=<id>][&limit=<n>]` → `{ activity: ActivityEntry[] }`, the most recently recorded
 * first; `limit` from 1 to {@link MAX_ACTIVITY} (default 20).
 */
export async function listActivity(url: URL, env: Env): Promise<Response> {
    const note = url.searchParams.get("note");
    const limitParam = url.searchParams.get("limit");
    const limit = limitParam === null ? DEFAULT_ACTIVITY : Number(limitParam);
    if (!Number.isInteger(limit) || limit < 1 || limit > MAX_ACTIVITY) return problem(400, `expected limit from 1 to ${MAX_ACTIVITY}`);
    if (note !== null && !noteEvent.shape.noteId.safeParse(note).success) return problem(400, "expected note to be a note id");
    const select = "SELECT note_id, type, occurred_at, recorded_at FROM note_activity";
    const order = "ORDER BY recorded_at DESC, message_id LIMIT ?1";
    const statement = note === null
        ? env.DB.prepare(`${select} ${order}`).bind(limit)
        : env.DB.prepare(`${select} WHERE note_id = ?2 ${order}`).bind(limit, note);
    const { results } = await statement.all<ActivityRow>();
    const activity: ActivityEntry[] = results.map((row) => ({
        noteId: row.note_id, type: row.type, occurredAt: row.occurred_at, recordedAt: row.recorded_at,
    }));
    return json({ activity });
}
