#!/usr/bin/env bash
# sk-echo's load mode against real sockets: closed loop, --duration, open loop at a
# fixed rate, a connection per request, payloads from a MESSAGE, stdin and --size up
# to 1 MiB, socat as the echo service, SIGINT and SIGTERM mid-run, 1,000 connections,
# errors by kind (refused, closed, reset, mismatch, timeout) from peers built to cause
# them, bad input, and the descriptors in use while connections keep failing; as root
# also unreachable and connect timeouts from nftables rules, and a server that closes
# every connection, in a namespace of its own. Every wait has a deadline.
#   sk_echo_load_test.sh BIN_DIR
set -uo pipefail
source "$(dirname "$0")/lib.sh"
sk_echo="$1/sk-echo"
started=$SECONDS
# The pyenv shim in front of python3 can take seconds to start; the system one does not.
python=/usr/bin/python3
[[ -x $python ]] || python=$(command -v python3)

declare -A server_pid=()  # every listener started here: sk-echo, socat, python
ns=""
cleanup() {
    local name
    for name in "${!server_pid[@]}"; do kill -KILL "${server_pid[$name]}" 2>/dev/null; done
    [[ -n $ns ]] && ip netns del "$ns" 2>/dev/null
    rm -rf "$work"
}
trap cleanup EXIT
trap 'exit 2' INT TERM

# Peers that misbehave on purpose. silent: listens and never accepts, so the kernel
# completes handshakes and nobody ever answers; rst: accepts and closes at once with
# SO_LINGER 0, a reset.
cat >"$work/peer.py" <<'PY'
import socket, struct, sys, time
s = socket.socket()
s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
s.bind(("127.0.0.1", 0))
s.listen(128)
print("listening on 127.0.0.1:%d tcp" % s.getsockname()[1], flush=True)
if sys.argv[1] == "silent":
    time.sleep(600)
while True:
    c, _ = s.accept()
    c.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
    c.close()
PY

now_us() { echo "${EPOCHREALTIME//[!0-9]/}"; }

start_server() { local name=$1; shift; launch "$name" "$sk_echo" "$@"; }  # NAME SK-ECHO-ARGS...
expect_error() { expect_usage_error "$sk_echo" sk-echo "$@"; }  # DESCRIPTION TEXT -- ARGS...
start_python() { launch "$1" "$python" "$work/peer.py" "$2"; }             # NAME silent|rst

# free_port: sets $port to a loopback port nobody listens on (one the kernel gave an
# sk-echo server on port 0, which is then stopped).
free_port() {
    local pid i
    : >"$work/probe.out"
    "$sk_echo" -l 0 >>"$work/probe.out" 2>/dev/null &
    pid=$!
    for ((i = 0; i < 100; i++)); do
        port=$(sed -n '1s/^listening on .*:\([0-9]*\) tcp$/\1/p' "$work/probe.out")
        [[ -n $port ]] && break
        sleep 0.05
    done
    kill -KILL "$pid" 2>/dev/null
    wait "$pid" 2>/dev/null
    [[ -n $port ]] || { fail "no free port: sk-echo -l 0 did not report one"; port=1; }
}

# start_socat NAME ADDRESS: socat serving ADDRESS for each connection to a free port.
start_socat() {
    local name=$1 i
    free_port
    socat "TCP-LISTEN:$port,bind=127.0.0.1,reuseaddr,fork" "$2" >/dev/null 2>"$work/$name.err" &
    server_pid[$name]=$!
    for ((i = 0; i < 100; i++)); do ss -Htln "( sport = :$port )" | grep -q . && break; sleep 0.05; done
    if ss -Htln "( sport = :$port )" | grep -q .; then
        pass "$name: socat listening on port $port"
    else
        fail "$name: socat is not listening on port $port: $(head -c 300 "$work/$name.err")"
    fi
}

# stop_server NAME: SIGTERM, then status; SIGKILL after 5 s. Only sk-echo is held to exit 0.

# load WANT DESCRIPTION ARGS...: sk-echo ARGS with a deadline (20 s), expecting exit
# WANT; output in $work/out, its wall time in $wall_ms.
load() {
    local want=$1 what=$2 t0
    shift 2
    t0=$(now_us)
    expect_status "$want" "$what" -- "$sk_echo" "$@"
    wall_ms=$((($(now_us) - t0) / 1000))
}

