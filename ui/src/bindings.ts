// Generated from the Rust types by src-tauri/src/bindings.rs. Do not edit.

export type IntentState = "scanned" | "queued" | "in_flight" | "unknown" | "redeemed" | "refused" | "needs_review" | "cancelled";

export type Intent = { id: string, idempotency_key: string, code: string, voucher_count: number, terminal_id: string, branch_code: string, cashier_id: string, receipt_number: string, state: IntentState, created_at: number, updated_at: number, queued_at: number | null, first_sent_at: number | null, next_attempt_at: number | null, attempt_count: number, accepted_offline: boolean, transaction_id: string | null, campaign_name: string | null, value_cents: number | null, http_status: number | null, error_code: string | null, 
/**
 * The service's own `error.message`, shown to the cashier unchanged.
 */
error_message: string | null, review_reason: string | null, 
/**
 * Accepted for the sale offline and later refused: the store lost its value.
 */
loss: boolean, 
/**
 * A refusal met after a maybe-executed attempt: only the transactions list can
 * say whether it judged our own earlier redemption.
 */
lookup_due: boolean, 
/**
 * Some attempt may have executed at the service. Never goes back to false: such
 * an intent is never queued again, never withdrawn, and every later refusal is
 * looked up before it becomes a verdict.
 */
maybe_executed: boolean, 
/**
 * The cashier took another payment for the sale: never sent again.
 */
declined: boolean, 
/**
 * The earliest send whose saved result the service may still hold.
 */
window_from: number | null, 
/**
 * `first_sent_at` in the service's time, when its clock was known.
 */
first_sent_service_at: number | null, 
/**
 * Where it was first sent, and a fingerprint of the API key it went with.
 */
service_url: string | null, api_key_fp: string | null, 
/**
 * Why it waits for a manager, as a stable code (`verdict::ReviewCause`).
 */
review_cause: string | null, 
/**
 * A wait the service imposed (Retry-After, a rejected key).
 */
not_before: number | null, 
/**
 * The sale it pays for, and no other (none for intents older than sales).
 */
sale_id: string | null, };

export type ScanResult = { "kind": "created", intent: Intent, } | { "kind": "existing", intent: Intent, } | { "kind": "already_redeemed", intent: Intent, };

export type QueueSummary = { 
/**
 * Committed intents without an outcome yet.
 */
pending: number, 
/**
 * Created time of the oldest pending intent.
 */
oldest_pending_created_at: number | null, 
/**
 * Intents waiting for a manager.
 */
needs_review: number, 
/**
 * Pending intents whose sale already went ahead.
 */
accepted_offline_pending: number, };

export type Connectivity = "online" | "degraded" | "offline";

export type OfflineVerdict = { "verdict": "may_accept" } | { "verdict": "take_other_payment", why: OfflineRule, };

export type RedeemView = { intent: Intent, 
/**
 * Set while the intent is still waiting for the service: may the sale go ahead?
 */
offline: OfflineVerdict | null, connectivity: Connectivity, 
/**
 * False when this press found the intent already committed (a double press).
 */
newly_committed: boolean, };

export type Settlement = "redeemed" | "refused" | "not_redeemed";

export type SyncEvent = { "type": "intent_changed", intent_id: string, state: IntentState, } | { "type": "queue" } & QueueSummary | { "type": "connectivity", state: Connectivity, } | { "type": "store_failure", message: string, } | { "type": "key_rejected", message: string, };

export type Attempt = { id: number, intent_id: string, kind: string, started_at: number, ended_at: number, http_status: number | null, outcome: string, replayed: boolean, latency_ms: number, detail: string | null, };

export type HistoryEntry = { at: number, from_state: string | null, to_state: string, actor: string, note: string | null, };

export type LogFilter = { 
/**
 * Created at or after (Unix ms).
 */
from_ms: number | null, 
/**
 * Created before (Unix ms).
 */
to_ms: number | null, 
/**
 * Created on or after this day (YYYY-MM-DD) in the store's time zone.
 */
from_date: string | null, 
/**
 * Created on or before this day (YYYY-MM-DD) in the store's time zone.
 */
to_date: string | null, state: IntentState | null, cashier_id: string | null, 
/**
 * A transaction id, a whole code, or part of a voucher id.
 */
search: string | null, };

export type LogCursor = { created_at: number, id: string, };

export type LogPage = { rows: Array<Intent>, next: LogCursor | null, };

