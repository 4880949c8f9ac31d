// What the page remembers between events, in one object. The core decides
// everything about vouchers and sales; this is only what the page last heard from
// it and what the cashier is in the middle of, so that every screen reads and
// writes the same copy instead of its own module-level variables.

import type { AccessState, Intent, LogCursor, SaleLine, SaleView } from "./bindings";
import { formatCents, formatTime, type Condition } from "./view";

export type Screen = "checkout" | "manager";

export interface PageState {
  /** The voucher the status area is about: the last one scanned or answered. */
  current: Intent | null;
  /** A Redeem press is out: another press, or Enter, does nothing until it returns. */
  pressing: boolean;
  /** The sale at the till, as the core last computed it. The page never decides
   *  anything about it: which vouchers pay, what can close, what needs an answer. */
  saleView: SaleView | null;
  /** The sale just closed, kept for its receipt until the next one starts. */
  closedSale: SaleView | null;
  /** Views of the sale arrive from concurrent calls: only a newer one is drawn. */
  saleAsked: number;
  saleDrawn: number;
  /** Vouchers whose answer (accept, decline, remove) is being sent: their buttons stay
   *  disabled across redraws until the core has answered. */
  answering: Set<string>;
  /** A Next customer being answered: a second press waits for it. */
  closing: boolean;
  /** The sale total's calls, one after another, so the core keeps the last typed. */
  totalSent: Promise<unknown>;
  /** A CFHP code waiting for its receipt number and SKUs before it can be recorded. */
  pendingCfhp: string | null;
  /** What the status bar says about the link to the service and the store. */
  condition: Condition;
  /** The store's time zone, currency symbol and this terminal's id, from the core. */
  timeZone: string | null;
  currency: string;
  terminalId: string;
  /** Who is at the till, as the core last said. */
  access: AccessState | null;
  /** The tab shown. */
  screen: Screen;
  /** Where the manager log's next (older) page starts. */
  logCursor: LogCursor | null;
  /** The cashier whose PIN the reset form is for. */
  resetting: string | null;
  /** Where the next older page of the audit starts; null: the last page is shown. */
  auditOlderThan: number | null;
  /** Each voucher's state when the sale was last drawn (for the answer's tone). */
  heard: Map<string, string>;
  /** The terminal plays a tone for each answer (its setting, from the core). */
  sounds: boolean;
}

export const state: PageState = {
  current: null,
  pressing: false,
  saleView: null,
  closedSale: null,
  saleAsked: 0,
  saleDrawn: 0,
  answering: new Set<string>(),
  closing: false,
  totalSent: Promise.resolve(),
  pendingCfhp: null,
  condition: { connectivity: "online", keyRejected: null, storeFailure: null },
  timeZone: null,
  currency: "S$",
  terminalId: "",
  access: null,
  screen: "checkout",
  logCursor: null,
  resetting: null,
  auditOlderThan: null,
  heard: new Map(),
  sounds: true,
};

/** Cents in the store's currency. */
export const money = (cents: number) => formatCents(cents, state.currency);

/** A time in the store's zone. */
export const when = (ms: number, withDate = true) => formatTime(ms, state.timeZone, withDate);

/** The core's line for an intent of the sale at the till, if it is one. */
export function lineOf(id: string | undefined): SaleLine | null {
  return state.saleView?.lines.find((l) => l.intent.id === id) ?? null;
}
