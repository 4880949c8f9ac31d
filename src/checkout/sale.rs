//! One customer's sale: its total, the vouchers scanned for it, and what RSG asks a
//! sales system to show (each code's scanned value, the forfeited amount when the
//! vouchers exceed the total, and the balance still to pay). Money is integer cents
//! from the moment it is typed; the text a cashier types is parsed here, with
//! thousands separators, and refused when it is not an amount, never guessed at
//! (`1,250.00` is 125000 cents, not 1).

use crate::ErrorCode;
use serde::{Deserialize, Serialize};

use crate::checkout::policy::OfflineVerdict;
use crate::domain::intent::{Intent, IntentState};
use crate::store::Sale;

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum MoneyError {
    #[error("{0:?} is not an amount: type it like 1,250.00")]
    Malformed(String),
    #[error("An amount cannot be negative.")]
    Negative,
    #[error("That amount is too large for one sale.")]
    TooLarge,
}

impl MoneyError {
    pub fn code(&self) -> crate::ErrorCode {
        match self {
            MoneyError::Malformed(_) => ErrorCode::MoneyMalformed,
            MoneyError::Negative => ErrorCode::MoneyNegative,
            MoneyError::TooLarge => ErrorCode::MoneyTooLarge,
        }
    }
}

/// The largest sale total accepted: ten million in the store's currency.
const MAX_CENTS: i64 = 1_000_000_000;

/// The store's currency as a cashier reads it: `S$` for Singapore dollars.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ts_rs::TS)]
pub struct Currency {
    pub symbol: String,
}

impl Default for Currency {
    fn default() -> Self {
        Currency { symbol: "S$".into() }
    }
}

impl Currency {
    /// `S$1,250.00`.
    pub fn format(&self, cents: i64) -> String {
        let sign = if cents < 0 { "-" } else { "" };
        let c = cents.unsigned_abs();
        let units = (c / 100).to_string();
        let mut grouped = String::new();
        for (k, ch) in units.chars().enumerate() {
            if k > 0 && (units.len() - k).is_multiple_of(3) {
                grouped.push(',');
            }
            grouped.push(ch);
        }
        format!("{sign}{}{grouped}.{:02}", self.symbol, c % 100)
    }

    /// Parses what a cashier typed: `1250`, `1,250`, `1,250.5`, `S$1,250.00`, with
    /// spaces around. Commas must group thousands; at most two decimals.
    pub fn parse(&self, text: &str) -> Result<i64, MoneyError> {
        let malformed = || MoneyError::Malformed(text.trim().chars().take(40).collect());
        let mut t = text.trim();
        if let Some(rest) = t.strip_prefix('-') {
            if !rest.trim().is_empty() {
                return Err(MoneyError::Negative);
            }
        }
        for prefix in [self.symbol.as_str(), "S$", "$"] {
            if let Some(rest) = t.strip_prefix(prefix) {
                t = rest.trim_start();
                break;
            }
        }
        let (whole, frac) = match t.split_once('.') {
            Some((w, f)) => (w, Some(f)),
            None => (t, None),
        };
        if whole.is_empty() && frac.is_none() {
            return Err(malformed());
        }
        let groups: Vec<&str> = whole.split(',').collect();
        let grouped_ok = groups.len() == 1
            || (!groups[0].is_empty() && groups[0].len() <= 3 && groups[1..].iter().all(|g| g.len() == 3));
        let digits: String = groups.concat();
        if !grouped_ok || !digits.bytes().all(|b| b.is_ascii_digit()) || digits.len() > 12 {
            return Err(if digits.len() > 12 { MoneyError::TooLarge } else { malformed() });
        }
        let frac_cents = match frac {
            None => 0,
            Some(f) if f.is_empty() || f.len() > 2 || !f.bytes().all(|b| b.is_ascii_digit()) => return Err(malformed()),
            Some(f) if f.len() == 1 => f.parse::<i64>().unwrap() * 10,
            Some(f) => f.parse::<i64>().unwrap(),
        };
        let units: i64 = if digits.is_empty() { 0 } else { digits.parse().map_err(|_| malformed())? };
        let cents = units.checked_mul(100).and_then(|c| c.checked_add(frac_cents)).ok_or(MoneyError::TooLarge)?;
        if cents > MAX_CENTS {
            return Err(MoneyError::TooLarge);
        }
        Ok(cents)
    }
}

/// One voucher code on the sale, as the checkout lists it.
#[derive(Debug, Clone, PartialEq, Serialize, ts_rs::TS)]
pub struct SaleVoucher {
    pub intent_id: String,
    /// The scanned value, once the service confirmed it; none while unconfirmed.
    pub value: Option<String>,
    pub value_cents: Option<i64>,
}

