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
# The public layers' headers are installed; the internal ones (CLI11 and nlohmann-json
# glue, private text helpers) are not, and no installed header includes those libraries.
for layer in base output kernel knowledge diagnosis probing; do
    for header in "$src/lib/$layer/include/sockkit/"*.hpp; do
        exists "usr/include/sockkit/$(basename "$header")"
    done
done
exists usr/include/sockkit/version.hpp
for internal in cli.hpp cli_fwd.hpp json.hpp text.hpp; do
    if [[ -e $dest/usr/include/sockkit/$internal ]]; then
        fail "internal header $internal installed"
    else
        pass "internal header $internal not installed"
    fi
done
leaks=$(grep -l '#include <\(CLI\|nlohmann\)/' "$dest"/usr/include/sockkit/*.hpp)
expect_eq "$leaks" "" "no installed header includes CLI11 or nlohmann-json"

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

out=$(env -u LD_LIBRARY_PATH "$dest/usr/bin/sk-explain" --version 2>&1)
expect_eq "$out" "sk-explain (sockkit) $(sed -n 's/^project(sockkit VERSION \([0-9.]*\).*/\1/p' "$src/CMakeLists.txt")" \
    "installed sk-explain runs from DESTDIR"

# The commands link the library layers they use statically: none loads libsockkit.so
# or libnl, and a command loads only the shared libraries it calls (--as-needed).
# Captured first: with pipefail, `ldd | grep -q` fails whenever grep exits early.
for tool in sk-states sk-probe sk-ping sk-echo sk-explain; do
    links=$(ldd "$dest/usr/bin/$tool")
    loaded=$(awk '/=>/ {print $1}' <<<"$links" | sort | tr '\n' ' ')
    if [[ $links == *libnl* || $links == *libsockkit* ]]; then
        fail "$tool loads libnl or libsockkit: $loaded"
    else
        pass "$tool loads neither libnl nor libsockkit ($loaded)"
    fi
done
# The layering, seen in the binaries: the knowledge base's command has no kernel reader
# in it, and only sk-states carries the diagnosis.
symbols=$(nm -C "$dest/usr/bin/sk-explain")
[[ $symbols != *"sockkit::SockDiag"* ]] && pass "sk-explain holds no sock_diag reader" ||
    fail "sk-explain links the kernel layer"
for tool in sk-probe sk-ping sk-echo sk-explain; do
    symbols=$(nm -C "$dest/usr/bin/$tool")
    [[ $symbols != *"sockkit::diagnose"* ]] && pass "$tool holds no diagnosis" ||
        fail "$tool links the diagnosis layer"
done

# The shared library exports what the public headers declare and nothing of CLI11 or
# nlohmann-json (everything else is hidden).
if [[ -n $lib ]]; then
    exported=$(nm -D --defined-only -C "$lib")
    [[ $exported == *"sockkit::Fd::reset"* ]] && pass "libsockkit.so exports the public API" ||
        fail "libsockkit.so does not export sockkit::Fd::reset"
    leaked=$(grep -E ' (CLI::|nlohmann::)' <<<"$exported" | head -3)
    expect_eq "$leaked" "" "libsockkit.so exports no CLI11 or nlohmann symbol"
    private=$(grep -c 'sockkit::detail::' <<<"$exported")
    expect_eq "$private" "0" "libsockkit.so keeps sockkit::detail hidden"
fi

# Another program finds the installed library with find_package(sockkit) and runs
# against it: the package config, the exported target and the headers work together.
consumer="$work/consumer"
mkdir -p "$consumer"
cat >"$consumer/CMakeLists.txt" <<'CMAKE'
cmake_minimum_required(VERSION 3.25)
project(consumer LANGUAGES CXX)
set(CMAKE_CXX_STANDARD 20)
find_package(sockkit REQUIRED)
add_executable(consumer main.cpp)
target_link_libraries(consumer PRIVATE sockkit::sockkit)
CMAKE
cat >"$consumer/main.cpp" <<'CPP'
#include <cstdio>
#include <string>

#include <sockkit/ports.hpp>
#include <sockkit/tcp_state.hpp>
#include <sockkit/version.hpp>

int main() {
  auto port = sockkit::parse_port("8080");
  std::string state(sockkit::tcp_state_name(sockkit::TcpState::close_wait));
  std::printf("%s %u %s\n", std::string(sockkit::library_version()).c_str(),
              static_cast<unsigned>(port), state.c_str());
  return 0;
}
CPP
# A sanitizer build's library needs its runtime first in the program, as the
# commands have it.
consumer_flags=()
if [[ -n $lib && $(ldd "$lib") == *libasan* ]]; then
    consumer_flags=(-DCMAKE_CXX_FLAGS="-fsanitize=address,undefined")
fi
if cmake -S "$consumer" -B "$consumer/build" -G Ninja -DCMAKE_PREFIX_PATH="$dest/usr" \
        "${consumer_flags[@]}" >"$work/consumer.log" 2>&1 &&
    cmake --build "$consumer/build" >>"$work/consumer.log" 2>&1; then
    pass "a program builds with find_package(sockkit)"
    out=$(LD_LIBRARY_PATH="$(dirname "${lib:-/nonexistent}")" "$consumer/build/consumer" 2>&1)
    want="$(sed -n 's/^project(sockkit VERSION \([0-9.]*\).*/\1/p' "$src/CMakeLists.txt") 8080 CLOSE_WAIT"
    expect_eq "$out" "$want" "the program runs against the installed libsockkit.so"
else
    fail "find_package(sockkit) consumer: $(tail -5 "$work/consumer.log")"
fi
finish
