//! Where the terminal's files live (the data folder after the app identifier, an
//! earlier version's folder adopted once), and the lock that keeps a second process
//! off a database.

use super::*;

/// The app identifier (`tauri.conf.json`'s `identifier`): the data folder's name,
/// the one the desktop's own conventions (and Tauri's path API) expect. A test in the
/// shell checks the two agree.
pub const APP_IDENTIFIER: &str = "org.voucherpos.terminal";

/// The data folder's name before it followed the app identifier.
pub(super) const EARLIER_FOLDER: &str = "voucher-pos";

/// `$XDG_DATA_HOME`, else `~/.local/share`.
pub fn data_home() -> PathBuf {
    crate::platform::fsx::xdg_folder("XDG_DATA_HOME", ".local/share").unwrap_or_else(|| PathBuf::from("."))
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
pub(super) fn tighten_modes(dir: &Path) -> std::io::Result<()> {
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

/// Creates the database file as 0600 if it is missing, and tightens an existing one:
/// it holds every voucher code and receipt the till has seen.
pub(super) fn private_file(path: &Path) -> Result<(), StoreError> {
    OpenOptions::new().create(true).truncate(false).append(true).mode(0o600).open(path)?;
    std::fs::set_permissions(path, std::fs::Permissions::from_mode(0o600))?;
    Ok(())
}

pub(crate) fn take_lock(db: &Path) -> Result<File, StoreError> {
    crate::platform::fsx::lock_file(&with_suffix(db, ".lock"))?
        .ok_or_else(|| StoreError::Locked { path: db.to_path_buf() })
}

/// The files SQLite keeps beside a WAL database.
pub(crate) const SIDE_FILES: [&str; 2] = ["-wal", "-shm"];

/// `path` with `suffix` appended to its file name (`t.db` -> `t.db-wal`).
pub(crate) fn with_suffix(path: &Path, suffix: &str) -> PathBuf {
    let mut name = path.as_os_str().to_owned();
    name.push(suffix);
    PathBuf::from(name)
}
