//! The voucher POS terminal's core: everything that decides anything, with no GUI
//! types, so that the app, the headless `voucher-pos` binary and the tests all run the
//! same code. See ARCHITECTURE.md for the map and the invariants.

pub mod access;
pub mod backup;
pub mod clock;
pub mod intent;
pub mod log;
pub mod policy;
pub mod report;
pub mod sale;
pub mod scan;
pub mod secrets;
pub mod settings;
pub mod startup;
pub mod store;
pub mod sync;
pub mod verdict;
pub mod voucher;
pub mod api;
pub mod checkout;
pub mod error;

pub use error::Error;
