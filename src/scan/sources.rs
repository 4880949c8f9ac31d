//! Frame sources that need no camera: image files (demos, support, tests) and the
//! demo renderer that shows a person with no camera the whole flow.

use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};

use super::{Frame, FrameSource, SourceError};

/// Renders `text` as a QR code, `module_px` pixels per module, with the standard
/// four-module quiet zone. Black is 0, white 255.
pub fn render_qr(text: &[u8], module_px: u32) -> Frame {
    let code = qrcode::QrCode::with_error_correction_level(text, qrcode::EcLevel::M)
        .expect("a voucher code fits in a QR code");
    let n = code.width() as u32;
    let colors = code.to_colors();
    let side = (n + 8) * module_px;
    let mut luma = vec![255u8; (side * side) as usize];
    for my in 0..n {
        for mx in 0..n {
            if colors[(my * n + mx) as usize] == qrcode::Color::Dark {
                for y in 0..module_px {
                    let row = ((my + 4) * module_px + y) * side;
                    for x in 0..module_px {
                        luma[(row + (mx + 4) * module_px + x) as usize] = 0;
                    }
                }
            }
        }
    }
    Frame::new(side, side, luma)
}

/// Copies `src` into `dst` at (x, y), clipped.
pub fn paste(dst: &mut Frame, src: &Frame, x: i64, y: i64) {
    for sy in 0..src.height as i64 {
        let dy = y + sy;
        if dy < 0 || dy >= dst.height as i64 {
            continue;
        }
        for sx in 0..src.width as i64 {
            let dx = x + sx;
            if dx < 0 || dx >= dst.width as i64 {
                continue;
            }
            dst.luma[(dy * dst.width as i64 + dx) as usize] = src.luma[(sy * src.width as i64 + sx) as usize];
        }
    }
}

const IMAGE_EXTENSIONS: &[&str] = &["png", "jpg", "jpeg", "webp"];

/// Loads one image file as a frame.
pub fn load_frame(path: &Path) -> Result<Frame, SourceError> {
    let img = image::open(path).map_err(|e| SourceError::BadImage { path: path.into(), why: e.to_string() })?;
    Ok(Frame::from_image(&img))
}

/// A file, or a folder of images played in name order, looping, at a frame rate.
pub struct ImageFiles {
    root: PathBuf,
    files: Vec<PathBuf>,
    next: usize,
    period: Duration,
    due: Option<Instant>,
    looping: bool,
}

impl ImageFiles {
    pub fn open(path: &Path, fps: f64, looping: bool) -> Result<ImageFiles, SourceError> {
        let files = if path.is_dir() {
            let mut v: Vec<PathBuf> = std::fs::read_dir(path)
                .map_err(|e| SourceError::BadImage { path: path.into(), why: e.to_string() })?
                .filter_map(|e| e.ok().map(|e| e.path()))
                .filter(|p| {
                    p.extension()
                        .and_then(|e| e.to_str())
                        .is_some_and(|e| IMAGE_EXTENSIONS.contains(&e.to_ascii_lowercase().as_str()))
                })
                .collect();
            v.sort();
            v
        } else {
            vec![path.to_path_buf()]
        };
        if files.is_empty() {
            return Err(SourceError::NoImages(path.into()));
        }
        Ok(ImageFiles {
            root: path.into(),
            files,
            next: 0,
            period: Duration::from_secs_f64(1.0 / fps.max(0.1)),
            due: None,
            looping,
        })
    }
}

impl FrameSource for ImageFiles {
    fn next_frame(&mut self) -> Result<Frame, SourceError> {
        if self.next >= self.files.len() {
            if !self.looping {
                return Err(SourceError::Ended);
            }
            self.next = 0;
        }
        if let Some(due) = self.due {
            std::thread::sleep(due.saturating_duration_since(Instant::now()));
        }
        self.due = Some(Instant::now() + self.period);
        let path = self.files[self.next].clone();
        self.next += 1;
        load_frame(&path)
    }

    fn describe(&self) -> String {
        format!("frames: {}", self.root.display())
    }
}

