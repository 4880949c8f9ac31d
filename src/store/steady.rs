//! The steady time: "now" as far as a clock nobody at the till can set agrees.
//!
//! A PIN wait, and the age at which a final intent may be archived, must not end
//! early because someone set the date forward. Both are judged on the steady time,
//! which is never ahead of the wall clock and advances only with the kernel's clock
//! since boot ([`Uptime`]). It is kept in the database: a restart within one boot
//! counts the time between; after a reboot it resumes from its last reading, since
//! how long the machine was off is not known (a wait or an age then comes late,
//! never early). Where the service's `Date` is known and the wall clock agrees, it
//! catches up to both: a till that is online does not fall behind over the nights it
//! was switched off. A wall clock set back pulls it back with it, so setting the
//! date forward again gains nothing.
//!
//! Nothing else uses it: the log, receipts and the key window keep the wall clock,
//! which is what people read and what the service's own window follows.

use rusqlite::{params, Connection, OptionalExtension};

use crate::platform::clock::{Clock, Uptime};

/// The service's clock as last seen, and where the kernel's clock was then.
pub(crate) type ServiceSeen = Option<(i64, Uptime)>;

/// Reads, advances and records the steady time (Unix ms), inside the caller's
/// transaction.
pub(crate) fn now(conn: &Connection, clock: &dyn Clock, service: &ServiceSeen) -> rusqlite::Result<i64> {
    let wall = clock.now_ms();
    let up = clock.uptime();
    let last: Option<(i64, String, i64)> = conn
        .query_row("SELECT steady_ms, boot_id, uptime_ms FROM steady_time WHERE id = 1", [], |r| {
            Ok((r.get(0)?, r.get(1)?, r.get(2)?))
        })
        .optional()?;
    let mut steady = match last {
        // A new database: the wall clock is all there is to start from.
        None => wall,
        Some((steady, boot, at)) if boot == up.boot_id && up.ms >= at => steady.saturating_add(up.ms - at),
        Some((steady, ..)) => steady,
    };
    if let Some((service_ms, seen)) = service {
        if seen.boot_id == up.boot_id && up.ms >= seen.ms {
            steady = steady.max(service_ms.saturating_add(up.ms - seen.ms).min(wall));
        }
    }
    let steady = steady.min(wall);
    if wall - steady > 86_400_000 {
        // Said, because what waits on it (retention) waits longer: the date was set
        // forward, or the machine was off and the service has not answered since.
        tracing::warn!(behind_ms = wall - steady, "the steady time is more than a day behind the wall clock");
    }
    conn.execute(
        "INSERT INTO steady_time (id, steady_ms, boot_id, uptime_ms) VALUES (1, ?1, ?2, ?3)
         ON CONFLICT(id) DO UPDATE SET steady_ms = excluded.steady_ms, boot_id = excluded.boot_id, uptime_ms = excluded.uptime_ms",
        params![steady, up.boot_id, up.ms],
    )?;
    Ok(steady)
}
