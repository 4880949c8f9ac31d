//! Who may do what at a shared till.
//!
//! - The **manager** unlocks the manager screens with a PIN, for a bounded idle time
//!   (a setting, 2 minutes by default); leaving the screens locks them. The first PIN
//!   of a terminal is typed twice; it can be changed behind itself, and reset only by
//!   someone with OS access (`voucher-pos manager reset-pin`).
//! - **Cashiers** sign in with PINs of their own once the manager has listed any;
//!   until then the terminal runs single-user under one configured id, so a
//!   one-person shop and scripts need no sign-in. A cashier idle for longer than the
//!   terminal's setting is signed out.
//! - Wrong PINs back off and then lock out ([`pin::wait_after`]), and everything here
//!   is written to the terminal's audit with its time.
//! - The sign-in form is open to anyone at the counter (a handheld scanner can type
//!   into it), so it must not become a way to flood the audit or learn which ids
//!   exist: a malformed id is refused unchecked, every unknown id shares one
//!   counter and costs the same argon2 time as a known one, and tries across all
//!   ids are limited per minute.
//!
//! The app holds one [`Access`]; its sessions live in memory only, so a restart
//! signs everyone out and locks the manager screens.

pub mod audit;
pub mod cashiers;
pub mod pin;

use crate::ErrorCode;
use std::collections::VecDeque;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};

use rusqlite::{params, OptionalExtension};
use serde::Serialize;

pub use cashiers::Cashier;
pub use pin::AccessError;

use crate::checkout::settings::TerminalSettings;
use crate::messages::Lang;
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

/// The OS user running this process, as the audit names them (`os:ann (uid 1000)`):
/// from the uid, never from `$USER`, which whoever runs a command can set.
pub fn os_user() -> String {
    // SAFETY: getuid cannot fail; getpwuid_r writes only into `pwd` and `buf`, both
    // live and sized here, and `pw_name` points into `buf` when it succeeds.
    let uid = unsafe { libc::getuid() };
    let mut pwd: libc::passwd = unsafe { std::mem::zeroed() };
    let mut buf = vec![0 as libc::c_char; 4096];
    let mut found: *mut libc::passwd = std::ptr::null_mut();
    let rc = unsafe { libc::getpwuid_r(uid, &mut pwd, buf.as_mut_ptr(), buf.len(), &mut found) };
    if rc == 0 && !found.is_null() && !pwd.pw_name.is_null() {
        let name = unsafe { std::ffi::CStr::from_ptr(pwd.pw_name) }.to_string_lossy().into_owned();
        format!("os:{name} (uid {uid})")
    } else {
        format!("os:uid {uid}")
    }
}

/// The right to do a manager's task, and the name the audit records for it.
#[derive(Debug)]
pub struct Authority {
    actor: String,
}

impl Authority {
    /// The OS account running the command line: whoever can run it on the till can
    /// open the database anyway, so the audit names them instead of asking a PIN.
    pub fn os_user() -> Authority {
        Authority { actor: os_user() }
    }

    /// An open manager session in the window; only [`Access::manager`] makes one.
    fn manager_session() -> Authority {
        Authority { actor: MANAGER.to_string() }
    }

    pub fn actor(&self) -> &str {
        &self.actor
    }
}

/// What the screens need to know to show the right form.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, ts_rs::TS)]
pub struct AccessState {
    pub has_manager_pin: bool,
    pub manager_unlocked: bool,
    /// Cashiers are listed and nobody is signed in: the checkout asks for a sign-in.
    pub signin_required: bool,
    /// The manager unlocked with a PIN this terminal would no longer take (chosen
    /// under an earlier version's rules): the manager screens ask for a new one.
    pub manager_pin_change_due: bool,
    /// Who the checkout acts as now, if anyone.
    pub cashier_id: Option<String>,
    pub cashier_name: Option<String>,
    /// The language the window speaks now: the one chosen at the till (until the
    /// cashier signs out), else this run's `--lang`, else the terminal's setting.
    pub lang: Lang,
}

fn locked() -> AccessError {
    AccessError::Refused {
        code: ErrorCode::ManagerLocked,
        message: "The manager screens are locked: enter the manager PIN.".into(),
    }
}

/// Sign-in tries the terminal takes per minute, across every id: a person signing
/// in needs a few; a script or a scanner reading a sheet of made-up ids is slowed
/// to this, whatever ids it types.
pub const SIGNIN_TRIES_PER_MINUTE: usize = 10;

