#!/usr/bin/env bash
# sk-echo against real sockets: the server on port 0 reporting its port, the client
# against it and against socat, payloads of 1 byte to 10 MiB, half-close, limits,
# clients that never read or reset, 1,000 concurrent clients, bad input; as root also
# every --on-eof mode and --close-first checked with ss in a namespace of its own, and
# UDP against a port an nftables rule drops. Every wait has a deadline.
#   sk_echo_test.sh BIN_DIR
set -uo pipefail
source "$(dirname "$0")/lib.sh"
sk_echo="$1/sk-echo"
started=$SECONDS

declare -A server_pid=()
ns=""
wmem_ns=""
cleanup() {
    local name
    for name in "${!server_pid[@]}"; do kill -KILL "${server_pid[$name]}" 2>/dev/null; done
    [[ -n $ns ]] && ip netns del "$ns" 2>/dev/null
    [[ -n $wmem_ns ]] && ip netns del "$wmem_ns" 2>/dev/null
    rm -rf "$work"
}
trap cleanup EXIT
trap 'exit 2' INT TERM

start_server() { local name=$1; shift; launch "$name" "$sk_echo" "$@"; }  # NAME SK-ECHO-ARGS...
expect_error() { expect_usage_error "$sk_echo" sk-echo "$@"; }  # DESCRIPTION TEXT -- ARGS...

wait_for_text() {  # wait_for_text FILE TEXT DESCRIPTION: up to 5 s
    local i
    for ((i = 0; i < 100; i++)); do grep -qF -- "$2" "$1" && break; sleep 0.05; done
    expect_in "$1" "$2" "$3"
}

# --- TCP echo, loopback ---------------------------------------------------------------------
start_server main -l 0 -v
for size in 1 64K 10M; do
    expect_status 0 "tcp: --size $size echoed intact" -- "$sk_echo" "127.0.0.1:$port" --size "$size"
    expect_in "$work/out" "echoed intact, rtt" "tcp: --size $size reports the round trip"
done
bytes=$(sed -n 's/.*: \([0-9]*\) bytes echoed.*/\1/p' "$work/out")
expect_eq "$bytes" 10485760 "tcp: 10 MiB counted"
expect_status 0 "tcp: a MESSAGE" -- "$sk_echo" "127.0.0.1:$port" hello
expect_in "$work/out" "tcp: 5 bytes echoed intact" "tcp: MESSAGE hello is 5 bytes"
if [[ $(grep -Ec 'rtt [0-9]+\.[0-9]{3} ms' "$work/out") == 1 ]]; then
    pass "rtt in ms with 3 decimals"
else
    fail "rtt not in ms with 3 decimals: $(cat "$work/out")"
fi
head -c 100000 /dev/urandom >"$work/random"
expect_status 0 "tcp: stdin with -" -- bash -c "\"$sk_echo\" 127.0.0.1:$port - <\"$work/random\""
expect_in "$work/out" "100000 bytes echoed intact" "tcp: all of stdin echoed"
expect_status 0 "tcp: JSON result" -- "$sk_echo" -j "127.0.0.1:$port" abc
expect_eq "$(jq -r '"\(.type) \(.result) \(.bytes_received) \(.rtt_ms | type)"' "$work/out")" \
    "echo intact 3 number" "tcp: JSON has type, result, bytes and rtt_ms"
expect_eq "$(jq -r 'keys_unsorted | join(",")' "$work/out")" \
    "type,peer,protocol,result,bytes_sent,bytes_received,rtt_ms,handshake_ms,attempts,mismatch_at,error,message" \
    "tcp: the JSON keys of a client result, as the man page lists them"
expect_eq "$(jq -r '.handshake_ms | type' "$work/out")" number "tcp: JSON handshake_ms"
expect_status 0 "half-close: --half-close gets the echo, then EOF" -- \
    "$sk_echo" "127.0.0.1:$port" --size 64K --half-close
if command -v socat >/dev/null; then
    # socat shuts its sending side at the end of stdin and reads on until our EOF.
    head -c 3000000 /dev/urandom >"$work/big"
    timeout 20 socat -t 10 - "TCP:127.0.0.1:$port" <"$work/big" >"$work/big.back"
    if cmp -s "$work/big" "$work/big.back"; then
        pass "half-close: socat's FIN after 3 MB, all 3 MB back, then EOF"
    else
        fail "half-close: socat got $(wc -c <"$work/big.back") of 3000000 bytes"
    fi
