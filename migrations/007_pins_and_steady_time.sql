-- Issue 23: PINs people really choose, and time that cannot be moved forward by hand.

-- A PIN the manager sets for a cashier (a new cashier, or a reset) is good for one
-- sign-in: the cashier then chooses their own before doing anything else. Cashiers
-- listed before this version keep the PINs they have.
ALTER TABLE cashiers ADD COLUMN pin_one_time INTEGER NOT NULL DEFAULT 0;

-- The steady time's last reading (see src/store/steady.rs): a time that follows the
-- kernel's clock since boot, never the date a person sets, and resumes from here
-- after a restart or a reboot. One row.
CREATE TABLE steady_time (
    id        INTEGER PRIMARY KEY CHECK (id = 1),
    steady_ms INTEGER NOT NULL,
    boot_id   TEXT NOT NULL,
    uptime_ms INTEGER NOT NULL
);
