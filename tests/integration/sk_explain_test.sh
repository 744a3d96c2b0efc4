#!/usr/bin/env bash
# sk-explain as a user runs it: every state and topic, the formats, the exit codes,
# the one-line errors, and quiet ends when the reader goes away.
#   sk_explain_test.sh BIN_DIR
set -uo pipefail
source "$(dirname "$0")/lib.sh"
explain="$1/sk-explain"

# --- the state list -------------------------------------------------------------
expect_status 0 "list of states" -- "$explain"
for name in ESTABLISHED SYN_SENT SYN_RECV FIN_WAIT1 FIN_WAIT2 TIME_WAIT CLOSE CLOSE_WAIT \
            LAST_ACK LISTEN CLOSING NEW_SYN_RECV; do
    expect_in "$work/out" " $name " "list names $name"
done
expect_eq "$(grep -cE '^ +[0-9]+  [A-Z_0-9]+ ' "$work/out")" 12 "list has 12 state rows"
expect_status 0 "'states' topic is the list" -- "$explain" states
expect_in "$work/out" "TIME_WAIT" "'states' lists TIME_WAIT"

# --- every state, under several spellings -------------------------------------------
check_state() {  # check_state SPELLING CANONICAL NUMBER
    expect_status 0 "state $1" -- "$explain" "$1"
    expect_eq "$(head -1 "$work/out" | cut -d' ' -f1)" "$2" "\"$1\" explains $2"
    expect_in "$work/out" "kernel state $3" "$2 shows kernel number $3"
    for section in Meaning "Transitions in" "Transitions out"; do
        expect_in "$work/out" "$section" "$2 has a \"$section\" section"
    done
}
check_state established ESTABLISHED 1
check_state ESTAB ESTABLISHED 1
check_state syn-sent SYN_SENT 2
check_state SYN_RCVD SYN_RECV 3
check_state SYN-RECEIVED SYN_RECV 3
check_state FIN-WAIT-1 FIN_WAIT1 4
check_state fin_wait2 FIN_WAIT2 5
check_state TIME_WAIT TIME_WAIT 6
check_state time-wait TIME_WAIT 6
check_state timewait TIME_WAIT 6
check_state closed CLOSE 7
check_state Close_Wait CLOSE_WAIT 8
check_state LAST-ACK LAST_ACK 9
check_state listen LISTEN 10
check_state closing CLOSING 11
check_state new_syn_recv NEW_SYN_RECV 12

# The facts an operator relies on are there.
expect_status 0 "close-wait" -- "$explain" close-wait
expect_in "$work/out" "close()" "CLOSE_WAIT points at the application's close()"
expect_status 0 "time-wait" -- "$explain" time-wait
expect_in "$work/out" "tcp_max_tw_buckets" "TIME_WAIT names tcp_max_tw_buckets"
expect_in "$work/out" "ip_local_port_range" "TIME_WAIT names ip_local_port_range"
expect_in "$work/out" "60" "TIME_WAIT gives Linux's 60 s"
if grep -qiE "set .*tcp_tw_recycle|enable .*tcp_tw_recycle|tcp_tw_recycle *= *1" "$work/out"; then
    fail "TIME_WAIT must never advise tcp_tw_recycle"
else
    pass "TIME_WAIT does not advise tcp_tw_recycle"
fi
expect_status 0 "fin-wait-2" -- "$explain" fin-wait-2
expect_in "$work/out" "tcp_fin_timeout" "FIN_WAIT2 names tcp_fin_timeout"
expect_status 0 "syn-recv" -- "$explain" syn-recv
expect_in "$work/out" "syncookies" "SYN_RECV names syncookies"

# --- topics ------------------------------------------------------------------------
expect_status 0 "handshake" -- "$explain" handshake
expect_in "$work/out" "SYN seq=x" "handshake shows SYN seq=x"
expect_in "$work/out" "SYN+ACK seq=y ack=x+1" "handshake shows SYN+ACK seq=y ack=x+1"
expect_in "$work/out" "ack=y+1" "handshake shows ack=y+1"
expect_in "$work/out" "SYN_SENT" "handshake shows SYN_SENT"
expect_in "$work/out" "ESTABLISHED" "handshake ends ESTABLISHED"
expect_status 0 "close" -- "$explain" close
for s in FIN_WAIT1 FIN_WAIT2 CLOSE_WAIT LAST_ACK TIME_WAIT CLOSING; do
    expect_in "$work/out" "$s" "close shows $s"
