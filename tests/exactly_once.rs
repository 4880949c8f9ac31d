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
use common::{sale, wait_for};
use serde_json::json;
use voucher_pos::app::terminal::Terminal;
use voucher_pos::checkout::policy::OfflinePolicy;
use voucher_pos::domain::intent::{Intent, IntentState};
use voucher_pos::platform::clock::{Clock, ManualClock};
use voucher_pos::service::api::{ApiClient, ApiConfig};
use voucher_pos::service::sync::SyncConfig;
use voucher_pos::store::Store;

const DAY_MS: i64 = 86_400_000;

fn fast() -> SyncConfig {
    common::fast(7)
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

fn system_clock() -> Arc<dyn Clock> {
    common::clock()
}

/// The first attempt ends without the service's answer (a proxy's 502 or a dropped
/// connection, after the service committed); the terminal stops; the campaign may end;
/// the service prunes the key; a new terminal on the same database resends.
async fn committed_then_resent_after_the_key_window(
    fault: &str,
    campaign_ends: bool,
) -> (Sandbox, Intent, Vec<serde_json::Value>) {
    let s = Sandbox::start(&[]);
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
    s.prune_keys().await;
    let t = till.start(&s, "test_sandbox", fast());
    let i =
        wait_for(&t, &id, "a final outcome", None, |i| i.state.is_final() || i.state == IntentState::NeedsReview).await;
    let attempts = t.store().attempts(&id).unwrap();
    t.shutdown().await;
    let ledger = s.ledger().await;
    (
        s,
        i,
        attempts
            .iter()
            .map(|a| json!({"kind": a.kind, "outcome": a.outcome, "detail": a.detail}))
            .chain(ledger)
            .collect(),
    )
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
    assert!(
        evidence.iter().any(|a| a["detail"].as_str().unwrap_or("").contains("period_ended")),
        "the resend met period ended: {evidence:#?}"
    );
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
    assert_eq!(
        i.error_message.as_deref(),
        Some("The campaign for one or more vouchers has ended."),
        "the service's own words"
    );
    let kinds: Vec<String> =
        t.store().attempts(&id).unwrap().iter().map(|a| format!("{}:{}", a.kind, a.outcome)).collect();
    assert!(kinds.contains(&"lookup:not_found".to_string()), "{kinds:?}");
    assert!(s.ledger().await.is_empty());
}

async fn skewed_clock_finds_its_redemption(skew_ms: i64) {
    let s = Sandbox::start(&[]);
    let (qr, _) = s.vouchers(1, 500, "active").await;
    let clock = ManualClock::new(voucher_pos::platform::clock::SystemClock.now_ms() + skew_ms);
    let till = Till::new(clock.clone());
    // The terminal's key window is short here, so that a lookup (not a replay) decides.
    let cfg = SyncConfig { key_window: Duration::from_secs(2), key_window_margin: Duration::ZERO, ..fast() };
    let t = till.start(&s, "test_sandbox", cfg);
    let id = t.scan(&qr, &sale()).unwrap().intent().id.clone();
    s.faults(json!({"drop_after_commit_rate": 1.0})).await;
    t.redeem(&id, "cashier:c042", Duration::ZERO).await.unwrap();
    let i = wait_for(&t, &id, "redeemed through the transactions list", Some(&clock), |i| {
        i.state.is_final() || i.state == IntentState::NeedsReview
    })
    .await;
    assert_eq!(
        i.state,
        IntentState::Redeemed,
        "clock off by {} days: {:#?}",
        skew_ms / DAY_MS,
        t.store().attempts(&id).unwrap()
    );
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
    let i = the_link_returns_and_the_declined_voucher_is_reviewed_to_make_good(&t, &s, &i, "review").await;
    assert!(i.review_reason.as_deref().unwrap().contains("paid another way"), "{:?}", i.review_reason);
}

/// The faults end; the declined voucher, redeemed by an earlier attempt, reaches the
/// review inbox with the service's transaction, and is never sent again.
async fn the_link_returns_and_the_declined_voucher_is_reviewed_to_make_good(
    t: &Terminal,
    s: &Sandbox,
    i: &Intent,
    what: &str,
) -> Intent {
    let sent_before = s.requests_with_key(&i.idempotency_key).await;
    s.faults(json!({})).await;
    let i = wait_for(t, &i.id, what, None, |i| i.state == IntentState::NeedsReview).await;
    assert_eq!(i.review_cause.as_deref(), Some("redeemed_after_decline"));
    assert_eq!(i.transaction_id.as_deref(), s.ledger().await[0]["transaction_id"].as_str());
    assert_eq!(s.requests_with_key(&i.idempotency_key).await, sent_before, "a declined intent is never resent");
    i
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
    OfflinePolicy { accept_offline: true, max_pending: 10, max_pending_age_s: 3600, max_vouchers_per_code: 15 }
        .save(t.store())
        .unwrap();
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
    assert!(
        i.review_reason.unwrap().contains("One or more vouchers have been voided."),
        "the service's message, verbatim"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_manager_settling_an_accepted_voucher_as_refused_records_the_loss() {
    let s = Sandbox::start(&[]);
    let (qr, _) = s.vouchers(1, 500, "active").await;
    let till = Till::new(system_clock());
    let cfg = SyncConfig {
        lookup_failures_before_review: 1,
        key_window: Duration::from_millis(200),
        key_window_margin: Duration::ZERO,
        ..fast()
    };
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
    let i = t.settle(&id, voucher_pos::app::terminal::Settlement::Refused, "service says voided", "m01", None).unwrap();
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
    let cfg = SyncConfig {
        lookup_failures_before_review: 3,
        key_window: Duration::from_millis(200),
        key_window_margin: Duration::ZERO,
        ..fast()
    };
    let t = till.start(&s, "test_sandbox", cfg);
    let id = t.scan(&qr, &sale()).unwrap().intent().id.clone();
    s.faults(json!({"drop_after_commit_rate": 1.0, "transactions_error_rate": 1.0})).await;
    t.redeem(&id, "cashier:c042", Duration::ZERO).await.unwrap();
    let i = wait_for(&t, &id, "review", None, |i| i.state == IntentState::NeedsReview).await;
    assert_eq!(i.review_cause.as_deref(), Some("lookup_failed"));
    let failed =
        t.store().attempts(&id).unwrap().iter().filter(|a| a.kind == "lookup" && a.outcome == "lookup_status").count();
    assert_eq!(failed, 3, "three failed reads, each in the attempt log");
    assert!(i.review_reason.unwrap().contains("could not be read"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_clock_corrected_from_days_fast_does_not_stall_the_queue() {
    let s = Sandbox::start(&[]);
    let (qr, _) = s.vouchers(1, 500, "active").await;
    let real = voucher_pos::platform::clock::SystemClock.now_ms();
    let clock = ManualClock::new(real + 3 * DAY_MS);
    let till = Till::new(clock.clone());
    let t = till.start(&s, "test_sandbox", fast());
    s.faults(json!({"offline": true})).await;
    let id = t.scan(&qr, &sale()).unwrap().intent().id.clone();
    t.redeem(&id, "cashier:c042", Duration::ZERO).await.unwrap();
    let i =
        wait_for(&t, &id, "a failed first attempt", None, |i| i.attempt_count >= 1 && i.state == IntentState::Queued)
            .await;
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
    let s = Sandbox::start(&[]);
    let (qr, _) = s.vouchers(1, 500, "active").await;
    let till = Till::new(system_clock());
    let t = till.start(&s, "test_sandbox", fast());
    let id = t.scan(&qr, &sale()).unwrap().intent().id.clone();
    s.faults(json!({"drop_after_commit_rate": 1.0})).await;
    t.redeem(&id, "cashier:c042", Duration::ZERO).await.unwrap();
    wait_for(&t, &id, "an unknown outcome", None, |i| i.state == IntentState::Unknown).await;
    t.shutdown().await;
    s.prune_keys().await;
    let t = till.start(&s, "test_sandbox", fast());
    let key = t.store().get(&id).unwrap().idempotency_key;
    let deadline = std::time::Instant::now() + Duration::from_secs(20);
    while s.requests_with_key(&key).await < 2 {
        assert!(std::time::Instant::now() < deadline, "the resend never reached the service");
        tokio::time::sleep(Duration::from_millis(5)).await;
    }
    s.faults(json!({})).await; // the next resend, within the new window, is a replay
    let i =
        wait_for(&t, &id, "a final outcome", None, |i| i.state.is_final() || i.state == IntentState::NeedsReview).await;
    let attempts = t.store().attempts(&id).unwrap();
    assert_eq!(i.state, IntentState::Redeemed, "{attempts:#?}");
    assert!(attempts.iter().any(|a| a.outcome == "refused" && a.replayed), "the replayed 402 was met: {attempts:#?}");
    assert_eq!(s.ledger().await.len(), 1);
}

// The service's time, slow lists, declined vouchers found at once, and outcomes that
// could not be written (issue 20, items 6 to 9).

/// A terminal whose client gives up on a request after `timeout` (a list slower than
/// that never answers it in time).
fn start_impatient(till: &Till, s: &Sandbox, cfg: SyncConfig, timeout: Duration) -> Terminal {
    let mut api = ApiConfig::new(&s.url, "test_sandbox");
    api.total_timeout = timeout;
    Terminal::start(till.store.clone(), ApiClient::new(&api).unwrap(), cfg)
}

fn attempts_of(t: &Terminal, id: &str, kind: &str, outcome: &str) -> usize {
    t.store().attempts(id).unwrap().iter().filter(|a| a.kind == kind && a.outcome == outcome).count()
}

/// Waits (20 s at most) until `id` has `n` attempts of this kind and outcome; `tick`
/// moves a manual clock along meanwhile.
async fn wait_for_attempts(t: &Terminal, id: &str, kind: &str, outcome: &str, n: usize, tick: Option<&ManualClock>) {
    let held = common::eventually(t, tick, || attempts_of(t, id, kind, outcome) >= n).await;
    assert!(
        held,
        "timed out waiting for {n} {kind}:{outcome}; intent is {:#?}\nattempts: {:#?}",
        t.store().get(id).unwrap(),
        t.store().attempts(id).unwrap()
    );
}

/// Every event seen so far, without waiting.
fn drain(
    events: &mut tokio::sync::broadcast::Receiver<voucher_pos::service::sync::SyncEvent>,
) -> Vec<voucher_pos::service::sync::SyncEvent> {
    use tokio::sync::broadcast::error::TryRecvError;
    let mut seen = Vec::new();
    loop {
        match events.try_recv() {
            Ok(e) => seen.push(e),
            Err(TryRecvError::Lagged(_)) => {}
            Err(_) => return seen,
        }
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_first_send_of_a_process_records_the_services_time() {
    let s = Sandbox::start(&[]);
    let (qr, _) = s.vouchers(1, 500, "active").await;
    // Thirty days fast: what the intent records of its first send must not be this clock.
    let clock = ManualClock::new(voucher_pos::platform::clock::SystemClock.now_ms() + 30 * DAY_MS);
    let till = Till::new(clock.clone());
    // A new process: no reply has shown the service's `Date` yet.
    let t = till.start(&s, "test_sandbox", fast());
    let id = t.scan(&qr, &sale()).unwrap().intent().id.clone();
    let before = voucher_pos::platform::clock::SystemClock.now_ms();
    t.redeem(&id, "cashier:c042", Duration::ZERO).await.unwrap();
    let i = wait_for(&t, &id, "redeemed", None, |i| i.state == IntentState::Redeemed).await;
    let after = voucher_pos::platform::clock::SystemClock.now_ms();
    let at = i.first_sent_service_at.expect("the first send of a process records the service's time");
    // `Date` has whole seconds.
    assert!((before - 1000..=after + 1000).contains(&at), "service time {at} is not within {before}..{after}");
    t.shutdown().await;
}

/// An intent whose first send has no service time on record (sent by a version that
/// did not wait for it, with the terminal's clock 30 days fast) is looked up over the
/// service's whole history: a range built on the local clock would miss the
/// redemption and let the resend's 402 stand as a refusal.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_intent_first_sent_without_the_services_time_is_looked_up_over_the_whole_history() {
    let s = Sandbox::start(&[]);
    let (qr, _) = s.vouchers(1, 500, "active").await;
    let clock = ManualClock::new(voucher_pos::platform::clock::SystemClock.now_ms() + 30 * DAY_MS);
    let till = Till::new(clock.clone());
    let t = till.start(&s, "test_sandbox", fast());
    let id = t.scan(&qr, &sale()).unwrap().intent().id.clone();
    s.faults(json!({"drop_after_commit_rate": 1.0})).await;
    t.redeem(&id, "cashier:c042", Duration::ZERO).await.unwrap();
    wait_for(&t, &id, "an unknown outcome", None, |i| i.state == IntentState::Unknown).await;
    t.shutdown().await;
    assert_eq!(s.ledger().await.len(), 1, "the service did commit the first attempt");
    // As a row written before the terminal learned the service's time first.
    till.store
        .with_transaction(|tx| {
            tx.execute("UPDATE intents SET first_sent_service_at = NULL WHERE id = ?1", [id.as_str()])
        })
        .unwrap();
    s.faults(json!({})).await;
    s.prune_keys().await;
    let t = till.start(&s, "test_sandbox", fast());
    let i = wait_for(&t, &id, "a final outcome", Some(&clock), |i| {
        i.state.is_final() || i.state == IntentState::NeedsReview
    })
    .await;
    let attempts = t.store().attempts(&id).unwrap();
    assert_eq!(i.state, IntentState::Redeemed, "{attempts:#?}");
    assert_eq!(i.transaction_id.as_deref(), s.ledger().await[0]["transaction_id"].as_str());
    assert!(attempts.iter().any(|a| a.outcome == "refused"), "the resend met 402 used: {attempts:#?}");
    let found = attempts.iter().find(|a| a.kind == "lookup" && a.outcome == "found").expect("found by a lookup");
    assert!(found.detail.as_deref().unwrap_or("").contains("whole history"), "{found:#?}");
    assert_eq!(s.ledger().await.len(), 1);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_lookup_that_times_out_reaches_review() {
    let s = Sandbox::start(&[]);
    let (qr, _) = s.vouchers(1, 500, "active").await;
    let till = Till::new(system_clock());
    let cfg = SyncConfig {
        lookup_failures_before_review: 2,
        key_window: Duration::from_millis(200),
        key_window_margin: Duration::ZERO,
        ..fast()
    };
    let t = start_impatient(&till, &s, cfg, Duration::from_millis(1500));
    let id = t.scan(&qr, &sale()).unwrap().intent().id.clone();
    // The redemption executes and a proxy answers 502; the list answers only long
    // after the client has given up.
    s.faults(json!({"gateway_error_after_commit_rate": 1.0, "list_latency_ms": 30_000})).await;
    t.redeem(&id, "cashier:c042", Duration::ZERO).await.unwrap();
    let i = wait_for(&t, &id, "review", None, |i| i.state == IntentState::NeedsReview).await;
    let attempts = t.store().attempts(&id).unwrap();
    assert_eq!(i.review_cause.as_deref(), Some("lookup_failed"), "{attempts:#?}");
    assert_eq!(
        attempts_of(&t, &id, "lookup", "lookup_timeout"),
        2,
        "two reads timed out, each in the attempt log: {attempts:#?}"
    );
    assert!(i.review_reason.as_deref().unwrap().contains("did not answer in time"), "{:?}", i.review_reason);
    assert_eq!(s.ledger().await.len(), 1);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_failing_list_never_marks_the_service_offline_and_other_vouchers_are_still_sent() {
    let s = Sandbox::start(&[]);
    let (first_qr, _) = s.vouchers(1, 500, "active").await;
    let (second_qr, _) = s.vouchers(1, 500, "active").await;
    let till = Till::new(system_clock());
    // The list keeps failing for longer than this test: no review meanwhile.
    let cfg = SyncConfig {
        lookup_failures_before_review: 1000,
        key_window: Duration::from_millis(200),
        key_window_margin: Duration::ZERO,
        ..fast()
    };
    let t = start_impatient(&till, &s, cfg, Duration::from_millis(1500));
    let mut events = t.subscribe();
    let first = t.scan(&first_qr, &sale()).unwrap().intent().id.clone();
    s.faults(json!({"gateway_error_after_commit_rate": 1.0, "list_latency_ms": 30_000})).await;
    t.redeem(&first, "cashier:c042", Duration::ZERO).await.unwrap();
    wait_for_attempts(&t, &first, "lookup", "lookup_timeout", 2, None).await;
    // Redemptions answer again; the list still does not.
    s.faults(json!({"list_latency_ms": 30_000})).await;
    let second = t.scan(&second_qr, &sale()).unwrap().intent().id.clone();
    t.redeem(&second, "cashier:c042", Duration::ZERO).await.unwrap();
    wait_for(&t, &second, "the other voucher redeemed", None, |i| i.state == IntentState::Redeemed).await;
    wait_for_attempts(&t, &first, "lookup", "lookup_timeout", 3, None).await;
    assert_eq!(t.store().get(&first).unwrap().state, IntentState::Unknown, "still looked up, never guessed");
    assert_ne!(t.connectivity(), voucher_pos::service::sync::Connectivity::Offline);
    let offline: Vec<_> = drain(&mut events)
        .into_iter()
        .filter(|e| {
            matches!(
                e,
                voucher_pos::service::sync::SyncEvent::Connectivity {
                    state: voucher_pos::service::sync::Connectivity::Offline
                }
            )
        })
        .collect();
    assert!(offline.is_empty(), "a failing lookup marked the service offline: {offline:?}");
    assert_eq!(s.ledger().await.len(), 2);
}

/// The probe that brings a terminal back online is not the transactions list: with the
/// link back and the list still slower than the client's timeout, queued vouchers go.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_probe_is_not_the_list_so_a_slow_list_keeps_no_terminal_offline() {
    let s = Sandbox::start(&[]);
    let (qr, _) = s.vouchers(1, 500, "active").await;
    let till = Till::new(system_clock());
    let t = start_impatient(&till, &s, fast(), Duration::from_millis(1500));
    s.faults(json!({"offline": true, "list_latency_ms": 30_000})).await;
    let id = t.scan(&qr, &sale()).unwrap().intent().id.clone();
    let v = t.redeem(&id, "cashier:c042", Duration::from_secs(5)).await.unwrap();
    assert_eq!(v.intent.state, IntentState::Queued, "{v:?}");
    let deadline = std::time::Instant::now() + Duration::from_secs(20);
    while t.connectivity() != voucher_pos::service::sync::Connectivity::Offline {
        assert!(std::time::Instant::now() < deadline, "never went offline");
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    s.faults(json!({"list_latency_ms": 30_000})).await;
    let i = wait_for(&t, &id, "redeemed once the link returned", None, |i| i.state == IntentState::Redeemed).await;
    assert!(i.first_sent_service_at.is_some(), "the first send waited for the service's time: {i:#?}");
    assert_eq!(s.ledger().await.len(), 1);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_declined_voucher_found_redeemed_reaches_review_before_the_grace() {
    let s = Sandbox::start(&[]);
    let (qr, _) = s.vouchers(1, 700, "active").await;
    let till = Till::new(system_clock());
    // A grace far longer than this test: only a lookup made at once can pass it.
    let t = till.start(&s, "test_sandbox", SyncConfig { decline_grace: Duration::from_secs(3600), ..fast() });
    let id = t.scan(&qr, &sale()).unwrap().intent().id.clone();
    s.faults(json!({"gateway_error_after_commit_rate": 1.0})).await;
    t.redeem(&id, "cashier:c042", Duration::ZERO).await.unwrap();
    wait_for(&t, &id, "an unknown outcome", None, |i| i.state == IntentState::Unknown).await;
    let i = t.decline(&id, "cashier:c042").unwrap();
    assert!(i.declined && i.maybe_executed, "{i:#?}");
    // A resend already out when the cashier declined has landed; none leaves after.
    let i = wait_for(&t, &id, "no request out", None, |i| i.state != IntentState::InFlight).await;
    the_link_returns_and_the_declined_voucher_is_reviewed_to_make_good(
        &t,
        &s,
        &i,
        "review, while the customer may still be at the counter",
    )
    .await;
}

/// The other side of the same rule: "not found" is believed only once no earlier
/// attempt can still be travelling. Looked up at once, it concludes nothing; after
/// the grace, the manager is asked.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_declined_voucher_not_found_waits_out_the_grace_before_review() {
    let s = Sandbox::start(&[]);
    let (qr, _) = s.vouchers(1, 700, "active").await;
    let clock = ManualClock::new(voucher_pos::platform::clock::SystemClock.now_ms());
    let till = Till::new(clock.clone());
    let t = till.start(&s, "test_sandbox", SyncConfig { decline_grace: Duration::from_secs(3600), ..fast() });
    let id = t.scan(&qr, &sale()).unwrap().intent().id.clone();
    // A 503 before anything executed: maybe-executed, as far as the terminal can know.
    s.faults(json!({"error_rate": {"503": 1.0}})).await;
    t.redeem(&id, "cashier:c042", Duration::ZERO).await.unwrap();
    wait_for(&t, &id, "an unknown outcome", Some(&clock), |i| i.state == IntentState::Unknown).await;
    t.decline(&id, "cashier:c042").unwrap();
    s.faults(json!({})).await;
    wait_for_attempts(&t, &id, "lookup", "not_found", 1, Some(&clock)).await;
    let i = t.store().get(&id).unwrap();
    assert_eq!(
        (i.state, i.review_cause.as_deref()),
        (IntentState::Unknown, None),
        "not found within the grace concludes nothing: {i:#?}"
    );
    clock.advance_ms(3_600_000 + 60_000);
    t.wake();
    let i =
        wait_for(&t, &id, "review once the grace has passed", Some(&clock), |i| i.state == IntentState::NeedsReview)
            .await;
    assert_eq!(i.review_cause.as_deref(), Some("declined_not_found"));
    assert!(attempts_of(&t, &id, "lookup", "not_found") >= 2, "looked up again after the grace");
    assert!(s.ledger().await.is_empty(), "the voucher stays with the customer");
    assert_eq!(s.requests_with_key(&i.idempotency_key).await, 0);
}

/// An outcome that cannot be written (another writer holds the database past the
/// store's busy timeout, as a full disk would refuse it) leaves the intent `in_flight`;
/// the same engine, without a restart, turns it `unknown` once the store takes writes
/// again, and it is resent to its outcome.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_outcome_that_could_not_be_written_is_recovered_without_a_restart() {
    use voucher_pos::service::sync::SyncEvent;
    use voucher_pos::store::StoreOptions;
    let s = Sandbox::start(&[]);
    let (qr, _) = s.vouchers(1, 500, "active").await;
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("t.db");
    let opts = StoreOptions { busy_timeout: Duration::from_millis(50), ..Default::default() };
    let store = Arc::new(Store::open_with(&path, system_clock(), opts).unwrap());
    let mut api = ApiConfig::new(&s.url, "test_sandbox");
    api.total_timeout = Duration::from_secs(60);
    let t = Terminal::start(store, ApiClient::new(&api).unwrap(), fast());
    let mut events = t.subscribe();
    let id = t.scan(&qr, &sale()).unwrap().intent().id.clone();
    let key = t.store().get(&id).unwrap().idempotency_key;
    // The request waits at the service until the test lets it end.
    s.faults(json!({"latency_ms": 60_000})).await;
    t.redeem(&id, "cashier:c042", Duration::ZERO).await.unwrap();
    let deadline = std::time::Instant::now() + Duration::from_secs(20);
    while s.requests_with_key(&key).await < 1 {
        assert!(std::time::Instant::now() < deadline, "the request never reached the service");
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    assert_eq!(t.store().get(&id).unwrap().state, IntentState::InFlight);
    // Another writer holds the database; then the link drops, so the request ends
    // without an answer (nothing executed) and its outcome cannot be written.
    let blocker = rusqlite::Connection::open(&path).unwrap();
    blocker.execute_batch("BEGIN IMMEDIATE").unwrap();
    s.faults(json!({"offline": true})).await;
    let deadline = tokio::time::Instant::now() + Duration::from_secs(20);
    loop {
        match tokio::time::timeout_at(deadline, events.recv()).await {
            Ok(Ok(SyncEvent::StoreFailure { .. })) => break,
            Ok(Ok(_)) | Ok(Err(tokio::sync::broadcast::error::RecvError::Lagged(_))) => {}
            other => panic!("no store failure was reported: {other:?}"),
        }
    }
    assert_eq!(t.store().get(&id).unwrap().state, IntentState::InFlight, "the outcome was not written");
    blocker.execute_batch("ROLLBACK").unwrap();
    drop(blocker);
    s.faults(json!({})).await;
    let i = wait_for(&t, &id, "redeemed, without a restart", None, |i| i.state == IntentState::Redeemed).await;
    let attempts = t.store().attempts(&id).unwrap();
    assert!(i.maybe_executed, "recovered as maybe-executed");
    assert!(
        attempts
            .iter()
            .any(|a| a.kind == "interrupted"
                && a.detail.as_deref().unwrap_or("").contains("recovered without a restart")),
        "{attempts:#?}"
    );
    assert_eq!(s.ledger().await.len(), 1);
    t.shutdown().await;
}
