//! The terminal's own settings, kept in its database so that a restart keeps them:
//! who this terminal is, where the service is, which camera to use. Command-line
//! flags override them for one run. (The offline policy is in `policy`, the API key
//! in `secrets`: neither belongs in a plain settings row.)

use crate::ErrorCode;
use serde::{Deserialize, Serialize};

use crate::store::{Store, StoreError};

const SETTING: &str = "terminal_settings";

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ts_rs::TS)]
#[serde(default)]
pub struct TerminalSettings {
    /// The voucher service's base URL; none means the embedded sandbox. Applies at the
    /// next start.
    pub service_url: Option<String>,
    pub terminal_id: String,
    pub branch_code: String,
    /// Which camera to open (its index in the system's list).
    pub camera_index: u32,
    /// The manager screens lock after this long without a manager action.
    pub manager_idle_lock_s: u32,
    /// A signed-in cashier is signed out after this long without a checkout action.
    pub cashier_idle_signout_s: u32,
    /// The cashier id of a terminal with no cashiers listed (single-user); `--cashier`
    /// overrides it for one run.
    pub cashier_id: String,
    /// The store's currency symbol (`S$`).
    pub currency_symbol: String,
    /// The store's time zone (an IANA name); none means the system's.
    pub time_zone: Option<String>,
    /// How many database backups to keep beside it.
    pub backups_kept: u32,
    /// Till mode: the window fills the screen with no decorations, and closing it
    /// needs the manager PIN. `--till` turns it on for one run.
    pub till_mode: bool,
    /// Start the terminal when this user logs in (an XDG autostart entry, written or
    /// removed when the settings are saved).
    pub start_on_login: bool,
    /// Final intents last changed longer ago than this may be archived and removed
    /// (Manager → Settings, or `voucher-pos archive`); nothing else ever is.
    pub retention_days: u32,
    /// How much the app logs (`error`, `warn`, `info`, `debug`, `trace`) when
    /// `RUST_LOG` is not set; a support person may ask for `debug` for a while.
    pub log_level: String,
    /// Where receipts print: `none`, `network:HOST:PORT` or `file:/dev/usb/lp0`.
    pub printer: String,
    /// The receipt paper's width in mm: 58 or 80.
    pub paper_mm: u32,
    /// Print the receipt when Next customer closes a sale.
    pub auto_print: bool,
    /// The store as its receipts name it.
    pub store_name: String,
    /// The store's Unique Entity Number, printed on receipts.
    pub store_uen: String,
    /// The store's address, one line per line of the receipt.
    pub store_address: String,
    /// The language of the window and the receipts; a cashier may choose another
    /// at sign-in, and `--lang` overrides it for one run.
    pub language: crate::messages::Lang,
    /// A short tone when a voucher is redeemed, another when it is refused.
    pub sounds: bool,
}

impl Default for TerminalSettings {
    fn default() -> Self {
        TerminalSettings {
            service_url: None,
            terminal_id: "T01".into(),
            branch_code: "B001".into(),
            camera_index: 0,
            manager_idle_lock_s: 120,
            cashier_idle_signout_s: 900,
            cashier_id: "c001".into(),
            currency_symbol: "S$".into(),
            time_zone: None,
            backups_kept: 14,
            till_mode: false,
            start_on_login: false,
            retention_days: 400,
            log_level: "info".into(),
            printer: "none".into(),
            paper_mm: 80,
            auto_print: false,
            store_name: String::new(),
            store_uen: String::new(),
            store_address: String::new(),
            language: crate::messages::Lang::En,
            sounds: true,
        }
    }
}

