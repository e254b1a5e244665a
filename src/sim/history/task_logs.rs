//! The lines the tasks of the past wrote over their lifetime, in the streams the simulator names
//! for them (`logtext::stream_for`): php-fpm starting and stopping, the load balancer's health
//! checks, and visitors' requests thinned to one every few seconds per task (the detailed traffic
//! of the last minutes is `traffic/mod.rs`'s, untouched); slow pages on a cold task and while EFS
//! was at its I/O limit (with 504s and nginx's upstream timeouts). A task of a failed deployment
//! writes what it did instead: health checks the load balancer gave up on after 5 s, php-fpm's
//! slow-request warnings, the warmer's request timing out.
//!
//! Each task's lines come from a generator seeded by the world's history seed and the task's id,
//! and are merged into their streams in one go (`LogStore::put_many`).

use std::collections::BTreeMap;

use rand::rngs::SmallRng;
use rand::{Rng, SeedableRng};

use super::deployment::UNHEALTHY_AFTER_MS;
use super::{PastTask, Role};
use crate::sim::logtext::{self, Access};
use crate::sim::traffic::probes::{PAGES, USER_AGENTS, pick_weighted};
use crate::sim::world::{RegionWorld, fnv};

/// A visitor's request every this often per task (± a quarter): the history is thinned.
pub const ACCESS_EVERY_MS: i64 = 4_000;
/// Visitors reach a task that started this long after it started (its warmer has run).
const SERVING_AFTER_MS: i64 = 20_000;
/// The load balancer's health-check timeout: a check unanswered by then is closed (nginx: 499).
const CHECK_TIMEOUT_S: f64 = 5.0;

/// One task's lines, per container: (timestamp, ingestion time, message).
type Lines = BTreeMap<&'static str, Vec<(i64, i64, String)>>;

/// What the lines depend on besides the task.
struct Ctx {
    from_ms: i64,
    until_ms: i64,
    interval_ms: i64,
    ratio_5xx: f64,
    worse_after_deploy: bool,
    max_children: bool,
    efs_slow: Option<[i64; 2]>,
    world_start_ms: i64,
}

impl Ctx {
    fn efs_slow(&self, ts: i64) -> bool {
        self.efs_slow.is_some_and(|[from, to]| {
            let rel = (ts - self.world_start_ms).div_euclid(60_000);
            rel >= from && rel < to
        })
    }
}

/// Writes the lines of every task of `tasks` in `[from_ms, until_ms)` (the history's start and
/// the detailed traffic's start).
pub fn write(w: &mut RegionWorld, tasks: &[PastTask], from_ms: i64, until_ms: i64) {
    let t = &w.scenario.traffic;
    let ctx = Ctx {
        from_ms,
        until_ms,
        interval_ms: (w.scenario.timing.health_check_interval * 1000.0) as i64,
        ratio_5xx: t.target_5xx_ratio,
        worse_after_deploy: t.worse_after_deploy,
        max_children: t.php_max_children,
        efs_slow: t.efs_slow_minutes,
        world_start_ms: w.started_ms,
    };
    for task in tasks {
        let mut rng = SmallRng::seed_from_u64(w.history_seed ^ fnv(&task.id));
        let mut lines = Lines::new();
        match task.role {
            Role::Served => served(&mut rng, &ctx, task, &mut lines),
            Role::FailedHealthChecks => {
                // The warmer's command: curl (the default) or the seed's lwp-request `GET`.
                let curl = w
                    .find_task_def(&task.task_def)
                    .and_then(|td| td.containers.iter().find(|c| c.name == "warmer"))
                    .is_some_and(|c| c.command.first().is_some_and(|p| p == "curl"));
                failed(&mut rng, &ctx, task, curl, &mut lines)
            }
        }
        for (container, batch) in lines {
            if let Some((group, stream)) = logtext::stream_for(w, &task.task_def, &task.id, container) {
                w.logs.put_many(&group, &stream, batch);
            }
        }
    }
}

fn put(rng: &mut SmallRng, lines: &mut Lines, container: &'static str, ts: i64, line: String) {
    let delay = rng.random_range(150..1_200);
    lines.entry(container).or_default().push((ts, ts + delay, line));
}

/// php-fpm's first lines, when the task started within the history.
fn boot(rng: &mut SmallRng, ctx: &Ctx, task: &PastTask, lines: &mut Lines) {
    let at = task.started_ms;
    if at >= ctx.from_ms && at < ctx.until_ms {
        put(rng, lines, "php-fpm", at, logtext::php_fpm(at, "NOTICE", "fpm is running, pid 1"));
        put(rng, lines, "php-fpm", at + 2, logtext::php_fpm(at + 2, "NOTICE", "ready to handle connections"));
    }
}