export type ErrorCode = "accept_not_allowed" | "already_accepted" | "already_declined" | "already_running" | "already_running_not_answering" | "api_key_missing" | "api_key_other_service" | "api_key_required" | "api_key_without_service" | "archive_mismatch" | "autostart_failed" | "backup_io" | "backup_not_a_backup" | "backup_schema_differs" | "backup_terminal_running" | "camera_lost" | "camera_none" | "camera_not_built" | "camera_open_failed" | "cancel_not_allowed" | "cashier_bad_name" | "cashier_exists" | "cashier_idle_out_of_range" | "cashier_not_found" | "cashier_signed_out" | "code_bad_prefix" | "code_bad_voucher_id" | "code_control_characters" | "code_empty" | "code_no_vouchers" | "code_not_text" | "code_not_voucher" | "code_too_long" | "code_too_many_vouchers" | "code_web_address" | "config_bad_api_key" | "config_bad_url" | "config_credentials_in_url" | "config_http" | "config_insecure_url" | "context_bad_field" | "context_cfhp_needs_skus" | "context_metadata_too_long" | "context_missing_field" | "decline_not_allowed" | "export_inside_data_folder" | "export_io" | "frames_bad_image" | "frames_none" | "instance_io" | "intent_illegal_transition" | "intent_not_found" | "intent_state_changed" | "log_level_unknown" | "lookup_bad_reply" | "lookup_status" | "lookup_timeout" | "lookup_unreachable" | "manager_idle_lock_out_of_range" | "manager_locked" | "money_malformed" | "money_negative" | "money_too_large" | "not_sandbox" | "offline_not_allowed" | "paper_unknown" | "pin_already_set" | "pin_backoff" | "pin_bad_shape" | "pin_change_required" | "pin_common" | "pin_hash" | "pin_mismatch" | "pin_not_set" | "pin_repeat" | "pin_run" | "pin_unchanged" | "pin_wrong" | "pin_year" | "printer_bad_reply" | "printer_cover_open" | "printer_device" | "printer_fault" | "printer_no_answer" | "printer_not_set" | "printer_paper_out" | "printer_refused" | "printer_reset" | "printer_target_invalid" | "printer_unknown_host" | "receipt_sale_open" | "report_service_unreadable" | "retention_too_short" | "sale_closed" | "sale_unresolved" | "sandbox_failed" | "secrets_damaged" | "secrets_file_too_open" | "secrets_io" | "secrets_keyring" | "secrets_no_keyring" | "service_time_unknown" | "service_time_unreachable" | "settle_needs_note" | "signin_rate_limited" | "source_ended" | "store_corrupt" | "store_disk_full" | "store_io" | "store_locked" | "store_migration" | "store_newer_schema" | "store_sqlite" | "store_unavailable" | "voucher_in_other_sale" | "zone_bad_date" | "zone_unknown";

export type IpcError = { code: ErrorCode, message: string, };

export type Status = { connectivity: Connectivity, queue: QueueSummary, sandbox: boolean, scanner: ScannerNote, terminal_id: string, access: AccessState, 
/**
 * The store's time zone (IANA name), for showing times; none: the system's.
 */
time_zone: string | null, 
/**
 * The store's currency symbol, for amounts the core sends in cents.
 */
currency_symbol: string, now_ms: number, 
/**
 * Till mode this run: full screen, and closing needs the manager PIN.
 */
till_mode: boolean, 
/**
 * A tone for each answer (the setting).
 */
sounds: boolean, };

export type ScannerNote = { source: string | null, problem: ErrorCode | null, 
/**
 * The problem in the core's words, for a problem the page has no message for.
 */
message: string | null, };

export type ConnectionCheck = { "result": "sandbox" } | { "result": "unreachable" } | { "result": "no_key" } | { "result": "key_refused", status: number, message: string, } | { "result": "accepted" } | { "result": "list_failed", code: ErrorCode, message: string, };

export type OwnTally = { date: string, 
/**
 * Redeemed that day (by when the service confirmed them), in all and by cashier.
 */
redeemed: Tally, by_cashier: { [key in string]: Tally }, 
/**
 * Scanned that day and not settled yet: waiting for the service, or in review.
 */
waiting: number, in_review: number, sales_closed: number, };

export type AccessState = { has_manager_pin: boolean, manager_unlocked: boolean, 
/**
 * Cashiers are listed and nobody is signed in: the checkout asks for a sign-in.
 */
signin_required: boolean, 
/**
 * The manager unlocked with a PIN this terminal would no longer take (chosen
 * under an earlier version's rules): the manager screens ask for a new one.
 */
manager_pin_change_due: boolean, 
/**
 * Who the checkout acts as now, if anyone.
 */
cashier_id: string | null, cashier_name: string | null, 
/**
 * The language the window speaks now: the one chosen at the till (until the
 * cashier signs out), else this run's `--lang`, else the terminal's setting.
 */
lang: Lang, };

