#include "sockkit/udp_payloads.hpp"

#include <array>

namespace sockkit {

namespace {

template <typename... Values>
constexpr std::array<std::byte, sizeof...(Values)> bytes(Values... values) {
  return {static_cast<std::byte>(values)...};
}

// The characters of a string literal, without its terminating NUL.
template <std::size_t N>
constexpr std::array<std::byte, N - 1> text_bytes(const char (&text)[N]) {
  std::array<std::byte, N - 1> out{};
  for (std::size_t i = 0; i + 1 < N; ++i) out[i] = static_cast<std::byte>(text[i]);
  return out;
}

// RFC 1035 section 4.1. Any DNS server answers this one: a recursive resolver with
// the root servers, an authoritative one with a referral or REFUSED.
constexpr auto kDns = bytes(0x53, 0x4b,  // ID 0x534b ("SK")
                            0x00, 0x00,  // QR=0 OPCODE=0 AA=0 TC=0 RD=0, RA=0 Z=0 RCODE=0
                            0x00, 0x01,  // QDCOUNT 1
                            0x00, 0x00,  // ANCOUNT
                            0x00, 0x00,  // NSCOUNT
                            0x00, 0x00,  // ARCOUNT
                            0x00,        // QNAME: the root, an empty label
                            0x00, 0x02,  // QTYPE NS
                            0x00, 0x01   // QCLASS IN
);

// RFC 5905 section 7.3: the first byte is LI (2 bits) VN (3 bits) Mode (3 bits),
// 0 4 3 -> 0b00'100'011; every other field of a client request may be zero.
constexpr auto kNtp = [] {
  std::array<std::byte, 48> out{};
  out[0] = std::byte{0x23};
  return out;
}();

// RFC 3416 GetRequest in an RFC 1901 v2c message, BER-encoded (X.690), every length
// in the short form:
//   Message SEQUENCE { version INTEGER 1 (v2c), community OCTET STRING "public",
//     GetRequest-PDU [0] { request-id INTEGER, error-status 0, error-index 0,
//       VarBindList SEQUENCE { VarBind SEQUENCE { OID 1.3.6.1.2.1.1.1.0, NULL } } } }
constexpr auto kSnmp =
    bytes(0x30, 0x29,                                      // Message SEQUENCE, 41 bytes
          0x02, 0x01, 0x01,                                // version 1 = v2c
          0x04, 0x06, 'p', 'u', 'b', 'l', 'i', 'c',        // community
          0xa0, 0x1c,                                      // GetRequest-PDU, 28 bytes
          0x02, 0x04, 0x53, 0x4b, 0x50, 0x52,              // request-id 0x534b5052 ("SKPR")
          0x02, 0x01, 0x00,                                // error-status
          0x02, 0x01, 0x00,                                // error-index
          0x30, 0x0e,                                      // VarBindList, 14 bytes
          0x30, 0x0c,                                      // VarBind, 12 bytes
          0x06, 0x08, 0x2b, 0x06, 0x01, 0x02, 0x01, 0x01,  // OID 1.3 (0x2b) .6.1.2.1.1
          0x01, 0x00,                                      //   .1.0: sysDescr.0
          0x05, 0x00                                       // value NULL
    );

// UPnP Device Architecture, SSDP discovery: a search for every device and service.
constexpr auto kSsdp = text_bytes(
    "M-SEARCH * HTTP/1.1\r\n"
    "HOST: 239.255.255.250:1900\r\n"
    "MAN: \"ssdp:discover\"\r\n"
    "MX: 1\r\n"
    "ST: ssdp:all\r\n"
    "\r\n");

}  // namespace

std::span<const std::byte> udp_probe_payload(std::uint16_t port) noexcept {
  switch (port) {
    case 53: return kDns;
    case 123: return kNtp;
    case 161: return kSnmp;
    case 1900: return kSsdp;
    default: return {};
  }
}

std::string_view udp_probe_name(std::uint16_t port) noexcept {
  switch (port) {
    case 53: return "dns";
    case 123: return "ntp";
    case 161: return "snmp";
    case 1900: return "ssdp";
    default: return {};
  }
}

}  // namespace sockkit
