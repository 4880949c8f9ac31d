//! The Tauri shell: starts the core (and, with no service configured, the embedded
//! sandbox service with demo vouchers), the scanner, and the window. It makes no
//! decisions: each command of `command_table.rs` calls the core's application layer
//! (`voucher_pos::app`), and core events are forwarded to the page unchanged.

mod bindings;
mod commands;
mod ipc;

use std::path::PathBuf;
use std::sync::{Arc, Mutex};

use clap::Parser;
use tauri::{Emitter, Manager};
use voucher_pos::app::startup::{choose_service, store_problem, Service, StartupProblem};
use voucher_pos::app::terminal::Terminal;
use voucher_pos::checkout::access::Access;
use voucher_pos::checkout::settings::TerminalSettings;
use voucher_pos::domain::intent::SaleContext;
use voucher_pos::platform::clock::SystemClock;
use voucher_pos::platform::secrets::SecretStore;
use voucher_pos::scan::camera::CameraSource;
use voucher_pos::scan::pipeline::{preview_jpeg, ScanEvent, Scanner, ScannerConfig};
use voucher_pos::scan::sources::{DemoSource, ImageFiles};
use voucher_pos::scan::FrameSource;
use voucher_pos::service::api::{ApiClient, ApiConfig};
use voucher_pos::service::sync::SyncConfig;
use voucher_pos::store::Store;

use commands::{EmbeddedSandbox, Startup};
use voucher_pos::app::{App, ScannerNote};

#[derive(Parser)]
#[command(version, about = "The voucher POS terminal.")]
struct Args {
    #[command(flatten)]
    terminal: voucher_pos::app::startup::Flags,
    /// Play images from a file or folder as the camera.
    #[arg(long)]
    frames: Option<PathBuf>,
    /// Show the demo source instead of a camera, at this size and rate (`1280x720@30`):
    /// the sandbox's codes when the embedded sandbox runs, else an empty counter. For
    /// demonstrations and the app bench; the headless binary has no camera.
    #[arg(long, value_name = "WxH@FPS", value_parser = demo_size)]
    demo_camera: Option<(u32, u32, f64)>,
    /// With `--demo-camera` and no codes: a picture that drifts all the time instead of
    /// a still counter (the scanner's worst case, for the app bench).
    #[arg(long, requires = "demo_camera")]
    demo_moving: bool,
    /// Allow the web inspector (right-click, Inspect) in this run of a debug build: for
    /// a developer at a desk, never on a till. Off otherwise, in every build.
    #[arg(long)]
    devtools: bool,
    /// The window's language for this run (`en`, `zh`, `ms` or `ta`), over the
    /// terminal's setting: for demonstrations and tests. A cashier may still choose
    /// another at sign-in.
    #[arg(long, value_parser = lang)]
    lang: Option<voucher_pos::messages::Lang>,
    /// Till mode for this run: full screen, no window decorations, closing needs the
    /// manager PIN (the setting of the same name makes it the default).
    #[arg(long)]
    till: bool,
}

fn lang(s: &str) -> Result<voucher_pos::messages::Lang, String> {
    voucher_pos::messages::Lang::parse(s).ok_or_else(|| format!("{s:?} is not one of en, zh, ms, ta"))
}

/// `1280x720@30` as (1280, 720, 30.0).
fn demo_size(s: &str) -> Result<(u32, u32, f64), String> {
    let bad = || format!("{s:?} is not WIDTHxHEIGHT@FPS, as in 1280x720@30");
    let (size, fps) = s.split_once('@').ok_or_else(bad)?;
    let (w, h) = size.split_once('x').ok_or_else(bad)?;
    let (w, h, fps): (u32, u32, f64) =
        (w.parse().map_err(|_| bad())?, h.parse().map_err(|_| bad())?, fps.parse().map_err(|_| bad())?);
    if !(16..=4096).contains(&w) || !(16..=4096).contains(&h) || !(1.0..=120.0).contains(&fps) {
        return Err(format!("{s:?}: width and height must be 16 to 4096 pixels, the rate 1 to 120 frames per second"));
    }
    Ok((w, h, fps))
}

