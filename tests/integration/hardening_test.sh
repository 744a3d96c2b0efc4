#!/usr/bin/env bash
# Load and faults, for every command: sk-echo serving 10,000 connections while other
# clients reset, never read, or trickle a byte now and then; descriptor exhaustion
# (ulimit -n 64) for sk-echo, sk-probe and sk-ping; sk-states with netlink refused by
# a seccomp filter, with /proc hidden, under socket churn and with its namespace
# deleted mid-watch; closed and broken standard output for every command; Ctrl-C in
# the middle of a scan, a ping and a watch. Each part checks that nothing leaked
# (descriptors, sockets) and that nothing spun. Every wait has a deadline.
#   hardening_test.sh BIN_DIR SOURCE_DIR
set -uo pipefail
source "$(dirname "$0")/lib.sh"
bin=$1
src=$2
sk_echo="$bin/sk-echo"
sk_ping="$bin/sk-ping"
sk_probe="$bin/sk-probe"
sk_states="$bin/sk-states"
started=$SECONDS
finish_unless_root "the load and fault tests need root (namespaces, nftables, seccomp, mounts)" hardening

declare -A server_pid=()
declare -A bg_pid=()
ns=sockkit-hard-$$
cleanup() {
    local name
    for name in "${!bg_pid[@]}"; do kill -KILL "${bg_pid[$name]}" 2>/dev/null; done
    for name in "${!server_pid[@]}"; do kill -KILL "${server_pid[$name]}" 2>/dev/null; done
    for name in "$ns" "$ns-gone"; do ip netns del "$name" 2>/dev/null; done
    rm -rf "$work"
}
trap cleanup EXIT
trap 'exit 2' INT TERM

nsx=(ip netns exec "$ns")
ip netns add "$ns" || { fail "cannot create namespace $ns"; finish; exit; }
"${nsx[@]}" ip link set lo up
# Ephemeral ports above 40000: the dropped range 20000-40000 below is never a source.
"${nsx[@]}" sysctl -qw net.ipv4.ip_local_port_range="40001 60999"
gcc -O2 -Wall -o "$work/deny_netlink" "$src/tests/tools/deny_netlink.c" ||
    fail "cannot compile deny_netlink.c"

# The sanitizers' runtimes need descriptors (a pipe to probe memory, files to symbolize)
# and /proc of their own: under them, a descriptor limit of 64 or a hidden /proc tests
# the sanitizer, not sockkit. Those parts run in the plain build.
sanitized=false
asan_build "$sk_echo" && sanitized=true
fd_count() { ls "/proc/$1/fd" 2>/dev/null | wc -l; }
rss_kib() { awk '/^VmRSS/ {print $2}' "/proc/$1/status" 2>/dev/null || echo 0; }
# CPU ticks (user + system) a process has used so far.
cpu_ticks() { awk '{print $14 + $15}' "/proc/$1/stat" 2>/dev/null || echo 0; }

# wait_for NAME PATTERN SECONDS: until PATTERN appears in NAME's stdout.
wait_for() {
    local deadline=$(($(now_ms) + $3 * 1000))
    until grep -q -- "$2" "$work/$1.out"; do
        if (($(now_ms) > deadline)); then
            fail "$1: no \"$2\" within $3 s: $(head -c 300 "$work/$1.err")"
            return 1
        fi
        sleep 0.05
    done
}

# wait_fds PID AT_MOST SECONDS: until the process holds at most AT_MOST descriptors.
wait_fds() {
    local deadline=$(($(now_ms) + $3 * 1000))
    while (($(fd_count "$1") > $2)) && (($(now_ms) < deadline)); do sleep 0.1; done
    fd_count "$1"
}

echo "== sk-echo: 10,000 connections while other clients misbehave"
launch abused "${nsx[@]}" bash -c "ulimit -n 30000; exec $sk_echo -l 127.0.0.1:0 --idle-timeout 3"
server=${server_pid[abused]}
baseline=$(fd_count "$server")
# The well-behaved majority: 10,000 connections in a closed loop, each sending its next
# request when the echo is back, so none sits idle long enough to be cut.
start_bg load "${nsx[@]}" bash -c "ulimit -n 30000; exec $sk_echo 127.0.0.1:$port -C 10000 --duration 8 -j"
start_bg bad "${nsx[@]}" python3 "$src/tests/tools/bad_clients.py" 127.0.0.1 "$port" \
    --reset 300 --no-read 50 --idle 100 --slow 20 --slow-every 4
