//! Time as a dependency.
//!
//! Backoff, key-window expiry and pending-age limits all depend on "now"; taking the
//! clock as a value lets tests and the fault-injection harness replay a schedule
//! exactly instead of sleeping and hoping.

use std::sync::atomic::{AtomicI64, Ordering};
use std::sync::Arc;

/// Milliseconds since the Unix epoch, UTC.
pub trait Clock: Send + Sync + 'static {
    fn now_ms(&self) -> i64;
}

/// The wall clock.
#[derive(Debug, Default, Clone, Copy)]
pub struct SystemClock;

impl Clock for SystemClock {
    fn now_ms(&self) -> i64 {
        let d = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .expect("the system clock is after 1970");
        d.as_millis() as i64
    }
}

/// A clock that moves only when told to.
#[derive(Debug, Default)]
pub struct ManualClock(AtomicI64);

impl ManualClock {
    pub fn new(start_ms: i64) -> Arc<Self> {
        Arc::new(ManualClock(AtomicI64::new(start_ms)))
    }
    pub fn advance_ms(&self, ms: i64) {
        self.0.fetch_add(ms, Ordering::SeqCst);
    }
    pub fn set_ms(&self, ms: i64) {
        self.0.store(ms, Ordering::SeqCst);
    }
}

impl Clock for ManualClock {
    fn now_ms(&self) -> i64 {
        self.0.load(Ordering::SeqCst)
    }
}

/// Formats Unix milliseconds as RFC 3339 UTC for logs and exports.
pub fn rfc3339(ms: i64) -> String {
    let t = time::OffsetDateTime::from_unix_timestamp_nanos(ms as i128 * 1_000_000)
        .unwrap_or(time::OffsetDateTime::UNIX_EPOCH);
    t.format(&time::format_description::well_known::Rfc3339).unwrap_or_default()
}

/// The UTC calendar date (YYYY-MM-DD) of Unix milliseconds, as the service's
/// transactions list takes it.
pub fn utc_date(ms: i64) -> String {
    let t = time::OffsetDateTime::from_unix_timestamp_nanos(ms as i128 * 1_000_000)
        .unwrap_or(time::OffsetDateTime::UNIX_EPOCH);
    format!("{:04}-{:02}-{:02}", t.year(), u8::from(t.month()), t.day())
}

/// The store's time zone: one zone for the log's filters, what the screens show, the
/// reports and the CSV, whatever zone the machine or the person reading is in.
#[derive(Debug, Clone)]
pub struct StoreZone(jiff::tz::TimeZone);

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ZoneError {
    #[error("{0:?} is not a time zone this terminal knows (use a name like Asia/Singapore).")]
    Unknown(String),
    #[error("{0:?} is not a date like 2026-11-29.")]
    BadDate(String),
}

impl ZoneError {
    pub fn code(&self) -> &'static str {
        match self {
            ZoneError::Unknown(_) => "zone_unknown",
            ZoneError::BadDate(_) => "zone_bad_date",
        }
    }
}

impl StoreZone {
    /// The named zone (an IANA name such as `Asia/Singapore`), or the system's.
    pub fn named(name: Option<&str>) -> Result<StoreZone, ZoneError> {
        match name.map(str::trim).filter(|n| !n.is_empty()) {
            None => Ok(StoreZone(jiff::tz::TimeZone::system())),
            Some(n) => jiff::tz::TimeZone::get(n).map(StoreZone).map_err(|_| ZoneError::Unknown(n.into())),
        }
    }

    /// The IANA name, when the zone has one (the page formats times in it).
    pub fn name(&self) -> Option<String> {
        self.0.iana_name().map(str::to_string)
    }

    /// RFC 3339 with the zone's offset: `2026-11-29T13:05:07+08:00`.
    pub fn rfc3339(&self, ms: i64) -> String {
        match jiff::Timestamp::from_millisecond(ms) {
            Ok(t) => t.to_zoned(self.0.clone()).strftime("%Y-%m-%dT%H:%M:%S%:z").to_string(),
            Err(_) => rfc3339(ms),
        }
    }

    /// A time as the cashier reads it, day/month/year as the page shows it:
    /// `01/12/2026 14:03`.
    pub fn human(&self, ms: i64) -> String {
        match jiff::Timestamp::from_millisecond(ms) {
            Ok(t) => t.to_zoned(self.0.clone()).strftime("%d/%m/%Y %H:%M").to_string(),
            Err(_) => rfc3339(ms),
        }
    }

    /// The store's date (YYYY-MM-DD) at `ms`.
    pub fn date_of(&self, ms: i64) -> String {
        match jiff::Timestamp::from_millisecond(ms) {
            Ok(t) => t.to_zoned(self.0.clone()).date().to_string(),
            Err(_) => utc_date(ms),
        }
    }

    /// Where the store's day `date` (YYYY-MM-DD) begins, in Unix ms.
    pub fn day_start_ms(&self, date: &str) -> Result<i64, ZoneError> {
        let d: jiff::civil::Date = date.trim().parse().map_err(|_| ZoneError::BadDate(date.into()))?;
        let z = d.to_zoned(self.0.clone()).map_err(|_| ZoneError::BadDate(date.into()))?;
        Ok(z.timestamp().as_millisecond())
    }

    /// Where the day after `date` begins (the end of `date`, exclusive).
    pub fn day_end_ms(&self, date: &str) -> Result<i64, ZoneError> {
        let d: jiff::civil::Date = date.trim().parse().map_err(|_| ZoneError::BadDate(date.into()))?;
        let next = d.tomorrow().map_err(|_| ZoneError::BadDate(date.into()))?;
        let z = next.to_zoned(self.0.clone()).map_err(|_| ZoneError::BadDate(date.into()))?;
        Ok(z.timestamp().as_millisecond())
    }
}

#[cfg(test)]
mod zone_tests {
    use super::*;

    #[test]
    fn the_stores_day_and_times_are_in_its_own_zone() {
        let sg = StoreZone::named(Some("Asia/Singapore")).unwrap();
        // 2026-11-29 00:00 in Singapore is 2026-11-28 16:00 UTC.
        let start = sg.day_start_ms("2026-11-29").unwrap();
        assert_eq!(rfc3339(start), "2026-11-28T16:00:00Z");
        assert_eq!(sg.day_end_ms("2026-11-29").unwrap() - start, 86_400_000);
        assert_eq!(sg.rfc3339(start), "2026-11-29T00:00:00+08:00");
        assert_eq!(sg.name().as_deref(), Some("Asia/Singapore"));
        // A day with a daylight-saving change is not 24 hours long.
        let ny = StoreZone::named(Some("America/New_York")).unwrap();
        assert_eq!(ny.day_end_ms("2026-03-08").unwrap() - ny.day_start_ms("2026-03-08").unwrap(), 23 * 3_600_000);
        assert!(matches!(StoreZone::named(Some("Mars/Olympus")), Err(ZoneError::Unknown(_))));
        assert!(matches!(sg.day_start_ms("29/11/2026"), Err(ZoneError::BadDate(_))));
    }
}
