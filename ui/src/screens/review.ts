// Manager → the review inbox: vouchers only a manager can settle (redeemed,
// refused, never redeemed), each with the note the settlement requires.

import * as core from "../commands";
import type { ReviewItem } from "../bindings";
import { $, item } from "../dom";
import { summarizeCode } from "../view";
import { loadLog } from "./log";
import { managerAttempt } from "./pin";

export async function loadInbox() {
  const items = await core.reviewInbox();
  const ul = $("review-inbox");
  ul.replaceChildren();
  if (items.length === 0) {
    ul.append(item("Nothing waits for review."));
  }
  for (const i of items) ul.append(inboxItem(i));
}

/** One voucher to settle: when, who, how much, why and the evidence, as the core
 *  put them in words; then a note, a transaction id, and the three settlements. */
function inboxItem(r: ReviewItem): HTMLLIElement {
  const i = r.intent;
  const li = document.createElement("li");
  li.setAttribute("data-testid", "review-item");
  const head = Object.assign(document.createElement("p"), { className: "review-head" });
  head.textContent = `${i.loss ? "LOSS · " : ""}${summarizeCode(i.code, i.voucher_count)} · ${r.value} · cashier ${i.cashier_id} · scanned ${r.scanned} · in review since ${r.since}`;
  const text = document.createElement("p");
  text.textContent = r.cause;
  const evidence = document.createElement("ul");
  evidence.className = "muted";
  evidence.replaceChildren(...(r.evidence.length ? r.evidence : ["Never sent."]).map((e) => item(e)));
  li.append(head, text, evidence);
  const note = Object.assign(document.createElement("input"), { placeholder: "Note (required)" });
  note.setAttribute("aria-label", `Note for ${summarizeCode(i.code, i.voucher_count)} (required)`);
  const tx = Object.assign(document.createElement("input"), { placeholder: "Transaction id (if redeemed)" });
  tx.setAttribute("aria-label", `Transaction id for ${summarizeCode(i.code, i.voucher_count)}, if redeemed`);
  li.append(note, tx);
  for (const [how, label] of [["redeemed", "Settle: redeemed"], ["refused", "Settle: refused"], ["not_redeemed", "Settle: never redeemed"]] as const) {
    const b = Object.assign(document.createElement("button"), { textContent: label });
    b.addEventListener("click", () =>
      managerAttempt(text, async () => {
        await core.settle(i.id, how, note.value, tx.value || null);
        await Promise.all([loadInbox(), loadLog(true)]);
      }),
    );
    li.append(b);
  }
  return li;
}
