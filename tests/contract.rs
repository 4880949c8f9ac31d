//! Every rule of shared/docs/redeem-api.md, checked through the terminal's client (and
//! raw HTTP for what the client never sends) against the sandbox binary on loopback.

mod common;

use std::time::Duration;

use common::sandbox::Sandbox;
use serde_json::{json, Value};
use voucher_pos::service::api::{ApiClient, ApiConfig, RedeemOutcome};

fn client(s: &Sandbox) -> ApiClient {
    client_with_key(s, "test_sandbox")
}

fn client_with_key(s: &Sandbox, key: &str) -> ApiClient {
    ApiClient::new(&ApiConfig::new(&s.url, key)).unwrap()
}

fn body(qr: &str, metadata: &str) -> Vec<u8> {
    serde_json::to_vec(&json!({"qr": qr, "metadata": metadata})).unwrap()
}

fn key() -> String {
    uuid::Uuid::new_v4().to_string()
}

async fn raw(s: &Sandbox, headers: &[(&str, &str)], body: &[u8]) -> (u16, Value, reqwest::header::HeaderMap) {
    let mut req = reqwest::Client::new().post(format!("{}/v1/vouchers/redeem", s.url)).body(body.to_vec());
    for (k, v) in headers {
        req = req.header(*k, *v);
    }
    let r = req.send().await.unwrap();
    let status = r.status().as_u16();
    let h = r.headers().clone();
    let b = r.bytes().await.unwrap();
    (status, serde_json::from_slice(&b).unwrap_or(Value::Null), h)
}

#[tokio::test]
async fn a_redemption_answers_the_campaign_and_the_total_value() {
    let s = Sandbox::start(&[]);
    let (qr, _) = s.vouchers(3, 250, "active").await;
    let r = client(&s).redeem(&key(), &body(&qr, "pos_ID:T1")).await;
    let RedeemOutcome::Redeemed(red) = r.outcome else { panic!("{r:?}") };
    assert_eq!(red.value_cents, 750);
    assert_eq!(red.campaign_name, "Demo");
    assert!(red.transaction_id.starts_with("transaction_"));
    assert!(!r.replayed);
}

#[tokio::test]
async fn the_same_key_and_body_replay_the_saved_answer_byte_for_byte() {
    let s = Sandbox::start(&[]);
    let (qr, _) = s.vouchers(1, 500, "active").await;
    let k = key();
    let b = body(&qr, "m");
    let h = [("x-api-key", "test_sandbox"), ("Idempotency-Key", k.as_str()), ("content-type", "application/json")];
    let first = reqwest::Client::new()
        .post(format!("{}/v1/vouchers/redeem", s.url))
        .headers(headers(&h))
        .body(b.clone())
        .send()
        .await
        .unwrap();
    assert!(first.headers().get("idempotent-replayed").is_none());
    let first = first.bytes().await.unwrap();
    let again = reqwest::Client::new()
        .post(format!("{}/v1/vouchers/redeem", s.url))
        .headers(headers(&h))
        .body(b.clone())
        .send()
        .await
        .unwrap();
    assert_eq!(again.headers()["idempotent-replayed"], "true");
    assert_eq!(again.bytes().await.unwrap(), first);
    let via_client = client(&s).redeem(&k, &b).await;
    assert!(via_client.replayed && matches!(via_client.outcome, RedeemOutcome::Redeemed(_)));
    assert_eq!(s.ledger().await.len(), 1);
}

fn headers(h: &[(&str, &str)]) -> reqwest::header::HeaderMap {
    let mut m = reqwest::header::HeaderMap::new();
    for (k, v) in h {
        m.insert(reqwest::header::HeaderName::from_bytes(k.as_bytes()).unwrap(), v.parse().unwrap());
    }
    m
}

#[tokio::test]
async fn a_refusal_is_saved_and_replayed_too() {
    let s = Sandbox::start(&[]);
    let (qr, _) = s.vouchers(1, 500, "voided").await;
    let k = key();
    let first = client(&s).redeem(&k, &body(&qr, "")).await;
    assert_eq!(first.http_status, Some(402));
    assert!(matches!(&first.outcome, RedeemOutcome::Refused { code, .. } if code == "redemption_vouchers_voided"));
    let again = client(&s).redeem(&k, &body(&qr, "")).await;
    assert!(again.replayed);
    assert_eq!(again.outcome, first.outcome);
}

