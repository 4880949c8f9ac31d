//! The redemption log as store managers read and export it.
//!
//! Paging is by key (`created_at`, `id`), never by offset, so the hundredth page of a
//! million-row log costs what the first does. Exports are written for spreadsheets,
//! which execute cells starting with `=`, `+`, `-` or `@`: such cells are prefixed with
//! an apostrophe, because the service's messages and scanned codes are untrusted text.

use std::io::Write;
use std::path::Path;

use rusqlite::types::Value;
use serde::{Deserialize, Serialize};

use crate::domain::intent::{Intent, IntentState};
use crate::messages::Messages;
use crate::records::export::{write_export, ExportError};
use crate::store::{intent_from_row, Store, StoreError, COLS};

/// What the manager asked to see. Empty fields do not filter.
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize, Serialize, ts_rs::TS)]
#[serde(default)]
pub struct LogFilter {
    /// Created at or after (Unix ms).
    pub from_ms: Option<i64>,
    /// Created before (Unix ms).
    pub to_ms: Option<i64>,
    /// Created on or after this day (YYYY-MM-DD) in the store's time zone.
    pub from_date: Option<String>,
    /// Created on or before this day (YYYY-MM-DD) in the store's time zone.
    pub to_date: Option<String>,
    pub state: Option<IntentState>,
    pub cashier_id: Option<String>,
    /// A transaction id, a whole code, or part of a voucher id.
    pub search: Option<String>,
}

impl<'de> Deserialize<'de> for IntentState {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let s = String::deserialize(d)?;
        s.parse().map_err(serde::de::Error::custom)
    }
}

/// Where the next page starts.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize, Serialize, ts_rs::TS)]
pub struct LogCursor {
    pub created_at: i64,
    pub id: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, ts_rs::TS)]
pub struct LogPage {
    pub rows: Vec<Intent>,
    pub next: Option<LogCursor>,
}

impl LogFilter {
    /// The filter with its days turned into instants in the store's zone: a day is
    /// the store's day, not UTC's nor the reader's.
    pub fn in_zone(
        &self,
        zone: &crate::platform::clock::StoreZone,
    ) -> Result<LogFilter, crate::platform::clock::ZoneError> {
        let mut f = self.clone();
        if let Some(d) = self.from_date.as_deref().filter(|d| !d.is_empty()) {
            f.from_ms = Some(zone.day_start_ms(d)?);
        }
        if let Some(d) = self.to_date.as_deref().filter(|d| !d.is_empty()) {
            f.to_ms = Some(zone.day_end_ms(d)?);
        }
        Ok(f)
    }
}

fn where_clause(f: &LogFilter, after: Option<&LogCursor>) -> (String, Vec<Value>) {
    let mut conds: Vec<String> = Vec::new();
    let mut args: Vec<Value> = Vec::new();
    if let Some(t) = f.from_ms {
        conds.push("created_at >= ?".into());
        args.push(t.into());
    }
    if let Some(t) = f.to_ms {
        conds.push("created_at < ?".into());
        args.push(t.into());
    }
    if let Some(s) = f.state {
        conds.push("state = ?".into());
        args.push(s.as_str().to_string().into());
    }
    if let Some(c) = f.cashier_id.as_ref().filter(|c| !c.is_empty()) {
        conds.push("cashier_id = ?".into());
        args.push(c.clone().into());
    }
    if let Some(q) = f.search.as_ref().map(|q| q.trim()).filter(|q| !q.is_empty()) {
        if q.starts_with("transaction_") {
            conds.push("transaction_id = ?".into());
            args.push(q.to_string().into());
        } else if q.starts_with("rsg") && q.contains(':') {
            conds.push("code = ?".into());
            args.push(q.to_string().into());
        } else {
            conds.push("(instr(code, ?) > 0 OR id = ?)".into());
            args.push(q.to_string().into());
            args.push(q.to_string().into());
        }
    }
    if let Some(c) = after {
        conds.push("(created_at, id) < (?, ?)".into());
        args.push(c.created_at.into());
        args.push(c.id.clone().into());
    }
    let sql = if conds.is_empty() { String::new() } else { format!("WHERE {}", conds.join(" AND ")) };
    (sql, args)
}

/// One page of the log, newest first.
pub fn page(store: &Store, filter: &LogFilter, after: Option<&LogCursor>, limit: usize) -> Result<LogPage, StoreError> {
    let limit = limit.clamp(1, 1000);
    let (cond, args) = where_clause(filter, after);
    let sql = format!("SELECT {COLS} FROM intents {cond} ORDER BY created_at DESC, id DESC LIMIT {}", limit + 1);
    let mut rows = store.read(|c| {
        let mut st = c.prepare_cached(&sql)?;
        let rows = st.query_map(rusqlite::params_from_iter(args.iter()), intent_from_row)?;
        rows.collect::<Result<Vec<_>, _>>()
    })?;
    let next = if rows.len() > limit {
        rows.truncate(limit);
        rows.last().map(|i| LogCursor { created_at: i.created_at, id: i.id.clone() })
    } else {
        None
    };
    Ok(LogPage { rows, next })
}

