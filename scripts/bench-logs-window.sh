#!/usr/bin/env bash
# Issue 11 §5: a 1-hour window of the `large` scenario's logs (150 tasks, 400 req/s, the whole
# hour held as log lines) fetched by `wpops logs`, the AWS CLI's `aws logs filter-log-events`
# (its own paging) and awslogs, from one paused `wpops sim`: wall time, peak memory, lines and
# the requests each used. Needs the release binary, the AWS CLI and awslogs on PATH (or
# AWSLOGS=/path/to/awslogs).
#   cargo build --release && scripts/bench-logs-window.sh
set -euo pipefail
cd "$(dirname "$0")/.."
BIN=target/release/wpops
PORT=${PORT:-4599}
URL=http://127.0.0.1:$PORT
AWSLOGS=${AWSLOGS:-awslogs}
out=$(mktemp -d)
sed 's/^log_history_minutes = .*/log_history_minutes = 60/; s/^name = "large"/name = "large-1h"/' \
  assets/scenarios/large.toml >"$out/large-1h.toml"
if ! curl -sf "$URL/_sim/status" >/dev/null; then
  "$BIN" sim --scenario "$out/large-1h.toml" --listen "127.0.0.1:$PORT" >"$out/sim.log" 2>&1 &
  until curl -sf "$URL/_sim/status" >/dev/null; do sleep 1; done
fi
# The simulator builds a region's world on its first request (an hour of 150 tasks' lines takes
# a while): build it before anything is timed.
for _ in $(seq 60); do
  "$BIN" --endpoint-url "$URL" --region ap-northeast-1 --cluster wp-prod --service wordpress status >/dev/null 2>&1 \
    && break || [ $? -eq 1 ] && break
  sleep 2
done
curl -sf -X POST "$URL/_sim/pause" >/dev/null
now=$(curl -s "$URL/_sim/status" | python3 -c "import json,sys;print(json.load(sys.stdin)['now_ms'])")
from=$((now - 3600000))
iso() { python3 -c "import datetime,sys;print(datetime.datetime.fromtimestamp(int(sys.argv[1])/1000,datetime.timezone.utc).strftime('%Y-%m-%dT%H:%M:%SZ'))" "$1"; }
F=$(iso "$from"); T=$(iso "$now")
export AWS_ACCESS_KEY_ID=ASIA123456789012TEST AWS_SECRET_ACCESS_KEY=bench AWS_DEFAULT_REGION=ap-northeast-1 \
  AWS_REGION=ap-northeast-1 AWS_CONFIG_FILE=/dev/null AWS_SHARED_CREDENTIALS_FILE=/dev/null
run() {
  local name=$1; shift
  curl -sf -X POST "$URL/_sim/requests/reset" >/dev/null
  /usr/bin/time -f "%e %M" -o "$out/$name.time" "$@" >"$out/$name.out" 2>"$out/$name.err" || true
  local reqs; reqs=$(curl -s "$URL/_sim/requests" | python3 -c "import json,sys;print(json.load(sys.stdin)['total'])")
  read -r secs kb <"$out/$name.time"
  printf '| %s | %s s | %s MiB | %s | %s |\n' "$name" "$secs" "$((kb / 1024))" "$(wc -l <"$out/$name.out")" "$reqs"
}
echo "window $F to $T"
if [ -z "${CONSOLE_ONLY:-}" ]; then
echo "| tool | wall | peak RSS | lines | requests |"
echo "|---|---|---|---|---|"
run wpops "$BIN" --endpoint-url "$URL" --region ap-northeast-1 --cluster wp-prod --service wordpress \
  logs --since "$F" --until "$T"
run aws-cli aws --endpoint-url "$URL" logs filter-log-events --log-group-name /ecs/wordpress \
  --start-time "$from" --end-time "$now" --output text --query 'events[].[timestamp,logStreamName,message]'
run awslogs "$AWSLOGS" get /ecs/wordpress ALL -s "$F" -e "$T" --aws-endpoint-url "$URL" --aws-region ap-northeast-1
fi
# The console on the same window (CONSOLE_ONLY=1 runs this alone): the time until its newest slice is on screen and until the
# window is loaded (as far as its 32 MiB view holds), from its log file; its peak memory.
tmux kill-session -t wpops-bench 2>/dev/null || true
curl -sf -X POST "$URL/_sim/requests/reset" >/dev/null
start=$(date +%s%N)
tmux new-session -d -s wpops-bench -x 160 -y 48 "$BIN --endpoint-url $URL --region ap-northeast-1 --cluster wp-prod --service wordpress --from $F --to $T --log-file $out/console.log"
for _ in $(seq 600); do grep -q "window lines loaded" "$out/console.log" 2>/dev/null && break; sleep 0.5; done
pid=$(pgrep -f -- "^$BIN .*--log-file $out/console.log" | head -1)
hwm=$(awk '/VmHWM/ {print int($2/1024)}' "/proc/$pid/status")
reqs=$(curl -s "$URL/_sim/requests" | python3 -c "import json,sys;print(json.load(sys.stdin)['total'])")
tmux kill-session -t wpops-bench
first=$(grep "first slice" "$out/console.log" | sed 's/.*ms=\([0-9]*\).*/\1/' | head -1)
done_line=$(grep "window lines loaded" "$out/console.log" | tail -1)
echo "console: first slice after ${first:-?} ms; $(echo "$done_line" | sed 's/.*ms=/loaded after ms=/') ; peak RSS ${hwm} MiB; ${reqs} requests in all (every feed) since start $(( ($(date +%s%N) - start) / 1000000 )) ms ago"
