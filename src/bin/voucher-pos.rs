//! `voucher-pos`: the terminal without a window, for store operations scripts and
//! tests. It drives the same core as the app. Exit codes are part of its interface
//! (see the README):
//!   0 done (redeemed, stored, idle)   2 refused by the service, or not a voucher code
//!   3 still pending when the wait ran out   4 needs a manager's review
//!   5 the code was already redeemed here    6 withdrawn or declined, never redeemed
//!   1 any other error (message on stderr)

use std::path::PathBuf;
use std::process::ExitCode;
use std::sync::Arc;
use std::time::Duration;

use clap::{Parser, Subcommand, ValueEnum};
use voucher_pos::app::printing::Job;
use voucher_pos::app::terminal::Terminal;
use voucher_pos::app::Authority;
use voucher_pos::checkout::policy::OfflinePolicy;
use voucher_pos::checkout::settings::TerminalSettings;
use voucher_pos::domain::intent::{Intent, IntentState, SaleContext};
use voucher_pos::platform::clock::{Clock, SystemClock};
use voucher_pos::platform::printer::Limits;
use voucher_pos::records::redemption_log::{export_csv, page, LogFilter};
use voucher_pos::service::api::{ApiClient, ApiConfig};
use voucher_pos::service::sync::{SyncConfig, SyncEvent};
use voucher_pos::store::{ScanResult, Store};

