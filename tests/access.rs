//! Who may do what at a shared till (issue 11): the manager's PIN and its back-off,
//! the idle lock, cashiers' sign-in, the export's file rules and the modes of every
//! file the terminal writes. Time is a `ManualClock`, so the back-off and the idle
//! lock are exact, never slept for.

mod common;

use std::os::unix::fs::PermissionsExt;
use std::path::Path;
use std::process::Command;
use std::sync::Arc;

use voucher_pos::access::{audit, cashiers, pin::wait_after, Access};
use voucher_pos::clock::ManualClock;
use voucher_pos::log::{export_to_file, LogFilter};
use voucher_pos::settings::TerminalSettings;
use voucher_pos::store::Store;

const T0: i64 = 1_800_000_000_000;

fn open(dir: &Path, clock: &Arc<ManualClock>) -> Arc<Store> {
    Arc::new(Store::open(dir.join("terminal.db"), clock.clone()).unwrap())
}

#[test]
fn a_new_terminals_first_manager_pin_is_typed_twice_and_chosen_once() {
    let dir = tempfile::tempdir().unwrap();
    let clock = ManualClock::new(T0);
    let access = Access::new(open(dir.path(), &clock), "c001");
    assert_eq!(
        access.unlock("2468").unwrap_err().code(),
        "pin_not_set",
        "no PIN may be taken as the first try"
    );
    assert_eq!(
        access.set_first_pin("2468", "2486").unwrap_err().code(),
        "pin_mismatch"
    );
    assert!(!access.state().unwrap().has_manager_pin);
    access.set_first_pin("2468", "2468").unwrap();
    assert!(access.state().unwrap().manager_unlocked);
    assert_eq!(
        access.set_first_pin("1111", "1111").unwrap_err().code(),
        "pin_already_set"
    );
}

#[test]
fn wrong_pins_back_off_the_right_one_waits_too_and_a_restart_does_not_reset_the_count() {
    let dir = tempfile::tempdir().unwrap();
    let clock = ManualClock::new(T0);
    let store = open(dir.path(), &clock);
    let access = Access::new(store.clone(), "c001");
    access.set_first_pin("2468", "2468").unwrap();
    access.lock();
    for n in 1..=4 {
        assert_eq!(
            access.unlock("0000").unwrap_err().code(),
            "pin_wrong",
            "try {n}"
        );
        let wait = wait_after(n).as_millis() as i64;
        if wait > 0 {
            // Within the wait even the right PIN is refused, unchecked.
            clock.advance_ms(wait - 1);
            let e = access.unlock("2468").unwrap_err();
            assert_eq!(e.code(), "pin_backoff", "after {n} wrong: {e}");
            clock.advance_ms(1);
        }
    }
    assert_eq!(
        access.unlock("0000").unwrap_err().code(),
        "pin_wrong",
        "try 5"
    );
    // After five wrong PINs the next try waits 4 s; killing the app buys nothing.
    drop(access);
    drop(store);
    let store = open(dir.path(), &clock);
    let access = Access::new(store.clone(), "c001");
    let e = access.unlock("2468").unwrap_err();
    assert_eq!(e.code(), "pin_backoff");
    assert!(e.to_string().contains("4 seconds"), "{e}");
    clock.advance_ms(3_999);
    assert_eq!(access.unlock("2468").unwrap_err().code(), "pin_backoff");
    clock.advance_ms(1);
    access.unlock("2468").unwrap();
    // Every wrong PIN is in the audit with its time; the right one reset the count.
    let rows = audit::recent(&store, 50).unwrap();
    let wrong: Vec<_> = rows.iter().filter(|r| r.event == "pin_wrong").collect();
    assert_eq!(wrong.len(), 5);
    assert!(wrong.iter().all(|r| r.actor == "manager" && r.at >= T0));
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
    access.set_first_pin("2468", "2468").unwrap();
    for n in 1..=7 {
        access.unlock("0000").unwrap_err();
        clock.advance_ms(wait_after(n).as_millis() as i64);
    }
    assert_eq!(
        access.unlock("0000").unwrap_err().to_string(),
        "That PIN is not right. Wait 15 minutes before the next try."
    );
    let e = access.unlock("2468").unwrap_err();
    assert_eq!(e.code(), "pin_backoff");
    assert!(e.to_string().contains("15 minutes"), "{e}");
    clock.advance_ms(15 * 60_000 - 1);
    assert_eq!(access.unlock("2468").unwrap_err().code(), "pin_backoff");
    clock.advance_ms(1);
    access.unlock("2468").unwrap();
}

