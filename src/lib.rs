//! The voucher POS terminal's core: everything that decides anything, with no GUI
//! types, so that the app, the headless `voucher-pos` binary and the tests all run the
//! same code. See ARCHITECTURE.md for the map and the invariants.

pub mod access;
pub mod api;
pub mod app;
pub mod autostart;
pub mod backup;
pub mod checkout;
pub mod clock;
pub mod diagnostics;
pub mod error;
pub mod instance;
pub mod intent;
pub mod log;
pub mod policy;
pub mod report;
pub mod retention;
pub mod sale;
pub mod scan;
pub mod secrets;
pub mod settings;
pub mod startup;
pub mod store;
pub mod sync;
pub mod verdict;
pub mod voucher;

pub use error::{Error, ErrorCode};

/// Logs for the headless binaries: to stderr, level from `RUST_LOG` (default: warnings).
/// The app writes to daily files instead (`src-tauri/src/main.rs`). Nothing logged
/// carries a secret or a whole voucher code (`voucher::log_form`).
pub fn init_stderr_logs() {
    let filter = tracing_subscriber::EnvFilter::try_from_default_env()
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("warn"));
    let ansi = std::io::IsTerminal::is_terminal(&std::io::stderr());
    let _ = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr)
        .with_target(false)
        .with_ansi(ansi)
        .try_init();
}
