//! Retention: a till cannot keep every voucher it ever saw, but nothing may leave
//! its database unnoticed or unfinished. So the only removal there is: final intents
//! (redeemed, refused, cancelled) whose last change is older than the store's
//! retention (setting, default 400 days, past a year's audit) are written to a CSV
//! archive the manager chooses, and then, in the same transaction, removed with their
//! attempts and history. Nothing pending or in review is ever removed, whatever its
//! age; younger rows stay append-only, enforced by the schema's triggers
//! (migration 004), not only here.
//!
//! An intent's age is judged on the store's steady time (`store::steady`), not the
//! wall clock alone: setting the date forward archives nothing early.
//!
//! The newest intent is always kept, whatever it is: rowids are never reused while
//! the largest one stays, and the re-scan lookup orders by rowid.

use crate::ErrorCode;
use std::path::{Path, PathBuf};

use serde::Serialize;

use crate::checkout::settings::{retention_too_short, MIN_RETENTION_DAYS};
use crate::records::export::{write_export, ExportError};
use crate::records::redemption_log::write_csv;
use crate::store::{intent_from_row, Store, COLS};
use crate::Error;

/// What one archive run did.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, ts_rs::TS)]
pub struct Archived {
    /// How many intents were archived and removed.
    pub count: u32,
    /// Intents whose last change was before this (Unix ms) were eligible.
    pub cutoff_ms: i64,
    /// The archive, when there was anything to write.
    pub file: Option<String>,
}

/// Database errors inside the archive's transaction.
fn db(e: rusqlite::Error) -> Error {
    Error::Store(e.into())
}

const ELIGIBLE: &str = "state IN ('redeemed', 'refused', 'cancelled') AND updated_at < ?1 \
                        AND rowid < (SELECT max(rowid) FROM intents)";

/// Archives to `dest` (by the export rules: 0600, temporary file then rename, never
/// inside `data_dir`) and removes every final intent last changed more than
/// `older_than_days` ago; `by` is recorded in the terminal's history. With nothing
/// eligible no file is written. A failure anywhere (the file, the disk) rolls the
/// whole removal back: an intent is removed only once its archive is on disk.
pub fn archive(store: &Store, older_than_days: u32, dest: &Path, data_dir: &Path, by: &str) -> Result<Archived, Error> {
    if older_than_days < MIN_RETENTION_DAYS {
        return Err(retention_too_short(older_than_days).into());
    }
    let now = store.now_ms();
    let cutoff_ms = cutoff(store.steady_now_ms()?, older_than_days);
    let zone = crate::checkout::settings::TerminalSettings::load(store)?.zone();
    store.with_transaction_and(|tx| {
        let rows = {
            let mut st = tx
                .prepare(&format!("SELECT {COLS} FROM intents WHERE {ELIGIBLE} ORDER BY created_at, id"))
                .map_err(db)?;
            let rows = st.query_map([cutoff_ms], intent_from_row).map_err(db)?;
            rows.collect::<rusqlite::Result<Vec<_>>>().map_err(db)?
        };
        if rows.is_empty() {
            return Ok(Archived { count: 0, cutoff_ms, file: None });
        }
        write_export(dest, data_dir, |out| write_csv(out, &rows, &zone).map_err(|e| ExportError::io(dest, e)))?;
        tx.execute("INSERT INTO retention_gate (id, cutoff_ms) VALUES (1, ?1)", [cutoff_ms]).map_err(db)?;
        for table in ["attempts", "transitions"] {
            tx.execute(
                &format!("DELETE FROM {table} WHERE intent_id IN (SELECT id FROM intents WHERE {ELIGIBLE})"),
                [cutoff_ms],
            )
            .map_err(db)?;
        }
        let removed = tx.execute(&format!("DELETE FROM intents WHERE {ELIGIBLE}"), [cutoff_ms]).map_err(db)?;
        tx.execute("DELETE FROM retention_gate", []).map_err(db)?;
        if removed != rows.len() {
            // Cannot happen inside one write transaction; if it did, the archive and
            // the database would disagree, so nothing is removed.
            return Err(Error::NotAllowed {
                code: ErrorCode::ArchiveMismatch,
                message: format!("{} intents written, {removed} to remove: nothing was removed.", rows.len()),
            });
        }
        let detail =
            format!("{removed} intents last changed before {}, to {}", zone.rfc3339(cutoff_ms), dest.display());
        crate::checkout::access::audit::record(tx, now, by, "intents_archived", Some(&detail)).map_err(db)?;
        tracing::info!(count = removed, cutoff_ms, "archived and removed final intents past the retention");
        Ok(Archived { count: removed as u32, cutoff_ms, file: Some(dest.display().to_string()) })
    })
}

/// The file name a manager is offered: the cutoff's date, in the store's zone.
pub fn suggested_name(store: &Store, older_than_days: u32) -> Result<PathBuf, Error> {
    let zone = crate::checkout::settings::TerminalSettings::load(store)?.zone();
    let day: String = zone.rfc3339(cutoff(store.steady_now_ms()?, older_than_days)).chars().take(10).collect();
    Ok(PathBuf::from(format!("voucher-archive-before-{day}.csv")))
}

/// The moment before which a final intent's last change makes it eligible.
fn cutoff(now_ms: i64, older_than_days: u32) -> i64 {
    now_ms - i64::from(older_than_days) * 86_400_000
}
