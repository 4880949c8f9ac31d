//! The terminal's camera, through nokhwa's native backends (V4L2, AVFoundation,
//! Media Foundation).
//!
//! nokhwa has no fake backend, so this is the one part tests cannot drive on a
//! headless machine beyond "no camera"; everything after it sees only a
//! [`FrameSource`]. A lost camera (unplugged, reset) is reported, and the source
//! tries to reopen it on each later call, so the terminal recovers by itself.
//!
//! The camera is the `camera` cargo feature, which only the app turns on: nokhwa
//! needs V4L2 headers and libclang to build, and the headless CLI and the sandbox
//! have no use for a camera. Without the feature the same API lists no camera and
//! says why ([`SourceError::NoCameraSupport`]), so no caller has a `cfg` of its own.

#[cfg(feature = "camera")]
use nokhwa::pixel_format::LumaFormat;
#[cfg(feature = "camera")]
use nokhwa::utils::{
    ApiBackend, CameraFormat, CameraIndex, FrameFormat, RequestedFormat, RequestedFormatType, Resolution,
};

#[cfg(feature = "camera")]
use super::Frame;
use super::{FrameSource, SourceError};

/// A camera the system offers.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, ts_rs::TS)]
pub struct CameraInfo {
    pub index: u32,
    pub name: String,
}

/// The cameras present now (empty when there are none, never an error).
#[cfg(feature = "camera")]
pub fn list_cameras() -> Vec<CameraInfo> {
    match nokhwa::query(ApiBackend::Auto) {
        Ok(list) => list
            .iter()
            .enumerate()
            .map(|(n, c)| CameraInfo {
                index: match c.index() {
                    CameraIndex::Index(i) => *i,
                    CameraIndex::String(_) => n as u32,
                },
                name: c.human_name(),
            })
            .collect(),
        Err(_) => Vec::new(),
    }
}

/// The settings-chosen camera at a requested resolution and frame rate. nokhwa's
/// camera cannot move between threads, so it lives on a thread of its own that
/// hands frames over a one-frame channel (a full channel drops the older frame).
pub struct CameraSource {
    #[cfg(feature = "camera")]
    frames: std::sync::mpsc::Receiver<Result<super::Frame, SourceError>>,
    #[cfg(feature = "camera")]
    stop: std::sync::Arc<std::sync::atomic::AtomicBool>,
    name: String,
}

/// A build without the camera lists none.
#[cfg(not(feature = "camera"))]
pub fn list_cameras() -> Vec<CameraInfo> {
    Vec::new()
}

#[cfg(not(feature = "camera"))]
impl CameraSource {
    /// A build without the camera cannot open one, and says so.
    pub fn open(_index: u32, _width: u32, _height: u32, _fps: u32) -> Result<CameraSource, SourceError> {
        Err(SourceError::NoCameraSupport)
    }
}

#[cfg(not(feature = "camera"))]
impl FrameSource for CameraSource {
    fn next_frame(&mut self) -> Result<super::Frame, SourceError> {
        Err(SourceError::NoCameraSupport)
    }

    fn describe(&self) -> String {
        format!("camera: {}", self.name)
    }
}

#[cfg(feature = "camera")]
fn open_camera(index: u32, width: u32, height: u32, fps: u32) -> Result<nokhwa::Camera, SourceError> {
    let want = CameraFormat::new(Resolution::new(width, height), FrameFormat::MJPEG, fps);
    let requested = RequestedFormat::new::<LumaFormat>(RequestedFormatType::Closest(want));
    let mut cam = nokhwa::Camera::new(CameraIndex::Index(index), requested)
        .map_err(|e| SourceError::CameraOpen(e.to_string()))?;
    cam.open_stream().map_err(|e| SourceError::CameraOpen(e.to_string()))?;
    Ok(cam)
}

