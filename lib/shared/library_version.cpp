// The one function only the shared library defines: a program built against one
// release's headers can ask which libsockkit.so it was loaded with.
#include "sockkit/version.hpp"

namespace sockkit {

std::string_view library_version() noexcept {
  return version();
}

}  // namespace sockkit
