#include "sockkit/probe_targets.hpp"

#include <fcntl.h>
#include <sys/mman.h>
#include <time.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <atomic>
#include <chrono>
#include <map>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

#include <doctest/doctest.h>
#include <fmt/format.h>

#include "error_text.hpp"
#include "sockkit/endpoint.hpp"
#include "sockkit/fd.hpp"

using sockkit::Cidr;
using sockkit::expand_targets;
using sockkit::ExpandOptions;
using sockkit::IpAddress;
using sockkit::IpVersion;
using sockkit::parse_target;
using sockkit::ProbeHost;
using sockkit::read_targets;
using sockkit::SockAddress;
using sockkit::TargetSpec;
using namespace sockkit::test;  // the shared helpers of tests/unit/*.hpp

namespace {

std::string target_error(std::string_view text) {
  return input_error_of([&] { (void)parse_target(text); });
}

void check_host(std::string_view text, std::string_view host, std::optional<std::uint16_t> port) {
  CAPTURE(text);
  auto spec = parse_target(text);
  CHECK(spec.text == text);
  CHECK(spec.host == host);
  CHECK(spec.port == port);
  CHECK_FALSE(spec.block.has_value());
}

void check_block(std::string_view text, std::string_view block) {
  CAPTURE(text);
  auto spec = parse_target(text);
  CHECK(spec.text == text);
  CHECK(spec.host.empty());
  CHECK_FALSE(spec.port.has_value());
  REQUIRE(spec.block.has_value());
  CHECK(spec.block->to_string() == block);
}

// A memory file holding `text`, positioned at its start: read_targets reads it as it
// would a regular file.
sockkit::Fd memory_file(std::string_view text) {
  sockkit::Fd fd(::memfd_create("targets", MFD_CLOEXEC));
  REQUIRE(fd.valid());
  std::size_t done = 0;
  while (done < text.size()) {
    auto wrote = ::write(fd.get(), text.data() + done, text.size() - done);
    REQUIRE(wrote > 0);
    done += static_cast<std::size_t>(wrote);
  }
  REQUIRE(::lseek(fd.get(), 0, SEEK_SET) == 0);
  return fd;
}

std::vector<TargetSpec> read_text(std::string_view text, std::string_view name = "targets.txt") {
  auto fd = memory_file(text);
  return read_targets(fd.get(), name);
}

std::string read_error(std::string_view text) {
  return input_error_of([&] { (void)read_text(text); });
}

std::vector<std::string> texts_of(const std::vector<TargetSpec>& specs) {
  std::vector<std::string> out;
  for (const auto& spec : specs) out.push_back(spec.text);
  return out;
}

std::vector<TargetSpec> specs_of(std::initializer_list<std::string_view> texts) {
  std::vector<TargetSpec> out;
  for (auto text : texts) out.push_back(parse_target(text));
  return out;
}

std::vector<std::string> names_of(const std::vector<ProbeHost>& hosts) {
  std::vector<std::string> out;
  for (const auto& host : hosts) out.push_back(host.name);
  return out;
}

std::string expand_error(std::initializer_list<std::string_view> texts, std::size_t max_hosts,
                         std::atomic<int>* resolver_calls = nullptr) {
  ExpandOptions options;
  options.max_hosts = max_hosts;
  options.resolver = [resolver_calls](const std::string&, IpVersion) {
    if (resolver_calls != nullptr) ++*resolver_calls;
    return std::vector<SockAddress>{SockAddress(*IpAddress::parse("192.0.2.1"), 0)};
  };
  auto specs = specs_of(texts);
  return input_error_of([&] { (void)expand_targets(specs, options); });
}

// A resolver that answers from a table, counting its calls per name; names not in the
// table fail the way getaddrinfo does.
class FakeResolver {
 public:
  explicit FakeResolver(std::initializer_list<std::pair<const std::string, std::string>> table)
      : table_(table) {}

