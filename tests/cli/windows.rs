//! Impossible time windows are refused, never answered with silence (QUALITY.md item 14):
//! `wpops logs` with a start before 1970 (a duration that overflows), in the future, or after
//! its end exits 2 with one line saying why, before any request is sent.

use crate::util::*;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn logs_refuses_impossible_windows_with_exit_2_and_the_reason() {
    let sim = sim("default").await;
    let home = home();
    let cases: &[(&[&str], &str)] = &[
        (&["logs", "--since", "300000000y"], "before 1970"),
        (&["logs", "--since", "300000000y", "--follow"], "before 1970"),
        (&["logs", "--since", "2999-01-01T00:00:00Z"], "in the future"),
        (&["logs", "--since", "2999-01-01T00:00:00Z", "--follow"], "in the future"),
        (&["logs", "--since", "1h", "--until", "2h"], "is before --since"),
        (&["logs", "--since", "10m", "--until", "300000000y"], "before 1970"),
        (&["logs", "--since", "10m", "--until", "later"], "RFC 3339"),
    ];
    for (args, why) in cases {
        let r = wpops(&sim, home.path(), args).await;
        assert_eq!(r.code, 2, "{args:?}: {}", r.stderr);
        assert_eq!(r.stdout, "", "{args:?}");
        let lines: Vec<&str> = r.stderr.lines().collect();
        assert_eq!(lines.len(), 1, "{args:?}: one line: {}", r.stderr);
        assert!(lines[0].starts_with("wpops logs: --") && lines[0].contains(why), "{args:?}: {}", lines[0]);
    }
    assert_eq!(sim.shared.total_requests(), 0, "refused before anything was sent");
    // A window that is merely empty of lines is not refused.
    let r = wpops(&sim, home.path(), &["logs", "--since", "2h", "--until", "2h"]).await;
    assert_eq!(r.code, 0, "{}", r.stderr);
}
