//! `voucher-chaos`: the fault-injection proof of the one invariant.
//!
//! Each seed runs a random schedule against real processes: the sandbox binary with
//! faults switched mid-run (latency, 5xx, 429 with `Retry-After` in seconds or as an
//! HTTP date, a key check that fails with 401 for a while, drop after commit, a
//! proxy's 502 after commit, a transactions list that fails for a while, offline
//! windows, a one-second key window), campaigns ending and vouchers voided mid-run, and a `voucher-pos
//! session` terminal that is SIGKILLed at random moments and restarted with its clock
//! up to three days off, whose cashier accepts, declines and withdraws vouchers, and
//! whose API key may be rotated while outcomes are unknown. Afterwards the faults
//! stop, `voucher-pos sync --until-idle` runs, and a checker compares the sandbox's
//! ledger and voucher states with the terminal's log. The checker reads only what the
//! processes print: it shares no state with either. A failing seed prints how to
//! replay it alone.
//!
//! A green soak proves only what its faults can reach, so the checker judges every
//! verdict against what the service knows, not only the ledger: a terminal that called
//! every 500 "refused", or sent everything to review, fails it.
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

#[derive(Default, Debug, Clone)]
struct Tally {
    intents: u64,
    /// A voucher redeemed twice, or one intent in two ledger rows.
    double: u64,
    /// A redemption the service made that the terminal does not record as redeemed
    /// (or in review), or a committed intent that vanished.
    lost: u64,
    /// Still pending after the final sync.
    stuck: u64,
    /// `redeemed` with no ledger row behind it.
    guessed: u64,
    /// A verdict the service's own state does not support: refused for a reason the
    /// vouchers never had, or review for a cause that did not occur.
    wrong: u64,
    /// A declined voucher redeemed without a review item.
    declined_unflagged: u64,
    /// An accepted voucher refused without a loss flag.
    loss_unflagged: u64,
    review: u64,
    review_causes: std::collections::BTreeMap<String, u64>,
    /// Each injected fault, and how many times the sandbox served it: what the
    /// schedules really reached, not only what they asked for.
    faults_served: std::collections::BTreeMap<String, u64>,
}

impl Tally {
    fn add(&mut self, o: Tally) {
        self.intents += o.intents;
        self.double += o.double;
        self.lost += o.lost;
        self.stuck += o.stuck;
        self.guessed += o.guessed;
        self.wrong += o.wrong;
        self.declined_unflagged += o.declined_unflagged;
        self.loss_unflagged += o.loss_unflagged;
        self.review += o.review;
        for (k, v) in o.review_causes {
            *self.review_causes.entry(k).or_default() += v;
        }
        for (k, v) in o.faults_served {
            *self.faults_served.entry(k).or_default() += v;
        }
    }
    fn bad(&self) -> bool {
        self.double + self.lost + self.stuck + self.guessed + self.wrong + self.declined_unflagged + self.loss_unflagged > 0
    }
    fn summary(&self, seeds: usize) -> String {
        format!(
            "seeds={seeds} intents={} double={} lost={} stuck={} guessed={} wrong={} declined_unflagged={} loss_unflagged={} review={}",
            self.intents, self.double, self.lost, self.stuck, self.guessed, self.wrong, self.declined_unflagged, self.loss_unflagged, self.review
        )
    }
    fn causes(&self) -> String {
        let list: Vec<String> = self.review_causes.iter().map(|(k, v)| format!("{k}:{v}")).collect();
        if list.is_empty() { "review causes: none".into() } else { format!("review causes: {}", list.join(" ")) }
    }
    fn faults(&self) -> String {
        let list: Vec<String> = self.faults_served.iter().map(|(k, v)| format!("{k}:{v}")).collect();
        format!("faults served: {}", if list.is_empty() { "none".to_string() } else { list.join(" ") })
    }
}

/// What the schedule did, for the checker to judge the terminal's verdicts by.
#[derive(Default, Debug)]
struct Actions {
    committed: HashSet<String>,
    accepted: HashSet<String>,
    declined: HashSet<String>,
    withdrawn: HashSet<String>,
    /// The transactions list was made to fail at some point.
    list_failed: bool,
    /// The API key was rotated.
    rotated: bool,
    /// Every state the schedule gave a voucher (a voucher voided and later expired was
    /// voided when it was refused): the service's final state alone would hide it.
    states_ever: HashMap<String, HashSet<String>>,
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
    admin: String,
    http: reqwest::Client,
    verbose: bool,
    /// The API key the terminal uses now (rotated at most once).
    api_key: String,
    /// The terminal's clock offset for its current process, in ms.
    skew_ms: i64,
}