#[tokio::test]
async fn a_missing_or_over_long_key_is_refused_and_nothing_is_stored() {
    let s = Sandbox::start(&[]);
    let (qr, _) = s.vouchers(1, 500, "active").await;
    let b = body(&qr, "");
    let (st, v, _) = raw(&s, &[("x-api-key", "test_sandbox")], &b).await;
    assert_eq!((st, v["error"]["code"].as_str()), (400, Some("idempotency_key_missing")));
    let long = "k".repeat(256);
    let (st, v, _) = raw(&s, &[("x-api-key", "test_sandbox"), ("Idempotency-Key", &long)], &b).await;
    assert_eq!((st, v["error"]["code"].as_str()), (400, Some("idempotency_key_invalid")));
    let max = "k".repeat(255);
    let (st, _, _) = raw(&s, &[("x-api-key", "test_sandbox"), ("Idempotency-Key", &max)], &b).await;
    assert_eq!(st, 200, "255 characters is a valid key");
}

#[tokio::test]
async fn a_malformed_body_is_a_400_that_leaves_the_key_free() {
    let s = Sandbox::start(&[]);
    let (qr, _) = s.vouchers(1, 500, "active").await;
    let k = key();
    let (st, v, _) = raw(&s, &[("x-api-key", "test_sandbox"), ("Idempotency-Key", &k)], b"{not json").await;
    assert_eq!((st, v["error"]["type"].as_str()), (400, Some("invalid_request_error")));
    let long_md = "m".repeat(1001);
    let r = client(&s).redeem(&k, &body(&qr, &long_md)).await;
    assert!(matches!(&r.outcome, RedeemOutcome::Refused { code, .. } if code == "invalid_request"), "{r:?}");
    // The key is still free: the same key with a good body executes (not a 422).
    let r = client(&s).redeem(&k, &body(&qr, "")).await;
    assert!(matches!(r.outcome, RedeemOutcome::Redeemed(_)) && !r.replayed, "{r:?}");
}

#[tokio::test]
async fn a_wrong_api_key_is_401_and_stores_nothing() {
    let s = Sandbox::start(&[]);
    let (qr, _) = s.vouchers(1, 500, "active").await;
    let k = key();
    let r = client_with_key(&s, "test_wrong").redeem(&k, &body(&qr, "")).await;
    assert!(matches!(r.outcome, RedeemOutcome::Unauthorized { .. }), "{r:?}");
    let (st, _, _) = raw(&s, &[("Idempotency-Key", &k)], &body(&qr, "")).await;
    assert_eq!(st, 401);
    let r = client(&s).redeem(&k, &body(&qr, "")).await;
    assert!(matches!(r.outcome, RedeemOutcome::Redeemed(_)) && !r.replayed);
}

#[tokio::test]
async fn the_same_key_while_executing_is_409_in_progress() {
    let s = Sandbox::start(&[]);
    let (qr, _) = s.vouchers(1, 500, "active").await;
    s.faults(json!({"latency_ms": 600})).await;
    let c = client(&s);
    let k = key();
    let b = body(&qr, "");
    let first = tokio::spawn({
        let (c, k, b) = (c.clone(), k.clone(), b.clone());
        async move { c.redeem(&k, &b).await }
    });
    // Wait until the sandbox has the first request (it then holds the key for 600 ms).
    let deadline = std::time::Instant::now() + Duration::from_secs(5);
    while s.redeem_requests().await < 1 {
        assert!(std::time::Instant::now() < deadline, "the first request never arrived");
        tokio::time::sleep(Duration::from_millis(5)).await;
    }
    let second = c.redeem(&k, &b).await;
    let first = first.await.unwrap();
    assert!(matches!(first.outcome, RedeemOutcome::Redeemed(_)), "{first:?}");
    assert_eq!(second.http_status, Some(409), "{second:?}");
    assert!(matches!(second.outcome, RedeemOutcome::InProgress { .. }));
    assert_eq!(s.ledger().await.len(), 1);
}

#[tokio::test]
async fn the_same_key_with_other_parameters_is_422() {
    let s = Sandbox::start(&[]);
    let (qr, _) = s.vouchers(1, 500, "active").await;
    let k = key();
    client(&s).redeem(&k, &body(&qr, "receipt_number:1")).await;
    let r = client(&s).redeem(&k, &body(&qr, "receipt_number:2")).await;
    assert_eq!(r.http_status, Some(422));
    assert!(matches!(r.outcome, RedeemOutcome::KeyReused { .. }));
}

