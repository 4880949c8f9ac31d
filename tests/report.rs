//! The end-of-day report (issue 13) with several terminals on one sandbox: each
//! terminal a real `voucher-pos` process on its own database, the report read from the
//! service's transactions list and matched against one terminal's log.

mod common;

use std::path::Path;
use std::process::{Command, Output};

use common::sandbox::{workspace_bin, Sandbox};
use serde_json::{json, Value};

fn pos(db: &Path, s: &Sandbox, terminal: &str, branch: &str, args: &[&str]) -> Output {
    Command::new(workspace_bin("voucher-pos"))
        .args([
            "--db",
            &db.display().to_string(),
            "--service",
            &s.url,
            "--terminal-id",
            terminal,
            "--branch",
            branch,
            "--cashier",
            "c7",
        ])
        .args(args)
        .env("VOUCHER_POS_API_KEY", "test_sandbox")
        .output()
        .expect("run voucher-pos")
}

fn stdout(o: &Output) -> String {
    String::from_utf8_lossy(&o.stdout).trim().to_string()
}

/// Scans and redeems one code on a terminal; returns the intent id.
async fn redeem(s: &Sandbox, db: &Path, terminal: &str, branch: &str, count: usize) -> String {
    let (qr, _) = s.vouchers(count, 500, "active").await;
    let id = stdout(&pos(db, s, terminal, branch, &["scan", &qr]));
    let out = pos(db, s, terminal, branch, &["redeem", &id, "--wait", "10s"]);
    assert!(stdout(&out).starts_with("redeemed"), "{}", stdout(&out));
    id
}

fn set_zone(db: &Path, zone: &str) {
    let store =
        voucher_pos::store::Store::open(db, std::sync::Arc::new(voucher_pos::platform::clock::SystemClock)).unwrap();
    let s = voucher_pos::checkout::settings::TerminalSettings {
        time_zone: Some(zone.into()),
        ..voucher_pos::checkout::settings::TerminalSettings::load(&store).unwrap()
    };
    s.save(&store).unwrap();
}

/// Today in `zone`, as the report takes it.
fn today_in(zone: &str) -> String {
    jiff::Timestamp::now().to_zoned(jiff::tz::TimeZone::get(zone).unwrap()).date().to_string()
}

