//! Who may do what at a shared till (issue 11): the manager's PIN and its back-off,
//! the idle lock, cashiers' sign-in, the export's file rules and the modes of every
//! file the terminal writes. Time is a `ManualClock`, so the back-off and the idle
//! lock are exact, never slept for.

mod common;

use std::os::unix::fs::PermissionsExt;
use std::path::Path;
use std::process::Command;
use std::sync::Arc;

use voucher_pos::checkout::access::{audit, cashiers, pin::wait_after, Access};
use voucher_pos::checkout::settings::TerminalSettings;
use voucher_pos::platform::clock::ManualClock;
use voucher_pos::records::redemption_log::{export_to_file, LogFilter};
use voucher_pos::store::Store;

const T0: i64 = 1_800_000_000_000;

fn open(dir: &Path, clock: &Arc<ManualClock>) -> Arc<Store> {
    Arc::new(Store::open(dir.join("terminal.db"), clock.clone()).unwrap())
}

/// A terminal of its own for one test: its folder, a clock at T0, the store and the
/// sessions.
fn till() -> (tempfile::TempDir, Arc<ManualClock>, Arc<Store>, Access) {
    let dir = tempfile::tempdir().unwrap();
    let clock = ManualClock::new(T0);
    let store = open(dir.path(), &clock);
    let access = Access::new(store.clone(), "c001");
    (dir, clock, store, access)
}

#[test]
fn a_new_terminals_first_manager_pin_is_typed_twice_and_chosen_once() {
    let dir = tempfile::tempdir().unwrap();
    let clock = ManualClock::new(T0);
    let access = Access::new(open(dir.path(), &clock), "c001");
    assert_eq!(access.unlock("482615").unwrap_err().code(), "pin_not_set", "no PIN may be taken as the first try");
    assert_eq!(access.set_first_pin("482615", "482651").unwrap_err().code(), "pin_mismatch");
    assert!(!access.state().unwrap().has_manager_pin);
    access.set_first_pin("482615", "482615").unwrap();
    assert!(access.state().unwrap().manager_unlocked);
    assert_eq!(access.set_first_pin("937164", "937164").unwrap_err().code(), "pin_already_set");
}

#[test]
fn wrong_pins_back_off_the_right_one_waits_too_and_a_restart_does_not_reset_the_count() {
    let (dir, clock, store, access) = till();
    access.set_first_pin("482615", "482615").unwrap();
    access.lock();
    for n in 1..=4 {
        assert_eq!(access.unlock("0000").unwrap_err().code(), "pin_wrong", "try {n}");
        let wait = wait_after(n).as_millis() as i64;
        if wait > 0 {
            // Within the wait even the right PIN is refused, unchecked.
            clock.advance_ms(wait - 1);
            let e = access.unlock("482615").unwrap_err();
            assert_eq!(e.code(), "pin_backoff", "after {n} wrong: {e}");
            clock.advance_ms(1);
        }
    }
    assert_eq!(access.unlock("0000").unwrap_err().code(), "pin_wrong", "try 5");
    // After five wrong PINs the next try waits 4 s; killing the app buys nothing.
    drop(access);
    drop(store);
    let store = open(dir.path(), &clock);
    let access = Access::new(store.clone(), "c001");
    let e = access.unlock("482615").unwrap_err();
    assert_eq!(e.code(), "pin_backoff");
    assert!(e.to_string().contains("4 seconds"), "{e}");
    clock.advance_ms(3_999);
    assert_eq!(access.unlock("482615").unwrap_err().code(), "pin_backoff");
    clock.advance_ms(1);
    access.unlock("482615").unwrap();
    // Every wrong PIN is in the audit with its time; the right one reset the count.
    let rows = audit::recent(&store, 50).unwrap();
    let wrong: Vec<_> = rows.iter().filter(|r| r.event == "pin_wrong").collect();
    assert_eq!(wrong.len(), 5);
    // Typed at a single-user till: recorded as that cashier's tries at the manager PIN.
    assert!(wrong.iter().all(|r| r.actor == "cashier:c001" && r.at >= T0), "{wrong:?}");
    access.lock();
    assert_eq!(
        access.unlock("0000").unwrap_err().to_string(),
        "That PIN is not right.",
        "the count starts again after a right PIN"
    );
}

#[test]
fn many_wrong_pins_lock_out_for_a_quarter_of_an_hour() {
    let dir = tempfile::tempdir().unwrap();
    let clock = ManualClock::new(T0);
    let access = Access::new(open(dir.path(), &clock), "c001");
    access.set_first_pin("482615", "482615").unwrap();
    for n in 1..=7 {
        access.unlock("0000").unwrap_err();
        clock.advance_ms(wait_after(n).as_millis() as i64);
    }
    assert_eq!(
        access.unlock("0000").unwrap_err().to_string(),
        "That PIN is not right. Wait 15 minutes before the next try."
    );
    let e = access.unlock("482615").unwrap_err();
    assert_eq!(e.code(), "pin_backoff");
    assert!(e.to_string().contains("15 minutes"), "{e}");
    clock.advance_ms(15 * 60_000 - 1);
    assert_eq!(access.unlock("482615").unwrap_err().code(), "pin_backoff");
    clock.advance_ms(1);
    access.unlock("482615").unwrap();
}