/// Why settings were refused: each with its own code, the message for the manager.
#[derive(Debug, thiserror::Error)]
pub enum SettingsError {
    #[error(transparent)]
    ServiceUrl(#[from] crate::service::api::ConfigError),
    /// A terminal id or branch the metadata cannot carry.
    #[error(transparent)]
    Field(#[from] crate::domain::intent::ContextError),
    #[error(transparent)]
    Zone(#[from] crate::platform::clock::ZoneError),
    #[error(transparent)]
    Printer(#[from] crate::platform::printer::PrinterError),
    #[error("{message}")]
    Refused { code: ErrorCode, message: String },
}

impl SettingsError {
    pub fn code(&self) -> ErrorCode {
        match self {
            SettingsError::ServiceUrl(e) => e.code(),
            SettingsError::Field(e) => e.code(),
            SettingsError::Zone(e) => e.code(),
            SettingsError::Printer(e) => e.code(),
            SettingsError::Refused { code, .. } => *code,
        }
    }
}

/// The shortest retention a terminal accepts: a quarter's reconciliation and
/// disputes need the rows in the database, not only in a file.
pub const MIN_RETENTION_DAYS: u32 = 90;

/// A retention below [`MIN_RETENTION_DAYS`], refused where it is saved and where it
/// is used (`retention::archive`).
pub fn retention_too_short(days: u32) -> SettingsError {
    SettingsError::Refused {
        code: crate::ErrorCode::RetentionTooShort,
        message: format!("Keep intents at least {MIN_RETENTION_DAYS} days ({days} is too short)."),
    }
}

impl TerminalSettings {
    pub fn load(store: &Store) -> Result<TerminalSettings, StoreError> {
        Ok(store.setting(SETTING)?.and_then(|s| serde_json::from_str(&s).ok()).unwrap_or_default())
    }

    /// The store's time zone; a name this machine does not know falls back to the
    /// system's (saving refuses such a name, so only a changed machine gets here).
    pub fn zone(&self) -> crate::platform::clock::StoreZone {
        crate::platform::clock::StoreZone::named(self.time_zone.as_deref()).unwrap_or_else(|_| {
            crate::platform::clock::StoreZone::named(None).expect("the system zone always resolves")
        })
    }

    /// Where receipts print (a stored value this version cannot read prints nowhere:
    /// saving refuses one).
    pub fn printer_target(&self) -> crate::platform::printer::PrinterTarget {
        self.printer.parse().unwrap_or_default()
    }

    pub fn paper(&self) -> crate::platform::printer::Paper {
        crate::platform::printer::Paper::from_mm(self.paper_mm).unwrap_or_default()
    }

    pub fn currency(&self) -> crate::checkout::sale::Currency {
        crate::checkout::sale::Currency { symbol: self.currency_symbol.clone() }
    }

    /// The levels [`TerminalSettings::log_level`] may take.
    pub const LOG_LEVELS: [&'static str; 5] = ["error", "warn", "info", "debug", "trace"];

    /// The manager screens lock after this many seconds idle: 30 s to an hour (the
    /// settings form offers whole minutes). The core holds a stored value to it too.
    pub const MANAGER_IDLE_LOCK_S: std::ops::RangeInclusive<u32> = 30..=3600;

    /// A cashier is signed out after this many seconds idle: a minute to 4 hours
    /// (the form offers whole minutes). The core holds a stored value to it too.
    pub const CASHIER_IDLE_SIGNOUT_S: std::ops::RangeInclusive<u32> = 60..=14_400;

    /// Refuses settings the terminal could not run with, each with its own code: a
    /// malformed service URL, a terminal id or branch the metadata cannot carry, a
    /// time zone this machine does not know, an unknown log level, a retention below
    /// the floor, a manager idle lock outside [`Self::MANAGER_IDLE_LOCK_S`].
    pub fn validate(&self) -> Result<(), SettingsError> {
        if let Some(url) = self.service_url.as_deref().filter(|u| !u.is_empty()) {
            crate::service::api::check_service_url(url)?;
        }
        let check = crate::domain::intent::SaleContext {
            terminal_id: self.terminal_id.clone(),
            branch_code: self.branch_code.clone(),
            cashier_id: "check".into(),
            ..Default::default()
        };
        let code = crate::domain::voucher::parse("rsg:v_check").expect("a fixed well-formed code");
        crate::domain::intent::build_metadata(&code, &check, "check")?;
        crate::platform::clock::StoreZone::named(self.time_zone.as_deref())?;
        if !Self::LOG_LEVELS.contains(&self.log_level.as_str()) {
            return Err(SettingsError::Refused {
                code: ErrorCode::LogLevelUnknown,
                message: format!("The log level must be one of {}.", Self::LOG_LEVELS.join(", ")),
            });
        }
        self.printer.parse::<crate::platform::printer::PrinterTarget>()?;
        if crate::platform::printer::Paper::from_mm(self.paper_mm).is_none() {
            return Err(SettingsError::Refused {
                code: ErrorCode::PaperUnknown,
                message: format!("Receipt paper is 58 or 80 mm wide ({} is neither).", self.paper_mm),
            });
        }
        if self.retention_days < MIN_RETENTION_DAYS {
            return Err(retention_too_short(self.retention_days));
        }
        if !Self::MANAGER_IDLE_LOCK_S.contains(&self.manager_idle_lock_s) {
            return Err(SettingsError::Refused {
                code: ErrorCode::ManagerIdleLockOutOfRange,
                message: format!(
                    "The manager screens must lock after {} seconds to {} minutes idle: a longer time leaves them open to whoever walks up.",
                    Self::MANAGER_IDLE_LOCK_S.start(),
                    Self::MANAGER_IDLE_LOCK_S.end() / 60
                ),
            });
        }
        if !Self::CASHIER_IDLE_SIGNOUT_S.contains(&self.cashier_idle_signout_s) {
            return Err(SettingsError::Refused {
                code: ErrorCode::CashierIdleOutOfRange,
                message: format!(
                    "Cashiers must be signed out after 1 to {} minutes idle.",
                    Self::CASHIER_IDLE_SIGNOUT_S.end() / 60
                ),
            });
        }
        Ok(())
    }

    pub fn save(&self, store: &Store) -> Result<(), StoreError> {
        store.set_setting(SETTING, &serde_json::to_string(self).expect("plain struct serialises"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn settings_a_terminal_cannot_run_with_are_refused_each_with_its_code() {
        TerminalSettings::default().validate().expect("the defaults are valid");
        let with = |edit: fn(&mut TerminalSettings)| {
            let mut s = TerminalSettings::default();
            edit(&mut s);
            s.validate().unwrap_err().code()
        };
        assert_eq!(with(|s| s.log_level = "loud".into()), "log_level_unknown");
        assert_eq!(with(|s| s.printer = "lpt1".into()), "printer_target_invalid");
        assert_eq!(with(|s| s.paper_mm = 57), "paper_unknown");
        assert_eq!(with(|s| s.retention_days = 30), "retention_too_short");
        assert_eq!(with(|s| s.manager_idle_lock_s = u32::MAX), "manager_idle_lock_out_of_range");
        assert_eq!(with(|s| s.manager_idle_lock_s = 0), "manager_idle_lock_out_of_range");
        assert_eq!(with(|s| s.cashier_idle_signout_s = 59), "cashier_idle_out_of_range");
        assert_eq!(with(|s| s.cashier_idle_signout_s = 14_401), "cashier_idle_out_of_range");
        assert_eq!(
            with(|s| s.time_zone = Some("Mars/Olympus".into())),
            crate::platform::clock::StoreZone::named(Some("Mars/Olympus")).unwrap_err().code()
        );
    }
}
