//! The durable queue: intents, their attempts and their history in SQLite.
//!
//! The store is where the one invariant is kept: an intent exists on disk (WAL,
//! `synchronous=FULL`) before the cashier sees it, every state change is a
//! compare-and-set checked against [`crate::domain::intent::TRANSITIONS`] in one transaction
//! with its history row and attempt row, and a crash at any instruction leaves either
//! the old row or the new one. One process owns a database file (an exclusive lock
//! file), and inside it one connection behind a mutex is the single writer, so no
//! "database is locked" ever reaches a cashier.
//!
//! In parts: `paths` (where the files live, the lock), `open` (migrations, moving a
//! damaged file aside, marking a restored copy), `intents` (the scan and every
//! state change), `sales`, `group` (the engine's group commit) and `steady` (the
//! steady time). This file holds the types, the connections and the settings rows.

use crate::ErrorCode;
use std::fs::{File, OpenOptions};
use std::io::Read;
use std::os::unix::fs::{OpenOptionsExt, PermissionsExt};
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex, MutexGuard};

use rusqlite::{params, Connection, OptionalExtension, Row, Transaction, TransactionBehavior};
use rusqlite_migration::{Migrations, M};
use serde::Serialize;

use crate::domain::intent::{
    build_body, build_metadata, transition_reason, unsent_state, ContextError, Intent, IntentState, SaleContext,
};
use crate::domain::voucher::VoucherCode;
use crate::platform::clock::Clock;

mod group;
mod intents;
mod open;
mod paths;
mod sales;
mod steady;

pub(crate) use intents::*;
pub use open::*;
pub use paths::*;
pub use sales::{Closing, Sale, SaleHold};

/// Everything that can go wrong with the terminal's database, each with a stable code.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum StoreError {
    #[error("The terminal database {path} is already open in another process.")]
    Locked { path: PathBuf },
    #[error("The file {path} is not a usable terminal database ({why}). It was moved aside, intact, to {moved_to}; the terminal starts with an empty database next time.")]
    Corrupt { path: PathBuf, moved_to: PathBuf, why: String },
    #[error("The terminal database was written by a newer version of the terminal (schema {found}; this version knows up to {supported}). It was left untouched; run the newer version.")]
    NewerSchema { found: i64, supported: i64 },
    #[error("The disk is full: nothing was saved.")]
    DiskFull,
    #[error("The terminal database {path} could not be read ({why}). Nothing was moved or changed; check that no other program holds it and that the disk is healthy, then start again.")]
    Unavailable { path: PathBuf, why: String },
    #[error("No intent {0}.")]
    NotFound(String),
    #[error("Intent {id} cannot go from {from} to {to}.")]
    IllegalTransition { id: String, from: IntentState, to: IntentState },
    #[error("Intent {id} is {actual}, not {expected}: someone else changed it first.")]
    StateChanged { id: String, expected: IntentState, actual: IntentState },
    #[error(transparent)]
    Context(#[from] ContextError),
    /// The code's live intent belongs to another sale: it pays for that sale only.
    #[error("{}", .0.describe(crate::platform::clock::rfc3339))]
    InOtherSale(SaleHold),
    /// Pressed vouchers with no outcome and no answer from the cashier.
    #[error("Sale {number} cannot close yet: {} still waiting for the service. Accept or decline each one first.", .vouchers.join(", "))]
    SaleUnresolved { number: i64, vouchers: Vec<String>, intent_ids: Vec<String> },
    #[error("Sale {0} is closed.")]
    SaleClosed(i64),
    /// The store's offline policy does not let the sale go ahead on this voucher now.
    #[error("{0}")]
    OfflineNotAllowed(String),
    #[error("{0}")]
    NotWithdrawable(String),
    /// The cashier already gave the other answer for this voucher.
    #[error("This voucher was already {}.", if *.accepted { "accepted for the sale" } else { "declined: the customer paid another way" })]
    AlreadyAnswered { accepted: bool },
    #[error("Database error: {0}")]
    Sqlite(rusqlite::Error),
    #[error("Database migration failed: {0}")]
    Migration(String),
    #[error("Could not use the database files: {0}")]
    Io(#[from] std::io::Error),
}

impl StoreError {
    pub fn code(&self) -> crate::ErrorCode {
        match self {
            StoreError::Locked { .. } => ErrorCode::StoreLocked,
            StoreError::Corrupt { .. } => ErrorCode::StoreCorrupt,
            StoreError::NewerSchema { .. } => ErrorCode::StoreNewerSchema,
            StoreError::DiskFull => ErrorCode::StoreDiskFull,
            StoreError::Unavailable { .. } => ErrorCode::StoreUnavailable,
            StoreError::NotFound(_) => ErrorCode::IntentNotFound,
            StoreError::IllegalTransition { .. } => ErrorCode::IntentIllegalTransition,
            StoreError::StateChanged { .. } => ErrorCode::IntentStateChanged,
            StoreError::Context(e) => e.code(),
            StoreError::InOtherSale(_) => ErrorCode::VoucherInOtherSale,
            StoreError::SaleUnresolved { .. } => ErrorCode::SaleUnresolved,
            StoreError::SaleClosed(_) => ErrorCode::SaleClosed,
            StoreError::OfflineNotAllowed(_) => ErrorCode::OfflineNotAllowed,
            StoreError::NotWithdrawable(_) => ErrorCode::CancelNotAllowed,
            StoreError::AlreadyAnswered { accepted: true } => ErrorCode::AlreadyAccepted,
            StoreError::AlreadyAnswered { accepted: false } => ErrorCode::AlreadyDeclined,
            StoreError::Sqlite(_) => ErrorCode::StoreSqlite,
            StoreError::Migration(_) => ErrorCode::StoreMigration,
            StoreError::Io(_) => ErrorCode::StoreIo,
        }
    }
}

impl From<rusqlite::Error> for StoreError {
    fn from(e: rusqlite::Error) -> Self {
        match e.sqlite_error_code() {
            Some(rusqlite::ErrorCode::DiskFull) => StoreError::DiskFull,
            _ => StoreError::Sqlite(e),
        }
    }
}

/// What a scan did.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, ts_rs::TS)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum ScanResult {
    /// A new intent with a fresh key.
    Created { intent: Intent },
    /// The code already has an intent on its way; no second one was made.
    Existing { intent: Intent },
    /// The code was already redeemed on this terminal; nothing was created.
    AlreadyRedeemed { intent: Intent },
}