wait_for bad ready 20 && pass "300 resets, 50 non-readers, 100 idle and 20 slow clients connected"
deadline=$(($(now_ms) + 15000))
until (($(fd_count "$server") >= 10000)) || (($(now_ms) > deadline)); do sleep 0.2; done
fds=$(fd_count "$server")
((fds >= 10000)) && pass "the server holds $fds descriptors at once" ||
    fail "the server never reached 10,000 connections ($fds descriptors)"
"${nsx[@]}" "$sk_ping" -c 10 -i 0.1 -W 2 -j "127.0.0.1:$port" >"$work/ping.json" 2>"$work/err"
connected=$(jq -s 'map(select(.type=="summary"))[0].connected' "$work/ping.json")
expect_eq "$connected" 10 "sk-ping: every handshake completes under load"
maxms=$(jq -s 'map(select(.type=="summary"))[0].rtt_ms.max' "$work/ping.json")
awk -v m="$maxms" 'BEGIN {exit !(m < 1000)}' && pass "handshakes under load: max $maxms ms" ||
    fail "a handshake under load took $maxms ms"
expect_status 0 "an echo client is served while the abuse goes on" -- \
    "${nsx[@]}" "$sk_echo" -w 3 "127.0.0.1:$port" "still here"
rss=$(rss_kib "$server")
# AddressSanitizer's shadow memory and quarantine raise the bound of the sanitizer run.
rss_limit=131072
$sanitized && rss_limit=1048576
((rss < rss_limit)) && pass "server memory stays bounded: ${rss} KiB RSS with 10,000 connections" ||
    fail "server RSS $rss KiB with 10,000 connections"
wait_for bad "slow-closed 20" 15 && pass "the idle timeout cut all 20 slow clients"
wait_exit load 30
expect_eq "$rc" 0 "the load run ends without a failed request"
((rc == 0)) || echo "load summary: $(head -c 1500 "$work/load.out")"
requests=$(jq '.requests' "$work/load.out")
((requests >= 20000)) && pass "the load run completed $requests requests" ||
    fail "the load run completed only $requests requests: $(head -c 300 "$work/load.err")"
kill -TERM "${bg_pid[bad]}"
wait_exit bad 5
after=$(wait_fds "$server" "$baseline" 10)
expect_eq "$after" "$baseline" "the server is back to its $baseline descriptors: nothing leaked"
expect_status 0 "the server still serves afterwards" -- "${nsx[@]}" "$sk_echo" -w 3 "127.0.0.1:$port" again
stop_server abused

echo "== descriptor exhaustion: ulimit -n 64"
if $sanitized; then
    echo "skipped under a sanitizer: sk-echo and sk-ping at 64 descriptors"
else
launch starved "${nsx[@]}" bash -c "ulimit -n 64; exec $sk_echo -l 127.0.0.1:0"
server=${server_pid[starved]}
start_bg idle "${nsx[@]}" python3 "$src/tests/tools/bad_clients.py" 127.0.0.1 "$port" --idle 200
wait_for idle ready 20 && pass "200 clients connected to a server allowed 64 descriptors"
sleep 0.3
before=$(cpu_ticks "$server")
sleep 2
spent=$(($(cpu_ticks "$server") - before))
((spent <= 30)) && pass "out of descriptors, the server does not spin ($spent ticks in 2 s)" ||
    fail "out of descriptors, the server used $spent CPU ticks in 2 s (busy loop)"
kill -TERM "${bg_pid[idle]}"
wait_exit idle 5
expect_status 0 "once descriptors are free the server accepts again" -- \
    "${nsx[@]}" "$sk_echo" -w 3 "127.0.0.1:$port" hello
totals=$(totals_now starved)
errors=$(grep -o 'accept_errors=[0-9]*' <<<"$totals" | cut -d= -f2)
((${errors:-0} > 0)) && pass "the failed accepts are counted ($errors)" ||
    fail "no failed accept counted at the descriptor limit: $totals"
stop_server starved
fi

launch probed "${nsx[@]}" "$sk_echo" -l 127.0.0.1:0
expect_status 1 "sk-probe with 64 descriptors scans 3,001 ports" -- \
    "${nsx[@]}" bash -c "ulimit -n 64; exec $sk_probe -j 127.0.0.1 -p 1-3000,$port"