/// The amounts the checkout shows, formatted in the store's currency. Vouchers count
/// once redeemed (the service's value) or accepted for the sale while unconfirmed
/// (whose value is not known yet, so `unconfirmed` says how many are missing).
#[derive(Debug, Clone, PartialEq, Serialize, ts_rs::TS)]
pub struct SaleTotals {
    pub total: Option<String>,
    pub total_cents: Option<i64>,
    pub vouchers: Vec<SaleVoucher>,
    /// The sum of the scanned values (what the retailer is reimbursed).
    pub voucher_total: String,
    /// Vouchers beyond the sale total: lost to the customer, RSG asks it shown.
    pub forfeited: Option<String>,
    pub balance_due: Option<String>,
    /// Vouchers counted on the sale whose value the service has not confirmed yet.
    pub unconfirmed: u32,
}

/// Whether an intent pays for its sale: redeemed, or accepted while unconfirmed; never
/// one the customer declined (paid another way), even if the service redeemed it
/// after all (that is a manager's to make good).
pub fn pays(i: &Intent) -> bool {
    !i.declined && (i.state == IntentState::Redeemed || (i.accepted_offline && !i.state.is_final()))
}

/// Withdrawn before it was ever pressed: never part of what the customer paid with.
fn dropped_before_press(i: &Intent) -> bool {
    i.state == IntentState::Cancelled && i.queued_at.is_none()
}

/// One voucher on the sale, with everything the checkout may do with it decided.
#[derive(Debug, Clone, PartialEq, Serialize, ts_rs::TS)]
pub struct SaleLine {
    pub intent: Intent,
    /// The scanned value, once the service confirmed it.
    pub value: Option<String>,
    /// It counts toward the vouchers' value (redeemed, or accepted unconfirmed).
    pub pays: bool,
    /// The sale cannot close until the cashier accepts or declines it.
    pub needs_answer: bool,
    /// Not confirmed by the service yet: the checkout shows the cashier's answer to
    /// it, or asks for one (`needs_answer`).
    pub unconfirmed: bool,
    /// Only scanned, never sent: the cashier may take it off the sale.
    pub can_remove: bool,
    /// For a voucher that needs an answer: whether the store's policy lets the sale
    /// go ahead on it, or why another payment must be taken.
    pub offline: Option<OfflineVerdict>,
}

/// What the checkout shows of a sale: the core's whole decision, which the page only
/// renders.
#[derive(Debug, Clone, PartialEq, Serialize, ts_rs::TS)]
pub struct SaleView {
    /// None before the first scan or total of the next customer.
    pub sale: Option<Sale>,
    pub lines: Vec<SaleLine>,
    pub totals: SaleTotals,
    /// Some voucher is only scanned: one Redeem press sends them all.
    pub can_redeem: bool,
    /// Next customer may close it now.
    pub can_close: bool,
    /// The vouchers (intent ids) that wait for the cashier's answer.
    pub unresolved: Vec<String>,
}

/// The view of `sale` with its `intents` (in scan order). `offline` gives the store
/// policy's verdict for a voucher that waits for an answer.
pub fn view(
    currency: &Currency,
    sale: Option<Sale>,
    intents: Vec<Intent>,
    offline: impl Fn(&Intent) -> OfflineVerdict,
) -> SaleView {
    let shown: Vec<Intent> = intents.into_iter().filter(|i| !dropped_before_press(i)).collect();
    let totals = totals(currency, sale.as_ref().and_then(|s| s.total_cents), &shown);
    let lines: Vec<SaleLine> = shown
        .into_iter()
        .zip(totals.vouchers.iter())
        .map(|(i, v)| SaleLine {
            value: v.value.clone(),
            pays: pays(&i),
            needs_answer: i.needs_answer(),
            unconfirmed: i.unconfirmed(),
            can_remove: i.state == IntentState::Scanned && !i.maybe_executed,
            offline: i.needs_answer().then(|| offline(&i)),
            intent: i,
        })
        .collect();
    let unresolved: Vec<String> = lines.iter().filter(|l| l.needs_answer).map(|l| l.intent.id.clone()).collect();
    let open = sale.as_ref().is_some_and(|s| s.closed_at.is_none());
    SaleView {
        can_redeem: open && lines.iter().any(|l| l.intent.state == IntentState::Scanned),
        can_close: open && unresolved.is_empty(),
        unresolved,
        lines,
        totals,
        sale,
    }
}

