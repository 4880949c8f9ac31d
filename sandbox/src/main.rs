//! `voucher-sandbox`: the reference voucher service as its own process, for tests,
//! demos and anyone integrating against the terminal's contract.

use std::io::Write;
use std::net::SocketAddr;
use std::path::PathBuf;

use clap::Parser;
use voucher_sandbox::{parse_duration, start, Config};

/// The reference voucher service (RedeemSG retailer API shape) with fault injection.
#[derive(Parser)]
#[command(version)]
struct Args {
    /// Address to listen on; port 0 picks a free port.
    #[arg(long, default_value = "127.0.0.1:8787")]
    listen: SocketAddr,
    /// SQLite file for vouchers, the ledger and saved results (created if missing).
    /// Without it, everything lives in memory.
    #[arg(long)]
    db: Option<PathBuf>,
    /// An accepted x-api-key; may repeat.
    #[arg(long = "api-key", default_value = "test_sandbox")]
    api_keys: Vec<String>,
    /// How long saved idempotent results are replayed: 2s, 15m, 24h.
    #[arg(long, default_value = "24h", value_parser = parse_duration)]
    key_ttl: std::time::Duration,
    /// Seed demo vouchers and print their codes.
    #[arg(long)]
    demo: bool,
    /// Seed of the fault dice, so a fault schedule replays exactly.
    #[arg(long, default_value_t = 0)]
    seed: u64,
}

#[tokio::main]
async fn main() {
    let args = Args::parse();
    // Request spans and injected faults to stderr (stdout carries the addresses that
    // tests read); `RUST_LOG=info` shows every request.
    let filter = tracing_subscriber::EnvFilter::try_from_default_env()
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("warn"));
    let ansi = std::io::IsTerminal::is_terminal(&std::io::stderr());
    let _ = tracing_subscriber::fmt().with_env_filter(filter).with_writer(std::io::stderr).with_ansi(ansi).try_init();
    let config = Config { api_keys: args.api_keys, key_ttl: args.key_ttl, db: args.db, seed: args.seed };
    let running = match start(config, args.listen).await {
        Ok(r) => r,
        Err(e) => {
            eprintln!("voucher-sandbox: cannot start on {}: {e}", args.listen);
            std::process::exit(1);
        }
    };
    let mut out = std::io::stdout().lock();
    if args.demo {
        match running.seed_demo() {
            Ok(codes) => {
                for (label, code) in codes {
                    let _ = writeln!(out, "demo code ({label}): {code}");
                }
            }
            Err(e) => eprintln!("voucher-sandbox: could not seed demo vouchers: {e}"),
        }
    }
    let _ = writeln!(out, "admin on {}", running.admin_url());
    let _ = writeln!(out, "listening on {}", running.url());
    let _ = out.flush();
    drop(out);
    let mut term = tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()).expect("SIGTERM handler");
    tokio::select! {
        _ = term.recv() => {}
        _ = tokio::signal::ctrl_c() => {}
    }
    running.stop().await;
}
