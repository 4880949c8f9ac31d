//! The application layer: each thing a person does at the terminal, with its
//! permission and its audit row, for both shells. A Tauri command and a `voucher-pos`
//! subcommand are a few lines around these functions, so a backup made from a
//! script leaves the same trace as one made from the manager screen, and no rule
//! lives in a shell.
//!
//! Who may do a manager's task is an [`Authority`]: the window gets one from an open
//! manager session ([`crate::checkout::access::Access::manager`]), the command line from the
//! OS account running it ([`Authority::os_user`]: OS access to the till is a
//! manager's). Functions that write files are `async` and do the work on the blocking
//! pool, so a window awaiting them never waits on the disk.

pub mod printing;
pub mod retention;
pub mod startup;
pub mod terminal;

use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use serde::Serialize;

use crate::app::retention::Archived;
use crate::app::terminal::{RedeemView, Settlement, Terminal};
pub use crate::checkout::access::Authority;
use crate::checkout::access::{audit, Access, AccessState};
use crate::checkout::policy::OfflinePolicy;
use crate::checkout::sale::SaleView;
use crate::checkout::settings::TerminalSettings;
use crate::domain::intent::{Intent, SaleContext};
use crate::platform::secrets::{SecretStore, StoredKey};
use crate::records::redemption_log::{LogCursor, LogFilter, LogPage};
use crate::records::report::Report;
use crate::service::api::ApiClient;
use crate::service::sync::Connectivity;
use crate::store::{Attempt, HistoryEntry, QueueSummary, ScanResult, Store};
use crate::{Error, ErrorCode};

/// How long the Redeem press waits for the service before showing "queued".
pub const CHECKOUT_WAIT: Duration = Duration::from_secs(3);

/// Runs file work on the blocking pool; `code` names the failure if it panicked.
async fn off_the_runtime<T: Send + 'static>(
    code: ErrorCode,
    work: impl FnOnce() -> Result<T, Error> + Send + 'static,
) -> Result<T, Error> {
    tokio::task::spawn_blocking(work)
        .await
        .unwrap_or_else(|e| Err(Error::NotAllowed { code, message: format!("The work stopped unexpectedly: {e}") }))
}

/// Records a manager's action that has happened. If the row cannot be written (a
/// full disk), the action still happened: saying it failed would send the manager
/// to do it again, so the failure goes to the log files instead.
fn record(store: &Store, who: &Authority, event: &str, detail: Option<&str>) {
    if let Err(e) = audit::append(store, who.actor(), event, detail) {
        tracing::error!(error = %e, event, "the audit row of an action that happened could not be written");
    }
}

/// A file written where a manager chose.
#[derive(Debug, Serialize, ts_rs::TS)]
pub struct Exported {
    pub rows: usize,
    pub path: String,
}

/// Writes the redemption log (filtered, dates in the store's zone) to `dest`.
pub async fn export_log(
    store: &Arc<Store>,
    data_dir: &Path,
    who: &Authority,
    filter: LogFilter,
    dest: PathBuf,
) -> Result<Exported, Error> {
    let filter = filter.in_zone(&TerminalSettings::load(store)?.zone())?;
    let (s, d, to) = (store.clone(), data_dir.to_path_buf(), dest.clone());
    let rows = off_the_runtime(ErrorCode::ExportIo, move || {
        Ok(crate::records::redemption_log::export_to_file(&s, &filter, &to, &d)?)
    })
    .await?;
    record(store, who, "log_exported", Some(&format!("{rows} rows to {}", dest.display())));
    Ok(Exported { rows, path: dest.display().to_string() })
}

/// The archive's file name to offer, for the terminal's retention.
pub fn archive_name(store: &Store) -> Result<PathBuf, Error> {
    crate::app::retention::suggested_name(store, TerminalSettings::load(store)?.retention_days)
}

/// Archives and removes the final intents past `days` (none: the terminal's
/// retention) to `dest`; the audit row is written in the removal's transaction.
pub async fn archive(
    store: &Arc<Store>,
    data_dir: &Path,
    who: &Authority,
    days: Option<u32>,
    dest: PathBuf,
) -> Result<Archived, Error> {
    let days = match days {
        Some(d) => d,
        None => TerminalSettings::load(store)?.retention_days,
    };
    let (s, d, by) = (store.clone(), data_dir.to_path_buf(), who.actor().to_string());
    off_the_runtime(ErrorCode::ExportIo, move || crate::app::retention::archive(&s, days, &dest, &d, &by)).await
}

