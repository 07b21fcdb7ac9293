/* The io_uring reference of bench/compare.sh (issue 13 section 2): the strongest io_uring forwarder this kernel
 * allows, in plain C, so that tapnet's --io=uring is judged against what io_uring itself can do rather than against
 * tapnet's design of it.
 *
 *   reference-uring TAP0 TAP1
 *
 * The taps are set up exactly as reference-forwarder.c sets them up (QEMU 7.2's set-up, reference-tap.h), and the
 * 10-byte header is passed through unchanged, as there. Then, in place of epoll and read(2)/write(2):
 * - one ring with IORING_SETUP_SINGLE_ISSUER | IORING_SETUP_DEFER_TASKRUN (the kernel's completion work runs only
 *   inside our own io_uring_enter, batched, never as an interrupting task-work on return to user space; a plain ring
 *   when the kernel refuses). REFERENCE_URING_MODE=coop asks IORING_SETUP_COOP_TASKRUN instead (task work without
 *   an interrupt, but at any return to user space; any thread may submit), =plain neither, to compare;
 * - both tap fds registered (IORING_REGISTER_FILES), so no request looks the file up or takes a reference on it;
 * - per tap a provided-buffer ring of BUFFERS buffers (IORING_REGISTER_PBUF_RING) and one multishot read
 *   (IORING_OP_READ_MULTISHOT, Linux 6.7): the tap's poll queue has one waiter, and every frame that arrives
 *   completes into the next free buffer with no request to re-post;
 * - each completed read becomes an IORING_OP_WRITE of the same buffer to the other tap, submitted with the next
 *   io_uring_enter, and the buffer goes back to its ring when the write completes.
 * So one io_uring_enter submits the writes of every frame that arrived since the last and waits for the next.
 * For measuring what tapnet does differently: REFERENCE_URING_FIXED=0 names the tap fds in each request instead of
 * registered files; REFERENCE_URING_COPIES=N (0-2) copies each frame N times before its write (tapnet copies it
 * out of the read buffer into its own, then into a write slot).
 *
 * Counts as reference-forwarder.c: runts and failed writes (EAGAIN, EIO while the other tap is down) are dropped and
 * counted, printed on SIGTERM/SIGINT. A multishot read that ends (no free buffer: every one is in a write) is posted
 * again once buffers come back; those are counted as "rearms". */
#define _GNU_SOURCE
#define PROGRAM "reference-uring"
#include "reference-tap.h"
#include <linux/io_uring.h>
#include <poll.h>
#include <stdatomic.h>
#include <stdint.h>
#include <sys/mman.h>
#include <sys/signalfd.h>
#include <sys/syscall.h>

#ifndef IORING_OP_READ_MULTISHOT
#define IORING_OP_READ_MULTISHOT 49 /* Linux 6.7; Debian 12's headers are 6.1's */
#endif

#define ENTRIES 256          /* submission slots; completions 4 times that */
#define BUFFERS 256          /* per tap, a power of two */
#define BUFFER_BYTES 2048    /* an MTU frame and its header: offloads are off, so no frame is longer */

/* user_data: kind in the top byte, tap in the next, buffer id below. */
enum { READ = 1, WRITE = 2, SIGNAL = 3 };
#define USER(kind, tap, bid) (((uint64_t)(kind) << 56) | ((uint64_t)(tap) << 48) | (uint64_t)(bid))

struct ring {
    int fd;
    unsigned *sq_head, *sq_tail, sq_mask, *sq_array;
    unsigned *cq_head, *cq_tail, cq_mask;
    struct io_uring_sqe *sqes;
    struct io_uring_cqe *cqes;
    unsigned sq_local;
};

struct buffers {
    struct io_uring_buf_ring *ring;
    unsigned char *memory;
    uint16_t tail;
};

static struct ring r;
static struct buffers bufs[2];
static unsigned long long rearms, enters;
static int fixed_files = 1, copies;
static int tap_fds[2];
static unsigned char core_buffer[2][BUFFER_BYTES];          /* per tap: the copy tapnet's core reads into */
static unsigned char write_slots[2][BUFFERS][BUFFER_BYTES]; /* per tap and buffer: the copy a write is made from */

static struct io_uring_sqe *next_sqe(void) {
    unsigned head = atomic_load_explicit((_Atomic unsigned *)r.sq_head, memory_order_acquire);
    if (r.sq_local - head >= ENTRIES) {
        /* Full: submit what is there without waiting. */
        atomic_store_explicit((_Atomic unsigned *)r.sq_tail, r.sq_local, memory_order_release);
        if (syscall(SYS_io_uring_enter, r.fd, r.sq_local - head, 0, 0, NULL, 0) < 0) die("ring", "io_uring_enter");
    }
    struct io_uring_sqe *sqe = &r.sqes[r.sq_local & r.sq_mask];
    memset(sqe, 0, sizeof *sqe);
    r.sq_local++;
    return sqe;
}

