#!/usr/bin/env bash
# sk-ping against real sockets: an open port (text, -q, -D, JSON, --histogram,
# --deadline, --resolve-each), a closed one, --send/--expect against an echo server, UDP
# echo pings (a closed UDP port, and a relay that loses, duplicates and reorders replies
# by a fixed rule, so the counts are known exactly), SIGINT and SIGTERM, --check with
# every Nagios code, Prometheus output through promtool, and bad input. As root, in a
# network namespace of its own: SYNs dropped by nftables (timeouts, -W, counted SYN
# retransmissions), ICMP rejects over IPv4 and IPv6, SYN-ACKs lost at random, a SYN
# schedule that is known exactly, handshake timing against an NFQUEUE delayer holding
# every SYN-ACK 20 ms, --close against servers that close, hold and delay, IPv6 by
# name, and no descriptor or socket left behind after 200 quick attempts. Every wait
# has a deadline.
#   sk_ping_test.sh BIN_DIR SOURCE_DIR
set -uo pipefail
source "$(dirname "$0")/lib.sh"
sk_ping="$1/sk-ping"
sk_echo="$1/sk-echo"
src=$2
started=$SECONDS

declare -A server_pid=() bg_pid=()
ns=""
etc_netns_made=false
cleanup() {
    local name
    for name in "${!bg_pid[@]}"; do kill -KILL "${bg_pid[$name]}" 2>/dev/null; done
    for name in "${!server_pid[@]}"; do kill -KILL "${server_pid[$name]}" 2>/dev/null; done
    if [[ -n $ns ]]; then
        ip netns del "$ns" 2>/dev/null
        rm -rf "/etc/netns/$ns"
        $etc_netns_made && rmdir /etc/netns 2>/dev/null
    fi
    rm -rf "$work"
}
trap cleanup EXIT
trap 'exit 2' INT TERM

ping_run() {  # ping_run WANT DESCRIPTION ARGS...: sk-ping ARGS, output in $work/out and err
    local want=$1 what=$2
    shift 2
    expect_status "$want" "$what" -- "$sk_ping" "$@"
}

expect_error() { expect_usage_error "$sk_ping" sk-ping "$@"; }  # DESCRIPTION TEXT -- ARGS...

expect_match() {  # expect_match FILE REGEX DESCRIPTION: a line matches the extended regex
    if grep -qE -- "$2" "$1"; then pass "$3"; else fail "$3: no line matches /$2/ in: $(head -c 400 "$1")"; fi
}

expect_no_match() {  # expect_no_match FILE REGEX DESCRIPTION
    if grep -qE -- "$2" "$1"; then fail "$3: a line matches /$2/: $(grep -E -- "$2" "$1" | head -1)"; else pass "$3"; fi
}

expect_count() {  # expect_count FILE REGEX N DESCRIPTION: N lines match the extended regex
    expect_eq "$(grep -cE -- "$2" "$1")" "$3" "$4"
}

expect_empty() {  # expect_empty FILE DESCRIPTION
    if [[ -s $1 ]]; then fail "$2: $(basename "$1") holds $(head -c 300 "$1")"; else pass "$2"; fi
}

expect_jq() {  # expect_jq FILE JQ WANT DESCRIPTION: JQ over all JSON lines slurped (jq -rs)
    local got
    got=$(jq -rs "$2" "$1" 2>&1)
    expect_eq "$got" "$3" "$4"
}

expect_ms() {  # expect_ms GOT_MS LOW HIGH DESCRIPTION
    if [[ $1 =~ ^-?[0-9]+$ ]] && (($1 >= $2 && $1 <= $3)); then
        pass "$4 ($1 ms)"
    else
        fail "$4: $1 ms, wanted $2 to $3 ms"
    fi
}

# jq_ms FILE JQ: the number JQ (jq -rs) gives, in whole ms; -1 when it is not a number.
jq_ms() {
    local v
    v=$(jq -rs "$2 | if type == \"number\" then floor else -1 end" "$1" 2>/dev/null)
    echo "${v:--1}"
}

summary='(.[] | select(.type == "summary"))'
probes='[.[] | select(.type == "probe")]'
t3='[0-9]+\.[0-9]{3}'  # a time in ms with three decimals

# The JSON keys, as the man page documents them.
tcp_probe_keys="address,kernel_rtt_ms,port,result,rtt_ms,seq,syn_retrans,timestamp_s,type"
tcp_summary_keys="address,connected,dns_ms,duration_s,failed,failures,interrupted,loss_pct,port,protocol,retransmitted_attempts,rtt_ms,sent,syn_loss_pct,syn_retrans,syn_sent,target,type"
# Every statistic in a summary is one object of the same shape.
stats_keys="count,min,mean,max,mdev,p50,p90,p99,p999"
udp_probe_keys="address,duplicate,late,port,reordered,result,rtt_ms,seq,timestamp_s,type"
udp_summary_keys="address,dns_ms,duplicates,duration_s,failed,failures,interrupted,late,loss_pct,port,protocol,received,reordered,rtt_ms,sent,target,type"

# --- servers on loopback: an echo (TCP and UDP) and a port that was just closed -------------
launch gone "$sk_echo" -t -u -l 127.0.0.1:0
closed=$port
stop_server gone  # its TCP and UDP port are now closed
launch echo "$sk_echo" -t -u -l 127.0.0.1:0
open=$port
# A relay to the echo that, of the replies coming back, drops every 10th, sends every 7th
# twice, and holds every 6th until the next one has gone (a drop wins). Python takes a
# while to start: the UDP checks below wait for it.
start_bg mangle python3 "$src/tests/tools/udp_mangle.py" --upstream "127.0.0.1:$open" \
    --drop-every 10 --dup-every 7 --swap-every 6
# And one that holds every 3rd reply until the next has gone, or 5 s.
start_bg holder python3 "$src/tests/tools/udp_mangle.py" --upstream "127.0.0.1:$open" \
    --swap-every 3 --hold-max 5
expect_eq "$(grep -c "^listening on 127\.0\.0\.1:$open " "$work/echo.out")" 2 "echo: TCP and UDP on port $open"

# --- an open port ----------------------------------------------------------------------------
ping_run 0 "open: -c 3 exits 0" -c 3 -i 0.05 127.0.0.1:"$open"
expect_match "$work/out" "^SK-PING 127\.0\.0\.1:$open \(127\.0\.0\.1:$open\): TCP handshake, DNS $t3 ms\$" \
    "open: the header names target, address, what is timed and the DNS time"
expect_count "$work/out" "^seq=[0-9]+ 127\.0\.0\.1:$open connected time=$t3 ms srtt=$t3 ms\$" 3 \
    "open: three \"seq=N ADDR:PORT connected time= srtt=\" lines"
expect_eq "$(grep -o '^seq=[0-9]*' "$work/out" | tr '\n' ' ')" "seq=1 seq=2 seq=3 " "open: in sequence"
expect_match "$work/out" "^--- 127\.0\.0\.1:$open sk-ping statistics ---\$" "open: the statistics header"
expect_match "$work/out" '^3 sent, 3 connected, 0 failed, 0\.0% loss, time [0-9]+ ms$' "open: the counts line"
expect_match "$work/out" "^handshake min/avg/max/mdev = $t3/$t3/$t3/$t3 ms, p50/p90/p99 = $t3/$t3/$t3 ms\$" \
    "open: the handshake times line"
expect_match "$work/out" '^SYNs: 3 sent, 0 unanswered \(0\.0%\), 0 attempts needed a retransmission$' "open: the SYN line"
expect_match "$work/out" "^dns $t3 ms\$" "open: the DNS line"
expect_lines "$work/out" 10 "open: header, 3 lines, blank, 5 summary lines and nothing else"
expect_no_match "$work/out" '^note:' "open: no note when all is well"
expect_ms "$(sed -n 's/^3 sent.*, time \([0-9]*\) ms$/\1/p' "$work/out")" 90 1000 \
    "open: 3 attempts 50 ms apart take about 100 ms"
expect_empty "$work/err" "open: nothing on stderr"

ping_run 0 "-q: exits 0" -q -c 3 -i 0.02 127.0.0.1:"$open"
expect_count "$work/out" '^seq=' 0 "-q: no per-attempt lines"
expect_match "$work/out" '^3 sent, 3 connected, 0 failed, 0\.0% loss' "-q: the summary"
expect_match "$work/out" '^handshake min/avg/max/mdev' "-q: the handshake times"

ping_run 0 "-D: exits 0" -D -c 3 -i 0.2 127.0.0.1:"$open"
expect_count "$work/out" "^\[[0-9]{10}\.[0-9]{6}\] seq=[123] 127\.0\.0\.1:$open connected " 3 "-D: each attempt line starts with [UNIX.us]"
expect_match "$work/out" '^\[[0-9]{10}\.[0-9]{6}\] SK-PING ' "-D: the header line too"
stamps=$(sed -n 's/^\[\([0-9.]*\)\] seq=.*/\1/p' "$work/out" | tr '\n' ' ')
now=$(date +%s)
read -r first _ last <<<"$stamps"
if awk -v a="${first:-0}" -v b="${last:-0}" -v now="$now" \
    'BEGIN { exit !(a > now - 60 && a <= now + 1 && b - a >= 0.35 && b - a <= 0.8) }'; then
    pass "-D: stamps are the wall clock, the 1st and 3rd 0.4 s apart ($stamps)"
