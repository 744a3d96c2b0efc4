#include "sockkit/error.hpp"

#include <cerrno>
#include <cstring>

namespace sockkit {

void throw_errno(const std::string& context) {
  throw_errno(errno, context);
}

void throw_errno(int err, const std::string& context) {
  throw std::system_error(err, std::system_category(), context);
}

std::string errno_name(int err) {
  // glibc >= 2.32 knows the names; the fallback keeps the message one line anyway.
  if (const char* name = ::strerrorname_np(err)) return name;
  return fmt::format("E{}", err);
}

}  // namespace sockkit
