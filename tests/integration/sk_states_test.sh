#!/usr/bin/env bash
# sk-states against a population whose every count is known: sk-population builds each
# TCP state (and UDP sockets) in a namespace this test creates, and every census, filter,
# grouping, listing and format is checked against what was built AND against ss, through
# both sources (netlink and /proc). Then the one-line errors, exit codes and closed pipes.
#   sk_states_test.sh BIN_DIR TESTS_BIN_DIR
#
# Rules in each namespace (see tests/tools/sk_population.cpp for how they make states):
#   output: meta mark 0x50c drop              FIN_WAIT1, CLOSING, LAST_ACK
#   input:  tcp dport 20002 drop              SYN_SENT (nothing ever answers the SYN)
#           tcp dport 20001 flags ACK-only    SYN_RECV (the handshake's last ACK is lost)
# TIME_WAIT lives 60 s, so each phase checks everything within a minute of its start.
set -uo pipefail
source "$(dirname "$0")/lib.sh"
states="$1/sk-states"
population="$2/sk-population"

if [[ $(id -u) != 0 ]]; then
    echo "skipped: needs root to create network namespaces"
    exit 0
fi

syn_recv_port=20001
syn_sent_port=20002
namespaces=()
helper=""

stop_population() {  # SIGTERM, then SIGKILL if it has not gone within 5 s
    [[ -n $helper ]] || return 0
    kill -TERM "$helper" 2>/dev/null
    for ((i = 0; i < 50; i++)); do
        kill -0 "$helper" 2>/dev/null || break
        sleep 0.1
    done
    kill -KILL "$helper" 2>/dev/null
    wait "$helper" 2>/dev/null
    helper_status=$?
    helper=""
}
cleanup() {
    stop_population
    for ns in "${namespaces[@]}"; do ip netns del "$ns" 2>/dev/null; done
    rm -rf "$work"
}
trap cleanup EXIT
trap 'exit 2' INT TERM

make_namespace() {  # make_namespace NAME: loopback up and the drop rules in place
    namespaces+=("$1")
    ip netns add "$1" && ip -n "$1" link set lo up &&
        ip netns exec "$1" nft -f - <<EOF
table inet sk_states_test {
    chain out {
        type filter hook output priority 0;
        meta mark 0x50c drop
    }
    chain in {
        type filter hook input priority 0;
        tcp dport $syn_sent_port drop
        tcp dport $syn_recv_port tcp flags & (syn | ack) == ack drop
    }
}
EOF
}

# Starts sk-population in $ns and waits (bounded) for its "ready" line; sets $expected.
start_population() {
    # Emptied first: the child truncates it only once it runs, and until then the
    # polling below would read the previous phase's "ready" line.
    : >"$work/pop.out"
    ip netns exec "$ns" "$population" "$@" >"$work/pop.out" 2>"$work/pop.err" &
    helper=$!
    for ((i = 0; i < 300; i++)); do
        grep -q '^ready ' "$work/pop.out" && break
        kill -0 "$helper" 2>/dev/null || break
        sleep 0.1
    done
    expected=$(sed -n 's/^ready //p' "$work/pop.out")
    if [[ -n $expected ]]; then
        pass "$tag: sk-population ready"
    else
        fail "$tag: sk-population not ready in 30 s: $(head -c 300 "$work/pop.err")"
    fi
    [[ -n $expected ]]
}

want() { jq -r "$@" <<<"$expected"; }  # want [OPTIONS] FILTER: from the built population
got() { jq -r "$@" "$work/out"; }       # got [OPTIONS] FILTER: from sk-states' last output
ss_count() { ip netns exec "$ns" ss -H "$@" | wc -l; }
thousands() { sed ':a;s/\B[0-9]\{3\}\>/,&/;ta' <<<"$1"; }

keys=(established syn_sent syn_recv fin_wait1 fin_wait2 time_wait close close_wait last_ack
    listen closing)
ss_names=(established syn-sent syn-recv fin-wait-1 fin-wait-2 time-wait closed close-wait
    last-ack listening closing)
text_names=(ESTABLISHED SYN_SENT SYN_RECV FIN_WAIT1 FIN_WAIT2 TIME_WAIT CLOSE CLOSE_WAIT
    LAST_ACK LISTEN CLOSING)

# --- the census: every state, as built and as ss sees it --------------------------------
declare -A ss_all ss_v4 ss_v6
count_with_ss() {
    for i in "${!keys[@]}"; do
        ss_all[${keys[i]}]=$(ss_count -tan state "${ss_names[i]}")
        ss_v4[${keys[i]}]=$(ss_count -tan -4 state "${ss_names[i]}")
        ss_v6[${keys[i]}]=$(ss_count -tan -6 state "${ss_names[i]}")
    done
    ss_all[udp_established]=$(ss_count -uan state established)
    ss_all[udp_close]=$(ss_count -uan state closed)
}

