#!/usr/bin/env bash
# sk-states --all-netns over namespaces whose populations are known: every way a
# namespace can exist (a name under /run/netns, a file in the Docker directory, a file
# anywhere else, a process of its own, two processes, a process in the host's), each
# count checked against ss run inside that namespace, then the text, Prometheus,
# findings, --check, namespaces that vanish during a walk and during --watch, an
# unprivileged run, and the one-line errors.
#   sk_states_netns_test.sh BIN_DIR TESTS_BIN_DIR
# SK_STATES=PATH runs another sk-states build.
#
# Other tests and people may own namespaces on this host at the same time: the checks
# look at this test's namespaces by inode, and compare whole-host figures only with
# other figures of the same output.
set -uo pipefail
source "$(dirname "$0")/lib.sh"
states=${SK_STATES:-$1/sk-states}
population="$2/sk-population"
started=$SECONDS
finish_unless_root "sk-states --all-netns (needs root to create network namespaces)" \
    "sk-states netns"

named=()     # namespaces of ip netns add
pids=()      # every process this test started
mounts=()    # bind mounts of namespace files
cleanup() {
    local pid m ns
    for pid in "${pids[@]}"; do kill -KILL "$pid" 2>/dev/null; done
    for pid in "${pids[@]}"; do wait "$pid" 2>/dev/null; done
    for m in "${mounts[@]}"; do umount "$m" 2>/dev/null; done
    for ns in "${named[@]}"; do [[ -e /run/netns/$ns ]] && ip netns del "$ns" 2>/dev/null; done
    rm -rf "$work"
}
trap cleanup EXIT
trap 'exit 2' INT TERM

st=("$states" --all-netns)
docker_dir=$work/docker-netns
mkdir -p "$docker_dir"
export SOCKKIT_DOCKER_NETNS_DIR=$docker_dir

got() { jq -r "$@" "$work/out"; }
# of INODE FILTER [FILE]: FILTER applied to that namespace's object in FILE (the last
# output by default); "N objects" when the namespace is not there once.
of() { jq -r --argjson i "$1" "[.namespaces[] | select(.netns.inode == \$i)] |
    if length == 1 then .[0] | $2 else \"\(length) objects\" end" "${3:-$work/out}"; }
inode_of() { stat -Lc %i "$1"; }
phase() { echo "== $1 (at $((SECONDS - started)) s)"; }

# wait_ready NAME: the "ready" line of the population writing $work/NAME.pop (30 s at most).
wait_ready() {
    local i
    for ((i = 0; i < 300; i++)); do
        grep -q '^ready ' "$work/$1.pop" && break
        sleep 0.1
    done
    built[$1]=$(sed -n 's/^ready //p' "$work/$1.pop")
    if [[ -n ${built[$1]} ]]; then
        pass "$1: sk-population ready"
    else
        fail "$1: sk-population not ready in 30 s: $(head -c 300 "$work/$1.err")"
        built[$1]='{"tcp":{},"udp":{},"ports":{}}'
    fi
}
# stop PID: SIGTERM, SIGKILL after 5 s; sk-population aborts its sockets with RSTs, so
# only the TIME_WAIT sockets (owned by no process) stay behind.
stop() {
    local i
    kill -TERM "$1" 2>/dev/null
    for ((i = 0; i < 50; i++)); do kill -0 "$1" 2>/dev/null || break; sleep 0.1; done
    kill -KILL "$1" 2>/dev/null
    wait "$1" 2>/dev/null
}
# bound_namespace FILE: a new namespace bound to FILE and held by nothing else.
bound_namespace() {
    local file=$1 pid i
    : >"$file"
    unshare -n sleep 30 &
    pid=$!
    pids+=("$pid")
    for ((i = 0; i < 50; i++)); do
        [[ $(inode_of "/proc/$pid/ns/net") != "$(inode_of /proc/self/ns/net)" ]] && break
        sleep 0.02
    done
    mount --bind "/proc/$pid/ns/net" "$file" && mounts+=("$file")
    kill -KILL "$pid"
    wait "$pid" 2>/dev/null
}
# pop_in_file FILE NAME ARGS...: sk-population in the namespace of FILE, loopback up.
pop_in_file() {
    local file=$1 name=$2
    shift 2
    nsenter --net="$file" bash -c 'ip link set lo up && exec "$@"' _ "$population" "$@" \
        >"$work/$name.pop" 2>"$work/$name.err" &
    pop[$name]=$!
    pids+=("$!")
}

declare -A built=() pop=() inode=() enter=()

# --- the namespaces -----------------------------------------------------------------------
# A: named, a process of its own, CLOSE_WAIT enough for a finding, and UDP.
nsA=sk-nsA-$$ nsB=sk-nsB-$$
for ns in "$nsA" "$nsB"; do
    named+=("$ns")
    ip netns add "$ns" && ip -n "$ns" link set lo up || fail "ip netns add $ns"
done
ip netns exec "$nsA" "$population" --listen 1 --established 3 --close-wait 12 --time-wait 2 \
    --udp 2 >"$work/A.pop" 2>"$work/A.err" &
