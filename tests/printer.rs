//! A receipt printer never holds up a redemption, and says plainly what is wrong
//! with it. The printers here are real sockets on loopback
//! (`voucher_sandbox::printer`): one that prints, and each way a till's printer
//! misbehaves. The terminal is the real `voucher-pos` binary against the sandbox.

mod common;

use std::process::Command;
use std::time::Duration;

use common::sandbox::Sandbox;
use common::session::{pos, Session};
use voucher_pos::platform::printer::{send, Limits, PrinterTarget};
use voucher_pos::ErrorCode;
use voucher_sandbox::printer::{refusing_address, Behaviour, FakePrinter};

const RECEIPT: &[u8] = b"\x1b@Sale 7\n\x1dVA\x00";

fn quick() -> Limits {
    Limits { connect: Duration::from_millis(500), io: Duration::from_millis(500) }
}

fn target(p: &FakePrinter) -> PrinterTarget {
    p.setting().parse().unwrap()
}

#[test]
fn a_ready_printer_gets_the_receipt_byte_for_byte() {
    let p = FakePrinter::start(Behaviour::Prints);
    send(&target(&p), RECEIPT, quick()).unwrap();
    assert_eq!(p.wait_for_receipts(1, Duration::from_secs(5)), [RECEIPT.to_vec()]);
}

#[test]
fn each_misbehaving_printer_gets_its_own_code_and_a_sentence_and_no_receipt_is_lost_in_it() {
    for (behaviour, code, words) in [
        (Behaviour::PaperOut, ErrorCode::PrinterPaperOut, "out of paper"),
        (Behaviour::CoverOpen, ErrorCode::PrinterCoverOpen, "cover open"),
        (Behaviour::Hangs, ErrorCode::PrinterNoAnswer, "did not answer"),
        (Behaviour::Resets, ErrorCode::PrinterReset, "dropped the connection"),
        (Behaviour::Garbage, ErrorCode::PrinterBadReply, "not a printer's status"),
    ] {
        let p = FakePrinter::start(behaviour);
        let e = send(&target(&p), RECEIPT, quick()).unwrap_err();
        assert_eq!((e.code(), behaviour), (code, behaviour), "{e}");
        assert!(e.to_string().contains(words) && e.to_string().contains(&p.addr.to_string()), "{e}");
        drop(p);
    }
    // Nothing of the receipt is sent to a printer that said it cannot print it.
    let p = FakePrinter::start(Behaviour::PaperOut);
    let _ = send(&target(&p), RECEIPT, quick());
    assert!(p.wait_for_receipts(0, Duration::from_secs(5)).iter().all(Vec::is_empty));
}

#[test]
fn a_printer_that_refuses_the_connection_a_missing_device_or_a_plain_file_says_so() {
    let t: PrinterTarget = format!("network:{}", refusing_address()).parse().unwrap();
    assert_eq!(send(&t, RECEIPT, quick()).unwrap_err().code(), ErrorCode::PrinterRefused);
    let t: PrinterTarget = "network:no-such-printer.invalid:9100".parse().unwrap();
    assert!(
        matches!(
            send(&t, RECEIPT, quick()).unwrap_err().code(),
            ErrorCode::PrinterUnknownHost | ErrorCode::PrinterNoAnswer
        ),
        "a name nobody knows fails within the limit"
    );
    let dir = tempfile::tempdir().unwrap();
    let missing = PrinterTarget::File { path: dir.path().join("lp0") };
    let e = send(&missing, RECEIPT, quick()).unwrap_err();
    assert_eq!(e.code(), ErrorCode::PrinterDevice, "{e}");
    assert!(!dir.path().join("lp0").exists(), "a mistyped device is never created as a file");
    // A plain file is not a printer: receipts would pile up in it, or be written
    // over a file that matters.
    std::fs::write(dir.path().join("notes.txt"), b"keep me").unwrap();
    let plain = PrinterTarget::File { path: dir.path().join("notes.txt") };
    let e = send(&plain, RECEIPT, quick()).unwrap_err();
    assert!(e.code() == ErrorCode::PrinterDevice && e.to_string().contains("not a printer device"), "{e}");
    assert_eq!(std::fs::read(dir.path().join("notes.txt")).unwrap(), b"keep me");
    // A device (here a pipe, as a print spooler offers) gets the bytes.
    let fifo = dir.path().join("lp-pipe");
    assert!(Command::new("mkfifo").arg(&fifo).status().unwrap().success());
    let reader = {
        let fifo = fifo.clone();
        std::thread::spawn(move || std::fs::read(fifo).unwrap())
    };
    send(&PrinterTarget::File { path: fifo }, RECEIPT, quick()).unwrap();
    assert_eq!(reader.join().unwrap(), RECEIPT);
    assert_eq!(send(&PrinterTarget::None, RECEIPT, quick()).unwrap_err().code(), ErrorCode::PrinterNotSet);
}

/// One customer at a session: scans a voucher, presses Redeem, then Next customer
/// until the service's answer lets the sale close; returns the sale id and what
/// `close` answered.
fn one_sale(t: &mut Session, qr: &str) -> (String, String) {
    let scanned = t.say(&format!("scan {qr}"));
    let f: Vec<&str> = scanned.split(' ').collect();
    assert_eq!(f[..2], ["ok", "scanned"], "{scanned}");
    let sale = f[5].to_string();
    assert!(t.say("redeem").starts_with("ok sent"));
    let mut closed = String::new();
    let answered = common::wait_until(Duration::from_secs(20), || {
        closed = t.say("close");
        !closed.starts_with("err sale_unresolved")
    });
    assert!(answered, "the service answered the voucher: {closed}");
    (sale, closed)
}

