#include "ss_habits.hpp"

#include <fmt/format.h>

#include "sockkit/census.hpp"
#include "sockkit/cli.hpp"
#include "sockkit/error.hpp"

namespace sk_states {

using sockkit::InputError;

void add_ss_flags(CLI::App& app, SsFlags& flags) {
  // An empty group keeps them out of --help: they exist only to be refused.
  app.add_flag("-i", flags.info)->group("");
  app.add_flag("-o", flags.timers)->group("");
  app.add_flag("-m", flags.memory)->group("");
  app.add_flag("-r", flags.resolve)->group("");
}

void refuse_ss_flags(const SsFlags& flags) {
  if (flags.info) throw InputError("-i is ss's TCP information; use -e (--extended) with --list");
  if (flags.timers) {
    throw InputError("-o is ss's timer information; --list shows it in its TIMER column");
  }
  if (flags.memory) {
    throw InputError(
        "-m is ss's socket memory; sk-states has no per-socket memory column (the tcp_memory "
        "finding reads the totals)");
  }
  if (flags.resolve) {
    throw InputError("-r is ss's name resolution; sk-states prints addresses and ports as numbers");
  }
}

std::optional<std::uint32_t> apply_state_words(std::span<const std::string> words,
                                               std::optional<std::uint32_t> chosen) {
  if (words.empty()) return chosen;
  for (std::size_t i = 0; i < words.size(); ++i) {
    const auto& word = words[i];
    bool adds = word == "state";
    if (!adds && word != "exclude") {
      throw InputError(fmt::format(
          "unexpected argument \"{}\": ss filter expressions are --sport, --dport, --src and "
          "--dst here, and its state filter is \"state STATE\" or \"exclude STATE\"",
          word));
    }
    if (i + 1 == words.size()) {
      throw InputError(
          fmt::format("\"{}\" needs a state after it, as in: {} time-wait", word, word));
    }
    auto mask = sockkit::parse_state_list(words[++i]);
    if (adds) {
      chosen = chosen.value_or(0) | mask;
    } else {
      chosen = chosen.value_or(sockkit::kAllTcpStates) & ~mask;
    }
  }
  return chosen;
}

std::string bare_state_message() {
  return "-s is --state here and needs a list; ss's -s summary is what sk-states prints by "
         "default";
}

}  // namespace sk_states