check_census() {  # check_census SOURCE
    local src=$1 key
    expect_status 0 "$tag $src: census" -- "${st[@]}" --source "$src" -j
    expect_eq "$(got .source)" "$src" "$tag $src: source named in JSON"
    expect_eq "$(got .netns)" "$ns" "$tag $src: netns named in JSON"
    for key in "${keys[@]}"; do
        expect_eq "$(got ".tcp.states.$key")" "$(want ".tcp.$key")" "$tag $src: $key as built"
        expect_eq "$(got ".tcp.states.$key")" "${ss_all[$key]}" "$tag $src: $key as ss counts"
        expect_eq "$(got ".tcp.ipv4.$key")" "${ss_v4[$key]}" "$tag $src: IPv4 $key as ss -4"
        expect_eq "$(got ".tcp.ipv6.$key")" "${ss_v6[$key]}" "$tag $src: IPv6 $key as ss -6"
    done
    expect_eq "$(got .tcp.total)" "$total" "$tag $src: TCP total"
    expect_eq "$(got 'has("udp")')" false "$tag $src: no UDP without -u"

    expect_status 0 "$tag $src: -u" -- "${st[@]}" --source "$src" -u -j
    for key in established close; do
        expect_eq "$(got ".udp.states.$key")" "$(want ".udp.$key")" "$tag $src: UDP $key as built"
        expect_eq "$(got ".udp.states.$key")" "${ss_all[udp_$key]}" "$tag $src: UDP $key as ss"
    done
    expect_eq "$(got 'has("tcp")')" false "$tag $src: -u alone counts no TCP"
    expect_status 0 "$tag $src: -t -u" -- "${st[@]}" --source "$src" -t -u -j
    expect_eq "$(got '.tcp.total + .udp.total')" "$((total + 2 * $(want .udp.close)))" \
        "$tag $src: -t -u counts both"
}

check_families() {  # -4 / -6 and --family-split
    local mine=$1 other=$2 key=${keys[0]}
    expect_status 0 "$tag: -$mine" -- "${st[@]}" "-$mine" -j
    expect_eq "$(got .tcp.total)" "$total" "$tag: -$mine counts all"
    timeout 20 "${st[@]}" "-$other" -j >"$work/out" 2>"$work/err"
    expect_eq "$(got .tcp.total)" 0 "$tag: -$other counts none"
    expect_status 0 "$tag: --family-split" -- "${st[@]}" --family-split
    expect_eq "$(head -1 "$work/out" | tr -s ' ')" "STATE IPV4 IPV6 TOTAL" "$tag: split header"
    local n=${ss_all[$key]} row
    row=$([[ $mine == 4 ]] && echo "$n 0 $n" || echo "${ss_v4[$key]} ${ss_v6[$key]} $n")
    expect_eq "$(awk '$1 == "ESTABLISHED" {print $2, $3, $4}' "$work/out")" "$row" \
        "$tag: split ESTABLISHED row"
}

# --- filters ---------------------------------------------------------------------------
check_filter() {  # check_filter SOURCE WANT DESCRIPTION -- ARGS...
    local src=$1 n=$2 what=$3
    shift 4
    expect_status "$((n > 0 ? 0 : 1))" "$tag $src: $what" -- "${st[@]}" --source "$src" -j "$@"
    expect_eq "$(got '(.tcp.total // 0) + (.udp.total // 0)')" "$n" "$tag $src: $what counts $n"
}