/// A language chosen on the sign-in form by someone who then did not sign in (a
/// mistyped PIN, a cashier called away) is forgotten after this long: the next
/// cashier meets the store's language.
pub const UNUSED_CHOICE_MS: i64 = 120_000;

/// A signed-in cashier, and when they last did something (wall clock: a clock set
/// forward only signs them out sooner).
struct Session {
    cashier: Cashier,
    active_at: i64,
}

/// The sessions of one running terminal.
pub struct Access {
    store: Arc<Store>,
    /// When the manager last did something, while unlocked.
    manager_active_at: Mutex<Option<i64>>,
    signed_in: Mutex<Option<Session>>,
    /// The cashier id of a terminal with no cashiers listed.
    single_user: String,
    /// When the sign-in tries of the last minute were made (the kernel's clock since
    /// boot, which nobody can set).
    signin_tries: Mutex<VecDeque<i64>>,
    /// The manager's PIN, as last typed right, fails today's rules.
    manager_pin_weak: AtomicBool,
    /// The language chosen at the till (the sign-in form's) and when: kept until a
    /// signed-in cashier's session ends, or for [`UNUSED_CHOICE_MS`] if nobody signs in.
    chosen_lang: Mutex<Option<(Lang, i64)>>,
    /// This run's `--lang`, over the terminal's setting.
    run_lang: Mutex<Option<Lang>>,
}

impl Access {
    pub fn new(store: Arc<Store>, single_user: impl Into<String>) -> Access {
        Access {
            store,
            manager_active_at: Mutex::new(None),
            signed_in: Mutex::new(None),
            single_user: single_user.into(),
            signin_tries: Mutex::new(VecDeque::new()),
            manager_pin_weak: AtomicBool::new(false),
            chosen_lang: Mutex::new(None),
            run_lang: Mutex::new(None),
        }
    }

    /// Chooses a new terminal's manager PIN (typed twice) and unlocks.
    pub fn set_first_pin(&self, pin: &str, again: &str) -> Result<(), AccessError> {
        let hash = pin::new_hash(pin, again, pin::MANAGER_DIGITS)?;
        let now = self.store.now_ms();
        let set = self.store.with_transaction(|tx| {
            if tx.query_row("SELECT 1 FROM settings WHERE key = ?1", [MANAGER_PIN], |_| Ok(())).optional()?.is_some() {
                return Ok(false);
            }
            tx.execute("INSERT INTO settings (key, value) VALUES (?1, ?2)", params![MANAGER_PIN, hash])?;
            audit::record(tx, now, MANAGER, "manager_pin_set", None)?;
            Ok(true)
        })?;
        if !set {
            return Err(AccessError::AlreadySet);
        }
        *self.manager_active_at.lock().unwrap() = Some(now);
        Ok(())
    }

    /// The manager's PIN against its hash, through the persisted back-off. A wrong
    /// one is recorded as typed by whoever is at the till.
    fn check_manager_pin(&self, pin: &str) -> Result<(), AccessError> {
        let hash = self.store.setting(MANAGER_PIN)?.ok_or(AccessError::NotSet)?;
        let typed_by = match self.current(false)? {
            Some(id) => format!("cashier:{id}"),
            None => "nobody signed in".into(),
        };
        pin::verify(&self.store, MANAGER, &hash, pin, &typed_by, "manager PIN")?;
        Ok(())
    }

    pub fn unlock(&self, pin: &str) -> Result<(), AccessError> {
        self.check_manager_pin(pin)?;
        self.manager_pin_weak.store(pin::check_new(pin, pin::MANAGER_DIGITS).is_err(), Ordering::Relaxed);
        audit::append(&self.store, MANAGER, "manager_unlocked", None)?;
        tracing::info!("manager screens unlocked");
        *self.manager_active_at.lock().unwrap() = Some(self.store.now_ms());
        Ok(())
    }

