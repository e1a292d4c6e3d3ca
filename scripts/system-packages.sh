#!/usr/bin/env bash
# Debian packages the test suite needs and pip cannot provide: the PostgreSQL server
# binaries (tests start a real server with initdb + pg_ctl). Idempotent: installs only
# what is missing; needs root or password-less sudo for apt-get.
set -euo pipefail

missing=()
if ! command -v pg_ctl >/dev/null 2>&1 && ! ls /usr/lib/postgresql/*/bin/pg_ctl >/dev/null 2>&1; then
    missing+=(postgresql)
fi
# Under root the test server runs as the `postgres` user the package creates.
if [ "$(id -u)" = 0 ] && ! id postgres >/dev/null 2>&1; then
    missing+=(postgresql)
fi
if [ ${#missing[@]} -eq 0 ]; then
    exit 0
fi
if ! command -v apt-get >/dev/null 2>&1; then
    echo "system packages missing: ${missing[*]} (no apt-get here: install them with your package manager)" >&2
    exit 1
fi
sudo=""
if [ "$(id -u)" != 0 ]; then
    sudo="sudo -n"
fi
echo "installing Debian packages: ${missing[*]}"
$sudo apt-get update -qq
DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}"
