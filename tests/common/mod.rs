//! Helpers shared by the integration tests: a sale context, a fresh database, and a
//! real sandbox server process on loopback.
#![allow(dead_code)]

use std::sync::Arc;

use voucher_pos::app::terminal::Terminal;
use voucher_pos::domain::intent::{Intent, SaleContext};
use voucher_pos::platform::clock::{Clock, ManualClock, SystemClock};
use voucher_pos::service::sync::SyncConfig;
use voucher_pos::store::Store;

pub mod sandbox;
pub mod session;

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

/// Polls `cond` (20 s at most) and says whether it came to hold; `tick` moves a
/// manual clock along while it waits, so that backoff and key windows pass. The test
/// moves on the moment the condition holds.
pub async fn eventually(t: &Terminal, tick: Option<&ManualClock>, mut cond: impl FnMut() -> bool) -> bool {
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(20);
    loop {
        if cond() {
            return true;
        }
        if std::time::Instant::now() >= deadline {
            return false;
        }
        if let Some(c) = tick {
            c.advance_ms(100);
            t.wake();
        }
        tokio::time::sleep(std::time::Duration::from_millis(10)).await;
    }
}

/// Waits until the intent satisfies `cond` (see [`eventually`]) and returns it as it
/// was when it did.
pub async fn wait_for(
    t: &Terminal,
    id: &str,
    what: &str,
    tick: Option<&ManualClock>,
    cond: impl Fn(&Intent) -> bool,
) -> Intent {
    let mut seen = None;
    let held = eventually(t, tick, || {
        let i = t.store().get(id).unwrap();
        let ok = cond(&i);
        seen = Some(i);
        ok
    })
    .await;
    let i = seen.expect("read at least once");
    assert!(
        held,
        "timed out waiting for {what}; intent is {i:#?}\nattempts: {:#?}\nhistory: {:#?}",
        t.store().attempts(id).unwrap(),
        t.store().history(id).unwrap()
    );
    i
}

/// The engine's pace for tests: short backoff, probes and decline grace, so that
/// retries happen within a test's seconds; `seed` makes the jitter replay.
pub fn fast(seed: u64) -> SyncConfig {
    SyncConfig {
        backoff_base: std::time::Duration::from_millis(20),
        backoff_cap: std::time::Duration::from_millis(100),
        probe_interval: std::time::Duration::from_millis(50),
        decline_grace: std::time::Duration::from_millis(100),
        seed: Some(seed),
        ..SyncConfig::default()
    }
}

/// This package's folder, named at run time: a test binary built in another clone
/// (a shared target folder) must read the files it is run beside.
pub fn manifest_dir() -> std::path::PathBuf {
    std::env::var_os("CARGO_MANIFEST_DIR")
        .map_or_else(|| std::path::PathBuf::from(env!("CARGO_MANIFEST_DIR")), std::path::PathBuf::from)
}
