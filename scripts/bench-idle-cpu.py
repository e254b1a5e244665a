#!/usr/bin/env python3
"""QUALITY.md P8: idle CPU of the console with nothing changing.

Runs `wpops --demo --scenario quiet` (no traffic) in a 200x50 pseudo-terminal, lets it settle
for --settle seconds, then reads the process's CPU time (utime + stime of all its threads, from
/proc/PID/stat) at the start and the end of a --window second window while the screen output is
drained. Prints CPU % of one core over the window. Bar: < 1 %.

Run: scripts/bench-idle-cpu.py [--window 60] [--settle 10] [--wpops target/release/wpops]
(build first: cargo build --release). Uses 127.0.0.1 only (the in-process simulator).
"""
import argparse
import fcntl
import os
import pty
import signal
import struct
import subprocess
import tempfile
import termios
import threading
import time

TICK = os.sysconf("SC_CLK_TCK")


def cpu_seconds(pid):
    with open(f"/proc/{pid}/stat") as f:
        fields = f.read().rsplit(")", 1)[1].split()
    # fields[0] is the state (field 3); utime and stime are fields 14 and 15.
    return (int(fields[11]) + int(fields[12])) / TICK


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--window", type=float, default=60.0)
    ap.add_argument("--settle", type=float, default=10.0)
    ap.add_argument("--wpops", default="target/release/wpops")
    ap.add_argument("--scenario", default="quiet")
    args = ap.parse_args()
    master, slave = pty.openpty()
    fcntl.ioctl(slave, termios.TIOCSWINSZ, struct.pack("HHHH", 50, 200, 0, 0))
    home = tempfile.mkdtemp(prefix="wpops-idle-")
    env = dict(os.environ, TERM="xterm-256color", HOME=home, XDG_CONFIG_HOME=home, XDG_STATE_HOME=home)
    proc = subprocess.Popen([args.wpops, "--demo", "--scenario", args.scenario], stdin=slave, stdout=slave,
                            stderr=slave, env=env, close_fds=True, start_new_session=True)
    os.close(slave)
    out_bytes = [0]
    stop = threading.Event()

    def drain():
        while not stop.is_set():
            try:
                out_bytes[0] += len(os.read(master, 65536))
            except OSError:
                return

    threading.Thread(target=drain, daemon=True).start()
    try:
        time.sleep(args.settle)
        c0, t0, b0 = cpu_seconds(proc.pid), time.monotonic(), out_bytes[0]
        time.sleep(args.window)
        c1, t1, b1 = cpu_seconds(proc.pid), time.monotonic(), out_bytes[0]
    finally:
        stop.set()
        try:
            os.write(master, b"q")
            proc.wait(timeout=3)
        except (OSError, subprocess.TimeoutExpired):
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait()
    pct = 100.0 * (c1 - c0) / (t1 - t0)
    print(f"scenario {args.scenario}: CPU {c1 - c0:.2f} s over {t1 - t0:.1f} s = {pct:.2f} % of one core "
          f"(terminal output {(b1 - b0) / (t1 - t0):.0f} bytes/s); bar < 1 %")
    print(f"load average: {open('/proc/loadavg').read().split()[:3]}")


if __name__ == "__main__":
    main()