done
expect_in "$work/out" "2MSL" "close explains 2MSL"
expect_status 0 "tcp-vs-udp" -- "$explain" tcp-vs-udp
expect_in "$work/out" "UDP:" "tcp-vs-udp has a UDP column"
expect_status 0 "osi" -- "$explain" osi
for layer in 7 6 5 4 3 2 1; do
    expect_eq "$(grep -cE "^$layer  " "$work/out")" 1 "osi shows layer $layer"
done
expect_in "$work/out" "TCP" "osi names TCP at the transport layer"
for args in "--diagram" "diagram" "-d"; do
    expect_status 0 "state machine via $args" -- "$explain" $args
    expect_eq "$(awk 'length > 100' "$work/out" | wc -l)" 0 "$args drawing fits 100 columns"
    for s in LISTEN SYN_SENT SYN_RECV ESTABLISHED FIN_WAIT1 FIN_WAIT2 CLOSING TIME_WAIT \
             CLOSE_WAIT LAST_ACK; do
        expect_in "$work/out" "$s" "$args drawing shows $s"
    done
done
# --- guides: the life of a socket, SYN floods -----------------------------------------
# Each step is numbered and names who acts, then the state it leaves the socket in, the
# sysctls that govern it, the sk-states command that shows it and the findings that
# watch it.
check_guide() {  # check_guide TOPIC TITLE NOTES_HEADING STEPS
    expect_status 0 "$1" -- "$explain" "$1"
    expect_eq "$(head -1 "$work/out")" "$2" "$1: title"
    expect_in "$work/out" "Step by step" "$1 has a \"Step by step\" section"
    expect_in "$work/out" "$3" "$1 has a \"$3\" section"
    expect_eq "$(grep -cE '^ *[0-9]+\. [a-z][a-z ]*: ' "$work/out")" "$4" "$1 has $4 numbered steps"
    expect_in "$work/out" "    sk-states: sk-states " "$1 names the sk-states command of a step"
    expect_in "$work/out" "    findings:  " "$1 names the findings of a step"
}
check_guide socket "Sockets: from socket() to close(), step by step and state by state" \
    "Reuse options, ports and where to look" 12
for call in "socket(AF_INET, SOCK_STREAM, 0)" "bind(" "listen(fd, backlog)" "connect(" "accept()" \
            "close()"; do
    expect_in "$work/out" "$call" "socket shows $call"
done
for state in CLOSE LISTEN SYN_SENT SYN_RECV ESTABLISHED TIME_WAIT CLOSE_WAIT LAST_ACK; do
    expect_in "$work/out" "    state:     $state" "socket puts a step in $state"
done
tr -s ' \n' ' ' <"$work/out" >"$work/flat"  # facts may be wrapped across lines
for fact in SO_REUSEADDR SO_REUSEPORT EADDRINUSE EADDRNOTAVAIL 4-tuple net.core.somaxconn \
            net.ipv4.ip_local_port_range IP_BIND_ADDRESS_NO_PORT "accept queue" \
            "accept_queue (sk-explain accept-queue)" "port_exhaustion (sk-explain port-exhaustion)"; do
    expect_in "$work/flat" "$fact" "socket names $fact"
done
check_guide syn-flood "SYN floods: half-open connections, the SYN backlog and SYN cookies" \
    "What sk-states reads, and what to do" 5
tr -s ' \n' ' ' <"$work/out" >"$work/flat"
for fact in net.ipv4.tcp_syncookies net.ipv4.tcp_max_syn_backlog net.core.somaxconn \
            net.ipv4.tcp_synack_retries net.ipv4.tcp_abort_on_overflow TcpExtSyncookiesSent \
            TcpExtTCPReqQFullDrop TcpExtListenOverflows TcpExtListenDrops NEW_SYN_RECV \
            "syn_recv (sk-explain syn-recv)" "--threshold syn_recv="; do
    expect_in "$work/flat" "$fact" "syn-flood names $fact"
