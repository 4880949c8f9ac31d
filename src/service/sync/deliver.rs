//! One piece of work on one intent: withdraw it, send it, look it up, or hand it to a
//! manager; then write what [`crate::service::verdict`] decides, inside the transaction that
//! reads the row as it is now.
//!
//! Before a send or a lookup, the service's own time must be known (learned through
//! the probe when no reply has shown it): the first send records it, and the lookup
//! range rests on it. Until it is known nothing is sent and nothing is read.

use std::sync::Arc;
use std::time::Duration;

use super::Engine;
use crate::domain::intent::{Intent, IntentState};
use crate::platform::clock::{rfc3339, utc_date};
use crate::service::api::{LookupError, RedeemOutcome, ServiceTimeError};
use crate::service::verdict::{self, Decision, Facts, Lookup, Pace, Retry, ReviewCause};
use crate::store::{AttemptKind, Decide, NewAttempt, StoreError};

fn facts(i: &Intent) -> Facts {
    Facts {
        maybe_executed: i.maybe_executed,
        accepted: i.accepted_offline,
        declined: i.declined,
        lookup_due: i.lookup_due,
        ..Facts::default()
    }
}

/// The attempt outcomes of failed lookups that count toward review: the codes of the
/// [`LookupError`]s for which [`verdict::lookup_failure_counts`] holds (a test keeps
/// the two in step).
const COUNTED_LOOKUP_FAILURES: [&str; 3] = ["lookup_status", "lookup_bad_reply", "lookup_timeout"];

/// The fields every decision carries; the caller adds what its reply says.
fn apply_decision(i: &mut Intent, d: &Decision, now: i64, backoff_ms: i64) {
    i.maybe_executed |= d.maybe_executed;
    i.lookup_due = d.lookup_due;
    i.loss |= d.loss;
    if let Some(c) = d.review {
        i.review_cause = Some(c.as_str().into());
    }
    match d.retry {
        Retry::Now => {
            i.next_attempt_at = Some(now);
            i.not_before = None;
        }
        Retry::Backoff { at_least } => {
            let floor = at_least.map(|w| now.saturating_add(i64::try_from(w.as_millis()).unwrap_or(i64::MAX)));
            i.not_before = floor;
            i.next_attempt_at = Some(now.saturating_add(backoff_ms).max(floor.unwrap_or(now)));
        }
    }
}

/// What a manager reads in the review inbox, by cause.
pub(crate) fn review_reason(cause: ReviewCause, i: &Intent, detail: &str) -> String {
    match cause {
        ReviewCause::KeyReused => format!(
            "The service says this intent's key was used with other parameters ({detail}). The terminal never changes a stored request, so this points to tampering or a defect: check the attempt log before settling."
        ),
        ReviewCause::LookupFailed => format!(
            "The outcome is unknown and the service's transactions list could not be read ({detail}). Check the service's records for intent {} before settling.",
            i.id
        ),
        ReviewCause::AcceptedThenRefused => format!("Accepted for the sale before the service confirmed it, then refused by the service: {detail}"),
        ReviewCause::RedeemedAfterDecline => format!(
            "Redeemed after the customer paid another way ({detail}): the customer paid twice; make it good."
        ),
        ReviewCause::DeclinedNotFound => format!(
            "The customer paid another way. An attempt may have reached the service, but its transactions list has no redemption for intent {} ({detail}). Settle as not redeemed once you agree.",
            i.id
        ),
        ReviewCause::ServiceChanged => format!(
            "First sent to {} with API key {}, and it may have executed there; the terminal now uses {detail}. Keys and transaction lists are per API key, so it is never resent under the new one: check the original account's records for intent {}, or restore the original service and key.",
            i.service_url.as_deref().unwrap_or("?"),
            i.api_key_fp.as_deref().unwrap_or("?"),
            i.id
        ),
        ReviewCause::FoundAtService => format!(
            "The service lists a redemption of intent {} ({detail}), but this terminal held it as {}: settle it as redeemed with that transaction id, and make the customer good if they paid another way.",
            i.id, i.state
        ),
    }
}

