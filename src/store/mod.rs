//! The durable queue: intents, their attempts and their history in SQLite.
//!
//! The store is where the one invariant is kept: an intent exists on disk (WAL,
//! `synchronous=FULL`) before the cashier sees it, every state change is a
//! compare-and-set checked against [`crate::intent::TRANSITIONS`] in one transaction
//! with its history row and attempt row, and a crash at any instruction leaves either
//! the old row or the new one. One process owns a database file (an exclusive lock
//! file), and inside it one connection behind a mutex is the single writer, so no
//! "database is locked" ever reaches a cashier.

use crate::ErrorCode;
use std::fs::{File, OpenOptions};
use std::io::Read;
use std::os::unix::fs::{OpenOptionsExt, PermissionsExt};
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex, MutexGuard};

use rusqlite::{params, Connection, OptionalExtension, Row, Transaction, TransactionBehavior};
use rusqlite_migration::{Migrations, M};
use serde::Serialize;

use crate::clock::Clock;
use crate::intent::{
    build_body, build_metadata, transition_reason, unsent_state, ContextError, Intent, IntentState, SaleContext,
};
use crate::voucher::VoucherCode;

mod group;
mod sales;
mod steady;
pub use sales::{Sale, SaleHold};

/// The schema's history, oldest first; `user_version` is how many have run. Public
/// so the upgrade tests can build a database as each earlier version left it.
pub const MIGRATIONS: &[&str] = &[
    include_str!("../../migrations/001_intents.sql"),
    include_str!("../../migrations/002_maybe_executed.sql"),
    include_str!("../../migrations/003_access.sql"),
    include_str!("../../migrations/004_retention.sql"),
    include_str!("../../migrations/005_sales.sql"),
    include_str!("../../migrations/006_queue_summary.sql"),
    include_str!("../../migrations/007_pins_and_steady_time.sql"),
];

fn migrations() -> Migrations<'static> {
    Migrations::new(MIGRATIONS.iter().map(|sql| M::up(sql)).collect())
}

/// Runs the first `version` migrations on `conn` (the rest of them, on a database
/// already part way): the schema this terminal makes for that version, which
/// `backup::restore` compares a backup's schema with.
pub(crate) fn migrate_to(conn: &mut Connection, version: usize) -> Result<(), StoreError> {
    migrations().to_version(conn, version).map_err(|e| StoreError::Migration(e.to_string()))
}

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
    #[error("{}", .0.describe(crate::clock::rfc3339))]
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

/// The app identifier (`tauri.conf.json`'s `identifier`): the data folder's name,
/// the one the desktop's own conventions (and Tauri's path API) expect. A test in the
/// shell checks the two agree.
pub const APP_IDENTIFIER: &str = "org.voucherpos.terminal";

/// The data folder's name before it followed the app identifier.
const EARLIER_FOLDER: &str = "voucher-pos";

/// An XDG base folder: `$var` when set and not empty, else `under_home` in `$HOME`
/// (none without a home).
pub fn xdg_folder(var: &str, under_home: &str) -> Option<PathBuf> {
    std::env::var_os(var)
        .filter(|v| !v.is_empty())
        .map(PathBuf::from)
        .or_else(|| std::env::var_os("HOME").map(|h| PathBuf::from(h).join(under_home)))
}

/// `$XDG_DATA_HOME`, else `~/.local/share`.
pub fn data_home() -> PathBuf {
    xdg_folder("XDG_DATA_HOME", ".local/share").unwrap_or_else(|| PathBuf::from("."))
}

/// Where the terminal keeps its database when none is named:
/// `$XDG_DATA_HOME/org.voucherpos.terminal/terminal.db` (see [`adopt_earlier_folder`]).
pub fn default_path() -> PathBuf {
    data_home().join(APP_IDENTIFIER).join("terminal.db")
}

/// What [`adopt_earlier_folder`] found.
#[derive(Debug, PartialEq, Eq)]
pub enum Adopted {
    /// No earlier folder, or it was adopted on an earlier start.
    Nothing,
    /// The earlier folder was renamed to the current one, with everything in it.
    Moved { from: PathBuf, to: PathBuf },
    /// Both exist: the current one is used and the earlier one left for a person to
    /// look at (it is never merged or deleted).
    BothExist { earlier: PathBuf },
}

/// Moves the data folder of earlier versions (`voucher-pos/`) to the one named
/// after the app identifier, the first time a version that uses it starts with the
/// default database. One `rename` within the same folder: the database, its WAL, the
/// secrets file, logs and backups move together or not at all. Refused while an
/// earlier version still has that database open (it would lose its files under it).
///
/// Earlier versions could leave the folder 0755 and its files 0644, readable by every
/// local user; they are made the owner's alone (`tighten_modes`) before the
/// rename, so that a failure leaves the folder where the next start finds it again.
pub fn adopt_earlier_folder(data_home: &Path) -> Result<Adopted, StoreError> {
    let earlier = data_home.join(EARLIER_FOLDER);
    let current = data_home.join(APP_IDENTIFIER);
    if !earlier.is_dir() {
        return Ok(Adopted::Nothing);
    }
    if current.exists() {
        return Ok(Adopted::BothExist { earlier });
    }
    let db = earlier.join("terminal.db");
    // Held across the rename: an earlier version starting at that moment finds its
    // database in use and stops.
    let _lock = if db.exists() { Some(take_lock(&db)?) } else { None };
    tighten_modes(&earlier)?;
    std::fs::rename(&earlier, &current)?;
    tracing::info!(from = %earlier.display(), to = %current.display(), "moved the data folder to follow the app identifier");
    Ok(Adopted::Moved { from: earlier, to: current })
}

