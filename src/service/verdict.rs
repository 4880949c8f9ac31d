//! What an answer proves: the terminal's most important decision, as pure functions.
//!
//! The engine sends and looks up; this module alone decides what a reply means for an
//! intent, given what the intent's history already says. It reads no clock, no store
//! and no network, so every row of the decision can be tested on its own (see the
//! tables at the bottom), and the engine only applies what it returns.
//!
//! The rules, from `shared/docs/redeem-api.md` ("What a terminal may conclude"):
//! - Only the service's own JSON answer is evidence. A 5xx, a 3xx, an HTML page, a
//!   timeout, a reset or a cut-off body proves nothing: the attempt *may have
//!   executed*, and the intent is maybe-executed **forever**: never queued again,
//!   never withdrawn.
//! - A refusal is final at once only when no earlier attempt may have executed. Any
//!   other refusal may be the service judging our own earlier redemption: it is looked
//!   up in the transactions list before it becomes a verdict, **even a replayed one**.
//!   `Idempotent-Replayed: true` proves only what the *latest* execution under our key
//!   answered: once the service has pruned the key, a resend runs anew, meets our own
//!   earlier redemption as `402 used`, and that refusal is what later replays return.
//!   Whether the key can have been pruned depends on clocks the terminal cannot trust,
//!   so it never relies on it (the soak found this; see `tests/exactly_once.rs`).
//! - The cashier's answer (accepted the voucher for the sale, or declined it and took
//!   another payment) is read from the row as it is when the outcome is written, so an
//!   accept or decline made while a request was out is never lost.
//! - A declined, maybe-executed intent is looked up at once: "found" is conclusive at
//!   any time (the customer may still be at the counter to be made good), while "not
//!   found" is believed only once no earlier attempt can still be travelling through a
//!   slow proxy ([`decline_grace_left`]).
//! - A lookup range rests on the service's own time, never on the terminal's clock
//!   alone ([`lookup_range`]): where the service's time of the first send is not on
//!   record, nothing short of the service's whole history can be shown to cover it.
//! - A lookup that got no list counts toward review unless no connection was made at
//!   all ([`lookup_failure_counts`]); and a failed lookup never says the service is
//!   offline for redemptions ([`lookup_pace`]).

use std::time::Duration;

use serde::Serialize;

use crate::domain::intent::IntentState;
use crate::service::api::{LookupError, RedeemOutcome, Transaction};

/// Why a manager must look. Stored as a stable code beside the human reason.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, ts_rs::TS)]
#[serde(rename_all = "snake_case")]
pub enum ReviewCause {
    /// 422: the service says our key was used with other parameters.
    KeyReused,
    /// The outcome is unknown and the transactions list kept failing.
    LookupFailed,
    /// The sale went ahead on the voucher and the service then refused it: a loss.
    AcceptedThenRefused,
    /// The cashier took another payment, and an earlier attempt redeemed it after all.
    RedeemedAfterDecline,
    /// The cashier took another payment; the service has no record of the redemption.
    DeclinedNotFound,
    /// First sent to another service or with another API key; never resent under this one.
    ServiceChanged,
    /// The end-of-day report found the service's record of a redemption of this intent,
    /// which this terminal did not hold as redeemed: it lost track of it.
    FoundAtService,
}

impl ReviewCause {
    pub const ALL: [ReviewCause; 7] = [
        ReviewCause::KeyReused,
        ReviewCause::LookupFailed,
        ReviewCause::AcceptedThenRefused,
        ReviewCause::RedeemedAfterDecline,
        ReviewCause::DeclinedNotFound,
        ReviewCause::ServiceChanged,
        ReviewCause::FoundAtService,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            ReviewCause::KeyReused => "key_reused",
            ReviewCause::LookupFailed => "lookup_failed",
            ReviewCause::AcceptedThenRefused => "accepted_then_refused",
            ReviewCause::RedeemedAfterDecline => "redeemed_after_decline",
            ReviewCause::DeclinedNotFound => "declined_not_found",
            ReviewCause::ServiceChanged => "service_changed",
            ReviewCause::FoundAtService => "found_at_service",
        }
    }

    pub fn parse(s: &str) -> Option<ReviewCause> {
        ReviewCause::ALL.into_iter().find(|c| c.as_str() == s)
    }
}

/// What the intent's row says when the outcome is written.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Facts {
    /// An earlier attempt may have executed (before this one).
    pub maybe_executed: bool,
    /// The sale went ahead on the voucher before the service confirmed it.
    pub accepted: bool,
    /// The cashier took another payment instead.
    pub declined: bool,
    /// A refusal was met after a maybe-executed attempt: the lookup decides it.
    pub lookup_due: bool,
    /// How long an earlier attempt may still be travelling to the service (the rest of
    /// the decline grace since the last send; see [`decline_grace_left`]). A declined
    /// intent's "not found" is believed only once this is zero.
    pub grace_left: Duration,
}

