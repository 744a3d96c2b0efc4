// Network namespaces by name, the way `ip netns exec NAME` finds them: a file under
// /run/netns bound to the namespace.
#pragma once

#include <string>
#include <string_view>

#include "sockkit/export.hpp"
#include "sockkit/fd.hpp"

SOCKKIT_API_BEGIN

namespace sockkit {

// Throws InputError unless `name` could be a file name under /run/netns.
void validate_netns_name(std::string_view name);

// Enters /run/netns/NAME for the calling thread and goes back on destruction, so a
// reader can look into a namespace and return. Throws InputError when the namespace
// does not exist, PermissionError when CAP_SYS_ADMIN is missing.
class NetnsScope {
 public:
  explicit NetnsScope(std::string_view name);
  ~NetnsScope();
  NetnsScope(const NetnsScope&) = delete;
  NetnsScope& operator=(const NetnsScope&) = delete;

  // Stay in the namespace for good (what --netns does for a whole command).
  void commit() noexcept { original_.reset(); }

 private:
  Fd original_;
};

// Enters the namespace for the rest of the process; call before starting threads.
void enter_netns(std::string_view name);

// Where the namespace files live; SOCKKIT_NETNS_DIR overrides it for tests.
[[nodiscard]] std::string netns_dir();

}  // namespace sockkit

SOCKKIT_API_END
