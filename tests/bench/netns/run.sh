#!/usr/bin/env bash
# sk-states --all-netns benchmark: the time to count the TCP sockets of every network
# namespace, against the operators' loop (ss in each namespace through `ip netns exec`
# or `nsenter`, counted with awk) and against a bare C program that enters each
# namespace in turn and dumps it over netlink (the floor), on three populations of
# namespaces built for the run. Not part of ctest. See tests/bench/README.md.
#
#   tests/bench/netns/run.sh [--quick] [--runs N] [--loop-runs N] [--child-ehash N]
#                            [--out DIR]
#
# Exit status: 0 every target met, 1 a target missed, a count differed or sk-states has
# no --all-netns (the other rows are still measured), 2 the benchmark could not run.
set -euo pipefail

usage() {
  cat <<'EOF'
usage: tests/bench/netns/run.sh [--quick] [--runs N] [--loop-runs N] [--child-ehash N]
                                [--out DIR]
  --quick        a tenth of the namespaces (20 x 500 sockets, 100 x 20, 100 empty): a
                 smoke test of the benchmark itself, under a minute
  --runs N       hyperfine runs of sk-states and the floor (default 5, at least 5; one
                 warm-up run before them)
  --loop-runs N  hyperfine runs of the ss loop (default 3 at 200 namespaces, 2 at 1,000)
  --child-ehash N  give every bench namespace an established hash of its own with N
                 buckets (net.ipv4.tcp_child_ehash_entries, kernel 6.1+) instead of the
                 host's shared one, which every dump walks whole
  --out DIR      keep hyperfine's JSON exports there (default BUILD/bench/netns)
Environment: SK_STATES, the sk-states binary to time (default: build/bin/sk-states of
this tree, configured and built when SK_STATES is not set).
Needs root, hyperfine, jq, cc, iproute2 (ip, ss), nsenter (util-linux), /usr/bin/time.
EOF
}

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
root=$(cd "$here/../../.." && pwd)
quick=0
runs=5
loop_runs=
child_ehash=0
out=
while (($#)); do
  case $1 in
    --quick) quick=1 ;;
    --runs) runs=${2:?--runs needs a number}; shift ;;
    --loop-runs) loop_runs=${2:?--loop-runs needs a number}; shift ;;
    --child-ehash) child_ehash=${2:?--child-ehash needs a number}; shift ;;
    --out) out=${2:?--out needs a directory}; shift ;;
    -h | --help) usage; exit 0 ;;
    *) echo "netns bench: error: unknown option \"$1\"" >&2; usage >&2; exit 2 ;;
  esac
  shift
done

die() { echo "netns bench: error: $*" >&2; exit 2; }
note() { echo "netns bench: $*" >&2; }
{ [[ $runs =~ ^[0-9]+$ ]] && ((runs >= 5)); } || die "--runs needs a number >= 5"
[[ -z $loop_runs || $loop_runs =~ ^[1-9][0-9]*$ ]] || die "--loop-runs needs a number >= 1"
[[ $child_ehash =~ ^[0-9]+$ ]] || die "--child-ehash needs a number of buckets"

# ---------------------------------------------------------------- parameters
if ((quick)); then
  big_ns=20 many_ns=100
else
  big_ns=200 many_ns=1000
fi
big_sockets=500 many_sockets=20

# ---------------------------------------------------------------- prerequisites
((EUID == 0)) || die "needs root (it creates network namespaces and bind mounts)"
missing=()
for tool in hyperfine jq cc ip ss nsenter awk cmake; do
  command -v "$tool" >/dev/null || missing+=("$tool")