#[tokio::test]
async fn keys_are_scoped_to_the_api_key_that_used_them() {
    let s = Sandbox::start(&["--api-key", "test_a", "--api-key", "test_b"]);
    let (qr1, _) = s.vouchers(1, 500, "active").await;
    let (qr2, _) = s.vouchers(1, 500, "active").await;
    let k = key();
    let a = client_with_key(&s, "test_a").redeem(&k, &body(&qr1, "")).await;
    let b = client_with_key(&s, "test_b").redeem(&k, &body(&qr2, "")).await;
    assert!(matches!(a.outcome, RedeemOutcome::Redeemed(_)));
    assert!(matches!(b.outcome, RedeemOutcome::Redeemed(_)) && !b.replayed, "{b:?}");
    let listed = client_with_key(&s, "test_a").transactions(None, None, None, None).await.unwrap();
    assert_eq!(listed.data.len(), 1, "a key sees only its own transactions");
}

#[tokio::test]
async fn after_the_key_window_a_retry_runs_again_and_meets_402_used() {
    let s = Sandbox::start(&["--key-ttl", "1s"]);
    let (qr, _) = s.vouchers(1, 500, "active").await;
    let k = key();
    let b = body(&qr, "");
    assert!(matches!(client(&s).redeem(&k, &b).await.outcome, RedeemOutcome::Redeemed(_)));
    let saved_at = std::time::Instant::now();
    // The window is a property of time, not of scheduling: wait it out, then retry.
    tokio::time::sleep(Duration::from_millis(1100).saturating_sub(saved_at.elapsed())).await;
    let r = client(&s).redeem(&k, &b).await;
    assert!(!r.replayed, "a result older than the window was replayed");
    assert!(matches!(&r.outcome, RedeemOutcome::Refused { code, .. } if code == "redemption_vouchers_used"), "{r:?}");
}

#[tokio::test]
async fn injected_429_carries_retry_after_and_stores_nothing() {
    let s = Sandbox::start(&[]);
    let (qr, _) = s.vouchers(1, 500, "active").await;
    let k = key();
    s.faults(json!({"error_rate": {"429": 1.0}, "retry_after_s": 2})).await;
    let r = client(&s).redeem(&k, &body(&qr, "")).await;
    assert_eq!(
        r.outcome,
        RedeemOutcome::RateLimited {
            retry_after: Some(Duration::from_secs(2)),
            message: "Too many requests. Please retry later.".into()
        }
    );
    s.faults(json!({"error_rate": {"503": 1.0}})).await;
    let r = client(&s).redeem(&k, &body(&qr, "")).await;
    assert!(
        matches!(r.outcome, RedeemOutcome::Unknown { http_status: Some(503), .. }),
        "a 5xx may have executed: {:?}",
        r.outcome
    );
    s.faults(json!({})).await;
    let r = client(&s).redeem(&k, &body(&qr, "")).await;
    assert!(matches!(r.outcome, RedeemOutcome::Redeemed(_)) && !r.replayed);
}

#[tokio::test]
async fn a_code_is_all_or_nothing_and_the_first_reason_in_order_wins() {
    let s = Sandbox::start(&[]);
    let (_, active) = s.vouchers(1, 500, "active").await;
    let (_, voided) = s.vouchers(1, 500, "voided").await;
    let (_, expired) = s.vouchers(1, 500, "expired").await;
    let (used_qr, used) = s.vouchers(1, 500, "active").await;
    client(&s).redeem(&key(), &body(&used_qr, "")).await;
    let c = client(&s);
    let code_of = |r: RedeemOutcome| match r {
        RedeemOutcome::Refused { code, .. } => code,
        other => panic!("{other:?}"),
    };
    let mix = |ids: &[&String]| format!("rsg:{}", ids.iter().map(|s| s.as_str()).collect::<Vec<_>>().join(","));
    let r = c.redeem(&key(), &body(&mix(&[&used[0], &expired[0], &voided[0], &"v_nope".to_string()]), "")).await;
    assert_eq!(r.http_status, Some(404));
    assert_eq!(code_of(r.outcome), "redemption_vouchers_not_found");
    assert_eq!(
        code_of(c.redeem(&key(), &body(&mix(&[&used[0], &expired[0], &voided[0]]), "")).await.outcome),
        "redemption_vouchers_voided"
    );
    assert_eq!(
        code_of(c.redeem(&key(), &body(&mix(&[&used[0], &expired[0]]), "")).await.outcome),
        "redemption_vouchers_period_ended"
    );
    assert_eq!(
        code_of(c.redeem(&key(), &body(&mix(&[&active[0], &used[0]]), "")).await.outcome),
        "redemption_vouchers_used"
    );
    // The active voucher was not redeemed by the refused codes.
    assert!(matches!(c.redeem(&key(), &body(&mix(&[&active[0]]), "")).await.outcome, RedeemOutcome::Redeemed(_)));
}