impl Run {
    fn terminal_args(&self) -> Vec<String> {
        [
            "--db", &self.dir.join("terminal.db").to_string_lossy(), "--service", &self.url, "--api-key", &self.api_key,
            "--request-timeout", "1s", "--key-window", "1s", "--key-window-margin", "250ms", "--backoff-cap", "400ms",
            "--decline-grace", "300ms", "--seed", &self.seed.to_string(), &format!("--clock-skew={}ms", self.skew_ms),
        ]
        .iter()
        .map(|s| s.to_string())
        .collect()
    }

    fn start_session(&self) -> Session {
        if self.verbose {
            println!("  start terminal: key {} clock {:+.2} days", self.api_key, self.skew_ms as f64 / 86_400_000.0);
        }
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
        self.http.put(format!("{}/_sandbox/faults", self.admin)).json(&f).send().await.expect("sandbox admin");
    }

    async fn set_state(&self, ids: &[String], state: &str) {
        if self.verbose {
            println!("  vouchers {ids:?} -> {state}");
        }
        self.http
            .post(format!("{}/_sandbox/vouchers/state", self.admin))
            .json(&json!({"voucher_ids": ids, "state": state}))
            .send()
            .await
            .expect("sandbox admin");
    }

    async fn vouchers(&self, count: usize, state: &str) -> String {
        let v: Value = self
            .http
            .post(format!("{}/_sandbox/vouchers", self.admin))
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

fn skew(rng: &mut StdRng) -> i64 {
    // Up to three days either way, or (half the time) a correct clock.
    if rng.gen_bool(0.5) { 0 } else { rng.gen_range(-3 * 86_400_000i64..=3 * 86_400_000) }
}

async fn run_seed(seed: u64, verbose: bool) -> Result<Tally, String> {
    let mut rng = StdRng::seed_from_u64(seed);
    let tmp = tempfile::tempdir().map_err(|e| e.to_string())?;
    let mut sandbox = Command::new(sibling("voucher-sandbox"))
        .args(["--listen", "127.0.0.1:0", "--key-ttl", "1s", "--api-key", "test_first", "--api-key", "test_second", "--seed", &seed.to_string(), "--db"])
        .arg(tmp.path().join("sandbox.db"))
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .kill_on_drop(true)
        .spawn()
        .map_err(|e| format!("start sandbox: {e}"))?;
    let mut out = BufReader::new(sandbox.stdout.take().unwrap()).lines();
    let mut admin = String::new();
    let url = loop {
        match out.next_line().await {
            Ok(Some(l)) => {
                if let Some(u) = l.strip_prefix("admin on ") {
                    admin = u.to_string();
                }
                if let Some(u) = l.strip_prefix("listening on ") {
                    break u.to_string();
                }
            }
            _ => return Err("the sandbox did not start".into()),
        }
    };
    tokio::spawn(async move { while let Ok(Some(_)) = out.next_line().await {} });
    let mut run = Run {
        seed,
        dir: tmp.path().to_path_buf(),
        url,
        admin,
        http: reqwest::Client::new(),
        verbose,
        api_key: "test_first".into(),
        skew_ms: skew(&mut rng),
    };

    // The codes: fresh single and multi-voucher codes, one already used elsewhere, one voided.
    let mut codes = Vec::new();
    for _ in 0..rng.gen_range(3..=6) {
        let n = if rng.gen_bool(0.3) { rng.gen_range(2..=15) } else { 1 };
        codes.push(run.vouchers(n, "active").await);
    }
    let used = run.vouchers(1, "active").await;
    run.http
        .post(format!("{}/v1/vouchers/redeem", run.url))
        .header("x-api-key", "test_first")
        .header("Idempotency-Key", format!("setup-{seed}"))
        .body(json!({"qr": used, "metadata": "setup"}).to_string())
        .send()
        .await
        .map_err(|e| e.to_string())?;
    codes.push(used);
    let voided = run.vouchers(1, "voided").await;
    let mut acts = Actions::default();
    for id in voided.split_once(':').map(|(_, r)| r.split(',')).into_iter().flatten() {
        acts.states_ever.entry(id.to_string()).or_default().insert("voided".into());
    }
    codes.push(voided);

    // The store lets unconfirmed vouchers pay, so that the cashier's accept is exercised.
    let policy = Command::new(sibling("voucher-pos"))
        .args(run.terminal_args())
        .args(["policy", "--set", r#"{"accept_offline":true,"max_pending":1000,"max_pending_age_s":864000,"max_vouchers_per_code":15}"#])
        .stdout(Stdio::null())
        .status()
        .await
        .map_err(|e| e.to_string())?;
    if !policy.success() {
        return Err("could not set the offline policy".into());
    }

    let mut session = run.start_session();
    let mut scanned: Vec<String> = Vec::new();
    for step in 0..rng.gen_range(12..30) {
        let roll: f64 = rng.gen();
        if roll < 0.30 {
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
        } else if roll < 0.55 && !scanned.is_empty() {
            let id = scanned[rng.gen_range(0..scanned.len())].clone();
            let presses = if rng.gen_bool(0.3) { 2 } else { 1 };
            for _ in 0..presses {
                match ask(&mut session, &format!("redeem {id}")).await {
                    Some(a) if a.starts_with("ok queued ") => {
                        if verbose {
                            println!("  step {step}: {a}");
                        }
                        acts.committed.insert(id.clone());
                    }
                    Some(a) => return Err(format!("redeem answered {a:?}")),
                    None => session = run.start_session(),
                }
            }
        } else if roll < 0.63 && !scanned.is_empty() {
            // The cashier's answer for an unconfirmed voucher: accept it for the sale,
            // decline it (another payment), or withdraw it. The terminal may refuse
            // (a final intent, a maybe-executed one cannot be withdrawn): that is fine.
            let id = scanned[rng.gen_range(0..scanned.len())].clone();
            let what = match rng.gen_range(0..20) {
                0..=8 => "accept",
                9..=16 => "decline",
                _ => "cancel",
            };
            match ask(&mut session, &format!("{what} {id}")).await {
                Some(a) if a.starts_with("ok ") => {
                    if verbose {
                        println!("  step {step}: {a}");
                    }
                    match what {
                        "accept" => acts.accepted.insert(id),
                        "decline" => acts.declined.insert(id),
                        _ => acts.withdrawn.insert(id),
                    };
                }
                Some(a) if a.starts_with("err ") => {
                    if verbose {
                        println!("  step {step}: {what} {id}: {a}");
                    }
                }
                Some(a) => return Err(format!("{what} answered {a:?}")),
                None => session = run.start_session(),
            }
        } else if roll < 0.76 {
            let mut f = json!({});
            if rng.gen_bool(0.5) {
                f["latency_ms"] = json!(rng.gen_range(0..1300));
            }
            if rng.gen_bool(0.4) {
                // Now and then the service's key check fails for a while (401 before
                // anything executes); a 429's Retry-After comes as seconds or as an
                // HTTP date, which the terminal must read by the service's clock, not
                // its own skewed one.
                let unauthorized = if rng.gen_bool(0.4) { rng.gen_range(0.1..0.5) } else { 0.0 };
                f["error_rate"] = json!({"500": rng.gen_range(0.0..0.4), "503": rng.gen_range(0.0..0.3), "429": rng.gen_range(0.0..0.4), "401": unauthorized});
                f["retry_after_s"] = json!(rng.gen_range(1..=3));
                f["retry_after_as_date"] = json!(rng.gen_bool(0.5));
            }
            if rng.gen_bool(0.4) {
                f["drop_after_commit_rate"] = json!(rng.gen_range(0.0..0.8));
            }
            if rng.gen_bool(0.4) {
                f["gateway_error_after_commit_rate"] = json!(rng.gen_range(0.0..0.8));
            }
            if rng.gen_bool(0.2) {
                f["transactions_error_rate"] = json!(rng.gen_range(0.5..=1.0));
                acts.list_failed = true;
            }
            if rng.gen_bool(0.2) {
                f["offline"] = json!(true);
            }
            run.faults(f).await;
        } else if roll < 0.81 {
            // A campaign ends, or vouchers are voided, mid-run.
            let code = codes[rng.gen_range(0..codes.len())].clone();
            let ids: Vec<String> = code.split_once(':').map(|(_, r)| r.split(',').map(String::from).collect()).unwrap_or_default();
            let state = if rng.gen_bool(0.5) { "expired" } else { "voided" };
            for id in &ids {
                acts.states_ever.entry(id.clone()).or_default().insert(state.into());
            }
            run.set_state(&ids, state).await;
        } else if roll < 0.89 {
            // SIGKILL at a random moment while the engine works; the clock comes back
            // as wrong as a till's can be.
            tokio::time::sleep(Duration::from_millis(rng.gen_range(0..400))).await;
            if verbose {
                println!("  step {step}: SIGKILL the terminal");
            }
            let _ = session.child.start_kill();
            let _ = session.child.wait().await;
            run.skew_ms = skew(&mut rng);
            session = run.start_session();
        } else if roll < 0.91 && !acts.rotated {
            // The API key is rotated while some outcomes may still be unknown.
            if verbose {
                println!("  step {step}: rotate the API key");
            }
            let _ = ask(&mut session, "quit").await;
            let _ = session.child.wait().await;
            run.api_key = "test_second".into();
            acts.rotated = true;
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
    let get = |path: &'static str| {
        let (http, admin) = (run.http.clone(), run.admin.clone());
        async move {
            let v: Value = http.get(format!("{admin}{path}")).send().await.map_err(|e| e.to_string())?.json().await.map_err(|e| e.to_string())?;
            Ok::<_, String>(v["data"].as_array().cloned().unwrap_or_default())
        }
    };
    let ledger = get("/_sandbox/ledger").await?;
    let vouchers = get("/_sandbox/vouchers").await?;
    let requests: Value = run.http.get(format!("{}/_sandbox/requests", run.admin)).send().await.map_err(|e| e.to_string())?.json().await.map_err(|e| e.to_string())?;
    let _ = sandbox.start_kill();
    let _ = sandbox.wait().await;
    let mut tally = check(&intents, &ledger, &vouchers, &acts);
    if let Some(served) = requests["faults_served"].as_object() {
        tally.faults_served = served.iter().map(|(k, v)| (k.clone(), v.as_u64().unwrap_or(0))).collect();
    }
    if verbose || tally.bad() {
        println!("seed {seed}: sync exit {:?}; {} intents, {} ledger rows: {tally:?}", sync.code(), intents.len(), ledger.len());
        if tally.bad() {
            for i in &intents {
                println!(
                    "  intent {} {} {} tx={} err={} cause={} accepted={} declined={}",
                    i["id"], i["state"], i["code"], i["transaction_id"], i["error_code"], i["review_cause"], i["accepted_offline"], i["declined"]
                );
            }
            for r in &ledger {
                println!("  ledger {} key={} md={}", r["transaction_id"], r["idempotency_key"], r["metadata"]);
            }
            // Keep the evidence: `voucher-pos --db DIR/terminal.db show ID` reads the attempts.
            println!("seed {seed}: databases kept in {}", tmp.keep().display());
        }
    }
    Ok(tally)
}

fn intent_id_of(metadata: &str) -> Option<&str> {
    metadata.split(',').find_map(|p| p.strip_prefix("intent_ID:"))
}

/// Whether the service's own state gives a voucher code a refusal with this code: the
/// vouchers really were used by someone else, voided, expired or unknown.
fn refusal_is_real(code_text: &str, error_code: &str, own_txs: &[&str], vouchers: &HashMap<&str, (&str, Option<&str>)>, acts: &Actions) -> bool {
    let ids: Vec<&str> = code_text.split_once(':').map(|(_, r)| r.split(',').collect()).unwrap_or_default();
    let had = |id: &str, state: &str| {
        vouchers.get(id).is_some_and(|(s, _)| *s == state) || acts.states_ever.get(id).is_some_and(|e| e.contains(state))
    };
    ids.iter().any(|id| match (error_code, vouchers.get(id)) {
        ("redemption_vouchers_not_found", None) => true,
        ("redemption_vouchers_used", Some((_, Some(tx)))) => !own_txs.contains(tx),
        ("redemption_vouchers_voided", Some(_)) => had(id, "voided"),
        ("redemption_vouchers_period_ended", Some(_)) => had(id, "expired"),
        _ => false,
    })
}

/// Compares the terminal's log with the service's ledger and voucher states. Only
/// committed intents are judged: a scan the cashier never committed may stay `scanned`.
fn check(intents: &[Value], ledger: &[Value], vouchers: &[Value], acts: &Actions) -> Tally {
    let mut t = Tally::default();
    let by_id: HashMap<&str, &Value> = intents.iter().map(|i| (i["id"].as_str().unwrap_or(""), i)).collect();
    let states: HashMap<&str, (&str, Option<&str>)> = vouchers
        .iter()
        .map(|v| (v["id"].as_str().unwrap_or(""), (v["state"].as_str().unwrap_or(""), v["redeemed_in"].as_str())))
        .collect();
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
                Some("redeemed") if acts.declined.contains(*id) => t.declined_unflagged += 1,
                Some("redeemed") if rows.contains(&i["transaction_id"].as_str().unwrap_or("-")) => {}
                Some("needs_review") => {}
                Some("redeemed") => t.guessed += 1, // a transaction id the ledger does not have
                _ => t.lost += 1,                   // the service redeemed it; the terminal says otherwise
            },
        }
    }
    for i in intents {
        let id = i["id"].as_str().unwrap_or("");
        let rows: &[&str] = intent_rows.get(id).map(Vec::as_slice).unwrap_or(&[]);
        let declined = acts.declined.contains(id);
        let accepted = acts.accepted.contains(id);
        match i["state"].as_str().unwrap_or("") {
            "scanned" | "cancelled" => {
                if acts.committed.contains(id) && !declined && !acts.withdrawn.contains(id) {
                    t.lost += 1;
                }
                continue;
            }
            "queued" | "in_flight" | "unknown" => t.stuck += 1,
            "redeemed" if !intent_rows.contains_key(id) => t.guessed += 1,
            "refused" => {
                let code = i["error_code"].as_str().unwrap_or("");
                if !refusal_is_real(i["code"].as_str().unwrap_or(""), code, rows, &states, acts) {
                    t.wrong += 1;
                }
                if accepted {
                    t.loss_unflagged += 1;
                }
            }
            "needs_review" => {
                t.review += 1;
                let cause = i["review_cause"].as_str().unwrap_or("none");
                *t.review_causes.entry(cause.to_string()).or_default() += 1;
                let legit = match cause {
                    "redeemed_after_decline" => declined && !rows.is_empty(),
                    "declined_not_found" => declined && rows.is_empty(),
                    "accepted_then_refused" => {
                        accepted
                            && rows.is_empty()
                            && refusal_is_real(i["code"].as_str().unwrap_or(""), i["error_code"].as_str().unwrap_or(""), rows, &states, acts)
                    }
                    "lookup_failed" => acts.list_failed,
                    "service_changed" => acts.rotated,
                    _ => false,
                };
                if !legit {
                    t.wrong += 1;
                }
                if accepted && rows.is_empty() && cause == "accepted_then_refused" && i["loss"] != json!(true) {
                    t.loss_unflagged += 1;
                }
                if declined && !rows.is_empty() && cause != "redeemed_after_decline" && cause != "service_changed" && cause != "lookup_failed" {
                    t.declined_unflagged += 1;
                }
            }
            _ => {}
        }
        t.intents += 1;
    }
    for id in &acts.committed {
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
                eprintln!("voucher-chaos: {done} seeds; so far {}; slowest seed {} took {:.1}s", total.summary(done as usize), slowest.1, slowest.0.as_secs_f64());
            }
        }
        for s in &failed {
            println!("seed {s} FAILED; replay it alone: cargo run --release --bin voucher-chaos -- --seed {s}");
        }
        (total, failed.len())
    });
    let (t, failed) = total;
    println!("{}", t.faults());
    println!("{}", t.causes());
    println!("{}", t.summary(n_seeds));
    std::process::exit(if failed > 0 { 1 } else { 0 });
}

