#!/usr/bin/env python3
"""Writes the seed corpus of every fuzz target under tests/fuzz/corpus/<name>/.

Real inputs where the machine has them: /proc/net/{tcp,tcp6,udp,udp6} lines and a
sock_diag dump of sockets this script opens on loopback (so no other process's sockets
end up in git), /proc/net/{netstat,snmp,sockstat,sockstat6} and the net.* sysctls as
they are; hand-written inputs for the rest, including broken ones next to good ones.
Run it from anywhere; it replaces the files it writes and leaves others alone. New
inputs the fuzzer finds stay in build-fuzz/corpus-work, not here.
"""
import os
import socket
import struct
import sys

ROOT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "corpus")


def seed(target, name, data):
    directory = os.path.join(ROOT, target)
    os.makedirs(directory, exist_ok=True)
    if isinstance(data, str):
        data = data.encode()
    with open(os.path.join(directory, name), "wb") as f:
        f.write(data)


def text_seeds(target, items):
    for i, item in enumerate(items):
        seed(target, f"{i:02d}", item)


def read(path):
    with open(path, "rb") as f:
        return f.read()


# Sockets for the /proc and sock_diag seeds: a listener with a connection on IPv4 and
# IPv6, and a bound UDP socket of each family, all on loopback.
def open_sockets():
    held = []
    ports = set()
    for family, host in ((socket.AF_INET, "127.0.0.1"), (socket.AF_INET6, "::1")):
        listener = socket.socket(family, socket.SOCK_STREAM)
        listener.bind((host, 0))
        listener.listen(8)
        client = socket.socket(family, socket.SOCK_STREAM)
        client.connect(listener.getsockname()[:2])
        server, _ = listener.accept()
        client.sendall(b"x" * 100)  # unread: a receive queue
        udp = socket.socket(family, socket.SOCK_DGRAM)
        udp.bind((host, 0))
        held += [listener, client, server, udp]
        ports |= {listener.getsockname()[1], client.getsockname()[1], udp.getsockname()[1]}
    return held, ports


def proc_net_seeds(ports):
    for name in ("tcp", "tcp6", "udp", "udp6"):
        lines = read(f"/proc/net/{name}").split(b"\n")
        mine = [lines[0]]
        for line in lines[1:]:
            fields = line.split()
            if len(fields) > 2 and int(fields[1].split(b":")[1], 16) in ports:
                mine.append(line)
        seed("proc_net", f"real-{name}", b"\n".join(mine) + b"\n")
    v4 = ("   0: 0100007F:1F90 00000000:0000 0A 00000000:00000000 00:00000000 00000000  "
          "1000        0 12345 1 0000000000000000 100 0 0 10 0")
    text_seeds("proc_net", [
        v4 + "\n",
        v4,  # no final newline
        v4.replace(" 0A ", " 01 ").replace("00:00000000", "02:000000C8") + "\r\n",
        "  12: 00000000000000000000000001000000:0016 00000000000000000000000000000000:0000 "
        "0A 00000000:00000000 00:00000000 00000000     0        0 999 1 0 100 0 0 10 0\n",
        "   0: 0100007F:1F90 00000000:0000 0A 00000000:00000000 00:00000000 00000000  "
        "4294967296 0 1\n",  # uid out of range
        "   0: 0100007F:1F90 0000000:0000 0A\n",  # short address
        "   0: 0100007F:1F90 00000000:0000 0A 00000000:00000000 00:FFFFFFFFFFFFFFFF 00000000 0 0 1\n",
    ])


NLMSG_ERROR, NLMSG_DONE, SOCK_DIAG_BY_FAMILY = 2, 3, 20
NLM_F_MULTI, NLM_F_DUMP_INTR = 0x2, 0x10
INET_DIAG_MEMINFO, INET_DIAG_INFO, INET_DIAG_CONG, INET_DIAG_SKMEMINFO = 1, 2, 4, 7