export type Cashier = { id: string, name: string, };

export type AuditEntry = { 
/**
 * Its place in the audit: pages are asked for "before this id".
 */
id: number, at: number, actor: string, event: string, detail: string | null, };

export type AuditPage = { entries: Array<AuditEntry>, 
/**
 * Ask for the rows before this id for the next (older) page; none at the end.
 */
older_than: number | null, };

export type StartupProblem = { 
/**
 * Stable, for the UI and the tests.
 */
code: ErrorCode, message: string, what_to_do: string, };

export type Exported = { rows: number, path: string, };

export type SaleVoucher = { intent_id: string, 
/**
 * The scanned value, once the service confirmed it; none while unconfirmed.
 */
value: string | null, value_cents: number | null, };

export type SaleTotals = { total: string | null, total_cents: number | null, vouchers: Array<SaleVoucher>, 
/**
 * The sum of the scanned values (what the retailer is reimbursed).
 */
voucher_total: string, 
/**
 * Vouchers beyond the sale total: lost to the customer, RSG asks it shown.
 */
forfeited: string | null, balance_due: string | null, 
/**
 * Vouchers counted on the sale whose value the service has not confirmed yet.
 */
unconfirmed: number, };

export type Sale = { id: string, 
/**
 * 1, 2, 3… on this terminal: what people say, and what a receipt prints.
 */
number: number, terminal_id: string, 
/**
 * Who opened it.
 */
cashier_id: string, opened_at: number, 
/**
 * None while the customer is at the till.
 */
closed_at: number | null, 
/**
 * The sale's total as typed, in cents.
 */
total_cents: number | null, };

export type SaleLine = { intent: Intent, 
/**
 * The scanned value, once the service confirmed it.
 */
value: string | null, 
/**
 * It counts toward the vouchers' value (redeemed, or accepted unconfirmed).
 */
pays: boolean, 
/**
 * The sale cannot close until the cashier accepts or declines it.
 */
needs_answer: boolean, 
/**
 * Not confirmed by the service yet: the checkout shows the cashier's answer to
 * it, or asks for one (`needs_answer`).
 */
unconfirmed: boolean, 
/**
 * Only scanned, never sent: the cashier may take it off the sale.
 */
can_remove: boolean, 
/**
 * For a voucher that needs an answer: whether the store's policy lets the sale
 * go ahead on it, or why another payment must be taken.
 */
offline: OfflineVerdict | null, };

export type SaleView = { 
/**
 * None before the first scan or total of the next customer.
 */
sale: Sale | null, lines: Array<SaleLine>, totals: SaleTotals, 
/**
 * Some voucher is only scanned: one Redeem press sends them all.
 */
can_redeem: boolean, 
/**
 * Next customer may close it now.
 */
can_close: boolean, 
/**
 * The vouchers (intent ids) that wait for the cashier's answer.
 */
unresolved: Array<string>, };

export type Tally = { value: number, count: number, };

export type Totals = { 
/**
 * The branch's day at the service: what it will reimburse.
 */
value: number, count: number, by_terminal: { [key in string]: Tally }, by_cashier: { [key in string]: Tally }, by_campaign: { [key in string]: Tally }, 
/**
 * RSG pays out per bank statement, where the service gives one.
 */
by_bank_statement: { [key in string]: Tally }, };

export type ServiceRow = { transaction_id: string, value: number, created_at: string, terminal: string, cashier: string, campaign_id: string, intent_id: string | null, 
/**
 * For `service_only`: the transaction names this terminal (a finding).
 */
this_terminal: boolean, };

export type LocalRow = { intent_id: string, state: IntentState, value: number | null, transaction_id: string | null, created_at: string, age_s: number, 
/**
 * Redeemed here, but not at the service: a finding.
 */
finding: boolean, };

export type FindingKind = "lost_track" | "not_at_service" | "mismatch";

export type Finding = { kind: FindingKind, intent_id: string | null, transaction_id: string | null, message: string, };

export type SalesOfDay = { closed: number, still_open: number | null, };

export type Report = { date: string, time_zone: string, branch: string, terminal: string, matched: Array<ServiceRow>, service_only: Array<ServiceRow>, local_only: Array<LocalRow>, totals: Totals, findings: Array<Finding>, 
/**
 * Intents this report sent to the review inbox.
 */
opened_reviews: Array<string>, sales: SalesOfDay, };

export type Detail = { intent: Intent, attempts: Array<Attempt>, history: Array<HistoryEntry>, };

