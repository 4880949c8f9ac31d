//! A receipt printer on loopback, for tests and the demo: a real TCP socket that
//! speaks what a thermal printer on port 9100 speaks. It answers the real-time
//! status requests (`DLE EOT n`) and keeps every other byte it receives, one receipt
//! per connection, so a test compares what arrived with a golden file. Its
//! misbehaviours are the ones a till meets: a printer out of paper or with its cover
//! open (told by its status), one that hangs (reads, never answers), one that drops
//! the connection, and one that answers nonsense. A printer that refuses the
//! connection is a port nobody listens on ([`refusing_address`]).
//!
//! Written from Epson's ESC/POS reference (DLE EOT), sharing nothing with the
//! terminal's printer code.

use std::io::{Read, Write};
use std::net::{SocketAddr, TcpListener, TcpStream};
use std::sync::{Arc, Condvar, Mutex};
use std::time::Duration;

/// How the printer behaves.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Behaviour {
    /// Ready: answers every status with "all clear" and prints.
    Prints,
    /// The paper-end sensor reports no paper.
    PaperOut,
    /// The offline cause reports the cover open.
    CoverOpen,
    /// Reads everything, answers nothing, until the printer is dropped.
    Hangs,
    /// Reads a few bytes, then closes the connection.
    Resets,
    /// Answers a status request with a byte no printer sends.
    Garbage,
    /// Ready until the receipt's bytes arrive, then drops the connection without
    /// answering again: the receipt may have printed, nobody can tell.
    DropsAfterReceipt,
}

#[derive(Default)]
struct Seen {
    /// Bytes of each connection that were not status requests.
    receipts: Vec<Vec<u8>>,
    /// Connections accepted and not yet closed by the client.
    open: usize,
    accepted: usize,
}

/// A running fake printer; stops when dropped (a hanging connection is let go then).
pub struct FakePrinter {
    pub addr: SocketAddr,
    seen: Arc<(Mutex<Seen>, Condvar)>,
    stop: Arc<std::sync::atomic::AtomicBool>,
}

/// `0xx1xx10`: the fixed bits of every status byte, with nothing to report.
const ALL_CLEAR: u8 = 0b0001_0010;

fn answer(behaviour: Behaviour, n: u8) -> Option<u8> {
    match (behaviour, n) {
        (Behaviour::Hangs | Behaviour::Resets, _) => None,
        (Behaviour::Garbage, _) => Some(b'H'),
        // Roll paper sensor: bits 5 and 6, paper end.
        (Behaviour::PaperOut, 4) => Some(ALL_CLEAR | 0b0110_0000),
        // Offline cause: bit 2, cover open; bit 5, stopped by paper end.
        (Behaviour::PaperOut, 2) => Some(ALL_CLEAR | 0b0010_0000),
        (Behaviour::CoverOpen, 2) => Some(ALL_CLEAR | 0b0000_0100),
        _ => Some(ALL_CLEAR),
    }
}

impl FakePrinter {
    /// Listens on a free loopback port.
    pub fn start(behaviour: Behaviour) -> FakePrinter {
        let listener = TcpListener::bind("127.0.0.1:0").expect("bind a loopback port");
        let addr = listener.local_addr().unwrap();
        let seen = Arc::new((Mutex::new(Seen::default()), Condvar::new()));
        let stop = Arc::new(std::sync::atomic::AtomicBool::new(false));
        let (s, st) = (seen.clone(), stop.clone());
        std::thread::spawn(move || {
            for conn in listener.incoming() {
                if st.load(std::sync::atomic::Ordering::SeqCst) {
                    break;
                }
                let Ok(conn) = conn else { continue };
                let (s, st) = (s.clone(), st.clone());
                std::thread::spawn(move || serve(conn, behaviour, s, st));
            }
        });
        FakePrinter { addr, seen, stop }
    }

    /// `network:127.0.0.1:PORT`, as the terminal's printer setting writes it.
    pub fn setting(&self) -> String {
        format!("network:{}", self.addr)
    }

