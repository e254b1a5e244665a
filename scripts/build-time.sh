#!/usr/bin/env bash
# QUALITY.md P9: a newcomer's first run — wall time of a clean `cargo build --release --locked`
# in a fresh target directory (the registry sources already downloaded, as after `cargo fetch`).
# Prints the wall time, the core count and the load average before and after (other builds on
# the machine make the figure worse, not better). Bar: <= 8 min on 2 cores.
#
# Run: scripts/build-time.sh   (takes several minutes; the fresh target dir is removed after)
# Env: BUILD_TARGET_DIR=/tmp/wpops-build-time-target JOBS=<cargo -j, default all cores>
set -euo pipefail

cd "$(dirname "$0")/.."
DIR=${BUILD_TARGET_DIR:-/tmp/wpops-build-time-target}
rm -rf "$DIR"
cargo fetch --locked >/dev/null
echo "cores: $(nproc); load average before: $(cut -d' ' -f1-3 /proc/loadavg)"
start=$(date +%s.%N)
CARGO_TARGET_DIR="$DIR" cargo build --release --locked ${JOBS:+-j "$JOBS"} 2>"$DIR.log" || {
  tail -20 "$DIR.log" >&2
  exit 1
}
end=$(date +%s.%N)
echo "load average after: $(cut -d' ' -f1-3 /proc/loadavg)"
python3 -c "import sys; s = float(sys.argv[2]) - float(sys.argv[1]); print(f'clean cargo build --release --locked: {s:.0f} s ({s / 60:.1f} min); bar <= 8 min')" "$start" "$end"
echo "crates compiled: $(grep -c '^ *Compiling' "$DIR.log")"
rm -rf "$DIR" "$DIR.log"
