-- What the NOTE_EVENTS consumer recorded: one row per consumed message. The message id is the key, so a
-- message delivered twice (queues deliver at least once) is recorded once.
CREATE TABLE IF NOT EXISTS note_activity (
    message_id TEXT PRIMARY KEY,
    note_id TEXT NOT NULL,
    type TEXT NOT NULL,
    occurred_at TEXT NOT NULL,
    recorded_at TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now'))
);
CREATE INDEX IF NOT EXISTS note_activity_recorded_at ON note_activity (recorded_at);