done
[[ -x /usr/bin/time ]] || missing+=(/usr/bin/time)
((${#missing[@]} == 0)) ||
  die "missing ${missing[*]} (apt-get install hyperfine jq gcc iproute2 util-linux time cmake)"

if [[ -z ${SK_STATES:-} ]]; then
  build=$root/build
  if [[ ! -f $build/build.ninja ]]; then
    note "configuring $build"
    cmake -S "$root" -B "$build" -G Ninja >&2 || die "cannot configure $build"
  fi
  note "building sk-states in $build"
  timeout 1800 cmake --build "$build" --target sk-states >&2 || die "cannot build sk-states in $build"
  SK_STATES=$build/bin/sk-states
fi
{ sk=$(realpath "$SK_STATES" 2>/dev/null) && [[ -x $sk ]]; } || die "no sk-states at $SK_STATES"
has_all_netns=0
"$sk" --help 2>/dev/null | grep -q -- --all-netns && has_all_netns=1
((has_all_netns)) || note "$sk has no --all-netns: its rows are NOT MEASURED (set SK_STATES)"
out=${out:-$root/build/bench/netns}
mkdir -p "$out"

work=$(mktemp -d /tmp/sockkit-netns-bench.XXXXXX)
prefix=sockkit-nsb-$$-
holder=
failed=0

stop_workload() {
  if [[ -n $holder ]]; then
    kill -TERM "$holder" 2>/dev/null || true
    wait "$holder" 2>/dev/null || true
    holder=
  fi
}
# shellcheck disable=SC2317 # called by the EXIT trap
cleanup() {
  set +e
  stop_workload
  # The holder unmounts its names; this catches a holder that was killed outright.
  for f in /run/netns/"$prefix"*; do
    [[ -e $f ]] || continue
    umount -l "$f" 2>/dev/null
    rm -f "$f"
  done
  rm -rf "$work"
}
trap cleanup EXIT
trap 'exit 2' INT TERM HUP

note "compiling the holder and the floor"
cc -O2 -Wall -o "$work/netns_holder" "$here/netns_holder.c" || die "cannot compile netns_holder.c"
cc -O2 -Wall -o "$work/bare_netns_dump" "$here/bare_netns_dump.c" ||
  die "cannot compile bare_netns_dump.c"
floor=$work/bare_netns_dump
# `ip netns add` sets /run/netns up as a shared mount point; the holder then binds names
# there itself (hundreds of `ip netns add` would take seconds).
{ ip netns add "${prefix}setup" && ip netns delete "${prefix}setup"; } || die "ip netns add failed"

nsb() { sed ':a;s/\B[0-9]\{3\}\>/,&/;ta' <<<"$1"; } # 100000 -> 100,000

# ---------------------------------------------------------------- workloads
# build_workload NAMED UNNAMED SOCKETS: starts the holder and waits for it; writes
# $work/list (the floor's list: the host first, then every bench namespace),
# $work/bench_list (without the host), $work/pids (the unnamed ones' holders) and
# $work/inodes (a JSON array of the bench namespaces' inodes).
build_workload() {
  rm -f "$work/ready" "$work/manifest"
  "$work/netns_holder" --named "$1" --unnamed "$2" --sockets "$3" --prefix "$prefix" \
    --manifest "$work/manifest" --timeout 300 --child-ehash "$child_ehash" >"$work/ready" &
  holder=$!
  local waited=0
  while [[ ! -s $work/ready ]]; do
    kill -0 "$holder" 2>/dev/null || { holder=; die "the holder failed"; }
    ((waited++ < 3200)) || die "the namespaces were not ready after 320 s"
    sleep 0.1
  done
  note "$(cat "$work/ready")"
  awk '{ print $3 }' "$work/manifest" >"$work/bench_list"
  { echo /proc/self/ns/net; cat "$work/bench_list"; } >"$work/list"
  awk '$1 == "pid" { print $2 }' "$work/manifest" >"$work/pids"
  # shellcheck disable=SC2046 # one path per word
  stat -L -c %i $(cat "$work/bench_list") | jq -s . >"$work/inodes"
  (($(jq length "$work/inodes") == $1 + $2)) || die "the manifest does not name $(($1 + $2)) namespaces"
}

# Per-state counts of the bench namespaces (the host is left out: its sockets come and
# go while the tools run), as one "state=N ..." line in sk-states' state names.
normalise() { # reads "STATE COUNT" lines in ss's or the kernel's names, sums them
  awk '{ s = tolower($1); gsub("-", "_", s); sub("_2$", "2", s); sub("_1$", "1", s)
         if (s == "estab") s = "established"; if (s == "new_syn_recv") s = "syn_recv"
         if (s == "unconn") s = "close"; n[s] += $2 }
       END { for (s in n) if (n[s] > 0) print s "=" n[s] }' | sort | tr '\n' ' ' | sed 's/ $//'
}
floor_counts() { "$floor" --list "$work/bench_list" | awk 'NR > 2' | normalise; }
loop_counts() { bash "$here/ss_loop.sh" "$prefix" "$work/pids" | awk '$1 != "host" { print $2, $3 }' | normalise; }
# Writes $work/sk_found (how many bench namespaces sk-states listed) and prints the counts.
sk_counts() {
  echo "?" >"$work/sk_found"
  "$sk" --all-netns -j --no-findings | jq -r --slurpfile want "$work/inodes" '
    ($want[0] | map({(tostring): true}) | add // {}) as $set
    | [.namespaces[] | select($set[.netns.inode | tostring])] as $mine
    | "found \($mine | length)",
      ($mine | map(.tcp.states | to_entries[]) | group_by(.key)[]
       | "\(.[0].key) \(map(.value) | add)")' >"$work/sk_counts" ||
    { echo "(sk-states --all-netns -j did not give the contract's JSON)"; return; }
  awk 'NR == 1 { print $2 }' "$work/sk_counts" >"$work/sk_found"
  awk 'NR > 1' "$work/sk_counts" | normalise
}
total_of() { tr ' ' '\n' <<<"$1" | awk -F= '{ t += $2 } END { print t + 0 }'; }

# check_counts NAMESPACES: the floor, the loop and sk-states must see the same sockets.
check_counts() {
  local f l s="" found=""
  f=$(floor_counts)
  l=$(loop_counts)
  if ((has_all_netns)); then
    s=$(sk_counts)
    found=$(cat "$work/sk_found")
  fi
  printf '%-28s %s\n' "floor: bare_netns_dump" "total $(nsb "$(total_of "$f")"): $f"
  printf '%-28s %s\n' "ss loop" "total $(nsb "$(total_of "$l")"): $l"
  if ((has_all_netns)); then
    printf '%-28s %s\n' "sk-states --all-netns -j" "total $(nsb "$(total_of "$s")"): $s (found $found of $1)"
  fi
  if [[ $f != "$l" ]] || { ((has_all_netns)) && [[ $f != "$s" || $found != "$1" ]]; }; then
    echo "netns bench: error: COUNTS DIFFER between the floor, the ss loop and sk-states" >&2
    echo "COUNTS DIFFER: FAIL"
    failed=1
  else
    echo "counts: floor = ss loop$( ((has_all_netns)) && echo " = sk-states"): PASS"
  fi
}

# ---------------------------------------------------------------- measuring
sk_nf="sk-states --all-netns -j --no-findings"
sk_def="sk-states --all-netns"
# time_group FILE WARMUP RUNS NAME COMMAND...: one hyperfine run, JSON kept in $out.
time_group() {
  local file=$1 warmup=$2 n=$3
  shift 3
  local args=()
  while (($#)); do args+=(-n "$1" "$2"); shift 2; done
  hyperfine -N --warmup "$warmup" --runs "$n" --style basic --export-json "$out/$file" \
    "${args[@]}" >&2 || die "hyperfine failed"
}
median() { jq -r --arg n "$2" '.results[] | select(.command == $n) | .median * 1000' "$out/$1"; }
stddev() { jq -r --arg n "$2" '.results[] | select(.command == $n) | .stddev * 1000' "$out/$1"; }
row() { # row FILE NAME
  printf '%-50s %10.2f (%.1f)\n' "$2" "$(median "$1" "$2")" "$(stddev "$1" "$2")"
}
# verdict NAME VALUE OP TARGET UNIT: OP is ge or le; prints the line, records a miss.
verdict() {
  local result=FAIL
  if awk -v v="$2" -v t="$4" -v op="$3" 'BEGIN { exit !(op == "ge" ? v >= t : v <= t) }'; then
    result=PASS
  else
    failed=1
  fi
  printf '%-50s %9.2f%s  %-8s %s\n' "$1" "$2" "$5" "$([[ $3 == ge ]] && echo ">=" || echo "<=") $4$5" "$result"
}
not_measured() { printf '%-50s %10s  %-8s %s\n' "$1" - "$2" "NOT MEASURED"; failed=1; }
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.2f", a / b }'; }
machine() {
  echo "load average $(cut -d' ' -f1-3 /proc/loadavg); $(nproc) CPUs; kernel $(uname -r);" \
    "tcp_ehash_entries $(cat /proc/sys/net/ipv4/tcp_ehash_entries 2>/dev/null || echo '?')"
}
seen_by_sk() {
  ((has_all_netns)) || return 0
  echo "sk-states --all-netns finds $("$sk" --all-netns -j --no-findings | jq '.netns_walk.found // "?"')" \
    "namespaces on this host (its time includes discovering them: /proc walk, cgroup labels)"
}

# measure TAG NAMESPACES LOOP_RUNS: the table of one workload (a) or (b).
measure() {
  local tag="($1)" count=$2 lruns=${loop_runs:-$3} json=times-$1.json loopjson=loop-$1.json
  echo
  machine
  seen_by_sk
  check_counts "$count"
  local rows=()
  ((has_all_netns)) && rows+=("$sk_nf" "$sk --all-netns -j --no-findings" "$sk_def" "$sk --all-netns")
  rows+=("floor: bare_netns_dump" "$floor --list $work/list")
  rows+=("floor, one walk for both families" "$floor --one-walk --list $work/list")
  time_group "$json" 1 "$runs" "${rows[@]}"
  time_group "$loopjson" 0 "$lruns" "ss loop (ip netns exec | nsenter)" \
    "bash $here/ss_loop.sh $prefix $work/pids"
  echo
  printf '%-50s %17s\n' "command ($tag, host included)" "median ms (sd)"
  ((has_all_netns)) && { row "$json" "$sk_nf"; row "$json" "$sk_def"; }
  row "$json" "floor: bare_netns_dump"
  row "$json" "floor, one walk for both families"
  row "$loopjson" "ss loop (ip netns exec | nsenter)"
  local fl lp
  fl=$(median "$json" "floor: bare_netns_dump")
  lp=$(median "$loopjson" "ss loop (ip netns exec | nsenter)")
  echo
  printf '%-50s %10s  %-8s %s\n' "ratio ($tag)" value target result
  if ((has_all_netns)); then
    local nf def
    nf=$(median "$json" "$sk_nf")
    def=$(median "$json" "$sk_def")
    verdict "ss loop / $sk_nf" "$(ratio "$lp" "$nf")" ge 50 x
    verdict "ss loop / $sk_def" "$(ratio "$lp" "$def")" ge 50 x
    verdict "$sk_nf / floor" "$(ratio "$nf" "$fl")" le 1.3 x
    verdict "$sk_def / floor" "$(ratio "$def" "$fl")" le 1.3 x
  else
    not_measured "ss loop / sk-states" ">= 50x"
    not_measured "sk-states / floor" "<= 1.3x"
  fi
  printf '%-50s %9.2fx  %-8s %s\n' "ss loop / floor" "$(ratio "$lp" "$fl")" - info
  if ((has_all_netns)); then
    local one
    one=$(median "$json" "floor, one walk for both families")
    printf '%-50s %9.2fx  %-8s %s\n' "sk-states -j --no-findings / one-walk floor" "$(ratio "$nf" "$one")" - info
  fi
}

# ---------------------------------------------------------------- the run
echo "sk-states --all-netns benchmark: $sk"
echo "The floor gets the list of namespace files; sk-states' time includes its discovery of"
echo "the namespaces (/run/netns, the /proc walk, cgroup labels) and every other namespace on"
echo "the host. Every timed command covers the bench namespaces and the host's own."
if ((child_ehash)); then
  echo "Every bench namespace has its own established hash of $(nsb "$child_ehash") buckets (--child-ehash)."
else
  echo "Every namespace shares the host's established hash, which every dump walks whole."
fi

# Baseline: no bench namespace; then (c) 1,000 empty ones. Their difference per namespace
# is what an empty namespace costs.
echo
echo "== baseline: no bench namespace"
machine
seen_by_sk
base_rows=()
((has_all_netns)) && base_rows+=("$sk_nf" "$sk --all-netns -j --no-findings" "$sk_def" "$sk --all-netns")
base_rows+=("floor: bare_netns_dump" "$floor /proc/self/ns/net")
base_rows+=("floor, one walk for both families" "$floor --one-walk /proc/self/ns/net")
base_rows+=("floor, skipping empty (sockstat)" "$floor --skip-empty /proc/self/ns/net")
time_group times-baseline.json 1 "$runs" "${base_rows[@]}"

echo
echo "== (c) $(nsb "$many_ns") empty namespaces ($((many_ns / 2)) named, $((many_ns / 2)) held by a process)"
build_workload $((many_ns / 2)) $((many_ns / 2)) 0
machine
seen_by_sk
check_counts "$many_ns"
empty_rows=()
((has_all_netns)) && empty_rows+=("$sk_nf" "$sk --all-netns -j --no-findings" "$sk_def" "$sk --all-netns")
empty_rows+=("floor: bare_netns_dump" "$floor --list $work/list")
empty_rows+=("floor, one walk for both families" "$floor --one-walk --list $work/list")
empty_rows+=("floor, skipping empty (sockstat)" "$floor --skip-empty --list $work/list")
time_group times-empty.json 1 "$runs" "${empty_rows[@]}"
if ((has_all_netns)); then
  /usr/bin/time -f %M -o "$work/rss" "$sk" --all-netns >/dev/null || true
  rss_empty=$(cat "$work/rss")
fi
stop_workload
echo
printf '%-50s %11s %11s %11s  %-9s %s\n' "command ((c) against the baseline)" "baseline ms" \
  "+$(nsb "$many_ns") ms" "µs per ns" target result
per_ns() { # per_ns NAME TARGET
  local b e us
  b=$(median times-baseline.json "$1")
  e=$(median times-empty.json "$1")
  us=$(awk -v b="$b" -v e="$e" -v n="$many_ns" 'BEGIN { printf "%.1f", (e - b) * 1000 / n }')
  local result=info target=-
  if [[ -n $2 ]]; then
    target="< $2 µs"
    result=PASS
    awk -v u="$us" -v t="$2" 'BEGIN { exit !(u < t) }' || { result=FAIL; failed=1; }
  fi
  printf '%-50s %11.2f %11.2f %11s  %-9s %s\n' "$1" "$b" "$e" "$us" "$target" "$result"
}
if ((has_all_netns)); then
  per_ns "$sk_nf" 100
  per_ns "$sk_def" 100
else
  printf '%-50s %11s %11s %11s  %-9s %s\n' "sk-states per empty namespace" - - - "< 100 µs" "NOT MEASURED"
  failed=1
fi
per_ns "floor: bare_netns_dump" ""
per_ns "floor, one walk for both families" ""
per_ns "floor, skipping empty (sockstat)" ""
sleep 3 # the kernel tears the namespaces down in the background

echo
echo "== (b) $(nsb "$many_ns") namespaces x $many_sockets TCP sockets = $(nsb $((many_ns * many_sockets)))" \
  "($((many_ns / 2)) named, $((many_ns / 2)) held by a process)"
build_workload $((many_ns / 2)) $((many_ns / 2)) "$many_sockets"
measure b "$many_ns" 2
# peak_rss ARGS...: the largest peak RSS of three runs of sk-states ARGS, in MiB.
peak_rss() {
  local kib=0
  for _ in 1 2 3; do
    /usr/bin/time -f %M -o "$work/rss" "$sk" "$@" >/dev/null || true
    (($(cat "$work/rss") > kib)) && kib=$(cat "$work/rss")
  done
  awk -v k="$kib" 'BEGIN { print k / 1024 }'
}
if ((has_all_netns)); then
  verdict "peak RSS of $sk_def, $(nsb "$many_ns") ns (MiB)" "$(peak_rss --all-netns)" le 16 ""
  printf '%-50s %9.2f  %-8s %s\n' "the same, $sk_nf" "$(peak_rss --all-netns -j --no-findings)" - info
  printf '%-50s %9.2f  %-8s %s\n' "$sk_def at $(nsb "$many_ns") empty namespaces" \
    "$(awk -v k="$rss_empty" 'BEGIN { print k / 1024 }')" - info
else
  not_measured "peak RSS of sk-states --all-netns" "< 16 MiB"
fi
stop_workload
sleep 3

echo
echo "== (a) $(nsb "$big_ns") namespaces x $big_sockets TCP sockets = $(nsb $((big_ns * big_sockets)))" \
  "($((big_ns / 2)) named, $((big_ns / 2)) held by a process)"
build_workload $((big_ns / 2)) $((big_ns / 2)) "$big_sockets"
measure a "$big_ns" 3
stop_workload

echo
((failed)) && echo "some target missed, a count differed, or sk-states was not measured: exit 1" ||
  echo "every target met"
exit "$failed"
