//! `voucher-chaos`: the fault-injection proof of the one invariant.
//!
//! Each seed runs a random schedule against real processes: the sandbox binary with
//! faults switched mid-run (latency, 5xx, 429, drop after commit, offline windows, a
//! one-second key window) and a `voucher-pos session` terminal that is SIGKILLed at
//! random moments and restarted. Afterwards the faults stop, `voucher-pos sync
//! --until-idle` runs, and a checker compares the sandbox's ledger with the terminal's
//! log. The checker reads only what the two processes print: it shares no state with
//! either. A failing seed prints how to replay it alone.
//!
//!   cargo build --release --workspace && cargo run --release --bin voucher-chaos -- --seeds 1000

use std::collections::{HashMap, HashSet};
use std::path::PathBuf;
use std::process::Stdio;
use std::time::Duration;

use clap::Parser;
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};
use serde_json::{json, Value};
use tokio::io::{AsyncBufReadExt, AsyncWriteExt, BufReader, Lines};
use tokio::process::{Child, ChildStdin, ChildStdout, Command};

#[derive(Parser)]
#[command(about = "Seeded fault-injection runs of the terminal against the sandbox.")]
struct Args {
    /// How many seeds to run.
    #[arg(long, default_value_t = 20)]
    seeds: u64,
    /// The first seed.
    #[arg(long, default_value_t = 1)]
    first_seed: u64,
    /// Replay one seed alone, with its schedule printed.
    #[arg(long)]
    seed: Option<u64>,
    /// Seeds run at once.
    #[arg(long, default_value_t = 2)]
    jobs: usize,
}

#[derive(Default, Debug, Clone, Copy)]
struct Tally {
    intents: u64,
    double: u64,
    lost: u64,
    stuck: u64,
    guessed: u64,
    review: u64,
}

impl Tally {
    fn add(&mut self, o: Tally) {
        self.intents += o.intents;
        self.double += o.double;
        self.lost += o.lost;
        self.stuck += o.stuck;
        self.guessed += o.guessed;
        self.review += o.review;
    }
    fn bad(&self) -> bool {
        self.double + self.lost + self.stuck + self.guessed > 0
    }
}

fn sibling(name: &str) -> PathBuf {
    let exe = std::env::current_exe().expect("own path");
    let p = exe.parent().expect("a folder").join(name);
    if !p.exists() {
        eprintln!("voucher-chaos: {} is missing; build the workspace first (cargo build --workspace [--release])", p.display());
        std::process::exit(2);
    }
    p
}

struct Session {
    child: Child,
    stdin: ChildStdin,
    lines: Lines<BufReader<ChildStdout>>,
}

struct Run {
    seed: u64,
    dir: PathBuf,
    url: String,
    http: reqwest::Client,
    verbose: bool,
}

impl Run {
    fn terminal_args(&self) -> Vec<String> {
        [
            "--db", &self.dir.join("terminal.db").to_string_lossy(), "--service", &self.url, "--api-key", "test_sandbox",
            "--request-timeout", "1s", "--key-window", "1s", "--key-window-margin", "250ms", "--backoff-cap", "400ms",
            "--seed", &self.seed.to_string(),
        ]
        .iter()
        .map(|s| s.to_string())
        .collect()
    }

    fn start_session(&self) -> Session {
        let mut child = Command::new(sibling("voucher-pos"))
            .args(self.terminal_args())
            .arg("session")
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .kill_on_drop(true)
            .spawn()
            .expect("start voucher-pos session");
        let stdin = child.stdin.take().unwrap();
        let lines = BufReader::new(child.stdout.take().unwrap()).lines();
        Session { child, stdin, lines }
    }

    async fn faults(&self, f: Value) {
        if self.verbose {
            println!("  faults {f}");
        }
        self.http.put(format!("{}/_sandbox/faults", self.url)).json(&f).send().await.expect("sandbox admin");
    }

    async fn vouchers(&self, count: usize, state: &str) -> String {
        let v: Value = self
            .http
            .post(format!("{}/_sandbox/vouchers", self.url))
            .json(&json!({"count": count, "value": 100, "state": state}))
            .send()
            .await
            .expect("sandbox admin")
            .json()
            .await
            .expect("voucher reply");
        v["qr"].as_str().unwrap().to_string()
    }
}

/// Sends one command and reads its one-line answer; `None` if the process died.
async fn ask(s: &mut Session, line: &str) -> Option<String> {
    s.stdin.write_all(format!("{line}\n").as_bytes()).await.ok()?;
    s.stdin.flush().await.ok()?;
    s.lines.next_line().await.ok().flatten()
}

