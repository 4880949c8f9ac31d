// The bar at the top and the banner under it: the terminal, the link to the
// service, the queue, the review count, and the one sentence that says what is
// wrong. Kept current by the core's "sync" events and a poll of its status.

import { listen } from "@tauri-apps/api/event";
import * as core from "../commands";
import type { Connectivity, QueueSummary, SyncEvent } from "../bindings";
import { $ } from "../dom";
import { lineOf, state } from "../state";
import { conditionMessage, type Condition } from "../view";
import { showIntent } from "./outcome";
import { refreshSale } from "./sale";
import { showAccess } from "./signin";
import { setText, t } from "../i18n";
import { showScanner } from "./camera";

export function showCondition() {
  const m = conditionMessage(state.condition);
  const el = $("status-message");
  el.hidden = !m;
  el.textContent = m?.text ?? "";
  el.dataset.level = m?.level ?? "";
  if (state.current) showIntent(state.current, undefined, true);
}

function setCondition(change: Partial<Condition>) {
  state.condition = { ...state.condition, ...change };
  showCondition();
}

function showConnectivity(c: Connectivity) {
  if (state.condition.connectivity !== c) setCondition({ connectivity: c });
  const el = $("connectivity");
  setText(el, c === "offline" ? "link-offline" : c === "degraded" ? "link-degraded" : "link-online");
  el.dataset.state = c;
}

function showQueue(q: QueueSummary, nowMs: number) {
  $("queue-count").textContent = String(q.pending);
  $("review-count").textContent = String(q.needs_review);
  const age = q.oldest_pending_created_at ? Math.max(0, Math.round((nowMs - q.oldest_pending_created_at) / 60000)) : null;
  $("queue-age").textContent = age === null ? "" : t("queue-oldest", { minutes: age });
}

export async function refreshStatus() {
  const s = await core.status();
  $("sandbox-badge").hidden = !s.sandbox;
  $("simulate-offline").hidden = !s.sandbox;
  $("close-terminal").hidden = !s.till_mode;
  showScanner(s.scanner);
  $("terminal-id").textContent = s.terminal_id;
  state.terminalId = s.terminal_id;
  state.timeZone = s.time_zone;
  state.currency = s.currency_symbol;
  state.sounds = s.sounds;
  showAccess(s.access);
  showConnectivity(s.connectivity);
  showQueue(s.queue, s.now_ms);
}

function onSync(ev: SyncEvent) {
  if (ev.type === "connectivity") showConnectivity(ev.state);
  if (ev.type === "queue") showQueue(ev, Date.now());
  if (ev.type === "intent_changed" && (lineOf(ev.intent_id) || ev.intent_id === state.current?.id)) void refreshSale();
  if (ev.type === "key_rejected" && state.condition.keyRejected !== ev.message) setCondition({ keyRejected: ev.message });
  if (ev.type === "store_failure") setCondition({ storeFailure: ev.message });
  // An answer from the service proves the key works again.
  if (ev.type === "intent_changed" && (ev.state === "redeemed" || ev.state === "refused") && state.condition.keyRejected) setCondition({ keyRejected: null });
}

/** The core's news: the link, the queue, an intent that changed, a trouble. */
export async function listenSync() {
  await listen<SyncEvent>("sync", (e) => onSync(e.payload));
}

export function wire() {
  $("simulate-offline").addEventListener("click", async () => {
    const btn = $("simulate-offline");
    const offline = btn.getAttribute("aria-pressed") !== "true";
    await core.sandboxSimulateOffline(offline);
    btn.setAttribute("aria-pressed", String(offline));
    setText(btn, offline ? "restore-network" : "simulate-network-loss");
  });
}