#[test]
fn the_manager_screens_lock_after_the_idle_time_and_on_leaving() {
    let (_dir, clock, store, access) = till();
    assert_eq!(TerminalSettings::load(&store).unwrap().manager_idle_lock_s, 120, "two minutes by default");
    assert_eq!(access.require_manager().unwrap_err().code(), "manager_locked");
    access.set_first_pin("482615", "482615").unwrap();
    // Activity keeps it open: 119 s, then another 119 s.
    clock.advance_ms(119_000);
    access.require_manager().unwrap();
    clock.advance_ms(119_000);
    access.require_manager().unwrap();
    clock.advance_ms(120_001);
    assert!(!access.state().unwrap().manager_unlocked);
    assert_eq!(access.require_manager().unwrap_err().code(), "manager_locked");
    // The setting is the manager's to choose.
    TerminalSettings { manager_idle_lock_s: 30, ..TerminalSettings::load(&store).unwrap() }.save(&store).unwrap();
    access.unlock("482615").unwrap();
    clock.advance_ms(31_000);
    assert_eq!(access.require_manager().unwrap_err().code(), "manager_locked");
    access.unlock("482615").unwrap();
    // A value written around the settings' checks (an old version, an edited
    // database) still locks the screens within the hour.
    TerminalSettings { manager_idle_lock_s: u32::MAX, ..TerminalSettings::load(&store).unwrap() }.save(&store).unwrap();
    access.unlock("482615").unwrap();
    clock.advance_ms(3_600_001);
    assert_eq!(access.require_manager().unwrap_err().code(), "manager_locked");
    access.unlock("482615").unwrap();
    access.lock();
    assert_eq!(access.require_manager().unwrap_err().code(), "manager_locked");
}

#[test]
fn the_manager_pin_is_changed_behind_itself_and_reset_only_from_the_command_line() {
    let (dir, clock, store, access) = till();
    access.set_first_pin("482615", "482615").unwrap();
    assert_eq!(access.change_pin("1111", "613579", "613579").unwrap_err().code(), "pin_wrong");
    assert_eq!(access.change_pin("482615", "613579", "613597").unwrap_err().code(), "pin_mismatch");
    access.change_pin("482615", "613579", "613579").unwrap();
    access.lock();
    assert_eq!(access.unlock("482615").unwrap_err().code(), "pin_wrong");
    access.unlock("613579").unwrap();
    drop(access);
    drop(store);

    let db = dir.path().join("terminal.db");
    let out = Command::new(common::sandbox::workspace_bin("voucher-pos"))
        .args(["--db", &db.display().to_string(), "manager", "reset-pin"])
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let store = open(dir.path(), &clock);
    let access = Access::new(store.clone(), "c001");
    assert!(!access.state().unwrap().has_manager_pin);
    let events: Vec<String> = audit::recent(&store, 50).unwrap().into_iter().map(|r| r.event).collect();
    assert_eq!(&events[..3], ["manager_pin_reset", "manager_unlocked", "pin_wrong"]);
    assert!(events.contains(&"manager_pin_changed".to_string()));
    access.set_first_pin("975318", "975318").unwrap();
}

#[test]
fn the_audit_cannot_be_rewritten() {
    let dir = tempfile::tempdir().unwrap();
    let clock = ManualClock::new(T0);
    let store = open(dir.path(), &clock);
    audit::append(&store, "manager", "settings_saved", None).unwrap();
    let e = store.with_transaction(|tx| tx.execute("DELETE FROM audit", [])).unwrap_err();
    assert!(e.to_string().contains("never deleted"), "{e}");
    let e = store.with_transaction(|tx| tx.execute("UPDATE audit SET actor = 'x'", [])).unwrap_err();
    assert!(e.to_string().contains("never changed"), "{e}");
}

