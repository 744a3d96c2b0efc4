// /proc/net/sockstat and sockstat6: parse_sockstat.
//   Errors are std::runtime_error; a parsed text gives totals that, written back as a
//   sockstat file, parse to the same totals.
#include <fmt/format.h>

#include <stdexcept>
#include <string>
#include <tuple>

#include "fuzz.hpp"
#include "sockkit/kernel_counters.hpp"

namespace {

auto key(const sockkit::SockStat& s) {
  return std::tuple(s.sockets_used, s.tcp_inuse, s.tcp_orphan, s.tcp_tw, s.tcp_alloc,
                    s.tcp_mem_pages, s.udp_inuse, s.udp_mem_pages, s.tcp6_inuse, s.udp6_inuse);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  auto text = fuzz::text(data, size);
  sockkit::SockStat stat;
  try {
    stat = sockkit::parse_sockstat(text);
  } catch (const std::runtime_error&) {
    return 0;
  }
  auto written = fmt::format(
      "sockets: used {}\nTCP: inuse {} orphan {} tw {} alloc {} mem {}\nUDP: inuse {} mem {}\n"
      "TCP6: inuse {}\nUDP6: inuse {}\n",
      stat.sockets_used, stat.tcp_inuse, stat.tcp_orphan, stat.tcp_tw, stat.tcp_alloc,
      stat.tcp_mem_pages, stat.udp_inuse, stat.udp_mem_pages, stat.tcp6_inuse, stat.udp6_inuse);
  try {
    FUZZ_CHECK(key(sockkit::parse_sockstat(written)) == key(stat));
  } catch (const std::runtime_error&) {
    fuzz::fail("sockstat totals written back do not parse", __FILE__, __LINE__);
  }
  return 0;
}
