import { describe, expect, it } from "vitest";
import { conditionMessage, formatCents, formatTime, isWedgeBurst, readPreview, statusLabel, summarizeCode } from "./view";

describe("what the cashier reads", () => {
  it("labels every state in words, and queued as offline once an attempt failed", () => {
    expect(statusLabel({ state: "redeemed", attempt_count: 1, declined: false })).toBe("Redeemed");
    expect(statusLabel({ state: "unknown", attempt_count: 1, declined: false })).toContain("Queued");
    expect(statusLabel({ state: "queued", attempt_count: 0, declined: false }, "offline")).toContain("offline");
    expect(statusLabel({ state: "needs_review", attempt_count: 2, declined: false })).toContain("Review");
    expect(statusLabel({ state: "unknown", attempt_count: 1, declined: true }, "offline")).toContain("Declined");
  });

  it("says a declined voucher was paid for another way, not merely cancelled", () => {
    expect(statusLabel({ state: "cancelled", attempt_count: 0, declined: true })).toContain("another way");
    expect(statusLabel({ state: "cancelled", attempt_count: 0, declined: false })).toBe("Cancelled");
  });

  it("summarizes a code by prefix, count and a shortened first id", () => {
    expect(summarizeCode("rsg:v_enT791mQRuqgi03OhaNQB,v_x", 2)).toBe("rsg: 2 vouchers (v_enT791…)");
    expect(summarizeCode("rsg-cfhp:v_1", 1)).toBe("rsg-cfhp: 1 voucher (v_1)");
  });

  it("says each trouble in its own words, the most serious first", () => {
    const ok = { connectivity: "online", keyRejected: null, storeFailure: null };
    expect(conditionMessage(ok)).toBeNull();
    expect(conditionMessage({ ...ok, connectivity: "offline" })!.text).toContain("Offline");
    expect(conditionMessage({ ...ok, connectivity: "degraded" })!.text).toContain("failing for now");
    const key = conditionMessage({ ...ok, connectivity: "degraded", keyRejected: "Invalid API key." })!;
    expect(key.text).toContain("refused this terminal's API key (Invalid API key.)");
    expect(key.text).toContain("Call the manager");
    const disk = conditionMessage({ connectivity: "offline", keyRejected: "x", storeFailure: "The disk is full: nothing was saved." })!;
    expect(disk.text).toContain("cannot take vouchers");
    expect(disk.level).toBe("error");
    expect(statusLabel({ state: "queued", attempt_count: 1, declined: false }, "degraded", true)).toContain("valid API key");
  });

  it("writes times in the store's zone, day first", () => {
    // 2026-11-28 16:05 UTC is 29/11/2026 00:05 in Singapore.
    const t = Date.UTC(2026, 10, 28, 16, 5, 7);
    expect(formatTime(t, "Asia/Singapore")).toBe("29/11/2026 00:05:07");
    expect(formatTime(t, "UTC")).toBe("28/11/2026 16:05:07");
    expect(formatTime(t, "UTC", false)).toBe("16:05:07");
  });

  it("shows cents in the store's currency as the core does", () => {
    expect(formatCents(125000, "S$")).toBe("S$1,250.00");
    expect(formatCents(5, "S$")).toBe("S$0.05");
    expect(formatCents(-1500, "S$")).toBe("-S$15.00");
    expect(formatCents(100000000, "S$")).toBe("S$1,000,000.00");
  });

  it("tells a handheld scanner's burst from a person typing", () => {
    expect(isWedgeBurst([0, 10, 20, 30, 41])).toBe(true);
    expect(isWedgeBurst([0, 120, 260, 400, 500])).toBe(false);
    expect(isWedgeBurst([0, 10, 20])).toBe(false);
  });
});

describe("the camera preview's bytes", () => {
  it("splits the head (size and outline) from the JPEG, as the shell packs them", () => {
    const head = new TextEncoder().encode(JSON.stringify({ width: 640, height: 360, outline: [[1, 2], [3, 4], [5, 6], [7, 8]] }));
    const jpeg = [0xff, 0xd8, 0xff, 0xd9];
    const buf = new Uint8Array(4 + head.length + jpeg.length);
    new DataView(buf.buffer).setUint32(0, head.length, true);
    buf.set(head, 4);
    buf.set(jpeg, 4 + head.length);
    const frame = readPreview(buf.buffer);
    expect([frame.width, frame.height]).toEqual([640, 360]);
    expect(frame.outline![3]).toEqual([7, 8]);
    expect(Array.from(frame.jpeg)).toEqual(jpeg);
  });
});
