#!/usr/bin/env bash
# QUALITY.md P4: wall time of `wpops status` against the AWS CLI (v1, from PyPI) fetching the
# same facts (describe-services + list-tasks + describe-tasks) from the same `wpops sim`.
# wpops status reads more than that (stopped tasks, task definitions, target health, warm
# reports, ALB 5xx); the AWS CLI side is only the three calls, run one after the other as a
# shell user would. Measured with hyperfine (apt-get install hyperfine) if present, else with a
# Python timing loop; prints the medians and the ratio. Bar: >= 10x less wall time.
#
# Run: scripts/bench-status.sh            (cargo build --release first)
# Env: PORT=4597 RUNS=20 WPOPS=target/release/wpops VENV=/tmp/wpops-bench-venv
# Talks to 127.0.0.1 only; the simulator it starts is stopped on exit.
set -euo pipefail

cd "$(dirname "$0")/.."
PORT=${PORT:-4597}
RUNS=${RUNS:-20}
WPOPS=${WPOPS:-target/release/wpops}
VENV=${VENV:-/tmp/wpops-bench-venv}
ENDPOINT="http://127.0.0.1:${PORT}"
OUT=$(mktemp -d /tmp/wpops-bench-status.XXXXXX)

if [ ! -x "$VENV/bin/aws" ] || [ ! -x "$VENV/bin/awslogs" ]; then
  python3 -m venv "$VENV"
  "$VENV/bin/pip" install --quiet awscli awslogs
fi
[ -x "$WPOPS" ] || { echo "no $WPOPS: run cargo build --release" >&2; exit 2; }

export AWS_ACCESS_KEY_ID=ASIA123456789012DEMO AWS_SECRET_ACCESS_KEY=demo
export AWS_REGION=ap-northeast-1 AWS_DEFAULT_REGION=ap-northeast-1
export AWS_CONFIG_FILE=/dev/null AWS_SHARED_CREDENTIALS_FILE=/dev/null AWS_PAGER=""
export XDG_CONFIG_HOME="$OUT" NO_COLOR=1
unset AWS_PROFILE AWS_ENDPOINT_URL WPOPS_SITE || true

"$WPOPS" sim --listen "127.0.0.1:${PORT}" >"$OUT/sim.log" 2>&1 &
SIM=$!
trap 'kill "$SIM" 2>/dev/null || true; wait "$SIM" 2>/dev/null || true' EXIT
for _ in $(seq 1 100); do
  curl -sf "$ENDPOINT/_sim/status" >/dev/null && break
  sleep 0.1
done
curl -sf "$ENDPOINT/_sim/status" >/dev/null || { echo "the simulator did not start" >&2; exit 3; }

# The AWS CLI fetching the same facts: the service, its task ARNs, then those tasks.
cat >"$OUT/awscli.sh" <<SH
#!/usr/bin/env bash
set -e
aws() { "$VENV/bin/aws" --endpoint-url "$ENDPOINT" "\$@"; }
aws ecs describe-services --cluster wp-prod --services wordpress >/dev/null
arns=\$(aws ecs list-tasks --cluster wp-prod --service-name wordpress --query taskArns --output text)
aws ecs describe-tasks --cluster wp-prod --tasks \$arns >/dev/null
SH
chmod +x "$OUT/awscli.sh"
WPOPS_CMD="$WPOPS status --endpoint-url $ENDPOINT --cluster wp-prod --service wordpress"

# Both must work before they are timed.
"$OUT/awscli.sh"
$WPOPS_CMD >"$OUT/status.txt" || true
grep -q "wordpress" "$OUT/status.txt" || { echo "wpops status printed no service:" >&2; cat "$OUT/status.txt" >&2; exit 4; }

echo "load average before: $(cut -d' ' -f1-3 /proc/loadavg)"
if command -v hyperfine >/dev/null; then
  hyperfine --warmup 2 --runs "$RUNS" --ignore-failure --export-json "$OUT/hyperfine.json" \
    -n "wpops status" "$WPOPS_CMD" -n "aws cli (3 calls)" "$OUT/awscli.sh" >"$OUT/hyperfine.txt"
  cat "$OUT/hyperfine.txt"
  python3 - "$OUT/hyperfine.json" <<'PY'
import json, statistics, sys
r = {x["command"]: x for x in json.load(open(sys.argv[1]))["results"]}
w, a = statistics.median(r["wpops status"]["times"]), statistics.median(r["aws cli (3 calls)"]["times"])
print(f"median wall time: wpops status {w * 1000:.1f} ms; aws cli (3 calls) {a * 1000:.1f} ms; ratio {a / w:.1f}x (bar >= 10x)")
PY
else
  python3 - "$RUNS" "$OUT/awscli.sh" $WPOPS_CMD <<'PY'
import statistics, subprocess, sys, time
runs, awscli, wpops = int(sys.argv[1]), sys.argv[2], sys.argv[3:]
def med(cmd):
    ts = []
    for i in range(runs + 2):
        t = time.monotonic()
        subprocess.run(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        if i >= 2:
            ts.append(time.monotonic() - t)
    return statistics.median(ts)
w, a = med(wpops), med([awscli])
print(f"median wall time over {runs} runs: wpops status {w * 1000:.1f} ms; aws cli (3 calls) {a * 1000:.1f} ms; ratio {a / w:.1f}x (bar >= 10x)")
PY
fi
echo "load average after: $(cut -d' ' -f1-3 /proc/loadavg)"
