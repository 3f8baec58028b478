#!/usr/bin/env bash
# Container health check without curl (the aspnet image has none): GET /health/ready on the app's port,
# healthy only on HTTP 200. Usage: healthcheck [path] [port]
set -euo pipefail
path=${1:-/health/ready}
port=${2:-8080}
exec 3<>"/dev/tcp/127.0.0.1/$port"
printf 'GET %s HTTP/1.0\r\nHost: localhost\r\nConnection: close\r\n\r\n' "$path" >&3
IFS= read -r -t 3 status <&3
[[ $status == HTTP/1.[01]\ 200* ]]
