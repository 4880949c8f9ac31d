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
//!
//! Cheaper still is not to look again at what was already looked at. A still counter
//! gives the same picture, give or take sensor noise, frame after frame: a
//! [`Thumbnail`] (block means, in which noise averages out) tells a changed scene from
//! an unchanged one in a tenth of a millisecond. An unchanged scene that held no
//! candidate is not looked at again, and its full pass runs every
//! [`STILL_FULL_PASS_EVERY`]: a code cannot appear without changing the picture.

use std::time::{Duration, Instant};

use super::Frame;

/// The longest the camera loop goes without running the full pipeline on a scene
/// that changed: a code the gate misses is still read within a second, decode time
/// included (72 ms at 1080p).
pub const FULL_PASS_EVERY: Duration = Duration::from_millis(900);

/// The full pass over a scene that has not changed since the last one: only a code
/// that failed to decode by a hair (noise) could be read by running it again.
pub const STILL_FULL_PASS_EVERY: Duration = Duration::from_secs(5);

/// Decides, per frame, whether the decoders run.
#[derive(Debug, Default)]
pub struct EmptyFrameGate {
    last_full: Option<Instant>,
    /// The scene at the last full pass, and at the gate's last look.
    full_scene: Option<Thumbnail>,
    looked_scene: Option<Thumbnail>,
    /// Whether the gate's last look found a candidate.
    last_candidate: bool,
}

/// What the gate made of a frame.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Look {
    /// It may hold a code: decode it.
    Candidate,
    /// It looks empty, but the last full pass is older than [`FULL_PASS_EVERY`] (or,
    /// on an unchanged scene, [`STILL_FULL_PASS_EVERY`]): decode it.
    FullPass,
    /// It looks empty: skip it.
    Skip,
}

impl EmptyFrameGate {
    /// What to do with `frame`, seen at `now`.
    pub fn look(&mut self, frame: &Frame, now: Instant) -> Look {
        let scene = Thumbnail::of(frame);
        let unchanged = |seen: &Option<Thumbnail>| seen.as_ref().is_some_and(|t| t.same_scene(&scene));
        // A scene the gate found empty and that has not changed is empty still.
        if self.last_candidate || !unchanged(&self.looked_scene) {
            self.last_candidate = may_hold_code(frame);
            self.looked_scene = Some(scene.clone());
        }
        let since_full = self.last_full.map(|t| now.saturating_duration_since(t));
        let look = if self.last_candidate {
            Look::Candidate
        } else if since_full
            .is_none_or(|d| d >= STILL_FULL_PASS_EVERY || (d >= FULL_PASS_EVERY && !unchanged(&self.full_scene)))
        {
            Look::FullPass
        } else {
            return Look::Skip;
        };
        self.last_full = Some(now);
        self.full_scene = Some(scene);
        look
    }

    /// Whether to decode `frame` seen at `now` (see [`EmptyFrameGate::look`]).
    pub fn should_decode(&mut self, frame: &Frame, now: Instant) -> bool {
        self.look(frame, now) != Look::Skip
    }
}

/// A frame reduced to the mean luma of each cell of a fixed grid, read on every
/// other row. In a 1280x720 frame a cell averages 600 samples, so sensor noise of
/// +-12 moves a cell's mean by well under one level, while a hand, a phone or a
/// voucher entering the picture moves the cells it covers by tens.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Thumbnail {
    width: u32,
    height: u32,
    cells: Vec<u8>,
}

/// The grid: 32 cells across, 18 down.
const CELLS_X: usize = 32;
const CELLS_Y: usize = 18;
/// A cell whose mean moved by more than this is a change in the scene, not noise.
const SCENE_CHANGE: u8 = 6;

impl Thumbnail {
    pub fn of(f: &Frame) -> Thumbnail {
        let (w, h) = (f.width as usize, f.height as usize);
        let (cw, ch) = (w.div_ceil(CELLS_X).max(1), h.div_ceil(CELLS_Y).max(1));
        let mut sums = vec![0u32; CELLS_X * CELLS_Y];
        let mut counts = vec![0u32; CELLS_X * CELLS_Y];
        for y in (0..h).step_by(2) {
            let row = &f.luma[y * w..(y + 1) * w];
            let base = (y / ch) * CELLS_X;
            for (cx, chunk) in row.chunks(cw).enumerate() {
                sums[base + cx] += chunk.iter().map(|&p| p as u32).sum::<u32>();
                counts[base + cx] += chunk.len() as u32;
            }
        }
        let cells = sums.iter().zip(&counts).map(|(s, n)| if *n == 0 { 0 } else { (s / n) as u8 }).collect();
        Thumbnail { width: f.width, height: f.height, cells }
    }

