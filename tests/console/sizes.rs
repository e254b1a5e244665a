//! The screens at the sizes operators use — an 80×24 jump host, a laptop's 100×30, a 200×50
//! monitor: the overview (healthy and incident), events, task detail, WAF (and a sampled request
//! opened), help, the findings, and a 30-task service compacted, sorted by problem, narrowed to
//! its problems and filtered.

use wpops::app::{Key, KeyCode, Msg, State, update};
use wpops_fixtures::ui::{self as ui_fixtures, draw, healthy, incident};

const SIZES: [(u16, u16); 3] = [(80, 24), (100, 30), (200, 50)];

fn keys(state: &mut State, keys: &str) {
    for c in keys.chars() {
        let key = if c == '\n' { Key::plain(KeyCode::Enter) } else { Key::char(c) };
        update(state, Msg::Key(key));
    }
}

fn at_every_size(name: &str, state: &State) {
    for (w, h) in SIZES {
        insta::assert_snapshot!(format!("{name}_{w}x{h}"), draw(state, w, h));
    }
}

#[test]
fn overview_healthy_and_incident() {
    at_every_size("overview_healthy", &healthy());
    at_every_size("overview_incident", &incident());
}

#[test]
fn events_detail_waf_help() {
    for (name, keys_pressed) in [
        ("events", "e"),
        ("task_detail", "jj\n"),
        ("waf", "w"),
        ("waf_sample_open", "wj\n"),
        ("help", "?"),
        ("findings", "f"),
    ] {
        let mut s = incident();
        keys(&mut s, keys_pressed);
        at_every_size(name, &s);
    }
}

/// Thirty tasks, two of them in trouble: one line each, sorted by problem, then only those.
#[test]
fn thirty_tasks_compact_sorted_and_narrowed() {
    let mut s = healthy();
    let mut snapshot = s.feeds.service.data.clone().expect("a snapshot");
    snapshot.tasks = (0..30)
        .map(|i| {
            let id = format!("{:08x}c0ffee{:018x}", 0x1000_0000u32 + i * 0x0101_0101, i);
            let az = ["1a", "1c", "1d"][i as usize % 3];
            let exit = if i == 7 { Some(127) } else { Some(0) };
            let mut t = ui_fixtures::running(&id, 42, az, &format!("10.0.{}.{}", i % 3 + 1, 10 + i), 3_600_000, exit);
            if i == 19 {
                t.health = wpops::model::Health::Unhealthy;
            }
            t
        })
        .collect();
    snapshot.service.running = 30;
    snapshot.service.desired = 30;
    update(&mut s, Msg::Service { at_ms: ui_fixtures::NOW, result: Ok(Box::new(snapshot)) });
    at_every_size("thirty_tasks", &s);
    keys(&mut s, "o");
    at_every_size("thirty_tasks_by_problem", &s);
    keys(&mut s, "p");
    at_every_size("thirty_tasks_problems_only", &s);
    // All of them again, only those in AZ 1c, sorted by problem.
    keys(&mut s, "p/1c\n");
    at_every_size("thirty_tasks_in_1c_by_problem", &s);
}