  sockkit::TargetResolver get() {
    return [this](const std::string& host, IpVersion) {
      {
        std::lock_guard lock(mutex_);
        ++calls_[host];
      }
      auto found = table_.find(host);
      if (found == table_.end()) {
        throw sockkit::ResolveError(
            EAI_NONAME, fmt::format("cannot resolve \"{}\": Name or service not known", host));
      }
      return std::vector<SockAddress>{SockAddress(*IpAddress::parse(found->second), 0)};
    };
  }
  int calls(const std::string& host) {
    std::lock_guard lock(mutex_);
    return calls_[host];
  }
  int total_calls() {
    std::lock_guard lock(mutex_);
    int total = 0;
    for (const auto& [name, count] : calls_) total += count;
    return total;
  }

 private:
  std::map<std::string, std::string> table_;
  std::mutex mutex_;
  std::map<std::string, int> calls_;
};

}  // namespace

TEST_CASE("probe_targets: parse_target accepts hosts and host:port") {
  check_host("db", "db", std::nullopt);
  check_host("db:5432", "db", 5432);
  check_host("db.example.com:65535", "db.example.com", 65535);
  check_host("10.0.0.1", "10.0.0.1", std::nullopt);
  check_host("10.0.0.1:80", "10.0.0.1", 80);
  check_host("[2001:db8::1]:443", "2001:db8::1", 443);
  check_host("[2001:db8::1]", "2001:db8::1", std::nullopt);
  check_host("::1", "::1", std::nullopt);
  check_host("2001:db8::1", "2001:db8::1", std::nullopt);
  check_host("fe80::1%eth0", "fe80::1%eth0", std::nullopt);
  check_host("[fe80::1%eth0]:22", "fe80::1%eth0", 22);
  check_host("localhost", "localhost", std::nullopt);
  check_host("nonexistent.invalid:1", "nonexistent.invalid", 1);
}

TEST_CASE("probe_targets: parse_target accepts CIDR blocks") {
  check_block("10.0.0.0/24", "10.0.0.0/24");
  check_block("10.0.0.1/32", "10.0.0.1/32");
  check_block("0.0.0.0/0", "0.0.0.0/0");
  check_block("192.168.1.77/24", "192.168.1.0/24");  // host bits cleared
  check_block("2001:db8::/120", "2001:db8::/120");
  check_block("::1/128", "::1/128");
}

TEST_CASE("probe_targets: parse_target error messages") {
  CHECK(target_error("") == "invalid target \"\": the target is empty");
  CHECK(target_error(":80") == "invalid target \":80\": the host is empty");
  CHECK(target_error("host:") == "invalid target \"host:\": the port after ':' is empty");
  CHECK(target_error("host:0") == "invalid target \"host:0\": port 0 is out of range 1-65535");
  CHECK(target_error("host:70000") ==
        "invalid target \"host:70000\": port 70000 is out of range 1-65535");
  CHECK(target_error("host:ssh") ==
        "invalid target \"host:ssh\": invalid port \"ssh\": expected a number 1-65535");
  CHECK(target_error("[::1") == "invalid target \"[::1\": missing ']' after the IPv6 address");
  CHECK(target_error("[::1]x") == "invalid target \"[::1]x\": expected ':PORT' after ']'");
  CHECK(target_error("[1.2.3.4]:80") ==
        "invalid target \"[1.2.3.4]:80\": brackets are for IPv6 addresses only");
  CHECK(target_error("a b") == "invalid target \"a b\": \"a b\" is not a host name or IP address");
  CHECK(target_error("a,b") == "invalid target \"a,b\": \"a,b\" is not a host name or IP address");
  CHECK(target_error("1.2.3.999") ==
        "invalid target \"1.2.3.999\": \"1.2.3.999\" is not a host name or IP address");
  CHECK(target_error("a:b:c") ==
        "invalid target \"a:b:c\": write an IPv6 address with a port as [ADDRESS]:PORT");
  CHECK(target_error("10.0.0.0/33") ==
        "invalid target \"10.0.0.0/33\": the prefix length must be 0-32");
  CHECK(target_error("2001:db8::/129") ==
        "invalid target \"2001:db8::/129\": the prefix length must be 0-128");
  CHECK(target_error("10.0.0.0/") ==
        "invalid target \"10.0.0.0/\": the prefix length must be 0-32");
  CHECK(target_error("10.0.0.0/x") ==
        "invalid target \"10.0.0.0/x\": the prefix length must be 0-32");
  CHECK(target_error("db/24") == "invalid target \"db/24\": \"db\" is not an IPv4 or IPv6 address");
  CHECK(target_error("/24") == "invalid target \"/24\": \"\" is not an IPv4 or IPv6 address");
  CHECK(target_error("10.0.0.0/24:80") ==
        "invalid target \"10.0.0.0/24:80\": a CIDR block takes no port; the port list applies "
        "to every address");
  CHECK(target_error("2001:db8::/120:80") ==
        "invalid target \"2001:db8::/120:80\": a CIDR block takes no port; the port list "
        "applies to every address");
  CHECK(target_error("[2001:db8::/120]:80") ==
        "invalid target \"[2001:db8::/120]:80\": write a CIDR block without brackets; a block "
        "takes no port");
}

