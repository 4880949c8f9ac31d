//! Intents on disk: the scan, every compare-and-set state change with its history
//! and attempt rows, the engine's queries, and the row mapping.

use super::*;

impl Store {
    /// Records a scan for the open sale (opening one if none is open): returns the
    /// code's intent in this sale, says it was already redeemed, refuses a code whose
    /// live intent belongs to another sale (it pays for that sale only), or creates a
    /// new intent in this sale with a fresh key and frozen request bytes. Durable on
    /// return.
    pub fn scan(&self, code: &VoucherCode, ctx: &SaleContext) -> Result<ScanResult, StoreError> {
        let mut conn = self.conn();
        let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
        let now = self.clock.now_ms();
        let sale = sales::open_sale_in(&tx, ctx, now)?;
        let last: Option<Intent> = tx
            .query_row(
                &format!("SELECT {COLS} FROM intents WHERE code = ?1 ORDER BY rowid DESC LIMIT 1"),
                [code.as_str()],
                intent_from_row,
            )
            .optional()?;
        if let Some(mut intent) = last {
            if intent.state == IntentState::Redeemed {
                return Ok(ScanResult::AlreadyRedeemed { intent });
            }
            if intent.state.is_live() {
                if intent.sale_id.is_none() && intent.state == IntentState::Scanned {
                    // Scanned before sales were recorded and never sent: it joins this one.
                    tx.execute("UPDATE intents SET sale_id = ?2 WHERE id = ?1", params![intent.id, sale.id])?;
                    intent.sale_id = Some(sale.id.clone());
                    note_in_place(
                        &tx,
                        &intent,
                        now,
                        &format!("cashier:{}", ctx.cashier_id),
                        &format!("joined sale {}: scanned before sales were recorded", sale.number),
                    )?;
                }
                if intent.sale_id.as_deref() != Some(sale.id.as_str()) {
                    return Err(StoreError::InOtherSale(sales::hold_of(&tx, &intent)?));
                }
                // Commit the sale the scan may just have opened: the scan is part of it.
                tx.commit()?;
                return Ok(ScanResult::Existing { intent });
            }
        }
        let id = uuid::Uuid::new_v4().to_string();
        let key = uuid::Uuid::new_v4().to_string();
        let metadata = build_metadata(code, ctx, &id)?;
        let body = build_body(code, &metadata);
        tx.execute(
            "INSERT INTO intents (id, idempotency_key, code, voucher_count, terminal_id, branch_code, cashier_id,
                                  receipt_number, body, state, created_at, updated_at, sale_id)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, 'scanned', ?10, ?10, ?11)",
            params![
                id,
                key,
                code.as_str(),
                code.voucher_count() as i64,
                ctx.terminal_id,
                ctx.branch_code,
                ctx.cashier_id,
                ctx.receipt_number,
                body,
                now,
                sale.id
            ],
        )?;
        insert_history(&tx, &id, now, None, IntentState::Scanned, &format!("cashier:{}", ctx.cashier_id), None)?;
        let intent = load(&tx, &id)?;
        tx.commit()?;
        Ok(ScanResult::Created { intent })
    }

    pub fn get(&self, id: &str) -> Result<Intent, StoreError> {
        load(&self.reader(), id)
    }

    /// The cashier's Redeem press. Idempotent: pressing again (a double click, a
    /// second window) leaves a committed intent as it is and reports it.
    pub fn commit_redeem(&self, id: &str, actor: &str, accepted_offline: bool) -> Result<(Intent, bool), StoreError> {
        let mut conn = self.conn();
        let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
        let current = load(&tx, id)?;
        if current.state != IntentState::Scanned {
            return Ok((current, false));
        }
        let updated = press(&tx, current, self.clock.now_ms(), actor, accepted_offline)?;
        tx.commit()?;
        Ok((updated, true))
    }

    /// Marks a pending intent as accepted for the sale before the service confirmed
    /// it, if `may` (the store's offline policy, given the intent and the queue as this
    /// transaction reads them) allows it: two accepts at once cannot both pass a limit.
    pub fn mark_accepted_offline(
        &self,
        id: &str,
        actor: &str,
        may: impl Fn(&Intent, &QueueSummary, i64) -> Result<(), String>,
    ) -> Result<Intent, StoreError> {
        let mut conn = self.conn();
        let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
        let mut current = load(&tx, id)?;
        if current.declined {
            return Err(StoreError::AlreadyAnswered { accepted: false });
        }
        if current.state == IntentState::Redeemed || current.accepted_offline {
            return Ok(current);
        }
        // Pending, or in review with no answer yet (the customer is still at the till).
        if !current.state.is_pending() && !matches!(current.state, IntentState::Redeemed | IntentState::NeedsReview) {
            return Err(StoreError::IllegalTransition { id: id.into(), from: current.state, to: current.state });
        }
        let now = self.clock.now_ms();
        may(&current, &summary_in(&tx)?, now).map_err(StoreError::OfflineNotAllowed)?;
        current.accepted_offline = true;
        note_in_place(&tx, &current, now, actor, "accepted for the sale before the service confirmed")?;
        tx.commit()?;
        Ok(current)
    }

    /// Moves an intent from `from` to `to` if it is still in `from` and the table
    /// allows it; `edit` sets the fields that go with the change, and `attempt` (if
    /// any) is appended in the same transaction.
    #[allow(clippy::too_many_arguments)]
    pub fn transition(
        &self,
        id: &str,
        from: IntentState,
        to: IntentState,
        actor: &str,
        note: Option<&str>,
        attempt: Option<&NewAttempt>,
        edit: impl FnOnce(&mut Intent),
    ) -> Result<Intent, StoreError> {
        let mut conn = self.conn();
        let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
        let current = load_in(&tx, id, from)?;
        let updated = apply(&tx, current, to, self.clock.now_ms(), actor, note, attempt, edit)?;
        tx.commit()?;
        Ok(updated)
    }

    /// Writes the outcome of a piece of work: `decide` sees the row *as it is now*, in
    /// the transaction that writes it (so an accept or decline made while a request was
    /// out is honoured), sets the fields that go with the outcome and returns the state
    /// to move to. Staying in `from` records the attempt without a history row. Shares
    /// a commit with other engine writes queued at the same time, waiting up to
    /// `patience` for one to come (`group.rs`).
    pub fn decide(
        &self,
        id: &str,
        from: IntentState,
        actor: &str,
        attempt: &NewAttempt,
        decide: &Decide,
        patience: std::time::Duration,
    ) -> Result<Intent, StoreError> {
        let (id, actor, attempt, decide, clock) =
            (id.to_owned(), actor.to_owned(), attempt.clone(), decide.clone(), self.clock.clone());
        self.write_grouped_patiently(patience, move |tx| {
            let current = load_in(tx, &id, from)?;
            let now = clock.now_ms();
            let mut next = current.clone();
            let (to, note) = decide(&mut next);
            if to == from {
                write_fields(tx, &next, from, now)?;
                insert_attempt(tx, &id, &attempt)?;
                next.updated_at = now;
                Ok(next)
            } else {
                apply(tx, current, to, now, &actor, note.as_deref(), Some(&attempt), |i| *i = next)
            }
        })
    }

    /// Marks an intent `in_flight` before its request leaves (evidence first). Refuses
    /// a declined intent, so a decline that lands between the engine's choice and
    /// the send still stops it. Records where and with which key it goes; a
    /// maybe-executed intent keeps the service and key it was first sent with. Shares a
    /// commit with other engine writes queued at the same time (`group.rs`).
    pub fn begin_send(
        &self,
        id: &str,
        from: IntentState,
        now: i64,
        service_now: Option<i64>,
        service_url: &str,
        key_fp: &str,
    ) -> Result<Intent, StoreError> {
        let (id, service_url, key_fp, clock) =
            (id.to_owned(), service_url.to_owned(), key_fp.to_owned(), self.clock.clone());
        self.write_grouped(move |tx| {
            let current = load_in(tx, &id, from)?;
            if current.declined {
                return Err(StoreError::StateChanged { id, expected: from, actual: current.state });
            }
            apply(tx, current, IntentState::InFlight, clock.now_ms(), "sync", None, None, |i| {
                i.attempt_count += 1;
                if i.first_sent_at.is_none() {
                    i.first_sent_at = Some(now);
                    i.first_sent_service_at = service_now;
                }
                i.window_from.get_or_insert(now);
                if !i.maybe_executed || i.service_url.is_none() {
                    i.service_url = Some(service_url);
                    i.api_key_fp = Some(key_fp);
                }
            })
        })
    }

    /// The cashier took another payment. A scan or a queued intent is withdrawn at
    /// once (no attempt of it can have executed); one that is being sent or may have
    /// executed is marked, never sent again, and settled by the engine from the
    /// transactions list. Idempotent.
    pub fn decline(&self, id: &str, actor: &str) -> Result<Intent, StoreError> {
        let mut conn = self.conn();
        let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
        let mut current = load(&tx, id)?;
        let now = self.clock.now_ms();
        let note = "declined: the customer paid another way";
        let out = match current.state {
            _ if current.declined => current,
            // Compare-and-set with accept: an answer given is never turned into the other.
            _ if current.accepted_offline => return Err(StoreError::AlreadyAnswered { accepted: true }),
            IntentState::Scanned if current.maybe_executed => decline_restored_scan(&tx, current, now, actor, note)?,
            IntentState::Scanned | IntentState::Queued => {
                apply(&tx, current, IntentState::Cancelled, now, actor, Some(note), None, |i| {
                    i.declined = true;
                })?
            }
            IntentState::InFlight | IntentState::Unknown | IntentState::NeedsReview => {
                current.declined = true;
                note_in_place(&tx, &current, now, actor, note)?;
                current
            }
            other => {
                return Err(StoreError::IllegalTransition { id: id.into(), from: other, to: IntentState::Cancelled })
            }
        };
        tx.commit()?;
        Ok(out)
    }

    /// Withdraws a voucher from its sale: only one no request can have left for
    /// (scanned, or queued and never possibly sent), that the cashier has not
    /// answered, in a sale still open. Checked in the transaction that writes it, so
    /// an accept, a decline or a closed sale in between is never undone.
    pub fn withdraw(&self, id: &str, actor: &str) -> Result<Intent, StoreError> {
        let mut conn = self.conn();
        let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
        let current = load(&tx, id)?;
        let sale_closed = match &current.sale_id {
            Some(s) => {
                tx.query_row("SELECT closed_at IS NOT NULL FROM sales WHERE id = ?1", [s], |r| r.get::<_, bool>(0))?
            }
            None => false,
        };
        let why = if !matches!(current.state, IntentState::Scanned | IntentState::Queued) || current.maybe_executed {
            Some(format!("This voucher is {} and can no longer be withdrawn.", current.state))
        } else if current.accepted_offline {
            Some("This voucher was accepted for its sale and can no longer be withdrawn.".to_string())
        } else if current.declined {
            Some("This voucher was declined already.".to_string())
        } else if sale_closed {
            Some("This voucher's sale is closed: it can no longer be withdrawn.".to_string())
        } else {
            None
        };
        if let Some(why) = why {
            return Err(StoreError::NotWithdrawable(why));
        }
        let out = apply(
            &tx,
            current,
            IntentState::Cancelled,
            self.clock.now_ms(),
            actor,
            Some("withdrawn before sending"),
            None,
            |_| {},
        )?;
        tx.commit()?;
        Ok(out)
    }

    /// Keeps an intent in its state but records an attempt and when to try next
    /// (a lookup that could not decide, say).
    pub fn reschedule(
        &self,
        id: &str,
        state: IntentState,
        next_attempt_at: i64,
        attempt: Option<&NewAttempt>,
    ) -> Result<Intent, StoreError> {
        let mut conn = self.conn();
        let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
        let mut current = load_in(&tx, id, state)?;
        current.next_attempt_at = Some(next_attempt_at);
        write_fields(&tx, &current, state, self.clock.now_ms())?;
        if let Some(a) = attempt {
            insert_attempt(&tx, id, a)?;
        }
        tx.commit()?;
        Ok(current)
    }

    /// After a crash: every intent left `in_flight` may have reached the service, so
    /// it becomes `unknown` (never re-created, never assumed unsent). Returns how many.
    pub fn recover_in_flight(&self) -> Result<Vec<Intent>, StoreError> {
        let mut conn = self.conn();
        let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
        let ids: Vec<String> = {
            let mut st = tx.prepare("SELECT id FROM intents WHERE state = 'in_flight'")?;
            let rows = st.query_map([], |r| r.get(0))?;
            rows.collect::<Result<_, _>>()?
        };
        let now = self.clock.now_ms();
        let mut out = Vec::with_capacity(ids.len());
        for id in ids {
            let current = load(&tx, &id)?;
            let attempt = NewAttempt {
                kind: AttemptKind::Interrupted,
                started_at: current.updated_at,
                ended_at: now,
                http_status: None,
                outcome: "interrupted".into(),
                replayed: false,
                detail: Some("the terminal stopped while this request was in flight".into()),
            };
            out.push(apply(
                &tx,
                current,
                IntentState::Unknown,
                now,
                "recovery",
                Some("in flight when the terminal stopped"),
                Some(&attempt),
                |i| {
                    i.next_attempt_at = Some(now);
                    i.maybe_executed = true;
                },
            )?);
        }
        tx.commit()?;
        Ok(out)
    }

    /// Intents the sync engine may work on now, oldest due first. A wait longer than
    /// `horizon` (the longest the engine ever sets) was set by a clock that has since
    /// been corrected, so it is due now: a till whose clock was days fast must not
    /// stall its queue for days. Two range reads on the `intents_due` index (an `OR`
    /// would scan and sort the whole queue on every pass of the engine). The index is
    /// named: without statistics SQLite picks `intents_state_log` for `state IN (..)`
    /// and sorts every waiting row, bodies included, on every pass (a 1,000-intent
    /// drain spent about 12 ms an intent there).
    pub fn due(&self, now: i64, horizon: i64, limit: usize) -> Result<Vec<Intent>, StoreError> {
        let conn = self.reader();
        let mut late = conn.prepare_cached(&format!(
            "SELECT {COLS} FROM intents INDEXED BY intents_due WHERE state IN ('queued','unknown') AND next_attempt_at > ?1
             ORDER BY next_attempt_at LIMIT ?2"
        ))?;
        let mut out: Vec<Intent> = late
            .query_map(params![now.saturating_add(horizon), limit as i64], intent_from_row)?
            .collect::<Result<_, _>>()?;
        if out.len() < limit {
            let mut due = conn.prepare_cached(&format!(
                "SELECT {COLS} FROM intents INDEXED BY intents_due WHERE state IN ('queued','unknown') AND next_attempt_at <= ?1
                 ORDER BY next_attempt_at, created_at LIMIT ?2"
            ))?;
            let rows = due.query_map(params![now, (limit - out.len()) as i64], intent_from_row)?;
            for r in rows {
                out.push(r?);
            }
        }
        Ok(out)
    }

    /// When the next queued or unknown intent that is not in `skip` (the ones the
    /// engine is already working on) becomes due, if any (see [`Store::due`] for the
    /// horizon).
    pub fn next_due_at(
        &self,
        now: i64,
        horizon: i64,
        skip: &std::collections::HashSet<String>,
    ) -> Result<Option<i64>, StoreError> {
        let conn = self.reader();
        let mut beyond = conn.prepare_cached(
            "SELECT id FROM intents INDEXED BY intents_due WHERE state IN ('queued','unknown') AND next_attempt_at > ?2
             ORDER BY next_attempt_at LIMIT ?1",
        )?;
        let far =
            beyond.query_map(params![skip.len() as i64 + 1, now.saturating_add(horizon)], |r| r.get::<_, String>(0))?;
        for id in far {
            if !skip.contains(&id?) {
                return Ok(Some(now));
            }
        }
        let mut st = conn.prepare_cached(
            "SELECT id, next_attempt_at FROM intents INDEXED BY intents_due WHERE state IN ('queued','unknown')
             ORDER BY next_attempt_at LIMIT ?1",
        )?;
        let rows =
            st.query_map([skip.len() as i64 + 1], |r| Ok((r.get::<_, String>(0)?, r.get::<_, Option<i64>>(1)?)))?;
        for row in rows {
            let (id, at) = row?;
            if !skip.contains(&id) {
                return Ok(at);
            }
        }
        Ok(None)
    }

    /// A wait the service imposed (`not_before`: Retry-After, a rejected key) is kept,
    /// unless it lies beyond `horizon` (set by a clock since corrected).
    pub fn expedite_pending(&self, now: i64, horizon: i64) -> Result<usize, StoreError> {
        Ok(self.conn().execute(
            "UPDATE intents SET next_attempt_at = CASE WHEN not_before > ?1 AND not_before <= ?1 + ?2 THEN not_before ELSE ?1 END
             WHERE state IN ('queued','unknown')
               AND next_attempt_at > CASE WHEN not_before > ?1 AND not_before <= ?1 + ?2 THEN not_before ELSE ?1 END",
            [now, horizon],
        )?)
    }

    /// Lookups of one intent that ended with one of `outcomes` (the failures that
    /// count toward review; the engine names them): what bounds the wait before review.
    pub fn count_lookups_ending(&self, id: &str, outcomes: &[&str]) -> Result<u32, StoreError> {
        let listed = outcomes.iter().map(|o| format!("'{}'", o.replace('\'', "''"))).collect::<Vec<_>>().join(",");
        Ok(self.reader().query_row(
            &format!(
                "SELECT count(*) FROM attempts WHERE intent_id = ?1 AND kind = 'lookup' AND outcome IN ({listed})"
            ),
            [id],
            |r| r.get(0),
        )?)
    }

    /// When the last redeem request of an intent left (or was recovered as interrupted).
    pub fn last_send_at(&self, id: &str) -> Result<Option<i64>, StoreError> {
        Ok(self.reader().query_row(
            "SELECT max(started_at) FROM attempts WHERE intent_id = ?1 AND kind IN ('redeem','interrupted')",
            [id],
            |r| r.get(0),
        )?)
    }

    pub fn summary(&self) -> Result<QueueSummary, StoreError> {
        summary_in(&self.reader())
    }

    pub fn attempts(&self, id: &str) -> Result<Vec<Attempt>, StoreError> {
        let conn = self.reader();
        let mut st =
            conn.prepare_cached(&format!("SELECT {ATTEMPT_COLS} FROM attempts WHERE intent_id = ?1 ORDER BY id"))?;
        let rows = st.query_map([id], attempt_from_row)?;
        Ok(rows.collect::<Result<_, _>>()?)
    }

    /// The newest `limit` attempts of any intent, newest first (for diagnostics).
    pub fn recent_attempts(&self, limit: u32) -> Result<Vec<Attempt>, StoreError> {
        let conn = self.reader();
        let mut st = conn.prepare_cached(&format!("SELECT {ATTEMPT_COLS} FROM attempts ORDER BY id DESC LIMIT ?1"))?;
        let rows = st.query_map([limit], attempt_from_row)?;
        Ok(rows.collect::<Result<_, _>>()?)
    }

    pub fn history(&self, id: &str) -> Result<Vec<HistoryEntry>, StoreError> {
        let conn = self.reader();
        let mut st = conn.prepare_cached(
            "SELECT at, from_state, to_state, actor, note FROM transitions WHERE intent_id = ?1 ORDER BY id",
        )?;
        let rows = st.query_map([id], |r| {
            Ok(HistoryEntry {
                at: r.get(0)?,
                from_state: r.get(1)?,
                to_state: r.get(2)?,
                actor: r.get(3)?,
                note: r.get(4)?,
            })
        })?;
        Ok(rows.collect::<Result<_, _>>()?)
    }
}

