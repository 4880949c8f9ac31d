// Manager → cashiers: the list, adding one (with a one-time PIN), resetting a
// cashier's PIN, and removing one. With none listed the terminal runs single-user.

import * as core from "../commands";
import type { Cashier } from "../bindings";
import { $, item } from "../dom";
import { state } from "../state";
import { loadAudit } from "./audit";
import { managerAttempt } from "./pin";
import { t } from "../i18n";

export async function loadCashiers() {
  const list = await core.cashierList();
  const ul = $("cashier-list");
  ul.replaceChildren();
  if (list.length === 0) ul.append(item(t("no-cashiers")));
  for (const c of list) ul.append(cashierItem(c));
}

/** One cashier, with the buttons that reset their PIN or remove them. */
function cashierItem(c: Cashier): HTMLLIElement {
  const li = document.createElement("li");
  li.textContent = `${t("cashier-with-id", { name: c.name, id: c.id })} `;
  const reset = Object.assign(document.createElement("button"), { textContent: t("reset-pin") });
  reset.dataset.testid = `reset-${c.id}`;
  reset.addEventListener("click", () => {
    state.resetting = c.id;
    $("cr-who").textContent = t("new-one-time-pin-for", { name: c.name, id: c.id });
    $("cashier-reset").hidden = false;
    $("cr-pin").focus();
  });
  li.append(reset, " ");
  const b = Object.assign(document.createElement("button"), { textContent: t("remove") });
  b.addEventListener("click", () =>
    managerAttempt($("cashier-result"), async () => {
      await core.cashierRemove(c.id);
      await Promise.all([loadCashiers(), loadAudit()]);
    }),
  );
  li.append(b);
  return li;
}

async function addCashier(e: SubmitEvent) {
  e.preventDefault();
  const [id, name, pin, again] = [$<HTMLInputElement>("c-id"), $<HTMLInputElement>("c-name"), $<HTMLInputElement>("c-pin"), $<HTMLInputElement>("c-again")];
  try {
    await managerAttempt($("cashier-result"), async () => {
      const c = await core.cashierAdd(id.value, name.value, pin.value, again.value);
      $("cashier-result").textContent = t("cashier-added", { name: c.name, id: c.id });
      id.value = "";
      name.value = "";
      await Promise.all([loadCashiers(), loadAudit()]);
    });
  } finally {
    pin.value = "";
    again.value = "";
  }
}

async function resetPin(e: SubmitEvent) {
  e.preventDefault();
  const [pin, again] = [$<HTMLInputElement>("cr-pin"), $<HTMLInputElement>("cr-again")];
  try {
    await managerAttempt($("cashier-result"), async () => {
      // The form shows only once a Reset PIN button chose the cashier.
      await core.cashierResetPin(state.resetting as string, pin.value, again.value);
      $("cashier-result").textContent = t("cashier-pin-reset", { id: state.resetting ?? "" });
      $("cashier-reset").hidden = true;
      await loadAudit();
    });
  } finally {
    pin.value = "";
    again.value = "";
  }
}

export function wire() {
  $("cashier-add").addEventListener("submit", addCashier);
  $("cashier-reset").addEventListener("submit", resetPin);
}