TEST_CASE("probe_targets: read_targets skips comments and blank lines") {
  auto specs = read_text(
      "# hosts to check\n"
      "\n"
      "db:5432\n"
      "   web1 web2\t[::1]:443   # trailing comment\n"
      "\t\n"
      "10.0.0.0/30#no space before the comment\n"
      "   # indented comment\n"
      "last");
  CHECK(texts_of(specs) ==
        std::vector<std::string>{"db:5432", "web1", "web2", "[::1]:443", "10.0.0.0/30", "last"});
  CHECK(specs[0].port == 5432);
  CHECK(specs[3].host == "::1");
  CHECK(specs[4].block.has_value());
}

TEST_CASE("probe_targets: read_targets with CRLF line endings") {
  auto specs = read_text("db:22\r\n\r\n# comment\r\nweb:80 # note\r\n10.0.0.1\r\n");
  CHECK(texts_of(specs) == std::vector<std::string>{"db:22", "web:80", "10.0.0.1"});
  CHECK(specs[0].port == 22);
}

TEST_CASE("probe_targets: read_targets of an empty or comment-only input") {
  CHECK(read_text("").empty());
  CHECK(read_text("\n\n   \n").empty());
  CHECK(read_text("# nothing here\n#\n").empty());
}

TEST_CASE("probe_targets: read_targets errors name the source and line") {
  CHECK(read_error("db\n\n# c\nweb:0\n") ==
        "targets.txt:4: invalid target \"web:0\": port 0 is out of range 1-65535");
  CHECK(read_error("db\r\nok another:70000\r\n") ==
        "targets.txt:2: invalid target \"another:70000\": port 70000 is out of range 1-65535");
  CHECK(read_error("10.0.0.0/24:80") ==
        "targets.txt:1: invalid target \"10.0.0.0/24:80\": a CIDR block takes no port; the port "
        "list applies to every address");
  CHECK(read_error("a,b") ==
        "targets.txt:1: invalid target \"a,b\": \"a,b\" is not a host name or IP address");
  std::string long_line = "db\n" + std::string(sockkit::kMaxTargetLine + 1, 'a') + "\n";
  CHECK(read_error(long_line) == "targets.txt:2: the line is longer than 4096 bytes");
  // A long comment is still a long line; one of exactly the limit is fine.
  std::string at_limit = "db #" + std::string(sockkit::kMaxTargetLine - 4, 'x') + "\n";
  CHECK(texts_of(read_text(at_limit)) == std::vector<std::string>{"db"});
}

