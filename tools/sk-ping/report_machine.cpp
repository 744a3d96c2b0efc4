// The summary for programs: one JSON object, or a Prometheus exposition with the
// connect phase kept apart from DNS as blackbox_exporter's probes do not. Every timing
// statistic takes the library's one shape (sockkit/stats_render.hpp).
#include <cmath>

#include <fmt/format.h>

#include "report.hpp"
#include "sockkit/json.hpp"
#include "sockkit/prometheus.hpp"
#include "sockkit/stats_json.hpp"
#include "sockkit/stats_render.hpp"

namespace sk_ping {

std::string json_summary(const Plan& plan, const sockkit::SockAddress& peer, const Tally& t) {
  using sockkit::Json;
  Json j = {{"type", "summary"},
            {"target", plan.target},
            {"address", peer.ip().to_string()},
            {"port", peer.port()},
            {"protocol", plan.udp ? "udp" : "tcp"},
            {"sent", t.sent}};
  j[plan.udp ? "received" : "connected"] = t.answered();
  j["failed"] = t.failed();
  Json failures = Json::object();
  for (auto outcome : kFailures) {
    if (plan.udp && outcome == Outcome::mismatch) continue;
    failures[std::string(outcome_name(outcome))] = t.count(outcome);
  }
  j["failures"] = failures;
  j["loss_pct"] = std::round(t.loss_pct() * 1000) / 1000;
  j["rtt_ms"] = sockkit::stats_json(t.rtt);
  j["dns_ms"] = sockkit::stats_json(t.dns);
  if (plan.udp) {
    j["duplicates"] = t.duplicates;
    j["reordered"] = t.reordered;
    j["late"] = t.late;
  } else {
    j["syn_sent"] = t.syn_sent;
    j["syn_retrans"] = t.syn_retrans;
    j["syn_loss_pct"] = std::round(t.syn_loss_pct() * 1000) / 1000;
    j["retransmitted_attempts"] = t.retransmitted_attempts;
  }
  if (plan.send || plan.expect) j["ttfb_ms"] = sockkit::stats_json(t.ttfb);
  if (plan.close) {
    j["close_ms"] = sockkit::stats_json(t.close);
    j["close_timeouts"] = t.close_ends[static_cast<std::size_t>(CloseEnd::timeout)];
    j["close_resets"] = t.close_ends[static_cast<std::size_t>(CloseEnd::reset)];
  }
  j["duration_s"] = std::round(t.duration_s * 1e6) / 1e6;
  j["interrupted"] = t.interrupted;
  return sockkit::to_json_text(j, sockkit::JsonLayout::line);
}

std::string prom_summary(const Plan& plan, const sockkit::SockAddress& peer, const Tally& t) {
  using sockkit::MetricType;
  sockkit::PromWriter w;
  auto addr = peer.ip().to_string();
  auto port = std::to_string(peer.port());
  std::vector<sockkit::Label> labels = {{"target", plan.target},
                                        {"addr", addr},
                                        {"port", port},
                                        {"protocol", plan.udp ? "udp" : "tcp"}};
  w.family("sockkit_probe_success", MetricType::gauge,
           "1 when at least one attempt connected (UDP: got its echo back)");
  w.sample(labels, t.answered() > 0 ? 1 : 0);
  w.family("sockkit_dns_seconds", MetricType::gauge, "Time the name lookup took");
  w.sample(labels, t.dns.count() > 0 ? t.dns.mean() / 1000 : 0);
  sockkit::prom_stats(w, plan.udp ? "sockkit_echo_seconds" : "sockkit_handshake_seconds",
                      plan.udp ? "UDP echo round trips" : "TCP handshakes: connect() to connected",
                      t.rtt, labels, 0.001);
  w.family("sockkit_attempts_total", MetricType::counter, "Attempts by result");
  for (std::size_t i = 0; i < kOutcomeCount; ++i) {
    auto outcome = static_cast<Outcome>(i);
    if (plan.udp ? outcome == Outcome::connected || outcome == Outcome::mismatch
                 : outcome == Outcome::reply) {
      continue;
    }
    auto with_result = labels;
    with_result.push_back({"result", outcome_name(outcome)});
    w.sample(with_result, static_cast<double>(t.count(outcome)));
  }
  w.family("sockkit_loss_ratio", MetricType::gauge, "Attempts without an answer, 0 to 1");
  w.sample(labels, t.loss_pct() / 100);
  if (!plan.udp) {
    w.family("sockkit_syn_retransmits_total", MetricType::counter,
             "SYNs sent again for lack of an answer");
    w.sample(labels, static_cast<double>(t.syn_retrans));
  }
  if (plan.send || plan.expect) {
    sockkit::prom_stats(w, "sockkit_first_byte_seconds",
                        "Request (or handshake) to the first byte back", t.ttfb, labels, 0.001);
  }
  if (plan.close) {
    sockkit::prom_stats(w, "sockkit_close_seconds", "Our FIN to the peer's FIN", t.close, labels,
                        0.001);
  }
  if (plan.udp) {
    w.family("sockkit_duplicates_total", MetricType::counter,
             "Echoes that came back more than once");
    w.sample(labels, static_cast<double>(t.duplicates));
    w.family("sockkit_reordered_total", MetricType::counter, "Echoes that overtook an earlier one");
    w.sample(labels, static_cast<double>(t.reordered));
  }
  w.family("sockkit_probe_duration_seconds", MetricType::gauge, "How long the run took");
  w.sample(labels, t.duration_s);
  return w.text();
}

}  // namespace sk_ping
