// Test support: what a call threw, as one string. A CHECK comparing strings prints the
// expected and the actual message side by side, and "(no error)" when nothing was thrown,
// which CHECK_THROWS_WITH does not show as plainly.
#pragma once

#include <stdexcept>
#include <string>
#include <system_error>

#include <fmt/format.h>

#include "sockkit/error.hpp"

namespace sockkit::test {

// The message of the InputError `call` threw (bad user input: what a command would
// print), or "(no error)" when it returned. Other exceptions pass through and fail the
// test, since they are not the error being checked.
template <typename Call>
std::string input_error_of(Call&& call) {
  try {
    call();
  } catch (const InputError& e) {
    return e.what();
  }
  return "(no error)";
}

// For the readers of kernel state: a system_error as "system_error <errno>: <message>",
// so the test sees the errno as well as the text; any other runtime_error as its message;
// "(no error)" when `call` returned.
template <typename Call>
std::string error_of(Call&& call) {
  try {
    call();
  } catch (const std::system_error& e) {
    return fmt::format("system_error {}: {}", e.code().value(), e.what());
  } catch (const std::runtime_error& e) {
    return e.what();
  }
  return "(no error)";
}

}  // namespace sockkit::test
