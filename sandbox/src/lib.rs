//! The reference voucher service: `shared/docs/redeem-api.md`, implemented a second
//! time on the service's side, so that the terminal can be demonstrated and tested on
//! one machine, faults included.
//!
//! It deliberately shares no code (not even types) with the terminal core: a misreading
//! of the contract in one cannot hide behind the same misreading in the other.
//!
//! Faults that act "at the connection level" (offline, drop after commit) must leave
//! the client with no HTTP answer at all. That is why the server runs its own accept
//! loop: every request carries a kill switch for its connection, and a handler that
//! fires it makes hyper drop the socket without writing a response.
//!
//! "Offline" is a store whose link is down: nobody listens on the service's port (a
//! connection is refused, so the client knows nothing was sent) and open connections
//! are closed. The admin routes therefore also answer on a second, loopback-only port
//! that stays up, so a test can bring the service back.
//!
//! `PUT /_sandbox/faults` answers only once its settings are in effect: the accept
//! loop acknowledges each change of the link (a generation number), and the handler
//! waits for that. Without it, "back online" answered before the port was bound
//! again, and a test's (or the soak's) next connect could be refused at random. A
//! body it cannot apply (an unknown field, a status it cannot inject, a rate outside
//! 0..1) is refused with the field named and changes nothing: a fault step that
//! silently injects nothing proves nothing.

pub mod ledger;
pub mod printer;

use std::collections::{HashMap, HashSet};
use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use axum::body::{Body, Bytes};
use axum::extract::{Query, State};
use axum::http::{HeaderMap, HeaderValue, Request, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post, put};
use axum::{Extension, Json, Router};
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};
use rusqlite::Connection;
use serde::Deserialize;
use serde_json::json;
use tokio::net::TcpListener;
use tokio::sync::{watch, Notify};
use tower::ServiceExt;

/// How the sandbox is run.
#[derive(Debug, Clone)]
pub struct Config {
    /// Accepted `x-api-key` values.
    pub api_keys: Vec<String>,
    /// How long a saved idempotent result is replayed.
    pub key_ttl: Duration,
    /// The SQLite file; `None` keeps everything in memory.
    pub db: Option<PathBuf>,
    /// Seed for the fault dice, so a fault schedule replays exactly.
    pub seed: u64,
}

impl Default for Config {
    fn default() -> Self {
        Config { api_keys: vec!["test_sandbox".into()], key_ttl: Duration::from_secs(24 * 3600), db: None, seed: 0 }
    }
}

/// Parses `2s`, `15m`, `24h`, `500ms`.
pub fn parse_duration(s: &str) -> Result<Duration, String> {
    let s = s.trim();
    let (num, unit) = s.split_at(s.find(|c: char| !c.is_ascii_digit()).unwrap_or(s.len()));
    let n: u64 = num.parse().map_err(|_| format!("{s:?} is not a duration like 2s, 15m or 24h"))?;
    let ms = match unit {
        "ms" => n,
        "s" => n * 1000,
        "m" => n * 60_000,
        "h" => n * 3_600_000,
        _ => return Err(format!("{s:?} is not a duration like 2s, 15m or 24h")),
    };
    Ok(Duration::from_millis(ms))
}

/// The fault settings of `PUT /_sandbox/faults`; a missing field means off.
#[derive(Debug, Clone, Default, Deserialize, serde::Serialize, PartialEq)]
#[serde(default, deny_unknown_fields)]
pub struct Faults {
    pub latency_ms: u64,
    pub error_rate: HashMap<String, f64>,
    pub drop_after_commit_rate: f64,
    pub offline: bool,
    /// Seconds sent in `Retry-After` with an injected 429.
    pub retry_after_s: Option<u64>,
    /// Sends that `Retry-After` as an HTTP date (now plus the seconds, by the
    /// service's clock), the standard's other form: a client must measure it against
    /// the reply's `Date`, not its own clock, which may be days off.
    pub retry_after_as_date: bool,
    /// Answers a request that executed and saved a result (or its replay) the way a
    /// reverse proxy does when the origin was slow: 502 with an HTML page.
    pub gateway_error_after_commit_rate: f64,
    /// `GET /v1/transactions` fails with 500 at this rate (a list that fails for a while).
    pub transactions_error_rate: f64,
    /// `GET /v1/transactions` answers only after this many milliseconds (a list slower
    /// than a client's timeout), while redeems answer at their own pace.
    pub list_latency_ms: u64,
}

/// The statuses `error_rate` can inject.
const INJECTABLE: [&str; 4] = ["401", "429", "500", "503"];

/// Why a fault body cannot be applied, naming the field.
struct BadFault {
    field: Option<String>,
    message: String,
}

impl Faults {
    /// Reads a `PUT /_sandbox/faults` body. Each field is read on its own first, so
    /// that a bad one is named (serde names an unknown field, not a mistyped one).
    fn parse(body: &[u8]) -> Result<Faults, BadFault> {
        let fields = match serde_json::from_slice::<serde_json::Value>(body) {
            Ok(serde_json::Value::Object(fields)) => fields,
            Ok(_) => {
                return Err(BadFault {
                    field: None,
                    message: "the body must be a JSON object of fault settings".into(),
                })
            }
            Err(e) => return Err(BadFault { field: None, message: format!("the body is not JSON: {e}") }),
        };
        for (name, value) in &fields {
            let one: serde_json::Map<String, serde_json::Value> = [(name.clone(), value.clone())].into_iter().collect();
            if let Err(e) = serde_json::from_value::<Faults>(serde_json::Value::Object(one)) {
                return Err(BadFault { field: Some(name.clone()), message: format!("{name}: {e}") });
            }
        }
        let faults: Faults = serde_json::from_value(serde_json::Value::Object(fields))
            .map_err(|e| BadFault { field: None, message: e.to_string() })?;
        faults.check()?;
        Ok(faults)
    }

