//! Sales on disk. A voucher is redeemed *for a sale*, and the customer's promise
//! (one voucher pays for one sale; nobody pays twice) is kept here, in the same
//! transactions as the intents: an intent joins the open sale when it is created and
//! belongs to it for ever, and a sale closes only in the transaction that proves
//! every voucher in it settled (migration `005` refuses anything else). What the
//! checkout shows of a sale is computed from these rows in [`crate::checkout::sale`].

use rusqlite::{params, Connection, OptionalExtension, TransactionBehavior};
use serde::Serialize;

use super::{apply, decline_restored_scan, intent_from_row, press, Store, StoreError, COLS};
use crate::domain::intent::{Intent, IntentState, SaleContext};

/// One customer's sale, as stored.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, ts_rs::TS)]
pub struct Sale {
    pub id: String,
    /// 1, 2, 3… on this terminal: what people say, and what a receipt prints.
    pub number: i64,
    pub terminal_id: String,
    /// Who opened it.
    pub cashier_id: String,
    pub opened_at: i64,
    /// None while the customer is at the till.
    pub closed_at: Option<i64>,
    /// The sale's total as typed, in cents.
    pub total_cents: Option<i64>,
}

/// The sale a voucher's live intent belongs to, for the cashier's "it belongs to
/// sale N" (none: an intent from before sales were recorded).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SaleHold {
    pub sale: Option<Sale>,
    pub intent_id: String,
    pub scanned_at: i64,
}

impl SaleHold {
    /// Which sale holds the voucher, and when, in words; `when` formats a time.
    pub fn describe(&self, when: impl Fn(i64) -> String) -> String {
        match &self.sale {
            Some(s) => format!(
                "This voucher belongs to sale {} ({} {}), scanned {}; it pays for that sale only, so it cannot join this one.",
                s.number,
                if s.closed_at.is_some() { "closed, opened" } else { "still open, opened" },
                when(s.opened_at),
                when(self.scanned_at)
            ),
            None => format!(
                "This voucher belongs to an earlier sale (scanned {}), still waiting for the service; it cannot join this one.",
                when(self.scanned_at)
            ),
        }
    }
}

/// What a close did.
#[derive(Debug)]
pub struct Closing {
    pub sale: Sale,
    /// The intents it changed (scans never pressed, withdrawn).
    pub changed: Vec<Intent>,
    /// This call closed it (false: it was closed already).
    pub closed_now: bool,
}

const SALE_COLS: &str = "id, number, terminal_id, cashier_id, opened_at, closed_at, total_cents";

fn sale_from_row(r: &rusqlite::Row<'_>) -> rusqlite::Result<Sale> {
    Ok(Sale {
        id: r.get(0)?,
        number: r.get(1)?,
        terminal_id: r.get(2)?,
        cashier_id: r.get(3)?,
        opened_at: r.get(4)?,
        closed_at: r.get(5)?,
        total_cents: r.get(6)?,
    })
}

fn open_sale(conn: &Connection) -> Result<Option<Sale>, StoreError> {
    Ok(conn
        .query_row(&format!("SELECT {SALE_COLS} FROM sales WHERE closed_at IS NULL"), [], sale_from_row)
        .optional()?)
}

fn load_sale(conn: &Connection, id: &str) -> Result<Sale, StoreError> {
    conn.query_row(&format!("SELECT {SALE_COLS} FROM sales WHERE id = ?1"), [id], sale_from_row)
        .optional()?
        .ok_or_else(|| StoreError::NotFound(id.into()))
}

fn intents_of(conn: &Connection, sale_id: &str) -> Result<Vec<Intent>, StoreError> {
    let mut st = conn.prepare_cached(&format!("SELECT {COLS} FROM intents WHERE sale_id = ?1 ORDER BY rowid"))?;
    let rows = st.query_map([sale_id], intent_from_row)?;
    Ok(rows.collect::<Result<_, _>>()?)
}

/// The open sale, or a new one opened now by the cashier of `ctx` (inside the
/// caller's transaction: a scan and the sale it opens are durable together).
pub(super) fn open_sale_in(tx: &Connection, ctx: &SaleContext, now: i64) -> Result<Sale, StoreError> {
    if let Some(s) = open_sale(tx)? {
        return Ok(s);
    }
    let number: i64 = tx.query_row("SELECT coalesce(max(number), 0) + 1 FROM sales", [], |r| r.get(0))?;
    let id = uuid::Uuid::new_v4().to_string();
    tx.execute(
        "INSERT INTO sales (id, number, terminal_id, cashier_id, opened_at) VALUES (?1, ?2, ?3, ?4, ?5)",
        params![id, number, ctx.terminal_id, ctx.cashier_id, now],
    )?;
    load_sale(tx, &id)
}

pub(super) fn hold_of(tx: &Connection, intent: &Intent) -> Result<SaleHold, StoreError> {
    let sale = match &intent.sale_id {
        Some(id) => Some(load_sale(tx, id)?),
        None => None,
    };
    Ok(SaleHold { sale, intent_id: intent.id.clone(), scanned_at: intent.created_at })
}

impl Store {
    /// The sale at the till, if one is open.
    pub fn open_sale(&self) -> Result<Option<Sale>, StoreError> {
        open_sale(&self.reader())
    }

    pub fn sale(&self, id: &str) -> Result<Sale, StoreError> {
        load_sale(&self.reader(), id)
    }