pop[A]=$!
pids+=("$!")
# B: named, no process at all: TIME_WAIT only, once its population is gone.
ip netns exec "$nsB" "$population" --established 2 --time-wait 3 >"$work/B.pop" 2>"$work/B.err" &
pop[B]=$!
pids+=("$!")
# U: no name, held by two processes: its population (unshare -n, then exec) and a sleep.
unshare -n bash -c 'ip link set lo up && exec "$@"' _ "$population" --established 4 \
    --close-wait 2 >"$work/U.pop" 2>"$work/U.err" &
pop[U]=$!
pids+=("$!")
# F: bound to a file outside /run/netns (as Docker does), a process in it.
bound_namespace "$work/netns-file"
pop_in_file "$work/netns-file" F --listen 2 --established 1
# D: bound to a file of the (fake) Docker directory, no process: TIME_WAIT only.
docker_id=1a2b3c4d5e6f
bound_namespace "$docker_dir/$docker_id"
pop_in_file "$docker_dir/$docker_id" D --time-wait 4
# H: a process of this test that shares the host's namespace.
sleep 120 &
host_sleeper=$!
pids+=("$!")

for name in A B U F D; do wait_ready "$name"; done
tw_started=$SECONDS
stop "${pop[B]}"
stop "${pop[D]}"
nsenter -t "${pop[U]}" -n sleep 120 &
u_second=$!
pids+=("$!")

inode[A]=$(inode_of "/run/netns/$nsA") enter[A]="ip netns exec $nsA"
inode[B]=$(inode_of "/run/netns/$nsB") enter[B]="ip netns exec $nsB"
inode[U]=$(inode_of "/proc/${pop[U]}/ns/net") enter[U]="nsenter -t ${pop[U]} -n"
inode[F]=$(inode_of "$work/netns-file") enter[F]="nsenter --net=$work/netns-file"
inode[D]=$(inode_of "$docker_dir/$docker_id") enter[D]="nsenter --net=$docker_dir/$docker_id"
# The host's namespace is pid 1's; where pid 1 cannot be read (a sandbox's init with more
# capabilities than root here) kthreadd's, pid 2, which is always in it.
inode[H]=$(inode_of /proc/1/ns/net 2>/dev/null || inode_of /proc/2/ns/net) enter[H]=""
expect_eq "$(printf '%s\n' "${inode[@]}" | sort -u | wc -l)" 6 "six distinct namespaces"
expect_eq "$(inode_of "/proc/$u_second/ns/net")" "${inode[U]}" "U: the second process is in U"
expect_eq "$(inode_of "/proc/$host_sleeper/ns/net")" "${inode[H]}" "H: the sleeper is in the host's"

# --- counts against ss in each namespace -------------------------------------------------
phase "census"
ss_keys='ESTAB established SYN-SENT syn_sent SYN-RECV syn_recv FIN-WAIT-1 fin_wait1
    FIN-WAIT-2 fin_wait2 TIME-WAIT time_wait UNCONN close CLOSE-WAIT close_wait LAST-ACK last_ack
    LISTEN listen CLOSING closing'
# ss_census NAME [ss options]: {"state_key": N, ...} of the states ss sees in that namespace.
ss_census() {
    local name=$1
    shift
    # shellcheck disable=SC2086 # enter[] is a command line
    ${enter[$name]} ss -Hn "$@" | awk -v map="$ss_keys" '
        BEGIN { n = split(map, m, /[ \n]+/); for (i = 1; i < n; i += 2) key[m[i]] = m[i + 1] }
        { count[key[$1] ? key[$1] : $1]++ }
        END { printf "{"; sep = ""; for (k in count) { printf "%s\"%s\":%d", sep, k, count[k]; sep = "," } print "}" }' |
        jq -cS .
}
nonzero() { jq -cS 'with_entries(select(.value > 0))'; }

expect_status 0 "--all-netns -j" -- "${st[@]}" -j
cp "$work/out" "$work/census.json"
expect_eq "$(got .source)" netlink "census: source netlink"
expect_eq "$(got .netns)" null "census: netns null (no single namespace)"
for name in A B U F D; do
    expect_eq "$(of "${inode[$name]}" '.tcp.states' | nonzero)" "$(ss_census "$name" -ta)" \
        "$name: every TCP state as ss -tan in it counts"
    expect_eq "$(of "${inode[$name]}" .tcp.total)" "$(${enter[$name]} ss -Htan | wc -l)" \
        "$name: TCP total as ss"
    expect_eq "$(of "${inode[$name]}" .source)" netlink "$name: read over netlink"
    expect_eq "$(of "${inode[$name]}" .netns.host)" false "$name: not the host"
done
for name in A U F; do
    expect_eq "$(of "${inode[$name]}" '.tcp.states' | nonzero)" \
        "$(jq -c '.tcp' <<<"${built[$name]}" | nonzero)" "$name: every TCP state as built"
done
for name in B D; do
    expect_eq "$(of "${inode[$name]}" '.tcp.states' | nonzero)" \
        "$(jq -c '{time_wait: .tcp.time_wait}' <<<"${built[$name]}")" \
        "$name: only its TIME_WAIT sockets outlive its population"
    expect_eq "$(of "${inode[$name]}" '[.netns.processes, .netns.pid, .netns.command]')" \
        "$(jq -n '[0, null, null]')" "$name: no process: pid and command null"
