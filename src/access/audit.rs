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
pub fn append(
    store: &Store,
    actor: &str,
    event: &str,
    detail: Option<&str>,
) -> Result<(), StoreError> {
    let at = store.now_ms();
    store.with_transaction(|tx| record(tx, at, actor, event, detail))
}

/// The newest `limit` rows, newest first.
pub fn recent(store: &Store, limit: u32) -> Result<Vec<AuditEntry>, StoreError> {
    store.read(|c| {
        let mut st = c.prepare_cached(
            "SELECT at, actor, event, detail FROM audit ORDER BY id DESC LIMIT ?1",
        )?;
        let rows = st.query_map([limit], |r| {
            Ok(AuditEntry {
                at: r.get(0)?,
                actor: r.get(1)?,
                event: r.get(2)?,
                detail: r.get(3)?,
            })
        })?;
        rows.collect()
    })
}
