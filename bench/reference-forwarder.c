/* The reference forwarder of bench/compare.sh (issue 13): what a plain C program does with two taps set up exactly as
 * QEMU 7.2 sets up `-netdev tap,ifname=X,script=no,downscript=no` (docs: ../shared/spec/linux-tun.md sections 1-2,
 * 4, 7), so tapnet and QEMU can be measured against the cost of the bare system calls.
 *
 *   reference-forwarder TAP0 TAP1
 *
 * Set-up of each tap, in QEMU's order: open /dev/net/tun O_RDWR; TUNGETFEATURES; TUNSETIFF with
 * IFF_TAP|IFF_NO_PI, plus IFF_ONE_QUEUE and IFF_VNET_HDR when the kernel offers them (vnet_hdr is on by default when
 * supported); O_NONBLOCK; TUNSETOFFLOAD 0 (offloads off: a hub peer takes no offloads); TUNSETVNETHDRSZ 10 when the
 * tap has a header (a persistent tap keeps its previous user's size); TUNSETSNDBUF INT_MAX, failure ignored as QEMU
 * does without sndbuf=. Not copied: QEMU's UFO/USO probes (TUNSETOFFLOAD 0x11, 0x61), which the reset undoes.
 *
 * Loop: one thread, level-triggered epoll on both taps and a signalfd for SIGTERM/SIGINT (so a signal that arrives
 * between two waits is not lost). On each readiness event of a tap, up to FRAMES_PER_EVENT frames, each one read(2)
 * into a static buffer and one write(2) of the same bytes to the other tap: the 10-byte virtio-net header is passed
 * through unchanged. With offloads off the kernel only ever writes a zero header, which is what QEMU would prepend on
 * the other side after stripping it on this one, so the bytes on the wire are the same as QEMU's.
 *
 * Write failures drop the frame and are counted, never retried: EAGAIN (only possible under a finite sndbuf with
 * frames held downstream, rare on a tap) and EIO (the other tap is down, e.g. while the benchmark brings the links up).
 * QEMU would instead queue the frame and stop reading the source until the destination is writable; on the benchmark's
 * local delivery that path is not taken, and the exit line shows whether it would have been. Reads not longer than the
 * header (a tap returns none; QEMU would pass on an empty frame) are dropped and counted. A read error other than
 * EAGAIN/EINTR ends the program, naming the tap. On SIGTERM/SIGINT it prints its counts on stderr and exits 0.
 *
 * REFERENCE_IDLE_THREADS=N (default 0) starts N threads that only sleep, for one measurement: what being a
 * multi-threaded process (as every .NET process is) costs the same system calls. The kernel then takes a reference
 * on the file in every read and write (fdget's slow path when the fd table is shared), where a single-threaded
 * process skips it. REFERENCE_UNSHARE_FILES=1 then gives the loop's thread a table of its own (unshare(CLONE_FILES)),
 * so that its table has one user again: what that buys back. */
#define _GNU_SOURCE
#define PROGRAM "reference-forwarder"
#include "reference-tap.h"
#include <sys/epoll.h>
#include <sys/signalfd.h>
#include <pthread.h>

/* The figure: enough to amortise one epoll_wait over a burst, small enough that the other tap is served
 * soon (QEMU's tap_send stops after 50 for the same fairness reason). */
#define FRAMES_PER_EVENT 64
/* 256 KiB: more than the largest frame a tap can return (64 KiB of GSO payload plus headers), so no read truncates. */
#define BUFFER_BYTES (256 * 1024)

static unsigned char buffer[BUFFER_BYTES];

/* REFERENCE_CALL_DEPTH=N (0 to MAX_CALL_DEPTH): each write(2) is made N functions deeper, each a function of its own
 * that does a little work after the call returns, as a program whose write sits at the bottom of a chain of calls
 * (tapnet's net layer: read loop, send, queue, hub, send, queue, backend, system edge). On return from the kernel
 * every one of those returns is mispredicted, the kernel having overwritten the return stack buffer; this measures
 * what that costs (docs/performance.md in tapnet's repository). */
