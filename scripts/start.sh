#!/usr/bin/env bash
# `npm start`: from a fresh clone to a running cluster with a short overload against it.
# Installs nginx/redis-server when missing (apt-get, as root), the npm dependencies, builds, starts the cluster
# detached, seeds a sample catalogue and runs a short mixed load test. The cluster keeps running afterwards.
set -euo pipefail
cd "$(dirname "$0")/.."

bash scripts/install-system-deps.sh
if [ ! -f node_modules/.package-lock.json ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
  echo "installing npm dependencies (better-sqlite3 builds from source; this takes a minute the first time)..."
  npm ci --no-audit --no-fund
fi
npm run --silent build

if node bin/ecom status >/dev/null 2>&1; then
  echo "a cluster is already running for this state dir; using it"
else
  node bin/ecom up -d
fi
node bin/ecom seed --products 200 --users 10
node bin/ecom overload --request_count 3000 --concurrency 32 --scenario mix
cat <<'MSG'

The cluster keeps running. Try:
  ./bin/ecom status                 every process, pid, port, health
  ./bin/ecom overload --request_count 20000 --scenario product
  ./bin/ecom logs -f                the cluster's logs
  ./bin/ecom down                   stop everything
MSG
