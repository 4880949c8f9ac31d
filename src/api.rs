//! The voucher service's HTTP API, as the terminal needs it.
//!
//! The client's one job beyond sending bytes is to say, for every reply or failure,
//! what the sync engine may conclude: redeemed, refused, certainly not executed, or
//! *maybe* executed. Getting that last distinction wrong is how terminals redeem twice
//! or lose redemptions, so every path (including a hostile or broken server) maps to
//! exactly one [`RedeemOutcome`], never a panic and never a hang: bodies are read up
//! to a cap and every request runs under a total timeout.

use std::time::{Duration, Instant};

use serde::{Deserialize, Serialize};
use url::Url;

use crate::intent::metadata_intent_id;

/// Where and how to reach the service. Its `Debug` never shows the API key.
#[derive(Clone)]
pub struct ApiConfig {
    pub base_url: String,
    pub api_key: String,
    /// Time allowed to open a connection.
    pub connect_timeout: Duration,
    /// Time allowed for a whole request, reply body included (the service's own
    /// scanner app uses 7 s).
    pub total_timeout: Duration,
    /// Largest reply body read; anything longer is a broken reply.
    pub max_body_bytes: usize,
}

impl std::fmt::Debug for ApiConfig {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ApiConfig")
            .field("base_url", &self.base_url)
            .field("api_key", &"<redacted>")
            .field("connect_timeout", &self.connect_timeout)
            .field("total_timeout", &self.total_timeout)
            .finish()
    }
}

impl ApiConfig {
    pub fn new(base_url: impl Into<String>, api_key: impl Into<String>) -> Self {
        ApiConfig {
            base_url: base_url.into(),
            api_key: api_key.into(),
            connect_timeout: Duration::from_secs(3),
            total_timeout: Duration::from_secs(7),
            max_body_bytes: 256 * 1024,
        }
    }
}

/// A configuration the client cannot work with.
#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    #[error("The service address {0:?} is not a valid http(s) URL.")]
    BadUrl(String),
    #[error("The API key contains characters that cannot be sent in a header.")]
    BadApiKey,
    #[error("Could not set up HTTP: {0}")]
    Http(String),
}

impl ConfigError {
    pub fn code(&self) -> &'static str {
        match self {
            ConfigError::BadUrl(_) => "config_bad_url",
            ConfigError::BadApiKey => "config_bad_api_key",
            ConfigError::Http(_) => "config_http",
        }
    }
}

/// What the service confirmed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Redemption {
    pub transaction_id: String,
    pub campaign_id: String,
    pub campaign_name: String,
    /// Total worth of the redeemed vouchers, in cents.
    pub value_cents: i64,
    pub created_at: String,
}

/// Everything a redeem call can come to, as the sync engine must act on it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RedeemOutcome {
    /// 2xx: redeemed (possibly a replay of an earlier success).
    Redeemed(Redemption),
    /// A final 4xx refusal; `message` is the service's own, verbatim.
    Refused { code: String, message: String },
    /// 409: a request with this key is still executing at the service.
    InProgress { message: String },
    /// 422: this key was used with other parameters. Only a bug or tampering.
    KeyReused { message: String },
    /// 429: not executed; wait at least `retry_after` if given.
    RateLimited { retry_after: Option<Duration>, message: String },
    /// 5xx: not executed (the service saves nothing on 5xx).
    ServerError { message: String },
    /// 401: the terminal's API key is wrong; nothing executed.
    Unauthorized { message: String },
    /// The request certainly never reached the service (no connection was made).
    NotSent { reason: String },
    /// The request may have executed and no usable answer came back (timeout,
    /// reset after sending, truncated, oversized or unreadable reply, odd status).
    Unknown { reason: String },
}

impl RedeemOutcome {
    /// Stable classification, stored in the attempt log.
    pub fn code(&self) -> &'static str {
        match self {
            RedeemOutcome::Redeemed(_) => "redeemed",
            RedeemOutcome::Refused { .. } => "refused",
            RedeemOutcome::InProgress { .. } => "in_progress",
            RedeemOutcome::KeyReused { .. } => "key_reused",
            RedeemOutcome::RateLimited { .. } => "rate_limited",
            RedeemOutcome::ServerError { .. } => "server_error",
            RedeemOutcome::Unauthorized { .. } => "unauthorized",
            RedeemOutcome::NotSent { .. } => "not_sent",
            RedeemOutcome::Unknown { .. } => "outcome_unknown",
        }
    }

    /// A one-line description for the attempt log.
    pub fn detail(&self) -> String {
        match self {
            RedeemOutcome::Redeemed(r) => format!("{} ({} cents)", r.transaction_id, r.value_cents),
            RedeemOutcome::Refused { code, message } => format!("{code}: {message}"),
            RedeemOutcome::InProgress { message }
            | RedeemOutcome::KeyReused { message }
            | RedeemOutcome::RateLimited { message, .. }
            | RedeemOutcome::ServerError { message }
            | RedeemOutcome::Unauthorized { message } => message.clone(),
            RedeemOutcome::NotSent { reason } | RedeemOutcome::Unknown { reason } => reason.clone(),
        }
    }
}

