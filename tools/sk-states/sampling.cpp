#include "sampling.hpp"

#include "diagnose.hpp"

#include <unistd.h>

#include <chrono>

namespace sk_states {

namespace {

// The kernel fills TCP_INFO for a listener too (an RTT of 0, the initial window), but
// with no connection behind it those numbers describe nothing.
ListedSocket listed(const sockkit::SocketRecord& record) {
  ListedSocket kept{record, std::nullopt};
  if (record.state != static_cast<std::uint8_t>(sockkit::TcpState::listen)) {
    kept.info = sockkit::summarize_tcp_info(record.tcp_info);
  }
  kept.rtt_sampled = kept.info && kept.info->rtt_ms > 0;
  kept.record.tcp_info = {};  // the receive buffer it points into is reused
  kept.record.skmeminfo = {};
  return kept;
}

double elapsed_ms(std::chrono::steady_clock::time_point since) {
  return std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - since)
      .count();
}

}  // namespace

Sample take_census(const Query& query, sockkit::GroupCounter* groups, std::uint64_t netns) {
  Sample sample;
  auto start = std::chrono::steady_clock::now();
  // The hot path: one increment per socket, nothing allocated.
  auto visit = [&](const sockkit::SocketRecord& record) {
    sample.census.add(record);
    if (groups != nullptr) groups->add(record, 0, netns);
  };
  auto restart = [&] {
    sample.census.clear();
    if (groups != nullptr) groups->clear();
  };
  sample.report = sockkit::read_sockets(query.read, visit, restart);
  sample.duration_ms = elapsed_ms(start);
  return sample;
}

Sample take_list(const Query& query, std::vector<ListedSocket>& sockets, std::uint64_t netns) {
  Sample sample;
  auto start = std::chrono::steady_clock::now();
  auto visit = [&](const sockkit::SocketRecord& record) {
    sample.census.add(record);
    sockets.emplace_back(listed(record)).netns = netns;
  };
  auto restart = [&] {
    sample.census.clear();
    sockets.clear();
  };
  sample.report = sockkit::read_sockets(query.read, visit, restart);
  sample.duration_ms = elapsed_ms(start);
  return sample;
}

Sample take_records(const Query& query, std::vector<sockkit::SocketRecord>& records) {
  Sample sample;
  auto start = std::chrono::steady_clock::now();
  auto visit = [&](const sockkit::SocketRecord& record) {
    sample.census.add(record);
    auto& kept = records.emplace_back(record);
    kept.tcp_info = {};
    kept.skmeminfo = {};
  };
  auto restart = [&] {
    sample.census.clear();
    records.clear();
  };
  sample.report = sockkit::read_sockets(query.read, visit, restart);
  sample.duration_ms = elapsed_ms(start);
  return sample;
}

Sample take_groups_by_owner(const Query& query, sockkit::GroupCounter& groups,
                            sockkit::ProcessMap& owners) {
  // The owner of a socket is known only once every inode has been looked up, so the
  // records are kept (without their attributes) until the scan is done.
  std::vector<sockkit::SocketRecord> records;
  auto start = std::chrono::steady_clock::now();
  Sample sample = take_records(query, records);
  std::vector<std::uint32_t> inodes;
  inodes.reserve(records.size());
  for (const auto& record : records) inodes.push_back(record.inode);
  owners = scan_owners(inodes, sockkit::Holders::lowest);
  for (const auto& record : records) {
    const auto* owner = owners.owner(record.inode);
    groups.add(record, owner != nullptr ? owner->pid : 0);
  }
  sample.duration_ms = elapsed_ms(start);
  return sample;
}

sockkit::ProcessMap scan_owners(std::span<const std::uint32_t> inodes, sockkit::Holders holders) {
  auto owners = sockkit::ProcessMap::scan(inodes, holders);
  // Root sees every process; what it cannot open is exiting or a zombie.
  if (owners.unreadable_processes() > 0 && ::geteuid() != 0)
    warn_unreadable(owners.unreadable_processes());
  return owners;
}

}  // namespace sk_states
