//! `wpops report` through the real binary against the simulator: Markdown on stdout, JSON with
//! its schema to `--out FILE` (the path said on stderr), allowed under `--read-only`, and bad
//! windows refused with exit 2 before anything is read.

use crate::util::*;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn report_in_markdown_and_json_and_bad_windows() {
    let sim = sim("incident").await;
    let home = home();
    let r = wpops(&sim, home.path(), &["report", "--since", "2h"]).await;
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert!(r.stdout.starts_with("# Incident report: "), "{}", r.stdout);
    for section in [
        "## Verdict",
        "## Timeline",
        "## Deployments",
        "## Stopped tasks",
        "## Warmers",
        "## Metrics",
        "## WAF",
        "## Logs",
    ] {
        assert!(r.stdout.contains(section), "{section}: {}", r.stdout);
    }
    assert!(r.stdout.contains("/bin/sh: GET: not found"), "{}", r.stdout);

    let out = home.path().join("incident.json");
    let out_s = out.to_str().unwrap();
    let r = wpops(&sim, home.path(), &["--read-only", "report", "--since", "90m", "-o", "json", "--out", out_s]).await;
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert!(r.stdout.is_empty(), "{}", r.stdout);
    assert!(r.stderr.contains(out_s), "{}", r.stderr);
    let v: serde_json::Value = serde_json::from_str(&std::fs::read_to_string(&out).unwrap()).unwrap();
    assert_eq!(v["schema"], "wpops.report/1");
    assert_eq!(v["verdict"]["health"], "unhealthy");
    assert!(v["timeline"].as_array().unwrap().len() > 5, "{v}");
    assert!(v["stopped"].as_array().unwrap().iter().any(|g| g["reason"].as_str().unwrap().contains("exit 137")), "{v}");
    let window = v["window"]["to_ms"].as_i64().unwrap() - v["window"]["from_ms"].as_i64().unwrap();
    assert!((window - 90 * 60_000).abs() < 60_000, "{window}");

    for (args, says) in [
        (vec!["report", "--since", "2h", "--to", "3h"], "not after the window's start"),
        (vec!["report", "--since", "soon"], "--since"),
        (vec!["report", "--from", "2999-01-01T00:00:00Z"], "not in the past"),
        (vec!["report", "-o", "pdf"], "pdf"),
    ] {
        let r = wpops(&sim, home.path(), &args).await;
        assert_eq!(r.code, 2, "{args:?}: {}", r.stderr);
        assert!(r.stderr.contains(says), "{args:?}: {}", r.stderr);
    }
    let r = wpops(&sim, home.path(), &["report", "--out", "/nonexistent-dir/r.md"]).await;
    assert_eq!(r.code, 2, "{}", r.stderr);
    assert!(r.stderr.contains("cannot write /nonexistent-dir/r.md"), "{}", r.stderr);
}
