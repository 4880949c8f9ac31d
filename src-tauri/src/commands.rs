//! The IPC boundary: every command converts its arguments, calls the core, and
//! converts the answer. No decision is made here; errors cross as
//! `{code, message}` with the core's stable code and, for refusals, the service's
//! own message untouched.
//!
//! Every command that touches the disk, a PIN hash or a device is `async`: Tauri runs
//! a plain `fn` command on the window's main thread, and the window must never wait
//! on the disk, crypto or devices. Only `manager_lock` (memory) and `start_scanner`
//! (spawns the scanner's threads) stay plain.

use std::sync::{Arc, Mutex};
use std::time::Duration;

use serde::Serialize;
use tauri::State;
use voucher_pos::checkout::{RedeemView, Settlement, Terminal};
use voucher_pos::intent::{Intent, SaleContext};
use voucher_pos::log::{LogCursor, LogFilter, LogPage};
use voucher_pos::store::{Attempt, HistoryEntry, QueueSummary, ScanResult};
use voucher_pos::sync::Connectivity;

/// How long the Redeem press waits for the service before showing "queued".
pub const CHECKOUT_WAIT: Duration = Duration::from_secs(3);

/// Starts the scanner on its first call; later calls do nothing.
pub type ScannerStart = Mutex<Option<Box<dyn FnOnce() + Send>>>;

#[tauri::command]
pub fn start_scanner(start: State<'_, ScannerStart>) {
    if let Some(go) = start.lock().unwrap().take() {
        go();
    }
}

pub struct AppState {
    pub terminal: Terminal,
    pub sale: Mutex<SaleContext>,
    pub sandbox: bool,
    pub scanner_status: Arc<Mutex<String>>,
    pub manager_unlocked: Mutex<bool>,
    pub secrets: Box<dyn voucher_pos::secrets::SecretStore>,
}

/// An error as the UI sees it.
#[derive(Debug, Serialize, ts_rs::TS)]
pub struct IpcError {
    pub code: String,
    pub message: String,
}

