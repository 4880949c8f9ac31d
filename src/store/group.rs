//! Group commit: writes that arrive while the writer is busy wait for it, then share
//! one transaction and one fsync.
//!
//! Why: the engine makes every "in flight" mark and every outcome durable before it
//! moves on (evidence first), and a disk syncs a few hundred times a second at best.
//! With several requests out, their writes queue on the one writer; made one by one,
//! the fsyncs, not the service, set the pace of a drain. Grouping keeps every
//! promise of a lone write:
//! - each write runs in a savepoint of its own, so its failure undoes only itself and
//!   the others still commit;
//! - each reads its row as it is at that moment (the writes before it in the group
//!   included), so a compare-and-set stays one;
//! - none is reported done before the commit that holds it is durable; if that commit
//!   fails, every write in it is reported failed, and none of them happened.
//!
//! There is no writer thread: the first caller to take the writer runs everything
//! queued by then (its own write included). A caller whose write was run by another
//! finds its result when it takes the writer in turn.
//!
//! A write may also wait a moment for company before it takes the writer
//! ([`Store::write_grouped_patiently`]). The engine's outcome of an answered request
//! does: the answer freed a slot, and the next send's "in flight" mark is on its way.
//! Taking the writer at once would make that mark, which the next request waits
//! for, wait for the outcome's commit too; waiting lets both share one commit.
//! Only speed rests on the wait: a write nobody joins commits on its own after it.

use std::sync::{Arc, Condvar, Mutex, PoisonError};
use std::time::Duration;

use rusqlite::{Connection, TransactionBehavior};

use super::{Store, StoreError};

/// Tells a write how its group ended: `Ok` once its commit is durable.
type Finish = Box<dyn FnOnce(Result<(), &StoreError>) + Send>;

/// A write run in its savepoint: whether it succeeded, and how to report it.
type Run = Box<dyn FnOnce(&Connection) -> (bool, Finish) + Send>;

/// One queued write.
struct Pending {
    /// Runs the write in its savepoint: whether it succeeded, and how to report it.
    run: Run,
    /// Reports it failed without running it (the group's transaction could not begin).
    fail: Box<dyn FnOnce(StoreError) + Send>,
}

/// The writes waiting for the writer.
#[derive(Default)]
pub(super) struct Group(Mutex<Vec<Pending>>);

impl Group {
    fn queue(&self) -> std::sync::MutexGuard<'_, Vec<Pending>> {
        self.0.lock().unwrap_or_else(PoisonError::into_inner)
    }
}

/// The same failure for every write of a group whose commit failed (the first gets
/// the original). A full disk stays a full disk, so each caller can say so.
fn share(e: &StoreError) -> StoreError {
    match e {
        StoreError::DiskFull => StoreError::DiskFull,
        other => StoreError::Io(std::io::Error::other(format!("the transaction that held this write failed: {other}"))),
    }
}

impl Store {
    /// Runs `work` in a write transaction, possibly shared with other writes queued at
    /// the same time (see the module's docs). Durable on `Ok`; on `Err`, nothing of
    /// `work` happened.
    pub(super) fn write_grouped<T: Send + 'static>(
        &self,
        work: impl FnOnce(&Connection) -> Result<T, StoreError> + Send + 'static,
    ) -> Result<T, StoreError> {
        self.write_grouped_patiently(Duration::ZERO, work)
    }

    /// [`Store::write_grouped`], after waiting up to `patience` for another write to
    /// take the writer and run this one with its own.
    pub(super) fn write_grouped_patiently<T: Send + 'static>(
        &self,
        patience: Duration,
        work: impl FnOnce(&Connection) -> Result<T, StoreError> + Send + 'static,
    ) -> Result<T, StoreError> {
        type Slot<T> = Arc<(Mutex<Option<Result<T, StoreError>>>, Condvar)>;
        let slot: Slot<T> = Arc::default();
        let put = |slot: &Slot<T>, out: Result<T, StoreError>| {
            *slot.0.lock().unwrap_or_else(PoisonError::into_inner) = Some(out);
            slot.1.notify_all();
        };
        let (on_run, on_fail) = (slot.clone(), slot.clone());
        self.group.queue().push(Pending {
            run: Box::new(move |conn| {
                let done = work(conn);
                let ok = done.is_ok();
                let finish: Finish = Box::new(move |committed| {
                    let out = match (done, committed) {
                        (Ok(v), Ok(())) => Ok(v),
                        (Ok(_), Err(e)) => Err(share(e)),
                        (Err(e), _) => Err(e),
                    };
                    put(&on_run, out);
                });
                (ok, finish)
            }),
            fail: Box::new(move |e| put(&on_fail, Err(e))),
        });
        if !patience.is_zero() {
            let (lock, ran) = &*slot;
            let guard = lock.lock().unwrap_or_else(PoisonError::into_inner);
            let (mut guard, _) =
                ran.wait_timeout_while(guard, patience, |out| out.is_none()).unwrap_or_else(PoisonError::into_inner);
            if let Some(out) = guard.take() {
                return out;
            }
        }
        let mut conn = self.conn();
        let taken = slot.0.lock().unwrap_or_else(PoisonError::into_inner).take();
        if let Some(out) = taken {
            return out;
        }
        let batch = std::mem::take(&mut *self.group.queue());
        run_batch(&mut conn, batch);
        drop(conn);
        let taken = slot.0.lock().unwrap_or_else(PoisonError::into_inner).take();
        taken.unwrap_or_else(|| {
            Err(StoreError::Io(std::io::Error::other(
                "the write was lost with its group: another write in it panicked",
            )))
        })
    }
}

