-- Who may do what at a shared till. Cashiers sign in with PINs of their own (argon2
-- hashes, like the manager's); a removed cashier is kept, inactive, so that old
-- history rows still name someone.
CREATE TABLE cashiers (
    id         TEXT PRIMARY KEY,
    name       TEXT NOT NULL,
    pin_hash   TEXT NOT NULL,
    active     INTEGER NOT NULL DEFAULT 1,
    created_at INTEGER NOT NULL,
    updated_at INTEGER NOT NULL
);

-- Wrong PINs in a row, per subject ('manager', 'cashier:ID'): the back-off survives a
-- restart, so killing the app does not buy an attacker fresh attempts.
CREATE TABLE pin_failures (
    subject  TEXT PRIMARY KEY,
    failures INTEGER NOT NULL,
    last_at  INTEGER NOT NULL
);

-- What people did to the terminal itself (PIN set, changed, reset, wrong PINs,
-- sign-ins, cashiers added, settings and key changes), with time. Append-only, like
-- an intent's history.
CREATE TABLE audit (
    id     INTEGER PRIMARY KEY,
    at     INTEGER NOT NULL,
    actor  TEXT NOT NULL,
    event  TEXT NOT NULL,
    detail TEXT
);
CREATE INDEX audit_at ON audit (at);
CREATE TRIGGER audit_append_only_update BEFORE UPDATE ON audit
BEGIN SELECT RAISE(ABORT, 'audit rows are never changed'); END;
CREATE TRIGGER audit_append_only_delete BEFORE DELETE ON audit
BEGIN SELECT RAISE(ABORT, 'audit rows are never deleted'); END;