/// The end-of-day report of `date` (the store's day; none or empty: today).
pub async fn report(
    store: &Store,
    api: &ApiClient,
    date: Option<&str>,
    branch: &str,
    terminal: &str,
) -> Result<Report, Error> {
    let (zone, date) = store_day(store, date)?;
    Ok(crate::records::report::build(store, api, &zone, &date, branch, terminal).await?)
}

/// The store's zone and the day asked for (none or empty: today, in that zone).
fn store_day(store: &Store, date: Option<&str>) -> Result<(crate::platform::clock::StoreZone, String), Error> {
    let zone = TerminalSettings::load(store)?.zone();
    let date = date.filter(|d| !d.is_empty()).map_or_else(|| zone.date_of(store.now_ms()), str::to_string);
    Ok((zone, date))
}

/// The report's file name to offer.
pub fn report_file_name(report: &Report) -> String {
    format!("end-of-day-{}.csv", report.date)
}

/// Writes `report` as CSV to `dest`.
pub async fn export_report(
    store: &Arc<Store>,
    data_dir: &Path,
    who: &Authority,
    report: &Report,
    dest: PathBuf,
) -> Result<Exported, Error> {
    let rows = report.matched.len() + report.service_only.len() + report.local_only.len();
    let (csv, d, to) = (crate::records::report::to_csv(report), data_dir.to_path_buf(), dest.clone());
    off_the_runtime(ErrorCode::ExportIo, move || Ok(crate::records::export::write_text(&csv, &to, &d)?)).await?;
    record(store, who, "report_exported", Some(&format!("{} to {}", report.date, dest.display())));
    Ok(Exported { rows, path: dest.display().to_string() })
}

/// Writes the support archive (summary and logs, no secrets, no codes) to `dest`.
pub async fn save_diagnostics(
    store: &Arc<Store>,
    data_dir: &Path,
    who: &Authority,
    dest: PathBuf,
) -> Result<(), Error> {
    let (s, d, to) = (store.clone(), data_dir.to_path_buf(), dest.clone());
    off_the_runtime(ErrorCode::ExportIo, move || Ok(crate::records::diagnostics::write(&s, &d.join("logs"), &to, &d)?))
        .await?;
    record(store, who, "diagnostics_saved", Some(&dest.display().to_string()));
    Ok(())
}

/// Writes a backup now, keeping as many as the settings say; returns its path.
pub async fn backup_now(store: &Arc<Store>, who: &Authority) -> Result<PathBuf, Error> {
    let keep = TerminalSettings::load(store)?.backups_kept as usize;
    let s = store.clone();
    let path = off_the_runtime(ErrorCode::BackupIo, move || Ok(crate::records::backup::make(&s, keep)?)).await?;
    record(store, who, "backup_made", Some(&path.display().to_string()));
    Ok(path)
}

/// Once a store day, a backup: called at every start, it makes one unless one was
/// made today. No audit row: nobody asked for it.
pub fn daily_backup(store: &Store) -> Result<Option<PathBuf>, Error> {
    let settings = TerminalSettings::load(store)?;
    if crate::records::backup::made_today(store, &settings.zone()) {
        return Ok(None);
    }
    Ok(Some(crate::records::backup::make(store, settings.backups_kept as usize)?))
}

/// Puts the backup `from` in place of the database at `db` (which must be closed)
/// and records who did, in the restored database (a row that cannot be written is
/// logged: the restore has happened). Returns where the replaced database was kept.
pub fn restore(
    db: &Path,
    from: &Path,
    clock: Arc<dyn crate::platform::clock::Clock>,
    who: &Authority,
) -> Result<Option<PathBuf>, Error> {
    let kept = crate::records::backup::restore(db, from, clock.now_ms())?;
    // Restored: what follows only records it, and cannot undo it.
    match Store::open(db, clock) {
        Ok(store) => record(&store, who, "database_restored", Some(&from.display().to_string())),
        Err(e) => tracing::error!(error = %e, "restored, but the database could not be opened to record it"),
    }
    Ok(kept)
}

/// The manager's settings screen.
#[derive(Serialize, ts_rs::TS)]
pub struct SettingsView {
    pub terminal: TerminalSettings,
    pub policy: OfflinePolicy,
    /// Where the API key is kept ("OS keyring" or "private file ...").
    pub api_key_location: String,
    /// Whether a key is stored for the service in the settings.
    pub api_key_set: bool,
    pub cameras: Vec<crate::scan::camera::CameraInfo>,
}

