//! The receipt printer as a device: a thermal printer on the network (raw TCP, port
//! 9100) or a device file (`/dev/usb/lp0`). A printer can refuse the connection,
//! reset it, hang, or run out of paper, and none of that may ever reach a
//! redemption: every step here has a time limit, and every failure is one
//! [`PrinterError`] with a sentence a cashier can act on. What is printed is built
//! elsewhere (`records::receipt`, with the `escpos` crate); this module only delivers
//! finished bytes.
//!
//! Why not the `escpos` crate's own drivers: they turn every I/O failure into a
//! string, so a refused connection could not be told from a hung printer, and its
//! network driver takes only an IP literal with a timeout. The status replies are
//! read with the crate's parser (`RealTimeStatusResponse`).

use std::io::{Read, Write};
use std::net::{TcpStream, ToSocketAddrs};
use std::path::PathBuf;
use std::str::FromStr;
use std::time::Duration;

use escpos::utils::{RealTimeStatusRequest, RealTimeStatusResponse};

use crate::ErrorCode;

/// Where receipts go. Written in settings and on the command line as `none`,
/// `network:HOST:PORT` or `file:PATH`.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub enum PrinterTarget {
    #[default]
    None,
    Network {
        host: String,
        port: u16,
    },
    File {
        path: PathBuf,
    },
}

impl FromStr for PrinterTarget {
    type Err = PrinterError;

    fn from_str(s: &str) -> Result<Self, PrinterError> {
        let bad = || PrinterError::BadTarget(s.chars().take(120).collect());
        let s = s.trim();
        if s.is_empty() || s == "none" {
            return Ok(PrinterTarget::None);
        }
        if let Some(rest) = s.strip_prefix("network:") {
            let (host, port) = rest.rsplit_once(':').ok_or_else(bad)?;
            // An IPv6 address is written in brackets: `network:[fe80::1]:9100`.
            let host = match host.strip_prefix('[') {
                Some(inner) => {
                    inner.strip_suffix(']').filter(|h| h.parse::<std::net::Ipv6Addr>().is_ok()).ok_or_else(bad)?
                }
                None => host,
            };
            let port: u16 = port.parse().map_err(|_| bad())?;
            let name_ok = |c: char| c.is_ascii_alphanumeric() || matches!(c, '.' | '-' | '_' | ':');
            if host.is_empty()
                || port == 0
                || !host.chars().all(name_ok)
                || (host.contains(':') && !rest.starts_with('['))
            {
                return Err(bad());
            }
            return Ok(PrinterTarget::Network { host: host.to_string(), port });
        }
        if let Some(path) = s.strip_prefix("file:") {
            if !path.starts_with('/') {
                return Err(bad());
            }
            return Ok(PrinterTarget::File { path: path.into() });
        }
        Err(bad())
    }
}

impl std::fmt::Display for PrinterTarget {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            PrinterTarget::None => write!(f, "none"),
            PrinterTarget::Network { host, port } if host.contains(':') => write!(f, "network:[{host}]:{port}"),
            PrinterTarget::Network { host, port } => write!(f, "network:{host}:{port}"),
            PrinterTarget::File { path } => write!(f, "file:{}", path.display()),
        }
    }
}

impl PrinterTarget {
    /// The printer as a person names it in a sentence.
    fn named(&self) -> String {
        match self {
            PrinterTarget::None => "none".into(),
            PrinterTarget::Network { .. } => self.to_string().trim_start_matches("network:").to_string(),
            PrinterTarget::File { path } => path.display().to_string(),
        }
    }
}

/// Thermal paper widths, and how many characters of the printer's standard font
/// (12x24 dots) fit on a line of each.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Paper {
    Mm58,
    #[default]
    Mm80,
}

impl Paper {
    pub fn from_mm(mm: u32) -> Option<Paper> {
        match mm {
            58 => Some(Paper::Mm58),
            80 => Some(Paper::Mm80),
            _ => None,
        }
    }

    pub fn mm(self) -> u32 {
        match self {
            Paper::Mm58 => 58,
            Paper::Mm80 => 80,
        }
    }

    /// 384 dots a line on 58 mm paper, 576 on 80 mm.
    pub fn columns(self) -> usize {
        match self {
            Paper::Mm58 => 32,
            Paper::Mm80 => 48,
        }
    }

    /// Characters a line of the small font (9x17 dots) holds.
    pub fn small_columns(self) -> usize {
        match self {
            Paper::Mm58 => 42,
            Paper::Mm80 => 64,
        }
    }
}

/// Why a receipt did not print, each in words a cashier can act on.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PrinterError {
    #[error("No receipt printer is set (Manager → Settings → Printer).")]
    NotSet,
    #[error("{0:?} is not a printer: write none, network:HOST:PORT or file:/PATH.")]
    BadTarget(String),
    #[error("The printer at {0} refused the connection: is it switched on and on the network?")]
    Refused(String),
    #[error("The printer at {0} did not answer in time: check that it is on and not jammed.")]
    NoAnswer(String),
    #[error("The printer at {0} dropped the connection before the receipt was printed.")]
    Reset(String),
    #[error("The printer at {0} is out of paper: load a new roll.")]
    PaperOut(String),
    #[error("The printer at {0} has its cover open: close it.")]
    CoverOpen(String),
    #[error("The printer at {0} reports an error: switch it off and on again.")]
    Fault(String),
    #[error("The printer's name {0} is not known on this network: check the address in Settings.")]
    UnknownHost(String),
    #[error("The device at {0} answered with something that is not a printer's status.")]
    BadReply(String),
    #[error("The printer device {path} cannot be written: {reason}.")]
    Device { path: String, reason: String },
}

