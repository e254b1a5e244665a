//! `wpops logs` through the real binary against the simulator: container and task filters in
//! text and JSON, `--follow` printing a line written with PutLogEvents exactly once and stopping
//! with exit 130 on Ctrl-C, and hostile log text (CSI, OSC 8/52, DCS, APC, C1 controls, bidi
//! overrides and isolates, zero-width characters) never printed raw.

use std::io::{BufRead, BufReader};
use std::process::Stdio;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use crate::util::*;

/// Format characters that reorder or hide text: bidi embeddings, overrides and isolates,
/// zero-width characters and the BOM.
fn invisible(c: char) -> bool {
    matches!(c, '\u{200b}'..='\u{200f}' | '\u{202a}'..='\u{202e}' | '\u{2060}'..='\u{2069}' | '\u{feff}')
}

fn json_lines(stdout: &str) -> Vec<serde_json::Value> {
    stdout.lines().map(|l| serde_json::from_str(l).unwrap_or_else(|e| panic!("{e}: {l}"))).collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn container_and_task_filters_in_text_and_json() {
    let sim = sim("default").await;
    let home = home();
    let r = wpops(&sim, home.path(), &["logs", "--container", "warmer", "--since", "4h", "-o", "json"]).await;
    assert_eq!(r.code, 0, "{}", r.stderr);
    let lines = json_lines(&r.stdout);
    assert!(lines.iter().all(|l| l["container"] == "warmer"), "{}", r.stdout);
    assert_eq!(lines.iter().filter(|l| l["kind"] == "warm_report").count(), 3, "{}", r.stdout);
    let ts: Vec<i64> = lines.iter().map(|l| l["ts_ms"].as_i64().unwrap()).collect();
    assert!(ts.windows(2).all(|w| w[0] <= w[1]), "time order");

    let task = task_ids(&sim, home.path()).await.remove(0);
    let prefix = &task[..8];
    let r = wpops(
        &sim,
        home.path(),
        &["logs", "-c", "warmer", "-c", "php-fpm", "--task", prefix, "--since", "4h", "-o", "json"],
    )
    .await;
    assert_eq!(r.code, 0, "{}", r.stderr);
    let lines = json_lines(&r.stdout);
    assert!(!lines.is_empty());
    assert!(lines.iter().all(|l| l["task_id"] == task.as_str()), "{}", r.stdout);
    assert!(lines.iter().any(|l| l["container"] == "php-fpm") && lines.iter().any(|l| l["container"] == "warmer"));

    let r = wpops(&sim, home.path(), &["logs", "--container", "nginx", "--since", "2m", "--filter", "GET"]).await;
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert!(r.stdout.lines().count() > 5, "{}", r.stdout);
    for line in r.stdout.lines() {
        let fields: Vec<&str> = line.split_whitespace().collect();
        assert_eq!(fields[0].len(), 8, "HH:MM:SS: {line}");
        assert_eq!(fields[1].len(), 8, "short task id: {line}");
        assert_eq!(fields[2], "nginx");
        assert!(line.contains("GET"));
    }
    let r = wpops(&sim, home.path(), &["logs", "--task", "zzzz"]).await;
    assert_eq!(r.code, 2);
    assert!(r.stderr.contains("no task \"zzzz\""), "{}", r.stderr);
}

/// `wpops logs --follow -c nginx --since 1m -o json` started, its stdout lines collected as they
/// come.
fn follow_nginx(
    sim: &wpops::sim::SimHandle,
    home: &std::path::Path,
) -> (std::process::Child, Arc<Mutex<Vec<String>>>, std::thread::JoinHandle<()>) {
    let mut cmd = site_command(sim, home);
    cmd.args(["logs", "--follow", "--container", "nginx", "--since", "1m", "-o", "json"]);
    let mut child = cmd.stdout(Stdio::piped()).stderr(Stdio::piped()).spawn().expect("spawn");
    let stdout = child.stdout.take().expect("stdout");
    let seen: Arc<Mutex<Vec<String>>> = Arc::default();
    let sink = seen.clone();
    let reader = std::thread::spawn(move || {
        for line in BufReader::new(stdout).lines().map_while(Result::ok) {
            sink.lock().unwrap().push(line);
        }
    });
    (child, seen, reader)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn follow_prints_a_new_line_exactly_once_and_ctrl_c_exits_130() {
    let sim = sim("quiet").await;
    let home = home();
    let task = task_ids(&sim, home.path()).await.remove(0);
    let polls = || sim.shared.request_count("logs:FilterLogEvents");
    let before = polls();
    let (mut child, seen, reader) = follow_nginx(&sim, home.path());
    // It is following once its first FilterLogEvents has reached the simulator.
    wait_for_requests(&sim, "logs:FilterLogEvents", before + 1, "logs --follow never polled").await;
    let marker = format!("wpops-follow-marker-{}", std::process::id());
    put_line(&sim, &format!("wp/nginx/{task}"), &marker).await;
    let deadline = tokio::time::Instant::now() + Duration::from_secs(10);
    while !seen.lock().unwrap().iter().any(|l| l.contains(&marker)) {
        assert!(tokio::time::Instant::now() < deadline, "the marked line never arrived");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    // Several more polls re-read the overlap window: the line must not come again.
    wait_for_requests(&sim, "logs:FilterLogEvents", polls() + 3, "three more polls").await;
    let status = std::process::Command::new("kill").args(["-INT", &child.id().to_string()]).status().expect("kill");
    assert!(status.success());
    let code = tokio::task::spawn_blocking(move || child.wait()).await.unwrap().expect("wait");
    assert_eq!(code.code(), Some(130), "Ctrl-C exits 130, as an interrupted command does");
    drained(vec![reader]).await;
    let lines = seen.lock().unwrap().clone();
    let hits: Vec<&String> = lines.iter().filter(|l| l.contains(&marker)).collect();
    assert_eq!(hits.len(), 1, "exactly once: {hits:?}");
    let v: serde_json::Value = serde_json::from_str(hits[0]).unwrap();
    assert_eq!(v["task_id"], task.as_str());
    assert_eq!(v["container"], "nginx");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn hostile_log_text_is_never_printed_raw() {
    let sim = sim("quiet").await;
    let home = home();
    let task = task_ids(&sim, home.path()).await.remove(0);
    let evil = "evil \x1b[31mRED\x1b[0m \x1b]52;c;ZXZpbA==\x07 \x1b]8;;http://x\x1b\\link\x1b]8;;\x1b\\ \u{202e}txt.exe \u{200b}zw \
                \x1bP1$r0m\x1b\\dcs \u{9b}31mc1 \u{9d}0;t\u{9c} \u{2066}iso\u{2069} a\u{200d}b\u{2060}c\u{feff}d \x1b_apc\x1b\\ \x07\x08\x7f\
                \rCR [brackets]";
    put_line(&sim, &format!("wp/warmer/{task}"), evil).await;
    let r = wpops(&sim, home.path(), &["logs", "--container", "warmer", "--since", "5m"]).await;
    assert_eq!(r.code, 0, "{}", r.stderr);
    let line = r.stdout.lines().find(|l| l.contains("evil")).unwrap_or_else(|| panic!("{}", r.stdout));
    assert!(line.contains("␛[31mRED") && line.contains("␛]52;c;"), "visible tokens: {line}");
    assert!(r.stdout.lines().any(|l| l.ends_with("warmer  CR [brackets]")), "a CR splits the event:\n{}", r.stdout);
    for ch in r.stdout.chars() {
        assert!(ch == '\n' || !(ch.is_control() || invisible(ch)), "raw {ch:?} in {line:?}");
    }
    let r = wpops(&sim, home.path(), &["logs", "--container", "warmer", "--since", "5m", "-o", "json"]).await;
    let texts: Vec<String> = json_lines(&r.stdout)
        .iter()
        .map(|l| l["text"].as_str().unwrap().to_string())
        .filter(|t| t.contains("evil"))
        .collect();
    assert!(!texts.is_empty());
    for t in texts {
        assert!(!t.chars().any(|c| c.is_control() || invisible(c)), "{t:?}");
    }
}

/// The reproduction: following nginx, nine PutLogEvents of 10,000 twenty-byte lines over
/// the three nginx streams, then a marker. Before the tail continued its searches with their page
/// tokens it printed 79,599 of the 90,000 lines and then nothing, the marker never.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn follow_reads_through_a_burst_of_90000_lines_to_the_marker() {
    let sim = sim("quiet").await;
    let home = home();
    let tasks = task_ids(&sim, home.path()).await;
    let before = sim.shared.request_count("logs:FilterLogEvents");
    let (mut child, seen, reader) = follow_nginx(&sim, home.path());
    wait_for_requests(&sim, "logs:FilterLogEvents", before + 1, "logs --follow never polled").await;
    let client = logs_client(&sim).await;
    for batch in 0..9 {
        let now = chrono::Utc::now().timestamp_millis();
        let events = (0..10_000).map(|i| {
            let text = format!("burst-{:07}-xxxxxxx", batch * 10_000 + i);
            aws_sdk_cloudwatchlogs::types::InputLogEvent::builder().timestamp(now).message(text).build().unwrap()
        });
        client
            .put_log_events()
            .log_group_name("/ecs/wordpress")
            .log_stream_name(format!("wp/nginx/{}", tasks[batch % tasks.len()]))
            .set_log_events(Some(events.collect()))
            .send()
            .await
            .expect("PutLogEvents");
    }
    let marker = format!("wpops-burst-marker-{}", std::process::id());
    put_line(&sim, &format!("wp/nginx/{}", tasks[0]), &marker).await;
    let deadline = tokio::time::Instant::now() + Duration::from_secs(90);
    while !seen.lock().unwrap().iter().any(|l| l.contains(&marker)) {
        assert!(tokio::time::Instant::now() < deadline, "the marker never arrived");
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    let _ = std::process::Command::new("kill").args(["-INT", &child.id().to_string()]).status();
    let _ = tokio::task::spawn_blocking(move || child.wait()).await;
    drained(vec![reader]).await;
    let lines = seen.lock().unwrap().clone();
    let mut counts = std::collections::HashMap::new();
    for l in lines.iter().filter_map(|l| l.split("\"text\":\"").nth(1)).filter(|t| t.starts_with("burst-")) {
        *counts.entry(l[..13].to_owned()).or_insert(0u32) += 1;
    }
    assert_eq!(counts.len(), 90_000, "every burst line printed");
    assert!(counts.values().all(|n| *n == 1), "none twice");
}

/// Lines a reader thread collected.
type Lines = Arc<Mutex<Vec<String>>>;

/// `wpops logs --follow --live-tail`: the line arrives through a Live Tail session, with no
/// FilterLogEvents after the catch-up poll; when the session ends (its limit, shortened here)
/// polling takes over and a new session opens, and every marker is printed exactly once.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn follow_with_live_tail_prints_new_lines_once_across_a_session_ending() {
    let sim = sim("quiet").await;
    let home = home();
    let task = task_ids(&sim, home.path()).await.remove(0);
    let mut cmd = site_command(&sim, home.path());
    cmd.args(["logs", "--follow", "--live-tail", "--container", "nginx", "--since", "1m", "-o", "json"]);
    let mut child = cmd.stdout(Stdio::piped()).stderr(Stdio::piped()).spawn().expect("spawn");
    let (stdout, stderr) = (child.stdout.take().expect("stdout"), child.stderr.take().expect("stderr"));
    let (seen, said) = (Lines::default(), Lines::default());
    let readers: Vec<std::thread::JoinHandle<()>> =
        [(seen.clone(), Box::new(stdout) as Box<dyn std::io::Read + Send>), (said.clone(), Box::new(stderr))]
            .into_iter()
            .map(|(sink, pipe)| {
                std::thread::spawn(move || {
                    for line in BufReader::new(pipe).lines().map_while(Result::ok) {
                        sink.lock().unwrap().push(line);
                    }
                })
            })
            .collect();
    wait_for_requests(&sim, "logs:StartLiveTail", 1, "logs --follow --live-tail never started a session").await;
    // The catch-up poll after the session started.
    wait_for_requests(&sim, "logs:FilterLogEvents", 1, "the catch-up poll").await;
    let arrives = |marker: String| {
        let seen = seen.clone();
        async move {
            let deadline = tokio::time::Instant::now() + Duration::from_secs(15);
            while !seen.lock().unwrap().iter().any(|l| l.contains(&marker)) {
                assert!(tokio::time::Instant::now() < deadline, "{marker} never arrived");
                tokio::time::sleep(Duration::from_millis(50)).await;
            }
        }
    };
    let stream = format!("wp/nginx/{task}");
    let id = std::process::id();
    put_line(&sim, &stream, &format!("live-marker-1-{id}")).await;
    arrives(format!("live-marker-1-{id}")).await;
    let polls = sim.shared.request_count("logs:FilterLogEvents");
    put_line(&sim, &stream, &format!("live-marker-2-{id}")).await;
    arrives(format!("live-marker-2-{id}")).await;
    assert_eq!(sim.shared.request_count("logs:FilterLogEvents"), polls, "no polling while the session is open");
    // The session reaches its (now 1 ms) limit at its next update: polling, then a new session.
    sim.set_live_tail(wpops::sim::live_tail::LiveTailLimits { max_session_ms: 1, ..Default::default() });
    put_line(&sim, &stream, &format!("live-marker-3-{id}")).await;
    arrives(format!("live-marker-3-{id}")).await;
    wait_for_requests(&sim, "logs:StartLiveTail", 2, "a new session after the first ended").await;
    sim.set_live_tail(Default::default());
    let _ = std::process::Command::new("kill").args(["-INT", &child.id().to_string()]).status();
    let code = tokio::task::spawn_blocking(move || child.wait()).await.unwrap().expect("wait");
    assert_eq!(code.code(), Some(130));
    drained(readers).await;
    let lines = seen.lock().unwrap().clone();
    for n in 1..=3 {
        let marker = format!("live-marker-{n}-{id}");
        let hits: Vec<&String> = lines.iter().filter(|l| l.contains(&marker)).collect();
        assert_eq!(hits.len(), 1, "{marker} exactly once: {hits:?}");
        let v: serde_json::Value = serde_json::from_str(hits[0]).unwrap();
        assert_eq!((v["task_id"].as_str(), v["container"].as_str()), (Some(task.as_str()), Some("nginx")));
    }
    let said = said.lock().unwrap().join("\n");
    assert!(said.contains("following with CloudWatch Live Tail"), "{said}");
    assert!(said.contains("SessionTimeoutException") && said.contains("polling FilterLogEvents"), "{said}");
}

/// The ids of the stopped tasks `wpops status -o json` lists whose reason contains `reason`.
async fn stopped_ids(sim: &wpops::sim::SimHandle, home: &std::path::Path, reason: &str) -> Vec<String> {
    let v = wpops(sim, home, &["status", "-o", "json"]).await.json();
    v["stopped"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|g| g["reason"].as_str().unwrap().contains(reason))
        .flat_map(|g| {
            g["task_ids"].as_array().unwrap().iter().map(|t| t.as_str().unwrap().trim_end_matches('…').to_string())
        })
        .collect()
}

/// `wpops logs -t` without a window reads the task's whole life: the OOM-killed task's php-fpm
/// lines up to its kill, and the warmer's output of a task that started 95 minutes ago (beyond
/// the default 10 minutes, which is all that `--since` had read before); a task whose containers
/// never started has no streams, and says so with exit 1 (it printed nothing and exited 0).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_task_alone_is_read_over_its_whole_life() {
    let sim = sim("incident").await;
    let home = home();
    let oom = stopped_ids(&sim, home.path(), "exit 137").await;
    assert_eq!(oom.len(), 2, "the incident's two OOM kills");
    let r = wpops(&sim, home.path(), &["logs", "-t", &oom[0][..8], "-c", "php-fpm", "-o", "json"]).await;
    assert_eq!(r.code, 0, "{}", r.stderr);
    let lines = json_lines(&r.stdout);
    assert!(lines.iter().all(|l| l["task_id"] == oom[0].as_str() && l["container"] == "php-fpm"), "{}", r.stdout);
    assert!(lines.iter().any(|l| l["text"].as_str().unwrap().contains("exited on signal 9 (SIGKILL)")), "{}", r.stdout);
    assert!(lines.iter().any(|l| l["kind"] == "warm_report"), "its warm report, at its start: {}", r.stdout);
    assert!(r.stderr.contains("whole life"), "{}", r.stderr);

    // The task whose warmer exited 127 started 95 minutes ago.
    let status = wpops(&sim, home.path(), &["status", "-o", "json"]).await.json();
    let cold = status["tasks"]
        .as_array()
        .unwrap()
        .iter()
        .find(|t| t["containers"].as_array().unwrap().iter().any(|c| c["name"] == "warmer" && c["exit_code"] == 127))
        .unwrap_or_else(|| panic!("a warmer that exited 127: {status}"));
    let cold = cold["id"].as_str().unwrap();
    let r = wpops(&sim, home.path(), &["logs", "-t", &cold[..8], "-c", "warmer"]).await;
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert!(r.stdout.contains("/bin/sh: GET: not found"), "{}", r.stdout);
    let r = wpops(&sim, home.path(), &["logs", "-t", &cold[..8], "-c", "warmer", "--since", "10m"]).await;
    assert_eq!((r.code, r.stdout.as_str()), (0, ""), "a window given is the window read: {}", r.stderr);

    let never: Vec<Vec<String>> = {
        let mut v = Vec::new();
        for reason in ["CannotPullContainerError", "ResourceInitializationError"] {
            v.push(stopped_ids(&sim, home.path(), reason).await);
        }
        v
    };
    for (reason, never) in ["CannotPullContainerError", "ResourceInitializationError"].iter().zip(&never) {
        assert_eq!(never.len(), 1, "{reason}");
        let r = wpops(&sim, home.path(), &["logs", "-t", &never[0][..8]]).await;
        assert_eq!(r.code, 1, "{reason}: {} {}", r.stdout, r.stderr);
        assert!(r.stdout.is_empty(), "{}", r.stdout);
        assert!(r.stderr.contains("no log stream") && r.stderr.contains(reason), "{}", r.stderr);
        let r = wpops(&sim, home.path(), &["logs", "-t", &never[0][..8], "--since", "2h"]).await;
        assert_eq!(r.code, 1, "with a window too: {}", r.stderr);
    }

    // Forty minutes on, ECS has forgotten the first OOM kill (it keeps about an hour); its
    // streams have not, and they give its life.
    sim.shared.clock.advance_ms(40 * 60_000);
    assert!(stopped_ids(&sim, home.path(), "exit 137").await.len() < 2, "ECS forgot one");
    let listed_now = status_ids(&sim, home.path()).await;
    let forgotten = &oom.iter().find(|id| !listed(&listed_now, id)).expect("one forgotten")[..8];
    let r = wpops(&sim, home.path(), &["logs", "-t", forgotten, "-c", "php-fpm"]).await;
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert!(r.stdout.contains("exited on signal 9 (SIGKILL)"), "{}", r.stdout);
}

/// Every task id `wpops status -o json` lists, running or stopped.
async fn status_ids(sim: &wpops::sim::SimHandle, home: &std::path::Path) -> Vec<String> {
    let mut ids = stopped_ids(sim, home, "").await;
    ids.extend(task_ids(sim, home).await);
    ids
}

fn listed(ids: &[String], id: &str) -> bool {
    ids.iter().any(|i| i == id)
}
