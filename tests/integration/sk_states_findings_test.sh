#!/usr/bin/env bash
# sk-states diagnosis findings against real trouble: each scenario builds one kind of
# trouble with sk-population (real sockets, real nftables rules) in a namespace of its
# own, checks with ss that the trouble is there, then checks the findings sk-states
# draws from it in text, JSON, Prometheus and --check form, with the evidence (ports,
# peers, processes, kernel counters) that names who is to blame.
#   sk_states_findings_test.sh BIN_DIR TESTS_BIN_DIR
#
# Rules in each namespace (see tests/tools/sk_population.cpp for how they make states):
#   output: meta mark 0x50c drop              FIN_WAIT1, CLOSING, LAST_ACK
#   input:  tcp dport 20002 drop              SYN_SENT (nothing ever answers the SYN)
#           tcp dport 20001 flags ACK-only    SYN_RECV (the handshake's last ACK is lost)
# The port exhaustion scenario narrows ip_local_port_range to 100 ports and turns
# tcp_tw_reuse off in its namespace; its TIME_WAIT lives 60 s, so it is checked at once.
set -euo pipefail
source "$(dirname "$0")/lib.sh"
states="$1/sk-states"
population="$2/sk-population"

if [[ $(id -u) != 0 ]]; then
    echo "skipped: needs root to create network namespaces"
    exit 0
fi

syn_recv_port=20001
syn_sent_port=20002
ns=""
helper=""
helper_status=0

stop_population() {  # SIGTERM, then SIGKILL if it has not gone within 5 s
    [[ -n $helper ]] || return 0
    kill -TERM "$helper" 2>/dev/null || true
    for ((i = 0; i < 50; i++)); do
        kill -0 "$helper" 2>/dev/null || break
        sleep 0.1
    done
    kill -KILL "$helper" 2>/dev/null || true
    helper_status=0
    wait "$helper" 2>/dev/null || helper_status=$?
    helper=""
}
remove_namespace() {
    [[ -n $ns ]] || return 0
    ip netns del "$ns" 2>/dev/null || true
    ns=""
}
cleanup() {
    stop_population
    remove_namespace
    rm -rf "$work"
}
trap cleanup EXIT
trap 'exit 2' INT TERM

