//! `voucher-chaos`: the fault-injection proof of the one invariant, at the checkout.
//!
//! Each seed runs a random schedule against real processes: the sandbox binary with
//! faults switched mid-run (latency, 5xx, 429 with `Retry-After` in seconds or as an
//! HTTP date, a key check that fails with 401 for a while, drop after commit, a
//! proxy's 502 after commit, a transactions list that fails for a while or answers
//! slower than the terminal's request timeout, offline windows, a one-second key
//! window), campaigns ending and vouchers voided mid-run, and a `voucher-pos session`
//! terminal driven as a till: vouchers scanned into a sale, Redeem pressed for the
//! whole sale (or one voucher), the cashier's accept, decline and withdraw, and **Next
//! customer** (`close`), which a voucher still waiting for the service refuses until
//! the cashier answers it. Codes of a closed sale are scanned again in the next one.
//! The terminal is SIGKILLed at random moments and restarted with its clock up to
//! three days off; its clock jumps while it runs (`skew`, now and then more than a
//! week fast); its API key may be rotated while outcomes are unknown; and in half the
//! seeds it is stopped, a backup made earlier in the run is restored, and it goes on.
//! Afterwards the faults stop, `voucher-pos sync --until-idle` runs, and a checker
//! compares the sandbox's ledger and voucher states with the terminal's log, sales
//! and (for each intent in review) its attempts. The checker reads only what the
//! processes print: it shares no state with either. A failing seed prints how to
//! replay it alone, what failed in words, and keeps its databases.
//!
//! A green soak proves only what its faults can reach, so the checker judges every
//! verdict against what the service knows, not only the ledger (a terminal that called
//! every 500 "refused", or sent everything to review, fails it), judges each review
//! cause by what happened to that intent, and the run shows what it reached: how often
//! the sandbox served each fault (a fault kind scheduled and never served fails the
//! run, as does a fault step the sandbox refused), and how many sales closed, closes
//! were refused, re-scans were refused and restores were made. A terminal that exits
//! without being asked fails its seed, with its stderr.
//!
//!   cargo build --release --workspace && cargo run --release --bin voucher-chaos -- --seeds 1000

use std::collections::{BTreeMap, BTreeSet, HashMap, HashSet, VecDeque};
use std::path::PathBuf;
use std::process::Stdio;
use std::sync::{Arc, Mutex};
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

/// The longest the soak waits for one answer of a running terminal.
const ANSWER_WAIT: Duration = Duration::from_secs(60);
/// The longest a one-shot `voucher-pos` command may take (the final sync waits 120 s).
const CLI_WAIT: Duration = Duration::from_secs(180);
/// Lines of a terminal's stderr kept to show why it died.
const STDERR_KEPT: usize = 200;
const DAY_MS: i64 = 86_400_000;

/// The store's offline policy: unconfirmed vouchers may pay, so that the cashier's
/// accept is exercised, even after the clock jumped weeks ahead.
const POLICY: &str =
    r#"{"accept_offline":true,"max_pending":1000,"max_pending_age_s":8640000,"max_vouchers_per_code":15}"#;

/// Every fault kind a schedule can switch on, by the name the sandbox counts it under
/// (`GET /_sandbox/requests`), so that the closing line shows each, served or not.
const FAULT_KINDS: [&str; 10] = [
    "500",
    "503",
    "429",
    "429_retry_after_date",
    "401",
    "drop_after_commit",
    "502_html_after_commit",
    "transactions_500",
    "list_slow",
    "offline_window",
];

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
    /// vouchers never had, or review for a cause that did not happen to that intent.
    wrong: u64,
    /// A declined voucher redeemed without a review item.
    declined_unflagged: u64,
    /// An accepted voucher refused without a loss flag.
    loss_unflagged: u64,
    /// A voucher that paid for two sales: one intent answered or kept in two sales, a
    /// voucher whose redemption (or acceptance) counts in two, or a live voucher of
    /// another sale that a scan let join this one.
    two_sales: u64,
    /// A sale closed while a voucher in it had no answer: pressed, with no outcome,
    /// neither accepted nor declined (or a scan left in it); or an `ok closed` that the
    /// database does not hold.
    unanswered_close: u64,
    /// Any other answer against the sale contract: Redeem sending another sale's
    /// voucher, a re-scan in its own sale refused as another's, a close still refused
    /// once every voucher was answered, a scan put into a sale other than the open one.
    sale_wrong: u64,
    review: u64,
    review_causes: BTreeMap<String, u64>,
    /// Each injected fault, and how many times the sandbox served it: what the
    /// schedules really reached, not only what they asked for.
    faults_served: BTreeMap<String, u64>,
    /// Each fault kind a schedule switched on (and the sandbox accepted).
    faults_scheduled: BTreeSet<String>,
    /// What the schedules drove the terminal through: sales closed, closes refused,
    /// re-scans refused, restores, clock jumps...
    reached: BTreeMap<&'static str, u64>,
    /// Each failure in words, for the seed's report.
    notes: Vec<String>,
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
        self.two_sales += o.two_sales;
        self.unanswered_close += o.unanswered_close;
        self.sale_wrong += o.sale_wrong;
        self.review += o.review;
        for (k, v) in o.review_causes {
            *self.review_causes.entry(k).or_default() += v;
        }
        for (k, v) in o.faults_served {
            *self.faults_served.entry(k).or_default() += v;
        }
        self.faults_scheduled.extend(o.faults_scheduled);
        for (k, v) in o.reached {
            *self.reached.entry(k).or_default() += v;
        }
        self.notes.extend(o.notes);
    }
    fn bad(&self) -> bool {
        self.double
            + self.lost
            + self.stuck
            + self.guessed
            + self.wrong
            + self.declined_unflagged
            + self.loss_unflagged
            + self.two_sales
            + self.unanswered_close
            + self.sale_wrong
            > 0
    }
    fn note(&mut self, what: String) {
        self.notes.push(what);
    }
    fn hit(&mut self, what: &'static str) {
        *self.reached.entry(what).or_default() += 1;
    }
    fn summary(&self, seeds: usize) -> String {
        format!(
            "seeds={seeds} intents={} double={} lost={} stuck={} guessed={} wrong={} declined_unflagged={} loss_unflagged={} two_sales={} unanswered_close={} sale_wrong={} review={}",
            self.intents,
            self.double,
            self.lost,
            self.stuck,
            self.guessed,
            self.wrong,
            self.declined_unflagged,
            self.loss_unflagged,
            self.two_sales,
            self.unanswered_close,
            self.sale_wrong,
            self.review
        )
    }
    fn causes(&self) -> String {
        let list: Vec<String> = self.review_causes.iter().map(|(k, v)| format!("{k}:{v}")).collect();
        if list.is_empty() {
            "review causes: none".into()
        } else {
            format!("review causes: {}", list.join(" "))
        }
    }
    /// Every fault kind, served or not, and any other the sandbox served.
    fn faults(&self) -> String {
        let mut kinds: BTreeSet<String> = FAULT_KINDS.iter().map(|k| k.to_string()).collect();
        kinds.extend(self.faults_served.keys().cloned());
        kinds.extend(self.faults_scheduled.iter().cloned());
        let list: Vec<String> =
            kinds.iter().map(|k| format!("{k}:{}", self.faults_served.get(k).copied().unwrap_or(0))).collect();
        format!("faults served: {}", list.join(" "))
    }
    /// The fault kinds the schedules switched on that the sandbox never served.
    fn never_served(&self) -> Vec<String> {
        self.faults_scheduled
            .iter()
            .filter(|k| self.faults_served.get(*k).copied().unwrap_or(0) == 0)
            .cloned()
            .collect()
    }
    fn reached_line(&self) -> String {
        let list: Vec<String> = self.reached.iter().map(|(k, v)| format!("{k}:{v}")).collect();
        format!("reached: {}", if list.is_empty() { "nothing".to_string() } else { list.join(" ") })
    }
}

/// What the schedule did, and what the terminal answered, for the checker to judge
/// the terminal's verdicts by.
#[derive(Default, Debug)]
struct Actions {
    committed: HashSet<String>,
    accepted: HashSet<String>,
    declined: HashSet<String>,
    withdrawn: HashSet<String>,
    /// The API key was rotated.
    rotated: bool,
    /// The intents committed before the rotation: only they can have been sent with
    /// the first key, so only they may be handed over as `service_changed`.
    committed_before_rotation: HashSet<String>,
    /// Every state the schedule gave a voucher (a voucher voided and later expired was
    /// voided when it was refused): the service's final state alone would hide it.
    states_ever: HashMap<String, HashSet<String>>,
    /// Each intent, and the sale the terminal said it belongs to.
    sale_of: HashMap<String, String>,
    /// Intents the terminal named before a restore that the restored database does not
    /// hold: what they did at the service is the backup's loss (the end-of-day report's
    /// to find), not a verdict of the terminal.
    forgotten: HashSet<String>,
    /// Intents pressed before a restore that the restored database holds as only
    /// scanned: redeemed at the service, they wait for a press, a close or the report.
    rewound: HashSet<String>,
    /// Intents not final in a restored database: maybe-executed from then on. Closing
    /// their sale unpressed declines them, so for them the terminal's own `declined`
    /// flag is a decline that happened.
    restored_pending: HashSet<String>,
}

