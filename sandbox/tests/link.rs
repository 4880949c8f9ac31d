//! The embedded sandbox's link toggle, awaited: `set_offline_and_wait` returns once
//! connects are refused (offline) or accepted (online), so whatever runs next meets
//! the link that was asked for, not the one before.

use std::net::SocketAddr;

/// Whether a connect to `addr` now is refused. A free port of the ephemeral range can,
/// rarely, connect a socket to itself (TCP simultaneous open): nobody listened then
/// either, so that counts as refused.
async fn refused(addr: SocketAddr) -> bool {
    match tokio::net::TcpStream::connect(addr).await {
        Err(e) => e.kind() == std::io::ErrorKind::ConnectionRefused,
        Ok(c) => c.local_addr().ok() == c.peer_addr().ok(),
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_awaited_offline_toggle_returns_once_connects_are_refused_or_accepted() {
    let running =
        voucher_sandbox::start(voucher_sandbox::Config::default(), "127.0.0.1:0".parse().unwrap()).await.unwrap();
    for round in 0..50 {
        assert!(running.set_offline_and_wait(true).await, "round {round}: offline was never in effect");
        assert!(refused(running.addr).await, "round {round}: offline, yet a connect was accepted");
        assert!(running.set_offline_and_wait(false).await, "round {round}: the port was never bound again");
        if let Err(e) = tokio::net::TcpStream::connect(running.addr).await {
            panic!("round {round}: online, yet the connect failed: {e}");
        }
    }
    running.stop().await;
}
