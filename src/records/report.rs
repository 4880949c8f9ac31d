//! The end of a store's day: what the voucher service will reimburse, matched against
//! what this terminal believes it redeemed.
//!
//! The service's `GET /v1/transactions` (per API key, each row carrying the
//! `metadata` every terminal wrote) is the system of record for the whole branch, so
//! the branch view comes from it, not from a server of our own. Each transaction of
//! the branch on the store's day is matched to this terminal's intents by the
//! `intent_ID` in its metadata, looked up in the whole store by primary key: an
//! intent scanned days before it was sent (a queue that waited out a closed link,
//! a voucher pressed long after its scan) is still this terminal's, whatever day
//! its scan fell on. Reading follows the engine's rules for lookups: the whole
//! range is read before anything is called missing, and a failed read concludes
//! nothing (the report fails; it never shows half a day as a whole one).
//!
//! "Redeemed here but not at the service" is judged by the day this terminal
//! recorded the redemption (its transition to `redeemed`), and "still waiting" by
//! the day the cashier pressed Redeem, not by the scan's day: the service dates a
//! transaction when it executes, so the scan's day can be days off the service's.
//!
//! Pages are streamed: memory holds one page, this terminal's intents that the range
//! lists, the day's unmatched local intents, and per-key tallies, never the service's
//! whole list nor the whole store.

use crate::ErrorCode;
use std::collections::{BTreeMap, HashMap};

use rusqlite::OptionalExtension;
use serde::Serialize;

use crate::domain::intent::{metadata_field, Intent, IntentState};
use crate::platform::clock::{utc_date, StoreZone, ZoneError};
use crate::service::api::{ApiClient, LookupError, Transaction};
use crate::service::verdict::ReviewCause;
use crate::store::{intent_from_row, Store, StoreError, COLS};

#[derive(Debug, thiserror::Error)]
pub enum ReportError {
    #[error("The service's transactions could not be read, so nothing is concluded: {0}")]
    Service(#[from] LookupError),
    #[error(transparent)]
    Zone(#[from] ZoneError),
    #[error(transparent)]
    Store(#[from] StoreError),
}

impl ReportError {
    pub fn code(&self) -> crate::ErrorCode {
        match self {
            ReportError::Service(_) => ErrorCode::ReportServiceUnreadable,
            ReportError::Zone(e) => e.code(),
            ReportError::Store(e) => e.code(),
        }
    }
}

/// A count and a value in cents.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, ts_rs::TS)]
pub struct Tally {
    pub value: i64,
    pub count: u64,
}

impl Tally {
    fn add(&mut self, value: i64) {
        self.value += value;
        self.count += 1;
    }
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, ts_rs::TS)]
pub struct Totals {
    /// The branch's day at the service: what it will reimburse.
    pub value: i64,
    pub count: u64,
    pub by_terminal: BTreeMap<String, Tally>,
    pub by_cashier: BTreeMap<String, Tally>,
    pub by_campaign: BTreeMap<String, Tally>,
    /// RSG pays out per bank statement, where the service gives one.
    pub by_bank_statement: BTreeMap<String, Tally>,
}

/// A transaction of the day as the report lists it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, ts_rs::TS)]
pub struct ServiceRow {
    pub transaction_id: String,
    pub value: i64,
    pub created_at: String,
    pub terminal: String,
    pub cashier: String,
    pub campaign_id: String,
    pub intent_id: Option<String>,
    /// For `service_only`: the transaction names this terminal (a finding).
    pub this_terminal: bool,
}

/// One of this terminal's intents that the service's day does not show.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, ts_rs::TS)]
pub struct LocalRow {
    pub intent_id: String,
    pub state: IntentState,
    pub value: Option<i64>,
    pub transaction_id: Option<String>,
    pub created_at: String,
    pub age_s: i64,
    /// Redeemed here, but not at the service: a finding.
    pub finding: bool,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, ts_rs::TS)]
#[serde(rename_all = "snake_case")]
pub enum FindingKind {
    /// The service lists a redemption by this terminal that its log does not hold as
    /// redeemed (a lost reply, a restored database).
    LostTrack,
    /// Redeemed here, but the service has no such transaction.
    NotAtService,
    /// Both sides have it, but they disagree on the transaction or the value.
    Mismatch,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, ts_rs::TS)]
