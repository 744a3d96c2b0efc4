#!/usr/bin/env bash
# sk-probe against real sockets: open and closed ports in every output format with
# their exit status, --banner against small Python servers, names that do not resolve
# and bad input; as root, in network namespaces of its own, every answer nftables and
# the routing table can give (drop, ICMP rejects, resets, a local EACCES, IPv6), UDP
# with an echo server, the adaptive timeout, --wait, targets from CIDR blocks, stdin
# and files (2,000 at once), --max-hosts, --close checked with ss, --source, --rate,
# a kernel that connects a probe to itself, and SIGINT during a long scan. Every wait
# has a deadline.
#   sk_probe_test.sh BIN_DIR
set -uo pipefail
source "$(dirname "$0")/lib.sh"
sk_probe="$1/sk-probe"
sk_echo="$1/sk-echo"
started=$SECONDS

declare -A bg_pid=()
namespaces=()
cleanup() {
    local name
    for name in "${!bg_pid[@]}"; do kill -KILL "${bg_pid[$name]}" 2>/dev/null; done
    for name in "${namespaces[@]}"; do ip netns del "$name" 2>/dev/null; done
    rm -rf "$work"
}
trap cleanup EXIT
trap 'exit 2' INT TERM

stop_bg() {  # stop_bg NAME: SIGTERM, SIGKILL after 5 s
    kill -TERM "${bg_pid[$1]}" 2>/dev/null
    wait_exit "$1" 5
}

expect_error() { expect_usage_error "$sk_probe" sk-probe "$@"; }  # DESCRIPTION TEXT -- ARGS...
probe() {  # probe WANT DESCRIPTION ARGS...: sk-probe ARGS, output in $work/out and err
    local want=$1 what=$2
    shift 2
    expect_status "$want" "$what" -- "$sk_probe" "$@"
}

expect_match() {  # expect_match FILE REGEX DESCRIPTION: a line matches the extended regex
    if grep -qE -- "$2" "$1"; then pass "$3"; else fail "$3: no line matches /$2/ in: $(head -c 400 "$1")"; fi
}

expect_empty() {  # expect_empty FILE DESCRIPTION
    if [[ -s $1 ]]; then fail "$2: $(basename "$1") holds $(head -c 300 "$1")"; else pass "$2"; fi
}

# expect_result FILE ADDR PORT JQ WANT DESCRIPTION: JQ (jq -r) on the JSON result for ADDR PORT.
expect_result() {
    local got
    got=$(jq -r --arg a "$2" --argjson p "$3" \
        "select(.type == \"result\" and .address == \$a and .port == \$p) | $4" "$1" 2>&1)
    expect_eq "$got" "$5" "$6"
}

expect_jq() {  # expect_jq FILE JQ WANT DESCRIPTION: JQ over all JSON lines slurped (jq -rs)
    local got
    got=$(jq -rs "$2" "$1" 2>&1)
    expect_eq "$got" "$3" "$4"
}

expect_ms() {  # expect_ms GOT_MS LOW HIGH DESCRIPTION
    if (($1 >= $2 && $1 <= $3)); then pass "$4 ($1 ms)"; else fail "$4: $1 ms, wanted $2 to $3 ms"; fi
}

elapsed_ms() {  # elapsed_ms FILE: the JSON summary's elapsed_s in ms; -1 without one
    local ms
    ms=$(jq -r 'select(.type == "summary") | .duration_s * 1000 | floor' "$1" 2>/dev/null)
    echo "${ms:--1}"
}

# The JSON summary's counts, "probes open closed filtered unreachable error open|filtered".
summary_counts='select(.type == "summary") | [.probes, .states.open, .states.closed,
    .states.filtered, .states.unreachable, .states.error, .states["open|filtered"]] | join(" ")'

# --- open and closed, in every format -----------------------------------------------------------
start_bg listener "$sk_echo" -l 0
wait_lines listener '^listening on' 1 5
open=$(sed -n '1s/^listening on 127\.0\.0\.1:\([0-9]*\) tcp$/\1/p' "$work/listener.out")
start_bg gone "$sk_echo" -l 0
wait_lines gone '^listening on' 1 5
closed=$(sed -n '1s/^listening on 127\.0\.0\.1:\([0-9]*\) tcp$/\1/p' "$work/gone.out")
stop_bg gone  # its port is now closed
open=${open:-1} closed=${closed:-1}

probe 0 "text: an open port exits 0" 127.0.0.1:"$open"
expect_match "$work/out" '^HOST +PORT +PROTO +STATE +SERVICE +RTT +REASON$' "text: a table header"
expect_match "$work/out" "^127\.0\.0\.1 +$open +tcp +open .* [0-9.]+ ms +syn-ack\$" "text: the open port's row"
expect_match "$work/out" '^1 host, 1 tcp probe in [0-9.]+ m?s: 1 open$' "text: the summary line"
probe 1 "text: a closed port exits 1" 127.0.0.1:"$closed"
expect_match "$work/out" "^127\.0\.0\.1 +$closed +tcp +closed .* ms +reset\$" "text: the closed port's row"
expect_match "$work/out" '^1 host, 1 tcp probe in [0-9.]+ m?s: 1 closed$' "text: summary of a closed port"
probe 1 "text: open and closed exit 1" 127.0.0.1:"$open" 127.0.0.1:"$closed"
expect_lines "$work/out" 4 "text: header, two rows, summary"
expect_match "$work/out" '^1 host, 2 tcp probes in [0-9.]+ m?s: 1 open, 1 closed$' "text: summary counts both probes of the one host"
probe 0 "text: a name shows with its address" -4 localhost:"$open"
expect_match "$work/out" "^localhost \(127\.0\.0\.1\) +$open +tcp +open " "text: host as \"localhost (127.0.0.1)\""

probe 1 "json: open and closed" -j 127.0.0.1:"$open" 127.0.0.1:"$closed"
if jq -e . "$work/out" >/dev/null 2>&1; then pass "json: every line parses"; else fail "json: bad JSON: $(head -c 300 "$work/out")"; fi
expect_lines "$work/out" 3 "json: two results and a summary"
expect_jq "$work/out" '[.[] | select(.type == "result") | keys | join(",")] | unique | join(" ")' \
    "address,attempts,banner,banner_base64,error,host,icmp,port,protocol,reason,rtt_ms,service,state,type" "json: the fields of a result"
expect_result "$work/out" 127.0.0.1 "$open" '"\(.host) \(.protocol) \(.state) \(.attempts) \(.reason) \(.rtt_ms | type) \(.error) \(.icmp) \(.banner) \(.banner_base64)"' \
    "127.0.0.1 tcp open 1 syn-ack number null null null null" "json: the open result"