/// SQLite's plan for [`page`]'s query, one line per step: tests use it to prove the
/// log never sorts or scans the whole table, whatever its size.
pub fn query_plan(store: &Store, filter: &LogFilter, after: Option<&LogCursor>) -> Result<Vec<String>, StoreError> {
    let (cond, args) = where_clause(filter, after);
    let sql =
        format!("EXPLAIN QUERY PLAN SELECT {COLS} FROM intents {cond} ORDER BY created_at DESC, id DESC LIMIT 51");
    store.read(|c| {
        let mut st = c.prepare(&sql)?;
        let rows = st.query_map(rusqlite::params_from_iter(args.iter()), |r| r.get::<_, String>(3))?;
        rows.collect()
    })
}

/// Intents waiting for a manager, oldest first.
pub fn review_inbox(store: &Store) -> Result<Vec<Intent>, StoreError> {
    store.read(|c| {
        let mut st = c.prepare_cached(&format!(
            "SELECT {COLS} FROM intents WHERE state = 'needs_review' ORDER BY created_at, id"
        ))?;
        let rows = st.query_map([], intent_from_row)?;
        rows.collect()
    })
}

/// One voucher in the review inbox as a manager reads it: when, how much, why,
/// and what the terminal has to go on, in words and one date format (the store's
/// zone, day/month/year), decided here so that the page only shows them.
#[derive(Debug, Clone, PartialEq, Serialize, ts_rs::TS)]
pub struct ReviewItem {
    pub intent: Intent,
    /// When it was scanned, and when it went to review.
    pub scanned: String,
    pub since: String,
    /// The voucher's value as the service gave it, or why it is not known.
    pub value: String,
    /// Why a person must settle it.
    pub cause: String,
    /// The terminal's evidence: its requests and lookups, newest last.
    pub evidence: Vec<String>,
    /// The service's own words about it, unchanged (RSG asks for them verbatim).
    pub service_said: Option<String>,
}

/// Why an intent waits for a manager, in words.
pub fn cause_in_words(i: &Intent, m: &Messages) -> String {
    use crate::service::verdict::ReviewCause::*;
    let id = match i.review_cause.as_deref().and_then(crate::service::verdict::ReviewCause::parse) {
        Some(KeyReused) => "cause-key-reused",
        Some(LookupFailed) => "cause-lookup-failed",
        Some(AcceptedThenRefused) => "cause-accepted-then-refused",
        Some(RedeemedAfterDecline) => "cause-redeemed-after-decline",
        Some(DeclinedNotFound) => "cause-declined-not-found",
        Some(ServiceChanged) => "cause-service-changed",
        Some(FoundAtService) => "cause-found-at-service",
        // A reason written by an earlier version (or a manager's note): as written.
        None => return i.review_reason.clone().unwrap_or_else(|| m.text("cause-none")),
    };
    m.text(id)
}

/// An attempt's outcome (its stable code in the attempt log) in words.
fn outcome_in_words(code: &str, m: &Messages) -> String {
    let id = match code {
        "redeemed" => "outcome-redeemed",
        "refused" => "outcome-refused",
        "in_progress" => "outcome-in-progress",
        "key_reused" => "outcome-key-reused",
        "rate_limited" => "outcome-rate-limited",
        "unauthorized" => "outcome-unauthorized",
        "not_sent" => "outcome-not-sent",
        "server_error" => "outcome-server-error",
        "interrupted" => "outcome-interrupted",
        "found" => "outcome-found",
        "not_found" => "outcome-not-found",
        "lookup_unreachable" => "outcome-lookup-unreachable",
        "lookup_timeout" => "outcome-lookup-timeout",
        "lookup_status" => "outcome-lookup-status",
        "lookup_bad_reply" => "outcome-lookup-bad-reply",
        // `outcome_unknown`, and a code a later version wrote.
        _ => "outcome-unknown",
    };
    m.text(id)
}

/// The review inbox with every item in words, in `m`'s language.
pub fn review_items(
    store: &Store,
    zone: &crate::platform::clock::StoreZone,
    currency: &crate::checkout::sale::Currency,
    m: &Messages,
) -> Result<Vec<ReviewItem>, StoreError> {
    review_inbox(store)?
        .into_iter()
        .map(|i| {
            let attempts = store.attempts(&i.id)?;
            let evidence: Vec<String> = attempts
                .iter()
                .map(|a| {
                    let what = match (a.kind.as_str(), a.outcome.as_str()) {
                        ("lookup", _) => "evidence-lookup",
                        ("interrupted", _) => "evidence-interrupted",
                        (_, "not_sent") => "evidence-not-sent",
                        _ => "evidence-sent",
                    };
                    let status = a.http_status.map_or_else(
                        || m.text("evidence-no-answer"),
                        |s| m.format("evidence-http", &[("status", i64::from(s).into())]),
                    );
                    let outcome = outcome_in_words(&a.outcome, m);
                    m.format(
                        what,
                        &[
                            ("at", zone.human(a.started_at).into()),
                            ("outcome", outcome.into()),
                            ("status", status.into()),
                        ],
                    )
                })
                .collect();
            Ok(ReviewItem {
                service_said: i.error_message.clone(),
                scanned: zone.human(i.created_at),
                since: zone.human(i.updated_at),
                value: i.value_cents.map_or_else(|| m.text("review-value-unknown"), |c| currency.format(c)),
                cause: cause_in_words(&i, m),
                evidence,
                intent: i,
            })
        })
        .collect()
}

