#!/usr/bin/env bash
# --netns NAME|PATH|pid:PID on the four commands that touch sockets: each form really
# runs the command inside that namespace (a named one from `ip netns add`, an unnamed
# one held only by an `unshare -n` process, one bound to a file outside /run/netns as
# Docker does), and each bad value ends in its one-line error and exit 2, as root and as
# uid 65534. Traffic stays on the namespaces' own loopback; every wait has a deadline.
#   netns_spec_test.sh BIN_DIR
set -uo pipefail
source "$(dirname "$0")/lib.sh"
bin=$1
started=$SECONDS

declare -A server_pid=()
named="sk-spec-$$"
holder=""
bound="$work/bound-netns"
cleanup() {
    local name
    for name in "${!server_pid[@]}"; do kill -KILL "${server_pid[$name]}" 2>/dev/null; done
    [[ -n $holder ]] && kill -KILL "$holder" 2>/dev/null
    mountpoint -q "$bound" 2>/dev/null && umount "$bound"
    ip netns del "$named" 2>/dev/null
    rm -rf "$work"
}
trap cleanup EXIT
trap 'exit 2' INT TERM

# bad_netns TEXT VALUE [RUNNER...]: each command with --netns VALUE exits 2 with the one
# line "NAME: error: TEXT"; RUNNER (e.g. setpriv ...) runs it as another user.
bad_netns() {
    local text=$1 value=$2 name args
    shift 2
    for name in sk-states sk-probe sk-ping sk-echo; do
        args=(--netns "$value")
        [[ $name == sk-states ]] || args+=(127.0.0.1:7)
        expect_usage_error "${1:-$bin/$name}" "$name" "$name --netns $value${1:+ as $*}" "$text" \
            -- "${@:2}" ${1:+"$bin/$name"} "${args[@]}"
        expect_eq "$(cat "$work/err")" "$name: error: $text" "$name --netns $value: exactly that line"
    done
}

echo "== bad values, as any user"
bad_netns 'invalid --netns "pid:abc": expected pid:PID with PID 1-4194304' pid:abc
bad_netns 'invalid --netns "pid:0": expected pid:PID with PID 1-4194304' pid:0
bad_netns 'invalid --netns "..": expected NAME, PATH or pid:PID' ..
: >"$work/plain"
bad_netns "$work/plain is not a network namespace file" "$work/plain"
bad_netns "/proc/self/ns/mnt is not a network namespace file" /proc/self/ns/mnt
sh -c 'exit 0' &
gone=$!
wait "$gone"
bad_netns "no process $gone (for --netns pid:$gone)" "pid:$gone"

finish_unless_root "the namespace tests (they make namespaces: needs root)" netns_spec_test

echo "== the namespaces: named, held by a process, bound to a file"
missing="sk-spec-missing-$$"
bad_netns "network namespace \"$missing\" does not exist (no /run/netns/$missing; see \`ip netns list\`)" "$missing"

host_inode=$(stat -L -c %i /proc/self/ns/net)
# unshared_pid: starts `unshare -n sleep` with lo up and prints its pid once the process
# is in its new namespace (5 s at most).
unshared_pid() {
    local pid i
    unshare -n sh -c 'ip link set lo up && exec sleep 120' >/dev/null 2>&1 &
    pid=$!
    for ((i = 0; i < 100; i++)); do
        [[ $(stat -L -c %i "/proc/$pid/ns/net" 2>/dev/null) != "$host_inode" ]] &&
            [[ $(cat "/proc/$pid/comm" 2>/dev/null) == sleep ]] && break
        sleep 0.05
    done
    echo "$pid"
}
ip netns add "$named" && ip -n "$named" link set lo up || fail "ip netns add $named"
holder=$(unshared_pid)
# A namespace bound to a file, as Docker binds its containers' under /var/run/docker/netns:
# the mount keeps it alive after its only process is gone.
touch "$bound"
first=$(unshared_pid)
mount --bind "/proc/$first/ns/net" "$bound" || fail "mount --bind /proc/$first/ns/net $bound"
kill -KILL "$first"
wait "$first" 2>/dev/null

declare -A inode_of=(
    [$named]=$(stat -L -c %i "/run/netns/$named")
    [pid:$holder]=$(stat -L -c %i "/proc/$holder/ns/net")
    [$bound]=$(stat -L -c %i "$bound")
)
for spec in "${!inode_of[@]}"; do
    [[ ${inode_of[$spec]} != "$host_inode" ]] && pass "$spec: a namespace of its own" ||
        fail "$spec: is the host's namespace"
done
expect_eq "$(printf '%s\n' "${inode_of[@]}" | sort -u | wc -l)" 3 "three different namespaces"

# inside SPEC COMMAND...: COMMAND run in the namespace SPEC names, the way ip netns exec
# and nsenter do it.
inside() {
    local spec=$1
    shift
    case $spec in
        pid:*) nsenter -t "${spec#pid:}" -n "$@" ;;
        */*) nsenter --net="$spec" "$@" ;;
        *) ip netns exec "$spec" "$@" ;;
    esac
}

form=0
for spec in "$named" "$bound" "pid:$holder"; do
    echo "== --netns $spec"
    form=$((form + 1))
    launch "echo-$form" "$bin/sk-echo" --netns "$spec" -l 127.0.0.1:0
    expect_eq "$(inside "$spec" ss -Htln "sport = :$port" | wc -l)" 1 "$spec: sk-echo listens in the namespace"
    if [[ -z $(ss -Htln "sport = :$port") ]]; then
        expect_status 1 "$spec: the host's loopback has nothing on :$port" -- "$bin/sk-probe" -q "127.0.0.1:$port"
    else
        echo "skipped: the host listens on :$port too"
    fi
    expect_status 0 "$spec: sk-probe reaches it" -- "$bin/sk-probe" --netns "$spec" "127.0.0.1:$port"
    expect_in "$work/out" "open" "$spec: sk-probe says open"
    expect_status 0 "$spec: sk-ping reaches it" -- "$bin/sk-ping" --netns "$spec" -c 2 -i 0.2 "127.0.0.1:$port"
    expect_status 0 "$spec: sk-echo's client gets its echo" -- "$bin/sk-echo" --netns "$spec" "127.0.0.1:$port" hello
    expect_in "$work/out" "5 bytes echoed intact" "$spec: the echo came back"
    expect_status 0 "$spec: sk-states -j" -- "$bin/sk-states" --netns "$spec" -j
    cp "$work/out" "$work/states.json"
    expect_eq "$(jq -r .tcp.total "$work/states.json")" "$(inside "$spec" ss -Htan | wc -l)" \
        "$spec: sk-states counts the namespace's TCP sockets, as ss there"
    expect_eq "$(jq -r .netns "$work/states.json")" "$spec" "$spec: JSON names the namespace as given"
    (($(jq -r .tcp.total "$work/states.json") >= 2)) && pass "$spec: the listener and the closed connections" ||
        fail "$spec: only $(jq -r .tcp.total "$work/states.json") TCP sockets"
    stop_server "echo-$form"
done

echo "== without privilege (uid 65534)"
as_nobody=(setpriv --reuid=65534 --regid=65534 --clear-groups)
bad_netns "cannot open /proc/1/ns/net: permission denied (needs root, or CAP_SYS_PTRACE to read another user's process)" \
    pid:1 "${as_nobody[@]}"
bad_netns "entering network namespace \"$named\" needs CAP_SYS_ADMIN (run as root)" "$named" "${as_nobody[@]}"

echo "netns_spec_test: $((SECONDS - started)) s"
finish