#[test]
fn the_manager_screens_lock_after_the_idle_time_and_on_leaving() {
    let dir = tempfile::tempdir().unwrap();
    let clock = ManualClock::new(T0);
    let store = open(dir.path(), &clock);
    let access = Access::new(store.clone(), "c001");
    assert_eq!(
        TerminalSettings::load(&store).unwrap().manager_idle_lock_s,
        120,
        "two minutes by default"
    );
    assert_eq!(
        access.require_manager().unwrap_err().code(),
        "manager_locked"
    );
    access.set_first_pin("2468", "2468").unwrap();
    // Activity keeps it open: 119 s, then another 119 s.
    clock.advance_ms(119_000);
    access.require_manager().unwrap();
    clock.advance_ms(119_000);
    access.require_manager().unwrap();
    clock.advance_ms(120_001);
    assert!(!access.state().unwrap().manager_unlocked);
    assert_eq!(
        access.require_manager().unwrap_err().code(),
        "manager_locked"
    );
    // The setting is the manager's to choose.
    TerminalSettings {
        manager_idle_lock_s: 30,
        ..TerminalSettings::load(&store).unwrap()
    }
    .save(&store)
    .unwrap();
    access.unlock("2468").unwrap();
    clock.advance_ms(31_000);
    assert_eq!(
        access.require_manager().unwrap_err().code(),
        "manager_locked"
    );
    access.unlock("2468").unwrap();
    // A value written around the settings' checks (an old version, an edited
    // database) still locks the screens within the hour.
    TerminalSettings { manager_idle_lock_s: u32::MAX, ..TerminalSettings::load(&store).unwrap() }.save(&store).unwrap();
    access.unlock("2468").unwrap();
    clock.advance_ms(3_600_001);
    assert_eq!(access.require_manager().unwrap_err().code(), "manager_locked");
    access.unlock("2468").unwrap();
    access.lock();
    assert_eq!(
        access.require_manager().unwrap_err().code(),
        "manager_locked"
    );
}

#[test]
fn the_manager_pin_is_changed_behind_itself_and_reset_only_from_the_command_line() {
    let dir = tempfile::tempdir().unwrap();
    let clock = ManualClock::new(T0);
    let store = open(dir.path(), &clock);
    let access = Access::new(store.clone(), "c001");
    access.set_first_pin("2468", "2468").unwrap();
    assert_eq!(
        access
            .change_pin("1111", "1357", "1357")
            .unwrap_err()
            .code(),
        "pin_wrong"
    );
    assert_eq!(
        access
            .change_pin("2468", "1357", "1375")
            .unwrap_err()
            .code(),
        "pin_mismatch"
    );
    access.change_pin("2468", "1357", "1357").unwrap();
    access.lock();
    assert_eq!(access.unlock("2468").unwrap_err().code(), "pin_wrong");
    access.unlock("1357").unwrap();
    drop(access);
    drop(store);

    let db = dir.path().join("terminal.db");
    let out = Command::new(common::sandbox::workspace_bin("voucher-pos"))
        .args(["--db", &db.display().to_string(), "manager", "reset-pin"])
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let store = open(dir.path(), &clock);
    let access = Access::new(store.clone(), "c001");
    assert!(!access.state().unwrap().has_manager_pin);
    let events: Vec<String> = audit::recent(&store, 50)
        .unwrap()
        .into_iter()
        .map(|r| r.event)
        .collect();
    assert_eq!(
        &events[..3],
        ["manager_pin_reset", "manager_unlocked", "pin_wrong"]
    );
    assert!(events.contains(&"manager_pin_changed".to_string()));
    access.set_first_pin("9753", "9753").unwrap();
}

#[test]
fn the_audit_cannot_be_rewritten() {
    let dir = tempfile::tempdir().unwrap();
    let clock = ManualClock::new(T0);
    let store = open(dir.path(), &clock);
    audit::append(&store, "manager", "settings_saved", None).unwrap();
    let e = store
        .with_transaction(|tx| tx.execute("DELETE FROM audit", []))
        .unwrap_err();
    assert!(e.to_string().contains("never deleted"), "{e}");
    let e = store
        .with_transaction(|tx| tx.execute("UPDATE audit SET actor = 'x'", []))
        .unwrap_err();
    assert!(e.to_string().contains("never changed"), "{e}");
}

