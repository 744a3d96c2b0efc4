// sk-echo's option values (tools/sk-echo/config.cpp, linked as is): parse_on_eof
// (--on-eof), parse_bytes (--max-bytes, --size), parse_time (every time option, through
// the library's one duration parser) and parse_listen (-l) for address literals.
//   Refusals are InputError naming the option. A byte count is at most 4 GiB; a
//   duration is 0 to one day, and 0 only when allowed; a delay is more than 0. A listen
//   address has the port asked for (0 included) and the family -4/-6 ask for.
// parse_listen resolves names with getaddrinfo: only address literals (and bare ports)
// reach it here, so the fuzzer never sends a DNS query.
#include <string>

#include "config.hpp"
#include "fuzz.hpp"
#include "sockkit/error.hpp"

namespace {

constexpr sk_echo::Millis kDay{86'400'000};

void check_on_eof(const std::string& text) {
  try {
    auto action = sk_echo::parse_on_eof(text);
    if (action.mode == sk_echo::OnEof::delay) {
      FUZZ_CHECK(text.starts_with("delay:") && action.delay.count() >= 0 && action.delay <= kDay);
    } else {
      FUZZ_CHECK(text == "close" || text == "hold" || text == "rst");
      FUZZ_CHECK(action.delay.count() == 0);
    }
  } catch (const sockkit::InputError& e) {
    std::string_view what(e.what());
    FUZZ_CHECK(what.starts_with("invalid --on-eof") ||
               (what.starts_with("invalid duration") && text.starts_with("delay:")));
  }
}

void check_bytes(const std::string& text) {
  try {
    auto bytes = sk_echo::parse_bytes("--max-bytes", text);
    FUZZ_CHECK(bytes <= (std::uint64_t{1} << 32));
  } catch (const sockkit::InputError& e) {
    FUZZ_CHECK(std::string_view(e.what()).starts_with("invalid --max-bytes \""));
  }
}

void check_time(const std::string& text) {
  for (bool zero_ok : {false, true}) {
    try {
      auto ms = sk_echo::parse_time("--timeout", text, zero_ok);
      FUZZ_CHECK(ms.count() >= 0 && ms <= kDay);
      FUZZ_CHECK(zero_ok || ms.count() >= 1);
    } catch (const sockkit::InputError& e) {
      FUZZ_CHECK(std::string_view(e.what()).starts_with("invalid duration \""));
      FUZZ_CHECK(std::string_view(e.what()).find("\" for --timeout: ") != std::string_view::npos);
    }
  }
}

// True when parse_listen would hand getaddrinfo a literal, or fail before it.
bool resolves_locally(const std::string& text) {
  bool digits_only = !text.empty() && text.size() <= 5 &&
                     text.find_first_not_of("0123456789") == std::string::npos;
  if (digits_only) return true;
  std::string spec = text;
  if (spec.ends_with(":0")) spec.back() = '1';
  try {
    auto hp = sockkit::parse_host_port(spec);
    return !hp.port || sockkit::IpAddress::parse(hp.host.substr(0, hp.host.find('%')));
  } catch (const sockkit::InputError&) {
    return true;
  }
}

void check_listen(const std::string& text, sockkit::IpVersion version) {
  if (!resolves_locally(text)) return;
  try {
    auto address = sk_echo::parse_listen(text, version, false);
    FUZZ_CHECK(address.family() == AF_INET || address.family() == AF_INET6);
    if (version == sockkit::IpVersion::v4) FUZZ_CHECK(address.family() == AF_INET);
    if (version == sockkit::IpVersion::v6) FUZZ_CHECK(address.family() == AF_INET6);
    if (text.ends_with(":0")) FUZZ_CHECK(address.port() == 0);
  } catch (const sockkit::InputError& e) {
    FUZZ_CHECK(std::string_view(e.what()).starts_with("invalid listen address \""));
  } catch (const sockkit::ResolveError&) {
    // a zone naming no interface, or a literal of the other family
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  std::string text(fuzz::text(data, size));
  check_on_eof(text);
  check_bytes(text);
  check_time(text);
  check_listen(text, sockkit::IpVersion::any);
  check_listen(text, sockkit::IpVersion::v6);
  return 0;
}
