//! Output errors are errors (QUALITY.md item 14): every subcommand run with stdout on a full disk
//! (`/dev/full`) exits 1 with one line on stderr saying so, and with stdout on a pipe whose
//! reader has gone (`| head` that stopped reading) ends quietly: exit 0 for the reading
//! commands, and an action still ends with its own outcome (it happened either way).

use std::process::{Command, Stdio};

use crate::util::*;

/// Stdout on `/dev/full`: every write fails with ENOSPC.
fn on_full_disk(mut cmd: Command) -> Command {
    let full = std::fs::OpenOptions::new().write(true).open("/dev/full").expect("/dev/full (Linux)");
    cmd.stdout(Stdio::from(full));
    cmd
}

/// Stdout on a pipe whose read end is closed before the binary starts: every write fails with
/// EPIPE, however soon or late the binary writes.
fn on_closed_pipe(mut cmd: Command) -> Command {
    let (reader, writer) = std::io::pipe().expect("a pipe");
    drop(reader);
    cmd.stdout(Stdio::from(writer));
    cmd
}

fn with(sim: &wpops::sim::SimHandle, home: &std::path::Path, args: &[&str]) -> Command {
    let mut cmd = site_command(sim, home);
    cmd.env("WPOPS_AUDIT_LOG", home.join("audit.jsonl"));
    cmd.args(args);
    cmd
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_full_disk_is_exit_1_with_one_line_for_every_subcommand() {
    let sim = sim("default").await;
    let home = home();
    let runs: &[&[&str]] = &[
        &["status"],
        &["status", "-o", "json"],
        &["logs", "-c", "warmer", "--since", "4h"],
        &["logs", "-c", "warmer", "--since", "4h", "-o", "json"],
        // --follow stops at the first failed write instead of polling on.
        &["logs", "-c", "warmer", "--since", "4h", "--follow"],
        &["waf"],
        &["waf", "-o", "json"],
        &["services"],
        &["services", "-o", "json"],
        &["completions", "bash"],
    ];
    for args in runs {
        let r = run(on_full_disk(with(&sim, home.path(), args))).await;
        assert_eq!(r.code, 1, "{args:?}: {}", r.stderr);
        let lines: Vec<&str> = r.stderr.lines().collect();
        assert_eq!(lines.len(), 1, "{args:?}: one line on stderr: {}", r.stderr);
        assert!(lines[0].contains("cannot write the output") && lines[0].contains("No space left"), "{}", lines[0]);
        assert!(lines[0].starts_with(&format!("wpops {}: ", args[0])), "names the command: {}", lines[0]);
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_action_on_a_full_disk_still_happens_and_says_its_summary_was_lost() {
    let sim = sim("default").await;
    let home = home();
    let r = run(on_full_disk(with(&sim, home.path(), &["redeploy", "--yes"]))).await;
    assert_eq!(r.code, 1, "{}", r.stderr);
    assert!(!r.stderr.contains("panicked"), "{}", r.stderr);
    assert!(r.stderr.contains("started deployment"), "{}", r.stderr);
    assert!(r.stderr.lines().last().is_some_and(|l| l.contains("cannot write the output")), "{}", r.stderr);
    assert_eq!(sim.shared.request_count("ecs:UpdateService"), 1);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_closed_pipe_ends_quietly() {
    let sim = sim("default").await;
    let home = home();
    let quiet: &[&[&str]] = &[
        &["status"],
        &["status", "-o", "json"],
        &["logs", "-c", "warmer", "--since", "4h"],
        &["logs", "-c", "warmer", "--since", "4h", "--follow", "-o", "json"],
        &["waf"],
        &["services"],
        &["completions", "zsh"],
    ];
    for args in quiet {
        let r = run(on_closed_pipe(with(&sim, home.path(), args))).await;
        assert_eq!(r.code, 0, "{args:?}: {}", r.stderr);
        assert_eq!(r.stderr, "", "{args:?}: nothing said");
    }
    // An action's summary goes to stdout: a closed pipe must not turn into a panic (exit 101).
    let r = run(on_closed_pipe(with(&sim, home.path(), &["redeploy", "--yes"]))).await;
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert!(!r.stderr.contains("panicked"), "{}", r.stderr);
    assert!(r.stderr.contains("started deployment"), "{}", r.stderr);
}
