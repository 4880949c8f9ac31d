// A terminal that could not start says why, and nothing else runs.

import type { StartupProblem } from "../bindings";
import { $ } from "../dom";

export function showStartupProblem(problem: StartupProblem) {
  $("checkout").hidden = true;
  $("startup-problem").hidden = false;
  $("problem-message").textContent = problem.message;
  $("problem-what").textContent = problem.what_to_do;
  $("problem-code").textContent = problem.code;
  for (const el of [$("tab-checkout"), $("tab-manager"), $("cashier-pill")]) el.hidden = true;
  document.body.dataset.ready = "problem";
}
