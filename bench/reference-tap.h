/* The tap set-up and counts shared by the C reference forwarders of bench/compare.sh (reference-forwarder.c,
 * reference-uring.c): QEMU 7.2's set-up of `-netdev tap,ifname=X,script=no,downscript=no` (see reference-forwarder.c's
 * opening comment for the steps and why). PROGRAM names the program in messages. */
#ifndef REFERENCE_TAP_H
#define REFERENCE_TAP_H
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <signal.h>
#include <linux/if_tun.h>
#include <net/if.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

#define VNET_HDR_BYTES 10 /* sizeof(struct virtio_net_hdr): QEMU's size for a tap whose peer is a hub */

struct tap {
    const char *name;
    int fd;
    int hdr_bytes;                 /* VNET_HDR_BYTES, or 0 when the kernel has no IFF_VNET_HDR */
    unsigned long long frames_in;  /* read from this tap and written to the other */
    unsigned long long runts;      /* reads not longer than the header: dropped */
    unsigned long long drop_again; /* frames for this tap dropped because its write returned EAGAIN */
    unsigned long long drop_error; /* ... or another error (EIO when down); last_errno says which */
    int last_errno;
};

static void die(const char *culprit, const char *what) {
    fprintf(stderr, PROGRAM ": %s: %s: %s\n", culprit, what, strerror(errno));
    exit(1);
}

static void open_tap(struct tap *t) {
    struct ifreq ifr;
    unsigned int features = 0;
    if (strlen(t->name) >= IFNAMSIZ) {
        fprintf(stderr, PROGRAM ": %s: name longer than %d characters\n", t->name, IFNAMSIZ - 1);
        exit(2);
    }
    do t->fd = open("/dev/net/tun", O_RDWR); while (t->fd < 0 && errno == EINTR);
    if (t->fd < 0) die(t->name, "open /dev/net/tun");
    if (ioctl(t->fd, TUNGETFEATURES, &features) < 0) {
        fprintf(stderr, PROGRAM ": %s: TUNGETFEATURES failed: %s\n", t->name, strerror(errno));
        features = 0;
    }
    memset(&ifr, 0, sizeof ifr);
    ifr.ifr_flags = IFF_TAP | IFF_NO_PI;
    if (features & IFF_ONE_QUEUE) ifr.ifr_flags |= IFF_ONE_QUEUE;
    t->hdr_bytes = (features & IFF_VNET_HDR) ? VNET_HDR_BYTES : 0;
    if (t->hdr_bytes) ifr.ifr_flags |= IFF_VNET_HDR;
    memcpy(ifr.ifr_name, t->name, strlen(t->name));
    if (ioctl(t->fd, TUNSETIFF, &ifr) < 0) die(t->name, "TUNSETIFF");
    int flags = fcntl(t->fd, F_GETFL);
    if (flags < 0 || fcntl(t->fd, F_SETFL, flags | O_NONBLOCK) < 0) die(t->name, "O_NONBLOCK");
    if (ioctl(t->fd, TUNSETOFFLOAD, 0UL) < 0) die(t->name, "TUNSETOFFLOAD 0");
    if (t->hdr_bytes) {
        int size = VNET_HDR_BYTES;
        if (ioctl(t->fd, TUNSETVNETHDRSZ, &size) < 0) die(t->name, "TUNSETVNETHDRSZ 10");
    }
    int sndbuf = INT_MAX;
    (void)ioctl(t->fd, TUNSETSNDBUF, &sndbuf);
}

static void report(const struct tap *t) {
    fprintf(stderr, PROGRAM ": %s: %llu frames read and forwarded, %llu runts dropped; written to it: "
            "%llu dropped on EAGAIN, %llu on other errors%s%s\n", t->name, t->frames_in, t->runts, t->drop_again,
            t->drop_error, t->last_errno ? ", last: " : "", t->last_errno ? strerror(t->last_errno) : "");
}

/* Blocks SIGTERM and SIGINT, so that they reach only the signalfd made from the set returned (a signal that arrives
 * between two waits is then not lost). Threads made after it inherit the mask. */
static sigset_t block_stop_signals(void) {
    sigset_t stop;
    sigemptyset(&stop);
    sigaddset(&stop, SIGTERM);
    sigaddset(&stop, SIGINT);
    if (sigprocmask(SIG_BLOCK, &stop, NULL) < 0) die("signals", "sigprocmask");
    return stop;
}
#endif
