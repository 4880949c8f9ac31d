//! Retention (issue 14, item 9): final intents past the store's retention leave the
//! database only through an archive the manager chose, written before they go; all
//! else stays, and the schema itself refuses any other removal. Time is a
//! `ManualClock`: intents are made 500 days ago, then the clock moves to today.

mod common;

use voucher_pos::app::retention::archive;
use voucher_pos::domain::intent::IntentState;
use voucher_pos::platform::clock::{Clock, ManualClock};
use voucher_pos::store::Store;

const DAY: i64 = 86_400_000;
const TODAY: i64 = 1_800_000_000_000;

/// An intent scanned and taken to `state` at the clock's current time.
fn intent_in(store: &Store, code: &str, state: IntentState) -> String {
    let code = voucher_pos::domain::voucher::parse(code).unwrap();
    let id = store.scan(&code, &common::sale()).unwrap().intent().id.clone();
    let now = store.now_ms();
    let sent = |store: &Store| {
        store.commit_redeem(&id, "cashier:c042", false).unwrap();
        store.begin_send(&id, IntentState::Queued, now, None, "http://127.0.0.1:1", "fp").unwrap();
    };
    match state {
        IntentState::Scanned => {}
        IntentState::Queued => {
            store.commit_redeem(&id, "cashier:c042", false).unwrap();
        }
        IntentState::Cancelled => {
            store
                .transition(
                    &id,
                    IntentState::Scanned,
                    IntentState::Cancelled,
                    "cashier:c042",
                    Some("withdrawn"),
                    None,
                    |_| {},
                )
                .unwrap();
        }
        IntentState::Redeemed | IntentState::Refused | IntentState::Unknown | IntentState::NeedsReview => {
            sent(store);
            store
                .transition(&id, IntentState::InFlight, state, "sync", None, None, |i| {
                    if state == IntentState::Redeemed {
                        i.transaction_id = Some(format!("txn-{code}", code = i.code));
                    }
                    if state == IntentState::NeedsReview {
                        i.review_reason = Some("old and unsettled".into());
                    }
                })
                .unwrap();
        }
        other => panic!("not made here: {other:?}"),
    }
    assert_eq!(store.get(&id).unwrap().state, state);
    id
}

