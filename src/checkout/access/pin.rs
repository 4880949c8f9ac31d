//! PINs: which ones a person may choose, their argon2 hashes, and the back-off that
//! makes guessing them slow.
//!
//! Four digits are 10,000 guesses, but people do not choose evenly: `1234`, `1111`,
//! `0000`, a year or a keypad column are tried first, and the eight tries before the
//! first lockout would open about one terminal in five. So a new PIN is refused when
//! it is on the list of the most common ones (`common-pins.txt`, with its sources),
//! a run (`123456`, `9876`), a repeat (`111111`, `1212`, `123123`), or (four digits)
//! a year; the manager's PIN, which opens everything, has at least six digits.
//!
//! After a few wrong PINs in a row each try waits longer, and then the subject is
//! locked out for a while. The count is kept in the database, so a restart buys
//! nothing; waits run on the store's steady time, so setting the date forward buys
//! nothing either; every wrong PIN is written to the audit with its time.

use crate::messages::{Arg, Lang, Messages};
use crate::ErrorCode;
use std::sync::Mutex;
use std::time::Duration;

use argon2::password_hash::rand_core::OsRng;
use argon2::password_hash::SaltString;
use argon2::{Argon2, PasswordHash, PasswordHasher, PasswordVerifier};
use rusqlite::{params, OptionalExtension};

use super::audit;
use crate::store::{Store, StoreError};