/// What nginx and php-fpm write when ECS stops the task (the images' stop signal, SIGQUIT).
fn shutdown(rng: &mut SmallRng, ctx: &Ctx, task: &PastTask, lines: &mut Lines) {
    let Some(at) = task.stopped_ms.filter(|t| *t >= ctx.from_ms && *t < ctx.until_ms) else { return };
    put(rng, lines, "nginx", at, nginx_error(at, "notice", 1, "signal 3 (SIGQUIT) received, shutting down"));
    put(rng, lines, "php-fpm", at + 1, logtext::php_fpm(at + 1, "NOTICE", "Finishing ..."));
    put(rng, lines, "php-fpm", at + 40, logtext::php_fpm(at + 40, "NOTICE", "exiting, bye-bye!"));
}

/// The window of `task`'s life within the history: [first, end).
fn lifetime(ctx: &Ctx, task: &PastTask, after_start_ms: i64) -> (i64, i64) {
    let end = task.stopped_ms.unwrap_or(ctx.until_ms).min(ctx.until_ms);
    ((task.started_ms + after_start_ms).max(ctx.from_ms), end)
}

/// A healthy task: visitors every few seconds and the load balancer's health checks.
fn served(rng: &mut SmallRng, ctx: &Ctx, task: &PastTask, lines: &mut Lines) {
    boot(rng, ctx, task, lines);
    let (first, end) = lifetime(ctx, task, SERVING_AFTER_MS);
    let mut ts = first + rng.random_range(0..ACCESS_EVERY_MS);
    while ts < end {
        visit(rng, ctx, task, ts, lines);
        ts += ACCESS_EVERY_MS + rng.random_range(-ACCESS_EVERY_MS / 4..ACCESS_EVERY_MS / 4);
    }
    if ctx.interval_ms > 0 {
        let (first, end) = lifetime(ctx, task, 1_000);
        let mut at = first.div_euclid(ctx.interval_ms) * ctx.interval_ms + ctx.interval_ms;
        while at < end {
            let slow = ctx.efs_slow(at);
            let time = if slow { rng.random_range(0.9..3.5) } else { 0.041 };
            let check = (task.alb_ip, "/", 200, 48_213, "ELB-HealthChecker/2.0", "-", time);
            put(rng, lines, "nginx", at, access(at, check));
            at += ctx.interval_ms;
        }
    }
    shutdown(rng, ctx, task, lines);
}

/// One visitor's request to a healthy task, as `traffic::visit` writes it, slower while EFS was
/// at its I/O limit.
fn visit(rng: &mut SmallRng, ctx: &Ctx, task: &PastTask, ts: i64, lines: &mut Lines) {
    let total: u32 = PAGES.iter().map(|p| p.weight).sum();
    let page = &PAGES[pick_weighted(PAGES.iter().map(|p| p.weight), rng.random_range(0..total))];
    let slow = ctx.efs_slow(ts);
    let mut status = page.status;
    let mut time = match (page.php, task.cold, slow) {
        (true, false, false) => rng.random_range(0.018..0.35),
        (true, true, false) => rng.random_range(1.5..9.8),
        (true, false, true) => rng.random_range(1.2..6.0),
        (true, true, true) => rng.random_range(4.0..15.0),
        (false, _, false) => rng.random_range(0.000..0.004),
        (false, _, true) => rng.random_range(0.2..1.5),
    };
    let base = if ctx.worse_after_deploy && ts < task.current_deploy_ms { ctx.ratio_5xx / 10.0 } else { ctx.ratio_5xx };
    let client = format!(
        "{}.{}.{}.{}",
        [198, 203, 192][rng.random_range(0..3)],
        rng.random_range(1..255),
        rng.random_range(0..255),
        rng.random_range(1..255)
    );
    if page.php && slow && rng.random_bool(crate::sim::traffic::EFS_SLOW_EXTRA_5XX) {
        status = 504;
        time = 60.0;
        let request = format!("GET {} HTTP/1.1", page.path);
        let text = format!(
            "*{} upstream timed out (110: Connection timed out) while reading response header from upstream, client: {client}, server: _, request: \"{request}\", upstream: \"fastcgi://127.0.0.1:9000\"",
            ts % 100_000
        );
        put(rng, lines, "nginx", ts, nginx_error(ts, "error", 7, &text));
    } else if page.php && rng.random_bool(base.clamp(0.0, 1.0)) {
        status = 502;
        time = rng.random_range(0.5..30.0);
        if ctx.max_children {
            let text = "[pool www] server reached pm.max_children setting (10), consider raising it";
            put(rng, lines, "php-fpm", ts, logtext::php_fpm(ts, "WARNING", text));
        }
    }
    let ua = USER_AGENTS[rng.random_range(0..USER_AGENTS.len())];
    let bytes = if status >= 500 { 157 } else { page.bytes };
    put(rng, lines, "nginx", ts, access(ts, (task.alb_ip, page.path, status, bytes, ua, &client, time)));
}

