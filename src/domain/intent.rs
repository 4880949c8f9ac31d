//! Redemption intents and the one table of their allowed state changes.
//!
//! An intent is the terminal's durable promise about one scanned code: created at scan
//! time with its idempotency key and the exact request bytes, it must end in exactly
//! one known outcome. Every state change in the store is checked against
//! [`TRANSITIONS`], so the rules live here and nowhere else.

use crate::ErrorCode;
use serde::Serialize;
use std::fmt;
use std::str::FromStr;

use crate::domain::voucher::VoucherCode;

/// Where an intent is on its way to an outcome.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, PartialOrd, Ord, Default, ts_rs::TS)]
#[serde(rename_all = "snake_case")]
pub enum IntentState {
    /// Created at scan time; the cashier has not pressed Redeem. Nothing sent.
    #[default]
    Scanned,
    /// The cashier committed; no request has possibly reached the service yet.
    Queued,
    /// A request is being sent right now by the sync engine.
    InFlight,
    /// A request may have reached the service and no answer was read: it is resent
    /// with the same key and bytes, or looked up by intent id. Never guessed.
    Unknown,
    /// The service confirmed the redemption (final).
    Redeemed,
    /// The service refused it with a final answer (final).
    Refused,
    /// Neither the service nor a lookup could decide, or it was accepted offline and
    /// then refused: a manager settles it.
    NeedsReview,
    /// Withdrawn before any request could have reached the service (final).
    Cancelled,
}

impl IntentState {
    pub const ALL: [IntentState; 8] = [
        IntentState::Scanned,
        IntentState::Queued,
        IntentState::InFlight,
        IntentState::Unknown,
        IntentState::Redeemed,
        IntentState::Refused,
        IntentState::NeedsReview,
        IntentState::Cancelled,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            IntentState::Scanned => "scanned",
            IntentState::Queued => "queued",
            IntentState::InFlight => "in_flight",
            IntentState::Unknown => "unknown",
            IntentState::Redeemed => "redeemed",
            IntentState::Refused => "refused",
            IntentState::NeedsReview => "needs_review",
            IntentState::Cancelled => "cancelled",
        }
    }

    /// Final states never change again.
    pub fn is_final(self) -> bool {
        matches!(self, IntentState::Redeemed | IntentState::Refused | IntentState::Cancelled)
    }

    /// Nothing more happens without a person: final, or a manager's to settle. What a
    /// Redeem press and a script's `--wait` wait for.
    pub fn has_outcome(self) -> bool {
        self.is_final() || self == IntentState::NeedsReview
    }

    /// Committed by the cashier and not yet at an outcome: what "pending" counts.
    pub fn is_pending(self) -> bool {
        matches!(self, IntentState::Queued | IntentState::InFlight | IntentState::Unknown)
    }

    /// A code with an intent in one of these states must not get a second intent.
    pub fn is_live(self) -> bool {
        !self.is_final()
    }
}

impl fmt::Display for IntentState {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for IntentState {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        IntentState::ALL.into_iter().find(|st| st.as_str() == s).ok_or_else(|| format!("unknown intent state {s:?}"))
    }
}

use IntentState::*;

/// Every allowed state change, with the reason it exists. Anything not listed is
/// refused by the store and changes nothing.
pub const TRANSITIONS: &[(IntentState, IntentState, &str)] = &[
    (Scanned, Queued, "the cashier pressed Redeem"),
    (Scanned, Cancelled, "the cashier dropped the scan before committing"),
    (Scanned, Unknown, "a scan restored from a backup was pressed or declined: the copy it came from may have sent it, so it is resent or looked up, never withdrawn"),
    (Queued, Unknown, "restored from a backup: the copy it came from may have sent it after the backup was taken, so any refusal of its resend is looked up"),
    (Queued, InFlight, "the sync engine is sending it"),
    (Queued, Cancelled, "no attempt can have executed, so withdrawing it (or the cashier declining it) leaves no redemption behind"),
    (InFlight, Queued, "no attempt of it may have executed: no connection was made, or the service's own JSON said 401 or 429"),
    (InFlight, Unknown, "the request may have executed (timeout, reset, 5xx, 3xx, HTML, 409), or a refusal must be looked up"),
    (InFlight, Redeemed, "the service answered 2xx"),
    (InFlight, Refused, "a refusal with no earlier maybe-executed attempt, or the replayed answer to our key"),
    (InFlight, NeedsReview, "422 key reused, a refused accepted sale, or a declined sale redeemed after all"),
    (Unknown, InFlight, "resending the same key and bytes"),
    (Unknown, Redeemed, "the transactions list shows its intent id"),
    (Unknown, Refused, "a refusal after a maybe-executed attempt, and the whole transactions list does not show it"),
    (Unknown, NeedsReview, "the list kept failing, the API key or service changed, or a declined sale needs closing"),
    (Scanned, NeedsReview, "the end-of-day report found the service's record of its redemption (a restored database held it as only scanned)"),
    (Refused, NeedsReview, "the end-of-day report found the service's record of its redemption: the refusal was wrong"),
    (Cancelled, NeedsReview, "the end-of-day report found the service's record of its redemption after all"),
    (NeedsReview, Redeemed, "a manager settled it as redeemed"),
    (NeedsReview, Refused, "a manager settled it as refused"),
    (NeedsReview, Cancelled, "a manager settled it as never redeemed"),
];

