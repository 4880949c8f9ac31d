//! Who may do what at a shared till.
//!
//! - The **manager** unlocks the manager screens with a PIN, for a bounded idle time
//!   (a setting, 2 minutes by default); leaving the screens locks them. The first PIN
//!   of a terminal is typed twice; it can be changed behind itself, and reset only by
//!   someone with OS access (`voucher-pos manager reset-pin`).
//! - **Cashiers** sign in with PINs of their own once the manager has listed any;
//!   until then the terminal runs single-user under one configured id, so a
//!   one-person shop and scripts need no sign-in.
//! - Wrong PINs back off and then lock out ([`pin::wait_after`]), and everything here
//!   is written to the terminal's audit with its time.
//!
//! The app holds one [`Access`]; its sessions live in memory only, so a restart
//! signs everyone out and locks the manager screens.

pub mod audit;
pub mod cashiers;
pub mod pin;

use std::sync::{Arc, Mutex};

use rusqlite::{params, OptionalExtension};
use serde::Serialize;

pub use cashiers::Cashier;
pub use pin::PinError;

use crate::error::Error;
use crate::settings::TerminalSettings;
use crate::store::{Store, StoreError};

const MANAGER_PIN: &str = "manager_pin_argon2";
/// The manager as the history and the audit name them.
pub const MANAGER: &str = "manager";

/// Whether this terminal has a manager PIN yet.
pub fn has_manager_pin(store: &Store) -> Result<bool, StoreError> {
    Ok(store.setting(MANAGER_PIN)?.is_some())
}

/// Forgets the manager PIN, for someone who can reach the terminal's files (the
/// `voucher-pos manager reset-pin` command): the next visit to the manager screens
/// chooses a new one. Recorded in the audit.
pub fn reset_manager_pin(store: &Store, by: &str) -> Result<(), StoreError> {
    let now = store.now_ms();
    store.with_transaction(|tx| {
        tx.execute("DELETE FROM settings WHERE key = ?1", [MANAGER_PIN])?;
        pin::clear_failures(tx, MANAGER)?;
        audit::record(tx, now, by, "manager_pin_reset", None)
    })
}

/// What the screens need to know to show the right form.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, ts_rs::TS)]
pub struct AccessState {
    pub has_manager_pin: bool,
    pub manager_unlocked: bool,
    /// Cashiers are listed and nobody is signed in: the checkout asks for a sign-in.
    pub signin_required: bool,
    /// Who the checkout acts as now, if anyone.
    pub cashier_id: Option<String>,
    pub cashier_name: Option<String>,
}

fn locked() -> Error {
    Error::NotAllowed {
        code: "manager_locked",
        message: "The manager screens are locked: enter the manager PIN.".into(),
    }
}

/// The sessions of one running terminal.
pub struct Access {
    store: Arc<Store>,
    /// When the manager last did something, while unlocked.
    manager_active_at: Mutex<Option<i64>>,
    signed_in: Mutex<Option<Cashier>>,
    /// The cashier id of a terminal with no cashiers listed.
    single_user: String,
}

impl Access {
    pub fn new(store: Arc<Store>, single_user: impl Into<String>) -> Access {
        Access {
            store,
            manager_active_at: Mutex::new(None),
            signed_in: Mutex::new(None),
            single_user: single_user.into(),
        }
    }

    /// Chooses a new terminal's manager PIN (typed twice) and unlocks.
    pub fn set_first_pin(&self, pin: &str, again: &str) -> Result<(), Error> {
        let hash = pin::new_hash(pin, again)?;
        let now = self.store.now_ms();
        let set = self.store.with_transaction(|tx| {
            if tx
                .query_row(
                    "SELECT 1 FROM settings WHERE key = ?1",
                    [MANAGER_PIN],
                    |_| Ok(()),
                )
                .optional()?
                .is_some()
            {
                return Ok(false);
            }
            tx.execute(
                "INSERT INTO settings (key, value) VALUES (?1, ?2)",
                params![MANAGER_PIN, hash],
            )?;
            audit::record(tx, now, MANAGER, "manager_pin_set", None)?;
            Ok(true)
        })?;
        if !set {
            return Err(PinError::AlreadySet.into());
        }
        *self.manager_active_at.lock().unwrap() = Some(now);
        Ok(())
    }

    /// The manager's PIN against its hash, through the persisted back-off.
    fn check_manager_pin(&self, pin: &str) -> Result<(), Error> {
        let hash = self.store.setting(MANAGER_PIN)?.ok_or(PinError::NotSet)?;
        pin::verify(&self.store, MANAGER, Some(&hash), pin)?;
        Ok(())
    }

    pub fn unlock(&self, pin: &str) -> Result<(), Error> {
        self.check_manager_pin(pin)?;
        audit::append(&self.store, MANAGER, "manager_unlocked", None)?;
        tracing::info!("manager screens unlocked");
        *self.manager_active_at.lock().unwrap() = Some(self.store.now_ms());
        Ok(())
    }