fn set_printer(db: &std::path::Path, s: &Sandbox, setting: &str) {
    let o = pos(db, s, &["printer", "--set", setting, "--auto-print", "on", "--paper", "58"]);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let shown: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    assert_eq!(
        (shown["printer"].as_str(), shown["paper_mm"].as_u64(), shown["auto_print"].as_bool()),
        (Some(setting), Some(58), Some(true))
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn auto_print_prints_the_closed_sale_and_a_reprint_is_marked_copy() {
    let s = Sandbox::start(&[]);
    let (qr, _) = s.vouchers(1, 1_000, "active").await;
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("t.db");
    let printer = FakePrinter::start(Behaviour::Prints);
    set_printer(&db, &s, &printer.setting());
    let mut t = Session::start(&db, &s, &["--print-timeout", "3s"]);
    let (sale, closed) = one_sale(&mut t, &qr);
    assert_eq!(closed, format!("ok closed {sale}"));
    let printed = printer.wait_for_receipts(1, Duration::from_secs(20));
    let text = String::from_utf8_lossy(&printed[0]);
    assert!(text.contains("Sale 1") && text.contains("S$10.00") && !text.contains("COPY"), "{text}");
    let said = t.end();
    assert!(said.contains("Sale 1 printed."), "{said}");

    let again = pos(&db, &s, &["reprint", "1"]);
    assert!(again.status.success(), "{}", String::from_utf8_lossy(&again.stderr));
    let printed = printer.wait_for_receipts(2, Duration::from_secs(20));
    let copy = String::from_utf8_lossy(&printed[1]);
    assert!(copy.contains("COPY - NOT THE ORIGINAL") && copy.contains("S$10.00"), "{copy}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_dead_printer_leaves_the_redemption_untouched_and_the_receipt_waits_for_a_reprint() {
    let s = Sandbox::start(&[]);
    let qr = [s.vouchers(1, 500, "active").await.0, s.vouchers(1, 500, "active").await.0];
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("t.db");
    set_printer(&db, &s, &format!("network:{}", refusing_address()));
    let mut t = Session::start(&db, &s, &["--print-timeout", "3s"]);
    let (sale, closed) = one_sale(&mut t, &qr[0]);
    assert_eq!(closed, format!("ok closed {sale}"), "Next customer answers whatever the printer does");
    let said = t.end();
    assert!(said.contains("The receipt did not print") && said.contains("refused the connection"), "{said}");
    assert_eq!(s.redeem_requests().await, 1, "one request: the printer's failure repeated nothing");
    let log: serde_json::Value = serde_json::from_slice(&pos(&db, &s, &["log", "--format", "json"]).stdout).unwrap();
    assert_eq!(log[0]["state"], "redeemed", "{log}");

    // The printer is fixed: the reprint is the original, since none went out.
    let printer = FakePrinter::start(Behaviour::Prints);
    set_printer(&db, &s, &printer.setting());
    let o = pos(&db, &s, &["reprint", "1"]);
    assert!(o.status.success() && !String::from_utf8_lossy(&o.stderr).contains("COPY"), "{o:?}");
    let printed = printer.wait_for_receipts(1, Duration::from_secs(20));
    assert!(!String::from_utf8_lossy(&printed[0]).contains("COPY"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_hung_printer_holds_no_sale_the_next_customer_is_served_while_it_hangs() {
    let s = Sandbox::start(&[]);
    let qr = [s.vouchers(1, 500, "active").await.0, s.vouchers(1, 500, "active").await.0];
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("t.db");
    let printer = FakePrinter::start(Behaviour::Hangs);
    set_printer(&db, &s, &printer.setting());
    // The printer gets a minute: it will still be hanging when the next sale closes.
    let mut t = Session::start(&db, &s, &["--print-timeout", "60s"]);
    let (first, closed) = one_sale(&mut t, &qr[0]);
    assert_eq!(closed, format!("ok closed {first}"));
    assert_eq!(printer.wait_for_connections(1, Duration::from_secs(20)), 1, "the receipt went to the printer");
    let (second, closed) = one_sale(&mut t, &qr[1]);
    assert_eq!(closed, format!("ok closed {second}"));
    assert_eq!(printer.open_connections(), 1, "the first receipt is still hanging while the second sale closed");
    drop(printer); // the printer gives up: the receipts fail and wait for a reprint
    let said = t.end();
    assert_eq!(said.matches("The receipt did not print").count(), 2, "{said}");
    assert_eq!(s.redeem_requests().await, 2);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_receipt_that_may_have_printed_is_never_printed_again_as_an_original() {
    let s = Sandbox::start(&[]);
    let (qr, _) = s.vouchers(1, 500, "active").await;
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("t.db");
    // The printer takes the receipt, then drops the connection before saying it has it.
    let flaky = FakePrinter::start(Behaviour::DropsAfterReceipt);
    set_printer(&db, &s, &flaky.setting());
    let mut t = Session::start(&db, &s, &["--print-timeout", "3s"]);
    let (sale, closed) = one_sale(&mut t, &qr);
    assert_eq!(closed, format!("ok closed {sale}"));
    let said = t.end();
    assert!(said.contains("may have printed in part"), "{said}");
    assert!(!String::from_utf8_lossy(&flaky.wait_for_receipts(1, Duration::from_secs(20))[0]).contains("COPY"));
    // Its reprint, here on a good printer, is marked COPY: one original at most.
    let good = FakePrinter::start(Behaviour::Prints);
    set_printer(&db, &s, &good.setting());
    let o = pos(&db, &s, &["reprint", "1"]);
    assert!(o.status.success(), "{o:?}");
    assert!(String::from_utf8_lossy(&good.wait_for_receipts(1, Duration::from_secs(20))[0])
        .contains("COPY - NOT THE ORIGINAL"));
}
