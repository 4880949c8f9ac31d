//! One terminal per data folder. A second launch (a cashier double-clicking the
//! menu entry, an autostart racing a manual start) must bring the running window to
//! the front and exit 0, not open a second window that then finds the database
//! locked.
//!
//! Why not `tauri-plugin-single-instance`: on Linux it needs a D-Bus session bus
//! (a till started by a display manager has one, a kiosk session or Xvfb may not) and
//! it is scoped to the app identifier, while what must be single is the database.
//! Here the first process holds an exclusive lock on `instance.lock` in the data
//! folder for its whole life (the kernel drops it when the process dies, however it
//! dies) and listens on `instance.sock` beside it; a later process that cannot take
//! the lock asks the socket to show the window. The lock decides, so two launches at
//! once cannot both win, and a stale socket left by a killed process is replaced.

use crate::ErrorCode;
use std::fs::File;
use std::io::{BufRead, BufReader, Read, Write};
use std::os::unix::net::{UnixListener, UnixStream};
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

/// What one request on the socket asks; the only one there is.
const SHOW: &str = "show\n";
const SHOWN: &str = "shown\n";

#[derive(Debug, thiserror::Error)]
pub enum InstanceError {
    #[error("The terminal is already running for this database; its window was brought to the front.")]
    AlreadyRunning,
    #[error("The terminal is already running for this database, but it did not answer ({0}). Close it, or restart the till.")]
    NotAnswering(String),
    #[error("The terminal's instance files in {path} could not be used: {source}")]
    Io { path: PathBuf, source: std::io::Error },
}

impl InstanceError {
    pub fn code(&self) -> crate::ErrorCode {
        match self {
            InstanceError::AlreadyRunning => ErrorCode::AlreadyRunning,
            InstanceError::NotAnswering(_) => ErrorCode::AlreadyRunningNotAnswering,
            InstanceError::Io { .. } => ErrorCode::InstanceIo,
        }
    }
}

/// The running terminal's claim on its data folder; dropping it (or the process
/// ending) frees the folder for the next launch.
pub struct Instance {
    _lock: File,
    listener: UnixListener,
    socket: PathBuf,
}

/// Claims `data_dir` for this process, or, when another process holds it, asks that
/// one to show its window and answers [`InstanceError::AlreadyRunning`].
pub fn claim(data_dir: &Path) -> Result<Instance, InstanceError> {
    claim_within(data_dir, Duration::from_secs(5))
}

/// [`claim`], waiting at most `patience` for a holder's answer.
pub fn claim_within(data_dir: &Path, patience: Duration) -> Result<Instance, InstanceError> {
    let io = |source| InstanceError::Io { path: data_dir.to_path_buf(), source };
    // A folder we create holds vouchers and secrets: the owner's alone (as the store's).
    crate::platform::fsx::private_dir(data_dir).map_err(io)?;
    let socket = data_dir.join("instance.sock");
    match crate::platform::fsx::lock_file(&data_dir.join("instance.lock")).map_err(io)? {
        Some(lock) => {
            // Ours: whatever socket file is there was left by a process that died.
            let _ = std::fs::remove_file(&socket);
            let listener = UnixListener::bind(&socket).map_err(io)?;
            Ok(Instance { _lock: lock, listener, socket })
        }
        None => Err(ask_to_show(&socket, patience)),
    }
}

/// The holder binds its socket just after taking the lock: a launch that lost the
/// race by a moment retries for a short while before saying the holder is stuck.
fn ask_to_show(socket: &Path, patience: Duration) -> InstanceError {
    let deadline = Instant::now() + patience;
    loop {
        match send_show(socket, patience) {
            Ok(()) => return InstanceError::AlreadyRunning,
            Err(e) if Instant::now() >= deadline => return InstanceError::NotAnswering(e.to_string()),
            Err(_) => std::thread::sleep(Duration::from_millis(100)),
        }
    }
}

fn send_show(socket: &Path, patience: Duration) -> std::io::Result<()> {
    let mut stream = UnixStream::connect(socket)?;
    stream.set_read_timeout(Some(patience))?;
    stream.write_all(SHOW.as_bytes())?;
    let mut answer = String::new();
    BufReader::new(stream).read_line(&mut answer)?;
    if answer == SHOWN {
        Ok(())
    } else {
        Err(std::io::Error::other(format!("unexpected answer {answer:?}")))
    }
}

impl Instance {
    /// Answers later launches on a thread of its own: each `show` request calls
    /// `show` (which brings the window to the front) and then says it was done.
    /// Anything else on the socket is ignored and closed.
    pub fn serve(self, show: impl Fn() + Send + 'static) {
        std::thread::Builder::new()
            .name("instance".into())
            .spawn(move || {
                let Instance { _lock, listener, socket: _ } = self;
                for stream in listener.incoming() {
                    let Ok(mut stream) = stream else { continue };
                    let _ = stream.set_read_timeout(Some(Duration::from_secs(2)));
                    let mut line = String::new();
                    if BufReader::new((&stream).take(64)).read_line(&mut line).is_ok() && line == SHOW {
                        tracing::info!("a second launch asked for the window");
                        show();
                        let _ = stream.write_all(SHOWN.as_bytes());
                    }
                }
                drop(_lock);
            })
            .expect("a thread for the instance socket");
    }

    /// The socket later launches connect to.
    pub fn socket(&self) -> &Path {
        &self.socket
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::atomic::{AtomicUsize, Ordering};
    use std::sync::Arc;

    #[test]
    fn a_second_claim_shows_the_first_and_is_refused() {
        let dir = tempfile::tempdir().unwrap();
        let first = claim(dir.path()).expect("the first launch claims the folder");
        let shown = Arc::new(AtomicUsize::new(0));
        let count = shown.clone();
        first.serve(move || {
            count.fetch_add(1, Ordering::SeqCst);
        });
        let second = claim(dir.path()).err().expect("a second launch must not run");
        assert!(matches!(second, InstanceError::AlreadyRunning), "{second}");
        assert_eq!(shown.load(Ordering::SeqCst), 1, "the first window was asked to show once");
        assert!(claim(dir.path()).is_err());
        assert_eq!(shown.load(Ordering::SeqCst), 2);
    }

    #[test]
    fn another_data_folder_is_another_terminal() {
        let (a, b) = (tempfile::tempdir().unwrap(), tempfile::tempdir().unwrap());
        let _first = claim(a.path()).unwrap();
        claim(b.path()).expect("a terminal on another database runs beside it");
    }

    #[test]
    fn a_stale_socket_left_by_a_killed_process_is_replaced() {
        let dir = tempfile::tempdir().unwrap();
        // What a SIGKILL leaves: the socket file, no listener, no lock holder.
        drop(UnixListener::bind(dir.path().join("instance.sock")).unwrap());
        assert!(dir.path().join("instance.sock").exists());
        let me = claim(dir.path()).expect("a dead holder's socket does not stop a launch");
        assert!(UnixStream::connect(me.socket()).is_ok(), "the new socket answers");
    }

    #[test]
    fn a_holder_that_does_not_answer_is_named_not_waited_for_ever() {
        let dir = tempfile::tempdir().unwrap();
        // Holds the lock and the socket but never serves (a hung terminal).
        let _hung = claim(dir.path()).unwrap();
        let err = claim_within(dir.path(), Duration::from_millis(300)).err().unwrap();
        assert_eq!(err.code(), "already_running_not_answering", "{err}");
    }
}
