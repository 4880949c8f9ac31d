//! The manager's list of cashiers. Each has an id (it goes into the service's
//! `metadata` as `cashier_ID`, so it has that field's shape), a name for the screen,
//! and a PIN of their own. Removing a cashier keeps the row, inactive: old history
//! rows and redemptions still name them.

use rusqlite::{params, OptionalExtension};
use serde::Serialize;

use super::{audit, pin};
use crate::error::Error;
use crate::store::{Store, StoreError};

#[derive(Debug, Clone, PartialEq, Eq, Serialize, ts_rs::TS)]
pub struct Cashier {
    pub id: String,
    pub name: String,
}

/// Adds a cashier, or gives an inactive one back their place with a new PIN.
pub fn add(
    store: &Store,
    id: &str,
    name: &str,
    pin: &str,
    again: &str,
    by: &str,
) -> Result<Cashier, Error> {
    crate::intent::check_field("cashier id", id, true)?;
    let name = name.trim();
    if name.is_empty() || name.chars().count() > 60 {
        return Err(Error::NotAllowed {
            code: "cashier_bad_name",
            message: "Give the cashier a name of 1 to 60 characters.".into(),
        });
    }
    let hash = pin::new_hash(pin, again)?;
    let now = store.now_ms();
    let added = store.with_transaction(|tx| {
        let active: Option<bool> = tx.query_row("SELECT active FROM cashiers WHERE id = ?1", [id], |r| r.get(0)).optional()?;
        if active == Some(true) {
            return Ok(false);
        }
        tx.execute(
            "INSERT INTO cashiers (id, name, pin_hash, active, created_at, updated_at) VALUES (?1, ?2, ?3, 1, ?4, ?4)
             ON CONFLICT(id) DO UPDATE SET name = excluded.name, pin_hash = excluded.pin_hash, active = 1, updated_at = excluded.updated_at",
            params![id, name, hash, now],
        )?;
        pin::clear_failures(tx, &subject(id))?;
        audit::record(tx, now, by, "cashier_added", Some(&format!("{id} ({name})")))?;
        Ok(true)
    })?;
    if !added {
        return Err(Error::NotAllowed {
            code: "cashier_exists",
            message: format!("There is already a cashier {id}."),
        });
    }
    Ok(Cashier {
        id: id.into(),
        name: name.into(),
    })
}

/// Takes a cashier off the list; their history stays.
pub fn remove(store: &Store, id: &str, by: &str) -> Result<(), Error> {
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
        return Err(Error::NotAllowed {
            code: "cashier_not_found",
            message: format!("There is no cashier {id}."),
        });
    }
    Ok(())
}

/// The active cashiers, by id.
pub fn list(store: &Store) -> Result<Vec<Cashier>, StoreError> {
    store.read(|c| {
        let mut st =
            c.prepare_cached("SELECT id, name FROM cashiers WHERE active = 1 ORDER BY id")?;
        let rows = st.query_map([], |r| {
            Ok(Cashier {
                id: r.get(0)?,
                name: r.get(1)?,
            })
        })?;
        rows.collect()
    })
}

/// Whether anyone is on the list: until then the terminal runs single-user.
pub fn any(store: &Store) -> Result<bool, StoreError> {
    store.read(|c| {
        c.query_row(
            "SELECT EXISTS (SELECT 1 FROM cashiers WHERE active = 1)",
            [],
            |r| r.get(0),
        )
    })
}

/// Checks a cashier's PIN (with the back-off); an unknown or removed id is a wrong PIN.
pub fn check(store: &Store, id: &str, pin: &str) -> Result<Cashier, Error> {
    let row: Option<(String, String)> = store.read(|c| {
        c.query_row(
            "SELECT name, pin_hash FROM cashiers WHERE id = ?1 AND active = 1",
            [id],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )
        .optional()
    })?;
    pin::verify(
        store,
        &subject(id),
        row.as_ref().map(|(_, h)| h.as_str()),
        pin,
    )?;
    let (name, _) = row.expect("a verified PIN has a hash");
    Ok(Cashier {
        id: id.into(),
        name,
    })
}

/// Whether `id` is still an active cashier.
pub(crate) fn is_active(store: &Store, id: &str) -> Result<bool, StoreError> {
    store.read(|c| {
        c.query_row(
            "SELECT EXISTS (SELECT 1 FROM cashiers WHERE id = ?1 AND active = 1)",
            [id],
            |r| r.get(0),
        )
    })
}

fn subject(id: &str) -> String {
    format!("cashier:{id}")
}
