// The customer's receipt, kept ready for printing below the sale. It prints only
// amounts the core computed.

import type { SaleView } from "../bindings";
import { $, printOnly } from "../dom";
import { state, when } from "../state";
import { summarizeCode } from "../view";

/** What RSG asks a sales system to print (the sale total, each voucher's scanned
 *  amount, not the amount used, the forfeited amount, the balance due, the
 *  transaction ids, and that vouchers were used), every amount as the core computed it. */
export function fillReceipt(v: SaleView) {
  const t = v.totals;
  const s = v.sale;
  const lines: string[] = [`Terminal ${state.terminalId}${s ? ` · Sale ${s.number} · cashier ${s.cashier_id}` : ""} · ${when(s?.closed_at ?? Date.now())}`, `Sale total (incl. tax): ${t.total ?? "—"}`];
  for (const l of v.lines) {
    if (!l.value) continue;
    lines.push(`Voucher ${summarizeCode(l.intent.code, l.intent.voucher_count)}: ${l.value} (${l.intent.campaign_name ? l.intent.campaign_name + ", " : ""}transaction ${l.intent.transaction_id ?? "?"})`);
  }
  lines.push(`Vouchers scanned: ${t.voucher_total}`, `Forfeited: ${t.forfeited ?? "—"}`, `Balance due: ${t.balance_due ?? "—"}`);
  lines.push("Vouchers were used in this sale. Voucher amounts are not refunded: a cancelled sale refunds only what was paid by other means.");
  $("receipt").replaceChildren(...lines.map((l) => Object.assign(document.createElement("p"), { textContent: l })));
}

export function wire() {
  $("print-receipt").addEventListener("click", () => printOnly($("receipt")));
}
