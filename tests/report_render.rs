//! The run reports, end to end from a Recorder with known samples: snapshots of the Markdown
//! and HTML renderers, summary.json against the published schema, and the atomic writer.

mod report_support;

use cognito_harness::report::{
    RunReport, render_html, render_json, render_markdown, render_terminal, write_run_report,
};
use report_support::{BASELINE, report};

fn schema() -> jsonschema::Validator {
    let text = std::fs::read_to_string(
        std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("reports/summary.schema.json"),
    )
    .expect("reports/summary.schema.json is committed");
    let schema: serde_json::Value = serde_json::from_str(&text).expect("the schema is JSON");
    jsonschema::draft202012::new(&schema).expect("the schema is a valid 2020-12 schema")
}

fn errors(validator: &jsonschema::Validator, doc: &serde_json::Value) -> Vec<String> {
    validator
        .iter_errors(doc)
        .map(|e| format!("{} at {}", e, e.instance_path()))
        .collect()
}

#[test]
fn fixture_numbers_come_from_the_recorded_samples() {
    let r = report(BASELINE);
    let s = &r.summary;
    // 800 sign-ins (3 requests each unless the 8 errors stop them at 2), 40 sign-ups, 1 other.
    assert_eq!(s.run.count, 800 * 3 - 8 + 40 + 1);
    assert_eq!(
        s.steps["sign_in.srp_sign_in"].errors["NotAuthorizedException"],
        8
    );
    assert_eq!(s.flows["sign_up"].transport["timeout"], 1);
    assert_eq!(s.uncategorised_requests, 1);
    // The last sign-in starts just before 8 s; its later requests land in second 8.
    assert_eq!(s.timeline.len(), 9);
    // Sign-in p99 sits between the smallest and largest possible sum (50 ms .. 140 ms).
    let p99 = s.steps["sign_in.srp_sign_in"]
        .latency
        .as_ref()
        .unwrap()
        .p99_us;
    assert!((50_000..=140_100).contains(&p99), "{p99}");
    assert!(r.passed, "{:?}", r.thresholds);
}

#[test]
fn markdown_report_snapshot() {
    let md = String::from_utf8(render_markdown(&report(BASELINE))).unwrap();
    insta::assert_snapshot!("summary_md", md);
}

#[test]
fn html_report_snapshot() {
    let html = String::from_utf8(render_html(&report(BASELINE))).unwrap();
    insta::assert_snapshot!("report_html", html);
}

/// The part of `html` from the heading `from` up to the next heading of level `until`.
fn section<'a>(html: &'a str, from: &str, until: &str) -> &'a str {
    let start = html.find(from).expect("the section's heading is there");
    let end = html[start + from.len()..]
        .find(until)
        .map_or(html.len(), |i| start + from.len() + i);
    &html[start..end]
}

#[test]
fn html_latency_over_time_snapshot() {
    let html = String::from_utf8(render_html(&report(BASELINE))).unwrap();
    let part = section(&html, "<h3>Latency percentiles per step over time", "<h2>");
    assert!(part.contains("<h4>sign_in.srp_sign_in</h4>"));
    insta::assert_snapshot!("report_html_latency_over_time", part);
}

#[test]
fn html_quota_usage_over_time_draws_each_quota_as_a_line() {
    let html = String::from_utf8(render_html(&report(BASELINE))).unwrap();
    let part = section(
        &html,
        "<h3>Usage per second against the quota in force",
        "<h2>",
    );
    // Each category's chart has its quota as a dashed grey line.
    assert_eq!(
        part.matches("stroke=\"#57606a\" stroke-width=\"1.5\" stroke-dasharray=\"8 4\"")
            .count(),
        2
    );
    insta::assert_snapshot!("report_html_quota_over_time", part);
}

#[test]
fn html_errors_and_throttles_differ_in_colour_and_dash() {
    let html = String::from_utf8(render_html(&report(BASELINE))).unwrap();
    let part = section(
        &html,
        "aria-label=\"Requests, errors and throttles per second\"",
        "</svg>",
    );
    let lines: Vec<&str> = part
        .lines()
        .filter(|l| l.starts_with("<polyline"))
        .collect();
    assert_eq!(lines.len(), 3);
    let (errors, throttles) = (lines[1], lines[2]);
    assert!(errors.contains("stroke=\"#cf222e\"") && !errors.contains("dasharray"));
    assert!(throttles.contains("stroke=\"#bc4c00\"") && throttles.contains("stroke-dasharray"));
}

#[test]
fn partial_and_failed_runs_say_so_in_both_formats() {
    let mut r = report(BASELINE);
    r.partial = true;
    r.shard = Some((2, 4));
    r.thresholds[0].passed = false;
    r.passed = false;
    let md = String::from_utf8(render_markdown(&r)).unwrap();
    assert!(md.contains("> **Partial run**"), "{md}");
    assert!(md.contains("**FAILED** (1 of 4 thresholds failed)"), "{md}");
    assert!(md.contains("| Shard | 2/4 |"), "{md}");
    let html = String::from_utf8(render_html(&r)).unwrap();
    assert!(html.contains("<p class=\"banner\"><strong>Partial run</strong>"));
    assert!(html.contains("<span class=\"fail\">FAILED</span> (1 of 4 thresholds failed)"));
    let ok = String::from_utf8(render_markdown(&report(BASELINE))).unwrap();
    assert!(!ok.contains("Partial run"));
}