def nlmsg(msg_type, payload, flags=NLM_F_MULTI, length=None):
    if length is None:
        length = 16 + len(payload)
    data = struct.pack("=IHHII", length, msg_type, flags, 1, 0) + payload
    return data + b"\0" * (-len(data) % 4)


def rtattr(attr_type, payload, length=None):
    if length is None:
        length = 4 + len(payload)
    data = struct.pack("=HH", length, attr_type) + payload
    return data + b"\0" * (-len(data) % 4)


def diag_msg(family=socket.AF_INET, state=10, sport=8080, dport=0, inode=12345):
    src = socket.inet_pton(socket.AF_INET6, "::1") if family == socket.AF_INET6 else \
        socket.inet_pton(socket.AF_INET, "127.0.0.1")
    sockid = struct.pack(">HH", sport, dport) + src.ljust(16, b"\0") + b"\0" * 16
    sockid += struct.pack("=I", 0) + struct.pack("=II", 0xFFFFFFFF, 0xFFFFFFFF)
    return struct.pack("=BBBB", family, state, 0, 0) + sockid + struct.pack(
        "=IIIII", 0, 0, 128, 0, inode)


def dump(family, protocol, ports):
    """The records of a real dump (with every attribute we may ask for) on our ports."""
    s = socket.socket(socket.AF_NETLINK, socket.SOCK_RAW, 4)  # NETLINK_SOCK_DIAG
    ext = (1 << (INET_DIAG_MEMINFO - 1)) | (1 << (INET_DIAG_INFO - 1)) | (
        1 << (INET_DIAG_CONG - 1)) | (1 << (INET_DIAG_SKMEMINFO - 1))
    req = struct.pack("=BBBBI", family, protocol, ext, 0, 0xFFFFFFFF) + b"\0" * 48
    s.send(struct.pack("=IHHII", 16 + len(req), SOCK_DIAG_BY_FAMILY, 0x301, 1, 0) + req)
    records = []
    while True:
        data = s.recv(65536)
        done = False
        while len(data) >= 16:
            length, msg_type = struct.unpack_from("=IH", data)
            if msg_type == NLMSG_DONE:
                done = True
                break
            message = data[:length]
            sport, dport = struct.unpack_from(">HH", message, 16 + 4)
            if sport in ports or dport in ports:
                records.append(message + b"\0" * (-len(message) % 4))
            data = data[(length + 3) & ~3:]
        if done:
            break
    s.close()
    return records