done
expect_eq "$(of "${inode[A]}" '.netns | [.names, .label, .processes, .pid, .command] | tojson')" \
    "[[\"$nsA\"],\"$nsA\",1,${pop[A]},\"sk-population\"]" "A: names, label, process"
expect_eq "$(of "${inode[B]}" '.netns | [.names, .label] | tojson')" "[[\"$nsB\"],\"$nsB\"]" \
    "B: found by its name alone"
expect_eq "$(of "${inode[D]}" '.netns.names | tojson')" "[\"$docker_dir/$docker_id\"]" \
    "D: found in SOCKKIT_DOCKER_NETNS_DIR, named by its path"
u_low=$((pop[U] < u_second ? pop[U] : u_second))
expect_eq "$(of "${inode[U]}" '.netns | [.names, .processes, .pid] | tojson')" "[[],2,$u_low]" \
    "U: no name, two processes counted once, the lower pid"
expect_eq "$(of "${inode[F]}" '.netns | [.processes, .pid] | tojson')" "[1,${pop[F]}]" \
    "F: found through its process"
# Only /run/netns and Docker's directory are looked through for files (see CAVEATS).
expect_eq "$(of "${inode[F]}" '.netns | [.names, .label] | tojson')" '[[],"-"]' \
    "F: bound elsewhere: no name, no label"
for name in A B U F D; do
    expect_eq "$(of "${inode[$name]}" '.netns | [.runtime, .container_id, .pod_uid, .machine] | tojson')" \
        '[null,null,null,null]' "$name: no container labels (this test's cgroup)"
done
expect_eq "$(got '[.namespaces[] | select(.netns.host)] | length')" 1 "H: one host namespace"
expect_eq "$(got '[.namespaces[] | select(.netns.host) | .netns.inode] | .[0]')" "${inode[H]}" \
    "H: the host's is the namespace of pid 1"
expect_eq "$(of "${inode[H]}" '.netns | [.label, .pid > 0] | tojson')" '["host",true]' \
    "H: labelled host, with its lowest pid"
expect_eq "$(of "${inode[H]}" '.netns.processes > 1')" true \
    "H: the host's processes, this test's sleeper among them, counted in one namespace"
expect_eq "$(got '[.namespaces[].netns.inode] | length == (unique | length)')" true \
    "every namespace once"
expect_eq "$(got '. as $all | .tcp.states | to_entries
    | map(.key as $k | .value == ([$all.namespaces[].tcp.states[$k]] | add)) | all')" true \
    "host-wide TCP states are the sums of the namespaces'"
expect_eq "$(got '.tcp.total == ([.namespaces[].tcp.total] | add)')" true \
    "host-wide TCP total is the sum of the namespaces'"
expect_eq "$(got '.netns_walk | [.found, .counted, .via_proc, .vanished, .unreachable] |
    map(type == "number") | all')" true "netns_walk: found, counted, via_proc, vanished, unreachable"
walk_sum='.netns_walk | .found == .counted + .via_proc + .vanished + .unreachable + .failed'
expect_eq "$(got '.netns_walk.counted + .netns_walk.via_proc == (.namespaces | length)')" true \
    "netns_walk: counted and via_proc are the namespaces listed"
expect_eq "$(got "$walk_sum")" true "netns_walk: found is counted, via_proc, vanished, unreachable, failed"
expect_eq "$(got 'has("udp")')" false "no UDP without -u"

expect_status 0 "-u -j" -- "${st[@]}" -t -u -j
expect_eq "$(of "${inode[A]}" '.udp.states | [.close, .established] | tojson')" \
    "$(jq -c '.udp | [.close, .established]' <<<"${built[A]}")" "A: -u: UDP as built"
expect_eq "$(of "${inode[A]}" '.udp.states' | nonzero)" "$(ss_census A -ua)" "A: -u: UDP as ss -uan"
expect_eq "$(got '.udp.total == ([.namespaces[].udp.total] | add)')" true \
    "-u: host-wide UDP total is the sum"
expect_eq "$(of "${inode[A]}" '.tcp.total')" "$(${enter[A]} ss -Htan | wc -l)" "-u -t: TCP still"

expect_status 0 "--state close-wait -j" -- "${st[@]}" --state close-wait -j
expect_eq "$(of "${inode[A]}" .tcp.total)" 12 "A: --state close-wait counts 12"
expect_eq "$(of "${inode[U]}" .tcp.total)" 2 "U: --state close-wait counts 2"
expect_eq "$(of "${inode[B]}" .tcp.total)" 0 "B: --state close-wait counts 0"

