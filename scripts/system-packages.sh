#!/usr/bin/env bash
# Debian packages pip cannot provide. Idempotent: installs only what is missing; needs
# root or password-less sudo for apt-get.
#   scripts/system-packages.sh run    the nightly run: fonts-noto-cjk (the report's Chinese)
#   scripts/system-packages.sh test   the test suite: also the PostgreSQL server binaries
#                                     (tests start a real server with initdb + pg_ctl) and
#                                     chromium (the report is tested in a real browser)
set -euo pipefail
mode="${1:-test}"

missing=()
# The report subsets Noto Sans CJK SC (src/hrss_warehouse/report/font.py).
if [ -z "${HRSS_REPORT_FONT:-}" ] && ! ls /usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc >/dev/null 2>&1; then
    missing+=(fonts-noto-cjk)
fi
if [ "$mode" = test ]; then
    if ! command -v pg_ctl >/dev/null 2>&1 && ! ls /usr/lib/postgresql/*/bin/pg_ctl >/dev/null 2>&1; then
        missing+=(postgresql)
    # Under root the test server runs as the `postgres` user the package creates.
    elif [ "$(id -u)" = 0 ] && ! id postgres >/dev/null 2>&1; then
        missing+=(postgresql)
    fi
    if ! command -v chromium >/dev/null 2>&1; then
        missing+=(chromium)
    fi
fi
if [ ${#missing[@]} -eq 0 ]; then
    exit 0
fi
# The nightly run needs none of them: without the font the report is written with the
# reader's own CJK font and no PNG charts (report/font.py), and the run says so. So in
# `run` mode a package that cannot be installed is a warning; the tests need them all.
cannot() {
    if [ "$mode" = run ]; then
        echo "warning: $1; the report will use the reader's own CJK font and skip PNG charts" >&2
        exit 0
    fi
    echo "system packages missing: ${missing[*]} ($1)" >&2
    exit 1
}
if ! command -v apt-get >/dev/null 2>&1; then
    cannot "no apt-get here: install ${missing[*]} with your package manager"
fi
sudo=""
if [ "$(id -u)" != 0 ]; then
    sudo="sudo -n"
fi
echo "installing Debian packages: ${missing[*]}"
if ! { $sudo apt-get update -qq &&
    DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}"; }; then
    cannot "could not install ${missing[*]} (needs root or password-less sudo)"
fi
