/* The floor for sk-echo: the least a TCP echo server can do and still be correct.
 * One thread, one level-triggered epoll set, one 64 KiB read buffer; what a client
 * does not take back waits in a per-connection copy and reading that client stops
 * until it is gone (the same memory bound sk-echo keeps). No options, no counters,
 * no timers, no logging.
 *
 *   echo_floor PORT     (127.0.0.1; port 0 picks one)
 * Prints "listening on 127.0.0.1:PORT tcp" first, as sk-echo does. SIGTERM ends it.
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <unistd.h>

struct pending {
  char *data;
  size_t size;
  size_t offset;
};

static struct pending *owed; /* indexed by fd */
static size_t owed_size;

static void die(const char *what) {
  perror(what);
  exit(2);
}

static struct pending *owed_for(int fd) {
  if ((size_t)fd >= owed_size) {
    size_t size = owed_size ? owed_size : 1024;
    while (size <= (size_t)fd) size *= 2;
    owed = realloc(owed, size * sizeof *owed);
    if (!owed) die("realloc");
    memset(owed + owed_size, 0, (size - owed_size) * sizeof *owed);
    owed_size = size;
  }
  return &owed[fd];
}

static void drop(int ep, int fd) {
  struct pending *p = owed_for(fd);
  free(p->data);
  memset(p, 0, sizeof *p);
  epoll_ctl(ep, EPOLL_CTL_DEL, fd, NULL);
  close(fd);
}

static void watch(int ep, int op, int fd, unsigned events) {
  struct epoll_event ev = {.events = events, .data.fd = fd};
  if (epoll_ctl(ep, op, fd, &ev) != 0) die("epoll_ctl");
}

static void accept_all(int ep, int lfd) {
  for (int i = 0; i < 64; i++) {
    int fd = accept4(lfd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC);
    if (fd < 0) return;
    int one = 1;
    setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
    watch(ep, EPOLL_CTL_ADD, fd, EPOLLIN);
  }
}

static void flush_owed(int ep, int fd) {
  struct pending *p = owed_for(fd);
  while (p->offset < p->size) {
    ssize_t n = send(fd, p->data + p->offset, p->size - p->offset, MSG_NOSIGNAL);
    if (n < 0) {
      if (errno != EAGAIN) drop(ep, fd);
      return;
    }
    p->offset += (size_t)n;
  }
  free(p->data);
  memset(p, 0, sizeof *p);
  watch(ep, EPOLL_CTL_MOD, fd, EPOLLIN);
}

static void echo(int ep, int fd, char *buf, size_t cap) {
  ssize_t n = recv(fd, buf, cap, 0);
  if (n == 0 || (n < 0 && errno != EAGAIN)) {
    drop(ep, fd);
    return;
  }
  if (n < 0) return;
  ssize_t sent = send(fd, buf, (size_t)n, MSG_NOSIGNAL);
  if (sent < 0) {
    if (errno != EAGAIN) {
      drop(ep, fd);
      return;
    }
    sent = 0;
  }
  if (sent < n) {
    struct pending *p = owed_for(fd);
    p->size = (size_t)(n - sent);
    p->offset = 0;
    p->data = malloc(p->size);
    if (!p->data) die("malloc");
    memcpy(p->data, buf + sent, p->size);
    watch(ep, EPOLL_CTL_MOD, fd, EPOLLOUT);
  }
}

int main(int argc, char **argv) {
  if (argc != 2) {
    fprintf(stderr, "usage: echo_floor PORT\n");
    return 2;
  }
  int lfd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
  if (lfd < 0) die("socket");
  int one = 1;
  setsockopt(lfd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
  struct sockaddr_in a = {.sin_family = AF_INET, .sin_port = htons((uint16_t)atoi(argv[1]))};
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  if (bind(lfd, (struct sockaddr *)&a, sizeof a) != 0) die("bind");
  if (listen(lfd, SOMAXCONN) != 0) die("listen");
  socklen_t len = sizeof a;
  getsockname(lfd, (struct sockaddr *)&a, &len);
  printf("listening on 127.0.0.1:%d tcp\n", ntohs(a.sin_port));
  fflush(stdout);

  int ep = epoll_create1(EPOLL_CLOEXEC);
  if (ep < 0) die("epoll_create1");
  watch(ep, EPOLL_CTL_ADD, lfd, EPOLLIN);
  static char buf[64 * 1024];
  struct epoll_event events[256];
  for (;;) {
    int n = epoll_wait(ep, events, 256, -1);
    if (n < 0 && errno != EINTR) die("epoll_wait");
    for (int i = 0; i < n; i++) {
      int fd = events[i].data.fd;
      if (fd == lfd) {
        accept_all(ep, lfd);
      } else if (events[i].events & EPOLLOUT) {
        flush_owed(ep, fd);
      } else {
        echo(ep, fd, buf, sizeof buf);
      }
    }
  }
}
