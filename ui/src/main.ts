// The checkout and manager screens. They only display what the core says and send
// the cashier's actions to it; every decision (what a code is, whether a press
// commits, what an outcome means) is made in Rust. Untrusted text (codes, the
// service's messages) only ever reaches the page through textContent.

import { Channel, invoke } from "@tauri-apps/api/core";
import { listen } from "@tauri-apps/api/event";
import { statusLabel, summarizeCode, isWedgeBurst, conditionMessage, formatTime, formatCents, readPreview, type Condition } from "./view";
import type { AccessState, Archived, AuditPage, Cashier, ErrorCode, Connectivity, Detail, Exported, Intent, IntentState, IpcError, LogCursor, LogFilter, LogPage, OfflinePolicy, QueueSummary, Report, SaleLine, SaleView, ScanResult, SettingsView, StartupProblem, Status, SyncEvent, TerminalSettings } from "./bindings";

const $ = <T extends HTMLElement>(id: string) => document.getElementById(id) as T;


/** The voucher the status area is about: the last one scanned or answered. */
let current: Intent | null = null;
let pressing = false;
/** The sale at the till, as the core last computed it. The page never decides
 *  anything about it: which vouchers pay, what can close, what needs an answer. */
let saleView: SaleView | null = null;
/** The sale just closed, kept for its receipt until the next one starts. */
let closedSale: SaleView | null = null;
/** Views of the sale arrive from concurrent calls: only a newer one is drawn. */
let saleAsked = 0;
let saleDrawn = 0;
/** Vouchers whose answer (accept, decline, remove) is being sent: their buttons stay
 *  disabled across redraws until the core has answered. */
const answering = new Set<string>();
/** A Next customer being answered: a second press waits for it. */
let closing = false;
/** The sale total's calls, one after another, so the core keeps the last typed. */
let totalSent: Promise<unknown> = Promise.resolve();
/** A CFHP code waiting for its receipt number and SKUs before it can be recorded. */
let pendingCfhp: string | null = null;
let condition: Condition = { connectivity: "online", keyRejected: null, storeFailure: null };
let timeZone: string | null = null;
let currency = "S$";
let terminalId = "";
const when = (ms: number, withDate = true) => formatTime(ms, timeZone, withDate);

function errorText(e: unknown): string {
  const err = e as IpcError;
  return err && typeof err.message === "string" ? err.message : String(e);
}

function errorCode(e: unknown): ErrorCode | null {
  const err = e as IpcError;
  return err && typeof err.code === "string" ? err.code : null;
}

// ---------- who is at the till ----------

let access: AccessState | null = null;
let screen: "checkout" | "manager" = "checkout";

/// Shows who the checkout acts as, and the sign-in form when nobody is signed in.
function showAccess(a: AccessState) {
  access = a;
  $("cashier-id").textContent = a.cashier_id ? (a.cashier_name ? `${a.cashier_name} (${a.cashier_id})` : a.cashier_id) : "signed out";
  $("sign-out").hidden = !a.cashier_name;
  $("signin").hidden = !(screen === "checkout" && a.signin_required);
  $("checkout").hidden = !(screen === "checkout" && !a.signin_required);
  $("pin-weak").hidden = !a.manager_pin_change_due;
  // The manager screens locked themselves (idle time): show the PIN form again.
  if (screen === "manager" && !a.manager_unlocked && !$("manager-body").hidden) showPinForm(a, "Locked after a while without use: enter the PIN again.");
}

async function refreshAccess() {
  showAccess(await invoke<AccessState>("access_state"));
}

// ---------- status bar ----------

function showCondition() {
  const m = conditionMessage(condition);
  const el = $("status-message");
  el.hidden = !m;
  el.textContent = m?.text ?? "";
  el.dataset.level = m?.level ?? "";
  if (current) showIntent(current, undefined, true);
}

function showConnectivity(c: Connectivity) {
  if (condition.connectivity !== c) {
    condition = { ...condition, connectivity: c };
    showCondition();
  }
  const el = $("connectivity");
  el.textContent = c === "offline" ? "○ Offline" : c === "degraded" ? "◐ Online (service struggling)" : "● Online";
  el.dataset.state = c;
}

function showQueue(q: QueueSummary, nowMs: number) {
  $("queue-count").textContent = String(q.pending);
  $("review-count").textContent = String(q.needs_review);
  const age = q.oldest_pending_created_at ? Math.max(0, Math.round((nowMs - q.oldest_pending_created_at) / 60000)) : null;
  $("queue-age").textContent = age === null ? "" : `(oldest ${age} min)`;
}

async function refreshStatus() {
  const s = await invoke<Status>("status");
  $("sandbox-badge").hidden = !s.sandbox;
  $("simulate-offline").hidden = !s.sandbox;
  $("close-terminal").hidden = !s.till_mode;
  $("scanner-status").textContent = s.scanner;
  $("terminal-id").textContent = s.terminal_id;
  terminalId = s.terminal_id;
  timeZone = s.time_zone;
  currency = s.currency_symbol;
  showAccess(s.access);
  showConnectivity(s.connectivity);
  showQueue(s.queue, s.now_ms);
}

// ---------- checkout ----------

/** The core's line for an intent of the sale at the till, if it is one. */
function lineOf(id: string | undefined): SaleLine | null {
  return saleView?.lines.find((l) => l.intent.id === id) ?? null;
}

/** The status area: what happened to the voucher last scanned or answered. */
function showIntent(intent: Intent | null, note?: string, keepNote = false) {
  current = intent;
  const status = $("intent-status");
  const detail = $("outcome-detail");
  status.textContent = intent ? statusLabel(intent, condition.connectivity, !!condition.keyRejected) : "Scan a voucher code";
  status.dataset.state = intent?.state ?? "";
  if (!keepNote) detail.textContent = note ?? "";
  $("scanned").hidden = !intent;
  $("scanned-summary").textContent = intent ? summarizeCode(intent.code, intent.voucher_count) : "";
  if (intent?.state === "refused") {
    detail.textContent = intent.error_message ?? "Refused by the voucher service.";
  } else if (intent?.state === "redeemed") {
    detail.textContent = `${intent.campaign_name ? intent.campaign_name + " · " : ""}Transaction ${intent.transaction_id ?? "?"}`;
  } else if (intent?.state === "needs_review") {
    detail.textContent = intent.review_reason ?? "A manager must settle this voucher.";
  }
  // An unconfirmed voucher asks the cashier for an answer, and the answer is kept:
  // accepted (a later refusal is the store's loss) or declined (never sent again).
  const line = lineOf(intent?.id);
  const pending = !!intent && ["queued", "in_flight", "unknown", "needs_review"].includes(intent.state);
  const answered = !!intent && (intent.accepted_offline || intent.declined);
  $("offline-actions").hidden = !(pending && (line?.needs_answer || answered));
  if (pending && intent) {
    $("offline-verdict").textContent = answerText(intent, line);
    const accept = $<HTMLButtonElement>("accept-offline");
    const decline = $<HTMLButtonElement>("decline-intent");
    accept.hidden = !(line?.offline?.verdict === "may_accept");
    decline.hidden = !line?.needs_answer;
    accept.disabled = decline.disabled = answering.has(intent.id);
  }
  updateRedeemButton();
}

