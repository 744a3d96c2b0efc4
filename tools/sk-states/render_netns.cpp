// --all-netns: one row per network namespace, the host-wide sums, and each namespace's
// findings under its label.
#include <algorithm>
#include <cmath>
#include <numeric>

#include <fmt/format.h>

#include "render_netns.hpp"
#include "sockkit/csv.hpp"
#include "sockkit/prometheus.hpp"
#include "sockkit/table.hpp"

namespace sk_states {

using sockkit::Json;
using sockkit::NetnsEntry;
using sockkit::TcpState;
using sockkit::Transport;

std::string netns_where(const NetnsEntry& entry) {
  auto label = sockkit::netns_label(entry);
  if (entry.pid == 0) return fmt::format("{} (netns {})", label, entry.inode);
  return fmt::format("{} (pid {} {})", label, entry.pid, entry.command);
}

Json netns_json(const NetnsEntry& entry) {
  auto text_or_null = [](const std::string& text) {
    return text.empty() ? Json(nullptr) : Json(text);
  };
  const auto& l = entry.labels;
  return Json{{"inode", entry.inode},
              {"host", entry.host},
              {"label", sockkit::netns_label(entry)},
              {"names", entry.names},
              {"processes", entry.processes},
              {"pid", entry.pid == 0 ? Json(nullptr) : Json(entry.pid)},
              {"command", text_or_null(entry.command)},
              {"runtime", text_or_null(l.runtime)},
              {"container_id", text_or_null(l.container_id)},
              {"pod_uid", text_or_null(l.pod_uid)},
              {"machine", text_or_null(l.machine)}};
}

std::vector<std::size_t> netns_rows(const Query& query, const NetnsRun& run) {
  std::vector<std::size_t> rows;
  for (std::size_t i = 0; i < run.statuses.size(); ++i) {
    if (run.seen(i)) rows.push_back(i);
  }
  auto key = [&](std::size_t i) {
    const auto& census = run.samples[i].census;
    auto tcp = census.tcp.both();
    if (query.sort_by) return tcp[*query.sort_by];
    return query.read.tcp ? tcp.total() + census.udp.both().total() : census.udp.both().total();
  };
  std::stable_sort(rows.begin(), rows.end(), [&](std::size_t a, std::size_t b) {
    auto ka = key(a), kb = key(b);
    return ka != kb ? ka > kb : a < b;  // the discovery order: host first, then by inode
  });
  if (query.top != 0 && rows.size() > query.top) rows.resize(query.top);
  return rows;
}

namespace {

Transport table_transport(const Query& query) {
  return query.read.tcp ? Transport::tcp : Transport::udp;
}

const sockkit::FamilyCounts& counts_of(const sockkit::Census& census, Transport transport) {
  return transport == Transport::tcp ? census.tcp : census.udp;
}

std::string findings_cell(const Sample& sample) {
  if (!sample.diagnosis) return "-";
  std::string out;
  for (const auto& f : sample.diagnosis->findings) {
    if (f.severity == sockkit::Severity::info) continue;
    auto key = sockkit::rule_info(f.rule).key;
    if (out.find(key) != std::string::npos) continue;
    out += (out.empty() ? "" : ",") + std::string(key);
  }
  return out.empty() ? "-" : out;
}

std::string process_cell(const NetnsEntry& entry) {
  return entry.pid == 0 ? std::string("-") : fmt::format("{} {}", entry.pid, entry.command);
}

std::string namespaces_cell(const NetnsRun& run, std::size_t shown) {
  auto seen = run.tally.counted + run.tally.via_proc;
  auto text = fmt::format("{} namespaces", seen);
  if (shown < seen) text = fmt::format("{} of {} namespaces", shown, seen);
  if (run.tally.vanished > 0) text += fmt::format(" ({} vanished)", run.tally.vanished);
  return text;
}

std::string text_table(const Query& query, const NetnsRun& run,
                       const std::vector<std::size_t>& rows, const sockkit::Painter& paint) {
  auto transport = table_transport(query);
  const bool udp_column = query.read.tcp && query.read.udp;
  std::vector<TcpState> states;
  for (auto state : shown_states(transport)) {
    bool any = std::any_of(rows.begin(), rows.end(), [&](std::size_t i) {
      return counts_of(run.samples[i].census, transport).both()[state] > 0;
    });
    if (any || query.show_zero) states.push_back(state);
  }
  std::vector<sockkit::Column> columns{{"NETNS"}, {"LABEL"}, {"PROCESS"}};
  for (auto state : states) {
    columns.push_back({std::string(sockkit::tcp_state_name(state)), sockkit::Align::right});
  }
  columns.push_back({"TOTAL", sockkit::Align::right});
  if (udp_column) columns.push_back({"UDP", sockkit::Align::right});
  if (query.findings) columns.push_back({"FINDINGS"});
  sockkit::TextTable table(columns);
  auto numbers = [&](std::vector<sockkit::Cell>& cells, const sockkit::Census& census) {
    auto counts = counts_of(census, transport).both();
    for (auto state : states) cells.emplace_back(sockkit::group_thousands(counts[state]));
    cells.emplace_back(sockkit::group_thousands(counts.total()));
    if (udp_column) cells.emplace_back(sockkit::group_thousands(census.udp.both().total()));
  };
  sockkit::Census shown;
  for (auto i : rows) {
    const auto& entry = run.discovery.namespaces[i];
    std::vector<sockkit::Cell> cells{fmt::format("{}", entry.inode), sockkit::netns_label(entry),
                                     process_cell(entry)};
    numbers(cells, run.samples[i].census);
    if (query.findings) cells.emplace_back(findings_cell(run.samples[i]));
    table.add_row(std::move(cells));
    shown += run.samples[i].census;
  }
  std::vector<sockkit::Cell> total{std::string("TOTAL"), namespaces_cell(run, rows.size()),
                                   std::string()};
  numbers(total, shown);
  if (query.findings) total.emplace_back(std::string());
  table.add_row(std::move(total));
  return table.render(paint);
}

std::string findings_sections(const NetnsRun& run, const std::vector<std::size_t>& rows,
                              const RenderContext& context) {
  std::string out;
  for (auto i : rows) {
    const auto& diagnosis = run.samples[i].diagnosis;
    if (!diagnosis || diagnosis->findings.empty()) continue;
    const auto& entry = run.discovery.namespaces[i];
    auto label = sockkit::netns_label(entry);
    auto heading = entry.pid == 0 ? fmt::format("netns {} ({})", entry.inode, label)
                                  : fmt::format("netns {} ({}, pid {} {})", entry.inode, label,
                                                entry.pid, entry.command);
    out += "\n" + context.paint(sockkit::Style::bold, heading) + "\n";
    out += findings_text(*diagnosis, context);
  }
  if (out.empty() && std::any_of(rows.begin(), rows.end(), [&](std::size_t i) {
        return run.samples[i].diagnosis.has_value();
      })) {
    out = "\n" + findings_text(sockkit::Diagnosis{}, context);
  }
  return out;
}

Json namespaces_json(const Query& query, const NetnsRun& run,
                     const std::vector<std::size_t>& rows) {
  Json list = Json::array();
  for (auto i : rows) {
    const auto& sample = run.samples[i];
    Json item{{"netns", netns_json(run.discovery.namespaces[i])},
              {"source", sockkit::source_name(sample.report.source)},
              {"read_ms", std::round(sample.duration_ms * 1000.0) / 1000.0}};
    const Json counts = census_json(query, sample.census);
    for (const auto& item_counts : counts.items()) item[item_counts.key()] = item_counts.value();
    // A namespace with no sockets is not diagnosed: nothing there can be wrong.
    if (query.findings) {
      Json findings = sample.diagnosis ? findings_json(*sample.diagnosis) : Json::array();
      // Each finding says where it is, so that it still does when taken out of the list.
      const auto& entry = run.discovery.namespaces[i];
      for (auto& finding : findings) {
        finding["evidence"]["netns"] =
            Json{{"inode", entry.inode}, {"label", sockkit::netns_label(entry)}};
      }
      item["findings"] = std::move(findings);
    }
    // Read inside the namespace: the limits its own findings were judged against. One
    // read from outside (/proc/PID/net) has only the host's, which are not its own.
    if (sample.kernel && sample.report.source == sockkit::SourceKind::netlink) {
      item["sysctls"] = kernel_json(*sample.kernel)["sysctls"];
    }
    list.push_back(std::move(item));
  }
  return list;
}

std::string render_csv(const Query& query, const NetnsRun& run,
                       const std::vector<std::size_t>& rows) {
  std::string out =
      sockkit::csv_row({"netns", "label", "protocol", "state", "ipv4", "ipv6", "total"});
  for (auto i : rows) {
    const auto& entry = run.discovery.namespaces[i];
    auto inode = fmt::format("{}", entry.inode);
    auto label = sockkit::netns_label(entry);
    auto put = [&](Transport t) {
      const auto& counts = counts_of(run.samples[i].census, t);
      for (auto state : shown_states(t)) {
        out += sockkit::csv_row(
            {inode, label, sockkit::transport_name(t), sockkit::tcp_state_info(state).key,
             fmt::format("{}", counts.ipv4[state]), fmt::format("{}", counts.ipv6[state]),
             fmt::format("{}", counts.both()[state])});
      }
    };
    if (query.read.tcp) put(Transport::tcp);
    if (query.read.udp) put(Transport::udp);
  }
  return out;
}

std::string info_prom(const NetnsRun& run, const std::vector<std::size_t>& rows) {
  sockkit::PromWriter prom;
  prom.family("sockkit_netns_info", sockkit::MetricType::gauge,
              "One series per network namespace counted, labelled with what identifies it");
  for (auto i : rows) {
    const auto& e = run.discovery.namespaces[i];
    std::string names;
    for (const auto& name : e.names) names += (names.empty() ? "" : ",") + name;
    auto inode = fmt::format("{}", e.inode);
    prom.sample({{"netns", inode},
                 {"name", names},
                 {"container_id", e.labels.container_id},
                 {"pod_uid", e.labels.pod_uid},
                 {"process", e.command},
                 {"host", e.host ? "true" : "false"}},
                1);
  }
  prom.family("sockkit_netns_walk", sockkit::MetricType::gauge,
              "Network namespaces found, by what became of them (counted, via_proc, vanished, "
              "unreachable, failed)");
  const auto& t = run.tally;
  for (auto [status, n] :
       {std::pair{"counted", t.counted}, std::pair{"via_proc", t.via_proc},
        std::pair{"vanished", t.vanished}, std::pair{"unreachable", t.unreachable},
        std::pair{"failed", t.failed}}) {
    prom.sample({{"status", status}}, static_cast<double>(n));
  }
  prom.family("sockkit_netns_walk_duration_seconds", sockkit::MetricType::gauge,
              "Time sk-states took to find and read every network namespace");
  prom.sample({}, std::round(run.total.duration_ms * 1000.0) / 1e6);
  return prom.text();
}

std::string render_prom(const Query& query, const NetnsRun& run,
                        const std::vector<std::size_t>& rows, const RenderContext& context) {
  sockkit::PromFamilyMerger merger;
  for (auto i : rows) {
    const auto& entry = run.discovery.namespaces[i];
    const auto& sample = run.samples[i];
    PromLabels labels{{"netns", fmt::format("{}", entry.inode)}};
    merger.add(counts_prom(query, sample, labels));
    if (sample.diagnosis && sample.kernel) {
      merger.add(
          findings_prom(*sample.diagnosis, *sample.kernel, context.page_bytes, labels, entry.host));
    }
  }
  merger.add(info_prom(run, rows));
  return merger.take();
}

}  // namespace

Json netns_counts_json(const Query& query, const NetnsRun& run) {
  Json out = header_json(query, run.total);
  out["namespaces"] = namespaces_json(query, run, netns_rows(query, run));
  const Json sums = census_json(query, run.total.census);
  for (const auto& counts : sums.items()) out[counts.key()] = counts.value();
  return out;
}

std::string render_netns_counts(const Query& query, const NetnsRun& run,
                                const RenderContext& context) {
  using sockkit::cli::Format;
  auto rows = netns_rows(query, run);
  switch (query.format) {
    case Format::grep:
    case Format::text:
      return text_table(query, run, rows, context.paint) + findings_sections(run, rows, context);
    case Format::csv: return render_csv(query, run, rows);
    case Format::prom: return render_prom(query, run, rows, context);
    case Format::json: return sockkit::to_json_text(netns_counts_json(query, run));
  }
  return {};
}

}  // namespace sk_states
