//! What the terminal runs against, and what to tell a person when it cannot start.
//!
//! A terminal configured for a real service never falls back to the embedded
//! sandbox: a missing key, a key entered for another service, or a keyring that will
//! not open is a start-up problem, shown in the window with what to do, never a
//! quiet switch to a service that redeems nothing real.

use crate::ErrorCode;
use serde::Serialize;

use crate::checkout::settings::TerminalSettings;
use crate::platform::secrets::{api_key_for, save_api_key, SecretStore, StoredKey};
use crate::service::api::check_service_url;
use crate::store::StoreError;

/// Where redemptions go.
#[derive(Debug, PartialEq, Eq)]
pub enum Service {
    /// Nothing configured: the embedded sandbox with demo vouchers.
    Sandbox,
    Real {
        url: String,
        key: String,
    },
}

/// A reason the terminal cannot take vouchers, for the window.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, ts_rs::TS)]
pub struct StartupProblem {
    /// Stable, for the UI and the tests.
    pub code: ErrorCode,
    pub message: String,
    pub what_to_do: String,
}

impl StartupProblem {
    fn new(code: ErrorCode, message: impl Into<String>, what_to_do: impl Into<String>) -> StartupProblem {
        StartupProblem { code, message: message.into(), what_to_do: what_to_do.into() }
    }
}

const SET_KEY: &str = "Start the terminal once with the key in the VOUCHER_POS_API_KEY environment variable (it is then kept in the keyring or the terminal's private file), or ask the person who set up the till.";

/// Chooses the service from the flags and the settings. A key given as a flag is kept
/// for that service; otherwise the stored key must have been entered for it.
pub fn choose_service(
    flag_url: Option<&str>,
    flag_key: Option<&str>,
    settings: &TerminalSettings,
    secrets: &dyn SecretStore,
) -> Result<Service, StartupProblem> {
    let Some(url) = flag_url.or(settings.service_url.as_deref()).map(str::trim).filter(|u| !u.is_empty()) else {
        return Ok(Service::Sandbox);
    };
    if let Err(e) = check_service_url(url) {
        return Err(StartupProblem::new(e.code(), e.to_string(), "Correct the service URL (--service, VOUCHER_POS_SERVICE, or the manager's settings). RedeemSG is reached over https://."));
    }
    if let Some(key) = flag_key.map(str::trim).filter(|k| !k.is_empty()) {
        // Kept for the next start; if it cannot be kept, this run still works.
        if let Err(e) = save_api_key(secrets, url, key) {
            tracing::warn!(error = %e, "could not store the API key; it is used for this run only");
        }
        return Ok(Service::Real { url: url.into(), key: key.into() });
    }
    match api_key_for(secrets, url) {
        Ok(StoredKey::For(key)) => Ok(Service::Real { url: url.into(), key }),
        Ok(StoredKey::Missing) => Err(StartupProblem::new(ErrorCode::ApiKeyMissing, format!("No API key is stored for {url}."), SET_KEY)),
        Ok(StoredKey::OtherService(for_url)) => Err(StartupProblem::new(
            ErrorCode::ApiKeyOtherService,
            match for_url {
                Some(u) => format!("The stored API key was entered for {u}, not for {url}; it is not sent to another service."),
                None => format!("The stored API key was saved without the service it belongs to; it is not sent to {url}."),
            },
            SET_KEY,
        )),
        Err(e) => Err(StartupProblem::new(
            e.code(),
            e.to_string(),
            "Unlock the desktop keyring (log in to the till's desktop session), or fix the secrets file as the message says, then start the terminal again.",
        )),
    }
}

