//! A cheap look for a QR code before the costly decoders run.
//!
//! A till's camera looks at an empty counter almost all day, and every decoder stage
//! run on an empty frame costs tens of milliseconds on a 2-core till. A QR code has
//! three finder patterns, each crossed by a scan line as dark, light, dark, light,
//! dark runs in the ratio 1:1:3:1:1, over several lines. This module looks for that
//! on every other row against a local mean (one pass over the pixels, no
//! allocation per pixel), and calls a frame empty when no such run stands on two
//! rows at the same place. A frame it calls empty is not decoded, except that the
//! full pipeline still runs at least every [`FULL_PASS_EVERY`], so a code only the
//! later stages can read (blurred, low contrast) is read within a second all the
//! same. Stills (the `decode` command, the corpus tests) never pass through here.

use std::time::{Duration, Instant};

use super::Frame;

/// The longest the camera loop goes without running the full pipeline: a code the
/// gate misses is still read within a second, decode time included (72 ms at 1080p).
pub const FULL_PASS_EVERY: Duration = Duration::from_millis(900);

/// Decides, per frame, whether the decoders run.
#[derive(Debug, Default)]
pub struct EmptyFrameGate {
    last_full: Option<Instant>,
}

/// What the gate made of a frame.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Look {
    /// It may hold a code: decode it.
    Candidate,
    /// It looks empty, but the last full pass is older than [`FULL_PASS_EVERY`]: decode it.
    FullPass,
    /// It looks empty: skip it.
    Skip,
}

impl EmptyFrameGate {
    /// What to do with `frame`, seen at `now`.
    pub fn look(&mut self, frame: &Frame, now: Instant) -> Look {
        let look = if may_hold_code(frame) {
            Look::Candidate
        } else if self.last_full.is_none_or(|t| now.saturating_duration_since(t) >= FULL_PASS_EVERY) {
            Look::FullPass
        } else {
            return Look::Skip;
        };
        self.last_full = Some(now);
        look
    }

    /// Whether to decode `frame` seen at `now`: when it may hold a code, or when the
    /// last full pass is older than [`FULL_PASS_EVERY`].
    pub fn should_decode(&mut self, frame: &Frame, now: Instant) -> bool {
        self.look(frame, now) != Look::Skip
    }
}

/// Luma differences smaller than this from the local mean keep the run's colour:
/// sensor noise does not split a run.
const HYSTERESIS: i32 = 12;
/// A finder pattern is printed black on white: its dark runs average at least this
/// much below its light ones. Texture and noise that happen to fall 1:1:3:1:1 do not.
const MIN_CONTRAST: u32 = 40;
/// More candidates than this: a busy scene; let the decoders look.
const MAX_CANDIDATES: usize = 4000;

/// Whether the frame may hold a QR code: a finder-pattern run (1:1:3:1:1) found on
/// two sampled rows at the same place. False positives only cost a decode.
pub fn may_hold_code(f: &Frame) -> bool {
    let (w, h) = (f.width as usize, f.height as usize);
    if w < 21 || h < 21 || f.luma.len() < w * h {
        return true;
    }
    let half = (w / 80).max(4); // half the local-mean window: 16 px at 1280
    let mut prefix = vec![0u32; w + 1]; // a row's running sum: under 2^32 for any width up to 16 million
    let mut runs: Vec<(usize, u32)> = Vec::with_capacity(64); // (start, length)
    let mut found: Vec<(f32, usize, f32)> = Vec::new(); // (centre x, row, module)
                                                        // Every other row up to 720 lines, every third at 1080: a finder pattern is seven
                                                        // modules tall, so it still stands on several sampled rows.
    let step = (h / 360).max(2);
    // Every pixel of a row up to 960 wide, every other one beyond: a module of a code
    // a cashier holds up spans several pixels there.
    let xs = if w > 960 { 2 } else { 1 };
    for y in (0..h).step_by(step) {
        let row = &f.luma[y * w..(y + 1) * w];
        for (x, &p) in row.iter().enumerate() {
            prefix[x + 1] = prefix[x] + p as u32;
        }
        runs.clear();
        // Against the local mean, without a division: p * n against the window's sum.
        let shade = |x: usize, was_dark: bool| {
            let (a, b) = (x.saturating_sub(half), (x + half + 1).min(w));
            let (n, sum) = ((b - a) as i32, (prefix[b] - prefix[a]) as i32);
            let (p, margin) = (row[x] as i32 * n, HYSTERESIS * n);
            if p < sum - margin {
                true
            } else if p > sum + margin {
                false
            } else {
                was_dark
            }
        };
        // Runs alternate colour from the first pixel's.
        let first_dark = shade(0, false);
        let mut dark = first_dark;
        let mut start = 0;
        for x in (xs..w).step_by(xs) {
            let now_dark = shade(x, dark);
            if now_dark != dark {
                runs.push((start, (x - start) as u32));
                start = x;
                dark = now_dark;
            }
        }
        runs.push((start, (w - start) as u32));
        for i in 0..runs.len().saturating_sub(4) {
            let is_dark = (i % 2 == 0) == first_dark;
            if !is_dark {
                continue;
            }
            let r = [runs[i].1, runs[i + 1].1, runs[i + 2].1, runs[i + 3].1, runs[i + 4].1];
            let Some(module) = finder_ratio(&r) else { continue };
            let sum = |k: usize| prefix[runs[k].0 + runs[k].1 as usize] - prefix[runs[k].0];
            let dark_mean = (sum(i) + sum(i + 2) + sum(i + 4)) / (r[0] + r[2] + r[4]);
            let light_mean = (sum(i + 1) + sum(i + 3)) / (r[1] + r[3]);
            if light_mean >= dark_mean + MIN_CONTRAST {
                let centre = runs[i + 2].0 as f32 + runs[i + 2].1 as f32 / 2.0;
                found.push((centre, y, module));
                if found.len() > MAX_CANDIDATES {
                    return true;
                }
            }
        }
    }
    // A finder pattern is seven modules tall: the same run on another sampled row.
    found.sort_by(|a, b| a.0.total_cmp(&b.0));
    for (k, &(x, y, m)) in found.iter().enumerate() {
        for &(x2, y2, _) in found[k + 1..].iter().take_while(|c| c.0 - x <= m.max(1.0) * 1.5) {
            let dy = y.abs_diff(y2) as f32;
            if dy > 0.0 && dy <= 7.0 * m + 2.0 && (x2 - x).abs() <= m.max(1.0) * 1.5 {
                return true;
            }
        }
    }
    false
}