# --- text ---------------------------------------------------------------------------------
phase "text"
# row FILE INODE: the row of that namespace; column FILE INODE HEADER: one value of it,
# counted from the right (LABEL and PROCESS may hold blanks; the counts never do).
row() { awk -v i="$2" '$1 == i' "$1"; }
column() {
    awk -v i="$2" -v h="$3" 'NR == 1 { for (c = 1; c <= NF; c++) if ($c == h) back = NF - c }
        $1 == i && back != "" { print $(NF - back); found = 1 }
        END { if (!found) print "none" }' "$1" | tr -d ,
}
expect_status 0 "--all-netns text" -- "${st[@]}"
cp "$work/out" "$work/text.out"
header=$(head -1 "$work/text.out" | tr -s ' ')
expect_eq "$(cut -d' ' -f1-3 <<<"$header")" "NETNS LABEL PROCESS" "text: header starts NETNS LABEL PROCESS"
expect_eq "$(awk '{print $(NF-1), $NF}' <<<"$header")" "TOTAL FINDINGS" "text: header ends TOTAL FINDINGS"
for name in A B U F D H; do
    expect_eq "$(row "$work/text.out" "${inode[$name]}" | wc -l)" 1 "text: one row for $name"
done
rows=$(awk 'NR > 1 && $1 ~ /^[0-9]+$/' "$work/text.out" | wc -l)
expect_eq "$(awk '$1 == "TOTAL" {print $2, $3}' "$work/text.out")" "$rows namespaces" \
    "text: TOTAL row names the $rows namespaces"
expect_eq "$(awk '$1 == "TOTAL" {gsub(",", "", $NF); print $NF}' "$work/text.out")" \
    "$(awk 'NR > 1 && $1 ~ /^[0-9]+$/ {gsub(",", "", $(NF-1)); s += $(NF-1)} END {print s}' "$work/text.out")" \
    "text: TOTAL is the sum of the rows"
cw_head=$(tr ' ' '\n' <<<"$header" | grep -xE 'CLOSE[-_]WAIT' || echo CLOSE-WAIT)
tw_head=$(tr ' ' '\n' <<<"$header" | grep -xE 'TIME[-_]WAIT' || echo TIME-WAIT)
expect_eq "$(column "$work/text.out" "${inode[A]}" "$cw_head")" 12 "text: A's $cw_head"
expect_eq "$(column "$work/text.out" "${inode[D]}" "$tw_head")" 4 "text: D's $tw_head"
expect_eq "$(column "$work/text.out" "${inode[A]}" TOTAL)" "$(of "${inode[A]}" .tcp.total "$work/census.json")" \
    "text: A's TOTAL"
expect_in <(row "$work/text.out" "${inode[A]}") " $nsA " "text: A's label"
expect_in <(row "$work/text.out" "${inode[A]}") " ${pop[A]} sk-population" "text: A's process"
expect_in <(row "$work/text.out" "${inode[H]}") " host " "text: the host's label"

expect_status 0 "--sort close-wait" -- "${st[@]}" --sort close-wait
cw_head=$(head -1 "$work/out" | tr -s ' ' '\n' | grep -xE 'CLOSE[-_]WAIT' || echo CLOSE-WAIT)
expect_eq "$(awk -v h="$cw_head" 'NR == 1 { for (c = 1; c <= NF; c++) if ($c == h) back = NF - c }
    NR > 1 && $1 ~ /^[0-9]+$/ { v = $(NF - back); gsub(",", "", v); print v }' "$work/out" |
    sort -c -n -r 2>&1 && echo sorted)" sorted "--sort close-wait: largest CLOSE_WAIT first"
expect_eq "$(awk -v a="${inode[A]}" -v u="${inode[U]}" '$1 == a {ra = NR} $1 == u {ru = NR}
    END {print (ra && ru && ra < ru) ? "A before U" : "no"}' "$work/out")" "A before U" \
    "--sort close-wait: A (12) before U (2)"
expect_status 0 "--sort total (the default)" -- "${st[@]}" --sort total
expect_eq "$(awk 'NR > 1 && $1 ~ /^[0-9]+$/ {v = $(NF-1); gsub(",", "", v); print v}' "$work/out" |
    sort -c -n -r 2>&1 && echo sorted)" sorted "--sort total: largest first"
expect_status 0 "--sort CLOSE_WAIT (as --state spells it)" -- "${st[@]}" --sort CLOSE_WAIT
expect_status 0 "--top 2" -- "${st[@]}" --top 2
expect_eq "$(awk 'NR > 1 && $1 ~ /^[0-9]+$/' "$work/out" | wc -l)" 2 "--top 2: two namespace rows"
expect_eq "$(awk '$1 == "TOTAL" {print $2, $3}' "$work/out")" "2 of" "--top 2: TOTAL says 2 of how many"
expect_eq "$(awk '$1 == "TOTAL" {v = $NF; gsub(",", "", v); print v}' "$work/out")" \
    "$(awk 'NR > 1 && $1 ~ /^[0-9]+$/ {v = $(NF-1); gsub(",", "", v); s += v} END {print s}' "$work/out")" \
    "--top 2: TOTAL sums the two rows shown"
expect_status 0 "-a" -- "${st[@]}" -a
expect_eq "$(head -1 "$work/out" | awk '{print NF}')" 16 \
    "-a: NETNS LABEL PROCESS, all 11 states, TOTAL, FINDINGS"
