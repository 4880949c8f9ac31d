//! Printing, off the sale's path. A receipt printer can refuse, reset, hang or run
//! out of paper; a redemption must never wait for it, be delayed by it, or be sent
//! again because of it. So the sale's path only hands a job to [`PrintQueue`], whose
//! one thread (one printer, one paper roll) prints jobs in order and reports each
//! result as a [`PrintNote`]; a receipt that did not print waits for a reprint.
//!
//! A sale's first receipt is its original and every later one is marked COPY
//! (migration `009` keeps the record), so a customer never holds two originals of
//! one sale. A receipt counts from the moment its bytes start for a printer that
//! said it can print: a failure after that may have printed it (a printer out of
//! paper mid-receipt prints the rest when paper is loaded), so its reprint is a COPY.

use std::sync::{mpsc, Arc, Condvar, Mutex};
use std::time::Duration;

use serde::Serialize;
use tokio::sync::{broadcast, oneshot};

use crate::checkout::settings::TerminalSettings;
use crate::messages::{Arg, Messages};
use crate::platform::printer::{self, Limits, Paper, PrinterError, PrinterTarget};
use crate::records::receipt::{self, StoreDetails};
use crate::records::report::Report;
use crate::store::{Sale, Store};
use crate::{Error, ErrorCode};

/// What to print.
#[derive(Debug, Clone)]
pub enum Job {
    /// A closed sale's receipt (a COPY if one printed before).
    Sale { sale_id: String },
    /// The end-of-day (Z) report, as built.
    Report(Box<Report>),
    /// Settings' "Test print", to the printer and paper typed (before they are
    /// saved), or the saved ones.
    Test { printer: Option<String>, paper_mm: Option<u32> },
}

/// What a print was: the page and the command line word it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, ts_rs::TS)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Printout {
    Sale {
        number: i64,
    },
    /// The end of day of `date` (`YYYY-MM-DD`).
    Report {
        date: String,
    },
    Test,
}

impl Printout {
    /// "Sale 12", "The end of day 2026-12-01", "The test print".
    pub fn words(&self, m: &Messages) -> String {
        match self {
            Printout::Sale { number } => m.format("printout-sale", &[("number", number.to_string().into())]),
            Printout::Report { date } => m.format("printout-report", &[("date", date.as_str().into())]),
            Printout::Test => m.text("printout-test"),
        }
    }
}

/// A print the printer confirmed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, ts_rs::TS)]
pub struct Printed {
    pub what: Printout,
    pub copy: bool,
    pub bytes: u32,
}

/// The status line's news after a print, good or bad.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, ts_rs::TS)]
pub struct PrintNote {
    pub ok: bool,
    pub what: Printout,
    /// A reprint marked COPY.
    pub copy: bool,
    pub code: Option<ErrorCode>,
    /// What went wrong, as the printer's error says it.
    pub error: Option<String>,
}

impl PrintNote {
    /// The sentence for the cashier: what printed, or what went wrong and what to do.
    pub fn words(&self, m: &Messages) -> String {
        let what = ("what", Arg::from(self.what.words(m)));
        match (&self.error, &self.what) {
            (None, _) if self.copy => m.format("print-done-copy", &[what]),
            (None, _) => m.format("print-done", &[what]),
            (Some(e), Printout::Sale { .. }) => m.format("print-failed-receipt", &[("error", e.as_str().into())]),
            (Some(e), _) => m.format("print-failed", &[what, ("error", e.as_str().into())]),
        }
    }
}

fn closed(store: &Store, sale_id: &str) -> Result<Sale, Error> {
    let sale = store.sale(sale_id)?;
    if sale.closed_at.is_none() {
        return Err(Error::NotAllowed {
            code: ErrorCode::ReceiptSaleOpen,
            message: format!("Sale {} is still open: its receipt prints once Next customer closes it.", sale.number),
        });
    }
    Ok(sale)
}

/// Prints `job` now, on the caller's thread, within `limits`; `actor` is who asked.
/// A sale's receipt is recorded (original or COPY) once the printer said it can print
/// and before its bytes go out.
pub fn print(store: &Store, job: &Job, actor: &str, limits: Limits) -> Result<Printed, Error> {
    let settings = TerminalSettings::load(store)?;
    let (target, paper) = destination(&settings, job)?;
    // A sale still open has no receipt: refused before the printer is reached.
    let sale = match job {
        Job::Sale { sale_id } => Some(closed(store, sale_id)?),
        _ => None,
    };
    let ready = printer::open(&target, limits)?;
    let copy = match &sale {
        Some(s) => store.claim_receipt_print(&s.id, actor)?,
        None => false,
    };
    let details = StoreDetails::of(&settings);
    let zone = settings.zone();
    let m = Messages::of(settings.language.receipts());
    let (receipt, what) = match (sale, job) {
        (Some(sale), _) => {
            let what = Printout::Sale { number: sale.number };
            let view = crate::checkout::sale_view::load(store, Some(sale))?;
            (receipt::sale(&details, &view, &zone, copy, m), what)
        }
        (None, Job::Report(r)) => (
            receipt::z_report(&details, r, &settings.currency(), &zone, store.now_ms(), m),
            Printout::Report { date: r.date.clone() },
        ),
        (None, _) => {
            (receipt::test_page(&details, paper, &target.to_string(), &zone, store.now_ms(), m), Printout::Test)
        }
    };
    let bytes = receipt.escpos(paper);
    ready.print(&bytes).map_err(|e| match job {
        Job::Sale { .. } => Error::NotAllowed {
            code: e.code(),
            message: format!("{e} The receipt may have printed in part, so its reprint is marked COPY."),
        },
        _ => e.into(),
    })?;
    let done = Printed { what, copy, bytes: bytes.len() as u32 };
    tracing::info!(what = ?done.what, copy = done.copy, bytes = done.bytes, actor, "printed");
    Ok(done)
}