pub(super) const ATTEMPT_COLS: &str =
    "id, intent_id, kind, started_at, ended_at, http_status, outcome, replayed, latency_ms, detail";

pub(super) fn attempt_from_row(r: &rusqlite::Row<'_>) -> rusqlite::Result<Attempt> {
    Ok(Attempt {
        id: r.get(0)?,
        intent_id: r.get(1)?,
        kind: r.get(2)?,
        started_at: r.get(3)?,
        ended_at: r.get(4)?,
        http_status: r.get(5)?,
        outcome: r.get(6)?,
        replayed: r.get(7)?,
        latency_ms: r.get(8)?,
        detail: r.get(9)?,
    })
}

pub(crate) const COLS: &str = "id, idempotency_key, code, voucher_count, terminal_id, branch_code, cashier_id, receipt_number, body, state,
     created_at, updated_at, queued_at, first_sent_at, next_attempt_at, attempt_count, accepted_offline,
     transaction_id, campaign_name, value_cents, http_status, error_code, error_message, review_reason, loss, lookup_due,
     maybe_executed, declined, window_from, first_sent_service_at, service_url, api_key_fp, review_cause, not_before, sale_id";

pub(crate) fn intent_from_row(r: &Row<'_>) -> rusqlite::Result<Intent> {
    let state: String = r.get(9)?;
    Ok(Intent {
        id: r.get(0)?,
        idempotency_key: r.get(1)?,
        code: r.get(2)?,
        voucher_count: r.get(3)?,
        terminal_id: r.get(4)?,
        branch_code: r.get(5)?,
        cashier_id: r.get(6)?,
        receipt_number: r.get(7)?,
        body: r.get(8)?,
        state: state
            .parse()
            .map_err(|e: String| rusqlite::Error::FromSqlConversionFailure(9, rusqlite::types::Type::Text, e.into()))?,
        created_at: r.get(10)?,
        updated_at: r.get(11)?,
        queued_at: r.get(12)?,
        first_sent_at: r.get(13)?,
        next_attempt_at: r.get(14)?,
        attempt_count: r.get(15)?,
        accepted_offline: r.get(16)?,
        transaction_id: r.get(17)?,
        campaign_name: r.get(18)?,
        value_cents: r.get(19)?,
        http_status: r.get(20)?,
        error_code: r.get(21)?,
        error_message: r.get(22)?,
        review_reason: r.get(23)?,
        loss: r.get(24)?,
        lookup_due: r.get(25)?,
        maybe_executed: r.get(26)?,
        declined: r.get(27)?,
        window_from: r.get(28)?,
        first_sent_service_at: r.get(29)?,
        service_url: r.get(30)?,
        api_key_fp: r.get(31)?,
        review_cause: r.get(32)?,
        not_before: r.get(33)?,
        sale_id: r.get(34)?,
    })
}

