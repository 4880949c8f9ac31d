//! The body of each command of `command_table.rs`: find the state, check who may
//! act, call the core (`voucher_pos::app`), return its answer. The only things done
//! here are the window's own: the desktop's save dialog, closing the window, the
//! scanner's preview channel, the embedded sandbox's network switch.
//!
//! Cashier actions act as the signed-in cashier (or the single user); manager
//! commands get an [`voucher_pos::app::Authority`] from the open manager session
//! first. The page never names a path: every file is saved where the manager
//! chooses in the desktop's dialog, so the page cannot overwrite the database or the
//! secrets file.

use std::path::PathBuf;
use std::sync::Mutex;

use tauri::{AppHandle, Manager, State};
use voucher_pos::app::printing::Printed;
use voucher_pos::app::retention::Archived;
use voucher_pos::app::startup::StartupProblem;
use voucher_pos::app::terminal::{RedeemView, Settlement};
use voucher_pos::app::{self, App, Authority, ConnectionCheck, Detail, Exported, SettingsView, Status};
use voucher_pos::checkout::access::{audit::AuditPage, cashiers, AccessState, Cashier};
use voucher_pos::checkout::policy::OfflinePolicy;
use voucher_pos::checkout::sale::SaleView;
use voucher_pos::checkout::settings::TerminalSettings;
use voucher_pos::domain::intent::Intent;
use voucher_pos::messages::Lang;
use voucher_pos::records::redemption_log::{LogCursor, LogFilter, LogPage, ReviewItem};
use voucher_pos::records::report::{OwnTally, Report};
use voucher_pos::store::ScanResult;
use voucher_pos::ErrorCode;

use crate::ipc::{Answer, IpcError};

/// The camera preview's channel: each message is one frame as raw bytes (see
/// [`preview_message`]), an `ArrayBuffer` on the page, with no base64 or JSON array
/// in between.
pub type PreviewChannel = tauri::ipc::Channel<tauri::ipc::InvokeResponseBody>;

/// Starts the scanner on its first call, its preview going to the channel; later
/// calls do nothing.
pub type ScannerStart = Mutex<Option<Box<dyn FnOnce(PreviewChannel) + Send>>>;

/// Why the terminal could not start, if it could not; the page asks first.
pub struct Startup(pub Option<StartupProblem>);

/// The embedded sandbox, kept alive for as long as the app runs (dropping it stops
/// its accept loop).
pub struct EmbeddedSandbox(pub Option<voucher_sandbox::Running>);

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

fn state(handle: &AppHandle) -> State<'_, App> {
    handle.state::<App>()
}

/// The manager's authority, or `manager_locked`.
fn manager(handle: &AppHandle) -> Answer<(State<'_, App>, Authority)> {
    let app = state(handle);
    let who = app.access.manager()?;
    Ok((app, who))
}

/// Asks the manager where to save, in the desktop's own save dialog (its answer comes
/// through a channel, so no thread waits on it), then checks that the manager session
/// is still open: the dialog may have stayed up a while. `None`: cancelled.
async fn ask_where_to_save(
    handle: &AppHandle,
    title: &str,
    file_name: String,
    extension: &str,
) -> Answer<Option<PathBuf>> {
    use tauri_plugin_dialog::DialogExt;
    let (tx, rx) = tokio::sync::oneshot::channel();
    let kind = if extension == "tar" { "tar archive" } else { "CSV" };
    handle.dialog().file().set_title(title).set_file_name(file_name).add_filter(kind, &[extension]).save_file(
        move |p| {
            let _ = tx.send(p);
        },
    );
    let Some(chosen) = rx.await.ok().flatten() else {
        return Ok(None);
    };
    let path = chosen.into_path().map_err(|e| IpcError::new(ErrorCode::ExportIo, e.to_string()))?;
    state(handle).access.require_manager()?;
    Ok(Some(path))
}

pub async fn startup_problem(handle: &AppHandle) -> Answer<Option<StartupProblem>> {
    Ok(handle.state::<Startup>().0.clone())
}

pub async fn status(handle: &AppHandle) -> Answer<Status> {
    Ok(state(handle).status()?)
}

/// Till mode: closing needs the manager's PIN. Queued vouchers stay in the database
/// and go out at the next start.
pub async fn close_terminal(handle: &AppHandle, pin: String) -> Answer<()> {
    state(handle).confirm_close(&pin)?;
    handle.exit(0);
    Ok(())
}

pub async fn scan(
    handle: &AppHandle,
    text: String,
    receipt: Option<String>,
    skus: Option<String>,
) -> Answer<ScanResult> {
    Ok(state(handle).scan(&text, receipt.as_deref(), skus.as_deref())?)
}

pub async fn sale_view(handle: &AppHandle) -> Answer<SaleView> {
    Ok(state(handle).terminal.sale_view()?)
}

