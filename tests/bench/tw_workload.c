/* tw_workload: builds a large TCP population on loopback for the sk-states benchmark.
 *
 *   tw_workload [--time-wait N] [--established PAIRS] [--tw-workers W] [--est-workers W]
 *               [--addr-block B] [--timeout SECONDS] [--once]
 *
 * Run it inside a network namespace the benchmark created (it only talks to
 * 127.0.0.0/8). For real numbers the namespace needs:
 *   net.ipv4.ip_local_port_range = 1024 65535   (ports to spare)
 *   net.ipv4.tcp_max_tw_buckets  > N             (else the kernel drops TIME_WAIT)
 *   net.ipv4.tcp_tw_reuse        = 0             (else connect() recycles TIME_WAIT
 *                                                 on loopback and the population stalls)
 *
 * Layout. Worker w (a separate process: each one stays far below the 20,000-descriptor
 * hard limit) owns 16 listeners on 127.B.w.1, ports 80, 443 and 1001-1014 (all below
 * the ephemeral range, so no client ever takes a listener's port), and connects to them
 * from 127.0.0.1: 16 x 64,512 four-tuples per worker.
 *  - TIME_WAIT workers (addresses 127.B.0-..., B = --addr-block): in batches, connect,
 *    accept, close the client end first (FIN_WAIT2), then the server end (LAST_ACK), so
 *    the client end lands in TIME_WAIT, where it lives 60 s in the kernel whether or not
 *    the process is still there. These workers exit when done.
 *  - ESTABLISHED workers (addresses 127.(B+1).w.1): connect and accept PAIRS/W pairs
 *    and hold both ends open until the workload is killed. One sixteenth of the server
 *    ends have local port 80 (for --sport 80 questions).
 * When every worker has reported, prints one line
 *   ready time_wait=N established_pairs=P listeners=L seconds=S
 * on stdout and holds until SIGTERM/SIGINT (which it passes on to the workers), or with
 * --once exits at once (only without ESTABLISHED pairs: nothing would hold them).
 * Errors: one line "tw_workload: error: ..." on stderr, exit 2; --timeout (default 240 s)
 * bounds the build.
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define NPORTS 16
#define MAX_WORKERS 64
#define BATCH 4096

static const uint16_t ports[NPORTS] = {80,   443,  1001, 1002, 1003, 1004, 1005, 1006,
                                       1007, 1008, 1009, 1010, 1011, 1012, 1013, 1014};

static void fail(const char *fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  fputs("tw_workload: error: ", stderr);
  vfprintf(stderr, fmt, ap);
  fputc('\n', stderr);
  va_end(ap);
  _exit(2);
}

static double now(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void raise_nofile(void) {
  struct rlimit rl;
  if (getrlimit(RLIMIT_NOFILE, &rl) == 0 && rl.rlim_cur < rl.rlim_max) {
    rl.rlim_cur = rl.rlim_max;
    setrlimit(RLIMIT_NOFILE, &rl);
  }
}

static struct sockaddr_in addr_of(int block, int worker, uint16_t port) {
  struct sockaddr_in a = {.sin_family = AF_INET, .sin_port = htons(port)};
  a.sin_addr.s_addr = htonl((127u << 24) | ((unsigned)block << 16) | ((unsigned)worker << 8) | 1u);
  return a;
}

static void open_listeners(int block, int worker, int fds[NPORTS]) {
  for (int p = 0; p < NPORTS; ++p) {
    struct sockaddr_in a = addr_of(block, worker, ports[p]);
    int one = 1;
    fds[p] = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (fds[p] < 0) fail("socket: %s", strerror(errno));
    setsockopt(fds[p], SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
    if (bind(fds[p], (struct sockaddr *)&a, sizeof a) < 0)
      fail("bind 127.%d.%d.1:%u: %s", block, worker, ports[p], strerror(errno));
    if (listen(fds[p], 4096) < 0) fail("listen: %s", strerror(errno));
  }
}

/* Connects n clients (round-robin over the listeners) and accepts them; client and
 * server ends go to cfd[i] / sfd[i]. */
static void connect_batch(int block, int worker, const int lfd[NPORTS], int n, int *cfd,
                          int *sfd) {
  int per_port[NPORTS] = {0};
  for (int i = 0; i < n; ++i) {
    int p = i % NPORTS;
    struct sockaddr_in a = addr_of(block, worker, ports[p]);
    cfd[i] = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (cfd[i] < 0) fail("socket: %s", strerror(errno));
    if (connect(cfd[i], (struct sockaddr *)&a, sizeof a) < 0)
      fail("connect to 127.%d.%d.1:%u: %s", block, worker, ports[p], strerror(errno));
    per_port[p]++;
  }
  int k = 0;
  for (int p = 0; p < NPORTS; ++p) {
    for (int j = 0; j < per_port[p]; ++j) {
      sfd[k] = accept4(lfd[p], NULL, NULL, SOCK_CLOEXEC);
      if (sfd[k] < 0) fail("accept: %s", strerror(errno));
      ++k;
    }
  }
}