async fn run_seed(seed: u64, verbose: bool) -> Result<Tally, String> {
    let mut rng = StdRng::seed_from_u64(seed);
    let tmp = tempfile::tempdir().map_err(|e| e.to_string())?;
    let mut sandbox = Command::new(sibling("voucher-sandbox"))
        .args(["--listen", "127.0.0.1:0", "--key-ttl", "1s", "--seed", &seed.to_string(), "--db"])
        .arg(tmp.path().join("sandbox.db"))
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .kill_on_drop(true)
        .spawn()
        .map_err(|e| format!("start sandbox: {e}"))?;
    let mut out = BufReader::new(sandbox.stdout.take().unwrap()).lines();
    let url = loop {
        match out.next_line().await {
            Ok(Some(l)) => {
                if let Some(u) = l.strip_prefix("listening on ") {
                    break u.to_string();
                }
            }
            _ => return Err("the sandbox did not start".into()),
        }
    };
    tokio::spawn(async move { while let Ok(Some(_)) = out.next_line().await {} });
    let run = Run { seed, dir: tmp.path().to_path_buf(), url, http: reqwest::Client::new(), verbose };

    // The codes: fresh single and multi-voucher codes, one already used elsewhere, one voided.
    let mut codes = Vec::new();
    for _ in 0..rng.gen_range(3..=6) {
        let n = if rng.gen_bool(0.3) { rng.gen_range(2..=15) } else { 1 };
        codes.push(run.vouchers(n, "active").await);
    }
    let used = run.vouchers(1, "active").await;
    run.http
        .post(format!("{}/v1/vouchers/redeem", run.url))
        .header("x-api-key", "test_sandbox")
        .header("Idempotency-Key", format!("setup-{seed}"))
        .body(json!({"qr": used, "metadata": "setup"}).to_string())
        .send()
        .await
        .map_err(|e| e.to_string())?;
    codes.push(used);
    codes.push(run.vouchers(1, "voided").await);

    let mut session = run.start_session();
    let mut scanned: Vec<String> = Vec::new();
    let mut committed: HashSet<String> = HashSet::new();
    for step in 0..rng.gen_range(12..30) {
        let roll: f64 = rng.gen();
        if roll < 0.35 {
            let code = codes[rng.gen_range(0..codes.len())].clone();
            match ask(&mut session, &format!("scan {code}")).await {
                Some(a) if a.starts_with("ok scanned ") => {
                    let id = a.split(' ').nth(2).unwrap().to_string();
                    if verbose {
                        println!("  step {step}: {a}");
                    }
                    if !scanned.contains(&id) {
                        scanned.push(id);
                    }
                }
                Some(a) => return Err(format!("scan answered {a:?}")),
                None => session = run.start_session(),
            }
        } else if roll < 0.65 && !scanned.is_empty() {
            let id = scanned[rng.gen_range(0..scanned.len())].clone();
            let presses = if rng.gen_bool(0.3) { 2 } else { 1 };
            for _ in 0..presses {
                match ask(&mut session, &format!("redeem {id}")).await {
                    Some(a) if a.starts_with("ok queued ") => {
                        if verbose {
                            println!("  step {step}: {a}");
                        }
                        committed.insert(id.clone());
                    }
                    Some(a) => return Err(format!("redeem answered {a:?}")),
                    None => session = run.start_session(),
                }
            }
        } else if roll < 0.80 {
            let mut f = json!({});
            if rng.gen_bool(0.5) {
                f["latency_ms"] = json!(rng.gen_range(0..1300));
            }
            if rng.gen_bool(0.4) {
                f["error_rate"] = json!({"500": rng.gen_range(0.0..0.4), "503": rng.gen_range(0.0..0.3), "429": rng.gen_range(0.0..0.4)});
            }
            if rng.gen_bool(0.4) {
                f["drop_after_commit_rate"] = json!(rng.gen_range(0.0..0.8));
            }
            if rng.gen_bool(0.2) {
                f["offline"] = json!(true);
            }
            run.faults(f).await;
        } else if roll < 0.90 {
            // SIGKILL at a random moment while the engine works.
            tokio::time::sleep(Duration::from_millis(rng.gen_range(0..400))).await;
            if verbose {
                println!("  step {step}: SIGKILL the terminal");
            }
            let _ = session.child.start_kill();
            let _ = session.child.wait().await;
            session = run.start_session();
        } else {
            // Time passes at the counter: the engine retries, keys age.
            tokio::time::sleep(Duration::from_millis(rng.gen_range(50..1200))).await;
        }
    }
    // The faults stop; the terminal stops (killed or asked, by the dice), and a fresh
    // process runs the engine until nothing is pending.
    run.faults(json!({})).await;
    if rng.gen_bool(0.5) {
        let _ = session.child.start_kill();
    } else {
        let _ = ask(&mut session, "quit").await;
    }
    let _ = session.child.wait().await;
    let sync = Command::new(sibling("voucher-pos"))
        .args(run.terminal_args())
        .args(["sync", "--until-idle", "--max-wait", "120s"])
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .await
        .map_err(|e| e.to_string())?;
    let log = Command::new(sibling("voucher-pos"))
        .args(run.terminal_args())
        .args(["log", "--format", "json"])
        .output()
        .await
        .map_err(|e| e.to_string())?;
    let intents: Vec<Value> = serde_json::from_slice(&log.stdout).map_err(|e| format!("terminal log: {e}"))?;
    let ledger: Value = run.http.get(format!("{}/_sandbox/ledger", run.url)).send().await.map_err(|e| e.to_string())?.json().await.map_err(|e| e.to_string())?;
    let ledger = ledger["data"].as_array().cloned().unwrap_or_default();
    let _ = sandbox.start_kill();
    let _ = sandbox.wait().await;
    let tally = check(&intents, &ledger, &committed);
    if verbose || tally.bad() {
        println!("seed {seed}: sync exit {:?}; {} intents, {} ledger rows: {tally:?}", sync.code(), intents.len(), ledger.len());
        if tally.bad() {
            for i in &intents {
                println!("  intent {} {} {} tx={}", i["id"], i["state"], i["code"], i["transaction_id"]);
            }
            for r in &ledger {
                println!("  ledger {} key={} md={}", r["transaction_id"], r["idempotency_key"], r["metadata"]);
            }
        }
    }
    Ok(tally)
}