/// Loads an intent that must still be in `expected` (the compare of compare-and-set).
pub(super) fn load_in(conn: &Connection, id: &str, expected: IntentState) -> Result<Intent, StoreError> {
    let current = load(conn, id)?;
    if current.state != expected {
        return Err(StoreError::StateChanged { id: id.into(), expected, actual: current.state });
    }
    Ok(current)
}

pub(super) fn load(conn: &Connection, id: &str) -> Result<Intent, StoreError> {
    conn.prepare_cached(&format!("SELECT {COLS} FROM intents WHERE id = ?1"))?
        .query_row([id], intent_from_row)
        .optional()?
        .ok_or_else(|| StoreError::NotFound(id.into()))
}

/// Declines a scan restored from a backup (maybe-executed: the copy it came from may
/// have sent it): never withdrawn, so `unknown`, declined (never sent again), and due
/// for the lookup every declined, maybe-executed intent gets.
pub(super) fn decline_restored_scan(
    tx: &Connection,
    current: Intent,
    now: i64,
    actor: &str,
    note: &str,
) -> Result<Intent, StoreError> {
    apply(tx, current, IntentState::Unknown, now, actor, Some(note), None, |i| {
        i.declined = true;
        i.next_attempt_at = Some(now);
    })
}

/// What the checkout shows of the queue, read on `conn` (inside a writer's
/// transaction when a decision rests on it).
pub(super) fn summary_in(conn: &Connection) -> Result<QueueSummary, StoreError> {
    // Two index-only reads (see migration 006): no row of the table is visited, so a
    // long queue does not slow the engine, which reads this after every outcome.
    let (pending, oldest_pending_created_at, needs_review) = conn
        .prepare_cached(
            "SELECT count(*) FILTER (WHERE state IN ('queued','in_flight','unknown')),
                    min(created_at) FILTER (WHERE state IN ('queued','in_flight','unknown')),
                    count(*) FILTER (WHERE state = 'needs_review')
             FROM intents INDEXED BY intents_state_log WHERE state IN ('queued','in_flight','unknown','needs_review')",
        )?
        .query_row([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))?;
    let accepted_offline_pending = conn
        .prepare_cached(
            "SELECT count(*) FROM intents INDEXED BY intents_accepted_offline
             WHERE accepted_offline = 1 AND state IN ('queued','in_flight','unknown')",
        )?
        .query_row([], |r| r.get(0))?;
    Ok(QueueSummary { pending, oldest_pending_created_at, needs_review, accepted_offline_pending })
}