#[derive(Debug, thiserror::Error)]
pub enum AccessError {
    #[error("This PIN must have {least} to 12 digits.")]
    BadShape { least: usize },
    #[error("{0} is one of the PINs people choose most often, so it is guessed first: choose another.")]
    Common(String),
    #[error("A PIN that counts up or down (like 123456) is guessed first: choose another.")]
    Run,
    #[error("A PIN that repeats (like 111111 or 121212) is guessed first: choose another.")]
    Repeat,
    #[error("A year is guessed first: choose a PIN that is not one.")]
    Year,
    #[error("The new PIN must differ from the one the manager set.")]
    Unchanged,
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
    /// Not allowed now (the manager screens locked, no cashier signed in, an id
    /// taken...); the message says why, for the person at the till.
    #[error("{message}")]
    Refused { code: ErrorCode, message: String },
    /// A cashier id that breaks the metadata field rule.
    #[error(transparent)]
    Id(#[from] crate::domain::intent::ContextError),
    #[error(transparent)]
    Store(#[from] StoreError),
}

impl AccessError {
    pub fn code(&self) -> crate::ErrorCode {
        match self {
            AccessError::BadShape { .. } => ErrorCode::PinBadShape,
            AccessError::Common(_) => ErrorCode::PinCommon,
            AccessError::Run => ErrorCode::PinRun,
            AccessError::Repeat => ErrorCode::PinRepeat,
            AccessError::Year => ErrorCode::PinYear,
            AccessError::Unchanged => ErrorCode::PinUnchanged,
            AccessError::Mismatch => ErrorCode::PinMismatch,
            AccessError::Wrong { .. } => ErrorCode::PinWrong,
            AccessError::Wait { .. } => ErrorCode::PinBackoff,
            AccessError::NotSet => ErrorCode::PinNotSet,
            AccessError::AlreadySet => ErrorCode::PinAlreadySet,
            AccessError::Hash(_) => ErrorCode::PinHash,
            AccessError::Store(e) => e.code(),
            AccessError::Id(e) => e.code(),
            AccessError::Refused { code, .. } => *code,
        }
    }
}

impl From<rusqlite::Error> for AccessError {
    fn from(e: rusqlite::Error) -> Self {
        AccessError::Store(e.into())
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
    wait_in_words(s, Messages::of(Lang::En))
}

/// A wait in words, in `m`'s language: seconds up to two minutes, then whole minutes
/// (rounded up). The English sentences above and the window's (`Error::words`) both
/// say it this way.
pub fn wait_in_words(s: u64, m: &Messages) -> String {
    let n = |v: u64| Arg::Count(i64::try_from(v).unwrap_or(i64::MAX));
    match s {
        0..=1 => m.text("wait-one-second"),
        2..=119 => m.format("wait-seconds", &[("n", n(s))]),
        _ => m.format("wait-minutes", &[("n", n(s.div_ceil(60)))]),
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

/// The fewest digits of a cashier's PIN, and of the manager's (which opens
/// everything, so it is worth two more digits of guessing).
pub const CASHIER_DIGITS: usize = 4;
pub const MANAGER_DIGITS: usize = 6;

/// Whether `pin` could be a PIN at all (what a check accepts: PINs chosen before
/// the policy below still open what they opened).
fn check_shape(pin: &str, least: usize) -> Result<(), AccessError> {
    if (least..=12).contains(&pin.len()) && pin.bytes().all(|b| b.is_ascii_digit()) {
        Ok(())
    } else {
        Err(AccessError::BadShape { least })
    }
}

const COMMON: &str = include_str!("common-pins.txt");

/// Whether a person may choose `pin` as a new PIN of at least `least` digits; the
/// refusal says why.
pub fn check_new(pin: &str, least: usize) -> Result<(), AccessError> {
    check_shape(pin, least)?;
    let d: Vec<i8> = pin.bytes().map(|b| (b - b'0') as i8).collect();
    let steps: Vec<i8> = d.windows(2).map(|w| (w[1] - w[0]).rem_euclid(10)).collect();
    if steps.iter().all(|&s| s == 1) || steps.iter().all(|&s| s == 9) {
        return Err(AccessError::Run);
    }
    if (1..=pin.len() / 2)
        .any(|p| pin.len().is_multiple_of(p) && pin.as_bytes().chunks(p).all(|c| c == &pin.as_bytes()[..p]))
    {
        return Err(AccessError::Repeat);
    }
    if pin.len() == 4 && (1940..=2039).contains(&pin.parse::<u32>().unwrap_or(0)) {
        return Err(AccessError::Year);
    }
    if COMMON.lines().any(|l| l.trim() == pin) {
        return Err(AccessError::Common(pin.into()));
    }
    Ok(())
}

/// A new PIN of at least `least` digits, typed twice, as an argon2 hash.
pub fn new_hash(pin: &str, again: &str, least: usize) -> Result<String, AccessError> {
    check_new(pin, least)?;
    if pin != again {
        return Err(AccessError::Mismatch);
    }
    hash(pin)
}

fn hash(pin: &str) -> Result<String, AccessError> {
    let salt = SaltString::generate(&mut OsRng);
    Ok(Argon2::default()
        .hash_password(pin.as_bytes(), &salt)
        .map_err(|e| AccessError::Hash(e.to_string()))?
        .to_string())
}

/// A hash no PIN is known to match, checked in place of a subject that does not
/// exist: a sign-in with an unknown id costs the same argon2 time as a known one, so
/// the answer's speed does not tell which ids exist.
fn decoy_hash() -> &'static str {
    static DECOY: std::sync::OnceLock<String> = std::sync::OnceLock::new();
    // Not digits, so no PIN matches it.
    DECOY.get_or_init(|| hash("no PIN matches this").expect("argon2 hashes a short input"))
}

// One check at a time in this process: otherwise a script could fire a thousand
// guesses at once while the count still says "no wait".
static CHECKING: Mutex<()> = Mutex::new(());

/// Checks `pin` for `subject` against `hash`, honouring and updating the back-off. A
/// wrong PIN is recorded in the audit as `actor`'s, with `what` was tried.
pub(crate) fn verify(
    store: &Store,
    subject: &str,
    hash: &str,
    pin: &str,
    actor: &str,
    what: &str,
) -> Result<(), AccessError> {
    let _one = CHECKING.lock().unwrap_or_else(|p| p.into_inner());
    let now = store.steady_now_ms()?;
    let row: Option<(u32, i64)> = store.read(|c| {
        c.query_row("SELECT failures, last_at FROM pin_failures WHERE subject = ?1", [subject], |r| {
            Ok((r.get(0)?, r.get(1)?))
        })
        .optional()
    })?;
    let (failures, mut last_at) = row.unwrap_or((0, 0));
    let wait_ms = wait_after(failures).as_millis() as i64;
    if failures > 0 && now < last_at {
        // The clock stepped back: count the wait from now, not from a future that
        // might never come.
        store.with_transaction(|tx| {
            tx.execute("UPDATE pin_failures SET last_at = ?2 WHERE subject = ?1", params![subject, now])
        })?;
        last_at = now;
    }
    if wait_ms > 0 && now < last_at + wait_ms {
        return Err(AccessError::Wait { wait_s: ((last_at + wait_ms - now) as u64).div_ceil(1000) });
    }
    let right = check_shape(pin, CASHIER_DIGITS).is_ok()
        && PasswordHash::new(hash).is_ok_and(|h| Argon2::default().verify_password(pin.as_bytes(), &h).is_ok());
    if right {
        if failures > 0 {
            store.with_transaction(|tx| tx.execute("DELETE FROM pin_failures WHERE subject = ?1", [subject]))?;
        }
        return Ok(());
    }
    let failures = failures + 1;
    tracing::warn!(subject, failures, "wrong PIN");
    let wall = store.now_ms();
    store.with_transaction(|tx| {
        tx.execute(
            "INSERT INTO pin_failures (subject, failures, last_at) VALUES (?1, ?2, ?3)
             ON CONFLICT(subject) DO UPDATE SET failures = excluded.failures, last_at = excluded.last_at",
            params![subject, failures, now],
        )?;
        audit::record(tx, wall, actor, "pin_wrong", Some(&format!("{what}, {failures} wrong in a row")))
    })?;
    Err(AccessError::Wrong { wait_s: wait_after(failures).as_secs() })
}

/// A sign-in with an id nobody has. Answered exactly as a known id's first wrong
/// PIN is, after the same argon2 work, whatever came before: a wait, or a different
/// answer, would tell which ids exist. One shared count (`subject`) keeps the audit
/// to a row for the first and then every 50th, never one naming what was typed; the
/// per-minute limit on sign-ins is what slows a flood. Returns the refusal to give.
pub(crate) fn refuse_unknown(store: &Store, subject: &str) -> AccessError {
    let _one = CHECKING.lock().unwrap_or_else(|p| p.into_inner());
    // The same disk work as a known id's check (reading the steady time is a write),
    // or the answer would come one fsync sooner.
    let now = match store.steady_now_ms() {
        Ok(now) => now,
        Err(e) => return e.into(),
    };
    let matched = PasswordHash::new(decoy_hash()).is_ok_and(|h| Argon2::default().verify_password(b"0000", &h).is_ok());
    debug_assert!(!matched);
    let wall = store.now_ms();
    let counted = store.with_transaction(|tx| {
        let failures: u32 = tx.query_row(
            "INSERT INTO pin_failures (subject, failures, last_at) VALUES (?1, 1, ?2)
             ON CONFLICT(subject) DO UPDATE SET failures = failures + 1, last_at = excluded.last_at
             RETURNING failures",
            params![subject, now],
            |r| r.get(0),
        )?;
        if failures == 1 || failures.is_multiple_of(50) {
            audit::record(tx, wall, subject, "pin_wrong", Some(&format!("{failures} sign-ins with unknown ids")))?;
        }
        Ok(())
    });
    match counted {
        Ok(()) => AccessError::Wrong { wait_s: 0 },
        Err(e) => e.into(),
    }
}

/// Forgets the wrong-PIN count of `subject` (after a reset).
pub(crate) fn clear_failures(conn: &rusqlite::Connection, subject: &str) -> rusqlite::Result<()> {
    conn.execute("DELETE FROM pin_failures WHERE subject = ?1", [subject]).map(|_| ())
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
        assert_eq!(AccessError::Wrong { wait_s: 0 }.to_string(), "That PIN is not right.");
        assert_eq!(
            AccessError::Wrong { wait_s: 4 }.to_string(),
            "That PIN is not right. Wait 4 seconds before the next try."
        );
        assert_eq!(AccessError::Wait { wait_s: 900 }.to_string(), "Too many wrong PINs. Try again in 15 minutes.");
    }

    #[test]
    fn a_new_pin_must_be_typed_the_same_twice_and_be_digits() {
        assert!(matches!(new_hash("4826", "4862", 4), Err(AccessError::Mismatch)));
        assert!(matches!(new_hash("12a4", "12a4", 4), Err(AccessError::BadShape { least: 4 })));
        assert!(matches!(new_hash("123", "123", 4), Err(AccessError::BadShape { .. })));
        let h = new_hash("4826", "4826", 4).unwrap();
        assert!(h.starts_with("$argon2") && !h.contains("4826"));
    }

    #[test]
    fn the_pins_people_choose_first_are_refused_and_the_refusal_says_why() {
        let code = |pin: &str, least| check_new(pin, least).map_err(|e| e.code().as_str());
        // The manager's has six digits at least.
        assert_eq!(code("4826", MANAGER_DIGITS), Err("pin_bad_shape"));
        assert_eq!(AccessError::BadShape { least: 6 }.to_string(), "This PIN must have 6 to 12 digits.");
        for run in ["1234", "123456", "654321", "4321", "7890", "0987", "34567890"] {
            assert_eq!(code(run, 4), Err("pin_run"), "{run}");
        }
        for repeat in ["1111", "000000", "1212", "123123", "121212", "99999999"] {
            assert_eq!(code(repeat, 4), Err("pin_repeat"), "{repeat}");
        }
        assert_eq!(code("1987", 4), Err("pin_year"));
        for common in ["2580", "1004", "112233", "159753", "147258"] {
            assert_eq!(code(common, 4), Err("pin_common"), "{common}");
        }
        assert!(AccessError::Common("2580".into())
            .to_string()
            .starts_with("2580 is one of the PINs people choose most often"));
        for fine in ["4826", "7391", "480315", "936027", "1942580"] {
            assert_eq!(code(fine, 4), Ok(()), "{fine}");
        }
        assert_eq!(code("480315", MANAGER_DIGITS), Ok(()));
    }

    #[test]
    fn the_shipped_list_is_clean() {
        let pins: Vec<&str> = COMMON.lines().map(str::trim).filter(|l| !l.is_empty() && !l.starts_with('#')).collect();
        assert!(pins.len() >= 50, "{} PINs", pins.len());
        let mut seen = std::collections::HashSet::new();
        for p in pins {
            assert!(check_shape(p, 4).is_ok(), "{p:?} is not a PIN");
            assert!(seen.insert(p), "{p} twice");
        }
    }
}