/// One transaction for `batch`, a savepoint per write, one commit.
fn run_batch(conn: &mut Connection, batch: Vec<Pending>) {
    let mut tx = match conn.transaction_with_behavior(TransactionBehavior::Immediate) {
        Ok(tx) => tx,
        Err(e) => {
            let e = StoreError::from(e);
            batch.into_iter().for_each(|p| (p.fail)(share(&e)));
            return;
        }
    };
    let mut finishers = Vec::with_capacity(batch.len());
    for p in batch {
        let sp = match tx.savepoint() {
            Ok(sp) => sp,
            Err(e) => {
                (p.fail)(StoreError::from(e));
                continue;
            }
        };
        let (ok, finish) = (p.run)(&sp);
        if !ok {
            // Dropping the savepoint rolls the write back; its own error is reported.
            drop(sp);
            finish(Ok(()));
            continue;
        }
        match sp.commit() {
            Ok(()) => finishers.push(finish),
            Err(e) => finish(Err(&StoreError::from(e))),
        }
    }
    match tx.commit().map_err(StoreError::from) {
        Ok(()) => finishers.into_iter().for_each(|f| f(Ok(()))),
        Err(e) => finishers.into_iter().for_each(|f| f(Err(&e))),
    }
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;

    use crate::domain::intent::{IntentState, SaleContext};
    use crate::platform::clock::SystemClock;
    use crate::store::{Store, StoreError};

    #[test]
    fn writes_queued_together_commit_together_and_a_failing_one_undoes_only_itself() {
        let dir = tempfile::tempdir().unwrap();
        let store = Arc::new(Store::open(dir.path().join("t.db"), Arc::new(SystemClock)).unwrap());
        let ctx = SaleContext {
            terminal_id: "T01".into(),
            branch_code: "B001".into(),
            cashier_id: "c1".into(),
            ..Default::default()
        };
        let ids: Vec<String> = ["rsg:v_a", "rsg:v_b", "rsg:v_c"]
            .iter()
            .map(|code| {
                let id = crate::app::terminal::scan_text(&store, code, &ctx).unwrap().intent().id.clone();
                store.commit_redeem(&id, "cashier:c1", false).unwrap();
                id
            })
            .collect();
        // The customer paid another way for the second: its send must be refused.
        store.decline(&ids[1], "cashier:c1").unwrap();

        // Hold the writer while the three sends queue up behind it.
        let writer = store.conn();
        let sends: Vec<_> = ids
            .iter()
            .map(|id| {
                let (store, id) = (store.clone(), id.clone());
                std::thread::spawn(move || {
                    store.begin_send(&id, IntentState::Queued, 1, None, "http://127.0.0.1:1/", "fp")
                })
            })
            .collect();
        while store.group.queue().len() < 3 {
            std::thread::yield_now();
        }
        drop(writer);
        let results: Vec<Result<_, StoreError>> = sends.into_iter().map(|t| t.join().unwrap()).collect();

        assert!(store.group.queue().is_empty(), "one caller ran every queued write");
        assert_eq!(results[0].as_ref().unwrap().state, IntentState::InFlight);
        assert!(
            matches!(results[1], Err(StoreError::StateChanged { .. })),
            "a declined intent is never marked in flight: {:?}",
            results[1]
        );
        assert_eq!(results[2].as_ref().unwrap().state, IntentState::InFlight);
        // What each caller was told is what the database holds.
        assert_eq!(store.get(&ids[0]).unwrap().state, IntentState::InFlight);
        assert_eq!(store.get(&ids[1]).unwrap().state, IntentState::Cancelled);
        assert_eq!(store.get(&ids[2]).unwrap().state, IntentState::InFlight);
        assert_eq!(store.get(&ids[2]).unwrap().attempt_count, 1);
    }

    #[test]
    fn a_patient_write_is_committed_by_the_next_write_or_on_its_own_when_none_comes() {
        use std::time::{Duration, Instant};
        let dir = tempfile::tempdir().unwrap();
        let store = Arc::new(Store::open(dir.path().join("t.db"), Arc::new(SystemClock)).unwrap());
        let put = |key: &'static str| {
            move |c: &rusqlite::Connection| -> Result<(), StoreError> {
                c.execute("INSERT INTO settings (key, value) VALUES (?1, 'x')", [key])?;
                Ok(())
            }
        };
        // An outcome with a minute's patience; the next mark comes along.
        let started = Instant::now();
        let patient = {
            let store = store.clone();
            std::thread::spawn(move || store.write_grouped_patiently(Duration::from_secs(60), put("outcome")))
        };
        while store.group.queue().is_empty() {
            std::thread::yield_now();
        }
        store.write_grouped(put("mark")).unwrap();
        assert!(store.group.queue().is_empty(), "the mark's caller ran the waiting outcome with its own write");
        patient.join().unwrap().unwrap();
        assert!(started.elapsed() < Duration::from_secs(60), "the outcome did not wait out its patience");
        // Alone, it commits after its patience.
        store.write_grouped_patiently(Duration::from_millis(20), put("alone")).unwrap();
        for key in ["outcome", "mark", "alone"] {
            assert_eq!(store.setting(key).unwrap().as_deref(), Some("x"), "{key} is durable");
        }
    }
}