/// The Redeem press on a scanned intent: queued, ready for the engine. One restored
/// from a backup (maybe-executed: the lost copy may have sent it) goes to `unknown`
/// instead, so that any refusal is looked up before it becomes a verdict.
pub(super) fn press(
    tx: &Connection,
    current: Intent,
    now: i64,
    actor: &str,
    accepted_offline: bool,
) -> Result<Intent, StoreError> {
    let (to, note) = if current.maybe_executed {
        (IntentState::Unknown, Some("pressed after a restore: the copy it came from may have sent it already"))
    } else {
        (IntentState::Queued, None)
    };
    apply(tx, current, to, now, actor, note, None, |i| {
        i.queued_at = Some(now);
        i.next_attempt_at = Some(now);
        i.accepted_offline = accepted_offline;
    })
}

#[allow(clippy::too_many_arguments)]
pub(super) fn apply(
    tx: &Connection,
    mut current: Intent,
    to: IntentState,
    now: i64,
    actor: &str,
    note: Option<&str>,
    attempt: Option<&NewAttempt>,
    edit: impl FnOnce(&mut Intent),
) -> Result<Intent, StoreError> {
    let from = current.state;
    if transition_reason(from, to).is_none() {
        return Err(StoreError::IllegalTransition { id: current.id, from, to });
    }
    edit(&mut current);
    if current.maybe_executed && unsent_state(to) {
        // Maybe-executed is forever (the schema's trigger says the same).
        return Err(StoreError::IllegalTransition { id: current.id, from, to });
    }
    if to.has_outcome() {
        current.next_attempt_at = None;
    }
    write_fields(tx, &current, to, now)?;
    insert_history(tx, &current.id, now, Some(from), to, actor, note)?;
    if let Some(a) = attempt {
        insert_attempt(tx, &current.id, a)?;
    }
    current.state = to;
    current.updated_at = now;
    Ok(current)
}

