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

use std::time::Duration;

use serde::Serialize;

use crate::api::{LookupError, RedeemOutcome, Transaction};
use crate::intent::IntentState;

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
        Decision { to: IntentState::Refused, maybe_executed: true, lookup_due: false, review: None, loss: false, retry: Retry::Now }
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
        RedeemOutcome::Redeemed(_) | RedeemOutcome::Refused { .. } | RedeemOutcome::InProgress { .. } | RedeemOutcome::KeyReused { .. } => {
            Pace::Answered
        }
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
    /// that were not the network's fault.
    Failed { error: LookupError, failures: u32 },
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
        // A refusal was met, and it was not our own earlier redemption: it stands.
        Lookup::NotFound if f.lookup_due => settle_refusal(f),
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
        Lookup::Failed { error: LookupError::Unreachable(_), .. } => stay(Retry::Backoff { at_least: None }),
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
        Lookup::Failed { error: LookupError::Status { retry_after, .. }, .. } => stay(Retry::Backoff { at_least: *retry_after }),
        Lookup::Failed { .. } => stay(Retry::Backoff { at_least: None }),
    }
}

/// What a look-up says about the service itself, for the engine's pacing (the same
/// order as [`after_lookup`]: a list failing past the limit is unwell, not busy).
pub fn lookup_pace(lookup: &Lookup, failures_before_review: u32) -> Pace {
    match lookup {
        Lookup::Found(_) | Lookup::NotFound => Pace::Answered,
        Lookup::Failed { error: LookupError::Unreachable(_), .. } => Pace::Unreachable,
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

/// The range a look-up must read so that neither a wrong terminal clock nor a clock
/// that stepped since the send can hide the transaction.
///
/// - `local_first_send` and `local_now` are the terminal's clock; `service_first_send`
///   and `service_now` are the same moments in the service's time, when its `Date`
///   header has shown the offset. Every known estimate widens the range; none narrows it.
/// - Where the service's time is not known, the range is widened by `max_skew` on that
///   side (the terminal's clock may be that far off).
/// - A day is added on each side for the service's UTC date boundaries.
///
/// Returns `None` for a range that would be empty or inverted: nothing may be
/// concluded from it.
pub fn lookup_range(
    local_first_send: i64,
    service_first_send: Option<i64>,
    local_now: i64,
    service_now: Option<i64>,
    max_skew: Duration,
) -> Option<Range> {
    let skew = i64::try_from(max_skew.as_millis()).unwrap_or(i64::MAX / 4).min(i64::MAX / 4);
    let start = match service_first_send {
        Some(s) => s.min(local_first_send).saturating_sub(DAY_MS),
        None => local_first_send.saturating_sub(skew).saturating_sub(DAY_MS),
    };
    let end = match service_now {
        Some(s) => s.max(local_now).saturating_add(DAY_MS),
        None => local_now.saturating_add(skew).saturating_add(DAY_MS),
    };
    (start < end).then_some(Range { start_ms: start, end_ms: end })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::api::Redemption;
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
        let rate_limited = RedeemOutcome::RateLimited { retry_after: Some(Duration::from_secs(3)), message: "m".into() };
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
        assert_eq!((d.to, d.review, d.loss), (Refused, None, false), "declined and refused: the customer paid, nothing to make good");
    }

    #[test]
    fn the_lookup_verdict_table() {
        let tx = Transaction { id: "transaction_9".into(), campaign_id: String::new(), value: 100, metadata: String::new(), created_at: String::new(), bank_statement_id: None };
        let status = |s: u16| LookupError::Status { status: s, message: "m".into(), retry_after: None };
        let unreachable = LookupError::Unreachable("down".into());
        let f = |lookup_due, accepted, declined| Facts { maybe_executed: true, lookup_due, accepted, declined };
        #[rustfmt::skip]
        let table: Vec<(&str, Facts, Lookup, IntentState, Option<ReviewCause>, bool)> = vec![
            // name                          facts                  lookup                                   to           review                                   loss
            ("found",                        f(false, false, false), Lookup::Found(tx.clone()),               Redeemed,    None,                                    false),
            ("found after a refusal",        f(true, false, false),  Lookup::Found(tx.clone()),               Redeemed,    None,                                    false),
            ("found, declined",              f(false, false, true),  Lookup::Found(tx.clone()),               NeedsReview, Some(ReviewCause::RedeemedAfterDecline), false),
            ("refusal stands",               f(true, false, false),  Lookup::NotFound,                        Refused,     None,                                    false),
            ("refusal stands, accepted",     f(true, true, false),   Lookup::NotFound,                        NeedsReview, Some(ReviewCause::AcceptedThenRefused),  true),
            ("window passed: resend",        f(false, false, false), Lookup::NotFound,                        Unknown,     None,                                    false),
            ("window passed, declined",      f(false, false, true),  Lookup::NotFound,                        NeedsReview, Some(ReviewCause::DeclinedNotFound),     false),
            ("offline",                      f(true, false, false),  Lookup::Failed { error: unreachable.clone(), failures: 99 }, Unknown, None,               false),
            ("500 once",                     f(false, false, false), Lookup::Failed { error: status(500), failures: 1 }, Unknown, None,                         false),
            ("500 too often",                f(false, false, false), Lookup::Failed { error: status(500), failures: 5 }, NeedsReview, Some(ReviewCause::LookupFailed), false),
            ("403 too often",                f(true, false, false),  Lookup::Failed { error: status(403), failures: 5 }, NeedsReview, Some(ReviewCause::LookupFailed), false),
            ("unreadable too often",         f(false, false, false), Lookup::Failed { error: LookupError::BadReply("x".into()), failures: 7 }, NeedsReview, Some(ReviewCause::LookupFailed), false),
        ];
        for (name, facts, lookup, to, review, loss) in table {
            let d = after_lookup(facts, &lookup, 5);
            assert_eq!((d.to, d.review, d.loss), (to, review, loss), "row {name:?}: {d:?}");
            assert!(d.maybe_executed, "row {name:?}");
            assert!(!matches!(d.to, Queued | Cancelled), "row {name:?}: a looked-up intent became withdrawable");
        }
    }

    #[test]
    fn a_window_passed_lookup_that_finds_nothing_clears_the_lookup_but_not_the_maybe() {
        let d = after_lookup(Facts { maybe_executed: true, ..Facts::default() }, &Lookup::NotFound, 5);
        assert_eq!((d.to, d.maybe_executed, d.lookup_due, d.retry), (Unknown, true, false, Retry::Now));
    }

    const H: i64 = 3_600_000;

    #[test]
    fn the_lookup_range_survives_a_terminal_clock_days_off() {
        let true_send = 1_800_000_000_000;
        let skew = Duration::from_secs(7 * 24 * 3600);
        for off_days in [-3i64, -1, 0, 1, 3] {
            let off = off_days * DAY_MS;
            // Known service offset: the range holds the true send time.
            let r = lookup_range(true_send + off, Some(true_send), true_send + off + H, Some(true_send + H), skew).unwrap();
            assert!(r.start_ms <= true_send && true_send + H < r.end_ms, "{off_days} days, offset known: {r:?}");
            // Unknown offset: the skew allowance must cover it.
            let r = lookup_range(true_send + off, None, true_send + off + H, None, skew).unwrap();
            assert!(r.start_ms <= true_send && true_send + H < r.end_ms, "{off_days} days, offset unknown: {r:?}");
        }
        // The clock stepped back three days between the send and the lookup.
        let r = lookup_range(true_send, None, true_send - 3 * 24 * H, Some(true_send + H), skew).unwrap();
        assert!(r.start_ms <= true_send && true_send < r.end_ms, "{r:?}");
    }

    #[test]
    fn an_inverted_or_absurd_range_concludes_nothing() {
        assert_eq!(lookup_range(10 * DAY_MS, Some(10 * DAY_MS), 0, Some(0), Duration::ZERO), None);
        let r = lookup_range(i64::MIN, None, i64::MAX, None, Duration::MAX).unwrap();
        assert!(r.start_ms < r.end_ms);
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
        let failed = |error, failures| Lookup::Failed { error, failures };
        let s429 = LookupError::Status { status: 429, message: "m".into(), retry_after: None };
        assert_eq!(lookup_pace(&Lookup::NotFound, 5), Pace::Answered);
        assert_eq!(lookup_pace(&failed(LookupError::Unreachable("x".into()), 9), 5), Pace::Unreachable);
        assert_eq!(lookup_pace(&failed(s429.clone(), 1), 5), Pace::RateLimited);
        assert_eq!(lookup_pace(&failed(s429, 5), 5), Pace::Degraded, "past the limit the list is unwell, not busy");
        assert_eq!(lookup_pace(&failed(LookupError::BadReply("x".into()), 1), 5), Pace::Degraded);
    }

    #[test]
    fn review_causes_round_trip_through_their_codes() {
        for c in ReviewCause::ALL {
            assert_eq!(ReviewCause::parse(c.as_str()), Some(c));
        }
    }
}
