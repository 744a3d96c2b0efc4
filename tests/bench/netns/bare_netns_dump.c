/* bare_netns_dump: the floor for the `sk-states --all-netns` benchmark.
 *
 * Takes a list of network namespace files and, for each in turn: opens it, enters it
 * (setns CLONE_NEWNET), opens a NETLINK_SOCK_DIAG socket there (the kernel binds a
 * netlink socket to the namespace it is created in), dumps TCP once for AF_INET and
 * once for AF_INET6 (inet_diag_req_v2, all states, no attributes), counts the state
 * byte of each record, and closes both descriptors. No discovery (the list is given),
 * no threads, no parsing beyond idiag_state, nothing allocated per socket: the least
 * a per-namespace census can do.
 *
 *   bare_netns_dump [--each] [--skip-empty] [--one-walk] [--list FILE] [PATH...]
 *
 *   --list FILE   read more namespace files from FILE, one path per line
 *   --each        also print "INODE TOTAL" for every namespace (INODE: st_ino of its
 *                 nsfs file, what `ls -Li /proc/PID/ns/net` shows)
 *   --skip-empty  inside each namespace, read /proc/thread-self/net/sockstat and
 *                 sockstat6 first and dump only when they count a TCP socket (inuse or
 *                 tw). Not the floor: a measure of what skipping empty namespaces saves,
 *                 since every dump walks the whole established hash table, which all
 *                 namespaces share (262,144 buckets on a 24 GiB machine), whatever the
 *                 namespace holds.
 *   --one-walk    one TCPDIAG_GETSOCK dump per namespace instead of the two
 *                 per-family ones: the kernel answers that older request with a single
 *                 walk for both families (what sk-states does). Not the floor the
 *                 targets use either; shown beside it.
 *
 * Output: "namespaces N", "total N", then "STATE count" for each state seen, in the
 * kernel's names (ESTABLISHED, CLOSE_WAIT, ...). Exit 0, or 2 on any error (a namespace
 * that cannot be opened or entered is an error: the caller built the list).
 * Build: cc -O2 -o bare_netns_dump bare_netns_dump.c
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <linux/inet_diag.h>
#include <linux/netlink.h>
#include <linux/sock_diag.h>
#include <netinet/in.h>
#include <sched.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

static const char* const state_names[] = {
    "UNKNOWN", "ESTABLISHED", "SYN_SENT", "SYN_RECV", "FIN_WAIT1", "FIN_WAIT2",   "TIME_WAIT",
    "CLOSE",   "CLOSE_WAIT",  "LAST_ACK", "LISTEN",   "CLOSING",   "NEW_SYN_RECV"};

/* The kernel never sends a dump skb larger than 32 KiB, so this sees every one whole. */
static char buf[64 * 1024];

static void die(const char* what, const char* detail) {
  fprintf(stderr, "bare_netns_dump: error: %s%s%s: %s\n", what, detail ? " " : "",
          detail ? detail : "", strerror(errno));
  exit(2);
}

/* Sends one dump request and counts the state byte of every record it brings. */
static void dump(int fd, const void* request, size_t length, unsigned long long counts[256]) {
  struct sockaddr_nl kernel = {.nl_family = AF_NETLINK};
  if (sendto(fd, request, length, 0, (struct sockaddr*)&kernel, sizeof kernel) < 0)
    die("sendto", NULL);
  uint16_t type = ((const struct nlmsghdr*)request)->nlmsg_type;
  for (;;) {
    ssize_t n = recv(fd, buf, sizeof buf, 0);
    if (n < 0) {
      if (errno == EINTR) continue;
      die("recv", NULL);
    }
    if (n == 0) {
      errno = EPROTO;
      die("recv: empty", NULL);
    }
    for (struct nlmsghdr* h = (struct nlmsghdr*)buf; NLMSG_OK(h, (size_t)n); h = NLMSG_NEXT(h, n)) {
      if (h->nlmsg_type == NLMSG_DONE) return;
      if (h->nlmsg_type == NLMSG_ERROR) {
        const struct nlmsgerr* e = NLMSG_DATA(h);
        errno = -e->error;
        die("sock_diag dump", NULL);
      }
      if (h->nlmsg_type != type) continue;
      const struct inet_diag_msg* d = NLMSG_DATA(h);
      counts[d->idiag_state]++;
    }
  }
}

/* One inet_diag_req_v2 dump of one family: what ss and the floor do. */
static void dump_family(int fd, int family, unsigned long long counts[256]) {
  struct {
    struct nlmsghdr nlh;
    struct inet_diag_req_v2 req;
  } msg;
  memset(&msg, 0, sizeof msg);
  msg.nlh.nlmsg_len = sizeof msg;
  msg.nlh.nlmsg_type = SOCK_DIAG_BY_FAMILY;
  msg.nlh.nlmsg_flags = NLM_F_REQUEST | NLM_F_DUMP;
  msg.nlh.nlmsg_seq = (uint32_t)family;
  msg.req.sdiag_family = (uint8_t)family;
  msg.req.sdiag_protocol = IPPROTO_TCP;
  msg.req.idiag_states = 0xfff;
  dump(fd, &msg, sizeof msg, counts);
}