/** What the store's policy and the cashier's answer say about an unconfirmed voucher. */
function answerText(i: Intent, line: SaleLine | null): string {
  if (i.accepted_offline) return "Accepted for this sale; the terminal will confirm it with the service.";
  if (i.declined) return "Declined: the customer pays another way. If the service turns out to have redeemed it, a manager will see it.";
  const offline = line?.offline;
  if (!offline) return "";
  return offline.verdict === "may_accept" ? "Store policy lets this sale go ahead on the voucher, or the customer can pay another way." : `Take another payment: ${offline.reason}`;
}

// ---------- the sale ----------

function lineText(l: SaleLine): string {
  const i = l.intent;
  return `${summarizeCode(i.code, i.voucher_count)} — ${statusLabel(i, condition.connectivity, !!condition.keyRejected)}${l.value ? " — " + l.value : ""}`;
}

/** Draws the sale as the core computed it, unless a newer view was drawn already
 *  (`asked` is the number the call took when it was made). */
function showSale(v: SaleView, asked = ++saleAsked) {
  if (asked < saleDrawn) return;
  saleDrawn = asked;
  saleView = v;
  if (v.sale) closedSale = null;
  // Until the next sale starts, the receipt is the closed sale's.
  fillReceipt(closedSale ?? v);
  const t = v.totals;
  const unknown = t.unconfirmed > 0 ? "not known until the service confirms" : "—";
  $("sale-number").textContent = v.sale ? `Sale ${v.sale.number} · opened ${when(v.sale.opened_at)}` : "";
  $("sale-total-shown").textContent = t.total ?? "—";
  $("voucher-value").textContent = t.voucher_total;
  $("forfeited").textContent = t.forfeited ?? unknown;
  $("balance-due").textContent = t.balance_due ?? unknown;
  $("sale-vouchers").replaceChildren(
    ...v.lines.map((l) => {
      const li = Object.assign(document.createElement("li"), { textContent: lineText(l) });
      li.dataset.state = l.intent.state;
      if (l.can_remove) {
        const b = Object.assign(document.createElement("button"), { type: "button", textContent: "Remove" });
        b.dataset.testid = "remove-voucher";
        b.setAttribute("data-testid", "remove-voucher");
        b.setAttribute("aria-label", `Remove ${summarizeCode(l.intent.code, l.intent.voucher_count)} from the sale`);
        b.disabled = answering.has(l.intent.id);
        b.addEventListener("click", () => void answer("cancel", l.intent.id));
        li.append(" ", b);
      }
      return li;
    }),
  );
  const notSent = v.lines.filter((l) => l.intent.state === "scanned").length;
  $("waiting-scans").textContent = notSent && (pressing || (current && current.state !== "scanned")) ? `${notSent} scanned voucher${notSent === 1 ? "" : "s"} not sent yet: press Redeem.` : "";
  const mine = lineOf(current?.id);
  if (mine) showIntent(mine.intent, undefined, true);
  else updateRedeemButton();
  if ($<HTMLDialogElement>("resolve-dialog").open) showResolve(v);
}

async function refreshSale() {
  const asked = ++saleAsked;
  try {
    showSale(await invoke<SaleView>("sale_view"), asked);
  } catch {
    /* the next event, or the next tick, will try again */
  }
}

/** The customer's receipt, kept ready for printing: what RSG asks a sales system to
 *  print (the sale total, each voucher's scanned amount, not the amount used, the
 *  forfeited amount, the balance due, the transaction ids, and that vouchers were
 *  used), every amount as the core computed it. */
function fillReceipt(v: SaleView) {
  const t = v.totals;
  const s = v.sale;
  const lines: string[] = [`Terminal ${terminalId}${s ? ` · Sale ${s.number} · cashier ${s.cashier_id}` : ""} · ${when(s?.closed_at ?? Date.now())}`, `Sale total (incl. tax): ${t.total ?? "—"}`];
  for (const l of v.lines) {
    if (!l.value) continue;
    lines.push(`Voucher ${summarizeCode(l.intent.code, l.intent.voucher_count)}: ${l.value} (${l.intent.campaign_name ? l.intent.campaign_name + ", " : ""}transaction ${l.intent.transaction_id ?? "?"})`);
  }
  lines.push(`Vouchers scanned: ${t.voucher_total}`, `Forfeited: ${t.forfeited ?? "—"}`, `Balance due: ${t.balance_due ?? "—"}`);
  lines.push("Vouchers were used in this sale. Voucher amounts are not refunded: a cancelled sale refunds only what was paid by other means.");
  $("receipt").replaceChildren(...lines.map((l) => Object.assign(document.createElement("p"), { textContent: l })));
}

/** The choice Next customer asks for: accept or decline each voucher that was sent
 *  and has no answer yet. Nothing is cleared until each is answered. */
