//! Backups and restore (issue 14): a snapshot taken while the terminal runs, the
//! newest N kept, private files, and a restore that refuses while the terminal runs,
//! refuses what is not a backup, and keeps the database it replaces.

mod common;

use std::os::unix::fs::PermissionsExt;
use std::path::Path;
use std::process::Command;
use std::sync::Arc;

use common::sandbox::workspace_bin;
use voucher_pos::domain::intent::SaleContext;
use voucher_pos::platform::clock::ManualClock;
use voucher_pos::store::Store;

fn ctx() -> SaleContext {
    SaleContext { terminal_id: "T1".into(), branch_code: "B1".into(), cashier_id: "c1".into(), ..Default::default() }
}

fn mode(p: &Path) -> u32 {
    std::fs::metadata(p).unwrap().permissions().mode() & 0o777
}

fn pos(db: &Path, args: &[&str]) -> std::process::Output {
    Command::new(workspace_bin("voucher-pos")).args(["--db", &db.display().to_string()]).args(args).output().unwrap()
}

#[test]
fn a_backup_taken_while_running_restores_the_terminal_to_that_moment() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("terminal.db");
    let clock = ManualClock::new(1_800_000_000_000);
    let store = Store::open(&db, clock.clone()).unwrap();
    let first = voucher_pos::app::terminal::scan_text(&store, "rsg:v_before", &ctx()).unwrap().intent().id.clone();
    let backup = voucher_pos::records::backup::make(&store, 14).unwrap();
    assert_eq!(mode(&backup), 0o600);
    assert_eq!(mode(&voucher_pos::records::backup::folder(&db)), 0o700);
    voucher_pos::app::terminal::scan_text(&store, "rsg:v_after", &ctx()).unwrap();

    // Refused while the terminal has the database open.
    let out = pos(&db, &["restore", &backup.display().to_string()]);
    assert_eq!(out.status.code(), Some(1));
    assert!(
        String::from_utf8_lossy(&out.stderr).contains("close it first"),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    drop(store);

    let out = pos(&db, &["restore", &backup.display().to_string()]);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let store = Store::open(&db, clock.clone()).unwrap();
    assert!(store.get(&first).is_ok(), "the backed-up intent is back");
    let log = voucher_pos::records::redemption_log::page(&store, &Default::default(), None, 50).unwrap();
    assert_eq!(log.rows.len(), 1, "the later scan is not in the backup");
    assert_eq!(mode(&db), 0o600);
    // The replaced database is kept, with the later scan in it.
    let kept: Vec<_> = std::fs::read_dir(dir.path())
        .unwrap()
        .filter_map(|e| e.ok())
        .map(|e| e.file_name().to_string_lossy().to_string())
        .filter(|n| n.starts_with("terminal.db.before-restore-") && !n.ends_with("-wal") && !n.ends_with("-shm"))
        .collect();
    assert_eq!(kept.len(), 1, "{kept:?}");
    let old = Store::open(dir.path().join(&kept[0]), clock).unwrap();
    assert_eq!(voucher_pos::records::redemption_log::page(&old, &Default::default(), None, 50).unwrap().rows.len(), 2);
    assert!(voucher_pos::checkout::access::audit::recent(&store, 10)
        .unwrap()
        .iter()
        .any(|a| a.event == "database_restored"));
}

#[test]
fn only_the_newest_backups_are_kept() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("terminal.db");
    let clock = ManualClock::new(1_800_000_000_000);
    let store = Store::open(&db, clock.clone()).unwrap();
    let mut made = Vec::new();
    for _ in 0..5 {
        made.push(voucher_pos::records::backup::make(&store, 3).unwrap());
        clock.advance_ms(60_000);
    }
    let left = voucher_pos::records::backup::list(&db);
    assert_eq!(left, made.iter().rev().take(3).cloned().collect::<Vec<_>>());
}

#[test]
fn restore_refuses_what_is_not_a_backup_and_changes_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("terminal.db");
    let store = Store::open(&db, ManualClock::new(1_800_000_000_000)).unwrap();
    voucher_pos::app::terminal::scan_text(&store, "rsg:v_keep", &ctx()).unwrap();
    drop(store);
    let before = std::fs::read(&db).unwrap();
    let junk = dir.path().join("junk.db");
    std::fs::write(&junk, b"not a database at all").unwrap();
    let foreign = dir.path().join("foreign.db");
    rusqlite::Connection::open(&foreign)
        .unwrap()
        .execute_batch("CREATE TABLE x (y); PRAGMA user_version = 1;")
        .unwrap();
    for bad in [&junk, &foreign, &dir.path().join("missing.db")] {
        let out = pos(&db, &["restore", &bad.display().to_string()]);
        assert_eq!(out.status.code(), Some(1), "{}", bad.display());
        assert!(
            String::from_utf8_lossy(&out.stderr).contains("not a backup"),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
    }
    assert_eq!(std::fs::read(&db).unwrap(), before, "the database was touched");
}

