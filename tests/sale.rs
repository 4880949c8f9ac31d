//! The sale, where the customer stands: one voucher pays for one sale, a sale closes
//! only when every voucher in it is settled, one press sends every voucher of the
//! sale, and a restored backup never turns a redemption into a refusal. Each test
//! is a `Terminal` on a real database against the sandbox binary on loopback, and
//! asserts what the cashier sees and what the service's ledger holds.

mod common;

use std::sync::Arc;
use std::time::Duration;

use common::sandbox::Sandbox;
use common::{sale, wait_for};
use serde_json::json;
use voucher_pos::app::terminal::Terminal;
use voucher_pos::checkout::policy::OfflinePolicy;
use voucher_pos::domain::intent::{Intent, IntentState};
use voucher_pos::service::api::{ApiClient, ApiConfig};
use voucher_pos::service::sync::SyncConfig;
use voucher_pos::store::Store;

const CASHIER: &str = "cashier:c042";

fn fast() -> SyncConfig {
    common::fast(11)
}

fn start(store: &Arc<Store>, s: &Sandbox) -> Terminal {
    let mut cfg = ApiConfig::new(&s.url, "test_sandbox");
    cfg.total_timeout = Duration::from_secs(2);
    Terminal::start(store.clone(), ApiClient::new(&cfg).unwrap(), fast())
}

fn open(dir: &std::path::Path) -> Arc<Store> {
    Arc::new(Store::open(dir.join("t.db"), common::clock()).unwrap())
}

/// A terminal on a fresh database against `s`.
fn till(s: &Sandbox) -> (tempfile::TempDir, Terminal) {
    let dir = tempfile::tempdir().unwrap();
    let store = open(dir.path());
    (dir, start(&store, s))
}

fn allow_unconfirmed(store: &Store) {
    OfflinePolicy { accept_offline: true, max_pending: 10, max_pending_age_s: 3600, max_vouchers_per_code: 15 }
        .save(store)
        .unwrap();
}

/// Scans and presses Redeem for the whole sale while the service is offline.
async fn pressed_offline(t: &Terminal, s: &Sandbox, qr: &str) -> Intent {
    s.faults(json!({"offline": true})).await;
    let id = t.scan(qr, &sale()).unwrap().intent().id.clone();
    t.redeem_sale(CASHIER, Duration::ZERO).await.unwrap();
    wait_for(t, &id, "queued", None, |i| i.state == IntentState::Queued).await
}

