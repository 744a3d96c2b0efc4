#include "sockkit/probe_targets.hpp"

#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <exception>
#include <limits>
#include <system_error>
#include <thread>
#include <unordered_map>
#include <utility>

#include "sockkit/endpoint.hpp"
#include "sockkit/error.hpp"
#include "sockkit/table.hpp"

namespace sockkit {

namespace {

[[noreturn]] void bad_target(std::string_view text, std::string_view problem) {
  throw InputError(fmt::format("invalid target \"{}\": {}", text, problem));
}

// The parsers of address.hpp and endpoint.hpp say `<kind> "<text>": <problem>`; a
// target reports the problem under its own prefix, so the text is quoted once.
std::string problem_of(const InputError& e, std::string_view kind, std::string_view text) {
  std::string_view message = e.what();
  auto prefix = fmt::format("{} \"{}\": ", kind, text);
  if (message.starts_with(prefix)) message.remove_prefix(prefix.size());
  return std::string(message);
}

TargetSpec parse_block(std::string_view text, std::size_t slash) {
  if (text.front() == '[') {
    bad_target(text, "write a CIDR block without brackets; a block takes no port");
  }
  if (text.find(':', slash) != std::string_view::npos) {
    bad_target(text, "a CIDR block takes no port; the port list applies to every address");
  }
  TargetSpec spec;
  spec.text = text;
  try {
    spec.block = Cidr::parse(text);
  } catch (const InputError& e) {
    bad_target(text, problem_of(e, "invalid CIDR block", text));
  }
  return spec;
}

}  // namespace

TargetSpec parse_target(std::string_view text) {
  if (text.empty()) bad_target(text, "the target is empty");
  if (auto slash = text.find('/'); slash != std::string_view::npos) return parse_block(text, slash);
  TargetSpec spec;
  spec.text = text;
  try {
    auto parsed = parse_host_port(text);
    spec.host = std::move(parsed.host);
    spec.port = parsed.port;
  } catch (const InputError& e) {
    bad_target(text, problem_of(e, "invalid address", text));
  }
  return spec;
}

namespace {

// All of `fd` to its end. A non-blocking descriptor (a shell may hand one over) is
// waited on rather than failing with EAGAIN.
std::string read_all(int fd, std::string_view source_name) {
  std::string data;
  std::size_t used = 0;
  while (true) {
    if (data.size() - used < 65536) data.resize(used + 65536);
    ssize_t got = ::read(fd, data.data() + used, data.size() - used);
    if (got > 0) {
      used += static_cast<std::size_t>(got);
      continue;
    }
    if (got == 0) break;
    if (errno == EINTR) continue;
    if (errno == EAGAIN || errno == EWOULDBLOCK) {
      pollfd wait{fd, POLLIN, 0};
      if (::poll(&wait, 1, -1) >= 0 || errno == EINTR) continue;
    }
    throw_errno(fmt::format("cannot read {}", source_name));
  }
  data.resize(used);
  return data;
}

bool is_blank(char c) {
  return c == ' ' || c == '\t' || c == '\r' || c == '\v' || c == '\f';
}

}  // namespace

std::vector<TargetSpec> read_targets(int fd, std::string_view source_name) {
  std::string data = read_all(fd, source_name);
  std::string_view text = data;
  std::vector<TargetSpec> specs;
  std::size_t line_number = 0;
  std::size_t start = 0;
  while (start < text.size()) {
    ++line_number;
    auto newline = text.find('\n', start);
    auto end = newline == std::string_view::npos ? text.size() : newline;
    auto line = text.substr(start, end - start);
    start = end + 1;
    if (line.size() > kMaxTargetLine) {
      throw InputError(fmt::format("{}:{}: the line is longer than {} bytes", source_name,
                                   line_number, kMaxTargetLine));
    }
    line = line.substr(0, line.find('#'));
    std::size_t pos = 0;
    while (true) {
      while (pos < line.size() && is_blank(line[pos])) ++pos;
      if (pos == line.size()) break;
      auto word_end = pos;
      while (word_end < line.size() && !is_blank(line[word_end])) ++word_end;
      try {
        specs.push_back(parse_target(line.substr(pos, word_end - pos)));
      } catch (const InputError& e) {
        throw InputError(fmt::format("{}:{}: {}", source_name, line_number, e.what()));
      }
      pos = word_end;
    }
  }
  return specs;
}

namespace {

bool family_fits(int family, IpVersion version) {
  if (version == IpVersion::v4) return family == AF_INET;
  if (version == IpVersion::v6) return family == AF_INET6;
  return true;
}

std::string wrong_family(const TargetSpec& spec, IpVersion version) {
  return fmt::format("{} is an {} block, but {} was given", spec.text,
                     spec.block->family() == AF_INET ? "IPv4" : "IPv6",
                     version == IpVersion::v4 ? "-4" : "-6");
}

// How many ProbeHosts a spec becomes; nullopt for a block too large to count in 64
// bits (2^64 addresses and up), which no cap admits.
std::optional<std::uint64_t> host_count(const TargetSpec& spec, IpVersion version) {
  if (!spec.block || !family_fits(spec.block->family(), version)) return 1;
  int host_bits = (spec.block->family() == AF_INET ? 32 : 128) - spec.block->prefix();
  if (host_bits >= 64) return std::nullopt;
  return spec.block->size();
}

std::string count_text(const TargetSpec& spec) {
  int host_bits = (spec.block->family() == AF_INET ? 32 : 128) - spec.block->prefix();
  if (host_bits >= 64) return fmt::format("2^{}", host_bits);
  return group_thousands(spec.block->size());
}

// Refuses, before anything is expanded or resolved, targets that would give more than
// `max_hosts` hosts: the first block that alone is too large, or else the total.
std::size_t check_host_count(const std::vector<TargetSpec>& specs, const ExpandOptions& options) {
  const std::uint64_t max = options.max_hosts;
  const auto cap = fmt::format("more than --max-hosts {}", group_thousands(max));
  std::uint64_t total = 0;
  bool saturated = false;
  for (const auto& spec : specs) {
    auto count = host_count(spec, options.version);
    if (!count || (*count > 1 && *count > max)) {  // a block, of the family asked for
      throw InputError(fmt::format("{} has {} addresses, {}", spec.text, count_text(spec), cap));
    }
    if (total > std::numeric_limits<std::uint64_t>::max() - *count) saturated = true;
    total += saturated ? 0 : *count;
  }
  if (saturated || total > max) {
    throw InputError(fmt::format("the targets have {}{} address{} in all, {}",
                                 saturated ? "more than " : "",
                                 group_thousands(saturated ? std::uint64_t{UINT64_MAX} : total),
                                 total == 1 && !saturated ? "" : "es", cap));
  }
  return static_cast<std::size_t>(total);
}

struct Resolved {
  SockAddress address;
  std::string error;
};

Resolved resolve_one(const TargetResolver& resolver, const std::string& name, IpVersion version) {
  Resolved out;
  try {
    auto addresses = resolver(name, version);
    if (addresses.empty()) {
      out.error = fmt::format("cannot resolve \"{}\": no IP address", name);
    } else {
      out.address = addresses.front();
    }
  } catch (const std::exception& e) {
    out.error = e.what();
  }
  return out;
}

// Each name on its own slot, taken in turn by up to `threads` workers (the calling
// thread is one of them): getaddrinfo blocks, so slow names overlap.
std::vector<Resolved> resolve_names(const std::vector<std::string>& names,
                                    const ExpandOptions& options) {
  std::vector<Resolved> results(names.size());
  if (names.empty()) return results;
  TargetResolver resolver = options.resolver;
  if (!resolver) {
    resolver = [](const std::string& host, IpVersion version) {
      return resolve(host, 0, version, SOCK_STREAM);
    };
  }
  std::atomic<std::size_t> next{0};
  auto work = [&] {
    for (auto i = next.fetch_add(1); i < names.size(); i = next.fetch_add(1)) {
      results[i] = resolve_one(resolver, names[i], options.version);
    }
  };
  std::size_t threads = std::min<std::size_t>(std::max(options.resolver_threads, 1U), names.size());
  {
    std::vector<std::jthread> helpers;
    helpers.reserve(threads - 1);
    for (std::size_t i = 1; i < threads; ++i) {
      try {
        helpers.emplace_back(work);
      } catch (const std::system_error&) {
        break;  // out of threads: those started, and this one, share the work
      }
    }
    work();
  }  // the helpers join here
  return results;
}

bool is_literal(const std::string& host) {
  return IpAddress::parse(std::string_view(host).substr(0, host.find('%'))).has_value();
}

}  // namespace

std::vector<ProbeHost> expand_targets(const std::vector<TargetSpec>& specs,
                                      const ExpandOptions& options) {
  auto total = check_host_count(specs, options);
  std::vector<ProbeHost> out;
  out.reserve(total);
  std::vector<std::string> names;  // distinct names, in first-seen order
  std::unordered_map<std::string, std::size_t> name_slot;
  std::vector<std::pair<std::size_t, std::size_t>> waiting;  // (index in out, name slot)
  for (const auto& spec : specs) {
    if (spec.block) {
      if (!family_fits(spec.block->family(), options.version)) {
        out.push_back({spec.text, {}, std::nullopt, wrong_family(spec, options.version)});
        continue;
      }
      for (std::uint64_t i = 0, n = spec.block->size(); i < n; ++i) {
        auto ip = spec.block->at(i);
        out.push_back({ip.to_string(), SockAddress(ip, 0), std::nullopt, {}});
      }
      continue;
    }
    ProbeHost host{spec.host, {}, spec.port, {}};
    if (is_literal(spec.host)) {
      // Numeric: no DNS, and the check of the family against -4/-6.
      try {
        host.address = resolve(spec.host, 0, options.version, SOCK_STREAM).front();
      } catch (const ResolveError& e) {
        host.error = e.what();
      }
    } else {
      auto [slot, added] = name_slot.try_emplace(spec.host, names.size());
      if (added) names.push_back(spec.host);
      waiting.emplace_back(out.size(), slot->second);
    }
    out.push_back(std::move(host));
  }
  auto resolved = resolve_names(names, options);
  for (auto [index, slot] : waiting) {
    out[index].address = resolved[slot].address;
    out[index].error = resolved[slot].error;
  }
  return out;
}

}  // namespace sockkit
