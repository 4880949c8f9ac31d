//! End to end in the real window: the app binary under Xvfb, driven through
//! tauri-driver and WebKitWebDriver, against the sandbox binary on loopback whose
//! faults each test switches. Every test starts its own app on a fresh database;
//! a lock runs them one at a time (one X server and driver each).
//!
//! Needs (the README's test command installs them): Xvfb, WebKitWebDriver
//! (`webkit2gtk-driver`), tauri-driver (`$TAURI_DRIVER`, `~/.cache/voucher-pos-tools/bin`
//! or PATH), and the workspace built (`cargo build --workspace`).

use std::io::{BufRead, BufReader};
use std::os::unix::process::CommandExt;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::Mutex;
use std::time::{Duration, Instant};

use fantoccini::{Client, ClientBuilder, Locator};

mod desktop;
use desktop::{Desktop, Group};
use serde_json::{json, Value};

static ONE_AT_A_TIME: Mutex<()> = Mutex::new(());

fn bin(name: &str) -> PathBuf {
    let exe = std::env::current_exe().unwrap();
    let p = exe.parent().and_then(Path::parent).unwrap().join(name);
    assert!(p.exists(), "{} is missing: run `cargo build --workspace` first", p.display());
    p
}

struct Sandbox {
    _proc: Group,
    url: String,
    /// The admin routes' own port, up while the service is offline.
    admin: String,
    http: reqwest::Client,
}

impl Sandbox {
    fn start(dir: &Path) -> Sandbox {
        let mut child = Command::new(bin("voucher-sandbox"))
            .args(["--listen", "127.0.0.1:0", "--db"])
            .arg(dir.join("sandbox.db"))
            .stdout(Stdio::piped())
            .process_group(0)
            .spawn()
            .unwrap();
        let mut lines = BufReader::new(child.stdout.take().unwrap()).lines();
        let mut admin = String::new();
        let url = loop {
            let l = lines.next().expect("sandbox exited").unwrap();
            if let Some(u) = l.strip_prefix("admin on ") {
                admin = u.to_string();
            }
            if let Some(u) = l.strip_prefix("listening on ") {
                break u.to_string();
            }
        };
        std::thread::spawn(move || for _ in lines {});
        Sandbox { _proc: Group(child), url, admin, http: reqwest::Client::new() }
    }

    async fn voucher(&self, count: usize) -> String {
        self.voucher_in(count, "active").await
    }

    async fn voucher_in(&self, count: usize, state: &str) -> String {
        let v: Value = self.http.post(format!("{}/_sandbox/vouchers", self.admin)).json(&json!({"count": count, "value": 500, "state": state})).send().await.unwrap().json().await.unwrap();
        v["qr"].as_str().unwrap().to_string()
    }

    async fn faults(&self, f: Value) {
        self.http.put(format!("{}/_sandbox/faults", self.admin)).json(&f).send().await.unwrap();
    }

    async fn ledger(&self) -> Vec<Value> {
        let v: Value = self.http.get(format!("{}/_sandbox/ledger", self.admin)).send().await.unwrap().json().await.unwrap();
        v["data"].as_array().unwrap().clone()
    }

    async fn requests(&self) -> u64 {
        let v: Value = self.http.get(format!("{}/_sandbox/requests", self.admin)).send().await.unwrap().json().await.unwrap();
        v["redeem_requests"].as_u64().unwrap()
    }
}

/// Xvfb, tauri-driver and a WebDriver session on the app.
struct App {
    client: Client,
    _desktop: Desktop,
}

impl App {
    async fn start(sandbox: &Sandbox, dir: &Path, frames: Option<&Path>) -> App {
        let desktop = Desktop::start();
        let mut args = vec!["--db".to_string(), dir.join("terminal.db").display().to_string(), "--service".into(), sandbox.url.clone(), "--api-key".into(), "test_sandbox".into()];
        if let Some(f) = frames {
            args.extend(["--frames".to_string(), f.display().to_string()]);
        }
        let caps: serde_json::Map<String, Value> = serde_json::from_value(json!({
            "browserName": "wry",
            "tauri:options": {"application": bin("voucher-pos-app"), "args": args}
        }))
        .unwrap();
        let deadline = Instant::now() + Duration::from_secs(30);
        let client = loop {
            match ClientBuilder::rustls().unwrap().capabilities(caps.clone()).connect(&desktop.url()).await {
                Ok(c) => break c,
                Err(e) => {
                    assert!(Instant::now() < deadline, "no WebDriver session: {e}");
                    tokio::time::sleep(Duration::from_millis(200)).await;
                }
            }
        };
        let app = App { client, _desktop: desktop };
        app.wait_for("the checkout screen", |app| async move { app.client.execute("return document.body.dataset.ready === 'true'", vec![]).await.map(|v| v == json!(true)).unwrap_or(false) }).await;
        app
    }