static void post_read(int tap) {
    struct io_uring_sqe *sqe = next_sqe();
    sqe->opcode = IORING_OP_READ_MULTISHOT;
    sqe->fd = fixed_files ? tap : tap_fds[tap]; /* an index in the registered files, or the fd */
    sqe->flags = (fixed_files ? IOSQE_FIXED_FILE : 0) | IOSQE_BUFFER_SELECT;
    sqe->buf_group = (uint16_t)tap;
    sqe->user_data = USER(READ, tap, 0);
}

static void post_write(int to, int from, unsigned bid, unsigned length) {
    struct io_uring_sqe *sqe = next_sqe();
    sqe->opcode = IORING_OP_WRITE;
    sqe->fd = fixed_files ? to : tap_fds[to];
    sqe->flags = fixed_files ? IOSQE_FIXED_FILE : 0;
    unsigned char *data = bufs[from].memory + (size_t)bid * BUFFER_BYTES;
    if (copies == 2) {
        memcpy(core_buffer[from], data, length);
        data = core_buffer[from];
    }
    if (copies >= 1) {
        /* Per buffer: the write is made at the next io_uring_enter, after later frames are copied. */
        memcpy(write_slots[from][bid], data, length);
        data = write_slots[from][bid];
    }
    sqe->addr = (uint64_t)(uintptr_t)data;
    sqe->len = length;
    sqe->user_data = USER(WRITE, from, bid);
}

static void give_back(int tap, unsigned bid) {
    struct buffers *b = &bufs[tap];
    struct io_uring_buf *slot = &b->ring->bufs[b->tail & (BUFFERS - 1)];
    slot->addr = (uint64_t)(uintptr_t)(b->memory + (size_t)bid * BUFFER_BYTES);
    slot->len = BUFFER_BYTES;
    slot->bid = (uint16_t)bid;
    b->tail++;
}

static void publish(int tap) {
    atomic_store_explicit((_Atomic uint16_t *)&bufs[tap].ring->tail, bufs[tap].tail, memory_order_release);
}