/// The soak's picture of the sales, from the terminal's answers (and, after a
/// restore, from its log and sales).
#[derive(Default, Debug)]
struct SaleBook {
    /// Each code, and the intent its last scan named.
    intent_of: HashMap<String, String>,
    /// Sales the terminal closed.
    closed: HashSet<String>,
    /// The open sale, once a scan of this process named it; `None` after a close and
    /// after a restart (the next scan says which sale is open).
    open: Option<String>,
    /// The intents of `open` the soak knows, in the order it learned them.
    items: Vec<String>,
}

impl SaleBook {
    /// A new terminal process: the next scan says which sale is open.
    fn restarted(&mut self) {
        self.open = None;
        self.items.clear();
    }
}

fn sibling(name: &str) -> PathBuf {
    let exe = std::env::current_exe().expect("own path");
    let p = exe.parent().expect("a folder").join(name);
    if !p.exists() {
        eprintln!(
            "voucher-chaos: {} is missing; build the workspace first (cargo build --workspace [--release])",
            p.display()
        );
        std::process::exit(2);
    }
    p
}

struct Session {
    child: Child,
    stdin: ChildStdin,
    lines: Lines<BufReader<ChildStdout>>,
    /// The last lines of its stderr, to show why it died.
    stderr: Arc<Mutex<VecDeque<String>>>,
    stderr_done: tokio::task::JoinHandle<()>,
}

impl Session {
    fn stderr_tail(&self) -> String {
        let lines = self.stderr.lock().unwrap_or_else(|p| p.into_inner());
        if lines.is_empty() {
            "    (nothing)".into()
        } else {
            lines.iter().map(|l| format!("    {l}")).collect::<Vec<_>>().join("\n")
        }
    }

    /// A terminal that exited without being asked (a panic, an error): how it ended
    /// and the last of its stderr, which fail the seed.
    async fn death(&mut self, during: &str) -> String {
        let status = match tokio::time::timeout(Duration::from_secs(5), self.child.wait()).await {
            Ok(Ok(s)) => s.to_string(),
            Ok(Err(e)) => format!("exit unknown: {e}"),
            Err(_) => {
                let _ = self.child.start_kill();
                "its stdout closed while it ran; killed".into()
            }
        };
        let _ = tokio::time::timeout(Duration::from_secs(2), &mut self.stderr_done).await;
        format!("the terminal died unexpectedly at {during:?} ({status}); its stderr:\n{}", self.stderr_tail())
    }

    /// SIGKILL, as the schedule asks. A terminal already gone died on its own.
    async fn kill(&mut self, during: &str) -> Result<(), String> {
        if let Ok(Some(_)) = self.child.try_wait() {
            return Err(self.death(during).await);
        }
        let _ = self.child.start_kill();
        let _ = self.child.wait().await;
        Ok(())
    }

    /// Asks it to quit: it must finish and exit 0.
    async fn quit(&mut self, during: &str) -> Result<(), String> {
        let asked: std::io::Result<()> = async {
            self.stdin.write_all(b"quit\n").await?;
            self.stdin.flush().await
        }
        .await;
        if asked.is_err() {
            return Err(self.death(during).await);
        }
        match tokio::time::timeout(ANSWER_WAIT, self.child.wait()).await {
            Ok(Ok(s)) if s.success() => Ok(()),
            Ok(_) => Err(self.death(during).await),
            Err(_) => {
                let _ = self.child.start_kill();
                Err(format!(
                    "the terminal did not quit within {} s at {during:?}; its stderr:\n{}",
                    ANSWER_WAIT.as_secs(),
                    self.stderr_tail()
                ))
            }
        }
    }
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
            "--db",
            &self.dir.join("terminal.db").to_string_lossy(),
            "--service",
            &self.url,
            "--api-key",
            &self.api_key,
            "--request-timeout",
            "1s",
            "--key-window",
            "1s",
            "--key-window-margin",
            "250ms",
            "--backoff-cap",
            "400ms",
            "--decline-grace",
            "300ms",
            "--seed",
            &self.seed.to_string(),
            &format!("--clock-skew={}ms", self.skew_ms),
        ]
        .iter()
        .map(|s| s.to_string())
        .collect()
    }

    fn start_session(&self) -> Session {
        if self.verbose {
            println!("  start terminal: key {} clock {:+.2} days", self.api_key, self.skew_ms as f64 / DAY_MS as f64);
        }
        let mut child = Command::new(sibling("voucher-pos"))
            .args(self.terminal_args())
            .arg("session")
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .kill_on_drop(true)
            .spawn()
            .expect("start voucher-pos session");
        let stdin = child.stdin.take().unwrap();
        let lines = BufReader::new(child.stdout.take().unwrap()).lines();
        let stderr = Arc::new(Mutex::new(VecDeque::new()));
        let kept = stderr.clone();
        let mut from = BufReader::new(child.stderr.take().unwrap());
        // Read to the end, whatever the bytes: a full pipe would block the terminal.
        let stderr_done = tokio::spawn(async move {
            let mut line = Vec::new();
            loop {
                line.clear();
                match from.read_until(b'\n', &mut line).await {
                    Ok(0) | Err(_) => break,
                    Ok(_) => {
                        let mut k = kept.lock().unwrap_or_else(|p| p.into_inner());
                        if k.len() == STDERR_KEPT {
                            k.pop_front();
                        }
                        k.push_back(String::from_utf8_lossy(&line).trim_end().to_string());
                    }
                }
            }
        });
        Session { child, stdin, lines, stderr, stderr_done }
    }

    /// Switches the sandbox's faults; a body it refuses fails the seed, since a step
    /// that injects nothing proves nothing.
    async fn faults(&self, f: Value) -> Result<(), String> {
        if self.verbose {
            println!("  faults {f}");
        }
        self.admin_call(
            self.http.put(format!("{}/_sandbox/faults", self.admin)).json(&f),
            &format!("the fault step {f}"),
        )
        .await
        .map(|_| ())
    }

    async fn set_state(&self, ids: &[String], state: &str) -> Result<(), String> {
        if self.verbose {
            println!("  vouchers {ids:?} -> {state}");
        }
        let body = json!({"voucher_ids": ids, "state": state});
        self.admin_call(
            self.http.post(format!("{}/_sandbox/vouchers/state", self.admin)).json(&body),
            &format!("voucher state {body}"),
        )
        .await
        .map(|_| ())
    }

    async fn vouchers(&self, count: usize, state: &str) -> Result<String, String> {
        let body = json!({"count": count, "value": 100, "state": state});
        let v = self
            .admin_call(
                self.http.post(format!("{}/_sandbox/vouchers", self.admin)).json(&body),
                &format!("new vouchers {body}"),
            )
            .await?;
        v["qr"].as_str().map(str::to_string).ok_or_else(|| format!("the sandbox's new vouchers have no qr: {v}"))
    }

    /// One admin request; anything but a 2xx with a JSON body fails the seed, loudly.
    async fn admin_call(&self, req: reqwest::RequestBuilder, what: &str) -> Result<Value, String> {
        let r = req.send().await.map_err(|e| format!("sandbox admin, {what}: {e}"))?;
        let status = r.status();
        let text = r.text().await.map_err(|e| format!("sandbox admin, {what}: {e}"))?;
        if !status.is_success() {
            return Err(format!("the sandbox refused {what}: {status} {text}"));
        }
        serde_json::from_str(&text).map_err(|e| format!("sandbox admin, {what}: not JSON ({e}): {text}"))
    }

    /// Runs one `voucher-pos` command (the session stopped) to its end: its exit code
    /// and stdout, or, with any other exit, the seed fails with its stderr.
    async fn cli(&self, args: &[&str], ok: &[i32]) -> Result<(i32, Vec<u8>), String> {
        let what = args.join(" ");
        let running = Command::new(sibling("voucher-pos"))
            .args(self.terminal_args())
            .args(args)
            .stdin(Stdio::null())
            .kill_on_drop(true)
            .output();
        let out = match tokio::time::timeout(CLI_WAIT, running).await {
            Ok(r) => r.map_err(|e| format!("voucher-pos {what}: {e}"))?,
            Err(_) => return Err(format!("voucher-pos {what} did not end within {} s", CLI_WAIT.as_secs())),
        };
        match out.status.code() {
            Some(c) if ok.contains(&c) => Ok((c, out.stdout)),
            _ => Err(format!(
                "voucher-pos {what} ended with {}; its stderr:\n{}",
                out.status,
                String::from_utf8_lossy(&out.stderr).trim_end()
            )),
        }
    }

    async fn log(&self) -> Result<Vec<Value>, String> {
        let (_, out) = self.cli(&["log", "--format", "json"], &[0]).await?;
        serde_json::from_slice(&out).map_err(|e| format!("terminal log: {e}"))
    }

    async fn sales(&self) -> Result<Vec<Value>, String> {
        let (_, out) = self.cli(&["sales"], &[0]).await?;
        serde_json::from_slice(&out).map_err(|e| format!("terminal sales: {e}"))
    }

    /// One intent with its attempts and history (`show` exits with the intent's code).
    async fn show(&self, id: &str) -> Result<Value, String> {
        let (_, out) = self.cli(&["show", id], &[0, 2, 3, 4, 5, 6]).await?;
        serde_json::from_slice(&out).map_err(|e| format!("terminal show {id}: {e}"))
    }
}

