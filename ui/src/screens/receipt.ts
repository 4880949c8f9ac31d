// Receipts print from the core on the receipt printer, never through the desktop's
// print dialog (whose "Print to File" could write over any file the app can write).
// This button asks for the last closed sale's receipt again (the core marks it COPY
// when one printed before); the line beside it says what the printer did, for
// receipts printed on close as well.

import { listen } from "@tauri-apps/api/event";
import type { PrintNote } from "../bindings";
import * as core from "../commands";
import { $, attempt } from "../dom";
import { state } from "../state";
import { printNoteText } from "../view";

function showNote(n: PrintNote) {
  const el = $("print-status");
  el.textContent = printNoteText(n);
  el.dataset.ok = String(n.ok);
}

/** The printer's news: what printed, or why not. */
export async function listenPrinted() {
  await listen<PrintNote>("printed", (e) => showNote(e.payload));
}

/** The button prints the closed sale's receipt; there is none before a sale closes. */
export function showReceiptButton() {
  $<HTMLButtonElement>("print-receipt").disabled = !state.closedSale?.sale;
}

export function wire() {
  $("print-receipt").addEventListener("click", () => {
    const id = state.closedSale?.sale?.id;
    if (id) void attempt($("print-status"), () => core.printReceipt(id));
  });
}
