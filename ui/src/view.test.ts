import { describe, expect, it } from "vitest";
import { isWedgeBurst, money, statusLabel, summarizeCode } from "./view";

describe("what the cashier reads", () => {
  it("labels every state in words, and queued as offline once an attempt failed", () => {
    expect(statusLabel({ state: "redeemed", attempt_count: 1, declined: false })).toBe("Redeemed");
    expect(statusLabel({ state: "unknown", attempt_count: 1, declined: false })).toContain("Queued");
    expect(statusLabel({ state: "queued", attempt_count: 0, declined: false }, "offline")).toContain("offline");
    expect(statusLabel({ state: "needs_review", attempt_count: 2, declined: false })).toContain("Review");
  });

  it("says a declined voucher was paid for another way, not merely cancelled", () => {
    expect(statusLabel({ state: "cancelled", attempt_count: 0, declined: true })).toContain("another way");
    expect(statusLabel({ state: "cancelled", attempt_count: 0, declined: false })).toBe("Cancelled");
  });

  it("summarizes a code by prefix, count and a shortened first id", () => {
    expect(summarizeCode("rsg:v_enT791mQRuqgi03OhaNQB,v_x", 2)).toBe("rsg: 2 vouchers (v_enT791…)");
    expect(summarizeCode("rsg-cfhp:v_1", 1)).toBe("rsg-cfhp: 1 voucher (v_1)");
  });

  it("shows the forfeited surplus and the balance due", () => {
    expect(money(1500, "12.00")).toEqual({ value: "15.00", forfeited: "3.00", due: "0.00" });
    expect(money(500, "12.50")).toEqual({ value: "5.00", forfeited: "0.00", due: "7.50" });
    expect(money(500, "")).toEqual({ value: "5.00", forfeited: "—", due: "—" });
    expect(money(500, "abc")).toEqual({ value: "5.00", forfeited: "—", due: "—" });
  });

  it("tells a handheld scanner's burst from a person typing", () => {
    expect(isWedgeBurst([0, 10, 20, 30, 41])).toBe(true);
    expect(isWedgeBurst([0, 120, 260, 400, 500])).toBe(false);
    expect(isWedgeBurst([0, 10, 20])).toBe(false);
  });
});
