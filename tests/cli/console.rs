//! Opening the console from the command line without a terminal: with only `--cluster` it lists
//! nothing interactively and says how many services there are and to pass `--service`; with no
//! site at all it says how to name one (or `--demo`). Both exit 2 without drawing anything.

use std::process::Stdio;

use crate::util::*;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn only_a_cluster_without_a_terminal_asks_for_the_service() {
    let sim = sim("large").await;
    sim.with_world(&wpops::sim::account_of(KEY), REGION, |_| ());
    let home = home();
    let mut cmd = command(home.path());
    cmd.args(["--endpoint-url", &sim.endpoint_url(), "--region", REGION, "--cluster", "wp-fleet"]).stdin(Stdio::null());
    let r = run(cmd).await;
    assert_eq!(r.code, 2, "{}", r.stderr);
    assert!(r.stderr.contains("cluster wp-fleet has 2000 services; pass --service NAME"), "{}", r.stderr);
    assert!(r.stdout.is_empty());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn no_site_at_all_says_how_to_name_one() {
    let home = home();
    let mut cmd = command(home.path());
    cmd.stdin(Stdio::null());
    let r = run(cmd).await;
    assert_eq!(r.code, 2, "{}", r.stderr);
    assert!(r.stderr.contains("--demo"), "{}", r.stderr);
    assert_eq!(r.stderr.lines().count(), 1, "one line: {}", r.stderr);
}

/// The console's window is checked before anything is opened: a bad time, an empty window or a
/// window flag before a subcommand each exit 2 with one line saying why.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_bad_console_window_is_refused_before_the_console_opens() {
    let home = home();
    for (args, says) in [
        (&["--demo", "--since", "bogus"][..], "a time of day (09:10)"),
        (&["--demo", "--from", "2h", "--to", "3h"][..], "the window is empty"),
        (&["--demo", "--since", "2h", "status"][..], "are the console's window"),
    ] {
        let mut cmd = command(home.path());
        cmd.args(args).stdin(Stdio::null());
        let r = run(cmd).await;
        assert_eq!(r.code, 2, "{args:?}: {}", r.stderr);
        assert!(r.stderr.contains(says), "{args:?}: {}", r.stderr);
        assert_eq!(r.stderr.lines().count(), 1, "one line: {}", r.stderr);
        assert!(r.stdout.is_empty());
    }
}
