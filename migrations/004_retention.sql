-- Retention: final intents older than the store's retention may be archived to a
-- CSV and removed, by the manager, and in no other way. The gate row exists only
-- inside the archiving transaction (inserted first, deleted before it commits); the
-- triggers let a row go only while it stands and only if the row is final and older
-- than its cutoff. Everything younger, and everything not final, stays append-only.
CREATE TABLE retention_gate (
    id        INTEGER PRIMARY KEY CHECK (id = 1),
    cutoff_ms INTEGER NOT NULL
);

DROP TRIGGER intents_never_deleted;
CREATE TRIGGER intents_never_deleted BEFORE DELETE ON intents
WHEN NOT EXISTS (SELECT 1 FROM retention_gate g
                 WHERE OLD.state IN ('redeemed', 'refused', 'cancelled') AND OLD.updated_at < g.cutoff_ms)
BEGIN SELECT RAISE(ABORT, 'intents are never deleted, except final ones archived past the retention'); END;

DROP TRIGGER attempts_append_only_delete;
CREATE TRIGGER attempts_append_only_delete BEFORE DELETE ON attempts
WHEN NOT EXISTS (SELECT 1 FROM retention_gate g JOIN intents i ON i.id = OLD.intent_id
                 WHERE i.state IN ('redeemed', 'refused', 'cancelled') AND i.updated_at < g.cutoff_ms)
BEGIN SELECT RAISE(ABORT, 'attempts are append-only'); END;

DROP TRIGGER transitions_append_only_delete;
CREATE TRIGGER transitions_append_only_delete BEFORE DELETE ON transitions
WHEN NOT EXISTS (SELECT 1 FROM retention_gate g JOIN intents i ON i.id = OLD.intent_id
                 WHERE i.state IN ('redeemed', 'refused', 'cancelled') AND i.updated_at < g.cutoff_ms)
BEGIN SELECT RAISE(ABORT, 'transitions are append-only'); END;
