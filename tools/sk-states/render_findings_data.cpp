// The findings and the kernel readings behind them as JSON and Prometheus metrics.
#include <cmath>

#include "render.hpp"
#include "sockkit/prometheus.hpp"

namespace sk_states {

using sockkit::Json;

namespace {

Json optional_json(const auto& value) {
  return value ? Json(*value) : Json(nullptr);
}

Json address_json(const sockkit::IpAddress& address) {
  return address.unmapped().to_string();
}

double rounded(double value) {
  return std::round(value * 1000.0) / 1000.0;
}

Json evidence_json(const sockkit::Finding& f) {
  const auto& e = f.evidence;
  Json out{{"sockets", e.sockets}};
  auto list = [&](const char* key, const auto& rows, auto item) {
    if (rows.empty()) return;
    Json array = Json::array();
    for (const auto& row : rows) array.push_back(item(row));
    out[key] = array;
  };
  list("local_ports", e.local_ports, [](const auto& p) {
    return Json{{"port", p.port}, {"sockets", p.sockets}};
  });
  list("peers", e.peers, [](const auto& p) {
    Json item{{"address", address_json(p.address)}};
    if (p.port) item["port"] = *p.port;
    item["sockets"] = p.sockets;
    return item;
  });
  list("processes", e.processes, [](const auto& p) {
    return Json{{"pid", p.pid}, {"command", p.command}, {"sockets", p.sockets}};
  });
  list("listeners", e.listeners, [](const auto& l) {
    return Json{{"address", address_json(l.address)},
                {"port", l.port},
                {"queue", l.queue},
                {"backlog", l.backlog},
                {"drops", optional_json(l.drops)},
                {"drops_delta", optional_json(l.drops_delta)},
                {"pid", optional_json(l.pid)},
                {"command", l.pid ? Json(l.command) : Json(nullptr)}};
  });
  list("tuples", e.tuples, [](const auto& t) {
    return Json{{"local_address", address_json(t.local_address)},
                {"address", address_json(t.address)},
                {"port", t.port},
                {"used", t.used},
                {"time_wait", t.time_wait},
                {"range", t.range}};
  });
  list("counters", e.counters, [](const auto& c) {
    return Json{{"name", c.name}, {"value", c.value}, {"delta", optional_json(c.delta)}};
  });
  if (!e.limits.empty()) {
    Json limits = Json::object();
    for (const auto& l : e.limits) limits[std::string(l.name)] = l.value;
    out["limits"] = limits;
  }
  if (e.rate_per_s) out["rate_per_s"] = rounded(*e.rate_per_s);
  if (!e.notes.empty()) out["notes"] = e.notes;
  return out;
}

}  // namespace

Json findings_json(const sockkit::Diagnosis& diagnosis) {
  Json out = Json::array();
  for (const auto& f : diagnosis.findings) {
    const auto& rule = sockkit::rule_info(f.rule);
    Json checks = Json::array();
    for (auto check : sockkit::rule_checks(f.rule)) checks.push_back(check);
    out.push_back(Json{{"rule", rule.key},
                       {"severity", sockkit::severity_name(f.severity)},
                       {"title", f.title},
                       {"value", rounded(f.value)},
                       {"unit", rule.unit == sockkit::RuleUnit::percent ? "percent" : "sockets"},
                       {"warn", optional_json(f.levels.warn)},
                       {"crit", optional_json(f.levels.crit)},
                       {"evidence", evidence_json(f)},
                       {"why", sockkit::rule_why(f.rule)},
                       {"checks", checks},
                       {"explain", sockkit::rule_explain_command(f.rule)}});
  }
  return out;
}

namespace {

struct KernelMetric {
  std::string_view section;
  std::string_view name;
  std::string_view metric;  // without sockkit_ and _total
  std::string_view help;
};

// The counters the rules read, with the names monitoring sees them by.
constexpr KernelMetric kKernelCounters[] = {
    {"TcpExt", "ListenOverflows", "tcp_listen_overflows",
     "Handshakes completed while a listener's accept queue was full (TcpExtListenOverflows)"},
    {"TcpExt", "ListenDrops", "tcp_listen_drops",
     "Connection attempts a listener dropped, for any reason (TcpExtListenDrops)"},
    {"TcpExt", "SyncookiesSent", "tcp_syncookies_sent",
     "SYN cookies sent because a SYN queue was full (TcpExtSyncookiesSent)"},
    {"TcpExt", "TCPReqQFullDrop", "tcp_req_queue_full_drops",
     "SYNs dropped because a SYN queue was full and cookies were off (TcpExtTCPReqQFullDrop)"},
    {"TcpExt", "TCPTimeWaitOverflow", "tcp_time_wait_overflows",
     "TIME_WAIT sockets not created because tcp_max_tw_buckets was reached "
     "(TcpExtTCPTimeWaitOverflow)"},
    {"TcpExt", "TCPAbortOnTimeout", "tcp_aborts_on_timeout",
     "Connections reset after their retransmissions ran out (TcpExtTCPAbortOnTimeout)"},
    {"TcpExt", "TCPAbortOnMemory", "tcp_aborts_on_memory",
     "Connections reset for lack of memory or too many orphans (TcpExtTCPAbortOnMemory)"},
    {"TcpExt", "TCPSynRetrans", "tcp_syn_retransmits",
     "SYNs and SYN+ACKs sent again (TcpExtTCPSynRetrans)"},
    {"Tcp", "AttemptFails", "tcp_attempt_fails",
     "Connection attempts that failed (TcpAttemptFails)"},
};

}  // namespace

void keep_shown_counters(sockkit::KernelReadings& kernel) {
  sockkit::CounterSet shown;
  for (const auto& c : kKernelCounters) {
    if (auto value = kernel.counters.get(c.section, c.name)) {
      shown.add(std::string(c.section), std::string(c.name), *value);
    }
  }
  kernel.counters = std::move(shown);
}

Json kernel_json(const sockkit::KernelReadings& kernel) {
  Json counters = Json::object();
  for (const auto& c : kKernelCounters) {
    counters[fmt::format("{}{}", c.section, c.name)] =
        optional_json(kernel.counters.get(c.section, c.name));
  }
  const auto& s = kernel.sysctls;
  Json sysctls{{"tcp_max_tw_buckets", optional_json(s.tcp_max_tw_buckets)},
               {"tcp_max_orphans", optional_json(s.tcp_max_orphans)},
               {"somaxconn", optional_json(s.somaxconn)},
               {"tcp_max_syn_backlog", optional_json(s.tcp_max_syn_backlog)},
               {"tcp_syncookies", optional_json(s.tcp_syncookies)},
               {"tcp_fin_timeout", optional_json(s.tcp_fin_timeout)},
               {"tcp_tw_reuse", optional_json(s.tcp_tw_reuse)},
               {"ip_local_port_range",
                s.ip_local_port_range
                    ? Json::array({s.ip_local_port_range->first, s.ip_local_port_range->last})
                    : Json(nullptr)},
               {"tcp_mem", s.tcp_mem ? Json(*s.tcp_mem) : Json(nullptr)}};
  const auto& st = kernel.sockstat;
  Json sockstat{{"tcp_inuse", st.tcp_inuse},
                {"tcp_orphan", st.tcp_orphan},
                {"tcp_tw", st.tcp_tw},
                {"tcp_alloc", st.tcp_alloc},
                {"tcp_mem_pages", st.tcp_mem_pages},
                {"tcp6_inuse", st.tcp6_inuse}};
  return Json{{"counters", counters}, {"sysctls", sysctls}, {"sockstat", sockstat}};
}

namespace {

void finding_families(sockkit::PromWriter& prom, const sockkit::Diagnosis& diagnosis) {
  prom.family("sockkit_finding", sockkit::MetricType::gauge,
              "1 when the diagnosis rule fires (severity info, warning or critical), else 0 "
              "with severity none");
  for (const auto& rule : sockkit::rule_infos()) {
    const sockkit::Finding* fired = nullptr;
    for (const auto& f : diagnosis.findings) {
      if (f.rule == rule.id) fired = &f;
    }
    prom.sample({{"rule", rule.key},
                 {"severity", fired ? sockkit::severity_name(fired->severity) : "none"}},
                fired ? 1.0 : 0.0);
  }
  prom.family("sockkit_finding_value", sockkit::MetricType::gauge,
              "What each rule measures: sockets, or percent of a kernel limit");
  for (const auto& rule : sockkit::rule_infos()) {
    const auto& measure = diagnosis.measures[static_cast<std::size_t>(rule.id)];
    if (measure) prom.sample({{"rule", rule.key}}, rounded(*measure));
  }
}

void gauge(sockkit::PromWriter& prom, std::string_view name, std::string_view help,
           std::optional<double> value) {
  if (!value) return;
  prom.family(name, sockkit::MetricType::gauge, help);
  prom.sample({}, *value);
}

}  // namespace

std::string findings_prom(const sockkit::Diagnosis& diagnosis,
                          const sockkit::KernelReadings& kernel, std::uint64_t page_bytes,
                          const PromLabels& labels, bool host_wide) {
  sockkit::PromWriter prom(labels);
  finding_families(prom, diagnosis);
  for (const auto& c : kKernelCounters) {
    auto value = kernel.counters.get(c.section, c.name);
    if (!value) continue;
    prom.family(fmt::format("sockkit_{}_total", c.metric), sockkit::MetricType::counter, c.help);
    prom.sample({}, static_cast<double>(*value));
  }
  const auto& s = kernel.sysctls;
  auto as_double = [](const auto& v) -> std::optional<double> {
    return v ? std::optional<double>(static_cast<double>(*v)) : std::nullopt;
  };
  if (host_wide) {
    gauge(prom, "sockkit_tcp_orphans", "Orphaned TCP sockets, host-wide (sockstat)",
          static_cast<double>(kernel.sockstat.tcp_orphan));
    gauge(prom, "sockkit_tcp_orphans_max", "net.ipv4.tcp_max_orphans",
          as_double(s.tcp_max_orphans));
  }
  gauge(prom, "sockkit_tcp_time_wait_buckets_max", "net.ipv4.tcp_max_tw_buckets",
        as_double(s.tcp_max_tw_buckets));
  if (s.tcp_mem && host_wide) {
    auto page = static_cast<double>(page_bytes);
    gauge(prom, "sockkit_tcp_memory_bytes", "TCP buffer memory in use, host-wide (sockstat mem)",
          static_cast<double>(kernel.sockstat.tcp_mem_pages) * page);
    gauge(prom, "sockkit_tcp_memory_pressure_bytes", "net.ipv4.tcp_mem's pressure value",
          static_cast<double>((*s.tcp_mem)[1]) * page);
    gauge(prom, "sockkit_tcp_memory_max_bytes", "net.ipv4.tcp_mem's high value",
          static_cast<double>((*s.tcp_mem)[2]) * page);
  }
  if (s.ip_local_port_range) {
    gauge(prom, "sockkit_ephemeral_ports", "Ports in net.ipv4.ip_local_port_range",
          static_cast<double>(s.ip_local_port_range->count()));
    gauge(prom, "sockkit_ephemeral_ports_used_max",
          "Ephemeral ports in use toward the busiest (local address, peer address, peer port)",
          static_cast<double>(diagnosis.busiest_port_use));
  }
  return prom.text();
}

}  // namespace sk_states