impl PrinterError {
    pub fn code(&self) -> ErrorCode {
        match self {
            PrinterError::NotSet => ErrorCode::PrinterNotSet,
            PrinterError::BadTarget(_) => ErrorCode::PrinterTargetInvalid,
            PrinterError::Refused(_) => ErrorCode::PrinterRefused,
            PrinterError::NoAnswer(_) => ErrorCode::PrinterNoAnswer,
            PrinterError::UnknownHost(_) => ErrorCode::PrinterUnknownHost,
            PrinterError::Reset(_) => ErrorCode::PrinterReset,
            PrinterError::PaperOut(_) => ErrorCode::PrinterPaperOut,
            PrinterError::CoverOpen(_) => ErrorCode::PrinterCoverOpen,
            PrinterError::Fault(_) => ErrorCode::PrinterFault,
            PrinterError::BadReply(_) => ErrorCode::PrinterBadReply,
            PrinterError::Device { .. } => ErrorCode::PrinterDevice,
        }
    }
}

/// How long each step may take. A receipt is a few kilobytes: a printer that takes
/// longer than this is not going to print it.
#[derive(Debug, Clone, Copy)]
pub struct Limits {
    pub connect: Duration,
    pub io: Duration,
}

impl Default for Limits {
    fn default() -> Self {
        Limits { connect: Duration::from_secs(2), io: Duration::from_secs(3) }
    }
}

/// Sends a finished receipt to `target`: [`open`], then [`Ready::print`].
pub fn send(target: &PrinterTarget, bytes: &[u8], limits: Limits) -> Result<(), PrinterError> {
    open(target, limits)?.print(bytes)
}

/// A printer that said it can print: connected, with paper and its cover closed (a
/// network printer), or a printer device that is there (a device file). Nothing of
/// a receipt has been sent yet, so a failure up to here printed nothing.
pub struct Ready {
    at: String,
    link: Link,
    limits: Limits,
}

enum Link {
    Network(TcpStream),
    Device(PathBuf),
}

/// Reaches the printer and asks whether it can print (a network printer is asked
/// for its paper and cover; a device file must be a character device or a pipe,
/// never a plain file, which would swallow receipts or be written over).
pub fn open(target: &PrinterTarget, limits: Limits) -> Result<Ready, PrinterError> {
    match target {
        PrinterTarget::None => Err(PrinterError::NotSet),
        PrinterTarget::Network { host, port } => {
            let at = target.named();
            let mut stream = connect(host, *port, &at, limits)?;
            check(&mut stream, &at)?;
            Ok(Ready { at, link: Link::Network(stream), limits })
        }
        PrinterTarget::File { path } => {
            use std::os::unix::fs::FileTypeExt;
            let at = target.named();
            let kind = std::fs::metadata(path)
                .map_err(|e| PrinterError::Device { path: at.clone(), reason: e.to_string() })?
                .file_type();
            if !(kind.is_char_device() || kind.is_fifo()) {
                let reason = "it is not a printer device (a printer is a character device such as /dev/usb/lp0)";
                return Err(PrinterError::Device { path: at, reason: reason.into() });
            }
            Ok(Ready { at, link: Link::Device(path.clone()), limits })
        }
    }
}

impl Ready {
    /// Sends the receipt. A network printer is asked for its paper once more after
    /// it: its answer proves every byte before it arrived. A device file is written
    /// on a thread of its own, so a stuck USB printer costs a thread, never the
    /// caller's time. A failure here may have printed the receipt, or part of it.
    pub fn print(self, bytes: &[u8]) -> Result<(), PrinterError> {
        match self.link {
            Link::Network(mut stream) => {
                stream.write_all(bytes).map_err(|e| io_failure(&self.at, e))?;
                expect_paper(&mut stream, &self.at)
            }
            Link::Device(path) => write_device(path, bytes.to_vec(), self.limits),
        }
    }
}