function showResolve(v: SaleView) {
  const waiting = v.lines.filter((l) => l.needs_answer);
  $("resolve-why").textContent = waiting.length
    ? `${waiting.length === 1 ? "This voucher was" : "These vouchers were"} sent and the service has not answered yet. Did the customer pay with ${waiting.length === 1 ? "it" : "them"}?`
    : "";
  $("resolve-list").replaceChildren(
    ...waiting.map((l) => {
      const li = document.createElement("li");
      li.dataset.testid = "resolve-item";
      li.setAttribute("data-testid", "resolve-item");
      const p = Object.assign(document.createElement("p"), { textContent: `${lineText(l)}. ${answerText(l.intent, l)}` });
      const accept = Object.assign(document.createElement("button"), { type: "button", textContent: "Accept the voucher for this sale" });
      accept.setAttribute("data-testid", "accept-button");
      accept.hidden = l.offline?.verdict !== "may_accept";
      const decline = Object.assign(document.createElement("button"), { type: "button", textContent: "Customer pays another way" });
      decline.setAttribute("data-testid", "decline-button");
      accept.disabled = decline.disabled = answering.has(l.intent.id);
      accept.addEventListener("click", () => void answer("accept_offline", l.intent.id));
      decline.addEventListener("click", () => void answer("decline", l.intent.id));
      li.append(p, accept, " ", decline);
      return li;
    }),
  );
}

/** Sends the cashier's answer for one voucher; its buttons stay disabled while the
 *  call is out (across redraws), so a double press is one answer. A dialog answered
 *  in full closes the sale (the Next customer the cashier already pressed), unless a
 *  voucher scanned meanwhile still waits to be sent: then the sale stays. */
async function answer(command: "accept_offline" | "decline" | "cancel", intentId: string) {
  if (answering.has(intentId)) return;
  answering.add(intentId);
  if (saleView) showSale(saleView, saleDrawn);
  $("resolve-error").textContent = "";
  try {
    const i = await invoke<Intent>(command, { intentId });
    if (command !== "cancel") current = i;
    $("outcome-detail").textContent = "";
  } catch (e) {
    $("outcome-detail").textContent = errorText(e);
    $("resolve-error").textContent = errorText(e);
  } finally {
    answering.delete(intentId);
  }
  await refreshSale();
  const dialog = $<HTMLDialogElement>("resolve-dialog");
  if (dialog.open && saleView && saleView.unresolved.length === 0) {
    dialog.close();
    if (saleView.can_redeem) $("waiting-scans").textContent = "Answered. A voucher scanned meanwhile is not sent yet: press Redeem, or Next customer to withdraw it.";
    else await nextCustomer();
  }
}

/** Prints one part of the page (the receipt, the Z-report) through the system's
 *  print dialog; a PDF is one of its choices. */
function printOnly(el: HTMLElement) {
  el.classList.add("printing");
  window.print();
  el.classList.remove("printing");
}

// ---------- end of day ----------

async function loadEod() {
  $("eod-error").textContent = "";
  try {
    const r = await invoke<Report>("eod_report", { date: $<HTMLInputElement>("eod-date").value || null });
    $<HTMLInputElement>("eod-date").value = r.date;
    $("eod-report").hidden = false;
    $("eod-title").textContent = `branch ${r.branch}, terminal ${r.terminal}, ${r.date} (${r.time_zone})`;
    $("eod-total").textContent = `The service will reimburse ${formatCents(r.totals.value, currency)} for ${r.totals.count} redemption${r.totals.count === 1 ? "" : "s"} at branch ${r.branch}.`;
    const li = (t: string) => Object.assign(document.createElement("li"), { textContent: t });
    $("eod-findings").replaceChildren(...(r.findings.length ? r.findings.map((f) => li(f.message)) : [li("None: the service and this terminal agree.")]));
    const rows: [string, string, { value: number; count: number }][] = [];
    for (const [by, map] of [["Terminal", r.totals.by_terminal], ["Cashier", r.totals.by_cashier], ["Campaign", r.totals.by_campaign], ["Bank statement", r.totals.by_bank_statement]] as const) {
      for (const [id, t] of Object.entries(map)) if (t) rows.push([by, id, t]);
    }
    const body = $<HTMLTableElement>("eod-totals").tBodies[0];
    body.replaceChildren();
    for (const [by, id, t] of rows) {
      const row = body.insertRow();
      for (const text of [by, id, String(t.count), formatCents(t.value, currency)]) cell(row, text);
    }
    $("eod-service-only").replaceChildren(...r.service_only.map((x) => li(`${x.created_at} terminal ${x.terminal || "?"}, cashier ${x.cashier || "?"}: ${formatCents(x.value, currency)} (${x.transaction_id})${x.this_terminal ? " — this terminal lost track of it" : ""}`)));
    $("eod-local-only").replaceChildren(...r.local_only.map((x) => li(`${x.created_at} ${x.state}${x.value != null ? " " + formatCents(x.value, currency) : ""}, ${Math.round(x.age_s / 60)} min old${x.finding ? " — not at the service" : ""}`)));
    const sales = `${r.sales.closed} sale${r.sales.closed === 1 ? "" : "s"} closed on this terminal that day${r.sales.still_open != null ? `; sale ${r.sales.still_open} is still open` : ""}.`;
    $("eod-matched").textContent = `${r.matched.length} redemption${r.matched.length === 1 ? "" : "s"} of this terminal match the service's records.${r.opened_reviews.length ? ` ${r.opened_reviews.length} sent to the review inbox.` : ""} ${sales}`;
    if (r.opened_reviews.length) await loadInbox();
  } catch (e) {
    await onManagerError(e, (t) => ($("eod-error").textContent = t));
  }
}

/** Enter outside a text field, or in an empty code field: the next step of the sale
 *  (send what was scanned, else the next customer), as the core allows it. */
async function enterPressed() {
  if (pressing) return;
  if (saleView?.can_redeem) return pressRedeem();
  if (saleView?.sale) await nextCustomer();
}

/** Next customer: the core closes the sale only when every voucher in it is settled;
 *  otherwise the cashier answers each unanswered one first, and nothing is cleared. */
async function nextCustomer() {
  if (pressing || closing) return;
  closing = true;
  let closed: SaleView | null;
  try {
    await totalSent;
    closed = await invoke<SaleView | null>("sale_close", { saleId: saleView?.sale?.id ?? null });
  } catch (e) {
    closing = false;
    if (errorCode(e) === "sale_unresolved") {
      await refreshSale();
      if (saleView) showResolve(saleView);
      const dialog = $<HTMLDialogElement>("resolve-dialog");
      $("resolve-error").textContent = "";
      if (!dialog.open) dialog.showModal();
      ($("resolve-list").querySelector("button:not([hidden])") as HTMLButtonElement | null)?.focus();
    } else {
      $("outcome-detail").textContent = errorText(e);
    }
    return;
  }
  closing = false;
  pendingCfhp = null;
  $("cfhp").hidden = true;
  for (const id of ["sale-total", "code-input", "receipt-number", "skus"]) $<HTMLInputElement>(id).value = "";
  $("scan-error").textContent = "";
  $("sale-total-error").textContent = "";
  showIntent(null);
  await refreshSale();
  // The closed sale's receipt stays ready to print until the next sale starts.
  closedSale = closed;
  if (closed) fillReceipt(closed);
  $("code-input").focus();
}

