//! The IPC boundary: every command converts its arguments, calls the core, and
//! converts the answer. No decision is made here; errors cross as
//! `{code, message}` with the core's stable code and, for refusals, the service's
//! own message untouched.
//!
//! Every command that touches the disk, a PIN hash or a device is `async`: Tauri runs
//! a plain `fn` command on the window's main thread, and the window must never wait
//! on the disk, crypto or devices. Only `manager_lock` (memory) and `start_scanner`
//! (spawns the scanner's threads) stay plain. Each command is also listed in
//! `build.rs` and granted in `capabilities/main.json`: that file is the page's whole
//! permission list.
//!
//! Who may call what is decided by `voucher_pos::access::Access`: cashier actions
//! act as the signed-in cashier (or the single user), manager commands pass
//! `require_manager` first.

use std::path::PathBuf;
use std::sync::{Arc, Mutex};
use std::time::Duration;
use voucher_pos::ErrorCode;

use serde::Serialize;
use tauri::State;
use voucher_pos::access::{audit::AuditPage, cashiers, Access, AccessState, Cashier, MANAGER};
use voucher_pos::checkout::{RedeemView, Settlement, Terminal};
use voucher_pos::intent::{Intent, SaleContext};
use voucher_pos::log::{LogCursor, LogFilter, LogPage};
use voucher_pos::sale::SaleView;
use voucher_pos::startup::StartupProblem;
use voucher_pos::store::{Attempt, HistoryEntry, QueueSummary, ScanResult};
use voucher_pos::sync::Connectivity;

/// How long the Redeem press waits for the service before showing "queued".
pub const CHECKOUT_WAIT: Duration = Duration::from_secs(3);

/// The camera preview's channel: each message is one frame as raw bytes (see
/// [`preview_message`]), an `ArrayBuffer` on the page, with no base64 or JSON array
/// in between.
pub type PreviewChannel = tauri::ipc::Channel<tauri::ipc::InvokeResponseBody>;

/// Starts the scanner on its first call, its preview going to `preview`; later
/// calls do nothing.
pub type ScannerStart = Mutex<Option<Box<dyn FnOnce(PreviewChannel) + Send>>>;

#[tauri::command]
pub fn start_scanner(start: State<'_, ScannerStart>, preview: PreviewChannel) {
    if let Some(go) = start.lock().unwrap().take() {
        go(preview);
    }
}

/// One preview frame for the page: a little-endian `u32` length, that many bytes of
/// JSON (`width`, `height`, the code's `outline` or null), then the JPEG. The outline
/// and the picture it was found in arrive together or not at all.
pub fn preview_message(width: u32, height: u32, outline: Option<&[(f32, f32)]>, jpeg: &[u8]) -> Vec<u8> {
    let head = serde_json::json!({"width": width, "height": height, "outline": outline}).to_string();
    let mut out = Vec::with_capacity(4 + head.len() + jpeg.len());
    out.extend_from_slice(&(head.len() as u32).to_le_bytes());
    out.extend_from_slice(head.as_bytes());
    out.extend_from_slice(jpeg);
    out
}

pub struct AppState {
    pub terminal: Terminal,
    pub sale: Mutex<SaleContext>,
    pub sandbox: bool,
    pub scanner_status: Arc<Mutex<String>>,
    pub access: Access,
    pub secrets: Box<dyn voucher_pos::secrets::SecretStore>,
    /// The folder of the database and the secrets file: exports are refused there.
    pub data_dir: PathBuf,
    /// The service client (the engine holds its own clone), for the end-of-day report.
    pub api: voucher_pos::api::ApiClient,
    /// Till mode this run (the setting, or `--till`).
    pub till: bool,
    /// How this app was started (program and arguments), for the login autostart
    /// entry: it must start the same program on the same database.
    pub launch: (PathBuf, Vec<String>),
    /// Sets the log files' level (none: logs could not start).
    pub log_level: Option<LogLevel>,
}

/// Changes the app's log level while it runs (a no-op when `RUST_LOG` chose it).
pub type LogLevel = Arc<dyn Fn(&str) + Send + Sync>;

/// Why the terminal could not start, if it could not; the page asks first.
pub struct Startup(pub Option<StartupProblem>);

#[tauri::command]
pub fn startup_problem(startup: State<'_, Startup>) -> Option<StartupProblem> {
    startup.0.clone()
}

/// An error as the UI sees it.
#[derive(Debug, Serialize, ts_rs::TS)]
pub struct IpcError {
    pub code: ErrorCode,
    pub message: String,
}