    /// What serde cannot see: a rate must be a probability, and a status with a
    /// rate above zero must be one this sandbox injects (a zero rate asks for nothing).
    fn check(&self) -> Result<(), BadFault> {
        let rate = |field: String, r: f64| {
            if (0.0..=1.0).contains(&r) {
                Ok(())
            } else {
                Err(BadFault { message: format!("{field} must be a rate from 0 to 1, not {r}"), field: Some(field) })
            }
        };
        rate("drop_after_commit_rate".into(), self.drop_after_commit_rate)?;
        rate("gateway_error_after_commit_rate".into(), self.gateway_error_after_commit_rate)?;
        rate("transactions_error_rate".into(), self.transactions_error_rate)?;
        for (status, r) in &self.error_rate {
            rate(format!("error_rate.{status}"), *r)?;
            if *r > 0.0 && !INJECTABLE.contains(&status.as_str()) {
                return Err(BadFault {
                    field: Some(format!("error_rate.{status}")),
                    message: format!("error_rate.{status}: only {} can be injected", INJECTABLE.join(", ")),
                });
            }
        }
        Ok(())
    }
}

/// What was last asked of the service's link. `generation` counts the requests, so
/// that whoever asked can wait until the accept loop has acted on theirs.
#[derive(Debug, Clone, Copy, Default)]
struct Link {
    offline: bool,
    generation: u64,
}

/// How long `PUT /_sandbox/faults` waits for its link change to be in effect before
/// it says it could not be (the port taken by another process meanwhile).
const LINK_CHANGE_LIMIT: Duration = Duration::from_secs(10);

struct Shared {
    /// Mirrors `faults.offline`, for the accept loop and open connections to watch.
    link: watch::Sender<Link>,
    /// The newest `Link::generation` the accept loop has put in effect: the port
    /// bound (connects complete) or closed (connects refused).
    link_applied: watch::Sender<u64>,
    config: Config,
    db: Mutex<Connection>,
    faults: Mutex<Faults>,
    dice: Mutex<StdRng>,
    in_progress: Mutex<HashSet<(String, String)>>,
    redeem_requests: Mutex<HashMap<String, u64>>,
    /// How many times each injected fault was served, so a soak can show which
    /// faults its schedule really reached.
    faults_served: Mutex<std::collections::BTreeMap<&'static str, u64>>,
}

impl Shared {
    fn db(&self) -> std::sync::MutexGuard<'_, Connection> {
        self.db.lock().unwrap_or_else(|p| p.into_inner())
    }
    fn roll(&self) -> f64 {
        self.dice.lock().unwrap().gen::<f64>()
    }
    fn served(&self, fault: &'static str) {
        tracing::info!(fault, "injected fault");
        *self.faults_served.lock().unwrap().entry(fault).or_default() += 1;
    }
    /// Asks the accept loop for the link; returns the request's generation and
    /// whether the link was asked to be offline before.
    fn ask_link(&self, offline: bool) -> (u64, bool) {
        let mut asked = (0, false);
        self.link.send_modify(|l| {
            asked = (l.generation + 1, l.offline);
            l.offline = offline;
            l.generation += 1;
        });
        asked
    }
    /// Called by the accept loop once the link is as `generation` asked.
    fn link_in_effect(&self, generation: u64) {
        self.link_applied.send_if_modified(|g| {
            let newer = *g < generation;
            if newer {
                *g = generation;
            }
            newer
        });
    }
    /// Waits until the accept loop has acted on `generation` (or a later request).
    async fn link_change_done(&self, generation: u64) -> bool {
        let mut applied = self.link_applied.subscribe();
        let done = async move { applied.wait_for(|g| *g >= generation).await.is_ok() };
        matches!(tokio::time::timeout(LINK_CHANGE_LIMIT, done).await, Ok(true))
    }
}

fn now_ms() -> i64 {
    std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap().as_millis() as i64
}

/// An HTTP date (IMF-fixdate, RFC 9110): `Sun, 06 Nov 1994 08:49:37 GMT`.
fn http_date(ms: i64) -> String {
    let t = time::OffsetDateTime::from_unix_timestamp(ms.div_euclid(1000)).unwrap();
    t.format(time::macros::format_description!(
        "[weekday repr:short], [day] [month repr:short] [year] [hour]:[minute]:[second] GMT"
    ))
    .unwrap()
}

fn rfc3339(ms: i64) -> String {
    let t = time::OffsetDateTime::from_unix_timestamp_nanos(ms as i128 * 1_000_000).unwrap();
    t.format(&time::format_description::well_known::Rfc3339).unwrap()
}

/// Drops the connection the request came on, without an answer.
#[derive(Clone)]
struct ConnKill(Arc<Notify>);

