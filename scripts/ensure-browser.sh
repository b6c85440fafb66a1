#!/usr/bin/env bash
# Installs Debian's Chromium (browser tests) and Pango (WeasyPrint, invoice PDFs) when missing and this
# user may install them.
# Without it (a machine where we are not root), the browser tests skip locally and fail under CI=true.
set -u
for b in /usr/bin/chromium /usr/bin/chromium-browser; do
  [ -x "$b" ] && exit 0
done
if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
  echo "Installing Debian's chromium for the browser tests..."
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq >/dev/null 2>&1
  apt-get install -y -qq --no-install-recommends chromium fonts-dejavu-core \
    libpango-1.0-0 libpangoft2-1.0-0 >/dev/null 2>&1 \
    && { echo "chromium installed"; exit 0; }
  echo "warning: could not install chromium; browser tests will not run" >&2
else
  echo "note: chromium is not installed (sudo apt-get install chromium); browser tests will skip" >&2
fi
exit 0
