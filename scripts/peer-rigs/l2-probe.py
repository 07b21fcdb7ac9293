#!/usr/bin/env python3
"""DHCP and ARP from a bare interface over an AF_PACKET socket (no DHCP client needed, no address configured).

  l2-probe.py IFNAME [EXPECT_ADDR]

Sends a DHCPDISCOVER, waits for the OFFER, sends the REQUEST, waits for the ACK, then asks by ARP for the router
the ACK named (sender IP = the offered address) and waits for the reply. Prints each answer with its fields and
exits 0 only when all three came (and the offered address is EXPECT_ADDR, when given). Each wait is bounded.
Everything goes out of IFNAME only, as broadcast to the peer behind it.
"""
import os
import random
import socket
import struct
import sys
import time

WAIT_S = 5  # per answer; passt answers at once, 5 s only matters when the path is broken
ETH_P_ALL = 0x0003
BCAST = b"\xff" * 6


def mac_of(ifname):
    with open("/sys/class/net/%s/address" % ifname) as f:
        return bytes.fromhex(f.read().strip().replace(":", ""))


def ip_checksum(hdr):
    s = sum(struct.unpack("!%dH" % (len(hdr) // 2), hdr))
    s = (s >> 16) + (s & 0xFFFF)
    s += s >> 16
    return ~s & 0xFFFF


def udp_ip_frame(src_mac, payload, sport=68, dport=67):
    udp = struct.pack("!HHHH", sport, dport, 8 + len(payload), 0) + payload  # UDP checksum 0: allowed in IPv4
    ip = struct.pack("!BBHHHBBH4s4s", 0x45, 0, 20 + len(udp), 0, 0, 64, 17, 0, b"\0" * 4, b"\xff" * 4)
    ip = ip[:10] + struct.pack("!H", ip_checksum(ip)) + ip[12:]
    return BCAST + src_mac + b"\x08\x00" + ip + udp


def dhcp(mac, xid, msg_type, requested=None, server=None):
    bootp = struct.pack("!BBBBIHH4s4s4s4s16s64s128s", 1, 1, 6, 0, xid, 0, 0x8000, b"\0" * 4, b"\0" * 4,
                        b"\0" * 4, b"\0" * 4, mac + b"\0" * 10, b"\0" * 64, b"\0" * 128)
    opts = b"\x63\x82\x53\x63" + bytes([53, 1, msg_type])
    if requested:
        opts += bytes([50, 4]) + requested
    if server:
        opts += bytes([54, 4]) + server
    opts += bytes([55, 3, 1, 3, 26]) + b"\xff"  # ask for subnet mask, router, MTU
    return bootp + opts


def parse_dhcp(frame):
    if frame[12:14] != b"\x08\x00" or frame[23] != 17:
        return None
    ihl = (frame[14] & 0x0F) * 4
    udp = frame[14 + ihl:]
    if struct.unpack("!H", udp[2:4])[0] != 68:
        return None
    bootp = udp[8:]
    xid = struct.unpack("!I", bootp[4:8])[0]
    yiaddr = socket.inet_ntoa(bootp[16:20])
    opts, i, o = {}, 240, bootp
    while i < len(o) and o[i] != 255:
        if o[i] == 0:
            i += 1
            continue
        opts[o[i]] = o[i + 2:i + 2 + o[i + 1]]
        i += 2 + o[i + 1]
    return xid, yiaddr, opts, frame[6:12]


def wait_for(sock, want, what):
    deadline = time.monotonic() + WAIT_S
    while time.monotonic() < deadline:
        sock.settimeout(max(0.01, deadline - time.monotonic()))
        try:
            frame = sock.recv(65536)
        except socket.timeout:
            break
        got = want(frame)
        if got is not None:
            return got
    print("no %s within %d s" % (what, WAIT_S), file=sys.stderr)
    sys.exit(1)


def fmt_mac(b):
    return ":".join("%02x" % x for x in b)


def main():
    ifname = sys.argv[1]
    expect = sys.argv[2] if len(sys.argv) > 2 else None
    mac = mac_of(ifname)
    s = socket.socket(socket.AF_PACKET, socket.SOCK_RAW, socket.htons(ETH_P_ALL))
    s.bind((ifname, 0))
    xid = random.getrandbits(32)
    names = {1: "mask", 3: "router", 6: "dns", 26: "mtu", 51: "lease", 54: "server"}

    def show(kind, ans):
        _, yiaddr, opts, src = ans
        fields = []
        for k, v in sorted(opts.items()):
            if k in (1, 3, 6, 54):
                fields.append("%s=%s" % (names[k], ",".join(socket.inet_ntoa(v[j:j + 4]) for j in range(0, len(v), 4))))
            elif k in (26, 51):
                fields.append("%s=%d" % (names[k], int.from_bytes(v, "big")))
        print("%s from %s: yiaddr=%s %s" % (kind, fmt_mac(src), yiaddr, " ".join(fields)))

    def dhcp_answer(msg_type):
        def want(frame):
            d = parse_dhcp(frame)
            if d and d[0] == xid and d[2].get(53) == bytes([msg_type]):
                return d
            return None
        return want

    s.send(udp_ip_frame(mac, dhcp(mac, xid, 1)))
    offer = wait_for(s, dhcp_answer(2), "DHCPOFFER")
    show("DHCPOFFER", offer)
    yiaddr, server = socket.inet_aton(offer[1]), offer[2].get(54)
    s.send(udp_ip_frame(mac, dhcp(mac, xid, 3, yiaddr, server)))
    ack = wait_for(s, dhcp_answer(5), "DHCPACK")
    show("DHCPACK", ack)
    router = ack[2].get(3, b"")[:4]
    if len(router) != 4:
        print("the ACK names no router", file=sys.stderr)
        return 1
    arp = BCAST + mac + b"\x08\x06" + struct.pack("!HHBBH6s4s6s4s", 1, 0x0800, 6, 4, 1, mac, yiaddr,
                                                   b"\0" * 6, router)
    s.send(arp)

    def arp_reply(frame):
        if frame[12:14] == b"\x08\x06" and struct.unpack("!H", frame[20:22])[0] == 2 and frame[28:32] == router:
            return frame[22:28]
        return None
    gw_mac = wait_for(s, arp_reply, "ARP reply for %s" % socket.inet_ntoa(router))
    print("ARP reply: %s is-at %s" % (socket.inet_ntoa(router), fmt_mac(gw_mac)))
    if expect and offer[1] != expect:
        print("offered %s, expected %s" % (offer[1], expect), file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
