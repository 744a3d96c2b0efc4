#include "sockkit/socket_filter.hpp"

#include <linux/inet_diag.h>

#include <cstring>

namespace sockkit {

namespace {

bool any_contains(const std::vector<Cidr>& blocks, const IpAddress& addr) {
  for (const auto& block : blocks) {
    if (block.contains(addr)) return true;
  }
  return false;
}

}  // namespace

bool SocketFilter::matches(const SocketRecord& record) const {
  // "All ports" restricts nothing, as in the kernel program: listeners and
  // unconnected sockets (remote port 0) stay in.
  auto restricts = [](const std::optional<PortSet>& set) { return set && set->count() < 65535; };
  if (restricts(local_ports) && !local_ports->contains(record.local_port)) return false;
  if (restricts(remote_ports) && !remote_ports->contains(record.remote_port)) return false;
  if (!local_addrs.empty() && !any_contains(local_addrs, record.local_ip())) return false;
  if (!remote_addrs.empty() && !any_contains(remote_addrs, record.remote_ip())) return false;
  return true;
}

namespace {

// inet_diag bytecode is a list of 4-byte ops {code, yes, no}; a condition that holds
// moves on by `yes` bytes, one that fails jumps `no` bytes. The program accepts a
// socket when execution lands exactly on its end, and rejects it when a jump lands
// 4 bytes past the end. Jumps only go forward.
class Program {
 public:
  static constexpr std::size_t kOp = sizeof(inet_diag_bc_op);
  static constexpr std::size_t kReject = SIZE_MAX;

  // A term is a run of conditions that must all hold; a field is a list of terms of
  // which one must hold; the program is the AND of its fields.
  struct Condition {
    std::uint8_t code;
    std::uint16_t port = 0;       // port comparisons
    const Cidr* block = nullptr;  // host conditions
  };
  using Term = std::vector<Condition>;

  void add_field(const std::vector<Term>& terms) {
    std::size_t field_start = code_.size();
    std::size_t field_size = 0;
    for (std::size_t i = 0; i < terms.size(); ++i) {
      field_size += term_size(terms[i]) + (i + 1 < terms.size() ? kOp : 0);
    }
    std::size_t field_end = field_start + field_size;
    for (std::size_t i = 0; i < terms.size(); ++i) {
      bool last = i + 1 == terms.size();
      std::size_t next_term = code_.size() + term_size(terms[i]) + (last ? 0 : kOp);
      for (const auto& cond : terms[i]) emit(cond, last ? kReject : next_term);
      if (!last) emit_jump(field_end);
    }
  }

  [[nodiscard]] std::vector<std::byte> finish() {
    // Jump offsets are 16 bits; a program past that (thousands of separate ports)
    // is not sent, and the caller's user-space match does all the filtering.
    if (code_.size() + kOp > 0xffffU) return {};
    // Rejecting jumps land 4 bytes past the end, which is only known now.
    for (auto at : reject_ops_) {
      set_no(at, code_.size() + kOp - at);
    }
    return std::move(code_);
  }

 private:
  static std::size_t cond_size(const Condition& cond) {
    if (cond.block == nullptr) return 2 * kOp;
    return kOp + sizeof(inet_diag_hostcond) + cond.block->network().bytes().size();
  }
  static std::size_t term_size(const Term& term) {
    std::size_t size = 0;
    for (const auto& cond : term) size += cond_size(cond);
    return size;
  }

  void put_op(std::uint8_t code, std::size_t yes, std::size_t no) {
    inet_diag_bc_op op{code, static_cast<std::uint8_t>(yes), static_cast<std::uint16_t>(no)};
    auto* raw = reinterpret_cast<const std::byte*>(&op);
    code_.insert(code_.end(), raw, raw + sizeof op);
  }
  void set_no(std::size_t at, std::size_t no) {
    auto value = static_cast<std::uint16_t>(no);
    std::memcpy(code_.data() + at + offsetof(inet_diag_bc_op, no), &value, sizeof value);
  }

  void emit(const Condition& cond, std::size_t fail_target) {
    std::size_t at = code_.size();
    std::size_t size = cond_size(cond);
    put_op(cond.code, size, fail_target == kReject ? 0 : fail_target - at);
    if (fail_target == kReject) reject_ops_.push_back(at);
    if (cond.block == nullptr) {
      put_op(0, 0, cond.port);  // the port rides in the `no` field of a second op
      return;
    }
    inet_diag_hostcond host{};
    host.family = static_cast<std::uint8_t>(cond.block->family());
    host.prefix_len = static_cast<std::uint8_t>(cond.block->prefix());
    host.port = -1;
    auto* raw = reinterpret_cast<const std::byte*>(&host);
    code_.insert(code_.end(), raw, raw + sizeof host);
    auto bytes = cond.block->network().bytes();
    auto* addr = reinterpret_cast<const std::byte*>(bytes.data());
    code_.insert(code_.end(), addr, addr + bytes.size());
  }

  void emit_jump(std::size_t target) {
    std::size_t at = code_.size();
    put_op(INET_DIAG_BC_JMP, kOp, target - at);
  }

  std::vector<std::byte> code_;
  std::vector<std::size_t> reject_ops_;
};

std::vector<Program::Term> port_terms(const PortSet& ports, bool local) {
  std::vector<Program::Term> terms;
  auto ge = static_cast<std::uint8_t>(local ? INET_DIAG_BC_S_GE : INET_DIAG_BC_D_GE);
  auto le = static_cast<std::uint8_t>(local ? INET_DIAG_BC_S_LE : INET_DIAG_BC_D_LE);
  for (const auto& range : ports.ranges()) {
    terms.push_back({{ge, range.first, nullptr}, {le, range.last, nullptr}});
  }
  return terms;
}

// nullopt when no block can match a socket of `family`.
std::optional<std::vector<Program::Term>> addr_terms(const std::vector<Cidr>& blocks, int family,
                                                     bool local) {
  std::vector<Program::Term> terms;
  auto code = static_cast<std::uint8_t>(local ? INET_DIAG_BC_S_COND : INET_DIAG_BC_D_COND);
  for (const auto& block : blocks) {
    // An IPv4 block also matches v4-mapped addresses of IPv6 sockets; an IPv6 block
    // never matches an IPv4 socket.
    if (block.family() == AF_INET6 && family == AF_INET) continue;
    terms.push_back({{code, 0, &block}});
  }
  if (terms.empty()) return std::nullopt;
  return terms;
}

bool covers_all(const PortSet& ports) {
  return ports.count() == 65535;
}

}  // namespace

std::optional<std::vector<std::byte>> compile_bytecode(const SocketFilter& filter, int family) {
  Program program;
  if (filter.local_ports && !covers_all(*filter.local_ports)) {
    if (filter.local_ports->empty()) return std::nullopt;
    program.add_field(port_terms(*filter.local_ports, true));
  }
  if (filter.remote_ports && !covers_all(*filter.remote_ports)) {
    if (filter.remote_ports->empty()) return std::nullopt;
    program.add_field(port_terms(*filter.remote_ports, false));
  }
  for (bool local : {true, false}) {
    const auto& blocks = local ? filter.local_addrs : filter.remote_addrs;
    if (blocks.empty()) continue;
    auto terms = addr_terms(blocks, family, local);
    if (!terms) return std::nullopt;
    program.add_field(*terms);
  }
  return program.finish();
}

}  // namespace sockkit
