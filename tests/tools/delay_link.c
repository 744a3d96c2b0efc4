/* A link with delay between two network namespaces, for kernels without netem.
 *
 *   delay_link NS_A NS_B DELAY_MS
 *
 * Creates a TUN device named "dly0" in each namespace (/run/netns/NS) and copies every
 * packet from one to the other DELAY_MS milliseconds after it was read, in both
 * directions, so the round trip is twice DELAY_MS. Prints "ready" once both devices
 * exist; the caller then gives them addresses and brings them up, for example
 *   ip -n A addr add 10.99.0.1/24 dev dly0; ip -n A link set dly0 up
 *   ip -n B addr add 10.99.0.2/24 dev dly0; ip -n B link set dly0 up
 * Runs until SIGTERM or SIGINT. A queue that fills up (more than 8,192 packets in
 * flight one way) drops the newest packet, as a router would.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <linux/if.h>
#include <linux/if_tun.h>
#include <poll.h>
#include <sched.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <time.h>
#include <unistd.h>

#define SLOTS 8192
#define PACKET 2048

struct packet {
  uint64_t due_ns;
  uint16_t size;
  char data[PACKET];
};

struct queue {
  struct packet *slots;
  size_t head, tail; /* head: next to send; tail: next free */
};

static volatile sig_atomic_t stopping;

static void on_signal(int sig) {
  (void)sig;
  stopping = 1;
}

static void die(const char *what) {
  perror(what);
  exit(2);
}

static uint64_t now_ns(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

/* The TUN device is created in the namespace the thread is in at TUNSETIFF time. */
static int tun_in(const char *ns) {
  char path[256];
  snprintf(path, sizeof path, "/run/netns/%s", ns);
  int nsfd = open(path, O_RDONLY | O_CLOEXEC);
  if (nsfd < 0) die(path);
  if (setns(nsfd, CLONE_NEWNET) != 0) die("setns");
  close(nsfd);
  int fd = open("/dev/net/tun", O_RDWR | O_NONBLOCK | O_CLOEXEC);
  if (fd < 0) die("/dev/net/tun");
  struct ifreq ifr;
  memset(&ifr, 0, sizeof ifr);
  ifr.ifr_flags = IFF_TUN | IFF_NO_PI;
  strncpy(ifr.ifr_name, "dly0", IFNAMSIZ - 1);
  if (ioctl(fd, TUNSETIFF, &ifr) != 0) die("TUNSETIFF");
  return fd;
}

/* Reads every packet waiting on `from` into `q`, stamped with its due time. */
static void take(int from, struct queue *q, uint64_t delay_ns) {
  for (;;) {
    size_t next = (q->tail + 1) % SLOTS;
    struct packet scratch;
    struct packet *p = next == q->head ? &scratch : &q->slots[q->tail];
    ssize_t n = read(from, p->data, PACKET);
    if (n <= 0) return;
    if (p == &scratch) continue; /* queue full: dropped */
    p->size = (uint16_t)n;
    p->due_ns = now_ns() + delay_ns;
    q->tail = next;
  }
}

/* Writes out what is due; returns nanoseconds until the next packet is (or -1). */
static int64_t give(int to, struct queue *q) {
  uint64_t now = now_ns();
  while (q->head != q->tail) {
    struct packet *p = &q->slots[q->head];
    if (p->due_ns > now) return (int64_t)(p->due_ns - now);
    if (write(to, p->data, p->size) < 0 && errno == EAGAIN) return 1000000;
    q->head = (q->head + 1) % SLOTS;
  }
  return -1;
}

int main(int argc, char **argv) {
  if (argc != 4) {
    fprintf(stderr, "usage: delay_link NS_A NS_B DELAY_MS\n");
    return 2;
  }
  uint64_t delay_ns = (uint64_t)(atof(argv[3]) * 1e6);
  int a = tun_in(argv[1]);
  int b = tun_in(argv[2]);
  struct queue ab = {calloc(SLOTS, sizeof(struct packet)), 0, 0};
  struct queue ba = {calloc(SLOTS, sizeof(struct packet)), 0, 0};
  if (!ab.slots || !ba.slots) die("calloc");
  signal(SIGTERM, on_signal);
  signal(SIGINT, on_signal);
  printf("ready\n");
  fflush(stdout);
  while (!stopping) {
    int64_t w1 = give(b, &ab);
    int64_t w2 = give(a, &ba);
    int64_t wait = w1 < 0 ? w2 : (w2 < 0 ? w1 : (w1 < w2 ? w1 : w2));
    if (wait < 0) wait = 1000000000; /* idle: wake once a second to see SIGTERM */
    struct timespec ts = {(time_t)(wait / 1000000000), (long)(wait % 1000000000)};
    struct pollfd fds[2] = {{a, POLLIN, 0}, {b, POLLIN, 0}};
    int n = ppoll(fds, 2, &ts, NULL);
    if (n < 0 && errno != EINTR) die("ppoll");
    if (n > 0 && (fds[0].revents & POLLIN)) take(a, &ab, delay_ns);
    if (n > 0 && (fds[1].revents & POLLIN)) take(b, &ba, delay_ns);
  }
  return 0;
}