make_namespace() {  # make_namespace NAME [SYSCTL=VALUE...]: lo up, drop rules, sysctls
    ns=$1
    shift
    ip netns add "$ns" && ip -n "$ns" link set lo up || return 1
    if (($# > 0)); then ip netns exec "$ns" sysctl -qw "$@" || return 1; fi
    ip netns exec "$ns" nft -f - <<EOF
table inet sk_findings_test {
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
# ip netns exec execs the helper, so $helper is the pid the sockets belong to.
# Each run writes files of its own: a ready line left by the previous one must not count.
start_population() {
    local out=$work/pop-$tag.out err=$work/pop-$tag.err
    ip netns exec "$ns" "$population" --syn-sent-port "$syn_sent_port" \
        --syn-recv-port "$syn_recv_port" "$@" >"$out" 2>"$err" &
    helper=$!
    for ((i = 0; i < 300; i++)); do
        grep -q '^ready ' "$out" && break
        kill -0 "$helper" 2>/dev/null || break
        sleep 0.1
    done
    expected=$(sed -n 's/^ready //p' "$out")
    if [[ -n $expected ]]; then
        pass "$tag: sk-population ready"
    else
        fail "$tag: sk-population not ready in 30 s: $(head -c 300 "$err")"
    fi
    [[ -n $expected ]]
}

want() { jq -r "$@" <<<"$expected"; }  # want [OPTIONS] FILTER: from the built population
got() { jq -r "$@" "$work/out"; }       # got [OPTIONS] FILTER: from sk-states' last output
ss_count() { ip netns exec "$ns" ss -H "$@" | wc -l; }

keys=(established syn_sent syn_recv fin_wait1 fin_wait2 time_wait close_wait last_ack listen
    closing)
ss_words=(ESTAB SYN-SENT SYN-RECV FIN-WAIT-1 FIN-WAIT-2 TIME-WAIT CLOSE-WAIT LAST-ACK LISTEN
    CLOSING)
rules=(close_wait time_wait port_exhaustion fin_wait2 fin_wait1 last_ack closing syn_recv
    syn_sent accept_queue orphans tcp_memory)

# begin NAME [SYSCTL=VALUE...] -- POPULATION-ARGS...: a fresh namespace, its population,
# and ss's word that every state is there as built.
begin() {
    tag=$1
    scenario_started=$SECONDS
    shift
    local sysctls=()
    while [[ $1 != -- ]]; do sysctls+=("$1") && shift; done
    shift
    if ! make_namespace "sk-findings-$$-$tag" "${sysctls[@]}"; then
        fail "$tag: cannot create namespace $ns with its rules and sysctls"
        remove_namespace
        return 1
    fi
    st=("$states" --netns "$ns")
    if ! start_population "$@"; then
        stop_population
        remove_namespace
        return 1
    fi
    check_built
    total=$(want '.tcp | add')
}

check_built() {  # one ss dump: every state as the ready line says it was built
    local -A built seen
    local key n i
    while read -r key n; do
        built[$key]=$n
    done < <(want '.tcp | to_entries[] | "\(.key) \(.value)"')
    while read -r key n; do seen[$key]=$n; done < <(ip netns exec "$ns" ss -Htan |
        awk '{n[$1]++} END {for (s in n) print s, n[s]}')
    for i in "${!keys[@]}"; do
        expect_eq "${seen[${ss_words[i]}]:-0}" "${built[${keys[i]}]}" \
            "$tag: ss sees ${keys[i]} as built"
    done
}

end() {
    stop_population
    expect_eq "$helper_status" 0 "$tag: sk-population exits 0 on SIGTERM"
    remove_namespace
    echo "$tag: $((SECONDS - scenario_started)) s"
}

# --- finding checks -----------------------------------------------------------------------
fnd() {  # fnd RULE FILTER: FILTER applied to the finding RULE in the last JSON output
    jq -r --arg r "$1" "[.findings[]? | select(.rule == \$r)] | if length == 1 then .[0] | $2
        else \"\(length) findings of that rule\" end" "$work/out"
}

expect_finding() {  # expect_finding RULE SEVERITY VALUE UNIT
    local rule=$1
    expect_eq "$(fnd "$rule" '"\(.severity) \(.value) \(.unit)"')" "$2 $3 $4" \
        "$tag: $rule fires: severity $2, value $3 $4"
    expect_eq "$(fnd "$rule" '[(.title | length > 0), (.why | length > 0), (.checks | length > 0),
        (.explain | startswith("sk-explain "))] | all')" true \
        "$tag: $rule has a title, why, checks and an sk-explain pointer"
}

expect_no_finding() {  # expect_no_finding RULE WHY
    expect_eq "$(got --arg r "$1" '[.findings[] | select(.rule == $r)] | length')" 0 \
        "$tag: no $1 finding $2"
}

expect_owner() {  # expect_owner RULE SOCKETS: the evidence names sk-population and its pid
    expect_eq "$(fnd "$1" '.evidence.processes[0] | "\(.command) \(.pid) \(.sockets)"')" \
        "sk-population $helper $2" "$tag: $1 evidence names the process, its pid and sockets"
}

expect_peer() {  # expect_peer RULE SOCKETS [PORT]: the top peer is loopback
    local filter='.evidence.peers[0] | "\(.address) \(.sockets)"' want="127.0.0.1 $2"
    if [[ -n ${3:-} ]]; then
        filter='.evidence.peers[0] | "\(.address) \(.port) \(.sockets)"' want="127.0.0.1 $3 $2"
    fi
    expect_eq "$(fnd "$1" "$filter")" "$want" "$tag: $1 evidence names the peer ($want)"
}

expect_local_port() {  # expect_local_port RULE PORT SOCKETS
    expect_eq "$(fnd "$1" '.evidence.local_ports[0] | "\(.port) \(.sockets)"')" "$2 $3" \
        "$tag: $1 evidence names local port $2"
}

findings_json() {  # findings_json DESCRIPTION ARGS...: sk-states -j with ARGS, exit 0
    local what=$1
    shift
    expect_status 0 "$tag: $what" -- "${st[@]}" -j "$@"
}

expect_check() {  # expect_check EXIT WORD DESCRIPTION -- ARGS...
    local code=$1 word=$2 what=$3
    shift 4
    expect_status "$code" "$tag: $what" -- "$@"
    expect_lines "$work/out" 1 "$tag: $what: one line"
    expect_eq "$(head -c $((${#word} + 13)) "$work/out")" "SK-STATES $word - " "$tag: $what: $word"
}

# --- 1. a healthy namespace ---------------------------------------------------------------
scenario_healthy() {
    begin healthy -- --listen 3 --established 4 || return 0
    expect_status 0 "$tag: text" -- "${st[@]}"
    expect_eq "$(tail -1 "$work/out")" "no findings" "$tag: text ends with 'no findings'"
    expect_eq "$(tail -2 "$work/out" | head -1)" "" "$tag: a blank line before 'no findings'"
    findings_json "json"
    expect_eq "$(got -c .findings)" "[]" "$tag: JSON findings is []"
    expect_eq "$(got '.kernel.counters | type')" object "$tag: JSON has kernel counters"
    expect_status 0 "$tag: --check" -- "${st[@]}" --check
    expect_lines "$work/out" 1 "$tag: --check prints one line"
    expect_eq "$(cut -c1-15 "$work/out")" "SK-STATES OK - " "$tag: --check says OK"
    expect_in "$work/out" "$total TCP sockets" "$tag: --check counts the sockets"
    expect_in "$work/out" "no findings" "$tag: --check says no findings"
    # The performance data: label=value with its unit (% for rule measures), the levels,
    # and no empty field at the end (a state no rule watches has no levels: just the count).
    local perf item bad=""
    perf=$(sed 's/^[^|]*| //' "$work/out")
    for item in $perf; do
        [[ $item =~ ^[a-z0-9_]+=[0-9]+(\.[0-9])?%?(\;[0-9.]*)*$ && $item != *\; ]] || bad+=" $item"
    done
    expect_eq "$bad" "" "$tag: --check performance data: label=value[%];levels, none ending in ';'"
    expect_eq "$(grep -Eo ' established=[0-9]+ ' "$work/out" | wc -l)" 1 \
        "$tag: --check performance data: established=N without levels"
    expect_status 0 "$tag: prom" -- "${st[@]}" --format prom
    local rule
    for rule in "${rules[@]}"; do
        expect_eq "$(grep -cxF "sockkit_finding{rule=\"$rule\",severity=\"none\"} 0" "$work/out")" 1 \
            "$tag: prom $rule series is 0, severity none"
    done
    end
}

# --- 2. CLOSE_WAIT (and the FIN_WAIT2 peers) ----------------------------------------------
scenario_close_wait() {
    begin close-wait -- --listen 1 --close-wait 10 || return 0
    local port
    port=$(want .ports.close_wait)
    expect_eq "$(ss_count -tan state close-wait sport = ":$port")" 10 \
        "$tag: ss: CLOSE_WAIT on :$port"
    expect_eq "$(ip netns exec "$ns" ss -Htanp state close-wait | grep -c "pid=$helper,")" 10 \
        "$tag: ss -p: the CLOSE_WAIT sockets are sk-population's (pid $helper)"

    findings_json "default thresholds"
    expect_eq "$(got -c .findings)" "[]" "$tag: 10 CLOSE_WAIT is below the default 50"
    findings_json "--threshold close_wait=5,fin_wait2=5" --threshold close_wait=5,fin_wait2=5
    expect_no_finding syn_sent "(none there)"
    expect_finding close_wait warning 10 sockets
    expect_eq "$(fnd close_wait '"\(.warn) \(.crit)"')" "5 500" \
        "$tag: close_wait warn 5, crit default 500"
    expect_eq "$(fnd close_wait .evidence.sockets)" 10 "$tag: close_wait evidence: 10 sockets"
    expect_local_port close_wait "$port" 10
    expect_peer close_wait 10
    expect_owner close_wait 10
    expect_finding fin_wait2 warning 10 sockets
    expect_peer fin_wait2 10
    expect_eq "$(got '[.findings[].rule] | sort | join(" ")')" "close_wait fin_wait2" \
        "$tag: no other rule fires"
    # The owners of a FIN_WAIT2 pile are looked up with -p (a scan of every process).
    findings_json "-p --threshold fin_wait2=5" -p --threshold fin_wait2=5
    expect_owner fin_wait2 10

    findings_json "--threshold close_wait=5:8" --threshold close_wait=5:8
    expect_finding close_wait critical 10 sockets
    expect_eq "$(fnd close_wait '"\(.warn) \(.crit)"')" "5 8" "$tag: close_wait warn 5, crit 8"
    findings_json "--threshold close_wait=5:10 (at crit)" --threshold close_wait=5:10
    expect_eq "$(fnd close_wait .severity)" critical "$tag: a measure equal to crit is critical"
    findings_json "--threshold close_wait=10 (at warn)" --threshold close_wait=10
    expect_eq "$(fnd close_wait .severity)" warning "$tag: a measure equal to warn is a warning"
    findings_json "--threshold close_wait=11" --threshold close_wait=11
    expect_no_finding close_wait "below its threshold"
    findings_json "repeated --threshold" --threshold close_wait=5 --threshold fin_wait2=5:9
    expect_eq "$(got '[.findings[] | "\(.rule)=\(.severity)"] | sort | join(" ")')" \
        "close_wait=warning fin_wait2=critical" "$tag: repeated --threshold adds up"
    findings_json "close_wait=off" --threshold close_wait=off,fin_wait2=5
    expect_no_finding close_wait "when turned off"

    expect_status 0 "$tag: text" -- "${st[@]}" --threshold close_wait=5:8
    expect_in "$work/out" "FINDINGS" "$tag: text has a FINDINGS section"
    expect_eq "$(grep -cE '^CRITICAL +close_wait +10 sockets in CLOSE_WAIT' "$work/out")" 1 \
        "$tag: text: severity, rule and title on one line"
    expect_in "$work/out" "sk-population (pid $helper)" "$tag: text names the process"
    expect_in "$work/out" ":$port" "$tag: text names the local port"
    expect_in "$work/out" "127.0.0.1" "$tag: text names the peer"
    expect_eq "$(grep -cE '^ +more +sk-explain close-wait$' "$work/out")" 1 \
        "$tag: text points to sk-explain"

    expect_status 0 "$tag: --no-findings" -- "${st[@]}" --no-findings --threshold close_wait=5
    expect_not_in "$work/out" "FINDINGS" "$tag: --no-findings has no FINDINGS"
    expect_not_in "$work/out" "no findings" "$tag: --no-findings says nothing of findings"
    expect_status 0 "$tag: --by lport" -- "${st[@]}" --by lport -j --threshold close_wait=5
    expect_eq "$(got 'has("findings")')" false "$tag: --by computes no findings"
    expect_status 0 "$tag: --watch" -- "${st[@]}" --watch 0.2 -c 2 -j --threshold close_wait=5
    expect_eq "$(jq -r 'select(.type == "sample") | .findings[] | select(.rule == "close_wait")
        | "\(.severity) \(.evidence.rate_per_s)"' "$work/out" | paste -sd' ')" \
        "warning null warning 0" "$tag: every --watch sample has the finding, a rate from the second"
    end
}

# --- 3. SYN_RECV --------------------------------------------------------------------------
scenario_syn_recv() {
    begin syn-recv -- --syn-recv 8 || return 0
    expect_eq "$(ss_count -tan state syn-recv sport = ":$syn_recv_port")" 8 \
        "$tag: ss: SYN_RECV on :$syn_recv_port"
    findings_json "--threshold syn_recv=5" --threshold syn_recv=5
    expect_finding syn_recv warning 8 sockets
    expect_local_port syn_recv "$syn_recv_port" 8
    expect_peer syn_recv 8
    findings_json "--threshold syn_recv=5:8" --threshold syn_recv=5:8
    expect_eq "$(fnd syn_recv .severity)" critical "$tag: syn_recv critical at 8"
    end
}

# --- 4. SYN_SENT --------------------------------------------------------------------------
scenario_syn_sent() {
    begin syn-sent -- --syn-sent 6 || return 0
    expect_eq "$(ss_count -tan state syn-sent dport = ":$syn_sent_port")" 6 \
        "$tag: ss: SYN_SENT to :$syn_sent_port"
    findings_json "--threshold syn_sent=3" --threshold syn_sent=3
    expect_finding syn_sent warning 6 sockets
    expect_peer syn_sent 6 "$syn_sent_port"
    expect_owner syn_sent 6
    expect_status 0 "$tag: text" -- "${st[@]}" --threshold syn_sent=3
    expect_eq "$(grep -cE '^WARNING +syn_sent ' "$work/out")" 1 "$tag: text: WARNING syn_sent"
    expect_in "$work/out" "127.0.0.1:$syn_sent_port" "$tag: text names the destination"
    end
}

# --- 5. a full accept queue ---------------------------------------------------------------
scenario_accept_queue() {
    local backlog=4
    begin accept-queue -- --listen 1 --accept-queue 8 --backlog "$backlog" || return 0
    local port queue overflows
    port=$(want .ports.accept_queue)
    queue=$(ip netns exec "$ns" ss -Htln sport = ":$port" | awk '{print $2 " " $3}')
    expect_eq "$queue" "$((backlog + 1)) $backlog" "$tag: ss: Recv-Q backlog+1, Send-Q backlog"
    overflows=$(ip netns exec "$ns" nstat -az TcpExtListenOverflows |
        awk '$1 == "TcpExtListenOverflows" {print $2}')
    expect_eq "$((overflows >= 3))" 1 "$tag: nstat: ListenOverflows $overflows >= 3"

    findings_json "default thresholds"
    expect_finding accept_queue critical "$(((backlog + 1) * 100 / backlog))" percent
    expect_eq "$(fnd accept_queue '.evidence.listeners[0]
        | "\(.address) \(.port) \(.backlog) \(.pid) \(.command)"')" \
        "127.0.0.1 $port $backlog $helper sk-population" \
        "$tag: accept_queue names the listener and its process"
    expect_eq "$(fnd accept_queue ".evidence.listeners[0].queue >= $backlog")" true \
        "$tag: accept_queue: queue >= backlog"
    expect_eq "$(fnd accept_queue '.evidence.listeners[0].drops > 0')" true \
        "$tag: accept_queue: the listener's drops"
    expect_eq "$(fnd accept_queue '.evidence.counters[] | select(.name == "TcpExtListenOverflows")
        | .value > 0 and .delta == null')" true "$tag: accept_queue evidence: TcpExtListenOverflows"
    expect_eq "$(got '.kernel.counters.TcpExtListenOverflows > 0')" true "$tag: kernel counters in JSON"
    expect_status 0 "$tag: text" -- "${st[@]}"
    expect_eq "$(grep -cE '^CRITICAL +accept_queue ' "$work/out")" 1 "$tag: text: CRITICAL accept_queue"
    expect_in "$work/out" "$port" "$tag: text names the listener's port"
    expect_status 0 "$tag: prom" -- "${st[@]}" --format prom
    expect_in "$work/out" 'sockkit_finding{rule="accept_queue",severity="critical"} 1' \
        "$tag: prom accept_queue critical"
    expect_eq "$(awk '$1 == "sockkit_tcp_listen_overflows_total" {print ($2 > 0)}' "$work/out")" 1 \
        "$tag: prom listen overflows counted"
    expect_status 0 "$tag: --watch" -- "${st[@]}" --watch 0.3 -c 2 -j
    expect_eq "$(jq -r 'select(.type == "sample") | .findings[] | select(.rule == "accept_queue")
        | [.severity, (.evidence.listeners[0].drops_delta | type), (.evidence.counters[]
        | select(.name == "TcpExtListenOverflows") | .delta | type)] | join(" ")' "$work/out" |
        paste -sd' ')" "critical null null critical number number" \
        "$tag: --watch: drop and counter deltas from the second sample"
    end
}

# An overflow in the past: the queue drained, the listener's drop counter remembers. An
# info finding, which never changes --check's status.
scenario_accept_queue_drained() {
    begin accept-queue-drained -- --accept-queue 8 --backlog 4 --drain || return 0
    local port
    port=$(want .ports.accept_queue)
    expect_eq "$(ip netns exec "$ns" ss -Htln sport = ":$port" | awk '{print $2}')" 0 \
        "$tag: ss: queue empty"
    findings_json "default thresholds"
    expect_eq "$(fnd accept_queue .severity)" info "$tag: accept_queue is info"
    expect_eq "$(fnd accept_queue '.evidence.listeners[0]
        | "\(.port) \(.queue) \(.drops >= 3) \(.pid)"')" \
        "$port 0 true $helper" "$tag: accept_queue info names the listener, its drops and pid"
    expect_check 0 OK "--check with an info finding" -- "${st[@]}" --check
    expect_in "$work/out" "no problems (1 info)" "$tag: --check counts the info finding"
    expect_status 0 "$tag: prom" -- "${st[@]}" --format prom
    expect_in "$work/out" 'sockkit_finding{rule="accept_queue",severity="info"} 1' \
        "$tag: prom info series"
    end
}

# --- 6. TIME_WAIT and ephemeral port exhaustion -------------------------------------------
scenario_port_exhaustion() {
    begin port-exhaustion net.ipv4.ip_local_port_range="40000 40099" net.ipv4.tcp_tw_reuse=0 \
        -- --time-wait 80 || return 0
    local started=$SECONDS port
    port=$(want .ports.time_wait)
    expect_eq "$(ss_count -tan state time-wait dst 127.0.0.1 dport = ":$port" \
        '( sport >= :40000 and sport <= :40099 )')" 80 "$tag: ss: 80 TIME_WAIT from the range to :$port"

    findings_json "--threshold time_wait=50" --threshold time_wait=50
    expect_finding time_wait warning 80 sockets
    expect_eq "$(fnd time_wait '.evidence.tuples[0] | "\(.address):\(.port) \(.time_wait)"')" \
        "127.0.0.1:$port 80" "$tag: time_wait names the destination"
    expect_finding port_exhaustion warning 80 percent
    expect_eq "$(fnd port_exhaustion '"\(.warn) \(.crit)"')" "50 90" \
        "$tag: port_exhaustion defaults 50/90"
    expect_eq "$(fnd port_exhaustion '.evidence.tuples[0] | "\(.local_address) -> \(.address):\(.port)"
        + " used \(.used) time_wait \(.time_wait) range \(.range)"')" \
        "127.0.0.1 -> 127.0.0.1:$port used 80 time_wait 80 range 100" \
        "$tag: port_exhaustion names the tuple"
    findings_json "--threshold port_exhaustion=50:75" --threshold port_exhaustion=50:75
    expect_eq "$(fnd port_exhaustion .severity)" critical "$tag: port_exhaustion critical at 75%"
    expect_no_finding time_wait "at its default threshold"
    expect_status 1 "$tag: --check" -- "${st[@]}" --check
    expect_eq "$(cut -c1-20 "$work/out")" "SK-STATES WARNING - " "$tag: --check WARNING"
    expect_eq "$(grep -cE ' port_exhaustion=80(\.0)?%;50;90( |$)' "$work/out")" 1 \
        "$tag: --check perf data port_exhaustion=80%;50;90"
    expect_status 0 "$tag: prom" -- "${st[@]}" --format prom
    expect_in "$work/out" "sockkit_ephemeral_ports 100" "$tag: prom range size"
    expect_in "$work/out" "sockkit_ephemeral_ports_used_max 80" "$tag: prom ports used"
    if ((SECONDS - started < 55)); then
        pass "$tag: checked within TIME_WAIT's 60 s ($((SECONDS - started)) s)"
    else
        fail "$tag: took $((SECONDS - started)) s: TIME_WAIT may have expired"
    fi
    end
}

# --- 7. FIN_WAIT1, CLOSING, LAST_ACK (their packets dropped by mark) ----------------------
scenario_closing() {
    begin closing -- --fin-wait1 3 --closing 4 --last-ack 5 || return 0
    findings_json "low thresholds, -p" -p --threshold fin_wait1=5,closing=3,last_ack=4:6
    expect_finding fin_wait1 warning 7 sockets
    expect_peer fin_wait1 7
    expect_owner fin_wait1 7
    expect_finding closing warning 4 sockets
    expect_peer closing 4
    expect_owner closing 4
    expect_local_port fin_wait1 "$(want .ports.closing)" 4
    expect_finding last_ack warning 5 sockets
    expect_peer last_ack 5
    expect_owner last_ack 5
    expect_local_port last_ack "$(want .ports.last_ack)" 5
    # "closing" is the lone CLOSING state in every option, as in ss(8): 4 sockets here,
    # while the teardown group holds every FIN_WAIT1, LAST_ACK and TIME_WAIT as well.
    expect_check 1 WARNING "--warn closing=4" -- "${st[@]}" --check --warn closing=4
    expect_in "$work/out" " closing=4;4;" "$tag: perf data closing=4;4;"
    expect_check 0 OK "--warn closing=5" -- "${st[@]}" --check --warn closing=5 \
        --warn fin_wait1=100,last_ack=100
    findings_json "--threshold closing=5" --threshold closing=5
    expect_no_finding closing "below --threshold closing=5 (4 CLOSING sockets)"
    expect_status 0 "$tag: --state closing" -- "${st[@]}" -j --state closing
    expect_eq "$(got .tcp.total)" 4 "$tag: --state closing counts the CLOSING sockets"
    expect_check 3 UNKNOWN "--warn closing-state=1" -- "${st[@]}" --check --warn closing-state=1
    expect_check 3 UNKNOWN "--threshold closing-state=1" -- "${st[@]}" --check \
        --threshold closing-state=1
    end
}

# --- 8. --check: status lines, perf data, exit codes --------------------------------------
scenario_check() {
    begin check -- --listen 1 --established 3 --close-wait 10 || return 0
    local perf key rule
    expect_check 0 OK "--check" -- "${st[@]}" --check
    perf=$(sed 's/.* | //' "$work/out")
    for key in "${keys[@]}" close; do
        expect_eq "$(tr ' ' '\n' <<<"$perf" | grep -cE "^$key=[0-9]+(;|$)")" 1 "$tag: perf data has $key"
    done
    expect_in "$work/out" " established=6 " "$tag: perf data: a state without thresholds, no empty fields"
    expect_in "$work/out" "close_wait=10;50;500" "$tag: perf data: close_wait with its defaults"
    for rule in port_exhaustion accept_queue orphans tcp_memory; do
        expect_eq "$(tr ' ' '\n' <<<"$perf" | grep -cE "^$rule=[0-9.]+%;")" 1 \
            "$tag: perf data has $rule in %"
    done
    expect_check 1 WARNING "--warn close_wait=5" -- "${st[@]}" --check --warn close_wait=5
    expect_in "$work/out" "close_wait=10;5;500" "$tag: perf data close_wait=10;5;500"
    expect_in "$work/out" "CLOSE_WAIT" "$tag: WARNING line names the state"
    expect_in "$work/out" "pid $helper" "$tag: WARNING line names the pid"
    expect_in "$work/out" ":$(want .ports.close_wait)" "$tag: WARNING line names the port"
    expect_check 2 CRITICAL "--warn close_wait=5 --crit close_wait=8" -- "${st[@]}" --check \
        --warn close_wait=5 --crit close_wait=8
    expect_in "$work/out" "close_wait=10;5;8" "$tag: perf data close_wait=10;5;8"
    expect_check 2 CRITICAL "--warn/--crit comma separated" -- "${st[@]}" --check \
        --warn close_wait=5,fin_wait2=5 --crit close_wait=8
    expect_check 1 WARNING "--warn established=1 (a state)" -- "${st[@]}" --check \
        --warn established=1
    expect_in "$work/out" " established=6;1 " "$tag: perf data established=6;1"
    expect_check 2 CRITICAL "--crit ESTABLISHED=2 (another spelling)" -- "${st[@]}" --check \
        --crit ESTABLISHED=2
    expect_check 0 OK "--warn time-wait=1 (none there)" -- "${st[@]}" --check --warn time-wait=1
    expect_check 3 UNKNOWN "--warn nosuchrule=1" -- "${st[@]}" --check --warn nosuchrule=1
    expect_in "$work/out" "nosuchrule" "$tag: UNKNOWN names the bad rule"
    expect_check 3 UNKNOWN "--warn close_wait=abc" -- "${st[@]}" --check --warn close_wait=abc
    expect_in "$work/out" "abc" "$tag: UNKNOWN names the bad number"
    expect_check 3 UNKNOWN "--warn x" -- "${st[@]}" --check --warn x
    expect_in "$work/out" '"x"' "$tag: UNKNOWN names the bad --warn"
    expect_check 3 UNKNOWN "--threshold nosuch=1" -- "${st[@]}" --check --threshold nosuch=1
    expect_check 3 UNKNOWN "--netns missing" -- "$states" --check --netns "does-not-exist-$$"
    expect_in "$work/out" "does-not-exist-$$" "$tag: UNKNOWN names the namespace"
    end
}

# --- 9. Prometheus ------------------------------------------------------------------------
scenario_prom() {
    begin prom -- --listen 1 --close-wait 10 || return 0
    local rule metric
    expect_status 0 "$tag: prom" -- "${st[@]}" --format prom --threshold close_wait=5
    expect_eq "$(grep -cxF 'sockkit_finding{rule="close_wait",severity="warning"} 1' "$work/out")" 1 \
        "$tag: close_wait warning series"
    expect_eq "$(grep -cxF 'sockkit_finding{rule="syn_sent",severity="none"} 0' "$work/out")" 1 \
        "$tag: a rule that did not fire: 0, severity none"
    for rule in "${rules[@]}"; do
        expect_eq "$(grep -c "^sockkit_finding{rule=\"$rule\"," "$work/out")" 1 \
            "$tag: one $rule series"
        expect_eq "$(grep -cE "^sockkit_finding_value\{rule=\"$rule\"\} [0-9.e+-]+$" "$work/out")" 1 \
            "$tag: $rule value series"
    done
    expect_in "$work/out" 'sockkit_finding_value{rule="close_wait"} 10' "$tag: close_wait value 10"
    for metric in sockkit_tcp_listen_overflows_total sockkit_tcp_listen_drops_total \
        sockkit_tcp_syncookies_sent_total sockkit_tcp_req_queue_full_drops_total \
        sockkit_tcp_time_wait_overflows_total sockkit_tcp_aborts_on_timeout_total \
        sockkit_tcp_orphans sockkit_tcp_orphans_max sockkit_tcp_time_wait_buckets_max \
        sockkit_ephemeral_ports sockkit_ephemeral_ports_used_max; do
        expect_eq "$(grep -cE "^$metric [0-9.e+-]+$" "$work/out")" 1 "$tag: $metric"
    done
    expect_promtool
    expect_status 0 "$tag: prom critical" -- "${st[@]}" --format prom --threshold close_wait=5:8
    expect_eq "$(grep -cxF 'sockkit_finding{rule="close_wait",severity="critical"} 1' "$work/out")" 1 \
        "$tag: close_wait critical series"
    expect_promtool
    end
}

expect_promtool() {
    if promtool check metrics <"$work/out" >"$work/promtool" 2>&1; then
        pass "$tag: promtool check metrics"
    else
        fail "$tag: promtool check metrics: $(head -c 300 "$work/promtool")"
    fi
}

# --- 10. processes, and bad input ---------------------------------------------------------
scenario_processes() {
    begin processes -- --listen 1 --established 2 --close-wait 3 || return 0
    expect_status 0 "$tag: --list -p" -- "${st[@]}" --list -p --state close-wait
    expect_eq "$(grep -c "sk-population.*$helper\|$helper.*sk-population" "$work/out")" 3 \
        "$tag: --list -p names pid and command on every line"
    expect_in "$work/out" "PROCESS" "$tag: --list -p has a PROCESS column"
    expect_status 0 "$tag: --list -p -j" -- "${st[@]}" --list -p -j --state close-wait
    expect_eq "$(got "[.sockets[] | select(.processes[0].pid == $helper and
        .processes[0].command == \"sk-population\" and .processes[0].fd > 2)] | length")" 3 \
        "$tag: --list -p -j processes"
    expect_status 0 "$tag: --list -j" -- "${st[@]}" --list -j --state close-wait
    expect_eq "$(got '[.sockets[] | select(has("processes"))] | length')" 0 \
        "$tag: no processes without -p"
    expect_status 0 "$tag: --by process -j" -- "${st[@]}" --by process -j
    expect_eq "$(got '.groups | length')" 1 "$tag: --by process: one owner"
    expect_eq "$(got '.groups[0].count')" "$total" "$tag: --by process: it owns every socket"
    expect_eq "$(got ".groups[0].process | tostring | contains(\"$helper\")")" true \
        "$tag: --by process names the pid"
    expect_status 0 "$tag: --by process" -- "${st[@]}" --by process
    expect_in "$work/out" "sk-population" "$tag: --by process text names the command"
    check_unprivileged_owners
    end
}

# As nobody, root's sk-population cannot be read: one warning, no owner, exit 0.
check_unprivileged_owners() {
    if ! command -v setpriv >/dev/null; then
        fail "$tag: setpriv (util-linux) is needed for the unprivileged -p check"
        return
    fi
    local rc=0
    ip netns exec "$ns" setpriv --reuid 65534 --regid 65534 --clear-groups \
        "$states" --list -p --state close-wait >"$work/out" 2>"$work/err" || rc=$?
    expect_eq "$rc" 0 "$tag: -p as nobody exits 0"
    expect_eq "$(grep -c 'warning: .* processes of other users could not be read' "$work/err")" 1 \
        "$tag: -p as nobody warns once about unreadable processes"
    expect_eq "$(wc -l <"$work/err")" 1 "$tag: -p as nobody: nothing else on stderr"
    expect_eq "$(grep -c 'CLOSE_WAIT.* -$' "$work/out")" 3 "$tag: -p as nobody shows no owner"
}

expect_error() {  # expect_error DESCRIPTION MESSAGE -- ARGS...
    local what=$1 message=$2
    shift 3
    expect_status 2 "$what" -- "$states" "$@"
    expect_lines "$work/err" 1 "$what: one line on stderr"
    expect_in "$work/err" "sk-states: error: " "$what: error prefix"
    expect_in "$work/err" "$message" "$what: message"
    expect_eq "$(wc -c <"$work/out")" 0 "$what: nothing on stdout"
}

check_errors() {
    expect_error "--threshold not a number" '"close_wait=abc"' -- --threshold close_wait=abc
    expect_error "--threshold bad crit" '"close_wait=5:x"' -- --threshold close_wait=5:x
    expect_error "--threshold unknown rule" '"nosuch"' -- --threshold nosuch=1
    expect_error "--threshold crit below warn" "close_wait=9:5" -- --threshold close_wait=9:5
    expect_error "--threshold without =" "close_wait" -- --threshold close_wait
    expect_error "--warn without --check" "--warn" -- --warn x
    expect_error "--crit without --check" "--crit" -- --crit close_wait=1
}

started=$SECONDS
scenario_healthy
scenario_close_wait
scenario_syn_recv
scenario_syn_sent
scenario_accept_queue
scenario_accept_queue_drained
scenario_port_exhaustion
scenario_closing
scenario_check
scenario_prom
scenario_processes
check_errors
echo "took $((SECONDS - started)) s"
finish
