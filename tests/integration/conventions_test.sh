#!/usr/bin/env bash
# The conventions the commands share, checked on each of them side by side: one time
# parser (the same forms accepted, the same error), one format rule (-j with
# --format csv is a usage error naming both), one -4/-6 check, one --netns check, and
# one signal path: SIGINT, SIGTERM and SIGHUP end every long-running mode with its
# summary and its usual exit status. Only loopback is used; every wait has a deadline.
#   conventions_test.sh BIN_DIR
set -uo pipefail
source "$(dirname "$0")/lib.sh"
sk_states="$1/sk-states"
sk_probe="$1/sk-probe"
sk_ping="$1/sk-ping"
sk_echo="$1/sk-echo"
sk_explain="$1/sk-explain"
started=$SECONDS

declare -A bg_pid=() server_pid=()
cleanup() {
    local name
    for name in "${!bg_pid[@]}"; do kill -KILL "${bg_pid[$name]}" 2>/dev/null; done
    for name in "${!server_pid[@]}"; do kill -KILL "${server_pid[$name]}" 2>/dev/null; done
    rm -rf "$work"
}
trap cleanup EXIT
trap 'exit 2' INT TERM

# same_error TEXT -- NAME ARGS... [-- NAME ARGS...]...: each command refuses its
# arguments with exit 2 and the one line "NAME: error: TEXT".
same_error() {
    local text=$1 name args=()
    shift 2
    while (($# > 0)); do
        name=$1
        shift
        args=()
        while (($# > 0)) && [[ $1 != "--" ]]; do args+=("$1"); shift; done
        (($# > 0)) && shift
        expect_usage_error "$(dirname "$sk_states")/$name" "$name" "$name ${args[*]}" "$text" -- "${args[@]}"
        expect_eq "$(cat "$work/err")" "$name: error: $text" "$name ${args[*]}: exactly that line"
    done
}

# not_usage_error DESCRIPTION -- COMMAND...: the command takes its options (exit 0 or 1).
not_usage_error() {
    local what=$1 rc=0
    shift 2
    timeout 20 "$@" >"$work/out" 2>"$work/err" || rc=$?
    if [[ $rc == 0 || $rc == 1 ]]; then pass "$what (exit $rc)"; else fail "$what: exit $rc: $(head -c 300 "$work/err")"; fi
}

launch echo "$sk_echo" -l 0
open=$port
launch gone "$sk_echo" -l 0
closed=$port
stop_server gone

echo "== one time parser"
forms='expected seconds (2, 0.5) or a number with ms, s, m or h (500ms, 2m)'
same_error "invalid duration \"5x\" for --watch: $forms" -- sk-states --watch 5x
same_error "invalid duration \"5x\" for --wait: $forms" -- sk-probe --wait 5x 127.0.0.1:1
same_error "invalid duration \"5x\" for --interval: $forms" -- sk-ping -i 5x 127.0.0.1:1
same_error "invalid duration \"5x\" for --timeout: $forms" -- sk-echo -w 5x 127.0.0.1:7
same_error "invalid duration \"5x\" for --idle-timeout: $forms" -- sk-echo -l 0 --idle-timeout 5x
same_error "invalid duration \"0\" for --timeout: expected 1ms to 1h" \
    -- sk-probe --timeout 0 127.0.0.1:1 -- sk-ping -W 0 127.0.0.1:1
for t in 0.5 500ms 1s 0.01m; do
    not_usage_error "sk-states --watch $t" -- "$sk_states" --watch "$t" --count 2 -q
    not_usage_error "sk-probe --timeout $t" -- "$sk_probe" -q --timeout "$t" "127.0.0.1:$closed"
    not_usage_error "sk-ping -W $t -i $t" -- "$sk_ping" -q -c 1 -W "$t" -i "$t" "127.0.0.1:$closed"
    not_usage_error "sk-echo -w $t" -- "$sk_echo" -w "$t" "127.0.0.1:$open" hello
done
t0=$(now_ms)
not_usage_error "sk-states --watch 300ms" -- "$sk_states" --watch 300ms --count 3 -q
elapsed=$(($(now_ms) - t0))
if ((elapsed >= 550 && elapsed < 5000)); then pass "--watch 300ms: two pauses of 300 ms ($elapsed ms)"; else fail "--watch 300ms: $elapsed ms for two pauses"; fi

echo "== one format rule"
same_error "-j/--json and --format csv contradict each other" \
    -- sk-states -j --format csv \
    -- sk-probe -j --format csv 127.0.0.1:1 \
    -- sk-ping -j --format csv 127.0.0.1:1 \
    -- sk-echo -j --format csv 127.0.0.1:7 \
    -- sk-explain -j --format csv
# --format text is a choice too: with -j it is the same conflict, never a silent JSON.
same_error "-j/--json and --format text contradict each other" \
    -- sk-states -j --format text \
    -- sk-probe -j --format text 127.0.0.1:1 \
    -- sk-ping -j --format text 127.0.0.1:1 \
    -- sk-echo -j --format text 127.0.0.1:7 \
    -- sk-explain -j --format text

echo "== one -4/-6 check, one --netns check"
same_error "-4 and -6 contradict each other" \
    -- sk-states -4 -6 -- sk-probe -4 -6 127.0.0.1:1 -- sk-ping -4 -6 127.0.0.1:1 -- sk-echo -4 -6 127.0.0.1:7
same_error 'invalid --netns "pid:x": expected pid:PID with PID 1-4194304' \
    -- sk-states --netns pid:x -- sk-probe --netns pid:x 127.0.0.1:1 \
    -- sk-ping --netns pid:x 127.0.0.1:1 -- sk-echo --netns pid:x 127.0.0.1:7 -- sk-echo --netns pid:x -l 0
same_error 'invalid --netns "..": expected NAME, PATH or pid:PID' \
    -- sk-states --netns .. -- sk-probe --netns .. 127.0.0.1:1 \
    -- sk-ping --netns .. 127.0.0.1:1 -- sk-echo --netns .. 127.0.0.1:7 -- sk-echo --netns .. -l 0
# A value with a slash is a namespace file, looked for as given.
same_error "no such file $work/none (for --netns $work/none)" \
    -- sk-states --netns "$work/none" -- sk-probe --netns "$work/none" 127.0.0.1:1 \
    -- sk-ping --netns "$work/none" 127.0.0.1:1 -- sk-echo --netns "$work/none" 127.0.0.1:7 \
    -- sk-echo --netns "$work/none" -l 0
if [[ $(id -u) == 0 ]]; then
    missing="sk-missing-$$"
    same_error "network namespace \"$missing\" does not exist (no /run/netns/$missing; see \`ip netns list\`)" \
        -- sk-states --netns "$missing" -- sk-probe --netns "$missing" 127.0.0.1:1 \
        -- sk-ping --netns "$missing" 127.0.0.1:1 -- sk-echo --netns "$missing" 127.0.0.1:7
else
    echo "skipped: a missing namespace (entering one needs root)"
fi

echo "== one signal path: SIGINT, SIGTERM and SIGHUP"
# stop_with SIG NAME [PATTERN]: once NAME printed a line matching PATTERN (or, with
# none, half a second after its start), SIG ends it within a second; sets $rc.
stop_with() {
    local sig=$1 name=$2 t0
    if [[ -z ${3:-} ]]; then
        sleep 0.5
        kill -0 "${bg_pid[$name]}" 2>/dev/null || { fail "$name: ended before SIG$sig"; wait_exit "$name" 0; return 1; }
    elif ! wait_lines "$name" "$3" 1 10; then
        wait_exit "$name" 0
        return 1
    fi
    kill "-$sig" "${bg_pid[$name]}"
    t0=$(now_ms)
    wait_exit "$name" 5
    expect_eq "$(($(now_ms) - t0 < 1500))" 1 "$name: SIG$sig ends it at once"
}
last_json() { tail -1 "$work/$1.out" | jq -r "$2" 2>/dev/null; }
for sig in INT TERM HUP; do
    start_bg "watch-$sig" "$sk_states" --watch 0.2 -j
    if stop_with "$sig" "watch-$sig" '"type"'; then
        expect_eq "$rc" 0 "sk-states --watch, SIG$sig: exit 0"
        expect_eq "$(last_json "watch-$sig" .type)" summary "sk-states --watch, SIG$sig: the summary last"
    fi
    start_bg "watch-text-$sig" "$sk_states" --watch 0.2
    if stop_with "$sig" "watch-text-$sig" 'ESTAB\|LISTEN\|total'; then
        expect_eq "$rc" 0 "sk-states --watch, text, SIG$sig: exit 0"
    fi
    start_bg "ping-$sig" "$sk_ping" -j -i 0.05 "127.0.0.1:$open"
    if stop_with "$sig" "ping-$sig" '"type":"probe"'; then
        expect_eq "$rc" 0 "sk-ping, SIG$sig: exit 0 (it connected)"
        expect_eq "$(last_json "ping-$sig" '"\(.type) \(.interrupted)"')" "summary true" \
            "sk-ping, SIG$sig: the summary last, interrupted"
    fi
    start_bg "probe-$sig" "$sk_probe" -j --wait 30s "127.0.0.1:$closed"
    if stop_with "$sig" "probe-$sig"; then
        expect_eq "$rc" 1 "sk-probe --wait, SIG$sig: exit 1 (still closed)"
        expect_eq "$(last_json "probe-$sig" '"\(.type) \(.interrupted)"')" "summary true" \
            "sk-probe --wait, SIG$sig: the summary last, interrupted"
    fi
    start_bg "load-$sig" "$sk_echo" -j -C 2 --duration 30 "127.0.0.1:$open"
    if stop_with "$sig" "load-$sig"; then
        expect_eq "$rc" 0 "sk-echo load, SIG$sig: exit 0 (no request failed)"
        expect_eq "$(last_json "load-$sig" .interrupted)" true "sk-echo load, SIG$sig: the summary, interrupted"
    fi
    start_bg "server-$sig" "$sk_echo" -l 0
    if stop_with "$sig" "server-$sig" '^listening on'; then
        expect_eq "$rc" 0 "sk-echo server, SIG$sig: exit 0"
        expect_in "$work/server-$sig.out" "totals" "sk-echo server, SIG$sig: the totals printed"
    fi
done
stop_server echo

echo "conventions: $((SECONDS - started)) s"
finish