else
    fail "-D: stamps $stamps (now $now), wanted now and 0.4 s from the 1st to the 3rd"
fi

ping_run 0 "json: open" -j -c 3 -i 0.05 127.0.0.1:"$open"
if jq -e . "$work/out" >/dev/null 2>&1; then pass "json: every line parses"; else fail "json: bad JSON: $(head -c 300 "$work/out")"; fi
expect_lines "$work/out" 4 "json: three probes and a summary"
expect_jq "$work/out" "[${probes}[] | keys | join(\",\")] | unique | join(\" \")" "$tcp_probe_keys" "json: the keys of a TCP probe"
expect_jq "$work/out" "$summary | keys | join(\",\")" "$tcp_summary_keys" "json: the keys of a TCP summary"
expect_jq "$work/out" "$summary | .failures | keys | join(\",\")" "error,in_flight,mismatch,refused,timeout,unreachable" \
    "json: the failure counts of a TCP summary"
expect_jq "$work/out" "$probes | map(\"\(.seq) \(.address) \(.port) \(.result) \(.rtt_ms | type) \(.kernel_rtt_ms | type) \(.syn_retrans)\") | join(\",\")" \
    "1 127.0.0.1 $open connected number number 0,2 127.0.0.1 $open connected number number 0,3 127.0.0.1 $open connected number number 0" \
    "json: seq, addr, port, result, rtt_ms, kernel_rtt_ms, syn_retrans"
expect_jq "$work/out" "$probes | map(.timestamp_s > now - 60 and .timestamp_s <= now) | all" true "json: timestamp_s is the wall clock"
expect_jq "$work/out" "$probes | (.[2].timestamp_s - .[0].timestamp_s) | . >= 0.09 and . < 0.5" true \
    "json: timestamps 50 ms apart"
expect_eq "$(tail -1 "$work/out" | jq -r '"\(.type) \(.target) \(.address) \(.port) \(.protocol) \(.sent) \(.connected) \(.failed) \(.loss_pct) \(.syn_sent) \(.syn_retrans) \(.syn_loss_pct) \(.retransmitted_attempts) \(.interrupted)"')" \
    "summary 127.0.0.1:$open 127.0.0.1 $open tcp 3 3 0 0 3 0 0 0 false" "json: the summary comes last, with its counts"
expect_jq "$work/out" "$summary | [.failures[]] | add" 0 "json: no failures"
expect_jq "$work/out" "$summary | [.rtt_ms, .dns_ms] | map(keys_unsorted | join(\",\")) | unique | join(\" \")" "$stats_keys" \
    "json: rtt_ms and dns_ms are statistics objects, keys in order"
expect_jq "$work/out" "$summary.rtt_ms as \$s | \$s.count == 3 and \$s.min <= \$s.p50 and \$s.p50 <= \$s.max and \$s.min <= \$s.mean and \$s.mean <= \$s.max and \$s.p90 <= \$s.p99 and \$s.p99 <= \$s.p999" \
    true "json: rtt_ms count 3, min <= p50, mean <= max"
expect_jq "$work/out" "($probes | map(.rtt_ms) | min) == $summary.rtt_ms.min and ($probes | map(.rtt_ms) | max) == $summary.rtt_ms.max" \
    true "json: the summary's min and max are the probes' own"
expect_jq "$work/out" "$summary | \"\(.dns_ms.count) \(.dns_ms.mean | type) \(.duration_s >= 0.09 and .duration_s < 1)\"" "1 number true" \
    "json: dns_ms (one lookup) and duration_s"

ping_run 0 "--histogram" -q --histogram -c 20 -i 0.005 127.0.0.1:"$open"
hist=$(grep -cE "^ *$t3 - $t3 +ms \|#+ *\| [0-9]+\$" "$work/out")
if ((hist >= 1)); then pass "--histogram: $hist bins"; else fail "--histogram: no bins in $(head -c 400 "$work/out")"; fi
expect_eq "$(sed -nE 's/^ *[0-9.]+ - [0-9.]+ +ms \|#+ *\| ([0-9]+)$/\1/p' "$work/out" | awk '{ n += $1 } END { print n }')" 20 \
    "--histogram: the bins hold all 20 handshakes"

t0=$(now_ms)
ping_run 0 "-w 0.35 -i 0.1: a deadline ends an endless run" -j -w 0.35 -i 0.1 127.0.0.1:"$open"
expect_ms $(($(now_ms) - t0)) 300 1500 "-w 0.35: ends after about 0.35 s"
expect_jq "$work/out" "$summary | \"\(.sent) \(.connected + .failures.in_flight) \(.interrupted)\"" "4 4 false" \
    "-w 0.35 -i 0.1: four attempts (0, 0.1, 0.2, 0.3 s)"

ping_run 0 "--resolve-each" -j --resolve-each -4 -c 2 -i 0.05 localhost:"$open"
expect_jq "$work/out" "$probes | map(\"\(.address) \(.dns_ms | type)\") | join(\",\")" "127.0.0.1 number,127.0.0.1 number" \
    "--resolve-each: every probe has its own dns_ms"
expect_jq "$work/out" "$summary | \"\(.target) \(.address) \(.dns_ms.count)\"" "localhost:$open 127.0.0.1 2" \
    "--resolve-each: the summary keeps the name as the target"
ping_run 0 "a name: -4 localhost" -c 1 -4 localhost:"$open"
expect_match "$work/out" "^SK-PING localhost:$open \(127\.0\.0\.1:$open\): TCP handshake" "a name: the header shows name and address"
source_port=$((40000 + $$ % 20000))
ping_run 0 "-s ADDR:PORT, twice" -j -c 2 -i 0.05 -s 127.0.0.2:"$source_port" 127.0.0.1:"$open"
expect_jq "$work/out" "$summary | .connected" 2 "-s ADDR:PORT: the port is free again for the 2nd attempt (reset, no TIME_WAIT)"
ping_run 1 "-s a foreign address" -j -c 1 -s 10.1.1.1 127.0.0.1:"$open"
expect_jq "$work/out" "$probes | map(\"\(.result) \(.error) \(.message)\") | join(\",\")" "error EADDRNOTAVAIL no local address (EADDRNOTAVAIL)" \
    "-s a foreign address: an error result, with its errno"
ping_run 1 "-s a foreign address, text" -c 2 -i 0.05 -s 10.1.1.1 127.0.0.1:"$open"
expect_match "$work/out" '^2 sent, 0 connected, 2 failed \(2 error \(EADDRNOTAVAIL: no local address\)\), 100\.0% loss, time [0-9]+ ms$' \
    "-s a foreign address, text: the summary names the reason of the errors"
ping_run 1 "-s a foreign address, -q" -q -c 1 -s 10.1.1.1 127.0.0.1:"$open"
expect_match "$work/out" '^1 sent, 0 connected, 1 failed \(1 error \(EADDRNOTAVAIL: no local address\)\)' \
    "-s a foreign address, -q: the reason without the lines"
ping_run 0 "-p: the port apart" -c 1 -j -p "$open" 127.0.0.1
expect_jq "$work/out" "$summary | \"\(.target) \(.port) \(.connected)\"" "127.0.0.1 $open 1" "-p: pings that port"
# tcping's order: HOST PORT, the port as a word of its own.
ping_run 0 "HOST PORT: tcping's order" -c 1 -j 127.0.0.1 "$open"
expect_jq "$work/out" "$summary | \"\(.target) \(.address) \(.port) \(.connected)\"" "127.0.0.1 127.0.0.1 $open 1" \
    "HOST PORT: pings that port, as -p does"
ping_run 0 "HOST PORT, text, options after" -4 localhost "$open" -c 2 -i 0.05
expect_match "$work/out" "^SK-PING localhost \(127\.0\.0\.1:$open\): TCP handshake" "HOST PORT, text: the header"
expect_count "$work/out" "^seq=[12] 127\.0\.0\.1:$open connected " 2 "HOST PORT, text: two connected lines"
ping_run 1 "HOST PORT to a closed port" -c 1 127.0.0.1 "$closed"
expect_match "$work/out" "^seq=1 127\.0\.0\.1:$closed refused \(reset\)" "HOST PORT to a closed port: refused"

# --- a closed port ---------------------------------------------------------------------------
ping_run 1 "closed: exits 1" -c 2 -i 0.05 127.0.0.1:"$closed"
expect_count "$work/out" "^seq=[12] 127\.0\.0\.1:$closed refused \(reset\) time=$t3 ms\$" 2 "closed: two \"refused (reset)\" lines"
expect_match "$work/out" '^2 sent, 0 connected, 2 failed \(2 refused\), 100\.0% loss, time [0-9]+ ms$' "closed: the counts line"
expect_count "$work/out" '^handshake ' 0 "closed: no handshake times"
expect_match "$work/out" '^SYNs: 2 sent, 0 unanswered \(0\.0%\), 0 attempts needed a retransmission$' "closed: each SYN answered by a reset"
expect_match "$work/out" "^note: every answer was a reset: nothing listens on port $closed, or a firewall rejects with a TCP reset" \
    "closed: the every-answer-was-a-reset note"
