#!/usr/bin/env bash
# Stops the dockerd started by scripts/start-test-dockerd.sh DIR, by its pid file, and waits for it to exit.
set -euo pipefail
dir="${1:-/tmp/ecom-dockerd}"
[ -f "$dir/docker.pid" ] || exit 0
pid="$(cat "$dir/docker.pid")"
kill "$pid" 2>/dev/null || exit 0
for _ in $(seq 1 100); do
  kill -0 "$pid" 2>/dev/null || exit 0
  sleep 0.1
done
kill -9 "$pid" 2>/dev/null || true
