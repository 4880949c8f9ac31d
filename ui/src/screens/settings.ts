// Manager → settings: the terminal's settings and offline policy (read from the
// core, saved to it; the API key is write-only), and the maintenance buttons:
// back up now, save diagnostics, archive old final intents.

import * as core from "../commands";
import type { ConnectionCheck, Lang, OfflinePolicy, TerminalSettings } from "../bindings";
import { $ } from "../dom";
import { loadAudit } from "./audit";
import { managerAttempt } from "./pin";
import { t } from "../i18n";
import { printoutText } from "../view";
import { refreshAccess } from "./signin";

export async function loadSettings() {
  const s = await core.getSettings();
  $<HTMLInputElement>("s-terminal").value = s.terminal.terminal_id;
  $<HTMLInputElement>("s-branch").value = s.terminal.branch_code;
  $<HTMLInputElement>("s-service").value = s.terminal.service_url ?? "";
  const cams = $<HTMLSelectElement>("s-camera");
  cams.replaceChildren(
    ...(s.cameras.length ? s.cameras : [{ index: s.terminal.camera_index, name: t("no-camera-found") }]).map((c) =>
      Object.assign(document.createElement("option"), { value: String(c.index), textContent: c.name, selected: c.index === s.terminal.camera_index }),
    ),
  );
  $<HTMLInputElement>("s-apikey").value = "";
  $<HTMLInputElement>("s-apikey").placeholder = s.api_key_set ? t("api-key-set", { where: s.api_key_location }) : t("api-key-not-set", { where: s.api_key_location });
  $<HTMLInputElement>("s-accept").checked = s.policy.accept_offline;
  $<HTMLInputElement>("s-maxpending").value = String(s.policy.max_pending);
  $<HTMLInputElement>("s-maxage").value = String(Math.round(s.policy.max_pending_age_s / 60));
  $<HTMLInputElement>("s-maxvouchers").value = String(s.policy.max_vouchers_per_code);
  $<HTMLInputElement>("s-idle").value = String(Math.max(1, Math.round(s.terminal.manager_idle_lock_s / 60)));
  $<HTMLInputElement>("s-cashier-idle").value = String(Math.max(1, Math.round(s.terminal.cashier_idle_signout_s / 60)));
  $<HTMLInputElement>("s-cashier").value = s.terminal.cashier_id;
  $<HTMLInputElement>("s-currency").value = s.terminal.currency_symbol;
  $<HTMLInputElement>("s-zone").value = s.terminal.time_zone ?? "";
  $<HTMLInputElement>("s-backups").value = String(s.terminal.backups_kept);
  $<HTMLInputElement>("s-till").checked = s.terminal.till_mode;
  $<HTMLInputElement>("s-autostart").checked = s.terminal.start_on_login;
  $<HTMLInputElement>("s-retention").value = String(s.terminal.retention_days);
  $<HTMLSelectElement>("s-loglevel").value = s.terminal.log_level;
  $<HTMLSelectElement>("s-language").value = s.terminal.language;
  $<HTMLInputElement>("s-sounds").checked = s.terminal.sounds;
  $<HTMLInputElement>("s-printer").value = s.terminal.printer;
  $<HTMLSelectElement>("s-paper").value = String(s.terminal.paper_mm);
  $<HTMLInputElement>("s-autoprint").checked = s.terminal.auto_print;
  $<HTMLInputElement>("s-store-name").value = s.terminal.store_name;
  $<HTMLInputElement>("s-store-uen").value = s.terminal.store_uen;
  $<HTMLTextAreaElement>("s-store-address").value = s.terminal.store_address;
  // A number left blank keeps its saved value, never 0.
  $("settings-form").querySelectorAll<HTMLInputElement>("input[type=number]").forEach((field) => (field.defaultValue = field.value));
  $("settings-form").dataset.service = s.terminal.service_url ?? "";
  delete $("settings-form").dataset.confirmEmpty;
}

/** What Test connection found, in words; the service's own message unchanged. */
function connectionText(c: ConnectionCheck, url: string): string {
  switch (c.result) {
    case "sandbox":
      return t("connection-sandbox");
    case "unreachable":
      return t("connection-unreachable", { url });
    case "no_key":
      return t("connection-no-key", { url });
    case "key_refused":
      return t("connection-key-refused", { status: c.status, message: c.message });
    case "accepted":
      return t("connection-accepted", { url });
    case "list_failed":
      return t("connection-list-failed", { message: c.message });
  }
}

/** A whole, non-negative number from a field; a blank one keeps its saved value. */
const num = (field: HTMLInputElement) => Math.max(0, Math.floor(Number(field.value.trim() || field.defaultValue) || 0));