struct Core {
    terminal: Terminal,
    api: ApiClient,
    sandbox: EmbeddedSandbox,
    demo_codes: Vec<String>,
    settings: TerminalSettings,
    secrets: Box<dyn SecretStore>,
    data_dir: PathBuf,
}

/// Opens the database, chooses the service and starts the engine. A failure is a
/// [`StartupProblem`] for the window, never a silent fallback to the sandbox.
async fn start_core(args: &Args) -> Result<Core, StartupProblem> {
    let db = args.terminal.db();
    let data_dir = voucher_pos::store::data_dir(&db);
    let store = Arc::new(Store::open(&db, Arc::new(SystemClock)).map_err(|e| store_problem(&e))?);
    let settings = args.terminal.over(TerminalSettings::load(&store).map_err(|e| store_problem(&e))?);
    let secrets = voucher_pos::platform::secrets::open_default(&data_dir);
    let (url, key, sandbox, demo_codes) = match choose_service(
        args.terminal.service.as_deref(),
        args.terminal.api_key.as_deref(),
        &settings,
        secrets.as_ref(),
    )? {
        Service::Real { url, key } => (url, key, None, vec![]),
        Service::Sandbox => {
            let running = voucher_sandbox::start(voucher_sandbox::Config::default(), "127.0.0.1:0".parse().unwrap())
                .await
                .map_err(|e| StartupProblem {
                    code: voucher_pos::ErrorCode::SandboxFailed,
                    message: format!("The embedded sandbox could not start: {e}"),
                    what_to_do: "Start the terminal again; if it keeps failing, call the engineer on call.".into(),
                })?;
            eprintln!("SANDBOX: no service configured; embedded sandbox on {}", running.url());
            // The demo codes go to the console only: logs never hold a whole code.
            tracing::warn!(url = %running.url(), "no service configured: the embedded sandbox runs");
            let demo = running.seed_demo().map_err(|e| StartupProblem {
                code: voucher_pos::ErrorCode::SandboxFailed,
                message: e.to_string(),
                what_to_do: String::new(),
            })?;
            for (label, code) in &demo {
                eprintln!("SANDBOX demo code ({label}): {code}");
            }
            let codes = demo.into_iter().map(|(_, c)| c).collect();
            (running.url(), "test_sandbox".to_string(), Some(running), codes)
        }
    };
    let api = ApiClient::new(&ApiConfig::new(url, key)).map_err(|e| StartupProblem {
        code: e.code(),
        message: e.to_string(),
        what_to_do: String::new(),
    })?;
    Ok(Core {
        terminal: Terminal::start(store, api.clone(), SyncConfig::default()),
        api,
        sandbox: EmbeddedSandbox(sandbox),
        demo_codes,
        settings,
        secrets,
        data_dir,
    })
}

