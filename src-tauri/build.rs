// Declares every command of `src/command_table.rs`: Tauri then denies each one unless
// `capabilities/main.json` grants its `allow-...` permission, so that file is the
// page's whole permission list. A command missing from the table does not exist for
// the page.
macro_rules! command_table {
    ($($name:ident ($($arg:ident : $ty:ty $(as $ts:literal)?),*) -> $ret:ty;)*) => {
        const COMMANDS: &[&str] = &[$(stringify!($name)),*];
    };
}
include!("src/command_table.rs");

fn main() {
    println!("cargo:rerun-if-changed=src/command_table.rs");
    tauri_build::try_build(
        tauri_build::Attributes::new().app_manifest(tauri_build::AppManifest::new().commands(COMMANDS)),
    )
    .expect("tauri-build: the app's command manifest");
}
