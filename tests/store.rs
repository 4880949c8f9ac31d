//! The durable queue, through its public API, on real SQLite files.

mod common;

use common::{clock, fresh_store, sale};
use voucher_pos::app::terminal::scan_text;
use voucher_pos::domain::intent::IntentState;
use voucher_pos::domain::voucher::parse;
use voucher_pos::store::{AttemptKind, NewAttempt, ScanResult, Store, StoreError, StoreOptions};

fn count_intents(store: &Store) -> i64 {
    store.with_transaction(|tx| tx.query_row("SELECT count(*) FROM intents", [], |r| r.get(0))).unwrap()
}

#[test]
fn a_scan_is_stored_with_a_fresh_key_and_the_exact_request_bytes() {
    let (_d, store) = fresh_store();
    let r = scan_text(&store, "rsg:v_aaa,v_bbb", &sale()).unwrap();
    let ScanResult::Created { intent } = r else { panic!("expected a new intent, got {r:?}") };
    assert_eq!(intent.state, IntentState::Scanned);
    assert_eq!(uuid::Uuid::parse_str(&intent.idempotency_key).unwrap().get_version_num(), 4);
    assert_ne!(intent.idempotency_key, intent.id);
    let body: serde_json::Value = serde_json::from_slice(&intent.body).unwrap();
    assert_eq!(body["qr"], "rsg:v_aaa,v_bbb");
    assert!(body["metadata"].as_str().unwrap().contains(&format!("intent_ID:{}", intent.id)));
    assert_eq!(store.get(&intent.id).unwrap().body, intent.body, "the stored bytes are the bytes returned");
}

#[test]
fn a_rescan_of_a_live_code_shows_the_same_intent_and_makes_no_second_key() {
    let (_d, store) = fresh_store();
    let first = scan_text(&store, "rsg:v_1", &sale()).unwrap().intent().clone();
    let again = scan_text(&store, "rsg:v_1", &sale()).unwrap();
    assert_eq!(again, ScanResult::Existing { intent: first.clone() });
    store.commit_redeem(&first.id, "cashier:c042", false).unwrap();
    let queued = scan_text(&store, "rsg:v_1\n", &sale()).unwrap();
    assert!(
        matches!(queued, ScanResult::Existing { ref intent } if intent.id == first.id && intent.state == IntentState::Queued)
    );
    assert_eq!(count_intents(&store), 1);
}

fn finish(store: &Store, id: &str, to: IntentState) {
    store.commit_redeem(id, "cashier:c042", false).unwrap();
    store.transition(id, IntentState::Queued, IntentState::InFlight, "sync", None, None, |_| {}).unwrap();
    store
        .transition(id, IntentState::InFlight, to, "sync", None, None, |i| {
            i.transaction_id = Some("transaction_x".into());
        })
        .unwrap();
}

#[test]
fn a_rescan_of_a_redeemed_code_says_when_and_creates_nothing() {
    let (_d, store) = fresh_store();
    let first = scan_text(&store, "rsg:v_1", &sale()).unwrap().intent().clone();
    finish(&store, &first.id, IntentState::Redeemed);
    let again = scan_text(&store, "rsg:v_1", &sale()).unwrap();
    let ScanResult::AlreadyRedeemed { intent } = again else { panic!("expected already redeemed") };
    assert_eq!(intent.transaction_id.as_deref(), Some("transaction_x"));
    assert_eq!(count_intents(&store), 1);
}

#[test]
fn only_a_refused_or_cancelled_code_gets_a_new_intent_and_key() {
    let (_d, store) = fresh_store();
    let first = scan_text(&store, "rsg:v_1", &sale()).unwrap().intent().clone();
    finish(&store, &first.id, IntentState::Refused);
    let second = scan_text(&store, "rsg:v_1", &sale()).unwrap();
    let ScanResult::Created { intent: second } = second else { panic!("a refused code may be tried again") };
    assert_ne!(second.idempotency_key, first.idempotency_key);
    store
        .transition(&second.id, IntentState::Scanned, IntentState::Cancelled, "cashier:c042", None, None, |_| {})
        .unwrap();
    assert!(matches!(scan_text(&store, "rsg:v_1", &sale()).unwrap(), ScanResult::Created { .. }));
}

