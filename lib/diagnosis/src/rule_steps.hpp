// The steps diagnose() takes for each rule, one file each: what it measures
// (rule_measures.cpp), the evidence it shows from the observations and whose owners it
// wants (finding_evidence.cpp), and how it words its title (finding_titles.cpp).
// diagnosis.cpp drives them; private to the library.
#pragma once

#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "sockkit/diagnosis.hpp"

namespace sockkit::detail {

struct RuleContext {
  const DiagnosisInput& input;
  const Census& census;
  const Observations& observations;
  const KernelReadings& kernel;
};

// The rule's measure in its unit; nullopt when a limit it needs is unknown.
[[nodiscard]] std::optional<double> rule_measure(RuleId id, const RuleContext& ctx);
// A severity the rule reaches whatever its measure: counters that rose between two
// samples, or (info) a listener that dropped connections at some time.
[[nodiscard]] std::optional<Severity> rule_floor(RuleId id, const RuleContext& ctx);
// Everything but processes and titles.
void fill_evidence(Finding& finding, const RuleContext& ctx);
// The socket inodes whose holders the finding names; with `everywhere` (-p) also the
// rules that do not need an owner to make their point.
void wanted_inodes(const Finding& finding, const RuleContext& ctx, bool everywhere,
                   std::vector<std::uint32_t>& out);
void attach_owners(Finding& finding, const RuleContext& ctx, const ProcessMap& owners);
// Title and brief, once the evidence is complete.
void compose_text(Finding& finding, const RuleContext& ctx);

}  // namespace sockkit::detail

namespace sockkit::detail {

// Shared by the rule files.
struct CounterName {
  std::string_view section;
  std::string_view name;
};
[[nodiscard]] std::span<const CounterName> rule_counters(RuleId id);
[[nodiscard]] CounterReading read_counter(const RuleContext& ctx, const CounterName& counter);
[[nodiscard]] std::uint64_t state_count(const RuleContext& ctx, TcpState state);
[[nodiscard]] double percent(double part, double whole);
[[nodiscard]] std::string percent_text(double value);       // "7.6%", "93%"
[[nodiscard]] std::string count_text(std::uint64_t value);  // "27,900"
// Fill of a listener's accept queue; nullopt when its limit is unknown (/proc shows 0).
[[nodiscard]] std::optional<double> queue_fill(const Listener& listener);
// Its drop count in the previous sample; nullopt outside --watch.
[[nodiscard]] std::optional<std::uint32_t> previous_drops(const RuleContext& ctx,
                                                          const Listener& listener);
inline constexpr std::size_t kTopEvidence = 5;

}  // namespace sockkit::detail