function updateRedeemButton() {
  $<HTMLButtonElement>("redeem-button").disabled = pressing || !saleView?.can_redeem;
}

function showScan(r: ScanResult) {
  $("scan-error").textContent = "";
  if (r.kind === "already_redeemed") {
    showIntent(r.intent, `Already redeemed here (transaction ${r.intent.transaction_id ?? "?"}).`);
  } else if (!pressing) {
    showIntent(r.intent, r.kind === "existing" ? "This code was already scanned for this sale; showing it." : undefined);
  }
  void refreshSale();
}

async function scanText(text: string) {
  if (!text.trim()) return;
  try {
    showScan(await invoke<ScanResult>("scan", { text, receipt: null, skus: null }));
  } catch (e) {
    onScanError(e, text);
  }
}

function onScanError(e: unknown, text: string | null) {
  if (errorCode(e) === "context_cfhp_needs_skus" && text) {
    askCfhpDetails(text, errorText(e));
    return;
  }
  $("scan-error").textContent = errorText(e);
  if (errorCode(e) === "cashier_signed_out") void refreshAccess();
}

/** A CFHP code is recorded only with its receipt number and SKUs (the core says when). */
function askCfhpDetails(text: string, why: string) {
  pendingCfhp = text;
  $("cfhp-why").textContent = why;
  $("cfhp").hidden = false;
  $("scan-error").textContent = "";
  showIntent(null, "Waiting for the receipt number and SKUs.");
  $("receipt-number").focus();
}

async function recordCfhp() {
  if (!pendingCfhp) return;
  try {
    const r = await invoke<ScanResult>("scan", { text: pendingCfhp, receipt: $<HTMLInputElement>("receipt-number").value, skus: $<HTMLInputElement>("skus").value });
    pendingCfhp = null;
    $("cfhp").hidden = true;
    showScan(r);
    $("code-input").focus();
  } catch (e) {
    $("cfhp-why").textContent = errorText(e);
  }
}

/** One press sends every voucher scanned for the sale (one intent and key each). */
async function pressRedeem() {
  const btn = $<HTMLButtonElement>("redeem-button");
  if (pressing || !saleView?.can_redeem) return;
  // Disabled in the same task as the click, before anything is awaited.
  pressing = true;
  btn.disabled = true;
  const sending = saleView.lines.filter((l) => l.intent.state === "scanned").map((l) => l.intent.id);
  $("intent-status").textContent = "Sending…";
  $("intent-status").dataset.state = "sending";
  try {
    const v = await invoke<SaleView>("sale_redeem");
    pressing = false;
    // The status area speaks of the last voucher this press sent.
    const last = v.lines.find((l) => l.intent.id === sending[sending.length - 1]);
    if (last) current = last.intent;
    showSale(v);
  } catch (e) {
    pressing = false;
    $("outcome-detail").textContent = errorText(e);
    updateRedeemButton();
  }
}

// ---------- manager ----------

let cursor: LogCursor | null = null;

function filter(): LogFilter {
  // Days are the store's days: the core turns them into instants in its time zone.
  return {
    from_ms: null,
    to_ms: null,
    from_date: $<HTMLInputElement>("f-from").value || null,
    to_date: $<HTMLInputElement>("f-to").value || null,
    // The select offers exactly the IntentState names.
    state: ($<HTMLSelectElement>("f-state").value || null) as IntentState | null,
    cashier_id: $<HTMLInputElement>("f-cashier").value || null,
    search: $<HTMLInputElement>("f-search").value || null,
  };
}

function cell(row: HTMLTableRowElement, text: string) {
  const td = row.insertCell();
  td.textContent = text;
}

async function loadLog(reset: boolean) {
  if (reset) cursor = null;
  const page = await invoke<LogPage>("log_page", { filter: filter(), after: cursor });
  const body = $<HTMLTableElement>("manager-log").tBodies[0];
  if (reset) body.replaceChildren();
  for (const i of page.rows) {
    const row = body.insertRow();
    row.dataset.testid = "log-row";
    row.setAttribute("data-testid", "log-row");
    row.tabIndex = 0;
    cell(row, when(i.created_at));
    cell(row, i.cashier_id);
    cell(row, summarizeCode(i.code, i.voucher_count));
    cell(row, statusLabel(i));
    cell(row, i.value_cents == null ? "" : formatCents(i.value_cents, currency));
    cell(row, i.transaction_id ?? "");
    const open = () => void managerLoad(showDetail(i.id));
    row.addEventListener("click", open);
    row.addEventListener("keydown", (e) => e.key === "Enter" && open());
  }
  cursor = page.next;
  $("next-page").hidden = !page.next;
}

async function showDetail(id: string) {
  const d = await invoke<Detail>("intent_detail", { intentId: id });
  $("detail").hidden = false;
  $("detail-id").textContent = d.intent.id;
  $("detail-summary").textContent = `${summarizeCode(d.intent.code, d.intent.voucher_count)} — ${statusLabel(d.intent)}${d.intent.error_message ? ": " + d.intent.error_message : ""}`;
  const list = (el: HTMLElement, items: string[]) => el.replaceChildren(...items.map((t) => Object.assign(document.createElement("li"), { textContent: t })));
  list($("detail-attempts"), d.attempts.map((a) => `${when(a.started_at)} ${a.kind} → ${a.outcome}${a.http_status ? " (" + a.http_status + ")" : ""}${a.replayed ? " replayed" : ""}, ${a.latency_ms} ms${a.detail ? ": " + a.detail : ""}`));
  list($("detail-history"), d.history.map((h) => `${when(h.at)} ${h.from_state ?? "—"} → ${h.to_state} by ${h.actor}${h.note ? ": " + h.note : ""}`));
}

