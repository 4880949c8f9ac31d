//! End-of-day report for a busy branch: 50,000 service transactions (20 terminals)
//! and 5,000 of this terminal's intents, against the sandbox on loopback. Printed
//! beside its floor measured in the same run: the bare paging of the same
//! transactions list (the report cannot be faster than reading it).
//!
//! Run: `cargo bench --bench report`.

use std::sync::Arc;
use std::time::Instant;

use voucher_pos::domain::intent::SaleContext;
use voucher_pos::platform::clock::{utc_date, StoreZone, SystemClock};
use voucher_pos::service::api::{ApiClient, ApiConfig};
use voucher_pos::store::Store;

/// A size from the environment (the test command's quick run shrinks them).
fn env(name: &str, default: usize) -> usize {
    std::env::var(name).ok().and_then(|s| s.parse().ok()).unwrap_or(default)
}

fn main() {
    let (service_rows, local_intents) = (env("SERVICE_ROWS", 50_000), env("LOCAL_INTENTS", 5_000));
    let dir = tempfile::tempdir().unwrap();
    let sandbox_rt = tokio::runtime::Builder::new_multi_thread().worker_threads(1).enable_all().build().unwrap();
    let rt = tokio::runtime::Builder::new_multi_thread().worker_threads(2).enable_all().build().unwrap();
    let sandbox = sandbox_rt
        .block_on(voucher_sandbox::start(
            voucher_sandbox::Config { db: Some(dir.path().join("s.db")), ..Default::default() },
            "127.0.0.1:0".parse().unwrap(),
        ))
        .unwrap();
    let url = sandbox.url();
    rt.block_on(async {
        let r = reqwest::Client::new()
            .post(format!("{url}/_sandbox/ledger/bulk"))
            .json(&serde_json::json!({"count": service_rows, "branch": "B1", "terminals": 20, "spread_ms": 60_000}))
            .send()
            .await
            .unwrap();
        assert!(r.status().is_success());
    });
    let store = Store::open(dir.path().join("t.db"), Arc::new(SystemClock)).unwrap();
    let ctx = SaleContext {
        terminal_id: "T1".into(),
        branch_code: "B1".into(),
        cashier_id: "c1".into(),
        receipt_number: "R".into(),
        skus: vec![],
    };
    for k in 0..local_intents {
        let i = voucher_pos::app::terminal::scan_text(&store, &format!("rsg:v_bench{k}"), &ctx).unwrap();
        store.commit_redeem(&i.intent().id, "cashier:c1", false).unwrap();
    }
    let api = ApiClient::new(&ApiConfig::new(&url, "test_sandbox")).unwrap();
    let zone = StoreZone::named(Some("UTC")).unwrap();
    let now = store.now_ms();
    let date = utc_date(now);
    let (start, end) = (zone.day_start_ms(&date).unwrap(), zone.day_end_ms(&date).unwrap());
    let (from, to) = (utc_date(start - 86_400_000), utc_date(end + 86_400_000));
    println!("machine: {} cores; {service_rows} service transactions (20 terminals), {local_intents} local intents, pages of 1,000", std::thread::available_parallelism().map(|n| n.get()).unwrap_or(0));

    let mut bare = Vec::new();
    let mut built = Vec::new();
    for _ in 0..3 {
        let t = Instant::now();
        let rows = rt.block_on(async {
            let (mut n, mut pages) = (0usize, api.pages(&from, &to, 100_000));
            while let Some(data) = pages.next().await.unwrap() {
                n += data.len();
            }
            n
        });
        bare.push(t.elapsed().as_secs_f64());
        assert_eq!(rows, service_rows);
        let t = Instant::now();
        let r = rt.block_on(voucher_pos::records::report::build(&store, &api, &zone, &date, "B1", "T1")).unwrap();
        built.push(t.elapsed().as_secs_f64());
        assert!(r.totals.count as usize <= service_rows);
        assert_eq!(r.local_only.len(), local_intents);
    }
    bare.sort_by(f64::total_cmp);
    built.sort_by(f64::total_cmp);
    let (b, r) = (bare[1], built[1]);
    println!("bare paging of the list: median {b:.3} s ({:.0} rows/s)", service_rows as f64 / b);
    println!("report (page, match, tally, local lists): median {r:.3} s (target < 2 s; {:.2}x the bare paging)", r / b);
}
