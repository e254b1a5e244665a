//! The incident report built from the incident scenario through the real SDK (`feed::report`
//! reads, `model::report` builds): it names each of the incident's causes, and its Markdown on
//! the seeded world is a snapshot.

use wpops::feed::report::gather;
use wpops::model::report::{SCHEMA, markdown};
use wpops_fixtures::sim::{START_MS, clients, sim};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_incident_report_names_each_cause() {
    let sim = sim("incident").await;
    let c = clients(&sim, true).await;
    let from = START_MS - 2 * 3_600_000;
    let facts = gather(&c, "wp-prod", "wordpress", from, START_MS).await.expect("the service is read");
    let site = wpops_fixtures::sim::report_site();
    let report = facts.report(&site, START_MS);
    assert_eq!(report.schema, SCHEMA);
    assert_eq!(report.verdict.health, "unhealthy");
    let md = markdown(&report);
    for cause in [
        "EFS at its I/O limit",
        "EFS burst credits run out",
        "php-fpm killed for memory (exit 137)",
        "warmer failed: exit 127 (command not found)",
        "/bin/sh: GET: not found",
        "CannotPullContainerError",
        "ResourceInitializationError",
        "worse since wordpress:42 rolled out",
        "exited on signal <n> (SIGKILL)",
        "recv() failed",
        "pm.max_children",
        "ELB 5xx",
        "WordPress",
    ] {
        assert!(md.contains(cause), "the report names {cause:?}:\n{md}");
    }
    assert!(report.unavailable.is_empty(), "{:?}", report.unavailable);
    assert!(report.timeline.windows(2).all(|w| w[0].at_ms <= w[1].at_ms), "the timeline in time order");
    assert!(report.timeline.iter().all(|e| e.at_ms >= from && e.at_ms <= START_MS));
    let json = serde_json::to_value(&report).expect("JSON");
    for field in [
        "site",
        "window",
        "verdict",
        "findings",
        "timeline",
        "deployments",
        "stopped",
        "warmers",
        "metrics",
        "waf",
        "log_shapes",
    ] {
        assert!(json.get(field).is_some(), "{field}");
    }
    insta::assert_snapshot!(md);
}