# expect_jq FILTER DESCRIPTION: FILTER holds of the JSON summary in $work/out (jq -e
# succeeds on empty input, so an empty file is a failure here).
jq_defs='def absval: if . < 0 then -. else . end;
def near($a; $b): (($a - $b) | absval) <= 1e-9 + 1e-6 * ($b | absval);
def ordered: .min > 0 and .min <= .p50 and .p50 <= .p90 and .p90 <= .p99 and .p99 <= .p999
    and .p999 <= .max and .min <= .mean and .mean <= .max;
def errors_total: [.errors[]] | add;'
expect_jq() {
    if [[ -s $work/out ]] && jq -e "$jq_defs $1" "$work/out" >/dev/null 2>&1; then
        pass "$2"
    else
        fail "$2: not true of the JSON: $1; got: $(head -c 700 "$work/out")"
    fi
}

# expect_line FILE N REGEX DESCRIPTION: line N of FILE matches the extended REGEX.
expect_line() {
    local line
    line=$(sed -n "$2p" "$1")
    if [[ $line =~ $3 ]]; then pass "$4"; else fail "$4: line $2 is \"$line\", wanted /$3/"; fi
}

expect_wall() {  # expect_wall MIN_MS MAX_MS DESCRIPTION: for the last load
    if ((wall_ms >= $1 && wall_ms <= $2)); then
        pass "$3 (${wall_ms} ms)"
    else
        fail "$3: took ${wall_ms} ms, wanted $1 to $2 ms"
    fi
}

fields='["type","peer","protocol","loop","offered_per_s","connect_rate","connections","payload_bytes",
"duration_s","interrupted","requests","requests_per_s","failed","unfinished","bytes",
"megabytes_per_s","latency_ms","connections_opened","connections_per_s",
"handshake_ms","errors"]'
error_kinds='["closed","local","mismatch","other","refused","reset","timeout","unreachable"]'

# --- 1. closed loop, -n --------------------------------------------------------------------
start_server main -l 0
target="127.0.0.1:$port"
load 0 "closed loop -C 20 -n 5000: exit 0" "$target" -C 20 -n 5000 --format json
expect_lines "$work/out" 1 "closed loop: JSON is one line"
missing=$(jq -r --argjson want "$fields" '. as $j | [$want[] | select(. as $k | $j | has($k) | not)] | join(" ")' "$work/out")
expect_eq "$missing" "" "closed loop: every JSON field is there (missing ones listed)"
expect_jq '.type == "load" and .peer == "'"$target"'" and .protocol == "tcp"' "closed loop: type, peer, protocol"
expect_jq '.loop == "closed" and .offered_per_s == null and .connect_rate == false' "closed loop: loop closed, no offered rate"
expect_jq '.connections == 20 and .payload_bytes == 64 and .interrupted == false' "closed loop: connections 20, payload_bytes 64 (the default), not interrupted"
expect_jq '.requests == 5000 and .failed == 0 and .unfinished == 0' "closed loop: exactly 5000 requests, none failed or unfinished"
expect_jq '.bytes == .requests * .payload_bytes' "closed loop: bytes = requests * payload_bytes"
expect_jq '.duration_s > 0 and .duration_s < 20' "closed loop: a plausible duration_s"
expect_jq 'near(.requests_per_s; .requests / .duration_s)' "closed loop: requests_per_s = requests / duration_s"
expect_jq 'near(.megabytes_per_s; .bytes / 1e6 / .duration_s)' "closed loop: megabytes_per_s = bytes / 1e6 / duration_s"
expect_jq '[.latency_ms, .handshake_ms] | map(keys_unsorted) | unique == [["count","min","mean","max","mdev","p50","p90","p99","p999"]]' \
    "closed loop: latency_ms and handshake_ms are statistics objects of the one shape"
expect_jq '.latency_ms | ordered' "closed loop: latency min <= mean, p50 <= p90 <= p99 <= p999 <= max"
expect_jq '.latency_ms.count == .requests and .handshake_ms.count == .connections_opened and .latency_ms.mdev >= 0' \
    "closed loop: latency count = requests, handshake count = connections opened"