/// Voucher codes drawn on a moving, noisy background, each held for a few seconds,
/// with empty frames between them, at 15 frames per second (or another rate). With no
/// codes it shows an empty counter: a still picture with fresh sensor noise in every
/// frame, as a camera over a counter gives (or, [`DemoSource::moving`], a picture
/// that drifts all the time, the scanner's worst case).
///
/// The background costs a fraction of a millisecond per frame (a noise plane drawn
/// once, read at a moving offset), so that an idle app measured with this source
/// spends its time where a camera-fed app would: in the scanner, not in the demo.
pub struct DemoSource {
    codes: Vec<Frame>,
    width: u32,
    height: u32,
    tick: u64,
    /// Uniform noise in `0..24`, one frame's worth plus [`NOISE_SLACK`].
    noise: Vec<u8>,
    period: Duration,
    due: Option<Instant>,
    /// Whether the background drifts.
    moving: bool,
}

/// How far the noise plane's read offset can move between frames.
const NOISE_SLACK: usize = 4099;

impl DemoSource {
    pub fn new(codes: &[String], width: u32, height: u32) -> DemoSource {
        DemoSource::with_rate(codes, width, height, 15.0)
    }

    /// The demo at `fps` frames per second (`f64::INFINITY`: as fast as it can draw);
    /// with no codes it shows an empty counter.
    pub fn with_rate(codes: &[String], width: u32, height: u32, fps: f64) -> DemoSource {
        let codes: Vec<Frame> =
            codes.iter().map(|c| render_qr(c.as_bytes(), if c.len() > 200 { 4 } else { 6 })).collect();
        let mut rng = StdRng::seed_from_u64(7);
        let noise = (0..(width * height) as usize + NOISE_SLACK).map(|_| rng.gen_range(0..24u8)).collect();
        DemoSource {
            moving: !codes.is_empty(),
            codes,
            width,
            height,
            tick: 0,
            noise,
            period: Duration::from_secs_f64(1.0 / fps.max(0.1)),
            due: None,
        }
    }

    /// The background drifts even with no code in view.
    pub fn moving(mut self) -> DemoSource {
        self.moving = true;
        self
    }
}

const DEMO_FRAMES_PER_CODE: u64 = 60;

impl FrameSource for DemoSource {
    fn next_frame(&mut self) -> Result<Frame, SourceError> {
        if let Some(due) = self.due {
            std::thread::sleep(due.saturating_duration_since(Instant::now()));
        }
        self.due = Some(Instant::now() + self.period);
        let t = self.tick;
        self.tick += 1;
        let (w, h) = (self.width as usize, self.height as usize);
        let offset = (t as usize * 613) % NOISE_SLACK;
        let shift = if self.moving { (t as usize * 3) % 64 } else { 0 };
        let mut luma = vec![0u8; w * h];
        for (y, row) in luma.chunks_exact_mut(w).enumerate() {
            let noise = &self.noise[offset + y * w..offset + (y + 1) * w];
            for (x, (p, n)) in row.iter_mut().zip(noise).enumerate() {
                // 150..=213, a grey ramp drifting right, with +-12 of noise.
                *p = 138 + ((x + shift) % 64) as u8 + n;
            }
        }
        let mut f = Frame::new(self.width, self.height, luma);
        if self.codes.is_empty() {
            return Ok(f);
        }
        let slot = t / DEMO_FRAMES_PER_CODE;
        let phase = t % DEMO_FRAMES_PER_CODE;
        // Every other slot is empty: the cashier puts the phone away.
        if slot % 2 == 1 {
            return Ok(f);
        }
        let code = &self.codes[(slot / 2) as usize % self.codes.len()];
        let drift = ((phase as f64 / 9.0).sin() * 30.0) as i64;
        let x = (self.width as i64 - code.width as i64) / 2 + drift;
        let y = (self.height as i64 - code.height as i64) / 2 + drift / 2;
        paste(&mut f, code, x, y);
        Ok(f)
    }

    fn describe(&self) -> String {
        format!("demo: {} sandbox codes", self.codes.len())
    }
}
