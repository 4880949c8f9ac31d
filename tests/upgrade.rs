//! Upgrades: a database as every earlier version of the terminal left it, holding
//! intents in every state, opened by this version. Nothing is lost, every
//! intent keeps its key and exact bytes, version 1's over-trusting verdicts are
//! corrected by migration 002, and the result behaves like a fresh database. A
//! database from a newer version is refused untouched (tests/store.rs).

mod common;

use std::path::Path;
use std::sync::Arc;

use rusqlite::{params, Connection};
use rusqlite_migration::{Migrations, M};
use voucher_pos::domain::intent::IntentState;
use voucher_pos::platform::clock::SystemClock;
use voucher_pos::store::{Store, MIGRATIONS};

const STATES: [&str; 8] =
    ["scanned", "queued", "in_flight", "unknown", "redeemed", "refused", "needs_review", "cancelled"];

/// The database of schema `version` as it was saved, copied to `path`: a committed
/// file (`tests/fixtures/upgrade/`), not one built from today's migrations, so an edit
/// to a shipped migration or to this test's builder changes nothing it opens. A
/// version with no file yet gets one with `UPDATE_FIXTURES=1`, once; a file that
/// exists is never rewritten.
fn old_database(path: &Path, version: usize) {
    let fixture = common::manifest_dir().join(format!("tests/fixtures/upgrade/schema-v{version}.sqlite"));
    if !fixture.exists() && std::env::var_os("UPDATE_FIXTURES").is_some() {
        std::fs::create_dir_all(fixture.parent().unwrap()).unwrap();
        let partial = fixture.with_extension(format!("partial-{}", std::process::id()));
        build_old_database(&partial, version);
        std::fs::rename(&partial, &fixture).unwrap();
    }
    std::fs::copy(&fixture, path)
        .unwrap_or_else(|e| panic!("{}: {e}: the committed database of schema {version}", fixture.display()));
}

/// A database at schema `version`, with one intent per state (and, for version 1,
/// one queued intent whose earlier attempt met a 5xx: version 1 queued those again).
fn build_old_database(path: &Path, version: usize) {
    let mut conn = Connection::open(path).unwrap();
    Migrations::new(MIGRATIONS[..version].iter().map(|sql| M::up(sql)).collect()).to_latest(&mut conn).unwrap();
    let now = 1_790_000_000_000i64;
    for (k, state) in STATES.iter().enumerate() {
        let id = format!("intent-{state}");
        let md = format!("branch_code:B1,pos_ID:T1,cashier_ID:c1,intent_ID:{id}");
        let body = serde_json::to_vec(&serde_json::json!({"qr": format!("rsg:v_{k}"), "metadata": md})).unwrap();
        let redeemed = *state == "redeemed";
        conn.execute(
            "INSERT INTO intents (id, idempotency_key, code, voucher_count, terminal_id, branch_code, cashier_id, receipt_number, body, state,
                                  created_at, updated_at, queued_at, first_sent_at, attempt_count, transaction_id, value_cents)
             VALUES (?1, ?2, ?3, 1, 'T1', 'B1', 'c1', '', ?4, ?5, ?6, ?6, ?6, ?7, ?8, ?9, ?10)",
            params![
                id,
                format!("key-{state}"),
                format!("rsg:v_{k}"),
                body,
                state,
                now + k as i64,
                (*state != "scanned" && *state != "queued").then_some(now + 10),
                (*state != "scanned" && *state != "queued") as i64,
                redeemed.then_some(format!("transaction_{k}")),
                redeemed.then_some(500i64),
            ],
        )
        .unwrap();
        conn.execute(
            "INSERT INTO transitions (intent_id, at, from_state, to_state, actor) VALUES (?1, ?2, NULL, ?3, 'test')",
            params![id, now, state],
        )
        .unwrap();
    }
    if version >= 2 {
        // As version 2's code left them: whatever may have executed says so.
        conn.execute("UPDATE intents SET maybe_executed = 1 WHERE state IN ('in_flight', 'unknown', 'redeemed')", [])
            .unwrap();
    }
    if version == 1 {
        let id = "intent-queued-after-5xx";
        let md = format!("branch_code:B1,pos_ID:T1,cashier_ID:c1,intent_ID:{id}");
        let body = serde_json::to_vec(&serde_json::json!({"qr": "rsg:v_5xx", "metadata": md})).unwrap();
        conn.execute(
            "INSERT INTO intents (id, idempotency_key, code, voucher_count, terminal_id, branch_code, cashier_id, receipt_number, body, state,
                                  created_at, updated_at, queued_at, first_sent_at, attempt_count)
             VALUES (?1, 'key-5xx', 'rsg:v_5xx', 1, 'T1', 'B1', 'c1', '', ?2, 'queued', ?3, ?3, ?3, ?3, 1)",
            params![id, body, now],
        )
        .unwrap();
        conn.execute(
            "INSERT INTO attempts (intent_id, kind, started_at, ended_at, http_status, outcome, latency_ms) VALUES (?1, 'redeem', ?2, ?2, 502, 'server_error', 30)",
            params![id, now],
        )
        .unwrap();
    }
    let v: i64 = conn.query_row("PRAGMA user_version", [], |r| r.get(0)).unwrap();
    assert_eq!(v, version as i64);
    // Small pages: a committed file, mostly empty tables.
    conn.execute_batch("PRAGMA page_size = 512; VACUUM;").unwrap();
}