function terminalSettings(): TerminalSettings {
  return {
    terminal_id: $<HTMLInputElement>("s-terminal").value.trim(),
    branch_code: $<HTMLInputElement>("s-branch").value.trim(),
    service_url: $<HTMLInputElement>("s-service").value.trim() || null,
    camera_index: Number($<HTMLSelectElement>("s-camera").value) || 0,
    manager_idle_lock_s: Math.max(1, num($("s-idle"))) * 60,
    cashier_idle_signout_s: Math.max(1, num($("s-cashier-idle"))) * 60,
    cashier_id: $<HTMLInputElement>("s-cashier").value.trim(),
    currency_symbol: $<HTMLInputElement>("s-currency").value.trim() || "S$",
    time_zone: $<HTMLInputElement>("s-zone").value.trim() || null,
    backups_kept: Math.max(1, num($("s-backups"))),
    till_mode: $<HTMLInputElement>("s-till").checked,
    start_on_login: $<HTMLInputElement>("s-autostart").checked,
    retention_days: num($("s-retention")),
    log_level: $<HTMLSelectElement>("s-loglevel").value,
    language: $<HTMLSelectElement>("s-language").value as Lang,
    sounds: $<HTMLInputElement>("s-sounds").checked,
    printer: $<HTMLInputElement>("s-printer").value.trim() || "none",
    paper_mm: Number($<HTMLSelectElement>("s-paper").value),
    auto_print: $<HTMLInputElement>("s-autoprint").checked,
    store_name: $<HTMLInputElement>("s-store-name").value.trim(),
    store_uen: $<HTMLInputElement>("s-store-uen").value.trim(),
    store_address: $<HTMLTextAreaElement>("s-store-address").value.trim(),
  };
}

function offlinePolicy(): OfflinePolicy {
  return {
    accept_offline: $<HTMLInputElement>("s-accept").checked,
    max_pending: num($("s-maxpending")),
    max_pending_age_s: num($("s-maxage")) * 60,
    max_vouchers_per_code: num($("s-maxvouchers")),
  };
}

async function saveSettings() {
  const terminal = terminalSettings();
  const policy = offlinePolicy();
  // Emptying the service URL puts the till on the demo sandbox at the next start:
  // the manager says so twice.
  const form = $("settings-form");
  if (form.dataset.service && !terminal.service_url && !form.dataset.confirmEmpty) {
    form.dataset.confirmEmpty = "1";
    $("settings-result").textContent = t("confirm-empty-service", { url: form.dataset.service });
    return;
  }
  await managerAttempt($("settings-result"), async () => {
    await core.saveSettings(terminal, policy, $<HTMLInputElement>("s-apikey").value || null);
    // A new language applies at once: the core says which, the page follows.
    await refreshAccess();
    $("settings-result").textContent = t("settings-saved");
    await Promise.all([loadSettings(), loadAudit()]);
  });
}

export function wire() {
  $("settings-form").addEventListener("submit", (e) => {
    e.preventDefault();
    void saveSettings();
  });
  $("save-diagnostics").addEventListener("click", () =>
    managerAttempt($("settings-result"), async () => {
      const path = await core.diagnosticsExport();
      $("settings-result").textContent = path ? t("diagnostics-saved", { path }) : t("cancelled");
    }),
  );
  $("archive-old").addEventListener("click", () =>
    managerAttempt($("settings-result"), async () => {
      const done = await core.archiveOld();
      $("settings-result").textContent = !done
        ? t("cancelled")
        : done.file
          ? t("archived", { count: done.count, file: done.file })
          : t("nothing-to-archive");
      await loadAudit();
    }),
  );
  $("test-print").addEventListener("click", () =>
    managerAttempt($("settings-result"), async () => {
      const typed = terminalSettings();
      const done = await core.testPrint(typed.printer, typed.paper_mm);
      $("settings-result").textContent = t("printed-on", { what: printoutText(done.what), printer: typed.printer });
    }),
  );
  $("test-connection").addEventListener("click", () =>
    managerAttempt($("settings-result"), async () => {
      $("settings-result").textContent = t("testing-connection");
      const typed = terminalSettings();
      const found = await core.testConnection(typed.service_url, $<HTMLInputElement>("s-apikey").value || null);
      $("settings-result").textContent = connectionText(found, typed.service_url ?? "");
    }),
  );
  $("backup-now").addEventListener("click", () =>
    managerAttempt($("settings-result"), async () => {
      $("settings-result").textContent = t("backed-up", { path: await core.backupNow() });
      await loadAudit();
    }),
  );
}
