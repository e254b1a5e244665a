//! Runs the `wpops` binary in a real pseudo-terminal for the terminal-safety tests, with no
//! extra crate: util-linux `script` (Debian's `bsdutils`, always installed) allocates the pty,
//! forwards what the test writes as keystrokes and copies every byte the program writes to the
//! terminal. Inside the pty a small `sh` script sets the size, runs the binary with stderr to a
//! file, then prints its exit code and `stty -a`, so a test can check that the terminal was
//! left usable (raw mode off) by the program itself. The program's pid is written to a file
//! (an `exec` keeps it the same process), so that a test can send it signals.

use std::io::{Read, Write};
use std::path::PathBuf;
use std::process::{Child, ChildStdin, Command, Stdio};
use std::sync::{Arc, Mutex};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

/// The terminal the program sees.
pub const COLS: u16 = 200;
pub const ROWS: u16 = 50;

/// A program running in a pty.
pub struct Pty {
    child: Child,
    stdin: Option<ChildStdin>,
    out: Arc<Mutex<Vec<u8>>>,
    /// The thread copying the terminal's bytes into `out`; it ends when `script` exits.
    reader: Option<JoinHandle<()>>,
    stderr_file: PathBuf,
    pid_file: PathBuf,
    _dir: tempfile::TempDir,
}

/// What the program left behind.
pub struct Finished {
    /// Every byte written to the terminal by the program (before the `EXIT=` line).
    pub terminal: Vec<u8>,
    /// The program's exit code, as the shell saw it.
    pub code: i32,
    /// `stty -a` in the same terminal after the program exited.
    pub stty: String,
    pub stderr: String,
}

impl Pty {
    /// Starts `wpops args…` in a pty of `COLS`×`ROWS` with `env` (and an isolated HOME and
    /// config, no AWS profile).
    pub fn spawn(args: &[&str], env: &[(&str, &str)]) -> Pty {
        let dir = tempfile::tempdir().expect("temp dir");
        let stderr_file = dir.path().join("stderr");
        let pid_file = dir.path().join("pid");
        // The inner `sh` writes its pid and becomes the program: the pid is the program's.
        let script = r#"stty cols "$PTY_COLS" rows "$PTY_ROWS"; sh -c 'echo $$ >"$PTY_PID_FILE"; exec "$0" "$@"' "$WPOPS_BIN" "$@" 2>"$WPOPS_STDERR"; code=$?; printf '\nEXIT=%s\n' "$code"; stty -a"#;
        let mut shell = format!("sh -c {} wpops", quote(script));
        for a in args {
            shell.push(' ');
            shell.push_str(&quote(a));
        }
        let mut cmd = Command::new("script");
        cmd.args(["-q", "-e", "-f", "-c", &shell, "/dev/null"]);
        // What an operator's shell has: no AWS profile, no backtraces asked for.
        for var in [
            "AWS_PROFILE",
            "AWS_REGION",
            "AWS_DEFAULT_REGION",
            "AWS_ENDPOINT_URL",
            "WPOPS_SITE",
            "NO_COLOR",
            "RUST_BACKTRACE",
        ] {
            cmd.env_remove(var);
        }
        cmd.env("WPOPS_BIN", env!("CARGO_BIN_EXE_wpops"))
            .env("WPOPS_STDERR", &stderr_file)
            .env("PTY_PID_FILE", &pid_file)
            .env("PTY_COLS", COLS.to_string())
            .env("PTY_ROWS", ROWS.to_string())
            .env("TERM", "xterm-256color")
            .env("HOME", dir.path())
            .env("XDG_CONFIG_HOME", dir.path().join("xdg"))
            .env("AWS_CONFIG_FILE", dir.path().join("aws-config"))
            .env("AWS_SHARED_CREDENTIALS_FILE", dir.path().join("aws-credentials"))
            .env("AWS_EC2_METADATA_DISABLED", "true");
        for (k, v) in env {
            cmd.env(k, v);
        }
        let mut child = cmd
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .expect("util-linux `script` runs (apt-get install bsdutils)");
        let mut stdout = child.stdout.take().expect("stdout");
        let out: Arc<Mutex<Vec<u8>>> = Arc::default();
        let sink = out.clone();
        let reader = std::thread::spawn(move || {
            let mut buf = [0u8; 8192];
            while let Ok(n) = stdout.read(&mut buf) {
                if n == 0 {
                    break;
                }
                sink.lock().expect("lock").extend_from_slice(&buf[..n]);
            }
        });
        let stdin = child.stdin.take();
        Pty { child, stdin, out, reader: Some(reader), stderr_file, pid_file, _dir: dir }
    }

    /// Sends `signal` (`TERM`, `INT`, `HUP`, `QUIT`) to the program itself, as `kill -s` does.
    pub fn signal(&self, signal: &str) {
        let deadline = Instant::now() + Duration::from_secs(10);
        let pid = loop {
            let text = std::fs::read_to_string(&self.pid_file).unwrap_or_default();
            if let Ok(pid) = text.trim().parse::<u32>() {
                break pid;
            }
            assert!(Instant::now() < deadline, "the program's pid was never written");
            std::thread::sleep(Duration::from_millis(20));
        };
        let status = Command::new("kill").args(["-s", signal, &pid.to_string()]).status().expect("kill runs");
        assert!(status.success(), "kill -s {signal} {pid}: {status}");
    }

    /// The program's pid (written by the shell that became it).
    pub fn program_pid(&self) -> u32 {
        let deadline = Instant::now() + Duration::from_secs(10);
        loop {
            let text = std::fs::read_to_string(&self.pid_file).unwrap_or_default();
            if let Ok(pid) = text.trim().parse::<u32>() {
                return pid;
            }
            assert!(Instant::now() < deadline, "the program's pid was never written");
            std::thread::sleep(Duration::from_millis(20));
        }
    }

