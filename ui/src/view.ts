// Pure display helpers, tested with vitest: labels, code summaries, money, and the
// keyboard-wedge timing rule. They format; they decide nothing about vouchers.
// The types come from ./bindings.ts, generated from the Rust types.

import type { Intent } from "./bindings";

/** The word the cashier reads, never colour alone. */
export function statusLabel(i: Pick<Intent, "state" | "attempt_count" | "declined">, connectivity?: string, keyRejected = false): string {
  switch (i.state) {
    case "scanned":
      return "Scanned — press Redeem";
    case "in_flight":
      return "Sending…";
    case "queued":
    case "unknown":
      // Never sent again; the terminal only checks whether an earlier attempt went through.
      if (i.declined) return "Declined — customer paid another way";
      if (keyRejected) return "Queued — waiting for a valid API key";
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

/** What the terminal's link to the service is like, as the page knows it. */
export type Condition = {
  connectivity: string;
  /** The service's message when it refused the API key (401). */
  keyRejected: string | null;
  /** The store's message when the terminal could not save. */
  storeFailure: string | null;
};

/** The one sentence that tells the cashier what is wrong and what to do, most
 *  serious first; null when all is well. Each condition has its own words. */
export function conditionMessage(c: Condition): { text: string; level: "error" | "info" } | null {
  if (c.storeFailure) return { level: "error", text: `The terminal cannot save (${c.storeFailure}): it cannot take vouchers now. Take another payment and call the engineer on call.` };
  if (c.keyRejected) return { level: "error", text: `The voucher service refused this terminal's API key (${c.keyRejected}). Vouchers wait in the queue. Call the manager: the right key goes in Manager → Settings.` };
  if (c.connectivity === "offline") return { level: "info", text: "Offline: the voucher service cannot be reached. Scanned vouchers are kept and sent when the link returns; follow the store's policy for this sale." };
  if (c.connectivity === "degraded") return { level: "info", text: "The voucher service is failing for now. Vouchers are kept and retried; nothing is lost." };
  return null;
}

/** A time in the store's zone, day/month/year as Singapore writes it. */
export function formatTime(ms: number, timeZone: string | null, withDate = true): string {
  const opts: Intl.DateTimeFormatOptions = { day: "2-digit", month: "2-digit", year: "numeric", hour: "2-digit", minute: "2-digit", second: "2-digit", hourCycle: "h23" };
  if (timeZone) opts.timeZone = timeZone;
  const p = Object.fromEntries(new Intl.DateTimeFormat("en-GB", opts).formatToParts(new Date(ms)).map((x) => [x.type, x.value]));
  const time = `${p.hour}:${p.minute}:${p.second}`;
  // One format everywhere, the core's receipts included: day/month/year, 24 hours.
  return withDate ? `${p.day}/${p.month}/${p.year} ${time}` : time;
}

/** Cents the core sent, in the store's currency: `S$1,250.00` (the core's own format). */
export function formatCents(cents: number, symbol: string): string {
  const sign = cents < 0 ? "-" : "";
  const c = Math.abs(Math.trunc(cents));
  const units = Math.floor(c / 100).toString().replace(/\B(?=(\d{3})+(?!\d))/g, ",");
  return `${sign}${symbol}${units}.${String(c % 100).padStart(2, "0")}`;
}

/** A handheld scanner types at least 4 keys with every gap under 35 ms. */
export function isWedgeBurst(times: number[]): boolean {
  if (times.length < 4) return false;
  for (let k = 1; k < times.length; k++) if (times[k] - times[k - 1] > 35) return false;
  return true;
}

/** One camera preview frame as the shell sends it: a little-endian u32 length, that
 * many bytes of JSON (width, height, outline), then the JPEG. */
export interface PreviewFrame {
  width: number;
  height: number;
  outline: [number, number][] | null;
  jpeg: Uint8Array<ArrayBuffer>;
}

export function readPreview(buf: ArrayBuffer): PreviewFrame {
  const headLen = new DataView(buf).getUint32(0, true);
  const head = JSON.parse(new TextDecoder().decode(new Uint8Array(buf, 4, headLen))) as Omit<PreviewFrame, "jpeg">;
  return { width: head.width, height: head.height, outline: head.outline, jpeg: new Uint8Array(buf, 4 + headLen) };
}