#[test]
fn a_terminal_runs_single_user_until_the_first_cashier_is_added_then_asks_for_a_sign_in() {
    let (_dir, _clock, store, access) = till();
    assert_eq!(access.cashier().unwrap(), "c001");
    assert!(!access.state().unwrap().signin_required);

    assert_eq!(
        cashiers::add(&store, "ann,x", "Ann", "4826", "4826", "manager").unwrap_err().code(),
        "context_bad_field"
    );
    assert_eq!(cashiers::add(&store, "ann", "Ann", "4826", "4862", "manager").unwrap_err().code(), "pin_mismatch");
    cashiers::add(&store, "ann", "Ann Tan", "4826", "4826", "manager").unwrap();
    cashiers::add(&store, "bob", "Bob Lim", "7391", "7391", "manager").unwrap();
    assert_eq!(cashiers::add(&store, "bob", "Bob", "7391", "7391", "manager").unwrap_err().code(), "cashier_exists");

    assert_eq!(access.cashier().unwrap_err().code(), "cashier_signed_out");
    assert!(access.state().unwrap().signin_required);
    // The PINs the manager typed are good for one sign-in each: each cashier then
    // chooses their own.
    for (id, once, own) in [("ann", "4826", "5173"), ("bob", "7391", "8052")] {
        assert_eq!(access.sign_in(id, once).unwrap_err().code(), "pin_change_required");
        access.sign_in_with_new_pin(id, once, own, own).unwrap();
        access.sign_out().unwrap();
    }
    assert_eq!(access.sign_in("ann", "8052").unwrap_err().code(), "pin_wrong", "Bob's PIN is not Ann's");
    assert_eq!(access.sign_in("zed", "4826").unwrap_err().code(), "pin_wrong", "an unknown id is a wrong PIN");
    access.sign_in("ann", "5173").unwrap();
    assert_eq!(access.cashier().unwrap(), "ann");
    assert_eq!(access.state().unwrap().cashier_name.as_deref(), Some("Ann Tan"));

    // Removed while signed in: signed out at the next action.
    cashiers::remove(&store, "ann", "manager").unwrap();
    assert_eq!(access.cashier().unwrap_err().code(), "cashier_signed_out");
    assert_eq!(access.sign_in("ann", "5173").unwrap_err().code(), "pin_wrong");
    access.sign_in("bob", "8052").unwrap();
    access.sign_out().unwrap();
    assert_eq!(access.cashier().unwrap_err().code(), "cashier_signed_out");
    let events: Vec<String> =
        audit::recent(&store, 50).unwrap().into_iter().map(|r| format!("{} {}", r.actor, r.event)).collect();
    for e in [
        "cashier:bob cashier_signed_out",
        "cashier:bob cashier_signed_in",
        "manager cashier_removed",
        "cashier:ann pin_wrong",
        "manager cashier_added",
    ] {
        assert!(events.contains(&e.to_string()), "{e} missing from {events:?}");
    }
    // Once the list is empty again, the terminal is single-user again.
    cashiers::remove(&store, "bob", "manager").unwrap();
    assert_eq!(access.cashier().unwrap(), "c001");
}

#[test]
fn an_export_is_private_renamed_into_place_and_never_inside_the_data_folder() {
    let dir = tempfile::tempdir().unwrap();
    let clock = ManualClock::new(T0);
    let data = dir.path().join("data");
    std::fs::create_dir(&data).unwrap();
    let store = Arc::new(Store::open(data.join("terminal.db"), clock.clone()).unwrap());
    let ctx = voucher_pos::domain::intent::SaleContext {
        terminal_id: "T1".into(),
        branch_code: "B1".into(),
        cashier_id: "ann".into(),
        ..Default::default()
    };
    voucher_pos::app::terminal::scan_text(&store, "rsg:v_abc123", &ctx).unwrap();

    let out = dir.path().join("out");
    std::fs::create_dir(&out).unwrap();
    // An older export, readable by all, is replaced whole.
    std::fs::write(out.join("log.csv"), "old").unwrap();
    std::fs::set_permissions(out.join("log.csv"), std::fs::Permissions::from_mode(0o644)).unwrap();
    assert_eq!(export_to_file(&store, &LogFilter::default(), &out.join("log.csv"), &data).unwrap(), 1);
    let text = std::fs::read_to_string(out.join("log.csv")).unwrap();
    assert!(text.contains("rsg:v_abc123"), "{text}");
    assert_eq!(std::fs::metadata(out.join("log.csv")).unwrap().permissions().mode() & 0o777, 0o600);
    assert_eq!(std::fs::read_dir(&out).unwrap().count(), 1, "no temporary file is left behind");

    // The live database, the secrets file, or anything in their folder: refused,
    // however the path is spelled.
    let db_before = std::fs::read(data.join("terminal.db")).unwrap();
    for dest in [data.join("terminal.db"), data.join("secrets.json"), out.join("../data/x.csv")] {
        let e = export_to_file(&store, &LogFilter::default(), &dest, &data).unwrap_err();
        assert_eq!(e.code(), "export_inside_data_folder", "{}", dest.display());
    }
    std::os::unix::fs::symlink(&data, dir.path().join("link")).unwrap();
    let e = export_to_file(&store, &LogFilter::default(), &dir.path().join("link/terminal.db"), &data).unwrap_err();
    assert_eq!(e.code(), "export_inside_data_folder");
    assert_eq!(std::fs::read(data.join("terminal.db")).unwrap(), db_before);
    assert!(!data.join("secrets.json").exists());

    // A folder that is not there: a clear error, nothing written.
    let e = export_to_file(&store, &LogFilter::default(), &out.join("missing/log.csv"), &data).unwrap_err();
    assert_eq!(e.code(), "export_io");
}

