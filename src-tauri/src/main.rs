//! The Tauri shell: starts the core (and, with no service configured, the embedded
//! sandbox service with demo vouchers), the scanner, and the window. It makes no
//! decisions: commands call `voucher_pos::checkout::Terminal` (see `commands.rs`),
//! and core events are forwarded to the UI unchanged.

mod bindings;
mod commands;

use std::path::PathBuf;
use std::sync::{Arc, Mutex};

use base64::Engine as _;
use clap::Parser;
use tauri::{Emitter, Manager};
use voucher_pos::api::{ApiClient, ApiConfig};
use voucher_pos::checkout::Terminal;
use voucher_pos::clock::SystemClock;
use voucher_pos::intent::SaleContext;
use voucher_pos::scan::camera::CameraSource;
use voucher_pos::scan::pipeline::{preview_jpeg, ScanEvent, Scanner, ScannerConfig};
use voucher_pos::scan::sources::{DemoSource, ImageFiles};
use voucher_pos::scan::FrameSource;
use voucher_pos::secrets::{SecretStore, API_KEY};
use voucher_pos::settings::TerminalSettings;
use voucher_pos::store::Store;
use voucher_pos::sync::SyncConfig;

use commands::AppState;

/// The same flag names as the headless `voucher-pos` binary.
#[derive(Parser)]
#[command(version, about = "The voucher POS terminal.")]
struct Args {
    /// The terminal database (default: ~/.local/share/voucher-pos/terminal.db).
    #[arg(long, env = "VOUCHER_POS_DB")]
    db: Option<PathBuf>,
    /// The voucher service's base URL; without it the embedded sandbox is used.
    #[arg(long, env = "VOUCHER_POS_SERVICE")]
    service: Option<String>,
    /// The API key for the voucher service (never logged).
    #[arg(long = "api-key", env = "VOUCHER_POS_API_KEY", hide_env_values = true)]
    api_key: Option<String>,
    /// Play images from a file or folder as the camera.
    #[arg(long)]
    frames: Option<PathBuf>,
    /// This terminal's id (default: the stored setting).
    #[arg(long)]
    terminal_id: Option<String>,
    /// The branch code (default: the stored setting).
    #[arg(long)]
    branch: Option<String>,
    #[arg(long, default_value = "c001")]
    cashier: String,
}

/// The embedded sandbox, kept alive for as long as the app runs (dropping it stops
/// its accept loop).
pub struct EmbeddedSandbox(Option<voucher_sandbox::Running>);

/// The embedded sandbox only: makes its service unreachable, so that a person can see
/// the terminal queue offline and catch up, without a network to unplug.
#[tauri::command]
fn sandbox_simulate_offline(sandbox: tauri::State<'_, EmbeddedSandbox>, offline: bool) -> Result<(), commands::IpcError> {
    match &sandbox.0 {
        Some(running) => {
            running.set_offline(offline);
            Ok(())
        }
        None => Err(commands::IpcError { code: "not_sandbox".into(), message: "Only the embedded sandbox can simulate a network loss.".into() }),
    }
}

struct Core {
    terminal: Terminal,
    sandbox: EmbeddedSandbox,
    demo_codes: Vec<String>,
    settings: TerminalSettings,
    secrets: Box<dyn SecretStore>,
}

async fn start_core(args: &Args) -> Result<Core, String> {
    let db = args.db.clone().unwrap_or_else(voucher_pos::store::default_path);
    let store = Arc::new(Store::open(&db, Arc::new(SystemClock)).map_err(|e| format!("{e} ({})", e.code()))?);
    let mut settings = TerminalSettings::load(&store).map_err(|e| e.to_string())?;
    if let Some(t) = &args.terminal_id {
        settings.terminal_id = t.clone();
    }
    if let Some(b) = &args.branch {
        settings.branch_code = b.clone();
    }
    let secrets = voucher_pos::secrets::open_default(db.parent().unwrap_or(std::path::Path::new(".")));
    let service = args.service.clone().or(settings.service_url.clone());
    let (url, key, sandbox, demo_codes) = match service {
        Some(url) => {
            // A key given on the command line is kept for the next start.
            let key = match &args.api_key {
                Some(k) => {
                    if let Err(e) = secrets.set(API_KEY, k) {
                        eprintln!("voucher-pos-app: could not store the API key ({e}); it is used for this run only");
                    }
                    k.clone()
                }
                None => secrets.get(API_KEY).map_err(|e| e.to_string())?.ok_or("no API key: pass --api-key once, or set it in the manager's settings")?,
            };
            (url, key, None, vec![])
        }
        None => {
            let running = voucher_sandbox::start(voucher_sandbox::Config::default(), "127.0.0.1:0".parse().unwrap())
                .await
                .map_err(|e| format!("could not start the embedded sandbox: {e}"))?;
            eprintln!("SANDBOX: no service configured; embedded sandbox on {}", running.url());
            let demo = running.seed_demo().map_err(|e| e.to_string())?;
            for (label, code) in &demo {
                eprintln!("SANDBOX demo code ({label}): {code}");
            }
            let codes = demo.into_iter().map(|(_, c)| c).collect();
            (running.url(), "test_sandbox".to_string(), Some(running), codes)
        }
    };
    let api = ApiClient::new(&ApiConfig::new(url, key)).map_err(|e| e.to_string())?;
    Ok(Core { terminal: Terminal::start(store, api, SyncConfig::default()), sandbox: EmbeddedSandbox(sandbox), demo_codes, settings, secrets })
}