done
expect_status 0 "syn_flood spelling" -- "$explain" SYN_FLOOD
expect_eq "$(head -1 "$work/out")" "SYN floods: half-open connections, the SYN backlog and SYN cookies" \
    "SYN_FLOOD is syn-flood"

# Everything a guide points at exists: its states, its findings, the sk-explain topics
# it names, and the sk-states commands it quotes, which must run (0 or 1, never 2).
"$explain" -j >"$work/states.json"
"$explain" -j rules >"$work/rules.json"
for topic in socket syn-flood; do
    expect_status 0 "json $topic" -- "$explain" -j "$topic"
    cp "$work/out" "$work/$topic.json"
    expect_eq "$(jq -r '.topic' "$work/$topic.json")" "$topic" "json $topic: topic"
    expect_eq "$(jq -r 'keys_unsorted | join(",")' "$work/$topic.json")" \
        "topic,title,intro,steps,notes_heading,notes" "json $topic: fields"
    expect_eq "$(jq -r '[.steps[] | keys_unsorted | join(",")] | unique | join(" ")' "$work/$topic.json")" \
        "actor,event,state,text,sysctls,watch,findings" "json $topic: step fields"
    expect_eq "$(jq -r '(.intro | length > 0) and (.notes | length > 0)' "$work/$topic.json")" true \
        "json $topic: intro and notes"
    expect_eq "$(jq -r --slurpfile s "$work/states.json" \
        '[.steps[].state | select(. != null) | select(IN($s[0].states[].name) | not)] | join(",")' \
        "$work/$topic.json")" "" "json $topic: every step's state is a TCP state"
    expect_eq "$(jq -r --slurpfile r "$work/rules.json" \
        '[.steps[].findings[] | select(IN($r[0].rules[].rule) | not)] | join(",")' \
        "$work/$topic.json")" "" "json $topic: every finding is an sk-states rule"
    expect_eq "$(jq -r '[.steps[] | select(.state == null and (.findings | length) == 0)] | length' \
        "$work/$topic.json")" 0 "json $topic: every step names a state or a finding"
    jq -r '.steps[].watch' "$work/$topic.json" | sort -u >"$work/watch"
    expect_eq "$(grep -cv '^sk-states\( \|$\)' "$work/watch")" 0 "json $topic: every step has an sk-states command"
    while IFS= read -r command; do
        read -ra args <<<"${command#sk-states}"
        [[ $command == *--watch* ]] && args+=(--count 2)
        rc=0
        timeout 20 "$1/sk-states" "${args[@]}" >"$work/watch.out" 2>"$work/watch.err" || rc=$?
        if ((rc == 0 || rc == 1)); then
            pass "$topic: \"$command\" runs (exit $rc)"
        else
            fail "$topic: \"$command\" exits $rc: $(head -c 300 "$work/watch.err")"
        fi
    done <"$work/watch"
    "$explain" "$topic" | grep -o 'sk-explain [a-z][a-z0-9-]*' | sort -u | cut -d' ' -f2 >"$work/named"
    while IFS= read -r word; do
        expect_status 0 "$topic names \"sk-explain $word\", which exists" -- "$explain" "$word"
    done <"$work/named"
done

# --- every topic is listed everywhere a user looks for it ---------------------------
src_root=$(cd "$(dirname "$0")/../.." && pwd)
"$explain" --help | sed -n '/^Topics:/,/^$/p' | awk 'NR > 1 && NF && $1 != "STATE" {print $1}' >"$work/topics"
for want in socket syn-flood rules; do
    expect_eq "$(grep -cx "$want" "$work/topics")" 1 "--help lists the topic $want"
