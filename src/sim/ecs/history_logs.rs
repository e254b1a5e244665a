//! What the containers of a task stopped before the simulator started wrote in their lifetime
//! (`stopped_history`): the warmer's run and report when the task started, nginx's and
//! php-fpm's lines while it served, and, for a task whose php-fpm was killed for memory, the
//! lines before it: the kernel killing php-fpm's children one after another, nginx losing its
//! upstream. A task that never started (an image pull or the EFS mount failed) wrote nothing,
//! as on AWS: its containers have no streams.
//!
//! Written with their own generator (seeded by the task id), so that adding them leaves the
//! rest of the world's randomness, and every screen built on it, unchanged.

use rand::rngs::SmallRng;
use rand::{Rng, SeedableRng};

use super::types::Task;
use crate::sim::logtext::{self, Access};
use crate::sim::world::RegionWorld;

/// A visitor request every this often (the stopped task's share of the site, thinned: these
/// minutes are before the simulator's detailed traffic).
const ACCESS_EVERY_MS: i64 = 6_000;
/// The kernel kills this many php-fpm children before the container goes.
const CHILDREN_KILLED: u32 = 4;

/// Writes the lifetime of `task`, which ran from its `started_at_ms` until `stopped_ms` and
/// ended as `kind` says (`oom`; the others never started and wrote nothing).
pub fn write(w: &mut RegionWorld, task: &Task, kind: &str, stopped_ms: i64) {
    if kind != "oom" {
        return;
    }
    let Some(started) = task.started_at_ms else { return };
    let mut rng = SmallRng::seed_from_u64(
        task.id.bytes().fold(0xcbf2_9ce4_8422_2325_u64, |h, b| (h ^ u64::from(b)).wrapping_mul(0x0100_0000_01b3)),
    );
    let put = |w: &mut RegionWorld, rng: &mut SmallRng, container: &str, ts: i64, line: String| {
        if let Some((group, stream)) = logtext::stream_of(w, task, container) {
            let delay = rng.random_range(150..1_200);
            w.logs.put(&group, &stream, ts, ts + delay, line);
        }
    };
    put(w, &mut rng, "php-fpm", started, logtext::php_fpm(started, "NOTICE", "fpm is running, pid 1"));
    put(w, &mut rng, "php-fpm", started + 2, logtext::php_fpm(started + 2, "NOTICE", "ready to handle connections"));
    // The warmer, as a healthy task's: its report in its own stream and wrapped by php-fpm.
    let done = started + 9_800;
    let files = task.php_files.max(1);
    let report = logtext::warm_report(files, 0, 0);
    let child = rng.random_range(7..90);
    put(w, &mut rng, "php-fpm", done, logtext::php_fpm_child_said(done, child, &report));
    put(w, &mut rng, "nginx", done, access(done, "127.0.0.1", "/opcache_warmer.php", 200, 9.8, "lwp-request/6.77"));
    put(w, &mut rng, "warmer", done, report);
    // Visitors until memory ran out; the last two minutes slow down as the children swell.
    let trouble = stopped_ms - 120_000;
    let mut ts = done + ACCESS_EVERY_MS;
    while ts < stopped_ms - 5_000 {
        let slow = ts >= trouble;
        let latency = if slow { rng.random_range(1.2..4.5) } else { rng.random_range(0.03..0.25) };
        let path = PATHS[rng.random_range(0..PATHS.len())];
        let client = format!("198.51.100.{}", rng.random_range(2..250));
        put(w, &mut rng, "nginx", ts, access(ts, &client, path, 200, latency, "Mozilla/5.0"));
        ts += ACCESS_EVERY_MS + rng.random_range(-1_500..1_500);
    }
    put(
        w,
        &mut rng,
        "php-fpm",
        trouble,
        logtext::php_fpm(
            trouble,
            "WARNING",
            "[pool www] server reached pm.max_children setting (5), consider raising it",
        ),
    );
    for i in 0..CHILDREN_KILLED {
        let at = trouble + 20_000 + i64::from(i) * 22_000;
        let pid = 40 + i * 17;
        let up = (at - started) as f64 / 1000.0;
        put(
            w,
            &mut rng,
            "php-fpm",
            at,
            logtext::php_fpm(
                at,
                "WARNING",
                &format!("[pool www] child {pid} exited on signal 9 (SIGKILL) after {up:.6} seconds from start"),
            ),
        );
        put(
            w,
            &mut rng,
            "php-fpm",
            at + 3,
            logtext::php_fpm(at + 3, "NOTICE", &format!("[pool www] child {} started", pid + 100)),
        );
        let client = format!("198.51.100.{}", rng.random_range(2..250));
        put(w, &mut rng, "nginx", at + 5, upstream_reset(at + 5, &client));
        put(w, &mut rng, "nginx", at + 6, access(at + 6, &client, "/", 502, up.fract() + 0.5, "Mozilla/5.0"));
    }
}

const PATHS: [&str; 5] = ["/", "/2026/11/hello-world/", "/shop/", "/feed/", "/wp-json/wp/v2/posts"];

fn access(ts: i64, client: &str, path: &str, status: u16, latency: f64, ua: &str) -> String {
    logtext::nginx_access(
        ts,
        &Access {
            remote: "10.0.1.200",
            method: "GET",
            path,
            status,
            bytes: if status == 200 { 18_304 } else { 157 },
            referer: "-",
            user_agent: ua,
            forwarded_for: client,
            request_time_s: latency,
        },
    )
}

/// nginx's error log line when php-fpm's child dies under a request.
fn upstream_reset(ts: i64, client: &str) -> String {
    let t = chrono::DateTime::from_timestamp_millis(ts).unwrap_or_default();
    format!(
        "{} [error] 7#7: *{} recv() failed (104: Connection reset by peer) while reading response header from upstream, client: {client}, server: _, request: \"GET / HTTP/1.1\", upstream: \"fastcgi://127.0.0.1:9000\"",
        t.format("%Y/%m/%d %H:%M:%S"),
        ts % 100_000
    )
}