fi
wait_for_text "$work/main.err" "end=eof in=5 out=5" "-v logs a connection with its bytes and end"
# A server that never closes: the whole echo comes back, and what is missing is its EOF.
main_port=$port
start_server hold -l 0 --on-eof hold
expect_status 1 "half-close, server never closes: a timeout" -- \
    "$sk_echo" "127.0.0.1:$port" hello --half-close -w 0.5
expect_in "$work/out" "tcp: timeout: all 5 bytes echoed, but the server's EOF never came within 0.500 s" \
    "half-close, server never closes: says the EOF is what never came"
expect_status 1 "half-close, server never closes, JSON: a timeout" -- \
    "$sk_echo" "127.0.0.1:$port" hello --half-close -w 0.5 -j
expect_eq "$(jq -r '"\(.result) \(.bytes_received) \(.message)"' "$work/out")" \
    "timeout 5 timeout: all 5 bytes echoed, but the server's EOF never came within 0.500 s" \
    "half-close, server never closes, JSON: result, bytes and message"
stop_server hold
port=$main_port
expect_status 1 "tcp: refused" -- "$sk_echo" 127.0.0.1:1 x
expect_in "$work/out" "127.0.0.1:1 tcp: refused: reset" "tcp: refused says so, a reset"

# --- a client that resets mid-stream, one that never reads ------------------------------------
# A client killed with unread echo in its receive buffer: its kernel sends a reset.
timeout -s TERM 0.5 bash -c "exec 3<>/dev/tcp/127.0.0.1/$port; exec head -c 50000000 /dev/zero >&3" \
    2>/dev/null
wait_for_text "$work/main.err" "end=reset" "reset mid-stream: logged as end=reset"
expect_status 0 "reset mid-stream: the server goes on serving" -- "$sk_echo" "127.0.0.1:$port" x
# A client that only sends: the server must stop reading it rather than buffer its echo.
# Growth is what is checked: a sanitizer build starts far above a plain one.
rss0=$(awk '/^VmRSS/ {print $2}' "/proc/${server_pid[main]}/status")
timeout -s TERM 4 bash -c "exec 3<>/dev/tcp/127.0.0.1/$port; exec head -c 500000000 /dev/zero >&3" \
    2>/dev/null &
reader=$!
sleep 1.5
rss1=$(awk '/^VmRSS/ {print $2}' "/proc/${server_pid[main]}/status")
# The server stopped reading that client: its data waits in the server's receive queue.
recvq=$(ss -Htn state established "( sport = :$port )" | awk '{print $1}' | sort -n | tail -1)
if ((recvq > 100000)); then
    pass "never-reading client: the server stopped reading it (Recv-Q $recvq)"
else
    fail "never-reading client: server Recv-Q is ${recvq:-none}, wanted > 100000"
fi
expect_status 0 "never-reading client: others are still served" -- "$sk_echo" "127.0.0.1:$port" y
sleep 1.5
rss2=$(awk '/^VmRSS/ {print $2}' "/proc/${server_pid[main]}/status")
if ((rss1 - rss0 < 8192 && rss2 - rss0 < 8192)); then
    pass "never-reading client: server RSS stays bounded (${rss0}, ${rss1}, then ${rss2} KiB)"
else
    fail "never-reading client: server RSS ${rss0}, ${rss1}, then ${rss2} KiB (growth limit 8 MiB)"
fi
wait "$reader" 2>/dev/null

# --- 1,000 concurrent clients ---------------------------------------------------------------
# One bash holds all 1,000 connections open at once, then checks an echo on each.
cat >"$work/many.sh" <<'SH'
port=$1 n=$2
fds=()
for ((i = 0; i < n; i++)); do
    exec {fd}<>"/dev/tcp/127.0.0.1/$port" || exit 3
    fds+=("$fd")
done
ss -Htn state established "( sport = :$port )" | wc -l
for ((i = 0; i < n; i++)); do printf 'client %d\n' "$i" >&"${fds[i]}"; done
ok=0
for ((i = 0; i < n; i++)); do
    read -r -t 5 -u "${fds[i]}" line && [[ $line == "client $i" ]] && ok=$((ok + 1))