fn intent_id_of(metadata: &str) -> Option<&str> {
    metadata.split(',').find_map(|p| p.strip_prefix("intent_ID:"))
}

/// Compares the two sides. Only committed intents are judged: a scan the cashier
/// never committed may stay `scanned`.
fn check(intents: &[Value], ledger: &[Value], committed: &HashSet<String>) -> Tally {
    let mut t = Tally::default();
    let by_id: HashMap<&str, &Value> = intents.iter().map(|i| (i["id"].as_str().unwrap_or(""), i)).collect();
    let mut voucher_rows: HashMap<&str, u32> = HashMap::new();
    let mut intent_rows: HashMap<&str, Vec<&str>> = HashMap::new();
    for row in ledger {
        for v in row["voucher_ids"].as_array().into_iter().flatten() {
            *voucher_rows.entry(v.as_str().unwrap_or("")).or_default() += 1;
        }
        let md = row["metadata"].as_str().unwrap_or("");
        if md == "setup" {
            continue;
        }
        let tx = row["transaction_id"].as_str().unwrap_or("");
        match intent_id_of(md) {
            Some(id) => intent_rows.entry(id).or_default().push(tx),
            None => t.lost += 1, // a redemption nobody can trace
        }
    }
    t.double += voucher_rows.values().filter(|n| **n > 1).count() as u64;
    t.double += intent_rows.values().filter(|rows| rows.len() > 1).count() as u64;
    for (id, rows) in &intent_rows {
        match by_id.get(id) {
            None => t.lost += 1,
            Some(i) => match i["state"].as_str() {
                Some("redeemed") if rows.contains(&i["transaction_id"].as_str().unwrap_or("-")) => {}
                Some("needs_review") => {}
                Some("redeemed") => t.guessed += 1, // a transaction id the ledger does not have
                _ => t.lost += 1,                   // the service redeemed it; the terminal says otherwise
            },
        }
    }
    for i in intents {
        let id = i["id"].as_str().unwrap_or("");
        match i["state"].as_str().unwrap_or("") {
            "scanned" | "cancelled" => {
                if committed.contains(id) {
                    t.lost += 1;
                }
                continue;
            }
            "queued" | "in_flight" | "unknown" => t.stuck += 1,
            "redeemed" if !intent_rows.contains_key(id) => t.guessed += 1,
            "needs_review" => t.review += 1,
            _ => {}
        }
        t.intents += 1;
    }
    for id in committed {
        if !by_id.contains_key(id.as_str()) {
            t.lost += 1;
        }
    }
    t
}

