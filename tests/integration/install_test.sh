#!/usr/bin/env bash
# `cmake --install` into a DESTDIR lays out what a distribution package would hold,
# and the installed command runs from there without LD_LIBRARY_PATH.
#   install_test.sh BUILD_DIR SOURCE_ROOT
set -uo pipefail
source "$(dirname "$0")/lib.sh"
build=$1
src=$2
dest="$work/dest"

if DESTDIR="$dest" cmake --install "$build" --prefix /usr >"$work/install.log" 2>&1; then
    pass "cmake --install into DESTDIR"
else
    fail "cmake --install: $(tail -5 "$work/install.log")"
fi

exists() { if [[ -e $dest/$1 || -L $dest/$1 ]]; then pass "installed $1"; else fail "missing $1"; fi; }
for tool in "$src"/tools/*/; do
    tool=$(basename "$tool")
    exists "usr/bin/$tool"
    exists "usr/share/man/man1/$tool.1"
    exists "usr/share/bash-completion/completions/$tool"
    exists "usr/share/zsh/site-functions/_$tool"
    exists "usr/share/fish/vendor_completions.d/$tool.fish"
done
exists usr/share/man/man7/sockkit.7
for header in "$src"/lib/include/sockkit/*.hpp; do exists "usr/include/sockkit/$(basename "$header")"; done
exists usr/include/sockkit/version.hpp

lib=$(find "$dest/usr" -name 'libsockkit.so.*.*.*' -type f | head -1)
if [[ -n $lib ]]; then
    pass "shared library $(basename "$lib")"
    libdir=$(dirname "$lib")
    [[ -L $libdir/libsockkit.so.0 ]] && pass "SONAME symlink libsockkit.so.0" || fail "no libsockkit.so.0 symlink"
    [[ -L $libdir/libsockkit.so ]] && pass "development symlink libsockkit.so" || fail "no libsockkit.so symlink"
    soname=$(objdump -p "$lib" | awk '/SONAME/ {print $2}')
    expect_eq "$soname" "libsockkit.so.0" "SONAME"
else
    fail "no versioned libsockkit.so under $dest/usr"
fi

# The installed binary finds its library through its RPATH ($ORIGIN/../lib...).
out=$(env -u LD_LIBRARY_PATH "$dest/usr/bin/sk-explain" --version 2>&1)
expect_eq "$out" "sk-explain (sockkit) 0.1.0" "installed sk-explain runs from DESTDIR"
# Captured first: with pipefail, `ldd | grep -q` fails whenever grep exits before ldd
# has written everything (SIGPIPE), which made this check flaky.
links=$(ldd "$dest/usr/bin/sk-explain")
if [[ $links == *"$dest/usr/"*libsockkit.so.0* ]]; then
    pass "installed sk-explain links the installed library"
else
    fail "installed sk-explain does not use the installed library: $(grep sockkit <<<"$links")"
fi
finish
