// Manager → the review inbox: vouchers only a manager can settle (redeemed,
// refused, never redeemed), each with the note the settlement requires.

import * as core from "../commands";
import type { ReviewItem } from "../bindings";
import { $, item } from "../dom";
import { summarizeCode } from "../view";
import { loadLog } from "./log";
import { managerAttempt } from "./pin";
import { attr, t } from "../i18n";

export async function loadInbox() {
  const items = await core.reviewInbox();
  const ul = $("review-inbox");
  ul.replaceChildren();
  if (items.length === 0) {
    ul.append(item(t("nothing-to-review")));
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
  const code = summarizeCode(i.code, i.voucher_count);
  const words = t("review-head", { code, value: r.value, cashier: i.cashier_id, scanned: r.scanned, since: r.since });
  head.textContent = i.loss ? `${t("review-loss")} · ${words}` : words;
  const text = document.createElement("p");
  text.textContent = r.cause;
  const evidence = document.createElement("ul");
  evidence.className = "muted";
  evidence.replaceChildren(...(r.evidence.length ? r.evidence : [t("never-sent")]).map((e) => item(e)));
  if (r.service_said) {
    // The service's own words, unchanged (RSG asks for them verbatim).
    const said = Object.assign(document.createElement("q"), { textContent: r.service_said, translate: false });
    const line = item(`${t("evidence-service-said")} `);
    line.append(said);
    evidence.append(line);
  }
  li.append(head, text, evidence);
  const note = Object.assign(document.createElement("input"), { placeholder: attr("review-note", "placeholder") });
  note.setAttribute("aria-label", attr("review-note", "aria-label", { code }));
  const tx = Object.assign(document.createElement("input"), { placeholder: attr("review-transaction", "placeholder") });
  tx.setAttribute("aria-label", attr("review-transaction", "aria-label", { code }));
  li.append(note, tx);
  for (const [how, label] of [["redeemed", t("settle-redeemed")], ["refused", t("settle-refused")], ["not_redeemed", t("settle-not-redeemed")]] as const) {
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