expect_jq '.connections_opened == 20 and near(.connections_per_s; 20 / .duration_s)' "closed loop: 20 connections opened, connections_per_s consistent"
expect_jq '.handshake_ms | ordered' "closed loop: handshake percentiles ordered"
expect_jq '(.errors | keys) == '"$error_kinds"' and errors_total == 0' "closed loop: eight error kinds, all 0"
load 0 "closed loop, text: exit 0" "$target" -C 20 -n 5000
expect_lines "$work/out" 6 "closed loop, text: six lines"
expect_line "$work/out" 1 "^$target tcp load: 20 connections, closed loop, 64-byte requests, [0-9]+\.[0-9]{2} s$" \
    "text: the header names peer, connections, loop, size and duration"
expect_line "$work/out" 2 '^  requests    5,000 intact \([0-9,]+(\.[0-9])?/s\), 0 failed$' "text: requests line"
expect_line "$work/out" 3 '^  data        0\.3 MB echoed \([0-9.]+ MB/s, [0-9.]+ Gbit/s\)$' "text: data line (320,000 bytes)"
ms5='min/avg/max/mdev = [0-9.]+/[0-9.]+/[0-9.]+/[0-9.]+ ms, p50/p90/p99 = [0-9.]+/[0-9.]+/[0-9.]+ ms'
expect_line "$work/out" 4 "^  latency     $ms5\$" "text: latency line"
expect_line "$work/out" 5 "^  connections 20 opened, handshake $ms5\$" "text: connections line"
expect_line "$work/out" 6 '^  errors      none$' "text: errors line"
load 0 "-C 20 -n 5: more connections than requests" "$target" -C 20 -n 5 --format json
expect_jq '.requests == 5 and .failed == 0 and .unfinished == 0 and .connections_opened == 5' \
    "-C 20 -n 5: exactly 5 requests, and only 5 connections opened"

# --- 2. --duration ---------------------------------------------------------------------------
load 0 "--duration 1: exit 0" "$target" --duration 1 --format json
expect_wall 900 3000 "--duration 1: about a second of wall time"
expect_jq '.requests > 0 and .failed == 0 and .connections == 1' "--duration 1: requests > 0, none failed, 1 connection (the default)"
expect_jq '.duration_s >= 0.99 and .duration_s < 2.5 and .unfinished <= 1' "--duration 1: duration_s about 1, at most 1 unfinished"

# --- 3. open loop ------------------------------------------------------------------------------
load 0 "--rate 200 --duration 2 -C 5: exit 0" "$target" --rate 200 --duration 2 -C 5 --format json
expect_jq '.loop == "open" and .offered_per_s == 200' "--rate 200: loop open, offered_per_s 200"
expect_jq '.requests_per_s >= 170 and .requests_per_s <= 230' "--rate 200: achieved within 15% of 200/s"
expect_jq '.failed == 0 and .requests >= 340 and .requests <= 460' "--rate 200: about 400 requests in 2 s, none failed"
load 0 "--rate, text" "$target" --rate 200 --duration 0.5 -C 5
expect_line "$work/out" 1 "^$target tcp load: 5 connections, open loop at 200/s, 64-byte requests, " \
    "--rate, text: the header says open loop at 200/s"

# --- 4. a connection per request ----------------------------------------------------------------
start_server per-request -l 0
load 0 "--connect-rate -C 10 -n 500: exit 0" "127.0.0.1:$port" --connect-rate -C 10 -n 500 --format json
expect_jq '.requests == 500 and .failed == 0 and .connections_opened == 500 and .connect_rate == true' \
    "--connect-rate: 500 requests over 500 connections"
expect_jq '.handshake_ms | ordered' "--connect-rate: 500 handshakes timed"
accepted=$(totals_now per-request | sed -n 's/^totals: tcp accepted=\([0-9]*\) .*/\1/p')
expect_eq "$accepted" 500 "--connect-rate: the server accepted 500 connections (SIGUSR1 totals)"
load 0 "--connect-rate, text" "127.0.0.1:$port" --connect-rate -C 10 -n 100
expect_line "$work/out" 1 ", closed loop, a new connection per request, 64-byte requests, " \
    "--connect-rate, text: the header says a new connection per request"
expect_line "$work/out" 5 '^  connections 100 opened \([0-9,.]+/s\), handshake ' \
    "--connect-rate, text: connections opened with their rate"
stop_server per-request
expect_in "$work/per-request.out" "totals: tcp accepted=600 " "--connect-rate: 600 accepted in all at exit"