/// The frame source: `--frames`, else `--demo-camera`, else the camera, else (with the sandbox) the demo.
fn frame_source(args: &Args, camera: u32, demo_codes: &[String]) -> Result<Box<dyn FrameSource>, ScannerNote> {
    if let Some(path) = &args.frames {
        return ImageFiles::open(path, 15.0, true).map(|s| Box::new(s) as _).map_err(|e| ScannerNote::failed(&e));
    }
    if let Some((w, h, fps)) = args.demo_camera {
        let demo = DemoSource::with_rate(demo_codes, w, h, fps);
        return Ok(Box::new(if args.demo_moving { demo.moving() } else { demo }));
    }
    match CameraSource::open(camera, 1280, 720, 30) {
        Ok(cam) => Ok(Box::new(cam)),
        Err(e) if !demo_codes.is_empty() => {
            eprintln!("scanner: {e} Showing the demo source instead.");
            tracing::warn!(error = %e, "no camera: the demo source shows the sandbox's codes");
            Ok(Box::new(DemoSource::new(demo_codes, 960, 540)))
        }
        Err(e) => Err(ScannerNote::failed(&e)),
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
    let devtools = args.devtools;
    // Read once, then gone: WebKit's child processes inherit this environment, and the
    // key has no business in theirs. Still the only thread, as above.
    std::env::remove_var("VOUCHER_POS_API_KEY");
    if args.terminal.db.is_none() {
        // An earlier version's data folder becomes this one's, once; never while that
        // version still runs on it.
        if let Err(e) = voucher_pos::store::adopt_earlier_folder(&voucher_pos::store::data_home()) {
            let problem = store_problem(&e);
            eprintln!("voucher-pos-app: {} ({})", problem.message, problem.code);
            return show_problem(problem, None, devtools);
        }
    }
    // One terminal per database: a second launch shows the first one's window and
    // exits 0, before it opens anything.
    let instance = match voucher_pos::platform::instance::claim(&voucher_pos::store::data_dir(&args.terminal.db())) {
        Ok(i) => i,
        Err(voucher_pos::platform::instance::InstanceError::AlreadyRunning) => {
            eprintln!("voucher-pos-app: {}", voucher_pos::platform::instance::InstanceError::AlreadyRunning);
            return;
        }
        Err(e) => {
            eprintln!("voucher-pos-app: {} ({})", e, e.code());
            std::process::exit(2);
        }
    };
    let log_level = start_logs(&args);
    if log_level.is_none() {
        eprintln!("voucher-pos-app: could not open the log folder; logging to nowhere");
    }
    let core = match tauri::async_runtime::block_on(start_core(&args)) {
        Ok(c) => c,
        Err(problem) => {
            // Shown in the window, with what to do; the console gets it too.
            eprintln!("voucher-pos-app: {} ({}). {}", problem.message, problem.code, problem.what_to_do);
            tracing::error!(code = %problem.code, message = %problem.message, "the terminal could not start");
            return show_problem(problem, Some(instance), devtools);
        }
    };
    let sale = SaleContext {
        terminal_id: core.settings.terminal_id.clone(),
        branch_code: core.settings.branch_code.clone(),
        cashier_id: core.settings.cashier_id.clone(),
        ..Default::default()
    };
    let source = frame_source(&args, core.settings.camera_index, &core.demo_codes);
    let scanner_status = Arc::new(Mutex::new(match &source {
        Ok(s) => ScannerNote::reading(s.describe()),
        Err(note) => note.clone(),
    }));
    // Once a store day, a backup (off the window's thread: it copies the database).
    {
        let store = core.terminal.store().clone();
        std::thread::spawn(move || {
            if let Err(e) = voucher_pos::app::daily_backup(&store) {
                tracing::error!(error = %e, "the day's backup failed");
            }
        });
    }
    if let Some(set) = &log_level {
        set(&core.settings.log_level);
    }
    let till = args.till || core.settings.till_mode;
    let launch = voucher_pos::platform::autostart::Launch {
        program: std::env::current_exe().unwrap_or_else(|_| PathBuf::from("voucher-pos-app")),
        args: args.terminal.db.iter().flat_map(|db| ["--db".to_string(), db.display().to_string()]).collect(),
    };
    if core.settings.start_on_login {
        // The program may have moved since the entry was written (a reinstall).
        if let Err(e) = launch.apply(true) {
            tracing::warn!(error = %e, "login autostart entry");
        }
    }
    let events = core.terminal.subscribe();
    let printed = core.terminal.printing.subscribe();
    let access = Access::new(core.terminal.store().clone(), core.settings.cashier_id.clone());
    access.set_run_language(args.lang);
    let state = App {
        terminal: core.terminal,
        sale: Mutex::new(sale),
        sandbox: core.sandbox.0.is_some(),
        scanner_status: scanner_status.clone(),
        access,
        secrets: core.secrets,
        data_dir: core.data_dir,
        api: core.api,
        till,
        launch,
        log_level,
    };
    let builder = tauri::Builder::default()
        .plugin(tauri_plugin_dialog::init())
        .manage(state)
        .manage(core.sandbox)
        .manage(Startup(None))
        .invoke_handler(ipc::handler())
        .on_window_event(move |window, event| {
            // Till mode: the desktop's close (Alt+F4, a window manager's button) only
            // asks; `close_terminal` closes, given the manager's PIN.
            if let tauri::WindowEvent::CloseRequested { api, .. } = event {
                if till {
                    api.prevent_close();
                    let _ = window.emit("close-requested", ());
                }
            }
        })
        .setup(move |app| {
            serve_instance(app.handle(), instance);
            if till {
                if let Some(window) = app.get_webview_window("main") {
                    window.set_decorations(false)?;
                    // A kiosk session often runs no window manager to honour the
                    // full-screen request: cover the monitor first, then ask.
                    if let Some(monitor) = window.current_monitor()?.or(window.primary_monitor()?) {
                        window.set_position(*monitor.position())?;
                        window.set_size(*monitor.size())?;
                    }
                    window.set_fullscreen(true)?;
                }
            }
            // The engine's news, and each print's result for the status line (a
            // receipt that failed says so and waits for a reprint).
            forward(app.handle().clone(), events, "sync");
            forward(app.handle().clone(), printed, "printed");
            let mut start: Option<Box<dyn FnOnce(commands::PreviewChannel) + Send>> = None;
            if let Ok(source) = source {
                let handle = app.handle().clone();
                let status = scanner_status.clone();
                let keep = app.handle().clone();
                start = Some(Box::new(move |preview: commands::PreviewChannel| {
                    let scanner = Scanner::start(source, ScannerConfig::default(), move |ev| match ev {
                        ScanEvent::Preview { frame, outline } => {
                            let message = commands::preview_message(
                                frame.width,
                                frame.height,
                                outline.as_ref().map(|o| &o[..]),
                                &preview_jpeg(&frame),
                            );
                            let _ = preview.send(tauri::ipc::InvokeResponseBody::Raw(message));
                        }
                        ScanEvent::Code { parsed, .. } => {
                            let app = handle.state::<App>();
                            // The text goes with the answer: a CFHP code comes back asking
                            // for its receipt and SKUs, and the page scans it again with them.
                            // (The decoder's own thread, not the window's: it may wait for the disk.)
                            let (text, answer) = match parsed {
                                Ok(code) => (Some(code.as_str().to_string()), app.scan(code.as_str(), None, None)),
                                Err(e) => (None, Err(voucher_pos::Error::from(e))),
                            };
                            let (ok, err) = match answer {
                                Ok(r) => (Some(r), None),
                                Err(e) => (None, Some(ipc::IpcError::from(e).in_language(&handle))),
                            };
                            let _ = handle.emit("scanned", serde_json::json!({"text": text, "ok": ok, "err": err}));
                        }
                        ScanEvent::Source(s) => {
                            let note = match s {
                                Ok(d) => ScannerNote::reading(d),
                                Err(e) => ScannerNote::failed(&e),
                            };
                            *status.lock().unwrap() = note.clone();
                            let _ = handle.emit("scanner-status", note);
                        }
                    });
                    keep.manage(Mutex::new(Some(scanner)));
                }));
            }
            app.manage::<commands::ScannerStart>(Mutex::new(start));
            Ok(())
        });
    run(builder, devtools);
}

/// Daily log files in `logs/` beside the database (14 kept), level from `RUST_LOG`,
/// else the terminal's `log_level` setting (applied once the database is open, and
/// again whenever it is saved; `info` until then). Written as they happen, not
/// through a buffer thread: Tauri ends the process without running destructors, and
/// the last lines before a crash are the ones a support person needs. (No command
/// logs from the window's thread.)
/// Forwards a core broadcast to the page as `event`, unchanged; what a page too slow
/// to keep up missed is skipped (the next poll of the status catches up).
fn forward<T: Clone + serde::Serialize + Send + 'static>(
    handle: tauri::AppHandle,
    mut news: tokio::sync::broadcast::Receiver<T>,
    event: &'static str,
) {
    tauri::async_runtime::spawn(async move {
        loop {
            match news.recv().await {
                Ok(v) => {
                    let _ = handle.emit(event, v);
                }
                Err(tokio::sync::broadcast::error::RecvError::Lagged(_)) => continue,
                Err(_) => break,
            }
        }
    });
}

