#!/usr/bin/env bash
# One JSON glossary for every command: runs each command's JSON modes for real, collects
# every key they print, and fails on a key that the glossary does not list, on a spelling
# the glossary retired, and on a unit spelled another way than the glossary's rule. Also
# fails when a key of the glossary file is missing from the JSON GLOSSARY table of
# sockkit(7), so the page and this test cannot drift apart.
#
#   json_glossary_test.sh BIN_DIR SOURCE_ROOT TESTS_BIN_DIR
#
# Traffic stays on loopback; sk-states reads a scratch namespace with a known
# population (tests/tools/sk_population.cpp). Without root the namespace part is skipped.
set -uo pipefail

if (($# != 3)); then
    echo "usage: $0 BIN_DIR SOURCE_ROOT TESTS_BIN_DIR" >&2
    exit 2
fi
bin=$1
src_root=$2
population=$3/sk-population
glossary=$src_root/tests/integration/json_glossary.txt
page=$src_root/man/sockkit.7
started=$SECONDS

source "$(dirname "$0")/lib.sh"

declare -A server_pid=()
ns=""
pop_pid=""
cleanup() {
    local name
    for name in "${!server_pid[@]}"; do kill -KILL "${server_pid[$name]}" 2>/dev/null; done
    [[ -n $pop_pid ]] && kill -TERM "$pop_pid" 2>/dev/null && wait "$pop_pid" 2>/dev/null
    [[ -n $ns ]] && ip netns del "$ns" 2>/dev/null
    rm -rf "$work"
}
trap cleanup EXIT

# --- The glossary file, and the page that shows it -----------------------------------

declare -A allowed=() retired=()
maps=()
while IFS='|' read -r kind name rest; do
    case $kind in
        key) allowed[$name]=1 ;;
        map) maps+=("$name") ;;
        old) retired[$name]=$rest ;;
        '' | '#'*) ;;
        *) fail "json_glossary.txt: unknown line kind \"$kind\"" ;;
    esac
