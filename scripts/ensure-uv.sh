#!/usr/bin/env bash
# Prints the path of a usable `uv`, installing it from PyPI for this user when missing.
# Works on a fresh Debian/Ubuntu with Python >= 3.11 (PEP 668 systems included).
set -euo pipefail
if command -v uv >/dev/null 2>&1; then command -v uv; exit 0; fi
for candidate in "$HOME/.local/bin/uv" "$PWD/.tools/bin/uv"; do
  if [ -x "$candidate" ]; then echo "$candidate"; exit 0; fi
done
python3 -m pip install --quiet --user uv >/dev/null 2>&1 \
  || python3 -m pip install --quiet --user --break-system-packages uv >/dev/null 2>&1 \
  || { python3 -m venv .tools >/dev/null && .tools/bin/pip install --quiet uv >/dev/null; }
for candidate in "$HOME/.local/bin/uv" "$PWD/.tools/bin/uv"; do
  if [ -x "$candidate" ]; then echo "$candidate"; exit 0; fi
done
echo "could not install uv (tried pip --user and a venv in .tools)" >&2
exit 1