pub struct Finding {
    pub kind: FindingKind,
    pub intent_id: Option<String>,
    pub transaction_id: Option<String>,
    pub message: String,
}

/// This terminal's sales of the day, from its own records: how many closed, and the
/// one still open at the till, if any (its vouchers are not settled yet).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Default, ts_rs::TS)]
pub struct SalesOfDay {
    pub closed: u32,
    pub still_open: Option<i64>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, ts_rs::TS)]
pub struct Report {
    pub date: String,
    pub time_zone: String,
    pub branch: String,
    pub terminal: String,
    pub matched: Vec<ServiceRow>,
    pub service_only: Vec<ServiceRow>,
    pub local_only: Vec<LocalRow>,
    pub totals: Totals,
    pub findings: Vec<Finding>,
    /// Intents this report sent to the review inbox.
    pub opened_reviews: Vec<String>,
    pub sales: SalesOfDay,
}

fn created_ms(t: &Transaction) -> Result<i64, LookupError> {
    t.created_at.parse::<jiff::Timestamp>().map(|ts| ts.as_millisecond()).map_err(|_| {
        LookupError::BadReply(format!("transaction {} has no readable created_at ({:?})", t.id, t.created_at))
    })
}

/// Builds the report of `date` (YYYY-MM-DD, the store's day) for `branch`, from this
/// terminal's (`terminal`) point of view. Intents the service shows redeemed but this
/// terminal does not hold as redeemed are sent to review (once).
pub async fn build(
    store: &Store,
    api: &ApiClient,
    zone: &StoreZone,
    date: &str,
    branch: &str,
    terminal: &str,
) -> Result<Report, ReportError> {
    let start_ms = zone.day_start_ms(date)?;
    let end_ms = zone.day_end_ms(date)?;
    const DAY: i64 = 86_400_000;

    let mut report = Report {
        date: date.to_string(),
        time_zone: zone.name().unwrap_or_else(|| "system".into()),
        branch: branch.to_string(),
        terminal: terminal.to_string(),
        matched: vec![],
        service_only: vec![],
        local_only: vec![],
        totals: Totals::default(),
        findings: vec![],
        opened_reviews: vec![],
        sales: SalesOfDay {
            closed: store.sales_closed_between(start_ms, end_ms)?,
            still_open: store.open_sale()?.map(|s| s.number),
        },
    };
    // This terminal's intents that the service lists anywhere in the range read (not
    // only the day): a redemption just past midnight is not "missing at the service".
    let mut ours: HashMap<String, Intent> = HashMap::new();

    // The service's dates are UTC; ask a day either side of the store's day.
    let (from, to) = (utc_date(start_ms - DAY), utc_date(end_ms + DAY));
    let mut pages = api.pages(&from, &to, 100_000);
    while let Some(data) = pages.next().await? {
        let wanted: Vec<&str> = data
            .iter()
            .filter_map(|t| metadata_field(&t.metadata, "intent_ID"))
            .filter(|id| !ours.contains_key(*id))
            .collect();
        for i in intents_by_id(store, &wanted)? {
            ours.insert(i.id.clone(), i);
        }
        for t in &data {
            if metadata_field(&t.metadata, "branch_code") != Some(branch) {
                continue;
            }
            let at = created_ms(t)?;
            if at < start_ms || at >= end_ms {
                continue;
            }
            let intent_id = metadata_field(&t.metadata, "intent_ID").map(str::to_string);
            let row = ServiceRow {
                transaction_id: t.id.clone(),
                value: t.value,
                created_at: zone.rfc3339(at),
                terminal: metadata_field(&t.metadata, "pos_ID").unwrap_or("").to_string(),
                cashier: metadata_field(&t.metadata, "cashier_ID").unwrap_or("").to_string(),
                campaign_id: t.campaign_id.clone(),
                intent_id: intent_id.clone(),
                this_terminal: false,
            };
            tally(&mut report.totals, &row, t.bank_statement_id.as_deref());
            let (side, finding) = match_transaction(row, intent_id.as_deref().and_then(|id| ours.get(id)), terminal);
            report.findings.extend(finding);
            match side {
                Side::Matched(row) => report.matched.push(row),
                Side::ServiceOnly(row) => report.service_only.push(row),
            }
        }
    }

    // This terminal's day that the service does not show.
    let now = store.now_ms();
    let mut day_local = unlisted_local_day(store, start_ms, end_ms, &ours)?;
    day_local.sort_by(|a, b| (a.created_at, &a.id).cmp(&(b.created_at, &b.id)));
    for i in day_local {
        let finding = not_at_service(&i, date);
        report.local_only.push(LocalRow {
            intent_id: i.id.clone(),
            state: i.state,
            value: i.value_cents,
            transaction_id: i.transaction_id.clone(),
            created_at: zone.rfc3339(i.created_at),
            age_s: (now - i.created_at).max(0) / 1000,
            finding: finding.is_some(),
        });
        report.findings.extend(finding);
    }

    // A lost redemption goes to the manager's inbox, once.
    let lost: Vec<(String, String)> = report
        .findings
        .iter()
        .filter(|f| f.kind == FindingKind::LostTrack)
        .filter_map(|f| Some((f.intent_id.clone()?, f.transaction_id.clone()?)))
        .collect();
    for (id, tx) in lost {
        if let Some(i) = ours.get(&id) {
            if needs_a_person(i.state) {
                let detail = format!("transaction {tx}");
                let reason = crate::service::sync::review_reason(ReviewCause::FoundAtService, i, &detail);
                let note = format!("end-of-day report for {date}: the service lists transaction {tx}");
                let done =
                    store.transition(&id, i.state, IntentState::NeedsReview, "report", Some(&note), None, |row| {
                        row.review_cause = Some(ReviewCause::FoundAtService.as_str().to_string());
                        row.review_reason = Some(reason);
                    });
                match done {
                    Ok(_) => report.opened_reviews.push(id),
                    // Someone (the engine) moved it meanwhile: the next report sees it again.
                    Err(StoreError::StateChanged { .. }) => {}
                    Err(e) => return Err(e.into()),
                }
            }
        }
    }
    Ok(report)
}

