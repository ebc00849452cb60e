#!/usr/bin/env bash
# Prints the path of a usable `uv`, installing it from PyPI for this user when missing.
# Works on a fresh Debian/Ubuntu with Python >= 3.11 (PEP 668 systems included).
set -euo pipefail
if command -v uv >/dev/null 2>&1; then command -v uv; exit 0; fi
for candidate in "$HOME/.local/bin/uv" "$PWD/.tools/bin/uv"; do
  if [ -x "$candidate" ]; then echo "$candidate"; exit 0; fi
done
# pip first (PyPI is reachable even where nothing else is), then a venv, then uv's installer.
python3 -m pip install --quiet --user uv >/dev/null 2>&1 \
  || python3 -m pip install --quiet --user --break-system-packages uv >/dev/null 2>&1 \
  || { python3 -m venv .tools >/dev/null 2>&1 && .tools/bin/pip install --quiet uv >/dev/null; } \
  || { command -v curl >/dev/null && curl -LsSf https://astral.sh/uv/install.sh | sh >/dev/null 2>&1; } \
  || true
for candidate in "$HOME/.local/bin/uv" "$HOME/.cargo/bin/uv" "$PWD/.tools/bin/uv"; do
  if [ -x "$candidate" ]; then echo "$candidate"; exit 0; fi
done
echo "could not install uv (tried pip --user, a venv in .tools and the uv installer);" \
  "install python3-pip or python3-venv and retry" >&2
exit 1