pub fn settings_view(store: &Store, secrets: &dyn SecretStore) -> Result<SettingsView, Error> {
    let terminal = TerminalSettings::load(store)?;
    let api_key_set = match terminal.service_url.as_deref() {
        Some(url) => matches!(crate::platform::secrets::api_key_for(secrets, url)?, StoredKey::For(_)),
        None => false,
    };
    Ok(SettingsView {
        terminal,
        policy: OfflinePolicy::load(store)?,
        api_key_location: secrets.describe(),
        api_key_set,
        cameras: crate::scan::camera::list_cameras(),
    })
}

/// Saves the settings, the policy and (if typed) the API key. The key is bound to
/// the service URL: a key needs its URL, and a new URL needs its key typed again, so
/// an old key is never sent to a new address. The login autostart entry is made to
/// match first (a setting that says "start on login" with no entry behind it would
/// be a lie), then the settings are saved, then the key: a key that cannot be kept
/// puts the earlier settings back, so a half-saved change never leaves a till that
/// cannot start.
pub fn save_settings(
    store: &Store,
    secrets: &dyn SecretStore,
    who: &Authority,
    launch: &crate::platform::autostart::Launch,
    terminal: &TerminalSettings,
    policy: &OfflinePolicy,
    api_key: Option<&str>,
) -> Result<(), Error> {
    terminal.validate()?;
    let before = TerminalSettings::load(store)?;
    let key = api_key.map(str::trim).filter(|k| !k.is_empty());
    let url = terminal.service_url.as_deref().map(str::trim).filter(|u| !u.is_empty());
    match (url, key) {
        (None, Some(_)) => {
            return Err(Error::NotAllowed {
                code: ErrorCode::ApiKeyWithoutService,
                message: "Enter the service URL that this API key is for.".into(),
            });
        }
        (Some(u), None) if before.service_url.as_deref() != Some(u) => {
            return Err(Error::NotAllowed {
                code: ErrorCode::ApiKeyRequired,
                message: "A new service URL needs its API key: type the key for this service too (the old key is never sent to a new address).".into(),
            });
        }
        _ => {}
    }
    let policy_before = OfflinePolicy::load(store)?;
    launch.apply(terminal.start_on_login).map_err(|e| Error::NotAllowed {
        code: ErrorCode::AutostartFailed,
        message: format!("The login autostart entry could not be written: {e}"),
    })?;
    terminal.save(store)?;
    policy.save(store)?;
    if let (Some(u), Some(k)) = (url, key) {
        if let Err(e) = crate::platform::secrets::save_api_key(secrets, u, k) {
            // The new service's key could not be kept (a locked keyring): the settings
            // go back, so that the next start runs against the service whose key is
            // stored, not against one it has no key for.
            before.save(store)?;
            policy_before.save(store)?;
            return Err(e.into());
        }
        record(store, who, "api_key_changed", Some(u));
    }
    record(store, who, "settings_saved", None);
    Ok(())
}

/// The receipt printer as the command line shows it.
#[derive(Debug, Serialize)]
pub struct PrinterSettings {
    pub printer: String,
    pub paper_mm: u32,
    pub auto_print: bool,
}

pub fn printer_settings(store: &Store) -> Result<PrinterSettings, Error> {
    let s = TerminalSettings::load(store)?;
    Ok(PrinterSettings { printer: s.printer_target().to_string(), paper_mm: s.paper_mm, auto_print: s.auto_print })
}

/// Sets the receipt printer (what is not given stays), checked like every setting,
/// with its audit row.
pub fn set_printer(
    store: &Store,
    who: &Authority,
    target: Option<&str>,
    paper_mm: Option<u32>,
    auto_print: Option<bool>,
) -> Result<PrinterSettings, Error> {
    let mut s = TerminalSettings::load(store)?;
    if let Some(t) = target {
        s.printer = t.parse::<crate::platform::printer::PrinterTarget>()?.to_string();
    }
    s.paper_mm = paper_mm.unwrap_or(s.paper_mm);
    s.auto_print = auto_print.unwrap_or(s.auto_print);
    s.validate()?;
    s.save(store)?;
    let detail = format!("{} {} mm auto-print {}", s.printer, s.paper_mm, if s.auto_print { "on" } else { "off" });
    record(store, who, "printer_set", Some(&detail));
    printer_settings(store)
}

