// What ss(8) users type out of habit: its state filter words after the options, and
// its flags that would mean something else here, refused with the sockkit spelling.
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <string>

#include "sockkit/cli_fwd.hpp"

namespace sk_states {

// ss flags that sk-states has no such option for; set only to refuse them.
struct SsFlags {
  bool info = false;     // -i: TCP information
  bool timers = false;   // -o: timer information
  bool memory = false;   // -m: socket memory
  bool resolve = false;  // -r: resolve names
};

// Adds -i, -o, -m and -r as hidden flags, so that they parse and can be refused by name.
void add_ss_flags(CLI::App& app, SsFlags& flags);

// Throws InputError naming what to use instead, for the first flag set.
void refuse_ss_flags(const SsFlags& flags);

// The words after the options, read as ss reads them from left to right: "state S"
// adds the states of S, "exclude S" removes them. `chosen` is what --state chose, if
// given; otherwise the first "state" starts from none and the first "exclude" from
// all. Returns the resulting mask, or nullopt when there are no words. Throws
// InputError for a missing state or any other word.
[[nodiscard]] std::optional<std::uint32_t> apply_state_words(std::span<const std::string> words,
                                                             std::optional<std::uint32_t> chosen);

// The error for a -s or --state given without a list: ss's -s is a summary.
[[nodiscard]] std::string bare_state_message();

}  // namespace sk_states