async function loadInbox() {
  const items = await invoke<Intent[]>("review_inbox");
  const ul = $("review-inbox");
  ul.replaceChildren();
  if (items.length === 0) {
    ul.append(Object.assign(document.createElement("li"), { textContent: "Nothing waits for review." }));
  }
  for (const i of items) {
    const li = document.createElement("li");
    const text = document.createElement("p");
    text.textContent = `${summarizeCode(i.code, i.voucher_count)}${i.loss ? " — LOSS" : ""}: ${i.review_reason ?? ""}`;
    const note = Object.assign(document.createElement("input"), { placeholder: "Note (required)" });
    note.setAttribute("aria-label", `Note for ${summarizeCode(i.code, i.voucher_count)} (required)`);
    const tx = Object.assign(document.createElement("input"), { placeholder: "Transaction id (if redeemed)" });
    tx.setAttribute("aria-label", `Transaction id for ${summarizeCode(i.code, i.voucher_count)}, if redeemed`);
    li.append(text, note, tx);
    for (const [how, label] of [["redeemed", "Settle: redeemed"], ["refused", "Settle: refused"], ["not_redeemed", "Settle: never redeemed"]] as const) {
      const b = Object.assign(document.createElement("button"), { textContent: label });
      b.addEventListener("click", async () => {
        try {
          await invoke("settle", { intentId: i.id, how, note: note.value, transactionId: tx.value || null });
          await Promise.all([loadInbox(), loadLog(true)]);
        } catch (e) {
          await onManagerError(e, (t) => (text.textContent = t));
        }
      });
      li.append(b);
    }
    ul.append(li);
  }
}

async function loadSettings() {
  const s = await invoke<SettingsView>("get_settings");
  $<HTMLInputElement>("s-terminal").value = s.terminal.terminal_id;
  $<HTMLInputElement>("s-branch").value = s.terminal.branch_code;
  $<HTMLInputElement>("s-service").value = s.terminal.service_url ?? "";
  const cams = $<HTMLSelectElement>("s-camera");
  cams.replaceChildren(
    ...(s.cameras.length ? s.cameras : [{ index: s.terminal.camera_index, name: "no camera found" }]).map((c) =>
      Object.assign(document.createElement("option"), { value: String(c.index), textContent: c.name, selected: c.index === s.terminal.camera_index }),
    ),
  );
  $<HTMLInputElement>("s-apikey").value = "";
  $<HTMLInputElement>("s-apikey").placeholder = s.api_key_set ? `set (in ${s.api_key_location})` : `not set (${s.api_key_location})`;
  $<HTMLInputElement>("s-accept").checked = s.policy.accept_offline;
  $<HTMLInputElement>("s-maxpending").value = String(s.policy.max_pending);
  $<HTMLInputElement>("s-maxage").value = String(Math.round(s.policy.max_pending_age_s / 60));
  $<HTMLInputElement>("s-maxvouchers").value = String(s.policy.max_vouchers_per_code);
  $<HTMLInputElement>("s-idle").value = String(Math.max(1, Math.round(s.terminal.manager_idle_lock_s / 60)));
  $<HTMLInputElement>("s-cashier-idle").value = String(Math.max(1, Math.round(s.terminal.cashier_idle_signout_s / 60)));
  $<HTMLInputElement>("s-cashier").value = s.terminal.cashier_id;
  $<HTMLInputElement>("s-currency").value = s.terminal.currency_symbol;
  $<HTMLInputElement>("s-zone").value = s.terminal.time_zone ?? "";
  $<HTMLInputElement>("s-backups").value = String(s.terminal.backups_kept);
  $<HTMLInputElement>("s-till").checked = s.terminal.till_mode;
  $<HTMLInputElement>("s-autostart").checked = s.terminal.start_on_login;
  $<HTMLInputElement>("s-retention").value = String(s.terminal.retention_days);
  $<HTMLSelectElement>("s-loglevel").value = s.terminal.log_level;
}

async function saveSettings() {
  const num = (id: string) => Math.max(0, Math.floor(Number($<HTMLInputElement>(id).value) || 0));
  const terminal: TerminalSettings = {
    terminal_id: $<HTMLInputElement>("s-terminal").value.trim(),
    branch_code: $<HTMLInputElement>("s-branch").value.trim(),
    service_url: $<HTMLInputElement>("s-service").value.trim() || null,
    camera_index: Number($<HTMLSelectElement>("s-camera").value) || 0,
    manager_idle_lock_s: Math.max(1, num("s-idle")) * 60,
    cashier_idle_signout_s: Math.max(1, num("s-cashier-idle")) * 60,
    cashier_id: $<HTMLInputElement>("s-cashier").value.trim(),
    currency_symbol: $<HTMLInputElement>("s-currency").value.trim() || "S$",
    time_zone: $<HTMLInputElement>("s-zone").value.trim() || null,
    backups_kept: Math.max(1, num("s-backups")),
    till_mode: $<HTMLInputElement>("s-till").checked,
    start_on_login: $<HTMLInputElement>("s-autostart").checked,
    retention_days: num("s-retention"),
    log_level: $<HTMLSelectElement>("s-loglevel").value,
  };
  const policy: OfflinePolicy = {
    accept_offline: $<HTMLInputElement>("s-accept").checked,
    max_pending: num("s-maxpending"),
    max_pending_age_s: num("s-maxage") * 60,
    max_vouchers_per_code: num("s-maxvouchers"),
  };
  try {
    await invoke("save_settings", { terminal, policy, apiKey: $<HTMLInputElement>("s-apikey").value || null });
    $("settings-result").textContent = "Saved. Terminal id and branch apply now; service, camera and API key at the next start.";
    await Promise.all([loadSettings(), loadAudit()]);
  } catch (e) {
    await onManagerError(e, (t) => ($("settings-result").textContent = t));
  }
}

function showPinForm(a: AccessState, note = "") {
  const first = !a.has_manager_pin;
  $("pin-label").textContent = first ? "Choose a manager PIN (4 to 12 digits)" : "Manager PIN";
  $("pin-again").hidden = !first;
  $("pin-again-label").hidden = !first;
  $("pin-submit").textContent = first ? "Set PIN" : "Unlock";
  $("pin-error").textContent = note;
  $("manager-body").hidden = true;
  $("pin-form").hidden = false;
  $("pin-input").focus();
}

async function openManager() {
  const a = await invoke<AccessState>("access_state");
  access = a;
  if (a.manager_unlocked) await showManagerBody();
  else showPinForm(a);
}

