// Manager → end of day: the day reconciled with the service (the Z-report), its
// findings and totals, printed or exported as CSV. The core builds the report;
// this only lays it out, amounts in the store's currency.

import * as core from "../commands";
import type { OwnTally, Report } from "../bindings";
import { $, cell, errorCode, item, showError } from "../dom";
import { money } from "../state";
import { printoutText, stateWord } from "../view";
import { managerAttempt } from "./pin";
import { loadInbox } from "./review";
import { t } from "../i18n";

async function loadEod() {
  $("eod-error").textContent = "";
  $("eod-own").hidden = true;
  const date = $<HTMLInputElement>("eod-date").value || null;
  await managerAttempt($("eod-error"), async () => {
    let r: Report;
    try {
      r = await core.eodReport(date);
    } catch (e) {
      if (errorCode(e) === "manager_locked") throw e;
      // No report without the service's whole list: why, and this terminal's own count.
      $("eod-report").hidden = true;
      showError(e, $("eod-error"));
      showOwnTally(await core.eodOwnTally(date));
      return;
    }
    showReport(r);
    if (r.opened_reviews.length) await loadInbox();
  });
}

/** This terminal's own record of the day, shown when the service's list could not be read. */
function showOwnTally(o: OwnTally) {
  $<HTMLInputElement>("eod-date").value = o.date;
  $("eod-own").hidden = false;
  $("own-tally").textContent = t("own-tally-redeemed", { count: o.redeemed.count, value: money(o.redeemed.value), date: o.date });
  $("own-by-cashier").replaceChildren(
    ...Object.entries(o.by_cashier).map(([cashier, c]) => item(t("own-tally-cashier", { cashier, count: c?.count ?? 0, value: money(c?.value ?? 0) }))),
  );
  $("own-rest").textContent = t("own-tally-rest", { waiting: o.waiting, review: o.in_review, sales: o.sales_closed });
}

function showReport(r: Report) {
  $<HTMLInputElement>("eod-date").value = r.date;
  $("eod-report").hidden = false;
  $("eod-title").textContent = t("eod-title", { branch: r.branch, terminal: r.terminal, date: r.date, zone: r.time_zone });
  $("eod-total").textContent = t("eod-total", { value: money(r.totals.value), count: r.totals.count, branch: r.branch });
  $("eod-findings").replaceChildren(...(r.findings.length ? r.findings.map((f) => item(f.message)) : [item(t("eod-no-findings"))]));
  showTotals(r);
  $("eod-service-only").replaceChildren(
    ...r.service_only.map((x) => {
      const args = { at: x.created_at, terminal: x.terminal || "?", cashier: x.cashier || "?", value: money(x.value), transaction: x.transaction_id };
      return item(t(x.this_terminal ? "eod-service-row-lost" : "eod-service-row", args));
    }),
  );
  $("eod-local-only").replaceChildren(
    ...r.local_only.map((x) => {
      const args = { at: x.created_at, state: stateWord(x.state), value: x.value != null ? " " + money(x.value) : "", minutes: Math.round(x.age_s / 60) };
      return item(t(x.finding ? "eod-local-row-finding" : "eod-local-row", args));
    }),
  );
  const said = [t("eod-matched", { count: r.matched.length })];
  if (r.opened_reviews.length) said.push(t("eod-opened-reviews", { count: r.opened_reviews.length }));
  said.push(t("eod-sales", { count: r.sales.closed }));
  if (r.sales.still_open != null) said.push(t("eod-sale-open", { number: String(r.sales.still_open) }));
  $("eod-matched").textContent = said.join(" ");
}

/** The totals table: by terminal, cashier, campaign and bank statement. */
function showTotals(r: Report) {
  const rows: [string, string, { value: number; count: number }][] = [];
  for (const [by, map] of [[t("by-terminal"), r.totals.by_terminal], [t("by-cashier"), r.totals.by_cashier], [t("by-campaign"), r.totals.by_campaign], [t("by-bank-statement"), r.totals.by_bank_statement]] as const) {
    for (const [id, tally] of Object.entries(map)) if (tally) rows.push([by, id, tally]);
  }
  const body = $<HTMLTableElement>("eod-totals").tBodies[0];
  body.replaceChildren();
  for (const [by, id, t] of rows) {
    const row = body.insertRow();
    for (const text of [by, id, String(t.count), money(t.value)]) cell(row, text);
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
      $("eod-error").textContent = t("print-done", { what: printoutText(done.what) });
    }),
  );
  $("eod-export").addEventListener("click", () =>
    managerAttempt($("eod-error"), async () => {
      const done = await core.eodExportCsv($<HTMLInputElement>("eod-date").value || null);
      $("eod-error").textContent = done ? t("saved-to", { path: done.path }) : t("export-cancelled");
    }),
  );
}
