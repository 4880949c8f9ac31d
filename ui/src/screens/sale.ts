// The sale at the till: its vouchers, totals and the cashier's answers, drawn as
// the core computed them, and Next customer, which the core lets close the sale only
// once every voucher in it is settled. The page decides nothing about the sale.

import * as core from "../commands";
import type { SaleLine, SaleView } from "../bindings";
import { $, showError } from "../dom";
import { lineOf, state, when } from "../state";
import { statusLabel, summarizeCode } from "../view";
import { answerText, showIntent, updateRedeemButton } from "./outcome";
import { showReceiptButton } from "./receipt";
import { attr, t as tr } from "../i18n";
import { play, toneFor } from "../sounds";

function lineText(l: SaleLine): string {
  const i = l.intent;
  const { connectivity, keyRejected } = state.condition;
  const parts = { code: summarizeCode(i.code, i.voucher_count), status: statusLabel(i, connectivity, !!keyRejected) };
  return l.value ? tr("sale-line-value", { ...parts, value: l.value }) : tr("sale-line", parts);
}

/** Draws the sale as the core computed it, unless a newer view was drawn already
 *  (`asked` is the number the call took when it was made). */
export function showSale(v: SaleView, asked = ++state.saleAsked) {
  if (asked < state.saleDrawn) return;
  state.saleDrawn = asked;
  state.saleView = v;
  const tone = toneFor(state.heard, v.lines);
  if (tone && state.sounds) play(tone);
  state.heard = new Map(v.lines.map((l) => [l.intent.id, l.intent.state]));
  if (v.sale) state.closedSale = null;
  // Until the next sale starts, Print receipt is the closed sale's.
  showReceiptButton();
  const t = v.totals;
  const unknown = t.unconfirmed > 0 ? tr("not-known-until-confirmed") : "—";
  $("sale-number").textContent = v.sale ? tr("sale-heading", { number: String(v.sale.number), opened: when(v.sale.opened_at) }) : "";
  $("sale-total-shown").textContent = t.total ?? "—";
  $("voucher-value").textContent = t.voucher_total;
  $("forfeited").textContent = t.forfeited ?? unknown;
  $("balance-due").textContent = t.balance_due ?? unknown;
  $("sale-vouchers").replaceChildren(...v.lines.map(voucherItem));
  const notSent = v.lines.filter((l) => l.intent.state === "scanned").length;
  // Said once anything in the sale was sent (or is being sent): whichever voucher
  // the status line shows, a scan made meanwhile is not on its way.
  const sentAny = v.lines.some((l) => l.intent.state !== "scanned");
  $("waiting-scans").textContent = notSent && (state.pressing || sentAny) ? tr("not-sent-yet", { count: notSent }) : "";
  const current = state.current;
  const mine = lineOf(current?.id);
  if (mine) showIntent(mine.intent, undefined, true);
  else updateRedeemButton();
  if ($<HTMLDialogElement>("resolve-dialog").open) showResolve(v);
}

/** One voucher of the sale, with a Remove button while it is only scanned. */
function voucherItem(l: SaleLine): HTMLLIElement {
  const li = Object.assign(document.createElement("li"), { textContent: lineText(l) });
  li.dataset.state = l.intent.state;
  if (l.can_remove) {
    const b = Object.assign(document.createElement("button"), { type: "button", textContent: tr("remove") });
    b.dataset.testid = "remove-voucher";
    b.setAttribute("data-testid", "remove-voucher");
    b.setAttribute("aria-label", attr("remove-from-sale", "aria-label", { code: summarizeCode(l.intent.code, l.intent.voucher_count) }));
    b.disabled = state.answering.has(l.intent.id);
    b.addEventListener("click", () => void answer("cancel", l.intent.id));
    li.append(" ", b);
  }
  return li;
}

export async function refreshSale() {
  const asked = ++state.saleAsked;
  try {
    showSale(await core.saleView(), asked);
  } catch {
    /* the next event, or the next tick, will try again */
  }
}

/** The choice Next customer asks for: accept or decline each voucher that was sent
 *  and has no answer yet. Nothing is cleared until each is answered. */
function showResolve(v: SaleView) {
  const waiting = v.lines.filter((l) => l.needs_answer);
  $("resolve-why").textContent = waiting.length ? tr("resolve-why", { count: waiting.length }) : "";
  $("resolve-list").replaceChildren(...waiting.map(resolveItem));
}

