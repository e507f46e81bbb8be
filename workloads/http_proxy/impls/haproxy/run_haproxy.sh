#!/usr/bin/env bash
# HAProxy as the http_proxy workload's peer: writes a config equivalent to the C++ proxy's defaults into the
# working directory (the harness's per-run scratch directory) and runs HAProxy in the foreground (-db).
set -euo pipefail
source "$(dirname "$0")/../../peer_support/peer_args.sh"

servers=""
i=0
for upstream in "${upstreams[@]}"; do servers+="  server origin$i $upstream"$'\n'; i=$((i + 1)); done

cat >"$PWD/haproxy.cfg" <<CONF
global
  nbthread $threads
  maxconn 8000
defaults
  mode http
  option http-keep-alive
  option forwardfor
  http-reuse always
  timeout connect 3s
  timeout client 60s
  timeout server 30s
  timeout http-request 10s
  timeout http-keep-alive 60s
frontend proxy
  bind $listen_host:$listen_port
  default_backend origins
backend origins
  balance roundrobin
$servers
CONF
mark_ready_when_listening
# -W: master-worker mode, so that SIGTERM from the harness ends it with status 0 (plain -db dies by the signal).
exec haproxy -W -db -f "$PWD/haproxy.cfg"
