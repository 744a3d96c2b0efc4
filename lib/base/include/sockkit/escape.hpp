// Bytes from the network shown safely on one line, and bytes typed on a command line
// with C escapes (\r\n, \x00) turned into what they say.
#pragma once

#include <string>
#include <string_view>

#include "sockkit/export.hpp"

SOCKKIT_API_BEGIN

namespace sockkit {

// \n \r \t \\ and \xHH for other control or non-ASCII bytes; a trailing line
// break is dropped (a banner's "SSH-2.0-OpenSSH_9.2\r\n" prints as one line).
[[nodiscard]] std::string escape_bytes(std::string_view bytes);

// RFC 4648 base64 with padding: how JSON carries bytes exactly, whatever they are.
[[nodiscard]] std::string base64(std::string_view bytes);

// The reverse for user input: \r \n \t \0 \\ \" and \xHH (two hex digits). Throws
// InputError naming `option` for a dangling or unknown escape.
[[nodiscard]] std::string unescape(std::string_view text, std::string_view option);

}  // namespace sockkit

SOCKKIT_API_END