/// How the engine should pace itself after this piece of work.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Pace {
    /// The service answered; go on.
    Answered,
    /// Reachable but unwell (5xx, odd replies, 401).
    Degraded,
    /// Asked to slow down.
    RateLimited,
    /// Not reachable at all.
    Unreachable,
    /// The transactions list was not read (no connection, or no answer in time). That
    /// says nothing about whether redemptions can be sent, so the engine's view of the
    /// service stays as it was: a failing lookup never marks it offline.
    ListUnread,
}

/// When to try again, if the intent stays pending.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Retry {
    /// Not pending any more, or due at once.
    Now,
    /// Back off (full jitter on the attempt count), and at least this long: a wait the
    /// service imposed, which a successful probe must not cut short.
    Backoff { at_least: Option<Duration> },
}

/// The decision for one reply: where the intent goes and what goes with it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Decision {
    pub to: IntentState,
    /// Whether the intent may have executed once this attempt is counted (never
    /// goes from true back to false).
    pub maybe_executed: bool,
    /// The next step is a lookup, not a resend.
    pub lookup_due: bool,
    pub review: Option<ReviewCause>,
    /// The store lost the voucher's value (accepted for the sale, then refused).
    pub loss: bool,
    pub retry: Retry,
}

/// What the redeem reply is, as far as the verdict cares.
fn settle_refusal(f: Facts) -> Decision {
    if f.accepted {
        Decision {
            to: IntentState::NeedsReview,
            maybe_executed: true,
            lookup_due: false,
            review: Some(ReviewCause::AcceptedThenRefused),
            loss: true,
            retry: Retry::Now,
        }
    } else {
        Decision {
            to: IntentState::Refused,
            maybe_executed: true,
            lookup_due: false,
            review: None,
            loss: false,
            retry: Retry::Now,
        }
    }
}

fn settle_redeemed(f: Facts) -> Decision {
    let review = f.declined.then_some(ReviewCause::RedeemedAfterDecline);
    Decision {
        to: if review.is_some() { IntentState::NeedsReview } else { IntentState::Redeemed },
        maybe_executed: true,
        lookup_due: false,
        review,
        loss: false,
        retry: Retry::Now,
    }
}

/// Still pending: an attempt that certainly did not execute goes back to `queued`
/// unless an earlier one may have; anything else stays `unknown` for ever after.
fn pending(f: Facts, executed_maybe: bool, retry: Retry) -> Decision {
    let maybe = f.maybe_executed || executed_maybe;
    Decision {
        to: if maybe { IntentState::Unknown } else { IntentState::Queued },
        maybe_executed: maybe,
        lookup_due: f.lookup_due && maybe,
        review: None,
        loss: false,
        retry,
    }
}

/// The verdict on one redeem attempt. `replayed` is the service's
/// `Idempotent-Replayed: true`: the saved answer of the latest execution of our key.
/// A replay implies an earlier execution, so a replayed refusal is never final at once.
pub fn after_redeem(f: Facts, outcome: &RedeemOutcome, replayed: bool) -> Decision {
    match outcome {
        RedeemOutcome::Redeemed(_) => settle_redeemed(f),
        RedeemOutcome::Refused { .. } if !replayed && !f.maybe_executed => settle_refusal(f),
        RedeemOutcome::Refused { .. } => Decision {
            to: IntentState::Unknown,
            maybe_executed: true,
            lookup_due: true,
            review: None,
            loss: false,
            retry: Retry::Now,
        },
        RedeemOutcome::KeyReused { .. } => Decision {
            to: IntentState::NeedsReview,
            maybe_executed: true,
            lookup_due: false,
            review: Some(ReviewCause::KeyReused),
            loss: false,
            retry: Retry::Now,
        },
        // Our key is executing right now at the service: an earlier attempt is running.
        RedeemOutcome::InProgress { .. } => pending(f, true, Retry::Backoff { at_least: None }),
        RedeemOutcome::RateLimited { retry_after, .. } => {
            pending(f, false, Retry::Backoff { at_least: Some(retry_after.unwrap_or(Duration::ZERO)) })
        }
        RedeemOutcome::Unauthorized { .. } => pending(f, false, Retry::Backoff { at_least: Some(UNAUTHORIZED_WAIT) }),
        RedeemOutcome::NotSent { .. } => pending(f, false, Retry::Backoff { at_least: None }),
        RedeemOutcome::Unknown { .. } => pending(f, true, Retry::Backoff { at_least: None }),
    }
}

