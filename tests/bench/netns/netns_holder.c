/* netns_holder: builds many network namespaces with TCP sockets in them, for the
 * `sk-states --all-netns` benchmark, and holds them until it is told to stop.
 *
 *   netns_holder --named N --unnamed M --sockets S --prefix P --manifest FILE
 *                [--dir DIR] [--timeout SECONDS] [--child-ehash BUCKETS]
 *
 * Named namespaces (N of them) are bound to DIR/P<i> (default DIR /run/netns, what
 * `ip netns add` does) and hold no process: "keeper" processes create them one after
 * the other (unshare, sockets, bind mount, then setns back to the namespace they came
 * from), so a keeper lives in the caller's namespace and keeps the sockets by their
 * descriptors. Keepers share the named namespaces so that none holds more than
 * MAX_FDS descriptors (the hard RLIMIT_NOFILE here is 20,000).
 * Unnamed namespaces (M of them) are held only by a process: one small child each,
 * which unshares its own namespace, opens its sockets there and sleeps.
 *
 * Each namespace gets lo up (SIOCSIFFLAGS) and S TCP sockets: listeners on
 * 127.0.0.1:80 and [::1]:443 (one listener when S is odd), and the rest as connected
 * pairs to them; a tenth of the pairs (at least one, from two pairs up) are half-closed
 * by the client (shutdown SHUT_WR), leaving FIN_WAIT2 and CLOSE_WAIT, which stay as long
 * as the descriptors do. The first unnamed namespace half-closes half of its pairs, so
 * a close_wait finding can fire there. Nothing expires: counts stay the same for the
 * whole run, so every tool can be checked against the others.
 *
 * With --child-ehash, every namespace is created from a private parent namespace whose
 * net.ipv4.tcp_child_ehash_entries is BUCKETS, so each gets an established hash table
 * of its own instead of sharing the host's (a sock_diag dump walks every bucket of the
 * table its namespace uses). The parent is held by a descriptor only: no process is in
 * it, so nothing discovers it.
 *
 * When everything is built it writes FILE (one line per namespace: "name NAME PATH" or
 * "pid PID /proc/PID/ns/net"), prints "ready namespaces=K sockets=T seconds=S" and
 * waits for SIGTERM or SIGINT; then it kills its processes, unmounts and removes the
 * named files, and exits 0. Errors: one line "netns_holder: error: ..." on stderr, exit
 * 2 (after the same clean-up). Build: cc -O2 -o netns_holder netns_holder.c
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <net/if.h>
#include <netinet/in.h>
#include <sched.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mount.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define MAX_FDS 15000
#define MAX_NAMESPACES 5000

static char dir[512] = "/run/netns";
static const char* prefix;
static int named, unnamed, sockets;
static pid_t pids[MAX_NAMESPACES + 64]; /* unnamed children first, then keepers */
static int npids;
static int ready_pipe[2];
static int parent_ns = -1; /* --child-ehash: the namespace new ones are created from */

static void fail(const char* fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  fputs("netns_holder: error: ", stderr);
  vfprintf(stderr, fmt, ap);
  fputc('\n', stderr);
  va_end(ap);
}

/* In a child: report the failure to the parent (which then gives up) and exit. */
static void child_fail(const char* what) {
  fail("%s: %s", what, strerror(errno));
  if (write(ready_pipe[1], "x", 1) != 1) _exit(2);
  _exit(2);
}