/// One redeem call: its outcome and what was seen on the wire.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RedeemReply {
    pub outcome: RedeemOutcome,
    pub http_status: Option<u16>,
    /// The service said `Idempotent-Replayed: true`.
    pub replayed: bool,
    pub elapsed: Duration,
}

/// A row of `GET /v1/transactions`.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize, Serialize)]
pub struct Transaction {
    pub id: String,
    #[serde(default)]
    pub campaign_id: String,
    pub value: i64,
    #[serde(default)]
    pub metadata: String,
    #[serde(default)]
    pub created_at: String,
}

/// One page of the transactions list.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TransactionPage {
    pub data: Vec<Transaction>,
    pub has_next_page: bool,
    pub end_cursor: Option<String>,
}

/// Why the transactions list could not be read.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum LookupError {
    #[error("The service could not be reached: {0}")]
    Unreachable(String),
    #[error("The service answered {status}: {message}")]
    Status { status: u16, message: String, retry_after: Option<Duration> },
    #[error("The service's transactions list could not be read: {0}")]
    BadReply(String),
}

impl LookupError {
    pub fn code(&self) -> &'static str {
        match self {
            LookupError::Unreachable(_) => "lookup_unreachable",
            LookupError::Status { .. } => "lookup_status",
            LookupError::BadReply(_) => "lookup_bad_reply",
        }
    }
}

/// The voucher service client. Cheap to clone (shares its connection pool).
#[derive(Clone)]
pub struct ApiClient {
    http: reqwest::Client,
    base: Url,
    api_key: reqwest::header::HeaderValue,
    max_body: usize,
}

impl ApiClient {
    pub fn new(cfg: &ApiConfig) -> Result<Self, ConfigError> {
        let mut base = Url::parse(&cfg.base_url).map_err(|_| ConfigError::BadUrl(cfg.base_url.clone()))?;
        if !matches!(base.scheme(), "http" | "https") || base.cannot_be_a_base() {
            return Err(ConfigError::BadUrl(cfg.base_url.clone()));
        }
        if !base.path().ends_with('/') {
            let p = format!("{}/", base.path());
            base.set_path(&p);
        }
        let mut api_key = reqwest::header::HeaderValue::from_str(&cfg.api_key).map_err(|_| ConfigError::BadApiKey)?;
        api_key.set_sensitive(true);
        let http = reqwest::Client::builder()
            .connect_timeout(cfg.connect_timeout)
            .timeout(cfg.total_timeout)
            .redirect(reqwest::redirect::Policy::none())
            .user_agent(concat!("voucher-pos/", env!("CARGO_PKG_VERSION")))
            .build()
            .map_err(|e| ConfigError::Http(e.to_string()))?;
        Ok(ApiClient { http, base, api_key, max_body: cfg.max_body_bytes })
    }

    pub fn base_url(&self) -> &str {
        self.base.as_str()
    }

