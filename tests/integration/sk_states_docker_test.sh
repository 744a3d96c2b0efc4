#!/usr/bin/env bash
# sk-states --all-netns against real Docker containers: a dockerd of this test's own
# (no bridge, no firewall changes, its own data root, exec root and socket under a
# temporary directory), an image made here from a static busybox (docker import, no
# registry), and two containers with --network none that hold TCP sockets on their own
# loopback (listeners, and connections left in CLOSE_WAIT). sk-states must name each
# container's namespace with runtime docker and the container's full id, its bound
# file under the exec root, its processes, and count its sockets as
# `nsenter -t PID -n ss -tan` does.
#   sk_states_docker_test.sh BIN_DIR
# Skips (exit 0, saying why) only when dockerd, docker or a static busybox is missing or
# dockerd does not start; the trap removes the containers and stops dockerd.
set -uo pipefail
source "$(dirname "$0")/lib.sh"
states="$1/sk-states"
started=$SECONDS

finish_unless_root "needs root to run dockerd" "sk-states-docker"

skip() {
    echo "skipped: $1"
    echo "sk-states-docker: $((SECONDS - started)) s"
    finish
    exit
}
dockerd_bin=$(command -v dockerd) || skip "no dockerd (Debian package docker.io)"
# Debian's client, the one that comes with its dockerd, before any other on PATH.
docker_bin=/usr/bin/docker
[[ -x $docker_bin ]] || docker_bin=$(command -v docker) || skip "no docker client"
busybox=$(command -v busybox) || skip "no busybox (Debian package busybox-static)"
ldd "$busybox" >/dev/null 2>&1 && skip "$busybox is not static (install busybox-static)"

# A short directory: the daemon's socket path must fit in a sockaddr_un.
dir=$(mktemp -d /tmp/sk-docker.XXXXXX)
docker=("$docker_bin" -H "unix://$dir/docker.sock")
image=sockkit-busybox-$$
dockerd_pid=""
containers=()

stop_dockerd() {
    local i
    [[ -n $dockerd_pid ]] || return 0
    for c in "${containers[@]}"; do timeout 20 "${docker[@]}" rm -f "$c" >/dev/null 2>&1; done
    timeout 20 "${docker[@]}" rmi "$image" >/dev/null 2>&1
    kill -TERM "$dockerd_pid" 2>/dev/null
    for ((i = 0; i < 200; i++)); do kill -0 "$dockerd_pid" 2>/dev/null || break; sleep 0.1; done
    kill -KILL "$dockerd_pid" 2>/dev/null
    wait "$dockerd_pid" 2>/dev/null
    dockerd_pid=""
}
# dockerd makes a parent cgroup "docker" in each v1 hierarchy and leaves it: the ones
# this test's dockerd made are removed again (rmdir refuses one still in use).
new_docker_cgroups=()
for hierarchy in $(awk '$3 == "cgroup" || $3 == "cgroup2" { print $2 }' /proc/self/mounts); do
    [[ -d $hierarchy/docker ]] || new_docker_cgroups+=("$hierarchy/docker")
done
cleanup() {
    stop_dockerd
    for cg in "${new_docker_cgroups[@]}"; do [[ -d $cg ]] && rmdir "$cg" 2>/dev/null; done
    # What a killed dockerd may leave mounted: overlays, the namespaces' bind mounts.
    awk -v d="$dir/" 'index($2, d) == 1 { print $2 }' /proc/mounts | sort -r |
        while read -r m; do umount -l "$m" 2>/dev/null; done
    rm -rf "$dir" "$work"
}
trap cleanup EXIT
trap 'exit 2' INT TERM

"$dockerd_bin" --bridge=none --iptables=false --ip6tables=false --data-root "$dir/data" \
    --exec-root "$dir/exec" -H "unix://$dir/docker.sock" --pidfile "$dir/docker.pid" \
    >"$dir/dockerd.log" 2>&1 &
dockerd_pid=$!
for ((i = 0; i < 300; i++)); do
    timeout 5 "${docker[@]}" version >/dev/null 2>&1 && break
    kill -0 "$dockerd_pid" 2>/dev/null || break
    sleep 0.1
