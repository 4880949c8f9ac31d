//! The store's offline policy: whether a voucher the service has not confirmed yet
//! may pay for a sale. It is a store decision (risk against queues at the till), so it
//! lives in settings, and the terminal only applies it.

use serde::{Deserialize, Serialize};

use crate::domain::intent::Intent;
use crate::store::{QueueSummary, Store, StoreError};

const SETTING: &str = "offline_policy";

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ts_rs::TS)]
#[serde(default)]
pub struct OfflinePolicy {
    /// May a queued voucher be accepted for the sale at all?
    pub accept_offline: bool,
    /// At most this many accepted-but-unconfirmed intents at once.
    pub max_pending: u32,
    /// The oldest pending intent may be at most this old (seconds).
    pub max_pending_age_s: u64,
    /// A code with more vouchers than this must be confirmed online.
    pub max_vouchers_per_code: u32,
}

impl Default for OfflinePolicy {
    /// Cautious: nothing is accepted before the service confirms it.
    fn default() -> Self {
        OfflinePolicy { accept_offline: false, max_pending: 10, max_pending_age_s: 4 * 3600, max_vouchers_per_code: 3 }
    }
}

/// Whether the sale may go ahead on an unconfirmed voucher, and if not, why.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, ts_rs::TS)]
#[serde(tag = "verdict", rename_all = "snake_case")]
pub enum OfflineVerdict {
    MayAccept,
    TakeOtherPayment { reason: String },
}

impl OfflinePolicy {
    pub fn load(store: &Store) -> Result<OfflinePolicy, StoreError> {
        Ok(store.setting(SETTING)?.and_then(|s| serde_json::from_str(&s).ok()).unwrap_or_default())
    }

    pub fn save(&self, store: &Store) -> Result<(), StoreError> {
        store.set_setting(SETTING, &serde_json::to_string(self).expect("plain struct serialises"))
    }

    pub fn verdict(&self, intent: &Intent, queue: &QueueSummary, now_ms: i64) -> OfflineVerdict {
        let no = |reason: String| OfflineVerdict::TakeOtherPayment { reason };
        if !self.accept_offline {
            return no("This store does not accept vouchers before the service confirms them.".into());
        }
        if intent.voucher_count > self.max_vouchers_per_code {
            return no(format!(
                "Codes with more than {} vouchers must be confirmed online.",
                self.max_vouchers_per_code
            ));
        }
        if queue.accepted_offline_pending >= self.max_pending {
            return no(format!(
                "{} vouchers are already waiting for confirmation (the limit is {}).",
                queue.accepted_offline_pending, self.max_pending
            ));
        }
        if let Some(oldest) = queue.oldest_pending_created_at {
            let age_s = ((now_ms - oldest).max(0) / 1000) as u64;
            if age_s > self.max_pending_age_s {
                return no(format!(
                    "The oldest unconfirmed voucher has waited {} minutes (the limit is {}).",
                    age_s / 60,
                    self.max_pending_age_s / 60
                ));
            }
        }
        OfflineVerdict::MayAccept
    }
}