#[test]
fn html_is_self_contained_and_escapes_every_string() {
    let mut r = report(BASELINE);
    r.scenario = "<script>alert(1)</script>".into();
    r.target = "http://127.0.0.1:9229/\"><img src=x>".into();
    let html = String::from_utf8(render_html(&r)).unwrap();
    assert!(!html.contains("<script"), "a scenario name became markup");
    assert!(!html.contains("<img"), "the target became markup");
    assert!(html.contains("&lt;script&gt;alert(1)&lt;/script&gt;"));
    // No resource is fetched from anywhere: no scripts, links, images or CSS urls.
    let fixture = String::from_utf8(render_html(&report(BASELINE))).unwrap();
    for needle in [
        "<script", "src=", "href=", "url(", "@import", "http://", "https://",
    ] {
        assert!(!fixture.contains(needle), "report.html contains {needle}");
    }
    // The charts are there: three summary charts, one latency-over-time chart per step (3)
    // and one usage-over-time chart per quota category (2).
    assert_eq!(fixture.matches("<svg role=\"img\"").count(), 8);
    assert!(fixture.contains("aria-label=\"Latency percentiles per step\""));
    assert!(fixture.contains("aria-label=\"Requests, errors and throttles per second\""));
    assert!(fixture.contains("aria-label=\"Quota usage per category\""));
}

#[test]
fn markdown_escapes_names_that_would_break_tables() {
    let mut r = report(BASELINE);
    let flow = r.summary.flows.remove("sign_up").unwrap();
    r.summary.flows.insert("a|b<i>".into(), flow);
    let md = String::from_utf8(render_markdown(&r)).unwrap();
    assert!(md.contains("| a\\|b&lt;i&gt; |"), "{md}");
}

#[test]
fn quota_usage_marks_categories_beyond_their_quota() {
    let r = report(BASELINE);
    // 800 sign-ins in 8 s: 100 per second, 3 UserAuthentication requests each, against 120/s.
    let peak = r.summary.categories[&cognito_harness::quota::QuotaCategory::UserAuthentication]
        .peak_rps
        .unwrap();
    assert!(peak > 120.0, "{peak}");
    let md = String::from_utf8(render_markdown(&r)).unwrap();
    let row = md
        .lines()
        .find(|l| l.starts_with("| UserAuthentication | ") && l.contains("| 120.0 | default |"))
        .expect("a quota row for UserAuthentication");
    assert!(row.ends_with(" %** |"), "beyond-quota share is bold: {row}");
    let html = String::from_utf8(render_html(&r)).unwrap();
    assert!(html.contains("fill=\"#cf222e\"><title>UserAuthentication:"));
}

#[test]
fn rendered_summary_json_matches_the_published_schema() {
    let validator = schema();
    for r in [report(BASELINE), {
        let mut r = report(BASELINE);
        r.partial = true;
        r.shard = Some((0, 3));
        r.description = None;
        r.summary.steps.get_mut("sign_in.refresh").unwrap().latency = None;
        r
    }] {
        let doc: serde_json::Value = serde_json::from_slice(&render_json(&r)).unwrap();
        assert_eq!(errors(&validator, &doc), Vec::<String>::new());
        // And it reads back as the same report.
        let back: RunReport = serde_json::from_value(doc).unwrap();
        assert_eq!(back, r);
    }
}

#[test]
fn the_schema_rejects_documents_the_tool_would_not_write() {
    let validator = schema();
    let good: serde_json::Value = serde_json::from_slice(&render_json(&report(BASELINE))).unwrap();
    let mut missing = good.clone();
    missing["summary"]["run"]
        .as_object_mut()
        .unwrap()
        .remove("p99_us");
    missing["summary"]["run"]["latency"]
        .as_object_mut()
        .unwrap()
        .remove("p99_us");
    assert!(!errors(&validator, &missing).is_empty());
    let mut bad_category = good.clone();
    let categories = bad_category["summary"]["categories"]
        .as_object_mut()
        .unwrap();
    let v = categories.remove("UserCreation").unwrap();
    categories.insert("NoSuchCategory".into(), v);
    assert!(!errors(&validator, &bad_category).is_empty());
    let mut bad_rate = good;
    bad_rate["summary"]["run"]["error_rate"] = serde_json::json!(1.5);
    assert!(!errors(&validator, &bad_rate).is_empty());
}

