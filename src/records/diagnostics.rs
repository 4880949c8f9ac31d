//! One file a store can send to support: what the terminal knows about itself,
//! without a secret or a voucher code in it. A tar archive of `summary.json` (the
//! version, the schema version, intents per state, the queue, the settings and
//! offline policy, the last 200 attempts) and the log files. The API key lives in
//! the keyring or `secrets.json`, neither of which is read here; attempts carry no
//! code; a service URL loses any user or password it was written with.

use std::collections::BTreeMap;
use std::path::Path;

use serde::Serialize;

use crate::records::export::{write_export, ExportError};
use crate::store::{Attempt, QueueSummary, Store, StoreError};

#[derive(Debug, Serialize)]
pub struct Summary {
    pub app_version: &'static str,
    pub schema_version: i64,
    pub written_at: String,
    pub intents_by_state: BTreeMap<String, i64>,
    pub queue: QueueSummary,
    pub settings: crate::checkout::settings::TerminalSettings,
    pub offline_policy: crate::checkout::policy::OfflinePolicy,
    /// The newest 200, newest first; the intent id identifies, no code is shown.
    pub last_attempts: Vec<Attempt>,
}

/// What the summary holds, read from the store.
pub fn summary(store: &Store) -> Result<Summary, StoreError> {
    let (schema_version, by_state) = store.read(|c| {
        let v: i64 = c.query_row("PRAGMA user_version", [], |r| r.get(0))?;
        let mut st = c.prepare("SELECT state, count(*) FROM intents GROUP BY state")?;
        let by: BTreeMap<String, i64> = st.query_map([], |r| Ok((r.get(0)?, r.get(1)?)))?.collect::<Result<_, _>>()?;
        Ok((v, by))
    })?;
    let mut settings = crate::checkout::settings::TerminalSettings::load(store)?;
    settings.service_url = settings.service_url.map(|u| without_credentials(&u));
    Ok(Summary {
        app_version: env!("CARGO_PKG_VERSION"),
        schema_version,
        written_at: crate::platform::clock::rfc3339(store.now_ms()),
        intents_by_state: by_state,
        queue: store.summary()?,
        settings,
        offline_policy: crate::checkout::policy::OfflinePolicy::load(store)?,
        last_attempts: store.recent_attempts(200)?,
    })
}

fn without_credentials(url: &str) -> String {
    match url::Url::parse(url) {
        Ok(mut u) => {
            let _ = u.set_username("");
            let _ = u.set_password(None);
            u.to_string()
        }
        Err(_) => "(not a URL)".into(),
    }
}

/// Writes the archive to `dest` (the export rules: never in the data folder, 0600,
/// temp + rename), with every file of `logs_dir` if it exists. Returns the summary.
pub fn write(store: &Store, logs_dir: &Path, dest: &Path, data_dir: &Path) -> Result<Summary, ExportError> {
    let s = summary(store)?;
    let json = serde_json::to_vec_pretty(&s).expect("plain data serialises");
    let io = |e: std::io::Error| ExportError::io(dest, e);
    write_export(dest, data_dir, |out| {
        let mut tar = tar::Builder::new(out);
        let mut header = tar::Header::new_gnu();
        header.set_size(json.len() as u64);
        header.set_mode(0o600);
        header.set_mtime((store.now_ms() / 1000).max(0) as u64);
        header.set_cksum();
        tar.append_data(&mut header, "summary.json", json.as_slice()).map_err(io)?;
        // Only the log files themselves: a link in `logs/` (to a key file, a database
        // elsewhere) is never followed into the archive a manager hands to support.
        tar.follow_symlinks(false);
        if let Ok(entries) = std::fs::read_dir(logs_dir) {
            let mut files: Vec<_> = entries
                .filter_map(|e| e.ok().map(|e| e.path()))
                .filter(|p| std::fs::symlink_metadata(p).is_ok_and(|m| m.file_type().is_file()))
                .collect();
            files.sort();
            for f in files {
                let name = format!("logs/{}", f.file_name().unwrap_or_default().to_string_lossy());
                tar.append_path_with_name(&f, name).map_err(io)?;
            }
        }
        tar.finish().map_err(io)?;
        Ok(())
    })?;
    Ok(s)
}