#define MAX_CALL_DEPTH 12
static int call_depth;
static volatile long returned;
typedef ssize_t (*write_fn)(int, const void *, size_t);
__attribute__((noinline)) static ssize_t w0(int fd, const void *p, size_t n) {
    ssize_t r = write(fd, p, n);
    returned += r;
    return r;
}
#define LEVEL(k, below) \
    __attribute__((noinline)) static ssize_t w##k(int fd, const void *p, size_t n) { \
        ssize_t r = below(fd, p, n); \
        returned += r + k; \
        return r; \
    }
LEVEL(1, w0) LEVEL(2, w1) LEVEL(3, w2) LEVEL(4, w3) LEVEL(5, w4) LEVEL(6, w5)
LEVEL(7, w6) LEVEL(8, w7) LEVEL(9, w8) LEVEL(10, w9) LEVEL(11, w10) LEVEL(12, w11)
static const write_fn writes_at_depth[MAX_CALL_DEPTH + 1] = { w0, w1, w2, w3, w4, w5, w6, w7, w8, w9, w10, w11, w12 };

/* REFERENCE_OWN_CODE=N (0 to 8): between each read(2) and its write(2), N blocks of straight-line code, each ten
 * distinct steps of a load from a 64 KiB table that nothing else touches and a multiply-add (about 110 instructions
 * and 350 bytes of code a block; with the loop's own 47, bench/instructions.sh counts 280 instructions a frame at
 * N = 2, 607 at N = 5 and 930 at N = 8): as a program whose per-frame path is that many instructions of its own
 * (tapnet's is 613), with the same system calls. What code of that size costs, user and kernel time alike, once the
 * kernel has evicted it between frames (docs/performance.md in tapnet's repository, own-code). */
#define OWN_CODE_BLOCKS 8
static int own_code;
static unsigned frames_seen;
static volatile unsigned own_code_table[16384];
static volatile unsigned own_code_sink;
#define OWN_STEP(i) s = s * 31u + own_code_table[((i) * 37u + x) & 16383u]; if (s == (i)) s ^= (i) * 7u;
#define OWN_BLOCK(k) \
    __attribute__((noinline)) static unsigned own_block##k(unsigned x, unsigned s) { \
        OWN_STEP(k * 10u) OWN_STEP(k * 10u + 1) OWN_STEP(k * 10u + 2) OWN_STEP(k * 10u + 3) OWN_STEP(k * 10u + 4) \
        OWN_STEP(k * 10u + 5) OWN_STEP(k * 10u + 6) OWN_STEP(k * 10u + 7) OWN_STEP(k * 10u + 8) OWN_STEP(k * 10u + 9) \
        return s; \
    }
OWN_BLOCK(0) OWN_BLOCK(1) OWN_BLOCK(2) OWN_BLOCK(3) OWN_BLOCK(4) OWN_BLOCK(5) OWN_BLOCK(6) OWN_BLOCK(7)
typedef unsigned (*own_block_fn)(unsigned, unsigned);
static const own_block_fn own_blocks[OWN_CODE_BLOCKS] = {
    own_block0, own_block1, own_block2, own_block3, own_block4, own_block5, own_block6, own_block7,
};

static unsigned own_code_steps(unsigned x, int blocks) {
    unsigned s = x;
    for (int k = 0; k < blocks; k++) s = own_blocks[k](x, s);
    return s;
}

static ssize_t write_frame(int fd, const void *p, size_t n) {
    return call_depth == 0 ? write(fd, p, n) : writes_at_depth[call_depth](fd, p, n);
}

/* Up to FRAMES_PER_EVENT frames from src to dst; returns when src has none left or the burst is used up (level
 * triggering brings us back for the rest). */
