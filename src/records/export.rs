//! The rules for a file a manager asks for (a log export, an archive, a report, the
//! diagnostics): never inside the terminal's data folder (the live database and the
//! secrets file are there, and a page or a typo must not overwrite them), readable
//! by the owner only (exports hold whole voucher codes), and written whole
//! (`fsx::write_atomic`): a failure leaves the old file or none, never half of one.

use std::io::Write;
use std::path::{Path, PathBuf};

use crate::store::StoreError;
use crate::ErrorCode;

/// Why an export file could not be written.
#[derive(Debug, thiserror::Error)]
pub enum ExportError {
    #[error("An export may not be written inside the terminal's data folder ({0}): choose another folder.")]
    InsideDataFolder(PathBuf),
    #[error("Could not write the export to {path}: {why}")]
    Io { path: PathBuf, why: String },
    #[error(transparent)]
    Store(#[from] StoreError),
}

impl ExportError {
    /// Writing to `path` failed.
    pub(crate) fn io(path: &Path, e: std::io::Error) -> ExportError {
        ExportError::Io { path: path.to_path_buf(), why: e.to_string() }
    }

    pub fn code(&self) -> crate::ErrorCode {
        match self {
            ExportError::InsideDataFolder(_) => ErrorCode::ExportInsideDataFolder,
            ExportError::Io { .. } => ErrorCode::ExportIo,
            ExportError::Store(e) => e.code(),
        }
    }
}

/// Writes `text` to a file a manager chose, by the export rules below.
pub fn write_text(text: &str, dest: &Path, data_dir: &Path) -> Result<(), ExportError> {
    write_export(dest, data_dir, |out| out.write_all(text.as_bytes()).map_err(|e| ExportError::io(dest, e)))
}

/// Writes a file a manager chose by the export rules: never inside `data_dir`, mode
/// 0600, through a temporary file that is fsynced and renamed into place.
pub fn write_export<T>(
    dest: &Path,
    data_dir: &Path,
    write: impl FnOnce(&mut std::io::BufWriter<std::fs::File>) -> Result<T, ExportError>,
) -> Result<T, ExportError> {
    let io = |e: std::io::Error| ExportError::io(dest, e);
    let name =
        dest.file_name().ok_or_else(|| io(std::io::Error::new(std::io::ErrorKind::InvalidInput, "no file name")))?;
    let real_parent = std::fs::canonicalize(crate::platform::fsx::folder_of(dest)).map_err(io)?;
    let real_data = std::fs::canonicalize(data_dir).unwrap_or_else(|_| data_dir.to_path_buf());
    if real_parent.starts_with(&real_data) {
        return Err(ExportError::InsideDataFolder(real_data));
    }
    crate::platform::fsx::write_atomic(&real_parent.join(name), io, write)
}