expect_count "$work/out" '^note:' 1 "closed: that note only"
ping_run 1 "closed, JSON" -j -c 2 -i 0.05 127.0.0.1:"$closed"
expect_jq "$work/out" "$probes | map(\"\(.result) \(.rtt_ms | type) \(.kernel_rtt_ms) \(.syn_retrans) \(.error) \(.message)\") | unique | join(\",\")" \
    "refused number null 0 ECONNREFUSED ECONNREFUSED (Connection refused)" "closed, JSON: refused, timed, with the errno"
expect_jq "$work/out" "$summary | \"\(.sent) \(.connected) \(.failed) \(.failures.refused) \(.loss_pct) \(.rtt_ms.count) \(.rtt_ms.min) \(.rtt_ms.p50) \(.rtt_ms.mean)\"" \
    "2 0 2 2 100 0 null null null" "closed, JSON: the summary, no times"

# --- --send and --expect against the echo -----------------------------------------------------
ping_run 0 "--send --expect: the echo matches" -j -c 2 -i 0.05 --send 'ping\r\n' --expect 'ping\r' 127.0.0.1:"$open"
expect_jq "$work/out" "$probes | map(\"\(.result) \(.matched) \(.ttfb_ms | type)\") | unique | join(\",\")" "connected true number" \
    "--send --expect: connected, matched, ttfb_ms"
expect_jq "$work/out" "$summary | \"\(.connected) \(.failures.mismatch) \(.ttfb_ms.p50 | type)\"" "2 0 number" \
    "--send --expect: the summary has the first-byte times"
ping_run 0 "--send alone" -c 1 --send 'x' 127.0.0.1:"$open"
expect_match "$work/out" "^SK-PING .*: TCP handshake, request, DNS " "--send: the header says a request is timed"
expect_match "$work/out" "^seq=1 127\.0\.0\.1:$open connected time=$t3 ms srtt=$t3 ms first_byte=$t3 ms\$" "--send: first_byte on the line"
expect_match "$work/out" "^first byte min/avg/max/mdev = " "--send: first-byte times in the summary"
ping_run 1 "--expect that does not come: mismatch, exit 1" -j -c 1 -W 0.3 --send 'ping\r\n' --expect pong 127.0.0.1:"$open"
expect_jq "$work/out" "$probes | map(\"\(.result) \(.matched) \(.ttfb_ms | type) \(.rtt_ms | type) \(.message | type)\") | join(\",\")" \
    "mismatch false number number string" "mismatch: the echo came back (ttfb_ms) without the pattern"
expect_jq "$work/out" "$summary | \"\(.sent) \(.connected) \(.failures.mismatch)\"" "1 0 1" "mismatch: counted as a failure"
ping_run 1 "mismatch, text" -c 1 -W 0.3 --send 'ping\r\n' --expect pong 127.0.0.1:"$open"
expect_match "$work/out" "^seq=1 127\.0\.0\.1:$open mismatch: the expected text did not come in time, got \"ping\\\\r\\\\n\" \(6 bytes\) time=$t3 ms\$" \
    "mismatch, text: the line shows what came back, C-escaped"
expect_match "$work/out" '^note: connections were made but the request was not answered as expected' "mismatch, text: the note"
ping_run 1 "mismatch, JSON: what came back" -j -c 1 -W 0.3 --send 'a"b\\\x01\tc\r\n' --expect pong 127.0.0.1:"$open"
expect_jq "$work/out" "$probes | map(\"\(.answer | @json) \(.answer_bytes)\") | join(\",\")" '"a\"b\\\u0001\tc\r\n" 9' \
    "mismatch, JSON: answer holds the bytes, JSON-escaped, and answer_bytes their count"
long=$(printf 'x%.0s' {1..100})
ping_run 1 "mismatch, a long answer" -c 1 -W 0.3 --send "$long" --expect pong 127.0.0.1:"$open"
expect_match "$work/out" "^seq=1 127\.0\.0\.1:$open mismatch: the expected text did not come in time, got \"x{64}\" \(the first 64 of 100 bytes\) time=$t3 ms\$" \
    "mismatch, a long answer: the first 64 bytes only"
ping_run 1 "mismatch, a long answer, JSON" -j -c 1 -W 0.3 --send "$long" --expect pong 127.0.0.1:"$open"
expect_jq "$work/out" "$probes | map(\"\(.answer | length) \(.answer_bytes)\") | join(\",\")" "64 100" \
    "mismatch, a long answer, JSON: 64 bytes of 100"

# --- --close against a peer that keeps sending after our FIN --------------------------------
# A server that writes without pause to every connection for 60 s at most, and never
# closes: draining it must not hold sk-ping past -W, nor past Ctrl-C.
cat >"$work/flood.py" <<'PY'
import socket, threading, time
end = time.monotonic() + 60
s = socket.socket()
s.bind(("127.0.0.1", 0))
s.listen(16)
s.settimeout(1)
print(f"listening on 127.0.0.1:{s.getsockname()[1]} tcp", flush=True)
def flood(c):
    chunk = b"x" * (1 << 20)
    try:
        while time.monotonic() < end:
            c.sendall(chunk)
    except OSError:
        pass
    c.close()
while time.monotonic() < end:
    try:
        c, _ = s.accept()
    except socket.timeout:
        continue
    threading.Thread(target=flood, args=(c,), daemon=True).start()
PY
# On one CPU, with the server at a real-time priority, the server refills our receive
# queue before it runs dry: a drain that reads until it is empty never ends.
pin=() rt=()
cpu=$(taskset -pc $$ 2>/dev/null | sed -n 's/.*: *\([0-9]*\).*/\1/p')
if [[ -n $cpu ]] && taskset -c "$cpu" chrt -f 10 true 2>/dev/null; then
    pin=(taskset -c "$cpu") rt=(taskset -c "$cpu" chrt -f 10)
else
    echo "note: no real-time priority here: the flood below may not outrun sk-ping's reads"
fi
launch flood-py "${rt[@]}" python3 "$work/flood.py"
flood=$port
t0=$(now_ms)
expect_status 0 "--close, a peer that keeps sending: exit 0" -- "${pin[@]}" "$sk_ping" -c 1 -W 1 --close 127.0.0.1:"$flood"
expect_ms $(($(now_ms) - t0)) 900 2500 "--close, a peer that keeps sending: ends after -W 1, within about 2 s"
expect_match "$work/out" "^seq=1 127\.0\.0\.1:$flood connected time=$t3 ms srtt=$t3 ms close: no FIN from the peer in time, it kept sending \([0-9]+ bytes after our FIN\) \(FIN_WAIT1 > FIN_WAIT2\)\$" \
    "--close, a peer that keeps sending: the line says it kept sending"
expect_match "$work/out" '^note: the peer kept sending after our FIN and did not close its side in time' \
    "--close, a peer that keeps sending: the note"
expect_no_match "$work/out" '^note: the peer acknowledged our FIN but did not send its own' \
    "--close, a peer that keeps sending: not the note of a silent peer"
t0=$(now_ms)
expect_status 0 "--close, a peer that keeps sending, JSON" -- "${pin[@]}" "$sk_ping" -j -c 1 -W 1 --close 127.0.0.1:"$flood"
expect_ms $(($(now_ms) - t0)) 900 2500 "--close, a peer that keeps sending, JSON: ends within about 2 s"
expect_jq "$work/out" "$probes | map(\"\(.result) \(.close_result) \(.close_ms) \(.close_bytes_received > 0)\") | join(\",\")" \
    "connected timeout null true" "--close, a peer that keeps sending, JSON: close_result timeout, close_bytes_received"
expect_jq "$work/out" "$summary | \"\(.connected) \(.close_timeouts)\"" "1 1" "--close, a peer that keeps sending, JSON: the summary"
start_bg flood_int "${pin[@]}" "$sk_ping" -j --close -i 5 -W 30 127.0.0.1:"$flood"
sleep 1
kill -INT "${bg_pid[flood_int]}"
t0=$(now_ms)
wait_exit flood_int 5
expect_ms $(($(now_ms) - t0)) 0 1000 "--close, a peer that keeps sending: SIGINT ends it at once"
expect_eq "$rc" 0 "--close, a peer that keeps sending: SIGINT, exit 0 (it connected)"
expect_eq "$(tail -1 "$work/flood_int.out" | jq -r '"\(.type) \(.interrupted) \(.connected)"' 2>&1)" "summary true 1" \
    "--close, a peer that keeps sending: SIGINT, the summary last, interrupted"
stop_server flood-py

# --- UDP ---------------------------------------------------------------------------------------
ping_run 0 "udp: echo replies" -u -c 3 -i 0.05 127.0.0.1:"$open"
expect_match "$work/out" "^SK-PING 127\.0\.0\.1:$open \(127\.0\.0\.1:$open\): UDP echo, 64 bytes, DNS $t3 ms\$" "udp: the header"
expect_count "$work/out" "^seq=[123] 127\.0\.0\.1:$open reply time=$t3 ms\$" 3 "udp: three reply lines"
expect_match "$work/out" '^3 sent, 3 received, 0 failed, 0\.0% loss, time [0-9]+ ms$' "udp: the counts line"
expect_match "$work/out" "^rtt min/avg/max/mdev = $t3/$t3/$t3/$t3 ms" "udp: the rtt line"
expect_match "$work/out" '^datagrams: 0 duplicated, 0 reordered, 0 late$' "udp: the datagrams line"
expect_count "$work/out" '^SYNs:' 0 "udp: no SYN line"
ping_run 0 "udp, JSON, --size 1000" -u -j -c 3 -i 0.05 --size 1000 127.0.0.1:"$open"
expect_jq "$work/out" "[${probes}[] | keys | join(\",\")] | unique | join(\" \")" "$udp_probe_keys" "udp, JSON: the keys of a probe"
expect_jq "$work/out" "$summary | keys | join(\",\")" "$udp_summary_keys" "udp, JSON: the keys of the summary"
expect_jq "$work/out" "$summary | .failures | keys | join(\",\")" "error,in_flight,refused,timeout,unreachable" "udp, JSON: its failure counts"
expect_jq "$work/out" "$summary | \"\(.protocol) \(.sent) \(.received) \(.duplicates) \(.reordered) \(.late) \(.loss_pct)\"" \
    "udp 3 3 0 0 0 0" "udp, JSON: the summary"
