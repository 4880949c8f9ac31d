//! The voucher service's HTTP API, as the terminal needs it.
//!
//! The client's one job beyond sending bytes is to say, for every reply or failure,
//! what the sync engine may conclude: redeemed, refused, certainly not executed, or
//! *maybe* executed. Getting that last distinction wrong is how terminals redeem twice
//! or lose redemptions, so every path (including a hostile or broken server) maps to
//! exactly one [`RedeemOutcome`], never a panic and never a hang: bodies are read up
//! to a cap and every request runs under a total timeout.

use crate::ErrorCode;
use std::time::{Duration, Instant};

use serde::{Deserialize, Serialize};
use url::Url;

use crate::domain::intent::metadata_intent_id;

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
    #[error("The service address {0:?} uses plain http: the API key may only travel over https:// (plain http is accepted for this machine's own loopback address only).")]
    InsecureUrl(String),
    #[error("The API key contains characters that cannot be sent in a header.")]
    BadApiKey,
    #[error("The service address must not hold a user name or password (the part before @): they would be stored with every intent and shown in review texts. Enter the address without them; the API key is what signs in.")]
    CredentialsInUrl,
    #[error("Could not set up HTTP: {0}")]
    Http(String),
}

impl ConfigError {
    pub fn code(&self) -> crate::ErrorCode {
        match self {
            ConfigError::BadUrl(_) => ErrorCode::ConfigBadUrl,
            ConfigError::InsecureUrl(_) => ErrorCode::ConfigInsecureUrl,
            ConfigError::BadApiKey => ErrorCode::ConfigBadApiKey,
            ConfigError::CredentialsInUrl => ErrorCode::ConfigCredentialsInUrl,
            ConfigError::Http(_) => ErrorCode::ConfigHttp,
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

/// Everything a redeem call can come to, as the sync engine must act on it. Only the
/// service's own JSON answer proves anything; every variant but `Unknown` is one.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RedeemOutcome {
    /// 2xx with a redemption: redeemed (possibly a replay of an earlier success).
    Redeemed(Redemption),
    /// A 4xx refusal; `message` is the service's own, verbatim. Whether it is final
    /// depends on the intent's history (see [`crate::service::verdict`]).
    Refused { code: String, message: String },
    /// 409: a request with this key is still executing at the service.
    InProgress { message: String },
    /// 422: this key was used with other parameters. Only a bug or tampering.
    KeyReused { message: String },
    /// 429 from the service: not executed; wait at least `retry_after` if given.
    RateLimited { retry_after: Option<Duration>, message: String },
    /// 401 from the service: the terminal's API key is wrong; nothing executed.
    Unauthorized { message: String },
    /// The request certainly never reached the service (no connection was made).
    NotSent { reason: String },
    /// The request may have executed and no answer of the service's own came back:
    /// a timeout, a reset after sending, a cut-off, oversized or unreadable reply, a
    /// 5xx (a gateway can send one after the origin committed), a 3xx, an HTML page.
    Unknown { reason: String, http_status: Option<u16> },
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
            RedeemOutcome::Unauthorized { .. } => "unauthorized",
            RedeemOutcome::NotSent { .. } => "not_sent",
            RedeemOutcome::Unknown { http_status: Some(500..=599), .. } => "server_error",
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
            | RedeemOutcome::Unauthorized { message } => message.clone(),
            RedeemOutcome::NotSent { reason } | RedeemOutcome::Unknown { reason, .. } => reason.clone(),
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
    /// The payout this transaction is reimbursed in, when the service has one.
    #[serde(default)]
    pub bank_statement_id: Option<String>,
}

/// One page of the transactions list.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TransactionPage {
    pub data: Vec<Transaction>,
    pub has_next_page: bool,
    pub end_cursor: Option<String>,
}

/// A walk over the transactions list (see [`ApiClient::pages`]).
pub struct TransactionPages<'a> {
    api: &'a ApiClient,
    start: &'a str,
    end: &'a str,
    after: Option<String>,
    read: u32,
    max_pages: u32,
    done: bool,
}