/// Sends one command and reads its one-line answer. A terminal that exits, or gives
/// no answer in time, fails the seed with its stderr.
async fn ask(s: &mut Session, line: &str) -> Result<String, String> {
    let answer = tokio::time::timeout(ANSWER_WAIT, async {
        s.stdin.write_all(format!("{line}\n").as_bytes()).await.ok()?;
        s.stdin.flush().await.ok()?;
        s.lines.next_line().await.ok().flatten()
    })
    .await;
    match answer {
        Ok(Some(a)) => Ok(a),
        Ok(None) => Err(s.death(line).await),
        Err(_) => Err(format!(
            "the terminal gave no answer to {line:?} within {} s; its stderr:\n{}",
            ANSWER_WAIT.as_secs(),
            s.stderr_tail()
        )),
    }
}

fn skew(rng: &mut StdRng) -> i64 {
    // Up to three days either way, or (half the time) a correct clock.
    if rng.gen_bool(0.5) {
        0
    } else {
        rng.gen_range(-3 * DAY_MS..=3 * DAY_MS)
    }
}

/// A JSON id as text (sales and intents name sales by a string; a number would do).
fn text(v: &Value) -> Option<String> {
    match v {
        Value::String(s) if s != "-" && !s.is_empty() => Some(s.clone()),
        Value::Number(n) => Some(n.to_string()),
        _ => None,
    }
}

fn voucher_ids_of(code: &str) -> Vec<&str> {
    code.split_once(':').map(|(_, r)| r.split(',').collect()).unwrap_or_default()
}

fn is_final(state: &str) -> bool {
    matches!(state, "redeemed" | "refused" | "cancelled")
}

/// Whether a sale may have closed with this voucher in it: it has an outcome (or was
/// withdrawn), or the cashier answered it (accepted for the sale, or declined).
fn answered(i: &Value) -> bool {
    is_final(i["state"].as_str().unwrap_or("")) || i["accepted_offline"] == json!(true) || i["declined"] == json!(true)
}

/// Judges one scan's answer against the sales as the terminal named them so far, and
/// records what it says. An answer outside the contract is a harness error.
fn judge_scan(book: &mut SaleBook, acts: &mut Actions, code: &str, answer: &str, t: &mut Tally) -> Result<(), String> {
    if answer.starts_with("err voucher_in_other_sale") {
        t.hit("rescans_refused_other_sale");
        if let Some(id) = book.intent_of.get(code) {
            if book.items.contains(id) {
                t.sale_wrong += 1;
                t.note(format!("a re-scan of {code} was refused as another sale's, but its voucher {id} is in the open sale: {answer}"));
            }
        }
        return Ok(());
    }
    let f: Vec<&str> = answer.split(' ').collect();
    let &["ok", "scanned", id, kind, _state, sale, ..] = f.as_slice() else {
        return Err(format!("scan {code} answered {answer:?}"));
    };
    let (id, sale) = (id.to_string(), (sale != "-").then(|| sale.to_string()));
    if let (Some(before), Some(now)) = (acts.sale_of.get(&id), &sale) {
        if before != now {
            t.two_sales += 1;
            t.note(format!("intent {id} was in sale {before}; a scan of {code} answered it in sale {now}"));
        }
    }
    book.intent_of.insert(code.to_string(), id.clone());
    match kind {
        // Nothing joins the sale: the voucher was redeemed for the sale it belongs to.
        "already_redeemed" => {
            if let Some(s) = sale {
                acts.sale_of.entry(id).or_insert(s);
            }
            return Ok(());
        }
        "created" | "existing" => {}
        _ => return Err(format!("scan {code} answered {answer:?}")),
    }
    let Some(sale) = sale else {
        return Err(format!("scan {code} answered {answer:?}: a voucher on the till in no sale"));
    };
    let elsewhere = if book.closed.contains(&sale) {
        Some(format!("closed sale {sale}"))
    } else {
        book.open.as_ref().filter(|open| **open != sale).map(|open| format!("sale {sale} while sale {open} is open"))
    };
    if let Some(where_) = elsewhere {
        if kind == "existing" {
            // The page would add it to this sale and count it: one voucher, two sales.
            t.two_sales += 1;
            t.note(format!(
                "a scan of {code} showed the live voucher {id} of {where_} instead of voucher_in_other_sale"
            ));
        } else {
            t.sale_wrong += 1;
            t.note(format!("a scan of {code} put the new voucher {id} into {where_}"));
        }
        acts.sale_of.entry(id).or_insert(sale);
        return Ok(());
    }
    if book.open.is_none() {
        // This process's first word on the open sale: it holds what the soak knows of it.
        // (Not those a restore forgot: the database no longer holds them.)
        let mut known: Vec<String> = acts
            .sale_of
            .iter()
            .filter(|(i, s)| **s == sale && !acts.forgotten.contains(*i))
            .map(|(i, _)| i.clone())
            .collect();
        known.sort();
        book.items = known;
        book.open = Some(sale.clone());
    }
    acts.sale_of.entry(id.clone()).or_insert(sale);
    if !book.items.contains(&id) {
        book.items.push(id);
    }
    Ok(())
}

/// Judges the whole sale's Redeem press (`ok sent SALE ID,ID`): it sends the open
/// sale's own vouchers only.
fn judge_sent(book: &SaleBook, acts: &mut Actions, answer: &str, t: &mut Tally) -> Result<(), String> {
    let f: Vec<&str> = answer.split(' ').collect();
    let &["ok", "sent", sale, ids] = f.as_slice() else { return Err(format!("redeem answered {answer:?}")) };
    t.hit("whole_sale_presses");
    if book.open.as_deref() != Some(sale) {
        t.sale_wrong += 1;
        t.note(format!("Redeem for the open sale {:?} answered for sale {sale}", book.open));
    }
    for id in ids.split(',').filter(|s| !s.is_empty() && *s != "-") {
        match acts.sale_of.get(id) {
            Some(s) if s == sale => {}
            Some(s) => {
                t.sale_wrong += 1;
                t.note(format!("Redeem for sale {sale} sent voucher {id} of sale {s}"));
            }
            None => {
                t.sale_wrong += 1;
                t.note(format!("Redeem for sale {sale} sent {id}, which no scan named"));
            }
        }
        acts.committed.insert(id.to_string());
    }
    Ok(())
}

/// A closed sale as the terminal's database holds it: closed, and every voucher in it
/// answered.
fn judge_closed_sale(sale: &str, intents: &[Value], sales: &[Value], t: &mut Tally) {
    let closed = sales.iter().any(|s| text(&s["id"]).as_deref() == Some(sale) && !s["closed_at"].is_null());
    if !closed {
        t.unanswered_close += 1;
        t.note(format!("sale {sale} was answered `ok closed`, and the database holds it open"));
    }
    for i in intents.iter().filter(|i| text(&i["sale_id"]).as_deref() == Some(sale)) {
        if !answered(i) {
            t.unanswered_close += 1;
            t.note(format!(
                "sale {sale} closed with voucher {} {} unanswered (neither accepted nor declined)",
                i["id"], i["state"]
            ));
        }
    }
}

/// After a restore the terminal knows what the backup knew: the soak's picture of its
/// intents and sales is read back from its log and sales.
fn rebase_on_restore(book: &mut SaleBook, acts: &mut Actions, intents: &[Value], sales: &[Value], t: &mut Tally) {
    let kept: HashMap<String, &Value> =
        intents.iter().filter_map(|i| Some((i["id"].as_str()?.to_string(), i))).collect();
    let state = |id: &str| kept.get(id).and_then(|i| i["state"].as_str()).unwrap_or("").to_string();
    let named: Vec<String> = acts.sale_of.keys().chain(acts.committed.iter()).cloned().collect();
    for id in named {
        if !kept.contains_key(&id) && acts.forgotten.insert(id) {
            t.hit("intents_forgotten_by_restore");
        }
    }
    let mut ids: Vec<&String> = kept.keys().collect();
    ids.sort();
    for id in &ids {
        let st = state(id.as_str());
        if st == "scanned" && acts.committed.contains(*id) {
            acts.rewound.insert(id.to_string());
        }
        if !is_final(&st) {
            acts.restored_pending.insert(id.to_string());
        }
    }
    let committed: HashSet<String> = ids
        .iter()
        .filter(|id| match state(id.as_str()).as_str() {
            "scanned" => false,
            // Withdrawn or declined before the backup: as the soak knew it.
            "cancelled" => acts.committed.contains(**id),
            _ => true,
        })
        .map(|id| id.to_string())
        .collect();
    acts.committed = committed;
    acts.accepted =
        kept.iter().filter(|(_, i)| i["accepted_offline"] == json!(true)).map(|(id, _)| id.clone()).collect();
    acts.declined = kept.iter().filter(|(_, i)| i["declined"] == json!(true)).map(|(id, _)| id.clone()).collect();
    acts.withdrawn.retain(|id| state(id.as_str()) == "cancelled");
    // The forgotten keep the sale they were answered in: their redemptions paid for it.
    let forgotten = acts.forgotten.clone();
    acts.sale_of.retain(|id, _| forgotten.contains(id));
    for (id, i) in &kept {
        if let Some(s) = text(&i["sale_id"]) {
            acts.sale_of.insert(id.clone(), s);
        }
    }
    book.intent_of.clear();
    // The newest live intent of a code is the one a scan meets; a final one otherwise.
    for live in [false, true] {
        for i in intents {
            let (Some(id), Some(code)) = (i["id"].as_str(), i["code"].as_str()) else { continue };
            if is_final(i["state"].as_str().unwrap_or("")) != live {
                book.intent_of.insert(code.to_string(), id.to_string());
            }
        }
    }
    book.closed = sales.iter().filter(|s| !s["closed_at"].is_null()).filter_map(|s| text(&s["id"])).collect();
    book.restarted();
}

