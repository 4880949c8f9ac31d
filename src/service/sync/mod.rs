//! Delivery and reconciliation: the one task that talks to the service about
//! committed intents.
//!
//! Why it is shaped this way:
//! - An intent is marked `in_flight` durably *before* its request leaves, so a crash
//!   at any instruction leaves evidence that a request may have run; recovery turns
//!   that into `unknown`, never into "not sent".
//! - Every send is the stored key with the stored bytes. Nothing is re-serialised.
//! - What a reply proves is decided in one place, [`crate::service::verdict`]; this engine only
//!   sends, looks up, and applies the verdict (`deliver.rs`). Maybe-executed is
//!   forever: such an intent is resent with the same key, or looked up in the
//!   transactions list by its intent id, and never withdrawn.
//! - Waiting is event-driven: the engine sleeps until the earliest `next_attempt_at`,
//!   a Redeem press, a finished request, or (offline) the next probe.
//! - Nothing is sent, and no list is read, before the service's own time is known (its
//!   `Date` header, learned through the probe if no reply has shown it yet): every
//!   intent records the service's time of its first send, and lookups rest on it.
//! - Whether the service is offline is learned from redemptions and from the probe,
//!   which is not the transactions list: a slow or failing list never stops other
//!   vouchers from being sent.
//! - An intent whose outcome could not be written (a full disk) is not left `in_flight`
//!   until a restart: its request has ended, so it is remembered and turned into
//!   `unknown` as soon as the store takes writes again (see `recover_stranded`).

mod deliver;
pub(crate) use deliver::review_reason;
mod pacing;

pub use pacing::full_jitter;

use std::collections::{HashMap, HashSet};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use rand::rngs::StdRng;
use rand::SeedableRng;
use serde::Serialize;
use tokio::sync::{broadcast, mpsc, watch, Notify};
use tokio::task::JoinSet;

use crate::domain::intent::{Intent, IntentState};
use crate::platform::clock::Clock;
use crate::service::api::ApiClient;
use crate::service::verdict::Pace;
use crate::store::{AttemptKind, NewAttempt, QueueSummary, Store, StoreError};
use pacing::RetryBudget;

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
    /// Failed reads of the transactions list (the service took the request but did
    /// not answer with a list: a status, an unreadable reply, or no answer in time)
    /// tolerated before a manager is asked to decide. With the backoff cap, this bounds
    /// how long an intent waits on a failing list. A connection never made (refused)
    /// does not count.
    pub lookup_failures_before_review: u32,
    /// How long after its last attempt a declined, maybe-executed intent's "not found"
    /// is believed (a request still travelling through a slow proxy must have landed by
    /// then). It is looked up at once all the same: "found" is told without waiting.
    pub decline_grace: Duration,
    /// How long an answered request's outcome waits for the next send's "in flight"
    /// mark, so that both share one commit (`store/group.rs`): the next request leaves
    /// one commit sooner. The outcome is durable this much later at most.
    pub outcome_patience: Duration,
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
            decline_grace: Duration::from_secs(600),
            outcome_patience: Duration::from_millis(2),
            seed: None,
        }
    }
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
    IntentChanged {
        intent_id: String,
        state: crate::domain::intent::IntentState,
    },
    Queue(QueueSummary),
    Connectivity {
        state: Connectivity,
    },
    /// The engine could not write an outcome (a full disk, say): the engineer on call
    /// must look. An intent left `in_flight` is recovered as `unknown` as soon as the
    /// store takes writes again, without a restart.
    StoreFailure {
        message: String,
    },
    /// The service answered 401: this terminal's API key is wrong or revoked. Nothing
    /// can be redeemed until a manager enters the right one; intents wait meanwhile.
    /// `message` is the service's own.
    KeyRejected {
        message: String,
    },
}

/// Announces an intent's new state and the queue it leaves behind.
pub(crate) fn publish_intent(events: &broadcast::Sender<SyncEvent>, store: &Store, i: &Intent) {
    publish_state(events, i);
    if let Ok(s) = store.summary() {
        let _ = events.send(SyncEvent::Queue(s));
    }
}