#[cfg(test)]
mod tests {
    use super::*;

    fn intent(id: &str, state: &str, tx: Option<&str>) -> Value {
        json!({"id": id, "state": state, "code": "rsg:v1", "transaction_id": tx})
    }

    fn refused(id: &str, code: &str) -> Value {
        json!({"id": id, "state": "refused", "code": "rsg:v1", "error_code": code})
    }

    fn review(id: &str, cause: &str, loss: bool) -> Value {
        json!({"id": id, "state": "needs_review", "code": "rsg:v1", "review_cause": cause, "loss": loss})
    }

    fn row(tx: &str, intent: &str, vouchers: &[&str]) -> Value {
        json!({"transaction_id": tx, "idempotency_key": format!("k-{tx}"), "metadata": format!("pos_ID:T1,intent_ID:{intent}"), "voucher_ids": vouchers})
    }

    fn voucher(id: &str, state: &str, redeemed_in: Option<&str>) -> Value {
        json!({"id": id, "state": state, "redeemed_in": redeemed_in})
    }

    fn acts(committed: &[&str]) -> Actions {
        Actions { committed: committed.iter().map(|s| s.to_string()).collect(), ..Actions::default() }
    }

    #[test]
    fn a_clean_run_passes() {
        let t = check(
            &[intent("a", "redeemed", Some("t1")), refused("b", "redemption_vouchers_used")],
            &[row("t1", "a", &["v1"])],
            &[voucher("v1", "active", Some("t1"))],
            &acts(&["a", "b"]),
        );
        assert!(!t.bad(), "{t:?}");
        assert_eq!(t.intents, 2);
    }

