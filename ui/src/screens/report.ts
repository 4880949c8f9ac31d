// Manager → end of day: the day reconciled with the service (the Z-report), its
// findings and totals, printed or exported as CSV. The core builds the report;
// this only lays it out, amounts in the store's currency.

import * as core from "../commands";
import type { Report } from "../bindings";
import { $, cell, item } from "../dom";
import { state } from "../state";
import { formatCents } from "../view";
import { managerAttempt } from "./pin";
import { loadInbox } from "./review";

async function loadEod() {
  $("eod-error").textContent = "";
  await managerAttempt($("eod-error"), async () => {
    const r = await core.eodReport($<HTMLInputElement>("eod-date").value || null);
    showReport(r);
    if (r.opened_reviews.length) await loadInbox();
  });
}

function showReport(r: Report) {
  const money = (cents: number) => formatCents(cents, state.currency);
  $<HTMLInputElement>("eod-date").value = r.date;
  $("eod-report").hidden = false;
  $("eod-title").textContent = `branch ${r.branch}, terminal ${r.terminal}, ${r.date} (${r.time_zone})`;
  $("eod-total").textContent = `The service will reimburse ${money(r.totals.value)} for ${r.totals.count} redemption${r.totals.count === 1 ? "" : "s"} at branch ${r.branch}.`;
  $("eod-findings").replaceChildren(...(r.findings.length ? r.findings.map((f) => item(f.message)) : [item("None: the service and this terminal agree.")]));
  showTotals(r);
  $("eod-service-only").replaceChildren(...r.service_only.map((x) => item(`${x.created_at} terminal ${x.terminal || "?"}, cashier ${x.cashier || "?"}: ${money(x.value)} (${x.transaction_id})${x.this_terminal ? " — this terminal lost track of it" : ""}`)));
  $("eod-local-only").replaceChildren(...r.local_only.map((x) => item(`${x.created_at} ${x.state}${x.value != null ? " " + money(x.value) : ""}, ${Math.round(x.age_s / 60)} min old${x.finding ? " — not at the service" : ""}`)));
  const sales = `${r.sales.closed} sale${r.sales.closed === 1 ? "" : "s"} closed on this terminal that day${r.sales.still_open != null ? `; sale ${r.sales.still_open} is still open` : ""}.`;
  $("eod-matched").textContent = `${r.matched.length} redemption${r.matched.length === 1 ? "" : "s"} of this terminal match the service's records.${r.opened_reviews.length ? ` ${r.opened_reviews.length} sent to the review inbox.` : ""} ${sales}`;
}

/** The totals table: by terminal, cashier, campaign and bank statement. */
function showTotals(r: Report) {
  const rows: [string, string, { value: number; count: number }][] = [];
  for (const [by, map] of [["Terminal", r.totals.by_terminal], ["Cashier", r.totals.by_cashier], ["Campaign", r.totals.by_campaign], ["Bank statement", r.totals.by_bank_statement]] as const) {
    for (const [id, t] of Object.entries(map)) if (t) rows.push([by, id, t]);
  }
  const body = $<HTMLTableElement>("eod-totals").tBodies[0];
  body.replaceChildren();
  for (const [by, id, t] of rows) {
    const row = body.insertRow();
    for (const text of [by, id, String(t.count), formatCents(t.value, state.currency)]) cell(row, text);
  }
}

export function wire() {
  $("eod-form").addEventListener("submit", (e) => {
    e.preventDefault();
    void loadEod();
  });
  $("eod-print").addEventListener("click", () =>
    managerAttempt($("eod-error"), async () => {
      const done = await core.eodPrint($<HTMLInputElement>("eod-date").value || null);
      $("eod-error").textContent = `${done.what} printed.`;
    }),
  );
  $("eod-export").addEventListener("click", () =>
    managerAttempt($("eod-error"), async () => {
      const done = await core.eodExportCsv($<HTMLInputElement>("eod-date").value || null);
      $("eod-error").textContent = done ? `Saved to ${done.path}.` : "Export cancelled.";
    }),
  );
}
