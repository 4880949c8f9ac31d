// Every command the page may call. Declaring them makes Tauri deny each one unless
// `capabilities/main.json` grants its `allow-...` permission, so that file is the
// page's whole permission list. A command missing here does not exist for the page.
const COMMANDS: &[&str] = &[
    "startup_problem",
    "status",
    "close_terminal",
    "scan",
    "sale_view",
    "sale_set_total",
    "sale_redeem",
    "sale_close",
    "view_intent",
    "accept_offline",
    "cancel",
    "decline",
    "access_state",
    "manager_set_pin",
    "manager_unlock",
    "manager_lock",
    "manager_change_pin",
    "cashier_sign_in",
    "cashier_sign_in_new_pin",
    "cashier_reset_pin",
    "cashier_sign_out",
    "cashier_list",
    "cashier_add",
    "cashier_remove",
    "audit_page",
    "log_page",
    "intent_detail",
    "review_inbox",
    "settle",
    "export_csv",
    "archive_old",
    "eod_report",
    "eod_export_csv",
    "backup_now",
    "diagnostics_export",
    "start_scanner",
    "get_settings",
    "save_settings",
    "sandbox_simulate_offline",
];

fn main() {
    tauri_build::try_build(
        tauri_build::Attributes::new().app_manifest(tauri_build::AppManifest::new().commands(COMMANDS)),
    )
    .expect("tauri-build: the app's command manifest");
}
