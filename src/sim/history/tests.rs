//! The past changes nothing else of the world: the incident scenario built with and without its
//! history has the same tasks, deployments, ids, lines and (after the episodes) metrics.

use std::sync::Arc;

use crate::sim::scenario;
use crate::sim::world::RegionWorld;

const NOW: i64 = 1_795_842_000_000;
const MIN: i64 = 60_000;

fn world(with_past: bool, seed: u64) -> RegionWorld {
    let mut s = scenario::load("incident").unwrap();
    if !with_past {
        s.traffic.efs_slow_minutes = None;
        s.traffic.waf_spike_minutes = None;
        s.traffic.full_log_history = false;
        for svc in s.clusters.iter_mut().flat_map(|c| c.services.iter_mut()) {
            svc.failed_deploy_minutes = None;
        }
    }
    RegionWorld::new("123456789012", "ap-northeast-1", Arc::new(s), seed, NOW)
}

#[test]
fn the_past_changes_nothing_else_of_the_world() {
    let (with, without) = (world(true, 42), world(false, 42));
    let (a, b) = (&with.clusters["wp-prod"], &without.clusters["wp-prod"]);
    assert_eq!(a.tasks, b.tasks, "the same tasks, ids and all");
    let (sa, sb) = (&a.services["wordpress"], &b.services["wordpress"]);
    assert_eq!(sa.deployments, sb.deployments);
    assert!(sb.records.iter().all(|r| sa.records.contains(r)));
    assert!(sb.revisions.iter().all(|r| sa.revisions.contains(r)));
    assert!(sb.events.iter().all(|e| sa.events.contains(e)), "every event kept, with its id");
    assert_eq!(sa.records.len(), sb.records.len() + 1);
    assert_eq!(with.rng, without.rng, "the world's generator is where it was");

    let mut compared = 0;
    for (name, group) in &without.logs.groups {
        for (stream, s) in &group.streams {
            let other = with.logs.stream(name, stream).expect("every stream is still there");
            let ids: std::collections::BTreeSet<&str> = s.events.iter().map(|e| e.event_id.as_str()).collect();
            let kept: Vec<_> = other.events.iter().filter(|e| ids.contains(e.event_id.as_str())).collect();
            assert_eq!(kept, s.events.iter().collect::<Vec<_>>(), "{stream}: every line as it was");
            compared += s.events.len();
        }
    }
    assert!(compared > 10_000, "{compared}");
    assert!(with.logs.groups["/ecs/wordpress"].streams.len() > without.logs.groups["/ecs/wordpress"].streams.len());

    // After the EFS episode's credits have earned back (−51 min) and the WAF spike (−65),
    // every metric is the same.
    for (key, minutes) in &without.metrics.series {
        let other = &with.metrics.series[key];
        let later = |m: &std::collections::BTreeMap<i64, _>| {
            m.range(NOW - 50 * MIN..).map(|(t, v)| (*t, *v)).collect::<Vec<(i64, crate::sim::metrics::MinuteStat)>>()
        };
        assert_eq!(later(minutes), later(other), "{key:?}");
    }
}

#[test]
fn the_seed_changes_the_lines_not_the_times() {
    let (a, b) = (world(true, 42), world(true, 7));
    let (sa, sb) = (&a.clusters["wp-prod"].services["wordpress"], &b.clusters["wp-prod"].services["wordpress"]);
    let times = |s: &crate::sim::ecs::types::Service| {
        s.records.iter().map(|r| (r.created_at_ms, r.finished_at_ms)).collect::<Vec<_>>()
    };
    assert_eq!(times(sa), times(sb));
    let lines = |w: &RegionWorld| {
        w.logs.groups["/ecs/wordpress"]
            .streams
            .values()
            .flat_map(|s| s.events.iter())
            .filter(|e| e.timestamp_ms < NOW - 100 * MIN)
            .map(|e| e.message.clone())
            .collect::<Vec<_>>()
    };
    let (la, lb) = (lines(&a), lines(&b));
    assert!(la.len() > 1_000 && la != lb);
    assert_eq!(lines(&world(true, 42)), la, "the same seed, the same lines");
}
