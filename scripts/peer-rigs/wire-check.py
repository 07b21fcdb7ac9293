#!/usr/bin/env python3
"""Reads a loopback pcap of a stream or dgram netdev pair and checks QEMU's framing.

stream (TCP): each direction's byte stream must be a sequence of <4-byte big-endian length><Ethernet frame>, with
no bytes left over. dgram (UDP): each datagram must be exactly one Ethernet frame (no length prefix).
Prints one line per direction and the first frame of each in hex; exits 1 when the framing does not hold.

usage: wire-check.py stream|dgram FILE.pcap PORT [PORT...]
"""
import struct
import sys

ETH_MIN = 14  # an Ethernet header; QEMU does not pad the frames it forwards from a tap
ETH_MAX = 65536 + 14  # NET_BUFSIZE-ish bound: anything larger means the length field was misread


def packets(path):
    with open(path, "rb") as f:
        data = f.read()
    magic = struct.unpack("<I", data[:4])[0]
    endian = "<" if magic in (0xA1B2C3D4, 0xA1B23C4D) else ">"
    linktype = struct.unpack(endian + "I", data[20:24])[0]
    off = 24
    while off + 16 <= len(data):
        _, _, incl, _ = struct.unpack(endian + "IIII", data[off:off + 16])
        pkt = data[off + 16:off + 16 + incl]
        off += 16 + incl
        if linktype == 1:  # Ethernet (lo shows zero MACs)
            if struct.unpack(">H", pkt[12:14])[0] != 0x0800:
                continue
            ip = pkt[14:]
        elif linktype == 113:  # Linux cooked
            ip = pkt[16:]
        else:
            ip = pkt
        ihl = (ip[0] & 0x0F) * 4
        total = struct.unpack(">H", ip[2:4])[0]
        yield ip[9], ip[:total], ihl


def ports(seg):
    return struct.unpack(">HH", seg[:4])


def frames_of(stream):
    frames, off = [], 0
    while off + 4 <= len(stream):
        n = struct.unpack(">I", stream[off:off + 4])[0]
        if n < ETH_MIN or n > ETH_MAX or off + 4 + n > len(stream):
            return frames, off
        frames.append(stream[off + 4:off + 4 + n])
        off += 4 + n
    return frames, off


def reassemble(captured, base):
    """The byte stream from segments in capture order, offsets taken from BASE (so a wrapping sequence number is
    fine). Retransmissions may overlap earlier segments or cut the stream differently (loopback GSO): overlapping
    bytes must agree. Returns (stream, None), or (None, why) when a byte range was never captured or two captures
    of the same bytes differ."""
    spans = sorted((((seq - base) & 0xFFFFFFFF), payload) for seq, payload in captured)
    out, end = bytearray(), 0
    for off, payload in spans:
        if off > end:
            return None, "bytes %d..%d of the stream never captured: capture incomplete" % (end, off - 1)
        overlap = min(end - off, len(payload))
        if bytes(payload[:overlap]) != bytes(out[off:off + overlap]):
            return None, "a retransmission at stream byte %d differs from the first capture" % off
        out += payload[overlap:]
        end = len(out)
    return bytes(out), None


def ethertype(frame):
    return "0x%04x" % struct.unpack(">H", frame[12:14])[0]


def inner_tcp_payload(frames):
    """Bytes of TCP payload inside the IPv4 frames: with the rig's transfer, shows that all of it was captured."""
    n = 0
    for f in frames:
        if len(f) >= 34 and f[12:14] == b"\x08\x00" and f[23] == 6:
            ihl = (f[14] & 0x0F) * 4
            tot = struct.unpack(">H", f[16:18])[0]
            n += tot - ihl - (f[14 + ihl + 12] >> 4) * 4
    return n


def main():
    mode, path, wanted = sys.argv[1], sys.argv[2], {int(p) for p in sys.argv[3:]}
    ok = True
    if mode == "stream":
        segs, isn = {}, {}
        for proto, ip, ihl in packets(path):
            if proto != 6:
                continue
            tcp = ip[ihl:]
            sport, dport = ports(tcp)
            if not ({sport, dport} & wanted):
                continue
            seq = struct.unpack(">I", tcp[4:8])[0]
            if tcp[13] & 0x02:  # SYN: the stream's first byte is the next sequence number
                isn[(sport, dport)] = (seq + 1) & 0xFFFFFFFF
            doff = (tcp[12] >> 4) * 4
            payload = tcp[doff:]
            if payload:
                segs.setdefault((sport, dport), []).append((seq, payload))
        if not segs:
            print("no TCP payload on ports %s" % sorted(wanted))
            return 1
        for (sport, dport), captured in sorted(segs.items()):
            stream, problem = reassemble(captured, isn.get((sport, dport), captured[0][0]))
            if problem:
                print("%d->%d: %s" % (sport, dport, problem))
                ok = False
                continue
            frames, used = frames_of(stream)
            left = len(stream) - used
            types = sorted({ethertype(f) for f in frames})
            print("%d->%d: %d bytes, %d length-prefixed frames (sizes %d..%d), ethertypes %s, %d bytes left over, "
                  "inner TCP payload %d bytes"
                  % (sport, dport, len(stream), len(frames), min(map(len, frames), default=0),
                     max(map(len, frames), default=0), ",".join(types), left, inner_tcp_payload(frames)))
            print("  first record: %s | %s" % (stream[:4].hex(), stream[4:4 + min(42, len(stream) - 4)].hex()))
            ok = ok and left == 0 and len(frames) > 0
    else:
        flows = {}
        for proto, ip, ihl in packets(path):
            if proto != 17:
                continue
            udp = ip[ihl:]
            sport, dport = ports(udp)
            if not ({sport, dport} & wanted):
                continue
            flows.setdefault((sport, dport), []).append(udp[8:])
        if not flows:
            print("no UDP datagrams on ports %s" % sorted(wanted))
            return 1
        for (sport, dport), dgrams in sorted(flows.items()):
            bad = [d for d in dgrams if len(d) < ETH_MIN or ethertype(d) not in ("0x0800", "0x0806", "0x86dd")]
            print("%d->%d: %d datagrams (sizes %d..%d), ethertypes %s, %d not a bare Ethernet frame, "
                  "inner TCP payload %d bytes"
                  % (sport, dport, len(dgrams), min(map(len, dgrams)), max(map(len, dgrams)),
                     ",".join(sorted({ethertype(d) for d in dgrams})), len(bad), inner_tcp_payload(dgrams)))
            print("  first datagram: %s" % dgrams[0][:42].hex())
            ok = ok and not bad
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