impl ScanResult {
    /// The variant's name as serialised (`created`, `existing`, `already_redeemed`).
    pub fn kind(&self) -> &'static str {
        match self {
            ScanResult::Created { .. } => "created",
            ScanResult::Existing { .. } => "existing",
            ScanResult::AlreadyRedeemed { .. } => "already_redeemed",
        }
    }

    pub fn intent(&self) -> &Intent {
        match self {
            ScanResult::Created { intent }
            | ScanResult::Existing { intent }
            | ScanResult::AlreadyRedeemed { intent } => intent,
        }
    }
}

/// How [`Store::decide`] turns an outcome into a row: it sees the row as it is now,
/// sets the fields that go with the outcome, and names the state to move to.
pub type Decide = Arc<dyn Fn(&mut Intent) -> (IntentState, Option<String>) + Send + Sync>;

/// One attempt to record with a state change.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewAttempt {
    pub kind: AttemptKind,
    pub started_at: i64,
    pub ended_at: i64,
    pub http_status: Option<u16>,
    pub outcome: String,
    pub replayed: bool,
    pub detail: Option<String>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum AttemptKind {
    Redeem,
    Lookup,
    Interrupted,
}

impl AttemptKind {
    pub fn as_str(self) -> &'static str {
        match self {
            AttemptKind::Redeem => "redeem",
            AttemptKind::Lookup => "lookup",
            AttemptKind::Interrupted => "interrupted",
        }
    }
}

/// One stored attempt.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, ts_rs::TS)]
pub struct Attempt {
    pub id: i64,
    pub intent_id: String,
    pub kind: String,
    pub started_at: i64,
    pub ended_at: i64,
    pub http_status: Option<u16>,
    pub outcome: String,
    pub replayed: bool,
    pub latency_ms: i64,
    pub detail: Option<String>,
}

/// One stored state change.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, ts_rs::TS)]
pub struct HistoryEntry {
    pub at: i64,
    pub from_state: Option<String>,
    pub to_state: String,
    pub actor: String,
    pub note: Option<String>,
}

/// What the checkout screen shows of the queue.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Default, ts_rs::TS)]
pub struct QueueSummary {
    /// Committed intents without an outcome yet.
    pub pending: u32,
    /// Created time of the oldest pending intent.
    pub oldest_pending_created_at: Option<i64>,
    /// Intents waiting for a manager.
    pub needs_review: u32,
    /// Pending intents whose sale already went ahead.
    pub accepted_offline_pending: u32,
}

/// Tuning that tests and operations need; the defaults are the product's.
#[derive(Debug, Clone)]
pub struct StoreOptions {
    /// Caps the database size in pages (tests use it to simulate a full disk).
    pub max_page_count: Option<u64>,
    /// Run `PRAGMA quick_check` on open (costs a full read of a large database).
    pub integrity_check: bool,
    /// How long a statement waits for another connection's lock before it fails.
    pub busy_timeout: std::time::Duration,
}