/// The cashier answers one voucher: accepts it for the sale, or (or when the store's
/// policy refuses the accept) declines it. A refusal of both is fine here: the close
/// that follows says whether the sale still waits.
async fn answer_voucher(
    session: &mut Session,
    acts: &mut Actions,
    id: &str,
    accept_first: bool,
    verbose: bool,
) -> Result<(), String> {
    if accept_first {
        let a = ask(session, &format!("accept {id}")).await?;
        if verbose {
            println!("    accept {id}: {a}");
        }
        if a.starts_with("ok ") {
            acts.accepted.insert(id.to_string());
            return Ok(());
        }
    }
    let a = ask(session, &format!("decline {id}")).await?;
    if verbose {
        println!("    decline {id}: {a}");
    }
    if a.starts_with("ok ") {
        acts.declined.insert(id.to_string());
    } else if !a.starts_with("err ") {
        return Err(format!("decline answered {a:?}"));
    }
    Ok(())
}

/// Next customer: `close`. A refusal (`sale_unresolved`) is met as a cashier would:
/// each pressed voucher of the sale without an answer is accepted or declined, and
/// the sale closed again. Half the closes are read back at once from the database
/// (the terminal SIGKILLed right after its answer): the sale must be closed there,
/// with every voucher in it answered.
async fn close_sale(
    session: &mut Session,
    run: &Run,
    book: &mut SaleBook,
    acts: &mut Actions,
    t: &mut Tally,
    rng: &mut StdRng,
    step: usize,
) -> Result<(), String> {
    let open = book.open.clone();
    let mut a = ask(session, "close").await?;
    if run.verbose {
        println!("  step {step}: close: {a}");
    }
    if a.starts_with("err sale_unresolved") {
        t.hit("closes_refused_unresolved");
        for id in book.items.clone() {
            let has_answer = acts.accepted.contains(&id) || acts.declined.contains(&id) || acts.withdrawn.contains(&id);
            if acts.committed.contains(&id) && !has_answer {
                let accept_first = rng.gen_bool(0.5);
                answer_voucher(session, acts, &id, accept_first, run.verbose).await?;
            }
        }
        a = ask(session, "close").await?;
        if run.verbose {
            println!("  step {step}: close again: {a}");
        }
        if a.starts_with("err sale_unresolved") {
            t.sale_wrong += 1;
            t.note(format!("sale {open:?}: every pressed voucher was answered, and the close was still refused: {a}"));
            return Ok(());
        }
    }
    let Some(sale) = a.strip_prefix("ok closed ") else { return Err(format!("close answered {a:?}")) };
    let sale = sale.trim().to_string();
    if sale == "-" {
        t.sale_wrong += 1;
        t.note(format!("close answered that no sale was open, while sale {open:?} was"));
        book.restarted();
        return Ok(());
    }
    if open.as_deref() != Some(sale.as_str()) {
        t.sale_wrong += 1;
        t.note(format!("close of the open sale {open:?} closed sale {sale}"));
    }
    t.hit("sales_closed");
    book.closed.insert(sale.clone());
    book.restarted();
    if rng.gen_bool(0.5) {
        session.kill("a read-back after close").await?;
        let intents = run.log().await?;
        let sales = run.sales().await?;
        judge_closed_sale(&sale, &intents, &sales, t);
        t.hit("closes_read_back");
        *session = run.start_session();
    }
    Ok(())
}

/// The fault kinds the sandbox has served so far, with how often.
async fn served(run: &Run) -> Result<BTreeMap<String, u64>, String> {
    let v: Value = run
        .http
        .get(format!("{}/_sandbox/requests", run.admin))
        .send()
        .await
        .map_err(|e| e.to_string())?
        .json()
        .await
        .map_err(|e| e.to_string())?;
    Ok(v["faults_served"]
        .as_object()
        .map(|m| m.iter().map(|(k, n)| (k.clone(), n.as_u64().unwrap_or(0))).collect())
        .unwrap_or_default())
}

/// The fault settings that serve `kind` to the next request that can meet it. A
/// list fault meets lookups, which an outcome left unknown past the key window
/// gets: a proxy's 502 after every commit makes one.
fn fault_alone(kind: &str) -> Option<Value> {
    Some(match kind {
        "500" | "503" | "401" | "429" => json!({"error_rate": {kind: 1.0}, "retry_after_s": 1}),
        "429_retry_after_date" => json!({"error_rate": {"429": 1.0}, "retry_after_s": 1, "retry_after_as_date": true}),
        "drop_after_commit" => json!({"drop_after_commit_rate": 1.0}),
        "502_html_after_commit" => json!({"gateway_error_after_commit_rate": 1.0}),
        "transactions_500" => json!({"gateway_error_after_commit_rate": 1.0, "transactions_error_rate": 1.0}),
        "list_slow" => json!({"gateway_error_after_commit_rate": 1.0, "list_latency_ms": 1500}),
        "offline_window" => json!({"offline": true}),
        _ => return None,
    })
}