#[test]
fn final_intents_past_the_retention_are_archived_then_removed_and_nothing_else_is() {
    let dir = tempfile::tempdir().unwrap();
    let out = tempfile::tempdir().unwrap();
    let clock = ManualClock::new(TODAY - 500 * DAY);
    let store = Store::open(dir.path().join("terminal.db"), clock.clone()).unwrap();
    let old_redeemed = intent_in(&store, "rsg:v_old_redeemed", IntentState::Redeemed);
    let old_refused = intent_in(&store, "rsg:v_old_refused", IntentState::Refused);
    let old_cancelled = intent_in(&store, "rsg:v_old_cancelled", IntentState::Cancelled);
    let old_unknown = intent_in(&store, "rsg:v_old_unknown", IntentState::Unknown);
    let old_review = intent_in(&store, "rsg:v_old_review", IntentState::NeedsReview);
    let old_queued = intent_in(&store, "rsg:v_old_queued", IntentState::Queued);
    clock.advance_ms(490 * DAY);
    let young_redeemed = intent_in(&store, "rsg:v_young_redeemed", IntentState::Redeemed);
    clock.advance_ms(10 * DAY);
    // The schema refuses removals outside an archive, however old and final.
    let err =
        store.with_transaction(|tx| tx.execute("DELETE FROM intents WHERE id = ?1", [&old_redeemed])).unwrap_err();
    assert!(err.to_string().contains("never deleted"), "{err}");
    assert!(store.with_transaction(|tx| tx.execute("DELETE FROM transitions", [])).is_err(), "history is append-only");

    let dest = out.path().join("archive.csv");
    let done = archive(&store, 400, &dest, dir.path(), "manager").unwrap();
    assert_eq!(done.count, 3);
    assert_eq!(done.cutoff_ms, TODAY - 400 * DAY);
    let csv = std::fs::read_to_string(&dest).unwrap();
    let lines: Vec<&str> = csv.lines().collect();
    assert_eq!(lines.len(), 4, "a header and three intents:\n{csv}");
    for (id, code) in
        [(&old_redeemed, "v_old_redeemed"), (&old_refused, "v_old_refused"), (&old_cancelled, "v_old_cancelled")]
    {
        assert!(lines.iter().any(|l| l.contains(id.as_str()) && l.contains(code)), "{code} is in the archive:\n{csv}");
        assert!(store.get(id).is_err(), "{code} left the database");
        assert!(store.attempts(id).unwrap().is_empty() && store.history(id).unwrap().is_empty());
    }
    assert!(csv.contains("txn-rsg:v_old_redeemed"), "the archive keeps the transaction id");
    use std::os::unix::fs::PermissionsExt;
    assert_eq!(std::fs::metadata(&dest).unwrap().permissions().mode() & 0o777, 0o600);
    // Not final (whatever the age), or younger than the retention: all still there,
    // with their history.
    for id in [&old_unknown, &old_review, &old_queued, &young_redeemed] {
        let i = store.get(id).unwrap();
        assert!(!store.history(id).unwrap().is_empty(), "{:?} keeps its history", i.state);
    }
    // The removal is in the terminal's history.
    let last = voucher_pos::checkout::access::audit::recent(&store, 1).unwrap().remove(0);
    assert_eq!((last.actor.as_str(), last.event.as_str()), ("manager", "intents_archived"));
    assert!(last.detail.unwrap().starts_with("3 intents"));
    // Outside the archive run the rules are back: the young one cannot be removed.
    assert!(store.with_transaction(|tx| tx.execute("DELETE FROM intents WHERE id = ?1", [&young_redeemed])).is_err());
    // A second run finds nothing and writes nothing.
    let again = archive(&store, 400, &out.path().join("again.csv"), dir.path(), "manager").unwrap();
    assert_eq!((again.count, again.file), (0, None));
    assert!(!out.path().join("again.csv").exists());
}

#[test]
fn an_archive_that_cannot_be_written_removes_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let clock = ManualClock::new(TODAY - 500 * DAY);
    let store = Store::open(dir.path().join("terminal.db"), clock.clone()).unwrap();
    let old = intent_in(&store, "rsg:v_old1", IntentState::Redeemed);
    intent_in(&store, "rsg:v_old2", IntentState::Redeemed);
    clock.advance_ms(500 * DAY);
    intent_in(&store, "rsg:v_today", IntentState::Scanned);
    // Inside the data folder (refused by the export rules), and in a missing folder.
    for dest in [dir.path().join("archive.csv"), dir.path().join("no/such/folder/archive.csv")] {
        let err = archive(&store, 400, &dest, dir.path(), "manager").unwrap_err();
        assert!(err.code().as_str().starts_with("export"), "{}: {err}", err.code());
        assert!(store.get(&old).is_ok(), "nothing removed when the archive failed");
    }
}

#[test]
fn the_newest_intent_stays_even_when_it_is_old_and_final() {
    let dir = tempfile::tempdir().unwrap();
    let out = tempfile::tempdir().unwrap();
    let clock = ManualClock::new(TODAY - 500 * DAY);
    let store = Store::open(dir.path().join("terminal.db"), clock.clone()).unwrap();
    let first = intent_in(&store, "rsg:v_first", IntentState::Redeemed);
    let newest = intent_in(&store, "rsg:v_newest", IntentState::Redeemed);
    clock.advance_ms(500 * DAY);
    let done = archive(&store, 400, &out.path().join("a.csv"), dir.path(), "manager").unwrap();
    assert_eq!(done.count, 1);
    assert!(store.get(&first).is_err());
    assert!(store.get(&newest).is_ok(), "rowids are never reused while the largest one stays");
    // And a re-scan of the archived code is a new intent, not a confusion with the old.
    let rescan = store.scan(&voucher_pos::domain::voucher::parse("rsg:v_first").unwrap(), &common::sale()).unwrap();
    assert_ne!(&rescan.intent().id, &first);
}

