#!/usr/bin/env bash
# Installs the Debian/Ubuntu packages ecom runs and tests against, when missing:
# redis-server, nginx with its Lua module (the reload-free balancer), wrk (benchmarks), prometheus
# (the optional metrics server, and promtool for checks), chromium (headless, for the HTML report test) and
# docker.io (the docker runtime; its tests start their own dockerd, never the system service) and docker-compose
# (v1: the exported compose file's check).
# As root it runs apt-get; otherwise it prints the exact command and fails.
# Package installs never start the distribution's own nginx/redis services: ecom runs its own.
set -euo pipefail

declare -A provides=([redis-server]=redis-server [nginx]=nginx [wrk]=wrk [promtool]=prometheus [chromium]=chromium [dockerd]=docker.io [docker-compose]=docker-compose)
missing=()
for cmd in redis-server nginx wrk promtool chromium dockerd docker-compose; do
  command -v "$cmd" >/dev/null 2>&1 || missing+=("${provides[$cmd]}")
done
# The Lua module and lua-resty-core are files, not commands.
[ -e /usr/lib/nginx/modules/ngx_http_lua_module.so ] || missing+=(libnginx-mod-http-lua)
[ -d /usr/share/lua/5.1/resty/core ] || missing+=(lua-resty-core)
[ ${#missing[@]} -eq 0 ] && exit 0

if [ "$(id -u)" -ne 0 ]; then
  echo "ecom needs: ${missing[*]}. Install them with:" >&2
  echo "  sudo apt-get update && sudo apt-get install -y --no-install-recommends ${missing[*]}" >&2
  exit 1
fi

echo "installing ${missing[*]} (apt-get)..."
# Keep apt from starting the system nginx/redis/prometheus/docker services on install.
policy=/usr/sbin/policy-rc.d
created_policy=0
if [ ! -e "$policy" ]; then
  printf '#!/bin/sh\nexit 101\n' > "$policy" && chmod +x "$policy" && created_policy=1
fi
trap '[ "$created_policy" = 1 ] && rm -f "$policy"' EXIT
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
echo "installed ${missing[*]}"