# --- 5. payloads ------------------------------------------------------------------------------
load 0 "MESSAGE: exit 0" "$target" hello -C 2 -n 20 --format json
expect_jq '.payload_bytes == 5 and .requests == 20 and .bytes == 100 and .failed == 0' "MESSAGE hello: 20 requests of 5 bytes"
head -c 100000 /dev/urandom >"$work/random"
load 0 "stdin with -: exit 0" "$target" - -C 2 -n 20 --format json <"$work/random"
expect_jq '.payload_bytes == 100000 and .requests == 20 and .bytes == 2000000 and .failed == 0' \
    "stdin: 20 requests of 100,000 random bytes"
load 0 "--size 64K: exit 0" "$target" --size 64K -C 2 -n 20 --format json
expect_jq '.payload_bytes == 65536 and .requests == 20 and .bytes == 1310720 and .failed == 0' "--size 64K: 20 x 65,536 bytes"
load 0 "--size 1M: exit 0" "$target" --size 1M -C 2 -n 20 --format json
expect_jq '.payload_bytes == 1048576 and .requests == 20 and .bytes == 20971520 and .failed == 0' "--size 1M: 20 x 1 MiB"
load 0 "--size 1M, text" "$target" --size 1M -C 2 -n 20
expect_line "$work/out" 1 ', 1,048,576-byte requests, ' "--size 1M, text: the size in the header"
expect_line "$work/out" 3 '^  data        21\.0 MB echoed ' "--size 1M, text: 21.0 MB echoed"
# What goes on the wire: an echo service that also keeps a copy.
: >"$work/seen"
start_socat record-socat "SYSTEM:tee -a $work/seen"
load 0 "a recording echo service: exit 0" "127.0.0.1:$port" -n 2 --format json
stop_server record-socat
expect_eq "$(wc -c <"$work/seen")" 128 "the generated payload: 64 bytes a request, each sent once"
if grep -q '[a-z]' "$work/seen" && ! LC_ALL=C grep -q '[^[:print:][:space:]]' "$work/seen"; then
    pass "the generated payload is printable text with lower case letters"
else
    fail "the generated payload: $(head -c 128 "$work/seen" | od -c | head -3)"
fi

# --- 6. errors by kind ----------------------------------------------------------------------------
free_port
dead=$port
load 1 "refused: -n 3 to a closed port: exit 1" "127.0.0.1:$dead" -n 3 --format json
expect_wall 0 2000 "refused: -n 3 ends quickly"
expect_jq '.errors.refused == 3 and errors_total == 3 and .failed == 3 and .requests == 0' "refused: 3 refused, nothing else"
expect_jq '.connections_opened == 0 and .latency_ms.count == 0 and .latency_ms.p50 == null and .handshake_ms.count == 0 and .handshake_ms.min == null' \
    "refused: no connections, latency and handshake of count 0, their values null"
load 1 "refused: -C 10 -n 3: exit 1" "127.0.0.1:$dead" -C 10 -n 3 --format json
expect_jq '.errors.refused == 3 and .failed == 3' "refused: -C 10 -n 3 counts 3 errors, not 10"
load 1 "refused, text: exit 1" "127.0.0.1:$dead" -n 3
expect_line "$work/out" 6 '^  errors      refused 3 \(ECONNREFUSED\)$' "refused, text: the errors line names the errno"
expect_line "$work/out" 4 '^  latency     none$' "refused, text: latency none"

start_server close-first -l 0 --close-first
load 1 "closed: a server that closes after each echo: exit 1" "127.0.0.1:$port" -n 10 --format json
expect_jq '.errors.closed >= 1 and .errors.closed == errors_total and .failed == errors_total' "closed: counted as closed, nothing else"
expect_jq '.requests >= 1 and .requests + .failed == 10' "closed: each connection's first echo is intact; 10 in all"
stop_server close-first

start_server max-bytes -l 0 --max-bytes 10
load 1 "reset: --max-bytes 10 closes with 54 of 64 bytes unread: exit 1" "127.0.0.1:$port" -n 5 --format json
expect_jq '.errors.reset == 5 and errors_total == 5 and .requests == 0' "reset: 5 resets from --max-bytes"
stop_server max-bytes
start_python rst-py rst
load 1 "reset: a listener closing with SO_LINGER 0: exit 1" "127.0.0.1:$port" -n 3
expect_line "$work/out" 6 '^  errors      reset 3 \(ECONNRESET\)$' "reset: 3 resets, ECONNRESET"
stop_server rst-py