pub async fn sale_set_total(handle: &AppHandle, total: String) -> Answer<SaleView> {
    Ok(state(handle).set_sale_total(&total)?)
}

pub async fn sale_redeem(handle: &AppHandle) -> Answer<SaleView> {
    Ok(state(handle).redeem_sale().await?)
}

pub async fn sale_close(handle: &AppHandle, sale_id: Option<String>) -> Answer<Option<SaleView>> {
    Ok(state(handle).close_sale(sale_id.as_deref())?)
}

pub async fn view_intent(handle: &AppHandle, intent_id: String) -> Answer<RedeemView> {
    Ok(state(handle).view_intent(&intent_id)?)
}

pub async fn accept_offline(handle: &AppHandle, intent_id: String) -> Answer<Intent> {
    Ok(state(handle).accept_offline(&intent_id)?)
}

pub async fn decline(handle: &AppHandle, intent_id: String) -> Answer<Intent> {
    Ok(state(handle).decline(&intent_id)?)
}

pub async fn cancel(handle: &AppHandle, intent_id: String) -> Answer<Intent> {
    Ok(state(handle).cancel(&intent_id)?)
}

pub async fn access_state(handle: &AppHandle) -> Answer<AccessState> {
    Ok(state(handle).access.state()?)
}

/// The language chosen at the till (the sign-in form's buttons); `None` goes back
/// to the terminal's own.
pub async fn choose_language(handle: &AppHandle, lang: Option<Lang>) -> Answer<AccessState> {
    let app = state(handle);
    app.access.choose_language(lang);
    Ok(app.access.state()?)
}

pub async fn manager_set_pin(handle: &AppHandle, pin: String, again: String) -> Answer<()> {
    Ok(state(handle).access.set_first_pin(&pin, &again)?)
}

pub async fn manager_unlock(handle: &AppHandle, pin: String) -> Answer<()> {
    Ok(state(handle).access.unlock(&pin)?)
}

/// Leaving the manager screens locks them.
pub async fn manager_lock(handle: &AppHandle) -> Answer<()> {
    state(handle).access.lock();
    Ok(())
}

pub async fn manager_change_pin(handle: &AppHandle, current: String, pin: String, again: String) -> Answer<()> {
    Ok(state(handle).access.change_pin(&current, &pin, &again)?)
}

pub async fn cashier_sign_in(handle: &AppHandle, id: String, pin: String) -> Answer<Cashier> {
    Ok(state(handle).access.sign_in(id.trim(), &pin)?)
}

pub async fn cashier_sign_in_new_pin(
    handle: &AppHandle,
    id: String,
    pin: String,
    new_pin: String,
    again: String,
) -> Answer<Cashier> {
    Ok(state(handle).access.sign_in_with_new_pin(id.trim(), &pin, &new_pin, &again)?)
}

pub async fn cashier_sign_out(handle: &AppHandle) -> Answer<()> {
    Ok(state(handle).access.sign_out()?)
}

pub async fn cashier_list(handle: &AppHandle) -> Answer<Vec<Cashier>> {
    let (app, _) = manager(handle)?;
    Ok(cashiers::list(app.store())?)
}

pub async fn cashier_add(handle: &AppHandle, id: String, name: String, pin: String, again: String) -> Answer<Cashier> {
    let (app, who) = manager(handle)?;
    Ok(cashiers::add(app.store(), id.trim(), &name, &pin, &again, who.actor())?)
}

pub async fn cashier_remove(handle: &AppHandle, id: String) -> Answer<()> {
    let (app, who) = manager(handle)?;
    Ok(cashiers::remove(app.store(), &id, who.actor())?)
}

pub async fn cashier_reset_pin(handle: &AppHandle, id: String, pin: String, again: String) -> Answer<()> {
    let (app, who) = manager(handle)?;
    Ok(cashiers::reset_pin(app.store(), &id, &pin, &again, who.actor())?)
}

pub async fn audit_page(handle: &AppHandle, before: Option<i64>) -> Answer<AuditPage> {
    let (app, _) = manager(handle)?;
    Ok(voucher_pos::checkout::access::audit::page(app.store(), before, 200)?)
}

pub async fn log_page(handle: &AppHandle, filter: LogFilter, after: Option<LogCursor>) -> Answer<LogPage> {
    let (app, _) = manager(handle)?;
    Ok(app.log_page(&filter, after.as_ref())?)
}

pub async fn intent_detail(handle: &AppHandle, intent_id: String) -> Answer<Detail> {
    let (app, _) = manager(handle)?;
    Ok(app::detail(app.store(), &intent_id)?)
}

pub async fn review_inbox(handle: &AppHandle) -> Answer<Vec<ReviewItem>> {
    let (app, _) = manager(handle)?;
    Ok(app.review_items()?)
}

pub async fn settle(
    handle: &AppHandle,
    intent_id: String,
    how: Settlement,
    note: String,
    transaction_id: Option<String>,
) -> Answer<Intent> {
    let (app, who) = manager(handle)?;
    Ok(app.settle(&who, &intent_id, how, &note, transaction_id.as_deref())?)
}

