//! The layout rules of README "Architecture", checked on the source tree so they cannot drift:
//! no file under `src/` or `crates/core/src/` over 900 lines, no import circle between the files
//! of either crate, the pure cores (`crates/core`) opening no file or socket, nothing
//! below the subcommands importing `cli` or `commands`, the scenario model not importing the
//! metrics, and the engine and the conformance runner never printing (the commands do).

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

const MAX_LINES: usize = 900;

/// A module path (`["server", "ops", "auth"]`; the crate root is `[]`).
type Module = Vec<String>;

fn rust_files(dir: &Path, out: &mut Vec<PathBuf>) {
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            rust_files(&path, out);
        } else if path.extension().is_some_and(|e| e == "rs") {
            out.push(path);
        }
    }
}

fn src() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("src")
}

/// The pure cores' crate, re-exported by this one (`srp`, `jwt`, `quota`, ...).
fn core_src() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("crates/core/src")
}

/// Every file of `src/` with its module path and its text up to its unit tests.
fn sources() -> BTreeMap<Module, (PathBuf, String)> {
    sources_of(&src())
}

/// Every file under `root` (a crate's `src/`) with its module path and its text up to its unit
/// tests.
fn sources_of(root: &Path) -> BTreeMap<Module, (PathBuf, String)> {
    let mut files = Vec::new();
    rust_files(root, &mut files);
    files
        .into_iter()
        .map(|path| {
            let rel = path.strip_prefix(root).unwrap().with_extension("");
            let mut module: Module = rel
                .components()
                .map(|c| c.as_os_str().to_string_lossy().into_owned())
                .collect();
            if matches!(
                module.last().map(String::as_str),
                Some("mod" | "lib" | "main")
            ) {
                module.pop();
            }
            let text = std::fs::read_to_string(&path).unwrap();
            let code = match text.find("#[cfg(test)]\nmod tests") {
                Some(at) => &text[..at],
                None => &text[..],
            };
            // Comments (doc links included) name other modules without depending on them.
            let code: String = code
                .lines()
                .filter(|l| !l.trim_start().starts_with("//"))
                .map(|l| format!("{l}\n"))
                .collect();
            (module, (path, code))
        })
        .collect()
}

/// The files a file's `crate::`, `super::` and `self::` paths reach (the longest module prefix
/// of each path that is a file), itself and the crate root left out.
fn imports(module: &Module, code: &str, modules: &BTreeSet<Module>) -> BTreeSet<Module> {
    let mut out = BTreeSet::new();
    let bytes = code.as_bytes();
    for start in ["crate::", "super::", "self::"] {
        let mut from = 0;
        while let Some(found) = code[from..].find(start) {
            let at = from + found;
            from = at + start.len();
            if at > 0 && (bytes[at - 1].is_ascii_alphanumeric() || bytes[at - 1] == b'_') {
                continue;
            }
            let path: String = code[at..]
                .chars()
                .take_while(|c| c.is_ascii_alphanumeric() || *c == '_' || *c == ':' || *c == '{')
                .collect();
            let mut parts = path.split("::").filter(|p| !p.is_empty());
            let mut current: Module = match parts.next() {
                Some("crate") => Vec::new(),
                Some("super") => module[..module.len().saturating_sub(1)].to_vec(),
                _ => module.clone(),
            };
            let mut rest: Vec<&str> = parts.collect();
            while rest.first() == Some(&"super") {
                current.pop();
                rest.remove(0);
            }
            let mut target = current;
            for part in rest {
                // `use crate::x::{a, b::C}` lists: each name of the group, under `target`.
                if part.starts_with('{') {
                    let close = code[at..].find('}').map_or(code.len(), |c| at + c);
                    let group = &code[at..close];
                    let inner = &group[group.find('{').map_or(0, |b| b + 1)..];
                    for item in inner.split(',') {
                        let name = item.trim().split("::").next().unwrap_or("").trim();
                        let mut member = target.clone();
                        member.push(name.to_string());
                        if modules.contains(&member) && member != *module {
                            out.insert(member);
                        }
                    }
                    break;
                }
                let mut next = target.clone();
                next.push(part.to_string());
                if modules.contains(&next) {
                    target = next;
                } else {
                    break;
                }
            }
            if !target.is_empty() && target != *module && modules.contains(&target) {
                out.insert(target);
            }
        }
    }
    out
}