impl<E: Into<voucher_pos::Error>> From<E> for IpcError {
    fn from(e: E) -> Self {
        let e: voucher_pos::Error = e.into();
        IpcError { code: e.code(), message: e.to_string() }
    }
}

type Answer<T> = Result<T, IpcError>;

#[derive(Serialize, ts_rs::TS)]
pub struct Status {
    pub connectivity: Connectivity,
    pub queue: QueueSummary,
    pub sandbox: bool,
    pub scanner: String,
    pub terminal_id: String,
    pub access: AccessState,
    /// The store's time zone (IANA name), for showing times; none: the system's.
    pub time_zone: Option<String>,
    /// The store's currency symbol, for amounts the core sends in cents.
    pub currency_symbol: String,
    pub now_ms: i64,
    /// Till mode this run: full screen, and closing needs the manager PIN.
    pub till_mode: bool,
}

#[tauri::command]
pub async fn status(state: State<'_, AppState>) -> Answer<Status> {
    let sale = state.sale.lock().unwrap().clone();
    let access = state.access.state()?;
    let settings = voucher_pos::settings::TerminalSettings::load(state.terminal.store())?;
    Ok(Status {
        connectivity: state.terminal.connectivity(),
        queue: state.terminal.summary()?,
        sandbox: state.sandbox,
        scanner: state.scanner_status.lock().unwrap().clone(),
        terminal_id: sale.terminal_id,
        access,
        time_zone: settings.zone().name(),
        currency_symbol: settings.currency_symbol.clone(),
        now_ms: state.terminal.store().now_ms(),
        till_mode: state.till,
    })
}

/// Closes the terminal in till mode, once the manager's PIN is given (with the
/// usual back-off; the closing is in the terminal's history). Queued vouchers stay
/// in the database and go out at the next start.
#[tauri::command]
pub async fn close_terminal(app: tauri::AppHandle, state: State<'_, AppState>, pin: String) -> Answer<()> {
    state.access.confirm_manager(&pin, "terminal_closed")?;
    tracing::info!("terminal closed by the manager");
    app.exit(0);
    Ok(())
}

/// Records a scan for the current sale. A CFHP code comes back as
/// `context_cfhp_needs_skus` until the receipt number and SKUs are given with it.
#[tauri::command]
pub async fn scan(
    state: State<'_, AppState>,
    text: String,
    receipt: Option<String>,
    skus: Option<String>,
) -> Answer<ScanResult> {
    let mut sale = state.sale.lock().unwrap().clone();
    sale.cashier_id = state.access.cashier()?;
    if let Some(r) = receipt.map(|r| r.trim().to_string()).filter(|r| !r.is_empty()) {
        sale.receipt_number = r;
    }
    sale.skus = voucher_pos::sale::parse_skus(skus.as_deref().unwrap_or(""));
    Ok(state.terminal.scan(&text, &sale)?)
}

/// The open sale as the core decided it: its vouchers with their states, the
/// amounts, and what the cashier may do next.
#[tauri::command]
pub async fn sale_view(state: State<'_, AppState>) -> Answer<SaleView> {
    Ok(state.terminal.sale_view()?)
}

/// The sale's total as typed (parsed by the core, in cents; refused when malformed).
#[tauri::command]
pub async fn sale_set_total(state: State<'_, AppState>, total: String) -> Answer<SaleView> {
    let mut sale = state.sale.lock().unwrap().clone();
    sale.cashier_id = state.access.cashier()?;
    Ok(state.terminal.set_sale_total(&total, &sale)?)
}

/// The Redeem press: every scanned voucher of the open sale is sent, and the press
/// waits a moment for the service's answers.
#[tauri::command]
pub async fn sale_redeem(state: State<'_, AppState>) -> Answer<SaleView> {
    let actor = cashier(&state)?;
    Ok(state.terminal.redeem_sale(&actor, CHECKOUT_WAIT).await?.0)
}

/// Next customer: closes the sale the page shows (`sale_id`), once every voucher in
/// it is settled, or answers `sale_unresolved` and changes nothing. Returns the
/// closed sale (its receipt), or none when that sale was not open.
#[tauri::command]
pub async fn sale_close(state: State<'_, AppState>, sale_id: Option<String>) -> Answer<Option<SaleView>> {
    let actor = cashier(&state)?;
    Ok(state.terminal.close_sale(&actor, sale_id.as_deref())?)
}