check_filters() {  # check_filters SOURCE
    local s=$1 est tw fw1 fw2 cw la cl sr sent l n_est n_tw
    est=$(want .tcp.established) tw=$(want .tcp.time_wait) fw1=$(want .tcp.fin_wait1)
    fw2=$(want .tcp.fin_wait2) cw=$(want .tcp.close_wait) la=$(want .tcp.last_ack)
    cl=$(want .tcp.closing) sr=$(want .tcp.syn_recv) sent=$(want .tcp.syn_sent)
    l=$(want .tcp.listen) n_est=$population_established n_tw=$population_time_wait
    check_filter "$s" "$tw" "--state time-wait" -- --state time-wait
    check_filter "$s" "$tw" "--state TIME_WAIT" -- --state TIME_WAIT
    check_filter "$s" "$tw" "-s timewait" -- -s timewait
    check_filter "$s" "$sr" "--state SYN_RCVD" -- --state SYN_RCVD
    check_filter "$s" "$sr" "--state new-syn-recv (request sockets)" -- --state new-syn-recv
    check_filter "$s" "$fw1" "--state fin-wait-1" -- --state fin-wait-1
    check_filter "$s" "$est" "-s estab" -- -s estab
    check_filter "$s" "$cl" "--state closing (the CLOSING state, as in ss)" -- --state closing
    check_filter "$s" "$cl" "--state CLOSING" -- --state CLOSING
    check_filter "$s" "$((fw1 + fw2 + cl + tw + cw + la))" "--state teardown (group)" \
        -- --state teardown
    check_filter "$s" "$((cl + l))" "--state closing,listen" -- --state closing,listen
    check_filter "$s" "$((total - l))" "--state connected" -- --state connected
    check_filter "$s" "$((total - l - sent))" "--state synchronized" -- --state synchronized
    check_filter "$s" "$((sr + tw))" "--state bucket" -- --state bucket
    check_filter "$s" "$((total - sr - tw))" "--state big" -- --state big
    check_filter "$s" "$total" "--state all" -- --state all
    check_filter "$s" "$((est + l))" "--state established,listen" -- --state established,listen
    check_filter "$s" "$((est + l))" "-s established -s listen" -- -s established -s listen
    check_filter "$s" "$l" "-l" -- -l
    check_filter "$s" "$(want .udp.close)" "-u -l" -- -u -l
    check_filter "$s" "$(want .udp.established)" "-u --state established" -- -u --state established
    check_filter "$s" 0 "-u --state syn-sent" -- -u --state syn-sent
    check_filter "$s" 0 "--state close" -- --state close
    check_filter "$s" 0 "--state syn-sent --dport 1" -- --state syn-sent --dport 1

    local p_est p_tw
    p_est=$(want .ports.established) p_tw=$(want .ports.time_wait)
    check_filter "$s" "$((n_est + 1))" "--sport (listener and accepted)" -- --sport "$p_est"
    expect_eq "$(got .tcp.total)" "$(ss_count -tan sport = ":$p_est")" "$tag $s: --sport as ss"
    check_filter "$s" "$n_est" "--dport" -- --dport "$p_est"
    expect_eq "$(got .tcp.total)" "$(ss_count -tan dport = ":$p_est")" "$tag $s: --dport as ss"
    check_filter "$s" "$((n_est + n_tw))" "--dport list" -- --dport "$p_est,$p_tw"
    check_filter "$s" "$((sr + sent))" "--dport range" -- --dport "$syn_recv_port-$syn_sent_port"
    expect_eq "$(got .tcp.total)" \
        "$(ss_count -tan "( dport >= :$syn_recv_port and dport <= :$syn_sent_port )")" \
        "$tag $s: --dport range as ss"
    check_filter "$s" "$((sr + 1))" "--sport port and range" -- --sport "1,$syn_recv_port-$syn_recv_port"
    check_filter "$s" "$n_est" "--state established --dport" -- --state established --dport "$p_est"
    check_filter "$s" "$n_tw" "--state time-wait --dport" -- --state time-wait --dport "$p_tw"
    expect_eq "$(got -c .filters.states)" '["time_wait"]' "$tag $s: filters.states in JSON"
    expect_eq "$(got .filters.dport)" "$p_tw" "$tag $s: filters.dport in JSON"
    check_filter "$s" 0 "--src outside" -- --src 10.0.0.0/8
    check_filter "$s" 0 "--dst outside" -- --dst 192.0.2.0/24,2001:db8::/32
}

check_address_filters() {  # check_address_filters SOURCE: per family
    local s=$1 l mapped
    l=$(want .tcp.listen)
    if [[ $family == 4 ]]; then
        check_filter "$s" "$total" "--src 127.0.0.0/8" -- --src 127.0.0.0/8
        check_filter "$s" "$total" "--src list" -- --src 10.0.0.0/8,127.0.0.0/8
        check_filter "$s" "$total" "--src repeated" -- --src 10.0.0.0/8 --src 127.0.0.0/8
        check_filter "$s" "$((total - l))" "--dst 127.0.0.1 (peers, not listeners)" -- --dst 127.0.0.1
        expect_eq "$(got .tcp.total)" "$(ss_count -tan dst 127.0.0.1)" "$tag $s: --dst as ss"
        check_filter "$s" 0 "--src ::1 in an IPv4 population" -- --src ::1
    else
        mapped=$population_v4_mapped
        check_filter "$s" "$((total - 2 * mapped - 1))" "--src ::1/128" -- --src ::1/128
        check_filter "$s" "$((total - 2 * mapped - l))" "--dst ::1" -- --dst ::1
        expect_eq "$(got .tcp.total)" "$(ss_count -tan dst '[::1]')" "$tag $s: --dst ::1 as ss"
        # An IPv4 block also matches v4-mapped addresses of IPv6 sockets.
        check_filter "$s" "$((2 * mapped))" "--dst 127.0.0.0/8 on v4-mapped peers" -- --dst 127.0.0.0/8
        check_filter "$s" "$((2 * mapped + 1))" "--src 127.0.0.1 on v4-mapped" -- --src 127.0.0.1
    fi
}