    #[test]
    fn a_voucher_in_two_ledger_rows_is_a_double() {
        let t = check(&[intent("a", "redeemed", Some("t1")), intent("b", "redeemed", Some("t2"))], &[row("t1", "a", &["v1"]), row("t2", "b", &["v1"])], &[], &acts(&["a", "b"]));
        assert_eq!(t.double, 1);
    }

    #[test]
    fn redeemed_without_a_ledger_row_is_a_guess() {
        let t = check(&[intent("a", "redeemed", Some("t9"))], &[], &[], &acts(&["a"]));
        assert_eq!(t.guessed, 1);
    }

    #[test]
    fn a_ledger_row_the_terminal_calls_refused_is_lost() {
        let t = check(&[refused("a", "redemption_vouchers_used")], &[row("t1", "a", &["v1"])], &[voucher("v1", "active", Some("t1"))], &acts(&["a"]));
        assert_eq!(t.lost, 1);
        assert_eq!(t.wrong, 1, "used by itself is not a real reason");
    }

    #[test]
    fn a_committed_intent_that_vanished_or_stayed_pending_is_caught() {
        let t = check(&[intent("b", "unknown", None)], &[], &[], &acts(&["a", "b"]));
        assert_eq!((t.lost, t.stuck), (1, 1));
    }