def sock_diag_seeds(ports):
    done = nlmsg(NLMSG_DONE, struct.pack("=i", 0))
    tcp4 = dump(socket.AF_INET, socket.IPPROTO_TCP, ports)
    tcp6 = dump(socket.AF_INET6, socket.IPPROTO_TCP, ports)
    udp = dump(socket.AF_INET, socket.IPPROTO_UDP, ports) + dump(
        socket.AF_INET6, socket.IPPROTO_UDP, ports)
    seed("sock_diag", "real-tcp4", b"".join(tcp4) + done)
    seed("sock_diag", "real-tcp6", b"".join(tcp6) + done)
    seed("sock_diag", "real-udp", b"".join(udp) + done)
    seed("sock_diag", "real-one", tcp4[0])
    bare = diag_msg()
    info = rtattr(INET_DIAG_INFO, bytes(range(104)))  # an older kernel's tcp_info
    mem = rtattr(INET_DIAG_SKMEMINFO, struct.pack("=9I", *range(9)))
    cong = rtattr(INET_DIAG_CONG, b"cubic\0")
    body = bare + info + mem + cong
    seeds = {
        "hand-record": nlmsg(SOCK_DIAG_BY_FAMILY, body) + done,
        "hand-v6-two": nlmsg(SOCK_DIAG_BY_FAMILY, diag_msg(socket.AF_INET6, 1, 22, 5555) + mem)
        + nlmsg(SOCK_DIAG_BY_FAMILY, diag_msg(socket.AF_INET6, 6, 22, 5556)) + done,
        "hand-intr": nlmsg(SOCK_DIAG_BY_FAMILY, body, NLM_F_MULTI | NLM_F_DUMP_INTR) + done,
        "error-eperm": nlmsg(NLMSG_ERROR, struct.pack("=i", -1) + b"\0" * 16),
        "error-ack": nlmsg(NLMSG_ERROR, struct.pack("=i", 0) + b"\0" * 16),
        "error-short": nlmsg(NLMSG_ERROR, b"\x01\x02"),
        "attr-truncated": nlmsg(SOCK_DIAG_BY_FAMILY, bare + info[:-8]),  # rta_len past the end
        "attr-oversized": nlmsg(SOCK_DIAG_BY_FAMILY, bare + rtattr(INET_DIAG_INFO, b"", 4000)),
        "attr-undersized": nlmsg(SOCK_DIAG_BY_FAMILY, bare + rtattr(INET_DIAG_INFO, b"", 2)),
        "attr-empty": nlmsg(SOCK_DIAG_BY_FAMILY, bare + rtattr(INET_DIAG_SKMEMINFO, b"")),
        "attr-unaligned-last": nlmsg(SOCK_DIAG_BY_FAMILY, bare + mem + rtattr(99, b"abcde"))[:-3],
        "record-short": nlmsg(SOCK_DIAG_BY_FAMILY, bare[:40]),
        "record-unix-family": nlmsg(SOCK_DIAG_BY_FAMILY, diag_msg(socket.AF_UNIX)),
        "nlmsg-oversized": nlmsg(SOCK_DIAG_BY_FAMILY, body, length=4096),
        "nlmsg-undersized": nlmsg(SOCK_DIAG_BY_FAMILY, body, length=8),
        "trailing-bytes": nlmsg(SOCK_DIAG_BY_FAMILY, body) + b"\x01\x02\x03",
        "noop-then-record": nlmsg(1, b"") + nlmsg(SOCK_DIAG_BY_FAMILY, body) + done,
    }
    for name, data in seeds.items():
        seed("sock_diag", name, data)


def ping(seq, run_id=7, sent_ns=123456789, version=1, magic=b"SKPG", size=28):
    data = magic + bytes([version, 0, 0, 0]) + struct.pack(">IQQ", run_id, seq, sent_ns)
    return (data + b"p" * size)[:size]


def framed(*datagrams):
    return b"".join(bytes([len(d)]) + d for d in datagrams)


def ping_seeds():
    seeds = {
        "in-order": framed(*(ping(s) for s in range(1, 6))),
        "duplicate": framed(ping(1), ping(2, run_id=8), ping(2, run_id=8), ping(3)),
        "twice-in-a-row": framed(ping(1, run_id=9), ping(2, run_id=9)),
        "reordered": framed(ping(1), ping(3), ping(2), ping(5), ping(4)),
        "window-jump": framed(ping(1), ping(2), ping(65537), ping(2), ping(65538), ping(3)),
        "window-edge": framed(ping(10), ping(65546), ping(10), ping(11), ping(11)),
        "huge": framed(ping(2**64 - 1), ping(2**64 - 65536), ping(2**64 - 65537), ping(1)),
        "zero": framed(ping(0), ping(0), ping(1)),
        "payload": framed(ping(1, size=64), ping(2, size=200)),
        "short": framed(ping(1)[:27], ping(2)),
        "bad-magic": framed(ping(1, magic=b"SKPH"), ping(2, version=2), ping(3)),
        "empty-datagram": framed(b"", ping(1)),
    }
    for name, data in seeds.items():
        seed("ping_datagram", name, data)