TEST_CASE("probe_targets: read_targets from a pipe") {
  std::array<int, 2> fds{};
  REQUIRE(::pipe2(fds.data(), O_CLOEXEC) == 0);
  sockkit::Fd reader(fds[0]);
  sockkit::Fd writer(fds[1]);
  std::string text = "# from stdin\n127.0.0.1:22\n::1\n";
  REQUIRE(::write(writer.get(), text.data(), text.size()) == static_cast<ssize_t>(text.size()));
  writer.reset();
  auto specs = read_targets(reader.get(), "-");
  CHECK(texts_of(specs) == std::vector<std::string>{"127.0.0.1:22", "::1"});
}

TEST_CASE("probe_targets: read_targets from a non-blocking pipe fed by another thread") {
  std::array<int, 2> fds{};
  REQUIRE(::pipe2(fds.data(), O_CLOEXEC | O_NONBLOCK) == 0);
  sockkit::Fd reader(fds[0]);
  sockkit::Fd writer(fds[1]);
  std::jthread feeder([&writer] {
    for (int i = 0; i < 3; ++i) {
      std::this_thread::sleep_for(std::chrono::milliseconds(10));
      auto line = fmt::format("host{}\n", i);
      (void)::write(writer.get(), line.data(), line.size());
    }
    writer.reset();
  });
  auto specs = read_targets(reader.get(), "-");
  CHECK(texts_of(specs) == std::vector<std::string>{"host0", "host1", "host2"});
}

TEST_CASE("probe_targets: read_targets names the source on a read error") {
  sockkit::Fd fd(::open("/tmp", O_RDONLY | O_DIRECTORY | O_CLOEXEC));
  REQUIRE(fd.valid());
  auto what = error_of([&] { (void)read_targets(fd.get(), "/tmp"); });
  CHECK(what.find("cannot read /tmp: ") != std::string::npos);
}

namespace {

// CPU time of this thread: a parallel ctest run on a small machine stretches wall time.
std::chrono::nanoseconds thread_cpu_time() {
  timespec now{};
  REQUIRE(::clock_gettime(CLOCK_THREAD_CPUTIME_ID, &now) == 0);
  return std::chrono::seconds(now.tv_sec) + std::chrono::nanoseconds(now.tv_nsec);
}

}  // namespace

TEST_CASE("probe_targets: read_targets of 10000 targets is fast") {
  std::string text;
  for (int i = 0; i < 5000; ++i) {
    text += fmt::format("host-{}.example.com:{}  10.0.{}.{} # n\n", i, i + 1, i / 256, i % 256);
  }
  auto fd = memory_file(text);
  auto best = std::chrono::nanoseconds::max();
  for (int round = 0; round < 3; ++round) {
    REQUIRE(::lseek(fd.get(), 0, SEEK_SET) == 0);
    auto start = thread_cpu_time();
    auto specs = read_targets(fd.get(), "big.txt");
    best = std::min(best, thread_cpu_time() - start);
    REQUIRE(specs.size() == 10000);
    CHECK(specs[9998].port == 5000);
    CHECK(specs[9999].text == "10.0.19.135");
  }
  MESSAGE("read_targets of 10000 targets: ",
          std::chrono::duration_cast<std::chrono::microseconds>(best).count(), " us of CPU");
#if defined(__SANITIZE_ADDRESS__) || defined(__SANITIZE_THREAD__) || !defined(__OPTIMIZE__)
  CHECK(best < std::chrono::milliseconds(500));
#else
  CHECK(best < std::chrono::milliseconds(50));
#endif
}

TEST_CASE("probe_targets: expand_targets of an IPv4 /30 includes network and broadcast") {
  auto hosts = expand_targets(specs_of({"10.0.0.4/30"}), {});
  CHECK(names_of(hosts) ==
        std::vector<std::string>{"10.0.0.4", "10.0.0.5", "10.0.0.6", "10.0.0.7"});
  for (const auto& host : hosts) {
    CAPTURE(host.name);
    CHECK(host.error.empty());
    CHECK(host.address.to_string() == host.name + ":0");
    CHECK_FALSE(host.port.has_value());
  }
}

