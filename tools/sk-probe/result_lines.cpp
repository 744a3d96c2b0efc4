#include "result_lines.hpp"

#include <charconv>

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
      {"host", "address", "port", "protocol", "state", "rtt_ms", "service", "reason", "banner"});
}

void ResultLines::append(std::string& out, const Result& r) const {
  switch (format_) {
    case OutputFormat::text:
    case OutputFormat::prom: return;  // prom: not offered, resolved_format refuses it
    case OutputFormat::json: return append_json(out, r);
    case OutputFormat::csv: return append_csv(out, r);
    case OutputFormat::grep: return append_grep(out, r);
  }
}

namespace {

// Numbers appended with to_chars: fmt's format_to through a back_inserter copies each
// line through a buffer of its own, a cost every one of 65,535 lines would pay.
template <typename Number>
void append_number(std::string& out, Number value) {
  char digits[32];
  auto end = std::to_chars(digits, digits + sizeof digits, value).ptr;
  out.append(digits, end);
}

// Milliseconds with three decimals, as the text table and CSV show them.
void append_ms(std::string& out, double ms) {
  char digits[32];
  auto end = std::to_chars(digits, digits + sizeof digits, ms, std::chars_format::fixed, 3).ptr;
  out.append(digits, end);
}

}  // namespace

void ResultLines::append_grep(std::string& out, const Result& r) const {
  out += host_[r.host];
  out += ' ';
  append_number(out, r.port);
  out += plan_.udp ? " udp " : " tcp ";
  out += state_name(r.state);
  out += '\n';
}

// CSV is read by people in a spreadsheet: the banner is the terminal's escaped text
// (\t, \r, \n, \\, \xHH; the trailing line break dropped), one row per result.
void ResultLines::append_csv(std::string& out, const Result& r) const {
  out += host_[r.host];
  out += ',';
  out += addr_[r.host];
  out += ',';
  append_number(out, r.port);
  out += plan_.udp ? ",udp," : ",tcp,";
  out += state_name(r.state);
  out += ',';
  if (r.rtt_ms >= 0) append_ms(out, r.rtt_ms);
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
  out += R"({"type":"result","host":)";
  out += host_[r.host];
  out += R"(,"address":)";
  out += addr_[r.host];
  out += R"(,"port":)";
  append_number(out, r.port);
  out += plan_.udp ? R"(,"protocol":"udp","state":")" : R"(,"protocol":"tcp","state":")";
  out += state_name(r.state);
  out += R"(","rtt_ms":)";
  if (r.rtt_ms >= 0) {
    append_number(out, r.rtt_ms);  // the shortest form that reads back the same
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
  out += R"(,"attempts":)";
  append_number(out, unsigned{r.attempts});
  out += R"(,"reason":)";
  sockkit::append_json_string(out, reason_of(r));
  out += R"(,"error":)";
  if (r.error != 0) {
    sockkit::append_json_string(out, sockkit::errno_name(r.error));
  } else {
    out += "null";
  }
  out += R"(,"icmp":)";
  if (r.icmp_type >= 0) {
    out += R"({"type":)";
    append_number(out, r.icmp_type);
    out += R"(,"code":)";
    append_number(out, r.icmp_code);
    out += r.icmp6 ? R"(,"v6":true})" : R"(,"v6":false})";
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