#[tauri::command]
pub async fn view_intent(state: State<'_, AppState>, intent_id: String) -> Answer<RedeemView> {
    Ok(state.terminal.view_of(&intent_id)?)
}

#[tauri::command]
pub async fn accept_offline(state: State<'_, AppState>, intent_id: String) -> Answer<Intent> {
    let actor = cashier(&state)?;
    Ok(state.terminal.accept_offline(&intent_id, &actor)?)
}

#[tauri::command]
pub async fn decline(state: State<'_, AppState>, intent_id: String) -> Answer<Intent> {
    let actor = cashier(&state)?;
    Ok(state.terminal.decline(&intent_id, &actor)?)
}

#[tauri::command]
pub async fn cancel(state: State<'_, AppState>, intent_id: String) -> Answer<Intent> {
    let actor = cashier(&state)?;
    Ok(state.terminal.cancel(&intent_id, &actor)?)
}

/// Who the history says acted: the signed-in cashier (or the single user); fails
/// when a sign-in is needed.
fn cashier(state: &AppState) -> Answer<String> {
    Ok(format!("cashier:{}", state.access.cashier()?))
}

fn manager(state: &State<'_, AppState>) -> Answer<()> {
    Ok(state.access.require_manager()?)
}

#[tauri::command]
pub async fn access_state(state: State<'_, AppState>) -> Answer<AccessState> {
    Ok(state.access.state()?)
}

/// A new terminal's first manager PIN, typed twice.
#[tauri::command]
pub async fn manager_set_pin(state: State<'_, AppState>, pin: String, again: String) -> Answer<()> {
    Ok(state.access.set_first_pin(&pin, &again)?)
}

#[tauri::command]
pub async fn manager_unlock(state: State<'_, AppState>, pin: String) -> Answer<()> {
    Ok(state.access.unlock(&pin)?)
}

/// Leaving the manager screens locks them.
#[tauri::command]
pub fn manager_lock(state: State<'_, AppState>) {
    state.access.lock();
}

#[tauri::command]
pub async fn manager_change_pin(state: State<'_, AppState>, current: String, pin: String, again: String) -> Answer<()> {
    Ok(state.access.change_pin(&current, &pin, &again)?)
}

#[tauri::command]
pub async fn cashier_sign_in(state: State<'_, AppState>, id: String, pin: String) -> Answer<Cashier> {
    Ok(state.access.sign_in(id.trim(), &pin)?)
}

/// Signs in with a PIN (a one-time one the manager set, or the cashier's own) and
/// puts the cashier's new PIN, typed twice, in its place.
#[tauri::command]
pub async fn cashier_sign_in_new_pin(
    state: State<'_, AppState>,
    id: String,
    pin: String,
    new: String,
    again: String,
) -> Answer<Cashier> {
    Ok(state.access.sign_in_with_new_pin(id.trim(), &pin, &new, &again)?)
}

#[tauri::command]
pub async fn cashier_sign_out(state: State<'_, AppState>) -> Answer<()> {
    Ok(state.access.sign_out()?)
}

#[tauri::command]
pub async fn cashier_list(state: State<'_, AppState>) -> Answer<Vec<Cashier>> {
    manager(&state)?;
    Ok(cashiers::list(state.terminal.store())?)
}

#[tauri::command]
pub async fn cashier_add(
    state: State<'_, AppState>,
    id: String,
    name: String,
    pin: String,
    again: String,
) -> Answer<Cashier> {
    manager(&state)?;
    Ok(cashiers::add(state.terminal.store(), id.trim(), &name, &pin, &again, MANAGER)?)
}

#[tauri::command]
pub async fn cashier_remove(state: State<'_, AppState>, id: String) -> Answer<()> {
    manager(&state)?;
    Ok(cashiers::remove(state.terminal.store(), &id, MANAGER)?)
}

/// A forgotten cashier PIN: the manager gives a new one-time PIN, typed twice.
#[tauri::command]
pub async fn cashier_reset_pin(state: State<'_, AppState>, id: String, pin: String, again: String) -> Answer<()> {
    manager(&state)?;
    Ok(cashiers::reset_pin(state.terminal.store(), &id, &pin, &again, MANAGER)?)
}

/// The terminal's own history (PINs, sign-ins, cashiers, settings), newest first, a
/// page at a time: `before` is the last page's `older_than`.
#[tauri::command]
pub async fn audit_page(state: State<'_, AppState>, before: Option<i64>) -> Answer<AuditPage> {
    manager(&state)?;
    Ok(voucher_pos::access::audit::page(state.terminal.store(), before, 200)?)
}