TEST_CASE("probe_targets: expand_targets of an IPv6 /126 and a /32") {
  auto hosts = expand_targets(specs_of({"2001:db8::ff/126", "192.0.2.9/32"}), {});
  CHECK(names_of(hosts) == std::vector<std::string>{"2001:db8::fc", "2001:db8::fd", "2001:db8::fe",
                                                    "2001:db8::ff", "192.0.2.9"});
  CHECK(hosts[0].address.family() == AF_INET6);
  CHECK(hosts[0].address.to_string() == "[2001:db8::fc]:0");
  CHECK(hosts[4].address.family() == AF_INET);
}

TEST_CASE("probe_targets: expand_targets keeps the input order and the ports") {
  FakeResolver fake({{"db", "192.0.2.10"}, {"web", "2001:db8::80"}});
  ExpandOptions options;
  options.resolver = fake.get();
  auto hosts = expand_targets(
      specs_of({"web:80", "10.0.0.0/31", "db:5432", "127.0.0.1:22", "[::1]:443", "db"}), options);
  REQUIRE(hosts.size() == 7);
  CHECK(names_of(hosts) ==
        std::vector<std::string>{"web", "10.0.0.0", "10.0.0.1", "db", "127.0.0.1", "::1", "db"});
  CHECK(hosts[0].address.to_string() == "[2001:db8::80]:0");
  CHECK(hosts[0].port == 80);
  CHECK(hosts[3].address.to_string() == "192.0.2.10:0");
  CHECK(hosts[3].port == 5432);
  CHECK(hosts[4].address.to_string() == "127.0.0.1:0");
  CHECK(hosts[4].port == 22);
  CHECK(hosts[5].address.to_string() == "[::1]:0");
  CHECK(hosts[5].port == 443);
  CHECK(hosts[6].address.to_string() == "192.0.2.10:0");
  CHECK_FALSE(hosts[6].port.has_value());
  for (const auto& host : hosts) CHECK(host.error.empty());
  // Literals never reach the resolver.
  CHECK(fake.calls("127.0.0.1") == 0);
  CHECK(fake.calls("::1") == 0);
}

TEST_CASE("probe_targets: expand_targets resolves each name once") {
  FakeResolver fake({{"localhost", "127.0.0.1"}, {"db", "192.0.2.10"}});
  ExpandOptions options;
  options.resolver = fake.get();
  auto hosts = expand_targets(
      specs_of({"localhost", "localhost:22", "db", "localhost:80", "db:5432", "localhost"}),
      options);
  REQUIRE(hosts.size() == 6);
  CHECK(fake.calls("localhost") == 1);
  CHECK(fake.calls("db") == 1);
  CHECK(fake.total_calls() == 2);
  for (const auto& host : hosts) {
    CAPTURE(host.name);
    CHECK(host.address.to_string() == (host.name == "db" ? "192.0.2.10:0" : "127.0.0.1:0"));
  }
}

TEST_CASE("probe_targets: expand_targets with the system resolver and localhost") {
  auto hosts = expand_targets(specs_of({"localhost", "localhost:22", "localhost"}),
                              {.version = IpVersion::v4});
  REQUIRE(hosts.size() == 3);
  for (const auto& host : hosts) {
    CAPTURE(host.error);
    CHECK(host.error.empty());
    CHECK(host.name == "localhost");
    CHECK(host.address.family() == AF_INET);
    CHECK(host.address.ip().bytes()[0] == 127);
    CHECK(host.address.port() == 0);
  }
  CHECK(hosts[1].port == 22);
}