#[derive(Clone, Copy)]
struct Peer(SocketAddr);

impl ConnKill {
    async fn drop_connection(&self) -> Response {
        self.0.notify_one();
        std::future::pending().await
    }
}

/// A running sandbox.
pub struct Running {
    pub addr: SocketAddr,
    /// The admin routes' own loopback port, up even while the service is offline.
    pub admin_addr: SocketAddr,
    shared: Arc<Shared>,
    stop: watch::Sender<bool>,
    task: tokio::task::JoinHandle<()>,
    admin_task: tokio::task::JoinHandle<()>,
}

impl Running {
    pub fn url(&self) -> String {
        format!("http://{}", self.addr)
    }

    pub fn admin_url(&self) -> String {
        format!("http://{}", self.admin_addr)
    }

    /// Seeds demo vouchers and returns their codes, described.
    pub fn seed_demo(&self) -> rusqlite::Result<Vec<(String, String)>> {
        seed_demo(&self.shared)
    }

    /// Switches the "offline" fault (for the terminal's own demo toggle). Returns at
    /// once; [`Running::set_offline_and_wait`] returns once it is in effect.
    pub fn set_offline(&self, offline: bool) {
        let mut faults = self.shared.faults.lock().unwrap();
        faults.offline = offline;
        self.shared.ask_link(offline);
    }

    /// As [`Running::set_offline`], returning once connects are refused (offline) or
    /// accepted (online); `false` if that did not happen in time.
    pub async fn set_offline_and_wait(&self, offline: bool) -> bool {
        let generation = {
            let mut faults = self.shared.faults.lock().unwrap();
            faults.offline = offline;
            self.shared.ask_link(offline).0
        };
        self.shared.link_change_done(generation).await
    }

    /// Stops accepting and waits for the accept loops to end.
    pub async fn stop(self) {
        let _ = self.stop.send(true);
        let _ = self.task.await;
        let _ = self.admin_task.await;
    }
}

/// Serves one accepted connection; it is closed when a handler asks, or, when
/// `offline` is given, as soon as the service goes offline.
fn serve_connection(
    app: Router,
    stream: tokio::net::TcpStream,
    peer: SocketAddr,
    offline: Option<watch::Receiver<Link>>,
) {
    let kill = Arc::new(Notify::new());
    let k = kill.clone();
    let svc = hyper::service::service_fn(move |mut req: Request<hyper::body::Incoming>| {
        req.extensions_mut().insert(ConnKill(k.clone()));
        req.extensions_mut().insert(Peer(peer));
        app.clone().oneshot(req.map(Body::new))
    });
    tokio::spawn(async move {
        let builder = hyper_util::server::conn::auto::Builder::new(hyper_util::rt::TokioExecutor::new());
        let conn = builder.serve_connection(hyper_util::rt::TokioIo::new(stream), svc);
        let went_offline = async move {
            match offline {
                Some(mut rx) => {
                    let _ = rx.wait_for(|l| l.offline).await;
                }
                None => std::future::pending::<()>().await,
            }
        };
        tokio::select! {
            _ = conn => {}
            _ = kill.notified() => {}
            _ = went_offline => {}
        }
    });
}

/// Binds and serves until [`Running::stop`].
pub async fn start(config: Config, listen: SocketAddr) -> std::io::Result<Running> {
    let db = ledger::open(config.db.as_deref()).map_err(std::io::Error::other)?;
    let shared = Arc::new(Shared {
        link: watch::channel(Link::default()).0,
        link_applied: watch::channel(0).0,
        dice: Mutex::new(StdRng::seed_from_u64(config.seed)),
        config,
        db: Mutex::new(db),
        faults: Mutex::new(Faults::default()),
        in_progress: Mutex::new(HashSet::new()),
        redeem_requests: Mutex::new(HashMap::new()),
        faults_served: Mutex::new(Default::default()),
    });
    let listener = TcpListener::bind(listen).await?;
    let addr = listener.local_addr()?;
    let admin_listener = TcpListener::bind(SocketAddr::from(([127, 0, 0, 1], 0))).await?;
    let admin_addr = admin_listener.local_addr()?;
    let (stop, stopped) = watch::channel(false);
    let app = router(shared.clone());
    let mut link = shared.link.subscribe();
    let mut stopped_main = stopped.clone();
    let main_app = app.clone();
    let loop_shared = shared.clone();
    let task = tokio::spawn(async move {
        let mut listener = Some(listener);
        loop {
            let asked = *link.borrow_and_update();
            if asked.offline {
                // Nobody listens: a client's connect is refused, so it knows nothing was sent.
                listener = None;
                loop_shared.link_in_effect(asked.generation);
                tokio::select! {
                    _ = link.changed() => continue,
                    _ = stopped_main.changed() => break,
                }
            }
            let Some(l) = listener.as_ref() else {
                match TcpListener::bind(addr).await {
                    Ok(l) => listener = Some(l),
                    // The port is briefly held elsewhere: try again (the asker waits).
                    Err(_) => tokio::select! {
                        _ = tokio::time::sleep(Duration::from_millis(20)) => {}
                        _ = stopped_main.changed() => break,
                    },
                }
                continue;
            };
            // Bound and listening: from here on the kernel completes every connect,
            // and this loop accepts it.
            loop_shared.link_in_effect(asked.generation);
            tokio::select! {
                r = l.accept() => if let Ok((stream, peer)) = r {
                    serve_connection(main_app.clone(), stream, peer, Some(link.clone()));
                },
                _ = link.changed() => {}
                _ = stopped_main.changed() => break,
            }
        }
    });
    let mut stopped_admin = stopped;
    let admin_task = tokio::spawn(async move {
        loop {
            tokio::select! {
                r = admin_listener.accept() => if let Ok((stream, peer)) = r {
                    serve_connection(app.clone(), stream, peer, None);
                },
                _ = stopped_admin.changed() => break,
            }
        }
    });
    Ok(Running { addr, admin_addr, shared, stop, task, admin_task })
}

