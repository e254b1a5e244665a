//! The console in a real pseudo-terminal (QUALITY.md items 1, 3, 4 and 12), reading every byte it
//! writes to the terminal: hostile log text (OSC 52 and OSC 8, CSI, DCS/APC, C1 controls, bidi
//! overrides and isolates, zero-width characters, C0 controls) never reaches the terminal raw;
//! a panic in the draw loop or in a background task exits non-zero with a readable message and
//! leaves the terminal restored (alternate screen left, cursor shown, raw mode off as `stty -a`
//! reports in the same pty); so does each of SIGTERM, SIGINT, SIGHUP and SIGQUIT, exiting
//! 128 + its number; an unreachable endpoint still draws a frame with the errors and `q` quits
//! within a second; `L` follows with Live Tail and says for how long.

use std::time::{Duration, Instant};

use crate::pty::{Pty, find, tail};
use crate::util::{KEY, REGION, home, put_line, sim, task_ids};

/// Generous bounds for "eventually" on a loaded 2-core machine.
const START: Duration = Duration::from_secs(20);

fn env_credentials() -> Vec<(&'static str, &'static str)> {
    vec![("AWS_ACCESS_KEY_ID", KEY), ("AWS_SECRET_ACCESS_KEY", "x")]
}

/// The terminal's bytes with CSI sequences (cursor moves, colours) removed, as text.
fn visible(t: &[u8]) -> String {
    let mut out = Vec::with_capacity(t.len());
    let mut i = 0;
    while i < t.len() {
        if t[i] == 0x1b && t.get(i + 1) == Some(&b'[') {
            i += 2;
            while i < t.len() && !(0x40..=0x7e).contains(&t[i]) {
                i += 1;
            }
            i += 1;
        } else {
            out.push(t[i]);
            i += 1;
        }
    }
    String::from_utf8_lossy(&out).into_owned()
}

/// Waits until `text` is visible on the terminal (after `from` bytes).
fn wait_visible(pty: &Pty, text: &str, from: usize, limit: Duration) {
    let deadline = Instant::now() + limit;
    while !visible(&pty.output()[from..]).contains(text) {
        assert!(
            Instant::now() < deadline,
            "{text:?} never appeared within {limit:?}: {}\nstderr: {}",
            tail(&pty.output()),
            pty.stderr()
        );
        std::thread::sleep(Duration::from_millis(50));
    }
}

/// Hostile log lines, each with a marker of its own (distinct words, so that a partial redraw
/// never reuses one marker's cells for another) that must show up, sanitised, on screen.
const HOSTILE: &[(&str, &str)] = &[
    ("\x1b]52;c;ZXZpbA==\x07", "aardvark"),
    ("\x1b]8;;http://evil.example/\x1b\\click me\x1b]8;;\x1b\\", "bison"),
    ("\x1b[2J", "cheetah"),
    ("\x1b[31m", "dingo"),
    ("\x1b[?1049l", "eagle"),
    ("\x1b[1;1H", "falcon"),
    ("\x1bP1$r0m\x1b\\", "gecko"),
    ("\u{9b}31m \u{9d}0;title\u{9c}", "heron"),
    ("\u{202e}exe.txt \u{2066}iso\u{2069}", "ibis"),
    ("a\u{200b}b\u{200d}c\u{2060}d\u{feff}", "jackal"),
    ("\x07\x08\x7f\x0b\x0c", "koala"),
    ("\x1b_apc\x1b\\ \x1b^pm\x1b\\ \x1bXsos\x1b\\", "lemur"),
];

/// Sequences that must never reach the terminal from log text, wherever they are.
const NEVER: &[(&str, &[u8])] = &[
    ("OSC 52", b"\x1b]52"),
    ("OSC 8", b"\x1b]8;"),
    ("DCS", b"\x1bP"),
    ("APC", b"\x1b_"),
    ("PM", b"\x1b^"),
    ("SOS", b"\x1bX"),
    ("C1 CSI", "\u{9b}".as_bytes()),
    ("C1 OSC", "\u{9d}".as_bytes()),
    ("C1 ST", "\u{9c}".as_bytes()),
    ("RLO", "\u{202e}".as_bytes()),
    ("LRI", "\u{2066}".as_bytes()),
    ("PDI", "\u{2069}".as_bytes()),
    ("ZWSP", "\u{200b}".as_bytes()),
    ("ZWJ", "\u{200d}".as_bytes()),
    ("WJ", "\u{2060}".as_bytes()),
    ("BOM", "\u{feff}".as_bytes()),
    ("BEL", b"\x07"),
    ("BS", b"\x08"),
    ("DEL", b"\x7f"),
    ("VT", b"\x0b"),
    ("FF", b"\x0c"),
];

