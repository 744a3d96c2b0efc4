#include "sockkit/fd.hpp"

#include <fcntl.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <ostream>
#include <string>
#include <system_error>
#include <type_traits>

#include <doctest/doctest.h>

namespace {

using sockkit::Fd;

static_assert(!std::is_copy_constructible_v<Fd>);
static_assert(!std::is_copy_assignable_v<Fd>);
static_assert(std::is_nothrow_move_constructible_v<Fd>);
static_assert(std::is_nothrow_move_assignable_v<Fd>);

bool is_open(int fd) {
  return ::fcntl(fd, F_GETFD) != -1;
}

bool is_closed(int fd) {
  errno = 0;
  return ::fcntl(fd, F_GETFD) == -1 && errno == EBADF;
}

struct Pipe {
  int read = -1;
  int write = -1;
  Pipe() {
    int fds[2];
    REQUIRE(::pipe(fds) == 0);
    read = fds[0];
    write = fds[1];
  }
};

}  // namespace

TEST_CASE("fd: a default Fd holds nothing") {
  Fd fd;
  CHECK(fd.get() == -1);
  CHECK_FALSE(fd.valid());
  CHECK_FALSE(static_cast<bool>(fd));
}

TEST_CASE("fd: closes its descriptor on destruction") {
  Pipe p;
  {
    Fd r(p.read);
    Fd w(p.write);
    CHECK(r.get() == p.read);
    CHECK(r.valid());
    CHECK(static_cast<bool>(w));
    CHECK(is_open(p.read));
    CHECK(is_open(p.write));
  }
  CHECK(is_closed(p.read));
  CHECK(is_closed(p.write));
}

TEST_CASE("fd: moving transfers ownership - the source is left empty") {
  Pipe p;
  Fd w(p.write);
  {
    Fd a(p.read);
    Fd b(std::move(a));
    CHECK(a.get() == -1);  // NOLINT(bugprone-use-after-move): the moved-from state is the point
    CHECK_FALSE(a.valid());
    CHECK(b.get() == p.read);
    {
      Fd c;
      c = std::move(b);
      CHECK(b.get() == -1);  // NOLINT(bugprone-use-after-move)
      CHECK(c.get() == p.read);
      CHECK(is_open(p.read));
    }
    // c was destroyed; a and b own nothing, so nothing else is closed twice.
    CHECK(is_closed(p.read));
  }
  CHECK(is_open(p.write));
}

TEST_CASE("fd: move assignment closes the descriptor it replaces") {
  Pipe p;
  Fd target(p.read);
  Fd source(p.write);
  target = std::move(source);
  CHECK(is_closed(p.read));
  CHECK(is_open(p.write));
  CHECK(target.get() == p.write);
  CHECK(source.get() == -1);  // NOLINT(bugprone-use-after-move)
}

TEST_CASE("fd: self move assignment keeps the descriptor open") {
  Pipe p;
  Fd w(p.write);
  Fd fd(p.read);
  Fd& alias = fd;
  fd = std::move(alias);
  CHECK(fd.get() == p.read);
  CHECK(is_open(p.read));
}

TEST_CASE("fd: release gives up ownership without closing") {
  Pipe p;
  Fd w(p.write);
  int raw = -1;
  {
    Fd fd(p.read);
    raw = fd.release();
    CHECK(fd.get() == -1);
    CHECK_FALSE(fd.valid());
  }
  CHECK(raw == p.read);
  CHECK(is_open(raw));
  ::close(raw);
}

TEST_CASE("fd: reset closes the current descriptor and adopts another") {
  Pipe p;
  Fd fd(p.read);
  fd.reset(p.write);
  CHECK(is_closed(p.read));
  CHECK(fd.get() == p.write);
  CHECK(is_open(p.write));

  SUBCASE("reset to the same descriptor does not close it") {
    fd.reset(p.write);
    CHECK(is_open(p.write));
    CHECK(fd.get() == p.write);
  }
  SUBCASE("reset() with no argument closes and empties") {
    fd.reset();
    CHECK(is_closed(p.write));
    CHECK(fd.get() == -1);
    CHECK_FALSE(fd.valid());
  }
}

TEST_CASE("fd: make_socket sets FD_CLOEXEC") {
  SUBCASE("IPv4 stream") {
    Fd s = sockkit::make_socket(AF_INET, SOCK_STREAM);
    REQUIRE(s.valid());
    CHECK((::fcntl(s.get(), F_GETFD) & FD_CLOEXEC) != 0);
    int type = 0;
    socklen_t len = sizeof type;
    REQUIRE(::getsockopt(s.get(), SOL_SOCKET, SO_TYPE, &type, &len) == 0);
    CHECK(type == SOCK_STREAM);
  }
  SUBCASE("unix datagram, nonblocking flag kept") {
    Fd s = sockkit::make_socket(AF_UNIX, SOCK_DGRAM | SOCK_NONBLOCK);
    REQUIRE(s.valid());
    CHECK((::fcntl(s.get(), F_GETFD) & FD_CLOEXEC) != 0);
    CHECK((::fcntl(s.get(), F_GETFL) & O_NONBLOCK) != 0);
  }
}

TEST_CASE("fd: make_socket failure throws std::system_error with the errno") {
  SUBCASE("invalid domain") {
    try {
      (void)sockkit::make_socket(12345, SOCK_STREAM);
      FAIL("make_socket with an invalid domain did not throw");
    } catch (const std::system_error& e) {
      CHECK(e.code() == std::error_code(EAFNOSUPPORT, std::system_category()));
      std::string what = e.what();
      CHECK(what.starts_with("cannot create "));
      CHECK(what.ends_with(": " + std::system_category().message(EAFNOSUPPORT)));
      // An unknown family must not read "cannot create socket socket".
      CHECK(what.find("socket socket") == std::string::npos);
    }
  }
  SUBCASE("invalid type names the family and the type") {
    try {
      (void)sockkit::make_socket(AF_INET, 12345);
      FAIL("make_socket with an invalid type did not throw");
    } catch (const std::system_error& e) {
      CHECK(e.code().value() == EINVAL);
      CHECK(std::string(e.what()).starts_with("cannot create IPv4 unknown-type socket"));
    }
  }
  SUBCASE("invalid protocol for IPv6") {
    try {
      (void)sockkit::make_socket(AF_INET6, SOCK_STREAM, IPPROTO_UDP);
      FAIL("make_socket with a mismatched protocol did not throw");
    } catch (const std::system_error& e) {
      CHECK(e.code().value() == EPROTONOSUPPORT);
      CHECK(std::string(e.what()).starts_with("cannot create IPv6 stream socket: "));
    }
  }
}

TEST_CASE("fd: open_file sets O_CLOEXEC and its failure names the path") {
  Fd f = sockkit::open_file("/dev/null", O_RDONLY);
  REQUIRE(f.valid());
  CHECK((::fcntl(f.get(), F_GETFD) & FD_CLOEXEC) != 0);

  try {
    (void)sockkit::open_file("/nonexistent-sockkit-dir/file", O_RDONLY);
    FAIL("open_file of a missing path did not throw");
  } catch (const std::system_error& e) {
    CHECK(e.code() == std::error_code(ENOENT, std::system_category()));
    CHECK(std::string(e.what()) ==
          "cannot open /nonexistent-sockkit-dir/file: " + std::system_category().message(ENOENT));
  }
}
