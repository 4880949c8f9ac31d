//! Backups of the terminal's database, and restoring one.
//!
//! A damaged database is moved aside and the terminal starts empty; without a backup
//! the redemptions it held are only in the moved file. So the terminal keeps copies:
//! SQLite's online backup API writes a consistent snapshot while the terminal runs
//! (on demand, and once a store day), into `backups/` beside the database (0700;
//! each file 0600, written under a temporary name and renamed), keeping the newest N.
//! Restoring is a person's decision, made with the terminal stopped: `voucher-pos
//! restore FILE` refuses while the database is open, checks the file, and keeps the
//! current database aside rather than overwriting it.
//!
//! A backup is only a file, and anyone who can write to it can change more than its
//! rows: a trigger dropped (history no longer append-only, maybe-executed no longer
//! forever) or one added (audit rows silently discarded) would undo the store's
//! invariants from inside SQLite, where no code of ours looks again. So restore
//! accepts only a file whose schema is exactly what our own migrations make for its
//! version.

use crate::ErrorCode;
use std::collections::BTreeMap;
use std::os::unix::fs::{OpenOptionsExt, PermissionsExt};
use std::path::{Path, PathBuf};

use crate::store::{migrate_to, take_lock, with_suffix, Store, StoreError, MIGRATIONS, SIDE_FILES};

