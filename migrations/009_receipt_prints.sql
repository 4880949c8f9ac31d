-- Every receipt sent to a printer. A sale's first receipt is its original; any
-- later one prints marked COPY, so a customer never holds two originals of one
-- sale. A receipt is recorded once the printer said it can print and before its
-- bytes go out: one that then fails may have printed, so its reprint is a COPY. A
-- receipt refused before that (no paper, no printer) is not recorded, and its
-- reprint is the original. Append-only.
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