impl TransactionPages<'_> {
    /// The next page's rows; `None` once the list has been read to its end.
    pub async fn next(&mut self) -> Result<Option<Vec<Transaction>>, LookupError> {
        if self.done {
            return Ok(None);
        }
        if self.read == self.max_pages {
            return Err(LookupError::BadReply(format!("more than {} pages", self.max_pages)));
        }
        self.read += 1;
        let page = self.api.transactions(Some(self.start), Some(self.end), Some(1000), self.after.as_deref()).await?;
        if !page.has_next_page {
            self.done = true;
        } else {
            match page.end_cursor {
                Some(c) if Some(&c) != self.after.as_ref() && !page.data.is_empty() => self.after = Some(c),
                _ => return Err(LookupError::BadReply("the next page's cursor does not move on".into())),
            }
        }
        Ok(Some(page.data))
    }
}

/// Why the transactions list could not be read.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum LookupError {
    /// No connection could be made (refused, or not accepted in time): nobody listens.
    /// The list was never asked, so this alone never sends an intent to review.
    #[error("The service could not be reached: {0}")]
    Unreachable(String),
    /// The service took the request and the list did not answer in time: a failed read
    /// like any other (it counts toward review). It says nothing about whether
    /// redemptions can be sent.
    #[error("The service's transactions list did not answer in time: {0}")]
    TimedOut(String),
    #[error("The service answered {status}: {message}")]
    Status { status: u16, message: String, retry_after: Option<Duration> },
    #[error("The service's transactions list could not be read: {0}")]
    BadReply(String),
}

impl LookupError {
    pub fn code(&self) -> crate::ErrorCode {
        match self {
            LookupError::Unreachable(_) => ErrorCode::LookupUnreachable,
            LookupError::TimedOut(_) => ErrorCode::LookupTimeout,
            LookupError::Status { .. } => ErrorCode::LookupStatus,
            LookupError::BadReply(_) => ErrorCode::LookupBadReply,
        }
    }
}

/// The voucher service client. Cheap to clone (shares its connection pool).
#[derive(Clone)]
pub struct ApiClient {
    http: reqwest::Client,
    base: Url,
    api_key: reqwest::header::HeaderValue,
    key_fingerprint: String,
    max_body: usize,
    /// The service's clock as last seen in a `Date` header, and when (monotonic).
    service_clock: std::sync::Arc<std::sync::Mutex<Option<(i64, Instant)>>>,
}

/// Whether the terminal may use `raw` as its service address (what [`ApiClient::new`]
/// checks of it), without building a client: settings, start-up and the CLI refuse a
/// bad address before anything else happens.
pub fn check_service_url(raw: &str) -> Result<(), ConfigError> {
    service_url(raw).map(|_| ())
}

/// The service's base URL (ending in `/`), and whether it is this machine's.
fn service_url(raw: &str) -> Result<(Url, bool), ConfigError> {
    let mut base = Url::parse(raw).map_err(|_| ConfigError::BadUrl(raw.to_string()))?;
    if !matches!(base.scheme(), "http" | "https") || base.cannot_be_a_base() {
        return Err(ConfigError::BadUrl(raw.to_string()));
    }
    // Every request carries the API key: in clear text it may only go to this machine.
    let loopback = match base.host() {
        Some(url::Host::Domain(d)) => d.eq_ignore_ascii_case("localhost"),
        Some(url::Host::Ipv4(ip)) => ip.is_loopback(),
        Some(url::Host::Ipv6(ip)) => ip.is_loopback(),
        None => false,
    };
    if !base.username().is_empty() || base.password().is_some() {
        return Err(ConfigError::CredentialsInUrl);
    }
    if base.scheme() == "http" && !loopback {
        return Err(ConfigError::InsecureUrl(raw.to_string()));
    }
    if !base.path().ends_with('/') {
        let p = format!("{}/", base.path());
        base.set_path(&p);
    }
    Ok((base, loopback))
}