async fn serve_what_was_scheduled(
    run: &Run,
    session: &mut Session,
    book: &mut SaleBook,
    acts: &mut Actions,
    found: &mut Tally,
    verbose: bool,
) -> Result<(), String> {
    let so_far = served(run).await?;
    let missing: Vec<String> =
        found.faults_scheduled.iter().filter(|k| so_far.get(*k).copied().unwrap_or(0) == 0).cloned().collect();
    for kind in missing {
        let Some(f) = fault_alone(&kind) else { continue };
        if verbose {
            println!("  not yet served: {kind}; set alone");
        }
        run.faults(f).await?;
        let code = run.vouchers(1, "active").await?;
        let a = ask(session, &format!("scan {code}")).await?;
        judge_scan(book, acts, &code, &a, found)?;
        if book.open.is_some() {
            let a = ask(session, "redeem").await?;
            judge_sent(book, acts, &a, found)?;
        }
        let started = tokio::time::Instant::now();
        while served(run).await?.get(&kind).copied().unwrap_or(0) == 0 && started.elapsed() < Duration::from_secs(10) {
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        if verbose {
            println!("  {kind} served after {} ms", started.elapsed().as_millis());
        }
        found.hit("faults_set_alone");
    }
    Ok(())
}

async fn run_seed(seed: u64, verbose: bool) -> Result<Tally, String> {
    let tmp = tempfile::tempdir().map_err(|e| e.to_string())?;
    let driven = drive(seed, verbose, &tmp).await;
    match driven {
        Ok(t) if t.bad() => {
            // Keep the evidence: `voucher-pos --db DIR/terminal.db show ID` reads the attempts.
            println!("seed {seed}: databases kept in {}", tmp.keep().display());
            Ok(t)
        }
        Ok(t) => Ok(t),
        Err(e) => Err(format!("{e}\n  databases kept in {}", tmp.keep().display())),
    }
}

async fn drive(seed: u64, verbose: bool, tmp: &tempfile::TempDir) -> Result<Tally, String> {
    let mut rng = StdRng::seed_from_u64(seed);
    let mut sandbox = Command::new(sibling("voucher-sandbox"))
        .args([
            "--listen",
            "127.0.0.1:0",
            "--key-ttl",
            "1s",
            "--api-key",
            "test_first",
            "--api-key",
            "test_second",
            "--seed",
            &seed.to_string(),
            "--db",
        ])
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
        codes.push(run.vouchers(n, "active").await?);
    }
    let used = run.vouchers(1, "active").await?;
    let setup = run
        .http
        .post(format!("{}/v1/vouchers/redeem", run.url))
        .header("x-api-key", "test_first")
        .header("Idempotency-Key", format!("setup-{seed}"))
        .body(json!({"qr": used, "metadata": "setup"}).to_string())
        .send()
        .await
        .map_err(|e| e.to_string())?;
    if !setup.status().is_success() {
        return Err(format!("the setup redemption was answered {}", setup.status()));
    }
    codes.push(used);
    let voided = run.vouchers(1, "voided").await?;
    let mut acts = Actions::default();
    for id in voucher_ids_of(&voided) {
        acts.states_ever.entry(id.to_string()).or_default().insert("voided".into());
    }
    codes.push(voided);

    run.cli(&["policy", "--set", POLICY], &[0]).await?;

    // What the run itself saw go wrong, and what it reached.
    let mut found = Tally::default();
    let mut book = SaleBook::default();
    let steps = rng.gen_range(14..34usize);
    // In half the seeds: a backup, and its restore some steps later. Not together with
    // a key rotation: a restored copy does not say which key its unsent intents would
    // have gone with, and the transactions list is per key.
    let restore_plan = if rng.gen_bool(0.5) {
        let b = rng.gen_range(2..steps - 8);
        Some((b, rng.gen_range(b + 3..steps - 2)))
    } else {
        None
    };
    let mut backup: Option<String> = None;
    let mut session = run.start_session();
    for step in 0..steps {
        if restore_plan.is_some_and(|(b, _)| b == step) {
            // The terminal stops; a backup is made, as the daily one would be.
            session.quit("stop for a backup").await?;
            let (_, out) = run.cli(&["backup"], &[0]).await?;
            let file = String::from_utf8_lossy(&out).trim().to_string();
            if file.is_empty() {
                return Err("backup printed no file".into());
            }
            if verbose {
                println!("  step {step}: backup {file}");
            }
            backup = Some(file);
            found.hit("backups");
            book.restarted();
            session = run.start_session();
        }
        if restore_plan.is_some_and(|(_, r)| r == step) {
            if let Some(file) = backup.take() {
                // Stopped (or crashed), and a manager restores the earlier backup.
                if rng.gen_bool(0.5) {
                    session.kill("stop for a restore").await?;
                } else {
                    session.quit("stop for a restore").await?;
                }
                run.cli(&["restore", &file], &[0]).await?;
                let intents = run.log().await?;
                let sales = run.sales().await?;
                rebase_on_restore(&mut book, &mut acts, &intents, &sales, &mut found);
                if verbose {
                    println!("  step {step}: restored {file}: {} intents, {} sales", intents.len(), sales.len());
                }
                found.hit("restores");
                session = run.start_session();
            }
        }
        let roll: f64 = rng.gen();
        if roll < 0.24 {
            // A scan. At a new sale, now and then a code the last sales hold: a voucher
            // of a closed sale must not join this one.
            let again: Vec<&String> = codes
                .iter()
                .filter(|c| {
                    book.intent_of.get(*c).and_then(|i| acts.sale_of.get(i)).is_some_and(|s| book.closed.contains(s))
                })
                .collect();
            let code = if book.open.is_none() && !again.is_empty() && rng.gen_bool(0.5) {
                found.hit("rescans_across_sales");
                again[rng.gen_range(0..again.len())].clone()
            } else {
                codes[rng.gen_range(0..codes.len())].clone()
            };
            let a = ask(&mut session, &format!("scan {code}")).await?;
            if verbose {
                println!("  step {step}: scan: {a}");
            }
            judge_scan(&mut book, &mut acts, &code, &a, &mut found)?;
        } else if roll < 0.36 && book.open.is_some() {
            if rng.gen_bool(0.7) || book.items.is_empty() {
                // Redeem for the whole sale: every voucher scanned into it, one press.
                let a = ask(&mut session, "redeem").await?;
                if verbose {
                    println!("  step {step}: redeem the sale: {a}");
                }
                judge_sent(&book, &mut acts, &a, &mut found)?;
            } else {
                let id = book.items[rng.gen_range(0..book.items.len())].clone();
                let presses = if rng.gen_bool(0.3) { 2 } else { 1 };
                for _ in 0..presses {
                    let a = ask(&mut session, &format!("redeem {id}")).await?;
                    if verbose {
                        println!("  step {step}: {a}");
                    }
                    let f: Vec<&str> = a.split(' ').collect();
                    match f.as_slice() {
                        // A withdrawn one stays withdrawn: the press committed nothing.
                        ["ok", "queued", _, "cancelled"] => {}
                        ["ok", "queued", ..] => {
                            acts.committed.insert(id.clone());
                        }
                        _ => return Err(format!("redeem {id} answered {a:?}")),
                    }
                }
            }
        } else if roll < 0.44 && !book.items.is_empty() {
            // The cashier's answer for an unconfirmed voucher of the sale: accept it,
            // decline it (another payment), or withdraw it. The terminal may refuse
            // (a final intent, a maybe-executed one cannot be withdrawn): that is fine.
            let id = book.items[rng.gen_range(0..book.items.len())].clone();
            let what = match rng.gen_range(0..20) {
                0..=8 => "accept",
                9..=16 => "decline",
                _ => "cancel",
            };
            let a = ask(&mut session, &format!("{what} {id}")).await?;
            if verbose {
                println!("  step {step}: {what} {id}: {a}");
            }
            if a.starts_with("ok ") {
                match what {
                    "accept" => acts.accepted.insert(id),
                    "decline" => acts.declined.insert(id),
                    _ => acts.withdrawn.insert(id),
                };
            } else if !a.starts_with("err ") {
                return Err(format!("{what} answered {a:?}"));
            }
        } else if roll < 0.52 && book.open.is_some() {
            close_sale(&mut session, &run, &mut book, &mut acts, &mut found, &mut rng, step).await?;
        } else if roll < 0.64 {
            let mut f = json!({});
            let mut kinds: Vec<&'static str> = Vec::new();
            if rng.gen_bool(0.5) {
                f["latency_ms"] = json!(rng.gen_range(0..1300));
            }
            if rng.gen_bool(0.4) {
                // Now and then the service's key check fails for a while (401 before
                // anything executes); a 429's Retry-After comes as seconds or as an
                // HTTP date, which the terminal must read by the service's clock, not
                // its own skewed one.
                let unauthorized = if rng.gen_bool(0.4) { rng.gen_range(0.1..0.5) } else { 0.0 };
                let rates = [
                    ("500", rng.gen_range(0.05..0.4)),
                    ("503", rng.gen_range(0.05..0.3)),
                    ("429", rng.gen_range(0.05..0.4)),
                    ("401", unauthorized),
                ];
                let as_date = rng.gen_bool(0.5);
                f["error_rate"] =
                    json!(rates.iter().map(|(s, r)| (s.to_string(), json!(r))).collect::<serde_json::Map<_, _>>());
                f["retry_after_s"] = json!(rng.gen_range(1..=3));
                f["retry_after_as_date"] = json!(as_date);
                for (status, rate) in rates {
                    if rate > 0.0 {
                        kinds.push(match status {
                            "429" if as_date => "429_retry_after_date",
                            "500" => "500",
                            "503" => "503",
                            "429" => "429",
                            _ => "401",
                        });
                    }
                }
            }
            if rng.gen_bool(0.4) {
                f["drop_after_commit_rate"] = json!(rng.gen_range(0.05..0.8));
                kinds.push("drop_after_commit");
            }
            if rng.gen_bool(0.4) {
                f["gateway_error_after_commit_rate"] = json!(rng.gen_range(0.05..0.8));
                kinds.push("502_html_after_commit");
            }
            let mut list_fault = false;
            if rng.gen_bool(0.2) {
                f["transactions_error_rate"] = json!(rng.gen_range(0.5..=1.0));
                kinds.push("transactions_500");
                list_fault = true;
            }
            if rng.gen_bool(0.2) {
                // A list slower than the terminal's request timeout (1 s): every lookup
                // times out, while redeems answer at their own pace.
                f["list_latency_ms"] = json!(rng.gen_range(1100..2500));
                kinds.push("list_slow");
                list_fault = true;
            }
            if list_fault && !kinds.contains(&"drop_after_commit") && !kinds.contains(&"502_html_after_commit") {
                // Lookups happen for outcomes left unknown: make some, so that the
                // list's fault meets them.
                f["gateway_error_after_commit_rate"] = json!(rng.gen_range(0.3..0.8));
                kinds.push("502_html_after_commit");
            }
            if rng.gen_bool(0.2) {
                f["offline"] = json!(true);
                kinds.push("offline_window");
            }
            run.faults(f).await?;
            found.faults_scheduled.extend(kinds.into_iter().map(String::from));
        } else if roll < 0.68 {
            // A campaign ends, or vouchers are voided, mid-run.
            let code = codes[rng.gen_range(0..codes.len())].clone();
            let ids: Vec<String> = voucher_ids_of(&code).into_iter().map(String::from).collect();
            let state = if rng.gen_bool(0.5) { "expired" } else { "voided" };
            for id in &ids {
                acts.states_ever.entry(id.clone()).or_default().insert(state.into());
            }
            run.set_state(&ids, state).await?;
        } else if roll < 0.75 {
            // SIGKILL at a random moment while the engine works; the clock comes back
            // as wrong as a till's can be.
            tokio::time::sleep(Duration::from_millis(rng.gen_range(0..400))).await;
            if verbose {
                println!("  step {step}: SIGKILL the terminal");
            }
            session.kill("SIGKILL").await?;
            run.skew_ms = skew(&mut rng);
            found.hit("kills");
            book.restarted();
            session = run.start_session();
        } else if roll < 0.77 && !acts.rotated && restore_plan.is_none() {
            // The API key is rotated while some outcomes may still be unknown.
            if verbose {
                println!("  step {step}: rotate the API key");
            }
            session.quit("stop for a key rotation").await?;
            run.api_key = "test_second".into();
            acts.rotated = true;
            acts.committed_before_rotation = acts.committed.clone();
            book.restarted();
            session = run.start_session();
        } else if roll < 0.81 {
            // The clock jumps while the terminal runs: corrected, or set wrong by hand,
            // now and then more than a week fast.
            let to = if rng.gen_bool(0.25) { rng.gen_range(8 * DAY_MS..=30 * DAY_MS) } else { skew(&mut rng) };
            let a = ask(&mut session, &format!("skew {to}")).await?;
            if verbose {
                println!("  step {step}: clock {:+.2} days: {a}", to as f64 / DAY_MS as f64);
            }
            if a != format!("ok skew {to}") {
                return Err(format!("skew {to} answered {a:?}"));
            }
            run.skew_ms = to;
            found.hit("clock_jumps");
        } else {
            // Time passes at the counter: the engine retries, keys age.
            tokio::time::sleep(Duration::from_millis(rng.gen_range(50..1200))).await;
        }
    }
    // A fault kind this seed scheduled that the sandbox never served proved nothing:
    // each is set again alone, at full rate, with a fresh voucher pressed into it
    // (judged like every other), until the sandbox says it served it.
    serve_what_was_scheduled(&run, &mut session, &mut book, &mut acts, &mut found, verbose).await?;
    // The faults stop; the terminal stops (killed or asked, by the dice), and a fresh
    // process runs the engine until nothing is pending.
    run.faults(json!({})).await?;
    if rng.gen_bool(0.5) {
        session.kill("the end of the schedule").await?;
    } else {
        session.quit("the end of the schedule").await?;
    }
    let (sync, _) = run.cli(&["sync", "--until-idle", "--max-wait", "120s"], &[0, 3, 4]).await?;
    let mut intents = run.log().await?;
    let sales = run.sales().await?;
    // Each review cause is judged by what happened to that intent: its attempts.
    for i in intents.iter_mut().filter(|i| i["state"] == "needs_review") {
        let id = i["id"].as_str().unwrap_or("").to_string();
        let shown = run.show(&id).await?;
        i["attempts"] = shown["attempts"].clone();
        i["history"] = shown["history"].clone();
    }
    let get = |path: &'static str| {
        let (http, admin) = (run.http.clone(), run.admin.clone());
        async move {
            let v: Value = http
                .get(format!("{admin}{path}"))
                .send()
                .await
                .map_err(|e| e.to_string())?
                .json()
                .await
                .map_err(|e| e.to_string())?;
            Ok::<_, String>(v["data"].as_array().cloned().unwrap_or_default())
        }
    };
    let ledger = get("/_sandbox/ledger").await?;
    let vouchers = get("/_sandbox/vouchers").await?;
    let faults_served = served(&run).await?;
    let _ = sandbox.start_kill();
    let _ = sandbox.wait().await;
    let mut tally = check(&intents, &sales, &ledger, &vouchers, &acts);
    tally.add(found);
    tally.faults_served = faults_served;
    if verbose || tally.bad() {
        println!(
            "seed {seed}: sync exit {sync}; {} intents, {} sales, {} ledger rows: {}",
            intents.len(),
            sales.len(),
            ledger.len(),
            tally.summary(1)
        );
        println!("seed {seed}: {}", tally.reached_line());
        for n in &tally.notes {
            println!("  FAILED: {n}");
        }
        if tally.bad() {
            for i in &intents {
                println!(
                    "  intent {} {} {} sale={} tx={} err={} cause={} accepted={} declined={}",
                    i["id"],
                    i["state"],
                    i["code"],
                    i["sale_id"],
                    i["transaction_id"],
                    i["error_code"],
                    i["review_cause"],
                    i["accepted_offline"],
                    i["declined"]
                );
            }
            for s in &sales {
                println!("  sale {} number={} closed_at={}", s["id"], s["number"], s["closed_at"]);
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

/// Whether the service's own state gives a voucher code a refusal with this code: the
/// vouchers really were used by someone else, voided, expired or unknown.
fn refusal_is_real(
    code_text: &str,
    error_code: &str,
    own_txs: &[&str],
    vouchers: &HashMap<&str, (&str, Option<&str>)>,
    acts: &Actions,
) -> bool {
    let had = |id: &str, state: &str| {
        vouchers.get(id).is_some_and(|(s, _)| *s == state)
            || acts.states_ever.get(id).is_some_and(|e| e.contains(state))
    };
    voucher_ids_of(code_text).iter().any(|id| match (error_code, vouchers.get(id)) {
        ("redemption_vouchers_not_found", None) => true,
        ("redemption_vouchers_used", Some((_, Some(tx)))) => !own_txs.contains(tx),
        ("redemption_vouchers_voided", Some(_)) => had(id, "voided"),
        ("redemption_vouchers_period_ended", Some(_)) => had(id, "expired"),
        _ => false,
    })
}

/// Whether the intent's own lookups failed: its last lookup in its attempt log read no
/// list (a status, a timeout, an unreadable reply), so a manager must look.
fn own_lookups_failed(i: &Value) -> bool {
    let lookups: Vec<&Value> =
        i["attempts"].as_array().into_iter().flatten().filter(|a| a["kind"] == "lookup").collect();
    lookups.last().is_some_and(|a| !matches!(a["outcome"].as_str(), Some("found" | "not_found")))
}

/// Whether the cashier declined the intent: the soak did, or, for an intent a restore
/// left pending, closing its sale unpressed did (the terminal's own flag).
fn was_declined(i: &Value, acts: &Actions) -> bool {
    let id = i["id"].as_str().unwrap_or("");
    acts.declined.contains(id) || (acts.restored_pending.contains(id) && i["declined"] == json!(true))
}

/// Compares the terminal's log and sales with the service's ledger and voucher states.
/// Only committed intents are judged for their verdicts: a scan the cashier never
/// committed may stay `scanned`. Intents in review carry their `attempts`.
fn check(intents: &[Value], sales: &[Value], ledger: &[Value], vouchers: &[Value], acts: &Actions) -> Tally {
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
            None => {
                t.lost += 1; // a redemption nobody can trace
                t.note(format!("ledger row {tx} names no intent: {md}"));
            }
        }
    }
    for (v, n) in &voucher_rows {
        if *n > 1 {
            t.double += 1;
            t.note(format!("voucher {v} is in {n} ledger rows"));
        }
    }
    for (id, rows) in &intent_rows {
        if rows.len() > 1 {
            t.double += 1;
            t.note(format!("intent {id} is in {} ledger rows", rows.len()));
        }
    }
    for (id, rows) in &intent_rows {
        match by_id.get(id) {
            None if acts.forgotten.contains(*id) => t.hit("redemptions_forgotten_by_restore"),
            None => {
                t.lost += 1;
                t.note(format!("intent {id} redeemed at the service is not in the terminal's log"));
            }
            Some(i) => match i["state"].as_str() {
                Some("redeemed") if was_declined(i, acts) => {
                    t.declined_unflagged += 1;
                    t.note(format!("declined intent {id} is redeemed, with no review item"));
                }
                Some("redeemed") if rows.contains(&i["transaction_id"].as_str().unwrap_or("-")) => {}
                Some("needs_review") => {}
                Some("redeemed") => {
                    t.guessed += 1; // a transaction id the ledger does not have
                    t.note(format!(
                        "intent {id} is redeemed as {}, which the ledger does not hold",
                        i["transaction_id"]
                    ));
                }
                // Pressed before a restore, redeemed then, and only scanned in the
                // restored copy, never pressed since: the end-of-day report's to find.
                Some("scanned") if acts.rewound.contains(*id) => t.hit("restored_as_scanned_redeemed"),
                s => {
                    t.lost += 1; // the service redeemed it; the terminal says otherwise
                    t.note(format!("intent {id} redeemed at the service is {s:?} in the terminal"));
                }
            },
        }
    }
    for i in intents {
        let id = i["id"].as_str().unwrap_or("");
        let rows: &[&str] = intent_rows.get(id).map(Vec::as_slice).unwrap_or(&[]);
        let declined = was_declined(i, acts);
        let accepted = acts.accepted.contains(id);
        // An intent belongs to one sale: the one the terminal named when it was scanned.
        if let (Some(said), Some(kept)) = (acts.sale_of.get(id), text(&i["sale_id"])) {
            if *said != kept {
                t.two_sales += 1;
                t.note(format!("intent {id} was answered in sale {said}, and the log holds it in sale {kept}"));
            }
        }
        match i["state"].as_str().unwrap_or("") {
            "scanned" | "cancelled" => {
                if acts.committed.contains(id) && !declined && !acts.withdrawn.contains(id) {
                    t.lost += 1;
                    t.note(format!("committed intent {id} is {} without being declined or withdrawn", i["state"]));
                }
                continue;
            }
            "queued" | "in_flight" | "unknown" => {
                t.stuck += 1;
                t.note(format!("intent {id} is still {} after the final sync", i["state"]));
            }
            "redeemed" if !intent_rows.contains_key(id) => {
                t.guessed += 1;
                t.note(format!("intent {id} is redeemed with no ledger row"));
            }
            "refused" => {
                let code = i["error_code"].as_str().unwrap_or("");
                if !refusal_is_real(i["code"].as_str().unwrap_or(""), code, rows, &states, acts) {
                    t.wrong += 1;
                    t.note(format!("intent {id} is refused as {code:?}, which its vouchers never were"));
                }
                if accepted {
                    t.loss_unflagged += 1;
                    t.note(format!("accepted intent {id} is refused, not in review with the loss"));
                }
            }
            "needs_review" => {
                t.review += 1;
                let cause = i["review_cause"].as_str().unwrap_or("none");
                *t.review_causes.entry(cause.to_string()).or_default() += 1;
                // Each cause must have happened to this intent.
                let legit = match cause {
                    "redeemed_after_decline" => declined && !rows.is_empty(),
                    "declined_not_found" => declined && rows.is_empty(),
                    "accepted_then_refused" => {
                        accepted
                            && rows.is_empty()
                            && refusal_is_real(
                                i["code"].as_str().unwrap_or(""),
                                i["error_code"].as_str().unwrap_or(""),
                                rows,
                                &states,
                                acts,
                            )
                    }
                    "lookup_failed" => own_lookups_failed(i),
                    "service_changed" => acts.rotated && acts.committed_before_rotation.contains(id),
                    _ => false,
                };
                if !legit {
                    t.wrong += 1;
                    t.note(format!("intent {id} is in review as {cause}, which did not happen to it"));
                }
                if accepted && rows.is_empty() && cause == "accepted_then_refused" && i["loss"] != json!(true) {
                    t.loss_unflagged += 1;
                    t.note(format!("accepted intent {id} refused: in review without the loss"));
                }
                if declined
                    && !rows.is_empty()
                    && cause != "redeemed_after_decline"
                    && cause != "service_changed"
                    && cause != "lookup_failed"
                {
                    t.declined_unflagged += 1;
                    t.note(format!(
                        "declined intent {id} redeemed: in review as {cause}, not as redeemed after decline"
                    ));
                }
            }
            _ => {}
        }
        t.intents += 1;
    }
    for id in &acts.committed {
        if !by_id.contains_key(id.as_str()) && !acts.forgotten.contains(id) {
            t.lost += 1;
            t.note(format!("committed intent {id} is not in the terminal's log"));
        }
    }

    // One voucher pays for one sale: by its redemption at the service, or by the
    // cashier's accept (unless refused, with the loss on the record). Declined ones
    // paid for nothing; their redemptions are judged above.
    let mut paid: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    for i in intents {
        let id = i["id"].as_str().unwrap_or("");
        if was_declined(i, acts) {
            continue;
        }
        let pays = i["state"] == "redeemed"
            || intent_rows.contains_key(id)
            || (i["accepted_offline"] == json!(true) && i["loss"] != json!(true));
        let Some(sale) = text(&i["sale_id"]) else { continue };
        if pays {
            for v in voucher_ids_of(i["code"].as_str().unwrap_or("")) {
                paid.entry(v.to_string()).or_default().insert(sale.clone());
            }
        }
    }
    for row in ledger {
        // A redemption by an intent a restore forgot paid for the sale it was in.
        let Some(id) = intent_id_of(row["metadata"].as_str().unwrap_or("")) else { continue };
        let Some(sale) = acts.sale_of.get(id).filter(|_| !by_id.contains_key(id)) else { continue };
        for v in row["voucher_ids"].as_array().into_iter().flatten().filter_map(Value::as_str) {
            paid.entry(v.to_string()).or_default().insert(sale.clone());
        }
    }
    for (v, paid_for) in &paid {
        if paid_for.len() > 1 {
            t.two_sales += 1;
            t.note(format!("voucher {v} paid for {} sales: {paid_for:?}", paid_for.len()));
        }
    }

    // A sale closes only when every voucher in it has an outcome or the cashier's answer.
    for s in sales.iter().filter(|s| !s["closed_at"].is_null()) {
        let Some(sid) = text(&s["id"]) else { continue };
        for i in intents.iter().filter(|i| text(&i["sale_id"]).as_deref() == Some(sid.as_str())) {
            if !answered(i) {
                t.unanswered_close += 1;
                t.note(format!(
                    "closed sale {sid} holds voucher {} {} with no outcome and no answer",
                    i["id"], i["state"]
                ));
            }
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
                    total.add(Tally { notes: Vec::new(), ..t });
                }
                Err(e) => {
                    println!("seed {s}: harness error: {e}");
                    failed.push(s);
                }
            }
            if done.is_multiple_of(100) {
                eprintln!(
                    "voucher-chaos: {done} seeds; so far {}; slowest seed {} took {:.1}s",
                    total.summary(done as usize),
                    slowest.1,
                    slowest.0.as_secs_f64()
                );
            }
        }
        for s in &failed {
            println!("seed {s} FAILED; replay it alone: cargo run --release --bin voucher-chaos -- --seed {s}");
        }
        (total, failed.len())
    });
    let (t, failed) = total;
    let never = t.never_served();
    println!("{}", t.faults());
    if !never.is_empty() {
        // A fault the schedules asked for and the sandbox never served proved nothing.
        println!("FAILED: fault kinds scheduled but never served: {}", never.join(" "));
    }
    println!("{}", t.reached_line());
    println!("{}", t.causes());
    println!("{}", t.summary(n_seeds));
    std::process::exit(if failed > 0 || !never.is_empty() { 1 } else { 0 });
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

    fn in_sale(mut i: Value, sale: &str) -> Value {
        i["sale_id"] = json!(sale);
        i
    }

    fn failed_lookup() -> Value {
        json!([{"kind": "redeem", "outcome": "server_error"}, {"kind": "lookup", "outcome": "lookup_status"}])
    }

    #[test]
    fn a_clean_run_passes() {
        let t = check(
            &[intent("a", "redeemed", Some("t1")), refused("b", "redemption_vouchers_used")],
            &[],
            &[row("t1", "a", &["v1"])],
            &[voucher("v1", "active", Some("t1"))],
            &acts(&["a", "b"]),
        );
        assert!(!t.bad(), "{t:?}");
        assert_eq!(t.intents, 2);
    }

    #[test]
    fn a_voucher_in_two_ledger_rows_is_a_double() {
        let t = check(
            &[intent("a", "redeemed", Some("t1")), intent("b", "redeemed", Some("t2"))],
            &[],
            &[row("t1", "a", &["v1"]), row("t2", "b", &["v1"])],
            &[],
            &acts(&["a", "b"]),
        );
        assert_eq!(t.double, 1);
    }

    #[test]
    fn redeemed_without_a_ledger_row_is_a_guess() {
        let t = check(&[intent("a", "redeemed", Some("t9"))], &[], &[], &[], &acts(&["a"]));
        assert_eq!(t.guessed, 1);
    }

    #[test]
    fn a_ledger_row_the_terminal_calls_refused_is_lost() {
        let t = check(
            &[refused("a", "redemption_vouchers_used")],
            &[],
            &[row("t1", "a", &["v1"])],
            &[voucher("v1", "active", Some("t1"))],
            &acts(&["a"]),
        );
        assert_eq!(t.lost, 1);
        assert_eq!(t.wrong, 1, "used by itself is not a real reason");
    }

    #[test]
    fn a_committed_intent_that_vanished_or_stayed_pending_is_caught() {
        let t = check(&[intent("b", "unknown", None)], &[], &[], &[], &acts(&["a", "b"]));
        assert_eq!((t.lost, t.stuck), (1, 1));
    }

    #[test]
    fn a_terminal_that_calls_a_500_refused_fails_the_checker() {
        // The voucher is active and nobody redeemed it: no refusal code is true of it.
        let v = [voucher("v1", "active", None)];
        for code in [
            "redemption_vouchers_used",
            "redemption_vouchers_voided",
            "redemption_vouchers_period_ended",
            "internal_error",
        ] {
            let t = check(&[refused("a", code)], &[], &[], &v, &acts(&["a"]));
            assert_eq!(t.wrong, 1, "{code}");
        }
        let t = check(
            &[refused("a", "redemption_vouchers_period_ended")],
            &[],
            &[],
            &[voucher("v1", "expired", None)],
            &acts(&["a"]),
        );
        assert_eq!(t.wrong, 0, "a campaign that really ended");
    }

    #[test]
    fn a_terminal_that_sends_everything_to_review_fails_the_checker() {
        let v = [voucher("v1", "active", None)];
        for cause in [
            "lookup_failed",
            "service_changed",
            "declined_not_found",
            "accepted_then_refused",
            "key_reused",
            "found_at_service",
            "none",
        ] {
            let t = check(&[review("a", cause, false)], &[], &[], &v, &acts(&["a"]));
            assert_eq!(t.wrong, 1, "{cause} did not occur in this run");
        }
    }

    #[test]
    fn review_causes_are_judged_by_what_happened_to_that_intent() {
        let v = [voucher("v1", "active", None)];
        // Its own lookups failed: the cause is true of it; another intent's would not do.
        let mut r = review("a", "lookup_failed", false);
        r["attempts"] = failed_lookup();
        assert_eq!(check(&[r.clone()], &[], &[], &v, &acts(&["a"])).wrong, 0);
        r["attempts"] =
            json!([{"kind": "lookup", "outcome": "lookup_status"}, {"kind": "lookup", "outcome": "not_found"}]);
        assert_eq!(check(&[r], &[], &[], &v, &acts(&["a"])).wrong, 1, "its last lookup read the whole list");
        // Handed over for a key change: only an intent committed before the rotation.
        let mut a = acts(&["a", "b"]);
        a.rotated = true;
        a.committed_before_rotation.insert("a".into());
        let t = check(
            &[
                review("a", "service_changed", false),
                json!({"id": "b", "state": "needs_review", "code": "rsg:v2", "review_cause": "service_changed"}),
            ],
            &[],
            &[],
            &v,
            &a,
        );
        assert_eq!(t.wrong, 1, "b was committed after the rotation: {t:?}");
        // Redeemed after a decline: only for an intent that was declined.
        let t = check(
            &[review("a", "redeemed_after_decline", false)],
            &[],
            &[row("t1", "a", &["v1"])],
            &[voucher("v1", "active", Some("t1"))],
            &acts(&["a"]),
        );
        assert_eq!(t.wrong, 1);
    }

    #[test]
    fn a_declined_voucher_redeemed_without_review_is_flagged() {
        let mut a = acts(&["a"]);
        a.declined.insert("a".into());
        let t = check(
            &[intent("a", "redeemed", Some("t1"))],
            &[],
            &[row("t1", "a", &["v1"])],
            &[voucher("v1", "active", Some("t1"))],
            &a,
        );
        assert_eq!(t.declined_unflagged, 1);
        let t = check(
            &[review("a", "redeemed_after_decline", false)],
            &[],
            &[row("t1", "a", &["v1"])],
            &[voucher("v1", "active", Some("t1"))],
            &a,
        );
        assert!(!t.bad(), "{t:?}");
        let t = check(
            &[json!({"id": "a", "state": "cancelled", "code": "rsg:v1"})],
            &[],
            &[],
            &[voucher("v1", "active", None)],
            &a,
        );
        assert!(!t.bad(), "declined and withdrawn: {t:?}");
    }

    #[test]
    fn an_accepted_voucher_refused_without_a_loss_is_flagged() {
        let mut a = acts(&["a"]);
        a.accepted.insert("a".into());
        let v = [voucher("v1", "voided", None)];
        assert_eq!(check(&[refused("a", "redemption_vouchers_voided")], &[], &[], &v, &a).loss_unflagged, 1);
        let mut r = review("a", "accepted_then_refused", false);
        r["error_code"] = json!("redemption_vouchers_voided");
        assert_eq!(check(&[r.clone()], &[], &[], &v, &a).loss_unflagged, 1, "in review but without the loss flag");
        r["loss"] = json!(true);
        assert!(!check(&[r], &[], &[], &v, &a).bad());
    }

    #[test]
    fn a_voucher_paying_for_two_sales_is_caught() {
        // Redeemed for sale 1, and accepted (still unconfirmed) for sale 2.
        let mut b = in_sale(review("b", "lookup_failed", false), "s2");
        b["accepted_offline"] = json!(true);
        b["attempts"] = failed_lookup();
        let mut a = acts(&["a", "b"]);
        a.accepted.insert("b".into());
        let intents = [in_sale(intent("a", "redeemed", Some("t1")), "s1"), b.clone()];
        let t = check(&intents, &[], &[row("t1", "a", &["v1"])], &[voucher("v1", "active", Some("t1"))], &a);
        assert_eq!((t.two_sales, t.double), (1, 0), "{t:?}");
        // The same two in one sale: one sale paid.
        let intents = [in_sale(intent("a", "redeemed", Some("t1")), "s1"), in_sale(b, "s1")];
        assert_eq!(
            check(&intents, &[], &[row("t1", "a", &["v1"])], &[voucher("v1", "active", Some("t1"))], &a).two_sales,
            0
        );
        // An intent the log keeps in another sale than the scan named.
        let mut a = acts(&["a"]);
        a.sale_of.insert("a".into(), "s1".into());
        let t = check(
            &[in_sale(intent("a", "redeemed", Some("t1")), "s2")],
            &[],
            &[row("t1", "a", &["v1"])],
            &[voucher("v1", "active", Some("t1"))],
            &a,
        );
        assert_eq!(t.two_sales, 1);
    }

    #[test]
    fn a_sale_closed_with_an_unanswered_voucher_is_caught() {
        let sales =
            [json!({"id": "s1", "number": 1, "closed_at": 5}), json!({"id": "s2", "number": 2, "closed_at": null})];
        let mut waiting = in_sale(review("a", "lookup_failed", false), "s1");
        waiting["attempts"] = failed_lookup();
        let v = [voucher("v1", "active", None)];
        let t = check(&[waiting.clone()], &sales, &[], &v, &acts(&["a"]));
        assert_eq!(t.unanswered_close, 1, "{t:?}");
        waiting["declined"] = json!(true);
        let mut a = acts(&["a"]);
        a.declined.insert("a".into());
        waiting["review_cause"] = json!("declined_not_found");
        assert_eq!(check(&[waiting.clone()], &sales, &[], &v, &a).unanswered_close, 0, "declined: answered");
        // In the open sale, a voucher may wait.
        let mut open = in_sale(review("a", "lookup_failed", false), "s2");
        open["attempts"] = failed_lookup();
        assert!(!check(&[open], &sales, &[], &v, &acts(&["a"])).bad());
        // Read back right after `ok closed`: the sale must be closed in the database.
        let mut t = Tally::default();
        judge_closed_sale("s2", &[], &sales, &mut t);
        assert_eq!(t.unanswered_close, 1);
    }

    #[test]
    fn a_live_voucher_of_a_closed_sale_must_not_join_the_next() {
        let (mut book, mut acts, mut t) = (SaleBook::default(), Actions::default(), Tally::default());
        judge_scan(&mut book, &mut acts, "rsg:v1", "ok scanned a created scanned s1", &mut t).unwrap();
        assert_eq!((book.open.as_deref(), book.items.clone()), (Some("s1"), vec!["a".to_string()]));
        book.closed.insert("s1".into());
        book.restarted();
        judge_scan(&mut book, &mut acts, "rsg:v1", "err voucher_in_other_sale This voucher belongs to sale 1", &mut t)
            .unwrap();
        assert!(!t.bad(), "refused in words: {t:?}");
        judge_scan(&mut book, &mut acts, "rsg:v1", "ok scanned a existing queued s1", &mut t).unwrap();
        assert_eq!(t.two_sales, 1, "shown in the next sale: {t:?}");
        // In its own sale a re-scan shows the voucher; refused as another sale's is wrong.
        judge_scan(&mut book, &mut acts, "rsg:v2", "ok scanned b created scanned s2", &mut t).unwrap();
        judge_scan(&mut book, &mut acts, "rsg:v2", "err voucher_in_other_sale This voucher belongs to sale 2", &mut t)
            .unwrap();
        assert_eq!(t.sale_wrong, 1);
        // Redeem for sale 2 sends sale 2's vouchers only.
        judge_sent(&book, &mut acts, "ok sent s2 b", &mut t).unwrap();
        assert_eq!(t.sale_wrong, 1);
        judge_sent(&book, &mut acts, "ok sent s2 a,b", &mut t).unwrap();
        assert_eq!(t.sale_wrong, 2, "a is sale 1's");
        assert!(
            judge_scan(&mut book, &mut acts, "rsg:v3", "ok scanned c created scanned", &mut t).is_err(),
            "no sale named"
        );
    }

    #[test]
    fn what_a_restore_forgot_is_not_the_terminals_loss() {
        let (mut book, mut a, mut t) = (SaleBook::default(), acts(&["x", "y"]), Tally::default());
        a.sale_of.insert("x".into(), "s1".into());
        a.sale_of.insert("y".into(), "s1".into());
        // The backup holds y as only scanned, and no x at all.
        let restored = [in_sale(json!({"id": "y", "state": "scanned", "code": "rsg:v2"}), "s1")];
        rebase_on_restore(&mut book, &mut a, &restored, &[json!({"id": "s1", "closed_at": null})], &mut t);
        assert!(a.forgotten.contains("x") && a.rewound.contains("y") && a.committed.is_empty(), "{a:?}");
        let ledger = [row("t1", "x", &["v1"]), row("t2", "y", &["v2"])];
        let v = [voucher("v1", "active", Some("t1")), voucher("v2", "active", Some("t2"))];
        let t = check(&restored, &[], &ledger, &v, &a);
        assert!(!t.bad(), "{t:?}");
        // Closed unpressed after the restore: declined by the close, found redeemed.
        let mut y = restored[0].clone();
        y["state"] = json!("needs_review");
        y["review_cause"] = json!("redeemed_after_decline");
        y["declined"] = json!(true);
        assert!(!check(&[y], &[], &ledger, &v, &a).bad());
    }

    #[test]
    fn every_fault_kind_is_shown_and_a_scheduled_one_never_served_is_named() {
        let mut t = Tally::default();
        t.faults_scheduled.insert("list_slow".into());
        t.faults_scheduled.insert("500".into());
        t.faults_served.insert("500".into(), 3);
        assert_eq!(t.never_served(), vec!["list_slow".to_string()]);
        let line = t.faults();
        for k in FAULT_KINDS {
            assert!(line.contains(&format!(" {k}:")), "{k} in {line}");
        }
    }
}
