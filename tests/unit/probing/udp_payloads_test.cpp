#include "sockkit/udp_payloads.hpp"

#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include <doctest/doctest.h>
#include <fmt/format.h>

using sockkit::udp_probe_name;
using sockkit::udp_probe_payload;

namespace {

std::vector<std::uint8_t> payload(std::uint16_t port) {
  std::vector<std::uint8_t> out;
  for (auto b : udp_probe_payload(port)) out.push_back(std::to_integer<std::uint8_t>(b));
  return out;
}

unsigned u16(const std::vector<std::uint8_t>& data, std::size_t at) {
  return (unsigned{data.at(at)} << 8U) | data.at(at + 1);
}

// One BER element (X.690): identifier, definite length (short or long form), contents.
struct Tlv {
  std::uint8_t tag = 0;
  std::span<const std::uint8_t> value;
  std::size_t size = 0;  // of the whole element, header included
};

// The element at the start of `data`; nullopt when the length runs past the data.
std::optional<Tlv> read_tlv(std::span<const std::uint8_t> data) {
  if (data.size() < 2) return std::nullopt;
  Tlv tlv;
  tlv.tag = data[0];
  std::size_t header = 2;
  std::size_t length = data[1];
  if (length & 0x80U) {
    std::size_t octets = length & 0x7fU;
    if (octets == 0 || octets > 4 || data.size() < 2 + octets) return std::nullopt;
    length = 0;
    for (std::size_t i = 0; i < octets; ++i) length = (length << 8U) | data[2 + i];
    header += octets;
  }
  if (data.size() - header < length) return std::nullopt;
  tlv.value = data.subspan(header, length);
  tlv.size = header + length;
  return tlv;
}

// The elements of a constructed value, which must fill it exactly.
std::vector<Tlv> children(const Tlv& parent) {
  std::vector<Tlv> out;
  auto rest = parent.value;
  while (!rest.empty()) {
    auto child = read_tlv(rest);
    REQUIRE(child.has_value());
    out.push_back(*child);
    rest = rest.subspan(child->size);
  }
  return out;
}

long integer_of(const Tlv& tlv) {
  REQUIRE(tlv.tag == 0x02);
  REQUIRE(!tlv.value.empty());
  long value = (tlv.value[0] & 0x80U) ? -1 : 0;
  for (auto b : tlv.value) value = static_cast<long>((static_cast<unsigned long>(value) << 8U) | b);
  return value;
}

std::string oid_of(const Tlv& tlv) {
  REQUIRE(tlv.tag == 0x06);
  REQUIRE(!tlv.value.empty());
  std::string out = fmt::format("{}.{}", tlv.value[0] / 40, tlv.value[0] % 40);
  unsigned long arc = 0;
  for (std::size_t i = 1; i < tlv.value.size(); ++i) {
    arc = (arc << 7U) | (tlv.value[i] & 0x7fU);
    if ((tlv.value[i] & 0x80U) == 0) {
      out += fmt::format(".{}", arc);
      arc = 0;
    }
  }
  return out;
}

}  // namespace

TEST_CASE("udp_payloads: DNS query for the root NS") {
  auto dns = payload(53);
  REQUIRE(dns.size() == 17);
  CHECK(u16(dns, 0) == 0x534b);          // fixed transaction id
  CHECK((dns[2] & 0x80U) == 0);          // QR: a query
  CHECK(((dns[2] >> 3U) & 0x0fU) == 0);  // OPCODE: standard query
  CHECK((dns[2] & 0x01U) == 0);          // RD=0
  CHECK(dns[3] == 0);                    // RA, Z, RCODE
  CHECK(u16(dns, 4) == 1);               // QDCOUNT
  CHECK(u16(dns, 6) == 0);               // ANCOUNT
  CHECK(u16(dns, 8) == 0);               // NSCOUNT
  CHECK(u16(dns, 10) == 0);              // ARCOUNT
  // QNAME: labels up to the empty one; then QTYPE and QCLASS end the datagram.
  std::size_t at = 12;
  while (dns.at(at) != 0) at += 1U + dns[at];
  CHECK(at == 12);  // the root: no label at all
  ++at;
  CHECK(u16(dns, at) == 2);      // NS
  CHECK(u16(dns, at + 2) == 1);  // IN
  CHECK(at + 4 == dns.size());
  CHECK(udp_probe_name(53) == "dns");
}

