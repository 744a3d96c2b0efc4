// /proc/net/tcp, tcp6, udp and udp6: parse_proc_net_line on each line, and read_proc_net
// on the same text as a file under a temporary SOCKKIT_PROC_ROOT.
//   A parsed line gives a record of the family asked for (an IPv4 one with nothing past
//   its 4 address bytes) whose addresses print; read_proc_net, with its buffering, visits
//   exactly the records that parsing the lines one by one gives, in the same order.
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <stdexcept>
#include <string>
#include <tuple>
#include <vector>

#include "fuzz.hpp"
#include "scratch_proc_root.hpp"
#include "sockkit/proc_net.hpp"

namespace {

namespace fs = std::filesystem;

// <tmp>/net/tcp holds the input; tcp6, udp and udp6 are links to it.
struct ProcRoot {
  fuzz::ScratchProcRoot scratch;
  fs::path file;
  ProcRoot() {
    const auto& root = scratch.root();
    fs::create_directory(root / "net");
    file = root / "net" / "tcp";
    std::ofstream(file).flush();
    for (const char* name : {"tcp6", "udp", "udp6"}) fs::create_symlink("tcp", root / "net" / name);
  }
};

auto key(const sockkit::SocketRecord& r) {
  return std::tuple(r.transport, r.family, r.state, r.timer, r.retrans, r.local_port, r.remote_port,
                    r.local_addr, r.remote_addr, r.expires_ms, r.rqueue, r.wqueue, r.uid, r.inode);
}

void check_record(const sockkit::SocketRecord& r, sockkit::Transport transport, int family) {
  FUZZ_CHECK(r.transport == transport && r.family == family);
  if (family == AF_INET) {
    for (std::size_t i = 4; i < 16; ++i) FUZZ_CHECK(r.local_addr[i] == 0 && r.remote_addr[i] == 0);
  }
  FUZZ_CHECK(r.local_ip().family() == family && r.remote_ip().family() == family);
  FUZZ_CHECK(!r.local_ip().to_string().empty() && !r.remote_ip().to_string().empty());
  FUZZ_CHECK(r.tcp_info.empty() && r.skmeminfo.empty());
}

void check(std::string_view text, sockkit::Transport transport, int family) {
  std::vector<sockkit::SocketRecord> by_line;
  std::size_t longest = 0;
  std::size_t start = 0;
  while (start < text.size()) {
    auto nl = text.find('\n', start);
    auto line = text.substr(start, nl == std::string_view::npos ? text.npos : nl - start);
    longest = std::max(longest, line.size());
    sockkit::SocketRecord record;
    if (sockkit::parse_proc_net_line(line, transport, family, record)) {
      check_record(record, transport, family);
      by_line.push_back(record);
    }
    if (nl == std::string_view::npos) break;
    start = nl + 1;
  }
  std::vector<sockkit::SocketRecord> by_file;
  try {
    sockkit::read_proc_net(transport, family,
                           [&](const sockkit::SocketRecord& r) { by_file.push_back(r); });
  } catch (const std::runtime_error&) {
    FUZZ_CHECK(longest >= 65536);  // its buffer's size: the one documented failure
    return;
  }
  FUZZ_CHECK(by_file.size() == by_line.size());
  for (std::size_t i = 0; i < by_file.size(); ++i) FUZZ_CHECK(key(by_file[i]) == key(by_line[i]));
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  static ProcRoot proc;
  auto text = fuzz::text(data, size);
  fuzz::write_input(proc.file, text);
  check(text, sockkit::Transport::tcp, AF_INET);
  check(text, sockkit::Transport::tcp, AF_INET6);
  check(text, sockkit::Transport::udp, AF_INET);
  check(text, sockkit::Transport::udp, AF_INET6);
  return 0;
}