done
echo "$ok"
SH
timeout 60 bash "$work/many.sh" "$port" 1000 >"$work/many.out" 2>&1
expect_eq "$(sed -n 1p "$work/many.out")" 1000 "1,000 clients: the server holds 1,000 connections"
expect_eq "$(sed -n 2p "$work/many.out")" 1000 "1,000 clients: every one got its own line back"
stop_server main
expect_in "$work/main.out" "totals: tcp accepted=" "totals printed on exit"
accepted=$(sed -n 's/^totals: tcp accepted=\([0-9]*\).*/\1/p' "$work/main.out" | tail -1)
if ((accepted >= 1000)); then pass "totals: $accepted connections accepted"; else fail "totals: accepted=$accepted"; fi

# --- UDP ------------------------------------------------------------------------------------
start_server udp -l 0 -t -u
expect_eq "$(grep -c '^listening on 127.0.0.1:'"$port"' ' "$work/udp.out")" 2 \
    "-t -u: TCP and UDP on the same port"
expect_status 0 "udp: 1 byte" -- "$sk_echo" -u "127.0.0.1:$port" --size 1
expect_in "$work/out" "udp: 1 byte echoed intact" "udp: 1 byte intact"
expect_status 0 "udp: 65507 bytes, the largest datagram" -- "$sk_echo" -u "127.0.0.1:$port" --size 65507
expect_status 2 "udp: 64 KiB does not fit a datagram" -- "$sk_echo" -u "127.0.0.1:$port" --size 64K
expect_in "$work/err" "a UDP message holds at most 65507 bytes" "udp: 64 KiB refused with the limit"
expect_status 2 "udp: 10 MiB does not fit a datagram" -- "$sk_echo" -u "127.0.0.1:$port" --size 10M
expect_status 0 "tcp on the same port" -- "$sk_echo" "127.0.0.1:$port" --size 64K
stop_server udp
expect_status 1 "udp: refused after the server is gone" -- "$sk_echo" -u "127.0.0.1:$port" x -w 1
expect_in "$work/out" "udp: refused: port unreachable (ICMP type 3 code 3)" \
    "udp: ICMP port unreachable reads as refused, the ICMP error named"
start_server rate -l 0 -u --udp-rate 1
expect_status 0 "--udp-rate 1: the first datagram is echoed" -- "$sk_echo" -u "127.0.0.1:$port" x -w 1
expect_status 1 "--udp-rate 1: a second within the second gets no echo" -- \
    "$sk_echo" -u "127.0.0.1:$port" x -w 0.3
expect_in "$work/out" "timeout: no echo after 1 try of 0.300 s" "--udp-rate: the client times out"
expect_in <(totals_now rate) "rate_limited=1" "--udp-rate: counted as rate_limited"
stop_server rate

# --- limits ---------------------------------------------------------------------------------
start_server limits -l 0 -v --max-connections 2 --idle-timeout 0.5 --max-bytes 10
cat >"$work/limit.sh" <<'SH'
port=$1
exec 3<>"/dev/tcp/127.0.0.1/$port" 4<>"/dev/tcp/127.0.0.1/$port" 5<>"/dev/tcp/127.0.0.1/$port"
read -r -t 2 -u 5 line; echo "third: $? ${line:-none}"
printf 'a\n' >&3; read -r -t 2 -u 3 line; echo "first: $line"
SH
timeout 10 bash "$work/limit.sh" "$port" >"$work/limit.out" 2>&1
expect_in "$work/limit.out" "third: 1 none" "--max-connections 2: the third is closed at once"
expect_in "$work/limit.out" "first: a" "--max-connections 2: the first two are served"
wait_for_text "$work/limits.err" "end=rejected" "--max-connections: logged as rejected"
SECONDS_BEFORE=$SECONDS
timeout 10 bash -c "exec 3<>/dev/tcp/127.0.0.1/$port; read -r -t 5 -u 3 line; echo \"idle: \$?\"" \
    >"$work/idle.out" 2>&1
expect_in "$work/idle.out" "idle: 1" "--idle-timeout 0.5: an idle client sees EOF"
if ((SECONDS - SECONDS_BEFORE < 4)); then pass "--idle-timeout: closed before the client gave up"; else fail "--idle-timeout: took $((SECONDS - SECONDS_BEFORE)) s"; fi
wait_for_text "$work/limits.err" "end=idle" "--idle-timeout: logged as idle"
expect_status 0 "--max-bytes 10: 5 bytes are fine" -- "$sk_echo" "127.0.0.1:$port" --size 5
expect_status 1 "--max-bytes 10: 100 bytes are cut" -- "$sk_echo" "127.0.0.1:$port" --size 100
wait_for_text "$work/limits.err" "end=max_bytes in=10 out=10" "--max-bytes: logged with 10 bytes"
expect_in <(totals_now limits) "rejected=1" "totals count the rejected connection"
stop_server limits