fn router(shared: Arc<Shared>) -> Router {
    // Every admin route is loopback-only, by one layer rather than a check per handler.
    let admin = Router::new()
        .route("/_sandbox/vouchers", post(admin_vouchers).get(admin_list_vouchers))
        .route("/_sandbox/vouchers/state", post(admin_voucher_state))
        .route("/_sandbox/faults", put(admin_set_faults).get(admin_get_faults))
        .route("/_sandbox/ledger", get(admin_ledger))
        .route("/_sandbox/ledger/bulk", post(admin_ledger_bulk))
        .route("/_sandbox/requests", get(admin_requests))
        .route("/_sandbox/keys/prune", post(admin_prune_keys))
        .route_layer(axum::middleware::from_fn(loopback_only));
    Router::new()
        .route("/v1/vouchers/redeem", post(redeem))
        .route("/v1/transactions", get(transactions))
        .merge(admin)
        .layer(axum::middleware::from_fn(trace_request))
        .with_state(shared)
}

/// One span per request (method, path, the idempotency key's first 8 characters),
/// and one event with its answer: what a person reading the service's side of an
/// incident needs. Bodies are not logged (they hold voucher codes).
async fn trace_request(req: Request<Body>, next: axum::middleware::Next) -> Response {
    use tracing::Instrument;
    let key: String =
        req.headers().get("idempotency-key").and_then(|v| v.to_str().ok()).unwrap_or("-").chars().take(8).collect();
    let span = tracing::info_span!("request", method = %req.method(), path = req.uri().path(), key);
    let started = std::time::Instant::now();
    let resp = next.run(req).instrument(span.clone()).await;
    span.in_scope(|| {
        tracing::info!(
            status = resp.status().as_u16(),
            replayed = resp.headers().contains_key("idempotent-replayed"),
            ms = started.elapsed().as_millis() as u64,
            "answered"
        )
    });
    resp
}

fn error_body(code: &str, message: &str, kind: &str) -> Vec<u8> {
    serde_json::to_vec(&json!({"error": {"code": code, "message": message, "type": kind}})).unwrap()
}

fn respond(status: u16, body: Vec<u8>) -> Response {
    let mut r = Response::new(Body::from(body));
    *r.status_mut() = StatusCode::from_u16(status).unwrap();
    r.headers_mut().insert("content-type", HeaderValue::from_static("application/json"));
    r
}

fn error(status: u16, code: &str, message: &str, kind: &str) -> Response {
    respond(status, error_body(code, message, kind))
}

fn invalid(message: &str) -> Response {
    error(400, "invalid_request", message, "invalid_request_error")
}

/// Faults act before authentication and idempotency, so they store nothing.
async fn injected_fault(s: &Shared, kill: &ConnKill) -> Option<Response> {
    let faults = s.faults.lock().unwrap().clone();
    if faults.offline {
        s.served("offline_open_connection_dropped");
        return Some(kill.drop_connection().await);
    }
    for (status, code, message, kind) in [
        ("429", "rate_limited", "Too many requests. Please retry later.", "api_error"),
        ("500", "internal_error", "An internal error occurred.", "api_error"),
        ("503", "service_unavailable", "The service is temporarily unavailable.", "api_error"),
        // The service's key check failing for a while (its key store down, a key
        // revoked and restored): refused before anything executes.
        ("401", "unauthorized", "Invalid or missing API key.", "invalid_request_error"),
    ] {
        let rate = faults.error_rate.get(status).copied().unwrap_or(0.0);
        if rate > 0.0 && s.roll() < rate {
            let mut r = error(status.parse().unwrap(), code, message, kind);
            let mut served = status;
            if status == "429" {
                let secs = faults.retry_after_s.unwrap_or(1);
                let value = if faults.retry_after_as_date {
                    served = "429_retry_after_date";
                    http_date(now_ms() + secs as i64 * 1000)
                } else {
                    secs.to_string()
                };
                r.headers_mut().insert("retry-after", HeaderValue::from_str(&value).unwrap());
            }
            s.served(served);
            return Some(r);
        }
    }
    None
}

fn authenticate(s: &Shared, headers: &HeaderMap) -> Result<String, Response> {
    match headers.get("x-api-key").and_then(|v| v.to_str().ok()) {
        Some(k) if s.config.api_keys.iter().any(|a| a == k) => Ok(k.to_string()),
        _ => Err(error(401, "unauthorized", "Invalid or missing API key.", "invalid_request_error")),
    }
}

