//! Installing and running the terminal on a till (issue 14): the data folder that
//! follows the app identifier (an earlier version's folder moved once, nothing
//! lost), one terminal per database, and the login autostart entry. Real files,
//! real processes.

use std::path::Path;
use std::process::Command;
use std::sync::Arc;

use voucher_pos::clock::SystemClock;
use voucher_pos::intent::SaleContext;
use voucher_pos::store::{adopt_earlier_folder, Adopted, Store, APP_IDENTIFIER};

fn sale() -> SaleContext {
    SaleContext { terminal_id: "T01".into(), branch_code: "B001".into(), cashier_id: "c001".into(), ..Default::default() }
}

/// An earlier version's data folder: a database with an intent in it, the secrets
/// file and a log beside it.
fn earlier_folder(home: &Path) -> String {
    let folder = home.join("voucher-pos");
    let store = Store::open(folder.join("terminal.db"), Arc::new(SystemClock)).unwrap();
    let code = voucher_pos::voucher::parse("rsg:v_adopt1").unwrap();
    let id = store.scan(&code, &sale()).unwrap().intent().id.clone();
    std::fs::write(folder.join("secrets.json"), "{}").unwrap();
    std::fs::create_dir_all(folder.join("logs")).unwrap();
    std::fs::write(folder.join("logs/voucher-pos.2026-11-28.log"), "a line\n").unwrap();
    id
}

#[test]
fn an_earlier_versions_data_folder_is_moved_once_with_everything_in_it() {
    let home = tempfile::tempdir().unwrap();
    let id = earlier_folder(home.path());
    let current = home.path().join(APP_IDENTIFIER);
    assert_eq!(
        adopt_earlier_folder(home.path()).unwrap(),
        Adopted::Moved { from: home.path().join("voucher-pos"), to: current.clone() }
    );
    assert!(!home.path().join("voucher-pos").exists());
    let store = Store::open(current.join("terminal.db"), Arc::new(SystemClock)).unwrap();
    assert!(store.get(&id).is_ok(), "the intent moved with its database");
    assert!(current.join("secrets.json").exists() && current.join("logs/voucher-pos.2026-11-28.log").exists());
    drop(store);
    assert_eq!(adopt_earlier_folder(home.path()).unwrap(), Adopted::Nothing, "only the first start moves it");
}

#[test]
fn an_earlier_folder_beside_a_current_one_is_left_alone_never_merged() {
    let home = tempfile::tempdir().unwrap();
    earlier_folder(home.path());
    std::fs::create_dir_all(home.path().join(APP_IDENTIFIER)).unwrap();
    assert_eq!(
        adopt_earlier_folder(home.path()).unwrap(),
        Adopted::BothExist { earlier: home.path().join("voucher-pos") }
    );
    assert!(home.path().join("voucher-pos/terminal.db").exists());
}

#[test]
fn an_earlier_version_still_running_keeps_its_folder_and_the_start_says_why() {
    let home = tempfile::tempdir().unwrap();
    earlier_folder(home.path());
    let running = Store::open(home.path().join("voucher-pos/terminal.db"), Arc::new(SystemClock)).unwrap();
    let err = adopt_earlier_folder(home.path()).unwrap_err();
    assert_eq!(err.code(), "store_locked", "{err}");
    assert!(home.path().join("voucher-pos/terminal.db").exists());
    assert!(!home.path().join(APP_IDENTIFIER).exists(), "nothing half-moved");
    drop(running);
}

/// The CLI with no `--db`, as a store's script would run it: it adopts the earlier
/// folder and sees its intents.
#[test]
fn the_cli_with_the_default_database_finds_an_earlier_versions_intents() {
    let home = tempfile::tempdir().unwrap();
    earlier_folder(home.path());
    let out = Command::new(env!("CARGO_BIN_EXE_voucher-pos"))
        .args(["log"])
        .env("XDG_DATA_HOME", home.path())
        .env_remove("VOUCHER_POS_DB")
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    assert!(String::from_utf8_lossy(&out.stdout).contains("v_adopt1"), "{}", String::from_utf8_lossy(&out.stdout));
    assert!(home.path().join(APP_IDENTIFIER).join("terminal.db").exists());
}
