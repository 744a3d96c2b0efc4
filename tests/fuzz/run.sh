#!/usr/bin/env bash
# Builds the libFuzzer targets in build-fuzz (clang-14, -DSOCKKIT_FUZZ=ON) and runs each
# for a while over a copy of its seed corpus and past crash inputs.
#   tests/fuzz/run.sh [--seconds N] [--jobs J] [--target NAME]... [--smoke] [--build-only]
#     --seconds N   run each target N seconds (default 60)
#     --jobs J      run J targets at a time (default 1; the build uses every core)
#     --target NAME only this target (repeatable); default: every tests/fuzz/*_fuzz.cpp
#     --smoke       5 seconds per target: a check a normal CI run can afford
#     --build-only  build the targets and stop
# New inputs go to build-fuzz/corpus-work/NAME (kept between runs, never into git; see
# README.md to merge them into the seed corpus), logs to build-fuzz/logs/NAME.log.
# Prints one line per target: executions, exec/s, seconds, corpus size (inputs/bytes, as
# libFuzzer last reported it) and crashes. A crash (or sanitizer report, leak, timeout,
# out-of-memory) saves its input as tests/fuzz/regressions/NAME/<kind>-<sha1> with a note
# <input>.md on how to reproduce it, and makes the script exit 1.
# Run it niced on a shared machine: nice -n 19 tests/fuzz/run.sh
set -euo pipefail

seconds=60
jobs=1
targets=()
build_only=false
usage() {
    sed -n '4,9p' "$0" | sed 's/^# \{0,1\}//' >&2
    exit 2
}
while (($# > 0)); do
    case $1 in
        --seconds) seconds=${2:?}; shift 2 ;;
        --jobs) jobs=${2:?}; shift 2 ;;
        --target) targets+=("${2:?}"); shift 2 ;;
        --smoke) seconds=5; shift ;;
        --build-only) build_only=true; shift ;;
        -h | --help) usage ;;
        *) echo "run.sh: unknown argument $1" >&2; usage ;;
    esac
done
[[ $seconds =~ ^[1-9][0-9]*$ ]] || { echo "run.sh: --seconds takes a whole number above 0" >&2; exit 2; }
[[ $jobs =~ ^[1-9][0-9]*$ ]] || { echo "run.sh: --jobs takes a whole number above 0" >&2; exit 2; }

here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
build=$root/build-fuzz