/// The prologue of every `/v1/` request, in the contract's order: injected faults
/// first (so they store nothing), then authentication. Returns the caller's API key.
async fn admit(s: &Shared, kill: &ConnKill, headers: &HeaderMap) -> Result<String, Response> {
    if let Some(r) = injected_fault(s, kill).await {
        return Err(r);
    }
    authenticate(s, headers)
}

/// Releases an in-progress key however the request ends (even a dropped connection).
struct InProgress<'a> {
    s: &'a Shared,
    slot: (String, String),
}

impl Drop for InProgress<'_> {
    fn drop(&mut self) {
        self.s.in_progress.lock().unwrap().remove(&self.slot);
    }
}

/// Splits `rsg:a,b` / `rsg-word:a,b` into distinct ids, or says it is malformed.
fn voucher_ids(qr: &str) -> Option<Vec<String>> {
    let (prefix, rest) = qr.split_once(':')?;
    let prefix_ok = prefix == "rsg"
        || prefix.strip_prefix("rsg-").is_some_and(|w| !w.is_empty() && w.bytes().all(|b| b.is_ascii_alphanumeric()));
    if !prefix_ok {
        return None;
    }
    let mut ids: Vec<String> = Vec::new();
    let parts: Vec<&str> = rest.split(',').collect();
    if parts.is_empty() || parts.len() > 15 {
        return None;
    }
    for id in parts {
        if id.is_empty() || id.len() > 64 || !id.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_' || b == b'-') {
            return None;
        }
        if !ids.iter().any(|x| x == id) {
            ids.push(id.to_string());
        }
    }
    Some(ids)
}

async fn redeem(
    State(s): State<Arc<Shared>>,
    Extension(kill): Extension<ConnKill>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let api_key = match admit(&s, &kill, &headers).await {
        Ok(k) => k,
        Err(r) => return r,
    };
    let Some(key) = headers.get("idempotency-key") else {
        return error(
            400,
            "idempotency_key_missing",
            "The Idempotency-Key header is required.",
            "invalid_request_error",
        );
    };
    let key = match key.to_str() {
        Ok(k) if !k.is_empty() && k.len() <= 255 => k.to_string(),
        _ => {
            return error(
                400,
                "idempotency_key_invalid",
                "The Idempotency-Key header must be 1 to 255 characters.",
                "invalid_request_error",
            )
        }
    };
    *s.redeem_requests.lock().unwrap().entry(key.clone()).or_default() += 1;

    let Ok(serde_json::Value::Object(fields)) = serde_json::from_slice::<serde_json::Value>(&body) else {
        return invalid("The request body must be a JSON object.");
    };
    let Some(qr) = fields.get("qr").and_then(|v| v.as_str()).map(str::to_owned) else {
        return invalid("qr is required and must be a string.");
    };
    let metadata = match fields.get("metadata") {
        None | Some(serde_json::Value::Null) => String::new(),
        Some(serde_json::Value::String(m)) => m.clone(),
        Some(_) => return invalid("metadata must be a string."),
    };
    if metadata.chars().count() > 1000 {
        return invalid("metadata must be at most 1000 characters.");
    }
    if qr.chars().count() > 1000 {
        return invalid("qr is too long.");
    }
    let Some(ids) = voucher_ids(&qr) else {
        return invalid("qr is not a valid voucher code.");
    };

    let slot = (api_key.clone(), key.clone());
    // Decided under the locks, acted on after them (nothing awaits while they are held).
    enum Claim<'a> {
        Replay(u16, Vec<u8>),
        Answer(Response),
        Run(InProgress<'a>),
    }
    let claim = (|| {
        let mut running = s.in_progress.lock().unwrap();
        if running.contains(&slot) {
            return Claim::Answer(error(
                409,
                "idempotent_request_in_progress",
                "A request with this idempotency key is still being processed.",
                "idempotency_error",
            ));
        }
        let db = s.db();
        let saved = match ledger::saved(&db, &api_key, &key) {
            Ok(v) => v,
            Err(_) => return Claim::Answer(error(500, "internal_error", "An internal error occurred.", "api_error")),
        };
        if let Some(saved) = saved {
            if now_ms() - saved.created_at < s.config.key_ttl.as_millis() as i64 {
                if saved.qr == qr && saved.metadata == metadata {
                    return Claim::Replay(saved.status, saved.body);
                }
                return Claim::Answer(error(
                    422,
                    "idempotency_key_reused",
                    "This idempotency key was already used with different parameters.",
                    "idempotency_error",
                ));
            }
            // Past the window: pruned, and the key is new again.
            if ledger::forget(&db, &api_key, &key).is_err() {
                return Claim::Answer(error(500, "internal_error", "An internal error occurred.", "api_error"));
            }
        }
        running.insert(slot.clone());
        Claim::Run(InProgress { s: &s, slot: slot.clone() })
    })();
    let _claim = match claim {
        Claim::Answer(r) => return r,
        Claim::Replay(status, body) => {
            if let Some(r) = after_commit_fault(&s, &kill).await {
                return r;
            }
            let mut r = respond(status, body);
            r.headers_mut().insert("idempotent-replayed", HeaderValue::from_static("true"));
            return r;
        }
        Claim::Run(c) => c,
    };

    let latency = s.faults.lock().unwrap().latency_ms;
    if latency > 0 {
        tokio::time::sleep(Duration::from_millis(latency)).await;
    }

    let outcome = {
        let mut db = s.db();
        let now = now_ms();
        (|| -> rusqlite::Result<(u16, Vec<u8>)> {
            let tx = db.transaction_with_behavior(rusqlite::TransactionBehavior::Immediate)?;
            let (status, body) = match ledger::redeem(&tx, &api_key, &key, &ids, &metadata, now)? {
                Ok(done) => (
                    200,
                    serde_json::to_vec(&json!({
                        "campaign": {"id": done.campaign_id, "name": done.campaign_name},
                        "transaction": {"id": done.transaction_id, "value": done.value, "created_at": rfc3339(now)}
                    }))
                    .unwrap(),
                ),
                Err(refusal) => {
                    let (status, code, message) = refusal.status_code_message();
                    (status, error_body(code, message, "invalid_request_error"))
                }
            };
            ledger::save_result(&tx, &api_key, &key, &qr, &metadata, status, &body, now)?;
            tx.commit()?;
            Ok((status, body))
        })()
    };
    drop(_claim);
    let (status, body) = match outcome {
        Ok(x) => x,
        Err(_) => return error(500, "internal_error", "An internal error occurred.", "api_error"),
    };
    if let Some(r) = after_commit_fault(&s, &kill).await {
        return r;
    }
    respond(status, body)
}