#[derive(Debug, thiserror::Error)]
pub enum BackupError {
    #[error("The terminal is running on {0}: close it first, then restore.")]
    TerminalRunning(PathBuf),
    #[error("{path} is not a backup this terminal can restore: {why}")]
    NotABackup { path: PathBuf, why: String },
    /// The backup's tables, indexes, views or triggers are not what our migrations
    /// make for its schema version.
    #[error("The backup's schema differs from this terminal's version {version}: {kind} {name} {how}; nothing was restored.")]
    SchemaDiffers { path: PathBuf, version: i64, kind: String, name: String, how: &'static str },
    #[error("The backup could not be written or read: {0}")]
    Io(#[from] std::io::Error),
    #[error(transparent)]
    Store(StoreError),
}

impl From<StoreError> for BackupError {
    fn from(e: StoreError) -> Self {
        match e {
            StoreError::Io(e) => BackupError::Io(e),
            e => BackupError::Store(e),
        }
    }
}

impl BackupError {
    pub fn code(&self) -> crate::ErrorCode {
        match self {
            BackupError::TerminalRunning(_) => ErrorCode::BackupTerminalRunning,
            BackupError::NotABackup { .. } => ErrorCode::BackupNotABackup,
            BackupError::SchemaDiffers { .. } => ErrorCode::BackupSchemaDiffers,
            BackupError::Io(_) => ErrorCode::BackupIo,
            BackupError::Store(e) => e.code(),
        }
    }
}

/// Where the backups of the database at `db` live.
pub fn folder(db: &Path) -> PathBuf {
    crate::store::data_dir(db).join("backups")
}

/// The backups of `db`, newest first.
pub fn list(db: &Path) -> Vec<PathBuf> {
    let stem = file_stem(db);
    let mut found: Vec<PathBuf> = std::fs::read_dir(folder(db))
        .map(|d| {
            d.filter_map(|e| e.ok().map(|e| e.path()))
                .filter(|p| {
                    p.file_name()
                        .and_then(|n| n.to_str())
                        .is_some_and(|n| n.starts_with(&format!("{stem}-")) && n.ends_with(".db"))
                })
                .collect()
        })
        .unwrap_or_default();
    // The names carry a sortable UTC time.
    found.sort();
    found.reverse();
    found
}

fn file_stem(db: &Path) -> String {
    db.file_stem().and_then(|s| s.to_str()).unwrap_or("terminal").to_string()
}

/// Writes a backup of the open `store` and keeps only the newest `keep`.
pub fn make(store: &Store, keep: usize) -> Result<PathBuf, BackupError> {
    let dir = folder(store.path());
    crate::platform::fsx::private_dir(&dir)?;
    let stamp = jiff::Timestamp::from_millisecond(store.now_ms())
        .map(|t| t.strftime("%Y%m%dT%H%M%S%.3fZ").to_string())
        .unwrap_or_else(|_| store.now_ms().to_string());
    let dest = dir.join(format!("{}-{stamp}.db", file_stem(store.path())));
    let tmp = dir.join(format!(".{}.partial", uuid::Uuid::new_v4()));
    // Created private before SQLite writes a byte into it.
    std::fs::OpenOptions::new().write(true).create_new(true).mode(0o600).open(&tmp)?;
    let written = store.backup_to(&tmp).map_err(BackupError::from).and_then(|()| {
        std::fs::File::open(&tmp)?.sync_all()?;
        std::fs::rename(&tmp, &dest)?;
        crate::platform::fsx::sync_dir(&dir)?;
        Ok(())
    });
    if let Err(e) = written {
        let _ = std::fs::remove_file(&tmp);
        return Err(e);
    }
    for old in list(store.path()).into_iter().skip(keep.max(1)) {
        let _ = std::fs::remove_file(old);
    }
    Ok(dest)
}

/// Whether a backup was made during the store's day that contains `now_ms`.
pub fn made_today(store: &Store, zone: &crate::platform::clock::StoreZone) -> bool {
    let today = zone.date_of(store.now_ms());
    list(store.path())
        .first()
        .and_then(|p| std::fs::metadata(p).ok()?.modified().ok())
        .and_then(|t| t.duration_since(std::time::UNIX_EPOCH).ok())
        .is_some_and(|d| zone.date_of(d.as_millis() as i64) == today)
}

/// Puts the backup `from` in place of the database at `db`. Refused while a terminal
/// has `db` open; the file must be a terminal database this version can open and
/// SQLite must find it intact, and its schema must be exactly the one our migrations
/// make for its version. The current database (and its WAL) is kept aside as
/// `<db>.before-restore-<ms>`, never overwritten. Returns where it was kept.
///
/// The copy may be older than what the terminal sent since it was made, so the copy
/// put in place carries a mark (`store::RESTORE_PENDING`) that makes its first open
/// treat every intent not final in it as maybe-executed: nothing it may have sent is
/// ever resent as never-sent, or withdrawn.
///
/// Interrupted at any point, the database path holds either the old database or the
/// marked copy, never nothing: the copy is made (through SQLite, so what was checked,
/// WAL included, is what is installed) and flushed beside it, the old one is linked
/// aside with its WAL folded in, and one rename puts the copy in its place.
pub fn restore(db: &Path, from: &Path, now_ms: i64) -> Result<Option<PathBuf>, BackupError> {
    let _lock = take_lock(db).map_err(|e| match e {
        StoreError::Locked { path } => BackupError::TerminalRunning(path),
        e => e.into(),
    })?;
    let not = |why: String| BackupError::NotABackup { path: from.to_path_buf(), why };
    let tmp = with_suffix(db, ".restoring");
    // What an interrupted restore left is never replayed onto this copy.
    for leftover in [tmp.clone(), with_suffix(&tmp, "-wal"), with_suffix(&tmp, "-shm")] {
        if leftover.exists() {
            std::fs::remove_file(&leftover)?;
        }
    }
    {
        let src = rusqlite::Connection::open_with_flags(from, rusqlite::OpenFlags::SQLITE_OPEN_READ_ONLY)
            .map_err(|e| not(e.to_string()))?;
        let version: i64 = src.query_row("PRAGMA user_version", [], |r| r.get(0)).map_err(|e| not(e.to_string()))?;
        if version < 1 || version > MIGRATIONS.len() as i64 {
            return Err(not(format!("its schema version is {version}; this terminal reads 1 to {}", MIGRATIONS.len())));
        }
        let check: String = src.query_row("PRAGMA quick_check(1)", [], |r| r.get(0)).map_err(|e| not(e.to_string()))?;
        if check != "ok" {
            return Err(not(format!("SQLite finds it damaged ({check})")));
        }
        let intents: Result<i64, _> = src.query_row("SELECT count(*) FROM intents", [], |r| r.get(0));
        intents.map_err(|e| not(format!("it holds no intents table ({e})")))?;
        check_schema(&src, from, version)?;
        let mut dst = rusqlite::Connection::open(&tmp).map_err(StoreError::from)?;
        rusqlite::backup::Backup::new(&src, &mut dst)
            .and_then(|b| b.run_to_completion(1024, std::time::Duration::ZERO, None))
            .map_err(StoreError::from)?;
        dst.execute(
            "INSERT INTO settings (key, value) VALUES (?1, ?2) ON CONFLICT(key) DO UPDATE SET value = excluded.value",
            rusqlite::params![crate::store::RESTORE_PENDING, from.display().to_string()],
        )
        .map_err(StoreError::from)?;
        dst.close().map_err(|(_, e)| StoreError::from(e))?;
    }
    if std::fs::metadata(with_suffix(&tmp, "-wal")).is_ok_and(|m| m.len() > 0) {
        return Err(BackupError::Io(std::io::Error::other("the restored copy kept a write-ahead log after closing")));
    }
    for suffix in SIDE_FILES {
        let _ = std::fs::remove_file(with_suffix(&tmp, suffix));
    }
    std::fs::set_permissions(&tmp, std::fs::Permissions::from_mode(0o600))?;
    std::fs::File::open(&tmp)?.sync_all()?;
    let kept = if db.exists() {
        fold_in_wal(db);
        let aside = with_suffix(db, &format!(".before-restore-{now_ms}"));
        std::fs::hard_link(db, &aside)?;
        for suffix in SIDE_FILES {
            let side = with_suffix(db, suffix);
            if side.exists() {
                std::fs::rename(&side, with_suffix(&aside, suffix))?;
            }
        }
        Some(aside)
    } else {
        None
    };
    std::fs::rename(&tmp, db)?;
    crate::platform::fsx::sync_dir(crate::platform::fsx::folder_of(db))?;
    Ok(kept)
}

/// One schema object as `sqlite_master` holds it: (type, name) to (table, SQL with
/// its runs of white space made one space).
type Schema = BTreeMap<(String, String), (String, Option<String>)>;

/// The tables, indexes, views and triggers of `conn`, without SQLite's own tables and
/// indexes (`sqlite_*`: automatic indexes, `sqlite_sequence`, statistics). SQLite
/// makes no trigger or view of its own, so one with such a name is compared too.
fn schema_of(conn: &rusqlite::Connection) -> rusqlite::Result<Schema> {
    let mut stmt = conn.prepare(
        r"SELECT type, name, tbl_name, sql FROM sqlite_master
          WHERE type IN ('table', 'index', 'view', 'trigger')
            AND NOT (type IN ('table', 'index') AND name LIKE 'sqlite\_%' ESCAPE '\')",
    )?;
    let rows = stmt.query_map([], |r| {
        let key: (String, String) = (r.get(0)?, r.get(1)?);
        let table: String = r.get(2)?;
        let sql: Option<String> = r.get(3)?;
        Ok((key, (table, sql.map(|s| s.split_whitespace().collect::<Vec<_>>().join(" ")))))
    })?;
    rows.collect()
}

/// Refuses `src` (a backup at schema `version`) unless its schema is the one our
/// migrations make for that version on an empty database, naming the first object
/// that differs.
fn check_schema(src: &rusqlite::Connection, from: &Path, version: i64) -> Result<(), BackupError> {
    let not = |why: String| BackupError::NotABackup { path: from.to_path_buf(), why };
    let found = schema_of(src).map_err(|e| not(e.to_string()))?;
    let mut reference = rusqlite::Connection::open_in_memory().map_err(StoreError::from)?;
    migrate_to(&mut reference, version as usize)?;
    let expected = schema_of(&reference).map_err(StoreError::from)?;
    let differs = |(kind, name): &(String, String), how: &'static str| BackupError::SchemaDiffers {
        path: from.to_path_buf(),
        version,
        kind: kind.clone(),
        name: name.clone(),
        how,
    };
    let mut keys: Vec<&(String, String)> = expected.keys().chain(found.keys()).collect();
    keys.sort();
    keys.dedup();
    for key in keys {
        match (expected.get(key), found.get(key)) {
            (Some(_), None) => return Err(differs(key, "is missing")),
            (None, Some(_)) => return Err(differs(key, "is extra (not made by our migrations)")),
            (Some(want), Some(got)) if want != got => return Err(differs(key, "was changed")),
            _ => {}
        }
    }
    Ok(())
}

/// Folds the database's WAL into the file (a checkpoint), so that the file kept
/// aside holds everything even without its WAL. A database SQLite cannot open for
/// this keeps its WAL, which is moved aside beside it.
fn fold_in_wal(db: &Path) {
    if let Ok(conn) = rusqlite::Connection::open(db) {
        let _ = conn.query_row("PRAGMA wal_checkpoint(TRUNCATE)", [], |_| Ok(()));
        let _ = conn.close();
    }
}