    /// Sends `body` unchanged with `key`. Never panics, never outlives the timeout.
    pub async fn redeem(&self, key: &str, body: &[u8]) -> RedeemReply {
        let started = Instant::now();
        let url = self.base.join("v1/vouchers/redeem").expect("a fixed relative path joins");
        let sent = self
            .http
            .post(url)
            .header("x-api-key", self.api_key.clone())
            .header("Idempotency-Key", key)
            .header("Content-Type", "application/json")
            .body(body.to_vec())
            .send()
            .await;
        let resp = match sent {
            Ok(r) => r,
            Err(e) => {
                let outcome = if e.is_connect() || e.is_builder() {
                    RedeemOutcome::NotSent { reason: describe(&e) }
                } else {
                    RedeemOutcome::Unknown { reason: describe(&e) }
                };
                return RedeemReply { outcome, http_status: None, replayed: false, elapsed: started.elapsed() };
            }
        };
        let status = resp.status().as_u16();
        let replayed = resp.headers().get("idempotent-replayed").and_then(|v| v.to_str().ok()) == Some("true");
        let retry_after = resp
            .headers()
            .get("retry-after")
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.trim().parse::<u64>().ok())
            .map(|s| Duration::from_secs(s.min(3600)));
        let body = read_capped(resp, self.max_body).await;
        let outcome = classify(status, body, retry_after);
        RedeemReply { outcome, http_status: Some(status), replayed, elapsed: started.elapsed() }
    }

    /// One page of `GET /v1/transactions`. Dates are `YYYY-MM-DD` (UTC).
    pub async fn transactions(
        &self,
        start: Option<&str>,
        end: Option<&str>,
        limit: Option<u32>,
        after: Option<&str>,
    ) -> Result<TransactionPage, LookupError> {
        let mut url = self.base.join("v1/transactions").expect("a fixed relative path joins");
        {
            let mut q = url.query_pairs_mut();
            if let Some(s) = start {
                q.append_pair("start", s);
            }
            if let Some(e) = end {
                q.append_pair("end", e);
            }
            if let Some(l) = limit {
                q.append_pair("limit", &l.to_string());
            }
            if let Some(a) = after {
                q.append_pair("after", a);
            }
        }
        let resp = self
            .http
            .get(url)
            .header("x-api-key", self.api_key.clone())
            .send()
            .await
            .map_err(|e| LookupError::Unreachable(describe(&e)))?;
        let status = resp.status().as_u16();
        let retry_after = resp
            .headers()
            .get("retry-after")
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.trim().parse::<u64>().ok())
            .map(Duration::from_secs);
        let body = read_capped(resp, self.max_body.max(4 * 1024 * 1024)).await.map_err(LookupError::BadReply)?;
        if status != 200 {
            let message = error_message(&body).map(|(_, m)| m).unwrap_or_else(|| format!("HTTP {status}"));
            return Err(LookupError::Status { status, message, retry_after });
        }
        #[derive(Deserialize)]
        struct PageInfo {
            has_next_page: bool,
            end_cursor: Option<String>,
        }
        #[derive(Deserialize)]
        struct Page {
            data: Vec<Transaction>,
            page_info: PageInfo,
        }
        let page: Page = serde_json::from_slice(&body).map_err(|e| LookupError::BadReply(e.to_string()))?;
        Ok(TransactionPage { data: page.data, has_next_page: page.page_info.has_next_page, end_cursor: page.page_info.end_cursor })
    }

    /// Finds the redemption whose metadata carries `intent_ID:<intent_id>`, reading
    /// every page between two UTC dates. `Ok(None)` means the service listed the whole
    /// range and it is not there.
    pub async fn find_by_intent(&self, intent_id: &str, start: &str, end: &str) -> Result<Option<Transaction>, LookupError> {
        let mut after: Option<String> = None;
        for _ in 0..10_000 {
            let page = self.transactions(Some(start), Some(end), Some(1000), after.as_deref()).await?;
            if let Some(t) = page.data.iter().find(|t| metadata_intent_id(&t.metadata) == Some(intent_id)) {
                return Ok(Some(t.clone()));
            }
            if !page.has_next_page {
                return Ok(None);
            }
            match page.end_cursor {
                Some(c) if Some(&c) != after.as_ref() && !page.data.is_empty() => after = Some(c),
                _ => return Err(LookupError::BadReply("the next page's cursor does not move on".into())),
            }
        }
        Err(LookupError::BadReply("more than 10,000 pages".into()))
    }

    /// A cheap call that tells whether the service answers at all.
    pub async fn probe(&self) -> bool {
        matches!(self.transactions(None, None, Some(1), None).await, Ok(_) | Err(LookupError::Status { status: 400..=499, .. }))
    }
}

fn describe(e: &reqwest::Error) -> String {
    use std::error::Error as _;
    let mut s = e.to_string();
    let mut src = e.source();
    while let Some(inner) = src {
        s.push_str(": ");
        s.push_str(&inner.to_string());
        src = inner.source();
    }
    s
}

/// Reads at most `cap` bytes of the body; a longer, cut-off or stalled body is an
/// error with a description.
async fn read_capped(mut resp: reqwest::Response, cap: usize) -> Result<Vec<u8>, String> {
    let mut buf = Vec::new();
    loop {
        match resp.chunk().await {
            Ok(Some(chunk)) => {
                if buf.len() + chunk.len() > cap {
                    return Err(format!("the reply was larger than {cap} bytes"));
                }
                buf.extend_from_slice(&chunk);
            }
            Ok(None) => return Ok(buf),
            Err(e) => return Err(format!("the reply was cut off: {}", describe(&e))),
        }
    }
}

