#include "sockkit/common_options.hpp"

#include <string>
#include <vector>

#include <doctest/doctest.h>

#include "error_text.hpp"

namespace {

using namespace std::chrono_literals;
using sockkit::IpVersion;
using sockkit::test::input_error_of;

bool check_asked(std::vector<std::string> words) {
  std::vector<char*> argv;
  for (auto& word : words) argv.push_back(word.data());
  return sockkit::cli::asks_for_check(static_cast<int>(argv.size()), argv.data());
}

}  // namespace

TEST_CASE("common options: -4 and -6") {
  CHECK(sockkit::cli::ip_version_of(false, false) == IpVersion::any);
  CHECK(sockkit::cli::ip_version_of(true, false) == IpVersion::v4);
  CHECK(sockkit::cli::ip_version_of(false, true) == IpVersion::v6);
  CHECK(input_error_of([] { (void)sockkit::cli::ip_version_of(true, true); }) ==
        "-4 and -6 contradict each other");
}

TEST_CASE("common options: --netns takes NAME, PATH or pid:PID, an empty one means none") {
  CHECK(sockkit::cli::checked_netns("") == "");
  CHECK(sockkit::cli::checked_netns("blue") == "blue");
  CHECK(sockkit::cli::checked_netns("a/b") == "a/b");
  CHECK(sockkit::cli::checked_netns("/var/run/docker/netns/1a2b3c") ==
        "/var/run/docker/netns/1a2b3c");
  CHECK(sockkit::cli::checked_netns("pid:4121") == "pid:4121");
  CHECK(input_error_of([] { (void)sockkit::cli::checked_netns("pid:x"); }) ==
        "invalid --netns \"pid:x\": expected pid:PID with PID 1-4194304");
  CHECK(input_error_of([] { (void)sockkit::cli::checked_netns(".."); }) ==
        "invalid --netns \"..\": expected NAME, PATH or pid:PID");
}

TEST_CASE("common options: --source is a local address literal") {
  CHECK_FALSE(sockkit::cli::source_address_of(""));
  auto source = sockkit::cli::source_address_of("127.0.0.2:4000");
  REQUIRE(source);
  CHECK(source->port() == 4000);
  CHECK(input_error_of([] { (void)sockkit::cli::source_address_of("localhost"); }) ==
        "invalid --source \"localhost\": expected an address literal");
}

TEST_CASE("common options: a time option in the command's resolution") {
  CHECK(sockkit::cli::duration_option<std::chrono::milliseconds>("--timeout", "1.5", {1ms, 1h}) ==
        1500ms);
  CHECK(sockkit::cli::duration_option<std::chrono::milliseconds>("--timeout", "0.0004",
                                                                 {0ms, 1h}) == 0ms);
  CHECK(input_error_of([] {
          (void)sockkit::cli::duration_option<std::chrono::milliseconds>("-W", "0", {1ms, 1h});
        }) == "invalid duration \"0\" for -W: expected 1ms to 1h");
}

TEST_CASE("common options: --check found in argv before any --") {
  CHECK(check_asked({"sk-ping", "--check", "db:5432"}));
  CHECK(check_asked({"sk-ping", "db:5432", "--warn", "5", "--check"}));
  CHECK_FALSE(check_asked({"sk-ping", "db:5432"}));
  CHECK_FALSE(check_asked({"sk-ping", "--checks"}));
  CHECK_FALSE(check_asked({"sk-ping", "--", "--check"}));
}
