#include "sockkit/netns.hpp"

#include <charconv>
#include <string>
#include <string_view>

#include <fmt/format.h>

#include "sockkit/error.hpp"
#include "sockkit/escape.hpp"

namespace sockkit {

namespace {

constexpr std::string_view pid_prefix = "pid:";

// The value on one line whatever it holds; escape_bytes drops a trailing line break,
// which here would hide the very thing that is wrong.
std::string shown(std::string_view text) {
  std::string out = escape_bytes(text);
  std::size_t kept = text.size();
  while (kept > 0 && (text[kept - 1] == '\n' || text[kept - 1] == '\r')) --kept;
  for (char c : text.substr(kept)) out += c == '\n' ? "\\n" : "\\r";
  return out;
}

[[noreturn]] void bad_spec(std::string_view text, std::string_view allowed) {
  throw InputError(fmt::format("invalid --netns \"{}\": expected {}", shown(text), allowed));
}

bool is_netns_name(std::string_view name) {
  return !name.empty() && name != "." && name != ".." && name.size() <= 255 &&
         name.find_first_of(std::string_view("/\n\0", 3)) == std::string_view::npos;
}

int parse_pid(std::string_view text) {
  auto digits = text.substr(pid_prefix.size());
  int pid = 0;
  const char* end = digits.data() + digits.size();
  auto [stop, err] = std::from_chars(digits.data(), end, pid);
  if (digits.empty() || err != std::errc{} || stop != end || pid < 1 || pid > max_pid) {
    bad_spec(text, fmt::format("pid:PID with PID 1-{}", max_pid));
  }
  return pid;
}

}  // namespace

std::string NetnsSpec::path() const {
  switch (kind) {
    case Kind::name: return fmt::format("{}/{}", netns_dir(), text);
    case Kind::path: return text;
    case Kind::pid: return fmt::format("/proc/{}/ns/net", pid);
  }
  return text;
}

void validate_netns_name(std::string_view name) {
  if (!is_netns_name(name)) {
    throw InputError(
        fmt::format("invalid network namespace name \"{}\": expected a name from `ip netns list`",
                    shown(name)));
  }
}

NetnsSpec parse_netns_spec(std::string_view text) {
  constexpr std::string_view any_form = "NAME, PATH or pid:PID";
  // A line break or NUL cannot name anything a user meant, and would break the
  // one-line errors that quote the value.
  if (text.find_first_of(std::string_view("\n\r\0", 3)) != std::string_view::npos) {
    bad_spec(text, any_form);
  }
  NetnsSpec spec;
  spec.text = std::string(text);
  if (text.substr(0, pid_prefix.size()) == pid_prefix) {
    spec.kind = NetnsSpec::Kind::pid;
    spec.pid = parse_pid(text);
  } else if (text.find('/') != std::string_view::npos) {
    spec.kind = NetnsSpec::Kind::path;
  } else if (!is_netns_name(text)) {
    bad_spec(text, any_form);
  }
  return spec;
}

}  // namespace sockkit
