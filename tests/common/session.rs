//! `voucher-pos` as a script drives it: one command, or a `session` answered one line
//! at a time, against the sandbox with the key from the environment.

use std::io::{BufRead, BufReader, Lines, Write};
use std::path::Path;
use std::process::{Child, ChildStdin, ChildStdout, Command, Stdio};

use super::sandbox::{workspace_bin, Sandbox};

/// `voucher-pos` on this database and service, with the key from the environment.
pub fn voucher_pos(db: &Path, service: &str) -> Command {
    let mut c = Command::new(workspace_bin("voucher-pos"));
    c.args(["--db", &db.display().to_string(), "--service", service]).env("VOUCHER_POS_API_KEY", "test_sandbox");
    c
}

/// Runs one `voucher-pos` command to its end.
pub fn pos(db: &Path, s: &Sandbox, args: &[&str]) -> std::process::Output {
    voucher_pos(db, &s.url).args(args).output().expect("run voucher-pos")
}

/// A running `voucher-pos session`; told `quit` and waited for when dropped.
pub struct Session {
    child: Child,
    stdin: ChildStdin,
    out: Lines<BufReader<ChildStdout>>,
    /// What it says on stderr (a file, so that a chatty session never blocks on a
    /// full pipe).
    stderr: tempfile::NamedTempFile,
}

impl Session {
    /// Starts `voucher-pos [extra...] session`.
    pub fn start(db: &Path, s: &Sandbox, extra: &[&str]) -> Session {
        let stderr = tempfile::NamedTempFile::new().unwrap();
        let mut child = voucher_pos(db, &s.url)
            .args(extra)
            .arg("session")
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(stderr.reopen().unwrap())
            .spawn()
            .expect("start voucher-pos session");
        let stdin = child.stdin.take().unwrap();
        let out = BufReader::new(child.stdout.take().unwrap()).lines();
        Session { child, stdin, out, stderr }
    }

    /// Says one line; returns the session's one-line answer.
    pub fn say(&mut self, line: &str) -> String {
        writeln!(self.stdin, "{line}").unwrap();
        self.out.next().expect("the session answers every line").unwrap()
    }

    /// Ends the session (it must exit 0); returns what it said on stderr.
    pub fn end(mut self) -> String {
        writeln!(self.stdin, "quit").unwrap();
        assert!(self.child.wait().unwrap().success(), "the session failed");
        std::fs::read_to_string(self.stderr.path()).unwrap()
    }
}

impl Drop for Session {
    fn drop(&mut self) {
        let _ = writeln!(self.stdin, "quit");
        let _ = self.child.wait();
    }
}