/// What the scanner last said about its source: the source it reads (a camera's
/// name, a folder: data, shown as it is), or why it cannot read one.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, ts_rs::TS)]
pub struct ScannerNote {
    pub source: Option<String>,
    pub problem: Option<ErrorCode>,
    /// The problem in the core's words, for a problem the page has no message for.
    pub message: Option<String>,
}

impl ScannerNote {
    pub fn reading(source: String) -> ScannerNote {
        ScannerNote { source: Some(source), ..Default::default() }
    }

    pub fn failed(e: &crate::scan::SourceError) -> ScannerNote {
        ScannerNote { source: None, problem: Some(e.code()), message: Some(e.to_string()) }
    }
}

/// What Settings' "Test connection" found at a service address, before it is saved.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, ts_rs::TS)]
#[serde(tag = "result", rename_all = "snake_case")]
pub enum ConnectionCheck {
    /// No service URL: the demo sandbox, which this till starts itself.
    Sandbox,
    /// Nothing answered at the address.
    Unreachable,
    /// It answered; no key was typed and none is stored for this address.
    NoKey,
    /// It answered and refused the key, in its own words.
    KeyRefused { status: u16, message: String },
    /// It answered and listed today's transactions with the key: redemptions will go.
    Accepted,
    /// It answered, but the list failed otherwise (the key could not be judged).
    ListFailed { code: ErrorCode, message: String },
}

/// Settings' "Test connection": asks the address (as typed) whether it answers, then
/// lists today's transactions (one row, no redemption) with the key typed, or the
/// one stored for that address. A key is never sent to another address than its own.
pub async fn check_connection(
    url: Option<&str>,
    typed_key: Option<&str>,
    secrets: &dyn SecretStore,
    now_ms: i64,
) -> Result<ConnectionCheck, Error> {
    let Some(url) = url.map(str::trim).filter(|u| !u.is_empty()) else {
        return Ok(ConnectionCheck::Sandbox);
    };
    crate::service::api::check_service_url(url)?;
    let key = match typed_key.map(str::trim).filter(|k| !k.is_empty()) {
        Some(k) => Some(k.to_string()),
        None => match crate::platform::secrets::api_key_for(secrets, url)? {
            StoredKey::For(k) => Some(k),
            StoredKey::Missing | StoredKey::OtherService(_) => None,
        },
    };
    // The probe carries no key; with none to try, the client gets a stand-in it never sends.
    let api = ApiClient::new(&crate::service::api::ApiConfig::new(url, key.clone().unwrap_or_else(|| "none".into())))?;
    if !api.probe().await {
        return Ok(ConnectionCheck::Unreachable);
    }
    if key.is_none() {
        return Ok(ConnectionCheck::NoKey);
    }
    let today = crate::platform::clock::utc_date(now_ms);
    // The service's words are shown as they are, except a key it echoes back: the
    // form treats the key as write-only.
    let unkeyed = |m: String| key.as_deref().map_or(m.clone(), |k| m.replace(k, "…"));
    Ok(match api.transactions(Some(&today), Some(&today), Some(1), None).await {
        Ok(_) => ConnectionCheck::Accepted,
        Err(crate::service::api::LookupError::Status { status: status @ (401 | 403), message, .. }) => {
            ConnectionCheck::KeyRefused { status, message: unkeyed(message) }
        }
        Err(e) => ConnectionCheck::ListFailed { code: e.code(), message: unkeyed(e.to_string()) },
    })
}

/// The checkout screen's status line.
#[derive(Serialize, ts_rs::TS)]
pub struct Status {
    pub connectivity: Connectivity,
    pub queue: QueueSummary,
    pub sandbox: bool,
    pub scanner: ScannerNote,
    pub terminal_id: String,
    pub access: AccessState,
    /// The store's time zone (IANA name), for showing times; none: the system's.
    pub time_zone: Option<String>,
    /// The store's currency symbol, for amounts the core sends in cents.
    pub currency_symbol: String,
    pub now_ms: i64,
    /// Till mode this run: full screen, and closing needs the manager PIN.
    pub till_mode: bool,
    /// A tone for each answer (the setting).
    pub sounds: bool,
}