fn start_logs(args: &Args) -> Option<voucher_pos::app::LogLevel> {
    use tracing_subscriber::layer::SubscriberExt as _;
    use tracing_subscriber::util::SubscriberInitExt as _;
    let dir = voucher_pos::store::data_dir(&args.terminal.db()).join("logs");
    voucher_pos::platform::fsx::private_dir(&dir).ok()?;
    let files = tracing_appender::rolling::Builder::new()
        .rotation(tracing_appender::rolling::Rotation::DAILY)
        .filename_prefix("voucher-pos")
        .filename_suffix("log")
        .max_log_files(14)
        .build(&dir)
        .ok()?;
    let from_env = tracing_subscriber::EnvFilter::try_from_default_env().ok();
    let env_set = from_env.is_some();
    let (filter, handle) =
        tracing_subscriber::reload::Layer::new(from_env.unwrap_or_else(|| tracing_subscriber::EnvFilter::new("info")));
    tracing_subscriber::registry()
        .with(filter)
        .with(tracing_subscriber::fmt::layer().with_writer(files).with_ansi(false))
        .try_init()
        .ok()?;
    Some(std::sync::Arc::new(move |level: &str| {
        // `RUST_LOG`, when set, is the support person's explicit choice: it wins.
        if !env_set {
            let _ = handle.reload(tracing_subscriber::EnvFilter::new(level));
        }
    }))
}