async function showManagerBody() {
  $("pin-form").hidden = true;
  $("manager-body").hidden = false;
  await managerLoad(Promise.all([loadLog(true), loadInbox(), loadSettings(), loadCashiers(), loadAudit()]));
}

/// A manager action failed because the session locked meanwhile: back to the PIN.
async function onManagerError(e: unknown, show: (text: string) => void) {
  if (errorCode(e) === "manager_locked") {
    showPinForm(await invoke<AccessState>("access_state"), errorText(e));
  } else {
    show(errorText(e));
  }
}

/// A manager screen's read: a locked session shows the PIN form again.
async function managerLoad(p: Promise<unknown>) {
  try {
    await p;
  } catch (e) {
    await onManagerError(e, (t) => ($("export-result").textContent = t));
  }
}

async function loadCashiers() {
  const list = await invoke<Cashier[]>("cashier_list");
  const ul = $("cashier-list");
  ul.replaceChildren();
  if (list.length === 0) ul.append(Object.assign(document.createElement("li"), { textContent: "No cashiers: single-user." }));
  for (const c of list) {
    const li = document.createElement("li");
    li.textContent = `${c.name} (${c.id}) `;
    const reset = Object.assign(document.createElement("button"), { textContent: "Reset PIN" });
    reset.dataset.testid = `reset-${c.id}`;
    reset.addEventListener("click", () => {
      resetting = c.id;
      $("cr-who").textContent = `New one-time PIN for ${c.name} (${c.id}):`;
      $("cashier-reset").hidden = false;
      $("cr-pin").focus();
    });
    li.append(reset, " ");
    const b = Object.assign(document.createElement("button"), { textContent: "Remove" });
    b.addEventListener("click", async () => {
      try {
        await invoke("cashier_remove", { id: c.id });
        await Promise.all([loadCashiers(), loadAudit()]);
      } catch (e) {
        await onManagerError(e, (t) => ($("cashier-result").textContent = t));
      }
    });
    li.append(b);
    ul.append(li);
  }
}

/** The cashier whose PIN the reset form is for. */
let resetting: string | null = null;
/** Where the next older page of the audit starts; null: the last page is shown. */
let auditOlderThan: number | null = null;

/** The first page of the terminal's history, or (`older`) the next page after it. */
async function loadAudit(older = false) {
  const page = await invoke<AuditPage>("audit_page", { before: older ? auditOlderThan : null });
  const items = page.entries.map((r) => Object.assign(document.createElement("li"), { textContent: `${when(r.at)} ${r.actor}: ${r.event.replaceAll("_", " ")}${r.detail ? " (" + r.detail + ")" : ""}` }));
  if (older) $("audit").append(...items);
  else $("audit").replaceChildren(...items);
  auditOlderThan = page.older_than;
  $("audit-older").hidden = page.older_than === null;
}

// ---------- wiring ----------

function showScreen(which: "checkout" | "manager") {
  const leaving = screen === "manager" && which !== "manager";
  screen = which;
  $("manager").hidden = which !== "manager";
  $("tab-checkout").setAttribute("aria-pressed", String(which === "checkout"));
  $("tab-manager").setAttribute("aria-pressed", String(which === "manager"));
  if (leaving) {
    // Leaving the manager screens locks them: the next person must type the PIN.
    $("manager-body").hidden = true;
    void invoke("manager_lock");
  }
  if (which === "manager") {
    $("checkout").hidden = true;
    $("signin").hidden = true;
    void openManager();
  } else {
    if (access) showAccess(access);
    void refreshAccess().then(() => (access?.signin_required ? $("signin-id") : $("code-input")).focus());
  }
}

