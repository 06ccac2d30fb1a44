#!/usr/bin/env bash
# Starts a private dockerd for ecom's docker tests: its own socket, data-root, exec-root and pid file under DIR,
# addresses from the benchmarking range 198.18.0.0/15 (never the private ranges), and waits until it answers.
# Prints `export ECOM_TEST_DOCKER_HOST=unix://DIR/docker.sock`. Stop it with scripts/stop-test-dockerd.sh DIR.
# On cgroup v1, containers' cgroups go directly under the root (--cgroup-parent /), swarm tasks' included: under the engine's one
# /docker group the CPU scheduler would weigh all containers together like a single host process, so on a shared,
# busy machine (CI, benchmarks) they would be starved next to the process runtime's processes.
# Usage: scripts/start-test-dockerd.sh [DIR]   (default /tmp/ecom-dockerd)
set -euo pipefail
dir="${1:-/tmp/ecom-dockerd}"
mkdir -p "$dir"
if [ -f "$dir/docker.pid" ] && kill -0 "$(cat "$dir/docker.pid")" 2>/dev/null; then
  echo "export ECOM_TEST_DOCKER_HOST=unix://$dir/docker.sock"
  exit 0
fi
command -v dockerd >/dev/null || { echo "dockerd not installed (apt-get install -y docker.io)" >&2; exit 1; }
# cgroup v1 (where the engine's default driver is cgroupfs): containers directly under the root, see above.
cgroup_parent=()
[ -d /sys/fs/cgroup/cpu ] && [ ! -f /sys/fs/cgroup/cgroup.controllers ] && cgroup_parent=(--cgroup-parent /)
dockerd --host "unix://$dir/docker.sock" --data-root "$dir/data" --exec-root "$dir/exec" --pidfile "$dir/docker.pid" \
  --bip 198.18.255.1/24 --default-address-pool base=198.18.0.0/17,size=24 --userland-proxy=false "${cgroup_parent[@]}" \
  >"$dir/dockerd.log" 2>&1 &
for _ in $(seq 1 150); do
  if docker -H "unix://$dir/docker.sock" info >/dev/null 2>&1; then
    echo "export ECOM_TEST_DOCKER_HOST=unix://$dir/docker.sock"
    exit 0
  fi
  sleep 0.1
done
echo "dockerd did not answer within 15 s; its log ends:" >&2
tail -n 20 "$dir/dockerd.log" >&2
exit 1
