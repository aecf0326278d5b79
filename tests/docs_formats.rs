//! The file-format documents in `docs/` against the code that reads those files, so they cannot
//! drift: every ```yaml block of a document loads with the real loader, and every key (and
//! every enumerated value) the loader accepts appears in the document.
//!
//! The accepted keys are not listed here: they come from the loader itself. For each mapping in
//! each example, the test adds a key no type has and reads the loader's "unknown key" error,
//! which names the keys valid at that place (serde's own field list, through
//! `deny_unknown_fields`); for each string value it puts a value no enum has and reads the
//! "unknown value" error the same way. So a key added to the code without its documentation,
//! or a documented example that no longer loads, fails this test.

use std::collections::BTreeSet;

use cognito_harness::conformance::expected::parse_expected;
use cognito_harness::conformance::load_case_str;
use cognito_harness::server::parse_config;
use serde_json::Value;

const NOT_A_KEY: &str = "zz_not_a_key";
const NOT_A_VALUE: &str = "zz_not_a_value";

/// A document's file name and the loader of its examples (`Err` holds the error text).
struct Format {
    doc: &'static str,
    load: fn(&str) -> Result<(), String>,
}

const FORMATS: [Format; 3] = [
    Format {
        doc: "serve-config.md",
        load: |text| {
            parse_config(text, "doc.yaml")
                .map(|_| ())
                .map_err(|e| e.to_string())
        },
    },
    Format {
        doc: "conformance-cases.md",
        load: |text| {
            load_case_str(text, "doc.yaml", "doc")
                .map(|_| ())
                .map_err(|e| {
                    e.iter()
                        .map(|d| d.to_string())
                        .collect::<Vec<_>>()
                        .join("\n")
                })
        },
    },
    Format {
        doc: "expected-failures.md",
        load: |text| {
            parse_expected(text, "doc.yaml")
                .map(|_| ())
                .map_err(|d| d.to_string())
        },
    },
];

fn read_doc(name: &str) -> String {
    let path = format!("{}/docs/{name}", env!("CARGO_MANIFEST_DIR"));
    std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{path}: {e}"))
}

/// The ```yaml blocks of a Markdown text.
fn yaml_blocks(markdown: &str) -> Vec<String> {
    let mut blocks = Vec::new();
    let mut current: Option<String> = None;
    for line in markdown.lines() {
        match &mut current {
            None if line.trim_start().starts_with("```yaml") => current = Some(String::new()),
            Some(block) if line.trim_start().starts_with("```") => {
                blocks.push(std::mem::take(block));
                current = None;
            }
            Some(block) => {
                block.push_str(line);
                block.push('\n');
            }
            None => {}
        }
    }
    blocks
}

/// The names an error offers instead of the bad key or value: the list after "valid keys
/// here:" / "use one of:" (the located diagnostics), or the names after
/// "expected" (serde's own message, as the serve config reports it).
fn offered_names(error: &str, bad: &str) -> Option<Vec<String>> {
    if !error.contains(bad) {
        return None;
    }
    for marker in ["valid keys here: ", "use one of: "] {
        if let Some(at) = error.find(marker) {
            let rest = &error[at + marker.len()..];
            let list = rest.split([';', '\n']).next().unwrap_or("");
            return Some(list.split(", ").map(|s| s.trim().to_owned()).collect());
        }
    }
    let at = error.find("expected ")?;
    let rest = error[at + "expected ".len()..].trim_start_matches("one of ");
    let names: Vec<String> = rest
        .lines()
        .next()
        .unwrap_or("")
        .split(", ")
        .flat_map(|s| s.split(" or "))
        .map(|s| s.trim().trim_matches('`').to_owned())
        .filter(|s| !s.is_empty())
        .collect();
    (!names.is_empty()).then_some(names)
}

