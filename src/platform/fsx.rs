//! The two ways the terminal puts things on disk outside SQLite, each written once:
//! a file replaced whole (a crash or a power cut leaves the old file or the new one,
//! never half of one, and only its owner can read either), and a folder only its
//! owner can open. Exports, archives, the diagnostics, the secrets file, backups and
//! the autostart entry all go through here. Also here: where the desktop's
//! conventions put a user's folders, and the exclusive lock of a file.

use std::fs::{DirBuilder, File, OpenOptions};
use std::io::{self, BufWriter};
use std::os::unix::fs::{DirBuilderExt, OpenOptionsExt};
use std::path::{Path, PathBuf};

/// Writes `dest` whole and owner-only (0600): `write` fills a temporary file beside
/// it, which is fsynced and renamed over `dest`, and then the folder is fsynced, so
/// that the rename itself survives a power cut. On any failure the temporary file
/// is removed and `dest` is as it was. `on_io` names an I/O failure in the caller's
/// error type.
pub fn write_atomic<T, E>(
    dest: &Path,
    on_io: impl Fn(io::Error) -> E,
    write: impl FnOnce(&mut BufWriter<File>) -> Result<T, E>,
) -> Result<T, E> {
    sweep_partials(dest);
    let tmp = partial_beside(dest).map_err(&on_io)?;
    let run = || -> Result<T, E> {
        let file = OpenOptions::new().write(true).create_new(true).mode(0o600).open(&tmp).map_err(&on_io)?;
        let mut out = BufWriter::new(file);
        let value = write(&mut out)?;
        let file = out.into_inner().map_err(|e| on_io(e.into_error()))?;
        file.sync_all().map_err(&on_io)?;
        std::fs::rename(&tmp, dest).map_err(&on_io)?;
        sync_dir(folder_of(dest)).map_err(&on_io)?;
        Ok(value)
    };
    let result = run();
    if result.is_err() {
        let _ = std::fs::remove_file(&tmp);
    }
    result
}

/// A fresh, hidden temporary name in `dest`'s folder (a rename is atomic only
/// within one file system).
pub fn partial_beside(dest: &Path) -> io::Result<PathBuf> {
    let name = dest.file_name().ok_or_else(|| io::Error::new(io::ErrorKind::InvalidInput, "no file name"))?;
    Ok(folder_of(dest).join(format!(".{}.{}.partial", name.to_string_lossy(), uuid::Uuid::new_v4())))
}

/// Removes what an earlier write of `dest` left when its process was killed midway:
/// a secrets file's leftover would be another copy of the key.
fn sweep_partials(dest: &Path) {
    let Some(name) = dest.file_name().map(|n| format!(".{}.", n.to_string_lossy())) else { return };
    let Ok(entries) = std::fs::read_dir(folder_of(dest)) else { return };
    for e in entries.flatten() {
        let file = e.file_name().to_string_lossy().into_owned();
        if file.starts_with(&name) && file.ends_with(".partial") {
            let _ = std::fs::remove_file(e.path());
        }
    }
}

/// The folder a path is in (`.` for a bare file name).
pub fn folder_of(path: &Path) -> &Path {
    match path.parent() {
        Some(p) if !p.as_os_str().is_empty() => p,
        _ => Path::new("."),
    }
}

/// Makes a folder's entries (a rename, a new file) durable.
pub fn sync_dir(dir: &Path) -> io::Result<()> {
    File::open(dir)?.sync_all()
}

/// Creates `dir` and any missing parents owner-only (0700); an existing folder is
/// left as it is (see `store::tighten_modes` for adopting one).
pub fn private_dir(dir: &Path) -> io::Result<()> {
    if dir.is_dir() {
        return Ok(());
    }
    DirBuilder::new().recursive(true).mode(0o700).create(dir)
}

/// An XDG base folder: `$var` when set and not empty, else `under_home` in `$HOME`
/// (none without a home).
pub fn xdg_folder(var: &str, under_home: &str) -> Option<PathBuf> {
    std::env::var_os(var)
        .filter(|v| !v.is_empty())
        .map(PathBuf::from)
        .or_else(|| std::env::var_os("HOME").map(|h| PathBuf::from(h).join(under_home)))
}

/// Takes the exclusive lock on the file at `path` (created 0600 if missing), or
/// `None` while another process holds it.
///
/// A lock belongs to the open file, and a process that forks shares it with the
/// child until the child execs (or exits): a program that closed the file while
/// another of its threads was starting a process can still hold the lock for that
/// moment. So "held" is concluded only after half a second of trying, far longer
/// than that window and far shorter than any real holder's time.
pub fn lock_file(path: &Path) -> std::io::Result<Option<File>> {
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

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::Write;
    use std::os::unix::fs::PermissionsExt;

    #[test]
    fn a_file_is_replaced_whole_and_private_or_left_as_it_was() {
        let dir = tempfile::tempdir().unwrap();
        let dest = dir.path().join("out.txt");
        std::fs::write(&dest, "old").unwrap();
        write_atomic(&dest, |e| e, |out| out.write_all(b"new")).unwrap();
        assert_eq!(std::fs::read_to_string(&dest).unwrap(), "new");
        assert_eq!(std::fs::metadata(&dest).unwrap().permissions().mode() & 0o777, 0o600);

        // A writer that fails halfway leaves the old file and no temporary one.
        let failed: Result<(), io::Error> = write_atomic(
            &dest,
            |e| e,
            |out| {
                out.write_all(b"half")?;
                Err(io::Error::other("the disk filled"))
            },
        );
        assert!(failed.is_err());
        assert_eq!(std::fs::read_to_string(&dest).unwrap(), "new");
        let names: Vec<_> = std::fs::read_dir(dir.path()).unwrap().map(|e| e.unwrap().file_name()).collect();
        assert_eq!(names, ["out.txt"]);

        // What a killed writer left is removed by the next write.
        let left = partial_beside(&dest).unwrap();
        std::fs::write(&left, "the key, half written").unwrap();
        write_atomic(&dest, |e| e, |out| out.write_all(b"newer")).unwrap();
        assert!(!left.exists(), "a killed write's leftover is swept");
        assert_eq!(std::fs::read_to_string(&dest).unwrap(), "newer");
    }

    #[test]
    fn a_private_folder_is_made_owner_only_with_its_parents() {
        let dir = tempfile::tempdir().unwrap();
        let deep = dir.path().join("a/b");
        private_dir(&deep).unwrap();
        for d in [dir.path().join("a"), deep] {
            assert_eq!(std::fs::metadata(&d).unwrap().permissions().mode() & 0o777, 0o700, "{}", d.display());
        }
    }
}