#[test]
fn the_log_filters_by_the_stores_days_and_the_csv_writes_its_offset() {
    let dir = tempfile::tempdir().unwrap();
    // 2026-11-28 17:00 UTC is 29 November, 01:00, in Singapore.
    let clock = ManualClock::new(1_795_885_200_000);
    let store = open(dir.path(), &clock);
    TerminalSettings { time_zone: Some("Asia/Singapore".into()), ..TerminalSettings::load(&store).unwrap() }
        .save(&store)
        .unwrap();
    let ctx = voucher_pos::domain::intent::SaleContext {
        terminal_id: "T1".into(),
        branch_code: "B1".into(),
        cashier_id: "ann".into(),
        ..Default::default()
    };
    voucher_pos::app::terminal::scan_text(&store, "rsg:v_late", &ctx).unwrap();
    let zone = TerminalSettings::load(&store).unwrap().zone();
    let day = |d: &str| {
        LogFilter { from_date: Some(d.into()), to_date: Some(d.into()), ..LogFilter::default() }.in_zone(&zone).unwrap()
    };
    // The store's 29th holds it, though it is still the 28th in UTC.
    assert_eq!(voucher_pos::records::redemption_log::page(&store, &day("2026-11-29"), None, 50).unwrap().rows.len(), 1);
    assert_eq!(voucher_pos::records::redemption_log::page(&store, &day("2026-11-28"), None, 50).unwrap().rows.len(), 0);
    let mut csv = Vec::new();
    voucher_pos::records::redemption_log::export_csv(&store, &LogFilter::default(), &mut csv).unwrap();
    let csv = String::from_utf8(csv).unwrap();
    assert!(csv.lines().nth(1).unwrap().starts_with("2026-11-29T01:00:00+08:00,"), "{csv}");
    let bad = LogFilter { from_date: Some("29/11/2026".into()), ..LogFilter::default() }.in_zone(&zone).unwrap_err();
    assert_eq!(bad.code(), "zone_bad_date");
}

#[test]
fn closing_the_till_needs_the_manager_pin_with_the_same_back_off_and_is_recorded() {
    let (_dir, clock, store, access) = till();
    access.set_first_pin("482615", "482615").unwrap();
    access.lock();
    for _ in 0..3 {
        assert_eq!(access.confirm_manager("0000", "terminal_closed").unwrap_err().code(), "pin_wrong");
    }
    // Three wrong tries at closing make unlocking wait too: one count per subject.
    assert_eq!(access.unlock("482615").unwrap_err().code(), "pin_backoff");
    assert_eq!(
        access.confirm_manager("482615", "terminal_closed").unwrap_err().code(),
        "pin_backoff",
        "the right PIN waits out the back-off too"
    );
    clock.advance_ms(1_000);
    access.confirm_manager("482615", "terminal_closed").unwrap();
    assert!(!access.state().unwrap().manager_unlocked, "closing does not open the manager screens");
    let actions: Vec<String> = audit::recent(&store, 10).unwrap().into_iter().map(|e| e.event).collect();
    assert_eq!(actions.first().map(String::as_str), Some("terminal_closed"), "{actions:?}");
    assert_eq!(actions.iter().filter(|a| *a == "pin_wrong").count(), 3, "{actions:?}");
}

// Issue 23: PINs people really choose, a sign-in screen that cannot be flooded, a
// clock that cannot be moved forward to end a wait.

#[test]
fn the_pins_people_choose_first_are_refused_and_the_refusal_says_why() {
    let (_dir, _clock, store, access) = till();
    for (pin, code) in [
        ("4826", "pin_bad_shape"),
        ("123456", "pin_run"),
        ("111111", "pin_repeat"),
        ("121212", "pin_repeat"),
        ("147258", "pin_common"),
    ] {
        let e = access.set_first_pin(pin, pin).unwrap_err();
        assert_eq!(e.code(), code, "{pin}: {e}");
    }
    assert_eq!(access.set_first_pin("4826", "4826").unwrap_err().to_string(), "This PIN must have 6 to 12 digits.");
    assert!(!access.state().unwrap().has_manager_pin);
    access.set_first_pin("482615", "482615").unwrap();
    // Changing it holds to the same rules.
    assert_eq!(access.change_pin("482615", "000000", "000000").unwrap_err().code(), "pin_repeat");
    // Cashiers' PINs may be four digits, but not the ones tried first.
    for (pin, code) in [("1234", "pin_run"), ("2580", "pin_common"), ("1990", "pin_year"), ("7777", "pin_repeat")] {
        let e = cashiers::add(&store, "ann", "Ann", pin, pin, "manager").unwrap_err();
        assert_eq!(e.code(), code, "{pin}: {e}");
    }
    cashiers::add(&store, "ann", "Ann", "4826", "4826", "manager").unwrap();
}