impl Engine {
    /// One intent's work; `None` when nothing was learned about the service.
    pub(super) async fn work(self: &Arc<Self>, intent: Intent) -> Option<Pace> {
        use tracing::Instrument;
        let span = tracing::info_span!("intent", id = %intent.id, code = %crate::domain::voucher::log_form(&intent.code), state = %intent.state);
        match self.choose_and_do(intent).instrument(span.clone()).await {
            Ok(pace) => pace,
            Err(StoreError::StateChanged { .. }) => None,
            Err(e) => {
                span.in_scope(|| tracing::error!(error = %e, code = e.code().as_str(), "could not write an outcome"));
                let _ = self.events.send(super::SyncEvent::StoreFailure { message: e.to_string() });
                None
            }
        }
    }

    async fn choose_and_do(self: &Arc<Self>, intent: Intent) -> Result<Option<Pace>, StoreError> {
        use IntentState::*;
        let now = self.clock.now_ms();
        if intent.declined && intent.state == Queued {
            return self.withdraw_declined(intent).await.map(|_| None);
        }
        if intent.state == Unknown && self.first_sent_elsewhere(&intent) {
            return self.hand_over_changed_service(intent).await.map(|_| None);
        }
        // A declined intent is never resent (a resend could redeem the voucher the
        // customer kept). It is looked up as soon as the service can be reached:
        // "found" is told at once, while the customer may still be at the counter;
        // only "not found" waits out the decline grace (`verdict::after_lookup`).
        if intent.state == Unknown && (intent.declined || intent.lookup_due || self.key_may_be_pruned(&intent, now)) {
            return self.reconcile(intent).await.map(Some);
        }
        self.send(intent).await.map(Some)
    }

