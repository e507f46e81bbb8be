#!/usr/bin/env bash
# nginx as the http_proxy workload's peer: writes a config equivalent to the C++ proxy's defaults into the
# working directory (the harness's per-run scratch directory), then runs nginx in the foreground with that
# directory as its prefix. Never touches /etc/nginx or the Debian service.
set -euo pipefail
source "$(dirname "$0")/../../peer_support/peer_args.sh"

dir=$PWD
mkdir -p "$dir/temp"
servers=""
for upstream in "${upstreams[@]}"; do servers+="    server $upstream max_fails=0;"$'\n'; done
user_line=""
[ "$(id -u)" = 0 ] && user_line="user root root;"   # workers need the scratch directory

cat >"$dir/nginx.conf" <<CONF
$user_line
worker_processes $threads;
daemon off;
master_process on;
pid $dir/nginx.pid;
error_log stderr error;
events { worker_connections 8192; multi_accept on; }
http {
  access_log off;
  client_body_temp_path $dir/temp/body;
  proxy_temp_path $dir/temp/proxy;
  fastcgi_temp_path $dir/temp/fastcgi;
  uwsgi_temp_path $dir/temp/uwsgi;
  scgi_temp_path $dir/temp/scgi;
  keepalive_requests 1000000;
  keepalive_timeout 60s;
  client_header_timeout 10s;
  client_body_timeout 10s;
  large_client_header_buffers 4 16k;
  upstream origin {
$servers    keepalive 1024;
    keepalive_requests 1000000;
  }
  server {
    listen $listen_host:$listen_port backlog=4096;
    location / {
      proxy_pass http://origin;
      proxy_http_version 1.1;
      proxy_set_header Connection "";
      proxy_set_header Host \$http_host;
      proxy_set_header X-Forwarded-For \$proxy_add_x_forwarded_for;
      proxy_buffering off;
      proxy_request_buffering off;
      proxy_connect_timeout 3s;
      proxy_read_timeout 30s;
      proxy_send_timeout 30s;
    }
  }
}
CONF
mark_ready_when_listening
exec nginx -p "$dir" -c "$dir/nginx.conf" -e stderr