ping_run 1 "udp: a closed port" -u -c 2 -i 0.05 -W 0.5 127.0.0.1:"$closed"
expect_count "$work/out" "^seq=[12] 127\.0\.0\.1:$closed refused: port unreachable \(ICMP type 3 code 3\)\$" 2 \
    "udp, closed: refused by ICMP port unreachable"
expect_match "$work/out" '^note: ICMP port unreachable came back: nothing listens on that UDP port$' "udp, closed: the note"
ping_run 1 "udp: a closed port, JSON" -u -j -c 2 -i 0.05 -W 0.5 127.0.0.1:"$closed"
expect_jq "$work/out" "$probes | map(\"\(.result) \(.rtt_ms) \(.icmp.type) \(.icmp.code) \(.icmp.v6)\") | unique | join(\",\")" \
    "refused null 3 3 false" "udp, closed, JSON: the icmp object"
expect_jq "$work/out" "$summary | \"\(.received) \(.failures.refused)\"" "0 2" "udp, closed, JSON: counted refused"

# Through the relay, 40 pings: dropped 10 20 30 40; duplicated 7 14 21 28 35; overtaken
# 6 12 18 24 36 (30 is dropped, not held).
wait_lines mangle '^listening on 127\.0\.0\.1:[0-9]* udp$' 1 10
relay=$(sed -n '1s/^listening on .*:\([0-9]*\) udp$/\1/p' "$work/mangle.out")
relay=${relay:-1}
ping_run 0 "udp through the relay: 40 pings" -u -j -c 40 -i 0.02 -W 0.5 127.0.0.1:"$relay"
expect_jq "$work/out" "$summary | \"\(.sent) \(.received) \(.failed) \(.failures.timeout) \(.loss_pct) \(.duplicates) \(.reordered) \(.late)\"" \
    "40 36 4 4 10 5 5 0" "udp relay: 36 of 40 back, 10% loss, 5 duplicates, 5 reordered, none late"
expect_jq "$work/out" "$probes | map(select(.result == \"timeout\") | .seq) | join(\" \")" "10 20 30 40" "udp relay: the dropped ones time out"
expect_jq "$work/out" "$probes | map(select(.duplicate) | .seq) | join(\" \")" "7 14 21 28 35" "udp relay: the duplicated ones"
expect_jq "$work/out" "$probes | map(select(.reordered) | .seq) | join(\" \")" "6 12 18 24 36" "udp relay: the overtaken ones"
expect_jq "$work/out" "$probes | length" 45 "udp relay: a line per reply, duplicates included, and per timeout"
# The relay counts on: the second run's replies are its 41st to 80th. Dropped: 50 60 70
# 80 (pings 10 20 30 40); duplicated: 42 49 56 63 77 (70 is dropped); held: 42 48 54 66
# 72 78 (60 is dropped). 42 is held and duplicated: both copies go after 43, the first
# overtaken, the second a duplicate.
ping_run 0 "udp through the relay, text" -u -c 40 -i 0.02 -W 0.5 127.0.0.1:"$relay"
expect_eq "$(sed -n 's/^seq=\([0-9]*\) .* reply time=[0-9.]* ms (duplicate)$/\1/p' "$work/out" | tr '\n' ' ')" "2 9 16 23 37 " \
    "udp relay, text: the duplicates marked (duplicate)"
expect_eq "$(sed -n 's/^seq=\([0-9]*\) .* reply time=[0-9.]* ms (reordered)$/\1/p' "$work/out" | tr '\n' ' ')" "2 8 14 26 32 38 " \
    "udp relay, text: the overtaken ones marked (reordered)"
expect_eq "$(sed -n 's/^seq=\([0-9]*\) .* timeout: no answer in 500 ms$/\1/p' "$work/out" | sort -n | tr '\n' ' ')" "10 20 30 40 " \
    "udp relay, text: the lost ones time out"
expect_match "$work/out" '^40 sent, 36 received, 4 failed \(4 timeout\), 10\.0% loss, time [0-9]+ ms$' "udp relay, text: the counts line"
expect_match "$work/out" '^datagrams: 5 duplicated, 6 reordered, 0 late$' "udp relay, text: the datagrams line"
expect_match "$work/out" '^note: 4 of 40 datagrams were lost' "udp relay, text: the loss note"
expect_match "$work/out" '^note: UDP neither removes duplicates nor keeps order' "udp relay, text: the order note"
kill -TERM "${bg_pid[mangle]}"
wait_exit mangle 5
expect_eq "$rc" 0 "udp relay: exits 0 on SIGTERM"
# Replies held past -W: 3 comes 0.15 s late, after 4, so it is reported as a timeout,
# then as late (and reordered); 6 waits for a 7 that never comes: lost.
wait_lines holder '^listening on 127\.0\.0\.1:[0-9]* udp$' 1 10
relay=$(sed -n '1s/^listening on .*:\([0-9]*\) udp$/\1/p' "$work/holder.out")
ping_run 0 "udp, late replies" -u -j -c 6 -i 0.15 -W 0.05 127.0.0.1:"${relay:-1}"
expect_jq "$work/out" "$probes | map(\"\(.seq) \(.result) \(.late) \(.reordered)\") | join(\",\")" \
    "1 reply false false,2 reply false false,3 timeout false false,4 reply false false,3 reply true true,5 reply false false,6 timeout false false" \
    "udp, late replies: 3 times out, then comes late; 6 is lost"
expect_jq "$work/out" "$summary | \"\(.sent) \(.received) \(.failures.timeout) \(.late) \(.reordered) \(.duplicates) \(.loss_pct)\"" \
    "6 5 1 1 1 0 16.667" "udp, late replies: a late reply counts as received, not lost"
kill -TERM "${bg_pid[holder]}"
wait_exit holder 5
expect_in "$work/holder.out" "totals: relayed=11 dropped=0 duplicated=0 swapped=2" \
    "udp, late replies: the relay held two (6 still held at the end)"
ping_run 0 "prom, udp" -u -f prom -c 2 -i 0.02 127.0.0.1:"$open"
expect_promtool "$work/out" "prom, udp"
expect_match "$work/out" '^sockkit_echo_seconds\{.*,protocol="udp",quantile="0\.5"\} [0-9.e+-]+$' "prom, udp: the echo median"
expect_match "$work/out" '^sockkit_duplicates_total\{.*\} 0$' "prom, udp: no duplicates"
expect_in "$work/mangle.out" "totals: relayed=162 dropped=8 duplicated=10 swapped=11" "udp relay: the relay did what its rule says"

# --- SIGINT and SIGTERM ---------------------------------------------------------------------
start_bg sigint "$sk_ping" -j -i 0.05 127.0.0.1:"$open"
if wait_lines sigint '"type":"probe"' 3 10; then
    kill -INT "${bg_pid[sigint]}"
    t0=$(now_ms)
    wait_exit sigint 5
    expect_ms $(($(now_ms) - t0)) 0 1000 "SIGINT: ends at once"
    expect_eq "$rc" 0 "SIGINT after connections: exit 0"
    expect_eq "$(tail -1 "$work/sigint.out" | jq -r '"\(.type) \(.interrupted)"')" "summary true" \
        "SIGINT: the summary comes last, interrupted true"
    expect_jq "$work/sigint.out" "($probes | length) + $summary.failures.in_flight == $summary.sent" true \
        "SIGINT: every attempt counted"
else
    wait_exit sigint 0
fi
start_bg sigint_text "$sk_ping" -i 0.05 127.0.0.1:"$open"
if wait_lines sigint_text '^seq=' 2 10; then
    kill -INT "${bg_pid[sigint_text]}"
    wait_exit sigint_text 5
    expect_eq "$rc" 0 "SIGINT, text: exit 0"
    expect_match "$work/sigint_text.out" "^--- 127\.0\.0\.1:$open sk-ping statistics \(interrupted\) ---\$" \
        "SIGINT, text: the statistics, marked interrupted"
else
    wait_exit sigint_text 0
fi
start_bg sigterm "$sk_ping" -j -i 0.05 127.0.0.1:"$closed"
if wait_lines sigterm '"type":"probe"' 2 10; then
    kill -TERM "${bg_pid[sigterm]}"
    wait_exit sigterm 5
    expect_eq "$rc" 1 "SIGTERM when nothing connected: exit 1"
    expect_eq "$(tail -1 "$work/sigterm.out" | jq -r '"\(.type) \(.interrupted) \(.connected)"')" "summary true 0" \
        "SIGTERM: the summary, interrupted"
else
    wait_exit sigterm 0
fi