/// The window with only the start-up problem in it: the page asks `startup_problem`
/// first and shows it; no other command has state to act on.
fn show_problem(problem: StartupProblem, instance: Option<voucher_pos::platform::instance::Instance>, devtools: bool) {
    let builder = tauri::Builder::default()
        .manage(Startup(Some(problem)))
        .invoke_handler(ipc::problem_handler())
        .setup(move |app| {
            if let Some(instance) = instance {
                serve_instance(app.handle(), instance);
            }
            Ok(())
        });
    run(builder, devtools);
}

/// A later launch on the same database brings this window to the front.
fn serve_instance(app: &tauri::AppHandle, instance: voucher_pos::platform::instance::Instance) {
    let app = app.clone();
    instance.serve(move || {
        if let Some(window) = app.get_webview_window("main") {
            let _ = window.unminimize();
            let _ = window.show();
            let _ = window.set_focus();
        }
    });
}

/// Runs the window of `tauri.conf.json` with the web inspector off unless `devtools`:
/// a debug build (what the README's run command starts) turns it on by default, and
/// from its console a cashier could read the PIN field and call any command.
fn run(builder: tauri::Builder<tauri::Wry>, devtools: bool) {
    let mut context = tauri::generate_context!();
    with_inspector(context.config_mut(), devtools);
    builder.run(context).expect("the terminal window could not start");
}

/// Sets every window's web inspector: on only when asked (`--devtools`).
fn with_inspector(config: &mut tauri::utils::config::Config, devtools: bool) {
    for window in &mut config.app.windows {
        window.devtools = Some(devtools);
    }
}

#[cfg(test)]
mod tests {
    use clap::Parser;

    /// Issue 23: no build the README starts has the web inspector on (a debug
    /// build's default); only `--devtools` turns it on.
    #[test]
    fn the_web_inspector_is_off_unless_asked_for() {
        let conf = || serde_json::from_str::<tauri::utils::config::Config>(include_str!("../tauri.conf.json")).unwrap();
        for (args, on) in [(&["voucher-pos-app"][..], false), (&["voucher-pos-app", "--devtools"][..], true)] {
            let args = super::Args::try_parse_from(args).unwrap();
            assert_eq!(args.devtools, on);
            let mut config = conf();
            assert!(!config.app.windows.is_empty());
            super::with_inspector(&mut config, args.devtools);
            assert!(config.app.windows.iter().all(|w| w.devtools == Some(on)), "{args:?}", args = args.devtools);
        }
    }
    /// The data folder is named after the app identifier: the core's constant and
    /// the bundle's configuration must be one name.
    #[test]
    fn the_data_folder_is_named_after_the_bundles_identifier() {
        let conf: serde_json::Value = serde_json::from_str(include_str!("../tauri.conf.json")).unwrap();
        assert_eq!(conf["identifier"], voucher_pos::store::APP_IDENTIFIER);
    }
}