#[test]
fn a_cashiers_first_pin_is_one_time_and_a_forgotten_one_is_reset_by_the_manager() {
    let (_dir, _clock, store, access) = till();
    cashiers::add(&store, "ann", "Ann Tan", "4826", "4826", "manager").unwrap();
    let e = access.sign_in("ann", "4826").unwrap_err();
    assert_eq!(e.code(), "pin_change_required");
    assert!(e.to_string().starts_with("Ann Tan, this PIN was set by the manager"), "{e}");
    assert!(access.state().unwrap().signin_required, "a one-time PIN opens nothing by itself");
    let choose =
        |new: &str| access.sign_in_with_new_pin("ann", "4826", new, new).map(|_| ()).map_err(|e| e.code().as_str());
    assert_eq!(choose("4826"), Err("pin_unchanged"));
    assert_eq!(choose("0000"), Err("pin_repeat"));
    assert_eq!(access.sign_in_with_new_pin("ann", "4826", "5173", "5137").unwrap_err().code(), "pin_mismatch");
    assert!(access.state().unwrap().signin_required);
    choose("5173").unwrap();
    assert_eq!(access.cashier().unwrap(), "ann");
    access.sign_out().unwrap();
    assert_eq!(access.sign_in("ann", "4826").unwrap_err().code(), "pin_wrong", "the one-time PIN is spent");
    access.sign_in("ann", "5173").unwrap();
    access.sign_out().unwrap();

    // Ann forgot hers: the manager gives her a new one-time PIN; hers no longer works.
    assert_eq!(cashiers::reset_pin(&store, "zed", "6042", "6042", "manager").unwrap_err().code(), "cashier_not_found");
    cashiers::reset_pin(&store, "ann", "6042", "6042", "manager").unwrap();
    assert_eq!(access.sign_in("ann", "5173").unwrap_err().code(), "pin_wrong");
    assert_eq!(access.sign_in("ann", "6042").unwrap_err().code(), "pin_change_required");
    access.sign_in_with_new_pin("ann", "6042", "3719", "3719").unwrap();
    let events: Vec<String> =
        audit::recent(&store, 50).unwrap().into_iter().map(|r| format!("{} {}", r.actor, r.event)).collect();
    assert!(events.contains(&"manager cashier_pin_reset".to_string()), "{events:?}");
    assert_eq!(events.iter().filter(|e| *e == "cashier:ann cashier_pin_chosen").count(), 2, "{events:?}");
}

/// A sheet of made-up ids read by a handheld scanner: one shared counter, no row
/// naming what was typed, the manager's wrong PINs still on the first page, and
/// every try slowed to the per-minute limit.
#[test]
fn a_flood_of_made_up_ids_shares_one_counter_and_cannot_push_the_manager_pins_out_of_the_audit() {
    let (_dir, clock, store, access) = till();
    access.set_first_pin("482615", "482615").unwrap();
    cashiers::add(&store, "ann", "Ann", "4826", "4826", "manager").unwrap();
    access.sign_in_with_new_pin("ann", "4826", "5173", "5173").unwrap();
    // Someone at Ann's till tries the manager PIN.
    access.unlock("000000").unwrap_err();
    let by = audit::recent(&store, 1).unwrap().remove(0);
    assert_eq!((by.actor.as_str(), by.event.as_str()), ("cashier:ann", "pin_wrong"), "typed at Ann's till: {by:?}");
    assert!(by.detail.unwrap().starts_with("manager PIN"));
    access.sign_out().unwrap();

    let mut answers = std::collections::BTreeMap::<&str, u32>::new();
    for n in 0..200 {
        clock.advance_ms(6_000 + 1);
        let code = access.sign_in(&format!("bogus{n:03}"), "4826").unwrap_err().code().as_str();
        *answers.entry(code).or_default() += 1;
    }
    // Each made-up id is answered as a known id's first wrong PIN is: nothing tells
    // the two apart, not a wait, not the wording.
    assert_eq!(answers, [("pin_wrong", 200)].into(), "{answers:?}");
    // A malformed id is refused before any PIN is checked.
    clock.advance_ms(60_000);
    assert_eq!(access.sign_in("x,y=1", "4826").unwrap_err().code(), "context_bad_field");
    let subjects: Vec<String> = store
        .with_transaction(|c| c.prepare("SELECT subject FROM pin_failures")?.query_map([], |r| r.get(0))?.collect())
        .unwrap();
    assert_eq!(subjects, [cashiers::UNKNOWN, "manager"], "one counter for every unknown id (and the manager's own)");
    let page = audit::page(&store, None, 200).unwrap();
    assert!(page
        .entries
        .iter()
        .all(|e| !e.actor.contains("bogus") && !e.detail.as_deref().unwrap_or("").contains("bogus")));
    let flood: Vec<_> =
        page.entries.iter().filter(|e| e.actor == cashiers::UNKNOWN).filter_map(|e| e.detail.clone()).collect();
    assert_eq!(
        flood,
        [
            "200 sign-ins with unknown ids",
            "150 sign-ins with unknown ids",
            "100 sign-ins with unknown ids",
            "50 sign-ins with unknown ids",
            "1 sign-ins with unknown ids"
        ]
    );
    assert!(
        page.entries.iter().any(|e| e.actor == "cashier:ann" && e.event == "pin_wrong"),
        "the manager's wrong PIN is still on the first page"
    );
    // Ann's own counter was never touched: she signs in at once.
    access.sign_in("ann", "5173").unwrap();
    access.sign_out().unwrap();

    // Tries across every id are limited per minute, however fast they come.
    clock.advance_ms(60_000);
    let codes: Vec<&str> =
        (0..12).map(|n| access.sign_in(&format!("quick{n}"), "4826").unwrap_err().code().as_str()).collect();
    assert_eq!(
        codes.iter().filter(|c| **c == "signin_rate_limited").count(),
        12 - voucher_pos::checkout::access::SIGNIN_TRIES_PER_MINUTE,
        "{codes:?}"
    );
    assert_eq!(
        access.sign_in("ann", "5173").unwrap_err().code(),
        "signin_rate_limited",
        "even a real cashier waits out the minute"
    );
    clock.advance_ms(60_000);
    access.sign_in("ann", "5173").unwrap();
}

