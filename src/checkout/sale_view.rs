//! A sale's view as stored, with the store's own currency and offline policy: the
//! one place that joins them, so the checkout, the receipt and the command line
//! show a sale the same way. (Apart from `sale`, which the settings' currency and
//! the policy's verdicts both use, so that no two of them import each other.)

use crate::checkout::policy::OfflinePolicy;
use crate::checkout::sale::{view, SaleView};
use crate::checkout::settings::TerminalSettings;
use crate::store::{Sale, Store, StoreError};

/// What the checkout shows of `sale` (none: the till between customers), with the
/// store's offline policy deciding for each voucher that waits for an answer.
pub fn load(store: &Store, sale: Option<Sale>) -> Result<SaleView, StoreError> {
    let intents = match &sale {
        Some(s) => store.sale_intents(&s.id)?,
        None => Vec::new(),
    };
    let currency = TerminalSettings::load(store)?.currency();
    let policy = OfflinePolicy::load(store)?;
    let queue = store.summary()?;
    let now = store.now_ms();
    Ok(view(&currency, sale, intents, |i| policy.verdict(i, &queue, now)))
}
