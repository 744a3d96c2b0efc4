/* Holds packets from an NFQUEUE for a fixed time, for handshake-timing benchmarks on
 * kernels without netem.
 *
 *   synack_delay QUEUE_NUM DELAY_MS [DROP_PERCENT]
 *
 * Build: gcc -O2 -o synack_delay synack_delay.c -lnetfilter_queue -lnfnetlink
 *
 * Binds to netfilter queue QUEUE_NUM in the network namespace it runs in and gives
 * every packet it is handed the verdict NF_ACCEPT DELAY_MS milliseconds (fractions
 * allowed) after it read it. The benchmark tests/bench/ping sends only the server's
 * SYN-ACKs here, so a TCP handshake across a veth pair takes DELAY_MS plus the veth's
 * few microseconds, a known round trip that sk-ping, hping3 and nping can be held to:
 *
 *   ip netns exec SERVER_NS synack_delay 7 20 &        # wait for "ready" on stdout
 *   ip netns exec SERVER_NS iptables -t mangle -A OUTPUT -p tcp \
 *       --tcp-flags SYN,ACK SYN,ACK -j NFQUEUE --queue-num 7 --queue-bypass
 *
 * The delay goes on the server's OUTPUT path, not on the client's input, on purpose:
 * a capture on the client (tcpdump, tshark) then stamps the SYN-ACK when it really
 * reaches the client, so the capture is the truth the tools are compared with. On the
 * client's PREROUTING the capture would see the SYN-ACK before the hold.
 * --queue-bypass lets packets through undelayed while no program is bound (before
 * "ready", after exit) instead of dropping them; the benchmark starts this program
 * before adding the rule and removes the rule before stopping it anyway.
 *
 * DROP_PERCENT (default 0) gives that share of the packets, chosen at random, the
 * verdict NF_DROP instead, for setups without nftables' numgen. The benchmark does not
 * use it: it drops SYN-ACKs with `numgen random mod 100 < 20` and an nftables counter,
 * so the number dropped is counted by the kernel and not by the program under test's
 * neighbour.
 *
 * Timing: each packet's deadline is CLOCK_MONOTONIC at the moment it was read plus
 * DELAY_MS. The delay is the same for every packet, so deadlines come in the order the
 * packets came and a FIFO of pending verdicts is the whole schedule: packets are held
 * concurrently (a burst of SYN-ACKs is released as a burst, DELAY_MS later, in order)
 * and one timerfd, armed at the head's absolute deadline, wakes the loop. Timer slack
 * is set to 1 ns so the wake-up is not rounded late by the default 50 us.
 * The clock starts when this program reads the packet, not when the kernel queued it:
 * the queue message carries no time stamp for a locally generated packet. So a packet
 * is held DELAY_MS plus two wake-ups of this process (the read, the timer), 0.3-0.5 ms
 * together on an idle 2-core VM. Measure the round trip you get (a capture) rather
 * than assume DELAY_MS.
 *
 * Prints "ready" (flushed) on stdout once bound. SIGTERM or SIGINT: the packets still
 * held are accepted at once (nothing is lost on the way out), counts go to stderr, and
 * the exit status is 0. Exit status 2 on any setup error.
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <libnetfilter_queue/libnetfilter_queue.h>
#include <linux/netfilter.h>
#include <poll.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/signalfd.h>
#include <sys/timerfd.h>
#include <time.h>
#include <unistd.h>

/* The kernel keeps at most this many packets waiting for a verdict (we set the queue's
 * maxlen to it), so the FIFO below can never overflow: every packet in it is one the
 * kernel is also holding. */
#define MAX_PENDING 65536

struct pending {
  uint64_t due_ns;
  uint32_t id;
  int verdict;
};

static struct pending fifo[MAX_PENDING];
static size_t head, count; /* head: oldest pending; count: how many */
static uint64_t delay_ns;
static uint32_t drop_per_million;
static uint64_t accepted, dropped, overflowed;
static struct nfq_q_handle *queue;