/// An unknown id costs the same argon2 work as a known one: the answer's speed does
/// not tell which ids exist. (Timed, but the gap it guards is a hash against none:
/// tens of milliseconds against tens of microseconds.)
#[test]
fn an_unknown_id_is_answered_no_faster_than_a_known_one() {
    let (_dir, clock, store, access) = till();
    cashiers::add(&store, "ann", "Ann", "4826", "4826", "manager").unwrap();
    // Alternated, so that whatever else loads the machine loads both alike.
    let time = |id: &str| {
        clock.advance_ms(20 * 60_000);
        let start = std::time::Instant::now();
        access.sign_in(id, "9031").unwrap_err();
        start.elapsed()
    };
    let (mut known, mut unknown): (Vec<_>, Vec<_>) = (0..7).map(|_| (time("ann"), time("nobody"))).unzip();
    known.sort();
    unknown.sort();
    let (known, unknown) = (known[3], unknown[3]);
    assert!(unknown * 3 >= known, "unknown id {unknown:?}, known id {known:?}");
}

#[test]
fn a_cashier_idle_past_the_setting_is_signed_out() {
    let (_dir, clock, store, access) = till();
    let mut s = TerminalSettings::load(&store).unwrap();
    s.cashier_idle_signout_s = 300;
    s.save(&store).unwrap();
    cashiers::add(&store, "ann", "Ann", "4826", "4826", "manager").unwrap();
    access.sign_in_with_new_pin("ann", "4826", "5173", "5173").unwrap();
    // Activity keeps the session; reading the state is not activity.
    for _ in 0..3 {
        clock.advance_ms(299_000);
        assert_eq!(access.cashier().unwrap(), "ann");
    }
    clock.advance_ms(200_000);
    assert!(!access.state().unwrap().signin_required);
    clock.advance_ms(101_000);
    assert!(access.state().unwrap().signin_required, "five minutes idle");
    assert_eq!(access.cashier().unwrap_err().code(), "cashier_signed_out");
    let last = audit::recent(&store, 1).unwrap().remove(0);
    assert_eq!(
        (last.actor.as_str(), last.event.as_str(), last.detail.as_deref()),
        ("cashier:ann", "cashier_signed_out", Some("idle"))
    );
}

#[test]
fn the_audit_pages_through_every_row() {
    let dir = tempfile::tempdir().unwrap();
    let clock = ManualClock::new(T0);
    let store = open(dir.path(), &clock);
    audit::append(&store, "manager", "pin_wrong", Some("the first")).unwrap();
    for n in 0..450 {
        audit::append(&store, "cashier:(unknown id)", "pin_wrong", Some(&format!("{n}"))).unwrap();
    }
    let (mut seen, mut before, mut pages) = (Vec::new(), None, 0);
    loop {
        let page = audit::page(&store, before, 200).unwrap();
        pages += 1;
        seen.extend(page.entries);
        match page.older_than {
            Some(id) => before = Some(id),
            None => break,
        }
    }
    assert_eq!((seen.len(), pages), (451, 3));
    assert!(seen.windows(2).all(|w| w[0].id > w[1].id), "newest first, no row twice");
    assert_eq!(seen.last().unwrap().detail.as_deref(), Some("the first"));
}

