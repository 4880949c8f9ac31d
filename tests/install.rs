//! Installing and running the terminal on a till (issue 14): the data folder that
//! follows the app identifier (an earlier version's folder moved once, nothing
//! lost), one terminal per database, and the login autostart entry. Real files,
//! real processes.

use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::Arc;

use voucher_pos::domain::intent::SaleContext;
use voucher_pos::platform::clock::SystemClock;
use voucher_pos::store::{adopt_earlier_folder, Adopted, Store, APP_IDENTIFIER};

fn sale() -> SaleContext {
    SaleContext {
        terminal_id: "T01".into(),
        branch_code: "B001".into(),
        cashier_id: "c001".into(),
        ..Default::default()
    }
}

/// An earlier version's data folder: a database with an intent in it, the secrets
/// file and a log beside it.
fn earlier_folder(home: &Path) -> String {
    let folder = home.join("voucher-pos");
    let store = Store::open(folder.join("terminal.db"), Arc::new(SystemClock)).unwrap();
    let code = voucher_pos::domain::voucher::parse("rsg:v_adopt1").unwrap();
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

/// The mode of `p` itself (a link's own, never its target's).
fn mode(p: &Path) -> u32 {
    std::fs::symlink_metadata(p).unwrap().permissions().mode() & 0o777
}

/// Every entry below `dir`, links included and never followed.
fn entries_below(dir: &Path) -> Vec<PathBuf> {
    let mut found = Vec::new();
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if std::fs::symlink_metadata(&path).unwrap().is_dir() {
            found.extend(entries_below(&path));
        }
        found.push(path);
    }
    found
}

/// Earlier versions left their folder 0755 and its files 0644: readable by every
/// local user. Adopted, it is the owner's alone; a link in it is not followed, so
/// the file it points at keeps its mode.
#[test]
fn an_adopted_folder_and_its_files_are_made_private_without_following_links() {
    let home = tempfile::tempdir().unwrap();
    earlier_folder(home.path());
    let earlier = home.path().join("voucher-pos");
    let elsewhere = tempfile::tempdir().unwrap();
    let outside = elsewhere.path().join("not-ours.txt");
    std::fs::write(&outside, "someone else's\n").unwrap();
    std::fs::set_permissions(&outside, std::fs::Permissions::from_mode(0o644)).unwrap();
    for path in entries_below(&earlier) {
        let loose = if path.is_dir() { 0o755 } else { 0o644 };
        std::fs::set_permissions(&path, std::fs::Permissions::from_mode(loose)).unwrap();
    }
    std::fs::set_permissions(&earlier, std::fs::Permissions::from_mode(0o755)).unwrap();
    std::os::unix::fs::symlink(&outside, earlier.join("logs/voucher-pos.2026-11-29.log")).unwrap();
    assert_eq!(mode(&earlier.join("logs")), 0o755);
    assert_eq!(mode(&earlier.join("secrets.json")), 0o644);

    let current = home.path().join(APP_IDENTIFIER);
    assert_eq!(adopt_earlier_folder(home.path()).unwrap(), Adopted::Moved { from: earlier, to: current.clone() });
    assert_eq!(mode(&current), 0o700);
    assert_eq!(mode(&current.join("logs")), 0o700);
    let mut files = 0;
    for path in entries_below(&current) {
        let kind = std::fs::symlink_metadata(&path).unwrap().file_type();
        if kind.is_dir() {
            assert_eq!(mode(&path), 0o700, "{}", path.display());
        } else if kind.is_file() {
            assert_eq!(mode(&path), 0o600, "{}", path.display());
            files += 1;
        }
    }
    assert!(files >= 3, "the database, the secrets file and the log were checked");
    assert!(
        std::fs::symlink_metadata(current.join("logs/voucher-pos.2026-11-29.log")).unwrap().file_type().is_symlink(),
        "the link is left in place"
    );
    assert_eq!(mode(&outside), 0o644, "the file a link points at is not ours to change");
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