done
if ! timeout 5 "${docker[@]}" version >/dev/null 2>&1; then
    why="did not answer within 30 s"
    if ! kill -0 "$dockerd_pid" 2>/dev/null; then
        wait "$dockerd_pid"
        why="exited with status $?"
        dockerd_pid=""
    fi
    echo "dockerd's log:"
    tail -5 "$dir/dockerd.log"
    stop_dockerd
    skip "dockerd $why, so no container could run"
fi
pass "dockerd is up ($((SECONDS - started)) s)"

rootfs=$dir/rootfs
mkdir -p "$rootfs/bin" && cp "$busybox" "$rootfs/bin/busybox" &&
    chroot "$rootfs" /bin/busybox --install -s /bin
if tar -C "$rootfs" -c . | timeout 30 "${docker[@]}" import - "$image" >/dev/null; then
    pass "docker import of a busybox rootfs as $image"
else
    fail "docker import failed"
fi

# Each container: LISTENERS ports that nobody connects to, and HELD ports whose one
# connection is handed to a sleep (nc -e) while the client that made it is killed:
# the container's side sits in CLOSE_WAIT, the client's in FIN_WAIT2.
container_script() {  # container_script "LISTENERS" "HELD"
    local p script=""
    for p in $1; do script+="nc -l -p $p & "; done
    for p in $2; do script+="nc -l -p $p -e sleep 120 & "; done
    script+="sleep 0.3; "
    for p in $2; do script+="nc 127.0.0.1 $p </dev/null & c=\$!; sleep 0.2; kill \$c; "; done
    echo "${script}exec sleep 120"
}
declare -A want_close_wait=([one]=1 [two]=2)
run_container() {  # run_container NAME "LISTENERS" "HELD"
    local name=$1-$$
    if timeout 30 "${docker[@]}" run -d --network none --name "$name" "$image" \
        sh -c "$(container_script "$2" "$3")" >/dev/null 2>"$work/run.err"; then
        containers+=("$name")
        pass "container $1 runs"
    else
        fail "container $1 does not run: $(head -c 300 "$work/run.err")"
    fi
}
run_container one "8081" "8080"
run_container two "9100 9101 9102" "9001 9002"

declare -A cpid=() cid=() cino=() ckey=()
for name in one two; do
    c=$name-$$
    cid[$name]=$("${docker[@]}" inspect -f '{{.Id}}' "$c" 2>/dev/null)
    cpid[$name]=$("${docker[@]}" inspect -f '{{.State.Pid}}' "$c" 2>/dev/null)
    ckey[$name]=$("${docker[@]}" inspect -f '{{.NetworkSettings.SandboxKey}}' "$c" 2>/dev/null)
    cino[$name]=$(stat -Lc %i "/proc/${cpid[$name]}/ns/net" 2>/dev/null)
    # Ready once the script has made its sockets and its shell has become the sleep.
    for ((i = 0; i < 50; i++)); do
        [[ $(cat "/proc/${cpid[$name]}/comm" 2>/dev/null) == sleep ]] && break
        sleep 0.1
    done
    expect_eq "$(cat "/proc/${cpid[$name]}/comm" 2>/dev/null)" sleep \
        "container $name: its script is done"
    expect_eq "$(nsenter -t "${cpid[$name]}" -n ss -tanH state close-wait | wc -l)" \
        "${want_close_wait[$name]}" "container $name: CLOSE_WAIT sockets in place"
    expect_in "/proc/${cpid[$name]}/cgroup" "/docker/${cid[$name]}" \
        "container $name: its cgroup is /docker/<id>"
done

