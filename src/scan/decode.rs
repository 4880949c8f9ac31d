//! QR decoding with rqrr, made safe and fast enough for a live camera.
//!
//! The terminal's strategy: try a half-size frame first (a phone held at the
//! counter fills much of the view, so a quarter of the pixels usually suffice), and
//! decode the full frame only when the small pass finds nothing. The benchmark
//! (`benches/scanner.rs`) compares this with full-frame rqrr and quircs.

use std::panic::{catch_unwind, AssertUnwindSafe};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::mpsc;
use std::sync::Arc;
use std::time::Duration;

use super::Frame;

/// One code found in a frame: its raw payload and its corners in frame pixels.
#[derive(Debug, Clone, PartialEq)]
pub struct Detection {
    pub payload: Vec<u8>,
    pub corners: [(f32, f32); 4],
}

/// Full-frame rqrr: every code it can read in the frame.
pub fn rqrr_full(frame: &Frame) -> Vec<Detection> {
    rqrr_scaled(frame, 1.0)
}

fn rqrr_scaled(frame: &Frame, scale: f32) -> Vec<Detection> {
    let w = frame.width as usize;
    let mut img = rqrr::PreparedImage::prepare_from_greyscale(w, frame.height as usize, |x, y| frame.luma[y * w + x]);
    let mut out = Vec::new();
    for grid in img.detect_grids() {
        let mut payload = Vec::new();
        if grid.decode_to(&mut payload).is_ok() {
            let b = grid.bounds;
            let c = |i: usize| (b[i].x as f32 * scale, b[i].y as f32 * scale);
            out.push(Detection { payload, corners: [c(0), c(1), c(2), c(3)] });
        }
    }
    out
}

/// Frames larger than this on their long side get a half-size pass first.
pub const HALF_PASS_ABOVE: u32 = 800;

/// The terminal's pipeline: half size first on large frames, full frame if needed.
pub fn pipeline(frame: &Frame) -> Vec<Detection> {
    if frame.width.max(frame.height) > HALF_PASS_ABOVE {
        let found = rqrr_scaled(&frame.half(), 2.0);
        if !found.is_empty() {
            return found;
        }
    }
    rqrr_full(frame)
}

/// What one guarded decode came to.
#[derive(Debug, Clone, PartialEq)]
pub enum Decoded {
    Found(Vec<Detection>),
    Nothing,
    /// The decoder panicked on this frame (a crafted or broken image).
    Panicked,
    /// The frame took longer than the cap; the decoder moved on without it.
    TimedOut,
}

/// Counts of what went wrong, for the status line and the logs.
#[derive(Debug, Default)]
pub struct DecodeStats {
    pub frames: AtomicUsize,
    pub panics: AtomicUsize,
    pub timeouts: AtomicUsize,
}

type Job = (Arc<Frame>, mpsc::Sender<Decoded>);

/// Runs a decode function on a worker thread under `catch_unwind` with a time cap.
/// A frame that overruns the cap is abandoned: its worker finishes it alone and a
/// fresh worker takes the next frame. At most `MAX_STUCK` workers may be abandoned
/// at once; beyond that frames are skipped until one finishes.
pub struct GuardedDecoder {
    decode: fn(&Frame) -> Vec<Detection>,
    cap: Duration,
    jobs: Option<mpsc::Sender<Job>>,
    stuck: Arc<AtomicUsize>,
    pub stats: Arc<DecodeStats>,
}

const MAX_STUCK: usize = 2;

impl GuardedDecoder {
    pub fn new(decode: fn(&Frame) -> Vec<Detection>, cap: Duration) -> GuardedDecoder {
        GuardedDecoder { decode, cap, jobs: None, stuck: Arc::new(AtomicUsize::new(0)), stats: Arc::default() }
    }

    fn worker(&mut self) -> mpsc::Sender<Job> {
        if let Some(tx) = &self.jobs {
            return tx.clone();
        }
        let (tx, rx) = mpsc::channel::<Job>();
        let decode = self.decode;
        std::thread::Builder::new()
            .name("qr-decoder".into())
            .spawn(move || {
                for (frame, reply) in rx {
                    let r = match catch_unwind(AssertUnwindSafe(|| decode(&frame))) {
                        Ok(found) if found.is_empty() => Decoded::Nothing,
                        Ok(found) => Decoded::Found(found),
                        Err(_) => Decoded::Panicked,
                    };
                    let _ = reply.send(r);
                }
            })
            .expect("spawn the decoder thread");
        self.jobs = Some(tx.clone());
        tx
    }

    pub fn decode(&mut self, frame: Arc<Frame>) -> Decoded {
        self.stats.frames.fetch_add(1, Ordering::Relaxed);
        if self.stuck.load(Ordering::SeqCst) >= MAX_STUCK {
            self.stats.timeouts.fetch_add(1, Ordering::Relaxed);
            return Decoded::TimedOut;
        }
        let (reply_tx, reply_rx) = mpsc::channel();
        if self.worker().send((frame, reply_tx)).is_err() {
            self.jobs = None; // the worker died; the next frame gets a new one
            return Decoded::Panicked;
        }
        match reply_rx.recv_timeout(self.cap) {
            Ok(r) => {
                if r == Decoded::Panicked {
                    self.stats.panics.fetch_add(1, Ordering::Relaxed);
                }
                r
            }
            Err(_) => {
                // Abandon this worker: it finishes the slow frame, then exits when its
                // job channel (dropped here) closes.
                self.stats.timeouts.fetch_add(1, Ordering::Relaxed);
                self.jobs = None;
                let stuck = self.stuck.clone();
                stuck.fetch_add(1, Ordering::SeqCst);
                std::thread::spawn(move || {
                    let _ = reply_rx.recv();
                    stuck.fetch_sub(1, Ordering::SeqCst);
                });
                Decoded::TimedOut
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn panics(_: &Frame) -> Vec<Detection> {
        panic!("crafted image")
    }

    fn slow(_: &Frame) -> Vec<Detection> {
        std::thread::sleep(Duration::from_millis(300));
        vec![]
    }

    fn blank() -> Arc<Frame> {
        Arc::new(Frame::new(4, 4, vec![255; 16]))
    }

    #[test]
    fn a_panicking_decode_is_counted_and_the_next_frame_still_decodes() {
        let mut d = GuardedDecoder::new(panics, Duration::from_secs(5));
        assert_eq!(d.decode(blank()), Decoded::Panicked);
        assert_eq!(d.decode(blank()), Decoded::Panicked);
        assert_eq!(d.stats.panics.load(Ordering::Relaxed), 2);
    }

    #[test]
    fn a_slow_frame_is_abandoned_at_the_cap() {
        let mut d = GuardedDecoder::new(slow, Duration::from_millis(20));
        let t = std::time::Instant::now();
        assert_eq!(d.decode(blank()), Decoded::TimedOut);
        assert!(t.elapsed() < Duration::from_millis(250), "the caller waited for the slow frame");
        assert_eq!(d.stats.timeouts.load(Ordering::Relaxed), 1);
    }

    #[test]
    fn a_blank_frame_has_nothing() {
        let mut d = GuardedDecoder::new(pipeline, Duration::from_secs(5));
        assert_eq!(d.decode(Arc::new(Frame::new(64, 48, vec![200; 64 * 48]))), Decoded::Nothing);
    }
}
