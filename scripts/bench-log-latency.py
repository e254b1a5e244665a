#!/usr/bin/env python3
"""QUALITY.md P5: log latency of `wpops logs --follow` and its request rate, polling and with
Live Tail (`--live-tail`) side by side, beside awslogs.

Starts `wpops sim --listen 127.0.0.1:PORT` (default scenario, real-time clock, live traffic),
then for each tool in turn: runs it in a pseudo-terminal (as an operator would watch it),
resets the simulator's request counts, writes N marked lines with PutLogEvents (boto3) into an
nginx stream of a running task at random intervals, and timestamps when each mark first appears
in the tool's output. Meanwhile the same number of lines goes to a second, unfollowed site (an
other account in the same simulator). At the end it reads `GET /_sim/requests` and prints per
tool: median / p90 / max latency, FilterLogEvents per second for the followed site, and the
log requests made for the site not followed.

Tools: `wpops logs --follow` (polling FilterLogEvents), `wpops logs --follow --live-tail`
(a StartLiveTail session: no FilterLogEvents but the catch-up poll at its start), and
`awslogs get /ecs/wordpress ALL --watch` (boto3 honours AWS_ENDPOINT_URL); `--tools` picks
(`wpops,wpops-live,awslogs`). The AWS CLI v1 has no `logs tail`; AWS CLI v2's `logs tail --follow` polls
every 5 s (its documented behaviour), so it is quoted, not measured.

These are the tools' own latencies against the simulator, which makes a line visible as soon
as it is written: real CloudWatch Logs adds its ingestion delay on top, for every tool alike.

Run: scripts/bench-log-latency.py [--marks 30] [--port 4598] [--wpops target/release/wpops]
     [--venv /tmp/wpops-bench-venv] [--tools wpops,wpops-live,awslogs]  (scripts/bench-status.sh creates the venv with awscli and
     awslogs; cargo build --release first). Talks to 127.0.0.1 only.
"""
import argparse
import json
import os
import pty
import random
import signal
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request

FOLLOWED_KEY = "ASIA123456789012DEMO"  # account 123456789012
OTHER_KEY = "ASIA210987654321DEMO"  # account 210987654321: a site nobody follows
REGION = "ap-northeast-1"
TOKEN_LEN = 23  # WPOPSMARK-<tag:3>-<n:4>-<hex:4>


def http(endpoint, path, method="GET"):
    req = urllib.request.Request(endpoint + path, method=method, data=b"" if method == "POST" else None)
    with urllib.request.urlopen(req, timeout=5) as r:
        return json.loads(r.read() or b"{}")


def client(boto3, service, endpoint, key):
    return boto3.client(service, region_name=REGION, endpoint_url=endpoint, aws_access_key_id=key,
                        aws_secret_access_key="demo")


def nginx_stream(boto3, endpoint, key):
    ecs = client(boto3, "ecs", endpoint, key)
    arn = ecs.list_tasks(cluster="wp-prod", serviceName="wordpress")["taskArns"][0]
    return "wp/nginx/" + arn.rsplit("/", 1)[1]


class Watcher:
    """Runs a command in a pty and records when each wanted mark first shows up."""

    def __init__(self, cmd, env):
        master, slave = pty.openpty()
        self.proc = subprocess.Popen(cmd, stdin=slave, stdout=slave, stderr=slave, env=env,
                                     close_fds=True, start_new_session=True)
        os.close(slave)
        self.master = master
        self.seen = {}
        self.bytes = 0
        self.tail = ""
        self.lock = threading.Lock()
        threading.Thread(target=self.read, daemon=True).start()

    def read(self):
        while True:
            try:
                chunk = os.read(self.master, 65536)
            except OSError:
                return
            if not chunk:
                return
            now = time.monotonic()
            text = chunk.decode("utf-8", "replace")
            with self.lock:
                self.bytes += len(chunk)
                window = self.tail + text
                start = 0
                while True:
                    i = window.find("WPOPSMARK-", start)
                    if i < 0:
                        break
                    token = window[i:i + TOKEN_LEN]
                    if len(token) == TOKEN_LEN and token not in self.seen:
                        self.seen[token] = now
                    start = i + 1
                self.tail = window[-64:]

    def stop(self):
        try:
            os.killpg(self.proc.pid, signal.SIGINT)
            self.proc.wait(timeout=3)
        except (OSError, subprocess.TimeoutExpired):
            os.killpg(self.proc.pid, signal.SIGKILL)
            self.proc.wait()
        os.close(self.master)


