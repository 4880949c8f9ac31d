// Manager → the log of every voucher intent: filtered by the store's days, state,
// cashier or a search, paged from the newest, with one intent's attempts and
// history on demand, and exported as CSV.

import * as core from "../commands";
import type { IntentState, LogFilter } from "../bindings";
import { $, cell, item } from "../dom";
import { money, state, when } from "../state";
import { stateWord, statusLabel, summarizeCode } from "../view";
import { loadAudit } from "./audit";
import { managerAttempt, managerLoad } from "./pin";
import { t } from "../i18n";

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

/** The first page of the log (`reset`), or the next older one below what is shown. */
export async function loadLog(reset: boolean) {
  if (reset) state.logCursor = null;
  const page = await core.logPage(filter(), state.logCursor);
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
    cell(row, i.value_cents == null ? "" : money(i.value_cents));
    cell(row, i.transaction_id ?? "");
    const open = () => void managerLoad(showDetail(i.id));
    row.addEventListener("click", open);
    row.addEventListener("keydown", (e) => e.key === "Enter" && open());
  }
  state.logCursor = page.next;
  $("next-page").hidden = !page.next;
}

async function showDetail(id: string) {
  const d = await core.intentDetail(id);
  $("detail").hidden = false;
  $("detail-id").textContent = d.intent.id;
  const summary = { code: summarizeCode(d.intent.code, d.intent.voucher_count), status: statusLabel(d.intent) };
  $("detail-summary").textContent = d.intent.error_message ? t("detail-summary-said", { ...summary, message: d.intent.error_message }) : t("detail-summary", summary);
  const list = (el: HTMLElement, items: string[]) => el.replaceChildren(...items.map(item));
  list(
    $("detail-attempts"),
    d.attempts.map((a) => {
      const status = [a.http_status ? `(${a.http_status})` : "", a.replayed ? t("attempt-replayed") : ""].filter(Boolean).join(" ");
      const args = { at: when(a.started_at), kind: a.kind, outcome: a.outcome, status, ms: a.latency_ms };
      return a.detail ? t("attempt-line-detail", { ...args, detail: a.detail }) : t("attempt-line", args);
    }),
  );
  list(
    $("detail-history"),
    d.history.map((h) => {
      const args = { at: when(h.at), from: h.from_state ? stateWord(h.from_state) : "—", to: stateWord(h.to_state), actor: h.actor };
      return h.note ? t("history-line-note", { ...args, note: h.note }) : t("history-line", args);
    }),
  );
}

export function wire() {
  $("log-filter").addEventListener("submit", (e) => {
    e.preventDefault();
    void managerLoad(loadLog(true));
  });
  $("next-page").addEventListener("click", () => void managerLoad(loadLog(false)));
  // The terminal asks where to save, in the desktop's own dialog.
  $("export-csv").addEventListener("click", () =>
    managerAttempt($("export-result"), async () => {
      const done = await core.exportCsv(filter());
      $("export-result").textContent = done ? t("exported-rows", { rows: done.rows, path: done.path }) : t("export-cancelled");
      if (done) await loadAudit();
    }),
  );
}