start_socat upper-socat 'EXEC:stdbuf -o0 tr a-z A-Z'
load 1 "mismatch: an echo in upper case: exit 1" "127.0.0.1:$port" -n 3 -w 5 --format json
expect_jq '.errors.mismatch == 3 and errors_total == 3 and .requests == 0' "mismatch: 3 mismatches"
stop_server upper-socat

start_python silent-py silent
load 1 "timeout: a listener that never answers, -w 0.5 -n 2: exit 1" "127.0.0.1:$port" -w 0.5 -n 2 --format json
expect_wall 900 3000 "timeout: two timeouts of 0.5 s"
expect_jq '.errors.timeout == 2 and errors_total == 2 and .requests == 0' "timeout: 2 timeouts"
expect_jq '.connections_opened == 2' "timeout: the handshakes completed (the kernel accepts for it)"
stop_server silent-py

# --- 7. socat as the echo service --------------------------------------------------------------
start_socat cat-socat EXEC:cat
load 0 "socat EXEC:cat: -C 4 -n 200: exit 0" "127.0.0.1:$port" -C 4 -n 200 --format json
expect_jq '.requests == 200 and .failed == 0 and .bytes == 12800 and .connections_opened == 4' \
    "socat EXEC:cat: 200 requests intact over 4 connections"
stop_server cat-socat

# --- 8. SIGINT and SIGTERM ---------------------------------------------------------------------
# interrupt SIGNAL TARGET ARGS...: a --duration 30 run, SIGNAL once its signalfd is
# open and it has run 0.5 s more; sets $rc and $wall_ms (from the signal to the exit).
interrupt() {
    local sig=$1 pid i t0
    shift
    "$sk_echo" "$@" --duration 30 >"$work/out" 2>"$work/err" &
    pid=$!
    for ((i = 0; i < 100; i++)); do
        find "/proc/$pid/fd" -lname '*signalfd*' 2>/dev/null | grep -q . && break
        sleep 0.05
    done
    sleep 0.5
    t0=$(now_us)
    kill "-$sig" "$pid"
    for ((i = 0; i < 40; i++)); do kill -0 "$pid" 2>/dev/null || break; sleep 0.05; done
    wall_ms=$((($(now_us) - t0) / 1000))
    kill -KILL "$pid" 2>/dev/null
    rc=0
    wait "$pid" 2>/dev/null || rc=$?
}
interrupt INT "$target" -C 4 --format json
expect_wall 0 2000 "SIGINT: --duration 30 ends within 2 s"
expect_eq "$rc" 0 "SIGINT: exit 0, nothing failed"
expect_jq '.interrupted == true and .requests > 0 and .failed == 0 and .duration_s < 5' "SIGINT: the summary says interrupted"
interrupt TERM "$target" -C 4
expect_wall 0 2000 "SIGTERM: --duration 30 ends within 2 s"
expect_eq "$rc" 0 "SIGTERM: exit 0, nothing failed"
expect_lines "$work/out" 6 "SIGTERM: the six lines of the summary"
expect_line "$work/out" 1 ' s \(interrupted\)$' "SIGTERM: the header says interrupted"
interrupt INT "127.0.0.1:$dead" -C 2 --format json
expect_eq "$rc" 1 "SIGINT against a closed port: exit 1"
expect_jq '.interrupted == true and .errors.refused > 0' "SIGINT against a closed port: interrupted, refusals counted"

# --- 9. 1,000 connections ----------------------------------------------------------------------
load 0 "-C 1000 --duration 2: exit 0" "$target" -C 1000 --duration 2 --format json
expect_jq '.connections_opened == 1000 and .connections == 1000' "-C 1000: 1,000 connections opened"
expect_jq 'errors_total == 0 and .failed == 0 and .requests > 1000' "-C 1000: no errors, every connection busy"
stop_server main

# Three server threads share the port (SO_REUSEPORT), each counting on its own, and the
# totals add them up: the part of sk-echo a data race could hide in, and what the
# ThreadSanitizer run exercises.
start_server threaded -l 0 --threads 3
load 0 "--threads 3 under 300 connections: exit 0" "127.0.0.1:$port" -C 300 --duration 2 --format json
expect_jq 'errors_total == 0 and .failed == 0 and .connections_opened == 300' \
    "--threads 3: 300 connections, no errors"
