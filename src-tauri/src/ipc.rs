//! The IPC boundary, generated from `command_table.rs`: each Tauri command is a
//! one-line call to the function of its name in `commands.rs`, so the table, the
//! handler list, the permission manifest and the page's typed calls cannot drift
//! apart. Errors cross as `{code, message}`: the core's stable [`ErrorCode`] and,
//! for refusals, the service's own message untouched.
//!
//! Every command is `async`: Tauri runs a plain `fn` command on the window's main
//! thread, and the window must never wait on the disk, crypto or devices.

use serde::Serialize;
use voucher_pos::app::printing::Printed;
use voucher_pos::app::retention::Archived;
use voucher_pos::app::startup::StartupProblem;
use voucher_pos::app::terminal::{RedeemView, Settlement};
use voucher_pos::app::{ConnectionCheck, Detail, Exported, SettingsView, Status};
use voucher_pos::checkout::access::{audit::AuditPage, AccessState, Cashier};
use voucher_pos::checkout::policy::OfflinePolicy;
use voucher_pos::checkout::sale::SaleView;
use voucher_pos::checkout::settings::TerminalSettings;
use voucher_pos::domain::intent::Intent;
use voucher_pos::messages::Lang;
use voucher_pos::records::redemption_log::{LogCursor, LogFilter, LogPage, ReviewItem};
use voucher_pos::records::report::{OwnTally, Report};
use voucher_pos::store::ScanResult;
use voucher_pos::ErrorCode;

use crate::commands::{self, PreviewChannel};

/// An error as the page sees it: its code, and its message in the window's language
/// (see [`IpcError::in_language`]).
#[derive(Debug, Serialize, ts_rs::TS)]
pub struct IpcError {
    pub code: ErrorCode,
    pub message: String,
    /// The core's error, until the message is said in the window's language.
    #[serde(skip)]
    #[ts(skip)]
    source: Option<Box<voucher_pos::Error>>,
}

impl IpcError {
    pub fn new(code: ErrorCode, message: impl Into<String>) -> IpcError {
        IpcError { code, message: message.into(), source: None }
    }

    /// The message in the language the core chose for the window (English while the
    /// terminal could not start).
    pub fn in_language(mut self, handle: &tauri::AppHandle) -> IpcError {
        if let Some(e) = self.source.take() {
            use tauri::Manager;
            if let Some(app) = handle.try_state::<voucher_pos::app::App>() {
                let lang = app.access.language().unwrap_or_default();
                self.message = e.words(voucher_pos::messages::Messages::of(lang));
            }
        }
        self
    }
}

impl<E: Into<voucher_pos::Error>> From<E> for IpcError {
    fn from(e: E) -> Self {
        let e: voucher_pos::Error = e.into();
        IpcError { code: e.code(), message: e.to_string(), source: Some(Box::new(e)) }
    }
}

pub type Answer<T> = Result<T, IpcError>;

/// One command's signature as the page sees it, for the generated TypeScript.
#[cfg(test)]
struct Signature {
    name: &'static str,
    args: Vec<(&'static str, String)>,
    returns: String,
}

#[cfg(test)]
macro_rules! ts_of {
    ($cfg:ident, $ty:ty, $ts:literal) => {
        String::from($ts)
    };
    ($cfg:ident, $ty:ty) => {
        <$ty as ts_rs::TS>::name(&$cfg)
    };
}

macro_rules! command_table {
    ($($name:ident ($($arg:ident : $ty:ty $(as $ts:literal)?),*) -> $ret:ty;)*) => {
        $(
            // Private: a public command would export its helper macros crate-wide.
            #[tauri::command]
            async fn $name(handle: tauri::AppHandle, $($arg: $ty),*) -> Answer<$ret> {
                commands::$name(&handle, $($arg),*).await.map_err(|e| e.in_language(&handle))
            }
        )*

        /// Every command of the table, for `tauri::Builder::invoke_handler`.
        pub fn handler() -> impl Fn(tauri::ipc::Invoke) -> bool + Send + Sync + 'static {
            tauri::generate_handler![$($name),*]
        }

        /// The one command a terminal that could not start answers.
        pub fn problem_handler() -> impl Fn(tauri::ipc::Invoke) -> bool + Send + Sync + 'static {
            tauri::generate_handler![startup_problem]
        }

        #[cfg(test)]
        fn signatures() -> Vec<Signature> {
            let cfg = ts_rs::Config::new().with_large_int("number");
            vec![$(Signature {
                name: stringify!($name),
                args: vec![$((stringify!($arg), ts_of!(cfg, $ty $(, $ts)?))),*],
                returns: ts_of!(cfg, $ret),
            }),*]
        }
    };
}

include!("command_table.rs");