/// Makes `dir` and every folder below it 0700 and every file in them 0600: they hold
/// vouchers, receipts and the API key. A symbolic link is never followed nor changed
/// (it may point anywhere, at a file that is not ours to change); other kinds of
/// entry (a socket) are left as they are.
fn tighten_modes(dir: &Path) -> std::io::Result<()> {
    if !std::fs::symlink_metadata(dir)?.is_dir() {
        return Ok(());
    }
    // First, so that a folder its owner could not read is read.
    std::fs::set_permissions(dir, std::fs::Permissions::from_mode(0o700))?;
    for entry in std::fs::read_dir(dir)? {
        let entry = entry?;
        // The entry's own type: a link is a link here, never what it points at.
        let kind = entry.file_type()?;
        // Not ours (say a log written by `sudo voucher-pos`): not ours to change, and
        // trying would fail the whole adoption. Said, and left.
        let owner = std::os::unix::fs::MetadataExt::uid(&entry.metadata()?);
        // SAFETY: geteuid cannot fail.
        if owner != unsafe { libc::geteuid() } {
            tracing::warn!(path = %entry.path().display(), owner, "left as it is: another user's file in the adopted folder");
            continue;
        }
        if kind.is_dir() {
            tighten_modes(&entry.path())?;
        } else if kind.is_file() {
            std::fs::set_permissions(entry.path(), std::fs::Permissions::from_mode(0o600))?;
        }
    }
    Ok(())
}

/// The folder that holds the database at `db` and everything beside it (secrets file,
/// logs, backups): exports are refused there.
pub fn data_dir(db: &Path) -> PathBuf {
    db.parent().filter(|d| !d.as_os_str().is_empty()).unwrap_or(Path::new(".")).to_path_buf()
}

const SQLITE_MAGIC: &[u8; 16] = b"SQLite format 3\0";

impl Store {
    pub fn open(path: impl AsRef<Path>, clock: Arc<dyn Clock>) -> Result<Store, StoreError> {
        Self::open_with(path, clock, StoreOptions::default())
    }

    pub fn open_with(path: impl AsRef<Path>, clock: Arc<dyn Clock>, opts: StoreOptions) -> Result<Store, StoreError> {
        let path = path.as_ref().to_path_buf();
        if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
            // A folder we create holds vouchers and secrets: the owner's alone. An
            // existing one (say /tmp) is not ours to change.
            crate::fsx::private_dir(dir)?;
        }
        let lock = take_lock(&path)?;
        private_file(&path)?;
        check_header(&path, &clock)?;
        let mut conn =
            Connection::open(&path).map_err(|e| StoreError::Unavailable { path: path.clone(), why: e.to_string() })?;
        conn.busy_timeout(opts.busy_timeout)?;