/// The child modules a module's file uses by bare path (`store::Store` in `server/mod.rs`),
/// outside its `mod` declarations and `pub use` re-exports: a parent that re-exports a child
/// only names it, one that calls into it depends on it.
fn child_uses(module: &Module, code: &str, modules: &BTreeSet<Module>) -> BTreeSet<Module> {
    let children: Vec<&Module> = modules
        .iter()
        .filter(|c| c.len() == module.len() + 1 && c.starts_with(module))
        .collect();
    let mut out = BTreeSet::new();
    for line in code.lines() {
        let line = line.trim_start();
        let declaration = [
            "//",
            "mod ",
            "pub mod ",
            "pub use ",
            "pub(crate) use ",
            "pub(super) use ",
        ]
        .iter()
        .any(|p| line.starts_with(p));
        if declaration {
            continue;
        }
        for child in &children {
            let name = format!("{}::", child[module.len()]);
            let mut from = 0;
            while let Some(found) = line[from..].find(&name) {
                let at = from + found;
                from = at + name.len();
                let before = line[..at].chars().next_back();
                if before.is_none_or(|c| !(c.is_ascii_alphanumeric() || c == '_' || c == ':')) {
                    out.insert((*child).clone());
                }
            }
        }
    }
    out
}

fn graph() -> BTreeMap<Module, BTreeSet<Module>> {
    graph_of(&src())
}

fn graph_of(root: &Path) -> BTreeMap<Module, BTreeSet<Module>> {
    let sources = sources_of(root);
    let modules: BTreeSet<Module> = sources.keys().cloned().collect();
    sources
        .iter()
        .map(|(m, (_, code))| {
            let mut edges = imports(m, code, &modules);
            edges.extend(child_uses(m, code, &modules));
            (m.clone(), edges)
        })
        .collect()
}

/// The strongly connected components with more than one file (Tarjan).
fn circles(graph: &BTreeMap<Module, BTreeSet<Module>>) -> Vec<Vec<String>> {
    struct State<'a> {
        graph: &'a BTreeMap<Module, BTreeSet<Module>>,
        index: BTreeMap<&'a Module, usize>,
        low: BTreeMap<&'a Module, usize>,
        stack: Vec<&'a Module>,
        on_stack: BTreeSet<&'a Module>,
        next: usize,
        found: Vec<Vec<String>>,
    }
    fn visit<'a>(s: &mut State<'a>, v: &'a Module) {
        s.index.insert(v, s.next);
        s.low.insert(v, s.next);
        s.next += 1;
        s.stack.push(v);
        s.on_stack.insert(v);
        for w in &s.graph[v] {
            if !s.index.contains_key(w) {
                visit(s, w);
                let low = s.low[w].min(s.low[v]);
                s.low.insert(v, low);
            } else if s.on_stack.contains(w) {
                let low = s.index[w].min(s.low[v]);
                s.low.insert(v, low);
            }
        }
        if s.low[v] == s.index[v] {
            let mut component = Vec::new();
            while let Some(w) = s.stack.pop() {
                s.on_stack.remove(w);
                component.push(w.join("::"));
                if w == v {
                    break;
                }
            }
            if component.len() > 1 {
                component.sort();
                s.found.push(component);
            }
        }
    }
    let mut state = State {
        graph,
        index: BTreeMap::new(),
        low: BTreeMap::new(),
        stack: Vec::new(),
        on_stack: BTreeSet::new(),
        next: 0,
        found: Vec::new(),
    };
    for v in graph.keys() {
        if !state.index.contains_key(v) {
            visit(&mut state, v);
        }
    }
    state.found
}

