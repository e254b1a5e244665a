//! Traffic of the simulated site, one second at a time: visitors' requests through the ALB to a
//! serving task (nginx access lines, php-fpm trouble, slow first requests on unwarmed tasks),
//! probes that the WAF blocks before they reach nginx, ALB health checks, and the metrics all of
//! this produces (`AWS/ApplicationELB`, `AWS/WAFV2`, `AWS/ECS`, `AWS/EFS`).
//!
//! One traffic model: each request the load balancer receives in a second has exactly one fate,
//! decided and recorded in one place: blocked by the WAF (its `BlockedRequests`, an ELB 4xx),
//! failed at the ELB (no serving target, or the incident's burst: `HTTPCode_ELB_5XX_Count`), or
//! served by a task and written as that task's nginx access line. The `RequestCount` of the
//! second is the count of those fates, stamped in the same second as the lines and WAF counts,
//! so per minute RequestCount = blocked + ELB 5xx + nginx lines from the load balancer. The
//! ALB's health checks are nginx lines too but, as AWS documents ("Metrics for Application Load
//! Balancers exclude health check requests"), in no ALB metric.

mod history;
mod platform;
pub mod probes;
mod spike;

pub use history::{EFS_SLOW_EXTRA_5XX, EFS_SLOW_FACTOR, synthesize_history};

use rand::Rng;
use rand::rngs::SmallRng;

use super::ecs::types::{TargetState, Task};
use super::logtext::{self, Access};
use super::metrics::MinuteStat;
use super::waf::{WafRequest, WafVerdict};
use super::world::RegionWorld;
use probes::{PAGES, PROBE_CLIENTS, PROBES, USER_AGENTS, pick_weighted};

/// A Poisson-distributed count with mean `lambda`.
pub fn poisson(rng: &mut SmallRng, lambda: f64) -> u32 {
    if lambda <= 0.0 {
        return 0;
    }
    if lambda > 30.0 {
        let z: f64 = (0..12).map(|_| rng.random::<f64>()).sum::<f64>() - 6.0;
        return (lambda + z * lambda.sqrt()).round().max(0.0) as u32;
    }
    let limit = (-lambda).exp();
    let (mut k, mut p) = (0u32, 1.0f64);
    loop {
        p *= rng.random::<f64>();
        if p <= limit {
            return k;
        }
        k += 1;
    }
}

/// The site a traffic-serving service is: its load balancer, target group and web ACL.
pub(crate) struct Site {
    pub cluster: String,
    pub service: String,
    pub lb_dim: String,
    pub tg_dim: String,
    pub acl: Option<String>,
}

pub(crate) fn sites(w: &RegionWorld) -> Vec<Site> {
    let mut out = Vec::new();
    for (cname, cluster) in &w.clusters {
        for svc in cluster.services.values().filter(|s| s.serves_traffic) {
            let Some(tg) = svc.target_group_arn.as_ref().and_then(|a| w.elb.target_groups.iter().find(|t| &t.arn == a))
            else {
                continue;
            };
            let Some(lb) = w.elb.load_balancers.iter().find(|l| l.arn == tg.load_balancer_arn) else {
                continue;
            };
            out.push(Site {
                cluster: cname.clone(),
                service: svc.name.clone(),
                lb_dim: lb.dimension(),
                tg_dim: tg.dimension(),
                acl: w.waf.acl_for_resource(&lb.arn).map(|a| a.name.clone()),
            });
        }
    }
    out
}

/// Per-second counters flushed into per-minute metrics.
#[derive(Default)]
struct Tally {
    /// Every request the load balancer received from clients: the sum of the fates below (its
    /// health checks are not counted, as on AWS).
    requests: u32,
    elb_4xx: u32,
    elb_5xx: u32,
    target: [u32; 4],
    response_time: Vec<f64>,
}

/// One second of traffic for every site: the second that just ended, `[now - 1 s, now)`.
pub fn step(w: &mut RegionWorld) {
    let second = w.now_ms - 1000;
    for site in sites(w) {
        site_second(w, &site, second);
    }
    let now = w.now_ms;
    if now % 60_000 == 0 {
        platform::minute(w, now - 60_000);
    }
}

fn in_burst(w: &RegionWorld, now: i64) -> bool {
    w.scenario.traffic.elb_5xx_burst_minutes.is_some_and(|[from, to]| {
        let rel = (now - w.started_ms).div_euclid(60_000);
        rel >= from && rel < to
    })
}