done
"$explain" >"$work/list" 2>&1
"$explain" no-such-topic 2>"$work/unknown"
sed -n '/^\.SH TOPICS/,/^\.SH OPTIONS/p' "$src_root/man/sk-explain.1" >"$work/man-topics"
while IFS= read -r topic; do
    [[ $topic == states ]] && continue
    expect_in "$work/unknown" " $topic," "the unknown-topic error lists $topic"
    if grep -qE "(^| |\`)$topic(,|;|\.|\`|$)" "$work/list"; then
        pass "the state list points at $topic"
    else
        fail "the footer of the state list does not name $topic"
    fi
    roff=$(sed 's/-/\\\\-/g' <<<"$topic")
    if grep -qE "^\.B $roff$" "$work/man-topics"; then
        pass "the man page has a TOPICS entry for $topic"
    else
        fail "the man page has no \".B $roff\" in TOPICS"
    fi
    if grep -qE "(^|[' ])$topic( |'|$)" "$src_root/completions/bash/sk-explain"; then
        pass "bash completion offers $topic"
    else
        fail "bash completion does not list $topic"
    fi
    expect_in "$src_root/completions/zsh/_sk-explain" "'$topic:" "zsh completion offers $topic"
    expect_in "$src_root/completions/fish/sk-explain.fish" "-a $topic -d" "fish completion offers $topic"
done <"$work/topics"

for topic in "" handshake close tcp-vs-udp osi time-wait socket syn-flood; do
    expect_status 0 "width of ${topic:-list}" -- "$explain" $topic
    expect_eq "$(awk 'length > 100' "$work/out" | wc -l)" 0 "${topic:-list} fits 100 columns"
done

# --- JSON --------------------------------------------------------------------------
expect_status 0 "json list" -- "$explain" -j
expect_eq "$(jq '.states | length' "$work/out")" 12 "json lists 12 states"
expect_eq "$(jq -r '[.states[].name] | join(",")' "$work/out")" \
    "ESTABLISHED,SYN_SENT,SYN_RECV,FIN_WAIT1,FIN_WAIT2,TIME_WAIT,CLOSE,CLOSE_WAIT,LAST_ACK,LISTEN,CLOSING,NEW_SYN_RECV" \
    "json states in kernel order"
expect_eq "$(jq -r '[.states[].key] | join(",")' "$work/out")" \
    "established,syn_sent,syn_recv,fin_wait1,fin_wait2,time_wait,close,close_wait,last_ack,listen,closing,new_syn_recv" \
    "json keys as Prometheus labels"
expect_eq "$(jq -r '.states[0] | keys_unsorted | join(",")' "$work/out")" \
    "name,rfc_name,key,kernel_number,proc_hex,aliases,roles,in_rfc9293,summary,meaning,pileup,checks,transitions_in,transitions_out" \
    "json state fields"
expect_status 0 "json one state" -- "$explain" --format json time-wait
expect_eq "$(jq -r '.name, .kernel_number, .proc_hex, .rfc_name' "$work/out" | paste -sd' ')" \
    "TIME_WAIT 6 06 TIME-WAIT" "json TIME_WAIT fields"
expect_eq "$(jq -r '.roles | join(",")' "$work/out")" "active_closer" "TIME_WAIT is the active closer's"
expect_eq "$(jq -r '.transitions_in | length > 0' "$work/out")" true "TIME_WAIT has transitions in"
expect_status 0 "json new-syn-recv" -- "$explain" -j new-syn-recv
expect_eq "$(jq -r '.rfc_name, .in_rfc9293' "$work/out" | paste -sd' ')" "null false" "NEW_SYN_RECV is Linux-only"
expect_status 0 "json handshake" -- "$explain" -j handshake
expect_eq "$(jq -r '.diagrams[0].steps | map(.flags) | join(" ")' "$work/out")" "SYN SYN+ACK ACK" \
    "json handshake steps"
expect_eq "$(jq -r '.diagrams[0].steps[1] | "\(.seq) \(.ack)"' "$work/out")" "y x+1" "json SYN+ACK numbers"
expect_status 0 "json close" -- "$explain" -j close
expect_eq "$(jq -r '[.diagrams[].key] | join(",")' "$work/out")" "close,simultaneous_close" "json close diagrams"
expect_eq "$(jq -r '.time_wait_notes | length > 0' "$work/out")" true "json close has TIME_WAIT notes"
expect_status 0 "json osi" -- "$explain" -j osi
expect_eq "$(jq -r '[.layers[].number] | join("")' "$work/out")" "7654321" "json osi layers"
expect_status 0 "json tcp-vs-udp" -- "$explain" -j tcp-vs-udp
expect_eq "$(jq -r '.rows | length > 3' "$work/out")" true "json tcp-vs-udp rows"
expect_status 0 "json diagram" -- "$explain" -j --diagram
expect_eq "$(jq -r '(.drawing | length > 0) and (.transitions | length > 10)' "$work/out")" true \
    "json diagram has the drawing and the transitions"

