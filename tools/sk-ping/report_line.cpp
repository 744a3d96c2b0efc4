// One line per attempt, in text as ping prints it, or as a JSON object.
#include <cerrno>
#include <cmath>

#include <fmt/format.h>

#include "report.hpp"
#include "sockkit/error.hpp"
#include "sockkit/escape.hpp"
#include "sockkit/json.hpp"

namespace sk_ping {

namespace {

// Why an unreachable or error attempt failed, in the library's words.
std::string why_failed(const AttemptResult& r) {
  auto why = sockkit::failure_reason(r.failure());
  // This host's answer, not a router's: say so, or the network is blamed.
  if (r.outcome == Outcome::unreachable && r.local && !r.icmp) why += ", no SYN sent";
  return why;
}

// What came back instead of the expected answer, C-escaped on one line. The escaper
// drops a trailing line break, which here is part of the answer: it is shown too.
void append_answer(const AttemptResult& r, std::string& out) {
  if (r.answer_bytes == 0) return;
  auto head = r.answer_head();
  auto body = head;
  while (!body.empty() && (body.back() == '\n' || body.back() == '\r')) body.remove_suffix(1);
  out += ", got \"";
  out += sockkit::escape_bytes(body);
  for (char c : head.substr(body.size())) out += c == '\n' ? "\\n" : "\\r";
  if (r.answer_bytes > head.size()) {
    fmt::format_to(std::back_inserter(out), "\" (the first {} of {} bytes)", head.size(),
                   r.answer_bytes);
  } else {
    fmt::format_to(std::back_inserter(out), "\" ({} byte{})", r.answer_bytes,
                   r.answer_bytes == 1 ? "" : "s");
  }
}

void append_close(const AttemptResult& r, std::string& out) {
  auto states = [&] {
    std::string text;
    for (std::size_t i = 0; i < r.close_state_count; ++i) {
      if (i > 0) text += " > ";
      text += sockkit::tcp_state_name(r.close_states[i]);
    }
    return text;
  };
  switch (r.close_end) {
    case CloseEnd::none: return;
    case CloseEnd::fin:
      fmt::format_to(std::back_inserter(out), " close={:.3f} ms ({})", r.close_ms, states());
      return;
    case CloseEnd::reset: out += " close: the peer answered our FIN with a reset"; return;
    case CloseEnd::timeout:
      out += " close: no FIN from the peer in time";
      if (r.close_bytes > 0) {
        fmt::format_to(std::back_inserter(out), ", it kept sending ({} bytes after our FIN)",
                       r.close_bytes);
      }
      fmt::format_to(std::back_inserter(out), " ({})", states());
      return;
  }
}

// The kernel's timer decides when a SYN goes out again; the schedule shows where the
// time went (a 2,004 ms handshake on a fast path is two lost SYNs, not a slow server).
void append_retrans(const Plan& plan, const AttemptResult& r, std::string& out) {
  if (r.syn_retrans == 0) return;
  fmt::format_to(std::back_inserter(out), " syn_retrans={} (SYNs sent at 0", r.syn_retrans);
  for (unsigned k = 1; k <= std::min(r.syn_retrans, 8U); ++k) {
    fmt::format_to(std::back_inserter(out), ", {:g}",
                   syn_retry_offset_s(k, plan.syn_linear_timeouts));
  }
  out += r.syn_retrans > 8 ? ", ... s)" : " s)";
}

}  // namespace

void format_text_line(const Plan& plan, const AttemptResult& r, std::string& out) {
  auto it = std::back_inserter(out);
  fmt::format_to(it, "seq={} {} {}", r.seq, r.peer, outcome_name(r.outcome));
  switch (r.outcome) {
    case Outcome::connected:
    case Outcome::reply:
      fmt::format_to(it, " time={:.3f} ms", r.rtt_ms);
      if (r.kernel_rtt_ms >= 0) fmt::format_to(it, " srtt={:.3f} ms", r.kernel_rtt_ms);
      if (r.ttfb_ms >= 0) fmt::format_to(it, " first_byte={:.3f} ms", r.ttfb_ms);
      if (r.duplicate) out += " (duplicate)";
      if (r.late) out += " (late)";
      if (r.reordered) out += " (reordered)";
      append_close(r, out);
      break;
    case Outcome::refused:
      if (r.icmp && plan.udp) {
        fmt::format_to(it, ": {}", sockkit::describe_icmp(*r.icmp));
      } else {
        fmt::format_to(it, " (reset) time={:.3f} ms", r.rtt_ms);
      }
      break;
    case Outcome::timeout:
      fmt::format_to(it, ": no answer in {:.0f} ms",
                     std::chrono::duration<double, std::milli>(plan.timeout).count());
      if (!plan.udp)
        fmt::format_to(it, " ({} SYN{} sent)", r.syn_retrans + 1, r.syn_retrans ? "s" : "");
      break;
    case Outcome::unreachable:
      fmt::format_to(it, ": {}", why_failed(r));
      if (r.rtt_ms >= 0) fmt::format_to(it, " time={:.3f} ms", r.rtt_ms);
      break;
    case Outcome::error:
      fmt::format_to(it, ": {}", r.note.empty() ? why_failed(r) : std::string(r.note));
      break;
    case Outcome::mismatch:
      fmt::format_to(it, ": {}", r.note);
      append_answer(r, out);
      if (r.error != 0) fmt::format_to(it, " ({})", sockkit::errno_name(r.error));
      fmt::format_to(it, " time={:.3f} ms", r.rtt_ms);
      break;
    case Outcome::in_flight: break;
  }
  if (r.dns_ms >= 0) fmt::format_to(it, " dns={:.3f} ms", r.dns_ms);
  if (!plan.udp && r.outcome != Outcome::timeout) append_retrans(plan, r, out);
}

void format_json_line(const Plan& plan, const AttemptResult& r, std::string& out) {
  using sockkit::Json;
  auto ms = [](double v) { return v >= 0 ? Json(std::round(v * 1e6) / 1e6) : Json(nullptr); };
  Json j = {{"type", "probe"},
            {"seq", r.seq},
            {"timestamp_s", std::round(r.timestamp_s * 1e6) / 1e6},
            {"address", r.peer.ip().to_string()},
            {"port", r.peer.port()},
            {"result", outcome_name(r.outcome)},
            {"rtt_ms", ms(r.rtt_ms)}};
  if (!plan.udp) {
    j["kernel_rtt_ms"] = ms(r.kernel_rtt_ms);
    j["syn_retrans"] = r.syn_retrans;
  }
  if (!succeeded(r.outcome)) {
    std::string why;
    if (!r.note.empty()) {
      why = r.note;
    } else if (r.outcome == Outcome::unreachable || (r.outcome == Outcome::error && r.error != 0)) {
      why = why_failed(r);
    } else if (r.error != 0) {
      why = fmt::format("{}", sockkit::Errno{r.error});
    }
    // One shape for an error in every command: the errno's name, and a sentence.
    j["error"] = r.error != 0 ? Json(sockkit::errno_name(r.error)) : Json(nullptr);
    j["message"] = why.empty() ? Json(nullptr) : Json(why);
    if (r.icmp)
      j["icmp"] = Json{{"type", r.icmp->type}, {"code", r.icmp->code}, {"v6", r.icmp->v6}};
  }
  if (r.dns_ms >= 0) j["dns_ms"] = ms(r.dns_ms);
  if (plan.send || plan.expect) j["ttfb_ms"] = ms(r.ttfb_ms);
  if (plan.expect) j["matched"] = r.matched;
  if (r.outcome == Outcome::mismatch) {
    j["answer"] = std::string(r.answer_head());
    j["answer_bytes"] = r.answer_bytes;
  }
  if (plan.close && r.outcome == Outcome::connected) {
    j["close_ms"] = ms(r.close_ms);
    j["close_result"] = close_end_name(r.close_end);
    Json states = Json::array();
    for (std::size_t i = 0; i < r.close_state_count; ++i) {
      states.push_back(sockkit::tcp_state_name(r.close_states[i]));
    }
    j["close_states"] = states;
    j["close_bytes_received"] = r.close_bytes;
    // A timer's time left is in whole ms everywhere, as sk-states --list shows expires_ms.
    if (r.time_wait_left_s >= 0) j["time_wait_expires_ms"] = std::llround(r.time_wait_left_s * 1e3);
  }
  if (plan.udp) {
    j["duplicate"] = r.duplicate;
    j["reordered"] = r.reordered;
    j["late"] = r.late;
  }
  out += sockkit::to_json_text(j, sockkit::JsonLayout::line);
  if (!out.empty() && out.back() == '\n') out.pop_back();
}

}  // namespace sk_ping
