#!/usr/bin/env bash
# sk-states --all-netns labels namespaces by the cgroups of their processes: for every
# layout in sk-states(1) NAMESPACES, a process in a network namespace of its own
# (unshare -n) is moved into a real cgroup named the way that runtime names it, once
# under the cgroup v1 name=systemd hierarchy and once under cgroup v2 (each where it is
# mounted). sk-states must report each namespace with the runtime, container id, pod
# UID, machine, label, pid and command the path gives, in JSON, text and Prometheus, and
# count its sockets as `nsenter -t PID -n ss -tan` does.
#   sk_states_containers_test.sh BIN_DIR
# The cgroups live under a directory of this test's own (sockkit-test-PID) in each
# hierarchy, so they never meet a real runtime's; the trap kills the processes and
# removes the cgroups.
set -uo pipefail
source "$(dirname "$0")/lib.sh"
states="$1/sk-states"
started=$SECONDS

finish_unless_root "needs root to make cgroups and network namespaces" "sk-states-containers"

v1_root=$(awk '$3 == "cgroup" && $4 ~ /(^|,)name=systemd(,|$)/ { print $2; exit }' /proc/self/mounts)
v2_root=$(awk '$3 == "cgroup2" { print $2; exit }' /proc/self/mounts)
if [[ -z $v1_root && -z $v2_root ]]; then
    echo "skipped: neither a cgroup v1 name=systemd hierarchy nor cgroup v2 is mounted"
    finish
    exit
fi
[[ -n $v1_root ]] || echo "note: no cgroup v1 name=systemd hierarchy: v1 layouts not tested"
[[ -n $v2_root ]] || echo "note: cgroup v2 is not mounted: v2 layouts not tested"
top=sockkit-test-$$

declare -a holders=()
cleanup() {
    local pid root
    for pid in "${holders[@]}"; do kill -KILL "$pid" 2>/dev/null; done
    for pid in "${holders[@]}"; do wait "$pid" 2>/dev/null; done
    for root in $v1_root $v2_root; do
        [[ -d $root/$top ]] && find "$root/$top" -depth -type d -exec rmdir {} + 2>/dev/null
    done
    rm -rf "$work"
}
trap cleanup EXIT
trap 'exit 2' INT TERM

# Made-up but well-formed names: a 64-hex container id and a pod UID per tag.
container_id() { printf '%s' "$$-$1" | sha256sum | cut -c1-64; }
pod_uid() {
    local h
    h=$(printf '%s' "$$-$1" | md5sum | cut -c1-32)
    echo "${h:0:8}-${h:8:4}-${h:12:4}-${h:16:4}-${h:20:12}"
}
slice_uid() { pod_uid "$1" | tr - _; }

# The layouts: TAG|PATH|RUNTIME|CONTAINER_ID|POD_UID|MACHINE|LABEL
layouts=()
add_layout() { layouts+=("$(printf '%s|' "$@")"); }
make_layouts() {
    local id uid s node
    id=$(container_id "$1-docker")
    add_layout docker-cgroupfs "docker/$id" docker "$id" "" "" "docker ${id:0:12}"
    id=$(container_id "$1-docker-systemd")
    add_layout docker-systemd "system.slice/docker-$id.scope" docker "$id" "" "" "docker ${id:0:12}"
    id=$(container_id "$1-cri") uid=$(pod_uid "$1-cri") s=$(slice_uid "$1-cri")
    add_layout containerd-systemd \
        "kubepods.slice/kubepods-burstable.slice/kubepods-burstable-pod$s.slice/cri-containerd-$id.scope" \
        containerd "$id" "$uid" "" "pod ${uid:0:8}"
    id=$(container_id "$1-cri-g") uid=$(pod_uid "$1-cri-g") s=$(slice_uid "$1-cri-g")
    add_layout containerd-guaranteed "kubepods.slice/kubepods-pod$s.slice/cri-containerd-$id.scope" \
        containerd "$id" "$uid" "" "pod ${uid:0:8}"
    id=$(container_id "$1-cri-fs") uid=$(pod_uid "$1-cri-fs")
    add_layout containerd-cgroupfs "kubepods/burstable/pod$uid/$id" containerd "$id" "$uid" "" \
        "pod ${uid:0:8}"
    id=$(container_id "$1-cri-fs-g") uid=$(pod_uid "$1-cri-fs-g")
    add_layout containerd-cgroupfs-guaranteed "kubepods/pod$uid/$id" containerd "$id" "$uid" "" \
        "pod ${uid:0:8}"
    id=$(container_id "$1-crio") uid=$(pod_uid "$1-crio") s=$(slice_uid "$1-crio")
    add_layout cri-o \
        "kubepods.slice/kubepods-besteffort.slice/kubepods-besteffort-pod$s.slice/crio-$id.scope" \
        cri-o "$id" "$uid" "" "pod ${uid:0:8}"
    id=$(container_id "$1-conmon") uid=$(pod_uid "$1-conmon") s=$(slice_uid "$1-conmon")
    add_layout cri-o-conmon \
        "kubepods.slice/kubepods-besteffort.slice/kubepods-besteffort-pod$s.slice/crio-conmon-$id.scope" \
        cri-o "$id" "$uid" "" "pod ${uid:0:8}"
    id=$(container_id "$1-podman")
    add_layout podman "machine.slice/libpod-$id.scope/container" podman "$id" "" "" "podman ${id:0:12}"
    id=$(container_id "$1-podman-conmon")
    add_layout podman-conmon "machine.slice/libpod-conmon-$id.scope" podman "$id" "" "" \
        "podman ${id:0:12}"
    add_layout systemd-nspawn "machine.slice/machine-web\\x2d$1.scope/payload" systemd-nspawn "" "" \
        "web-$1" "machine web-$1"
    uid=$(pod_uid "$1-pod")
    add_layout pod-only "kubepods/besteffort/pod$uid" "" "" "$uid" "" "pod ${uid:0:8}"
    s=$(slice_uid "$1-pod-slice") uid=$(pod_uid "$1-pod-slice")
    add_layout pod-only-systemd "kubepods.slice/kubepods-besteffort.slice/kubepods-besteffort-pod$s.slice" \
        "" "" "$uid" "" "pod ${uid:0:8}"
    node=$(container_id "$1-kind-node") id=$(container_id "$1-kind") uid=$(pod_uid "$1-kind")
    add_layout kind-nested "docker/$node/kubepods/burstable/pod$uid/$id" containerd "$id" "$uid" "" \
        "pod ${uid:0:8}"
}

