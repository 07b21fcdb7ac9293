#!/usr/bin/env python3
"""Bounded UDP and TCP exchanges with checksums, run in the namespaces behind the taps of a peer rig.

  traffic.py udp-echo BIND_ADDR PORT COUNT      echo COUNT datagrams back, then exit (10 s bound)
  traffic.py udp-send ADDR PORT COUNT           send COUNT datagrams of varied sizes, check each echo's SHA-256
  traffic.py tcp-sink BIND_ADDR PORT            accept one connection, read to EOF, answer with the SHA-256
  traffic.py tcp-send ADDR PORT BYTES           send BYTES pseudo-random bytes, compare the sink's SHA-256
Exit 0 when every check held; otherwise a message on stderr and exit 1.
"""
import hashlib
import os
import socket
import sys
import time

LIMIT_S = 10  # each exchange is tiny; 10 s only matters when the path is broken


def udp_echo(addr, port, count):
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    s.bind((addr, port))
    s.settimeout(LIMIT_S)
    print("ready", flush=True)
    for _ in range(count):
        data, peer = s.recvfrom(65536)
        s.sendto(data, peer)
    return 0


def udp_send(addr, port, count):
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    s.settimeout(2)
    ok = 0
    for i in range(count):
        # Sizes from 1 byte to 1472 (one untruncated 1500-byte IPv4 frame) and a fragmented 4000.
        size = [1, 64, 512, 1472, 4000][i % 5]
        data = os.urandom(size)
        s.sendto(data, (addr, port))
        try:
            back, _ = s.recvfrom(65536)
        except socket.timeout:
            print("udp: datagram %d (%d bytes) not echoed within 2 s" % (i, size), file=sys.stderr)
            return 1
        if hashlib.sha256(back).digest() != hashlib.sha256(data).digest():
            print("udp: datagram %d came back different" % i, file=sys.stderr)
            return 1
        ok += 1
    print("udp: %d datagrams echoed, SHA-256 equal" % ok)
    return 0


def tcp_sink(addr, port):
    l = socket.socket()
    l.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    l.bind((addr, port))
    l.listen(1)
    l.settimeout(LIMIT_S)
    print("ready", flush=True)
    c, _ = l.accept()
    c.settimeout(LIMIT_S)
    h = hashlib.sha256()
    n = 0
    while True:
        b = c.recv(65536)
        if not b:
            break
        h.update(b)
        n += len(b)
    c.sendall(h.hexdigest().encode())
    c.close()
    return 0


def tcp_send(addr, port, nbytes):
    data = os.urandom(nbytes)
    c = socket.create_connection((addr, port), timeout=LIMIT_S)
    t0 = time.monotonic()
    c.sendall(data)
    c.shutdown(socket.SHUT_WR)
    answer = b""
    while True:
        b = c.recv(100)
        if not b:
            break
        answer += b
    dt = time.monotonic() - t0
    if answer.decode() != hashlib.sha256(data).hexdigest():
        print("tcp: SHA-256 differs (%r)" % answer, file=sys.stderr)
        return 1
    print("tcp: %d bytes in %.3f s, SHA-256 equal" % (nbytes, dt))
    return 0


def main(argv):
    cmd = argv[1]
    if cmd == "udp-echo":
        return udp_echo(argv[2], int(argv[3]), int(argv[4]))
    if cmd == "udp-send":
        return udp_send(argv[2], int(argv[3]), int(argv[4]))
    if cmd == "tcp-sink":
        return tcp_sink(argv[2], int(argv[3]))
    if cmd == "tcp-send":
        return tcp_send(argv[2], int(argv[3]), int(argv[4]))
    print(__doc__, file=sys.stderr)
    return 2


if __name__ == "__main__":
    sys.exit(main(sys.argv))