#[test]
fn a_terminal_runs_single_user_until_the_first_cashier_is_added_then_asks_for_a_sign_in() {
    let dir = tempfile::tempdir().unwrap();
    let clock = ManualClock::new(T0);
    let store = open(dir.path(), &clock);
    let access = Access::new(store.clone(), "c001");
    assert_eq!(access.cashier().unwrap(), "c001");
    assert!(!access.state().unwrap().signin_required);

    assert_eq!(
        cashiers::add(&store, "ann,x", "Ann", "1234", "1234", "manager")
            .unwrap_err()
            .code(),
        "context_bad_field"
    );
    assert_eq!(
        cashiers::add(&store, "ann", "Ann", "1234", "1243", "manager")
            .unwrap_err()
            .code(),
        "pin_mismatch"
    );
    cashiers::add(&store, "ann", "Ann Tan", "1234", "1234", "manager").unwrap();
    cashiers::add(&store, "bob", "Bob Lim", "5678", "5678", "manager").unwrap();
    assert_eq!(
        cashiers::add(&store, "bob", "Bob", "5678", "5678", "manager")
            .unwrap_err()
            .code(),
        "cashier_exists"
    );

    assert_eq!(access.cashier().unwrap_err().code(), "cashier_signed_out");
    assert!(access.state().unwrap().signin_required);
    assert_eq!(
        access.sign_in("ann", "5678").unwrap_err().code(),
        "pin_wrong",
        "Bob's PIN is not Ann's"
    );
    assert_eq!(
        access.sign_in("zed", "1234").unwrap_err().code(),
        "pin_wrong",
        "an unknown id is a wrong PIN"
    );
    access.sign_in("ann", "1234").unwrap();
    assert_eq!(access.cashier().unwrap(), "ann");
    assert_eq!(
        access.state().unwrap().cashier_name.as_deref(),
        Some("Ann Tan")
    );

    // Removed while signed in: signed out at the next action.
    cashiers::remove(&store, "ann", "manager").unwrap();
    assert_eq!(access.cashier().unwrap_err().code(), "cashier_signed_out");
    assert_eq!(
        access.sign_in("ann", "1234").unwrap_err().code(),
        "pin_wrong"
    );
    access.sign_in("bob", "5678").unwrap();
    access.sign_out().unwrap();
    assert_eq!(access.cashier().unwrap_err().code(), "cashier_signed_out");
    let events: Vec<String> = audit::recent(&store, 50)
        .unwrap()
        .into_iter()
        .map(|r| format!("{} {}", r.actor, r.event))
        .collect();
    for e in [
        "cashier:bob cashier_signed_out",
        "cashier:bob cashier_signed_in",
        "manager cashier_removed",
        "cashier:ann pin_wrong",
        "manager cashier_added",
    ] {
        assert!(
            events.contains(&e.to_string()),
            "{e} missing from {events:?}"
        );
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
    let ctx = voucher_pos::intent::SaleContext {
        terminal_id: "T1".into(),
        branch_code: "B1".into(),
        cashier_id: "ann".into(),
        ..Default::default()
    };
    voucher_pos::checkout::scan_text(&store, "rsg:v_abc123", &ctx).unwrap();

    let out = dir.path().join("out");
    std::fs::create_dir(&out).unwrap();
    // An older export, readable by all, is replaced whole.
    std::fs::write(out.join("log.csv"), "old").unwrap();
    std::fs::set_permissions(out.join("log.csv"), std::fs::Permissions::from_mode(0o644)).unwrap();
    assert_eq!(
        export_to_file(&store, &LogFilter::default(), &out.join("log.csv"), &data).unwrap(),
        1
    );
    let text = std::fs::read_to_string(out.join("log.csv")).unwrap();
    assert!(text.contains("rsg:v_abc123"), "{text}");
    assert_eq!(
        std::fs::metadata(out.join("log.csv"))
            .unwrap()
            .permissions()
            .mode()
            & 0o777,
        0o600
    );
    assert_eq!(
        std::fs::read_dir(&out).unwrap().count(),
        1,
        "no temporary file is left behind"
    );

    // The live database, the secrets file, or anything in their folder: refused,
    // however the path is spelled.
    let db_before = std::fs::read(data.join("terminal.db")).unwrap();
    for dest in [
        data.join("terminal.db"),
        data.join("secrets.json"),
        out.join("../data/x.csv"),
    ] {
        let e = export_to_file(&store, &LogFilter::default(), &dest, &data).unwrap_err();
        assert_eq!(e.code(), "export_inside_data_folder", "{}", dest.display());
    }
    std::os::unix::fs::symlink(&data, dir.path().join("link")).unwrap();
    let e = export_to_file(
        &store,
        &LogFilter::default(),
        &dir.path().join("link/terminal.db"),
        &data,
    )
    .unwrap_err();
    assert_eq!(e.code(), "export_inside_data_folder");
    assert_eq!(std::fs::read(data.join("terminal.db")).unwrap(), db_before);
    assert!(!data.join("secrets.json").exists());

    // A folder that is not there: a clear error, nothing written.
    let e = export_to_file(
        &store,
        &LogFilter::default(),
        &out.join("missing/log.csv"),
        &data,
    )
    .unwrap_err();
    assert_eq!(e.code(), "export_io");
}

#[test]
fn the_log_filters_by_the_stores_days_and_the_csv_writes_its_offset() {
    let dir = tempfile::tempdir().unwrap();
    // 2026-11-28 17:00 UTC is 29 November, 01:00, in Singapore.
    let clock = ManualClock::new(1_795_885_200_000);
    let store = open(dir.path(), &clock);
    TerminalSettings { time_zone: Some("Asia/Singapore".into()), ..TerminalSettings::load(&store).unwrap() }.save(&store).unwrap();
    let ctx = voucher_pos::intent::SaleContext { terminal_id: "T1".into(), branch_code: "B1".into(), cashier_id: "ann".into(), ..Default::default() };
    voucher_pos::checkout::scan_text(&store, "rsg:v_late", &ctx).unwrap();
    let zone = TerminalSettings::load(&store).unwrap().zone();
    let day = |d: &str| LogFilter { from_date: Some(d.into()), to_date: Some(d.into()), ..LogFilter::default() }.in_zone(&zone).unwrap();
    // The store's 29th holds it, though it is still the 28th in UTC.
    assert_eq!(voucher_pos::log::page(&store, &day("2026-11-29"), None, 50).unwrap().rows.len(), 1);
    assert_eq!(voucher_pos::log::page(&store, &day("2026-11-28"), None, 50).unwrap().rows.len(), 0);
    let mut csv = Vec::new();
    voucher_pos::log::export_csv(&store, &LogFilter::default(), &mut csv).unwrap();
    let csv = String::from_utf8(csv).unwrap();
    assert!(csv.lines().nth(1).unwrap().starts_with("2026-11-29T01:00:00+08:00,"), "{csv}");
    let bad = LogFilter { from_date: Some("29/11/2026".into()), ..LogFilter::default() }.in_zone(&zone).unwrap_err();
    assert_eq!(bad.code(), "zone_bad_date");
}

#[test]
fn closing_the_till_needs_the_manager_pin_with_the_same_back_off_and_is_recorded() {
    let dir = tempfile::tempdir().unwrap();
    let clock = ManualClock::new(T0);
    let store = open(dir.path(), &clock);
    let access = Access::new(store.clone(), "c001");
    access.set_first_pin("2468", "2468").unwrap();
    access.lock();
    for _ in 0..3 {
        assert_eq!(access.confirm_manager("0000", "terminal_closed").unwrap_err().code(), "pin_wrong");
    }
    // Three wrong tries at closing make unlocking wait too: one count per subject.
    assert_eq!(access.unlock("2468").unwrap_err().code(), "pin_backoff");
    assert_eq!(
        access.confirm_manager("2468", "terminal_closed").unwrap_err().code(),
        "pin_backoff",
        "the right PIN waits out the back-off too"
    );
    clock.advance_ms(1_000);
    access.confirm_manager("2468", "terminal_closed").unwrap();
    assert!(!access.state().unwrap().manager_unlocked, "closing does not open the manager screens");
    let actions: Vec<String> = audit::recent(&store, 10).unwrap().into_iter().map(|e| e.event).collect();
    assert_eq!(actions.first().map(String::as_str), Some("terminal_closed"), "{actions:?}");
    assert_eq!(actions.iter().filter(|a| *a == "pin_wrong").count(), 3, "{actions:?}");
}
