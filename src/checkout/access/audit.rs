//! The terminal's own history: who set, changed or reset a PIN, who typed a wrong one,
//! who signed in, who added a cashier or changed a setting, and when. Intents have
//! their own history; this is for everything a person does to the terminal itself, so
//! that a manager (or whoever looks after the till) can see an attack or a mistake.
//! The table is append-only (a trigger refuses updates and deletes).

use rusqlite::{params, Connection};
use serde::Serialize;

use crate::store::{Store, StoreError};

#[derive(Debug, Clone, PartialEq, Eq, Serialize, ts_rs::TS)]
pub struct AuditEntry {
    /// Its place in the audit: pages are asked for "before this id".
    pub id: i64,
    pub at: i64,
    pub actor: String,
    pub event: String,
    pub detail: Option<String>,
}

/// Appends one row, inside the caller's transaction, so the row and the change it
/// describes are written together or not at all.
pub(crate) fn record(
    conn: &Connection,
    at: i64,
    actor: &str,
    event: &str,
    detail: Option<&str>,
) -> rusqlite::Result<()> {
    conn.execute(
        "INSERT INTO audit (at, actor, event, detail) VALUES (?1, ?2, ?3, ?4)",
        params![at, actor, event, detail],
    )?;
    Ok(())
}

/// Appends one row on its own.
pub fn append(store: &Store, actor: &str, event: &str, detail: Option<&str>) -> Result<(), StoreError> {
    let at = store.now_ms();
    store.with_transaction(|tx| record(tx, at, actor, event, detail))
}

/// The newest `limit` rows, newest first.
pub fn recent(store: &Store, limit: u32) -> Result<Vec<AuditEntry>, StoreError> {
    Ok(page(store, None, limit)?.entries)
}

/// One page of the audit, newest first: every row can be reached, however many came
/// after it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, ts_rs::TS)]
pub struct AuditPage {
    pub entries: Vec<AuditEntry>,
    /// Ask for the rows before this id for the next (older) page; none at the end.
    pub older_than: Option<i64>,
}

/// Up to `limit` rows older than `before` (none: the newest), newest first.
pub fn page(store: &Store, before: Option<i64>, limit: u32) -> Result<AuditPage, StoreError> {
    let limit = limit.max(1);
    let mut entries: Vec<AuditEntry> = store.read(|c| {
        let mut st =
            c.prepare_cached("SELECT id, at, actor, event, detail FROM audit WHERE id < ?1 ORDER BY id DESC LIMIT ?2")?;
        let rows = st.query_map(params![before.unwrap_or(i64::MAX), limit + 1], |r| {
            Ok(AuditEntry { id: r.get(0)?, at: r.get(1)?, actor: r.get(2)?, event: r.get(3)?, detail: r.get(4)? })
        })?;
        rows.collect()
    })?;
    let more = entries.len() > limit as usize;
    entries.truncate(limit as usize);
    let older_than = more.then(|| entries.last().map(|e| e.id)).flatten();
    Ok(AuditPage { entries, older_than })
}
