-- Redemption intents: one row per cashier commitment to redeem one scanned code.
-- Times are Unix milliseconds (UTC). `body` holds the exact request bytes frozen at
-- scan time; nothing ever rewrites it, so every retry sends the same bytes.
CREATE TABLE intents (
    id               TEXT PRIMARY KEY,          -- UUID v4, also carried in metadata as intent_ID
    idempotency_key  TEXT NOT NULL UNIQUE,      -- UUID v4, sent as Idempotency-Key on every attempt
    code             TEXT NOT NULL,             -- the scanned string, unchanged
    voucher_count    INTEGER NOT NULL,
    terminal_id      TEXT NOT NULL,
    branch_code      TEXT NOT NULL,
    cashier_id       TEXT NOT NULL,
    receipt_number   TEXT NOT NULL,
    body             BLOB NOT NULL,
    state            TEXT NOT NULL CHECK (state IN
                       ('scanned','queued','in_flight','unknown','redeemed','refused','needs_review','cancelled')),
    created_at       INTEGER NOT NULL,
    updated_at       INTEGER NOT NULL,
    queued_at        INTEGER,
    first_sent_at    INTEGER,                   -- first time a request may have reached the service
    next_attempt_at  INTEGER,                   -- when the sync engine may next touch it
    attempt_count    INTEGER NOT NULL DEFAULT 0,
    lookup_due       INTEGER NOT NULL DEFAULT 0, -- must be resolved through the transactions list
    accepted_offline INTEGER NOT NULL DEFAULT 0, -- the sale went ahead before the service confirmed
    transaction_id   TEXT,
    campaign_name    TEXT,
    value_cents      INTEGER,
    http_status      INTEGER,
    error_code       TEXT,
    error_message    TEXT,                      -- the service's error.message, verbatim
    review_reason    TEXT,
    loss             INTEGER NOT NULL DEFAULT 0  -- accepted offline, later refused
);

-- At most one live intent per code: the schema itself refuses a second key for a
-- code that is still on its way, whatever the application code does.
CREATE UNIQUE INDEX intents_one_live_per_code ON intents(code)
    WHERE state IN ('scanned','queued','in_flight','unknown','needs_review');
CREATE INDEX intents_code_created ON intents(code, created_at);
CREATE INDEX intents_due ON intents(next_attempt_at) WHERE state IN ('queued','unknown');
CREATE INDEX intents_log ON intents(created_at DESC, id DESC);
CREATE INDEX intents_state_log ON intents(state, created_at DESC, id DESC);
CREATE INDEX intents_cashier_log ON intents(cashier_id, created_at DESC, id DESC);
CREATE INDEX intents_transaction ON intents(transaction_id) WHERE transaction_id IS NOT NULL;

-- Every request the terminal made for an intent (and every interruption), appended once
-- when it ends. Never updated or deleted: this is the evidence a manager settles from.
CREATE TABLE attempts (
    id           INTEGER PRIMARY KEY,
    intent_id    TEXT NOT NULL REFERENCES intents(id),
    kind         TEXT NOT NULL CHECK (kind IN ('redeem','lookup','interrupted')),
    started_at   INTEGER NOT NULL,
    ended_at     INTEGER NOT NULL,
    http_status  INTEGER,
    outcome      TEXT NOT NULL,                -- stable classification code
    replayed     INTEGER NOT NULL DEFAULT 0,   -- Idempotent-Replayed: true
    latency_ms   INTEGER NOT NULL,
    detail       TEXT
);
CREATE INDEX attempts_intent ON attempts(intent_id, id);

-- Every state change, with who or what caused it and why (manager notes included).
CREATE TABLE transitions (
    id          INTEGER PRIMARY KEY,
    intent_id   TEXT NOT NULL REFERENCES intents(id),
    at          INTEGER NOT NULL,
    from_state  TEXT,
    to_state    TEXT NOT NULL,
    actor       TEXT NOT NULL,                  -- 'cashier:<id>', 'sync', 'recovery', 'manager'
    note        TEXT
);
CREATE INDEX transitions_intent ON transitions(intent_id, id);

CREATE TRIGGER attempts_append_only_update BEFORE UPDATE ON attempts
BEGIN SELECT RAISE(ABORT, 'attempts are append-only'); END;
CREATE TRIGGER attempts_append_only_delete BEFORE DELETE ON attempts
BEGIN SELECT RAISE(ABORT, 'attempts are append-only'); END;
CREATE TRIGGER transitions_append_only_update BEFORE UPDATE ON transitions
BEGIN SELECT RAISE(ABORT, 'transitions are append-only'); END;
CREATE TRIGGER transitions_append_only_delete BEFORE DELETE ON transitions
BEGIN SELECT RAISE(ABORT, 'transitions are append-only'); END;

-- Terminal and store settings (offline policy, terminal id, manager PIN hash).
CREATE TABLE settings (
    key   TEXT PRIMARY KEY,
    value TEXT NOT NULL
);
