#!/usr/bin/env bash
# The two set-up commands of the README, in one script:
#   scripts/setup.sh run              install what is missing, build, run the main job
#   scripts/setup.sh test [--sanitize] install what is missing, build, run every test
#   scripts/setup.sh test --tsan       sk-echo's and sk-states' threads under ThreadSanitizer
#   scripts/setup.sh build [--sanitize | --tsan | --packages-only]
#                                      install what is missing and build what `test`
#                                      runs, without running it (.ci/run builds the
#                                      later passes ahead, in the background)
# Idempotent: packages already present are not touched (apt-get runs only when
# something is missing) and the build is incremental, so a second run takes seconds.
set -euo pipefail

mode=${1:-}
sanitize=false
tsan=false
[[ ${2:-} == --sanitize ]] && sanitize=true
[[ ${2:-} == --tsan ]] && tsan=true
packages_only=false
[[ ${2:-} == --packages-only ]] && packages_only=true
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"

build_packages=(cmake ninja-build g++ libcli11-dev libfmt-dev
    nlohmann-json3-dev doctest-dev)
# docker.io and busybox-static: sk_states_docker_test.sh runs real containers (about 30 s
# to install).
test_packages=(jq groff-base man-db bash-completion zsh fish clang-format iproute2 nftables
    util-linux binutils procps prometheus socat python3 iptables libnetfilter-queue-dev gcc
    tcpdump clang-14 libclang-rt-14-dev strace docker.io busybox-static)

install_missing() {
    local missing=()
    local pkg
    for pkg in "$@"; do
        dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed" ||
            missing+=("$pkg")
    done
    ((${#missing[@]} == 0)) && return 0
    if ((EUID != 0)); then
        echo "setup: missing packages: ${missing[*]}; run as root or install them first" >&2
        exit 2
    fi
    echo "setup: installing ${missing[*]}" >&2
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq
    apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
}

configure() {  # configure DIR [cmake options...]
    local dir=$1
    shift
    # Debug information as line tables only (-g1): what sanitizer reports, perf and
    # backtraces need, and a fifth less compile time than full -g in every pass.
    if [[ ! -f $dir/build.ninja ]]; then
        cmake -S . -B "$dir" -G Ninja -DSOCKKIT_WERROR=ON \
            -DCMAKE_CXX_FLAGS_RELWITHDEBINFO="-O2 -g1 -DNDEBUG" -DCMAKE_CXX_FLAGS_DEBUG="-O0 -g1" \
            "$@" >/dev/null
    fi
}

build() {  # build DIR [cmake options...]: everything, tests included
    configure "$@"
    cmake --build "$1" --parallel "$(nproc)" >&2
}

case $mode in
    run)
        install_missing "${build_packages[@]}"
        # The commands only: the tests are built by the test command.
        configure build
        cmake --build build --parallel "$(nproc)" --target sk-states sk-explain >&2
        exec build/bin/sk-states
        ;;
    build | test)
        install_missing "${build_packages[@]}" "${test_packages[@]}"
        $packages_only && exit 0
        if $tsan; then
            # The threaded code: sk-echo --threads (one event loop per thread over
            # SO_REUSEPORT listeners, per-thread totals) and sk-states --all-netns
            # (worker threads inside the namespaces, one shared owner scan). Their
            # tests run these commands alone: build those, not the tree.
            configure build-tsan -DSOCKKIT_TSAN=ON -DCMAKE_BUILD_TYPE=Debug
            cmake --build build-tsan --parallel "$(nproc)" \
                --target sk-echo sk-states sk-population >&2
            [[ $mode == build ]] && exit 0
            export TSAN_OPTIONS=halt_on_error=1:second_deadlock_stack=1
            cd build-tsan
            exec ctest --output-on-failure --timeout 600 -R '^integration: (sk-echo|sk-states-netns)'
        fi
        if $sanitize; then
            build build-sanitize -DSOCKKIT_SANITIZE=ON -DCMAKE_BUILD_TYPE=Debug
            [[ $mode == build ]] && exit 0
            export ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 UBSAN_OPTIONS=print_stacktrace=1
            cd build-sanitize
        else
            build build
            [[ $mode == build ]] && exit 0
            cd build
        fi
        ctest --output-on-failure --parallel "$(nproc)" --timeout 300
        ;;
    *)
        echo "usage: scripts/setup.sh run | test [--sanitize | --tsan] | build [--sanitize | --tsan]" >&2
        exit 2
        ;;
esac