/// A task of the failed deployment: php-fpm up, every health check closed by the load balancer
/// after 5 s while php-fpm's children read cold PHP files from the throttled EFS, the warmer's
/// request answered 504 after nginx's 60 s, then ECS stopping it.
fn failed(rng: &mut SmallRng, ctx: &Ctx, task: &PastTask, curl: bool, lines: &mut Lines) {
    boot(rng, ctx, task, lines);
    let start = task.started_ms;
    let (first, end) = lifetime(ctx, task, 1_000);
    // Checked until ECS gives up on it; draining targets are not checked.
    let checks_end = end.min(start + UNHEALTHY_AFTER_MS);
    let mut at = if ctx.interval_ms > 0 { first.div_euclid(ctx.interval_ms) * ctx.interval_ms } else { end };
    let mut n = 0u32;
    while ctx.interval_ms > 0 && at < checks_end {
        at += ctx.interval_ms;
        if at >= checks_end {
            break;
        }
        let check = (task.alb_ip, "/", 499, 0, "ELB-HealthChecker/2.0", "-", CHECK_TIMEOUT_S);
        put(rng, lines, "nginx", at, access(at, check));
        if n.is_multiple_of(3) {
            let child = rng.random_range(8..60);
            let took = CHECK_TIMEOUT_S + rng.random_range(0.001..0.9);
            let text = format!(
                "[pool www] child {child}, script '/app/public/index.php' (request: \"GET /index.php\") executing too slow ({took:.6} sec), logging"
            );
            put(rng, lines, "php-fpm", at + 5_000, logtext::php_fpm(at + 5_000, "WARNING", &text));
        }
        n += 1;
    }
    let busy = start + 35_000;
    if busy < end {
        let text = "[pool www] server reached pm.max_children setting (5), consider raising it";
        put(rng, lines, "php-fpm", busy, logtext::php_fpm(busy, "WARNING", text));
    }
    let timed_out = start + 61_000;
    if timed_out < end {
        let text = format!(
            "*{} upstream timed out (110: Connection timed out) while reading response header from upstream, client: 127.0.0.1, server: _, request: \"GET /opcache_warmer.php HTTP/1.1\", upstream: \"fastcgi://127.0.0.1:9000\", host: \"localhost\"",
            timed_out % 100_000
        );
        put(rng, lines, "nginx", timed_out, nginx_error(timed_out, "error", 7, &text));
        let (ua, said) = if curl {
            ("curl/8.11.1", "curl: (22) The requested URL returned error: 504")
        } else {
            ("lwp-request/6.77", "504 Gateway Time-out")
        };
        let line = access(timed_out, ("127.0.0.1", "/opcache_warmer.php", 504, 167, ua, "-", 60.001));
        put(rng, lines, "nginx", timed_out, line);
        put(rng, lines, "warmer", timed_out + 3, said.into());
    }
    shutdown(rng, ctx, task, lines);
}

/// An access line of a GET.
fn access(ts: i64, a: Get<'_>) -> String {
    let (remote, path, status, bytes, user_agent, forwarded_for, request_time_s) = a;
    logtext::nginx_access(
        ts,
        &Access { remote, method: "GET", path, status, bytes, referer: "-", user_agent, forwarded_for, request_time_s },
    )
}

/// A GET as nginx logs it: (remote, path, status, bytes, user agent, forwarded for, seconds).
type Get<'a> = (&'a str, &'a str, u16, u32, &'a str, &'a str, f64);

/// nginx's error-log line: `2026/11/28 03:25:10 [error] 7#7: text`.
fn nginx_error(ts: i64, level: &str, pid: u32, text: &str) -> String {
    let t = chrono::DateTime::from_timestamp_millis(ts).unwrap_or_default();
    format!("{} [{level}] {pid}#{pid}: {text}", t.format("%Y/%m/%d %H:%M:%S"))
}
