// The kernel half of the sock_diag reader, on a plain netlink socket: one request
// built on the stack and sent with one sendmsg, the replies read straight into one
// reused buffer and parsed in place. (libnl did the open and the send here until 0.2;
// it added a shared library to every command's start-up for three syscalls.)
#include <linux/inet_diag.h>
#include <linux/netlink.h>
#include <linux/sock_diag.h>
#include <sys/socket.h>
#include <sys/uio.h>

#include <array>
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
// The send side must hold the largest filter program (64 KiB) in one message.
constexpr int kSendBuffer = 256 * 1024;

// A policy refusing netlink: seccomp and container profiles give EPERM, an LSM such as
// SELinux or AppArmor gives EACCES. Callers fall back to /proc on either.
bool refused(int err) {
  return err == EPERM || err == EACCES;
}

std::uint8_t protocol_of(Transport transport) {
  return transport == Transport::tcp ? IPPROTO_TCP : IPPROTO_UDP;
}

struct RequestHead {
  nlmsghdr header;
  inet_diag_req_v2 request;
};

struct CompatRequestHead {
  nlmsghdr header;
  inet_diag_req request;
};

}  // namespace

SockDiag::SockDiag() : buffer_(kReceiveBuffer) {
  socket_ = Fd(::socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, NETLINK_SOCK_DIAG));
  if (!socket_.valid()) {
    if (refused(errno)) throw PermissionError("opening a NETLINK_SOCK_DIAG socket was refused");
    throw_errno("cannot open a NETLINK_SOCK_DIAG socket");
  }
  // Best effort: without them a big dump only costs more reads (ENOBUFS is handled).
  (void)::setsockopt(socket_.get(), SOL_SOCKET, SO_RCVBUF, &kSocketBuffer, sizeof kSocketBuffer);
  (void)::setsockopt(socket_.get(), SOL_SOCKET, SO_SNDBUF, &kSendBuffer, sizeof kSendBuffer);
}

SockDiag::~SockDiag() = default;

void SockDiag::send_request(const DiagRequest& request) {
  RequestHead head{};
  CompatRequestHead compat{};
  const bool both_families = request.family == AF_UNSPEC;
  if (both_families && request.transport != Transport::tcp) {
    throw std::invalid_argument("a dump of both families at once is for TCP only");
  }
  nlattr filter{};
  const bool has_filter = !request.bytecode.empty();
  const std::size_t filter_size = has_filter ? NLA_HDRLEN + request.bytecode.size() : 0;
  if (filter_size > 0xffff) throw std::length_error("sock_diag filter program too large");
  const std::size_t request_size =
      both_families ? NLMSG_LENGTH(sizeof compat.request) : NLMSG_LENGTH(sizeof head.request);
  nlmsghdr& header = both_families ? compat.header : head.header;
  if (both_families) {
    compat.request.idiag_family = AF_UNSPEC;
    compat.request.idiag_ext = request.extensions;
    compat.request.idiag_states = request.states;
    header.nlmsg_type = TCPDIAG_GETSOCK;
  } else {
    head.request.sdiag_family = static_cast<std::uint8_t>(request.family);
    head.request.sdiag_protocol = protocol_of(request.transport);
    head.request.idiag_ext = request.extensions;
    head.request.idiag_states = request.states;
    header.nlmsg_type = SOCK_DIAG_BY_FAMILY;
  }
  header.nlmsg_flags = NLM_F_REQUEST | NLM_F_DUMP;
  header.nlmsg_seq = ++sequence_;
  header.nlmsg_len = static_cast<std::uint32_t>(request_size + NLA_ALIGN(filter_size));
  filter.nla_type = INET_DIAG_REQ_BYTECODE;
  filter.nla_len = static_cast<std::uint16_t>(filter_size);

  // Header, request, attribute header, program, padding: gathered, not copied.
  static constexpr std::array<char, NLA_ALIGNTO> padding{};
  std::array<iovec, 4> parts{{
      {both_families ? static_cast<void*>(&compat) : static_cast<void*>(&head), request_size},
      {&filter, NLA_HDRLEN},
      {const_cast<std::byte*>(request.bytecode.data()), request.bytecode.size()},
      {const_cast<char*>(padding.data()), NLA_ALIGN(filter_size) - filter_size},
  }};
  sockaddr_nl kernel{};
  kernel.nl_family = AF_NETLINK;
  msghdr message{};
  message.msg_name = &kernel;
  message.msg_namelen = sizeof kernel;
  message.msg_iov = parts.data();
  message.msg_iovlen = has_filter ? parts.size() : 1;
  while (::sendmsg(socket_.get(), &message, 0) < 0) {
    if (errno == EINTR) continue;
    if (refused(errno))
      throw PermissionError("cannot send the sock_diag request: permission denied");
    throw_errno("cannot send the sock_diag request");
  }
}

DumpProgress SockDiag::receive_all(const DiagRequest& request,
                                   const std::function<void(const SocketRecord&)>& visit) {
  DumpProgress total;
  while (!total.done) {
    ssize_t got = ::recv(socket_.get(), buffer_.data(), buffer_.size(), 0);
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