# A process that holds TCP sockets on its namespace's loopback: a listener on 8081, and
# a connection to 8080 whose client side is in CLOSE_WAIT (the peer closed, nobody
# reads), beside the server side in FIN_WAIT2.
socket_holder='
import socket, sys, time
listener = socket.socket(); listener.bind(("127.0.0.1", 8081)); listener.listen(4)
server = socket.socket(); server.bind(("127.0.0.1", 8080)); server.listen(4)
client = socket.create_connection(("127.0.0.1", 8080))
accepted, _ = server.accept(); accepted.close(); server.close()
print("ready", flush=True)
time.sleep(60)
'

host_netns=$(stat -Lc %i /proc/self/ns/net)
declare -A want=() holder_tag=() holder_cgroup=()

# start_holder ROOT TAG CGROUP_PATH [sleep|sockets]: a process in a namespace of its own
# (it ends by itself after 60 s), moved into ROOT/$top/CGROUP_PATH; sets $holder. The
# process is its namespace's only one: its pid is the lowest, its command the one shown.
start_holder() {
    local root=$1 tag=$2 path=$3 i
    mkdir -p "$root/$top/$path" || { fail "$tag: mkdir $root/$top/$path"; return 1; }
    if [[ ${4:-} == sockets ]]; then
        : >"$work/$tag.out"
        unshare -n sh -c 'ip link set lo up && exec python3 -c "$1"' sh "$socket_holder" \
            >"$work/$tag.out" 2>"$work/$tag.err" &
    else
        unshare -n sleep 60 &
    fi
    holder=$!
    holders+=("$holder")
    for ((i = 0; i < 100; i++)); do
        [[ $(stat -Lc %i "/proc/$holder/ns/net" 2>/dev/null) != "$host_netns" ]] && break
        sleep 0.05
    done
    if [[ ${4:-} == sockets ]]; then
        for ((i = 0; i < 100; i++)); do
            grep -q '^ready' "$work/$tag.out" && break
            sleep 0.05
        done
        expect_in "$work/$tag.out" ready "$tag: the sockets are open"
    fi
    echo "$holder" >"$root/$top/$path/cgroup.procs" || { fail "$tag: cannot move $holder"; return 1; }
}

# place ROOT HIERARCHY: one holder per layout in ROOT; HIERARCHY is v1 or v2.
place() {
    local root=$1 hierarchy=$2 layout tag path rest line kind
    layouts=()
    make_layouts "$hierarchy"
    for layout in "${layouts[@]}"; do
        IFS='|' read -r tag path rest <<<"$layout"
        tag="$hierarchy $tag"
        kind="sleep"
        [[ $tag == *docker-systemd ]] && kind=sockets
        start_holder "$root" "$tag" "$path" "$kind" || continue
        # The process shows its cgroup as the runtime's would be shown.
        if [[ $hierarchy == v1 ]]; then line="name=systemd:/$top/$path"; else line="0::/$top/$path"; fi
        expect_in "/proc/$holder/cgroup" "$line" "$tag: /proc/$holder/cgroup has $line"
        want[$holder]=${rest%|}
        holder_tag[$holder]=$tag
        holder_cgroup[$holder]="$hierarchy:/$top/$path"
    done
}

