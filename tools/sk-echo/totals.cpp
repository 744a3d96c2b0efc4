#include "totals.hpp"

#include <fmt/format.h>

#include "sockkit/json.hpp"

namespace sk_echo {

using sockkit::Json;
using sockkit::cli::Format;

std::string_view end_name(End end) {
  switch (end) {
    case End::eof: return "eof";
    case End::reset: return "reset";
    case End::idle: return "idle";
    case End::max_bytes: return "max_bytes";
    case End::rejected: return "rejected";
    case End::shutdown: return "shutdown";
    case End::error: return "error";
  }
  return "error";
}

std::string render_connection(const ConnectionRecord& r, Format format) {
  if (format == Format::json) {
    Json j = {{"type", "connection"},         {"peer", r.peer.to_string()},
              {"local", r.local.to_string()}, {"protocol", "tcp"},
              {"bytes_received", r.bytes_in}, {"bytes_sent", r.bytes_out},
              {"duration_s", r.duration_s},   {"end", end_name(r.end)}};
    return sockkit::to_json_text(j, sockkit::JsonLayout::line);
  }
  return fmt::format("connection {} tcp end={} in={} out={} duration_ms={:.3f}\n", r.peer,
                     end_name(r.end), r.bytes_in, r.bytes_out, r.duration_s * 1000);
}

Totals::Totals(unsigned workers)
    : workers_(std::make_unique<WorkerTotals[]>(workers)), count_(workers) {}

TotalsSnapshot Totals::snapshot() const noexcept {
  TotalsSnapshot sum;
  sum.active = active_.load(std::memory_order_relaxed);
  for (unsigned w = 0; w < count_; ++w) {
    const WorkerTotals& t = workers_[w];
    sum.accepted += t.accepted.get();
    sum.bytes_in += t.bytes_in.get();
    sum.bytes_out += t.bytes_out.get();
    sum.accept_errors += t.accept_errors.get();
    for (std::size_t i = 0; i < kEndCount; ++i) sum.ends[i] += t.ends[i].get();
    sum.udp_in += t.udp_in.get();
    sum.udp_out += t.udp_out.get();
    sum.udp_bytes += t.udp_bytes.get();
    sum.udp_limited += t.udp_limited.get();
  }
  return sum;
}

std::string render_totals(const TotalsSnapshot& t, Format format) {
  if (format == Format::json) {
    Json ends = Json::object();
    for (std::size_t i = 0; i < kEndCount; ++i) {
      ends[std::string(end_name(static_cast<End>(i)))] = t.ends[i];
    }
    Json j = {{"type", "totals"},
              {"connections_accepted", t.accepted},
              {"connections_active", t.active},
              {"bytes_received", t.bytes_in},
              {"bytes_sent", t.bytes_out},
              {"accept_errors", t.accept_errors},
              {"ends", ends},
              {"udp",
               {{"datagrams_received", t.udp_in},
                {"datagrams_sent", t.udp_out},
                {"bytes", t.udp_bytes},
                {"rate_limited", t.udp_limited}}}};
    return sockkit::to_json_text(j, sockkit::JsonLayout::line);
  }
  std::string ends;
  for (std::size_t i = 0; i < kEndCount; ++i) {
    ends += fmt::format(" {}={}", end_name(static_cast<End>(i)), t.ends[i]);
  }
  return fmt::format(
      "totals: tcp accepted={} active={} in={} out={} accept_errors={}{}; udp in={} out={} "
      "bytes={} rate_limited={}\n",
      t.accepted, t.active, t.bytes_in, t.bytes_out, t.accept_errors, ends, t.udp_in, t.udp_out,
      t.udp_bytes, t.udp_limited);
}

std::string render_listening(const sockkit::SockAddress& address, std::string_view protocol,
                             Format format) {
  if (format == Format::json) {
    Json j = {{"type", "listening"}, {"local", address.to_string()}, {"protocol", protocol}};
    return sockkit::to_json_text(j, sockkit::JsonLayout::line);
  }
  return fmt::format("listening on {} {}\n", address, protocol);
}

}  // namespace sk_echo
