//! Delivery and reconciliation: the one task that talks to the service about
//! committed intents.
//!
//! Why it is shaped this way:
//! - An intent is marked `in_flight` durably *before* its request leaves, so a crash
//!   at any instruction leaves evidence that a request may have run; recovery turns
//!   that into `unknown`, never into "not sent".
//! - Every send is the stored key with the stored bytes. Nothing is re-serialised.
//! - An answer that does not prove what happened (timeout, reset, 409, unreadable
//!   reply) leaves the intent `unknown`: it is resent with the same key, or, once the
//!   key may have been pruned, found (or not) in the transactions list by its intent
//!   id. Nothing is ever guessed; what cannot be decided goes to a manager.
//! - Waiting is event-driven: the engine sleeps until the earliest `next_attempt_at`,
//!   a Redeem press, a finished request, or (offline) the next probe.

use std::collections::HashSet;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};
use serde::Serialize;
use tokio::sync::{broadcast, watch, Notify};
use tokio::task::JoinSet;

use crate::api::{ApiClient, LookupError, RedeemOutcome};
use crate::clock::{utc_date, Clock};
use crate::intent::{Intent, IntentState};
use crate::store::{AttemptKind, NewAttempt, QueueSummary, Store, StoreError};

/// How the engine paces itself. The defaults are the product's.
#[derive(Debug, Clone)]
pub struct SyncConfig {
    /// Most requests in flight at once, across different intents.
    pub concurrency: usize,
    /// Full-jitter backoff: a retry waits a random time in `[0, min(cap, base * 2^n))`.
    pub backoff_base: Duration,
    pub backoff_cap: Duration,
    /// How long the service keeps a key's saved result (24 h at RedeemSG).
    pub key_window: Duration,
    /// An unknown outcome older than `key_window - margin` is looked up, not resent.
    pub key_window_margin: Duration,
    /// How often a cheap probe runs while offline.
    pub probe_interval: Duration,
    /// Retry budget: at most this many retries in a burst...
    pub retry_burst: f64,
    /// ...refilled at this many per second, plus one per answered request.
    pub retry_refill_per_sec: f64,
    /// Unreadable transactions lists tolerated before a manager is asked to decide.
    pub lookup_failures_before_review: u32,
    /// Seed of the jitter, so that a fault schedule replays exactly.
    pub seed: Option<u64>,
}

impl Default for SyncConfig {
    fn default() -> Self {
        SyncConfig {
            concurrency: 4,
            backoff_base: Duration::from_millis(250),
            backoff_cap: Duration::from_secs(30),
            key_window: Duration::from_secs(24 * 3600),
            key_window_margin: Duration::from_secs(3600),
            probe_interval: Duration::from_secs(1),
            retry_burst: 20.0,
            retry_refill_per_sec: 2.0,
            lookup_failures_before_review: 5,
            seed: None,
        }
    }
}

/// The delay before retry number `attempt` (1 = first retry): full jitter.
pub fn full_jitter(base: Duration, cap: Duration, attempt: u32, rng: &mut impl Rng) -> Duration {
    let exp = base.as_millis().saturating_mul(1u128 << attempt.min(30)).min(cap.as_millis()) as u64;
    Duration::from_millis(if exp == 0 { 0 } else { rng.gen_range(0..exp) })
}

/// Whether the service is reachable, as seen from real outcomes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, ts_rs::TS)]
#[serde(rename_all = "snake_case")]
pub enum Connectivity {
    Online,
    /// Reachable but failing (5xx, 429, 401).
    Degraded,
    /// Not reachable; intents wait, and a probe checks every `probe_interval`.
    Offline,
}

/// What the engine and the checkout tell the outside (the app forwards these to the UI).
#[derive(Debug, Clone, PartialEq, Serialize, ts_rs::TS)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum SyncEvent {
    IntentChanged { intent_id: String, state: IntentState },
    Queue(QueueSummary),
    Connectivity { state: Connectivity },
    /// The engine could not write an outcome (a full disk, say): the engineer on call
    /// must look. The intent stays `in_flight` and is recovered as `unknown`.
    StoreFailure { message: String },
}

