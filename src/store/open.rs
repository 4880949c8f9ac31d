//! Opening a database: the migrations, the checks that tell a damaged or foreign
//! file from a busy one (only proof moves a file aside, intact), and the mark a
//! restored copy gets on its first open.

use super::*;

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
    include_str!("../../migrations/008_due_in_order.sql"),
    include_str!("../../migrations/009_receipt_prints.sql"),
];

pub(super) fn migrations() -> Migrations<'static> {
    Migrations::new(MIGRATIONS.iter().map(|sql| M::up(sql)).collect())
}

/// Runs the first `version` migrations on `conn` (the rest of them, on a database
/// already part way): the schema this terminal makes for that version, which
/// `backup::restore` compares a backup's schema with.
pub(crate) fn migrate_to(conn: &mut Connection, version: usize) -> Result<(), StoreError> {
    migrations().to_version(conn, version).map_err(|e| StoreError::Migration(e.to_string()))
}

/// A statement's plan never depends on the values bound to it (SQLite's query planner
/// stability guarantee). Without it, SQLite reads a bound `LIMIT ?` while planning
/// and marks the statement to be planned again whenever that parameter is bound,
/// which is every time: every cached statement with a `LIMIT ?` (the engine's due
/// intents, the log's pages) was parsed and planned anew on every run, 0.1 to 0.3 ms
/// each. Our plans rest on named indexes, not on values.
fn stable_plans(conn: &Connection) -> Result<(), StoreError> {
    conn.set_db_config(rusqlite::config::DbConfig::SQLITE_DBCONFIG_ENABLE_QPSG, true)?;
    Ok(())
}

pub(super) const SQLITE_MAGIC: &[u8; 16] = b"SQLite format 3\0";

impl Store {
    pub fn open(path: impl AsRef<Path>, clock: Arc<dyn Clock>) -> Result<Store, StoreError> {
        Self::open_with(path, clock, StoreOptions::default())
    }

    pub fn open_with(path: impl AsRef<Path>, clock: Arc<dyn Clock>, opts: StoreOptions) -> Result<Store, StoreError> {
        let path = path.as_ref().to_path_buf();
        if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
            // A folder we create holds vouchers and secrets: the owner's alone. An
            // existing one (say /tmp) is not ours to change.
            crate::platform::fsx::private_dir(dir)?;
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
        stable_plans(&conn)?;
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
        stable_plans(&reader)?;
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
}

pub(super) fn check_header(path: &Path, clock: &Arc<dyn Clock>) -> Result<(), StoreError> {
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
pub(super) fn not_ours_or_unavailable(
    path: &Path,
    clock: &Arc<dyn Clock>,
    e: rusqlite::Error,
    conn: Connection,
) -> StoreError {
    match e.sqlite_error_code() {
        Some(rusqlite::ErrorCode::DatabaseCorrupt | rusqlite::ErrorCode::NotADatabase) => {
            move_aside(path, clock, e.to_string(), conn)
        }
        _ => StoreError::Unavailable { path: path.into(), why: e.to_string() },
    }
}

pub(super) fn move_aside(path: &Path, clock: &Arc<dyn Clock>, why: String, conn: Connection) -> StoreError {
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
pub(super) fn move_files_aside(path: &Path, clock: &Arc<dyn Clock>) -> Result<PathBuf, StoreError> {
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
pub(super) fn mark_restored(tx: &Connection, now: i64, restored_from: &str) -> Result<usize, StoreError> {
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::platform::clock::SystemClock;

    #[test]
    fn a_cached_statement_with_a_bound_limit_is_planned_once_on_either_connection() {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::open(dir.path().join("t.db"), Arc::new(SystemClock)).unwrap();
        for conn in [store.reader(), store.conn()] {
            let sql = "SELECT id FROM intents INDEXED BY intents_due WHERE state IN ('queued','unknown')
                       AND next_attempt_at <= ?1 ORDER BY next_attempt_at, created_at LIMIT ?2";
            for limit in [1i64, 4, 8, 1] {
                conn.prepare_cached(sql).unwrap().query_map(params![i64::MAX, limit], |_| Ok(())).unwrap().count();
            }
            let reprepared = conn.prepare_cached(sql).unwrap().get_status(rusqlite::StatementStatus::RePrepare);
            assert_eq!(reprepared, 0, "binding a LIMIT made SQLite plan the statement again");
        }
    }
}
