// The kernel's own view of TCP trouble, for the diagnosis rules: the MIB counters of
// /proc/net/netstat and /proc/net/snmp (ListenOverflows, TCPTimeWaitOverflow, ...), the
// socket totals of /proc/net/sockstat{,6}, and the net.* sysctls they are compared with
// (tcp_max_tw_buckets, ip_local_port_range, tcp_mem, ...). Pure parsers over text, so
// tests and fuzzers can feed them, and readers under proc_root() that see the network
// namespace the calling thread is in.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "sockkit/export.hpp"
#include "sockkit/ports.hpp"

SOCKKIT_API_BEGIN

namespace sockkit {

// One counter: "TcpExt" "ListenOverflows" 12. Values are signed because Tcp MaxConn
// is -1 (no limit); every other counter counts up from 0 since boot or since the
// namespace was created, so a rule compares two readings, not one.
struct Counter {
  std::string section;
  std::string name;
  std::int64_t value = 0;
};

// The counters of one or more counter files, in file order.
class CounterSet {
 public:
  using const_iterator = std::vector<Counter>::const_iterator;

  // nullopt when the kernel does not have this counter (an older or newer kernel, a
  // module not loaded: MPTcpExt, IcmpMsg only once ICMP was seen). A linear search over
  // a few hundred counters; the first match when a section repeats.
  [[nodiscard]] std::optional<std::int64_t> get(std::string_view section,
                                                std::string_view name) const;

  void add(std::string section, std::string name, std::int64_t value);
  // Appends `other` after these counters (netstat, then snmp).
  void append(const CounterSet& other);

  [[nodiscard]] std::size_t size() const noexcept { return counters_.size(); }
  [[nodiscard]] bool empty() const noexcept { return counters_.empty(); }
  [[nodiscard]] const_iterator begin() const noexcept { return counters_.begin(); }
  [[nodiscard]] const_iterator end() const noexcept { return counters_.end(); }

 private:
  std::vector<Counter> counters_;
};

// Parses /proc/net/netstat or /proc/net/snmp: pairs of lines, "TcpExt: Name1 Name2 ..."
// then "TcpExt: v1 v2 ...". Any section is taken, runs of blanks separate fields, the
// last newline is optional, an empty text is an empty set. Throws std::runtime_error
// naming the line ("line 2 (\"TcpExt: 1 2\"): 2 values for 3 names in TcpExt") for a
// header without its value line, mismatched counts, a value that is not a decimal
// integer or does not fit 64 bits signed.
[[nodiscard]] CounterSet parse_counter_file(std::string_view text);

// /proc/net/sockstat and sockstat6. inuse and tw count this network namespace; orphan,
// alloc and mem are the whole host's (the kernel keeps one count for every namespace),
// which is also what tcp_max_orphans and tcp_mem limit.
struct SockStat {
  std::uint64_t sockets_used = 0;   // "sockets: used", this namespace, every family
  std::uint64_t tcp_inuse = 0;      // IPv4 TCP sockets in the hash tables, no TIME_WAIT
  std::uint64_t tcp_orphan = 0;     // closed by their process, still closing: host-wide
  std::uint64_t tcp_tw = 0;         // TIME_WAIT, both families
  std::uint64_t tcp_alloc = 0;      // TCP sockets allocated, both families: host-wide
  std::uint64_t tcp_mem_pages = 0;  // TCP buffer memory in pages, as tcp_mem: host-wide
  std::uint64_t udp_inuse = 0;
  std::uint64_t udp_mem_pages = 0;  // host-wide, as udp_mem
  std::uint64_t tcp6_inuse = 0;     // from sockstat6; 0 without IPv6
  std::uint64_t udp6_inuse = 0;
};

// Parses the text of sockstat or sockstat6 (TCP6 and UDP6 lines fill the *6 fields).
// Other lines (RAW, FRAG, ...) and unknown fields are skipped. Throws std::runtime_error
// naming the line for a known line that is not "key value" pairs of unsigned decimals,
// and for a text without any of the lines sockets, TCP, UDP, TCP6, UDP6.
[[nodiscard]] SockStat parse_sockstat(std::string_view text);

// The sysctls the rules compare with, as the kernel holds them. nullopt when the file
// does not exist: an older kernel, or one of the host-wide limits (tcp_max_orphans,
// tcp_mem), which the kernel shows only in the initial network namespace.
struct NetSysctls {
  std::optional<std::int64_t> tcp_max_tw_buckets;   // TIME_WAIT sockets before TCPTimeWaitOverflow
  std::optional<std::int64_t> tcp_max_orphans;      // host-wide
  std::optional<std::int64_t> somaxconn;            // net.core: caps listen()'s backlog
  std::optional<std::int64_t> tcp_max_syn_backlog;  // SYN_RECV per listener
  std::optional<std::int64_t> tcp_syncookies;       // 0 off, 1 when the queue is full, 2 always
  std::optional<std::int64_t> tcp_fin_timeout;      // seconds in FIN_WAIT_2
  std::optional<std::int64_t> tcp_tw_reuse;         // 0 off, 1 on, 2 loopback only
  std::optional<PortRange> ip_local_port_range;     // ephemeral ports for connect()
  std::optional<std::array<std::uint64_t, 3>> tcp_mem;  // pages: low, pressure, high; host-wide
};

// One integer sysctl, "131072\n". Throws std::runtime_error quoting the text otherwise.
[[nodiscard]] std::int64_t parse_sysctl_int(std::string_view text);
// ip_local_port_range, "32768\t60999\n": two ports 1-65535, low <= high.
[[nodiscard]] PortRange parse_port_range(std::string_view text);
// tcp_mem, "287898\t383865\t575796\n": three page counts.
[[nodiscard]] std::array<std::uint64_t, 3> parse_tcp_mem(std::string_view text);

// Readers for the current network namespace. Files are read whole; a file that must
// exist and cannot be read throws std::system_error naming it ("cannot open
// /proc/net/snmp: ..."), one that does not parse throws std::runtime_error starting with
// its path. Caveat: /proc/net is /proc/self/net, the namespace of the process's main
// thread, while /proc/sys/net follows the calling thread; enter a namespace from the
// main thread (NetnsScope there, or enter_netns before threads start) so both agree.

// <root>/net/netstat followed by <root>/net/snmp.
[[nodiscard]] CounterSet read_netstat();
// <root>/net/sockstat and, when it exists, <root>/net/sockstat6.
[[nodiscard]] SockStat read_sockstat();
// <root>/sys/net/ipv4/... and <root>/sys/net/core/somaxconn; missing files are nullopt.
[[nodiscard]] NetSysctls read_net_sysctls();
// Any other integer sysctl, by its path under <root>/sys/net ("ipv4/tcp_syn_retries"):
// nullopt when this kernel has no such file.
[[nodiscard]] std::optional<std::int64_t> read_net_sysctl_int(std::string_view name);

}  // namespace sockkit

SOCKKIT_API_END