#[tauri::command]
pub async fn log_page(state: State<'_, AppState>, filter: LogFilter, after: Option<LogCursor>) -> Answer<LogPage> {
    manager(&state)?;
    let filter = filter.in_zone(&voucher_pos::settings::TerminalSettings::load(state.terminal.store())?.zone())?;
    Ok(voucher_pos::log::page(state.terminal.store(), &filter, after.as_ref(), 50)?)
}

#[derive(Serialize, ts_rs::TS)]
pub struct Detail {
    pub intent: Intent,
    pub attempts: Vec<Attempt>,
    pub history: Vec<HistoryEntry>,
}

#[tauri::command]
pub async fn intent_detail(state: State<'_, AppState>, intent_id: String) -> Answer<Detail> {
    manager(&state)?;
    let store = state.terminal.store();
    Ok(Detail {
        intent: store.get(&intent_id)?,
        attempts: store.attempts(&intent_id)?,
        history: store.history(&intent_id)?,
    })
}

#[tauri::command]
pub async fn review_inbox(state: State<'_, AppState>) -> Answer<Vec<Intent>> {
    manager(&state)?;
    Ok(voucher_pos::log::review_inbox(state.terminal.store())?)
}

#[tauri::command]
pub async fn settle(
    state: State<'_, AppState>,
    intent_id: String,
    how: Settlement,
    note: String,
    transaction_id: Option<String>,
) -> Answer<Intent> {
    manager(&state)?;
    Ok(state.terminal.settle(&intent_id, how, &note, MANAGER, transaction_id.as_deref().filter(|t| !t.is_empty()))?)
}

