// The hosts a port prober is asked about: targets as users write them on the command
// line or in a file (names, address literals, host:port, CIDR blocks), and their
// expansion into one address per host, with names resolved in parallel.
#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "sockkit/address.hpp"
#include "sockkit/export.hpp"

SOCKKIT_API_BEGIN

namespace sockkit {

// One target as the user wrote it. Either `host` is set (a name or an address literal,
// brackets removed, with an optional port) or `block` is (a CIDR block, no port).
struct TargetSpec {
  std::string text;                   // as written, for messages
  std::string host;                   // name or literal; empty for a CIDR block
  std::optional<std::uint16_t> port;  // from host:port or [v6]:port
  std::optional<Cidr> block;          // 10.0.0.0/24, 2001:db8::/120, 10.0.0.1/32
};

// Accepts "db", "db:5432", "10.0.0.1", "10.0.0.1:80", "[2001:db8::1]:443", "::1",
// "fe80::1%eth0", "10.0.0.0/24", "2001:db8::/120". A CIDR block takes no port (ports
// come from the port list), so "10.0.0.0/24:80" is refused and says so. Throws
// InputError: `invalid target "x": the problem`.
[[nodiscard]] TargetSpec parse_target(std::string_view text);

// The longest line read_targets accepts, in bytes.
inline constexpr std::size_t kMaxTargetLine = 4096;

// Reads targets from `fd` (stdin, a pipe or a file) to its end: any number per line,
// separated by spaces or tabs; '#' starts a comment (whole-line or trailing); blank
// lines and CRLF line endings are fine. An empty input gives an empty list. Errors
// name the source and the line: `targets.txt:12: invalid target "x": ...`; a line
// longer than kMaxTargetLine is refused. Read errors throw std::system_error
// ("cannot read targets.txt: ...").
[[nodiscard]] std::vector<TargetSpec> read_targets(int fd, std::string_view source_name);

struct ProbeHost {
  std::string name;                   // the host as written, or the address of a block member
  SockAddress address;                // port 0; empty (size() == 0) when `error` is set
  std::optional<std::uint16_t> port;  // from host:port
  std::string error;  // set when unusable: "cannot resolve \"x\": Name or service not known"
};

// How expand_targets resolves a name: the addresses for `host`, port 0, restricted to
// `version`; throws (any std::exception) when it cannot. Tests replace it to count calls.
using TargetResolver =
    std::function<std::vector<SockAddress>(const std::string& host, IpVersion version)>;

struct ExpandOptions {
  IpVersion version = IpVersion::any;  // -4 / -6
  std::size_t max_hosts = 65536;       // --max-hosts: a cap on the addresses of all targets
  unsigned resolver_threads = 16;      // names resolved at once (0 counts as 1)
  TargetResolver resolver = nullptr;   // empty: sockkit::resolve with SOCK_STREAM
};

// One ProbeHost per host target and per address of each CIDR block, in input order.
// Blocks expand to every address, network and broadcast addresses included (as nmap
// does: on /31 and /32, and on point-to-point or routed blocks, they are real hosts).
// The address count over all targets is checked before anything is expanded or
// resolved; above max_hosts it throws InputError ("10.0.0.0/8 has 16,777,216
// addresses, more than --max-hosts 65,536"). A block of the wrong family for `version`
// counts as one entry and yields one ProbeHost with `error` set.
// Each distinct name is resolved once, on up to resolver_threads threads, and its first
// address is used; a name that does not resolve yields a ProbeHost with `error` set
// while the others go on. Address literals never touch DNS; a literal of the wrong
// family for `version` gets an error too ("::1 is an IPv6 address, but -4 was given").
[[nodiscard]] std::vector<ProbeHost> expand_targets(const std::vector<TargetSpec>& specs,
                                                    const ExpandOptions& options);

}  // namespace sockkit

SOCKKIT_API_END