/// Where `job` prints: the saved printer and paper, or for a test print the ones
/// typed (checked as a save would check them).
fn destination(settings: &TerminalSettings, job: &Job) -> Result<(PrinterTarget, Paper), Error> {
    let mut s = settings.clone();
    if let Job::Test { printer, paper_mm } = job {
        s.printer = printer.clone().unwrap_or(s.printer);
        s.paper_mm = paper_mm.unwrap_or(s.paper_mm);
        s.validate()?;
    }
    Ok((s.printer.parse()?, s.paper()))
}

fn note(store: &Store, job: &Job, result: &Result<Printed, Error>) -> PrintNote {
    match result {
        Ok(p) => PrintNote { ok: true, what: p.what.clone(), copy: p.copy, code: None, error: None },
        Err(e) => PrintNote {
            ok: false,
            what: match job {
                Job::Sale { sale_id } => Printout::Sale { number: store.sale(sale_id).map_or(0, |s| s.number) },
                Job::Report(r) => Printout::Report { date: r.date.clone() },
                Job::Test { .. } => Printout::Test,
            },
            copy: false,
            code: Some(e.code()),
            error: Some(e.to_string()),
        },
    }
}

struct Order {
    job: Job,
    actor: String,
    reply: Option<oneshot::Sender<Result<Printed, Error>>>,
}

/// The printer's own thread and its queue of jobs.
pub struct PrintQueue {
    tx: mpsc::Sender<Order>,
    waiting: Arc<(Mutex<usize>, Condvar)>,
    notes: broadcast::Sender<PrintNote>,
    limits: Arc<Mutex<Limits>>,
}

impl PrintQueue {
    /// Starts the printer's thread; it ends when the queue is dropped.
    pub fn start(store: Arc<Store>, limits: Limits) -> PrintQueue {
        let (tx, rx) = mpsc::channel::<Order>();
        let waiting = Arc::new((Mutex::new(0usize), Condvar::new()));
        let (notes, _) = broadcast::channel(16);
        let limits = Arc::new(Mutex::new(limits));
        let (w, n, l) = (waiting.clone(), notes.clone(), limits.clone());
        std::thread::Builder::new()
            .name("printer".into())
            .spawn(move || {
                for order in rx {
                    let limits = *l.lock().unwrap();
                    let result = print(&store, &order.job, &order.actor, limits);
                    if let Err(e) = &result {
                        tracing::warn!(error = %e, code = %e.code(), "a print failed");
                    }
                    let _ = n.send(note(&store, &order.job, &result));
                    if let Some(reply) = order.reply {
                        let _ = reply.send(result);
                    }
                    let (count, cv) = &*w;
                    *count.lock().unwrap() -= 1;
                    cv.notify_all();
                }
            })
            .expect("the printer thread starts");
        PrintQueue { tx, waiting, notes, limits }
    }

    /// How long each step of the next prints may take (`--print-timeout`).
    pub fn set_limits(&self, limits: Limits) {
        *self.limits.lock().unwrap() = limits;
    }

    fn push(&self, job: Job, actor: &str, reply: Option<oneshot::Sender<Result<Printed, Error>>>) {
        *self.waiting.0.lock().unwrap() += 1;
        if self.tx.send(Order { job, actor: actor.to_string(), reply }).is_err() {
            *self.waiting.0.lock().unwrap() -= 1;
        }
    }

    /// Queues `job` and returns at once; its result arrives as a [`PrintNote`].
    pub fn submit(&self, job: Job, actor: &str) {
        self.push(job, actor, None);
    }

    /// Queues `job` and waits for its result (without holding a thread: the window
    /// awaits it).
    pub async fn print(&self, job: Job, actor: &str) -> Result<Printed, Error> {
        let (reply, answer) = oneshot::channel();
        self.push(job, actor, Some(reply));
        answer.await.map_err(|_| Error::from(PrinterError::NotSet))?
    }

    /// Every print's result, as the status line shows it.
    pub fn subscribe(&self) -> broadcast::Receiver<PrintNote> {
        self.notes.subscribe()
    }

    /// Waits up to `limit` until every queued job is done (a command-line session
    /// ending); false if some still were not.
    pub fn wait_idle(&self, limit: Duration) -> bool {
        let (count, cv) = &*self.waiting;
        let guard = count.lock().unwrap();
        let (guard, _) = cv.wait_timeout_while(guard, limit, |n| *n > 0).unwrap();
        *guard == 0
    }
}