    /// Store work off the async workers; a panicked store task is a store failure.
    async fn store_op<T: Send + 'static>(
        self: &Arc<Self>,
        f: impl FnOnce(&Engine) -> Result<T, StoreError> + Send + 'static,
    ) -> Result<T, StoreError> {
        self.on_store(f).await.unwrap_or_else(|| Err(StoreError::Io(std::io::Error::other("a store task panicked"))))
    }

    fn key_may_be_pruned(&self, i: &Intent, now: i64) -> bool {
        let window = self.cfg.key_window.saturating_sub(self.cfg.key_window_margin).as_millis() as i64;
        i.window_from.is_some_and(|t| now.saturating_sub(t) >= window)
    }

    /// A maybe-executed intent first sent to another service, or with another API key.
    fn first_sent_elsewhere(&self, i: &Intent) -> bool {
        i.maybe_executed
            && (i.service_url.as_deref().is_some_and(|u| u != self.api.base_url())
                || i.api_key_fp.as_deref().is_some_and(|f| f != self.api.key_fingerprint()))
    }

    async fn withdraw_declined(self: &Arc<Self>, intent: Intent) -> Result<(), StoreError> {
        let id = intent.id.clone();
        let i = self
            .store_op(move |e| {
                e.store.transition(
                    &id,
                    IntentState::Queued,
                    IntentState::Cancelled,
                    "sync",
                    Some("declined by the cashier, and no attempt can have executed"),
                    None,
                    |_| {},
                )
            })
            .await?;
        self.publish_intent(&i);
        Ok(())
    }

    async fn hand_over_changed_service(self: &Arc<Self>, intent: Intent) -> Result<(), StoreError> {
        let now_using = format!("{} with API key {}", self.api.base_url(), self.api.key_fingerprint());
        let id = intent.id.clone();
        let i = self
            .store_op(move |e| {
                e.store.transition(
                    &id,
                    IntentState::Unknown,
                    IntentState::NeedsReview,
                    "sync",
                    Some("the service or API key changed while its outcome was unknown"),
                    None,
                    |i| {
                        i.review_cause = Some(ReviewCause::ServiceChanged.as_str().into());
                        i.review_reason = Some(review_reason(ReviewCause::ServiceChanged, i, &now_using));
                    },
                )
            })
            .await?;
        self.publish_intent(&i);
        Ok(())
    }

    /// Sends the stored request once and writes what it proved. Not before the
    /// service's time is known: the first send of an intent records it.
    async fn send(self: &Arc<Self>, intent: Intent) -> Result<Pace, StoreError> {
        let learned = match self.api.service_time().await {
            Ok(t) => t,
            Err(why) => return self.not_sent_for_want_of_time(intent, why).await,
        };
        let from = intent.state;
        let started = self.clock.now_ms();
        // As late as possible before the send (the probe may have taken a while).
        let service_now = self.api.service_now_ms().unwrap_or(learned);
        let service_first = verdict::first_send_service_time(intent.maybe_executed, intent.first_sent_at, service_now);
        let (id, url, fp) =
            (intent.id.clone(), self.api.base_url().to_string(), self.api.key_fingerprint().to_string());
        let i = self
            .store_op(move |e| {
                let i = e.store.begin_send(&id, from, started, service_first, &url, &fp)?;
                // Pending before and after: the queue's summary is not read again.
                super::publish_state(&e.events, &i);
                Ok(i)
            })
            .await?;
        let reply = self.api.redeem(&i.idempotency_key, &i.body).await;
        tracing::info!(
            attempt = i.attempt_count,
            outcome = reply.outcome.code(),
            http_status = reply.http_status,
            replayed = reply.replayed,
            latency_ms = reply.elapsed.as_millis() as u64,
            "redeem attempt"
        );
        if let RedeemOutcome::Unauthorized { message } = &reply.outcome {
            let _ = self.events.send(super::SyncEvent::KeyRejected { message: message.clone() });
        }
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
        let pace = verdict::redeem_pace(&reply.outcome);
        if pace == Pace::Answered {
            self.release(&i.id);
        }
        let backoff = self.backoff(i.attempt_count);
        let lost = format!("the reply was {}: {}", reply.outcome.code(), reply.outcome.detail());
        let (outcome, replayed, status) = (reply.outcome, reply.replayed, reply.http_status);
        let id = i.id.clone();
        let decide: Decide = Arc::new(move |row: &mut Intent| {
            let d = verdict::after_redeem(facts(row), &outcome, replayed);
            apply_decision(row, &d, now, backoff);
            row.http_status = status;
            match &outcome {
                RedeemOutcome::Redeemed(r) => {
                    row.transaction_id = Some(r.transaction_id.clone());
                    row.campaign_name = Some(r.campaign_name.clone());
                    row.value_cents = Some(r.value_cents);
                    row.error_code = None;
                    row.error_message = None;
                }
                RedeemOutcome::Refused { code, message } => {
                    row.error_code = Some(code.clone());
                    row.error_message = Some(message.clone());
                }
                RedeemOutcome::KeyReused { .. } => row.error_code = Some("idempotency_key_reused".into()),
                _ => {}
            }
            if let Some(cause) = d.review {
                let detail = match &outcome {
                    RedeemOutcome::Redeemed(r) => format!("transaction {}, {} cents", r.transaction_id, r.value_cents),
                    other => other.detail(),
                };
                row.review_reason = Some(review_reason(cause, row, &detail));
            }
            let note = (d.lookup_due && d.to == IntentState::Unknown).then(|| {
                "refused after an attempt that may have executed: looked up before it becomes a verdict".to_string()
            });
            (d.to, note)
        });
        // Answered: the freed slot's next mark is on its way; the two may share a commit.
        let patience = if pace == Pace::Answered { self.cfg.outcome_patience } else { Duration::ZERO };
        let done = match self
            .store_op(move |e| e.write_outcome(&id, IntentState::InFlight, &attempt, &decide, patience))
            .await
        {
            Ok(done) => done,
            Err(e) => {
                // The request is no longer out: the engine turns the intent `unknown`
                // once the store takes writes again, without a restart.
                if !matches!(e, StoreError::StateChanged { .. }) {
                    self.strand(&i.id, format!("{lost}; writing it failed: {e}"));
                }
                return Err(e);
            }
        };
        tracing::info!(to = %done.state, maybe_executed = done.maybe_executed, review = done.review_cause.as_deref(), "outcome written");
        self.publish_intent(&done);
        Ok(pace)
    }

    /// An attempt that did not leave because the service's time could not be learned:
    /// recorded as a redeem that was not sent (the probe's connection was refused, or
    /// its answer had no `Date`), decided as any "not sent" is, and the intent stays
    /// where it is, its first send still to come (so that send records the service's
    /// time). No connection at all is the service unreachable: the engine goes offline
    /// and its probe learns the time when the service is back. An answer without `Date`
    /// is a service that is unwell, tried again after a backoff.
    async fn not_sent_for_want_of_time(
        self: &Arc<Self>,
        intent: Intent,
        why: ServiceTimeError,
    ) -> Result<Pace, StoreError> {
        tracing::warn!(error = %why, code = why.code().as_str(), "not sent: the service's time is not known yet");
        let now = self.clock.now_ms();
        let pace = match why {
            ServiceTimeError::Unreachable(_) => Pace::Unreachable,
            ServiceTimeError::NoDate => Pace::Degraded,
        };
        let outcome = RedeemOutcome::NotSent { reason: format!("not sent: {why}") };
        let attempt = NewAttempt {
            kind: AttemptKind::Redeem,
            started_at: now,
            ended_at: now,
            http_status: None,
            outcome: outcome.code().into(),
            replayed: false,
            detail: Some(outcome.detail()),
        };
        let backoff = self.backoff(intent.attempt_count.saturating_add(1));
        let (id, from) = (intent.id.clone(), intent.state);
        let decide: Decide = Arc::new(move |row: &mut Intent| {
            let d = verdict::after_redeem(facts(row), &outcome, false);
            apply_decision(row, &d, now, backoff);
            row.attempt_count += 1;
            // Nothing left, so nothing changed: it stays where it was.
            (from, None::<String>)
        });
        self.store_op(move |e| e.write_outcome(&id, from, &attempt, &decide, Duration::ZERO)).await?;
        Ok(pace)
    }

    /// Writes an outcome; retried briefly. If it still fails, a send's intent stays
    /// `in_flight` until the engine recovers it (`Engine::strand`).
    fn write_outcome(
        &self,
        id: &str,
        from: IntentState,
        attempt: &NewAttempt,
        decide: &Decide,
        patience: Duration,
    ) -> Result<Intent, StoreError> {
        let mut tries = 0;
        loop {
            match self.store.decide(id, from, "sync", attempt, decide, patience) {
                Err(StoreError::Sqlite(_) | StoreError::DiskFull | StoreError::Io(_)) if tries < 2 => tries += 1,
                other => return other,
            }
        }
    }

    /// Settles a maybe-executed intent through the transactions list, over a range
    /// that neither a wrong terminal clock nor one that stepped can fool: it rests on
    /// the service's time, learned first if no reply has shown it.
    async fn reconcile(self: &Arc<Self>, intent: Intent) -> Result<Pace, StoreError> {
        let id = intent.id.clone();
        let (failed_before, last_send) = self
            .store_op(move |e| {
                Ok((e.store.count_lookups_ending(&id, &COUNTED_LOOKUP_FAILURES)?, e.store.last_send_at(&id)?))
            })
            .await?;
        let service_now = self.api.service_time().await;
        let started = self.clock.now_ms();
        let local_first = intent.first_sent_at.unwrap_or(intent.created_at).min(intent.created_at);
        let (result, span) = match service_now {
            Err(ServiceTimeError::Unreachable(why)) => (Err(LookupError::Unreachable(why)), "-".to_string()),
            Err(why @ ServiceTimeError::NoDate) => (
                Err(LookupError::BadReply(format!("{why} No range can be shown to cover the first send."))),
                "-".into(),
            ),
            Ok(service_now) => {
                match verdict::lookup_range(local_first, intent.first_sent_service_at, started, Some(service_now)) {
                    Some(r) => {
                        let (start, end) = (utc_date(r.start_ms), utc_date(r.end_ms));
                        let span = if r.start_ms == verdict::HISTORY_START_MS {
                            format!("{start}..{end}, the whole history: the service's time of the first send is not on record")
                        } else {
                            format!("{start}..{end}")
                        };
                        (self.api.find_by_intent(&intent.id, &start, &end).await, span)
                    }
                    None => (
                        Err(LookupError::BadReply(
                            "the lookup range is empty or inverted; nothing can be concluded".into(),
                        )),
                        "-".into(),
                    ),
                }
            }
        };
        let lookup = match result {
            Ok(Some(t)) => Lookup::Found(t),
            Ok(None) => Lookup::NotFound,
            Err(error) => {
                Lookup::Failed { failures: failed_before + u32::from(verdict::lookup_failure_counts(&error)), error }
            }
        };
        let now = self.clock.now_ms();
        let (outcome, detail) = match &lookup {
            Lookup::Found(t) => ("found".to_string(), format!("{} ({} cents), read over {span}", t.id, t.value)),
            Lookup::NotFound => {
                ("not_found".to_string(), format!("not in the transactions list, read whole over {span}"))
            }
            Lookup::Failed { error, failures } => {
                (error.code().to_string(), format!("{error} (failure {failures}, over {span})"))
            }
        };
        tracing::info!(outcome = %outcome, detail = %detail, "lookup in the transactions list");
        let attempt = NewAttempt {
            kind: AttemptKind::Lookup,
            started_at: started,
            ended_at: now,
            http_status: match &lookup {
                Lookup::Failed { error: LookupError::Status { status, .. }, .. } => Some(*status),
                _ => None,
            },
            outcome,
            replayed: false,
            detail: Some(detail.clone()),
        };
        let failures = match &lookup {
            Lookup::Failed { failures, .. } => *failures,
            _ => 0,
        };
        let pace = verdict::lookup_pace(&lookup, self.cfg.lookup_failures_before_review);
        let backoff = self.backoff(failures.max(1));
        let review_limit = self.cfg.lookup_failures_before_review;
        // For a declined intent (read from the row below: a decline may have come
        // while the list was read), how long an earlier attempt may still land.
        let grace_left =
            verdict::decline_grace_left(last_send.unwrap_or(intent.updated_at), now, self.cfg.decline_grace);
        let id = intent.id.clone();
        let decide: Decide = Arc::new(move |row: &mut Intent| {
            let d = verdict::after_lookup(Facts { grace_left, ..facts(row) }, &lookup, review_limit);
            apply_decision(row, &d, now, backoff);
            let note = match &lookup {
                Lookup::Found(t) => {
                    row.transaction_id = Some(t.id.clone());
                    row.value_cents = Some(t.value);
                    row.error_code = None;
                    row.error_message = None;
                    Some(format!("found in the transactions list by intent id ({})", t.id))
                }
                Lookup::NotFound if d.to == IntentState::Unknown && row.declined => {
                    // Not found yet, and an earlier attempt may still land: asked again
                    // once the grace has passed.
                    None
                }
                Lookup::NotFound if d.to == IntentState::Unknown => {
                    // Not executed as of the whole range: the resend starts a new key window.
                    row.window_from = None;
                    None
                }
                Lookup::NotFound => Some(format!("not in the transactions list ({detail})")),
                Lookup::Failed { .. } => None,
            };
            if let Some(cause) = d.review {
                let why = match cause {
                    ReviewCause::AcceptedThenRefused => row.error_message.clone().unwrap_or_default(),
                    ReviewCause::RedeemedAfterDecline => detail.clone(),
                    _ => format!("{detail}; last tried {}", rfc3339(now)),
                };
                row.review_reason = Some(review_reason(cause, row, &why));
            }
            (d.to, note)
        });
        let done = self
            .store_op(move |e| e.write_outcome(&id, IntentState::Unknown, &attempt, &decide, Duration::ZERO))
            .await?;
        if done.state != IntentState::Unknown {
            self.publish_intent(&done);
        }
        Ok(pace)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The attempt log counts exactly the failures the verdict counts.
    #[test]
    fn the_counted_lookup_failures_are_the_ones_the_verdict_counts() {
        let all = [
            LookupError::Unreachable("refused".into()),
            LookupError::TimedOut("slow".into()),
            LookupError::Status { status: 500, message: "m".into(), retry_after: None },
            LookupError::BadReply("x".into()),
        ];
        for e in all {
            assert_eq!(
                COUNTED_LOOKUP_FAILURES.contains(&e.code().as_str()),
                verdict::lookup_failure_counts(&e),
                "{e:?}"
            );
        }
    }
}
