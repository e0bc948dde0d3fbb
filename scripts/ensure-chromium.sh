#!/usr/bin/env bash
# Installs Debian's chromium for the browser tests when it is missing and we may install packages.
# Never fails the build: without chromium the e2e tests skip with a reason.
set -u
CHROMIUM=${CHROMIUM_PATH:-/usr/bin/chromium}
[ -x "$CHROMIUM" ] && exit 0
if ! command -v apt-get >/dev/null 2>&1; then
  echo "ensure-chromium: no apt-get here; browser tests will be skipped." >&2
  exit 0
fi
SUDO=""
if [ "$(id -u)" -ne 0 ]; then
  if command -v sudo >/dev/null 2>&1 && sudo -n true 2>/dev/null; then SUDO="sudo -n"; else
    echo "ensure-chromium: not root and no passwordless sudo; browser tests will be skipped." >&2
    exit 0
  fi
fi
echo "ensure-chromium: installing Debian's chromium for the browser tests…" >&2
export DEBIAN_FRONTEND=noninteractive
if $SUDO apt-get update -qq >/dev/null 2>&1 && $SUDO apt-get install -y -qq chromium >/dev/null 2>&1; then
  echo "ensure-chromium: installed $($CHROMIUM --version 2>/dev/null)" >&2
else
  echo "ensure-chromium: could not install chromium; browser tests will be skipped." >&2
fi
exit 0
