#include "result_lines.hpp"

#include <iterator>

#include <fmt/format.h>

#include "sockkit/csv.hpp"
#include "sockkit/error.hpp"
#include "sockkit/escape.hpp"
#include "sockkit/json.hpp"
#include "sockkit/top_ports.hpp"

namespace sk_probe {

bool shows_banner(const ScanPlan& plan, const Result& r) {
  if (r.state != State::open) return false;
  return plan.banner || (plan.udp && !r.banner.empty());
}

ResultLines::ResultLines(const ScanPlan& plan, OutputFormat format) : plan_(plan), format_(format) {
  if (format == OutputFormat::text) return;
  host_.reserve(plan.hosts.size());
  addr_.reserve(plan.hosts.size());
  for (const auto& host : plan.hosts) {
    auto addr = host.address.ip().to_string();
    std::string name, address;
    switch (format) {
      case OutputFormat::json:
        sockkit::append_json_string(name, host.name);
        sockkit::append_json_string(address, addr);
        break;
      case OutputFormat::csv:
        name = sockkit::csv_field(host.name);
        address = sockkit::csv_field(addr);
        break;
      default: name = host.name; address = addr;
    }
    host_.push_back(std::move(name));
    addr_.push_back(std::move(address));
  }
}

std::string ResultLines::csv_header() {
  return sockkit::csv_row(
      {"host", "addr", "port", "proto", "state", "rtt_ms", "service", "reason", "banner"});
}

void ResultLines::append(std::string& out, const Result& r) const {
  switch (format_) {
    case OutputFormat::text: return;
    case OutputFormat::json: return append_json(out, r);
    case OutputFormat::csv: return append_csv(out, r);
    case OutputFormat::grep: return append_grep(out, r);
  }
}

void ResultLines::append_grep(std::string& out, const Result& r) const {
  fmt::format_to(std::back_inserter(out), "{} {} {} {}\n", host_[r.host], r.port,
                 plan_.udp ? "udp" : "tcp", state_name(r.state));
}

// CSV is read by people in a spreadsheet: the banner is the terminal's escaped text
// (\t, \r, \n, \\, \xHH; the trailing line break dropped), one row per result.
void ResultLines::append_csv(std::string& out, const Result& r) const {
  auto it = std::back_inserter(out);
  fmt::format_to(it, "{},{},{},{},{},", host_[r.host], addr_[r.host], r.port,
                 plan_.udp ? "udp" : "tcp", state_name(r.state));
  if (r.rtt_ms >= 0) fmt::format_to(it, "{:.3f}", r.rtt_ms);
  out += ',';
  out += sockkit::csv_field(sockkit::service_name(r.port, plan_.udp));
  out += ',';
  out += sockkit::csv_field(reason_of(r));
  out += ',';
  if (!r.banner.empty()) out += sockkit::csv_field(sockkit::escape_bytes(r.banner));
  out += '\n';
}

// Built by hand in the order the man page documents: a Json value per line costs a
// dozen allocations, which a scan of every port would pay 65,535 times.
void ResultLines::append_json(std::string& out, const Result& r) const {
  auto it = std::back_inserter(out);
  fmt::format_to(
      it, R"({{"type":"result","host":{},"addr":{},"port":{},"proto":"{}","state":"{}","rtt_ms":)",
      host_[r.host], addr_[r.host], r.port, plan_.udp ? "udp" : "tcp", state_name(r.state));
  if (r.rtt_ms >= 0) {
    fmt::format_to(it, "{}", r.rtt_ms);
  } else {
    out += "null";
  }
  out += R"(,"service":)";
  auto service = sockkit::service_name(r.port, plan_.udp);
  if (service.empty()) {
    out += "null";
  } else {
    sockkit::append_json_string(out, service);
  }
  fmt::format_to(it, R"(,"attempts":{},"reason":)", r.attempts);
  sockkit::append_json_string(out, reason_of(r));
  out += R"(,"error":)";
  if (r.error != 0) {
    sockkit::append_json_string(out, sockkit::errno_name(r.error));
  } else {
    out += "null";
  }
  out += R"(,"icmp":)";
  if (r.icmp_type >= 0) {
    fmt::format_to(it, R"({{"type":{},"code":{},"v6":{}}})", r.icmp_type, r.icmp_code, r.icmp6);
  } else {
    out += "null";
  }
  // The bytes twice: as text for reading (JSON's escapes only), and in base64 for a
  // script that needs them exactly (a NUL, a byte that is not UTF-8).
  if (shows_banner(plan_, r)) {
    out += R"(,"banner":)";
    sockkit::append_json_string(out, r.banner);
    out += R"(,"banner_base64":")";
    out += sockkit::base64(r.banner);
    out += "\"}\n";
  } else {
    out += R"(,"banner":null,"banner_base64":null})";
    out += '\n';
  }
}

}  // namespace sk_probe