# --- JSON lines ------------------------------------------------------------------------------
start_server json -l 0 -v -j
expect_eq "$(jq -r '"\(.type) \(.protocol)"' "$work/json.out")" "listening tcp" \
    "-j: the listening line is JSON"
expect_eq "$(jq -r 'keys_unsorted | join(",")' "$work/json.out")" "type,local,protocol" \
    "-j: the listening line's keys"
expect_eq "$(jq -r '.local' "$work/json.out")" "127.0.0.1:$port" "-j: local is the address and port served"
"$sk_echo" "127.0.0.1:$port" abcd >/dev/null
wait_for_text "$work/json.err" '"type":"connection"' "-v -j: a JSON line per connection"
expect_eq "$(jq -r '"\(.end) \(.bytes_received) \(.bytes_sent) \(.duration_s | type)"' "$work/json.err")" \
    "eof 4 4 number" "-v -j: end, bytes and duration_s"
expect_eq "$(jq -r 'keys_unsorted | join(",")' "$work/json.err")" \
    "type,peer,local,protocol,bytes_received,bytes_sent,duration_s,end" "-v -j: the connection line's keys"
stop_server json
expect_eq "$(jq -r 'select(.type == "totals") | "\(.connections_accepted) \(.ends.eof)"' \
    "$work/json.out")" "1 1" "-j: totals as JSON on exit"
expect_eq "$(jq -r 'select(.type == "totals") | [keys_unsorted, (.udp | keys_unsorted)] | flatten | join(",")' \
    "$work/json.out")" \
    "type,connections_accepted,connections_active,bytes_received,bytes_sent,accept_errors,ends,udp,datagrams_received,datagrams_sent,bytes,rate_limited" \
    "-j: the totals line's keys"

# --- several listeners, threads, IPv6 --------------------------------------------------------
start_server multi -l 0 -l 0 --threads 3
p1=$(sed -n '1s/.*:\([0-9]*\) tcp$/\1/p' "$work/multi.out")
p2=$(sed -n '2s/.*:\([0-9]*\) tcp$/\1/p' "$work/multi.out")
expect_eq "$(grep -c '^listening' "$work/multi.out")" 2 "two -l: two listening lines"
listeners=$(ss -Htln "( sport = :$p1 )" | wc -l)
expect_eq "$listeners" 3 "--threads 3: three SO_REUSEPORT listeners on the port"
ok=0
for ((i = 0; i < 30; i++)); do
    "$sk_echo" "127.0.0.1:$p1" "m$i" >/dev/null && "$sk_echo" "127.0.0.1:$p2" "n$i" >/dev/null && ok=$((ok + 1))
done
expect_eq "$ok" 30 "--threads 3: 60 echoes over two listeners"
expect_status 2 "a port in use is an error" -- "$sk_echo" -l "$p1"
expect_in "$work/err" "cannot listen on 127.0.0.1:$p1 tcp: Address already in use" \
    "a port in use: the error names address and cause"
stop_server multi
if ip -6 addr show dev lo 2>/dev/null | grep -q '::1/128'; then
    start_server v6 -l '[::1]:0'
    expect_in "$work/v6.out" "listening on [::1]:" "IPv6: listening line in brackets"
    expect_status 0 "IPv6: echo over ::1" -- "$sk_echo" "[::1]:$port" six
    stop_server v6
else
    echo "note: no ::1 on lo; IPv6 checks skipped"
fi

# --- graceful stop with a connection open ----------------------------------------------------
start_server stop -l 0
timeout 10 bash -c "exec 3<>/dev/tcp/127.0.0.1/$port; read -r -t 8 -u 3 line; echo \"got: \$?\"" \
    >"$work/holder.out" 2>&1 &
holder=$!
sleep 0.3
stop_server stop
wait "$holder"
expect_in "$work/holder.out" "got: 1" "SIGTERM: an open connection is closed (the client sees EOF)"
expect_in "$work/stop.out" "shutdown=1" "SIGTERM: the connection counted as shutdown"