/// What a redeem reply says about the service itself, for the engine's pacing. It
/// depends on the reply alone, never on the intent.
pub fn redeem_pace(outcome: &RedeemOutcome) -> Pace {
    match outcome {
        RedeemOutcome::RateLimited { .. } => Pace::RateLimited,
        RedeemOutcome::Unauthorized { .. } | RedeemOutcome::Unknown { http_status: Some(_), .. } => Pace::Degraded,
        RedeemOutcome::NotSent { .. } | RedeemOutcome::Unknown { http_status: None, .. } => Pace::Unreachable,
        RedeemOutcome::Redeemed(_)
        | RedeemOutcome::Refused { .. }
        | RedeemOutcome::InProgress { .. }
        | RedeemOutcome::KeyReused { .. } => Pace::Answered,
    }
}

/// How long a rejected API key keeps the engine from asking again.
pub const UNAUTHORIZED_WAIT: Duration = Duration::from_secs(30);

/// What a look-up in the transactions list came to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Lookup {
    /// The intent id is in the list: the service redeemed it.
    Found(Transaction),
    /// The whole range was read and the intent id is not there.
    NotFound,
    /// The list could not be read; `failures` counts this one and the earlier ones
    /// that count toward review (see [`lookup_failure_counts`]).
    Failed { error: LookupError, failures: u32 },
}

/// Whether a failed lookup counts toward review. Only a connection that was never made
/// does not: nobody listened, the list was never asked, and the service's coming back
/// is what the engine waits for. Once the service took the request, any failure to
/// answer with a list counts (a status, an unreadable reply, no answer in time): a list
/// that never answers in time must reach a manager, not leave the intent unknown.
pub fn lookup_failure_counts(error: &LookupError) -> bool {
    !matches!(error, LookupError::Unreachable(_))
}

/// The rest of the decline grace: how long an attempt of a declined intent may still
/// be travelling (a slow proxy can deliver a request late) after its last send at
/// `last_send_ms`. Zero once `grace` has passed.
///
/// A last send stamped ahead of `now_ms` means the clock stepped back since. Ahead by
/// no more than the grace, the wait is at most `grace` each time (so at most twice the
/// grace in all, as the clock catches up): not skipped for a small step. Ahead by more,
/// it was stamped by a clock since corrected, and the grace counts as passed (as
/// everywhere in the engine, no wait outlives its horizon; "not found" then goes to a
/// manager, it settles nothing).
pub fn decline_grace_left(last_send_ms: i64, now_ms: i64, grace: Duration) -> Duration {
    let grace_ms = i64::try_from(grace.as_millis()).unwrap_or(i64::MAX / 4);
    let settle_at = last_send_ms.saturating_add(grace_ms);
    if now_ms >= settle_at || last_send_ms.saturating_sub(now_ms) > grace_ms {
        return Duration::ZERO;
    }
    Duration::from_millis(settle_at.saturating_sub(now_ms).clamp(0, grace_ms) as u64)
}

/// The verdict on one look-up of a maybe-executed intent. `failures_before_review`
/// bounds how long a list that keeps failing is tried before a manager is asked.
pub fn after_lookup(f: Facts, lookup: &Lookup, failures_before_review: u32) -> Decision {
    let stay = |retry| Decision {
        to: IntentState::Unknown,
        maybe_executed: true,
        lookup_due: f.lookup_due,
        review: None,
        loss: false,
        retry,
    };
    match lookup {
        Lookup::Found(_) => settle_redeemed(f),
        // A refusal was met, and it was not our own earlier redemption: it stands (an
        // attempt still travelling would meet the same refusal).
        Lookup::NotFound if f.lookup_due => settle_refusal(f),
        // Declined, and an earlier attempt may still land: "not found" proves nothing
        // yet. Looked up again once the grace has passed, and not sooner (a probe must
        // not cut the wait short).
        Lookup::NotFound if f.declined && !f.grace_left.is_zero() => {
            stay(Retry::Backoff { at_least: Some(f.grace_left) })
        }
        // The cashier took another payment and the service has no record of it: it is
        // never resent (that would redeem a voucher the customer kept); a manager
        // closes it with the evidence.
        Lookup::NotFound if f.declined => Decision {
            to: IntentState::NeedsReview,
            maybe_executed: true,
            lookup_due: false,
            review: Some(ReviewCause::DeclinedNotFound),
            loss: false,
            retry: Retry::Now,
        },
        // Not executed as of the whole range: resending the same key and bytes is safe,
        // and the intent stays unknown (never cancellable) while that resend is out.
        Lookup::NotFound => Decision { lookup_due: false, ..stay(Retry::Now) },
        Lookup::Failed { error, .. } if !lookup_failure_counts(error) => stay(Retry::Backoff { at_least: None }),
        Lookup::Failed { failures, .. } if *failures >= failures_before_review => Decision {
            to: IntentState::NeedsReview,
            maybe_executed: true,
            lookup_due: false,
            review: Some(ReviewCause::LookupFailed),
            loss: false,
            retry: Retry::Now,
        },
        Lookup::Failed { error: LookupError::Status { status: 429, retry_after, .. }, .. } => {
            stay(Retry::Backoff { at_least: Some(retry_after.unwrap_or(Duration::ZERO)) })
        }
        Lookup::Failed { error: LookupError::Status { retry_after, .. }, .. } => {
            stay(Retry::Backoff { at_least: *retry_after })
        }
        Lookup::Failed { .. } => stay(Retry::Backoff { at_least: None }),
    }
}