/// This terminal's own record of a store's day, read from its database alone: what
/// the manager can still count when the service's list cannot be read. It is not
/// the end of day: the branch's redemptions, other terminals' and any this terminal
/// lost track of are only in the service's list, which stays the record.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, ts_rs::TS)]
pub struct OwnTally {
    pub date: String,
    /// Redeemed that day (by when the service confirmed them), in all and by cashier.
    pub redeemed: Tally,
    pub by_cashier: BTreeMap<String, Tally>,
    /// Scanned that day and not settled yet: waiting for the service, or in review.
    pub waiting: u64,
    pub in_review: u64,
    pub sales_closed: u32,
}

/// [`OwnTally`] of `date` (YYYY-MM-DD, the store's day).
pub fn own_tally(store: &Store, zone: &StoreZone, date: &str) -> Result<OwnTally, ReportError> {
    let (start_ms, end_ms) = (zone.day_start_ms(date)?, zone.day_end_ms(date)?);
    let mut tally = OwnTally {
        date: date.to_string(),
        sales_closed: store.sales_closed_between(start_ms, end_ms)?,
        ..Default::default()
    };
    for i in unlisted_local_day(store, start_ms, end_ms, &HashMap::new())? {
        match i.state {
            IntentState::Redeemed => {
                let value = i.value_cents.unwrap_or(0);
                tally.redeemed.add(value);
                tally.by_cashier.entry(i.cashier_id.clone()).or_default().add(value);
            }
            IntentState::NeedsReview => tally.in_review += 1,
            _ => tally.waiting += 1,
        }
    }
    Ok(tally)
}

