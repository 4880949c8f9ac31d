//! From light to text: frame sources, the QR decoder and the pipeline between them.
//!
//! Why it is shaped this way:
//! - Every source (a camera, image files, the demo renderer) is one [`FrameSource`],
//!   so the decoder and the tests never know which one they have; the camera is the
//!   only part a headless machine cannot run, and it sits behind the same trait.
//! - Decoding runs on its own thread and always takes the *newest* frame: a slow
//!   frame drops the ones behind it instead of queueing them, so the preview and
//!   the decoder never fall behind the cashier's hand.
//! - rqrr has known panics and pathological cases on crafted images; [`decode`]
//!   runs it under `catch_unwind` with a time cap, and counts both.
//! - What the decoder finds is only text: it goes through the same parser as typed
//!   and handheld-scanner input (`crate::domain::voucher`).

pub mod camera;
pub mod decode;
pub mod gate;
pub mod pipeline;
pub mod sources;

use crate::ErrorCode;
use std::path::PathBuf;

/// One greyscale frame, row-major, one byte per pixel.
#[derive(Clone, PartialEq, Eq)]
pub struct Frame {
    pub width: u32,
    pub height: u32,
    pub luma: Vec<u8>,
}

impl std::fmt::Debug for Frame {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Frame({}x{})", self.width, self.height)
    }
}

impl Frame {
    pub fn new(width: u32, height: u32, luma: Vec<u8>) -> Frame {
        assert_eq!(luma.len(), width as usize * height as usize, "frame size and buffer disagree");
        Frame { width, height, luma }
    }

    pub fn from_image(img: &image::DynamicImage) -> Frame {
        let g = img.to_luma8();
        Frame::new(g.width(), g.height(), g.into_raw())
    }

    /// Halves both sides by averaging 2x2 blocks.
    pub fn half(&self) -> Frame {
        let (w, h) = ((self.width / 2).max(1), (self.height / 2).max(1));
        let sw = self.width as usize;
        let mut out = vec![0u8; w as usize * h as usize];
        for y in 0..h as usize {
            let r0 = (2 * y).min(self.height as usize - 1) * sw;
            let r1 = (2 * y + 1).min(self.height as usize - 1) * sw;
            for x in 0..w as usize {
                let (c0, c1) = (2 * x, (2 * x + 1).min(sw - 1));
                let sum = self.luma[r0 + c0] as u32
                    + self.luma[r0 + c1] as u32
                    + self.luma[r1 + c0] as u32
                    + self.luma[r1 + c1] as u32;
                out[y * w as usize + x] = (sum / 4) as u8;
            }
        }
        Frame::new(w, h, out)
    }
}

/// Why a source cannot give a frame.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SourceError {
    #[error("No camera was found. Type the code or use a handheld scanner.")]
    NoCamera,
    #[error(
        "This program was built without camera support (the app has it). Type the code or use a handheld scanner."
    )]
    NoCameraSupport,
    #[error("The camera was lost ({0}); waiting for it to come back.")]
    CameraLost(String),
    #[error("The camera could not be opened: {0}")]
    CameraOpen(String),
    #[error("No images to play in {0}.")]
    NoImages(PathBuf),
    #[error("The image {path} could not be read: {why}")]
    BadImage { path: PathBuf, why: String },
    #[error("The source has ended.")]
    Ended,
}

impl SourceError {
    pub fn code(&self) -> crate::ErrorCode {
        match self {
            SourceError::NoCamera => ErrorCode::CameraNone,
            SourceError::NoCameraSupport => ErrorCode::CameraNotBuilt,
            SourceError::CameraLost(_) => ErrorCode::CameraLost,
            SourceError::CameraOpen(_) => ErrorCode::CameraOpenFailed,
            SourceError::NoImages(_) => ErrorCode::FramesNone,
            SourceError::BadImage { .. } => ErrorCode::FramesBadImage,
            SourceError::Ended => ErrorCode::SourceEnded,
        }
    }
}

/// Anything that produces frames at its own pace. `next_frame` blocks until the next
/// frame is due.
pub trait FrameSource: Send {
    fn next_frame(&mut self) -> Result<Frame, SourceError>;
    /// A name for the status line ("camera: Logitech C920", "frames: ./demo").
    fn describe(&self) -> String;
}