#[cfg(feature = "camera")]
impl CameraSource {
    /// Opens camera `index` (or the first one) at the closest format to
    /// `width`x`height`@`fps` (the product default is 1280x720 at 30). Says plainly
    /// when there is no camera.
    pub fn open(index: u32, width: u32, height: u32, fps: u32) -> Result<CameraSource, SourceError> {
        let cams = list_cameras();
        let Some(info) = cams.iter().find(|c| c.index == index).or(cams.first()).cloned() else {
            return Err(SourceError::NoCamera);
        };
        // Open once here so that a camera that cannot be opened is an error now.
        drop(open_camera(info.index, width, height, fps)?);
        let (tx, rx) = std::sync::mpsc::sync_channel(1);
        let stop = std::sync::Arc::new(std::sync::atomic::AtomicBool::new(false));
        let halt = stop.clone();
        std::thread::Builder::new()
            .name("camera".into())
            .spawn(move || {
                let mut cam: Option<nokhwa::Camera> = None;
                while !halt.load(std::sync::atomic::Ordering::Relaxed) {
                    if cam.is_none() {
                        match open_camera(info.index, width, height, fps) {
                            Ok(c) => cam = Some(c),
                            Err(e) => {
                                if tx.send(Err(SourceError::CameraLost(e.to_string()))).is_err() {
                                    return;
                                }
                                std::thread::sleep(std::time::Duration::from_secs(1));
                                continue;
                            }
                        }
                    }
                    let got = cam.as_mut().expect("opened above").frame().and_then(|b| b.decode_image::<LumaFormat>());
                    let item = match got {
                        Ok(img) => Ok(Frame::new(img.width(), img.height(), img.into_raw())),
                        Err(e) => {
                            cam = None;
                            Err(SourceError::CameraLost(e.to_string()))
                        }
                    };
                    match tx.try_send(item) {
                        Ok(()) | Err(std::sync::mpsc::TrySendError::Full(_)) => {}
                        Err(std::sync::mpsc::TrySendError::Disconnected(_)) => return,
                    }
                }
            })
            .map_err(|e| SourceError::CameraOpen(e.to_string()))?;
        Ok(CameraSource { frames: rx, stop, name: info.name })
    }
}

#[cfg(feature = "camera")]
impl Drop for CameraSource {
    fn drop(&mut self) {
        self.stop.store(true, std::sync::atomic::Ordering::Relaxed);
    }
}

#[cfg(feature = "camera")]
impl FrameSource for CameraSource {
    fn next_frame(&mut self) -> Result<Frame, SourceError> {
        self.frames.recv().unwrap_or(Err(SourceError::Ended))
    }

    fn describe(&self) -> String {
        format!("camera: {}", self.name)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// On a machine without `/dev/video*` (CI, the sandbox) the real camera path must
    /// say "no camera" cleanly; on a machine with one it must list it.
    #[cfg(feature = "camera")]
    #[test]
    fn a_missing_camera_is_reported_plainly() {
        let has_device = std::fs::read_dir("/dev")
            .map(|d| d.filter_map(|e| e.ok()).any(|e| e.file_name().to_string_lossy().starts_with("video")))
            .unwrap_or(false);
        if has_device {
            assert!(!list_cameras().is_empty());
        } else {
            assert!(list_cameras().is_empty());
            let err = CameraSource::open(0, 1280, 720, 30).err().expect("no camera to open");
            assert_eq!(err, SourceError::NoCamera);
            assert_eq!(err.to_string(), "No camera was found. Type the code or use a handheld scanner.");
        }
    }

    /// The CLI's and the sandbox's build: no camera, and a sentence saying why.
    #[cfg(not(feature = "camera"))]
    #[test]
    fn a_build_without_the_camera_says_so() {
        assert!(list_cameras().is_empty());
        let err = CameraSource::open(0, 1280, 720, 30).err().expect("no camera support");
        assert_eq!(err.code(), "camera_not_built");
        assert!(err.to_string().contains("without camera support"), "{err}");
    }
}