    /// The sale's intents in the order they were scanned.
    pub fn sale_intents(&self, sale_id: &str) -> Result<Vec<Intent>, StoreError> {
        intents_of(&self.reader(), sale_id)
    }

    /// The newest `limit` sales, newest first.
    pub fn sales(&self, limit: u32) -> Result<Vec<Sale>, StoreError> {
        let conn = self.reader();
        let mut st = conn.prepare_cached(&format!("SELECT {SALE_COLS} FROM sales ORDER BY number DESC LIMIT ?1"))?;
        let rows = st.query_map([limit], sale_from_row)?;
        Ok(rows.collect::<Result<_, _>>()?)
    }

    /// How many sales closed in `[from_ms, to_ms)` (a store's day, for its report).
    pub fn sales_closed_between(&self, from_ms: i64, to_ms: i64) -> Result<u32, StoreError> {
        Ok(self.reader().query_row(
            "SELECT count(*) FROM sales WHERE closed_at >= ?1 AND closed_at < ?2",
            [from_ms, to_ms],
            |r| r.get(0),
        )?)
    }

    /// Sets the open sale's total (opening a sale when none is open: a total is
    /// often typed before the first voucher).
    pub fn set_sale_total(&self, ctx: &SaleContext, total_cents: Option<i64>) -> Result<Sale, StoreError> {
        let mut conn = self.conn();
        let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
        let sale = open_sale_in(&tx, ctx, self.clock.now_ms())?;
        tx.execute("UPDATE sales SET total_cents = ?2 WHERE id = ?1", params![sale.id, total_cents])?;
        tx.commit()?;
        Ok(Sale { total_cents, ..sale })
    }

    /// The Redeem press for a whole sale: every scanned voucher of it is committed,
    /// each with its own intent and key, in one transaction. Returns those committed
    /// by this press (none for a second press).
    pub fn press_sale(&self, sale_id: &str, actor: &str) -> Result<Vec<Intent>, StoreError> {
        let mut conn = self.conn();
        let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
        let sale = load_sale(&tx, sale_id)?;
        if sale.closed_at.is_some() {
            return Err(StoreError::SaleClosed(sale.number));
        }
        let now = self.clock.now_ms();
        let mut out = Vec::new();
        for i in intents_of(&tx, sale_id)?.into_iter().filter(|i| i.state == IntentState::Scanned) {
            out.push(press(&tx, i, now, actor, false)?);
        }
        tx.commit()?;
        Ok(out)
    }

    /// Closes a sale, in one transaction, only if every voucher in it is settled
    /// ([`Intent::needs_answer`]); scans never pressed are withdrawn (never
    /// sent), and the sale with the intents this changed is returned. Otherwise
    /// nothing changes and the error names the vouchers that wait for an answer.
    /// Closing a closed sale again changes nothing (and says so: `closed_now`).
    pub fn close_sale(&self, sale_id: &str, actor: &str) -> Result<Closing, StoreError> {
        let mut conn = self.conn();
        let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
        let sale = load_sale(&tx, sale_id)?;
        if sale.closed_at.is_some() {
            return Ok(Closing { sale, changed: Vec::new(), closed_now: false });
        }
        let intents = intents_of(&tx, sale_id)?;
        let waiting: Vec<&Intent> = intents.iter().filter(|i| i.needs_answer()).collect();
        if !waiting.is_empty() {
            return Err(StoreError::SaleUnresolved {
                number: sale.number,
                vouchers: waiting.iter().map(|i| crate::domain::voucher::log_form(&i.code)).collect(),
                intent_ids: waiting.iter().map(|i| i.id.clone()).collect(),
            });
        }
        let now = self.clock.now_ms();
        let mut changed = Vec::new();
        for i in intents.into_iter().filter(|i| i.state == IntentState::Scanned) {
            changed.push(if i.maybe_executed {
                let note =
                    "the sale closed before Redeem was pressed; restored from a backup, so looked up, never withdrawn";
                decline_restored_scan(&tx, i, now, actor, note)?
            } else {
                apply(
                    &tx,
                    i,
                    IntentState::Cancelled,
                    now,
                    actor,
                    Some("withdrawn: the sale closed before Redeem was pressed"),
                    None,
                    |_| {},
                )?
            });
        }
        tx.execute("UPDATE sales SET closed_at = ?2 WHERE id = ?1", params![sale_id, now])?;
        tx.commit()?;
        Ok(Closing { sale: Sale { closed_at: Some(now), ..sale }, changed, closed_now: true })
    }

    /// Records that a receipt of the sale goes to the printer now, and says whether
    /// it is a COPY (one went before), in one statement: two prints at once, from
    /// the app and the command line, cannot both be the original.
    pub fn claim_receipt_print(&self, sale_id: &str, actor: &str) -> Result<bool, StoreError> {
        Ok(self.conn().query_row(
            "INSERT INTO receipt_prints (sale_id, printed_at, copy, actor) \
             SELECT ?1, ?2, EXISTS (SELECT 1 FROM receipt_prints WHERE sale_id = ?1), ?3 RETURNING copy",
            params![sale_id, self.clock.now_ms(), actor],
            |r| r.get(0),
        )?)
    }

    /// A sale by its number on this terminal (what a receipt and a person say).
    pub fn sale_by_number(&self, number: i64) -> Result<Sale, StoreError> {
        self.reader()
            .query_row(&format!("SELECT {SALE_COLS} FROM sales WHERE number = ?1"), [number], sale_from_row)
            .optional()?
            .ok_or_else(|| StoreError::NotFound(format!("sale {number}")))
    }
}
