/**
 * Messages on the api's NOTE_EVENTS queue: what the Worker sends when something happens to a note, and what
 * its own consumer records (`src/activity.ts`). Imported by the declaration, which types the binding
 * (`Queue<NoteEventInput>`), and by the Worker, which validates every body it consumes.
 */
import { z } from "zod";

/** A note was stored (`POST /api/notes`). */
export const noteEvent = z.object({
    type: z.literal("note.created"),
    /** The note's id (a UUID). */
    noteId: z.uuid(),
    /** When it happened, ISO 8601 UTC: the note's `createdAt`. */
    occurredAt: z.iso.datetime(),
});

/** A message body as the producer writes it. */
export type NoteEventInput = z.input<typeof noteEvent>;
/** A message body after validation. */
export type NoteEvent = z.output<typeof noteEvent>;
