-- Every receipt that reached a printer. A sale's first printed receipt is its
-- original; any later one prints marked COPY, so a customer cannot hold two
-- originals of one sale. Only a print the printer confirmed is recorded: a receipt
-- that failed waits for a reprint, which is then the original. Append-only.
CREATE TABLE receipt_prints (
    sale_id    TEXT NOT NULL REFERENCES sales(id),
    printed_at INTEGER NOT NULL,
    copy       INTEGER NOT NULL,   -- 1: printed marked COPY
    actor      TEXT NOT NULL       -- who asked: cashier:ID, manager, os:USER, auto
);
CREATE INDEX receipt_prints_sale ON receipt_prints(sale_id);

CREATE TRIGGER receipt_prints_never_change BEFORE UPDATE ON receipt_prints
BEGIN SELECT RAISE(ABORT, 'receipt prints are append-only'); END;

CREATE TRIGGER receipt_prints_never_deleted BEFORE DELETE ON receipt_prints
BEGIN SELECT RAISE(ABORT, 'receipt prints are append-only'); END;
