// The one parser of --netns on every command (lib/base netns_spec.cpp): parse_netns_spec.
//   A refusal is an InputError `invalid --netns "TEXT": expected ...` on one line, the
//   text quoted with its control and non-ASCII bytes escaped. An accepted value keeps the
//   text as given and is exactly one form: pid:PID with PID 1-4194304 whose digits read
//   back to it, a PATH with a slash that path() returns unchanged, or a NAME that is a
//   single file name under netns_dir().
#include <string>

#include "fuzz.hpp"
#include "sockkit/error.hpp"
#include "sockkit/netns.hpp"

namespace {

using Kind = sockkit::NetnsSpec::Kind;

void check_pid(const std::string& text, const sockkit::NetnsSpec& spec) {
  FUZZ_CHECK(spec.pid >= 1 && spec.pid <= sockkit::max_pid);
  auto digits = text.substr(4);
  FUZZ_CHECK(!digits.empty() && digits.find_first_not_of("0123456789") == std::string::npos);
  FUZZ_CHECK(std::stoll(digits) == spec.pid);
  FUZZ_CHECK(spec.path() == "/proc/" + std::to_string(spec.pid) + "/ns/net");
}

void check_name(const std::string& text, const sockkit::NetnsSpec& spec) {
  FUZZ_CHECK(text.find('/') == std::string::npos && text != "." && text != "..");
  FUZZ_CHECK(!text.empty() && text.size() <= 255);
  FUZZ_CHECK(spec.path() == sockkit::netns_dir() + "/" + text);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  std::string text(fuzz::text(data, size));
  sockkit::NetnsSpec spec;
  try {
    spec = sockkit::parse_netns_spec(text);
  } catch (const sockkit::InputError& e) {
    std::string_view message(e.what());
    FUZZ_CHECK(message.starts_with("invalid --netns \""));
    FUZZ_CHECK(message.find('\n') == std::string_view::npos);
    FUZZ_CHECK(message.find('\0') == std::string_view::npos);
    return 0;
  }
  FUZZ_CHECK(spec.text == text);
  FUZZ_CHECK(text.find_first_of(std::string_view("\n\r\0", 3)) == std::string::npos);
  switch (spec.kind) {
    case Kind::pid:
      FUZZ_CHECK(text.starts_with("pid:"));
      check_pid(text, spec);
      break;
    case Kind::path:
      FUZZ_CHECK(!text.starts_with("pid:") && text.find('/') != std::string::npos);
      FUZZ_CHECK(spec.path() == text && spec.pid == 0);
      break;
    case Kind::name:
      FUZZ_CHECK(!text.starts_with("pid:"));
      check_name(text, spec);
      break;
  }
  return 0;
}