#[tokio::test]
async fn a_repeated_id_counts_once_and_metadata_is_optional() {
    let s = Sandbox::start(&[]);
    let (_, ids) = s.vouchers(1, 500, "active").await;
    let b = serde_json::to_vec(&json!({"qr": format!("rsg:{0},{0}", ids[0])})).unwrap();
    let RedeemOutcome::Redeemed(r) = client(&s).redeem(&key(), &b).await.outcome else { panic!() };
    assert_eq!(r.value_cents, 500);
    assert_eq!(s.ledger().await[0]["metadata"], "");
}

#[tokio::test]
async fn a_fifteen_voucher_code_redeems_whole() {
    let s = Sandbox::start(&[]);
    let (qr, _) = s.vouchers(15, 100, "active").await;
    let RedeemOutcome::Redeemed(r) = client(&s).redeem(&key(), &body(&qr, "")).await.outcome else { panic!() };
    assert_eq!(r.value_cents, 1500);
    assert_eq!(s.ledger().await[0]["voucher_ids"].as_array().unwrap().len(), 15);
}

#[tokio::test]
async fn the_transactions_list_pages_with_url_encoded_cursors_and_finds_an_intent() {
    let s = Sandbox::start(&[]);
    let c = client(&s);
    for n in 0..5 {
        let (qr, _) = s.vouchers(1, 100, "active").await;
        c.redeem(&key(), &body(&qr, &format!("pos_ID:T1,intent_ID:intent-{n}"))).await;
    }
    let today = voucher_pos::platform::clock::utc_date(voucher_pos::platform::clock::Clock::now_ms(
        &voucher_pos::platform::clock::SystemClock,
    ));
    let mut seen = Vec::new();
    let mut after = None;
    loop {
        let p = c.transactions(Some(&today), Some(&today), Some(2), after.as_deref()).await.unwrap();
        assert!(p.data.len() <= 2);
        seen.extend(p.data.iter().map(|t| t.metadata.clone()));
        if !p.has_next_page {
            break;
        }
        after = p.end_cursor;
    }
    assert_eq!(seen.len(), 5);
    let found = c.find_by_intent("intent-3", &today, &today).await.unwrap().expect("found");
    assert!(found.metadata.ends_with("intent_ID:intent-3"));
    assert_eq!(c.find_by_intent("intent-33", &today, &today).await.unwrap(), None, "a prefix must not match");
    assert_eq!(c.find_by_intent("intent-3", "2001-01-01", "2001-01-02").await.unwrap(), None);
}

#[tokio::test]
async fn many_requests_with_one_key_execute_once() {
    let s = Sandbox::start(&[]);
    let (qr, _) = s.vouchers(1, 500, "active").await;
    s.faults(json!({"latency_ms": 50})).await;
    let c = client(&s);
    let k = key();
    let b = body(&qr, "");
    let mut tasks = Vec::new();
    for _ in 0..20 {
        let (c, k, b) = (c.clone(), k.clone(), b.clone());
        tasks.push(tokio::spawn(async move { c.redeem(&k, &b).await }));
    }
    let mut fresh = 0;
    for t in tasks {
        let r = t.await.unwrap();
        match r.outcome {
            RedeemOutcome::Redeemed(_) if !r.replayed => fresh += 1,
            RedeemOutcome::Redeemed(_) | RedeemOutcome::InProgress { .. } => {}
            other => panic!("unexpected {other:?}"),
        }
    }
    assert_eq!(fresh, 1);
    assert_eq!(s.ledger().await.len(), 1);
}

#[tokio::test]
async fn many_keys_racing_for_one_voucher_redeem_it_once() {
    let s = Sandbox::start(&[]);
    let (qr, _) = s.vouchers(1, 500, "active").await;
    let c = client(&s);
    let mut tasks = Vec::new();
    for _ in 0..20 {
        let (c, b) = (c.clone(), body(&qr, ""));
        tasks.push(tokio::spawn(async move { c.redeem(&key(), &b).await }));
    }
    let (mut ok, mut used) = (0, 0);
    for t in tasks {
        match t.await.unwrap().outcome {
            RedeemOutcome::Redeemed(_) => ok += 1,
            RedeemOutcome::Refused { code, .. } if code == "redemption_vouchers_used" => used += 1,
            other => panic!("unexpected {other:?}"),
        }
    }
    assert_eq!((ok, used), (1, 19));
    assert_eq!(s.ledger().await.len(), 1);
}

