#include "sockkit/common_options.hpp"

#include "sockkit/endpoint.hpp"
#include "sockkit/error.hpp"
#include "sockkit/netns.hpp"

namespace sockkit::cli {

IpVersion ip_version_of(bool ipv4, bool ipv6) {
  if (ipv4 && ipv6) throw InputError("-4 and -6 contradict each other");
  if (ipv4) return IpVersion::v4;
  return ipv6 ? IpVersion::v6 : IpVersion::any;
}

std::string checked_netns(const std::string& spec) {
  if (spec.empty()) return spec;
  return parse_netns_spec(spec).text;
}

std::optional<SockAddress> source_address_of(const std::string& text) {
  return parse_bind_address(text);
}

bool asks_for_check(int argc, char** argv) {
  for (int i = 1; i < argc; ++i) {
    std::string_view word(argv[i]);
    if (word == "--") return false;
    if (word == "--check") return true;
  }
  return false;
}

}  // namespace sockkit::cli