    /// Whether `other` shows the same scene: the same size, and no cell moved by more
    /// than noise does.
    pub fn same_scene(&self, other: &Thumbnail) -> bool {
        (self.width, self.height) == (other.width, other.height)
            && self.cells.iter().zip(&other.cells).all(|(a, b)| a.abs_diff(*b) <= SCENE_CHANGE)
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
        // The demo source's moving background: a drifting sawtooth with noise.
        background(w, h, t, t * 3)
    }

    /// A still counter: the same background, with the sensor's noise fresh in every frame.
    fn still(w: u32, h: u32, t: u64) -> Frame {
        background(w, h, t, 0)
    }

    fn background(w: u32, h: u32, t: u64, shift: u64) -> Frame {
        let mut f = Frame::new(w, h, vec![0; (w * h) as usize]);
        let mut seed = 12345u64 ^ t;
        for (i, p) in f.luma.iter_mut().enumerate() {
            seed = seed.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407);
            let noise = ((seed >> 33) % 24) as i32 - 12;
            let x = (i as u32 % w) as u64;
            *p = (150 + ((x + shift) % 64) as i32 + noise).clamp(0, 255) as u8;
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
    fn an_empty_counter_is_not_decoded_but_a_full_pass_still_runs_every_900_ms_while_the_scene_changes() {
        for t in 0..30 {
            for (w, h) in [(1280u32, 720u32), (1920, 1080)] {
                assert!(!may_hold_code(&scene(w, h, t)), "empty {w}x{h} frame {t}");
            }
        }
        assert!(!may_hold_code(&Frame::new(640, 480, vec![128; 640 * 480])), "a flat grey frame");
        let mut gate = EmptyFrameGate::default();
        let t0 = Instant::now();
        let ran: Vec<bool> =
            (0..30).map(|k| gate.should_decode(&scene(1280, 720, k), t0 + Duration::from_millis(33 * k))).collect();
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
    fn a_still_counter_is_fully_passed_every_five_seconds_and_a_code_shown_to_it_at_once() {
        let mut gate = EmptyFrameGate::default();
        let t0 = Instant::now();
        let at = |k: u64| t0 + Duration::from_millis(33 * k);
        // Ten seconds at 30 fps of the same counter, its noise fresh in every frame.
        let ran: Vec<u64> = (0..300).filter(|&k| gate.should_decode(&still(1280, 720, k), at(k))).collect();
        assert_eq!(ran, vec![0, 152], "a full pass at the start and 5 s later, none between");
        let mut with_code = still(1280, 720, 300);
        paste(&mut with_code, &render_qr(b"rsg:v_now", 6), 400, 200);
        assert_eq!(gate.look(&with_code, at(300)), Look::Candidate, "the code changes the scene and is looked at");
        assert_eq!(gate.look(&with_code, at(301)), Look::Candidate, "a code held still is looked at again");
        // A scene that changed, but holds no finder pattern: the full pass after 900 ms.
        let mut hand = still(1280, 720, 302);
        hand.luma[..1280 * 200].fill(60);
        assert_eq!(gate.look(&hand, at(302)), Look::Skip, "a full pass ran 33 ms ago");
        assert_eq!(gate.look(&hand, at(330)), Look::FullPass, "the scene changed since that pass");
    }

    #[test]
    fn a_thumbnail_ignores_sensor_noise_but_sees_a_code_a_hand_or_a_new_size() {
        for (w, h) in [(640u32, 480u32), (1280, 720), (1920, 1080), (1000, 333)] {
            let a = Thumbnail::of(&still(w, h, 1));
            assert!(a.same_scene(&Thumbnail::of(&still(w, h, 2))), "{w}x{h}: noise alone");
            let mut coded = still(w, h, 3);
            paste(&mut coded, &render_qr(b"rsg:v_x", 3), (w / 2) as i64, (h / 3) as i64);
            assert!(!a.same_scene(&Thumbnail::of(&coded)), "{w}x{h}: a code came into view");
            let with_hand = |x: usize, t: u64| {
                let mut f = still(w, h, t);
                for row in f.luma.chunks_exact_mut(w as usize).skip(h as usize / 2) {
                    row[x..x + w as usize / 6].fill(70);
                }
                Thumbnail::of(&f)
            };
            assert!(with_hand(10, 4).same_scene(&with_hand(10, 5)), "{w}x{h}: a hand held still");
            assert!(!with_hand(10, 4).same_scene(&with_hand(10 + w as usize / 12, 5)), "{w}x{h}: the hand moved");
        }
        assert!(!Thumbnail::of(&still(640, 480, 1)).same_scene(&Thumbnail::of(&still(480, 640, 1))));
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