# --- what ss users type ---------------------------------------------------------------------
check_ss_habits() {
    local est tw cw l
    est=$(want .tcp.established) tw=$(want .tcp.time_wait) cw=$(want .tcp.close_wait)
    l=$(want .tcp.listen)
    expect_status 0 "$tag: -tan" -- "${st[@]}" -tan --no-findings
    expect_lines "$work/out" 13 "$tag: -tan: every state (-a), header and TOTAL"
    expect_eq "$(awk '$1 == "TOTAL" {print $2}' "$work/out")" "$(thousands "$total")" \
        "$tag: -tan: the TCP total"
    expect_status 0 "$tag: -tln" -- "${st[@]}" -tln -j
    expect_eq "$(got .tcp.total)" "$l" "$tag: -tln counts the listeners"
    expect_status 0 "$tag: -n alone" -- "${st[@]}" -n -j
    expect_eq "$(got .tcp.total)" "$total" "$tag: -n changes nothing"
    check_filter netlink "$tw" "state time-wait (ss's filter)" -- state time-wait
    expect_eq "$(got -c .filters.states)" '["time_wait"]' "$tag: state time-wait in filters.states"
    check_filter netlink "$((tw + cw))" "state time-wait state close-wait" -- \
        state time-wait state close-wait
    check_filter netlink "$((total - l))" "exclude listening" -- exclude listening
    check_filter netlink "$((total - l - tw))" "exclude listening exclude time-wait" -- \
        exclude listening exclude time-wait
    check_filter netlink "$((est + tw - tw))" "state established state time-wait exclude time-wait" \
        -- state established state time-wait exclude time-wait
    check_filter netlink "$((l + tw))" "--state listen state time-wait" -- --state listen \
        state time-wait
    check_filter netlink "$((total - l - tw - $(want .tcp.syn_recv)))" \
        "state connected exclude bucket" -- \
        state connected exclude bucket
}

# --- --by, --list ------------------------------------------------------------------------
check_groups() {  # check_groups SOURCE
    local s=$1
    expect_status 0 "$tag $s: --by state" -- "${st[@]}" --source "$s" --by state -j
    expect_eq "$(got -cS '[.groups[] | {(.state): .count}] | add')" \
        "$(want -cS '.tcp | with_entries(select(.value > 0))')" "$tag $s: --by state counts"
    expect_eq "$(got '[.groups[].count] | . == (sort | reverse)')" true "$tag $s: sorted by count"
    expect_status 0 "$tag $s: --by raddr,rport --top 1" -- "${st[@]}" --source "$s" \
        --by raddr,rport --top 1 -j
    expect_eq "$(got '.groups | length')" 1 "$tag $s: --top 1 gives one group"
    expect_eq "$(got '.groups[0] | "\(.raddr) \(.rport) \(.count)"')" "$top_group" \
        "$tag $s: the largest group"
    expect_status 0 "$tag $s: --by text" -- "${st[@]}" --source "$s" --by raddr,rport --top 1
    expect_eq "$(head -1 "$work/out" | tr -s ' ')" "RADDR RPORT COUNT" "$tag $s: --by text header"
    expect_eq "$(sed -n 2p "$work/out" | tr -s ' ')" "$top_group_text" "$tag $s: --by text row"
    expect_lines "$work/out" 2 "$tag $s: --by --top 1 text is two lines"
    expect_status 0 "$tag $s: --by lport -l" -- "${st[@]}" --source "$s" --by lport -l -j
    expect_eq "$(got '[.groups[] | select(.count == 1)] | length')" "$(want .tcp.listen)" \
        "$tag $s: one group per listening port"
}

