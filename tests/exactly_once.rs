//! Exactly-once under the faults the world really has: a proxy's 502 after the service
//! committed, a campaign ending before a resend, a terminal clock days off, a cashier
//! who accepts or declines while a request is out, an API key rotated with outcomes
//! still unknown, a transactions list that keeps failing. Each test is a `Terminal` on
//! a real database against the sandbox binary on loopback, and each asserts what a
//! cashier or manager would see, and what the service's ledger holds.

mod common;

use std::sync::Arc;
use std::time::Duration;

use common::sandbox::Sandbox;
use common::sale;
use serde_json::json;
use voucher_pos::api::{ApiClient, ApiConfig};
use voucher_pos::checkout::Terminal;
use voucher_pos::clock::{Clock, ManualClock};
use voucher_pos::intent::{Intent, IntentState};
use voucher_pos::policy::OfflinePolicy;
use voucher_pos::store::Store;
use voucher_pos::sync::SyncConfig;

const DAY_MS: i64 = 86_400_000;

fn fast() -> SyncConfig {
    SyncConfig {
        backoff_base: Duration::from_millis(20),
        backoff_cap: Duration::from_millis(100),
        probe_interval: Duration::from_millis(50),
        decline_grace: Duration::from_millis(100),
        seed: Some(7),
        ..SyncConfig::default()
    }
}

fn api(s: &Sandbox, key: &str) -> ApiClient {
    let mut cfg = ApiConfig::new(&s.url, key);
    cfg.total_timeout = Duration::from_secs(2);
    ApiClient::new(&cfg).unwrap()
}

struct Till {
    _dir: tempfile::TempDir,
    store: Arc<Store>,
}

impl Till {
    fn new(clock: Arc<dyn Clock>) -> Till {
        let dir = tempfile::tempdir().unwrap();
        let store = Arc::new(Store::open(dir.path().join("t.db"), clock).unwrap());
        Till { _dir: dir, store }
    }
    fn start(&self, s: &Sandbox, key: &str, cfg: SyncConfig) -> Terminal {
        Terminal::start(self.store.clone(), api(s, key), cfg)
    }
}

