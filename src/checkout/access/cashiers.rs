//! The manager's list of cashiers. Each has an id (it goes into the service's
//! `metadata` as `cashier_ID`, so it has that field's shape), a name for the screen,
//! and a PIN of their own. Removing a cashier keeps the row, inactive: old history
//! rows and redemptions still name them.
//!
//! The manager never knows a cashier's PIN for long: the PIN the manager types when
//! adding a cashier, or when resetting a forgotten one, is good for one sign-in, at
//! which the cashier chooses their own.

use crate::ErrorCode;
use rusqlite::{params, OptionalExtension};
use serde::Serialize;

use super::{audit, pin, AccessError};
use crate::store::{Store, StoreError};

#[derive(Debug, Clone, PartialEq, Eq, Serialize, ts_rs::TS)]
pub struct Cashier {
    pub id: String,
    pub name: String,
}

/// Adds a cashier, or gives an inactive one back their place with a new PIN.
pub fn add(store: &Store, id: &str, name: &str, pin: &str, again: &str, by: &str) -> Result<Cashier, AccessError> {
    crate::domain::intent::check_field("cashier id", id, true)?;
    let name = name.trim();
    if name.is_empty() || name.chars().count() > 60 {
        return Err(AccessError::Refused {
            code: ErrorCode::CashierBadName,
            message: "Give the cashier a name of 1 to 60 characters.".into(),
        });
    }
    let hash = pin::new_hash(pin, again, pin::CASHIER_DIGITS)?;
    let now = store.now_ms();
    let added = store.with_transaction(|tx| {
        let active: Option<bool> = tx.query_row("SELECT active FROM cashiers WHERE id = ?1", [id], |r| r.get(0)).optional()?;
        if active == Some(true) {
            return Ok(false);
        }
        tx.execute(
            "INSERT INTO cashiers (id, name, pin_hash, active, created_at, updated_at, pin_one_time) VALUES (?1, ?2, ?3, 1, ?4, ?4, 1)
             ON CONFLICT(id) DO UPDATE SET name = excluded.name, pin_hash = excluded.pin_hash, active = 1, updated_at = excluded.updated_at, pin_one_time = 1",
            params![id, name, hash, now],
        )?;
        pin::clear_failures(tx, &subject(id))?;
        audit::record(tx, now, by, "cashier_added", Some(&format!("{id} ({name})")))?;
        Ok(true)
    })?;
    if !added {
        return Err(AccessError::Refused {
            code: ErrorCode::CashierExists,
            message: format!("There is already a cashier {id}."),
        });
    }
    Ok(Cashier { id: id.into(), name: name.into() })
}

/// Gives a cashier who forgot their PIN a new one-time PIN (typed twice by the
/// manager); their wrong-PIN count starts again.
pub fn reset_pin(store: &Store, id: &str, pin: &str, again: &str, by: &str) -> Result<(), AccessError> {
    let hash = pin::new_hash(pin, again, pin::CASHIER_DIGITS)?;
    let now = store.now_ms();
    let n = store.with_transaction(|tx| {
        let n = tx.execute(
            "UPDATE cashiers SET pin_hash = ?2, pin_one_time = 1, updated_at = ?3 WHERE id = ?1 AND active = 1",
            params![id, hash, now],
        )?;
        if n > 0 {
            pin::clear_failures(tx, &subject(id))?;
            audit::record(tx, now, by, "cashier_pin_reset", Some(id))?;
        }
        Ok(n)
    })?;
    if n == 0 {
        return Err(not_found(id));
    }
    Ok(())
}

/// The cashier's own new PIN, typed twice, in place of the one they signed in with
/// (`current`, whose hash `checked` matched): no longer one-time. If the PIN changed
/// in between (a manager's reset), nothing is written and the sign-in fails.
pub(crate) fn choose_pin(
    store: &Store,
    checked: &Checked,
    current: &str,
    new: &str,
    again: &str,
) -> Result<(), AccessError> {
    let hash = pin::new_hash(new, again, pin::CASHIER_DIGITS)?;
    if new == current {
        return Err(AccessError::Unchanged);
    }
    let now = store.now_ms();
    let id = &checked.cashier.id;
    let n = store.with_transaction(|tx| {
        let n = tx.execute(
            "UPDATE cashiers SET pin_hash = ?2, pin_one_time = 0, updated_at = ?3 WHERE id = ?1 AND active = 1 AND pin_hash = ?4",
            params![id, hash, now, checked.hash],
        )?;
        if n == 1 {
            audit::record(tx, now, &subject(id), "cashier_pin_chosen", None)?;
        }
        Ok(n)
    })?;
    if n != 1 {
        return Err(AccessError::Wrong { wait_s: 0 });
    }
    Ok(())
}

