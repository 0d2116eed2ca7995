//! ARCHITECTURE.md's invariants, checked on the source tree: the crate
//! graph points one way, exam-core touches the file system in one module,
//! exam-scoring never uses exam-stats, and no CLI file computes over
//! response data. A change that breaks one fails here, naming the file.

#![allow(clippy::unwrap_used)] // tests: a panic is the failure report

use std::path::{Path, PathBuf};

fn root() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

/// The `.rs` files below `dir`, sorted.
fn rust_files(dir: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        for entry in std::fs::read_dir(&d).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                stack.push(path);
            } else if path.extension().is_some_and(|e| e == "rs") {
                out.push(path);
            }
        }
    }
    out.sort();
    out
}

/// A file's text up to its unit tests (`#[cfg(test)]`): the library code.
fn library_code(path: &Path) -> String {
    let text = std::fs::read_to_string(path).unwrap();
    match text.find("#[cfg(test)]") {
        Some(at) => text[..at].to_owned(),
        None => text,
    }
}

/// The `exam-*` crates a manifest section lists.
fn internal_deps(manifest: &str, section: &str) -> Vec<String> {
    let text = std::fs::read_to_string(root().join(manifest)).unwrap();
    let mut deps = Vec::new();
    let mut inside = false;
    for line in text.lines() {
        let line = line.trim();
        if line.starts_with('[') {
            inside = line == section;
        } else if inside && line.starts_with("exam-") {
            deps.push(line.split([' ', '.', '=']).next().unwrap().to_owned());
        }
    }
    deps.sort();
    deps
}

#[test]
fn the_crate_graph_points_one_way() {
    let deps =
        |crate_dir: &str| internal_deps(&format!("{crate_dir}/Cargo.toml"), "[dependencies]");
    assert_eq!(deps("crates/core"), Vec::<String>::new());
    assert_eq!(deps("crates/scoring"), ["exam-core"]);
    assert_eq!(deps("crates/stats"), ["exam-core"]);
    assert_eq!(
        deps("crates/export"),
        ["exam-core", "exam-scoring", "exam-stats"]
    );
    // The binary reaches the libraries below through exam-export alone.
    assert_eq!(
        internal_deps("Cargo.toml", "[dependencies]"),
        ["exam-export"]
    );
    // Tests do not reach up the graph either.
    for (crate_dir, allowed) in [
        ("crates/core", &[][..]),
        ("crates/scoring", &["exam-core"][..]),
        ("crates/stats", &["exam-core"][..]),
        ("crates/export", &["exam-core"][..]),
    ] {
        let dev = internal_deps(&format!("{crate_dir}/Cargo.toml"), "[dev-dependencies]");
        assert!(
            dev.iter().all(|d| allowed.contains(&d.as_str())),
            "{crate_dir}: {dev:?}"
        );
    }
}

#[test]
fn cli_outputs_are_written_only_through_output_rs() {
    let offenders: Vec<PathBuf> = rust_files(&root().join("crates/cli"))
        .into_iter()
        .filter(|p| !p.ends_with("output.rs"))
        .filter(|p| {
            let text = std::fs::read_to_string(p).unwrap();
            text.contains("File::create") || text.contains("fs::write(")
        })
        .collect();
    assert!(offenders.is_empty(), "{offenders:?}");
}

#[test]
fn core_touches_the_file_system_only_in_disk_rs() {
    let disk = root().join("crates/core/src/disk.rs");
    assert!(disk.is_file());
    let offenders: Vec<PathBuf> = rust_files(&root().join("crates/core/src"))
        .into_iter()
        .filter(|p| *p != disk && !p.ends_with("assembly/tests.rs"))
        .filter(|p| {
            let code = library_code(p);
            code.contains("std::fs") || code.contains("fs::") || code.contains("File::")
        })
        .collect();
    assert!(
        offenders.is_empty(),
        "file system access outside disk.rs: {offenders:?}"
    );
}

#[test]
fn scoring_never_uses_stats() {
    let manifest = std::fs::read_to_string(root().join("crates/scoring/Cargo.toml")).unwrap();
    assert!(!manifest.contains("exam-stats"));
    for path in rust_files(&root().join("crates/scoring")) {
        let text = std::fs::read_to_string(&path).unwrap();
        assert!(
            !text.contains("exam_stats"),
            "{} uses exam_stats",
            path.display()
        );
    }
}

/// The parameter lists of the functions a file defines.
fn parameter_lists(text: &str) -> Vec<(String, String)> {
    let mut out = Vec::new();
    let mut rest = text;
    while let Some(at) = rest.find("fn ") {
        let after = &rest[at + 3..];
        let Some(open) = after.find('(') else { break };
        let name = after[..open].trim().to_owned();
        let mut depth = 0;
        let mut end = open;
        for (i, ch) in after[open..].char_indices() {
            match ch {
                '(' => depth += 1,
                ')' => {
                    depth -= 1;
                    if depth == 0 {
                        end = open + i;
                        break;
                    }
                }
                _ => {}
            }
        }
        out.push((name, after[open + 1..end].to_owned()));
        rest = &after[end..];
    }
    out
}

#[test]
fn no_cli_file_defines_a_function_over_response_data() {
    // Reading response data into a buffer the caller owns (`&mut`) is
    // input; taking it to compute from is scoring or statistics.
    const RESPONSE_DATA: [&str; 4] = [
        "ResponseMatrix",
        "Submission",
        "ScoredSubmission",
        "Choices",
    ];
    let mut offenders = Vec::new();
    for path in rust_files(&root().join("crates/cli")) {
        for (name, params) in parameter_lists(&std::fs::read_to_string(&path).unwrap()) {
            for param in params.split(',') {
                let ty = param.split_once(':').map_or("", |(_, t)| t).trim();
                if RESPONSE_DATA.iter().any(|d| ty.contains(d)) && !ty.starts_with("&mut") {
                    offenders.push(format!("{}: fn {name}({param})", path.display()));
                }
            }
        }
    }
    assert!(offenders.is_empty(), "{offenders:#?}");
}

#[test]
fn the_checks_see_what_they_look_for() {
    // The parser finds parameters over several lines and nested parentheses.
    let found =
        parameter_lists("fn a(\n    m: &ResponseMatrix,\n    f: fn(u8) -> u8,\n) {}\nfn b() {}");
    assert_eq!(found.len(), 2);
    assert!(found[0].1.contains("&ResponseMatrix") && found[0].1.contains("fn(u8)"));
    assert_eq!(
        internal_deps("crates/export/Cargo.toml", "[dependencies]").len(),
        3
    );
}
