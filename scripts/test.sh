#!/usr/bin/env bash
# Set up everything the tests need on a fresh Debian machine, then run them.
# System packages: chromium (Datasette smoke test), redis-server (distributed crawl tests),
# antiword and LibreOffice Writer (legacy .doc/.wps reports), fonts-wqy-zenhei + libgl1 (OCR tests).
set -euo pipefail
cd "$(dirname "$0")/.."
need=()
command -v chromium >/dev/null 2>&1 || need+=(chromium)
command -v chromedriver >/dev/null 2>&1 || need+=(chromium-driver)          # the browser tests drive it
command -v redis-server >/dev/null 2>&1 || need+=(redis-server)
command -v antiword >/dev/null 2>&1 || need+=(antiword)
command -v soffice >/dev/null 2>&1 || need+=(libreoffice-writer-nogui)   # legacy .doc attachments
# CJK glyphs for the browser tests and chromium's renders of report pages (OCR fixtures);
# OpenCV (OCR) links libGL
fc-list :lang=zh 2>/dev/null | grep -q . || need+=(fonts-wqy-zenhei)
ldconfig -p 2>/dev/null | grep -q 'libGL.so.1' || need+=(libgl1 libglib2.0-0)
if [ ${#need[@]} -gt 0 ]; then
  if [ "$(id -u)" = 0 ]; then
    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${need[@]}" >/dev/null
  else
    echo "scripts/test.sh: missing ${need[*]} (install them with apt-get as root); tests that need them are skipped" >&2
  fi
fi
[ -x .venv/bin/python ] || python3 -m venv .venv
.venv/bin/pip install -q -e '.[test]'
.venv/bin/ruff check .   # lint first: a finding fails CI before the 7-minute suite
.venv/bin/mypy           # types of parsers/ and storage/ (pyproject.toml [tool.mypy])
exec .venv/bin/pytest "$@"
