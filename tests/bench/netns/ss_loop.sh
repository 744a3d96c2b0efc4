#!/usr/bin/env bash
# The operators' loop, the anchor of the --all-netns benchmark: ss in every namespace,
# counted by state with awk, one `ip netns exec` per named namespace and one
# `nsenter -t PID -n` per namespace held by a process.
#
#   ss_loop.sh PREFIX PIDFILE
#     PREFIX   count the namespaces of `ip netns list` whose name starts with it
#     PIDFILE  one pid a line: a process of each unnamed namespace
# Prints "NAMESPACE STATE COUNT" lines (NAMESPACE: host, the name, or pid:PID), with
# ss's state names (ESTAB, CLOSE-WAIT, ...). The host's own namespace comes first.
set -euo pipefail
count() { awk -v ns="$1" 'NR > 1 { n[$1]++ } END { for (s in n) print ns, s, n[s] }'; }
ss -tan | count host
for ns in $(ip netns list | awk -v p="$1" 'index($1, p) == 1 { print $1 }'); do
  ip netns exec "$ns" ss -tan | count "$ns"
done
while read -r pid; do
  nsenter -t "$pid" -n ss -tan | count "pid:$pid"
done <"$2"