    /// What each connection sent, status requests left out.
    pub fn receipts(&self) -> Vec<Vec<u8>> {
        self.seen.0.lock().unwrap().receipts.clone()
    }

    /// Waits until `n` connections have sent something besides status requests and
    /// closed, for at most `limit`; returns the receipts so far.
    pub fn wait_for_receipts(&self, n: usize, limit: Duration) -> Vec<Vec<u8>> {
        let (m, cv) = &*self.seen;
        let g = m.lock().unwrap();
        let (g, _) = cv
            .wait_timeout_while(g, limit, |s| s.receipts.iter().filter(|r| !r.is_empty()).count() < n || s.open > 0)
            .unwrap();
        g.receipts.clone()
    }

    /// Waits until `n` connections were accepted, for at most `limit`.
    pub fn wait_for_connections(&self, n: usize, limit: Duration) -> usize {
        let (m, cv) = &*self.seen;
        let g = m.lock().unwrap();
        let (g, _) = cv.wait_timeout_while(g, limit, |s| s.accepted < n).unwrap();
        g.accepted
    }

    /// Connections the client has not closed yet (a hung print still waiting).
    pub fn open_connections(&self) -> usize {
        self.seen.0.lock().unwrap().open
    }
}

impl Drop for FakePrinter {
    fn drop(&mut self) {
        self.stop.store(true, std::sync::atomic::Ordering::SeqCst);
        let _ = TcpStream::connect(self.addr); // wakes the accept loop
    }
}

fn serve(
    mut conn: TcpStream,
    behaviour: Behaviour,
    seen: Arc<(Mutex<Seen>, Condvar)>,
    stop: Arc<std::sync::atomic::AtomicBool>,
) {
    let index = {
        let mut g = seen.0.lock().unwrap();
        g.accepted += 1;
        g.open += 1;
        g.receipts.push(Vec::new());
        seen.1.notify_all();
        g.receipts.len() - 1
    };
    let _ = conn.set_read_timeout(Some(Duration::from_millis(50)));
    let mut pending: Vec<u8> = Vec::new();
    let mut total = 0usize;
    let mut receipt_seen = false;
    let mut buf = [0u8; 4096];
    loop {
        if stop.load(std::sync::atomic::Ordering::SeqCst) {
            break;
        }
        let n = match conn.read(&mut buf) {
            Ok(0) => break,
            Ok(n) => n,
            Err(e) if matches!(e.kind(), std::io::ErrorKind::WouldBlock | std::io::ErrorKind::TimedOut) => continue,
            Err(_) => break,
        };
        total += n;
        if behaviour == Behaviour::Resets && total >= 3 {
            break;
        }
        pending.extend_from_slice(&buf[..n]);
        let mut kept = Vec::new();
        let mut i = 0;
        while i < pending.len() {
            if pending[i] == 0x10 && i + 1 < pending.len() && pending[i + 1] == 0x04 {
                let Some(&req) = pending.get(i + 2) else { break };
                // Once receipt bytes came, this one answers nothing more (they may
                // arrive in one read with the status request that follows them).
                let silent = behaviour == Behaviour::DropsAfterReceipt && (receipt_seen || !kept.is_empty());
                if let Some(b) = answer(behaviour, req).filter(|_| !silent) {
                    let _ = conn.write_all(&[b]);
                }
                i += 3;
            } else if pending[i] == 0x10 && i + 1 == pending.len() {
                break; // a request split across reads
            } else {
                kept.push(pending[i]);
                i += 1;
            }
        }
        pending.drain(..i);
        receipt_seen |= !kept.is_empty();
        seen.0.lock().unwrap().receipts[index].extend_from_slice(&kept);
        if behaviour == Behaviour::DropsAfterReceipt && receipt_seen {
            break;
        }
    }
    let mut g = seen.0.lock().unwrap();
    g.open -= 1;
    seen.1.notify_all();
}

/// A loopback address where nothing listens: a printer that refuses the connection.
pub fn refusing_address() -> SocketAddr {
    let l = TcpListener::bind("127.0.0.1:0").expect("bind a loopback port");
    l.local_addr().unwrap()
}
