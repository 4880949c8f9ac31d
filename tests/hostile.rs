//! A hostile or broken service never makes the client panic or hang, and never makes
//! it claim a redemption it cannot prove. Each case is a real socket on loopback
//! that reads the request and answers with the given bytes.

use std::time::{Duration, Instant};

use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpListener;
use voucher_pos::service::api::{ApiClient, ApiConfig, RedeemOutcome};

enum Reply {
    Bytes(Vec<u8>),
    /// Writes the head, then one byte every `every` forever.
    Drip {
        head: Vec<u8>,
        every: Duration,
    },
    /// Reads the request and closes without a word.
    Close,
}

async fn serve_once(reply: Reply) -> String {
    let l = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}", l.local_addr().unwrap());
    tokio::spawn(async move {
        let (mut sock, _) = l.accept().await.unwrap();
        let mut buf = vec![0u8; 65536];
        let mut got = Vec::new();
        // Read until the end of the body (Content-Length) arrives.
        loop {
            let n = sock.read(&mut buf).await.unwrap_or(0);
            if n == 0 {
                break;
            }
            got.extend_from_slice(&buf[..n]);
            let text = String::from_utf8_lossy(&got);
            if let Some(head_end) = text.find("\r\n\r\n") {
                let len = text[..head_end]
                    .lines()
                    .find_map(|l| {
                        l.to_ascii_lowercase()
                            .strip_prefix("content-length:")
                            .map(|v| v.trim().parse::<usize>().unwrap())
                    })
                    .unwrap_or(0);
                if got.len() >= head_end + 4 + len {
                    break;
                }
            }
        }
        match reply {
            Reply::Bytes(b) => {
                let _ = sock.write_all(&b).await;
                let _ = sock.shutdown().await;
            }
            Reply::Drip { head, every } => {
                let _ = sock.write_all(&head).await;
                loop {
                    tokio::time::sleep(every).await;
                    if sock.write_all(b" ").await.is_err() {
                        break;
                    }
                }
            }
            Reply::Close => drop(sock),
        }
    });
    url
}

fn http(status: &str, body: &[u8]) -> Vec<u8> {
    let mut v = format!(
        "HTTP/1.1 {status}\r\ncontent-type: application/json\r\ncontent-length: {}\r\nconnection: close\r\n\r\n",
        body.len()
    )
    .into_bytes();
    v.extend_from_slice(body);
    v
}

async fn redeem(url: &str, total: Duration) -> (RedeemOutcome, Duration) {
    let mut cfg = ApiConfig::new(url, "test_sandbox");
    cfg.total_timeout = total;
    cfg.max_body_bytes = 64 * 1024;
    let c = ApiClient::new(&cfg).unwrap();
    let t = Instant::now();
    let r = c.redeem("k-1", br#"{"qr":"rsg:v_1","metadata":""}"#).await;
    (r.outcome, t.elapsed())
}

#[tokio::test]
async fn a_huge_success_body_is_cut_off_and_is_unknown() {
    let body = vec![b'x'; 10 * 1024 * 1024];
    let url = serve_once(Reply::Bytes(http("200 OK", &body))).await;
    let (o, _) = redeem(&url, Duration::from_secs(5)).await;
    assert!(matches!(&o, RedeemOutcome::Unknown { reason, .. } if reason.contains("larger than")), "{o:?}");
}

#[tokio::test]
async fn a_non_json_success_is_unknown_not_redeemed() {
    let url = serve_once(Reply::Bytes(http("200 OK", b"<html>Welcome to the captive portal</html>"))).await;
    let (o, _) = redeem(&url, Duration::from_secs(5)).await;
    assert!(matches!(o, RedeemOutcome::Unknown { .. }), "{o:?}");
}

#[tokio::test]
async fn a_wrong_shape_success_is_unknown_not_redeemed() {
    let url = serve_once(Reply::Bytes(http("200 OK", br#"{"ok":true,"transaction":{"value":"lots"}}"#))).await;
    let (o, _) = redeem(&url, Duration::from_secs(5)).await;
    assert!(matches!(o, RedeemOutcome::Unknown { .. }), "{o:?}");
}

#[tokio::test]
async fn a_slow_drip_is_cut_by_the_total_timeout() {
    let head = b"HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ncontent-length: 100000\r\n\r\n".to_vec();
    let url = serve_once(Reply::Drip { head, every: Duration::from_millis(50) }).await;
    let (o, took) = redeem(&url, Duration::from_millis(800)).await;
    assert!(matches!(o, RedeemOutcome::Unknown { .. }), "{o:?}");
    assert!(took < Duration::from_secs(5), "the drip held the client for {took:?}");
}

#[tokio::test]
async fn an_unknown_status_is_unknown() {
    let url = serve_once(Reply::Bytes(http("418 I'm a teapot", b"{}"))).await;
    let (o, _) = redeem(&url, Duration::from_secs(5)).await;
    assert!(matches!(&o, RedeemOutcome::Unknown { reason, .. } if reason.contains("418")), "{o:?}");
}

#[tokio::test]
async fn a_truncated_success_body_is_unknown() {
    let mut r = b"HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ncontent-length: 500\r\n\r\n".to_vec();
    r.extend_from_slice(br#"{"campaign":{"id":"c","name":"n"},"transa"#);
    let url = serve_once(Reply::Bytes(r)).await;
    let (o, _) = redeem(&url, Duration::from_secs(5)).await;
    assert!(matches!(o, RedeemOutcome::Unknown { .. }), "{o:?}");
}

#[tokio::test]
async fn a_connection_closed_after_sending_is_unknown_not_unsent() {
    let url = serve_once(Reply::Close).await;
    let (o, _) = redeem(&url, Duration::from_secs(5)).await;
    assert!(matches!(o, RedeemOutcome::Unknown { .. }), "{o:?}");
}

#[tokio::test]
async fn an_unreadable_refusal_is_unknown_and_a_readable_one_is_verbatim() {
    let url = serve_once(Reply::Bytes(http("402 Payment Required", b"nope"))).await;
    assert!(matches!(redeem(&url, Duration::from_secs(5)).await.0, RedeemOutcome::Unknown { .. }));
    let msg = "Voucher d\u{e9}j\u{e0} utilis\u{e9} \u{2014} <script>alert(1)</script>";
    let body = serde_json::to_vec(&serde_json::json!({"error": {"code": "redemption_vouchers_used", "message": msg, "type": "invalid_request_error"}})).unwrap();
    let url = serve_once(Reply::Bytes(http("402 Payment Required", &body))).await;
    assert_eq!(
        redeem(&url, Duration::from_secs(5)).await.0,
        RedeemOutcome::Refused { code: "redemption_vouchers_used".into(), message: msg.into() }
    );
}