impl ApiClient {
    pub fn new(cfg: &ApiConfig) -> Result<Self, ConfigError> {
        let (base, loopback) = service_url(&cfg.base_url)?;
        let mut api_key = reqwest::header::HeaderValue::from_str(&cfg.api_key).map_err(|_| ConfigError::BadApiKey)?;
        api_key.set_sensitive(true);
        let mut http = reqwest::Client::builder();
        if loopback {
            // This machine's own service is reached directly: an `HTTP_PROXY` or
            // `ALL_PROXY` in the environment would otherwise receive the API key in
            // clear text. Other addresses use the system's proxy, as a store may need.
            http = http.no_proxy();
        }
        let http = http
            .connect_timeout(cfg.connect_timeout)
            .timeout(cfg.total_timeout)
            .redirect(reqwest::redirect::Policy::none())
            .user_agent(concat!("voucher-pos/", env!("CARGO_PKG_VERSION")))
            .build()
            .map_err(|e| ConfigError::Http(e.to_string()))?;
        Ok(ApiClient {
            http,
            base,
            api_key,
            key_fingerprint: key_fingerprint(&cfg.api_key),
            max_body: cfg.max_body_bytes,
            service_clock: Default::default(),
        })
    }

    pub fn base_url(&self) -> &str {
        self.base.as_str()
    }

    /// The service's "now" (Unix ms), estimated from the last `Date` header it sent:
    /// independent of the terminal's own clock. `None` until it has answered once.
    pub fn service_now_ms(&self) -> Option<i64> {
        let seen = *self.service_clock.lock().unwrap_or_else(|p| p.into_inner());
        seen.map(|(date, at)| date.saturating_add(at.elapsed().as_millis() as i64))
    }

    fn saw_service_date(&self, date: Option<i64>) {
        if let Some(d) = date {
            *self.service_clock.lock().unwrap_or_else(|p| p.into_inner()) = Some((d, Instant::now()));
        }
    }

    /// Tells API keys apart without holding them (see [`key_fingerprint`]).
    pub fn key_fingerprint(&self) -> &str {
        &self.key_fingerprint
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
                    RedeemOutcome::Unknown { reason: describe(&e), http_status: None }
                };
                return RedeemReply { outcome, http_status: None, replayed: false, elapsed: started.elapsed() };
            }
        };
        let status = resp.status().as_u16();
        let replayed = resp.headers().get("idempotent-replayed").and_then(|v| v.to_str().ok()) == Some("true");
        let service_date = header_date(resp.headers());
        self.saw_service_date(service_date);
        let retry_after = retry_after(resp.headers(), service_date);
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
            .map_err(|e| list_not_answered(&e))?;
        let status = resp.status().as_u16();
        let service_date = header_date(resp.headers());
        self.saw_service_date(service_date);
        let retry_after = retry_after(resp.headers(), service_date);
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
        Ok(TransactionPage {
            data: page.data,
            has_next_page: page.page_info.has_next_page,
            end_cursor: page.page_info.end_cursor,
        })
    }

    /// Finds the redemption whose metadata carries `intent_ID:<intent_id>`, reading
    /// every page between two UTC dates. `Ok(None)` means the service listed the whole
    /// range and it is not there; an inverted range is refused, never read as empty.
    pub async fn find_by_intent(
        &self,
        intent_id: &str,
        start: &str,
        end: &str,
    ) -> Result<Option<Transaction>, LookupError> {
        if start > end {
            return Err(LookupError::BadReply(format!(
                "the range {start}..{end} is inverted; nothing can be concluded from it"
            )));
        }
        let mut pages = self.pages(start, end, 10_000);
        while let Some(data) = pages.next().await? {
            if let Some(t) = data.into_iter().find(|t| metadata_intent_id(&t.metadata) == Some(intent_id)) {
                return Ok(Some(t));
            }
        }
        Ok(None)
    }

    /// Every page of the transactions list between two UTC dates, in pages of 1,000,
    /// with the rules every reader of the list needs: the next page's cursor must move
    /// on, and more than `max_pages` pages is an error, not an end.
    pub fn pages<'a>(&'a self, start: &'a str, end: &'a str, max_pages: u32) -> TransactionPages<'a> {
        TransactionPages { api: self, start, end, after: None, read: 0, max_pages, done: false }
    }

    /// A cheap call that tells whether the service answers at all, and learns its time
    /// from the reply's `Date`. Any HTTP answer counts, a 404 or a 5xx included: the
    /// service (or its proxy) is reachable, and the engine paces itself by what its
    /// requests meet.
    ///
    /// It is a `GET` of the service's base URL, never the transactions list and never a
    /// redeem: a slow or failing list must not read as "offline" (nor cost the service
    /// a query every second), and a `GET` of a path the contract gives no effect cannot
    /// redeem anything. It carries no API key, which that path does not need.
    pub async fn probe(&self) -> bool {
        self.probe_once().await.is_ok()
    }

    /// The probe's request: `Ok` with the reply's `Date` (recorded) on any HTTP answer,
    /// `Err` with what happened when none came. The body is never read.
    async fn probe_once(&self) -> Result<Option<i64>, String> {
        let resp = self.http.get(self.base.clone()).send().await.map_err(|e| describe(&e))?;
        let date = header_date(resp.headers());
        self.saw_service_date(date);
        Ok(date)
    }

    /// The service's "now" (Unix ms), learned through the probe when no reply has shown
    /// it yet. The engine sends no redemption and reads no list before it is known: the
    /// lookup range rests on it (see [`crate::service::verdict::lookup_range`]).
    pub async fn service_time(&self) -> Result<i64, ServiceTimeError> {
        if let Some(t) = self.service_now_ms() {
            return Ok(t);
        }
        self.probe_once().await.map_err(ServiceTimeError::Unreachable)?;
        // Another reply may have shown it meanwhile; either way it is read from one place.
        self.service_now_ms().ok_or(ServiceTimeError::NoDate)
    }
}