check_lists() {
    local n loop_est
    n=$(want .tcp.established)
    loop_est=$(want '.ports.established | tostring')
    loop_est=$([[ $family == 4 ]] && echo "127.0.0.1:$loop_est" || echo "[::1]:$loop_est")
    expect_status 0 "$tag: --list" -- "${st[@]}" --list --state established
    expect_eq "$(grep -c '^ESTABLISHED ' "$work/out")" "$n" "$tag: --list has a line per socket"
    expect_lines "$work/out" "$((n + 1))" "$tag: --list is a header and the sockets"
    expect_status 0 "$tag: --list -j" -- "${st[@]}" --list --state established -j
    expect_eq "$(got '.sockets | length')" "$n" "$tag: --list -j length"
    expect_eq "$(got -c '.sockets[0] | keys_unsorted')" \
        '["protocol","state","local","peer","recv_q","send_q","timer","expires_ms","uid","inode"]' \
        "$tag: --list -j fields"
    expect_eq "$(got '[.sockets[] | select(.protocol == "tcp" and .state == "established"
        and .uid == 0 and .inode > 0)] | length')" "$n" "$tag: --list -j values"
    expect_eq "$(got "[.sockets[] | select(.local == \"$loop_est\")] | length")" \
        "$population_established" "$tag: --list -j local addresses"
    for src in netlink proc; do
        expect_status 0 "$tag $src: --list -j all" -- "${st[@]}" --source "$src" --list -j
        expect_eq "$(got '.sockets | length')" "$total" "$tag $src: --list lists every socket"
    done
    expect_status 0 "$tag: --list time-wait" -- "${st[@]}" --list --state time-wait -j
    expect_eq "$(got '[.sockets[] | select(.expires_ms > 0 and .expires_ms <= 60000)] | length')" \
        "$(want .tcp.time_wait)" "$tag: TIME_WAIT expiries within 60 s"
    expect_status 0 "$tag: --list -e" -- "${st[@]}" --list -e -j --state established \
        --sport "$(want .ports.established)"
    expect_eq "$(got '[.sockets[] | select(.rtt_ms > 0 and .rttvar_ms >= 0 and .cwnd > 0
        and .retrans == 0 and .bytes_acked == 1 and .bytes_received == 1)] | length')" \
        "$population_established" "$tag: -e TCP_INFO fields (rtt_ms > 0, one byte each way)"
    # A listener has no round trip, window or byte counts; TIME_WAIT has no TCP_INFO at
    # all; SYN_SENT has had no RTT sample yet (its cwnd and retransmits are real).
    local l tw sent
    l=$(want .tcp.listen) tw=$(want .tcp.time_wait) sent=$(want .tcp.syn_sent)
    expect_status 0 "$tag: --list -e listeners" -- "${st[@]}" --list -e -j --state listen
    expect_eq "$(got '[.sockets[] | select([.rtt_ms, .rttvar_ms, .cwnd, .retrans, .bytes_acked,
        .bytes_received] == [null, null, null, null, null, null])] | length')" "$l" \
        "$tag: -e listeners: every TCP_INFO field null"
    expect_status 0 "$tag: --list -e listeners text" -- "${st[@]}" --list -e --state listen
    expect_eq "$(awk 'NR > 1 {print $9, $10, $11, $12, $13, $14}' "$work/out" | sort -u)" \
        "- - - - - -" "$tag: -e listeners text: RTT_MS to BYTES_RECEIVED show -"
    expect_status 0 "$tag: --list -e time-wait" -- "${st[@]}" --list -e -j --state time-wait
    expect_eq "$(got '[.sockets[] | select(.rtt_ms == null and .cwnd == null)] | length')" "$tw" \
        "$tag: -e TIME_WAIT: no TCP_INFO, null"
    expect_status 0 "$tag: --list -e syn-sent" -- "${st[@]}" --list -e -j --state syn-sent
    expect_eq "$(got '[.sockets[] | select(.rtt_ms == null and .rttvar_ms == null and .cwnd > 0
        and (.retrans | type) == "number")] | length')" "$sent" \
        "$tag: -e SYN_SENT: no RTT sample yet (null), cwnd and retrans given"
    expect_status 0 "$tag: --list -e syn-sent text" -- "${st[@]}" --list -e --state syn-sent
    expect_eq "$(awk 'NR > 1 {print $9, $10}' "$work/out" | sort -u)" "- -" \
        "$tag: -e SYN_SENT text: RTT_MS and RTTVAR_MS show -"

    # With -t -u the text says which transport a row is, as ss's Netid column does.
    local udp_est
    udp_est=$(want .udp.established)
    expect_status 0 "$tag: --list -t -u" -- "${st[@]}" --list -t -u --state established
    expect_eq "$(head -1 "$work/out" | awk '{print $1, $2}')" "NETID STATE" \
        "$tag: --list -t -u: NETID column first"
    expect_eq "$(grep -cE '^tcp +ESTABLISHED ' "$work/out")" "$n" "$tag: --list -t -u: tcp rows"
    expect_eq "$(grep -cE '^udp +ESTABLISHED ' "$work/out")" "$udp_est" \
        "$tag: --list -t -u: udp rows"
    expect_status 0 "$tag: --list -t -u csv" -- "${st[@]}" --list -t -u -f csv --state established
    expect_eq "$(head -1 "$work/out" | cut -d, -f1-3)" "protocol,state,local" \
        "$tag: --list -t -u csv: transport column first"
    expect_eq "$(grep -c '^udp,ESTABLISHED,' "$work/out")" "$udp_est" \
        "$tag: --list -t -u csv: udp rows"
    expect_status 0 "$tag: --by state -t -u" -- "${st[@]}" --by state -t -u --state established
    expect_eq "$(head -1 "$work/out" | tr -s ' ')" "NETID STATE COUNT" \
        "$tag: --by -t -u: NETID column"
    expect_eq "$(awk '$1 == "udp" && $2 == "ESTABLISHED" {print $3}' "$work/out")" "$udp_est" \
        "$tag: --by -t -u: the udp row"
    expect_eq "$(awk '$1 == "tcp" && $2 == "ESTABLISHED" {print $3}' "$work/out")" \
        "$(thousands "$n")" "$tag: --by -t -u: the tcp row"
    expect_status 0 "$tag: --by state -t -u csv" -- "${st[@]}" --by state -t -u -f csv
    expect_eq "$(head -1 "$work/out")" "protocol,state,count" "$tag: --by -t -u csv header"
    expect_in "$work/out" "udp,ESTABLISHED,$udp_est" "$tag: --by -t -u csv: the udp row"
    expect_status 0 "$tag: --by state, TCP only" -- "${st[@]}" --by state
    expect_eq "$(head -1 "$work/out" | tr -s ' ')" "STATE COUNT" \
        "$tag: --by with one transport: no NETID column"

    expect_status 0 "$tag: --list -u" -- "${st[@]}" --list -u -j
    expect_eq "$(got '[.sockets[] | select(.protocol == "udp")] | length')" \
        "$(want '.udp.close + .udp.established')" "$tag: --list -u lists the UDP sockets"
    expect_status 0 "$tag: -q" -- "${st[@]}" -q --state close-wait
    expect_eq "$(wc -c <"$work/out")" 0 "$tag: -q prints nothing"
    expect_status 1 "$tag: -q no match" -- "${st[@]}" -q --state syn-sent --dport 1
    expect_eq "$(wc -c <"$work/out")" 0 "$tag: -q no match prints nothing"
}