/// Announces an intent's new state and the queue it leaves behind.
pub(crate) fn publish_intent(events: &broadcast::Sender<SyncEvent>, store: &Store, i: &Intent) {
    let _ = events.send(SyncEvent::IntentChanged { intent_id: i.id.clone(), state: i.state });
    if let Ok(s) = store.summary() {
        let _ = events.send(SyncEvent::Queue(s));
    }
}

/// The engine's shared parts: the store, the client, and where events go.
pub struct SyncHandle {
    wake: Arc<Notify>,
    events: broadcast::Sender<SyncEvent>,
    connectivity: watch::Receiver<Connectivity>,
    stop: watch::Sender<bool>,
    task: tokio::task::JoinHandle<()>,
}

impl SyncHandle {
    /// Starts the engine for `store` on the current tokio runtime.
    pub fn spawn(store: Arc<Store>, api: ApiClient, cfg: SyncConfig, events: broadcast::Sender<SyncEvent>) -> SyncHandle {
        let wake = Arc::new(Notify::new());
        let (conn_tx, conn_rx) = watch::channel(Connectivity::Online);
        let (stop, stop_rx) = watch::channel(false);
        let rng = match cfg.seed {
            Some(s) => StdRng::seed_from_u64(s),
            None => StdRng::from_entropy(),
        };
        let engine = Arc::new(Engine { clock: store.clock(), store, api, cfg, events: events.clone(), rng: Mutex::new(rng), connectivity: conn_tx });
        let task = tokio::spawn(engine.run(wake.clone(), stop_rx));
        SyncHandle { wake, events, connectivity: conn_rx, stop, task }
    }

    /// Deliver now (a Redeem press, a settings change).
    pub fn wake(&self) {
        self.wake.notify_one();
    }

    pub fn subscribe(&self) -> broadcast::Receiver<SyncEvent> {
        self.events.subscribe()
    }

    pub fn connectivity(&self) -> Connectivity {
        *self.connectivity.borrow()
    }

    /// Stops the engine. A request still in flight is abandoned exactly as a crash
    /// would abandon it: the intent stays `in_flight` and is recovered on next start.
    pub async fn shutdown(self) {
        let _ = self.stop.send(true);
        let _ = self.task.await;
    }
}

/// The field changes that go with an outcome; `Fn` so that a failed write can be
/// retried with the same changes.
type Edit = Box<dyn Fn(&mut Intent) + Send + Sync>;

struct Engine {
    store: Arc<Store>,
    api: ApiClient,
    cfg: SyncConfig,
    clock: Arc<dyn Clock>,
    events: broadcast::Sender<SyncEvent>,
    rng: Mutex<StdRng>,
    connectivity: watch::Sender<Connectivity>,
}

/// What one piece of work learned about the service.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Signal {
    /// The service answered something meaningful.
    Answered,
    /// Reachable but unwell.
    Degraded,
    /// Asked to slow down.
    RateLimited,
    /// Not reachable.
    Unreachable,
    /// Nothing learned (the intent changed under us, or a store failure).
    Nothing,
}

enum Job {
    Intent(String, Signal),
    Probe(bool),
}

/// Token bucket that keeps a failing service from being hammered: first attempts
/// are free, retries spend a token.
struct RetryBudget {
    tokens: f64,
    burst: f64,
    per_sec: f64,
    last_ms: i64,
}

impl RetryBudget {
    fn refill(&mut self, now: i64) {
        let dt = (now - self.last_ms).max(0) as f64 / 1000.0;
        self.tokens = (self.tokens + dt * self.per_sec).min(self.burst);
        self.last_ms = now;
    }
    fn try_take(&mut self, now: i64) -> bool {
        self.refill(now);
        if self.tokens >= 1.0 {
            self.tokens -= 1.0;
            true
        } else {
            false
        }
    }
    fn earn(&mut self) {
        self.tokens = (self.tokens + 1.0).min(self.burst);
    }
    fn ms_until_token(&self) -> i64 {
        (((1.0 - self.tokens).max(0.0) / self.per_sec.max(0.001)) * 1000.0).ceil() as i64
    }
}

impl Engine {
    fn publish_intent(&self, i: &Intent) {
        publish_intent(&self.events, &self.store, i);
    }