/// This terminal's intents among `ids`, each found by its primary key (an id that is
/// not this terminal's is simply not found). One read of the store per page.
fn intents_by_id(store: &Store, ids: &[&str]) -> Result<Vec<Intent>, StoreError> {
    if ids.is_empty() {
        return Ok(vec![]);
    }
    store.read(|c| {
        let mut st = c.prepare_cached(&format!("SELECT {COLS} FROM intents WHERE id = ?1"))?;
        let mut found = Vec::new();
        for id in ids {
            if let Some(i) = st.query_row([*id], intent_from_row).optional()? {
                found.push(i);
            }
        }
        Ok(found)
    })
}

/// The store's day as this terminal recorded it, less what the service lists
/// (`listed`): intents whose redemption it recorded in `[start_ms, end_ms)`, and
/// intents still waiting for an outcome whose Redeem was pressed then (scanned
/// then, for one with no press recorded). Scan times bound nothing: a redemption
/// can come days after its scan.
fn unlisted_local_day(
    store: &Store,
    start_ms: i64,
    end_ms: i64,
    listed: &HashMap<String, Intent>,
) -> Result<Vec<Intent>, StoreError> {
    store.read(|c| {
        let mut out = Vec::new();
        let redeemed = format!(
            "SELECT {COLS} FROM intents WHERE state = 'redeemed' AND id IN
                 (SELECT intent_id FROM transitions WHERE to_state = 'redeemed' AND at >= ?1 AND at < ?2)"
        );
        let waiting = format!(
            "SELECT {COLS} FROM intents WHERE state IN ('queued', 'in_flight', 'unknown', 'needs_review')
                 AND COALESCE(queued_at, created_at) >= ?1 AND COALESCE(queued_at, created_at) < ?2"
        );
        for sql in [redeemed, waiting] {
            let mut st = c.prepare_cached(&sql)?;
            for i in st.query_map([start_ms, end_ms], intent_from_row)? {
                let i = i?;
                if !listed.contains_key(&i.id) {
                    out.push(i);
                }
            }
        }
        Ok(out)
    })
}

fn tally(t: &mut Totals, row: &ServiceRow, statement: Option<&str>) {
    t.value += row.value;
    t.count += 1;
    t.by_terminal.entry(row.terminal.clone()).or_default().add(row.value);
    t.by_cashier.entry(row.cashier.clone()).or_default().add(row.value);
    t.by_campaign.entry(row.campaign_id.clone()).or_default().add(row.value);
    if let Some(s) = statement.filter(|s| !s.is_empty()) {
        t.by_bank_statement.entry(s.to_string()).or_default().add(row.value);
    }
}

/// Which list a transaction of the branch goes to.
#[derive(Debug, PartialEq)]
pub enum Side {
    Matched(ServiceRow),
    ServiceOnly(ServiceRow),
}

