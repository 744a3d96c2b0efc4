# Shared helpers for the integration tests: plain checks that say what they checked,
# in the manner of OpenBSD's netcat regress suite. Source it; call finish at the end.
checks=0
failures=0
work=$(mktemp -d "${TMPDIR:-/tmp}/sockkit-test.XXXXXX")
trap 'rm -rf "$work"' EXIT

# asan_build BINARY: true when BINARY carries AddressSanitizer (the sanitizer build).
asan_build() { grep -qa __asan_init "$1"; }
# LeakSanitizer stops the world with ptrace, which a process that strace already traces
# cannot do: a command run under strace keeps ASan's other checks but not the leak check.
# Use as: "${under_strace[@]}" strace ... COMMAND
under_strace=(env "ASAN_OPTIONS=${ASAN_OPTIONS:+$ASAN_OPTIONS:}detect_leaks=0")

pass() { checks=$((checks + 1)); echo "ok: $*"; }
fail() { checks=$((checks + 1)); failures=$((failures + 1)); echo "FAIL: $*"; }

# expect_status WANT DESCRIPTION -- COMMAND...: runs COMMAND with a deadline, stdout
# to $work/out, stderr to $work/err.
expect_status() {
    local want=$1 what=$2
    shift 3
    local got=0
    timeout 20 "$@" >"$work/out" 2>"$work/err" || got=$?
    if [[ $got == "$want" ]]; then
        pass "$what (exit $got)"
    else
        fail "$what: exit $got, wanted $want; stderr: $(head -c 300 "$work/err")"
    fi
}

expect_in() {  # expect_in FILE TEXT DESCRIPTION
    if grep -qF -- "$2" "$1"; then pass "$3"; else fail "$3: \"$2\" not in $(basename "$1"): $(head -c 300 "$1")"; fi
}

expect_not_in() {  # expect_not_in FILE TEXT DESCRIPTION
    if grep -qF -- "$2" "$1"; then fail "$3: \"$2\" unexpectedly in $(basename "$1")"; else pass "$3"; fi
}

expect_eq() {  # expect_eq GOT WANT DESCRIPTION
    if [[ $1 == "$2" ]]; then pass "$3"; else fail "$3: got \"$1\", wanted \"$2\""; fi
}

expect_lines() {  # expect_lines FILE N DESCRIPTION
    local n
    n=$(wc -l <"$1")
    expect_eq "$n" "$2" "$3"
}

# expect_promtool FILE DESCRIPTION: promtool accepts FILE as Prometheus text exposition.
expect_promtool() {
    if promtool check metrics <"$1" >"$work/promtool.out" 2>&1; then
        pass "$2: promtool check metrics passes"
    else
        fail "$2: promtool check metrics: $(head -c 300 "$work/promtool.out")"
    fi
}

# expect_usage_error PROGRAM NAME DESCRIPTION TEXT -- ARGS...: PROGRAM ARGS exits 2
# with one line on stderr, "NAME: error: TEXT...", and nothing on stdout.
expect_usage_error() {
    local program=$1 name=$2 what=$3 text=$4
    shift 5
    expect_status 2 "bad input: $what" -- "$program" "$@"
    expect_lines "$work/err" 1 "bad input: $what: one line"
    expect_in "$work/err" "$name: error: $text" "bad input: $what: says why"
    expect_eq "$(wc -c <"$work/out")" 0 "bad input: $what: nothing on stdout"
}