        // Refuse a newer schema before anything writes to the file.
        let found: i64 = match conn.query_row("PRAGMA user_version", [], |r| r.get(0)) {
            Ok(v) => v,
            Err(e) => return Err(not_ours_or_unavailable(&path, &clock, e, conn)),
        };
        let supported = MIGRATIONS.len() as i64;
        if found > supported {
            return Err(StoreError::NewerSchema { found, supported });
        }
        if found == 0 {
            let foreign: i64 = match conn.query_row("SELECT count(*) FROM sqlite_master", [], |r| r.get(0)) {
                Ok(n) => n,
                Err(e) => return Err(not_ours_or_unavailable(&path, &clock, e, conn)),
            };
            if foreign > 0 {
                return Err(move_aside(&path, &clock, "an SQLite database of another program".into(), conn));
            }
        }
        if opts.integrity_check {
            let verdict: Result<String, _> = conn.query_row("PRAGMA quick_check(1)", [], |r| r.get(0));
            match verdict {
                Ok(v) if v == "ok" => {}
                Ok(v) => return Err(move_aside(&path, &clock, v, conn)),
                Err(e) => return Err(not_ours_or_unavailable(&path, &clock, e, conn)),
            }
        }
        let mode: String = conn.query_row("PRAGMA journal_mode=WAL", [], |r| r.get(0))?;
        if !mode.eq_ignore_ascii_case("wal") {
            return Err(StoreError::Migration(format!("could not turn on WAL (journal_mode is {mode})")));
        }
        conn.pragma_update(None, "synchronous", "FULL")?;
        conn.pragma_update(None, "foreign_keys", "ON")?;
        migrations().to_latest(&mut conn).map_err(|e| StoreError::Migration(e.to_string()))?;
        // A copy `backup::restore` just put in place (no required write otherwise:
        // this runs at every start; the steady time's reading below may fail).
        let restored: Option<String> =
            conn.query_row("SELECT value FROM settings WHERE key = ?1", [RESTORE_PENDING], |r| r.get(0)).optional()?;
        if let Some(from) = restored {
            let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
            let marked = mark_restored(&tx, clock.now_ms(), &from)?;
            tx.execute("DELETE FROM settings WHERE key = ?1", [RESTORE_PENDING])?;
            tx.commit()?;
            tracing::warn!(marked, from = %from, "restored database: every intent not final in it is maybe-executed from now on");
        }
        if let Some(pages) = opts.max_page_count {
            conn.query_row(&format!("PRAGMA max_page_count={pages}"), [], |_| Ok(()))?;
        }
        // SQLite gives the WAL and shared-memory files the database file's mode; make
        // sure of it for files left by an older version.
        for side in SIDE_FILES.map(|suffix| with_suffix(&path, suffix)) {
            if side.exists() {
                std::fs::set_permissions(&side, std::fs::Permissions::from_mode(0o600))?;
            }
        }
        let reader = Connection::open_with_flags(
            &path,
            rusqlite::OpenFlags::SQLITE_OPEN_READ_ONLY | rusqlite::OpenFlags::SQLITE_OPEN_NO_MUTEX,
        )?;
        reader.busy_timeout(std::time::Duration::from_secs(5))?;
        let store = Store {
            conn: Mutex::new(conn),
            reader: Mutex::new(reader),
            group: Default::default(),
            clock,
            service_seen: Mutex::new(None),
            path,
            _lock: lock,
        };
        // Read at every start, so a restart within one boot counts the time between.
        // Best effort: a full disk must not stop a start that needs no write (the
        // PIN check and the archive, which need it, fail closed on their own).
        if let Err(e) = store.steady_now_ms() {
            tracing::warn!(error = %e, "could not record the steady time at start");
        }
        Ok(store)
    }

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

    /// Records a scan for the open sale (opening one if none is open): returns the
    /// code's intent in this sale, says it was already redeemed, refuses a code whose
    /// live intent belongs to another sale (it pays for that sale only), or creates a
    /// new intent in this sale with a fresh key and frozen request bytes. Durable on
    /// return.
    pub fn scan(&self, code: &VoucherCode, ctx: &SaleContext) -> Result<ScanResult, StoreError> {
        let mut conn = self.conn();
        let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
        let now = self.clock.now_ms();
        let sale = sales::open_sale_in(&tx, ctx, now)?;
        let last: Option<Intent> = tx
            .query_row(
                &format!("SELECT {COLS} FROM intents WHERE code = ?1 ORDER BY rowid DESC LIMIT 1"),
                [code.as_str()],
                intent_from_row,
            )
            .optional()?;
        if let Some(mut intent) = last {
            if intent.state == IntentState::Redeemed {
                return Ok(ScanResult::AlreadyRedeemed { intent });
            }
            if intent.state.is_live() {
                if intent.sale_id.is_none() && intent.state == IntentState::Scanned {
                    // Scanned before sales were recorded and never sent: it joins this one.
                    tx.execute("UPDATE intents SET sale_id = ?2 WHERE id = ?1", params![intent.id, sale.id])?;
                    intent.sale_id = Some(sale.id.clone());
                    note_in_place(
                        &tx,
                        &intent,
                        now,
                        &format!("cashier:{}", ctx.cashier_id),
                        &format!("joined sale {}: scanned before sales were recorded", sale.number),
                    )?;
                }
                if intent.sale_id.as_deref() != Some(sale.id.as_str()) {
                    return Err(StoreError::InOtherSale(sales::hold_of(&tx, &intent)?));
                }
                // Commit the sale the scan may just have opened: the scan is part of it.
                tx.commit()?;
                return Ok(ScanResult::Existing { intent });
            }
        }
        let id = uuid::Uuid::new_v4().to_string();
        let key = uuid::Uuid::new_v4().to_string();
        let metadata = build_metadata(code, ctx, &id)?;
        let body = build_body(code, &metadata);
        tx.execute(
            "INSERT INTO intents (id, idempotency_key, code, voucher_count, terminal_id, branch_code, cashier_id,
                                  receipt_number, body, state, created_at, updated_at, sale_id)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, 'scanned', ?10, ?10, ?11)",
            params![
                id,
                key,
                code.as_str(),
                code.voucher_count() as i64,
                ctx.terminal_id,
                ctx.branch_code,
                ctx.cashier_id,
                ctx.receipt_number,
                body,
                now,
                sale.id
            ],
        )?;
        insert_history(&tx, &id, now, None, IntentState::Scanned, &format!("cashier:{}", ctx.cashier_id), None)?;
        let intent = load(&tx, &id)?;
        tx.commit()?;
        Ok(ScanResult::Created { intent })
    }

    pub fn get(&self, id: &str) -> Result<Intent, StoreError> {
        load(&self.reader(), id)
    }

    /// The cashier's Redeem press. Idempotent: pressing again (a double click, a
    /// second window) leaves a committed intent as it is and reports it.
    pub fn commit_redeem(&self, id: &str, actor: &str, accepted_offline: bool) -> Result<(Intent, bool), StoreError> {
        let mut conn = self.conn();
        let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
        let current = load(&tx, id)?;
        if current.state != IntentState::Scanned {
            return Ok((current, false));
        }
        let updated = press(&tx, current, self.clock.now_ms(), actor, accepted_offline)?;
        tx.commit()?;
        Ok((updated, true))
    }

    /// Marks a pending intent as accepted for the sale before the service confirmed
    /// it, if `may` (the store's offline policy, given the intent and the queue as this
    /// transaction reads them) allows it: two accepts at once cannot both pass a limit.
    pub fn mark_accepted_offline(
        &self,
        id: &str,
        actor: &str,
        may: impl Fn(&Intent, &QueueSummary, i64) -> Result<(), String>,
    ) -> Result<Intent, StoreError> {
        let mut conn = self.conn();
        let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
        let mut current = load(&tx, id)?;
        if current.declined {
            return Err(StoreError::AlreadyAnswered { accepted: false });
        }
        if current.state == IntentState::Redeemed || current.accepted_offline {
            return Ok(current);
        }
        // Pending, or in review with no answer yet (the customer is still at the till).
        if !current.state.is_pending() && !matches!(current.state, IntentState::Redeemed | IntentState::NeedsReview) {
            return Err(StoreError::IllegalTransition { id: id.into(), from: current.state, to: current.state });
        }
        let now = self.clock.now_ms();
        may(&current, &summary_in(&tx)?, now).map_err(StoreError::OfflineNotAllowed)?;
        current.accepted_offline = true;
        note_in_place(&tx, &current, now, actor, "accepted for the sale before the service confirmed")?;
        tx.commit()?;
        Ok(current)
    }

    /// Moves an intent from `from` to `to` if it is still in `from` and the table
    /// allows it; `edit` sets the fields that go with the change, and `attempt` (if
    /// any) is appended in the same transaction.
    #[allow(clippy::too_many_arguments)]
    pub fn transition(
        &self,
        id: &str,
        from: IntentState,
        to: IntentState,
        actor: &str,
        note: Option<&str>,
        attempt: Option<&NewAttempt>,
        edit: impl FnOnce(&mut Intent),
    ) -> Result<Intent, StoreError> {
        let mut conn = self.conn();
        let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
        let current = load_in(&tx, id, from)?;
        let updated = apply(&tx, current, to, self.clock.now_ms(), actor, note, attempt, edit)?;
        tx.commit()?;
        Ok(updated)
    }

    /// Writes the outcome of a piece of work: `decide` sees the row *as it is now*, in
    /// the transaction that writes it (so an accept or decline made while a request was
    /// out is honoured), sets the fields that go with the outcome and returns the state
    /// to move to. Staying in `from` records the attempt without a history row. Shares
    /// a commit with other engine writes queued at the same time (`group.rs`).
    pub fn decide(
        &self,
        id: &str,
        from: IntentState,
        actor: &str,
        attempt: &NewAttempt,
        decide: &Decide,
    ) -> Result<Intent, StoreError> {
        let (id, actor, attempt, decide, clock) =
            (id.to_owned(), actor.to_owned(), attempt.clone(), decide.clone(), self.clock.clone());
        self.write_grouped(move |tx| {
            let current = load_in(tx, &id, from)?;
            let now = clock.now_ms();
            let mut next = current.clone();
            let (to, note) = decide(&mut next);
            if to == from {
                write_fields(tx, &next, from, now)?;
                insert_attempt(tx, &id, &attempt)?;
                next.updated_at = now;
                Ok(next)
            } else {
                apply(tx, current, to, now, &actor, note.as_deref(), Some(&attempt), |i| *i = next)
            }
        })
    }

    /// Marks an intent `in_flight` before its request leaves (evidence first). Refuses
    /// a declined intent, so a decline that lands between the engine's choice and
    /// the send still stops it. Records where and with which key it goes; a
    /// maybe-executed intent keeps the service and key it was first sent with. Shares a
    /// commit with other engine writes queued at the same time (`group.rs`).
    pub fn begin_send(
        &self,
        id: &str,
        from: IntentState,
        now: i64,
        service_now: Option<i64>,
        service_url: &str,
        key_fp: &str,
    ) -> Result<Intent, StoreError> {
        let (id, service_url, key_fp, clock) =
            (id.to_owned(), service_url.to_owned(), key_fp.to_owned(), self.clock.clone());
        self.write_grouped(move |tx| {
            let current = load_in(tx, &id, from)?;
            if current.declined {
                return Err(StoreError::StateChanged { id, expected: from, actual: current.state });
            }
            apply(tx, current, IntentState::InFlight, clock.now_ms(), "sync", None, None, |i| {
                i.attempt_count += 1;
                if i.first_sent_at.is_none() {
                    i.first_sent_at = Some(now);
                    i.first_sent_service_at = service_now;
                }
                i.window_from.get_or_insert(now);
                if !i.maybe_executed || i.service_url.is_none() {
                    i.service_url = Some(service_url);
                    i.api_key_fp = Some(key_fp);
                }
            })
        })
    }

    /// The cashier took another payment. A scan or a queued intent is withdrawn at
    /// once (no attempt of it can have executed); one that is being sent or may have
    /// executed is marked, never sent again, and settled by the engine from the
    /// transactions list. Idempotent.
    pub fn decline(&self, id: &str, actor: &str) -> Result<Intent, StoreError> {
        let mut conn = self.conn();
        let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
        let mut current = load(&tx, id)?;
        let now = self.clock.now_ms();
        let note = "declined: the customer paid another way";
        let out = match current.state {
            _ if current.declined => current,
            // Compare-and-set with accept: an answer given is never turned into the other.
            _ if current.accepted_offline => return Err(StoreError::AlreadyAnswered { accepted: true }),
            IntentState::Scanned if current.maybe_executed => decline_restored_scan(&tx, current, now, actor, note)?,
            IntentState::Scanned | IntentState::Queued => {
                apply(&tx, current, IntentState::Cancelled, now, actor, Some(note), None, |i| {
                    i.declined = true;
                })?
            }
            IntentState::InFlight | IntentState::Unknown | IntentState::NeedsReview => {
                current.declined = true;
                note_in_place(&tx, &current, now, actor, note)?;
                current
            }
            other => {
                return Err(StoreError::IllegalTransition { id: id.into(), from: other, to: IntentState::Cancelled })
            }
        };
        tx.commit()?;
        Ok(out)
    }

    /// Withdraws a voucher from its sale: only one no request can have left for
    /// (scanned, or queued and never possibly sent), that the cashier has not
    /// answered, in a sale still open. Checked in the transaction that writes it, so
    /// an accept, a decline or a closed sale in between is never undone.
    pub fn withdraw(&self, id: &str, actor: &str) -> Result<Intent, StoreError> {
        let mut conn = self.conn();
        let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
        let current = load(&tx, id)?;
        let sale_closed = match &current.sale_id {
            Some(s) => {
                tx.query_row("SELECT closed_at IS NOT NULL FROM sales WHERE id = ?1", [s], |r| r.get::<_, bool>(0))?
            }
            None => false,
        };
        let why = if !matches!(current.state, IntentState::Scanned | IntentState::Queued) || current.maybe_executed {
            Some(format!("This voucher is {} and can no longer be withdrawn.", current.state))
        } else if current.accepted_offline {
            Some("This voucher was accepted for its sale and can no longer be withdrawn.".to_string())
        } else if current.declined {
            Some("This voucher was declined already.".to_string())
        } else if sale_closed {
            Some("This voucher's sale is closed: it can no longer be withdrawn.".to_string())
        } else {
            None
        };
        if let Some(why) = why {
            return Err(StoreError::NotWithdrawable(why));
        }
        let out = apply(
            &tx,
            current,
            IntentState::Cancelled,
            self.clock.now_ms(),
            actor,
            Some("withdrawn before sending"),
            None,
            |_| {},
        )?;
        tx.commit()?;
        Ok(out)
    }

    /// Keeps an intent in its state but records an attempt and when to try next
    /// (a lookup that could not decide, say).
    pub fn reschedule(
        &self,
        id: &str,
        state: IntentState,
        next_attempt_at: i64,
        attempt: Option<&NewAttempt>,
    ) -> Result<Intent, StoreError> {
        let mut conn = self.conn();
        let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
        let mut current = load_in(&tx, id, state)?;
        current.next_attempt_at = Some(next_attempt_at);
        write_fields(&tx, &current, state, self.clock.now_ms())?;
        if let Some(a) = attempt {
            insert_attempt(&tx, id, a)?;
        }
        tx.commit()?;
        Ok(current)
    }

    /// After a crash: every intent left `in_flight` may have reached the service, so
    /// it becomes `unknown` (never re-created, never assumed unsent). Returns how many.
    pub fn recover_in_flight(&self) -> Result<Vec<Intent>, StoreError> {
        let mut conn = self.conn();
        let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
        let ids: Vec<String> = {
            let mut st = tx.prepare("SELECT id FROM intents WHERE state = 'in_flight'")?;
            let rows = st.query_map([], |r| r.get(0))?;
            rows.collect::<Result<_, _>>()?
        };
        let now = self.clock.now_ms();
        let mut out = Vec::with_capacity(ids.len());
        for id in ids {
            let current = load(&tx, &id)?;
            let attempt = NewAttempt {
                kind: AttemptKind::Interrupted,
                started_at: current.updated_at,
                ended_at: now,
                http_status: None,
                outcome: "interrupted".into(),
                replayed: false,
                detail: Some("the terminal stopped while this request was in flight".into()),
            };
            out.push(apply(
                &tx,
                current,
                IntentState::Unknown,
                now,
                "recovery",
                Some("in flight when the terminal stopped"),
                Some(&attempt),
                |i| {
                    i.next_attempt_at = Some(now);
                    i.maybe_executed = true;
                },
            )?);
        }
        tx.commit()?;
        Ok(out)
    }

    /// Intents the sync engine may work on now, oldest due first. A wait longer than
    /// `horizon` (the longest the engine ever sets) was set by a clock that has since
    /// been corrected, so it is due now: a till whose clock was days fast must not
    /// stall its queue for days. Two range reads on the `intents_due` index (an `OR`
    /// would scan and sort the whole queue on every pass of the engine). The index is
    /// named: without statistics SQLite picks `intents_state_log` for `state IN (..)`
    /// and sorts every waiting row, bodies included, on every pass (a 1,000-intent
    /// drain spent about 12 ms an intent there).
    pub fn due(&self, now: i64, horizon: i64, limit: usize) -> Result<Vec<Intent>, StoreError> {
        let conn = self.reader();
        let mut late = conn.prepare_cached(&format!(
            "SELECT {COLS} FROM intents INDEXED BY intents_due WHERE state IN ('queued','unknown') AND next_attempt_at > ?1
             ORDER BY next_attempt_at LIMIT ?2"
        ))?;
        let mut out: Vec<Intent> = late
            .query_map(params![now.saturating_add(horizon), limit as i64], intent_from_row)?
            .collect::<Result<_, _>>()?;
        if out.len() < limit {
            let mut due = conn.prepare_cached(&format!(
                "SELECT {COLS} FROM intents INDEXED BY intents_due WHERE state IN ('queued','unknown') AND next_attempt_at <= ?1
                 ORDER BY next_attempt_at, created_at LIMIT ?2"
            ))?;
            let rows = due.query_map(params![now, (limit - out.len()) as i64], intent_from_row)?;
            for r in rows {
                out.push(r?);
            }
        }
        Ok(out)
    }

    /// When the next queued or unknown intent that is not in `skip` (the ones the
    /// engine is already working on) becomes due, if any (see [`Store::due`] for the
    /// horizon).
    pub fn next_due_at(
        &self,
        now: i64,
        horizon: i64,
        skip: &std::collections::HashSet<String>,
    ) -> Result<Option<i64>, StoreError> {
        let conn = self.reader();
        let mut beyond = conn.prepare_cached(
            "SELECT id FROM intents INDEXED BY intents_due WHERE state IN ('queued','unknown') AND next_attempt_at > ?2
             ORDER BY next_attempt_at LIMIT ?1",
        )?;
        let far =
            beyond.query_map(params![skip.len() as i64 + 1, now.saturating_add(horizon)], |r| r.get::<_, String>(0))?;
        for id in far {
            if !skip.contains(&id?) {
                return Ok(Some(now));
            }
        }
        let mut st = conn.prepare_cached(
            "SELECT id, next_attempt_at FROM intents INDEXED BY intents_due WHERE state IN ('queued','unknown')
             ORDER BY next_attempt_at LIMIT ?1",
        )?;
        let rows =
            st.query_map([skip.len() as i64 + 1], |r| Ok((r.get::<_, String>(0)?, r.get::<_, Option<i64>>(1)?)))?;
        for row in rows {
            let (id, at) = row?;
            if !skip.contains(&id) {
                return Ok(at);
            }
        }
        Ok(None)
    }

    /// A wait the service imposed (`not_before`: Retry-After, a rejected key) is kept,
    /// unless it lies beyond `horizon` (set by a clock since corrected).
    pub fn expedite_pending(&self, now: i64, horizon: i64) -> Result<usize, StoreError> {
        Ok(self.conn().execute(
            "UPDATE intents SET next_attempt_at = CASE WHEN not_before > ?1 AND not_before <= ?1 + ?2 THEN not_before ELSE ?1 END
             WHERE state IN ('queued','unknown')
               AND next_attempt_at > CASE WHEN not_before > ?1 AND not_before <= ?1 + ?2 THEN not_before ELSE ?1 END",
            [now, horizon],
        )?)
    }

    /// Lookups of one intent that ended with one of `outcomes` (the failures that
    /// count toward review; the engine names them): what bounds the wait before review.
    pub fn count_lookups_ending(&self, id: &str, outcomes: &[&str]) -> Result<u32, StoreError> {
        let listed = outcomes.iter().map(|o| format!("'{}'", o.replace('\'', "''"))).collect::<Vec<_>>().join(",");
        Ok(self.reader().query_row(
            &format!(
                "SELECT count(*) FROM attempts WHERE intent_id = ?1 AND kind = 'lookup' AND outcome IN ({listed})"
            ),
            [id],
            |r| r.get(0),
        )?)
    }

    /// When the last redeem request of an intent left (or was recovered as interrupted).
    pub fn last_send_at(&self, id: &str) -> Result<Option<i64>, StoreError> {
        Ok(self.reader().query_row(
            "SELECT max(started_at) FROM attempts WHERE intent_id = ?1 AND kind IN ('redeem','interrupted')",
            [id],
            |r| r.get(0),
        )?)
    }

    pub fn summary(&self) -> Result<QueueSummary, StoreError> {
        summary_in(&self.reader())
    }

    pub fn attempts(&self, id: &str) -> Result<Vec<Attempt>, StoreError> {
        let conn = self.reader();
        let mut st =
            conn.prepare_cached(&format!("SELECT {ATTEMPT_COLS} FROM attempts WHERE intent_id = ?1 ORDER BY id"))?;
        let rows = st.query_map([id], attempt_from_row)?;
        Ok(rows.collect::<Result<_, _>>()?)
    }

    /// The newest `limit` attempts of any intent, newest first (for diagnostics).
    pub fn recent_attempts(&self, limit: u32) -> Result<Vec<Attempt>, StoreError> {
        let conn = self.reader();
        let mut st = conn.prepare_cached(&format!("SELECT {ATTEMPT_COLS} FROM attempts ORDER BY id DESC LIMIT ?1"))?;
        let rows = st.query_map([limit], attempt_from_row)?;
        Ok(rows.collect::<Result<_, _>>()?)
    }

    pub fn history(&self, id: &str) -> Result<Vec<HistoryEntry>, StoreError> {
        let conn = self.reader();
        let mut st = conn.prepare_cached(
            "SELECT at, from_state, to_state, actor, note FROM transitions WHERE intent_id = ?1 ORDER BY id",
        )?;
        let rows = st.query_map([id], |r| {
            Ok(HistoryEntry {
                at: r.get(0)?,
                from_state: r.get(1)?,
                to_state: r.get(2)?,
                actor: r.get(3)?,
                note: r.get(4)?,
            })
        })?;
        Ok(rows.collect::<Result<_, _>>()?)
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
    /// snapshot while the terminal runs (see [`crate::backup`]).
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

/// Creates the database file as 0600 if it is missing, and tightens an existing one:
/// it holds every voucher code and receipt the till has seen.
fn private_file(path: &Path) -> Result<(), StoreError> {
    OpenOptions::new().create(true).truncate(false).append(true).mode(0o600).open(path)?;
    std::fs::set_permissions(path, std::fs::Permissions::from_mode(0o600))?;
    Ok(())
}

pub(crate) fn take_lock(db: &Path) -> Result<File, StoreError> {
    lock_file(&with_suffix(db, ".lock"))?.ok_or_else(|| StoreError::Locked { path: db.to_path_buf() })
}

/// Takes the exclusive lock on the file at `path` (created 0600 if missing), or
/// `None` while another process holds it.
///
/// A lock belongs to the open file, and a process that forks shares it with the
/// child until the child execs (or exits): a program that closed the file while
/// another of its threads was starting a process can still hold the lock for that
/// moment. So "held" is concluded only after half a second of trying, far longer
/// than that window and far shorter than any real holder's time.
pub(crate) fn lock_file(path: &Path) -> std::io::Result<Option<File>> {
    let file = OpenOptions::new().create(true).truncate(false).write(true).mode(0o600).open(path)?;
    let deadline = std::time::Instant::now() + std::time::Duration::from_millis(500);
    loop {
        match file.try_lock() {
            Ok(()) => return Ok(Some(file)),
            Err(std::fs::TryLockError::WouldBlock) if std::time::Instant::now() < deadline => {
                std::thread::sleep(std::time::Duration::from_millis(10))
            }
            Err(std::fs::TryLockError::WouldBlock) => return Ok(None),
            Err(std::fs::TryLockError::Error(e)) => return Err(e),
        }
    }
}

fn check_header(path: &Path, clock: &Arc<dyn Clock>) -> Result<(), StoreError> {
    let Ok(mut f) = File::open(path) else { return Ok(()) }; // a new database
    let mut head = [0u8; 16];
    let mut read = 0;
    while read < head.len() {
        match f.read(&mut head[read..])? {
            0 => break,
            n => read += n,
        }
    }
    if read == 0 {
        return Ok(()); // an empty file is a new database
    }
    if read < 16 || &head != SQLITE_MAGIC {
        drop(f);
        let moved_to = move_files_aside(path, clock)?;
        return Err(StoreError::Corrupt { path: path.into(), moved_to, why: "not an SQLite database".into() });
    }
    Ok(())
}

/// Only SQLite's own verdict that the file is damaged or not a database proves it is
/// not ours to open; busy, locked, read-only, permission and I/O errors say nothing
/// about the file, so it stays where it is and the error says what happened.
fn not_ours_or_unavailable(path: &Path, clock: &Arc<dyn Clock>, e: rusqlite::Error, conn: Connection) -> StoreError {
    match e.sqlite_error_code() {
        Some(rusqlite::ErrorCode::DatabaseCorrupt | rusqlite::ErrorCode::NotADatabase) => {
            move_aside(path, clock, e.to_string(), conn)
        }
        _ => StoreError::Unavailable { path: path.into(), why: e.to_string() },
    }
}

fn move_aside(path: &Path, clock: &Arc<dyn Clock>, why: String, conn: Connection) -> StoreError {
    drop(conn);
    match move_files_aside(path, clock) {
        Ok(moved_to) => {
            tracing::error!(path = %path.display(), moved_to = %moved_to.display(), why = %why, "damaged database moved aside");
            StoreError::Corrupt { path: path.into(), moved_to, why }
        }
        Err(e) => e,
    }
}

/// Renames the database and its WAL and shared-memory files to `<name>.corrupt-<ms>`,
/// never overwriting anything.
fn move_files_aside(path: &Path, clock: &Arc<dyn Clock>) -> Result<PathBuf, StoreError> {
    let stamp = clock.now_ms();
    let mut n = 0;
    let target = loop {
        let candidate =
            with_suffix(path, &format!(".corrupt-{stamp}{}", if n == 0 { String::new() } else { format!("-{n}") }));
        if !candidate.exists() {
            break candidate;
        }
        n += 1;
    };
    std::fs::rename(path, &target)?;
    for suffix in SIDE_FILES {
        let side = with_suffix(path, suffix);
        if side.exists() {
            std::fs::rename(&side, with_suffix(&target, suffix))?;
        }
    }
    Ok(target)
}

/// The files SQLite keeps beside a WAL database.
pub(crate) const SIDE_FILES: [&str; 2] = ["-wal", "-shm"];

/// `path` with `suffix` appended to its file name (`t.db` -> `t.db-wal`).
pub(crate) fn with_suffix(path: &Path, suffix: &str) -> PathBuf {
    let mut name = path.as_os_str().to_owned();
    name.push(suffix);
    PathBuf::from(name)
}

const ATTEMPT_COLS: &str =
    "id, intent_id, kind, started_at, ended_at, http_status, outcome, replayed, latency_ms, detail";

fn attempt_from_row(r: &rusqlite::Row<'_>) -> rusqlite::Result<Attempt> {
    Ok(Attempt {
        id: r.get(0)?,
        intent_id: r.get(1)?,
        kind: r.get(2)?,
        started_at: r.get(3)?,
        ended_at: r.get(4)?,
        http_status: r.get(5)?,
        outcome: r.get(6)?,
        replayed: r.get(7)?,
        latency_ms: r.get(8)?,
        detail: r.get(9)?,
    })
}

pub(crate) const COLS: &str = "id, idempotency_key, code, voucher_count, terminal_id, branch_code, cashier_id, receipt_number, body, state,
     created_at, updated_at, queued_at, first_sent_at, next_attempt_at, attempt_count, accepted_offline,
     transaction_id, campaign_name, value_cents, http_status, error_code, error_message, review_reason, loss, lookup_due,
     maybe_executed, declined, window_from, first_sent_service_at, service_url, api_key_fp, review_cause, not_before, sale_id";

pub(crate) fn intent_from_row(r: &Row<'_>) -> rusqlite::Result<Intent> {
    let state: String = r.get(9)?;
    Ok(Intent {
        id: r.get(0)?,
        idempotency_key: r.get(1)?,
        code: r.get(2)?,
        voucher_count: r.get(3)?,
        terminal_id: r.get(4)?,
        branch_code: r.get(5)?,
        cashier_id: r.get(6)?,
        receipt_number: r.get(7)?,
        body: r.get(8)?,
        state: state
            .parse()
            .map_err(|e: String| rusqlite::Error::FromSqlConversionFailure(9, rusqlite::types::Type::Text, e.into()))?,
        created_at: r.get(10)?,
        updated_at: r.get(11)?,
        queued_at: r.get(12)?,
        first_sent_at: r.get(13)?,
        next_attempt_at: r.get(14)?,
        attempt_count: r.get(15)?,
        accepted_offline: r.get(16)?,
        transaction_id: r.get(17)?,
        campaign_name: r.get(18)?,
        value_cents: r.get(19)?,
        http_status: r.get(20)?,
        error_code: r.get(21)?,
        error_message: r.get(22)?,
        review_reason: r.get(23)?,
        loss: r.get(24)?,
        lookup_due: r.get(25)?,
        maybe_executed: r.get(26)?,
        declined: r.get(27)?,
        window_from: r.get(28)?,
        first_sent_service_at: r.get(29)?,
        service_url: r.get(30)?,
        api_key_fp: r.get(31)?,
        review_cause: r.get(32)?,
        not_before: r.get(33)?,
        sale_id: r.get(34)?,
    })
}

/// Loads an intent that must still be in `expected` (the compare of compare-and-set).
fn load_in(conn: &Connection, id: &str, expected: IntentState) -> Result<Intent, StoreError> {
    let current = load(conn, id)?;
    if current.state != expected {
        return Err(StoreError::StateChanged { id: id.into(), expected, actual: current.state });
    }
    Ok(current)
}

fn load(conn: &Connection, id: &str) -> Result<Intent, StoreError> {
    conn.query_row(&format!("SELECT {COLS} FROM intents WHERE id = ?1"), [id], intent_from_row)
        .optional()?
        .ok_or_else(|| StoreError::NotFound(id.into()))
}

/// The setting `backup::restore` writes into the copy it puts in place; the first
/// open of that copy marks it (see [`mark_restored`]) and removes the setting in the
/// same transaction, so a restore interrupted at any point is marked at next open.
pub(crate) const RESTORE_PENDING: &str = "restore_pending";

/// After a restore: the copy may be older than what was sent since, so every intent
/// that is not final in it may have executed, from now on. A queued one becomes
/// `unknown`: resent with its key (a replay, or a new run meeting our own earlier
/// redemption), and any refusal looked up before it becomes a verdict, over the
/// service's whole history (no first send of it is on record); a scan, if pressed
/// later, goes to `unknown` too; one in review keeps waiting for the manager. Each
/// gets a history row saying why. Returns how many.
fn mark_restored(tx: &Connection, now: i64, restored_from: &str) -> Result<usize, StoreError> {
    let ids: Vec<String> = {
        let mut st = tx.prepare(
            "SELECT id FROM intents WHERE state NOT IN ('redeemed','refused','cancelled') AND maybe_executed = 0",
        )?;
        let rows = st.query_map([], |r| r.get(0))?;
        rows.collect::<Result<_, _>>()?
    };
    let why = format!("restored from the backup {restored_from}: the copy may be older than what was sent since, so it may have executed");
    for id in &ids {
        let mut current = load(tx, id)?;
        if current.state == IntentState::Queued {
            apply(tx, current, IntentState::Unknown, now, "restore", Some(&why), None, |i| {
                i.maybe_executed = true;
                i.next_attempt_at = Some(now);
            })?;
        } else {
            current.maybe_executed = true;
            note_in_place(tx, &current, now, "restore", &why)?;
        }
    }
    Ok(ids.len())
}

/// Declines a scan restored from a backup (maybe-executed: the copy it came from may
/// have sent it): never withdrawn, so `unknown`, declined (never sent again), and due
/// for the lookup every declined, maybe-executed intent gets.
fn decline_restored_scan(
    tx: &Connection,
    current: Intent,
    now: i64,
    actor: &str,
    note: &str,
) -> Result<Intent, StoreError> {
    apply(tx, current, IntentState::Unknown, now, actor, Some(note), None, |i| {
        i.declined = true;
        i.next_attempt_at = Some(now);
    })
}

/// What the checkout shows of the queue, read on `conn` (inside a writer's
/// transaction when a decision rests on it).
fn summary_in(conn: &Connection) -> Result<QueueSummary, StoreError> {
    // Two index-only reads (see migration 006): no row of the table is visited, so a
    // long queue does not slow the engine, which reads this after every outcome.
    let (pending, oldest_pending_created_at, needs_review) = conn
        .prepare_cached(
            "SELECT count(*) FILTER (WHERE state IN ('queued','in_flight','unknown')),
                    min(created_at) FILTER (WHERE state IN ('queued','in_flight','unknown')),
                    count(*) FILTER (WHERE state = 'needs_review')
             FROM intents INDEXED BY intents_state_log WHERE state IN ('queued','in_flight','unknown','needs_review')",
        )?
        .query_row([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))?;
    let accepted_offline_pending = conn
        .prepare_cached(
            "SELECT count(*) FROM intents INDEXED BY intents_accepted_offline
             WHERE accepted_offline = 1 AND state IN ('queued','in_flight','unknown')",
        )?
        .query_row([], |r| r.get(0))?;
    Ok(QueueSummary { pending, oldest_pending_created_at, needs_review, accepted_offline_pending })
}

/// The Redeem press on a scanned intent: queued, ready for the engine. One restored
/// from a backup (maybe-executed: the lost copy may have sent it) goes to `unknown`
/// instead, so that any refusal is looked up before it becomes a verdict.
fn press(
    tx: &Connection,
    current: Intent,
    now: i64,
    actor: &str,
    accepted_offline: bool,
) -> Result<Intent, StoreError> {
    let (to, note) = if current.maybe_executed {
        (IntentState::Unknown, Some("pressed after a restore: the copy it came from may have sent it already"))
    } else {
        (IntentState::Queued, None)
    };
    apply(tx, current, to, now, actor, note, None, |i| {
        i.queued_at = Some(now);
        i.next_attempt_at = Some(now);
        i.accepted_offline = accepted_offline;
    })
}

#[allow(clippy::too_many_arguments)]
fn apply(
    tx: &Connection,
    mut current: Intent,
    to: IntentState,
    now: i64,
    actor: &str,
    note: Option<&str>,
    attempt: Option<&NewAttempt>,
    edit: impl FnOnce(&mut Intent),
) -> Result<Intent, StoreError> {
    let from = current.state;
    if transition_reason(from, to).is_none() {
        return Err(StoreError::IllegalTransition { id: current.id, from, to });
    }
    edit(&mut current);
    if current.maybe_executed && unsent_state(to) {
        // Maybe-executed is forever (the schema's trigger says the same).
        return Err(StoreError::IllegalTransition { id: current.id, from, to });
    }
    if to.is_final() || to == IntentState::NeedsReview {
        current.next_attempt_at = None;
    }
    write_fields(tx, &current, to, now)?;
    insert_history(tx, &current.id, now, Some(from), to, actor, note)?;
    if let Some(a) = attempt {
        insert_attempt(tx, &current.id, a)?;
    }
    current.state = to;
    current.updated_at = now;
    Ok(current)
}

/// Writes the mutable fields; the key, code and body are never written after insert.
fn write_fields(tx: &Connection, i: &Intent, state: IntentState, now: i64) -> Result<(), StoreError> {
    let n = tx.execute(
        "UPDATE intents SET state = ?2, updated_at = ?3, queued_at = ?4, first_sent_at = ?5, next_attempt_at = ?6,
                attempt_count = ?7, accepted_offline = ?8, transaction_id = ?9, campaign_name = ?10, value_cents = ?11,
                http_status = ?12, error_code = ?13, error_message = ?14, review_reason = ?15, loss = ?16,
                lookup_due = ?17, maybe_executed = ?18, declined = ?19, window_from = ?20, first_sent_service_at = ?21,
                service_url = ?22, api_key_fp = ?23, review_cause = ?24, not_before = ?25
         WHERE id = ?1",
        params![
            i.id,
            state.as_str(),
            now,
            i.queued_at,
            i.first_sent_at,
            i.next_attempt_at,
            i.attempt_count,
            i.accepted_offline,
            i.transaction_id,
            i.campaign_name,
            i.value_cents,
            i.http_status,
            i.error_code,
            i.error_message,
            i.review_reason,
            i.loss,
            i.lookup_due,
            i.maybe_executed,
            i.declined,
            i.window_from,
            i.first_sent_service_at,
            i.service_url,
            i.api_key_fp,
            i.review_cause,
            i.not_before
        ],
    )?;
    if n != 1 {
        return Err(StoreError::NotFound(i.id.clone()));
    }
    Ok(())
}

/// Writes a changed flag (accepted, declined) on an intent that stays in its state,
/// with a history row that says who and why.
fn note_in_place(tx: &Connection, i: &Intent, now: i64, actor: &str, note: &str) -> Result<(), StoreError> {
    write_fields(tx, i, i.state, now)?;
    insert_history(tx, &i.id, now, Some(i.state), i.state, actor, Some(note))
}

fn insert_history(
    tx: &Connection,
    id: &str,
    at: i64,
    from: Option<IntentState>,
    to: IntentState,
    actor: &str,
    note: Option<&str>,
) -> Result<(), StoreError> {
    tx.execute(
        "INSERT INTO transitions (intent_id, at, from_state, to_state, actor, note) VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
        params![id, at, from.map(IntentState::as_str), to.as_str(), actor, note],
    )?;
    Ok(())
}

fn insert_attempt(tx: &Connection, id: &str, a: &NewAttempt) -> Result<(), StoreError> {
    tx.execute(
        "INSERT INTO attempts (intent_id, kind, started_at, ended_at, http_status, outcome, replayed, latency_ms, detail)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)",
        params![id, a.kind.as_str(), a.started_at, a.ended_at, a.http_status, a.outcome, a.replayed,
                (a.ended_at - a.started_at).max(0), a.detail],
    )?;
    Ok(())
}