/// Why the service's time could not be learned.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ServiceTimeError {
    #[error("The service could not be reached to learn its time: {0}")]
    Unreachable(String),
    #[error("The service answered without a Date header, so its time is not known: nothing is sent, and no list is read, until it is.")]
    NoDate,
}

impl ServiceTimeError {
    pub fn code(&self) -> crate::ErrorCode {
        match self {
            ServiceTimeError::Unreachable(_) => ErrorCode::ServiceTimeUnreachable,
            ServiceTimeError::NoDate => ErrorCode::ServiceTimeUnknown,
        }
    }
}

/// A list request that got no HTTP answer. Only a connection that was never made
/// (refused, or not accepted in time) is "unreachable"; once the service took the
/// request, no answer in time is a timeout and anything else a broken reply: both are
/// failed reads that count toward review.
fn list_not_answered(e: &reqwest::Error) -> LookupError {
    if e.is_connect() || e.is_builder() {
        LookupError::Unreachable(describe(e))
    } else if e.is_timeout() {
        LookupError::TimedOut(describe(e))
    } else {
        LookupError::BadReply(format!("the connection broke before the list answered: {}", describe(e)))
    }
}

/// A short, stable fingerprint of an API key: enough to tell two keys apart in the
/// intent log, useless for recovering the key (a keyed BLAKE2 digest, 64 bits shown).
pub fn key_fingerprint(api_key: &str) -> String {
    use blake2::digest::{FixedOutput, KeyInit, Update};
    let mut mac =
        blake2::Blake2sMac256::new_from_slice(b"voucher-pos key fingerprint v1").expect("a short fixed key fits");
    Update::update(&mut mac, api_key.as_bytes());
    mac.finalize_fixed()[..8].iter().map(|b| format!("{b:02x}")).collect()
}

/// The longest wait a `Retry-After` may impose: minutes, not years.
pub const RETRY_AFTER_CAP: Duration = Duration::from_secs(600);

