#include "sockkit/proc_net.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <array>
#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <limits>
#include <utility>

#include <fmt/format.h>

#include "sockkit/error.hpp"
#include "sockkit/fd.hpp"
#include "sockkit/text.hpp"

namespace sockkit {

std::string proc_root() {
  const char* root = std::getenv("SOCKKIT_PROC_ROOT");
  return (root != nullptr && root[0] != '\0') ? root : "/proc";
}

namespace {
thread_local std::string net_dir_override;  // NOLINT: one per thread by design
}  // namespace

std::string proc_net_dir() {
  if (!net_dir_override.empty()) return net_dir_override;
  const char* root = std::getenv("SOCKKIT_PROC_ROOT");
  if (root != nullptr && root[0] != '\0') return std::string(root) + "/net";
  return "/proc/thread-self/net";
}

ProcNetDirOverride::ProcNetDirOverride(std::string dir)
    : previous_(std::exchange(net_dir_override, std::move(dir))) {}

ProcNetDirOverride::~ProcNetDirOverride() {
  net_dir_override = std::move(previous_);
}

namespace {

// Parses exactly `text.size()` hex digits into `value`.
bool parse_hex(std::string_view text, std::uint64_t& value) {
  if (text.empty() || text.size() > 16) return false;
  value = 0;
  for (char c : text) {
    int digit = detail::hex_digit(c);
    if (digit < 0) return false;
    value = (value << 4U) | static_cast<unsigned>(digit);
  }
  return true;
}

bool parse_dec(std::string_view text, std::uint64_t& value) {
  auto parsed = detail::parse_decimal(text, UINT64_MAX);  // also refuses overflow
  if (!parsed) return false;
  value = *parsed;
  return true;
}

// Splits off the next field separated by spaces (and ':' when `colon`).
std::string_view next_field(std::string_view& rest, bool colon = false) {
  std::size_t start = 0;
  while (start < rest.size() && rest[start] == ' ') ++start;
  std::size_t end = start;
  while (end < rest.size() && rest[end] != ' ' && !(colon && rest[end] == ':')) ++end;
  auto field = rest.substr(start, end - start);
  rest = rest.substr(
      std::min(end + (colon && end < rest.size() && rest[end] == ':' ? 1 : 0), rest.size()));
  return field;
}

// The kernel prints each 32-bit word of an address with %08X in host byte order.
bool parse_address(std::string_view text, int family, std::array<std::uint8_t, 16>& out) {
  std::size_t words = family == AF_INET ? 1 : 4;
  if (text.size() != words * 8) return false;
  out.fill(0);
  for (std::size_t w = 0; w < words; ++w) {
    std::uint64_t value = 0;
    if (!parse_hex(text.substr(w * 8, 8), value)) return false;
    auto word = static_cast<std::uint32_t>(value);
    std::memcpy(out.data() + w * 4, &word, 4);
  }
  return true;
}

bool parse_endpoint(std::string_view text, int family, std::array<std::uint8_t, 16>& addr,
                    std::uint16_t& port) {
  auto colon = text.find(':');
  if (colon == std::string_view::npos) return false;
  std::uint64_t value = 0;
  if (!parse_address(text.substr(0, colon), family, addr)) return false;
  if (text.size() - colon - 1 != 4 || !parse_hex(text.substr(colon + 1), value)) return false;
  port = static_cast<std::uint16_t>(value);
  return true;
}

template <typename T>
bool parse_hex_into(std::string_view text, T& out) {
  std::uint64_t value = 0;
  if (!parse_hex(text, value) || value > std::numeric_limits<T>::max()) return false;
  out = static_cast<T>(value);
  return true;
}

template <typename T>
bool parse_dec_into(std::string_view text, T& out) {
  std::uint64_t value = 0;
  if (!parse_dec(text, value) || value > std::numeric_limits<T>::max()) return false;
  out = static_cast<T>(value);
  return true;
}

}  // namespace

bool parse_proc_net_line(std::string_view line, Transport transport, int family,
                         SocketRecord& out) {
  out = SocketRecord{};
  out.transport = transport;
  out.family = static_cast<std::uint8_t>(family);
  std::string_view rest = line;
  std::uint64_t slot = 0;
  if (!parse_dec(next_field(rest, true), slot)) return false;  // also skips the header
  std::uint64_t jiffies = 0;
  bool ok = parse_endpoint(next_field(rest), family, out.local_addr, out.local_port) &&
            parse_endpoint(next_field(rest), family, out.remote_addr, out.remote_port) &&
            parse_hex_into(next_field(rest), out.state) &&
            parse_hex_into(next_field(rest, true), out.wqueue) &&
            parse_hex_into(next_field(rest), out.rqueue) &&
            parse_hex_into(next_field(rest, true), out.timer) &&
            parse_hex(next_field(rest), jiffies) && parse_hex_into(next_field(rest), out.retrans) &&
            parse_dec_into(next_field(rest), out.uid);
  if (!ok) return false;
  std::uint64_t timeout = 0;
  if (!parse_dec(next_field(rest), timeout)) return false;  // the unanswered-probe count
  if (!parse_dec_into(next_field(rest), out.inode)) return false;
  // /proc reports the timer in clock ticks (USER_HZ, 100 on Linux).
  out.expires_ms = static_cast<std::uint32_t>(std::min<std::uint64_t>(jiffies * 10, UINT32_MAX));
  return true;
}

namespace {

std::string proc_net_path(Transport transport, int family) {
  return fmt::format("{}/{}{}", proc_net_dir(), transport_name(transport),
                     family == AF_INET6 ? "6" : "");
}

}  // namespace

void read_proc_net(Transport transport, int family,
                   const std::function<void(const SocketRecord&)>& visit) {
  auto path = proc_net_path(transport, family);
  int raw = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (raw < 0) {
    if (errno == ENOENT && family == AF_INET6) return;
    throw_errno(fmt::format("cannot open {}", path));
  }
  Fd fd(raw);
  std::array<char, 65536> buffer;
  std::size_t used = 0;
  SocketRecord record;
  while (true) {
    ssize_t got = ::read(fd.get(), buffer.data() + used, buffer.size() - used);
    if (got < 0) {
      if (errno == EINTR) continue;
      throw_errno(fmt::format("cannot read {}", path));
    }
    used += static_cast<std::size_t>(got);
    std::string_view text(buffer.data(), used);
    std::size_t start = 0;
    for (auto nl = text.find('\n'); nl != std::string_view::npos; nl = text.find('\n', start)) {
      if (parse_proc_net_line(text.substr(start, nl - start), transport, family, record)) {
        visit(record);
      }
      start = nl + 1;
    }
    if (got == 0) {
      if (start < used && parse_proc_net_line(text.substr(start), transport, family, record)) {
        visit(record);
      }
      return;
    }
    if (start == 0 && used == buffer.size()) {
      throw std::runtime_error(fmt::format("{}: a line longer than {} bytes", path, buffer.size()));
    }
    std::memmove(buffer.data(), buffer.data() + start, used - start);
    used -= start;
  }
}

}  // namespace sockkit
