//! The metric history before the world's detailed start: per-minute aggregates of the same
//! traffic model (and the WAF's probes with their samples), so that a three-hour window has data
//! from its first minute. The scenario's past episodes shape it: the EFS file system at its I/O
//! limit (`efs_slow_minutes`: responses slow, some 504s) and the WAF spike (`waf_spike_minutes`,
//! `spike.rs`). It writes no log lines (`sim::history` does) and must draw the world's own
//! generator exactly as it did before the episodes existed: an episode only changes values, and
//! the spike has its own generator.

use rand::rngs::SmallRng;
use rand::{Rng, SeedableRng};

use super::probes::PAGES;
use super::{Site, Tally, checked_targets, count, flush, poisson, probe, sites};
use crate::sim::ecs::types::Task;
use crate::sim::world::{RegionWorld, fnv};

/// While EFS is at its I/O limit, the site answers this many times slower than its ~120 ms
/// (about 2 s on average, as the history's nginx lines say: PHP pages 1.2–6 s).
pub const EFS_SLOW_FACTOR: f64 = 17.0;
/// …and this share of its requests more end in a 504 (php-fpm did not answer in 60 s).
pub const EFS_SLOW_EXTRA_5XX: f64 = 0.03;

/// Whether `minute_ms` lies in `[from, to)` minutes relative to the world's start.
pub(crate) fn in_minutes(w: &RegionWorld, minutes: Option<[i64; 2]>, at_ms: i64) -> bool {
    minutes.is_some_and(|[from, to]| {
        let rel = (at_ms - w.started_ms).div_euclid(60_000);
        rel >= from && rel < to
    })
}

/// When the site's current (primary) deployment was created.
fn deployed_at(w: &RegionWorld, site: &Site) -> Option<i64> {
    let svc = w.clusters.get(&site.cluster)?.services.get(&site.service)?;
    svc.deployments.first().map(|d| d.created_at_ms)
}

/// The mean response time (s) the detailed model (`visit`) gives the site's serving tasks:
/// PHP pages 0.018–0.35 s on a warm task and 1.5–9.8 s on a cold one, static files about 2 ms,
/// and the 5xx share of PHP pages 0.5–30 s.
fn mean_response_s(w: &RegionWorld, site: &Site, ratio_5xx: f64) -> f64 {
    let tasks: Vec<&Task> = w
        .clusters
        .get(&site.cluster)
        .into_iter()
        .flat_map(|c| c.tasks.values())
        .filter(|t| t.service.as_deref() == Some(&site.service) && t.serving())
        .collect();
    if tasks.is_empty() {
        return 0.12;
    }
    let cold = tasks.iter().filter(|t| !(t.php_files == 0 || t.opcache_cached * 2 >= t.php_files)).count();
    let cold = cold as f64 / tasks.len() as f64;
    let total: u32 = PAGES.iter().map(|p| p.weight).sum();
    let php: u32 = PAGES.iter().filter(|p| p.php).map(|p| p.weight).sum();
    let php_share = f64::from(php) / f64::from(total.max(1));
    let php_mean = (1.0 - cold) * 0.184 + cold * 5.65;
    php_share * ((1.0 - ratio_5xx) * php_mean + ratio_5xx * 15.25) + (1.0 - php_share) * 0.002
}

/// Metric history before the world's detailed start: per-minute aggregates (and WAF probes
/// with their samples) so that a three-hour window has data from the first request.
pub fn synthesize_history(w: &mut RegionWorld, from_ms: i64, to_ms: i64) {
    let traffic = w.scenario.traffic.clone();
    let mut spike_rng = SmallRng::seed_from_u64(w.history_seed ^ fnv("waf-spike"));
    let mut minute = from_ms.div_euclid(60_000) * 60_000;
    while minute < to_ms {
        for site in sites(w) {
            let probes = poisson(&mut w.rng, traffic.probes_per_second * 60.0);
            for _ in 0..probes {
                let ts = minute + w.rng.random_range(0..60_000);
                probe(w, &site, ts);
            }
            let spike = if in_minutes(w, traffic.waf_spike_minutes, minute) {
                super::spike::minute(w, &mut spike_rng, &site, minute, traffic.waf_spike_per_second)
            } else {
                0
            };
            let visits = poisson(&mut w.rng, traffic.requests_per_second * 60.0);
            let region = w.region.clone();
            if let Some(acl) = site.acl.clone() {
                let dims = [("WebACL", acl.as_str()), ("Region", region.as_str()), ("Rule", "ALL")];
                w.metrics.add_many("AWS/WAFV2", "AllowedRequests", &dims, minute, count(visits));
            }
            let deployed = deployed_at(w, &site);
            let better = traffic.worse_after_deploy && deployed.is_some_and(|at| minute < at);
            let ratio = if better { traffic.target_5xx_ratio / 10.0 } else { traffic.target_5xx_ratio };
            let efs_slow = in_minutes(w, traffic.efs_slow_minutes, minute);
            let t5_ratio = if efs_slow { ratio + EFS_SLOW_EXTRA_5XX } else { ratio };
            let t5 = (visits as f64 * t5_ratio).round() as u32;
            let burst = if in_minutes(w, traffic.elb_5xx_burst_minutes, minute) {
                poisson(&mut w.rng, traffic.elb_5xx_per_second * 60.0)
            } else {
                0
            };
            let interval = w.scenario.timing.health_check_interval;
            let checks = if interval > 0.0 {
                (checked_targets(w, &site).count() as f64 * (60.0 / interval).floor()) as u32
            } else {
                0
            };
            let probes = if site.acl.is_some() { probes + spike } else { 0 };
            let mut tally = Tally {
                requests: visits + probes + burst + checks,
                elb_4xx: probes,
                elb_5xx: burst,
                ..Tally::default()
            };
            tally.target = [visits.saturating_sub(t5 + visits / 10), visits / 10, 0, t5];
            if visits > 0 {
                let jitter = w.rng.random_range(0.08..0.16);
                // Before the deployment (or without the flag) the site answered in about 120 ms;
                // after it, as the detailed model answers with the tasks it has now.
                let rt = if traffic.worse_after_deploy && !better {
                    jitter / 0.12 * mean_response_s(w, &site, ratio)
                } else {
                    jitter
                };
                tally.response_time = vec![if efs_slow { rt * EFS_SLOW_FACTOR } else { rt }; 1];
            }
            flush(w, &site, minute, tally);
        }
        super::platform::minute(w, minute);
        minute += 60_000;
    }
}