static void setup_ring(struct tap taps[2]) {
    struct io_uring_params p;
    memset(&p, 0, sizeof p);
    p.flags = IORING_SETUP_CQSIZE;
    p.cq_entries = ENTRIES * 4;
    const char *mode = getenv("REFERENCE_URING_MODE");
    if (!mode || strcmp(mode, "defer") == 0) p.flags |= IORING_SETUP_SINGLE_ISSUER | IORING_SETUP_DEFER_TASKRUN;
    else if (strcmp(mode, "coop") == 0) p.flags |= IORING_SETUP_COOP_TASKRUN;
    else if (strcmp(mode, "plain") != 0) {
        fprintf(stderr, PROGRAM ": REFERENCE_URING_MODE is defer, coop or plain, not '%s'\n", mode);
        exit(2);
    }
    r.fd = (int)syscall(SYS_io_uring_setup, ENTRIES, &p);
    if (r.fd < 0 && errno == EINVAL) {
        fprintf(stderr, PROGRAM ": no DEFER_TASKRUN here; a plain ring\n");
        p.flags = IORING_SETUP_CQSIZE;
        r.fd = (int)syscall(SYS_io_uring_setup, ENTRIES, &p);
    }
    if (r.fd < 0) die("ring", "io_uring_setup");
    fprintf(stderr, PROGRAM ": ring flags 0x%x\n", p.flags);
    size_t sq_bytes = p.sq_off.array + p.sq_entries * sizeof(unsigned);
    size_t cq_bytes = p.cq_off.cqes + p.cq_entries * sizeof(struct io_uring_cqe);
    size_t bytes = sq_bytes > cq_bytes ? sq_bytes : cq_bytes;
    unsigned char *rings = mmap(NULL, bytes, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_POPULATE, r.fd,
                                IORING_OFF_SQ_RING);
    if (rings == MAP_FAILED) die("ring", "mmap rings");
    r.sqes = mmap(NULL, p.sq_entries * sizeof(struct io_uring_sqe), PROT_READ | PROT_WRITE,
                  MAP_SHARED | MAP_POPULATE, r.fd, IORING_OFF_SQES);
    if (r.sqes == MAP_FAILED) die("ring", "mmap sqes");
    r.sq_head = (unsigned *)(rings + p.sq_off.head);
    r.sq_tail = (unsigned *)(rings + p.sq_off.tail);
    r.sq_mask = *(unsigned *)(rings + p.sq_off.ring_mask);
    r.sq_array = (unsigned *)(rings + p.sq_off.array);
    for (unsigned i = 0; i < p.sq_entries; i++) r.sq_array[i] = i;
    r.cq_head = (unsigned *)(rings + p.cq_off.head);
    r.cq_tail = (unsigned *)(rings + p.cq_off.tail);
    r.cq_mask = *(unsigned *)(rings + p.cq_off.ring_mask);
    r.cqes = (struct io_uring_cqe *)(rings + p.cq_off.cqes);

    int files[2] = { taps[0].fd, taps[1].fd };
    if (syscall(SYS_io_uring_register, r.fd, IORING_REGISTER_FILES, files, 2) < 0) die("ring", "REGISTER_FILES");
    for (int t = 0; t < 2; t++) {
        size_t ring_bytes = BUFFERS * sizeof(struct io_uring_buf);
        bufs[t].ring = mmap(NULL, ring_bytes, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
        bufs[t].memory = mmap(NULL, (size_t)BUFFERS * BUFFER_BYTES, PROT_READ | PROT_WRITE,
                              MAP_PRIVATE | MAP_ANONYMOUS | MAP_POPULATE, -1, 0);
        if (bufs[t].ring == MAP_FAILED || bufs[t].memory == MAP_FAILED) die(taps[t].name, "mmap buffers");
        struct io_uring_buf_reg reg;
        memset(&reg, 0, sizeof reg);
        reg.ring_addr = (uint64_t)(uintptr_t)bufs[t].ring;
        reg.ring_entries = BUFFERS;
        reg.bgid = (uint16_t)t;
        if (syscall(SYS_io_uring_register, r.fd, IORING_REGISTER_PBUF_RING, &reg, 1) < 0)
            die(taps[t].name, "REGISTER_PBUF_RING");
        for (unsigned bid = 0; bid < BUFFERS; bid++) give_back(t, bid);
        publish(t);
    }
}

int main(int argc, char **argv) {
    if (argc != 3) {
        fprintf(stderr, "usage: reference-uring TAP0 TAP1\n");
        return 2;
    }
    struct tap taps[2] = { { .name = argv[1] }, { .name = argv[2] } };
    open_tap(&taps[0]);
    open_tap(&taps[1]);
    tap_fds[0] = taps[0].fd;
    tap_fds[1] = taps[1].fd;
    const char *fixed = getenv("REFERENCE_URING_FIXED");
    fixed_files = !(fixed && strcmp(fixed, "0") == 0);
    const char *n = getenv("REFERENCE_URING_COPIES");
    copies = n ? atoi(n) : 0;
    if (copies < 0 || copies > 2) {
        fprintf(stderr, PROGRAM ": REFERENCE_URING_COPIES is 0, 1 or 2, not '%s'\n", n);
        return 2;
    }
    sigset_t stop = block_stop_signals();
    int signal_fd = signalfd(-1, &stop, SFD_CLOEXEC);
    if (signal_fd < 0) die("signals", "signalfd");
    setup_ring(taps);

    post_read(0);
    post_read(1);
    struct io_uring_sqe *sqe = next_sqe();
    sqe->opcode = IORING_OP_POLL_ADD;
    sqe->fd = signal_fd;
    sqe->poll32_events = POLLIN;
    sqe->user_data = USER(SIGNAL, 0, 0);
    int armed[2] = { 1, 1 };

    for (;;) {
        unsigned head = atomic_load_explicit((_Atomic unsigned *)r.sq_head, memory_order_acquire);
        atomic_store_explicit((_Atomic unsigned *)r.sq_tail, r.sq_local, memory_order_release);
        enters++;
        if (syscall(SYS_io_uring_enter, r.fd, r.sq_local - head, 1, IORING_ENTER_GETEVENTS, NULL, 0) < 0) {
            if (errno == EINTR) continue;
            die("ring", "io_uring_enter");
        }
        unsigned ch = *r.cq_head;
        unsigned ct = atomic_load_explicit((_Atomic unsigned *)r.cq_tail, memory_order_acquire);
        int returned[2] = { 0, 0 };
        for (; ch != ct; ch++) {
            struct io_uring_cqe *cqe = &r.cqes[ch & r.cq_mask];
            int kind = (int)(cqe->user_data >> 56);
            int tap = (int)((cqe->user_data >> 48) & 0xff);
            if (kind == SIGNAL) {
                report(&taps[0]);
                report(&taps[1]);
                fprintf(stderr, PROGRAM ": %llu io_uring_enter, %llu multishot rearms\n", enters, rearms);
                return 0;
            }
            if (kind == READ) {
                if (!(cqe->flags & IORING_CQE_F_MORE)) armed[tap] = 0;
                if (cqe->res < 0) {
                    if (cqe->res == -ENOBUFS || cqe->res == -EAGAIN) continue;
                    errno = -cqe->res;
                    die(taps[tap].name, "multishot read");
                }
                unsigned bid = cqe->flags >> IORING_CQE_BUFFER_SHIFT;
                if (cqe->res <= taps[tap].hdr_bytes) {
                    taps[tap].runts++;
                    give_back(tap, bid);
                    returned[tap] = 1;
                    continue;
                }
                taps[tap].frames_in++;
                post_write(1 - tap, tap, bid, (unsigned)cqe->res);
            } else {
                unsigned bid = (unsigned)(cqe->user_data & 0xffff);
                if (cqe->res == -EAGAIN) taps[1 - tap].drop_again++;
                else if (cqe->res < 0) { taps[1 - tap].drop_error++; taps[1 - tap].last_errno = -cqe->res; }
                give_back(tap, bid);
                returned[tap] = 1;
            }
        }
        atomic_store_explicit((_Atomic unsigned *)r.cq_head, ch, memory_order_release);
        for (int t = 0; t < 2; t++) {
            if (returned[t]) publish(t);
            if (!armed[t] && returned[t]) {
                post_read(t);
                armed[t] = 1;
                rearms++;
            }
        }
    }
}