# --- errors: one line on stderr, exit 2, nothing on stdout ---------------------------
expect_error() {  # expect_error DESCRIPTION MESSAGE -- ARGS...
    local what=$1 message=$2
    shift 3
    expect_status 2 "$what" -- "$explain" "$@"
    expect_lines "$work/err" 1 "$what: one line on stderr"
    expect_in "$work/err" "$message" "$what: message"
    expect_eq "$(wc -c <"$work/out")" 0 "$what: nothing on stdout"
}
expect_error "unknown topic" \
    'sk-explain: error: unknown topic or state "foo": expected a TCP state (e.g. time-wait) or one of states, handshake, close, diagram, tcp-vs-udp, osi, socket, syn-flood, rules, or a rule (port-exhaustion, ...)' \
    -- foo
expect_error "near miss" 'unknown topic or state "time_wait2"' -- time_wait2
expect_error "csv refused" "sk-explain: error: --format csv is not supported here: use text or json" -- --format csv
expect_error "prom refused" "--format prom is not supported here" -- -f prom
expect_error "bad format" 'invalid format "yaml"' -- --format yaml
expect_error "bad color" 'invalid color mode "sometimes": expected auto, always or never' -- --color sometimes
expect_error "unknown option" "sk-explain: error:" -- --frobnicate
expect_error "two topics" "sk-explain: error:" -- handshake close
expect_error "diagram and topic" "--diagram draws the whole state machine and takes no topic" -- --diagram osi
expect_error "json and csv" "contradict" -- -j --format csv

# --- help, version, colour, closed output ------------------------------------------------
expect_status 0 "--help" -- "$explain" --help
expect_in "$work/out" "Examples:" "--help has examples"
expect_in "$work/out" "--diagram" "--help lists --diagram"
expect_status 0 "--version" -- "$explain" --version
expect_eq "$(cat "$work/out")" "sk-explain (sockkit) 0.3.0" "--version line"

expect_status 0 "no colour into a pipe" -- "$explain" time-wait
expect_not_in "$work/out" $'\e[' "no escapes when stdout is not a terminal"
expect_status 0 "--color=always" -- "$explain" --color always time-wait
expect_in "$work/out" $'\e[' "escapes with --color always"
expect_status 0 "NO_COLOR" -- env NO_COLOR=1 "$explain" --color auto time-wait
expect_not_in "$work/out" $'\e[' "NO_COLOR respected"
if command -v script >/dev/null; then
    script -qec "$explain time-wait" /dev/null >"$work/tty" 2>&1 </dev/null
    expect_in "$work/tty" $'\e[' "colour on a terminal by default"
    NO_COLOR=1 script -qec "$explain time-wait" /dev/null >"$work/tty" 2>&1 </dev/null
    expect_not_in "$work/tty" $'\e[' "NO_COLOR respected on a terminal"
fi

# A reader that is gone before we write: EPIPE ends the command quietly with 0.
{ sleep 0.3; "$explain" --diagram 2>"$work/err"; echo $? >"$work/rc"; } | true
expect_eq "$(cat "$work/rc")" 0 "closed pipe: exit 0"
expect_eq "$(wc -c <"$work/err")" 0 "closed pipe: nothing on stderr"
"$explain" 2>"$work/err" | head -1 >/dev/null
expect_eq "${PIPESTATUS[0]}" 0 "sk-explain | head -1: exit 0"
expect_eq "$(wc -c <"$work/err")" 0 "sk-explain | head -1: quiet"
if [[ -w /dev/full ]]; then
    rc=0; "$explain" >/dev/full 2>"$work/err" || rc=$?
    expect_eq "$rc" 2 "write to /dev/full: exit 2"
    expect_in "$work/err" "sk-explain: error: cannot write to standard output" "write error named"
fi

finish
