#!/usr/bin/env bash
# Installs the OS packages the test suite drives: Chromium (Playwright), PostgreSQL (the second
# run of the suite), Redis (the production-profile tests), coturn (TURN tests) and nginx (the
# production topology the PostgreSQL journeys run through).
set -euo pipefail
need=()
command -v chromium >/dev/null 2>&1 || need+=(chromium)
[ -d /usr/lib/postgresql ] || need+=(postgresql)
command -v redis-server >/dev/null 2>&1 || need+=(redis-server)
command -v turnserver >/dev/null 2>&1 || need+=(coturn)
command -v npm >/dev/null 2>&1 || need+=(npm)
[ -x /usr/sbin/nginx ] || command -v nginx >/dev/null 2>&1 || need+=(nginx)
command -v pdftotext >/dev/null 2>&1 || need+=(poppler-utils)  # the admin report PDF test reads its text
if [ ${#need[@]} -gt 0 ]; then
  echo "Installing OS packages: ${need[*]}"
  SUDO=""; [ "$(id -u)" -eq 0 ] || SUDO="sudo"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null
fi
# axe-core for the accessibility checks in the Playwright tests.
# (--no-save: the committed package-lock.json is never rewritten by a test run.)
if [ ! -f node_modules/axe-core/axe.min.js ]; then
  npm install --no-save --no-audit --no-fund --loglevel=error >/dev/null
fi
