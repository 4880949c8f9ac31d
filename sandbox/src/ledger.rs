//! The sandbox's durable state: vouchers, the redemption ledger and saved idempotent
//! results, in one SQLite file. A redemption and its saved result commit in one
//! transaction, so a SIGKILL after an answer never loses what was answered.

use std::path::Path;

use rand::Rng;
use rusqlite::{params, Connection, OptionalExtension};

pub const SCHEMA: &str = "
CREATE TABLE IF NOT EXISTS campaigns (
    id   TEXT PRIMARY KEY,
    name TEXT NOT NULL UNIQUE
);
CREATE TABLE IF NOT EXISTS vouchers (
    id                 TEXT PRIMARY KEY,
    campaign_id        TEXT NOT NULL REFERENCES campaigns(id),
    value              INTEGER NOT NULL,
    state              TEXT NOT NULL CHECK (state IN ('active','voided','expired')),
    merchant_forbidden INTEGER NOT NULL DEFAULT 0,
    redeemed_in        TEXT
);
CREATE TABLE IF NOT EXISTS redemptions (
    seq             INTEGER PRIMARY KEY AUTOINCREMENT,
    id              TEXT NOT NULL UNIQUE,
    api_key         TEXT NOT NULL,
    campaign_id     TEXT NOT NULL,
    value           INTEGER NOT NULL,
    metadata        TEXT NOT NULL,
    idempotency_key TEXT NOT NULL,
    voucher_ids     TEXT NOT NULL,
    created_at      INTEGER NOT NULL
);
CREATE TABLE IF NOT EXISTS saved_results (
    api_key    TEXT NOT NULL,
    key        TEXT NOT NULL,
    qr         TEXT NOT NULL,
    metadata   TEXT NOT NULL,
    status     INTEGER NOT NULL,
    body       BLOB NOT NULL,
    created_at INTEGER NOT NULL,
    PRIMARY KEY (api_key, key)
);
";

pub fn open(path: Option<&Path>) -> rusqlite::Result<Connection> {
    let conn = match path {
        Some(p) => Connection::open(p)?,
        None => Connection::open_in_memory()?,
    };
    conn.busy_timeout(std::time::Duration::from_secs(5))?;
    if path.is_some() {
        conn.query_row("PRAGMA journal_mode=WAL", [], |_| Ok(()))?;
    }
    conn.pragma_update(None, "synchronous", "FULL")?;
    conn.execute_batch(SCHEMA)?;
    Ok(conn)
}

/// A saved result, to be replayed byte for byte.
pub struct Saved {
    pub qr: String,
    pub metadata: String,
    pub status: u16,
    pub body: Vec<u8>,
    pub created_at: i64,
}

pub fn saved(conn: &Connection, api_key: &str, key: &str) -> rusqlite::Result<Option<Saved>> {
    conn.query_row(
        "SELECT qr, metadata, status, body, created_at FROM saved_results WHERE api_key = ?1 AND key = ?2",
        params![api_key, key],
        |r| Ok(Saved { qr: r.get(0)?, metadata: r.get(1)?, status: r.get(2)?, body: r.get(3)?, created_at: r.get(4)? }),
    )
    .optional()
}

pub fn forget(conn: &Connection, api_key: &str, key: &str) -> rusqlite::Result<()> {
    conn.execute("DELETE FROM saved_results WHERE api_key = ?1 AND key = ?2", params![api_key, key])?;
    Ok(())
}

pub fn forget_all(conn: &Connection) -> rusqlite::Result<usize> {
    conn.execute("DELETE FROM saved_results", [])
}

/// Why a voucher cannot be redeemed, in the order the contract ranks them.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Refusal {
    NotFound,
    Voided,
    PeriodEnded,
    MerchantForbidden,
    Used,
}

