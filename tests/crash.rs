//! A real process writing intents is killed with SIGKILL at random moments; every
//! write it acknowledged must be there afterwards, whole.

mod common;

use std::collections::HashMap;
use std::io::{BufRead, BufReader, Write};
use std::process::{Command, Stdio};

use rand::{Rng, SeedableRng};
use voucher_pos::app::terminal::scan_text;
use voucher_pos::domain::intent::IntentState;
use voucher_pos::store::Store;

const CHILD_ENV: &str = "VOUCHER_POS_CRASH_CHILD_DB";

/// The child's body: scans and queues intents forever, printing each acknowledged
/// write. Run only by `a_killed_writer_loses_no_acknowledged_intent`.
#[test]
#[ignore = "entry point of the crash test's child process"]
fn crash_child() {
    let db = std::env::var(CHILD_ENV).expect("run by the crash test");
    let start: u64 = std::env::var("VOUCHER_POS_CRASH_CHILD_START").unwrap().parse().unwrap();
    let store = Store::open(&db, common::clock()).unwrap();
    let out = std::io::stdout();
    for n in start.. {
        let code = format!("rsg:v_crash{n},v_pair{n}");
        let intent = scan_text(&store, &code, &common::sale()).unwrap().intent().clone();
        writeln!(out.lock(), "@@ scanned {} {}", intent.id, code).unwrap();
        if n % 3 != 0 {
            store.commit_redeem(&intent.id, "cashier:c042", false).unwrap();
            writeln!(out.lock(), "@@ queued {}", intent.id).unwrap();
        }
        out.lock().flush().unwrap();
    }
}

#[test]
fn a_killed_writer_loses_no_acknowledged_intent() {
    let seed: u64 = std::env::var("CRASH_SEED").ok().and_then(|s| s.parse().ok()).unwrap_or(0x5eed_c0de);
    let mut rng = rand::rngs::StdRng::seed_from_u64(seed);
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("terminal.db");
    let exe = std::env::current_exe().unwrap();
    // What the children acknowledged: intent id -> (code, queued?)
    let mut acked: HashMap<String, (String, bool)> = HashMap::new();
    let mut next = 0u64;
    for round in 0..12 {
        let mut child = Command::new(&exe)
            .args(["--exact", "crash_child", "--ignored", "--nocapture", "--test-threads=1"])
            .env(CHILD_ENV, &db)
            .env("VOUCHER_POS_CRASH_CHILD_START", next.to_string())
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        let stop_after: usize = rng.gen_range(1..60);
        let mut lines = BufReader::new(child.stdout.take().unwrap()).lines();
        let mut seen = 0;
        while seen < stop_after {
            let Some(Ok(line)) = lines.next() else { break };
            // libtest may print its own words before ours on the same line.
            let Some((_, ours)) = line.split_once("@@ ") else { continue };
            let mut parts = ours.split(' ');
            match parts.next() {
                Some("scanned") => {
                    let id = parts.next().unwrap().to_string();
                    acked.insert(id, (parts.next().unwrap().to_string(), false));
                    seen += 1;
                }
                Some("queued") => {
                    acked.get_mut(parts.next().unwrap()).expect("queued before scanned").1 = true;
                    seen += 1;
                }
                _ => {}
            }
        }
        // The child keeps writing while we decide, so the kill lands mid-write.
        child.kill().unwrap(); // SIGKILL
        child.wait().unwrap();
        let store = Store::open(&db, common::clock())
            .unwrap_or_else(|e| panic!("seed {seed} round {round}: reopen failed: {e}"));
        for (id, (code, queued)) in &acked {
            let i = store
                .get(id)
                .unwrap_or_else(|e| panic!("seed {seed} round {round}: acknowledged intent {id} lost: {e}"));
            assert_eq!(&i.code, code);
            let body: serde_json::Value = serde_json::from_slice(&i.body).expect("body intact");
            assert_eq!(body["qr"], code.as_str());
            let expected = if *queued { IntentState::Queued } else { IntentState::Scanned };
            assert!(
                i.state == expected || (!queued && i.state == IntentState::Queued),
                "seed {seed}: {id} is {}",
                i.state
            );
            let history = store.history(id).unwrap();
            assert_eq!(history.last().unwrap().to_state, i.state.as_str(), "history and state disagree for {id}");
        }
        let (rows, broken): (i64, i64) = store
            .with_transaction(|tx| {
                tx.query_row(
                    "SELECT count(*), count(*) FILTER (WHERE state = 'queued' AND queued_at IS NULL) FROM intents",
                    [],
                    |r| Ok((r.get(0)?, r.get(1)?)),
                )
            })
            .unwrap();
        assert_eq!(broken, 0, "a half-written state change");
        assert!(rows as usize >= acked.len());
        let check: String =
            store.with_transaction(|tx| tx.query_row("PRAGMA integrity_check", [], |r| r.get(0))).unwrap();
        assert_eq!(check, "ok");
        next += 10_000;
    }
    assert!(acked.len() > 12, "the children acknowledged too little to prove anything ({})", acked.len());
}