/// States a maybe-executed intent can never enter again: they would let it be
/// withdrawn or treated as certainly unsent.
pub fn unsent_state(s: IntentState) -> bool {
    matches!(s, IntentState::Scanned | IntentState::Queued)
}

/// Whether `from -> to` is an allowed change, and why.
pub fn transition_reason(from: IntentState, to: IntentState) -> Option<&'static str> {
    TRANSITIONS.iter().find(|(f, t, _)| *f == from && *t == to).map(|(_, _, why)| *why)
}

/// Who is creating the intent, and for which sale.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct SaleContext {
    pub terminal_id: String,
    pub branch_code: String,
    pub cashier_id: String,
    pub receipt_number: String,
    /// Eligible items' SKUs, compulsory for `rsg-cfhp:` codes.
    pub skus: Vec<String>,
}

/// Why a sale context cannot go into the service's metadata field.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ContextError {
    #[error("The {field} is missing.")]
    Missing { field: &'static str },
    #[error("The {field} may only use letters, digits, '-', '_', '.' and '/' (at most 64).")]
    BadField { field: &'static str },
    #[error("Climate Friendly Households vouchers need the receipt number and the eligible items' SKUs.")]
    CfhpNeedsSkus,
    #[error("The metadata would be {len} characters; the service takes at most 1000.")]
    MetadataTooLong { len: usize },
}

impl ContextError {
    pub fn code(&self) -> crate::ErrorCode {
        match self {
            ContextError::Missing { .. } => ErrorCode::ContextMissingField,
            ContextError::BadField { .. } => ErrorCode::ContextBadField,
            ContextError::CfhpNeedsSkus => ErrorCode::ContextCfhpNeedsSkus,
            ContextError::MetadataTooLong { .. } => ErrorCode::ContextMetadataTooLong,
        }
    }
}

pub(crate) fn check_field(field: &'static str, value: &str, required: bool) -> Result<(), ContextError> {
    if value.is_empty() {
        return if required { Err(ContextError::Missing { field }) } else { Ok(()) };
    }
    let ok =
        value.len() <= 64 && value.bytes().all(|b| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.' | b'/'));
    if ok {
        Ok(())
    } else {
        Err(ContextError::BadField { field })
    }
}

/// The service's free-text `metadata`, in RedeemSG's `key:value,...` form. The intent
/// id goes in so that the transactions list can find this redemption later; for CFHP
/// codes the compulsory `receipt_number:R,SKU:a,b` comes last, exactly in that form.
pub fn build_metadata(code: &VoucherCode, ctx: &SaleContext, intent_id: &str) -> Result<String, ContextError> {
    check_field("terminal id", &ctx.terminal_id, true)?;
    check_field("branch code", &ctx.branch_code, true)?;
    check_field("cashier id", &ctx.cashier_id, true)?;
    let cfhp = code.campaign_word() == Some("cfhp");
    // One answer for either detail missing: the checkout asks for both at once.
    if cfhp && (ctx.receipt_number.is_empty() || ctx.skus.is_empty()) {
        return Err(ContextError::CfhpNeedsSkus);
    }
    check_field("receipt number", &ctx.receipt_number, cfhp)?;
    for sku in &ctx.skus {
        check_field("SKU", sku, true)?;
    }
    let mut md = format!(
        "branch_code:{},pos_ID:{},cashier_ID:{},intent_ID:{}",
        ctx.branch_code, ctx.terminal_id, ctx.cashier_id, intent_id
    );
    if !ctx.receipt_number.is_empty() {
        md.push_str(&format!(",receipt_number:{}", ctx.receipt_number));
    }
    if !ctx.skus.is_empty() {
        md.push_str(&format!(",SKU:{}", ctx.skus.join(",")));
    }
    if md.len() > 1000 {
        return Err(ContextError::MetadataTooLong { len: md.len() });
    }
    Ok(md)
}

/// The value of `key` in a metadata string, as a whole `key:value` pair (a CFHP SKU
/// list's further commas are pairs without a colon, and never match).
pub fn metadata_field<'a>(metadata: &'a str, key: &str) -> Option<&'a str> {
    metadata.split(',').find_map(|pair| pair.strip_prefix(key)?.strip_prefix(':'))
}

