// The two tabs, and the way into the manager screens: the PIN (chosen the first
// time), what loads once unlocked, locking on leaving or on Lock, and changing the
// manager PIN.

import * as core from "../commands";
import { $, showError } from "../dom";
import { state, type Screen } from "../state";
import { loadAudit } from "./audit";
import { loadCashiers } from "./cashiers";
import { loadLog } from "./log";
import { managerAttempt, managerLoad, showPinForm } from "./pin";
import { loadInbox } from "./review";
import { loadSettings } from "./settings";
import { refreshAccess, showAccess } from "./signin";
import { t } from "../i18n";

function showScreen(which: Screen) {
  const leaving = state.screen === "manager" && which !== "manager";
  state.screen = which;
  $("manager").hidden = which !== "manager";
  $("tab-checkout").setAttribute("aria-pressed", String(which === "checkout"));
  $("tab-manager").setAttribute("aria-pressed", String(which === "manager"));
  if (leaving) {
    // Leaving the manager screens locks them: the next person must type the PIN.
    $("manager-body").hidden = true;
    void core.managerLock();
  }
  if (which === "manager") {
    $("checkout").hidden = true;
    $("signin").hidden = true;
    void openManager();
  } else {
    if (state.access) showAccess(state.access);
    void refreshAccess().then(() => (state.access?.signin_required ? $("signin-id") : $("code-input")).focus());
  }
}

async function openManager() {
  const a = await core.accessState();
  state.access = a;
  if (a.manager_unlocked) await showManagerBody();
  else showPinForm(a);
}

async function showManagerBody() {
  $("pin-form").hidden = true;
  $("manager-body").hidden = false;
  await managerLoad(Promise.all([loadLog(true), loadInbox(), loadSettings(), loadCashiers(), loadAudit()]));
}

/** The PIN form: unlocks, or the first time sets the PIN (typed twice). */
async function unlock(e: SubmitEvent) {
  e.preventDefault();
  const pin = $<HTMLInputElement>("pin-input");
  const again = $<HTMLInputElement>("pin-again");
  try {
    if (state.access && !state.access.has_manager_pin) await core.managerSetPin(pin.value, again.value);
    else await core.managerUnlock(pin.value);
    $("pin-error").textContent = "";
    state.access = await core.accessState();
    await showManagerBody();
  } catch (err) {
    showError(err, $("pin-error"));
  } finally {
    pin.value = "";
    again.value = "";
  }
}

async function changePin(e: SubmitEvent) {
  e.preventDefault();
  const [current, fresh, again] = [$<HTMLInputElement>("pc-current"), $<HTMLInputElement>("pc-new"), $<HTMLInputElement>("pc-again")];
  try {
    await managerAttempt($("pin-change-result"), async () => {
      await core.managerChangePin(current.value, fresh.value, again.value);
      $("pin-change-result").textContent = t("manager-pin-changed");
      await refreshAccess();
      await loadAudit();
    });
  } finally {
    for (const f of [current, fresh, again]) f.value = "";
  }
}

export function wire() {
  $("tab-checkout").addEventListener("click", () => showScreen("checkout"));
  $("tab-manager").addEventListener("click", () => showScreen("manager"));
  // The header's review count opens the inbox (behind the manager PIN).
  $("review-link").addEventListener("click", () => {
    showScreen("manager");
    $("review").scrollIntoView();
  });
  $("pin-form").addEventListener("submit", unlock);
  $("lock-manager").addEventListener("click", async () => {
    await core.managerLock();
    showPinForm(await core.accessState());
  });
  $("pin-change").addEventListener("submit", changePin);
}