/// The `error.code` and `error.message` of an error body, if it has that shape.
fn error_message(body: &[u8]) -> Option<(String, String)> {
    #[derive(Deserialize)]
    struct Inner {
        code: String,
        message: String,
    }
    #[derive(Deserialize)]
    struct Outer {
        error: Inner,
    }
    let o: Outer = serde_json::from_slice(body).ok()?;
    Some((o.error.code, o.error.message))
}

fn classify(status: u16, body: Result<Vec<u8>, String>, retry_after: Option<Duration>) -> RedeemOutcome {
    let message = |default: &str| -> String {
        body.as_ref().ok().and_then(|b| error_message(b)).map(|(_, m)| m).unwrap_or_else(|| default.to_string())
    };
    match status {
        200..=299 => {
            let body = match body {
                Ok(b) => b,
                Err(e) => return RedeemOutcome::Unknown { reason: format!("the service answered {status} but {e}") },
            };
            match parse_success(&body) {
                Some(r) => RedeemOutcome::Redeemed(r),
                None => RedeemOutcome::Unknown {
                    reason: format!("the service answered {status} with a reply that is not a redemption"),
                },
            }
        }
        400 | 402 | 403 | 404 => match body.as_ref().ok().and_then(|b| error_message(b)) {
            Some((code, message)) => RedeemOutcome::Refused { code, message },
            None => RedeemOutcome::Unknown { reason: format!("the service answered {status} with an unreadable reply") },
        },
        401 => RedeemOutcome::Unauthorized { message: message("The service did not accept the terminal's API key.") },
        409 => RedeemOutcome::InProgress { message: message("A request with this key is still in progress.") },
        422 => RedeemOutcome::KeyReused { message: message("The idempotency key was reused with other parameters.") },
        429 => RedeemOutcome::RateLimited { retry_after, message: message("Too many requests.") },
        500..=599 => RedeemOutcome::ServerError { message: message(&format!("The service failed with HTTP {status}.")) },
        _ => RedeemOutcome::Unknown { reason: format!("the service answered with an unexpected HTTP status {status}") },
    }
}

fn parse_success(body: &[u8]) -> Option<Redemption> {
    #[derive(Deserialize)]
    struct Campaign {
        id: String,
        name: String,
    }
    #[derive(Deserialize)]
    struct Tx {
        id: String,
        value: i64,
        #[serde(default)]
        created_at: String,
    }
    #[derive(Deserialize)]
    struct Success {
        campaign: Campaign,
        transaction: Tx,
    }
    let s: Success = serde_json::from_slice(body).ok()?;
    if s.transaction.id.is_empty() || s.transaction.value < 0 {
        return None;
    }
    Some(Redemption {
        transaction_id: s.transaction.id,
        campaign_id: s.campaign.id,
        campaign_name: s.campaign.name,
        value_cents: s.transaction.value,
        created_at: s.transaction.created_at,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_refusal_keeps_the_services_message_verbatim() {
        let body = br#"{"error":{"code":"redemption_vouchers_used","message":"Vouchers <b>used</b> \u00e9","type":"invalid_request_error"}}"#;
        assert_eq!(
            classify(402, Ok(body.to_vec()), None),
            RedeemOutcome::Refused { code: "redemption_vouchers_used".into(), message: "Vouchers <b>used</b> é".into() }
        );
    }

    #[test]
    fn a_success_that_cannot_be_read_is_unknown_not_redeemed() {
        assert!(matches!(classify(200, Ok(b"<html>".to_vec()), None), RedeemOutcome::Unknown { .. }));
        assert!(matches!(classify(200, Err("cut off".into()), None), RedeemOutcome::Unknown { .. }));
        assert!(matches!(classify(200, Ok(br#"{"campaign":{"id":"c","name":"n"},"transaction":{"id":"","value":5}}"#.to_vec()), None), RedeemOutcome::Unknown { .. }));
    }

    #[test]
    fn the_api_key_never_shows_in_debug_output() {
        let c = ApiConfig::new("http://x", "live_s3cret");
        assert!(!format!("{c:?}").contains("s3cret"));
    }

    #[test]
    fn an_odd_status_is_unknown() {
        assert!(matches!(classify(302, Ok(vec![]), None), RedeemOutcome::Unknown { .. }));
        assert!(matches!(classify(418, Ok(vec![]), None), RedeemOutcome::Unknown { .. }));
    }
}