pub const CSV_HEADER: &[&str] = &[
    "created_at",
    "intent_id",
    "state",
    "cashier_id",
    "terminal_id",
    "branch_code",
    "receipt_number",
    "code",
    "voucher_count",
    "value_cents",
    "transaction_id",
    "campaign",
    "error_code",
    "error_message",
    "accepted_offline",
    "loss",
    "attempts",
    "review_reason",
];

/// One CSV field, quoted when needed and defused for spreadsheets.
pub fn csv_field(raw: &str) -> String {
    let defused = if raw.starts_with(['=', '+', '-', '@', '\t', '\r']) { format!("'{raw}") } else { raw.to_string() };
    if defused.contains([',', '"', '\n', '\r']) {
        format!("\"{}\"", defused.replace('"', "\"\""))
    } else {
        defused
    }
}

fn csv_row(i: &Intent, zone: &crate::platform::clock::StoreZone) -> String {
    let opt = |v: &Option<String>| v.clone().unwrap_or_default();
    let fields = [
        zone.rfc3339(i.created_at),
        i.id.clone(),
        i.state.as_str().to_string(),
        i.cashier_id.clone(),
        i.terminal_id.clone(),
        i.branch_code.clone(),
        i.receipt_number.clone(),
        i.code.clone(),
        i.voucher_count.to_string(),
        i.value_cents.map(|v| v.to_string()).unwrap_or_default(),
        opt(&i.transaction_id),
        opt(&i.campaign_name),
        opt(&i.error_code),
        opt(&i.error_message),
        i.accepted_offline.to_string(),
        i.loss.to_string(),
        i.attempt_count.to_string(),
        opt(&i.review_reason),
    ];
    fields.iter().map(|f| csv_field(f)).collect::<Vec<_>>().join(",")
}

/// `rows` as CSV lines, times in the store's zone.
fn write_rows(out: &mut impl Write, rows: &[Intent], zone: &crate::platform::clock::StoreZone) -> std::io::Result<()> {
    for i in rows {
        writeln!(out, "{}", csv_row(i, zone))?;
    }
    Ok(())
}

/// The CSV of `rows`, header first, in the export's format: the retention archive.
pub(crate) fn write_csv(
    out: &mut impl Write,
    rows: &[Intent],
    zone: &crate::platform::clock::StoreZone,
) -> std::io::Result<()> {
    writeln!(out, "{}", CSV_HEADER.join(","))?;
    write_rows(out, rows, zone)
}

/// Writes every row matching `filter` as CSV; returns how many rows.
/// Times are written in the store's zone with their UTC offset.
pub fn export_csv(store: &Store, filter: &LogFilter, mut out: impl Write) -> Result<usize, StoreError> {
    let zone = crate::checkout::settings::TerminalSettings::load(store)?.zone();
    writeln!(out, "{}", CSV_HEADER.join(","))?;
    let mut after = None;
    let mut n = 0;
    loop {
        let p = page(store, filter, after.as_ref(), 1000)?;
        write_rows(&mut out, &p.rows, &zone)?;
        n += p.rows.len();
        match p.next {
            Some(c) => after = Some(c),
            None => break,
        }
    }
    out.flush()?;
    Ok(n)
}

/// Exports to a file a manager chose: never inside `data_dir` (the live database and
/// the secrets file live there), readable by the owner only (it holds full voucher
/// codes), and written to a temporary file renamed into place, so that a failure
/// leaves the old file or none, never half an export.
pub fn export_to_file(store: &Store, filter: &LogFilter, dest: &Path, data_dir: &Path) -> Result<usize, ExportError> {
    write_export(dest, data_dir, |out| {
        export_csv(store, filter, out).map_err(|e| match e {
            StoreError::Io(e) => ExportError::io(dest, e),
            e => ExportError::Store(e),
        })
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn csv_fields_are_quoted_and_formulas_defused() {
        assert_eq!(csv_field("plain"), "plain");
        assert_eq!(csv_field("a,b"), "\"a,b\"");
        assert_eq!(csv_field("say \"hi\""), "\"say \"\"hi\"\"\"");
        assert_eq!(csv_field("=HYPERLINK(\"x\")"), "\"'=HYPERLINK(\"\"x\"\")\"");
        assert_eq!(csv_field("-5"), "'-5");
        assert_eq!(csv_field("line\nbreak"), "\"line\nbreak\"");
    }
}
