// One way in to "the sockets on this host": netlink sock_diag by default, /proc/net
// when netlink is refused or asked for, with the same filters and the same records
// either way.
#pragma once

#include <functional>
#include <optional>
#include <string>

#include "sockkit/address.hpp"
#include "sockkit/census.hpp"
#include "sockkit/export.hpp"
#include "sockkit/sock_diag.hpp"
#include "sockkit/socket_filter.hpp"

SOCKKIT_API_BEGIN

namespace sockkit {

enum class SourceKind { netlink, proc };

[[nodiscard]] std::string_view source_name(SourceKind source);
// sk-states --source: "netlink" or "proc"; throws InputError otherwise.
[[nodiscard]] SourceKind parse_reader_source(std::string_view text);

struct ReadRequest {
  bool tcp = true;
  bool udp = false;
  IpVersion version = IpVersion::any;
  std::uint32_t tcp_states = kAllTcpStates;  // also selects UDP (states 1 and 7 only)
  bool udp_unconnected_only = false;         // -l for UDP
  SocketFilter filter;
  bool tcp_info = false;             // ask for INET_DIAG_INFO
  bool skmeminfo = false;            // ask for INET_DIAG_SKMEMINFO (TCP): listeners' drops
  std::optional<SourceKind> source;  // nullopt: netlink, falling back to /proc
};

struct ReadReport {
  SourceKind source = SourceKind::netlink;
  std::string fallback_reason;  // why /proc was used instead of netlink, "" if not
  int restarts = 0;             // dumps started over because the tables changed
  bool complete = true;         // false: still interrupted after the last allowed pass

  // Two reads reported as one: /proc if either used it, the first fallback reason.
  void merge(const ReadReport& other);
};

// Visits every matching socket. When a netlink dump is interrupted, `restart` is
// called (discard what was counted) and every dump runs again, at most 5 passes.
ReadReport read_sockets(const ReadRequest& request,
                        const std::function<void(const SocketRecord&)>& visit,
                        const std::function<void()>& restart);

}  // namespace sockkit

SOCKKIT_API_END
