//! The sync engine end to end: a `Terminal` on a real database, delivering to the
//! sandbox binary on loopback, with the sandbox's faults switched mid-story.

mod common;

use std::sync::Arc;
use std::time::Duration;

use common::sandbox::Sandbox;
use common::{sale, wait_for};
use serde_json::json;
use voucher_pos::app::terminal::Terminal;
use voucher_pos::checkout::policy::{OfflinePolicy, OfflineVerdict};
use voucher_pos::domain::intent::IntentState;
use voucher_pos::service::api::{ApiClient, ApiConfig};
use voucher_pos::service::sync::{Connectivity, SyncConfig};
use voucher_pos::store::Store;

struct Setup {
    _dir: tempfile::TempDir,
    terminal: Terminal,
}

fn fast() -> SyncConfig {
    SyncConfig {
        backoff_base: Duration::from_millis(20),
        backoff_cap: Duration::from_millis(200),
        probe_interval: Duration::from_millis(100),
        seed: Some(1),
        ..SyncConfig::default()
    }
}

fn terminal(s: &Sandbox, cfg: SyncConfig) -> Setup {
    let dir = tempfile::tempdir().unwrap();
    let store = Arc::new(Store::open(dir.path().join("t.db"), common::clock()).unwrap());
    let mut api = ApiConfig::new(&s.url, "test_sandbox");
    api.total_timeout = Duration::from_secs(2);
    let terminal = Terminal::start(store, ApiClient::new(&api).unwrap(), cfg);
    Setup { _dir: dir, terminal }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_redeem_press_is_redeemed_with_one_request() {
    let s = Sandbox::start(&[]);
    let (qr, _) = s.vouchers(2, 500, "active").await;
    let Setup { _dir, terminal: t } = terminal(&s, fast());
    let id = t.scan(&qr, &sale()).unwrap().intent().id.clone();
    let v = t.redeem(&id, "cashier:c042", Duration::from_secs(5)).await.unwrap();
    assert_eq!(v.intent.state, IntentState::Redeemed);
    assert_eq!(v.intent.value_cents, Some(1000));
    assert_eq!(s.ledger().await[0]["transaction_id"].as_str(), v.intent.transaction_id.as_deref());
    assert_eq!(s.redeem_requests().await, 1);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_double_press_sends_one_request() {
    let s = Sandbox::start(&[]);
    let (qr, _) = s.vouchers(1, 500, "active").await;
    s.faults(json!({"latency_ms": 200})).await;
    let Setup { _dir, terminal: t } = terminal(&s, fast());
    let id = t.scan(&qr, &sale()).unwrap().intent().id.clone();
    let (a, b) = tokio::join!(
        t.redeem(&id, "cashier:c042", Duration::from_secs(5)),
        t.redeem(&id, "cashier:c042", Duration::from_secs(5))
    );
    assert!(a.unwrap().newly_committed ^ b.unwrap().newly_committed, "exactly one press commits");
    wait_for(&t, &id, "redeemed", None, |i| i.state == IntentState::Redeemed).await;
    assert_eq!(s.redeem_requests().await, 1);
    assert_eq!(s.ledger().await.len(), 1);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_reply_lost_after_commit_is_resent_with_the_same_key_and_replayed() {
    let s = Sandbox::start(&[]);
    let (qr, _) = s.vouchers(1, 500, "active").await;
    s.faults(json!({"drop_after_commit_rate": 1.0})).await;
    let Setup { _dir, terminal: t } = terminal(&s, fast());
    let id = t.scan(&qr, &sale()).unwrap().intent().id.clone();
    t.redeem(&id, "cashier:c042", Duration::from_millis(1)).await.unwrap();
    wait_for(&t, &id, "an unknown outcome", None, |i| i.state == IntentState::Unknown).await;
    s.faults(json!({})).await;
    let i = wait_for(&t, &id, "redeemed", None, |i| i.state == IntentState::Redeemed).await;
    let attempts = t.store().attempts(&id).unwrap();
    assert!(attempts.iter().any(|a| a.outcome == "outcome_unknown"));
    assert!(attempts.last().unwrap().replayed, "the resend got the saved answer back");
    let ledger = s.ledger().await;
    assert_eq!(ledger.len(), 1);
    assert_eq!(ledger[0]["idempotency_key"].as_str(), Some(i.idempotency_key.as_str()));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn offline_redemptions_wait_in_the_queue_and_go_through_when_the_link_returns() {
    let s = Sandbox::start(&[]);
    let (qr, _) = s.vouchers(1, 500, "active").await;
    let Setup { _dir, terminal: t } = terminal(&s, fast());
    s.faults(json!({"offline": true})).await;
    let id = t.scan(&qr, &sale()).unwrap().intent().id.clone();
    let v = t.redeem(&id, "cashier:c042", Duration::from_secs(5)).await.unwrap();
    assert!(v.intent.state.is_pending(), "{v:?}");
    assert!(
        matches!(v.offline, Some(OfflineVerdict::TakeOtherPayment { .. })),
        "the default policy accepts nothing unconfirmed"
    );
    assert_eq!(t.summary().unwrap().pending, 1);
    let deadline = std::time::Instant::now() + Duration::from_secs(5);
    while t.connectivity() != Connectivity::Offline {
        assert!(std::time::Instant::now() < deadline, "never went offline");
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    s.faults(json!({})).await;
    wait_for(&t, &id, "redeemed by itself", None, |i| i.state == IntentState::Redeemed).await;
    assert_eq!(t.summary().unwrap().pending, 0);
    assert_eq!(s.ledger().await.len(), 1);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_used_voucher_is_refused_with_the_services_message() {
    let s = Sandbox::start(&[]);
    let (qr, _) = s.vouchers(1, 500, "active").await;
    ApiClient::new(&ApiConfig::new(&s.url, "test_sandbox"))
        .unwrap()
        .redeem("elsewhere", format!(r#"{{"qr":"{qr}"}}"#).as_bytes())
        .await;
    let Setup { _dir, terminal: t } = terminal(&s, fast());
    let id = t.scan(&qr, &sale()).unwrap().intent().id.clone();
    let v = t.redeem(&id, "cashier:c042", Duration::from_secs(5)).await.unwrap();
    assert_eq!(v.intent.state, IntentState::Refused);
    assert_eq!(v.intent.error_code.as_deref(), Some("redemption_vouchers_used"));
    assert_eq!(v.intent.error_message.as_deref(), Some("One or more vouchers have already been redeemed."));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_code_redeemed_after_its_key_expired_is_found_through_the_transactions_list() {
    let s = Sandbox::start(&["--key-ttl", "1s"]);
    let (qr, _) = s.vouchers(1, 500, "active").await;
    let cfg = SyncConfig { key_window: Duration::from_secs(1), key_window_margin: Duration::ZERO, ..fast() };
    let Setup { _dir, terminal: t } = terminal(&s, cfg);
    s.faults(json!({"drop_after_commit_rate": 1.0})).await;
    let id = t.scan(&qr, &sale()).unwrap().intent().id.clone();
    t.redeem(&id, "cashier:c042", Duration::from_millis(1)).await.unwrap();
    wait_for(&t, &id, "an unknown outcome", None, |i| i.state == IntentState::Unknown).await;
    // Offline past the key window: the next step must be a lookup, not a resend.
    s.faults(json!({"offline": true})).await;
    let first_sent = t.store().get(&id).unwrap().first_sent_at.unwrap();
    while t.store().now_ms() - first_sent < 1100 {
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    let requests_before = s.redeem_requests().await;
    s.faults(json!({})).await;
    let i = wait_for(&t, &id, "redeemed", None, |i| i.state == IntentState::Redeemed).await;
    assert_eq!(s.redeem_requests().await, requests_before, "the intent was resent blindly after its key expired");
    assert_eq!(i.transaction_id.as_deref(), s.ledger().await[0]["transaction_id"].as_str());
    assert!(t.store().attempts(&id).unwrap().iter().any(|a| a.kind == "lookup" && a.outcome == "found"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_402_used_after_an_unknown_attempt_is_resolved_not_shown_as_a_refusal() {
    let s = Sandbox::start(&[]);
    let (qr, _) = s.vouchers(1, 500, "active").await;
    // The terminal believes keys last a day; the service prunes it sooner.
    let Setup { _dir, terminal: t } = terminal(&s, fast());
    s.faults(json!({"drop_after_commit_rate": 1.0})).await;
    let id = t.scan(&qr, &sale()).unwrap().intent().id.clone();
    t.redeem(&id, "cashier:c042", Duration::from_millis(1)).await.unwrap();
    wait_for(&t, &id, "an unknown outcome", None, |i| i.state == IntentState::Unknown).await;
    s.faults(json!({"offline": true})).await;
    s.prune_keys().await; // the service's key window passes
    s.faults(json!({})).await;
    let i = wait_for(&t, &id, "redeemed", None, |i| i.state.is_final()).await;
    assert_eq!(i.state, IntentState::Redeemed, "{i:#?}");
    let attempts = t.store().attempts(&id).unwrap();
    assert!(attempts.iter().any(|a| a.http_status == Some(402)), "the resend met 402 used");
    assert!(attempts.iter().any(|a| a.kind == "lookup" && a.outcome == "found"));
    assert_eq!(s.ledger().await.len(), 1);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_key_reused_answer_goes_to_review_with_the_evidence_and_no_new_key() {
    let s = Sandbox::start(&[]);
    let (qr, _) = s.vouchers(1, 500, "active").await;
    let (other, _) = s.vouchers(1, 500, "active").await;
    let Setup { _dir, terminal: t } = terminal(&s, fast());
    let i = t.scan(&qr, &sale()).unwrap().intent().clone();
    // Someone used this intent's key for another request first.
    ApiClient::new(&ApiConfig::new(&s.url, "test_sandbox"))
        .unwrap()
        .redeem(&i.idempotency_key, format!(r#"{{"qr":"{other}"}}"#).as_bytes())
        .await;
    let v = t.redeem(&i.id, "cashier:c042", Duration::from_secs(5)).await.unwrap();
    assert_eq!(v.intent.state, IntentState::NeedsReview);
    assert_eq!(v.intent.idempotency_key, i.idempotency_key);
    assert!(v.intent.review_reason.unwrap().contains("other parameters"));
    assert_eq!(t.summary().unwrap().needs_review, 1);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_voucher_accepted_offline_and_later_refused_is_flagged_as_a_loss() {
    let s = Sandbox::start(&[]);
    let (qr, _) = s.vouchers(1, 500, "voided").await;
    let Setup { _dir, terminal: t } = terminal(&s, fast());
    OfflinePolicy { accept_offline: true, ..OfflinePolicy::default() }.save(t.store()).unwrap();
    s.faults(json!({"offline": true})).await;
    let id = t.scan(&qr, &sale()).unwrap().intent().id.clone();
    let v = t.redeem(&id, "cashier:c042", Duration::from_secs(5)).await.unwrap();
    assert_eq!(v.offline, Some(OfflineVerdict::MayAccept));
    t.accept_offline(&id, "cashier:c042").unwrap();
    s.faults(json!({})).await;
    let i = wait_for(&t, &id, "review", None, |i| i.state == IntentState::NeedsReview).await;
    assert!(i.loss);
    assert_eq!(i.error_code.as_deref(), Some("redemption_vouchers_voided"));
    let settled = t
        .settle(&id, voucher_pos::app::terminal::Settlement::Refused, "customer paid cash instead", "m1", None)
        .unwrap();
    assert_eq!(settled.state, IntentState::Refused);
    assert!(t.store().history(&id).unwrap().last().unwrap().note.as_deref().unwrap().contains("customer paid cash"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_offline_policy_limits_how_many_unconfirmed_vouchers_may_pay() {
    let s = Sandbox::start(&[]);
    let Setup { _dir, terminal: t } = terminal(&s, fast());
    OfflinePolicy { accept_offline: true, max_pending: 1, ..OfflinePolicy::default() }.save(t.store()).unwrap();
    s.faults(json!({"offline": true})).await;
    let mut ids = Vec::new();
    for _ in 0..2 {
        let (qr, _) = s.vouchers(1, 500, "active").await;
        let id = t.scan(&qr, &sale()).unwrap().intent().id.clone();
        t.redeem(&id, "cashier:c042", Duration::from_secs(5)).await.unwrap();
        ids.push(id);
    }
    t.accept_offline(&ids[0], "cashier:c042").unwrap();
    let err = t.accept_offline(&ids[1], "cashier:c042").unwrap_err();
    assert_eq!(err.code(), "offline_not_allowed");
    assert!(err.to_string().contains("already waiting"), "{err}");
}