fn assert_nothing_raw(t: &[u8], markers: &[String]) {
    for (name, bytes) in NEVER {
        assert!(find(t, bytes).is_none(), "{name} reached the terminal raw: {}", context(t, bytes));
    }
    // CSI sequences are the program's own too; the log's own ones, right before their marker,
    // must not be there.
    for (payload, marker) in HOSTILE.iter().zip(markers) {
        let raw = format!("{}{marker}", payload.0);
        assert!(find(t, raw.as_bytes()).is_none(), "{:?} reached the terminal raw", payload.0);
    }
}

fn context(t: &[u8], needle: &[u8]) -> String {
    let at = find(t, needle).unwrap_or(0);
    format!("{:?}", String::from_utf8_lossy(&t[at.saturating_sub(80)..(at + 80).min(t.len())]))
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn hostile_log_text_never_reaches_the_terminal_raw() {
    let sim = sim("quiet").await;
    let home = home();
    let task = task_ids(&sim, home.path()).await.remove(0);
    let write = |round: &str| {
        let (sim, task) = (&sim, &task);
        let round = round.to_string();
        async move {
            let mut markers = Vec::new();
            for (i, (payload, marker)) in HOSTILE.iter().enumerate() {
                let marker = format!("{marker}{round}");
                let stream = ["nginx", "php-fpm", "warmer"][i % 3];
                put_line(sim, &format!("wp/{stream}/{task}"), &format!("{payload}{marker}")).await;
                markers.push(marker);
            }
            markers
        }
    };
    // Before the console starts (its backfill) and while the log screen is open (the tail).
    let first = write("one").await;
    let url = sim.endpoint_url();
    let args = ["--endpoint-url", &url, "--region", REGION, "--cluster", "wp-prod", "--service", "wordpress"];
    let mut pty = tokio::task::block_in_place(|| {
        let mut pty = Pty::spawn(&args, &env_credentials());
        pty.wait_for(b"\x1b[?1049h", 0, START);
        wait_visible(&pty, "wordpress", 0, START);
        pty.type_keys("l");
        pty
    });
    let second = write("two").await;
    let finished = tokio::task::block_in_place(|| {
        for m in first.iter().chain(&second) {
            wait_visible(&pty, m, 0, START);
        }
        pty.type_keys("q");
        pty.finish(START).0
    });
    assert_eq!(finished.code, 0, "stderr: {}", finished.stderr);
    assert_nothing_raw(&finished.terminal, &first);
    assert_nothing_raw(&finished.terminal, &second);
    let shown = visible(&finished.terminal);
    assert!(shown.contains("␛]52;c;ZXZpbA==") || shown.contains("ZXZpbA=="), "the OSC 52 line is shown as text");
    finished.assert_restored();
    finished.assert_cooked();
}

#[test]
fn a_panic_in_the_draw_loop_restores_the_terminal() {
    let pty = Pty::spawn(&["--demo"], &[("WPOPS_PANIC_DRILL", "draw")]);
    let (f, _) = pty.finish(START);
    assert_eq!(f.code, 101, "a panic exits non-zero: {}", f.stderr);
    assert!(f.stderr.contains("panic drill: the draw loop panicked"), "a readable message: {}", f.stderr);
    assert!(!f.stderr.contains("stack backtrace"), "no stack trace: {}", f.stderr);
    assert!(f.stderr.lines().count() <= 6, "a short message: {}", f.stderr);
    f.assert_restored();
    f.assert_cooked();
}

#[test]
fn a_panic_in_a_background_task_shuts_down_and_restores_the_terminal() {
    let pty = Pty::spawn(&["--demo"], &[("WPOPS_PANIC_DRILL", "feed")]);
    let (f, _) = pty.finish(START);
    assert_ne!(f.code, 0, "a dead feed stops the console: {}", f.stderr);
    assert!(
        f.stderr.lines().any(|l| l.starts_with("wpops: a background task failed: panic drill")),
        "says why it stopped: {}",
        f.stderr
    );
    assert!(!f.stderr.contains("stack backtrace"), "no stack trace: {}", f.stderr);
    assert!(f.stderr.lines().count() <= 6, "a short message: {}", f.stderr);
    f.assert_restored();
    f.assert_cooked();
}

#[test]
fn an_unreachable_endpoint_still_draws_and_q_quits_within_a_second() {
    let args =
        ["--endpoint-url", "http://127.0.0.1:1", "--region", REGION, "--cluster", "wp-prod", "--service", "wordpress"];
    let mut pty = Pty::spawn(&args, &env_credentials());
    pty.wait_for(b"\x1b[?1049h", 0, START);
    wait_visible(&pty, "wp-prod", 0, START);
    // The feeds have failed and the panels say so.
    wait_visible(&pty, "⚠", 0, START);
    pty.type_keys("q");
    let (f, took) = pty.finish(START);
    assert!(took < Duration::from_secs(1), "q took {took:?} to quit");
    assert_eq!(f.code, 0, "stderr: {}", f.stderr);
    assert!(f.stderr.trim().is_empty(), "nothing on stderr: {}", f.stderr);
    f.assert_restored();
    f.assert_cooked();
}

/// The console is stopped by `signal` once it has drawn: it leaves exactly as `q` does
/// (alternate screen left after it was entered, cursor shown, raw mode off) and exits with
/// 128 + the signal's number, as a shell reports for a program the signal ended.
fn a_signal_restores_the_terminal(signal: &str, code: i32) {
    let pty = Pty::spawn(&["--demo"], &[]);
    pty.wait_for(b"\x1b[?1049h", 0, START);
    wait_visible(&pty, "wordpress", 0, START);
    pty.signal(signal);
    let (f, _) = pty.finish(START);
    f.assert_restored();
    f.assert_cooked();
    assert_eq!(f.code, code, "SIG{signal}: stderr: {}", f.stderr);
    assert!(f.stderr.trim().is_empty(), "SIG{signal}: nothing on stderr, as for q: {}", f.stderr);
}

#[test]
fn sigterm_restores_the_terminal_and_exits_143() {
    a_signal_restores_the_terminal("TERM", 143);
}

#[test]
fn sigint_restores_the_terminal_and_exits_130() {
    a_signal_restores_the_terminal("INT", 130);
}

#[test]
fn sighup_restores_the_terminal_and_exits_129() {
    a_signal_restores_the_terminal("HUP", 129);
}

#[test]
fn sigquit_restores_the_terminal_and_exits_131() {
    a_signal_restores_the_terminal("QUIT", 131);
}

/// `L` in the logs screen: a Live Tail session opens (the title says for how long), a new line
/// arrives through it, and `L` again closes it.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn l_follows_with_live_tail_and_the_title_says_for_how_long() {
    let sim = sim("quiet").await;
    let home = home();
    let task = task_ids(&sim, home.path()).await.remove(0);
    let url = sim.endpoint_url();
    let args = ["--endpoint-url", &url, "--region", REGION, "--cluster", "wp-prod", "--service", "wordpress"];
    let mut pty = tokio::task::block_in_place(|| {
        let mut pty = Pty::spawn(&args, &env_credentials());
        pty.wait_for(b"\x1b[?1049h", 0, START);
        wait_visible(&pty, "wordpress", 0, START);
        pty.type_keys("l");
        pty.type_keys("L");
        wait_visible(&pty, "live tail 0m", 0, START);
        pty
    });
    assert_eq!(sim.shared.request_count("logs:StartLiveTail"), 1);
    assert_eq!(sim.live_tails_open(), 1);
    let marker = format!("live-console-marker-{}", std::process::id());
    put_line(&sim, &format!("wp/nginx/{task}"), &marker).await;
    let finished = tokio::task::block_in_place(|| {
        wait_visible(&pty, &marker, 0, START);
        pty.type_keys("L");
        let deadline = Instant::now() + START;
        while sim.live_tails_open() > 0 {
            assert!(Instant::now() < deadline, "L again closes the session");
            std::thread::sleep(Duration::from_millis(50));
        }
        pty.type_keys("q");
        pty.finish(START).0
    });
    assert_eq!(finished.code, 0, "stderr: {}", finished.stderr);
    finished.assert_restored();
}

/// A console whose terminal goes away (a closed tmux pane or SSH session: the pty hangs up)
/// ends within seconds. It stayed for good, spinning at half a core: the terminal loop stopped
/// on the hangup, then waited for its input reader, which crossterm kept retrying the dead tty.
#[test]
fn the_console_ends_when_its_terminal_goes_away() {
    let mut pty = Pty::spawn(&["--demo"], &[]);
    pty.wait_for(b"\x1b[?1049h", 0, START);
    wait_visible(&pty, "wordpress", 0, START);
    let pid = pty.program_pid();
    pty.close_terminal();
    let alive = || {
        std::fs::read_to_string(format!("/proc/{pid}/stat"))
            .is_ok_and(|s| s.rsplit(')').next().and_then(|r| r.split_whitespace().next()) != Some("Z"))
    };
    let deadline = std::time::Instant::now() + Duration::from_secs(10);
    while alive() && std::time::Instant::now() < deadline {
        std::thread::sleep(Duration::from_millis(50));
    }
    let still = alive();
    if still {
        let _ = std::process::Command::new("kill").args(["-9", &pid.to_string()]).status();
    }
    assert!(!still, "the console (pid {pid}) still runs 10 s after its terminal went away");
}
