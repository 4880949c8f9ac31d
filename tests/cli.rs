//! The headless terminal's exit codes, which scripts switch on (README table): run as
//! real processes against the sandbox binary.

mod common;

use std::io::Write;
use std::process::{Output, Stdio};

use common::sandbox::Sandbox;
use common::session::{pos, voucher_pos, Session};
use serde_json::json;

/// Runs `voucher-pos session` with these input lines; returns what it answered.
fn session(db: &std::path::Path, s: &Sandbox, lines: &[&str]) -> String {
    let mut child = voucher_pos(db, &s.url)
        .arg("session")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()
        .expect("start voucher-pos session");
    let mut stdin = child.stdin.take().unwrap();
    for l in lines {
        writeln!(stdin, "{l}").unwrap();
    }
    drop(stdin); // the session ends at the end of its input
    String::from_utf8_lossy(&child.wait_with_output().unwrap().stdout).trim().to_string()
}

fn stdout(o: &Output) -> String {
    String::from_utf8_lossy(&o.stdout).trim().to_string()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sync_until_idle_exits_4_when_intents_wait_for_a_manager() {
    let s = Sandbox::start(&[]);
    let (qr, _) = s.vouchers(1, 500, "active").await;
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("t.db");
    let id = stdout(&pos(&db, &s, &["scan", &qr]));
    assert_eq!(pos(&db, &s, &["redeem", &id]).status.code(), Some(0));
    // The reply is lost after the service committed, and the transactions list fails:
    // nothing can settle it, so after a bounded number of reads a manager must.
    s.faults(json!({"drop_after_commit_rate": 1.0, "transactions_error_rate": 1.0})).await;
    let out = pos(
        &db,
        &s,
        &[
            "--key-window",
            "200ms",
            "--key-window-margin",
            "0ms",
            "--backoff-cap",
            "100ms",
            "--request-timeout",
            "1s",
            "sync",
            "--until-idle",
            "--max-wait",
            "60s",
        ],
    );
    assert_eq!(out.status.code(), Some(4), "{}", stdout(&out));
    assert_eq!(stdout(&out), "pending=0 needs_review=1");
    assert_eq!(pos(&db, &s, &["show", &id]).status.code(), Some(4));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_declined_intent_exits_6_not_refused_by_the_service() {
    let s = Sandbox::start(&[]);
    let (qr, _) = s.vouchers(1, 500, "active").await;
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("t.db");
    let scanned = session(&db, &s, &[&format!("scan {qr}")]);
    let id = scanned.split(' ').nth(2).expect("ok scanned ID ...").to_string();
    let answer = session(&db, &s, &[&format!("decline {id}")]);
    assert!(answer.starts_with(&format!("ok declined {id} cancelled")), "{answer}");
    let show = pos(&db, &s, &["show", &id]);
    assert_eq!(show.status.code(), Some(6), "declined is not refused (2): {}", stdout(&show));
    assert_eq!(s.redeem_requests().await, 0);
}

#[test]
fn a_plain_http_service_off_this_machine_is_refused_before_the_key_is_sent() {
    let dir = tempfile::tempdir().unwrap();
    let out = voucher_pos(&dir.path().join("t.db"), "http://vouchers.example.com")
        .args(["sync", "--until-idle"])
        .env("VOUCHER_POS_API_KEY", "live_s3cret")
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("https://"), "{err}");
    assert!(!err.contains("s3cret"), "the key never reaches the message: {err}");
}

#[test]
fn every_command_refuses_a_plain_http_service_off_this_machine_before_it_opens_anything() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("t.db");
    for args in [&["scan", "rsg:v_abc"][..], &["log"][..], &["sales"][..], &["backup"][..]] {
        let out = voucher_pos(&db, "http://vouchers.example.com").args(args).output().unwrap();
        assert_eq!(out.status.code(), Some(1), "{args:?}");
        assert!(
            String::from_utf8_lossy(&out.stderr).contains("https://"),
            "{args:?}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
    }
    assert!(!db.exists(), "nothing was opened or written");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_session_closes_a_sale_only_when_settled_and_refuses_a_voucher_held_by_another_sale() {
    let s = Sandbox::start(&[]);
    let (qr, _) = s.vouchers(1, 500, "active").await;
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("t.db");
    let ok = pos(
        &db,
        &s,
        &[
            "policy",
            "--set",
            r#"{"accept_offline":true,"max_pending":10,"max_pending_age_s":3600,"max_vouchers_per_code":15}"#,
        ],
    );
    assert!(ok.status.success());
    s.faults(json!({"offline": true})).await;
    let mut t = Session::start(&db, &s, &[]);
    // A scan with no open sale opens one.
    let scanned = t.say(&format!("scan {qr}"));
    let f: Vec<&str> = scanned.split(' ').collect();
    assert_eq!(&f[..2], ["ok", "scanned"], "{scanned}");
    let (id, sale) = (f[2].to_string(), f[5].to_string());
    let sent = t.say("redeem");
    assert_eq!(sent, format!("ok sent {sale} {id}"));
    // Pressed, no answer from the service or the cashier: the sale stays open.
    let refused = t.say("close");
    assert!(refused.starts_with("err sale_unresolved ") && refused.contains("rsg:"), "{refused}");
    assert_eq!(t.say(&format!("accept {id}")), format!("ok accepted {id}"));
    assert_eq!(t.say("close"), format!("ok closed {sale}"));
    // The same code in the next sale: refused in words, and it joins nothing.
    let again = t.say(&format!("scan {qr}"));
    assert!(again.starts_with("err voucher_in_other_sale ") && again.contains("sale 1"), "{again}");
    assert_eq!(t.say("close"), "ok closed -", "no sale was opened by the refused scan");
    drop(t);
    let sales: serde_json::Value = serde_json::from_str(&stdout(&pos(&db, &s, &["sales"]))).unwrap();
    assert_eq!(sales.as_array().unwrap().len(), 1, "{sales}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn exit_2_is_a_refusal_or_not_a_voucher_code_3_a_wait_that_ran_out_and_5_a_code_redeemed_here() {
    let s = Sandbox::start(&[]);
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("t.db");
    // 2: not a voucher code, refused before anything is written.
    let out = pos(&db, &s, &["scan", "https://example.com/not-a-voucher"]);
    assert_eq!(out.status.code(), Some(2), "{}", String::from_utf8_lossy(&out.stderr));
    // 2: refused by the service (a voided voucher), its own message on stdout.
    let (voided, _) = s.vouchers(1, 500, "voided").await;
    let id = stdout(&pos(&db, &s, &["scan", &voided]));
    let out = pos(&db, &s, &["redeem", &id, "--wait", "10s"]);
    assert_eq!(out.status.code(), Some(2), "{}", stdout(&out));
    assert!(stdout(&out).starts_with("refused\t"), "{}", stdout(&out));
    // 5: a code already redeemed here; nothing new is created.
    let (qr, _) = s.vouchers(1, 500, "active").await;
    let id = stdout(&pos(&db, &s, &["scan", &qr]));
    assert_eq!(pos(&db, &s, &["redeem", &id, "--wait", "10s"]).status.code(), Some(0));
    let again = pos(&db, &s, &["scan", &qr]);
    assert_eq!(again.status.code(), Some(5), "{}", String::from_utf8_lossy(&again.stderr));
    assert_eq!(stdout(&again), id, "the existing intent, not a new one");
    // 3: still pending when the wait ran out (the service is offline).
    s.faults(json!({"offline": true})).await;
    let (later, _) = s.vouchers(1, 500, "active").await;
    let id = stdout(&pos(&db, &s, &["scan", &later]));
    let out = pos(&db, &s, &["redeem", &id, "--wait", "1s"]);
    assert_eq!(out.status.code(), Some(3), "{}", stdout(&out));
    let out = pos(&db, &s, &["sync", "--until-idle", "--max-wait", "1s"]);
    assert_eq!(out.status.code(), Some(3), "{}", stdout(&out));
}

/// With `HTTP_PROXY` and `ALL_PROXY` set (as a store's network may set them), the API
/// key for this machine's own service must not travel to the proxy in clear text.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_loopback_service_is_reached_directly_never_through_a_proxy() {
    let s = Sandbox::start(&[]);
    let (qr, _) = s.vouchers(1, 500, "active").await;
    // A proxy that keeps what reaches it: any connection waits in its backlog.
    let proxy = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    proxy.set_nonblocking(true).unwrap();
    let proxy_url = format!("http://{}", proxy.local_addr().unwrap());
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("t.db");
    let run = |args: &[&str]| {
        let mut c = voucher_pos(&db, &s.url);
        for var in ["HTTP_PROXY", "http_proxy", "ALL_PROXY", "all_proxy", "HTTPS_PROXY", "https_proxy"] {
            c.env(var, &proxy_url);
        }
        c.env_remove("NO_PROXY").env_remove("no_proxy").args(args).output().unwrap()
    };
    let id = stdout(&run(&["scan", &qr]));
    let redeemed = run(&["redeem", &id, "--wait", "10s"]);
    assert_eq!(redeemed.status.code(), Some(0), "{}", String::from_utf8_lossy(&redeemed.stderr));
    assert!(stdout(&redeemed).starts_with("redeemed"), "{}", stdout(&redeemed));
    match proxy.accept() {
        Err(e) if e.kind() == std::io::ErrorKind::WouldBlock => {}
        other => panic!("a connection reached the proxy: {other:?}"),
    }
}