# --- stdout's reader goes away (`sk-echo -l 0 | head -1`): the server goes on -------------------
: >"$work/head.out"
"$sk_echo" -l 0 > >(head -1 >"$work/head.out") 2>"$work/head.err" &
server_pid[head]=$!
for ((i = 0; i < 100; i++)); do grep -q listening "$work/head.out" && break; sleep 0.05; done
port=$(sed -n 's/^listening on .*:\([0-9]*\) tcp$/\1/p' "$work/head.out")
sleep 0.2
kill -USR1 "${server_pid[head]}"  # totals into a closed pipe
sleep 0.2
expect_status 0 "stdout closed: the server still echoes after SIGUSR1" -- "$sk_echo" "127.0.0.1:${port:-1}" x
stop_server head
expect_eq "$(cat "$work/head.err")" "" "stdout closed: no error message"

# --- against socat ---------------------------------------------------------------------------
if command -v socat >/dev/null; then
    start_server probe -l 0
    free=$port
    stop_server probe
    socat "TCP-LISTEN:$free,bind=127.0.0.1,reuseaddr,fork" EXEC:cat 2>/dev/null &
    socat_pid=$!
    for ((i = 0; i < 100; i++)); do ss -Htln "( sport = :$free )" | grep -q . && break; sleep 0.05; done
    for size in 1 64K 10M; do
        expect_status 0 "socat EXEC:cat: --size $size intact" -- "$sk_echo" "127.0.0.1:$free" --size "$size"
    done
    kill "$socat_pid" 2>/dev/null
    wait "$socat_pid" 2>/dev/null
    socat "TCP-LISTEN:$free,bind=127.0.0.1,reuseaddr,fork" 'EXEC:tr o 0' 2>/dev/null &
    socat_pid=$!
    for ((i = 0; i < 100; i++)); do ss -Htln "( sport = :$free )" | grep -q . && break; sleep 0.05; done
    expect_status 1 "a wrong echo is a mismatch" -- "$sk_echo" "127.0.0.1:$free" hello --half-close
    expect_in "$work/out" "mismatch: the echo differs at byte 4 of 5" "mismatch names the first bad byte"
    kill "$socat_pid" 2>/dev/null
    wait "$socat_pid" 2>/dev/null
else
    fail "socat is not installed (scripts/setup.sh test installs it)"
fi

# --- bad input --------------------------------------------------------------------------------
expect_error "no arguments" "give -l [ADDR:]PORT to serve" --
expect_error "port too large" "invalid listen address \"70000\"" -- -l 70000
expect_error "bad --on-eof" "invalid --on-eof \"maybe\": expected close, hold, rst or delay:TIME" -- -l 0 --on-eof maybe
expect_error "bad delay" 'invalid duration "x" for --on-eof delay: expected seconds (2, 0.5) or a number with ms, s, m or h (500ms, 2m)' -- -l 0 --on-eof delay:x
expect_error "--threads 0" "invalid --threads 0: expected 1 to 256" -- -l 0 --threads 0
expect_error "target without port" "invalid target \"127.0.0.1\": expected HOST:PORT" -- 127.0.0.1
expect_error "--size 0" "invalid --size \"0\"" -- 127.0.0.1:7 --size 0
expect_error "bad --size" "invalid --size \"ten\"" -- 127.0.0.1:7 --size ten
expect_error "client option on a server" "--size is a client option" -- -l 0 --size 5
expect_error "server option on a client" "--threads is a server option" -- 127.0.0.1:7 --threads 2
expect_error "--retries without -u" "--retries needs -u/--udp" -- 127.0.0.1:7 --retries 2
expect_error "a client with -t and -u" "the client speaks TCP or UDP: give -t or -u, not both" -- -t -u 127.0.0.1:7
expect_error "a HOST:PORT on a server" "unexpected argument \"127.0.0.1:7\"" -- -l 0 127.0.0.1:7
expect_error "-4 with -6" "-4 and -6 contradict each other" -- -4 -6 127.0.0.1:7
expect_error "bad --netns" 'invalid --netns "pid:0": expected pid:PID with PID 1-4194304' -- --netns pid:0 127.0.0.1:7
expect_error "negative timeout" 'invalid duration "-1" for --timeout: expected 1ms to 24h' -- 127.0.0.1:7 -w -1
expect_error "--udp-rate without -u" "--udp-rate needs -u/--udp" -- -l 0 --udp-rate 5
expect_error "bad format" "" -- -l 0 --format csv
expect_status 0 "--help" -- "$sk_echo" --help
expect_in "$work/out" "--on-eof" "--help lists --on-eof"