/// What can go wrong between a saved result and the client, for a request that
/// executed or for its replay: the connection drops, or a proxy in front answers 502
/// with its own HTML page. Either way the client learns nothing of the result.
async fn after_commit_fault(s: &Shared, kill: &ConnKill) -> Option<Response> {
    let (drop_rate, gateway_rate) = {
        let f = s.faults.lock().unwrap();
        (f.drop_after_commit_rate, f.gateway_error_after_commit_rate)
    };
    if drop_rate > 0.0 && s.roll() < drop_rate {
        s.served("drop_after_commit");
        return Some(kill.drop_connection().await);
    }
    if gateway_rate > 0.0 && s.roll() < gateway_rate {
        s.served("502_html_after_commit");
        let mut r = Response::new(Body::from(
            "<html><head><title>502 Bad Gateway</title></head><body><center><h1>502 Bad Gateway</h1></center><hr><center>nginx</center></body></html>\n",
        ));
        *r.status_mut() = StatusCode::BAD_GATEWAY;
        r.headers_mut().insert("content-type", HeaderValue::from_static("text/html"));
        return Some(r);
    }
    None
}

#[derive(Deserialize)]
struct ListQuery {
    start: Option<String>,
    end: Option<String>,
    limit: Option<String>,
    after: Option<String>,
}

fn day_start_ms(date: &str) -> Option<i64> {
    let fmt = time::macros::format_description!("[year]-[month]-[day]");
    let d = time::Date::parse(date, &fmt).ok()?;
    Some(d.midnight().assume_utc().unix_timestamp() * 1000)
}

fn encode_cursor(seq: i64) -> String {
    format!("c+{seq}/=")
}

fn decode_cursor(c: &str) -> Option<i64> {
    c.strip_prefix("c+")?.strip_suffix("/=")?.parse().ok()
}

async fn transactions(
    State(s): State<Arc<Shared>>,
    Extension(kill): Extension<ConnKill>,
    headers: HeaderMap,
    query: Result<Query<ListQuery>, axum::extract::rejection::QueryRejection>,
) -> Response {
    let api_key = match admit(&s, &kill, &headers).await {
        Ok(k) => k,
        Err(r) => return r,
    };
    let (list_failure, list_latency) = {
        let f = s.faults.lock().unwrap();
        (f.transactions_error_rate, f.list_latency_ms)
    };
    if list_latency > 0 {
        // Counted when it starts: a client that times out meanwhile was served it.
        s.served("list_slow");
        tokio::time::sleep(Duration::from_millis(list_latency)).await;
    }
    if list_failure > 0.0 && s.roll() < list_failure {
        s.served("transactions_500");
        return error(500, "internal_error", "An internal error occurred.", "api_error");
    }
    let Ok(Query(q)) = query else { return invalid("The query string is malformed.") };
    let from = match q.start.as_deref().map(day_start_ms) {
        None => 0,
        Some(Some(ms)) => ms,
        Some(None) => return invalid("start must be a date like 2026-01-31."),
    };
    let to = match q.end.as_deref().map(day_start_ms) {
        None => i64::MAX,
        Some(Some(ms)) => ms + 86_400_000,
        Some(None) => return invalid("end must be a date like 2026-01-31."),
    };
    let limit: i64 = match q.limit.as_deref().map(str::parse::<i64>) {
        None => 1000,
        Some(Ok(n)) if (1..=1000).contains(&n) => n,
        Some(_) => return invalid("limit must be between 1 and 1000."),
    };
    let after = match q.after.as_deref().map(decode_cursor) {
        None => 0,
        Some(Some(seq)) => seq,
        Some(None) => return invalid("after is not a valid cursor."),
    };
    let rows = match ledger::list(&s.db(), Some(&api_key), from, to, after, limit + 1) {
        Ok(r) => r,
        Err(_) => return error(500, "internal_error", "An internal error occurred.", "api_error"),
    };
    let has_next = rows.len() as i64 > limit;
    let rows = &rows[..rows.len().min(limit as usize)];
    let data: Vec<_> = rows
        .iter()
        .map(|r| {
            json!({
                "id": r.id, "campaign_id": r.campaign_id, "transaction_type": "redeem", "value": r.value,
                "metadata": r.metadata, "merchant_id": "merchant_sandbox", "merchant_name": "Sandbox Merchant",
                "created_at": rfc3339(r.created_at), "updated_at": rfc3339(r.created_at),
                "verifier_id": "verifier_sandbox", "verifier_name": "Sandbox Verifier", "bank_statement_id": null
            })
        })
        .collect();
    let body = json!({
        "data": data,
        "page_info": {
            "has_next_page": has_next,
            "has_previous_page": after > 0,
            "start_cursor": rows.first().map(|r| encode_cursor(r.seq)),
            "end_cursor": rows.last().map(|r| encode_cursor(r.seq)),
        }
    });
    respond(200, serde_json::to_vec(&body).unwrap())
}