/// What a look-up says about the service itself, for the engine's pacing (the same
/// order as [`after_lookup`]: a list failing past the limit is unwell, not busy).
///
/// Never [`Pace::Unreachable`]: whether redemptions can be sent is learned from
/// redemptions and from the probe (which is not the list), so a list that is slow,
/// failing, or met with a refused connection never takes the terminal offline.
pub fn lookup_pace(lookup: &Lookup, failures_before_review: u32) -> Pace {
    match lookup {
        Lookup::Found(_) | Lookup::NotFound => Pace::Answered,
        Lookup::Failed { error: LookupError::Unreachable(_) | LookupError::TimedOut(_), .. } => Pace::ListUnread,
        Lookup::Failed { failures, .. } if *failures >= failures_before_review => Pace::Degraded,
        Lookup::Failed { error: LookupError::Status { status: 429, .. }, .. } => Pace::RateLimited,
        Lookup::Failed { .. } => Pace::Degraded,
    }
}

/// A range of UTC milliseconds to read the transactions list over.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Range {
    pub start_ms: i64,
    pub end_ms: i64,
}

const DAY_MS: i64 = 86_400_000;

/// The start of the service's history (1970-01-01): where a range starts when nothing
/// can show where the first send fell.
pub const HISTORY_START_MS: i64 = 0;

/// The range a look-up must read so that neither a wrong terminal clock nor a clock
/// that stepped since the send can hide the transaction. "Not found" may be concluded
/// only from a range that can be shown to cover the first send, so:
///
/// - The start rests on `service_first_send`, the service's time (its `Date` header)
///   when the intent was first sent. Without it (a row from before the terminal
///   learned the service's time before sending, or an intent whose first send is not
///   on record: see [`first_send_service_time`]) no clock the terminal holds can say
///   where the send fell, and the range starts at the service's whole history
///   ([`HISTORY_START_MS`]): more pages to read, never a wrong "not found".
/// - The end rests on `service_now`. Without it nothing is concluded (`None`): the
///   engine learns the service's time before it looks up.
/// - `local_first_send` and `local_now`, the terminal's clock, only ever widen the
///   range, as does `service_first_send` on the end's side (a service clock that
///   stepped back since the send). A day is added on each side for the service's UTC
///   date boundaries.
///
/// Returns `None` for a range that would be empty or inverted: nothing may be
/// concluded from it.
pub fn lookup_range(
    local_first_send: i64,
    service_first_send: Option<i64>,
    local_now: i64,
    service_now: Option<i64>,
) -> Option<Range> {
    let start = match service_first_send {
        Some(s) => s.min(local_first_send).saturating_sub(DAY_MS),
        None => HISTORY_START_MS,
    };
    let end = service_now?.max(local_now).max(service_first_send.unwrap_or(i64::MIN)).saturating_add(DAY_MS);
    (start < end).then_some(Range { start_ms: start, end_ms: end })
}

