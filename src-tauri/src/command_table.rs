// The page's whole interface, one line per command: its name, what the page passes
// and what it gets back. Everything else is generated from this list:
// - `build.rs` includes it to declare the commands, so Tauri denies any command not
//   granted in `capabilities/main.json`;
// - `ipc.rs` includes it to define each Tauri command (a call to the function of the
//   same name in `commands.rs`, which must take exactly these arguments) and the
//   handler that registers them all;
// - tests in `ipc.rs` check that `capabilities/main.json` grants exactly these and
//   that `ui/src/commands.ts` (the page's typed calls) is current; with
//   `UPDATE_BINDINGS=1` they rewrite both.
// A page-side type that ts-rs does not know follows the Rust type after `as`.
command_table! {
    startup_problem() -> Option<StartupProblem>;
    status() -> Status;
    close_terminal(pin: String) -> ();
    scan(text: String, receipt: Option<String>, skus: Option<String>) -> ScanResult;
    sale_view() -> SaleView;
    sale_set_total(total: String) -> SaleView;
    sale_redeem() -> SaleView;
    sale_close(sale_id: Option<String>) -> Option<SaleView>;
    view_intent(intent_id: String) -> RedeemView;
    accept_offline(intent_id: String) -> Intent;
    cancel(intent_id: String) -> Intent;
    decline(intent_id: String) -> Intent;
    access_state() -> AccessState;
    choose_language(lang: Option<Lang>) -> AccessState;
    manager_set_pin(pin: String, again: String) -> ();
    manager_unlock(pin: String) -> ();
    manager_lock() -> ();
    manager_change_pin(current: String, pin: String, again: String) -> ();
    cashier_sign_in(id: String, pin: String) -> Cashier;
    cashier_sign_in_new_pin(id: String, pin: String, new_pin: String, again: String) -> Cashier;
    cashier_reset_pin(id: String, pin: String, again: String) -> ();
    cashier_sign_out() -> ();
    cashier_list() -> Vec<Cashier>;
    cashier_add(id: String, name: String, pin: String, again: String) -> Cashier;
    cashier_remove(id: String) -> ();
    audit_page(before: Option<i64>) -> AuditPage;
    log_page(filter: LogFilter, after: Option<LogCursor>) -> LogPage;
    intent_detail(intent_id: String) -> Detail;
    review_inbox() -> Vec<ReviewItem>;
    settle(intent_id: String, how: Settlement, note: String, transaction_id: Option<String>) -> Intent;
    export_csv(filter: LogFilter) -> Option<Exported>;
    archive_old() -> Option<Archived>;
    eod_report(date: Option<String>) -> Report;
    eod_own_tally(date: Option<String>) -> OwnTally;
    eod_export_csv(date: Option<String>) -> Option<Exported>;
    eod_print(date: Option<String>) -> Printed;
    print_receipt(sale_id: String) -> Printed;
    test_print(printer: Option<String>, paper_mm: Option<u32>) -> Printed;
    backup_now() -> String;
    diagnostics_export() -> Option<String>;
    start_scanner(preview: PreviewChannel as "Channel<ArrayBuffer>") -> ();
    get_settings() -> SettingsView;
    save_settings(terminal: TerminalSettings, policy: OfflinePolicy, api_key: Option<String>) -> ();
    test_connection(service_url: Option<String>, api_key: Option<String>) -> ConnectionCheck;
    sandbox_simulate_offline(offline: bool) -> ();
}