/// The module size when five runs stand in the ratio 1:1:3:1:1 (within half a
/// module for the ones, a module and a half for the three), else none.
fn finder_ratio(r: &[u32; 5]) -> Option<f32> {
    let total: u32 = r.iter().sum();
    if total < 7 {
        return None;
    }
    let unit = total as f32 / 7.0;
    let ok = |run: u32, k: f32, tol: f32| (run as f32 - k * unit).abs() <= tol * unit;
    (ok(r[0], 1.0, 0.75) && ok(r[1], 1.0, 0.75) && ok(r[2], 3.0, 1.5) && ok(r[3], 1.0, 0.75) && ok(r[4], 1.0, 0.75))
        .then_some(unit)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::scan::sources::{paste, render_qr};

    fn scene(w: u32, h: u32, t: u64) -> Frame {
        // The demo source's background: a moving sawtooth with noise.
        let mut f = Frame::new(w, h, vec![0; (w * h) as usize]);
        let mut seed = 12345u64 ^ t;
        for (i, p) in f.luma.iter_mut().enumerate() {
            seed = seed.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407);
            let noise = ((seed >> 33) % 24) as i32 - 12;
            let x = (i as u32 % w) as u64;
            *p = (150 + ((x + t * 3) % 64) as i32 + noise).clamp(0, 255) as u8;
        }
        f
    }

    #[test]
    fn a_code_of_any_size_in_view_passes_the_gate() {
        for (w, h) in [(640u32, 480u32), (1280, 720), (1920, 1080)] {
            for module in [2u32, 3, 6, 10] {
                let code = render_qr(b"rsg:v_gate1,v_gate2,v_gate3", module);
                if code.width + 20 > w || code.height + 20 > h {
                    continue;
                }
                let mut f = scene(w, h, module as u64);
                paste(&mut f, &code, (w as i64 - code.width as i64) / 3, (h as i64 - code.height as i64) / 2);
                assert!(may_hold_code(&f), "{w}x{h}, {module} px modules");
            }
        }
    }

    #[test]
    fn an_empty_counter_is_not_decoded_but_a_full_pass_still_runs_every_900_ms() {
        for t in 0..30 {
            for (w, h) in [(1280u32, 720u32), (1920, 1080)] {
                assert!(!may_hold_code(&scene(w, h, t)), "empty {w}x{h} frame {t}");
            }
        }
        assert!(!may_hold_code(&Frame::new(640, 480, vec![128; 640 * 480])), "a flat grey frame");
        let mut gate = EmptyFrameGate::default();
        let t0 = Instant::now();
        let empty = scene(1280, 720, 1);
        let ran: Vec<bool> = (0..30).map(|k| gate.should_decode(&empty, t0 + Duration::from_millis(33 * k))).collect();
        // 30 frames at 30 fps: the first, then the first one 900 ms later.
        assert_eq!(ran.iter().filter(|r| **r).count(), 2, "{ran:?}");
        assert!(ran[0] && ran[28]);
        let mut with_code = scene(1280, 720, 2);
        paste(&mut with_code, &render_qr(b"rsg:v_now", 6), 400, 200);
        assert!(
            gate.should_decode(&with_code, t0 + Duration::from_millis(33 * 31)),
            "a code in view is decoded at once"
        );
    }

    #[test]
    fn the_gate_tells_a_candidate_from_a_periodic_full_pass() {
        // The camera loop slows down on a quiet counter only while no candidate is seen,
        // so a periodic pass over an empty frame must not count as one.
        let mut gate = EmptyFrameGate::default();
        let t0 = Instant::now();
        let empty = scene(1280, 720, 1);
        assert_eq!(gate.look(&empty, t0), Look::FullPass);
        assert_eq!(gate.look(&empty, t0 + Duration::from_millis(33)), Look::Skip);
        let mut with_code = scene(1280, 720, 2);
        paste(&mut with_code, &render_qr(b"rsg:v_now", 6), 400, 200);
        assert_eq!(gate.look(&with_code, t0 + Duration::from_millis(66)), Look::Candidate);
        assert_eq!(
            gate.look(&empty, t0 + Duration::from_millis(99)),
            Look::Skip,
            "a candidate's decode counts as the full pass"
        );
    }
}
