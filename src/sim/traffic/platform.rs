//! Once-a-minute platform metrics of the simulated world: the service's CPU and memory
//! (`AWS/ECS`) and the EFS file system's I/O limit, burst credits and connections (`AWS/EFS`),
//! with the incident scenario's burst-credit dip (at its I/O limit, credits draining, from 25
//! minutes before the start until 30 minutes after it) and, in the past, its `efs_slow_minutes`
//! (the same limit and drain; the credits earn back to their cap before the dip starts, so every
//! value after the episode is as it was without it).

use rand::Rng;

use crate::sim::world::RegionWorld;

/// Records the platform metrics of the minute starting at `minute_ms`.
pub fn minute(w: &mut RegionWorld, minute_ms: i64) {
    let rate = w.scenario.traffic.requests_per_second;
    let rel_min = (minute_ms - w.started_ms).div_euclid(60_000);
    // The incident's EFS trouble: from 25 minutes before the start to 30 minutes after it, the
    // file system is at its I/O limit and its burst credits drain towards empty.
    let dip = (w.scenario.traffic.efs_credit_dip && (-25..30).contains(&rel_min))
        || super::history::in_minutes(w, w.scenario.traffic.efs_slow_minutes, minute_ms);
    let services: Vec<(String, String, usize)> = w
        .clusters
        .iter()
        .flat_map(|(c, cl)| {
            cl.services.values().filter(|s| s.serves_traffic).map(move |s| {
                let running =
                    cl.tasks.values().filter(|t| t.service.as_deref() == Some(&s.name) && t.serving()).count();
                (c.clone(), s.name.clone(), running)
            })
        })
        .collect();
    for (cluster, service, running) in services {
        let per_task = if running > 0 { rate / running as f64 } else { 0.0 };
        let cpu = (4.0 + per_task * 3.2 + w.rng.random_range(-2.0..2.0)).clamp(0.5, 100.0);
        let mem: f64 = (38.0 + w.rng.random_range(-1.5f64..1.5) + if dip { 14.0 } else { 0.0 }).clamp(1.0, 100.0);
        let dims = [("ClusterName", cluster.as_str()), ("ServiceName", service.as_str())];
        w.metrics.add("AWS/ECS", "CPUUtilization", &dims, minute_ms, cpu);
        w.metrics.add("AWS/ECS", "MemoryUtilization", &dims, minute_ms, mem);
    }
    let mut efs = std::mem::take(&mut w.efs);
    for fs in &mut efs {
        let io = if dip {
            w.rng.random_range(96.0..100.0)
        } else {
            (2.0 + rate * 0.25 + w.rng.random_range(-1.0..1.0)).clamp(0.1, 100.0)
        };
        fs.io_percent = io;
        let drain = if dip { 5.0e10 } else { -1.5e10 };
        fs.burst_credits = (fs.burst_credits - drain).clamp(1.0e9, 2.31e12);
        let dims = [("FileSystemId", fs.id.as_str())];
        w.metrics.add("AWS/EFS", "PercentIOLimit", &dims, minute_ms, io);
        w.metrics.add("AWS/EFS", "BurstCreditBalance", &dims, minute_ms, fs.burst_credits);
        w.metrics.add("AWS/EFS", "ClientConnections", &dims, minute_ms, 3.0 + (rate / 10.0).floor());
    }
    w.efs = efs;
}