# --- formats, watch -------------------------------------------------------------------------
check_formats() {
    local key i n line
    expect_status 0 "$tag: text" -- "${st[@]}"
    expect_eq "$(head -1 "$work/out" | tr -s ' ')" "STATE COUNT" "$tag: text header"
    for i in "${!keys[@]}"; do
        n=${ss_all[${keys[i]}]}
        line=$(awk -v s="${text_names[i]}" '$1 == s {print $2}' "$work/out")
        expect_eq "$line" "$( ((n > 0)) && thousands "$n")" "$tag: text ${text_names[i]}"
    done
    expect_eq "$(awk '$1 == "TOTAL" {print $2}' "$work/out")" "$(thousands "$total")" "$tag: text TOTAL"
    expect_status 0 "$tag: text -a" -- "${st[@]}" -a --no-findings
    expect_lines "$work/out" 13 "$tag: -a shows all 11 states, header and TOTAL"
    expect_status 0 "$tag: text -t -u" -- "${st[@]}" -t -u
    expect_eq "$(grep -cxE 'TCP|UDP' "$work/out")" 2 "$tag: -t -u has TCP and UDP headings"

    expect_status 0 "$tag: prom" -- "${st[@]}" -t -u --format prom
    expect_eq "$(grep -cE '^sockkit_tcp_connections\{state="[a-z_0-9]+"\} [0-9]+$' "$work/out")" 11 \
        "$tag: prom has 11 TCP state lines"
    for key in "${keys[@]}"; do
        expect_eq "$(grep -cxF "sockkit_tcp_connections{state=\"$key\"} ${ss_all[$key]}" "$work/out")" \
            1 "$tag: prom $key"
    done
    expect_in "$work/out" "sockkit_udp_sockets{state=\"close\"} $(want .udp.close)" "$tag: prom UDP"
    expect_in "$work/out" "sockkit_states_duration_seconds " "$tag: prom duration"
    expect_status 0 "$tag: prom with a filter" -- "${st[@]}" --format prom --state time-wait
    expect_eq "$(grep -cE '^sockkit_tcp_connections\{state="[a-z_0-9]+"\} [0-9]+$' "$work/out")" 11 \
        "$tag: prom with a filter still has 11 TCP state lines"
    expect_eq "$(grep -cxF 'sockkit_tcp_connections{state="listen"} 0' "$work/out")" 1 \
        "$tag: prom with a filter: zeros included"
    if command -v promtool >/dev/null; then
        if promtool check metrics <"$work/out" >"$work/promtool" 2>&1; then
            pass "$tag: promtool check metrics"
        else
            fail "$tag: promtool check metrics: $(head -c 300 "$work/promtool")"
        fi
    else
        echo "skipped: promtool not installed (package prometheus)"
    fi

    expect_status 0 "$tag: csv" -- "${st[@]}" --format csv
    expect_eq "$(head -1 "$work/out")" "protocol,state,ipv4,ipv6,total" "$tag: csv header"
    expect_lines "$work/out" 13 "$tag: csv has header, 11 states and total"
    for key in "${keys[@]}"; do
        expect_in "$work/out" "tcp,$key,${ss_v4[$key]},${ss_v6[$key]},${ss_all[$key]}" "$tag: csv $key"
    done
    expect_eq "$(tail -1 "$work/out" | cut -d, -f1,2,5)" "tcp,total,$total" "$tag: csv total row"
    expect_status 0 "$tag: csv -t -u" -- "${st[@]}" --format csv -t -u
    expect_in "$work/out" "udp,established," "$tag: csv UDP rows"

    expect_status 0 "$tag: --watch 0.2 -c 3 -j" -- "${st[@]}" --watch 0.2 -c 3 -j
    expect_eq "$(jq -c 'select(.type == "sample") | .tcp.total' "$work/out" | paste -sd' ')" \
        "$total $total $total" "$tag: three samples with the total"
    # timestamp_s: Unix seconds of each sample, within a minute of now, never going back.
    expect_eq "$(jq -s --argjson now "$(date +%s)" '[.[] | select(.type == "sample") | .timestamp_s]
        | (length == 3) and all(type == "number" and . > $now - 60 and . < $now + 60)
          and . == sort' "$work/out")" true "$tag: --watch -j: timestamp_s on every sample"
    expect_eq "$(jq -c 'select(.type == "sample") | [(.read_ms | type), has("duration_ms")]' "$work/out" |
        sort -u)" '["number",false]' "$tag: --watch -j: read_ms, no duration_ms"
    expect_status 0 "$tag: --watch text" -- "${st[@]}" -w 0.2 -c 2
    expect_eq "$(grep -c "total=$total " "$work/out")" 2 "$tag: two text samples"
    # Piped, the lines carry the terminal's RATE/S too, from the second sample on.
    expect_eq "$(head -1 "$work/out" | grep -c '/s=')" 0 "$tag: --watch text: no rate at first"
    expect_in <(sed -n 2p "$work/out") "tcp total=$total total/s=+0.0 " \
        "$tag: --watch text: the total's rate per second"
    expect_eq "$(sed -n 2p "$work/out" | grep -oE ' [a-z_0-9]+/s=[-+][0-9]+\.[0-9]' | wc -l)" \
        "$(($(sed -n 2p "$work/out" | grep -oE ' [a-z_0-9]+=[0-9]+' | wc -l)))" \
        "$tag: --watch text: a rate after every count"
}