/// The service's time to record for a send, kept only if it is the intent's first
/// (`first_sent_at` is `None`). An intent that may have executed before any send of
/// its own is on record (a database restored from a backup: the copy it came from may
/// have sent it, at a moment no clock here knows) records none, so that its lookups
/// read the whole history rather than trust a range starting at this later send.
pub fn first_send_service_time(maybe_executed: bool, first_sent_at: Option<i64>, service_now: i64) -> Option<i64> {
    if maybe_executed && first_sent_at.is_none() {
        None
    } else {
        Some(service_now)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::service::api::Redemption;
    use IntentState::*;

    fn redeemed() -> RedeemOutcome {
        RedeemOutcome::Redeemed(Redemption {
            transaction_id: "transaction_1".into(),
            campaign_id: "c".into(),
            campaign_name: "n".into(),
            value_cents: 500,
            created_at: String::new(),
        })
    }
    fn refused(code: &str) -> RedeemOutcome {
        RedeemOutcome::Refused { code: code.into(), message: "m".into() }
    }
    fn unknown(status: Option<u16>) -> RedeemOutcome {
        RedeemOutcome::Unknown { reason: "r".into(), http_status: status }
    }

    /// Every reply kind x (an earlier attempt may have executed?) x (replayed?):
    /// (reply, maybe_executed before, replayed) -> (state, maybe_executed after, lookup_due).
    #[test]
    fn the_redeem_verdict_table() {
        let not_sent = RedeemOutcome::NotSent { reason: "refused".into() };
        let rate_limited =
            RedeemOutcome::RateLimited { retry_after: Some(Duration::from_secs(3)), message: "m".into() };
        let unauthorized = RedeemOutcome::Unauthorized { message: "m".into() };
        let in_progress = RedeemOutcome::InProgress { message: "m".into() };
        let key_reused = RedeemOutcome::KeyReused { message: "m".into() };
        #[rustfmt::skip]
        let table: Vec<(&str, RedeemOutcome, bool, bool, IntentState, bool, bool)> = vec![
            // reply                                       maybe  replay   to           maybe' lookup
            ("200",                     redeemed(),          false, false, Redeemed,    true,  false),
            ("200 after maybe",         redeemed(),          true,  false, Redeemed,    true,  false),
            ("200 replayed",            redeemed(),          true,  true,  Redeemed,    true,  false),
            ("402 used, first try",     refused("redemption_vouchers_used"), false, false, Refused, true, false),
            ("402 used after maybe",    refused("redemption_vouchers_used"), true,  false, Unknown, true, true),
            // A replay proves only the latest execution of our key; after pruning, an
            // earlier one may have redeemed it: looked up, never final at once.
            ("402 used replayed",       refused("redemption_vouchers_used"), true,  true,  Unknown, true, true),
            ("402 used replayed, no maybe seen", refused("redemption_vouchers_used"), false, true, Unknown, true, true),
            ("402 period ended",        refused("redemption_vouchers_period_ended"), false, false, Refused, true, false),
            ("402 period ended, maybe", refused("redemption_vouchers_period_ended"), true, false, Unknown, true, true),
            ("402 voided, maybe",       refused("redemption_vouchers_voided"), true, false, Unknown, true, true),
            ("402 voided, replayed",    refused("redemption_vouchers_voided"), true, true, Unknown, true, true),
            ("403, maybe",              refused("redemption_vouchers_merchant_forbidden"), true, false, Unknown, true, true),
            ("404, maybe",              refused("redemption_vouchers_not_found"), true, false, Unknown, true, true),
            ("404, first try",          refused("redemption_vouchers_not_found"), false, false, Refused, true, false),
            ("400, maybe",              refused("invalid_request"), true, false, Unknown, true, true),
            ("422",                     key_reused.clone(),  false, false, NeedsReview, true,  false),
            ("422 after maybe",         key_reused,          true,  false, NeedsReview, true,  false),
            ("409",                     in_progress.clone(), false, false, Unknown,     true,  false),
            ("409 after maybe",         in_progress,         true,  false, Unknown,     true,  false),
            ("429",                     rate_limited.clone(), false, false, Queued,     false, false),
            ("429 after maybe",         rate_limited,        true,  false, Unknown,     true,  false),
            ("401",                     unauthorized.clone(), false, false, Queued,     false, false),
            ("401 after maybe",         unauthorized,        true,  false, Unknown,     true,  false),
            ("no connection",           not_sent.clone(),    false, false, Queued,      false, false),
            ("no connection after maybe", not_sent,          true,  false, Unknown,     true,  false),
            ("502 HTML from a proxy",   unknown(Some(502)),  false, false, Unknown,     true,  false),
            ("500 JSON",                unknown(Some(500)),  false, false, Unknown,     true,  false),
            ("302",                     unknown(Some(302)),  false, false, Unknown,     true,  false),
            ("timeout",                 unknown(None),       false, false, Unknown,     true,  false),
            ("reset after maybe",       unknown(None),       true,  false, Unknown,     true,  false),
        ];
        for (name, reply, maybe, replayed, to, maybe_after, lookup) in table {
            let d = after_redeem(Facts { maybe_executed: maybe, ..Facts::default() }, &reply, replayed);
            assert_eq!((d.to, d.maybe_executed, d.lookup_due), (to, maybe_after, lookup), "row {name:?}: {d:?}");
            assert!(!maybe || d.maybe_executed, "row {name:?}: maybe-executed must be forever");
            assert!(d.to != Queued || !d.maybe_executed, "row {name:?}: a maybe-executed intent was queued again");
        }
    }

    #[test]
    fn the_cashiers_answer_is_applied_to_the_outcome() {
        let accepted = Facts { accepted: true, ..Facts::default() };
        let declined = Facts { declined: true, maybe_executed: true, ..Facts::default() };
        let d = after_redeem(accepted, &refused("redemption_vouchers_voided"), false);
        assert_eq!((d.to, d.review, d.loss), (NeedsReview, Some(ReviewCause::AcceptedThenRefused), true));
        let d = after_redeem(accepted, &redeemed(), false);
        assert_eq!((d.to, d.loss), (Redeemed, false));
        let d = after_redeem(declined, &redeemed(), false);
        assert_eq!((d.to, d.review), (NeedsReview, Some(ReviewCause::RedeemedAfterDecline)));
        let d = after_lookup(Facts { lookup_due: true, ..declined }, &Lookup::NotFound, 5);
        assert_eq!(
            (d.to, d.review, d.loss),
            (Refused, None, false),
            "declined and refused: the customer paid, nothing to make good"
        );
    }

    #[test]
    fn the_lookup_verdict_table() {
        let tx = Transaction {
            id: "transaction_9".into(),
            campaign_id: String::new(),
            value: 100,
            metadata: String::new(),
            created_at: String::new(),
            bank_statement_id: None,
        };
        let status = |s: u16| LookupError::Status { status: s, message: "m".into(), retry_after: None };
        let unreachable = LookupError::Unreachable("down".into());
        let timed_out = LookupError::TimedOut("no answer in 7 s".into());
        let f = |lookup_due, accepted, declined| Facts {
            maybe_executed: true,
            lookup_due,
            accepted,
            declined,
            ..Facts::default()
        };
        // Declined, with an earlier attempt that may still be travelling.
        let in_grace = Facts { grace_left: Duration::from_secs(60), ..f(false, false, true) };
        #[rustfmt::skip]
        #[allow(clippy::type_complexity)] // a table's row, read once just below
        let table: Vec<(&str, Facts, Lookup, IntentState, Option<ReviewCause>, bool)> = vec![
            // name                          facts                  lookup                                   to           review                                   loss
            ("found",                        f(false, false, false), Lookup::Found(tx.clone()),               Redeemed,    None,                                    false),
            ("found after a refusal",        f(true, false, false),  Lookup::Found(tx.clone()),               Redeemed,    None,                                    false),
            ("found, declined",              f(false, false, true),  Lookup::Found(tx.clone()),               NeedsReview, Some(ReviewCause::RedeemedAfterDecline), false),
            // "Found" is conclusive at any time: told at once, the grace is not waited.
            ("found, declined, in grace",    in_grace,               Lookup::Found(tx.clone()),               NeedsReview, Some(ReviewCause::RedeemedAfterDecline), false),
            ("refusal stands",               f(true, false, false),  Lookup::NotFound,                        Refused,     None,                                    false),
            ("refusal stands, accepted",     f(true, true, false),   Lookup::NotFound,                        NeedsReview, Some(ReviewCause::AcceptedThenRefused),  true),
            ("refusal stands, declined, in grace", Facts { lookup_due: true, ..in_grace }, Lookup::NotFound, Refused, None,                                    false),
            ("window passed: resend",        f(false, false, false), Lookup::NotFound,                        Unknown,     None,                                    false),
            ("window passed, declined",      f(false, false, true),  Lookup::NotFound,                        NeedsReview, Some(ReviewCause::DeclinedNotFound),     false),
            // "Not found" while an attempt may still land proves nothing yet.
            ("not found, declined, in grace", in_grace,              Lookup::NotFound,                        Unknown,     None,                                    false),
            ("offline",                      f(true, false, false),  Lookup::Failed { error: unreachable.clone(), failures: 99 }, Unknown, None,               false),
            ("500 once",                     f(false, false, false), Lookup::Failed { error: status(500), failures: 1 }, Unknown, None,                         false),
            ("500 too often",                f(false, false, false), Lookup::Failed { error: status(500), failures: 5 }, NeedsReview, Some(ReviewCause::LookupFailed), false),
            ("403 too often",                f(true, false, false),  Lookup::Failed { error: status(403), failures: 5 }, NeedsReview, Some(ReviewCause::LookupFailed), false),
            ("unreadable too often",         f(false, false, false), Lookup::Failed { error: LookupError::BadReply("x".into()), failures: 7 }, NeedsReview, Some(ReviewCause::LookupFailed), false),
            ("timed out once",               f(false, false, false), Lookup::Failed { error: timed_out.clone(), failures: 1 }, Unknown, None,                   false),
            // A list that never answers in time reaches a manager like any other failure.
            ("timed out too often",          f(false, false, false), Lookup::Failed { error: timed_out.clone(), failures: 5 }, NeedsReview, Some(ReviewCause::LookupFailed), false),
            ("timed out too often, declined", in_grace,              Lookup::Failed { error: timed_out, failures: 5 }, NeedsReview, Some(ReviewCause::LookupFailed), false),
        ];
        for (name, facts, lookup, to, review, loss) in table {
            let d = after_lookup(facts, &lookup, 5);
            assert_eq!((d.to, d.review, d.loss), (to, review, loss), "row {name:?}: {d:?}");
            assert!(d.maybe_executed, "row {name:?}");
            assert!(!matches!(d.to, Queued | Cancelled), "row {name:?}: a looked-up intent became withdrawable");
        }
    }

    #[test]
    fn a_declined_not_found_in_the_grace_is_looked_up_again_once_it_has_passed_and_not_before() {
        let left = Duration::from_secs(42);
        let f = Facts { maybe_executed: true, declined: true, grace_left: left, ..Facts::default() };
        let d = after_lookup(f, &Lookup::NotFound, 5);
        assert_eq!((d.to, d.review, d.lookup_due), (Unknown, None, false));
        assert_eq!(d.retry, Retry::Backoff { at_least: Some(left) }, "a wait a probe must not cut short");
    }

    /// Only a connection never made is not counted: the list was never asked.
    #[test]
    fn every_lookup_failure_but_a_connection_never_made_counts_toward_review() {
        #[rustfmt::skip]
        let table = [
            (LookupError::Unreachable("connection refused".into()), false),
            (LookupError::TimedOut("operation timed out".into()), true),
            (LookupError::Status { status: 500, message: "m".into(), retry_after: None }, true),
            (LookupError::Status { status: 429, message: "m".into(), retry_after: None }, true),
            (LookupError::BadReply("cut off".into()), true),
        ];
        for (error, counts) in table {
            assert_eq!(lookup_failure_counts(&error), counts, "{error:?}");
        }
    }

    #[test]
    fn the_decline_grace_is_counted_from_the_last_send_and_never_outlives_itself() {
        let g = Duration::from_secs(600);
        let s = 1_800_000_000_000i64;
        #[rustfmt::skip]
        let table: [(&str, i64, Duration); 7] = [
            // name                                now                 grace left
            ("just sent",                          s,                  g),
            ("a minute later",                     s + 60_000,         Duration::from_secs(540)),
            ("at the end",                         s + 600_000,        Duration::ZERO),
            ("long after",                         s + 10 * 600_000,   Duration::ZERO),
            // The clock stepped back a little since the send: waited, at most the grace.
            ("sent a minute ahead of now",         s - 60_000,         g),
            ("sent a grace ahead of now",          s - 600_000,        g),
            // Stamped by a clock since corrected, beyond the horizon: passed.
            ("sent days ahead of now",             s - 3 * DAY_MS,     Duration::ZERO),
        ];
        for (name, now, left) in table {
            let got = decline_grace_left(s, now, g);
            assert_eq!(got, left, "row {name:?}");
            assert!(got <= g, "row {name:?}: longer than the grace");
        }
        assert_eq!(decline_grace_left(i64::MAX, i64::MIN, Duration::MAX), Duration::ZERO, "absurd stamps end the wait");
        assert_eq!(decline_grace_left(s, s, Duration::ZERO), Duration::ZERO);
    }

    #[test]
    fn a_window_passed_lookup_that_finds_nothing_clears_the_lookup_but_not_the_maybe() {
        let d = after_lookup(Facts { maybe_executed: true, ..Facts::default() }, &Lookup::NotFound, 5);
        assert_eq!((d.to, d.maybe_executed, d.lookup_due, d.retry), (Unknown, true, false, Retry::Now));
    }

    const H: i64 = 3_600_000;

    /// The service's time of the first send known: the range holds the true send,
    /// however far off the terminal's clock was at the send or is now (30 days fast is
    /// the issue's case; a wrong year typed in by hand is the worst).
    #[test]
    fn the_lookup_range_covers_the_first_send_whatever_the_terminal_clock() {
        let true_send = 1_800_000_000_000;
        for off_days in [-400i64, -30, -8, -3, -1, 0, 1, 3, 8, 30, 365] {
            let off = off_days * DAY_MS;
            let r = lookup_range(true_send + off, Some(true_send), true_send + off + H, Some(true_send + H)).unwrap();
            assert!(r.start_ms <= true_send && true_send + H < r.end_ms, "{off_days} days off: {r:?}");
            // The terminal's clock jumps between the send and the lookup.
            let r = lookup_range(true_send + off, Some(true_send), true_send - off + H, Some(true_send + H)).unwrap();
            assert!(r.start_ms <= true_send && true_send + H < r.end_ms, "{off_days} days, then jumped: {r:?}");
        }
        // The service's own clock stepped back three days since the send.
        let r = lookup_range(true_send, Some(true_send), true_send, Some(true_send - 3 * 24 * H)).unwrap();
        assert!(r.start_ms <= true_send && true_send < r.end_ms, "{r:?}");
    }

    /// Without the service's time of the first send, nothing the terminal holds can show
    /// where the send fell: the range is the service's whole history, so "not found"
    /// over it is still a proof, and never rests on the local clock.
    #[test]
    fn without_the_services_time_of_the_first_send_the_range_is_the_whole_history() {
        let true_send = 1_800_000_000_000;
        for off_days in [-30i64, -8, 0, 8, 30] {
            let local = true_send + off_days * DAY_MS;
            let r = lookup_range(local, None, local + H, Some(true_send + H)).unwrap();
            assert_eq!(r.start_ms, HISTORY_START_MS, "{off_days} days off: {r:?}");
            assert!(true_send + H < r.end_ms, "{off_days} days off: {r:?}");
        }
    }

    #[test]
    fn without_the_services_time_now_nothing_is_concluded() {
        let t = 1_800_000_000_000;
        assert_eq!(lookup_range(t, Some(t), t + H, None), None);
        assert_eq!(lookup_range(t, None, t + H, None), None);
    }

    #[test]
    fn an_inverted_or_absurd_range_concludes_nothing() {
        // A service whose "now" is before 1970, with no first send on record: the whole
        // history ends before it starts.
        assert_eq!(lookup_range(0, None, -10 * DAY_MS, Some(-10 * DAY_MS)), None);
        let r = lookup_range(i64::MIN, None, i64::MAX, Some(i64::MAX)).unwrap();
        assert!(r.start_ms < r.end_ms);
        let r = lookup_range(i64::MIN, Some(i64::MIN), 0, Some(0)).unwrap();
        assert!(r.start_ms < r.end_ms);
    }

    /// Which service time a send records: the first send of an intent records the
    /// service's, unless it may have executed before any send of its own is on record.
    #[test]
    fn a_first_send_records_the_services_time_unless_an_earlier_one_is_not_on_record() {
        let now = 1_800_000_000_000;
        #[rustfmt::skip]
        let table = [
            // maybe executed, first sent at, recorded
            (false, None,          Some(now)),
            (true,  Some(now - H), Some(now)), // not the first: the store keeps the earlier
            (false, Some(now - H), Some(now)),
            // Restored from a backup: the copy it came from may have sent it first.
            (true,  None,          None),
        ];
        for (maybe, first, recorded) in table {
            assert_eq!(first_send_service_time(maybe, first, now), recorded, "{maybe} {first:?}");
        }
    }

    #[test]
    fn pace_follows_the_reply_alone() {
        let rate_limited = RedeemOutcome::RateLimited { retry_after: None, message: "m".into() };
        let unauthorized = RedeemOutcome::Unauthorized { message: "m".into() };
        let not_sent = RedeemOutcome::NotSent { reason: "r".into() };
        #[rustfmt::skip]
        let table = [
            (redeemed(), Pace::Answered), (refused("redemption_vouchers_used"), Pace::Answered),
            (rate_limited, Pace::RateLimited), (unauthorized, Pace::Degraded),
            (unknown(Some(502)), Pace::Degraded), (unknown(None), Pace::Unreachable), (not_sent, Pace::Unreachable),
        ];
        for (reply, pace) in table {
            assert_eq!(redeem_pace(&reply), pace, "{reply:?}");
        }
    }

    /// A lookup never takes the terminal offline: whether redemptions can be sent is
    /// learned from redemptions and the probe, and the probe is not the list.
    #[test]
    fn a_failed_lookup_never_marks_the_service_offline() {
        let failed = |error, failures| Lookup::Failed { error, failures };
        let s429 = LookupError::Status { status: 429, message: "m".into(), retry_after: None };
        let s500 = LookupError::Status { status: 500, message: "m".into(), retry_after: None };
        #[rustfmt::skip]
        let table = [
            (Lookup::NotFound,                                               Pace::Answered),
            (failed(LookupError::Unreachable("refused".into()), 0),          Pace::ListUnread),
            (failed(LookupError::TimedOut("slow".into()), 1),                Pace::ListUnread),
            (failed(LookupError::TimedOut("slow".into()), 5),                Pace::ListUnread),
            (failed(s429.clone(), 1),                                        Pace::RateLimited),
            // Past the limit the list is unwell, not busy.
            (failed(s429, 5),                                                Pace::Degraded),
            (failed(s500, 1),                                                Pace::Degraded),
            (failed(LookupError::BadReply("x".into()), 1),                   Pace::Degraded),
        ];
        for (lookup, pace) in table {
            let got = lookup_pace(&lookup, 5);
            assert_eq!(got, pace, "{lookup:?}");
            assert_ne!(got, Pace::Unreachable, "{lookup:?}");
        }
    }

    #[test]
    fn review_causes_round_trip_through_their_codes() {
        for c in ReviewCause::ALL {
            assert_eq!(ReviewCause::parse(c.as_str()), Some(c));
        }
    }
}