# --- --check (Nagios) --------------------------------------------------------------------------
# Plain decimals: plugin performance data has no exponents (5e-05).
nagios_perf='\| time=[0-9]+(\.[0-9]+)?s;[0-9.]*;[0-9.]*;0 loss=[0-9]+(\.[0-9])?%;[0-9.]*;[0-9.]*;0;100 dns=[0-9]+(\.[0-9]+)?s$'
ping_run 0 "--check: OK" --check -i 0.02 127.0.0.1:"$open"
expect_lines "$work/out" 1 "--check OK: one line"
expect_match "$work/out" "^SK-PING OK - 127\.0\.0\.1:$open: 3/3 connected, handshake avg $t3 ms, 0\.0% loss $nagios_perf" \
    "--check OK: status, three attempts by default, performance data"
expect_empty "$work/err" "--check OK: nothing on stderr"
ping_run 1 "--check --warn 0: WARNING" --check --warn 0 -i 0.02 127.0.0.1:"$open"
expect_match "$work/out" "^SK-PING WARNING - 127\.0\.0\.1:$open: 3/3 connected, .* \| time=[0-9.]+s;0;;0 " \
    "--check WARNING: the line, with the warning level in the performance data"
ping_run 2 "--check --crit 0,50%: CRITICAL by time" --check --warn 0 --crit 0,50% -i 0.02 127.0.0.1:"$open"
expect_match "$work/out" "^SK-PING CRITICAL - .* \| time=[0-9.]+s;0;0;0 loss=0%;;50;0;100 " "--check CRITICAL: both levels shown"
ping_run 2 "--check: a closed port is CRITICAL" --check -i 0.02 127.0.0.1:"$closed"
expect_lines "$work/out" 1 "--check CRITICAL: one line"
expect_match "$work/out" "^SK-PING CRITICAL - 127\.0\.0\.1:$closed: refused \(3 of 3\) \| time=U;;;0 loss=100%;;;0;100 dns=[0-9]+(\.[0-9]+)?s\$" \
    "--check CRITICAL: says refused, 3 of 3, and time=U (unknown) in the performance data"
ping_run 2 "--check: a closed port with levels" --check --warn 50 --crit 200,20% -c 2 -i 0.02 127.0.0.1:"$closed"
expect_match "$work/out" "^SK-PING CRITICAL - 127\.0\.0\.1:$closed: refused \(2 of 2\) \| time=U;0\.05;0\.2;0 loss=100%;;20;0;100 " \
    "--check CRITICAL with levels: time=U keeps the levels"
ping_run 2 "--check: a foreign source" --check -c 2 -i 0.02 -s 10.1.1.1 127.0.0.1:"$open"
expect_match "$work/out" "^SK-PING CRITICAL - 127\.0\.0\.1:$open: error \(2 of 2, EADDRNOTAVAIL: no local address\) \| time=U;" \
    "--check CRITICAL, errors: the reason named"
ping_run 0 "--check -u: OK" --check -u -c 2 -i 0.02 127.0.0.1:"$open"
expect_match "$work/out" "^SK-PING OK - 127\.0\.0\.1:$open: 2/2 replies, rtt avg $t3 ms, 0\.0% loss " "--check -u: replies"
expect_unknown() {  # expect_unknown DESCRIPTION TEXT -- ARGS...: --check's UNKNOWN
    local what=$1 text=$2
    shift 3
    ping_run 3 "--check: $what is UNKNOWN" "$@"
    expect_lines "$work/out" 1 "--check: $what: one line on stdout"
    expect_in "$work/out" "SK-PING UNKNOWN - $text" "--check: $what: the UNKNOWN line says why"
    expect_lines "$work/err" 1 "--check: $what: one line on stderr"
    expect_in "$work/err" "sk-ping: error: $text" "--check: $what: the error on stderr"
}
expect_unknown "a bad option" "The following argument was not expected: --bogus" -- --check --bogus 127.0.0.1:"$open"
expect_unknown "a bad --warn" 'invalid --warn "x"' -- --check --warn x 127.0.0.1:"$open"
expect_unknown "--format with --check" "--check prints its own line: drop --format" -- --check -j 127.0.0.1:"$open"
expect_unknown "a name that does not resolve" 'cannot resolve "nonexistent.invalid"' -- --check nonexistent.invalid:80

# --- Prometheus ------------------------------------------------------------------------------------
ping_run 0 "prom: open" -f prom -i 0.02 127.0.0.1:"$open"
cp "$work/out" "$work/open.prom"
expect_promtool "$work/open.prom" "prom"
labels="target=\"127\.0\.0\.1:$open\",addr=\"127\.0\.0\.1\",port=\"$open\",protocol=\"tcp\""
expect_match "$work/open.prom" "^sockkit_probe_success\{$labels\} 1\$" "prom: sockkit_probe_success 1"
expect_match "$work/open.prom" "^sockkit_dns_seconds\{$labels\} [0-9.e+-]+\$" "prom: sockkit_dns_seconds"
expect_match "$work/open.prom" "^sockkit_handshake_seconds\{$labels,quantile=\"0\.5\"\} [0-9.e+-]+\$" "prom: the handshake median"
expect_match "$work/open.prom" "^sockkit_handshake_seconds\{$labels,quantile=\"0\.999\"\} [0-9.e+-]+\$" "prom: the handshake p99.9"
expect_match "$work/open.prom" "^sockkit_handshake_seconds_count\{$labels\} 3\$" "prom: three handshakes (3 by default)"
expect_match "$work/open.prom" "^sockkit_attempts_total\{$labels,result=\"connected\"\} 3\$" "prom: attempts by result"
expect_match "$work/open.prom" '^# TYPE sockkit_handshake_seconds summary$' "prom: the handshake is a summary"
ping_run 1 "prom: closed" -f prom -i 0.02 127.0.0.1:"$closed"
expect_promtool "$work/out" "prom, closed"
expect_match "$work/out" '^sockkit_probe_success\{.*\} 0$' "prom, closed: sockkit_probe_success 0"
expect_match "$work/out" '^sockkit_attempts_total\{.*,result="refused"\} 3$' "prom, closed: three refused"

# --- bad input ----------------------------------------------------------------------------------
expect_error "port 70000" 'invalid address "127.0.0.1:70000"' -- 127.0.0.1:70000
expect_error "port 0" 'invalid address "127.0.0.1:0"' -- 127.0.0.1:0
expect_error "-p 0" "invalid --port 0: ports are 1-65535" -- -p 0 127.0.0.1
expect_error "-p with a port in the target" '"127.0.0.1:80" names a port already' -- -p 81 127.0.0.1:80
expect_error "HOST:PORT and a port word" '"127.0.0.1:80" names port 80, and "81" is another port: give one' -- 127.0.0.1:80 81
expect_error "-p and a port word" '-p 81 and "82" both name the port: give one' -- -p 81 127.0.0.1 82
expect_error "a port word that is no port" 'invalid port "http": expected a number 1-65535' -- 127.0.0.1 http
expect_error "a port word out of range" 'port 70000 is out of range 1-65535' -- 127.0.0.1 70000
expect_error "three words" "The following argument was not expected: 82" -- 127.0.0.1 81 82
expect_error "-c 0" "invalid --count 0" -- -c 0 127.0.0.1:80
expect_error "-c x" "Could not convert: --count" -- -c x 127.0.0.1:80
expect_error "-i 0" 'invalid duration "0" for --interval: expected 1ms to 1h' -- -i 0 127.0.0.1:80
expect_error "-i -1" 'invalid duration "-1" for --interval: expected 1ms to 1h' -- -i -1 127.0.0.1:80
expect_error "-W 0" 'invalid duration "0" for --timeout: expected 1ms to 1h' -- -W 0 127.0.0.1:80
expect_error "-w 0" 'invalid duration "0" for --deadline: expected 1ms to 744h' -- -w 0 127.0.0.1:80
expect_error "--size without -u" "--size is for UDP (-u)" -- --size 10 127.0.0.1:80
expect_error "--size 10 with -u" "invalid --size 10: expected 28 to 65507 bytes" -- -u --size 10 127.0.0.1:80
expect_error "--size 65508 with -u" "invalid --size 65508" -- -u --size 65508 127.0.0.1:80
expect_error "-4 with -6" "-4 and -6 contradict each other" -- -4 -6 127.0.0.1:80
expect_error "-6 with an IPv4 literal" "127.0.0.1 is an IPv4 address, but -6 was given" -- -6 127.0.0.1:80
expect_error "--close with -u" "--close, --send and --expect are for TCP" -- --close -u 127.0.0.1:80
expect_error "--expect with -u" "--close, --send and --expect are for TCP" -- --expect x -u 127.0.0.1:80
expect_error "--warn without --check" "--warn and --crit need --check" -- --warn 50 127.0.0.1:80
expect_error "--format csv" '--format csv is not supported here: use text, json or prom' -- --format csv 127.0.0.1:80
expect_error "-j with --format prom" "-j/--json and --format prom contradict each other" -- -j -f prom 127.0.0.1:80
expect_error "--send with a bad escape" "invalid --send" -- --send '\q' 127.0.0.1:80
expect_error "--send with half an \\x" "invalid --send" -- --send 'a\x4' 127.0.0.1:80
expect_error "an empty --expect" 'invalid --expect ""' -- --expect '' 127.0.0.1:80
expect_error "--source not an address" 'invalid --source "not-an-ip": expected an address literal' -- --source not-an-ip 127.0.0.1:80
expect_error "--source of the other family" "--source ::1 is IPv6, but 127.0.0.1:80 is IPv4" -- -s ::1 127.0.0.1:80
expect_error "a name that does not resolve" 'cannot resolve "nonexistent.invalid"' -- nonexistent.invalid:80
expect_error "no target" "no target" --
expect_error "--netns with a bad value" 'invalid --netns "pid:abc": expected pid:PID with PID 1-4194304' -- --netns pid:abc 127.0.0.1:80
expect_error "an unknown option" "The following argument was not expected: --bogus" -- --bogus 127.0.0.1:80
ping_run 0 "--help" --help
expect_in "$work/out" "--close" "--help lists --close"