#[derive(Parser)]
#[command(version, about = "The voucher POS terminal without a window.")]
struct Cli {
    #[command(flatten)]
    terminal: voucher_pos::app::startup::Flags,
    /// Total timeout of one request to the service.
    #[arg(long, global = true, default_value = "7s", value_parser = parse_duration)]
    request_timeout: Duration,
    /// The service's key window (how long it replays a key's result).
    #[arg(long, global = true, default_value = "24h", value_parser = parse_duration)]
    key_window: Duration,
    /// Unknown outcomes older than the key window minus this margin are looked up.
    #[arg(long, global = true, default_value = "1h", value_parser = parse_duration)]
    key_window_margin: Duration,
    /// Longest wait between retries of one intent.
    #[arg(long, global = true, default_value = "30s", value_parser = parse_duration)]
    backoff_cap: Duration,
    /// How long the receipt printer may take to connect, and then to answer each
    /// step (a receipt that takes longer waits for a reprint; a sale never waits).
    #[arg(long, global = true, default_value = "3s", value_parser = parse_duration)]
    print_timeout: Duration,
    /// Seed of the retry jitter (for replaying a fault schedule).
    #[arg(long, global = true)]
    seed: Option<u64>,
    /// How long after its last attempt a declined, maybe-executed intent is looked up.
    #[arg(long, global = true, default_value = "10m", value_parser = parse_duration)]
    decline_grace: Duration,
    /// Runs the terminal with its clock this far off (`-3d`, `+90m`): for fault
    /// injection (`voucher-chaos`), since a till's clock can be days wrong. Debug
    /// builds only: a release binary has no way to move its clock but the system's.
    #[cfg(debug_assertions)]
    #[arg(long, global = true, hide = true, allow_hyphen_values = true, value_parser = parse_skew)]
    clock_skew: Option<i64>,
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Records a scanned code; prints the intent id.
    Scan {
        code: String,
        #[arg(long, default_value = "")]
        receipt: String,
        /// Eligible items' SKUs (compulsory for rsg-cfhp: codes).
        #[arg(long = "sku")]
        skus: Vec<String>,
    },
    /// Commits an intent for redemption; with --wait, prints the outcome when known.
    Redeem {
        intent_id: String,
        #[arg(long, value_parser = parse_duration)]
        wait: Option<Duration>,
    },
    /// Runs the sync engine; with --until-idle, stops once nothing is pending.
    Sync {
        #[arg(long)]
        until_idle: bool,
        /// Gives up (exit 3) if still not idle after this long.
        #[arg(long, default_value = "300s", value_parser = parse_duration)]
        max_wait: Duration,
    },
    /// Prints the redemption log.
    Log {
        #[arg(long, value_enum, default_value = "csv")]
        format: Format,
        #[arg(long)]
        state: Option<String>,
    },
    /// Prints one intent with its attempts and history, as JSON.
    Show { intent_id: String },
    /// Decodes QR codes in image files through the terminal's pipeline; prints
    /// `FILE<TAB>TEXT` per file, `-` when no code was found. Needs no database.
    Decode {
        #[arg(required = true)]
        files: Vec<PathBuf>,
    },
    /// A scriptable terminal: runs the sync engine and reads commands on stdin, one
    /// per line, answering each with one line once it is durable:
    /// `scan CODE` -> `ok scanned ID KIND STATE SALE_ID` (a scan with no open sale
    /// opens one; `already_redeemed` opens none and names the sale it paid for, `-`
    /// for none); `redeem ID` -> `ok queued ID STATE`; `redeem` (the whole open
    /// sale) -> `ok sent SALE_ID ID,ID` (`-` for none); `accept ID` -> `ok accepted
    /// ID`; `decline ID` -> `ok declined ID STATE`; `cancel ID` -> `ok cancelled ID`;
    /// `close` -> `ok closed SALE_ID` (or `ok closed -` with no sale open; with
    /// auto-print on, the receipt then prints without the answer waiting for it, and
    /// one that did not print is said on stderr); `skew MS`
    /// (with the hidden `--clock-skew`: moves the clock while it runs) -> `ok skew
    /// MS`; `quit`. Any refusal is `err CODE MESSAGE` (`voucher_in_other_sale`,
    /// `sale_unresolved`).
    Session,
    /// Prints the newest sales as a JSON array (number, cashier, opened and closed
    /// times, total); their vouchers are in `log --format json` by `sale_id`.
    Sales {
        #[arg(long, default_value_t = 1000)]
        limit: u32,
    },
    /// Prints the store's offline policy as JSON, or sets it (`--set JSON`).
    Policy {
        #[arg(long)]
        set: Option<String>,
    },
    /// What only someone with OS access to the terminal may do.
    Manager {
        #[command(subcommand)]
        task: ManagerTask,
    },
    /// The end-of-day report of the branch (`--branch`) for a day in the store's time
    /// zone, matched against this terminal's (`--terminal-id`) log. Exit 0 on a clean
    /// day, 4 with findings (lost redemptions go to review), 1 if the service could not
    /// be read.
    Report {
        #[arg(long)]
        date: String,
        #[arg(long, value_enum, default_value = "json")]
        format: Format,
    },
    /// Writes a backup of the database now (SQLite's online backup API) into
    /// `backups/` beside it, keeping the newest as many as the settings say; prints its path.
    Backup,
    /// Puts a backup in place of the database. Refused while a terminal has the
    /// database open; the current database is kept aside, never overwritten.
    Restore { file: PathBuf },
    /// Writes the final intents (redeemed, refused, cancelled) last changed longer
    /// ago than the retention to a CSV file, then removes them; nothing else is ever
    /// removed. Prints how many. Recorded in the audit with the OS user's name.
    Archive {
        /// The archive to write (never inside the data folder).
        #[arg(long)]
        to: PathBuf,
        /// Days to keep (default: the terminal's setting, 400 unless changed).
        #[arg(long)]
        older_than_days: Option<u32>,
    },
    /// Shows the receipt printer as JSON, or sets it (as Manager → Settings does,
    /// recorded in the audit): `--set none|network:HOST:PORT|file:PATH`, `--paper
    /// 58|80`, `--auto-print on|off`. `--test` prints the test page.
    Printer {
        #[arg(long)]
        set: Option<String>,
        #[arg(long)]
        paper: Option<u32>,
        #[arg(long, value_parser = ["on", "off"])]
        auto_print: Option<String>,
        #[arg(long)]
        test: bool,
    },
    /// Prints a closed sale's receipt again (SALE: its number, or its id), marked
    /// COPY when one printed before. Exit 1 when the printer did not print it.
    Reprint { sale: String },
    /// Prints the terminal's audit (PINs, sign-ins, cashiers, settings), newest first,
    /// one JSON object per line.
    Audit {
        #[arg(long, default_value_t = 100)]
        limit: u32,
    },
}

