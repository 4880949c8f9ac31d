// Generated from src-tauri/src/command_table.rs by src-tauri/src/ipc.rs. Do not edit.

import { invoke, type Channel } from "@tauri-apps/api/core";
import type { AccessState, Archived, AuditPage, Cashier, ConnectionCheck, Detail, Exported, Intent, Lang, LogCursor, LogFilter, LogPage, OfflinePolicy, OwnTally, Printed, RedeemView, Report, ReviewItem, SaleView, ScanResult, SettingsView, Settlement, StartupProblem, Status, TerminalSettings } from "./bindings";

export function startupProblem(): Promise<StartupProblem | null> {
  return invoke<StartupProblem | null>("startup_problem");
}

export function status(): Promise<Status> {
  return invoke<Status>("status");
}

export function closeTerminal(pin: string): Promise<void> {
  return invoke<void>("close_terminal", { pin });
}

export function scan(text: string, receipt?: string | null, skus?: string | null): Promise<ScanResult> {
  return invoke<ScanResult>("scan", { text, receipt, skus });
}

export function saleView(): Promise<SaleView> {
  return invoke<SaleView>("sale_view");
}

export function saleSetTotal(total: string): Promise<SaleView> {
  return invoke<SaleView>("sale_set_total", { total });
}

export function saleRedeem(): Promise<SaleView> {
  return invoke<SaleView>("sale_redeem");
}

export function saleClose(saleId?: string | null): Promise<SaleView | null> {
  return invoke<SaleView | null>("sale_close", { saleId });
}

export function viewIntent(intentId: string): Promise<RedeemView> {
  return invoke<RedeemView>("view_intent", { intentId });
}

export function acceptOffline(intentId: string): Promise<Intent> {
  return invoke<Intent>("accept_offline", { intentId });
}

export function cancel(intentId: string): Promise<Intent> {
  return invoke<Intent>("cancel", { intentId });
}

export function decline(intentId: string): Promise<Intent> {
  return invoke<Intent>("decline", { intentId });
}

export function accessState(): Promise<AccessState> {
  return invoke<AccessState>("access_state");
}

export function chooseLanguage(lang?: Lang | null): Promise<AccessState> {
  return invoke<AccessState>("choose_language", { lang });
}

export function managerSetPin(pin: string, again: string): Promise<void> {
  return invoke<void>("manager_set_pin", { pin, again });
}

export function managerUnlock(pin: string): Promise<void> {
  return invoke<void>("manager_unlock", { pin });
}

export function managerLock(): Promise<void> {
  return invoke<void>("manager_lock");
}

export function managerChangePin(current: string, pin: string, again: string): Promise<void> {
  return invoke<void>("manager_change_pin", { current, pin, again });
}

export function cashierSignIn(id: string, pin: string): Promise<Cashier> {
  return invoke<Cashier>("cashier_sign_in", { id, pin });
}

export function cashierSignInNewPin(id: string, pin: string, newPin: string, again: string): Promise<Cashier> {
  return invoke<Cashier>("cashier_sign_in_new_pin", { id, pin, newPin, again });
}

export function cashierResetPin(id: string, pin: string, again: string): Promise<void> {
  return invoke<void>("cashier_reset_pin", { id, pin, again });
}

export function cashierSignOut(): Promise<void> {
  return invoke<void>("cashier_sign_out");
}

export function cashierList(): Promise<Array<Cashier>> {
  return invoke<Array<Cashier>>("cashier_list");
}

export function cashierAdd(id: string, name: string, pin: string, again: string): Promise<Cashier> {
  return invoke<Cashier>("cashier_add", { id, name, pin, again });
}

export function cashierRemove(id: string): Promise<void> {
  return invoke<void>("cashier_remove", { id });
}

export function auditPage(before?: number | null): Promise<AuditPage> {
  return invoke<AuditPage>("audit_page", { before });
}

export function logPage(filter: LogFilter, after?: LogCursor | null): Promise<LogPage> {
  return invoke<LogPage>("log_page", { filter, after });
}

export function intentDetail(intentId: string): Promise<Detail> {
  return invoke<Detail>("intent_detail", { intentId });
}

export function reviewInbox(): Promise<Array<ReviewItem>> {
  return invoke<Array<ReviewItem>>("review_inbox");
}

export function settle(intentId: string, how: Settlement, note: string, transactionId?: string | null): Promise<Intent> {
  return invoke<Intent>("settle", { intentId, how, note, transactionId });
}

export function exportCsv(filter: LogFilter): Promise<Exported | null> {
  return invoke<Exported | null>("export_csv", { filter });
}

export function archiveOld(): Promise<Archived | null> {
  return invoke<Archived | null>("archive_old");
}

export function eodReport(date?: string | null): Promise<Report> {
  return invoke<Report>("eod_report", { date });
}

export function eodOwnTally(date?: string | null): Promise<OwnTally> {
  return invoke<OwnTally>("eod_own_tally", { date });
}

export function eodExportCsv(date?: string | null): Promise<Exported | null> {
  return invoke<Exported | null>("eod_export_csv", { date });
}

export function eodPrint(date?: string | null): Promise<Printed> {
  return invoke<Printed>("eod_print", { date });
}

export function printReceipt(saleId: string): Promise<Printed> {
  return invoke<Printed>("print_receipt", { saleId });
}

export function testPrint(printer?: string | null, paperMm?: number | null): Promise<Printed> {
  return invoke<Printed>("test_print", { printer, paperMm });
}

export function backupNow(): Promise<string> {
  return invoke<string>("backup_now");
}

export function diagnosticsExport(): Promise<string | null> {
  return invoke<string | null>("diagnostics_export");
}

export function startScanner(preview: Channel<ArrayBuffer>): Promise<void> {
  return invoke<void>("start_scanner", { preview });
}

export function getSettings(): Promise<SettingsView> {
  return invoke<SettingsView>("get_settings");
}

export function saveSettings(terminal: TerminalSettings, policy: OfflinePolicy, apiKey?: string | null): Promise<void> {
  return invoke<void>("save_settings", { terminal, policy, apiKey });
}

export function testConnection(serviceUrl?: string | null, apiKey?: string | null): Promise<ConnectionCheck> {
  return invoke<ConnectionCheck>("test_connection", { serviceUrl, apiKey });
}

export function sandboxSimulateOffline(offline: boolean): Promise<void> {
  return invoke<void>("sandbox_simulate_offline", { offline });
}