/// A backup is a file anyone with write access can change: a trigger dropped (history
/// no longer append-only), one added (audit rows silently discarded) or one rewritten
/// would undo the store's invariants from inside SQLite. Restore refuses each,
/// naming the object, and the database in place is not touched.
#[test]
fn restore_refuses_a_backup_whose_triggers_differ_from_our_migrations() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("terminal.db");
    let clock = ManualClock::new(1_800_000_000_000);
    let store = Store::open(&db, clock.clone()).unwrap();
    let kept = voucher_pos::app::terminal::scan_text(&store, "rsg:v_schema_keep", &ctx()).unwrap().intent().id.clone();
    let backup = voucher_pos::records::backup::make(&store, 14).unwrap();
    drop(store);
    let before = std::fs::read(&db).unwrap();
    let cases = [
        ("missing", "DROP TRIGGER transitions_append_only_update;", "transitions_append_only_update"),
        ("extra", "CREATE TRIGGER audit_quietly_dropped BEFORE INSERT ON audit BEGIN SELECT RAISE(IGNORE); END;", "audit_quietly_dropped"),
        (
            "changed",
            "DROP TRIGGER attempts_append_only_update; CREATE TRIGGER attempts_append_only_update BEFORE UPDATE ON attempts BEGIN SELECT 1; END;",
            "attempts_append_only_update",
        ),
    ];
    for (how, sql, name) in cases {
        let altered = dir.path().join(format!("altered-{how}.db"));
        std::fs::copy(&backup, &altered).unwrap();
        {
            let conn = rusqlite::Connection::open(&altered).unwrap();
            conn.execute_batch(sql).unwrap();
            conn.close().unwrap();
        }
        let err = voucher_pos::records::backup::restore(&db, &altered, 1_800_000_050_000).unwrap_err();
        assert_eq!(err.code(), "backup_schema_differs", "{how}: {err}");
        let text = err.to_string();
        assert!(
            text.contains(&format!("trigger {name}")) && text.contains(how) && text.contains("nothing was restored"),
            "{how}: {text}"
        );
        assert_eq!(std::fs::read(&db).unwrap(), before, "{how}: the database was touched");
    }
    let store = Store::open(&db, clock).unwrap();
    assert!(store.get(&kept).is_ok(), "the intent scanned before is still there");
    drop(store);
    // The untouched backup still restores.
    voucher_pos::records::backup::restore(&db, &backup, 1_800_000_100_000).unwrap();
}

#[test]
fn a_damaged_database_offers_the_newest_backup_at_start_up() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("terminal.db");
    let clock = ManualClock::new(1_800_000_000_000);
    let store = Store::open(&db, clock.clone()).unwrap();
    let backup = voucher_pos::records::backup::make(&store, 14).unwrap();
    drop(store);
    std::fs::write(&db, b"garbage that is not SQLite").unwrap();
    let e = Store::open(&db, Arc::new(voucher_pos::platform::clock::SystemClock)).err().unwrap();
    let p = voucher_pos::app::startup::store_problem(&e);
    assert_eq!(p.code, "store_corrupt");
    assert!(
        p.what_to_do.contains(&backup.display().to_string()) && p.what_to_do.contains("restore"),
        "{}",
        p.what_to_do
    );
}

#[test]
fn the_diagnostics_archive_holds_the_summary_and_the_logs_but_no_code_or_secret() {
    use std::io::Read;
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("terminal.db");
    let store = Store::open(&db, ManualClock::new(1_800_000_000_000)).unwrap();
    let settings = voucher_pos::checkout::settings::TerminalSettings {
        service_url: Some("https://till7:hunter2@api.example.com/".into()),
        ..Default::default()
    };
    settings.save(&store).unwrap();
    let a = voucher_pos::app::terminal::scan_text(&store, "rsg:v_diagnosticsAAAA,v_diagnosticsBBBB", &ctx())
        .unwrap()
        .intent()
        .id
        .clone();
    voucher_pos::app::terminal::scan_text(&store, "rsg:v_diagnosticsCCCC", &ctx()).unwrap();
    store.commit_redeem(&a, "cashier:c1", false).unwrap();
    let logs = dir.path().join("logs");
    std::fs::create_dir(&logs).unwrap();
    std::fs::write(logs.join("voucher-pos.2026-11-29.log"), "INFO redeem attempt outcome=redeemed\n").unwrap();
    // A link in logs/ to a file that must never leave the machine is not followed.
    std::fs::write(dir.path().join("secrets.json"), r#"{"api_key":"live_s3cret"}"#).unwrap();
    std::os::unix::fs::symlink(dir.path().join("secrets.json"), logs.join("voucher-pos.2026-11-30.log")).unwrap();

    let out = tempfile::tempdir().unwrap();
    let dest = out.path().join("diagnostics.tar");
    let summary = voucher_pos::records::diagnostics::write(&store, &logs, &dest, dir.path()).unwrap();
    assert_eq!(summary.schema_version, voucher_pos::store::MIGRATIONS.len() as i64);
    assert_eq!(mode(&dest), 0o600);
    let mut files = std::collections::BTreeMap::new();
    let mut archive = tar::Archive::new(std::fs::File::open(&dest).unwrap());
    for entry in archive.entries().unwrap() {
        let mut e = entry.unwrap();
        let mut text = String::new();
        e.read_to_string(&mut text).unwrap();
        files.insert(e.path().unwrap().display().to_string(), text);
    }
    assert_eq!(files.keys().collect::<Vec<_>>(), ["logs/voucher-pos.2026-11-29.log", "summary.json"]);
    let json: serde_json::Value = serde_json::from_str(&files["summary.json"]).unwrap();
    assert_eq!(json["intents_by_state"], serde_json::json!({"queued": 1, "scanned": 1}));
    assert_eq!(json["settings"]["service_url"], "https://api.example.com/");
    for (name, text) in &files {
        assert!(
            !text.contains("hunter2") && !text.contains("live_s3cret") && !text.contains("diagnostics"),
            "{name} holds a secret or a voucher code"
        );
    }
}