#[test]
fn a_double_redeem_press_commits_once() {
    let (_d, store) = fresh_store();
    let i = scan_text(&store, "rsg:v_1", &sale()).unwrap().intent().clone();
    let (a, first) = store.commit_redeem(&i.id, "cashier:c042", false).unwrap();
    let (b, second) = store.commit_redeem(&i.id, "cashier:c042", false).unwrap();
    assert!(first && !second);
    assert_eq!(a.state, IntentState::Queued);
    assert_eq!(b.queued_at, a.queued_at);
    assert_eq!(store.history(&i.id).unwrap().len(), 2, "scanned, then queued once");
}

#[test]
fn an_illegal_transition_is_refused_and_changes_nothing() {
    let (_d, store) = fresh_store();
    let i = scan_text(&store, "rsg:v_1", &sale()).unwrap().intent().clone();
    let err = store.transition(&i.id, IntentState::Scanned, IntentState::Redeemed, "sync", None, None, |i| {
        i.transaction_id = Some("forged".into());
    });
    assert!(matches!(err, Err(StoreError::IllegalTransition { .. })), "{err:?}");
    let after = store.get(&i.id).unwrap();
    assert_eq!(after, i);
    let stale = store.transition(&i.id, IntentState::Queued, IntentState::InFlight, "sync", None, None, |_| {});
    assert!(matches!(stale, Err(StoreError::StateChanged { .. })), "{stale:?}");
}

#[test]
fn an_intent_that_may_have_been_sent_cannot_be_cancelled() {
    let (_d, store) = fresh_store();
    let i = scan_text(&store, "rsg:v_1", &sale()).unwrap().intent().clone();
    store.commit_redeem(&i.id, "cashier:c042", false).unwrap();
    store.transition(&i.id, IntentState::Queued, IntentState::InFlight, "sync", None, None, |_| {}).unwrap();
    store.transition(&i.id, IntentState::InFlight, IntentState::Unknown, "sync", None, None, |_| {}).unwrap();
    let err = store.transition(&i.id, IntentState::Unknown, IntentState::Cancelled, "cashier:c042", None, None, |_| {});
    assert!(matches!(err, Err(StoreError::IllegalTransition { .. })));
}

#[test]
fn attempts_are_append_only() {
    let (_d, store) = fresh_store();
    let i = scan_text(&store, "rsg:v_1", &sale()).unwrap().intent().clone();
    store.commit_redeem(&i.id, "cashier:c042", false).unwrap();
    store.transition(&i.id, IntentState::Queued, IntentState::InFlight, "sync", None, None, |_| {}).unwrap();
    let attempt = NewAttempt {
        kind: AttemptKind::Redeem,
        started_at: 10,
        ended_at: 25,
        http_status: Some(503),
        outcome: "server_error".into(),
        replayed: false,
        detail: None,
    };
    store.transition(&i.id, IntentState::InFlight, IntentState::Queued, "sync", None, Some(&attempt), |_| {}).unwrap();
    let attempts = store.attempts(&i.id).unwrap();
    assert_eq!(attempts.len(), 1);
    assert_eq!(attempts[0].latency_ms, 15);
    let upd = store.with_transaction(|tx| tx.execute("UPDATE attempts SET outcome = 'redeemed'", []));
    assert!(upd.is_err(), "an attempt was rewritten");
    let del = store.with_transaction(|tx| tx.execute("DELETE FROM attempts", []));
    assert!(del.is_err(), "an attempt was deleted");
    assert_eq!(store.attempts(&i.id).unwrap()[0].outcome, "server_error");
}

