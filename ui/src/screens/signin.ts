// Who is at the till: the cashier shown in the bar, the sign-in form (with the
// choice of an own PIN after a one-time one), and signing out.

import * as core from "../commands";
import type { AccessState, Lang } from "../bindings";
import { $, attempt, errorCode, showError } from "../dom";
import { state } from "../state";
import { showIntent } from "./outcome";
import { showPinForm } from "./pin";
import { setLanguage, t } from "../i18n";
import { showSale } from "./sale";
import { refreshStatus, showCondition } from "./status";

/** Shows who the checkout acts as, and the sign-in form when nobody is signed in. */
export function showAccess(a: AccessState) {
  state.access = a;
  const screen = state.screen;
  if (setLanguage(a.lang)) redraw();
  $("cashier-id").textContent = a.cashier_id ? (a.cashier_name ? t("cashier-with-id", { name: a.cashier_name, id: a.cashier_id }) : a.cashier_id) : t("signed-out");
  for (const b of document.querySelectorAll<HTMLButtonElement>("#cashier-signin [data-lang]")) b.setAttribute("aria-pressed", String(b.dataset.lang === a.lang));
  $("sign-out").hidden = !a.cashier_name;
  $("signin").hidden = !(screen === "checkout" && a.signin_required);
  $("checkout").hidden = !(screen === "checkout" && !a.signin_required);
  $("pin-weak").hidden = !a.manager_pin_change_due;
  // The manager screens locked themselves (idle time): show the PIN form again.
  if (screen === "manager" && !a.manager_unlocked && !$("manager-body").hidden) showPinForm(a, t("locked-after-idle"));
}

export async function refreshAccess() {
  showAccess(await core.accessState());
}

async function signIn(e: SubmitEvent) {
  e.preventDefault();
  const [pin, fresh, again] = [$<HTMLInputElement>("signin-pin"), $<HTMLInputElement>("signin-new"), $<HTMLInputElement>("signin-again")];
  const id = $<HTMLInputElement>("signin-id").value;
  const choosing = !$("signin-choose").hidden;
  let keepChoose = false;
  try {
    if (choosing) await core.cashierSignInNewPin(id, pin.value, fresh.value, again.value);
    else await core.cashierSignIn(id, pin.value);
    $("signin-error").textContent = "";
    $<HTMLInputElement>("signin-id").value = "";
    $("signin-choose").hidden = true;
    await refreshAccess();
    $("code-input").focus();
  } catch (err) {
    showError(err, $("signin-error"));
    // A right one-time PIN: the core asks for the cashier's own, typed twice.
    const change = errorCode(err) === "pin_change_required";
    // The PIN field is always cleared: a one-time PIN left typed would let whoever
    // comes next choose the cashier's PIN. The new-PIN fields stay shown.
    keepChoose = change || choosing;
    if (change) {
      $("signin-choose").hidden = false;
      pin.focus();
    }
  } finally {
    pin.value = "";
    if (!keepChoose) $("signin-choose").hidden = true;
    fresh.value = "";
    again.value = "";
  }
}

/** The words already drawn, again in the language just chosen. */
function redraw() {
  showCondition();
  if (state.saleView) showSale(state.saleView, state.saleDrawn);
  showIntent(state.current, undefined, true);
  void refreshStatus();
}

export function wire() {
  $("cashier-signin").addEventListener("submit", signIn);
  // A cashier reads the till in their own language from the sign-in form on, until
  // they sign out (the core keeps the choice).
  for (const b of document.querySelectorAll<HTMLButtonElement>("#cashier-signin [data-lang]")) {
    b.addEventListener("click", () => void attempt($("signin-error"), async () => showAccess(await core.chooseLanguage(b.dataset.lang as Lang))));
  }
  $("sign-out").addEventListener("click", async () => {
    await core.cashierSignOut();
    showIntent(null);
    await refreshAccess();
    $("signin-id").focus();
  });
}
