// The status area of the checkout: what happened to the voucher last scanned or
// answered, the answers an unconfirmed voucher takes, and whether Redeem can be
// pressed. Other screens redraw it whenever the sale or the link changes.

import type { Intent, SaleLine } from "../bindings";
import { $ } from "../dom";
import { lineOf, state } from "../state";
import { statusLabel, summarizeCode } from "../view";

/** The status area: what happened to the voucher last scanned or answered. */
export function showIntent(intent: Intent | null, note?: string, keepNote = false) {
  state.current = intent;
  const { connectivity, keyRejected } = state.condition;
  const status = $("intent-status");
  const detail = $("outcome-detail");
  status.textContent = intent ? statusLabel(intent, connectivity, !!keyRejected) : "Scan a voucher code";
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
  showAnswers(intent);
  updateRedeemButton();
}

/** An unconfirmed voucher asks the cashier for an answer, and the answer is kept:
 *  accepted (a later refusal is the store's loss) or declined (never sent again). */
function showAnswers(intent: Intent | null) {
  const line = lineOf(intent?.id);
  const unconfirmed = !!line?.unconfirmed;
  $("offline-actions").hidden = !unconfirmed;
  if (unconfirmed && intent) {
    $("offline-verdict").textContent = answerText(intent, line);
    const accept = $<HTMLButtonElement>("accept-offline");
    const decline = $<HTMLButtonElement>("decline-intent");
    accept.hidden = !(line?.offline?.verdict === "may_accept");
    decline.hidden = !line?.needs_answer;
    accept.disabled = decline.disabled = state.answering.has(intent.id);
  }
}

/** What the store's policy and the cashier's answer say about an unconfirmed voucher. */
export function answerText(i: Intent, line: SaleLine | null): string {
  if (i.accepted_offline) return "Accepted for this sale; the terminal will confirm it with the service.";
  if (i.declined) return "Declined: the customer pays another way. If the service turns out to have redeemed it, a manager will see it.";
  const offline = line?.offline;
  if (!offline) return "";
  return offline.verdict === "may_accept" ? "Store policy lets this sale go ahead on the voucher, or the customer can pay another way." : `Take another payment: ${offline.reason}`;
}

export function updateRedeemButton() {
  $<HTMLButtonElement>("redeem-button").disabled = state.pressing || !state.saleView?.can_redeem;
}