#[test]
fn a_second_process_opening_the_database_gets_a_clear_error() {
    let (d, _store) = fresh_store();
    let err = Store::open(d.path().join("terminal.db"), clock()).err().expect("second open must fail");
    assert!(matches!(err, StoreError::Locked { .. }), "{err:?}");
    assert!(err.to_string().contains("already open in another process"));
}

#[test]
fn the_lock_is_released_when_the_store_closes() {
    let (d, store) = fresh_store();
    drop(store);
    Store::open(d.path().join("terminal.db"), clock()).unwrap();
}

#[test]
fn a_file_that_is_not_sqlite_is_moved_aside_intact_and_never_overwritten() {
    let d = tempfile::tempdir().unwrap();
    let path = d.path().join("terminal.db");
    let junk = b"this is a spreadsheet, not a database\x00\x01\x02".repeat(100);
    std::fs::write(&path, &junk).unwrap();
    let err = Store::open(&path, clock()).err().expect("must refuse");
    let StoreError::Corrupt { moved_to, .. } = &err else { panic!("{err:?}") };
    assert_eq!(std::fs::read(moved_to).unwrap(), junk, "the original bytes are kept");
    assert!(!path.exists());
    assert_eq!(err.code(), "store_corrupt");
    // The next start begins with an empty database and leaves the moved file alone.
    let store = Store::open(&path, clock()).unwrap();
    assert_eq!(count_intents(&store), 0);
    assert_eq!(std::fs::read(moved_to).unwrap(), junk);
}

#[test]
fn a_damaged_database_is_moved_aside_intact() {
    let d = tempfile::tempdir().unwrap();
    let path = d.path().join("terminal.db");
    {
        let store = Store::open(&path, clock()).unwrap();
        for n in 0..200 {
            scan_text(&store, &format!("rsg:v_{n}"), &common::sale()).unwrap();
        }
    } // closing the last connection checkpoints the WAL into the main file
    let mut bytes = std::fs::read(&path).unwrap();
    assert!(bytes.len() > 8192);
    for b in &mut bytes[4096..] {
        *b ^= 0x5a;
    }
    std::fs::write(&path, &bytes).unwrap();
    let err = Store::open(&path, clock()).err().expect("must refuse a damaged file");
    let StoreError::Corrupt { moved_to, .. } = &err else { panic!("{err:?}") };
    assert_eq!(std::fs::read(moved_to).unwrap(), bytes);
}

#[test]
fn another_programs_sqlite_database_is_not_touched() {
    let d = tempfile::tempdir().unwrap();
    let path = d.path().join("terminal.db");
    {
        let c = rusqlite::Connection::open(&path).unwrap();
        c.execute_batch("CREATE TABLE recipes (name TEXT); INSERT INTO recipes VALUES ('soup');").unwrap();
    }
    let before = std::fs::read(&path).unwrap();
    let err = Store::open(&path, clock()).err().expect("must refuse");
    let StoreError::Corrupt { moved_to, .. } = &err else { panic!("{err:?}") };
    assert_eq!(std::fs::read(moved_to).unwrap(), before);
}

#[test]
fn a_database_from_a_newer_version_is_refused_and_left_untouched() {
    let d = tempfile::tempdir().unwrap();
    let path = d.path().join("terminal.db");
    drop(Store::open(&path, clock()).unwrap());
    {
        let c = rusqlite::Connection::open(&path).unwrap();
        c.pragma_update(None, "user_version", 99).unwrap();
        c.query_row("PRAGMA wal_checkpoint(TRUNCATE)", [], |_| Ok(())).unwrap();
    }
    let before = std::fs::read(&path).unwrap();
    let err = Store::open(&path, clock()).err().expect("must refuse");
    assert!(
        matches!(err, StoreError::NewerSchema { found: 99, supported } if supported == voucher_pos::store::MIGRATIONS.len() as i64),
        "{err:?}"
    );
    assert_eq!(std::fs::read(&path).unwrap(), before, "the file was modified");
}

