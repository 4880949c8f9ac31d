//! One piece of work on one intent: withdraw it, send it, look it up, or hand it to a
//! manager; then write what [`crate::verdict`] decides, inside the transaction that
//! reads the row as it is now.

use std::sync::Arc;

use super::Engine;
use crate::api::{LookupError, RedeemOutcome};
use crate::clock::{rfc3339, utc_date};
use crate::intent::{Intent, IntentState};
use crate::store::{AttemptKind, NewAttempt, StoreError};
use crate::verdict::{self, Decision, Facts, Lookup, Pace, Retry, ReviewCause};

fn facts(i: &Intent) -> Facts {
    Facts { maybe_executed: i.maybe_executed, accepted: i.accepted_offline, declined: i.declined, lookup_due: i.lookup_due }
}

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
        let span = tracing::info_span!("intent", id = %intent.id, code = %crate::voucher::log_form(&intent.code), state = %intent.state);
        match self.choose_and_do(intent).instrument(span.clone()).await {
            Ok(pace) => pace,
            Err(StoreError::StateChanged { .. }) => None,
            Err(e) => {
                span.in_scope(|| tracing::error!(error = %e, code = e.code(), "could not write an outcome"));
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
        if intent.state == Unknown && intent.declined {
            // Never resent: a resend could redeem the voucher the customer kept. Once no
            // earlier attempt can still be travelling, the list settles it.
            let id = intent.id.clone();
            let last = self.store_op(move |e| e.store.last_send_at(&id)).await?.unwrap_or(intent.updated_at);
            let grace = self.cfg.decline_grace.as_millis() as i64;
            let settle_at = last.saturating_add(grace);
            // (A `last` further ahead than the grace was stamped by a clock since
            // corrected: the grace has passed.)
            if now < settle_at && settle_at - now <= grace {
                let id = intent.id.clone();
                self.store_op(move |e| e.store.reschedule(&id, Unknown, settle_at, None)).await?;
                return Ok(None);
            }
            return self.reconcile(intent).await.map(Some);
        }
        if intent.state == Unknown && (intent.lookup_due || self.key_may_be_pruned(&intent, now)) {
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
                e.store.transition(&id, IntentState::Queued, IntentState::Cancelled, "sync", Some("declined by the cashier, and no attempt can have executed"), None, |_| {})
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
                e.store.transition(&id, IntentState::Unknown, IntentState::NeedsReview, "sync", Some("the service or API key changed while its outcome was unknown"), None, |i| {
                    i.review_cause = Some(ReviewCause::ServiceChanged.as_str().into());
                    i.review_reason = Some(review_reason(ReviewCause::ServiceChanged, i, &now_using));
                })
            })
            .await?;
        self.publish_intent(&i);
        Ok(())
    }

    /// Sends the stored request once and writes what it proved.
    async fn send(self: &Arc<Self>, intent: Intent) -> Result<Pace, StoreError> {
        let from = intent.state;
        let started = self.clock.now_ms();
        let (id, url, fp, service_now) =
            (intent.id.clone(), self.api.base_url().to_string(), self.api.key_fingerprint().to_string(), self.api.service_now_ms());
        let i = self
            .store_op(move |e| {
                let i = e.store.begin_send(&id, from, started, service_now, &url, &fp)?;
                e.publish_intent(&i);
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
        let backoff = self.backoff(i.attempt_count);
        let (outcome, replayed, status) = (reply.outcome, reply.replayed, reply.http_status);
        let id = i.id.clone();
        let decide = move |row: &mut Intent| {
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
            let note = (d.lookup_due && d.to == IntentState::Unknown)
                .then(|| "refused after an attempt that may have executed: looked up before it becomes a verdict".to_string());
            (d.to, note)
        };
        let done = self.store_op(move |e| e.write_outcome(&id, IntentState::InFlight, &attempt, &decide)).await?;
        tracing::info!(to = %done.state, maybe_executed = done.maybe_executed, review = done.review_cause.as_deref(), "outcome written");
        self.publish_intent(&done);
        Ok(pace)
    }

    /// Writes an outcome; retried briefly, because losing it would leave the intent
    /// `in_flight` until the next start.
    fn write_outcome(
        &self,
        id: &str,
        from: IntentState,
        attempt: &NewAttempt,
        decide: &dyn Fn(&mut Intent) -> (IntentState, Option<String>),
    ) -> Result<Intent, StoreError> {
        let mut tries = 0;
        loop {
            match self.store.decide(id, from, "sync", attempt, decide) {
                Err(StoreError::Sqlite(_) | StoreError::DiskFull | StoreError::Io(_)) if tries < 2 => tries += 1,
                other => return other,
            }
        }
    }

    /// Settles a maybe-executed intent through the transactions list, over a range
    /// that neither a wrong terminal clock nor one that stepped can fool.
    async fn reconcile(self: &Arc<Self>, intent: Intent) -> Result<Pace, StoreError> {
        let started = self.clock.now_ms();
        let id = intent.id.clone();
        let failed_before = self.store_op(move |e| e.store.count_failed_lookups(&id)).await?;
        let local_first = intent.first_sent_at.unwrap_or(intent.created_at).min(intent.created_at);
        let range = verdict::lookup_range(local_first, intent.first_sent_service_at, started, self.api.service_now_ms(), self.cfg.max_clock_skew);
        let (result, span) = match range {
            Some(r) => {
                let (start, end) = (utc_date(r.start_ms), utc_date(r.end_ms));
                (self.api.find_by_intent(&intent.id, &start, &end).await, format!("{start}..{end}"))
            }
            None => (Err(LookupError::BadReply("the lookup range is empty or inverted; nothing can be concluded".into())), "-".into()),
        };
        let lookup = match result {
            Ok(Some(t)) => Lookup::Found(t),
            Ok(None) => Lookup::NotFound,
            Err(error) => {
                let counts = !matches!(error, LookupError::Unreachable(_));
                Lookup::Failed { failures: failed_before + u32::from(counts), error }
            }
        };
        let now = self.clock.now_ms();
        let (outcome, detail) = match &lookup {
            Lookup::Found(t) => ("found".to_string(), format!("{} ({} cents), read over {span}", t.id, t.value)),
            Lookup::NotFound => ("not_found".to_string(), format!("not in the transactions list, read whole over {span}")),
            Lookup::Failed { error, failures } => (error.code().to_string(), format!("{error} (failure {failures}, over {span})")),
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
        let id = intent.id.clone();
        let decide = move |row: &mut Intent| {
            let d = verdict::after_lookup(facts(row), &lookup, review_limit);
            apply_decision(row, &d, now, backoff);
            let note = match &lookup {
                Lookup::Found(t) => {
                    row.transaction_id = Some(t.id.clone());
                    row.value_cents = Some(t.value);
                    row.error_code = None;
                    row.error_message = None;
                    Some(format!("found in the transactions list by intent id ({})", t.id))
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
        };
        let done = self.store_op(move |e| e.write_outcome(&id, IntentState::Unknown, &attempt, &decide)).await?;
        if done.state != IntentState::Unknown {
            self.publish_intent(&done);
        }
        Ok(pace)
    }
}