#[test]
fn a_retention_shorter_than_a_quarter_is_refused() {
    let (dir, store) = common::fresh_store();
    let out = tempfile::tempdir().unwrap();
    let err = archive(&store, 30, &out.path().join("a.csv"), dir.path(), "manager").unwrap_err();
    assert_eq!(err.code(), "retention_too_short", "{err}");
}

/// The command a store's script runs: `voucher-pos archive --to FILE`.
#[test]
fn the_cli_archives_with_the_terminals_retention_and_says_how_many() {
    let dir = tempfile::tempdir().unwrap();
    let out = tempfile::tempdir().unwrap();
    let db = dir.path().join("terminal.db");
    {
        // Made 500 days ago, in this boot: the CLI runs on the real clocks, now.
        let clock = ManualClock::in_this_boot(voucher_pos::platform::clock::SystemClock.now_ms() - 500 * DAY);
        let store = Store::open(&db, clock).unwrap();
        intent_in(&store, "rsg:v_cli_old", IntentState::Redeemed);
        intent_in(&store, "rsg:v_cli_old2", IntentState::Refused);
    }
    let dest = out.path().join("archive.csv");
    let run = std::process::Command::new(env!("CARGO_BIN_EXE_voucher-pos"))
        .args(["--db", &db.display().to_string(), "archive", "--to", &dest.display().to_string()])
        .output()
        .unwrap();
    assert!(run.status.success(), "{}", String::from_utf8_lossy(&run.stderr));
    assert_eq!(String::from_utf8_lossy(&run.stdout).trim(), format!("archived 1 intent to {}", dest.display()));
    assert!(std::fs::read_to_string(&dest).unwrap().contains("v_cli_old"));
}

/// Issue 23: the age of an intent is judged on a clock nobody at the till can set.
/// Setting the date forward (here 500 days, with no time passing) archives nothing;
/// once the service's `Date` says the same as the wall clock, the terminal believes
/// it; time that really passes is always believed.
#[test]
fn setting_the_date_forward_archives_nothing_early() {
    let dir = tempfile::tempdir().unwrap();
    let out = tempfile::tempdir().unwrap();
    let clock = ManualClock::new(TODAY);
    let store = Store::open(dir.path().join("terminal.db"), clock.clone()).unwrap();
    let old = intent_in(&store, "rsg:v_dated1", IntentState::Redeemed);
    intent_in(&store, "rsg:v_dated2", IntentState::Redeemed);
    clock.jump_wall_ms(500 * DAY);
    let done = archive(&store, 400, &out.path().join("a.csv"), dir.path(), "manager").unwrap();
    assert_eq!(done.count, 0, "the wall clock alone moved 500 days");
    assert!(store.get(&old).is_ok());
    // Nor after a restart, nor after a reboot: the steady time resumes, it does not
    // start again from the wall clock.
    drop(store);
    clock.reboot();
    let store = Store::open(dir.path().join("terminal.db"), clock.clone()).unwrap();
    assert_eq!(archive(&store, 400, &out.path().join("b.csv"), dir.path(), "manager").unwrap().count, 0);
    // The service's clock agrees with the wall clock: that is believed.
    store.saw_service_time(clock.now_ms());
    assert_eq!(archive(&store, 400, &out.path().join("c.csv"), dir.path(), "manager").unwrap().count, 1);
    assert!(store.get(&old).is_err());
}

#[test]
fn time_that_really_passes_is_believed_across_restarts_in_one_boot() {
    let dir = tempfile::tempdir().unwrap();
    let out = tempfile::tempdir().unwrap();
    let clock = ManualClock::new(TODAY);
    let store = Store::open(dir.path().join("terminal.db"), clock.clone()).unwrap();
    intent_in(&store, "rsg:v_aged1", IntentState::Redeemed);
    intent_in(&store, "rsg:v_aged2", IntentState::Redeemed);
    drop(store);
    clock.advance_ms(401 * DAY);
    let store = Store::open(dir.path().join("terminal.db"), clock.clone()).unwrap();
    assert_eq!(archive(&store, 400, &out.path().join("a.csv"), dir.path(), "manager").unwrap().count, 1);
}