function resolveItem(l: SaleLine): HTMLLIElement {
  const li = document.createElement("li");
  li.dataset.testid = "resolve-item";
  li.setAttribute("data-testid", "resolve-item");
  const p = Object.assign(document.createElement("p"), { textContent: tr("resolve-line", { line: lineText(l), answer: answerText(l.intent, l) }) });
  const accept = Object.assign(document.createElement("button"), { type: "button", textContent: tr("accept-the-voucher-for-this") });
  accept.setAttribute("data-testid", "accept-button");
  accept.hidden = l.offline?.verdict !== "may_accept";
  const decline = Object.assign(document.createElement("button"), { type: "button", textContent: tr("customer-pays-another-way") });
  decline.setAttribute("data-testid", "decline-button");
  accept.disabled = decline.disabled = state.answering.has(l.intent.id);
  accept.addEventListener("click", () => void answer("accept_offline", l.intent.id));
  decline.addEventListener("click", () => void answer("decline", l.intent.id));
  li.append(p, accept, " ", decline);
  return li;
}

/** The three answers a voucher of the sale takes, by the core's command. */
const answers = { accept_offline: core.acceptOffline, decline: core.decline, cancel: core.cancel } as const;

/** Sends the cashier's answer for one voucher; its buttons stay disabled while the
 *  call is out (across redraws), so a double press is one answer. A dialog answered
 *  in full closes the sale (the Next customer the cashier already pressed), unless a
 *  voucher scanned meanwhile still waits to be sent: then the sale stays. */
async function answer(command: keyof typeof answers, intentId: string) {
  if (state.answering.has(intentId)) return;
  state.answering.add(intentId);
  if (state.saleView) showSale(state.saleView, state.saleDrawn);
  $("resolve-error").textContent = "";
  try {
    const i = await answers[command](intentId);
    if (command !== "cancel") state.current = i;
    $("outcome-detail").textContent = "";
  } catch (e) {
    showError(e, (text) => {
      $("outcome-detail").textContent = text;
      $("resolve-error").textContent = text;
    });
  } finally {
    state.answering.delete(intentId);
  }
  await refreshSale();
  const dialog = $<HTMLDialogElement>("resolve-dialog");
  if (dialog.open && state.saleView && state.saleView.unresolved.length === 0) {
    dialog.close();
    if (state.saleView.can_redeem) $("waiting-scans").textContent = tr("answered-scan-waits");
    else await nextCustomer();
  }
}

/** Next customer: the core closes the sale only when every voucher in it is settled;
 *  otherwise the cashier answers each unanswered one first, and nothing is cleared. */
export async function nextCustomer() {
  if (state.pressing || state.closing) return;
  state.closing = true;
  let closed: SaleView | null;
  try {
    await state.totalSent;
    closed = await core.saleClose(state.saleView?.sale?.id ?? null);
  } catch (e) {
    state.closing = false;
    await showError(e, $("outcome-detail"), { sale_unresolved: askForAnswers });
    return;
  }
  state.closing = false;
  state.pendingCfhp = null;
  $("cfhp").hidden = true;
  for (const input of [$<HTMLInputElement>("sale-total"), $<HTMLInputElement>("code-input"), $<HTMLInputElement>("receipt-number"), $<HTMLInputElement>("skus")]) input.value = "";
  $("scan-error").textContent = "";
  $("sale-total-error").textContent = "";
  showIntent(null);
  await refreshSale();
  // The closed sale's receipt stays ready to print until the next sale starts.
  state.closedSale = closed;
  showReceiptButton();
  $("code-input").focus();
}

/** The sale could not close: the dialog asks for each voucher's answer. */
async function askForAnswers() {
  await refreshSale();
  if (state.saleView) showResolve(state.saleView);
  const dialog = $<HTMLDialogElement>("resolve-dialog");
  $("resolve-error").textContent = "";
  if (!dialog.open) dialog.showModal();
  ($("resolve-list").querySelector("button:not([hidden])") as HTMLButtonElement | null)?.focus();
}

/** The total is the core's: it parses the text (never guessed) and keeps it on the sale. */
function sendTotal() {
  const total = $<HTMLInputElement>("sale-total").value;
  state.totalSent = state.totalSent.then(async () => {
    try {
      showSale(await core.saleSetTotal(total));
      $("sale-total-error").textContent = "";
    } catch (e) {
      // Refused in words; the core cleared the total, so nothing is computed from it.
      showError(e, $("sale-total-error"));
      await refreshSale();
    }
  });
}

export function wire() {
  // The two answers an unconfirmed voucher takes.
  $("accept-offline").addEventListener("click", () => state.current && void answer("accept_offline", state.current.id));
  $("decline-intent").addEventListener("click", () => state.current && void answer("decline", state.current.id));
  $("resolve-back").addEventListener("click", () => $<HTMLDialogElement>("resolve-dialog").close());
  // A closed choice leaves no buttons behind.
  $("resolve-dialog").addEventListener("close", () => $("resolve-list").replaceChildren());
  $("sale-total").addEventListener("input", sendTotal);
  $("sale-total").addEventListener("keydown", (e) => {
    if (e.key === "Enter") {
      e.preventDefault();
      $("code-input").focus();
    }
  });
  $("next-customer").addEventListener("click", () => void nextCustomer());
}