open=$(jq -s '[.[] | select(.type=="result" and .state=="open")] | length' "$work/out")
expect_eq "$open" 1 "sk-probe with 64 descriptors finds the one open port"
expect_status 2 "sk-probe refuses --parallel beyond the descriptor limit" -- \
    "${nsx[@]}" bash -c "ulimit -n 64; exec $sk_probe --parallel 1000 127.0.0.1 -p 1-3000"
expect_in "$work/err" "descriptors" "sk-probe names the descriptor limit"
expect_lines "$work/err" 1 "sk-probe's refusal is one line"
stop_server probed

"${nsx[@]}" nft -f - <<'EOF'
table inet hard {
    chain input {
        type filter hook input priority 0;
        tcp dport 9 drop
    }
}
EOF
if ! $sanitized; then
t0=$(now_ms)
expect_status 1 "sk-ping with 64 descriptors and 500 attempts in flight ends, exit 1" -- \
    "${nsx[@]}" bash -c "ulimit -n 64; exec $sk_ping -c 300 -i 0.002 -W 1 127.0.0.1:9"
elapsed=$(($(now_ms) - t0))
((elapsed < 5000)) && pass "sk-ping at the descriptor limit ends in $elapsed ms" ||
    fail "sk-ping at the descriptor limit took $elapsed ms"
expect_in "$work/out" "EMFILE" "sk-ping names EMFILE for attempts it could not open"
expect_in "$work/out" "300 sent" "sk-ping still accounts for every attempt"
fi

echo "== sk-states: netlink refused, /proc hidden, churn, a namespace deleted mid-watch"
"${nsx[@]}" "$sk_states" --source proc -j >"$work/proc.json" 2>"$work/err"
expect_status 0 "with netlink refused (seccomp EPERM) sk-states falls back to /proc" -- \
    "${nsx[@]}" "$work/deny_netlink" EPERM "$sk_states" -j
expect_in "$work/err" "/proc" "the fallback is said on stderr"
expect_eq "$(jq -c .tcp.states "$work/out")" "$(jq -c .tcp.states "$work/proc.json")" \
    "the fallback counts what /proc counts"
# An LSM (SELinux, AppArmor) refuses with EACCES, which the netlink reader treats as a refusal too.
expect_status 0 "with netlink refused (seccomp EACCES) sk-states falls back to /proc" -- \
    "${nsx[@]}" "$work/deny_netlink" EACCES "$sk_states" -j
expect_in "$work/err" "/proc" "the EACCES fallback is said on stderr"
expect_eq "$(jq -c .tcp.states "$work/out")" "$(jq -c .tcp.states "$work/proc.json")" \
    "the EACCES fallback counts what /proc counts"
if command -v strace >/dev/null; then
    for call in socket sendmsg; do
        expect_status 0 "EACCES injected into $call(): sk-states falls back to /proc" -- \
            "${nsx[@]}" "${under_strace[@]}" strace -f -qq -o /dev/null -e trace=$call -e inject=$call:error=EACCES \
            "$sk_states" -j
        expect_in "$work/err" "/proc" "the fallback after a refused $call() is said"
        expect_eq "$(jq -c .tcp.states "$work/out")" "$(jq -c .tcp.states "$work/proc.json")" \
            "the fallback after a refused $call() counts what /proc counts"
    done
else
    fail "strace is missing: it is in the test packages of scripts/setup.sh"
fi
expect_status 2 "--source netlink with netlink refused is an error" -- \
    "${nsx[@]}" "$work/deny_netlink" EACCES "$sk_states" --source netlink
expect_lines "$work/err" 1 "the refusal is one line"
expect_in "$work/err" "NETLINK_SOCK_DIAG" "the refusal names the socket"
if $sanitized; then
    echo "skipped under a sanitizer: sk-states with /proc hidden"
else
expect_status 2 "/proc hidden: --source proc is a clear error" -- \
    unshare -m --propagation private bash -c "mount -t tmpfs none /proc && exec $sk_states --source proc"
expect_in "$work/err" "cannot open /proc/thread-self/net/tcp" "the error names the file (the thread's own view of its namespace)"
expect_status 0 "/proc hidden: netlink still counts, with a warning" -- \
    unshare -m --propagation private bash -c "mount -t tmpfs none /proc && exec $sk_states"