/// The sale's amounts for `total_cents` (none until typed) and its vouchers.
pub fn totals(currency: &Currency, total_cents: Option<i64>, intents: &[Intent]) -> SaleTotals {
    let paying: Vec<&Intent> = intents.iter().filter(|i| pays(i)).collect();
    let voucher_cents: i64 = paying.iter().filter_map(|i| i.value_cents).sum();
    let unconfirmed = paying.iter().filter(|i| i.value_cents.is_none()).count() as u32;
    let known = total_cents.filter(|_| unconfirmed == 0);
    SaleTotals {
        total: total_cents.map(|c| currency.format(c)),
        total_cents,
        vouchers: intents
            .iter()
            .map(|i| {
                let v = i.value_cents.filter(|_| i.state == IntentState::Redeemed);
                SaleVoucher { intent_id: i.id.clone(), value: v.map(|c| currency.format(c)), value_cents: v }
            })
            .collect(),
        voucher_total: currency.format(voucher_cents),
        forfeited: known.map(|t| currency.format((voucher_cents - t).max(0))),
        balance_due: known.map(|t| currency.format((t - voucher_cents).max(0))),
        unconfirmed,
    }
}

/// The SKUs a cashier typed, one list: separated by commas, spaces or new lines.
pub fn parse_skus(text: &str) -> Vec<String> {
    text.split(|c: char| c == ',' || c.is_whitespace()).filter(|s| !s.is_empty()).map(str::to_string).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn amounts_parse_with_thousands_separators_and_refuse_anything_else() {
        let sgd = Currency::default();
        for (text, cents) in [
            ("1,250.00", 125_000),
            ("1250", 125_000),
            (" S$1,250.5 ", 125_050),
            ("$0.99", 99),
            ("1,234,567.89", 123_456_789),
            (".5", 50),
        ] {
            assert_eq!(sgd.parse(text), Ok(cents), "{text}");
        }
        for text in ["", "abc", "1,25.00", "12.345", "1.2.3", "1,2500", ",100", "12.", "1 250", "S$", "١٢"] {
            assert!(matches!(sgd.parse(text), Err(MoneyError::Malformed(_))), "{text:?} -> {:?}", sgd.parse(text));
        }
        assert_eq!(sgd.parse("-5"), Err(MoneyError::Negative));
        assert_eq!(sgd.parse("99999999999999"), Err(MoneyError::TooLarge));
        assert_eq!(sgd.parse("10,000,001"), Err(MoneyError::TooLarge));
    }

    #[test]
    fn amounts_are_shown_in_the_stores_currency_with_separators() {
        let sgd = Currency::default();
        assert_eq!(sgd.format(125_000), "S$1,250.00");
        assert_eq!(sgd.format(5), "S$0.05");
        assert_eq!(sgd.format(100_000_000), "S$1,000,000.00");
        assert_eq!(sgd.format(-1_500), "-S$15.00");
    }

    fn intent(state: IntentState, value: Option<i64>, accepted: bool) -> Intent {
        Intent {
            id: format!("i{}", value.unwrap_or(0)),
            state,
            value_cents: value,
            accepted_offline: accepted,
            ..Intent::default()
        }
    }

    #[test]
    fn the_balance_due_and_the_forfeited_amount_follow_rsg() {
        let sgd = Currency::default();
        let t = totals(&sgd, Some(125_000), &[intent(IntentState::Redeemed, Some(1_500), false)]);
        assert_eq!(
            (t.voucher_total.as_str(), t.forfeited.as_deref(), t.balance_due.as_deref()),
            ("S$15.00", Some("S$0.00"), Some("S$1,235.00"))
        );
        // Vouchers worth more than the sale: the surplus is forfeited, nothing is due.
        let t = totals(&sgd, Some(1_000), &[intent(IntentState::Redeemed, Some(1_500), false)]);
        assert_eq!((t.forfeited.as_deref(), t.balance_due.as_deref()), (Some("S$5.00"), Some("S$0.00")));
        // A refused voucher pays nothing; no total typed, nothing computed.
        let t = totals(&sgd, Some(1_000), &[intent(IntentState::Refused, None, false)]);
        assert_eq!(t.balance_due.as_deref(), Some("S$10.00"));
        assert_eq!(totals(&sgd, None, &[]).balance_due, None);
        // Accepted while unconfirmed: its value is unknown, so no amount is guessed.
        let t = totals(&sgd, Some(1_000), &[intent(IntentState::Queued, None, true)]);
        assert_eq!((t.unconfirmed, t.balance_due), (1, None));
    }

    #[test]
    fn skus_are_split_on_commas_and_spaces() {
        assert_eq!(parse_skus(" 001, 002\n003 ,,"), ["001", "002", "003"]);
        assert!(parse_skus("  ").is_empty());
    }
}