#[test]
fn write_run_report_writes_the_three_files_and_nothing_else() {
    let dir = tempfile::tempdir().unwrap();
    let r = report(BASELINE);
    let out = write_run_report(dir.path(), &r).unwrap();
    assert_eq!(out, dir.path().join("sign-in-burst-20260102T030405Z"));
    let mut names: Vec<String> = std::fs::read_dir(&out)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    assert_eq!(names, ["report.html", "summary.json", "summary.md"]);
    assert_eq!(
        std::fs::read(out.join("summary.json")).unwrap(),
        render_json(&r)
    );
    assert_eq!(
        std::fs::read(out.join("summary.md")).unwrap(),
        render_markdown(&r)
    );
    assert_eq!(
        std::fs::read(out.join("report.html")).unwrap(),
        render_html(&r)
    );
    // Writing again (a rerun in the same second) goes to a new directory; the first stays.
    let again = write_run_report(dir.path(), &r).unwrap();
    assert_eq!(again, dir.path().join("sign-in-burst-20260102T030405Z-2"));
    assert_eq!(std::fs::read_dir(&out).unwrap().count(), 3);
    assert_eq!(std::fs::read_dir(&again).unwrap().count(), 3);
}

/// Same-named scenarios started in the same second, in parallel: every report keeps its own
/// directory (they once shared `<scenario>-<second>` and one report was lost).
#[test]
fn concurrent_runs_of_one_name_in_one_second_never_share_a_directory() {
    let dir = tempfile::tempdir().unwrap();
    let r = report(BASELINE);
    let dirs: Vec<std::path::PathBuf> = std::thread::scope(|s| {
        let handles: Vec<_> = (0..8)
            .map(|_| s.spawn(|| write_run_report(dir.path(), &r).unwrap()))
            .collect();
        handles.into_iter().map(|h| h.join().unwrap()).collect()
    });
    let distinct: std::collections::BTreeSet<_> = dirs.iter().collect();
    assert_eq!(distinct.len(), 8, "{dirs:?}");
    for d in &dirs {
        assert_eq!(
            std::fs::read(d.join("summary.json")).unwrap(),
            render_json(&r)
        );
    }
}

#[test]
fn write_run_report_refuses_a_bad_start_time() {
    let dir = tempfile::tempdir().unwrap();
    let mut r = report(BASELINE);
    r.started_at = "yesterday".into();
    let err = write_run_report(dir.path(), &r).unwrap_err();
    assert!(err.to_string().contains("\"yesterday\""), "{err}");
}

/// The fixture scenario's order: `sign_in` runs srp_sign_in, then refresh; then `sign_up`.
fn fixture_order() -> Vec<String> {
    ["sign_in.srp_sign_in", "sign_in.refresh", "sign_up.sign_up"]
        .map(String::from)
        .to_vec()
}

#[test]
fn terminal_summary_snapshot() {
    let text = render_terminal(
        &report(BASELINE),
        std::path::Path::new("reports/runs/fixture"),
        &fixture_order(),
    );
    insta::assert_snapshot!("terminal_summary", text);
}

#[test]
fn terminal_summary_lists_steps_in_flow_order_with_errors_quotas_and_observed_values() {
    let text = render_terminal(
        &report(BASELINE),
        std::path::Path::new("out"),
        &fixture_order(),
    );
    let lines: Vec<&str> = text.lines().collect();
    let at = |needle: &str| {
        lines
            .iter()
            .position(|l| l.contains(needle))
            .unwrap_or_else(|| panic!("no line with {needle:?}:\n{text}"))
    };
    assert!(
        lines[0].starts_with("sign-in-burst finished: ")
            && lines[0].contains(" requests in 8.0s")
            && lines[0].ends_with(" throttled, 0 not sent"),
        "the first line keeps the totals: {}",
        lines[0]
    );
    assert!(
        at("sign_in.srp_sign_in  800 runs") < at("sign_in.refresh ")
            && at("sign_in.refresh ") < at("sign_up.sign_up "),
        "steps in the scenario's order, not alphabetical:\n{text}"
    );
    assert!(
        lines.contains(&"    sign_in.srp_sign_in  NotAuthorizedException  8 (1.00 % of its runs)"),
        "{text}"
    );
    assert!(
        lines.contains(&"    sign_up.sign_up  timeout (transport)  1 (2.50 % of its runs)"),
        "{text}"
    );
    assert!(
        lines
            .iter()
            .any(|l| l.starts_with("    UserAuthentication peak ")
                && l.contains("/s of 120.0/s, default (")),
        "{text}"
    );
    assert!(
        lines.contains(&"    ✓ run error_rate<2%  error_rate=0.37 %"),
        "{text}"
    );
    assert!(
        lines.contains(&"    ✓ sign_in.srp_sign_in p(99)<150ms  p(99)=133.1 ms"),
        "{text}"
    );
    let slow = report_support::Variant {
        latency_factor: 2.0,
        ..BASELINE
    };
    let text_slow = render_terminal(&report(slow), std::path::Path::new("out"), &fixture_order());
    assert!(
        text_slow
            .lines()
            .any(|l| l.starts_with("    ✗ sign_in.srp_sign_in p(99)<150ms  p(99)=2")),
        "a failed threshold shows ✗ and what was observed:\n{text_slow}"
    );
    // A step the order does not name still shows, after the others.
    let text = render_terminal(&report(BASELINE), std::path::Path::new("out"), &[]);
    assert!(text.find("sign_in.refresh ").unwrap() < text.find("sign_in.srp_sign_in ").unwrap());
}
