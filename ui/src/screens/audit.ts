// Manager → the terminal's history (the audit): who did what, newest first, one
// page at a time. Other manager screens reload it after each change they make.

import * as core from "../commands";
import { $, item } from "../dom";
import { state, when } from "../state";
import { managerLoad } from "./pin";

/** The first page of the terminal's history, or (`older`) the next page after it. */
export async function loadAudit(older = false) {
  const page = await core.auditPage(older ? state.auditOlderThan : null);
  const items = page.entries.map((r) => item(`${when(r.at)} ${r.actor}: ${r.event.replaceAll("_", " ")}${r.detail ? " (" + r.detail + ")" : ""}`));
  if (older) $("audit").append(...items);
  else $("audit").replaceChildren(...items);
  state.auditOlderThan = page.older_than;
  $("audit-older").hidden = page.older_than === null;
}

export function wire() {
  $("audit-older").addEventListener("click", () => void managerLoad(loadAudit(true)));
}
