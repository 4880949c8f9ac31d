// Scanning and redeeming at the checkout: a code typed, pasted or scanned (camera or
// keyboard wedge) goes to the core, which says what it is; a CFHP code asks for its
// receipt number and SKUs first; one Redeem press sends every voucher scanned for
// the sale.

import { listen } from "@tauri-apps/api/event";
import * as core from "../commands";
import type { IpcError, ScanResult } from "../bindings";
import { $, showError } from "../dom";
import { state } from "../state";
import { showIntent, updateRedeemButton } from "./outcome";
import { nextCustomer, refreshSale, showSale } from "./sale";
import { refreshAccess } from "./signin";
import { t } from "../i18n";

/** Enter outside a text field, or in an empty code field: the next step of the sale
 *  (send what was scanned, else the next customer), as the core allows it. */
export async function enterPressed() {
  if (state.pressing) return;
  if (state.saleView?.can_redeem) return pressRedeem();
  if (state.saleView?.sale) await nextCustomer();
}

function showScan(r: ScanResult) {
  $("scan-error").textContent = "";
  if (r.kind === "already_redeemed") {
    showIntent(r.intent, t("already-redeemed-here", { transaction: r.intent.transaction_id ?? "?" }));
  } else if (!state.pressing) {
    showIntent(r.intent, r.kind === "existing" ? t("already-scanned") : undefined);
  }
  void refreshSale();
}

export async function scanText(text: string) {
  if (!text.trim()) return;
  try {
    showScan(await core.scan(text, null, null));
  } catch (e) {
    onScanError(e, text);
  }
}

function onScanError(e: unknown, text: string | null) {
  const show = (why: string) => ($("scan-error").textContent = why);
  showError(e, $("scan-error"), {
    // A CFHP code is kept until its receipt number and SKUs are typed.
    context_cfhp_needs_skus: (why) => (text ? askCfhpDetails(text, why) : show(why)),
    // Signed out meanwhile (idle): the sign-in form shows again.
    cashier_signed_out: (why) => {
      show(why);
      void refreshAccess();
    },
  });
}

/** A CFHP code is recorded only with its receipt number and SKUs (the core says when). */
function askCfhpDetails(text: string, why: string) {
  state.pendingCfhp = text;
  $("cfhp-why").textContent = why;
  $("cfhp").hidden = false;
  $("scan-error").textContent = "";
  showIntent(null, t("waiting-for-receipt-details"));
  $("receipt-number").focus();
}

async function recordCfhp() {
  if (!state.pendingCfhp) return;
  try {
    const r = await core.scan(state.pendingCfhp, $<HTMLInputElement>("receipt-number").value, $<HTMLInputElement>("skus").value);
    state.pendingCfhp = null;
    $("cfhp").hidden = true;
    showScan(r);
    $("code-input").focus();
  } catch (e) {
    showError(e, $("cfhp-why"));
  }
}

/** One press sends every voucher scanned for the sale (one intent and key each). */
async function pressRedeem() {
  const btn = $<HTMLButtonElement>("redeem-button");
  if (state.pressing || !state.saleView?.can_redeem) return;
  // Disabled in the same task as the click, before anything is awaited.
  state.pressing = true;
  btn.disabled = true;
  const sending = state.saleView.lines.filter((l) => l.intent.state === "scanned").map((l) => l.intent.id);
  $("intent-status").textContent = t("sending");
  $("intent-status").dataset.state = "sending";
  try {
    const v = await core.saleRedeem();
    state.pressing = false;
    // The status area speaks of the last voucher this press sent.
    const last = v.lines.find((l) => l.intent.id === sending[sending.length - 1]);
    if (last) state.current = last.intent;
    showSale(v);
  } catch (e) {
    state.pressing = false;
    showError(e, $("outcome-detail"));
    updateRedeemButton();
  }
}

export function wire() {
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
  $("cfhp-record").addEventListener("click", () => void recordCfhp());
  $("skus").addEventListener("keydown", (e) => {
    if (e.key === "Enter") {
      e.preventDefault();
      void recordCfhp();
    }
  });
}

/** Codes the camera (or the shell's scanner) read arrive as events. */
export async function listenScans() {
  await listen<{ text: string | null; ok: ScanResult | null; err: IpcError | null }>("scanned", (e) => {
    if (e.payload.ok) showScan(e.payload.ok);
    else if (e.payload.err) onScanError(e.payload.err, e.payload.text);
  });
}
