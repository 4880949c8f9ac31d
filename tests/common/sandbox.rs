//! The sandbox binary as a real process on a free loopback port.

use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};

use serde_json::{json, Value};

/// Where cargo put the workspace's binaries (next to the test executable's `deps/`).
pub fn workspace_bin(name: &str) -> PathBuf {
    let exe = std::env::current_exe().unwrap();
    let dir = exe.parent().and_then(Path::parent).expect("target/<profile>/deps/<test>");
    let bin = dir.join(name);
    assert!(
        bin.exists(),
        "{} is missing: build the workspace first (`cargo build --workspace`; the README's test command does)",
        bin.display()
    );
    bin
}

/// A running sandbox; killed (and waited for) when dropped, also when a test fails.
pub struct Sandbox {
    child: Child,
    pub url: String,
    /// The admin routes' own port: up even while the service is offline.
    pub admin: String,
    pub db: PathBuf,
    args: Vec<String>,
    http: reqwest::Client,
    _dir: Option<tempfile::TempDir>,
}

impl Sandbox {
    /// Starts with a fresh database and `extra` arguments.
    pub fn start(extra: &[&str]) -> Sandbox {
        let dir = tempfile::tempdir().unwrap();
        let db = dir.path().join("sandbox.db");
        let mut s = Self::start_on(&db, "127.0.0.1:0", extra);
        s._dir = Some(dir);
        s
    }

    pub fn start_on(db: &Path, listen: &str, extra: &[&str]) -> Sandbox {
        let args: Vec<String> = extra.iter().map(|s| s.to_string()).collect();
        let (child, url, admin) = spawn(db, listen, &args);
        Sandbox { child, url, admin, db: db.to_path_buf(), args, http: reqwest::Client::new(), _dir: None }
    }

    /// SIGKILLs the process and starts it again on the same database and port.
    pub fn kill_and_restart(&mut self) {
        self.child.kill().unwrap();
        self.child.wait().unwrap();
        let addr = self.url.trim_start_matches("http://").to_string();
        let (child, url, admin) = spawn(&self.db, &addr, &self.args);
        self.child = child;
        self.url = url;
        self.admin = admin;
    }

    pub async fn vouchers(&self, count: usize, value: i64, state: &str) -> (String, Vec<String>) {
        let v: Value = self
            .http
            .post(format!("{}/_sandbox/vouchers", self.admin))
            .json(&json!({"count": count, "value": value, "state": state}))
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        let ids = v["voucher_ids"].as_array().unwrap().iter().map(|x| x.as_str().unwrap().to_string()).collect();
        (v["qr"].as_str().unwrap().to_string(), ids)
    }

    pub async fn faults(&self, faults: Value) {
        let r = self.http.put(format!("{}/_sandbox/faults", self.admin)).json(&faults).send().await.unwrap();
        assert!(r.status().is_success(), "fault settings refused: {}", r.text().await.unwrap());
    }

    pub async fn ledger(&self) -> Vec<Value> {
        let v: Value =
            self.http.get(format!("{}/_sandbox/ledger", self.admin)).send().await.unwrap().json().await.unwrap();
        v["data"].as_array().unwrap().clone()
    }

    /// Ends the campaign of (`expired`) or voids (`voided`) these vouchers mid-story.
    pub async fn set_state(&self, ids: &[String], state: &str) {
        let r = self
            .http
            .post(format!("{}/_sandbox/vouchers/state", self.admin))
            .json(&json!({"voucher_ids": ids, "state": state}))
            .send()
            .await
            .unwrap();
        assert!(r.status().is_success(), "state change refused: {}", r.text().await.unwrap());
    }

    /// Redeem requests that reached the service (past the fault layer) with this key.
    /// Prunes every idempotency key now, as the service does after its window.
    pub async fn prune_keys(&self) {
        let r = self.http.post(format!("{}/_sandbox/keys/prune", self.admin)).send().await.unwrap();
        assert!(r.status().is_success(), "prune refused: {}", r.text().await.unwrap());
    }

    pub async fn requests_with_key(&self, idempotency_key: &str) -> u64 {
        let v: Value =
            self.http.get(format!("{}/_sandbox/requests", self.admin)).send().await.unwrap().json().await.unwrap();
        v["by_idempotency_key"][idempotency_key].as_u64().unwrap_or(0)
    }

    pub async fn redeem_requests(&self) -> u64 {
        let v: Value =
            self.http.get(format!("{}/_sandbox/requests", self.admin)).send().await.unwrap().json().await.unwrap();
        v["redeem_requests"].as_u64().unwrap()
    }
}

fn spawn(db: &Path, listen: &str, args: &[String]) -> (Child, String, String) {
    let mut child = Command::new(workspace_bin("voucher-sandbox"))
        .args(["--listen", listen, "--db"])
        .arg(db)
        .args(args)
        .stdout(Stdio::piped())
        .stderr(Stdio::inherit())
        .spawn()
        .expect("start voucher-sandbox");
    let mut lines = BufReader::new(child.stdout.take().unwrap()).lines();
    let mut admin = String::new();
    let url = loop {
        match lines.next() {
            Some(Ok(l)) => {
                if let Some(u) = l.strip_prefix("admin on ") {
                    admin = u.to_string();
                }
                if let Some(u) = l.strip_prefix("listening on ") {
                    break u.to_string();
                }
            }
            _ => {
                let _ = child.kill();
                panic!("voucher-sandbox exited before listening");
            }
        }
    };
    std::thread::spawn(move || for _ in lines {});
    (child, url, admin)
}

impl Drop for Sandbox {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}