/// The `Date` header as Unix milliseconds.
fn header_date(h: &reqwest::header::HeaderMap) -> Option<i64> {
    let v = h.get("date")?.to_str().ok()?;
    let t = httpdate::parse_http_date(v.trim()).ok()?;
    let ms = t.duration_since(std::time::UNIX_EPOCH).ok()?.as_millis();
    i64::try_from(ms).ok()
}

/// `Retry-After` as seconds or as an HTTP date (measured against the reply's own `Date`
/// when it has one, so that our clock cannot stretch it), capped at [`RETRY_AFTER_CAP`].
fn retry_after(h: &reqwest::header::HeaderMap, service_date: Option<i64>) -> Option<Duration> {
    let v = h.get("retry-after")?.to_str().ok()?.trim();
    parse_retry_after(v, service_date.unwrap_or_else(system_now_ms))
}

fn system_now_ms() -> i64 {
    std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map(|d| d.as_millis() as i64).unwrap_or(0)
}

/// Parses a `Retry-After` value against "now" (Unix ms); never overflows or panics.
pub fn parse_retry_after(v: &str, now_ms: i64) -> Option<Duration> {
    let v = v.trim();
    if !v.is_empty() && v.bytes().all(|b| b.is_ascii_digit()) {
        // Any number of digits: too large for u64 is simply "very long".
        let secs = v.parse::<u64>().unwrap_or(u64::MAX);
        return Some(Duration::from_secs(secs).min(RETRY_AFTER_CAP));
    }
    let at = httpdate::parse_http_date(v).ok()?;
    let at_ms = i64::try_from(at.duration_since(std::time::UNIX_EPOCH).ok()?.as_millis()).ok()?;
    let wait = at_ms.saturating_sub(now_ms).max(0) as u64;
    Some(Duration::from_millis(wait).min(RETRY_AFTER_CAP))
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
    let unknown = |why: String| RedeemOutcome::Unknown { reason: why, http_status: Some(status) };
    if (200..=299).contains(&status) {
        let body = match body {
            Ok(b) => b,
            Err(e) => return unknown(format!("the service answered {status} but {e}")),
        };
        return match parse_success(&body) {
            Some(r) => RedeemOutcome::Redeemed(r),
            None => unknown(format!("the service answered {status} with a reply that is not a redemption")),
        };
    }
    if (500..=599).contains(&status) {
        // Whatever the body says: a gateway can answer 5xx after the origin committed.
        let said = body.as_ref().ok().and_then(|b| error_message(b)).map(|(_, m)| format!(": {m}")).unwrap_or_default();
        return unknown(format!(
            "HTTP {status} (from the service or a proxy in front of it; it may have executed){said}"
        ));
    }
    // Below here only the service's own JSON error proves anything; an HTML page or an
    // empty body with the same status may come from a proxy.
    let Some((code, message)) = body.as_ref().ok().and_then(|b| error_message(b)) else {
        return unknown(format!("HTTP {status} without the service's JSON error; it may have executed"));
    };
    match status {
        400 | 402 | 403 | 404 => RedeemOutcome::Refused { code, message },
        401 => RedeemOutcome::Unauthorized { message },
        409 => RedeemOutcome::InProgress { message },
        422 => RedeemOutcome::KeyReused { message },
        429 => RedeemOutcome::RateLimited { retry_after, message },
        _ => unknown(format!("the service answered with an unexpected HTTP status {status}")),
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
            RedeemOutcome::Refused {
                code: "redemption_vouchers_used".into(),
                message: "Vouchers <b>used</b> é".into()
            }
        );
    }

    #[test]
    fn a_success_that_cannot_be_read_is_unknown_not_redeemed() {
        assert!(matches!(classify(200, Ok(b"<html>".to_vec()), None), RedeemOutcome::Unknown { .. }));
        assert!(matches!(classify(200, Err("cut off".into()), None), RedeemOutcome::Unknown { .. }));
        assert!(matches!(
            classify(
                200,
                Ok(br#"{"campaign":{"id":"c","name":"n"},"transaction":{"id":"","value":5}}"#.to_vec()),
                None
            ),
            RedeemOutcome::Unknown { .. }
        ));
    }

    #[test]
    fn the_api_key_goes_over_plain_http_to_loopback_only() {
        for ok in [
            "https://api.redeem.gov.sg",
            "http://127.0.0.1:8787",
            "http://127.5.6.7",
            "http://localhost:1",
            "http://[::1]:9/",
        ] {
            assert!(ApiClient::new(&ApiConfig::new(ok, "k")).is_ok(), "{ok}");
        }
        for bad in [
            "http://api.redeem.gov.sg",
            "http://10.0.0.5:8787",
            "http://192.168.1.2",
            "http://localhost.evil.example",
            "http://[::2]/",
        ] {
            let e = ApiClient::new(&ApiConfig::new(bad, "k")).err().expect(bad);
            assert_eq!(e.code(), "config_insecure_url", "{bad}");
            assert!(e.to_string().contains("https://"), "{e}");
        }
    }

    #[test]
    fn a_service_address_with_a_user_or_password_is_refused_and_not_repeated() {
        for bad in
            ["https://shop:hunter2@api.redeem.gov.sg", "https://shop@api.redeem.gov.sg", "http://u:p@127.0.0.1:8787"]
        {
            let e = ApiClient::new(&ApiConfig::new(bad, "k")).err().expect(bad);
            assert_eq!(e.code(), "config_credentials_in_url", "{bad}");
            assert!(!e.to_string().contains("hunter2"), "{e}");
        }
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

    #[test]
    fn a_5xx_may_have_executed_even_with_a_json_body() {
        let json = br#"{"error":{"code":"internal_error","message":"boom","type":"api_error"}}"#.to_vec();
        for status in [500, 502, 503, 504] {
            assert!(
                matches!(classify(status, Ok(json.clone()), None), RedeemOutcome::Unknown { http_status: Some(s), .. } if s == status)
            );
            assert!(matches!(
                classify(status, Ok(b"<html>502 Bad Gateway</html>".to_vec()), None),
                RedeemOutcome::Unknown { .. }
            ));
        }
    }

    #[test]
    fn a_refusal_or_429_without_the_services_json_proves_nothing() {
        for status in [400, 401, 402, 403, 404, 409, 422, 429] {
            let o = classify(status, Ok(b"<html><body>Forbidden</body></html>".to_vec()), None);
            assert!(matches!(o, RedeemOutcome::Unknown { .. }), "{status}: {o:?}");
        }
    }

    #[test]
    fn retry_after_takes_seconds_or_a_date_and_is_capped() {
        let now = 1_784_000_000_000; // 2026-07-14
        assert_eq!(parse_retry_after("7", now), Some(Duration::from_secs(7)));
        assert_eq!(parse_retry_after("99999999999999999999999999", now), Some(RETRY_AFTER_CAP));
        assert_eq!(parse_retry_after(" 3600 ", now), Some(RETRY_AFTER_CAP));
        let in_90s = httpdate::fmt_http_date(std::time::UNIX_EPOCH + Duration::from_millis(now as u64 + 90_000));
        assert_eq!(parse_retry_after(&in_90s, now), Some(Duration::from_secs(90)));
        assert_eq!(
            parse_retry_after("Sun, 06 Nov 1994 08:49:37 GMT", now),
            Some(Duration::ZERO),
            "a date in the past waits nothing"
        );
        assert_eq!(parse_retry_after("Fri, 31 Dec 9999 23:59:59 GMT", now), Some(RETRY_AFTER_CAP));
        assert_eq!(parse_retry_after("-5", now), None);
        assert_eq!(parse_retry_after("soon", now), None);
        assert_eq!(parse_retry_after("", now), None);
    }

    #[test]
    fn key_fingerprints_tell_keys_apart_without_showing_them() {
        let a = key_fingerprint("live_s3cret_one");
        assert_eq!(a, key_fingerprint("live_s3cret_one"));
        assert_ne!(a, key_fingerprint("live_s3cret_two"));
        assert_eq!(a.len(), 16);
        assert!(!a.contains("s3cret"));
    }
}
