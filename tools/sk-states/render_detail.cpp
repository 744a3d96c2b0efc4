// --by groups and --list sockets.
#include <fmt/format.h>

#include "render.hpp"
#include "sockkit/address.hpp"
#include "sockkit/csv.hpp"
#include "sockkit/table.hpp"

namespace sk_states {

using sockkit::GroupKey;
using sockkit::Json;

namespace {

std::string process_text(int pid, const sockkit::ProcessMap* owners) {
  const auto* process = owners != nullptr && pid != 0 ? owners->process(pid) : nullptr;
  return process != nullptr ? fmt::format("{} (pid {})", process->command, pid) : "-";
}

std::string group_field(GroupKey key, const sockkit::GroupValue& value,
                        const sockkit::ProcessMap* owners) {
  switch (key) {
    case GroupKey::process: return process_text(value.pid, owners);
    case GroupKey::state:
      return std::string(sockkit::tcp_state_name(static_cast<sockkit::TcpState>(value.state)));
    case GroupKey::lport: return fmt::format("{}", value.lport);
    case GroupKey::rport: return fmt::format("{}", value.rport);
    case GroupKey::laddr: return value.laddr.to_string();
    case GroupKey::raddr: return value.raddr.to_string();
    case GroupKey::netns: return fmt::format("{}", value.netns);
  }
  return {};
}

Json group_json_field(GroupKey key, const sockkit::GroupValue& value,
                      const sockkit::ProcessMap* owners) {
  switch (key) {
    case GroupKey::process: {
      const auto* process =
          owners != nullptr && value.pid != 0 ? owners->process(value.pid) : nullptr;
      if (process == nullptr) return nullptr;
      return Json{{"pid", value.pid}, {"command", process->command}};
    }
    case GroupKey::state:
      return sockkit::tcp_state_info(static_cast<sockkit::TcpState>(value.state)).key;
    case GroupKey::lport: return value.lport;
    case GroupKey::rport: return value.rport;
    case GroupKey::netns: return value.netns;
    default: return group_field(key, value, owners);
  }
}

}  // namespace

std::string upper(std::string_view text) {
  std::string out(text);
  for (auto& c : out) c = static_cast<char>(c >= 'a' && c <= 'z' ? c - 32 : c);
  return out;
}

std::string endpoint_text(const sockkit::IpAddress& ip, std::uint16_t port) {
  return sockkit::address_port_text(ip.unmapped(), port);
}

std::string render_groups(const Query& query, const Sample& sample,
                          const std::vector<sockkit::GroupCounter::Row>& rows,
                          const sockkit::ProcessMap* owners, const RenderContext& context) {
  using sockkit::cli::Format;
  const auto& paint = context.paint;
  const auto& keys = query.group_keys;
  // With both transports a row must say which it counts, as ss's Netid column does.
  const bool both = query.read.tcp && query.read.udp;
  if (query.format == Format::json) {
    Json groups = Json::array();
    for (const auto& row : rows) {
      Json item = Json::object();
      if (both) item["protocol"] = sockkit::transport_name(row.value.transport);
      for (auto key : keys)
        item[std::string(sockkit::group_key_name(key))] = group_json_field(key, row.value, owners);
      item["count"] = row.count;
      groups.push_back(item);
    }
    Json out = header_json(query, sample);
    out["groups"] = groups;
    return sockkit::to_json_text(out);
  }
  if (query.format == Format::csv) {
    std::vector<std::string> header;
    if (both) header.emplace_back("protocol");
    for (auto key : keys) header.emplace_back(sockkit::group_key_name(key));
    header.emplace_back("count");
    std::string out = sockkit::csv_row(header);
    for (const auto& row : rows) {
      std::vector<std::string> fields;
      if (both) fields.emplace_back(sockkit::transport_name(row.value.transport));
      for (auto key : keys) fields.push_back(group_field(key, row.value, owners));
      fields.push_back(fmt::format("{}", row.count));
      out += sockkit::csv_row(fields);
    }
    return out;
  }
  std::vector<sockkit::Column> columns;
  if (both) columns.push_back({"NETID", sockkit::Align::left});
  for (auto key : keys) {
    bool numeric = key == GroupKey::lport || key == GroupKey::rport;
    columns.push_back({upper(sockkit::group_key_name(key)),
                       numeric ? sockkit::Align::right : sockkit::Align::left});
  }
  columns.push_back({"COUNT", sockkit::Align::right});
  sockkit::TextTable table(columns);
  for (const auto& row : rows) {
    std::vector<sockkit::Cell> cells;
    if (both) cells.emplace_back(std::string(sockkit::transport_name(row.value.transport)));
    for (auto key : keys) cells.emplace_back(group_field(key, row.value, owners));
    cells.emplace_back(sockkit::group_thousands(row.count));
    table.add_row(std::move(cells));
  }
  return table.render(paint);
}

namespace {

// UDP sockets carry the kernel's TCP numbering too (ESTABLISHED when connected,
// CLOSE when not), so one spelling serves both transports in every format.
std::string state_text(const sockkit::SocketRecord& r) {
  return std::string(sockkit::tcp_state_name(static_cast<sockkit::TcpState>(r.state)));
}

std::string state_key(const sockkit::SocketRecord& r) {
  return std::string(sockkit::tcp_state_info(static_cast<sockkit::TcpState>(r.state)).key);
}

Json owners_json(const sockkit::ProcessMap& owners, std::uint32_t inode) {
  Json out = Json::array();
  for (const auto& owner : owners.owners(inode)) {
    out.push_back(Json{
        {"pid", owner.pid}, {"command", owners.process(owner.pid)->command}, {"fd", owner.fd}});
  }
  return out;
}

std::string owner_text(const sockkit::ProcessMap& owners, std::uint32_t inode) {
  const auto* owner = owners.owner(inode);
  return owner != nullptr ? fmt::format("{}/{}", owner->pid, owner->command) : "-";
}

Json socket_json(const ListedSocket& s, bool extended) {
  const auto& r = s.record;
  Json item{{"protocol", sockkit::transport_name(r.transport)},
            {"state", state_key(r)},
            {"local", endpoint_text(r.local_ip(), r.local_port)},
            {"peer", endpoint_text(r.remote_ip(), r.remote_port)},
            {"recv_q", r.rqueue},
            {"send_q", r.wqueue},
            {"timer", sockkit::timer_name(r.timer)},
            {"expires_ms", r.expires_ms},
            {"uid", r.uid},
            {"inode", r.inode}};
  if (extended) {
    auto put = [&](const char* key, auto value, bool known) {
      item[key] = known ? Json(value) : Json(nullptr);
    };
    auto info = s.info.value_or(sockkit::TcpInfoSummary{});
    bool known = s.info.has_value();
    put("rtt_ms", info.rtt_ms, s.rtt_sampled);
    put("rttvar_ms", info.rttvar_ms, s.rtt_sampled);
    put("cwnd", info.cwnd, known);
    put("retrans", info.retrans_total, known);
    put("bytes_acked", info.bytes_acked, known);
    put("bytes_received", info.bytes_received, known);
  }
  return item;
}

std::vector<std::string> socket_fields(const ListedSocket& s, bool extended, bool both) {
  const auto& r = s.record;
  std::vector<std::string> fields{
      state_text(r),
      endpoint_text(r.local_ip(), r.local_port),
      endpoint_text(r.remote_ip(), r.remote_port),
      fmt::format("{}", r.rqueue),
      fmt::format("{}", r.wqueue),
      r.timer == 0 ? std::string("-")
                   : fmt::format("{}:{}ms", sockkit::timer_name(r.timer), r.expires_ms),
      fmt::format("{}", r.uid),
      fmt::format("{}", r.inode)};
  if (both) fields.insert(fields.begin(), std::string(sockkit::transport_name(r.transport)));
  if (extended) {
    auto info = s.info;
    fields.push_back(s.rtt_sampled ? sockkit::format_ms(info->rtt_ms) : "-");
    fields.push_back(s.rtt_sampled ? sockkit::format_ms(info->rttvar_ms) : "-");
    fields.push_back(info ? fmt::format("{}", info->cwnd) : "-");
    fields.push_back(info ? fmt::format("{}", info->retrans_total) : "-");
    fields.push_back(info ? fmt::format("{}", info->bytes_acked) : "-");
    fields.push_back(info ? fmt::format("{}", info->bytes_received) : "-");
  }
  return fields;
}

}  // namespace

std::string render_list(const Query& query, const Sample& sample,
                        const std::vector<ListedSocket>& sockets, const sockkit::ProcessMap* owners,
                        const RenderContext& context) {
  using sockkit::cli::Format;
  const auto& paint = context.paint;
  if (query.format == Format::json) {
    Json list = Json::array();
    for (const auto& s : sockets) {
      auto item = socket_json(s, query.extended);
      if (query.all_netns) item["netns"] = s.netns;
      if (owners != nullptr) item["processes"] = owners_json(*owners, s.record.inode);
      list.push_back(std::move(item));
    }
    Json out = header_json(query, sample);
    out["sockets"] = list;
    return sockkit::to_json_text(out);
  }
  const bool both = query.read.tcp && query.read.udp;
  std::vector<std::string> names;
  if (query.all_netns) names.emplace_back("netns");
  if (both) names.emplace_back("protocol");
  names.insert(names.end(),
               {"state", "local", "peer", "recv_q", "send_q", "timer", "uid", "inode"});
  if (query.extended) {
    for (const char* n :
         {"rtt_ms", "rttvar_ms", "cwnd", "retrans", "bytes_acked", "bytes_received"}) {
      names.emplace_back(n);
    }
  }
  if (owners != nullptr) names.emplace_back("process");
  auto fields_of = [&](const ListedSocket& s) {
    auto fields = socket_fields(s, query.extended, both);
    if (query.all_netns) fields.insert(fields.begin(), fmt::format("{}", s.netns));
    if (owners != nullptr) fields.push_back(owner_text(*owners, s.record.inode));
    return fields;
  };
  if (query.format == Format::csv) {
    std::string out = sockkit::csv_row(names);
    for (const auto& s : sockets) out += sockkit::csv_row(fields_of(s));
    return out;
  }
  std::vector<sockkit::Column> columns;
  for (const auto& name : names) {
    bool text = name == "netns" || name == "protocol" || name == "state" || name == "local" ||
                name == "peer" || name == "timer" || name == "process";
    // The protocol's column carries ss's name for it.
    columns.push_back({name == "protocol" ? std::string("NETID") : upper(name),
                       text ? sockkit::Align::left : sockkit::Align::right});
  }
  sockkit::TextTable table(columns);
  for (const auto& s : sockets) {
    auto fields = fields_of(s);
    table.add_row(std::vector<sockkit::Cell>(fields.begin(), fields.end()));
  }
  return table.render(paint);
}

}  // namespace sk_states
