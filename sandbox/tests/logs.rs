//! The service's side of an incident: every request is one span with its answer in
//! the sandbox's log, and no request body (voucher codes) or API key is in it.

use std::io::{Read, Write};
use std::sync::{Arc, Mutex};

#[derive(Clone, Default)]
struct Captured(Arc<Mutex<Vec<u8>>>);

impl Write for Captured {
    fn write(&mut self, b: &[u8]) -> std::io::Result<usize> {
        self.0.lock().unwrap().extend_from_slice(b);
        Ok(b.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

/// One HTTP/1.1 request over a plain socket; returns the status line.
fn post(base: &str, path: &str, headers: &[(&str, &str)], body: &str) -> String {
    let addr = base.trim_start_matches("http://");
    let mut s = std::net::TcpStream::connect(addr).unwrap();
    let mut req = format!("POST {path} HTTP/1.1\r\nHost: {addr}\r\nConnection: close\r\nContent-Type: application/json\r\nContent-Length: {}\r\n", body.len());
    for (k, v) in headers {
        req.push_str(&format!("{k}: {v}\r\n"));
    }
    req.push_str("\r\n");
    req.push_str(body);
    s.write_all(req.as_bytes()).unwrap();
    let mut out = String::new();
    s.read_to_string(&mut out).unwrap();
    out
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn each_request_is_logged_with_its_answer_and_without_its_body_or_key() {
    let captured = Captured::default();
    let sink = captured.clone();
    tracing_subscriber::fmt()
        .with_max_level(tracing::Level::INFO)
        .with_writer(move || sink.clone())
        .with_ansi(false)
        .init();
    let config = voucher_sandbox::Config { api_keys: vec!["sk_probe_4471".into()], ..Default::default() };
    let running = voucher_sandbox::start(config, "127.0.0.1:0".parse().unwrap()).await.unwrap();
    let (url, admin) = (running.url(), running.admin_url());
    let (first, again) = tokio::task::spawn_blocking(move || {
        let made = post(&admin, "/_sandbox/vouchers", &[], r#"{"count": 1}"#);
        let v: serde_json::Value = serde_json::from_str(made.split("\r\n\r\n").nth(1).unwrap()).unwrap();
        let body = serde_json::json!({"qr": v["qr"]}).to_string();
        let headers = [("x-api-key", "sk_probe_4471"), ("idempotency-key", "5f0c2a9e-1111-4222-8333-944455556666")];
        (post(&url, "/v1/vouchers/redeem", &headers, &body), post(&url, "/v1/vouchers/redeem", &headers, &body))
    })
    .await
    .unwrap();
    assert!(first.starts_with("HTTP/1.1 200") && again.starts_with("HTTP/1.1 200"), "{first}\n{again}");
    let logs = String::from_utf8(captured.0.lock().unwrap().clone()).unwrap();
    let redeems: Vec<&str> = logs.lines().filter(|l| l.contains("/v1/vouchers/redeem")).collect();
    assert_eq!(redeems.len(), 2, "one line per request:\n{logs}");
    assert!(
        redeems[0].contains("key=\"5f0c2a9e\"")
            && redeems[0].contains("status=200")
            && redeems[0].contains("replayed=false"),
        "{logs}"
    );
    assert!(redeems[1].contains("replayed=true"), "the replay is visible:\n{logs}");
    assert!(!logs.contains("sk_probe_4471"), "the API key is not logged");
    assert!(!logs.contains("v_"), "no voucher id (request bodies are not logged):\n{logs}");
    running.stop().await;
}