done <"$glossary"
((${#allowed[@]} > 100)) && pass "json_glossary.txt: ${#allowed[@]} keys" ||
    fail "json_glossary.txt: only ${#allowed[@]} keys"

# The table's rows name each key in bold, "\fBkey\fR"; groff's hyphen escape aside.
section=$(sed -n '/^\.SH "JSON GLOSSARY"/,/^\.SH [^"]*[A-Z]/p' "$page" | sed 's/\\-/-/g')
missing=()
for name in "${!allowed[@]}" "${maps[@]##*.}"; do
    grep -qF -- "\\fB$name\\fR" <<<"$section" || missing+=("$name")
done
if [[ -z $section ]]; then
    fail "sockkit(7) has no JSON GLOSSARY section"
elif ((${#missing[@]} == 0)); then
    pass "sockkit(7): every key of json_glossary.txt is in the JSON GLOSSARY table"
else
    fail "sockkit(7) JSON GLOSSARY lacks: $(printf '%s\n' "${missing[@]}" | sort | tr '\n' ' ')"
fi
# And the other way: every key the table shows is one the file lists.
extra=$(grep -oE '^\\fB[a-z0-9_]+\\fR'$'\t' <<<"$section" | sed -E 's/^\\fB([a-z0-9_]+)\\fR.*/\1/' |
    while read -r name; do [[ -n ${allowed[$name]:-} ]] || echo "$name"; done | sort -u | tr '\n' ' ')
expect_eq "$extra" "" "sockkit(7): every key of the JSON GLOSSARY table is in json_glossary.txt"
for name in "${!retired[@]}"; do
    [[ -n ${allowed[$name]:-} ]] && fail "json_glossary.txt: \"$name\" is both a key and retired"
done

# --- Running the commands -------------------------------------------------------------

outputs=()  # "COMMAND-MODE FILE" of every JSON output collected
# run_json LABEL COMMAND...: runs COMMAND (a deadline of 20 s), keeps its stdout.
run_json() {
    local label=$1 file=$work/json-${#outputs[@]}.out rc=0
    shift
    timeout 20 "$@" >"$file" 2>"$work/json.err" || rc=$?
    if [[ ! -s $file ]]; then
        fail "$label: no output (exit $rc): $(head -c 300 "$work/json.err")"
    elif ! jq -e . "$file" >/dev/null 2>&1; then
        fail "$label: not JSON: $(head -c 300 "$file")"
    else
        outputs+=("$label $file")
    fi
}

launch echo-server "$bin/sk-echo" -l 127.0.0.1:0 -t -u -v -j
tcp_port=$port
udp_port=$(jq -r 'select(.type == "listening" and .protocol == "udp") | .local' \
    "$work/echo-server.out" 2>/dev/null | sed 's/.*://')
lo=127.0.0.1

run_json "sk-echo client" "$bin/sk-echo" -j "$lo:$tcp_port" hello
run_json "sk-echo client udp" "$bin/sk-echo" -j -u "$lo:${udp_port:-1}" hello
run_json "sk-echo client refused" "$bin/sk-echo" -j "$lo:1" hello
run_json "sk-echo load" "$bin/sk-echo" -j "$lo:$tcp_port" -C 2 -n 40
run_json "sk-echo load --rate" "$bin/sk-echo" -j "$lo:$tcp_port" -C 2 -n 20 --rate 500
run_json "sk-echo load --connect-rate" "$bin/sk-echo" -j "$lo:$tcp_port" -C 2 -n 20 --connect-rate
run_json "sk-echo load refused" "$bin/sk-echo" -j "$lo:1" -C 1 -n 2

run_json "sk-ping tcp" "$bin/sk-ping" -j -c 2 -i 0.01 "$lo:$tcp_port"
run_json "sk-ping --close" "$bin/sk-ping" -j -c 2 -i 0.01 --close "$lo:$tcp_port"
run_json "sk-ping --send --expect" "$bin/sk-ping" -j -c 1 --send hi --expect hi "$lo:$tcp_port"
run_json "sk-ping mismatch" "$bin/sk-ping" -j -c 1 -W 1 --send hi --expect nope "$lo:$tcp_port"
run_json "sk-ping udp" "$bin/sk-ping" -j -c 2 -i 0.01 -u "$lo:${udp_port:-1}"
run_json "sk-ping refused" "$bin/sk-ping" -j -c 2 -i 0.01 "$lo:1"
run_json "sk-ping name" "$bin/sk-ping" -j -c 1 "localhost:$tcp_port"

run_json "sk-probe tcp" "$bin/sk-probe" -j "$lo" -p "$tcp_port,1"
run_json "sk-probe --banner" "$bin/sk-probe" -j -b --banner-wait 0.2 "$lo:$tcp_port"
run_json "sk-probe udp" "$bin/sk-probe" -j -u -w 0.3 "$lo" -p "${udp_port:-1},1"
run_json "sk-probe --wait" "$bin/sk-probe" -j --wait 1s "$lo:$tcp_port"
run_json "sk-probe unresolved" "$bin/sk-probe" -j "$lo:$tcp_port" nosuch.invalid:80

topics=(states close-wait handshake close diagram tcp-vs-udp osi socket syn-flood rules
    accept-queue)
for topic in "${topics[@]}"; do run_json "sk-explain $topic" "$bin/sk-explain" -j "$topic"; done

stop_server echo-server
# The server's own lines: listening and totals on stdout, connection (-v) on stderr.
[[ -s $work/echo-server.out ]] && outputs+=("sk-echo server $work/echo-server.out")
if jq -e 'select(.type == "connection")' "$work/echo-server.err" >/dev/null 2>&1; then
    outputs+=("sk-echo server -v $work/echo-server.err")
else
    fail "sk-echo server -v: no connection line on stderr: $(head -c 300 "$work/echo-server.err")"
fi

# sk-states over a namespace whose sockets are known: findings fire, evidence is there.
if [[ $(id -u) == 0 && -x $population ]]; then
    ns=skgloss$$
    ip netns add "$ns" && ip -n "$ns" link set lo up
    pop_out=$work/population.out
    ip netns exec "$ns" "$population" --listen 2 --established 3 --time-wait 20 \
        --close-wait 20 --udp 2 --accept-queue 4 --backlog 1 >"$pop_out" 2>"$work/pop.err" &
    pop_pid=$!
    for ((i = 0; i < 100; i++)); do
        grep -q '^ready ' "$pop_out" && break
        kill -0 "$pop_pid" 2>/dev/null || break
        sleep 0.1
    done
    if grep -q '^ready ' "$pop_out"; then
        pass "sk-population ready in $ns"
        low=(--threshold close_wait=1:2 --threshold time_wait=1:2 --threshold fin_wait2=1:2
            --threshold accept_queue=1:2)
        st=("$bin/sk-states" --netns "$ns")
        run_json "sk-states" "${st[@]}" -j -p "${low[@]}"
        expect_eq "$(jq '[.findings[] | select(.evidence.sockets > 0)] | length > 1' \
            "${outputs[-1]##* }")" true "sk-states: findings with evidence to check"
        run_json "sk-states -t -u --family-split" "${st[@]}" -j -t -u --family-split
        run_json "sk-states --source proc" "${st[@]}" -j --source proc
        run_json "sk-states --list -e -p" "${st[@]}" -j -t -u --list -e -p
        run_json "sk-states --by" "${st[@]}" -j -t -u -p --by state,lport,rport,laddr,raddr,process
        run_json "sk-states --watch" "${st[@]}" -j -p --watch 0.1 -c 2 "${low[@]}"
        run_json "sk-states filtered" "${st[@]}" -j --sport 1-65535 --dst 127.0.0.0/8 -4 -l
        # Every namespace of the host, this one among them, with its findings: rules that
        # name no process, so that a host with many other namespaces stays quick.
        all=("$bin/sk-states" --all-netns)
        all_low=(--threshold time_wait=1:2 --threshold fin_wait2=1:2)
        run_json "sk-states --all-netns" "${all[@]}" -j -t -u "${all_low[@]}"
        expect_eq "$(jq --arg ns "$ns" '[.namespaces[] | select(.netns.names == [$ns])
            | .findings | length > 0] | tojson' "${outputs[-1]##* }")" '"[true]"' \
            "sk-states --all-netns: $ns counted, with findings"
        run_json "sk-states --all-netns --by" "${all[@]}" -j -t -u --by netns,state,lport
        run_json "sk-states --all-netns --list" "${all[@]}" -j --list -p --state close-wait
        run_json "sk-states --all-netns --watch" "${all[@]}" -j --watch 0.1 -c 2 "${all_low[@]}"
    else
        fail "sk-population not ready: $(head -c 300 "$work/pop.err")"
    fi
else
    echo "skipped: sk-states in a namespace (needs root and $population)"
    run_json "sk-states" "$bin/sk-states" -j
fi

# CSV headers name their columns with the JSON keys.
csv_headers=()
# csv_header LABEL COMMAND...: keeps the first line of COMMAND's CSV output.
csv_header() {
    local label=$1 header
    shift
    header=$(timeout 20 "$@" 2>/dev/null | head -1)
    [[ -n $header ]] && csv_headers+=("$label $header") || fail "$label: no CSV header"
}
csv_header "sk-probe csv" "$bin/sk-probe" -f csv "$lo:1"
if [[ -n $ns ]]; then
    csv_header "sk-states csv" "${st[@]}" -f csv -t -u
    csv_header "sk-states --list csv" "${st[@]}" -f csv -t -u --list -e -p
    csv_header "sk-states --by csv" "${st[@]}" -f csv -t -u --by state,lport,rport,laddr,raddr,process
    csv_header "sk-states --all-netns csv" "${all[@]}" -f csv -t -u
    csv_header "sk-states --all-netns --by csv" "${all[@]}" -f csv -t -u --by netns,state,lport
    csv_header "sk-states --all-netns --list csv" "${all[@]}" -f csv --list
fi
bad_columns=$(for entry in "${csv_headers[@]}"; do
    tr ',' '\n' <<<"${entry##* }" | while read -r name; do
        [[ -n ${allowed[$name]:-} ]] || echo "${entry% *}: $name"
    done
done)
expect_eq "$bad_columns" "" "every CSV column (${#csv_headers[@]} headers) is named with a glossary key"

# --- The keys they printed ------------------------------------------------------------

declare -A label_of=()
files=()
for entry in "${outputs[@]}"; do
    label_of[${entry##* }]=${entry% *}
    files+=("${entry##* }")
done

# Every key path as "a.b.[].c" (array positions as []), after the file it came from:
# one jq over every output.
jq -r 'input_filename as $file
       | [paths | select(.[-1] | type == "string")
          | map(if type == "number" then "[]" else . end) | join(".")]
       | .[] | "\($file)\t\(.)"' "${files[@]}" | sort -u >"$work/paths"
pass "$(cut -f2 "$work/paths" | sort -u | wc -l) key paths from ${#outputs[@]} outputs"

# Each path's verdict, one line each: "unknown|old|unit FILE PATH [NEW]". A key
# whose parent path ends in a map entry names data (a state, a counter) and is skipped.
awk -F'\t' -v glossary="$glossary" '
    BEGIN {
        while ((getline line < glossary) > 0) {
            n = split(line, f, "|")
            if (f[1] == "key") allowed[f[2]] = 1
            else if (f[1] == "map") maps[f[2]] = 1
            else if (f[1] == "old") old[f[2]] = f[3]
        }
    }
    function data_member(path,    parent, m) {
        parent = path
        if (!sub(/\.[^.]*$/, "", parent)) return 0
        for (m in maps)
            if (parent == m || substr(parent, length(parent) - length(m)) == "." m) return 1
        return 0
    }
    {
        path = $2
        if (data_member(path)) next
        key = path
        sub(/.*\./, "", key)
        if (key in old) print "old\t" $1 "\t" path "\t" old[key]
        else if (!(key in allowed)) print "unknown\t" $1 "\t" path
        # The glossary spells each unit one way: _ms, _s, _per_s, _pct, bytes.
        if (key ~ /_(sec|secs|seconds|msec|msecs|millis|usec|us|ns|per_second|per_sec|percent|pc|kb|mb|kib|mib)$/)
            print "unit\t" $1 "\t" path
    }' "$work/paths" >"$work/verdicts"

# report KIND TEXT: the paths of one verdict, with the command that printed them.
report() {
    local kind=$1 text=$2 verdict file path new
    local -a lines=()
    while IFS=$'\t' read -r verdict file path new; do
        [[ $verdict == "$kind" ]] || continue
        lines+=("${label_of[$file]:-$file}: $path${new:+ (now $new)}")
    done <"$work/verdicts"
    if ((${#lines[@]} == 0)); then
        pass "no $text"
    else
        fail "$text:"
        printf '    %s\n' "${lines[@]}"
    fi
}
report unknown "key outside the glossary (add it to json_glossary.txt and sockkit(7), or use the glossary's key)"
report old "retired spelling printed (${#retired[@]} checked)"
report unit "unit spelled outside the rule (_ms, _s, _per_s, _pct)"

# Every streamed line carries a type: a file of more than one line, and every
# --watch sample.
untyped=$(jq -r 'select(type == "object" and (has("type") | not)) | input_filename' \
    "${files[@]}" | sort | uniq -c | while read -r n file; do
    (($(jq -c . "$file" | wc -l) > 1)) && echo "${label_of[$file]}: $n lines"
done)
expect_eq "$untyped" "" "every streamed line has a type"

# One shape for errors: error is an errno name or null (a count of errors, under a map
# of kinds, is a number), message a sentence.
bad_errors=$(jq -c '.. | objects | select(has("error") and (.error | type) == "string")
                    | select(.error | test("^E[A-Z0-9]+$") | not) | .error' "${files[@]}" |
    sort -u)
expect_eq "$bad_errors" "" "every error value is an errno name or null"

echo "json glossary: $((SECONDS - started)) s"
finish