# /proc/PID/cgroup of a process in each runtime's usual cgroup, in the v2 form and in the
# v1 form (every controller, name=systemd among them), and broken ones next to them.
def cgroup_seeds():
    cid = "5424626b932a2ff9d191f0982447a979fddd8b4be251e924370cb66900df018e"
    node = "545ea538461003efdc8c81c244531b003f6f26cfccf6c0073b3239fdedf49446"
    uid = "fa215d88-bd4e-5759-92ab-89ddaf983762"
    slice_uid = uid.replace("-", "_")
    pod_slice = f"/kubepods.slice/kubepods-burstable.slice/kubepods-burstable-pod{slice_uid}.slice"
    paths = [
        f"/docker/{cid}",
        f"/system.slice/docker-{cid}.scope",
        f"{pod_slice}/cri-containerd-{cid}.scope",
        f"/kubepods/burstable/pod{uid}/{cid}",
        f"/kubepods/pod{uid}/{cid}",
        f"{pod_slice}/crio-{cid}.scope",
        f"{pod_slice}/crio-conmon-{cid}.scope",
        f"/machine.slice/libpod-{cid}.scope/container",
        f"/machine.slice/libpod-conmon-{cid}.scope",
        "/machine.slice/machine-web\\x2d1.scope/payload",
        f"/docker/{node}/kubepods/burstable/pod{uid}/{cid}",
    ]
    v1 = "".join(f"{n}:{c}:{{0}}\n" for n, c in
                 ((4, "pids"), (3, "memory"), (2, "cpu,cpuacct"), (1, "name=systemd")))
    seeds = [f"0::{path}\n" for path in paths] + [v1.format(path) + "0::/\n" for path in paths[:4]]
    seeds += [
        "", "0::/\n", "0::/init.scope", f"0::/docker/{cid[:40]}", f"1:name=systemd:/docker/{cid}",
        f"0::/kubepods/pod{uid[:20]}", "::::\n:\n", b"\x00:\xff:/docker-\n",
    ]
    return seeds