fn report(db: &Path, s: &Sandbox, terminal: &str, branch: &str, date: &str) -> (Option<i32>, Value, String) {
    let out = pos(db, s, terminal, branch, &["report", "--date", date]);
    let v = serde_json::from_slice(&out.stdout).unwrap_or(Value::Null);
    (out.status.code(), v, String::from_utf8_lossy(&out.stderr).to_string())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn three_terminals_one_loses_track_the_report_names_it_and_opens_its_review_and_totals_match_the_ledger() {
    let s = Sandbox::start(&[]);
    let dir = tempfile::tempdir().unwrap();
    let (a, b, c) = (dir.path().join("a.db"), dir.path().join("b.db"), dir.path().join("c.db"));
    for db in [&a, &b, &c] {
        set_zone(db, "Asia/Singapore");
    }
    let a1 = redeem(&s, &a, "T1", "B1", 1).await;
    let a2 = redeem(&s, &a, "T1", "B1", 2).await;
    let b1 = redeem(&s, &b, "T2", "B1", 3).await;
    let _c1 = redeem(&s, &c, "T3", "B9", 1).await; // another branch: not in B1's report

    // T1 scans a third code; its database is copied; the code is redeemed; then the
    // copy is restored, as after a disk failure: the service has the redemption,
    // T1 holds the intent as only scanned.
    let (qr, _) = s.vouchers(1, 500, "active").await;
    let lost = stdout(&pos(&a, &s, "T1", "B1", &["scan", &qr]));
    // The database as it is on disk: its main file and its write-ahead log (which
    // may hold the settings and the scan).
    let (wal, wal_copy) = (dir.path().join("a.db-wal"), dir.path().join("a.copy-wal"));
    std::fs::copy(&a, dir.path().join("a.copy")).unwrap();
    let had_wal = std::fs::copy(&wal, &wal_copy).is_ok();
    let out = pos(&a, &s, "T1", "B1", &["redeem", &lost, "--wait", "10s"]);
    assert!(stdout(&out).starts_with("redeemed"));
    for side in ["-wal", "-shm"] {
        let _ = std::fs::remove_file(format!("{}{side}", a.display()));
    }
    std::fs::copy(dir.path().join("a.copy"), &a).unwrap();
    if had_wal {
        std::fs::copy(&wal_copy, &wal).unwrap();
    }

    let date = today_in("Asia/Singapore");
    let (code, r, stderr) = report(&a, &s, "T1", "B1", &date);
    assert_eq!(code, Some(4), "findings exit 4: {stderr}");
    for key in
        ["date", "time_zone", "branch", "terminal", "matched", "service_only", "local_only", "totals", "findings"]
    {
        assert!(r.get(key).is_some(), "the report lacks {key}");
    }
    let ids = |list: &str| -> Vec<String> {
        r[list].as_array().unwrap().iter().map(|x| x["intent_id"].as_str().unwrap_or("").to_string()).collect()
    };
    assert_eq!(ids("matched").len(), 2);
    assert!(ids("matched").contains(&a1) && ids("matched").contains(&a2));
    let service_only = r["service_only"].as_array().unwrap();
    let of_b: Vec<&Value> = service_only.iter().filter(|x| x["intent_id"] == json!(b1)).collect();
    assert_eq!(of_b.len(), 1);
    assert_eq!((of_b[0]["terminal"].as_str(), of_b[0]["this_terminal"].as_bool()), (Some("T2"), Some(false)));
    let findings = r["findings"].as_array().unwrap();
    assert_eq!(findings.len(), 1, "{findings:?}");
    assert_eq!(
        (findings[0]["kind"].as_str(), findings[0]["intent_id"].as_str()),
        (Some("lost_track"), Some(lost.as_str()))
    );
    assert_eq!(r["opened_reviews"], json!([lost]));
    // The day's sales, from this terminal's records: its scans are in one sale, open.
    assert_eq!(r["sales"], json!({"closed": 0, "still_open": 1}));
    let show: Value = serde_json::from_slice(&pos(&a, &s, "T1", "B1", &["show", &lost]).stdout).unwrap();
    assert_eq!(show["intent"]["state"], "needs_review");
    assert_eq!(show["intent"]["review_cause"], "found_at_service");

    // Totals add up to the sandbox's ledger for the branch.
    let ledger = s.ledger().await;
    let b1_rows: Vec<&Value> =
        ledger.iter().filter(|x| x["metadata"].as_str().unwrap().starts_with("branch_code:B1,")).collect();
    let ledger_value: i64 = b1_rows.iter().map(|x| x["value"].as_i64().unwrap()).sum();
    assert_eq!(r["totals"]["value"].as_i64(), Some(ledger_value));
    assert_eq!(r["totals"]["count"].as_u64(), Some(b1_rows.len() as u64));
    assert_eq!(r["totals"]["by_terminal"]["T1"]["value"], json!((1 + 2 + 1) * 500));
    assert_eq!(r["totals"]["by_terminal"]["T2"]["value"], json!(3 * 500));
    assert_eq!(r["totals"]["by_cashier"]["c7"]["count"], json!(4));
    assert!(r["totals"]["by_terminal"].get("T3").is_none(), "another branch's terminal");

    // A second report opens nothing new; T2's own day is clean, T1's rows service-only.
    let (_, again, _) = report(&a, &s, "T1", "B1", &date);
    assert_eq!(again["opened_reviews"], json!([]));
    let (code, rb, stderr) = report(&b, &s, "T2", "B1", &date);
    assert_eq!(code, Some(0), "a clean day exits 0: {stderr}");
    assert_eq!(rb["findings"], json!([]));
    assert_eq!(rb["service_only"].as_array().unwrap().iter().filter(|x| x["terminal"] == "T1").count(), 3);
    // CSV too.
    let csv = stdout(&pos(&b, &s, "T2", "B1", &["report", "--date", &date, "--format", "csv"]));
    assert!(csv.lines().any(|l| l.starts_with("total,") && l.contains(&ledger_value.to_string())), "{csv}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_redemption_belongs_to_the_stores_day_not_the_utc_day() {
    let s = Sandbox::start(&[]);
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("t.db");
    // A zone whose date differs from UTC's right now: Kiritimati is UTC+14,
    // Pago Pago UTC-11.
    let utc_hour = jiff::Timestamp::now().to_zoned(jiff::tz::TimeZone::UTC).hour();
    let zone = if utc_hour < 10 { "Pacific/Pago_Pago" } else { "Pacific/Kiritimati" };
    set_zone(&db, zone);
    redeem(&s, &db, "T1", "B1", 1).await;
    let local = today_in(zone);
    let utc = today_in("UTC");
    assert_ne!(local, utc);
    let (code, r, stderr) = report(&db, &s, "T1", "B1", &local);
    assert_eq!(code, Some(0), "{stderr}");
    assert_eq!(r["totals"]["count"], json!(1), "the store's day holds it");
    assert_eq!(r["time_zone"], json!(zone));
    let (_, r, _) = report(&db, &s, "T1", "B1", &utc);
    assert_eq!(r["totals"]["count"], json!(0), "the UTC date is another store day");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_transactions_list_that_fails_concludes_nothing_and_exits_1() {
    let s = Sandbox::start(&[]);
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("t.db");
    redeem(&s, &db, "T1", "B1", 1).await;
    s.faults(json!({"transactions_error_rate": 1.0})).await;
    let (code, r, stderr) = report(&db, &s, "T1", "B1", &today_in("UTC"));
    assert_eq!(code, Some(1));
    assert_eq!(r, Value::Null, "no half report");
    assert!(stderr.contains("nothing is concluded"), "{stderr}");
}

/// A voucher scanned days before it is pressed (a queue that waited, a sale left open)
/// is redeemed today: today's report matches it by its intent id, however old its
/// scan, and the scan's day shows nothing of it, since nothing was redeemed then.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_intent_redeemed_days_after_its_scan_matches_with_no_finding() {
    let s = Sandbox::start(&[]);
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("t.db");
    let zone = "Asia/Singapore";
    set_zone(&db, zone);
    let (qr, _) = s.vouchers(1, 500, "active").await;
    // The scan, three days ago by the terminal's clock.
    let id = stdout(&pos(&db, &s, "T1", "B1", &["--clock-skew=-3d", "scan", &qr]));
    let out = pos(&db, &s, "T1", "B1", &["redeem", &id, "--wait", "10s"]);
    assert!(stdout(&out).starts_with("redeemed"), "{}", stdout(&out));

    let (code, r, stderr) = report(&db, &s, "T1", "B1", &today_in(zone));
    assert_eq!(code, Some(0), "no finding: {stderr}\n{r:#}");
    assert_eq!(r["findings"], json!([]));
    let matched = r["matched"].as_array().unwrap();
    assert_eq!(matched.len(), 1, "{r:#}");
    assert_eq!(matched[0]["intent_id"], json!(id));
    assert_eq!(r["service_only"], json!([]));
    assert_eq!(r["local_only"], json!([]));
    assert_eq!(r["opened_reviews"], json!([]));

    let three_days_ago = jiff::Timestamp::now() - jiff::SignedDuration::from_hours(72);
    let scan_day = three_days_ago.to_zoned(jiff::tz::TimeZone::get(zone).unwrap()).date().to_string();
    let (code, r, stderr) = report(&db, &s, "T1", "B1", &scan_day);
    assert_eq!(code, Some(0), "the scan's day has no finding: {stderr}\n{r:#}");
    assert_eq!((r["local_only"].clone(), r["totals"]["count"].clone()), (json!([]), json!(0)));
}