expect_status 0 "-a --no-findings" -- "${st[@]}" -a --no-findings
expect_eq "$(head -1 "$work/out" | awk '{print $NF}')" TOTAL "--no-findings: no FINDINGS column"
expect_status 0 "-t -u text" -- "${st[@]}" -t -u
expect_eq "$(column "$work/out" "${inode[A]}" UDP)" 4 "-t -u text: A's UDP column"
expect_status 0 "--top 2 TOTAL row" -- "${st[@]}" --top 2 -j
expect_eq "$(got '.namespaces | length')" 2 "--top 2 -j: two namespaces"
expect_eq "$(got '.tcp.total >= ([.namespaces[].tcp.total] | add)')" true \
    "--top 2 -j: tcp is still the whole host's"

expect_status 0 "--by netns,lport --state close-wait -j" -- "${st[@]}" --by netns,lport \
    --state close-wait -j
cw_port=$(jq -r '.ports.close_wait' <<<"${built[A]}")
expect_eq "$(got --argjson i "${inode[A]}" --argjson p "$cw_port" \
    '[.groups[] | select((.netns | tostring) == ($i | tostring) and .lport == $p) | .count] | tojson')" \
    "[12]" "--by netns,lport: A's CLOSE_WAIT port, 12"
expect_eq "$(got --argjson i "${inode[U]}" '[.groups[] | select((.netns | tostring) == ($i | tostring)) | .count] | add')" \
    2 "--by netns,lport: U's 2"
expect_status 0 "--by netns,lport text" -- "${st[@]}" --by netns,lport --state close-wait
expect_eq "$(head -1 "$work/out" | tr -s ' ' | cut -d' ' -f1-2)" "NETNS LPORT" "--by netns,lport: header"
expect_eq "$(awk -v i="${inode[A]}" -v p="$cw_port" '$1 == i && $2 == p {print $NF}' "$work/out")" 12 \
    "--by netns,lport: the row carries A's inode"
expect_status 0 "--by netns -j" -- "${st[@]}" --by netns -j
expect_eq "$(got --argjson i "${inode[D]}" '[.groups[] | select((.netns | tostring) == ($i | tostring)) | .count] | add')" \
    4 "--by netns: D's 4"

expect_status 0 "--list" -- "${st[@]}" --list
expect_eq "$(head -1 "$work/out" | awk '{print $1}')" NETNS "--list: NETNS column first"
expect_eq "$(awk -v i="${inode[A]}" '$1 == i' "$work/out" | wc -l)" \
    "$(${enter[A]} ss -Htan | wc -l)" "--list: A's sockets, as ss"
expect_eq "$(awk -v i="${inode[D]}" '$1 == i' "$work/out" | grep -c TIME)" 4 "--list: D's TIME_WAIT"
expect_status 0 "--list -j" -- "${st[@]}" --list -j
expect_eq "$(got --argjson i "${inode[U]}" '[.. | objects | select(has("state") and has("local"))
    | select((.netns | tostring) == ($i | tostring))] | length')" \
    "$(${enter[U]} ss -Htan | wc -l)" "--list -j: U's sockets carry its netns"

# --- Prometheus --------------------------------------------------------------------------
phase "prom"
expect_status 0 "--format prom" -- "${st[@]}" --format prom -t -u
cp "$work/out" "$work/prom.out"
expect_promtool "$work/prom.out" "--all-netns --format prom"
expect_eq "$(grep -E '^sockkit_tcp_connections[{ ]' "$work/prom.out" | grep -vc 'netns="[0-9]\+"')" 0 \
    "prom: every sockkit_tcp_connections sample has a netns label"
expect_eq "$(grep -cxF "sockkit_tcp_connections{netns=\"${inode[A]}\",state=\"close_wait\"} 12" "$work/prom.out" ||
    grep -cE "^sockkit_tcp_connections\{(.*,)?netns=\"${inode[A]}\"(,.*)?state=\"close_wait\".*\} 12$" "$work/prom.out")" 1 \
    "prom: A's close_wait sample is 12"
tcp_netns=$(grep -oE '^sockkit_tcp_connections\{[^}]*netns="[0-9]+"' "$work/prom.out" |
    grep -oE 'netns="[0-9]+"' | sort -u | wc -l)
expect_eq "$(grep -c '^sockkit_netns_info{' "$work/prom.out")" "$tcp_netns" \
    "prom: one sockkit_netns_info per namespace ($tcp_netns)"
for name in A B U F D H; do
    expect_eq "$(grep -c "^sockkit_netns_info{.*netns=\"${inode[$name]}\".*} 1$" "$work/prom.out")" 1 \
        "prom: $name has its sockkit_netns_info"
done
expect_in "$work/prom.out" "name=\"$nsA\"" "prom: A's info names it"
expect_eq "$(grep "^sockkit_netns_info{.*netns=\"${inode[H]}\"" "$work/prom.out" | grep -c 'host="true"')" 1 \
    "prom: the host's info says host=\"true\""
expect_eq "$(grep "^sockkit_netns_info{.*netns=\"${inode[A]}\"" "$work/prom.out" |
    grep -c 'container_id="",pod_uid=""')" 1 "prom: unknown labels are empty strings"
expect_in "$work/prom.out" 'sockkit_netns_walk{status="counted"} ' "prom: sockkit_netns_walk counted"
expect_in "$work/prom.out" 'sockkit_netns_walk{status="vanished"} ' "prom: sockkit_netns_walk vanished"
expect_eq "$(grep -E '^sockkit_udp_sockets[{ ]' "$work/prom.out" | grep -vc 'netns="')" 0 \
    "prom: every sockkit_udp_sockets sample has a netns label"

