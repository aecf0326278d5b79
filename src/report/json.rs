//! `summary.json`: the [`RunReport`] as pretty-printed JSON.

use super::RunReport;

/// The `summary.json` document.
pub fn render_json(report: &RunReport) -> Vec<u8> {
    // A RunReport is plain data (strings, numbers, maps with string keys): serializing it
    // cannot fail.
    let mut out = serde_json::to_vec_pretty(report).expect("a RunReport serializes");
    out.push(b'\n');
    out
}
