//! What cashiers and managers can do, in one place for the app, the command line and
//! the tests. Every input (camera, handheld scanner, typed text) goes through
//! [`Terminal::scan`], so one parser and one intent path serve them all; the Tauri
//! shell only converts types and forwards events.

use crate::ErrorCode;
use std::sync::Arc;
use std::time::Duration;

use serde::Serialize;
use tokio::sync::broadcast;

use crate::app::printing::{Job, PrintQueue};
use crate::checkout::policy::{OfflinePolicy, OfflineVerdict};
use crate::checkout::sale::SaleView;
use crate::domain::intent::{Intent, IntentState, SaleContext};
use crate::domain::voucher;
use crate::error::Error;
use crate::messages::{Lang, Messages};
use crate::platform::printer::Limits;
use crate::service::api::ApiClient;
use crate::service::sync::{Connectivity, SyncConfig, SyncEvent, SyncHandle};
use crate::store::{QueueSummary, ScanResult, Store, StoreError};

/// Checks the scanned text and records the scan in the open sale (opening one).
/// Text that is not a voucher code is refused before anything is written; a code
/// whose live intent belongs to another sale is refused with that sale's number and
/// times in the store's zone (`voucher_in_other_sale`).
pub fn scan_text(store: &Store, raw: &str, ctx: &SaleContext) -> Result<ScanResult, Error> {
    let code = voucher::parse(raw)?;
    match store.scan(&code, ctx) {
        Err(StoreError::InOtherSale(hold)) => {
            let zone = crate::checkout::settings::TerminalSettings::load(store)?.zone();
            Err(Error::NotAllowed { code: ErrorCode::VoucherInOtherSale, message: hold.describe(|ms| zone.human(ms)) })
        }
        other => Ok(other?),
    }
}

/// What the checkout screen shows after a Redeem press.
#[derive(Debug, Clone, PartialEq, Serialize, ts_rs::TS)]
pub struct RedeemView {
    pub intent: Intent,
    /// Set while the intent is still waiting for the service: may the sale go ahead?
    pub offline: Option<OfflineVerdict>,
    pub connectivity: Connectivity,
    /// False when this press found the intent already committed (a double press).
    pub newly_committed: bool,
}

/// How a manager settles an intent in review.
#[derive(Debug, Clone, PartialEq, Eq, serde::Deserialize, Serialize, ts_rs::TS)]
#[serde(rename_all = "snake_case")]
pub enum Settlement {
    /// The service's records show it redeemed (give the transaction id if known).
    Redeemed,
    /// The service refused it.
    Refused,
    /// It never happened at the service.
    NotRedeemed,
}

/// A terminal: its store and its sync engine.
pub struct Terminal {
    store: Arc<Store>,
    sync: SyncHandle,
    events: broadcast::Sender<SyncEvent>,
    /// The receipt printer's queue: the sale's path hands it jobs and never waits.
    pub printing: PrintQueue,
}

impl Terminal {
    /// Starts the sync engine on the current tokio runtime.
    pub fn start(store: Arc<Store>, api: ApiClient, cfg: SyncConfig) -> Terminal {
        let (events, _) = broadcast::channel(4096);
        let sync = SyncHandle::spawn(store.clone(), api, cfg, events.clone());
        let printing = PrintQueue::start(store.clone(), Limits::default());
        Terminal { store, sync, events, printing }
    }

    pub fn store(&self) -> &Arc<Store> {
        &self.store
    }

    pub fn subscribe(&self) -> broadcast::Receiver<SyncEvent> {
        self.events.subscribe()
    }

    pub fn connectivity(&self) -> Connectivity {
        self.sync.connectivity()
    }

    pub fn summary(&self) -> Result<QueueSummary, Error> {
        Ok(self.store.summary()?)
    }

    fn publish(&self, i: &Intent) {
        crate::service::sync::publish_intent(&self.events, &self.store, i);
    }

    pub fn scan(&self, raw: &str, ctx: &SaleContext) -> Result<ScanResult, Error> {
        let r = scan_text(&self.store, raw, ctx)
            .inspect_err(|e| tracing::info!(error = e.code().as_str(), "scan refused"))?;
        tracing::info!(intent = %r.intent().id, code = %crate::domain::voucher::log_form(&r.intent().code), cashier = %ctx.cashier_id, kind = r.kind(), "scanned");
        if let ScanResult::Created { intent } = &r {
            self.publish(intent);
        }
        Ok(r)
    }

    /// The cashier's Redeem press: commits the intent (once, however often pressed)
    /// and waits up to `wait` for the service's answer. Returns early, queued, when the
    /// terminal is offline or the first attempt could not reach the service.
    pub async fn redeem(&self, id: &str, actor: &str, wait: Duration) -> Result<RedeemView, Error> {
        let mut rx = self.events.subscribe();
        let (intent, newly_committed) = self.store.commit_redeem(id, actor, false)?;
        tracing::info!(intent = %id, actor, newly_committed, "redeem pressed");
        if newly_committed {
            self.publish(&intent);
            self.sync.wake();
        }
        self.wait_for_answers(&mut rx, std::slice::from_ref(&intent), wait).await?;
        self.view(self.store.get(id)?, newly_committed)
    }

