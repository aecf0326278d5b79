//! Embeds the conformance suite in the binary: every `conformance/<area>/*.yaml` case and every
//! `conformance/expected/*.yaml` record becomes an `include_str!` entry of a generated table
//! (`$OUT_DIR/builtin_suite.rs`, read by `src/conformance/builtin.rs`), so `conform` works from
//! any directory after `cargo install`.
//!
//! A build script rather than the `include_dir` crate: it needs no dependency, and
//! `cargo:rerun-if-changed=conformance` makes Cargo rebuild when a case file is added, removed or
//! edited (a proc macro such as `include_dir!` is not re-run when a file is only added).

use std::fmt::Write as _;
use std::path::{Path, PathBuf};

fn main() {
    let root = PathBuf::from(std::env::var_os("CARGO_MANIFEST_DIR").expect("set by Cargo"))
        .join("conformance");
    println!("cargo:rerun-if-changed=conformance");
    let mut cases = String::new();
    let mut expected = String::new();
    for area_dir in sorted_entries(&root).into_iter().filter(|p| p.is_dir()) {
        let area = file_name(&area_dir);
        for file in sorted_entries(&area_dir).into_iter().filter(|p| is_yaml(p)) {
            let entry = format!(
                "    BuiltinFile {{ area: {:?}, name: {:?}, source: include_str!({:?}) }},\n",
                area,
                file_name(&file),
                file.display().to_string()
            );
            if area == "expected" {
                expected.push_str(&entry);
            } else {
                cases.push_str(&entry);
            }
        }
    }
    let mut out = String::new();
    let _ = write!(
        out,
        "/// Every built-in case file, sorted by area and file name.\n\
         pub static CASE_FILES: &[BuiltinFile] = &[\n{cases}];\n\
         /// Every built-in expected-failure record (`area` is `expected`), sorted by name.\n\
         pub static EXPECTED_FILES: &[BuiltinFile] = &[\n{expected}];\n"
    );
    let dest =
        PathBuf::from(std::env::var_os("OUT_DIR").expect("set by Cargo")).join("builtin_suite.rs");
    std::fs::write(dest, out).expect("OUT_DIR is writable");
}

fn sorted_entries(dir: &Path) -> Vec<PathBuf> {
    let mut entries: Vec<PathBuf> = match std::fs::read_dir(dir) {
        Ok(rd) => rd.filter_map(Result::ok).map(|e| e.path()).collect(),
        Err(e) => panic!("cannot read {}: {e}", dir.display()),
    };
    entries.sort();
    entries
}

fn file_name(path: &Path) -> String {
    path.file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default()
}

fn is_yaml(path: &Path) -> bool {
    path.is_file() && path.extension().is_some_and(|x| x == "yaml" || x == "yml")
}
