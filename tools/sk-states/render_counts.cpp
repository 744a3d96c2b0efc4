#include <cmath>

#include <fmt/format.h>

#include "render.hpp"
#include "sockkit/csv.hpp"
#include "sockkit/prometheus.hpp"
#include "sockkit/table.hpp"

namespace sk_states {

using sockkit::Json;
using sockkit::StateCounts;
using sockkit::TcpState;
using sockkit::Transport;

std::vector<TcpState> shown_states(Transport transport) {
  if (transport == Transport::udp) return {TcpState::established, TcpState::close};
  std::vector<TcpState> states;
  for (const auto& info : sockkit::tcp_states()) {
    if (info.state != TcpState::new_syn_recv) states.push_back(info.state);
  }
  return states;
}

Json counts_json(const StateCounts& counts, Transport transport) {
  Json out = Json::object();
  for (auto state : shown_states(transport)) {
    out[std::string(sockkit::tcp_state_info(state).key)] = counts[state];
  }
  return out;
}

Json filters_json(const Query& query) {
  const auto& read = query.read;
  auto blocks = [](const std::vector<sockkit::Cidr>& list) {
    Json out = Json::array();
    for (const auto& block : list) out.push_back(block.to_string());
    return out;
  };
  auto ports = [](const std::optional<sockkit::PortSet>& set) {
    return set ? Json(set->to_string()) : Json(nullptr);
  };
  Json states = Json::array();
  for (auto key : sockkit::state_keys(read.tcp_states)) states.push_back(key);
  return Json{{"states", states},
              {"sport", ports(read.filter.local_ports)},
              {"dport", ports(read.filter.remote_ports)},
              {"src", blocks(read.filter.local_addrs)},
              {"dst", blocks(read.filter.remote_addrs)},
              {"family", read.version == sockkit::IpVersion::v4   ? "ipv4"
                         : read.version == sockkit::IpVersion::v6 ? "ipv6"
                                                                  : "any"},
              {"listening", query.listening}};
}

Json header_json(const Query& query, const Sample& sample) {
  Json out{{"source", sockkit::source_name(sample.report.source)},
           {"netns", query.netns.empty() ? Json(nullptr) : Json(query.netns)},
           {"read_ms", std::round(sample.duration_ms * 1000.0) / 1000.0},
           {"filters", filters_json(query)}};
  if (sample.walk) {
    const auto& t = sample.walk->tally;
    out["netns_walk"] = Json{{"found", sample.walk->found},  {"counted", t.counted},
                             {"via_proc", t.via_proc},       {"vanished", t.vanished},
                             {"unreachable", t.unreachable}, {"failed", t.failed}};
  }
  return out;
}

Json census_json(const Query& query, const sockkit::Census& census) {
  Json out = Json::object();
  auto add = [&](const char* name, const sockkit::FamilyCounts& counts, Transport transport) {
    out[name] = Json{{"total", counts.both().total()},
                     {"states", counts_json(counts.both(), transport)},
                     {"ipv4", counts_json(counts.ipv4, transport)},
                     {"ipv6", counts_json(counts.ipv6, transport)}};
  };
  if (query.read.tcp) add("tcp", census.tcp, Transport::tcp);
  if (query.read.udp) add("udp", census.udp, Transport::udp);
  return out;
}

namespace {

std::string count_cell(std::uint64_t n) {
  return sockkit::group_thousands(n);
}

std::string text_table(const Query& query, const sockkit::FamilyCounts& counts, Transport transport,
                       const sockkit::Painter& paint) {
  std::vector<sockkit::Column> columns{{"STATE"}};
  if (query.family_split) {
    columns.push_back({"IPV4", sockkit::Align::right});
    columns.push_back({"IPV6", sockkit::Align::right});
  }
  columns.push_back({query.family_split ? "TOTAL" : "COUNT", sockkit::Align::right});
  sockkit::TextTable table(columns);
  auto row = [&](std::string name, const auto& pick) {
    std::vector<sockkit::Cell> cells{std::move(name)};
    if (query.family_split) {
      cells.emplace_back(count_cell(pick(counts.ipv4)));
      cells.emplace_back(count_cell(pick(counts.ipv6)));
    }
    cells.emplace_back(count_cell(pick(counts.both())));
    table.add_row(std::move(cells));
  };
  for (auto state : shown_states(transport)) {
    if (!query.show_zero && counts.both()[state] == 0) continue;
    row(std::string(sockkit::tcp_state_name(state)),
        [&](const StateCounts& c) { return c[state]; });
  }
  row("TOTAL", [](const StateCounts& c) { return c.total(); });
  return table.render(paint);
}

std::string render_text(const Query& query, const Sample& sample, const sockkit::Painter& paint) {
  std::string out;
  bool both = query.read.tcp && query.read.udp;
  if (query.read.tcp) {
    if (both) out += paint(sockkit::Style::bold, "TCP") + "\n";
    out += text_table(query, sample.census.tcp, Transport::tcp, paint);
  }
  if (query.read.udp) {
    if (both) out += "\n" + paint(sockkit::Style::bold, "UDP") + "\n";
    out += text_table(query, sample.census.udp, Transport::udp, paint);
  }
  return out;
}

std::string render_csv(const Query& query, const Sample& sample) {
  std::string out = sockkit::csv_row({"protocol", "state", "ipv4", "ipv6", "total"});
  auto rows = [&](std::string_view transport, const sockkit::FamilyCounts& counts, Transport t) {
    for (auto state : shown_states(t)) {
      out += sockkit::csv_row(
          {transport, sockkit::tcp_state_info(state).key, fmt::format("{}", counts.ipv4[state]),
           fmt::format("{}", counts.ipv6[state]), fmt::format("{}", counts.both()[state])});
    }
    out += sockkit::csv_row({transport, "total", fmt::format("{}", counts.ipv4.total()),
                             fmt::format("{}", counts.ipv6.total()),
                             fmt::format("{}", counts.both().total())});
  };
  if (query.read.tcp) rows("tcp", sample.census.tcp, Transport::tcp);
  if (query.read.udp) rows("udp", sample.census.udp, Transport::udp);
  return out;
}

}  // namespace

std::string counts_prom(const Query& query, const Sample& sample, const PromLabels& labels) {
  sockkit::PromWriter prom(labels);
  auto family = [&](const char* name, const char* help, const sockkit::FamilyCounts& counts,
                    Transport transport) {
    prom.family(name, sockkit::MetricType::gauge, help);
    for (auto state : shown_states(transport)) {
      prom.sample({{"state", sockkit::tcp_state_info(state).key}},
                  static_cast<double>(counts.both()[state]));
    }
  };
  if (query.read.tcp) {
    family("sockkit_tcp_connections", "TCP sockets by state, as the kernel reports them",
           sample.census.tcp, Transport::tcp);
  }
  if (query.read.udp) {
    family("sockkit_udp_sockets", "UDP sockets: established (connected) and close (unconnected)",
           sample.census.udp, Transport::udp);
  }
  prom.family("sockkit_states_duration_seconds", sockkit::MetricType::gauge,
              "Time sk-states took to read the sockets");
  prom.sample({}, std::round(sample.duration_ms * 1000.0) / 1e6);  // microsecond resolution
  return prom.text();
}

std::string render_counts(const Query& query, const Sample& sample, const RenderContext& context) {
  using sockkit::cli::Format;
  switch (query.format) {
    case Format::grep:  // not offered here: resolved_format refuses it
    case Format::text: {
      auto text = render_text(query, sample, context.paint);
      if (sample.diagnosis) text += "\n" + findings_text(*sample.diagnosis, context);
      return text;
    }
    case Format::csv: return render_csv(query, sample);
    case Format::prom: {
      auto text = counts_prom(query, sample);
      if (sample.diagnosis)
        text += findings_prom(*sample.diagnosis, *sample.kernel, context.page_bytes);
      return text;
    }
    case Format::json: {
      Json out = header_json(query, sample);
      const Json counts = census_json(query, sample.census);
      for (const auto& item : counts.items()) out[item.key()] = item.value();
      if (sample.diagnosis) {
        out["findings"] = findings_json(*sample.diagnosis);
        out["kernel"] = kernel_json(*sample.kernel);
      }
      return sockkit::to_json_text(out);
    }
  }
  return {};
}

}  // namespace sk_states