#[test]
fn a_full_disk_fails_the_scan_cleanly_and_leaves_no_partial_intent() {
    let d = tempfile::tempdir().unwrap();
    let path = d.path().join("terminal.db");
    drop(Store::open(&path, clock()).unwrap());
    let pages: i64 =
        rusqlite::Connection::open(&path).unwrap().query_row("PRAGMA page_count", [], |r| r.get(0)).unwrap();
    let opts = StoreOptions { max_page_count: Some(pages as u64 + 2), ..Default::default() };
    let store = Store::open_with(&path, clock(), opts).unwrap();
    let mut stored = Vec::new();
    let mut full = None;
    for n in 0..10_000 {
        match scan_text(&store, &format!("rsg:v_{n:020}"), &sale()) {
            Ok(r) => stored.push(r.intent().id.clone()),
            Err(e) => {
                full = Some(e);
                break;
            }
        }
    }
    let err = full.expect("the disk never filled");
    assert_eq!(err.code(), "store_disk_full");
    assert_eq!(err.to_string(), "The disk is full: nothing was saved.");
    assert_eq!(count_intents(&store) as usize, stored.len(), "a partial intent was left behind");
    let orphans: i64 = store
        .with_transaction(|tx| {
            tx.query_row("SELECT count(*) FROM transitions WHERE intent_id NOT IN (SELECT id FROM intents)", [], |r| {
                r.get(0)
            })
        })
        .unwrap();
    assert_eq!(orphans, 0);
    for id in &stored {
        assert_eq!(store.get(id).unwrap().state, IntentState::Scanned);
    }
}

#[test]
fn malformed_or_over_long_codes_are_refused_before_any_write() {
    let (_d, store) = fresh_store();
    for bad in
        ["https://example.com", "rsg:", &format!("rsg:{}", "v".repeat(2000)), "rsg:v_1;DROP TABLE intents", "hello"]
    {
        let err = scan_text(&store, bad, &sale()).expect_err("must refuse");
        assert!(err.code().as_str().starts_with("code_"), "{bad:?} gave {err:?}");
    }
    assert_eq!(count_intents(&store), 0);
}

#[test]
fn recovery_turns_in_flight_intents_into_unknown_and_records_the_interruption() {
    let d = tempfile::tempdir().unwrap();
    let path = d.path().join("terminal.db");
    let id = {
        let store = Store::open(&path, clock()).unwrap();
        let i = scan_text(&store, "rsg:v_1", &sale()).unwrap().intent().clone();
        store.commit_redeem(&i.id, "cashier:c042", false).unwrap();
        store.transition(&i.id, IntentState::Queued, IntentState::InFlight, "sync", None, None, |_| {}).unwrap();
        i.id
    };
    let store = Store::open(&path, clock()).unwrap();
    let recovered = store.recover_in_flight().unwrap();
    assert_eq!(recovered.len(), 1);
    let i = store.get(&id).unwrap();
    assert_eq!(i.state, IntentState::Unknown);
    assert_eq!(store.attempts(&id).unwrap()[0].outcome, "interrupted");
    assert_eq!(store.summary().unwrap().pending, 1);
}

#[test]
fn parsed_codes_and_the_store_agree_on_voucher_count() {
    let (_d, store) = fresh_store();
    let code = parse("rsg:v_1,v_2,v_1").unwrap();
    let r = store.scan(&code, &sale()).unwrap();
    assert_eq!(r.intent().voucher_count, 2);
}

