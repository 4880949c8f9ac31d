//! Time as a dependency.
//!
//! Backoff, key-window expiry and pending-age limits all depend on "now"; taking the
//! clock as a value lets tests and the fault-injection harness replay a schedule
//! exactly instead of sleeping and hoping.
//!
//! The wall clock can be set by whoever sits at the till. Where moving it forward
//! would open a door (a PIN wait, the age at which an intent may be archived), the
//! terminal also asks a clock nobody can set: the kernel's time since boot
//! ([`Uptime`]), and the service's `Date` where known. The store keeps that "steady"
//! time (see `store::steady`).

use crate::ErrorCode;
use std::sync::atomic::{AtomicI64, AtomicU64, Ordering};
use std::sync::Arc;

/// Where the machine is on a clock no person can set: which boot this is, and the
/// milliseconds since it (`CLOCK_BOOTTIME`, which keeps counting through a suspend).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Uptime {
    pub boot_id: String,
    pub ms: i64,
}

/// Milliseconds since the Unix epoch, UTC.
pub trait Clock: Send + Sync + 'static {
    fn now_ms(&self) -> i64;
    /// The kernel's clock since boot. Only tests replace it.
    fn uptime(&self) -> Uptime {
        os_uptime()
    }
}

/// The kernel's boot id and `CLOCK_BOOTTIME`. Neither can be moved by setting the
/// date; a new boot id says the count started again.
pub fn os_uptime() -> Uptime {
    // Read once: it cannot change while this process runs, and the sync engine asks
    // for the uptime on every pass.
    static BOOT_ID: std::sync::OnceLock<String> = std::sync::OnceLock::new();
    let boot_id = BOOT_ID
        .get_or_init(|| {
            std::fs::read_to_string("/proc/sys/kernel/random/boot_id")
                .map(|s| s.trim().to_string())
                .unwrap_or_else(|_| "unknown".into())
        })
        .clone();
    let mut ts = libc::timespec { tv_sec: 0, tv_nsec: 0 };
    // SAFETY: `ts` is a valid, writable timespec; CLOCK_BOOTTIME exists on Linux.
    let ok = unsafe { libc::clock_gettime(libc::CLOCK_BOOTTIME, &mut ts) } == 0;
    // `time_t` and `c_long` are 32 bits on some targets.
    #[allow(clippy::unnecessary_cast)]
    let ms = if ok { ts.tv_sec as i64 * 1000 + ts.tv_nsec as i64 / 1_000_000 } else { 0 };
    Uptime { boot_id, ms }
}

/// The wall clock.
#[derive(Debug, Default, Clone, Copy)]
pub struct SystemClock;

impl Clock for SystemClock {
    fn now_ms(&self) -> i64 {
        let d =
            std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).expect("the system clock is after 1970");
        d.as_millis() as i64
    }
}

/// A clock that moves only when told to: the wall clock and the time since boot
/// together ([`ManualClock::advance_ms`], time passing), or the wall clock alone
/// ([`ManualClock::set_ms`], [`ManualClock::jump_wall_ms`], a person setting the
/// date), or a reboot.
#[derive(Debug, Default)]
pub struct ManualClock {
    wall: AtomicI64,
    up: AtomicI64,
    boot: AtomicU64,
    /// Tells this clock's boots apart from another ManualClock's.
    name: u64,
    /// This machine's boot id, for a clock in this boot ([`ManualClock::in_this_boot`]).
    this_boot: Option<String>,
}

impl ManualClock {
    pub fn new(start_ms: i64) -> Arc<Self> {
        static NEXT: AtomicU64 = AtomicU64::new(1);
        Arc::new(ManualClock {
            wall: AtomicI64::new(start_ms),
            up: AtomicI64::new(60_000),
            boot: AtomicU64::new(0),
            name: NEXT.fetch_add(1, Ordering::Relaxed) ^ u64::from(std::process::id()) << 32,
            this_boot: None,
        })
    }
    /// A clock at `start_ms` (in the past) on this machine's own boot, as if the
    /// machine had been running since then: a database it writes has really aged
    /// when a real process opens it now.
    pub fn in_this_boot(start_ms: i64) -> Arc<Self> {
        let os = os_uptime();
        Arc::new(ManualClock {
            wall: AtomicI64::new(start_ms),
            up: AtomicI64::new(os.ms - (SystemClock.now_ms() - start_ms)),
            boot: AtomicU64::new(0),
            name: 0,
            this_boot: Some(os.boot_id),
        })
    }
    /// Time passes: both clocks move.
    pub fn advance_ms(&self, ms: i64) {
        self.wall.fetch_add(ms, Ordering::SeqCst);
        self.up.fetch_add(ms.max(0), Ordering::SeqCst);
    }
    /// Someone sets the date: only the wall clock moves.
    pub fn set_ms(&self, ms: i64) {
        self.wall.store(ms, Ordering::SeqCst);
    }
    /// Someone moves the date by `ms`: only the wall clock moves.
    pub fn jump_wall_ms(&self, ms: i64) {
        self.wall.fetch_add(ms, Ordering::SeqCst);
    }
    /// The machine restarts: a new boot, its clock from zero; the wall clock goes on.
    pub fn reboot(&self) {
        self.boot.fetch_add(1, Ordering::SeqCst);
        self.up.store(0, Ordering::SeqCst);
    }
}

impl Clock for ManualClock {
    fn now_ms(&self) -> i64 {
        self.wall.load(Ordering::SeqCst)
    }
    fn uptime(&self) -> Uptime {
        let boot = self.boot.load(Ordering::SeqCst);
        let boot_id = match &self.this_boot {
            Some(id) if boot == 0 => id.clone(),
            _ => format!("manual-{:x}-{boot}", self.name),
        };
        Uptime { boot_id, ms: self.up.load(Ordering::SeqCst) }
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
    pub fn code(&self) -> crate::ErrorCode {
        match self {
            ZoneError::Unknown(_) => ErrorCode::ZoneUnknown,
            ZoneError::BadDate(_) => ErrorCode::ZoneBadDate,
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
