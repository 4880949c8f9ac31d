//! The voucher POS terminal's core: everything that decides anything, with no GUI
//! types, so that the app, the headless `voucher-pos` binary and the tests all run the
//! same code. See ARCHITECTURE.md for the map and the invariants.

pub mod access;
pub mod api;
pub mod app;
pub mod autostart;
pub mod backup;
pub mod clock;
pub mod diagnostics;
pub mod error;
pub mod error_code;
pub mod export;
pub mod fsx;
pub mod instance;
pub mod intent;
pub mod policy;
pub mod redemption_log;
pub mod report;
pub mod retention;
pub mod sale;
pub mod scan;
pub mod secrets;
pub mod settings;
pub mod startup;
pub mod store;
pub mod sync;
pub mod terminal;
pub mod verdict;
pub mod voucher;

pub use error::Error;
pub use error_code::ErrorCode;

/// Logs for the headless binaries: to stderr, level from `RUST_LOG` (default: warnings).
/// The app writes to daily files instead (`src-tauri/src/main.rs`). Nothing logged
/// carries a secret or a whole voucher code (`voucher::log_form`).
pub fn init_stderr_logs() {
    let filter = tracing_subscriber::EnvFilter::try_from_default_env()
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("warn"));
    let ansi = std::io::IsTerminal::is_terminal(&std::io::stderr());
    let _ = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr)
        .with_target(false)
        .with_ansi(ansi)
        .try_init();
}

#[cfg(test)]
mod tests {
    use std::collections::{BTreeMap, BTreeSet};
    use std::path::Path;

    /// The modules each top-level module of the core names (`crate::x`, `use
    /// crate::{x, y}`), outside comments and test modules. `crate::Error` is the
    /// `error` module (it wraps every module's error), `crate::ErrorCode` is
    /// `error_code` (it depends on nothing).
    fn imports() -> BTreeMap<String, BTreeSet<String>> {
        fn walk(dir: &Path, out: &mut Vec<std::path::PathBuf>) {
            for e in std::fs::read_dir(dir).unwrap() {
                let p = e.unwrap().path();
                if p.is_dir() {
                    walk(&p, out);
                } else if p.extension().is_some_and(|x| x == "rs") {
                    out.push(p);
                }
            }
        }
        let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
        let mut files = Vec::new();
        walk(&src, &mut files);
        let mut graph: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
        for file in files {
            let rel = file.strip_prefix(&src).unwrap();
            let first = rel.components().next().unwrap().as_os_str().to_string_lossy().to_string();
            let module = first.trim_end_matches(".rs").to_string();
            if module == "lib" || module == "bin" {
                continue;
            }
            let text = std::fs::read_to_string(&file).unwrap();
            let code: String = text
                .lines()
                .take_while(|l| !l.starts_with("mod tests"))
                .map(|l| if l.trim_start().starts_with("//") { "" } else { l })
                .collect::<Vec<_>>()
                .join("\n");
            let deps = graph.entry(module.clone()).or_default();
            let ident = |s: &str| s.chars().take_while(|c| c.is_alphanumeric() || *c == '_').collect::<String>();
            for (i, _) in code.match_indices("crate::") {
                let rest = &code[i + "crate::".len()..];
                let names: Vec<String> = match rest.strip_prefix('{') {
                    Some(group) => group[..group.find('}').unwrap_or(0)].split(',').map(|n| ident(n.trim())).collect(),
                    None => vec![ident(rest)],
                };
                for name in names {
                    let target = match name.as_str() {
                        "Error" => "error".to_string(),
                        "ErrorCode" => "error_code".to_string(),
                        n => n.to_string(),
                    };
                    if !target.is_empty() && target != module {
                        deps.insert(target);
                    }
                }
            }
        }
        graph
    }

    /// Issue 21: the core's modules form layers, with no import circle. A circle
    /// means two modules that can only be read, changed and tested together.
    #[test]
    fn no_module_of_the_core_imports_itself_through_others() {
        let graph = imports();
        assert!(graph.contains_key("terminal") && graph["app"].contains("terminal"), "the scan found the modules");
        // Depth-first; a module met again while still on the path closes a circle.
        fn visit<'a>(
            m: &'a str,
            graph: &'a BTreeMap<String, BTreeSet<String>>,
            path: &mut Vec<&'a str>,
            done: &mut BTreeSet<&'a str>,
        ) {
            if done.contains(m) {
                return;
            }
            if let Some(at) = path.iter().position(|p| *p == m) {
                panic!("an import circle: {} -> {m}", path[at..].join(" -> "));
            }
            path.push(m);
            for d in graph.get(m).into_iter().flatten() {
                if graph.contains_key(d.as_str()) {
                    visit(d, graph, path, done);
                }
            }
            path.pop();
            done.insert(m);
        }
        let mut done = BTreeSet::new();
        for m in graph.keys() {
            visit(m, &graph, &mut Vec::new(), &mut done);
        }
    }
}