static double now(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void named_path(int i, char* out, size_t size) {
  snprintf(out, size, "%s/%s%d", dir, prefix, i);
}

static void bring_lo_up(void) {
  struct ifreq ifr;
  int s = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
  if (s < 0) child_fail("socket for SIOCSIFFLAGS");
  memset(&ifr, 0, sizeof ifr);
  strcpy(ifr.ifr_name, "lo");
  if (ioctl(s, SIOCGIFFLAGS, &ifr) < 0) child_fail("SIOCGIFFLAGS lo");
  ifr.ifr_flags |= IFF_UP;
  if (ioctl(s, SIOCSIFFLAGS, &ifr) < 0) child_fail("SIOCSIFFLAGS lo up");
  close(s);
}

/* A listener on [::1]:port, or on 127.0.0.1:port when IPv6 is not there. */
static int listener(int v6, unsigned short port, struct sockaddr_storage* addr, socklen_t* len) {
  memset(addr, 0, sizeof *addr);
  if (v6) {
    struct sockaddr_in6* a = (struct sockaddr_in6*)addr;
    a->sin6_family = AF_INET6;
    a->sin6_port = htons(port);
    a->sin6_addr = in6addr_loopback;
    *len = sizeof *a;
  } else {
    struct sockaddr_in* a = (struct sockaddr_in*)addr;
    a->sin_family = AF_INET;
    a->sin_port = htons(port);
    a->sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    *len = sizeof *a;
  }
  int s = socket(addr->ss_family, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (s < 0) return -1;
  if (bind(s, (struct sockaddr*)addr, *len) < 0 || listen(s, 4096) < 0) {
    int e = errno;
    close(s);
    errno = e;
    return -1;
  }
  return s;
}

/* Opens `count` sockets in the calling thread's namespace (see the top of the file).
 * The descriptors stay open until the process exits. */
static void open_sockets(int count, int heavy_close_wait) {
  if (count == 0) return;
  struct sockaddr_storage addr[2];
  socklen_t len[2];
  int nlisten = count % 2 == 1 ? 1 : 2;
  int lfd[2];
  lfd[0] = listener(0, 80, &addr[0], &len[0]);
  if (lfd[0] < 0) child_fail("listener on 127.0.0.1:80");
  if (nlisten == 2) {
    lfd[1] = listener(1, 443, &addr[1], &len[1]);
    if (lfd[1] < 0 && errno == EADDRNOTAVAIL) lfd[1] = listener(0, 443, &addr[1], &len[1]);
    if (lfd[1] < 0) child_fail("listener on port 443");
  }
  int pairs = (count - nlisten) / 2;
  int half_closed = pairs >= 2 ? (heavy_close_wait ? pairs / 2 : pairs / 10) : 0;
  if (pairs >= 2 && half_closed == 0) half_closed = 1;
  for (int i = 0; i < pairs; ++i) {
    int l = i % nlisten;
    int c = socket(addr[l].ss_family, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (c < 0) child_fail("socket");
    if (connect(c, (struct sockaddr*)&addr[l], len[l]) < 0) child_fail("connect");
    int s = accept4(lfd[l], NULL, NULL, SOCK_CLOEXEC);
    if (s < 0) child_fail("accept");
    if (i < half_closed && shutdown(c, SHUT_WR) < 0) child_fail("shutdown");
  }
}

static void new_namespace(int count, int heavy_close_wait) {
  if (parent_ns >= 0 && setns(parent_ns, CLONE_NEWNET) < 0) child_fail("setns to the parent");
  if (unshare(CLONE_NEWNET) < 0) child_fail("unshare(CLONE_NEWNET)");
  bring_lo_up();
  open_sockets(count, heavy_close_wait);
}

/* Creates the named namespaces first..last-1, then sleeps holding their sockets. */
static void keeper(int first, int last, int home) {
  char path[600];
  for (int i = first; i < last; ++i) {
    new_namespace(sockets, 0);
    named_path(i, path, sizeof path);
    int f = open(path, O_RDONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0444);
    if (f < 0) child_fail(path);
    close(f);
    if (mount("/proc/self/ns/net", path, "none", MS_BIND, NULL) < 0) child_fail("bind mount");
    if (setns(home, CLONE_NEWNET) < 0) child_fail("setns back home");
    if (write(ready_pipe[1], "k", 1) != 1) _exit(2);
  }
  for (;;) pause();
}

static void unnamed_child(int index) {
  new_namespace(sockets, index == 0);
  if (write(ready_pipe[1], "k", 1) != 1) _exit(2);
  for (;;) pause();
}

static pid_t spawn(void) {
  pid_t p = fork();
  if (p < 0) {
    fail("fork: %s", strerror(errno));
    return -1;
  }
  if (p == 0) {
    prctl(PR_SET_PDEATHSIG, SIGKILL);
    if (getppid() == 1) _exit(2);
    close(ready_pipe[0]);
    return 0;
  }
  pids[npids++] = p;
  return p;
}

static void clean_up(void) {
  char path[600];
  for (int i = 0; i < npids; ++i) kill(pids[i], SIGKILL);
  while (wait(NULL) > 0) {
  }
  for (int i = 0; i < named; ++i) {
    named_path(i, path, sizeof path);
    umount2(path, MNT_DETACH);
    unlink(path);
  }
}

/* Creates the parent namespace of --child-ehash and comes back home. */
static int make_parent(int buckets, int home) {
  char text[32];
  if (unshare(CLONE_NEWNET) < 0) {
    fail("unshare(CLONE_NEWNET): %s", strerror(errno));
    return 0;
  }
  int f = open("/proc/sys/net/ipv4/tcp_child_ehash_entries", O_WRONLY | O_CLOEXEC);
  int len = snprintf(text, sizeof text, "%d\n", buckets);
  if (f < 0 || write(f, text, (size_t)len) != len) {
    fail("cannot set net.ipv4.tcp_child_ehash_entries (kernel 6.1+): %s", strerror(errno));
    return 0;
  }
  close(f);
  parent_ns = open("/proc/self/ns/net", O_RDONLY | O_CLOEXEC);
  if (parent_ns < 0 || setns(home, CLONE_NEWNET) < 0) {
    fail("cannot hold the parent namespace: %s", strerror(errno));
    return 0;
  }
  return 1;
}

static volatile sig_atomic_t stop;
static void on_signal(int sig) {
  (void)sig;
  stop = 1;
}

static int parse_count(const char* text, int max) {
  char* end;
  long v = strtol(text, &end, 10);
  if (*end != '\0' || v < 0 || v > max) {
    fail("bad count \"%s\" (0..%d)", text, max);
    exit(2);
  }
  return (int)v;
}

static void write_manifest(const char* file) {
  char path[600];
  FILE* f = fopen(file, "w");
  if (f == NULL) {
    fail("%s: %s", file, strerror(errno));
    return;
  }
  for (int i = 0; i < named; ++i) {
    named_path(i, path, sizeof path);
    fprintf(f, "name %s%d %s\n", prefix, i, path);
  }
  for (int i = 0; i < unnamed; ++i) fprintf(f, "pid %d /proc/%d/ns/net\n", pids[i], pids[i]);
  fclose(f);
}

int main(int argc, char** argv) {
  const char* manifest = NULL;
  int timeout = 300, child_ehash = 0;
  for (int i = 1; i + 1 < argc; i += 2) {
    if (strcmp(argv[i], "--named") == 0)
      named = parse_count(argv[i + 1], MAX_NAMESPACES);
    else if (strcmp(argv[i], "--unnamed") == 0)
      unnamed = parse_count(argv[i + 1], MAX_NAMESPACES);
    else if (strcmp(argv[i], "--sockets") == 0)
      sockets = parse_count(argv[i + 1], MAX_FDS);
    else if (strcmp(argv[i], "--prefix") == 0)
      prefix = argv[i + 1];
    else if (strcmp(argv[i], "--manifest") == 0)
      manifest = argv[i + 1];
    else if (strcmp(argv[i], "--dir") == 0)
      snprintf(dir, sizeof dir, "%s", argv[i + 1]);
    else if (strcmp(argv[i], "--child-ehash") == 0)
      child_ehash = parse_count(argv[i + 1], 1 << 24);
    else if (strcmp(argv[i], "--timeout") == 0)
      timeout = parse_count(argv[i + 1], 3600);
    else {
      fail("unknown option %s", argv[i]);
      return 2;
    }
  }
  if (argc % 2 == 0 || prefix == NULL || manifest == NULL || named + unnamed > MAX_NAMESPACES) {
    fail(
        "usage: netns_holder --named N --unnamed M --sockets S --prefix P --manifest FILE "
        "[--dir DIR] [--timeout SECONDS] (N + M <= %d)",
        MAX_NAMESPACES);
    return 2;
  }
  struct rlimit rl;
  if (getrlimit(RLIMIT_NOFILE, &rl) == 0 && rl.rlim_cur < rl.rlim_max) {
    rl.rlim_cur = rl.rlim_max;
    setrlimit(RLIMIT_NOFILE, &rl);
  }
  if ((unsigned long)sockets + 64 > rl.rlim_cur) {
    fail("%d sockets per namespace do not fit in RLIMIT_NOFILE %lu", sockets,
         (unsigned long)rl.rlim_cur);
    return 2;
  }
  int home = open("/proc/self/ns/net", O_RDONLY | O_CLOEXEC);
  if (home < 0 || pipe2(ready_pipe, O_CLOEXEC) < 0) {
    fail("cannot open /proc/self/ns/net or a pipe: %s", strerror(errno));
    return 2;
  }
  if (child_ehash > 0 && !make_parent(child_ehash, home)) return 2;
  struct sigaction sa = {.sa_handler = on_signal}; /* no SA_RESTART: a signal ends read() */
  sigaction(SIGTERM, &sa, NULL);
  sigaction(SIGINT, &sa, NULL);
  sigaction(SIGALRM, &sa, NULL);
  signal(SIGPIPE, SIG_IGN);

  double start = now();
  alarm((unsigned)timeout);
  int ok = 1;
  for (int i = 0; i < unnamed && ok; ++i) {
    pid_t p = spawn();
    if (p == 0) unnamed_child(i);
    ok = p > 0;
  }
  /* At least two keepers, so both cores build; more when the descriptors need it. */
  long per_keeper_max = sockets > 0 ? MAX_FDS / sockets : named;
  int keepers = named == 0 ? 0 : named < 2 ? 1 : 2;
  while (keepers > 0 && (named + keepers - 1) / keepers > per_keeper_max) ++keepers;
  for (int k = 0, first = 0; k < keepers && ok; ++k) {
    int last = first + (named - first) / (keepers - k);
    pid_t p = spawn();
    if (p == 0) keeper(first, last, home);
    ok = p > 0;
    first = last;
  }
  close(ready_pipe[1]);
  int got = 0;
  char c;
  while (ok && !stop && got < named + unnamed) {
    ssize_t n = read(ready_pipe[0], &c, 1);
    if (n == 1 && c == 'k') {
      ++got;
    } else if (!(n < 0 && errno == EINTR)) {
      ok = 0;
    }
  }
  alarm(0);
  if (got < named + unnamed) {
    if (ok && stop)
      fail("built %d of %d namespaces before the timeout or a signal", got, named + unnamed);
    clean_up();
    return 2;
  }
  write_manifest(manifest);
  printf("ready namespaces=%d sockets=%ld seconds=%.1f\n", got, (long)got * sockets, now() - start);
  fflush(stdout);
  while (!stop) pause();
  clean_up();
  return 0;
}
