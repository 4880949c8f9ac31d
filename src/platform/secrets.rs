//! Where the terminal keeps its API key: the OS keyring when one runs (Keychain,
//! Credential Manager, Secret Service), else a file only the terminal's user can
//! read (mode 0600). Both sit behind [`SecretStore`], so the app does not care which,
//! and a headless till still works. Secrets are never logged or printed.

use crate::ErrorCode;
use std::collections::BTreeMap;
use std::io::Write;
use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};

#[derive(Debug, thiserror::Error)]
pub enum SecretError {
    #[error("No keyring service is available ({0}).")]
    NoKeyring(String),
    #[error("The keyring refused: {0}")]
    Keyring(String),
    #[error("The secrets file {0} can be read by other users; fix its permissions (chmod 600) first.")]
    TooOpen(PathBuf),
    #[error("The secrets file could not be used: {0}")]
    Io(#[from] std::io::Error),
    #[error("The secrets file is damaged: {0}")]
    Damaged(String),
}

impl SecretError {
    pub fn code(&self) -> crate::ErrorCode {
        match self {
            SecretError::NoKeyring(_) => ErrorCode::SecretsNoKeyring,
            SecretError::Keyring(_) => ErrorCode::SecretsKeyring,
            SecretError::TooOpen(_) => ErrorCode::SecretsFileTooOpen,
            SecretError::Io(_) => ErrorCode::SecretsIo,
            SecretError::Damaged(_) => ErrorCode::SecretsDamaged,
        }
    }
}

pub trait SecretStore: Send + Sync {
    fn get(&self, name: &str) -> Result<Option<String>, SecretError>;
    fn set(&self, name: &str, value: &str) -> Result<(), SecretError>;
    /// Where secrets go, for the settings screen ("OS keyring", "private file ...").
    fn describe(&self) -> String;
}

/// The OS keyring through the `keyring` crate.
pub struct KeyringStore {
    service: String,
}

impl KeyringStore {
    /// Fails with [`SecretError::NoKeyring`] where no keyring service can be reached
    /// (no Secret Service or no session bus on a headless till, say).
    pub fn open(service: &str) -> Result<KeyringStore, SecretError> {
        match keyring::Entry::store_status() {
            Ok(()) => Ok(KeyringStore { service: service.into() }),
            Err(e) => Err(SecretError::NoKeyring(e.to_string())),
        }
    }

    fn entry(&self, name: &str) -> Result<keyring::Entry, SecretError> {
        keyring::Entry::new(&self.service, name).map_err(|e| match e {
            keyring::Error::NoDefaultStore => SecretError::NoKeyring("no default store".into()),
            e => SecretError::Keyring(e.to_string()),
        })
    }
}

impl SecretStore for KeyringStore {
    fn get(&self, name: &str) -> Result<Option<String>, SecretError> {
        match self.entry(name)?.get_password() {
            Ok(v) => Ok(Some(v)),
            Err(keyring::Error::NoEntry) => Ok(None),
            Err(e) => Err(SecretError::Keyring(e.to_string())),
        }
    }

    fn set(&self, name: &str, value: &str) -> Result<(), SecretError> {
        self.entry(name)?.set_password(value).map_err(|e| SecretError::Keyring(e.to_string()))
    }

    fn describe(&self) -> String {
        "OS keyring".into()
    }
}

/// A JSON file of name -> secret, created with mode 0600 and refused if others can
/// read it.
pub struct FileStore {
    path: PathBuf,
}

impl FileStore {
    pub fn new(path: impl Into<PathBuf>) -> FileStore {
        FileStore { path: path.into() }
    }

    fn read_all(&self) -> Result<BTreeMap<String, String>, SecretError> {
        let meta = match std::fs::metadata(&self.path) {
            Ok(m) => m,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(BTreeMap::new()),
            Err(e) => return Err(e.into()),
        };
        if meta.permissions().mode() & 0o077 != 0 {
            return Err(SecretError::TooOpen(self.path.clone()));
        }
        let text = std::fs::read_to_string(&self.path)?;
        serde_json::from_str(&text).map_err(|e| SecretError::Damaged(e.to_string()))
    }
}

impl SecretStore for FileStore {
    fn get(&self, name: &str) -> Result<Option<String>, SecretError> {
        Ok(self.read_all()?.get(name).cloned())
    }

    fn set(&self, name: &str, value: &str) -> Result<(), SecretError> {
        let mut all = self.read_all()?;
        all.insert(name.into(), value.into());
        crate::platform::fsx::private_dir(crate::platform::fsx::folder_of(&self.path))?;
        let json = serde_json::to_string_pretty(&all).expect("a map of strings serialises");
        crate::platform::fsx::write_atomic(&self.path, SecretError::from, |out| Ok(out.write_all(json.as_bytes())?))
    }

