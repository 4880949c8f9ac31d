//! Scan-to-durable-intent latency: `scan` (create) plus `commit_redeem` (queue), each
//! a durable transaction (WAL, synchronous=FULL), over N intents. Printed beside the
//! physical floor measured in the same run on the same disk: a bare one-row SQLite
//! insert with the same durability settings, done twice (create + queue are two
//! durable writes).
//!
//! Run: `cargo bench --bench intent_latency` (N defaults to 2000; `INTENTS=N` changes it).

use std::sync::Arc;
use std::time::{Duration, Instant};

use voucher_pos::domain::intent::SaleContext;
use voucher_pos::domain::voucher::parse;
use voucher_pos::platform::clock::SystemClock;
use voucher_pos::store::Store;

fn pct(sorted: &[Duration], p: f64) -> Duration {
    sorted[((sorted.len() as f64 - 1.0) * p).round() as usize]
}

fn report(name: &str, mut v: Vec<Duration>) -> Duration {
    v.sort();
    let total: Duration = v.iter().sum();
    println!(
        "{name:<34} n={:<5} p50={:>8.3}ms p99={:>8.3}ms max={:>8.3}ms  {:>8.0}/s",
        v.len(),
        pct(&v, 0.5).as_secs_f64() * 1e3,
        pct(&v, 0.99).as_secs_f64() * 1e3,
        v.last().unwrap().as_secs_f64() * 1e3,
        v.len() as f64 / total.as_secs_f64()
    );
    pct(&v, 0.99)
}

fn main() {
    let n: usize = std::env::var("INTENTS").ok().and_then(|s| s.parse().ok()).unwrap_or(2000);
    let dir = tempfile::tempdir().unwrap();
    println!(
        "machine: {} cores, {}",
        std::thread::available_parallelism().map(|n| n.get()).unwrap_or(0),
        std::env::consts::ARCH
    );
    println!("disk: {}", dir.path().display());

    // Floor: a bare durable insert.
    let bare = rusqlite::Connection::open(dir.path().join("bare.db")).unwrap();
    bare.query_row("PRAGMA journal_mode=WAL", [], |_| Ok(())).unwrap();
    bare.pragma_update(None, "synchronous", "FULL").unwrap();
    bare.execute_batch("CREATE TABLE t (id INTEGER PRIMARY KEY, v BLOB)").unwrap();
    let mut floor = Vec::with_capacity(n);
    for i in 0..n {
        let t = Instant::now();
        bare.execute("INSERT INTO t (id, v) VALUES (?1, ?2)", rusqlite::params![i as i64, vec![7u8; 200]]).unwrap();
        floor.push(t.elapsed());
    }

    let store = Store::open(dir.path().join("terminal.db"), Arc::new(SystemClock)).unwrap();
    let ctx = SaleContext {
        terminal_id: "T01".into(),
        branch_code: "B001".into(),
        cashier_id: "c1".into(),
        receipt_number: "R1".into(),
        skus: vec![],
    };
    let mut both = Vec::with_capacity(n);
    for i in 0..n {
        let code = parse(&format!("rsg:v_{i:021},v_x{i:020}")).unwrap();
        let t = Instant::now();
        let intent = store.scan(&code, &ctx).unwrap().intent().id.clone();
        store.commit_redeem(&intent, "cashier:c1", false).unwrap();
        both.push(t.elapsed());
    }
    println!();
    let floor_p99 = report("bare durable insert (floor)", floor.clone());
    let ours_p99 = report("scan + queue (two durable writes)", both.clone());
    let f50 = {
        let mut f = floor;
        f.sort();
        pct(&f, 0.5)
    };
    let o50 = {
        let mut o = both;
        o.sort();
        pct(&o, 0.5)
    };
    println!();
    println!("target: p99 < 5 ms -> {}", if ours_p99 < Duration::from_millis(5) { "met" } else { "NOT met" });
    println!(
        "ratio to floor (2 x bare insert): p50 {:.2}x, p99 {:.2}x",
        o50.as_secs_f64() / (2.0 * f50.as_secs_f64()),
        ours_p99.as_secs_f64() / (2.0 * floor_p99.as_secs_f64())
    );
}
