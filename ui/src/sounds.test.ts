import { describe, expect, it } from "vitest";
import type { SaleLine } from "./bindings";
import { toneFor } from "./sounds";

const line = (id: string, state: string) => ({ intent: { id, state } }) as unknown as SaleLine;

describe("the tone of an answer", () => {
  it("sounds when a voucher seen before becomes redeemed or refused, and a refusal wins", () => {
    const before = new Map([["a", "in_flight"], ["b", "in_flight"]]);
    expect(toneFor(before, [line("a", "redeemed"), line("b", "in_flight")])).toBe("redeemed");
    expect(toneFor(before, [line("a", "redeemed"), line("b", "refused")])).toBe("refused");
  });

  it("is silent for a sale drawn again, a voucher first seen already answered, or a scan", () => {
    expect(toneFor(new Map([["a", "redeemed"]]), [line("a", "redeemed")])).toBeNull();
    expect(toneFor(new Map(), [line("a", "redeemed")])).toBeNull();
    expect(toneFor(new Map([["a", "scanned"]]), [line("a", "in_flight")])).toBeNull();
  });
});