# --- findings ------------------------------------------------------------------------------
phase "findings"
low=(--threshold close_wait=5:10)
expect_status 0 "findings -j" -- "${st[@]}" -j "${low[@]}"
expect_eq "$(of "${inode[A]}" '[.findings[] | select(.rule == "close_wait") | .severity] | tojson')" \
    '["critical"]' "A: a critical close_wait finding"
# The JSON finding is in its namespace's object and names it in its evidence too; the
# text names it in the header line, --check in its line (below).
expect_eq "$(got --argjson i "${inode[A]}" '[.namespaces[] | select(.findings[]?.rule == "close_wait")
    | .netns | "\(.inode) \(.label)"] | unique | join(",")')" "${inode[A]} $nsA" \
    "A: the close_wait finding is in A's object (inode and label), and only there"
expect_eq "$(of "${inode[A]}" '[.findings[] | select(.rule == "close_wait") | .evidence.netns | "\(.inode) \(.label)"] | join(",")')" \
    "${inode[A]} $nsA" "A: the close_wait finding's evidence names its namespace"
expect_eq "$(of "${inode[B]}" '[.findings[] | select(.severity == "warning" or .severity == "critical")] | length')" 0 \
    "B: quiet, no warning or critical finding"
expect_status 0 "findings text" -- "${st[@]}" "${low[@]}"
expect_in <(row "$work/out" "${inode[A]}") "close_wait" "text: A's FINDINGS column"
expect_eq "$(row "$work/out" "${inode[B]}" | awk '{print $NF}')" "-" "text: B's FINDINGS column is -"
expect_in "$work/out" "netns ${inode[A]} ($nsA, pid ${pop[A]} sk-population)" \
    "text: A's findings under its header line"
expect_eq "$(grep -A1 "^netns ${inode[A]} " "$work/out" | tail -1)" FINDINGS \
    "text: A's header line, then its FINDINGS"
expect_not_in "$work/out" "netns ${inode[B]} (" "text: no findings header for B"
# A namespace with no process: its TIME_WAIT (3) fires at these levels, named by its name.
expect_status 0 "findings of B, no process" -- "${st[@]}" --threshold time_wait=1:100
expect_in "$work/out" "netns ${inode[B]} ($nsB)" "text: B's findings under a header with its name"
expect_eq "$(row "$work/out" "${inode[B]}" | awk '{print $3, $NF}')" "- time_wait" \
    "text: B's row: no process, the time_wait finding"
expect_status 2 "--check" -- "${st[@]}" --check "${low[@]}"
expect_lines "$work/out" 1 "--check: one line"
expect_eq "$(cut -c1-21 "$work/out")" "SK-STATES CRITICAL - " "--check: CRITICAL"
expect_in "$work/out" "$nsA" "--check: names A's label"
expect_in "$work/out" "12 CLOSE_WAIT" "--check: says how many"
expect_not_in "$work/out" "$nsB" "--check: the quiet B is not named"

if ((SECONDS - tw_started < 55)); then
    pass "TIME_WAIT-dependent checks within 55 s ($((SECONDS - tw_started)) s)"
else
    fail "TIME_WAIT-dependent checks took $((SECONDS - tw_started)) s: TIME_WAIT may have expired"
fi
# Once A's CLOSE_WAIT is gone nothing of this test fires; another test's namespace might.
stop "${pop[A]}"
rc=0
timeout 20 "${st[@]}" --check "${low[@]}" >"$work/out" 2>"$work/err" || rc=$?
expect_not_in "$work/out" "$nsA" "--check: A no longer named"
if ((rc == 0)); then
    expect_eq "$(cut -c1-15 "$work/out")" "SK-STATES OK - " "--check once A is quiet: OK"
elif grep -qE "$nsA|$nsB" "$work/out"; then
    fail "--check once A is quiet: exit $rc naming this test's namespaces: $(head -c 300 "$work/out")"
else
    echo "note: --check is not OK for another test's namespace here: $(head -c 200 "$work/out")"
fi