impl Refusal {
    pub fn status_code_message(self) -> (u16, &'static str, &'static str) {
        match self {
            Refusal::NotFound => (404, "redemption_vouchers_not_found", "One or more vouchers could not be found."),
            Refusal::Voided => (402, "redemption_vouchers_voided", "One or more vouchers have been voided."),
            Refusal::PeriodEnded => {
                (402, "redemption_vouchers_period_ended", "The campaign for one or more vouchers has ended.")
            }
            Refusal::MerchantForbidden => (
                403,
                "redemption_vouchers_merchant_forbidden",
                "This merchant is not allowed to redeem one or more of these vouchers.",
            ),
            Refusal::Used => (402, "redemption_vouchers_used", "One or more vouchers have already been redeemed."),
        }
    }
}

pub struct Redeemed {
    pub transaction_id: String,
    pub campaign_id: String,
    pub campaign_name: String,
    pub value: i64,
}

/// Redeems every voucher or none, inside the caller's transaction.
pub fn redeem(
    tx: &Connection,
    api_key: &str,
    key: &str,
    ids: &[String],
    metadata: &str,
    now: i64,
) -> rusqlite::Result<Result<Redeemed, Refusal>> {
    let mut worst: Option<Refusal> = None;
    let mut found = Vec::new();
    for id in ids {
        let row: Option<(String, i64, String, bool, Option<String>)> = tx
            .query_row(
                "SELECT campaign_id, value, state, merchant_forbidden, redeemed_in FROM vouchers WHERE id = ?1",
                [id],
                |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?, r.get(4)?)),
            )
            .optional()?;
        let refusal = match &row {
            None => Some(Refusal::NotFound),
            Some((_, _, state, _, _)) if state == "voided" => Some(Refusal::Voided),
            Some((_, _, state, _, _)) if state == "expired" => Some(Refusal::PeriodEnded),
            Some((_, _, _, true, _)) => Some(Refusal::MerchantForbidden),
            Some((_, _, _, _, Some(_))) => Some(Refusal::Used),
            Some(_) => None,
        };
        if let Some(r) = refusal {
            worst = Some(worst.map_or(r, |w| w.min(r)));
        }
        if let Some(row) = row {
            found.push(row);
        }
    }
    if let Some(r) = worst {
        return Ok(Err(r));
    }
    let transaction_id = format!("transaction_{}", uuid::Uuid::new_v4());
    let campaign_id = found[0].0.clone();
    let value: i64 = found.iter().map(|f| f.1).sum();
    for id in ids {
        tx.execute("UPDATE vouchers SET redeemed_in = ?2 WHERE id = ?1", params![id, transaction_id])?;
    }
    tx.execute(
        "INSERT INTO redemptions (id, api_key, campaign_id, value, metadata, idempotency_key, voucher_ids, created_at)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
        params![transaction_id, api_key, campaign_id, value, metadata, key, serde_json::to_string(ids).unwrap(), now],
    )?;
    let campaign_name = tx.query_row("SELECT name FROM campaigns WHERE id = ?1", [&campaign_id], |r| r.get(0))?;
    Ok(Ok(Redeemed { transaction_id, campaign_id, campaign_name, value }))
}

#[allow(clippy::too_many_arguments)]
pub fn save_result(
    tx: &Connection,
    api_key: &str,
    key: &str,
    qr: &str,
    metadata: &str,
    status: u16,
    body: &[u8],
    now: i64,
) -> rusqlite::Result<()> {
    tx.execute(
        "INSERT OR REPLACE INTO saved_results (api_key, key, qr, metadata, status, body, created_at)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
        params![api_key, key, qr, metadata, status, body, now],
    )?;
    Ok(())
}

