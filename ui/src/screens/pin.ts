// The manager PIN form, and the rule every manager screen follows when a call
// finds the session locked (idle time, or locked elsewhere): back to the PIN form,
// saying why. Any other failure is shown where the manager acted.

import * as core from "../commands";
import type { AccessState } from "../bindings";
import { $, attempt, type ErrorPlace, type OnCode } from "../dom";
import { setText } from "../i18n";

/** Asks for the manager PIN (or, the first time, to choose one, typed twice). */
export function showPinForm(a: AccessState, note = "") {
  const first = !a.has_manager_pin;
  setText($("pin-label"), first ? "choose-manager-pin" : "manager-pin");
  $("pin-again").hidden = !first;
  $("pin-again-label").hidden = !first;
  setText($("pin-submit"), first ? "set-pin" : "unlock");
  $("pin-error").textContent = note;
  $("manager-body").hidden = true;
  $("pin-form").hidden = false;
  $("pin-input").focus();
}

/** A manager action failed because the session locked meanwhile: back to the PIN. */
export const whenLocked: OnCode = {
  manager_locked: async (text) => showPinForm(await core.accessState(), text),
};

/** Runs a manager action: a failure is shown in `where`, a locked session asks for the PIN. */
export function managerAttempt(where: ErrorPlace, action: () => Promise<unknown>): Promise<void> {
  return attempt(where, action, whenLocked);
}

/** A manager screen's read: a locked session shows the PIN form again. */
export function managerLoad(p: Promise<unknown>): Promise<void> {
  return managerAttempt($("export-result"), () => p);
}