expect_in "$work/err" "warning" "the missing counters are a warning"
fi

launch churned "${nsx[@]}" "$sk_echo" -l 127.0.0.1:0
start_bg churn "${nsx[@]}" "$sk_echo" "127.0.0.1:$port" -C 20 --connect-rate --duration 5 -j
sleep 0.3
bad_runs=0
for ((i = 0; i < 25; i++)); do
    "${nsx[@]}" "$sk_states" -j >"$work/churn.json" 2>>"$work/churn.err" || bad_runs=$((bad_runs + 1))
    jq -e '.tcp.total >= 0' "$work/churn.json" >/dev/null 2>&1 || bad_runs=$((bad_runs + 1))
done
expect_eq "$bad_runs" 0 "25 dumps during connection churn all succeed with valid JSON"
wait_exit churn 15
stop_server churned

ip netns add "$ns-gone"
start_bg watch "$sk_states" --netns "$ns-gone" --watch 0.2 --count 10 -q
sleep 0.5
ip netns del "$ns-gone"
wait_exit watch 10
expect_eq "$rc" 0 "a watch whose namespace name is deleted keeps its namespace and ends normally"

echo "== standard output closed or broken, for every command"
launch out "${nsx[@]}" "$sk_echo" -t -u -l 127.0.0.1:0
declare -A runs=(
    [sk-states]="$sk_states"
    [sk-explain]="$bin/sk-explain"
    [sk-probe]="$sk_probe 127.0.0.1:$port"
    [sk-ping]="$sk_ping -c 2 -i 0.05 127.0.0.1:$port"
    [sk-echo]="$sk_echo 127.0.0.1:$port hello"
)
for name in "${!runs[@]}"; do
    read -ra cmd <<<"${runs[$name]}"
    rc=0
    "${nsx[@]}" "${cmd[@]}" >&- 2>"$work/err" || rc=$?
    expect_eq "$rc" 2 "$name with stdout closed: exit 2"
    expect_lines "$work/err" 1 "$name with stdout closed: one line"
    expect_in "$work/err" "cannot write to standard output" "$name with stdout closed: says so"
    rc=0
    "${nsx[@]}" "${cmd[@]}" 2>"$work/err" | head -c 1 >/dev/null || true
    rc=${PIPESTATUS[0]}
    expect_eq "$rc" 0 "$name into a pipe closed early: exit 0"
    expect_eq "$(wc -c <"$work/err")" 0 "$name into a pipe closed early: nothing on stderr"
done
expect_status 0 "sk-probe -q needs no stdout: the exit status answers with it closed" -- \
    bash -c "exec >&-; exec ${nsx[*]} $sk_probe -q 127.0.0.1:$port"
stop_server out

echo "== Ctrl-C leaves no socket behind"
"${nsx[@]}" nft add rule inet hard input tcp dport 20000-40000 drop
start_bg scan "${nsx[@]}" "$sk_probe" -q --timeout 3 127.0.0.1 -p 20000-40000
sleep 0.7
kill -INT "${bg_pid[scan]}"
wait_exit scan 5
expect_eq "$rc" 1 "an interrupted scan ends with its summary status"
start_bg ping "${nsx[@]}" "$sk_ping" -i 0.01 -W 3 127.0.0.1:20001
sleep 0.7
kill -INT "${bg_pid[ping]}"
wait_exit ping 5
expect_eq "$rc" 1 "an interrupted ping with nothing answered exits 1"
expect_in "$work/ping.out" "unanswered at the end" "the interrupted ping counts its attempts in flight"
start_bg watch "${nsx[@]}" "$sk_states" --watch 0.2
sleep 0.5
kill -INT "${bg_pid[watch]}"
wait_exit watch 5
expect_eq "$rc" 0 "an interrupted watch exits 0"
left=$("${nsx[@]}" ss -Htan state syn-sent | wc -l)
expect_eq "$left" 0 "no SYN_SENT socket outlives the interrupted scan and ping"
left=$("${nsx[@]}" ss -Htan '( dport >= :20000 and dport <= :40000 )' | wc -l)
expect_eq "$left" 0 "no socket toward the probed ports is left in the namespace"

echo "hardening: $((SECONDS - started)) s"
finish
