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
        ssize_t w;
        do w = write(dst->fd, buffer, (size_t)n); while (w < 0 && errno == EINTR);
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