fn upgrade_from(version: usize) {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("terminal.db");
    old_database(&path, version);
    let before: Vec<(String, String, Vec<u8>)> = {
        let conn = Connection::open(&path).unwrap();
        let mut st = conn.prepare("SELECT id, idempotency_key, body FROM intents ORDER BY id").unwrap();
        st.query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?))).unwrap().map(Result::unwrap).collect()
    };

    let store = Store::open(&path, Arc::new(SystemClock)).unwrap();
    let v: i64 = store.with_transaction(|tx| tx.query_row("PRAGMA user_version", [], |r| r.get(0))).unwrap();
    assert_eq!(v, MIGRATIONS.len() as i64, "from version {version}: not migrated to the latest");
    for (id, key, body) in &before {
        let i = store.get(id).unwrap();
        assert_eq!((&i.idempotency_key, &i.body), (key, body), "{id}: the key and the exact bytes survive the upgrade");
    }
    for state in STATES {
        let i = store.get(&format!("intent-{state}")).unwrap();
        assert_eq!(i.state.as_str(), state, "from version {version}: the state of intent-{state}");
        let maybe = matches!(state, "in_flight" | "unknown" | "redeemed");
        assert_eq!(i.maybe_executed, maybe, "from version {version}: maybe-executed of {state}");
    }
    if version == 1 {
        // Version 1 had queued it again after a 502: it may have executed, so it is
        // unknown and looked up, with a history row saying why.
        let i = store.get("intent-queued-after-5xx").unwrap();
        assert_eq!((i.state, i.maybe_executed, i.lookup_due), (IntentState::Unknown, true, true));
        assert!(store.history(&i.id).unwrap().iter().any(|h| h.actor == "migration"));
    }
    // The upgraded database keeps the rules a fresh one has.
    let e = store.with_transaction(|tx| tx.execute("DELETE FROM intents WHERE id = 'intent-refused'", [])).unwrap_err();
    assert!(e.to_string().contains("never deleted"), "{e}");
    let e = store
        .with_transaction(|tx| tx.execute("UPDATE intents SET maybe_executed = 0 WHERE id = 'intent-unknown'", []))
        .unwrap_err();
    assert!(e.to_string().contains("never be unsent"), "{e}");
    let e = store.with_transaction(|tx| tx.execute("DELETE FROM audit", [])).err();
    assert!(e.is_none(), "an empty audit deletes nothing and raises nothing");
    voucher_pos::checkout::access::audit::append(&store, "manager", "settings_saved", None).unwrap();
    assert!(!voucher_pos::checkout::access::has_manager_pin(&store).unwrap());
    // And it takes new scans.
    let ctx = voucher_pos::domain::intent::SaleContext {
        terminal_id: "T1".into(),
        branch_code: "B1".into(),
        cashier_id: "c1".into(),
        ..Default::default()
    };
    let new = voucher_pos::app::terminal::scan_text(&store, "rsg:v_new", &ctx).unwrap();
    let sale = new.intent().sale_id.clone().expect("a new scan joins the open sale");
    // A live intent of the old database still holds its code: one never sent joins
    // the sale it is scanned in again; one sent pays for its earlier sale only.
    let scanned = format!("rsg:v_{}", STATES.iter().position(|s| *s == "scanned").unwrap());
    let again = voucher_pos::app::terminal::scan_text(&store, &scanned, &ctx).unwrap();
    assert!(
        matches!(&again, voucher_pos::store::ScanResult::Existing { intent } if intent.id == "intent-scanned" && intent.sale_id.as_deref() == Some(&sale)),
        "{again:?}"
    );
    let queued = format!("rsg:v_{}", STATES.iter().position(|s| *s == "queued").unwrap());
    let e = voucher_pos::app::terminal::scan_text(&store, &queued, &ctx).unwrap_err();
    assert_eq!(e.code(), "voucher_in_other_sale", "{e}");
    assert!(store.get("intent-queued").unwrap().sale_id.is_none());
}

#[test]
fn a_version_1_database_with_intents_in_every_state_upgrades_without_loss() {
    upgrade_from(1);
}

#[test]
fn every_earlier_schema_version_with_data_upgrades_to_the_latest() {
    for version in 1..MIGRATIONS.len() {
        upgrade_from(version);
    }
}

/// A migration that has shipped is history: a database somewhere ran it as it was,
/// so an edit to it would leave that database different from a fresh one (the
/// upgrade tests above open saved databases; this says which file was edited). A change to the schema is a new migration. The figures are FNV-1a of
/// each file's bytes, recorded when it shipped.
#[test]
fn a_shipped_migration_is_never_edited() {
    const SHIPPED: [u64; 9] = [
        0x0d54_e063_ad85_d7ef,
        0x4b80_2374_6e22_76e4,
        0x179e_21c9_8952_2950,
        0x3cce_8e3a_adf8_e56a,
        0x60c4_c04c_6c6f_c803,
        0xb3cf_1150_f14a_b7be,
        0xe14a_1b22_efa9_926d,
        0xe524_98ef_07dc_7c70,
        0x201f_26c1_e75c_8298,
    ];
    let fnv1a = |bytes: &[u8]| {
        bytes.iter().fold(0xcbf2_9ce4_8422_2325u64, |h, b| (h ^ u64::from(*b)).wrapping_mul(0x0100_0000_01b3))
    };
    assert!(MIGRATIONS.len() >= SHIPPED.len(), "a shipped migration was removed");
    for (n, (sql, shipped)) in MIGRATIONS.iter().zip(SHIPPED).enumerate() {
        assert_eq!(
            fnv1a(sql.as_bytes()),
            shipped,
            "migration {:03} was edited after it shipped: add a new migration instead",
            n + 1
        );
    }
}
