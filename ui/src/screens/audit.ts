// Manager → the terminal's history (the audit): who did what, newest first, one
// page at a time. Other manager screens reload it after each change they make.

import * as core from "../commands";
import { $, item } from "../dom";
import { state, when } from "../state";
import { managerLoad } from "./pin";
import type { AuditEntry } from "../bindings";

/** The first page of the terminal's history, or (`older`) the next page after it. */
export async function loadAudit(older = false) {
  const page = await core.auditPage(older ? state.auditOlderThan : null);
  const items = page.entries.map(entry);
  if (older) $("audit").append(...items);
  else $("audit").replaceChildren(...items);
  state.auditOlderThan = page.older_than;
  $("audit-older").hidden = page.older_than === null;
}

/** One line of the history: when, then who and what as the terminal records them
 *  (`manager`, `cashier:ann`; `settings_saved`): stable codes, the same as in the
 *  exports, shown as codes rather than as sentences. */
function entry(r: AuditEntry): HTMLLIElement {
  const li = item(`${when(r.at)} `);
  const record = Object.assign(document.createElement("code"), { translate: false });
  record.textContent = `${r.actor} ${r.event}${r.detail ? ` (${r.detail})` : ""}`;
  li.append(record);
  return li;
}

export function wire() {
  $("audit-older").addEventListener("click", () => void managerLoad(loadAudit(true)));
}
