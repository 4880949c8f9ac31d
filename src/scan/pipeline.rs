//! Capture thread -> newest-frame slot -> decoder thread -> events.
//!
//! The slot holds one frame: the capture thread overwrites it, the decoder takes
//! whatever is newest. There is no queue to grow, so a slow frame costs one frame
//! of latency, never a backlog. The preview is sent from the capture thread at a
//! bounded rate, scaled down, so it never waits for decoding.
//!
//! A till looks at an empty counter most of the day, so a quiet counter (no frame that
//! may hold a code for [`ScannerConfig::quiet_after`]) costs less: the gate looks at
//! every other frame and the preview slows down; a still one (the picture the same as
//! the last preview's, see [`Thumbnail`]) is not sent to the screen again, but every
//! [`ScannerConfig::still_preview_every`]. The first frame that may hold a code brings
//! both back at once (a code in view is looked at within two frame times).

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Condvar, Mutex};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

use super::decode::{pipeline as decode_pipeline, Decoded, GuardedDecoder};
use super::gate::{EmptyFrameGate, Look, Thumbnail};
use super::{Frame, FrameSource, SourceError};
use crate::domain::voucher::{self, CodeError, VoucherCode};

/// What the scanner tells the checkout screen.
#[derive(Debug, Clone)]
pub enum ScanEvent {
    /// A code was read (after de-duplication) and checked by the voucher parser.
    Code { parsed: Result<VoucherCode, CodeError>, corners: [(f32, f32); 4] },
    /// A scaled-down preview frame, with the outline of a code seen in the last half second.
    Preview { frame: Frame, outline: Option<[(f32, f32); 4]> },
    /// The source's state changed: `Ok(description)` or why it cannot give frames.
    Source(Result<String, SourceError>),
}

#[derive(Debug, Clone)]
pub struct ScannerConfig {
    /// Preview frames per second, at most.
    pub preview_fps: f64,
    /// Preview width in pixels (height follows the aspect ratio).
    pub preview_width: u32,
    /// Longest a frame may take to decode before it is abandoned.
    pub decode_cap: Duration,
    /// The same code seen again within this time is ignored.
    pub repeat_window: Duration,
    /// No frame that may hold a code for this long: the counter is quiet.
    pub quiet_after: Duration,
    /// Preview frames per second, at most, while the counter is quiet.
    pub quiet_preview_fps: f64,
    /// While the counter is quiet and its picture unchanged, the preview is sent this
    /// often: the screen already shows that picture.
    pub still_preview_every: Duration,
}

impl Default for ScannerConfig {
    fn default() -> Self {
        ScannerConfig {
            preview_fps: 15.0,
            preview_width: 320,
            decode_cap: Duration::from_millis(250),
            repeat_window: Duration::from_secs(3),
            quiet_after: Duration::from_secs(2),
            quiet_preview_fps: 5.0,
            still_preview_every: Duration::from_secs(2),
        }
    }
}

/// Ignores a code seen again within the window (measured from its last sighting,
/// so a code held in view does not fire again); a different code replaces it.
#[derive(Debug)]
pub struct RepeatFilter {
    window: Duration,
    last: Option<(Vec<u8>, Instant)>,
}

impl RepeatFilter {
    pub fn new(window: Duration) -> RepeatFilter {
        RepeatFilter { window, last: None }
    }

    /// Whether this sighting is news.
    pub fn admit(&mut self, payload: &[u8], now: Instant) -> bool {
        let fresh = match &self.last {
            Some((p, seen)) if p == payload => now.duration_since(*seen) >= self.window,
            _ => true,
        };
        self.last = Some((payload.to_vec(), now));
        fresh
    }
}

/// Scales a frame down to `width` (nearest neighbour; it is only a preview).
pub fn preview_of(f: &Frame, width: u32) -> Frame {
    if f.width <= width {
        return f.clone();
    }
    let height = ((f.height as u64 * width as u64) / f.width as u64).max(1) as u32;
    let mut luma = Vec::with_capacity((width * height) as usize);
    for y in 0..height {
        let sy = (y as u64 * f.height as u64 / height as u64) as usize;
        for x in 0..width {
            let sx = (x as u64 * f.width as u64 / width as u64) as usize;
            luma.push(f.luma[sy * f.width as usize + sx]);
        }
    }
    Frame::new(width, height, luma)
}

/// Encodes a preview frame as a small JPEG for the screen.
pub fn preview_jpeg(f: &Frame) -> Vec<u8> {
    let mut out = Vec::new();
    let mut enc = image::codecs::jpeg::JpegEncoder::new_with_quality(&mut out, 70);
    let _ = enc.encode(&f.luma, f.width, f.height, image::ExtendedColorType::L8);
    out
}