    /// The manager's PIN for one action that is not a manager screen (closing the
    /// till): checked with the same back-off, recorded as `action`, and the manager
    /// screens stay as they were.
    pub fn confirm_manager(&self, pin: &str, action: &str) -> Result<(), Error> {
        self.check_manager_pin(pin)?;
        audit::append(&self.store, MANAGER, action, None)?;
        tracing::info!(action, "manager PIN confirmed");
        Ok(())
    }

    pub fn lock(&self) {
        *self.manager_active_at.lock().unwrap() = None;
    }

    /// Whether manager activity at `t` still holds the session open now. A clock that
    /// stepped back proves nothing about idleness: that locks.
    fn within_idle_time(&self) -> Result<impl Fn(i64) -> bool, Error> {
        // Held to its bounds here too: a value written around `validate` (an old
        // version, an edited database) never keeps the manager screens open for days.
        let (least, most) = (*TerminalSettings::MANAGER_IDLE_LOCK_S.start(), *TerminalSettings::MANAGER_IDLE_LOCK_S.end());
        let idle_ms = i64::from(TerminalSettings::load(&self.store)?.manager_idle_lock_s.clamp(least, most)) * 1000;
        let now = self.store.now_ms();
        Ok(move |t: i64| now >= t && now - t <= idle_ms)
    }

    /// Every manager action passes here: it fails once the session has been idle
    /// longer than the terminal's setting, and otherwise counts as activity.
    pub fn require_manager(&self) -> Result<(), Error> {
        let within = self.within_idle_time()?;
        let now = self.store.now_ms();
        let mut at = self.manager_active_at.lock().unwrap();
        match *at {
            Some(t) if within(t) => {
                *at = Some(now);
                Ok(())
            }
            _ => {
                *at = None;
                Err(locked())
            }
        }
    }

    /// Changes the manager PIN: the current one (with the usual back-off) and the new
    /// one twice.
    pub fn change_pin(&self, current: &str, new: &str, again: &str) -> Result<(), Error> {
        self.require_manager()?;
        self.check_manager_pin(current)?;
        let new_hash = pin::new_hash(new, again)?;
        let now = self.store.now_ms();
        self.store.with_transaction(|tx| {
            tx.execute(
                "UPDATE settings SET value = ?2 WHERE key = ?1",
                params![MANAGER_PIN, new_hash],
            )?;
            audit::record(tx, now, MANAGER, "manager_pin_changed", None)
        })?;
        Ok(())
    }

    pub fn sign_in(&self, id: &str, pin: &str) -> Result<Cashier, Error> {
        let c = cashiers::check(&self.store, id, pin)?;
        audit::append(
            &self.store,
            &format!("cashier:{id}"),
            "cashier_signed_in",
            None,
        )?;
        tracing::info!(cashier = id, "signed in");
        *self.signed_in.lock().unwrap() = Some(c.clone());
        Ok(c)
    }

    pub fn sign_out(&self) -> Result<(), Error> {
        if let Some(c) = self.signed_in.lock().unwrap().take() {
            audit::append(
                &self.store,
                &format!("cashier:{}", c.id),
                "cashier_signed_out",
                None,
            )?;
        }
        Ok(())
    }

    /// The id the checkout acts as: the signed-in cashier, or on a terminal with no
    /// cashiers listed, the single user's. Fails when a sign-in is needed (including
    /// when the signed-in cashier has since been removed).
    pub fn cashier(&self) -> Result<String, Error> {
        if !cashiers::any(&self.store)? {
            return Ok(self.single_user.clone());
        }
        let mut signed_in = self.signed_in.lock().unwrap();
        match signed_in.as_ref() {
            Some(c) if cashiers::is_active(&self.store, &c.id)? => Ok(c.id.clone()),
            _ => {
                *signed_in = None;
                Err(Error::NotAllowed {
                    code: "cashier_signed_out",
                    message: "Sign in first: type your cashier id and PIN.".into(),
                })
            }
        }
    }

    pub fn state(&self) -> Result<AccessState, Error> {
        let acting = match self.cashier() {
            Ok(id) => Some(id),
            Err(Error::NotAllowed {
                code: "cashier_signed_out",
                ..
            }) => None,
            Err(e) => return Err(e),
        };
        let name = self
            .signed_in
            .lock()
            .unwrap()
            .as_ref()
            .filter(|c| Some(&c.id) == acting.as_ref())
            .map(|c| c.name.clone());
        let within = self.within_idle_time()?;
        let unlocked = self.manager_active_at.lock().unwrap().is_some_and(within);
        Ok(AccessState {
            has_manager_pin: has_manager_pin(&self.store)?,
            manager_unlocked: unlocked,
            signin_required: acting.is_none(),
            cashier_id: acting,
            cashier_name: name,
        })
    }
}