impl<E: Into<voucher_pos::Error>> From<E> for IpcError {
    fn from(e: E) -> Self {
        let e: voucher_pos::Error = e.into();
        IpcError { code: e.code().to_string(), message: e.to_string() }
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
    pub cashier_id: String,
    pub now_ms: i64,
}

#[tauri::command]
pub async fn status(state: State<'_, AppState>) -> Answer<Status> {
    let sale = state.sale.lock().unwrap().clone();
    Ok(Status {
        connectivity: state.terminal.connectivity(),
        queue: state.terminal.summary()?,
        sandbox: state.sandbox,
        scanner: state.scanner_status.lock().unwrap().clone(),
        terminal_id: sale.terminal_id,
        cashier_id: sale.cashier_id,
        now_ms: state.terminal.store().now_ms(),
    })
}

#[tauri::command]
pub async fn scan(state: State<'_, AppState>, text: String, receipt: Option<String>) -> Answer<ScanResult> {
    let mut sale = state.sale.lock().unwrap().clone();
    if let Some(r) = receipt.filter(|r| !r.is_empty()) {
        sale.receipt_number = r;
    }
    Ok(state.terminal.scan(&text, &sale)?)
}

#[tauri::command]
pub async fn redeem(state: State<'_, AppState>, intent_id: String) -> Answer<RedeemView> {
    let actor = cashier(&state);
    Ok(state.terminal.redeem(&intent_id, &actor, CHECKOUT_WAIT).await?)
}

#[tauri::command]
pub async fn view_intent(state: State<'_, AppState>, intent_id: String) -> Answer<RedeemView> {
    Ok(state.terminal.view_of(&intent_id)?)
}

#[tauri::command]
pub async fn accept_offline(state: State<'_, AppState>, intent_id: String) -> Answer<Intent> {
    let actor = cashier(&state);
    Ok(state.terminal.accept_offline(&intent_id, &actor)?)
}

#[tauri::command]
pub async fn decline(state: State<'_, AppState>, intent_id: String) -> Answer<Intent> {
    let actor = cashier(&state);
    Ok(state.terminal.decline(&intent_id, &actor)?)
}

#[tauri::command]
pub async fn cancel(state: State<'_, AppState>, intent_id: String) -> Answer<Intent> {
    let actor = cashier(&state);
    Ok(state.terminal.cancel(&intent_id, &actor)?)
}

/// Who the history says acted: the cashier of the current sale.
fn cashier(state: &AppState) -> String {
    format!("cashier:{}", state.sale.lock().unwrap().cashier_id)
}

fn manager(state: &State<'_, AppState>) -> Answer<()> {
    if *state.manager_unlocked.lock().unwrap() {
        Ok(())
    } else {
        Err(IpcError { code: "manager_locked".into(), message: "Enter the manager PIN first.".into() })
    }
}

#[derive(Serialize, ts_rs::TS)]
pub struct PinState {
    pub has_pin: bool,
}

#[tauri::command]
pub async fn manager_pin_state(state: State<'_, AppState>) -> Answer<PinState> {
    Ok(PinState { has_pin: voucher_pos::manager::has_pin(state.terminal.store())? })
}

#[tauri::command]
pub async fn manager_unlock(state: State<'_, AppState>, pin: String) -> Answer<()> {
    voucher_pos::manager::unlock(state.terminal.store(), &pin)?;
    *state.manager_unlocked.lock().unwrap() = true;
    Ok(())
}

#[tauri::command]
pub fn manager_lock(state: State<'_, AppState>) {
    *state.manager_unlocked.lock().unwrap() = false;
}

#[tauri::command]
pub async fn log_page(state: State<'_, AppState>, filter: LogFilter, after: Option<LogCursor>) -> Answer<LogPage> {
    manager(&state)?;
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
    Ok(Detail { intent: store.get(&intent_id)?, attempts: store.attempts(&intent_id)?, history: store.history(&intent_id)? })
}

#[tauri::command]
pub async fn review_inbox(state: State<'_, AppState>) -> Answer<Vec<Intent>> {
    manager(&state)?;
    Ok(voucher_pos::log::review_inbox(state.terminal.store())?)
}

#[tauri::command]
pub async fn settle(state: State<'_, AppState>, intent_id: String, how: Settlement, note: String, transaction_id: Option<String>) -> Answer<Intent> {
    manager(&state)?;
    Ok(state.terminal.settle(&intent_id, how, &note, "manager", transaction_id.as_deref().filter(|t| !t.is_empty()))?)
}

#[tauri::command]
pub async fn export_csv(state: State<'_, AppState>, path: String, filter: LogFilter) -> Answer<usize> {
    manager(&state)?;
    // Full voucher codes: readable by the owner only.
    let file = {
        use std::os::unix::fs::OpenOptionsExt;
        std::fs::OpenOptions::new().write(true).create(true).truncate(true).mode(0o600).open(&path)
    }
    .map_err(|e| IpcError { code: "export_io".into(), message: format!("Could not write {path}: {e}") })?;
    Ok(voucher_pos::log::export_csv(state.terminal.store(), &filter, std::io::BufWriter::new(file))?)
}

#[derive(Serialize, ts_rs::TS)]
pub struct SettingsView {
    pub terminal: voucher_pos::settings::TerminalSettings,
    pub policy: voucher_pos::policy::OfflinePolicy,
    /// Where the API key is kept ("OS keyring" or "private file ...").
    pub api_key_location: String,
    pub api_key_set: bool,
    pub cameras: Vec<voucher_pos::scan::camera::CameraInfo>,
}

fn settings_error(e: impl std::fmt::Display, code: &str) -> IpcError {
    IpcError { code: code.into(), message: e.to_string() }
}

#[tauri::command]
pub async fn get_settings(state: State<'_, AppState>) -> Answer<SettingsView> {
    manager(&state)?;
    let store = state.terminal.store();
    Ok(SettingsView {
        terminal: voucher_pos::settings::TerminalSettings::load(store)?,
        policy: voucher_pos::policy::OfflinePolicy::load(store)?,
        api_key_location: state.secrets.describe(),
        api_key_set: state.secrets.get(voucher_pos::secrets::API_KEY).map_err(|e| settings_error(&e, e.code()))?.is_some(),
        cameras: voucher_pos::scan::camera::list_cameras(),
    })
}

/// Saves the settings. The terminal id and branch apply to the next scan; the
/// service URL, camera and API key at the next start. The API key is write-only.
#[tauri::command]
pub async fn save_settings(
    state: State<'_, AppState>,
    terminal: voucher_pos::settings::TerminalSettings,
    policy: voucher_pos::policy::OfflinePolicy,
    api_key: Option<String>,
) -> Answer<()> {
    manager(&state)?;
    let store = state.terminal.store();
    if let Some(url) = terminal.service_url.as_deref().filter(|u| !u.is_empty()) {
        voucher_pos::api::ApiClient::new(&voucher_pos::api::ApiConfig::new(url, "check"))?;
    }
    let check = voucher_pos::intent::SaleContext { terminal_id: terminal.terminal_id.clone(), branch_code: terminal.branch_code.clone(), cashier_id: "check".into(), ..Default::default() };
    let code = voucher_pos::voucher::parse("rsg:v_check").expect("a fixed well-formed code");
    voucher_pos::intent::build_metadata(&code, &check, "check")?;
    terminal.save(store)?;
    policy.save(store)?;
    if let Some(k) = api_key.filter(|k| !k.trim().is_empty()) {
        state.secrets.set(voucher_pos::secrets::API_KEY, k.trim()).map_err(|e| settings_error(&e, e.code()))?;
    }
    let mut sale = state.sale.lock().unwrap();
    sale.terminal_id = terminal.terminal_id;
    sale.branch_code = terminal.branch_code;
    Ok(())
}
