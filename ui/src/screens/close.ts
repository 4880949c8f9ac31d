// Till mode: closing the window (the desktop's close, or the manager's button)
// asks for the manager PIN; the shell keeps the window open until it is given.

import { listen } from "@tauri-apps/api/event";
import * as core from "../commands";
import { $, showError } from "../dom";

function askToClose() {
  $("close-error").textContent = "";
  $<HTMLInputElement>("close-pin").value = "";
  $<HTMLDialogElement>("close-dialog").showModal();
  $("close-pin").focus();
}

export function wire() {
  void listen("close-requested", askToClose);
  $("close-terminal").addEventListener("click", askToClose);
  $("close-cancel").addEventListener("click", () => $<HTMLDialogElement>("close-dialog").close());
  $("close-form").addEventListener("submit", async (e) => {
    e.preventDefault();
    const pin = $<HTMLInputElement>("close-pin");
    try {
      await core.closeTerminal(pin.value);
    } catch (err) {
      showError(err, $("close-error"));
    } finally {
      pin.value = "";
    }
  });
}
