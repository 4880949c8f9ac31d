-- The sale: what one customer pays for. The promise is the customer's, not the
-- key's: one voucher pays for one sale, and a customer never pays twice. So every
-- intent belongs to exactly one sale (for ever), and a sale closes only when every
-- voucher in it is settled. The schema refuses the rest whatever the code does.
CREATE TABLE sales (
    id          TEXT PRIMARY KEY,            -- UUID v4
    number      INTEGER NOT NULL UNIQUE,     -- 1, 2, 3… on this terminal: what people say and receipts print
    terminal_id TEXT NOT NULL,
    cashier_id  TEXT NOT NULL,               -- who opened it
    opened_at   INTEGER NOT NULL,
    closed_at   INTEGER,                     -- none while the customer is at the till
    total_cents INTEGER                      -- the sale's total as typed, in cents
);

-- One customer at a time: at most one open sale.
CREATE UNIQUE INDEX sales_one_open ON sales(closed_at IS NULL) WHERE closed_at IS NULL;

CREATE TRIGGER sales_never_deleted BEFORE DELETE ON sales
BEGIN SELECT RAISE(ABORT, 'sales are never deleted'); END;

CREATE TRIGGER sales_closed_is_final BEFORE UPDATE ON sales
WHEN OLD.closed_at IS NOT NULL
BEGIN SELECT RAISE(ABORT, 'a closed sale never changes'); END;

-- Intents from before this version belong to no sale (NULL). One that was only
-- scanned (never sent) joins the sale in which it is scanned again; the others pay
-- for the earlier, unrecorded sale and join none.
ALTER TABLE intents ADD COLUMN sale_id TEXT REFERENCES sales(id);
CREATE INDEX intents_sale ON intents(sale_id) WHERE sale_id IS NOT NULL;

CREATE TRIGGER intents_sale_is_forever BEFORE UPDATE OF sale_id ON intents
WHEN OLD.sale_id IS NOT NULL AND NEW.sale_id IS NOT OLD.sale_id
BEGIN SELECT RAISE(ABORT, 'an intent belongs to one sale for ever'); END;

CREATE TRIGGER intents_join_open_sales_only BEFORE INSERT ON intents
WHEN NEW.sale_id IS NOT NULL AND EXISTS (SELECT 1 FROM sales WHERE id = NEW.sale_id AND closed_at IS NOT NULL)
BEGIN SELECT RAISE(ABORT, 'a closed sale takes no more vouchers'); END;

-- A sale closes only when every voucher in it is settled: redeemed, refused,
-- withdrawn, or answered by the cashier (accepted for the sale, or declined).
CREATE TRIGGER sales_close_only_when_settled BEFORE UPDATE OF closed_at ON sales
WHEN NEW.closed_at IS NOT NULL AND EXISTS (
    SELECT 1 FROM intents
     WHERE sale_id = NEW.id
       AND state NOT IN ('redeemed', 'refused', 'cancelled')
       AND accepted_offline = 0 AND declined = 0)
BEGIN SELECT RAISE(ABORT, 'a sale closes only when every voucher in it is settled'); END;

-- A scan restored from a backup is maybe-executed while still `scanned` (the copy
-- it came from may have sent it): it may take changes that keep it scanned (joining
-- the sale it is scanned in again); entering `scanned` or `queued` stays refused.
DROP TRIGGER intents_maybe_executed_is_forever;
CREATE TRIGGER intents_maybe_executed_is_forever BEFORE UPDATE ON intents
WHEN OLD.maybe_executed = 1
 AND (NEW.maybe_executed = 0 OR (NEW.state IN ('scanned', 'queued') AND NEW.state IS NOT OLD.state))
BEGIN SELECT RAISE(ABORT, 'an intent that may have executed can never be unsent'); END;
