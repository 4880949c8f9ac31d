//! Drain time of a queue of committed intents against the sandbox with added latency,
//! at concurrency 1, 4 and 8, beside two floors measured against the same sandbox in
//! the same run:
//! - the ideal, n x latency / concurrency (what the service's latency alone costs);
//! - a bare client: reqwest with the same concurrency, kept-alive connections, the
//!   same request bytes with fresh keys, and no database. What the terminal adds over
//!   it is the cost of durability and bookkeeping (two fsync'd writes per intent, the
//!   engine's wake-ups, the events).
//!
//! Each concurrency runs the bare client and the terminal three times, alternating, so
//! a noisy minute hits both; medians are compared.
//!
//! Run: `cargo bench --bench drain` (`INTENTS=N`, `LATENCY_MS=L`, `RUNS=R`,
//! `CONCURRENCY=1,4,8` change the defaults).

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use voucher_pos::app::terminal::Terminal;
use voucher_pos::domain::intent::SaleContext;
use voucher_pos::platform::clock::SystemClock;
use voucher_pos::service::api::{ApiClient, ApiConfig};
use voucher_pos::service::sync::{SyncConfig, SyncEvent};
use voucher_pos::store::Store;

fn env(name: &str, default: usize) -> usize {
    std::env::var(name).ok().and_then(|s| s.parse().ok()).unwrap_or(default)
}

fn ctx() -> SaleContext {
    SaleContext {
        terminal_id: "T01".into(),
        branch_code: "B001".into(),
        cashier_id: "c1".into(),
        receipt_number: "R".into(),
        skus: vec![],
    }
}

fn median(v: &mut [f64]) -> f64 {
    v.sort_by(|a, b| a.partial_cmp(b).unwrap());
    v[v.len() / 2]
}

/// `n` fresh vouchers, created before the latency is switched on.
async fn vouchers(http: &reqwest::Client, url: &str, n: usize) -> Vec<String> {
    let mut ids = Vec::new();
    while ids.len() < n {
        let v: serde_json::Value = http
            .post(format!("{url}/_sandbox/vouchers"))
            .json(&serde_json::json!({"count": 100.min(n - ids.len()), "value": 100}))
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        ids.extend(v["voucher_ids"].as_array().unwrap().iter().map(|x| x.as_str().unwrap().to_string()));
    }
    ids
}

/// A store in `dir` holding one committed intent per voucher (built before the clock starts).
fn queued_store(dir: &std::path::Path, ids: &[String]) -> Arc<Store> {
    let store = Arc::new(Store::open(dir.join("t.db"), Arc::new(SystemClock)).unwrap());
    for id in ids {
        let i = voucher_pos::app::terminal::scan_text(&store, &format!("rsg:{id}"), &ctx()).unwrap();
        store.commit_redeem(&i.intent().id, "cashier:c1", false).unwrap();
    }
    store
}

/// The floor: the same requests the terminal would send (its own stored bytes and
/// fresh keys, taken from a throwaway store), sent by `concurrency` workers sharing
/// one kept-alive reqwest client, with nothing written anywhere.
async fn bare_client(url: &str, requests: Vec<(String, Vec<u8>)>, concurrency: usize) -> (Duration, usize) {
    let http = reqwest::Client::new();
    let requests = Arc::new(requests);
    let next = Arc::new(AtomicUsize::new(0));
    let started = Instant::now();
    let workers: Vec<_> = (0..concurrency)
        .map(|_| {
            let (http, requests, next, url) =
                (http.clone(), requests.clone(), next.clone(), format!("{url}/v1/vouchers/redeem"));
            tokio::spawn(async move {
                let mut ok = 0;
                loop {
                    let k = next.fetch_add(1, Ordering::Relaxed);
                    let Some((key, body)) = requests.get(k) else { return ok };
                    let r = http
                        .post(&url)
                        .header("x-api-key", "test_sandbox")
                        .header("Idempotency-Key", key)
                        .header("Content-Type", "application/json")
                        .body(body.clone())
                        .send()
                        .await
                        .unwrap();
                    ok += usize::from(r.status().is_success());
                    let _ = r.bytes().await;
                }
            })
        })
        .collect();
    let mut ok = 0;
    for w in workers {
        ok += w.await.unwrap();
    }
    (started.elapsed(), ok)
}