/// One intent with everything that happened to it, for the manager's detail view.
#[derive(Serialize, ts_rs::TS)]
pub struct Detail {
    pub intent: Intent,
    pub attempts: Vec<Attempt>,
    pub history: Vec<HistoryEntry>,
}

pub fn detail(store: &Store, intent_id: &str) -> Result<Detail, Error> {
    Ok(Detail {
        intent: store.get(intent_id)?,
        attempts: store.attempts(intent_id)?,
        history: store.history(intent_id)?,
    })
}

/// Changes the log files' level while the app runs.
pub type LogLevel = Arc<dyn Fn(&str) + Send + Sync>;

/// A running terminal with a window: its engine, the open sale's context, who is at
/// the till, and what the shell started it with.
pub struct App {
    pub terminal: Terminal,
    /// The terminal's id, branch and single-user cashier for the next scan.
    pub sale: Mutex<SaleContext>,
    pub access: Access,
    pub secrets: Box<dyn SecretStore>,
    /// The folder of the database and the secrets file: exports are refused there.
    pub data_dir: PathBuf,
    /// The service client (the engine holds its own clone), for the end-of-day report.
    pub api: ApiClient,
    /// How this app was started, for the login autostart entry.
    pub launch: crate::platform::autostart::Launch,
    /// Sets the log files' level (none: logs could not start).
    pub log_level: Option<LogLevel>,
    /// The embedded sandbox serves this run.
    pub sandbox: bool,
    /// Till mode this run (the setting, or `--till`).
    pub till: bool,
    /// What the scanner last said about its source.
    pub scanner_status: Arc<Mutex<ScannerNote>>,
}

impl App {
    pub fn store(&self) -> &Arc<Store> {
        self.terminal.store()
    }

    /// Who the history says acted at the checkout: the signed-in cashier (or the
    /// single user); fails when a sign-in is needed.
    fn cashier(&self) -> Result<String, Error> {
        Ok(format!("cashier:{}", self.access.cashier()?))
    }

    /// The sale context for a scan or a total, with the signed-in cashier.
    fn context(&self) -> Result<SaleContext, Error> {
        let mut sale = self.sale.lock().unwrap().clone();
        sale.cashier_id = self.access.cashier()?;
        Ok(sale)
    }

    pub fn status(&self) -> Result<Status, Error> {
        let settings = TerminalSettings::load(self.store())?;
        Ok(Status {
            connectivity: self.terminal.connectivity(),
            queue: self.terminal.summary()?,
            sandbox: self.sandbox,
            scanner: self.scanner_status.lock().unwrap().clone(),
            terminal_id: self.sale.lock().unwrap().terminal_id.clone(),
            access: self.access.state()?,
            time_zone: settings.zone().name(),
            currency_symbol: settings.currency_symbol.clone(),
            now_ms: self.store().now_ms(),
            till_mode: self.till,
            sounds: settings.sounds,
        })
    }

    /// Records a scan for the open sale; a CFHP code needs its receipt number and SKUs.
    pub fn scan(&self, text: &str, receipt: Option<&str>, skus: Option<&str>) -> Result<ScanResult, Error> {
        let mut sale = self.context()?;
        if let Some(r) = receipt.map(str::trim).filter(|r| !r.is_empty()) {
            sale.receipt_number = r.to_string();
        }
        sale.skus = crate::checkout::sale::parse_skus(skus.unwrap_or(""));
        self.terminal.scan(text, &sale)
    }

    pub fn set_sale_total(&self, total: &str) -> Result<SaleView, Error> {
        self.terminal.set_sale_total(total, &self.context()?)
    }

    pub async fn redeem_sale(&self) -> Result<SaleView, Error> {
        Ok(self.terminal.redeem_sale(&self.cashier()?, CHECKOUT_WAIT).await?.0)
    }

    pub fn close_sale(&self, sale_id: Option<&str>) -> Result<Option<SaleView>, Error> {
        self.terminal.close_sale(&self.cashier()?, sale_id)
    }

    pub fn view_intent(&self, intent_id: &str) -> Result<RedeemView, Error> {
        self.terminal.view_of(intent_id)
    }

    pub fn accept_offline(&self, intent_id: &str) -> Result<Intent, Error> {
        self.terminal.accept_offline(intent_id, &self.cashier()?)
    }

    pub fn decline(&self, intent_id: &str) -> Result<Intent, Error> {
        self.terminal.decline(intent_id, &self.cashier()?)
    }