/// The second starting at `second`: every request's time, line, WAF count and metric falls in it.
fn site_second(w: &mut RegionWorld, site: &Site, second: i64) {
    let traffic = w.scenario.traffic.clone();
    let serving: Vec<Task> = w
        .clusters
        .get(&site.cluster)
        .map(|c| {
            c.tasks.values().filter(|t| t.service.as_deref() == Some(&site.service) && t.serving()).cloned().collect()
        })
        .unwrap_or_default();
    let mut tally = Tally::default();
    // Probes exist only where a web ACL blocks them.
    let probes = if site.acl.is_some() { poisson(&mut w.rng, traffic.probes_per_second) } else { 0 };
    for _ in 0..probes {
        let ts = second + w.rng.random_range(0..1000);
        if probe(w, site, ts) {
            tally.requests += 1;
            tally.elb_4xx += 1;
        }
    }
    let burst = if in_burst(w, second) { poisson(&mut w.rng, traffic.elb_5xx_per_second) } else { 0 };
    tally.requests += burst;
    tally.elb_5xx += burst;
    let visits = poisson(&mut w.rng, traffic.requests_per_second);
    for _ in 0..visits {
        let ts = second + w.rng.random_range(0..1000);
        tally.requests += 1;
        if let Some(acl) = &site.acl {
            let req = visitor_waf_request(w, ts);
            w.waf.record(&mut w.metrics, &w.region.clone(), acl, req);
        }
        if serving.is_empty() {
            tally.elb_5xx += 1;
            continue;
        }
        let task = &serving[w.rng.random_range(0..serving.len())];
        visit(w, task, ts, traffic.target_5xx_ratio, traffic.php_max_children, &mut tally);
    }
    // Written as nginx lines, counted in no ALB metric (as on AWS).
    health_checks(w, site, second);
    flush(w, site, second, tally);
}

fn visitor_waf_request(w: &mut RegionWorld, ts: i64) -> WafRequest {
    let ip = format!("198.51.100.{}", w.rng.random_range(2..250));
    WafRequest {
        ts_ms: ts,
        client_ip: ip,
        country: ["JP", "JP", "JP", "US", "SG"][w.rng.random_range(0..5)].into(),
        method: "GET".into(),
        uri: "/".into(),
        user_agent: USER_AGENTS[0].into(),
        verdict: WafVerdict::Allowed,
    }
}

/// One probe, blocked by the WAF: it never reaches nginx. False when there is no web ACL to
/// block it (nothing is recorded then).
pub(crate) fn probe(w: &mut RegionWorld, site: &Site, ts: i64) -> bool {
    let Some(acl_name) = site.acl.clone() else {
        return false;
    };
    let total: u32 = PROBES.iter().map(|p| p.weight).sum();
    let roll = w.rng.random_range(0..total);
    let p = &PROBES[pick_weighted(PROBES.iter().map(|p| p.weight), roll)];
    let ctotal: u32 = PROBE_CLIENTS.iter().map(|c| c.2).sum();
    let croll = w.rng.random_range(0..ctotal);
    let (ip, country, _) = PROBE_CLIENTS[pick_weighted(PROBE_CLIENTS.iter().map(|c| c.2), croll)];
    let Some(acl) = w.waf.acls.iter().find(|a| a.name == acl_name) else {
        return false;
    };
    let Some(rule) = acl.rules.get(p.group) else {
        return false;
    };
    let req = WafRequest {
        ts_ms: ts,
        client_ip: ip.into(),
        country: country.into(),
        method: p.method.into(),
        uri: p.uri.into(),
        user_agent: p.user_agent.into(),
        verdict: WafVerdict::Blocked { rule_metric: rule.metric_name.clone(), rule_in_group: p.rule.into() },
    };
    let region = w.region.clone();
    w.waf.record(&mut w.metrics, &region, &acl_name, req);
    true
}