/// Every place of `value` (a path of keys and indexes) that holds a mapping or a string.
fn places(value: &Value, path: &mut Vec<Value>, out: &mut Vec<(Vec<Value>, bool)>) {
    match value {
        Value::Object(map) => {
            out.push((path.clone(), true));
            for (k, v) in map {
                path.push(Value::String(k.clone()));
                places(v, path, out);
                path.pop();
            }
        }
        Value::Array(items) => {
            for (i, v) in items.iter().enumerate() {
                path.push(Value::from(i));
                places(v, path, out);
                path.pop();
            }
        }
        Value::String(_) => out.push((path.clone(), false)),
        _ => {}
    }
}

fn at_mut<'a>(value: &'a mut Value, path: &[Value]) -> &'a mut Value {
    path.iter().fold(value, |v, step| match step {
        Value::String(k) => &mut v[k.as_str()],
        Value::Number(i) => &mut v[i.as_u64().unwrap() as usize],
        _ => unreachable!(),
    })
}

/// The keys and values the loader offers at each mapping and string of `example`.
fn accepted_names(format: &Format, example: &str) -> BTreeSet<String> {
    let tree: Value = serde_saphyr::from_str(example).expect("an example is YAML");
    let mut found = Vec::new();
    places(&tree, &mut Vec::new(), &mut found);
    let mut names = BTreeSet::new();
    for (path, is_map) in found {
        let mut changed = tree.clone();
        let bad = if is_map {
            at_mut(&mut changed, &path)[NOT_A_KEY] = Value::from(1);
            NOT_A_KEY
        } else {
            *at_mut(&mut changed, &path) = Value::from(NOT_A_VALUE);
            NOT_A_VALUE
        };
        // JSON is YAML: the changed tree goes back through the same loader.
        let text = serde_json::to_string(&changed).unwrap();
        if let Err(error) = (format.load)(&text) {
            names.extend(offered_names(&error, bad).unwrap_or_default());
        }
    }
    names
}

fn documented(doc: &str, name: &str) -> bool {
    doc.contains(&format!("`{name}`"))
        || doc.lines().any(|l| {
            let l = l.trim_start().trim_start_matches("- ");
            l.starts_with(&format!("{name}:")) || l.contains(&format!("{{ {name}:"))
        })
}

#[test]
fn every_yaml_example_in_the_format_documents_loads_with_the_real_loader() {
    for format in &FORMATS {
        let doc = read_doc(format.doc);
        let blocks = yaml_blocks(&doc);
        assert!(!blocks.is_empty(), "{} has no ```yaml example", format.doc);
        for block in blocks {
            if let Err(e) = (format.load)(&block) {
                panic!(
                    "docs/{}: an example does not load:\n{e}\n---\n{block}",
                    format.doc
                );
            }
        }
    }
}

#[test]
fn every_key_and_value_the_loaders_accept_is_documented() {
    for format in &FORMATS {
        let doc = read_doc(format.doc);
        let mut accepted = BTreeSet::new();
        for block in yaml_blocks(&doc) {
            accepted.extend(accepted_names(format, &block));
        }
        assert!(
            accepted.len() > 1,
            "{}: no key found: {accepted:?}",
            format.doc
        );
        let missing: Vec<&String> = accepted.iter().filter(|n| !documented(&doc, n)).collect();
        assert!(
            missing.is_empty(),
            "docs/{} does not document {missing:?} (the loader accepts them)",
            format.doc
        );
    }
}

#[test]
fn the_key_finder_sees_a_key_the_document_leaves_out() {
    // The check itself: a document without `expose_codes` must be caught.
    let format = &FORMATS[0];
    let doc = read_doc(format.doc);
    let accepted: BTreeSet<String> = yaml_blocks(&doc)
        .iter()
        .flat_map(|b| accepted_names(format, b))
        .collect();
    assert!(accepted.contains("expose_codes"), "{accepted:?}");
    assert!(accepted.contains("admin_credentials"), "{accepted:?}");
    let stripped = doc.replace("expose_codes", "exposecodes");
    assert!(!documented(&stripped, "expose_codes"));
}