    pub fn cancel(&self, intent_id: &str) -> Result<Intent, Error> {
        self.terminal.cancel(intent_id, &self.cashier()?)
    }

    pub fn settle(
        &self,
        who: &Authority,
        intent_id: &str,
        how: Settlement,
        note: &str,
        transaction_id: Option<&str>,
    ) -> Result<Intent, Error> {
        self.terminal.settle(intent_id, how, note, who.actor(), transaction_id.filter(|t| !t.is_empty()))
    }

    pub fn log_page(&self, filter: &LogFilter, after: Option<&LogCursor>) -> Result<LogPage, Error> {
        let filter = filter.in_zone(&TerminalSettings::load(self.store())?.zone())?;
        Ok(crate::records::redemption_log::page(self.store(), &filter, after, 50)?)
    }

    /// This terminal's own tally of a day, for when the service's list cannot be
    /// read (see [`crate::records::report::OwnTally`]).
    pub fn own_tally(&self, date: Option<&str>) -> Result<crate::records::report::OwnTally, Error> {
        let (zone, date) = store_day(self.store(), date)?;
        Ok(crate::records::report::own_tally(self.store(), &zone, &date)?)
    }

    pub async fn report(&self, date: Option<&str>) -> Result<Report, Error> {
        let (branch, terminal) = {
            let sale = self.sale.lock().unwrap();
            (sale.branch_code.clone(), sale.terminal_id.clone())
        };
        report(self.store(), &self.api, date, &branch, &terminal).await
    }

    /// Settings' "Test connection" (see [`check_connection`]).
    pub async fn check_connection(&self, url: Option<&str>, typed_key: Option<&str>) -> Result<ConnectionCheck, Error> {
        check_connection(url, typed_key, self.secrets.as_ref(), self.store().now_ms()).await
    }

    pub fn settings_view(&self) -> Result<SettingsView, Error> {
        settings_view(self.store(), self.secrets.as_ref())
    }

    /// The review inbox, oldest first, each item in words.
    pub fn review_items(&self) -> Result<Vec<crate::records::redemption_log::ReviewItem>, Error> {
        let settings = TerminalSettings::load(self.store())?;
        let m = crate::messages::Messages::of(self.access.language()?);
        Ok(crate::records::redemption_log::review_items(self.store(), &settings.zone(), &settings.currency(), m)?)
    }

    /// Prints a closed sale's receipt (a COPY when one printed before), on the
    /// printer's thread; the window awaits it without blocking.
    pub async fn print_receipt(&self, sale_id: &str) -> Result<printing::Printed, Error> {
        let job = printing::Job::Sale { sale_id: sale_id.to_string() };
        self.terminal.printing.print(job, &self.cashier()?).await
    }

    /// Settings' "Test print", to the printer and paper typed (none: the saved ones).
    pub async fn test_print(
        &self,
        who: &Authority,
        printer: Option<String>,
        paper_mm: Option<u32>,
    ) -> Result<printing::Printed, Error> {
        self.terminal.printing.print(printing::Job::Test { printer, paper_mm }, who.actor()).await
    }

    /// Prints the end-of-day (Z) report of `date` (default: the store's today).
    pub async fn print_report(&self, who: &Authority, date: Option<&str>) -> Result<printing::Printed, Error> {
        let report = self.report(date).await?;
        self.terminal.printing.print(printing::Job::Report(Box::new(report)), who.actor()).await
    }

    /// Saves the settings (see [`save_settings`]); the id and branch apply to the
    /// next scan, the log level at once, the service, camera and key at the next start.
    pub fn save_settings(
        &self,
        who: &Authority,
        terminal: TerminalSettings,
        policy: OfflinePolicy,
        api_key: Option<&str>,
    ) -> Result<(), Error> {
        save_settings(self.store(), self.secrets.as_ref(), who, &self.launch, &terminal, &policy, api_key)?;
        if let Some(set) = &self.log_level {
            set(&terminal.log_level);
        }
        let mut sale = self.sale.lock().unwrap();
        sale.terminal_id = terminal.terminal_id;
        sale.branch_code = terminal.branch_code;
        Ok(())
    }

    /// Closes the terminal in till mode once the manager's PIN is given (with the
    /// usual back-off; the closing is in the terminal's history).
    pub fn confirm_close(&self, pin: &str) -> Result<(), Error> {
        self.access.confirm_manager(pin, "terminal_closed")?;
        tracing::info!("terminal closed by the manager");
        Ok(())
    }
}
