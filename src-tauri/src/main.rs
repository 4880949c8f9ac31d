//! The Tauri shell: starts the core (and, with no service configured, the embedded
//! sandbox service with demo vouchers) and opens the window. It makes no decisions:
//! everything it exposes is a call into `voucher_pos::checkout::Terminal`.

use std::path::PathBuf;
use std::sync::Arc;

use clap::Parser;
use voucher_pos::api::{ApiClient, ApiConfig};
use voucher_pos::checkout::Terminal;
use voucher_pos::clock::SystemClock;
use voucher_pos::store::Store;
use voucher_pos::sync::SyncConfig;

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
}

/// The embedded sandbox, kept alive for as long as the app runs.
struct EmbeddedSandbox(#[allow(dead_code)] Option<voucher_sandbox::Running>);

async fn start_core(args: &Args) -> Result<(Terminal, EmbeddedSandbox), String> {
    let (url, key, sandbox) = match &args.service {
        Some(url) => {
            let key = args.api_key.clone().ok_or("--api-key is required with --service")?;
            (url.clone(), key, None)
        }
        None => {
            let running = voucher_sandbox::start(voucher_sandbox::Config::default(), "127.0.0.1:0".parse().unwrap())
                .await
                .map_err(|e| format!("could not start the embedded sandbox: {e}"))?;
            eprintln!("SANDBOX: no service configured; embedded sandbox on {}", running.url());
            for (label, code) in running.seed_demo().map_err(|e| e.to_string())? {
                eprintln!("SANDBOX demo code ({label}): {code}");
            }
            (running.url(), "test_sandbox".to_string(), Some(running))
        }
    };
    let db = args.db.clone().unwrap_or_else(voucher_pos::store::default_path);
    let store = Arc::new(Store::open(&db, Arc::new(SystemClock)).map_err(|e| format!("{e} ({})", e.code()))?);
    let api = ApiClient::new(&ApiConfig::new(url, key)).map_err(|e| e.to_string())?;
    Ok((Terminal::start(store, api, SyncConfig::default()), EmbeddedSandbox(sandbox)))
}

fn main() {
    let args = Args::parse();
    let (terminal, sandbox) = match tauri::async_runtime::block_on(start_core(&args)) {
        Ok(x) => x,
        Err(e) => {
            eprintln!("voucher-pos-app: {e}");
            std::process::exit(1);
        }
    };
    tauri::Builder::default()
        .manage(terminal)
        .manage(sandbox)
        .run(tauri::generate_context!())
        .expect("the terminal window could not start");
}