/// Writes the mutable fields; the key, code and body are never written after insert.
pub(super) fn write_fields(tx: &Connection, i: &Intent, state: IntentState, now: i64) -> Result<(), StoreError> {
    // Cached: this and the two inserts below run on every mark and every outcome.
    let n = tx
        .prepare_cached(
            "UPDATE intents SET state = ?2, updated_at = ?3, queued_at = ?4, first_sent_at = ?5, next_attempt_at = ?6,
                attempt_count = ?7, accepted_offline = ?8, transaction_id = ?9, campaign_name = ?10, value_cents = ?11,
                http_status = ?12, error_code = ?13, error_message = ?14, review_reason = ?15, loss = ?16,
                lookup_due = ?17, maybe_executed = ?18, declined = ?19, window_from = ?20, first_sent_service_at = ?21,
                service_url = ?22, api_key_fp = ?23, review_cause = ?24, not_before = ?25
         WHERE id = ?1",
        )?
        .execute(params![
            i.id,
            state.as_str(),
            now,
            i.queued_at,
            i.first_sent_at,
            i.next_attempt_at,
            i.attempt_count,
            i.accepted_offline,
            i.transaction_id,
            i.campaign_name,
            i.value_cents,
            i.http_status,
            i.error_code,
            i.error_message,
            i.review_reason,
            i.loss,
            i.lookup_due,
            i.maybe_executed,
            i.declined,
            i.window_from,
            i.first_sent_service_at,
            i.service_url,
            i.api_key_fp,
            i.review_cause,
            i.not_before
        ])?;
    if n != 1 {
        return Err(StoreError::NotFound(i.id.clone()));
    }
    Ok(())
}