/// Admin routes answer a loopback peer that names a loopback host. The `Host` check
/// stops DNS rebinding: a web page whose name the attacker points at 127.0.0.1 reaches
/// this port from the browser's loopback address, but with its own name as `Host`.
async fn loopback_only(req: Request<Body>, next: axum::middleware::Next) -> Response {
    let from_loopback = matches!(req.extensions().get::<Peer>(), Some(Peer(addr)) if addr.ip().is_loopback());
    let host = req.headers().get(axum::http::header::HOST).and_then(|h| h.to_str().ok()).unwrap_or("");
    if from_loopback && names_loopback(host) {
        next.run(req).await
    } else {
        error(403, "forbidden", "Sandbox administration is only available on loopback.", "invalid_request_error")
    }
}

/// `localhost`, `127.x.y.z` or `[::1]`, with or without a port.
fn names_loopback(host: &str) -> bool {
    let name = match host.strip_prefix('[') {
        Some(v6) => v6.split_once(']').map_or("", |(ip, _)| ip),
        None => host
            .rsplit_once(':')
            .map_or(host, |(name, port)| if port.bytes().all(|b| b.is_ascii_digit()) { name } else { host }),
    };
    name.eq_ignore_ascii_case("localhost") || name.parse::<std::net::IpAddr>().is_ok_and(|ip| ip.is_loopback())
}

#[derive(Deserialize)]
#[serde(default, deny_unknown_fields)]
struct NewVouchers {
    count: usize,
    value: i64,
    campaign: String,
    state: String,
    prefix: String,
    merchant_forbidden: bool,
}

impl Default for NewVouchers {
    fn default() -> Self {
        NewVouchers {
            count: 1,
            value: 500,
            campaign: "Demo".into(),
            state: "active".into(),
            prefix: "rsg".into(),
            merchant_forbidden: false,
        }
    }
}