record_proc() {  # copies the namespace's /proc/net tables while the population stands
    mkdir -p "$work/proc-$family/net"
    for f in tcp tcp6 udp udp6 netstat snmp sockstat sockstat6; do
        ip netns exec "$ns" cat "/proc/net/$f" >"$work/proc-$family/net/$f"
    done
}

check_recorded_proc() {  # the recorded files, read back after the population is gone
    local root=$work/proc-$family i hex
    expect_status 0 "$tag: SOCKKIT_PROC_ROOT" -- env SOCKKIT_PROC_ROOT="$root" \
        "$states" --source proc -t -u -j
    for i in "${!keys[@]}"; do
        hex=$(printf '%02X' $((i + 1)))
        expect_eq "$(got ".tcp.states.${keys[i]}")" \
            "$(cat "$root/net/tcp" "$root/net/tcp6" | awk -v h="$hex" '$4 == h' | wc -l)" \
            "$tag: recorded ${keys[i]}"
    done
    expect_eq "$(got .tcp.total)" "$total" "$tag: recorded total is the population's"
    expect_eq "$(got .udp.states.close)" "$(want .udp.close)" "$tag: recorded UDP close"
    expect_eq "$(got .udp.states.established)" "$(want .udp.established)" "$tag: recorded UDP established"
}

# --- a phase per IP version ---------------------------------------------------------------
phase() {  # phase 4|6 POPULATION-ARGS...
    family=$1
    shift
    tag="IPv$family"
    ns="sk-states-test-$$-v$family"
    if ! make_namespace "$ns"; then
        fail "$tag: cannot create namespace $ns with its nft rules"
        return
    fi
    st=("$states" --netns "$ns")
    local started=$SECONDS loop
    start_population --family "$family" --syn-sent-port "$syn_sent_port" \
        --syn-recv-port "$syn_recv_port" "$@" || return
    total=$(want '.tcp | add')
    loop=$([[ $family == 4 ]] && echo 127.0.0.1 || echo ::1)
    top_group="$loop $(want ".ports.$top_category") $top_count"
    top_group_text="$loop $(want ".ports.$top_category") $(thousands "$top_count")"
    count_with_ss
    record_proc
    for src in netlink proc; do
        check_census "$src"
        check_filters "$src"
        check_address_filters "$src"
        check_groups "$src"
    done
    check_families "$family" "$((family == 4 ? 6 : 4))"
    check_ss_habits
    check_lists
    check_formats
    # A census after TIME_WAIT expired would disagree for that reason alone.
    if ((SECONDS - started < 55)); then
        pass "$tag: checked within TIME_WAIT's 60 s ($((SECONDS - started)) s)"
    else
        fail "$tag: took $((SECONDS - started)) s: TIME_WAIT counts may have expired"
    fi
    # Ending the helper mid-output: sk-states | head -1 is quiet and exits 0.
    "${st[@]}" --list 2>"$work/err" | head -1 >/dev/null
    expect_eq "${PIPESTATUS[0]}" 0 "$tag: sk-states --list | head -1: exit 0"
    expect_eq "$(wc -c <"$work/err")" 0 "$tag: sk-states --list | head -1: quiet"
    stop_population
    expect_eq "$helper_status" 0 "$tag: sk-population exits 0 on SIGTERM"
    check_recorded_proc
}