fn visit(w: &mut RegionWorld, task: &Task, ts: i64, ratio_5xx: f64, max_children: bool, tally: &mut Tally) {
    let total: u32 = PAGES.iter().map(|p| p.weight).sum();
    let roll = w.rng.random_range(0..total);
    let page = &PAGES[pick_weighted(PAGES.iter().map(|p| p.weight), roll)];
    let warm = task.php_files == 0 || task.opcache_cached * 2 >= task.php_files;
    let mut status = page.status;
    let mut time = if page.php {
        if warm { w.rng.random_range(0.018..0.35) } else { w.rng.random_range(1.5..9.8) }
    } else {
        w.rng.random_range(0.000..0.004)
    };
    if page.php && w.rng.random_bool(ratio_5xx.clamp(0.0, 1.0)) {
        status = 502;
        time = w.rng.random_range(0.5..30.0);
        if max_children {
            let line = logtext::php_fpm(
                ts,
                "WARNING",
                "[pool www] server reached pm.max_children setting (10), consider raising it",
            );
            logtext::emit(w, task, "php-fpm", ts, line);
        }
    }
    let client = format!(
        "{}.{}.{}.{}",
        [198, 203, 192][w.rng.random_range(0..3)],
        w.rng.random_range(1..255),
        w.rng.random_range(0..255),
        w.rng.random_range(1..255)
    );
    let ua = USER_AGENTS[w.rng.random_range(0..USER_AGENTS.len())];
    let alb = if task.ip.starts_with("10.0.3.") { "10.0.3.200" } else { "10.0.1.200" };
    let line = logtext::nginx_access(
        ts,
        &Access {
            remote: alb,
            method: "GET",
            path: page.path,
            status,
            bytes: if status == 502 { 157 } else { page.bytes },
            referer: "-",
            user_agent: ua,
            forwarded_for: &client,
            request_time_s: time,
        },
    );
    logtext::emit(w, task, "nginx", ts, line);
    tally.target[(status / 100).clamp(2, 5) as usize - 2] += 1;
    tally.response_time.push(time);
}

/// The targets the load balancer health-checks: registered and not draining.
fn checked_targets<'a>(w: &'a RegionWorld, site: &'a Site) -> impl Iterator<Item = &'a Task> + 'a {
    w.clusters.get(&site.cluster).into_iter().flat_map(|c| c.tasks.values()).filter(|t| {
        t.service.as_deref() == Some(&site.service)
            && matches!(t.target, TargetState::Initial | TargetState::Healthy | TargetState::Unhealthy)
    })
}

/// The health checks due in the second at `second`, each an nginx access line; returns how many.
fn health_checks(w: &mut RegionWorld, site: &Site, second: i64) -> u32 {
    let interval = (w.scenario.timing.health_check_interval * 1000.0) as i64;
    if interval <= 0 || second % interval != 0 {
        return 0;
    }
    let tasks: Vec<Task> = checked_targets(w, site).cloned().collect();
    let now = second;
    for t in &tasks {
        let ok = t.target != TargetState::Unhealthy;
        let alb = if t.ip.starts_with("10.0.3.") { "10.0.3.200" } else { "10.0.1.200" };
        let line = logtext::nginx_access(
            now,
            &Access {
                remote: alb,
                method: "GET",
                path: "/",
                status: if ok { 200 } else { 502 },
                bytes: if ok { 48_213 } else { 157 },
                referer: "-",
                user_agent: "ELB-HealthChecker/2.0",
                forwarded_for: "-",
                request_time_s: if ok { 0.041 } else { 5.0 },
            },
        );
        logtext::emit(w, t, "nginx", now, line);
    }
    tasks.len() as u32
}

fn count(n: u32) -> MinuteStat {
    let v = n as f64;
    MinuteStat { sum: v, count: 1.0, min: v, max: v }
}

fn flush(w: &mut RegionWorld, site: &Site, now: i64, tally: Tally) {
    let ns = "AWS/ApplicationELB";
    let lb = [("LoadBalancer", site.lb_dim.as_str())];
    let lb_tg = [("LoadBalancer", site.lb_dim.as_str()), ("TargetGroup", site.tg_dim.as_str())];
    let m = &mut w.metrics;
    m.add_many(ns, "RequestCount", &lb, now, count(tally.requests));
    m.add_many(ns, "RequestCount", &lb_tg, now, count(tally.requests - tally.elb_4xx - tally.elb_5xx));
    m.add_many(ns, "HTTPCode_ELB_5XX_Count", &lb, now, count(tally.elb_5xx));
    m.add_many(ns, "HTTPCode_ELB_4XX_Count", &lb, now, count(tally.elb_4xx));
    for (i, name) in [
        "HTTPCode_Target_2XX_Count",
        "HTTPCode_Target_3XX_Count",
        "HTTPCode_Target_4XX_Count",
        "HTTPCode_Target_5XX_Count",
    ]
    .iter()
    .enumerate()
    {
        m.add_many(ns, name, &lb, now, count(tally.target[i]));
        m.add_many(ns, name, &lb_tg, now, count(tally.target[i]));
    }
    if !tally.response_time.is_empty() {
        let sum: f64 = tally.response_time.iter().sum();
        let min = tally.response_time.iter().copied().fold(f64::INFINITY, f64::min);
        let max = tally.response_time.iter().copied().fold(0.0, f64::max);
        let stat = MinuteStat { sum, count: tally.response_time.len() as f64, min, max };
        m.add_many(ns, "TargetResponseTime", &lb, now, stat);
        m.add_many(ns, "TargetResponseTime", &lb_tg, now, stat);
    }
}