/// Runs file work on the blocking pool, never on the window's thread nor a runtime
/// worker; `code` names the failure if the work itself panicked.
async fn off_the_window<T, E>(code: ErrorCode, work: impl FnOnce() -> Result<T, E> + Send + 'static) -> Answer<T>
where
    T: Send + 'static,
    E: Into<voucher_pos::Error> + Send + 'static,
{
    match tokio::task::spawn_blocking(work).await {
        Ok(done) => done.map_err(IpcError::from),
        Err(e) => Err(IpcError { code, message: e.to_string() }),
    }
}

/// Asks the manager where to save, in the desktop's own save dialog (its answer comes
/// through a channel, so no thread waits on it), and then checks that the manager
/// session is still open: the dialog may have stayed up a while. `None` when the
/// manager cancelled.
async fn ask_where_to_save(
    app: &tauri::AppHandle,
    state: &State<'_, AppState>,
    title: &str,
    file_name: String,
    (kind, extension): (&str, &str),
) -> Answer<Option<PathBuf>> {
    use tauri_plugin_dialog::DialogExt;
    let (tx, rx) = tokio::sync::oneshot::channel();
    app.dialog().file().set_title(title).set_file_name(file_name).add_filter(kind, &[extension]).save_file(move |p| {
        let _ = tx.send(p);
    });
    let Some(chosen) = rx.await.ok().flatten() else {
        return Ok(None);
    };
    let path = chosen.into_path().map_err(|e| IpcError { code: ErrorCode::ExportIo, message: e.to_string() })?;
    manager(state)?;
    Ok(Some(path))
}

#[derive(Serialize, ts_rs::TS)]
pub struct Exported {
    pub rows: usize,
    pub path: String,
}

/// Asks the manager where to save, in the desktop's own dialog, and writes the export
/// there. The page never names a path: it could otherwise overwrite the database or
/// the secrets file. `None` when the manager cancelled the dialog.
#[tauri::command]
pub async fn export_csv(
    app: tauri::AppHandle,
    state: State<'_, AppState>,
    filter: LogFilter,
) -> Answer<Option<Exported>> {
    manager(&state)?;
    let filter = filter.in_zone(&voucher_pos::settings::TerminalSettings::load(state.terminal.store())?.zone())?;
    let Some(path) =
        ask_where_to_save(&app, &state, "Export the redemption log", "redemptions.csv".into(), ("CSV", "csv")).await?
    else {
        return Ok(None);
    };
    let (store, data_dir, dest) = (state.terminal.store().clone(), state.data_dir.clone(), path.clone());
    let rows = off_the_window(ErrorCode::ExportIo, move || {
        voucher_pos::log::export_to_file(&store, &filter, &dest, &data_dir)
    })
    .await?;
    voucher_pos::access::audit::append(
        state.terminal.store(),
        MANAGER,
        "log_exported",
        Some(&format!("{rows} rows to {}", path.display())),
    )?;
    Ok(Some(Exported { rows, path: path.display().to_string() }))
}

/// Archives the final intents past the terminal's retention to a CSV the manager
/// chooses in the desktop's dialog, then removes them (`voucher_pos::retention`).
/// `None` when the manager cancelled the dialog.
#[tauri::command]
pub async fn archive_old(
    app: tauri::AppHandle,
    state: State<'_, AppState>,
) -> Answer<Option<voucher_pos::retention::Archived>> {
    manager(&state)?;
    let store = state.terminal.store().clone();
    let days = voucher_pos::settings::TerminalSettings::load(&store)?.retention_days;
    let name = voucher_pos::retention::suggested_name(&store, days)?;
    let Some(path) =
        ask_where_to_save(&app, &state, "Archive old intents", name.display().to_string(), ("CSV", "csv")).await?
    else {
        return Ok(None);
    };
    let data_dir = state.data_dir.clone();
    let done = off_the_window(ErrorCode::ExportIo, move || {
        voucher_pos::retention::archive(&store, days, &path, &data_dir, MANAGER)
    })
    .await?;
    Ok(Some(done))
}

/// The end-of-day report of `date` (the store's day; none: today) for this
/// terminal's branch, read from the service.
#[tauri::command]
pub async fn eod_report(state: State<'_, AppState>, date: Option<String>) -> Answer<voucher_pos::report::Report> {
    manager(&state)?;
    let store = state.terminal.store();
    let zone = voucher_pos::settings::TerminalSettings::load(store)?.zone();
    let date = date.filter(|d| !d.is_empty()).unwrap_or_else(|| zone.date_of(store.now_ms()));
    let (branch, terminal) = {
        let sale = state.sale.lock().unwrap();
        (sale.branch_code.clone(), sale.terminal_id.clone())
    };
    voucher_pos::report::build(store, &state.api, &zone, &date, &branch, &terminal).await.map_err(IpcError::from)
}

/// Saves the end-of-day report as CSV where the manager chooses (same rules as the
/// log export).
#[tauri::command]
pub async fn eod_export_csv(
    app: tauri::AppHandle,
    state: State<'_, AppState>,
    date: Option<String>,
) -> Answer<Option<Exported>> {
    let report = eod_report(state.clone(), date).await?;
    let title = "Export the end-of-day report";
    let Some(path) =
        ask_where_to_save(&app, &state, title, format!("end-of-day-{}.csv", report.date), ("CSV", "csv")).await?
    else {
        return Ok(None);
    };
    let rows = report.matched.len() + report.service_only.len() + report.local_only.len();
    let (data_dir, dest, csv) = (state.data_dir.clone(), path.clone(), voucher_pos::report::to_csv(&report));
    off_the_window(ErrorCode::ExportIo, move || voucher_pos::log::write_text_file(&csv, &dest, &data_dir)).await?;
    voucher_pos::access::audit::append(
        state.terminal.store(),
        MANAGER,
        "report_exported",
        Some(&format!("{} to {}", report.date, path.display())),
    )?;
    Ok(Some(Exported { rows, path: path.display().to_string() }))
}

/// Saves the support archive (summary and logs, no secrets, no codes) where the
/// manager chooses.
#[tauri::command]
pub async fn diagnostics_export(app: tauri::AppHandle, state: State<'_, AppState>) -> Answer<Option<String>> {
    manager(&state)?;
    let title = "Save diagnostics for support";
    let Some(path) =
        ask_where_to_save(&app, &state, title, "voucher-pos-diagnostics.tar".into(), ("tar archive", "tar")).await?
    else {
        return Ok(None);
    };
    let (store, data_dir, dest) = (state.terminal.store().clone(), state.data_dir.clone(), path.clone());
    off_the_window(ErrorCode::ExportIo, move || {
        voucher_pos::diagnostics::write(&store, &data_dir.join("logs"), &dest, &data_dir)
    })
    .await?;
    voucher_pos::access::audit::append(
        state.terminal.store(),
        MANAGER,
        "diagnostics_saved",
        Some(&path.display().to_string()),
    )?;
    Ok(Some(path.display().to_string()))
}

/// Writes a backup of the database now; returns its path.
#[tauri::command]
pub async fn backup_now(state: State<'_, AppState>) -> Answer<String> {
    manager(&state)?;
    let store = state.terminal.store().clone();
    let keep = voucher_pos::settings::TerminalSettings::load(&store)?.backups_kept as usize;
    let path = off_the_window(ErrorCode::BackupIo, move || voucher_pos::backup::make(&store, keep)).await?;
    voucher_pos::access::audit::append(
        state.terminal.store(),
        MANAGER,
        "backup_made",
        Some(&path.display().to_string()),
    )?;
    Ok(path.display().to_string())
}

#[derive(Serialize, ts_rs::TS)]
pub struct SettingsView {
    pub terminal: voucher_pos::settings::TerminalSettings,
    pub policy: voucher_pos::policy::OfflinePolicy,
    /// Where the API key is kept ("OS keyring" or "private file ...").
    pub api_key_location: String,
    /// Whether a key is stored for the service in the settings.
    pub api_key_set: bool,
    pub cameras: Vec<voucher_pos::scan::camera::CameraInfo>,
}

#[tauri::command]
pub async fn get_settings(state: State<'_, AppState>) -> Answer<SettingsView> {
    manager(&state)?;
    let store = state.terminal.store();
    let settings = voucher_pos::settings::TerminalSettings::load(store)?;
    Ok(SettingsView {
        terminal: settings.clone(),
        policy: voucher_pos::policy::OfflinePolicy::load(store)?,
        api_key_location: state.secrets.describe(),
        api_key_set: match settings.service_url.as_deref() {
            Some(url) => matches!(
                voucher_pos::secrets::api_key_for(state.secrets.as_ref(), url)?,
                voucher_pos::secrets::StoredKey::For(_)
            ),
            None => false,
        },
        cameras: voucher_pos::scan::camera::list_cameras(),
    })
}

/// Saves the settings. The terminal id and branch apply to the next scan; the
/// service URL, camera and API key at the next start. The API key is write-only and
/// bound to the service URL: a new URL needs its key typed again.
#[tauri::command]
pub async fn save_settings(
    state: State<'_, AppState>,
    terminal: voucher_pos::settings::TerminalSettings,
    policy: voucher_pos::policy::OfflinePolicy,
    api_key: Option<String>,
) -> Answer<()> {
    manager(&state)?;
    let store = state.terminal.store();
    terminal.validate()?;
    let before = voucher_pos::settings::TerminalSettings::load(store)?;
    let key = api_key.as_deref().map(str::trim).filter(|k| !k.is_empty());
    let url = terminal.service_url.as_deref().map(str::trim).filter(|u| !u.is_empty());
    match (url, key) {
        (None, Some(_)) => {
            return Err(IpcError {
                code: ErrorCode::ApiKeyWithoutService,
                message: "Enter the service URL that this API key is for.".into(),
            });
        }
        (Some(u), None) if before.service_url.as_deref() != Some(u) => {
            return Err(IpcError {
                code: ErrorCode::ApiKeyRequired,
                message: "A new service URL needs its API key: type the key for this service too (the old key is never sent to a new address).".into(),
            });
        }
        _ => {}
    }
    if let (Some(u), Some(k)) = (url, key) {
        voucher_pos::secrets::save_api_key(state.secrets.as_ref(), u, k)?;
        voucher_pos::access::audit::append(store, MANAGER, "api_key_changed", Some(u))?;
    }
    // Before saving: a setting that says "start on login" with no entry behind it
    // would be a lie.
    apply_autostart(&state.launch, terminal.start_on_login)?;
    terminal.save(store)?;
    if let Some(set) = &state.log_level {
        set(&terminal.log_level);
    }
    policy.save(store)?;
    voucher_pos::access::audit::append(store, MANAGER, "settings_saved", None)?;
    let mut sale = state.sale.lock().unwrap();
    sale.terminal_id = terminal.terminal_id;
    sale.branch_code = terminal.branch_code;
    Ok(())
}

/// Writes or removes the login autostart entry so that it matches `enabled`; the
/// entry starts this program with the arguments it was started with.
pub fn apply_autostart(launch: &(PathBuf, Vec<String>), enabled: bool) -> Answer<()> {
    let failed = |why: String| IpcError {
        code: ErrorCode::AutostartFailed,
        message: format!("The login autostart entry could not be written: {why}"),
    };
    let folder = voucher_pos::autostart::folder().ok_or_else(|| failed("this user has no home folder".into()))?;
    voucher_pos::autostart::apply(&folder, enabled.then(|| (launch.0.as_path(), launch.1.as_slice())))
        .map_err(|e| failed(e.to_string()))
}