    #[test]
    fn a_terminal_that_calls_a_500_refused_fails_the_checker() {
        // The voucher is active and nobody redeemed it: no refusal code is true of it.
        let v = [voucher("v1", "active", None)];
        for code in ["redemption_vouchers_used", "redemption_vouchers_voided", "redemption_vouchers_period_ended", "internal_error"] {
            let t = check(&[refused("a", code)], &[], &v, &acts(&["a"]));
            assert_eq!(t.wrong, 1, "{code}");
        }
        let t = check(&[refused("a", "redemption_vouchers_period_ended")], &[], &[voucher("v1", "expired", None)], &acts(&["a"]));
        assert_eq!(t.wrong, 0, "a campaign that really ended");
    }

    #[test]
    fn a_terminal_that_sends_everything_to_review_fails_the_checker() {
        let v = [voucher("v1", "active", None)];
        for cause in ["lookup_failed", "service_changed", "declined_not_found", "accepted_then_refused", "key_reused", "none"] {
            let t = check(&[review("a", cause, false)], &[], &v, &acts(&["a"]));
            assert_eq!(t.wrong, 1, "{cause} did not occur in this run");
        }
        let mut a = acts(&["a"]);
        a.list_failed = true;
        assert_eq!(check(&[review("a", "lookup_failed", false)], &[], &v, &a).wrong, 0);
    }