#[tokio::test]
async fn a_killed_and_restarted_sandbox_still_replays_the_same_bytes() {
    let mut s = Sandbox::start(&[]);
    let (qr, _) = s.vouchers(1, 500, "active").await;
    let k = key();
    let h = [("x-api-key", "test_sandbox"), ("Idempotency-Key", k.as_str())];
    let b = body(&qr, "m");
    let first = reqwest::Client::new()
        .post(format!("{}/v1/vouchers/redeem", s.url))
        .headers(headers(&h))
        .body(b.clone())
        .send()
        .await
        .unwrap()
        .bytes()
        .await
        .unwrap();
    s.kill_and_restart();
    let again = reqwest::Client::new()
        .post(format!("{}/v1/vouchers/redeem", s.url))
        .headers(headers(&h))
        .body(b)
        .send()
        .await
        .unwrap();
    assert_eq!(again.headers()["idempotent-replayed"], "true");
    assert_eq!(again.bytes().await.unwrap(), first);
    assert_eq!(s.ledger().await.len(), 1);
}

#[tokio::test]
async fn drop_after_commit_leaves_the_client_with_an_unknown_outcome_that_a_resend_resolves() {
    let s = Sandbox::start(&[]);
    let (qr, _) = s.vouchers(1, 500, "active").await;
    s.faults(json!({"drop_after_commit_rate": 1.0})).await;
    let k = key();
    let b = body(&qr, "");
    let r = client(&s).redeem(&k, &b).await;
    assert!(matches!(r.outcome, RedeemOutcome::Unknown { .. }), "{r:?}");
    assert_eq!(s.ledger().await.len(), 1, "it did commit");
    s.faults(json!({})).await;
    let r = client(&s).redeem(&k, &b).await;
    assert!(r.replayed && matches!(r.outcome, RedeemOutcome::Redeemed(_)));
}