export type TerminalSettings = { 
/**
 * The voucher service's base URL; none means the embedded sandbox. Applies at the
 * next start.
 */
service_url: string | null, terminal_id: string, branch_code: string, 
/**
 * Which camera to open (its index in the system's list).
 */
camera_index: number, 
/**
 * The manager screens lock after this long without a manager action.
 */
manager_idle_lock_s: number, 
/**
 * A signed-in cashier is signed out after this long without a checkout action.
 */
cashier_idle_signout_s: number, 
/**
 * The cashier id of a terminal with no cashiers listed (single-user); `--cashier`
 * overrides it for one run.
 */
cashier_id: string, 
/**
 * The store's currency symbol (`S$`).
 */
currency_symbol: string, 
/**
 * The store's time zone (an IANA name); none means the system's.
 */
time_zone: string | null, 
/**
 * How many database backups to keep beside it.
 */
backups_kept: number, 
/**
 * Till mode: the window fills the screen with no decorations, and closing it
 * needs the manager PIN. `--till` turns it on for one run.
 */
till_mode: boolean, 
/**
 * Start the terminal when this user logs in (an XDG autostart entry, written or
 * removed when the settings are saved).
 */
start_on_login: boolean, 
/**
 * Final intents last changed longer ago than this may be archived and removed
 * (Manager → Settings, or `voucher-pos archive`); nothing else ever is.
 */
retention_days: number, 
/**
 * How much the app logs (`error`, `warn`, `info`, `debug`, `trace`) when
 * `RUST_LOG` is not set; a support person may ask for `debug` for a while.
 */
log_level: string, 
/**
 * Where receipts print: `none`, `network:HOST:PORT` or `file:/dev/usb/lp0`.
 */
printer: string, 
/**
 * The receipt paper's width in mm: 58 or 80.
 */
paper_mm: number, 
/**
 * Print the receipt when Next customer closes a sale.
 */
auto_print: boolean, 
/**
 * The store as its receipts name it.
 */
store_name: string, 
/**
 * The store's Unique Entity Number, printed on receipts.
 */
store_uen: string, 
/**
 * The store's address, one line per line of the receipt.
 */
store_address: string, 
/**
 * The language of the window and the receipts; a cashier may choose another
 * at sign-in, and `--lang` overrides it for one run.
 */
language: Lang, 
/**
 * A short tone when a voucher is redeemed, another when it is refused.
 */
sounds: boolean, };

export type OfflinePolicy = { 
/**
 * May a queued voucher be accepted for the sale at all?
 */
accept_offline: boolean, 
/**
 * At most this many accepted-but-unconfirmed intents at once.
 */
max_pending: number, 
/**
 * The oldest pending intent may be at most this old (seconds).
 */
max_pending_age_s: number, 
/**
 * A code with more vouchers than this must be confirmed online.
 */
max_vouchers_per_code: number, };

export type CameraInfo = { index: number, name: string, };

export type SettingsView = { terminal: TerminalSettings, policy: OfflinePolicy, 
/**
 * Where the API key is kept ("OS keyring" or "private file ...").
 */
api_key_location: string, 
/**
 * Whether a key is stored for the service in the settings.
 */
api_key_set: boolean, cameras: Array<CameraInfo>, };

export type Archived = { 
/**
 * How many intents were archived and removed.
 */
count: number, 
/**
 * Intents whose last change was before this (Unix ms) were eligible.
 */
cutoff_ms: number, 
/**
 * The archive, when there was anything to write.
 */
file: string | null, };

export type Printed = { what: Printout, copy: boolean, bytes: number, };

export type PrintNote = { ok: boolean, what: Printout, 
/**
 * A reprint marked COPY.
 */
copy: boolean, code: ErrorCode | null, 
/**
 * What went wrong, as the printer's error says it.
 */
error: string | null, };

export type ReviewItem = { intent: Intent, 
/**
 * When it was scanned, and when it went to review.
 */
scanned: string, since: string, 
/**
 * The voucher's value as the service gave it, or why it is not known.
 */
value: string, 
/**
 * Why a person must settle it.
 */
cause: string, 
/**
 * The terminal's evidence: its requests and lookups, newest last.
 */
evidence: Array<string>, 
/**
 * The service's own words about it, unchanged (RSG asks for them verbatim).
 */
service_said: string | null, };

export type Lang = "en" | "zh" | "ms" | "ta";

export type OfflineRule = { "rule": "not_accepted" } | { "rule": "too_many_vouchers", max: number, } | { "rule": "too_many_pending", pending: number, max: number, } | { "rule": "too_old", minutes: number, max_minutes: number, };

export type Printout = { "kind": "sale", number: number, } | { "kind": "report", date: string, } | { "kind": "test" };