/// Announces an intent's new state alone: for a change that leaves the queue's
/// summary as it was (queued or unknown to in flight: pending before and after).
pub(crate) fn publish_state(events: &broadcast::Sender<SyncEvent>, i: &Intent) {
    let _ = events.send(SyncEvent::IntentChanged { intent_id: i.id.clone(), state: i.state });
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
    pub fn spawn(
        store: Arc<Store>,
        api: ApiClient,
        cfg: SyncConfig,
        events: broadcast::Sender<SyncEvent>,
    ) -> SyncHandle {
        let wake = Arc::new(Notify::new());
        let (released, released_rx) = mpsc::unbounded_channel();
        let (conn_tx, conn_rx) = watch::channel(Connectivity::Online);
        let (stop, stop_rx) = watch::channel(false);
        let rng = match cfg.seed {
            Some(s) => StdRng::seed_from_u64(s),
            None => StdRng::from_entropy(),
        };
        let longest = [
            cfg.backoff_cap,
            crate::service::api::RETRY_AFTER_CAP,
            crate::service::verdict::UNAUTHORIZED_WAIT,
            cfg.decline_grace,
        ]
        .into_iter()
        .max()
        .unwrap_or_default();
        let engine = Arc::new(Engine {
            horizon_ms: i64::try_from(longest.as_millis()).unwrap_or(i64::MAX / 4).saturating_add(60_000),
            clock: store.clock(),
            store,
            api,
            cfg,
            events: events.clone(),
            rng: Mutex::new(rng),
            connectivity: conn_tx,
            stranded: Mutex::new(HashMap::new()),
            released,
        });
        let task = tokio::spawn(engine.run(wake.clone(), stop_rx, released_rx));
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

struct Engine {
    /// The longest wait the engine ever sets (backoff cap, Retry-After cap, a rejected
    /// key, the decline grace), plus a margin: a later `next_attempt_at` was set by a
    /// clock that has since stepped back. Fixed by the config, so computed once.
    horizon_ms: i64,
    store: Arc<Store>,
    api: ApiClient,
    cfg: SyncConfig,
    clock: Arc<dyn Clock>,
    events: broadcast::Sender<SyncEvent>,
    rng: Mutex<StdRng>,
    connectivity: watch::Sender<Connectivity>,
    /// Intents left `in_flight` by this process whose request is no longer out (their
    /// outcome could not be written, or the work on them panicked), with what was lost:
    /// they may be recovered while the engine runs.
    stranded: Mutex<HashMap<String, String>>,
    /// Intents whose request the service has answered while their outcome is still
    /// being written: their slot is free for the next send, whose "in flight" mark
    /// overlaps the outcome's write (and shares its commit when both wait for the
    /// writer at once: `store/group.rs`).
    released: mpsc::UnboundedSender<String>,
}

/// The earlier of a wake-up already set and another.
fn earliest(at: Option<i64>, other: i64) -> i64 {
    at.map_or(other, |a| a.min(other))
}

enum Job {
    /// One intent's work ended; `None` when nothing was learned (the intent changed
    /// under us, a store failure, or the work panicked).
    Intent(String, Option<Pace>),
    Probe(bool),
}

impl Engine {
    fn publish_intent(&self, i: &Intent) {
        publish_intent(&self.events, &self.store, i);
    }

    fn set_connectivity(&self, c: Connectivity) -> bool {
        let changed = *self.connectivity.borrow() != c;
        if changed {
            self.connectivity.send_replace(c);
            tracing::warn!(connectivity = ?c, "connectivity changed");
            let _ = self.events.send(SyncEvent::Connectivity { state: c });
        }
        changed
    }

    fn backoff(&self, attempt: u32) -> i64 {
        let mut rng = self.rng.lock().unwrap_or_else(|p| p.into_inner());
        full_jitter(self.cfg.backoff_base, self.cfg.backoff_cap, attempt, &mut *rng).as_millis() as i64
    }

    async fn run(
        self: Arc<Self>,
        wake: Arc<Notify>,
        mut stop: watch::Receiver<bool>,
        mut released: mpsc::UnboundedReceiver<String>,
    ) {
        match self.store.recover_in_flight() {
            Ok(recovered) => recovered.iter().for_each(|i| self.publish_intent(i)),
            Err(e) => {
                let _ = self.events.send(SyncEvent::StoreFailure { message: e.to_string() });
            }
        }
        if let Ok(s) = self.store.summary() {
            let _ = self.events.send(SyncEvent::Queue(s));
        }
        // Requests out, by intent; and intents answered whose outcome is being written
        // (their slot already free: `Engine::release`).
        let mut running: HashSet<String> = HashSet::new();
        let mut finishing: HashSet<String> = HashSet::new();
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
            if let Some(service_ms) = self.api.service_now_ms() {
                self.store.saw_service_time(service_ms);
            }
            let online = *self.connectivity.borrow() != Connectivity::Offline;
            let mut wake_at: Option<i64> = None;
            // First, what an earlier pass left `in_flight` (whatever the connectivity: it
            // is local work). One not recovered yet is never picked meanwhile, and the
            // store is tried again in a second.
            let stranded = self.recover_stranded();
            if !stranded.is_empty() {
                wake_at = Some(now + 1000);
            }
            if online {
                // Set when this pass must not look for the next due time: the store
                // failed, or the retry budget ran out (that wait is already set).
                let mut waiting = false;
                let slots = (limit.floor() as usize).saturating_sub(running.len());
                if slots > 0 {
                    let due = match self.store.due(now, self.horizon_ms, slots + running.len() + stranded.len()) {
                        Ok(d) => d,
                        Err(e) => {
                            // Say so, and look again in a second rather than spin.
                            let _ = self.events.send(SyncEvent::StoreFailure { message: e.to_string() });
                            wake_at = Some(earliest(wake_at, now + 1000));
                            waiting = true;
                            Vec::new()
                        }
                    };
                    let fresh: Vec<Intent> = due
                        .into_iter()
                        .filter(|i| !running.contains(&i.id) && !stranded.contains(&i.id))
                        .take(slots)
                        .collect();
                    for intent in fresh {
                        if intent.attempt_count > 0 && !budget.try_take(now) {
                            wake_at = Some(earliest(wake_at, now + budget.ms_until_token()));
                            waiting = true;
                            break;
                        }
                        running.insert(intent.id.clone());
                        let engine = self.clone();
                        jobs.spawn(async move {
                            let id = intent.id.clone();
                            let worker = engine.clone();
                            // The work runs as its own task, so that even a panic in it
                            // comes back here as this job's end and frees its slot. A
                            // panic may leave the intent `in_flight`: it is recovered
                            // (nothing happens if it is not in flight).
                            let pace = match tokio::spawn(async move { worker.work(intent).await }).await {
                                Ok(pace) => pace,
                                Err(_) => {
                                    engine.strand(&id, "the work on it stopped with a panic".into());
                                    None
                                }
                            };
                            Job::Intent(id, pace)
                        });
                    }
                }
                if (running.len() as f64) < limit.floor() && !waiting {
                    let union: HashSet<String>;
                    let skip = if stranded.is_empty() {
                        &running
                    } else {
                        union = running.union(&stranded).cloned().collect();
                        &union
                    };
                    let next = match self.store.next_due_at(now, self.horizon_ms, skip) {
                        Ok(at) => at,
                        Err(_) => Some(now + 1000),
                    };
                    if let Some(at) = next {
                        wake_at = Some(earliest(wake_at, at));
                    }
                }
            } else if !probing {
                if now >= next_probe_ms {
                    probing = true;
                    let api = self.api.clone();
                    jobs.spawn(async move { Job::Probe(api.probe().await) });
                } else {
                    wake_at = Some(earliest(wake_at, next_probe_ms));
                }
            }
            let sleep_ms = wake_at.map(|t| t.saturating_sub(self.clock.now_ms()).clamp(0, 3_600_000) as u64);
            tokio::select! {
                _ = wake.notified() => {}
                _ = stop.changed() => break,
                Some(id) = released.recv() => {
                    // Answered: what the job's end would do for its pace, done now.
                    if running.remove(&id) {
                        finishing.insert(id);
                        self.follow_pace(Pace::Answered, &mut budget, &mut limit);
                    }
                }
                done = jobs.join_next(), if !jobs.is_empty() => {
                    match done {
                        Some(Ok(Job::Intent(id, _))) if finishing.remove(&id) => {}
                        Some(Ok(Job::Intent(id, pace))) => {
                            running.remove(&id);
                            if let Some(at) = pace.and_then(|p| self.follow_pace(p, &mut budget, &mut limit)) {
                                next_probe_ms = at;
                            }
                        }
                        Some(Ok(Job::Probe(ok))) => {
                            probing = false;
                            if ok {
                                self.set_connectivity(Connectivity::Online);
                                let _ = self.store.expedite_pending(self.clock.now_ms(), self.horizon_ms);
                            } else {
                                next_probe_ms = self.clock.now_ms() + self.cfg.probe_interval.as_millis() as i64;
                            }
                        }
                        // A probe job cannot panic past its own future; if it did, the
                        // next loop probes again.
                        Some(Err(_)) => probing = false,
                        None => {}
                    }
                }
                _ = tokio::time::sleep(Duration::from_millis(sleep_ms.unwrap_or(0))), if sleep_ms.is_some() => {}
            }
        }
        jobs.shutdown().await;
    }

    /// What the end of an intent's work (or its answer, when its slot is freed early)
    /// says about the service: the retry budget, the concurrency limit and the
    /// connectivity follow it. Returns when to probe, if the service just went offline.
    fn follow_pace(&self, pace: Pace, budget: &mut RetryBudget, limit: &mut f64) -> Option<i64> {
        match pace {
            Pace::Answered => {
                budget.earn();
                *limit = (*limit + 1.0 / *limit).min(self.cfg.concurrency.max(1) as f64);
                self.set_connectivity(Connectivity::Online);
            }
            Pace::RateLimited => {
                *limit = (*limit / 2.0).max(1.0);
                self.set_connectivity(Connectivity::Degraded);
            }
            Pace::Degraded => {
                self.set_connectivity(Connectivity::Degraded);
            }
            Pace::Unreachable => {
                if self.set_connectivity(Connectivity::Offline) {
                    return Some(self.clock.now_ms() + self.cfg.probe_interval.as_millis() as i64);
                }
            }
            // The list was not read: that says nothing about sending.
            Pace::ListUnread => {}
        }
        None
    }

    /// The service answered `id`'s request: its slot may take the next send while the
    /// outcome is written. Only for an answer: any other end keeps the slot until the
    /// job ends, so an unreachable or failing service is noticed before anything more
    /// is sent.
    pub(super) fn release(&self, id: &str) {
        let _ = self.released.send(id.to_string());
    }

    /// Remembers an intent that may be left `in_flight` with no request of it out (its
    /// outcome could not be written after the request ended, or the work on it
    /// panicked), with what was lost. Its work writes nothing more.
    pub(super) fn strand(&self, id: &str, lost: String) {
        tracing::error!(intent = %id, lost = %lost, "left in flight: recovered as unknown once the store takes writes");
        self.stranded.lock().unwrap_or_else(|p| p.into_inner()).insert(id.to_string(), lost);
    }

    /// Turns the stranded intents `in_flight` -> `unknown` (maybe-executed, due now, with
    /// an interrupted attempt saying what was lost), each with the store's own
    /// compare-and-set. Only intents with no request out are stranded, and none is
    /// picked again until recovered, so no request of this process can be out for
    /// them: unlike `Store::recover_in_flight` (every `in_flight` row), which is safe
    /// only before the engine sends anything. One that is no longer `in_flight` is
    /// simply forgotten. Returns the ids still waiting for the store.
    fn recover_stranded(&self) -> HashSet<String> {
        let pending: Vec<(String, String)> = {
            let s = self.stranded.lock().unwrap_or_else(|p| p.into_inner());
            if s.is_empty() {
                return HashSet::new();
            }
            s.iter().map(|(id, lost)| (id.clone(), lost.clone())).collect()
        };
        for (id, lost) in pending {
            let now = self.clock.now_ms();
            let sent_at = self.store.get(&id).map(|i| i.updated_at).unwrap_or(now);
            let attempt = NewAttempt {
                kind: AttemptKind::Interrupted,
                started_at: sent_at,
                ended_at: now,
                http_status: None,
                outcome: "interrupted".into(),
                replayed: false,
                detail: Some(format!("its outcome could not be written ({lost}); recovered without a restart")),
            };
            let done = self.store.transition(
                &id,
                IntentState::InFlight,
                IntentState::Unknown,
                "recovery",
                Some("in flight when its outcome could not be written: it may have executed"),
                Some(&attempt),
                |i| {
                    i.maybe_executed = true;
                    i.next_attempt_at = Some(now);
                },
            );
            let forget = match done {
                Ok(i) => {
                    tracing::warn!(intent = %id, "recovered as unknown after its outcome could not be written");
                    self.publish_intent(&i);
                    true
                }
                Err(StoreError::StateChanged { .. } | StoreError::NotFound(_)) => true,
                Err(e) => {
                    tracing::warn!(intent = %id, error = %e, code = e.code().as_str(), "still in flight: the store takes no writes yet");
                    false
                }
            };
            if forget {
                self.stranded.lock().unwrap_or_else(|p| p.into_inner()).remove(&id);
            }
        }
        self.stranded.lock().unwrap_or_else(|p| p.into_inner()).keys().cloned().collect()
    }

    /// Runs store work (fsync'd writes, and reads that wait for them) off the async
    /// workers, so a disk flush never stalls requests in flight.
    async fn on_store<T: Send + 'static>(self: &Arc<Self>, f: impl FnOnce(&Engine) -> T + Send + 'static) -> Option<T> {
        let engine = self.clone();
        tokio::task::spawn_blocking(move || f(&engine)).await.ok()
    }
}
