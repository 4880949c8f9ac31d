// The camera: its preview, with the outline of a code it found, and its status
// line. The shell reads the codes; the page only shows what the camera sees.

import { Channel } from "@tauri-apps/api/core";
import { listen } from "@tauri-apps/api/event";
import * as core from "../commands";
import type { ErrorCode, ScannerNote } from "../bindings";
import { $ } from "../dom";
import { readPreview } from "../view";
import { t } from "../i18n";

/** What the scanner reads (a camera's name, a folder: data, as it is), or why it
 *  cannot read, in words. */
export function showScanner(n: ScannerNote) {
  const el = $("scanner-status");
  const words: Partial<Record<ErrorCode, string>> = {
    camera_none: t("scanner-no-camera"),
    camera_not_built: t("scanner-not-built"),
    camera_lost: t("scanner-camera-lost"),
  };
  const said = n.problem ? words[n.problem] : undefined;
  el.textContent = n.source ?? said ?? n.message ?? "";
  el.translate = !n.source;
}

export async function listenScannerStatus() {
  await listen<ScannerNote>("scanner-status", (e) => showScanner(e.payload));
}

/** Starts the camera. The preview arrives as raw bytes on its own channel (see
 *  `preview_message` in the shell): a length, the JSON head, then the JPEG. */
export async function startCamera() {
  const preview = new Channel<ArrayBuffer>();
  let shown: string | null = null;
  preview.onmessage = (buf) => {
    const frame = readPreview(buf);
    const img = $<HTMLImageElement>("preview");
    const url = URL.createObjectURL(new Blob([frame.jpeg], { type: "image/jpeg" }));
    img.src = url;
    if (shown) URL.revokeObjectURL(shown);
    shown = url;
    $("preview-box").hidden = false;
    // Attributes are written only when they change: each write makes WebKit lay the
    // outline out again, 15 times a second on an empty counter.
    const svg = $("outline") as unknown as SVGSVGElement;
    const box = `0 0 ${frame.width} ${frame.height}`;
    if (svg.getAttribute("viewBox") !== box) svg.setAttribute("viewBox", box);
    const points = frame.outline ? frame.outline.map(([x, y]) => `${x},${y}`).join(" ") : "";
    const polygon = svg.querySelector("polygon")!;
    if (polygon.getAttribute("points") !== points) polygon.setAttribute("points", points);
  };
  await core.startScanner(preview);
}