if ((${#targets[@]} == 0)); then
    for file in "$here"/*_fuzz.cpp; do
        name=$(basename "$file" _fuzz.cpp)
        targets+=("$name")
    done
fi
for name in "${targets[@]}"; do
    if [[ ! -f $here/${name}_fuzz.cpp ]]; then
        echo "run.sh: no target \"$name\" (no tests/fuzz/${name}_fuzz.cpp)" >&2
        exit 2
    fi
done

for tool in clang-14 clang++-14; do
    command -v "$tool" >/dev/null || { echo "run.sh: $tool is missing (apt-get install clang-14 libclang-rt-14-dev)" >&2; exit 2; }
done
if [[ ! -f $build/build.ninja ]]; then
    # Line tables only (-g1): enough for the sanitizers' reports, and faster to build.
    CC=clang-14 CXX=clang++-14 cmake -S "$root" -B "$build" -G Ninja -DSOCKKIT_FUZZ=ON \
        -DCMAKE_BUILD_TYPE=RelWithDebInfo -DCMAKE_CXX_FLAGS_RELWITHDEBINFO="-O2 -g1 -DNDEBUG" \
        >/dev/null
elif ! grep -q '^SOCKKIT_FUZZ:BOOL=ON' "$build/CMakeCache.txt"; then
    echo "run.sh: $build is not a SOCKKIT_FUZZ=ON build; remove it" >&2
    exit 2
fi
# --jobs is how many fuzzers run at once; the build uses every core.
cmake --build "$build" --parallel "$(nproc)" --target "${targets[@]/%/_fuzz}" >&2
$build_only && exit 0

mkdir -p "$build/logs"

# run_target NAME: one fuzzing session; its summary goes to build-fuzz/logs/NAME.result.
run_target() {
    local name=$1
    local work=$build/corpus-work/$name
    local seeds=$build/corpus-seeds/$name
    local artifacts=$build/artifacts/$name
    local log=$build/logs/$name.log
    mkdir -p "$work" "$artifacts"
    rm -rf "$seeds"
    mkdir -p "$seeds"
    # A copy of the seeds and of every past crash input (notes left out): libFuzzer
    # writes only into the first directory, build-fuzz/corpus-work/NAME.
    cp "$here/corpus/$name"/* "$seeds/" 2>/dev/null || true
    if [[ -d $here/regressions/$name ]]; then
        find "$here/regressions/$name" -maxdepth 1 -type f ! -name '*.md' ! -name '.*' \
            -exec cp {} "$seeds/" \;
    fi
    local dict=()
    [[ -f $here/dict/$name.dict ]] && dict=("-dict=$here/dict/$name.dict")
    local start end rc=0
    start=$(date +%s%N)
    "$build/fuzz/${name}_fuzz" -max_total_time="$seconds" -timeout=10 -rss_limit_mb=2048 \
        -print_final_stats=1 -artifact_prefix="$artifacts/" "${dict[@]}" \
        "$work" "$seeds" >"$log" 2>&1 || rc=$?
    end=$(date +%s%N)

    local execs rate corpus crashes=0 found=()
    execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -1)
    rate=$(sed -n 's/^stat::average_exec_per_sec: *//p' "$log" | tail -1)
    corpus=$(grep -oE 'corp: [0-9]+/[0-9]+[KM]?b' "$log" | tail -1 | cut -d' ' -f2 || true)
    mapfile -t found < <(find "$artifacts" -type f -newer "$log.start" 2>/dev/null | sort)
    if ((rc != 0 || ${#found[@]} > 0)); then
        crashes=$((${#found[@]} > 0 ? ${#found[@]} : 1))
        local dest=$here/regressions/$name
        mkdir -p "$dest"
        local input saved
        for input in "${found[@]}"; do
            saved=$dest/$(basename "$input")
            cp "$input" "$saved"
            {
                echo "# $(basename "$input")"
                echo
                echo "Found by tests/fuzz/run.sh ($name, $(date -u +%Y-%m-%dT%H:%MZ))."
                echo "Reproduce under libFuzzer (ASan + UBSan):"
                echo
                echo "    tests/fuzz/run.sh --target $name --seconds 1   # builds build-fuzz"
                echo "    build-fuzz/fuzz/${name}_fuzz tests/fuzz/regressions/$name/$(basename "$input")"
                echo
                echo "or in any normal build: ctest -R 'fuzz-replay: $name' --output-on-failure"
                echo "(the replay test runs every input in this directory)."
                echo
                echo "Report:"
                echo
                grep -E 'ERROR:|property broken|runtime error|#[0-9]+ 0x' "$log" | head -20 |
                    sed 's/^/    /'
            } >"$saved.md"
        done
        if ((${#found[@]} > 0)); then
            echo "$name: CRASH, see $log; input saved in tests/fuzz/regressions/$name/" >&2
        else
            echo "$name: the fuzzer failed (exit $rc) without saving an input; see $log" >&2
        fi
    fi
    printf '%s %s %s %s %s %s\n' "$name" "${execs:-?}" "${rate:-?}" \
        "$(awk -v ns=$((end - start)) 'BEGIN { printf "%.1f", ns / 1e9 }')" "${corpus:-?}" \
        "$crashes" >"$build/logs/$name.result"
}

running=0
for name in "${targets[@]}"; do
    rm -f "$build/logs/$name.result"
    touch "$build/logs/$name.log.start"
    echo "fuzzing $name for ${seconds}s..." >&2
    run_target "$name" &
    running=$((running + 1))
    if ((running >= jobs)); then
        wait -n || true
        running=$((running - 1))
    fi
done
wait || true

status=0
printf '%-16s %12s %9s %8s %14s %8s\n' target executions exec/s seconds corpus crashes
for name in "${targets[@]}"; do
    if [[ ! -f $build/logs/$name.result ]]; then
        printf '%-16s %12s %9s %8s %14s %8s\n' "$name" - - - - "error"
        status=1
        continue
    fi
    read -r _ execs rate secs corpus crashes <"$build/logs/$name.result"
    printf '%-16s %12s %9s %8s %14s %8s\n' "$name" "$execs" "$rate" "$secs" "$corpus" "$crashes"
    ((crashes == 0)) || status=1
done
exit $status
