#include "sampling.hpp"

#include <chrono>

namespace sk_states {

namespace {

double elapsed_ms(std::chrono::steady_clock::time_point since) {
  return std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - since)
      .count();
}

}  // namespace

Sample take_census(const Query& query, sockkit::GroupCounter* groups) {
  Sample sample;
  auto start = std::chrono::steady_clock::now();
  // The hot path: one increment per socket, nothing allocated.
  auto visit = [&](const sockkit::SocketRecord& record) {
    sample.census.add(record);
    if (groups != nullptr) groups->add(record);
  };
  auto restart = [&] {
    sample.census.clear();
    if (groups != nullptr) groups->clear();
  };
  sample.report = sockkit::read_sockets(query.read, visit, restart);
  sample.duration_ms = elapsed_ms(start);
  return sample;
}

Sample take_list(const Query& query, std::vector<ListedSocket>& sockets) {
  Sample sample;
  auto start = std::chrono::steady_clock::now();
  auto visit = [&](const sockkit::SocketRecord& record) {
    sample.census.add(record);
    ListedSocket kept{record, sockkit::summarize_tcp_info(record.tcp_info)};
    kept.record.tcp_info = {};  // the receive buffer it points into is reused
    kept.record.skmeminfo = {};
    sockets.push_back(kept);
  };
  auto restart = [&] {
    sample.census.clear();
    sockets.clear();
  };
  sample.report = sockkit::read_sockets(query.read, visit, restart);
  sample.duration_ms = elapsed_ms(start);
  return sample;
}

}  // namespace sk_states
