// What libsockkit.so exports. The library is built with hidden visibility, so only
// declarations marked here are part of its ABI; the public headers open their
// declarations with SOCKKIT_API_BEGIN and close them with SOCKKIT_API_END, and
// everything else (internal headers, anonymous namespaces, detail::) stays private.
#pragma once

#define SOCKKIT_API __attribute__((visibility("default")))
#define SOCKKIT_API_BEGIN _Pragma("GCC visibility push(default)")
#define SOCKKIT_API_END _Pragma("GCC visibility pop")