    async fn wait_for<'a, F, Fut>(&'a self, what: &str, cond: F)
    where
        F: Fn(&'a App) -> Fut,
        Fut: std::future::Future<Output = bool>,
    {
        let deadline = Instant::now() + Duration::from_secs(20);
        while !cond(self).await {
            assert!(Instant::now() < deadline, "timed out waiting for {what}");
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    }

    async fn text(&self, testid: &str) -> String {
        match self.client.find(Locator::Css(&format!("[data-testid={testid}]"))).await {
            Ok(e) => e.text().await.unwrap_or_default(),
            Err(_) => String::new(),
        }
    }

    async fn wait_text(&self, testid: &str, needle: &str) {
        let what = format!("{testid} to show {needle:?}");
        let deadline = Instant::now() + Duration::from_secs(20);
        loop {
            let t = self.text(testid).await;
            if t.contains(needle) {
                return;
            }
            assert!(Instant::now() < deadline, "timed out waiting for {what}; it shows {t:?}");
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    }

    async fn type_code(&self, code: &str) {
        let input = self.client.find(Locator::Css("[data-testid=code-input]")).await.unwrap();
        input.send_keys(&format!("{code}\u{E007}")).await.unwrap();
    }

    /// Types a code with Enter and waits until the checkout shows it scanned.
    async fn scan(&self, code: &str) {
        self.type_code(code).await;
        self.wait_text("intent-status", "Scanned").await;
    }

    async fn click(&self, testid: &str) {
        self.client.find(Locator::Css(&format!("[data-testid={testid}]"))).await.unwrap().click().await.unwrap();
    }

    async fn visible(&self, testid: &str) -> bool {
        let js = format!("const e = document.querySelector('[data-testid={testid}]'); return !!e && e.offsetParent !== null;");
        self.client.execute(&js, vec![]).await.map(|v| v == json!(true)).unwrap_or(false)
    }

    async fn redeem_disabled(&self) -> bool {
        self.client.execute("return document.querySelector('[data-testid=redeem-button]').disabled", vec![]).await.unwrap() == json!(true)
    }

    async fn screenshot(&self, name: &str) {
        let png = self.client.screenshot().await.unwrap();
        let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../docs/screenshots");
        std::fs::create_dir_all(&dir).unwrap();
        std::fs::write(dir.join(name), png).unwrap();
    }

    async fn close(self) {
        let _ = self.client.close().await;
    }
}

fn code_image(dir: &Path, code: &str) -> PathBuf {
    let frames = dir.join("frames");
    std::fs::create_dir_all(&frames).unwrap();
    let qr = voucher_pos::scan::sources::render_qr(code.as_bytes(), 6);
    let mut f = voucher_pos::scan::Frame::new(1280, 720, vec![200; 1280 * 720]);
    voucher_pos::scan::sources::paste(&mut f, &qr, ((1280 - qr.width) / 2) as i64, ((720 - qr.height) / 2) as i64);
    image::GrayImage::from_raw(f.width, f.height, f.luma).unwrap().save(frames.join("code.png")).unwrap();
    frames
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_code_shown_to_the_camera_is_redeemed_and_the_button_stays_disabled_while_it_is_sent() {
    let _one = ONE_AT_A_TIME.lock().unwrap_or_else(|p| p.into_inner());
    let dir = tempfile::tempdir().unwrap();
    let sandbox = Sandbox::start(dir.path());
    let code = sandbox.voucher(3).await;
    sandbox.faults(json!({"latency_ms": 1500})).await;
    let app = App::start(&sandbox, dir.path(), Some(&code_image(dir.path(), &code))).await;
    app.wait_text("intent-status", "Scanned").await;
    assert!(!app.redeem_disabled().await, "Redeem must be available for a scanned code");
    app.client.find(Locator::Css("[data-testid=redeem-button]")).await.unwrap().click().await.unwrap();
    assert!(app.redeem_disabled().await, "Redeem must be disabled while the request is in flight");
    assert!(app.text("intent-status").await.contains("Sending"));
    app.screenshot("checkout-sending.png").await;
    app.wait_text("intent-status", "Redeemed").await;
    assert!(app.redeem_disabled().await, "a redeemed code cannot be redeemed again");
    app.screenshot("checkout-redeemed.png").await;
    assert_eq!(sandbox.ledger().await.len(), 1);
    app.close().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_double_click_sends_one_request() {
    let _one = ONE_AT_A_TIME.lock().unwrap_or_else(|p| p.into_inner());
    let dir = tempfile::tempdir().unwrap();
    let sandbox = Sandbox::start(dir.path());
    let code = sandbox.voucher(1).await;
    sandbox.faults(json!({"latency_ms": 300})).await;
    let app = App::start(&sandbox, dir.path(), None).await;
    app.scan(&code).await;
    let button = app.client.find(Locator::Css("[data-testid=redeem-button]")).await.unwrap();
    // Two clicks as fast as WebDriver sends them, then two more from the page itself.
    let _ = button.click().await;
    let _ = button.click().await;
    app.client.execute("const b = document.querySelector('[data-testid=redeem-button]'); b.click(); b.click();", vec![]).await.unwrap();
    app.wait_text("intent-status", "Redeemed").await;
    assert_eq!(sandbox.requests().await, 1, "the double click sent more than one request");
    assert_eq!(sandbox.ledger().await.len(), 1);
    app.close().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn offline_redemptions_show_queued_and_go_through_when_the_link_returns() {
    let _one = ONE_AT_A_TIME.lock().unwrap_or_else(|p| p.into_inner());
    let dir = tempfile::tempdir().unwrap();
    let sandbox = Sandbox::start(dir.path());
    let code = sandbox.voucher(2).await;
    let app = App::start(&sandbox, dir.path(), None).await;
    assert_eq!(app.text("queue-count").await, "0");
    sandbox.faults(json!({"offline": true})).await;
    app.scan(&code).await;
    app.type_code("").await; // Enter on an empty field redeems
    app.wait_text("intent-status", "Queued").await;
    app.wait_text("queue-count", "1").await;
    app.wait_text("connectivity", "Offline").await;
    app.screenshot("checkout-offline.png").await;
    sandbox.faults(json!({})).await;
    app.wait_text("intent-status", "Redeemed").await;
    app.wait_text("queue-count", "0").await;
    app.wait_text("connectivity", "Online").await;
    assert_eq!(sandbox.ledger().await.len(), 1);
    app.close().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_used_voucher_shows_the_services_message_verbatim() {
    let _one = ONE_AT_A_TIME.lock().unwrap_or_else(|p| p.into_inner());
    let dir = tempfile::tempdir().unwrap();
    let sandbox = Sandbox::start(dir.path());
    let code = sandbox.voucher(1).await;
    // Redeemed elsewhere first; keep the service's own message to compare with.
    let first = sandbox.http.post(format!("{}/v1/vouchers/redeem", sandbox.url)).header("x-api-key", "test_sandbox").header("Idempotency-Key", "elsewhere").body(json!({"qr": code}).to_string()).send().await.unwrap();
    assert_eq!(first.status(), 200);
    let again: Value = sandbox.http.post(format!("{}/v1/vouchers/redeem", sandbox.url)).header("x-api-key", "test_sandbox").header("Idempotency-Key", "elsewhere-2").body(json!({"qr": code}).to_string()).send().await.unwrap().json().await.unwrap();
    let message = again["error"]["message"].as_str().unwrap().to_string();
    let app = App::start(&sandbox, dir.path(), None).await;
    app.scan(&code).await;
    app.type_code("").await;
    app.wait_text("intent-status", "Refused").await;
    let shown = app.client.find(Locator::Id("outcome-detail")).await.unwrap().text().await.unwrap();
    assert_eq!(shown, message);
    app.screenshot("checkout-refused.png").await;
    app.close().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_manager_log_lists_redemptions_and_the_csv_export_contains_them() {
    let _one = ONE_AT_A_TIME.lock().unwrap_or_else(|p| p.into_inner());
    let dir = tempfile::tempdir().unwrap();
    let sandbox = Sandbox::start(dir.path());
    let app = App::start(&sandbox, dir.path(), None).await;
    for n in 1..=3 {
        let code = sandbox.voucher(n).await;
        app.scan(&code).await;
        app.type_code("").await;
        app.wait_text("intent-status", "Redeemed").await;
    }
    let transactions: Vec<String> = sandbox.ledger().await.iter().map(|r| r["transaction_id"].as_str().unwrap().to_string()).collect();
    assert_eq!(transactions.len(), 3);
    app.client.find(Locator::Id("tab-manager")).await.unwrap().click().await.unwrap();
    app.client.find(Locator::Id("pin-input")).await.unwrap().send_keys("2468\u{E007}").await.unwrap();
    app.wait_for("three log rows", |app| async move { app.client.find_all(Locator::Css("[data-testid=log-row]")).await.map(|r| r.len() == 3).unwrap_or(false) }).await;
    let table = app.text("manager-log").await;
    for t in &transactions {
        assert!(table.contains(t.as_str()), "the log does not show {t}:\n{table}");
    }
    app.client.find(Locator::Css("[data-testid=log-row] td")).await.unwrap().click().await.unwrap();
    app.wait_for("the attempt history", |app| async move { app.client.find(Locator::Css("#detail-attempts li")).await.is_ok() }).await;
    app.screenshot("manager.png").await;
    // The save dialog is the desktop's own window, out of WebDriver's reach: the
    // export command behind it is called through the same IPC the button uses.
    let out = dir.path().join("export.csv");
    let n = app
        .client
        .execute_async(
            "const [path, done] = arguments; window.__TAURI_INTERNALS__.invoke('export_csv', {path, filter: {}}).then(done, e => done('error: ' + JSON.stringify(e)));",
            vec![json!(out.display().to_string())],
        )
        .await
        .unwrap();
    assert_eq!(n, json!(3), "export answered {n}");
    let csv = std::fs::read_to_string(&out).unwrap();
    for t in &transactions {
        assert!(csv.contains(t.as_str()), "the export lacks {t}");
    }
    app.close().await;
}

/// Sets the store's offline policy through the headless terminal, before the app opens
/// the same database (the manager's Settings screen writes the same setting).
fn allow_unconfirmed_vouchers(dir: &Path) {
    let ok = Command::new(bin("voucher-pos"))
        .args(["--db", &dir.join("terminal.db").display().to_string(), "policy", "--set"])
        .arg(r#"{"accept_offline":true,"max_pending":10,"max_pending_age_s":3600,"max_vouchers_per_code":15}"#)
        .stdout(Stdio::null())
        .status()
        .unwrap()
        .success();
    assert!(ok, "could not set the offline policy");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn offline_a_declined_voucher_is_never_redeemed_when_the_link_returns() {
    let _one = ONE_AT_A_TIME.lock().unwrap_or_else(|p| p.into_inner());
    let dir = tempfile::tempdir().unwrap();
    let sandbox = Sandbox::start(dir.path());
    let declined = sandbox.voucher(1).await;
    let later = sandbox.voucher(1).await;
    let app = App::start(&sandbox, dir.path(), None).await;
    sandbox.faults(json!({"offline": true})).await;
    app.scan(&declined).await;
    app.type_code("").await;
    app.wait_text("intent-status", "Queued").await;
    app.wait_for("the decline button", |app| async move { app.visible("decline-button").await }).await;
    app.click("decline-button").await;
    app.wait_text("intent-status", "Declined").await;
    app.wait_text("queue-count", "0").await;
    sandbox.faults(json!({})).await;
    // A second voucher redeemed proves the link is back and the engine has worked.
    app.scan(&later).await;
    app.type_code("").await;
    app.wait_text("intent-status", "Redeemed").await;
    let ledger = sandbox.ledger().await;
    assert_eq!(ledger.len(), 1, "only the second voucher was redeemed: {ledger:?}");
    let first_id = declined.split_once(':').unwrap().1;
    assert!(!ledger[0]["voucher_ids"].to_string().contains(first_id), "the declined voucher reached the ledger");
    app.close().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_accepted_voucher_that_the_service_then_refuses_shows_in_the_review_inbox_as_a_loss() {
    let _one = ONE_AT_A_TIME.lock().unwrap_or_else(|p| p.into_inner());
    let dir = tempfile::tempdir().unwrap();
    let sandbox = Sandbox::start(dir.path());
    let voided = sandbox.voucher_in(1, "voided").await;
    allow_unconfirmed_vouchers(dir.path());
    let app = App::start(&sandbox, dir.path(), None).await;
    sandbox.faults(json!({"offline": true})).await;
    app.scan(&voided).await;
    app.type_code("").await;
    app.wait_text("intent-status", "Queued").await;
    app.wait_for("the accept button", |app| async move { app.visible("accept-button").await }).await;
    app.click("accept-button").await;
    app.wait_text("offline-verdict", "Accepted for this sale").await;
    assert_eq!(app.text("review-count").await, "0");
    sandbox.faults(json!({})).await;
    app.wait_text("review-count", "1").await;
    app.wait_text("intent-status", "Review").await;
    app.client.find(Locator::Id("tab-manager")).await.unwrap().click().await.unwrap();
    app.client.find(Locator::Id("pin-input")).await.unwrap().send_keys("2468\u{E007}").await.unwrap();
    app.wait_text("review-inbox", "LOSS").await;
    assert!(app.text("review-inbox").await.contains("One or more vouchers have been voided."), "the service's own message");
    assert!(sandbox.ledger().await.is_empty());
    app.close().await;
}
