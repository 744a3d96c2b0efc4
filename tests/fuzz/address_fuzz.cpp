// Address literals and CIDR blocks: IpAddress::parse and Cidr::parse.
//   An address prints to text that parses back to it; a v4-mapped address unmaps to
//   IPv4. A block has a prefix within its family's range, prints and parses back to
//   itself, contains its first and last address (and not the one after the last) and
//   matches IPv4 peers of dual-stack sockets (v4-mapped) when it is an IPv4 block.
#include <algorithm>
#include <array>
#include <limits>

#include "fuzz.hpp"
#include "sockkit/address.hpp"
#include "sockkit/error.hpp"

namespace {

sockkit::IpAddress mapped(const sockkit::IpAddress& v4) {
  std::array<std::uint8_t, 16> raw{};
  raw[10] = 0xff;
  raw[11] = 0xff;
  auto b = v4.bytes();
  for (std::size_t i = 0; i < 4; ++i) raw[12 + i] = b[i];
  return sockkit::IpAddress::v6(raw);
}

sockkit::IpAddress next(const sockkit::IpAddress& addr) {
  std::array<std::uint8_t, 16> raw{};
  auto b = addr.bytes();
  std::copy(b.begin(), b.end(), raw.begin());
  for (std::size_t i = b.size(); i-- > 0;) {
    if (++raw[i] != 0) break;
  }
  if (addr.is_v4()) return sockkit::IpAddress::v4(std::span<const std::uint8_t, 4>(raw.data(), 4));
  return sockkit::IpAddress::v6(raw);
}

void check_address(std::string_view text) {
  auto addr = sockkit::IpAddress::parse(text);
  if (!addr) return;
  FUZZ_CHECK(addr->family() == AF_INET || addr->family() == AF_INET6);
  FUZZ_CHECK(addr->bytes().size() == (addr->is_v4() ? 4U : 16U));
  auto again = sockkit::IpAddress::parse(addr->to_string());
  FUZZ_CHECK(again && *again == *addr);
  if (addr->is_v4_mapped()) FUZZ_CHECK(addr->unmapped().is_v4());
  if (addr->is_v4()) FUZZ_CHECK(mapped(*addr).unmapped() == *addr);
}

void check_block(std::string_view text) {
  std::optional<sockkit::Cidr> block;
  try {
    block = sockkit::Cidr::parse(text);
  } catch (const sockkit::InputError& e) {
    FUZZ_CHECK(std::string_view(e.what()).starts_with("invalid CIDR block \""));
    return;
  }
  int max = block->network().is_v4() ? 32 : 128;
  FUZZ_CHECK(block->prefix() >= 0 && block->prefix() <= max);
  auto again = sockkit::Cidr::parse(block->to_string());
  FUZZ_CHECK(again == *block);
  FUZZ_CHECK(block->contains(block->network()));
  FUZZ_CHECK(block->at(0) == block->network());
  auto size = block->size();
  FUZZ_CHECK(size >= 1);
  if (max - block->prefix() < 64) {
    FUZZ_CHECK(size == std::uint64_t{1} << (max - block->prefix()));
  } else {
    FUZZ_CHECK(size == std::numeric_limits<std::uint64_t>::max());
  }
  auto last = block->at(size - 1);
  FUZZ_CHECK(last.family() == block->family());
  FUZZ_CHECK(block->contains(last));
  if (block->prefix() > 0 && max - block->prefix() < 64) {
    // With an exact size, the address after the last one is outside (it wraps to 0 only
    // for blocks with the top bit set, which do not hold 0).
    FUZZ_CHECK(!block->contains(next(last)));
  }
  if (block->network().is_v4()) FUZZ_CHECK(block->contains(mapped(last)));
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  auto text = fuzz::text(data, size);
  check_address(text);
  check_block(text);
  return 0;
}