expect_result "$work/out" 127.0.0.1 "$closed" '"\(.state) \(.attempts) \(.reason) \(.rtt_ms | type) \(.error) \(.icmp)"' \
    "closed 1 reset number ECONNREFUSED null" "json: the closed result"
expect_eq "$(tail -1 "$work/out" | jq -r '"\(.type) \(.hosts) \(.unresolved) \(.protocol) \(.duration_s | type) \(.interrupted)"')" \
    "summary 1 0 tcp number false" "json: the summary comes last"
expect_jq "$work/out" "map($summary_counts) | join(\"\")" "2 1 1 0 0 0 0" "json: summary counts"
probe 1 "json: 1 as service name" -j 127.0.0.1:1
expect_result "$work/out" 127.0.0.1 1 .service tcpmux "json: the service of port 1"

probe 1 "csv: open and closed" -f csv 127.0.0.1:"$open" 127.0.0.1:"$closed"
expect_eq "$(head -1 "$work/out")" "host,address,port,protocol,state,rtt_ms,service,reason,banner" "csv: the header"
expect_lines "$work/out" 3 "csv: header and two rows"
expect_match "$work/out" "^127\.0\.0\.1,127\.0\.0\.1,$open,tcp,open,[0-9]+\.[0-9]{3},[^,]*,syn-ack,\$" "csv: the open row"
expect_match "$work/out" "^127\.0\.0\.1,127\.0\.0\.1,$closed,tcp,closed,[0-9]+\.[0-9]{3},[^,]*,reset,\$" "csv: the closed row"

probe 1 "grep: open and closed" -f grep 127.0.0.1:"$open" 127.0.0.1:"$closed"
expect_eq "$(sort "$work/out" | tr '\n' '|')" \
    "$(printf '127.0.0.1 %s tcp closed\n127.0.0.1 %s tcp open\n' "$closed" "$open" | sort | tr '\n' '|')" \
    "grep: one \"host port proto state\" line each"

# --- nc's order (HOST PORTS), and a target's own port with -p ------------------------------------
probe 0 "HOST PORT: nc's order" 127.0.0.1 "$open"
expect_match "$work/out" "^127\.0\.0\.1 +$open +tcp +open " "HOST PORT: the port is probed"
expect_match "$work/out" '^1 host, 1 tcp probe in [0-9.]+ m?s: 1 open$' "HOST PORT: one probe"
probe 1 "HOST PORT,PORT" -f grep 127.0.0.1 "$open,$closed"
expect_eq "$(sort "$work/out" | tr '\n' '|')" \
    "$(printf '127.0.0.1 %s tcp closed\n127.0.0.1 %s tcp open\n' "$closed" "$open" | sort | tr '\n' '|')" \
    "HOST PORT,PORT: both probed"
probe 1 "HOST HOST FIRST-LAST" -f grep 127.0.0.1 localhost "$closed-$((closed + 1))"
expect_lines "$work/out" 4 "HOST HOST FIRST-LAST: two ports on each of two hosts"
expect_error "HOST PORT with -p" 'ports given twice: "80" after the targets, and -p 22' -- 127.0.0.1 80 -p 22
expect_error "HOST PORT with --top-ports" 'ports given twice: "80" after the targets, and --top-ports' -- 127.0.0.1 80 --top-ports 5
expect_error "HOST 70000" 'invalid port list "70000": port 70000 is out of range' -- 127.0.0.1 70000
probe 1 "HOST:PORT -p OTHER: both probed" -f grep 127.0.0.1:"$open" -p "$closed"
expect_eq "$(sort "$work/out" | tr '\n' '|')" \
    "$(printf '127.0.0.1 %s tcp closed\n127.0.0.1 %s tcp open\n' "$closed" "$open" | sort | tr '\n' '|')" \
    "HOST:PORT -p OTHER: its own port and the list's"
probe 1 "HOST:PORT -p OTHER: text" 127.0.0.1:"$open" -p "$closed"
expect_lines "$work/out" 4 "HOST:PORT -p OTHER, text: header, two rows, summary"
expect_eq "$(sed -n '2,3p' "$work/out" | awk '{print $2}' | tr '\n' ' ')" \
    "$(printf '%s\n' "$open" "$closed" | sort -n | tr '\n' ' ')" "HOST:PORT -p OTHER, text: one host's rows, sorted by port"
probe 0 "HOST:PORT -p with that port: probed once" -f grep 127.0.0.1:"$open" -p "$open"
expect_lines "$work/out" 1 "HOST:PORT -p with that port: one line"

probe 0 "-q: open exits 0" -q 127.0.0.1:"$open"
expect_empty "$work/out" "-q: nothing on stdout (open)"
expect_empty "$work/err" "-q: nothing on stderr (open)"
probe 1 "-q: closed exits 1" -q 127.0.0.1:"$closed"
expect_empty "$work/out" "-q: nothing on stdout (closed)"
expect_empty "$work/err" "-q: nothing on stderr (closed)"
probe 1 "-q: one closed among open ones exits 1" -q 127.0.0.1:"$open" 127.0.0.1:"$closed" 127.0.0.1:"$open"
probe 1 "-q -j: still nothing" -q -j 127.0.0.1:"$closed"
expect_empty "$work/out" "-q -j: nothing on stdout"

# --- names that do not resolve ------------------------------------------------------------------
probe 1 "unresolvable: exit 1 though the rest is open" nonexistent.invalid:80 127.0.0.1:"$open"
expect_in "$work/err" 'sk-probe: warning: cannot resolve "nonexistent.invalid"' "unresolvable: a warning on stderr"
expect_match "$work/out" "^127\.0\.0\.1 +$open +tcp +open " "unresolvable: the other target is still probed"
expect_match "$work/out" ': 1 open, 1 unresolved$' "unresolvable: counted in the summary"
probe 1 "unresolvable, JSON" -j nonexistent.invalid:80 127.0.0.1:"$open"
expect_jq "$work/out" '[.[] | select(.type == "error") | "\(.host) \(.message | test("cannot resolve"))"] | join(",")' \
    "nonexistent.invalid true" "unresolvable, JSON: an error object"
expect_result "$work/out" 127.0.0.1 "$open" .state open "unresolvable, JSON: the other is probed"
expect_jq "$work/out" '.[] | select(.type == "summary") | "\(.hosts) \(.unresolved) \(.probes)"' "1 1 1" \
    "unresolvable, JSON: summary with 1 unresolved"
probe 1 "-4 with an IPv6 literal: not probed, exit 1" -4 '[::1]:80'
expect_in "$work/err" "::1 is an IPv6 address, but -4 was given" "-4 [::1]:80: says why"
expect_match "$work/out" ': 1 unresolved$' "-4 [::1]:80: counted as unresolved"

