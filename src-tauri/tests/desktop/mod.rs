//! The desktop the end-to-end tests and the app benchmark run in: an X server, a
//! tauri-driver, and process groups that are killed whole (WebKitWebDriver and the
//! app go with the driver), also when a test fails.
#![allow(dead_code)]

use std::os::unix::process::CommandExt;
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};

/// A process group, killed and reaped on drop.
pub struct Group(pub Child);

impl Drop for Group {
    fn drop(&mut self) {
        // The child leads its own group (process_group(0)), so its pid is the group
        // id, and a negative pid signals exactly that group. Never 0 or 1: those would
        // reach this process's own group or every process of the user.
        let pgid = self.0.id() as i32;
        assert!(pgid > 1, "refusing to signal process group {pgid}");
        unsafe {
            libc::kill(-pgid, libc::SIGKILL);
        }
        let _ = self.0.wait();
    }
}

pub fn spawn_group(cmd: &mut Command) -> Group {
    Group(cmd.process_group(0).spawn().unwrap_or_else(|e| panic!("could not start {cmd:?}: {e}")))
}

pub fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port()
}

/// `$TAURI_DRIVER`, else the copy the test command installs, else PATH.
pub fn tauri_driver() -> PathBuf {
    if let Some(p) = std::env::var_os("TAURI_DRIVER") {
        return p.into();
    }
    let cached =
        PathBuf::from(std::env::var("HOME").unwrap_or_default()).join(".cache/voucher-pos-tools/bin/tauri-driver");
    if cached.exists() {
        return cached;
    }
    PathBuf::from("tauri-driver")
}

/// An X server on a free display and a tauri-driver on a free port that uses it.
pub struct Desktop {
    pub port: u16,
    /// The X display the window opens on, for programs started beside the app.
    pub display: String,
    _driver: Group,
    _xvfb: Group,
}

impl Desktop {
    pub fn start() -> Desktop {
        Desktop::start_with_env(&[])
    }

    /// As [`Desktop::start`], with `env` set for the driver and so for the app it
    /// starts (say, an `XDG_CONFIG_HOME` of the test's own).
    pub fn start_with_env(env: &[(&str, &std::path::Path)]) -> Desktop {
        // fantoccini's TLS stack needs a crypto provider chosen once per process.
        let _ = rustls::crypto::ring::default_provider().install_default();
        let display = format!(":{}", 200 + free_port() % 500);
        let xvfb = spawn_group(
            Command::new("Xvfb")
                .args([&display, "-screen", "0", "1366x900x24", "-nolisten", "tcp"])
                .stderr(Stdio::null()),
        );
        let (port, native) = (free_port(), free_port());
        let driver = spawn_group(
            Command::new(tauri_driver())
                .args(["--port", &port.to_string(), "--native-port", &native.to_string()])
                .env("DISPLAY", &display)
                .envs(env.iter().map(|(k, v)| (*k, *v)))
                .stdout(Stdio::null())
                .stderr(Stdio::null()),
        );
        Desktop { port, display, _driver: driver, _xvfb: xvfb }
    }

    pub fn url(&self) -> String {
        format!("http://127.0.0.1:{}", self.port)
    }
}
