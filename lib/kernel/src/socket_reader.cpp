#include "sockkit/socket_reader.hpp"

#include <linux/inet_diag.h>

#include <atomic>
#include <cerrno>
#include <memory>
#include <system_error>

#include <fmt/format.h>

#include "sockkit/error.hpp"
#include "sockkit/proc_net.hpp"

namespace sockkit {

std::string_view source_name(SourceKind source) {
  return source == SourceKind::netlink ? "netlink" : "proc";
}

SourceKind parse_reader_source(std::string_view text) {
  if (text == "netlink") return SourceKind::netlink;
  if (text == "proc") return SourceKind::proc;
  throw InputError(fmt::format("invalid source \"{}\": expected netlink or proc", text));
}

namespace {

constexpr int kMaxPasses = 5;
constexpr std::uint32_t kUdpUnconnected = state_bit(TcpState::close);

struct Dump {
  Transport transport;
  int family;
};

// Set once a kernel refuses the one-walk TCP request (one without the old interface):
// from then on TCP is dumped per family, as UDP always is.
std::atomic<bool> tcp_per_family{false};

// TCP of both families in one walk of the kernel's tables, when nothing in the filter
// depends on the family (address blocks compile per family).
bool one_walk_tcp(const ReadRequest& request) {
  return request.version == IpVersion::any && request.filter.local_addrs.empty() &&
         request.filter.remote_addrs.empty() && !tcp_per_family.load(std::memory_order_relaxed);
}

// `one_walk`: netlink may read TCP's two families in one dump; /proc has a file each.
std::vector<Dump> dumps_for(const ReadRequest& request, bool one_walk) {
  std::vector<Dump> out;
  for (auto transport : {Transport::tcp, Transport::udp}) {
    if ((transport == Transport::tcp && !request.tcp) ||
        (transport == Transport::udp && !request.udp)) {
      continue;
    }
    if (transport == Transport::tcp && one_walk && one_walk_tcp(request)) {
      out.push_back({transport, AF_UNSPEC});
      continue;
    }
    if (request.version != IpVersion::v6) out.push_back({transport, AF_INET});
    if (request.version != IpVersion::v4) out.push_back({transport, AF_INET6});
  }
  return out;
}

std::uint32_t states_for(const ReadRequest& request, Transport transport) {
  // UDP sockets use the TCP numbering (ESTABLISHED connected, CLOSE unconnected),
  // so the same mask selects them.
  if (transport == Transport::udp && request.udp_unconnected_only) return kUdpUnconnected;
  return request.tcp_states;
}

// The records a request wants, checked in user space: /proc gives everything, and a
// filter too large for a kernel program has to be applied here.
bool wanted(const ReadRequest& request, const SocketRecord& record) {
  std::uint32_t states = states_for(request, record.transport);
  if (record.state > 31 || (states & (1U << record.state)) == 0) return false;
  return request.filter.matches(record);
}

// One pass over every dump; false when any was interrupted.
bool netlink_pass(SockDiag& diag, const ReadRequest& request,
                  const std::function<void(const SocketRecord&)>& visit) {
  bool complete = true;
  auto checked = [&](const SocketRecord& record) {
    if (wanted(request, record)) visit(record);
  };
  for (const auto& dump : dumps_for(request, true)) {
    // Without address blocks the program is the same for both families.
    auto bytecode =
        compile_bytecode(request.filter, dump.family == AF_UNSPEC ? AF_INET : dump.family);
    if (!bytecode) continue;  // nothing of this family can match
    // The kernel applies the state mask and the program exactly as matches() would
    // (the unit tests compare both), so the per-socket path stays a plain call unless
    // the program had to be dropped for size.
    bool kernel_filtered = request.filter.empty() || !bytecode->empty();
    DiagRequest req;
    req.transport = dump.transport;
    req.family = dump.family;
    req.states = states_for(request, dump.transport);
    if (dump.transport == Transport::tcp) {
      if (request.tcp_info) req.extensions |= 1U << (INET_DIAG_INFO - 1);
      if (request.skmeminfo) req.extensions |= 1U << (INET_DIAG_SKMEMINFO - 1);
    }
    req.bytecode = *bytecode;
    std::size_t visited = 0;
    auto counted = [&](const SocketRecord& record) {
      ++visited;
      kernel_filtered ? visit(record) : checked(record);
    };
    try {
      complete = diag.dump(req, counted) && complete;
    } catch (const std::system_error& e) {
      // A kernel without the older request refuses it before sending any record; any
      // other failure, or one after records came, is a real error.
      int code = e.code().value();
      bool refused = e.code().category() == std::system_category() &&
                     (code == EINVAL || code == EOPNOTSUPP || code == ENOENT);
      if (dump.family != AF_UNSPEC || visited != 0 || !refused) throw;
      tcp_per_family = true;
      SockDiag fresh;  // nothing of the refused request may linger on the retry's socket
      return netlink_pass(fresh, request, visit);
    }
  }
  return complete;
}

void read_from_proc(const ReadRequest& request,
                    const std::function<void(const SocketRecord&)>& visit) {
  for (const auto& dump : dumps_for(request, false)) {
    read_proc_net(dump.transport, dump.family, [&](const SocketRecord& record) {
      if (wanted(request, record)) visit(record);
    });
  }
}

// Netlink refused for lack of privilege (a seccomp or LSM policy, a container):
// the caller may fall back to /proc.
bool is_refusal(const std::system_error& e) {
  return e.code().value() == EPERM || e.code().value() == EACCES;
}

}  // namespace

ReadReport read_sockets(const ReadRequest& request,
                        const std::function<void(const SocketRecord&)>& visit,
                        const std::function<void()>& restart) {
  ReadReport report;
  if (request.source == SourceKind::proc) {
    report.source = SourceKind::proc;
    read_from_proc(request, visit);
    return report;
  }
  std::unique_ptr<SockDiag> diag;
  try {
    diag = std::make_unique<SockDiag>();
    for (int pass = 1;; ++pass) {
      if (netlink_pass(*diag, request, visit)) return report;
      if (pass == kMaxPasses) break;
      restart();
      ++report.restarts;
    }
    report.complete = false;
    return report;
  } catch (const PermissionError& e) {
    if (request.source) throw;
    report.fallback_reason = e.what();
  } catch (const std::system_error& e) {
    if (request.source || !is_refusal(e)) throw;
    report.fallback_reason = fmt::format("netlink refused: {}", e.code().message());
  }
  restart();
  report.source = SourceKind::proc;
  read_from_proc(request, visit);
  return report;
}

void ReadReport::merge(const ReadReport& other) {
  if (fallback_reason.empty()) fallback_reason = other.fallback_reason;
  if (other.source == SourceKind::proc) source = other.source;
  restarts += other.restarts;
  complete = complete && other.complete;
}

}  // namespace sockkit