def measure(name, tag, cmd, env, args, boto3, endpoint):
    logs = client(boto3, "logs", endpoint, FOLLOWED_KEY)
    other = client(boto3, "logs", endpoint, OTHER_KEY)
    stream = nginx_stream(boto3, endpoint, FOLLOWED_KEY)
    other_stream = nginx_stream(boto3, endpoint, OTHER_KEY)
    w = Watcher(cmd, env)
    deadline = time.monotonic() + 15
    while w.bytes == 0 and time.monotonic() < deadline:  # started and printed its backlog
        time.sleep(0.1)
    time.sleep(2.0)
    http(endpoint, "/_sim/requests/reset", "POST")
    t_start = time.monotonic()
    written = {}
    rng = random.Random(args.seed)
    for n in range(args.marks):
        time.sleep(rng.uniform(0.3, 2.7))
        token = f"WPOPSMARK-{tag}-{n:04d}-{rng.randrange(16**4):04x}"
        line = f"10.0.1.200 - - [-] \"GET /{token} HTTP/1.1\" 200 1 \"-\" \"bench\" \"198.51.100.1\" 0.001"
        written[token] = time.monotonic()
        logs.put_log_events(logGroupName="/ecs/wordpress", logStreamName=stream,
                            logEvents=[{"timestamp": int(time.time() * 1000), "message": line}])
        other.put_log_events(logGroupName="/ecs/wordpress", logStreamName=other_stream,
                             logEvents=[{"timestamp": int(time.time() * 1000), "message": line.replace("WPOPSMARK", "OTHERMARK")}])
    deadline = time.monotonic() + 15
    while time.monotonic() < deadline:
        with w.lock:
            if all(t in w.seen for t in written):
                break
        time.sleep(0.05)
    elapsed = time.monotonic() - t_start
    counts = http(endpoint, "/_sim/requests")
    w.stop()
    with w.lock:
        lat = sorted((w.seen[t] - t0) for t, t0 in written.items() if t in w.seen)
    missing = len(written) - len(lat)
    by_account = counts.get("by_account", {})
    followed = by_account.get("123456789012", {})
    others = by_account.get("210987654321", {})
    fle = followed.get("logs:FilterLogEvents", 0)
    slt = followed.get("logs:StartLiveTail", 0)
    other_reads = {k: v for k, v in others.items() if k.startswith("logs:") and k != "logs:PutLogEvents"}
    if lat:
        p90 = lat[min(len(lat) - 1, int(round(0.9 * (len(lat) - 1))))]
        print(f"{name}: {len(lat)}/{len(written)} marks seen; latency median {statistics.median(lat):.3f} s, "
              f"p90 {p90:.3f} s, min {lat[0]:.3f} s, max {lat[-1]:.3f} s")
    else:
        print(f"{name}: no mark seen")
    print(f"{name}: FilterLogEvents for the followed site {fle} in {elapsed:.1f} s = {fle / elapsed:.2f}/s, "
          f"StartLiveTail {slt}; "
          f"all requests for it: {followed}; log reads for the site not followed: {other_reads or 0}"
          + (f"; {missing} marks missing" if missing else ""))
    return lat


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--marks", type=int, default=30)
    ap.add_argument("--port", type=int, default=4598)
    ap.add_argument("--seed", type=int, default=7)
    ap.add_argument("--wpops", default="target/release/wpops")
    ap.add_argument("--venv", default="/tmp/wpops-bench-venv")
    ap.add_argument("--tools", default="wpops,wpops-live,awslogs")
    args = ap.parse_args()
    site = os.path.join(args.venv, "lib", f"python{sys.version_info.major}.{sys.version_info.minor}", "site-packages")
    sys.path.insert(0, site)
    import boto3  # from the venv (awslogs depends on it)

    endpoint = f"http://127.0.0.1:{args.port}"
    home = tempfile.mkdtemp(prefix="wpops-latency-")
    env = dict(os.environ, AWS_ACCESS_KEY_ID=FOLLOWED_KEY, AWS_SECRET_ACCESS_KEY="demo", AWS_REGION=REGION,
               AWS_DEFAULT_REGION=REGION, AWS_CONFIG_FILE="/dev/null", AWS_SHARED_CREDENTIALS_FILE="/dev/null",
               HOME=home, XDG_CONFIG_HOME=home, TERM="xterm-256color", PYTHONUNBUFFERED="1")
    for k in ("AWS_PROFILE", "WPOPS_SITE"):
        env.pop(k, None)
    sim = subprocess.Popen([args.wpops, "sim", "--listen", f"127.0.0.1:{args.port}"], stdout=subprocess.DEVNULL,
                           stderr=subprocess.DEVNULL)
    try:
        for _ in range(100):
            try:
                http(endpoint, "/_sim/status")
                break
            except OSError:
                time.sleep(0.1)
        follow = [args.wpops, "logs", "--follow", "--since", "1m", "--endpoint-url", endpoint,
                  "--cluster", "wp-prod", "--service", "wordpress"]
        # (short name, what it is, its mark tag, command, environment)
        tools = [
            ("wpops", "wpops logs --follow", "wpp", follow, env),
            ("wpops-live", "wpops logs --follow --live-tail", "wpl", follow + ["--live-tail"], env),
            ("awslogs", "awslogs --watch", "awl", [os.path.join(args.venv, "bin", "awslogs"), "get", "/ecs/wordpress",
                                                   "ALL", "--watch", "--start", "1m"], dict(env, AWS_ENDPOINT_URL=endpoint)),
        ]
        wanted = args.tools.split(",")
        print(f"load average before: {open('/proc/loadavg').read().split()[:3]}")
        for short, name, tag, cmd, tool_env in tools:
            if short in wanted:
                measure(name, tag, cmd, tool_env, args, boto3, endpoint)
        print("aws logs tail --follow (AWS CLI v2): polls every 5 s by design, so ~2.5 s median, up to 5 s, "
              "before ingestion delay (not measured: the AWS CLI v1 on PyPI has no `logs tail`)")
        print(f"load average after: {open('/proc/loadavg').read().split()[:3]}")
    finally:
        sim.terminate()
        sim.wait()


if __name__ == "__main__":
    main()
