#!/usr/bin/env python3
"""A UDP relay that loses, duplicates and reorders datagrams by a fixed rule, for tests.

    udp_mangle.py --upstream HOST:PORT [--listen ADDR:PORT] [--direction reply|request|both]
                  [--drop-every N] [--dup-every N] [--swap-every N] [--hold-max SECONDS]

It listens on --listen (default 127.0.0.1:0), forwards every datagram a client sends
to --upstream (an echo service, say) from a socket of its own per client, and relays
what comes back to that client. Datagrams going in --direction (default: reply, the
way back to the client) are numbered 1, 2, 3, ... in the order they reach the relay,
and datagram K is

  dropped     when K is a multiple of --drop-every (this wins over the rules below);
  held        when K is a multiple of --swap-every: sent right after datagram K+1
              (after both copies of K+1 when that one is duplicated; at once when K+1
              is dropped, so it is not overtaken), or after --hold-max seconds
              (default 1) when no K+1 comes;
  duplicated  when K is a multiple of --dup-every: sent twice in a row (a held one is
              sent twice when it is let go).

With --direction both, each direction is numbered and mangled on its own. A rule of 0
(the default) is off. Nothing is random: the same traffic in the same order is always
mangled the same way, so a test can work out exactly how many replies are lost,
duplicated and reordered.

Prints "listening on ADDR:PORT udp" (flushed) once it is ready. On SIGTERM or SIGINT it
prints "totals: relayed=N dropped=N duplicated=N swapped=N" and exits 0; exit 2 on
bad arguments or when it cannot listen. Standard library only.
"""

import argparse
import selectors
import signal
import socket
import sys
import time


def host_port(text):
    host, sep, port = text.rpartition(":")
    if not sep or not port.isdigit() or not 0 <= int(port) <= 65535:
        raise argparse.ArgumentTypeError(f'"{text}": expected HOST:PORT')
    host = host.strip("[]") or "127.0.0.1"
    return host, int(port)


def rule(text):
    if not text.isdigit():
        raise argparse.ArgumentTypeError(f'"{text}": expected a whole number, 0 for off')
    return int(text)


class Mangler:
    """Numbers the datagrams of one direction and decides what happens to each."""

    def __init__(self, args, totals):
        self.drop = args.drop_every
        self.dup = args.dup_every
        self.swap = args.swap_every
        self.hold_max = args.hold_max
        self.totals = totals
        self.count = 0
        self.held = None  # (data, send, since)

    @staticmethod
    def _hit(every, k):
        return every > 0 and k % every == 0

    def _out(self, data, send, copies):
        for _ in range(copies):
            send(data)
            self.totals["relayed"] += 1
        if copies > 1:
            self.totals["duplicated"] += copies - 1

    def _release(self):
        if self.held is not None:
            data, send, copies, _ = self.held
            self.held = None
            self._out(data, send, copies)

    def take(self, data, send):
        self.count += 1
        k = self.count
        if self._hit(self.drop, k):
            self.totals["dropped"] += 1
            self._release()
            return
        copies = 2 if self._hit(self.dup, k) else 1
        if self._hit(self.swap, k) and self.held is None:
            self.held = (data, send, copies, time.monotonic())
            self.totals["swapped"] += 1
            return
        self._out(data, send, copies)
        self._release()

    def timeout(self):
        """Seconds until a held datagram must go anyway, or None."""
        if self.held is None:
            return None
        return max(0.0, self.held[3] + self.hold_max - time.monotonic())

    def expire(self):
        if self.held is not None and time.monotonic() >= self.held[3] + self.hold_max:
            self._release()


class Stop(Exception):
    """Raised by the signal handler: ends the relay's loop at once."""


class Relay:
    """One socket facing the clients, one socket towards the upstream per client."""

    def __init__(self, args, front):
        self.args = args
        self.front = front
        self.totals = {"relayed": 0, "dropped": 0, "duplicated": 0, "swapped": 0}
        plain = argparse.Namespace(drop_every=0, dup_every=0, swap_every=0, hold_max=args.hold_max)
        self.request = Mangler(args if args.direction in ("request", "both") else plain, self.totals)
        self.reply = Mangler(args if args.direction in ("reply", "both") else plain, self.totals)
        self.up_family = socket.AF_INET6 if ":" in args.upstream[0] else socket.AF_INET
        self.selector = selectors.DefaultSelector()
        self.selector.register(front, selectors.EVENT_READ, None)
        self.clients = {}  # client address -> its socket towards the upstream

    @staticmethod
    def _sender(send, *where):
        def out(data):
            try:
                send(data, *where)
            except OSError:  # an ICMP error from the other side: the datagram is lost
                pass
        return out

    def _upstream(self, client):
        up = self.clients.get(client)
        if up is None:
            up = socket.socket(self.up_family, socket.SOCK_DGRAM)
            up.connect(self.args.upstream)
            up.setblocking(False)
            self.clients[client] = up
            self.selector.register(up, selectors.EVENT_READ, client)
        return up

    def _drain(self, sock, client):
        while True:
            try:
                data, source = sock.recvfrom(65535)
            except (BlockingIOError, InterruptedError):
                return
            except OSError:
                return  # an ICMP error queued on an upstream socket
            if client is None:  # from a client, on its way to the upstream
                self.request.take(data, self._sender(self._upstream(source).send))
            else:  # from the upstream, on its way back to that client
                self.reply.take(data, self._sender(self.front.sendto, client))

    def serve(self):
        while True:
            waits = [t for t in (self.request.timeout(), self.reply.timeout()) if t is not None]
            for key, _ in self.selector.select(min(waits + [0.5])):
                self._drain(key.fileobj, key.data)
            self.request.expire()
            self.reply.expire()


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--listen", type=host_port, default=("127.0.0.1", 0))
    parser.add_argument("--upstream", type=host_port, required=True)
    parser.add_argument("--direction", choices=("reply", "request", "both"), default="reply")
    parser.add_argument("--drop-every", type=rule, default=0)
    parser.add_argument("--dup-every", type=rule, default=0)
    parser.add_argument("--swap-every", type=rule, default=0)
    parser.add_argument("--hold-max", type=float, default=1.0)
    args = parser.parse_args()
    if args.swap_every == 1:
        parser.error("--swap-every 1 would hold every datagram: use 2 or more")

    family = socket.AF_INET6 if ":" in args.listen[0] else socket.AF_INET
    try:
        front = socket.socket(family, socket.SOCK_DGRAM)
        front.bind(args.listen)
    except OSError as e:
        print(f"udp_mangle: cannot listen on {args.listen[0]}:{args.listen[1]}: {e}", file=sys.stderr)
        return 2
    front.setblocking(False)
    relay = Relay(args, front)

    def stop(*_):
        raise Stop

    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, stop)
    addr, port = front.getsockname()[:2]
    shown = f"[{addr}]" if family == socket.AF_INET6 else addr
    print(f"listening on {shown}:{port} udp", flush=True)
    try:
        relay.serve()
    except Stop:
        pass
    print("totals: " + " ".join(f"{k}={v}" for k, v in relay.totals.items()), flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
