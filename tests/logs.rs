//! Logs never carry a secret or a whole voucher code (issue 14): a terminal session
//! with a known API key, a manager PIN, a cashier PIN, a redemption, a refusal and an
//! export, logged at TRACE, and then every line and the export searched for them.

mod common;

use std::io::Write;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use common::sandbox::Sandbox;
use voucher_pos::app::terminal::Terminal;
use voucher_pos::checkout::access::{cashiers, Access};
use voucher_pos::domain::intent::SaleContext;
use voucher_pos::platform::clock::SystemClock;
use voucher_pos::service::api::{ApiClient, ApiConfig};
use voucher_pos::service::sync::SyncConfig;
use voucher_pos::store::Store;

const KEY: &str = "sk_live_probe_9d2e71c4";
const MANAGER_PIN: &str = "864209";
const CASHIER_PIN: &str = "357913";
const ONE_TIME_PIN: &str = "640281";

#[derive(Clone, Default)]
struct Captured(Arc<Mutex<Vec<u8>>>);

impl Write for Captured {
    fn write(&mut self, b: &[u8]) -> std::io::Result<usize> {
        self.0.lock().unwrap().extend_from_slice(b);
        Ok(b.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn no_log_line_or_export_holds_the_api_key_a_pin_or_a_whole_voucher_code() {
    let captured = Captured::default();
    let sink = captured.clone();
    tracing_subscriber::fmt()
        .with_max_level(tracing::Level::TRACE)
        .with_writer(move || sink.clone())
        .with_ansi(false)
        .init();

    let s = Sandbox::start(&["--api-key", KEY]);
    let dir = tempfile::tempdir().unwrap();
    let store = Arc::new(Store::open(dir.path().join("terminal.db"), Arc::new(SystemClock)).unwrap());
    let access = Access::new(store.clone(), "c001");
    access.set_first_pin(MANAGER_PIN, MANAGER_PIN).unwrap();
    access.lock();
    access.unlock("864201").unwrap_err();
    access.unlock(MANAGER_PIN).unwrap();
    cashiers::add(&store, "ann", "Ann", ONE_TIME_PIN, ONE_TIME_PIN, "manager").unwrap();
    access.sign_in_with_new_pin("ann", ONE_TIME_PIN, CASHIER_PIN, CASHIER_PIN).unwrap();

    let t =
        Terminal::start(store.clone(), ApiClient::new(&ApiConfig::new(&s.url, KEY)).unwrap(), SyncConfig::default());
    let ctx = SaleContext {
        terminal_id: "T1".into(),
        branch_code: "B1".into(),
        cashier_id: access.cashier().unwrap(),
        ..Default::default()
    };
    let (good, good_ids) = s.vouchers(3, 500, "active").await;
    let (used, used_ids) = s.vouchers(2, 500, "active").await;
    s.set_state(&used_ids, "voided").await;
    let mut redeemed = Vec::new();
    for code in [&good, &used] {
        let id = t.scan(code, &ctx).unwrap().intent().id.clone();
        redeemed.push(t.redeem(&id, "cashier:ann", Duration::from_secs(10)).await.unwrap().intent);
    }
    assert_eq!(redeemed[0].state, voucher_pos::domain::intent::IntentState::Redeemed);
    assert_eq!(redeemed[1].state, voucher_pos::domain::intent::IntentState::Refused);
    let export = dir.path().join("out.csv");
    let out_dir = tempfile::tempdir().unwrap();
    let export = out_dir.path().join(export.file_name().unwrap());
    voucher_pos::records::redemption_log::export_to_file(&store, &Default::default(), &export, dir.path()).unwrap();
    t.shutdown().await;

    let logs = String::from_utf8(captured.0.lock().unwrap().clone()).unwrap();
    assert!(
        logs.contains("redeem attempt") && logs.contains("wrong PIN") && logs.contains("signed in"),
        "the session was logged:\n{logs}"
    );
    let csv = std::fs::read_to_string(&export).unwrap();
    for (what, secret) in [
        ("the API key", KEY),
        ("the manager PIN", MANAGER_PIN),
        ("the cashier PIN", CASHIER_PIN),
        ("the one-time PIN", ONE_TIME_PIN),
        ("the wrong PIN", "864201"),
    ] {
        assert!(!logs.contains(secret), "{what} is in the logs");
        assert!(!csv.contains(secret), "{what} is in the export");
    }
    // Codes appear in logs as their prefix and the first id cut short, never whole.
    for id in good_ids.iter().chain(&used_ids) {
        assert!(!logs.contains(id.as_str()), "voucher id {id} is in the logs");
    }
    assert!(
        logs.contains(&voucher_pos::domain::voucher::log_form(&good)),
        "the short form identifies the code in the logs"
    );
    // The export is for the manager and holds whole codes, by design (0600).
    assert!(csv.contains(&good));
}
