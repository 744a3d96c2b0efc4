// The kernel half of the sock_diag reader. libnl opens, connects and sends; the
// replies are read straight into one reused buffer and parsed in place, because
// libnl's nl_recvmsgs copies every message into a fresh heap object, which a census
// of a million sockets cannot afford.
#include <linux/inet_diag.h>
#include <linux/sock_diag.h>
#include <netlink/msg.h>
#include <netlink/netlink.h>
#include <netlink/socket.h>
#include <sys/socket.h>

#include <cerrno>
#include <cstring>
#include <system_error>

#include <fmt/format.h>

#include "sockkit/error.hpp"
#include "sockkit/sock_diag.hpp"

namespace sockkit {

namespace {

// The kernel fills at most 32 KiB per reply; twice that never truncates.
constexpr std::size_t kReceiveBuffer = 64 * 1024;
// A deep socket receive buffer lets the kernel run ahead of us on big dumps.
constexpr int kSocketBuffer = 4 * 1024 * 1024;

struct MsgDeleter {
  void operator()(nl_msg* msg) const { nlmsg_free(msg); }
};

// A policy refusing netlink: seccomp and container profiles give EPERM, an LSM such as
// SELinux or AppArmor gives EACCES, which libnl reports as NLE_NOACCESS. Callers fall
// back to /proc on either.
bool refused(int nl_error) {
  return nl_error == -NLE_PERM || nl_error == -NLE_NOACCESS;
}

[[noreturn]] void netlink_failure(int nl_error, const char* what) {
  if (refused(nl_error)) throw PermissionError(fmt::format("{}: permission denied", what));
  // libnl error codes are not errno values; nl_geterror gives the text.
  throw std::runtime_error(fmt::format("{}: {}", what, nl_geterror(nl_error)));
}

std::uint8_t protocol_of(Transport transport) {
  return transport == Transport::tcp ? IPPROTO_TCP : IPPROTO_UDP;
}

}  // namespace

SockDiag::SockDiag() : buffer_(kReceiveBuffer) {
  socket_ = nl_socket_alloc();
  if (socket_ == nullptr) throw std::bad_alloc();
  int rc = nl_connect(socket_, NETLINK_SOCK_DIAG);
  if (rc < 0) {
    nl_socket_free(socket_);
    socket_ = nullptr;
    if (refused(rc)) throw PermissionError("opening a NETLINK_SOCK_DIAG socket was refused");
    netlink_failure(rc, "cannot open a NETLINK_SOCK_DIAG socket");
  }
  // The send side must hold the largest filter program (64 KiB) in one message.
  (void)nl_socket_set_buffer_size(socket_, kSocketBuffer, 256 * 1024);  // best effort
}

SockDiag::~SockDiag() {
  if (socket_ != nullptr) nl_socket_free(socket_);  // closes the descriptor too
}

void SockDiag::send_request(const DiagRequest& request) {
  inet_diag_req_v2 req{};
  req.sdiag_family = static_cast<std::uint8_t>(request.family);
  req.sdiag_protocol = protocol_of(request.transport);
  req.idiag_ext = request.extensions;
  req.idiag_states = request.states;
  // Sized for the filter program: libnl's default message is one page, and a
  // program for a few hundred separate ports is larger than that.
  std::size_t size =
      NLMSG_SPACE(sizeof req) +
      static_cast<std::size_t>(nla_total_size(static_cast<int>(request.bytecode.size())));
  std::unique_ptr<nl_msg, MsgDeleter> msg(nlmsg_alloc_size(size + NLMSG_HDRLEN));
  if (!msg) throw std::bad_alloc();
  if (nlmsg_put(msg.get(), NL_AUTO_PORT, NL_AUTO_SEQ, SOCK_DIAG_BY_FAMILY, 0,
                NLM_F_REQUEST | NLM_F_DUMP) == nullptr) {
    throw std::bad_alloc();
  }
  int rc = nlmsg_append(msg.get(), &req, sizeof req, NLMSG_ALIGNTO);
  if (rc == 0 && !request.bytecode.empty()) {
    rc = nla_put(msg.get(), INET_DIAG_REQ_BYTECODE, static_cast<int>(request.bytecode.size()),
                 request.bytecode.data());
  }
  if (rc < 0) netlink_failure(rc, "cannot build the sock_diag request");
  rc = nl_send_auto(socket_, msg.get());
  if (rc < 0) netlink_failure(rc, "cannot send the sock_diag request");
}

DumpProgress SockDiag::receive_all(const DiagRequest& request,
                                   const std::function<void(const SocketRecord&)>& visit) {
  int fd = nl_socket_get_fd(socket_);
  DumpProgress total;
  while (!total.done) {
    ssize_t got = ::recv(fd, buffer_.data(), buffer_.size(), 0);
    if (got < 0) {
      if (errno == EINTR) continue;
      // ENOBUFS: the kernel dropped part of the dump, so this pass is incomplete.
      if (errno == ENOBUFS) {
        total.interrupted = true;
        continue;
      }
      throw_errno("cannot read the sock_diag dump");
    }
    if (got == 0) throw std::runtime_error("sock_diag socket closed during a dump");
    auto step = parse_diag_buffer(std::span(buffer_.data(), static_cast<std::size_t>(got)),
                                  request.transport, visit);
    total.done = step.done;
    total.interrupted = total.interrupted || step.interrupted;
  }
  return total;
}

bool SockDiag::dump(const DiagRequest& request,
                    const std::function<void(const SocketRecord&)>& visit) {
  send_request(request);
  return !receive_all(request, visit).interrupted;
}

}  // namespace sockkit
