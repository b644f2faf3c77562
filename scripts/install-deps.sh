#!/usr/bin/env bash
# Installs what attrib needs from Debian's packages: PostgreSQL 15 with
# pg_partman, pgTAP (and pg_prove), pg_cron, Python's venv, and Chromium with
# its driver (the HTML report's test renders it headless). Safe to
# rerun: apt-get skips what is already there. Arguments name more packages
# (scripts/citus-build.sh passes what building Citus needs).
set -euo pipefail

PACKAGES=(postgresql-15 postgresql-contrib postgresql-15-partman postgresql-15-pgtap
          pgtap postgresql-15-cron python3 python3-venv python3-pip
          chromium chromium-driver "$@")

missing=()
for p in "${PACKAGES[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
[ ${#missing[@]} -eq 0 ] && exit 0

if [ ! -f /etc/debian_version ]; then
  echo "error: not a Debian machine; install by hand: ${missing[*]} (PostgreSQL 15 with pg_partman 4.7, pgTAP, pg_cron)" >&2
  exit 1
fi
SUDO=""
if [ "$(id -u)" -ne 0 ]; then
  if command -v sudo >/dev/null; then SUDO="sudo"; else
    echo "error: need root to install: ${missing[*]}; run as root: apt-get install -y ${missing[*]}" >&2
    exit 1
  fi
fi
echo "installing: ${missing[*]}" >&2
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq
$SUDO apt-get install -y -q --no-install-recommends "${missing[@]}" >&2
