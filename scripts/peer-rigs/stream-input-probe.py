#!/usr/bin/env python3
"""Feeds a -netdev stream server bad and odd input, one scenario per connection, and reports what the server did.

  stream-input-probe.py HOST PORT MONITOR_SOCKET SCENARIO     (1-10; each against a fresh server)

Connect, send the bytes, then see within a bound whether the server closed the connection, and
ask the monitor (HMP over a unix socket) for `info network`. The frames carry the source MAC 02:00:00:00:00:NN
(NN = scenario number) and the local experimental EtherType 0x88b5, so the capture on the server's tap tells which
scenario's frames came out. Prints one line per scenario.
"""
import os
import socket
import struct
import sys
import time

SETTLE_S = 0.5   # the server handles a read within milliseconds; 0.5 s also covers a loaded machine
CLOSE_WAIT_S = 1.0


def frame(n, size=60):
    body = b"\xff" * 6 + bytes([2, 0, 0, 0, 0, n]) + b"\x88\xb5"
    return body + bytes([n]) * (size - len(body))


def rec(n, size=60):
    f = frame(n, size)
    return struct.pack(">I", len(f)) + f


def monitor(path, cmd):
    if not os.path.exists(path):
        return ["(no monitor: the end's template has no {MON})"]
    m = socket.socket(socket.AF_UNIX)
    m.settimeout(3)
    m.connect(path)
    out = b""
    m.sendall(cmd.encode() + b"\n")
    deadline = time.monotonic() + 2
    while time.monotonic() < deadline:
        try:
            b = m.recv(65536)
        except socket.timeout:
            break
        if not b:
            break
        out += b
        if out.count(b"(qemu)") >= 2:
            break
    m.close()
    lines = [l.strip() for l in out.decode(errors="replace").replace("\r", "").split("\n")]
    return [l for l in lines if ": index=" in l]


def closed_by_server(s):
    s.settimeout(CLOSE_WAIT_S)
    try:
        b = s.recv(65536)
        return "closed by the server" if b == b"" else "open (server sent %d bytes)" % len(b)
    except socket.timeout:
        return "open"
    except ConnectionResetError:
        return "reset by the server"


def run(host, port, mon, n, what, chunks, close_after=False):
    try:
        s = socket.create_connection((host, port), timeout=5)
    except OSError as e:
        print("%d %s: connect failed (%s); info: %s" % (n, what, e, " | ".join(monitor(mon, "info network"))))
        return
    for c in chunks:
        if isinstance(c, float):
            time.sleep(c)
        else:
            s.sendall(c)
    if close_after:
        s.close()
        time.sleep(SETTLE_S)
        state = "closed by us"
    else:
        time.sleep(SETTLE_S)
        state = closed_by_server(s)
    info = monitor(mon, "info network")
    print("%d %s: connection %s; info: %s" % (n, what, state, " | ".join(info)), flush=True)
    if not close_after:
        s.close()
        time.sleep(SETTLE_S)


SCENARIOS = {
    1: ("one 60-byte frame", [rec(1)]),
    2: ("length 0, then a 60-byte frame", [struct.pack(">I", 0), rec(2)]),
    3: ("header one byte at a time (0.1 s apart), then the frame",
        [x for b in rec(3)[:4] for x in (bytes([b]), 0.1)] + [rec(3)[4:]]),
    4: ("a 1514-byte and a 9000-byte frame", [rec(4, 1514), rec(4, 9000)]),
    5: ("length 69632 (4096 + 65536) with its bytes, then a 60-byte frame", [rec(5, 69632), rec(5)]),
    6: ("length 69633 with its bytes, then a 60-byte frame", [rec(6, 69633), rec(6)]),
    7: ("length 0x80000000, then a 60-byte frame", [struct.pack(">I", 0x80000000), rec(7)]),
    8: ("length 100 and only 50 bytes, then we close", [struct.pack(">I", 100) + frame(8)[:50]]),
    9: ("a frame shorter than 14 bytes (length 10), then a 60-byte frame",
        [struct.pack(">I", 10) + bytes([9]) * 10, rec(9)]),
}


def main():
    host, port, mon, n = sys.argv[1], int(sys.argv[2]), sys.argv[3], int(sys.argv[4])
    if n in SCENARIOS:
        what, chunks = SCENARIOS[n]
        then_close = n in (2, 7, 8)
        run(host, port, mon, n, what, chunks, close_after=then_close)
        if then_close:
            # Does the server notice the end and take the next client?
            run(host, port, mon, n, "we closed; then a 60-byte frame on a new connection", [rec(n)])
        return 0
    # 10: two clients. The second connects while the first is up and sends a frame, then the first sends one;
    # then the first leaves and the second sends again.
    a = socket.create_connection((host, port), timeout=5)
    time.sleep(SETTLE_S)
    b = socket.create_connection((host, port), timeout=5)
    b.sendall(rec(11))
    time.sleep(SETTLE_S)
    a.sendall(rec(10))
    time.sleep(SETTLE_S)
    print("10 second client (frames 0b) while the first (frames 0a) is connected: second %s; info: %s"
          % (closed_by_server(b), " | ".join(monitor(mon, "info network"))), flush=True)
    a.close()
    time.sleep(SETTLE_S)
    b.sendall(rec(11))
    time.sleep(SETTLE_S)
    print("10 after the first client left, the second sent another frame: second %s; info: %s"
          % (closed_by_server(b), " | ".join(monitor(mon, "info network"))), flush=True)
    b.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
