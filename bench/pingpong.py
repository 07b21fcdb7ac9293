# UDP ping-pong: "server ADDR PORT" echoes; "client ADDR PORT COUNT" prints the median round trip in µs and the
# round trips per second over the COUNT timed exchanges (one at a time, so the rate is 1 / mean round trip).
import socket, sys, time
mode, addr, port = sys.argv[1], sys.argv[2], int(sys.argv[3])
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
if mode == "server":
    s.bind((addr, port))
    s.settimeout(30)
    try:
        while True:
            data, peer = s.recvfrom(2048)
            if data == b"stop":
                break
            s.sendto(data, peer)
    except socket.timeout:
        pass
else:
    count = int(sys.argv[4])
    s.settimeout(1)
    payload = b"x" * 64
    rtts = []
    for _ in range(200):  # warm up: ARP, caches
        s.sendto(payload, (addr, port)); s.recvfrom(2048)
    start = time.perf_counter_ns()
    for _ in range(count):
        t = time.perf_counter_ns()
        s.sendto(payload, (addr, port))
        s.recvfrom(2048)
        rtts.append((time.perf_counter_ns() - t) / 1000)
    elapsed_s = (time.perf_counter_ns() - start) / 1e9
    s.sendto(b"stop", (addr, port))
    rtts.sort()
    print(f"{rtts[len(rtts) // 2]:.1f} {count / elapsed_s:.0f}")
