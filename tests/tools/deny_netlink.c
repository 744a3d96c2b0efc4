/* Runs a command with NETLINK sockets refused by the kernel, for the fault tests.
 *
 *   deny_netlink ERRNO_NAME COMMAND [ARGS...]
 *
 * Installs a seccomp filter that makes socket(AF_NETLINK, ...) fail with EPERM or
 * EACCES (ERRNO_NAME), as a container runtime's profile or an LSM would, then execs
 * COMMAND. Every other system call is untouched. A real kernel refusal, not a stub:
 * the command's own error path is what the test observes.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <linux/audit.h>
#include <linux/filter.h>
#include <linux/seccomp.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <unistd.h>

int main(int argc, char **argv) {
  if (argc < 3) {
    fprintf(stderr, "usage: deny_netlink EPERM|EACCES COMMAND [ARGS...]\n");
    return 2;
  }
  int err = strcmp(argv[1], "EACCES") == 0 ? EACCES : EPERM;
  struct sock_filter filter[] = {
      /* Only x86_64 system call numbers are compared below. */
      BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(struct seccomp_data, arch)),
      BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, AUDIT_ARCH_X86_64, 1, 0),
      BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW),
      BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(struct seccomp_data, nr)),
      BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, __NR_socket, 0, 3),
      BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(struct seccomp_data, args[0])),
      BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, AF_NETLINK, 0, 1),
      BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ERRNO | (unsigned)err),
      BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW),
  };
  struct sock_fprog prog = {.len = sizeof filter / sizeof filter[0], .filter = filter};
  if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) != 0 ||
      prctl(PR_SET_SECCOMP, SECCOMP_MODE_FILTER, &prog) != 0) {
    perror("deny_netlink: seccomp");
    return 2;
  }
  execvp(argv[2], argv + 2);
  perror("deny_netlink: exec");
  return 2;
}