# ss's state names as the JSON keys: "CLOSE-WAIT" is close_wait, "ESTAB" established.
ss_counts() {  # ss_counts PID: "key=N ..." sorted, and total=N
    nsenter -t "$1" -n ss -tanH | awk '
        { s = tolower($1); gsub("-", "_", s); sub("^estab$", "established", s)
          sub("wait_1$", "wait1", s); sub("wait_2$", "wait2", s); n[s]++; t++ }
        END { for (s in n) print s "=" n[s]; print "total=" t + 0 }' | sort | tr '\n' ' '
}
json_counts() {  # json_counts FILE INODE
    jq -r --argjson ino "$2" '.namespaces[] | select(.netns.inode == $ino) | .tcp |
        ((.states | to_entries[] | select(.value > 0) | "\(.key)=\(.value)"), "total=\(.total)")' \
        "$1" | sort | tr '\n' ' '
}
# holders_of INODE: how many processes have INODE as /proc/PID/ns/net, the lowest pid of
# them and its command: "N PID COMM". The lowest is the container's init unless pids
# wrapped around after it started.
holders_of() {
    local p n=0 low=""
    for p in /proc/[0-9]*; do
        [[ $(stat -Lc %i "$p/ns/net" 2>/dev/null) == "$1" ]] || continue
        n=$((n + 1))
        [[ -z $low || ${p#/proc/} -lt $low ]] && low=${p#/proc/}
    done
    echo "$n $low $(cat "/proc/$low/comm" 2>/dev/null)"
}

echo "containers ready: $((SECONDS - started)) s"

if ! "$states" --help 2>/dev/null | grep -q -- '--all-netns'; then
    stop_dockerd
    skip "this sk-states has no --all-netns; only the containers were checked"
fi

export SOCKKIT_DOCKER_NETNS_DIR=$dir/exec/netns
expect_status 0 "sk-states --all-netns -j" -- "$states" --all-netns -j
cp "$work/out" "$work/all.json"
expect_status 0 "sk-states --all-netns --state close-wait -j" -- \
    "$states" --all-netns --state close-wait -j
cp "$work/out" "$work/close-wait.json"
expect_status 0 "sk-states --all-netns" -- "$states" --all-netns
cp "$work/out" "$work/all.txt"
expect_status 0 "sk-states --all-netns --format prom" -- "$states" --all-netns --format prom
cp "$work/out" "$work/all.prom"
expect_promtool "$work/all.prom" "--all-netns --format prom with containers"

for name in one two; do
    id=${cid[$name]} pid=${cpid[$name]} ino=${cino[$name]}
    tag="container $name (${id:0:12}, pid $pid, netns $ino)"
    read -r processes lowest comm <<<"$(holders_of "$ino")"
    got=$(jq -r --argjson ino "$ino" '.namespaces[] | select(.netns.inode == $ino) | .netns |
        [.runtime, .container_id, .pod_uid, .machine, .label, .host, .processes, .pid, .command] |
        map(if . == null then "" else tostring end) | join("|")' "$work/all.json")
    expect_eq "$got" "docker|$id|||docker ${id:0:12}|false|$processes|$lowest|$comm" \
        "$tag: JSON labels, and the processes as /proc/*/ns/net shows them"
    if [[ -n ${ckey[$name]} ]]; then
        expect_eq "$(jq -r --argjson ino "$ino" --arg key "${ckey[$name]}" \
            '.namespaces[] | select(.netns.inode == $ino) | .netns.names | index($key) != null' \
            "$work/all.json")" true "$tag: names has its bound file ${ckey[$name]}"
    fi
    expect_eq "$(json_counts "$work/all.json" "$ino")" "$(ss_counts "$pid")" \
        "$tag: TCP counts as nsenter ss counts"
    expect_eq "$(jq -r --argjson ino "$ino" \
        '.namespaces[] | select(.netns.inode == $ino) | .tcp.total' "$work/close-wait.json")" \
        "${want_close_wait[$name]}" "$tag: --state close-wait counts its CLOSE_WAIT"
    if grep -Eq "^$ino +docker ${id:0:12} +$lowest $comm( |$)" "$work/all.txt"; then
        pass "$tag: text row"
    else
        fail "$tag: no text row \"$ino docker ${id:0:12} $lowest $comm\": $(grep "^$ino " "$work/all.txt")"
    fi
    info=$(grep -E "^sockkit_netns_info\{(.*,)?netns=\"$ino\"" "$work/all.prom")
    for pair in "container_id=\"$id\"" 'pod_uid=""' "process=\"$comm\"" 'host="false"'; do
        if [[ $info == *"$pair"* ]]; then
            pass "$tag: sockkit_netns_info has $pair"
        else
            fail "$tag: sockkit_netns_info lacks $pair: $info"
        fi
    done
done

checked=$SECONDS
stop_dockerd
echo "dockerd stopped in $((SECONDS - checked)) s"
echo "sk-states-docker: $((SECONDS - started)) s"
finish