TEST_CASE("udp_payloads: NTP version 4 client request") {
  auto ntp = payload(123);
  REQUIRE(ntp.size() == 48);
  CHECK(ntp[0] == 0x23);
  CHECK((ntp[0] >> 6U) == 0);         // LI
  CHECK(((ntp[0] >> 3U) & 7U) == 4);  // VN
  CHECK((ntp[0] & 7U) == 3);          // Mode: client
  for (std::size_t i = 1; i < ntp.size(); ++i) CHECK(ntp[i] == 0);
  CHECK(udp_probe_name(123) == "ntp");
}

TEST_CASE("udp_payloads: SNMP v2c GetRequest for sysDescr.0") {
  auto snmp = payload(161);
  auto message = read_tlv(snmp);
  REQUIRE(message.has_value());
  CHECK(message->tag == 0x30);
  CHECK(message->size == snmp.size());  // the outer length covers the datagram exactly

  auto fields = children(*message);
  REQUIRE(fields.size() == 3);
  CHECK(integer_of(fields[0]) == 1);  // version: 1 is v2c
  CHECK(fields[1].tag == 0x04);
  CHECK(std::string(fields[1].value.begin(), fields[1].value.end()) == "public");
  CHECK(fields[2].tag == 0xa0);  // GetRequest-PDU

  auto pdu = children(fields[2]);
  REQUIRE(pdu.size() == 4);
  CHECK(integer_of(pdu[0]) > 0);   // request-id
  CHECK(integer_of(pdu[1]) == 0);  // error-status
  CHECK(integer_of(pdu[2]) == 0);  // error-index
  CHECK(pdu[3].tag == 0x30);       // VarBindList

  auto bindings = children(pdu[3]);
  REQUIRE(bindings.size() == 1);
  CHECK(bindings[0].tag == 0x30);
  auto binding = children(bindings[0]);
  REQUIRE(binding.size() == 2);
  CHECK(oid_of(binding[0]) == "1.3.6.1.2.1.1.1.0");
  CHECK(binding[1].tag == 0x05);  // NULL
  CHECK(binding[1].value.empty());
  CHECK(udp_probe_name(161) == "snmp");
}

TEST_CASE("udp_payloads: SSDP M-SEARCH") {
  auto bytes = udp_probe_payload(1900);
  std::string text;
  for (auto b : bytes) text += static_cast<char>(std::to_integer<unsigned char>(b));
  CHECK(text.starts_with("M-SEARCH * HTTP/1.1\r\n"));
  CHECK(text.ends_with("\r\n\r\n"));
  CHECK(text.find("\r\nHOST: 239.255.255.250:1900\r\n") != std::string::npos);
  CHECK(text.find("\r\nMAN: \"ssdp:discover\"\r\n") != std::string::npos);
  CHECK(text.find("\r\nMX: 1\r\n") != std::string::npos);
  CHECK(text.find("\r\nST: ssdp:all\r\n") != std::string::npos);
  CHECK(text.find('\0') == std::string::npos);
  CHECK(udp_probe_name(1900) == "ssdp");
}

TEST_CASE("udp_payloads: other ports get an empty datagram") {
  for (int port : {0, 1, 67, 80, 162, 443, 5353, 65535}) {
    CAPTURE(port);
    auto p = static_cast<std::uint16_t>(port);
    CHECK(udp_probe_payload(p).empty());
    CHECK(udp_probe_name(p).empty());
  }
}

TEST_CASE("udp_payloads: the span stays the same storage") {
  CHECK(udp_probe_payload(53).data() == udp_probe_payload(53).data());
}