/// Whether a session of `id` may go on: still listed, and not given a one-time PIN
/// since (a manager's reset ends the session the forgotten PIN opened).
pub(crate) fn may_stay_signed_in(store: &Store, id: &str) -> Result<bool, StoreError> {
    store.read(|c| {
        c.query_row(
            "SELECT EXISTS (SELECT 1 FROM cashiers WHERE id = ?1 AND active = 1 AND pin_one_time = 0)",
            [id],
            |r| r.get(0),
        )
    })
}

fn not_found(id: &str) -> AccessError {
    AccessError::Refused { code: ErrorCode::CashierNotFound, message: format!("There is no cashier {id}.") }
}

/// Takes a cashier off the list; their history stays.
pub fn remove(store: &Store, id: &str, by: &str) -> Result<(), AccessError> {
    let now = store.now_ms();
    let n = store.with_transaction(|tx| {
        let n = tx.execute(
            "UPDATE cashiers SET active = 0, updated_at = ?2 WHERE id = ?1 AND active = 1",
            params![id, now],
        )?;
        if n > 0 {
            audit::record(tx, now, by, "cashier_removed", Some(id))?;
        }
        Ok(n)
    })?;
    if n == 0 {
        return Err(not_found(id));
    }
    Ok(())
}

/// The active cashiers, by id.
pub fn list(store: &Store) -> Result<Vec<Cashier>, StoreError> {
    store.read(|c| {
        let mut st = c.prepare_cached("SELECT id, name FROM cashiers WHERE active = 1 ORDER BY id")?;
        let rows = st.query_map([], |r| Ok(Cashier { id: r.get(0)?, name: r.get(1)? }))?;
        rows.collect()
    })
}

/// Whether anyone is on the list: until then the terminal runs single-user.
pub fn any(store: &Store) -> Result<bool, StoreError> {
    store.read(|c| c.query_row("SELECT EXISTS (SELECT 1 FROM cashiers WHERE active = 1)", [], |r| r.get(0)))
}

/// The counter every unknown id shares, and the audit's name for whoever typed one:
/// a flood of made-up ids backs off and locks out as one subject, and writes no row
/// naming what was typed.
pub const UNKNOWN: &str = "cashier:(unknown id)";

/// A PIN that matched: whose, the hash it matched, and whether the cashier must now
/// replace it (a one-time PIN, or one chosen before today's rules that they refuse).
pub(crate) struct Checked {
    pub cashier: Cashier,
    pub hash: String,
    pub must_change: bool,
}

/// Checks a cashier's PIN (with the back-off). An unknown or removed id is a wrong
/// PIN, after the same argon2 work, counted on the shared [`UNKNOWN`] subject.
pub(crate) fn check(store: &Store, id: &str, pin: &str) -> Result<Checked, AccessError> {
    let row: Option<(String, String, bool)> = store.read(|c| {
        c.query_row("SELECT name, pin_hash, pin_one_time FROM cashiers WHERE id = ?1 AND active = 1", [id], |r| {
            Ok((r.get(0)?, r.get(1)?, r.get(2)?))
        })
        .optional()
    })?;
    let Some((name, hash, one_time)) = row else {
        return Err(pin::refuse_unknown(store, UNKNOWN));
    };
    let who = subject(id);
    pin::verify(store, &who, &hash, pin, &who, "cashier PIN")?;
    let must_change = one_time || pin::check_new(pin, pin::CASHIER_DIGITS).is_err();
    Ok(Checked { cashier: Cashier { id: id.into(), name }, hash, must_change })
}

fn subject(id: &str) -> String {
    format!("cashier:{id}")
}
