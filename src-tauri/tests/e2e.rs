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
use std::time::{Duration, Instant};

use fantoccini::{Client, ClientBuilder, Locator};

mod desktop;
use desktop::{Desktop, Group};
use serde_json::{json, Value};
use voucher_sandbox::printer::{refusing_address, Behaviour, FakePrinter};

static ONE_AT_A_TIME: tokio::sync::Mutex<()> = tokio::sync::Mutex::const_new(());

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

    /// A voucher code made to `spec` (`count`, `value` per voucher in cents, `prefix`).
    async fn voucher_like(&self, spec: Value) -> String {
        let v: Value = self
            .http
            .post(format!("{}/_sandbox/vouchers", self.admin))
            .json(&spec)
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        v["qr"].as_str().unwrap().to_string()
    }

    async fn voucher_in(&self, count: usize, state: &str) -> String {
        self.voucher_like(json!({"count": count, "value": 500, "state": state})).await
    }

    async fn faults(&self, f: Value) {
        self.http.put(format!("{}/_sandbox/faults", self.admin)).json(&f).send().await.unwrap();
    }

    async fn ledger(&self) -> Vec<Value> {
        let v: Value =
            self.http.get(format!("{}/_sandbox/ledger", self.admin)).send().await.unwrap().json().await.unwrap();
        v["data"].as_array().unwrap().clone()
    }

    async fn requests(&self) -> u64 {
        let v: Value =
            self.http.get(format!("{}/_sandbox/requests", self.admin)).send().await.unwrap().json().await.unwrap();
        v["redeem_requests"].as_u64().unwrap()
    }
}

/// Xvfb, tauri-driver and a WebDriver session on the app.
struct App {
    client: Client,
    desktop: Desktop,
}

impl App {
    async fn start(sandbox: &Sandbox, dir: &Path, frames: Option<&Path>) -> App {
        let mut args = vec![
            "--db".to_string(),
            dir.join("terminal.db").display().to_string(),
            "--service".into(),
            sandbox.url.clone(),
            "--api-key".into(),
            "test_sandbox".into(),
        ];
        if let Some(f) = frames {
            args.extend(["--frames".to_string(), f.display().to_string()]);
        }
        App::start_with(args, "true").await
    }

    /// The app with these arguments, once the page says `ready` (`true`, or `problem`
    /// for a terminal that could not start).
    async fn start_with(args: Vec<String>, ready: &'static str) -> App {
        App::start_in(Desktop::start(), args, ready).await
    }

    /// The app with these arguments on `desktop`.
    async fn start_in(desktop: Desktop, args: Vec<String>, ready: &'static str) -> App {
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
        let app = App { client, desktop };
        let js = format!("return document.body.dataset.ready === '{ready}'");
        app.wait_for("the first screen", |app| {
            let js = js.clone();
            async move { app.client.execute(&js, vec![]).await.map(|v| v == json!(true)).unwrap_or(false) }
        })
        .await;
        app
    }

    async fn type_into(&self, testid: &str, text: &str) {
        self.client
            .find(Locator::Css(&format!("[data-testid={testid}]")))
            .await
            .unwrap()
            .send_keys(text)
            .await
            .unwrap();
    }

