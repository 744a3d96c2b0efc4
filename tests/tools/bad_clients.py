#!/usr/bin/env python3
"""Clients that misbehave toward a TCP server, for the hardening tests.

    bad_clients.py HOST PORT [--reset N] [--no-read N] [--slow N [--slow-every S]] [--idle N]

--reset N    N clients that connect, send a line and abort with a reset (SO_LINGER 0)
--no-read N  N clients that send 1 MiB each and never read what comes back
--slow N     N clients that send one byte every S seconds (--slow-every, default 1)
             until the server closes them
--idle N     N clients that connect and send nothing

Prints "ready" once every client is connected (resets already sent), then runs until
SIGTERM, or until every --slow client has been closed by the server, and prints
"slow-closed K" with how many were. Exit 0, or 2 when a connection failed.
"""
import argparse
import select
import signal
import socket
import struct
import sys
import time


def connect(host, port):
    s = socket.create_connection((host, port), timeout=5)
    s.setblocking(False)
    return s


def main():
    p = argparse.ArgumentParser()
    p.add_argument("host")
    p.add_argument("port", type=int)
    for flag in ("--reset", "--no-read", "--slow", "--idle"):
        p.add_argument(flag, type=int, default=0)
    p.add_argument("--slow-every", type=float, default=1.0)
    a = p.parse_args()
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))
    held = []
    try:
        for _ in range(a.reset):
            s = connect(a.host, a.port)
            s.send(b"about to vanish\n")
            s.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
            s.close()
        chunk = b"x" * 65536
        for _ in range(a.no_read):
            s = connect(a.host, a.port)
            sent = 0
            while sent < 1 << 20:
                try:
                    sent += s.send(chunk)
                except BlockingIOError:
                    break  # both buffers are full: the server stopped reading from us
            held.append(s)
        for _ in range(a.idle):
            held.append(connect(a.host, a.port))
        slow = [connect(a.host, a.port) for _ in range(a.slow)]
    except OSError as e:
        print(f"bad_clients: {e}", file=sys.stderr)
        return 2
    print("ready", flush=True)
    closed = 0
    while slow:
        for s in list(slow):
            try:
                s.send(b".")
            except OSError:
                slow.remove(s)
                closed += 1
                continue
            r, _, _ = select.select([s], [], [], 0)
            if r:
                try:
                    data = s.recv(4096)
                except OSError:
                    data = b""
                if not data:
                    slow.remove(s)
                    closed += 1
        time.sleep(a.slow_every)
    if a.slow:
        print(f"slow-closed {closed}", flush=True)
    while True:
        time.sleep(3600)


if __name__ == "__main__":
    sys.exit(main())