echoed=$(jq '.bytes' "$work/out")
totals=$(totals_now threaded)
expect_in <(echo "$totals") "accepted=300 " "--threads 3: the totals count every connection once"
stop_server threaded
# The totals at exit: every connection ended once, and every byte the client got back
# intact was counted in and out on some thread.
totals=$(grep '^totals' "$work/threaded.out" | tail -1)
read -r t_in t_out t_eof t_reset < <(sed -n \
    's/.* in=\([0-9]*\) out=\([0-9]*\) .* eof=\([0-9]*\) reset=\([0-9]*\) .*/\1 \2 \3 \4/p' <<<"$totals")
expect_eq "$((t_eof + t_reset))" 300 "--threads 3: 300 connections ended, over all threads ($totals)"
if ((t_in >= echoed && t_out >= echoed && echoed > 0)); then
    pass "--threads 3: in=$t_in and out=$t_out cover the $echoed bytes echoed"
else
    fail "--threads 3: in=$t_in out=$t_out, but the client got $echoed bytes back"
fi

# --- 10. bad input ----------------------------------------------------------------------------
expect_error "-C 0" "invalid --connections 0: expected 1 to 1000000" -- 127.0.0.1:7 -C 0
expect_error "-C -1" "invalid --connections -1" -- 127.0.0.1:7 -C -1
expect_error "-C 2000000" "invalid --connections 2000000: expected 1 to 1000000" -- 127.0.0.1:7 -C 2000000
expect_error "-n 0" "invalid --requests 0: expected 1 or more" -- 127.0.0.1:7 -n 0
expect_error "--rate 0" "invalid --rate 0" -- 127.0.0.1:7 --rate 0
expect_error "--rate -5" "invalid --rate -5" -- 127.0.0.1:7 --rate -5
expect_error "--duration 0" 'invalid duration "0" for --duration: expected 1ms to 24h' -- 127.0.0.1:7 --duration 0
expect_error "-n with --duration" "give -n/--requests or --duration, not both" -- 127.0.0.1:7 -n 5 --duration 1
expect_error "-u with -C" "load mode (-C, -n, --duration, --rate, --connect-rate) is TCP only" -- -u 127.0.0.1:7 -C 2
expect_error "--half-close with -C" "--half-close checks one exchange" -- 127.0.0.1:7 --half-close -C 2
expect_error "-C on a server" "--connections is a client option" -- -l 0 -C 2
expect_error "--connect-rate on a server" "--connect-rate is a client option" -- -l 0 --connect-rate
# Soft and hard limit both: a hard limit below the soft one is refused by the kernel.
expect_status 2 "bad input: -C 1000 under ulimit -n 256" -- \
    bash -c "ulimit -S -H -n 256 && exec \"$sk_echo\" 127.0.0.1:$dead -C 1000"
expect_lines "$work/err" 1 "bad input: -C over the descriptor limit: one line"
expect_in "$work/err" "sk-echo: error: -C 1000 needs 1064 descriptors, but this process may open at most 256" \
    "bad input: -C over the descriptor limit: says so in descriptors"

# --- 11. descriptors while connections keep failing --------------------------------------------
# fd_watch CAP DESCRIPTION ARGS...: a load run in the background; its descriptor count
# sampled every 50 ms must stay within CAP. Output in $work/out, exit status in $rc.
fd_watch() {
    local cap=$1 what=$2 pid i most=0 n samples=0
    shift 2
    "$sk_echo" "$@" >"$work/out" 2>"$work/err" &
    pid=$!
    for ((i = 0; i < 200; i++)); do
        kill -0 "$pid" 2>/dev/null || break
        n=$(find "/proc/$pid/fd" -mindepth 1 2>/dev/null | wc -l)
        ((n > most)) && most=$n
        samples=$((samples + 1))
        sleep 0.05
    done
    kill -KILL "$pid" 2>/dev/null
    rc=0
    wait "$pid" 2>/dev/null || rc=$?
    if ((samples >= 5 && most > 0 && most <= cap)); then
        pass "$what: at most $most descriptors in $samples samples (cap $cap)"
    else
        fail "$what: $most descriptors at most in $samples samples, cap $cap"
    fi
}
fd_watch 66 "-C 50 to a closed port" "127.0.0.1:$dead" -C 50 --duration 1 --format json
expect_eq "$rc" 1 "-C 50 to a closed port: exit 1"
# Without the backoff it would be hundreds of thousands in a second.
expect_jq '.errors.refused >= 50 and .errors.refused < 1000 and .connections_opened == 0' \
    "-C 50 to a closed port: refusals backed off (at most 1000 in 1 s)"