/// The report's matching, pure: one of the branch's transactions (`row`) against
/// this terminal's intent of the same `intent_ID`, if it holds one. Redeemed here
/// too: matched (a finding if the transaction or the value differ). Held in another
/// state, or not held though the transaction names this terminal: the terminal lost
/// track of a redemption. Anything else is another terminal's.
pub fn match_transaction(mut row: ServiceRow, local: Option<&Intent>, terminal: &str) -> (Side, Option<Finding>) {
    match local {
        Some(i) if i.state == IntentState::Redeemed => {
            let agree =
                i.transaction_id.as_deref() == Some(row.transaction_id.as_str()) && i.value_cents == Some(row.value);
            let finding = (!agree).then(|| Finding {
                kind: FindingKind::Mismatch,
                intent_id: Some(i.id.clone()),
                transaction_id: Some(row.transaction_id.clone()),
                message: format!(
                    "This terminal holds transaction {} worth {} cents; the service lists {} worth {} cents.",
                    i.transaction_id.as_deref().unwrap_or("?"),
                    i.value_cents.unwrap_or(0),
                    row.transaction_id,
                    row.value
                ),
            });
            (Side::Matched(row), finding)
        }
        Some(i) => {
            row.this_terminal = true;
            let finding = Finding {
                kind: FindingKind::LostTrack,
                intent_id: Some(i.id.clone()),
                transaction_id: Some(row.transaction_id.clone()),
                message: format!(
                    "The service redeemed intent {} (transaction {}, {} cents), but this terminal holds it as {}.",
                    i.id, row.transaction_id, row.value, i.state
                ),
            };
            (Side::ServiceOnly(row), Some(finding))
        }
        None if row.terminal == terminal => {
            row.this_terminal = true;
            let finding = Finding {
                kind: FindingKind::LostTrack,
                intent_id: row.intent_id.clone(),
                transaction_id: Some(row.transaction_id.clone()),
                message: format!(
                    "The service lists transaction {} ({} cents) by this terminal for intent {}, which this terminal's database does not hold (a restored or replaced database?).",
                    row.transaction_id,
                    row.value,
                    row.intent_id.as_deref().unwrap_or("?")
                ),
            };
            (Side::ServiceOnly(row), Some(finding))
        }
        None => (Side::ServiceOnly(row), None),
    }
}

/// One of this terminal's intents of the day that the service does not list: a
/// finding only if it is redeemed here (the others may still be on their way).
pub fn not_at_service(i: &Intent, date: &str) -> Option<Finding> {
    (i.state == IntentState::Redeemed).then(|| Finding {
        kind: FindingKind::NotAtService,
        intent_id: Some(i.id.clone()),
        transaction_id: i.transaction_id.clone(),
        message: format!(
            "Redeemed on this terminal (transaction {}), but the service lists no such redemption for the branch around {date}.",
            i.transaction_id.as_deref().unwrap_or("?")
        ),
    })
}

/// Whether a lost redemption, held in `state`, goes to the manager's review. Queued,
/// in-flight and unknown intents are the engine's: a resend meets the saved answer,
/// or a lookup finds this same transaction. Scanned, refused and cancelled ones would
/// stay wrong without a person; one in review is already a person's.
pub fn needs_a_person(state: IntentState) -> bool {
    matches!(state, IntentState::Scanned | IntentState::Refused | IntentState::Cancelled)
}

