//! The manager's log at a million rows: keyset pages walk it exactly, and every
//! query the screen makes uses an index (no full scan, no sort of the whole table),
//! which is what keeps the hundredth page as fast as the first.

mod common;

use voucher_pos::domain::intent::IntentState;
use voucher_pos::records::redemption_log::{page, query_plan, LogCursor, LogFilter};

const ROWS: i64 = 1_000_000;

#[test]
fn a_million_row_log_pages_by_key_and_every_query_uses_an_index() {
    let (_d, store) = common::fresh_store();
    let states = ["redeemed", "refused", "needs_review", "cancelled", "scanned"];
    store
        .with_transaction(|tx| {
            let mut st = tx.prepare(
                "INSERT INTO intents (id, idempotency_key, code, voucher_count, terminal_id, branch_code, cashier_id,
                                      receipt_number, body, state, created_at, updated_at, transaction_id)
                 VALUES (?1, ?2, ?3, 1, 'T01', 'B001', ?4, '', x'7b7d', ?5, ?6, ?6, ?7)",
            )?;
            for n in 0..ROWS {
                let state = states[(n % 5) as usize];
                let tx_id = (state == "redeemed").then(|| format!("transaction_{n:012}"));
                st.execute(rusqlite::params![
                    format!("i{n:09}"),
                    format!("k{n:09}"),
                    format!("rsg:v_{n:021}"),
                    format!("c{:03}", n % 40),
                    state,
                    1_700_000_000_000i64 + n * 1000,
                    tx_id
                ])?;
            }
            Ok(())
        })
        .unwrap();

    // Keyset paging: ten pages in order, no overlap, newest first.
    let all = LogFilter::default();
    let mut after: Option<LogCursor> = None;
    let mut last_seen = i64::MAX;
    for _ in 0..10 {
        let p = page(&store, &all, after.as_ref(), 1000).unwrap();
        assert_eq!(p.rows.len(), 1000);
        for i in &p.rows {
            assert!(i.created_at < last_seen, "pages overlap or go back in time");
            last_seen = i.created_at;
        }
        after = p.next;
    }
    // A deep page, far into the log, is the right one.
    let deep = LogCursor { created_at: 1_700_000_000_000 + 500_000 * 1000, id: "i000500000".into() };
    let p = page(&store, &all, Some(&deep), 5).unwrap();
    assert_eq!(p.rows[0].id, "i000499999");

    let by_state = LogFilter { state: Some(IntentState::NeedsReview), ..Default::default() };
    assert!(page(&store, &by_state, None, 50).unwrap().rows.iter().all(|i| i.state == IntentState::NeedsReview));
    let by_tx = LogFilter { search: Some("transaction_000000424240".into()), ..Default::default() };
    assert_eq!(page(&store, &by_tx, None, 50).unwrap().rows[0].id, "i000424240");
    let by_code = LogFilter { search: Some(format!("rsg:v_{:021}", 777)), ..Default::default() };
    assert_eq!(page(&store, &by_code, None, 50).unwrap().rows[0].id, "i000000777");

    let filters = [
        all.clone(),
        by_state,
        LogFilter { cashier_id: Some("c007".into()), ..Default::default() },
        by_tx,
        by_code,
        LogFilter { from_ms: Some(1_700_000_000_000), to_ms: Some(1_700_000_500_000), ..Default::default() },
    ];
    for f in &filters {
        for cursor in [None, Some(&deep)] {
            let steps = query_plan(&store, f, cursor).unwrap();
            let plan = steps.join(" | ");
            // Either walk an index in log order (and stop at the page size)...
            let bare_scan = steps.iter().any(|s| {
                s.starts_with("SCAN intents") && !s.contains("USING INDEX") && !s.contains("USING COVERING INDEX")
            });
            assert!(!bare_scan, "{f:?} scans the whole table: {plan}");
            // ...or look up a few rows by an index and sort just those.
            if plan.contains("USE TEMP B-TREE") {
                assert!(
                    steps.iter().any(|s| s.starts_with("SEARCH intents USING INDEX")),
                    "{f:?} sorts without a selective lookup: {plan}"
                );
            }
        }
    }
}