    /// The manager's PIN for one action that is not a manager screen (closing the
    /// till): checked with the same back-off, recorded as `action`, and the manager
    /// screens stay as they were.
    pub fn confirm_manager(&self, pin: &str, action: &str) -> Result<(), AccessError> {
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
    fn within_idle_time(&self) -> Result<impl Fn(i64) -> bool, AccessError> {
        // Held to its bounds here too: a value written around `validate` (an old
        // version, an edited database) never keeps the manager screens open for days.
        let (least, most) =
            (*TerminalSettings::MANAGER_IDLE_LOCK_S.start(), *TerminalSettings::MANAGER_IDLE_LOCK_S.end());
        let idle_ms = i64::from(TerminalSettings::load(&self.store)?.manager_idle_lock_s.clamp(least, most)) * 1000;
        let now = self.store.now_ms();
        Ok(move |t: i64| now >= t && now - t <= idle_ms)
    }

    /// Every manager action passes here: it fails once the session has been idle
    /// longer than the terminal's setting, and otherwise counts as activity.
    pub fn require_manager(&self) -> Result<(), AccessError> {
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

    /// The right to do a manager's task, while the manager session is open (see
    /// [`Access::require_manager`]).
    pub fn manager(&self) -> Result<Authority, AccessError> {
        self.require_manager()?;
        Ok(Authority::manager_session())
    }

    /// Changes the manager PIN: the current one (with the usual back-off) and the new
    /// one twice.
    pub fn change_pin(&self, current: &str, new: &str, again: &str) -> Result<(), AccessError> {
        self.require_manager()?;
        self.check_manager_pin(current)?;
        let new_hash = pin::new_hash(new, again, pin::MANAGER_DIGITS)?;
        let now = self.store.now_ms();
        self.store.with_transaction(|tx| {
            tx.execute("UPDATE settings SET value = ?2 WHERE key = ?1", params![MANAGER_PIN, new_hash])?;
            audit::record(tx, now, MANAGER, "manager_pin_changed", None)
        })?;
        self.manager_pin_weak.store(false, Ordering::Relaxed);
        Ok(())
    }

    /// Takes one sign-in try out of this minute's, or refuses it unchecked.
    fn count_signin_try(&self) -> Result<(), AccessError> {
        let now = self.store.clock().uptime().ms;
        let mut tries = self.signin_tries.lock().unwrap_or_else(|p| p.into_inner());
        while tries.front().is_some_and(|&t| t > now || now - t >= 60_000) {
            tries.pop_front();
        }
        if tries.len() >= SIGNIN_TRIES_PER_MINUTE {
            let wait_s = (60_000 - (now - tries[0])).max(1000) as u64 / 1000;
            return Err(AccessError::Refused {
                code: ErrorCode::SigninRateLimited,
                message: format!("Too many sign-in tries on this terminal: wait {wait_s} seconds."),
            });
        }
        tries.push_back(now);
        Ok(())
    }

    /// What a sign-in checks before any PIN: this minute's tries, and an id of the
    /// shape `cashier_ID` has in the metadata (nothing else can be a cashier).
    fn checked_cashier(&self, id: &str, pin: &str) -> Result<cashiers::Checked, AccessError> {
        self.count_signin_try()?;
        crate::domain::intent::check_field("cashier id", id, true)?;
        cashiers::check(&self.store, id, pin)
    }

    /// Signs a cashier in. A one-time PIN (set by the manager) is right but opens
    /// nothing: the cashier chooses their own first ([`Access::sign_in_with_new_pin`]).
    pub fn sign_in(&self, id: &str, pin: &str) -> Result<Cashier, AccessError> {
        let checked = self.checked_cashier(id, pin)?;
        if checked.must_change {
            return Err(AccessError::Refused {
                code: ErrorCode::PinChangeRequired,
                message: format!(
                    "{}, this PIN was set by the manager for one sign-in (or is one this terminal no longer takes): type it again with a new PIN of your own, twice.",
                    checked.cashier.name
                ),
            });
        }
        self.start_session(checked.cashier)
    }

    /// Signs a cashier in with their PIN (a one-time one, or their own) and puts a
    /// new PIN of their choosing, typed twice, in its place.
    pub fn sign_in_with_new_pin(&self, id: &str, pin: &str, new: &str, again: &str) -> Result<Cashier, AccessError> {
        // The new PIN's own faults first: they cost no sign-in try and no argon2 work.
        pin::check_new(new, pin::CASHIER_DIGITS)?;
        if new != again {
            return Err(AccessError::Mismatch);
        }
        let checked = self.checked_cashier(id, pin)?;
        cashiers::choose_pin(&self.store, &checked, pin, new, again)?;
        self.start_session(checked.cashier)
    }

    fn start_session(&self, cashier: Cashier) -> Result<Cashier, AccessError> {
        audit::append(&self.store, &format!("cashier:{}", cashier.id), "cashier_signed_in", None)?;
        tracing::info!(cashier = cashier.id, "signed in");
        *self.signed_in.lock().unwrap() = Some(Session { cashier: cashier.clone(), active_at: self.store.now_ms() });
        Ok(cashier)
    }

    pub fn sign_out(&self) -> Result<(), AccessError> {
        if let Some(s) = self.signed_in.lock().unwrap().take() {
            *self.chosen_lang.lock().unwrap() = None;
            audit::append(&self.store, &format!("cashier:{}", s.cashier.id), "cashier_signed_out", None)?;
        }
        Ok(())
    }

    /// The language the window speaks for whoever is at the till now (`None`: the
    /// terminal's own). It holds until a signed-in cashier signs out or is signed
    /// out, so the next cashier meets the store's language again.
    pub fn choose_language(&self, lang: Option<Lang>) {
        let now = self.store.clock().uptime().ms;
        *self.chosen_lang.lock().unwrap() = lang.map(|l| (l, now));
    }

    /// `--lang` for this run: over the setting, under a cashier's own choice.
    pub fn set_run_language(&self, lang: Option<Lang>) {
        *self.run_lang.lock().unwrap() = lang;
    }

    /// The language the window and the core's sentences use now.
    pub fn language(&self) -> Result<Lang, AccessError> {
        // `current` ends a session that lapsed; what is left is a signed-in cashier.
        self.current(false)?;
        let signed_in = self.signed_in.lock().unwrap().is_some();
        let now = self.store.clock().uptime().ms;
        let chosen = {
            let mut chosen = self.chosen_lang.lock().unwrap();
            if !signed_in && chosen.is_some_and(|(_, at)| now < at || now - at > UNUSED_CHOICE_MS) {
                *chosen = None;
            }
            chosen.map(|(lang, _)| lang)
        };
        let run = *self.run_lang.lock().unwrap();
        Ok(match chosen.or(run) {
            Some(lang) => lang,
            None => TerminalSettings::load(&self.store)?.language,
        })
    }

    /// The id the checkout acts as: the signed-in cashier, or on a terminal with no
    /// cashiers listed, the single user's. Fails when a sign-in is needed (including
    /// when the signed-in cashier has since been removed, or was idle too long).
    /// Counts as the cashier's activity.
    pub fn cashier(&self) -> Result<String, AccessError> {
        self.current(true)?.ok_or_else(|| AccessError::Refused {
            code: ErrorCode::CashierSignedOut,
            message: "Sign in first: type your cashier id and PIN.".into(),
        })
    }

    /// Who the checkout acts as, if anyone; signs out a cashier who was removed or
    /// idle past the setting. `touch`: this is the cashier's activity.
    fn current(&self, touch: bool) -> Result<Option<String>, AccessError> {
        if !cashiers::any(&self.store)? {
            // A session from before the list emptied never comes back with a re-added id.
            *self.signed_in.lock().unwrap() = None;
            return Ok(Some(self.single_user.clone()));
        }
        let idle_s = TerminalSettings::load(&self.store)?.cashier_idle_signout_s;
        let idle_s = idle_s
            .clamp(*TerminalSettings::CASHIER_IDLE_SIGNOUT_S.start(), *TerminalSettings::CASHIER_IDLE_SIGNOUT_S.end());
        let now = self.store.now_ms();
        let mut signed_in = self.signed_in.lock().unwrap();
        let Some(session) = signed_in.as_mut() else { return Ok(None) };
        let id = session.cashier.id.clone();
        let awake = now >= session.active_at && now - session.active_at <= i64::from(idle_s) * 1000;
        if awake && cashiers::may_stay_signed_in(&self.store, &id)? {
            if touch {
                session.active_at = now;
            }
            return Ok(Some(id));
        }
        *signed_in = None;
        *self.chosen_lang.lock().unwrap() = None;
        if !awake {
            tracing::info!(cashier = id, "signed out after the idle time");
            audit::append(&self.store, &format!("cashier:{id}"), "cashier_signed_out", Some("idle"))?;
        }
        Ok(None)
    }

    pub fn state(&self) -> Result<AccessState, AccessError> {
        let acting = self.current(false)?;
        let name = self
            .signed_in
            .lock()
            .unwrap()
            .as_ref()
            .filter(|s| Some(&s.cashier.id) == acting.as_ref())
            .map(|s| s.cashier.name.clone());
        let within = self.within_idle_time()?;
        let unlocked = self.manager_active_at.lock().unwrap().is_some_and(within);
        Ok(AccessState {
            has_manager_pin: has_manager_pin(&self.store)?,
            manager_unlocked: unlocked,
            manager_pin_change_due: unlocked && self.manager_pin_weak.load(Ordering::Relaxed),
            signin_required: acting.is_none(),
            cashier_id: acting,
            cashier_name: name,
            lang: self.language()?,
        })
    }
}
