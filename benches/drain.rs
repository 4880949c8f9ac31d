//! Drain time of a queue of committed intents against the sandbox with added latency,
//! at several concurrencies, beside the ideal (n x latency / concurrency) measured
//! against the same latency in the same run.
//!
//! Run: `cargo bench --bench drain` (`INTENTS=N`, `LATENCY_MS=L` change the defaults
//! of 1000 and 20).

use std::sync::Arc;
use std::time::{Duration, Instant};

use voucher_pos::api::{ApiClient, ApiConfig};
use voucher_pos::checkout::Terminal;
use voucher_pos::clock::SystemClock;
use voucher_pos::intent::SaleContext;
use voucher_pos::store::Store;
use voucher_pos::sync::SyncConfig;

fn main() {
    let n: usize = std::env::var("INTENTS").ok().and_then(|s| s.parse().ok()).unwrap_or(1000);
    let latency: u64 = std::env::var("LATENCY_MS").ok().and_then(|s| s.parse().ok()).unwrap_or(20);
    println!("machine: {} cores; {n} intents; sandbox latency {latency} ms", std::thread::available_parallelism().map(|n| n.get()).unwrap_or(0));
    // The sandbox runs on its own runtime thread, as a separate service would.
    let sandbox_rt = tokio::runtime::Builder::new_multi_thread().worker_threads(1).enable_all().build().unwrap();
    let rt = tokio::runtime::Builder::new_multi_thread().worker_threads(2).enable_all().build().unwrap();
    for concurrency in [1usize, 4, 8] {
        let dir = tempfile::tempdir().unwrap();
        let sandbox = sandbox_rt
            .block_on(voucher_sandbox::start(voucher_sandbox::Config { db: Some(dir.path().join("s.db")), ..Default::default() }, "127.0.0.1:0".parse().unwrap()))
            .unwrap();
        let url = sandbox.url();
        let http = reqwest::Client::new();
        let ids = rt.block_on(async {
            let mut ids = Vec::new();
            while ids.len() < n {
                let v: serde_json::Value = http
                    .post(format!("{url}/_sandbox/vouchers"))
                    .json(&serde_json::json!({"count": 100.min(n - ids.len()), "value": 100}))
                    .send().await.unwrap().json().await.unwrap();
                ids.extend(v["voucher_ids"].as_array().unwrap().iter().map(|x| x.as_str().unwrap().to_string()));
            }
            http.put(format!("{url}/_sandbox/faults")).json(&serde_json::json!({"latency_ms": latency})).send().await.unwrap();
            ids
        });
        let store = Arc::new(Store::open(dir.path().join("t.db"), Arc::new(SystemClock)).unwrap());
        let ctx = SaleContext { terminal_id: "T01".into(), branch_code: "B001".into(), cashier_id: "c1".into(), receipt_number: "R".into(), skus: vec![] };
        for id in &ids {
            let i = voucher_pos::checkout::scan_text(&store, &format!("rsg:{id}"), &ctx).unwrap();
            store.commit_redeem(&i.intent().id, "cashier:c1", false).unwrap();
        }
        let drained = rt.block_on(async {
            let cfg = SyncConfig { concurrency, seed: Some(1), ..SyncConfig::default() };
            let started = Instant::now();
            let t = Terminal::start(store.clone(), ApiClient::new(&ApiConfig::new(&url, "test_sandbox")).unwrap(), cfg);
            let mut rx = t.subscribe();
            while store.summary().unwrap().pending > 0 {
                let _ = tokio::time::timeout(Duration::from_millis(100), rx.recv()).await;
            }
            let took = started.elapsed();
            t.shutdown().await;
            took
        });
        let redeemed: i64 = store.with_transaction(|tx| tx.query_row("SELECT count(*) FROM intents WHERE state='redeemed'", [], |r| r.get(0))).unwrap();
        let ideal = Duration::from_millis(latency * n as u64 / concurrency as u64);
        let ratio = drained.as_secs_f64() / ideal.as_secs_f64();
        println!(
            "concurrency {concurrency}: drained {redeemed}/{n} in {:>7.3}s  ideal {:>7.3}s  ratio {ratio:.2}x  ({:.0} intents/s)  target <= 1.5x: {}",
            drained.as_secs_f64(), ideal.as_secs_f64(), n as f64 / drained.as_secs_f64(), if ratio <= 1.5 { "met" } else { "NOT met" }
        );
        sandbox_rt.block_on(sandbox.stop());
    }
}