function wire() {
  const input = $<HTMLInputElement>("code-input");
  input.addEventListener("keydown", (e) => {
    if (e.key !== "Enter") return;
    e.preventDefault();
    if (input.value.trim()) {
      void scanText(input.value);
      input.value = "";
    } else {
      void enterPressed();
    }
  });
  $("redeem-button").addEventListener("click", () => void pressRedeem());
  // The two answers an unconfirmed voucher takes.
  $("accept-offline").addEventListener("click", () => current && void answer("accept_offline", current.id));
  $("decline-intent").addEventListener("click", () => current && void answer("decline", current.id));
  $("resolve-back").addEventListener("click", () => $<HTMLDialogElement>("resolve-dialog").close());
  // A closed choice leaves no buttons behind.
  $("resolve-dialog").addEventListener("close", () => $("resolve-list").replaceChildren());
  // The total is the core's: it parses the text (never guessed) and keeps it on the sale.
  $("sale-total").addEventListener("input", () => {
    const total = $<HTMLInputElement>("sale-total").value;
    totalSent = totalSent.then(async () => {
      try {
        showSale(await invoke<SaleView>("sale_set_total", { total }));
        $("sale-total-error").textContent = "";
      } catch (e) {
        // Refused in words; the core cleared the total, so nothing is computed from it.
        $("sale-total-error").textContent = errorText(e);
        await refreshSale();
      }
    });
  });
  $("sale-total").addEventListener("keydown", (e) => {
    if (e.key === "Enter") {
      e.preventDefault();
      $("code-input").focus();
    }
  });
  $("next-customer").addEventListener("click", () => void nextCustomer());
  $("save-diagnostics").addEventListener("click", async () => {
    try {
      const path = await invoke<string | null>("diagnostics_export");
      $("settings-result").textContent = path ? `Diagnostics saved to ${path} (no API key, PIN or voucher code in it).` : "Cancelled.";
    } catch (e) {
      await onManagerError(e, (t) => ($("settings-result").textContent = t));
    }
  });
  $("archive-old").addEventListener("click", async () => {
    try {
      const done = await invoke<Archived | null>("archive_old");
      $("settings-result").textContent = !done
        ? "Cancelled."
        : done.file
          ? `Archived ${done.count} final intents to ${done.file} and removed them from the terminal.`
          : "Nothing to archive: no final intent is older than the retention.";
      await loadAudit();
    } catch (e) {
      await onManagerError(e, (t) => ($("settings-result").textContent = t));
    }
  });
  $("backup-now").addEventListener("click", async () => {
    try {
      $("settings-result").textContent = `Backed up to ${await invoke<string>("backup_now")}.`;
      await loadAudit();
    } catch (e) {
      await onManagerError(e, (t) => ($("settings-result").textContent = t));
    }
  });
  $("print-receipt").addEventListener("click", () => printOnly($("receipt")));
  $("eod-form").addEventListener("submit", (e) => {
    e.preventDefault();
    void loadEod();
  });
  $("eod-print").addEventListener("click", () => {
    if ($("eod-report").hidden) $("eod-error").textContent = "Reconcile the day first.";
    else printOnly($("eod-report"));
  });
  $("eod-export").addEventListener("click", async () => {
    try {
      const done = await invoke<Exported | null>("eod_export_csv", { date: $<HTMLInputElement>("eod-date").value || null });
      $("eod-error").textContent = done ? `Saved to ${done.path}.` : "Export cancelled.";
    } catch (e) {
      await onManagerError(e, (t) => ($("eod-error").textContent = t));
    }
  });
  $("cfhp-record").addEventListener("click", () => void recordCfhp());
  $("skus").addEventListener("keydown", (e) => {
    if (e.key === "Enter") {
      e.preventDefault();
      void recordCfhp();
    }
  });

  // A handheld keyboard-wedge scanner types a burst faster than a person and ends
  // with Enter. Such a burst is a scan wherever the focus is: it is caught before any
  // field's own handler, and a field it typed into (the sale total, say) gets its
  // text back as it was before the burst.
  let burst: { key: string; t: number }[] = [];
  let burstInto: HTMLInputElement | null = null;
  let before = "";
  document.addEventListener(
    "keydown",
    (e) => {
      if ($("checkout").hidden) return;
      // A dialog is answered with its own buttons: Enter there is the button's.
      if (document.querySelector("dialog[open]")) return;
      const input = e.target instanceof HTMLInputElement ? e.target : null;
      if (e.key === "Enter") {
        const text = burst.map((k) => k.key).join("");
        const isBurst = isWedgeBurst([...burst.map((k) => k.t), e.timeStamp]);
        const into = burstInto;
        burst = [];
        burstInto = null;
        if (isBurst) {
          e.preventDefault();
          e.stopImmediatePropagation();
          if (into) {
            into.value = into.id === "code-input" ? "" : before;
            into.dispatchEvent(new Event("input"));
          }
          void scanText(text);
        } else if (!input) {
          e.preventDefault();
          void enterPressed();
        }
      } else if (e.key.length === 1 && !e.ctrlKey && !e.altKey && !e.metaKey) {
        const last = burst[burst.length - 1];
        if (!last || e.timeStamp - last.t > 35) {
          burst = [];
          burstInto = input;
          before = input?.value ?? "";
        }
        burst.push({ key: e.key, t: e.timeStamp });
      }
    },
    true,
  );

  $("simulate-offline").addEventListener("click", async () => {
    const btn = $("simulate-offline");
    const offline = btn.getAttribute("aria-pressed") !== "true";
    await invoke("sandbox_simulate_offline", { offline });
    btn.setAttribute("aria-pressed", String(offline));
    btn.textContent = offline ? "Restore network" : "Simulate network loss";
  });
  $("tab-checkout").addEventListener("click", () => showScreen("checkout"));
  $("tab-manager").addEventListener("click", () => showScreen("manager"));
  $("pin-form").addEventListener("submit", async (e) => {
    e.preventDefault();
    const pin = $<HTMLInputElement>("pin-input");
    const again = $<HTMLInputElement>("pin-again");
    try {
      if (access && !access.has_manager_pin) await invoke("manager_set_pin", { pin: pin.value, again: again.value });
      else await invoke("manager_unlock", { pin: pin.value });
      $("pin-error").textContent = "";
      access = await invoke<AccessState>("access_state");
      await showManagerBody();
    } catch (err) {
      $("pin-error").textContent = errorText(err);
    } finally {
      pin.value = "";
      again.value = "";
    }
  });
  // Till mode: closing the window (the desktop's close, or the manager's button)
  // asks for the manager PIN; the shell keeps the window open until it is given.
  const askToClose = () => {
    $("close-error").textContent = "";
    $<HTMLInputElement>("close-pin").value = "";
    $<HTMLDialogElement>("close-dialog").showModal();
    $("close-pin").focus();
  };
  void listen("close-requested", askToClose);
  $("close-terminal").addEventListener("click", askToClose);
  $("close-cancel").addEventListener("click", () => $<HTMLDialogElement>("close-dialog").close());
  $("close-form").addEventListener("submit", async (e) => {
    e.preventDefault();
    const pin = $<HTMLInputElement>("close-pin");
    try {
      await invoke("close_terminal", { pin: pin.value });
    } catch (err) {
      $("close-error").textContent = errorText(err);
    } finally {
      pin.value = "";
    }
  });
  $("lock-manager").addEventListener("click", async () => {
    await invoke("manager_lock");
    showPinForm(await invoke<AccessState>("access_state"));
  });
  $("cashier-signin").addEventListener("submit", async (e) => {
    e.preventDefault();
    const [pin, fresh, again] = ["signin-pin", "signin-new", "signin-again"].map((id) => $<HTMLInputElement>(id));
    const id = $<HTMLInputElement>("signin-id").value;
    const choosing = !$("signin-choose").hidden;
    let keepChoose = false;
    try {
      if (choosing) await invoke<Cashier>("cashier_sign_in_new_pin", { id, pin: pin.value, newPin: fresh.value, again: again.value });
      else await invoke<Cashier>("cashier_sign_in", { id, pin: pin.value });
      $("signin-error").textContent = "";
      $<HTMLInputElement>("signin-id").value = "";
      $("signin-choose").hidden = true;
      await refreshAccess();
      $("code-input").focus();
    } catch (err) {
      $("signin-error").textContent = errorText(err);
      // A right one-time PIN: the core asks for the cashier's own, typed twice.
      const change = errorCode(err) === "pin_change_required";
      // The PIN field is always cleared: a one-time PIN left typed would let whoever
      // comes next choose the cashier's PIN. The new-PIN fields stay shown.
      keepChoose = change || choosing;
      if (change) {
        $("signin-choose").hidden = false;
        pin.focus();
      }
    } finally {
      pin.value = "";
      if (!keepChoose) $("signin-choose").hidden = true;
      fresh.value = "";
      again.value = "";
    }
  });
  $("cashier-reset").addEventListener("submit", async (e) => {
    e.preventDefault();
    const [pin, again] = ["cr-pin", "cr-again"].map((id) => $<HTMLInputElement>(id));
    try {
      await invoke("cashier_reset_pin", { id: resetting, pin: pin.value, again: again.value });
      $("cashier-result").textContent = `${resetting}'s PIN is reset: the new one is good for one sign-in.`;
      $("cashier-reset").hidden = true;
      await loadAudit();
    } catch (err) {
      await onManagerError(err, (t) => ($("cashier-result").textContent = t));
    } finally {
      pin.value = "";
      again.value = "";
    }
  });
  $("audit-older").addEventListener("click", () => void loadAudit(true).catch((err) => onManagerError(err, (t) => ($("export-result").textContent = t))));
  $("sign-out").addEventListener("click", async () => {
    await invoke("cashier_sign_out");
    showIntent(null);
    await refreshAccess();
    $("signin-id").focus();
  });
  $("cashier-add").addEventListener("submit", async (e) => {
    e.preventDefault();
    const field = (id: string) => $<HTMLInputElement>(id);
    try {
      const c = await invoke<Cashier>("cashier_add", { id: field("c-id").value, name: field("c-name").value, pin: field("c-pin").value, again: field("c-again").value });
      $("cashier-result").textContent = `Added ${c.name} (${c.id}). The checkout now asks for a sign-in.`;
      field("c-id").value = "";
      field("c-name").value = "";
      await Promise.all([loadCashiers(), loadAudit()]);
    } catch (err) {
      await onManagerError(err, (t) => ($("cashier-result").textContent = t));
    } finally {
      field("c-pin").value = "";
      field("c-again").value = "";
    }
  });
  $("pin-change").addEventListener("submit", async (e) => {
    e.preventDefault();
    const fields = ["pc-current", "pc-new", "pc-again"].map((id) => $<HTMLInputElement>(id));
    try {
      await invoke("manager_change_pin", { current: fields[0].value, pin: fields[1].value, again: fields[2].value });
      $("pin-change-result").textContent = "The manager PIN is changed.";
      await refreshAccess();
      await loadAudit();
    } catch (err) {
      await onManagerError(err, (t) => ($("pin-change-result").textContent = t));
    } finally {
      fields.forEach((f) => (f.value = ""));
    }
  });
  $("log-filter").addEventListener("submit", (e) => {
    e.preventDefault();
    void managerLoad(loadLog(true));
  });
  $("next-page").addEventListener("click", () => void managerLoad(loadLog(false)));
  $("settings-form").addEventListener("submit", (e) => {
    e.preventDefault();
    void saveSettings();
  });
  $("export-csv").addEventListener("click", async () => {
    // The terminal asks where to save, in the desktop's own dialog.
    try {
      const done = await invoke<Exported | null>("export_csv", { filter: filter() });
      $("export-result").textContent = done ? `Exported ${done.rows} rows to ${done.path}.` : "Export cancelled.";
      if (done) await loadAudit();
    } catch (e) {
      await onManagerError(e, (t) => ($("export-result").textContent = t));
    }
  });
}

