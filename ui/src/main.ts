// The checkout and manager screens. They only display what the core says and send
// the cashier's actions to it; every decision (what a code is, whether a press
// commits, what an outcome means) is made in Rust. Untrusted text (codes, the
// service's messages) only ever reaches the page through textContent.
//
// This file starts the page: each screen in ./screens wires its own elements, and
// the order below is the order the terminal needs (listeners before frames flow).

import * as core from "./commands";
import { $ } from "./dom";
import { state } from "./state";
import * as audit from "./screens/audit";
import { listenScannerStatus, startCamera } from "./screens/camera";
import * as cashiers from "./screens/cashiers";
import * as checkout from "./screens/checkout";
import * as close from "./screens/close";
import * as log from "./screens/log";
import * as manager from "./screens/manager";
import * as receipt from "./screens/receipt";
import * as report from "./screens/report";
import * as sale from "./screens/sale";
import * as settings from "./screens/settings";
import * as signin from "./screens/signin";
import { showStartupProblem } from "./screens/startup";
import * as status from "./screens/status";
import * as wedge from "./screens/wedge";

async function start() {
  // A terminal that could not start says why, and nothing else runs.
  const problem = await core.startupProblem();
  if (problem) return showStartupProblem(problem);
  for (const screen of [checkout, sale, receipt, wedge, status, signin, manager, close, log, settings, report, cashiers, audit]) screen.wire();
  await status.listenSync();
  await receipt.listenPrinted();
  await checkout.listenScans();
  await listenScannerStatus();
  // Only now, with every listener in place, may frames flow: a code held up while
  // the window was opening is then not lost.
  await startCamera();
  await status.refreshStatus();
  // A sale left open (the app was closed or crashed mid-sale) is still the sale.
  await sale.refreshSale();
  setInterval(() => {
    void status.refreshStatus();
    void sale.refreshSale();
  }, 5000);
  document.body.dataset.ready = "true";
  (state.access?.signin_required ? $("signin-id") : $("code-input")).focus();
}

void start();