static void fail(const char *what) {
  fprintf(stderr, "synack_delay: %s: %s\n", what, strerror(errno));
  exit(2);
}

static uint64_t now_ns(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

/* xorshift64*: the drop choice needs to be cheap and uniform, not secret. */
static uint64_t rng_state;
static uint32_t random_per_million(void) {
  rng_state ^= rng_state >> 12;
  rng_state ^= rng_state << 25;
  rng_state ^= rng_state >> 27;
  return (uint32_t)(((rng_state * 0x2545F4914F6CDD1Dull) >> 32) % 1000000u);
}

static void give_verdict(const struct pending *p) {
  /* A verdict for a packet the kernel already let go (queue flushed, namespace going
   * away) fails; nothing to do about it but not to count it as accepted. */
  if (nfq_set_verdict(queue, p->id, (uint32_t)p->verdict, 0, NULL) < 0) return;
  if (p->verdict == NF_DROP)
    dropped++;
  else
    accepted++;
}

/* Called by nfq_handle_packet for each queued packet: only records it. */
static int on_packet(struct nfq_q_handle *qh, struct nfgenmsg *msg, struct nfq_data *nfa,
                     void *data) {
  (void)qh, (void)msg, (void)data;
  struct nfqnl_msg_packet_hdr *hdr = nfq_get_msg_packet_hdr(nfa);
  if (!hdr) return 0;
  struct pending p = {now_ns() + delay_ns, ntohl(hdr->packet_id), NF_ACCEPT};
  if (drop_per_million && random_per_million() < drop_per_million) p.verdict = NF_DROP;
  if (count == MAX_PENDING) { /* cannot happen with maxlen = MAX_PENDING; be safe */
    overflowed++;
    give_verdict(&p);
    return 0;
  }
  fifo[(head + count) % MAX_PENDING] = p;
  count++;
  return 0;
}

/* Releases every packet whose deadline has passed, oldest first. */
static void release_due(void) {
  uint64_t now = now_ns();
  while (count && fifo[head].due_ns <= now) {
    give_verdict(&fifo[head]);
    head = (head + 1) % MAX_PENDING;
    count--;
  }
}

/* One-shot timer at the oldest packet's absolute deadline, or disarmed when idle.
 * Absolute time, so the time spent in this loop does not add to the delay. */
static void arm(int tfd) {
  struct itimerspec its;
  memset(&its, 0, sizeof its);
  if (count) {
    uint64_t due = fifo[head].due_ns;
    its.it_value.tv_sec = (time_t)(due / 1000000000u);
    its.it_value.tv_nsec = (long)(due % 1000000000u);
  }
  if (timerfd_settime(tfd, TFD_TIMER_ABSTIME, &its, NULL) != 0) fail("timerfd_settime");
}

static unsigned long parse_number(const char *text, const char *what, double max,
                                  double *value) {
  char *end;
  errno = 0;
  double v = strtod(text, &end);
  if (errno || end == text || *end || v < 0 || v > max) {
    fprintf(stderr, "synack_delay: invalid %s \"%s\": 0-%g allowed\n", what, text, max);
    exit(2);
  }
  *value = v;
  return (unsigned long)v;
}

int main(int argc, char **argv) {
  if (argc < 3 || argc > 4) {
    fprintf(stderr, "usage: synack_delay QUEUE_NUM DELAY_MS [DROP_PERCENT]\n");
    return 2;
  }
  double v;
  uint16_t queue_num = (uint16_t)parse_number(argv[1], "queue number", 65535, &v);
  if (v != (double)queue_num) {
    fprintf(stderr, "synack_delay: invalid queue number \"%s\": 0-65535 allowed\n", argv[1]);
    return 2;
  }
  parse_number(argv[2], "delay in ms", 3600000, &v);
  delay_ns = (uint64_t)(v * 1e6 + 0.5);
  if (argc == 4) {
    parse_number(argv[3], "drop percentage", 100, &v);
    drop_per_million = (uint32_t)(v * 1e4 + 0.5);
  }
  rng_state = now_ns() ^ ((uint64_t)getpid() << 32) ^ 0x9E3779B97F4A7C15ull;

  /* The default timer slack (50 us) would let every wake-up come up to 50 us late. */
  prctl(PR_SET_TIMERSLACK, 1UL, 0, 0, 0);

  /* Signals arrive through a descriptor, so the loop below has one place to wait and
   * a SIGTERM between two poll() calls cannot be missed. */
  sigset_t stop;
  sigemptyset(&stop);
  sigaddset(&stop, SIGTERM);
  sigaddset(&stop, SIGINT);
  if (sigprocmask(SIG_BLOCK, &stop, NULL) != 0) fail("sigprocmask");
  int sfd = signalfd(-1, &stop, SFD_CLOEXEC | SFD_NONBLOCK);
  if (sfd < 0) fail("signalfd");
  int tfd = timerfd_create(CLOCK_MONOTONIC, TFD_CLOEXEC | TFD_NONBLOCK);
  if (tfd < 0) fail("timerfd_create");

  /* No nfq_bind_pf: since Linux 3.8 binding a protocol family is a no-op and the
   * queue binding below is all the kernel needs. */
  struct nfq_handle *h = nfq_open();
  if (!h) fail("nfq_open (needs CAP_NET_ADMIN in this namespace)");
  queue = nfq_create_queue(h, queue_num, on_packet, NULL);
  if (!queue) fail("nfq_create_queue (is another program bound to this queue?)");
  /* Verdicts need only the packet id: copy no payload. */
  if (nfq_set_mode(queue, NFQNL_COPY_META, 0) < 0) fail("nfq_set_mode");
  if (nfq_set_queue_maxlen(queue, MAX_PENDING) < 0) fail("nfq_set_queue_maxlen");
  int fd = nfq_fd(h);
  /* Room for a burst of queue messages while we are busy giving verdicts; a message
   * the kernel cannot deliver is a packet dropped (ENOBUFS below). */
  nfnl_rcvbufsiz(nfq_nfnlh(h), 4u << 20);

  printf("ready\n");
  fflush(stdout);

  char buf[4096] __attribute__((aligned));
  unsigned long lost_messages = 0;
  int running = 1;
  while (running) {
    struct pollfd fds[3] = {{fd, POLLIN, 0}, {tfd, POLLIN, 0}, {sfd, POLLIN, 0}};
    if (poll(fds, 3, -1) < 0) {
      if (errno == EINTR) continue;
      fail("poll");
    }
    if (fds[2].revents & POLLIN) running = 0;
    if (fds[1].revents & POLLIN) {
      uint64_t expirations;
      if (read(tfd, &expirations, sizeof expirations) < 0 && errno != EAGAIN) fail("timerfd");
    }
    if (fds[0].revents & POLLIN) {
      /* Take everything queued now, so packets that came together get deadlines a
       * few microseconds apart rather than one poll() round each. */
      for (;;) {
        ssize_t n = recv(fd, buf, sizeof buf, MSG_DONTWAIT);
        if (n < 0) {
          if (errno == EAGAIN || errno == EWOULDBLOCK) break;
          if (errno == EINTR) continue;
          if (errno == ENOBUFS) { /* the kernel dropped queue messages */
            lost_messages++;
            continue;
          }
          fail("recv");
        }
        nfq_handle_packet(h, buf, (int)n);
      }
    }
    release_due();
    arm(tfd);
  }

  /* Let go of what is still held rather than leave it to the kernel's unbind. */
  while (count) {
    give_verdict(&fifo[head]);
    head = (head + 1) % MAX_PENDING;
    count--;
  }
  nfq_destroy_queue(queue);
  nfq_close(h);
  fprintf(stderr, "synack_delay: %llu accepted, %llu dropped, %llu over the limit, %lu "
                  "receive overruns\n",
          (unsigned long long)accepted, (unsigned long long)dropped,
          (unsigned long long)overflowed, lost_messages);
  return 0;
}
