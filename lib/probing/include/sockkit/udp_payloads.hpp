// What to send to a UDP port so that the service behind it answers. A closed UDP
// port says so with an ICMP error, but an open one is silent unless it receives a
// request it understands; for a few well-known services we send a valid one.
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>
#include <string_view>

#include "sockkit/export.hpp"

SOCKKIT_API_BEGIN

namespace sockkit {

// The request for the service usually on `port`, or an empty span (send an empty
// datagram) when there is none:
//   53   DNS: a standard query, RD=0, id 0x534b, for the root "." type NS class IN (17 bytes)
//   123  NTP: a version 4 client request (LI=0 VN=4 Mode=3), 48 bytes
//   161  SNMP: a v2c GetRequest, community "public", for sysDescr.0 (1.3.6.1.2.1.1.1.0)
//   1900 SSDP: M-SEARCH * HTTP/1.1 for ssdp:all, MX 1
// The bytes are static: the span stays valid for the life of the program.
[[nodiscard]] std::span<const std::byte> udp_probe_payload(std::uint16_t port) noexcept;

// "dns", "ntp", "snmp", "ssdp" for the ports above; "" for the others.
[[nodiscard]] std::string_view udp_probe_name(std::uint16_t port) noexcept;

}  // namespace sockkit

SOCKKIT_API_END