/// This package's folder, named at run time: a test binary built in another clone
/// (a shared target folder) must check and rewrite the files it is run beside.
#[cfg(test)]
pub fn manifest_dir() -> std::path::PathBuf {
    std::env::var_os("CARGO_MANIFEST_DIR")
        .map_or_else(|| std::path::PathBuf::from(env!("CARGO_MANIFEST_DIR")), std::path::PathBuf::from)
}

/// Compares a file generated from the Rust side (`relative` to this package) with
/// the committed one; `UPDATE_BINDINGS=1` rewrites it instead. The one staleness
/// check of `bindings.ts`, `commands.ts` and the capability.
#[cfg(test)]
pub fn check_current(relative: &str, fresh: impl FnOnce(&str) -> String) {
    let path = manifest_dir().join(relative);
    let committed = std::fs::read_to_string(&path).unwrap_or_default();
    let fresh = fresh(&committed);
    if std::env::var_os("UPDATE_BINDINGS").is_some() {
        std::fs::write(&path, &fresh).unwrap();
    } else {
        assert!(
            committed == fresh,
            "{relative} is stale: run `UPDATE_BINDINGS=1 cargo test -p voucher-pos-app` and commit it"
        );
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn camel(snake: &str) -> String {
        let mut out = String::new();
        let mut upper = false;
        for c in snake.chars() {
            match c {
                '_' => upper = true,
                c if upper => {
                    out.extend(c.to_uppercase());
                    upper = false;
                }
                c => out.push(c),
            }
        }
        out
    }

    /// `ui/src/commands.ts`: one typed function per command. Arguments are named as
    /// Tauri expects them (camelCase); trailing optional ones may be left out.
    fn typescript() -> String {
        let signatures = signatures();
        let mut types = std::collections::BTreeSet::new();
        let mut body = String::new();
        for s in &signatures {
            let words = s.args.iter().map(|(_, t)| t).chain([&s.returns]);
            for word in words.flat_map(|t| t.split(|c: char| !c.is_alphanumeric())) {
                if word.starts_with(char::is_uppercase) && !["Array", "Channel", "ArrayBuffer"].contains(&word) {
                    types.insert(word.to_string());
                }
            }
            let required = s.args.iter().rposition(|(_, t)| !t.ends_with("| null")).map_or(0, |i| i + 1);
            let params: Vec<String> = s
                .args
                .iter()
                .enumerate()
                .map(|(i, (n, t))| format!("{}{}: {t}", camel(n), if i >= required { "?" } else { "" }))
                .collect();
            let names: Vec<String> = s.args.iter().map(|(n, _)| camel(n)).collect();
            let returns = if s.returns == "null" { "void".to_string() } else { s.returns.clone() };
            let args = if names.is_empty() { String::new() } else { format!(", {{ {} }}", names.join(", ")) };
            body.push_str(&format!(
                "export function {}({}): Promise<{returns}> {{\n  return invoke<{returns}>(\"{}\"{args});\n}}\n\n",
                camel(s.name),
                params.join(", "),
                s.name,
            ));
        }
        let mut out =
            String::from("// Generated from src-tauri/src/command_table.rs by src-tauri/src/ipc.rs. Do not edit.\n\n");
        out.push_str("import { invoke, type Channel } from \"@tauri-apps/api/core\";\n");
        out.push_str(&format!(
            "import type {{ {} }} from \"./bindings\";\n\n",
            types.into_iter().collect::<Vec<_>>().join(", ")
        ));
        out.push_str(body.trim_end());
        out.push('\n');
        out
    }

    /// `capabilities/main.json` with exactly the table's commands granted, besides
    /// listening to the core's events.
    fn capability(committed: &str) -> String {
        let mut cap: serde_json::Value = serde_json::from_str(committed).unwrap();
        let mut perms = vec!["core:event:allow-listen".to_string(), "core:event:allow-unlisten".to_string()];
        perms.extend(signatures().iter().map(|s| format!("allow-{}", s.name.replace('_', "-"))));
        cap["permissions"] = serde_json::json!(perms);
        serde_json::to_string_pretty(&cap).unwrap() + "\n"
    }

    #[test]
    fn the_pages_typed_calls_are_generated_from_the_command_table() {
        super::check_current("../ui/src/commands.ts", |_| typescript());
    }

    /// A command granted but not in the table would be dead; one in the table but
    /// not granted is denied; nothing but the table and event listening is granted.
    #[test]
    fn the_capability_grants_exactly_the_command_table() {
        super::check_current("capabilities/main.json", capability);
    }

    #[test]
    fn no_command_is_listed_twice() {
        let mut names: Vec<_> = signatures().iter().map(|s| s.name).collect();
        let all = names.len();
        names.sort();
        names.dedup();
        assert_eq!(names.len(), all);
    }
}