# --- 12. the descriptor limit reached during the run ---------------------------------------------
# Descriptors the client inherits count against its limit but not in the -C check, so
# some of its sockets cannot be opened (EMFILE): errors of their own kind, and the run
# goes on over the connections it has.
# The sanitizers' runtimes need descriptors of their own (UBSan's memory probe opens a
# pipe), so at the descriptor limit they test themselves: the plain build runs this part.
if asan_build "$sk_echo"; then
    echo "skipped under a sanitizer: the load run at the descriptor limit"
else
start_server fd-limit -l 0
inherit='for ((fd = 10; fd < 150; fd++)); do eval "exec $fd</dev/null"; done'
expect_status 1 "EMFILE: -C 150 with 140 descriptors inherited, ulimit -n 256: exit 1" -- \
    bash -c "ulimit -S -H -n 256 && $inherit && exec \"$sk_echo\" 127.0.0.1:$port -C 150 -n 3000 --format json"
expect_eq "$(cat "$work/err")" "" "EMFILE: nothing on stderr"
expect_jq '.errors.local > 0 and errors_total == .errors.local' "EMFILE: counted as local errors, nothing else"
expect_jq '.connections_opened >= 50 and .connections_opened < 150 and .requests > 0' \
    "EMFILE: the run went on over the connections that opened"
expect_jq '.requests + .failed == 3000 and .unfinished == 0' "EMFILE: intact plus failed is -n"
expect_status 1 "EMFILE, text: exit 1" -- \
    bash -c "ulimit -S -H -n 256 && $inherit && exec \"$sk_echo\" 127.0.0.1:$port -C 150 -n 3000"
expect_lines "$work/out" 6 "EMFILE, text: the six lines of the summary"
expect_line "$work/out" 1 '^127\.0\.0\.1:[0-9]+ tcp load: 150 connections, closed loop' "EMFILE, text: the header"
expect_line "$work/out" 6 '^  errors      local [0-9,]+ \(EMFILE\)$' "EMFILE, text: the errors line names the kind and errno"
stop_server fd-limit
fi

finish_unless_root "the namespace checks (fd count with --close-first, unreachable, connect timeout) need root" "sk-echo load test"
# A namespace of our own: a server that closes every connection leaves thousands of
# TIME_WAIT sockets, which must not eat the ephemeral ports of other tests.
ns="sk-echo-load-test-$$"
if ! { ip netns add "$ns" && ip -n "$ns" link set lo up; }; then
    fail "cannot create namespace $ns"
    finish
    exit
fi
start_server ns-close-first --netns "$ns" -l 0 --close-first
fd_watch 36 "--close-first server, -C 20 --duration 3" --netns "$ns" "127.0.0.1:$port" -C 20 --duration 3 --format json
expect_jq '.connections_opened > 100 and .errors.closed > 100 and .requests > 100' \
    "--close-first server: connections reopened as the server closes them"
stop_server ns-close-first

ip netns exec "$ns" nft -f - <<'NFT'
table inet sk_echo_load_test {
    chain in {
        type filter hook input priority 0;
        tcp dport 9999 reject with icmpx type host-unreachable
        tcp dport 9998 drop
    }
}
NFT
load 1 "unreachable: an ICMP host unreachable to each SYN: exit 1" --netns "$ns" 127.0.0.1:9999 -n 3
expect_line "$work/out" 6 '^  errors      unreachable 3 \(EHOSTUNREACH\)$' "unreachable: 3, EHOSTUNREACH"
expect_wall 0 2000 "unreachable: -n 3 ends quickly"
load 1 "connect timeout: SYNs dropped, -w 0.5 -n 2: exit 1" --netns "$ns" 127.0.0.1:9998 -w 0.5 -n 2 --format json
expect_jq '.errors.timeout == 2 and errors_total == 2 and .connections_opened == 0' "connect timeout: 2 timeouts, no connection"
expect_wall 900 3000 "connect timeout: two of 0.5 s"

echo "sk-echo load test: $((SECONDS - started)) s"
finish
