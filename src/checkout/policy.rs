//! The store's offline policy: whether a voucher the service has not confirmed yet
//! may pay for a sale. It is a store decision (risk against queues at the till), so it
//! lives in settings, and the terminal only applies it.

use serde::{Deserialize, Serialize};

use crate::domain::intent::Intent;
use crate::messages::{Arg, Messages};
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
    TakeOtherPayment { why: OfflineRule },
}

/// The rule of the store's policy that refuses an unconfirmed voucher, with its
/// figures; the page words it in the cashier's language.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, ts_rs::TS)]
#[serde(tag = "rule", rename_all = "snake_case")]
pub enum OfflineRule {
    /// The store accepts no voucher before the service confirms it.
    NotAccepted,
    /// A code with more vouchers than `max` must be confirmed online.
    TooManyVouchers { max: u32 },
    /// `pending` accepted vouchers already wait for confirmation; the limit is `max`.
    TooManyPending { pending: u32, max: u32 },
    /// The oldest unconfirmed voucher has waited `minutes`; the limit is `max_minutes`.
    TooOld { minutes: u32, max_minutes: u32 },
}

impl OfflineRule {
    /// The rule in words (for the cashier's error when an answer comes too late).
    pub fn words(&self, m: &Messages) -> String {
        let n = |v: u32| Arg::Count(i64::from(v));
        match self {
            OfflineRule::NotAccepted => m.text("offline-not-accepted"),
            OfflineRule::TooManyVouchers { max } => m.format("offline-too-many-vouchers", &[("max", n(*max))]),
            OfflineRule::TooManyPending { pending, max } => {
                m.format("offline-too-many-pending", &[("pending", n(*pending)), ("max", n(*max))])
            }
            OfflineRule::TooOld { minutes, max_minutes } => {
                m.format("offline-too-old", &[("minutes", n(*minutes)), ("max", n(*max_minutes))])
            }
        }
    }
}

impl OfflinePolicy {
    pub fn load(store: &Store) -> Result<OfflinePolicy, StoreError> {
        Ok(store.setting(SETTING)?.and_then(|s| serde_json::from_str(&s).ok()).unwrap_or_default())
    }

    pub fn save(&self, store: &Store) -> Result<(), StoreError> {
        store.set_setting(SETTING, &serde_json::to_string(self).expect("plain struct serialises"))
    }

    pub fn verdict(&self, intent: &Intent, queue: &QueueSummary, now_ms: i64) -> OfflineVerdict {
        let no = |why: OfflineRule| OfflineVerdict::TakeOtherPayment { why };
        if !self.accept_offline {
            return no(OfflineRule::NotAccepted);
        }
        if intent.voucher_count > self.max_vouchers_per_code {
            return no(OfflineRule::TooManyVouchers { max: self.max_vouchers_per_code });
        }
        if queue.accepted_offline_pending >= self.max_pending {
            return no(OfflineRule::TooManyPending { pending: queue.accepted_offline_pending, max: self.max_pending });
        }
        if let Some(oldest) = queue.oldest_pending_created_at {
            let age_s = ((now_ms - oldest).max(0) / 1000) as u64;
            if age_s > self.max_pending_age_s {
                let minutes = |s: u64| u32::try_from(s / 60).unwrap_or(u32::MAX);
                return no(OfflineRule::TooOld {
                    minutes: minutes(age_s),
                    max_minutes: minutes(self.max_pending_age_s),
                });
            }
        }
        OfflineVerdict::MayAccept
    }
}
