//! File to model: read the YAML, deserialize it with locations, and hand it to validation.
//!
//! The document is read by the crate's one YAML loader ([`crate::yaml`]), with `NamedMap`'s key
//! trail filling in user-chosen names. Everything is reported as
//! `file:line:column: key: message; fix`.

use std::path::{Path, PathBuf};

use super::doc::{self, ScenarioDoc};
use super::overrides::Overrides;
use super::validate::{self, Loaded};
use crate::yaml::{self, Diagnostic, Diagnostics};

/// Reads and validates a scenario file, interpolating `${ENV}` from the process environment.
pub fn load_scenario(path: &Path) -> Result<Loaded, Diagnostics> {
    load_scenario_with(path, &Overrides::default())
}

/// Like [`load_scenario`], with the command line's overrides: `${env.NAME}` reads the `-e`
/// variables (then the process environment), and the load overrides are applied to the
/// validated scenario.
pub fn load_scenario_with(path: &Path, overrides: &Overrides) -> Result<Loaded, Diagnostics> {
    let source = yaml::read_text(path, "the scenario").map_err(|d| Diagnostics(vec![d]))?;
    let process = |name: &str| std::env::var(name).ok();
    let lookup = |name: &str| match name.strip_prefix(super::env::CLI_PREFIX) {
        Some(var) => overrides.var(var, &process),
        None => process(name),
    };
    let mut loaded = parse_scenario(&source, path, &lookup)?;
    super::overrides::apply(&mut loaded.scenario, overrides);
    Ok(loaded)
}

/// Validates scenario text. `path` names the file in messages and anchors relative paths (the
/// setup CSV); `env` answers `${NAME}` look-ups.
pub fn parse_scenario(
    source: &str,
    path: &Path,
    env: &dyn Fn(&str) -> Option<String>,
) -> Result<Loaded, Diagnostics> {
    let file = path.display().to_string();
    let doc = parse_document(source, &file).map_err(|d| Diagnostics(vec![d]))?;
    let dir = path
        .parent()
        .map(Path::to_path_buf)
        .unwrap_or_else(|| PathBuf::from("."));
    let context = validate::Context {
        file,
        path: path.to_path_buf(),
        dir,
        source,
        env,
    };
    validate::validate(doc, &context)
}

fn parse_document(source: &str, file: &str) -> Result<ScenarioDoc, Diagnostic> {
    let options = yaml::Options {
        strict: true,
        key_trail: Some(doc::KEY_TRAIL),
    };
    yaml::parse(source, options).map_err(|e| e.diagnostic(file))
}
