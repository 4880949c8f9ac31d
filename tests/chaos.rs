//! A bounded run of the fault-injection proof inside `cargo test`: real sandbox and
//! terminal processes, SIGKILLs and fault switches, then the ledger checked against
//! the terminal's log. The soak (`voucher-chaos --seeds N`) runs the same code longer.

mod common;

use std::process::Command;

#[test]
fn seeded_fault_schedules_never_double_lose_strand_guess_or_misjudge_a_redemption() {
    let out = Command::new(common::sandbox::workspace_bin("voucher-chaos"))
        .args(["--seeds", "12", "--first-seed", "9001", "--jobs", "6"])
        .output()
        .expect("run voucher-chaos");
    let stdout = String::from_utf8_lossy(&out.stdout);
    let summary = stdout.lines().last().unwrap_or_default();
    assert!(out.status.success(), "voucher-chaos failed:\n{stdout}");
    assert!(summary.starts_with("seeds=12 "), "{summary}");
    for zero in ["double=0", "lost=0", "stuck=0", "guessed=0", "wrong=0", "declined_unflagged=0", "loss_unflagged=0"] {
        assert!(summary.split(' ').any(|f| f == zero), "{zero} expected in {summary}");
    }
    let intents: u64 = summary.split(' ').find_map(|f| f.strip_prefix("intents=")).unwrap().parse().unwrap();
    assert!(intents >= 12, "the schedules committed too little to prove anything: {summary}");
}