/* The older TCPDIAG_GETSOCK request: the kernel answers it with one walk of the
 * tables for both families (it dumps with family AF_UNSPEC). */
static void dump_both(int fd, unsigned long long counts[256]) {
  struct {
    struct nlmsghdr nlh;
    struct inet_diag_req req;
  } msg;
  memset(&msg, 0, sizeof msg);
  msg.nlh.nlmsg_len = sizeof msg;
  msg.nlh.nlmsg_type = TCPDIAG_GETSOCK;
  msg.nlh.nlmsg_flags = NLM_F_REQUEST | NLM_F_DUMP;
  msg.nlh.nlmsg_seq = 1;
  msg.req.idiag_family = AF_INET;
  msg.req.idiag_states = 0xfff;
  dump(fd, &msg, sizeof msg, counts);
}

static unsigned long long counts[256];
static unsigned long long namespaces;
static int each, skip_empty, one_walk;

/* The sum of the numbers after each `key` in the calling thread's /proc/.../net/FILE. */
static unsigned long long sockstat_sum(const char* file, const char* const* keys) {
  char path[64], text[1024];
  snprintf(path, sizeof path, "/proc/thread-self/net/%s", file);
  int fd = open(path, O_RDONLY | O_CLOEXEC);
  if (fd < 0) die("open", path);
  ssize_t n = read(fd, text, sizeof text - 1);
  if (n < 0) die("read", path);
  close(fd);
  text[n] = '\0';
  unsigned long long sum = 0;
  for (; *keys != NULL; ++keys) {
    const char* at = strstr(text, *keys);
    if (at != NULL) sum += strtoull(at + strlen(*keys), NULL, 10);
  }
  return sum;
}

static int holds_tcp(void) {
  static const char* const v4[] = {"TCP: inuse ", " tw ", NULL};
  static const char* const v6[] = {"TCP6: inuse ", NULL};
  return sockstat_sum("sockstat", v4) + sockstat_sum("sockstat6", v6) > 0;
}

static void count_namespace(const char* path) {
  int ns = open(path, O_RDONLY | O_CLOEXEC);
  if (ns < 0) die("open", path);
  if (setns(ns, CLONE_NEWNET) < 0) die("setns", path);
  unsigned long long before = 0, after = 0;
  for (int s = 0; s < 256; ++s) before += counts[s];
  if (!skip_empty || holds_tcp()) {
    int fd = socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, NETLINK_SOCK_DIAG);
    if (fd < 0) die("socket(NETLINK_SOCK_DIAG) in", path);
    if (one_walk) {
      dump_both(fd, counts);
    } else {
      dump_family(fd, AF_INET, counts);
      dump_family(fd, AF_INET6, counts);
    }
    close(fd);
  }
  if (each) {
    struct stat st;
    if (fstat(ns, &st) < 0) die("fstat", path);
    for (int s = 0; s < 256; ++s) after += counts[s];
    printf("%llu %llu\n", (unsigned long long)st.st_ino, after - before);
  }
  close(ns);
  ++namespaces;
}

static void count_list(const char* file) {
  FILE* f = fopen(file, "r");
  if (f == NULL) die("open", file);
  char line[4096];
  while (fgets(line, sizeof line, f) != NULL) {
    line[strcspn(line, "\n")] = '\0';
    if (line[0] != '\0') count_namespace(line);
  }
  fclose(f);
}

int main(int argc, char** argv) {
  for (int i = 1; i < argc; ++i) {
    if (strcmp(argv[i], "--each") == 0) {
      each = 1;
    } else if (strcmp(argv[i], "--skip-empty") == 0) {
      skip_empty = 1;
    } else if (strcmp(argv[i], "--one-walk") == 0) {
      one_walk = 1;
    } else if (strcmp(argv[i], "--list") == 0 && i + 1 < argc) {
      ++i;
    } else if (argv[i][0] == '-') {
      fprintf(
          stderr,
          "usage: bare_netns_dump [--each] [--skip-empty] [--one-walk] [--list FILE] [PATH...]\n");
      return 2;
    }
  }
  for (int i = 1; i < argc; ++i) {
    if (strcmp(argv[i], "--list") == 0) {
      count_list(argv[++i]);
    } else if (argv[i][0] != '-') {
      count_namespace(argv[i]);
    }
  }
  unsigned long long total = 0;
  for (int s = 0; s < 256; ++s) total += counts[s];
  printf("namespaces %llu\ntotal %llu\n", namespaces, total);
  for (int s = 0; s < 256; ++s) {
    if (counts[s] == 0) continue;
    if (s < (int)(sizeof state_names / sizeof state_names[0]))
      printf("%s %llu\n", state_names[s], counts[s]);
    else
      printf("state%d %llu\n", s, counts[s]);
  }
  return 0;
}