/// Setting the date forward ends no PIN wait, nor does a reboot followed by it: the
/// wait runs on a clock nobody can set.
#[test]
fn setting_the_clock_forward_ends_no_pin_wait() {
    let (dir, clock, store, access) = till();
    access.set_first_pin("482615", "482615").unwrap();
    access.lock();
    for n in 1..=8 {
        access.unlock("000000").unwrap_err();
        clock.advance_ms(wait_after(n.min(7)).as_millis() as i64);
    }
    assert_eq!(access.unlock("482615").unwrap_err().code(), "pin_backoff");
    clock.jump_wall_ms(86_400_000);
    assert_eq!(access.unlock("482615").unwrap_err().code(), "pin_backoff", "the date moved a day, no time passed");
    drop(access);
    drop(store);
    clock.reboot();
    clock.jump_wall_ms(86_400_000);
    let store = open(dir.path(), &clock);
    let access = Access::new(store.clone(), "c001");
    assert_eq!(access.unlock("482615").unwrap_err().code(), "pin_backoff", "a reboot and another day on the date");
    clock.advance_ms(15 * 60_000);
    access.unlock("482615").unwrap();
}

/// The audit names the OS user from the uid, not from `$USER`.
#[test]
fn the_command_lines_actor_is_the_os_user_whatever_user_says() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("terminal.db");
    let out = Command::new(common::sandbox::workspace_bin("voucher-pos"))
        .args(["--db", &db.display().to_string(), "manager", "reset-pin"])
        .env("USER", "mallory")
        .env("LOGNAME", "mallory")
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let clock = ManualClock::new(T0);
    let store = open(dir.path(), &clock);
    let row = audit::recent(&store, 1).unwrap().remove(0);
    assert_eq!(row.event, "manager_pin_reset");
    let uid = std::fs::metadata(&db).unwrap();
    use std::os::unix::fs::MetadataExt;
    assert!(row.actor.starts_with("os:") && row.actor.ends_with(&format!("(uid {})", uid.uid())), "{}", row.actor);
    assert!(!row.actor.contains("mallory"), "{}", row.actor);
}

/// A PIN chosen under an earlier version's rules, as its hash was stored then.
fn earlier_versions_hash(pin: &str) -> String {
    use argon2::password_hash::{rand_core::OsRng, PasswordHasher, SaltString};
    argon2::Argon2::default().hash_password(pin.as_bytes(), &SaltString::generate(&mut OsRng)).unwrap().to_string()
}

/// PINs chosen before these rules still open what they opened, but not for long: a
/// cashier's `1234` must be replaced at the next sign-in, and the manager screens
/// say the manager's four digits must be.
#[test]
fn pins_chosen_under_the_earlier_rules_are_replaced_at_the_next_sign_in() {
    let (_dir, _clock, store, access) = till();
    cashiers::add(&store, "ann", "Ann", "4826", "4826", "manager").unwrap();
    access.sign_in_with_new_pin("ann", "4826", "5173", "5173").unwrap();
    access.sign_out().unwrap();
    store
        .with_transaction(|tx| {
            tx.execute("UPDATE cashiers SET pin_hash = ?1 WHERE id = 'ann'", [earlier_versions_hash("1234")])?;
            tx.execute(
                "INSERT INTO settings (key, value) VALUES ('manager_pin_argon2', ?1)",
                [earlier_versions_hash("2468")],
            )
        })
        .unwrap();
    assert_eq!(access.sign_in("ann", "1234").unwrap_err().code(), "pin_change_required");
    access.sign_in_with_new_pin("ann", "1234", "6042", "6042").unwrap();
    assert_eq!(access.cashier().unwrap(), "ann");

    access.unlock("2468").unwrap();
    assert!(access.state().unwrap().manager_pin_change_due);
    access.change_pin("2468", "482615", "482615").unwrap();
    assert!(!access.state().unwrap().manager_pin_change_due);
}

/// A reset ends the session the forgotten PIN opened, and a cashier removed and
/// added again does not find their old session waiting.
#[test]
fn a_reset_or_a_removal_ends_the_cashiers_session() {
    let (_dir, _clock, store, access) = till();
    cashiers::add(&store, "ann", "Ann", "4826", "4826", "manager").unwrap();
    access.sign_in_with_new_pin("ann", "4826", "5173", "5173").unwrap();
    cashiers::reset_pin(&store, "ann", "6042", "6042", "manager").unwrap();
    assert_eq!(access.cashier().unwrap_err().code(), "cashier_signed_out");
    access.sign_in_with_new_pin("ann", "6042", "3719", "3719").unwrap();
    cashiers::remove(&store, "ann", "manager").unwrap();
    assert_eq!(access.cashier().unwrap(), "c001", "single-user again");
    cashiers::add(&store, "ann", "Ann", "4826", "4826", "manager").unwrap();
    assert_eq!(access.cashier().unwrap_err().code(), "cashier_signed_out", "no session comes back");
}