# Background servers that print "listening on ADDR:PORT PROTO" (or a JSON line with
# "address") first, as sk-echo does. The caller declares: declare -A server_pid=()
# launch NAME COMMAND...: starts COMMAND, waits (5 s at most) for that line, sets $port.
launch() {
    local name=$1 i
    shift
    : >"$work/$name.out"  # before the polling starts: the child opens it only later
    "$@" >>"$work/$name.out" 2>"$work/$name.err" &
    server_pid[$name]=$!
    port=""
    for ((i = 0; i < 100; i++)); do
        port=$(sed -n -e '1s/^listening on .*:\([0-9]*\) [a-z]*$/\1/p' \
            -e '1s/.*"local":"[^"]*:\([0-9]*\)".*/\1/p' "$work/$name.out")
        [[ -n $port ]] && break
        kill -0 "${server_pid[$name]}" 2>/dev/null || break
        sleep 0.05
    done
    if [[ -n $port ]]; then
        pass "$name: listening on port $port"
    else
        fail "$name: did not report a port: $(head -c 300 "$work/$name.err")"
        port=1
    fi
}

# stop_server NAME: SIGTERM, SIGKILL after 5 s; an sk-echo server (a NAME not ending
# in -socat or -py) must exit 0.
stop_server() {
    local name=$1 pid=${server_pid[$1]} i rc=0
    kill -TERM "$pid" 2>/dev/null
    for ((i = 0; i < 100; i++)); do kill -0 "$pid" 2>/dev/null || break; sleep 0.05; done
    kill -KILL "$pid" 2>/dev/null
    wait "$pid" 2>/dev/null || rc=$?
    unset "server_pid[$name]"
    [[ $name == *-socat || $name == *-py ]] || expect_eq "$rc" 0 "$name: server exits 0 on SIGTERM"
}

# totals_now NAME: SIGUSR1 to an sk-echo server, then wait (5 s at most) for one more
# totals line, and print it.
totals_now() {
    local before i
    before=$(grep -c '^totals' "$work/$1.out")
    kill -USR1 "${server_pid[$1]}"
    for ((i = 0; i < 100; i++)); do
        (($(grep -c '^totals' "$work/$1.out") > before)) && break
        sleep 0.05
    done
    grep '^totals' "$work/$1.out" | tail -1
}

# finish_unless_root WHAT NAME: without root, says that WHAT is skipped and how long
# NAME took (from $started), reports, and ends the script.
finish_unless_root() {
    [[ $(id -u) == 0 ]] && return 0
    echo "skipped: $1"
    echo "$2: $((SECONDS - started)) s"
    finish
    exit
}

# Background commands other than servers. The caller declares: declare -A bg_pid=()
now_ms() { echo $(($(date +%s%N) / 1000000)); }

# start_bg NAME COMMAND...: COMMAND in the background, output in $work/NAME.out and .err.
start_bg() {
    local name=$1
    shift
    : >"$work/$name.out"  # before any polling: the child opens it only later
    "$@" >>"$work/$name.out" 2>"$work/$name.err" &
    bg_pid[$name]=$!
}

# wait_lines NAME PATTERN N SECONDS: waits for N lines matching PATTERN in NAME's stdout.
wait_lines() {
    local name=$1 pattern=$2 want=$3 deadline
    deadline=$(($(now_ms) + $4 * 1000))
    while (($(grep -c -- "$pattern" "$work/$name.out") < want)); do
        if (($(now_ms) > deadline)) || ! kill -0 "${bg_pid[$name]}" 2>/dev/null; then
            fail "$name: not $want lines \"$pattern\" within $4 s: $(head -c 300 "$work/$name.err")"
            return 1
        fi
        sleep 0.02
    done
    pass "$name: $want lines \"$pattern\""
}

# wait_exit NAME SECONDS: waits for NAME to end and sets $rc (SIGKILL and 137 after SECONDS).
wait_exit() {
    local pid=${bg_pid[$1]} deadline
    deadline=$(($(now_ms) + $2 * 1000))
    while kill -0 "$pid" 2>/dev/null && (($(now_ms) < deadline)); do sleep 0.02; done
    kill -KILL "$pid" 2>/dev/null
    rc=0
    wait "$pid" 2>/dev/null || rc=$?
    unset "bg_pid[$1]"
}

finish() {
    echo "$checks checks, $failures failed"
    ((failures == 0))
}