async fn admin_vouchers(State(s): State<Arc<Shared>>, body: Bytes) -> Response {
    let req: NewVouchers = match serde_json::from_slice(&body) {
        Ok(r) => r,
        Err(e) => return invalid(&format!("bad voucher request: {e}")),
    };
    if !(1..=100).contains(&req.count) || !["active", "voided", "expired"].contains(&req.state.as_str()) {
        return invalid("count must be 1..100 and state one of active, voided, expired.");
    }
    match ledger::create_vouchers(&s.db(), &req.campaign, req.count, req.value, &req.state, req.merchant_forbidden) {
        Ok(ids) => Json(json!({"qr": format!("{}:{}", req.prefix, ids.join(",")), "voucher_ids": ids})).into_response(),
        Err(e) => error(500, "internal_error", &e.to_string(), "api_error"),
    }
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct VoucherState {
    voucher_ids: Vec<String>,
    state: String,
}

/// Ends a campaign (`expired`) or voids vouchers mid-run. A voucher already redeemed
/// keeps its redemption; only later requests see the new state.
async fn admin_voucher_state(State(s): State<Arc<Shared>>, body: Bytes) -> Response {
    let req: VoucherState = match serde_json::from_slice(&body) {
        Ok(r) => r,
        Err(e) => return invalid(&format!("bad voucher state request: {e}")),
    };
    if !["expired", "voided"].contains(&req.state.as_str()) {
        return invalid("state must be expired or voided.");
    }
    match ledger::set_state(&s.db(), &req.voucher_ids, &req.state) {
        Ok(n) => Json(json!({"updated": n})).into_response(),
        Err(e) => error(500, "internal_error", &e.to_string(), "api_error"),
    }
}

/// Every voucher with its state and the transaction that redeemed it, so that a test
/// can judge a terminal's verdicts against what the service knows.
async fn admin_list_vouchers(State(s): State<Arc<Shared>>) -> Response {
    match ledger::vouchers(&s.db()) {
        Ok(rows) => Json(json!({
            "data": rows.iter().map(|(id, state, redeemed_in)| json!({"id": id, "state": state, "redeemed_in": redeemed_in})).collect::<Vec<_>>()
        }))
        .into_response(),
        Err(e) => error(500, "internal_error", &e.to_string(), "api_error"),
    }
}

/// Applies fault settings and answers once they are in effect (see the module's
/// docs); a body it cannot apply is a 400 naming the field, and changes nothing.
async fn admin_set_faults(State(s): State<Arc<Shared>>, body: Bytes) -> Response {
    let f = match Faults::parse(&body) {
        Ok(f) => f,
        Err(bad) => {
            let body = json!({"error": {
                "code": "invalid_request", "message": format!("bad fault settings: {}", bad.message),
                "type": "invalid_request_error", "field": bad.field,
            }});
            return respond(400, serde_json::to_vec(&body).unwrap());
        }
    };
    let generation = {
        // One lock around both, so that two PUTs at once cannot leave the faults of
        // one with the link of the other.
        let mut faults = s.faults.lock().unwrap();
        *faults = f.clone();
        let (generation, was_offline) = s.ask_link(f.offline);
        // Connects refused while offline never reach the service to be counted:
        // the windows are counted instead.
        if f.offline && !was_offline {
            s.served("offline_window");
        }
        generation
    };
    if !s.link_change_done(generation).await {
        return error(
            503,
            "link_change_failed",
            "The fault settings are stored, but the service's port was not bound again in time.",
            "api_error",
        );
    }
    Json(f).into_response()
}

async fn admin_get_faults(State(s): State<Arc<Shared>>) -> Response {
    Json(s.faults.lock().unwrap().clone()).into_response()
}

async fn admin_ledger(State(s): State<Arc<Shared>>) -> Response {
    let rows = match ledger::list(&s.db(), None, 0, i64::MAX, 0, i64::MAX) {
        Ok(r) => r,
        Err(e) => return error(500, "internal_error", &e.to_string(), "api_error"),
    };
    let data: Vec<_> = rows
        .iter()
        .map(|r| {
            json!({
                "transaction_id": r.id,
                "voucher_ids": serde_json::from_str::<serde_json::Value>(&r.voucher_ids).unwrap_or_default(),
                "idempotency_key": r.idempotency_key, "metadata": r.metadata, "value": r.value,
                "campaign_id": r.campaign_id, "api_key": r.api_key, "created_at": rfc3339(r.created_at),
            })
        })
        .collect();
    Json(json!({ "data": data })).into_response()
}

/// Fills the ledger with `count` redemptions for `api_key` spread over the last
/// `spread_ms`, from `terminals` terminals of `branch` (metadata in the terminal's
/// form): a chain's busy day for benchmarks, without 50,000 redeem calls.
#[derive(Deserialize)]
struct BulkLedger {
    count: usize,
    #[serde(default = "default_api_key")]
    api_key: String,
    branch: String,
    terminals: usize,
    #[serde(default)]
    spread_ms: i64,
}

fn default_api_key() -> String {
    "test_sandbox".into()
}

async fn admin_ledger_bulk(State(s): State<Arc<Shared>>, body: Bytes) -> Response {
    let req: BulkLedger = match serde_json::from_slice(&body) {
        Ok(r) => r,
        Err(e) => return invalid(&format!("bad bulk request: {e}")),
    };
    if req.count > 1_000_000 || req.terminals == 0 {
        return invalid("count must be at most 1,000,000 and terminals at least 1.");
    }
    let now = now_ms();
    let rows: Vec<(String, i64, i64)> = (0..req.count)
        .map(|k| {
            let metadata = format!(
                "branch_code:{},pos_ID:T{},cashier_ID:c{},intent_ID:bulk-{k}",
                req.branch,
                k % req.terminals + 1,
                k % 7
            );
            let at = now - if req.spread_ms > 0 { (k as i64 * 7919) % req.spread_ms } else { 0 };
            (metadata, 500 + (k as i64 % 5) * 100, at)
        })
        .collect();
    match ledger::bulk_redemptions(&mut s.db(), &req.api_key, "campaign_bulk", &rows) {
        Ok(()) => Json(json!({"inserted": rows.len()})).into_response(),
        Err(e) => error(500, "internal_error", &e.to_string(), "api_error"),
    }
}

/// Forgets every saved result now, as the service does once a key's window has
/// passed: tests reach "the key was pruned" without sleeping past a short window
/// (a short window also prunes the keys a test still means to be replayed).
async fn admin_prune_keys(State(s): State<Arc<Shared>>) -> Response {
    match ledger::forget_all(&s.db()) {
        Ok(n) => Json(json!({ "pruned": n })).into_response(),
        Err(e) => error(500, "internal_error", &e.to_string(), "api_error"),
    }
}

async fn admin_requests(State(s): State<Arc<Shared>>) -> Response {
    let by_key = s.redeem_requests.lock().unwrap().clone();
    let total: u64 = by_key.values().sum();
    let faults = s.faults_served.lock().unwrap().clone();
    Json(json!({ "redeem_requests": total, "by_idempotency_key": by_key, "faults_served": faults })).into_response()
}

fn seed_demo(s: &Shared) -> rusqlite::Result<Vec<(String, String)>> {
    let db = s.db();
    let mut out = Vec::new();
    let mut add = |label: &str, count, value, state: &str| -> rusqlite::Result<()> {
        let ids = ledger::create_vouchers(&db, "Demo Vouchers", count, value, state, false)?;
        out.push((label.to_string(), format!("rsg:{}", ids.join(","))));
        Ok(())
    };
    add("one $5 voucher", 1, 500, "active")?;
    add("three $2 vouchers", 3, 200, "active")?;
    add("fifteen $1 vouchers", 15, 100, "active")?;
    add("another $5 voucher", 1, 500, "active")?;
    add("a voided voucher", 1, 500, "voided")?;
    Ok(out)
}
