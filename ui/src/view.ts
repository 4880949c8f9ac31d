// Pure display helpers, tested with vitest: labels, code summaries, money, and the
// keyboard-wedge timing rule. They format; they decide nothing about vouchers.
// The types come from ./bindings.ts, generated from the Rust types.

import type { Intent } from "./bindings";

/** The word the cashier reads, never colour alone. */
export function statusLabel(i: Pick<Intent, "state" | "attempt_count" | "declined">, connectivity?: string): string {
  switch (i.state) {
    case "scanned":
      return "Scanned — press Redeem";
    case "in_flight":
      return "Sending…";
    case "queued":
    case "unknown":
      return connectivity === "offline" || i.attempt_count > 0 ? "Queued — offline, not yet confirmed" : "Queued — sending";
    case "redeemed":
      return "Redeemed";
    case "refused":
      return "Refused";
    case "needs_review":
      return "Review — a manager must settle this";
    case "cancelled":
      return i.declined ? "Declined — customer paid another way" : "Cancelled";
  }
}

/** "rsg-cfhp: 3 vouchers (v_enT7…)" — the prefix, the count, and the first id shortened. */
export function summarizeCode(code: string, count: number): string {
  const colon = code.indexOf(":");
  const prefix = colon > 0 ? code.slice(0, colon) : code;
  const first = colon > 0 ? code.slice(colon + 1).split(",")[0] : "";
  const short = first.length > 8 ? first.slice(0, 8) + "…" : first;
  return `${prefix}: ${count} voucher${count === 1 ? "" : "s"}${short ? ` (${short})` : ""}`;
}

/** Voucher value applied to the sale, the forfeited surplus, and the balance due
 *  ("—" until the sale total is entered: nothing is forfeited against an unknown sale). */
export function money(valueCents: number, saleText: string): { value: string; forfeited: string; due: string } {
  const fmt0 = (c: number) => (c / 100).toFixed(2);
  const parsed = Number.parseFloat(saleText);
  if (!saleText.trim() || !Number.isFinite(parsed) || parsed < 0) return { value: fmt0(valueCents), forfeited: "—", due: "—" };
  const sale = Math.round(parsed * 100);
  const applied = Math.min(valueCents, sale);
  const fmt = (c: number) => (c / 100).toFixed(2);
  return { value: fmt(valueCents), forfeited: fmt(Math.max(0, valueCents - sale)), due: fmt(Math.max(0, sale - applied)) };
}

/** A handheld scanner types at least 4 keys with every gap under 35 ms. */
export function isWedgeBurst(times: number[]): boolean {
  if (times.length < 4) return false;
  for (let k = 1; k < times.length; k++) if (times[k] - times[k - 1] > 35) return false;
  return true;
}
