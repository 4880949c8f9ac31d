//! Starting the terminal when the till's user logs in: an XDG autostart entry
//! (`$XDG_CONFIG_HOME/autostart/`, else `~/.config/autostart/`), which every Linux
//! desktop session reads. The setting lives in the database; this file only mirrors
//! it, written or removed when the manager saves the settings.

use std::path::{Path, PathBuf};

/// The entry's file name: one per user, whichever database the app runs on.
pub const FILE_NAME: &str = "voucher-pos.desktop";

/// The autostart folder of this user.
pub fn folder() -> Option<PathBuf> {
    crate::platform::fsx::xdg_folder("XDG_CONFIG_HOME", ".config").map(|c| c.join("autostart"))
}

/// Writes (`Some`: the program and its arguments) or removes (`None`) the entry in
/// `folder`. Written whole (`fsx::write_atomic`), so a session starting at that
/// moment reads the old entry or the new one.
pub fn apply(folder: &Path, command: Option<(&Path, &[String])>) -> std::io::Result<()> {
    let path = folder.join(FILE_NAME);
    let Some((program, args)) = command else {
        return match std::fs::remove_file(&path) {
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(()),
            other => other,
        };
    };
    crate::platform::fsx::private_dir(folder)?;
    let exec: Vec<String> =
        std::iter::once(program.display().to_string()).chain(args.iter().cloned()).map(|a| quote(&a)).collect();
    let entry = format!(
        "[Desktop Entry]\nType=Application\nName=Voucher POS\nComment=Starts the voucher terminal when this user logs in (set in Manager → Settings).\nExec={}\nTerminal=false\nX-GNOME-Autostart-enabled=true\n",
        exec.join(" ")
    );
    crate::platform::fsx::write_atomic(&path, |e| e, |out| std::io::Write::write_all(out, entry.as_bytes()))
}

/// One argument of an `Exec` line, quoted as the Desktop Entry specification asks
/// when it holds anything but plain characters.
fn quote(arg: &str) -> String {
    let plain = !arg.is_empty() && arg.chars().all(|c| c.is_ascii_alphanumeric() || "-_./=:,@+".contains(c));
    if plain {
        return arg.to_string();
    }
    let mut out = String::from("\"");
    for c in arg.chars() {
        match c {
            '"' | '`' | '$' | '\\' => {
                out.push('\\');
                out.push(c);
            }
            '%' => out.push_str("%%"),
            _ => out.push(c),
        }
    }
    out.push('"');
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn turning_it_on_writes_an_entry_that_runs_this_program_on_this_database() {
        let dir = tempfile::tempdir().unwrap();
        let folder = dir.path().join("autostart");
        let args = vec!["--db".to_string(), "/srv/till 2/terminal.db".to_string()];
        apply(&folder, Some((Path::new("/usr/bin/voucher-pos-app"), &args))).unwrap();
        let entry = std::fs::read_to_string(folder.join(FILE_NAME)).unwrap();
        assert!(entry.starts_with("[Desktop Entry]\n"), "{entry}");
        assert!(entry.contains("\nType=Application\n"));
        assert!(entry.contains("\nExec=/usr/bin/voucher-pos-app --db \"/srv/till 2/terminal.db\"\n"), "{entry}");
        // Saving again replaces it whole.
        apply(&folder, Some((Path::new("/usr/bin/voucher-pos-app"), &[]))).unwrap();
        let entry = std::fs::read_to_string(folder.join(FILE_NAME)).unwrap();
        assert!(entry.contains("\nExec=/usr/bin/voucher-pos-app\n"), "{entry}");
        assert_eq!(std::fs::read_dir(&folder).unwrap().count(), 1, "no temporary file left");
    }

    #[test]
    fn turning_it_off_removes_the_entry_and_off_twice_is_fine() {
        let dir = tempfile::tempdir().unwrap();
        apply(dir.path(), Some((Path::new("/usr/bin/voucher-pos-app"), &[]))).unwrap();
        apply(dir.path(), None).unwrap();
        assert!(!dir.path().join(FILE_NAME).exists());
        apply(dir.path(), None).unwrap();
    }

    #[test]
    fn arguments_with_quotes_dollars_and_percents_are_escaped() {
        assert_eq!(quote("plain/path.db"), "plain/path.db");
        assert_eq!(quote("a \"b\" $c `d` \\e 50%"), "\"a \\\"b\\\" \\$c \\`d\\` \\\\e 50%%\"");
        assert_eq!(quote(""), "\"\"");
    }
}

/// What the entry starts: this program with the arguments it was started with, so
/// that a login opens the same program on the same database.
#[derive(Debug, Clone)]
pub struct Launch {
    pub program: PathBuf,
    pub args: Vec<String>,
}

impl Launch {
    /// Writes or removes this user's entry so that it matches `enabled`.
    pub fn apply(&self, enabled: bool) -> std::io::Result<()> {
        let folder = folder()
            .ok_or_else(|| std::io::Error::new(std::io::ErrorKind::NotFound, "this user has no home folder"))?;
        apply(&folder, enabled.then_some((self.program.as_path(), self.args.as_slice())))
    }
}
