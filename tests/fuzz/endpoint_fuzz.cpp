// Endpoints as users type them: parse_host_port and is_valid_host.
//   A parsed endpoint names a valid host, a port 1-65535, and prints (as the tools
//   print it) to text that parses back to the same endpoint. A text is_valid_host
//   accepts parses as that host without a port.
#include <fmt/format.h>

#include "fuzz.hpp"
#include "sockkit/endpoint.hpp"
#include "sockkit/error.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  auto text = fuzz::text(data, size);
  bool valid_host = sockkit::is_valid_host(text);
  sockkit::HostPort hp;
  try {
    hp = sockkit::parse_host_port(text);
  } catch (const sockkit::InputError& e) {
    FUZZ_CHECK(!valid_host);
    FUZZ_CHECK(std::string_view(e.what()).starts_with("invalid address \""));
    return 0;
  }
  FUZZ_CHECK(!hp.host.empty());
  FUZZ_CHECK(sockkit::is_valid_host(hp.host));
  FUZZ_CHECK(!hp.port || *hp.port != 0);
  if (valid_host) FUZZ_CHECK(hp.host == text && !hp.port);
  auto printed = fmt::format("{}", hp);
  sockkit::HostPort again;
  try {
    again = sockkit::parse_host_port(printed);
  } catch (const sockkit::InputError&) {
    fuzz::fail("a printed endpoint does not parse", __FILE__, __LINE__);
  }
  FUZZ_CHECK(again == hp);
  return 0;
}