# --- errors: one line on stderr, exit 2, nothing on stdout ----------------------------
expect_error() {  # expect_error DESCRIPTION MESSAGE -- ARGS...
    local what=$1 message=$2
    shift 3
    expect_status 2 "$what" -- "$states" "$@"
    expect_lines "$work/err" 1 "$what: one line on stderr"
    expect_in "$work/err" "sk-states: error: " "$what: error prefix"
    expect_in "$work/err" "$message" "$what: message"
    expect_eq "$(wc -c <"$work/out")" 0 "$what: nothing on stdout"
}
expect_error "unknown state" '"bogus"' -- --state bogus
expect_error "unknown state in a list" '"bogus"' -- --state established,bogus
expect_error "the old closing-state" 'invalid state "closing-state": the CLOSING state is spelled closing' \
    -- --state closing-state
expect_error "port out of range" "70000" -- --sport 70000
expect_error "reversed port range" "10-5" -- --dport 10-5
expect_error "port not a number" "http" -- --dport http
expect_error "IPv4 prefix too long" "10.0.0.0/33" -- --src 10.0.0.0/33
expect_error "IPv6 prefix too long" "::1/129" -- --dst ::1/129
expect_error "not an address" "localhost" -- --src localhost
expect_error "--top 0" "--top" -- --by state --top 0
expect_error "--top -1" "--top" -- --by state --top -1
expect_error "--watch 0" 'invalid duration "0" for --watch: expected 100ms to 24h' -- --watch 0
expect_error "--watch -1" 'invalid duration "-1" for --watch: expected 100ms to 24h' -- --watch -1
expect_error "--watch 1x" 'invalid duration "1x" for --watch' -- --watch 1x
expect_error "-4 with -6" "-4 and -6 contradict each other" -- -4 -6
expect_error "bad format" '"yaml"' -- --format yaml
expect_error "bad --by key" '"bogus"' -- --by bogus
expect_error "bad source" '"bogus"' -- --source bogus
expect_error "bad colour" '"sometimes"' -- --color sometimes
expect_error "unknown option" "--frobnicate" -- --frobnicate
expect_error "missing namespace" "nonexistent-$$" -- --netns "nonexistent-$$"
# ss's words and flags: those with no meaning here name the sockkit spelling.
expect_error "state without a state" '"state" needs a state' -- state
expect_error "exclude without a state" '"exclude" needs a state' -- exclude
expect_error "state bogus" '"bogus"' -- state bogus
expect_error "an ss expression" '"dport": ss filter expressions are --sport, --dport, --src and --dst here' \
    -- dport = :80
expect_error "ss -i" "-i is ss's TCP information; use -e (--extended) with --list" -- -i
expect_error "ss -ti combined" "-i is ss's TCP information" -- -ti
expect_error "ss -o" "-o is ss's timer information; --list shows it in its TIMER column" -- -o
expect_error "ss -m" "-m is ss's socket memory" -- -m
expect_error "ss -s summary" "-s is --state here and needs a list; ss's -s summary is what sk-states prints by default" -- -s
expect_error "ss -ts summary" "-s is --state here" -- -ts

# --- the host, read-only --------------------------------------------------------------------
expect_status 0 "census of this host" -- "$states"
expect_in "$work/out" "TOTAL" "host census has a TOTAL row"
expect_status 0 "--version" -- "$states" --version
expect_in "$work/out" "sk-states (sockkit) " "--version line"
{ sleep 0.3; "$states" -a 2>"$work/err"; echo $? >"$work/rc"; } | true
expect_eq "$(cat "$work/rc")" 0 "closed pipe: exit 0"
expect_eq "$(wc -c <"$work/err")" 0 "closed pipe: nothing on stderr"

# --- the populations ------------------------------------------------------------------------
# Counts are distinct where the construction allows, so a swapped state shows. IPv4: the
# largest peer group is the 12 clients of the established listener.
population_established=12 population_time_wait=6 population_v4_mapped=0
top_category=established top_count=12
phase 4 --listen 3 --established 12 --time-wait 6 --close-wait 4 --last-ack 2 --fin-wait1 2 \
    --closing 3 --syn-sent 7 --syn-recv 6 --udp 3

# IPv6, with v4-mapped pairs and enough TIME_WAIT for thousands separators; the largest
# peer group is the TIME_WAIT clients'.
population_established=5 population_time_wait=1200 population_v4_mapped=3
top_category=time_wait top_count=1200
phase 6 --listen 2 --established 5 --time-wait 1200 --close-wait 3 --last-ack 4 --fin-wait1 1 \
    --closing 2 --syn-sent 3 --syn-recv 8 --v4-mapped 3 --udp 2

finish
