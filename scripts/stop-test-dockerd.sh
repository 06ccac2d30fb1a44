#!/usr/bin/env bash
# Stops the dockerd started by scripts/start-test-dockerd.sh DIR, by its pid file, and waits for it to exit; then
# unmounts what the engine left mounted under DIR (a network namespace of swarm's at exec/netns/...), so the caller
# can remove DIR.
set -euo pipefail
dir="${1:-/tmp/ecom-dockerd}"
if [ -f "$dir/docker.pid" ]; then
  pid="$(cat "$dir/docker.pid")"
  if kill "$pid" 2>/dev/null; then
    for _ in $(seq 1 100); do
      kill -0 "$pid" 2>/dev/null || break
      sleep 0.1
    done
    kill -9 "$pid" 2>/dev/null || true
  fi
fi
awk -v dir="$dir/" 'index($2, dir) == 1 { print $2 }' /proc/mounts | sort -r | while read -r mnt; do
  umount -l "$mnt" 2>/dev/null || true
done
