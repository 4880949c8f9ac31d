//! What the terminal hands to people and to support: the redemption log and its
//! export, the end-of-day report, backups and restores, the diagnostics archive.
//! Every file goes by the export rules (`export`): never in the data folder,
//! owner-only, written whole.

pub mod backup;
pub mod diagnostics;
pub mod export;
pub mod receipt;
pub mod redemption_log;
pub mod report;