struct Slot {
    frame: Mutex<Option<Arc<Frame>>>,
    ready: Condvar,
}

/// A running scanner. Stops (and joins its threads) when dropped.
pub struct Scanner {
    stop: Arc<AtomicBool>,
    slot: Arc<Slot>,
    threads: Vec<JoinHandle<()>>,
}

/// When the capture thread sends a preview: at the busy rate while a code may be in
/// view; at the quiet rate on a quiet counter, and then only when its picture changed
/// since the last preview sent, or `still_preview_every` after it.
struct PreviewPacer {
    busy_period: Duration,
    quiet_period: Duration,
    still_every: Duration,
    next: Option<Instant>,
    shown: Option<(Thumbnail, Instant)>,
}

impl PreviewPacer {
    fn new(cfg: &ScannerConfig) -> PreviewPacer {
        PreviewPacer {
            busy_period: Duration::from_secs_f64(1.0 / cfg.preview_fps.max(0.1)),
            quiet_period: Duration::from_secs_f64(1.0 / cfg.quiet_preview_fps.max(0.1)),
            still_every: cfg.still_preview_every,
            next: None,
            shown: None,
        }
    }

    fn due(&mut self, frame: &Frame, now: Instant, quiet: bool) -> bool {
        // A quiet preview's next frame is due later; the first candidate brings it forward.
        let on_time = self.next.is_none_or(|next| now >= next || (!quiet && now + self.busy_period < next));
        if !on_time {
            return false;
        }
        self.next = Some(now + if quiet { self.quiet_period } else { self.busy_period });
        let scene = Thumbnail::of(frame);
        let still = self
            .shown
            .as_ref()
            .is_some_and(|(seen, at)| seen.same_scene(&scene) && now.saturating_duration_since(*at) < self.still_every);
        if quiet && still {
            return false;
        }
        self.shown = Some((scene, now));
        true
    }
}

type Outline = Arc<Mutex<Option<([(f32, f32); 4], Instant)>>>;

/// When the decoder last saw a frame that may hold a code (none yet: quiet).
#[derive(Default)]
struct Activity(Mutex<Option<Instant>>);

impl Activity {
    fn saw_candidate(&self, at: Instant) {
        *self.0.lock().unwrap_or_else(std::sync::PoisonError::into_inner) = Some(at);
    }

    fn quiet(&self, now: Instant, after: Duration) -> bool {
        self.0
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .is_none_or(|t| now.saturating_duration_since(t) >= after)
    }
}

impl Scanner {
    pub fn start(
        mut source: Box<dyn FrameSource>,
        cfg: ScannerConfig,
        sink: impl Fn(ScanEvent) + Send + Sync + 'static,
    ) -> Scanner {
        let stop = Arc::new(AtomicBool::new(false));
        let slot = Arc::new(Slot { frame: Mutex::new(None), ready: Condvar::new() });
        let sink = Arc::new(sink);
        let outline: Outline = Arc::new(Mutex::new(None));
        let activity = Arc::new(Activity::default());

        let capture = {
            let (stop, slot, sink, outline, cfg, activity) =
                (stop.clone(), slot.clone(), sink.clone(), outline.clone(), cfg.clone(), activity.clone());
            std::thread::Builder::new().name("frame-capture".into()).spawn(move || {
                let mut pacer = PreviewPacer::new(&cfg);
                let mut healthy = false;
                while !stop.load(Ordering::Relaxed) {
                    match source.next_frame() {
                        Ok(frame) => {
                            if !healthy {
                                healthy = true;
                                sink(ScanEvent::Source(Ok(source.describe())));
                            }
                            let now = Instant::now();
                            let quiet = activity.quiet(now, cfg.quiet_after);
                            if pacer.due(&frame, now, quiet) {
                                let small = preview_of(&frame, cfg.preview_width);
                                let scale = small.width as f32 / frame.width as f32;
                                let seen = outline.lock().unwrap().and_then(|(c, at)| {
                                    (now.duration_since(at) < Duration::from_millis(500))
                                        .then(|| c.map(|(x, y)| (x * scale, y * scale)))
                                });
                                sink(ScanEvent::Preview { frame: small, outline: seen });
                            }
                            *slot.frame.lock().unwrap() = Some(Arc::new(frame));
                            slot.ready.notify_one();
                        }
                        Err(e) => {
                            let retry = matches!(e, SourceError::CameraLost(_));
                            if healthy || !retry {
                                sink(ScanEvent::Source(Err(e)));
                            }
                            healthy = false;
                            if !retry {
                                break;
                            }
                            std::thread::sleep(Duration::from_secs(1));
                        }
                    }
                }
            })
        }
        .expect("spawn the capture thread");

        let decoder = {
            let (stop, slot, sink) = (stop.clone(), slot.clone(), sink.clone());
            std::thread::Builder::new().name("frame-decode".into()).spawn(move || {
                let mut odd = false;
                let mut guarded = GuardedDecoder::new(decode_pipeline, cfg.decode_cap);
                let mut repeats = RepeatFilter::new(cfg.repeat_window);
                // An empty counter costs one cheap look per frame, not every decoder.
                let mut gate = EmptyFrameGate::default();
                while !stop.load(Ordering::Relaxed) {
                    let frame = {
                        let mut g = slot.frame.lock().unwrap();
                        while g.is_none() && !stop.load(Ordering::Relaxed) {
                            g = slot.ready.wait_timeout(g, Duration::from_millis(200)).unwrap().0;
                        }
                        match g.take() {
                            Some(f) => f,
                            None => break,
                        }
                    };
                    let now = Instant::now();
                    if activity.quiet(now, cfg.quiet_after) {
                        odd = !odd;
                        if odd {
                            continue;
                        }
                    }
                    match gate.look(&frame, now) {
                        Look::Skip => continue,
                        Look::Candidate => activity.saw_candidate(now),
                        Look::FullPass => {}
                    }
                    if let Decoded::Found(found) = guarded.decode(frame) {
                        activity.saw_candidate(Instant::now());
                        let d = &found[0];
                        *outline.lock().unwrap() = Some((d.corners, Instant::now()));
                        if repeats.admit(&d.payload, Instant::now()) {
                            sink(ScanEvent::Code { parsed: voucher::parse_bytes(&d.payload), corners: d.corners });
                        }
                    }
                }
            })
        }
        .expect("spawn the decoder thread");

        Scanner { stop, slot, threads: vec![capture, decoder] }
    }
}