finish_unless_root "the short-write, state and firewall checks need root to create network namespaces" "sk-echo test"

# --- short writes without an allocation each ---------------------------------------------------
# A client that reads slowly through a small window, with the server's send buffer capped
# at 64 KiB (tcp_wmem, in a namespace of our own): nearly every 256 KiB read leaves unsent
# echo behind, which must wait without a heap allocation of its own. An LD_PRELOAD shim
# counts, in the server's worker thread, sends that took less than asked and allocations
# of 4 KiB or more. Sanitizers bring an allocator of their own, so they skip this.
if ! command -v cc >/dev/null; then
    echo "skipped: short writes without allocation (no C compiler for the counting shim)"
elif grep -qaE '__(asan|tsan)_init' "$sk_echo"; then
    echo "skipped under a sanitizer: short writes without allocation (its own allocator)"
else
    cat >"$work/count.c" <<'C'
#define _GNU_SOURCE
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/socket.h>
#include <unistd.h>
void *__libc_malloc(size_t size);
ssize_t __send(int fd, const void *buf, size_t len, int flags);
static _Atomic unsigned long short_sends, big_allocs;
static int in_worker(void) { return gettid() != getpid(); }
void *malloc(size_t size) {
    if (size >= 4096 && in_worker()) big_allocs++;
    return __libc_malloc(size);
}
ssize_t send(int fd, const void *buf, size_t len, int flags) {
    ssize_t n = __send(fd, buf, len, flags);
    if ((n < 0 || (size_t)n < len) && in_worker()) short_sends++;
    return n;
}
__attribute__((destructor)) static void report(void) {
    const char *path = getenv("SK_COUNT_FILE");
    int fd = path ? open(path, O_WRONLY | O_CREAT | O_TRUNC, 0644) : -1;
    if (fd >= 0) dprintf(fd, "%lu %lu\n", short_sends, big_allocs), close(fd);
}
C
    cat >"$work/slow_reader.py" <<'PY'
import socket, sys, threading, time
port, total = int(sys.argv[1]), int(sys.argv[2])
s = socket.socket()
s.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 16384)
s.connect(("127.0.0.1", port))
def send():
    chunk = b"x" * 65536
    left = total
    while left > 0:
        left -= s.send(chunk[:min(left, len(chunk))])
    s.shutdown(socket.SHUT_WR)
threading.Thread(target=send, daemon=True).start()
got, deadline = 0, time.monotonic() + 20
while got < total and time.monotonic() < deadline:
    data = s.recv(8192)
    if not data:
        break
    got += len(data)
    time.sleep(0.0002)
print(got)
PY
    wmem_ns="sk-echo-wmem-$$"
    if cc -O2 -shared -fPIC -o "$work/count.so" "$work/count.c" &&
        ip netns add "$wmem_ns" && ip -n "$wmem_ns" link set lo up &&
        ip netns exec "$wmem_ns" sysctl -q -w net.ipv4.tcp_wmem="4096 16384 65536"; then
        SK_COUNT_FILE="$work/counts" LD_PRELOAD="$work/count.so" \
            start_server short-writes --netns "$wmem_ns" -l 0
        got=$(timeout 30 ip netns exec "$wmem_ns" /usr/bin/python3 "$work/slow_reader.py" "$port" 4000000)
        expect_eq "$got" 4000000 "short writes: all 4 MB echoed to a slow reader"
        stop_server short-writes
        read -r short allocs <"$work/counts"
        if ((short >= 20 && allocs <= 2)); then
            pass "short writes: $short short sends, $allocs buffer allocations (at most 2)"
        else
            fail "short writes: $short short sends (wanted >= 20), $allocs buffer allocations (wanted <= 2)"
        fi
    else
        fail "short writes: cannot build the counting shim or the namespace $wmem_ns"
    fi
    ip netns del "$wmem_ns" 2>/dev/null
fi

# --- TCP states in a namespace of our own ------------------------------------------------------
ns="sk-echo-test-$$"
if ! { ip netns add "$ns" && ip -n "$ns" link set lo up; }; then
    fail "cannot create namespace $ns"
    finish
    exit