# --- namespaces that vanish during a walk ---------------------------------------------------
phase "churn"
churn() {  # rounds of 12 namespaces and 6 holders made, then removed one by one, until
    local round i n  # $work/churn.stop appears (20 rounds at most)
    for ((round = 0; round < 20; round++)); do
        [[ -e $work/churn.stop ]] && break
        local holders=()
        for ((i = 0; i < 12; i++)); do ip netns add "sk-churn-$$-$round-$i"; done
        for ((i = 0; i < 6; i++)); do
            unshare -n sleep 20 &
            holders+=("$!")
        done
        sleep 0.2
        for ((i = 0; i < 12; i++)); do
            ip netns del "sk-churn-$$-$round-$i"
            ((i < 6)) && kill -KILL "${holders[i]}" 2>/dev/null
            sleep 0.02
        done
        wait 2>/dev/null
    done
}
for ((r = 0; r < 20; r++)); do for ((i = 0; i < 12; i++)); do named+=("sk-churn-$$-$r-$i"); done; done
churn >/dev/null 2>&1 &
churner=$!
pids+=("$churner")
# Every other walk is text, whose TOTAL row says "(N vanished)" when some did.
walks=0 bad_exit="" error_lines=0 vanished=0 not_json=0 no_total=0 text_vanished=0
deadline=$((SECONDS + 30))
while kill -0 "$churner" 2>/dev/null && ((walks < 30 && SECONDS < deadline)); do
    rc=0
    walks=$((walks + 1))
    if ((walks % 2 == 0)); then
        timeout 20 "${st[@]}" >"$work/churn.out" 2>"$work/churn.err" || rc=$?
        ((rc == 0)) || bad_exit+=" $rc"
        error_lines=$((error_lines + $(grep -c 'error' "$work/churn.err")))
        grep -qE '^TOTAL +[0-9]+ namespaces' "$work/churn.out" || no_total=$((no_total + 1))
        n=$(sed -n 's/^TOTAL .* namespaces (\([0-9]*\) vanished).*/\1/p' "$work/churn.out")
        text_vanished=$((text_vanished + ${n:-0}))
        continue
    fi
    timeout 20 "${st[@]}" -j >"$work/churn.out" 2>"$work/churn.err" || rc=$?
    ((rc == 0)) || bad_exit+=" $rc"
    error_lines=$((error_lines + $(grep -c 'error' "$work/churn.err")))
    if jq -e .netns_walk "$work/churn.out" >/dev/null 2>&1; then
        vanished=$((vanished + $(jq .netns_walk.vanished "$work/churn.out")))
        if (($(jq .netns_walk.vanished "$work/churn.out") > 0)) && [[ ! -s $work/churn-vanished.err ]]; then
            cp "$work/churn.err" "$work/churn-vanished.err"
            cp "$work/churn.out" "$work/churn-vanished.out"
        fi
    else
        not_json=$((not_json + 1))
    fi
done
touch "$work/churn.stop"
wait "$churner" 2>/dev/null
expect_eq "$((walks >= 10))" 1 "churn: $walks walks while namespaces came and went"
expect_eq "$bad_exit" "" "churn: every walk exits 0"
expect_eq "$error_lines" 0 "churn: no error line on stderr"
expect_eq "$not_json" 0 "churn: every JSON walk prints its JSON"
expect_eq "$no_total" 0 "churn: every text walk ends with its TOTAL row"
if ((vanished > 0)); then
    pass "churn: $vanished namespaces vanished mid-walk, counted in netns_walk.vanished"
    expect_eq "$(jq "$walk_sum" "$work/churn-vanished.out")" true \
        "churn: found is counted, via_proc, vanished, unreachable, failed"
else
    echo "note: in $((walks / 2)) JSON walks no namespace vanished between being found and counted"
fi
if ((text_vanished > 0)); then
    pass "churn: text TOTAL rows said \"($text_vanished vanished)\" in all"
else
    echo "note: in $((walks / 2)) text walks no namespace vanished between being found and counted"
fi

# --- --watch: namespaces that come and go between samples ----------------------------------
phase "watch"
nsW1=sk-nsW1-$$ nsW2=sk-nsW2-$$
named+=("$nsW1" "$nsW2")
ip netns add "$nsW2"
inode[W2]=$(inode_of "/run/netns/$nsW2")
declare -A bg_pid=()
start_bg watch "${st[@]}" --watch 0.3 -c 8
start_bg watchj "${st[@]}" --watch 0.3 -c 8 -j
# After both have taken a first sample: W1 then appears, and W2 goes, between samples.
wait_lines watch "netns=${inode[W2]} " 1 15
wait_lines watchj '"type":"sample"' 1 15
ip netns add "$nsW1"
inode[W1]=$(inode_of "/run/netns/$nsW1")
ip netns del "$nsW2"
wait_exit watch 20
expect_eq "$rc" 0 "--watch text: exit 0 after 8 samples"
wait_exit watchj 20
expect_eq "$rc" 0 "--watch -j: exit 0 after 8 samples"
expect_eq "$(grep -c error "$work/watch.err" "$work/watchj.err" | awk -F: '{s += $2} END {print s}')" 0 \
    "--watch: no error line"
expect_eq "$(grep -E "(^|[^0-9])${inode[W1]}([^0-9]|$)" "$work/watch.out" | grep -ciE '(^|[^a-z])new([^a-z]|$)')" 1 \
    "--watch text: W1 shown as new, once"
expect_eq "$(grep -E "(^|[^0-9])${inode[W2]}([^0-9]|$)" "$work/watch.out" | grep -ciE '(^|[^a-z])gone([^a-z]|$)')" 1 \
    "--watch text: W2 shown as gone, once"
expect_eq "$(jq -s --argjson i "${inode[W1]}" '[.[] | select(.type == "sample")
    | (.namespaces // [])[] | select(.netns.inode == $i)] | length > 0' "$work/watchj.out")" true \
    "--watch -j: W1 in the later samples"
expect_eq "$(jq -s --argjson i "${inode[W1]}" '[.[] | select(.type == "sample") | (.netns_new // [])[]
    | select(.inode == $i)] | length' "$work/watchj.out")" 1 "--watch -j: W1 in one sample's netns_new"