/// The terminal: its engine drains `store` from start to an empty queue.
async fn terminal(url: &str, store: Arc<Store>, concurrency: usize) -> (Duration, usize) {
    let cfg = SyncConfig { concurrency, seed: Some(1), ..SyncConfig::default() };
    let started = Instant::now();
    let t = Terminal::start(store.clone(), ApiClient::new(&ApiConfig::new(url, "test_sandbox")).unwrap(), cfg);
    let mut rx = t.subscribe();
    loop {
        match tokio::time::timeout(Duration::from_millis(500), rx.recv()).await {
            Ok(Ok(SyncEvent::Queue(s))) if s.pending == 0 => break,
            Ok(Ok(_)) => {}
            // Lagged, closed or quiet: ask the store.
            _ if store.summary().unwrap().pending == 0 => break,
            _ => {}
        }
    }
    let took = started.elapsed();
    t.shutdown().await;
    let redeemed: i64 = store
        .with_transaction(|tx| tx.query_row("SELECT count(*) FROM intents WHERE state='redeemed'", [], |r| r.get(0)))
        .unwrap();
    (took, redeemed as usize)
}

fn main() {
    let n = env("INTENTS", 1000);
    let latency = env("LATENCY_MS", 20) as u64;
    let runs = env("RUNS", 3).max(1);
    println!(
        "machine: {} cores; {n} intents; sandbox latency {latency} ms; {runs} runs each, alternating bare client and terminal",
        std::thread::available_parallelism().map(|n| n.get()).unwrap_or(0)
    );
    // The sandbox runs on its own runtime thread, as a separate service would.
    let sandbox_rt = tokio::runtime::Builder::new_multi_thread().worker_threads(1).enable_all().build().unwrap();
    let rt = tokio::runtime::Builder::new_multi_thread().worker_threads(2).enable_all().build().unwrap();
    let levels: Vec<usize> = std::env::var("CONCURRENCY")
        .ok()
        .map_or(vec![1, 4, 8], |s| s.split(',').filter_map(|c| c.parse().ok()).collect());
    for concurrency in levels {
        let dir = tempfile::tempdir().unwrap();
        let sandbox = sandbox_rt
            .block_on(voucher_sandbox::start(
                voucher_sandbox::Config { db: Some(dir.path().join("s.db")), ..Default::default() },
                "127.0.0.1:0".parse().unwrap(),
            ))
            .unwrap();
        let url = sandbox.url();
        let http = reqwest::Client::new();
        let mut batches = rt
            .block_on(vouchers(&http, &url, 2 * runs * n))
            .chunks(n)
            .map(<[String]>::to_vec)
            .collect::<Vec<_>>()
            .into_iter();
        rt.block_on(
            http.put(format!("{url}/_sandbox/faults")).json(&serde_json::json!({"latency_ms": latency})).send(),
        )
        .unwrap();
        let ideal = Duration::from_millis(latency * n as u64 / concurrency as u64).as_secs_f64();
        let (mut floor, mut ours) = (Vec::new(), Vec::new());
        for run in 0..runs {
            let scratch = tempfile::tempdir().unwrap();
            let throwaway = Store::open(scratch.path().join("bodies.db"), Arc::new(SystemClock)).unwrap();
            let requests = batches
                .next()
                .unwrap()
                .iter()
                .map(|id| {
                    let i = voucher_pos::app::terminal::scan_text(&throwaway, &format!("rsg:{id}"), &ctx()).unwrap();
                    (i.intent().idempotency_key.clone(), i.intent().body.clone())
                })
                .collect();
            let (took, ok) = rt.block_on(bare_client(&url, requests, concurrency));
            assert_eq!(ok, n, "the bare client redeemed every voucher");
            floor.push(took.as_secs_f64());

            let store = queued_store(scratch.path(), &batches.next().unwrap());
            let (took, redeemed) = rt.block_on(terminal(&url, store, concurrency));
            assert_eq!(redeemed, n, "the terminal redeemed every voucher");
            ours.push(took.as_secs_f64());
            println!(
                "  concurrency {concurrency} run {}: bare client {:.3}s ({:.2}x ideal), terminal {:.3}s ({:.2}x ideal, {:.3}x the bare client)",
                run + 1,
                floor[run],
                floor[run] / ideal,
                ours[run],
                ours[run] / ideal,
                ours[run] / floor[run]
            );
        }
        let (f, t) = (median(&mut floor), median(&mut ours));
        let over = t / f;
        println!(
            "concurrency {concurrency}: terminal median {t:.3}s, bare client median {f:.3}s, ideal {ideal:.3}s | terminal {over:.3}x the bare client (target <= 1.10x: {}), {:.2}x ideal; bare client {:.2}x ideal; the terminal adds {:.2} ms per intent",
            if over <= 1.10 { "met" } else { "NOT met" },
            t / ideal,
            f / ideal,
            (t - f) * 1e3 * concurrency as f64 / n as f64
        );
        sandbox_rt.block_on(sandbox.stop());
    }
}