    #[test]
    fn a_declined_voucher_redeemed_without_review_is_flagged() {
        let mut a = acts(&["a"]);
        a.declined.insert("a".into());
        let t = check(&[intent("a", "redeemed", Some("t1"))], &[row("t1", "a", &["v1"])], &[voucher("v1", "active", Some("t1"))], &a);
        assert_eq!(t.declined_unflagged, 1);
        let t = check(&[review("a", "redeemed_after_decline", false)], &[row("t1", "a", &["v1"])], &[voucher("v1", "active", Some("t1"))], &a);
        assert!(!t.bad(), "{t:?}");
        let t = check(&[json!({"id": "a", "state": "cancelled", "code": "rsg:v1"})], &[], &[voucher("v1", "active", None)], &a);
        assert!(!t.bad(), "declined and withdrawn: {t:?}");
    }

    #[test]
    fn an_accepted_voucher_refused_without_a_loss_is_flagged() {
        let mut a = acts(&["a"]);
        a.accepted.insert("a".into());
        let v = [voucher("v1", "voided", None)];
        assert_eq!(check(&[refused("a", "redemption_vouchers_voided")], &[], &v, &a).loss_unflagged, 1);
        let mut r = review("a", "accepted_then_refused", false);
        r["error_code"] = json!("redemption_vouchers_voided");
        assert_eq!(check(&[r.clone()], &[], &v, &a).loss_unflagged, 1, "in review but without the loss flag");
        r["loss"] = json!(true);
        assert!(!check(&[r], &[], &v, &a).bad());
    }
}
