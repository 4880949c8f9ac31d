//! QR decoding with rqrr, made safe and fast enough for a live camera.
//!
//! Two things make it faster. rqrr's thresholding divides by a run-time constant
//! three times per pixel; `binarize` computes the same black-and-white image with
//! multiplications (bit for bit, tested against rqrr's own), and rqrr then searches
//! that bitmap. (What remains is mostly rqrr's grid fitting, a cost per code rather
//! than per pixel; README, "Scanner".) And a half-size frame is tried
//! first (a phone held at the counter fills much of the view, so a quarter of the
//! pixels usually suffice); the full frame is decoded only when the small pass finds
//! nothing. The benchmark (`benches/scanner.rs`) compares this with rqrr's own
//! full-frame decoding and with quircs.

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

/// rqrr as it ships, on the full frame: its own thresholding, then its search.
pub fn rqrr_full(frame: &Frame) -> Vec<Detection> {
    rqrr_on(frame, 1.0, Threshold::Rqrr)
}

#[derive(Clone, Copy, PartialEq)]
enum Threshold {
    /// rqrr's `prepare_from_greyscale`.
    Rqrr,
    /// `binarize`, the same image computed faster.
    Fast,
}

/// Every code rqrr reads in `frame`, with corners multiplied by `scale`.
fn rqrr_on(frame: &Frame, scale: f32, threshold: Threshold) -> Vec<Detection> {
    let (w, h) = (frame.width as usize, frame.height as usize);
    let bits = if threshold == Threshold::Fast { binarize(frame) } else { None };
    let mut img = match &bits {
        Some(bits) => rqrr::PreparedImage::prepare_from_bitmap(w, h, |x, y| bits[y * w + x]),
        None => rqrr::PreparedImage::prepare_from_greyscale(w, h, |x, y| frame.luma[y * w + x]),
    };
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

/// rqrr 0.11's adaptive threshold (`PreparedImage::prepare`), computed without
/// division: `true` is black. Each row runs two exponential moving sums, one from
/// each end, over a window of an eighth of the width, and a pixel is black when it
/// is below 95% of their mean. rqrr divides by the window on every step; here that
/// division is a multiply by a precomputed reciprocal, exact for the sums' range,
/// and the final comparison is cross-multiplied. `None` for frames too wide for
/// that range (over 32,000 pixels), which rqrr's own path then handles.
fn binarize(frame: &Frame) -> Option<Vec<bool>> {
    let (w, h) = (frame.width as usize, frame.height as usize);
    let s = (w / 8).max(1) as u64;
    // A sum never exceeds 255 * s, so avg * (s - 1) < 255 * s^2 must fit in 32 bits
    // for the reciprocal below to be exact.
    if 255 * s * s >= 1 << 32 {
        return None;
    }
    // floor(n / s) == (n * m) >> 64 for every n < 2^32, with m = floor(2^64 / s) + 1
    // (the error n * (m * s - 2^64) / 2^64 stays under 1/s). For s = 1 it is n.
    let m = if s == 1 { 0 } else { u64::MAX / s + 1 };
    let div = |n: u64| if s == 1 { n } else { ((n as u128 * m as u128) >> 64) as u64 };
    let mut bits = vec![false; w * h];
    let mut row_sum = vec![0u64; w];
    let (mut avg_v, mut avg_u) = (0u64, 0u64);
    for y in 0..h {
        let row = &frame.luma[y * w..(y + 1) * w];
        row_sum.fill(0);
        for x in 0..w {
            let (v, u) = if y % 2 == 0 { (w - 1 - x, x) } else { (x, w - 1 - x) };
            avg_v = div(avg_v * (s - 1)) + row[v] as u64;
            avg_u = div(avg_u * (s - 1)) + row[u] as u64;
            row_sum[v] += avg_v;
            row_sum[u] += avg_u;
        }
        // rqrr: black when p < sum * 95 / (200 * s), i.e. (p + 1) * 200 * s <= sum * 95.
        for (x, bit) in bits[y * w..(y + 1) * w].iter_mut().enumerate() {
            *bit = (row[x] as u64 + 1) * 200 * s <= row_sum[x] * 95;
        }
    }
    Some(bits)
}

/// Frames larger than this on their long side get a half-size pass first.
pub const HALF_PASS_ABOVE: u32 = 800;

/// The terminal's pipeline; each stage runs only when the ones before it found
/// nothing, and a code is taken only as a decoder returned it whole (every stage
/// checks the code's error correction; none guesses):
/// 1. rxing (the Rust port of ZXing), whose hybrid binariser thresholds by local
///    blocks: it survives glare and uneven light, reads dense 15-voucher codes, and
///    was measured the fastest too (1280x720: median 2.1 ms against rqrr's 8.8 ms
///    with its half-size pass; 73 of the 82 real photos against rqrr's 31);
/// 2. rqrr, half size first on large frames, then whole: the decoder the terminal
///    was built on, kept for the frames rxing's detector gives up on;
/// 3. quircs on the full frame: a third thresholding, a few milliseconds.
///
/// The order was chosen by `benches/scanner.rs` (README, "Scanner"); rqrr first, as
/// first planned, read fewer photos (64 of 82: a stage that returns a code stops the
/// pipeline, and rqrr returns raw bytes where a photo's text is in another charset)
/// and spent 14 ms median per 720p frame.
pub fn pipeline(frame: &Frame) -> Vec<Detection> {
    for stage in STAGES {
        let found = stage.1(frame);
        if !found.is_empty() {
            return found;
        }
    }
    Vec::new()
}

/// A named stage of the pipeline.
pub type Stage = (&'static str, fn(&Frame) -> Vec<Detection>);

/// The stages, in the order the pipeline runs them.
pub const STAGES: [Stage; 3] =
    [("rxing", rxing_full), ("rqrr (half size on large frames)", rqrr_stage), ("quircs", quircs_full)];

/// Stage 1: rqrr, on a half-size frame first when the frame is large, then whole.
pub fn rqrr_stage(frame: &Frame) -> Vec<Detection> {
    if frame.width.max(frame.height) > HALF_PASS_ABOVE {
        let found = rqrr_on(&frame.half(), 2.0, Threshold::Fast);
        if !found.is_empty() {
            return found;
        }
    }
    rqrr_on(frame, 1.0, Threshold::Fast)
}

/// quircs on the full frame.
pub fn quircs_full(frame: &Frame) -> Vec<Detection> {
    let mut q = quircs::Quirc::default();
    q.identify(frame.width as usize, frame.height as usize, &frame.luma)
        .filter_map(|c| c.ok())
        .filter_map(|c| {
            let corners = c.corners.map(|p| (p.x as f32, p.y as f32));
            c.decode().ok().map(|d| Detection { payload: d.payload, corners })
        })
        .collect()
}

/// rxing on the full frame, QR only, without its slow "try harder" rotations (a
/// camera gives another frame 33 ms later).
pub fn rxing_full(frame: &Frame) -> Vec<Detection> {
    let mut hints = rxing::DecodeHints { TryHarder: Some(false), ..Default::default() };
    match rxing::helpers::detect_in_luma_slice_with_hints(
        &frame.luma,
        frame.width,
        frame.height,
        Some(rxing::BarcodeFormat::QR_CODE),
        &mut hints,
    ) {
        Ok(r) => {
            use rxing::ResultPoint;
            let pts: Vec<(f32, f32)> = r.getPoints().iter().map(|p| (p.get_x(), p.get_y())).collect();
            // rxing gives the finder centres (and an alignment point): the outline
            // drawn over the preview is their hull, close enough for a guide.
            let c = |i: usize| pts.get(i).or(pts.last()).copied().unwrap_or((0.0, 0.0));
            vec![Detection { payload: r.getText().as_bytes().to_vec(), corners: [c(1), c(2), c(3), c(0)] }]
        }
        Err(_) => Vec::new(),
    }
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

    /// rqrr's own thresholding, pixel by pixel: what `binarize` must reproduce.
    fn rqrr_bits(f: &Frame) -> Vec<bool> {
        let (w, h) = (f.width as usize, f.height as usize);
        let img = rqrr::PreparedImage::prepare_from_greyscale(w, h, |x, y| f.luma[y * w + x]);
        (0..h).flat_map(|y| (0..w).map(move |x| (x, y))).map(|(x, y)| img.get_pixel_at(x, y) == 1u8).collect()
    }

    #[test]
    fn binarize_gives_rqrrs_own_black_and_white_image_bit_for_bit() {
        let mut seed = 0x9E37_79B9_7F4A_7C15u64;
        let mut next = move || {
            seed ^= seed << 13;
            seed ^= seed >> 7;
            seed ^= seed << 17;
            seed
        };
        // Widths around the window's edge cases: 1 (a window of one), 8 to 16, odd
        // widths, and camera widths; content from flat to noise to a real code.
        for (w, h) in [(1, 3), (7, 5), (8, 8), (15, 9), (16, 16), (17, 3), (640, 40), (1281, 24), (1920, 12)] {
            let noise = Frame::new(w, h, (0..w * h).map(|_| next() as u8).collect());
            let ramp = Frame::new(w, h, (0..w * h).map(|i| ((i % w) * 200 / w) as u8 + (next() % 40) as u8).collect());
            let flat = Frame::new(w, h, vec![(next() % 256) as u8; (w * h) as usize]);
            for f in [noise, ramp, flat] {
                assert_eq!(binarize(&f).expect("in range"), rqrr_bits(&f), "{w}x{h}");
            }
        }
        let code = crate::scan::sources::render_qr(b"rsg:v_Fbfuj4FvlTqmrU8PBCtV5", 6);
        assert_eq!(binarize(&code).unwrap(), rqrr_bits(&code));
        assert_eq!(pipeline(&code).len(), 1, "the code still reads through the fast path");
    }

    #[test]
    fn a_frame_too_wide_for_the_fast_threshold_falls_back_to_rqrrs() {
        let wide = Frame::new(33_000, 2, vec![200; 66_000]);
        assert!(binarize(&wide).is_none());
        assert!(pipeline(&wide).is_empty());
    }

    #[test]
    fn a_blank_frame_has_nothing() {
        let mut d = GuardedDecoder::new(pipeline, Duration::from_secs(5));
        assert_eq!(d.decode(Arc::new(Frame::new(64, 48, vec![200; 64 * 48]))), Decoded::Nothing);
    }
}