/// What a person can do about a database that would not open.
pub fn store_problem(e: &StoreError) -> StartupProblem {
    if let StoreError::Corrupt { path, .. } = e {
        let what = match crate::records::backup::list(path).first() {
            Some(newest) => format!(
                "Restore the newest backup before taking vouchers: close this window and run `voucher-pos --db {} restore {}`, then start the terminal again. (Starting again without it opens an empty database.) Keep the moved-aside file for the engineer on call: redemptions made since that backup are in it.",
                path.display(),
                newest.display()
            ),
            None => "Start the terminal again: it opens with an empty database (there is no backup to restore). Keep the moved-aside file for the engineer on call; redemptions still waiting in it are not lost, and can be recovered from it.".into(),
        };
        return StartupProblem::new(e.code(), e.to_string(), what);
    }
    let what = match e {
        StoreError::Locked { .. } => "The terminal is already open on this till (another window, or a script). Use that one, or close it and start again.",
        StoreError::NewerSchema { .. } => "Install the newer version of the terminal that last used this database.",
        StoreError::DiskFull => "Free space on the disk, then start the terminal again.",
        _ => "Check that the disk is healthy and no other program holds the database, then start the terminal again. If it keeps failing, call the engineer on call.",
    };
    StartupProblem::new(e.code(), e.to_string(), what)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::platform::secrets::FileStore;

    fn settings(url: Option<&str>) -> TerminalSettings {
        TerminalSettings { service_url: url.map(Into::into), ..Default::default() }
    }

    #[test]
    fn with_nothing_configured_the_sandbox_is_used() {
        let dir = tempfile::tempdir().unwrap();
        let secrets = FileStore::new(dir.path().join("s.json"));
        assert_eq!(choose_service(None, None, &settings(None), &secrets), Ok(Service::Sandbox));
    }

    #[test]
    fn a_configured_service_without_its_key_is_a_problem_never_the_sandbox() {
        let dir = tempfile::tempdir().unwrap();
        let secrets = FileStore::new(dir.path().join("s.json"));
        let p = choose_service(None, None, &settings(Some("https://api.example.com")), &secrets).unwrap_err();
        assert_eq!(p.code, "api_key_missing");
        save_api_key(&secrets, "https://old.example.com", "live_old").unwrap();
        let p = choose_service(Some("https://api.example.com"), None, &settings(None), &secrets).unwrap_err();
        assert_eq!(p.code, "api_key_other_service");
        assert!(p.message.contains("https://old.example.com") && !p.message.contains("live_old"), "{}", p.message);
    }

    #[test]
    fn a_key_given_as_a_flag_is_kept_for_that_service_only() {
        let dir = tempfile::tempdir().unwrap();
        let secrets = FileStore::new(dir.path().join("s.json"));
        let s = choose_service(Some("https://api.example.com"), Some("live_k"), &settings(None), &secrets).unwrap();
        assert_eq!(s, Service::Real { url: "https://api.example.com".into(), key: "live_k".into() });
        assert_eq!(choose_service(None, None, &settings(Some("https://api.example.com")), &secrets), Ok(s));
    }

    #[test]
    fn plain_http_to_another_host_is_refused_before_any_key_is_read() {
        let dir = tempfile::tempdir().unwrap();
        let secrets = FileStore::new(dir.path().join("s.json"));
        let p = choose_service(Some("http://api.example.com"), Some("live_k"), &settings(None), &secrets).unwrap_err();
        assert_eq!(p.code, "config_insecure_url");
        assert_eq!(
            secrets.get(crate::platform::secrets::API_KEY).unwrap(),
            None,
            "the key must not be stored for an insecure URL"
        );
    }

    #[test]
    fn a_second_window_and_a_damaged_database_each_say_what_to_do() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("t.db");
        let _first =
            crate::store::Store::open(&path, std::sync::Arc::new(crate::platform::clock::SystemClock)).unwrap();
        let second =
            crate::store::Store::open(&path, std::sync::Arc::new(crate::platform::clock::SystemClock)).err().unwrap();
        let p = store_problem(&second);
        assert_eq!(p.code, "store_locked");
        assert!(p.what_to_do.contains("already open"), "{}", p.what_to_do);

        let damaged = dir.path().join("d.db");
        std::fs::write(&damaged, b"not a database at all, just bytes").unwrap();
        let e = crate::store::Store::open(&damaged, std::sync::Arc::new(crate::platform::clock::SystemClock))
            .err()
            .unwrap();
        let p = store_problem(&e);
        assert_eq!(p.code, "store_corrupt");
        assert!(p.message.contains("moved aside"), "{}", p.message);
        assert!(p.what_to_do.contains("empty database"), "{}", p.what_to_do);
    }
}

/// The flags both binaries take (`voucher-pos-app` and `voucher-pos` flatten this),
/// with the same names and environment variables.
// No `Debug`: it would print the API key.
#[derive(clap::Args, Clone, Default)]
pub struct Flags {
    /// The terminal database (default: $VOUCHER_POS_DB, else
    /// ~/.local/share/org.voucherpos.terminal/terminal.db).
    #[arg(long, global = true, env = "VOUCHER_POS_DB")]
    pub db: Option<std::path::PathBuf>,
    /// The voucher service's base URL; without it the app runs the embedded sandbox.
    #[arg(long, global = true, env = "VOUCHER_POS_SERVICE")]
    pub service: Option<String>,
    /// The API key for the voucher service (never logged or printed).
    #[arg(long = "api-key", global = true, env = "VOUCHER_POS_API_KEY", hide_env_values = true)]
    pub api_key: Option<String>,
    /// This terminal's id (default: the stored setting).
    #[arg(long, global = true)]
    pub terminal_id: Option<String>,
    /// The branch code (default: the stored setting).
    #[arg(long, global = true)]
    pub branch: Option<String>,
    /// The cashier id while no cashiers are listed (default: the stored setting in
    /// the app, `cli` on the command line).
    #[arg(long, global = true)]
    pub cashier: Option<String>,
}

impl Flags {
    /// The database: `--db`, else the default path.
    pub fn db(&self) -> std::path::PathBuf {
        self.db.clone().unwrap_or_else(crate::store::default_path)
    }

    /// The stored settings with this run's terminal id, branch and cashier over them.
    pub fn over(&self, mut settings: TerminalSettings) -> TerminalSettings {
        let pick = |flag: &Option<String>, stored: &mut String| {
            if let Some(v) = flag {
                *stored = v.clone();
            }
        };
        pick(&self.terminal_id, &mut settings.terminal_id);
        pick(&self.branch, &mut settings.branch_code);
        pick(&self.cashier, &mut settings.cashier_id);
        settings
    }
}