    fn describe(&self) -> String {
        format!("private file {}", self.path.display())
    }
}

/// The OS keyring if one runs, else `<dir>/secrets.json` (mode 0600).
pub fn open_default(dir: &Path) -> Box<dyn SecretStore> {
    match KeyringStore::open("voucher-pos") {
        Ok(k) => Box::new(k),
        Err(_) => Box::new(FileStore::new(dir.join("secrets.json"))),
    }
}

/// The name the service API key is kept under.
pub const API_KEY: &str = "service_api_key";

/// The API key together with the service it was entered for: a key is only ever sent
/// to that service, so changing the service URL means entering its key again.
#[derive(serde::Serialize, serde::Deserialize)]
struct BoundKey {
    url: String,
    key: String,
}

/// What the secret store holds for a service.
#[derive(Debug, PartialEq, Eq)]
pub enum StoredKey {
    /// The key entered for this service.
    For(String),
    /// No key at all.
    Missing,
    /// A key entered for another service (its URL), or by a version that did not
    /// record one (`None`): not to be sent here.
    OtherService(Option<String>),
}

fn same_service(a: &str, b: &str) -> bool {
    a.trim().trim_end_matches('/') == b.trim().trim_end_matches('/')
}

/// Keeps `key` as the key for `url`, replacing any other.
pub fn save_api_key(secrets: &dyn SecretStore, url: &str, key: &str) -> Result<(), SecretError> {
    let bound = BoundKey { url: url.trim().trim_end_matches('/').into(), key: key.into() };
    secrets.set(API_KEY, &serde_json::to_string(&bound).expect("two strings serialise"))
}

/// The key to send to `url`, if one was entered for it.
pub fn api_key_for(secrets: &dyn SecretStore, url: &str) -> Result<StoredKey, SecretError> {
    Ok(match secrets.get(API_KEY)? {
        None => StoredKey::Missing,
        Some(v) => match serde_json::from_str::<BoundKey>(&v) {
            Ok(b) if same_service(&b.url, url) => StoredKey::For(b.key),
            Ok(b) => StoredKey::OtherService(Some(b.url)),
            Err(_) => StoredKey::OtherService(None),
        },
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_file_store_keeps_secrets_private_and_refuses_an_open_file() {
        let dir = tempfile::tempdir().unwrap();
        let store = FileStore::new(dir.path().join("secrets.json"));
        assert_eq!(store.get(API_KEY).unwrap(), None);
        store.set(API_KEY, "live_abc").unwrap();
        store.set("other", "x").unwrap();
        assert_eq!(store.get(API_KEY).unwrap().as_deref(), Some("live_abc"));
        let mode = std::fs::metadata(dir.path().join("secrets.json")).unwrap().permissions().mode() & 0o777;
        assert_eq!(mode, 0o600);
        std::fs::set_permissions(dir.path().join("secrets.json"), std::fs::Permissions::from_mode(0o644)).unwrap();
        assert!(matches!(store.get(API_KEY), Err(SecretError::TooOpen(_))));
    }

    #[test]
    fn a_stored_key_is_given_only_to_the_service_it_was_entered_for() {
        let dir = tempfile::tempdir().unwrap();
        let store = FileStore::new(dir.path().join("secrets.json"));
        assert_eq!(api_key_for(&store, "https://api.example.com").unwrap(), StoredKey::Missing);
        save_api_key(&store, "https://api.example.com/", "live_abc").unwrap();
        assert_eq!(api_key_for(&store, "https://api.example.com").unwrap(), StoredKey::For("live_abc".into()));
        assert_eq!(
            api_key_for(&store, "https://evil.example.net").unwrap(),
            StoredKey::OtherService(Some("https://api.example.com".into()))
        );
        // A bare key from before keys were bound is not sent anywhere.
        store.set(API_KEY, "live_old").unwrap();
        assert_eq!(api_key_for(&store, "https://api.example.com").unwrap(), StoredKey::OtherService(None));
    }

    #[test]
    fn without_a_keyring_service_the_key_goes_to_a_private_file_and_with_one_to_the_keyring() {
        let dir = tempfile::tempdir().unwrap();
        match KeyringStore::open("voucher-pos-test") {
            Err(SecretError::NoKeyring(_)) => {
                let store = open_default(dir.path());
                assert!(store.describe().starts_with("private file"), "{}", store.describe());
                store.set(API_KEY, "test_k").unwrap();
                assert_eq!(store.get(API_KEY).unwrap().as_deref(), Some("test_k"));
            }
            Ok(k) => {
                // A desktop with a keyring: round-trip a uniquely named entry.
                let name = format!("test-{}", uuid::Uuid::new_v4());
                k.set(&name, "s3cret").unwrap();
                let read = k.get(&name);
                // Removed before anything is judged: a test leaves no entry behind.
                k.entry(&name).unwrap().delete_credential().unwrap();
                assert_eq!(read.unwrap().as_deref(), Some("s3cret"));
                assert_eq!(k.get(&name).unwrap(), None, "the entry is gone");
            }
            Err(e) => panic!("the keyring failed in an unexpected way: {e}"),
        }
    }
}