    /// Waits up to `wait` until each of `pressed` has an outcome, or waits in the
    /// queue after an attempt that could not reach the service (or offline).
    async fn wait_for_answers(
        &self,
        rx: &mut broadcast::Receiver<SyncEvent>,
        pressed: &[Intent],
        wait: Duration,
    ) -> Result<(), Error> {
        let deadline = tokio::time::Instant::now() + wait;
        loop {
            let mut all = true;
            for before in pressed {
                let cur = self.store.get(&before.id)?;
                let settled = cur.state.has_outcome();
                let waiting = matches!(cur.state, IntentState::Queued | IntentState::Unknown)
                    && (cur.attempt_count > before.attempt_count || self.sync.connectivity() == Connectivity::Offline);
                all &= settled || waiting || cur.state == IntentState::Scanned;
            }
            if all {
                return Ok(());
            }
            match tokio::time::timeout_at(deadline, rx.recv()).await {
                Err(_) | Ok(Err(broadcast::error::RecvError::Closed)) => return Ok(()),
                Ok(_) => {}
            }
        }
    }

    /// Waits up to `wait` until intent `id` has an outcome, whatever the
    /// connectivity (a script's `redeem --wait`), and returns it as it then is.
    pub async fn wait_for_outcome(&self, id: &str, wait: Duration) -> Result<Intent, Error> {
        let mut rx = self.events.subscribe();
        let deadline = tokio::time::Instant::now() + wait;
        loop {
            let intent = self.store.get(id)?;
            if intent.state.has_outcome() {
                return Ok(intent);
            }
            match tokio::time::timeout_at(deadline, rx.recv()).await {
                Err(_) | Ok(Err(broadcast::error::RecvError::Closed)) => return Ok(self.store.get(id)?),
                Ok(_) => {}
            }
        }
    }

    /// The open sale as the checkout shows it (an empty view when none is open).
    pub fn sale_view(&self) -> Result<SaleView, Error> {
        let sale = self.store.open_sale()?;
        self.sale_view_of(sale)
    }

    fn sale_view_of(&self, sale: Option<crate::store::Sale>) -> Result<SaleView, Error> {
        Ok(crate::checkout::sale_view::load(&self.store, sale)?)
    }

    /// Sets the open sale's total from what the cashier typed (parsed in the store's
    /// currency, refused when malformed; empty clears it).
    /// A malformed amount is refused and clears the total: no amount is ever computed
    /// from what the cashier did not mean.
    pub fn set_sale_total(&self, text: &str, ctx: &SaleContext) -> Result<SaleView, Error> {
        let currency = crate::checkout::settings::TerminalSettings::load(&self.store)?.currency();
        let parsed = if text.trim().is_empty() { Ok(None) } else { currency.parse(text).map(Some) };
        let cents = parsed.as_ref().ok().copied().flatten();
        if cents.is_some() || self.store.open_sale()?.is_some() {
            self.store.set_sale_total(ctx, cents)?;
        }
        parsed?;
        self.sale_view()
    }

    /// The Redeem press for the open sale: every scanned voucher of it is sent (one
    /// intent and key each), and the press waits up to `wait` for the answers.
    /// Returns the view and the intents this press committed.
    pub async fn redeem_sale(&self, actor: &str, wait: Duration) -> Result<(SaleView, Vec<Intent>), Error> {
        let Some(sale) = self.store.open_sale()? else { return Ok((self.sale_view()?, Vec::new())) };
        let mut rx = self.events.subscribe();
        let pressed = self.store.press_sale(&sale.id, actor)?;
        tracing::info!(sale = sale.number, pressed = pressed.len(), actor, "redeem pressed for the sale");
        if !pressed.is_empty() {
            for i in &pressed {
                self.publish(i);
            }
            self.sync.wake();
            self.wait_for_answers(&mut rx, &pressed, wait).await?;
        }
        Ok((self.sale_view()?, pressed))
    }

    /// Next customer: closes the open sale if every voucher in it is settled,
    /// withdrawing scans never pressed; otherwise changes nothing and says which
    /// vouchers wait for an answer (`sale_unresolved`). Returns the closed sale's view
    /// (for its receipt), or none when no sale was open.
    /// With `only`, closes that sale only: a second press for a sale already closed
    /// never closes the next customer's.
    pub fn close_sale(&self, actor: &str, only: Option<&str>) -> Result<Option<SaleView>, Error> {
        let Some(sale) = self.store.open_sale()?.filter(|s| only.is_none_or(|id| id == s.id)) else { return Ok(None) };
        let crate::store::Closing { sale: closed, changed, closed_now } = self.store.close_sale(&sale.id, actor)?;
        tracing::info!(sale = closed.number, withdrawn = changed.len(), actor, "sale closed");
        for i in &changed {
            self.publish(i);
        }
        if changed.iter().any(|i| i.state == IntentState::Unknown) {
            self.sync.wake();
        }
        // The receipt is queued, never awaited: a dead printer cannot hold the till.
        if closed_now && crate::checkout::settings::TerminalSettings::load(&self.store)?.auto_print {
            self.printing.submit(Job::Sale { sale_id: closed.id.clone() }, actor);
        }
        Ok(Some(self.sale_view_of(Some(closed))?))
    }

