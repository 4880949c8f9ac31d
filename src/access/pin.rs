//! PINs: their shape, their argon2 hashes, and the back-off that makes guessing them
//! slow. Four digits are 10,000 guesses; without a limit a script tries them all in
//! minutes. After a few wrong PINs in a row each try waits longer, and then the
//! subject is locked out for a while. The count is kept in the database, so a restart
//! buys nothing, and every wrong PIN is written to the audit with its time.

use std::sync::Mutex;
use std::time::Duration;

use argon2::password_hash::rand_core::OsRng;
use argon2::password_hash::SaltString;
use argon2::{Argon2, PasswordHash, PasswordHasher, PasswordVerifier};
use rusqlite::{params, OptionalExtension};

use super::audit;
use crate::store::{Store, StoreError};

#[derive(Debug, thiserror::Error)]
pub enum PinError {
    #[error("A PIN has 4 to 12 digits.")]
    BadShape,
    #[error("The two PINs are not the same; type the new PIN twice.")]
    Mismatch,
    #[error("That PIN is not right.{}", wait_hint(*.wait_s))]
    Wrong { wait_s: u64 },
    #[error("Too many wrong PINs. Try again in {}.", in_words(*.wait_s))]
    Wait { wait_s: u64 },
    #[error("This terminal has no manager PIN yet: choose one and type it twice.")]
    NotSet,
    #[error("This terminal already has a manager PIN.")]
    AlreadySet,
    #[error("The PIN could not be hashed: {0}")]
    Hash(String),
    #[error(transparent)]
    Store(#[from] StoreError),
}

impl PinError {
    pub fn code(&self) -> &'static str {
        match self {
            PinError::BadShape => "pin_bad_shape",
            PinError::Mismatch => "pin_mismatch",
            PinError::Wrong { .. } => "pin_wrong",
            PinError::Wait { .. } => "pin_backoff",
            PinError::NotSet => "pin_not_set",
            PinError::AlreadySet => "pin_already_set",
            PinError::Hash(_) => "pin_hash",
            PinError::Store(e) => e.code(),
        }
    }
}

impl From<rusqlite::Error> for PinError {
    fn from(e: rusqlite::Error) -> Self {
        PinError::Store(e.into())
    }
}

fn wait_hint(wait_s: u64) -> String {
    if wait_s == 0 {
        String::new()
    } else {
        format!(" Wait {} before the next try.", in_words(wait_s))
    }
}

fn in_words(s: u64) -> String {
    match s {
        0..=1 => "1 second".into(),
        2..=119 => format!("{s} seconds"),
        _ => format!("{} minutes", s.div_ceil(60)),
    }
}

/// Wrong PINs in a row that cost nothing: a slip of the finger.
pub const FREE_TRIES: u32 = 3;
/// From this many wrong PINs in a row, each further try waits [`LOCKOUT`].
pub const LOCKOUT_AFTER: u32 = 8;
pub const LOCKOUT: Duration = Duration::from_secs(15 * 60);

/// How long the next try must wait after `failures` wrong PINs in a row: nothing for
/// the first few, then 1, 2, 4, 8, 16 seconds, then a lockout. Eight tries then a
/// quarter of an hour each: guessing one of 10,000 PINs takes weeks.
pub fn wait_after(failures: u32) -> Duration {
    match failures {
        0..FREE_TRIES => Duration::ZERO,
        FREE_TRIES..LOCKOUT_AFTER => Duration::from_secs(1u64 << (failures - FREE_TRIES)),
        _ => LOCKOUT,
    }
}

pub fn check_shape(pin: &str) -> Result<(), PinError> {
    if (4..=12).contains(&pin.len()) && pin.bytes().all(|b| b.is_ascii_digit()) {
        Ok(())
    } else {
        Err(PinError::BadShape)
    }
}

/// A new PIN, typed twice, as an argon2 hash.
pub fn new_hash(pin: &str, again: &str) -> Result<String, PinError> {
    check_shape(pin)?;
    if pin != again {
        return Err(PinError::Mismatch);
    }
    let salt = SaltString::generate(&mut OsRng);
    Ok(Argon2::default()
        .hash_password(pin.as_bytes(), &salt)
        .map_err(|e| PinError::Hash(e.to_string()))?
        .to_string())
}