/// A voucher pressed offline and accepted for its sale (the store's policy allows it).
async fn accepted_offline(s: &Sandbox, qr: &str) -> (tempfile::TempDir, Terminal, Intent) {
    let (dir, t) = till(s);
    allow_unconfirmed(t.store());
    let i = pressed_offline(&t, s, qr).await;
    t.accept_offline(&i.id, CASHIER).unwrap();
    (dir, t, i)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn next_customer_after_an_offline_press_waits_for_an_answer_and_declining_clears_it_unsent() {
    let s = Sandbox::start(&[]);
    let (qr, _) = s.vouchers(1, 500, "active").await;
    let (_dir, t) = till(&s);
    let i = pressed_offline(&t, &s, &qr).await;

    // The customer pays cash; the cashier presses Next customer without answering.
    let e = t.close_sale(CASHIER, None).unwrap_err();
    assert_eq!(e.code(), "sale_unresolved");
    assert!(e.to_string().contains("rsg:"), "the message names the voucher: {e}");
    let v = t.sale_view().unwrap();
    assert!(v.sale.is_some_and(|s| s.closed_at.is_none()), "the sale stays open");
    assert_eq!(v.unresolved, std::slice::from_ref(&i.id));
    assert!(!v.can_close);
    assert!(v.lines[0].unconfirmed && v.lines[0].needs_answer, "the checkout asks for the answer: {:?}", v.lines[0]);

    // Declined: the sale closes, and the voucher is never sent.
    t.decline(&i.id, CASHIER).unwrap();
    let closed = t.close_sale(CASHIER, None).unwrap().expect("a sale was open");
    assert!(closed.sale.unwrap().closed_at.is_some());
    assert!(t.sale_view().unwrap().sale.is_none(), "the next customer starts with no sale");
    s.faults(json!({})).await;
    // A second voucher redeemed proves the link is back and the engine has worked.
    let (later, _) = s.vouchers(1, 500, "active").await;
    let id2 = t.scan(&later, &sale()).unwrap().intent().id.clone();
    t.redeem_sale(CASHIER, Duration::from_secs(5)).await.unwrap();
    wait_for(&t, &id2, "the second voucher redeemed", None, |i| i.state == IntentState::Redeemed).await;
    assert_eq!(t.store().get(&i.id).unwrap().state, IntentState::Cancelled);
    assert_eq!(s.ledger().await.len(), 1, "only the second voucher was redeemed");
    t.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_voucher_accepted_in_one_sale_is_refused_in_words_when_scanned_in_the_next() {
    let s = Sandbox::start(&[]);
    let (qr, _) = s.vouchers(1, 500, "active").await;
    let (_dir, t, i) = accepted_offline(&s, &qr).await;
    let first = t.close_sale(CASHIER, None).unwrap().unwrap().sale.unwrap();

    // The same code again (a screenshot will do), in the next sale.
    t.set_sale_total("20.00", &sale()).unwrap();
    let e = t.scan(&qr, &sale()).unwrap_err();
    assert_eq!(e.code(), "voucher_in_other_sale");
    assert!(e.to_string().contains(&format!("sale {}", first.number)), "says which sale holds it: {e}");
    let next = t.sale_view().unwrap();
    assert_ne!(next.sale.as_ref().unwrap().id, first.id);
    assert!(next.lines.is_empty(), "nothing joined the next sale");
    assert_eq!(next.totals.voucher_total, "S$0.00");
    assert_eq!(next.totals.balance_due.as_deref(), Some("S$20.00"));

    // Redeemed later, it pays for the first sale only.
    s.faults(json!({})).await;
    let i = wait_for(&t, &i.id, "redeemed", None, |i| i.state == IntentState::Redeemed).await;
    assert_eq!(i.sale_id.as_deref(), Some(first.id.as_str()));
    assert!(t.sale_view().unwrap().lines.is_empty());
    assert_eq!(t.sale_by_id(&first.id).unwrap().totals.voucher_total, "S$5.00");
    t.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn one_redeem_press_sends_every_voucher_scanned_for_the_sale() {
    let s = Sandbox::start(&[]);
    let (a, _) = s.vouchers(1, 500, "active").await;
    let (b, _) = s.vouchers(2, 300, "active").await;
    let (_dir, t) = till(&s);
    let ia = t.scan(&a, &sale()).unwrap().intent().clone();
    let ib = t.scan(&b, &sale()).unwrap().intent().clone();
    assert_ne!(ia.idempotency_key, ib.idempotency_key, "one intent and key each");
    assert!(t.sale_view().unwrap().can_redeem);
    let (v, pressed) = t.redeem_sale(CASHIER, Duration::from_secs(5)).await.unwrap();
    assert_eq!(pressed.len(), 2, "both were sent by one press");
    for id in [&ia.id, &ib.id] {
        wait_for(&t, id, "redeemed", None, |i| i.state == IntentState::Redeemed).await;
    }
    let v2 = t.sale_view().unwrap();
    assert!(!v2.can_redeem, "nothing left to press");
    assert_eq!(v2.totals.voucher_total, "S$11.00");
    assert!(v2.can_close);
    assert_eq!(v.lines.len(), 2);
    assert_eq!(s.ledger().await.len(), 2);
    // A second press sends nothing.
    assert!(t.redeem_sale(CASHIER, Duration::ZERO).await.unwrap().1.is_empty());
    t.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn closing_a_sale_withdraws_scans_never_pressed_and_a_scan_can_be_removed() {
    let s = Sandbox::start(&[]);
    let (a, _) = s.vouchers(1, 500, "active").await;
    let (b, _) = s.vouchers(1, 500, "active").await;
    let (_dir, t) = till(&s);
    let ia = t.scan(&a, &sale()).unwrap().intent().id.clone();
    let ib = t.scan(&b, &sale()).unwrap().intent().id.clone();
    let v = t.sale_view().unwrap();
    assert!(
        v.lines.iter().all(|l| l.can_remove && !l.needs_answer && !l.unconfirmed),
        "only scanned: nothing to answer"
    );
    t.cancel(&ia, CASHIER).unwrap();
    assert_eq!(t.sale_view().unwrap().lines.len(), 1, "a removed scan leaves the sale");
    t.close_sale(CASHIER, None).unwrap();
    assert_eq!(t.store().sales_closed_between(0, i64::MAX).unwrap(), 1, "the end of day counts it");
    assert_eq!(t.store().get(&ib).unwrap().state, IntentState::Cancelled);
    assert!(t
        .store()
        .history(&ib)
        .unwrap()
        .iter()
        .any(|h| h.note.as_deref().is_some_and(|n| n.contains("sale closed"))));
    // Both codes are free for the next sale.
    assert!(matches!(t.scan(&a, &sale()).unwrap(), voucher_pos::store::ScanResult::Created { .. }));
    assert_eq!(s.redeem_requests().await, 0, "nothing was ever sent");
    t.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_restored_backup_looks_up_what_it_held_as_queued_and_ends_redeemed_not_refused() {
    let s = Sandbox::start(&[]);
    let (qr, _) = s.vouchers(1, 500, "active").await;
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("t.db");
    let backup = dir.path().join("copy.db");
    let id = {
        let store = open(dir.path());
        let t = start(&store, &s);
        let i = pressed_offline(&t, &s, &qr).await;
        // The backup holds it queued, never sent.
        store.backup_to(&backup).unwrap();
        s.faults(json!({})).await;
        wait_for(&t, &i.id, "redeemed", None, |i| i.state == IntentState::Redeemed).await;
        t.shutdown().await;
        i.id
    };
    assert_eq!(s.ledger().await.len(), 1);
    // The key window passes; the store restores the backup, as the start-up page says.
    s.prune_keys().await;
    voucher_pos::records::backup::restore(&db, &backup, common::clock().now_ms()).unwrap();
    let store = open(dir.path());
    let restored = store.get(&id).unwrap();
    assert!(
        restored.maybe_executed && restored.state == IntentState::Unknown,
        "never again sent as never-sent: {restored:#?}"
    );
    assert!(store
        .history(&id)
        .unwrap()
        .iter()
        .any(|h| h.note.as_deref().is_some_and(|n| n.contains("restored from the backup"))));
    let t = start(&store, &s);
    let i = wait_for(&t, &id, "an outcome", None, |i| i.state.is_final() || i.state == IntentState::NeedsReview).await;
    assert_eq!(
        i.state,
        IntentState::Redeemed,
        "the service's record wins, never a refusal: {:#?}",
        t.store().attempts(&id).unwrap()
    );
    assert_eq!(i.transaction_id.as_deref(), s.ledger().await[0]["transaction_id"].as_str());
    assert_eq!(s.ledger().await.len(), 1, "redeemed once");
    t.shutdown().await;
}

#[test]
fn accept_and_decline_pressed_together_leave_exactly_one_answer() {
    let (_dir, store) = common::fresh_store();
    let store = Arc::new(store);
    let (mut accepted, mut declined) = (0, 0);
    for n in 0..60 {
        let code = voucher_pos::domain::voucher::parse(&format!("rsg:v_race{n}")).unwrap();
        let id = store.scan(&code, &sale()).unwrap().intent().id.clone();
        store.commit_redeem(&id, CASHIER, false).unwrap();
        let go = Arc::new(std::sync::Barrier::new(2));
        let (s1, g1, id1) = (store.clone(), go.clone(), id.clone());
        let a = std::thread::spawn(move || {
            g1.wait();
            s1.mark_accepted_offline(&id1, CASHIER, |_, _, _| Ok(())).is_ok()
        });
        let (s2, g2, id2) = (store.clone(), go.clone(), id.clone());
        let d = std::thread::spawn(move || {
            g2.wait();
            s2.decline(&id2, CASHIER).is_ok()
        });
        let (a_ok, d_ok) = (a.join().unwrap(), d.join().unwrap());
        let i = store.get(&id).unwrap();
        assert!(a_ok != d_ok, "exactly one answer is taken (accept {a_ok}, decline {d_ok}): {i:#?}");
        assert!(!(i.accepted_offline && i.declined), "never both: {i:#?}");
        if i.accepted_offline {
            assert_eq!(i.state, IntentState::Queued, "an accepted voucher is never withdrawn");
            accepted += 1;
        } else {
            assert_eq!(i.state, IntentState::Cancelled);
            declined += 1;
        }
        store.close_sale(&store.open_sale().unwrap().unwrap().id, CASHIER).unwrap();
    }
    assert_eq!(accepted + declined, 60);
}

#[test]
fn the_schema_refuses_a_sale_closed_unsettled_and_an_intent_moved_to_another_sale() {
    let (_dir, store) = common::fresh_store();
    let code = voucher_pos::domain::voucher::parse("rsg:v_schema1").unwrap();
    let id = store.scan(&code, &sale()).unwrap().intent().id.clone();
    store.commit_redeem(&id, CASHIER, false).unwrap();
    let sale_id = store.open_sale().unwrap().unwrap().id;
    let closed = store.with_transaction(|tx| tx.execute("UPDATE sales SET closed_at = 1 WHERE id = ?1", [&sale_id]));
    assert!(closed.unwrap_err().to_string().contains("settled"), "a queued voucher with no answer keeps the sale open");
    assert_eq!(store.close_sale(&sale_id, CASHIER).unwrap_err().code(), "sale_unresolved");
    store.decline(&id, CASHIER).unwrap();
    store.close_sale(&sale_id, CASHIER).unwrap();
    let other = voucher_pos::domain::voucher::parse("rsg:v_schema2").unwrap();
    let next = store.scan(&other, &sale()).unwrap().intent().sale_id.clone().unwrap();
    assert_ne!(next, sale_id);
    let moved = store.with_transaction(|tx| tx.execute("UPDATE intents SET sale_id = ?1 WHERE id = ?2", [&next, &id]));
    assert!(moved.unwrap_err().to_string().contains("one sale"));
    let reopened =
        store.with_transaction(|tx| tx.execute("UPDATE sales SET closed_at = NULL WHERE id = ?1", [&sale_id]));
    assert!(reopened.is_err(), "a closed sale never changes");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_voucher_accepted_for_a_closed_sale_can_be_neither_withdrawn_nor_scanned_into_the_next() {
    let s = Sandbox::start(&[]);
    let (qr, _) = s.vouchers(1, 500, "active").await;
    let (_dir, t, i) = accepted_offline(&s, &qr).await;
    // Accepted: the answer stands, and the other answer is refused in words.
    assert_eq!(t.decline(&i.id, CASHIER).unwrap_err().code(), "already_accepted");
    assert_eq!(t.cancel(&i.id, CASHIER).unwrap_err().code(), "cancel_not_allowed");
    let first = t.close_sale(CASHIER, None).unwrap().unwrap().sale.unwrap();
    // Withdrawing it after the customer left would free the code for a second sale.
    let e = t.cancel(&i.id, CASHIER).unwrap_err();
    assert_eq!(e.code(), "cancel_not_allowed", "{e}");
    assert_eq!(t.store().get(&i.id).unwrap().state, IntentState::Queued);
    assert_eq!(t.scan(&qr, &sale()).unwrap_err().code(), "voucher_in_other_sale");
    // A second Next customer for the sale already closed closes nothing else.
    t.set_sale_total("5.00", &sale()).unwrap();
    assert!(t.close_sale(CASHIER, Some(&first.id)).unwrap().is_none());
    assert!(t.sale_view().unwrap().sale.is_some_and(|s| s.closed_at.is_none()), "the next customer's sale stays open");
    t.shutdown().await;
}

#[test]
fn a_malformed_total_is_refused_and_clears_the_total_so_nothing_is_computed_from_it() {
    let (_dir, store) = common::fresh_store();
    let store = Arc::new(store);
    let rt = tokio::runtime::Runtime::new().unwrap();
    let _guard = rt.enter();
    let api = ApiClient::new(&ApiConfig::new("http://127.0.0.1:9", "test_sandbox")).unwrap();
    let t = Terminal::start(store.clone(), api, fast());
    assert_eq!(t.set_sale_total("1,250", &sale()).unwrap().totals.total.as_deref(), Some("S$1,250.00"));
    // "1,2500" is not 1,250 with a stray key: it is not an amount at all.
    assert_eq!(t.set_sale_total("1,2500", &sale()).unwrap_err().code(), "money_malformed");
    let v = t.sale_view().unwrap();
    assert_eq!((v.totals.total, v.totals.balance_due), (None, None));
    rt.block_on(t.shutdown());
}

#[test]
fn a_scan_from_before_sales_restored_from_a_backup_joins_the_sale_it_is_scanned_in() {
    use rusqlite_migration::{Migrations, M};
    let dir = tempfile::tempdir().unwrap();
    // A version-4 backup holding a scan (no sale: sales did not exist).
    let backup = dir.path().join("v4.db");
    {
        let mut conn = rusqlite::Connection::open(&backup).unwrap();
        Migrations::new(voucher_pos::store::MIGRATIONS[..4].iter().map(|sql| M::up(sql)).collect())
            .to_latest(&mut conn)
            .unwrap();
        let md = "branch_code:B001,pos_ID:T01,cashier_ID:c042,intent_ID:old-scan";
        let body = serde_json::to_vec(&json!({"qr": "rsg:v_oldscan", "metadata": md})).unwrap();
        conn.execute(
            "INSERT INTO intents (id, idempotency_key, code, voucher_count, terminal_id, branch_code, cashier_id, receipt_number, body, state, created_at, updated_at)
             VALUES ('old-scan', 'key-old', 'rsg:v_oldscan', 1, 'T01', 'B001', 'c042', '', ?1, 'scanned', 1, 1)",
            [body],
        )
        .unwrap();
    }
    let db = dir.path().join("t.db");
    voucher_pos::records::backup::restore(&db, &backup, 2).unwrap();
    let store = Store::open(&db, common::clock()).unwrap();
    let restored = store.get("old-scan").unwrap();
    assert!(restored.maybe_executed && restored.sale_id.is_none(), "{restored:#?}");
    let again = voucher_pos::app::terminal::scan_text(&store, "rsg:v_oldscan", &sale()).unwrap();
    let voucher_pos::store::ScanResult::Existing { intent } = again else {
        panic!("expected the existing scan: {again:?}")
    };
    assert_eq!(intent.sale_id, store.open_sale().unwrap().map(|s| s.id));
    // Pressed, it goes to unknown (never queued: it may have been sent from the lost copy).
    let (pressed, _) = store.commit_redeem("old-scan", CASHIER, false).unwrap();
    assert_eq!(pressed.state, IntentState::Unknown);
}
