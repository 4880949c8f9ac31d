//! The voucher POS terminal's core: everything that decides anything, with no GUI
//! types, so that the app, the headless `voucher-pos` binary and the tests all run the
//! same code. See ARCHITECTURE.md for the map and the invariants.

// Bottom to top: a module imports only from the layers listed before it (the test
// below checks it). `scan` stands beside the service, on the domain alone.
pub mod error_code;
pub mod messages;
pub mod platform;
pub mod domain;
pub mod store;
pub mod service;
pub mod scan;
pub mod checkout;
pub mod records;
pub mod error;
pub mod app;

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
    use std::path::{Path, PathBuf};

    /// The layers, bottom to top, as `lib.rs` lists them; `scan` and `service` share
    /// a rank and may not import each other.
    const LAYERS: [(&str, u8); 11] = [
        ("error_code", 0),
        ("messages", 0),
        ("platform", 1),
        ("domain", 2),
        ("store", 3),
        ("service", 4),
        ("scan", 4),
        ("checkout", 5),
        ("records", 6),
        ("error", 7),
        ("app", 8),
    ];
    /// Layers that are folders of modules, each module a unit of its own (`store`
    /// and `scan` are one unit each).
    const FOLDERS: [&str; 6] = ["platform", "domain", "service", "checkout", "records", "app"];

    /// This clone's sources, named at run time: a test binary built in another clone
    /// (a shared target folder) must read the files it is run beside.
    fn src() -> PathBuf {
        std::env::var_os("CARGO_MANIFEST_DIR")
            .map_or_else(|| PathBuf::from(env!("CARGO_MANIFEST_DIR")), PathBuf::from)
            .join("src")
    }

    /// The unit a path inside the crate names: `checkout::access`, `store`, `error`.
    fn unit(segments: &[&str]) -> String {
        let first = segments[0];
        if FOLDERS.contains(&first) && segments.len() > 1 {
            let child = segments[1];
            let dir = src().join(first);
            if dir.join(format!("{child}.rs")).exists() || dir.join(child).is_dir() {
                return format!("{first}::{child}");
            }
        }
        match first {
            "Error" => "error".into(),
            "ErrorCode" => "error_code".into(),
            other => other.into(),
        }
    }

    /// The units each unit of the core names (`crate::x::y`, `use crate::{x, y::z}`),
    /// outside comments and test modules.
    fn imports() -> BTreeMap<String, BTreeSet<String>> {
        fn walk(dir: &Path, out: &mut Vec<PathBuf>) {
            for e in std::fs::read_dir(dir).unwrap() {
                let p = e.unwrap().path();
                if p.is_dir() {
                    walk(&p, out);
                } else if p.extension().is_some_and(|x| x == "rs") {
                    out.push(p);
                }
            }
        }
        let mut files = Vec::new();
        walk(&src(), &mut files);
        let mut graph: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
        for file in files {
            let rel = file.strip_prefix(src()).unwrap().with_extension("");
            let mut segments: Vec<String> = rel.iter().map(|c| c.to_string_lossy().into_owned()).collect();
            if segments[0] == "lib" || segments[0] == "bin" {
                continue;
            }
            if segments.last().is_some_and(|s| s == "mod") {
                segments.pop();
            }
            let me = unit(&segments.iter().map(String::as_str).collect::<Vec<_>>());
            let text = std::fs::read_to_string(&file).unwrap();
            let code: Vec<&str> = text
                .lines()
                .take_while(|l| !l.starts_with("mod tests"))
                .map(|l| if l.trim_start().starts_with("//") { "" } else { l })
                .collect();
            let code = code.join("\n");
            let deps = graph.entry(me.clone()).or_default();
            let path = |s: &str| -> Vec<String> {
                let p: String = s.chars().take_while(|c| c.is_alphanumeric() || *c == '_' || *c == ':').collect();
                p.split("::").filter(|x| !x.is_empty()).map(str::to_string).collect()
            };
            for (i, _) in code.match_indices("crate::") {
                let rest = &code[i + "crate::".len()..];
                let paths: Vec<Vec<String>> = match rest.strip_prefix('{') {
                    Some(group) => group[..group.find('}').unwrap_or(0)].split(',').map(|p| path(p.trim())).collect(),
                    None => vec![path(rest)],
                };
                for p in paths.iter().filter(|p| !p.is_empty()) {
                    let target = unit(&p.iter().map(String::as_str).collect::<Vec<_>>());
                    if target != me {
                        deps.insert(target);
                    }
                }
            }
        }
        graph
    }

    fn rank(unit: &str) -> Option<(&str, u8)> {
        let layer = unit.split("::").next().unwrap();
        LAYERS.iter().find(|(l, _)| *l == layer).copied()
    }

    /// Issue 21: the core's units form layers, with no import circle. A circle means
    /// two modules that can only be read, changed and tested together; a layer that
    /// imports one above it (the records from the app, the service from the
    /// checkout) means the layers are not layers.
    #[test]
    fn every_module_imports_only_from_its_own_layer_or_below_and_never_in_a_circle() {
        let graph = imports();
        assert!(
            graph.contains_key("app::terminal") && graph["app"].contains("app::terminal"),
            "the scan found the units"
        );
        for (from, deps) in &graph {
            let (layer, r) = rank(from).unwrap_or_else(|| panic!("{from} is in no layer of lib.rs"));
            for to in deps {
                let Some((to_layer, to_r)) = rank(to) else { continue };
                assert!(
                    to_r < r || to_layer == layer,
                    "{from} ({layer}) imports {to} ({to_layer}): a layer imports only from those below it"
                );
            }
        }
        // Depth-first; a unit met again while still on the path closes a circle.
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