/// Waits (20 s at most) for the intent to satisfy `cond`; `tick` moves a manual
/// clock along while it waits, so that backoff and key windows pass.
async fn wait_for(t: &Terminal, id: &str, what: &str, tick: Option<&ManualClock>, cond: impl Fn(&Intent) -> bool) -> Intent {
    let deadline = std::time::Instant::now() + Duration::from_secs(20);
    loop {
        let i = t.store().get(id).unwrap();
        if cond(&i) {
            return i;
        }
        assert!(std::time::Instant::now() < deadline, "timed out waiting for {what}; intent is {i:#?}\nattempts: {:#?}", t.store().attempts(id).unwrap());
        if let Some(c) = tick {
            c.advance_ms(100);
            t.wake();
        }
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
}

/// Lets the sandbox's key window (`--key-ttl 300ms`) pass, so a resend runs anew.
async fn let_the_service_prune_the_key() {
    tokio::time::sleep(Duration::from_millis(400)).await;
}

fn system_clock() -> Arc<dyn Clock> {
    common::clock()
}

/// The first attempt ends without the service's answer (a proxy's 502 or a dropped
/// connection, after the service committed); the terminal stops; the campaign may end;
/// the service prunes the key; a new terminal on the same database resends.
async fn committed_then_resent_after_the_key_window(fault: &str, campaign_ends: bool) -> (Sandbox, Intent, Vec<serde_json::Value>) {
    let s = Sandbox::start(&["--key-ttl", "300ms"]);
    let (qr, ids) = s.vouchers(1, 500, "active").await;
    let till = Till::new(system_clock());
    let t = till.start(&s, "test_sandbox", fast());
    let id = t.scan(&qr, &sale()).unwrap().intent().id.clone();
    s.faults(json!({ fault: 1.0 })).await;
    t.redeem(&id, "cashier:c042", Duration::ZERO).await.unwrap();
    let i = wait_for(&t, &id, "an unknown outcome", None, |i| i.state == IntentState::Unknown).await;
    assert!(i.maybe_executed, "an attempt with no answer of the service's own may have executed");
    t.shutdown().await;
    assert_eq!(s.ledger().await.len(), 1, "the service did commit the first attempt");
    s.faults(json!({})).await;
    if campaign_ends {
        s.set_state(&ids, "expired").await;
    }
    let_the_service_prune_the_key().await;
    let t = till.start(&s, "test_sandbox", fast());
    let i = wait_for(&t, &id, "a final outcome", None, |i| i.state.is_final() || i.state == IntentState::NeedsReview).await;
    let attempts = t.store().attempts(&id).unwrap();
    t.shutdown().await;
    let ledger = s.ledger().await;
    (s, i, attempts.iter().map(|a| json!({"kind": a.kind, "outcome": a.outcome, "detail": a.detail})).chain(ledger).collect())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_proxys_502_after_commit_then_a_pruned_key_ends_redeemed_not_refused() {
    let (s, i, evidence) = committed_then_resent_after_the_key_window("gateway_error_after_commit_rate", false).await;
    assert_eq!(i.state, IntentState::Redeemed, "the service redeemed it; evidence: {evidence:#?}");
    let ledger = s.ledger().await;
    assert_eq!(ledger.len(), 1, "redeemed once");
    assert_eq!(i.transaction_id.as_deref(), ledger[0]["transaction_id"].as_str());
    assert!(evidence.iter().any(|a| a["outcome"] == "refused"), "the resend met 402 used: {evidence:#?}");
    assert!(evidence.iter().any(|a| a["outcome"] == "found"), "and the lookup found it: {evidence:#?}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_lost_reply_then_a_campaign_ending_ends_redeemed_not_refused() {
    let (s, i, evidence) = committed_then_resent_after_the_key_window("drop_after_commit_rate", true).await;
    assert_eq!(i.state, IntentState::Redeemed, "evidence: {evidence:#?}");
    assert!(evidence.iter().any(|a| a["detail"].as_str().unwrap_or("").contains("period_ended")), "the resend met period ended: {evidence:#?}");
    assert_eq!(s.ledger().await.len(), 1);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_proxys_502_then_a_campaign_ending_ends_redeemed_not_refused() {
    let (s, i, evidence) = committed_then_resent_after_the_key_window("gateway_error_after_commit_rate", true).await;
    assert_eq!(i.state, IntentState::Redeemed, "evidence: {evidence:#?}");
    assert_eq!(s.ledger().await.len(), 1);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_campaign_that_really_ended_is_refused_after_the_lookup_finds_nothing() {
    // The other side of the same rule: the first attempt failed with a 503 before the
    // service executed anything (maybe-executed, as far as the terminal can know), and
    // the campaign ends. The refusal is looked up, not found, and stands.
    let s = Sandbox::start(&[]);
    let (qr, ids) = s.vouchers(1, 500, "active").await;
    let till = Till::new(system_clock());
    let t = till.start(&s, "test_sandbox", fast());
    let id = t.scan(&qr, &sale()).unwrap().intent().id.clone();
    s.faults(json!({"error_rate": {"503": 1.0}})).await;
    t.redeem(&id, "cashier:c042", Duration::ZERO).await.unwrap();
    wait_for(&t, &id, "an unknown outcome", None, |i| i.state == IntentState::Unknown).await;
    s.set_state(&ids, "expired").await;
    s.faults(json!({})).await;
    let i = wait_for(&t, &id, "a final outcome", None, |i| i.state.is_final()).await;
    assert_eq!(i.state, IntentState::Refused);
    assert_eq!(i.error_code.as_deref(), Some("redemption_vouchers_period_ended"));
    assert_eq!(i.error_message.as_deref(), Some("The campaign for one or more vouchers has ended."), "the service's own words");
    let kinds: Vec<String> = t.store().attempts(&id).unwrap().iter().map(|a| format!("{}:{}", a.kind, a.outcome)).collect();
    assert!(kinds.contains(&"lookup:not_found".to_string()), "{kinds:?}");
    assert!(s.ledger().await.is_empty());
}

async fn skewed_clock_finds_its_redemption(skew_ms: i64) {
    let s = Sandbox::start(&[]);
    let (qr, _) = s.vouchers(1, 500, "active").await;
    let clock = ManualClock::new(voucher_pos::clock::SystemClock.now_ms() + skew_ms);
    let till = Till::new(clock.clone());
    // The terminal's key window is short here, so that a lookup (not a replay) decides.
    let cfg = SyncConfig { key_window: Duration::from_secs(2), key_window_margin: Duration::ZERO, ..fast() };
    let t = till.start(&s, "test_sandbox", cfg);
    let id = t.scan(&qr, &sale()).unwrap().intent().id.clone();
    s.faults(json!({"drop_after_commit_rate": 1.0})).await;
    t.redeem(&id, "cashier:c042", Duration::ZERO).await.unwrap();
    let i = wait_for(&t, &id, "redeemed through the transactions list", Some(&clock), |i| i.state.is_final() || i.state == IntentState::NeedsReview).await;
    assert_eq!(i.state, IntentState::Redeemed, "clock off by {} days: {:#?}", skew_ms / DAY_MS, t.store().attempts(&id).unwrap());
    assert_eq!(i.transaction_id.as_deref(), s.ledger().await[0]["transaction_id"].as_str());
    t.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_terminal_clock_three_days_slow_still_finds_its_redemption() {
    skewed_clock_finds_its_redemption(-3 * DAY_MS).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_terminal_clock_three_days_fast_still_finds_its_redemption() {
    skewed_clock_finds_its_redemption(3 * DAY_MS).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_declined_voucher_queued_offline_is_never_sent_when_the_link_returns() {
    let s = Sandbox::start(&[]);
    let (declined_qr, _) = s.vouchers(1, 500, "active").await;
    let (later_qr, _) = s.vouchers(1, 500, "active").await;
    let till = Till::new(system_clock());
    let t = till.start(&s, "test_sandbox", fast());
    s.faults(json!({"offline": true})).await;
    let id = t.scan(&declined_qr, &sale()).unwrap().intent().id.clone();
    let v = t.redeem(&id, "cashier:c042", Duration::from_secs(5)).await.unwrap();
    assert_eq!(v.intent.state, IntentState::Queued, "{v:?}");
    let i = t.decline(&id, "cashier:c042").unwrap();
    assert_eq!((i.state, i.declined), (IntentState::Cancelled, true), "a queued intent is withdrawn at once");
    s.faults(json!({})).await;
    // Another redemption going through proves the engine is back online and working.
    let later = t.scan(&later_qr, &sale()).unwrap().intent().id.clone();
    t.redeem(&later, "cashier:c042", Duration::ZERO).await.unwrap();
    wait_for(&t, &later, "the next voucher redeemed", None, |i| i.state == IntentState::Redeemed).await;
    let key = t.store().get(&id).unwrap().idempotency_key;
    assert_eq!(s.requests_with_key(&key).await, 0, "the declined voucher never reached the service");
    assert_eq!(s.ledger().await.len(), 1);
    assert_eq!(t.store().get(&id).unwrap().state, IntentState::Cancelled);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_declined_voucher_that_an_earlier_attempt_redeemed_lands_in_review_to_make_good() {
    let s = Sandbox::start(&[]);
    let (qr, _) = s.vouchers(1, 700, "active").await;
    let till = Till::new(system_clock());
    let t = till.start(&s, "test_sandbox", fast());
    let id = t.scan(&qr, &sale()).unwrap().intent().id.clone();
    s.faults(json!({"drop_after_commit_rate": 1.0, "latency_ms": 0})).await;
    t.redeem(&id, "cashier:c042", Duration::ZERO).await.unwrap();
    wait_for(&t, &id, "an unknown outcome", None, |i| i.state == IntentState::Unknown).await;
    let err = t.cancel(&id, "cashier:c042").unwrap_err();
    assert_eq!(err.code(), "cancel_not_allowed", "maybe-executed is never cancellable");
    let i = t.decline(&id, "cashier:c042").unwrap();
    assert_eq!((i.state, i.declined), (IntentState::Unknown, true));
    let sent_before = s.requests_with_key(&i.idempotency_key).await;
    s.faults(json!({})).await;
    let i = wait_for(&t, &id, "review", None, |i| i.state == IntentState::NeedsReview).await;
    assert_eq!(i.review_cause.as_deref(), Some("redeemed_after_decline"));
    assert!(i.review_reason.as_deref().unwrap().contains("paid another way"), "{:?}", i.review_reason);
    assert_eq!(i.transaction_id.as_deref(), s.ledger().await[0]["transaction_id"].as_str());
    assert_eq!(s.requests_with_key(&i.idempotency_key).await, sent_before, "a declined intent is never resent");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_declined_voucher_whose_attempt_never_executed_is_not_resent_and_closes_as_not_found() {
    let s = Sandbox::start(&[]);
    let (qr, _) = s.vouchers(1, 700, "active").await;
    let till = Till::new(system_clock());
    let t = till.start(&s, "test_sandbox", fast());
    let id = t.scan(&qr, &sale()).unwrap().intent().id.clone();
    s.faults(json!({"error_rate": {"502": 0.0, "503": 1.0}})).await;
    t.redeem(&id, "cashier:c042", Duration::ZERO).await.unwrap();
    wait_for(&t, &id, "an unknown outcome", None, |i| i.state == IntentState::Unknown).await;
    t.decline(&id, "cashier:c042").unwrap();
    s.faults(json!({})).await;
    let i = wait_for(&t, &id, "review", None, |i| i.state == IntentState::NeedsReview).await;
    assert_eq!(i.review_cause.as_deref(), Some("declined_not_found"));
    assert!(s.ledger().await.is_empty(), "the voucher stays with the customer");
    assert_eq!(s.requests_with_key(&i.idempotency_key).await, 0);
}

async fn accepting_policy(t: &Terminal) {
    OfflinePolicy { accept_offline: true, max_pending: 10, max_pending_age_s: 3600, max_vouchers_per_code: 15 }.save(t.store()).unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_accept_made_while_the_request_is_out_is_kept_and_a_refusal_is_a_loss() {
    let s = Sandbox::start(&[]);
    let (qr, _) = s.vouchers(1, 500, "voided").await;
    let till = Till::new(system_clock());
    let t = till.start(&s, "test_sandbox", fast());
    accepting_policy(&t).await;
    let id = t.scan(&qr, &sale()).unwrap().intent().id.clone();
    s.faults(json!({"latency_ms": 600})).await;
    t.redeem(&id, "cashier:c042", Duration::ZERO).await.unwrap();
    wait_for(&t, &id, "the request out", None, |i| i.state == IntentState::InFlight).await;
    t.accept_offline(&id, "cashier:c042").unwrap();
    let i = wait_for(&t, &id, "an outcome", None, |i| i.state.is_final() || i.state == IntentState::NeedsReview).await;
    assert_eq!((i.state, i.loss), (IntentState::NeedsReview, true), "accepted while in flight, then refused: {i:#?}");
    assert_eq!(i.review_cause.as_deref(), Some("accepted_then_refused"));
    assert!(i.review_reason.unwrap().contains("One or more vouchers have been voided."), "the service's message, verbatim");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_manager_settling_an_accepted_voucher_as_refused_records_the_loss() {
    let s = Sandbox::start(&[]);
    let (qr, _) = s.vouchers(1, 500, "active").await;
    let till = Till::new(system_clock());
    let cfg = SyncConfig { lookup_failures_before_review: 1, key_window: Duration::from_millis(200), key_window_margin: Duration::ZERO, ..fast() };
    let t = till.start(&s, "test_sandbox", cfg);
    accepting_policy(&t).await;
    let id = t.scan(&qr, &sale()).unwrap().intent().id.clone();
    s.faults(json!({"error_rate": {"503": 1.0}})).await;
    t.redeem(&id, "cashier:c042", Duration::ZERO).await.unwrap();
    wait_for(&t, &id, "unknown", None, |i| i.state == IntentState::Unknown).await;
    t.accept_offline(&id, "cashier:c042").unwrap();
    // The list fails as well: the intent reaches a manager, who settles it as refused.
    s.faults(json!({"transactions_error_rate": 1.0, "error_rate": {"503": 1.0}})).await;
    let i = wait_for(&t, &id, "review", None, |i| i.state == IntentState::NeedsReview).await;
    assert_eq!((i.review_cause.as_deref(), i.loss), (Some("lookup_failed"), false));
    let i = t.settle(&id, voucher_pos::checkout::Settlement::Refused, "service says voided", "m01", None).unwrap();
    assert_eq!((i.state, i.loss), (IntentState::Refused, true));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_rotated_api_key_never_resends_an_unknown_intent_under_the_new_key() {
    let s = Sandbox::start(&["--api-key", "test_old", "--api-key", "test_new"]);
    let (qr, _) = s.vouchers(1, 500, "active").await;
    let till = Till::new(system_clock());
    let t = till.start(&s, "test_old", fast());
    let id = t.scan(&qr, &sale()).unwrap().intent().id.clone();
    s.faults(json!({"drop_after_commit_rate": 1.0})).await;
    t.redeem(&id, "cashier:c042", Duration::ZERO).await.unwrap();
    let i = wait_for(&t, &id, "unknown", None, |i| i.state == IntentState::Unknown).await;
    t.shutdown().await;
    let sent = s.requests_with_key(&i.idempotency_key).await;
    s.faults(json!({})).await;
    let t = till.start(&s, "test_new", fast());
    let i = wait_for(&t, &id, "review", None, |i| i.state == IntentState::NeedsReview).await;
    assert_eq!(i.review_cause.as_deref(), Some("service_changed"));
    assert_eq!(s.requests_with_key(&i.idempotency_key).await, sent, "nothing was sent under the new key");
    assert!(!i.review_reason.unwrap().contains("test_old"), "the key itself never reaches the review text");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_transactions_list_that_keeps_failing_reaches_review_with_its_evidence() {
    let s = Sandbox::start(&[]);
    let (qr, _) = s.vouchers(1, 500, "active").await;
    let till = Till::new(system_clock());
    let cfg = SyncConfig { lookup_failures_before_review: 3, key_window: Duration::from_millis(200), key_window_margin: Duration::ZERO, ..fast() };
    let t = till.start(&s, "test_sandbox", cfg);
    let id = t.scan(&qr, &sale()).unwrap().intent().id.clone();
    s.faults(json!({"drop_after_commit_rate": 1.0, "transactions_error_rate": 1.0})).await;
    t.redeem(&id, "cashier:c042", Duration::ZERO).await.unwrap();
    let i = wait_for(&t, &id, "review", None, |i| i.state == IntentState::NeedsReview).await;
    assert_eq!(i.review_cause.as_deref(), Some("lookup_failed"));
    let failed = t.store().attempts(&id).unwrap().iter().filter(|a| a.kind == "lookup" && a.outcome == "lookup_status").count();
    assert_eq!(failed, 3, "three failed reads, each in the attempt log");
    assert!(i.review_reason.unwrap().contains("could not be read"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_clock_corrected_from_days_fast_does_not_stall_the_queue() {
    let s = Sandbox::start(&[]);
    let (qr, _) = s.vouchers(1, 500, "active").await;
    let real = voucher_pos::clock::SystemClock.now_ms();
    let clock = ManualClock::new(real + 3 * DAY_MS);
    let till = Till::new(clock.clone());
    let t = till.start(&s, "test_sandbox", fast());
    s.faults(json!({"offline": true})).await;
    let id = t.scan(&qr, &sale()).unwrap().intent().id.clone();
    t.redeem(&id, "cashier:c042", Duration::ZERO).await.unwrap();
    let i = wait_for(&t, &id, "a failed first attempt", None, |i| i.attempt_count >= 1 && i.state == IntentState::Queued).await;
    assert!(i.next_attempt_at.unwrap() > real + 2 * DAY_MS, "scheduled by the fast clock");
    t.shutdown().await;
    // NTP steps the clock back three days; the link returns.
    clock.set_ms(real);
    s.faults(json!({})).await;
    let t = till.start(&s, "test_sandbox", fast());
    let i = wait_for(&t, &id, "redeemed", Some(&clock), |i| i.state == IntentState::Redeemed).await;
    assert_eq!(i.transaction_id.as_deref(), s.ledger().await[0]["transaction_id"].as_str());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_replayed_refusal_after_the_key_was_pruned_and_run_again_is_looked_up_not_believed() {
    // Found by the soak (seed 406). The first execution redeems and its reply is lost;
    // the service prunes the key; a resend runs anew, meets our own redemption as
    // 402 used, and that reply is lost too; the next resend gets 402 used back with
    // Idempotent-Replayed: true. The replay speaks for the second execution only.
    let s = Sandbox::start(&["--key-ttl", "1s"]);
    let (qr, _) = s.vouchers(1, 500, "active").await;
    let till = Till::new(system_clock());
    let t = till.start(&s, "test_sandbox", fast());
    let id = t.scan(&qr, &sale()).unwrap().intent().id.clone();
    s.faults(json!({"drop_after_commit_rate": 1.0})).await;
    t.redeem(&id, "cashier:c042", Duration::ZERO).await.unwrap();
    wait_for(&t, &id, "an unknown outcome", None, |i| i.state == IntentState::Unknown).await;
    t.shutdown().await;
    tokio::time::sleep(Duration::from_millis(1200)).await; // the service prunes the key
    let t = till.start(&s, "test_sandbox", fast());
    let key = t.store().get(&id).unwrap().idempotency_key;
    let deadline = std::time::Instant::now() + Duration::from_secs(20);
    while s.requests_with_key(&key).await < 2 {
        assert!(std::time::Instant::now() < deadline, "the resend never reached the service");
        tokio::time::sleep(Duration::from_millis(5)).await;
    }
    s.faults(json!({})).await; // the next resend, within the new window, is a replay
    let i = wait_for(&t, &id, "a final outcome", None, |i| i.state.is_final() || i.state == IntentState::NeedsReview).await;
    let attempts = t.store().attempts(&id).unwrap();
    assert_eq!(i.state, IntentState::Redeemed, "{attempts:#?}");
    assert!(attempts.iter().any(|a| a.outcome == "refused" && a.replayed), "the replayed 402 was met: {attempts:#?}");
    assert_eq!(s.ledger().await.len(), 1);
}