    /// Submits a PIN form and waits for its answer, whatever it is: the error line is
    /// emptied first, so the same message twice is still seen as a new answer.
    async fn submit_pin(&self, pin: &str) -> String {
        self.client
            .execute("document.querySelector('[data-testid=pin-error]').textContent = ''", vec![])
            .await
            .unwrap();
        self.type_into("pin-input", pin).await;
        self.click("pin-submit").await;
        let deadline = Instant::now() + Duration::from_secs(20);
        loop {
            if self.visible("lock-manager").await {
                return String::new();
            }
            let t = self.text("pin-error").await;
            if !t.is_empty() {
                return t;
            }
            assert!(Instant::now() < deadline, "the PIN form never answered");
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    }

    /// Opens the manager screens; on a new terminal chooses `pin` (typed twice).
    async fn unlock_manager(&self, pin: &str) {
        self.click("manager-button").await;
        self.wait_for("the PIN form", |app| async move { app.visible("pin-input").await }).await;
        if self.visible("pin-again").await {
            self.type_into("pin-again", pin).await;
        }
        let answer = self.submit_pin(pin).await;
        assert_eq!(answer, "", "the manager PIN was refused");
        self.wait_for("the manager screens", |app| async move { app.visible("manager-log").await }).await;
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

    /// The manager lists Ann (one-time PIN 4826); back at the checkout, the sign-in
    /// form is up.
    async fn list_cashier_ann(&self) {
        self.unlock_manager("482615").await;
        for (id, text) in [("c-id", "ann"), ("c-name", "Ann Tan"), ("c-pin", "4826"), ("c-again", "4826")] {
            self.type_into(id, text).await;
        }
        self.click("c-add").await;
        self.wait_text("cashier-result", "Added Ann Tan (ann)").await;
        self.click("checkout-button").await;
        self.wait_for("the sign-in form", |app| async move { app.visible("cashier-signin").await }).await;
    }

    async fn set_window(&self, w: u32, h: u32) {
        self.client.set_window_size(w, h).await.unwrap();
    }

    async fn click(&self, testid: &str) {
        self.client.find(Locator::Css(&format!("[data-testid={testid}]"))).await.unwrap().click().await.unwrap();
    }

    async fn visible(&self, testid: &str) -> bool {
        let js = format!(
            "const e = document.querySelector('[data-testid={testid}]'); return !!e && e.offsetParent !== null;"
        );
        self.client.execute(&js, vec![]).await.map(|v| v == json!(true)).unwrap_or(false)
    }

    async fn redeem_disabled(&self) -> bool {
        self.client
            .execute("return document.querySelector('[data-testid=redeem-button]').disabled", vec![])
            .await
            .unwrap()
            == json!(true)
    }

    /// Saves a screenshot beside the test binaries (`target/.../e2e-screenshots/`),
    /// or, with `UPDATE_SCREENSHOTS=1`, over the README's own in `docs/screenshots/`:
    /// a test run never rewrites tracked files by itself.
    async fn screenshot(&self, name: &str) {
        let png = self.client.screenshot().await.unwrap();
        let dir = if std::env::var_os("UPDATE_SCREENSHOTS").is_some() {
            Path::new(env!("CARGO_MANIFEST_DIR")).join("../docs/screenshots")
        } else {
            std::env::current_exe().unwrap().parent().and_then(Path::parent).unwrap().join("e2e-screenshots")
        };
        std::fs::create_dir_all(&dir).unwrap();
        std::fs::write(dir.join(name), png).unwrap();
    }

    /// Runs `js` on the open Settings form (set a field), saves, waits for "Saved",
    /// and clears the result line for the next save.
    async fn save_settings_with(&self, js: &str) {
        self.client
            .execute(&format!("{js}; document.querySelector('#settings-form button[type=submit]').click()"), vec![])
            .await
            .unwrap();
        self.wait_text("settings-result", "Saved").await;
        self.client
            .execute("document.querySelector('[data-testid=settings-result]').textContent = ''", vec![])
            .await
            .unwrap();
    }

    async fn close(self) {
        let _ = self.client.close().await;
    }
}

/// Types `text` and Enter as real X key events 5 ms apart, into whatever has the
/// keyboard in the app's window: what a handheld keyboard-wedge scanner does.
fn wedge_scan(display: &str, text: &str) {
    focus_window(display, "Voucher POS");
    // One xdotool run, Enter included, as key names: a second process starting
    // between the last key and Enter is a gap no scanner leaves, and on a loaded
    // machine it is longer than a burst's.
    let keys: Vec<String> = text
        .chars()
        .map(|c| match c {
            ':' => "colon".into(),
            '_' => "underscore".into(),
            ',' => "comma".into(),
            '-' => "minus".into(),
            '.' => "period".into(),
            '/' => "slash".into(),
            c if c.is_ascii_alphanumeric() => c.to_string(),
            c => panic!("no key name for {c:?} in {text:?}"),
        })
        .chain(["Return".to_string()])
        .collect();
    let mut args = vec!["key", "--delay", "5"];
    args.extend(keys.iter().map(String::as_str));
    xdotool(display, &args);
}

/// Runs xdotool on the test's X display; returns what it printed.
fn xdotool(display: &str, args: &[&str]) -> String {
    let out = Command::new("xdotool")
        .args(args)
        .env("DISPLAY", display)
        .output()
        .expect("xdotool (the README's test command installs it)");
    assert!(out.status.success(), "xdotool {args:?}: {}", String::from_utf8_lossy(&out.stderr));
    String::from_utf8_lossy(&out.stdout).trim().to_string()
}

/// Waits for the window titled `title` and gives it the keyboard (there is no window
/// manager under Xvfb to do it).
fn focus_window(display: &str, title: &str) {
    let window = xdotool(display, &["search", "--sync", "--onlyvisible", "--name", title]);
    xdotool(display, &["windowfocus", "--sync", window.lines().next().unwrap()]);
}

/// Waits for the desktop's save dialog titled `title` and saves to `path`: selects
/// the proposed name, types the whole path over it, and presses Enter, as a person
/// would. GTK's dialog takes an absolute path in its name field. (The paths used are
/// new files, so GTK asks no "replace?" question.)
fn save_in_dialog(display: &str, title: &str, path: &Path) {
    focus_window(display, title);
    xdotool(display, &["key", "--clearmodifiers", "ctrl+a"]);
    xdotool(display, &["type", "--delay", "5", &path.display().to_string()]);
    xdotool(display, &["key", "Return"]);
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
    let _one = ONE_AT_A_TIME.lock().await;
    let dir = tempfile::tempdir().unwrap();
    let sandbox = Sandbox::start(dir.path());
    let code = sandbox.voucher(3).await;
    sandbox.faults(json!({"latency_ms": 1500})).await;
    let app = App::start(&sandbox, dir.path(), Some(&code_image(dir.path(), &code))).await;
    app.wait_text("intent-status", "Scanned").await;
    // The preview reached the page as raw JPEG bytes on its channel: a picture of the
    // frame's shape, with the code's outline drawn on it.
    app.wait_for("the camera preview with the code's outline", |app| async move {
        let js = "const i = document.getElementById('preview'); const p = document.querySelector('#outline polygon').getAttribute('points'); \
                  return !i.hidden && i.src.startsWith('blob:') && i.complete && i.naturalWidth > 0 && Math.abs(i.naturalWidth / i.naturalHeight - 1280 / 720) < 0.02 && p.split(' ').length === 4";
        app.client.execute(js, vec![]).await.map(|v| v == json!(true)).unwrap_or(false)
    })
    .await;
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
    let _one = ONE_AT_A_TIME.lock().await;
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
    app.client
        .execute("const b = document.querySelector('[data-testid=redeem-button]'); b.click(); b.click();", vec![])
        .await
        .unwrap();
    app.wait_text("intent-status", "Redeemed").await;
    assert_eq!(sandbox.requests().await, 1, "the double click sent more than one request");
    assert_eq!(sandbox.ledger().await.len(), 1);
    app.close().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn offline_redemptions_show_queued_and_go_through_when_the_link_returns() {
    let _one = ONE_AT_A_TIME.lock().await;
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
    let _one = ONE_AT_A_TIME.lock().await;
    let dir = tempfile::tempdir().unwrap();
    let sandbox = Sandbox::start(dir.path());
    let code = sandbox.voucher(1).await;
    // Redeemed elsewhere first; keep the service's own message to compare with.
    let first = sandbox
        .http
        .post(format!("{}/v1/vouchers/redeem", sandbox.url))
        .header("x-api-key", "test_sandbox")
        .header("Idempotency-Key", "elsewhere")
        .body(json!({"qr": code}).to_string())
        .send()
        .await
        .unwrap();
    assert_eq!(first.status(), 200);
    let again: Value = sandbox
        .http
        .post(format!("{}/v1/vouchers/redeem", sandbox.url))
        .header("x-api-key", "test_sandbox")
        .header("Idempotency-Key", "elsewhere-2")
        .body(json!({"qr": code}).to_string())
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
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
    let _one = ONE_AT_A_TIME.lock().await;
    let dir = tempfile::tempdir().unwrap();
    let sandbox = Sandbox::start(dir.path());
    let app = App::start(&sandbox, dir.path(), None).await;
    for n in 1..=3 {
        let code = sandbox.voucher(n).await;
        app.scan(&code).await;
        app.type_code("").await;
        app.wait_text("intent-status", "Redeemed").await;
    }
    let transactions: Vec<String> =
        sandbox.ledger().await.iter().map(|r| r["transaction_id"].as_str().unwrap().to_string()).collect();
    assert_eq!(transactions.len(), 3);
    app.unlock_manager("482615").await;
    app.wait_for("three log rows", |app| async move {
        app.client.find_all(Locator::Css("[data-testid=log-row]")).await.map(|r| r.len() == 3).unwrap_or(false)
    })
    .await;
    let table = app.text("manager-log").await;
    for t in &transactions {
        assert!(table.contains(t.as_str()), "the log does not show {t}:\n{table}");
    }
    app.client.find(Locator::Css("[data-testid=log-row] td")).await.unwrap().click().await.unwrap();
    app.wait_for("the attempt history", |app| async move {
        app.client.find(Locator::Css("#detail-attempts li")).await.is_ok()
    })
    .await;
    app.screenshot("manager.png").await;
    // The page names no path: the terminal opens the desktop's own save dialog, which
    // is driven here as a person would, by typing a path into it (xdotool, on the
    // test's X display).
    let elsewhere = tempfile::tempdir().unwrap();
    let out = elsewhere.path().join("export.csv");
    app.click("export-csv").await;
    save_in_dialog(&app.desktop.display, "Export the redemption log", &out);
    app.wait_text("export-result", "Exported 3 rows").await;
    use std::os::unix::fs::PermissionsExt;
    assert_eq!(
        std::fs::metadata(&out).unwrap().permissions().mode() & 0o777,
        0o600,
        "the export holds full codes: owner only"
    );
    // A file inside the terminal's data folder (beside the live database and the
    // secrets) is refused even when a person picks it.
    let inside = dir.path().join("inside.csv");
    app.click("export-csv").await;
    save_in_dialog(&app.desktop.display, "Export the redemption log", &inside);
    app.wait_text("export-result", "inside the terminal's data folder").await;
    assert!(!inside.exists());
    let csv = std::fs::read_to_string(&out).unwrap();
    for t in &transactions {
        assert!(csv.contains(t.as_str()), "the export lacks {t}");
    }
    // The app's own log file: the day's redemptions are in it, the API key and whole
    // codes are not.
    let logs = app_logs(dir.path());
    assert!(logs.contains("redeem attempt"), "{logs}");
    assert!(!logs.contains("test_sandbox"), "the API key is in the app's log");
    for row in sandbox.ledger().await {
        for v in row["voucher_ids"].as_array().unwrap() {
            assert!(!logs.contains(v.as_str().unwrap()), "a whole voucher id is in the app's log");
        }
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
    let _one = ONE_AT_A_TIME.lock().await;
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
    let _one = ONE_AT_A_TIME.lock().await;
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
    app.unlock_manager("482615").await;
    app.wait_text("review-inbox", "LOSS").await;
    let inbox = app.text("review-inbox").await;
    assert!(inbox.contains("One or more vouchers have been voided."), "the service's own message: {inbox}");
    // Each item in words: when, who, how much, why, and the evidence.
    for words in ["cashier c001", "scanned ", "in review since ", "not known", "A loss:", "Sent it at "] {
        assert!(inbox.contains(words), "the review item lacks {words:?}: {inbox}");
    }
    assert!(!inbox.contains("accepted_then_refused"), "a cause in words, not a code: {inbox}");
    assert!(sandbox.ledger().await.is_empty());
    // The manager opens on the inbox, and the header's count leads to it.
    app.click("checkout-button").await;
    app.click("review-link").await;
    app.unlock_manager("482615").await;
    let top = app
        .client
        .execute("return document.getElementById('review').getBoundingClientRect().top < innerHeight", vec![])
        .await;
    assert_eq!(top.unwrap(), json!(true), "the inbox is the first thing the manager sees");
    app.screenshot("review-inbox.png").await;
    app.close().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn leaving_the_manager_screens_locks_them() {
    let _one = ONE_AT_A_TIME.lock().await;
    let dir = tempfile::tempdir().unwrap();
    let sandbox = Sandbox::start(dir.path());
    let app = App::start(&sandbox, dir.path(), None).await;
    app.unlock_manager("482615").await;
    app.click("checkout-button").await;
    app.wait_for("the checkout", |app| async move { app.visible("code-input").await }).await;
    // The next person to press Manager meets the PIN form, not the log.
    app.click("manager-button").await;
    app.wait_for("the PIN form", |app| async move { app.visible("pin-input").await }).await;
    assert!(!app.visible("manager-log").await, "the manager log is open to whoever presses Manager");
    // And the core agrees: a manager command from the page is refused.
    let answer = app
        .client
        .execute_async("const done = arguments[0]; window.__TAURI_INTERNALS__.invoke('review_inbox').then(() => done('allowed'), e => done(e.code));", vec![])
        .await
        .unwrap();
    assert_eq!(answer, json!("manager_locked"));
    app.close().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn after_five_wrong_pins_the_right_one_is_refused_until_the_back_off_ends() {
    let _one = ONE_AT_A_TIME.lock().await;
    let dir = tempfile::tempdir().unwrap();
    let sandbox = Sandbox::start(dir.path());
    let app = App::start(&sandbox, dir.path(), None).await;
    app.unlock_manager("482615").await;
    app.click("lock-manager").await;
    app.wait_for("the PIN form", |app| async move { app.visible("pin-input").await }).await;
    // Five wrong PINs, each typed once the previous wait is over (a try during a wait
    // is refused unchecked and does not count).
    let mut wrong = 0;
    let mut fifth_at = Instant::now();
    let deadline = Instant::now() + Duration::from_secs(30);
    while wrong < 5 {
        assert!(Instant::now() < deadline, "five wrong PINs were never all taken");
        let answer = app.submit_pin("0000").await;
        if answer.contains("not right") {
            wrong += 1;
            fifth_at = Instant::now();
        } else {
            assert!(answer.contains("Too many wrong PINs"), "{answer}");
            tokio::time::sleep(Duration::from_millis(250)).await;
        }
    }
    assert!(app.text("pin-error").await.contains("Wait 4 seconds"), "{}", app.text("pin-error").await);
    // The right PIN is refused, and keeps being refused, until the 4 s are over.
    let mut refused = 0;
    loop {
        let answer = app.submit_pin("482615").await;
        if answer.is_empty() {
            break;
        }
        assert!(answer.contains("Too many wrong PINs"), "{answer}");
        refused += 1;
        assert!(
            fifth_at.elapsed() < Duration::from_secs(20),
            "the right PIN was still refused long after the back-off"
        );
        tokio::time::sleep(Duration::from_millis(250)).await;
    }
    assert!(refused >= 1, "the right PIN went straight through after five wrong ones");
    assert!(
        fifth_at.elapsed() >= Duration::from_millis(3_500),
        "unlocked {:?} after the fifth wrong PIN",
        fifth_at.elapsed()
    );
    // The wrong PINs are in the terminal's history.
    app.wait_text("audit", "pin_wrong (manager PIN, 5 wrong in a row)").await;
    app.close().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_cashier_signs_in_and_their_id_is_in_the_redemptions_metadata() {
    let _one = ONE_AT_A_TIME.lock().await;
    let dir = tempfile::tempdir().unwrap();
    let sandbox = Sandbox::start(dir.path());
    let app = App::start(&sandbox, dir.path(), None).await;
    // Single-user until the manager lists a cashier.
    assert!(!app.visible("cashier-signin").await);
    app.list_cashier_ann().await;
    assert!(!app.visible("code-input").await, "the checkout is open to nobody in particular");
    app.type_into("signin-id", "ann").await;
    app.type_into("signin-pin", "9999\u{E007}").await;
    app.wait_text("signin-error", "not right").await;
    // The PIN the manager typed is good for this one sign-in: Ann chooses her own
    // (a common one is refused, saying why), and from then on only hers opens.
    app.type_into("signin-pin", "4826\u{E007}").await;
    app.wait_text("signin-error", "a new PIN of your own").await;
    assert!(app.visible("signin-new").await && !app.visible("code-input").await);
    assert_eq!(value_of(&app, "signin-pin").await, "", "the one-time PIN is never left typed");
    app.type_into("signin-pin", "4826").await;
    app.type_into("signin-new", "2580").await;
    app.type_into("signin-again", "2580\u{E007}").await;
    app.wait_text("signin-error", "people choose most often").await;
    app.type_into("signin-pin", "4826").await;
    app.type_into("signin-new", "5173").await;
    app.type_into("signin-again", "5173\u{E007}").await;
    app.wait_text("cashier-id", "ann").await;
    let code = sandbox.voucher(1).await;
    app.scan(&code).await;
    app.type_code("").await;
    app.wait_text("intent-status", "Redeemed").await;
    let ledger = sandbox.ledger().await;
    assert_eq!(ledger.len(), 1);
    let metadata = ledger[0]["metadata"].as_str().unwrap();
    assert!(metadata.contains("cashier_ID:ann,"), "{metadata}");
    // Signed out, the checkout asks again.
    app.click("sign-out-button").await;
    app.wait_for("the sign-in form", |app| async move { app.visible("cashier-signin").await }).await;
    app.close().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_terminal_set_up_for_a_real_service_without_its_key_says_so_in_the_window() {
    let _one = ONE_AT_A_TIME.lock().await;
    let dir = tempfile::tempdir().unwrap();
    let args = vec![
        "--db".to_string(),
        dir.path().join("terminal.db").display().to_string(),
        "--service".into(),
        "https://api.example.com".into(),
    ];
    let app = App::start_with(args, "problem").await;
    app.wait_text("startup-problem", "No API key is stored for https://api.example.com").await;
    assert_eq!(app.text("problem-code").await, "api_key_missing");
    // Never the sandbox in its place.
    assert!(!app.visible("sandbox-badge").await && !app.visible("code-input").await);
    app.close().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_key_the_service_rejects_is_shown_in_the_window_and_the_voucher_waits() {
    let _one = ONE_AT_A_TIME.lock().await;
    let dir = tempfile::tempdir().unwrap();
    let sandbox = Sandbox::start(dir.path());
    let args = vec![
        "--db".to_string(),
        dir.path().join("terminal.db").display().to_string(),
        "--service".into(),
        sandbox.url.clone(),
        "--api-key".into(),
        "test_revoked".into(),
    ];
    let app = App::start_with(args, "true").await;
    let code = sandbox.voucher(1).await;
    app.scan(&code).await;
    app.type_code("").await;
    app.wait_text("status-message", "refused this terminal's API key").await;
    assert!(app.text("status-message").await.contains("Call the manager"));
    app.wait_text("intent-status", "waiting for a valid API key").await;
    assert_eq!(app.text("queue-count").await, "1", "the voucher waits in the queue");
    assert!(sandbox.ledger().await.is_empty());
    app.close().await;
}

async fn value_of(app: &App, testid: &str) -> String {
    app.client
        .execute(&format!("return document.querySelector('[data-testid={testid}]').value"), vec![])
        .await
        .unwrap()
        .as_str()
        .unwrap()
        .to_string()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_sale_shows_the_balance_due_in_dollars_and_the_next_customer_starts_empty() {
    let _one = ONE_AT_A_TIME.lock().await;
    let dir = tempfile::tempdir().unwrap();
    let sandbox = Sandbox::start(dir.path());
    let app = App::start(&sandbox, dir.path(), None).await;
    // A malformed amount is refused in words, never read as something else.
    app.type_into("sale-total", "1,25.00").await;
    app.wait_text("sale-total-error", "not an amount").await;
    app.client.execute("const e = document.querySelector('[data-testid=sale-total]'); e.value = ''; e.dispatchEvent(new Event('input'));", vec![]).await.unwrap();
    app.type_into("sale-total", "1,250.00").await;
    app.wait_text("sale-total-shown", "S$1,250.00").await;
    let code = sandbox.voucher_like(json!({"count": 3, "value": 500})).await;
    app.scan(&code).await;
    app.type_code("").await;
    app.wait_text("intent-status", "Redeemed").await;
    app.wait_text("balance-due", "S$1,235.00").await;
    // Typed key by key, "1,250." was refused on the way; the whole amount is not.
    assert_eq!(app.text("sale-total-error").await, "");
    assert_eq!(app.text("voucher-value").await, "S$15.00");
    assert_eq!(app.text("forfeited").await, "S$0.00");
    app.screenshot("checkout-sale.png").await;
    // Enter on a settled sale, or the button, ends it: the next customer starts clean.
    app.click("next-customer").await;
    app.wait_text("intent-status", "Scan a voucher code").await;
    assert_eq!(value_of(&app, "sale-total").await, "");
    assert_eq!(app.text("balance-due").await, "—");
    assert_eq!(app.text("sale-vouchers").await, "");
    app.close().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_scanner_burst_into_the_sale_total_is_a_scan_and_the_total_keeps_its_amount() {
    let _one = ONE_AT_A_TIME.lock().await;
    let dir = tempfile::tempdir().unwrap();
    let sandbox = Sandbox::start(dir.path());
    let app = App::start(&sandbox, dir.path(), None).await;
    app.type_into("sale-total", "12.50").await;
    app.wait_text("sale-total-shown", "S$12.50").await;
    app.client.execute("document.querySelector('[data-testid=sale-total]').focus()", vec![]).await.unwrap();
    let code = sandbox.voucher(1).await;
    wedge_scan(&app.desktop.display, &code);
    app.wait_text("intent-status", "Scanned").await;
    assert_eq!(value_of(&app, "sale-total").await, "12.50", "the burst must not land in the amount");
    // The core ends with the amount as it was (the burst's keystrokes, sent in order
    // before the field got its text back, are refused, then replaced).
    app.wait_for("the total's error to clear", |app| async move { app.text("sale-total-error").await.is_empty() })
        .await;
    app.wait_text("sale-total-shown", "S$12.50").await;
    app.close().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_cfhp_code_is_redeemed_only_with_its_receipt_and_skus_and_they_reach_the_service() {
    let _one = ONE_AT_A_TIME.lock().await;
    let dir = tempfile::tempdir().unwrap();
    let sandbox = Sandbox::start(dir.path());
    let app = App::start(&sandbox, dir.path(), None).await;
    let code = sandbox.voucher_like(json!({"count": 1, "value": 2000, "prefix": "rsg-cfhp"})).await;
    app.type_code(&code).await;
    app.wait_for("the receipt and SKU fields", |app| async move {
        app.visible("receipt-number").await && app.visible("skus").await
    })
    .await;
    assert!(app.redeem_disabled().await, "Redeem must wait for the receipt and SKUs");
    // Typed as a person would (WebDriver types as fast as a scanner, and a burst
    // ending in Enter is a scan wherever it lands).
    app.client
        .execute("document.querySelector('[data-testid=receipt-number]').value = 'R789'; document.querySelector('[data-testid=skus]').value = '001, 002';", vec![])
        .await
        .unwrap();
    app.click("cfhp-record").await;
    app.wait_text("intent-status", "Scanned").await;
    app.type_code("").await;
    app.wait_text("intent-status", "Redeemed").await;
    let ledger = sandbox.ledger().await;
    let metadata = ledger[0]["metadata"].as_str().unwrap();
    assert!(metadata.ends_with(",receipt_number:R789,SKU:001,002"), "{metadata}");
    app.close().await;
}

/// Every visible piece of text on the page, with the contrast ratio of its colour
/// against the background it is painted on (ancestors' backgrounds composited), per
/// WCAG 2: 4.5:1, or 3:1 for large text (24 px, or 18.66 px bold). Returns the
/// failures and the lowest ratio seen.
const CONTRAST_JS: &str = r#"
const parse = (s) => { const m = s.match(/rgba?\(([^)]+)\)/); if (!m) return null; const p = m[1].split(',').map(parseFloat); return { rgb: p.slice(0, 3), a: p.length > 3 ? p[3] : 1 }; };
const lum = (c) => { const [r, g, b] = c.map((v) => { v /= 255; return v <= 0.03928 ? v / 12.92 : Math.pow((v + 0.055) / 1.055, 2.4); }); return 0.2126 * r + 0.7152 * g + 0.0722 * b; };
const behind = (el) => { const layers = []; for (let e = el; e; e = e.parentElement) { const c = parse(getComputedStyle(e).backgroundColor); if (c && c.a > 0) { layers.push(c); if (c.a >= 1) break; } } let col = [255, 255, 255]; for (let i = layers.length - 1; i >= 0; i--) { const l = layers[i]; col = col.map((v, k) => l.rgb[k] * l.a + v * (1 - l.a)); } return col; };
const fails = []; let min = 99; let n = 0;
for (const el of document.querySelectorAll('body *')) {
  if (el.offsetParent === null || el.closest('[hidden]')) continue;
  const text = [...el.childNodes].filter((x) => x.nodeType === 3).map((x) => x.textContent).join('').trim() || ((el instanceof HTMLInputElement) ? el.value : '');
  if (!text) continue;
  const st = getComputedStyle(el); const fg = parse(st.color); const b = behind(el);
  const f = fg.rgb.map((v, k) => v * fg.a + b[k] * (1 - fg.a));
  const L1 = lum(f), L2 = lum(b); const ratio = (Math.max(L1, L2) + 0.05) / (Math.min(L1, L2) + 0.05);
  const size = parseFloat(st.fontSize); const large = size >= 24 || (parseInt(st.fontWeight) >= 700 && size >= 18.66);
  const need = large ? 3 : 4.5; n++; min = Math.min(min, ratio);
  if (ratio < need) fails.push(`${el.tagName.toLowerCase()}#${el.id} "${text.slice(0, 30)}" ${ratio.toFixed(2)}:1 < ${need}:1`);
}
return { fails, min, n };
"#;

async fn contrast(app: &App, state: &str) -> f64 {
    let r = app.client.execute(CONTRAST_JS, vec![]).await.unwrap();
    let fails: Vec<String> = r["fails"].as_array().unwrap().iter().map(|f| f.as_str().unwrap().to_string()).collect();
    assert!(fails.is_empty(), "{state}: text below WCAG AA contrast:\n{}", fails.join("\n"));
    let min = r["min"].as_f64().unwrap();
    println!("contrast, {state}: {} text elements, lowest {min:.2}:1", r["n"]);
    min
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_text_meets_wcag_aa_contrast_in_every_checkout_state_and_the_manager_screens() {
    let _one = ONE_AT_A_TIME.lock().await;
    let dir = tempfile::tempdir().unwrap();
    let sandbox = Sandbox::start(dir.path());
    let app = App::start(&sandbox, dir.path(), None).await;
    assert!(app.redeem_disabled().await);
    contrast(&app, "idle, Redeem disabled").await;
    app.type_into("sale-total", "abc").await;
    app.wait_text("sale-total-error", "not an amount").await;
    contrast(&app, "a malformed total").await;
    app.client.execute("const e = document.querySelector('[data-testid=sale-total]'); e.value = '20.00'; e.dispatchEvent(new Event('input'));", vec![]).await.unwrap();
    let code = sandbox.voucher(1).await;
    app.scan(&code).await;
    contrast(&app, "scanned, Redeem enabled").await;
    app.type_code("").await;
    app.wait_text("intent-status", "Redeemed").await;
    app.wait_text("balance-due", "S$15.00").await;
    contrast(&app, "redeemed, with amounts").await;
    sandbox.faults(json!({"offline": true})).await;
    app.click("next-customer").await;
    let code = sandbox.voucher(1).await;
    app.scan(&code).await;
    app.type_code("").await;
    app.wait_text("status-message", "Offline").await;
    contrast(&app, "offline, queued").await;
    sandbox.faults(json!({})).await;
    app.unlock_manager("482615").await;
    contrast(&app, "manager screens").await;
    app.close().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_codes_scanned_then_one_press_sends_both_and_a_code_scanned_while_sending_joins_the_sale() {
    let _one = ONE_AT_A_TIME.lock().await;
    let dir = tempfile::tempdir().unwrap();
    let sandbox = Sandbox::start(dir.path());
    let app = App::start(&sandbox, dir.path(), None).await;
    let first = sandbox.voucher(1).await;
    let second = sandbox.voucher(2).await;
    app.scan(&first).await;
    app.scan(&second).await;
    app.wait_text("sale-vouchers", "2 vouchers").await;
    assert_eq!(
        app.client
            .execute("return document.querySelectorAll('[data-testid=remove-voucher]').length", vec![])
            .await
            .unwrap(),
        json!(2),
        "a scan only can be removed"
    );
    // One press sends both (one intent and key each).
    sandbox.faults(json!({"latency_ms": 1500})).await;
    app.type_code("").await;
    app.wait_text("intent-status", "Sending").await;
    let third = sandbox.voucher(3).await;
    app.type_code(&third).await;
    app.wait_text("sale-vouchers", "3 vouchers").await;
    // The sale's rows, not the status line: that follows the last scan, which may
    // land before or after the two answers.
    app.wait_for("the two sent vouchers redeemed", |app| async move {
        app.text("sale-vouchers").await.matches("Redeemed").count() == 2
    })
    .await;
    assert_eq!(sandbox.ledger().await.len(), 2, "one press sent both scanned codes");
    // The code scanned while sending is on the sale, not lost, and not yet sent.
    app.wait_text("waiting-scans", "not sent yet").await;
    assert!(!app.redeem_disabled().await);
    sandbox.faults(json!({})).await;
    app.type_code("").await;
    app.wait_for(
        "three redemptions",
        |app| async move { app.text("sale-vouchers").await.matches("Redeemed").count() == 3 },
    )
    .await;
    assert_eq!(sandbox.ledger().await.len(), 3);
    app.close().await;
}

/// Clicks a button inside the resolve dialog.
async fn resolve(app: &App, testid: &str) {
    app.client
        .find(Locator::Css(&format!("[data-testid=resolve-dialog] [data-testid={testid}]")))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
}

async fn dialog_open(app: &App) -> bool {
    app.client.execute("return document.querySelector('[data-testid=resolve-dialog]').open", vec![]).await.unwrap()
        == json!(true)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn after_an_offline_press_next_customer_asks_for_an_answer_and_a_declined_voucher_is_never_redeemed() {
    let _one = ONE_AT_A_TIME.lock().await;
    let dir = tempfile::tempdir().unwrap();
    let sandbox = Sandbox::start(dir.path());
    let code = sandbox.voucher(1).await;
    let app = App::start(&sandbox, dir.path(), None).await;
    sandbox.faults(json!({"offline": true})).await;
    app.type_into("sale-total", "20.00").await;
    app.scan(&code).await;
    app.type_code("").await;
    app.wait_text("intent-status", "Queued").await;
    // The customer pays cash; the cashier presses Next customer without answering.
    app.click("next-customer").await;
    app.wait_for("the resolve dialog", |app| async move { dialog_open(app).await }).await;
    app.wait_text("resolve-dialog", "rsg: 1 voucher").await;
    app.screenshot("checkout-resolve.png").await;
    // Nothing was cleared: the sale and its total are still there.
    assert_eq!(app.text("sale-total-shown").await, "S$20.00");
    assert!(app.text("sale-vouchers").await.contains("rsg: 1 voucher"));
    resolve(&app, "decline-button").await;
    app.wait_for("the dialog to close", |app| async move { !dialog_open(app).await }).await;
    app.wait_text("intent-status", "Scan a voucher code").await;
    assert_eq!(app.text("sale-vouchers").await, "", "declining the last one clears the sale");
    app.wait_text("queue-count", "0").await;
    sandbox.faults(json!({})).await;
    // A second voucher redeemed proves the link is back and the engine has worked.
    let later = sandbox.voucher(1).await;
    app.scan(&later).await;
    app.type_code("").await;
    app.wait_text("intent-status", "Redeemed").await;
    let ledger = sandbox.ledger().await;
    assert_eq!(ledger.len(), 1, "only the second voucher was redeemed: {ledger:?}");
    assert!(!ledger[0]["voucher_ids"].to_string().contains(code.split_once(':').unwrap().1));
    app.close().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_voucher_accepted_in_one_sale_and_scanned_in_the_next_is_refused_in_words() {
    let _one = ONE_AT_A_TIME.lock().await;
    let dir = tempfile::tempdir().unwrap();
    let sandbox = Sandbox::start(dir.path());
    let code = sandbox.voucher(1).await;
    allow_unconfirmed_vouchers(dir.path());
    let app = App::start(&sandbox, dir.path(), None).await;
    sandbox.faults(json!({"offline": true})).await;
    app.scan(&code).await;
    app.type_code("").await;
    app.wait_text("intent-status", "Queued").await;
    app.click("next-customer").await;
    app.wait_for("the resolve dialog", |app| async move { dialog_open(app).await }).await;
    resolve(&app, "accept-button").await;
    app.wait_for("the dialog to close", |app| async move { !dialog_open(app).await }).await;
    app.wait_text("intent-status", "Scan a voucher code").await;
    // The next customer shows the same code (a screenshot will do).
    app.type_into("sale-total", "12.00").await;
    app.type_code(&code).await;
    app.wait_text("scan-error", "belongs to sale 1").await;
    assert_eq!(app.text("voucher-value").await, "S$0.00");
    assert_eq!(app.text("balance-due").await, "S$12.00");
    assert_eq!(app.text("sale-vouchers").await, "");
    app.screenshot("checkout-other-sale.png").await;
    app.close().await;
}

/// Sets the receipt printer through the headless terminal, before the app opens the
/// same database (Manager → Settings → Receipt printer writes the same setting).
fn use_printer(dir: &Path, setting: &str) {
    let ok = Command::new(bin("voucher-pos"))
        .args([
            "--db",
            &dir.join("terminal.db").display().to_string(),
            "printer",
            "--set",
            setting,
            "--auto-print",
            "on",
        ])
        .stdout(Stdio::null())
        .status()
        .unwrap()
        .success();
    assert!(ok, "could not set the printer");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_sale_closed_with_auto_print_prints_its_receipt_and_the_z_report_prints_too() {
    let _one = ONE_AT_A_TIME.lock().await;
    let dir = tempfile::tempdir().unwrap();
    let sandbox = Sandbox::start(dir.path());
    let printer = FakePrinter::start(Behaviour::Prints);
    use_printer(dir.path(), &printer.setting());
    let app = App::start(&sandbox, dir.path(), None).await;
    app.type_into("sale-total", "10.00").await;
    let code = sandbox.voucher_like(json!({"count": 3, "value": 500})).await;
    app.scan(&code).await;
    app.type_code("").await;
    app.wait_text("intent-status", "Redeemed").await;
    app.wait_text("forfeited", "S$5.00").await;
    app.click("next-customer").await;
    // The receipt reaches the printer as ESC/POS bytes, with what RSG asks of it.
    app.wait_text("print-status", "Sale 1 printed.").await;
    let printed = printer.wait_for_receipts(1, Duration::from_secs(20));
    let receipt = String::from_utf8_lossy(&printed[0]).to_string();
    assert!(receipt.starts_with("\u{1b}@"), "initialised first: {receipt:?}");
    let tx = sandbox.ledger().await[0]["transaction_id"].as_str().unwrap().to_string();
    for needle in [
        "Sale total (incl. tax)",
        "S$10.00",
        "S$15.00",
        "Forfeited",
        "S$5.00",
        "Balance due",
        tx.as_str(),
        "Vouchers were used in this sale.",
    ] {
        assert!(receipt.contains(needle), "the receipt lacks {needle:?}: {receipt}");
    }
    // Print receipt again: the same sale, marked COPY.
    app.click("print-receipt").await;
    app.wait_text("print-status", "Sale 1 printed (copy).").await;
    let printed = printer.wait_for_receipts(2, Duration::from_secs(20));
    assert!(String::from_utf8_lossy(&printed[1]).contains("COPY - NOT THE ORIGINAL"));
    app.unlock_manager("482615").await;
    app.click("eod-build").await;
    app.wait_text("eod-total", "S$15.00 for 1 redemption at").await;
    assert!(app.text("eod-findings").await.contains("agree"), "{}", app.text("eod-findings").await);
    app.click("eod-print").await;
    app.wait_text("eod-error", "printed").await;
    let printed = printer.wait_for_receipts(3, Duration::from_secs(20));
    let z = String::from_utf8_lossy(&printed[2]);
    assert!(z.contains("END OF DAY (Z) REPORT") && z.contains("1 redemption ") && z.contains("S$15.00"), "{z}");
    app.client.execute("document.getElementById('eod').scrollIntoView()", vec![]).await.unwrap();
    app.screenshot("end-of-day.png").await;
    app.close().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_dead_printer_leaves_the_redemption_untouched_and_says_the_receipt_waits_for_a_reprint() {
    let _one = ONE_AT_A_TIME.lock().await;
    let dir = tempfile::tempdir().unwrap();
    let sandbox = Sandbox::start(dir.path());
    use_printer(dir.path(), &format!("network:{}", refusing_address()));
    let app = App::start(&sandbox, dir.path(), None).await;
    let code = sandbox.voucher(2).await;
    app.scan(&code).await;
    app.type_code("").await;
    app.wait_text("intent-status", "Redeemed").await;
    app.click("next-customer").await;
    app.wait_text("print-status", "The receipt did not print").await;
    assert!(app.text("print-status").await.contains("refused the connection"), "{}", app.text("print-status").await);
    // The sale closed and the till takes the next customer; the voucher was redeemed once.
    assert_eq!(app.text("sale-number").await, "");
    assert_eq!(sandbox.requests().await, 1, "the printer's failure repeated nothing");
    assert_eq!(sandbox.ledger().await.len(), 1);
    let next = sandbox.voucher(1).await;
    app.scan(&next).await;
    app.type_code("").await;
    app.wait_text("intent-status", "Redeemed").await;
    app.screenshot("checkout-printer-dead.png").await;
    app.close().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_manager_saves_a_diagnostics_archive_without_the_api_key_in_it() {
    let _one = ONE_AT_A_TIME.lock().await;
    let dir = tempfile::tempdir().unwrap();
    let sandbox = Sandbox::start(dir.path());
    let app = App::start(&sandbox, dir.path(), None).await;
    let code = sandbox.voucher(2).await;
    app.scan(&code).await;
    app.type_code("").await;
    app.wait_text("intent-status", "Redeemed").await;
    app.unlock_manager("482615").await;
    let elsewhere = tempfile::tempdir().unwrap();
    let out = elsewhere.path().join("diag.tar");
    app.click("save-diagnostics").await;
    save_in_dialog(&app.desktop.display, "Save diagnostics for support", &out);
    app.wait_text("settings-result", "Diagnostics saved").await;
    let bytes = std::fs::read(&out).unwrap();
    assert!(bytes.starts_with(b"summary.json"), "a tar archive whose first file is the summary");
    let text = String::from_utf8_lossy(&bytes);
    assert!(text.contains("\"redeemed\": 1") && text.contains("redeem attempt"), "the summary and the log are in it");
    assert!(!text.contains("test_sandbox") && !text.contains(&code), "no API key and no voucher code");
    app.close().await;
}

/// The X window titled exactly `title`, if there is one.
fn window_named(display: &str, title: &str) -> Option<String> {
    let out = Command::new("xdotool")
        .args(["search", "--onlyvisible", "--name", &format!("^{title}$")])
        .env("DISPLAY", display)
        .output()
        .unwrap();
    String::from_utf8_lossy(&out.stdout).lines().next().map(str::to_string)
}

/// The name of the window that has the keyboard.
fn focused_window_name(display: &str) -> String {
    let out =
        Command::new("xdotool").args(["getwindowfocus", "getwindowname"]).env("DISPLAY", display).output().unwrap();
    String::from_utf8_lossy(&out.stdout).trim().to_string()
}

/// What a window manager sends on Alt+F4 or its close button: a `WM_DELETE_WINDOW`
/// request to the window (there is no window manager under Xvfb to send it).
fn ask_window_to_close(display: &str, window: &str) {
    use x11_dl::xlib;
    let x = xlib::Xlib::open().expect("libX11");
    let window: xlib::Window = window.parse().unwrap();
    let name = std::ffi::CString::new(display).unwrap();
    unsafe {
        let d = (x.XOpenDisplay)(name.as_ptr());
        assert!(!d.is_null(), "cannot open display {display}");
        let protocols = (x.XInternAtom)(d, c"WM_PROTOCOLS".as_ptr(), 0);
        let delete = (x.XInternAtom)(d, c"WM_DELETE_WINDOW".as_ptr(), 0);
        let mut data = xlib::ClientMessageData::new();
        data.set_long(0, delete as std::os::raw::c_long);
        data.set_long(1, xlib::CurrentTime as std::os::raw::c_long);
        let mut event = xlib::XEvent {
            client_message: xlib::XClientMessageEvent {
                type_: xlib::ClientMessage,
                serial: 0,
                send_event: xlib::True,
                display: d,
                window,
                message_type: protocols,
                format: 32,
                data,
            },
        };
        assert_ne!((x.XSendEvent)(d, window, xlib::False, xlib::NoEventMask, &mut event), 0);
        (x.XFlush)(d);
        (x.XCloseDisplay)(d);
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_second_launch_brings_the_running_window_to_the_front_and_exits_0() {
    let _one = ONE_AT_A_TIME.lock().await;
    let dir = tempfile::tempdir().unwrap();
    let sandbox = Sandbox::start(dir.path());
    let app = App::start(&sandbox, dir.path(), None).await;
    let display = app.desktop.display.clone();
    // Another program has the keyboard.
    let _other = desktop::spawn_group(
        Command::new("xmessage").args(["-title", "another program", "another program"]).env("DISPLAY", &display),
    );
    focus_window(&display, "another program");
    assert_eq!(focused_window_name(&display), "another program");
    // The cashier starts the terminal again (same database).
    let mut second = Command::new(bin("voucher-pos-app"))
        .args([
            "--db",
            &dir.path().join("terminal.db").display().to_string(),
            "--service",
            &sandbox.url,
            "--api-key",
            "test_sandbox",
        ])
        .env("DISPLAY", &display)
        .stderr(Stdio::piped())
        .process_group(0)
        .spawn()
        .unwrap();
    let deadline = Instant::now() + Duration::from_secs(20);
    let status = loop {
        if let Some(s) = second.try_wait().unwrap() {
            break s;
        }
        assert!(Instant::now() < deadline, "the second launch did not exit");
        tokio::time::sleep(Duration::from_millis(50)).await;
    };
    let mut said = String::new();
    std::io::Read::read_to_string(&mut second.stderr.take().unwrap(), &mut said).unwrap();
    assert!(status.success(), "the second launch must exit 0: {status} {said}");
    assert!(said.contains("already running"), "{said}");
    let deadline = Instant::now() + Duration::from_secs(10);
    while focused_window_name(&display) != "Voucher POS" {
        assert!(
            Instant::now() < deadline,
            "the running window never got the keyboard; {:?} has it",
            focused_window_name(&display)
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    // Still the one terminal, still working.
    let code = sandbox.voucher(1).await;
    app.scan(&code).await;
    app.close().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn in_till_mode_the_window_fills_the_screen_and_closing_it_needs_the_manager_pin() {
    let _one = ONE_AT_A_TIME.lock().await;
    let dir = tempfile::tempdir().unwrap();
    let sandbox = Sandbox::start(dir.path());
    let db = dir.path().join("terminal.db");
    let args = vec![
        "--db".to_string(),
        db.display().to_string(),
        "--service".into(),
        sandbox.url.clone(),
        "--api-key".into(),
        "test_sandbox".into(),
        "--till".into(),
    ];
    let app = App::start_with(args, "true").await;
    let display = app.desktop.display.clone();
    app.unlock_manager("482615").await;
    assert!(app.visible("close-terminal").await, "till mode offers the manager a way to close");
    let window = window_named(&display, "Voucher POS").expect("the terminal's window");
    let screen = xdotool(&display, &["getdisplaygeometry"]).replace(' ', "x");
    app.wait_for("the window to fill the screen", |_| {
        let (display, window, screen) = (display.clone(), window.clone(), screen.clone());
        async move { xdotool(&display, &["getwindowgeometry", &window]).contains(&format!("Geometry: {screen}")) }
    })
    .await;
    // The desktop's close only asks.
    ask_window_to_close(&display, &window);
    app.wait_for("the close dialog", |app| async move { app.visible("close-pin").await }).await;
    app.type_into("close-pin", "1111").await;
    app.click("close-submit").await;
    app.wait_text("close-error", "not right").await;
    assert!(window_named(&display, "Voucher POS").is_some(), "a wrong PIN keeps the terminal open");
    app.type_into("close-pin", "482615").await;
    app.click("close-submit").await;
    let deadline = Instant::now() + Duration::from_secs(20);
    while window_named(&display, "Voucher POS").is_some() {
        assert!(Instant::now() < deadline, "the right PIN did not close the terminal");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    let _ = app.client.close().await;
    // The closing is in the terminal's history.
    let store =
        voucher_pos::store::Store::open(&db, std::sync::Arc::new(voucher_pos::platform::clock::SystemClock)).unwrap();
    let events: Vec<String> =
        voucher_pos::checkout::access::audit::recent(&store, 5).unwrap().into_iter().map(|e| e.event).collect();
    assert_eq!(events.first().map(String::as_str), Some("terminal_closed"), "{events:?}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_manager_archives_final_intents_past_the_retention_and_they_leave_the_log() {
    let _one = ONE_AT_A_TIME.lock().await;
    let dir = tempfile::tempdir().unwrap();
    let sandbox = Sandbox::start(dir.path());
    // Two vouchers withdrawn 500 days ago, on this terminal's database.
    {
        use voucher_pos::domain::intent::IntentState;
        // In this boot: the terminal's steady time (which a date set forward cannot
        // move) has seen the 500 days pass too.
        let then = voucher_pos::platform::clock::ManualClock::in_this_boot(
            std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap().as_millis() as i64
                - 500 * 86_400_000,
        );
        let store = voucher_pos::store::Store::open(dir.path().join("terminal.db"), then).unwrap();
        let sale = voucher_pos::domain::intent::SaleContext {
            terminal_id: "T01".into(),
            branch_code: "B001".into(),
            cashier_id: "c001".into(),
            ..Default::default()
        };
        for code in ["rsg:v_longago1", "rsg:v_longago2"] {
            let id =
                store.scan(&voucher_pos::domain::voucher::parse(code).unwrap(), &sale).unwrap().intent().id.clone();
            store
                .transition(
                    &id,
                    IntentState::Scanned,
                    IntentState::Cancelled,
                    "cashier:c001",
                    Some("withdrawn"),
                    None,
                    |_| {},
                )
                .unwrap();
        }
    }
    let app = App::start(&sandbox, dir.path(), None).await;
    let code = sandbox.voucher(1).await;
    app.scan(&code).await;
    app.unlock_manager("482615").await;
    let rows = |app: &App| {
        let js = "return document.querySelectorAll('[data-testid=manager-log] tbody tr').length";
        let app = app.client.clone();
        async move { app.execute(js, vec![]).await.unwrap().as_u64().unwrap() }
    };
    app.wait_for("the log with three intents", |app| {
        let n = rows(app);
        async move { n.await == 3 }
    })
    .await;
    let elsewhere = tempfile::tempdir().unwrap();
    let out = elsewhere.path().join("archive.csv");
    app.click("archive-old").await;
    save_in_dialog(&app.desktop.display, "Archive old intents", &out);
    app.wait_text("settings-result", "Archived 2 final intents").await;
    let csv = std::fs::read_to_string(&out).unwrap();
    assert!(csv.contains("v_longago1") && csv.contains("v_longago2") && !csv.contains(&code), "{csv}");
    // Gone from the log; today's scan is still there.
    app.client.execute("document.querySelector('#log-filter button[type=submit]').click()", vec![]).await.unwrap();
    app.wait_for("the log with today's intent only", |app| {
        let n = rows(app);
        async move { n.await == 1 }
    })
    .await;
    app.close().await;
}

/// All of the app's log files, one string.
fn app_logs(dir: &Path) -> String {
    std::fs::read_dir(dir.join("logs"))
        .expect("the app writes logs/ beside its database")
        .filter_map(|e| e.ok())
        .map(|e| std::fs::read_to_string(e.path()).unwrap_or_default())
        .collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_log_level_setting_takes_effect_at_once() {
    let _one = ONE_AT_A_TIME.lock().await;
    let dir = tempfile::tempdir().unwrap();
    let sandbox = Sandbox::start(dir.path());
    let app = App::start(&sandbox, dir.path(), None).await;
    app.unlock_manager("482615").await;
    app.save_settings_with("document.getElementById('s-loglevel').value = 'warn'").await;
    let redeem = |count: usize| {
        let (app, sandbox) = (&app, &sandbox);
        async move {
            let code = sandbox.voucher(count).await;
            app.click("checkout-button").await;
            app.scan(&code).await;
            app.type_code("").await;
            app.wait_text("intent-status", "Redeemed").await;
        }
    };
    redeem(1).await;
    let logs = app_logs(dir.path());
    assert!(logs.contains("Database migrated"), "info lines from before the change are there:\n{logs}");
    assert!(!logs.contains("redeem attempt"), "at warn, a redemption's info lines are not written:\n{logs}");
    app.unlock_manager("482615").await;
    app.save_settings_with("document.getElementById('s-loglevel').value = 'info'").await;
    redeem(2).await;
    assert!(app_logs(dir.path()).contains("redeem attempt"), "back at info, they are");
    app.close().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn start_on_login_writes_an_autostart_entry_for_this_app_and_database_and_removes_it() {
    let _one = ONE_AT_A_TIME.lock().await;
    let dir = tempfile::tempdir().unwrap();
    let config = dir.path().join("config");
    let sandbox = Sandbox::start(dir.path());
    let db = dir.path().join("terminal.db");
    let args = vec![
        "--db".to_string(),
        db.display().to_string(),
        "--service".into(),
        sandbox.url.clone(),
        "--api-key".into(),
        "test_sandbox".into(),
    ];
    let app = App::start_in(Desktop::start_with_env(&[("XDG_CONFIG_HOME", &config)]), args, "true").await;
    app.unlock_manager("482615").await;
    app.save_settings_with("document.getElementById('s-autostart').checked = true").await;
    let entry = std::fs::read_to_string(config.join("autostart/voucher-pos.desktop")).expect("the autostart entry");
    let exec = entry.lines().find_map(|l| l.strip_prefix("Exec=")).unwrap();
    assert_eq!(exec, format!("{} --db {}", bin("voucher-pos-app").display(), db.display()), "{entry}");
    app.save_settings_with("document.getElementById('s-autostart').checked = false").await;
    assert!(!config.join("autostart/voucher-pos.desktop").exists(), "turning it off removes the entry");
    app.close().await;
}

/// Issue 23: an API key given in the environment is read, then removed from it, so
/// the web and network processes WebKit starts never inherit it.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_api_key_from_the_environment_never_reaches_webkits_processes() {
    let _one = ONE_AT_A_TIME.lock().await;
    let dir = tempfile::tempdir().unwrap();
    let sandbox = Sandbox::start(dir.path());
    // Marks this test's processes apart from any other on the machine.
    let mark = dir.path().join("mark");
    let args = vec![
        "--db".to_string(),
        dir.path().join("terminal.db").display().to_string(),
        "--service".into(),
        sandbox.url.clone(),
    ];
    let env = [("VOUCHER_POS_API_KEY", Path::new("test_sandbox")), ("VOUCHER_POS_TEST_MARK", mark.as_path())];
    let app = App::start_in(Desktop::start_with_env(&env), args, "true").await;
    // The key was taken from the environment: a voucher redeems with it.
    let code = sandbox.voucher(1).await;
    app.scan(&code).await;
    app.type_code("").await;
    app.wait_text("intent-status", "Redeemed").await;
    let marker = format!("VOUCHER_POS_TEST_MARK={}", mark.display());
    let mut marked = Vec::new();
    for entry in std::fs::read_dir("/proc").unwrap().flatten() {
        let Ok(environ) = std::fs::read(entry.path().join("environ")) else { continue };
        let vars: Vec<String> = environ.split(|b| *b == 0).map(|v| String::from_utf8_lossy(v).into_owned()).collect();
        if vars.contains(&marker) {
            let comm = std::fs::read_to_string(entry.path().join("comm")).unwrap_or_default().trim().to_string();
            marked.push((comm, vars.iter().any(|v| v.starts_with("VOUCHER_POS_API_KEY="))));
        }
    }
    // The web and network processes the app starts (not the WebDriver that started
    // the app, which was given the key as the app was).
    let webkit: Vec<_> =
        marked.iter().filter(|(comm, _)| comm.starts_with("WebKit") && comm != "WebKitWebDriver").collect();
    assert!(!webkit.is_empty(), "no WebKit process found among {marked:?}");
    assert!(webkit.iter().all(|(_, has_key)| !has_key), "a WebKit process inherited the key: {marked:?}");
    app.close().await;
}

/// The screens a till comes with.
const TILL_SIZES: [(u32, u32); 2] = [(1024, 768), (1366, 768)];

/// At each till size, `needed` (test ids) lies wholly inside the window, the page does
/// not scroll, and every button and field the cashier can touch is at least 44 px
/// each way. Saves a picture of the state at 1024x768.
async fn fits(app: &App, state: &str, needed: &[&str]) {
    for (w, h) in TILL_SIZES {
        app.client.set_window_size(w, h).await.unwrap();
        app.wait_for(&format!("the window at {w}x{h}"), |app| async move {
            app.client.execute("return [innerWidth, innerHeight]", vec![]).await.unwrap() == json!([w, h])
        })
        .await;
        let js = r#"
            const [needed, vw, vh] = [arguments[0], innerWidth, innerHeight];
            const out = [];
            const page = document.documentElement;
            if (page.scrollHeight > vh + 1 || page.scrollWidth > vw + 1) out.push(`the page scrolls: ${page.scrollWidth}x${page.scrollHeight}`);
            for (const id of needed) {
              const e = [...document.querySelectorAll(`[data-testid=${id}]`)].find((e) => e.getClientRects().length);
              if (!e) { out.push(`${id} is not shown`); continue; }
              const r = e.getBoundingClientRect();
              if (r.top < 0 || r.left < 0 || r.bottom > vh + 1 || r.right > vw + 1) out.push(`${id} lies outside the window (${Math.round(r.left)},${Math.round(r.top)} to ${Math.round(r.right)},${Math.round(r.bottom)})`);
            }
            for (const e of document.querySelectorAll('main:not([hidden]) button, main:not([hidden]) input, dialog[open] button, dialog[open] input')) {
              const r = e.getBoundingClientRect();
              if (!e.getClientRects().length || getComputedStyle(e).visibility === 'hidden') continue;
              if (r.height < 44 || r.width < 44) out.push(`${e.id || e.dataset.testid || e.textContent}: ${Math.round(r.width)}x${Math.round(r.height)} px, under 44`);
            }
            return out;"#;
        let problems = app.client.execute(js, vec![json!(needed)]).await.unwrap();
        assert_eq!(problems, json!([]), "{state} at {w}x{h}");
        if w == 1024 {
            app.screenshot(&format!("checkout-{state}.png")).await;
        }
    }
}

/// What every checkout state shows: the total, the vouchers, the outcome, the buttons.
const SALE: [&str; 8] = [
    "code-input",
    "sale-total",
    "sale-vouchers",
    "balance-due",
    "intent-status",
    "redeem-button",
    "next-customer",
    "print-receipt",
];

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_checkout_state_fits_one_screen_at_1024x768_and_1366x768_with_44_px_targets() {
    let _one = ONE_AT_A_TIME.lock().await;
    let dir = tempfile::tempdir().unwrap();
    let sandbox = Sandbox::start(dir.path());
    allow_unconfirmed_vouchers(dir.path());
    let app = App::start(&sandbox, dir.path(), None).await;
    // No camera on this machine: its area is folded away, not a black box.
    let camera_area = app.client.execute("return !document.getElementById('preview-box').hidden", vec![]).await;
    assert_eq!(camera_area.unwrap(), json!(false));
    fits(&app, "empty", &SALE).await;

    app.type_into("sale-total", "20.00").await;
    let several = sandbox.voucher(3).await;
    app.scan(&several).await;
    fits(&app, "scanned", &[&SALE[..], &["scanned-summary"]].concat()).await;

    // The service takes 6 s to answer (inside the terminal's 7 s request timeout).
    sandbox.faults(json!({"latency_ms": 6000})).await;
    app.type_code("").await;
    app.wait_text("intent-status", "Sending").await;
    fits(&app, "sending", &SALE).await;
    assert_eq!(app.text("intent-status").await, "Sending…", "the check ran while sending");
    app.wait_text("intent-status", "Redeemed").await;
    sandbox.faults(json!({})).await;
    app.wait_text("balance-due", "S$5.00").await;
    fits(&app, "redeemed", &[&SALE[..], &["forfeited", "voucher-value"]].concat()).await;
    let tone = "return document.documentElement.dataset.tone ?? null";
    assert_eq!(app.client.execute(tone, vec![]).await.unwrap(), json!("redeemed"), "the answer's tone");

    app.click("next-customer").await;
    let voided = sandbox.voucher_in(1, "voided").await;
    app.scan(&voided).await;
    app.type_code("").await;
    app.wait_text("intent-status", "Refused").await;
    fits(&app, "refused", &SALE).await;
    assert_eq!(app.client.execute(tone, vec![]).await.unwrap(), json!("refused"), "a refusal's own tone");

    app.click("next-customer").await;
    sandbox.faults(json!({"offline": true})).await;
    let offline = sandbox.voucher(1).await;
    app.scan(&offline).await;
    app.type_code("").await;
    app.wait_for("the accept button", |app| async move { app.visible("accept-button").await }).await;
    fits(
        &app,
        "offline",
        &[&SALE[..], &["accept-button", "decline-button", "offline-verdict", "status-message"]].concat(),
    )
    .await;

    app.click("next-customer").await;
    app.wait_for("the resolve dialog", |app| async move { dialog_open(app).await }).await;
    fits(&app, "unresolved", &["resolve-why", "resolve-item", "accept-button", "decline-button", "resolve-back"]).await;
    resolve(&app, "accept-button").await;
    app.wait_for("the dialog to close", |app| async move { !dialog_open(app).await }).await;
    sandbox.faults(json!({})).await;

    let cfhp = sandbox.voucher_like(json!({"count": 1, "value": 2000, "prefix": "rsg-cfhp"})).await;
    app.type_code(&cfhp).await;
    app.wait_for("the receipt and SKU fields", |app| async move { app.visible("skus").await }).await;
    fits(&app, "cfhp", &[&SALE[..], &["receipt-number", "skus", "cfhp-record"]].concat()).await;

    app.set_window(1366, 768).await;
    app.list_cashier_ann().await;
    fits(&app, "signed-out", &["signin-id", "signin-pin", "signin-submit"]).await;
    app.close().await;
}

/// The Latin words English's messages use and `lang`'s do not: on a page in `lang`,
/// any of them is English the message files did not translate.
fn english_only_words(lang: &str) -> Vec<String> {
    let words = |file: &str| -> std::collections::BTreeSet<String> {
        let text =
            std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("../messages").join(file)).unwrap();
        let body: String = text
            .lines()
            .filter(|l| !l.starts_with('#'))
            .map(|l| l.split_once('=').map_or(l, |(_, v)| v))
            .collect::<Vec<_>>()
            .join(" ");
        // Variables are data, not words of the message.
        let body =
            body.split('{').map(|p| p.split_once('}').map_or(p, |(_, after)| after)).collect::<Vec<_>>().join(" ");
        body.split(|c: char| !c.is_ascii_alphabetic()).filter(|w| w.len() >= 3).map(str::to_string).collect()
    };
    let theirs = words(&format!("{lang}.ftl"));
    words("en.ftl").into_iter().filter(|w| !theirs.contains(w)).collect()
}

/// The visible words of the page that are English-only for `lang` (see
/// [`english_only_words`]), outside data marked `translate="no"`. A word is what
/// spaces and punctuation (hyphens too) delimit: `transaction_7c81…`, an id, is not one.
async fn untranslated(app: &App, lang: &str) -> Value {
    let js = r#"
        const english = new Set(arguments[0]);
        const found = new Set();
        const shown = (e) => e && e.getClientRects().length && !e.closest('[translate="no"]');
        const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
        const check = (text) => { for (const w of text.split(/[^A-Za-z0-9_]+/)) if (english.has(w)) found.add(`${w} in "${text.trim().slice(0, 80)}"`); };
        for (let n = walker.nextNode(); n; n = walker.nextNode()) if (shown(n.parentElement)) check(n.textContent);
        for (const e of document.querySelectorAll('[placeholder], [aria-label]')) if (shown(e)) check((e.getAttribute('placeholder') ?? '') + ' ' + (e.getAttribute('aria-label') ?? ''));
        return [...found];"#;
    app.client.execute(js, vec![json!(english_only_words(lang))]).await.unwrap()
}

impl App {
    /// Waits until the checkout's status says the voucher is in `state` (the
    /// language-free way to wait: `data-state`).
    async fn wait_state(&self, state: &str) {
        let js = format!("return document.querySelector('[data-testid=intent-status]').dataset.state === '{state}'");
        self.wait_for(&format!("the voucher to be {state}"), |app| {
            let js = js.clone();
            async move { app.client.execute(&js, vec![]).await.unwrap() == json!(true) }
        })
        .await;
    }
}

/// Issue 22: `--lang` puts the window in Chinese, Malay or Tamil: the checkout with a
/// redeemed voucher and the manager's review inbox carry no English the message
/// files did not translate (data aside: codes, ids, the service's own message), and
/// the pictures in the README come from here.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn each_language_shows_the_checkout_and_the_review_inbox_in_its_own_words() {
    let _one = ONE_AT_A_TIME.lock().await;
    for (lang, tag, redeem) in [("zh", "zh-Hans-SG", "兑换"), ("ms", "ms-SG", "Tebus"), ("ta", "ta-SG", "மீட்டெடு")]
    {
        let dir = tempfile::tempdir().unwrap();
        let sandbox = Sandbox::start(dir.path());
        allow_unconfirmed_vouchers(dir.path());
        let good = sandbox.voucher(1).await;
        let voided = sandbox.voucher_in(1, "voided").await;
        let db = dir.path().join("terminal.db").display().to_string();
        let args = ["--db", &db, "--service", &sandbox.url, "--api-key", "test_sandbox", "--lang", lang];
        let app = App::start_with(args.iter().map(|s| s.to_string()).collect(), "true").await;
        assert_eq!(app.client.execute("return document.documentElement.lang", vec![]).await.unwrap(), json!(tag));
        assert!(app.text("redeem-button").await.contains(redeem), "{lang}: {}", app.text("redeem-button").await);

        app.type_into("sale-total", "20.00").await;
        app.type_code(&good).await;
        app.wait_state("scanned").await;
        app.type_code("").await;
        app.wait_state("redeemed").await;
        app.wait_text("balance-due", "S$15.00").await;
        assert_eq!(untranslated(&app, lang).await, json!([]), "{lang}: English on the checkout");
        app.screenshot(&format!("checkout-{lang}.png")).await;
        // Longer words (Tamil's most of all) still fit the till's screen.
        fits(&app, &format!("redeemed-{lang}"), &[&SALE[..], &["forfeited", "voucher-value"]].concat()).await;
        app.set_window(1280, 820).await;
        // The core's error for a code that is not a voucher, in the window's language.
        app.type_code("https://example.com/v").await;
        app.wait_for("the scan's error", |app| async move { !app.text("scan-error").await.is_empty() }).await;
        assert_eq!(untranslated(&app, lang).await, json!([]), "{lang}: an English error");

        // A voucher accepted offline that the service then refuses: the inbox's item.
        app.click("next-customer").await;
        sandbox.faults(json!({"offline": true})).await;
        app.type_code(&voided).await;
        app.wait_state("scanned").await;
        app.type_code("").await;
        app.wait_for("the accept button", |app| async move { app.visible("accept-button").await }).await;
        assert_eq!(untranslated(&app, lang).await, json!([]), "{lang}: English while offline");
        app.click("accept-button").await;
        sandbox.faults(json!({})).await;
        app.wait_text("review-count", "1").await;
        app.unlock_manager("482615").await;
        app.wait_for("the review item", |app| async move { app.visible("review-item").await }).await;
        let inbox = app.text("review-inbox").await;
        assert!(inbox.contains("One or more vouchers have been voided."), "{lang}: the service's own words: {inbox}");
        assert_eq!(untranslated(&app, lang).await, json!([]), "{lang}: English in the manager's screens");
        app.screenshot(&format!("review-inbox-{lang}.png")).await;
        app.close().await;
    }
}

/// Issue 22: a cashier chooses their language on the sign-in form; it holds while
/// they are signed in and the terminal's own comes back when they sign out.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_cashier_reads_the_till_in_the_language_chosen_at_sign_in_until_signing_out() {
    let _one = ONE_AT_A_TIME.lock().await;
    let dir = tempfile::tempdir().unwrap();
    let sandbox = Sandbox::start(dir.path());
    let app = App::start(&sandbox, dir.path(), None).await;
    app.list_cashier_ann().await;
    let sign_in_title =
        || app.client.execute("return document.querySelector('#cashier-signin h2').textContent", vec![]);
    assert_eq!(sign_in_title().await.unwrap(), json!("Cashier sign-in"));
    app.click("lang-ta").await;
    app.wait_for("the form in Tamil", |app| async move {
        app.client.execute("return document.documentElement.lang", vec![]).await.unwrap() == json!("ta-SG")
    })
    .await;
    assert_eq!(sign_in_title().await.unwrap(), json!("காசாளர் உள்நுழைவு"));
    // The one-time PIN, then Ann's own typed twice.
    app.type_into("signin-id", "ann").await;
    app.type_into("signin-pin", "4826\u{E007}").await;
    app.wait_for("the new-PIN fields", |app| async move { app.visible("signin-new").await }).await;
    app.type_into("signin-pin", "4826").await;
    app.type_into("signin-new", "5173").await;
    app.type_into("signin-again", "5173\u{E007}").await;
    app.wait_text("cashier-id", "ann").await;
    assert_eq!(app.text("next-customer").await, "அடுத்த வாடிக்கையாளர்", "the checkout in the chosen language");
    assert_eq!(untranslated(&app, "ta").await, json!([]));
    app.click("sign-out-button").await;
    app.wait_for("the terminal's own language", |app| async move {
        app.client.execute("return document.documentElement.lang", vec![]).await.unwrap() == json!("en-SG")
    })
    .await;
    assert_eq!(sign_in_title().await.unwrap(), json!("Cashier sign-in"));
    app.close().await;
}

/// Issue 22: Settings' Test connection tries the address and key as typed, before
/// anything is saved: the stored key is accepted; a mistyped one is refused in the
/// service's own words, and is not saved by the test.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn test_connection_in_settings_says_the_service_takes_the_key_and_quotes_its_refusal() {
    let _one = ONE_AT_A_TIME.lock().await;
    let dir = tempfile::tempdir().unwrap();
    let sandbox = Sandbox::start(dir.path());
    let app = App::start(&sandbox, dir.path(), None).await;
    app.unlock_manager("482615").await;
    // This run's service came by flag; the form's field is empty, which means the demo sandbox.
    app.click("test-connection").await;
    app.wait_text("settings-result", "demo sandbox").await;
    let js = format!("document.getElementById('s-service').value = '{}'", sandbox.url);
    app.client.execute(&js, vec![]).await.unwrap();
    app.click("test-connection").await;
    app.wait_text("settings-result", "accepts the API key").await;
    app.client.execute("document.getElementById('s-apikey').value = 'sk_mistyped'", vec![]).await.unwrap();
    app.click("test-connection").await;
    app.wait_text("settings-result", "refused the API key (401): Invalid or missing API key.").await;
    // The test saved nothing: the stored key still works.
    app.client.execute("document.getElementById('s-apikey').value = ''", vec![]).await.unwrap();
    app.click("test-connection").await;
    app.wait_text("settings-result", "accepts the API key").await;
    assert!(sandbox.ledger().await.is_empty(), "a test of the connection redeems nothing");
    app.close().await;
}

/// Issue 22: with the service out of reach, End of day shows no branch report (its
/// list is the record) but says why, and what this terminal itself holds for the
/// day; once the service answers, the report takes its place.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn end_of_day_offline_shows_this_terminals_own_tally_and_says_the_branch_needs_the_service() {
    let _one = ONE_AT_A_TIME.lock().await;
    let dir = tempfile::tempdir().unwrap();
    let sandbox = Sandbox::start(dir.path());
    let app = App::start(&sandbox, dir.path(), None).await;
    let code = sandbox.voucher(1).await;
    app.scan(&code).await;
    app.type_code("").await;
    app.wait_text("intent-status", "Redeemed").await;
    sandbox.faults(json!({"offline": true})).await;
    app.unlock_manager("482615").await;
    app.click("eod-build").await;
    app.wait_for("the own tally", |app| async move { app.visible("own-tally").await }).await;
    assert!(!app.text("eod-error").await.is_empty(), "why there is no report is said");
    let own = app.text("eod-own").await;
    assert!(own.contains("1 voucher redeemed here") && own.contains("S$5.00"), "{own}");
    assert!(own.contains("Cashier c001: 1 for S$5.00") && own.contains("needs the voucher service"), "{own}");
    assert!(!app.visible("eod-total").await, "no branch report without the service's list");
    sandbox.faults(json!({})).await;
    app.click("eod-build").await;
    app.wait_text("eod-total", "S$5.00 for 1 redemption at").await;
    assert!(!app.visible("own-tally").await, "the report replaces the terminal's own count");
    app.close().await;
}
