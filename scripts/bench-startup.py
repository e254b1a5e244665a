#!/usr/bin/env python3
"""QUALITY.md P7: start-up to the first painted frame with service data.

Spawns `wpops --demo` (the simulator starts in-process) in a 200x50 pseudo-terminal, RUNS times,
and timestamps, from just before the process is spawned, the first byte of output and the
moment the screen output first contains the service line's revision (`wordpress:42`). Prints
each run and the medians. Bar: <= 200 ms.

Run: scripts/bench-startup.py [--runs 15] [--wpops target/release/wpops]
(build first: cargo build --release). Uses 127.0.0.1 only (the in-process simulator).
"""
import argparse
import fcntl
import os
import pty
import select
import signal
import statistics
import struct
import subprocess
import sys
import tempfile
import termios
import time

MARK = b"wordpress:42"
TIMEOUT_S = 10.0


def one_run(wpops, scenario):
    master, slave = pty.openpty()
    fcntl.ioctl(slave, termios.TIOCSWINSZ, struct.pack("HHHH", 50, 200, 0, 0))
    home = tempfile.mkdtemp(prefix="wpops-startup-")
    env = dict(os.environ, TERM="xterm-256color", HOME=home, XDG_CONFIG_HOME=home, XDG_STATE_HOME=home)
    for k in ("AWS_PROFILE", "AWS_ENDPOINT_URL", "WPOPS_SITE"):
        env.pop(k, None)
    t0 = time.monotonic()
    proc = subprocess.Popen([wpops, "--demo", "--scenario", scenario], stdin=slave, stdout=slave,
                            stderr=slave, env=env, close_fds=True, start_new_session=True)
    os.close(slave)
    first_byte = painted = None
    buf = b""
    deadline = t0 + TIMEOUT_S
    try:
        while painted is None and time.monotonic() < deadline:
            ready, _, _ = select.select([master], [], [], 0.05)
            if not ready:
                continue
            try:
                chunk = os.read(master, 65536)
            except OSError:
                break
            now = time.monotonic()
            if first_byte is None:
                first_byte = now - t0
            buf += chunk
            if MARK in buf:
                painted = now - t0
    finally:
        try:
            os.write(master, b"q")
            proc.wait(timeout=3)
        except (OSError, subprocess.TimeoutExpired):
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait()
        os.close(master)
    return first_byte, painted


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--runs", type=int, default=15)
    ap.add_argument("--wpops", default="target/release/wpops")
    ap.add_argument("--scenario", default="default")
    args = ap.parse_args()
    firsts, paints = [], []
    for i in range(args.runs):
        first, painted = one_run(args.wpops, args.scenario)
        if painted is None:
            print(f"run {i + 1}: no service line within {TIMEOUT_S:.0f} s", file=sys.stderr)
            continue
        firsts.append(first * 1000)
        paints.append(painted * 1000)
        print(f"run {i + 1:2}: first output {first * 1000:6.1f} ms, service line painted {painted * 1000:6.1f} ms")
        time.sleep(0.2)
    if not paints:
        sys.exit(1)
    print(f"median of {len(paints)}: first output {statistics.median(firsts):.1f} ms; "
          f"first frame with service data {statistics.median(paints):.1f} ms "
          f"(min {min(paints):.1f}, max {max(paints):.1f}); bar <= 200 ms")
    print(f"load average: {open('/proc/loadavg').read().split()[:3]}")


if __name__ == "__main__":
    main()