async function start() {
  // A terminal that could not start says why, and nothing else runs.
  const problem = await invoke<StartupProblem | null>("startup_problem");
  if (problem) {
    $("checkout").hidden = true;
    $("startup-problem").hidden = false;
    $("problem-message").textContent = problem.message;
    $("problem-what").textContent = problem.what_to_do;
    $("problem-code").textContent = problem.code;
    for (const id of ["tab-checkout", "tab-manager", "cashier-pill"]) $(id).hidden = true;
    document.body.dataset.ready = "problem";
    return;
  }
  wire();
  await listen<SyncEvent>("sync", (e) => {
    const ev = e.payload;
    if (ev.type === "connectivity") showConnectivity(ev.state);
    if (ev.type === "queue") showQueue(ev, Date.now());
    if (ev.type === "intent_changed" && (lineOf(ev.intent_id) || ev.intent_id === current?.id)) void refreshSale();
    if (ev.type === "key_rejected" && condition.keyRejected !== ev.message) {
      condition = { ...condition, keyRejected: ev.message };
      showCondition();
    }
    if (ev.type === "store_failure") {
      condition = { ...condition, storeFailure: ev.message };
      showCondition();
    }
    // An answer from the service proves the key works again.
    if (ev.type === "intent_changed" && (ev.state === "redeemed" || ev.state === "refused") && condition.keyRejected) {
      condition = { ...condition, keyRejected: null };
      showCondition();
    }
  });
  await listen<{ text: string | null; ok: ScanResult | null; err: IpcError | null }>("scanned", (e) => {
    if (e.payload.ok) showScan(e.payload.ok);
    else if (e.payload.err) onScanError(e.payload.err, e.payload.text);
  });
  await listen<string>("scanner-status", (e) => ($("scanner-status").textContent = e.payload));
  // Only now, with every listener in place, may frames flow: a code held up while
  // the window was opening is then not lost.
  // The preview arrives as raw bytes on its own channel (see `preview_message` in
  // the shell): a length, the JSON head, then the JPEG.
  const preview = new Channel<ArrayBuffer>();
  let shown: string | null = null;
  preview.onmessage = (buf) => {
    const frame = readPreview(buf);
    const img = $<HTMLImageElement>("preview");
    const url = URL.createObjectURL(new Blob([frame.jpeg], { type: "image/jpeg" }));
    img.src = url;
    if (shown) URL.revokeObjectURL(shown);
    shown = url;
    img.hidden = false;
    // Attributes are written only when they change: each write makes WebKit lay the
    // outline out again, 15 times a second on an empty counter.
    const svg = $("outline") as unknown as SVGSVGElement;
    const box = `0 0 ${frame.width} ${frame.height}`;
    if (svg.getAttribute("viewBox") !== box) svg.setAttribute("viewBox", box);
    const points = frame.outline ? frame.outline.map(([x, y]) => `${x},${y}`).join(" ") : "";
    const polygon = svg.querySelector("polygon")!;
    if (polygon.getAttribute("points") !== points) polygon.setAttribute("points", points);
  };
  await invoke("start_scanner", { preview });
  await refreshStatus();
  // A sale left open (the app was closed or crashed mid-sale) is still the sale.
  await refreshSale();
  setInterval(() => {
    void refreshStatus();
    void refreshSale();
  }, 5000);
  document.body.dataset.ready = "true";
  (access?.signin_required ? $("signin-id") : $("code-input")).focus();
}

void start();
