// How the library fails. Outcomes a user asked about (a refused port, a timeout) are
// values; these exceptions are for failures: a syscall that could not be made, or
// input that does not parse. The tools turn them into one line on stderr.
#pragma once

#include <stdexcept>
#include <string>
#include <string_view>
#include <system_error>

#include <fmt/format.h>

#include "sockkit/export.hpp"

SOCKKIT_API_BEGIN

namespace sockkit {

// Text from the user (an endpoint, a port range, a state name, an option value)
// that is not valid. The message quotes the input and says what is allowed; the
// tools exit with status 2.
class InputError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

// The caller lacks a privilege; the message names it ("needs CAP_SYS_ADMIN").
class PermissionError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

// Throws std::system_error for errno (or `err`), with `context` saying what was being
// attempted: "cannot open /proc/net/tcp: Permission denied".
[[noreturn]] void throw_errno(const std::string& context);
[[noreturn]] void throw_errno(int err, const std::string& context);

// The symbolic name of an errno value, "ECONNREFUSED"; "E<number>" when unknown.
[[nodiscard]] std::string errno_name(int err);

// An errno value as data, so results can carry it and fmt can print it as
// "ECONNREFUSED (Connection refused)".
struct Errno {
  int value = 0;
};

}  // namespace sockkit

template <>
struct fmt::formatter<sockkit::Errno> : fmt::formatter<std::string_view> {
  template <typename Context>
  auto format(sockkit::Errno err, Context& ctx) const {
    auto text = fmt::format("{} ({})", sockkit::errno_name(err.value),
                            std::system_category().message(err.value));
    return fmt::formatter<std::string_view>::format(text, ctx);
  }
};

SOCKKIT_API_END