/// The frame source: `--frames`, else the camera, else (with the sandbox) the demo.
fn frame_source(args: &Args, camera: u32, demo_codes: &[String]) -> Result<Box<dyn FrameSource>, String> {
    if let Some(path) = &args.frames {
        return ImageFiles::open(path, 15.0, true).map(|s| Box::new(s) as _).map_err(|e| e.to_string());
    }
    match CameraSource::open(camera, 1280, 720, 30) {
        Ok(cam) => Ok(Box::new(cam)),
        Err(e) if !demo_codes.is_empty() => {
            eprintln!("scanner: {e} Showing the demo source instead.");
            Ok(Box::new(DemoSource::new(demo_codes, 960, 540)))
        }
        Err(e) => Err(e.to_string()),
    }
}

fn main() {
    // WebKitGTK's accelerated compositing renders through GL even where there is no
    // GPU (a till, Xvfb) and costs about 80 MB per window; the checkout screen has no
    // animation that needs it. Set first, while this is the only thread; a value the
    // user set wins.
    #[cfg(target_os = "linux")]
    if std::env::var_os("WEBKIT_DISABLE_COMPOSITING_MODE").is_none() {
        std::env::set_var("WEBKIT_DISABLE_COMPOSITING_MODE", "1");
    }
    let args = Args::parse();
    let core = match tauri::async_runtime::block_on(start_core(&args)) {
        Ok(c) => c,
        Err(e) => {
            eprintln!("voucher-pos-app: {e}");
            std::process::exit(1);
        }
    };
    let sale = SaleContext {
        terminal_id: core.settings.terminal_id.clone(),
        branch_code: core.settings.branch_code.clone(),
        cashier_id: args.cashier.clone(),
        ..Default::default()
    };
    let source = frame_source(&args, core.settings.camera_index, &core.demo_codes);
    let scanner_status = Arc::new(Mutex::new(match &source {
        Ok(s) => s.describe(),
        Err(e) => e.clone(),
    }));
    let mut events = core.terminal.subscribe();
    let state = AppState {
        terminal: core.terminal,
        sale: Mutex::new(sale),
        sandbox: core.sandbox.0.is_some(),
        scanner_status: scanner_status.clone(),
        manager_unlocked: Mutex::new(false),
        secrets: core.secrets,
    };
    tauri::Builder::default()
        .plugin(tauri_plugin_dialog::init())
        .manage(state)
        .manage(core.sandbox)
        .invoke_handler(tauri::generate_handler![
            commands::status,
            commands::scan,
            commands::redeem,
            commands::view_intent,
            commands::accept_offline,
            commands::cancel,
            commands::decline,
            commands::manager_pin_state,
            commands::manager_unlock,
            commands::manager_lock,
            commands::log_page,
            commands::intent_detail,
            commands::review_inbox,
            commands::settle,
            commands::export_csv,
            commands::start_scanner,
            commands::get_settings,
            commands::save_settings,
            sandbox_simulate_offline,
        ])
        .setup(move |app| {
            let handle = app.handle().clone();
            tauri::async_runtime::spawn(async move {
                loop {
                    match events.recv().await {
                        Ok(ev) => {
                            let _ = handle.emit("sync", ev);
                        }
                        Err(tokio::sync::broadcast::error::RecvError::Lagged(_)) => continue,
                        Err(_) => break,
                    }
                }
            });
            let mut start: Option<Box<dyn FnOnce() + Send>> = None;
            if let Ok(source) = source {
                let handle = app.handle().clone();
                let status = scanner_status.clone();
                let keep = app.handle().clone();
                start = Some(Box::new(move || {
                let scanner = Scanner::start(source, ScannerConfig::default(), move |ev| match ev {
                    ScanEvent::Preview { frame, outline } => {
                        let jpeg = base64::engine::general_purpose::STANDARD.encode(preview_jpeg(&frame));
                        let _ = handle.emit(
                            "preview",
                            serde_json::json!({"src": format!("data:image/jpeg;base64,{jpeg}"), "width": frame.width, "height": frame.height, "outline": outline}),
                        );
                    }
                    ScanEvent::Code { parsed, .. } => {
                        let state = handle.state::<AppState>();
                        let answer = match parsed {
                            // The decoder's own thread, not the window's: it may wait for the disk.
                            Ok(code) => tauri::async_runtime::block_on(commands::scan(state, code.as_str().to_string(), None))
                                .map(|r| serde_json::to_value(r).unwrap()),
                            Err(e) => Err(voucher_pos::Error::from(e).into()),
                        };
                        let _ = handle.emit("scanned", answer.map_err(|e| serde_json::to_value(e).unwrap()));
                    }
                    ScanEvent::Source(s) => {
                        let text = match s {
                            Ok(d) => d,
                            Err(e) => e.to_string(),
                        };
                        *status.lock().unwrap() = text.clone();
                        let _ = handle.emit("scanner-status", text);
                    }
                });
                keep.manage(Mutex::new(Some(scanner)));
                }));
            }
            app.manage::<commands::ScannerStart>(Mutex::new(start));
            Ok(())
        })
        .run(tauri::generate_context!())
        .expect("the terminal window could not start");
}