#[test]
fn a_busy_database_gives_a_clear_error_and_is_not_moved_aside() {
    let d = tempfile::tempdir().unwrap();
    let path = d.path().join("terminal.db");
    drop(Store::open(&path, clock()).unwrap());
    // Another program holds the file in exclusive locking mode with a write pending.
    let other = rusqlite::Connection::open(&path).unwrap();
    other.query_row("PRAGMA locking_mode=EXCLUSIVE", [], |_| Ok(())).unwrap();
    other.execute_batch("BEGIN EXCLUSIVE; CREATE TABLE held (x);").unwrap();
    let opts = StoreOptions { busy_timeout: std::time::Duration::from_millis(100), ..Default::default() };
    let err = Store::open_with(&path, clock(), opts).err().expect("must refuse while another program holds it");
    assert_eq!(err.code(), "store_unavailable", "{err:?}");
    assert!(err.to_string().contains("Nothing was moved"), "{err}");
    let siblings: Vec<_> =
        std::fs::read_dir(d.path()).unwrap().map(|e| e.unwrap().file_name().into_string().unwrap()).collect();
    assert!(!siblings.iter().any(|n| n.contains("corrupt")), "moved aside: {siblings:?}");
    other.execute_batch("ROLLBACK").unwrap();
    drop(other);
    Store::open(&path, clock()).expect("opens once the other program lets go");
}

#[test]
fn a_database_path_that_cannot_be_read_moves_nothing() {
    let d = tempfile::tempdir().unwrap();
    let path = d.path().join("terminal.db");
    std::fs::create_dir(&path).unwrap();
    let err = Store::open(&path, clock()).err().expect("a folder is not a database file");
    assert!(matches!(err.code().as_str(), "store_io" | "store_unavailable"), "{err:?}");
    assert!(path.is_dir(), "left where it was");
    assert_eq!(
        std::fs::read_dir(d.path())
            .unwrap()
            .filter(|e| e.as_ref().unwrap().file_name().to_string_lossy().contains("corrupt"))
            .count(),
        0
    );
}

#[test]
fn a_maybe_executed_intent_can_never_be_queued_or_withdrawn_again_even_by_raw_sql() {
    let (_d, store) = fresh_store();
    let code = voucher_pos::domain::voucher::parse("rsg:v_abc").unwrap();
    let id = store.scan(&code, &sale()).unwrap().intent().id.clone();
    store.commit_redeem(&id, "cashier:c1", false).unwrap();
    store
        .with_transaction(|tx| {
            tx.execute("UPDATE intents SET state = 'unknown', maybe_executed = 1 WHERE id = ?1", [&id])
        })
        .unwrap();
    for sql in
        ["UPDATE intents SET state = 'queued' WHERE id = ?1", "UPDATE intents SET maybe_executed = 0 WHERE id = ?1"]
    {
        let err = store.with_transaction(|tx| tx.execute(sql, [&id])).unwrap_err();
        assert!(err.to_string().contains("never be unsent"), "{sql}: {err}");
    }
    assert!(
        store.with_transaction(|tx| tx.execute("DELETE FROM intents WHERE id = ?1", [&id])).is_err(),
        "intents are never deleted"
    );
    assert_eq!(store.get(&id).unwrap().state, IntentState::Unknown);
}

#[test]
fn a_rescan_finds_the_newest_intent_even_when_the_clock_stepped_back() {
    let d = tempfile::tempdir().unwrap();
    let clock = voucher_pos::platform::clock::ManualClock::new(2_000_000_000_000);
    let store = Store::open(d.path().join("t.db"), clock.clone()).unwrap();
    let code = voucher_pos::domain::voucher::parse("rsg:v_step").unwrap();
    let first = store.scan(&code, &sale()).unwrap().intent().id.clone();
    store.transition(&first, IntentState::Scanned, IntentState::Cancelled, "cashier:c1", None, None, |_| {}).unwrap();
    clock.advance_ms(-3_600_000); // NTP steps the clock back an hour
    let second = store.scan(&code, &sale()).unwrap().intent().id.clone();
    assert_ne!(first, second);
    let again = store.scan(&code, &sale()).unwrap();
    assert_eq!(again.kind(), "existing");
    assert_eq!(again.intent().id, second, "the live intent, not the older cancelled one");
}