TEST_CASE("probe_targets: an unresolvable name gets an error and the others go on") {
  auto start = std::chrono::steady_clock::now();
  auto hosts = expand_targets(
      specs_of({"127.0.0.1", "nonexistent.invalid:80", "localhost", "10.0.0.0/31"}), {});
  auto elapsed = std::chrono::steady_clock::now() - start;
  REQUIRE(hosts.size() == 5);
  CHECK(hosts[0].error.empty());
  CHECK(hosts[1].name == "nonexistent.invalid");
  CHECK(hosts[1].port == 80);
  CHECK(hosts[1].address.size() == 0);
  CAPTURE(hosts[1].error);
  CHECK(hosts[1].error.starts_with("cannot resolve \"nonexistent.invalid\": "));
  CHECK(hosts[2].error.empty());
  CHECK(hosts[2].address.size() > 0);
  CHECK(hosts[3].name == "10.0.0.0");
  CHECK(hosts[4].name == "10.0.0.1");
  CHECK(elapsed < std::chrono::seconds(5));
}

TEST_CASE("probe_targets: expand_targets under -4 and -6") {
  FakeResolver fake({{"db", "192.0.2.10"}});
  ExpandOptions v4;
  v4.version = IpVersion::v4;
  v4.resolver = fake.get();
  auto hosts = expand_targets(specs_of({"::1", "127.0.0.1", "2001:db8::/127", "10.0.0.0/31"}), v4);
  REQUIRE(hosts.size() == 5);
  CHECK(hosts[0].name == "::1");
  CHECK(hosts[0].error == "::1 is an IPv6 address, but -4 was given");
  CHECK(hosts[0].address.size() == 0);
  CHECK(hosts[1].error.empty());
  CHECK(hosts[2].name == "2001:db8::/127");
  CHECK(hosts[2].error == "2001:db8::/127 is an IPv6 block, but -4 was given");
  CHECK(names_of(hosts)[3] == "10.0.0.0");

  ExpandOptions v6;
  v6.version = IpVersion::v6;
  hosts = expand_targets(specs_of({"127.0.0.1:80", "::1", "10.0.0.0/8"}), v6);
  REQUIRE(hosts.size() == 3);
  CHECK(hosts[0].error == "127.0.0.1 is an IPv4 address, but -6 was given");
  CHECK(hosts[0].port == 80);
  CHECK(hosts[1].error.empty());
  CHECK(hosts[1].address.to_string() == "[::1]:0");
  // A block of the other family counts as one entry, not 16 million.
  CHECK(hosts[2].error == "10.0.0.0/8 is an IPv4 block, but -6 was given");
}

TEST_CASE("probe_targets: the resolver sees the IP version") {
  std::vector<IpVersion> seen;
  ExpandOptions options;
  options.version = IpVersion::v6;
  options.resolver = [&seen](const std::string&, IpVersion version) {
    seen.push_back(version);
    return std::vector<SockAddress>{};
  };
  auto hosts = expand_targets(specs_of({"db"}), options);
  REQUIRE(seen.size() == 1);
  CHECK(seen[0] == IpVersion::v6);
  CHECK(hosts[0].error == "cannot resolve \"db\": no IP address");
}

TEST_CASE("probe_targets: the max-hosts cap is checked before expanding") {
  std::atomic<int> calls{0};
  // Exactly at the limit is accepted.
  FakeResolver fake({{"db", "192.0.2.10"}});
  ExpandOptions options;
  options.max_hosts = 259;
  options.resolver = fake.get();
  auto hosts = expand_targets(specs_of({"10.0.0.0/24", "db", "10.1.0.0/31"}), options);
  CHECK(hosts.size() == 259);
  // One more is refused, before any name is resolved.
  CHECK(expand_error({"10.0.0.0/24", "db", "10.1.0.0/31", "web"}, 259, &calls) ==
        "the targets have 260 addresses in all, more than --max-hosts 259");
  CHECK(calls == 0);
  CHECK(expand_error({"db", "10.0.0.0/8"}, 65536, &calls) ==
        "10.0.0.0/8 has 16,777,216 addresses, more than --max-hosts 65,536");
  CHECK(calls == 0);
  CHECK(expand_error({"2001:db8::/32"}, 65536) ==
        "2001:db8::/32 has 2^96 addresses, more than --max-hosts 65,536");
  CHECK(expand_error({"::/0"}, 65536) == "::/0 has 2^128 addresses, more than --max-hosts 65,536");
  CHECK(expand_error({"0.0.0.0/0"}, 65536) ==
        "0.0.0.0/0 has 4,294,967,296 addresses, more than --max-hosts 65,536");
  // Blocks of 2^64 and more are refused whatever the cap.
  CHECK(expand_error({"2001:db8::/64"}, SIZE_MAX) ==
        "2001:db8::/64 has 2^64 addresses, more than --max-hosts 18,446,744,073,709,551,615");
  CHECK(expand_error({"db"}, 0) == "the targets have 1 address in all, more than --max-hosts 0");
  CHECK(expand_error({"192.0.2.1/32"}, 0) ==
        "the targets have 1 address in all, more than --max-hosts 0");
  CHECK(expand_targets({}, {.max_hosts = 0}).empty());
  // A block of the other family is one entry (its error), whatever its size.
  CHECK(expand_targets(specs_of({"2001:db8::/64"}), {.version = IpVersion::v4, .max_hosts = 1})
            .size() == 1);
}

