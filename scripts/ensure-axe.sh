#!/usr/bin/env bash
# Makes sure axe-core (the accessibility rules engine the web's browser tests inject into each
# page) is in the cache and prints the absolute path of its axe.min.js on stdout; progress and
# errors go to stderr.
#
# It comes from the npm package axe-core@4.14.1 (`npm pack`, ~0.6 MB). Only axe.min.js is kept,
# checked against its sha256, under
#   ${STARSTATS_CACHE_DIR:-$HOME/.cache/starstats}/axe-core-4.14.1/axe.min.js
# It is extracted beside its final place and renamed into it, so a killed run never leaves a
# half-written file; a cached one costs no network. packages/web/tests/e2e/conftest.py runs
# this and reads the path it prints.
set -euo pipefail

PACKAGE=axe-core
VERSION=4.14.1
MEMBER=package/axe.min.js
SHA256=29348999450cdf2849a8e70b7912fc2da85a849da39c0d0d5394f51d4a9ed95c

cache_root="${STARSTATS_CACHE_DIR:-${HOME:?HOME is not set}/.cache/starstats}"
dir="$cache_root/$PACKAGE-$VERSION"
target="$dir/axe.min.js"

fail() {
  echo "ensure-axe: $*" >&2
  exit 1
}

if [ -s "$target" ]; then
  printf '%s/axe.min.js\n' "$(cd "$dir" && pwd -P)"
  exit 0
fi

command -v npm >/dev/null 2>&1 \
  || fail "npm is missing: install Node.js/npm (e.g. sudo apt-get install npm) to fetch $PACKAGE@$VERSION"
command -v tar >/dev/null 2>&1 || fail "tar is missing"

mkdir -p "$dir" || fail "cannot create the cache directory $dir"
# What a run killed outright (SIGKILL: no trap) left behind, once it is surely abandoned.
find "$dir" -maxdepth 1 -name '.fetch.*' -mmin +60 -exec rm -rf {} + 2>/dev/null || true
# Inside the cache directory: same file system, so the final `mv` is an atomic rename.
work="$(mktemp -d "$dir/.fetch.XXXXXX")" || fail "cannot create a temporary directory in $dir"
trap 'rm -rf "$work"' EXIT

echo "ensure-axe: fetching $PACKAGE@$VERSION from npm (~0.6 MB, once)..." >&2
# npm prints the tarball's name on stdout: keep stdout for our one line.
if ! (cd "$work" && npm pack --loglevel=error "$PACKAGE@$VERSION" >&2); then
  fail "npm pack $PACKAGE@$VERSION failed (no network or no registry access?); see npm's message above"
fi
shopt -s nullglob
tarballs=("$work"/*.tgz)
shopt -u nullglob
[ ${#tarballs[@]} -eq 1 ] || fail "npm pack produced no tarball in $work"

tar -xzf "${tarballs[0]}" -C "$work" "$MEMBER" \
  || fail "the tarball ${tarballs[0]##*/} has no $MEMBER"
rm -f "${tarballs[0]}"
actual="$(sha256sum "$work/$MEMBER" | cut -d' ' -f1)"
[ "$actual" = "$SHA256" ] \
  || fail "$MEMBER has sha256 $actual, expected $SHA256: refusing to use it"
chmod 0644 "$work/$MEMBER"
mv -f "$work/$MEMBER" "$target"
echo "ensure-axe: cached $target" >&2
printf '%s/axe.min.js\n' "$(cd "$dir" && pwd -P)"