static void time_wait_worker(int block, int worker, long count) {
  int lfd[NPORTS];
  static int cfd[BATCH], sfd[BATCH];
  open_listeners(block, worker, lfd);
  while (count > 0) {
    int n = count < BATCH ? (int)count : BATCH;
    connect_batch(block, worker, lfd, n, cfd, sfd);
    for (int i = 0; i < n; ++i) close(cfd[i]); /* active close: this end gets TIME_WAIT */
    for (int i = 0; i < n; ++i) close(sfd[i]); /* passive close: LAST_ACK, then gone */
    count -= n;
  }
  for (int p = 0; p < NPORTS; ++p) close(lfd[p]);
}

static void established_worker(int block, int worker, long pairs) {
  int lfd[NPORTS];
  int *fds = malloc(sizeof(int) * 2 * (size_t)pairs + 1);
  if (fds == NULL) fail("out of memory");
  open_listeners(block, worker, lfd);
  for (long done = 0; done < pairs;) {
    int n = pairs - done < BATCH ? (int)(pairs - done) : BATCH;
    connect_batch(block, worker, lfd, n, fds + 2 * done, fds + 2 * done + n);
    done += n;
  }
  /* The listeners stay open: a real server has them, and --listening has to find them. */
}

static volatile sig_atomic_t stop;
static void on_signal(int sig) { (void)sig; stop = 1; }

int main(int argc, char **argv) {
  long tw = 0, pairs = 0;
  int tw_workers = 2, est_workers = 0, block = 20, once = 0;
  unsigned timeout = 240;

  for (int i = 1; i < argc; ++i) {
    const char *a = argv[i];
    const char *v = i + 1 < argc ? argv[i + 1] : NULL;
    if (strcmp(a, "--once") == 0) { once = 1; continue; }
    if (v == NULL) fail("usage: see the comment at the top of tw_workload.c");
    ++i;
    if (strcmp(a, "--time-wait") == 0) tw = atol(v);
    else if (strcmp(a, "--established") == 0) pairs = atol(v);
    else if (strcmp(a, "--tw-workers") == 0) tw_workers = atoi(v);
    else if (strcmp(a, "--est-workers") == 0) est_workers = atoi(v);
    else if (strcmp(a, "--addr-block") == 0) block = atoi(v);
    else if (strcmp(a, "--timeout") == 0) timeout = (unsigned)atoi(v);
    else fail("unknown option %s", a);
  }
  /* Each ESTABLISHED worker holds 2 descriptors a pair; stay under ~16,000 each. */
  if (est_workers <= 0) est_workers = (int)((pairs * 2 + 15999) / 16000);
  if (pairs == 0) est_workers = 0;
  if (tw == 0) tw_workers = 0;
  if (tw < 0 || pairs < 0 || tw_workers < 0 || tw_workers > MAX_WORKERS ||
      est_workers > MAX_WORKERS || block < 1 || block > 254)
    fail("bad arguments");
  if (once && pairs > 0) fail("--once cannot hold ESTABLISHED pairs");
  raise_nofile();

  double start = now();
  int report[2];
  if (pipe(report) < 0) fail("pipe: %s", strerror(errno));
  pid_t pids[2 * MAX_WORKERS];
  int nworkers = 0;
  for (int kind = 0; kind < 2; ++kind) {
    int n = kind == 0 ? tw_workers : est_workers;
    long total = kind == 0 ? tw : pairs;
    for (int w = 0; w < n; ++w) {
      long share = total / n + (w < total % n ? 1 : 0);
      pid_t pid = fork();
      if (pid < 0) fail("fork: %s", strerror(errno));
      if (pid == 0) {
        prctl(PR_SET_PDEATHSIG, SIGTERM);
        close(report[0]);
        alarm(timeout);  /* a stuck build dies; the parent reports it */
        if (kind == 0) time_wait_worker(block, w, share);
        else established_worker(block + 1, w, share);
        alarm(0);
        char ok = 'k';
        if (write(report[1], &ok, 1) != 1) _exit(2);
        if (kind == 0) _exit(0);  /* TIME_WAIT outlives us */
        for (;;) pause();          /* hold the pairs until killed */
      }
      pids[nworkers++] = pid;
    }
  }
  close(report[1]);

  struct sigaction sa = {.sa_handler = on_signal};
  sigaction(SIGTERM, &sa, NULL);
  sigaction(SIGINT, &sa, NULL);
  sigaction(SIGALRM, &sa, NULL);
  alarm(timeout + 5);

  int got = 0;
  while (got < nworkers && !stop) {
    char c;
    ssize_t r = read(report[0], &c, 1);
    if (r == 1) ++got;
    else if (r == 0) break;              /* every worker gone: some failed */
    else if (errno != EINTR) break;
  }
  alarm(0);
  if (got < nworkers) {
    for (int i = 0; i < nworkers; ++i) kill(pids[i], SIGTERM);
    while (wait(NULL) > 0) {}
    fail("only %d of %d workers finished within %u s", got, nworkers, timeout);
  }
  printf("ready time_wait=%ld established_pairs=%ld listeners=%d seconds=%.2f\n", tw, pairs,
         NPORTS * est_workers, now() - start);
  fflush(stdout);
  if (once) {
    while (wait(NULL) > 0) {}
    return 0;
  }
  while (!stop) pause();
  for (int i = 0; i < nworkers; ++i) kill(pids[i], SIGTERM);
  while (wait(NULL) > 0) {}
  return 0;
}