/// Finds `intent_ID:<id>` in a metadata string as a whole `key:value` pair.
pub fn metadata_intent_id(metadata: &str) -> Option<&str> {
    metadata_field(metadata, "intent_ID")
}

/// The exact request body, serialised once at scan time.
pub fn build_body(code: &VoucherCode, metadata: &str) -> Vec<u8> {
    serde_json::to_vec(&serde_json::json!({ "qr": code.as_str(), "metadata": metadata }))
        .expect("a JSON object of two strings always serialises")
}

/// One intent as stored. (`Default` is for tests that need an intent in a given
/// state; the store builds real ones.)
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, ts_rs::TS)]
pub struct Intent {
    pub id: String,
    pub idempotency_key: String,
    pub code: String,
    pub voucher_count: u32,
    pub terminal_id: String,
    pub branch_code: String,
    pub cashier_id: String,
    pub receipt_number: String,
    #[serde(skip)]
    pub body: Vec<u8>,
    pub state: IntentState,
    pub created_at: i64,
    pub updated_at: i64,
    pub queued_at: Option<i64>,
    pub first_sent_at: Option<i64>,
    pub next_attempt_at: Option<i64>,
    pub attempt_count: u32,
    pub accepted_offline: bool,
    pub transaction_id: Option<String>,
    pub campaign_name: Option<String>,
    pub value_cents: Option<i64>,
    pub http_status: Option<u16>,
    pub error_code: Option<String>,
    /// The service's own `error.message`, shown to the cashier unchanged.
    pub error_message: Option<String>,
    pub review_reason: Option<String>,
    /// Accepted for the sale offline and later refused: the store lost its value.
    pub loss: bool,
    /// A refusal met after a maybe-executed attempt: only the transactions list can
    /// say whether it judged our own earlier redemption.
    pub lookup_due: bool,
    /// Some attempt may have executed at the service. Never goes back to false: such
    /// an intent is never queued again, never withdrawn, and every later refusal is
    /// looked up before it becomes a verdict.
    pub maybe_executed: bool,
    /// The cashier took another payment for the sale: never sent again.
    pub declined: bool,
    /// The earliest send whose saved result the service may still hold.
    pub window_from: Option<i64>,
    /// `first_sent_at` in the service's time, when its clock was known.
    pub first_sent_service_at: Option<i64>,
    /// Where it was first sent, and a fingerprint of the API key it went with.
    pub service_url: Option<String>,
    pub api_key_fp: Option<String>,
    /// Why it waits for a manager, as a stable code (`verdict::ReviewCause`).
    pub review_cause: Option<String>,
    /// A wait the service imposed (Retry-After, a rejected key).
    pub not_before: Option<i64>,
    /// The sale it pays for, and no other (none for intents older than sales).
    pub sale_id: Option<String>,
}

impl Intent {
    /// Whether the cashier owes this voucher an answer before its sale can close: it
    /// was pressed, has no outcome yet, and was neither accepted for the sale nor
    /// declined (another payment taken). A scan never pressed needs none: closing
    /// withdraws it. (Migration `005` refuses a close that leaves such a voucher,
    /// whatever the code.)
    pub fn needs_answer(&self) -> bool {
        self.unconfirmed() && !self.accepted_offline && !self.declined
    }

    /// Pressed and not final: the service has not confirmed it (it may be queued, out,
    /// unknown, or a manager's to settle), so the sale may need the cashier's answer.
    pub fn unconfirmed(&self) -> bool {
        self.state != IntentState::Scanned && !self.state.is_final()
    }

