/* bare_dump: the floor for sk-states benchmarks.
 *
 * Dumps every TCP socket over NETLINK_SOCK_DIAG (one inet_diag_req_v2 dump for
 * AF_INET, then one for AF_INET6) and counts the state byte of each record. No
 * attributes are requested, nothing is parsed beyond idiag_state, nothing is
 * allocated per socket: this is as little as a per-state census can do, so the
 * time it takes is the floor the benchmark compares against.
 *
 *   bare_dump [--states MASK] [--sport LO[-HI]] [--quiet]
 *
 *   --states MASK   kernel state bitmask (bit N = state N), decimal or 0x hex;
 *                   default 0xfff (all). LISTEN only is 0x400, TIME_WAIT only 0x40.
 *   --sport LO[-HI] attach INET_DIAG_REQ_BYTECODE "sport >= LO && sport <= HI"
 *                   (HI defaults to LO): the S_GE + S_LE program, 16 bytes, the same
 *                   program sk-states compiles for --sport.
 *   --quiet         print only the total.
 *
 * Output: "total N", then "STATE count" for each state seen. Exit 0, or 2 on error.
 * Build: gcc -O2 -o bare_dump bare_dump.c
 */
#define _GNU_SOURCE
#include <errno.h>
#include <linux/inet_diag.h>
#include <linux/netlink.h>
#include <linux/sock_diag.h>
#include <netinet/in.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/uio.h>
#include <unistd.h>

static const char *const state_names[] = {
    "UNKNOWN",   "ESTABLISHED", "SYN_SENT", "SYN_RECV",   "FIN_WAIT1", "FIN_WAIT2",
    "TIME_WAIT", "CLOSE",       "CLOSE_WAIT", "LAST_ACK", "LISTEN",    "CLOSING",
    "NEW_SYN_RECV"};

/* The kernel never sends a dump skb larger than 32 KiB (netlink caps
 * max_recvmsg_len there), so a 32 KiB-plus buffer sees every message whole. */
static char buf[64 * 1024];

static void die(const char *what) {
  fprintf(stderr, "bare_dump: error: %s: %s\n", what, strerror(errno));
  exit(2);
}

static void usage(void) {
  fprintf(stderr, "usage: bare_dump [--states MASK] [--sport LO[-HI]] [--quiet]\n");
  exit(2);
}

static void dump(int fd, int family, uint32_t states, const void *bc, size_t bc_len,
                 unsigned long long counts[256]) {
  struct {
    struct nlmsghdr nlh;
    struct inet_diag_req_v2 req;
  } msg;
  struct nlattr nla;
  struct sockaddr_nl kernel = {.nl_family = AF_NETLINK};
  struct iovec iov[3];
  struct msghdr mh = {.msg_name = &kernel, .msg_namelen = sizeof kernel, .msg_iov = iov};

  memset(&msg, 0, sizeof msg);
  msg.nlh.nlmsg_type = SOCK_DIAG_BY_FAMILY;
  msg.nlh.nlmsg_flags = NLM_F_REQUEST | NLM_F_DUMP;
  msg.nlh.nlmsg_seq = (uint32_t)family;
  msg.req.sdiag_family = (uint8_t)family;
  msg.req.sdiag_protocol = IPPROTO_TCP;
  msg.req.idiag_states = states;
  iov[0].iov_base = &msg;
  iov[0].iov_len = sizeof msg;
  mh.msg_iovlen = 1;
  msg.nlh.nlmsg_len = sizeof msg;
  if (bc_len > 0) {
    nla.nla_type = INET_DIAG_REQ_BYTECODE;
    nla.nla_len = (uint16_t)(NLA_HDRLEN + bc_len);
    iov[1].iov_base = &nla;
    iov[1].iov_len = NLA_HDRLEN;
    iov[2].iov_base = (void *)bc;
    iov[2].iov_len = NLA_ALIGN(bc_len);
    mh.msg_iovlen = 3;
    msg.nlh.nlmsg_len += NLA_HDRLEN + NLA_ALIGN(bc_len);
  }
  if (sendmsg(fd, &mh, 0) < 0) die("sendmsg");

  for (;;) {
    ssize_t n = recv(fd, buf, sizeof buf, 0);
    if (n < 0) {
      if (errno == EINTR) continue;
      die("recv");
    }
    if (n == 0) {
      errno = EPROTO;
      die("recv: empty");
    }
    for (struct nlmsghdr *h = (struct nlmsghdr *)buf; NLMSG_OK(h, (size_t)n);
         h = NLMSG_NEXT(h, n)) {
      if (h->nlmsg_type == NLMSG_DONE) return;
      if (h->nlmsg_type == NLMSG_ERROR) {
        const struct nlmsgerr *e = NLMSG_DATA(h);
        errno = -e->error;
        die("sock_diag dump");
      }
      if (h->nlmsg_type != SOCK_DIAG_BY_FAMILY) continue;
      const struct inet_diag_msg *d = NLMSG_DATA(h);
      counts[d->idiag_state]++;
    }
  }
}

int main(int argc, char **argv) {
  uint32_t states = 0xfff;
  int quiet = 0;
  struct inet_diag_bc_op bc[4];
  size_t bc_len = 0;

  for (int i = 1; i < argc; ++i) {
    if (strcmp(argv[i], "--states") == 0 && i + 1 < argc) {
      char *end;
      states = (uint32_t)strtoul(argv[++i], &end, 0);
      if (*end != '\0') usage();
    } else if (strcmp(argv[i], "--sport") == 0 && i + 1 < argc) {
      char *end;
      unsigned long lo = strtoul(argv[++i], &end, 10), hi = lo;
      if (*end == '-') hi = strtoul(end + 1, &end, 10);
      if (*end != '\0' || lo == 0 || hi > 65535 || lo > hi) usage();
      /* Accept when execution lands on the end (16 bytes); a failed test jumps
       * 4 bytes past the end, which rejects. */
      bc[0] = (struct inet_diag_bc_op){INET_DIAG_BC_S_GE, 8, 20};
      bc[1] = (struct inet_diag_bc_op){0, 0, (unsigned short)lo};
      bc[2] = (struct inet_diag_bc_op){INET_DIAG_BC_S_LE, 8, 12};
      bc[3] = (struct inet_diag_bc_op){0, 0, (unsigned short)hi};
      bc_len = sizeof bc;
    } else if (strcmp(argv[i], "--quiet") == 0 || strcmp(argv[i], "-q") == 0) {
      quiet = 1;
    } else {
      usage();
    }
  }

  int fd = socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, NETLINK_SOCK_DIAG);
  if (fd < 0) die("socket(NETLINK_SOCK_DIAG)");
  int rcvbuf = 1 << 20;
  setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &rcvbuf, sizeof rcvbuf);

  unsigned long long counts[256] = {0};
  dump(fd, AF_INET, states, bc, bc_len, counts);
  dump(fd, AF_INET6, states, bc, bc_len, counts);
  close(fd);

  unsigned long long total = 0;
  for (int s = 0; s < 256; ++s) total += counts[s];
  printf("total %llu\n", total);
  if (!quiet) {
    for (int s = 0; s < 256; ++s) {
      if (counts[s] == 0) continue;
      if (s < (int)(sizeof state_names / sizeof state_names[0]))
        printf("%s %llu\n", state_names[s], counts[s]);
      else
        printf("state%d %llu\n", s, counts[s]);
    }
  }
  return 0;
}
