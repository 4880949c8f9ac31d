// Item 7 of issue 22: a short tone when the service's answer arrives, so a cashier
// looking at the customer hears it: two rising notes for redeemed, one low note for
// refused. The tone follows what the core said (a voucher of the sale that became
// redeemed or refused since it was last drawn); a sale drawn again, or a page
// reloaded, makes no sound. The terminal's setting turns it off.

import type { SaleLine } from "./bindings";

export type Tone = "redeemed" | "refused";

/** The notes of each tone: frequencies (Hz), each this long (ms). */
const NOTES: Record<Tone, { hz: number[]; ms: number }> = {
  redeemed: { hz: [880, 1320], ms: 90 },
  refused: { hz: [220], ms: 260 },
};

/** The tone for the answers that arrived between two drawings of the sale: each
 *  voucher seen before in another state that is now redeemed or refused. A refusal
 *  wins over a redemption: the cashier must look at the screen. */
export function toneFor(before: Map<string, string>, lines: SaleLine[]): Tone | null {
  let tone: Tone | null = null;
  for (const l of lines) {
    const was = before.get(l.intent.id);
    const now = l.intent.state;
    if (was === undefined || was === now) continue;
    if (now === "refused") return "refused";
    if (now === "redeemed") tone = "redeemed";
  }
  return tone;
}

let audio: AudioContext | null = null;

/** Plays `tone` (nothing where the machine has no sound). The last tone is kept on
 *  the page (`data-tone`) for whoever looks, the end-to-end tests included. */
export function play(tone: Tone) {
  document.documentElement.dataset.tone = tone;
  try {
    audio ??= new AudioContext();
    // WebKit may start it suspended until a gesture; the Redeem press was one.
    if (audio.state === "suspended") void audio.resume();
    const { hz, ms } = NOTES[tone];
    let at = audio.currentTime;
    for (const f of hz) {
      const osc = audio.createOscillator();
      const gain = audio.createGain();
      osc.frequency.value = f;
      gain.gain.setValueAtTime(0.2, at);
      gain.gain.exponentialRampToValueAtTime(0.001, at + ms / 1000);
      osc.connect(gain).connect(audio.destination);
      osc.start(at);
      osc.stop(at + ms / 1000);
      at += ms / 1000;
    }
  } catch {
    /* no audio device: the screen says it all the same */
  }
}