pub async fn export_csv(handle: &AppHandle, filter: LogFilter) -> Answer<Option<Exported>> {
    let (app, who) = manager(handle)?;
    let Some(path) = ask_where_to_save(handle, "Export the redemption log", "redemptions.csv".into(), "csv").await?
    else {
        return Ok(None);
    };
    Ok(Some(app::export_log(app.store(), &app.data_dir, &who, filter, path).await?))
}

pub async fn archive_old(handle: &AppHandle) -> Answer<Option<Archived>> {
    let (app, who) = manager(handle)?;
    let name = app::archive_name(app.store())?.display().to_string();
    let Some(path) = ask_where_to_save(handle, "Archive old intents", name, "csv").await? else {
        return Ok(None);
    };
    Ok(Some(app::archive(app.store(), &app.data_dir, &who, None, path).await?))
}

pub async fn eod_report(handle: &AppHandle, date: Option<String>) -> Answer<Report> {
    let (app, _) = manager(handle)?;
    Ok(app.report(date.as_deref()).await?)
}

/// This terminal's own tally of the day, shown when the service's list cannot be read.
pub async fn eod_own_tally(handle: &AppHandle, date: Option<String>) -> Answer<OwnTally> {
    let (app, _) = manager(handle)?;
    Ok(app.own_tally(date.as_deref())?)
}

pub async fn eod_export_csv(handle: &AppHandle, date: Option<String>) -> Answer<Option<Exported>> {
    let (app, who) = manager(handle)?;
    let report = app.report(date.as_deref()).await?;
    let title = "Export the end-of-day report";
    let Some(path) = ask_where_to_save(handle, title, app::report_file_name(&report), "csv").await? else {
        return Ok(None);
    };
    Ok(Some(app::export_report(app.store(), &app.data_dir, &who, &report, path).await?))
}

pub async fn eod_print(handle: &AppHandle, date: Option<String>) -> Answer<Printed> {
    let (app, who) = manager(handle)?;
    Ok(app.print_report(&who, date.as_deref()).await?)
}

pub async fn print_receipt(handle: &AppHandle, sale_id: String) -> Answer<Printed> {
    Ok(state(handle).print_receipt(&sale_id).await?)
}

pub async fn test_print(handle: &AppHandle, printer: Option<String>, paper_mm: Option<u32>) -> Answer<Printed> {
    let (app, who) = manager(handle)?;
    Ok(app.test_print(&who, printer, paper_mm).await?)
}

pub async fn diagnostics_export(handle: &AppHandle) -> Answer<Option<String>> {
    let (app, who) = manager(handle)?;
    let title = "Save diagnostics for support";
    let Some(path) = ask_where_to_save(handle, title, "voucher-pos-diagnostics.tar".into(), "tar").await? else {
        return Ok(None);
    };
    app::save_diagnostics(app.store(), &app.data_dir, &who, path.clone()).await?;
    Ok(Some(path.display().to_string()))
}

pub async fn backup_now(handle: &AppHandle) -> Answer<String> {
    let (app, who) = manager(handle)?;
    Ok(app::backup_now(app.store(), &who).await?.display().to_string())
}

pub async fn get_settings(handle: &AppHandle) -> Answer<SettingsView> {
    let (app, _) = manager(handle)?;
    Ok(app.settings_view()?)
}

/// Settings' "Test connection", with the address and key as typed (not saved).
pub async fn test_connection(
    handle: &AppHandle,
    service_url: Option<String>,
    api_key: Option<String>,
) -> Answer<ConnectionCheck> {
    let (app, _) = manager(handle)?;
    Ok(app.check_connection(service_url.as_deref(), api_key.as_deref()).await?)
}

pub async fn save_settings(
    handle: &AppHandle,
    terminal: TerminalSettings,
    policy: OfflinePolicy,
    api_key: Option<String>,
) -> Answer<()> {
    let (app, who) = manager(handle)?;
    Ok(app.save_settings(&who, terminal, policy, api_key.as_deref())?)
}

pub async fn start_scanner(handle: &AppHandle, preview: PreviewChannel) -> Answer<()> {
    if let Some(go) = handle.state::<ScannerStart>().lock().unwrap().take() {
        go(preview);
    }
    Ok(())
}

/// The embedded sandbox only: makes its service unreachable, so that a person can see
/// the terminal queue offline and catch up, without a network to unplug. Answers
/// once the change is in effect.
pub async fn sandbox_simulate_offline(handle: &AppHandle, offline: bool) -> Answer<()> {
    let Some(running) = &handle.state::<EmbeddedSandbox>().0 else {
        return Err(IpcError::new(ErrorCode::NotSandbox, "Only the embedded sandbox can simulate a network loss."));
    };
    running.set_offline_and_wait(offline).await;
    Ok(())
}