#[tokio::test]
async fn offline_fails_at_the_connection_and_a_closed_port_is_certainly_not_sent() {
    let s = Sandbox::start(&[]);
    let (qr, _) = s.vouchers(1, 500, "active").await;
    s.faults(json!({"offline": true})).await;
    let r = client(&s).redeem(&key(), &body(&qr, "")).await;
    assert_eq!(r.http_status, None);
    assert!(matches!(r.outcome, RedeemOutcome::Unknown { .. } | RedeemOutcome::NotSent { .. }), "{r:?}");
    assert!(s.ledger().await.is_empty());
    let port = std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
    let closed = ApiClient::new(&ApiConfig::new(format!("http://127.0.0.1:{port}"), "test_sandbox")).unwrap();
    assert!(matches!(closed.redeem(&key(), b"{}").await.outcome, RedeemOutcome::NotSent { .. }));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn offline_refuses_connections_so_the_client_knows_nothing_was_sent_and_the_same_url_comes_back() {
    let s = Sandbox::start(&[]);
    let (qr, _) = s.vouchers(1, 500, "active").await;
    s.faults(json!({"offline": true})).await;
    let r = client(&s).redeem("k-offline", &body(&qr, "")).await;
    assert!(matches!(r.outcome, RedeemOutcome::NotSent { .. }), "{:?}", r.outcome);
    assert_eq!(s.redeem_requests().await, 0, "nothing reached the service");
    // The PUT answers once the port is bound again: nothing to wait for here.
    s.faults(json!({})).await;
    let r = client(&s).redeem("k-offline", &body(&qr, "")).await;
    assert!(matches!(r.outcome, RedeemOutcome::Redeemed(_)), "{:?}", r.outcome);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_gateway_502_strikes_after_commit_and_on_replays_and_an_ended_campaign_outranks_used() {
    let s = Sandbox::start(&[]);
    let (qr, ids) = s.vouchers(1, 500, "active").await;
    s.faults(json!({"gateway_error_after_commit_rate": 1.0})).await;
    for _ in 0..2 {
        let r = client(&s).redeem("k-gw", &body(&qr, "")).await;
        assert!(matches!(r.outcome, RedeemOutcome::Unknown { http_status: Some(502), .. }), "{:?}", r.outcome);
    }
    assert_eq!(s.ledger().await.len(), 1, "the origin committed before the proxy's 502");
    s.faults(json!({})).await;
    let r = client(&s).redeem("k-gw", &body(&qr, "")).await;
    assert!(matches!(r.outcome, RedeemOutcome::Redeemed(_)) && r.replayed, "{:?}", r.outcome);
    // The campaign ends: a new key meets period_ended, not used (the contract's order).
    s.set_state(&ids, "expired").await;
    let r = client(&s).redeem("k-other", &body(&qr, "")).await;
    assert_eq!(
        r.outcome,
        RedeemOutcome::Refused {
            code: "redemption_vouchers_period_ended".into(),
            message: "The campaign for one or more vouchers has ended.".into()
        }
    );
}

/// Both forms of `Retry-After` mean the same wait; the date form is measured against
/// the reply's own `Date`, so a terminal whose clock is days off still waits seconds.
#[tokio::test]
async fn an_injected_429_with_retry_after_as_an_http_date_means_the_same_wait() {
    let s = Sandbox::start(&[]);
    let (qr, _) = s.vouchers(1, 500, "active").await;
    s.faults(json!({"error_rate": {"429": 1.0}, "retry_after_s": 3, "retry_after_as_date": true})).await;
    let r = client(&s).redeem(&key(), &body(&qr, "")).await;
    let RedeemOutcome::RateLimited { retry_after: Some(wait), .. } = r.outcome else { panic!("{:?}", r.outcome) };
    // Both headers have whole seconds: the date is 3 s after "now" truncated, the
    // `Date` header "now" truncated, at most a second apart.
    assert!((Duration::from_secs(2)..=Duration::from_secs(3)).contains(&wait), "{wait:?}");
}

/// A key check that fails for a while answers 401 before anything executes: the
/// terminal is told its key was refused, and nothing is stored at the service.
#[tokio::test]
async fn an_injected_401_executes_nothing_and_the_same_key_then_redeems() {
    let s = Sandbox::start(&[]);
    let (qr, _) = s.vouchers(1, 500, "active").await;
    let k = key();
    s.faults(json!({"error_rate": {"401": 1.0}})).await;
    let r = client(&s).redeem(&k, &body(&qr, "")).await;
    assert_eq!(r.outcome, RedeemOutcome::Unauthorized { message: "Invalid or missing API key.".into() });
    s.faults(json!({})).await;
    let r = client(&s).redeem(&k, &body(&qr, "")).await;
    assert!(matches!(r.outcome, RedeemOutcome::Redeemed(_)) && !r.replayed, "{r:?}");
}

/// `PUT /_sandbox/faults` straight to the admin port, however it answers.
async fn put_faults(s: &Sandbox, faults: Value) -> (u16, Value) {
    let r = reqwest::Client::new().put(format!("{}/_sandbox/faults", s.admin)).json(&faults).send().await.unwrap();
    (r.status().as_u16(), r.json().await.unwrap_or(Value::Null))
}

async fn get_faults(s: &Sandbox) -> Value {
    reqwest::get(format!("{}/_sandbox/faults", s.admin)).await.unwrap().json().await.unwrap()
}

/// How many times the sandbox served an injected fault of this kind.
async fn served(s: &Sandbox, kind: &str) -> u64 {
    let v: Value = reqwest::get(format!("{}/_sandbox/requests", s.admin)).await.unwrap().json().await.unwrap();
    v["faults_served"][kind].as_u64().unwrap_or(0)
}

/// Whether a connect to `addr` now is refused. A free port of the ephemeral range can,
/// rarely, connect a socket to itself (TCP simultaneous open): nobody listened then
/// either, so that counts as refused.
async fn connect_refused(addr: &str) -> Result<(), String> {
    match tokio::net::TcpStream::connect(addr).await {
        Err(e) if e.kind() == std::io::ErrorKind::ConnectionRefused => Ok(()),
        Err(e) => Err(format!("the connect failed otherwise than refused: {e}")),
        Ok(c) if c.local_addr().ok() == c.peer_addr().ok() => Ok(()),
        Ok(_) => Err(format!("a connect to {addr} was accepted")),
    }
}

/// The faults PUT answers only once its settings are in effect: back online, the very
/// next connect is accepted and served (it used to race the port being bound again);
/// offline, it is refused. Many rounds, since the old race was lost only sometimes.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn going_back_online_answers_only_once_connections_are_accepted() {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let s = Sandbox::start(&[]);
    let addr = s.url.trim_start_matches("http://").to_string();
    const ROUNDS: u64 = 50;
    for round in 0..ROUNDS {
        s.faults(json!({"offline": true})).await;
        if let Err(e) = connect_refused(&addr).await {
            panic!("round {round}: the offline PUT answered, yet {e}");
        }
        s.faults(json!({})).await;
        let mut c = match tokio::net::TcpStream::connect(&addr).await {
            Ok(c) => c,
            Err(e) => panic!("round {round}: the online PUT answered, yet the connect failed: {e}"),
        };
        let request = format!("GET /v1/transactions?limit=1 HTTP/1.1\r\nHost: {addr}\r\nx-api-key: test_sandbox\r\nConnection: close\r\n\r\n");
        c.write_all(request.as_bytes()).await.unwrap();
        let mut answer = String::new();
        c.read_to_string(&mut answer).await.unwrap();
        assert!(answer.starts_with("HTTP/1.1 200"), "round {round}: the service did not serve the connect: {answer:?}");
    }
    assert_eq!(served(&s, "offline_window").await, ROUNDS, "each round was one offline window");
}

#[tokio::test]
async fn a_fault_body_with_an_unknown_field_is_refused() {
    let s = Sandbox::start(&[]);
    s.faults(json!({"latency_ms": 5})).await;
    // A misspelt field must not be read as "no fault": the step would inject nothing.
    let (status, v) = put_faults(&s, json!({"latency_ms": 0, "list_latency": 3000})).await;
    assert_eq!(status, 400, "{v}");
    assert_eq!(v["error"]["field"], "list_latency", "{v}");
    assert!(v["error"]["message"].as_str().unwrap().contains("list_latency"), "{v}");
    assert_eq!(get_faults(&s).await["latency_ms"], 5, "a refused body changes nothing");
}

#[tokio::test]
async fn a_fault_body_it_cannot_apply_is_refused_naming_the_field_and_every_callers_body_is_applied() {
    let s = Sandbox::start(&[]);
    let before = get_faults(&s).await;
    for (bad, field) in [
        (json!({"error_rate": {"502": 1.0}}), "error_rate.502"),
        (json!({"error_rate": {"503": 1.5}}), "error_rate.503"),
        (json!({"drop_after_commit_rate": -0.1}), "drop_after_commit_rate"),
        (json!({"transactions_error_rate": 2}), "transactions_error_rate"),
        (json!({"latency_ms": "fast"}), "latency_ms"),
        (json!({"list_latency_ms": -5}), "list_latency_ms"),
        (json!({"offline": "yes"}), "offline"),
    ] {
        let (status, v) = put_faults(&s, bad.clone()).await;
        assert_eq!((status, v["error"]["field"].as_str()), (400, Some(field)), "{bad}: {v}");
        assert_eq!(v["error"]["type"], "invalid_request_error");
    }
    let (status, v) = put_faults(&s, json!([1, 2])).await;
    assert_eq!((status, &v["error"]["field"]), (400, &Value::Null), "{v}");
    assert_eq!(get_faults(&s).await, before, "nothing was applied");
    // What the tests, the benches and voucher-chaos send (a zero rate for a status
    // the sandbox does not inject asks for nothing, so it is accepted).
    for good in [
        json!({}),
        json!({"error_rate": {"502": 0.0, "503": 1.0}}),
        json!({"error_rate": {"429": 1.0}, "retry_after_s": 3, "retry_after_as_date": true}),
        json!({
            "latency_ms": 1299, "error_rate": {"500": 0.39, "503": 0.29, "429": 0.39, "401": 0.0}, "retry_after_s": 1,
            "retry_after_as_date": false, "drop_after_commit_rate": 0.79, "gateway_error_after_commit_rate": 0.79,
            "transactions_error_rate": 1.0, "list_latency_ms": 9000, "offline": true
        }),
        json!({}),
    ] {
        let (status, v) = put_faults(&s, good.clone()).await;
        assert_eq!(status, 200, "{good}: {v}");
    }
}

/// A transactions list slower than a client's timeout (`list_latency_ms`): the list
/// times out while a redeem made meanwhile answers at once, and the sandbox counts
/// each slow list it served as `list_slow`.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_slow_transactions_list_times_out_a_short_client_while_redeems_answer_promptly() {
    let s = Sandbox::start(&[]);
    let (qr, _) = s.vouchers(1, 500, "active").await;
    s.faults(json!({"list_latency_ms": 60_000})).await;
    let list = format!("{}/v1/transactions", s.url);
    let impatient = reqwest::Client::builder().timeout(Duration::from_millis(300)).build().unwrap();
    let err = impatient
        .get(&list)
        .header("x-api-key", "test_sandbox")
        .send()
        .await
        .expect_err("the list answered before its latency");
    assert!(err.is_timeout(), "{err}");
    // A second list waits at the service (counted as it starts) while a redeem is made.
    let before = served(&s, "list_slow").await;
    let waiting =
        tokio::spawn(async move { reqwest::Client::new().get(list).header("x-api-key", "test_sandbox").send().await });
    let deadline = std::time::Instant::now() + Duration::from_secs(10);
    while served(&s, "list_slow").await <= before {
        assert!(std::time::Instant::now() < deadline, "the slow list was never counted as served");
        tokio::time::sleep(Duration::from_millis(5)).await;
    }
    let r = client(&s).redeem(&key(), &body(&qr, "")).await;
    assert!(matches!(r.outcome, RedeemOutcome::Redeemed(_)), "{r:?}");
    assert!(!waiting.is_finished(), "the redeem answered only after the slow list");
    waiting.abort();
}