/// Resolves and connects within the connect limit (a name lookup that hangs is the
/// resolver thread's, not the caller's).
fn connect(host: &str, port: u16, at: &str, limits: Limits) -> Result<TcpStream, PrinterError> {
    let (tx, rx) = std::sync::mpsc::channel();
    let name = (host.to_string(), port);
    std::thread::Builder::new()
        .name("printer-lookup".into())
        .spawn(move || {
            let _ = tx.send((name.0.as_str(), name.1).to_socket_addrs().map(Iterator::collect::<Vec<_>>));
        })
        .map_err(|_| PrinterError::NoAnswer(at.into()))?;
    let addrs = match rx.recv_timeout(limits.connect) {
        Ok(Ok(a)) => a,
        Ok(Err(_)) => return Err(PrinterError::UnknownHost(at.into())),
        Err(_) => return Err(PrinterError::NoAnswer(at.into())),
    };
    let mut refused = false;
    for addr in addrs {
        match TcpStream::connect_timeout(&addr, limits.connect) {
            Ok(stream) => {
                let io = |e: std::io::Error| io_failure(at, e);
                stream.set_read_timeout(Some(limits.io)).map_err(io)?;
                stream.set_write_timeout(Some(limits.io)).map_err(io)?;
                stream.set_nodelay(true).map_err(io)?;
                return Ok(stream);
            }
            Err(e) => refused |= e.kind() == std::io::ErrorKind::ConnectionRefused,
        }
    }
    Err(if refused { PrinterError::Refused(at.into()) } else { PrinterError::NoAnswer(at.into()) })
}

/// The roll paper sensor's answer: paper, or `PaperOut`.
fn expect_paper(stream: &mut TcpStream, at: &str) -> Result<(), PrinterError> {
    let sensor = ask(stream, at, RealTimeStatusRequest::RollPaperSensor)?;
    match sensor.get(&RealTimeStatusResponse::RollPaperEndSensorPaperPresent) {
        Some(false) => Err(PrinterError::PaperOut(at.into())),
        _ => Ok(()),
    }
}

/// Paper, cover and error, before anything of a receipt is sent.
fn check(stream: &mut TcpStream, at: &str) -> Result<(), PrinterError> {
    expect_paper(stream, at)?;
    let offline = ask(stream, at, RealTimeStatusRequest::OfflineCause)?;
    if offline.get(&RealTimeStatusResponse::CoverClosed) == Some(&false) {
        return Err(PrinterError::CoverOpen(at.into()));
    }
    if offline.get(&RealTimeStatusResponse::PrintingStopsDueToPaperEnd) == Some(&true) {
        return Err(PrinterError::PaperOut(at.into()));
    }
    if offline.get(&RealTimeStatusResponse::ErrorOccurred) == Some(&true) {
        return Err(PrinterError::Fault(at.into()));
    }
    Ok(())
}

/// Asks for one real-time status (`DLE EOT n`) and reads the one byte it answers.
fn ask(
    stream: &mut TcpStream,
    at: &str,
    req: RealTimeStatusRequest,
) -> Result<std::collections::HashMap<RealTimeStatusResponse, bool>, PrinterError> {
    let (n, a) = req.into();
    let cmd: &[u8] = if a == 0 { &[0x10, 0x04, n] } else { &[0x10, 0x04, n, a] };
    stream.write_all(cmd).map_err(|e| io_failure(at, e))?;
    let mut b = [0u8; 1];
    match stream.read(&mut b) {
        Ok(0) => Err(PrinterError::Reset(at.into())),
        Ok(_) => RealTimeStatusResponse::parse(req, b[0]).map_err(|_| PrinterError::BadReply(at.into())),
        Err(e) => Err(io_failure(at, e)),
    }
}

fn io_failure(at: &str, e: std::io::Error) -> PrinterError {
    use std::io::ErrorKind::*;
    match e.kind() {
        WouldBlock | TimedOut => PrinterError::NoAnswer(at.into()),
        ConnectionRefused => PrinterError::Refused(at.into()),
        _ => PrinterError::Reset(at.into()),
    }
}

fn write_device(path: PathBuf, bytes: Vec<u8>, limits: Limits) -> Result<(), PrinterError> {
    let at = path.display().to_string();
    let (tx, rx) = std::sync::mpsc::channel();
    let device = at.clone();
    std::thread::Builder::new()
        .name("printer-device".into())
        .spawn(move || {
            // Opened, never created: a mistyped path must not become a file.
            let done = std::fs::OpenOptions::new()
                .append(true)
                .open(&path)
                .and_then(|mut f| f.write_all(&bytes).and_then(|_| f.flush()))
                .map_err(|e| PrinterError::Device { path: device, reason: e.to_string() });
            let _ = tx.send(done);
        })
        .map_err(|e| PrinterError::Device { path: at.clone(), reason: e.to_string() })?;
    rx.recv_timeout(limits.connect.saturating_add(limits.io)).map_err(|_| PrinterError::NoAnswer(at))?
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_printer_setting_is_read_back_as_written_and_nonsense_is_refused() {
        for s in [
            "none",
            "network:192.168.1.50:9100",
            "network:till-printer.local:9100",
            "network:[::1]:9100",
            "file:/dev/usb/lp0",
        ] {
            assert_eq!(s.parse::<PrinterTarget>().unwrap().to_string(), s);
        }
        assert_eq!("".parse::<PrinterTarget>().unwrap(), PrinterTarget::None);
        for s in [
            "lp0",
            "network:host",
            "network::9100",
            "network:host:0",
            "network:host:99999",
            "file:relative/lp0",
            "usb:1",
        ] {
            assert_eq!(s.parse::<PrinterTarget>().unwrap_err().code(), ErrorCode::PrinterTargetInvalid, "{s}");
        }
    }
}