# --- banners ----------------------------------------------------------------------------------------
cat >"$work/banner.py" <<'PY'
import socket, sys
s = socket.socket()
s.bind(("127.0.0.1", 0))
s.listen(64)
print(s.getsockname()[1], flush=True)
data = sys.argv[1].encode().decode("unicode_escape").encode("latin-1")
while True:
    c, _ = s.accept()
    try:
        c.sendall(data)
    except OSError:
        pass
    c.close()
PY
start_bg ssh python3 "$work/banner.py" 'SSH-2.0-Test\r\n'
start_bg esc python3 "$work/banner.py" 'A\x1b[31mB\r\n'
# A tab, a quote, a backslash, a NUL, a byte that is not UTF-8 (ff), an é in UTF-8, CRLF.
start_bg odd python3 "$work/banner.py" 'a\tb"c\\d\x00e\xfff\xc3\xa9\r\n'
wait_lines ssh '^[0-9]' 1 10
wait_lines esc '^[0-9]' 1 10
wait_lines odd '^[0-9]' 1 10
ssh=$(head -1 "$work/ssh.out") esc=$(head -1 "$work/esc.out") odd=$(head -1 "$work/odd.out")
probe 0 "--banner: text" -b 127.0.0.1:"${ssh:-1}" 127.0.0.1:"${esc:-1}"
expect_match "$work/out" '^HOST +PORT +PROTO +STATE +SERVICE +RTT +REASON +BANNER$' "--banner: a BANNER column"
expect_match "$work/out" "^127\.0\.0\.1 +$ssh +tcp +open .*syn-ack, banner +SSH-2\.0-Test\$" \
    "--banner: SSH-2.0-Test shown without its CRLF"
expect_match "$work/out" "^127\.0\.0\.1 +$esc .* A\\\\x1b\\[31mB\$" "--banner: ESC shown as \\x1b"
probe 1 "--banner: JSON" -b -j 127.0.0.1:"${ssh:-1}" 127.0.0.1:"${esc:-1}" 127.0.0.1:"$closed"
expect_result "$work/out" 127.0.0.1 "${ssh:-1}" '"\(.banner | @json)|\(.reason)"' '"SSH-2.0-Test\r\n"|syn-ack, banner' "--banner, JSON: SSH banner, its CRLF kept"
expect_result "$work/out" 127.0.0.1 "${esc:-1}" '.banner | @json' '"A\u001b[31mB\r\n"' "--banner, JSON: the bytes with JSON's escapes only"
expect_result "$work/out" 127.0.0.1 "$closed" .banner_base64 null "--banner, JSON: no base64 for a closed port"
expect_result "$work/out" 127.0.0.1 "$closed" .banner null "--banner, JSON: none for a closed port"
probe 0 "--banner: odd bytes, JSON" -b -j 127.0.0.1:"${odd:-1}"
expect_result "$work/out" 127.0.0.1 "${odd:-1}" '.banner | @json' '"a\tb\"c\\d\u0000e�fé\r\n"' \
    "--banner, JSON: tab, quote, backslash, NUL escaped once; ff as U+FFFD; é as it is"
got=$(jq -r 'select(.type == "result") | .banner_base64' "$work/out" | base64 -d | od -An -tx1 | tr -s ' \n' ' ')
expect_eq "$got" " 61 09 62 22 63 5c 64 00 65 ff 66 c3 a9 0d 0a " "--banner, JSON: banner_base64 gives the exact bytes back"
probe 0 "--banner: odd bytes, CSV" -b -f csv 127.0.0.1:"${odd:-1}"
expect_eq "$(tail -1 "$work/out" | sed 's/^.*,"syn-ack, banner",//')" '"a\tb""c\\d\x00e\xfff\xc3\xa9"' \
    "--banner, CSV: the terminal's escapes, quoted as CSV quotes"
probe 0 "--banner: odd bytes, text" -b 127.0.0.1:"${odd:-1}"
expect_match "$work/out" ' a\\tb"c\\\\d\\x00e\\xfff\\xc3\\xa9$' "--banner, text: the escaped bytes"
probe 0 "--banner: CSV" -b -f csv 127.0.0.1:"${ssh:-1}"
expect_match "$work/out" ',"syn-ack, banner",SSH-2\.0-Test$' "--banner, CSV: the banner column"
t0=$(now_ms)
probe 0 "--banner: a silent service" -b -j --banner-wait 0.3 127.0.0.1:"$open"
expect_ms $(($(now_ms) - t0)) 250 2500 "--banner-wait 0.3: waits for a banner, then gives up"
expect_result "$work/out" 127.0.0.1 "$open" '"\(.state) [\(.banner)] \(.reason)"' "open [] syn-ack" \
    "--banner: an empty banner for a silent service"
stop_bg ssh
stop_bg esc
stop_bg odd
stop_bg listener