#[test]
fn the_readme_links_the_format_documents() {
    let readme =
        std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/README.md")).unwrap();
    for format in &FORMATS {
        assert!(
            readme.contains(&format!("(docs/{})", format.doc)),
            "README.md does not link docs/{}",
            format.doc
        );
    }
}

#[test]
fn the_case_examples_pass_against_the_reference_server() {
    // Loading is not enough for a case: its expectations must hold where the format says they
    // do. Each example becomes a case of a `--suite` folder run against `embedded`.
    let suite = tempfile::tempdir().unwrap();
    let area = suite.path().join("doc-examples");
    std::fs::create_dir(&area).unwrap();
    let blocks = yaml_blocks(&read_doc("conformance-cases.md"));
    for (i, block) in blocks.iter().enumerate() {
        std::fs::write(area.join(format!("example-{i}.yaml")), block).unwrap();
    }
    let cwd = tempfile::tempdir().unwrap();
    let out = assert_cmd::Command::cargo_bin("cognito-harness")
        .unwrap()
        .current_dir(cwd.path())
        .args([
            "conform",
            "--target",
            "embedded",
            "--area",
            "doc-examples",
            "--suite",
        ])
        .arg(suite.path())
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert_eq!(
        out.status.code(),
        Some(0),
        "{stdout}\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let n = blocks.len();
    assert!(
        stdout.contains(&format!("{n} cases: {n} passed")),
        "{stdout}"
    );
}

#[test]
fn the_serve_config_examples_start_the_server() {
    // Parsing is not enough either: pools, clients and users are created through the API's
    // checks at start-up. The example's secret file is replaced by a temporary one.
    use std::io::{BufRead, BufReader};
    let dir = tempfile::tempdir().unwrap();
    let secret = dir.path().join("secret");
    std::fs::write(&secret, "doc-example-secret\n").unwrap();
    for block in yaml_blocks(&read_doc("serve-config.md")) {
        let text = block.replace("/run/secrets/cognito-admin", secret.to_str().unwrap());
        let config = dir.path().join("config.yaml");
        std::fs::write(&config, text).unwrap();
        let mut child = std::process::Command::new(assert_cmd::cargo::cargo_bin("cognito-harness"))
            .args(["serve", "--port", "0", "--config"])
            .arg(&config)
            .stdout(std::process::Stdio::piped())
            .stderr(std::process::Stdio::piped())
            .spawn()
            .unwrap();
        let stdout = child.stdout.take().unwrap();
        // The configured pool answering is the proof that the file was accepted as written.
        let endpoint = BufReader::new(stdout)
            .lines()
            .map_while(Result::ok)
            .find_map(|line| line.split("listening on ").nth(1).map(str::to_owned));
        let pool = block
            .lines()
            .find_map(|l| l.trim().strip_prefix("id: "))
            .expect("the example fixes a pool id");
        let answer = endpoint.map(|e| http_get(&e, &format!("/{pool}/.well-known/jwks.json")));
        child.kill().ok();
        let output = child.wait_with_output().unwrap();
        assert!(
            answer
                .as_deref()
                .is_some_and(|a| a.starts_with("HTTP/1.1 200")),
            "serve did not take the example: {answer:?}\n{}\n---\n{block}",
            String::from_utf8_lossy(&output.stderr)
        );
    }
}

/// A GET over loopback with HTTP/1.1 and `Connection: close`: the whole answer, or the error.
fn http_get(endpoint: &str, path: &str) -> String {
    use std::io::{Read, Write};
    let authority = endpoint
        .trim()
        .trim_start_matches("http://")
        .trim_end_matches('/');
    let mut stream = match std::net::TcpStream::connect(authority) {
        Ok(s) => s,
        Err(e) => return format!("connect: {e}"),
    };
    let request = format!("GET {path} HTTP/1.1\r\nHost: {authority}\r\nConnection: close\r\n\r\n");
    let mut answer = String::new();
    match stream
        .write_all(request.as_bytes())
        .and_then(|()| stream.read_to_string(&mut answer))
    {
        Ok(_) => answer,
        Err(e) => format!("{e}: {answer}"),
    }
}