/// Creates a campaign (if new) and `count` vouchers; returns their ids.
pub fn create_vouchers(
    conn: &Connection,
    campaign: &str,
    count: usize,
    value: i64,
    state: &str,
    merchant_forbidden: bool,
) -> rusqlite::Result<Vec<String>> {
    let tx = conn.unchecked_transaction()?;
    let existing: Option<String> =
        tx.query_row("SELECT id FROM campaigns WHERE name = ?1", [campaign], |r| r.get(0)).optional()?;
    let campaign_id = match existing {
        Some(id) => id,
        None => {
            let id = format!("campaign_{}", uuid::Uuid::new_v4());
            tx.execute("INSERT INTO campaigns (id, name) VALUES (?1, ?2)", params![id, campaign])?;
            id
        }
    };
    let mut rng = rand::thread_rng();
    const ALNUM: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
    let mut ids = Vec::with_capacity(count);
    for _ in 0..count {
        let id: String = std::iter::once("v_".to_string())
            .chain((0..21).map(|_| (ALNUM[rng.gen_range(0..ALNUM.len())] as char).to_string()))
            .collect();
        tx.execute(
            "INSERT INTO vouchers (id, campaign_id, value, state, merchant_forbidden) VALUES (?1, ?2, ?3, ?4, ?5)",
            params![id, campaign_id, value, state, merchant_forbidden],
        )?;
        ids.push(id);
    }
    tx.commit()?;
    Ok(ids)
}

/// Sets vouchers' state (`expired` ends their campaign for them, `voided` voids them).
pub fn set_state(conn: &Connection, ids: &[String], state: &str) -> rusqlite::Result<usize> {
    let tx = conn.unchecked_transaction()?;
    let mut n = 0;
    for id in ids {
        n += tx.execute("UPDATE vouchers SET state = ?2 WHERE id = ?1", params![id, state])?;
    }
    tx.commit()?;
    Ok(n)
}

/// Every voucher: id, state, and the transaction that redeemed it.
pub fn vouchers(conn: &Connection) -> rusqlite::Result<Vec<(String, String, Option<String>)>> {
    let mut st = conn.prepare("SELECT id, state, redeemed_in FROM vouchers ORDER BY rowid")?;
    let rows = st.query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))?;
    rows.collect()
}

/// One row of the transactions list, in the order they were made.
pub struct TxRow {
    pub seq: i64,
    pub id: String,
    pub campaign_id: String,
    pub value: i64,
    pub metadata: String,
    pub created_at: i64,
    pub api_key: String,
    pub idempotency_key: String,
    pub voucher_ids: String,
}

pub fn list(
    conn: &Connection,
    api_key: Option<&str>,
    from_ms: i64,
    to_ms: i64,
    after_seq: i64,
    limit: i64,
) -> rusqlite::Result<Vec<TxRow>> {
    let mut st = conn.prepare_cached(
        "SELECT seq, id, campaign_id, value, metadata, created_at, api_key, idempotency_key, voucher_ids FROM redemptions
         WHERE (?1 IS NULL OR api_key = ?1) AND created_at >= ?2 AND created_at < ?3 AND seq > ?4
         ORDER BY seq LIMIT ?5",
    )?;
    let rows = st.query_map(params![api_key, from_ms, to_ms, after_seq, limit], |r| {
        Ok(TxRow {
            seq: r.get(0)?,
            id: r.get(1)?,
            campaign_id: r.get(2)?,
            value: r.get(3)?,
            metadata: r.get(4)?,
            created_at: r.get(5)?,
            api_key: r.get(6)?,
            idempotency_key: r.get(7)?,
            voucher_ids: r.get(8)?,
        })
    })?;
    rows.collect()
}

/// Writes `rows` (metadata, value in cents, created_at in ms) as redemptions of
/// `api_key` in one transaction, with no vouchers behind them: a busy chain's day,
/// for benchmarks of the transactions list.
pub fn bulk_redemptions(
    conn: &mut Connection,
    api_key: &str,
    campaign_id: &str,
    rows: &[(String, i64, i64)],
) -> rusqlite::Result<()> {
    let tx = conn.transaction()?;
    {
        let mut st = tx.prepare(
            "INSERT INTO redemptions (id, api_key, campaign_id, value, metadata, idempotency_key, voucher_ids, created_at)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, '[]', ?7)",
        )?;
        for (metadata, value, at) in rows {
            let id = format!("transaction_{}", uuid::Uuid::new_v4());
            st.execute(params![id, api_key, campaign_id, value, metadata, format!("bulk-{id}"), at])?;
        }
    }
    tx.commit()
}