# --- bad input --------------------------------------------------------------------------------------
expect_error "port 0" 'invalid target "127.0.0.1:0": port 0 is out of range' -- 127.0.0.1:0
expect_error "-p 0" 'invalid port list "0": port 0 is out of range' -- 127.0.0.1 -p 0
expect_error "port 70000" 'invalid target "127.0.0.1:70000": port 70000 is out of range' -- 127.0.0.1:70000
expect_error "-p 70000" 'invalid port list "70000": port 70000 is out of range' -- 127.0.0.1 -p 70000
expect_error "-p 80-70" 'invalid port range "80-70": 80 is greater than 70' -- 127.0.0.1 -p 80-70
expect_error "-p 1,,2" 'invalid port list "1,,2": an entry is empty' -- 127.0.0.1 -p 1,,2
expect_error "--top-ports 0" "--top-ports 0" -- 127.0.0.1 --top-ports 0
expect_error "-p with --top-ports" "give -p or --top-ports, not both" -- 127.0.0.1 -p 80 --top-ports 5
expect_error "CIDR /33" 'invalid target "10.0.0.0/33"' -- 10.0.0.0/33 -p 80
expect_error "CIDR with a port" 'invalid target "10.0.0.0/24:80": a CIDR block takes no port' -- 10.0.0.0/24:80
expect_error "-t -u" "give -t or -u, not both" -- -t -u 127.0.0.1:80
expect_error "--timeout 0" 'invalid duration "0" for --timeout: expected 1ms to 1h' -- --timeout 0 127.0.0.1:80
expect_error "--timeout -1" 'invalid duration "-1" for --timeout' -- --timeout -1 127.0.0.1:80
expect_error "--retries 11" "invalid --retries 11: expected 0 to 10" -- --retries 11 127.0.0.1:80
expect_error "--parallel 0" "invalid --parallel 0" -- --parallel 0 127.0.0.1:80
expect_error "--rate -1" "invalid --rate -1" -- --rate -1 127.0.0.1:80
expect_error "--close maybe" 'invalid --close "maybe": use rst or fin' -- --close maybe 127.0.0.1:80
expect_error "--wait 0" 'invalid duration "0" for --wait: expected 1ms to 24h' -- --wait 0 127.0.0.1:80
expect_error "--wait 5x" 'invalid duration "5x" for --wait: expected seconds (2, 0.5) or a number with ms, s, m or h (500ms, 2m)' -- --wait 5x 127.0.0.1:80
expect_error "--banner -u" "--banner is for TCP" -- --banner -u 127.0.0.1:80
expect_error "--banner-wait without -b" "--banner-wait needs -b/--banner" -- --banner-wait 2 127.0.0.1:80
expect_error "-4 -6" "-4 and -6 contradict each other" -- -4 -6 127.0.0.1:80
expect_error "--max-hosts 0" "invalid --max-hosts 0" -- --max-hosts 0 127.0.0.1:80
expect_error "--source not an address" 'invalid --source "nope"' -- --source nope 127.0.0.1:80
expect_error "no target" "no target" --
expect_error "--format xml" 'invalid format "xml": expected text, json, csv or grep' -- --format xml 127.0.0.1:80
expect_error "-j with --format csv" "-j/--json and --format csv contradict each other" -- -j --format csv 127.0.0.1:80
expect_error "-j with --format grep" "-j/--json and --format grep contradict each other" -- -j --format grep 127.0.0.1:80
expect_error "a missing --file" "cannot open $work/none" -- --file "$work/none"
printf '127.0.0.1:1\n127.0.0.1:x\n' >"$work/bad-targets"
expect_error "a bad line in --file" "$work/bad-targets:2: invalid target \"127.0.0.1:x\"" -- --file "$work/bad-targets"
expect_error "empty stdin" "no target: the input held none" -- - </dev/null

finish_unless_root "the firewall, namespace and timing checks need root to create a network namespace" "sk-probe test"

# --- a namespace of our own: nftables rules, prohibit routes, fixed listeners --------------------
ns="sk-probe-test-$$"
if ! { ip netns add "$ns" && namespaces+=("$ns") && ip -n "$ns" link set lo up; }; then
    fail "cannot create namespace $ns"
    finish
    exit
fi
# Probes leave from 50000-60999, away from every port a rule below matches: a drop
# rule must not swallow the answers to other probes.
ip netns exec "$ns" sysctl -qw net.ipv4.ip_local_port_range="50000 60999"
v6=false
ip -n "$ns" -6 addr show dev lo 2>/dev/null | grep -q '::1/128' && v6=true
ip -n "$ns" route add prohibit 10.99.0.1/32
$v6 && ip -n "$ns" -6 route add prohibit 2001:db8::1/128
if ! ip netns exec "$ns" nft -f - <<'NFT'; then
table inet sk_probe_test {
    counter to_block { }
    chain in {
        type filter hook input priority 0;
        tcp dport 1001 drop
        tcp dport 1002 reject with icmp type admin-prohibited
        tcp dport 1003 reject with icmp type host-unreachable
        tcp dport 1004 reject with tcp reset
        meta nfproto ipv6 tcp dport 1005 reject with icmpv6 type admin-prohibited
        tcp dport 2001-2180 drop
        udp dport 1011 drop
        udp dport 1012 reject with icmp type admin-prohibited
        meta nfproto ipv6 udp dport 1014 reject with icmpv6 type admin-prohibited
    }
    chain out {
        type filter hook output priority 0;
        ip daddr 127.0.0.0/30 tcp dport 7 counter name "to_block"
        tcp dport 1007 drop
        tcp dport 1008 reject
        udp dport 1015 drop
    }
}
NFT
    fail "cannot load the nftables rules"
fi
to_block() { ip netns exec "$ns" nft list counter inet sk_probe_test to_block | sed -n 's/.*packets \([0-9]*\).*/\1/p'; }

tcp_listen=(-l 127.0.0.1:8080)
udp_listen=(-l 127.0.0.1:53 -l 127.0.0.1:161 -l 127.0.0.1:7777)
if $v6; then
    tcp_listen+=(-l '[::1]:8080')
    udp_listen+=(-l '[::1]:7777')
