// The status area of the checkout: what happened to the voucher last scanned or
// answered, the answers an unconfirmed voucher takes, and whether Redeem can be
// pressed. Other screens redraw it whenever the sale or the link changes.

import type { Intent, OfflineRule, SaleLine } from "../bindings";
import { $ } from "../dom";
import { lineOf, state } from "../state";
import { statusLabel, summarizeCode } from "../view";
import { t } from "../i18n";

/** The status area: what happened to the voucher last scanned or answered. */
export function showIntent(intent: Intent | null, note?: string, keepNote = false) {
  state.current = intent;
  const { connectivity, keyRejected } = state.condition;
  const status = $("intent-status");
  const detail = $("outcome-detail");
  status.textContent = intent ? statusLabel(intent, connectivity, !!keyRejected) : t("scan-a-voucher-code");
  status.dataset.state = intent?.state ?? "";
  if (!keepNote) detail.textContent = note ?? "";
  $("scanned").hidden = !intent;
  $("scanned-summary").textContent = intent ? summarizeCode(intent.code, intent.voucher_count) : "";
  if (intent?.state === "refused") {
    // The service's own words, unchanged (RSG asks for them verbatim).
    detail.textContent = intent.error_message ?? t("refused-by-service");
  } else if (intent?.state === "redeemed") {
    const transaction = intent.transaction_id ?? "?";
    detail.textContent = intent.campaign_name ? t("redeemed-campaign-transaction", { campaign: intent.campaign_name, transaction }) : t("redeemed-transaction", { transaction });
  } else if (intent?.state === "needs_review") {
    detail.textContent = intent.review_reason ?? t("manager-must-settle");
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
  if (i.accepted_offline) return t("answer-accepted");
  if (i.declined) return t("answer-declined");
  const offline = line?.offline;
  if (!offline) return "";
  return offline.verdict === "may_accept" ? t("answer-may-accept") : t("answer-take-other", { reason: ruleText(offline.why) });
}

/** The store's rule that refuses an unconfirmed voucher, in words. */
function ruleText(r: OfflineRule): string {
  switch (r.rule) {
    case "not_accepted":
      return t("offline-not-accepted");
    case "too_many_vouchers":
      return t("offline-too-many-vouchers", { max: r.max });
    case "too_many_pending":
      return t("offline-too-many-pending", { pending: r.pending, max: r.max });
    case "too_old":
      return t("offline-too-old", { minutes: r.minutes, max: r.max_minutes });
  }
}

export function updateRedeemButton() {
  $<HTMLButtonElement>("redeem-button").disabled = state.pressing || !state.saleView?.can_redeem;
}