// One check at a time in this process: otherwise a script could fire a thousand
// guesses at once while the count still says "no wait".
static CHECKING: Mutex<()> = Mutex::new(());

/// Checks `pin` for `subject` against `hash` (none: no such subject, which counts as
/// a wrong PIN), honouring and updating the back-off.
pub(crate) fn verify(
    store: &Store,
    subject: &str,
    hash: Option<&str>,
    pin: &str,
) -> Result<(), PinError> {
    let _one = CHECKING.lock().unwrap_or_else(|p| p.into_inner());
    let now = store.now_ms();
    let row: Option<(u32, i64)> = store.read(|c| {
        c.query_row(
            "SELECT failures, last_at FROM pin_failures WHERE subject = ?1",
            [subject],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )
        .optional()
    })?;
    let (failures, mut last_at) = row.unwrap_or((0, 0));
    let wait_ms = wait_after(failures).as_millis() as i64;
    if failures > 0 && now < last_at {
        // The clock stepped back: count the wait from now, not from a future that
        // might never come.
        store.with_transaction(|tx| {
            tx.execute(
                "UPDATE pin_failures SET last_at = ?2 WHERE subject = ?1",
                params![subject, now],
            )
        })?;
        last_at = now;
    }
    if wait_ms > 0 && now < last_at + wait_ms {
        return Err(PinError::Wait {
            wait_s: ((last_at + wait_ms - now) as u64).div_ceil(1000),
        });
    }
    let right = check_shape(pin).is_ok()
        && hash
            .and_then(|h| PasswordHash::new(h).ok())
            .is_some_and(|h| {
                Argon2::default()
                    .verify_password(pin.as_bytes(), &h)
                    .is_ok()
            });
    if right {
        if failures > 0 {
            store.with_transaction(|tx| {
                tx.execute("DELETE FROM pin_failures WHERE subject = ?1", [subject])
            })?;
        }
        return Ok(());
    }
    let failures = failures + 1;
    tracing::warn!(subject, failures, "wrong PIN");
    store.with_transaction(|tx| {
        tx.execute(
            "INSERT INTO pin_failures (subject, failures, last_at) VALUES (?1, ?2, ?3)
             ON CONFLICT(subject) DO UPDATE SET failures = excluded.failures, last_at = excluded.last_at",
            params![subject, failures, now],
        )?;
        audit::record(tx, now, subject, "pin_wrong", Some(&format!("{failures} wrong in a row")))
    })?;
    Err(PinError::Wrong {
        wait_s: wait_after(failures).as_secs(),
    })
}

/// Forgets the wrong-PIN count of `subject` (after a reset).
pub(crate) fn clear_failures(conn: &rusqlite::Connection, subject: &str) -> rusqlite::Result<()> {
    conn.execute("DELETE FROM pin_failures WHERE subject = ?1", [subject])
        .map(|_| ())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_wait_grows_and_then_locks_out() {
        let waits: Vec<u64> = (0..10).map(|n| wait_after(n).as_secs()).collect();
        assert_eq!(waits, [0, 0, 0, 1, 2, 4, 8, 16, 900, 900]);
    }

    #[test]
    fn messages_say_how_long_to_wait_in_words() {
        assert_eq!(
            PinError::Wrong { wait_s: 0 }.to_string(),
            "That PIN is not right."
        );
        assert_eq!(
            PinError::Wrong { wait_s: 4 }.to_string(),
            "That PIN is not right. Wait 4 seconds before the next try."
        );
        assert_eq!(
            PinError::Wait { wait_s: 900 }.to_string(),
            "Too many wrong PINs. Try again in 15 minutes."
        );
    }

    #[test]
    fn a_new_pin_must_be_typed_the_same_twice_and_be_digits() {
        assert!(matches!(new_hash("2468", "2469"), Err(PinError::Mismatch)));
        assert!(matches!(new_hash("12a4", "12a4"), Err(PinError::BadShape)));
        assert!(matches!(new_hash("123", "123"), Err(PinError::BadShape)));
        let h = new_hash("2468", "2468").unwrap();
        assert!(h.starts_with("$argon2") && !h.contains("2468"));
    }
}