    /// A sale by id, as the checkout would show it (a closed one, for its receipt).
    pub fn sale_by_id(&self, id: &str) -> Result<SaleView, Error> {
        let sale = self.store.sale(id)?;
        self.sale_view_of(Some(sale))
    }

    /// The current view of one intent.
    pub fn view_of(&self, id: &str) -> Result<RedeemView, Error> {
        self.view(self.store.get(id)?, false)
    }

    fn view(&self, intent: Intent, newly_committed: bool) -> Result<RedeemView, Error> {
        let offline = if intent.state.is_pending() {
            let policy = OfflinePolicy::load(&self.store)?;
            Some(policy.verdict(&intent, &self.store.summary()?, self.store.now_ms()))
        } else {
            None
        };
        Ok(RedeemView { intent, offline, connectivity: self.sync.connectivity(), newly_committed })
    }

    /// Lets the sale go ahead on a voucher the service has not confirmed, if the
    /// store's policy allows it now. The choice is kept on the intent: if the service
    /// later refuses the voucher, a manager sees it as the store's loss.
    pub fn accept_offline(&self, id: &str, actor: &str) -> Result<Intent, Error> {
        let policy = OfflinePolicy::load(&self.store)?;
        let may = |i: &Intent, queue: &QueueSummary, now: i64| match policy.verdict(i, queue, now) {
            OfflineVerdict::MayAccept => Ok(()),
            OfflineVerdict::TakeOtherPayment { why } => Err(why.words(Messages::of(Lang::En))),
        };
        match self.store.mark_accepted_offline(id, actor, may) {
            Ok(i) => {
                self.publish(&i);
                Ok(i)
            }
            // The service answered first (or a manager settled it): say so in words.
            Err(StoreError::IllegalTransition { from, .. }) => Err(Error::NotAllowed {
                code: ErrorCode::AcceptNotAllowed,
                message: format!("This voucher is {from} and no longer waits for the service."),
            }),
            Err(e) => Err(e.into()),
        }
    }

    /// The cashier took another payment for an unconfirmed voucher. A queued intent is
    /// withdrawn at once; one that may have executed is never sent again, and if the
    /// service turns out to have redeemed it, it lands in the review inbox so that a
    /// manager can make the customer good.
    pub fn decline(&self, id: &str, actor: &str) -> Result<Intent, Error> {
        let intent = self.store.get(id)?;
        // (The store checks the accept flag again in the transaction that declines.)
        if intent.accepted_offline {
            return Err(StoreError::AlreadyAnswered { accepted: true }.into());
        }
        if !matches!(
            intent.state,
            IntentState::Scanned
                | IntentState::Queued
                | IntentState::InFlight
                | IntentState::Unknown
                | IntentState::NeedsReview
        ) {
            return Err(Error::NotAllowed {
                code: ErrorCode::DeclineNotAllowed,
                message: format!("This voucher is {} and no longer waits for the service.", intent.state),
            });
        }
        let i = self.store.decline(id, actor)?;
        self.publish(&i);
        self.sync.wake();
        Ok(i)
    }

    /// Withdraws a scan, or a queued intent that no request has left for yet, from an
    /// open sale; never one the cashier answered (see [`Store::withdraw`]).
    pub fn cancel(&self, id: &str, actor: &str) -> Result<Intent, Error> {
        let i = self.store.withdraw(id, actor)?;
        self.publish(&i);
        Ok(i)
    }

    /// A manager's decision on an intent in review; the note is kept in its history.
    pub fn settle(
        &self,
        id: &str,
        how: Settlement,
        note: &str,
        manager: &str,
        transaction_id: Option<&str>,
    ) -> Result<Intent, Error> {
        if note.trim().is_empty() {
            return Err(Error::NotAllowed {
                code: ErrorCode::SettleNeedsNote,
                message: "Say why, in a note, before settling.".into(),
            });
        }
        let to = match how {
            Settlement::Redeemed => IntentState::Redeemed,
            Settlement::Refused => IntentState::Refused,
            Settlement::NotRedeemed => IntentState::Cancelled,
        };
        tracing::info!(intent = %id, how = ?how, manager, "settled");
        let note = format!("settled by manager {manager}: {note}");
        let i = self.store.transition(
            id,
            IntentState::NeedsReview,
            to,
            &format!("manager:{manager}"),
            Some(&note),
            None,
            |i| {
                if let Some(t) = transaction_id {
                    i.transaction_id = Some(t.to_string());
                }
                // The sale went ahead on a voucher the service refused or never redeemed:
                // the store's loss.
                if matches!(to, IntentState::Refused | IntentState::Cancelled) && i.accepted_offline {
                    i.loss = true;
                }
            },
        )?;
        self.publish(&i);
        Ok(i)
    }

    /// Asks the engine to look at the queue now.
    pub fn wake(&self) {
        self.sync.wake();
    }

    pub async fn shutdown(self) {
        self.sync.shutdown().await;
    }
}
