//! Helpers shared by the integration tests: a sale context, a fresh database, and a
//! real sandbox server process on loopback.
#![allow(dead_code)]

use std::sync::Arc;

use voucher_pos::clock::{Clock, SystemClock};
use voucher_pos::intent::SaleContext;
use voucher_pos::store::Store;

pub mod sandbox;

pub fn sale() -> SaleContext {
    SaleContext {
        terminal_id: "T01".into(),
        branch_code: "B001".into(),
        cashier_id: "c042".into(),
        receipt_number: "R1001".into(),
        skus: vec![],
    }
}

pub fn clock() -> Arc<dyn Clock> {
    Arc::new(SystemClock)
}

pub fn fresh_store() -> (tempfile::TempDir, Store) {
    let dir = tempfile::tempdir().unwrap();
    let store = Store::open(dir.path().join("terminal.db"), clock()).unwrap();
    (dir, store)
}

/// Polls `cond` until it holds or `deadline` passes; returns whether it held. Used
/// instead of fixed sleeps: the test moves on the moment the condition is true.
pub fn wait_until(deadline: std::time::Duration, mut cond: impl FnMut() -> bool) -> bool {
    let end = std::time::Instant::now() + deadline;
    loop {
        if cond() {
            return true;
        }
        if std::time::Instant::now() > end {
            return false;
        }
        std::thread::sleep(std::time::Duration::from_millis(10));
    }
}
