-- Maybe-executed is forever. An intent any attempt of which may have executed at the
-- service (no JSON answer of the service's own: a timeout, a reset, a 5xx or an HTML
-- page from a proxy, a 3xx, a crash mid-request) can never again be treated as
-- "certainly not sent": it is never queued again, never withdrawn, and any later
-- refusal is looked up before it becomes a verdict. The flag is one-way, and the
-- schema refuses to undo it whatever the application code does.
ALTER TABLE intents ADD COLUMN maybe_executed INTEGER NOT NULL DEFAULT 0;
-- The cashier took another payment for this sale: never send it again; if an earlier
-- attempt turns out to have redeemed it, a manager makes the customer good.
ALTER TABLE intents ADD COLUMN declined INTEGER NOT NULL DEFAULT 0;
-- The earliest send whose saved result the service may still hold (its key window
-- runs from here). `first_sent_at` stays the first send ever, for the lookup range.
ALTER TABLE intents ADD COLUMN window_from INTEGER;
-- The first send in the service's time (our clock plus the offset its `Date` header
-- showed), when known: the lookup range must not rest on the terminal's clock alone.
ALTER TABLE intents ADD COLUMN first_sent_service_at INTEGER;
-- Where the intent was first sent, and a fingerprint of the API key it was sent with:
-- keys and transaction lists are per API key, so a maybe-executed intent is never
-- resent under another one.
ALTER TABLE intents ADD COLUMN service_url TEXT;
ALTER TABLE intents ADD COLUMN api_key_fp TEXT;
-- Why a manager must look, as a stable code (see `verdict::ReviewCause`).
ALTER TABLE intents ADD COLUMN review_cause TEXT;
-- A wait the service imposed (Retry-After, a rejected API key): a successful probe
-- makes waiting intents due at once, but never before this.
ALTER TABLE intents ADD COLUMN not_before INTEGER;

UPDATE intents SET window_from = first_sent_at;

-- Version 1 took a 5xx as "certainly not executed"; a gateway can send one after the
-- origin committed. Every intent with such an attempt, or an interrupted one, or one
-- that is or was unknown, may have executed.
UPDATE intents SET maybe_executed = 1
 WHERE state IN ('in_flight', 'unknown', 'redeemed')
    OR id IN (SELECT intent_id FROM attempts
               WHERE outcome IN ('server_error', 'outcome_unknown', 'in_progress', 'interrupted'));
INSERT INTO transitions (intent_id, at, from_state, to_state, actor, note)
  SELECT id, updated_at, 'queued', 'unknown', 'migration',
         'an earlier 5xx may have come from a proxy after the service committed: looked up, never withdrawn'
    FROM intents WHERE state = 'queued' AND maybe_executed = 1;
UPDATE intents SET state = 'unknown', lookup_due = 1 WHERE state = 'queued' AND maybe_executed = 1;

CREATE TRIGGER intents_maybe_executed_is_forever BEFORE UPDATE ON intents
WHEN OLD.maybe_executed = 1 AND (NEW.maybe_executed = 0 OR NEW.state IN ('scanned', 'queued'))
BEGIN SELECT RAISE(ABORT, 'an intent that may have executed can never be unsent'); END;

-- Rows are never deleted, so rowid is a monotonic sequence (the re-scan lookup orders
-- by it, not by a wall clock that can step back).
CREATE TRIGGER intents_never_deleted BEFORE DELETE ON intents
BEGIN SELECT RAISE(ABORT, 'intents are never deleted'); END;

CREATE INDEX intents_review_cause ON intents(review_cause) WHERE review_cause IS NOT NULL;
