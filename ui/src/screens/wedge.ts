// A handheld keyboard-wedge scanner types a burst faster than a person and ends
// with Enter. Such a burst is a scan wherever the focus is: it is caught before any
// field's own handler, and a field it typed into (the sale total, say) gets its
// text back as it was before the burst. Enter typed by a person outside a field is
// the next step of the sale.

import { $ } from "../dom";
import { isWedgeBurst } from "../view";
import { enterPressed, scanText } from "./checkout";

export function wire() {
  let burst: { key: string; t: number }[] = [];
  let burstInto: HTMLInputElement | null = null;
  let before = "";
  document.addEventListener(
    "keydown",
    (e) => {
      if ($("checkout").hidden) return;
      // A dialog is answered with its own buttons: Enter there is the button's.
      if (document.querySelector("dialog[open]")) return;
      const input = e.target instanceof HTMLInputElement ? e.target : null;
      if (e.key === "Enter") {
        const text = burst.map((k) => k.key).join("");
        const isBurst = isWedgeBurst([...burst.map((k) => k.t), e.timeStamp]);
        const into = burstInto;
        burst = [];
        burstInto = null;
        if (isBurst) {
          e.preventDefault();
          e.stopImmediatePropagation();
          if (into) {
            into.value = into.id === "code-input" ? "" : before;
            into.dispatchEvent(new Event("input"));
          }
          void scanText(text);
        } else if (!input) {
          e.preventDefault();
          void enterPressed();
        }
      } else if (e.key.length === 1 && !e.ctrlKey && !e.altKey && !e.metaKey) {
        const last = burst[burst.length - 1];
        if (!last || e.timeStamp - last.t > 35) {
          burst = [];
          burstInto = input;
          before = input?.value ?? "";
        }
        burst.push({ key: e.key, t: e.timeStamp });
      }
    },
    true,
  );
}