#[derive(Subcommand)]
enum ManagerTask {
    /// Forgets a forgotten manager PIN; the next visit to the manager screens
    /// chooses a new one. Recorded in the audit with the OS user's name.
    ResetPin,
}

#[derive(Clone, Copy, ValueEnum)]
enum Format {
    Csv,
    Json,
}

/// `-3d`, `+90m`, `2h`, `-500ms` as signed milliseconds.
#[cfg(debug_assertions)]
fn parse_skew(s: &str) -> Result<i64, String> {
    let (sign, rest) = match s.strip_prefix('-') {
        Some(r) => (-1, r),
        None => (1, s.strip_prefix('+').unwrap_or(s)),
    };
    let ms = match rest.strip_suffix('d') {
        Some(days) => {
            days.parse::<i64>().map_err(|_| format!("{s:?} is not a skew like -3d or +90m"))?.saturating_mul(86_400_000)
        }
        None => parse_duration(rest)?.as_millis().min(i64::MAX as u128) as i64,
    };
    Ok(sign * ms)
}

fn parse_duration(s: &str) -> Result<Duration, String> {
    let s = s.trim();
    let split = s.find(|c: char| !c.is_ascii_digit()).unwrap_or(s.len());
    let n: u64 = s[..split].parse().map_err(|_| format!("{s:?} is not a duration like 500ms, 10s, 15m or 24h"))?;
    match &s[split..] {
        "ms" => Ok(Duration::from_millis(n)),
        "s" | "" => Ok(Duration::from_secs(n)),
        "m" => Ok(Duration::from_secs(n * 60)),
        "h" => Ok(Duration::from_secs(n * 3600)),
        _ => Err(format!("{s:?} is not a duration like 500ms, 10s, 15m or 24h")),
    }
}

/// The system clock, off by an amount (`--clock-skew`; a session's `skew MS` moves
/// it while the terminal runs, as a till's clock corrected mid-day would).
struct SkewedClock(std::sync::atomic::AtomicI64);

impl Clock for SkewedClock {
    fn now_ms(&self) -> i64 {
        SystemClock.now_ms().saturating_add(self.0.load(std::sync::atomic::Ordering::Relaxed))
    }
}

struct Failure(u8, String);

impl<E: std::fmt::Display> From<E> for Failure {
    fn from(e: E) -> Self {
        Failure(1, e.to_string())
    }
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    voucher_pos::init_stderr_logs();
    let rt = tokio::runtime::Builder::new_multi_thread().worker_threads(2).enable_all().build().expect("tokio runtime");
    match rt.block_on(run(cli)) {
        Ok(code) => ExitCode::from(code),
        Err(Failure(code, msg)) => {
            eprintln!("voucher-pos: {msg}");
            ExitCode::from(code)
        }
    }
}

fn exit_code_for(i: &Intent) -> u8 {
    match i.state {
        IntentState::Redeemed => 0,
        IntentState::Refused => 2,
        IntentState::Cancelled => 6,
        IntentState::NeedsReview => 4,
        _ => 3,
    }
}

fn outcome_line(i: &Intent) -> String {
    let f = |v: &Option<String>| v.clone().unwrap_or_default();
    match i.state {
        IntentState::Redeemed => format!("redeemed\t{}\t{}", f(&i.transaction_id), i.value_cents.unwrap_or(0)),
        IntentState::Refused => format!("refused\t{}\t{}", f(&i.error_code), f(&i.error_message)),
        IntentState::NeedsReview => format!("needs_review\t{}", f(&i.review_reason)),
        IntentState::Cancelled if i.declined => "declined".to_string(),
        s => s.as_str().to_string(),
    }
}

/// Shows decoded text safely on a terminal: the characters the voucher parser calls
/// hidden (control, bidirectional and zero-width ones) are escaped.
fn printable(payload: &[u8]) -> String {
    String::from_utf8_lossy(payload)
        .chars()
        .flat_map(|c| {
            if voucher_pos::domain::voucher::is_hidden_control(c) {
                c.escape_unicode().collect::<Vec<_>>()
            } else {
                vec![c]
            }
        })
        .collect()
}