#[test]
fn connectivity_returning_never_cuts_short_a_wait_the_service_imposed() {
    let (_d, store) = fresh_store();
    let code = parse("rsg:v_wait").unwrap();
    let id = store.scan(&code, &sale()).unwrap().intent().id.clone();
    store.commit_redeem(&id, "cashier:c1", false).unwrap();
    let now = store.now_ms();
    // A 429 asked for 120 s; the backoff put the retry at 150 s.
    store
        .with_transaction(|tx| {
            tx.execute(
                "UPDATE intents SET next_attempt_at = ?2, not_before = ?3 WHERE id = ?1",
                rusqlite::params![id, now + 150_000, now + 120_000],
            )
        })
        .unwrap();
    store.expedite_pending(now, 3_600_000).unwrap();
    assert_eq!(store.get(&id).unwrap().next_attempt_at, Some(now + 120_000), "the Retry-After still holds");
    // A wait beyond the engine's horizon was set by a clock that has since stepped back.
    store
        .with_transaction(|tx| {
            tx.execute(
                "UPDATE intents SET next_attempt_at = ?2, not_before = ?2 WHERE id = ?1",
                rusqlite::params![id, now + 3 * 86_400_000i64],
            )
        })
        .unwrap();
    store.expedite_pending(now, 3_600_000).unwrap();
    assert_eq!(store.get(&id).unwrap().next_attempt_at, Some(now));
}

#[test]
fn the_data_folder_and_every_database_file_are_the_owners_alone() {
    use std::os::unix::fs::PermissionsExt;
    let d = tempfile::tempdir().unwrap();
    let folder = d.path().join("voucher-pos");
    let path = folder.join("terminal.db");
    let store = Store::open(&path, clock()).unwrap();
    store.scan(&parse("rsg:v_modes").unwrap(), &sale()).unwrap(); // the WAL and SHM now exist
    let mode = |p: &std::path::Path| std::fs::metadata(p).unwrap().permissions().mode() & 0o777;
    assert_eq!(mode(&folder), 0o700, "a folder the terminal creates");
    for suffix in ["", "-wal", "-shm", ".lock"] {
        let f = std::path::PathBuf::from(format!("{}{suffix}", path.display()));
        assert!(f.exists(), "{} missing", f.display());
        assert_eq!(mode(&f), 0o600, "{}", f.display());
    }
    drop(store);
    // A database left world-readable by an older version is tightened on open.
    std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o644)).unwrap();
    drop(Store::open(&path, clock()).unwrap());
    assert_eq!(mode(&path), 0o600);
    // A folder that already exists (say /tmp) is not the terminal's to change.
    let shared = d.path().join("shared");
    std::fs::create_dir(&shared).unwrap();
    std::fs::set_permissions(&shared, std::fs::Permissions::from_mode(0o755)).unwrap();
    drop(Store::open(shared.join("t.db"), clock()).unwrap());
    assert_eq!(mode(&shared), 0o755, "an existing folder is left alone");
    assert_eq!(mode(&shared.join("t.db")), 0o600);
}

/// A lock belongs to the open file, and a forked child shares it until it execs: a
/// program that closes its database while another thread starts a process must still
/// be able to open it again at once (the data-folder move and restore do exactly this).
#[test]
fn a_database_closed_while_another_thread_starts_processes_opens_again() {
    let d = tempfile::tempdir().unwrap();
    let path = d.path().join("terminal.db");
    let stop = std::sync::Arc::new(std::sync::atomic::AtomicBool::new(false));
    let spawner = {
        let stop = stop.clone();
        std::thread::spawn(move || {
            while !stop.load(std::sync::atomic::Ordering::Relaxed) {
                let _ = std::process::Command::new("true").status();
            }
        })
    };
    for round in 0..200 {
        let store = Store::open(&path, clock()).unwrap_or_else(|e| panic!("round {round}: {e:?}"));
        drop(store);
    }
    stop.store(true, std::sync::atomic::Ordering::Relaxed);
    spawner.join().unwrap();
}