fn main() {
    let args = Args::parse();
    let seeds: Vec<u64> = match args.seed {
        Some(s) => vec![s],
        None => (args.first_seed..args.first_seed + args.seeds).collect(),
    };
    let verbose = args.seed.is_some();
    let n_seeds = seeds.len();
    let rt = tokio::runtime::Builder::new_multi_thread().worker_threads(2).enable_all().build().expect("runtime");
    let total = rt.block_on(async {
        let mut total = Tally::default();
        let mut failed = Vec::new();
        let mut slowest = (Duration::ZERO, 0u64);
        let mut pending = seeds.into_iter();
        let mut running = tokio::task::JoinSet::new();
        let mut done = 0u64;
        loop {
            // Keep `jobs` seeds running: a slow seed holds one place, not a whole batch.
            while running.len() < args.jobs.max(1) {
                let Some(s) = pending.next() else { break };
                running.spawn(async move {
                    let started = std::time::Instant::now();
                    (s, run_seed(s, verbose).await, started.elapsed())
                });
            }
            let Some(joined) = running.join_next().await else { break };
            let (s, res, took) = joined.expect("seed task");
            done += 1;
            if took > slowest.0 {
                slowest = (took, s);
            }
            match res {
                Ok(t) => {
                    if t.bad() {
                        failed.push(s);
                    }
                    total.add(t);
                }
                Err(e) => {
                    println!("seed {s}: harness error: {e}");
                    failed.push(s);
                }
            }
            if done % 100 == 0 {
                eprintln!(
                    "voucher-chaos: {done} seeds; so far intents={} double={} lost={} stuck={} guessed={} review={}; slowest seed {} took {:.1}s",
                    total.intents, total.double, total.lost, total.stuck, total.guessed, total.review, slowest.1, slowest.0.as_secs_f64()
                );
            }
        }
        for s in &failed {
            println!("seed {s} FAILED; replay it alone: cargo run --release --bin voucher-chaos -- --seed {s}");
        }
        (total, failed.len())
    });
    let (t, failed) = total;
    println!(
        "seeds={} intents={} double={} lost={} stuck={} guessed={} review={}",
        n_seeds, t.intents, t.double, t.lost, t.stuck, t.guessed, t.review
    );
    std::process::exit(if failed > 0 { 1 } else { 0 });
}

#[cfg(test)]
mod tests {
    use super::*;

    fn intent(id: &str, state: &str, tx: Option<&str>) -> Value {
        json!({"id": id, "state": state, "code": "rsg:v_1", "transaction_id": tx})
    }

    fn row(tx: &str, intent: &str, vouchers: &[&str]) -> Value {
        json!({"transaction_id": tx, "idempotency_key": format!("k-{tx}"), "metadata": format!("pos_ID:T1,intent_ID:{intent}"), "voucher_ids": vouchers})
    }

    fn committed(ids: &[&str]) -> HashSet<String> {
        ids.iter().map(|s| s.to_string()).collect()
    }

    #[test]
    fn a_clean_run_passes() {
        let t = check(&[intent("a", "redeemed", Some("t1")), intent("b", "refused", None)], &[row("t1", "a", &["v1"])], &committed(&["a", "b"]));
        assert!(!t.bad(), "{t:?}");
        assert_eq!(t.intents, 2);
    }

    #[test]
    fn a_voucher_in_two_ledger_rows_is_a_double() {
        let t = check(&[intent("a", "redeemed", Some("t1")), intent("b", "redeemed", Some("t2"))], &[row("t1", "a", &["v1"]), row("t2", "b", &["v1"])], &committed(&["a", "b"]));
        assert_eq!(t.double, 1);
    }

    #[test]
    fn redeemed_without_a_ledger_row_is_a_guess() {
        let t = check(&[intent("a", "redeemed", Some("t9"))], &[], &committed(&["a"]));
        assert_eq!(t.guessed, 1);
    }

    #[test]
    fn a_ledger_row_the_terminal_calls_refused_is_lost() {
        let t = check(&[intent("a", "refused", None)], &[row("t1", "a", &["v1"])], &committed(&["a"]));
        assert_eq!(t.lost, 1);
    }

    #[test]
    fn a_committed_intent_that_vanished_or_stayed_pending_is_caught() {
        let t = check(&[intent("b", "unknown", None)], &[], &committed(&["a", "b"]));
        assert_eq!((t.lost, t.stuck), (1, 1));
    }
}