/// The report as CSV: one line per transaction or local intent, then the totals.
pub fn to_csv(r: &Report) -> String {
    use crate::records::redemption_log::csv_field;
    let mut out = String::from(
        "list,transaction_id,intent_id,terminal,cashier,campaign_id,value_cents,created_at,state,finding\n",
    );
    let mut line = |fields: [&str; 10]| {
        out.push_str(&fields.iter().map(|f| csv_field(f)).collect::<Vec<_>>().join(","));
        out.push('\n');
    };
    for (list, rows) in [("matched", &r.matched), ("service_only", &r.service_only)] {
        for s in rows {
            let v = s.value.to_string();
            line([
                list,
                &s.transaction_id,
                s.intent_id.as_deref().unwrap_or(""),
                &s.terminal,
                &s.cashier,
                &s.campaign_id,
                &v,
                &s.created_at,
                "",
                if s.this_terminal { "yes" } else { "" },
            ]);
        }
    }
    for l in &r.local_only {
        let v = l.value.map(|v| v.to_string()).unwrap_or_default();
        line([
            "local_only",
            l.transaction_id.as_deref().unwrap_or(""),
            &l.intent_id,
            &r.terminal,
            "",
            "",
            &v,
            &l.created_at,
            l.state.as_str(),
            if l.finding { "yes" } else { "" },
        ]);
    }
    let (v, c) = (r.totals.value.to_string(), r.totals.count.to_string());
    line(["total", "", "", "", "", "", &v, "", &c, ""]);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn row(tx: &str, value: i64, terminal: &str, intent: Option<&str>) -> ServiceRow {
        ServiceRow {
            transaction_id: tx.into(),
            value,
            created_at: String::new(),
            terminal: terminal.into(),
            cashier: "c1".into(),
            campaign_id: "camp".into(),
            intent_id: intent.map(str::to_string),
            this_terminal: false,
        }
    }

    fn intent(state: IntentState, tx: Option<&str>, value: Option<i64>) -> Intent {
        Intent {
            id: "i1".into(),
            state,
            transaction_id: tx.map(str::to_string),
            value_cents: value,
            ..Default::default()
        }
    }

    /// Issue 21: the matching, table-tested like the verdict. Each row: the
    /// transaction's terminal, what this terminal holds, where the row goes, and the
    /// finding it makes.
    #[test]
    fn each_transaction_goes_to_one_list_with_the_finding_it_makes() {
        use IntentState::*;
        let matched = |s: &Side| matches!(s, Side::Matched(_));
        #[rustfmt::skip]
        #[allow(clippy::type_complexity)] // a table's row, read once just below
        let table: Vec<(&str, &str, Option<Intent>, bool, Option<FindingKind>)> = vec![
            // name                          terminal  held here                                        matched  finding
            ("both agree",                   "T1", Some(intent(Redeemed, Some("tx1"), Some(500))), true,  None),
            ("another transaction",          "T1", Some(intent(Redeemed, Some("tx9"), Some(500))), true,  Some(FindingKind::Mismatch)),
            ("another value",                "T1", Some(intent(Redeemed, Some("tx1"), Some(400))), true,  Some(FindingKind::Mismatch)),
            ("held as only scanned",         "T1", Some(intent(Scanned, None, None)),              false, Some(FindingKind::LostTrack)),
            ("held as refused",              "T1", Some(intent(Refused, None, None)),              false, Some(FindingKind::LostTrack)),
            ("held as unknown",              "T1", Some(intent(Unknown, None, None)),              false, Some(FindingKind::LostTrack)),
            ("not held, names us",           "T1", None,                                           false, Some(FindingKind::LostTrack)),
            ("not held, another terminal's", "T2", None,                                           false, None),
        ];
        for (name, terminal, local, to_matched, finding) in table {
            let (side, found) = match_transaction(row("tx1", 500, terminal, Some("i1")), local.as_ref(), "T1");
            assert_eq!(matched(&side), to_matched, "{name}");
            assert_eq!(found.as_ref().map(|f| f.kind.clone()), finding, "{name}");
            if let Side::ServiceOnly(r) = &side {
                assert_eq!(
                    r.this_terminal,
                    finding.is_some(),
                    "{name}: a service-only row names us only with a finding"
                );
            }
        }
    }

    #[test]
    fn only_a_redemption_missing_at_the_service_is_a_finding_and_only_stuck_states_go_to_a_person() {
        for state in [IntentState::Queued, IntentState::InFlight, IntentState::Unknown, IntentState::NeedsReview] {
            assert!(not_at_service(&intent(state, None, None), "2026-12-01").is_none(), "{state}");
            assert!(!needs_a_person(state), "{state}: the engine's, or already a person's");
        }
        let f = not_at_service(&intent(IntentState::Redeemed, Some("tx1"), Some(500)), "2026-12-01").unwrap();
        assert_eq!(f.kind, FindingKind::NotAtService);
        for state in [IntentState::Scanned, IntentState::Refused, IntentState::Cancelled] {
            assert!(needs_a_person(state), "{state}");
        }
    }
}