impl Drop for Scanner {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::Relaxed);
        self.slot.ready.notify_all();
        for t in self.threads.drain(..) {
            let _ = t.join();
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_same_code_within_three_seconds_is_ignored_and_a_new_code_replaces_it() {
        let mut f = RepeatFilter::new(Duration::from_secs(3));
        let t0 = Instant::now();
        assert!(f.admit(b"rsg:v_a", t0));
        assert!(!f.admit(b"rsg:v_a", t0 + Duration::from_millis(2900)));
        assert!(f.admit(b"rsg:v_b", t0 + Duration::from_millis(3000)));
        assert!(f.admit(b"rsg:v_a", t0 + Duration::from_millis(3100)), "a different code came between");
        assert!(f.admit(b"rsg:v_a", t0 + Duration::from_millis(6200)), "unseen for 3 s");
    }

    #[test]
    fn a_held_code_does_not_fire_again() {
        let mut f = RepeatFilter::new(Duration::from_secs(3));
        let t0 = Instant::now();
        assert!(f.admit(b"x", t0));
        for s in 1..20 {
            assert!(!f.admit(b"x", t0 + Duration::from_millis(500 * s)));
        }
    }

    #[test]
    fn a_still_quiet_counter_is_previewed_every_two_seconds_a_changing_one_at_five_fps_a_busy_one_faster() {
        let mut pacer = PreviewPacer::new(&ScannerConfig::default());
        let t0 = Instant::now();
        let at = |k: u32| t0 + Duration::from_millis(33 * k as u64);
        let counter = |k: u32| {
            // The same grey counter, with fresh noise in every frame.
            Frame::new(320, 240, (0..320 * 240).map(|i| 120 + ((i * 7 + k * 13) % 17) as u8).collect())
        };
        let sent = |pacer: &mut PreviewPacer, frames: std::ops::Range<u32>, quiet: bool, f: &dyn Fn(u32) -> Frame| {
            frames.filter(|&k| pacer.due(&f(k), at(k), quiet)).count()
        };
        assert_eq!(sent(&mut pacer, 0..300, true, &counter), 5, "10 s of a still, quiet counter: at 0, 2, 4, 6, 8 s");
        let moving = |k: u32| {
            // A hand crossing: a dark band 40 rows tall, 8 rows further down each frame.
            let mut f = counter(k);
            let top = (k as usize * 8) % 200;
            f.luma[top * 320..(top + 40) * 320].fill(0);
            f
        };
        let changing = sent(&mut pacer, 300..330, true, &moving);
        assert!((4..=6).contains(&changing), "1 s of a changing, quiet counter at 5 fps: {changing}");
        let busy = sent(&mut pacer, 330..360, false, &counter);
        // At most 15 a second; on 30 fps frames the next one after 66.7 ms is the third.
        assert!((10..=15).contains(&busy), "1 s with a code about: {busy}");
    }

    #[test]
    fn the_preview_is_scaled_to_its_width() {
        let p = preview_of(&Frame::new(1280, 720, vec![9; 1280 * 720]), 320);
        assert_eq!((p.width, p.height), (320, 180));
    }
}
