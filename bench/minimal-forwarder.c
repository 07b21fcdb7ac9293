/* The smallest forwarder there is, for bench/compare.sh: two taps by name, no offloads, one frame per read and per
 * write, poll() in between. What a forwarder that makes one system call per frame each way costs on this kernel. */
#include <fcntl.h>
#include <linux/if_tun.h>
#include <net/if.h>
#include <poll.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>
static int open_tap(const char *name) {
    int fd = open("/dev/net/tun", O_RDWR | O_CLOEXEC | O_NONBLOCK);
    struct ifreq ifr; memset(&ifr, 0, sizeof ifr);
    ifr.ifr_flags = IFF_TAP | IFF_NO_PI | IFF_VNET_HDR;
    strncpy(ifr.ifr_name, name, IFNAMSIZ - 1);
    if (fd < 0 || ioctl(fd, TUNSETIFF, &ifr) < 0) { perror(name); _exit(1); }
    int sz = 10; ioctl(fd, TUNSETVNETHDRSZ, &sz); ioctl(fd, TUNSETOFFLOAD, 0);
    return fd;
}
int main(int argc, char **argv) {
    if (argc != 3) { fprintf(stderr, "usage: minimal-forwarder TAP0 TAP1\n"); return 2; }
    int fd[2] = { open_tap(argv[1]), open_tap(argv[2]) };
    static unsigned char buf[69632];
    struct pollfd p[2] = { { fd[0], POLLIN, 0 }, { fd[1], POLLIN, 0 } };
    for (;;) {
        if (poll(p, 2, -1) < 0) continue;
        for (int i = 0; i < 2; i++) {
            if (!(p[i].revents & POLLIN)) continue;
            ssize_t n = read(fd[i], buf, sizeof buf);
            if (n > 10) write(fd[1 - i], buf, n);   /* header passed through unchanged (zero offloads) */
        }
    }
}