    fn set_connectivity(&self, c: Connectivity) -> bool {
        let changed = *self.connectivity.borrow() != c;
        if changed {
            self.connectivity.send_replace(c);
            let _ = self.events.send(SyncEvent::Connectivity { state: c });
        }
        changed
    }

    fn backoff(&self, attempt: u32) -> i64 {
        let mut rng = self.rng.lock().unwrap();
        full_jitter(self.cfg.backoff_base, self.cfg.backoff_cap, attempt, &mut *rng).as_millis() as i64
    }

    async fn run(self: Arc<Self>, wake: Arc<Notify>, mut stop: watch::Receiver<bool>) {
        match self.store.recover_in_flight() {
            Ok(recovered) => recovered.iter().for_each(|i| self.publish_intent(i)),
            Err(e) => {
                let _ = self.events.send(SyncEvent::StoreFailure { message: e.to_string() });
            }
        }
        if let Ok(s) = self.store.summary() {
            let _ = self.events.send(SyncEvent::Queue(s));
        }
        let mut running: HashSet<String> = HashSet::new();
        let mut jobs: JoinSet<Job> = JoinSet::new();
        let mut limit = self.cfg.concurrency.max(1) as f64;
        let mut budget = RetryBudget {
            tokens: self.cfg.retry_burst,
            burst: self.cfg.retry_burst,
            per_sec: self.cfg.retry_refill_per_sec,
            last_ms: self.clock.now_ms(),
        };
        let mut probing = false;
        let mut next_probe_ms = 0i64;
        loop {
            let now = self.clock.now_ms();
            let online = *self.connectivity.borrow() != Connectivity::Offline;
            let mut wake_at: Option<i64> = None;
            if online {
                let slots = (limit.floor() as usize).saturating_sub(running.len());
                if slots > 0 {
                    let due = self.store.due(now, slots + running.len()).unwrap_or_default();
                    let fresh: Vec<Intent> = due.into_iter().filter(|i| !running.contains(&i.id)).take(slots).collect();
                    for intent in fresh {
                        if intent.attempt_count > 0 && !budget.try_take(now) {
                            wake_at = Some(now + budget.ms_until_token());
                            break;
                        }
                        running.insert(intent.id.clone());
                        let engine = self.clone();
                        jobs.spawn(async move {
                            let id = intent.id.clone();
                            let signal = engine.work(intent).await;
                            Job::Intent(id, signal)
                        });
                    }
                }
                if (running.len() as f64) < limit.floor() && wake_at.is_none() {
                    wake_at = self.store.next_due_at(&running).ok().flatten();
                }
            } else if !probing {
                if now >= next_probe_ms {
                    probing = true;
                    let api = self.api.clone();
                    jobs.spawn(async move { Job::Probe(api.probe().await) });
                } else {
                    wake_at = Some(next_probe_ms);
                }
            }
            let sleep_ms = wake_at.map(|t| (t - self.clock.now_ms()).clamp(0, 3_600_000) as u64);
            tokio::select! {
                _ = wake.notified() => {}
                _ = stop.changed() => break,
                done = jobs.join_next(), if !jobs.is_empty() => {
                    match done {
                        Some(Ok(Job::Intent(id, signal))) => {
                            running.remove(&id);
                            match signal {
                                Signal::Answered => {
                                    budget.earn();
                                    limit = (limit + 1.0 / limit).min(self.cfg.concurrency.max(1) as f64);
                                    self.set_connectivity(Connectivity::Online);
                                }
                                Signal::RateLimited => {
                                    limit = (limit / 2.0).max(1.0);
                                    self.set_connectivity(Connectivity::Degraded);
                                }
                                Signal::Degraded => { self.set_connectivity(Connectivity::Degraded); }
                                Signal::Unreachable => {
                                    if self.set_connectivity(Connectivity::Offline) {
                                        next_probe_ms = self.clock.now_ms() + self.cfg.probe_interval.as_millis() as i64;
                                    }
                                }
                                Signal::Nothing => {}
                            }
                        }
                        Some(Ok(Job::Probe(ok))) => {
                            probing = false;
                            if ok {
                                self.set_connectivity(Connectivity::Online);
                                let _ = self.store.expedite_pending(self.clock.now_ms());
                            } else {
                                next_probe_ms = self.clock.now_ms() + self.cfg.probe_interval.as_millis() as i64;
                            }
                        }
                        // A panicked job: its intent stays where the store has it.
                        Some(Err(_)) | None => {}
                    }
                }
                _ = tokio::time::sleep(Duration::from_millis(sleep_ms.unwrap_or(0))), if sleep_ms.is_some() => {}
            }
        }
        jobs.shutdown().await;
    }