# --- in a network namespace of our own ---------------------------------------------------------------
finish_unless_root "the namespace checks (drops, ICMP, SYN-ACK loss and delay, --close, IPv6) need root" "sk-ping test"
ns="sk-ping-test-$$"
if ! { ip netns add "$ns" && ip -n "$ns" link set lo up; }; then
    fail "cannot create namespace $ns"
    finish
    exit
fi
expect_error "--netns that does not exist" "network namespace \"$ns-none\" does not exist" -- --netns "$ns-none" 127.0.0.1:80

# 1001 drops SYNs; 1002 rejects with admin-prohibited; 1003 with host-unreachable; 1004
# with net-unreachable, as a router without a route would answer; 8081
# loses half its SYN-ACKs at random; 8082 drops the first two SYNs of three.
if ip netns exec "$ns" nft -f - <<'NFT'
table inet sk_ping_test {
    chain in {
        type filter hook input priority 0;
        tcp dport 1001 tcp flags & (syn | ack) == syn drop
        meta nfproto ipv4 tcp dport 1002 reject with icmp type admin-prohibited
        meta nfproto ipv6 tcp dport 1002 reject with icmpv6 type admin-prohibited
        tcp dport 1003 reject with icmpx type host-unreachable
        meta nfproto ipv4 tcp dport 1004 reject with icmp type net-unreachable
        tcp dport 8082 tcp flags & (syn | ack) == syn numgen inc mod 3 < 2 drop
    }
    chain out {
        type filter hook output priority 0;
        tcp sport 8081 tcp flags & (syn | ack) == (syn | ack) numgen random mod 100 < 50 drop
    }
}
NFT
then
    pass "nftables rules in $ns"
else
    fail "nftables rules in $ns"
fi
launch ns-echo "$sk_echo" --netns "$ns" -t -u -l 127.0.0.1:8080 -l '[::1]:8080' -l 127.0.0.1:8081 \
    -l 127.0.0.1:8082 -l 127.0.0.1:8083
launch ns-close "$sk_echo" --netns "$ns" -l 127.0.0.1:8090
launch ns-hold "$sk_echo" --netns "$ns" -l 127.0.0.1:8091 --on-eof hold
launch ns-delay "$sk_echo" --netns "$ns" -l 127.0.0.1:8092 --on-eof delay:0.3
nss() { ip netns exec "$ns" ss -Htan "$@" | wc -l; }
# expect_nss DESCRIPTION N SS-ARGS...: waits up to 2.5 s for ss to count N sockets.
expect_nss() {
    local what=$1 want=$2 got i
    shift 2
    for ((i = 0; i < 50; i++)); do
        got=$(nss "$@")
        [[ $got == "$want" ]] && break
        sleep 0.05
    done
    expect_eq "$got" "$want" "$what"
}
# The runs that take seconds go on in the background meanwhile; they are checked below.
start_bg synack_loss "$sk_ping" --netns "$ns" -j -c 16 -i 0.05 127.0.0.1:8081
start_bg two_syns "$sk_ping" --netns "$ns" -c 1 127.0.0.1:8082
start_bg dropped_w15 "$sk_ping" --netns "$ns" -j -c 1 -W 1.5 127.0.0.1:1001
start_bg hold "$sk_ping" --netns "$ns" -c 1 -W 1 --close 127.0.0.1:8091
start_bg hold_json "$sk_ping" --netns "$ns" -j -c 1 -W 1 --close 127.0.0.1:8091

# --- dropped SYNs -------------------------------------------------------------------------------------
t0=$(now_ms)
ping_run 1 "dropped: exit 1" --netns "$ns" -c 2 -i 0.1 -W 0.5 127.0.0.1:1001
expect_ms $(($(now_ms) - t0)) 550 1500 "dropped, -W 0.5: two attempts 0.1 s apart end after about 0.6 s"
expect_count "$work/out" '^seq=[12] 127\.0\.0\.1:1001 timeout: no answer in 500 ms \(1 SYN sent\)$' 2 "dropped: two timeout lines"
expect_match "$work/out" '^2 sent, 0 connected, 2 failed \(2 timeout\), 100\.0% loss, time [0-9]+ ms$' "dropped: the counts line"
expect_match "$work/out" '^SYNs: 2 sent, 2 unanswered \(100\.0%\), 0 attempts needed a retransmission$' "dropped: the SYN line"
expect_match "$work/out" '^note: no SYN was answered: a firewall drops them' "dropped: the note"
wait_exit dropped_w15 10
expect_eq "$rc" 1 "dropped, -W 1.5, JSON: exit 1"
cp "$work/dropped_w15.out" "$work/out"
expect_jq "$work/out" "$probes | map(\"\(.result) \(.rtt_ms) \(.kernel_rtt_ms) \(.syn_retrans)\") | join(\",\")" "timeout null null 1" \
    "dropped, -W 1.5: the SYN was sent again once (at 1 s)"
expect_jq "$work/out" "$summary | \"\(.sent) \(.failures.timeout) \(.syn_sent) \(.syn_retrans) \(.syn_loss_pct) \(.retransmitted_attempts)\"" \
    "1 1 2 1 100 0" "dropped, -W 1.5: 2 SYNs sent, both unanswered"
expect_ms "$(jq_ms "$work/out" "$summary | .duration_s * 1000")" 1450 2000 "dropped, -W 1.5: the attempt lasted 1.5 s"
t0=$(now_ms)
ping_run 1 "dropped, -w 0.5 before -W 4 ends: in flight" --netns "$ns" -j -w 0.5 -i 0.2 127.0.0.1:1001
expect_ms $(($(now_ms) - t0)) 450 1500 "dropped, -w 0.5: the deadline wins over -W"
expect_jq "$work/out" "\"\($probes | length) \($summary | \"\(.sent) \(.failures.in_flight) \(.failures.timeout)\")\"" "0 3 3 0" \
    "dropped, -w 0.5: three attempts, all in flight, none printed"

# --- ICMP rejects -------------------------------------------------------------------------------------
ping_run 1 "admin-prohibited: exit 1" --netns "$ns" -c 1 127.0.0.1:1002
expect_match "$work/out" "^seq=1 127\.0\.0\.1:1002 unreachable: administratively prohibited \(ICMP type 3 code 13\) time=$t3 ms\$" \
    "admin-prohibited: the ICMP type and code named"
expect_match "$work/out" '^1 sent, 0 connected, 1 failed \(1 unreachable \(administratively prohibited, ICMP type 3 code 13\)\), 100\.0% loss' \
    "admin-prohibited: counted unreachable, the ICMP type named"
expect_match "$work/out" '^note: ICMP errors stopped 1 of 1 attempts before the server \(administratively prohibited, ICMP type 3 code 13\): a router without a route, or a firewall.s reject rule$' \
    "admin-prohibited: the note"
ping_run 1 "admin-prohibited, -q" --netns "$ns" -q -c 2 -i 0.05 127.0.0.1:1002
expect_count "$work/out" '^seq=' 0 "admin-prohibited, -q: no lines"
expect_match "$work/out" '^note: ICMP errors stopped 2 of 2 attempts before the server \(administratively prohibited, ICMP type 3 code 13\)' \
    "admin-prohibited, -q: the note names the ICMP type itself"
expect_no_match "$work/out" 'lines above' "admin-prohibited, -q: no word of lines that were not printed"

# --- no route: connect() fails on this host, nothing leaves it ---------------------------------------
ping_run 1 "no route: exit 1" --netns "$ns" -c 2 -i 0.05 192.0.2.1:80
expect_count "$work/out" '^seq=[12] 192\.0\.2\.1:80 unreachable: no route on this host \(ENETUNREACH\), no SYN sent$' 2 \
    "no route: each line says no route on this host, ENETUNREACH, no SYN sent"
expect_match "$work/out" '^2 sent, 0 connected, 2 failed \(2 unreachable \(ENETUNREACH: no route on this host\)\), 100\.0% loss' \
    "no route: the counts line names the reason"
expect_count "$work/out" '^SYNs:' 0 "no route: no SYN line, none was sent"
expect_match "$work/out" '^note: nothing left this host: connect\(\) failed at once \(ENETUNREACH: no route on this host\), so no SYN was sent; ip route get ADDRESS shows how this host routes it$' \
    "no route: the note says nothing left the host"
expect_no_match "$work/out" 'router|firewall' "no route: no router or firewall blamed"
ping_run 1 "no route, JSON" --netns "$ns" -j -c 2 -i 0.05 192.0.2.1:80
expect_jq "$work/out" "$probes | map(\"\(.result) \(.rtt_ms) \(.syn_retrans) \(.error) \(.message)\") | unique | join(\",\")" \
    "unreachable null 0 ENETUNREACH no route on this host (ENETUNREACH), no SYN sent" "no route, JSON: the probes, untimed"