[[ -n $v1_root ]] && place "$v1_root" v1
[[ -n $v2_root ]] && place "$v2_root" v2
if [[ -n $v1_root && -n $v2_root ]]; then
    # Both hierarchies name something: the name=systemd line decides.
    id=$(container_id both) uid=$(pod_uid both)
    if start_holder "$v1_root" "both hierarchies" "docker/$id"; then
        mkdir -p "$v2_root/$top/kubepods/besteffort/pod$uid" &&
            echo "$holder" >"$v2_root/$top/kubepods/besteffort/pod$uid/cgroup.procs"
        expect_in "/proc/$holder/cgroup" "0::/$top/kubepods/besteffort/pod$uid" \
            "both hierarchies: in the pod's v2 cgroup too"
        want[$holder]="docker|$id|||docker ${id:0:12}"
        holder_tag[$holder]="both hierarchies"
        holder_cgroup[$holder]="v1:/$top/docker/$id v2:/$top/kubepods/besteffort/pod$uid"
    fi
fi

if ! "$states" --help 2>/dev/null | grep -q -- '--all-netns'; then
    echo "skipped: this sk-states has no --all-netns; only the cgroups were checked"
    echo "sk-states-containers: $((SECONDS - started)) s"
    finish
    exit
fi

# ss's state names as the JSON keys: "CLOSE-WAIT" is close_wait, "ESTAB" established.
ss_counts() {  # ss_counts PID: "key=N ..." sorted, and total=N
    nsenter -t "$1" -n ss -tanH | awk '
        { s = tolower($1); gsub("-", "_", s); sub("^estab$", "established", s)
          sub("wait_1$", "wait1", s); sub("wait_2$", "wait2", s); n[s]++; t++ }
        END { for (s in n) print s "=" n[s]; print "total=" t + 0 }' | sort | tr '\n' ' '
}
json_counts() {  # json_counts INODE
    jq -r --argjson ino "$1" '.namespaces[] | select(.netns.inode == $ino) | .tcp |
        ((.states | to_entries[] | select(.value > 0) | "\(.key)=\(.value)"), "total=\(.total)")' \
        "$work/all.json" | sort | tr '\n' ' '
}

# text_column HEADER INODE: the number under HEADER in the row of INODE (numbers are
# right-aligned under their headers; LABEL and PROCESS hold spaces, so fields will not do).
text_column() {
    awk -v h="$1" -v ino="$2" 'NR == 1 { at = index($0, h); next }
        $1 == ino && at > 0 { v = substr($0, at, length(h)); gsub(/ /, "", v); print v }' \
        "$work/all.txt"
}

expect_status 0 "sk-states --all-netns -j" -- "$states" --all-netns -j
cp "$work/out" "$work/all.json"
expect_status 0 "sk-states --all-netns" -- "$states" --all-netns
cp "$work/out" "$work/all.txt"
expect_status 0 "sk-states --all-netns --format prom" -- "$states" --all-netns --format prom
cp "$work/out" "$work/all.prom"
expect_promtool "$work/all.prom" "--all-netns --format prom"

for pid in "${!want[@]}"; do
    tag=${holder_tag[$pid]}
    ino=$(stat -Lc %i "/proc/$pid/ns/net")
    IFS='|' read -r runtime id uid machine label <<<"${want[$pid]}"
    got=$(jq -r --argjson ino "$ino" '.namespaces[] | select(.netns.inode == $ino) | .netns |
        [.runtime, .container_id, .pod_uid, .machine, .label, .host, .processes, .pid, .command] |
        map(if . == null then "" else tostring end) | join("|")' "$work/all.json")
    process="sleep"
    [[ $tag == *docker-systemd ]] && process=python3
    expect_eq "$got" "$runtime|$id|$uid|$machine|$label|false|1|$pid|$process" \
        "$tag: JSON labels of netns $ino (${holder_cgroup[$pid]:-})"
    expect_eq "$(json_counts "$ino")" "$(ss_counts "$pid")" "$tag: TCP counts as nsenter ss counts"
    if grep -Eq "^$ino +$label +$pid $process( |$)" "$work/all.txt"; then
        pass "$tag: text row \"$ino $label $pid $process\""
    else
        fail "$tag: no text row \"$ino $label $pid $process\": $(grep "^$ino " "$work/all.txt")"
    fi
    if [[ $process == python3 ]]; then
        expect_eq "$(text_column CLOSE_WAIT "$ino")" 1 "$tag: text: 1 in its CLOSE_WAIT column"
    fi
    info=$(grep -E "^sockkit_netns_info\{(.*,)?netns=\"$ino\"" "$work/all.prom")
    for pair in "container_id=\"$id\"" "pod_uid=\"$uid\"" "process=\"$process\"" 'host="false"'; do
        if [[ $info == *"$pair"* ]]; then
            pass "$tag: sockkit_netns_info has $pair"
        else
            fail "$tag: sockkit_netns_info of $ino lacks $pair: $info"
        fi
    done
done

echo "sk-states-containers: $((SECONDS - started)) s"
finish