fi
nss() { ip netns exec "$ns" ss -Htan "$@" | wc -l; }
# expect_state DESCRIPTION N SS-ARGS...: waits up to 4 s for ss to count N sockets.
expect_state() {
    local what=$1 want=$2 got i
    shift 2
    for ((i = 0; i < 80; i++)); do
        got=$(nss "$@")
        [[ $got == "$want" ]] && break
        sleep 0.05
    done
    expect_eq "$got" "$want" "$what"
}
# mode NAME ARGS...: a server in the namespace with ARGS, one echo from a client there.
mode() {
    local name=$1
    shift
    start_server "$name" --netns "$ns" -l 0 "$@"
    expect_status 0 "$name: the echo is intact" -- "$sk_echo" --netns "$ns" "127.0.0.1:$port" hi
}
server_side() { echo "( sport = :$port )"; }
client_side() { echo "( dport = :$port )"; }

mode on-eof-close
expect_state "--on-eof close: the client ends in TIME_WAIT" 1 state time-wait "$(client_side)"
expect_state "--on-eof close: nothing left on the server" 0 state connected "$(server_side)"
stop_server on-eof-close

mode on-eof-hold --on-eof hold
expect_state "--on-eof hold: the server sits in CLOSE_WAIT" 1 state close-wait "$(server_side)"
expect_state "--on-eof hold: the client sits in FIN_WAIT2" 1 state fin-wait-2 "$(client_side)"
sleep 0.3
expect_state "--on-eof hold: still CLOSE_WAIT later" 1 state close-wait "$(server_side)"
stop_server on-eof-hold

mode on-eof-rst --on-eof rst
expect_state "--on-eof rst: nothing left on the client (no TIME_WAIT)" 0 state all "$(client_side)"
expect_state "--on-eof rst: nothing left on the server but the listener" 0 state connected "$(server_side)"
stop_server on-eof-rst

mode on-eof-delay --on-eof delay:1
expect_state "--on-eof delay:1: CLOSE_WAIT on the server during the delay" 1 state close-wait "$(server_side)"
expect_state "--on-eof delay:1: FIN_WAIT2 on the client during the delay" 1 state fin-wait-2 "$(client_side)"
expect_state "--on-eof delay:1: then the client ends in TIME_WAIT" 1 state time-wait "$(client_side)"
expect_state "--on-eof delay:1: and the server is gone" 0 state connected "$(server_side)"
stop_server on-eof-delay

mode close-first --close-first
expect_state "--close-first: TIME_WAIT lands on the server" 1 state time-wait "$(server_side)"
expect_state "--close-first: nothing left on the client" 0 state all "$(client_side)"
stop_server close-first

# UDP to a port that an nftables rule drops: the client times out.
ip netns exec "$ns" nft -f - <<'NFT'
table inet sk_echo_test {
    chain in {
        type filter hook input priority 0;
        udp dport 9999 drop
    }
}
NFT
expect_status 1 "udp to a dropped port: exit 1" -- \
    "$sk_echo" --netns "$ns" -u 127.0.0.1:9999 x -w 0.3 --retries 1
expect_in "$work/out" "timeout: no echo after 2 tries of 0.300 s" "udp to a dropped port: timeout after 2 tries"

# An errno the classifier has no kind for is "other", named, never "unreachable": a
# blackhole route makes connect() fail at once with EINVAL.
ip -n "$ns" route add blackhole 198.51.100.7/32
expect_status 1 "blackhole route: exit 1" -- "$sk_echo" --netns "$ns" 198.51.100.7:7 x -w 1
expect_in "$work/out" "198.51.100.7:7 tcp: other: EINVAL (Invalid argument)" \
    "blackhole route: other: EINVAL, not unreachable"
expect_status 1 "blackhole route, JSON: exit 1" -- "$sk_echo" --netns "$ns" -j 198.51.100.7:7 x -w 1
expect_eq "$(jq -r '"\(.result) \(.error)"' "$work/out")" "other EINVAL" \
    "blackhole route, JSON: result other, error EINVAL"
expect_status 1 "blackhole route, load: exit 1" -- \
    "$sk_echo" --netns "$ns" 198.51.100.7:7 -C 1 -n 3 -w 1
expect_in "$work/out" "errors      other 3 (EINVAL)" "blackhole route, load: counted as other"

echo "sk-echo test: $((SECONDS - started)) s"
finish