TEST_CASE("probe_targets: the default cap admits a /16") {
  auto hosts = expand_targets(specs_of({"10.20.0.0/16"}), {});
  REQUIRE(hosts.size() == 65536);
  CHECK(hosts.front().name == "10.20.0.0");
  CHECK(hosts[256].name == "10.20.1.0");
  CHECK(hosts.back().name == "10.20.255.255");
  CHECK(expand_error({"10.20.0.0/16", "db"}, 65536) ==
        "the targets have 65,537 addresses in all, more than --max-hosts 65,536");
}

TEST_CASE("probe_targets: names resolve in parallel up to resolver_threads") {
  std::atomic<int> running{0};
  std::atomic<int> peak{0};
  std::atomic<int> calls{0};
  ExpandOptions options;
  options.resolver_threads = 4;
  options.resolver = [&](const std::string& host, IpVersion) {
    int now = ++running;
    int seen = peak.load();
    while (now > seen && !peak.compare_exchange_weak(seen, now)) {
    }
    ++calls;
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
    --running;
    auto last = static_cast<std::uint8_t>(host.back() - '0');
    std::array<std::uint8_t, 4> bytes{192, 0, 2, last};
    return std::vector<SockAddress>{SockAddress(IpAddress::v4(bytes), 0)};
  };
  std::vector<TargetSpec> specs;
  for (int i = 0; i < 10; ++i) specs.push_back(parse_target(fmt::format("host{}", i)));
  auto start = std::chrono::steady_clock::now();
  auto hosts = expand_targets(specs, options);
  auto elapsed = std::chrono::steady_clock::now() - start;
  CHECK(calls == 10);
  CHECK(peak <= 4);
  CHECK(peak > 1);
  CHECK(elapsed < std::chrono::milliseconds(10 * 20));
  REQUIRE(hosts.size() == 10);
  for (std::size_t i = 0; i < hosts.size(); ++i) {
    CHECK(hosts[i].name == fmt::format("host{}", i));
    CHECK(hosts[i].address.to_string() == fmt::format("192.0.2.{}:0", i));
  }

  // No threads asked for still resolves, one at a time.
  peak = 0;
  options.resolver_threads = 0;
  hosts = expand_targets(specs, options);
  CHECK(peak == 1);
  CHECK(hosts.back().address.to_string() == "192.0.2.9:0");
}

TEST_CASE("probe_targets: a resolver throwing any exception is an error for that name only") {
  ExpandOptions options;
  options.resolver = [](const std::string& host, IpVersion) -> std::vector<SockAddress> {
    if (host == "bad") throw std::runtime_error("resolver broke");
    return {SockAddress(*IpAddress::parse("192.0.2.1"), 0)};
  };
  auto hosts = expand_targets(specs_of({"good", "bad", "good2"}), options);
  REQUIRE(hosts.size() == 3);
  CHECK(hosts[0].error.empty());
  CHECK(hosts[1].error == "resolver broke");
  CHECK(hosts[2].error.empty());
}