    /// Runs store work (fsync'd writes, and reads that wait for them) off the async
    /// workers, so a disk flush never stalls requests in flight.
    async fn on_store<T: Send + 'static>(self: &Arc<Self>, f: impl FnOnce(&Engine) -> T + Send + 'static) -> T {
        let engine = self.clone();
        tokio::task::spawn_blocking(move || f(&engine)).await.expect("a store task panicked")
    }

    fn key_may_be_pruned(&self, i: &Intent, now: i64) -> bool {
        let horizon = self.cfg.key_window.saturating_sub(self.cfg.key_window_margin).as_millis() as i64;
        i.first_sent_at.is_some_and(|t| now - t >= horizon)
    }

    async fn work(self: &Arc<Self>, intent: Intent) -> Signal {
        let now = self.clock.now_ms();
        let result = if intent.state == IntentState::Unknown && (intent.lookup_due || self.key_may_be_pruned(&intent, now)) {
            self.reconcile(intent).await
        } else {
            self.send(intent).await
        };
        match result {
            Ok(signal) => signal,
            Err(StoreError::StateChanged { .. }) => Signal::Nothing,
            Err(e) => {
                let _ = self.events.send(SyncEvent::StoreFailure { message: e.to_string() });
                Signal::Nothing
            }
        }
    }

    /// Sends the stored request once and records what it proved.
    async fn send(self: &Arc<Self>, intent: Intent) -> Result<Signal, StoreError> {
        use IntentState::*;
        let from = intent.state;
        let started = self.clock.now_ms();
        let id = intent.id.clone();
        let i = self
            .on_store(move |e| {
                let i = e.store.transition(&id, from, InFlight, "sync", None, None, |i| {
                    i.attempt_count += 1;
                    i.first_sent_at.get_or_insert(started);
                })?;
                e.publish_intent(&i);
                Ok::<_, StoreError>(i)
            })
            .await?;
        let reply = self.api.redeem(&i.idempotency_key, &i.body).await;
        let now = self.clock.now_ms();
        let attempt = NewAttempt {
            kind: AttemptKind::Redeem,
            started_at: started,
            ended_at: now,
            http_status: reply.http_status,
            outcome: reply.outcome.code().into(),
            replayed: reply.replayed,
            detail: Some(reply.outcome.detail()),
        };
        // Where the intent goes when this attempt certainly did not execute: back to
        // where it was, since an earlier attempt may still have.
        let not_executed = if from == Unknown { Unknown } else { Queued };
        let retry_at = now + self.backoff(i.attempt_count);
        let status = reply.http_status;
        let (to, signal, note, edit): (IntentState, Signal, Option<String>, Edit) = match reply.outcome {
            RedeemOutcome::Redeemed(r) => (Redeemed, Signal::Answered, None, Box::new(move |i: &mut Intent| {
                i.transaction_id = Some(r.transaction_id.clone());
                i.campaign_name = Some(r.campaign_name.clone());
                i.value_cents = Some(r.value_cents);
                i.http_status = status;
                i.error_code = None;
                i.error_message = None;
                i.lookup_due = false;
            })),
            RedeemOutcome::Refused { code, message } if code == "redemption_vouchers_used" && from == Unknown => (
                Unknown,
                Signal::Answered,
                Some("402 used after an attempt whose outcome is unknown: looking it up".into()),
                Box::new(move |i: &mut Intent| {
                    i.lookup_due = true;
                    i.next_attempt_at = Some(now);
                    i.http_status = status;
                    i.error_code = Some(code.clone());
                    i.error_message = Some(message.clone());
                }),
            ),
            RedeemOutcome::Refused { code, message } => {
                let to = if i.accepted_offline { NeedsReview } else { Refused };
                let accepted = i.accepted_offline;
                (to, Signal::Answered, None, Box::new(move |i: &mut Intent| {
                    if accepted {
                        i.loss = true;
                        i.review_reason = Some(format!("Accepted for the sale offline, then refused by the service: {message}"));
                    }
                    i.http_status = status;
                    i.error_code = Some(code.clone());
                    i.error_message = Some(message.clone());
                }))
            }
            RedeemOutcome::KeyReused { message } => (NeedsReview, Signal::Answered, None, Box::new(move |i: &mut Intent| {
                i.http_status = status;
                i.error_code = Some("idempotency_key_reused".into());
                i.review_reason = Some(format!(
                    "The service says this intent's key was used with other parameters ({message}). The terminal never changes a stored request, so this points to tampering or a defect: check the attempt log before settling."
                ));
            })),
            RedeemOutcome::InProgress { .. } => (Unknown, Signal::Answered, None, Box::new(move |i: &mut Intent| i.next_attempt_at = Some(retry_at))),
            RedeemOutcome::RateLimited { retry_after, .. } => {
                let at = retry_at.max(now + retry_after.map_or(0, |d| d.as_millis() as i64));
                (not_executed, Signal::RateLimited, None, Box::new(move |i: &mut Intent| i.next_attempt_at = Some(at)))
            }
            RedeemOutcome::ServerError { .. } => (not_executed, Signal::Degraded, None, Box::new(move |i: &mut Intent| i.next_attempt_at = Some(retry_at))),
            RedeemOutcome::Unauthorized { .. } => {
                let at = retry_at.max(now + 30_000);
                (not_executed, Signal::Degraded, None, Box::new(move |i: &mut Intent| i.next_attempt_at = Some(at)))
            }
            RedeemOutcome::NotSent { .. } => (not_executed, Signal::Unreachable, None, Box::new(move |i: &mut Intent| i.next_attempt_at = Some(retry_at))),
            RedeemOutcome::Unknown { .. } => {
                let signal = if status.is_none() { Signal::Unreachable } else { Signal::Degraded };
                (Unknown, signal, None, Box::new(move |i: &mut Intent| i.next_attempt_at = Some(retry_at)))
            }
        };
        let id = i.id.clone();
        self.on_store(move |e| {
            let done = e.write_outcome(&id, to, note.as_deref(), &attempt, edit)?;
            e.publish_intent(&done);
            Ok::<_, StoreError>(())
        })
        .await?;
        Ok(signal)
    }

    /// Writes an outcome; retried briefly, because losing it would leave the intent
    /// `in_flight` until the next start.
    fn write_outcome(&self, id: &str, to: IntentState, note: Option<&str>, attempt: &NewAttempt, edit: Edit) -> Result<Intent, StoreError> {
        let mut tries = 0;
        loop {
            match self.store.transition(id, IntentState::InFlight, to, "sync", note, Some(attempt), |i| edit(i)) {
                Err(StoreError::Sqlite(_) | StoreError::DiskFull | StoreError::Io(_)) if tries < 2 => tries += 1,
                other => return other,
            }
        }
    }

    /// Settles an unknown outcome through the transactions list.
    async fn reconcile(&self, intent: Intent) -> Result<Signal, StoreError> {
        use IntentState::*;
        // The dispatcher keeps this intent in its running set while the lookup runs;
        // nothing durable marks it, so a crash mid-lookup delays nothing.
        let started = self.clock.now_ms();
        let since = intent.first_sent_at.unwrap_or(intent.created_at).min(intent.created_at) - 86_400_000;
        let found = self.api.find_by_intent(&intent.id, &utc_date(since), &utc_date(started + 86_400_000)).await;
        let now = self.clock.now_ms();
        let attempt = |outcome: &str, detail: String| NewAttempt {
            kind: AttemptKind::Lookup,
            started_at: started,
            ended_at: now,
            http_status: None,
            outcome: outcome.into(),
            replayed: false,
            detail: Some(detail),
        };
        let done = match found {
            Ok(Some(t)) => {
                let a = attempt("found", format!("{} ({} cents)", t.id, t.value));
                self.store.transition(&intent.id, Unknown, Redeemed, "sync", Some("found in the transactions list by intent id"), Some(&a), |i| {
                    i.transaction_id = Some(t.id);
                    i.value_cents = Some(t.value);
                    i.lookup_due = false;
                    i.error_code = None;
                    i.error_message = None;
                })?
            }
            Ok(None) if intent.lookup_due => {
                // 402 used, and not ours: someone else redeemed these vouchers.
                let a = attempt("not_found", "not in the transactions list: the vouchers were used elsewhere".into());
                let accepted = intent.accepted_offline;
                let to = if accepted { NeedsReview } else { Refused };
                self.store.transition(&intent.id, Unknown, to, "sync", Some("402 used and not in the transactions list"), Some(&a), |i| {
                    i.lookup_due = false;
                    if accepted {
                        i.loss = true;
                        i.review_reason = Some(format!(
                            "Accepted for the sale offline, then refused by the service: {}",
                            i.error_message.clone().unwrap_or_default()
                        ));
                    }
                })?
            }
            Ok(None) => {
                let a = attempt("not_found", "not in the transactions list: it never executed, so it is safe to send".into());
                self.store.transition(&intent.id, Unknown, Queued, "sync", Some("key window passed and not in the transactions list"), Some(&a), |i| {
                    i.first_sent_at = None;
                    i.next_attempt_at = Some(now);
                })?
            }
            Err(e) => {
                let code = e.code();
                let failures = self.store.count_attempts(&intent.id, AttemptKind::Lookup, code)? + 1;
                let a = attempt(code, e.to_string());
                let signal = match &e {
                    LookupError::Unreachable(_) => Signal::Unreachable,
                    LookupError::Status { status: 429, .. } => Signal::RateLimited,
                    _ => Signal::Degraded,
                };
                if matches!(e, LookupError::BadReply(_)) && failures >= self.cfg.lookup_failures_before_review {
                    let i = self.store.transition(&intent.id, Unknown, NeedsReview, "sync", None, Some(&a), |i| {
                        i.review_reason = Some(format!(
                            "The outcome is unknown and the service's transactions list could not be read {failures} times ({e}). Check the service's records for intent {} before settling.",
                            i.id
                        ));
                    })?;
                    self.publish_intent(&i);
                    return Ok(signal);
                }
                let retry_after = match &e {
                    LookupError::Status { retry_after: Some(d), .. } => d.as_millis() as i64,
                    _ => 0,
                };
                let at = now + self.backoff(failures).max(retry_after);
                self.store.reschedule(&intent.id, Unknown, at, Some(&a))?;
                return Ok(signal);
            }
        };
        self.publish_intent(&done);
        Ok(Signal::Answered)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn full_jitter_stays_under_the_growing_cap() {
        let mut rng = StdRng::seed_from_u64(7);
        let base = Duration::from_millis(100);
        let cap = Duration::from_secs(5);
        for attempt in 0..40 {
            let bound = (100u64 << attempt.min(30)).min(5000);
            for _ in 0..50 {
                assert!(full_jitter(base, cap, attempt, &mut rng).as_millis() < bound as u128);
            }
        }
    }

    #[test]
    fn full_jitter_replays_from_its_seed() {
        let draw = |seed| {
            let mut rng = StdRng::seed_from_u64(seed);
            (1..10).map(|n| full_jitter(Duration::from_millis(50), Duration::from_secs(9), n, &mut rng)).collect::<Vec<_>>()
        };
        assert_eq!(draw(3), draw(3));
        assert_ne!(draw(3), draw(4));
    }

    #[test]
    fn the_retry_budget_refills_over_time_and_with_answers() {
        let mut b = RetryBudget { tokens: 2.0, burst: 2.0, per_sec: 1.0, last_ms: 0 };
        assert!(b.try_take(0) && b.try_take(0));
        assert!(!b.try_take(0), "a third retry in a burst of two");
        assert_eq!(b.ms_until_token(), 1000);
        assert!(b.try_take(1000));
        b.earn();
        assert!(b.try_take(1000));
    }
}