    /// The eligible items' SKUs it was sent with (CFHP), read back from the exact
    /// bytes sent: the receipt prints what the service was told.
    pub fn skus(&self) -> Vec<String> {
        let md = serde_json::from_slice::<serde_json::Value>(&self.body)
            .ok()
            .and_then(|v| v.get("metadata").and_then(|m| m.as_str()).map(str::to_string))
            .unwrap_or_default();
        match md.split_once(",SKU:") {
            Some((_, list)) => list.split(',').filter(|s| !s.is_empty()).map(str::to_string).collect(),
            None => Vec::new(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::voucher::parse;

    #[test]
    fn final_states_have_no_way_out_but_the_services_records_into_review() {
        for (from, to, why) in TRANSITIONS {
            if from.is_final() {
                // Only the end-of-day report, holding the service's record of the
                // redemption, may reopen a final intent, and only for a person.
                assert_eq!(*to, NeedsReview, "{from} is final but can become {to}");
                assert!(why.contains("end-of-day report"), "{from} -> {to}: {why}");
            }
        }
        assert!(
            TRANSITIONS.iter().all(|(from, _, _)| *from != Redeemed),
            "redeemed is final, whatever the report says"
        );
    }

    #[test]
    fn every_non_final_state_can_reach_an_outcome() {
        for st in IntentState::ALL.into_iter().filter(|s| !s.is_final()) {
            assert!(TRANSITIONS.iter().any(|(f, _, _)| *f == st), "{st} is a dead end");
        }
    }

    #[test]
    fn a_request_that_may_have_run_can_never_be_cancelled() {
        assert!(transition_reason(Unknown, Cancelled).is_none());
        assert!(transition_reason(InFlight, Cancelled).is_none());
        assert!(transition_reason(Redeemed, Queued).is_none());
        assert!(transition_reason(Unknown, Queued).is_none(), "unknown is maybe-executed, which is forever");
        for (from, to, _) in TRANSITIONS {
            if *from == Unknown {
                assert!(!unsent_state(*to), "{from} -> {to} would unsend a maybe-executed intent");
            }
        }
    }

    #[test]
    fn states_round_trip_through_their_names() {
        for st in IntentState::ALL {
            assert_eq!(st.as_str().parse::<IntentState>().unwrap(), st);
        }
    }

    fn ctx() -> SaleContext {
        SaleContext {
            terminal_id: "T1".into(),
            branch_code: "B7".into(),
            cashier_id: "c001".into(),
            receipt_number: "R9".into(),
            skus: vec![],
        }
    }

    #[test]
    fn metadata_carries_the_intent_id_and_the_body_the_exact_code() {
        let code = parse("rsg:v_1,v_2").unwrap();
        let md = build_metadata(&code, &ctx(), "abc").unwrap();
        assert_eq!(md, "branch_code:B7,pos_ID:T1,cashier_ID:c001,intent_ID:abc,receipt_number:R9");
        assert_eq!(metadata_intent_id(&md), Some("abc"));
        let body: serde_json::Value = serde_json::from_slice(&build_body(&code, &md)).unwrap();
        assert_eq!(body["qr"], "rsg:v_1,v_2");
        assert_eq!(body["metadata"], md);
    }

    #[test]
    fn cfhp_codes_need_skus_in_the_compulsory_form() {
        let code = parse("rsg-cfhp:v_1").unwrap();
        assert_eq!(build_metadata(&code, &ctx(), "i"), Err(ContextError::CfhpNeedsSkus));
        let no_receipt = SaleContext { receipt_number: String::new(), skus: vec!["001".into()], ..ctx() };
        assert_eq!(
            build_metadata(&code, &no_receipt, "i"),
            Err(ContextError::CfhpNeedsSkus),
            "one answer for either detail"
        );
        let mut c = ctx();
        c.skus = vec!["001".into(), "002".into()];
        let md = build_metadata(&code, &c, "i").unwrap();
        assert!(md.ends_with(",receipt_number:R9,SKU:001,002"));
        let sent = Intent { body: build_body(&code, &md), ..Intent::default() };
        assert_eq!(sent.skus(), ["001", "002"]);
    }

    #[test]
    fn a_comma_in_a_field_cannot_forge_a_metadata_pair() {
        let code = parse("rsg:v_1").unwrap();
        let mut c = ctx();
        c.cashier_id = "x,intent_ID:evil".into();
        assert_eq!(build_metadata(&code, &c, "i"), Err(ContextError::BadField { field: "cashier id" }));
    }
}