fi
start_bg tcp_servers "$sk_echo" --netns "$ns" -v "${tcp_listen[@]}"
start_bg udp_servers "$sk_echo" --netns "$ns" -u "${udp_listen[@]}"
wait_lines tcp_servers '^listening on' $((${#tcp_listen[@]} / 2)) 5
wait_lines udp_servers '^listening on' $((${#udp_listen[@]} / 2)) 5

# --- TCP: every kind of answer --------------------------------------------------------------------
tcp_targets=(127.0.0.1 10.99.0.1:80)
$v6 && tcp_targets+=(::1 '[2001:db8::1]:80')
probe 1 "tcp answers: one scan over the rules" --netns "$ns" -j -p 9,1001-1005,1007,1008,8080 "${tcp_targets[@]}"
f=$work/out
cp "$f" "$work/tcp.json"
f=$work/tcp.json
expect_result "$f" 127.0.0.1 8080 '"\(.state) \(.service) \(.reason)"' "open http-alt syn-ack" "tcp: a listener is open"
expect_result "$f" 127.0.0.1 9 '"\(.state) \(.reason) \(.error) \(.icmp)"' "closed reset ECONNREFUSED null" \
    "tcp: no listener is closed by a reset"
expect_result "$f" 127.0.0.1 1001 '"\(.state) \(.attempts) \(.reason) \(.rtt_ms) \(.icmp)"' \
    "filtered 2 no reply to 2 tries null null" "tcp: dport drop is filtered after 2 tries"
expect_result "$f" 127.0.0.1 1002 '"\(.state) \(.icmp.type) \(.icmp.code) \(.icmp.v6) \(.reason)"' \
    "unreachable 3 13 false administratively prohibited (ICMP type 3 code 13)" \
    "tcp: reject admin-prohibited is unreachable, ICMP 3/13 named"
expect_result "$f" 127.0.0.1 1003 '"\(.state) \(.icmp.type) \(.icmp.code) \(.reason)"' \
    "unreachable 3 1 host unreachable (ICMP type 3 code 1)" "tcp: reject host-unreachable is unreachable, code 1"
expect_result "$f" 127.0.0.1 1004 '"\(.state) \(.reason) \(.icmp)"' "closed reset null" "tcp: reject with tcp reset is closed"
expect_result "$f" 127.0.0.1 1007 '"\(.state) \(.attempts)"' "filtered 2" \
    "tcp: an OUTPUT drop is filtered (the kernel retransmits the SYN)"
expect_result "$f" 127.0.0.1 1008 '"\(.state) \(.reason)"' "closed reset" \
    "tcp: an OUTPUT reject (inet: a tcp reset) is closed"
expect_result "$f" 10.99.0.1 80 '"\(.state) \(.error) \(.icmp) \(.reason)"' \
    "unreachable EACCES null refused by a local firewall (EACCES)" \
    "tcp: a prohibit route (EACCES from connect) is unreachable, a local firewall"
if $v6; then
    expect_result "$f" ::1 8080 .state open "tcp, IPv6: [::1] listener open"
    expect_result "$f" ::1 9 '"\(.state) \(.reason)"' "closed reset" "tcp, IPv6: closed"
    expect_result "$f" ::1 1001 '"\(.state) \(.attempts)"' "filtered 2" "tcp, IPv6: drop is filtered"
    expect_result "$f" ::1 1005 '"\(.state) \(.icmp.type) \(.icmp.code) \(.icmp.v6) \(.reason)"' \
        "unreachable 1 1 true administratively prohibited (ICMPv6 type 1 code 1)" \
        "tcp, IPv6: icmpv6 admin-prohibited is unreachable, type 1 code 1"
    expect_result "$f" 2001:db8::1 80 '"\(.state) \(.error)"' "unreachable EACCES" "tcp, IPv6: a prohibit route"
fi
expect_jq "$f" '(map(select(.type == "result")) | "\(length) \(map(select(.state == "open")) | length) \(map(select(.state == "closed")) | length) \(map(select(.state == "filtered")) | length) \(map(select(.state == "unreachable")) | length)") == (.[] | select(.type == "summary") | "\(.probes) \(.states.open) \(.states.closed) \(.states.filtered) \(.states.unreachable)")' \
    true "tcp answers: the summary counts the results"
expect_jq "$f" '.[] | select(.type == "summary") | .probes' "$($v6 && echo 38 || echo 19)" \
    "tcp answers: every probe reported (10.99.0.1:80 on its port and the list's)"
expect_result "$f" 10.99.0.1 8080 '"\(.state) \(.error)"' "unreachable EACCES" "tcp: a HOST:PORT target also gets the -p list"
probe 1 "tcp answers: text" --netns "$ns" -p 1001-1003,8080 127.0.0.1 10.99.0.1:80
expect_match "$work/out" '^127\.0\.0\.1 +1002 +tcp +unreachable .*administratively prohibited \(ICMP type 3 code 13\)$' \
    "tcp answers, text: the ICMP reason"
expect_match "$work/out" '^127\.0\.0\.1 +1001 +tcp +filtered .* - +no reply to 2 tries$' "tcp answers, text: filtered, no RTT"
expect_match "$work/out" '^10\.99\.0\.1 +80 +tcp +unreachable .*refused by a local firewall \(EACCES\)$' "tcp answers, text: a local firewall"
expect_match "$work/out" '^2 hosts, 9 tcp probes in [0-9.]+ m?s: 1 open, 1 filtered, 7 unreachable$' "tcp answers, text: summary"
# No route at all (only loopback is up): connect() fails at once, nothing left the host.
probe 1 "no route: exit 1" --netns "$ns" -j 192.0.2.1:80
expect_result "$work/out" 192.0.2.1 80 '"\(.state) \(.error) \(.rtt_ms) \(.reason)"' \
    "unreachable ENETUNREACH null no route on this host (ENETUNREACH)" \
    "no route: unreachable, no round trip, the reason in words"

# --- UDP --------------------------------------------------------------------------------------------
udp_targets=(127.0.0.1)
$v6 && udp_targets+=(::1)
probe 1 "udp answers: one scan" --netns "$ns" -u -j -p 53,161,7777,1011-1015 "${udp_targets[@]}"
cp "$work/out" "$work/udp.json"
f=$work/udp.json
expect_result "$f" 127.0.0.1 53 '"\(.state) \(.protocol) \(.service) \(.banner | @json) \(.banner_base64)"' \
    'open udp domain "SK\u0000\u0000\u0000\u0001\u0000\u0000\u0000\u0000\u0000\u0000\u0000\u0000\u0002\u0000\u0001" U0sAAAABAAAAAAAAAAACAAE=' \
    "udp: an echo on 53 is open; the reply (our DNS query) is the banner"
expect_result "$f" 127.0.0.1 161 '"\(.state) \(.banner | test("public"))"' "open true" "udp: 161 gets an SNMP request"
expect_result "$f" 127.0.0.1 7777 '"\(.state) \(.banner)"' "open null" "udp: an empty datagram echoed: open, no banner"
expect_result "$f" 127.0.0.1 7777 '.reason | test("syn") | not' true "udp: an open port's reason does not claim a SYN-ACK"
expect_result "$f" 127.0.0.1 1013 '"\(.state) \(.icmp.type) \(.icmp.code) \(.reason)"' \
    "closed 3 3 port unreachable (ICMP type 3 code 3)" "udp: no listener is closed, ICMP port unreachable 3/3"
expect_result "$f" 127.0.0.1 1011 '"\(.state) \(.attempts) \(.reason)"' "open|filtered 2 no reply to 2 tries" \
    "udp: dport drop is open|filtered"
expect_result "$f" 127.0.0.1 1012 '"\(.state) \(.icmp.type) \(.icmp.code)"' "filtered 3 13" \
    "udp: reject admin-prohibited is filtered"
expect_result "$f" 127.0.0.1 1015 '"\(.state) \(.error)"' "filtered EPERM" "udp: an OUTPUT drop (EPERM) is filtered"
expect_result "$f" 127.0.0.1 1015 '.reason | startswith("no reply") | not' true \
    "udp: an OUTPUT drop's reason does not claim silence (send failed with EPERM)"
if $v6; then
    expect_result "$f" ::1 7777 .state open "udp, IPv6: echo open"
    expect_result "$f" ::1 1013 '"\(.state) \(.icmp.type) \(.icmp.code) \(.icmp.v6)"' "closed 1 4 true" \
        "udp, IPv6: closed by ICMPv6 port unreachable 1/4"
    expect_result "$f" ::1 1014 '"\(.state) \(.icmp.type) \(.icmp.code)"' "filtered 1 1" "udp, IPv6: admin-prohibited is filtered"
fi
expect_jq "$f" '.[] | select(.type == "summary") | .protocol' udp "udp: the summary says udp"
probe 0 "udp: all open exits 0" --netns "$ns" -u 127.0.0.1 -p 53,7777
expect_match "$work/out" '^1 host, 2 udp probes in [0-9.]+ m?s: 2 open$' "udp: the summary line"

# --- text shows every result up to 25 probes, then only open ones (all with -a) ------------------
probe 1 "text, 25 probes" --netns "$ns" 127.0.0.1 -p 8056-8080
expect_lines "$work/out" 27 "text, 25 probes: every result shown"
probe 1 "text, 26 probes" --netns "$ns" 127.0.0.1 -p 8055-8080
expect_lines "$work/out" 3 "text, 26 probes: only the open one shown"
expect_match "$work/out" '^1 host, 26 tcp probes in [0-9.]+ m?s: 1 open, 25 closed$' "text, 26 probes: the summary"
probe 1 "text, 26 probes, -a" --netns "$ns" -a 127.0.0.1 -p 8055-8080
expect_lines "$work/out" 28 "text, 26 probes, -a: every result shown"

# --- the adaptive timeout -------------------------------------------------------------------------
t0=$(now_ms)
probe 1 "adaptive: 200 ports, 180 dropped" --netns "$ns" -j 127.0.0.1 -p 2001-2200
wall=$(($(now_ms) - t0))
expect_jq "$work/out" "map($summary_counts) | join(\"\")" "200 0 20 180 0 0 0" "adaptive: 180 filtered, 20 closed"
expect_jq "$work/out" '[.[] | select(.state == "filtered") | .attempts] | unique | join(",")' 2 \
    "adaptive: every filtered port tried twice"
expect_ms "$(elapsed_ms "$work/out")" 0 800 "adaptive: the scan takes well under the 2 x 1 s a fixed timeout would"
expect_ms "$wall" 0 1900 "adaptive: the whole run too"

# --- targets: CIDR, stdin, files, 2,000 at once, --max-hosts, --top-ports, open-ended ranges --------
probe 2 "--max-hosts 3 refuses a /30" --netns "$ns" --max-hosts 3 127.0.0.0/30 -p 7
expect_in "$work/err" "sk-probe: error: 127.0.0.0/30 has 4 addresses, more than --max-hosts 3" "--max-hosts: says why"
expect_empty "$work/out" "--max-hosts: nothing on stdout"
probe 2 "--max-hosts 3 refuses 4 targets" --netns "$ns" --max-hosts 3 127.0.0.1:7 127.0.0.2:7 127.0.0.3:7 127.0.0.0:7
expect_in "$work/err" "the targets have 4 addresses in all, more than --max-hosts 3" "--max-hosts: the total"
expect_eq "$(to_block)" 0 "--max-hosts: nothing was sent"
probe 1 "CIDR 127.0.0.0/30" --netns "$ns" 127.0.0.0/30 -p 7 -f grep
expect_eq "$(sort "$work/out" | tr '\n' '|')" \
    "127.0.0.0 7 tcp closed|127.0.0.1 7 tcp closed|127.0.0.2 7 tcp closed|127.0.0.3 7 tcp closed|" \
    "CIDR: 4 hosts, network and broadcast included"
expect_eq "$(to_block)" 4 "CIDR: one SYN each"
v6_target=$($v6 && echo '[::1]:8080' || echo 127.0.0.3:8080)
v6_line=$($v6 && echo '::1 8080 tcp open' || echo '127.0.0.3 8080 tcp closed')
printf '# targets\n\n127.0.0.1:8080  127.0.0.2:9 # two on a line\n\t\n%s\r\n' "$v6_target" >"$work/targets.txt"
want=$(printf '127.0.0.1 8080 tcp open\n127.0.0.2 9 tcp closed\n%s\n' "$v6_line" | sort | tr '\n' '|')
expect_status 1 "stdin: -" -- "$sk_probe" --netns "$ns" -f grep - <"$work/targets.txt"
expect_eq "$(sort "$work/out" | tr '\n' '|')" "$want" "stdin: comments, blank lines, CRLF, two on a line"
probe 1 "--file" --netns "$ns" -f grep --file "$work/targets.txt"
expect_eq "$(sort "$work/out" | tr '\n' '|')" "$want" "--file: the same targets"
probe 1 "--file with a target before it" --netns "$ns" -f grep 127.0.0.1:8081 --file "$work/targets.txt"
expect_lines "$work/out" 4 "--file with a target: four results"
for ((i = 0; i < 2000; i++)); do echo "127.0.$((i / 250)).$((i % 250 + 1)):$((3000 + i))"; done >"$work/2000.txt"
expect_status 1 "2,000 targets on stdin" -- "$sk_probe" --netns "$ns" -j - <"$work/2000.txt"
expect_eq "$(jq -r 'select(.type == "result") | "\(.address):\(.port)"' "$work/out" | sort | md5sum)" \
    "$(sort "$work/2000.txt" | md5sum)" "2,000 targets: each reported once"
expect_jq "$work/out" '.[] | select(.type == "summary") | "\(.hosts) \(.probes) \(.states.closed)"' "2000 2000 2000" \
    "2,000 targets: the summary"
probe 1 "--top-ports 10" --netns "$ns" 127.0.0.1 --top-ports 10 -f grep
expect_lines "$work/out" 10 "--top-ports 10: ten probes"
expect_in "$work/out" "127.0.0.1 80 tcp closed" "--top-ports 10: port 80 among them"
probe 1 "no port: the built-in top ports" --netns "$ns" 127.0.0.1
expect_match "$work/out" '^1 host, 316 tcp probes \(the built-in top 316 ports\) in [0-9.]+ m?s: 1 open, ' \
    "no port: 316 probes, and the summary names the list"
expect_match "$work/out" '^127\.0\.0\.1 +8080 +tcp +open ' "no port: 8080 (on the list) found open"
probe 1 "no port, JSON" --netns "$ns" -j 127.0.0.1
expect_jq "$work/out" '.[] | select(.type == "summary") | "\(.probes) \(.top_ports)"' "316 316" "no port, JSON: top_ports in the summary"
probe 1 "no port, UDP" --netns "$ns" -u -j --timeout 0.2 --retries 0 127.0.0.1
expect_jq "$work/out" '.[] | select(.type == "summary") | "\(.probes) \(.top_ports)"' "60 60" "no port, UDP: the 60 UDP ports"
probe 1 "a target with a port and one without" --netns "$ns" -j 127.0.0.2:9 127.0.0.1
expect_jq "$work/out" '.[] | select(.type == "summary") | .probes' 317 "mixed: its own port for one, the list for the other"
probe 1 "--top-ports 100000: the whole list" --netns "$ns" -j 127.0.0.1 --top-ports 100000
expect_eq "$(cat "$work/err")" "sk-probe: warning: --top-ports 100000: the built-in list has 316 TCP ports; scanning all 316" \
    "--top-ports 100000: a warning on stderr"
expect_jq "$work/out" '.[] | select(.type == "summary") | "\(.probes) \(.top_ports)"' "316 316" "--top-ports 100000: 316 probes"
probe 1 "--top-ports 10: the summary names the list" --netns "$ns" 127.0.0.1 --top-ports 10
expect_match "$work/out" '^1 host, 10 tcp probes \(the built-in top 10 ports\) in ' "--top-ports 10: text summary"
probe 1 "-p: the summary names no list" --netns "$ns" -j 127.0.0.1 -p 9
expect_jq "$work/out" '.[] | select(.type == "summary") | .top_ports' null "-p: top_ports is null"

# --- output costs: the services database read once, lines written in batches ----------------------
# strace counts, per scan of 2,000 closed ports: opens of /etc/services, and write(2)
# calls on standard output (2,000 JSON lines are about 450 kB: a few 64 kB batches).
for format in "-j" "-f csv" "-a"; do
    # shellcheck disable=SC2086
    expect_status 1 "strace, $format: 2,000 closed ports" -- \
        "${under_strace[@]}" strace -f -qq -e trace=openat,write -o "$work/strace.txt" "$sk_probe" --netns "$ns" 127.0.0.1 -p 10001-12000 $format
    expect_eq "$(grep -c '/etc/services' "$work/strace.txt")" 1 "strace, $format: /etc/services opened once"
    writes=$(grep -cE '(^|\] )write\(1,|^[0-9]+ +write\(1,' "$work/strace.txt")
    if ((writes >= 1 && writes <= 40)); then pass "strace, $format: $writes writes for 2,000 results"; else fail "strace, $format: $writes writes for 2,000 results, wanted 1 to 40"; fi
done
expect_status 1 "line-complete batches: 2,000 JSON lines" -- "$sk_probe" --netns "$ns" -j 127.0.0.1 -p 10001-12000
expect_eq "$(jq -c 'select(.type == "result")' "$work/out" | wc -l)" 2000 "line-complete batches: every line parses"

# A slow scan through a pipe: results appear as they come, not at the end.
start_bg stream bash -c "\"$sk_probe\" --netns $ns -j --rate 10 127.0.0.1 -p 5001-5020 | cat"
t0=$(now_ms)
if wait_lines stream '"type":"result"' 3 5; then
    expect_ms $(($(now_ms) - t0)) 0 1500 "streaming: 3 results (due at 0, 100 and 200 ms) seen through a pipe in time"
    expect_not_in "$work/stream.out" '"type":"summary"' "streaming: they came before the scan (1.9 s) ended"
fi
wait_exit stream 10
expect_eq "$(grep -c '"type":"result"' "$work/stream.out")" 20 "streaming: then all 20 results"

probe 1 "-p 65530-: an open-ended range" --netns "$ns" 127.0.0.1 -p 65530- -f grep
expect_eq "$(awk '{print $2}' "$work/out" | sort -n | tr '\n' ' ')" "65530 65531 65532 65533 65534 65535 " \
    "-p 65530-: up to 65535"

# --- --source -------------------------------------------------------------------------------------
probe 0 "-s 127.0.0.2" --netns "$ns" -s 127.0.0.2 127.0.0.1:8080
probe 0 "-s 127.0.0.2:45000" --netns "$ns" -s 127.0.0.2:45000 127.0.0.1:8080
for ((i = 0; i < 100; i++)); do grep -q 'connection 127.0.0.2:45000 ' "$work/tcp_servers.err" && break; sleep 0.05; done
expect_match "$work/tcp_servers.err" '^connection 127\.0\.0\.2:[0-9]+ tcp end=reset' "-s: the server saw the source address"
expect_in "$work/tcp_servers.err" "connection 127.0.0.2:45000 tcp" "-s ADDR:PORT: and the source port"
probe 1 "-s a foreign address" --netns "$ns" -j -s 10.1.1.1 127.0.0.1:8080
expect_result "$work/out" 127.0.0.1 8080 '"\(.state) \(.error) \(.reason)"' \
    "error EADDRNOTAVAIL no local address (EADDRNOTAVAIL)" "-s foreign: an error result, the reason in words"

# --- --close: rst leaves no TIME_WAIT, fin leaves one ---------------------------------------------
time_wait() { ip netns exec "$ns" ss -Htan state time-wait '( dport = :8080 )' | wc -l; }
probe 0 "--close rst (the default)" --netns "$ns" -q 127.0.0.1:8080
sleep 0.3
expect_eq "$(time_wait)" 0 "--close rst: no TIME_WAIT left"
probe 0 "--close fin" --netns "$ns" -q --close fin 127.0.0.1:8080
for ((i = 0; i < 80; i++)); do [[ $(time_wait) == 1 ]] && break; sleep 0.05; done
expect_eq "$(time_wait)" 1 "--close fin: one TIME_WAIT on the prober's side"

# --- --rate -----------------------------------------------------------------------------------------
t0=$(now_ms)
probe 1 "--rate 200, 100 closed ports" --netns "$ns" -j 127.0.0.1 -p 5001-5100 --rate 200
expect_ms $(($(now_ms) - t0)) 400 1500 "--rate 200: 100 probes take about 0.5 s"
expect_jq "$work/out" "map($summary_counts) | join(\"\")" "100 0 100 0 0 0 0" "--rate 200: all 100 closed"
# The first interval is the rate's like every other: connect(2) times from strace, the
# first connect to each port (on loopback a refusal takes two).
connect_times() {  # connect_times FILE: "SECONDS PORT" per connect in strace -f -ttt output
    sed -En 's/^(\[pid +[0-9]+\] |[0-9]+ +)?([0-9]+\.[0-9]+) connect\(.*sin_port=htons\(([0-9]+)\).*/\2 \3/p' "$1"
}
expect_status 1 "--rate 10: 4 probes under strace" -- \
    "${under_strace[@]}" strace -f -qq -ttt -e trace=connect -o "$work/connects.txt" "$sk_probe" --netns "$ns" --rate 10 127.0.0.1 -p 5001-5004
gaps=$(connect_times "$work/connects.txt" |
    awk '!seen[$2]++ {if (n++) printf "%d ", ($1 - last) * 1000; last = $1}')
expect_eq "$(wc -w <<<"$gaps")" 3 "--rate 10: three intervals between four probes ($gaps ms)"
for gap in $gaps; do
    if ((gap >= 95 && gap <= 200)); then pass "--rate 10: an interval of $gap ms"; else fail "--rate 10: an interval of $gap ms, wanted 95 to 200"; fi
done
# Several threads take turns: at --rate 200, 300 ports run on 2 threads, and the first
# 20 ms hold the probes due at 0, 5, 10 and 15 ms, not a burst from every thread.
expect_status 1 "--rate 200, 300 ports on 2 threads, under strace" -- \
    "${under_strace[@]}" strace -f -qq -ttt -e trace=connect -o "$work/connects3.txt" "$sk_probe" --netns "$ns" -q --rate 200 127.0.0.1 -p 5001-5300
early=$(connect_times "$work/connects3.txt" |
    sort -n | awk '!seen[$2]++ {if (!n++) first = $1; if ($1 - first < 0.0195) k++} END {print k + 0}')
if ((early >= 3 && early <= 5)); then pass "--rate 200 on 2 threads: $early probes in the first 20 ms"; else fail "--rate 200 on 2 threads: $early probes in the first 20 ms, wanted 4"; fi

probe 1 "--rate 2000, 3,000 closed ports" --netns "$ns" -j 127.0.0.1 -p 3001-6000 --rate 2000
expect_ms "$(elapsed_ms "$work/out")" 1350 4000 "--rate 2000: 3,000 probes take about 1.5 s, on any number of threads"

# --- --wait -------------------------------------------------------------------------------------------
start_bg late bash -c "sleep 1; exec \"$sk_echo\" --netns \"$ns\" -l 127.0.0.1:8181"
t0=$(now_ms)
probe 0 "--wait: a listener that comes after 1 s" --netns "$ns" --wait 10s 127.0.0.1:8181
expect_ms $(($(now_ms) - t0)) 900 2500 "--wait: done soon after the listener came"
expect_match "$work/out" '^127\.0\.0\.1 +8181 +tcp +open ' "--wait: reports it open"
stop_bg late
t0=$(now_ms)
probe 1 "--wait 1s: a port that stays closed" --netns "$ns" --wait 1s 127.0.0.1:8182
expect_ms $(($(now_ms) - t0)) 600 2500 "--wait 1s: gives up after about 1 s"
expect_match "$work/out" '^127\.0\.0\.1 +8182 +tcp +closed ' "--wait 1s: reports it closed"
probe 1 "--wait 1s: a dropped port" --netns "$ns" -j --wait 1s 127.0.0.1:1001
expect_result "$work/out" 127.0.0.1 1001 .state filtered "--wait 1s, dropped: filtered"
expect_ms "$(elapsed_ms "$work/out")" 500 1500 "--wait 1s, dropped: gives up after about 1 s, retries included"
start_bg wait_term "$sk_probe" --netns "$ns" -j --wait 10s 127.0.0.1:8182
sleep 1
kill -TERM "${bg_pid[wait_term]}"
t0=$(now_ms)
wait_exit wait_term 5
expect_ms $(($(now_ms) - t0)) 0 1000 "--wait, SIGTERM: ends at once"
expect_eq "$rc" 1 "--wait, SIGTERM between rounds: exit 1"
expect_jq "$work/wait_term.out" '.[] | select(.type == "summary") | .interrupted' true \
    "--wait, SIGTERM between rounds: a summary marked interrupted"

# --- SIGINT during a long scan ----------------------------------------------------------------------
start_bg sigint "$sk_probe" --netns "$ns" -j 127.0.0.1 -p- --rate 1000
if wait_lines sigint '"type":"result"' 1 10; then
    sleep 0.3
    kill -INT "${bg_pid[sigint]}"
    t0=$(now_ms)
    wait_exit sigint 5
    expect_ms $(($(now_ms) - t0)) 0 1000 "SIGINT: ends at once"
    expect_eq "$rc" 1 "SIGINT: exit 1"
    expect_eq "$(tail -1 "$work/sigint.out" | jq -r '"\(.type) \(.interrupted)"')" "summary true" \
        "SIGINT: the summary comes last, marked interrupted"
    probes=$(tail -1 "$work/sigint.out" | jq -r .probes)
    if ((probes > 0 && probes < 65535)); then pass "SIGINT: stopped after $probes probes"; else fail "SIGINT: $probes probes"; fi
    expect_eq "$(grep -c '"type":"result"' "$work/sigint.out")" "$probes" "SIGINT: every finished probe reported"
else
    wait_exit sigint 0
fi
start_bg sigterm_text "$sk_probe" --netns "$ns" 127.0.0.1 -p - --rate 1000
sleep 1.5
kill -TERM "${bg_pid[sigterm_text]}"
wait_exit sigterm_text 5
expect_eq "$rc" 1 "SIGTERM, text: exit 1"
expect_match "$work/sigterm_text.out" '^1 host, [0-9,]+ tcp probes in [0-9.]+ m?s: [0-9,]+ closed.* \(interrupted\)$' \
    "SIGTERM, text: the summary says interrupted"

# --- the kernel may connect a probe to itself -------------------------------------------------------
self="sk-probe-self-$$"
if ip netns add "$self" && namespaces+=("$self") && ip -n "$self" link set lo up; then
    ip netns exec "$self" sysctl -qw net.ipv4.ip_local_port_range="40000 40010"
    for run in 1 2 3; do
        probe 1 "self-connect: 40000-40010 within the ephemeral range, run $run" --netns "$self" 127.0.0.1 -p 40000-40010 -f grep
        expect_eq "$(awk '{print $4}' "$work/out" | sort | uniq -c | tr -s ' ')" " 11 closed" \
            "self-connect, run $run: all 11 closed, none open"
    done
    # One ephemeral port: a probe of that port is always connected to itself.
    ip netns exec "$self" sysctl -qw net.ipv4.ip_local_port_range="40000 40000"
    for ((i = 0; i < 10; i++)); do echo 127.0.0.1:40000; done >"$work/self.txt"
    expect_status 1 "self-connect: 10 probes of the only ephemeral port" -- \
        "$sk_probe" --netns "$self" --parallel 1 -f grep - <"$work/self.txt"
    expect_eq "$(sort "$work/out" | uniq -c | tr -s ' ')" " 10 127.0.0.1 40000 tcp closed" "self-connect, tcp: closed every time"
    probe 1 "self-connect, udp" --netns "$self" -u -j 127.0.0.1:40000
    expect_result "$work/out" 127.0.0.1 40000 .state closed "self-connect, udp: our own datagram is not an answer"
else
    fail "cannot create namespace $self"
fi

stop_bg tcp_servers
stop_bg udp_servers
echo "sk-probe test: $((SECONDS - started)) s"
finish