/// Saving the settings never leaves a till that cannot start. A new service's key
/// that cannot be kept (the secrets file's folder is not a folder) puts the earlier
/// settings back; a login entry that cannot be written stops the save before the new
/// key replaces the one the running service needs.
#[test]
fn a_half_saved_settings_change_never_leaves_a_till_that_cannot_start() {
    use voucher_pos::platform::secrets::{api_key_for, FileStore, StoredKey};
    let (dir, _clock, store, _access) = till();
    let blocker = dir.path().join("not-a-folder");
    std::fs::write(&blocker, "").unwrap();
    // The login entry goes to this test's folders, never the user's: first one that
    // works, then one under a file.
    std::env::set_var("XDG_CONFIG_HOME", dir.path().join("config"));
    let launch = voucher_pos::platform::autostart::Launch { program: "/usr/bin/voucher-pos-app".into(), args: vec![] };
    let who = voucher_pos::checkout::access::Authority::os_user();
    let policy = voucher_pos::checkout::policy::OfflinePolicy::load(&store).unwrap();
    let save = |secrets: &FileStore, url: &str, key: &str| {
        let mut s = TerminalSettings::load(&store).unwrap();
        s.service_url = Some(url.into());
        s.start_on_login = true;
        voucher_pos::app::save_settings(&store, secrets, &who, &launch, &s, &policy, Some(key))
    };
    let good = FileStore::new(dir.path().join("secrets.json"));
    save(&good, "https://a.example.com", "live_a").unwrap();
    let before = TerminalSettings::load(&store).unwrap();

    let e = save(&FileStore::new(blocker.join("secrets.json")), "https://b.example.com", "live_b").unwrap_err();
    assert_eq!(e.code(), "secrets_io", "{e}");
    assert_eq!(TerminalSettings::load(&store).unwrap(), before, "the earlier settings are back");

    std::env::set_var("XDG_CONFIG_HOME", blocker.join("config"));
    let e = save(&good, "https://b.example.com", "live_b").unwrap_err();
    assert_eq!(e.code(), "autostart_failed", "{e}");
    assert_eq!(TerminalSettings::load(&store).unwrap(), before);
    assert_eq!(
        api_key_for(&good, "https://a.example.com").unwrap(),
        StoredKey::For("live_a".into()),
        "the running service keeps its key"
    );
    let rows = audit::recent(&store, 10).unwrap();
    assert_eq!(rows.iter().filter(|r| r.event == "settings_saved").count(), 1, "{rows:?}");
}

/// Issue 22: the window speaks the terminal's language unless `--lang` says
/// otherwise for the run, and a cashier's own choice (made on the sign-in form)
/// holds until they sign out or are signed out for idleness, so the next cashier
/// meets the store's language again.
#[test]
fn a_cashiers_language_holds_until_their_session_ends_and_the_terminals_comes_back() {
    use voucher_pos::messages::Lang;
    let (_dir, clock, store, access) = till();
    assert_eq!(access.state().unwrap().lang, Lang::En, "a new terminal speaks English");
    TerminalSettings { language: Lang::Ms, ..TerminalSettings::load(&store).unwrap() }.save(&store).unwrap();
    assert_eq!(access.state().unwrap().lang, Lang::Ms, "the terminal's setting");
    access.set_run_language(Some(Lang::Zh));
    assert_eq!(access.state().unwrap().lang, Lang::Zh, "--lang over the setting for this run");

    cashiers::add(&store, "ann", "Ann Tan", "4826", "4826", "manager").unwrap();
    access.choose_language(Some(Lang::Ta));
    assert_eq!(access.state().unwrap().lang, Lang::Ta, "chosen on the sign-in form, before signing in");
    access.sign_in_with_new_pin("ann", "4826", "5173", "5173").unwrap();
    assert_eq!(access.state().unwrap().lang, Lang::Ta, "signing in keeps the choice");
    access.sign_out().unwrap();
    assert_eq!(access.state().unwrap().lang, Lang::Zh, "signed out: the run's language again");

    access.choose_language(Some(Lang::Ta));
    access.sign_in("ann", "5173").unwrap();
    let idle = TerminalSettings::load(&store).unwrap().cashier_idle_signout_s;
    clock.advance_ms(i64::from(idle) * 1000 + 1);
    assert!(access.state().unwrap().signin_required, "signed out for idleness");
    assert_eq!(access.state().unwrap().lang, Lang::Zh, "an idle sign-out forgets the choice too");

    // Chosen on the form by someone who then does not sign in: forgotten after a while.
    access.choose_language(Some(Lang::Ta));
    assert_eq!(access.state().unwrap().lang, Lang::Ta);
    clock.advance_ms(voucher_pos::checkout::access::UNUSED_CHOICE_MS + 1);
    assert_eq!(access.state().unwrap().lang, Lang::Zh, "the next cashier meets the run's language");
}