expect_eq "$(jq -s --argjson i "${inode[W2]}" '[.[] | select(.type == "sample") | (.netns_gone // [])[]
    | select(.inode == $i)] | length' "$work/watchj.out")" 1 "--watch -j: W2 in one sample's netns_gone"
expect_eq "$(jq -s '[.[] | select(.type == "sample")] | (.[0] | has("netns_new")),
    (.[1:] | all(has("netns_new") and has("netns_gone")))' "$work/watchj.out" | paste -sd' ')" \
    "false true" "--watch -j: netns_new and netns_gone from the second sample on"
expect_eq "$(jq -s --argjson i "${inode[W2]}" '[.[] | select(.type == "sample")] | last
    | [(.namespaces // [])[] | select(.netns.inode == $i)] | length' "$work/watchj.out")" 0 \
    "--watch -j: W2 not in the last sample"

# --- uid 65534: what /proc shows without CAP_SYS_ADMIN ---------------------------------------
phase "uid 65534"
nobody=(setpriv --reuid=65534 --regid=65534 --clear-groups --inh-caps=-all)
# A namespace of its own, made in a user namespace it owns, if user namespaces allow.
"${nobody[@]}" unshare -rn bash -c 'ip link set lo up && exec "$@"' _ "$population" \
    --established 2 --close-wait 3 >"$work/N.pop" 2>"$work/N.err" &
pop[N]=$!
pids+=("$!")
for ((i = 0; i < 100; i++)); do
    grep -q '^ready ' "$work/N.pop" && break
    kill -0 "${pop[N]}" 2>/dev/null || break
    sleep 0.1
done
own_ns=false
if grep -q '^ready ' "$work/N.pop"; then
    own_ns=true
    inode[N]=$(inode_of "/proc/${pop[N]}/ns/net") enter[N]="nsenter -t ${pop[N]} -n"
else
    echo "skipped: a namespace of uid 65534's own (unshare -rn as 65534: $(head -c 200 "$work/N.err"))"
fi
expect_status 0 "uid 65534: --all-netns exits 0" -- "${nobody[@]}" "${st[@]}" -j
expect_eq "$(of "${inode[H]}" .netns.host)" true "uid 65534: its own (the host's) namespace counted"
expect_eq "$(got '.netns_walk.unreachable > 0')" true "uid 65534: netns_walk.unreachable counts what it cannot see"
expect_eq "$(of "${inode[B]}" .source)" "0 objects" "uid 65534: B (no process, root's name) not seen"
expect_in "$work/err" "CAP_SYS_ADMIN" "uid 65534: stderr names the privilege that would show the rest"
expect_eq "$(grep -c 'error' "$work/err")" 0 "uid 65534: a warning, not an error"
if $own_ns; then
    expect_eq "$(of "${inode[N]}" .source)" proc "uid 65534: its process's namespace read from /proc"
    expect_eq "$(of "${inode[N]}" '.tcp.states' | nonzero)" "$(ss_census N -ta)" \
        "uid 65534: its namespace's states as ss in it"
    expect_eq "$(got '.netns_walk.via_proc >= 1')" true "uid 65534: netns_walk.via_proc"
    expect_eq "$(got "$walk_sum")" true "uid 65534: found is the sum of the statuses"
    expect_eq "$(got '.netns_walk.counted + .netns_walk.via_proc == (.namespaces | length)')" true \
        "uid 65534: counted and via_proc are the namespaces listed"
fi
expect_status 0 "uid 65534: text" -- "${nobody[@]}" "${st[@]}"
expect_in "$work/out" "TOTAL" "uid 65534: text has its TOTAL row"
expect_status 1 "uid 65534: --check warns about what it could not read" -- \
    "${nobody[@]}" "${st[@]}" --check
expect_in "$work/out" "network namespaces not read: " "uid 65534: --check says how many it missed"

# --- bad input: one line, exit 2 -----------------------------------------------------------
phase "errors"
expect_usage_error "$states" sk-states "--all-netns with --netns" \
    "--all-netns and --netns contradict each other" -- --all-netns --netns "$nsB"
expect_usage_error "$states" sk-states "--sort bogus" \
    'invalid --sort "bogus": expected total or a TCP state (close-wait, time-wait, ...)' \
    -- --all-netns --sort bogus
expect_usage_error "$states" sk-states "--sort a group" 'invalid --sort "teardown"' \
    -- --all-netns --sort teardown
expect_usage_error "$states" sk-states "--sort with --by" \
    "--sort orders the namespace rows; with --by or --list the counts order them" \
    -- --all-netns --by lport --sort close-wait
expect_usage_error "$states" sk-states "--sort without --all-netns" \
    "--sort orders namespaces: add --all-netns" -- --sort close-wait
expect_usage_error "$states" sk-states "--by netns without --all-netns" \
    "--by netns needs --all-netns" -- --by netns,lport
expect_usage_error "$states" sk-states "--top with --list" \
    "--top needs --by (or --all-netns: the largest namespaces)" -- --all-netns --list --top 2

echo "sk-states netns: $((SECONDS - started)) s"
finish