expect_jq "$work/out" "$summary | \"\(.sent) \(.failures.unreachable) \(.syn_sent) \(.syn_retrans) \(.syn_loss_pct)\"" "2 2 0 0 0" \
    "no route, JSON: syn_sent 0"
# The same errno from a router's ICMP is the network's answer: the SYN left, and is counted.
ping_run 1 "ICMP net-unreachable: exit 1" --netns "$ns" -c 1 127.0.0.1:1004
expect_match "$work/out" "^seq=1 127\.0\.0\.1:1004 unreachable: network unreachable \(ICMP type 3 code 0\) time=$t3 ms\$" \
    "ICMP net-unreachable: named from the error queue, timed"
expect_match "$work/out" '^SYNs: 1 sent, 0 unanswered' "ICMP net-unreachable: its SYN counted"
expect_match "$work/out" '^note: ICMP errors stopped 1 of 1 attempts before the server \(network unreachable, ICMP type 3 code 0\)' \
    "ICMP net-unreachable: the ICMP note"
expect_no_match "$work/out" 'nothing left this host' "ICMP net-unreachable: not taken for a local failure"
ping_run 2 "no route, --check" --netns "$ns" --check -c 1 192.0.2.1:80
expect_match "$work/out" '^SK-PING CRITICAL - 192\.0\.2\.1:80: unreachable \(1 of 1, ENETUNREACH: no route on this host\) \| time=U;' \
    "no route, --check: the reason, time=U"
ping_run 2 "dropped, --check: timeout" --netns "$ns" --check -c 1 -W 0.3 127.0.0.1:1001
expect_match "$work/out" '^SK-PING CRITICAL - 127\.0\.0\.1:1001: timeout \(1 of 1\) \| time=U;;;0 loss=100%' \
    "dropped, --check: says timeout"
ping_run 1 "admin-prohibited, JSON" --netns "$ns" -j -c 1 127.0.0.1:1002
expect_jq "$work/out" "$probes | map(\"\(.result) \(.icmp.type) \(.icmp.code) \(.icmp.v6) \(.message) \(.rtt_ms | type)\") | join(\",\")" \
    "unreachable 3 13 false administratively prohibited (ICMP type 3 code 13) number" "admin-prohibited, JSON: the icmp object"
expect_jq "$work/out" "$summary | \"\(.failures.unreachable) \(.connected)\"" "1 0" "admin-prohibited, JSON: the summary"
ping_run 1 "host-unreachable, JSON" --netns "$ns" -j -c 1 127.0.0.1:1003
expect_jq "$work/out" "$probes | map(\"\(.result) \(.icmp.type) \(.icmp.code) \(.icmp.v6) \(.message)\") | join(\",\")" \
    "unreachable 3 1 false host unreachable (ICMP type 3 code 1)" "host-unreachable (icmpx): ICMP type 3 code 1"
ping_run 1 "IPv6 admin-prohibited" --netns "$ns" -j -c 1 '[::1]:1002'
expect_jq "$work/out" "$probes | map(\"\(.address) \(.result) \(.icmp.type) \(.icmp.code) \(.icmp.v6) \(.message)\") | join(\",\")" \
    "::1 unreachable 1 1 true administratively prohibited (ICMPv6 type 1 code 1)" "IPv6 admin-prohibited: ICMPv6 type 1 code 1"
ping_run 1 "IPv6 icmpx host-unreachable" --netns "$ns" -c 1 '[::1]:1003'
expect_match "$work/out" '^seq=1 \[::1\]:1003 unreachable: address unreachable \(ICMPv6 type 1 code 3\) time=' \
    "IPv6 icmpx host-unreachable: ICMPv6 type 1 code 3"

# --- IPv6 ------------------------------------------------------------------------------------------------
ping_run 0 "IPv6: [::1]" --netns "$ns" -c 2 -i 0.05 '[::1]:8080'
expect_match "$work/out" '^SK-PING \[::1\]:8080 \(\[::1\]:8080\): TCP handshake' "IPv6: the header in brackets"
expect_count "$work/out" "^seq=[12] \[::1\]:8080 connected time=$t3 ms" 2 "IPv6: two connected lines"
ping_run 0 "IPv6: [::1], JSON" --netns "$ns" -j -c 1 '[::1]:8080'
expect_jq "$work/out" "$summary | \"\(.address) \(.port) \(.connected)\"" "::1 8080 1" "IPv6, JSON: addr ::1"
ping_run 0 "IPv6: ::1 8080, tcping's order" --netns "$ns" -j -c 1 ::1 8080
expect_jq "$work/out" "$summary | \"\(.address) \(.port) \(.connected)\"" "::1 8080 1" "IPv6, JSON: addr ::1"
ping_run 0 "udp over IPv6" --netns "$ns" -u -j -c 2 -i 0.05 '[::1]:8080'
expect_jq "$work/out" "$summary | \"\(.address) \(.received)\"" "::1 2" "udp over IPv6: both back"
# -6 with a name: localhost when /etc/hosts maps it to ::1, else a name of our own in the
# hosts file `ip netns exec` puts in place for this namespace.
if getent ahostsv6 localhost 2>/dev/null | grep -q '^::1 '; then
    v6name=localhost
    v6run=("$sk_ping" --netns "$ns")
elif { [[ -d /etc/netns ]] || { mkdir /etc/netns && etc_netns_made=true; }; } 2>/dev/null &&
    mkdir -p "/etc/netns/$ns" 2>/dev/null &&
    printf '127.0.0.1 localhost\n::1 sk-ping-test-v6\n' >"/etc/netns/$ns/hosts"; then
    v6name=sk-ping-test-v6
    v6run=(ip netns exec "$ns" "$sk_ping")
else
    v6name=""
    echo "skipped: -6 with a name: localhost is not ::1 in /etc/hosts and /etc/netns is not writable"
fi
if [[ -n $v6name ]]; then
    expect_status 0 "-6 $v6name" -- "${v6run[@]}" -6 -c 1 "$v6name:8080"
    expect_match "$work/out" "^SK-PING $v6name:8080 \(\[::1\]:8080\): " "-6 $v6name: resolved to ::1"
    expect_match "$work/out" "^seq=1 \[::1\]:8080 connected " "-6 $v6name: connected"
fi

# --- SYN-ACKs lost at random --------------------------------------------------------------------------------
wait_exit synack_loss 15
expect_eq "$rc" 0 "SYN-ACK loss: 16 attempts, exit 0"
f=$work/synack_loss.out
expect_jq "$f" "$summary | .sent" 16 "SYN-ACK loss: 16 attempts reported"
n=$(jq -rs "$probes | map(select(.syn_retrans >= 1 and .rtt_ms != null and .rtt_ms >= 1000)) | length" "$f")
if ((n >= 1)); then pass "SYN-ACK loss: $n attempts connected after a retransmitted SYN, 1 s or more"; else fail "SYN-ACK loss: no attempt needed a retransmission: $(jq -c "$summary" -s "$f")"; fi
expect_jq "$f" "$probes | map(select(.result == \"connected\" and .syn_retrans >= 1 and .rtt_ms < 1000)) | length" 0 \
    "SYN-ACK loss: no retransmission on a handshake under 1 s"
expect_jq "$f" "($probes | map(.syn_retrans) | add) == $summary.syn_retrans" true "SYN-ACK loss: summary syn_retrans is the probes' sum"
expect_jq "$f" "($probes | map(1 + .syn_retrans) | add) == $summary.syn_sent" true "SYN-ACK loss: syn_sent is attempts plus retransmissions"
expect_jq "$f" "($probes | map(select(.syn_retrans >= 1 and .result != \"timeout\")) | length) == $summary.retransmitted_attempts" true \
    "SYN-ACK loss: retransmitted_attempts counts the answered attempts that needed one"
expect_jq "$f" "$summary | .connected + .failures.timeout" 16 "SYN-ACK loss: each attempt connected or timed out"

# The first two SYNs to 8082 are dropped: one attempt connects on the third, with the
# retry schedule of the namespace's kernel (net.ipv4.tcp_syn_linear_timeouts, 6.5+).
linear=$(ip netns exec "$ns" sysctl -n net.ipv4.tcp_syn_linear_timeouts 2>/dev/null || echo 0)
second=$((linear >= 1 ? 2 : 3))
wait_exit two_syns 10
expect_eq "$rc" 0 "two SYNs dropped: exit 0"
cp "$work/two_syns.out" "$work/out"
expect_match "$work/out" "^seq=1 127\.0\.0\.1:8082 connected time=$t3 ms srtt=$t3 ms syn_retrans=2 \(SYNs sent at 0, 1, $second s\)\$" \
    "two SYNs dropped: syn_retrans=2, sent at 0, 1 and $second s"
expect_ms "$(sed -n 's/^seq=1 .* time=\([0-9]*\)\.[0-9]* ms .*/\1/p' "$work/out")" $((second * 1000)) $((second * 1000 + 300)) \
    "two SYNs dropped: connected right after the third SYN"