/// DNS rebinding: a web page whose name is pointed at 127.0.0.1 reaches the sandbox
/// from the browser's loopback address, but sends its own name as `Host`.
#[tokio::test]
async fn sandbox_administration_answers_only_requests_naming_a_loopback_host() {
    let s = Sandbox::start(&[]);
    let http = reqwest::Client::new();
    let status = |host: &'static str| {
        let req = http.get(format!("{}/_sandbox/faults", s.admin)).header("Host", host);
        async move { req.send().await.unwrap().status().as_u16() }
    };
    for rebound in ["attacker.example", "attacker.example:8787", "localhost.attacker.example", "127.0.0.1.nip.io:80"] {
        assert_eq!(status(rebound).await, 403, "{rebound}");
    }
    for own in ["127.0.0.1", "localhost:4000", "LOCALHOST", "[::1]:80", "127.1.2.3:9"] {
        assert_eq!(status(own).await, 200, "{own}");
    }
}

/// Issue 22: Settings' "Test connection" tells the manager, before saving, whether
/// the address answers and whether it takes the key: the key typed, else the one
/// stored for that very address (never one stored for another), with the service's
/// own words when it refuses; it redeems nothing.
#[tokio::test]
async fn test_connection_says_whether_the_address_answers_and_takes_the_key() {
    use voucher_pos::app::{check_connection, ConnectionCheck};
    use voucher_pos::platform::secrets::{save_api_key, FileStore};
    let s = Sandbox::start(&[]);
    let dir = tempfile::tempdir().unwrap();
    let secrets = FileStore::new(dir.path().join("secrets.json"));
    let now = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap().as_millis() as i64;
    let check = |url: Option<String>, key: Option<&'static str>| {
        let secrets = &secrets;
        async move { check_connection(url.as_deref(), key, secrets, now).await }
    };
    assert_eq!(check(None, None).await.unwrap(), ConnectionCheck::Sandbox);
    assert_eq!(check(Some(s.url.clone()), Some("test_sandbox")).await.unwrap(), ConnectionCheck::Accepted);
    assert_eq!(
        check(Some(s.url.clone()), Some("sk_wrong")).await.unwrap(),
        ConnectionCheck::KeyRefused { status: 401, message: "Invalid or missing API key.".into() }
    );
    assert_eq!(check(Some(s.url.clone()), None).await.unwrap(), ConnectionCheck::NoKey);
    // A key stored for another address is not sent here; one stored for this one is.
    save_api_key(&secrets, "http://127.0.0.1:9", "test_sandbox").unwrap();
    assert_eq!(check(Some(s.url.clone()), None).await.unwrap(), ConnectionCheck::NoKey);
    save_api_key(&secrets, &s.url, "test_sandbox").unwrap();
    assert_eq!(check(Some(s.url.clone()), None).await.unwrap(), ConnectionCheck::Accepted);
    // Nothing listening: said as such, within the client's time limits.
    let closed = std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap();
    assert_eq!(
        check(Some(format!("http://{closed}")), Some("test_sandbox")).await.unwrap(),
        ConnectionCheck::Unreachable
    );
    assert_eq!(check(Some("ftp://example.com".into()), None).await.unwrap_err().code(), "config_bad_url");
    let ledger: Value = reqwest::get(format!("{}/_sandbox/ledger", s.admin)).await.unwrap().json().await.unwrap();
    assert_eq!(ledger.as_array().map_or(0, Vec::len), 0, "a test of the connection redeems nothing: {ledger}");
}