def main():
    held, ports = open_sockets()
    proc_net_seeds(ports)
    sock_diag_seeds(ports)
    for s in held:
        s.close()
    ping_seeds()

    for name in ("netstat", "snmp"):
        seed("counter_file", f"real-{name}", read(f"/proc/net/{name}"))
    text_seeds("counter_file", [
        "TcpExt: ListenOverflows ListenDrops\nTcpExt: 12 12\n",
        "Tcp: RtoAlgorithm MaxConn\nTcp: 1 -1",
        "TcpExt: A B C\nTcpExt: 1 2\n",
        "TcpExt: A\n",
        "TcpExt: A\nIpExt: 1\n",
        "TcpExt: A\nTcpExt: 99999999999999999999\n",
        "TcpExt:\tA  B\n\n  TcpExt :  1\t2\n",
        "no section here\n",
    ])

    seed("sockstat", "real-sockstat", read("/proc/net/sockstat"))
    seed("sockstat", "real-sockstat6", read("/proc/net/sockstat6"))
    text_seeds("sockstat", [
        "sockets: used 5\n",
        "TCP: inuse 1 orphan 2 tw 3 alloc 4 mem 5\nTCP6: inuse 7",
        "TCP: inuse\n",
        "TCP: inuse -1\n",
        "RAW: inuse 0\n",
        "TCP: inuse 18446744073709551616\n",
        "UDP: inuse 1 mem 2 extra 3\nUDP6: inuse 4\n",
    ])

    sysctl = "/proc/sys/net/ipv4/"
    for name in ("ip_local_port_range", "tcp_mem", "tcp_max_tw_buckets", "tcp_syncookies"):
        seed("sysctl", f"real-{name}", read(sysctl + name))
    text_seeds("sysctl", ["-1\n", "1 2\n", "65535\t1\n", "0\t65535\n", "1\t2\t3", "x\n",
                          "9223372036854775808\n", "18446744073709551615 1 1\n"])

    text_seeds("endpoint", [
        "db", "db:5432", "10.0.0.1:80", "[2001:db8::1]:443", "::1", "[::1]:80",
        "fe80::1%eth0", "[fe80::1%eth0]:22", "localhost.:0", "a..b", "[::1", "[1.2.3.4]:80",
        "host:65536", "host:", ":80", "-bad-.example", "x" * 64 + ".com", "::ffff:10.0.0.1",
        "1.2.3.999", "[::1]x", "my_host:08",
    ])
    text_seeds("address", [
        "10.0.0.0/8", "192.168.1.10/24", "2001:db8::/32", "::/0", "0.0.0.0/0",
        "255.255.255.255/32", "::ffff:10.0.0.1", "fe80::1/64", "10.0.0.1/33", "10.0.0.1/",
        "10.0.0.1/+8", "2001:db8::1/128", "1.2.3", "::1/0008", "ffff:ffff:ffff:ffff::/1",
    ])
    text_seeds("ports", [
        "22", "22,80,8000-8100", "-", "-1024", "1024-", "1-65535", "0", "65536", "80-22",
        "22,,80", "1,3,2,4-6,5", "ssh", "1-1,2-2,65535", "-,-", "00080",
    ])
    text_seeds("probe_target", [
        "db", "db:5432", "10.0.0.1", "10.0.0.1:80", "[2001:db8::1]:443", "::1",
        "fe80::1%eth0", "10.0.0.0/24", "2001:db8::/120", "10.0.0.0/24:80", "[10.0.0.0/24]",
        "/", "host/8", "",
    ])
    text_seeds("target_list", [
        "db\n10.0.0.1:80 [::1]:22\n",
        "# a list\n10.0.0.0/30  # office\r\n\n\tweb1\tweb2\n",
        "good\nbad:port\n",
        "x" * 5000 + "\n",
        "a b c # d e f\n#\n\n\r\n::1",
        "host/\n",
    ])
    text_seeds("escape", [
        "GET / HTTP/1.0\\r\\n\\r\\n", "\\x00\\xff\\t\\\"", "trailing\\", "\\x4", "\\q",
        "SSH-2.0-OpenSSH_9.2\r\n", "\x00\x01\x7f\x80\xff tab\there\\", "\n\r\n",
    ])
    seed("prometheus", "00", struct.pack("=d", 1.5) + b'web "1"\nback\\slash')
    seed("prometheus", "01", struct.pack("=d", float("nan")) + b"")
    seed("prometheus", "02", struct.pack("=d", float("-inf")) + b"\xff\xfe")
    seed("prometheus", "03", struct.pack("=d", 1e15) + b"10.0.0.1:80")
    seed("prometheus", "04", struct.pack("=d", -0.0) + b"\\n")
    seed("prometheus", "05", struct.pack("=d", 123456789.0))
    text_seeds("json", [
        "SSH-2.0-OpenSSH_9.2\r\n", "caf\xc3\xa9", b"\xff\xfe\x00bad", b"\xc3", b"\xed\xa0\x80",
        "\"quoted\" \\ \x01", b"\xf4\x90\x80\x80", "",
    ])
    text_seeds("sk_echo_options", [
        "close", "hold", "rst", "delay:2.5", "delay:0", "delay:-1", "delay:1e9", "delay:",
        "64K", "10M", "1G", "4G", "5G", "4097M", "KiB", "8080", "0.0.0.0:8080", "[::]:0",
        "[::1]:7", "127.0.0.1:0", "99999", "0.5", "nan", "[fe80::1%lo]:9",
    ])
    text_seeds("duration", [
        "2", "0.5", "500ms", "1.5s", "2m", "1h", "5x", "", "1e-3", "-1", "inf", "nan", "0",
        "744h", "0.0000000001", "99999999999999999999h", "1 s", "0x10", "1ms", "86400",
    ])
    text_seeds("netns_spec", [
        "blue", "/var/run/docker/netns/1a2b3c", "/proc/4121/ns/net", "pid:4121", "pid:1",
        "pid:4194304", "pid:4194305", "pid:0", "pid:-1", "pid:", "pid:abc", "pid:99999999",
        "", ".", "..", "...", "a\nb", "blue\n", "a\x00b", "ns/x", "./blue", "pid:+1",
    ])
    text_seeds("sk_ping_options", [
        "200", "200,20%", "0,0", "1.5,100%", "200,101%", "-1", "inf", "nan,5%", "200,",
        ",20%", "200,20%%", "1e308,50", "1e309",
    ])
    text_seeds("cgroup_labels", cgroup_seeds())
    return 0


if __name__ == "__main__":
    sys.exit(main())