expect_match "$work/out" '^SYNs: 3 sent, 2 unanswered \(66\.7%\), 1 attempt needed a retransmission$' "two SYNs dropped: the SYN line"
expect_match "$work/out" '^note: 1 handshake needed a retransmitted SYN' "two SYNs dropped: the note"

# --- handshake timing against a known delay: every SYN-ACK from 8083 held 20 ms ----------------------------
delayer=$src/tests/tools/synack_delay.c
if [[ ! -f $delayer ]]; then
    fail "delay: $delayer is missing"
elif ! gcc -O2 -o "$work/synack_delay" "$delayer" -lnetfilter_queue -lnfnetlink 2>"$work/gcc.err"; then
    fail "delay: synack_delay.c does not build: $(head -c 300 "$work/gcc.err")"
else
    start_bg delayer ip netns exec "$ns" "$work/synack_delay" 7 20
    if wait_lines delayer '^ready' 1 5; then
        rule=(OUTPUT -p tcp --sport 8083 --tcp-flags 'SYN,ACK' 'SYN,ACK' -j NFQUEUE --queue-num 7 --queue-bypass)
        ip netns exec "$ns" iptables -t mangle -A "${rule[@]}"
        ping_run 0 "delay 20 ms: 20 attempts" --netns "$ns" -j -c 20 -i 0.05 127.0.0.1:8083
        expect_jq "$work/out" "$summary | .connected" 20 "delay 20 ms: all connected"
        expect_ms "$(jq_ms "$work/out" "$probes | map(.rtt_ms) | sort | (.[9] + .[10]) / 2 * 1000")" 18000 22000 \
            "delay 20 ms: the median handshake is 20 +- 2 ms (in us)"
        expect_ms "$(jq_ms "$work/out" "$summary | .rtt_ms.p50 * 1000")" 18000 22000 "delay 20 ms: so is the summary's rtt_ms.p50 (in us)"
        expect_ms "$(jq_ms "$work/out" "$summary | .rtt_ms.min * 1000")" 19900 22000 "delay 20 ms: none faster than the delay (in us)"
        expect_ms "$(jq_ms "$work/out" "$probes | map(.kernel_rtt_ms) | sort | .[10] * 1000")" 18000 22000 \
            "delay 20 ms: the kernel's srtt agrees (in us)"
        ip netns exec "$ns" iptables -t mangle -D "${rule[@]}"
    fi
    kill -TERM "${bg_pid[delayer]}" 2>/dev/null
    wait_exit delayer 5
    expect_eq "$rc" 0 "delay: the delayer exits 0 on SIGTERM"
fi

# --- --close ------------------------------------------------------------------------------------------------
ping_run 0 "--close: a server that closes" --netns "$ns" -c 2 -i 0.05 --close 127.0.0.1:8090
expect_match "$work/out" '^SK-PING .*: TCP handshake, close, DNS ' "--close: the header says the close is timed"
expect_count "$work/out" "^seq=[12] 127\.0\.0\.1:8090 connected time=$t3 ms srtt=$t3 ms close=$t3 ms \(FIN_WAIT1 > (.* > )?TIME_WAIT\)\$" 2 \
    "--close: close=N ms and the states on each line"
expect_match "$work/out" "^close min/avg/max/mdev = $t3/" "--close: close times in the summary"
ping_run 0 "--close, JSON" --netns "$ns" -j -c 2 -i 0.05 --close 127.0.0.1:8090
expect_jq "$work/out" "$probes | map(\"\(.close_result) \(.close_states[0]) \(.close_states[-1]) \(.close_ms >= 0 and .close_ms < 200)\") | unique | join(\",\")" \
    "fin FIN_WAIT1 TIME_WAIT true" "--close, JSON: close_result fin, FIN_WAIT1 to TIME_WAIT, close_ms"
expect_jq "$work/out" "$probes | map(.time_wait_expires_ms > 50000 and .time_wait_expires_ms <= 60000) | all" \
    true "--close, JSON: time_wait_expires_ms, what is left of the 60 s TIME_WAIT in ms"
expect_eq "$(grep -cE '"time_wait_expires_ms":[0-9]+[,}]' "$work/out")" 2 "--close, JSON: time_wait_expires_ms in whole ms"
expect_jq "$work/out" "$summary | \"\(.close_timeouts) \(.close_resets) \(.close_ms.p50 | type)\"" "0 0 number" "--close, JSON: the summary"
expect_eq "$(nss state time-wait '( dport = :8090 )')" 4 "--close: our side holds the four TIME_WAITs (we closed first)"
expect_eq "$(nss state time-wait '( sport = :8080 or dport = :8080 )')" 0 "without --close: no TIME_WAIT on either side (a reset)"

wait_exit hold 10
expect_eq "$rc" 0 "--close: a server that holds: exit 0"
cp "$work/hold.out" "$work/out"
expect_match "$work/out" '^seq=1 127\.0\.0\.1:8091 connected .* close: no FIN from the peer in time \(FIN_WAIT1 > FIN_WAIT2\)$' \
    "--close, hold: no FIN in time, seen in FIN_WAIT2"
expect_match "$work/out" '^note: the peer acknowledged our FIN but did not send its own in time \(we sat in FIN_WAIT2\)' \
    "--close, hold: the FIN_WAIT2 note"
wait_exit hold_json 10
expect_eq "$rc" 0 "--close: a server that holds, JSON: exit 0"
cp "$work/hold_json.out" "$work/out"
expect_jq "$work/out" "$probes | map(\"\(.result) \(.close_result) \(.close_ms) \(.close_states | join(\">\"))\") | join(\",\")" \
    "connected timeout null FIN_WAIT1>FIN_WAIT2" "--close, hold, JSON: close_result timeout"
expect_jq "$work/out" "$summary | \"\(.close_timeouts) \(.close_ms.count) \(.close_ms.p50)\"" "1 0 null" "--close, hold, JSON: a close timeout counted"
expect_nss "--close, hold: our reset at the end leaves no CLOSE_WAIT on the server" 0 state close-wait '( sport = :8091 )'

ping_run 0 "--close: a server that closes after 0.3 s" --netns "$ns" -j -c 3 -i 0.05 -W 2 --close 127.0.0.1:8092
expect_jq "$work/out" "$probes | map(\"\(.close_result) \(.close_ms >= 290 and .close_ms < 700)\") | unique | join(\",\")" "fin true" \
    "--close, delay:0.3: close_ms about 300"
expect_jq "$work/out" "$probes | map(.close_states | index(\"FIN_WAIT1\") != null and index(\"TIME_WAIT\") != null) | all" true \
    "--close, delay:0.3: FIN_WAIT1 and TIME_WAIT seen"
expect_jq "$work/out" "$probes | map(.close_states | join(\">\")) | unique | join(\",\")" "FIN_WAIT1>FIN_WAIT2>TIME_WAIT" \
    "--close, delay:0.3: the 300 ms in FIN_WAIT2 seen too"
expect_ms "$(jq_ms "$work/out" "$summary | .close_ms.p50")" 290 700 "--close, delay:0.3: the summary's close_ms.p50"

# --- no descriptor or socket left behind --------------------------------------------------------------------
# fd_watch NAME EXIT TARGET: 200 attempts 2 ms apart; counts sk-ping's descriptors and
# sockets as it runs: a loop of bash builtins only, so it samples every few microseconds.
fd_watch() {
    local name=$1 want=$2 target=$3 first=-1 most=0 sockets=0 samples=0 fds f n s deadline
    start_bg "$name" "$sk_ping" --netns "$ns" -j -c 200 -i 0.002 "$target"
    deadline=$((${EPOCHREALTIME/./} + 10000000))  # us
    # From the first line on: by then the descriptors the run keeps are open.
    while [[ ! -s $work/$name.out ]] && kill -0 "${bg_pid[$name]}" 2>/dev/null &&
        ((${EPOCHREALTIME/./} < deadline)); do
        :
    done
    shopt -s nullglob
    while kill -0 "${bg_pid[$name]}" 2>/dev/null && ((${EPOCHREALTIME/./} < deadline)); do
        fds=(/proc/"${bg_pid[$name]}"/fd/*)
        n=${#fds[@]} s=0
        for f in "${fds[@]}"; do [[ -S $f ]] && s=$((s + 1)); done
        if ((n > 0)); then
            ((first < 0)) && first=$n
            ((n > most)) && most=$n
            ((s > sockets)) && sockets=$s
            samples=$((samples + 1))
        fi
    done
    shopt -u nullglob
    wait_exit "$name" 1
    expect_eq "$rc" "$want" "$name: 200 attempts 2 ms apart, exit $want"
    expect_jq "$work/$name.out" "$summary | .sent" 200 "$name: all 200 reported"
    if ((samples >= 20 && most <= first + 2 && sockets <= 2)); then
        pass "$name: descriptors stay at $first to $most, at most $sockets sockets ($samples samples)"
    else
        fail "$name: $samples samples, descriptors from $first up to $most, sockets up to $sockets"
    fi
}
fd_watch fd-open 0 127.0.0.1:8080
fd_watch fd-closed 1 127.0.0.1:9
expect_nss "after 400 attempts: no socket left on our side" 0 state all '( dport = :8080 or dport = :9 )'
expect_nss "after 400 attempts: nothing left on the server's side" 0 state connected '( sport = :8080 )'

for name in ns-echo ns-close ns-hold ns-delay echo; do stop_server "$name"; done
echo "sk-ping test: $((SECONDS - started)) s"
finish
