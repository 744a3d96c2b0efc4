#!/usr/bin/env bash
# Every C++ source follows the one clang-format config at the root.
#   format_test.sh SOURCE_ROOT
set -uo pipefail
source "$(dirname "$0")/lib.sh"
cd "$1" || exit 1
formatter=$(command -v clang-format || command -v clang-format-14 || true)
if [[ -z $formatter ]]; then
    echo "skipped: clang-format is not installed"
    exit 0
fi
while IFS= read -r -d '' file; do
    if "$formatter" --dry-run -Werror "$file" >"$work/fmt" 2>&1; then
        pass "$file"
    else
        fail "$file is not clang-formatted: $(head -3 "$work/fmt")"
    fi
done < <(find lib tools tests \( -name '*.cpp' -o -name '*.hpp' \) -print0 | sort -z)
# ctest runs each doctest case by name, and doctest splits a name filter at ',' (CMake
# at ';'): a case named with either would silently run zero tests.
while IFS= read -r hit; do
    fail "test case name with ',' or ';' never runs under ctest: $hit"
done < <(grep -n 'TEST_CASE("[^"]*[,;]' tests/unit/*.cpp || true)
pass "doctest case names are safe for ctest"
finish