#[test]
fn no_source_file_is_over_900_lines() {
    let mut files = Vec::new();
    rust_files(&src(), &mut files);
    rust_files(&core_src(), &mut files);
    let long: Vec<String> = files
        .iter()
        .filter_map(|f| {
            let lines = std::fs::read_to_string(f).unwrap().lines().count();
            (lines > MAX_LINES).then(|| format!("{} ({lines} lines)", f.display()))
        })
        .collect();
    assert!(long.is_empty(), "over {MAX_LINES} lines: {long:#?}");
}

#[test]
fn the_import_graph_of_src_has_no_circle() {
    let found = circles(&graph());
    assert!(found.is_empty(), "import circles: {found:#?}");
    let found = circles(&graph_of(&core_src()));
    assert!(
        found.is_empty(),
        "import circles in crates/core: {found:#?}"
    );
}

#[test]
fn the_pure_cores_open_no_file_socket_or_process() {
    let mut io = Vec::new();
    for (_, (path, code)) in sources_of(&core_src()) {
        for (n, line) in code.lines().enumerate() {
            if ["std::fs", "std::net", "std::process", "tokio", "println!("]
                .iter()
                .any(|m| line.contains(m))
            {
                io.push(format!("{}:{}: {}", path.display(), n + 1, line.trim()));
            }
        }
    }
    assert!(io.is_empty(), "I/O in crates/core: {io:#?}");
}

#[test]
fn the_circle_finder_finds_a_circle() {
    let m = |s: &str| -> Module { s.split("::").map(String::from).collect() };
    let mut g = BTreeMap::new();
    g.insert(m("a"), BTreeSet::from([m("b")]));
    g.insert(m("b"), BTreeSet::from([m("c")]));
    g.insert(m("c"), BTreeSet::from([m("a")]));
    g.insert(m("d"), BTreeSet::from([m("a")]));
    assert_eq!(circles(&g), vec![vec!["a", "b", "c"]]);
    let modules = BTreeSet::from([m("x"), m("x::y"), m("z")]);
    assert_eq!(
        imports(
            &m("z"),
            "use crate::x::y::Thing;\nuse crate::{x, z};",
            &modules
        ),
        BTreeSet::from([m("x"), m("x::y")])
    );
}

/// Whether `module` is `prefix` or below it.
fn under(module: &Module, prefix: &str) -> bool {
    let prefix: Vec<&str> = prefix.split("::").collect();
    module.len() >= prefix.len() && module.iter().zip(&prefix).all(|(a, b)| a == b)
}

#[test]
fn no_arrow_runs_back_up() {
    let graph = graph();
    let mut wrong = Vec::new();
    for (from, targets) in &graph {
        for to in targets {
            let top = !from.is_empty() && (under(from, "commands") || under(from, "main"));
            let up = (under(to, "cli") || under(to, "commands")) && !top && !under(from, "cli");
            let scenario_to_metrics = under(from, "scenario") && under(to, "metrics");
            if up || scenario_to_metrics {
                wrong.push(format!("{} -> {}", from.join("::"), to.join("::")));
            }
        }
    }
    assert!(wrong.is_empty(), "arrows running back up: {wrong:#?}");
}

#[test]
fn the_engine_and_the_conformance_runner_do_not_print() {
    let mut printing = Vec::new();
    for (module, (path, code)) in sources() {
        if !(under(&module, "engine") || under(&module, "conformance")) {
            continue;
        }
        for (n, line) in code.lines().enumerate() {
            let line = line.trim_start();
            if line.starts_with("//") {
                continue;
            }
            if ["println!(", "eprintln!(", "print!(", "eprint!("]
                .iter()
                .any(|m| line.contains(m))
            {
                printing.push(format!("{}:{}: {line}", path.display(), n + 1));
            }
        }
    }
    assert!(
        printing.is_empty(),
        "prints outside the commands: {printing:#?}"
    );
}