/// Writes a changed flag (accepted, declined) on an intent that stays in its state,
/// with a history row that says who and why.
pub(super) fn note_in_place(tx: &Connection, i: &Intent, now: i64, actor: &str, note: &str) -> Result<(), StoreError> {
    write_fields(tx, i, i.state, now)?;
    insert_history(tx, &i.id, now, Some(i.state), i.state, actor, Some(note))
}

pub(super) fn insert_history(
    tx: &Connection,
    id: &str,
    at: i64,
    from: Option<IntentState>,
    to: IntentState,
    actor: &str,
    note: Option<&str>,
) -> Result<(), StoreError> {
    tx.prepare_cached(
        "INSERT INTO transitions (intent_id, at, from_state, to_state, actor, note) VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
    )?
    .execute(params![id, at, from.map(IntentState::as_str), to.as_str(), actor, note])?;
    Ok(())
}

pub(super) fn insert_attempt(tx: &Connection, id: &str, a: &NewAttempt) -> Result<(), StoreError> {
    tx.prepare_cached(
        "INSERT INTO attempts (intent_id, kind, started_at, ended_at, http_status, outcome, replayed, latency_ms, detail)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)",
    )?
    .execute(params![id, a.kind.as_str(), a.started_at, a.ended_at, a.http_status, a.outcome, a.replayed,
                (a.ended_at - a.started_at).max(0), a.detail])?;
    Ok(())
}