static void forward(struct tap *src, struct tap *dst) {
    for (int i = 0; i < FRAMES_PER_EVENT; i++) {
        ssize_t n = read(src->fd, buffer, sizeof buffer);
        if (n < 0) {
            if (errno == EAGAIN) return;
            if (errno == EINTR) continue;
            die(src->name, "read");
        }
        if (n <= src->hdr_bytes) { src->runts++; continue; }
        src->frames_in++;
        if (own_code > 0) own_code_sink = own_code_steps(frames_seen++, own_code);
        ssize_t w;
        do w = write_frame(dst->fd, buffer, (size_t)n); while (w < 0 && errno == EINTR);
        if (w < 0 && errno == EAGAIN) dst->drop_again++;
        else if (w < 0) { dst->drop_error++; dst->last_errno = errno; }
    }
}

static void add(int epoll_fd, int fd, const char *culprit) {
    struct epoll_event ev = { .events = EPOLLIN, .data = { .fd = fd } };
    if (epoll_ctl(epoll_fd, EPOLL_CTL_ADD, fd, &ev) < 0) die(culprit, "epoll_ctl ADD");
}

static void *sleep_forever(void *unused) {
    (void)unused;
    for (;;) pause();
    return NULL;
}

int main(int argc, char **argv) {
    if (argc != 3) {
        fprintf(stderr, "usage: reference-forwarder TAP0 TAP1\n");
        return 2;
    }
    struct tap taps[2] = { { .name = argv[1] }, { .name = argv[2] } };
    open_tap(&taps[0]);
    open_tap(&taps[1]);

    sigset_t stop = block_stop_signals();
    /* After the mask, which they inherit: the signals still reach only the signalfd. */
    const char *idle = getenv("REFERENCE_IDLE_THREADS");
    for (int n = idle ? atoi(idle) : 0; n > 0; n--) {
        pthread_t thread;
        int rc = pthread_create(&thread, NULL, sleep_forever, NULL);
        if (rc != 0) {
            errno = rc;
            die("threads", "pthread_create");
        }
    }
    const char *code = getenv("REFERENCE_OWN_CODE");
    own_code = code ? atoi(code) : 0;
    if (own_code < 0 || own_code > OWN_CODE_BLOCKS) {
        fprintf(stderr, PROGRAM ": REFERENCE_OWN_CODE must be 0 to %d, not '%s'\n", OWN_CODE_BLOCKS, code);
        return 2;
    }
    const char *depth = getenv("REFERENCE_CALL_DEPTH");
    call_depth = depth ? atoi(depth) : 0;
    if (call_depth < 0 || call_depth > MAX_CALL_DEPTH) {
        fprintf(stderr, PROGRAM ": REFERENCE_CALL_DEPTH must be 0 to %d, not '%s'\n", MAX_CALL_DEPTH, depth);
        return 2;
    }
    const char *unshared = getenv("REFERENCE_UNSHARE_FILES");
    if (unshared && atoi(unshared) == 1 && unshare(CLONE_FILES) != 0) die("threads", "unshare(CLONE_FILES)");
    int signal_fd = signalfd(-1, &stop, SFD_CLOEXEC);
    if (signal_fd < 0) die("signals", "signalfd");

    int epoll_fd = epoll_create1(EPOLL_CLOEXEC);
    if (epoll_fd < 0) die("epoll", "epoll_create1");
    add(epoll_fd, taps[0].fd, taps[0].name);
    add(epoll_fd, taps[1].fd, taps[1].name);
    add(epoll_fd, signal_fd, "signalfd");

    for (;;) {
        struct epoll_event events[3];
        int ready = epoll_wait(epoll_fd, events, 3, -1);
        if (ready < 0) {
            if (errno == EINTR) continue;
            die("epoll", "epoll_wait");
        }
        for (int e = 0; e < ready; e++) {
            int fd = events[e].data.fd;
            if (fd == signal_fd) {
                report(&taps[0]);
                report(&taps[1]);
                return 0;
            }
            int i = fd == taps[0].fd ? 0 : 1;
            forward(&taps[i], &taps[1 - i]);
        }
    }
}
