//! The page's permission list is three lists that must agree: the commands declared
//! in `build.rs` (which makes Tauri deny any not granted), the grants in
//! `capabilities/main.json`, and the handlers registered in `main.rs`. A command
//! registered but not declared would be open to any page; one declared but not
//! granted is dead. This test reads all three.

#[cfg(test)]
mod tests {
    use std::collections::BTreeSet;

    fn quoted_names(text: &str) -> BTreeSet<String> {
        text.split('"').skip(1).step_by(2).map(str::to_string).collect()
    }

    #[test]
    fn declared_granted_and_registered_commands_are_the_same_list_and_nothing_else_is_granted() {
        let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
        let build = std::fs::read_to_string(root.join("build.rs")).unwrap();
        assert!(
            build.contains(".app_manifest(") && build.contains(".commands(COMMANDS)"),
            "build.rs must declare the commands"
        );
        let list = &build[build.find("const COMMANDS").unwrap()..build.find("];").unwrap()];
        let declared = quoted_names(list);

        let cap: serde_json::Value =
            serde_json::from_str(&std::fs::read_to_string(root.join("capabilities/main.json")).unwrap()).unwrap();
        let perms: Vec<String> =
            cap["permissions"].as_array().unwrap().iter().map(|p| p.as_str().unwrap().to_string()).collect();
        let granted: BTreeSet<String> =
            perms.iter().filter_map(|p| p.strip_prefix("allow-")).map(|c| c.replace('-', "_")).collect();
        let others: Vec<&String> = perms.iter().filter(|p| !p.starts_with("allow-")).collect();
        assert_eq!(
            others,
            ["core:event:allow-listen", "core:event:allow-unlisten"],
            "only event listening besides the app's own commands"
        );

        let main = std::fs::read_to_string(root.join("src/main.rs")).unwrap();
        let start = main.find("generate_handler![\n").unwrap();
        let handlers = &main[start..start + main[start..].find("])").unwrap()];
        let registered: BTreeSet<String> = handlers
            .lines()
            .skip(1)
            .map(|l| l.trim().trim_end_matches(',').trim_start_matches("commands::").to_string())
            .filter(|l| !l.is_empty())
            .collect();

        assert_eq!(declared, granted, "build.rs and the capability disagree");
        assert_eq!(declared, registered, "build.rs and main.rs disagree");
    }
}