impl Default for StoreOptions {
    fn default() -> Self {
        StoreOptions { max_page_count: None, integrity_check: true, busy_timeout: std::time::Duration::from_secs(5) }
    }
}

/// The terminal's database. Cheap to share behind an `Arc`.
pub struct Store {
    /// The one writer.
    conn: Mutex<Connection>,
    /// A read-only connection: under WAL, reads never wait behind a writer's flush.
    reader: Mutex<Connection>,
    /// The engine's writes waiting to share the writer's next commit.
    group: group::Group,
    clock: Arc<dyn Clock>,
    /// The service's `Date` as the engine last saw it (see [`steady`]).
    service_seen: Mutex<steady::ServiceSeen>,
    path: PathBuf,
    // Held for the store's lifetime: the OS releases it when the process dies.
    _lock: File,
}

impl Store {
    pub fn path(&self) -> &Path {
        &self.path
    }

    pub fn now_ms(&self) -> i64 {
        self.clock.now_ms()
    }

    pub fn clock(&self) -> Arc<dyn Clock> {
        self.clock.clone()
    }

    /// "Now" as both the wall clock and a clock nobody can set agree (see
    /// [`steady`]): for PIN waits and retention, never ahead of [`Store::now_ms`].
    pub fn steady_now_ms(&self) -> Result<i64, StoreError> {
        let service = self.service_seen.lock().unwrap_or_else(|p| p.into_inner()).clone();
        self.with_transaction(|tx| steady::now(tx, &*self.clock, &service))
    }

    /// The service's clock (Unix ms) as its last `Date` says: lets the steady time
    /// catch up after the machine was off. Memory only; cheap.
    pub fn saw_service_time(&self, service_ms: i64) {
        *self.service_seen.lock().unwrap_or_else(|p| p.into_inner()) = Some((service_ms, self.clock.uptime()));
    }

    fn conn(&self) -> MutexGuard<'_, Connection> {
        // A panic while holding the lock cannot leave SQLite half-written (the
        // transaction rolls back on drop), so a poisoned lock is still usable.
        self.conn.lock().unwrap_or_else(|p| p.into_inner())
    }

    fn reader(&self) -> MutexGuard<'_, Connection> {
        self.reader.lock().unwrap_or_else(|p| p.into_inner())
    }

    pub fn setting(&self, key: &str) -> Result<Option<String>, StoreError> {
        Ok(self.reader().query_row("SELECT value FROM settings WHERE key = ?1", [key], |r| r.get(0)).optional()?)
    }

    pub fn set_setting(&self, key: &str, value: &str) -> Result<(), StoreError> {
        self.conn().execute(
            "INSERT INTO settings (key, value) VALUES (?1, ?2) ON CONFLICT(key) DO UPDATE SET value = excluded.value",
            params![key, value],
        )?;
        Ok(())
    }

    /// Copies the whole database into the (new, empty) database file at `dest` with
    /// SQLite's online backup API, holding the writer for the copy: a consistent
    /// snapshot while the terminal runs (see [`crate::records::backup`]).
    pub fn backup_to(&self, dest: &Path) -> Result<(), StoreError> {
        let mut dst = Connection::open(dest)?;
        let conn = self.conn();
        rusqlite::backup::Backup::new(&conn, &mut dst)?.run_to_completion(1024, std::time::Duration::ZERO, None)?;
        Ok(())
    }

    /// Runs a read-only query for the manager's log (see [`crate::log`]).
    pub(crate) fn read<T>(&self, f: impl FnOnce(&Connection) -> rusqlite::Result<T>) -> Result<T, StoreError> {
        Ok(f(&self.reader())?)
    }

    /// Runs a batch of writes in one transaction (bulk fills for tests and benches).
    /// As [`Store::with_transaction`], for work with errors of its own (a file written
    /// inside the transaction): any error rolls the whole transaction back.
    pub fn with_transaction_and<T, E: From<StoreError>>(
        &self,
        f: impl FnOnce(&Transaction) -> Result<T, E>,
    ) -> Result<T, E> {
        let mut conn = self.conn();
        let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate).map_err(StoreError::from)?;
        let out = f(&tx)?;
        tx.commit().map_err(StoreError::from)?;
        Ok(out)
    }

    pub fn with_transaction<T>(&self, f: impl FnOnce(&Transaction) -> rusqlite::Result<T>) -> Result<T, StoreError> {
        let mut conn = self.conn();
        let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
        let out = f(&tx)?;
        tx.commit()?;
        Ok(out)
    }
}