    /// The terminal goes away under the program, as when a tmux pane or an SSH session is
    /// closed: `script`, which holds the pty's master side, is killed.
    pub fn close_terminal(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }

    /// Everything the terminal received so far.
    pub fn output(&self) -> Vec<u8> {
        self.out.lock().expect("lock").clone()
    }

    /// Waits until the terminal has received `needle` (after `from` bytes); panics after
    /// `limit` with what it did receive.
    pub fn wait_for(&self, needle: &[u8], from: usize, limit: Duration) -> usize {
        let deadline = Instant::now() + limit;
        loop {
            let out = self.output();
            if let Some(at) = find(&out[from.min(out.len())..], needle) {
                return from + at;
            }
            if Instant::now() > deadline {
                panic!(
                    "{:?} never reached the terminal within {limit:?}; it got:\n{}\nstderr: {}",
                    String::from_utf8_lossy(needle),
                    String::from_utf8_lossy(&out),
                    self.stderr()
                );
            }
            std::thread::sleep(Duration::from_millis(20));
        }
    }

    /// Types `keys` into the terminal.
    pub fn type_keys(&mut self, keys: &str) {
        let stdin = self.stdin.as_mut().expect("stdin open");
        stdin.write_all(keys.as_bytes()).expect("type");
        stdin.flush().expect("flush");
    }

    pub fn stderr(&self) -> String {
        std::fs::read_to_string(&self.stderr_file).unwrap_or_default()
    }

    /// Waits for the program to exit (the `EXIT=` line) and the shell to finish; returns how
    /// long the program took to exit from now.
    pub fn finish(mut self, limit: Duration) -> (Finished, Duration) {
        let started = Instant::now();
        let len = self.output().len();
        let at = self.wait_for(b"\nEXIT=", len.saturating_sub(64), limit);
        let took = started.elapsed();
        let deadline = Instant::now() + Duration::from_secs(10);
        while self.child.try_wait().expect("wait").is_none() {
            assert!(Instant::now() < deadline, "the shell after the program did not finish");
            std::thread::sleep(Duration::from_millis(20));
        }
        drop(self.stdin.take());
        // Every byte the terminal got: the reader stops at the end of `script`'s output.
        let reader = self.reader.take().expect("the terminal's reader");
        while !reader.is_finished() {
            assert!(Instant::now() < deadline, "the terminal's output never ended");
            std::thread::sleep(Duration::from_millis(20));
        }
        reader.join().expect("the terminal's reader");
        let out = self.output();
        let tail = String::from_utf8_lossy(&out[at..]).into_owned();
        let code = tail
            .lines()
            .find_map(|l| l.strip_prefix("EXIT="))
            .and_then(|c| c.trim().parse().ok())
            .unwrap_or_else(|| panic!("no exit code in {tail:?}"));
        let stty = tail.lines().skip_while(|l| !l.starts_with("EXIT=")).skip(1).collect::<Vec<_>>().join("\n");
        let stderr = self.stderr();
        (Finished { terminal: out[..at].to_vec(), code, stty, stderr }, took)
    }
}

impl Drop for Pty {
    fn drop(&mut self) {
        if self.child.try_wait().ok().flatten().is_none() {
            let _ = self.child.kill();
        }
    }
}

impl Finished {
    /// Raw mode is off: `stty -a` lists `icanon`, `echo` and `isig` without a leading `-`.
    pub fn assert_cooked(&self) {
        let flags: Vec<&str> = self.stty.split_whitespace().collect();
        for flag in ["icanon", "echo", "isig", "icrnl", "opost"] {
            assert!(flags.contains(&flag), "raw mode left on ({flag} missing):\n{}", self.stty);
            assert!(!flags.contains(&format!("-{flag}").as_str()), "{flag} off:\n{}", self.stty);
        }
    }

    /// The alternate screen was left and the cursor shown after the last frame, and nothing
    /// was drawn after the terminal was first restored (a panic hook restores early).
    pub fn assert_restored(&self) {
        let t = &self.terminal;
        let entered = rfind(t, b"\x1b[?1049h").expect("the alternate screen was used");
        let left = find(&t[entered..], b"\x1b[?1049l")
            .map(|at| entered + at)
            .unwrap_or_else(|| panic!("the alternate screen was never left: {}", tail(t)));
        let after = &t[left..];
        assert!(rfind(after, b"\x1b[?25h").is_some(), "the cursor was never shown: {}", tail(t));
        let hidden = rfind(after, b"\x1b[?25l");
        assert!(hidden.is_none_or(|h| rfind(after, b"\x1b[?25h").is_some_and(|s| h < s)), "cursor hidden: {}", tail(t));
        assert!(after.len() < 64, "output after the terminal was restored: {}", tail(t));
    }
}

/// The last 300 bytes, escaped, for messages.
pub fn tail(t: &[u8]) -> String {
    let from = t.len().saturating_sub(300);
    format!("{:?}", String::from_utf8_lossy(&t[from..]))
}

pub fn find(hay: &[u8], needle: &[u8]) -> Option<usize> {
    hay.windows(needle.len()).position(|w| w == needle)
}

pub fn rfind(hay: &[u8], needle: &[u8]) -> Option<usize> {
    hay.windows(needle.len()).rposition(|w| w == needle)
}

fn quote(s: &str) -> String {
    format!("'{}'", s.replace('\'', r"'\''"))
}
