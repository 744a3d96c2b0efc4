#include "sockkit/kernel_counters.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <charconv>
#include <limits>
#include <stdexcept>
#include <utility>

#include <fmt/format.h>

#include "sockkit/error.hpp"
#include "sockkit/fd.hpp"
#include "sockkit/proc_net.hpp"
#include "sockkit/text.hpp"

namespace sockkit {

std::optional<std::int64_t> CounterSet::get(std::string_view section, std::string_view name) const {
  for (const auto& counter : counters_) {
    if (counter.name == name && counter.section == section) return counter.value;
  }
  return std::nullopt;
}

void CounterSet::add(std::string section, std::string name, std::int64_t value) {
  counters_.push_back(Counter{std::move(section), std::move(name), value});
}

void CounterSet::append(const CounterSet& other) {
  counters_.insert(counters_.end(), other.counters_.begin(), other.counters_.end());
}

namespace {

bool is_blank(char c) {
  return c == ' ' || c == '\t';
}

// Splits on runs of blanks (and newlines, for the one-value sysctl files).
std::vector<std::string_view> split_fields(std::string_view text) {
  std::vector<std::string_view> fields;
  std::size_t pos = 0;
  while (pos < text.size()) {
    while (pos < text.size() && (is_blank(text[pos]) || text[pos] == '\n')) ++pos;
    std::size_t end = pos;
    while (end < text.size() && !is_blank(text[end]) && text[end] != '\n') ++end;
    if (end > pos) fields.push_back(text.substr(pos, end - pos));
    pos = end;
  }
  return fields;
}

// Calls visit(line_number, line) for each line; a last line without '\n' counts too.
template <typename Visit>
void for_each_line(std::string_view text, Visit&& visit) {
  std::size_t number = 0;
  while (!text.empty()) {
    auto nl = text.find('\n');
    auto line = text.substr(0, nl);
    visit(++number, line);
    text = nl == std::string_view::npos ? std::string_view{} : text.substr(nl + 1);
  }
}

// Input for an error message: one line, printable, not too long.
std::string printable(std::string_view text) {
  constexpr std::size_t kMax = 60;
  std::string out;
  for (std::size_t i = 0; i < text.size() && i < kMax; ++i) {
    char c = text[i];
    out += (c >= 0x20 && c < 0x7f) ? c : '?';
  }
  if (text.size() > kMax) out += "...";
  return out;
}

std::string quoted(std::string_view text) {
  return "\"" + printable(text) + "\"";
}

std::string where(std::size_t number, std::string_view line) {
  return fmt::format("line {} ({})", number, quoted(line));
}

// "TcpExt: A B" -> section "TcpExt", rest " A B"; false without a "Section:" prefix.
bool split_section(std::string_view line, std::string_view& section, std::string_view& rest) {
  auto colon = line.find(':');
  if (colon == std::string_view::npos) return false;
  section = line.substr(0, colon);
  while (!section.empty() && is_blank(section.front())) section.remove_prefix(1);
  while (!section.empty() && is_blank(section.back())) section.remove_suffix(1);
  rest = line.substr(colon + 1);
  return !section.empty();
}

bool is_blank_line(std::string_view line) {
  for (char c : line) {
    if (!is_blank(c)) return false;
  }
  return true;
}

}  // namespace

CounterSet parse_counter_file(std::string_view text) {
  CounterSet set;
  struct Header {
    std::size_t number = 0;
    std::string_view line;
    std::string_view section;
    std::vector<std::string_view> names;
  };
  std::optional<Header> header;
  for_each_line(text, [&](std::size_t number, std::string_view line) {
    if (is_blank_line(line)) return;
    std::string_view section;
    std::string_view rest;
    if (!split_section(line, section, rest)) {
      throw std::runtime_error(
          fmt::format("{}: expected \"Section: fields\"", where(number, line)));
    }
    if (!header) {
      header = Header{number, line, section, split_fields(rest)};
      return;
    }
    if (section != header->section) {
      throw std::runtime_error(fmt::format("{}: expected the values of {} (line {}), found {}",
                                           where(number, line), printable(header->section),
                                           header->number, printable(section)));
    }
    auto values = split_fields(rest);
    if (values.size() != header->names.size()) {
      throw std::runtime_error(fmt::format("{}: {} values for {} names in {}", where(number, line),
                                           values.size(), header->names.size(),
                                           printable(section)));
    }
    for (std::size_t i = 0; i < values.size(); ++i) {
      auto field = values[i];
      std::int64_t value = 0;
      auto [end, ec] = std::from_chars(field.data(), field.data() + field.size(), value);
      if (ec == std::errc::result_out_of_range && end == field.data() + field.size()) {
        throw std::runtime_error(fmt::format("{}: value {} of {} {} does not fit 64 bits",
                                             where(number, line), quoted(field), printable(section),
                                             printable(header->names[i])));
      }
      if (ec != std::errc{} || end != field.data() + field.size()) {
        throw std::runtime_error(fmt::format("{}: value {} of {} {} is not a decimal integer",
                                             where(number, line), quoted(field), printable(section),
                                             printable(header->names[i])));
      }
      set.add(std::string(section), std::string(header->names[i]), value);
    }
    header.reset();
  });
  if (header) {
    throw std::runtime_error(fmt::format("{}: {} names without a line of values",
                                         where(header->number, header->line),
                                         printable(header->section)));
  }
  return set;
}

SockStat parse_sockstat(std::string_view text) {
  SockStat stat;
  bool found = false;
  for_each_line(text, [&](std::size_t number, std::string_view line) {
    if (is_blank_line(line)) return;
    std::string_view section;
    std::string_view rest;
    if (!split_section(line, section, rest)) {
      throw std::runtime_error(
          fmt::format("{}: expected \"Section: key value ...\"", where(number, line)));
    }
    // The fields this line may fill: key, then where its value goes.
    std::vector<std::pair<std::string_view, std::uint64_t*>> known;
    if (section == "sockets") {
      known = {{"used", &stat.sockets_used}};
    } else if (section == "TCP") {
      known = {{"inuse", &stat.tcp_inuse},
               {"orphan", &stat.tcp_orphan},
               {"tw", &stat.tcp_tw},
               {"alloc", &stat.tcp_alloc},
               {"mem", &stat.tcp_mem_pages}};
    } else if (section == "UDP") {
      known = {{"inuse", &stat.udp_inuse}, {"mem", &stat.udp_mem_pages}};
    } else if (section == "TCP6") {
      known = {{"inuse", &stat.tcp6_inuse}};
    } else if (section == "UDP6") {
      known = {{"inuse", &stat.udp6_inuse}};
    } else {
      return;  // RAW, FRAG, UDPLITE, MPTCP, or something newer
    }
    auto fields = split_fields(rest);
    if (fields.empty() || fields.size() % 2 != 0) {
      throw std::runtime_error(
          fmt::format("{}: expected \"key value\" pairs after {}:", where(number, line), section));
    }
    for (std::size_t i = 0; i < fields.size(); i += 2) {
      auto value = detail::parse_decimal(fields[i + 1], std::numeric_limits<std::uint64_t>::max());
      if (!value) {
        throw std::runtime_error(fmt::format("{}: value {} of {} {} is not an unsigned number",
                                             where(number, line), quoted(fields[i + 1]), section,
                                             printable(fields[i])));
      }
      for (auto& [key, target] : known) {
        if (key == fields[i]) *target = *value;
      }
    }
    found = true;
  });
  if (!found) {
    throw std::runtime_error("no sockets, TCP, UDP, TCP6 or UDP6 line: not a sockstat file");
  }
  return stat;
}

std::int64_t parse_sysctl_int(std::string_view text) {
  auto fields = split_fields(text);
  std::int64_t value = 0;
  if (fields.size() == 1) {
    auto field = fields[0];
    auto [end, ec] = std::from_chars(field.data(), field.data() + field.size(), value);
    if (ec == std::errc{} && end == field.data() + field.size()) return value;
  }
  throw std::runtime_error(fmt::format("expected one integer, found {}", quoted(text)));
}

PortRange parse_port_range(std::string_view text) {
  auto fields = split_fields(text);
  if (fields.size() == 2) {
    auto low = detail::parse_decimal(fields[0], 65535);
    auto high = detail::parse_decimal(fields[1], 65535);
    if (low && high && *low >= 1 && *low <= *high) {
      return PortRange{static_cast<std::uint16_t>(*low), static_cast<std::uint16_t>(*high)};
    }
  }
  throw std::runtime_error(
      fmt::format("expected two ports 1-65535, the lower first, found {}", quoted(text)));
}

std::array<std::uint64_t, 3> parse_tcp_mem(std::string_view text) {
  auto fields = split_fields(text);
  std::array<std::uint64_t, 3> pages{};
  bool ok = fields.size() == pages.size();
  for (std::size_t i = 0; ok && i < pages.size(); ++i) {
    auto value = detail::parse_decimal(fields[i], std::numeric_limits<std::uint64_t>::max());
    ok = value.has_value();
    if (ok) pages[i] = *value;
  }
  if (!ok) {
    throw std::runtime_error(fmt::format("expected three page counts, found {}", quoted(text)));
  }
  return pages;
}

namespace {

// The counter files are a few KiB; anything far bigger is not one.
constexpr std::size_t kMaxFileSize = std::size_t{1} << 20U;

// The whole file; nullopt when it does not exist and `may_be_missing`.
std::optional<std::string> slurp(const std::string& path, bool may_be_missing) {
  int raw = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (raw < 0) {
    if (errno == ENOENT && may_be_missing) return std::nullopt;
    throw_errno(fmt::format("cannot open {}", path));
  }
  Fd fd(raw);
  std::string text;
  std::array<char, 4096> chunk;
  while (true) {
    ssize_t got = ::read(fd.get(), chunk.data(), chunk.size());
    if (got < 0) {
      if (errno == EINTR) continue;
      throw_errno(fmt::format("cannot read {}", path));
    }
    if (got == 0) return text;
    text.append(chunk.data(), static_cast<std::size_t>(got));
    if (text.size() > kMaxFileSize) {
      throw std::runtime_error(fmt::format("{}: larger than {} bytes", path, kMaxFileSize));
    }
  }
}

// parse(text), with the path in front of a parse error.
template <typename Parse>
auto parse_file(const std::string& path, std::string_view text, Parse parse) {
  try {
    return parse(text);
  } catch (const std::runtime_error& e) {
    throw std::runtime_error(fmt::format("{}: {}", path, e.what()));
  }
}

template <typename Parse>
auto read_sysctl(const std::string& root, std::string_view name, Parse parse)
    -> std::optional<decltype(parse(std::string_view{}))> {
  auto path = fmt::format("{}/sys/net/{}", root, name);
  auto text = slurp(path, true);
  if (!text) return std::nullopt;
  return parse_file(path, *text, parse);
}

}  // namespace

CounterSet read_netstat() {
  auto dir = proc_net_dir();
  CounterSet counters;
  for (const char* name : {"netstat", "snmp"}) {
    auto path = fmt::format("{}/{}", dir, name);
    counters.append(parse_file(path, *slurp(path, false), parse_counter_file));
  }
  return counters;
}

SockStat read_sockstat() {
  auto dir = proc_net_dir();
  auto path = dir + "/sockstat";
  auto stat = parse_file(path, *slurp(path, false), parse_sockstat);
  auto path6 = dir + "/sockstat6";
  if (auto text6 = slurp(path6, true)) {
    auto stat6 = parse_file(path6, *text6, parse_sockstat);
    stat.tcp6_inuse = stat6.tcp6_inuse;
    stat.udp6_inuse = stat6.udp6_inuse;
  }
  return stat;
}

NetSysctls read_net_sysctls() {
  auto root = proc_root();
  NetSysctls s;
  s.tcp_max_tw_buckets = read_sysctl(root, "ipv4/tcp_max_tw_buckets", parse_sysctl_int);
  s.tcp_max_orphans = read_sysctl(root, "ipv4/tcp_max_orphans", parse_sysctl_int);
  s.somaxconn = read_sysctl(root, "core/somaxconn", parse_sysctl_int);
  s.tcp_max_syn_backlog = read_sysctl(root, "ipv4/tcp_max_syn_backlog", parse_sysctl_int);
  s.tcp_syncookies = read_sysctl(root, "ipv4/tcp_syncookies", parse_sysctl_int);
  s.tcp_fin_timeout = read_sysctl(root, "ipv4/tcp_fin_timeout", parse_sysctl_int);
  s.tcp_tw_reuse = read_sysctl(root, "ipv4/tcp_tw_reuse", parse_sysctl_int);
  s.ip_local_port_range = read_sysctl(root, "ipv4/ip_local_port_range", parse_port_range);
  s.tcp_mem = read_sysctl(root, "ipv4/tcp_mem", parse_tcp_mem);
  return s;
}

std::optional<std::int64_t> read_net_sysctl_int(std::string_view name) {
  return read_sysctl(proc_root(), name, parse_sysctl_int);
}

}  // namespace sockkit