fn decode_files(files: &[PathBuf]) -> u8 {
    use voucher_pos::scan::decode::{pipeline, Decoded, GuardedDecoder};
    let mut decoder = GuardedDecoder::new(pipeline, Duration::from_secs(5));
    let mut worst = 0;
    for f in files {
        let text = match voucher_pos::scan::sources::load_frame(f) {
            Ok(frame) => match decoder.decode(Arc::new(frame)) {
                Decoded::Found(found) => printable(&found[0].payload),
                Decoded::Nothing => "-".into(),
                Decoded::Panicked | Decoded::TimedOut => {
                    eprintln!("voucher-pos: {}: the decoder gave up on this image", f.display());
                    "-".into()
                }
            },
            Err(e) => {
                eprintln!("voucher-pos: {e}");
                worst = 1;
                "-".into()
            }
        };
        println!("{}\t{}", f.display(), text);
    }
    worst
}

async fn run(cli: Cli) -> Result<u8, Failure> {
    if let Command::Decode { files } = &cli.command {
        return Ok(decode_files(files));
    }
    let db = match &cli.terminal.db {
        Some(db) => db.clone(),
        None => {
            // An earlier version's folder becomes this one's, once (as the app does).
            voucher_pos::store::adopt_earlier_folder(&voucher_pos::store::data_home())?;
            voucher_pos::store::default_path()
        }
    };
    // A service address the terminal may never use is refused before any command
    // runs, not only by those that send: a plain-http typo is said at once.
    if let Some(service) = cli.terminal.service.as_deref() {
        voucher_pos::service::api::check_service_url(service)?;
    }
    #[cfg(debug_assertions)]
    let skewed = cli.clock_skew.map(|ms| Arc::new(SkewedClock(ms.into())));
    #[cfg(not(debug_assertions))]
    let skewed: Option<Arc<SkewedClock>> = None;
    let clock: Arc<dyn Clock> = match &skewed {
        Some(c) => c.clone(),
        None => Arc::new(SystemClock),
    };
    if let Command::Restore { file } = &cli.command {
        // Before anything opens the database: restoring needs it closed.
        let kept = voucher_pos::app::restore(&db, file, clock, &Authority::os_user())
            .map_err(|e| Failure(1, format!("{e} ({})", e.code())))?;
        match kept {
            Some(k) => eprintln!("Restored {}; the database it replaced is kept as {}.", file.display(), k.display()),
            None => eprintln!("Restored {}.", file.display()),
        }
        return Ok(0);
    }
    let store = Arc::new(Store::open(&db, clock)?);
    let mut settings = cli.terminal.over(TerminalSettings::load(&store)?);
    if cli.terminal.cashier.is_none() {
        // A script is not the till's single user: `cli`, unless --cashier names one.
        settings.cashier_id = "cli".into();
    }
    let ctx = SaleContext {
        terminal_id: settings.terminal_id.clone(),
        branch_code: settings.branch_code.clone(),
        cashier_id: settings.cashier_id.clone(),
        ..Default::default()
    };
    let actor = format!("cashier:{}", ctx.cashier_id);
    // The service, for the commands that talk to it.
    let api_config = || -> Result<ApiConfig, Failure> {
        let service = cli
            .terminal
            .service
            .clone()
            .ok_or_else(|| Failure(1, "--service URL is required for this command".into()))?;
        let key = cli
            .terminal
            .api_key
            .clone()
            .ok_or_else(|| Failure(1, "--api-key KEY is required for this command".into()))?;
        let mut api = ApiConfig::new(service, key);
        api.total_timeout = cli.request_timeout;
        Ok(api)
    };
    let print_limits = Limits { connect: cli.print_timeout, io: cli.print_timeout };
    let terminal = || -> Result<Terminal, Failure> {
        let api = api_config()?;
        let cfg = SyncConfig {
            key_window: cli.key_window,
            key_window_margin: cli.key_window_margin,
            backoff_cap: cli.backoff_cap,
            decline_grace: cli.decline_grace,
            seed: cli.seed,
            ..SyncConfig::default()
        };
        let t = Terminal::start(store.clone(), ApiClient::new(&api)?, cfg);
        t.printing.set_limits(print_limits);
        Ok(t)
    };
    match cli.command {
        Command::Scan { code, receipt, skus } => {
            let ctx = SaleContext { receipt_number: receipt, skus, ..ctx };
            let r = match voucher_pos::app::terminal::scan_text(&store, &code, &ctx) {
                Ok(r) => r,
                Err(e @ voucher_pos::Error::Code(_)) => return Err(Failure(2, format!("{} ({})", e, e.code()))),
                Err(e) => return Err(Failure(1, format!("{} ({})", e, e.code()))),
            };
            println!("{}", r.intent().id);
            match &r {
                ScanResult::Created { .. } => eprintln!("created"),
                ScanResult::Existing { intent } => eprintln!("existing ({})", intent.state),
                ScanResult::AlreadyRedeemed { intent } => {
                    eprintln!(
                        "already redeemed here at {} (transaction {})",
                        voucher_pos::platform::clock::rfc3339(intent.updated_at),
                        intent.transaction_id.as_deref().unwrap_or("unknown")
                    );
                    return Ok(5);
                }
            }
            Ok(0)
        }
        Command::Redeem { intent_id, wait: None } => {
            let (i, _) = store.commit_redeem(&intent_id, &actor, false)?;
            println!("{}", outcome_line(&i));
            Ok(0)
        }
        Command::Redeem { intent_id, wait: Some(wait) } => {
            let t = terminal()?;
            store.commit_redeem(&intent_id, &actor, false)?;
            t.wake();
            let i = t.wait_for_outcome(&intent_id, wait).await?;
            t.shutdown().await;
            println!("{}", outcome_line(&i));
            Ok(exit_code_for(&i))
        }
        Command::Sync { until_idle, max_wait } => {
            let t = terminal()?;
            let mut rx = t.subscribe();
            let deadline = tokio::time::Instant::now() + max_wait;
            let code = loop {
                let s = store.summary()?;
                if until_idle && s.pending == 0 {
                    // Idle, but a manager must settle some: say so in the exit code.
                    break if s.needs_review > 0 { 4 } else { 0 };
                }
                match tokio::time::timeout_at(deadline, rx.recv()).await {
                    Err(_) => break if until_idle { 3 } else { 0 },
                    Ok(Ok(SyncEvent::StoreFailure { message })) => eprintln!("voucher-pos: store failure: {message}"),
                    Ok(Ok(SyncEvent::KeyRejected { message })) => {
                        eprintln!("voucher-pos: the service rejected the API key ({message}); intents wait until it is replaced")
                    }
                    Ok(_) => {}
                }
            };
            t.shutdown().await;
            let s = store.summary()?;
            println!("pending={} needs_review={}", s.pending, s.needs_review);
            Ok(code)
        }
        Command::Log { format, state } => {
            let filter = LogFilter {
                state: state.map(|s| s.parse()).transpose().map_err(|e: String| Failure(1, e))?,
                ..Default::default()
            };
            match format {
                Format::Csv => {
                    export_csv(&store, &filter, std::io::stdout().lock())?;
                }
                Format::Json => {
                    let mut all = Vec::new();
                    let mut after = None;
                    loop {
                        let p = page(&store, &filter, after.as_ref(), 1000)?;
                        all.extend(p.rows);
                        match p.next {
                            Some(c) => after = Some(c),
                            None => break,
                        }
                    }
                    println!("{}", serde_json::to_string_pretty(&all)?);
                }
            }
            Ok(0)
        }
        Command::Session => {
            use tokio::io::AsyncBufReadExt;
            let t = terminal()?;
            let mut lines = tokio::io::BufReader::new(tokio::io::stdin()).lines();
            // A receipt that did not print is said on stderr, with how to reprint it;
            // stdout keeps one answer per command.
            let mut notes = t.printing.subscribe();
            let said = tokio::spawn(async move {
                while let Ok(n) = notes.recv().await {
                    eprintln!(
                        "voucher-pos: {}{}",
                        n.words(english()),
                        if n.ok { "" } else { " (voucher-pos reprint SALE)" }
                    );
                }
            });
            while let Ok(Some(line)) = lines.next_line().await {
                let (cmd, arg) = line.trim().split_once(' ').unwrap_or((line.trim(), ""));
                let answer = match cmd {
                    "scan" => match t.scan(arg, &ctx) {
                        Ok(r) => {
                            let sale = r.intent().sale_id.as_deref().unwrap_or("-");
                            format!("ok scanned {} {} {} {sale}", r.intent().id, r.kind(), r.intent().state)
                        }
                        Err(e) => format!("err {} {e}", e.code()),
                    },
                    "redeem" if arg.is_empty() => match t.redeem_sale(&actor, Duration::ZERO).await {
                        Ok((v, pressed)) => {
                            let sale = v.sale.as_ref().map_or("-", |s| s.id.as_str());
                            let ids: Vec<&str> = pressed.iter().map(|i| i.id.as_str()).collect();
                            format!("ok sent {sale} {}", if ids.is_empty() { "-".to_string() } else { ids.join(",") })
                        }
                        Err(e) => format!("err {} {e}", e.code()),
                    },
                    "redeem" => match t.redeem(arg, &actor, Duration::ZERO).await {
                        Ok(v) => format!("ok queued {} {}", v.intent.id, v.intent.state),
                        Err(e) => format!("err {} {e}", e.code()),
                    },
                    "close" => match t.close_sale(&actor, None) {
                        // A receipt auto-printed on close is the printer thread's: the
                        // answer does not wait for it (see the notes below).
                        Ok(v) => format!("ok closed {}", v.and_then(|v| v.sale).map_or("-".to_string(), |s| s.id)),
                        Err(e) => format!("err {} {e}", e.code()),
                    },
                    "skew" => match (&skewed, arg.parse::<i64>()) {
                        (Some(c), Ok(ms)) => {
                            c.0.store(ms, std::sync::atomic::Ordering::Relaxed);
                            t.wake();
                            format!("ok skew {ms}")
                        }
                        _ => "err usage skew MS needs a number and a terminal started with --clock-skew".to_string(),
                    },
                    "accept" => match t.accept_offline(arg, &actor) {
                        Ok(i) => format!("ok accepted {}", i.id),
                        Err(e) => format!("err {} {e}", e.code()),
                    },
                    "decline" => match t.decline(arg, &actor) {
                        Ok(i) => format!("ok declined {} {}", i.id, i.state),
                        Err(e) => format!("err {} {e}", e.code()),
                    },
                    "cancel" => match t.cancel(arg, &actor) {
                        Ok(i) => format!("ok cancelled {}", i.id),
                        Err(e) => format!("err {} {e}", e.code()),
                    },
                    "quit" => break,
                    _ => format!("err usage unknown command {cmd:?}"),
                };
                println!("{answer}");
            }
            // Receipts still printing get their time limits, not more.
            let printing = &t.printing;
            tokio::task::block_in_place(|| printing.wait_idle(Duration::from_secs(30)));
            t.shutdown().await;
            // The printer thread's last note is said before the process ends.
            let _ = tokio::time::timeout(Duration::from_secs(10), said).await;
            Ok(0)
        }
        Command::Sales { limit } => {
            println!("{}", serde_json::to_string_pretty(&store.sales(limit)?)?);
            Ok(0)
        }
        Command::Decode { .. } => unreachable!("handled before the database is opened"),
        Command::Policy { set } => {
            if let Some(json) = set {
                let p: OfflinePolicy =
                    serde_json::from_str(&json).map_err(|e| Failure(1, format!("not a policy: {e}")))?;
                p.save(&store)?;
            }
            println!("{}", serde_json::to_string(&OfflinePolicy::load(&store)?)?);
            Ok(0)
        }
        Command::Manager { task: ManagerTask::ResetPin } => {
            voucher_pos::checkout::access::reset_manager_pin(&store, &voucher_pos::checkout::access::os_user())?;
            eprintln!("The manager PIN is reset: the next visit to the manager screens chooses a new one.");
            Ok(0)
        }
        Command::Report { date, format } => {
            let api = ApiClient::new(&api_config()?)?;
            let report = voucher_pos::app::report(&store, &api, Some(&date), &ctx.branch_code, &ctx.terminal_id)
                .await
                .map_err(|e| Failure(1, format!("{e} ({})", e.code())))?;
            match format {
                Format::Json => println!("{}", serde_json::to_string_pretty(&report)?),
                Format::Csv => print!("{}", voucher_pos::records::report::to_csv(&report)),
            }
            for f in &report.findings {
                eprintln!("finding: {}", f.message);
            }
            Ok(if report.findings.is_empty() { 0 } else { 4 })
        }
        Command::Backup => {
            let path = voucher_pos::app::backup_now(&store, &Authority::os_user())
                .await
                .map_err(|e| Failure(1, format!("{e} ({})", e.code())))?;
            println!("{}", path.display());
            Ok(0)
        }
        Command::Restore { .. } => unreachable!("handled before the database is opened"),
        Command::Archive { to, older_than_days } => {
            let data_dir = voucher_pos::store::data_dir(&db);
            let done = voucher_pos::app::archive(&store, &data_dir, &Authority::os_user(), older_than_days, to)
                .await
                .map_err(|e| Failure(1, format!("{e} ({})", e.code())))?;
            let what = if done.count == 1 { "1 intent".to_string() } else { format!("{} intents", done.count) };
            match done.file {
                Some(f) => println!("archived {what} to {f}"),
                None => println!(
                    "archived 0 intents: none final and last changed before {}",
                    settings.zone().rfc3339(done.cutoff_ms)
                ),
            }
            Ok(0)
        }
        Command::Printer { set, paper, auto_print, test } => {
            let who = Authority::os_user();
            let mut p = voucher_pos::app::printer_settings(&store)?;
            if set.is_some() || paper.is_some() || auto_print.is_some() {
                p = voucher_pos::app::set_printer(&store, &who, set.as_deref(), paper, auto_print.map(|a| a == "on"))
                    .map_err(|e| Failure(1, format!("{e} ({})", e.code())))?;
            }
            println!("{}", serde_json::to_string(&p)?);
            if test {
                let done = voucher_pos::app::printing::print(
                    &store,
                    &Job::Test { printer: None, paper_mm: None },
                    who.actor(),
                    print_limits,
                )
                .map_err(|e| Failure(1, format!("{e} ({})", e.code())))?;
                eprintln!("{} printed ({} bytes).", done.what.words(english()), done.bytes);
            }
            Ok(0)
        }
        Command::Reprint { sale } => {
            let found = match sale.parse::<i64>() {
                Ok(n) => store.sale_by_number(n)?,
                Err(_) => store.sale(&sale)?,
            };
            let who = Authority::os_user();
            let job = Job::Sale { sale_id: found.id };
            let done = voucher_pos::app::printing::print(&store, &job, who.actor(), print_limits)
                .map_err(|e| Failure(1, format!("{e} ({})", e.code())))?;
            eprintln!(
                "{} printed{} ({} bytes).",
                done.what.words(english()),
                if done.copy { ", marked COPY" } else { "" },
                done.bytes
            );
            Ok(0)
        }
        Command::Audit { limit } => {
            for e in voucher_pos::checkout::access::audit::recent(&store, limit)? {
                println!("{}", serde_json::to_string(&e)?);
            }
            Ok(0)
        }
        Command::Show { intent_id } => {
            let i = store.get(&intent_id)?;
            let out = serde_json::json!({
                "intent": i,
                "attempts": store.attempts(&intent_id)?,
                "history": store.history(&intent_id)?,
            });
            println!("{}", serde_json::to_string_pretty(&out)?);
            Ok(exit_code_for(&i))
        }
    }
}

/// The command line speaks English: it is the engineer's and the scripts' tool.
fn english() -> &'static voucher_pos::messages::Messages {
    voucher_pos::messages::Messages::of(voucher_pos::messages::Lang::En)
}
