//! The manager PIN: stored only as an argon2 hash in the terminal's settings, so a
//! copied database does not give the PIN away. The first PIN entered on a terminal
//! with none becomes its PIN.

use argon2::password_hash::rand_core::OsRng;
use argon2::password_hash::SaltString;
use argon2::{Argon2, PasswordHash, PasswordHasher, PasswordVerifier};

use crate::store::{Store, StoreError};

const SETTING: &str = "manager_pin_argon2";

#[derive(Debug, thiserror::Error)]
pub enum PinError {
    #[error("A manager PIN has 4 to 12 digits.")]
    BadShape,
    #[error("That PIN is not right.")]
    Wrong,
    #[error(transparent)]
    Store(#[from] StoreError),
}

impl PinError {
    pub fn code(&self) -> &'static str {
        match self {
            PinError::BadShape => "pin_bad_shape",
            PinError::Wrong => "pin_wrong",
            PinError::Store(e) => e.code(),
        }
    }
}

/// Whether this terminal has a manager PIN yet.
pub fn has_pin(store: &Store) -> Result<bool, StoreError> {
    Ok(store.setting(SETTING)?.is_some())
}

/// Checks `pin`; on a terminal with no PIN yet, makes it the PIN.
pub fn unlock(store: &Store, pin: &str) -> Result<(), PinError> {
    if !(4..=12).contains(&pin.len()) || !pin.bytes().all(|b| b.is_ascii_digit()) {
        return Err(PinError::BadShape);
    }
    match store.setting(SETTING)? {
        None => {
            let salt = SaltString::generate(&mut OsRng);
            let hash = Argon2::default().hash_password(pin.as_bytes(), &salt).map_err(|_| PinError::BadShape)?.to_string();
            store.set_setting(SETTING, &hash)?;
            Ok(())
        }
        Some(hash) => {
            let parsed = PasswordHash::new(&hash).map_err(|_| PinError::Wrong)?;
            Argon2::default().verify_password(pin.as_bytes(), &parsed).map_err(|_| PinError::Wrong)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_first_pin_is_kept_as_a_hash_and_then_checked() {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::open(dir.path().join("t.db"), std::sync::Arc::new(crate::clock::SystemClock)).unwrap();
        assert!(!has_pin(&store).unwrap());
        unlock(&store, "2468").unwrap();
        let stored = store.setting(SETTING).unwrap().unwrap();
        assert!(stored.starts_with("$argon2") && !stored.contains("2468"));
        unlock(&store, "2468").unwrap();
        assert!(matches!(unlock(&store, "1357"), Err(PinError::Wrong)));
        assert!(matches!(unlock(&store, "12a4"), Err(PinError::BadShape)));
    }
}
